import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ip } from './ipv4';
import {
  CLASS_IN,
  DNS_TYPES,
  DnsDecodeError,
  DnsEncodeError,
  RCODES,
  canonicalName,
  decodeDns,
  dnsQuery,
  dnsResponse,
  encodeDns,
  formatIpv6,
  formatRecord,
  fqdn,
  parseIpv6,
  rcodeName,
  typeCode,
  typeName,
  type DnsMessage,
  type DnsRecord,
} from './dns';

const hex = (s: string): Uint8Array => Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((x) => parseInt(x, 16)));
const toHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Expects a DnsDecodeError (and nothing else: no RangeError, no hang). */
const rejects = (b: Uint8Array, msg?: RegExp): void => {
  let err: unknown;
  try {
    decodeDns(b);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DnsDecodeError);
  if (msg) expect((err as Error).message).toMatch(msg);
};

// RFC 1035 4.1: header (id, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT), then QNAME as length-prefixed
// labels ending in the root's zero octet, QTYPE, QCLASS. Flags 0x0100 = RD only.
const A_QUERY = hex(`
  1234 0100 0001 0000 0000 0000
  03 777777 07 6578616d706c65 03 636f6d 00
  0001 0001`);

// The reply: QR|RD|RA (0x8180), one answer whose owner is a pointer to offset 12 (c00c),
// type A, class IN, TTL 3600, RDLENGTH 4, 93.184.216.34.
const A_RESPONSE = hex(`
  1234 8180 0001 0001 0000 0000
  03 777777 07 6578616d706c65 03 636f6d 00 0001 0001
  c00c 0001 0001 00000e10 0004 5db8d822`);

describe('byte-exact vectors (RFC 1035 4.1)', () => {
  it('a recursive A query for www.example.com is 33 octets', () => {
    const q = dnsQuery(0x1234, 'www.example.com', 'A');
    expect(A_QUERY.length).toBe(33);
    expect(toHex(encodeDns(q))).toBe(toHex(A_QUERY));
    expect(decodeDns(A_QUERY)).toEqual(q);
  });

  it('RD clear when recursion is not desired, and a trailing dot is the same name', () => {
    const b = encodeDns(dnsQuery(0x1234, 'www.example.com.', DNS_TYPES.A, false));
    expect(toHex(b)).toBe(toHex(A_QUERY).replace(/^12340100/, '12340000'));
  });

  it('the answer points back at the question name (c0 0c)', () => {
    const q = dnsQuery(0x1234, 'www.example.com', 'A');
    const answer: DnsRecord = { name: 'www.example.com', type: 'A', class: CLASS_IN, ttl: 3600, address: ip('93.184.216.34') };
    const r = dnsResponse(q, [answer], 'NOERROR', [], { ra: true });
    expect(toHex(encodeDns(r))).toBe(toHex(A_RESPONSE));
    expect(decodeDns(A_RESPONSE)).toEqual(r);
  });

  it('flags: QR, opcode, AA, TC, RD, RA, Z/AD/CD and rcode land in their bits', () => {
    const m: DnsMessage = { ...dnsQuery(1, 'a', 'A'), qr: true, opcode: 2, aa: true, tc: true, rd: false, ra: true, z: 3, rcode: RCODES.NXDOMAIN };
    const b = encodeDns(m);
    // 1 0010 1 1 0 | 1 011 0011
    expect(toHex(b.subarray(2, 4))).toBe('96b3');
    expect(decodeDns(b)).toEqual(m);
  });
});

describe('compression', () => {
  it('decodes pointers to a whole name and to a suffix of one', () => {
    // Question www.example.com at 12 ("example" starts at 16). Answer 1: www.example.com CNAME
    // example.com (owner c00c, target c010). Answer 2: example.com (c010) A 93.184.216.34.
    const b = hex(`
      abcd 8180 0001 0002 0000 0000
      03 777777 07 6578616d706c65 03 636f6d 00 0001 0001
      c00c 0005 0001 0000012c 0002 c010
      c010 0001 0001 0000012c 0004 5db8d822`);
    const m = decodeDns(b);
    expect(m.answers).toEqual([
      { name: 'www.example.com', type: 'CNAME', class: 1, ttl: 300, target: 'example.com' },
      { name: 'example.com', type: 'A', class: 1, ttl: 300, address: ip('93.184.216.34') },
    ]);
    // The encoder makes exactly the same choices.
    expect(toHex(encodeDns(m))).toBe(toHex(b));
  });

  it('decodes a name of labels that ends in a pointer, and a pointer to a pointer-ended name', () => {
    // Q1 example.com at 12; Q2 "www" + c00c at 29; Q3 "a" + c01d (-> www + c00c) at 39.
    const b = hex(`
      0001 0000 0003 0000 0000 0000
      07 6578616d706c65 03 636f6d 00 0001 0001
      03 777777 c00c 0001 0001
      01 61 c01d 0001 0001`);
    expect(decodeDns(b).questions.map((q) => q.name)).toEqual(['example.com', 'www.example.com', 'a.www.example.com']);
  });

  it('writes SRV targets in full (RFC 2782) but compresses owner names and other RDATA names', () => {
    const q = dnsQuery(7, '_http._tcp.web.default.svc.cluster.local', 'SRV');
    const srv: DnsRecord = { name: q.questions[0]!.name, type: 'SRV', class: 1, ttl: 30, priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' };
    const b = encodeDns(dnsResponse(q, [srv], 'NOERROR', [], { aa: true }));
    const qEnd = 12 + 1 + 5 + 1 + 4 + (1 + 3 + 1 + 7 + 1 + 3 + 1 + 7 + 1 + 5) + 1 + 4;
    // owner: pointer to the question
    expect(toHex(b.subarray(qEnd, qEnd + 2))).toBe('c00c');
    const target = b.subarray(qEnd + 2 + 8 + 2 + 6);
    expect(toHex(target)).toBe('03776562' + '0764656661756c74' + '03737663' + '07636c7573746572' + '056c6f63616c' + '00');
    expect(decodeDns(b).answers[0]).toEqual(srv);
  });

  it('compares suffixes byte for byte, so a name that differs in case is written out', () => {
    const q = dnsQuery(7, 'Web.default.svc.cluster.local', 'A');
    const a: DnsRecord = { name: 'web.default.svc.cluster.local', type: 'A', class: 1, ttl: 30, address: ip('10.96.0.20') };
    const b = encodeDns(dnsResponse(q, [a], 0));
    const m = decodeDns(b);
    expect(m.questions[0]!.name).toBe('Web.default.svc.cluster.local');
    expect(m.answers[0]!.name).toBe('web.default.svc.cluster.local');
    // "web" in full, then a pointer to "default.svc.cluster.local" at 16
    expect(toHex(b.subarray(47, 53))).toBe('03776562c010');
  });
});

describe('names in presentation form', () => {
  it('escapes dots, backslashes and non-printable bytes inside labels, and round-trips them', () => {
    const name = 'a\\.b.c\\\\d.\\000\\255\\032x';
    expect(canonicalName(name)).toBe(name);
    const m = dnsQuery(1, name, 'TXT');
    const b = encodeDns(m);
    expect(toHex(b.subarray(12, 12 + 14))).toBe('03612e62' + '03635c64' + '0400ff2078' + '00');
    expect(decodeDns(b)).toEqual(m);
  });

  it('normalises escapes of printable characters and the trailing dot', () => {
    expect(canonicalName('\\097bc.example.')).toBe('abc.example');
    expect(canonicalName('.')).toBe('');
    expect(fqdn('')).toBe('.');
    expect(fqdn('web.default')).toBe('web.default.');
    expect(fqdn('web.default.')).toBe('web.default.');
    expect(fqdn('a\\.')).toBe('a\\..');
  });

  it('refuses to encode empty labels, labels over 63 octets and names over 255', () => {
    expect(() => dnsQuery(1, 'a..b', 'A')).toThrow(DnsEncodeError);
    expect(() => dnsQuery(1, '.a', 'A')).toThrow(DnsEncodeError);
    expect(() => dnsQuery(1, `${'x'.repeat(64)}.com`, 'A')).toThrow(DnsEncodeError);
    const long = Array.from({ length: 4 }, () => 'y'.repeat(63)).join('.');
    expect(() => dnsQuery(1, long, 'A')).toThrow(/255/);
    // 3 x 63 + 61 -> 3*64 + 62 + 1 = 255 octets: the longest legal name
    const longest = [...Array.from({ length: 3 }, () => 'y'.repeat(63)), 'z'.repeat(61)].join('.');
    expect(decodeDns(encodeDns(dnsQuery(1, longest, 'A'))).questions[0]!.name).toBe(longest);
  });
});

describe('typed RDATA', () => {
  const q = dnsQuery(42, 'cluster.local', 'ANY');
  const records: DnsRecord[] = [
    { name: 'cluster.local', type: 'SOA', class: 1, ttl: 30, mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1741944600, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 },
    { name: 'cluster.local', type: 'NS', class: 1, ttl: 30, host: 'kube-dns.kube-system.svc.cluster.local' },
    { name: 'dns-version.cluster.local', type: 'TXT', class: 1, ttl: 28800, strings: ['1.1.0'] },
    { name: 'ext.default.svc.cluster.local', type: 'CNAME', class: 1, ttl: 30, target: 'example.com' },
    { name: '10.0.96.10.in-addr.arpa', type: 'PTR', class: 1, ttl: 30, target: 'kube-dns.kube-system.svc.cluster.local' },
    { name: 'mail.example', type: 'MX', class: 1, ttl: 60, preference: 10, exchange: 'mx.example' },
    { name: 'v6.example', type: 'AAAA', class: 1, ttl: 60, address: parseIpv6('fd00::a:1')! },
    { name: '_dns._udp.kube-dns.kube-system.svc.cluster.local', type: 'SRV', class: 1, ttl: 30, priority: 0, weight: 100, port: 53, target: 'kube-dns.kube-system.svc.cluster.local' },
    { name: '', type: 'raw', class: 1232, ttl: 0, code: DNS_TYPES.OPT, data: new Uint8Array() },
    { name: 'x.example', type: 'raw', class: 1, ttl: 5, code: 99, data: hex('0102ff') },
  ];

  it('round-trips every kind', () => {
    const m = dnsResponse(q, records.slice(0, 8), 'NOERROR', [], { aa: true, additional: records.slice(8) });
    expect(decodeDns(encodeDns(m))).toEqual(m);
  });

  it('prints records in zone-file form', () => {
    expect(records.map(formatRecord)).toEqual([
      'cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1741944600 7200 1800 86400 30',
      'cluster.local. 30 IN NS kube-dns.kube-system.svc.cluster.local.',
      'dns-version.cluster.local. 28800 IN TXT "1.1.0"',
      'ext.default.svc.cluster.local. 30 IN CNAME example.com.',
      '10.0.96.10.in-addr.arpa. 30 IN PTR kube-dns.kube-system.svc.cluster.local.',
      'mail.example. 60 IN MX 10 mx.example.',
      'v6.example. 60 IN AAAA fd00::a:1',
      '_dns._udp.kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.',
      '. 0 CLASS1232 OPT \\# 0',
      'x.example. 5 IN TYPE99 \\# 3 0102ff',
    ]);
  });

  it('type and rcode tables', () => {
    expect([typeName(1), typeName(28), typeName(33), typeName(65)]).toEqual(['A', 'AAAA', 'SRV', 'TYPE65']);
    expect([typeCode('srv'), typeCode('TYPE65'), typeCode(12)]).toEqual([33, 65, 12]);
    expect(() => typeCode('BOGUS')).toThrow(RangeError);
    expect([0, 2, 3, 5, 9].map(rcodeName)).toEqual(['NOERROR', 'SERVFAIL', 'NXDOMAIN', 'REFUSED', 'RCODE9']);
  });

  it('IPv6 text per RFC 5952', () => {
    const cases: [string, string][] = [
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0db8::0001', '2001:db8::1'],
      ['::', '::'],
      ['::1', '::1'],
      ['fe80::', 'fe80::'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ];
    for (const [input, out] of cases) expect(formatIpv6(parseIpv6(input)!)).toBe(out);
    for (const bad of ['1:2:3', '1::2::3', '12345::', 'g::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8']) expect(parseIpv6(bad)).toBeUndefined();
  });

  it('dnsResponse echoes id, opcode, question, RD and CD', () => {
    const query: DnsMessage = { ...dnsQuery(0xbeef, 'web', 'A', true), z: 3 };
    const r = dnsResponse(query, [], 'NXDOMAIN', [], { aa: true });
    expect(r).toMatchObject({ id: 0xbeef, qr: true, opcode: 0, aa: true, ra: false, rd: true, z: 1, rcode: 3, questions: query.questions });
  });
});

describe('malformed input is rejected with DnsDecodeError', () => {
  it('every truncation of a valid message', () => {
    const b = encodeDns(dnsResponse(dnsQuery(9, 'web.default.svc.cluster.local', 'SRV'), [], 'NXDOMAIN', [
      { name: 'cluster.local', type: 'SOA', class: 1, ttl: 30, mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 },
    ]));
    for (let n = 0; n < b.length; n++) rejects(b.subarray(0, n));
    expect(() => decodeDns(b)).not.toThrow();
  });

  it('a pointer to itself, a pointer into its own name, and a forward pointer', () => {
    rejects(hex('0001 0000 0001 0000 0000 0000 c00c 0001 0001'), /loop/);
    rejects(hex('0001 0000 0001 0000 0000 0000 0161 c00c 0001 0001'), /loop/);
    rejects(hex('0001 0000 0001 0000 0000 0000 c00e 0000 0001 0001'), /loop/);
    // two names pointing at each other: the first one's pointer is a forward one
    rejects(hex('0001 0000 0002 0000 0000 0000 c012 0001 0001 c00c 0001 0001'), /loop/);
  });

  it('a label length over 63 (the 01 and 10 label types)', () => {
    const label64 = '40' + '61'.repeat(64);
    rejects(hex(`0001 0000 0001 0000 0000 0000 ${label64} 00 0001 0001`), /63/);
    rejects(hex('0001 0000 0001 0000 0000 0000 8000 0001 0001'), /63/);
  });

  it('a name over 255 octets, written out or assembled through a pointer', () => {
    const l63 = '3f' + '62'.repeat(63);
    rejects(hex(`0001 0000 0001 0000 0000 0000 ${l63.repeat(4)} 00 0001 0001`), /255/);
    // Q1: 3 x 63 (193 octets on the wire) at 12; Q2: 2 x 63 then a pointer to Q1 = 321 octets
    rejects(hex(`0001 0000 0002 0000 0000 0000 ${l63.repeat(3)} 00 0001 0001 ${l63.repeat(2)} c00c 0001 0001`), /255/);
  });

  it('RDATA that does not fit its type or its RDLENGTH, and bytes after the last record', () => {
    const head = '0001 8000 0000 0001 0000 0000 00';
    rejects(hex(`${head} 0001 0001 00000000 0005 0a000001ff`), /A RDATA/);
    rejects(hex(`${head} 001c 0001 00000000 0004 0a000001`), /AAAA RDATA/);
    rejects(hex(`${head} 0001 0001 00000000 0010 0a000001`), /truncated RDATA/);
    // CNAME whose name runs past RDLENGTH 2
    rejects(hex(`${head} 0005 0001 00000000 0002 0161 00 00`), /RDATA/);
    // TXT string longer than the RDATA
    rejects(hex(`${head} 0010 0001 00000000 0002 0561`), /TXT/);
    // SOA missing its numbers
    rejects(hex(`${head} 0006 0001 00000000 0002 00 00`), /SOA/);
    rejects(hex('0001 0000 0000 0000 0000 0000 ff'), /after the last record/);
  });

  it('never throws anything else on random or mutated bytes', () => {
    const valid = encodeDns(dnsResponse(dnsQuery(3, 'web.default.svc.cluster.local', 'A'), [{ name: 'web.default.svc.cluster.local', type: 'A', class: 1, ttl: 30, address: ip('10.96.0.20') }], 0));
    const onlyDecodeErrors = (b: Uint8Array): boolean => {
      try {
        decodeDns(b);
      } catch (e) {
        return e instanceof DnsDecodeError;
      }
      return true;
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), onlyDecodeErrors), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(valid.length - 1), v: fc.nat(255) }), { minLength: 1, maxLength: 4 }), (edits) => {
        const b = valid.slice();
        for (const e of edits) b[e.at] = e.v;
        return onlyDecodeErrors(b);
      }),
      { numRuns: 2000 },
    );
  });
});

// ------------------------------------------------------------------------------ round trips

const arbLabel = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 63 }).map((b) => [...b].map((x) => (x === 0x2e ? '\\.' : x === 0x5c ? '\\\\' : x > 0x20 && x < 0x7f ? String.fromCharCode(x) : '\\' + String(x).padStart(3, '0'))).join('')) },
);
/** Names from a small pool of suffixes, so that compression gets exercised. */
const arbName = fc.oneof(
  fc.constant(''),
  fc.array(arbLabel, { minLength: 1, maxLength: 3 }).chain((head) =>
    fc.constantFrom('', 'cluster.local', 'default.svc.cluster.local', 'Example.COM', 'in-addr.arpa').map((tail) => [...head, ...(tail ? [tail] : [])].join('.')),
  ),
);
const u16 = fc.nat(0xffff);
const u32 = fc.nat(0xffffffff);
const base = { name: arbName, class: u16, ttl: u32 };
const typedCodes = new Set<number>([1, 2, 5, 6, 12, 15, 16, 28, 33]);

const arbRecord: fc.Arbitrary<DnsRecord> = fc.oneof(
  fc.record({ ...base, type: fc.constant('A' as const), address: u32 }),
  fc.record({ ...base, type: fc.constant('NS' as const), host: arbName }),
  fc.record({ ...base, type: fc.constant('CNAME' as const), target: arbName }),
  fc.record({ ...base, type: fc.constant('PTR' as const), target: arbName }),
  fc.record({ ...base, type: fc.constant('SOA' as const), mname: arbName, rname: arbName, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 }),
  fc.record({ ...base, type: fc.constant('MX' as const), preference: u16, exchange: arbName }),
  fc.record({ ...base, type: fc.constant('TXT' as const), strings: fc.array(fc.uint8Array({ maxLength: 255 }).map((b) => String.fromCharCode(...b)), { maxLength: 3 }) }),
  fc.record({ ...base, type: fc.constant('AAAA' as const), address: fc.uint8Array({ minLength: 16, maxLength: 16 }) }),
  fc.record({ ...base, type: fc.constant('SRV' as const), priority: u16, weight: u16, port: u16, target: arbName }),
  fc.record({ ...base, type: fc.constant('raw' as const), code: u16.filter((c) => !typedCodes.has(c)), data: fc.uint8Array({ maxLength: 40 }) }),
);

const arbMessage: fc.Arbitrary<DnsMessage> = fc.record({
  id: u16,
  qr: fc.boolean(),
  opcode: fc.nat(15),
  aa: fc.boolean(),
  tc: fc.boolean(),
  rd: fc.boolean(),
  ra: fc.boolean(),
  z: fc.nat(7),
  rcode: fc.nat(15),
  questions: fc.array(fc.record({ name: arbName, type: u16, class: u16 }), { maxLength: 2 }),
  answers: fc.array(arbRecord, { maxLength: 5 }),
  authority: fc.array(arbRecord, { maxLength: 3 }),
  additional: fc.array(arbRecord, { maxLength: 3 }),
});

describe('round trips (fast-check)', () => {
  it('decode(encode(m)) equals m', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        expect(decodeDns(encodeDns(m))).toEqual(m);
      }),
      { numRuns: 1000 },
    );
  });

  it('encode(decode(bytes)) gives the same bytes back', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        const b = encodeDns(m);
        expect(toHex(encodeDns(decodeDns(b)))).toBe(toHex(b));
      }),
      { numRuns: 300 },
    );
  });
});
