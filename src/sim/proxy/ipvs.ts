/**
 * kube-proxy in IPVS mode (pkg/proxy/ipvs/proxier.go, v1.32): Services as IPVS virtual
 * servers, with ipsets and a few iptables rules around them.
 *
 * Design notes: on every node whose kube-proxy runs, a sync writes:
 * - the `kube-ipvs0` dummy device (DOWN, NOARP: a dummy's flags), holding every ClusterIP and
 *   every external or load balancer IP that is not already a node address as a /32 (so the
 *   node takes packets for them as its own); addresses no longer used are removed.
 * - an IPVS virtual server (rr) per Service port on its ClusterIP, on each external and load
 *   balancer IP, and for a NodePort on every node address (all non-loopback addresses of
 *   every device but kube-ipvs0: eth0, cni0, flannel.1...). Real servers are the ready
 *   endpoints, weight 1, masquerading; with externalTrafficPolicy Local the external virtual
 *   servers take the node's own endpoints, or every endpoint when the node has none (as
 *   kube-proxy does since #97081). A real server that goes away is drained, not cut: weight 0
 *   while it still has connections, deleted by the graceful-termination check that runs every
 *   minute once they are gone (UDP ones go at once). A returning endpoint is re-added.
 * - the ipsets of ipset.go's ipsetInfo (KUBE-CLUSTER-IP, KUBE-LOOP-BACK, KUBE-NODE-PORT-TCP...,
 *   KUBE-IPVS-IPS) with their entries; KUBE-LOOP-BACK lists this node's endpoints as
 *   `ip,proto:port,ip` for hairpin masquerade.
 * - the iptables rules writeIptablesRules writes, in its order: KUBE-SERVICES returns
 *   loopback sources, marks for masquerade what reaches a ClusterIP from outside the cluster
 *   CIDR (`! -s <podCIDR> ... -m set --match-set KUBE-CLUSTER-IP dst,dst`), jumps to
 *   KUBE-NODE-PORT for local destinations and accepts IPVS traffic; KUBE-POSTROUTING
 *   masquerades KUBE-LOOP-BACK hairpins and marked packets; filter KUBE-IPVS-FILTER rejects new
 *   connections to a kube-ipvs0 address that are not for one of its service ports (which is
 *   why, since v1.27, a ping to a ClusterIP gets "port unreachable" in IPVS mode instead of the
 *   echo reply the VIP would otherwise give); KUBE-FORWARD accepts marked and established
 *   traffic; KUBE-NODE-PORT accepts health check node ports. The jumps from the built-in
 *   chains are kube-proxy's iptablesJumpChain, each prepended as EnsureRule(Prepend) does.
 *   Rules only depending on the cluster are kept once in the state (state.kubeProxy, as in
 *   iptables mode); KUBE-POSTROUTING and KUBE-SOURCE-RANGES-FIREWALL, whose sets differ per
 *   node, are each node's own.
 * kube-proxy iterates Go maps, so the real order of ipset creation, of kube-ipvs0 addresses
 * and of real servers added in one sync changes from run to run; the sandbox uses the order
 * of ipsetInfo and the sorted order of everything else.
 * Left out: session affinity (persistence), the schedulers other than rr, strictARP,
 * internalTrafficPolicy Local, SCTP NodePorts, KUBE-IPVS-OUT-FILTER's rules (the `ipvs`
 * match), the UDP conntrack clean-up on endpoint changes.
 */
import { formatIp, parseCidr, parseIp, contains, type Cidr, type Ip } from '../ipv4';
import { addDest, deleteDest, emptyStats, findService, type IpvsDest, type IpvsProto, type IpvsService, type IpvsTable } from '../ipvs';
import { newIpSet, type IpSet, type IpSetType, type SetFlag } from '../ipset';
import { randomMac } from '../mac';
import { invalidateLayers, net, type Chain, type Match, type Netfilter, type Rule } from '../netfilter';
import { addDevice, deviceByName, type Netns } from '../netns';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { syncLoadBalancer } from '../k8s/cloud';
import { endpointPort, indexPods, serviceEndpoints } from '../k8s/endpoints';
import { MASQ_MARK, servicePortName } from '../k8s/kube-proxy';
import { hostPortPods, syncHostPorts } from '../k8s/portmap';
import type { ServiceProxy } from './types';

export const DUMMY_DEVICE = 'kube-ipvs0';

/** ipset.go's ipsetInfo: name, type and the comment its rules carry, in declaration order. */
export const IPSETS: { name: string; type: IpSetType; comment: string }[] = [
  { name: 'KUBE-LOOP-BACK', type: 'hash:ip,port,ip', comment: 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose' },
  { name: 'KUBE-CLUSTER-IP', type: 'hash:ip,port', comment: 'Kubernetes service cluster ip + port for masquerade purpose' },
  { name: 'KUBE-EXTERNAL-IP', type: 'hash:ip,port', comment: 'Kubernetes service external ip + port for masquerade and filter purpose' },
  { name: 'KUBE-EXTERNAL-IP-LOCAL', type: 'hash:ip,port', comment: 'Kubernetes service external ip + port with externalTrafficPolicy=local' },
  { name: 'KUBE-LOAD-BALANCER', type: 'hash:ip,port', comment: 'Kubernetes service lb portal' },
  { name: 'KUBE-LOAD-BALANCER-FW', type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port for load balancer with sourceRange' },
  { name: 'KUBE-LOAD-BALANCER-LOCAL', type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port with externalTrafficPolicy=local' },
  { name: 'KUBE-LOAD-BALANCER-SOURCE-IP', type: 'hash:ip,port,ip', comment: 'Kubernetes service load balancer ip + port + source IP for packet filter purpose' },
  { name: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', type: 'hash:ip,port,net', comment: 'Kubernetes service load balancer ip + port + source cidr for packet filter purpose' },
  { name: 'KUBE-NODE-PORT-TCP', type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port for masquerade purpose' },
  { name: 'KUBE-NODE-PORT-LOCAL-TCP', type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port with externalTrafficPolicy=local' },
  { name: 'KUBE-NODE-PORT-UDP', type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port for masquerade purpose' },
  { name: 'KUBE-NODE-PORT-LOCAL-UDP', type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port with externalTrafficPolicy=local' },
  { name: 'KUBE-NODE-PORT-SCTP-HASH', type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'" },
  { name: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH', type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'" },
  { name: 'KUBE-HEALTH-CHECK-NODE-PORT', type: 'bitmap:port', comment: 'Kubernetes health check node port' },
  { name: 'KUBE-IPVS-IPS', type: 'hash:ip', comment: 'IPVS service ips' },
];

const COMMENT: Record<string, string> = Object.fromEntries(IPSETS.map((s) => [s.name, s.comment]));

/** The graceful-termination manager's check interval (rsCheckDeleteInterval). */
const DRAIN_CHECK_MS = 60_000;

const comment = (text: string): Match => ({ m: 'comment', text });
const set = (name: string, flags: string, neg = false): Match => ({ m: 'set', set: name, flags: flags.split(',') as SetFlag[], ...(neg ? { neg } : {}) });
const jump = (chain: string): Rule['target'] => ({ t: 'jump', chain });

/** One Service port as the IPVS proxier sees it. */
interface PortInfo {
  spn: string;
  proto: 'tcp' | 'udp' | 'sctp';
  clusterIp: Ip;
  port: number;
  nodePort?: number;
  externalIps: Ip[];
  lbIps: Ip[];
  sourceRanges: Cidr[];
  local: boolean;
  healthCheckNodePort?: number;
  /** Ready endpoints, sorted as `ip:port` text. */
  endpoints: { ip: Ip; port: number; node: string }[];
}

function servicePorts(state: SimState): PortInfo[] {
  const out: PortInfo[] = [];
  const index = indexPods(state);
  for (const svc of Object.values(state.k8s.services)) {
    if (svc.spec.type === 'ExternalName' || !svc.spec.clusterIP || svc.spec.clusterIP === 'None') continue;
    const clusterIp = parseIp(svc.spec.clusterIP);
    if (clusterIp === undefined) continue;
    const eps = serviceEndpoints(state, svc, index).filter((e) => e.ready);
    const external = svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
    for (const port of svc.spec.ports ?? []) {
      const endpoints = eps
        .map((e) => ({ ip: parseIp(e.ip), port: endpointPort(port, e, state.k8s.pods[`${svc.metadata.namespace}/${e.pod}`]), node: e.node }))
        .filter((e): e is { ip: Ip; port: number; node: string } => e.ip !== undefined && e.port !== undefined)
        .sort((a, b) => cmpText(`${formatIp(a.ip)}:${a.port}`, `${formatIp(b.ip)}:${b.port}`));
      out.push({
        spn: servicePortName(svc, port),
        proto: port.protocol.toLowerCase() as PortInfo['proto'],
        clusterIp,
        port: port.port,
        ...(external && port.nodePort ? { nodePort: port.nodePort } : {}),
        externalIps: (svc.spec.externalIPs ?? []).map((x) => parseIp(x)).filter((x): x is Ip => x !== undefined),
        lbIps: (svc.status.loadBalancer.ingress ?? []).map((i) => (i.ip ? parseIp(i.ip) : undefined)).filter((x): x is Ip => x !== undefined),
        sourceRanges: (svc.spec.loadBalancerSourceRanges ?? []).map((r) => parseCidr(r, true)).filter((c): c is Cidr => !!c),
        local: (external || (svc.spec.externalIPs ?? []).length > 0) && svc.spec.externalTrafficPolicy === 'Local',
        ...(svc.spec.healthCheckNodePort ? { healthCheckNodePort: svc.spec.healthCheckNodePort } : {}),
        endpoints,
      });
    }
  }
  return out.sort((a, b) => cmpText(a.spn, b.spn) || cmpText(a.proto, b.proto));
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every set's entries on one node (sorted, as the sets.String kube-proxy adds them from). */
function desiredSets(ports: PortInfo[], node: string, nodeIps: Ip[], bound: Set<Ip>): Record<string, string[]> {
  const sets: Record<string, Set<string>> = Object.fromEntries(IPSETS.map((s) => [s.name, new Set<string>()]));
  const add = (name: string, entry: string): void => void sets[name]!.add(entry);
  for (const p of ports) {
    const pp = (ip: Ip): string => `${formatIp(ip)},${p.proto}:${p.port}`;
    for (const e of p.endpoints) if (e.node === node) add('KUBE-LOOP-BACK', `${formatIp(e.ip)},${p.proto}:${e.port},${formatIp(e.ip)}`);
    add('KUBE-CLUSTER-IP', pp(p.clusterIp));
    for (const ip of p.externalIps) add(p.local ? 'KUBE-EXTERNAL-IP-LOCAL' : 'KUBE-EXTERNAL-IP', pp(ip));
    for (const ip of p.lbIps) {
      add('KUBE-LOAD-BALANCER', pp(ip));
      if (p.local) add('KUBE-LOAD-BALANCER-LOCAL', pp(ip));
      if (p.sourceRanges.length === 0) continue;
      add('KUBE-LOAD-BALANCER-FW', pp(ip));
      for (const c of p.sourceRanges) add('KUBE-LOAD-BALANCER-SOURCE-CIDR', `${pp(ip)},${formatIp(c.addr)}/${c.len}`);
      if (p.sourceRanges.some((c) => nodeIps.some((n) => contains(c, n)))) add('KUBE-LOAD-BALANCER-SOURCE-IP', `${pp(ip)},${formatIp(ip)}`);
    }
    if (p.nodePort !== undefined && (p.proto === 'tcp' || p.proto === 'udp')) {
      const suffix = p.proto.toUpperCase();
      add(`KUBE-NODE-PORT-${suffix}`, String(p.nodePort));
      if (p.local) add(`KUBE-NODE-PORT-LOCAL-${suffix}`, String(p.nodePort));
    }
    if (p.healthCheckNodePort !== undefined) add('KUBE-HEALTH-CHECK-NODE-PORT', String(p.healthCheckNodePort));
  }
  for (const ip of bound) add('KUBE-IPVS-IPS', formatIp(ip));
  const out: Record<string, string[]> = {};
  for (const [name, entries] of Object.entries(sets)) out[name] = [...entries].sort(IPSETS.find((s) => s.name === name)?.type === 'bitmap:port' ? (a, b) => Number(a) - Number(b) : cmpText);
  return out;
}

// ------------------------------------------------------------------------------ iptables

const NAT_CHAINS = ['KUBE-SERVICES', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ', 'KUBE-KUBELET-CANARY'];
const FILTER_CHAINS = ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER', 'KUBE-KUBELET-CANARY'];

/** The rules every node shares, given which of the (cluster-wide) sets are non-empty. */
function sharedTables(podCidr: Cidr, nonEmpty: (name: string) => boolean): Netfilter {
  const nf: Netfilter = { nat: { chains: {} }, filter: { chains: {} } };
  const nat = (c: string): Chain => (nf.nat.chains[c] ??= { rules: [] });
  const filter = (c: string): Chain => (nf.filter.chains[c] ??= { rules: [] });
  for (const c of NAT_CHAINS) nat(c);
  for (const c of FILTER_CHAINS) filter(c);
  const svc = nat('KUBE-SERVICES').rules;
  svc.push({ src: net({ addr: 0x7f000000, len: 8 }), matches: [], target: { t: 'RETURN' } });
  // ipsetWithIptablesChain, in its order (KUBE-LOOP-BACK goes to each node's KUBE-POSTROUTING).
  const withSet = (rules: Rule[], name: string, flags: string, target: Rule['target'], proto?: Rule['proto']): void => {
    if (nonEmpty(name)) rules.push({ ...(proto ? { proto } : {}), matches: [comment(COMMENT[name]!), set(name, flags)], target });
  };
  withSet(svc, 'KUBE-LOAD-BALANCER', 'dst,dst', jump('KUBE-LOAD-BALANCER'));
  withSet(nat('KUBE-LOAD-BALANCER').rules, 'KUBE-LOAD-BALANCER-LOCAL', 'dst,dst', { t: 'RETURN' });
  const np = nat('KUBE-NODE-PORT').rules;
  withSet(np, 'KUBE-NODE-PORT-LOCAL-TCP', 'dst', { t: 'RETURN' }, 'tcp');
  withSet(np, 'KUBE-NODE-PORT-TCP', 'dst', jump('KUBE-MARK-MASQ'), 'tcp');
  withSet(np, 'KUBE-NODE-PORT-LOCAL-UDP', 'dst', { t: 'RETURN' }, 'udp');
  withSet(np, 'KUBE-NODE-PORT-UDP', 'dst', jump('KUBE-MARK-MASQ'), 'udp');
  withSet(filter('KUBE-PROXY-FIREWALL').rules, 'KUBE-LOAD-BALANCER-FW', 'dst,dst', jump('KUBE-SOURCE-RANGES-FIREWALL'));
  if (nonEmpty('KUBE-CLUSTER-IP')) {
    svc.push({ src: net(podCidr, true), matches: [comment(COMMENT['KUBE-CLUSTER-IP']!), set('KUBE-CLUSTER-IP', 'dst,dst')], target: jump('KUBE-MARK-MASQ') });
  }
  const externalIpRules = (name: string): void => {
    const m = [comment(COMMENT[name]!), set(name, 'dst,dst')];
    svc.push({ matches: [...m, { m: 'physdev', isIn: true, neg: true }, { m: 'addrtype', srcType: 'LOCAL', neg: true }], target: { t: 'ACCEPT' } });
    svc.push({ matches: [...m, { m: 'addrtype', dstType: 'LOCAL' }], target: { t: 'ACCEPT' } });
  };
  if (nonEmpty('KUBE-EXTERNAL-IP')) {
    svc.push({ matches: [comment(COMMENT['KUBE-EXTERNAL-IP']!), set('KUBE-EXTERNAL-IP', 'dst,dst')], target: jump('KUBE-MARK-MASQ') });
    externalIpRules('KUBE-EXTERNAL-IP');
  }
  if (nonEmpty('KUBE-EXTERNAL-IP-LOCAL')) externalIpRules('KUBE-EXTERNAL-IP-LOCAL');
  svc.push({ matches: [{ m: 'addrtype', dstType: 'LOCAL' }], target: jump('KUBE-NODE-PORT') });
  nat('KUBE-LOAD-BALANCER').rules.push({ matches: [], target: jump('KUBE-MARK-MASQ') });
  // acceptIPVSTraffic
  for (const name of ['KUBE-CLUSTER-IP', 'KUBE-LOAD-BALANCER']) if (nonEmpty(name)) svc.push({ matches: [set(name, 'dst,dst')], target: { t: 'ACCEPT' } });
  filter('KUBE-FORWARD').rules.push(
    { matches: [comment('kubernetes forwarding rules'), { m: 'mark', mark: MASQ_MARK, mask: MASQ_MARK }], target: { t: 'ACCEPT' } },
    { matches: [comment('kubernetes forwarding conntrack rule'), { m: 'conntrack', ctstate: ['RELATED', 'ESTABLISHED'] }], target: { t: 'ACCEPT' } },
  );
  filter('KUBE-NODE-PORT').rules.push({ matches: [comment(COMMENT['KUBE-HEALTH-CHECK-NODE-PORT']!), set('KUBE-HEALTH-CHECK-NODE-PORT', 'dst')], target: { t: 'ACCEPT' } });
  filter('KUBE-IPVS-FILTER').rules.push(
    ...['KUBE-LOAD-BALANCER', 'KUBE-CLUSTER-IP', 'KUBE-EXTERNAL-IP', 'KUBE-EXTERNAL-IP-LOCAL'].map((n) => ({ matches: [set(n, 'dst,dst')], target: { t: 'RETURN' as const } })),
    { matches: [set('KUBE-HEALTH-CHECK-NODE-PORT', 'dst')], target: { t: 'RETURN' } },
    { matches: [{ m: 'conntrack', ctstate: ['NEW'] }, set('KUBE-IPVS-IPS', 'dst')], target: { t: 'REJECT', with: 'icmp-port-unreachable' } },
  );
  nat('KUBE-MARK-MASQ').rules.push({ matches: [], target: { t: 'MARK', value: MASQ_MARK, mask: MASQ_MARK } });
  return nf;
}

/** A node's own chains: the ones whose rules depend on this node's sets. */
function nodeChains(own: Netfilter, sets: Record<string, IpSet>): void {
  const nonEmpty = (n: string): boolean => (sets[n]?.members.length ?? 0) > 0;
  const post: Rule[] = [];
  if (nonEmpty('KUBE-LOOP-BACK')) post.push({ matches: [comment(COMMENT['KUBE-LOOP-BACK']!), set('KUBE-LOOP-BACK', 'dst,dst,src')], target: { t: 'MASQUERADE' } });
  post.push(
    { matches: [{ m: 'mark', mark: MASQ_MARK, mask: MASQ_MARK, neg: true }], target: { t: 'RETURN' } },
    { matches: [], target: { t: 'MARK', value: MASQ_MARK, mask: 0 } },
    { matches: [comment('kubernetes service traffic requiring SNAT')], target: { t: 'MASQUERADE', randomFully: true } },
  );
  own.nat.chains['KUBE-POSTROUTING'] = { rules: post };
  const ranges: Rule[] = [];
  for (const n of ['KUBE-LOAD-BALANCER-SOURCE-CIDR', 'KUBE-LOAD-BALANCER-SOURCE-IP']) if (nonEmpty(n)) ranges.push({ matches: [comment(COMMENT[n]!), set(n, 'dst,dst,src')], target: { t: 'RETURN' } });
  ranges.push({ matches: [], target: { t: 'DROP' } });
  own.filter.chains['KUBE-SOURCE-RANGES-FIREWALL'] = { rules: ranges };
  invalidateLayers(own);
}

/** iptablesJumpChain: the jumps from the built-in chains, each prepended in this order. */
const JUMPS: { table: 'nat' | 'filter'; from: string; to: string; comment: string }[] = [
  { table: 'nat', from: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'PREROUTING', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'POSTROUTING', to: 'KUBE-POSTROUTING', comment: 'kubernetes postrouting rules' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-FORWARD', comment: 'kubernetes forwarding rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-NODE-PORT', comment: 'kubernetes health check rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-IPVS-FILTER', comment: 'kubernetes ipvs access filter' },
  { table: 'filter', from: 'OUTPUT', to: 'KUBE-IPVS-OUT-FILTER', comment: 'kubernetes ipvs access filter' },
];

/**
 * The jumps of IPVS mode in a node's built-in chains, replacing iptables mode's (the node
 * tables are built with those): kube-proxy's jumps out of the filter table's built-in chains
 * go, then EnsureRule(Prepend) puts each of IPVS mode's in first place unless it is there.
 */
function ipvsJumps(nf: Netfilter): void {
  for (const c of ['INPUT', 'FORWARD', 'OUTPUT']) {
    const chain = nf.filter.chains[c];
    if (chain) chain.rules = chain.rules.filter((r) => !(r.target.t === 'jump' && r.target.chain.startsWith('KUBE-')));
  }
  for (const j of JUMPS) {
    const chain = nf[j.table].chains[j.from];
    if (!chain) continue;
    const exists = chain.rules.some((r) => r.target.t === 'jump' && r.target.chain === j.to && r.matches.some((m) => m.m === 'comment' && m.text === j.comment));
    if (!exists) chain.rules.unshift({ matches: [comment(j.comment)], target: jump(j.to) });
  }
  invalidateLayers(nf);
}

// ------------------------------------------------------------------------------ a node

/** Prepares a node for IPVS mode once: its dummy device, its sets, its table, its jumps. */
function installNode(state: SimState, ns: Netns): void {
  if (ns.ipvs) return;
  ns.ipvs = { services: [], conns: [] };
  const sets: Record<string, IpSet> = {};
  for (const s of IPSETS) sets[s.name] = newIpSet(s.name, s.type, deriveRng(state.seed, `ipset:${ns.id}/${s.name}`).int(0x100000000));
  ns.ipsets = { ...ns.ipsets, ...sets };
  if (!deviceByName(ns, DUMMY_DEVICE)) {
    addDevice(ns, { name: DUMMY_DEVICE, kind: 'dummy', mac: randomMac(deriveRng(state.seed, `mac:${ns.id}/${DUMMY_DEVICE}`)), mtu: 1500, up: false, addrs: [], qdisc: 'noop' });
  }
  if (ns.nf) ipvsJumps(ns.nf);
}

/** The node addresses NodePorts listen on: every non-loopback address but kube-ipvs0's. */
function nodeAddresses(ns: Netns): Ip[] {
  const out: Ip[] = [];
  for (const d of ns.devices) {
    if (d.name === DUMMY_DEVICE) continue;
    for (const a of d.addrs) if (a.ip >>> 24 !== 127 && !out.includes(a.ip)) out.push(a.ip);
  }
  return out;
}

const IPVS_PROTO: Record<PortInfo['proto'], IpvsProto> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };

interface VirtualServer {
  proto: IpvsProto;
  addr: Ip;
  port: number;
  dests: { ip: Ip; port: number }[];
}

function virtualServers(ports: PortInfo[], node: string, nodeIps: Ip[]): { servers: VirtualServer[]; bound: Ip[] } {
  const servers: VirtualServer[] = [];
  const bound: Ip[] = [];
  const bind = (ip: Ip): void => {
    if (!bound.includes(ip)) bound.push(ip);
  };
  for (const p of ports) {
    const proto = IPVS_PROTO[p.proto];
    const all = p.endpoints;
    const mine = all.filter((e) => e.node === node);
    const external = p.local && mine.length > 0 ? mine : all;
    servers.push({ proto, addr: p.clusterIp, port: p.port, dests: all });
    bind(p.clusterIp);
    for (const ip of [...p.externalIps, ...p.lbIps]) {
      servers.push({ proto, addr: ip, port: p.port, dests: external });
      if (!nodeIps.includes(ip)) bind(ip);
    }
    if (p.nodePort !== undefined) for (const ip of nodeIps) servers.push({ proto, addr: ip, port: p.nodePort, dests: external });
  }
  return { servers, bound };
}

/** Syncs one virtual server's real servers; drains the ones that go. */
function syncDests(t: IpvsTable, svc: IpvsService, want: { ip: Ip; port: number }[], now: number | undefined): void {
  const key = (ip: Ip, port: number): string => `${ip}:${port}`;
  const wanted = new Set(want.map((w) => key(w.ip, w.port)));
  for (const d of [...svc.dests]) {
    if (wanted.has(key(d.addr, d.port))) {
      // A drained real server that is wanted again is deleted and added afresh.
      if (d.weight === 0 && d.drainingSince !== undefined) deleteDest(svc, d);
      continue;
    }
    if (d.weight === 0 && d.drainingSince !== undefined) continue;
    if (svc.proto === 'UDP' || !hasConns(t, svc, d, now)) deleteDest(svc, d);
    else {
      d.weight = 0;
      d.drainingSince = now ?? 0;
    }
  }
  for (const w of want) {
    if (!svc.dests.some((d) => d.addr === w.ip && d.port === w.port)) addDest(svc, w.ip, w.port);
  }
}

function hasConns(t: IpvsTable, svc: IpvsService, d: IpvsDest, at: number | undefined): boolean {
  return t.conns.some((c) => (at === undefined || c.expires > at) && c.proto === svc.proto && c.vaddr === svc.addr && c.vport === svc.port && c.daddr === d.addr && c.dport === d.port);
}

/**
 * The graceful-termination manager's minute check: a drained real server goes at the first
 * check at which it has no connection left. Checks run every minute from the cluster's start.
 */
function finishDrains(state: SimState, t: IpvsTable, now: number): void {
  for (const svc of t.services) {
    for (const d of [...svc.dests]) {
      if (d.drainingSince === undefined) continue;
      let tick = state.createdAt + Math.floor((d.drainingSince - state.createdAt) / DRAIN_CHECK_MS + 1) * DRAIN_CHECK_MS;
      for (; tick <= now; tick += DRAIN_CHECK_MS) {
        if (!hasConns(t, svc, d, tick)) {
          deleteDest(svc, d);
          break;
        }
      }
      if (svc.dests.includes(d)) d.drainingSince = tick - DRAIN_CHECK_MS;
    }
  }
}

function syncNode(state: SimState, ns: Netns, node: string, ports: PortInfo[], now: number | undefined): void {
  installNode(state, ns);
  const t = ns.ipvs!;
  const nodeIps = nodeAddresses(ns);
  const { servers, bound } = virtualServers(ports, node, nodeIps);
  // kube-ipvs0's addresses: new ones appended, unused ones removed.
  const dummy = deviceByName(ns, DUMMY_DEVICE)!;
  dummy.addrs = dummy.addrs.filter((a) => bound.includes(a.ip));
  for (const ip of bound) if (!dummy.addrs.some((a) => a.ip === ip)) dummy.addrs.push({ ip, len: 32 });
  // Virtual servers: kept (with their rr pointer and counters), added, deleted.
  const keep = new Set<IpvsService>();
  for (const vs of servers) {
    let svc = findService(t, vs.proto, vs.addr, vs.port);
    if (!svc) {
      svc = { proto: vs.proto, addr: vs.addr, port: vs.port, scheduler: 'rr', dests: [], stats: emptyStats() };
      t.services.push(svc);
    }
    keep.add(svc);
    syncDests(t, svc, vs.dests, now);
  }
  t.services = t.services.filter((s) => keep.has(s));
  // ipsets: entries no longer wanted removed, new ones appended (sorted).
  const want = desiredSets(ports, node, nodeIps, new Set(bound));
  for (const s of IPSETS) {
    const ipset = ns.ipsets![s.name]!;
    const entries = want[s.name] ?? [];
    const keepers = ipset.members.filter((m) => entries.includes(m));
    ipset.members = [...keepers, ...entries.filter((e) => !keepers.includes(e))];
  }
  if (ns.nf) nodeChains(ns.nf, ns.ipsets!);
}

/** kube-proxy's IPVS proxier: sync only when Services or endpoints changed. */
function sync(state: SimState, now?: number): void {
  const live = Object.keys(state.k8s.nodes).filter((n) => state.netns[`node/${n}`]?.kubeProxy?.mode === 'live');
  if (state.kubeProxy && !state.proxyDirty) {
    if (now !== undefined) for (const n of live) if (state.netns[`node/${n}`]!.ipvs) finishDrains(state, state.netns[`node/${n}`]!.ipvs!, now);
    return;
  }
  const ports = servicePorts(state);
  const any = (name: string): boolean => {
    for (const n of live) if ((state.netns[`node/${n}`]?.ipsets?.[name]?.members.length ?? 0) > 0) return true;
    return false;
  };
  for (const name of live) {
    const ns = state.netns[`node/${name}`]!;
    syncNode(state, ns, name, ports, now);
    if (now !== undefined) finishDrains(state, ns.ipvs!, now);
  }
  state.kubeProxy = sharedTables(state.config.podCidr, any);
  const hostPorts = hostPortPods(state);
  for (const name of Object.keys(state.k8s.nodes)) {
    const ns = state.netns[`node/${name}`];
    // The CNI's portmap plugin writes its own chains when a pod with host ports starts.
    if (ns?.nf) syncHostPorts(state, name, ns.nf, hostPorts);
  }
  syncLoadBalancer(state);
  state.proxyDirty = false;
}

/** Sets up every node of a new cluster for IPVS mode (kube-proxy's start). */
function install(state: SimState): void {
  for (const name of Object.keys(state.k8s.nodes)) {
    const ns = state.netns[`node/${name}`];
    if (ns) installNode(state, ns);
  }
}

export const ipvsProxy: ServiceProxy = { mode: 'ipvs', sync, install };

