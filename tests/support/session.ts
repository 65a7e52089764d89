/**
 * Sessions for tests: a lab (or a free sandbox) on a script clock, and a `run` that returns
 * what one command wrote and its status.
 *
 * Design notes: the tests drive the same LabSession as the browser and the CLI; this module
 * only saves each test file from building it by hand. Labs come from tests/fixtures/labs (the
 * default is `fixture-web`: three nodes, a web Deployment and Service, a busybox client), or
 * are given as a definition. `run` marks the start of each command on the ScriptClock, so a
 * command that would never end is interrupted as in `npm run shell`. ManualClock is for tests
 * that watch a long-running command: its sleepers wake only when the test moves time on. Only
 * tests import this file.
 */
import type { Scheduler } from '../../src/sim/clock';
import { REFERENCE_TIME } from '../../src/labs/catalog';
import type { LabDefinition } from '../../src/labs/schema';
import { LabSession } from '../../src/labs/session';
import { ScriptClock } from '../../src/labs/transcript';
import { testLab } from '../fixtures/labs/index';

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

export interface TestSessionOptions {
  /** A fixture lab's id, or a definition (default `fixture-web`). */
  lab?: string | LabDefinition;
  /** A topology for a free sandbox instead of a lab (src/sim/topologies.ts). */
  topology?: string;
  seed?: number;
  /** Sandbox time after which a command that never ends is interrupted (ScriptClock's default: 30 s). */
  interruptAfterMs?: number;
}

export interface TestSession {
  session: LabSession;
  clock: ScriptClock;
  run: (line: string) => Promise<RunResult>;
}

export async function openSession(opts: TestSessionOptions = {}): Promise<TestSession> {
  const clock = new ScriptClock(REFERENCE_TIME, opts.interruptAfterMs);
  const seed = opts.seed ?? 1;
  const lab = opts.topology ? testLab(`playground-${opts.topology}`) : typeof opts.lab === 'object' ? opts.lab : testLab(opts.lab ?? 'fixture-web');
  const session = await LabSession.create({ lab, seed, scheduler: clock });
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

/** A session of a fixture lab (by id) or of a definition, on `scheduler`. */
export function labSession(opts: { lab: string | LabDefinition; seed: number; scheduler: Scheduler }): Promise<LabSession> {
  return LabSession.create({ lab: typeof opts.lab === 'string' ? testLab(opts.lab) : opts.lab, seed: opts.seed, scheduler: opts.scheduler });
}

/** A free sandbox on a named topology, on `scheduler`. */
export function playgroundSession(opts: { topology: string; seed: number; scheduler: Scheduler }): Promise<LabSession> {
  return LabSession.create({ lab: testLab(`playground-${opts.topology}`), seed: opts.seed, scheduler: opts.scheduler });
}
