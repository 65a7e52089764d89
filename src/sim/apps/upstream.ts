/**
 * The LAN router's resolver (dnsmasq), the upstream world's DNS: the sandbox has no internet,
 * so every name is NXDOMAIN except a few well-known ones (UPSTREAM), whose addresses answer
 * only in the Docker topology (internet.ts).
 */
import { dnsResponse, fqdn, type DnsMessage } from '../dns';

/**
 * Well-known names answered by the upstream resolver. In the Kubernetes topologies there is
 * no internet behind them; in the Docker topology a small one answers pings to them
 * (internet.ts). google.com's address is a documentation one (RFC 5737).
 */
export const UPSTREAM: Record<string, string> = {
  'kubernetes.io': '15.197.167.90',
  'example.com': '93.184.215.14',
  'www.example.com': '93.184.215.14',
  'google.com': '192.0.2.14',
  'www.google.com': '192.0.2.14',
};

export function upstreamAnswer(q: DnsMessage): DnsMessage {
  const question = q.questions[0];
  if (!question) return dnsResponse(q, [], 'FORMERR', [], { ra: true });
  const name = fqdn(question.name).replace(/\.$/, '').toLowerCase();
  const addr = UPSTREAM[name];
  if (addr && question.type === 1) {
    const [a, b, c, d] = addr.split('.').map(Number) as [number, number, number, number];
    return dnsResponse(q, [{ name: question.name, class: 1, ttl: 300, type: 'A', address: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0 }], 'NOERROR', [], { ra: true });
  }
  return dnsResponse(q, [], addr ? 'NOERROR' : 'NXDOMAIN', [], { ra: true });
}
