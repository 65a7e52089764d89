import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clone } from './clone';

const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
/** Same text, same key order, and nothing shared with the original. */
const same = (v: unknown): void => {
  const c = clone(v);
  expect(JSON.stringify(c)).toBe(JSON.stringify(viaJson(v)));
  expect(c).toStrictEqual(viaJson(v));
};

describe('clone', () => {
  it('copies any JSON value as a JSON round trip does', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => same(v)), { numRuns: 500 });
  });

  it('applies JSON\'s rules to values JSON does not keep', () => {
    same({ a: undefined, b: () => 1, c: Symbol('s'), d: NaN, e: -Infinity, f: -0, g: [undefined, () => 1, NaN, -0], h: { i: undefined } });
    same({ d: new Date(Date.UTC(2025, 0, 1)), bytes: new Uint8Array([1, 2]), map: new Map([[1, 2]]) });
    same({ x: { toJSON: () => 'replaced' } });
    same(JSON.parse('{"__proto__": {"polluted": true}, "k": 1}'));
    same(Object.assign(Object.create(null), { 2: 'b', 1: 'a', z: 'z' }));
    same([1, , 3]);
  });

  it('fails as JSON does on a BigInt or a cycle, and refuses undefined', () => {
    expect(() => clone({ n: 1n })).toThrow(TypeError);
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => clone(cyc)).toThrow(TypeError);
    expect(() => clone(undefined)).toThrow(SyntaxError);
  });

  it('shares nothing with the original', () => {
    const v = { a: [{ b: 1 }], c: { d: 'e' } };
    const c = clone(v);
    c.a[0]!.b = 2;
    c.c.d = 'f';
    expect(v).toEqual({ a: [{ b: 1 }], c: { d: 'e' } });
  });
});
