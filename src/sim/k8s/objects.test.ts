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

describe('stored kinds: the API server\'s decoding and defaulting', () => {
  it('base64 round-trips UTF-8 as Go encodes []byte', () => {
    expect(base64Of('s3cr3t')).toBe('czNjcjN0');
    expect(base64Of('é')).toBe('w6k=');
    expect(fromBase64('w6k=')).toBe('é');
    expect(fromBase64('not*base64')).toBeUndefined();
  });

  it('ConfigMap keys and value types', () => {
    expect(normalise(kind('ConfigMap'), 'c', { data: { a: '1' }, binaryData: { b: 'AAE=' } })).toEqual({ data: { a: '1' }, binaryData: { b: 'AAE=' } });
    expect(refusal(() => normalise(kind('ConfigMap'), 'c', { data: { port: 80 } }))).toBe('BadRequest: ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
  });

  it('Secret type, stringData and TLS keys', () => {
    expect(normalise(kind('Secret'), 's', { stringData: { user: 'admin' } })).toEqual({ data: { user: 'YWRtaW4=' }, type: 'Opaque' });
    expect(refusal(() => normalise(kind('Secret'), 's', { data: { a: 'no*' } }))).toBe('BadRequest: Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 2');
  });

  it('NetworkPolicy policyTypes and port protocols default as the API server sets them', () => {
    expect(normalise(kind('NetworkPolicy'), 'n', { spec: { egress: [{ ports: [{ port: 53 }] }] } })).toEqual({ spec: { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }], policyTypes: ['Ingress', 'Egress'] } });
    expect(normalise(kind('NetworkPolicy'), 'n', { spec: { podSelector: { matchLabels: { a: 'b' } } } })).toEqual({ spec: { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress'] } });
  });

  it('EndpointSlice ports default to TCP', () => {
    expect(normalise(kind('EndpointSlice'), 'e', { addressType: 'IPv4', ports: [{ port: 80 }] })).toEqual({ addressType: 'IPv4', endpoints: [], ports: [{ port: 80, protocol: 'TCP' }] });
  });
});
