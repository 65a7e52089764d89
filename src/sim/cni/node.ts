/**
 * The network namespaces every network plugin works with: a node's root namespace on the LAN,
 * a pod's own namespace, and the LAN's router.
 *
 * Design notes: namespace ids are `node/<name>` and `pod/<namespace>/<name>`; a host-network pod
 * runs in its node's. A node's uplink is `eth0` on the `lan` segment with the default route via
 * the node network's gateway, and the node forwards (net.ipv4.ip_forward=1, which every
 * Kubernetes node needs). The pod subnet of a node is its `spec.podCIDR`, which the
 * controller-manager hands out (`--allocate-node-cidrs`) and every plugin here builds on.
 * Nothing here depends on which plugin the cluster runs.
 */
import { broadcast, parseCidr, type Cidr, type Ip } from '../ipv4';
import { randomMac } from '../mac';
import { addDevice, deviceByName, newNetns, type Netns } from '../netns';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import type { Pod } from '../k8s/types';

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

export function nodeIp(state: SimState, node: string): Ip {
  const addr = state.k8s.nodes[node]?.status.addresses.find((a) => a.type === 'InternalIP')?.address;
  const ns = state.netns[nodeNsId(node)];
  const dev = ns && deviceByName(ns, 'eth0');
  if (dev?.addrs[0]) return dev.addrs[0].ip;
  throw new Error(`node ${node} has no address ${addr ?? ''}`);
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
