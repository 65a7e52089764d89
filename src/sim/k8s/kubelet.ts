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
 * kubelet leaves it); with restartPolicy Always it stays Running (a program that ends well is
 * not restarted here).
 * A program that cannot take its port fails (programFailure): in a pod's own network namespace
 * when a program of another of its containers already listens there (two nginx containers both
 * want 80), in a host-network pod when anything on the node does. It runs as long as the image
 * says (nginx: five bind() rounds 500 ms apart, `still could not bind()`, exit status 1; see
 * ImageDef.addressInUse), then its container is Terminated (reason Error, its exit code), not
 * ready, and the pod with it (ContainersNotReady). PLEG notices at its next relist
 * (PLEG_RELIST_MS), and the pod worker's sync applies the restart back-off of kuberuntime's
 * doBackOff, with v1.32's timing: the first exit is restarted at once and sets the back-off to
 * 10 s; a later one found within the back-off since the container finished records a
 * `BackOff` event (`Back-off restarting failed container web2 in pod clash_default(UID)`) and
 * leaves the container Waiting in CrashLoopBackOff (`back-off 10s restarting failed
 * container=web2 pod=clash_default(UID)`), its last instance in lastState; the pod worker syncs
 * again 10-15 s later (backOffPeriod with 0.5 jitter), and the first sync past the back-off
 * doubles it (to at most 5 minutes) and starts a new instance: `Pulled` (already present),
 * `Created`, `Started`, restartCount + 1. A back-off untouched for 10 minutes is forgotten. The
 * records are `k8s.crashing` (k8s/crash.ts); a restarted program that can bind keeps running.
 * The network plugin's node agent fails the same way when its configuration is unusable
 * (flanneld with a net-conf.json it cannot parse or an unknown backend, cni/flannel.ts), and
 * every start of it, restarts included, programs the node again (cni `podStarted`).
 * restartPolicy Never leaves the container Terminated.
 * Left out: image pull failures (ErrImagePull/ImagePullBackOff), init containers, probes,
 * the volume manager's two-minute `Unable to attach or mount volumes` timeout event, the
 * event correlator's similar-event aggregation of FailedCreatePodSandBox (each attempt's
 * message names its own sandbox id, so each is an event of its own), preemption.
 */
import { appContext, isKnownImage, programRunsFor } from '../apps/index';
import type { ProgramFailure, TakenPort } from '../apps/image';
import { listenersAt } from '../sockets';
import { crashKey, programFails } from './crash';
import { formatIp } from '../ipv4';
import { agentFailure, attachPod, ipamExhaustedMessage, nodeIp, podStarted } from '../cni';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import type { ApiContext } from './context';
import { emit } from './events';
import { hostPortsTaken, podCounts, schedule } from './scheduler';
import { rfc3339 } from './time';
import { containerId } from './names';
import { key, type Container, type ContainerCrash, type ContainerStatus, type Pod, type PodStart } from './types';

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
/** PLEG's relist period: how soon after a container exits the kubelet notices. */
export const PLEG_RELIST_MS = 1_000;
/** The container restart back-off: it starts at 10 s and doubles up to 5 minutes (MaxContainerBackOff). */
export const CRASH_BACKOFF_MS = 10_000;
export const CRASH_BACKOFF_MAX_MS = 300_000;
/** The pod worker's requeue after a sync that failed (backOffPeriod, with 0.5 jitter: 10-15 s). */
const POD_WORKER_BACKOFF_MS = 10_000;

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
    } else if (hostPortsTaken(state, pod, node.metadata.name)) {
      add(reasons, "node(s) didn't have free ports for the requested pod ports");
      add(preemption, 'No preemption victims found for incoming pod');
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
  return schedule(ctx.state, pod, ctx.schedule, (node) => podsOnNode(ctx.state, node) < MAX_PODS && !hostPortsTaken(ctx.state, pod, node));
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
    // A program whose port another one of its namespace holds exits, and the kubelet restarts it.
    const failure = programFailure(state, pod, c, containers.slice(0, i));
    if (failure) crashes(state)[crashKey(pod, c.name)] = { uid: pod.metadata.uid, container: c.name, next: 'exit', due: ctx.now + failure.exitsAfter, backoff: 0, syncs: 0, exitCode: failure.exitCode };
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
  const crashing = ctx.state.k8s.crashing;
  if (crashing) for (const c of pod.spec.containers) delete crashing[crashKey(pod, c.name)];
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
  const crashing = state.k8s.crashing;
  if (crashing) for (const k in crashing) if (crashing[k]!.due < next) next = crashing[k]!.due;
  return next;
}

function crashes(state: SimState): Record<string, ContainerCrash> {
  return (state.k8s.crashing ??= {});
}

/** How a socket holds a port, for a program that wants the same one. */
function familyOf(l: { socket?: { family: TakenPort['family'] } }): TakenPort['family'] {
  // A pod program's listener is not described further: the images' servers take IPv4 and IPv6.
  return l.socket?.family ?? 'dual';
}

/**
 * What the container's program does when it starts, if it cannot take its ports: another
 * program of its network namespace holds one. In a pod's own namespace the holders are the
 * programs of its other containers that run (or started before it in this start) and did not
 * fail themselves; in a host-network pod, everything listening on the node.
 */
export function programFailure(state: SimState, pod: Pod, c: Container, earlier: Container[]): ProgramFailure | undefined {
  // The network plugin's agent may not start with its configuration (flanneld's net-conf.json).
  const agent = c === pod.spec.containers[0] ? agentFailure(state, pod) : undefined;
  if (agent) return { log: [], ...agent };
  const hit = appContext(state, pod, c);
  const wants = hit?.def.listeners?.(hit.app) ?? [];
  if (!hit || wants.length === 0) return undefined;
  const holders = pod.spec.containers.filter((o) => o.name !== c.name && !programFails(state, pod, o.name) && (earlier.includes(o) || !!pod.status.containerStatuses?.find((s) => s.name === o.name)?.state.running));
  const held = holders.flatMap((o) => {
    const h = appContext(state, pod, o);
    return h?.def.listeners?.(h.app) ?? [];
  });
  if (pod.spec.hostNetwork && pod.spec.nodeName) held.push(...listenersAt(state, `node/${pod.spec.nodeName}`));
  const taken: TakenPort[] = [];
  for (const w of wants) {
    if (taken.some((t) => t.proto === w.proto && t.port === w.port)) continue;
    // IPv4 and IPv6-only sockets on one port together hold it for both.
    const families = new Set(held.filter((l) => l.proto === w.proto && l.port === w.port).map(familyOf));
    if (families.size === 0) continue;
    const family = families.size === 1 ? [...families][0]! : 'dual';
    taken.push({ proto: w.proto, port: w.port, family });
  }
  if (taken.length === 0) return undefined;
  return hit.def.addressInUse?.(hit.app, taken) ?? { log: [], exitsAfter: 50, exitCode: 1 };
}

/** The pod's Ready and ContainersReady conditions follow its containers' readiness. */
function podReadiness(pod: Pod, now: number): void {
  const ts = rfc3339(now);
  const unready = (pod.status.containerStatuses ?? []).filter((s) => !s.ready).map((s) => s.name);
  pod.status.conditions = (pod.status.conditions ?? []).map((cond) => {
    if (cond.type !== 'Ready' && cond.type !== 'ContainersReady') return cond;
    const status = unready.length === 0 ? 'True' : 'False';
    const { reason: _r, message: _m, ...rest } = cond;
    const next = { ...rest, status, lastTransitionTime: cond.status !== status ? ts : cond.lastTransitionTime } as typeof cond;
    return unready.length === 0 ? next : { ...next, reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  });
}

/** `name_namespace(uid)`, as the kubelet's format.Pod writes a pod. */
function podRef(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid})`;
}

/** The container's program exits: its status records how the instance ended, and PLEG sees it at its next relist. */
function crashExit(ctx: ApiContext, pod: Pod, rec: ContainerCrash): void {
  const st = pod.status.containerStatuses?.find((x) => x.name === rec.container);
  if (st?.state.running) {
    const t = rfc3339(ctx.now);
    st.state = { terminated: { containerID: st.containerID ?? '', exitCode: rec.exitCode, finishedAt: t, reason: rec.exitCode === 0 ? 'Completed' : 'Error', startedAt: st.state.running.startedAt } };
    st.ready = false;
    st.started = false;
    podReadiness(pod, ctx.now);
    ctx.state.proxyDirty = true;
  }
  rec.next = 'sync';
  rec.due = ctx.now + PLEG_RELIST_MS;
}

/**
 * The pod worker syncs a pod whose container exited (kuberuntime's doBackOff): inside the
 * back-off window since the container finished it records a BackOff event and leaves the
 * container waiting in CrashLoopBackOff, to sync again 10-15 s later; past it, the back-off
 * doubles (the first restart sets it to 10 s) and the container starts again.
 */
function crashSync(ctx: ApiContext, pod: Pod, rec: ContainerCrash): void {
  const state = ctx.state;
  const c = pod.spec.containers.find((x) => x.name === rec.container);
  const i = pod.spec.containers.findIndex((x) => x.name === rec.container);
  const statuses = pod.status.containerStatuses ?? [];
  const st = statuses[statuses.findIndex((x) => x.name === rec.container)];
  const last = st?.state.terminated ?? st?.lastState?.terminated;
  // restartPolicy Never leaves the container as it ended (OnFailure restarts a failure as Always does).
  if (!c || !st || !last || pod.status.phase !== 'Running' || pod.spec.restartPolicy === 'Never') {
    delete crashes(state)[crashKey(pod, rec.container)];
    return;
  }
  const host = pod.spec.nodeName!;
  const involved = involvedPod(pod, c);
  const finished = Date.parse(last.finishedAt ?? rfc3339(ctx.now));
  // flowcontrol.Backoff forgets an entry not touched for twice the maximum.
  const expired = rec.backoffAt !== undefined && finished - rec.backoffAt > 2 * CRASH_BACKOFF_MAX_MS;
  if (rec.backoff > 0 && !expired && ctx.now - finished < rec.backoff) {
    emit(ctx, { involved, type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${c.name} in pod ${podRef(pod)}`, source: 'kubelet', host });
    if (st.state.terminated) st.lastState = { terminated: st.state.terminated };
    st.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(rec.backoff)} restarting failed container=${c.name} pod=${podRef(pod)}` } };
    const jitter = deriveRng(state.seed, `pod-worker:${crashKey(pod, c.name)}#${rec.syncs}`).int(POD_WORKER_BACKOFF_MS / 2);
    rec.syncs++;
    rec.due = ctx.now + POD_WORKER_BACKOFF_MS + jitter;
    return;
  }
  rec.backoff = rec.backoff === 0 || expired ? CRASH_BACKOFF_MS : Math.min(2 * rec.backoff, CRASH_BACKOFF_MAX_MS);
  rec.backoffAt = ctx.now;
  emit(ctx, { involved, type: 'Normal', reason: 'Pulled', message: `Container image "${c.image}" already present on machine`, source: 'kubelet', host });
  emit(ctx, { involved, type: 'Normal', reason: 'Created', message: `Created container: ${c.name}`, source: 'kubelet', host });
  emit(ctx, { involved, type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, source: 'kubelet', host });
  const restarts = st.restartCount + 1;
  const next: ContainerStatus = {
    name: c.name,
    image: c.image,
    ready: true,
    restartCount: restarts,
    started: true,
    state: { running: { startedAt: rfc3339(ctx.now) } },
    lastState: { terminated: last },
    containerID: `containerd://${containerId(deriveRng(state.seed, `container:${podKey(pod)}/${c.name}#${restarts}`))}`,
  };
  statuses[statuses.indexOf(st)] = next;
  podReadiness(pod, ctx.now);
  state.proxyDirty = true;
  const failure = programFailure(state, pod, c, pod.spec.containers.slice(0, i));
  if (failure) {
    rec.next = 'exit';
    rec.due = ctx.now + failure.exitsAfter;
    rec.exitCode = failure.exitCode;
  } else delete crashes(state)[crashKey(pod, c.name)];
  // The network plugin's agent starts again with the configuration it finds now.
  podStarted(state, pod);
}

/**
 * The scheduler and kubelets catch up with sandbox time: every stage due by `ctx.now` runs,
 * in time order; then `controllers` (the controllers' reconcile, which advance.ts passes in)
 * see the pods' new readiness. True if anything changed.
 */
export function kubeletSync(ctx: ApiContext, controllers?: (ctx: ApiContext) => void): boolean {
  const all = (ctx.state.k8s.starting ??= {});
  const crashing = ctx.state.k8s.crashing ?? {};
  if (Object.keys(all).length === 0 && Object.keys(crashing).length === 0) return false;
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
    // A container's exit or restart, when it falls due before any pod's next start stage.
    let crash: string | undefined;
    let crashDue = Infinity;
    for (const [k, r] of Object.entries(crashing)) {
      if (r.due <= ctx.now && (r.due < crashDue || (r.due === crashDue && k < crash!))) {
        crash = k;
        crashDue = r.due;
      }
    }
    if (crash !== undefined && crashDue < bestDue) {
      const rec = crashing[crash]!;
      const podName = crash.slice(0, crash.length - rec.container.length - 1);
      const pod = ctx.state.k8s.pods[podName];
      changed = true;
      if (!pod || pod.metadata.uid !== rec.uid) delete crashing[crash];
      else if (rec.next === 'exit') crashExit({ ...ctx, now: rec.due }, pod, rec);
      else crashSync({ ...ctx, now: rec.due }, pod, rec);
      continue;
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
