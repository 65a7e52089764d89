import { describe, expect, it } from 'vitest';
import { validateNetworkPolicy } from './networkpolicy';
import { PORT_RANGE, texts } from './test-util';

const np = (spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec });

describe('NetworkPolicy validation', () => {
  it('accepts selectors, ipBlocks, named and numbered ports', () => {
    expect(texts(validateNetworkPolicy(np({ podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16' } }, { namespaceSelector: {} }], ports: [{ port: 6379 }, { port: 'http', protocol: 'TCP' }, { port: 30000, endPort: 32767 }] }] })))).toEqual([]);
  });

  it('refuses bad ports, CIDRs, operators and policy types', () => {
    expect(texts(validateNetworkPolicy(np({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Is' }] }, policyTypes: ['Both'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }], ports: [{ port: 70000, protocol: 'ICMP' }, { port: 'http', endPort: 90 }, { port: 90, endPort: 80 }] }] })))).toEqual([
      'spec.podSelector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator',
      'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      `spec.ingress[0].ports[0].port: Invalid value: 70000: ${PORT_RANGE}`,
      'spec.ingress[0].ports[1].port: Required value: must be specified when endPort is specified',
      'spec.ingress[0].ports[2].endPort: Invalid value: 80: must be greater than or equal to `port`',
      'spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.policyTypes[0]: Unsupported value: "Both": supported values: "Egress", "Ingress"',
    ]);
  });

  it('refuses a peer that names nothing, and an ipBlock beside a selector (ValidateNetworkPolicyPeer)', () => {
    expect(texts(validateNetworkPolicy(np({ podSelector: {}, ingress: [{ from: [{ podSelector: null }, { podSelector: {} }] }], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }] }] })))).toEqual([
      'spec.ingress[0].from[0]: Required value: must specify a peer',
      'spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer',
    ]);
  });
});
