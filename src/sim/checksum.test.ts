import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { internetChecksum, onesSum, updateChecksum } from './checksum';
import { decrementTtl } from './forward';
import { ipv4HeaderChecksum, type Ipv4Packet } from './packet';

/** `4500 0073 ...` -> bytes. */
const hex = (text: string): Uint8Array => Uint8Array.from(text.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));

// docs/reference/fidelity.md section 8 (the classic RFC 1071 worked example header).
const VECTOR = hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7');

/** A straightforward RFC 1071 reference: sum 16-bit words in a big number, fold, invert. */
function reference(bytes: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) + (i + 1 < bytes.length ? bytes[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

describe('RFC 1071 checksum', () => {
  it('matches the docs/reference/fidelity.md vector: b861', () => {
    expect(internetChecksum(VECTOR)).toBe(0xb861);
  });

  it('a header carrying its checksum sums to zero (verification rule)', () => {
    const h = VECTOR.slice();
    h[10] = 0xb8;
    h[11] = 0x61;
    expect(internetChecksum(h)).toBe(0);
    expect(onesSum(h)).toBe(0xffff);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(internetChecksum([0x01])).toBe(~0x0100 & 0xffff);
    expect(internetChecksum([0x12, 0x34, 0x56])).toBe(~(0x1234 + 0x5600) & 0xffff);
  });

  it('folds carries end-around', () => {
    // 0xffff + 0x0001 = 0x10000 -> 0x0001 after folding -> checksum 0xfffe.
    expect(internetChecksum([0xff, 0xff, 0x00, 0x01])).toBe(0xfffe);
  });

  it('sub-ranges and an initial sum compose like one long buffer', () => {
    const a = hex('4500 0073 0000 4000');
    const b = hex('4011 0000 c0a8 0001 c0a8 00c7');
    expect(internetChecksum(b, 0, b.length, onesSum(a))).toBe(0xb861);
    expect(internetChecksum(VECTOR, 0, 8)).toBe(internetChecksum(a));
  });

  it('equals a naive reference on random data (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        expect(internetChecksum(data)).toBe(reference(data));
      }),
    );
  });
});

describe('RFC 1624 incremental update', () => {
  it('a TTL decrement adds 0x0100 to the checksum (docs/reference/fidelity.md 4.3)', () => {
    // TTL 0x40 -> 0x3f in the vector header: b861 + 0100 = b961.
    expect(updateChecksum(0xb861, 0x4011, 0x3f11)).toBe(0xb961);
    const h = VECTOR.slice();
    h[8] = 0x3f;
    expect(internetChecksum(h)).toBe(0xb961);
  });

  it('equals full recomputation when any one 16-bit word of a header changes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 0xffff }), (header, word, value) => {
        if (word === 5) return; // the checksum field itself
        const h = header.slice();
        h[10] = 0;
        h[11] = 0;
        const before = internetChecksum(h);
        const old = (h[word * 2]! << 8) | h[word * 2 + 1]!;
        h[word * 2] = value >>> 8;
        h[word * 2 + 1] = value & 255;
        const full = internetChecksum(h);
        // Equation 3 can only differ from a full recomputation in the representation of zero
        // (0x0000 vs 0xffff), which a real IPv4 header (version 4, IHL 5) never sums to.
        const inc = updateChecksum(before, old, value);
        if (full === 0xffff || full === 0) expect([0, 0xffff]).toContain(inc);
        else expect(inc).toBe(full);
      }),
    );
  });

  const arbHeader: fc.Arbitrary<Ipv4Packet> = fc
    .record({
      tos: fc.nat(255),
      id: fc.nat(0xffff),
      df: fc.boolean(),
      mf: fc.boolean(),
      fragOffset: fc.nat(0x1fff),
      proto: fc.nat(255),
      src: fc.integer({ min: 0, max: 0xffffffff }),
      dst: fc.integer({ min: 0, max: 0xffffffff }),
      len: fc.nat(1480),
    })
    .map((r) => {
      const p: Ipv4Packet = {
        kind: 'ipv4',
        tos: r.tos,
        id: r.id,
        df: r.df,
        mf: r.mf,
        fragOffset: r.fragOffset,
        ttl: 255,
        proto: r.proto,
        checksum: 0,
        src: r.src,
        dst: r.dst,
        payload: { kind: 'raw', data: new Uint8Array(r.len) },
      };
      p.checksum = ipv4HeaderChecksum(p);
      return p;
    });

  it('decrementing TTL from 255 down to 1 keeps the checksum equal to a full recomputation (property)', () => {
    fc.assert(
      fc.property(arbHeader, (start) => {
        let p = start;
        const wrong: string[] = [];
        for (let ttl = 254; ttl >= 1; ttl--) {
          const prev = p;
          p = decrementTtl(p);
          if (p.ttl !== ttl) wrong.push(`ttl ${p.ttl} instead of ${ttl}`);
          const full = ipv4HeaderChecksum(p);
          if (p.checksum !== full) wrong.push(`ttl ${ttl}: incremental ${p.checksum.toString(16)} vs full ${full.toString(16)}`);
          // Nothing else in the header changes.
          const same = p.payload === prev.payload && p.tos === prev.tos && p.id === prev.id && p.df === prev.df && p.mf === prev.mf && p.fragOffset === prev.fragOffset && p.proto === prev.proto && p.src === prev.src && p.dst === prev.dst;
          if (!same) wrong.push(`ttl ${ttl}: another field changed`);
        }
        expect(wrong).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('decrementTtl does not modify the packet it is given', () => {
    const p: Ipv4Packet = { kind: 'ipv4', tos: 0, id: 1, df: true, mf: false, fragOffset: 0, ttl: 64, proto: 1, checksum: 0, src: 1, dst: 2, payload: { kind: 'raw', data: new Uint8Array(8) } };
    p.checksum = ipv4HeaderChecksum(p);
    const c = p.checksum;
    const q = decrementTtl(p);
    expect(p.ttl).toBe(64);
    expect(p.checksum).toBe(c);
    expect(q.ttl).toBe(63);
  });
});
