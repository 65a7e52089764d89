/**
 * Docker's embedded DNS server, as a container on a user-defined network sees it.
 *
 * Design notes: the daemon's resolver listens in the container's namespace on 127.0.0.11 at
 * the two ports drawn when the container joined a user-defined network (docker/networks.ts
 * puts the DNAT rules for port 53 in front of them). An A query for the name, short id or
 * `--network-alias` of a running container sharing a user-defined network with the asker is
 * answered with its addresses there (TTL 600, as libnetwork's resolver sets); a query for
 * such a name of any other type gets an empty NOERROR answer. Every other query is forwarded
 * to the host's nameserver (the LAN router) and its answer relayed as it is. Names on the
 * default bridge are never answered here: containers only there have no embedded DNS at all.
 * Left out: the forwarded query as packets of its own (it is answered directly from the
 * upstream resolver's table: the same answer, without the host-to-router exchange in a
 * trace), PTR records for container addresses, TCP queries.
 */
import { decodeDns, dnsResponse, encodeDns, fqdn, type DnsMessage } from '../dns';
import type { Listener } from '../apps';
import type { DockerContainer, DockerHost } from '../docker';
import { EMBEDDED_DNS, embeddedLookup } from './networks';

/** Answers one query for `asker` (see the design notes); `upstream` answers what is forwarded. */
export function embeddedAnswer(h: DockerHost, asker: DockerContainer, q: DnsMessage, upstream: (q: DnsMessage) => DnsMessage): DnsMessage {
  const question = q.questions[0];
  if (!question) return dnsResponse(q, [], 'FORMERR', [], { ra: true });
  const name = fqdn(question.name).replace(/\.$/, '').toLowerCase();
  const ips = embeddedLookup(h, asker, name);
  if (ips.length === 0) return upstream(q);
  if (question.type !== 1) return dnsResponse(q, [], 'NOERROR', [], { ra: true });
  return dnsResponse(
    q,
    ips.map((address) => ({ name: question.name, class: 1, ttl: 600, type: 'A' as const, address })),
    'NOERROR',
    [],
    { ra: true },
  );
}

/** The embedded DNS server's UDP socket in a container's namespace (when it has one). */
export function embeddedDnsListeners(h: DockerHost, c: DockerContainer, upstream: (q: DnsMessage) => DnsMessage): Listener[] {
  if (!c.dnsPorts) return [];
  return [
    {
      proto: 'udp',
      port: c.dnsPorts.udp,
      addr: EMBEDDED_DNS,
      program: 'dockerd',
      handle: (req) => {
        try {
          return encodeDns(embeddedAnswer(h, c, decodeDns(req), upstream));
        } catch {
          return undefined;
        }
      },
    },
  ];
}
