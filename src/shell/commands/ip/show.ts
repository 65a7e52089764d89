/**
 * How iproute2 6.1 prints links, addresses and routes (`ip link`, `ip addr`, `ip route`, their
 * `-br` and `-d` forms), from the model and what src/sim/linux says about it.
 *
 * Design notes: the layout is iproute2's print_linkinfo (docs/reference/fidelity.md 5.1-5.3 and
 * 24): `N: name[@peer]: <FLAGS> mtu ... qdisc ... [master br] state ... [mode DEFAULT] group
 * default [qlen N]`, every `word value` followed by a space. The flags come in iproute2's order
 * (NO-CARRIER first, then LOOPBACK, BROADCAST, MULTICAST, NOARP, UP, LOWER_UP, and `M-DOWN`
 * when the peer named beside the link is down). A veth names its peer (`v0@v1`) when both ends
 * are in one namespace, `@ifN` with `link-netns NAME` or `link-netnsid N` otherwise. `-d` adds
 * ` promiscuity N  allmulti N minmtu A maxmtu B ` (6.1's stray double space included), the
 * kind's own line (veth; bridge: forward_delay ... nf_call_arptables; vxlan: id, remote,
 * local, dev, ports, nolearning, ttl auto, ageing 300, checksums; a port's `bridge_slave` block),
 * then for `ip link` `addrgenmode eui64` and the queue and offload sizes of kernel 6.8. The
 * addresses of a link: each IPv4 address (`secondary` when it is one), then its IPv6 ones
 * (`inet6 fe80::.../64 scope link `, lo's `::1/128 scope host `), each followed by its
 * lifetimes line.
 */
import { formatIp } from '../../../sim/ipv4';
import { carrierOf, eui64LinkLocal, hasLoopback6, linkLocalMac, mtuRange, operState, peerOf, portsOf, qdiscOf, qlenOf, type Nets } from '../../../sim/linux/device';
import type { Device, Netns, Route } from '../../../sim/netns';

/** A veth's peer namespace is named when it is mounted under /run/netns: containerd's cni-<uuid> and `ip netns add`'s. */
export function mountedInRunNetns(ns: Netns): boolean {
  return ns.name.startsWith('cni-') || ns.id.startsWith('netns/');
}

/**
 * The ids namespace `ns` gave the other namespaces its veths lead to, in the order it made them
 * (the kernel allocates one when a veth pair first spans the two): ordered by the local end's
 * interface index, so the first container or pod started is 0 and the root namespace, seen from
 * a pod or container, is 0.
 */
export function peerNetnsIds(ns: Netns, state: { netns: Nets }): Map<string, number> {
  const ids = new Map<string, number>();
  for (const d of [...ns.devices].sort((a, b) => a.ifindex - b.ifindex)) {
    if (d.peer && d.peer.ns !== ns.id && state.netns[d.peer.ns] && !ids.has(d.peer.ns)) ids.set(d.peer.ns, ids.size);
  }
  return ids;
}

/** The flags between `<>` and the state column. */
export function linkState(nets: Nets, ns: Netns, d: Device): { flags: string[]; state: string } {
  const carrier = carrierOf(nets, ns, d);
  const flags: string[] = [];
  if (d.up && !carrier) flags.push('NO-CARRIER');
  if (d.kind === 'loopback') flags.push('LOOPBACK');
  else if (d.kind === 'dummy') flags.push('BROADCAST', 'NOARP');
  else flags.push('BROADCAST', 'MULTICAST');
  if (d.up) flags.push('UP');
  if (carrier) flags.push('LOWER_UP');
  const p = peerOf(nets, d);
  if (p && p.ns === ns && !p.dev.up) flags.push('M-DOWN');
  return { flags, state: operState(nets, ns, d) };
}

/** `name@peer`: the peer's name in the same namespace, `@ifN` across namespaces. */
export function linkName(nets: Nets, ns: Netns, d: Device): string {
  if (!d.peer) return d.name;
  const p = peerOf(nets, d);
  return p && p.ns === ns ? `${d.name}@${p.dev.name}` : `${d.name}@if${d.peer.ifindex}`;
}

export interface LinkView {
  /** `ip link` prints the link mode and, with -d, addrgenmode; `ip addr` neither. */
  mode?: boolean;
  details?: boolean;
  /** Sandbox time (epoch ms), for the bridge timers `-d` shows. */
  now?: number;
}

/** A link's first two lines (and with -d its details) as `ip link` and `ip addr` print them. */
export function linkHeader(ns: Netns, d: Device, state: { netns: Nets }, view: LinkView | boolean = {}): string[] {
  const v: LinkView = typeof view === 'boolean' ? { mode: view } : view;
  const nets = state.netns;
  const { flags, state: stateText } = linkState(nets, ns, d);
  const qlen = qlenOf(d);
  const first = `${d.ifindex}: ${linkName(nets, ns, d)}: <${flags.join(',')}> mtu ${d.mtu} qdisc ${qdiscOf(d)} ${d.master ? `master ${d.master} ` : ''}state ${stateText} ${v.mode ? 'mode DEFAULT ' : ''}group default ${qlen ? `qlen ${qlen}` : ''}`;
  let link: string;
  if (d.kind === 'loopback') link = '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00';
  else {
    link = `    link/ether ${d.mac} brd ff:ff:ff:ff:ff:ff`;
    const p = peerOf(nets, d);
    if (d.peer && p?.ns !== ns) {
      // iproute2 names the peer namespace when it is mounted under /run/netns (containerd's
      // cni-<uuid>, `ip netns add`'s); Docker keeps its own under /var/run/docker/netns, so there only the id shows.
      const other = nets[d.peer.ns];
      link += other && mountedInRunNetns(other) ? ` link-netns ${other.name}` : ` link-netnsid ${peerNetnsIds(ns, state).get(d.peer.ns) ?? 0}`;
    }
  }
  if (!v.details) return [first, link];
  return [first, ...detailLines(nets, ns, d, link, v)];
}

/** The `-d` part: on the link/ether line, then the kind's line(s); the sizes close the last line. */
function detailLines(nets: Nets, ns: Netns, d: Device, link: string, v: LinkView): string[] {
  const { min, max } = mtuRange(d);
  const promisc = d.master ? 1 : 0;
  const lines = [`${link} promiscuity ${promisc}  allmulti ${promisc} minmtu ${min} maxmtu ${max} `];
  const kind = d.kind === 'veth' || (d.kind === 'ether' && d.peer) ? 'veth' : d.kind === 'bridge' || d.kind === 'vxlan' || d.kind === 'dummy' ? d.kind : undefined;
  if (kind) lines.push(`    ${kind} ${kindDetails(nets, ns, d, v.now ?? 0)}`);
  if (d.master) {
    const br = ns.devices.find((x) => x.name === d.master);
    if (br) lines.push(`    bridge_slave ${slaveDetails(nets, ns, br, d, v.now ?? 0)}`);
  }
  const tail = `${v.mode ? 'addrgenmode eui64 ' : ''}numtxqueues ${queues(d)} numrxqueues ${queues(d)} gso_max_size 65536 gso_max_segs 65535 tso_max_size ${tsoMax(ns, d)} tso_max_segs 65535 gro_max_size 65536 ${d.kind === 'ether' && !d.peer ? 'parentbus virtio parentdev virtio0 ' : ''}`;
  lines[lines.length - 1] += tail;
  return lines;
}

/** veth makes one queue per possible CPU (the nodes have 2); the others one. */
function queues(d: Device): number {
  return d.kind === 'veth' ? 2 : 1;
}

/** tso_max_size: veth and lo raise it to GSO_MAX_SIZE, a vxlan inherits its lower device's, a bridge its ports' lowest. */
function tsoMax(ns: Netns, d: Device): number {
  if (d.kind === 'veth' || d.kind === 'loopback') return 524280;
  if (d.kind === 'vxlan') {
    const lower = d.vxlan?.dev ? ns.devices.find((x) => x.name === d.vxlan!.dev) : undefined;
    return lower ? tsoMax(ns, lower) : 65536;
  }
  if (d.kind === 'bridge') {
    const ports = portsOf(ns, d);
    return ports.length ? Math.min(...ports.map((p) => tsoMax(ns, p))) : 65536;
  }
  return 65536;
}

/** iproute2's br_dump_bridge_id: the priority in hex, then ether_ntoa's unpadded octets. */
function bridgeId(mac: string): string {
  return `8000.${mac
    .split(':')
    .map((h) => parseInt(h, 16).toString(16))
    .join(':')}`;
}

function timer(name: string, seconds: number): string {
  const s = Math.max(0, seconds);
  const whole = Math.floor(s);
  const hundredths = Math.floor((s - whole) * 100);
  return `${name} ${String(whole).padStart(4)}.${String(hundredths).padStart(2, '0')} `;
}

/** A bridge made here has no bridge id until it has had a port (or an address was set). */
function bridgeIdOf(ns: Netns, br: Device): string {
  return bridgeId(br.macFromPorts && portsOf(ns, br).length === 0 ? '00:00:00:00:00:00' : br.mac);
}

function kindDetails(nets: Nets, ns: Netns, d: Device, now: number): string {
  if (d.kind === 'vxlan' && d.vxlan) {
    const vx = d.vxlan;
    const parts = [`id ${vx.vni}`];
    if (vx.remote !== undefined) parts.push(`remote ${formatIp(vx.remote)}`);
    if (vx.local) parts.push(`local ${formatIp(vx.local)}`);
    if (vx.dev) parts.push(`dev ${vx.dev}`);
    parts.push('srcport 0 0', `dstport ${vx.port}`);
    if (!vx.learning) parts.push('nolearning');
    parts.push('ttl auto', 'ageing 300', 'udpcsum', 'noudp6zerocsumtx', 'noudp6zerocsumrx');
    return parts.join(' ') + ' ';
  }
  if (d.kind === 'bridge') {
    const id = bridgeIdOf(ns, d);
    // The garbage collector runs every ageing_time (300 s) from shortly after the bridge came up.
    const since = d.upSince ?? 0;
    const gc = d.up ? 300 - (((now - since - 100) / 1000) % 300 + 300) % 300 : 0;
    return (
      'forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 vlan_protocol 802.1Q ' +
      `bridge_id ${id} designated_root ${id} root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 ` +
      timer('hello_timer', 0) +
      timer('tcn_timer', 0) +
      timer('topology_change_timer', 0) +
      timer('gc_timer', gc) +
      'vlan_default_pvid 1 vlan_stats_enabled 0 vlan_stats_per_port 0 group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 '
    );
  }
  void nets;
  return '';
}

/** A port's STP state in `bridge link` and `bridge_slave`: forwarding, or disabled. */
export function portState(nets: Nets, ns: Netns, br: Device, port: Device): 'forwarding' | 'disabled' {
  return br.up && port.up && carrierOf(nets, ns, port) ? 'forwarding' : 'disabled';
}

/** A port's number: its place among the bridge's ports, by interface index. */
function portNo(ns: Netns, br: Device, port: Device): number {
  return portsOf(ns, br)
    .sort((a, b) => a.ifindex - b.ifindex)
    .indexOf(port) + 1;
}

function slaveDetails(nets: Nets, ns: Netns, br: Device, d: Device, now: number): string {
  const no = portNo(ns, br, d);
  const id = bridgeIdOf(ns, br);
  const state = portState(nets, ns, br, d);
  // With STP off a port forwards at once; its forward delay timer still runs out over 15 s.
  const since = Math.max(d.upSince ?? 0, br.upSince ?? 0);
  const fwd = state === 'forwarding' && since ? 15 - (now - since) / 1000 : 0;
  return (
    `state ${state} priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on ` +
    `port_id 0x${(0x8000 + no).toString(16)} port_no 0x${no.toString(16)} designated_port ${0x8000 + no} designated_cost 0 designated_bridge ${id} designated_root ${id} ` +
    timer('hold_timer', 0) +
    timer('message_age_timer', 0) +
    timer('forward_delay_timer', fwd) +
    'topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off '
  );
}

/** The `inet` lines of a device. */
export function addrLines(d: Device): string[] {
  const out: string[] = [];
  for (const a of d.addrs) {
    const scope = a.ip >>> 24 === 127 ? 'host' : 'global';
    out.push(`    inet ${formatIp(a.ip)}/${a.len} ${a.brd !== undefined ? `brd ${formatIp(a.brd)} ` : ''}scope ${scope} ${a.secondary ? 'secondary ' : ''}${d.name}`);
    out.push('       valid_lft forever preferred_lft forever');
  }
  return out;
}

/** The IPv6 addresses a device shows: lo's ::1 while up, others their link-local address. */
export function inet6Addrs(nets: Nets, ns: Netns, d: Device): { text: string; scope: 'host' | 'link' }[] {
  if (d.kind === 'loopback') return hasLoopback6(d) ? [{ text: '::1/128', scope: 'host' }] : [];
  const mac = linkLocalMac(nets, ns, d);
  return mac ? [{ text: `${eui64LinkLocal(mac)}/64`, scope: 'link' }] : [];
}

/** The `inet6` lines of a device (iproute2 and busybox print them alike). */
export function inet6Lines(nets: Nets, ns: Netns, d: Device): string[] {
  return inet6Addrs(nets, ns, d).flatMap((a) => [`    inet6 ${a.text} scope ${a.scope} `, '       valid_lft forever preferred_lft forever']);
}

/** `ip -br link`: name (with its peer), state, MAC and flags, in iproute2's brief columns. */
export function briefLink(nets: Nets, ns: Netns, d: Device): string {
  const { flags, state } = linkState(nets, ns, d);
  return `${linkName(nets, ns, d).padEnd(16)} ${state.padEnd(14)} ${d.mac} <${flags.join(',')}> `;
}

/** `ip -br addr`: name, state and each address as ADDR/LEN (IPv6 after IPv4 unless -4). */
export function briefAddr(nets: Nets, ns: Netns, d: Device, inet4Only: boolean): string {
  const { state } = linkState(nets, ns, d);
  const v6 = inet4Only ? [] : inet6Addrs(nets, ns, d).map((a) => `${a.text} `);
  return `${linkName(nets, ns, d).padEnd(16)} ${state.padEnd(14)} ${d.addrs.map((a) => `${formatIp(a.ip)}/${a.len} `).join('')}${v6.join('')}`;
}

/** The kernel's dump order of the main table: default first, then by address, longer prefix first, then by metric. */
export function routeOrder(a: Route, b: Route): number {
  if (a.dst.len === 0 || b.dst.len === 0) {
    if (a.dst.len !== b.dst.len) return a.dst.len === 0 ? -1 : 1;
    return (a.metric ?? 0) - (b.metric ?? 0);
  }
  return a.dst.addr - b.dst.addr || b.dst.len - a.dst.len || (a.metric ?? 0) - (b.metric ?? 0);
}

/**
 * One route as `ip route` prints it; under a `dev` filter iproute2 leaves the `dev` column out.
 * `-d` adds the type and always prints proto and scope.
 */
export function routeLine(nets: Nets, ns: Netns, r: Route, showDev = true, details = false): string {
  const dst = r.dst.len === 0 ? 'default' : r.dst.len === 32 ? formatIp(r.dst.addr) : `${formatIp(r.dst.addr)}/${r.dst.len}`;
  const proto = r.proto ?? (details ? 'boot' : undefined);
  const scope = r.scope ?? (details ? 'global' : undefined);
  if (r.type === 'blackhole') return `blackhole ${dst} ${proto ? `proto ${proto} ` : ''}${scope ? `scope ${scope} ` : ''}${r.metric ? `metric ${r.metric} ` : ''}`;
  const dev = ns.devices.find((d) => d.name === r.dev);
  const linkdown = dev && !carrierOf(nets, ns, dev) ? 'linkdown ' : '';
  return `${details ? 'unicast ' : ''}${dst} ${r.via !== undefined ? `via ${formatIp(r.via)} ` : ''}${showDev ? `dev ${r.dev} ` : ''}${proto ? `proto ${proto} ` : ''}${scope ? `scope ${scope} ` : ''}${r.src !== undefined ? `src ${formatIp(r.src)} ` : ''}${r.metric ? `metric ${r.metric} ` : ''}${r.onlink ? 'onlink ' : ''}${linkdown}`;
}
