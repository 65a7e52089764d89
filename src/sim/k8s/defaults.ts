/**
 * The API view of a stored object: what a real API server returns for it, with the fields
 * its defaulting functions, admission plugins and controllers fill in.
 *
 * Design notes: the store keeps only what the sandbox models (types.ts); `apiView` is a pure
 * function of the sandbox's state and one stored object that adds, on a copy, what a
 * Kubernetes v1.32 server shows on top (kubernetes pkg/apis/core/v1/defaults.go and
 * pkg/apis/apps/v1/defaults.go; the ServiceAccount, Priority and DefaultTolerationSeconds
 * admission plugins; the DaemonSet controller's tolerations; the kubelet's status fields).
 * Every printer that shows an object (`-o yaml|json`, jsonpath, go-template,
 * custom-columns, `--sort-by`, describe) reads this view, so they agree. Random-looking parts
 * (the kube-api-access-xxxxx volume, node ids, image digests) are drawn from the seed and the
 * object's name, so they never change between reads.
 * Pods: spec defaults (dnsPolicy, enableServiceLinks, preemptionPolicy, priority,
 * restartPolicy, schedulerName, securityContext, serviceAccount, terminationGracePeriodSeconds,
 * the not-ready/unreachable tolerations for 300 s, the projected token volume and its mount)
 * and per container imagePullPolicy, resources, terminationMessagePath/Policy; status gets
 * lastProbeTime, hostIPs, the runtime's image names and digests, lastState, the mounts and
 * the QoS class computed from the containers' resources. Static (mirror) pods get no service
 * account, token volume or default tolerations, and the kubelet's NoExecute toleration.
 * Templates of Deployments, ReplicaSets and DaemonSets get the pod template defaults
 * (and `creationTimestamp: null`, as 1.32 prints an empty template timestamp). Deployments
 * get their strategy, limits and Available/Progressing conditions; DaemonSets their update
 * strategy, status and template-generation annotation; Services targetPort, ipMode and
 * allocateLoadBalancerNodePorts; Namespaces their finalizer; Nodes capacity, allocatable,
 * the kubelet endpoint, machine/system/boot ids and the annotations kubeadm, the kubelet and
 * flannel set (the ones stored, from `kubectl annotate`, are added to those).
 * Control-plane mirror pods show their manifest's command, probes, hostPath volumes and
 * mounts, the kubelet's config annotations and their owner, the Node (sim/k8s/kubeadm.ts).
 * Left out: nodes' image list and runtime handlers; managedFields (kubectl hides them by
 * default).
 */
import { cniOf } from '../cni';
import { mirrorPodExtras } from './kubeadm';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { podReady } from './endpoints';
import { daemonSetHash, podTemplateHash, randomSuffix, uuid } from './names';
import { addQuantity, parseQuantity, ZERO, type Quantity } from './quantity';
import type { Container, DaemonSet, Deployment, Namespace, Node, Pod, PodSpec, PodTemplate, ReplicaSet, Service, Toleration } from './types';

type Obj = Record<string, unknown>;

/** A deep copy of plain JSON data (faster than a JSON round trip; undefined fields dropped). */
function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = clone(x);
    return out as T;
  }
  return v;
}

/** The values of the priority classes every cluster has (scheduling/v1 system classes). */
export const PRIORITY_CLASSES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

/** What the kubelet's capacity and allocatable report on every node of the sandbox. */
export const NODE_CAPACITY: Record<string, string> = { cpu: '2', 'ephemeral-storage': '30298176Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '4013944Ki', pods: '110' };
/** Capacity less the kubelet's default hard eviction thresholds (memory.available 100Mi, nodefs.available 10%). */
export const NODE_ALLOCATABLE: Record<string, string> = { cpu: '2', 'ephemeral-storage': '27922798956', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '3911544Ki', pods: '110' };

const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A control-plane pod the kubelet runs from a manifest file (a mirror pod). */
export function isStaticPod(p: Pod): boolean {
  return !p.metadata.ownerReferences?.length && p.metadata.labels?.tier === 'control-plane';
}

/** The name of the token volume the ServiceAccount admission plugin adds (`kube-api-access-xxxxx`). */
export function accessVolumeName(state: SimState, p: Pod): string {
  const own = p.spec.volumes?.find((v) => v.name.startsWith('kube-api-access-'));
  if (own) return own.name;
  return `kube-api-access-${randomSuffix(deriveRng(state.seed, `kube-api-access:${p.metadata.namespace}/${p.metadata.name}`))}`;
}

/** SetDefaults_Container: Always for `:latest` or no tag, else IfNotPresent (a digest counts as a tag). */
export function imagePullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** The image as the container runtime names it (`docker.io/library/nginx:1.27`). */
export function runtimeImage(image: string): string {
  let ref = image.split('@')[0]!;
  if (!/:[^/:]+$/.test(ref)) ref += ':latest';
  const slash = ref.indexOf('/');
  if (slash < 0) return `docker.io/library/${ref}`;
  return /[.:]|^localhost$/.test(ref.slice(0, slash)) ? ref : `docker.io/${ref}`;
}

/** An image reference with a digest, as the runtime reports it (`docker.io/library/nginx@sha256:...`). */
export function imageId(state: SimState, image: string): string {
  const repo = runtimeImage(image).replace(/:[^/:]+$/, '');
  const key = `${state.seed}/${repo}`;
  let id = IMAGE_IDS.get(key);
  if (id === undefined) {
    const rng = deriveRng(state.seed, `image:${repo}`);
    let hex = '';
    for (let i = 0; i < 64; i++) hex += rng.int(16).toString(16);
    id = `${repo}@sha256:${hex}`;
    if (IMAGE_IDS.size > 1000) IMAGE_IDS.clear();
    IMAGE_IDS.set(key, id);
  }
  return id;
}
/** Digests already drawn, by seed and repository (a pure function's memo). */
const IMAGE_IDS = new Map<string, string>();

/** A container's requests with the defaulting the API server applies (a limit without a request is also the request). */
export function containerRequests(c: Container): Record<string, string> {
  return { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
}

/** resourcehelper.PodRequestsAndLimits for the pod's app containers: sums by resource name. */
export function podRequestsAndLimits(spec: PodSpec): { requests: Record<string, Quantity>; limits: Record<string, Quantity> } {
  const requests: Record<string, Quantity> = {};
  const limits: Record<string, Quantity> = {};
  const add = (into: Record<string, Quantity>, list: Record<string, string>): void => {
    for (const [name, text] of Object.entries(list)) {
      const q = parseQuantity(text);
      if (q) into[name] = into[name] ? addQuantity(into[name]!, q) : q;
    }
  };
  for (const c of spec.containers) {
    add(requests, containerRequests(c));
    add(limits, c.resources?.limits ?? {});
  }
  return { requests, limits };
}

/** The pod's QoS class (qos.GetPodQOS): BestEffort, Guaranteed or Burstable. */
export function qosClass(spec: PodSpec): string {
  const all = spec.containers;
  if (all.every((c) => Object.keys(containerRequests(c)).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0)) return 'BestEffort';
  const guaranteed = all.every((c) => {
    const req = containerRequests(c);
    const lim = c.resources?.limits ?? {};
    return ['cpu', 'memory'].every((r) => lim[r] !== undefined && req[r] !== undefined && (parseQuantity(req[r]!) ?? ZERO).milli === (parseQuantity(lim[r]!) ?? ZERO).milli);
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Container defaults, on a copy the caller owns (changed in place). */
function containerView(c: Container, mounts: Obj[], hostNetwork: boolean): Obj {
  const out = c as unknown as Obj;
  out.imagePullPolicy ??= imagePullPolicy(c.image);
  const req = containerRequests(c);
  const lim = c.resources?.limits;
  out.resources = { ...(lim && Object.keys(lim).length ? { limits: { ...lim } } : {}), ...(Object.keys(req).length ? { requests: req } : {}) };
  out.terminationMessagePath ??= '/dev/termination-log';
  out.terminationMessagePolicy ??= 'File';
  // On the host network a port's hostPort is its containerPort.
  if (c.ports) out.ports = c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP', ...(hostNetwork ? { hostPort: (p as { hostPort?: number }).hostPort ?? p.containerPort } : {}) }));
  if (c.env) out.env = c.env.map((e) => (e.valueFrom?.fieldRef ? { ...e, valueFrom: { ...e.valueFrom, fieldRef: { apiVersion: 'v1', ...e.valueFrom.fieldRef } } } : e));
  if (mounts.length) out.volumeMounts = [...((out.volumeMounts as Obj[] | undefined) ?? []), ...mounts];
  return out;
}

/**
 * SetDefaults_PodSpec for a template or a pod; a pod (`pod`) on the host network also gets
 * hostPorts (templates no longer do: DefaultHostNetworkHostPortsInPodTemplates is off).
 */
function podSpecDefaults(spec: PodSpec, mounts: Obj[] = [], pod = false): Obj {
  // `spec` is a copy the caller owns: it is changed in place.
  const out = spec as unknown as Obj;
  out.containers = spec.containers.map((c) => containerView(c, mounts, pod && !!spec.hostNetwork));
  out.dnsPolicy ??= 'ClusterFirst';
  out.restartPolicy ??= 'Always';
  out.schedulerName ??= 'default-scheduler';
  out.securityContext ??= {};
  out.terminationGracePeriodSeconds ??= 30;
  // Secret and ConfigMap volumes default their files' mode to 0644.
  if (spec.volumes) {
    out.volumes = spec.volumes.map((v) => {
      const o = v as unknown as Obj;
      if (v.secret) o.secret = { defaultMode: 420, ...v.secret };
      if (v.configMap) o.configMap = { defaultMode: 420, ...v.configMap };
      return o;
    });
  }
  return out;
}

const tolerationEq = (a: Toleration, b: Toleration): boolean => (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/** The tolerations the DaemonSet controller gives its pods (AddOrUpdateDaemonPodTolerations). */
function daemonTolerations(spec: PodSpec): Toleration[] {
  const out = [...(spec.tolerations ?? [])].map((t) => ({ ...t }));
  const add: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ...(spec.hostNetwork ? [{ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] : []),
  ];
  for (const t of add) if (!out.some((x) => tolerationEq(x, t))) out.push(t);
  return out;
}

/** The pod's tolerations as stored after admission. */
export function podTolerations(p: Pod): Toleration[] {
  if (isStaticPod(p)) return [...(p.spec.tolerations ?? []).map((t) => ({ ...t })), { operator: 'Exists', effect: 'NoExecute' }];
  const daemon = p.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet' && r.controller);
  const out = daemon ? daemonTolerations(p.spec) : (p.spec.tolerations ?? []).map((t) => ({ ...t }));
  // DefaultTolerationSeconds: unless a toleration already covers the NoExecute taint.
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = out.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
    if (!covered) out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  return out;
}

export function podView(state: SimState, p: Pod): Obj {
  const out = clone(p) as unknown as Obj;
  const stat = isStaticPod(p);
  const access = accessVolumeName(state, p);
  const mount = { mountPath: SA_MOUNT, name: access, readOnly: true };
  const spec = podSpecDefaults(out.spec as PodSpec, stat ? [] : [mount], true);
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy = 'PreemptLowerPriority';
  spec.priority = PRIORITY_CLASSES[p.spec.priorityClassName ?? ''] ?? 0;
  if (!stat) {
    spec.serviceAccountName = p.spec.serviceAccountName ?? 'default';
    spec.serviceAccount = spec.serviceAccountName;
    const volumes: Obj[] = (spec.volumes as Obj[] | undefined ?? []).filter((v) => v.name !== access);
    volumes.push({
      name: access,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
          { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
        ],
      },
    });
    spec.volumes = volumes;
  } else {
    spec.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
  }
  spec.tolerations = podTolerations(p);
  out.spec = spec;
  // A control-plane mirror pod shows what its manifest file has (sim/k8s/kubeadm.ts).
  const mirror = stat ? mirrorPodExtras(state, p) : undefined;
  if (mirror) {
    const meta = out.metadata as Obj;
    meta.annotations = { ...mirror.annotations, ...(meta.annotations as Obj | undefined) };
    meta.ownerReferences = [mirror.ownerReference];
    const [first, ...rest] = spec.containers as Obj[];
    spec.containers = [{ ...first, ...mirror.container }, ...rest];
    spec.volumes = mirror.volumes;
  }
  const status = out.status as Obj & Pod['status'];
  if (status.conditions) status.conditions = status.conditions.map((c) => ({ lastProbeTime: null, ...c })) as never;
  if (p.status.hostIP) (status as Obj).hostIPs = [{ ip: p.status.hostIP }];
  const statusView = (s: NonNullable<Pod['status']['containerStatuses']>[number]): Obj => ({
    ...s,
    image: s.containerID ? runtimeImage(s.image) : s.image,
    imageID: s.containerID ? imageId(state, s.image) : '',
    lastState: s.lastState ?? {},
    ...(stat ? (mirror ? { volumeMounts: (mirror.container.volumeMounts as Obj[]).map((m) => (m.readOnly ? { ...m, recursiveReadOnly: 'Disabled' } : m)) } : {}) : { volumeMounts: [{ ...mount, recursiveReadOnly: 'Disabled' }] }),
  });
  if (status.containerStatuses) (status as Obj).containerStatuses = status.containerStatuses.map(statusView);
  if (status.ephemeralContainerStatuses) (status as Obj).ephemeralContainerStatuses = status.ephemeralContainerStatuses.map((s) => ({ ...statusView(s), volumeMounts: undefined }));
  status.qosClass = qosClass(p.spec);
  return out;
}

/** A pod template as a workload's spec shows it, from a copy the caller owns. */
function templateView(t: PodTemplate): Obj {
  return { metadata: { creationTimestamp: null, ...t.metadata }, spec: podSpecDefaults(t.spec) };
}

/** Drops the zero counts Go's `omitempty` leaves out. */
function omitZero(o: Record<string, number | undefined>, keep: string[] = []): Obj {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && (v !== 0 || keep.includes(k))));
}

function ownedPods(state: SimState, namespace: string | undefined, kind: string, name: string): Pod[] {
  return Object.values(state.k8s.pods).filter((p) => p.metadata.namespace === namespace && p.metadata.ownerReferences?.some((r) => r.kind === kind && r.name === name));
}

/** The Deployment's Available and Progressing conditions, as the deployment controller keeps them. */
export function deploymentConditions(state: SimState, d: Deployment): { type: string; status: 'True' | 'False'; reason: string; message: string; lastUpdateTime: string; lastTransitionTime: string }[] {
  const ns = d.metadata.namespace;
  const sets = Object.values(state.k8s.replicasets).filter((rs) => rs.metadata.namespace === ns && rs.metadata.ownerReferences?.some((r) => r.kind === 'Deployment' && r.name === d.metadata.name));
  const hash = podTemplateHash(d.spec.template);
  const current = sets.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash) ?? sets.sort((a, b) => (a.metadata.creationTimestamp < b.metadata.creationTimestamp ? 1 : -1))[0];
  const pods = sets.flatMap((rs) => ownedPods(state, ns, 'ReplicaSet', rs.metadata.name));
  const ready = pods.filter(podReady);
  const currentPods = current ? ownedPods(state, ns, 'ReplicaSet', current.metadata.name) : [];
  const created = d.metadata.creationTimestamp;
  const readyAt = (p: Pod): string => p.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? created;
  const latest = (list: string[]): string => list.reduce((a, b) => (b > a ? b : a), created);
  // MinimumReplicasAvailable: at least replicas - maxUnavailable (25%, rounded down) available.
  const minimum = d.spec.replicas - Math.floor(d.spec.replicas / 4);
  const available = ready.length >= minimum;
  // When the minimum became available, as far as the pods still there tell (the model keeps
  // no condition history): when the minimum-th of them turned ready.
  const availableAt = available ? (ready.map(readyAt).sort()[Math.max(0, minimum - 1)] ?? created) : created;
  const done = !!current && currentPods.length === d.spec.replicas && currentPods.every(podReady) && pods.length === currentPods.length;
  const rsName = current?.metadata.name ?? d.metadata.name;
  const progressAt = latest([...currentPods.map(readyAt), current?.metadata.creationTimestamp ?? created]);
  return [
    {
      type: 'Available',
      status: available ? 'True' : 'False',
      reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
      lastUpdateTime: availableAt,
      lastTransitionTime: availableAt,
    },
    {
      type: 'Progressing',
      status: 'True',
      reason: done ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
      message: done ? `ReplicaSet "${rsName}" has successfully progressed.` : `ReplicaSet "${rsName}" is progressing.`,
      lastUpdateTime: progressAt,
      lastTransitionTime: created,
    },
  ];
}

function deploymentView(state: SimState, d: Deployment): Obj {
  const out = clone(d);
  (out as unknown as Obj).spec = {
    progressDeadlineSeconds: 600,
    replicas: out.spec.replicas,
    revisionHistoryLimit: 10,
    selector: out.spec.selector,
    strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
    template: templateView(out.spec.template),
  };
  const s = d.status;
  (out as unknown as Obj).status = {
    ...omitZero({ availableReplicas: s.availableReplicas, observedGeneration: s.observedGeneration, readyReplicas: s.readyReplicas, replicas: s.replicas, updatedReplicas: s.updatedReplicas, unavailableReplicas: Math.max(0, d.spec.replicas - s.availableReplicas) }),
    conditions: deploymentConditions(state, d),
  };
  return out as unknown as Obj;
}

function replicaSetView(rs: ReplicaSet): Obj {
  const out = clone(rs);
  (out as unknown as Obj).spec = { replicas: out.spec.replicas, selector: out.spec.selector, template: templateView(out.spec.template) };
  const s = rs.status;
  (out as unknown as Obj).status = omitZero({ availableReplicas: s.availableReplicas, fullyLabeledReplicas: s.fullyLabeledReplicas, observedGeneration: s.observedGeneration, readyReplicas: s.readyReplicas, replicas: s.replicas }, ['replicas']);
  return out as unknown as Obj;
}

/** A DaemonSet's status as its controller counts it from the pods it made. */
export function daemonSetStatus(state: SimState, ds: DaemonSet): { currentNumberScheduled: number; desiredNumberScheduled: number; numberAvailable: number; numberMisscheduled: number; numberReady: number; observedGeneration: number; updatedNumberScheduled: number } {
  const pods = ownedPods(state, ds.metadata.namespace, 'DaemonSet', ds.metadata.name).filter((p) => p.spec.nodeName);
  const ready = pods.filter(podReady).length;
  const sel = ds.spec.template.spec.nodeSelector ?? {};
  const desired = Object.values(state.k8s.nodes).filter((n) => Object.entries(sel).every(([k, v]) => n.metadata.labels?.[k] === v)).length;
  const hash = daemonSetHash(ds);
  const updated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).length;
  return { currentNumberScheduled: pods.length, desiredNumberScheduled: desired, numberAvailable: ready, numberMisscheduled: 0, numberReady: ready, observedGeneration: ds.metadata.generation, updatedNumberScheduled: updated };
}

function daemonSetView(state: SimState, ds: DaemonSet): Obj {
  const copy = clone(ds);
  const out = copy as unknown as Obj & { metadata: Obj };
  out.metadata.annotations = { 'deprecated.daemonset.template.generation': String(ds.metadata.generation), ...(ds.metadata.annotations ?? {}) };
  out.spec = {
    revisionHistoryLimit: 10,
    selector: copy.spec.selector,
    template: templateView(copy.spec.template),
    updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
  };
  out.status = omitZero(daemonSetStatus(state, ds), ['currentNumberScheduled', 'desiredNumberScheduled', 'numberMisscheduled', 'numberReady']);
  return out;
}

function serviceView(s: Service): Obj {
  const out = clone(s) as unknown as Obj & { spec: Obj; status: Obj };
  if (s.spec.ports) out.spec.ports = s.spec.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port }));
  if (s.spec.type === 'LoadBalancer') out.spec.allocateLoadBalancerNodePorts ??= true;
  const ing = s.status.loadBalancer.ingress;
  // LoadBalancerIPMode (on by default since 1.30): an address without a mode is a VIP.
  if (ing) out.status = { loadBalancer: { ingress: ing.map((i) => (i.ip ? { ipMode: 'VIP', ...i } : { ...i })) } };
  return out;
}

function namespaceView(n: Namespace): Obj {
  return { ...(clone(n) as unknown as Obj), spec: { finalizers: ['kubernetes'] } };
}

/** The ids the kubelet reads from the machine (/etc/machine-id, the DMI product UUID, the boot id). */
export function nodeIds(state: SimState, name: string): { machineID: string; systemUUID: string; bootID: string } {
  const rng = deriveRng(state.seed, `machine-id:${name}`);
  let machineID = '';
  for (let i = 0; i < 32; i++) machineID += rng.int(16).toString(16);
  return { machineID, systemUUID: uuid(deriveRng(state.seed, `system-uuid:${name}`)), bootID: uuid(deriveRng(state.seed, `boot-id:${name}`)) };
}

/**
 * The annotations kubeadm, the kubelet, the attach/detach controller and the network plugin's
 * agent (flannel's backend data: sim/cni) put on a node.
 */
export function nodeAnnotations(state: SimState, n: Node): Record<string, string> {
  return {
    ...cniOf(state).nodeAnnotations(state, n.metadata.name),
    'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock',
    'node.alpha.kubernetes.io/ttl': '0',
    'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
    ...(n.metadata.annotations ?? {}),
  };
}

function nodeView(state: SimState, n: Node): Obj {
  const out = clone(n) as unknown as Obj & { status: Obj; metadata: Obj };
  out.metadata.annotations = nodeAnnotations(state, n);
  out.status.capacity = { ...NODE_CAPACITY };
  out.status.allocatable = { ...NODE_ALLOCATABLE };
  out.status.daemonEndpoints = { kubeletEndpoint: { Port: 10250 } };
  out.status.nodeInfo = { ...n.status.nodeInfo, ...nodeIds(state, n.metadata.name) };
  return out;
}

/** The object as the API server returns it; kinds without defaults the sandbox adds come back as they are. */
export function apiView(state: SimState, obj: unknown): unknown {
  if (!obj || typeof obj !== 'object') return obj;
  const o = obj as { kind?: unknown; apiVersion?: unknown };
  switch (`${String(o.apiVersion)}/${String(o.kind)}`) {
    case 'v1/Pod':
      return podView(state, obj as Pod);
    case 'apps/v1/Deployment':
      return deploymentView(state, obj as Deployment);
    case 'apps/v1/ReplicaSet':
      return replicaSetView(obj as ReplicaSet);
    case 'apps/v1/DaemonSet':
      return daemonSetView(state, obj as DaemonSet);
    case 'v1/Service':
      return serviceView(obj as Service);
    case 'v1/Namespace':
      return namespaceView(obj as Namespace);
    case 'v1/Node':
      return nodeView(state, obj as Node);
    default:
      return obj;
  }
}
