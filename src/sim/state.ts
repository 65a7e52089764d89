/**
 * The whole sandbox as one plain, serialisable value.
 *
 * Design notes: everything the sandbox knows lives in SimState: network namespaces,
 * L2 segments (the switch the nodes' cables go into), the Kubernetes objects, the RNG's
 * state and a bounded log of what was observed on the wire. JSON.stringify of it is a
 * snapshot; JSON.parse gives it back. Nothing in it refers to functions, classes or the
 * wall clock, so the browser, the CLI and the tests restore it identically.
 */
import type { FileSystem } from './files';
import type { HostRecord } from './host/units';
import type { Cidr, Ip } from './ipv4';
import type { DockerState } from './docker';
import type { K8sState } from './k8s/types';
import type { Mac } from './mac';
import type { Mesh } from './mesh';
import type { Netfilter } from './netfilter';
import type { Netns } from './netns';
import { seedState, type RngState } from './rng';

export const STATE_FORMAT = 1;

/** A learning Ethernet switch joining `ether` devices (the LAN between the nodes). */
export interface Segment {
  id: string;
  ports: { ns: string; ifindex: number }[];
  /** MAC -> index into ports. */
  fdb: Record<Mac, number>;
}

export interface ClusterConfig {
  name: string;
  kubernetesVersion: string;
  nodeNetwork: Cidr;
  gateway: Ip;
  podCidr: Cidr;
  nodeCidrMaskSize: number;
  serviceCidr: Cidr;
  dnsDomain: string;
  /**
   * The network plugin (sim/cni) the cluster was installed with: flannel with its VXLAN overlay
   * (the default) or host-gw (plain routes via the node IPs), or Canal (Calico's CNI and policy
   * agent over flannel VXLAN). flannel's backend can change later, node by node (`flannel`).
   */
  cni: 'flannel-vxlan' | 'flannel-host-gw' | 'canal';
  /** MTU of the node network; flannel.1 gets this minus 50 (VXLAN overhead), and so do flannel VXLAN's pods. */
  mtu: number;
  /** kube-proxy's mode (src/sim/proxy): iptables when unset, or IPVS. */
  proxyMode?: 'iptables' | 'ipvs';
}

/** Something the sandbox saw happen, kept for grading and explanations. */
export type Observation =
  | { seq: number; t: number; kind: 'echo-request'; ns: string; src: Ip; dst: Ip }
  | { seq: number; t: number; kind: 'echo-reply'; ns: string; src: Ip; dst: Ip; ttl: number };

export interface SimState {
  format: number;
  seed: number;
  rng: RngState;
  /** When the cluster was created (epoch ms). */
  createdAt: number;
  config: ClusterConfig;
  netns: Record<string, Netns>;
  segments: Record<string, Segment>;
  k8s: K8sState;
  observations: Observation[];
  nextObservation: number;
  /** kube-proxy's KUBE-* chains, shared by every node whose kube-proxy runs (see src/sim/proxy). */
  kubeProxy?: Netfilter;
  /** Services or endpoints changed since kube-proxy last synced. */
  proxyDirty?: boolean;
  /** When kube-proxy's next hourly full resync is due (epoch ms; absent: an hour after creation). */
  proxyFullSyncDue?: number;
  /** Docker hosts and their containers, when the sandbox is a set of Docker hosts (see docker.ts). */
  docker?: DockerState;
  /** Files written in the sandbox, by machine and path (see files.ts). */
  files?: FileSystem;
  /** Entries many namespaces hold alike, stored once (mesh.ts): flannel's per-node routes, neighbours, FDB. */
  meshes?: Record<string, Mesh>;
  /** The systemd units the learner stopped or started, by machine (see host/units.ts). */
  hosts?: Record<string, HostRecord>;
  /**
   * What flanneld started with on each node since the cluster was built (cni/flannel.ts): the
   * backend its lease carries and the MTU it wrote to subnet.env. A node without a record runs
   * the backend the cluster was installed with.
   */
  flannel?: Record<string, FlannelNodeRecord>;
}

/** flanneld's last start on a node (cni/flannel.ts). */
export interface FlannelNodeRecord {
  backend: 'vxlan' | 'host-gw';
  /** FLANNEL_MTU in /run/flannel/subnet.env: the MTU the CNI plugin gives new pods. */
  mtu: number;
  /** Why the last start could not use net-conf.json (flanneld logs it and exits), if it could not. */
  error?: string;
}

export const MAX_OBSERVATIONS = 500;

/** A sandbox with nothing in it yet but its LAN segment: what every topology builder starts from. */
export function emptyState(seed: number, createdAt: number, config: ClusterConfig): SimState {
  return {
    format: STATE_FORMAT,
    seed,
    rng: seedState(seed),
    createdAt,
    config,
    netns: {},
    segments: { lan: { id: 'lan', ports: [], fdb: {} } },
    k8s: { resourceVersion: 0, namespaces: {}, nodes: {}, pods: {}, services: {}, deployments: {}, replicasets: {}, daemonsets: {}, events: [], alloc: { serviceIps: [], podIpam: {} } },
    observations: [],
    nextObservation: 1,
  };
}
