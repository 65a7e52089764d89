/**
 * A routed network of plain Linux machines: two LANs joined by two routers.
 *
 * Design notes: the network the packet lessons look at before any container exists. LAN 1
 * (192.168.1.0/24, segment `lan-1`) holds `router-1` (eth0, .1), the learner's
 * `workstation` (.100) and `host-1` (.10); a point-to-point transit link (10.0.0.0/30,
 * segment `transit`) joins router-1's eth1 (10.0.0.1) to router-2's eth1 (10.0.0.2); LAN 2
 * (192.168.2.0/24, segment `lan-2`) holds router-2 (eth0, .1) and `host-2` (.10). With
 * `hostsPerLan` above 1 each LAN gets `host-1b`, `host-1c`, ... (`host-2b`, ...) on the
 * following addresses. Every machine is set up as an administrator would with iproute2:
 * each interface an Ethernet NIC (qdisc fq_codel, MTU 1500; the transit link's two ends
 * `transitMtu`) with its address and the kernel's connected route (`proto kernel scope link
 * src ...`); the hosts and the workstation have `default via <their LAN's .1> dev eth0` and
 * ip_forward off; router-1 has `192.168.2.0/24 via 10.0.0.2 dev eth1`, router-2
 * `192.168.1.0/24 via 10.0.0.1 dev eth1`, both ip_forward on and no default route, so a
 * packet for any other network is refused by the first router with ICMP net unreachable, as
 * Linux does when no route matches (forward.ts). No machine has iptables rules.
 *
 * Checked against the same network built from network namespaces, veth pairs and a bridge
 * per LAN on Linux 6.x with iproute2 6.1, iputils 20221126, traceroute 2.1 and tcpdump 4.99:
 * each router decrements TTL and patches the checksum, so host-2's replies reach the
 * workstation with TTL 62; each routed hop puts the packet in a new Ethernet frame (source
 * the outgoing interface's MAC, destination the next hop's, learned by ARP on that link)
 * while the IP addresses stay; `traceroute -n 192.168.2.10` shows 192.168.1.1, 10.0.0.2
 * (router-2 answers from the address of its route back, eth1's) and 192.168.2.10; with
 * DF, a packet that does not fit the transit MTU is refused by router-1 with "fragmentation
 * needed" naming that MTU, and the sender then keeps that path MTU (netns.ts).
 *
 * Namespaces are `workstation` (the learner's shell starts there, as in the other
 * topologies) and `host/<name>` for the routers and hosts, so `ssh router-1` logs in. Every
 * machine's MACs and first IP identification come from its own stream (`netns:<id>`), so a
 * machine looks the same whatever the spec's other options are. `state.config` describes
 * LAN 1 as the node network with router-1 as its gateway; the workstation's resolver asks
 * router-1, where no DNS server runs, so names fail with "Temporary failure in name
 * resolution" as they would there: the machines are reached by address (ssh knows their
 * names by itself).
 *
 * Left out: IPv6 (a real host also has fe80:: addresses and sends router solicitations),
 * ICMP rate limiting (forward.ts), ARP entries going STALE and the kernel's hash order of
 * `ip neigh` (entries are listed in the order they were learned), ICMP redirects, rp_filter,
 * /etc/hosts names for the machines, and the LAN switches themselves (a segment is a
 * learning switch with no address, no spanning tree and no MTU of its own).
 */
import { broadcast, cidr, contains, formatCidr, nth, size, type Cidr, type Ip } from './ipv4';
import { resolveConfig } from './cluster';
import { WORKSTATION_NS } from './k8s/cloud';
import { randomMac } from './mac';
import { addDevice, newNetns, type Netns } from './netns';
import { deriveRng, type Rng } from './rng';
import { emptyState, type SimState } from './state';

export interface RoutedSpec {
  /** LAN 1, router-1's eth0, the workstation and host-1 (default 192.168.1.0/24). */
  lan1?: string;
  /** LAN 2, router-2's eth0 and host-2 (default 192.168.2.0/24). */
  lan2?: string;
  /** The link between the routers' eth1 (default 10.0.0.0/30: router-1 .1, router-2 .2). */
  transit?: string;
  /** MTU of the transit link, both ends (default 1500). */
  transitMtu?: number;
  /** MTU of every LAN interface (default 1500). */
  mtu?: number;
  /** Hosts on each LAN besides the routers and the workstation (default 1). */
  hostsPerLan?: number;
  /** Host number of the first host on each LAN (default 10; the workstation is .100). */
  firstHost?: number;
}

export const ROUTER_1 = 'router-1';
export const ROUTER_2 = 'router-2';
export const LAN_1 = 'lan-1';
export const LAN_2 = 'lan-2';
export const TRANSIT = 'transit';
const WORKSTATION_HOST = 100;

export function routedNsId(name: string): string {
  return `host/${name}`;
}

/** The hosts of LAN `lan` (1 or 2): `host-1`, `host-1b`, `host-1c`, ... */
export function routedHostNames(lan: 1 | 2, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `host-${lan}${i === 0 ? '' : String.fromCharCode(0x61 + i)}`);
}

/** Builds the two LANs, their routers and hosts, and the learner's workstation on LAN 1. */
export function buildRoutedNetwork(spec: RoutedSpec, seed: number, createdAt: number): SimState {
  const lan1 = cidr(spec.lan1 ?? '192.168.1.0/24');
  const lan2 = cidr(spec.lan2 ?? '192.168.2.0/24');
  const transit = cidr(spec.transit ?? '10.0.0.0/30');
  const mtu = spec.mtu ?? 1500;
  const transitMtu = spec.transitMtu ?? 1500;
  const hosts = spec.hostsPerLan ?? 1;
  const first = spec.firstHost ?? 10;
  if (!Number.isInteger(hosts) || hosts < 0 || hosts > 26) throw new Error('hostsPerLan must be 0 to 26');
  for (const m of [mtu, transitMtu]) if (!Number.isInteger(m) || m < 68 || m > 65535) throw new Error(`MTU ${m} is out of range (68-65535)`);
  if (size(transit) < 4) throw new Error(`the transit link ${formatCidr(transit)} has no room for two routers`);
  for (const lan of [lan1, lan2]) {
    if (size(lan) < 4) throw new Error(`${formatCidr(lan)} is too small for a LAN`);
    const last = first + hosts - 1;
    if (hosts > 0 && (first < 2 || last > size(lan) - 2 || (lan === lan1 && first <= WORKSTATION_HOST && WORKSTATION_HOST <= last))) throw new Error(`the hosts do not fit ${formatCidr(lan)}`);
  }
  if (lan1.addr === lan2.addr || contains(lan1, transit.addr) || contains(lan2, transit.addr) || contains(transit, lan1.addr) || contains(transit, lan2.addr) || contains(lan1, lan2.addr) || contains(lan2, lan1.addr)) {
    throw new Error('the two LANs and the transit link must not overlap');
  }

  // LAN 1 plays the node network: its router is the gateway the workstation's resolver asks.
  const config = { ...resolveConfig({ nodeNetwork: formatCidr(lan1), mtu }), name: 'routed' };
  const state = emptyState(seed, createdAt, config);
  // Three links instead of the one LAN every other topology has.
  state.segments = {
    [LAN_1]: { id: LAN_1, ports: [], fdb: {} },
    [TRANSIT]: { id: TRANSIT, ports: [], fdb: {} },
    [LAN_2]: { id: LAN_2, ports: [], fdb: {} },
  };

  const r1Lan = nth(lan1, 1);
  const r2Lan = nth(lan2, 1);
  const r1Transit = nth(transit, 1);
  const r2Transit = nth(transit, 2);

  const r1 = machine(state, routedNsId(ROUTER_1), ROUTER_1);
  nic(state, r1.ns, r1.rng, 'eth0', r1Lan, lan1, mtu, LAN_1);
  nic(state, r1.ns, r1.rng, 'eth1', r1Transit, transit, transitMtu, TRANSIT);
  r1.ns.routes.push({ dst: lan2, via: r2Transit, dev: 'eth1' });
  r1.ns.ipForward = true;

  const r2 = machine(state, routedNsId(ROUTER_2), ROUTER_2);
  nic(state, r2.ns, r2.rng, 'eth0', r2Lan, lan2, mtu, LAN_2);
  nic(state, r2.ns, r2.rng, 'eth1', r2Transit, transit, transitMtu, TRANSIT);
  r2.ns.routes.push({ dst: lan1, via: r1Transit, dev: 'eth1' });
  r2.ns.ipForward = true;

  const ws = machine(state, WORKSTATION_NS, 'workstation');
  nic(state, ws.ns, ws.rng, 'eth0', nth(lan1, WORKSTATION_HOST), lan1, mtu, LAN_1);
  ws.ns.routes.push({ dst: { addr: 0, len: 0 }, via: r1Lan, dev: 'eth0' });

  for (const [lan, net, gw, seg] of [[1, lan1, r1Lan, LAN_1], [2, lan2, r2Lan, LAN_2]] as const) {
    routedHostNames(lan, hosts).forEach((name, i) => {
      const h = machine(state, routedNsId(name), name);
      nic(state, h.ns, h.rng, 'eth0', nth(net, first + i), net, mtu, seg);
      h.ns.routes.push({ dst: { addr: 0, len: 0 }, via: gw, dev: 'eth0' });
    });
  }
  return state;
}

/** A Linux machine's root namespace: `lo` only, ip_forward off. */
function machine(state: SimState, id: string, hostname: string): { ns: Netns; rng: Rng } {
  const rng = deriveRng(state.seed, `netns:${id}`);
  const ns = newNetns(id, '', hostname, rng.int(65536));
  state.netns[id] = ns;
  return { ns, rng };
}

/** An Ethernet NIC cabled to segment `seg`, its address, and the kernel's connected route. */
function nic(state: SimState, ns: Netns, rng: Rng, name: string, addr: Ip, net: Cidr, mtu: number, seg: string): void {
  const dev = addDevice(ns, { name, kind: 'ether', mac: randomMac(rng), mtu, up: true, addrs: [{ ip: addr, len: net.len, brd: broadcast(net) }], segment: seg });
  ns.routes.push({ dst: net, dev: name, proto: 'kernel', scope: 'link', src: addr });
  state.segments[seg]!.ports.push({ ns: ns.id, ifindex: dev.ifindex });
}
