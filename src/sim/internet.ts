/**
 * What lies beyond the LAN router in the Docker topology: a small, fixed "internet".
 *
 * Design notes: the sandbox has no real Internet. In the Docker topology the LAN router
 * (192.168.56.1) gets a second interface, `eth1` with 198.51.100.2/24 (a documentation
 * network, RFC 5737) on a link of its own (`wan`), and its default route goes there, via
 * 198.51.100.1; like a home router it masquerades what the LAN sends out
 * (`-A POSTROUTING -s <lan> -o eth1 -j MASQUERADE`). Beyond it one machine, `internet`,
 * stands for the whole upstream world: it holds 198.51.100.1 and, on a dummy interface, every
 * address the upstream resolver hands out (the LAN router's dnsmasq in apps.ts: google.com and
 * www.google.com 192.0.2.14, example.com and www.example.com 93.184.215.14, kubernetes.io
 * 15.197.167.90), so it answers echo requests (and nothing else: no TCP or UDP service
 * listens) for those addresses. Any other public address has no route there: the internet
 * machine drops the packet, as a lost ping. Every other name still does not resolve
 * (NXDOMAIN), so `ping -c 2 google.com` from a container shows the whole path: the
 * container's default route to its bridge, the Docker host's MASQUERADE to 192.168.56.11, the
 * router's to 198.51.100.2, and the reply undone step by step. A reply comes back with TTL 62
 * in the container (64, less one for the router and one for the Docker host).
 * The Kubernetes topologies keep the router's blackhole default route (no internet at all).
 * Left out: real latencies (the far end answers in about the time of a LAN hop), DNS servers
 * on the internet (the router answers every name itself), IPv6.
 */
import { broadcast, parseIp, type Cidr, type Ip } from './ipv4';
import { randomMac } from './mac';
import { emptyNetfilter, net } from './netfilter';
import { addDevice, newNetns } from './netns';
import { deriveRng } from './rng';
import type { SimState } from './state';

export const INTERNET_NS = 'internet';
/** The link between the LAN router and the internet. */
export const WAN: Cidr = { addr: 0xc6336400, len: 24 }; // 198.51.100.0/24
export const WAN_ROUTER: Ip = 0xc6336402; // 198.51.100.2
export const WAN_INTERNET: Ip = 0xc6336401; // 198.51.100.1

/**
 * Gives the LAN router a way out: eth1 on the WAN link, a default route there and a
 * MASQUERADE rule, and builds the internet machine answering for `publicAddrs`.
 */
export function createInternet(state: SimState, publicAddrs: string[]): void {
  const router = state.netns.router;
  if (!router) throw new Error('the internet needs the LAN router');
  const lan = state.config.nodeNetwork;
  state.segments.wan = { id: 'wan', ports: [], fdb: {} };

  const rrng = deriveRng(state.seed, 'netns:router/wan');
  const eth1 = addDevice(router, { name: 'eth1', kind: 'ether', mac: randomMac(rrng), mtu: 1500, up: true, addrs: [{ ip: WAN_ROUTER, len: WAN.len, brd: broadcast(WAN) }], segment: 'wan' });
  router.routes = router.routes.filter((r) => !(r.dst.len === 0 && r.type === 'blackhole'));
  router.routes.unshift({ dst: { addr: 0, len: 0 }, via: WAN_INTERNET, dev: 'eth1' });
  router.routes.push({ dst: WAN, dev: 'eth1', proto: 'kernel', scope: 'link', src: WAN_ROUTER });
  const nf = router.nf ?? emptyNetfilter();
  nf.nat.chains.POSTROUTING!.rules.push({ src: net(lan), out: 'eth1', matches: [], target: { t: 'MASQUERADE' } });
  router.nf = nf;
  router.conntrack ??= [];
  state.segments.wan.ports.push({ ns: router.id, ifindex: eth1.ifindex });

  const rng = deriveRng(state.seed, `netns:${INTERNET_NS}`);
  const ns = newNetns(INTERNET_NS, '', 'internet', rng.int(65536));
  const eth0 = addDevice(ns, { name: 'eth0', kind: 'ether', mac: randomMac(rng), mtu: 1500, up: true, addrs: [{ ip: WAN_INTERNET, len: WAN.len, brd: broadcast(WAN) }], segment: 'wan' });
  const addrs = [...new Set(publicAddrs)].map((a) => parseIp(a)).filter((ip): ip is Ip => ip !== undefined);
  addDevice(ns, { name: 'dummy0', kind: 'dummy', mac: randomMac(rng), mtu: 1500, up: true, addrs: addrs.map((ip) => ({ ip, len: 32 })) });
  ns.routes.push({ dst: WAN, dev: 'eth0', proto: 'kernel', scope: 'link', src: WAN_INTERNET });
  state.netns[ns.id] = ns;
  state.segments.wan.ports.push({ ns: ns.id, ifindex: eth0.ifindex });
}
