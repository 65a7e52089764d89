/**
 * The scheduler's choice of node, and its count of pods per node.
 *
 * Design notes: a pod goes to the eligible node (schedulable, Ready, every NoSchedule taint
 * tolerated, nodeSelector matched) with the fewest pods among those the caller's `fits`
 * accepts (the kubelet's maxPods), ties broken by node order; this spreads replicas the way
 * the default scheduler's spreading scores usually do. Pod counts per node are kept in the
 * state (`alloc.podsPerNode`) and updated on every bind and delete rather than recounted.
 * Within one API operation (a cluster build) a ScheduleCache remembers the eligible nodes per
 * pod constraint and where the last choice was found: while nodes do not change and no pod
 * leaves, counts only grow and a full node stays full, so the next choice is the first node
 * from there on with the same count, and only when none is left is the whole list scanned
 * again. The answer is the one a full scan gives; a 15,000-pod build scans each node list
 * about once per round of placements instead of once per pod.
 * The NodePorts filter: a pod that asks for host ports (a `hostPort`, or any port of a
 * host-network pod, whose hostPort defaults to its containerPort) fits only a node where no
 * pod bound there holds the same protocol and port on an overlapping host address (0.0.0.0,
 * the default, overlaps every address).
 * Left out: scoring plugins, affinity and anti-affinity, topology spread constraints,
 * preemption (see kubelet.ts for the messages an unschedulable pod gets), the kubelet's own
 * admission check of host ports for a pod that names its node.
 */
import type { SimState } from '../state';
import type { Pod } from './types';

/** The eligible nodes for one set of pod constraints, and where the last choice stood. */
interface Eligible {
  nodes: string[];
  /**
   * No node `fits` accepts has fewer pods than `floor`, and every node before `from` has more
   * than `floor` pods or is not accepted.
   */
  floor: number;
  from: number;
}

/** Scheduling shortcuts for one API operation in which nodes do not change and no pod leaves. */
export type ScheduleCache = Map<string, Eligible>;

/** The scheduler: the eligible node with the fewest pods (among those `fits` accepts), ties broken by node order. */
export function schedule(state: SimState, pod: Pod, cache?: ScheduleCache, fits?: (node: string) => boolean): string | undefined {
  const counts = podCounts(state);
  const e = eligibleNodes(state, pod, cache);
  const nodes = e.nodes;
  // Where the last choice stood: the first node from there with `floor` pods is the answer.
  for (let i = e.from; i < nodes.length; i++) {
    const name = nodes[i]!;
    const c = counts[name] ?? 0;
    if (c > e.floor || (fits && !fits(name))) continue;
    if (c < e.floor) break; // a count went down: not within one operation after all
    e.from = i;
    return name;
  }
  let best = -1;
  let bestCount = Infinity;
  for (let i = 0; i < nodes.length; i++) {
    const c = counts[nodes[i]!] ?? 0;
    if (c < bestCount && fits && !fits(nodes[i]!)) continue;
    if (c < bestCount) {
      best = i;
      bestCount = c;
    }
  }
  if (best < 0) return undefined;
  e.floor = bestCount;
  e.from = best;
  return nodes[best];
}

function eligibleNodes(state: SimState, pod: Pod, cache?: ScheduleCache): Eligible {
  const tolerations = pod.spec.tolerations ?? [];
  const selector = pod.spec.nodeSelector;
  const sig = cache ? JSON.stringify([tolerations, selector ?? null]) : '';
  const hit = cache?.get(sig);
  if (hit) return hit;
  const out: string[] = [];
  for (const node of Object.values(state.k8s.nodes)) {
    if (node.spec.unschedulable) continue;
    if (node.status.conditions.find((c) => c.type === 'Ready')?.status !== 'True') continue;
    const taints = node.spec.taints;
    if (taints && taints.some((t) => t.effect === 'NoSchedule' && !tolerations.some((tol) => tol.operator === 'Exists' && (tol.key === undefined || tol.key === t.key)))) continue;
    if (selector && !Object.entries(selector).every(([k, v]) => node.metadata.labels?.[k] === v)) continue;
    out.push(node.metadata.name);
  }
  // Without a cache nothing is known: the scan starts past the end and does the full pass.
  const e: Eligible = { nodes: out, floor: -1, from: out.length };
  cache?.set(sig, e);
  return e;
}

/**
 * Pods (not host-network) bound to each node, as the scheduler's cache knows them; kept up to
 * date on every bind and delete rather than recounted (a 15,000-pod cluster schedules fast).
 */
export function podCounts(state: SimState): Record<string, number> {
  const alloc = state.k8s.alloc;
  if (!alloc.podsPerNode) {
    const counts: Record<string, number> = {};
    for (const p of Object.values(state.k8s.pods)) if (p.spec.nodeName && !p.spec.hostNetwork) counts[p.spec.nodeName] = (counts[p.spec.nodeName] ?? 0) + 1;
    alloc.podsPerNode = counts;
  }
  return alloc.podsPerNode;
}

/** The host ports a pod asks for: `protocol/port` with the host address (0.0.0.0 when none is given). */
function hostPorts(pod: Pod): { key: string; ip: string }[] {
  const out: { key: string; ip: string }[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      const hostPort = (p as { hostPort?: number }).hostPort ?? (pod.spec.hostNetwork ? p.containerPort : 0);
      if (hostPort > 0) out.push({ key: `${p.protocol ?? 'TCP'}/${hostPort}`, ip: (p as { hostIP?: string }).hostIP || '0.0.0.0' });
    }
  }
  return out;
}

/** The NodePorts filter: true when a pod bound to `node` already holds a host port the pod wants. */
export function hostPortsTaken(state: SimState, pod: Pod, node: string): boolean {
  const wanted = hostPorts(pod);
  if (wanted.length === 0) return false;
  for (const other of Object.values(state.k8s.pods)) {
    if (other === pod || other.spec.nodeName !== node || other.status.phase === 'Succeeded' || other.status.phase === 'Failed') continue;
    for (const h of hostPorts(other)) {
      if (wanted.some((w) => w.key === h.key && (w.ip === h.ip || w.ip === '0.0.0.0' || h.ip === '0.0.0.0'))) return true;
    }
  }
  return false;
}
