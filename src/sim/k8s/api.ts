/**
 * The API server and the controllers, reduced to what networking lessons need.
 *
 * Design notes: creating an object stores it with a uid, a resourceVersion and a creation
 * timestamp, then runs the controllers that react to it at once (there is no watch loop):
 * a Deployment creates its ReplicaSet (`<deployment>-<pod-template-hash>`), the ReplicaSet
 * its pods (`<replicaset>-<5 random>`), a DaemonSet one pod per eligible node; the scheduler
 * binds each pod to the schedulable node with the fewest pods (ties in node order, which
 * spreads replicas the way the default scheduler's spreading scores usually do), honouring
 * NoSchedule taints and tolerations and the kubelet's 110-pod limit; the kubelet and the CNI
 * then give the pod its network and start it (kubelet.ts: at once for cluster builds and lab
 * manifests, over sandbox time for pods created from the shell). Service ClusterIPs are drawn
 * at random from above the service range's static band, as the API server's allocator does;
 * each draw has a stream of its own, so a Service created again gets a new address.
 * Each step records the event its real component emits (Scheduled, Pulled/Created/Started,
 * SuccessfulCreate, ScalingReplicaSet, EnsuringLoadBalancer/EnsuredLoadBalancer; see events.ts).
 * A LoadBalancer Service created from the shell waits LB_PROVISION_MS for its address (the
 * cloud building its load balancer; EXTERNAL-IP reads <pending>); `serviceControllerSync`
 * finishes it, run with the kubelet's catch-up. Cluster builds and lab manifests get theirs at once.
 * Left out: admission, probes, restarts, rolling updates, Endpoints objects
 * (coming with kube-proxy).
 */
import { qosClass } from './defaults';
import { formatIp, nth, size, type Cidr } from '../ipv4';
import { clone } from '../clone';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { nodeIp } from '../cni';
import { ApiError } from './api-error';
import { clusterIpRefusal } from './validation/service';
import { allocateLoadBalancerIp } from './cloud';
import { podReady } from './endpoints';
import { emit } from './events';
import type { ApiContext } from './context';
import { rfc3339 } from './time';

export type { ApiContext } from './context';
export { emit } from './events';
export { podCounts, schedule, type ScheduleCache } from './scheduler';
export { rfc3339 } from './time';
import { admitPod } from './kubelet';
import { daemonSetHash, podTemplateHash, randomSuffix, uuid } from './names';
import { key, type Deployment, type DaemonSet, type Ingress, type Node, type ObjectMeta, type Pod, type PodSpec, type ReplicaSet, type Service, type ServicePort } from './types';




function meta(ctx: ApiContext, kind: string, name: string, namespace: string | undefined, extra: Partial<ObjectMeta> = {}): ObjectMeta {
  const m: ObjectMeta = {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    uid: uuid(deriveRng(ctx.state.seed, `uid:${kind}/${key(namespace, name)}${incarnation(ctx, kind, namespace, name)}`)),
    resourceVersion: String(++ctx.state.k8s.resourceVersion),
    creationTimestamp: rfc3339(ctx.now),
    ...extra,
  };
  return m;
}

/** `@n` for the n-th object of this kind and name after n deletions (uids are never reused). */
function incarnation(ctx: ApiContext, kind: string, namespace: string | undefined, name: string): string {
  const n = ctx.state.k8s.alloc.incarnations?.[`${kind}/${key(namespace, name)}`];
  return n ? `@${n}` : '';
}

export function createNamespace(ctx: ApiContext, name: string): void {
  ctx.state.k8s.namespaces[name] = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(ctx, 'Namespace', name, undefined, { labels: { 'kubernetes.io/metadata.name': name } }),
    status: { phase: 'Active' },
  };
}

export interface NodeInit {
  name: string;
  controlPlane: boolean;
  podCidr: Cidr;
}

export function createNode(ctx: ApiContext, init: NodeInit, version: string): Node {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': init.name,
    'kubernetes.io/os': 'linux',
  };
  if (init.controlPlane) {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  const ts = rfc3339(ctx.now);
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(ctx, 'Node', init.name, undefined, { labels }),
    spec: {
      podCIDR: `${formatIp(init.podCidr.addr)}/${init.podCidr.len}`,
      podCIDRs: [`${formatIp(init.podCidr.addr)}/${init.podCidr.len}`],
      ...(init.controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: formatIp(nodeIp(ctx.state, init.name)) },
        { type: 'Hostname', address: init.name },
      ],
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: ts, lastTransitionTime: ts },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: ts, lastTransitionTime: ts },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: ts, lastTransitionTime: ts },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: ts, lastTransitionTime: ts },
      ],
      nodeInfo: {
        kubeletVersion: version,
        kubeProxyVersion: version,
        osImage: 'Ubuntu 24.04.2 LTS',
        kernelVersion: '6.8.0-57-generic',
        containerRuntimeVersion: 'containerd://1.7.27',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
  ctx.state.k8s.nodes[init.name] = node;
  // The kubelet's node events (it refers to its node by name, as uid too), then the node controller's.
  const byName = { kind: 'Node', name: init.name, uid: init.name };
  const kubelet = (reason: string, message: string): void => {
    emit(ctx, { involved: byName, type: 'Normal', reason, message, source: 'kubelet', host: init.name });
  };
  kubelet('Starting', 'Starting kubelet.');
  kubelet('NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
  for (const c of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) kubelet(c, `Node ${init.name} status is now: ${c}`);
  emit(ctx, { involved: { kind: 'Node', name: init.name, uid: node.metadata.uid }, type: 'Normal', reason: 'RegisteredNode', message: `Node ${init.name} event: Registered Node ${init.name} in Controller`, source: 'node-controller' });
  kubelet('NodeReady', `Node ${init.name} status is now: NodeReady`);
  return node;
}

export interface PodInit {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  spec: PodSpec;
  generateName?: string;
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
}

/** Stores a pod, schedules it, wires its network and starts it. */
export function createPod(ctx: ApiContext, init: PodInit): Pod {
  const k = key(init.namespace, init.name);
  if (ctx.state.k8s.pods[k]) throw new ApiError('AlreadyExists', `pods "${init.name}" already exists`);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(ctx, 'Pod', init.name, init.namespace, {
      ...(init.generateName ? { generateName: init.generateName } : {}),
      ...(init.labels ? { labels: { ...init.labels } } : {}),
      ...(init.owner ? { ownerReferences: [{ ...init.owner, controller: true, blockOwnerDeletion: true }] } : {}),
    }),
    spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', ...clone(init.spec) },
    status: { phase: 'Pending', qosClass: qosClass(init.spec) },
  };
  ctx.state.k8s.pods[k] = pod;
  ctx.state.proxyDirty = true;
  // The scheduler binds it, the kubelet starts it (kubelet.ts).
  admitPod(ctx, pod, init.owner?.kind === 'DaemonSet');
  return pod;
}

export interface DeploymentInit {
  name: string;
  namespace: string;
  replicas: number;
  labels: Record<string, string>;
  spec: PodSpec;
}

export function createDeployment(ctx: ApiContext, init: DeploymentInit): Deployment {
  const k = key(init.namespace, init.name);
  if (ctx.state.k8s.deployments[k]) throw new ApiError('AlreadyExists', `deployments.apps "${init.name}" already exists`);
  const template = { metadata: { labels: { ...init.labels } }, spec: clone(init.spec) };
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...meta(ctx, 'Deployment', init.name, init.namespace, { labels: { ...init.labels }, annotations: { 'deployment.kubernetes.io/revision': '1' } }), generation: 1 },
    spec: { replicas: init.replicas, selector: { matchLabels: { ...init.labels } }, template },
    status: { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 },
  };
  ctx.state.k8s.deployments[k] = d;
  const hash = podTemplateHash(template);
  const rsName = `${init.name}-${hash}`;
  const podLabels = { ...init.labels, 'pod-template-hash': hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      ...meta(ctx, 'ReplicaSet', rsName, init.namespace, {
        labels: podLabels,
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(init.replicas), 'deployment.kubernetes.io/max-replicas': String(init.replicas + Math.ceil(init.replicas / 4)), 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: init.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
      }),
      generation: 1,
    },
    spec: { replicas: init.replicas, selector: { matchLabels: { ...init.labels, 'pod-template-hash': hash } }, template: { metadata: { labels: podLabels }, spec: clone(init.spec) } },
    status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 },
  };
  ctx.state.k8s.replicasets[key(init.namespace, rsName)] = rs;
  emit(ctx, { involved: { kind: 'Deployment', namespace: init.namespace, name: init.name, uid: d.metadata.uid }, type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${rsName} from 0 to ${init.replicas}`, source: 'deployment-controller' });
  let ready = 0;
  for (let i = 0; i < init.replicas; i++) {
    const podName = uniquePodName(ctx, init.namespace, `${rsName}-`);
    emit(ctx, { involved: { kind: 'ReplicaSet', namespace: init.namespace, name: rsName, uid: rs.metadata.uid }, type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${podName}`, source: 'replicaset-controller' });
    const pod = createPod(ctx, {
      name: podName,
      generateName: `${rsName}-`,
      namespace: init.namespace,
      labels: podLabels,
      spec: init.spec,
      owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rs.metadata.uid },
    });
    if (podReady(pod)) ready++;
  }
  rs.status = { replicas: init.replicas, fullyLabeledReplicas: init.replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 };
  d.status = { replicas: init.replicas, updatedReplicas: init.replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 };
  return d;
}

export function createDaemonSet(ctx: ApiContext, init: { name: string; namespace: string; labels: Record<string, string>; spec: PodSpec }): DaemonSet {
  const ds: DaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { ...meta(ctx, 'DaemonSet', init.name, init.namespace, { labels: { ...init.labels } }), generation: 1 },
    spec: { selector: { matchLabels: { ...init.labels } }, template: { metadata: { labels: { ...init.labels } }, spec: clone(init.spec) } },
  };
  ctx.state.k8s.daemonsets[key(init.namespace, init.name)] = ds;
  const hash = daemonSetHash(ds);
  for (const node of Object.keys(ctx.state.k8s.nodes)) {
    const podName = uniquePodName(ctx, init.namespace, `${init.name}-`);
    emit(ctx, { involved: { kind: 'DaemonSet', namespace: init.namespace, name: init.name, uid: ds.metadata.uid }, type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${podName}`, source: 'daemonset-controller' });
    createPod(ctx, {
      name: podName,
      generateName: `${init.name}-`,
      namespace: init.namespace,
      labels: { ...init.labels, 'controller-revision-hash': hash, 'pod-template-generation': '1' },
      spec: { ...init.spec, nodeName: node },
      owner: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: init.name, uid: ds.metadata.uid },
    });
  }
  return ds;
}

/** `<prefix><5 random>`, from a stream of its own per prefix so other objects do not shift it. */
export function uniquePodName(ctx: ApiContext, namespace: string, prefix: string): string {
  const counters = (ctx.state.k8s.alloc.nameCounters ??= {});
  const label = `${namespace}/${prefix}`;
  for (;;) {
    const n = counters[label] ?? 0;
    counters[label] = n + 1;
    const name = prefix + randomSuffix(deriveRng(ctx.state.seed, `name:${label}#${n}`));
    if (!ctx.state.k8s.pods[key(namespace, name)]) return name;
  }
}

export interface ServiceInit {
  name: string;
  namespace: string;
  type?: Service['spec']['type'];
  selector?: Record<string, string>;
  ports: ServicePort[];
  /** A fixed ClusterIP, or `None` for a headless Service. */
  clusterIP?: string;
  labels?: Record<string, string>;
  externalName?: string;
  externalIPs?: string[];
  /** For NodePort and LoadBalancer Services: `Local` keeps the client's address (default `Cluster`). */
  externalTrafficPolicy?: 'Cluster' | 'Local';
  /** LoadBalancer only: the client prefixes allowed in (kube-proxy's KUBE-FW chain). */
  loadBalancerSourceRanges?: string[];
}

export function createService(ctx: ApiContext, init: ServiceInit): Service {
  const k = key(init.namespace, init.name);
  const type = init.type ?? 'ClusterIP';
  if (type === 'ExternalName' && !init.externalName) throw new ApiError('Invalid', `Service "${init.name}" is invalid: spec.externalName: Required value`);
  const alloc = ctx.state.k8s.alloc;
  // The registry allocates a ClusterIP asked for before it stores the object, so a refused
  // address is reported even when the name is taken.
  const asked = type === 'ExternalName' || init.clusterIP === 'None' ? undefined : init.clusterIP;
  const refusal = asked === undefined ? undefined : clusterIpRefusal(asked, ctx.state.config.serviceCidr, alloc.serviceIps);
  if (refusal) throw new ApiError('Invalid', `Service "${init.name}" is invalid: spec.clusterIPs: Invalid value: []string{"${asked}"}: ${refusal}`);
  if (ctx.state.k8s.services[k]) throw new ApiError('AlreadyExists', `services "${init.name}" already exists`);
  // ExternalName Services get no ClusterIP; headless ones ask for None.
  const ip = type === 'ExternalName' ? undefined : (init.clusterIP ?? allocateClusterIp(ctx, k));
  if (ip !== undefined && ip !== 'None') alloc.serviceIps.push(ip);
  const ports = init.ports.map((p) => ({ ...p }));
  if (type === 'NodePort' || type === 'LoadBalancer') {
    for (const p of ports) {
      if (p.nodePort === undefined) p.nodePort = allocateNodePort(ctx, k);
      else if ((alloc.nodePorts ??= []).includes(p.nodePort)) throw new ApiError('Invalid', `Service "${init.name}" is invalid: spec.ports[0].nodePort: Invalid value: ${p.nodePort}: provided port is already allocated`);
      (alloc.nodePorts ??= []).push(p.nodePort);
    }
  }
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(ctx, 'Service', init.name, init.namespace, init.labels ? { labels: { ...init.labels } } : {}),
    spec: {
      type,
      ...(init.selector ? { selector: { ...init.selector } } : {}),
      ports,
      ...(ip !== undefined ? { clusterIP: ip, clusterIPs: [ip] } : {}),
      ...(init.externalName ? { externalName: init.externalName } : {}),
      ...(init.externalIPs ? { externalIPs: [...init.externalIPs] } : {}),
      ...(init.loadBalancerSourceRanges ? { loadBalancerSourceRanges: [...init.loadBalancerSourceRanges] } : {}),
      sessionAffinity: 'None',
      ...(type === 'ExternalName' ? {} : { ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }),
      internalTrafficPolicy: 'Cluster',
      ...(type === 'NodePort' || type === 'LoadBalancer' ? { externalTrafficPolicy: init.externalTrafficPolicy ?? 'Cluster' } : {}),
    } as Service['spec'],
    status: { loadBalancer: {} },
  };
  if (type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local') svc.spec.healthCheckNodePort = claimNodePort(ctx, k);
  ctx.state.k8s.services[k] = svc;
  if (type === 'LoadBalancer') ensureLoadBalancer(ctx, svc);
  if (type !== 'ExternalName') (alloc.sliceSuffixes ??= {})[k] = randomSuffix(deriveRng(ctx.state.seed, `slice:${k}`));
  ctx.state.proxyDirty = true;
  return svc;
}

/** How long the simulated cloud takes to provision a load balancer for a Service created from the shell. */
export const LB_PROVISION_MS = 30_000;

const lbInvolved = (svc: Service) => ({ kind: 'Service', namespace: svc.metadata.namespace, name: svc.metadata.name, uid: svc.metadata.uid });

/** Gives the Service an address from the cloud's pool (ipMode defaulted to VIP); false when the pool is used up. */
function provisionLoadBalancer(state: SimState, serviceKey: string): boolean {
  const ip = allocateLoadBalancerIp(state, serviceKey);
  if (!ip) return false;
  state.k8s.services[serviceKey]!.status.loadBalancer = { ingress: [{ ip, ipMode: 'VIP' }] };
  state.proxyDirty = true;
  return true;
}

/** When the cloud next finishes a load balancer (Infinity when none is being built). */
export function nextLoadBalancerDue(state: SimState): number {
  let next = Infinity;
  const due = state.k8s.alloc.loadBalancersDue;
  if (due) for (const k in due) if (due[k]!.due < next) next = due[k]!.due;
  return next;
}

/**
 * The service controller catches up with sandbox time: each load balancer due by `ctx.now`
 * gets its address and the EnsuredLoadBalancer event, stamped with its own time. A Service
 * deleted (or deleted and created again) meanwhile is skipped. True if anything changed.
 */
export function serviceControllerSync(ctx: ApiContext): boolean {
  const due = ctx.state.k8s.alloc.loadBalancersDue;
  if (!due) return false;
  let changed = false;
  for (const [k, p] of Object.entries(due).sort(([a, x], [b, y]) => x.due - y.due || (a < b ? -1 : 1))) {
    if (p.due > ctx.now) continue;
    delete due[k];
    const svc = ctx.state.k8s.services[k];
    if (!svc || svc.metadata.uid !== p.uid || svc.spec.type !== 'LoadBalancer') continue;
    if (!provisionLoadBalancer(ctx.state, k)) continue;
    emit({ ...ctx, now: p.due }, { involved: lbInvolved(svc), type: 'Normal', reason: 'EnsuredLoadBalancer', message: 'Ensured load balancer', source: 'service-controller' });
    changed = true;
  }
  return changed;
}

/**
 * The cloud controller takes up a LoadBalancer Service: from the shell it takes a while
 * (EXTERNAL-IP reads <pending> until serviceControllerSync provisions it); for a cluster build
 * or a lab's manifests the address is there when the learner arrives.
 */
function ensureLoadBalancer(ctx: ApiContext, svc: Service): void {
  const k = key(svc.metadata.namespace, svc.metadata.name);
  const alloc = ctx.state.k8s.alloc;
  if (ctx.podStartup === 'timed') {
    emit(ctx, { involved: lbInvolved(svc), type: 'Normal', reason: 'EnsuringLoadBalancer', message: 'Ensuring load balancer', source: 'service-controller' });
    (alloc.loadBalancersDue ??= {})[k] = { uid: svc.metadata.uid, due: ctx.now + LB_PROVISION_MS };
  } else if (provisionLoadBalancer(ctx.state, k)) {
    emit(ctx, { involved: lbInvolved(svc), type: 'Normal', reason: 'EnsuringLoadBalancer', message: 'Ensuring load balancer', source: 'service-controller' });
    emit(ctx, { involved: lbInvolved(svc), type: 'Normal', reason: 'EnsuredLoadBalancer', message: 'Ensured load balancer', source: 'service-controller' });
  }
}

function claimNodePort(ctx: ApiContext, serviceKey: string): number {
  const p = allocateNodePort(ctx, serviceKey);
  (ctx.state.k8s.alloc.nodePorts ??= []).push(p);
  return p;
}

function releaseNodePort(ctx: ApiContext, port: number | undefined): void {
  const alloc = ctx.state.k8s.alloc;
  if (port !== undefined && alloc.nodePorts) alloc.nodePorts = alloc.nodePorts.filter((p) => p !== port);
}

/**
 * An update of a Service's type or externalTrafficPolicy (patch, edit, apply), as the API
 * server and the cloud controller carry it out: a NodePort or LoadBalancer Service gets node
 * ports for ports without one, and `externalTrafficPolicy: Cluster` unless it says otherwise;
 * going back to ClusterIP drops the node ports (the API server clears fields that only the old
 * type used) and the policy; a LoadBalancer gets an address from the pool and loses it when it
 * stops being one; a LoadBalancer with policy Local gets a spec.healthCheckNodePort, which is
 * released when either stops being true. Returns whether anything changed.
 * Simplified: changes to and from ExternalName are refused by the caller.
 */
export function updateServiceType(ctx: ApiContext, svc: Service, type: 'ClusterIP' | 'NodePort' | 'LoadBalancer', policy: 'Cluster' | 'Local' | undefined): boolean {
  const k = key(svc.metadata.namespace, svc.metadata.name);
  const was = svc.spec.type;
  const before = JSON.stringify(svc.spec) + JSON.stringify(svc.status);
  const external = type === 'NodePort' || type === 'LoadBalancer';
  svc.spec.type = type;
  if (external) {
    for (const p of svc.spec.ports ?? []) if (p.nodePort === undefined) p.nodePort = claimNodePort(ctx, k);
    svc.spec.externalTrafficPolicy = policy ?? svc.spec.externalTrafficPolicy ?? 'Cluster';
  } else {
    for (const p of svc.spec.ports ?? []) {
      releaseNodePort(ctx, p.nodePort);
      delete p.nodePort;
    }
    delete svc.spec.externalTrafficPolicy;
  }
  const wantsHealthCheck = type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
  if (wantsHealthCheck && svc.spec.healthCheckNodePort === undefined) svc.spec.healthCheckNodePort = claimNodePort(ctx, k);
  if (!wantsHealthCheck && svc.spec.healthCheckNodePort !== undefined) {
    releaseNodePort(ctx, svc.spec.healthCheckNodePort);
    delete svc.spec.healthCheckNodePort;
  }
  if (was === 'LoadBalancer' && type !== 'LoadBalancer') {
    if (ctx.state.k8s.alloc.loadBalancers) delete ctx.state.k8s.alloc.loadBalancers[k];
    if (ctx.state.k8s.alloc.loadBalancersDue) delete ctx.state.k8s.alloc.loadBalancersDue[k];
    svc.status.loadBalancer = {};
  }
  if (was !== 'LoadBalancer' && type === 'LoadBalancer') ensureLoadBalancer(ctx, svc);
  const changed = JSON.stringify(svc.spec) + JSON.stringify(svc.status) !== before;
  if (changed) ctx.state.proxyDirty = true;
  return changed;
}

/**
 * A node port: random from the upper band of 30000-32767 first (the API server's allocator
 * keeps the lowest min(max(16, size/32), 128) ports for static assignment: 30000-30085).
 */
function allocateNodePort(ctx: ApiContext, serviceKey: string): number {
  const used = (ctx.state.k8s.alloc.nodePorts ??= []);
  const rng = deriveRng(ctx.state.seed, `nodeport:${serviceKey}#${used.length}`);
  for (let i = 0; i < 1000; i++) {
    const p = 30086 + rng.int(32767 - 30086 + 1);
    if (!used.includes(p)) return p;
  }
  for (let p = 30000; p <= 32767; p++) if (!used.includes(p)) return p;
  throw new ApiError('InternalError', 'range is full');
}

/** A random free address above the static band: offset min(max(16, size/16), 256). */
function allocateClusterIp(ctx: ApiContext, serviceKey: string): string {
  // Each draw has a stream of its own: a Service deleted and created again gets a fresh address.
  const draws = (ctx.state.k8s.alloc.clusterIpDraws ??= {});
  const drawn = draws[serviceKey] ?? 0;
  draws[serviceKey] = drawn + 1;
  const rng = deriveRng(ctx.state.seed, `clusterip:${serviceKey}#${ctx.state.k8s.alloc.serviceIps.length}${drawn ? `@${drawn}` : ''}`);
  const range = ctx.state.config.serviceCidr;
  const n = size(range);
  const band = Math.min(Math.max(16, Math.floor(n / 16)), 256);
  const lo = band + 1;
  const hi = n - 2;
  for (let i = 0; i < 1000; i++) {
    const ip = formatIp(nth(range, lo + rng.int(hi - lo + 1)));
    if (!ctx.state.k8s.alloc.serviceIps.includes(ip)) return ip;
  }
  throw new ApiError('InternalError', 'range is full');
}

export interface IngressInit {
  name: string;
  namespace: string;
  ingressClassName?: string;
  rules: NonNullable<Ingress['spec']['rules']>;
  defaultBackend?: Ingress['spec']['defaultBackend'];
}

/** Stores an Ingress; the controller reports its address in status at its next sync (ingress-status.ts). */
export function createIngress(ctx: ApiContext, init: IngressInit): Ingress {
  const k = key(init.namespace, init.name);
  const all = (ctx.state.k8s.ingresses ??= {});
  if (all[k]) throw new ApiError('AlreadyExists', `ingresses.networking.k8s.io "${init.name}" already exists`);
  const ing: Ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta(ctx, 'Ingress', init.name, init.namespace),
    spec: { ...(init.ingressClassName ? { ingressClassName: init.ingressClassName } : {}), rules: clone(init.rules), ...(init.defaultBackend ? { defaultBackend: clone(init.defaultBackend) } : {}) },
    status: { loadBalancer: {} },
  };
  all[k] = ing;
  return ing;
}

export { ApiError };
