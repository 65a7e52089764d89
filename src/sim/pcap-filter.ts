/**
 * Capture filters in the pcap-filter(7) language, parsed to an AST and matched against frames.
 *
 * Design notes: the grammar is libpcap's (grammar.y), reduced to the primitives a learner uses
 * to watch cluster traffic: `[proto] [dir] [type] id` with proto `ether`, `ip`, `arp`, `tcp`,
 * `udp`, `icmp`, dir `src`, `dst`, `src or dst`, `src and dst`, type `host`, `net` (CIDR, a
 * dotted prefix such as `10.244`, or `mask`), `port`, `portrange`; the protocols alone (`icmp`,
 * `arp`...); `ip proto N`, `less N`, `greater N`, `broadcast`; `not`/`!`, `and`/`&&`,
 * `or`/`||` and parentheses. As in libpcap, `and` and `or` have the same precedence and group
 * from the left, `not` binds tightest, and a bare value after `and`/`or` reuses the
 * qualifiers of the primitive before it (`port 80 or 443`, `host a or b`).
 * Matching follows the code libpcap generates: `host X` matches IPv4 source or destination
 * and the ARP sender or target address; `port N` matches TCP or UDP in an unfragmented
 * packet or a first fragment; matching is on the outer headers only, so on a node's eth0
 * `icmp` does not match a ping carried inside flannel's VXLAN packets (`udp port 8472` does).
 * Errors carry libpcap 1.10's messages (`can't parse filter expression: syntax error`,
 * `unknown host 'x'`, `illegal port number 99999 > 65535`, ...). Host and port names are
 * resolved through callbacks, so the caller decides what DNS and /etc/services say.
 * Left out (reported as not supported): byte-offset expressions (`tcp[13] & 2 != 0`), IPv6,
 * VLAN/MPLS, `gateway`, `multicast`; the optimizer's "expression rejects all packets" check.
 */
import { formatIp, parseIp, type Ip } from './ipv4';

export type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst';
export type Proto = 'ether' | 'ip' | 'arp' | 'tcp' | 'udp' | 'icmp';

export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'proto'; proto: Exclude<Proto, 'ether'> }
  | { kind: 'ipproto'; proto: number }
  | { kind: 'host'; proto?: 'ip' | 'arp'; dir: Dir; addr: Ip }
  | { kind: 'net'; proto?: 'ip' | 'arp'; dir: Dir; addr: Ip; mask: number }
  | { kind: 'ether'; dir: Dir; mac: string }
  | { kind: 'port'; proto?: 'tcp' | 'udp'; dir: Dir; from: number; to: number }
  | { kind: 'len'; op: '<=' | '>='; value: number }
  | { kind: 'broadcast' };

/** A filter libpcap would refuse, with its message (tcpdump prints `tcpdump: <message>`). */
export class FilterError extends Error {
  override name = 'FilterError';
  constructor(
    message: string,
    /** True for a valid pcap expression this sandbox does not model. */
    readonly unsupported = false,
  ) {
    super(message);
  }
}

export interface FilterResolvers {
  /** The address of a host name, as the capturing machine resolves it. */
  host?(name: string): Ip | undefined;
  /** The port of a service name (/etc/services). */
  port?(name: string): number | undefined;
}

const SYNTAX = "can't parse filter expression: syntax error";

const PROTOS = new Set(['ether', 'ip', 'arp', 'tcp', 'udp', 'icmp']);
const UNSUPPORTED = new Set(['ip6', 'icmp6', 'rarp', 'sctp', 'vlan', 'mpls', 'pppoed', 'pppoes', 'geneve', 'gateway', 'multicast', 'atalk', 'decnet', 'iso', 'stp', 'ipx', 'netbeui', 'wlan', 'link', 'fddi', 'tr', 'ppp', 'slip', 'radio', 'llc', 'inbound', 'outbound', 'ifname', 'on', 'rnr', 'reason', 'action', 'protochain', 'len']);

type Token = { t: 'word'; v: string } | { t: 'op'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '!=' || two === '<=' || two === '>=' || two === '<<' || two === '>>') {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if (OPERATOR_CHARS.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    // Words keep '.', ':', '/' and '-': addresses, CIDRs, MACs and port ranges.
    let j = i;
    while (j < text.length && !/\s/.test(text[j]!) && !OPERATOR_CHARS.includes(text[j]!)) j++;
    out.push({ t: 'word', v: text.slice(i, j) });
    i = j;
  }
  return out;
}

const OPERATOR_CHARS = '()!&|[]<>=+*%^';

interface Qualifiers {
  proto?: Proto;
  dir?: Dir;
  type?: 'host' | 'net' | 'port' | 'portrange';
}

/**
 * Parses `text` (tcpdump's arguments joined with spaces). An empty text gives undefined:
 * every packet passes. Throws FilterError.
 */
export function parseFilter(text: string, resolvers: FilterResolvers = {}): FilterExpr | undefined {
  const toks = tokenize(text);
  if (toks.length === 0) return undefined;
  let pos = 0;
  let last: Qualifiers | undefined;
  const peek = (): Token | undefined => toks[pos];
  const isWord = (v: string): boolean => toks[pos]?.t === 'word' && toks[pos]!.v === v;
  const isOp = (v: string): boolean => toks[pos]?.t === 'op' && toks[pos]!.v === v;
  const syntax = (): never => {
    throw new FilterError(SYNTAX);
  };

  function expr(): FilterExpr {
    let left = term();
    for (;;) {
      let op: 'and' | 'or' | undefined;
      if (isWord('and') || isOp('&&')) op = 'and';
      else if (isWord('or') || isOp('||')) op = 'or';
      if (!op) return left;
      pos++;
      // `expr and id`: a bare value reuses the qualifiers of the primitive before it.
      const right = bareValueAhead() && last ? primitiveValue(last) : term();
      left = { kind: op, left, right };
    }
  }

  function bareValueAhead(): boolean {
    const t = peek();
    if (!t || t.t !== 'word') return false;
    return !isKeyword(t.v);
  }

  function term(): FilterExpr {
    if (isWord('not') || isOp('!')) {
      pos++;
      return { kind: 'not', expr: term() };
    }
    if (isOp('(')) {
      pos++;
      const e = expr();
      if (!isOp(')')) syntax();
      pos++;
      return e;
    }
    return primitive();
  }

  function primitive(): FilterExpr {
    const t = peek();
    if (!t) return syntax();
    if (t.t === 'op') {
      if (t.v === '[' || t.v === '=' || t.v === '<' || t.v === '>') throw new FilterError('byte-offset filter expressions are not supported in this sandbox', true);
      return syntax();
    }
    const w = t.v.toLowerCase();
    if (w === 'less' || w === 'greater') {
      pos++;
      const n = peek();
      if (!n || n.t !== 'word' || !/^\d+$/.test(n.v)) return syntax();
      pos++;
      return { kind: 'len', op: w === 'less' ? '<=' : '>=', value: Number(n.v) };
    }
    if (w === 'broadcast') {
      pos++;
      return { kind: 'broadcast' };
    }
    if (UNSUPPORTED.has(w)) throw new FilterError(`'${w}' filters are not supported in this sandbox`, true);
    const q: Qualifiers = {};
    if (PROTOS.has(w)) {
      q.proto = w as Proto;
      pos++;
      if (toks[pos]?.t === 'op' && toks[pos]!.v === '[') throw new FilterError('byte-offset filter expressions are not supported in this sandbox', true);
      if (isWord('proto') && q.proto === 'ip') {
        pos++;
        const n = peek();
        if (!n || n.t !== 'word' || !/^\d+$/.test(n.v)) return syntax();
        pos++;
        return { kind: 'ipproto', proto: Number(n.v) };
      }
      if (isWord('broadcast') && q.proto === 'ether') {
        pos++;
        return { kind: 'broadcast' };
      }
    }
    if (isWord('src') || isWord('dst')) {
      const first = peek()!.v as 'src' | 'dst';
      pos++;
      if ((isWord('or') || isWord('and')) && (toks[pos + 1]?.v === 'src' || toks[pos + 1]?.v === 'dst') && toks[pos + 1]?.v !== first) {
        q.dir = isWord('or') ? 'src or dst' : 'src and dst';
        pos += 2;
      } else q.dir = first;
    }
    if (isWord('host') || isWord('net') || isWord('port') || isWord('portrange')) {
      q.type = peek()!.v as Qualifiers['type'];
      pos++;
    }
    if (q.type === undefined && q.dir === undefined) {
      if (q.proto && q.proto !== 'ether') return { kind: 'proto', proto: q.proto };
      if (q.proto === 'ether') return syntax();
      if (isWord('proto')) throw new FilterError(`'proto' filters are not supported in this sandbox`, true);
      return syntax();
    }
    if (!bareValueAhead()) return syntax();
    last = q;
    return primitiveValue(q);
  }

  function primitiveValue(q: Qualifiers): FilterExpr {
    const t = peek();
    if (!t || t.t !== 'word') return syntax();
    pos++;
    const value = t.v;
    const dir: Dir = q.dir ?? 'src or dst';
    const type = q.type ?? 'host';
    if (type === 'port' || type === 'portrange') {
      if (q.proto && q.proto !== 'tcp' && q.proto !== 'udp') throw new FilterError(`illegal qualifier of '${type}'`);
      const proto = q.proto as 'tcp' | 'udp' | undefined;
      const one = (s: string): number => {
        if (/^\d+$/.test(s)) {
          const n = Number(s);
          if (n > 65535) throw new FilterError(`illegal port number ${n} > 65535`);
          return n;
        }
        const p = resolvers.port?.(s);
        if (p === undefined) throw new FilterError(`unknown port '${s}'`);
        return p;
      };
      if (type === 'portrange') {
        const m = /^([^-]+)-([^-]+)$/.exec(value);
        if (!m) return syntax();
        const a = one(m[1]!);
        const b = one(m[2]!);
        return { kind: 'port', ...(proto ? { proto } : {}), dir, from: Math.min(a, b), to: Math.max(a, b) };
      }
      if (value.startsWith('-')) return syntax();
      const p = one(value);
      return { kind: 'port', ...(proto ? { proto } : {}), dir, from: p, to: p };
    }
    if (q.proto === 'ether') {
      if (type !== 'host') throw new FilterError(`illegal qualifier of '${type}'`);
      if (!/^([0-9a-f]{1,2}[:.-]){5}[0-9a-f]{1,2}$/i.test(value)) throw new FilterError('illegal link layer address');
      const mac = value.split(/[:.-]/).map((x) => x.toLowerCase().padStart(2, '0')).join(':');
      return { kind: 'ether', dir, mac };
    }
    if (q.proto === 'tcp' || q.proto === 'udp' || q.proto === 'icmp') throw new FilterError(`'${q.proto}' modifier applied to ${type}`);
    const proto = q.proto as 'ip' | 'arp' | undefined;
    if (type === 'net') {
      let mask: number | undefined;
      let addrText = value;
      const slash = value.indexOf('/');
      if (slash >= 0) {
        addrText = value.slice(0, slash);
        const len = value.slice(slash + 1);
        if (!/^\d+$/.test(len)) return syntax();
        if (Number(len) > 32) throw new FilterError('mask length must be <= 32');
        mask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
      } else if (isWord('mask')) {
        pos++;
        const m = peek();
        if (!m || m.t !== 'word') return syntax();
        pos++;
        const mm = parseIp(m.v);
        if (mm === undefined) throw new FilterError(`invalid IPv4 address '${m.v}'`);
        mask = mm;
      }
      const dotted = dottedPrefix(addrText);
      if (!dotted) {
        if (/^\d+(\.\d+){0,3}$/.test(addrText)) throw new FilterError(`invalid IPv4 address '${addrText}'`);
        throw new FilterError(`unknown network '${addrText}'`);
      }
      // A dotted prefix without a mask: 10.244 is 10.244.0.0/16.
      const addr = dotted.bits < 32 ? (dotted.addr << (32 - dotted.bits)) >>> 0 : dotted.addr;
      mask ??= (0xffffffff << (32 - dotted.bits)) >>> 0;
      if (((addr & ~mask) >>> 0) !== 0) throw new FilterError(slash >= 0 ? `non-network bits set in "${value}"` : `non-network bits set in "${addrText} mask ${formatIp(mask)}"`);
      return { kind: 'net', ...(proto ? { proto } : {}), dir, addr: addr >>> 0, mask };
    }
    // host
    if (value.includes('/')) throw new FilterError('Mask syntax for networks only');
    const dotted = dottedPrefix(value);
    let addr: Ip;
    if (dotted) addr = dotted.bits === 32 ? dotted.addr : (dotted.addr << (32 - dotted.bits)) >>> 0;
    else if (/^\d+(\.\d+){0,3}$/.test(value)) throw new FilterError(`invalid IPv4 address '${value}'`);
    else {
      const r = resolvers.host?.(value);
      if (r === undefined) throw new FilterError(`unknown host '${value}'`);
      addr = r;
    }
    return { kind: 'host', ...(proto ? { proto } : {}), dir, addr };
  }

  const e = expr();
  if (pos < toks.length) syntax();
  return e;
}

const KEYWORDS = new Set([
  'and', 'or', 'not', 'src', 'dst', 'host', 'net', 'port', 'portrange', 'mask', 'proto', 'less', 'greater', 'broadcast',
  ...PROTOS,
  ...UNSUPPORTED,
]);

function isKeyword(w: string): boolean {
  return KEYWORDS.has(w.toLowerCase());
}

/** 1 to 4 dotted decimal parts: the value and how many bits they give. */
function dottedPrefix(text: string): { addr: number; bits: number } | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){0,3}$/.test(text)) return undefined;
  const parts = text.split('.').map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  let addr = 0;
  for (const p of parts) addr = ((addr << 8) | p) >>> 0;
  return { addr, bits: parts.length * 8 };
}

// ------------------------------------------------------------------------------- matching

const u16 = (b: Uint8Array, o: number): number => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
const u32 = (b: Uint8Array, o: number): number => (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;

function macAt(b: Uint8Array, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push((b[o + i] ?? 0).toString(16).padStart(2, '0'));
  return parts.join(':');
}

function both(dir: Dir, s: boolean, d: boolean): boolean {
  switch (dir) {
    case 'src':
      return s;
    case 'dst':
      return d;
    case 'src or dst':
      return s || d;
    case 'src and dst':
      return s && d;
  }
}

/** True when the Ethernet frame `frame` passes the filter (no filter passes everything). */
export function matchFilter(e: FilterExpr | undefined, frame: Uint8Array): boolean {
  if (!e) return true;
  const type = u16(frame, 12);
  const isIp = type === 0x0800 && frame.length >= 34;
  const isArp = type === 0x0806 && frame.length >= 42;
  const ihl = isIp ? ((frame[14] ?? 0) & 15) * 4 : 0;
  const proto = isIp ? (frame[23] ?? 0) : -1;
  const firstFragment = isIp && (u16(frame, 20) & 0x1fff) === 0;
  const l4 = 14 + ihl;
  const ipSrc = isIp ? u32(frame, 26) : isArp ? u32(frame, 28) : 0;
  const ipDst = isIp ? u32(frame, 30) : isArp ? u32(frame, 38) : 0;
  const ok = (x: FilterExpr): boolean => {
    switch (x.kind) {
      case 'and':
        return ok(x.left) && ok(x.right);
      case 'or':
        return ok(x.left) || ok(x.right);
      case 'not':
        return !ok(x.expr);
      case 'proto':
        if (x.proto === 'ip') return isIp;
        if (x.proto === 'arp') return isArp;
        return isIp && proto === (x.proto === 'tcp' ? 6 : x.proto === 'udp' ? 17 : 1);
      case 'ipproto':
        return isIp && proto === x.proto;
      case 'host':
      case 'net': {
        const mask = x.kind === 'net' ? x.mask : 0xffffffff;
        const layerOk = x.proto === 'ip' ? isIp : x.proto === 'arp' ? isArp : isIp || isArp;
        if (!layerOk) return false;
        return both(x.dir, ((ipSrc & mask) >>> 0) === x.addr, ((ipDst & mask) >>> 0) === x.addr);
      }
      case 'ether':
        return both(x.dir, macAt(frame, 6) === x.mac, macAt(frame, 0) === x.mac);
      case 'port': {
        if (!isIp || !firstFragment) return false;
        if (x.proto ? proto !== (x.proto === 'tcp' ? 6 : 17) : proto !== 6 && proto !== 17) return false;
        const sp = u16(frame, l4);
        const dp = u16(frame, l4 + 2);
        return both(x.dir, sp >= x.from && sp <= x.to, dp >= x.from && dp <= x.to);
      }
      case 'len':
        return x.op === '<=' ? frame.length <= x.value : frame.length >= x.value;
      case 'broadcast':
        return macAt(frame, 0) === 'ff:ff:ff:ff:ff:ff';
    }
  };
  return ok(e);
}
