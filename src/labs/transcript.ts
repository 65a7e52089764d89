/**
 * Scripted sessions: commands in, the terminal's text out.
 *
 * Design notes: this is the non-interactive half of `npm run shell` and the engine of the
 * golden transcript tests, so both print the same thing: `prompt + command` for each line,
 * the command's output, grading events as `[lab] <task> <status>: <feedback>` after the
 * command that caused them, and a final `[lab] score E/T`. A command that spans several input
 * lines (an open quote, a final `|` or `\`, a here-document) is echoed line by line, the
 * continuation lines after bash's PS2 prompt `> `, and runs once complete. Time is a virtual clock that
 * moves only when commands wait (`sleep 60` moves it a minute, at once); a command that runs
 * until interrupted (ping without -c, a watch: it calls `endless()`) is interrupted as if by
 * Ctrl+C after `interruptAfterMs` of sandbox time, so such commands end deterministically,
 * while commands that end by themselves always run to their end.
 */
import { VirtualClock } from '../sim/clock';
import type { OutputSink, TaskView } from './contract';
import type { LabSession } from './session';
import { needsMore } from '../shell/tokenize';

/** bash's (and busybox ash's) continuation prompt. */
export const PS2 = '> ';

export class ScriptClock extends VirtualClock {
  /** When the running command said it will not end by itself (undefined: it will end). */
  private endlessSince: number | undefined;
  private onOverrun: (() => void) | undefined;

  constructor(
    start: number,
    private readonly interruptAfterMs = 30_000,
  ) {
    super(start);
  }

  /** Marks the start of a command and what to call if it runs on without end. */
  beginCommand(onOverrun: () => void): void {
    this.endlessSince = undefined;
    this.onOverrun = onOverrun;
  }

  override endless(): void {
    this.endlessSince ??= this.now();
  }

  override async sleep(ms: number): Promise<void> {
    this.advance(ms);
    if (this.endlessSince !== undefined && this.now() - this.endlessSince >= this.interruptAfterMs) this.onOverrun?.();
  }
}

export interface TranscriptOptions {
  /** Print only the commands' output: no prompts, no grading events, no score. */
  quiet?: boolean;
}

/** Runs `lines` through `session`, writing what a terminal would show. Returns the last status. */
export async function runScript(session: LabSession, clock: ScriptClock, lines: Iterable<string> | AsyncIterable<string>, stdout: OutputSink, stderr: OutputSink, opts: TranscriptOptions = {}): Promise<number> {
  const events: TaskView[] = [];
  // What was last reported of each task: a hint or a solution shown changes the task's view
  // but not its state, and is not reported again.
  const reported = new Map<string, string>(session.tasks().map((t) => [t.id, `${t.status}|${t.feedback}`]));
  const unsubscribe = session.subscribe((e) => {
    if (e.type !== 'task') return;
    const key = `${e.task.status}|${e.task.feedback}`;
    if (reported.get(e.task.id) === key) return;
    reported.set(e.task.id, key);
    events.push(e.task);
  });
  let status = 0;
  try {
    const runOne = async (text: string): Promise<void> => {
      clock.beginCommand(() => session.interrupt());
      events.length = 0;
      status = await session.run(text, stdout, stderr);
      if (!opts.quiet) for (const t of events) if (t.status !== 'pending') stdout.write(`[lab] ${t.id} ${t.status}${t.feedback ? `: ${t.feedback}` : ''}\n`);
    };
    // Input that leaves a quote, a `|` or a here-document open continues on the next lines,
    // which bash prompts for with PS2 (`> `); the whole text then runs as one command.
    let pending: string | null = null;
    for await (const line of lines) {
      if (!opts.quiet) stdout.write((pending === null ? session.prompt() : PS2) + line + '\n');
      pending = pending === null ? line : `${pending}\n${line}`;
      if (needsMore(pending)) continue;
      const text = pending;
      pending = null;
      await runOne(text);
    }
    // End of input with something still open: bash runs what it has (and says what was missing).
    if (pending !== null) await runOne(pending);
    const s = session.score();
    if (!opts.quiet && s.total > 0) stdout.write(`[lab] score ${s.earned}/${s.total}\n`);
  } finally {
    unsubscribe();
  }
  return status;
}

/** Convenience for tests: one string with stdout and stderr interleaved, as a terminal shows them. */
export async function transcript(session: LabSession, clock: ScriptClock, lines: string[], opts: TranscriptOptions = {}): Promise<string> {
  let out = '';
  const sink: OutputSink = { write: (t) => void (out += t) };
  await runScript(session, clock, lines, sink, sink, opts);
  return out;
}

/**
 * The lab's stored solution as typed lines, each step's placeholders filled just before it
 * runs (`{{expected.TASK}}` is the value TASK accepts at that moment), for runScript.
 */
export async function* solutionLines(session: LabSession): AsyncGenerator<string> {
  for (const step of session.solution()) {
    for (const line of session.renderStep(step).split('\n')) yield line;
  }
}

/** Replays the lab's stored solution through `session`; returns the transcript and the lines typed. */
export async function solve(session: LabSession, clock: ScriptClock, opts: TranscriptOptions = {}): Promise<{ text: string; lines: string[] }> {
  let text = '';
  const typed: string[] = [];
  const sink: OutputSink = { write: (t) => void (text += t) };
  async function* record(): AsyncGenerator<string> {
    for await (const line of solutionLines(session)) {
      typed.push(line);
      yield line;
    }
  }
  await runScript(session, clock, record(), sink, sink, opts);
  return { text, lines: typed };
}
