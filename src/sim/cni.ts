/**
 * Node networking set up by the CNI: flannel VXLAN plus the bridge plugin with host-local IPAM.
 *
 * Design notes: on each node flannel creates `flannel.1` (VXLAN, VNI 1, UDP 8472, learning off,
 * MTU = uplink MTU - 50) holding the node subnet's network address as a /32, and for every other
 * node exactly one route (`<subnet> via <subnet>.0 dev flannel.1 onlink`), one permanent
 * neighbour (`<subnet>.0` -> that node's flannel.1 MAC) and one FDB entry (that MAC -> that
 * node's IP). The bridge plugin creates `cni0` with the subnet's .1 when the first pod lands
 * on the node, then one veth pair per pod: `eth0` inside the pod, `veth<8 hex>` on the node,
 * enslaved to cni0. host-local IPAM hands out addresses after the last one it reserved and
 * wraps at the end of the range; freed addresses are not reused at once. A full range fails
 * the pod's sandbox (see k8s/kubelet.ts), as the bridge plugin's ADD fails in a real node.
 * Left out: flannel's subnet lease in etcd/the API, the FLANNEL-* iptables chains (no
 * netfilter yet), host-gw mode, hairpin mode.
 */
import { broadcast, nth, parseCidr, size, type Cidr, type Ip } from './ipv4';
import { randomMac } from './mac';
import { addDevice, deviceByName, newNetns, removeDevice, type Netns } from './netns';
import { nodeNetfilter } from './k8s/kube-proxy';
import { uuid, vethName } from './k8s/names';
import { deriveRng } from './rng';
import type { SimState } from './state';
import type { Pod } from './k8s/types';

export const VXLAN_PORT = 8472;
export const VXLAN_VNI = 1;
export const VXLAN_OVERHEAD = 50;

export function nodeNsId(node: string): string {
  return `node/${node}`;
}

export function podNsId(namespace: string, name: string): string {
  return `pod/${namespace}/${name}`;
}

/** The namespace a pod's processes run in: its own, or its node's with hostNetwork. */
export function podNetns(state: SimState, pod: Pod): Netns | undefined {
  if (pod.spec.hostNetwork) return pod.spec.nodeName ? state.netns[nodeNsId(pod.spec.nodeName)] : undefined;
  return state.netns[podNsId(pod.metadata.namespace ?? 'default', pod.metadata.name)];
}

export function nodeSubnet(state: SimState, node: string): Cidr {
  const n = state.k8s.nodes[node];
  const c = n && parseCidr(n.spec.podCIDR);
  if (!c) throw new Error(`node ${node} has no pod CIDR`);
  return c;
}

/** Creates flannel.1 on every node and programs routes, neighbours and FDB entries between them. */
export function setupFlannel(state: SimState): void {
  const mtu = state.config.mtu - VXLAN_OVERHEAD;
  const nodes = Object.keys(state.k8s.nodes);
  for (const name of nodes) {
    const ns = state.netns[nodeNsId(name)]!;
    if (ns.nf) continue;
    const subnet = nodeSubnet(state, name);
    // flannel's masquerade/forward rules, behind the jumps kube-proxy puts in the built-in chains.
    ns.nf = nodeNetfilter(state.config.podCidr, subnet);
    ns.conntrack = [];
    ns.kubeProxy = { mode: 'live' };
    if (state.config.cni === 'flannel-host-gw') continue;
    addDevice(ns, {
      name: 'flannel.1',
      kind: 'vxlan',
      mac: randomMac(deriveRng(state.seed, `mac:${ns.id}/flannel.1`)),
      mtu,
      up: true,
      addrs: [{ ip: subnet.addr, len: 32 }],
      vxlan: { vni: VXLAN_VNI, port: VXLAN_PORT, local: nodeIp(state, name), dev: 'eth0', learning: false, fdb: {} },
    });
  }
  if (state.config.cni === 'flannel-host-gw') {
    setupHostGw(state, nodes);
    return;
  }
  // Every node learns every other node's subnet, VTEP MAC and address (flannel's subnet watch).
  const peers = nodes.map((name) => {
    const vx = deviceByName(state.netns[nodeNsId(name)]!, 'flannel.1')!;
    return { name, subnet: nodeSubnet(state, name), mac: vx.mac, ip: vx.vxlan!.local };
  });
  for (const name of nodes) {
    const ns = state.netns[nodeNsId(name)]!;
    const vx = deviceByName(ns, 'flannel.1')!;
    const have = new Set(ns.routes.filter((r) => r.dev === 'flannel.1').map((r) => r.dst.addr));
    for (const peer of peers) {
      if (peer.name === name) continue;
      if (!have.has(peer.subnet.addr)) {
        have.add(peer.subnet.addr);
        ns.routes.push({ dst: peer.subnet, via: peer.subnet.addr, dev: 'flannel.1', onlink: true });
        ns.neigh.push({ ip: peer.subnet.addr, dev: 'flannel.1', mac: peer.mac, state: 'PERMANENT' });
      }
      vx.vxlan!.fdb[peer.mac] = peer.ip;
    }
  }
}

export function nodeIp(state: SimState, node: string): Ip {
  const addr = state.k8s.nodes[node]?.status.addresses.find((a) => a.type === 'InternalIP')?.address;
  const ns = state.netns[nodeNsId(node)];
  const dev = ns && deviceByName(ns, 'eth0');
  if (dev?.addrs[0]) return dev.addrs[0].ip;
  throw new Error(`node ${node} has no address ${addr ?? ''}`);
}

/**
 * flannel's host-gw backend: no tunnel, one plain route per remote node's pod subnet via that
 * node's own address on the shared LAN (`10.244.1.0/24 via 192.168.49.3 dev eth0`). Pod MTU
 * stays the uplink's, and packets cross the LAN with pod addresses in the IP header, which is
 * why host-gw needs every node on one L2 network.
 */
function setupHostGw(state: SimState, nodes: string[]): void {
  const peers = nodes.map((name) => ({ name, subnet: nodeSubnet(state, name), ip: nodeIp(state, name) }));
  for (const name of nodes) {
    const ns = state.netns[nodeNsId(name)]!;
    for (const peer of peers) {
      if (peer.name === name || ns.routes.some((r) => r.dst.addr === peer.subnet.addr && r.dst.len === peer.subnet.len)) continue;
      ns.routes.push({ dst: peer.subnet, via: peer.ip, dev: 'eth0' });
    }
  }
}

/** The MTU pods and cni0 get: the uplink's, less VXLAN's 50 bytes when there is a tunnel. */
export function podMtu(state: SimState): number {
  return state.config.cni === 'flannel-host-gw' ? state.config.mtu : state.config.mtu - VXLAN_OVERHEAD;
}

/**
 * host-local IPAM: the next free address after the last reserved one, wrapping at the end;
 * undefined when every address of the range is taken (the plugin's "no IP addresses
 * available in range set", which the kubelet reports as FailedCreatePodSandBox).
 */
export function allocatePodIp(state: SimState, node: string): Ip | undefined {
  const subnet = nodeSubnet(state, node);
  const ipam = (state.k8s.alloc.podIpam[node] ??= { last: 1, used: [] });
  const first = 2; // .1 is the gateway on cni0
  const last = size(subnet) - 2; // the broadcast address is not handed out
  for (let i = 0; i < last - first + 1; i++) {
    let off = ipam.last + 1 + i;
    if (off > last) off = first + ((off - first) % (last - first + 1));
    if (!ipam.used.includes(off)) {
      ipam.used.push(off);
      ipam.last = off;
      return nth(subnet, off);
    }
  }
  return undefined;
}

/** Creates cni0 on the node if this is its first pod (the bridge plugin does it lazily). */
function ensureBridge(state: SimState, node: string): void {
  const ns = state.netns[nodeNsId(node)]!;
  if (deviceByName(ns, 'cni0')) return;
  const subnet = nodeSubnet(state, node);
  const gw = nth(subnet, 1);
  addDevice(ns, {
    name: 'cni0',
    kind: 'bridge',
    mac: randomMac(deriveRng(state.seed, `mac:${ns.id}/cni0`)),
    mtu: podMtu(state),
    up: true,
    addrs: [{ ip: gw, len: subnet.len, brd: broadcast(subnet) }],
    fdb: {},
  });
  ns.routes.push({ dst: subnet, dev: 'cni0', proto: 'kernel', scope: 'link', src: gw });
}

/**
 * Wires a pod into its node: a network namespace, a veth pair into cni0 and an address;
 * undefined (and nothing created) when the node's range has no free address.
 */
export function attachPod(state: SimState, pod: Pod): Ip | undefined {
  const node = pod.spec.nodeName!;
  const namespace = pod.metadata.namespace ?? 'default';
  const ipAddr = allocatePodIp(state, node);
  if (ipAddr === undefined) return undefined;
  ensureBridge(state, node);
  const host = state.netns[nodeNsId(node)]!;
  const subnet = nodeSubnet(state, node);
  const gw = nth(subnet, 1);
  const id = podNsId(namespace, pod.metadata.name);
  // Everything random about this pod's network comes from its own stream.
  const prng = deriveRng(state.seed, `netns:${id}`);
  const ns = newNetns(id, `cni-${uuid(prng)}`, pod.metadata.name, prng.int(65536));
  const mtu = podMtu(state);
  const hostIndex = host.nextIfindex;
  const eth0 = addDevice(ns, {
    name: 'eth0',
    kind: 'veth',
    mac: randomMac(prng),
    mtu,
    up: true,
    addrs: [{ ip: ipAddr, len: subnet.len, brd: broadcast(subnet) }],
    peer: { ns: host.id, ifindex: hostIndex },
  });
  addDevice(host, {
    ifindex: hostIndex,
    name: vethName(prng),
    kind: 'veth',
    mac: randomMac(prng),
    mtu,
    up: true,
    addrs: [],
    master: 'cni0',
    peer: { ns: id, ifindex: eth0.ifindex },
  });
  ns.routes.push(
    { dst: { addr: 0, len: 0 }, via: gw, dev: 'eth0' },
    { dst: subnet, dev: 'eth0', proto: 'kernel', scope: 'link', src: ipAddr },
    { dst: state.config.podCidr, via: gw, dev: 'eth0' },
  );
  state.netns[id] = ns;
  return ipAddr;
}

/** Creates a node's root namespace with its uplink on the LAN segment. */
export function createNodeNetns(state: SimState, name: string, addr: Ip): Netns {
  const rng = deriveRng(state.seed, `netns:${nodeNsId(name)}`);
  const ns = newNetns(nodeNsId(name), '', name, rng.int(65536));
  const lan = state.config.nodeNetwork;
  const eth0 = addDevice(ns, { name: 'eth0', kind: 'ether', mac: randomMac(rng), mtu: state.config.mtu, up: true, addrs: [{ ip: addr, len: lan.len, brd: broadcast(lan) }], segment: 'lan' });
  ns.routes.push({ dst: { addr: 0, len: 0 }, via: state.config.gateway, dev: 'eth0' }, { dst: lan, dev: 'eth0', proto: 'kernel', scope: 'link', src: addr });
  ns.ipForward = true;
  state.netns[ns.id] = ns;
  state.segments.lan!.ports.push({ ns: ns.id, ifindex: eth0.ifindex });
  return ns;
}

/** The LAN's router (the node network's gateway): beyond it the simulated world ends. */
export function createRouter(state: SimState): Netns {
  const rng = deriveRng(state.seed, 'netns:router');
  const lan = state.config.nodeNetwork;
  const ns = newNetns('router', '', 'gateway', rng.int(65536));
  const eth0 = addDevice(ns, { name: 'eth0', kind: 'ether', mac: randomMac(rng), mtu: state.config.mtu, up: true, addrs: [{ ip: state.config.gateway, len: lan.len, brd: broadcast(lan) }], segment: 'lan' });
  ns.routes.push({ dst: lan, dev: 'eth0', proto: 'kernel', scope: 'link', src: state.config.gateway }, { dst: { addr: 0, len: 0 }, dev: 'eth0', type: 'blackhole' });
  ns.ipForward = true;
  state.netns[ns.id] = ns;
  state.segments.lan!.ports.push({ ns: ns.id, ifindex: eth0.ifindex });
  return ns;
}

/**
 * The CNI's DEL: removes the pod's namespace and the node's end of its veth pair, and returns
 * its address to host-local IPAM (which hands it out again only after wrapping around).
 */
export function detachPod(state: SimState, pod: Pod): void {
  const ns = podNetns(state, pod);
  if (!ns || pod.spec.hostNetwork) return;
  for (const d of ns.devices) {
    if (d.kind === 'veth' && d.peer) {
      const host = state.netns[d.peer.ns];
      if (host) removeDevice(host, d.peer.ifindex);
    }
  }
  delete state.netns[ns.id];
  const node = pod.spec.nodeName;
  const ip = pod.status.podIP;
  const ipam = node ? state.k8s.alloc.podIpam[node] : undefined;
  if (ipam && ip) {
    const off = ip.split('.').map(Number).reduce((a, b) => a * 256 + b, 0) - nodeSubnet(state, node!).addr;
    ipam.used = ipam.used.filter((u) => u !== off);
  }
}
