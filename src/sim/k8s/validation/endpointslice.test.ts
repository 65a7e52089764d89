import { describe, expect, it } from 'vitest';
import { validateEndpointSlice } from './endpointslice';
import { PORT_RANGE, texts } from './test-util';

const slice = (body: Record<string, unknown>) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'ext-1' }, ...body });

describe('EndpointSlice validation', () => {
  it('accepts an IPv4 slice', () => {
    expect(texts(validateEndpointSlice(slice({ addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.2'] }], ports: [{ name: 'http', port: 80 }] })))).toEqual([]);
  });

  it('addressType required and from its enum; addresses and ports checked', () => {
    expect(texts(validateEndpointSlice(slice({})))).toEqual(['addressType: Required value']);
    expect(texts(validateEndpointSlice(slice({ addressType: 'IPv5' })))).toEqual(['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"']);
    expect(texts(validateEndpointSlice(slice({ addressType: 'IPv4', endpoints: [{ addresses: ['x'] }, { addresses: [] }], ports: [{ name: 'Http', port: 0 }] })))).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "x": must be a valid IPv4 address',
      'endpoints[1].addresses: Required value: must contain at least 1 address',
      'ports[0].name: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      `ports[0].port: Invalid value: 0: ${PORT_RANGE}`,
    ]);
  });
});
