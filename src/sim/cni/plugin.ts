/**
 * What a network plugin (CNI) is to the sandbox: one object per plugin, listed in index.ts.
 *
 * Design notes: a plugin owns everything a real CNI and its node agent put on a node and in a
 * pod: the node's devices and the iptables rules it writes (flannel's FLANNEL-* chains,
 * Felix's cali-* chains), what a node programs for each other node (flannel's routes,
 * neighbours and FDB entries), a pod's side of ADD (its veth pair, addresses and routes; the
 * address itself comes from host-local IPAM, host-local.ts), the objects its manifest creates
 * in the cluster, the files it leaves on a node, the node annotations its agent writes, and,
 * for a policy agent, keeping its rules in line with the API. `ip`, `bridge`, `iptables` and the
 * packets read the resulting model only; no command knows which plugin made it.
 * Per-peer state is a function of the two nodes (`peer`), the one definition of what a node
 * holds for another. Where it does not depend on the holder (flannel's route, neighbour and FDB
 * entry for a node are the same on every other node) the plugin names a mesh (`peerMesh`) and
 * the build stores each node's entries once, there, for every other node to hold (mesh.ts);
 * otherwise the build writes them into every node's tables, one set per pair.
 */
import type { Ip } from '../ipv4';
import type { Mac } from '../mac';
import type { Neighbour, Netns, Route } from '../netns';
import type { ClusterConfig, SimState } from '../state';
import type { PodSpec, Pod } from '../k8s/types';

/** What node `self` programs so that it reaches the pods of another node. */
export interface PeerEntries {
  routes: Route[];
  neigh: Neighbour[];
  /** FDB entries on a VXLAN device: device name -> MAC -> remote VTEP address. */
  fdb: { dev: string; mac: Mac; dst: Ip }[];
}

/** The objects a plugin's manifest creates (`kubectl apply -f <plugin>.yaml`). */
export interface CniManifest {
  /** Namespaces it creates (flannel's `kube-flannel`). */
  namespaces: string[];
  daemonSets: { name: string; namespace: string; labels: Record<string, string>; spec: PodSpec }[];
  deployments: { name: string; namespace: string; replicas: number; labels: Record<string, string>; spec: PodSpec }[];
  configMaps: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string>; data: Record<string, string> }[];
}

export interface CniPlugin {
  name: ClusterConfig['cni'];
  /** One line: what the plugin is, for topology descriptions and docs. */
  summary: string;
  /** The MTU of pod interfaces. */
  podMtu(state: SimState): number;
  /** Once per node, after all nodes exist: its devices and the rules the plugin's agent writes. */
  setupNode(state: SimState, node: string, ns: Netns): void;
  /** What `self` programs for `peer` (routes, permanent neighbours, VXLAN FDB entries). */
  peer(state: SimState, self: string, peer: string): PeerEntries;
  /**
   * Set when `peer()` is the same whichever node holds the entries: the mesh (mesh.ts) they are
   * kept in once per node, instead of n - 1 copies.
   */
  peerMesh?: string;
  /**
   * ADD for a pod whose address host-local IPAM gave: creates the pod's namespace (returned,
   * not yet stored) and the host side of its link. The caller stores the namespace.
   */
  attach(state: SimState, pod: Pod, ip: Ip, id: string): Netns;
  /** What the kubelet reports when ADD fails because the range is full. */
  ipamExhausted(range: string): string;
  manifest(version: string, state: SimState): CniManifest;
  /** Files the plugin and its agent leave on a node (`/etc/cni/net.d/...`, `/run/flannel/subnet.env`). */
  nodeFiles(state: SimState, node: string): Record<string, string>;
  /** Annotations its agent writes on a Node. */
  nodeAnnotations(state: SimState, node: string): Record<string, string>;
  /**
   * The plugin's node agent started again on `node` (its DaemonSet pod was replaced): what it
   * programs at start is put back (flanneld recreates or brings up flannel.1 and writes its
   * routes, neighbours and FDB entries for every other node again). Called by the kubelet when
   * the agent's pod runs, once the cluster is built.
   */
  agentStarted?(state: SimState, node: string): void;
  /** The agent's pods: `k8s-app` or `app` label values that mark them (flannel's `flannel`). */
  agentLabel?: string;
  /**
   * The agent exits soon after it starts on `node`, as flanneld does with a net-conf.json it
   * cannot use: how long it runs and its exit status (the kubelet restarts it with back-off).
   */
  agentFailure?(state: SimState, node: string): { exitsAfter: number; exitCode: number } | undefined;
  /**
   * A policy agent brings its rules in line with the API (pods, namespaces, NetworkPolicies);
   * called before packets move and before rules are listed. Cheap when nothing changed.
   */
  sync?(state: SimState, now: number): void;
}
