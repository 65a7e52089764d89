/**
 * Sessions for tests: a lab (or a free sandbox) on a script clock, and a `run` that returns
 * what one command wrote and its status.
 *
 * Design notes: the tests drive the same LabSession as the browser and the CLI; this module
 * only saves each test file from building it by hand. `run` marks the start of each command
 * on the ScriptClock, so a command that would never end is interrupted as in `npm run shell`.
 * ManualClock is for tests that watch a long-running command: its sleepers wake only when the
 * test moves time on. Only tests import this file.
 */
import type { Scheduler } from '../../src/sim/clock';
import { REFERENCE_TIME } from '../../src/labs/catalog';
import { LabSession } from '../../src/labs/session';
import { ScriptClock } from '../../src/labs/transcript';

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

export interface TestSessionOptions {
  /** A lab id (default `three-pools`). */
  lab?: string;
  /** A topology for a free sandbox instead of a lab (src/sim/topologies.ts). */
  topology?: string;
  seed?: number;
  /** Sandbox time after which a running command is interrupted (ScriptClock's default: 30 s). */
  interruptAfterMs?: number;
}

export function openSession(opts: TestSessionOptions = {}): { session: LabSession; clock: ScriptClock; run: (line: string) => Promise<RunResult> } {
  const clock = new ScriptClock(REFERENCE_TIME, opts.interruptAfterMs);
  const seed = opts.seed ?? 1;
  const session = opts.topology ? LabSession.createPlayground({ topology: opts.topology, seed, scheduler: clock }) : LabSession.create({ labId: opts.lab ?? 'three-pools', seed, scheduler: clock });
  const run = async (line: string): Promise<RunResult> => {
    let stdout = '';
    let stderr = '';
    clock.beginCommand(() => session.interrupt());
    const status = await session.run(line, { write: (t) => void (stdout += t) }, { write: (t) => void (stderr += t) });
    return { stdout, stderr, status };
  };
  return { session, clock, run };
}

/** A clock the test moves by hand: sleepers wake only when it passes their time. */
export class ManualClock implements Scheduler {
  private waiters: { at: number; resolve: () => void }[] = [];
  constructor(private t: number = REFERENCE_TIME) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ at: this.t + ms, resolve }));
  }
  /** Moves time on by `ms`, wakes the sleepers due, and lets the woken commands run. */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.waiters.filter((w) => w.at <= this.t);
    this.waiters = this.waiters.filter((w) => w.at > this.t);
    for (const w of due) w.resolve();
    await new Promise((r) => setTimeout(r, 0));
  }
}
