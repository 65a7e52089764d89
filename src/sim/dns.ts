/**
 * DNS messages (RFC 1035) and their exact bytes.
 *
 * Design notes: like src/sim/packet.ts, a message is a decoded structure that encodes to the
 * bytes a real resolver or server puts in a UDP payload, and decode(encode(x)) gives x back.
 * The header is kept flat (id, QR, opcode, AA, TC, RD, RA, the three Z/AD/CD bits, rcode);
 * the four section counts are not stored but are the lengths of the four arrays, so they
 * can never disagree with the sections. Resource records carry typed data for A, NS,
 * CNAME, SOA, PTR, MX, TXT, AAAA (16 raw bytes) and SRV; every other type (OPT from EDNS0
 * included) is kept as raw RDATA bytes with its numeric type (`type: 'raw'`).
 *
 * Names are strings in presentation form without the trailing dot (the root is ''), case
 * preserved; a byte that is not printable ASCII is written `\DDD`, and a literal dot or
 * backslash inside a label `\.` and `\\` (RFC 1035 5.1), so any label survives a round trip.
 * TXT character-strings are strings whose char codes are the bytes (0-255).
 *
 * Compression (RFC 1035 4.1.4): the encoder does what real servers (BIND, miekg/dns used by
 * CoreDNS) do: every name it writes registers its suffixes, and a later owner name, question
 * name or NS/CNAME/SOA/PTR/MX name whose suffix was seen before (byte for byte, so case
 * counts) becomes a pointer, e.g. an answer's owner name is the two bytes `c0 0c` pointing
 * back at the question. SRV targets are written in full (RFC 2782 forbids compressing them)
 * but may be pointed at. The decoder follows pointers anywhere, with loop protection: a
 * pointer must point before the start of the run of labels it ends (a "prior occurrence",
 * which also rules out every loop) and a name may take at most 126 pointers (miekg/dns's
 * limit). Labels are at most 63 octets, names at most 255 on the wire; the label types 01
 * and 10 (RFC 6891 dropped extended labels) are rejected. Malformed input never loops or
 * reads out of bounds: it throws DnsDecodeError with the offset of the problem, and bytes
 * after the last record are an error too.
 *
 * Left out: EDNS0 options as structures (OPT stays raw), DNSSEC types, TCP's two-byte length
 * prefix, the 512-byte UDP limit and truncation (the caller decides when to set TC).
 */
import { formatIp, type Ip } from './ipv4';

export const DNS_PORT = 53;
export const DNS_HEADER_LENGTH = 12;
export const CLASS_IN = 1;

/** Record and query types by mnemonic (RFC 1035 3.2.2/3.2.3, RFC 3596, RFC 2782, RFC 6891). */
export const DNS_TYPES = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;
export type DnsTypeName = keyof typeof DNS_TYPES;

/** Response codes (RFC 1035 4.1.1). */
export const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type RcodeName = keyof typeof RCODES;

export const OPCODE_QUERY = 0;

const CLASS_NAMES: Record<number, string> = { 1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' };

/** The type's mnemonic, or `TYPE<n>` as RFC 3597 writes unknown types. */
export function typeName(code: number): string {
  for (const [name, c] of Object.entries(DNS_TYPES)) if (c === code) return name;
  return `TYPE${code}`;
}

/** A type given by mnemonic (case-insensitive, `TYPE<n>` accepted) or number. */
export function typeCode(type: DnsTypeName | string | number): number {
  if (typeof type === 'number') return type;
  const upper = type.toUpperCase();
  const known = (DNS_TYPES as Record<string, number>)[upper];
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  if (m && Number(m[1]) <= 0xffff) return Number(m[1]);
  throw new RangeError(`unknown DNS type ${type}`);
}

export function rcodeName(code: number): string {
  for (const [name, c] of Object.entries(RCODES)) if (c === code) return name;
  return `RCODE${code}`;
}

export function rcodeCode(rcode: RcodeName | number): number {
  return typeof rcode === 'number' ? rcode : RCODES[rcode];
}

export function className(code: number): string {
  return CLASS_NAMES[code] ?? `CLASS${code}`;
}

// ---------------------------------------------------------------------------------- structures

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

interface RecordBase {
  name: string;
  class: number;
  /** Seconds, unsigned 32-bit. */
  ttl: number;
}

export type DnsRecord =
  | (RecordBase & { type: 'A'; address: Ip })
  | (RecordBase & { type: 'NS'; host: string })
  | (RecordBase & { type: 'CNAME'; target: string })
  | (RecordBase & { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number })
  | (RecordBase & { type: 'PTR'; target: string })
  | (RecordBase & { type: 'MX'; preference: number; exchange: string })
  | (RecordBase & { type: 'TXT'; strings: string[] })
  | (RecordBase & { type: 'AAAA'; address: Uint8Array })
  | (RecordBase & { type: 'SRV'; priority: number; weight: number; port: number; target: string })
  /** Any other type, RDATA as bytes. A raw record with a typed code decodes as the typed record. */
  | (RecordBase & { type: 'raw'; code: number; data: Uint8Array });

export type DnsRecordType = DnsRecord['type'];

export interface DnsMessage {
  id: number;
  /** false: query, true: response. */
  qr: boolean;
  opcode: number;
  /** Authoritative answer. */
  aa: boolean;
  /** Truncated. */
  tc: boolean;
  /** Recursion desired. */
  rd: boolean;
  /** Recursion available. */
  ra: boolean;
  /** The three bits between RA and RCODE: 4 = Z (RFC 1035, zero), 2 = AD, 1 = CD (RFC 4035). */
  z: number;
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
}

/** The numeric type of a record. */
export function recordTypeCode(r: DnsRecord): number {
  return r.type === 'raw' ? r.code : DNS_TYPES[r.type];
}

// ---------------------------------------------------------------------------------- builders

/** A standard query (opcode QUERY, class IN) for one name, as a stub resolver sends it. */
export function dnsQuery(id: number, name: string, type: DnsTypeName | number, recursionDesired = true): DnsMessage {
  return {
    id: id & 0xffff,
    qr: false,
    opcode: OPCODE_QUERY,
    aa: false,
    tc: false,
    rd: recursionDesired,
    ra: false,
    z: 0,
    rcode: 0,
    questions: [{ name: canonicalName(name), type: typeCode(type), class: CLASS_IN }],
    answers: [],
    authority: [],
    additional: [],
  };
}

export interface ResponseOptions {
  /** AA: the kubernetes plugin sets it on everything it answers itself. */
  aa?: boolean;
  /** RA: a forwarder passes on the upstream's bit; CoreDNS's kubernetes plugin leaves it clear. */
  ra?: boolean;
  tc?: boolean;
  additional?: DnsRecord[];
}

/**
 * The reply to `query` (miekg/dns SetReply): same id, opcode, question, RD and CD, QR set,
 * then the given sections and rcode. AA and RA default to clear.
 */
export function dnsResponse(query: DnsMessage, answers: DnsRecord[], rcode: RcodeName | number, authority: DnsRecord[] = [], opts: ResponseOptions = {}): DnsMessage {
  return {
    id: query.id,
    qr: true,
    opcode: query.opcode,
    aa: opts.aa ?? false,
    tc: opts.tc ?? false,
    rd: query.rd,
    ra: opts.ra ?? false,
    z: query.z & 1,
    rcode: rcodeCode(rcode),
    questions: query.questions.map((q) => ({ ...q })),
    answers,
    authority,
    additional: opts.additional ?? [],
  };
}

// ---------------------------------------------------------------------------------- names

export class DnsEncodeError extends Error {
  override name = 'DnsEncodeError';
}

export class DnsDecodeError extends Error {
  override name = 'DnsDecodeError';
  constructor(
    message: string,
    /** Offset in the message where decoding failed. */
    readonly offset: number,
  ) {
    super(`${message} (at offset ${offset})`);
  }
}

/** True if `name` can go into a query (no empty label, labels up to 63 octets, 255 in all). */
export function encodableName(name: string): boolean {
  try {
    nameLabels(name);
    return true;
  } catch (e) {
    if (e instanceof DnsEncodeError) return false;
    throw e;
  }
}

export const MAX_LABEL_LENGTH = 63;
export const MAX_NAME_LENGTH = 255;
const MAX_POINTERS = 126;

/** Splits a presentation-form name into label bytes (a single trailing dot is accepted). */
export function nameLabels(name: string): Uint8Array[] {
  if (name === '' || name === '.') return [];
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let i = 0;
  let endsWithDot = false;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    endsWithDot = false;
    if (c === 0x2e) {
      if (cur.length === 0) throw new DnsEncodeError(`empty label in ${JSON.stringify(name)}`);
      labels.push(Uint8Array.from(cur));
      cur = [];
      endsWithDot = true;
      i++;
      continue;
    }
    if (c === 0x5c) {
      const d = name.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(d)) {
        const v = Number(d);
        if (v > 255) throw new DnsEncodeError(`bad escape \\${d} in ${JSON.stringify(name)}`);
        cur.push(v);
        i += 4;
        continue;
      }
      if (i + 1 >= name.length) throw new DnsEncodeError(`dangling backslash in ${JSON.stringify(name)}`);
      const e = name.charCodeAt(i + 1);
      if (e > 255) throw new DnsEncodeError(`non-Latin-1 character in ${JSON.stringify(name)}`);
      cur.push(e);
      i += 2;
      continue;
    }
    if (c > 255) throw new DnsEncodeError(`non-Latin-1 character in ${JSON.stringify(name)}`);
    cur.push(c);
    i++;
  }
  if (cur.length > 0) labels.push(Uint8Array.from(cur));
  else if (!endsWithDot) throw new DnsEncodeError(`empty label in ${JSON.stringify(name)}`);
  let wire = 1;
  for (const l of labels) {
    if (l.length > MAX_LABEL_LENGTH) throw new DnsEncodeError(`label longer than ${MAX_LABEL_LENGTH} octets in ${JSON.stringify(name)}`);
    wire += 1 + l.length;
  }
  if (wire > MAX_NAME_LENGTH) throw new DnsEncodeError(`name longer than ${MAX_NAME_LENGTH} octets: ${JSON.stringify(name)}`);
  return labels;
}

/** One label in presentation form. */
export function labelText(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x2e) s += '\\.';
    else if (b === 0x5c) s += '\\\\';
    else if (b > 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\' + String(b).padStart(3, '0');
  }
  return s;
}

/** The canonical presentation form of a name: no trailing dot, escapes normalised. */
export function canonicalName(name: string): string {
  return nameLabels(name).map(labelText).join('.');
}

/** The name with its trailing dot, as dig and zone files print it (`.` for the root). */
export function fqdn(name: string): string {
  if (name === '' || name === '.') return '.';
  if (!name.endsWith('.')) return `${name}.`;
  // Already absolute unless the final dot is escaped (an odd number of backslashes before it).
  let slashes = 0;
  for (let i = name.length - 2; i >= 0 && name[i] === '\\'; i--) slashes++;
  return slashes % 2 === 0 ? name : `${name}.`;
}

// ---------------------------------------------------------------------------------- encoding

class Writer {
  readonly out: number[] = [];
  /** Wire form of each name suffix seen so far -> its offset. */
  private readonly suffixes = new Map<string, number>();

  u8(v: number): void {
    this.out.push(v & 255);
  }

  u16(v: number): void {
    this.out.push((v >>> 8) & 255, v & 255);
  }

  u32(v: number): void {
    this.out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }

  bytes(b: Uint8Array): void {
    for (const x of b) this.out.push(x);
  }

  name(name: string, compress: boolean): void {
    const labels = nameLabels(name);
    const keys: string[] = [];
    let key = '';
    for (let i = labels.length - 1; i >= 0; i--) {
      key = String.fromCharCode(labels[i]!.length, ...labels[i]!) + key;
      keys[i] = key;
    }
    for (let i = 0; i < labels.length; i++) {
      const k = keys[i]!;
      const at = this.suffixes.get(k);
      if (compress && at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      // Pointers have 14 bits: only suffixes in the first 16 KiB can be pointed at.
      if (at === undefined && this.out.length < 0x4000) this.suffixes.set(k, this.out.length);
      this.u8(labels[i]!.length);
      this.bytes(labels[i]!);
    }
    this.u8(0);
  }
}

function writeRecord(w: Writer, r: DnsRecord): void {
  w.name(r.name, true);
  w.u16(recordTypeCode(r));
  w.u16(r.class);
  w.u32(r.ttl);
  const lenAt = w.out.length;
  w.u16(0);
  switch (r.type) {
    case 'A':
      w.u32(r.address);
      break;
    case 'NS':
      w.name(r.host, true);
      break;
    case 'CNAME':
    case 'PTR':
      w.name(r.target, true);
      break;
    case 'SOA':
      w.name(r.mname, true);
      w.name(r.rname, true);
      w.u32(r.serial);
      w.u32(r.refresh);
      w.u32(r.retry);
      w.u32(r.expire);
      w.u32(r.minimum);
      break;
    case 'MX':
      w.u16(r.preference);
      w.name(r.exchange, true);
      break;
    case 'TXT':
      for (const s of r.strings) {
        if (s.length > 255) throw new DnsEncodeError('TXT character-string longer than 255 octets');
        w.u8(s.length);
        for (let i = 0; i < s.length; i++) {
          const c = s.charCodeAt(i);
          if (c > 255) throw new DnsEncodeError('TXT character-string with a non-Latin-1 character');
          w.u8(c);
        }
      }
      break;
    case 'AAAA':
      if (r.address.length !== 16) throw new DnsEncodeError(`AAAA address of ${r.address.length} bytes`);
      w.bytes(r.address);
      break;
    case 'SRV':
      w.u16(r.priority);
      w.u16(r.weight);
      w.u16(r.port);
      w.name(r.target, false); // RFC 2782: no compression of the target
      break;
    case 'raw':
      w.bytes(r.data);
      break;
  }
  const len = w.out.length - lenAt - 2;
  if (len > 0xffff) throw new DnsEncodeError('RDATA longer than 65535 octets');
  w.out[lenAt] = len >>> 8;
  w.out[lenAt + 1] = len & 255;
}

/** The message's exact bytes (a UDP payload), with name compression. */
export function encodeDns(m: DnsMessage): Uint8Array {
  const w = new Writer();
  w.u16(m.id);
  const flags =
    (m.qr ? 0x8000 : 0) | ((m.opcode & 15) << 11) | (m.aa ? 0x0400 : 0) | (m.tc ? 0x0200 : 0) | (m.rd ? 0x0100 : 0) | (m.ra ? 0x0080 : 0) | ((m.z & 7) << 4) | (m.rcode & 15);
  w.u16(flags);
  for (const n of [m.questions.length, m.answers.length, m.authority.length, m.additional.length]) {
    if (n > 0xffff) throw new DnsEncodeError('more than 65535 entries in a section');
    w.u16(n);
  }
  for (const q of m.questions) {
    w.name(q.name, true);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const r of m.answers) writeRecord(w, r);
  for (const r of m.authority) writeRecord(w, r);
  for (const r of m.additional) writeRecord(w, r);
  return Uint8Array.from(w.out);
}

// ---------------------------------------------------------------------------------- decoding

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  need(n: number, what: string): void {
    if (this.pos + n > this.b.length) throw new DnsDecodeError(`truncated ${what}`, this.pos);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.b[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const o = this.pos;
    this.pos += 4;
    return ((this.b[o]! << 24) | (this.b[o + 1]! << 16) | (this.b[o + 2]! << 8) | this.b[o + 3]!) >>> 0;
  }

  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads a possibly compressed name at the current position. */
  name(): string {
    const b = this.b;
    const labels: string[] = [];
    let pos = this.pos;
    /** Start of the run of labels being read: a pointer must point before it. */
    let runStart = pos;
    let resume = -1;
    let pointers = 0;
    let wire = 1;
    for (;;) {
      if (pos >= b.length) throw new DnsDecodeError('truncated name', pos);
      const len = b[pos]!;
      if (len === 0) {
        pos += 1;
        break;
      }
      const kind = len & 0xc0;
      if (kind === 0xc0) {
        if (pos + 1 >= b.length) throw new DnsDecodeError('truncated compression pointer', pos);
        const target = ((len & 0x3f) << 8) | b[pos + 1]!;
        if (target >= runStart) throw new DnsDecodeError(`compression pointer to ${target} does not point to a prior name (loop)`, pos);
        if (++pointers > MAX_POINTERS) throw new DnsDecodeError('too many compression pointers', pos);
        if (resume < 0) resume = pos + 2;
        pos = target;
        runStart = target;
        continue;
      }
      if (kind !== 0) throw new DnsDecodeError(`label length byte 0x${len.toString(16)}: labels are at most ${MAX_LABEL_LENGTH} octets and label types 01/10 are not supported`, pos);
      if (pos + 1 + len > b.length) throw new DnsDecodeError('truncated label', pos);
      wire += 1 + len;
      if (wire > MAX_NAME_LENGTH) throw new DnsDecodeError(`name longer than ${MAX_NAME_LENGTH} octets`, pos);
      labels.push(labelText(b.subarray(pos + 1, pos + 1 + len)));
      pos += 1 + len;
    }
    this.pos = resume >= 0 ? resume : pos;
    return labels.join('.');
  }
}

function readRecord(r: Reader): DnsRecord {
  const name = r.name();
  const code = r.u16('record type');
  const cls = r.u16('record class');
  const ttl = r.u32('record TTL');
  const rdlen = r.u16('RDLENGTH');
  const start = r.pos;
  r.need(rdlen, 'RDATA');
  const end = start + rdlen;
  const base = { name, class: cls, ttl };
  const fixed = (n: number, what: string): void => {
    if (rdlen !== n) throw new DnsDecodeError(`${what} RDATA of ${rdlen} octets, expected ${n}`, start);
  };
  // Names inside RDATA may point anywhere before them, but their own bytes must stay inside it.
  const rdName = (): string => {
    const n = r.name();
    if (r.pos > end) throw new DnsDecodeError('name runs past the end of RDATA', start);
    return n;
  };
  let rec: DnsRecord;
  switch (code) {
    case DNS_TYPES.A:
      fixed(4, 'A');
      rec = { ...base, type: 'A', address: r.u32('A') };
      break;
    case DNS_TYPES.NS:
      rec = { ...base, type: 'NS', host: rdName() };
      break;
    case DNS_TYPES.CNAME:
      rec = { ...base, type: 'CNAME', target: rdName() };
      break;
    case DNS_TYPES.PTR:
      rec = { ...base, type: 'PTR', target: rdName() };
      break;
    case DNS_TYPES.SOA: {
      const mname = rdName();
      const rname = rdName();
      if (end - r.pos !== 20) throw new DnsDecodeError('SOA RDATA without its five 32-bit fields', r.pos);
      rec = { ...base, type: 'SOA', mname, rname, serial: r.u32('SOA'), refresh: r.u32('SOA'), retry: r.u32('SOA'), expire: r.u32('SOA'), minimum: r.u32('SOA') };
      break;
    }
    case DNS_TYPES.MX: {
      if (rdlen < 3) throw new DnsDecodeError('short MX RDATA', start);
      const preference = r.u16('MX');
      rec = { ...base, type: 'MX', preference, exchange: rdName() };
      break;
    }
    case DNS_TYPES.TXT: {
      const strings: string[] = [];
      while (r.pos < end) {
        const n = r.b[r.pos]!;
        if (r.pos + 1 + n > end) throw new DnsDecodeError('TXT character-string runs past the end of RDATA', r.pos);
        strings.push(String.fromCharCode(...r.b.subarray(r.pos + 1, r.pos + 1 + n)));
        r.pos += 1 + n;
      }
      rec = { ...base, type: 'TXT', strings };
      break;
    }
    case DNS_TYPES.AAAA:
      fixed(16, 'AAAA');
      rec = { ...base, type: 'AAAA', address: r.bytes(16, 'AAAA') };
      break;
    case DNS_TYPES.SRV: {
      if (rdlen < 7) throw new DnsDecodeError('short SRV RDATA', start);
      const priority = r.u16('SRV');
      const weight = r.u16('SRV');
      const port = r.u16('SRV');
      rec = { ...base, type: 'SRV', priority, weight, port, target: rdName() };
      break;
    }
    default:
      rec = { ...base, type: 'raw', code, data: r.bytes(rdlen, 'RDATA') };
  }
  if (r.pos !== end) throw new DnsDecodeError(`${typeName(code)} RDATA has ${end - r.pos} unused octets`, r.pos);
  return rec;
}

/** Decodes a message; throws DnsDecodeError on anything malformed. */
export function decodeDns(b: Uint8Array): DnsMessage {
  if (b.length < DNS_HEADER_LENGTH) throw new DnsDecodeError(`message of ${b.length} octets is shorter than the header`, 0);
  const r = new Reader(b);
  const id = r.u16('header');
  const flags = r.u16('header');
  const qd = r.u16('header');
  const an = r.u16('header');
  const ns = r.u16('header');
  const ar = r.u16('header');
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qd; i++) {
    const name = r.name();
    questions.push({ name, type: r.u16('question type'), class: r.u16('question class') });
  }
  const section = (n: number): DnsRecord[] => {
    const out: DnsRecord[] = [];
    for (let i = 0; i < n; i++) out.push(readRecord(r));
    return out;
  };
  const answers = section(an);
  const authority = section(ns);
  const additional = section(ar);
  if (r.pos !== b.length) throw new DnsDecodeError(`${b.length - r.pos} octets after the last record`, r.pos);
  return {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >>> 11) & 15,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags >>> 4) & 7,
    rcode: flags & 15,
    questions,
    answers,
    authority,
    additional,
  };
}

// ---------------------------------------------------------------------------------- IPv6 text

/** Parses IPv6 text (hex groups with at most one `::`, no zone, no embedded IPv4). */
export function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 2 ? total > 7 : total !== 8) return undefined;
  const all = [...head, ...Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >>> 8;
    out[2 * i + 1] = g & 255;
  });
  return out;
}

/** RFC 5952 text: lower-case hex, leading zeros dropped, the longest run (>= 2) of zero groups as `::`. */
export function formatIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

// ---------------------------------------------------------------------------------- presentation

function txtString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\' + s[i];
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else out += '\\' + String(c).padStart(3, '0');
  }
  return out + '"';
}

/** The RDATA in zone-file presentation form (RFC 1035 5.1, RFC 3597 for raw data). */
export function rdataText(r: DnsRecord): string {
  switch (r.type) {
    case 'A':
      return formatIp(r.address);
    case 'NS':
      return fqdn(r.host);
    case 'CNAME':
    case 'PTR':
      return fqdn(r.target);
    case 'SOA':
      return `${fqdn(r.mname)} ${fqdn(r.rname)} ${r.serial} ${r.refresh} ${r.retry} ${r.expire} ${r.minimum}`;
    case 'MX':
      return `${r.preference} ${fqdn(r.exchange)}`;
    case 'TXT':
      return r.strings.map(txtString).join(' ');
    case 'AAAA':
      return formatIpv6(r.address);
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${fqdn(r.target)}`;
    case 'raw':
      return `\\# ${r.data.length}${r.data.length ? ' ' + [...r.data].map((x) => x.toString(16).padStart(2, '0')).join('') : ''}`;
  }
}

/**
 * One record as a zone-file line, single-spaced: `web.default.svc.cluster.local. 30 IN A 10.96.12.34`.
 * (dig separates the same fields with tabs; a dig-like command formats them itself.)
 */
export function formatRecord(r: DnsRecord): string {
  const type = r.type === 'raw' ? typeName(r.code) : r.type;
  return `${fqdn(r.name)} ${r.ttl} ${className(r.class)} ${type} ${rdataText(r)}`;
}
