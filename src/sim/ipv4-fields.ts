/**
 * The IPv4 header field by field: where each field's bits lie, what its value means, how an
 * edit rewrites the bytes, and the header checksum worked out word by word.
 *
 * Design notes: this is the model behind the header explorer. It works on bytes, not on the
 * decoded structures of packet.ts, because it must show any header a learner can make,
 * including ones packet.ts refuses (IP options, the reserved flag, a version other than 4, a
 * wrong checksum). Bits are numbered as in the RFC 791 diagram: bit 0 is the most significant
 * bit of byte 0, so bit n lies in byte n >> 3 and the diagram's 32-bit rows are bytes 4k to
 * 4k + 3. Every fixed field is a run of bits read and written the same way
 * (`readBits`/`writeBits`), so `decodeHeader(encodeHeader(v))` gives `v` back and the reverse
 * holds for any well-formed header.
 *
 * Edits are what a sender could put in the header: DSCP, ECN, total length, identification,
 * flags, fragment offset, TTL, protocol and the two addresses. Version and IHL are not edited
 * (a different IHL would move the payload), nor options or payload bytes. A new total length
 * adds or removes payload bytes at the end (new bytes continue ping's 0x10, 0x11, ... pattern,
 * counted from the start of the transport data). With `keepChecksums` (the default) the
 * header checksum is recomputed after every edit (RFC 1071), and a transport checksum that was
 * right before the edit is recomputed too (ICMP's over its message, UDP's and TCP's over the
 * RFC 768/9293 pseudo-header, which holds both addresses and the length), as a sender or a
 * NAT rewriting an address does; a UDP length that matched the payload is kept matching.
 * Without it the stored checksums stay as they were, so the learner sees them go wrong.
 * `routerDecrementTtl` is what a Linux router does (ip_decrease_ttl): TTL - 1 and the stored
 * checksum patched with RFC 1624 eqn. 3, not recomputed, so a wrong checksum stays wrong.
 *
 * Simplified: options are named from their type byte and length only (their contents are
 * shown as bytes); an edit builds packets of at most `maxLength` bytes (1500 by default, an
 * Ethernet MTU) so the byte grid stays readable. Left out: IPv6; fragmentation and
 * reassembly (the explorer edits MF and the offset as plain bits; the forwarding engine in
 * forward.ts does the real thing).
 */
import { internetChecksum, onesSum, updateChecksum } from './checksum';
import { formatIp, parseIp } from './ipv4';
import { tcpFlagsText } from './packet';

/** The fields of the fixed 20-byte header, in wire order. */
export type FixedFieldId =
  | 'version'
  | 'ihl'
  | 'dscp'
  | 'ecn'
  | 'totalLength'
  | 'identification'
  | 'flags'
  | 'fragmentOffset'
  | 'ttl'
  | 'protocol'
  | 'checksum'
  | 'source'
  | 'destination';

/** Every part the explorer can select: the fixed fields, then options and payload. */
export type FieldId = FixedFieldId | 'options' | 'payload';

/** How an edit of the field is typed: a number, the three flag bits (0-7), an address. */
export type FieldInput = 'number' | 'flags' | 'address';

export interface FieldSpec {
  id: FieldId;
  /** `Time to live (TTL)`. */
  name: string;
  /** `TTL`: the label in the field list. */
  short: string;
  /** First bit, as the RFC 791 diagram numbers them (options: 160; payload: after the header). */
  bit: number;
  /** Width in bits (0 for options and payload: it depends on the packet). */
  bits: number;
  /** One sentence: what the field is for. */
  meaning: string;
  /** How an edit is typed; absent for the fields the explorer does not edit. */
  input?: FieldInput;
  /** Why the field is not edited, when it is not. */
  fixed?: string;
}

export const FIELD_SPECS: readonly FieldSpec[] = [
  {
    id: 'version',
    name: 'Version',
    short: 'Version',
    bit: 0,
    bits: 4,
    meaning: 'The IP version, 4 for IPv4; a receiver drops a packet whose version is not the one it expects.',
    fixed: 'It is 4 in every IPv4 packet.',
  },
  {
    id: 'ihl',
    name: 'Internet header length (IHL)',
    short: 'IHL',
    bit: 4,
    bits: 4,
    meaning: 'The header length in 32-bit words: 5 (20 bytes) without options, at most 15 (60 bytes); the payload starts right after it.',
    fixed: 'It follows from the options the header carries; changing it alone would cut the payload in the wrong place.',
  },
  {
    id: 'dscp',
    name: 'Differentiated services code point (DSCP)',
    short: 'DSCP',
    bit: 8,
    bits: 6,
    meaning: 'The traffic class routers may use to queue the packet ahead of others (0 is best effort); with ECN it fills the byte RFC 791 called type of service.',
    input: 'number',
  },
  {
    id: 'ecn',
    name: 'Explicit congestion notification (ECN)',
    short: 'ECN',
    bit: 14,
    bits: 2,
    meaning: 'Set to 01 or 10 by a sender whose connection uses ECN; a congested router changes it to 11 instead of dropping the packet.',
    input: 'number',
  },
  {
    id: 'totalLength',
    name: 'Total length',
    short: 'Total length',
    bit: 16,
    bits: 16,
    meaning: 'The whole packet in bytes, header included, at most 65,535; the receiver finds the end of the packet with it.',
    input: 'number',
  },
  {
    id: 'identification',
    name: 'Identification',
    short: 'Identification',
    bit: 32,
    bits: 16,
    meaning: 'A number the sender picks for each packet, so that the fragments of one packet can be told apart from another\'s and put back together.',
    input: 'number',
  },
  {
    id: 'flags',
    name: 'Flags',
    short: 'Flags',
    bit: 48,
    bits: 3,
    meaning: 'Three bits: a reserved one that must be 0, DF (don\'t fragment: routers must not split the packet) and MF (more fragments follow this one).',
    input: 'flags',
  },
  {
    id: 'fragmentOffset',
    name: 'Fragment offset',
    short: 'Fragment offset',
    bit: 51,
    bits: 13,
    meaning: 'Where this fragment\'s data belongs in the original packet\'s payload, in units of 8 bytes; 0 in a packet that was never split.',
    input: 'number',
  },
  {
    id: 'ttl',
    name: 'Time to live (TTL)',
    short: 'TTL',
    bit: 64,
    bits: 8,
    meaning: 'Every router subtracts 1 before forwarding and drops the packet instead when it would reach 0, so a packet caught in a loop dies.',
    input: 'number',
  },
  {
    id: 'protocol',
    name: 'Protocol',
    short: 'Protocol',
    bit: 72,
    bits: 8,
    meaning: 'Which protocol the payload belongs to (1 ICMP, 6 TCP, 17 UDP); the receiver hands the payload to it.',
    input: 'number',
  },
  {
    id: 'checksum',
    name: 'Header checksum',
    short: 'Checksum',
    bit: 80,
    bits: 16,
    meaning: 'The ones\' complement of the ones\'-complement sum of the header\'s 16-bit words, which every receiver and router checks to catch a damaged header; it covers the header only.',
    fixed: 'It is computed from the other fields: edit them, and recompute it or leave it wrong.',
  },
  {
    id: 'source',
    name: 'Source address',
    short: 'Source',
    bit: 96,
    bits: 32,
    meaning: 'The sender\'s address, the same from end to end unless address translation (NAT) rewrites it.',
    input: 'address',
  },
  {
    id: 'destination',
    name: 'Destination address',
    short: 'Destination',
    bit: 128,
    bits: 32,
    meaning: 'The final receiver\'s address, which every router looks up in its routing table to choose the next hop.',
    input: 'address',
  },
  {
    id: 'options',
    name: 'Options',
    short: 'Options',
    bit: 160,
    bits: 0,
    meaning: 'Rarely used extras such as record route, timestamps or router alert, padded to a whole number of 32-bit words.',
    fixed: 'Options are shown as they are.',
  },
  {
    id: 'payload',
    name: 'Payload',
    short: 'Payload',
    bit: 160,
    bits: 0,
    meaning: 'What the packet carries, for the protocol the Protocol field names; the header checksum does not cover it.',
    fixed: 'Change its size with the total length.',
  },
];

const SPEC = new Map(FIELD_SPECS.map((s) => [s.id, s]));

export function fieldSpec(id: FieldId): FieldSpec {
  return SPEC.get(id)!;
}

export const FIXED_FIELDS: readonly FixedFieldId[] = FIELD_SPECS.filter((s) => s.bits > 0).map((s) => s.id as FixedFieldId);

/** An edit the header cannot take: the message says why, in words for the learner. */
/**
 * The bytes a fixed field lies in, from the start of the header: a field that shares a byte
 * with another (version and IHL, flags and fragment offset) gives the bytes its bits touch.
 */
export function fieldBytes(id: FixedFieldId): { offset: number; length: number } {
  const s = fieldSpec(id);
  const first = s.bit >> 3;
  return { offset: first, length: ((s.bit + s.bits - 1) >> 3) - first + 1 };
}

export class FieldError extends Error {}

// ------------------------------------------------------------------------------------ bits

/** The `n`-bit (n <= 32) big-endian number starting at bit `bit` (bit 0 = top bit of byte 0). */
export function readBits(b: Uint8Array, bit: number, n: number): number {
  let v = 0;
  for (let i = bit; i < bit + n; i++) v = v * 2 + ((b[i >> 3]! >> (7 - (i & 7))) & 1);
  return v;
}

/** Writes `value` into the `n` bits starting at `bit`. */
export function writeBits(b: Uint8Array, bit: number, n: number, value: number): void {
  let v = value;
  for (let i = bit + n - 1; i >= bit; i--) {
    const mask = 1 << (7 - (i & 7));
    if (v % 2 === 1) b[i >> 3]! |= mask;
    else b[i >> 3]! &= ~mask;
    v = Math.floor(v / 2);
  }
}

/** `bits 64–71 (byte 8)`, `bits 48–50 (the top 3 bits of byte 6)`. */
export function bitRangeText(bit: number, bits: number): string {
  const last = bit + bits - 1;
  const head = bits === 1 ? `bit ${bit}` : `bits ${bit}–${last}`;
  const first = bit >> 3;
  const end = last >> 3;
  const lead = bit & 7;
  const tail = 7 - (last & 7);
  const parts: string[] = [];
  if (first === end && (lead > 0 || tail > 0)) {
    const where = lead === 0 ? 'top' : tail === 0 ? 'low' : 'middle';
    parts.push(bits === 1 ? `${where === 'low' ? 'the low bit' : where === 'top' ? 'the top bit' : `bit ${lead}`} of byte ${first}` : `the ${where} ${bits} bits of byte ${first}`);
  } else {
    let from = first;
    let to = end;
    if (lead > 0) {
      parts.push(`the low ${8 - lead} bit${8 - lead === 1 ? '' : 's'} of byte ${first}`);
      from++;
    }
    const tailPart = tail > 0 ? `the top ${8 - tail} bit${8 - tail === 1 ? '' : 's'} of byte ${end}` : '';
    if (tail > 0) to--;
    if (to >= from) parts.push(to === from ? `byte ${from}` : `bytes ${from}–${to}`);
    if (tailPart) parts.push(tailPart);
  }
  return `${head} (${parts.join(', ')})`;
}

// --------------------------------------------------------------------------- header values

/** The header's fields as numbers (addresses as 32-bit numbers) and its options' bytes. */
export interface HeaderValues {
  version: number;
  ihl: number;
  dscp: number;
  ecn: number;
  totalLength: number;
  identification: number;
  /** The three flag bits: reserved 4, DF 2, MF 1. */
  flags: number;
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  source: number;
  destination: number;
  /** The bytes between byte 20 and IHL x 4 (as many as the bytes hold). */
  options: Uint8Array;
}

export const FLAG_RESERVED = 4;
export const FLAG_DF = 2;
export const FLAG_MF = 1;

/** Reads the fixed fields and the options of a header (at least 20 bytes). */
export function decodeHeader(b: Uint8Array): HeaderValues {
  if (b.length < 20) throw new FieldError(`An IPv4 header is at least 20 bytes; this packet has ${b.length}.`);
  const v = {} as Record<FixedFieldId, number>;
  for (const id of FIXED_FIELDS) {
    const s = SPEC.get(id)!;
    v[id] = readBits(b, s.bit, s.bits);
  }
  const end = Math.min(b.length, Math.max(20, v.ihl * 4));
  return { ...v, options: b.slice(20, end) };
}

/** The header's bytes: 20, then the options. Throws when IHL does not match the options. */
export function encodeHeader(v: HeaderValues): Uint8Array {
  if (v.ihl * 4 !== 20 + v.options.length) throw new FieldError(`IHL ${v.ihl} means a ${v.ihl * 4}-byte header, but there are ${v.options.length} bytes of options.`);
  const b = new Uint8Array(20 + v.options.length);
  for (const id of FIXED_FIELDS) {
    const s = SPEC.get(id)!;
    const value = v[id];
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** s.bits) throw new FieldError(`${s.name} is ${s.bits} bits: 0 to ${2 ** s.bits - 1}, not ${value}.`);
    writeBits(b, s.bit, s.bits, value);
  }
  b.set(v.options, 20);
  return b;
}

// ------------------------------------------------------------------------------- names

const PROTOCOLS: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  89: 'OSPF',
  132: 'SCTP',
};

/** `ICMP`, `TCP`, `UDP`, ... (IANA's protocol numbers), or undefined. */
export function protocolName(n: number): string | undefined {
  return PROTOCOLS[n];
}

const DSCP_NAMES: Record<number, string> = {
  0: 'CS0, best effort',
  1: 'LE, lower effort',
  8: 'CS1',
  10: 'AF11',
  12: 'AF12',
  14: 'AF13',
  16: 'CS2',
  18: 'AF21',
  20: 'AF22',
  22: 'AF23',
  24: 'CS3',
  26: 'AF31',
  28: 'AF32',
  30: 'AF33',
  32: 'CS4',
  34: 'AF41',
  36: 'AF42',
  38: 'AF43',
  40: 'CS5',
  44: 'VOICE-ADMIT',
  46: 'EF, expedited forwarding',
  48: 'CS6',
  56: 'CS7',
};

export function dscpName(n: number): string | undefined {
  return DSCP_NAMES[n];
}

const ECN_NAMES = ['Not-ECT, no ECN', 'ECT(1), ECN-capable', 'ECT(0), ECN-capable', 'CE, congestion experienced'];

export function ecnName(n: number): string {
  return ECN_NAMES[n & 3]!;
}

/** `DF`, `DF, MF`, `reserved, MF`, or `none`. */
export function flagsText(flags: number): string {
  const names = [flags & FLAG_RESERVED ? 'reserved' : '', flags & FLAG_DF ? 'DF' : '', flags & FLAG_MF ? 'MF' : ''].filter(Boolean);
  return names.length ? names.join(', ') : 'none';
}

const OPTION_NAMES: Record<number, string> = {
  0: 'end of options',
  1: 'no operation',
  7: 'record route',
  68: 'timestamp',
  130: 'security',
  131: 'loose source route',
  136: 'stream ID',
  137: 'strict source route',
  148: 'router alert',
};

export interface IpOption {
  /** The type byte. */
  type: number;
  name: string;
  /** Offset in the packet. */
  offset: number;
  length: number;
}

/** The options area (`b` from byte 20 to the header's end), walked as RFC 791 lays it out. */
export function readOptions(b: Uint8Array, start: number, end: number): IpOption[] {
  const out: IpOption[] = [];
  let i = start;
  while (i < end) {
    const type = b[i]!;
    const name = OPTION_NAMES[type] ?? `option type ${type}`;
    if (type === 0) {
      out.push({ type, name, offset: i, length: end - i });
      break;
    }
    if (type === 1) {
      out.push({ type, name, offset: i, length: 1 });
      i++;
      continue;
    }
    const len = i + 1 < end ? b[i + 1]! : 0;
    if (len < 2 || i + len > end) {
      out.push({ type, name: `${name} (malformed length)`, offset: i, length: end - i });
      break;
    }
    out.push({ type, name, offset: i, length: len });
    i += len;
  }
  return out;
}

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply',
  3: 'destination unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
  13: 'timestamp request',
  14: 'timestamp reply',
};

const UNREACH_CODES: Record<number, string> = {
  0: 'net unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  13: 'communication administratively prohibited',
};

// ------------------------------------------------------------------------------ checksum

export interface ChecksumWord {
  /** 0-based word number, and its offset in the header. */
  index: number;
  offset: number;
  /** The word as summed: the checksum word counts as 0 when computing. */
  word: number;
  /** The fields the word holds: `TTL, protocol`. */
  holds: string;
  isChecksum: boolean;
  /** The sum so far, carries not yet folded (RFC 1071 defers them to the end). */
  running: number;
}

export interface ChecksumFold {
  /** Before the fold, the carry (the bits above 16) and the low 16 bits, and after it. */
  before: number;
  carry: number;
  low: number;
  after: number;
}

export interface ChecksumWork {
  /** The sender's computation: every header word with the checksum field taken as zero. */
  words: ChecksumWord[];
  /** Their sum before folding. */
  total: number;
  folds: ChecksumFold[];
  /** The folded 16-bit ones'-complement sum. */
  sum: number;
  /** Its ones' complement: the checksum the header should carry. */
  computed: number;
  /** The checksum the bytes carry. */
  stored: number;
  /** The receiver's check: every word, stored checksum included, folds to 0xffff. */
  check: { total: number; sum: number };
  valid: boolean;
}

function fold(total: number): { sum: number; folds: ChecksumFold[] } {
  const folds: ChecksumFold[] = [];
  let sum = total;
  while (sum > 0xffff) {
    const carry = Math.floor(sum / 0x10000);
    const low = sum & 0xffff;
    folds.push({ before: sum, carry, low, after: low + carry });
    sum = low + carry;
  }
  return { sum, folds };
}

function wordHolds(index: number): string {
  return ['version, IHL, DSCP, ECN', 'total length', 'identification', 'flags, fragment offset', 'TTL, protocol', 'header checksum', 'source, first half', 'source, second half', 'destination, first half', 'destination, second half'][index] ?? 'options';
}

/** The header length this packet's bytes let a reader use: IHL x 4 (20 when IHL is below 5), cut at the bytes' end. */
export function headerLength(b: Uint8Array): number {
  return Math.min(b.length, Math.max(20, (b[0]! & 15) * 4));
}

/** The RFC 1071 computation of the header's checksum, word by word, and the receiver's check. */
export function checksumWork(b: Uint8Array): ChecksumWork {
  const hl = headerLength(b);
  const words: ChecksumWord[] = [];
  let running = 0;
  let check = 0;
  for (let o = 0, i = 0; o < hl; o += 2, i++) {
    const raw = (b[o]! << 8) | (o + 1 < hl ? b[o + 1]! : 0);
    const isChecksum = o === 10;
    const word = isChecksum ? 0 : raw;
    running += word;
    check += raw;
    words.push({ index: i, offset: o, word, holds: wordHolds(i), isChecksum, running });
  }
  const { sum, folds } = fold(running);
  const stored = (b[10]! << 8) | b[11]!;
  const checked = fold(check).sum;
  return { words, total: running, folds, sum, computed: ~sum & 0xffff, stored, check: { total: check, sum: checked }, valid: checked === 0xffff };
}

// ------------------------------------------------------------------------------- payload

export interface PayloadReading {
  /** Offset of the payload in the packet, and its length in the bytes given. */
  offset: number;
  length: number;
  /** The protocol's name, or `protocol 253`. */
  protocol: string;
  /** Bytes of the payload that are the transport header (ICMP 8, UDP 8, TCP data offset x 4); 0 when none is read. */
  headerLength: number;
  /** One line, in tcpdump's words where it has them: `ICMP echo request, id 27895, seq 1, length 64`. */
  summary: string;
  /** Whether the ICMP, UDP or TCP checksum is right (undefined when not checked, or UDP's 0 "none"). */
  checksumValid?: boolean;
}

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number): number => (((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0);
const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** The pseudo-header's ones'-complement sum (RFC 768, RFC 9293 3.1). */
function pseudoSum(b: Uint8Array, proto: number, length: number): number {
  const p = new Uint8Array(12);
  p.set(b.subarray(12, 20), 0);
  p[9] = proto;
  p[10] = length >>> 8;
  p[11] = length & 255;
  return onesSum(p);
}

/** Whether the transport checksum of the payload is right; undefined when there is none to check. */
function transportChecksumOk(b: Uint8Array, hl: number, end: number): boolean | undefined {
  const v = decodeHeader(b);
  if (v.fragmentOffset !== 0 || (v.flags & FLAG_MF) !== 0) return undefined;
  const len = end - hl;
  if (v.protocol === 1 && len >= 8) return internetChecksum(b, hl, end) === 0;
  if (v.protocol === 17 && len >= 8) {
    if (u16(b, hl + 6) === 0) return undefined;
    return internetChecksum(b, hl, end, pseudoSum(b, 17, len)) === 0;
  }
  if (v.protocol === 6 && len >= 20) return internetChecksum(b, hl, end, pseudoSum(b, 6, len)) === 0;
  return undefined;
}

function fixTransportChecksum(b: Uint8Array, hl: number): void {
  const v = decodeHeader(b);
  const len = b.length - hl;
  const at = v.protocol === 1 ? hl + 2 : v.protocol === 17 ? hl + 6 : hl + 16;
  b[at] = 0;
  b[at + 1] = 0;
  let c: number;
  if (v.protocol === 1) c = internetChecksum(b, hl, b.length);
  else {
    c = internetChecksum(b, hl, b.length, pseudoSum(b, v.protocol, len));
    if (v.protocol === 17 && c === 0) c = 0xffff;
  }
  b[at] = c >>> 8;
  b[at + 1] = c & 255;
}

function payloadReading(b: Uint8Array, v: HeaderValues, hl: number, end: number): PayloadReading {
  const len = Math.max(0, end - hl);
  const name = protocolName(v.protocol) ?? `protocol ${v.protocol}`;
  const base = { offset: hl, length: len, protocol: name };
  const ok = transportChecksumOk(b, hl, end);
  const status = (stored: number): string => `checksum ${hex4(stored)}${ok === undefined ? '' : ok ? ' (correct)' : ' (wrong)'}`;
  if (v.fragmentOffset !== 0) return { ...base, headerLength: 0, summary: `${name} data from byte ${v.fragmentOffset * 8} of the original payload (a fragment), ${len} bytes` };
  if (v.protocol === 1 && len >= 8) {
    const type = b[hl]!;
    const code = b[hl + 1]!;
    let what = ICMP_TYPES[type] ?? `type ${type}`;
    if (type === 0 || type === 8) what += `, id ${u16(b, hl + 4)}, seq ${u16(b, hl + 6)}`;
    else if (type === 3) what += `: ${UNREACH_CODES[code] ?? `code ${code}`}${code === 4 ? ` (mtu ${u16(b, hl + 6)})` : ''}`;
    else if (type === 11) what += code === 0 ? ': time to live exceeded in transit' : ': fragment reassembly time exceeded';
    else if (code !== 0) what += `, code ${code}`;
    return { ...base, headerLength: 8, summary: `ICMP ${what}, length ${len}; ${status(u16(b, hl + 2))}`, ...(ok !== undefined ? { checksumValid: ok } : {}) };
  }
  if (v.protocol === 17 && len >= 8) {
    const sport = u16(b, hl);
    const dport = u16(b, hl + 2);
    const stored = u16(b, hl + 6);
    let inner = '';
    if ((dport === 8472 || dport === 4789) && len >= 16 && b[hl + 8] === 0x08) inner = `; VXLAN, vni ${(b[hl + 12]! << 16) | (b[hl + 13]! << 8) | b[hl + 14]!}, carrying a ${len - 16}-byte Ethernet frame`;
    const sum = stored === 0 ? 'no checksum (0)' : status(stored);
    return { ...base, headerLength: 8, summary: `UDP ${sport} > ${dport}, length ${u16(b, hl + 4) - 8}; ${sum}${inner}`, ...(ok !== undefined ? { checksumValid: ok } : {}) };
  }
  if (v.protocol === 6 && len >= 20) {
    const doff = (b[hl + 12]! >> 4) * 4;
    const th = doff >= 20 && doff <= len ? doff : 20;
    const summary = `TCP ${u16(b, hl)} > ${u16(b, hl + 2)}: Flags [${tcpFlagsText(b[hl + 13]!)}], seq ${u32(b, hl + 4)}, ack ${u32(b, hl + 8)}, win ${u16(b, hl + 14)}, length ${len - th}; ${status(u16(b, hl + 16))}`;
    return { ...base, headerLength: th, summary, ...(ok !== undefined ? { checksumValid: ok } : {}) };
  }
  return { ...base, headerLength: 0, summary: `${len} bytes of ${name} data` };
}

// ------------------------------------------------------------------------------ reading

export interface FieldReading {
  id: FieldId;
  spec: FieldSpec;
  /** First bit and width in this packet (options and payload take theirs from it). */
  bit: number;
  bits: number;
  /** The raw number (options and payload: their length in bytes). */
  value: number;
  /** The value for people: `1 (ICMP)`, `0x3d21 (correct)`, `64 bytes: ICMP echo request ...`. */
  text: string;
  /** `bits 64–71 (byte 8)`. */
  range: string;
}

export interface PacketReading {
  /** The packet's bytes as read. */
  bytes: Uint8Array;
  values: HeaderValues;
  /** The header's length in the bytes (IHL x 4, at least 20, cut at the bytes' end). */
  headerLength: number;
  /** Where the packet ends: its total length, or the bytes' end when fewer bytes were given. */
  end: number;
  fields: FieldReading[];
  options: IpOption[];
  payload: PayloadReading;
  checksum: ChecksumWork;
  /** What a receiver would object to, or what is unusual, in sentences. */
  notes: string[];
}

function fieldText(id: FixedFieldId, v: HeaderValues, work: ChecksumWork): string {
  switch (id) {
    case 'version':
      return v.version === 4 ? '4' : `${v.version} (not IPv4)`;
    case 'ihl':
      return `${v.ihl} (${v.ihl * 4} bytes)`;
    case 'dscp': {
      const n = dscpName(v.dscp);
      return n ? `${v.dscp} (${n})` : String(v.dscp);
    }
    case 'ecn':
      return `${v.ecn.toString(2).padStart(2, '0')} (${ecnName(v.ecn)})`;
    case 'totalLength':
      return `${v.totalLength} bytes`;
    case 'identification':
      return `${v.identification} (${hex4(v.identification)})`;
    case 'flags':
      return `${v.flags.toString(2).padStart(3, '0')} (${flagsText(v.flags)})`;
    case 'fragmentOffset':
      return `${v.fragmentOffset} (${v.fragmentOffset * 8} bytes)`;
    case 'ttl':
      return String(v.ttl);
    case 'protocol': {
      const n = protocolName(v.protocol);
      return n ? `${v.protocol} (${n})` : String(v.protocol);
    }
    case 'checksum':
      return `${hex4(v.checksum)} (${work.valid ? 'correct' : `wrong: the header needs ${hex4(work.computed)}`})`;
    case 'source':
      return formatIp(v.source);
    case 'destination':
      return formatIp(v.destination);
  }
}

/** Reads an IPv4 packet (at least 20 bytes) field by field. */
export function readPacket(b: Uint8Array): PacketReading {
  const values = decodeHeader(b);
  const hl = headerLength(b);
  const end = Math.min(b.length, Math.max(hl, values.totalLength));
  const work = checksumWork(b);
  const options = readOptions(b, 20, hl);
  const payload = payloadReading(b, values, hl, end);
  const fields: FieldReading[] = FIXED_FIELDS.map((id) => {
    const spec = SPEC.get(id)!;
    return { id, spec, bit: spec.bit, bits: spec.bits, value: values[id], text: fieldText(id, values, work), range: bitRangeText(spec.bit, spec.bits) };
  });
  if (hl > 20) {
    const spec = SPEC.get('options')!;
    fields.push({ id: 'options', spec, bit: 160, bits: (hl - 20) * 8, value: hl - 20, text: `${hl - 20} bytes: ${options.map((o) => o.name).join(', ')}`, range: bitRangeText(160, (hl - 20) * 8) });
  }
  if (end > hl) {
    const spec = SPEC.get('payload')!;
    fields.push({ id: 'payload', spec, bit: hl * 8, bits: (end - hl) * 8, value: end - hl, text: `${end - hl} bytes: ${payload.summary}`, range: `bytes ${hl}–${end - 1}` });
  }
  const notes: string[] = [];
  if (values.version !== 4) notes.push(`Version ${values.version}: an IPv4 receiver drops this packet.`);
  if (values.ihl < 5) notes.push(`IHL ${values.ihl} is below 5: no header is shorter than 20 bytes, so a receiver drops this packet.`);
  if (values.ihl * 4 > b.length) notes.push(`IHL ${values.ihl} says the header is ${values.ihl * 4} bytes, but only ${b.length} bytes are here.`);
  if (values.totalLength < hl) notes.push(`The total length, ${values.totalLength}, is shorter than the header: a receiver drops this packet.`);
  else if (values.totalLength > b.length) notes.push(`The total length says ${values.totalLength} bytes, but only ${b.length} are here: the capture is cut short.`);
  else if (values.totalLength < b.length) notes.push(`${b.length - values.totalLength} bytes after the packet's end (Ethernet padding) are not part of it.`);
  if (values.flags & FLAG_RESERVED) notes.push('The reserved flag is set: RFC 791 says it must be 0, though a Linux receiver ignores it and takes the packet.');
  if (values.flags & FLAG_MF || values.fragmentOffset !== 0) notes.push('MF or a fragment offset marks this packet as a fragment: the receiver holds it until every fragment of the packet has arrived.');
  if (values.ttl === 0) notes.push('TTL 0: a router drops this packet instead of forwarding it.');
  if (!work.valid) notes.push(`The header checksum is wrong (the header needs ${hex4(work.computed)}): every router and receiver drops this packet.`);
  return { bytes: b, values, headerLength: hl, end, fields, options, payload, checksum: work, notes };
}

// ------------------------------------------------------------------------------- frames

/** Where the IPv4 packet lies in a frame or a packet. */
export interface PacketLocation {
  /** The IPv4 packet: from the end of the link header to its total length (or the bytes' end). */
  packet: Uint8Array;
  /** Bytes of Ethernet header skipped (0 for a bare packet, 14, or 18 with an 802.1Q tag). */
  linkHeader: number;
  /** Bytes after the packet's total length (Ethernet padding), left out. */
  trailer: number;
}

const ETHERTYPES: Record<number, string> = { 0x0806: 'ARP', 0x86dd: 'IPv6' };

/**
 * The IPv4 packet in an Ethernet frame (skipping its 14-byte header, or 18 with a VLAN tag) or
 * in a bare packet. `auto` takes the bytes for a frame when bytes 12-13 hold an Ethernet type
 * (IPv4 with a version-4 byte after the header, ARP, IPv6, a VLAN tag) and for a packet when
 * byte 0 starts with version 4; give `frame` or `packet` when the bytes could be either.
 */
export function locatePacket(bytes: Uint8Array, kind: 'auto' | 'frame' | 'packet' = 'auto'): PacketLocation {
  let start = 0;
  const type = bytes.length >= 14 ? u16(bytes, 12) : -1;
  const looksFrame = (type === 0x0800 && bytes.length >= 34 && bytes[14]! >> 4 === 4) || type === 0x0806 || type === 0x86dd || type === 0x8100;
  const asFrame = kind === 'frame' || (kind === 'auto' && (looksFrame || bytes[0]! >> 4 !== 4));
  if (asFrame) {
    if (bytes.length < 14) throw new FieldError(`An Ethernet frame is at least 14 bytes; this has ${bytes.length}.`);
    let t = type;
    start = 14;
    if (t === 0x8100 && bytes.length >= 18) {
      t = u16(bytes, 16);
      start = 18;
    }
    if (t !== 0x0800) throw new FieldError(`This frame carries ${ETHERTYPES[t] ?? `Ethernet type ${hex4(t)}`}, not IPv4.`);
  }
  const rest = bytes.subarray(start);
  if (rest.length < 20) throw new FieldError(`An IPv4 header is at least 20 bytes; this packet has ${rest.length}.`);
  const total = u16(rest, 2);
  const cut = total >= headerLength(rest) && total <= rest.length ? total : rest.length;
  return { packet: rest.slice(0, cut), linkHeader: start, trailer: rest.length - cut };
}

// -------------------------------------------------------------------------------- edits

export interface EditOptions {
  /** Recompute the header checksum, and a transport checksum that was right (default true). */
  keepChecksums?: boolean;
  /** The longest packet an edit of the total length builds (default 1500). */
  maxLength?: number;
}

/** Parses what a learner typed for a field: a decimal or 0x-hex number, an address, or a number already. */
function parseValue(spec: FieldSpec, value: number | string): number {
  if (spec.input === 'address') {
    if (typeof value === 'number') {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new FieldError(`${spec.name}: not an IPv4 address.`);
      return value;
    }
    const a = parseIp(value.trim());
    if (a === undefined) throw new FieldError(`${spec.name}: "${value}" is not an IPv4 address; write four numbers from 0 to 255 with dots, like 192.168.1.100.`);
    return a;
  }
  const text = typeof value === 'number' ? String(value) : value.trim();
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  const max = 2 ** spec.bits - 1;
  if (Number.isNaN(n)) throw new FieldError(`${spec.name}: write a whole number from 0 to ${max}.`);
  if (n > max) throw new FieldError(`${spec.name} is ${spec.bits} bit${spec.bits === 1 ? '' : 's'} wide: 0 to ${max}.`);
  return n;
}

function setHeaderChecksum(b: Uint8Array): void {
  b[10] = 0;
  b[11] = 0;
  const c = internetChecksum(b, 0, headerLength(b));
  b[10] = c >>> 8;
  b[11] = c & 255;
}

/** The header checksum recomputed (RFC 1071), nothing else changed. */
export function recomputeChecksum(packet: Uint8Array): Uint8Array {
  const b = packet.slice();
  setHeaderChecksum(b);
  return b;
}

/** New payload bytes continue the data pattern of Linux ping: byte k of the data is k & 0xff. */
function resize(b: Uint8Array, total: number, transportHeader: number, hl: number): Uint8Array {
  const out = new Uint8Array(total);
  out.set(b.subarray(0, Math.min(total, b.length)));
  for (let i = b.length; i < total; i++) out[i] = (i - hl - transportHeader) & 0xff;
  return out;
}

/**
 * The packet with one field set to `value` (a number, a numeric string such as `0x1c46`, or a
 * dotted address), as a sender would have written it. Throws FieldError, changing nothing,
 * for a field that is not edited or a value that does not fit.
 */
export function editField(packet: Uint8Array, id: FieldId, value: number | string, opts: EditOptions = {}): Uint8Array {
  const keep = opts.keepChecksums ?? true;
  const maxLength = Math.max(opts.maxLength ?? 1500, packet.length);
  const spec = SPEC.get(id);
  if (!spec) throw new FieldError(`No field ${String(id)}.`);
  if (!spec.input) throw new FieldError(`${spec.name} is not edited here. ${spec.fixed ?? ''}`.trim());
  const n = parseValue(spec, value);
  const hl = headerLength(packet);
  const before = readPacket(packet);
  const transportWasRight = before.payload.checksumValid === true;
  let b: Uint8Array;
  if (id === 'totalLength') {
    if (n < hl) throw new FieldError(`The total length counts the header too: at least ${hl}.`);
    if (n > maxLength) throw new FieldError(`The explorer builds packets of at most ${maxLength} bytes (an Ethernet link's MTU is 1500).`);
    b = resize(packet, n, before.payload.headerLength, hl);
    writeBits(b, spec.bit, spec.bits, n);
    // A UDP length that matched the payload keeps matching it.
    const udpLen = before.values.protocol === 17 && packet.length - hl >= 8 ? u16(packet, hl + 4) : -1;
    if (udpLen === packet.length - hl && n - hl >= 8) {
      b[hl + 4] = (n - hl) >>> 8;
      b[hl + 5] = (n - hl) & 255;
    }
  } else {
    b = packet.slice();
    writeBits(b, spec.bit, spec.bits, n);
  }
  if (keep) {
    setHeaderChecksum(b);
    // The addresses and the length are in the UDP and TCP pseudo-header (and the length in
    // the message ICMP sums); other fields are not, and a new protocol number leaves the
    // payload's bytes alone.
    const covered = id === 'source' || id === 'destination' || id === 'totalLength';
    if (covered && transportWasRight && transportChecksumOk(b, hl, b.length) === false) fixTransportChecksum(b, hl);
  }
  return b;
}

export interface RouterStep {
  packet: Uint8Array;
  ttl: { before: number; after: number };
  checksum: { before: number; after: number };
}

/**
 * What a router does to a packet it forwards: TTL - 1, and the checksum patched (RFC 1624
 * eqn. 3: the 16-bit word holding TTL and protocol goes down by 0x0100), not recomputed.
 * Throws FieldError at TTL 1 or 0: the router drops the packet instead.
 */
export function routerDecrementTtl(packet: Uint8Array): RouterStep {
  const ttl = packet[8]!;
  if (ttl <= 1) throw new FieldError(`TTL ${ttl}: a router drops this packet instead of forwarding it, and sends ICMP time exceeded to ${formatIp(u32(packet, 12))}.`);
  const b = packet.slice();
  const oldWord = (ttl << 8) | b[9]!;
  const before = u16(b, 10);
  const after = updateChecksum(before, oldWord, oldWord - 0x100);
  b[8] = ttl - 1;
  b[10] = after >>> 8;
  b[11] = after & 255;
  return { packet: b, ttl: { before: ttl, after: ttl - 1 }, checksum: { before, after } };
}
