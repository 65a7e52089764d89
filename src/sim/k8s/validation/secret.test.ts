import { describe, expect, it } from 'vitest';
import { validateSecret } from './secret';
import { CONFIG_KEY, texts } from './test-util';

const secret = (body: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, ...body });

describe('Secret validation', () => {
  it('accepts config keys; a TLS secret needs tls.crt and tls.key', () => {
    expect(texts(validateSecret(secret({ data: { password: 'czNjcjN0' }, type: 'Opaque' })))).toEqual([]);
    expect(texts(validateSecret(secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==', 'tls.key': 'AA==' } })))).toEqual([]);
    expect(texts(validateSecret(secret({ type: 'kubernetes.io/tls', data: {} })))).toEqual(['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
    expect(texts(validateSecret(secret({ data: { 'a/b': 'AA==' } })))).toEqual([`data[a/b]: Invalid value: "a/b": ${CONFIG_KEY}`]);
  });

  it('at most 1 MiB of decoded data', () => {
    const b64 = 'AAAA'.repeat(349526); // 1048578 bytes
    expect(texts(validateSecret(secret({ data: { a: b64 } })))).toEqual(['data: Too long: must have at most 1048576 bytes']);
    expect(texts(validateSecret(secret({ data: { a: 'AAAA'.repeat(349525) } })))).toEqual([]);
  });
});
