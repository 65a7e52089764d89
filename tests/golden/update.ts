/**
 * Golden transcripts: read, replay and (with `npx tsx tests/golden/update.ts`) regenerate.
 *
 * A golden file is a whole terminal transcript as
 * `npm run shell -- --lab-file tests/fixtures/labs/<lab>.ts --seed <n> [--interrupt-after <s>]`
 * prints it with stderr merged (`2>&1`), preceded by header lines:
 *
 *   # seed: 1
 *   # lab: fixture-web           (a lab of tests/fixtures/labs)
 *   # interrupt-after: 60        (optional, seconds; default 30 as in the CLI)
 *
 * or, for a free sandbox (`npm run shell -- --cluster docker`), `# cluster: <topology>`
 * instead of `# lab:`.
 *
 * The commands are the lines that start with a prompt (`learner@workstation:~$ `, a node's
 * `root@node-1:~# `, or a pod's `/ # `, `~ # ` in netshoot's /root). Output that does not end in a newline (a jsonpath
 * template without `{"\n"}`) would hide the next prompt, so only the last command may print it.
 * golden.test.ts replays them and compares; this script rewrites every file (or the files
 * named on the command line) from its own commands, so an intended change of output is
 * approved by reviewing the diff. To add a transcript, write a file with the header and the
 * prompt lines only, then run this script.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REFERENCE_TIME } from '../../src/labs/catalog';
import { LabSession } from '../../src/labs/session';
import { testLab } from '../fixtures/labs/index';
import { PS2, ScriptClock, transcript } from '../../src/labs/transcript';
import { needsMore } from '../../src/shell/tokenize';

export const GOLDEN_DIR = dirname(fileURLToPath(import.meta.url));

const PROMPTS = ['learner@workstation:~$ ', '/ # ', '~ # '];
/** A command that opens an interactive shell in a container (kubectl exec -it, docker run/exec -it). */
const OPENS_SHELL = /^(kubectl (exec|run|debug|attach)\b.*\s-(it|ti)\b|docker (run|exec)\b.*\s-(it|ti)\b)/;
/** What `npm run shell` strips when its output is not a terminal. */
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export interface Golden {
  lab: string;
  seed: number;
  /** Seconds of sandbox time before a running command is interrupted (CLI --interrupt-after). */
  interruptAfter: number;
  /** The header lines, kept verbatim. */
  header: string[];
  commands: string[];
  /** Everything after the header: the transcript itself. */
  body: string;
}

export function parseGolden(text: string, name = 'golden file'): Golden {
  const lines = text.split('\n');
  const header: string[] = [];
  while (lines.length > 0 && lines[0]!.startsWith('# ')) header.push(lines.shift()!);
  const field = (key: string): string | undefined => header.map((h) => new RegExp(`^# ${key}: (.+)$`).exec(h)?.[1]).find((v) => v !== undefined);
  // `# cluster: <topology>` replays a free sandbox (npm run shell -- --cluster <topology>).
  const cluster = field('cluster');
  const lab = field('lab') ?? (cluster !== undefined ? `playground-${cluster}` : undefined);
  const seed = Number(field('seed'));
  const interruptAfter = Number(field('interrupt-after') ?? '30');
  if (!lab || !Number.isInteger(seed) || !(interruptAfter > 0)) throw new Error(`${name}: needs "# lab: <id>" and "# seed: <n>" header lines`);
  const body = lines.join('\n');
  const commands: string[] = [];
  // A command left open (a here-document, a quote, a final `|`) continues on `> ` lines.
  let open: string | null = null;
  /** The prompts of the container shells open now, innermost last. */
  const shells: string[] = [];
  let entering = false;
  for (const l of lines) {
    if (open !== null && l.startsWith(PS2)) {
      commands.push(l.slice(PS2.length));
      open = needsMore(`${open}\n${l.slice(PS2.length)}`) ? `${open}\n${l.slice(PS2.length)}` : null;
      continue;
    }
    open = null;
    // A command that opens a shell in a container prints nothing before the shell's first
    // prompt, so the next line shows which prompt that shell uses: also dash's bare `# `
    // (nginx's Debian image) or bash's `root@<host>:/# `. It counts as a prompt until that
    // shell exits, so output lines starting with `# ` elsewhere stay output.
    // kubectl run -it and attach print a hint on stderr before the pod's prompt.
    if (entering && l !== "If you don't see a command prompt, try pressing enter.") {
      entering = false;
      const first = PROMPTS.find((x) => l.startsWith(x)) ?? /^root@[a-z0-9.-]+:\/\S*# /.exec(l)?.[0] ?? (l.startsWith('# ') ? '# ' : undefined);
      if (first !== undefined) shells.push(first);
    }
    const inner = shells.length > 0 && l.startsWith(shells[shells.length - 1]!) ? shells[shells.length - 1] : undefined;
    const p = inner ?? PROMPTS.find((x) => l.startsWith(x)) ?? /^root@[a-z0-9.-]+:~# /.exec(l)?.[0];
    if (p) {
      const cmd = l.slice(p.length);
      commands.push(cmd);
      if (needsMore(cmd)) open = cmd;
      if (OPENS_SHELL.test(cmd)) entering = true;
      else if (inner !== undefined && /^exit\b/.test(cmd)) shells.pop();
    }
  }
  return { lab, seed, interruptAfter, header, commands, body };
}

/** Replays `commands` the way `npm run shell` does and returns what it prints. */
export async function replay(g: Pick<Golden, 'lab' | 'seed' | 'interruptAfter' | 'commands'>): Promise<string> {
  const clock = new ScriptClock(REFERENCE_TIME, g.interruptAfter * 1000);
  const session = await LabSession.create({ lab: testLab(g.lab), seed: g.seed, scheduler: clock });
  return (await transcript(session, clock, g.commands)).replace(ANSI, '');
}

export function goldenFiles(): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => join(GOLDEN_DIR, f));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const files = args.length > 0 ? args.map((a) => resolve(a)) : goldenFiles();
  for (const file of files) {
    const before = readFileSync(file, 'utf8');
    const g = parseGolden(before, basename(file));
    const after = [...g.header, ''].join('\n') + (await replay(g));
    if (after === before) process.stdout.write(`unchanged ${basename(file)}\n`);
    else {
      writeFileSync(file, after);
      process.stdout.write(`updated   ${basename(file)} (review with git diff)\n`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
