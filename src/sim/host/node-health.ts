/**
 * What a stopped kubelet or containerd does to a node's status, as the kubelet and the node
 * lifecycle controller of Kubernetes v1.32 make it happen over time.
 *
 * Design notes: the kubelet renews its node Lease every 10 s (a quarter of the 40 s lease) and
 * posts the node's status every 10 s (nodeStatusUpdateFrequency). When it stops, nothing is
 * renewed: the node lifecycle controller, looking every 5 s (--node-monitor-period), finds the
 * last renewal older than --node-monitor-grace-period, 50 s since v1.32 (kubernetes#126287),
 * and sets every condition to Unknown with `NodeStatusUnknown` / `Kubelet stopped posting node
 * status.`, taints the node `node.kubernetes.io/unreachable` (NoSchedule and NoExecute),
 * records `NodeNotReady` on the node and marks the pods there not Ready (each gets a
 * `NodeNotReady` warning): their containers keep running, but Services stop sending them
 * traffic. When containerd stops, the kubelet keeps posting: 30 s after its last successful
 * runtime check (maxWaitForContainerRuntime) its next status update says Ready False,
 * `KubeletNotReady`, `container runtime is down`, and the controller taints the node
 * `node.kubernetes.io/not-ready` and marks the pods not Ready the same way. The containers
 * outlive containerd (its unit's KillMode=process leaves the shims), so they still answer.
 * A kubelet that starts again posts a Ready status at once (events `Starting`,
 * `NodeAllocatableEnforced`, and, when the node was not Ready, the conditions' and
 * `NodeReady`), a containerd that starts again is seen at the kubelet's next status update;
 * the taints go and the pods are Ready again.
 * The transitions are due work like the other components' (advance.ts): the next one is
 * derived from the unit records and the node's stored status, so nothing is kept for a node
 * whose units run.
 * A node whose kubelet can no longer reach the API server (its link down, its route gone, a
 * firewall rule: noteNetworkChange, after each command that can change the network) is treated
 * as a stopped kubelet from that moment; it posts Ready again at its next status update once
 * the path is back.
 * Simplified: the controller's 5 s period is aligned on the epoch, the kubelet's 10 s periods
 * on its start. Left out: the taint manager's eviction of the pods after 300 s (their
 * tolerations' default), PLEG's own `PLEG is not healthy` message after 3 minutes, pods that
 * are created for the node meanwhile (they start as if the kubelet ran).
 */
import { emit, rfc3339, type ApiContext } from '../k8s/api';
import type { Node } from '../k8s/types';
import { parseIp } from '../ipv4';
import { tcpPathAlive } from '../linux/probe';
import type { SimState } from '../state';
import { changedUnits, unitActive, unitSince } from './units';

/** --node-monitor-grace-period (v1.32 default) and --node-monitor-period. */
export const NODE_MONITOR_GRACE_MS = 50_000;
const NODE_MONITOR_PERIOD_MS = 5_000;
/** The kubelet's lease renewal and status update periods, and how long it waits for the runtime. */
const LEASE_RENEW_MS = 10_000;
const STATUS_UPDATE_MS = 10_000;
const RUNTIME_WAIT_MS = 30_000;

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';

type Health = { status: 'True' } | { status: 'Unknown' } | { status: 'False'; message: string };

/** The first tick of a period starting at `origin` at or after `t`. */
function tickAfter(t: number, origin: number, period: number): number {
  return origin + Math.ceil((t - origin) / period) * period;
}

/** What the node's Ready condition should say once everything due has happened, and from when. */
function target(state: SimState, machine: string): { health: Health; at: number } {
  const kubeletSince = unitSince(state, machine, 'kubelet.service');
  const apiLost = state.hosts?.[machine]?.apiLost;
  const kubeletUp = unitActive(state, machine, 'kubelet.service');
  if (!kubeletUp || apiLost !== undefined) {
    // Its last lease renewal before it stopped (or lost the API server), then the controller's
    // first look past the grace period.
    const silent = Math.min(kubeletUp ? Infinity : kubeletSince, apiLost ?? Infinity);
    const started = Date.parse(state.k8s.nodes[machine]!.metadata.creationTimestamp);
    const lastRenew = started + Math.floor((silent - started) / LEASE_RENEW_MS) * LEASE_RENEW_MS;
    return { health: { status: 'Unknown' }, at: tickAfter(lastRenew + NODE_MONITOR_GRACE_MS + 1, 0, NODE_MONITOR_PERIOD_MS) };
  }
  if (!unitActive(state, machine, 'containerd.service')) {
    const down = unitSince(state, machine, 'containerd.service');
    return { health: { status: 'False', message: 'container runtime is down' }, at: tickAfter(Math.max(down + RUNTIME_WAIT_MS, kubeletSince), kubeletSince, STATUS_UPDATE_MS) };
  }
  // Running again: the kubelet posts at once when it (re)started, else at its next status update
  // (after containerd came back, or the API server could be reached again).
  const containerdSince = unitSince(state, machine, 'containerd.service');
  const back = Math.max(containerdSince, state.hosts?.[machine]?.apiBack ?? -Infinity);
  return { health: { status: 'True' }, at: back > kubeletSince ? tickAfter(back, kubeletSince, STATUS_UPDATE_MS) : kubeletSince };
}

function readyOf(node: Node): { status: string; message: string } {
  const c = node.status.conditions.find((x) => x.type === 'Ready');
  return { status: c?.status ?? 'Unknown', message: c?.message ?? '' };
}

function applied(node: Node, h: Health): boolean {
  const r = readyOf(node);
  return r.status === h.status && (h.status !== 'False' || r.message === h.message);
}

/** When the next node status transition caused by a unit is due (Infinity when none is pending). */
export function nextNodeHealthDue(state: SimState): number {
  let due = Infinity;
  for (const [machine] of changedUnits(state)) {
    const node = state.k8s.nodes[machine];
    if (!node) continue;
    const t = target(state, machine);
    if (!applied(node, t.health)) due = Math.min(due, t.at);
  }
  return due;
}

/** The pressure conditions as the kubelet posts them when all is well, and the event of their return. */
const CONDITIONS: [string, string, string, string][] = [
  ['MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', 'NodeHasSufficientMemory'],
  ['DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', 'NodeHasNoDiskPressure'],
  ['PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', 'NodeHasSufficientPID'],
];

/** Sets the pods on the node Ready or not, as the node controller (false) or the kubelet (true) does. */
function markPods(ctx: ApiContext, machine: string, ready: boolean): void {
  const ts = rfc3339(ctx.now);
  for (const pod of Object.values(ctx.state.k8s.pods)) {
    if (pod.spec.nodeName !== machine || pod.status.phase !== 'Running') continue;
    const conds = pod.status.conditions ?? [];
    const cur = conds.find((c) => c.type === 'Ready');
    if (!cur || (cur.status === 'True') === ready) continue;
    if (!ready) {
      pod.status.conditions = conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: ts } : c));
      emit(ctx, { involved: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid }, type: 'Warning', reason: 'NodeNotReady', message: 'Node is not ready', source: 'node-controller' });
    } else if ((pod.status.containerStatuses ?? []).every((c) => c.ready)) {
      pod.status.conditions = conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'True', lastTransitionTime: ts } : c));
    }
  }
  ctx.state.proxyDirty = true;
}

/** The node's taints with the node lifecycle controller's for `health` (none when Ready). */
function taintsFor(node: Node, health: Health): Node['spec']['taints'] {
  const own = (node.spec.taints ?? []).filter((t) => t.key !== UNREACHABLE && t.key !== NOT_READY);
  if (health.status === 'True') return own;
  const key = health.status === 'Unknown' ? UNREACHABLE : NOT_READY;
  return [...own, { key, effect: 'NoSchedule' }, { key, effect: 'NoExecute' }];
}

function apply(ctx: ApiContext, machine: string, health: Health): void {
  const node = ctx.state.k8s.nodes[machine]!;
  const ts = rfc3339(ctx.now);
  const was = readyOf(node).status;
  const byName = { kind: 'Node', name: machine, uid: machine };
  if (health.status === 'Unknown') {
    const why = { status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ts };
    node.status.conditions = node.status.conditions.map((c) => ({ ...c, ...why }));
    emit(ctx, { involved: { kind: 'Node', name: machine, uid: node.metadata.uid }, type: 'Normal', reason: 'NodeNotReady', message: `Node ${machine} status is now: NodeNotReady`, source: 'node-controller' });
  } else {
    const kubelet = (reason: string, message: string): void => emit(ctx, { involved: byName, type: 'Normal', reason, message, source: 'kubelet', host: machine });
    node.status.conditions = node.status.conditions.map((c) => {
      if (c.type === 'Ready') {
        const ready = health.status === 'True';
        return { ...c, status: health.status, reason: ready ? 'KubeletReady' : 'KubeletNotReady', message: ready ? 'kubelet is posting ready status' : health.message, lastHeartbeatTime: ts, ...(c.status !== health.status ? { lastTransitionTime: ts } : {}) };
      }
      const base = CONDITIONS.find(([t]) => t === c.type);
      return base ? { ...c, status: 'False', reason: base[1], message: base[2], lastHeartbeatTime: ts, ...(c.status !== 'False' ? { lastTransitionTime: ts } : {}) } : c;
    });
    if (was === 'Unknown') for (const [, , , event] of CONDITIONS) kubelet(event, `Node ${machine} status is now: ${event}`);
    const event = health.status === 'True' ? 'NodeReady' : 'NodeNotReady';
    kubelet(event, `Node ${machine} status is now: ${event}`);
  }
  const taints = taintsFor(node, health);
  if (taints && taints.length > 0) node.spec.taints = taints;
  else delete node.spec.taints;
  markPods(ctx, machine, health.status === 'True');
}

/** Applies every node status transition due by `ctx.now`, each at its own time. True when anything changed. */
export function syncNodeHealth(ctx: ApiContext): boolean {
  let changed = false;
  for (const [machine] of changedUnits(ctx.state)) {
    const node = ctx.state.k8s.nodes[machine];
    if (!node) continue;
    const t = target(ctx.state, machine);
    if (applied(node, t.health) || t.at > ctx.now) continue;
    apply({ ...ctx, now: t.at }, machine, t.health);
    changed = true;
  }
  return changed;
}

/**
 * After a change to the network (a command that can change a machine's links, routes or
 * rules): each node's kubelet either still reaches the API server (the kubernetes Service's
 * endpoint, port 6443) or, from now, does not; its lease then goes unrenewed as a stopped
 * kubelet's does, and it posts Ready again at its next status update once the path is back.
 * Only nodes whose reachability changed get a record.
 */
export function noteNetworkChange(state: SimState, now: number): void {
  const api = state.k8s.manualEndpoints?.['default/kubernetes']?.[0];
  const ip = api && parseIp(api.ip);
  if (ip === undefined) return;
  for (const machine of Object.keys(state.k8s.nodes)) {
    const ns = state.netns[`node/${machine}`];
    if (!ns) continue;
    const record = state.hosts?.[machine];
    const reachable = tcpPathAlive(state, ns.id, ip, 6443, now);
    if (!reachable && record?.apiLost === undefined) ((state.hosts ??= {})[machine] ??= { units: {} }).apiLost = now;
    else if (reachable && record?.apiLost !== undefined) {
      delete record.apiLost;
      record.apiBack = now;
    }
  }
}

/** The kubelet's own events when it starts: what `kubectl describe node` lists after a restart. */
export function kubeletStarted(ctx: ApiContext, machine: string): void {
  if (!ctx.state.k8s.nodes[machine]) return;
  const byName = { kind: 'Node', name: machine, uid: machine };
  emit(ctx, { involved: byName, type: 'Normal', reason: 'Starting', message: 'Starting kubelet.', source: 'kubelet', host: machine });
  emit(ctx, { involved: byName, type: 'Normal', reason: 'NodeAllocatableEnforced', message: 'Updated Node Allocatable limit across pods', source: 'kubelet', host: machine });
}
