import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { internetChecksum } from './checksum';
import { ip } from './ipv4';
import { decodeIpv4, echoRequest, encodeFrame, encodeIpv4, ipv4, pingPayload, tcp, TCP_SYN, udp } from './packet';
import {
  bitRangeText,
  checksumWork,
  decodeHeader,
  editField,
  encodeHeader,
  FIELD_SPECS,
  fieldBytes,
  FieldError,
  FIXED_FIELDS,
  locatePacket,
  readBits,
  readPacket,
  recomputeChecksum,
  routerDecrementTtl,
  writeBits,
  type FixedFieldId,
  type HeaderValues,
} from './ipv4-fields';

const hex = (text: string): Uint8Array => Uint8Array.from(text.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));
const field = (b: Uint8Array, id: string) => readPacket(b).fields.find((f) => f.id === id)!;

/**
 * The first echo request of `ping -c 1 192.168.2.10` in the packets lab (seed 1), as the
 * sandbox's pcap holds it. tshark 4.x on that file: Version 4, Header Length 20 bytes (5),
 * DSCP CS0, ECN Not-ECT, Total Length 84, Identification 0x78c9 (30921), Flags 0x2 Don't
 * fragment, Fragment Offset 0, TTL 64, Protocol ICMP (1), Header Checksum 0x3d21 [correct];
 * after router-1 (TTL 63) the checksum is 0x3e21 [correct].
 */
const PING = hex(`4500 0054 78c9 4000 4001 3d21 c0a8 0164 c0a8 020a 0800 dfd5 6cf7 0001 18f7 d367
  0000 0000 0000 0000 0000 0000 1011 1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223
  2425 2627 2829 2a2b 2c2d 2e2f 3031 3233 3435 3637`);

/**
 * An IGMPv2 membership report with the router alert option (RFC 2113), as hosts send them:
 * IHL 6, DSCP CS6, TTL 1. tshark 4.x: Header Length 24 bytes (6), DSCP CS6, Total Length 32,
 * Flags 0x2, TTL 1, Protocol IGMP (2), Header Checksum 0x4110 [correct], Options (4 bytes),
 * Router Alert.
 */
const IGMP = hex('46c0 0020 0000 4000 0102 4110 c0a8 0164 e000 00fb 9404 0000 1600 0904 e000 00fb');

describe('the field table', () => {
  it('gives the bytes each field lies in, shared bytes included', () => {
    expect(fieldBytes('version')).toEqual({ offset: 0, length: 1 });
    expect(fieldBytes('ihl')).toEqual({ offset: 0, length: 1 });
    expect(fieldBytes('ecn')).toEqual({ offset: 1, length: 1 });
    expect(fieldBytes('flags')).toEqual({ offset: 6, length: 1 });
    expect(fieldBytes('fragmentOffset')).toEqual({ offset: 6, length: 2 });
    expect(fieldBytes('ttl')).toEqual({ offset: 8, length: 1 });
    expect(fieldBytes('destination')).toEqual({ offset: 16, length: 4 });
  });

  it('lays the fixed fields over the 160 bits of RFC 791 in order, without gaps or overlaps', () => {
    let bit = 0;
    for (const id of FIXED_FIELDS) {
      const s = FIELD_SPECS.find((f) => f.id === id)!;
      expect(s.bit, id).toBe(bit);
      bit += s.bits;
    }
    expect(bit).toBe(160);
    expect(FIELD_SPECS.filter((s) => s.bits > 0).map((s) => [s.short, s.bits])).toEqual([
      ['Version', 4],
      ['IHL', 4],
      ['DSCP', 6],
      ['ECN', 2],
      ['Total length', 16],
      ['Identification', 16],
      ['Flags', 3],
      ['Fragment offset', 13],
      ['TTL', 8],
      ['Protocol', 8],
      ['Checksum', 16],
      ['Source', 32],
      ['Destination', 32],
    ]);
  });

  it('gives every field a one-sentence meaning, and says why the fixed ones are not edited', () => {
    for (const s of FIELD_SPECS) {
      expect(s.meaning, s.id).toMatch(/^[A-Z].*\.$/);
      expect(s.meaning.split(/\. /).length, s.id).toBe(1);
      expect(s.input !== undefined || s.fixed !== undefined, s.id).toBe(true);
    }
  });

  it('names bit ranges by byte, as the diagram rows hold them', () => {
    expect(bitRangeText(0, 4)).toBe('bits 0–3 (the top 4 bits of byte 0)');
    expect(bitRangeText(4, 4)).toBe('bits 4–7 (the low 4 bits of byte 0)');
    expect(bitRangeText(8, 6)).toBe('bits 8–13 (the top 6 bits of byte 1)');
    expect(bitRangeText(14, 2)).toBe('bits 14–15 (the low 2 bits of byte 1)');
    expect(bitRangeText(16, 16)).toBe('bits 16–31 (bytes 2–3)');
    expect(bitRangeText(48, 3)).toBe('bits 48–50 (the top 3 bits of byte 6)');
    expect(bitRangeText(51, 13)).toBe('bits 51–63 (the low 5 bits of byte 6, byte 7)');
    expect(bitRangeText(64, 8)).toBe('bits 64–71 (byte 8)');
    expect(bitRangeText(49, 1)).toBe('bit 49 (bit 1 of byte 6)');
    expect(bitRangeText(12, 8)).toBe('bits 12–19 (the low 4 bits of byte 1, the top 4 bits of byte 2)');
  });
});

describe('reading a header', () => {
  it('reads the sandbox ping as tshark does', () => {
    const r = readPacket(PING);
    expect(Object.fromEntries(r.fields.map((f) => [f.id, f.text]))).toEqual({
      version: '4',
      ihl: '5 (20 bytes)',
      dscp: '0 (CS0, best effort)',
      ecn: '00 (Not-ECT, no ECN)',
      totalLength: '84 bytes',
      identification: '30921 (0x78c9)',
      flags: '010 (DF)',
      fragmentOffset: '0 (0 bytes)',
      ttl: '64',
      protocol: '1 (ICMP)',
      checksum: '0x3d21 (correct)',
      source: '192.168.1.100',
      destination: '192.168.2.10',
      payload: '64 bytes: ICMP echo request, id 27895, seq 1, length 64; checksum 0xdfd5 (correct)',
    });
    expect(r.headerLength).toBe(20);
    expect(r.end).toBe(84);
    expect(r.notes).toEqual([]);
    expect(r.payload).toMatchObject({ offset: 20, length: 64, protocol: 'ICMP', headerLength: 8, checksumValid: true });
    expect(field(PING, 'ttl').range).toBe('bits 64–71 (byte 8)');
  });

  it('agrees with packet.ts on every packet the sandbox builds', () => {
    const src = ip('10.244.1.2');
    const dst = ip('10.244.2.3');
    const packets = [
      ipv4({ src, dst, id: 7, payload: echoRequest(0x1234, 3, pingPayload(56, 1741944600000)) }),
      ipv4({ src, dst, ttl: 63, df: false, payload: udp(src, dst, 40000, 53, new Uint8Array(30)) }),
      ipv4({ src, dst, tos: 0xb8, payload: tcp(src, dst, { srcPort: 40000, dstPort: 80, seq: 99, flags: TCP_SYN }) }),
    ];
    for (const p of packets) {
      const b = encodeIpv4(p);
      const r = readPacket(b);
      expect(r.values).toMatchObject({ version: 4, ihl: 5, dscp: p.tos >> 2, ecn: p.tos & 3, totalLength: b.length, identification: p.id, flags: p.df ? 2 : 0, ttl: p.ttl, protocol: p.proto, checksum: p.checksum, source: p.src, destination: p.dst });
      expect(r.checksum.valid).toBe(true);
      expect(r.payload.checksumValid).toBe(true);
    }
    expect(readPacket(encodeIpv4(packets[2]!)).payload.summary).toBe('TCP 40000 > 80: Flags [S], seq 99, ack 0, win 64240, length 0; checksum ' + `0x${encodeIpv4(packets[2]!).subarray(36, 38).reduce((a, x) => a * 256 + x, 0).toString(16).padStart(4, '0')}` + ' (correct)');
    expect(readPacket(encodeIpv4(packets[1]!)).payload.summary).toMatch(/^UDP 40000 > 53, length 30; checksum 0x[0-9a-f]{4} \(correct\)$/);
  });

  it('reads options, as tshark reads the IGMP report with a router alert', () => {
    const r = readPacket(IGMP);
    expect(r.headerLength).toBe(24);
    expect(r.values.ihl).toBe(6);
    expect(field(IGMP, 'dscp').text).toBe('48 (CS6)');
    expect(field(IGMP, 'protocol').text).toBe('2 (IGMP)');
    expect(field(IGMP, 'checksum').text).toBe('0x4110 (correct)');
    expect(r.options).toEqual([{ type: 148, name: 'router alert', offset: 20, length: 4 }]);
    expect(field(IGMP, 'options')).toMatchObject({ bit: 160, bits: 32, text: '4 bytes: router alert', range: 'bits 160–191 (bytes 20–23)' });
    expect(field(IGMP, 'payload')).toMatchObject({ bit: 192, bits: 64, range: 'bytes 24–31' });
    expect(checksumWork(IGMP).words).toHaveLength(12);
  });

  it('says what a receiver would object to', () => {
    const bad = PING.slice();
    bad[0] = 0x44;
    bad[6] = 0xc0;
    bad[8] = 0;
    expect(readPacket(bad).notes).toEqual([
      'IHL 4 is below 5: no header is shorter than 20 bytes, so a receiver drops this packet.',
      'The reserved flag is set: RFC 791 says it must be 0, though a Linux receiver ignores it and takes the packet.',
      'TTL 0: a router drops this packet instead of forwarding it.',
      'The header checksum is wrong (the header needs 0xfe20): every router and receiver drops this packet.',
    ]);
    const cut = PING.slice(0, 40);
    expect(readPacket(cut).notes).toEqual(['The total length says 84 bytes, but only 40 are here: the capture is cut short.']);
    expect(readPacket(cut).payload.length).toBe(20);
    expect(() => readPacket(PING.slice(0, 19))).toThrow('An IPv4 header is at least 20 bytes; this packet has 19.');
  });

  it('names fragments, VXLAN and unknown protocols in the payload line', () => {
    const frag = editField(editField(PING, 'flags', 1), 'fragmentOffset', 185);
    expect(readPacket(frag).payload.summary).toBe('ICMP data from byte 1480 of the original payload (a fragment), 64 bytes');
    expect(readPacket(frag).notes).toContain('MF or a fragment offset marks this packet as a fragment: the receiver holds it until every fragment of the packet has arrived.');
    const other = editField(PING, 'protocol', 253);
    expect(field(other, 'protocol').text).toBe('253');
    expect(readPacket(other).payload.summary).toBe('64 bytes of protocol 253 data');
    const inner = encodeFrame({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', payload: decodeIpv4(PING) });
    const vx = new Uint8Array(8 + inner.length);
    vx[0] = 0x08;
    vx[6] = 1;
    vx.set(inner, 8);
    const outer = encodeIpv4(ipv4({ src: ip('192.168.49.2'), dst: ip('192.168.49.3'), payload: udp(ip('192.168.49.2'), ip('192.168.49.3'), 45149, 8472, vx) }));
    expect(readPacket(outer).payload.summary).toMatch(/^UDP 45149 > 8472, length 106; checksum 0x[0-9a-f]{4} \(correct\); VXLAN, vni 1, carrying a 98-byte Ethernet frame$/);
  });
});

describe('the checksum, worked as RFC 1071 does', () => {
  it('sums the words with the checksum field as zero, folds the carry and inverts', () => {
    const w = checksumWork(PING);
    expect(w.words.map((x) => x.word.toString(16))).toEqual(['4500', '54', '78c9', '4000', '4001', '0', 'c0a8', '164', 'c0a8', '20a']);
    expect(w.words[5]).toMatchObject({ isChecksum: true, holds: 'header checksum', offset: 10 });
    expect(w.words[4]!.holds).toBe('TTL, protocol');
    expect(w.total).toBe(0x2c2dc);
    expect(w.words.at(-1)!.running).toBe(w.total);
    expect(w.folds).toEqual([{ before: 0x2c2dc, carry: 2, low: 0xc2dc, after: 0xc2de }]);
    expect(w.sum).toBe(0xc2de);
    expect(w.computed).toBe(0x3d21);
    expect(w.stored).toBe(0x3d21);
    expect(w.check).toEqual({ total: 0x2c2dc + 0x3d21, sum: 0xffff });
    expect(w.valid).toBe(true);
  });

  it('gives the classic header its b861', () => {
    const w = checksumWork(hex('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7'));
    expect(w.computed).toBe(0xb861);
    expect(w.valid).toBe(true);
  });

  it('folds as many times as it takes (RFC 1071 section 3: 0x2ddf0 -> 0xddf2)', () => {
    // RFC 1071's example words 0001 f203 f4f5 f6f7, placed in a header's identification,
    // flags/offset, TTL/protocol and source words with every other word zero.
    const b = new Uint8Array(20);
    b.set(hex('0001 f203 f4f5'), 4);
    b.set(hex('f6f7'), 12);
    const w = checksumWork(b);
    expect(w.total).toBe(0x2ddf0);
    expect(w.sum).toBe(0xddf2);
    expect(w.computed).toBe(0x220d);
    const ones = new Uint8Array(20).fill(0xff);
    const all = checksumWork(ones);
    expect(all.folds.length).toBe(1);
    expect(all.sum).toBe(0xffff);
    expect(all.computed).toBe(0);
  });
});

describe('edits', () => {
  it('set the field and recompute the checksum', () => {
    const b = editField(PING, 'ttl', 63);
    expect(b[8]).toBe(63);
    expect(field(b, 'checksum').text).toBe('0x3e21 (correct)');
    expect(Array.from(b.subarray(12))).toEqual(Array.from(PING.subarray(12)));
    expect(editField(PING, 'identification', '0x1c46').subarray(4, 6)).toEqual(hex('1c46'));
    expect(editField(PING, 'destination', '10.0.0.1').subarray(16, 20)).toEqual(hex('0a00 0001'));
    expect(readPacket(editField(PING, 'ecn', 2)).values.ecn).toBe(2);
    expect(editField(PING, 'dscp', 46)[1]).toBe(0xb8);
  });

  it('leave the checksum as it was when asked to, so it shows as wrong', () => {
    const b = editField(PING, 'ttl', 1, { keepChecksums: false });
    expect(field(b, 'checksum').text).toBe('0x3d21 (wrong: the header needs 0x7c21)');
    expect(readPacket(recomputeChecksum(b)).checksum.valid).toBe(true);
  });

  it('refuse what does not fit, in words, and change nothing', () => {
    const copy = PING.slice();
    expect(() => editField(copy, 'ttl', 256)).toThrow('Time to live (TTL) is 8 bits wide: 0 to 255.');
    expect(() => editField(copy, 'ttl', 'ten')).toThrow('Time to live (TTL): write a whole number from 0 to 255.');
    expect(() => editField(copy, 'ttl', -1)).toThrow(FieldError);
    expect(() => editField(copy, 'ttl', 1.5)).toThrow(FieldError);
    expect(() => editField(copy, 'source', '10.0.0.256')).toThrow('Source address: "10.0.0.256" is not an IPv4 address; write four numbers from 0 to 255 with dots, like 192.168.1.100.');
    expect(() => editField(copy, 'version', 6)).toThrow('Version is not edited here. It is 4 in every IPv4 packet.');
    expect(() => editField(copy, 'checksum', 0)).toThrow(FieldError);
    expect(() => editField(copy, 'totalLength', 19)).toThrow('The total length counts the header too: at least 20.');
    expect(() => editField(copy, 'totalLength', 1501)).toThrow('The explorer builds packets of at most 1500 bytes (an Ethernet link\'s MTU is 1500).');
    expect(() => editField(copy, 'fragmentOffset', 8192)).toThrow('Fragment offset is 13 bits wide: 0 to 8191.');
    expect(copy).toEqual(PING);
  });

  it('resize the payload with the total length, continuing ping\'s pattern and its checksum', () => {
    const longer = editField(PING, 'totalLength', 100);
    expect(longer.length).toBe(100);
    expect(Array.from(longer.subarray(84, 88))).toEqual([0x38, 0x39, 0x3a, 0x3b]);
    const r = readPacket(longer);
    expect(r.values.totalLength).toBe(100);
    expect(r.checksum.valid).toBe(true);
    expect(r.payload.checksumValid).toBe(true);
    expect(r.payload.summary).toBe(`ICMP echo request, id 27895, seq 1, length 80; checksum 0x${longer.subarray(22, 24).reduce((a, x) => a * 256 + x, 0).toString(16).padStart(4, '0')} (correct)`);
    const shorter = editField(PING, 'totalLength', 28);
    expect(shorter.length).toBe(28);
    expect(readPacket(shorter).payload.checksumValid).toBe(true);
    const src = ip('10.0.0.1');
    const dst = ip('10.0.0.2');
    const u = encodeIpv4(ipv4({ src, dst, payload: udp(src, dst, 1000, 2000, new Uint8Array(4)) }));
    const grown = editField(u, 'totalLength', 40);
    expect(readPacket(grown).payload.summary).toMatch(/^UDP 1000 > 2000, length 12; checksum 0x[0-9a-f]{4} \(correct\)$/);
  });

  it('keep UDP and TCP checksums right when an address changes, as NAT does, unless asked not to', () => {
    const src = ip('10.0.0.1');
    const dst = ip('10.0.0.2');
    for (const payload of [udp(src, dst, 1000, 2000, new Uint8Array(9)), tcp(src, dst, { srcPort: 1, dstPort: 2, data: new Uint8Array(5) })]) {
      const b = encodeIpv4(ipv4({ src, dst, payload }));
      expect(readPacket(editField(b, 'source', '192.168.0.9')).payload.checksumValid).toBe(true);
      expect(readPacket(editField(b, 'source', '192.168.0.9', { keepChecksums: false })).payload.checksumValid).toBe(false);
    }
    // A new protocol number leaves the payload's bytes alone.
    expect(editField(PING, 'protocol', 17).subarray(20)).toEqual(PING.subarray(20));
  });
});

describe('a router forwarding the packet', () => {
  it('takes 1 off the TTL and patches the checksum by 0x0100, as between tshark\'s two captures', () => {
    const step = routerDecrementTtl(PING);
    expect(step.ttl).toEqual({ before: 64, after: 63 });
    expect(step.checksum).toEqual({ before: 0x3d21, after: 0x3e21 });
    expect(step.packet.subarray(8, 12)).toEqual(hex('3f01 3e21'));
    const wrong = editField(PING, 'identification', 1, { keepChecksums: false });
    expect(readPacket(routerDecrementTtl(wrong).packet).checksum.valid).toBe(false);
  });

  it('drops a packet at TTL 1 instead', () => {
    expect(() => routerDecrementTtl(editField(PING, 'ttl', 1))).toThrow('TTL 1: a router drops this packet instead of forwarding it, and sends ICMP time exceeded to 192.168.1.100.');
  });
});

describe('frames and packets', () => {
  const frame = encodeFrame({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', payload: decodeIpv4(PING) });

  it('skip the Ethernet header, or take a bare packet', () => {
    expect(locatePacket(frame)).toEqual({ packet: PING, linkHeader: 14, trailer: 0 });
    expect(locatePacket(PING)).toEqual({ packet: PING, linkHeader: 0, trailer: 0 });
    expect(locatePacket(frame, 'frame').packet).toEqual(PING);
    const tagged = new Uint8Array(frame.length + 4);
    tagged.set(frame.subarray(0, 12));
    tagged.set([0x81, 0x00, 0x00, 0x05], 12);
    tagged.set(frame.subarray(12), 16);
    expect(locatePacket(tagged)).toMatchObject({ linkHeader: 18, packet: PING });
  });

  it('leave Ethernet padding out, and refuse what is not IPv4', () => {
    const short = encodeIpv4(ipv4({ src: 1, dst: 2, payload: echoRequest(1, 1, new Uint8Array(0)) }));
    const padded = new Uint8Array(60);
    padded.set(encodeFrame({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', payload: decodeIpv4(short) }));
    expect(locatePacket(padded)).toEqual({ packet: short, linkHeader: 14, trailer: 18 });
    const arp = encodeFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', payload: { kind: 'arp', op: 1, sha: '02:00:00:00:00:01', spa: 1, tha: '00:00:00:00:00:00', tpa: 2 } });
    expect(() => locatePacket(arp)).toThrow('This frame carries ARP, not IPv4.');
    expect(() => locatePacket(new Uint8Array(10))).toThrow('An Ethernet frame is at least 14 bytes; this has 10.');
  });
});

// ------------------------------------------------------------------------------ properties

const arbValues: fc.Arbitrary<HeaderValues> = fc
  .record({
    version: fc.integer({ min: 0, max: 15 }),
    optionWords: fc.integer({ min: 0, max: 10 }),
    dscp: fc.integer({ min: 0, max: 63 }),
    ecn: fc.integer({ min: 0, max: 3 }),
    totalLength: fc.integer({ min: 0, max: 65535 }),
    identification: fc.integer({ min: 0, max: 65535 }),
    flags: fc.integer({ min: 0, max: 7 }),
    fragmentOffset: fc.integer({ min: 0, max: 8191 }),
    ttl: fc.integer({ min: 0, max: 255 }),
    protocol: fc.integer({ min: 0, max: 255 }),
    checksum: fc.integer({ min: 0, max: 65535 }),
    source: fc.integer({ min: 0, max: 0xffffffff }),
    destination: fc.integer({ min: 0, max: 0xffffffff }),
    seed: fc.uint8Array({ minLength: 40, maxLength: 40 }),
  })
  .map(({ optionWords, seed, ...v }) => ({ ...v, ihl: 5 + optionWords, options: seed.slice(0, optionWords * 4) }));

/** A well-formed IPv4 packet: any header with options, a total length that matches, any payload. */
const arbPacket: fc.Arbitrary<Uint8Array> = fc.tuple(arbValues, fc.uint8Array({ maxLength: 80 })).map(([v, payload]) => {
  const h = encodeHeader({ ...v, version: 4, totalLength: v.ihl * 4 + payload.length, flags: v.flags & 3 });
  const b = new Uint8Array(h.length + payload.length);
  b.set(h);
  b.set(payload, h.length);
  return b;
});

const EDITS: { id: FixedFieldId; value: fc.Arbitrary<number> }[] = [
  { id: 'dscp', value: fc.integer({ min: 0, max: 63 }) },
  { id: 'ecn', value: fc.integer({ min: 0, max: 3 }) },
  { id: 'identification', value: fc.integer({ min: 0, max: 65535 }) },
  { id: 'flags', value: fc.integer({ min: 0, max: 7 }) },
  { id: 'fragmentOffset', value: fc.integer({ min: 0, max: 8191 }) },
  { id: 'ttl', value: fc.integer({ min: 0, max: 255 }) },
  { id: 'protocol', value: fc.integer({ min: 0, max: 255 }) },
  { id: 'source', value: fc.integer({ min: 0, max: 0xffffffff }) },
  { id: 'destination', value: fc.integer({ min: 0, max: 0xffffffff }) },
  { id: 'totalLength', value: fc.integer({ min: 60, max: 300 }) },
];

describe('properties', () => {
  it('decodeHeader(encodeHeader(v)) gives v back', () => {
    fc.assert(
      fc.property(arbValues, (v) => {
        expect(decodeHeader(encodeHeader(v))).toEqual(v);
      }),
    );
  });

  it('encodeHeader(decodeHeader(b)) gives the header bytes back', () => {
    fc.assert(
      fc.property(arbPacket, (b) => {
        const hl = (b[0]! & 15) * 4;
        expect(encodeHeader(decodeHeader(b))).toEqual(b.subarray(0, hl));
      }),
    );
  });

  it('readBits reads back what writeBits wrote, and touches no other bit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, bit, n, raw) => {
        const value = raw % 2 ** n;
        const b = bytes.slice();
        writeBits(b, bit, n, value);
        expect(readBits(b, bit, n)).toBe(value);
        for (let i = 0; i < 64; i++) if (i < bit || i >= bit + n) expect(readBits(b, i, 1)).toBe(readBits(bytes, i, 1));
      }),
    );
  });

  it('an edit reads back, changes only its field (and the checksums and length it must), and the header then verifies to 0', () => {
    fc.assert(
      fc.property(arbPacket, fc.constantFrom(...EDITS).chain((e) => fc.tuple(fc.constant(e.id), e.value)), (b, [id, value]) => {
        const out = editField(b, id, value);
        const r = readPacket(out);
        expect(r.values[id]).toBe(value);
        expect(internetChecksum(out, 0, r.headerLength)).toBe(0);
        expect(r.checksum.valid).toBe(true);
        const before = decodeHeader(b);
        for (const other of FIXED_FIELDS) if (other !== id && other !== 'checksum') expect(r.values[other], other).toBe(before[other]);
        expect(r.values.options).toEqual(before.options);
        expect(out.length).toBe(id === 'totalLength' ? value : b.length);
      }),
    );
  });

  it('without keepChecksums an edit changes exactly the field\'s bits', () => {
    fc.assert(
      fc.property(arbPacket, fc.constantFrom(...EDITS.filter((e) => e.id !== 'totalLength')).chain((e) => fc.tuple(fc.constant(e.id), e.value)), (b, [id, value]) => {
        const out = editField(b, id, value, { keepChecksums: false });
        const s = FIELD_SPECS.find((f) => f.id === id)!;
        for (let i = 0; i < b.length * 8; i++) if (i < s.bit || i >= s.bit + s.bits) expect(readBits(out, i, 1)).toBe(readBits(b, i, 1));
      }),
    );
  });

  it('a router\'s patched checksum equals a full recomputation whenever the header was right', () => {
    fc.assert(
      fc.property(arbPacket, fc.integer({ min: 2, max: 255 }), (b, ttl) => {
        const valid = editField(b, 'ttl', ttl);
        const step = routerDecrementTtl(valid);
        expect(step.packet[8]).toBe(ttl - 1);
        expect(readPacket(step.packet).checksum.valid).toBe(true);
        expect(step.checksum.after).toBe(readPacket(recomputeChecksum(step.packet)).checksum.stored);
      }),
    );
  });

  it('a transport checksum that was right stays right through address and length edits', () => {
    const arbTransport = fc.record({
      src: fc.integer({ min: 0, max: 0xffffffff }),
      dst: fc.integer({ min: 0, max: 0xffffffff }),
      data: fc.uint8Array({ maxLength: 40 }),
      kind: fc.constantFrom('icmp', 'udp', 'tcp'),
      edit: fc.oneof(fc.tuple(fc.constant('source' as const), fc.integer({ min: 0, max: 0xffffffff })), fc.tuple(fc.constant('totalLength' as const), fc.integer({ min: 60, max: 200 }))),
    });
    fc.assert(
      fc.property(arbTransport, ({ src, dst, data, kind, edit }) => {
        const payload = kind === 'icmp' ? echoRequest(1, 1, data) : kind === 'udp' ? udp(src, dst, 1, 2, data) : tcp(src, dst, { srcPort: 1, dstPort: 2, data });
        const b = encodeIpv4(ipv4({ src, dst, payload }));
        const out = editField(b, edit[0], edit[1]);
        expect(readPacket(out).payload.checksumValid).toBe(true);
      }),
    );
  });
});
