import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ip } from './ipv4';
import {
  DecodeError,
  PROTO_TCP,
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  checksumsValid,
  decodeFrame,
  decodeIpv4,
  decodeTcp,
  decodeTcpOptions,
  encodeFrame,
  encodeIpv4,
  encodeTcp,
  frameLength,
  hasTcpFlags,
  ipv4,
  ipv4Length,
  isAck,
  isCwr,
  isEce,
  isFin,
  isPsh,
  isRst,
  isSyn,
  isUrg,
  linuxSynOptions,
  linuxTimestampOptions,
  tcp,
  tcpChecksum,
  tcpFlagsText,
  tcpHeaderLength,
  tcpOptionsLength,
  udp,
  type EthernetFrame,
  type Ipv4Packet,
  type TcpOption,
  type TcpSegment,
} from './packet';

// ------------------------------------------------------------------------------ helpers

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
const fromHex = (s: string): Uint8Array => new Uint8Array((s.replace(/\s+/g, '').match(/../g) ?? []).map((h) => parseInt(h, 16)));

/**
 * An RFC 1071 checksum written independently of checksum.ts: the words are read from the
 * hex text, summed as plain numbers and folded once at the end.
 */
function refChecksum(hexText: string): number {
  let h = hexText.replace(/\s+/g, '');
  if (h.length % 4 !== 0) h += '00';
  let sum = 0;
  for (let i = 0; i < h.length; i += 4) sum += parseInt(h.slice(i, i + 4), 16);
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return 0xffff - sum;
}

function tcpOf(p: Ipv4Packet): TcpSegment {
  if (p.payload.kind !== 'tcp') throw new Error(`payload is ${p.payload.kind}, not tcp`);
  return p.payload;
}

// ------------------------------------------------------------------------------ generators

const arbIp = fc.integer({ min: 0, max: 0xffffffff });
const arbU32 = fc.integer({ min: 0, max: 0xffffffff });
const arbMac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'));

/** Option kinds the decoder does not model (so a well-formed one comes back as `unknown`). */
const arbUnknownKind = fc.integer({ min: 6, max: 255 }).filter((k) => k !== 8);

const arbOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant<TcpOption>({ kind: 'eol' }),
  fc.constant<TcpOption>({ kind: 'nop' }),
  fc.nat(0xffff).map((mss): TcpOption => ({ kind: 'mss', mss })),
  fc.nat(255).map((shift): TcpOption => ({ kind: 'wscale', shift })),
  fc.constant<TcpOption>({ kind: 'sackPermitted' }),
  fc.array(fc.record({ left: arbU32, right: arbU32 }), { minLength: 1, maxLength: 4 }).map((blocks): TcpOption => ({ kind: 'sack', blocks })),
  fc.record({ tsVal: arbU32, tsEcr: arbU32 }).map((t): TcpOption => ({ kind: 'timestamps', ...t })),
  fc.record({ k: arbUnknownKind, data: fc.uint8Array({ maxLength: 12 }) }).map((r): TcpOption => ({ kind: 'unknown', bytes: new Uint8Array([r.k, 2 + r.data.length, ...r.data]) })),
);

/**
 * Option lists that fit in 40 bytes. Trailing EOLs are dropped: the encoder's padding is
 * zero bytes, so `[wscale]` and `[wscale, eol]` are the same bytes and decode as the former.
 */
const arbOptions = fc
  .array(arbOption, { maxLength: 12 })
  .map((os) => {
    const out = [...os];
    while (out.length > 0 && out[out.length - 1]!.kind === 'eol') out.pop();
    return out;
  })
  .filter((os) => tcpOptionsLength(os) <= 40);

const arbSegmentFields = fc.record({
  srcPort: fc.nat(0xffff),
  dstPort: fc.nat(0xffff),
  seq: arbU32,
  ack: arbU32,
  flags: fc.nat(255),
  window: fc.nat(0xffff),
  urgent: fc.nat(0xffff),
  options: arbOptions,
  data: fc.uint8Array({ maxLength: 200 }),
});

const arbTcpPacket = fc
  .record({ src: arbIp, dst: arbIp, ttl: fc.integer({ min: 1, max: 255 }), id: fc.nat(0xffff), df: fc.boolean(), tos: fc.nat(255), seg: arbSegmentFields })
  .map((r) => ipv4({ src: r.src, dst: r.dst, ttl: r.ttl, id: r.id, df: r.df, tos: r.tos, payload: tcp(r.src, r.dst, r.seg) }));

// ------------------------------------------------------------------------------ a SYN by hand

describe('a Linux-style SYN, byte for byte (RFC 9293 3.1)', () => {
  // 10.244.0.5:43512 -> 10.244.1.7:80, ISN 0x5e1c3a27, window 64240,
  // options `mss 1460,sackOK,TS val 6967073 ecr 0,nop,wscale 7`.
  // The checksums were worked out with an independent implementation (and tshark
  // reports both as correct for these bytes); the test also recomputes them below.
  const ipHeader = '45 00 00 3c 8c 3a 40 00 40 06 97 8e 0a f4 00 05 0a f4 01 07';
  const tcpHeader = 'a9 f8 00 50 5e 1c 3a 27 00 00 00 00 a0 02 fa f0 a4 04 00 00';
  const options = '02 04 05 b4 04 02 08 0a 00 6a 4f 21 00 00 00 00 01 03 03 07';
  const vector = `${ipHeader} ${tcpHeader} ${options}`;

  const src = ip('10.244.0.5');
  const dst = ip('10.244.1.7');
  const syn = ipv4({
    src,
    dst,
    id: 0x8c3a,
    payload: tcp(src, dst, { srcPort: 43512, dstPort: 80, seq: 0x5e1c3a27, flags: TCP_SYN, window: 64240, options: linuxSynOptions(1460, 6967073) }),
  });

  it('encodes to the exact bytes', () => {
    expect(hex(encodeIpv4(syn))).toBe(vector);
    expect(ipv4Length(syn)).toBe(60);
    expect(tcpHeaderLength(tcpOf(syn))).toBe(40); // data offset 10
  });

  it('the stored checksums match an independent computation', () => {
    // TCP: pseudo-header (src, dst, zero, protocol 6, TCP length 40) then the segment with the checksum zeroed.
    const pseudo = '0a f4 00 05 0a f4 01 07 00 06 00 28';
    const zeroed = `${tcpHeader.slice(0, -11)}00 00 00 00 ${options}`;
    expect(refChecksum(`${pseudo} ${zeroed}`)).toBe(0xa404);
    expect(tcpOf(syn).checksum).toBe(0xa404);
    expect(tcpChecksum(src, dst, tcpOf(syn))).toBe(0xa404);
    expect(refChecksum(ipHeader.replace('97 8e', '00 00'))).toBe(0x978e);
    expect(syn.checksum).toBe(0x978e);
    // A receiver's check: summing the whole segment with its checksum gives zero.
    expect(refChecksum(`${pseudo} ${tcpHeader} ${options}`)).toBe(0);
    expect(checksumsValid(syn)).toBe(true);
  });

  it('decodes back to the same structure', () => {
    expect(decodeIpv4(fromHex(vector))).toEqual(syn);
    expect(tcpOf(decodeIpv4(fromHex(vector))).options).toEqual([
      { kind: 'mss', mss: 1460 },
      { kind: 'sackPermitted' },
      { kind: 'timestamps', tsVal: 6967073, tsEcr: 0 },
      { kind: 'nop' },
      { kind: 'wscale', shift: 7 },
    ]);
  });

  it('ipv4() picks protocol 6 for a TCP payload', () => {
    expect(syn.proto).toBe(PROTO_TCP);
    expect(encodeIpv4(syn)[9]).toBe(6);
  });
});

describe('a SYN a Linux 6.x kernel really sent (captured on lo with tshark)', () => {
  // 127.0.0.1:34010 -> 127.0.0.1:9, `mss 65495,sackOK,TS val 3213507396 ecr 0,nop,wscale 10`.
  // On lo the kernel leaves checksums to "hardware" (CHECKSUM_PARTIAL): the field holds the
  // pseudo-header sum, not the checksum. Wireshark computes the real one as 0x6eef.
  const captured = fromHex(
    '45 00 00 3c 2f 09 40 00 40 06 0d b1 7f 00 00 01 7f 00 00 01' +
      '84 da 00 09 03 76 5d e7 00 00 00 00 a0 02 ff d7 fe 30 00 00' +
      '02 04 ff d7 04 02 08 0a bf 8a 3b 44 00 00 00 00 01 03 03 0a',
  );
  const segment = captured.subarray(20);

  it('has exactly the option layout of linuxSynOptions', () => {
    const s = decodeTcp(segment);
    expect(s.options).toEqual(linuxSynOptions(65495, 3213507396, 0, 10));
    expect(s.flags).toBe(TCP_SYN);
    expect(s.window).toBe(65495);
    expect(encodeTcp(s)).toEqual(segment);
  });

  it('its partial checksum is refused; the computed one is what Wireshark expects', () => {
    const s = decodeTcp(segment);
    expect(s.checksum).toBe(0xfe30);
    expect(refChecksum('7f 00 00 01 7f 00 00 01 00 06 00 28')).toBe(~0xfe30 & 0xffff); // the pseudo-header sum
    const p = decodeIpv4(captured);
    expect(p.payload.kind).toBe('raw'); // a bad checksum: not accepted as TCP
    expect(tcpChecksum(ip('127.0.0.1'), ip('127.0.0.1'), s)).toBe(0x6eef);
    const fixed = captured.slice();
    fixed[36] = 0x6e;
    fixed[37] = 0xef;
    const q = decodeIpv4(fixed);
    expect(q.payload.kind).toBe('tcp');
    expect(checksumsValid(q)).toBe(true);
    expect(encodeIpv4(q)).toEqual(fixed);
  });
});

// ------------------------------------------------------------------------------ flags

describe('TCP flags', () => {
  it('sit in byte 13: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80', () => {
    expect([TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR]).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    const b = encodeTcp(tcp(1, 2, { srcPort: 1, dstPort: 2, flags: TCP_SYN | TCP_ACK }));
    expect(b[13]).toBe(0x12);
    expect(b[12]).toBe(0x50); // data offset 5, reserved bits clear
  });

  it('named helpers read each flag', () => {
    const all = [isFin, isSyn, isRst, isPsh, isAck, isUrg, isEce, isCwr];
    for (let bit = 0; bit < 8; bit++) {
      const s = tcp(1, 2, { srcPort: 1, dstPort: 2, flags: 1 << bit });
      expect(all.map((f) => f(s))).toEqual(all.map((_, i) => i === bit));
    }
    const synAck = tcp(1, 2, { srcPort: 1, dstPort: 2, flags: TCP_SYN | TCP_ACK });
    expect(hasTcpFlags(synAck, TCP_SYN | TCP_ACK)).toBe(true);
    expect(hasTcpFlags(synAck, TCP_SYN | TCP_FIN)).toBe(false);
    expect(hasTcpFlags(TCP_PSH | TCP_ACK, TCP_ACK)).toBe(true);
  });

  it('print as tcpdump does', () => {
    expect(tcpFlagsText(TCP_SYN)).toBe('S');
    expect(tcpFlagsText(TCP_SYN | TCP_ACK)).toBe('S.');
    expect(tcpFlagsText(TCP_ACK)).toBe('.');
    expect(tcpFlagsText(TCP_PSH | TCP_ACK)).toBe('P.');
    expect(tcpFlagsText(TCP_FIN | TCP_ACK)).toBe('F.');
    expect(tcpFlagsText(TCP_RST | TCP_ACK)).toBe('R.');
    expect(tcpFlagsText(TCP_SYN | TCP_ECE | TCP_CWR)).toBe('SEW');
    expect(tcpFlagsText(0)).toBe('none');
  });
});

// ------------------------------------------------------------------------------ round trips

describe('TCP encode/decode round trips', () => {
  it('Ethernet + IPv4 + TCP with random flags, options and data', () => {
    fc.assert(
      fc.property(fc.record({ dst: arbMac, src: arbMac, payload: arbTcpPacket }), (f: EthernetFrame) => {
        const bytes = encodeFrame(f);
        expect(bytes.length).toBe(frameLength(f));
        expect(decodeFrame(bytes)).toEqual(f);
        expect(checksumsValid(f.payload as Ipv4Packet)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the header length is 20 + padded options, and the data offset says so', () => {
    fc.assert(
      fc.property(arbTcpPacket, (p) => {
        const s = tcpOf(p);
        const b = encodeTcp(s);
        const hlen = tcpHeaderLength(s);
        expect(hlen % 4).toBe(0);
        expect(hlen).toBe(20 + tcpOptionsLength(s.options));
        expect(b[12]! >>> 4).toBe(hlen / 4);
        expect(b.length).toBe(hlen + s.data.length);
        expect(ipv4Length(p)).toBe(20 + b.length);
      }),
    );
  });

  it('decodeTcp round-trips any segment, whatever its checksum', () => {
    fc.assert(
      fc.property(arbSegmentFields, fc.nat(0xffff), (fields, checksum) => {
        const s: TcpSegment = { ...tcp(0, 0, fields), checksum };
        expect(decodeTcp(encodeTcp(s))).toEqual(s);
      }),
    );
  });

  it('any options area decodes to options that encode back to the same bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }).chain((words) => fc.uint8Array({ minLength: 4 * words, maxLength: 4 * words })), (area) => {
        const s = tcp(1, 2, { srcPort: 1, dstPort: 2, options: decodeTcpOptions(area) });
        expect(tcpHeaderLength(s)).toBe(20 + area.length);
        expect(encodeTcp(s).subarray(20)).toEqual(area);
      }),
      { numRuns: 500 },
    );
  });

  it('TCP inside VXLAN round-trips, and checksumsValid checks the inner segment', () => {
    const inSrc = ip('10.244.0.5');
    const inDst = ip('10.244.1.7');
    const inner = ipv4({ src: inSrc, dst: inDst, ttl: 63, payload: tcp(inSrc, inDst, { srcPort: 43512, dstPort: 80, seq: 1, ack: 1, flags: TCP_PSH | TCP_ACK, options: linuxTimestampOptions(100, 200), data: new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n') }) });
    const oSrc = ip('192.168.49.2');
    const oDst = ip('192.168.49.3');
    const f: EthernetFrame = {
      dst: '02:42:c0:a8:31:03',
      src: '02:42:c0:a8:31:02',
      payload: ipv4({ src: oSrc, dst: oDst, df: false, payload: udp(oSrc, oDst, 45149, 8472, { kind: 'vxlan', vni: 1, inner: { dst: 'ce:26:4a:8b:ff:c8', src: '72:9a:b0:e7:bc:77', payload: inner } }, false) }),
    };
    expect(decodeFrame(encodeFrame(f))).toEqual(f);
    expect(checksumsValid(f.payload as Ipv4Packet)).toBe(true);
    const badInner = { ...inner, payload: { ...tcpOf(inner), seq: 2 } };
    const g: EthernetFrame = { ...f, payload: ipv4({ src: oSrc, dst: oDst, df: false, payload: udp(oSrc, oDst, 45149, 8472, { kind: 'vxlan', vni: 1, inner: { dst: 'ce:26:4a:8b:ff:c8', src: '72:9a:b0:e7:bc:77', payload: badInner } }, false) }) };
    expect(checksumsValid(g.payload as Ipv4Packet)).toBe(false);
  });

  it('a fragment carrying protocol 6 stays raw (only a whole segment is read as TCP)', () => {
    const p = ipv4({ src: 1, dst: 2, payload: tcp(1, 2, { srcPort: 1, dstPort: 2, data: new Uint8Array(16) }) });
    const bytes = encodeIpv4({ ...p, mf: true, df: false, checksum: 0 });
    expect(decodeIpv4(bytes).payload).toEqual({ kind: 'raw', data: encodeTcp(tcpOf(p)) });
    const later = encodeIpv4({ ...p, fragOffset: 3, checksum: 0 });
    expect(decodeIpv4(later).payload.kind).toBe('raw');
  });

  it('the IPv4 reserved flag is refused, not dropped (a flipped bit must not pass unnoticed)', () => {
    const bytes = encodeIpv4(ipv4({ src: 1, dst: 2, payload: tcp(1, 2, { srcPort: 1, dstPort: 2 }) }));
    bytes[6]! |= 0x80;
    expect(() => decodeIpv4(bytes)).toThrow(/reserved flag/);
  });

  it('decodeTcp refuses what is not a TCP header', () => {
    const good = encodeTcp(tcp(1, 2, { srcPort: 1, dstPort: 2, options: [{ kind: 'mss', mss: 1460 }] }));
    expect(() => decodeTcp(good.subarray(0, 19))).toThrow(/short/);
    const low = good.slice();
    low[12] = 0x40; // data offset 4
    expect(() => decodeTcp(low)).toThrow(/data offset 4/);
    const past = good.slice();
    past[12] = 0x70; // 28 bytes of header in a 24-byte segment
    expect(() => decodeTcp(past)).toThrow(DecodeError);
    const reserved = good.slice();
    reserved[12] = 0x61;
    expect(() => decodeTcp(reserved)).toThrow(/reserved/);
  });
});

// ------------------------------------------------------------------------------ options

describe('TCP options (RFC 9293 3.2, RFC 7323, RFC 2018)', () => {
  const seg = (options: TcpOption[]): TcpSegment => tcp(1, 2, { srcPort: 1, dstPort: 2, options });
  const area = (options: TcpOption[]): string => hex(encodeTcp(seg(options)).subarray(20));

  it('linuxSynOptions is 20 bytes in the kernel order, needing no padding', () => {
    const o = linuxSynOptions(1460, 0x01020304);
    expect(o.map((x) => x.kind)).toEqual(['mss', 'sackPermitted', 'timestamps', 'nop', 'wscale']);
    expect(tcpOptionsLength(o)).toBe(20);
    expect(area(o)).toBe('02 04 05 b4 04 02 08 0a 01 02 03 04 00 00 00 00 01 03 03 07');
    expect(area(linuxSynOptions(1410, 5, 6, 9))).toBe('02 04 05 82 04 02 08 0a 00 00 00 05 00 00 00 06 01 03 03 09');
    expect(area(linuxTimestampOptions(7, 8))).toBe('01 01 08 0a 00 00 00 07 00 00 00 08');
  });

  it('odd lengths are padded with zero bytes up to a 4-byte boundary', () => {
    expect(area([{ kind: 'wscale', shift: 7 }])).toBe('03 03 07 00');
    expect(area([{ kind: 'sackPermitted' }])).toBe('04 02 00 00');
    expect(area([{ kind: 'nop' }])).toBe('01 00 00 00');
    expect(area([{ kind: 'mss', mss: 1460 }, { kind: 'wscale', shift: 7 }])).toBe('02 04 05 b4 03 03 07 00');
    expect(tcpHeaderLength(seg([{ kind: 'mss', mss: 1460 }, { kind: 'wscale', shift: 7 }]))).toBe(28);
    expect(area([{ kind: 'mss', mss: 1460 }])).toBe('02 04 05 b4');
    expect(area([])).toBe('');
  });

  it('padding decodes to nothing, not to EOL options', () => {
    for (const o of [[{ kind: 'wscale', shift: 7 }], [{ kind: 'sackPermitted' }], [{ kind: 'nop' }], [{ kind: 'mss', mss: 1460 }, { kind: 'wscale', shift: 14 }]] as TcpOption[][]) {
      expect(decodeTcp(encodeTcp(seg(o))).options).toEqual(o);
    }
    expect(decodeTcpOptions(fromHex('03 03 07 00'))).toEqual([{ kind: 'wscale', shift: 7 }]);
    expect(decodeTcpOptions(fromHex('01 00 00 00'))).toEqual([{ kind: 'nop' }]);
  });

  it('an EOL that starts a word of its own is kept (and the word after it is padding)', () => {
    const o: TcpOption[] = [{ kind: 'mss', mss: 1460 }, { kind: 'eol' }];
    expect(area(o)).toBe('02 04 05 b4 00 00 00 00');
    expect(decodeTcpOptions(fromHex('02 04 05 b4 00 00 00 00'))).toEqual(o);
    expect(decodeTcpOptions(fromHex('00 00 00 00'))).toEqual([{ kind: 'eol' }]);
  });

  it('an EOL followed by more options is read through, so the bytes still round-trip', () => {
    const o: TcpOption[] = [{ kind: 'eol' }, { kind: 'mss', mss: 536 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }];
    expect(area(o)).toBe('00 02 04 02 18 01 01 01');
    expect(decodeTcpOptions(fromHex('00 02 04 02 18 01 01 01'))).toEqual(o);
  });

  it('SACK blocks (kind 5, 8 bytes per block)', () => {
    const o: TcpOption[] = [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [{ left: 0x01000000, right: 0x01000010 }, { left: 5, right: 6 }] }];
    expect(area(o)).toBe('01 01 05 12 01 00 00 00 01 00 00 10 00 00 00 05 00 00 00 06');
    expect(decodeTcp(encodeTcp(seg(o))).options).toEqual(o);
  });

  it('unknown and malformed options are kept as their bytes', () => {
    // MPTCP (30) and TCP-AO (29) are not modelled; an MSS of length 3 is malformed.
    expect(decodeTcpOptions(fromHex('1e 04 00 81 1d 03 aa 00'))).toEqual([
      { kind: 'unknown', bytes: fromHex('1e 04 00 81') },
      { kind: 'unknown', bytes: fromHex('1d 03 aa') },
    ]);
    expect(decodeTcpOptions(fromHex('02 03 05 00'))).toEqual([{ kind: 'unknown', bytes: fromHex('02 03 05') }]);
    // A SACK option without blocks, and timestamps of the wrong length.
    expect(decodeTcpOptions(fromHex('05 02 08 06 00 00 00 01'))).toEqual([
      { kind: 'unknown', bytes: fromHex('05 02') },
      { kind: 'unknown', bytes: fromHex('08 06 00 00 00 01') },
    ]);
    // A length running past the area, a length below 2 and a kind byte with no length byte: the rest is one blob.
    expect(decodeTcpOptions(fromHex('01 08 0a 00'))).toEqual([{ kind: 'nop' }, { kind: 'unknown', bytes: fromHex('08 0a 00') }]);
    expect(decodeTcpOptions(fromHex('02 01 05 b4'))).toEqual([{ kind: 'unknown', bytes: fromHex('02 01 05 b4') }]);
    expect(decodeTcpOptions(fromHex('01 01 01 02'))).toEqual([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'unknown', bytes: fromHex('02') }]);
    for (const a of ['1e 04 00 81 1d 03 aa 00', '02 03 05 00', '01 08 0a 00', '02 01 05 b4', '01 01 01 02']) {
      expect(hex(encodeTcp(seg(decodeTcpOptions(fromHex(a)))).subarray(20))).toBe(a);
    }
  });

  it('more than 40 bytes of options do not fit', () => {
    const o: TcpOption[] = [...linuxSynOptions(1460, 1), ...linuxSynOptions(1460, 1), { kind: 'nop' }];
    expect(tcpOptionsLength(o)).toBe(44);
    expect(() => encodeTcp(seg(o))).toThrow(RangeError);
    expect(() => encodeTcp(seg([...linuxSynOptions(1460, 1), ...linuxSynOptions(1460, 1)]))).not.toThrow();
  });
});

// ------------------------------------------------------------------------------ checksums

describe('TCP checksum', () => {
  it('tcp() defaults: seq/ack 0, no flags, window 64240, no options or data', () => {
    const s = tcp(ip('10.0.0.1'), ip('10.0.0.2'), { srcPort: 1234, dstPort: 80 });
    expect(s).toMatchObject({ kind: 'tcp', seq: 0, ack: 0, flags: 0, window: 64240, urgent: 0, options: [] });
    expect(s.data.length).toBe(0);
    expect(s.checksum).toBe(tcpChecksum(ip('10.0.0.1'), ip('10.0.0.2'), s));
  });

  it('covers the pseudo-header: the same segment sent to another address fails', () => {
    // Two addresses whose 16-bit halves have the same one's-complement sum are the one blind spot.
    const wordSum = (a: number): number => ((a >>> 16) + (a & 0xffff)) % 0xffff;
    fc.assert(
      fc.property(arbSegmentFields, arbIp, arbIp, arbIp, (fields, a, b, c) => {
        fc.pre(wordSum(b) !== wordSum(c));
        const s = tcp(a, b, fields);
        expect(checksumsValid(ipv4({ src: a, dst: b, payload: s }))).toBe(true);
        expect(checksumsValid(ipv4({ src: a, dst: c, payload: s }))).toBe(false);
      }),
    );
  });

  it('a field changed without recomputing the checksum is caught', () => {
    const src = ip('10.244.0.5');
    const dst = ip('10.244.1.7');
    const p = ipv4({ src, dst, payload: tcp(src, dst, { srcPort: 43512, dstPort: 80, seq: 1000, ack: 2000, flags: TCP_ACK, options: linuxTimestampOptions(1, 2), data: new Uint8Array([1, 2, 3]) }) });
    const s = tcpOf(p);
    expect(checksumsValid(p)).toBe(true);
    const variants: TcpSegment[] = [
      { ...s, seq: 1001 },
      { ...s, ack: 2001 },
      { ...s, flags: TCP_ACK | TCP_PSH },
      { ...s, window: s.window - 1 },
      { ...s, dstPort: 8080 },
      { ...s, options: linuxTimestampOptions(2, 2) },
      { ...s, data: new Uint8Array([1, 2, 4]) },
      { ...s, checksum: (s.checksum + 1) & 0xffff },
    ];
    for (const v of variants) expect(checksumsValid({ ...p, payload: v })).toBe(false);
    // A router rewriting the destination (DNAT) must fix the TCP checksum too.
    expect(checksumsValid(ipv4({ src, dst: ip('10.244.1.8'), payload: s }))).toBe(false);
  });

  it('any single corrupted byte of a TCP packet is caught', () => {
    fc.assert(
      fc.property(arbTcpPacket, fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, mask) => {
        const bytes = encodeIpv4(p);
        const i = at % bytes.length;
        bytes[i]! ^= mask;
        let caught: boolean;
        try {
          const q = decodeIpv4(bytes);
          // A bad TCP checksum leaves the payload raw; a bad header checksum fails checksumsValid.
          caught = q.payload.kind !== 'tcp' || !checksumsValid(q);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          caught = true;
        }
        expect(caught).toBe(true);
        // And on the segment alone: the stored checksum no longer matches a recomputation.
        if (i >= 20) {
          const seg = bytes.subarray(20);
          let bad = true;
          try {
            const s = decodeTcp(seg);
            bad = s.checksum !== tcpChecksum(p.src, p.dst, s);
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
          }
          expect(bad).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
