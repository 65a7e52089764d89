/**
 * Links a root shell changes: `ip link add|set|del` as the kernel carries them out.
 *
 * Design notes: each function checks what the kernel checks, in its order, and returns the
 * refusal (errors.ts) without changing anything, or changes the model the packets traverse.
 * New devices take the namespace's next interface index (a veth pair's peer first, as
 * veth_newlink registers it first), a random MAC, qdisc `noop` until first brought up, qlen
 * 1000. Bringing a device down deletes every route through it (fib_sync_down_dev; the
 * connected routes of its addresses come back when it comes up again, the others do not) and
 * flushes its neighbours, permanent ones included (neigh_ifdown); a vxlan device keeps its
 * permanent FDB entries, a bridge forgets what it learned on the ports that stop forwarding.
 * Its IPv4 addresses stay, and stay local. A device that only loses its carrier (a veth whose
 * peer went down, a bridge whose last forwarding port went) keeps its routes (`linkdown`) and
 * loses its neighbours but the permanent ones (neigh_carrier_down). A bridge made here takes the lowest MAC among its
 * ports (00:00:00:00:00:00 with none) until an address is set for it
 * (br_stp_recalculate_bridge_id). Enslaving a port that is already in another bridge moves
 * it. Renaming works while the device is up (Linux 6.2 and later) and follows the name into
 * routes, neighbours, ports and FDB entries. Moving a device to another namespace drops its
 * addresses, routes and neighbours and releases it from its bridge; it arrives down with its
 * MAC, keeping its interface index when that is free there; loopback and bridge devices cannot
 * move ("The interface netns is immutable"). Deleting a veth deletes its peer; deleting a
 * bridge releases its ports; deleting (or moving away) a vxlan's underlying device deletes
 * the vxlan; the loopback and Ethernet NICs cannot be deleted.
 * A namespace that holds routes and neighbours over a device through a mesh (mesh.ts:
 * flannel's over flannel.1, host-gw's over eth0) leaves the mesh (copy-on-write) before that
 * device goes down, is renamed, deleted or moved away, so what goes with it goes on this
 * namespace only; bringing it up again restores only its connected routes, as on a real node.
 * Left out: the `dummy0` a first dummy device brings along when the kernel loads the dummy
 * module, a bridge's MTU following its ports', STP, VLANs, link properties not listed in
 * src/pages/simulator.mdx.
 */
import { maskOf, type Ip } from '../ipv4';
import { randomMac, type Mac } from '../mac';
import { leaveMesh, meshNamesDevice, type MeshHolder } from '../mesh';
import { addDevice, deviceByIndex, deviceByName, type Device, type Netns, type VxlanParams } from '../netns';
import type { Rng } from '../rng';
import { carrierOf, forwarding, linkLocalMac, mtuRange, peerOf, portsOf, type Nets } from './device';
import { refuse, type KernelError } from './errors';

/** What a change needs: every namespace (veth peers may be elsewhere), the RNG and the time. */
export interface LinkEnv {
  nets: Nets;
  rng: Rng;
  now: number;
  /** The sandbox state, for the entries a namespace holds through a mesh (mesh.ts). */
  shared?: MeshHolder;
}

/** Before what a mesh gives `ns` over device `name` changes there: the namespace's own copy (copy-on-write). */
function ownEntriesOver(env: LinkEnv, ns: Netns, name: string): void {
  if (ns.mesh !== undefined && meshNamesDevice(ns, env.shared, name)) leaveMesh(ns, env.shared);
}

function created(d: Omit<Device, 'ifindex'>): Omit<Device, 'ifindex'> {
  return { ...d, qdisc: 'noop', qlen: 1000, ll6: false };
}

/** `ip link add NAME type veth peer name PEER`. */
export function addVeth(env: LinkEnv, ns: Netns, name: string, peerName: string): KernelError | undefined {
  if (deviceByName(ns, name) || deviceByName(ns, peerName) || name === peerName) return refuse('EEXIST');
  const peer = addDevice(ns, created({ name: peerName, kind: 'veth', mac: randomMac(env.rng), mtu: 1500, up: false, addrs: [] }));
  const dev = addDevice(ns, created({ name, kind: 'veth', mac: randomMac(env.rng), mtu: 1500, up: false, addrs: [], peer: { ns: ns.id, ifindex: peer.ifindex } }));
  peer.peer = { ns: ns.id, ifindex: dev.ifindex };
  return undefined;
}

/** `ip link add NAME type bridge`. */
export function addBridge(env: LinkEnv, ns: Netns, name: string): KernelError | undefined {
  if (deviceByName(ns, name)) return refuse('EEXIST');
  addDevice(ns, { ...created({ name, kind: 'bridge', mac: randomMac(env.rng), mtu: 1500, up: false, addrs: [], fdb: {} }), portless: true, macFromPorts: true });
  return undefined;
}

/** `ip link add NAME type dummy`. */
export function addDummy(env: LinkEnv, ns: Netns, name: string): KernelError | undefined {
  if (deviceByName(ns, name)) return refuse('EEXIST');
  addDevice(ns, created({ name, kind: 'dummy', mac: randomMac(env.rng), mtu: 1500, up: false, addrs: [] }));
  return undefined;
}

export interface VxlanSpec {
  vni: number;
  port: number;
  local?: Ip;
  remote?: Ip;
  dev?: string;
  learning: boolean;
}

/** `ip link add NAME type vxlan id VNI [local IP] [remote IP] [dev D] [dstport P] [nolearning]`. */
export function addVxlan(env: LinkEnv, ns: Netns, name: string, spec: VxlanSpec): KernelError | undefined {
  if (deviceByName(ns, name)) return refuse('EEXIST');
  // vxlan_config_validate: one device per VNI and destination port.
  if (ns.devices.some((d) => d.vxlan && d.vxlan.vni === spec.vni && d.vxlan.port === spec.port)) return refuse('EEXIST', 'A VXLAN device with the specified VNI already exists');
  const lower = spec.dev !== undefined ? deviceByName(ns, spec.dev) : undefined;
  const vxlan: VxlanParams = { vni: spec.vni, port: spec.port, local: spec.local ?? 0, dev: spec.dev ?? '', learning: spec.learning, fdb: {} };
  if (spec.remote !== undefined) {
    vxlan.remote = spec.remote;
    if (lower) vxlan.remoteVia = true;
  }
  // The tunnel's headroom (outer Ethernet, IPv4, UDP, VXLAN: 50 bytes) comes off the lower device's MTU.
  addDevice(ns, created({ name, kind: 'vxlan', mac: randomMac(env.rng), mtu: lower ? lower.mtu - 50 : 1500, up: false, addrs: [], vxlan }));
  return undefined;
}

// ------------------------------------------------------------------------------ up and down

/** `ip link set DEV up`. */
export function setUp(env: LinkEnv, ns: Netns, d: Device): void {
  if (d.up) return;
  const before = carriers(env.nets, ns);
  d.up = true;
  if (d.qdisc === 'noop') d.qdisc = 'noqueue';
  // addrconf on NETDEV_UP: lo gets ::1 back, another device waits for carrier for its link-local address.
  if (d.kind === 'loopback') delete d.ll6;
  else d.ll6 = false;
  d.upSince = env.now;
  // The loopback gets 127.0.0.1/8 the first time it comes up (inetdev_event).
  if (d.kind === 'loopback' && d.addrs.length === 0) d.addrs.push({ ip: 0x7f000001, len: 8 });
  // NETDEV_UP: fib_add_ifaddr puts back the prefix route of each primary address.
  for (const a of d.addrs) addPrefixRoute(ns, d, a.ip, a.len, a.secondary);
  settle(env.nets, ns, before);
}

/** `ip link set DEV down`: routes through it go, its neighbours are flushed. */
export function setDown(env: LinkEnv, ns: Netns, d: Device): void {
  if (!d.up) return;
  const before = carriers(env.nets, ns);
  d.up = false;
  deviceGoes(env, ns, d);
  if (d.vxlan) forgetLearned(d);
  if (d.kind === 'bridge') for (const [mac, e] of Object.entries(d.fdb ?? {})) if (!e.permanent) delete d.fdb![mac];
  settle(env.nets, ns, before);
}

/** What NETDEV_DOWN (and unregistering) takes with a device: its routes, neighbours, IPv6 address. */
function deviceGoes(env: LinkEnv, ns: Netns, d: Device): void {
  ownEntriesOver(env, ns, d.name);
  ns.routes = ns.routes.filter((r) => r.type === 'blackhole' || r.dev !== d.name);
  ns.neigh = ns.neigh.filter((n) => n.dev !== d.name);
  d.ll6 = false;
}

function forgetLearned(d: Device): void {
  const vx = d.vxlan!;
  for (const mac of Object.keys(vx.learned ?? {})) delete vx.fdb[mac];
  delete vx.learned;
}

/** Whether each device has carrier, over a namespace and those its veths lead to. */
export type Carriers = Map<Device, boolean>;

function around(nets: Nets, ns: Netns): Set<Netns> {
  const all = new Set<Netns>([ns]);
  for (const d of ns.devices) {
    const p = peerOf(nets, d);
    if (p) all.add(p.ns);
  }
  return all;
}

/** The carriers before a change, so that settle() can see which devices lost theirs. */
export function carriers(nets: Nets, ...nss: Netns[]): Carriers {
  const out: Carriers = new Map();
  for (const ns of nss) for (const n of around(nets, ns)) for (const d of n.devices) out.set(d, carrierOf(nets, n, d));
  return out;
}

/**
 * After a change, what follows by itself: the neighbours of a device that lost its carrier
 * (all but permanent ones, as neigh_carrier_down does; its routes stay, shown `linkdown`), a
 * bridge's carrier once a port is enabled (the first port state selection), what it learned
 * on ports that stopped forwarding, and the IPv6 link-local addresses of devices that have
 * gained carrier (addrconf on NETDEV_CHANGE). Runs over `ns` and every namespace its veths
 * lead to.
 */
export function settle(nets: Nets, ns: Netns, before?: Carriers): void {
  for (const n of around(nets, ns)) {
    for (const d of n.devices) {
      // Carrier lost while up: neigh_carrier_down flushes all but the permanent entries.
      if (before?.get(d) && d.up && !carrierOf(nets, n, d)) n.neigh = n.neigh.filter((x) => x.dev !== d.name || x.state === 'PERMANENT' || x.state === 'NOARP');
    }
    for (const br of n.devices.filter((d) => d.kind === 'bridge')) {
      const ports = portsOf(n, br);
      if (br.portless && ports.some((p) => forwarding(nets, n, br, p))) delete br.portless;
      for (const [mac, e] of Object.entries(br.fdb ?? {})) {
        const port = deviceByName(n, e.port);
        if (!e.permanent && (!port || port.master !== br.name || !forwarding(nets, n, br, port))) delete br.fdb![mac];
      }
    }
    for (const d of n.devices) if (d.ll6 === false && d.kind !== 'loopback' && carrierOf(nets, n, d)) d.ll6 = d.mac;
  }
}

// ------------------------------------------------------------------------------ properties

/** `ip link set DEV mtu N`. */
export function setMtu(env: LinkEnv, ns: Netns, d: Device, mtu: number): KernelError | undefined {
  const { min, max } = mtuRange(d);
  if (max > 0 && mtu > max) return refuse('EINVAL', 'mtu greater than device maximum');
  if (min > 0 && mtu < min) return refuse('EINVAL', 'mtu less than device minimum');
  if (d.vxlan) {
    // vxlan_change_mtu: no more than the lower device carries after the tunnel's headroom.
    const lower = d.vxlan.dev ? deviceByName(ns, d.vxlan.dev) : undefined;
    if (lower && mtu > lower.mtu - 50) return refuse('EINVAL');
  }
  d.mtu = mtu;
  void env;
  return undefined;
}

/** `ip link set DEV master BR`. */
export function setMaster(env: LinkEnv, ns: Netns, d: Device, br: Device): KernelError | undefined {
  if (br.kind !== 'bridge') return refuse('EOPNOTSUPP');
  if (d.master === br.name) return undefined;
  if (d.kind === 'bridge') return refuse('ELOOP', 'Can not enslave a bridge to a bridge');
  if (d.kind === 'loopback') return refuse('EINVAL');
  if (d === br) return refuse('ELOOP', 'Can not enslave a bridge to a bridge');
  const before = carriers(env.nets, ns);
  if (d.master) releasePort(env, ns, d);
  d.master = br.name;
  recalcBridgeId(ns, br);
  settle(env.nets, ns, before);
  return undefined;
}

/** `ip link set DEV nomaster`. */
export function setNomaster(env: LinkEnv, ns: Netns, d: Device): void {
  if (!d.master) return;
  const before = carriers(env.nets, ns);
  releasePort(env, ns, d);
  settle(env.nets, ns, before);
}

function releasePort(env: LinkEnv, ns: Netns, d: Device): void {
  const br = deviceByName(ns, d.master!);
  const wasForwarding = br ? forwarding(env.nets, ns, br, d) : false;
  delete d.master;
  if (!br) return;
  // del_nbp: the port's entries go, static ones included.
  for (const [mac, e] of Object.entries(br.fdb ?? {})) if (e.port === d.name) delete br.fdb![mac];
  if (wasForwarding) delete br.portless;
  recalcBridgeId(ns, br);
}

/** br_stp_recalculate_bridge_id: a bridge whose address was never set takes its ports' lowest MAC; a change runs the port state selection. */
function recalcBridgeId(ns: Netns, br: Device): void {
  if (!br.macFromPorts) return;
  const macs = portsOf(ns, br).map((p) => p.mac).sort();
  const mac = macs[0] ?? '00:00:00:00:00:00';
  if (mac === br.mac) return;
  br.mac = mac;
  delete br.portless;
}

/** `ip link set DEV name NEW`. */
export function setName(env: LinkEnv, ns: Netns, d: Device, name: string): KernelError | undefined {
  if (d.name === name) return undefined;
  if (deviceByName(ns, name)) return refuse('EEXIST');
  const old = d.name;
  ownEntriesOver(env, ns, old);
  ownEntriesOver(env, ns, name);
  d.name = name;
  for (const r of ns.routes) if (r.dev === old) r.dev = name;
  for (const n of ns.neigh) if (n.dev === old) n.dev = name;
  for (const x of ns.devices) {
    if (x.master === old) x.master = name;
    if (x.vxlan?.dev === old) x.vxlan.dev = name;
    for (const e of Object.values(x.fdb ?? {})) if (e.port === old) e.port = name;
  }
  return undefined;
}

/** `ip link set DEV address MAC`. */
export function setAddress(env: LinkEnv, ns: Netns, d: Device, mac: Mac): KernelError | undefined {
  const first = parseInt(mac.slice(0, 2), 16);
  // is_valid_ether_addr: not multicast, not all zeros.
  if (first & 1 || mac === '00:00:00:00:00:00') return refuse('EADDRNOTAVAIL');
  if (d.kind === 'loopback') return refuse('EOPNOTSUPP');
  // The link-local address stays the one made from the old MAC.
  if (d.ll6 === undefined) d.ll6 = linkLocalMac(env.nets, ns, d) ?? false;
  const before = carriers(env.nets, ns);
  d.mac = mac;
  if (d.kind === 'bridge') {
    // br_set_mac_address: the address is the user's now, and the port state selection runs.
    delete d.macFromPorts;
    delete d.portless;
  } else if (d.master) {
    const br = deviceByName(ns, d.master);
    if (br) recalcBridgeId(ns, br);
  }
  settle(env.nets, ns, before);
  return undefined;
}

// ------------------------------------------------------------------------------ namespaces and deletion

/** `ip link set DEV netns NS`. */
export function setNetns(env: LinkEnv, ns: Netns, d: Device, target: Netns): KernelError | undefined {
  if (d.kind === 'loopback' || d.kind === 'bridge') return refuse('EINVAL', 'The interface netns is immutable');
  if (target === ns) return undefined;
  if (deviceByName(target, d.name)) return refuse('EEXIST', 'An interface with the same name exists in the target netns');
  const before = carriers(env.nets, ns, target);
  // A mesh entry over a device of that name, which the target lacks, would appear with it.
  ownEntriesOver(env, target, d.name);
  unregister(env, ns, d);
  ns.devices = ns.devices.filter((x) => x !== d);
  const ifindex = deviceByIndex(target, d.ifindex) ? target.nextIfindex : d.ifindex;
  const moved = addDevice(target, { ...d, ifindex, up: false, addrs: [], qdisc: 'noop', ll6: false });
  delete moved.master;
  delete moved.upSince;
  const p = peerOf(env.nets, moved);
  if (p) p.dev.peer = { ns: target.id, ifindex };
  settle(env.nets, ns, before);
  settle(env.nets, target, before);
  return undefined;
}

/** What leaving a namespace does to a device and to what depends on it there. */
function unregister(env: LinkEnv, ns: Netns, d: Device): void {
  if (d.master) releasePort(env, ns, d);
  if (d.kind === 'bridge') for (const p of portsOf(ns, d)) releasePort(env, ns, p);
  for (const a of [...d.addrs]) dropAddressRoutes(ns, d, a.ip);
  deviceGoes(env, ns, d);
  // A vxlan device whose underlying device goes is deleted with it (vxlan_handle_lowerdev_unregister).
  for (const vx of ns.devices.filter((x) => x !== d && x.vxlan && x.vxlan.dev === d.name)) removeDevice(env, ns, vx);
}

function removeDevice(env: LinkEnv, ns: Netns, d: Device): void {
  if (!ns.devices.includes(d)) return;
  unregister(env, ns, d);
  ns.devices = ns.devices.filter((x) => x !== d);
}

/** `ip link del DEV`. */
export function deleteLink(env: LinkEnv, ns: Netns, d: Device): KernelError | undefined {
  // No rtnl_link_ops: the loopback and the NICs cannot be deleted.
  if (d.kind === 'loopback' || (d.kind === 'ether' && !d.peer)) return refuse('EOPNOTSUPP');
  const peer = peerOf(env.nets, d);
  const before = carriers(env.nets, ns);
  removeDevice(env, ns, d);
  if (peer) removeDevice(env, peer.ns, peer.dev);
  settle(env.nets, ns, before);
  if (peer) settle(env.nets, peer.ns, before);
  return undefined;
}

// ------------------------------------------------------------------------------ routes that follow addresses

/** The prefix route of an address (`proto kernel scope link src A`), while its device is up. */
export function addPrefixRoute(ns: Netns, d: Device, ip: Ip, len: number, secondary?: boolean): void {
  // The loopback's prefix goes to the local table (`local 127.0.0.0/8 dev lo`), not the main one.
  if (!d.up || len >= 32 || secondary || d.kind === 'loopback') return;
  const addr = (ip & maskOf(len)) >>> 0;
  if (ns.routes.some((r) => r.dst.addr === addr && r.dst.len === len && r.dev === d.name && r.proto === 'kernel' && (r.metric ?? 0) === 0)) return;
  ns.routes.push({ dst: { addr, len }, dev: d.name, proto: 'kernel', scope: 'link', src: ip });
}

/** fib_del_ifaddr and fib_sync_down_addr: the address's prefix route and every route that used it as source go. */
export function dropAddressRoutes(ns: Netns, d: Device, ip: Ip): void {
  const stillLocal = ns.devices.some((x) => x.addrs.some((a) => a.ip === ip && !(x === d)));
  ns.routes = ns.routes.filter((r) => {
    if (r.dev === d.name && r.proto === 'kernel' && r.src === ip) return false;
    return stillLocal || r.src !== ip;
  });
}
