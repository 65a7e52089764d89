import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { internetChecksum } from './checksum';
import { ip } from './ipv4';
import {
  DecodeError,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  PROTO_ICMP,
  PROTO_TCP,
  PROTO_UDP,
  checksumsValid,
  decodeFrame,
  decodeIpv4,
  echoId,
  echoRequest,
  echoSeq,
  encodeFrame,
  encodeIpv4,
  frameLength,
  icmp,
  ipv4,
  ipv4Length,
  pingPayload,
  udp,
  type ArpPacket,
  type EthernetFrame,
  type Ipv4Packet,
} from './packet';

// ------------------------------------------------------------------------------ generators

const arbIp = fc.integer({ min: 0, max: 0xffffffff });
const arbMac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'));
/** UDP ports other than the VXLAN ones (the decoder reads 8472/4789 payloads as VXLAN). */
const arbPort = fc.integer({ min: 0, max: 0xffff }).filter((p) => p !== 8472 && p !== 4789);

const arbEcho = fc
  .record({ src: arbIp, dst: arbIp, ttl: fc.integer({ min: 1, max: 255 }), id: fc.nat(0xffff), df: fc.boolean(), tos: fc.nat(255), reply: fc.boolean(), icmpId: fc.nat(0xffff), seq: fc.nat(0xffff), data: fc.uint8Array({ maxLength: 300 }) })
  .map((r) =>
    ipv4({
      src: r.src,
      dst: r.dst,
      ttl: r.ttl,
      id: r.id,
      df: r.df,
      tos: r.tos,
      payload: r.reply ? icmp(ICMP_ECHO_REPLY, 0, ((r.icmpId << 16) | r.seq) >>> 0, r.data) : echoRequest(r.icmpId, r.seq, r.data),
    }),
  );

const arbUdp = fc
  .record({ src: arbIp, dst: arbIp, sport: arbPort, dport: arbPort, data: fc.uint8Array({ maxLength: 300 }), sum: fc.boolean() })
  .map((r) => ipv4({ src: r.src, dst: r.dst, payload: udp(r.src, r.dst, r.sport, r.dport, r.data, r.sum) }));

const arbRaw = fc.record({ src: arbIp, dst: arbIp, data: fc.uint8Array({ maxLength: 100 }) }).map((r) => ipv4({ src: r.src, dst: r.dst, payload: { kind: 'raw', data: r.data } }));

const arbIpv4 = fc.oneof(arbEcho, arbUdp, arbRaw);

const arbArp: fc.Arbitrary<ArpPacket> = fc.record({ op: fc.constantFrom(1 as const, 2 as const), sha: arbMac, spa: arbIp, tha: arbMac, tpa: arbIp }).map((r) => ({ kind: 'arp' as const, ...r }));

const arbFrame = (payload: fc.Arbitrary<Ipv4Packet | ArpPacket>): fc.Arbitrary<EthernetFrame> => fc.record({ dst: arbMac, src: arbMac, payload });

/** VXLAN-in-UDP as flannel sends it: outer UDP checksum 0, DF clear. */
const arbVxlan = fc
  .record({ outerSrc: arbIp, outerDst: arbIp, sport: fc.integer({ min: 32768, max: 60999 }), vni: fc.nat(0xffffff), inner: arbFrame(fc.oneof(arbEcho, arbArp)), dst: arbMac, src: arbMac })
  .map(
    (r): EthernetFrame => ({
      dst: r.dst,
      src: r.src,
      payload: ipv4({ src: r.outerSrc, dst: r.outerDst, df: false, payload: udp(r.outerSrc, r.outerDst, r.sport, 8472, { kind: 'vxlan', vni: r.vni, inner: r.inner }, false) }),
    }),
  );

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

// ------------------------------------------------------------------------------ round trips

describe('encode/decode round trips', () => {
  it('Ethernet + IPv4 + ICMP echo', () => {
    fc.assert(
      fc.property(arbFrame(arbEcho), (f) => {
        const bytes = encodeFrame(f);
        expect(bytes.length).toBe(frameLength(f));
        expect(decodeFrame(bytes)).toEqual(f);
      }),
    );
  });

  it('Ethernet + ARP', () => {
    fc.assert(
      fc.property(arbFrame(arbArp), (f) => {
        const bytes = encodeFrame(f);
        expect(bytes.length).toBe(14 + 28);
        expect(decodeFrame(bytes)).toEqual(f);
      }),
    );
  });

  it('IPv4 + UDP (with and without checksum) and raw payloads', () => {
    fc.assert(
      fc.property(arbFrame(fc.oneof(arbUdp, arbRaw)), (f) => {
        expect(decodeFrame(encodeFrame(f))).toEqual(f);
      }),
    );
  });

  it('VXLAN in UDP with an inner Ethernet frame', () => {
    fc.assert(
      fc.property(arbVxlan, (f) => {
        const bytes = encodeFrame(f);
        expect(bytes.length).toBe(frameLength(f));
        expect(decodeFrame(bytes)).toEqual(f);
      }),
    );
  });

  it('IPv4 flags and fragment offset survive a round trip', () => {
    fc.assert(
      fc.property(arbIpv4, fc.boolean(), fc.nat(0x1fff), (p, mf, off) => {
        const q: Ipv4Packet = { ...p, mf, fragOffset: off, checksum: 0 };
        expect(decodeIpv4(encodeIpv4(q))).toEqual(q);
      }),
    );
  });

  it('refuses what it cannot decode', () => {
    expect(() => decodeFrame(new Uint8Array(13))).toThrow(DecodeError);
    const f = encodeFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', payload: ipv4({ src: 1, dst: 2, payload: echoRequest(1, 1, new Uint8Array(4)) }) });
    const v6 = f.slice();
    v6[12] = 0x86;
    v6[13] = 0xdd;
    expect(() => decodeFrame(v6)).toThrow(/ethertype 0x86dd/);
    const options = f.slice();
    options[14] = 0x46; // IHL 6: options are not modelled
    expect(() => decodeFrame(options)).toThrow(DecodeError);
    expect(() => decodeIpv4(encodeIpv4(ipv4({ src: 1, dst: 2, payload: { kind: 'raw', data: new Uint8Array(10) } })).slice(0, 25))).toThrow(/total length/);
  });
});

// ------------------------------------------------------------------------------ bytes on the wire

describe('IPv4 and ICMP bytes (RFC 791, RFC 792, docs/reference/fidelity.md 8)', () => {
  const sent = Date.UTC(2025, 2, 14, 9, 30, 0) + 123;
  const req = ipv4({ src: ip('10.244.2.3'), dst: ip('10.244.1.2'), ttl: 64, id: 0x1234, payload: echoRequest(7, 1, pingPayload(56, sent)) });
  const b = encodeIpv4(req);

  it('a 56-byte ping is an 84-byte IPv4 packet: version 4, IHL 5, DF set', () => {
    expect(b.length).toBe(84);
    expect(b[0]).toBe(0x45);
    expect(b[1]).toBe(0); // TOS
    expect(u16(b, 2)).toBe(84); // total length
    expect(u16(b, 4)).toBe(0x1234); // identification
    expect(u16(b, 6)).toBe(0x4000); // DF, offset 0
    expect(b[8]).toBe(64);
    expect(b[9]).toBe(PROTO_ICMP);
    expect(hex(b.subarray(12, 16))).toBe('0a f4 02 03');
    expect(hex(b.subarray(16, 20))).toBe('0a f4 01 02');
    expect(ipv4Length(req)).toBe(84);
  });

  it('the header checksum field makes the header sum to zero', () => {
    expect(u16(b, 10)).toBe(req.checksum);
    expect(internetChecksum(b, 0, 20)).toBe(0);
  });

  it('ICMP echo request: type 8 code 0, identifier, sequence, checksum over the whole message', () => {
    expect(b[20]).toBe(ICMP_ECHO_REQUEST);
    expect(b[20]).toBe(8);
    expect(b[21]).toBe(0);
    expect(u16(b, 24)).toBe(7);
    expect(u16(b, 26)).toBe(1);
    expect(internetChecksum(b, 20)).toBe(0);
    const m = req.payload;
    if (m.kind !== 'icmp') throw new Error('not ICMP');
    expect(echoId(m)).toBe(7);
    expect(echoSeq(m)).toBe(1);
  });

  it('an echo reply is type 0', () => {
    const rep = encodeIpv4(ipv4({ src: 1, dst: 2, payload: icmp(ICMP_ECHO_REPLY, 0, (7 << 16) | 1, new Uint8Array(8)) }));
    expect(rep[20]).toBe(0);
    expect(internetChecksum(rep, 20)).toBe(0);
  });

  it('DF clear gives flags 0; MF is 0x2000; the offset counts 8-byte units', () => {
    const p = ipv4({ src: 1, dst: 2, df: false, payload: { kind: 'raw', data: new Uint8Array(0) } });
    expect(u16(encodeIpv4(p), 6)).toBe(0);
    expect(u16(encodeIpv4({ ...p, mf: true, fragOffset: 185 }), 6)).toBe(0x2000 | 185);
    expect(u16(encodeIpv4({ ...p, df: true, mf: true, fragOffset: 0x1fff }), 6)).toBe(0x7fff);
  });

  it('protocol numbers: ICMP 1, TCP 6 (raw payload), UDP 17', () => {
    expect(PROTO_ICMP).toBe(1);
    expect(PROTO_TCP).toBe(6);
    expect(PROTO_UDP).toBe(17);
    expect(encodeIpv4(ipv4({ src: 1, dst: 2, payload: udp(1, 2, 1000, 53, new Uint8Array(4)) }))[9]).toBe(17);
    expect(encodeIpv4(ipv4({ src: 1, dst: 2, payload: { kind: 'raw', data: new Uint8Array(20) } }))[9]).toBe(6);
  });

  it('RFC 1071 vector: a UDP header 192.168.0.1 -> 192.168.0.199, length 0x73, checksums to b861', () => {
    const p = ipv4({ src: ip('192.168.0.1'), dst: ip('192.168.0.199'), ttl: 0x40, id: 0, df: true, payload: udp(0, 0, 1, 2, new Uint8Array(0x73 - 28), false) });
    expect(hex(encodeIpv4(p).subarray(0, 20))).toBe('45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7');
  });
});

describe('Linux ping payload (docs/reference/fidelity.md 8)', () => {
  it('is a 16-byte little-endian timeval, then 0x10, 0x11, ... 0x37 for 56 bytes', () => {
    const t = 1_741_944_600_123; // 2025-03-14T09:30:00.123Z
    const d = pingPayload(56, t);
    expect(d.length).toBe(56);
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    expect(dv.getBigUint64(0, true)).toBe(1_741_944_600n); // tv_sec
    expect(dv.getBigUint64(8, true)).toBe(123_000n); // tv_usec
    expect([...d.subarray(16)]).toEqual(Array.from({ length: 40 }, (_, i) => 0x10 + i));
    expect(d[16]).toBe(0x10);
    expect(d[55]).toBe(0x37);
  });

  it('keeps the same pattern for other sizes (byte i is i mod 256 after the timeval)', () => {
    const d = pingPayload(300, 0);
    for (let i = 16; i < 300; i++) expect(d[i]).toBe(i & 0xff);
    expect(pingPayload(0, 0).length).toBe(0);
  });
});

describe('VXLAN encapsulation bytes (RFC 7348, docs/reference/fidelity.md 6)', () => {
  const innerIp = ipv4({ src: ip('10.244.2.3'), dst: ip('10.244.1.2'), ttl: 63, payload: echoRequest(1, 0, pingPayload(56, 0)) });
  const inner: EthernetFrame = { dst: 'ce:26:4a:8b:ff:c8', src: '72:9a:b0:e7:bc:77', payload: innerIp };
  const outerSrc = ip('192.168.49.4');
  const outerDst = ip('192.168.49.3');
  const outer = ipv4({ src: outerSrc, dst: outerDst, df: false, payload: udp(outerSrc, outerDst, 50012, 8472, { kind: 'vxlan', vni: 1, inner }, false) });
  const b = encodeFrame({ dst: '82:c0:7f:23:19:19', src: '56:9b:b9:2a:a5:a6', payload: outer });

  it('lays out outer Ethernet | outer IPv4 | UDP | VXLAN | inner Ethernet | inner IPv4', () => {
    expect(hex(b.subarray(12, 14))).toBe('08 00');
    expect(b[14]).toBe(0x45);
    expect(b[14 + 9]).toBe(17);
    expect(hex(b.subarray(14 + 12, 14 + 20))).toBe('c0 a8 31 04 c0 a8 31 03');
    const udpAt = 34;
    expect(u16(b, udpAt)).toBe(50012);
    expect(u16(b, udpAt + 2)).toBe(8472);
    expect(u16(b, udpAt + 4)).toBe(8 + 8 + 14 + 84); // UDP length
    expect(u16(b, udpAt + 6)).toBe(0); // no UDP checksum
    expect(hex(b.subarray(42, 50))).toBe('08 00 00 00 00 00 01 00');
    expect(hex(b.subarray(50, 56))).toBe('ce 26 4a 8b ff c8'); // inner dst: remote flannel.1
    expect(hex(b.subarray(56, 62))).toBe('72 9a b0 e7 bc 77');
    expect(hex(b.subarray(62, 64))).toBe('08 00');
    expect(b[64]).toBe(0x45);
    expect(b[64 + 8]).toBe(63);
  });

  it('adds exactly 50 bytes to the inner IPv4 packet (so 1450 inside fits 1500 outside)', () => {
    expect(ipv4Length(outer)).toBe(ipv4Length(innerIp) + 50);
    const big = ipv4({ src: 1, dst: 2, payload: echoRequest(1, 0, pingPayload(1422, 0)) });
    expect(ipv4Length(big)).toBe(1450);
    const wrapped = ipv4({ src: 3, dst: 4, df: false, payload: udp(3, 4, 40000, 8472, { kind: 'vxlan', vni: 1, inner: { dst: inner.dst, src: inner.src, payload: big } }, false) });
    expect(ipv4Length(wrapped)).toBe(1500);
  });

  it('puts a 24-bit VNI big-endian in bytes 4-6', () => {
    const v = ipv4({ src: 1, dst: 2, payload: udp(1, 2, 40000, 8472, { kind: 'vxlan', vni: 0xabcdef, inner }, false) });
    expect(hex(encodeIpv4(v).subarray(28, 36))).toBe('08 00 00 00 ab cd ef 00');
  });
});

// ------------------------------------------------------------------------------ checksumsValid

describe('checksumsValid', () => {
  it('is true for every built packet', () => {
    fc.assert(
      fc.property(fc.oneof(arbIpv4, arbVxlan.map((f) => f.payload as Ipv4Packet)), (p) => {
        expect(checksumsValid(p)).toBe(true);
      }),
    );
  });

  /** True when the corrupted bytes are refused by the decoder or fail a checksum. */
  const rejected = (bytes: Uint8Array): boolean => {
    try {
      return !checksumsValid(decodeIpv4(bytes));
    } catch (e) {
      if (e instanceof DecodeError) return true;
      throw e;
    }
  };

  it('is false after any byte of an ICMP echo packet is corrupted', () => {
    fc.assert(
      fc.property(arbEcho, fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, mask) => {
        const bytes = encodeIpv4(p);
        bytes[at % bytes.length]! ^= mask;
        expect(rejected(bytes)).toBe(true);
      }),
    );
  });

  it('is false after any byte of a checksummed UDP datagram is corrupted', () => {
    const arb = fc.record({ src: arbIp, dst: arbIp, sport: arbPort, dport: arbPort, data: fc.uint8Array({ maxLength: 100 }) }).map((r) => ipv4({ src: r.src, dst: r.dst, payload: udp(r.src, r.dst, r.sport, r.dport, r.data) }));
    fc.assert(
      fc.property(arb, fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, mask) => {
        const bytes = encodeIpv4(p);
        const i = at % bytes.length;
        if (i === 26 || i === 27) return; // the UDP checksum field itself: 0 means "none"
        if (i === 24 || i === 25) return; // the UDP length field: its own test below
        bytes[i]! ^= mask;
        expect(rejected(bytes)).toBe(true);
      }),
    );
  });

  // RFC 768 receivers drop a datagram whose length field exceeds the bytes present
  // (tcpdump prints "bad udp length"); the decoder refuses it.
  it('a UDP length field larger than the datagram is refused', () => {
    const p = ipv4({ src: 1, dst: 2, payload: udp(1, 2, 1000, 2000, new Uint8Array([1, 2, 3, 4])) });
    const bytes = encodeIpv4(p);
    expect(u16(bytes, 24)).toBe(12);
    bytes[24] = 0x01; // length 0x010c: far more than the 12 bytes present
    expect(rejected(bytes)).toBe(true);
  });

  it('checks the inner packet of a VXLAN frame: corrupting its IPv4 header is caught', () => {
    fc.assert(
      fc.property(arbVxlan.filter((f) => (f.payload as Ipv4Packet).payload.kind === 'udp' && innerIsIp(f)), fc.nat(19), fc.integer({ min: 1, max: 255 }), (f, at, mask) => {
        const bytes = encodeIpv4(f.payload as Ipv4Packet);
        // outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 = 50
        bytes[50 + at]! ^= mask;
        expect(rejected(bytes)).toBe(true);
      }),
    );
  });

  it('a wrong stored header checksum is caught', () => {
    const p = ipv4({ src: 1, dst: 2, payload: echoRequest(1, 1, new Uint8Array(8)) });
    expect(checksumsValid({ ...p, checksum: (p.checksum + 1) & 0xffff })).toBe(false);
    expect(checksumsValid({ ...p, ttl: p.ttl - 1 })).toBe(false); // TTL changed without patching
  });
});

function innerIsIp(f: EthernetFrame): boolean {
  const p = f.payload as Ipv4Packet;
  return p.payload.kind === 'udp' && !(p.payload.payload instanceof Uint8Array) && p.payload.payload.inner.payload.kind === 'ipv4';
}
