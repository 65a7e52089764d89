/**
 * The command registry: the single list from which running, `help` and completion derive.
 *
 * Design notes: commands register once; the shell looks them up by name and location; `help`
 * prints the summaries of what exists where the learner is; tab completion offers command
 * names at the start of a command and otherwise asks the command's own completer. Adding a
 * command therefore adds it everywhere at once.
 * One name may have several implementations: one per kind of place (iputils ping on the
 * nodes, busybox ping in pods), and inside pods one per image family (iputils ping in a
 * netshoot pod). In a pod the program must be one its image ships (images.ts); the
 * implementation whose `images` names the image's family wins, else the one without
 * `images`. Two implementations that could both claim one place are rejected at registration.
 */
import type { Command, CompletionRequest, Location, ShellEnv } from './command';
import { imageAt, imageFamily, imageHas } from './images';

export class Registry {
  private readonly commands = new Map<string, Command[]>();

  register(...cmds: Command[]): this {
    for (const c of cmds) {
      const same = this.commands.get(c.name) ?? [];
      if (same.some((o) => clash(o, c))) throw new Error(`command ${c.name} registered twice for the same place`);
      this.commands.set(c.name, [...same, c]);
    }
    return this;
  }

  /**
   * The command named `name` as it exists at `location`; in a pod, `image` is the container's
   * image: only a program the image ships exists, in the image family's own version.
   */
  find(name: string, location: Location, image = ''): Command | undefined {
    const impls = this.commands.get(name);
    if (!impls) return undefined;
    // A Docker container's shell is a container's too: the same image-bound programs run there.
    if (location.kind !== 'pod' && location.kind !== 'container') return impls.find((c) => c.where.includes(location.kind));
    if (!imageHas(image, name)) return undefined;
    const family = imageFamily(image);
    const inPods = impls.filter((c) => c.where.includes('pod'));
    return inPods.find((c) => c.images?.includes(family)) ?? inPods.find((c) => !c.images);
  }

  /** Every registered command (each implementation), sorted by name. */
  all(): Command[] {
    return [...this.commands.values()].flat().sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Every command available at `location` (in a pod: with that image), one per name, sorted
   * by name; with `env`, only the programs that machine has installed.
   */
  available(location: Location, image = '', includeHidden = false, env?: ShellEnv): Command[] {
    const out: Command[] = [];
    for (const name of [...this.commands.keys()].sort((a, b) => a.localeCompare(b))) {
      const c = this.find(name, location, image);
      if (c && (includeHidden || !c.hidden) && (!env || !c.installed || c.installed(env))) out.push(c);
    }
    return out;
  }

  /** Candidates for the word being typed, already filtered by its prefix and sorted. */
  complete(req: CompletionRequest): string[] {
    const loc = req.env.location;
    const image = imageAt(req.env.sim, loc);
    let words: string[];
    if (req.words.length === 0) words = this.available(loc, image, false, req.env).map((c) => c.name);
    else words = this.find(req.words[0]!, loc, image)?.complete?.(req) ?? [];
    return [...new Set(words.filter((w) => w.startsWith(req.prefix)))].sort();
  }
}

/** True when two implementations of one name could both claim the same place. */
function clash(a: Command, b: Command): boolean {
  for (const w of a.where) {
    if (!b.where.includes(w)) continue;
    if (w !== 'pod') return true;
    if (!a.images && !b.images) return true;
    if (a.images && b.images && a.images.some((f) => b.images!.includes(f))) return true;
  }
  return false;
}
