/**
 * The cluster's network plugin: the registry of implementations and what the rest of the
 * sandbox calls (node setup, pod ADD and DEL, the pod MTU, a policy agent's sync).
 *
 * Design notes: `ClusterConfig.cni` names the plugin; each is one object implementing
 * CniPlugin (plugin.ts): flannel with VXLAN or host-gw (flannel.ts) and Canal (canal.ts).
 * The steps every plugin shares live here: the plugin adds its chains to a node's tables after
 * kube-proxy's jumps (cluster.ts installs kube-proxy first); each node is then given what the plugin programs
 * for every other node (PeerEntries): stored once per node in the plugin's mesh when it names
 * one (mesh.ts; every node holds the others' entries from there), else written for every pair
 * at build time; ADD takes an
 * address from host-local IPAM (host-local.ts), has the plugin wire the pod's namespace and
 * stores it; DEL removes the pod's namespace and the node end of its veth pair, and with the
 * device gone the kernel drops the routes and neighbours that used it, then returns the
 * address to IPAM.
 * Adding a plugin: docs/how-to-add.md ("A network plugin").
 */
import { registerDaemon } from '../daemons';
import type { Ip } from '../ipv4';
import { joinMesh, publishToMesh, withdrawFromMesh } from '../mesh';
import { removeDevice, type Netns } from '../netns';
import type { ClusterConfig, SimState } from '../state';
import type { Pod } from '../k8s/types';
import { canal } from './canal';
import { flannelHostGw, flannelVxlan } from './flannel';
import { allocatePodIp, rangeText, releasePodIp } from './host-local';
import { nodeNsId, podNetns, podNsId } from './node';
import type { CniPlugin } from './plugin';

export { createNodeNetns, createRouter, nodeIp, nodeNsId, nodeSubnet, podNetns, podNsId } from './node';
export { allocatePodIp } from './host-local';
export { FLANNEL_MESH, VXLAN_OVERHEAD, VXLAN_PORT, VXLAN_VNI } from './flannel';
export type { CniManifest, CniPlugin, PeerEntries } from './plugin';

export const CNI_PLUGINS: Record<ClusterConfig['cni'], CniPlugin> = {
  'flannel-vxlan': flannelVxlan,
  'flannel-host-gw': flannelHostGw,
  canal,
};

export function cniOf(state: SimState): CniPlugin {
  return CNI_PLUGINS[state.config.cni] ?? flannelVxlan;
}

/**
 * What the plugin's agents do on every node at cluster build: their devices and rules (after
 * kube-proxy's jumps, which the nodes' tables already hold), then what each node programs for
 * every other node.
 */
export function setupCni(state: SimState): void {
  const plugin = cniOf(state);
  const nodes = Object.keys(state.k8s.nodes);
  for (const name of nodes) plugin.setupNode(state, name, state.netns[nodeNsId(name)]!);
  if (plugin.peerMesh !== undefined) {
    // The same entries whichever node holds them: each node's go into the mesh once (asked of
    // peer() with another node as holder), and every node holds the others' from there.
    const mesh = plugin.peerMesh;
    for (const peer of nodes) {
      const holder = nodes.find((n) => n !== peer);
      if (holder !== undefined) publishToMesh(state, mesh, { ns: nodeNsId(peer), ...plugin.peer(state, holder, peer) });
    }
    if (state.meshes?.[mesh]) for (const name of nodes) joinMesh(state.netns[nodeNsId(name)]!, mesh);
    return;
  }
  for (const self of nodes) {
    const ns = state.netns[nodeNsId(self)]!;
    for (const peer of nodes) if (peer !== self) programPeer(ns, plugin.peer(state, self, peer));
  }
}

function programPeer(ns: Netns, entries: ReturnType<CniPlugin['peer']>): void {
  for (const r of entries.routes) {
    if (!ns.routes.some((x) => x.dst.addr === r.dst.addr && x.dst.len === r.dst.len)) ns.routes.push(r);
  }
  for (const n of entries.neigh) {
    if (!ns.neigh.some((x) => x.ip === n.ip && x.dev === n.dev)) ns.neigh.push(n);
  }
  for (const f of entries.fdb) {
    const dev = ns.devices.find((d) => d.name === f.dev);
    if (dev?.vxlan) dev.vxlan.fdb[f.mac] = f.dst;
  }
}

/**
 * A pod started on `node`: when it is the network plugin's agent (its DaemonSet's pod, by
 * label) and the cluster is built, the agent programs the node again as it does at start.
 */
export function podStarted(state: SimState, pod: Pod): void {
  const plugin = cniOf(state);
  const node = agentNode(plugin, pod);
  if (node !== undefined) plugin.agentStarted?.(state, node);
}

/** The node whose agent the pod is (a host-network pod with the plugin's agent label). */
function agentNode(plugin: CniPlugin, pod: Pod): string | undefined {
  const label = plugin.agentLabel;
  const node = pod.spec.nodeName;
  if (label === undefined || node === undefined || !pod.spec.hostNetwork) return undefined;
  const labels = pod.metadata.labels ?? {};
  return labels['k8s-app'] === label || labels.app === label ? node : undefined;
}

/** The agent in this pod exits soon after it starts (flanneld with a net-conf.json it cannot use): when and how. */
export function agentFailure(state: SimState, pod: Pod): { exitsAfter: number; exitCode: number } | undefined {
  const plugin = cniOf(state);
  const node = agentNode(plugin, pod);
  return node === undefined ? undefined : plugin.agentFailure?.(state, node);
}

/**
 * A Node object was deleted: the plugin's agents on the other nodes drop what they programmed
 * for it (its mesh entries, or their own copies of them).
 */
export function nodeGone(state: SimState, node: string): void {
  const plugin = cniOf(state);
  const id = nodeNsId(node);
  if (plugin.peerMesh !== undefined) withdrawFromMesh(state, plugin.peerMesh, id);
  for (const other of Object.keys(state.k8s.nodes)) {
    if (other === node) continue;
    const ns = state.netns[nodeNsId(other)];
    if (!ns || (plugin.peerMesh !== undefined && ns.mesh === plugin.peerMesh)) continue;
    const e = plugin.peer(state, other, node);
    ns.routes = ns.routes.filter((r) => !e.routes.some((x) => x.dst.addr === r.dst.addr && x.dst.len === r.dst.len && x.dev === r.dev));
    ns.neigh = ns.neigh.filter((n) => !e.neigh.some((x) => x.ip === n.ip && x.dev === n.dev));
    for (const f of e.fdb) {
      const vx = ns.devices.find((d) => d.name === f.dev)?.vxlan;
      if (vx && vx.fdb[f.mac] === f.dst) delete vx.fdb[f.mac];
    }
  }
}

/** The MTU pods get. */
export function podMtu(state: SimState): number {
  return cniOf(state).podMtu(state);
}

/**
 * ADD: an address from host-local IPAM, then the plugin wires the pod's namespace. Undefined
 * (and nothing created) when the node's range has no free address.
 */
export function attachPod(state: SimState, pod: Pod): Ip | undefined {
  const node = pod.spec.nodeName!;
  const ip = allocatePodIp(state, node);
  if (ip === undefined) return undefined;
  const id = podNsId(pod.metadata.namespace ?? 'default', pod.metadata.name);
  state.netns[id] = cniOf(state).attach(state, pod, ip, id);
  return ip;
}

/** The event message when ADD fails because the node's range is full. */
export function ipamExhaustedMessage(state: SimState, node: string): string {
  return cniOf(state).ipamExhausted(rangeText(state, node));
}

/**
 * DEL: removes the pod's namespace and the node's end of its veth pair (with the routes and
 * neighbours through it, as the kernel does when a device goes), and returns its address to
 * host-local IPAM (which hands it out again only after wrapping around).
 */
export function detachPod(state: SimState, pod: Pod): void {
  const ns = podNetns(state, pod);
  if (!ns || pod.spec.hostNetwork) return;
  for (const d of ns.devices) {
    if (d.kind === 'veth' && d.peer) {
      const host = state.netns[d.peer.ns];
      if (host) removeDevice(host, d.peer.ifindex, state);
    }
  }
  delete state.netns[ns.id];
  const node = pod.spec.nodeName;
  const ip = pod.status.podIP;
  if (node && ip) releasePodIp(state, node, ip);
}

/** A policy agent (Canal's Felix) catches up with the API; nothing for plugins without one. */
export function syncCni(state: SimState, now: number): void {
  cniOf(state).sync?.(state, now);
}

// The packet engine runs it before packets move (daemons.ts), as Felix keeps a node's rules current.
registerDaemon((state, now) => {
  if (now !== undefined) syncCni(state, now);
});

/** The files the plugin leaves on a node. */
export function cniNodeFiles(state: SimState, node: string): Record<string, string> {
  return state.k8s.nodes[node] ? cniOf(state).nodeFiles(state, node) : {};
}
