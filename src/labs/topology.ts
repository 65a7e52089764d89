/**
 * The sandbox a lab runs on: a named topology with its options, and the faults a lab injects.
 *
 * Design notes: the lab names one of the topologies the sandbox can build, each with the
 * options a lesson needs to vary: a kubeadm cluster (`kubernetes`: node count, flannel's
 * backend, kube-proxy's mode, ingress-nginx installed or not, the node network's MTU), Docker
 * hosts on a LAN (`docker`), or hosts and routers on two LANs (`routed`, for the packet
 * lessons). Each schema is strict, so a misspelt option fails when the lab is defined, with
 * its path. Faults are the ways real clusters break (src/sim/faults.ts), applied after the
 * lab's manifests, before its setup commands; a fault on a pod names it, or picks the first
 * pod (in name order) with the given labels, so a fault can hit a Deployment's pod whose name
 * the seed chooses.
 */
import { z } from 'zod';
import { buildCluster } from '../sim/cluster';
import { buildDockerHosts } from '../sim/docker';
import { buildRoutedNetwork } from '../sim/routed';
import { applyFault, FaultError, type Fault } from '../sim/faults';
import type { SimState } from '../sim/state';
import { TOPOLOGIES } from '../sim/topologies';

const kubernetes = z
  .object({
    name: z.literal('kubernetes'),
    /** Nodes including the control plane (default 3: control-plane, node-1, node-2). */
    nodes: z.number().int().min(1).max(50).default(3),
    /** The network plugin: flannel's `flannel-vxlan` (an overlay, the default) or `flannel-host-gw` (plain routes between nodes), or `canal` (Calico's CNI and NetworkPolicy enforcement over flannel VXLAN). */
    cni: z.enum(['flannel-vxlan', 'flannel-host-gw', 'canal']).default('flannel-vxlan'),
    /** kube-proxy's mode: `iptables` (the default) or `ipvs`. */
    kubeProxy: z.enum(['iptables', 'ipvs']).default('iptables'),
    /** Install ingress-nginx: its controller Deployment behind a LoadBalancer Service. */
    ingress: z.boolean().default(false),
    /** The node network's MTU (flannel.1 gets 50 less, and so do the pods with flannel VXLAN; Canal's pods keep it). */
    mtu: z.number().int().min(576).max(9000).default(1500),
    /** Namespaces to create besides the standard ones. */
    namespaces: z.array(z.string()).default([]),
  })
  .strict();

const docker = z
  .object({
    name: z.literal('docker'),
    /** How many Docker hosts (`host-1`, `host-2`, ...), default 2. */
    hosts: z.number().int().min(1).max(8).default(2),
    /** filter FORWARD's policy: DROP (Docker turned ip_forward on itself, the usual case) or ACCEPT. */
    forwardPolicy: z.enum(['DROP', 'ACCEPT']).default('DROP'),
  })
  .strict();

const cidrText = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'write a CIDR such as 192.168.1.0/24');

const routed = z
  .object({
    name: z.literal('routed'),
    /** LAN 1: router-1's eth0, the workstation (.100) and host-1 (default 192.168.1.0/24). */
    lan1: cidrText.optional(),
    /** LAN 2: router-2's eth0 and host-2 (default 192.168.2.0/24). */
    lan2: cidrText.optional(),
    /** The link between the routers' eth1 (default 10.0.0.0/30). */
    transit: cidrText.optional(),
    /** MTU of the transit link, both ends (default 1500): lower it to see "fragmentation needed". */
    transitMtu: z.number().int().min(68).max(9000).optional(),
    /** MTU of every LAN interface (default 1500). */
    mtu: z.number().int().min(68).max(9000).optional(),
    /** Hosts on each LAN besides the routers and the workstation (default 1). */
    hostsPerLan: z.number().int().min(1).max(8).optional(),
  })
  .strict();

const preset = z
  .object({
    name: z.literal('preset'),
    /** A named sandbox as `npm run shell -- --cluster NAME` opens it (src/sim/topologies.ts). */
    preset: z.string().refine((p) => TOPOLOGIES[p] !== undefined, (p) => ({ message: `no topology "${p}"; topologies: ${Object.keys(TOPOLOGIES).join(', ')}` })),
  })
  .strict();

export const topologySchema = z.discriminatedUnion('name', [kubernetes, docker, routed, preset]);
export type TopologySpec = z.output<typeof topologySchema>;

/** Builds the topology's state at `createdAt`. */
export function buildTopology(spec: TopologySpec, seed: number, createdAt: number): SimState {
  switch (spec.name) {
    case 'kubernetes':
      return buildCluster({ nodes: spec.nodes, cni: spec.cni, proxyMode: spec.kubeProxy, ingressController: spec.ingress, mtu: spec.mtu, namespaces: spec.namespaces }, seed, createdAt);
    case 'docker':
      return buildDockerHosts({ hosts: spec.hosts, forwardPolicy: spec.forwardPolicy }, seed, createdAt);
    case 'routed': {
      const { name: _name, ...options } = spec;
      return buildRoutedNetwork(options, seed, createdAt);
    }
    case 'preset':
      return TOPOLOGIES[spec.preset]!.build(seed, createdAt);
  }
}

const presetHasApi = new Map<string, boolean>();

/** Whether the topology is a Kubernetes cluster (a lab's manifests need one); a preset is built once to see. */
export function hasKubernetesApi(spec: TopologySpec): boolean {
  if (spec.name !== 'preset') return spec.name === 'kubernetes';
  let has = presetHasApi.get(spec.preset);
  if (has === undefined) {
    has = Object.keys(buildTopology(spec, 1, 0).k8s.nodes).length > 0;
    presetHasApi.set(spec.preset, has);
  }
  return has;
}

const podRef = {
  /** The pod's namespace (default `default`). */
  namespace: z.string().optional(),
  /** The pod's name ... */
  pod: z.string().optional(),
  /** ... or labels: the first pod (in name order) that has them. */
  labels: z.record(z.string(), z.string()).optional(),
};

const target = z.union([z.object({ node: z.string() }).strict(), z.object({ host: z.string() }).strict(), z.object(podRef).strict()]);

export const faultSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('node-down'),
      /** The node that goes off: its interfaces down, NotReady after the node controller's grace. */
      node: z.string(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('route-deleted'),
      /** The node whose route goes ... */
      node: z.string().optional(),
      /** ... or the host or router's. */
      host: z.string().optional(),
      /** The route's destination as `ip route` shows it (`10.244.2.0/24`, `default`). */
      dst: z.string(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('kube-proxy-stopped'),
      /** The node whose kube-proxy stops: its rules stay as they were, and go stale. */
      node: z.string(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('wrong-selector'),
      /** The Service's namespace (default `default`). */
      namespace: z.string().optional(),
      /** The Service whose selector is replaced. */
      service: z.string(),
      /** The wrong selector it gets (`{ app: 'wbe' }`). */
      selector: z.record(z.string(), z.string()),
    })
    .strict(),
  z.object({ kind: z.literal('pod-not-ready'), ...podRef }).strict(),
  z.object({ kind: z.literal('coredns-down') }).strict(),
  z
    .object({
      kind: z.literal('mtu-mismatch'),
      /** Where the device is. */
      target,
      /** The device (`eth0`, `flannel.1`). */
      device: z.string(),
      /** The wrong MTU it gets. */
      mtu: z.number().int().positive(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('interface-down'),
      /** Where the device is. */
      target,
      /** The device set down (`ip link set DEV down`). */
      device: z.string(),
    })
    .strict(),
]);
export type FaultSpec = z.output<typeof faultSchema>;

/** The pod a fault names, or the first with its labels. */
function podName(state: SimState, ref: { namespace?: string | undefined; pod?: string | undefined; labels?: Record<string, string> | undefined }): { namespace: string; pod: string } {
  const namespace = ref.namespace ?? 'default';
  if (ref.pod !== undefined) return { namespace, pod: ref.pod };
  const match = Object.values(state.k8s.pods)
    .filter((p) => (p.metadata.namespace ?? 'default') === namespace && Object.entries(ref.labels ?? {}).every(([k, v]) => p.metadata.labels?.[k] === v))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0];
  if (!match) throw new FaultError(`no pod in ${namespace} has the labels ${JSON.stringify(ref.labels ?? {})}`);
  return { namespace, pod: match.metadata.name };
}

/** Applies a lab's fault to the state. */
export function injectFault(state: SimState, f: FaultSpec, now: number): void {
  let fault: Fault;
  switch (f.kind) {
    case 'pod-not-ready':
      fault = { kind: f.kind, ...podName(state, f) };
      break;
    case 'mtu-mismatch':
    case 'interface-down': {
      const t = 'node' in f.target ? { node: f.target.node } : 'host' in f.target ? { host: f.target.host } : podName(state, f.target);
      fault = f.kind === 'mtu-mismatch' ? { kind: f.kind, target: t, device: f.device, mtu: f.mtu } : { kind: f.kind, target: t, device: f.device };
      break;
    }
    case 'route-deleted':
      if ((f.node === undefined) === (f.host === undefined)) throw new FaultError('route-deleted names a node or a host');
      fault = f.host !== undefined ? { kind: f.kind, host: f.host, dst: f.dst } : { kind: f.kind, node: f.node!, dst: f.dst };
      break;
    case 'wrong-selector':
      fault = { kind: f.kind, service: f.service, selector: f.selector, ...(f.namespace !== undefined ? { namespace: f.namespace } : {}) };
      break;
    default:
      fault = f;
  }
  applyFault(state, fault, now);
}
