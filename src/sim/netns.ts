/**
 * Network namespaces: devices, addresses, routes and neighbours.
 *
 * Design notes: each Linux network namespace (a node's root namespace, a pod's namespace,
 * the LAN router) is a plain record: its devices with per-namespace interface indexes, its
 * main routing table and its neighbour (ARP) table, and whether it forwards packets
 * (net.ipv4.ip_forward). veth devices name their peer by namespace and ifindex, as the
 * kernel's `link-netnsid` does; bridge ports name their bridge (`master`). Route lookup is
 * longest-prefix match over the main table; local addresses come from the devices, like the
 * kernel's local table (the loopback's whole prefix, 127.0.0.0/8, once lo has its address: a
 * namespace whose lo never came up has none). A path MTU learned from ICMP "fragmentation needed" is kept per
 * destination as the kernel keeps a route exception (`ip route get` shows it as `cache
 * expires 599sec mtu 1400`): it only ever lowers the MTU, lasts net.ipv4.route.mtu_expires
 * (600 s), and a value below min_pmtu (552) is raised to 552 and locked, so DF is no longer
 * set on the packets that fit. A device with proxy_arp answers ARP for addresses routed out of
 * another device (forward.ts). A namespace may also hold netfilter tables and conntrack, an
 * IPVS table (ipvs.ts) and IP sets (ipset.ts). The neighbour table holds what net/core/neighbour.c keeps per
 * entry (NUD state, link-layer address, the `updated`, `confirmed` and `used` times and the
 * probe count); neigh.ts runs its state machine. Removing a device does what unregistering a
 * net_device does to the tables here: its routes and neighbour entries go, its bridge forgets
 * the MACs learned on it, and a bridge left without a port loses carrier, which evicts the
 * bridge's own dynamic neighbour entries. Routes to one prefix are told apart by their metric,
 * the lowest winning. Devices carry what `ip link` shows of them beyond the basics (qdisc, qlen,
 * a bridge's carrier history, the MAC their IPv6 link-local address was made from); what
 * changing them does is src/sim/linux. A namespace in a mesh (mesh.ts: flannel's per-node
 * routes, neighbours and FDB entries, stored once for all nodes) holds the mesh's entries as
 * well as its own: the lookups and listings here take the sandbox state to read them
 * (`routesOf`, `neighboursOf`, `vxlanFdbOf`), and a namespace read without it throws rather
 * than miss them. Left out: policy routing (ip rule), multiple tables, IPv6 (link-local
 * addresses exist as text only).
 */
import { contains, formatIp, maskOf, type Cidr, type Ip } from './ipv4';
import type { ConntrackEntry } from './conntrack';
import type { IpSet } from './ipset';
import type { IpvsTable } from './ipvs';
import type { Mac } from './mac';
import { leaveMesh, meshFdb, meshMembers, meshMembersWithSelf, meshNamesDevice, meshNeighbour, meshNeighbourCount, type MeshHolder } from './mesh';
import type { Netfilter } from './netfilter';
import type { TcpSocket } from './tcp-stack';

/** `dummy` devices hold addresses and discard whatever is sent through them (kube-ipvs0 style). */
export type DeviceKind = 'loopback' | 'ether' | 'veth' | 'bridge' | 'vxlan' | 'dummy';

export interface Address {
  ip: Ip;
  len: number;
  /** Broadcast address printed by `ip addr` (`brd`), when the address has one. */
  brd?: Ip;
  /** Another address of the device is primary in the same subnet (`ip addr` says `secondary`). */
  secondary?: boolean;
}

export interface Device {
  ifindex: number;
  name: string;
  kind: DeviceKind;
  mac: Mac;
  mtu: number;
  up: boolean;
  addrs: Address[];
  /** The bridge this device is a port of (a device name in the same namespace). */
  master?: string;
  /** veth: the other end. */
  peer?: { ns: string; ifindex: number };
  /** ether: the L2 segment (switch) the cable goes to. */
  segment?: string;
  /**
   * vxlan: the tunnel's parameters and its forwarding database (MAC -> remote VTEP IP). `local`
   * 0 and `dev` '' when not given (the kernel then picks the source address by route).
   */
  vxlan?: VxlanParams;
  /**
   * bridge: MAC -> port device name. `permanent` entries never age, move or go with their
   * port's carrier (`bridge fdb add ... master`, shown as `static` when `flag` says so); the
   * bridge learns the others.
   */
  fdb?: Record<Mac, { port: string; permanent: boolean; flag?: 'static' }>;
  /**
   * net.ipv4.conf.<dev>.proxy_arp: the device answers ARP requests for addresses the namespace
   * routes out of another device, with its own MAC (Calico's host-side veths).
   */
  proxyArp?: boolean;
  /** The transmit queue length (`qlen`); absent: 1000, or 0 for vxlan and dummy devices (made with TxQLen 0 by their daemons). */
  qlen?: number;
  /** The qdisc `ip link` names (`noop` until the device is first brought up); absent: the kind's (fq_codel on a NIC, else noqueue). */
  qdisc?: string;
  /** bridge: no port has been enabled or disabled since it was made, so it still has the carrier it was born with. */
  portless?: boolean;
  /** bridge: its MAC was never set, so it follows its ports' lowest MAC (00:00:00:00:00:00 with none). */
  macFromPorts?: boolean;
  /**
   * The MAC the device's IPv6 link-local address was made from (EUI-64), while it has one;
   * false while it waits for carrier to get one; `flushed` when `ip addr flush` took it (and
   * lo's ::1), until the device next comes up. Absent: it has one from its MAC while up with carrier.
   */
  ll6?: Mac | false | 'flushed';
  /** Epoch ms the device was last brought up (a bridge's gc_timer counts from it). */
  upSince?: number;
  /** Unicast addresses added to its own filter (`bridge fdb add MAC dev D self` on a device that is not a vxlan). */
  uc?: Mac[];
}

export interface VxlanParams {
  vni: number;
  port: number;
  local: Ip;
  dev: string;
  learning: boolean;
  fdb: Record<Mac, Ip>;
  /** The default destination (`remote`, or a `00:00:00:00:00:00` FDB entry), and further ones appended. */
  remote?: Ip;
  flood?: Ip[];
  /** The default entry came with the device (`remote IP dev D`): it shows `via D`. */
  remoteVia?: boolean;
  /** FDB entries learned from arriving frames (not permanent). */
  learned?: Record<Mac, true>;
}

export interface Route {
  dst: Cidr;
  via?: Ip;
  dev: string;
  /** Who added it (`proto`); absent: `boot`, which iproute2 does not print. */
  proto?: string;
  scope?: 'link' | 'host';
  /** The route's priority (`metric`); absent: 0. Routes to one prefix differ by it. */
  metric?: number;
  src?: Ip;
  onlink?: boolean;
  /** A blackhole route drops silently (used for the LAN router's "rest of the world"). */
  type?: 'unicast' | 'blackhole';
}

/** The NUD states iproute2 prints (include/uapi/linux/neighbour.h), NUD_NONE aside. */
export type NudState = 'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'NOARP' | 'PERMANENT';

/**
 * One neighbour entry. Times are epoch ms; an entry without them (a static one written when
 * the sandbox was built) counts them from the sandbox's creation.
 */
export interface Neighbour {
  ip: Ip;
  dev: string;
  /** The link-layer address: all zeros until first resolved, and kept (not shown) once FAILED. */
  mac: Mac;
  state: NudState;
  /** The last change of state or address (neigh->updated). */
  updated?: number;
  /** The last proof that the neighbour is there: an ARP reply to us, TCP progress. */
  confirmed?: number;
  /** The last packet that needed the entry on the kernel's slow path. */
  used?: number;
  /** Solicitations sent in the current resolution or probing round. */
  probes?: number;
}

/** A route exception for one destination: the path MTU ICMP "fragmentation needed" reported. */
export interface PmtuEntry {
  mtu: number;
  /** Epoch ms. */
  expires: number;
  /** The reported MTU was below min_pmtu: 552 is used and DF is no longer set. */
  locked?: boolean;
}

/** net.ipv4.route.mtu_expires and min_pmtu, the kernel's defaults. */
export const PMTU_EXPIRES_MS = 600_000;
export const MIN_PMTU = 552;

export interface Netns {
  /** Stable id: `node/<name>`, `pod/<namespace>/<name>`, `router`. */
  id: string;
  /** The namespace's own name where it has one (`cni-<uuid>` for pods). */
  name: string;
  hostname: string;
  devices: Device[];
  routes: Route[];
  neigh: Neighbour[];
  ipForward: boolean;
  /** Kernel parameters written in this namespace (linux/sysctl.ts); the rest are derived. */
  sysctl?: Record<string, string>;
  nextIfindex: number;
  /** Next IPv4 identification value for locally generated packets. */
  ipId: number;
  /** iptables tables, where the namespace has rules (nodes, Docker hosts). */
  nf?: Netfilter;
  /** Connection tracking entries (only where nf exists). */
  conntrack?: ConntrackEntry[];
  /**
   * Where kube-proxy's KUBE-* chains come from on a node: `live` uses the state's shared copy;
   * a stopped kube-proxy leaves `frozen` rules that no longer follow the Services.
   */
  kubeProxy?: { mode: 'live' } | { mode: 'frozen'; rules: Netfilter };
  /** IPVS virtual servers and connections, where a service proxy runs in IPVS mode (ipvs.ts). */
  ipvs?: IpvsTable;
  /** IP sets by name (ipset.ts): kube-proxy's in IPVS mode, Felix's policy selectors. */
  ipsets?: Record<string, IpSet>;
  /** Server-side TCP connections, by `localIp:port|remoteIp:port` (tcp-stack.ts). */
  tcpSockets?: Record<string, TcpSocket>;
  /** Path MTUs learned from ICMP "fragmentation needed", by destination address (dotted). */
  pmtu?: Record<string, PmtuEntry>;
  /** The mesh (state.meshes, mesh.ts) whose other members' entries this namespace holds. */
  mesh?: string;
  /** The neighbour table's garbage collector: the last periodic run, the last forced one (epoch ms). */
  neighGc?: { periodic: number; forced: number };
  /** A namespace made with `ip netns add` (id `netns/<machine>/<name>`): when (epoch ms). */
  created?: number;
}

export function newNetns(id: string, name: string, hostname: string, ipId: number): Netns {
  const ns: Netns = { id, name, hostname, devices: [], routes: [], neigh: [], ipForward: false, nextIfindex: 1, ipId };
  addDevice(ns, { name: 'lo', kind: 'loopback', mac: '00:00:00:00:00:00', mtu: 65536, up: true, addrs: [{ ip: 0x7f000001, len: 8 }] });
  return ns;
}

export function addDevice(ns: Netns, d: Omit<Device, 'ifindex'> & { ifindex?: number }): Device {
  const ifindex = d.ifindex ?? ns.nextIfindex;
  ns.nextIfindex = Math.max(ns.nextIfindex, ifindex + 1);
  const dev: Device = { ...d, ifindex };
  ns.devices.push(dev);
  return dev;
}

export function deviceByName(ns: Netns, name: string): Device | undefined {
  return ns.devices.find((d) => d.name === name);
}

export function deviceByIndex(ns: Netns, ifindex: number): Device | undefined {
  return ns.devices.find((d) => d.ifindex === ifindex);
}

/** True when `ip` is one of this namespace's own addresses (the kernel's local table). */
export function isLocal(ns: Netns, ip: Ip): boolean {
  for (const d of ns.devices) {
    for (const a of d.addrs) {
      if (a.ip === ip) return true;
      // The loopback's prefix is local as a whole (`local 127.0.0.0/8 dev lo`).
      if (d.kind === 'loopback' && a.len < 32 && contains({ addr: (a.ip & maskOf(a.len)) >>> 0, len: a.len }, ip)) return true;
    }
  }
  return false;
}

/**
 * Longest-prefix match over the main table; ignores routes whose device is down. `shared` (the
 * sandbox state) supplies the routes a mesh namespace holds; its own come first, so an own
 * route shadows the mesh's for the same destination.
 */
export function lookupRoute(ns: Netns, dst: Ip, shared?: MeshHolder): Route | undefined {
  let best: Route | undefined;
  const consider = (r: Route): void => {
    if (!contains(r.dst, dst)) return;
    if (best && (best.dst.len > r.dst.len || (best.dst.len === r.dst.len && (best.metric ?? 0) <= (r.metric ?? 0)))) return;
    if (r.type !== 'blackhole') {
      const dev = deviceByName(ns, r.dev);
      if (!dev || !dev.up) return;
    }
    best = r;
  };
  for (const r of ns.routes) consider(r);
  if (ns.mesh !== undefined) for (const m of meshMembersWithSelf(ns, shared)) if (m.ns !== ns.id) for (const r of m.routes) consider(r);
  return best;
}

/**
 * Every route of the main table: the namespace's own, then those it holds through a mesh (a
 * mesh entry over a device the namespace does not have is not listed, as the kernel drops a
 * device's routes with it).
 */
export function routesOf(ns: Netns, shared?: MeshHolder): Route[] {
  if (ns.mesh === undefined) return ns.routes;
  const seen = new Set(ns.routes.map((r) => `${r.dst.addr}/${r.dst.len}`));
  const devs = new Set(ns.devices.map((d) => d.name));
  const out = [...ns.routes];
  for (const m of meshMembers(ns, shared)) {
    for (const r of m.routes) {
      const key = `${r.dst.addr}/${r.dst.len}`;
      if (!devs.has(r.dev) || seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

/** The neighbour table: entries held through a mesh first (programmed before any was learned), then the namespace's own. */
export function neighboursOf(ns: Netns, shared?: MeshHolder): Neighbour[] {
  if (ns.mesh === undefined) return ns.neigh;
  const seen = new Set(ns.neigh.map((n) => `${n.dev}|${n.ip}`));
  const devs = new Set(ns.devices.map((d) => d.name));
  const out: Neighbour[] = [];
  for (const m of meshMembers(ns, shared)) {
    for (const n of m.neigh) {
      const key = `${n.dev}|${n.ip}`;
      if (!devs.has(n.dev) || seen.has(key)) continue;
      seen.add(key);
      out.push(n);
    }
  }
  return out.length ? [...out, ...ns.neigh] : ns.neigh;
}

/** How many entries `neighboursOf` lists, counted without listing them. */
export function neighbourCount(ns: Netns, shared?: MeshHolder): number {
  return ns.mesh === undefined ? ns.neigh.length : ns.neigh.length + meshNeighbourCount(ns, shared);
}

/** A VXLAN device's forwarding database (MAC -> remote VTEP): mesh entries first, then its own. */
export function vxlanFdbOf(ns: Netns, dev: Device, shared?: MeshHolder): Record<Mac, Ip> {
  const own = dev.vxlan?.fdb ?? {};
  if (ns.mesh === undefined || !dev.vxlan) return own;
  const out: Record<Mac, Ip> = {};
  for (const m of meshMembers(ns, shared)) for (const f of m.fdb) if (f.dev === dev.name && out[f.mac] === undefined) out[f.mac] = f.dst;
  return { ...out, ...own };
}

/** The remote VTEP a VXLAN device's FDB names for `mac` (its own entry first, then the mesh's). */
export function lookupVxlanFdb(ns: Netns, dev: Device, mac: Mac, shared?: MeshHolder): Ip | undefined {
  const own = dev.vxlan?.fdb[mac];
  if (own !== undefined || ns.mesh === undefined) return own;
  return meshFdb(ns, shared, dev.name, mac);
}

/**
 * The source address for a connection to `dst` from this namespace: for one of its own
 * addresses the local table's route says it (`local 127.0.0.0/8 dev lo src 127.0.0.1`, and a
 * local address is its own source); otherwise the main table's route through sourceFor.
 */
export function sourceTo(ns: Netns, dst: Ip, shared?: MeshHolder): Ip | undefined {
  if (dst >>> 24 === 127 && isLocal(ns, dst)) return 0x7f000001;
  if (isLocal(ns, dst)) return dst;
  const route = lookupRoute(ns, dst, shared);
  return route && sourceFor(ns, route, dst);
}

/** The source address the kernel picks for a packet leaving through `route`. */
export function sourceFor(ns: Netns, route: Route, dst: Ip): Ip | undefined {
  if (route.src !== undefined) return route.src;
  const dev = deviceByName(ns, route.dev);
  if (!dev) return undefined;
  const same = dev.addrs.find((a) => contains({ addr: (a.ip & maskOf(a.len)) >>> 0, len: a.len }, dst));
  return (same ?? dev.addrs[0])?.ip ?? firstGlobalAddress(ns);
}

function firstGlobalAddress(ns: Netns): Ip | undefined {
  for (const d of ns.devices) if (d.kind !== 'loopback' && d.addrs[0]) return d.addrs[0].ip;
  return undefined;
}

/**
 * Unregisters a device: its routes and neighbour entries go (neigh_ifdown), its bridge forgets
 * the MACs learned on it (br_fdb_delete_by_port), and a bridge with no port left up loses
 * carrier, which evicts the bridge's non-permanent neighbour entries (neigh_carrier_down, as
 * net.ipv4.conf.*.arp_evict_nocarrier=1 asks). A namespace holding mesh entries over the
 * device leaves its mesh first (mesh.ts), so they go on this namespace only.
 */
export function removeDevice(ns: Netns, ifindex: number, shared?: MeshHolder): void {
  const dev = deviceByIndex(ns, ifindex);
  if (!dev) return;
  if (ns.mesh !== undefined && meshNamesDevice(ns, shared, dev.name)) leaveMesh(ns, shared);
  ns.devices = ns.devices.filter((d) => d !== dev);
  ns.routes = ns.routes.filter((r) => r.dev !== dev.name);
  ns.neigh = ns.neigh.filter((n) => n.dev !== dev.name);
  const br = dev.master !== undefined ? deviceByName(ns, dev.master) : undefined;
  if (!br) return;
  if (br.fdb) for (const [mac, f] of Object.entries(br.fdb)) if (f.port === dev.name) delete br.fdb[mac];
  if (dev.up && !ns.devices.some((d) => d.master === br.name && d.up)) ns.neigh = ns.neigh.filter((n) => n.dev !== br.name || n.state === 'PERMANENT');
}

/** Writes a static entry (flannel's PERMANENT ones); a PERMANENT entry already there stays. */
export function setNeighbour(ns: Netns, n: Neighbour): void {
  const i = ns.neigh.findIndex((x) => x.ip === n.ip && x.dev === n.dev);
  if (i >= 0) {
    // Entries an administrator made (permanent, noarp) are not overwritten by what ARP learns.
    if (ns.neigh[i]!.state === 'PERMANENT' || ns.neigh[i]!.state === 'NOARP') return;
    ns.neigh[i] = n;
  } else ns.neigh.push(n);
}

/** The neighbour entry for `ip` on `dev`: the namespace's own, else the one it holds through a mesh. */
export function lookupNeighbour(ns: Netns, dev: string, ip: Ip, shared?: MeshHolder): Neighbour | undefined {
  return ns.neigh.find((n) => n.ip === ip && n.dev === dev) ?? (ns.mesh === undefined ? undefined : meshNeighbour(ns, shared, dev, ip));
}

/** The path MTU cached for `dst`, while it has not expired at `now` (epoch ms). */
export function cachedPmtu(ns: Netns, dst: Ip, now: number): PmtuEntry | undefined {
  const e = ns.pmtu?.[formatIp(dst)];
  return e && e.expires > now ? e : undefined;
}

/**
 * ICMP "fragmentation needed" for a packet this namespace sent to `dst` said `mtu`: the kernel
 * lowers the path MTU (never raises it), clamping a value below min_pmtu to 552 and locking it.
 */
export function learnPmtu(ns: Netns, dst: Ip, mtu: number, now: number, shared?: MeshHolder): void {
  const route = lookupRoute(ns, dst, shared);
  const dev = route && deviceByName(ns, route.dev);
  if (!dev) return;
  const cached = cachedPmtu(ns, dst, now);
  if (cached?.locked) return;
  const current = Math.min(dev.mtu, cached?.mtu ?? dev.mtu);
  if (mtu > current) return;
  const locked = mtu < MIN_PMTU;
  const table = (ns.pmtu ??= {});
  for (const [k, e] of Object.entries(table)) if (e.expires <= now) delete table[k];
  table[formatIp(dst)] = { mtu: locked ? Math.min(current, MIN_PMTU) : mtu, expires: now + PMTU_EXPIRES_MS, ...(locked ? { locked: true } : {}) };
}
