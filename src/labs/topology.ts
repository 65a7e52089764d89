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
import { applyFault, FaultError, type Fault } from '../sim/faults';
import type { SimState } from '../sim/state';
import { TOPOLOGIES } from '../sim/topologies';

const kubernetes = z
  .object({
    name: z.literal('kubernetes'),
    /** Nodes including the control plane (default 3: control-plane, node-1, node-2). */
    nodes: z.number().int().min(1).max(50).default(3),
    /** flannel's backend: `vxlan` (an overlay, the default) or `host-gw` (plain routes between nodes). */
    cni: z.enum(['flannel-vxlan', 'flannel-host-gw']).default('flannel-vxlan'),
    /** kube-proxy's mode. */
    kubeProxy: z.enum(['iptables']).default('iptables'),
    /** Install ingress-nginx: its controller Deployment behind a LoadBalancer Service. */
    ingress: z.boolean().default(false),
    /** The node network's MTU (pods and flannel.1 get 50 less with VXLAN). */
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

const routed = z
  .object({
    name: z.literal('routed'),
    /** Options the routed topology takes (see src/sim/routed.ts). */
    options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
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
      return buildCluster({ nodes: spec.nodes, cni: spec.cni, ingressController: spec.ingress, mtu: spec.mtu, namespaces: spec.namespaces }, seed, createdAt);
    case 'docker':
      return buildDockerHosts({ hosts: spec.hosts, forwardPolicy: spec.forwardPolicy }, seed, createdAt);
    case 'routed': {
      const topo = TOPOLOGIES.routed;
      if (!topo) throw new Error('this build has no routed topology');
      return topo.build(seed, createdAt);
    }
    case 'preset':
      return TOPOLOGIES[spec.preset]!.build(seed, createdAt);
  }
}

const podRef = {
  /** The pod's namespace (default `default`). */
  namespace: z.string().optional(),
  /** The pod's name ... */
  pod: z.string().optional(),
  /** ... or labels: the first pod (in name order) that has them. */
  labels: z.record(z.string(), z.string()).optional(),
};

const target = z.union([z.object({ node: z.string() }).strict(), z.object(podRef).strict()]);

export const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('node-down'), node: z.string() }).strict(),
  z.object({ kind: z.literal('route-deleted'), node: z.string(), dst: z.string() }).strict(),
  z.object({ kind: z.literal('kube-proxy-stopped'), node: z.string() }).strict(),
  z.object({ kind: z.literal('wrong-selector'), namespace: z.string().optional(), service: z.string(), selector: z.record(z.string(), z.string()) }).strict(),
  z.object({ kind: z.literal('pod-not-ready'), ...podRef }).strict(),
  z.object({ kind: z.literal('coredns-down') }).strict(),
  z.object({ kind: z.literal('mtu-mismatch'), target, device: z.string(), mtu: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('interface-down'), target, device: z.string() }).strict(),
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
      const t = 'node' in f.target ? { node: (f.target as { node: string }).node } : podName(state, f.target as Parameters<typeof podName>[1]);
      fault = f.kind === 'mtu-mismatch' ? { kind: f.kind, target: t, device: f.device, mtu: f.mtu } : { kind: f.kind, target: t, device: f.device };
      break;
    }
    case 'wrong-selector':
      fault = { kind: f.kind, service: f.service, selector: f.selector, ...(f.namespace !== undefined ? { namespace: f.namespace } : {}) };
      break;
    default:
      fault = f;
  }
  applyFault(state, fault, now);
}
