/**
 * Network namespaces: devices, addresses, routes and neighbours.
 *
 * Design notes: each Linux network namespace (a node's root namespace, a pod's namespace,
 * the LAN router) is a plain record: its devices with per-namespace interface indexes, its
 * main routing table and its neighbour (ARP) table, and whether it forwards packets
 * (net.ipv4.ip_forward). veth devices name their peer by namespace and ifindex, as the
 * kernel's `link-netnsid` does; bridge ports name their bridge (`master`). Route lookup is
 * longest-prefix match over the main table; local addresses come from the devices, like the
 * kernel's local table. A path MTU learned from ICMP "fragmentation needed" is kept per
 * destination as the kernel keeps a route exception (`ip route get` shows it as `cache
 * expires 599sec mtu 1400`): it only ever lowers the MTU, lasts net.ipv4.route.mtu_expires
 * (600 s), and a value below min_pmtu (552) is raised to 552 and locked, so DF is no longer
 * set on the packets that fit. Left out: policy routing (ip rule), multiple tables, metrics
 * beyond ordering, IPv6.
 */
import { contains, formatIp, maskOf, type Cidr, type Ip } from './ipv4';
import type { ConntrackEntry } from './conntrack';
import type { Mac } from './mac';
import type { Netfilter } from './netfilter';
import type { TcpSocket } from './tcp-stack';

/** `dummy` devices hold addresses and discard whatever is sent through them (kube-ipvs0 style). */
export type DeviceKind = 'loopback' | 'ether' | 'veth' | 'bridge' | 'vxlan' | 'dummy';

export interface Address {
  ip: Ip;
  len: number;
  /** Broadcast address printed by `ip addr` (`brd`), when the address has one. */
  brd?: Ip;
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
  /** vxlan: the tunnel's parameters and its forwarding database (MAC -> remote VTEP IP). */
  vxlan?: { vni: number; port: number; local: Ip; dev: string; learning: boolean; fdb: Record<Mac, Ip> };
  /** bridge: learned and static MAC -> port device name. */
  fdb?: Record<Mac, { port: string; permanent: boolean }>;
}

export interface Route {
  dst: Cidr;
  via?: Ip;
  dev: string;
  proto?: 'kernel' | 'static' | 'dhcp';
  scope?: 'link' | 'host';
  src?: Ip;
  onlink?: boolean;
  /** A blackhole route drops silently (used for the LAN router's "rest of the world"). */
  type?: 'unicast' | 'blackhole';
}

export interface Neighbour {
  ip: Ip;
  dev: string;
  mac: Mac;
  state: 'REACHABLE' | 'STALE' | 'PERMANENT';
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
  /** Server-side TCP connections, by `localIp:port|remoteIp:port` (tcp-stack.ts). */
  tcpSockets?: Record<string, TcpSocket>;
  /** Path MTUs learned from ICMP "fragmentation needed", by destination address (dotted). */
  pmtu?: Record<string, PmtuEntry>;
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
  if (ip >>> 24 === 127) return true;
  for (const d of ns.devices) for (const a of d.addrs) if (a.ip === ip) return true;
  return false;
}

/** Longest-prefix match over the main table; ignores routes whose device is down. */
export function lookupRoute(ns: Netns, dst: Ip): Route | undefined {
  let best: Route | undefined;
  for (const r of ns.routes) {
    if (!contains(r.dst, dst)) continue;
    if (best && best.dst.len >= r.dst.len) continue;
    if (r.type !== 'blackhole') {
      const dev = deviceByName(ns, r.dev);
      if (!dev || !dev.up) continue;
    }
    best = r;
  }
  return best;
}

/**
 * The source address for a connection to `dst` from this namespace: for one of its own
 * addresses the local table's route says it (`local 127.0.0.0/8 dev lo src 127.0.0.1`, and a
 * local address is its own source); otherwise the main table's route through sourceFor.
 */
export function sourceTo(ns: Netns, dst: Ip): Ip | undefined {
  if (dst >>> 24 === 127) return 0x7f000001;
  if (isLocal(ns, dst)) return dst;
  const route = lookupRoute(ns, dst);
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

export function setNeighbour(ns: Netns, n: Neighbour): void {
  const i = ns.neigh.findIndex((x) => x.ip === n.ip && x.dev === n.dev);
  if (i >= 0) {
    if (ns.neigh[i]!.state === 'PERMANENT') return;
    ns.neigh[i] = n;
  } else ns.neigh.push(n);
}

export function lookupNeighbour(ns: Netns, dev: string, ip: Ip): Neighbour | undefined {
  return ns.neigh.find((n) => n.ip === ip && n.dev === dev);
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
export function learnPmtu(ns: Netns, dst: Ip, mtu: number, now: number): void {
  const route = lookupRoute(ns, dst);
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
