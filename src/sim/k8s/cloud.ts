/**
 * The simulated cloud: a load balancer in front of the nodes, and an outside machine.
 *
 * Design notes: when a Service of type LoadBalancer is created, the cloud controller gives it
 * an address from the cloud's pool on the node network (192.168.49.240 upwards by default,
 * like a MetalLB or minikube-tunnel pool) and writes it to status.loadBalancer.ingress; kubectl
 * then shows it as EXTERNAL-IP instead of <pending>. For a Service created from the shell that
 * happens LB_PROVISION_MS later (api.ts serviceControllerSync), as a cloud takes a while to
 * build the load balancer; until then the address answers nothing. The load balancer is its own machine on
 * the LAN holding those addresses: it spreads new connections over the nodes' NodePorts
 * (random, like a cloud's flow hash) and forwards them as a NAT-mode load balancer does:
 * routed (TTL decremented), destination rewritten to a node and NodePort, source rewritten to
 * its own address, so replies come back through it. Proxying load balancers that open a new
 * connection, and pass-through ones that keep the client's address, are not modelled. kube-proxy also programs the load balancer IP itself
 * (KUBE-SERVICES -> KUBE-EXT), which matters only for traffic that reaches a node addressed to
 * that IP. The learner's workstation is the machine outside the cluster on the same LAN.
 * For a Service with externalTrafficPolicy Local it sends only to the nodes whose kube-proxy
 * health check (spec.healthCheckNodePort, apps/kube-proxy.ts) reports a local endpoint; being
 * a NAT-mode balancer, it still hands the pod its own address as the client's.
 * Simplified: the health checks take effect at once (a cloud probes every few seconds and
 * needs some failures before it drops a node).
 * Left out: loadBalancerSourceRanges at the balancer, and every provider's specifics
 * (annotations, NLB source preservation, proxy protocol).
 */
import { broadcast, formatIp, nth, parseIp } from '../ipv4';
import { randomMac } from '../mac';
import { addDevice, newNetns, type Netns } from '../netns';
import { emptyNetfilter, host, type Rule } from '../netfilter';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { healthCheckPasses } from '../apps/kube-proxy';

export const LB_NS = 'cloud-lb';
export const WORKSTATION_NS = 'workstation';
/** Host numbers on the node network. */
const LB_HOST = 250;
const POOL_FIRST = 240;
const POOL_LAST = 249;
const WORKSTATION_HOST = 100;

function lanHost(state: SimState, id: string, hostname: string, hostNum: number): Netns {
  const rng = deriveRng(state.seed, `netns:${id}`);
  const lan = state.config.nodeNetwork;
  const addr = nth(lan, hostNum);
  const ns = newNetns(id, '', hostname, rng.int(65536));
  const eth0 = addDevice(ns, { name: 'eth0', kind: 'ether', mac: randomMac(rng), mtu: state.config.mtu, up: true, addrs: [{ ip: addr, len: lan.len, brd: broadcast(lan) }], segment: 'lan' });
  ns.routes.push({ dst: { addr: 0, len: 0 }, via: state.config.gateway, dev: 'eth0' }, { dst: lan, dev: 'eth0', proto: 'kernel', scope: 'link', src: addr });
  state.netns[id] = ns;
  state.segments.lan!.ports.push({ ns: id, ifindex: eth0.ifindex });
  return ns;
}

/** The learner's workstation (outside the cluster, on the LAN) and the cloud's load balancer. */
export function createCloud(state: SimState): void {
  lanHost(state, WORKSTATION_NS, 'workstation', WORKSTATION_HOST);
  const lb = lanHost(state, LB_NS, 'cloud-lb', LB_HOST);
  lb.ipForward = true;
  lb.nf = emptyNetfilter();
  lb.conntrack = [];
}

/** The next free pool address for a LoadBalancer Service, or undefined when the pool is used up. */
export function allocateLoadBalancerIp(state: SimState, serviceKey: string): string | undefined {
  const lbs = (state.k8s.alloc.loadBalancers ??= {});
  if (lbs[serviceKey]) return lbs[serviceKey];
  const used = new Set(Object.values(lbs));
  for (let h = POOL_FIRST; h <= POOL_LAST; h++) {
    const ip = formatIp(nth(state.config.nodeNetwork, h));
    if (!used.has(ip)) {
      lbs[serviceKey] = ip;
      return ip;
    }
  }
  return undefined;
}

/** Reprograms the load balancer: its addresses, and DNAT to every Ready node's NodePort. */
export function syncLoadBalancer(state: SimState): void {
  const lb = state.netns[LB_NS];
  if (!lb) return;
  const eth0 = lb.devices.find((d) => d.name === 'eth0')!;
  const lan = state.config.nodeNetwork;
  const primary = eth0.addrs[0]!;
  eth0.addrs = [primary];
  const nf = emptyNetfilter();
  const ready = Object.values(state.k8s.nodes)
    .filter((n) => n.status.conditions.find((c) => c.type === 'Ready')?.status === 'True')
    .map((n) => ({ name: n.metadata.name, ip: parseIp(n.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '') }))
    .filter((x): x is { name: string; ip: number } => x.ip !== undefined);
  const keys = Object.keys(state.k8s.services).sort();
  for (const k of keys) {
    const svc = state.k8s.services[k]!;
    if (svc.spec.type !== 'LoadBalancer') continue;
    const ip = parseIp(svc.status.loadBalancer.ingress?.[0]?.ip ?? '');
    if (ip === undefined) continue;
    eth0.addrs.push({ ip, len: lan.len, brd: broadcast(lan) });
    // With externalTrafficPolicy Local, only the nodes whose health check passes take traffic.
    const nodes = ready.filter((n) => svc.spec.healthCheckNodePort === undefined || healthCheckPasses(state, n.name, k)).map((n) => n.ip);
    for (const port of svc.spec.ports ?? []) {
      if (!port.nodePort) continue;
      const proto = port.protocol.toLowerCase() as 'tcp' | 'udp';
      const chain = `LB-${k.replace('/', '-')}-${port.port}`.toUpperCase();
      nf.nat.chains.PREROUTING!.rules.push({ dst: host(ip), proto, matches: [{ m: 'comment', text: `${k} load balancer` }, { m: proto, dport: port.port }], target: { t: 'jump', chain } });
      const rules: Rule[] = nodes.map((n, i) => ({
        // An even split as kube-proxy writes one: 1/n of what is left, as %0.10f.
        matches: i < nodes.length - 1 ? [{ m: 'statistic' as const, mode: 'random' as const, probability: (1 / (nodes.length - i)).toFixed(10) }] : [],
        target: { t: 'DNAT' as const, to: { ip: n, port: port.nodePort! } },
      }));
      nf.nat.chains[chain] = { rules };
    }
  }
  nf.nat.chains.POSTROUTING!.rules.push({ out: 'eth0', matches: [{ m: 'conntrack', ctstate: ['DNAT'] }], target: { t: 'SNAT', to: { ip: primary.ip } } });
  lb.nf = nf;
}
