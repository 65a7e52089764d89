/**
 * Frames and packets, and their exact bytes.
 *
 * Design notes: the forwarding engine works on decoded structures (cheap to inspect and
 * patch), and every structure encodes to the bytes a real host would put on the wire:
 * Ethernet II, ARP (RFC 826), IPv4 (RFC 791) with its header checksum, ICMP (RFC 792),
 * UDP (RFC 768) with its pseudo-header checksum, TCP (RFC 9293) with its pseudo-header
 * checksum and options, and VXLAN (RFC 7348). decode(encode(x)) gives x back. Checksums
 * are stored in the structures, set when a packet is built and patched incrementally when
 * a router changes the TTL, as the kernel does; `encode` writes the stored value, so a
 * wrong update would show up as a bad checksum in a capture.
 *
 * TCP: the header is 20 bytes plus options padded with zero (EOL) bytes to a multiple of
 * four; the data offset is derived from the options, never stored. Options are decoded as
 * MSS (kind 2), window scale (3), SACK permitted (4), SACK blocks (5), timestamps (8), NOP
 * (1) and EOL (0); anything else, including a known kind with the wrong length or a
 * malformed tail, is kept as its raw bytes, so every header decodes and re-encodes exactly.
 * Padding: the up-to-three zero bytes the encoder adds are not listed as EOL options; an
 * EOL that starts a 4-byte word of its own is. Linux aligns with NOPs (`linuxSynOptions`).
 * The window is the 16-bit field as sent (unscaled). No TCP state machine lives here.
 * Left out: IP options and the IPv4 reserved flag (both refused by the decoder); the four
 * reserved TCP header bits (incl. the AccECN AE bit).
 *
 * Raw versus TCP: `ipv4()` gives a raw payload protocol 6 (kept from before TCP was
 * modelled), so the same bytes can be either. The decoder reads protocol 6 as TCP only
 * for an unfragmented packet whose segment is well formed (data offset 5-15 within the
 * packet, reserved bits clear) and whose checksum is right; otherwise it keeps the raw
 * bytes. So a TCP segment with a wrong checksum decodes as raw (receivers drop it; tools
 * that show "bad cksum" must use `decodeTcp` directly), and random raw bytes pass for TCP
 * with probability at most about 2^-20.
 */
import { internetChecksum, onesSum } from './checksum';
import { ipBytes, type Ip } from './ipv4';
import { formatMacBytes, macBytes, type Mac } from './mac';

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;

export interface EthernetFrame {
  dst: Mac;
  src: Mac;
  payload: Ipv4Packet | ArpPacket;
}

export interface ArpPacket {
  kind: 'arp';
  /** 1 request, 2 reply. */
  op: 1 | 2;
  sha: Mac;
  spa: Ip;
  tha: Mac;
  tpa: Ip;
}

export interface Ipv4Packet {
  kind: 'ipv4';
  tos: number;
  id: number;
  df: boolean;
  mf: boolean;
  /** In 8-byte units. */
  fragOffset: number;
  ttl: number;
  proto: number;
  checksum: number;
  src: Ip;
  dst: Ip;
  payload: IcmpMessage | UdpDatagram | TcpSegment | RawPayload;
}

export interface IcmpMessage {
  kind: 'icmp';
  type: number;
  code: number;
  checksum: number;
  /** The 32-bit "rest of header": identifier and sequence for echo, next-hop MTU for frag-needed. */
  rest: number;
  data: Uint8Array;
}

export interface UdpDatagram {
  kind: 'udp';
  srcPort: number;
  dstPort: number;
  checksum: number;
  payload: Uint8Array | VxlanPacket;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WSCALE = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMPS = 8;

export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  | { kind: 'mss'; mss: number }
  | { kind: 'wscale'; shift: number }
  | { kind: 'sackPermitted' }
  /** 1 to 4 blocks of [left, right) sequence numbers (RFC 2018). */
  | { kind: 'sack'; blocks: { left: number; right: number }[] }
  | { kind: 'timestamps'; tsVal: number; tsEcr: number }
  /** Any other option, or a malformed one, as its bytes on the wire (kind, length, data). */
  | { kind: 'unknown'; bytes: Uint8Array };

export interface TcpSegment {
  kind: 'tcp';
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Bitmask of TCP_FIN ... TCP_CWR (the header's byte 13). */
  flags: number;
  /** The 16-bit window field as sent (before window scaling). */
  window: number;
  checksum: number;
  urgent: number;
  /** In wire order; the encoder pads with zero bytes to a multiple of 4 (at most 40 bytes). */
  options: TcpOption[];
  data: Uint8Array;
}

export interface VxlanPacket {
  kind: 'vxlan';
  vni: number;
  inner: EthernetFrame;
}

export interface RawPayload {
  kind: 'raw';
  data: Uint8Array;
}

// ---------------------------------------------------------------------------------- builders

/** Builds an IPv4 packet and computes its header checksum. */
export function ipv4(fields: {
  src: Ip;
  dst: Ip;
  ttl?: number;
  id?: number;
  df?: boolean;
  tos?: number;
  payload: Ipv4Packet['payload'];
}): Ipv4Packet {
  const kind = fields.payload.kind;
  // A raw payload keeps protocol 6, as before TCP was modelled.
  const proto = kind === 'icmp' ? PROTO_ICMP : kind === 'udp' ? PROTO_UDP : PROTO_TCP;
  const p: Ipv4Packet = {
    kind: 'ipv4',
    tos: fields.tos ?? 0,
    id: fields.id ?? 0,
    df: fields.df ?? true,
    mf: false,
    fragOffset: 0,
    ttl: fields.ttl ?? 64,
    proto,
    checksum: 0,
    src: fields.src,
    dst: fields.dst,
    payload: fields.payload,
  };
  p.checksum = ipv4HeaderChecksum(p);
  return p;
}

/** An ICMP message with its checksum computed. */
export function icmp(type: number, code: number, rest: number, data: Uint8Array): IcmpMessage {
  const m: IcmpMessage = { kind: 'icmp', type, code, checksum: 0, rest: rest >>> 0, data };
  m.checksum = internetChecksum(encodeIcmp(m));
  return m;
}

/** Linux ping's payload: a 16-byte timeval (sent time), then bytes 0x10, 0x11, ... */
export function pingPayload(size: number, sentMs: number): Uint8Array {
  const data = new Uint8Array(size);
  if (size >= 16) {
    const sec = Math.floor(sentMs / 1000);
    const usec = Math.floor((sentMs % 1000) * 1000);
    const dv = new DataView(data.buffer);
    // struct timeval on x86_64, little-endian 64-bit fields.
    dv.setUint32(0, sec >>> 0, true);
    dv.setUint32(8, usec >>> 0, true);
  }
  for (let i = size >= 16 ? 16 : 0; i < size; i++) data[i] = i & 0xff;
  return data;
}

export function echoRequest(id: number, seq: number, data: Uint8Array): IcmpMessage {
  return icmp(ICMP_ECHO_REQUEST, 0, ((id & 0xffff) << 16) | (seq & 0xffff), data);
}

export function echoId(m: IcmpMessage): number {
  return m.rest >>> 16;
}

export function echoSeq(m: IcmpMessage): number {
  return m.rest & 0xffff;
}

/** A UDP datagram with its checksum computed over the IPv4 pseudo-header (0 = none). */
export function udp(src: Ip, dst: Ip, srcPort: number, dstPort: number, payload: UdpDatagram['payload'], withChecksum = true): UdpDatagram {
  const d: UdpDatagram = { kind: 'udp', srcPort, dstPort, checksum: 0, payload };
  if (withChecksum) d.checksum = udpChecksum(src, dst, encodeUdp(d));
  return d;
}

/**
 * The window Linux announces on a SYN or SYN-ACK (tcp_select_initial_window): 65535 rounded
 * down to a whole number of segments of `mss` (the MSS less 12 bytes of timestamps on a
 * SYN-ACK): 64240 for MSS 1460 and 64860 for 1410 on a SYN, 65160 and 64308 on a SYN-ACK.
 */
export function initialWindow(mss: number): number {
  return mss > 0 ? Math.floor(65535 / mss) * mss : 65535;
}

/**
 * A TCP segment with its checksum computed over the IPv4 pseudo-header (RFC 9293 3.1).
 * Defaults: seq and ack 0, no flags, window 64240 (Linux's first window for MSS 1460),
 * urgent 0, no options, no data.
 */
export function tcp(
  src: Ip,
  dst: Ip,
  fields: { srcPort: number; dstPort: number; seq?: number; ack?: number; flags?: number; window?: number; urgent?: number; options?: TcpOption[]; data?: Uint8Array },
): TcpSegment {
  const s: TcpSegment = {
    kind: 'tcp',
    srcPort: fields.srcPort,
    dstPort: fields.dstPort,
    seq: (fields.seq ?? 0) >>> 0,
    ack: (fields.ack ?? 0) >>> 0,
    flags: fields.flags ?? 0,
    window: fields.window ?? 64240,
    checksum: 0,
    urgent: fields.urgent ?? 0,
    options: fields.options ?? [],
    data: fields.data ?? new Uint8Array(0),
  };
  s.checksum = tcpChecksum(src, dst, s);
  return s;
}

/**
 * The options Linux puts on a SYN (tcp_syn_options): `mss 1460,sackOK,TS val N ecr 0,nop,wscale 7`,
 * 20 bytes, no padding. A SYN-ACK answering such a SYN carries the same list with `tsEcr` set.
 */
export function linuxSynOptions(mss: number, tsVal: number, tsEcr = 0, wscale = 7): TcpOption[] {
  return [{ kind: 'mss', mss }, { kind: 'sackPermitted' }, { kind: 'timestamps', tsVal: tsVal >>> 0, tsEcr: tsEcr >>> 0 }, { kind: 'nop' }, { kind: 'wscale', shift: wscale }];
}

/** The options on Linux segments after the handshake when timestamps are on: `nop,nop,TS val N ecr M`. */
export function linuxTimestampOptions(tsVal: number, tsEcr: number): TcpOption[] {
  return [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamps', tsVal: tsVal >>> 0, tsEcr: tsEcr >>> 0 }];
}

/** True when every flag in `mask` is set on the segment (or flags value). */
export function hasTcpFlags(s: TcpSegment | number, mask: number): boolean {
  const f = typeof s === 'number' ? s : s.flags;
  return (f & mask) === mask;
}

export const isSyn = (s: TcpSegment): boolean => hasTcpFlags(s, TCP_SYN);
export const isAck = (s: TcpSegment): boolean => hasTcpFlags(s, TCP_ACK);
export const isFin = (s: TcpSegment): boolean => hasTcpFlags(s, TCP_FIN);
export const isRst = (s: TcpSegment): boolean => hasTcpFlags(s, TCP_RST);
export const isPsh = (s: TcpSegment): boolean => hasTcpFlags(s, TCP_PSH);
export const isUrg = (s: TcpSegment): boolean => hasTcpFlags(s, TCP_URG);
export const isEce = (s: TcpSegment): boolean => hasTcpFlags(s, TCP_ECE);
export const isCwr = (s: TcpSegment): boolean => hasTcpFlags(s, TCP_CWR);

/**
 * The flags as tcpdump prints them between brackets: F S R P . U E W in that order
 * (`.` is ACK), `none` when no flag is set. A SYN-ACK is `S.`, a data segment `P.`.
 */
export function tcpFlagsText(flags: number): string {
  const letters: [number, string][] = [
    [TCP_FIN, 'F'],
    [TCP_SYN, 'S'],
    [TCP_RST, 'R'],
    [TCP_PSH, 'P'],
    [TCP_ACK, '.'],
    [TCP_URG, 'U'],
    [TCP_ECE, 'E'],
    [TCP_CWR, 'W'],
  ];
  const out = letters.filter(([bit]) => (flags & bit) !== 0).map(([, c]) => c).join('');
  return out === '' ? 'none' : out;
}

// ---------------------------------------------------------------------------------- lengths

export function ipv4Length(p: Ipv4Packet): number {
  return 20 + payloadLength(p.payload);
}

function payloadLength(pl: Ipv4Packet['payload']): number {
  switch (pl.kind) {
    case 'icmp':
      return 8 + pl.data.length;
    case 'udp':
      return 8 + (pl.payload instanceof Uint8Array ? pl.payload.length : 8 + frameLength(pl.payload.inner));
    case 'tcp':
      return tcpHeaderLength(pl) + pl.data.length;
    case 'raw':
      return pl.data.length;
  }
}

function tcpOptionLength(o: TcpOption): number {
  switch (o.kind) {
    case 'eol':
    case 'nop':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sackPermitted':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'timestamps':
      return 10;
    case 'unknown':
      return o.bytes.length;
  }
}

/** The options area in bytes: the options' own lengths, padded to a multiple of 4. */
export function tcpOptionsLength(options: TcpOption[]): number {
  const n = options.reduce((sum, o) => sum + tcpOptionLength(o), 0);
  return (n + 3) & ~3;
}

/** The TCP header length (data offset x 4): 20 plus the padded options. */
export function tcpHeaderLength(s: TcpSegment): number {
  return 20 + tcpOptionsLength(s.options);
}

export function frameLength(f: EthernetFrame): number {
  return 14 + (f.payload.kind === 'arp' ? 28 : ipv4Length(f.payload));
}

// ---------------------------------------------------------------------------------- encoding

export function ipv4HeaderChecksum(p: Ipv4Packet): number {
  const h = encodeIpv4Header(p, 0);
  return internetChecksum(h);
}

function encodeIpv4Header(p: Ipv4Packet, checksum: number): Uint8Array {
  const h = new Uint8Array(20);
  const total = ipv4Length(p);
  h[0] = 0x45;
  h[1] = p.tos;
  h[2] = total >>> 8;
  h[3] = total & 255;
  h[4] = p.id >>> 8;
  h[5] = p.id & 255;
  const flags = (p.df ? 0x4000 : 0) | (p.mf ? 0x2000 : 0) | (p.fragOffset & 0x1fff);
  h[6] = flags >>> 8;
  h[7] = flags & 255;
  h[8] = p.ttl;
  h[9] = p.proto;
  h[10] = checksum >>> 8;
  h[11] = checksum & 255;
  h.set(ipBytes(p.src), 12);
  h.set(ipBytes(p.dst), 16);
  return h;
}

export function encodeIcmp(m: IcmpMessage): Uint8Array {
  const b = new Uint8Array(8 + m.data.length);
  b[0] = m.type;
  b[1] = m.code;
  b[2] = m.checksum >>> 8;
  b[3] = m.checksum & 255;
  b[4] = (m.rest >>> 24) & 255;
  b[5] = (m.rest >>> 16) & 255;
  b[6] = (m.rest >>> 8) & 255;
  b[7] = m.rest & 255;
  b.set(m.data, 8);
  return b;
}

export function encodeUdp(d: UdpDatagram): Uint8Array {
  const body = d.payload instanceof Uint8Array ? d.payload : encodeVxlan(d.payload);
  const b = new Uint8Array(8 + body.length);
  b[0] = d.srcPort >>> 8;
  b[1] = d.srcPort & 255;
  b[2] = d.dstPort >>> 8;
  b[3] = d.dstPort & 255;
  b[4] = b.length >>> 8;
  b[5] = b.length & 255;
  b[6] = d.checksum >>> 8;
  b[7] = d.checksum & 255;
  b.set(body, 8);
  return b;
}

/** One's-complement sum of the IPv4 pseudo-header: source, destination, zero, protocol, length. */
function pseudoHeaderSum(src: Ip, dst: Ip, proto: number, length: number): number {
  const pseudo = new Uint8Array(12);
  pseudo.set(ipBytes(src), 0);
  pseudo.set(ipBytes(dst), 4);
  pseudo[9] = proto;
  pseudo[10] = length >>> 8;
  pseudo[11] = length & 255;
  return onesSum(pseudo);
}

function udpChecksum(src: Ip, dst: Ip, datagram: Uint8Array): number {
  const c = internetChecksum(datagram, 0, datagram.length, pseudoHeaderSum(src, dst, PROTO_UDP, datagram.length));
  return c === 0 ? 0xffff : c;
}

/**
 * The checksum a sender puts in the segment: over the pseudo-header and the whole segment
 * with the checksum field taken as zero (the stored `checksum` is ignored). Unlike UDP, a
 * computed 0 is sent as 0.
 */
export function tcpChecksum(src: Ip, dst: Ip, s: TcpSegment): number {
  const b = encodeTcp({ ...s, checksum: 0 });
  return internetChecksum(b, 0, b.length, pseudoHeaderSum(src, dst, PROTO_TCP, b.length));
}

/** A receiver's check: the segment bytes (checksum included) and pseudo-header sum to 0xffff. */
function tcpBytesChecksumOk(src: Ip, dst: Ip, segment: Uint8Array): boolean {
  return internetChecksum(segment, 0, segment.length, pseudoHeaderSum(src, dst, PROTO_TCP, segment.length)) === 0;
}

function encodeTcpOption(o: TcpOption, b: Uint8Array, at: number): void {
  switch (o.kind) {
    case 'eol':
      b[at] = TCPOPT_EOL;
      return;
    case 'nop':
      b[at] = TCPOPT_NOP;
      return;
    case 'mss':
      b.set([TCPOPT_MSS, 4, (o.mss >>> 8) & 255, o.mss & 255], at);
      return;
    case 'wscale':
      b.set([TCPOPT_WSCALE, 3, o.shift & 255], at);
      return;
    case 'sackPermitted':
      b.set([TCPOPT_SACK_PERMITTED, 2], at);
      return;
    case 'sack':
      b[at] = TCPOPT_SACK;
      b[at + 1] = 2 + 8 * o.blocks.length;
      o.blocks.forEach((blk, i) => {
        put32(b, at + 2 + 8 * i, blk.left);
        put32(b, at + 6 + 8 * i, blk.right);
      });
      return;
    case 'timestamps':
      b[at] = TCPOPT_TIMESTAMPS;
      b[at + 1] = 10;
      put32(b, at + 2, o.tsVal);
      put32(b, at + 6, o.tsEcr);
      return;
    case 'unknown':
      b.set(o.bytes, at);
      return;
  }
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 255;
  b[at + 1] = (v >>> 16) & 255;
  b[at + 2] = (v >>> 8) & 255;
  b[at + 3] = v & 255;
}

/** The segment's bytes with the stored checksum. Throws RangeError past 40 bytes of options. */
export function encodeTcp(s: TcpSegment): Uint8Array {
  const hlen = tcpHeaderLength(s);
  if (hlen > 60) throw new RangeError(`TCP options take ${hlen - 20} bytes; at most 40 fit`);
  const b = new Uint8Array(hlen + s.data.length);
  b[0] = s.srcPort >>> 8;
  b[1] = s.srcPort & 255;
  b[2] = s.dstPort >>> 8;
  b[3] = s.dstPort & 255;
  put32(b, 4, s.seq);
  put32(b, 8, s.ack);
  b[12] = (hlen / 4) << 4; // data offset; the reserved bits stay zero
  b[13] = s.flags & 255;
  b[14] = s.window >>> 8;
  b[15] = s.window & 255;
  b[16] = s.checksum >>> 8;
  b[17] = s.checksum & 255;
  b[18] = s.urgent >>> 8;
  b[19] = s.urgent & 255;
  let at = 20;
  for (const o of s.options) {
    encodeTcpOption(o, b, at);
    at += tcpOptionLength(o);
  }
  // Bytes from `at` to hlen stay zero: the padding.
  b.set(s.data, hlen);
  return b;
}

export function encodeVxlan(v: VxlanPacket): Uint8Array {
  const inner = encodeFrame(v.inner);
  const b = new Uint8Array(8 + inner.length);
  b[0] = 0x08; // I flag: VNI is valid
  b[4] = (v.vni >>> 16) & 255;
  b[5] = (v.vni >>> 8) & 255;
  b[6] = v.vni & 255;
  b.set(inner, 8);
  return b;
}

export function encodeIpv4(p: Ipv4Packet): Uint8Array {
  const pl = p.payload;
  const body = pl.kind === 'icmp' ? encodeIcmp(pl) : pl.kind === 'udp' ? encodeUdp(pl) : pl.kind === 'tcp' ? encodeTcp(pl) : pl.data;
  const b = new Uint8Array(20 + body.length);
  b.set(encodeIpv4Header(p, p.checksum), 0);
  b.set(body, 20);
  return b;
}

export function encodeFrame(f: EthernetFrame): Uint8Array {
  const body = f.payload.kind === 'arp' ? encodeArp(f.payload) : encodeIpv4(f.payload);
  const b = new Uint8Array(14 + body.length);
  b.set(macBytes(f.dst), 0);
  b.set(macBytes(f.src), 6);
  const type = f.payload.kind === 'arp' ? ETH_P_ARP : ETH_P_IP;
  b[12] = type >>> 8;
  b[13] = type & 255;
  b.set(body, 14);
  return b;
}

function encodeArp(a: ArpPacket): Uint8Array {
  const b = new Uint8Array(28);
  b.set([0, 1, 0x08, 0x00, 6, 4, 0, a.op], 0);
  b.set(macBytes(a.sha), 8);
  b.set(ipBytes(a.spa), 14);
  b.set(macBytes(a.tha), 18);
  b.set(ipBytes(a.tpa), 24);
  return b;
}

// ---------------------------------------------------------------------------------- decoding

export class DecodeError extends Error {}

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

export function decodeFrame(b: Uint8Array): EthernetFrame {
  if (b.length < 14) throw new DecodeError('short Ethernet frame');
  const type = u16(b, 12);
  const body = b.subarray(14);
  let payload: EthernetFrame['payload'];
  if (type === ETH_P_ARP) payload = decodeArp(body);
  else if (type === ETH_P_IP) payload = decodeIpv4(body);
  else throw new DecodeError(`unsupported ethertype 0x${type.toString(16)}`);
  return { dst: formatMacBytes(b, 0), src: formatMacBytes(b, 6), payload };
}

function decodeArp(b: Uint8Array): ArpPacket {
  if (b.length < 28) throw new DecodeError('short ARP packet');
  const op = u16(b, 6);
  if (op !== 1 && op !== 2) throw new DecodeError(`ARP op ${op}`);
  return { kind: 'arp', op, sha: formatMacBytes(b, 8), spa: u32(b, 14), tha: formatMacBytes(b, 18), tpa: u32(b, 24) };
}

export function decodeIpv4(b: Uint8Array): Ipv4Packet {
  if (b.length < 20 || b[0] !== 0x45) throw new DecodeError('not an option-less IPv4 header');
  const total = u16(b, 2);
  if (total > b.length || total < 20) throw new DecodeError('bad IPv4 total length');
  const flags = u16(b, 6);
  // The reserved flag (RFC 791; the "evil bit" of RFC 3514) has no field in Ipv4Packet:
  // refused like IP options, so no bit is silently lost (a flipped bit would otherwise
  // decode to a packet whose checksum still looks right).
  if ((flags & 0x8000) !== 0) throw new DecodeError('IPv4 reserved flag set');
  const proto = b[9]!;
  const src = u32(b, 12);
  const dst = u32(b, 16);
  const body = b.slice(20, total);
  let payload: Ipv4Packet['payload'];
  if (proto === PROTO_ICMP && body.length >= 8) {
    payload = { kind: 'icmp', type: body[0]!, code: body[1]!, checksum: u16(body, 2), rest: u32(body, 4), data: body.slice(8) };
  } else if (proto === PROTO_UDP && body.length >= 8) {
    const srcPort = u16(body, 0);
    const dstPort = u16(body, 2);
    const udpLength = u16(body, 4);
    if (udpLength < 8 || udpLength > body.length) throw new DecodeError('bad udp length');
    const data = body.slice(8, udpLength);
    const isVxlan = dstPort === 8472 || dstPort === 4789;
    payload = {
      kind: 'udp',
      srcPort,
      dstPort,
      checksum: u16(body, 6),
      payload: isVxlan && data.length >= 22 && data[0] === 0x08 ? { kind: 'vxlan', vni: (data[4]! << 16) | (data[5]! << 8) | data[6]!, inner: decodeFrame(data.subarray(8)) } : data,
    };
  } else {
    const seg = proto === PROTO_TCP && (flags & 0x3fff) === 0 ? tryDecodeTcp(body) : undefined;
    payload = seg !== undefined && tcpBytesChecksumOk(src, dst, body) ? seg : { kind: 'raw', data: body };
  }
  return {
    kind: 'ipv4',
    tos: b[1]!,
    id: u16(b, 4),
    df: (flags & 0x4000) !== 0,
    mf: (flags & 0x2000) !== 0,
    fragOffset: flags & 0x1fff,
    ttl: b[8]!,
    proto,
    checksum: u16(b, 10),
    src,
    dst,
    payload,
  };
}

function tryDecodeTcp(b: Uint8Array): TcpSegment | undefined {
  try {
    return decodeTcp(b);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/**
 * Decodes a TCP segment (the IPv4 payload, exactly `b`), whatever its checksum. Throws
 * DecodeError when it is not a header this model represents: shorter than 20 bytes, a
 * data offset below 5 or past the end, or a reserved bit set.
 */
export function decodeTcp(b: Uint8Array): TcpSegment {
  if (b.length < 20) throw new DecodeError('short TCP segment');
  const hlen = (b[12]! >>> 4) * 4;
  if (hlen < 20 || hlen > b.length) throw new DecodeError(`bad TCP data offset ${hlen / 4}`);
  if ((b[12]! & 0x0f) !== 0) throw new DecodeError('TCP reserved bits set');
  return {
    kind: 'tcp',
    srcPort: u16(b, 0),
    dstPort: u16(b, 2),
    seq: u32(b, 4),
    ack: u32(b, 8),
    flags: b[13]!,
    window: u16(b, 14),
    checksum: u16(b, 16),
    urgent: u16(b, 18),
    options: decodeTcpOptions(b.subarray(20, hlen)),
    data: b.slice(hlen),
  };
}

/**
 * Parses an options area (a multiple of 4 bytes). Total: whatever the bytes, the result
 * encodes back to them (malformed options and tails become `unknown`). The trailing zero
 * bytes the encoder would add as padding (up to three) are dropped, not listed as EOL.
 */
export function decodeTcpOptions(b: Uint8Array): TcpOption[] {
  const out: TcpOption[] = [];
  let i = 0;
  while (i < b.length) {
    const kind = b[i]!;
    if (kind === TCPOPT_EOL || kind === TCPOPT_NOP) {
      out.push({ kind: kind === TCPOPT_EOL ? 'eol' : 'nop' });
      i += 1;
      continue;
    }
    const len = i + 1 < b.length ? b[i + 1]! : 0;
    if (len < 2 || i + len > b.length) {
      out.push({ kind: 'unknown', bytes: b.slice(i) });
      break;
    }
    if (kind === TCPOPT_MSS && len === 4) out.push({ kind: 'mss', mss: u16(b, i + 2) });
    else if (kind === TCPOPT_WSCALE && len === 3) out.push({ kind: 'wscale', shift: b[i + 2]! });
    else if (kind === TCPOPT_SACK_PERMITTED && len === 2) out.push({ kind: 'sackPermitted' });
    else if (kind === TCPOPT_TIMESTAMPS && len === 10) out.push({ kind: 'timestamps', tsVal: u32(b, i + 2), tsEcr: u32(b, i + 6) });
    else if (kind === TCPOPT_SACK && len > 2 && (len - 2) % 8 === 0) {
      const blocks: { left: number; right: number }[] = [];
      for (let j = i + 2; j < i + len; j += 8) blocks.push({ left: u32(b, j), right: u32(b, j + 4) });
      out.push({ kind: 'sack', blocks });
    } else out.push({ kind: 'unknown', bytes: b.slice(i, i + len) });
    i += len;
  }
  // Padding: drop up to three trailing EOLs (the encoder writes them back to reach a word boundary).
  for (let n = 0; n < 3 && out.length > 0 && out[out.length - 1]!.kind === 'eol'; n++) out.pop();
  return out;
}

/** True when the stored IPv4 header checksum (and the ICMP/UDP/TCP checksum) are right. */
export function checksumsValid(p: Ipv4Packet): boolean {
  const bytes = encodeIpv4(p);
  if (internetChecksum(bytes, 0, 20) !== 0) return false;
  const pl = p.payload;
  if (pl.kind === 'icmp') return internetChecksum(bytes, 20) === 0;
  if (pl.kind === 'udp') {
    if (pl.checksum !== 0 && udpChecksum(p.src, p.dst, withZeroChecksum(bytes.subarray(20))) !== pl.checksum) return false;
    if (!(pl.payload instanceof Uint8Array) && pl.payload.inner.payload.kind === 'ipv4') return checksumsValid(pl.payload.inner.payload);
  }
  if (pl.kind === 'tcp') return tcpBytesChecksumOk(p.src, p.dst, bytes.subarray(20));
  return true;
}

function withZeroChecksum(udpBytes: Uint8Array): Uint8Array {
  const c = udpBytes.slice();
  c[6] = 0;
  c[7] = 0;
  return c;
}
