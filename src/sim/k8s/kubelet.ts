/**
 * A pod's way from creation to Running: the scheduler's bind, then the kubelet's volume
 * mounts, pod sandbox (CNI ADD), image pulls and container starts, over sandbox time.
 *
 * Design notes: `admitPod` is called for every new pod. The scheduler binds it at once to
 * the eligible node with the fewest pods, counting at most MAX_PODS (the kubelet's default
 * `maxPods`, 110, host-network pods included) per node; when no node fits the pod stays
 * Pending with `PodScheduled=False/Unschedulable` and the scheduler's FailedScheduling event
 * in its v1.32 wording (`0/3 nodes are available: 1 node(s) had untolerated taint
 * {node-role.kubernetes.io/control-plane: }, 2 Too many pods. preemption: 0/3 nodes are
 * available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for
 * incoming pod..`, the doubled period included). It is tried again when a pod leaves and every 5 minutes (the scheduler's
 * unschedulable-pods flush), with a new event only when the message changes or 5 minutes passed.
 * Then the kubelet, one stage at a time, each stage stamped with its own sandbox time:
 * - admit (KUBELET_ADMIT_MS): the pod is bound but shows plain `Pending` until the node's
 *   kubelet picks it up and reports it `ContainerCreating`;
 * - mount: every Secret and ConfigMap volume must exist (unless `optional`); a missing one
 *   gives `FailedMount` (`MountVolume.SetUp failed for volume "x" : secret "y" not found`),
 *   retried with the volume manager's exponential backoff (0.5 s doubling to 2m2s); the
 *   repeats fold into one event with a count, as the event correlator does;
 * - sandbox (SANDBOX_MS, about a second: the pause container and the CNI's ADD): host-local
 *   IPAM gives the address; an exhausted range gives `FailedCreatePodSandBox` with the
 *   network plugin's host-local error chain containerd reports (sim/cni), retried every 10-15 s (the pod
 *   worker's 10 s backoff with its 0.5 jitter) until an address is free;
 * - pull, create, start, container by container: `Pulling`, then `Pulled` (`Successfully
 *   pulled image "nginx:1.27" in 2.853s (2.853s including waiting). Image size: 72188133
 *   bytes.`) when the node does not have the image yet, `Container image ... already present
 *   on machine` when it does, then `Created` and `Started`. A pull takes PULL_LATENCY_MS plus
 *   the image's size at PULL_BYTES_PER_MS (about 2.8 s for nginx, 0.5 s for busybox); sizes
 *   are a table of typical values, not registry data. Without readiness probes the pod is
 *   Ready when its containers have started.
 * Pods created by a cluster build or a lab's manifests (`ApiContext.podStartup` not `timed`)
 * go through the same stages at their creation time with their images already present, so
 * they are Running when the learner arrives; only pods created from the shell take time.
 * Progress is driven by `kubeletSync`, which runs every stage due by `ctx.now` in time order
 * and then lets the controllers it is handed (advance.ts passes their reconcile; the kubelet
 * imports no controller) update ReplicaSet and Deployment status; advance.ts calls it, between
 * rolling-update steps, whenever something reads or changes the model. The scheduler's choice
 * is scheduler.ts'.
 * A program that ends by itself (ImageDef.runsFor: a Job's) in a pod that is not restarted
 * (restartPolicy OnFailure or Never) exits 0 that long after it started: the pod is Succeeded,
 * its container terminated with reason Completed (its address stays in the status, as the
 * kubelet leaves it); with restartPolicy Always it stays Running (restarts are not modelled).
 * Left out: image pull failures (ErrImagePull/ImagePullBackOff), init containers, probes,
 * the volume manager's two-minute `Unable to attach or mount volumes` timeout event, the
 * event correlator's similar-event aggregation of FailedCreatePodSandBox (each attempt's
 * message names its own sandbox id, so each is an event of its own), preemption.
 */
import { isKnownImage, programRunsFor } from '../apps/index';
import { formatIp } from '../ipv4';
import { attachPod, ipamExhaustedMessage, nodeIp, podStarted } from '../cni';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import type { ApiContext } from './context';
import { emit } from './events';
import { podCounts, schedule } from './scheduler';
import { rfc3339 } from './time';
import { containerId } from './names';
import { key, type Container, type Pod, type PodStart } from './types';

/** The kubelet's default maxPods. */
export const MAX_PODS = 110;
/** From the binding to the kubelet's first status update (ContainerCreating). */
export const KUBELET_ADMIT_MS = 400;
/** Creating the pod sandbox: the pause container and the CNI's ADD. */
export const SANDBOX_MS = 1000;
/** A pull's fixed cost (registry round trips, unpacking) and its transfer rate. */
export const PULL_LATENCY_MS = 400;
export const PULL_BYTES_PER_MS = 30_000;
/** The scheduler's unschedulable-pods flush. */
const UNSCHEDULABLE_RETRY_MS = 300_000;
const MOUNT_BACKOFF_MS = 500;
const MOUNT_BACKOFF_MAX_MS = 122_000;
const SANDBOX_RETRY_MS = 10_000;

/** Typical unpacked sizes (bytes) as containerd reports them, by repository. */
const IMAGE_SIZES: Record<string, number> = {
  nginx: 72_188_133,
  busybox: 2_155_536,
  'nicolaka/netshoot': 208_736_121,
  alpine: 3_653_068,
  'registry.k8s.io/e2e-test-images/agnhost': 51_157_394,
  'hashicorp/http-echo': 3_523_072,
  curlimages: 10_312_884,
  'curlimages/curl': 10_312_884,
  ubuntu: 29_754_290,
  debian: 48_491_915,
  'registry.k8s.io/ingress-nginx/controller': 105_397_283,
  'registry.k8s.io/ingress-nginx/kube-webhook-certgen': 27_194_611,
  'gcr.io/google-samples/hello-app': 9_860_428,
  'gcr.io/google-samples/kubernetes-bootcamp': 83_424_812,
};

export function imageSize(image: string): number {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '').replace(/^docker\.io\/(library\/)?/, '');
  return IMAGE_SIZES[repo] ?? 25_000_000;
}

export function pullMs(image: string): number {
  return PULL_LATENCY_MS + Math.round(imageSize(image) / PULL_BYTES_PER_MS);
}

/** Go's time.Duration String for a whole number of milliseconds. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const m = Math.floor(ms / 60_000);
  const rest = ms - m * 60_000;
  const secs = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  if (m === 0) return `${secs}s`;
  const h = Math.floor(m / 60);
  return h ? `${h}h${m % 60}m${secs}s` : `${m}m${secs}s`;
}

const timed = (ctx: ApiContext): boolean => ctx.podStartup === 'timed';
const podKey = (pod: Pod): string => key(pod.metadata.namespace ?? 'default', pod.metadata.name);
const involvedPod = (pod: Pod, c?: Container) => ({ kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, ...(c ? { fieldPath: `spec.containers{${c.name}}` } : {}) });

/** Host-network pods bound to each node (they count against maxPods too). */
function hostCounts(state: SimState): Record<string, number> {
  const alloc = state.k8s.alloc;
  if (!alloc.hostPodsPerNode) {
    const counts: Record<string, number> = {};
    for (const p of Object.values(state.k8s.pods)) if (p.spec.nodeName && p.spec.hostNetwork) counts[p.spec.nodeName] = (counts[p.spec.nodeName] ?? 0) + 1;
    alloc.hostPodsPerNode = counts;
  }
  return alloc.hostPodsPerNode;
}

/** Every pod bound to the node, as the kubelet's maxPods counts them. */
export function podsOnNode(state: SimState, node: string): number {
  return (podCounts(state)[node] ?? 0) + (hostCounts(state)[node] ?? 0);
}

/** The scheduler's cache learns a binding (or forgets one with `delta` -1). */
export function countBinding(state: SimState, pod: Pod, delta: 1 | -1): void {
  const node = pod.spec.nodeName;
  if (!node) return;
  const alloc = state.k8s.alloc;
  // A cache built just now from the stored pods already counts this (stored, bound) pod.
  if (delta === 1 && !(pod.spec.hostNetwork ? alloc.hostPodsPerNode : alloc.podsPerNode)) {
    if (pod.spec.hostNetwork) hostCounts(state);
    else podCounts(state);
    return;
  }
  const counts = pod.spec.hostNetwork ? hostCounts(state) : podCounts(state);
  counts[node] = Math.max(0, (counts[node] ?? 0) + delta);
}

/** The scheduler's FitError text for a pod no node takes, or undefined when one does. */
export function unschedulableMessage(state: SimState, pod: Pod): string | undefined {
  const nodes = Object.values(state.k8s.nodes);
  const reasons = new Map<string, number>();
  const preemption = new Map<string, number>();
  const add = (m: Map<string, number>, r: string): void => void m.set(r, (m.get(r) ?? 0) + 1);
  const tolerations = pod.spec.tolerations ?? [];
  for (const node of nodes) {
    const taint = (node.spec.taints ?? []).find((t) => t.effect === 'NoSchedule' && !tolerations.some((tol) => tol.operator === 'Exists' && (tol.key === undefined || tol.key === t.key)));
    const ready = node.status.conditions.find((c) => c.type === 'Ready')?.status;
    if (ready !== 'True') {
      // The node lifecycle controller taints a node whose kubelet stopped reporting.
      add(reasons, `node(s) had untolerated taint {node.kubernetes.io/${ready === 'False' ? 'not-ready' : 'unreachable'}: }`);
      add(preemption, 'Preemption is not helpful for scheduling');
    } else if (node.spec.unschedulable) {
      add(reasons, 'node(s) were unschedulable');
      add(preemption, 'Preemption is not helpful for scheduling');
    } else if (taint) {
      add(reasons, `node(s) had untolerated taint {${taint.key}: }`);
      add(preemption, 'Preemption is not helpful for scheduling');
    } else if (pod.spec.nodeSelector && !Object.entries(pod.spec.nodeSelector).every(([k, v]) => node.metadata.labels?.[k] === v)) {
      add(reasons, "node(s) didn't match Pod's node affinity/selector");
      add(preemption, 'Preemption is not helpful for scheduling');
    } else if (podsOnNode(state, node.metadata.name) >= MAX_PODS) {
      add(reasons, 'Too many pods');
      add(preemption, 'No preemption victims found for incoming pod');
    } else return undefined;
  }
  const list = (m: Map<string, number>): string => [...m].map(([r, n]) => `${n} ${r}`).sort().join(', ');
  const total = nodes.length;
  if (total === 0) return 'no nodes available to schedule pods';
  // FitError.Error: each part ends in `.`, and the preemption part is itself such a message.
  return `0/${total} nodes are available: ${list(reasons)}. preemption: 0/${total} nodes are available: ${list(preemption)}..`;
}

/** The node the scheduler picks, honouring maxPods. */
function pickNode(ctx: ApiContext, pod: Pod): string | undefined {
  return schedule(ctx.state, pod, ctx.schedule, (node) => podsOnNode(ctx.state, node) < MAX_PODS);
}

/** The node the scheduler runs on, by node map (derived, not state). */
const schedulerHosts = new WeakMap<object, string | undefined>();

function schedulerHost(state: SimState): string | undefined {
  const nodes = state.k8s.nodes;
  let cp = schedulerHosts.get(nodes);
  if (cp === undefined || !nodes[cp]) {
    cp = Object.values(nodes).find((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined)?.metadata.name;
    schedulerHosts.set(nodes, cp);
  }
  return cp;
}

function recordScheduled(ctx: ApiContext, pod: Pod): void {
  const cp = schedulerHost(ctx.state);
  emit(ctx, { involved: involvedPod(pod), type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${pod.spec.nodeName}`, reportingComponent: 'default-scheduler', action: 'Binding', ...(cp ? { host: cp } : {}) });
}

function starting(state: SimState): Record<string, PodStart> {
  return (state.k8s.starting ??= {});
}

/** A new pod, just stored: bind it, then start it (now, or as time passes). */
export function admitPod(ctx: ApiContext, pod: Pod, daemonSet: boolean): void {
  const s: PodStart = { stage: 'mount', due: ctx.now, attempt: 0, ...(timed(ctx) ? {} : { fast: true }) };
  if (!pod.spec.nodeName) {
    if (!trySchedule(ctx, pod, s)) {
      starting(ctx.state)[podKey(pod)] = s;
      return;
    }
  } else {
    countBinding(ctx.state, pod, 1);
    // DaemonSet pods are bound by the default scheduler too (through node affinity).
    if (daemonSet) recordScheduled(ctx, pod);
    bound(ctx, pod, s);
  }
  runStages(ctx, pod, s);
}

/** Bound to a node: Pending and scheduled until the node's kubelet picks the pod up. */
function bound(ctx: ApiContext, pod: Pod, s: PodStart): void {
  pod.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339(ctx.now) }], qosClass: pod.status.qosClass ?? 'BestEffort' };
  s.stage = 'admit';
  s.attempt = 0;
  s.due = s.fast ? ctx.now : ctx.now + KUBELET_ADMIT_MS;
}

/** One scheduling attempt; false leaves the pod Pending with the scheduler's reason. */
function trySchedule(ctx: ApiContext, pod: Pod, s: PodStart): boolean {
  const node = pickNode(ctx, pod);
  if (node) {
    pod.spec.nodeName = node;
    countBinding(ctx.state, pod, 1);
    recordScheduled(ctx, pod);
    bound(ctx, pod, s);
    return true;
  }
  const message = unschedulableMessage(ctx.state, pod) ?? 'no nodes available to schedule pods';
  const ts = rfc3339(ctx.now);
  const prev = pod.status.conditions?.find((c) => c.type === 'PodScheduled');
  pod.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', lastTransitionTime: prev?.lastTransitionTime ?? ts, reason: 'Unschedulable', message }], qosClass: pod.status.qosClass ?? 'BestEffort' };
  if (s.lastMessage !== message || s.lastAt === undefined || ctx.now - s.lastAt >= UNSCHEDULABLE_RETRY_MS) {
    emit(ctx, { involved: involvedPod(pod), type: 'Warning', reason: 'FailedScheduling', message, reportingComponent: 'default-scheduler', action: 'Scheduling', ...(schedulerHost(ctx.state) ? { host: schedulerHost(ctx.state)! } : {}) });
    s.lastMessage = message;
    s.lastAt = ctx.now;
  }
  s.stage = 'schedule';
  s.due = ctx.now + UNSCHEDULABLE_RETRY_MS;
  return false;
}

/** The kubelet admits the pod: Pending, ContainerCreating, not ready. */
function kubeletSees(ctx: ApiContext, pod: Pod): void {
  const ts = rfc3339(ctx.now);
  const unready = pod.spec.containers.map((c) => c.name).join(' ');
  pod.status = {
    phase: 'Pending',
    conditions: [
      { type: 'PodReadyToStartContainers', status: 'False', lastTransitionTime: ts },
      { type: 'Initialized', status: 'True', lastTransitionTime: ts },
      { type: 'Ready', status: 'False', lastTransitionTime: ts, reason: 'ContainersNotReady', message: `containers with unready status: [${unready}]` },
      { type: 'ContainersReady', status: 'False', lastTransitionTime: ts, reason: 'ContainersNotReady', message: `containers with unready status: [${unready}]` },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: ts },
    ],
    hostIP: formatIp(nodeIp(ctx.state, pod.spec.nodeName!)),
    startTime: ts,
    qosClass: pod.status.qosClass ?? 'BestEffort',
    containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, image: c.image, ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ContainerCreating' } } })),
  };
}

/** Runs the pod's stages while they are due (fast pods: all of them, at once). */
function runStages(ctx: ApiContext, pod: Pod, s: PodStart): void {
  const k = podKey(pod);
  const all = starting(ctx.state);
  for (let guard = 0; guard < 64; guard++) {
    if (s.due > ctx.now) {
      all[k] = s;
      return;
    }
    const at: ApiContext = s.due === ctx.now ? ctx : { ...ctx, now: s.due };
    if (step(at, pod, s)) {
      delete all[k];
      return;
    }
  }
  all[k] = s;
}

/** A missing Secret or ConfigMap a volume needs, as the kubelet's error names it. */
export function missingVolume(state: SimState, pod: Pod): { volume: string; what: string } | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  for (const v of pod.spec.volumes ?? []) {
    if (v.secret && !v.secret.optional && !objectExists(state, 'secrets', ns, v.secret.secretName)) return { volume: v.name, what: `secret "${v.secret.secretName}" not found` };
    if (v.configMap && !v.configMap.optional && !objectExists(state, 'configmaps', ns, v.configMap.name)) return { volume: v.name, what: `configmap "${v.configMap.name}" not found` };
  }
  return undefined;
}

/** Whether a ConfigMap or Secret exists (the kinds' stores may be absent in older states). */
export function objectExists(state: SimState, kind: 'secrets' | 'configmaps', namespace: string, name: string): boolean {
  const store = state.k8s[kind] as Record<string, unknown> | undefined;
  // Those kubectl creates live with the other stored objects (objects.ts).
  return !!store?.[key(namespace, name)] || !!state.k8s.objects?.[kind]?.[key(namespace, name)];
}

/** One stage at `ctx.now`; true when the pod is Running (nothing left to do). */
function step(ctx: ApiContext, pod: Pod, s: PodStart): boolean {
  const state = ctx.state;
  const node = pod.spec.nodeName;
  if (s.stage === 'schedule') {
    trySchedule(ctx, pod, s);
    return false;
  }
  if (!node) return true;
  const host = node;
  if (s.stage === 'exit') {
    completed(ctx, pod);
    return true;
  }
  if (s.stage === 'admit') {
    kubeletSees(ctx, pod);
    s.stage = 'mount';
    return false;
  }
  if (s.stage === 'mount') {
    const missing = missingVolume(state, pod);
    if (missing) {
      emit(ctx, { involved: involvedPod(pod), type: 'Warning', reason: 'FailedMount', message: `MountVolume.SetUp failed for volume "${missing.volume}" : ${missing.what}`, source: 'kubelet', host });
      s.due = ctx.now + Math.min(MOUNT_BACKOFF_MS * 2 ** s.attempt, MOUNT_BACKOFF_MAX_MS);
      s.attempt++;
      return false;
    }
    s.stage = 'sandbox';
    s.attempt = 0;
    s.due = s.fast ? ctx.now : ctx.now + SANDBOX_MS;
    return false;
  }
  if (s.stage === 'sandbox') {
    let podIp: string;
    if (pod.spec.hostNetwork) podIp = formatIp(nodeIp(state, host));
    else {
      const ip = attachPod(state, pod);
      if (ip === undefined) {
        const sandbox = containerId(deriveRng(state.seed, `sandbox:${podKey(pod)}@${pod.metadata.uid}#${s.attempt}`));
        emit(ctx, {
          involved: involvedPod(pod),
          type: 'Warning',
          reason: 'FailedCreatePodSandBox',
          message: `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${sandbox}": ${ipamExhaustedMessage(state, host)}`,
          source: 'kubelet',
          host,
        });
        const jitter = deriveRng(state.seed, `sandbox-retry:${podKey(pod)}#${s.attempt}`).int(5000);
        s.due = ctx.now + SANDBOX_RETRY_MS + jitter;
        s.attempt++;
        return false;
      }
      podIp = formatIp(ip);
    }
    const ts = rfc3339(ctx.now);
    pod.status.podIP = podIp;
    pod.status.podIPs = [{ ip: podIp }];
    const ready = pod.status.conditions?.find((c) => c.type === 'PodReadyToStartContainers');
    if (ready) {
      ready.status = 'True';
      ready.lastTransitionTime = ts;
    }
    state.proxyDirty = true;
    s.stage = 'pull';
    s.container = 0;
    s.attempt = 0;
    return false;
  }
  // pull, create, start: container by container.
  const containers = pod.spec.containers;
  for (let i = s.container ?? 0; i < containers.length; i++) {
    const c = containers[i]!;
    const involved = involvedPod(pod, c);
    if (s.pullMs !== undefined) {
      emit(ctx, { involved, type: 'Normal', reason: 'Pulled', message: `Successfully pulled image "${c.image}" in ${goDuration(s.pullMs)} (${goDuration(s.pullMs)} including waiting). Image size: ${imageSize(c.image)} bytes.`, source: 'kubelet', host });
      delete s.pullMs;
      rememberImage(state, host, c.image);
    } else if (s.fast || hasImage(state, host, c.image)) {
      emit(ctx, { involved, type: 'Normal', reason: 'Pulled', message: `Container image "${c.image}" already present on machine`, source: 'kubelet', host });
    } else {
      emit(ctx, { involved, type: 'Normal', reason: 'Pulling', message: `Pulling image "${c.image}"`, source: 'kubelet', host });
      s.container = i;
      s.pullMs = pullMs(c.image);
      s.due = ctx.now + s.pullMs;
      return false;
    }
    emit(ctx, { involved, type: 'Normal', reason: 'Created', message: `Created container: ${c.name}`, source: 'kubelet', host });
    emit(ctx, { involved, type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, source: 'kubelet', host });
    // The sandbox says so, in the event format, when it does not know what an image's program does.
    if (!isKnownImage(c.image)) emit(ctx, { involved, type: 'Normal', reason: 'NotModelled', message: `The sandbox does not model image "${c.image}": the container runs but its program listens on nothing`, source: 'sandbox' });
  }
  running(ctx, pod);
  // A program that ends by itself (a Job's) in a pod that is not restarted: Completed later.
  const runs = pod.spec.restartPolicy !== undefined && pod.spec.restartPolicy !== 'Always' ? containers.map((c) => programRunsFor(state, pod, c)) : [];
  if (runs.length > 0 && runs.every((r) => r !== undefined)) {
    s.stage = 'exit';
    s.due = ctx.now + Math.max(...(runs as number[]));
    return false;
  }
  return true;
}

/** Every container's program exited 0 and the pod is not restarted: Succeeded, shown as Completed. */
function completed(ctx: ApiContext, pod: Pod): void {
  const ts = rfc3339(ctx.now);
  for (const c of pod.status.conditions ?? []) {
    if (c.type === 'PodScheduled') continue;
    const status = c.type === 'Initialized' ? 'True' : 'False';
    if (c.status !== status) c.lastTransitionTime = ts;
    c.status = status;
    if (c.type === 'PodReadyToStartContainers') delete c.reason;
    else c.reason = 'PodCompleted';
    delete c.message;
  }
  pod.status.phase = 'Succeeded';
  pod.status.containerStatuses = (pod.status.containerStatuses ?? []).map((c) => ({
    ...c,
    ready: false,
    started: false,
    state: { terminated: { reason: 'Completed', exitCode: 0, startedAt: c.state.running?.startedAt ?? ts, finishedAt: ts } },
  }));
  ctx.state.proxyDirty = true;
}

function nodeImageList(state: SimState, node: string): string[] {
  const all = (state.k8s.nodeImages ??= {});
  let list = all[node];
  if (!list) {
    // What the node ran before anything was recorded: the images of the pods bound to it.
    const seen = new Set<string>();
    for (const p of Object.values(state.k8s.pods)) if (p.spec.nodeName === node && p.status.phase === 'Running') for (const c of p.spec.containers) seen.add(c.image);
    list = all[node] = [...seen].sort();
  }
  return list;
}

function hasImage(state: SimState, node: string, image: string): boolean {
  return nodeImageList(state, node).includes(image);
}

function rememberImage(state: SimState, node: string, image: string): void {
  const list = nodeImageList(state, node);
  if (!list.includes(image)) list.push(image);
}

/** Every container started: Running and Ready. */
function running(ctx: ApiContext, pod: Pod): void {
  const ts = rfc3339(ctx.now);
  // New condition records rather than `delete` on the old ones (which would leave 15,000-pod
  // clusters with slow dictionary-mode objects); same fields, same order.
  pod.status.conditions = (pod.status.conditions ?? []).map(({ reason: _reason, message: _message, ...c }) => ({ ...c, status: 'True', lastTransitionTime: c.status !== 'True' ? ts : c.lastTransitionTime }));
  pod.status.phase = 'Running';
  pod.status.containerStatuses = pod.spec.containers.map((c) => ({
    name: c.name,
    image: c.image,
    ready: true,
    restartCount: 0,
    started: true,
    state: { running: { startedAt: ts } },
    containerID: `containerd://${containerId(deriveRng(ctx.state.seed, `container:${podKey(pod)}/${c.name}`))}`,
  }));
  ctx.state.proxyDirty = true;
  // The network plugin's agent programs its node when it starts (flanneld after a restart).
  podStarted(ctx.state, pod);
}

/** A pod left: the kubelet forgets it, and the scheduler tries its unschedulable pods again. */
export function podGone(ctx: ApiContext, pod: Pod): void {
  const all = ctx.state.k8s.starting;
  if (!all) return;
  delete all[podKey(pod)];
  for (const s of Object.values(all)) if (s.stage === 'schedule' && s.due > ctx.now + 1000) s.due = ctx.now + 1000;
}

/** When the scheduler or a kubelet next acts on a pod (Infinity when none is pending). */
export function nextKubeletDue(state: SimState): number {
  let next = Infinity;
  const all = state.k8s.starting;
  if (all) for (const k in all) if (all[k]!.due < next) next = all[k]!.due;
  return next;
}

/**
 * The scheduler and kubelets catch up with sandbox time: every stage due by `ctx.now` runs,
 * in time order; then `controllers` (the controllers' reconcile, which advance.ts passes in)
 * see the pods' new readiness. True if anything changed.
 */
export function kubeletSync(ctx: ApiContext, controllers?: (ctx: ApiContext) => void): boolean {
  const all = ctx.state.k8s.starting;
  if (!all || Object.keys(all).length === 0) return false;
  let changed = false;
  for (let guard = 0; guard < 100_000; guard++) {
    let best: string | undefined;
    let bestDue = Infinity;
    for (const [k, s] of Object.entries(all)) {
      if (s.due <= ctx.now && (s.due < bestDue || (s.due === bestDue && k < best!))) {
        best = k;
        bestDue = s.due;
      }
    }
    if (best === undefined) break;
    const s = all[best]!;
    const pod = ctx.state.k8s.pods[best];
    if (!pod) {
      delete all[best];
      continue;
    }
    changed = true;
    if (step({ ...ctx, now: s.due }, pod, s)) delete all[best];
  }
  if (changed) controllers?.(ctx);
  return changed;
}
