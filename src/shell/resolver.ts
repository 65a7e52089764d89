/**
 * Name resolution for commands, as the C library does it: real DNS queries over the network.
 *
 * Design notes: in a pod the resolver reads the pod's resolv.conf as its dnsPolicy makes it
 * (ClusterFirst: `search <ns>.svc.cluster.local svc.cluster.local cluster.local`,
 * `nameserver 10.96.0.10`, `options ndots:5`; see sim/k8s/pod-files.ts) and tries the search list in the order glibc or musl would (musl, in
 * Alpine-based images, never searches names with ndots or more dots and stops at the first
 * answer that is not NXDOMAIN); each try is a UDP query to the nameserver, DNATed to a CoreDNS
 * pod like any other packet. On the workstation and the nodes the nameserver is the LAN's
 * router, which knows only the outside world; in a Docker container on a user-defined network
 * it is Docker's embedded DNS server, 127.0.0.11 (the configuration is the model's:
 * sim/host/resolv-conf.ts). An address is used as it is. In a pod the
 * kubelet's /etc/hosts is read first (`files` before `dns`, as glibc's nsswitch.conf and musl
 * do): the pod's own name, and its FQDN when it has a subdomain, answer without a query.
 * Left out: /etc/hosts elsewhere (except localhost), AAAA lookups, TCP fallback, the nscd cache.
 */
import { decodeDns, dnsQuery, encodableName, encodeDns } from '../sim/dns';
import { formatIp, parseIp, type Ip } from '../sim/ipv4';
import { parseResolvConf, resolvConf, searchCandidates } from '../sim/k8s/coredns';
import { podHostsFile, podResolvConf } from '../sim/k8s/pod-files';
import type { Location, ShellEnv } from './command';
import { imageFamily } from './images';
import { machineResolvConf } from '../sim/host/resolv-conf';

export type Resolved = { ok: true; ip: Ip; name: string } | { ok: false; reason: 'not-found' | 'timeout' };

/** The network namespace a location's programs use. */
export function nsIdOf(env: ShellEnv, loc: Location = env.location): string {
  if (loc.kind === 'node') return loc.ns;
  if (loc.kind === 'workstation') return 'workstation';
  if (loc.kind === 'container') return loc.ns;
  const pod = env.sim.pod(loc.namespace, loc.pod);
  if (pod?.spec.hostNetwork) return `node/${pod.spec.nodeName}`;
  return `pod/${loc.namespace}/${loc.pod}`;
}

/** A node's (or another machine's) /etc/resolv.conf: the model's (sim/host/resolv-conf.ts). */
export function nodeResolvConf(env: ShellEnv): string {
  return machineResolvConf(env.sim.state, nsIdOf(env));
}

/** The /etc/resolv.conf of the pod at `loc` (its dnsPolicy and dnsConfig, see pod-files.ts). */
export function resolvConfAt(env: ShellEnv, loc: Extract<Location, { kind: 'pod' }>): string {
  const pod = env.sim.pod(loc.namespace, loc.pod);
  return pod ? podResolvConf(env.sim.state, pod) : resolvConf(env.sim.state, loc.namespace);
}

/**
 * The first IPv4 line of a hosts file naming `name` (case does not matter; a final dot is
 * ignored): its address and canonical name (the line's first name), as gethostbyname reads it.
 */
export function hostsLookup(hosts: string, name: string): { ip: Ip; canonical: string } | undefined {
  const want = name.replace(/\.$/, '').toLowerCase();
  for (const line of hosts.split('\n')) {
    const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    const ip = addr ? parseIp(addr) : undefined;
    if (ip !== undefined && names.some((n) => n.toLowerCase() === want)) return { ip, canonical: names[0]! };
  }
  return undefined;
}

/** The /etc/hosts the program at `loc` reads, when the sandbox models it for name lookups (pods). */
export function hostsFileAt(env: ShellEnv, loc: Location = env.location): string | undefined {
  if (loc.kind !== 'pod') return undefined;
  const pod = env.sim.pod(loc.namespace, loc.pod);
  return pod ? podHostsFile(env.sim.state, pod) : undefined;
}

export function resolveHost(env: ShellEnv, name: string): Resolved {
  const literal = parseIp(name);
  if (literal !== undefined) return { ok: true, ip: literal, name };
  if (name === 'localhost') return { ok: true, ip: 0x7f000001, name };
  const hosts = hostsFileAt(env);
  const local = hosts !== undefined ? hostsLookup(hosts, name) : undefined;
  if (local) return { ok: true, ip: local.ip, name: local.canonical };
  const loc = env.location;
  const state = env.sim.state;
  let candidates: string[];
  let server: string;
  if (loc.kind === 'pod') {
    const conf = parseResolvConf(resolvConfAt(env, loc));
    const image = env.sim.pod(loc.namespace, loc.pod)?.spec.containers.find((c) => c.name === loc.container)?.image ?? '';
    const musl = ['busybox', 'netshoot', 'agnhost', 'curl'].includes(imageFamily(image));
    candidates = searchCandidates(name, conf, musl ? 'musl' : 'glibc');
    server = conf.nameservers[0] ?? '10.96.0.10';
  } else {
    candidates = [name.replace(/\.$/, '')];
    // The machine's resolv.conf: the LAN's router, or Docker's embedded DNS server on a user-defined network.
    server = parseResolvConf(machineResolvConf(state, nsIdOf(env))).nameservers[0] ?? formatIp(state.config.gateway);
  }
  const nsId = nsIdOf(env);
  let sawAnswer = false;
  let sentAny = false;
  // A name no query can carry (an empty label as in `.x`, a label over 63 octets) fails in
  // the C library before anything is sent: the lookup reports the name as unknown.
  for (const cand of candidates.filter(encodableName)) {
    sentAny = true;
    const r = env.sim.udpRequest(nsId, parseIp(server)!, 53, encodeDns(dnsQuery(env.sim.rng.int(65536), cand, 'A')));
    if (r.kind !== 'reply') continue;
    sawAnswer = true;
    const m = decodeDns(r.data);
    const a = m.answers.find((x) => x.type === 'A');
    if (a && a.type === 'A') return { ok: true, ip: a.address, name: cand };
  }
  return { ok: false, reason: sawAnswer || !sentAny ? 'not-found' : 'timeout' };
}
