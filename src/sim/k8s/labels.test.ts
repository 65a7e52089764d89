import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { matches, parseSelector, SelectorError } from './labels';

/** Label selectors: the grammar, the matching rules and the errors of apimachinery's labels.Parse. */

const web = { app: 'web', tier: 'front' };
const db = { app: 'db', version: '3' };
const bare = {};
const pick = (sel: string): string[] =>
  Object.entries({ web, db, bare })
    .filter(([, l]) => matches(parseSelector(sel), l))
    .map(([n]) => n);

describe('label selectors', () => {
  it('equality, inequality, existence and sets, ANDed', () => {
    expect(pick('app=web')).toEqual(['web']);
    expect(pick('app==web')).toEqual(['web']);
    expect(pick('app!=web')).toEqual(['db', 'bare']); // != also matches objects without the key
    expect(pick('app')).toEqual(['web', 'db']);
    expect(pick('!app')).toEqual(['bare']);
    expect(pick('app in (web, db)')).toEqual(['web', 'db']);
    expect(pick('app notin (web)')).toEqual(['db', 'bare']);
    expect(pick('app,tier=front')).toEqual(['web']);
    expect(pick(' app = db , version ')).toEqual(['db']);
    expect(pick('version>2')).toEqual(['db']);
    expect(pick('version<3')).toEqual([]);
    expect(pick('')).toEqual(['web', 'db', 'bare']);
    expect(pick('app=')).toEqual([]); // the empty value: only a label with an empty value matches
  });

  it('syntax errors read as the API server words them', () => {
    const err = (s: string): string => {
      try {
        parseSelector(s);
      } catch (e) {
        expect(e).toBeInstanceOf(SelectorError);
        return (e as Error).message;
      }
      throw new Error(`${s} parsed`);
    };
    expect(err('type=app,versionv1.0.1)')).toBe("unable to parse requirement: found ')', expected: in, notin, =, ==, !=, gt, lt");
    expect(err('env IN (a)')).toBe("unable to parse requirement: found 'IN', expected: in, notin, =, ==, !=, gt, lt");
    expect(err('app=we b')).toBe("found 'b', expected: ',' or 'end of string'");
    expect(err('app,')).toBe("found '', expected: identifier after ','");
    expect(err('=x')).toBe("found '=', expected: !, identifier, or 'end of string'");
    expect(err('app in web')).toBe("unable to parse requirement: found 'web' expected: '('");
    expect(err('v>x')).toBe("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer");
    expect(err('app=-x')).toMatch(/^unable to parse requirement: values\[0\]\[app\]: Invalid value: "-x": a valid label must be/);
    expect(err('-app=x')).toMatch(/^unable to parse requirement: key: Invalid value: "-app": name part must consist of/);
  });

  it('any text either parses or fails with a SelectorError, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '=', '!', '(', ')', ',', ' ', 'in', 'notin', '<', '>', '1', '-', '/', '.') }), (s) => {
        try {
          const reqs = parseSelector(s);
          matches(reqs, web);
        } catch (e) {
          expect(e).toBeInstanceOf(SelectorError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
