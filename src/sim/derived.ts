/**
 * Caches of values derived from a sandbox state, kept beside the state rather than in it.
 *
 * Design notes: the state is plain JSON, so what is only worked out from it (Felix's record of
 * the inputs it last rendered, a certificate made once per cluster) lives in a WeakMap keyed by
 * the state object and dies with it. A state copied whole (`Sim.restore` of a live state, the
 * grader's scratch sandbox for a probe) is the same state, so `carryDerived` gives the copy
 * every registered cache's entry: a probe does not render Felix's rules for a cluster whose
 * rules are already written. A restored snapshot from storage has no entries and works
 * everything out again, as before. Only caches whose value depends on nothing but the state
 * may register.
 */
import type { SimState } from './state';

const registered: WeakMap<SimState, unknown>[] = [];

/** A cache of values derived from a state, carried to exact copies of it. */
export function derivedCache<V>(): WeakMap<SimState, V> {
  const m = new WeakMap<SimState, V>();
  registered.push(m as WeakMap<SimState, unknown>);
  return m;
}

/** Gives `copy`, a whole copy of `from`, every registered cache's entry of `from`. */
export function carryDerived(from: SimState, copy: SimState): void {
  for (const m of registered) {
    if (m.has(from)) m.set(copy, m.get(from));
  }
}
