/**
 * kube-proxy in iptables mode: Services and their endpoints turned into nat and filter rules.
 *
 * Design notes: the chains and rule text are kube-proxy's own (pkg/proxy/iptables/proxier.go):
 * KUBE-SERVICES matches each Service port's ClusterIP, protocol and port and jumps to its
 * KUBE-SVC-<hash> chain, which marks traffic from outside the cluster CIDR for masquerade and
 * then picks an endpoint with `-m statistic --mode random --probability 1/n` rules (the last one
 * unconditional); each KUBE-SEP-<hash> chain DNATs to one endpoint (and marks hairpin traffic).
 * NodePorts go KUBE-NODEPORTS -> KUBE-EXT-<hash> -> KUBE-MARK-MASQ + KUBE-SVC; load balancer and
 * external IPs go to KUBE-EXT too. A Service port with no ready endpoint gets a REJECT rule in
 * the filter table instead. Chain names are base32(sha256(servicePortName + protocol
 * [+ endpoint]))[:16], exactly as kube-proxy computes them. KUBE-MARK-MASQ sets mark 0x4000 and
 * KUBE-POSTROUTING masquerades marked packets. ICMP has no rules, so a ClusterIP answers no ping.
 *
 * The rules are the same on every node, so the sandbox keeps one shared copy in the state and
 * each node's tables fall back to it (netfilter.ts `layered`); a node whose kube-proxy is
 * stopped keeps a frozen copy of the rules it last wrote, which is how stale rules are modelled.
 * A learner's iptables write to one of these chains on a node copies that chain into the
 * node's own tables (sim/linux/iptables.ts), so the shared copy stays the same for the other
 * nodes; each sync then rewrites the node's copies as kube-proxy would (kube-proxy-writes.ts).
 * kube-proxy writes KUBE-SERVICES in Go map order (it differs between syncs); the sandbox sorts
 * by service port name so outputs are stable.
 * externalTrafficPolicy Local: KUBE-EXT sends pod and node-local traffic to KUBE-SVC and
 * everything else to KUBE-SVL, which lists only the endpoints on that node, so external
 * clients keep their source address; a node without a local endpoint drops NodePort and load
 * balancer traffic in the filter table ("has no local endpoints"). These chains differ per
 * node, so they live in each node's own tables over the shared ones.
 * loadBalancerSourceRanges: traffic to the load balancer IP goes through KUBE-FW, which lets
 * the allowed prefixes on to KUBE-EXT; the filter table's KUBE-PROXY-FIREWALL drops the rest.
 * (The simulated cloud load balancer delivers to NodePorts, so these rules act on traffic that
 * reaches a node addressed to the load balancer IP itself, from pods or the nodes.)
 * A LoadBalancer with policy Local also gets an ACCEPT for its health check node port in the
 * filter table's KUBE-NODEPORTS (kube-proxy's server on it: apps/kube-proxy.ts).
 * This is the iptables mode of the service proxies in src/sim/proxy (IPVS mode: proxy/ipvs.ts).
 * Left out: internalTrafficPolicy Local, session affinity, topology hints, nftables mode.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { parseCidr, parseIp, type Cidr } from '../ipv4';
import { host, invalidateLayers, net, type Chain, type Netfilter, type Proto, type Rule } from '../netfilter';
import type { SimState } from '../state';
import { syncLoadBalancer } from './cloud';
import { endpointPort, indexPods, serviceEndpoints } from './endpoints';
import { FULL_SYNC_PERIOD_MS, hasKubeProxyCopies, kubeProxyFullSync, resyncNodeTables } from './kube-proxy-writes';
import { hostPortPods, syncHostPorts } from './portmap';
import type { Service, ServicePort } from './types';

export const MASQ_MARK = 0x4000;

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function ascii(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0xff;
  return b;
}

/** kube-proxy's portProtoHash: base32(sha256(servicePortName + protocol))[:16]. */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol.toLowerCase());
}

/**
 * base32(sha256(text))[:16], remembered: every sync names the same chains again (a 15,000-pod
 * cluster hashes ~19,000 names per sync). Bounded; forgetting only costs time.
 */
function hash16(text: string): string {
  let h = HASHES.get(text);
  if (h === undefined) {
    if (HASHES.size >= 100_000) HASHES.clear();
    h = base32(sha256(ascii(text))).slice(0, 16);
    HASHES.set(text, h);
  }
  return h;
}

const HASHES = new Map<string, string>();

export function serviceChain(spn: string, protocol: string): string {
  return `KUBE-SVC-${portProtoHash(spn, protocol)}`;
}

export function externalChain(spn: string, protocol: string): string {
  return `KUBE-EXT-${portProtoHash(spn, protocol)}`;
}

/** KUBE-SEP-<base32(sha256(servicePortName + protocol + "ip:port"))[:16]>. */
export function endpointChain(spn: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(spn + protocol.toLowerCase() + endpoint)}`;
}

/** `<ns>/<name>` plus `:<portName>` when the port is named. */
export function servicePortName(svc: Service, port: ServicePort): string {
  return `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}${port.name ? `:${port.name}` : ''}`;
}

const comment = (text: string) => ({ m: 'comment' as const, text });

function l4(proto: Proto, dport?: number): Rule['matches'][number] {
  return dport === undefined ? { m: proto as 'tcp' } : { m: proto as 'tcp', dport };
}

/** kube-proxy's probability text: %0.10f of 1/n. */
export function probabilityText(n: number): string {
  return (1 / n).toFixed(10);
}

/** Builds kube-proxy's KUBE-* chains for the current Services and endpoints. */
export function kubeProxyTables(state: SimState): Netfilter {
  const nf: Netfilter = { nat: { chains: {} }, filter: { chains: {} } };
  const nat = nf.nat.chains;
  const filter = nf.filter.chains;
  const chain = (t: Record<string, Chain>, name: string): Chain => (t[name] ??= { rules: [] });
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-KUBELET-CANARY', 'KUBE-PROXY-CANARY']) chain(nat, c);
  for (const c of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FIREWALL', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-KUBELET-CANARY', 'KUBE-PROXY-CANARY']) chain(filter, c);

  nat['KUBE-MARK-MASQ']!.rules.push({ matches: [], target: { t: 'MARK', value: MASQ_MARK, mask: MASQ_MARK } });
  nat['KUBE-POSTROUTING']!.rules.push(
    { matches: [{ m: 'mark', mark: MASQ_MARK, mask: MASQ_MARK, neg: true }], target: { t: 'RETURN' } },
    { matches: [], target: { t: 'MARK', value: MASQ_MARK, mask: 0 } },
    { matches: [comment('kubernetes service traffic requiring SNAT')], target: { t: 'MASQUERADE', randomFully: true } },
  );
  const loopback: Cidr = { addr: 0x7f000000, len: 8 };
  filter['KUBE-FIREWALL']!.rules.push({
    src: net(loopback, true),
    dst: net(loopback),
    matches: [comment('block incoming localnet connections'), { m: 'conntrack', ctstate: ['RELATED', 'ESTABLISHED', 'DNAT'], neg: true }],
    target: { t: 'DROP' },
  });
  filter['KUBE-FORWARD']!.rules.push(
    { matches: [{ m: 'conntrack', ctstate: ['INVALID'] }, { m: 'nfacct', name: 'ct_state_invalid_dropped_pkts' }], target: { t: 'DROP' } },
    { matches: [comment('kubernetes forwarding rules'), { m: 'mark', mark: MASQ_MARK, mask: MASQ_MARK }], target: { t: 'ACCEPT' } },
    { matches: [comment('kubernetes forwarding conntrack rule'), { m: 'conntrack', ctstate: ['RELATED', 'ESTABLISHED'] }], target: { t: 'ACCEPT' } },
  );

  const podCidr = state.config.podCidr;
  const localServices: LocalService[] = [];
  const svcRules: { spn: string; rules: Rule[] }[] = [];
  const nodePortRules: { spn: string; rules: Rule[] }[] = [];
  const services = Object.values(state.k8s.services).filter((s) => s.spec.type !== 'ExternalName' && s.spec.clusterIP && s.spec.clusterIP !== 'None');
  const index = indexPods(state);
  for (const svc of services) {
    const cip = parseIp(svc.spec.clusterIP!)!;
    const eps = serviceEndpoints(state, svc, index).filter((e) => e.ready);
    for (const port of svc.spec.ports ?? []) {
      const proto = port.protocol.toLowerCase() as Proto;
      const spn = servicePortName(svc, port);
      const svcChainName = serviceChain(spn, proto);
      const extChainName = externalChain(spn, proto);
      const targets = eps
        .map((e) => ({ ip: e.ip, port: endpointPort(port, e, state.k8s.pods[`${svc.metadata.namespace}/${e.pod}`]) }))
        .filter((e): e is { ip: string; port: number } => e.port !== undefined)
        .map((e) => ({ ...e, text: `${e.ip}:${e.port}` }))
        .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
      const external = svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
      const lbIps = (svc.status.loadBalancer.ingress ?? []).map((i) => i.ip).filter((x): x is string => !!x);
      const extIps = svc.spec.externalIPs ?? [];
      // A Local LoadBalancer's health check port is accepted whether or not the node has endpoints.
      if (svc.spec.healthCheckNodePort) {
        filter['KUBE-NODEPORTS']!.rules.push({ proto: 'tcp', matches: [comment(`${spn} health check node port`), l4('tcp', svc.spec.healthCheckNodePort)], target: { t: 'ACCEPT' } });
      }
      const mine: Rule[] = [];
      if (targets.length === 0) {
        filter['KUBE-SERVICES']!.rules.push({ dst: host(cip), proto, matches: [comment(`${spn} has no endpoints`), l4(proto, port.port)], target: { t: 'REJECT', with: 'icmp-port-unreachable' } });
        for (const ip of [...extIps, ...lbIps]) {
          filter['KUBE-EXTERNAL-SERVICES']!.rules.push({ dst: host(parseIp(ip)!), proto, matches: [comment(`${spn} has no endpoints`), l4(proto, port.port)], target: { t: 'REJECT', with: 'icmp-port-unreachable' } });
        }
        if (external && port.nodePort) {
          filter['KUBE-EXTERNAL-SERVICES']!.rules.push({ proto, matches: [comment(`${spn} has no endpoints`), { m: 'addrtype', dstType: 'LOCAL' }, l4(proto, port.nodePort)], target: { t: 'REJECT', with: 'icmp-port-unreachable' } });
        }
        continue;
      }
      mine.push({ dst: host(cip), proto, matches: [comment(`${spn} cluster IP`), l4(proto, port.port)], target: { t: 'jump', chain: svcChainName } });
      for (const ip of extIps) mine.push({ dst: host(parseIp(ip)!), proto, matches: [comment(`${spn} external IP`), l4(proto, port.port)], target: { t: 'jump', chain: extChainName } });
      const ranges = (svc.spec.loadBalancerSourceRanges ?? []).map((r) => parseCidr(r, true)).filter((c): c is Cidr => !!c);
      const fwChainName = firewallChain(spn, proto);
      for (const ip of lbIps) {
        mine.push({ dst: host(parseIp(ip)!), proto, matches: [comment(`${spn} loadbalancer IP`), l4(proto, port.port)], target: { t: 'jump', chain: ranges.length ? fwChainName : extChainName } });
        if (ranges.length) {
          // Only the allowed sources go on; the rest is dropped by the filter table.
          filter['KUBE-PROXY-FIREWALL']!.rules.push({ dst: host(parseIp(ip)!), proto, matches: [comment(`${spn} traffic not accepted by ${fwChainName}`), l4(proto, port.port)], target: { t: 'DROP' } });
        }
      }
      if (ranges.length && lbIps.length) {
        chain(nat, fwChainName).rules.push(
          ...ranges.map((r) => ({ src: net(r), matches: [comment(`${spn} loadbalancer IP`)], target: { t: 'jump' as const, chain: extChainName } })),
          { matches: [comment(`other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL`)], target: { t: 'none' } },
        );
      }
      svcRules.push({ spn, rules: mine });

      const sc = chain(nat, svcChainName);
      sc.rules.push({ src: net(podCidr, true), dst: host(cip), proto, matches: [comment(`${spn} cluster IP`), l4(proto, port.port)], target: { t: 'jump', chain: 'KUBE-MARK-MASQ' } });
      targets.forEach((t, i) => {
        const sep = endpointChain(spn, proto, t.text);
        const left = targets.length - i;
        sc.rules.push({
          matches: [comment(`${spn} -> ${t.text}`), ...(left > 1 ? [{ m: 'statistic' as const, mode: 'random' as const, probability: probabilityText(left) }] : [])],
          target: { t: 'jump', chain: sep },
        });
        chain(nat, sep).rules.push(
          { src: host(parseIp(t.ip)!), matches: [comment(spn)], target: { t: 'jump', chain: 'KUBE-MARK-MASQ' } },
          { proto, matches: [comment(spn), l4(proto)], target: { t: 'DNAT', to: { ip: parseIp(t.ip)!, port: t.port } } },
        );
      });
      if ((external || extIps.length || lbIps.length) && svc.spec.externalTrafficPolicy === 'Local') {
        chain(nat, extChainName).rules.push(
          { src: net(podCidr), matches: [comment(`pod traffic for ${spn} external destinations`)], target: { t: 'jump', chain: svcChainName } },
          { matches: [comment(`masquerade LOCAL traffic for ${spn} external destinations`), { m: 'addrtype', srcType: 'LOCAL' }], target: { t: 'jump', chain: 'KUBE-MARK-MASQ' } },
          { matches: [comment(`route LOCAL traffic for ${spn} external destinations`), { m: 'addrtype', srcType: 'LOCAL' }], target: { t: 'jump', chain: svcChainName } },
          { matches: [], target: { t: 'jump', chain: localChain(spn, proto) } },
        );
        localServices.push({ spn, proto, targets: targets.map((t) => ({ ...t, node: eps.find((e) => e.ip === t.ip)?.node ?? '' })), nodePort: external ? port.nodePort : undefined, ips: [...extIps, ...lbIps], port: port.port });
      } else if (external || extIps.length || lbIps.length) {
        chain(nat, extChainName).rules.push(
          { matches: [comment(`masquerade traffic for ${spn} external destinations`)], target: { t: 'jump', chain: 'KUBE-MARK-MASQ' } },
          { matches: [], target: { t: 'jump', chain: svcChainName } },
        );
      }
      if (external && port.nodePort) {
        nodePortRules.push({ spn, rules: [{ proto, matches: [comment(spn), l4(proto, port.nodePort)], target: { t: 'jump', chain: extChainName } }] });
      }
    }
  }
  const bySpn = (a: { spn: string }, b: { spn: string }): number => (a.spn < b.spn ? -1 : a.spn > b.spn ? 1 : 0);
  for (const s of svcRules.sort(bySpn)) nat['KUBE-SERVICES']!.rules.push(...s.rules);
  nat['KUBE-SERVICES']!.rules.push({
    matches: [comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), { m: 'addrtype', dstType: 'LOCAL' }],
    target: { t: 'jump', chain: 'KUBE-NODEPORTS' },
  });
  for (const s of nodePortRules.sort(bySpn)) nat['KUBE-NODEPORTS']!.rules.push(...s.rules);
  LOCAL_SERVICES.set(nf, localServices.sort(bySpn));
  return nf;
}

/** A Service port with externalTrafficPolicy Local, for the per-node rules. */
interface LocalService {
  spn: string;
  proto: Proto;
  targets: { ip: string; port: number; text: string; node: string }[];
  nodePort: number | undefined;
  ips: string[];
  port: number;
}

const LOCAL_SERVICES = new WeakMap<Netfilter, LocalService[]>();

/** KUBE-FW-<hash>: the load balancer source ranges' gate. */
export function firewallChain(spn: string, protocol: string): string {
  return `KUBE-FW-${portProtoHash(spn, protocol)}`;
}

/** KUBE-SVL-<hash>: the endpoints of an externalTrafficPolicy Local Service on this node. */
export function localChain(spn: string, protocol: string): string {
  return `KUBE-SVL-${portProtoHash(spn, protocol)}`;
}

/**
 * Writes a node's own share of kube-proxy's rules: one KUBE-SVL chain per Local Service with
 * the endpoints on this node, and, where there are none, filter DROP rules for its NodePort and
 * external addresses. Replaces what the previous sync wrote there.
 */
export function syncNodeRules(state: SimState, nodeName: string, own: Netfilter): void {
  const shared = state.kubeProxy;
  const locals = (shared && LOCAL_SERVICES.get(shared)) ?? [];
  for (const k of Object.keys(own.nat.chains)) if (k.startsWith('KUBE-SVL-')) delete own.nat.chains[k];
  delete own.filter.chains['KUBE-EXTERNAL-SERVICES'];
  if (locals.length > 0 && shared) {
    const drops: Rule[] = [];
    for (const s of locals) {
      const mine = s.targets.filter((t) => t.node === nodeName);
      own.nat.chains[localChain(s.spn, s.proto)] = {
        rules: mine.map((t, i) => ({
          matches: [comment(`${s.spn} -> ${t.text}`), ...(mine.length - i > 1 ? [{ m: 'statistic' as const, mode: 'random' as const, probability: probabilityText(mine.length - i) }] : [])],
          target: { t: 'jump' as const, chain: endpointChain(s.spn, s.proto, t.text) },
        })),
      };
      if (mine.length > 0) continue;
      for (const ip of s.ips) drops.push({ dst: host(parseIp(ip)!), proto: s.proto, matches: [comment(`${s.spn} has no local endpoints`), l4(s.proto, s.port)], target: { t: 'DROP' } });
      if (s.nodePort) drops.push({ proto: s.proto, matches: [comment(`${s.spn} has no local endpoints`), { m: 'addrtype', dstType: 'LOCAL' }, l4(s.proto, s.nodePort)], target: { t: 'DROP' } });
    }
    if (drops.length) own.filter.chains['KUBE-EXTERNAL-SERVICES'] = { rules: [...(shared.filter.chains['KUBE-EXTERNAL-SERVICES']?.rules ?? []).map((r) => ({ ...r })), ...drops] };
  }
  invalidateLayers(own);
}

/** The jumps kube-proxy puts into a node's built-in chains. */
export function kubeProxyHooks(nf: Netfilter): void {
  const nat = nf.nat.chains;
  const filter = nf.filter.chains;
  nat.PREROUTING!.rules.push({ matches: [comment('kubernetes service portals')], target: { t: 'jump', chain: 'KUBE-SERVICES' } });
  nat.OUTPUT!.rules.push({ matches: [comment('kubernetes service portals')], target: { t: 'jump', chain: 'KUBE-SERVICES' } });
  nat.POSTROUTING!.rules.push({ matches: [comment('kubernetes postrouting rules')], target: { t: 'jump', chain: 'KUBE-POSTROUTING' } });
  const ctNew = { m: 'conntrack' as const, ctstate: ['NEW' as const] };
  filter.INPUT!.rules.push(
    { matches: [ctNew, comment('kubernetes load balancer firewall')], target: { t: 'jump', chain: 'KUBE-PROXY-FIREWALL' } },
    { matches: [comment('kubernetes health check service ports')], target: { t: 'jump', chain: 'KUBE-NODEPORTS' } },
    { matches: [ctNew, comment('kubernetes externally-visible service portals')], target: { t: 'jump', chain: 'KUBE-EXTERNAL-SERVICES' } },
    { matches: [], target: { t: 'jump', chain: 'KUBE-FIREWALL' } },
  );
  filter.FORWARD!.rules.push(
    { matches: [ctNew, comment('kubernetes load balancer firewall')], target: { t: 'jump', chain: 'KUBE-PROXY-FIREWALL' } },
    { matches: [comment('kubernetes forwarding rules')], target: { t: 'jump', chain: 'KUBE-FORWARD' } },
    { matches: [ctNew, comment('kubernetes service portals')], target: { t: 'jump', chain: 'KUBE-SERVICES' } },
    { matches: [ctNew, comment('kubernetes externally-visible service portals')], target: { t: 'jump', chain: 'KUBE-EXTERNAL-SERVICES' } },
  );
  filter.OUTPUT!.rules.push(
    { matches: [ctNew, comment('kubernetes load balancer firewall')], target: { t: 'jump', chain: 'KUBE-PROXY-FIREWALL' } },
    { matches: [ctNew, comment('kubernetes service portals')], target: { t: 'jump', chain: 'KUBE-SERVICES' } },
    { matches: [], target: { t: 'jump', chain: 'KUBE-FIREWALL' } },
  );
}

/**
 * kube-proxy's sync: recomputes the shared rules when Services, pods or endpoints changed since
 * the last sync (the API marks the state dirty). Real kube-proxy batches changes for up to a
 * second; the sandbox syncs before the next packet or rule listing.
 */
export function syncProxyRules(state: SimState, now?: number): void {
  // The hourly full resync (FullSyncPeriod) puts back what a learner changed in its chains.
  if (now !== undefined && state.kubeProxy && now >= (state.proxyFullSyncDue ?? state.createdAt + FULL_SYNC_PERIOD_MS)) {
    state.proxyFullSyncDue = now + FULL_SYNC_PERIOD_MS;
    for (const name of Object.keys(state.k8s.nodes)) {
      const ns = state.netns[`node/${name}`];
      if (ns?.nf && ns.kubeProxy?.mode === 'live' && hasKubeProxyCopies(ns.nf, state.kubeProxy)) kubeProxyFullSync(ns.nf, state.kubeProxy, state.kubeProxy, kubeProxyHooks);
    }
  }
  if (state.kubeProxy && !state.proxyDirty) return;
  const old = state.kubeProxy;
  state.kubeProxy = kubeProxyTables(state);
  const hostPorts = hostPortPods(state);
  for (const name of Object.keys(state.k8s.nodes)) {
    const ns = state.netns[`node/${name}`];
    // A node where a learner changed kube-proxy's chains gets them rewritten as kube-proxy does.
    if (ns?.nf && ns.kubeProxy?.mode === 'live') resyncNodeTables(ns.nf, old, state.kubeProxy, kubeProxyHooks);
    if (ns?.nf && ns.kubeProxy?.mode === 'live') syncNodeRules(state, name, ns.nf);
    // The CNI's portmap plugin writes its own chains when a pod with host ports starts.
    if (ns?.nf) syncHostPorts(state, name, ns.nf, hostPorts);
  }
  syncLoadBalancer(state);
  state.proxyDirty = false;
}
