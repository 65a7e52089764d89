import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { base64Of, fromBase64, normalise, storedKind } from './objects';

const kind = (k: string) => storedKind(k)!;
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return `${e.reason}: ${e.message}`;
    throw e;
  }
  return 'accepted';
};

describe('stored kinds: the API server\'s validation and defaulting', () => {
  it('base64 round-trips UTF-8 as Go encodes []byte', () => {
    expect(base64Of('s3cr3t')).toBe('czNjcjN0');
    expect(base64Of('é')).toBe('w6k=');
    expect(fromBase64('w6k=')).toBe('é');
    expect(fromBase64('not*base64')).toBeUndefined();
  });

  it('ConfigMap keys and value types', () => {
    expect(normalise(kind('ConfigMap'), 'c', { data: { a: '1' }, binaryData: { b: 'AAE=' } })).toEqual({ data: { a: '1' }, binaryData: { b: 'AAE=' } });
    expect(refusal(() => normalise(kind('ConfigMap'), 'c', { data: { port: 80 } }))).toBe('BadRequest: ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
    expect(refusal(() => normalise(kind('ConfigMap'), 'c', { data: { 'a b': 'x' } }))).toBe(
      'Invalid: ConfigMap "c" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')',
    );
    expect(refusal(() => normalise(kind('ConfigMap'), 'c', { data: { a: 'x' }, binaryData: { a: 'AA==' } }))).toBe('Invalid: ConfigMap "c" is invalid: data[a]: Invalid value: "a": duplicate of key present in binaryData');
  });

  it('Secret type, stringData and TLS keys', () => {
    expect(normalise(kind('Secret'), 's', { stringData: { user: 'admin' } })).toEqual({ data: { user: 'YWRtaW4=' }, type: 'Opaque' });
    expect(refusal(() => normalise(kind('Secret'), 's', { type: 'kubernetes.io/tls', data: {} }))).toBe('Invalid: Secret "s" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]');
  });

  it('NetworkPolicy policyTypes and port protocols default as the API server sets them', () => {
    expect(normalise(kind('NetworkPolicy'), 'n', { spec: { egress: [{ ports: [{ port: 53 }] }] } })).toEqual({ spec: { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }], policyTypes: ['Ingress', 'Egress'] } });
    expect(normalise(kind('NetworkPolicy'), 'n', { spec: { podSelector: { matchLabels: { a: 'b' } } } })).toEqual({ spec: { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress'] } });
    expect(refusal(() => normalise(kind('NetworkPolicy'), 'n', { spec: { policyTypes: ['Both'] } }))).toBe('Invalid: NetworkPolicy.networking.k8s.io "n" is invalid: spec.policyTypes[0]: Unsupported value: "Both": supported values: "Egress", "Ingress"');
  });

  it('EndpointSlice needs an addressType', () => {
    expect(refusal(() => normalise(kind('EndpointSlice'), 'e', { endpoints: [] }))).toBe('Invalid: EndpointSlice.discovery.k8s.io "e" is invalid: addressType: Required value');
  });
});
