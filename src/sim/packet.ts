/**
 * Frames and packets, and their exact bytes.
 *
 * Design notes: the forwarding engine works on decoded structures (cheap to inspect and
 * patch), and every structure encodes to the bytes a real host would put on the wire:
 * Ethernet II, ARP (RFC 826), IPv4 (RFC 791) with its header checksum, ICMP (RFC 792),
 * UDP (RFC 768) with its pseudo-header checksum, and VXLAN (RFC 7348). decode(encode(x))
 * gives x back. Checksums are stored in the structures, set when a packet is built and
 * patched incrementally when a router changes the TTL, as the kernel does; `encode` writes
 * the stored value, so a wrong update would show up as a bad checksum in a capture.
 * Left out for now: IP options, TCP (the IPv4 payload is kept as raw bytes).
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
  payload: IcmpMessage | UdpDatagram | RawPayload;
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
  const proto = fields.payload.kind === 'icmp' ? PROTO_ICMP : fields.payload.kind === 'udp' ? PROTO_UDP : PROTO_TCP;
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
    case 'raw':
      return pl.data.length;
  }
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

function udpChecksum(src: Ip, dst: Ip, datagram: Uint8Array): number {
  const pseudo = new Uint8Array(12);
  pseudo.set(ipBytes(src), 0);
  pseudo.set(ipBytes(dst), 4);
  pseudo[9] = PROTO_UDP;
  pseudo[10] = datagram.length >>> 8;
  pseudo[11] = datagram.length & 255;
  const c = internetChecksum(datagram, 0, datagram.length, onesSum(pseudo));
  return c === 0 ? 0xffff : c;
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
  const body = pl.kind === 'icmp' ? encodeIcmp(pl) : pl.kind === 'udp' ? encodeUdp(pl) : pl.data;
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
    payload = { kind: 'raw', data: body };
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

/** True when the stored IPv4 header checksum (and the ICMP/UDP checksum) are right. */
export function checksumsValid(p: Ipv4Packet): boolean {
  const bytes = encodeIpv4(p);
  if (internetChecksum(bytes, 0, 20) !== 0) return false;
  const pl = p.payload;
  if (pl.kind === 'icmp') return internetChecksum(bytes, 20) === 0;
  if (pl.kind === 'udp') {
    if (pl.checksum !== 0 && udpChecksum(p.src, p.dst, withZeroChecksum(bytes.subarray(20))) !== pl.checksum) return false;
    if (!(pl.payload instanceof Uint8Array) && pl.payload.inner.payload.kind === 'ipv4') return checksumsValid(pl.payload.inner.payload);
  }
  return true;
}

function withZeroChecksum(udpBytes: Uint8Array): Uint8Array {
  const c = udpBytes.slice();
  c[6] = 0;
  c[7] = 0;
  return c;
}
