/**
 * IPv4 addresses and CIDR prefixes as plain numbers.
 *
 * Design notes: an address is an unsigned 32-bit integer (network byte order read as a
 * big-endian number), so it serialises as JSON and compares with `===`. A prefix is an
 * address plus a length. Parsing is strict dotted-quad (no octal or shortened forms,
 * which inet_aton accepts but kubectl and iproute2 users never type).
 */

export type Ip = number;

export interface Cidr {
  /** Network address (host bits cleared). */
  readonly addr: Ip;
  /** Prefix length, 0-32. */
  readonly len: number;
}

/**
 * Parses a dotted quad; returns undefined when the text is not one: four decimal octets of
 * 0-255, no leading zeros, nothing else (read character by character: it runs for every
 * address of every Service endpoint).
 */
export function parseIp(text: string): Ip | undefined {
  let n = 0;
  let i = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (text.charCodeAt(i) !== 46) return undefined; // '.'
      i++;
    }
    const start = i;
    let v = 0;
    for (; i < text.length && i - start < 4; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || v > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return undefined;
    n = n * 256 + v;
  }
  return i === text.length ? n >>> 0 : undefined;
}

export function ip(text: string): Ip {
  const v = parseIp(text);
  if (v === undefined) throw new Error(`invalid IPv4 address: ${text}`);
  return v;
}

export function formatIp(a: Ip): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function maskOf(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Parses `a.b.c.d/len` (a bare address means /32). Host bits must be clear unless `loose`. */
export function parseCidr(text: string, loose = false): Cidr | undefined {
  const [a, l, ...rest] = text.split('/');
  if (rest.length > 0 || a === undefined) return undefined;
  const addr = parseIp(a);
  if (addr === undefined) return undefined;
  let len = 32;
  if (l !== undefined) {
    if (!/^(3[0-2]|[12]?\d)$/.test(l)) return undefined;
    len = Number(l);
  }
  const net = (addr & maskOf(len)) >>> 0;
  if (!loose && net !== addr) return undefined;
  return { addr: net, len };
}

export function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`invalid CIDR: ${text}`);
  return c;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.addr)}/${c.len}`;
}

export function contains(c: Cidr, a: Ip): boolean {
  return ((a & maskOf(c.len)) >>> 0) === c.addr;
}

/** True when the two prefixes share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const len = Math.min(a.len, b.len);
  const m = maskOf(len);
  return ((a.addr & m) >>> 0) === ((b.addr & m) >>> 0);
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.len);
}

export function broadcast(c: Cidr): Ip {
  return (c.addr | ~maskOf(c.len)) >>> 0;
}

/** The address `n` places after the network address (n may be 0). */
export function nth(c: Cidr, n: number): Ip {
  if (n < 0 || n >= size(c)) throw new RangeError(`offset ${n} outside ${formatCidr(c)}`);
  return (c.addr + n) >>> 0;
}

/**
 * Splits `parent` into consecutive subnets of length `len` and returns the `index`th one
 * (10.244.0.0/16 split by /24: index 0 -> 10.244.0.0/24, 1 -> 10.244.1.0/24, ...).
 */
export function subnet(parent: Cidr, len: number, index: number): Cidr {
  if (len < parent.len || len > 32) throw new RangeError(`cannot split /${parent.len} into /${len}`);
  const count = 2 ** (len - parent.len);
  if (index < 0 || index >= count) throw new RangeError(`subnet ${index} outside ${formatCidr(parent)}`);
  return { addr: (parent.addr + index * 2 ** (32 - len)) >>> 0, len };
}

/** The four bytes of an address, most significant first. */
export function ipBytes(a: Ip): [number, number, number, number] {
  return [(a >>> 24) & 255, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];
}
