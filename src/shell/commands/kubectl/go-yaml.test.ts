import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'yaml';
import { goYaml } from './go-yaml';

/** The emitter against a YAML 1.1 reader (go-yaml's dialect): whatever it writes reads back as written. */

const tricky = fc.constantFrom('', ' x', 'x ', 'yes', 'No', 'on', 'OFF', 'y', '~', 'null', '80', '0755', '0x1F', '1_000', '1:20', '3.', '.5', '1e3', '-1', '+1', '.inf', '.NaN',
  '2025-03-14T09:22:00Z', '2025-03-14', 'a: b', 'a #b', 'a:', '-', '- x', '-conf', '#x', '&a', '*a', '!x', '|', '>', "'q'", '"d"', '%x', '@x', '`x', '[a]', '{a}', 'a,b',
  '10.244.1.2', 'k8s-app=kube-dns', 'nginx:1.27', 'a\nb', 'tab\there', 'ünï', 'http://x/y?z=1', 'Cluster', '?x', ':x', 'x?');
const key = fc.oneof(tricky, fc.string({ maxLength: 6 }));
const leaf = fc.oneof(tricky, fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
})).v;

describe('go-yaml emitter', () => {
  it('reads back as the same data under YAML 1.1', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (doc) => {
        expect(parse(goYaml(doc), { version: '1.1', uniqueKeys: false })).toEqual(doc);
      }),
      { numRuns: Number(process.env.YAML_RUNS ?? 3000) },
    );
  }, 300_000);

  it('lays lists out at their key\'s indent and quotes what YAML 1.1 would misread', () => {
    expect(goYaml({ a: [{ b: 1, c: ['x', '80'] }, 'yes'], d: {}, e: [], f: '2025-03-14T09:22:00Z', g: '-conf' })).toBe(
      'a:\n- b: 1\n  c:\n  - x\n  - "80"\n- "yes"\nd: {}\ne: []\nf: "2025-03-14T09:22:00Z"\ng: -conf\n',
    );
    // YAML 1.1 reads these as base-60 numbers; go-yaml's encoder quotes them (isBase60Float).
    expect(goYaml({ a: '0:0', b: '1:30', c: '12:05.5', d: '1:2:3x' })).toBe('a: "0:0"\nb: "1:30"\nc: "12:05.5"\nd: 1:2:3x\n');
  });

  it('single-quotes what may not be plain but reads as a string, and leaves the rest plain', () => {
    // go-yaml's emitter falls back from plain to single quotes; a tab needs double quotes.
    expect(goYaml({ a: '{"VNI":1}', b: 'a: b', c: ' x', d: "it's: ok", e: 'tab\there' })).toBe(`a: '{"VNI":1}'\nb: 'a: b'\nc: ' x'\nd: 'it''s: ok'\ne: "tab\\there"\n`);
    expect(goYaml({ maxSurge: '25%', message: 'ReplicaSet "web" has successfully progressed.', u: '<none>' })).toBe('maxSurge: 25%\nmessage: ReplicaSet "web" has successfully progressed.\nu: <none>\n');
  });
});
