/**
 * Generated names and identifiers, as the Kubernetes controllers make them.
 *
 * Design notes: apimachinery's rand.String draws from `bcdfghjklmnpqrstvwxz2456789` (no
 * vowels, no look-alike characters), so pod suffixes are 5 such characters. A ReplicaSet's
 * name ends in the pod-template-hash: the FNV-32a hash of the pod template, printed in
 * decimal and passed through SafeEncodeString, which maps the digits 0-9 to 4-9,b,c,d,f.
 * The real controller hashes a spew dump of the Go struct; the sandbox hashes a canonical
 * JSON of the template, so the same template always gives the same hash, but not the hash
 * a real cluster would print. Everything random comes from the seeded RNG.
 */
import type { Rng } from '../rng';

export const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(rng: Rng, n = 5): string {
  return rng.string(NAME_ALPHABET, n);
}

/** apimachinery's SafeEncodeString: each byte -> alphabet[byte % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += NAME_ALPHABET[s.charCodeAt(i) % NAME_ALPHABET.length];
  return out;
}

export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function podTemplateHash(template: unknown): string {
  return safeEncodeString(String(fnv32a(canonicalJson(template))));
}

/** A random (version 4) UUID drawn from the seeded RNG. */
export function uuid(rng: Rng): string {
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += rng.int(16).toString(16);
    return s;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[rng.int(4)]}${hex(3)}-${hex(12)}`;
}

/** The host side of a pod's veth pair: `veth` + 8 hex characters, as the CNI bridge plugin names it. */
export function vethName(rng: Rng): string {
  let s = 'veth';
  for (let i = 0; i < 8; i++) s += rng.int(16).toString(16);
  return s;
}

/** A containerd container id: 64 hex characters. */
export function containerId(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += rng.int(16).toString(16);
  return s;
}
