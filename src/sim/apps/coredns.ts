/**
 * CoreDNS (`registry.k8s.io/coredns/coredns`): the kubernetes plugin for cluster.local on UDP
 * and TCP 53, `forward .` to the node's resolver for the rest, metrics on 9153.
 * Design notes: the names CoreDNS answers are k8s/coredns.ts's; the upstream world is
 * upstream.ts's. Left out: the metrics beyond the build-info line.
 */
import { decodeDns, dnsResponse, encodeDns, type DnsMessage, type DnsRecord } from '../dns';
import { resolveCluster } from '../k8s/coredns';
import type { SimState } from '../state';
import { http, type Listener } from './http';
import type { ImageDef } from './image';
import { upstreamAnswer } from './upstream';

function coreDnsAnswer(state: SimState, req: Uint8Array): Uint8Array | undefined {
  let q: DnsMessage;
  try {
    q = decodeDns(req);
  } catch {
    return undefined;
  }
  const question = q.questions[0];
  if (!question) return encodeDns(dnsResponse(q, [], 'FORMERR'));
  const r = resolveCluster(state, question.name, question.type);
  if (r.kind === 'forward') return encodeDns({ ...upstreamAnswer(q), aa: false, ra: true });
  let answers: DnsRecord[] = r.answers;
  if (r.upstream) answers = [...answers, ...upstreamAnswer({ ...q, questions: [{ name: r.upstream.name, type: r.upstream.type, class: 1 }] }).answers];
  return encodeDns(dnsResponse(q, answers, r.rcode, r.authority, { aa: r.authoritative, additional: r.additional }));
}

export const coredns: ImageDef = {
  id: 'coredns',
  names: ['coredns'],
  serves: 'DNS on UDP and TCP 53 (cluster.local, forwarding the rest), metrics on 9153',
  env: () => [['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['SSL_CERT_FILE', '/etc/ssl/certs/ca-certificates.crt']],
  home: '/home/nonroot',
  listeners({ state }) {
    const dns = (proto: 'udp' | 'tcp'): Listener => ({ proto, port: 53, program: 'coredns', handle: (req) => coreDnsAnswer(state, req) });
    return [dns('udp'), dns('tcp'), { proto: 'tcp', port: 9153, program: 'coredns', handle: () => http('200 OK', '# HELP coredns_build_info A metric with a constant \'1\' value labeled by version, revision, and goversion from which CoreDNS was built.\n', undefined, 'text/plain; version=0.0.4') }];
  },
};
