/**
 * `npm run shell -- [--lab <id> | --cluster <name>] [--seed N] [--quiet]`: a lab session on
 * standard input/output; with neither, a free sandbox on the default cluster.
 *
 * Design notes: this drives the same LabSession as the browser terminal. From a pipe or a
 * file it reads one command per line, echoes `prompt + line` (unless --quiet) and prints
 * exactly what the terminal would, commands' errors on stderr, grading events as
 * `[lab] ...` lines; time is virtual and moves only by what commands take, so the same
 * input gives the same transcript. A command that would run forever (ping without -c) is
 * interrupted, like Ctrl+C, once it has run --interrupt-after seconds of sandbox time.
 * On a terminal it is interactive: a prompt, history, Tab completion, Ctrl+C, with sandbox
 * time following the wall clock as in the browser. In both modes a command left open (a quote,
 * a final `|` or `\`, a here-document) continues on the next lines after bash's `> ` prompt
 * and runs as one command once complete.
 * Everything goes through the session contract (LabSessionApi), as in the browser: `--apply`
 * is the session's apply, `--pcap` writes the frames of the session's trace events, and
 * `--solution` replays the lab's stored solution in a scratch session and prints the lines it
 * typed, so piping them into a fresh session reproduces every step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PcapWriter } from '../sim/pcap';
import type { Scheduler } from '../sim/clock';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { createPlayground, findLab, LABS, REFERENCE_TIME } from '../labs/catalog';
import type { LabDefinition } from '../labs/schema';
import { LabSession } from '../labs/session';
import { TOPOLOGIES } from '../sim/topologies';
import type { OutputSink } from '../labs/contract';
import { PS2, runScript, ScriptClock, solve } from '../labs/transcript';
import { needsMore } from '../shell/tokenize';

const DEFAULT_CLUSTER = 'kubernetes';

const HELP = `Usage: npm run shell -- [options]
       npm run shell -- --lab <id> [options]
       npm run shell -- --cluster <name> [options]
       npm run shell -- --lab-file <file.ts> [options]

Runs a lab's sandbox, or a free sandbox on a named topology (without --lab or --cluster:
the ${DEFAULT_CLUSTER} cluster), on standard input and output.

Options:
  --lab <id>               the lab to open (${LABS.map((l) => l.id).join(', ')})
  --cluster <name>         a free sandbox with no tasks (${Object.keys(TOPOLOGIES).join(', ')})
  --lab-file <file>        a lab defined in a file (a module exporting defineLab({...})), to try it before listing it
  --seed <n>               the seed for names and addresses (default: the lab's own)
  --quiet                  print only the commands' output (no prompts, no grading events)
  --interrupt-after <s>    stop a never-ending command after s seconds of sandbox time (default 30)
  --solution               print the commands of the lab's stored solution for this seed and exit
  --pcap <file>            write every frame that crossed a simulated link to a pcap file
  --apply <file>           apply YAML or JSON manifests before the first command (repeatable)
  -h, --help               show this help
`;

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

class PacedScheduler implements Scheduler {
  private offset: number;
  constructor(start: number) {
    this.offset = start - Date.now();
  }
  now(): number {
    return Date.now() + this.offset;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }
}

/** The lab a module defines: its default export, or the one exported lab definition. */
async function labFromFile(file: string): Promise<LabDefinition> {
  const mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  const isLab = (v: unknown): v is LabDefinition => !!v && typeof v === 'object' && 'id' in v && 'tasks' in v && 'topology' in v;
  if (isLab(mod.default)) return mod.default;
  const labs = Object.values(mod).filter(isLab);
  if (labs.length !== 1) throw new Error(labs.length ? `exports ${labs.length} labs; export one, or make it the default export` : 'exports no lab (a value made by defineLab)');
  return labs[0]!;
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      options: {
        lab: { type: 'string' },
        cluster: { type: 'string' },
        'lab-file': { type: 'string' },
        seed: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        'interrupt-after': { type: 'string', default: '30' },
        solution: { type: 'boolean', default: false },
        pcap: { type: 'string' },
        apply: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`shell: ${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if ([opts.cluster, opts.lab, opts['lab-file']].filter((o) => o !== undefined).length > 1) {
    process.stderr.write('shell: give one of --lab, --lab-file and --cluster\n');
    return 2;
  }
  let fileLab: LabDefinition | undefined;
  if (opts['lab-file'] !== undefined) {
    try {
      fileLab = await labFromFile(opts['lab-file']);
    } catch (e) {
      process.stderr.write(`shell: ${opts['lab-file']}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
  }
  const cluster = opts.lab === undefined && fileLab === undefined ? (opts.cluster ?? DEFAULT_CLUSTER) : undefined;
  if (cluster !== undefined && !TOPOLOGIES[cluster]) {
    process.stderr.write(`shell: no topology "${cluster}"; topologies: ${Object.keys(TOPOLOGIES).join(', ')}\n`);
    return 2;
  }
  const lab = opts.lab !== undefined ? findLab(opts.lab) : fileLab;
  if (opts.lab !== undefined && !lab) {
    process.stderr.write(`shell: no lab "${opts.lab}"; labs: ${LABS.map((l) => l.id).join(', ')}\n`);
    return 2;
  }
  if (opts.solution && !lab) {
    process.stderr.write('shell: --solution needs --lab\n');
    return 2;
  }
  const seed = opts.seed === undefined ? (lab?.defaultSeed ?? 1) : Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    process.stderr.write(`shell: --seed must be an integer from 0 to 4294967295\n`);
    return 2;
  }
  const limit = Number(opts['interrupt-after']);
  const interactive = Boolean(process.stdin.isTTY) && !opts.solution;
  const tty = Boolean(process.stdout.isTTY);
  const strip = (t: string): string => (tty ? t : t.replace(ANSI, ''));
  const stdout: OutputSink = { write: (t) => void process.stdout.write(strip(t)) };
  const stderr: OutputSink = { write: (t) => void process.stderr.write(strip(t)) };

  const limitMs = (Number.isFinite(limit) && limit > 0 ? limit : 30) * 1000;
  const open = (scheduler: Scheduler): Promise<LabSession> => (lab ? LabSession.create({ lab, seed, scheduler }) : createPlayground({ topology: cluster!, seed, scheduler }));
  if (opts.solution) {
    // Replayed in a session of its own: each step is printed as it was typed there.
    const clock = new ScriptClock(REFERENCE_TIME, limitMs);
    const { lines } = await solve(await open(clock), clock, { quiet: true });
    for (const l of lines) process.stdout.write(l + '\n');
    return 0;
  }
  const script = new ScriptClock(REFERENCE_TIME, limitMs);
  const scheduler: Scheduler = interactive ? new PacedScheduler(REFERENCE_TIME) : script;
  const session = await open(scheduler);
  const pcap = opts.pcap ? new PcapWriter() : undefined;
  if (pcap) {
    // One record per frame sent on a wire; frames of one packet run share its time, each a
    // microsecond after the one before, so they stay in order.
    session.subscribe((e) => {
      if (e.type === 'trace') e.trace.frames.forEach((f, i) => pcap.writeBytes(e.trace.time + i / 1000, f));
    });
    process.on('exit', () => writeFileSync(opts.pcap!, pcap.bytes()));
  }
  for (const file of opts.apply ?? []) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      process.stderr.write(`error: the path "${file}" does not exist\n`);
      return 1;
    }
    const r = session.apply(text, { source: file });
    for (const l of r.lines) if (l.stderr || !opts.quiet) (l.stderr ? process.stderr : process.stdout).write(l.text + '\n');
    if (!r.ok) return 1;
  }
  if (!interactive) {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
    return runScript(session, script, rl, stdout, stderr, { quiet: opts.quiet });
  }

  if (!opts.quiet) {
    session.subscribe((e) => {
      if (e.type === 'task' && e.task.status !== 'pending') process.stdout.write(`[lab] ${e.task.id} ${e.task.status}${e.task.feedback ? `: ${e.task.feedback}` : ''}\n`);
    });
  }

  // Interactive: readline with completion; Ctrl+C interrupts a running command or clears the line.
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    historySize: 1000,
    completer: (line: string) => {
      const c = session.complete(line, line.length);
      return [c.candidates, line.slice(c.from)];
    },
  });
  let busy = false;
  // Lines of a command left open (a quote, a final `|`, a here-document), shown with PS2.
  let pending: string | null = null;
  rl.on('SIGINT', () => {
    if (busy) session.interrupt();
    else {
      pending = null;
      process.stdout.write('^C\n');
      rl.setPrompt(session.prompt());
      rl.prompt();
    }
  });
  process.stdout.write(`${session.lab.title}\nType help to see the commands, answer to list the tasks that take answers; Ctrl+D leaves.\n\n`);
  rl.setPrompt(session.prompt());
  rl.prompt();
  for await (const line of rl) {
    pending = pending === null ? line : `${pending}\n${line}`;
    if (needsMore(pending)) {
      rl.setPrompt(PS2);
      rl.prompt();
      continue;
    }
    const text = pending;
    pending = null;
    busy = true;
    await session.run(text, stdout, stderr);
    busy = false;
    rl.setPrompt(session.prompt());
    rl.prompt();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`shell: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
