/**
 * Daemons that program a machine's kernel: what runs before packets move.
 *
 * Design notes: on a real host, programs such as a service proxy write netfilter rules, IPVS
 * virtual servers and ipsets from inputs the kernel knows nothing about (an API server's
 * objects). The Linux data path (forward.ts) only reads what they wrote; it cannot import
 * them. Instead each such program registers a catch-up function here, and inject() runs them
 * all before the first packet moves, with the time of the packet, so the kernel state is
 * current. The registry lives in the module, outside the JSON state (functions are not
 * data): a higher floor registers on import, and every entry point that builds or restores a
 * sandbox imports that floor.
 * Left out: ordering between daemons (they run in registration order).
 */
import type { SimState } from './state';

/** Brings the kernel state a daemon owns up to date; `now` is epoch ms when known. */
export type Daemon = (state: SimState, now?: number) => void;

const DAEMONS: Daemon[] = [];

/** Registers a daemon once (registering the same function again does nothing). */
export function registerDaemon(d: Daemon): void {
  if (!DAEMONS.includes(d)) DAEMONS.push(d);
}

/** Runs every registered daemon: called before packets move. */
export function runDaemons(state: SimState, now?: number): void {
  for (const d of DAEMONS) d(state, now);
}
