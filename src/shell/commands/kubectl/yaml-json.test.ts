import { describe, expect, it } from 'vitest';
import { jsonValues, yamlToJson } from './yaml-json';

const err = (text: string): string | undefined => {
  const r = yamlToJson(text);
  return r.ok ? undefined : r.error;
};

describe('YAML to JSON as kubectl converts it, with go-yaml\'s messages', () => {
  it('resolves merge keys as go-yaml does', () => {
    expect(yamlToJson('base: &b {app: web}\nlabels:\n  <<: *b\n  tier: fe\n')).toEqual({ ok: true, values: [{ base: { app: 'web' }, labels: { app: 'web', tier: 'fe' } }] });
    expect(yamlToJson('<<: {x: 1}\ny: 2\n')).toEqual({ ok: true, values: [{ x: 1, y: 2 }] });
    expect(err('a:\n  <<: 5\n')).toBe('yaml: map merge requires map or sequence of maps as the value');
  });

  it('refuses alias bombs, unknown anchors and complex keys', () => {
    let bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    let prev = 'a';
    for (const n of 'bcdefg') {
      bomb += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
      prev = n;
    }
    expect(err(bomb)).toBe('yaml: document contains excessive aliasing');
    expect(err('a: *nowhere\n')).toBe("yaml: unknown anchor 'nowhere' referenced");
    expect(err('? {a: 1}\n: x\n')).toBe('yaml: invalid map key: map[interface {}]interface {}{"a":1}');
    expect(err('? [1, 2]\n: x\n')).toBe('yaml: invalid map key: []interface {}{1, 2}');
  });

  it('refuses nesting past its limit, whatever the parser\'s stack', () => {
    expect(err('a: ' + '['.repeat(501))).toBe('yaml: exceeded max depth of 10000');
    expect(err('a: ' + '['.repeat(20000) + ']'.repeat(20000))).toBe('yaml: exceeded max depth of 10000');
    expect(err(Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n')).toBe('yaml: exceeded max depth of 10000');
    expect(yamlToJson('a: ' + '['.repeat(400) + ']'.repeat(400)).ok).toBe(true);
    // Brackets inside quoted scalars do not count.
    expect(yamlToJson(`a: it's [b]\nc: '${'['.repeat(600)}'\n`)).toEqual({ ok: true, values: [{ a: "it's [b]", c: '['.repeat(600) }] });
  });

  it('keeps the documents before a broken one', () => {
    const r = yamlToJson('a: 1\n---\nb: [\n');
    expect(r.ok).toBe(false);
    expect(r.values).toEqual([{ a: 1 }]);
  });

  it('syntax errors by go-yaml\'s words', () => {
    expect(err('apiVersion: v1\nkind: Pod\nmetadata: name: x\n')).toBe('yaml: line 3: mapping values are not allowed in this context');
    expect(err('a:\n\tb: 1\n')).toBe('yaml: line 2: found character that cannot start any token');
  });

  it('JSON with encoding/json\'s messages', () => {
    expect(jsonValues('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(jsonValues('{a: 1}')).toEqual({ ok: false, error: "json: line 1: invalid character 'a' looking for beginning of object key string" });
    expect(jsonValues('[1,\n 2,')).toEqual({ ok: false, error: 'json: line 2: unexpected end of JSON input' });
    expect(jsonValues('['.repeat(600) + ']'.repeat(600))).toEqual({ ok: false, error: "json: line 1: invalid character '[' exceeded max depth" });
  });
});
