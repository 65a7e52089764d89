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
import type { PodTemplate } from './types';

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
  const out: string[] = [];
  hexInto(out, rng, 8);
  out.push('-');
  hexInto(out, rng, 4);
  out.push('-4');
  hexInto(out, rng, 3);
  out.push('-', '89ab'[rng.int(4)]!);
  hexInto(out, rng, 3);
  out.push('-');
  hexInto(out, rng, 12);
  return out.join('');
}

const HEX = '0123456789abcdef';

/**
 * Appends `n` random lower-case hex digits. Identifiers are joined from such arrays rather than
 * grown a character at a time, which would keep every intermediate string alive inside the
 * result (about 1.7 KB for a 64-digit container id, in each of 15,000 pods).
 */
function hexInto(out: string[], rng: Rng, n: number): void {
  for (let i = 0; i < n; i++) out.push(HEX[rng.int(16)]!);
}

function hexDigits(rng: Rng, n: number): string {
  const out: string[] = [];
  hexInto(out, rng, n);
  return out.join('');
}

/** The host side of a pod's veth pair: `veth` + 8 hex characters, as the CNI bridge plugin names it. */
export function vethName(rng: Rng): string {
  return 'veth' + hexDigits(rng, 8);
}

/** A containerd container id: 64 hex characters. */
export function containerId(rng: Rng): string {
  return hexDigits(rng, 64);
}

/** The `controller-revision-hash` label of a DaemonSet's current template, which its up-to-date pods carry. */
export function daemonSetHash(ds: { spec: { template: PodTemplate } }): string {
  return podTemplateHash(ds.spec.template).slice(0, 8);
}
