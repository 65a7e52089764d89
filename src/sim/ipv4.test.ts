import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { broadcast, cidr, contains, formatCidr, formatIp, ip, ipBytes, maskOf, nth, overlaps, parseCidr, parseIp, size, subnet } from './ipv4';

// Expected numbers are written as a*2^24 + b*2^16 + c*2^8 + d so they can be checked by eye.
const q = (a: number, b: number, c: number, d: number): number => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;

describe('parseIp / formatIp', () => {
  it('parses dotted quads as big-endian uint32', () => {
    expect(parseIp('0.0.0.0')).toBe(0);
    expect(parseIp('255.255.255.255')).toBe(0xffffffff);
    expect(parseIp('10.244.1.5')).toBe(q(10, 244, 1, 5));
    expect(parseIp('192.168.49.2')).toBe(0xc0a83102);
    expect(parseIp('127.0.0.1')).toBe(0x7f000001);
  });

  it('is strict: rejects shortened, out-of-range, octal-looking and over-long forms', () => {
    for (const bad of ['1.2.3', '256.1.1.1', '01.2.3.4', '1.2.3.4.5', '1.2.3.04', '1.2.3.256', '', '1..2.3', '1.2.3.', '.1.2.3', ' 1.2.3.4', '1.2.3.4 ', '+1.2.3.4', '-1.2.3.4', '0x1.2.3.4', '1.2.3.4/24', 'a.b.c.d', '1.2.3.1e1', '１.2.3.4']) {
      expect(parseIp(bad), bad).toBeUndefined();
    }
    expect(() => ip('1.2.3')).toThrow(/invalid IPv4 address/);
  });

  it('accepts exactly the texts the dotted-quad grammar does (four octets 0-255, no leading zeros)', () => {
    const octet = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
    const grammar = (t: string): boolean => t.split('.').length === 4 && t.split('.').every((o) => octet.test(o));
    fc.assert(
      fc.property(fc.array(fc.constantFrom('0', '1', '2', '5', '9', '.', '00', '25', '255', '256', ' ', 'a'), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(parseIp(text) !== undefined, JSON.stringify(text)).toBe(grammar(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('formats every octet in decimal without padding', () => {
    expect(formatIp(0)).toBe('0.0.0.0');
    expect(formatIp(0xffffffff)).toBe('255.255.255.255');
    expect(formatIp(q(10, 96, 0, 10))).toBe('10.96.0.10');
    expect(ipBytes(q(192, 168, 49, 3))).toEqual([192, 168, 49, 3]);
  });

  it('round trips any uint32 through format and parse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const text = formatIp(n);
        expect(text).toMatch(/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/);
        expect(parseIp(text)).toBe(n);
      }),
    );
  });

  it('round trips any valid dotted quad through parse and format', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), (o) => {
        const text = o.join('.');
        expect(formatIp(parseIp(text)!)).toBe(text);
      }),
    );
  });
});

describe('CIDR', () => {
  it('parses a.b.c.d/len with host bits clear', () => {
    expect(parseCidr('10.244.0.0/16')).toEqual({ addr: q(10, 244, 0, 0), len: 16 });
    expect(parseCidr('10.96.0.0/12')).toEqual({ addr: q(10, 96, 0, 0), len: 12 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ addr: 0, len: 0 });
    expect(parseCidr('10.244.1.0/32')).toEqual({ addr: q(10, 244, 1, 0), len: 32 });
    // A bare address is a /32.
    expect(parseCidr('192.168.49.2')).toEqual({ addr: q(192, 168, 49, 2), len: 32 });
  });

  it('rejects host bits unless loose, and then clears them', () => {
    expect(parseCidr('10.244.1.5/24')).toBeUndefined();
    expect(parseCidr('10.97.0.0/12')).toBeUndefined(); // 10.97 has a bit inside the /12 host part
    expect(parseCidr('10.244.1.5/24', true)).toEqual({ addr: q(10, 244, 1, 0), len: 24 });
    expect(parseCidr('10.111.255.255/12', true)).toEqual({ addr: q(10, 96, 0, 0), len: 12 });
    expect(() => cidr('10.244.1.5/24')).toThrow(/invalid CIDR/);
  });

  it('rejects bad lengths and malformed text', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/8/8', '10.0.0/8', '10.0.0.0/a', '/8']) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });

  it('formats back to text', () => {
    expect(formatCidr(cidr('10.244.0.0/16'))).toBe('10.244.0.0/16');
    expect(formatCidr({ addr: 0, len: 0 })).toBe('0.0.0.0/0');
  });

  it('masks', () => {
    expect(maskOf(0)).toBe(0);
    expect(maskOf(12)).toBe(0xfff00000);
    expect(maskOf(24)).toBe(0xffffff00);
    expect(maskOf(32)).toBe(0xffffffff);
  });
});

describe('contains / overlaps', () => {
  it('contains tests the network part only', () => {
    const svc = cidr('10.96.0.0/12');
    expect(contains(svc, ip('10.96.0.1'))).toBe(true);
    expect(contains(svc, ip('10.111.255.255'))).toBe(true); // last address of the /12
    expect(contains(svc, ip('10.112.0.0'))).toBe(false);
    expect(contains(svc, ip('10.95.255.255'))).toBe(false);
    expect(contains(cidr('10.244.0.0/16'), ip('10.244.255.7'))).toBe(true);
    expect(contains(cidr('10.244.0.0/16'), ip('10.245.0.1'))).toBe(false);
    expect(contains(cidr('0.0.0.0/0'), ip('8.8.8.8'))).toBe(true);
    expect(contains(cidr('10.244.1.0/32'), ip('10.244.1.0'))).toBe(true);
    expect(contains(cidr('10.244.1.0/32'), ip('10.244.1.1'))).toBe(false);
  });

  it('the three default pools do not overlap one another', () => {
    const nodes = cidr('192.168.49.0/24');
    const pods = cidr('10.244.0.0/16');
    const svcs = cidr('10.96.0.0/12');
    expect(overlaps(nodes, pods)).toBe(false);
    expect(overlaps(pods, svcs)).toBe(false);
    expect(overlaps(nodes, svcs)).toBe(false);
  });

  it('overlaps when one prefix contains the other, in either order', () => {
    expect(overlaps(cidr('10.244.0.0/16'), cidr('10.244.3.0/24'))).toBe(true);
    expect(overlaps(cidr('10.244.3.0/24'), cidr('10.244.0.0/16'))).toBe(true);
    expect(overlaps(cidr('10.244.3.0/24'), cidr('10.244.4.0/24'))).toBe(false);
    expect(overlaps(cidr('0.0.0.0/0'), cidr('1.2.3.4/32'))).toBe(true);
    expect(overlaps(cidr('10.96.0.0/12'), cidr('10.110.0.0/16'))).toBe(true);
  });

  it('overlaps agrees with "some address is in both" (property)', () => {
    const arbCidr = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([a, len]) => parseCidr(`${formatIp(a)}/${len}`, true)!);
    fc.assert(
      fc.property(arbCidr, arbCidr, (a, b) => {
        // Two prefixes share an address iff one contains the other's network address.
        const expected = contains(a, b.addr) || contains(b, a.addr);
        expect(overlaps(a, b)).toBe(expected);
        expect(overlaps(b, a)).toBe(expected);
      }),
    );
  });
});

describe('subnet splitting, size, broadcast, nth', () => {
  const pods = cidr('10.244.0.0/16');

  it('splits 10.244.0.0/16 into /24s in order', () => {
    expect(formatCidr(subnet(pods, 24, 0))).toBe('10.244.0.0/24');
    expect(formatCidr(subnet(pods, 24, 1))).toBe('10.244.1.0/24');
    expect(formatCidr(subnet(pods, 24, 255))).toBe('10.244.255.0/24');
    expect(() => subnet(pods, 24, 256)).toThrow(RangeError);
    expect(() => subnet(pods, 24, -1)).toThrow(RangeError);
    expect(() => subnet(pods, 8, 0)).toThrow(RangeError);
    expect(() => subnet(pods, 33, 0)).toThrow(RangeError);
    expect(formatCidr(subnet(pods, 16, 0))).toBe('10.244.0.0/16');
  });

  it('size and broadcast', () => {
    expect(size(cidr('10.244.0.0/24'))).toBe(256);
    expect(size(cidr('10.96.0.0/12'))).toBe(2 ** 20);
    expect(size(cidr('0.0.0.0/0'))).toBe(2 ** 32);
    expect(formatIp(broadcast(cidr('10.244.0.0/24')))).toBe('10.244.0.255');
    expect(formatIp(broadcast(cidr('192.168.49.0/24')))).toBe('192.168.49.255');
    expect(formatIp(broadcast(cidr('10.96.0.0/12')))).toBe('10.111.255.255');
    expect(formatIp(broadcast(cidr('0.0.0.0/0')))).toBe('255.255.255.255');
    expect(formatIp(broadcast(cidr('10.244.1.0/32')))).toBe('10.244.1.0');
  });

  it('nth counts from the network address', () => {
    expect(formatIp(nth(cidr('10.96.0.0/12'), 1))).toBe('10.96.0.1'); // the kubernetes Service
    expect(formatIp(nth(cidr('10.96.0.0/12'), 10))).toBe('10.96.0.10'); // kube-dns
    expect(formatIp(nth(cidr('10.96.0.0/12'), 256))).toBe('10.96.1.0'); // top of the static band
    expect(formatIp(nth(cidr('192.168.49.0/24'), 2))).toBe('192.168.49.2');
    expect(formatIp(nth(cidr('10.244.1.0/24'), 0))).toBe('10.244.1.0');
    expect(formatIp(nth(cidr('10.244.1.0/24'), 255))).toBe('10.244.1.255');
    expect(() => nth(cidr('10.244.1.0/24'), 256)).toThrow(RangeError);
    expect(() => nth(cidr('10.244.1.0/24'), -1)).toThrow(RangeError);
  });

  it('every subnet contains its own network and broadcast address and lies inside its parent (property)', () => {
    const arb = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }))
      .map(([a, l1, l2, f]) => {
        const parent = parseCidr(`${formatIp(a)}/${Math.min(l1, l2)}`, true)!;
        const len = Math.max(l1, l2);
        const count = 2 ** (len - parent.len);
        return { parent, len, index: Math.floor(f * count) };
      });
    fc.assert(
      fc.property(arb, ({ parent, len, index }) => {
        const s = subnet(parent, len, index);
        expect(s.len).toBe(len);
        expect(contains(s, s.addr)).toBe(true);
        expect(contains(s, broadcast(s))).toBe(true);
        expect(contains(parent, s.addr)).toBe(true);
        expect(contains(parent, broadcast(s))).toBe(true);
        expect(overlaps(parent, s)).toBe(true);
        // It is aligned: re-parsing its text strictly succeeds.
        expect(parseCidr(formatCidr(s))).toEqual(s);
        // Consecutive subnets are adjacent and disjoint.
        if (index + 1 < 2 ** (len - parent.len)) {
          const next = subnet(parent, len, index + 1);
          expect(next.addr).toBe((broadcast(s) + 1) >>> 0);
          expect(overlaps(s, next)).toBe(false);
        }
      }),
    );
  });
});
