/**
 * A seeded pseudo-random number generator with serialisable state.
 *
 * Design notes: the sandbox never uses the platform's random source. Every random choice
 * (MAC addresses, generated names, veth names, round-trip times, kube-proxy's statistic match) draws from
 * one of these, so the same seed and the same commands give the same output. The algorithm
 * is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator): four 32-bit words of state,
 * which live inside the sandbox's JSON state so a snapshot resumes the exact sequence.
 */

export type RngState = [number, number, number, number];

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** `n` characters drawn from `alphabet`. */
  string(alphabet: string, n: number): string;
}

/** Seeds a state from a 32-bit number (splitmix32 spreads the seed over the four words). */
export function seedState(seed: number): RngState {
  let s = seed >>> 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    words.push((z ^ (z >>> 16)) >>> 0);
  }
  const st = words as RngState;
  // Discard the first outputs, as sfc32's author recommends.
  const r = rngOver(st);
  for (let i = 0; i < 12; i++) r.next();
  return st;
}

/** An Rng that reads and advances `state` in place. */
export function rngOver(state: RngState): Rng {
  return new Sfc32(state);
}

class Sfc32 implements Rng {
  constructor(private readonly s: RngState) {}

  private u32(): number {
    const st = this.s;
    const a = st[0];
    const b = st[1];
    const c = st[2];
    const d = st[3];
    const t = (((a + b) >>> 0) + d) >>> 0;
    st[3] = (d + 1) >>> 0;
    st[0] = (b ^ (b >>> 9)) >>> 0;
    st[1] = (c + (c << 3)) >>> 0;
    st[2] = ((((c << 21) | (c >>> 11)) >>> 0) + t) >>> 0;
    return t;
  }

  next(): number {
    return this.u32() / 4294967296;
  }

  int(n: number): number {
    if (!(n > 0)) throw new RangeError(`rng.int(${n})`);
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('rng.pick of an empty array');
    return items[this.int(items.length)]!;
  }

  string(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

/**
 * An independent generator for one purpose, derived from the sandbox's seed and a stable label
 * (`mac:node/node-1/eth0`, `name:default/web-7788985cd4-#0`). Names, MACs and addresses drawn
 * this way depend only on the seed and on what they belong to, not on how many other random
 * choices were made before, so adding a feature does not rename every pod.
 */
export function deriveRng(seed: number, label: string): Rng {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= Math.imul(seed >>> 0, 0x9e3779b1) >>> 0;
  return rngOver(seedState(h >>> 0));
}
