/**
 * The bounds on what commands may write.
 *
 * Design notes: every command's stdout and stderr pass through `boundedPair` (the shell wraps
 * them when it runs the command), so the bounds hold for whatever a command writes: to the
 * terminal, into a pipe, into a file or a `$(...)`. One command may write COMMAND_OUTPUT_LIMIT
 * characters (16 MiB): the write that crosses it is cut there, the terminal gets one line on
 * stderr saying so, and the command ends with status 1 (the rest of a pipeline goes on with
 * what it got: `printf '%999999999s' | wc -c` counts 16777216). The commands of one line may
 * write LINE_OUTPUT_LIMIT (64 MiB) together; crossing it stops the whole line as Ctrl+C
 * would. The real tools have no such bounds (bash's `printf '%999999999s'` prints a
 * gigabyte); the sandbox keeps its memory and the browser tab alive instead.
 * A write into a sandbox file that does not fit its bounds (sandbox-fs.ts) fails as the real
 * write(2) does: the command stops with `CMD: write error: No space left on device` (bash's
 * builtins: `bash: echo: write error: ...`) and status 1; on stderr the failure is silent.
 */
import type { OutputSink } from './command';
import { CommandError } from './errors';
import { FileLimitError } from './sandbox-fs';

/** Characters one command may write. */
export const COMMAND_OUTPUT_LIMIT = 16 * 1024 * 1024;
/** Characters the commands of one line may write together. */
export const LINE_OUTPUT_LIMIT = 64 * 1024 * 1024;
/** What printf and the like may build before the bound cuts it. */
export const OUTPUT_LIMIT = COMMAND_OUTPUT_LIMIT;

/** Thrown out of a write that crossed a command's bound: the shell ends the command with status 1. */
export class OutputLimitStop {}

export class OutputBudget {
  used = 0;
  exceeded = false;
  constructor(
    /** Where the notices go: the terminal's stderr. */
    private readonly terminal: OutputSink,
    /** Stops the line (the shell's interrupt). */
    private readonly stop: () => void,
  ) {}

  notice(what: string, limit: number, label: string): void {
    this.terminal.write(`\nsandbox: output stopped: ${what} may write at most ${label} (${limit} characters) here\n`);
  }

  exceed(): void {
    if (this.exceeded) return;
    this.exceeded = true;
    this.notice('a command line', LINE_OUTPUT_LIMIT, '64 MiB');
    this.stop();
  }
}

const BOUNDED = Symbol('bounded');

/**
 * A command's stdout and stderr, counted against its own bound and the line's `budget`.
 * `writer` names the command in a write error (`cat`, or `bash: echo` for a builtin).
 */
export function boundedPair(stdout: OutputSink, stderr: OutputSink, budget: OutputBudget, writer: string): [OutputSink, OutputSink] {
  const mine = { used: 0, stopped: false };
  const wrap = (sink: OutputSink, quiet: boolean): OutputSink => {
    // A command run by another (kubectl exec) writes within the outer command's bound.
    if ((sink as { [BOUNDED]?: boolean })[BOUNDED]) return sink;
    let failed = false;
    return {
      [BOUNDED]: true,
      write(t: string): void {
        if (budget.exceeded || mine.stopped || failed) return;
        const room = Math.max(0, Math.min(COMMAND_OUTPUT_LIMIT - mine.used, LINE_OUTPUT_LIMIT - budget.used));
        const text = t.length > room ? t.slice(0, room) : t;
        mine.used += text.length;
        budget.used += text.length;
        try {
          if (text !== '') sink.write(text);
        } catch (e) {
          if (!(e instanceof FileLimitError)) throw e;
          failed = true;
          if (!quiet) throw new CommandError('EXEC_FAILED', `${writer}: write error: ${e.message}`, 1);
        }
        if (text.length === t.length) return;
        mine.stopped = true;
        if (budget.used >= LINE_OUTPUT_LIMIT) budget.exceed();
        else budget.notice('a command', COMMAND_OUTPUT_LIMIT, '16 MiB');
        throw new OutputLimitStop();
      },
    } as OutputSink;
  };
  return [wrap(stdout, false), wrap(stderr, true)];
}
