/**
 * CoreDNS (`registry.k8s.io/coredns/coredns`): DNS on UDP and TCP 53 as its Corefile says,
 * metrics on 9153.
 * Design notes: what CoreDNS answers is the Corefile's plugin chain (k8s/coredns-config.ts,
 * whose kubernetes plugin is k8s/coredns.ts); `forward .` goes to the LAN's router, whose
 * upstream world is upstream.ts's. It starts by printing its servers' addresses, the reload
 * plugin's digest and its version (corednsStartup). Left out: the metrics beyond the
 * build-info line.
 */
import { formatIp } from '../ipv4';
import { corednsStartup, serveCoreDns } from '../k8s/coredns-config';
import { containerStarted } from '../k8s/logs';
import { http, type Listener } from './http';
import type { ImageDef } from './image';
import { upstreamAnswer } from './upstream';

export const coredns: ImageDef = {
  id: 'coredns',
  names: ['coredns'],
  serves: 'DNS on UDP and TCP 53 (as its Corefile says: cluster.local, forwarding the rest), metrics on 9153',
  env: () => [['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['SSL_CERT_FILE', '/etc/ssl/certs/ca-certificates.crt']],
  home: '/home/nonroot',
  startup: ({ state, pod, container }) => corednsStartup(state, containerStarted(pod, container.name) ?? state.createdAt),
  listeners({ state, pod }) {
    const dns = (proto: 'udp' | 'tcp'): Listener => ({
      proto,
      port: 53,
      program: 'coredns',
      handle: (req, ctx) => serveCoreDns(state, req, { upstream: (q) => ({ ...upstreamAnswer(q), aa: false, ra: true }), upstreamIp: formatIp(state.config.gateway), peer: ctx.peer, proto, pod, now: ctx.now ?? state.createdAt }),
    });
    return [dns('udp'), dns('tcp'), { proto: 'tcp', port: 9153, program: 'coredns', handle: () => http('200 OK', '# HELP coredns_build_info A metric with a constant \'1\' value labeled by version, revision, and goversion from which CoreDNS was built.\n', undefined, 'text/plain; version=0.0.4') }];
  },
};
