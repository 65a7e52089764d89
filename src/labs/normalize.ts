/**
 * How a typed answer is compared with the expected one.
 *
 * Design notes: both the learner's text and the lab's expected value go through the same
 * normaliser into a canonical form, and two answers are equal when their canonical forms are
 * (or, for `decimal`, when they are within the tolerance). Each normaliser accepts the ways a
 * careful person writes the value and refuses the rest with a reason (`"10.244.1.0/33" is not
 * a CIDR block: the prefix length is at most 32`), which the grader shows. Quotes around an
 * answer and surrounding blanks are ignored everywhere.
 * - `ip`: a dotted quad (leading zeros refused, as inet_pton refuses them).
 * - `cidr`: `a.b.c.d/n`; the address is masked to the prefix when compared (10.244.1.0/24 and
 *   10.244.1.7/24 name the same block), which the feedback points out.
 * - `mac`: six octets separated by `:` or `-`, any case, a leading zero optional.
 * - `number`: an integer, with optional sign; `0x` hex accepted as well.
 * - `decimal`: a decimal number, a fraction (`1/3`) or a percentage (`33.3%`); equal within
 *   `tolerance` (absolute, default 0.001), so `0.333` matches kube-proxy's `0.33333333349`.
 * - `hex`: hexadecimal with or without `0x`, any case, compared as a number (`0x0a1f` = `a1f`).
 * - `word`: case-insensitive text with runs of blanks collapsed.
 * - `set`: a list separated by commas or blanks, order-free and without repeats, each element
 *   normalised by the `element` normaliser.
 * - `regex`: the expected value is a regular expression the whole answer must match
 *   (case-insensitive); there is no canonical form.
 * - `path`: a message's way through the network graph (src/sim/graph.ts), as the names of the
 *   vertices it visits in order: `K8s-Pod(default/client) node-2/cni0 node-2/router lan
 *   node-1/router node-1/cni0 K8s-Pod(default/web-...)`. Blanks, commas, semicolons, `|`, lone
 *   dashes and arrows (`->`, `=>`, `→`, `>`) all separate names; case does not matter; `K8s-Pod(NAME)`
 *   means the pod in namespace default. A path that ends in a discard says so with a last word
 *   `discard` (or discarded, drop, dropped, lost) after the vertex that discards; a last
 *   `delivered` is allowed and changes nothing.
 * `display` turns a canonical form back into the way a learner writes the value (a dotted
 * quad, `0x1c46`), for feedback and for `{{expected.TASK}}` in solution steps.
 */
import { formatIp, parseIp } from '../sim/ipv4';

export type NormalizerName = 'ip' | 'cidr' | 'mac' | 'number' | 'decimal' | 'hex' | 'word' | 'set' | 'regex' | 'path';
export const NORMALIZERS: readonly NormalizerName[] = ['ip', 'cidr', 'mac', 'number', 'decimal', 'hex', 'word', 'set', 'regex', 'path'];

export type Normalized = { ok: true; value: string } | { ok: false; reason: string };

export interface CompareOptions {
  normalize: NormalizerName;
  /** `decimal`: the largest difference still equal (default 0.001). */
  tolerance?: number;
  /** `set`: how each element is normalised (default `word`). */
  element?: Exclude<NormalizerName, 'set' | 'regex'>;
}

/** The text without surrounding blanks and one pair of surrounding quotes. */
export function clean(text: string): string {
  const t = text.trim();
  const m = /^(["'`])(.*)\1$/s.exec(t);
  return (m ? m[2]! : t).trim();
}

/** The canonical form of `text` under `how`. */
export function normalize(text: string, opts: CompareOptions): Normalized {
  const v = clean(text);
  switch (opts.normalize) {
    case 'ip': {
      if (/(^|\.)0\d/.test(v)) return { ok: false, reason: `"${v}" is not an IPv4 address: leading zeros are not allowed` };
      const ip = parseIp(v);
      return ip === undefined ? { ok: false, reason: `"${v}" is not an IPv4 address (four numbers from 0 to 255, such as 10.244.1.3)` } : { ok: true, value: String(ip) };
    }
    case 'cidr': {
      const m = /^([\d.]+)\/(\d{1,2})$/.exec(v);
      const ip = m ? parseIp(m[1]!) : undefined;
      if (!m || ip === undefined) return { ok: false, reason: `"${v}" is not a CIDR block (an address, a slash and a prefix length, such as 10.244.1.0/24)` };
      const len = Number(m[2]);
      if (len > 32) return { ok: false, reason: `"${v}" is not a CIDR block: the prefix length is at most 32` };
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      return { ok: true, value: `${(ip & mask) >>> 0}/${len}` };
    }
    case 'mac': {
      const parts = v.split(/[:-]/);
      if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return { ok: false, reason: `"${v}" is not a MAC address (six hex octets, such as 02:42:ac:11:00:02)` };
      return { ok: true, value: parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':') };
    }
    case 'number': {
      if (/^[+-]?\d+$/.test(v)) return { ok: true, value: String(Number(v)) };
      if (/^0x[0-9a-f]+$/i.test(v)) return { ok: true, value: String(parseInt(v.slice(2), 16)) };
      return { ok: false, reason: `"${v}" is not a whole number` };
    }
    case 'hex': {
      const m = /^(?:0x)?([0-9a-f]+)$/i.exec(v.replace(/\s+/g, ''));
      if (!m) return { ok: false, reason: `"${v}" is not a hexadecimal number (such as 0x1c46 or 1c46)` };
      return { ok: true, value: BigInt(`0x${m[1]}`).toString() };
    }
    case 'decimal': {
      const n = decimalValue(v);
      return n === undefined ? { ok: false, reason: `"${v}" is not a number (write it as 0.25, 1/4 or 25%)` } : { ok: true, value: String(n) };
    }
    case 'word':
      return v === '' ? { ok: false, reason: 'the answer is empty' } : { ok: true, value: v.toLowerCase().replace(/\s+/g, ' ') };
    case 'set': {
      const items = v.split(/[\s,;]+/).filter(Boolean);
      if (items.length === 0) return { ok: false, reason: 'the answer is empty' };
      const out = new Set<string>();
      for (const item of items) {
        const n = normalize(item, { normalize: opts.element ?? 'word' });
        if (!n.ok) return n;
        out.add(n.value);
      }
      return { ok: true, value: [...out].sort().join(',') };
    }
    case 'regex':
      return v === '' ? { ok: false, reason: 'the answer is empty' } : { ok: true, value: v };
    case 'path':
      return normalizePath(v);
  }
}

const DISCARD_WORDS = new Set(['discard', 'discarded', 'drop', 'dropped', 'lost']);
const DELIVER_WORDS = new Set(['deliver', 'delivered']);
/** A vertex name: `node-1/cni0`, `lan`, `gateway`, or a process written `K8s-Pod(NAMESPACE/NAME)`, `K8s-Node(NAME)`. */
const VERTEX = /^[a-z0-9](?:[a-z0-9._/-]*[a-z0-9])?$/;
const PROCESS = /^(k8s-pod|k8s-node)\(([a-z0-9](?:[a-z0-9._/-]*[a-z0-9])?)\)$/;
const PATH_EXAMPLE = 'such as K8s-Pod(default/client), node-1/cni0, node-1/router or lan';

/** The canonical form of a path: lower-case vertex names one blank apart, then ` discard` if it ends in one. */
function normalizePath(text: string): Normalized {
  const spaced = text
    .replace(/\b(k8s-(?:pod|node))\s*\(\s*/gi, '$1(')
    .replace(/\s+\)/g, ')')
    .replace(/-+>|=+>|[→⟶➜>,;|]/g, ' ')
    .toLowerCase();
  const words = spaced
    .split(/\s+/)
    .filter((w) => w !== '' && !/^[-=]+$/.test(w))
    .map((w) => w.replace(/^\((\w+)\)$/, '$1'));
  if (words.length === 0) return { ok: false, reason: 'the answer is empty' };
  let discard = false;
  const last = words[words.length - 1]!;
  if (DISCARD_WORDS.has(last)) {
    discard = true;
    words.pop();
  } else if (DELIVER_WORDS.has(last)) words.pop();
  if (words.length === 0) return { ok: false, reason: `"${text}" names no vertex: write the vertices the message visits, ${PATH_EXAMPLE}` };
  const out: string[] = [];
  for (const w of words) {
    if (DISCARD_WORDS.has(w) || DELIVER_WORDS.has(w)) return { ok: false, reason: `"${w}" can only be the last word, after the vertex where the message ends` };
    const m = PROCESS.exec(w);
    if (m) out.push(`${m[1]}(${m[1] === 'k8s-pod' && !m[2]!.includes('/') ? `default/${m[2]}` : m[2]})`);
    else if (VERTEX.test(w) && !w.includes('(')) out.push(w);
    else return { ok: false, reason: `"${w}" is not the name of a vertex (${PATH_EXAMPLE})` };
  }
  return { ok: true, value: `${out.join(' ')}${discard ? ' discard' : ''}` };
}

function decimalValue(v: string): number | undefined {
  const t = v.replace(/\s+/g, '');
  let m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i.exec(t);
  if (m) return Number(m[1]);
  m = /^([+-]?\d+)\/(\d+)$/.exec(t);
  if (m && Number(m[2]) !== 0) return Number(m[1]) / Number(m[2]);
  m = /^([+-]?(?:\d+\.?\d*|\.\d+))%$/.exec(t);
  if (m) return Number(m[1]) / 100;
  return undefined;
}

/**
 * True when `given` (already normalised) equals `expected` (raw, as the lab writes it; for
 * `regex` a pattern). `expected` is normalised with the same options.
 */
export function matches(given: string, expected: string, opts: CompareOptions): boolean {
  if (opts.normalize === 'regex') {
    try {
      return new RegExp(`^(?:${expected})$`, 'i').test(given);
    } catch {
      return false;
    }
  }
  const e = normalize(expected, opts);
  if (!e.ok) return false;
  if (opts.normalize === 'decimal') return Math.abs(Number(given) - Number(e.value)) <= (opts.tolerance ?? 0.001) + 1e-12;
  return given === e.value;
}

/** A canonical value as a learner writes it; it normalises back to the same canonical value. */
export function display(canonical: string, opts: CompareOptions): string {
  switch (opts.normalize) {
    case 'ip':
      return formatIp(Number(canonical) >>> 0);
    case 'cidr': {
      const [addr, len] = canonical.split('/');
      return `${formatIp(Number(addr) >>> 0)}/${len}`;
    }
    case 'hex':
      return `0x${BigInt(canonical).toString(16).padStart(4, '0')}`;
    case 'set':
      return canonical
        .split(',')
        .map((v) => display(v, { normalize: opts.element ?? 'word' }))
        .join(',');
    case 'path': {
      const words = canonical.split(' ');
      const discard = words[words.length - 1] === 'discard';
      if (discard) words.pop();
      const named = words.map((w) => w.replace(/^k8s-pod\(/, 'K8s-Pod(').replace(/^k8s-node\(/, 'K8s-Node('));
      return `${named.join(' → ')}${discard ? ', discarded' : ''}`;
    }
    default:
      return canonical;
  }
}

/** Problems with an expected value as a lab writes it (checked when the lab is defined). */
export function expectedProblem(expected: string, opts: CompareOptions): string | undefined {
  if (expected.includes('{{')) return undefined; // filled per session; checked by the self-test
  if (opts.normalize === 'regex') {
    try {
      new RegExp(expected);
      return undefined;
    } catch (e) {
      return `invalid regular expression: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const n = normalize(expected, opts);
  return n.ok ? undefined : n.reason;
}
