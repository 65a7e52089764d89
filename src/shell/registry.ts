/**
 * The command registry: the single list from which running, `help` and completion derive.
 *
 * Design notes: commands register once; the shell looks them up by name and location; `help`
 * prints the summaries of what exists where the learner is; tab completion offers command
 * names at the start of a command and otherwise asks the command's own completer. Adding a
 * command therefore adds it everywhere at once.
 */
import type { Command, CompletionRequest, Location } from './command';

export class Registry {
  /** One name may have several implementations for different places (busybox vs iputils ping). */
  private readonly commands = new Map<string, Command[]>();

  register(...cmds: Command[]): this {
    for (const c of cmds) {
      const same = this.commands.get(c.name) ?? [];
      if (same.some((o) => o.where.some((w) => c.where.includes(w)))) throw new Error(`command ${c.name} registered twice for the same place`);
      this.commands.set(c.name, [...same, c]);
    }
    return this;
  }

  /** The command named `name` if it exists at `location`. */
  find(name: string, location: Location): Command | undefined {
    return this.commands.get(name)?.find((c) => c.where.includes(location.kind));
  }

  /** Every registered command, sorted by name. */
  all(): Command[] {
    return [...this.commands.values()].flat().sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every command available at `location`, sorted by name. */
  available(location: Location, includeHidden = false): Command[] {
    return this.all().filter((c) => c.where.includes(location.kind) && (includeHidden || !c.hidden));
  }

  /** Candidates for the word being typed, already filtered by its prefix and sorted. */
  complete(req: CompletionRequest): string[] {
    let words: string[];
    if (req.words.length === 0) words = this.available(req.env.location).map((c) => c.name);
    else words = this.find(req.words[0]!, req.env.location)?.complete?.(req) ?? [];
    return [...new Set(words.filter((w) => w.startsWith(req.prefix)))].sort();
  }
}
