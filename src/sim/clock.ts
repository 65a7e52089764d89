/**
 * Time in the sandbox.
 *
 * Design notes: the sandbox never reads the wall clock. Time is milliseconds since the Unix
 * epoch, read from an injected Clock. Commands that take time (ping's one-second interval,
 * sleep) ask a Scheduler to wait: the headless scheduler advances a virtual clock at once, so
 * transcripts are deterministic; the browser's scheduler waits for real time and moves the
 * virtual clock with it. Both satisfy the same interface, so commands do not know which one
 * they run under.
 */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface Scheduler extends Clock {
  /** Resolves after `ms` of sandbox time; the clock has advanced by `ms` when it does. */
  sleep(ms: number): Promise<void>;
  /**
   * The running command will not end by itself (ping without -c, a watch): a scripted
   * session stops it once it has run for its limit. Other schedulers ignore it.
   */
  endless?(): void;
}

/** A clock that moves only when told to. */
export class VirtualClock implements Scheduler {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    if (ms > 0) this.t += ms;
  }
  set(t: number): void {
    this.t = t;
  }
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
  endless(): void {}
}
