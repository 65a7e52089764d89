import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { executeJsonPath, JsonPathError, parseJsonPath } from './jsonpath';

/** kubectl's JSONPath templates on a small List, checked against client-go's documented behaviour. */

const list = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { metadata: { name: 'a', labels: { app: 'web', tier: 'x' } }, status: { podIP: '10.244.1.2', addresses: [{ type: 'InternalIP', address: '192.168.49.2' }, { type: 'Hostname', address: 'a' }] }, spec: { port: 80, ready: true } },
    { metadata: { name: 'b' }, status: { podIP: '10.244.2.2', addresses: [{ type: 'InternalIP', address: '192.168.49.3' }] }, spec: { port: 8080, ready: false } },
  ],
};
const run = (t: string): string => executeJsonPath(parseJsonPath(t), list);

describe('jsonpath templates', () => {
  it('paths, wildcards, indexes and slices; results of one action joined by spaces, no newline added', () => {
    expect(run('{.items[*].metadata.name}')).toBe('a b');
    expect(run('{.items[0].status.podIP}')).toBe('10.244.1.2');
    expect(run('{.items[-1].metadata.name}')).toBe('b');
    expect(run('{.items[0:1].metadata.name}')).toBe('a');
    expect(run("{.items[*]['metadata']['name']}")).toBe('a b');
    expect(run('{$.kind}')).toBe('List');
    expect(run('{..podIP}')).toBe('10.244.1.2 10.244.2.2');
    expect(run('{.items[*].spec.port}')).toBe('80 8080');
    expect(run('{.items[*].spec.ready}')).toBe('true false');
    // A backslash escapes a dot in a field name (parseField drops every backslash).
    expect(executeJsonPath(parseJsonPath('{.data.net-conf\\.json}'), { data: { 'net-conf.json': '{}', net: 'x' } })).toBe('{}');
  });

  it('a backslash escapes a dot in a key, as parser.go advance() does', () => {
    const cm = { data: { 'net-conf.json': '{"Network": "10.244.0.0/16"}' }, metadata: { annotations: { 'kubernetes.io/config.source': 'file' } } };
    expect(executeJsonPath(parseJsonPath('{.data.net-conf\\.json}'), cm)).toBe('{"Network": "10.244.0.0/16"}');
    expect(executeJsonPath(parseJsonPath('{.metadata.annotations.kubernetes\\.io/config\\.source}'), cm)).toBe('file');
    // Unescaped, the dot splits the key: nothing is found.
    expect(executeJsonPath(parseJsonPath('{.data.net-conf.json}'), cm)).toBe('');
  });

  it('text around actions, string literals and range loops', () => {
    expect(run('pods: {.items[*].metadata.name}!')).toBe('pods: a b!');
    expect(run('{range .items[*]}{.metadata.name}{"\\t"}{.status.podIP}{"\\n"}{end}')).toBe('a\t10.244.1.2\nb\t10.244.2.2\n');
  });

  it('filters compare strings and numbers, or test presence', () => {
    expect(run('{.items[*].status.addresses[?(@.type=="InternalIP")].address}')).toBe('192.168.49.2 192.168.49.3');
    expect(run('{.items[?(@.spec.port>100)].metadata.name}')).toBe('b');
    expect(run('{.items[?(@.metadata.labels)].metadata.name}')).toBe('a');
    expect(run("{.items[?(@.metadata.name!='a')].metadata.name}")).toBe('b');
  });

  it('maps and lists print as compact JSON with sorted keys; missing keys print nothing', () => {
    expect(run('{.items[0].metadata.labels}')).toBe('{"app":"web","tier":"x"}');
    expect(run('{.items[1].status.addresses}')).toBe('[{"address":"192.168.49.3","type":"InternalIP"}]');
    expect(run('{.items[*].metadata.labels.app}')).toBe('web');
    expect(run('{.nope.deeper}')).toBe('');
  });

  it('errors: unclosed actions and ranges, an index out of bounds', () => {
    expect(() => parseJsonPath('{.items[*]')).toThrow(new JsonPathError('unclosed action'));
    expect(() => parseJsonPath('{range .items[*]}{.a}')).toThrow(new JsonPathError('unclosed range'));
    expect(() => parseJsonPath('{end}')).toThrow(new JsonPathError('not in range, nothing to end'));
    expect(() => run('{.items[5]}')).toThrow(new JsonPathError('array index out of bounds: index 5, length 2'));
  });

  it('any template either runs or fails with a JsonPathError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('{', '}', '.', '[', ']', '*', '?', '(', ')', '@', '"', 'a', 'items', 'range ', 'end', '0', ':', '-', '=', '$') }), (t) => {
        try {
          run(t);
        } catch (e) {
          expect(e).toBeInstanceOf(JsonPathError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
