import { describe, expect, it } from 'vitest';
import { validateEndpoints } from './endpoints';
import { PORT_RANGE, texts } from './test-util';

const ep = (subsets: unknown[]) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext' }, subsets });

describe('Endpoints validation', () => {
  it('accepts IPv4 addresses and ports', () => {
    expect(texts(validateEndpoints(ep([{ addresses: [{ ip: '10.244.1.2' }], ports: [{ port: 80 }] }])))).toEqual([]);
  });

  it('addresses must be IP addresses; ports in range, named when several', () => {
    expect(texts(validateEndpoints(ep([{ addresses: [{ ip: 'db.local' }, {}], ports: [{ port: 0 }, { name: 'b', port: 81, protocol: 'ICMP' }] }])))).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "db.local": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].addresses[1].ip: Required value',
      'subsets[0].ports[0].name: Required value',
      `subsets[0].ports[0].port: Invalid value: 0: ${PORT_RANGE}`,
      'subsets[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]);
  });
});
