/**
 * `npm run shell -- --lab <id> [--seed N] [--quiet]`: a lab session on standard input/output.
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
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { applyManifests } from '../sim/k8s/manifests';
import { createInterface } from 'node:readline';
import { PcapWriter } from '../sim/pcap';
import { parseArgs } from 'node:util';
import type { Scheduler } from '../sim/clock';
import { REFERENCE_TIME } from '../labs/catalog';
import { findLab, LABS } from '../../labs/index';
import { LabSession } from '../labs/session';
import { TOPOLOGIES } from '../sim/topologies';
import type { OutputSink } from '../labs/contract';
import { PS2, runScript, ScriptClock } from '../labs/transcript';
import { needsMore } from '../shell/tokenize';

const HELP = `Usage: npm run shell -- --lab <id> [options]
       npm run shell -- --cluster <name> [options]

Runs a lab's sandbox, or a free sandbox on a named topology, on standard input and output.

Options:
  --lab <id>               the lab to open (${LABS.map((l) => l.id).join(', ')})
  --cluster <name>         a free sandbox with no tasks (${Object.keys(TOPOLOGIES).join(', ')})
  --seed <n>               the seed for names and addresses (default: the lab's own)
  --quiet                  print only the commands' output (no prompts, no grading events)
  --interrupt-after <s>    stop a never-ending command after s seconds of sandbox time (default 30)
  --solution               print the lab's stored solution for this seed and exit
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

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      options: {
        lab: { type: 'string' },
        cluster: { type: 'string' },
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
  const labId = opts.lab ?? '';
  const lab = findLab(labId);
  if (opts.cluster !== undefined && opts.lab !== undefined) {
    process.stderr.write('shell: give either --lab or --cluster, not both\n');
    return 2;
  }
  if (opts.cluster !== undefined && !TOPOLOGIES[opts.cluster]) {
    process.stderr.write(`shell: no topology "${opts.cluster}"; topologies: ${Object.keys(TOPOLOGIES).join(', ')}\n`);
    return 2;
  }
  if (!lab && opts.cluster === undefined) {
    process.stderr.write(`shell: ${labId ? `no lab "${labId}"` : 'missing --lab'}; labs: ${LABS.map((l) => l.id).join(', ')}\n`);
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

  const script = new ScriptClock(REFERENCE_TIME, (Number.isFinite(limit) && limit > 0 ? limit : 30) * 1000);
  const scheduler: Scheduler = interactive ? new PacedScheduler(REFERENCE_TIME) : script;
  const session = opts.cluster !== undefined ? LabSession.createPlayground({ topology: opts.cluster, seed, scheduler }) : LabSession.create({ labId, seed, scheduler });
  const pcap = opts.pcap ? new PcapWriter() : undefined;
  if (pcap) {
    // One record per link crossing (the frame as it is sent); frames of one run share its
    // time, each a microsecond after the one before, so they stay in order.
    session.sim.onTrace((trace, t) => trace.captures.filter((c) => c.wire).forEach((c, i) => pcap.write(t + i / 1000, c.frame)));
    process.on('exit', () => writeFileSync(opts.pcap!, pcap.bytes()));
  }
  for (const file of opts.apply ?? []) {
    let docs: unknown[];
    try {
      docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
        if (d.errors.length) throw new Error(d.errors[0]!.message);
        return d.toJS() as unknown;
      });
    } catch (e) {
      process.stderr.write(`error: error parsing ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    try {
      const results = applyManifests({ state: session.sim.state, rng: session.sim.rng, now: session.sim.clock.now() }, docs);
      if (!opts.quiet) for (const r of results) process.stdout.write(`${r.ref} ${r.action}\n`);
    } catch (e) {
      process.stderr.write(`Error from server: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
  }
  if (opts.solution) {
    for (const l of session.solution()) process.stdout.write(l + '\n');
    return 0;
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
