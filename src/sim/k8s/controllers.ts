/**
 * The controllers that react to changes after the cluster is built: the ReplicaSet,
 * Deployment and DaemonSet controllers, the garbage collector, the kubelet's mirror pods, and
 * the API server's delete, scale and label operations that set them off.
 *
 * Design notes: each operation changes the stored objects the way the API server would, then
 * `reconcile` runs every controller once, to a fixed point (there is no watch loop, so the
 * objects settle before the command returns; the pods they create then start as sandbox time
 * passes, see kubelet.ts, which calls `reconcile` again as their readiness changes):
 * - garbage collector: a ReplicaSet whose owning Deployment is gone, and a pod whose owning
 *   ReplicaSet or DaemonSet is gone, are deleted (background cascading deletion);
 * - Deployment controller (rollout.ts): the ReplicaSet of the current pod template
 *   (`<deployment>-<pod-template-hash>`, recreated under the same name when missing) keeps
 *   the Deployment's replica count; a changed template starts a rolling update;
 * - ReplicaSet controller: releases a pod whose labels no longer match its selector (drops its
 *   ownerReference), adopts a matching orphan, then creates pods (`<rs>-<5 random>`, scheduled
 *   and given an address from the node's host-local range like any new pod) or deletes the
 *   surplus. Which pods go first follows the controller's ranking: unscheduled, then pending,
 *   then not ready, then pods sharing a node with more of their siblings, then the newest;
 *   remaining ties go by name;
 * - DaemonSet controller: one pod per node matching its node selector, recreated on the same
 *   node when deleted or released; a changed pod template (`rollout restart`) replaces them by
 *   the RollingUpdate defaults (maxUnavailable 1, maxSurge 0): a pod of the old template is
 *   deleted only while every node has an available pod, the node's new pod is created at once,
 *   and the next goes when it is ready; nodes go in name order (the real controller's order
 *   is that of a map);
 * - kubelet: a deleted static pod's mirror pod comes back at once (same name, new uid).
 * Deleting a Service frees its ClusterIP, node ports and load balancer address; deleting a
 * pod releases its address to host-local IPAM and removes its veth pair, frees its place on
 * the node (the scheduler then retries pods that did not fit). An object created again under
 * a deleted one's name gets a new uid. Deletion is
 * immediate: no Terminating phase and no grace period (a real pod keeps running for up to
 * 30 s while its containers stop). Endpoints are derived from pods on every read, and
 * kube-proxy resyncs before the next packet (`proxyDirty`), so a change is visible at once.
 * Each step records the event its real component emits (SuccessfulCreate/SuccessfulDelete,
 * ScalingReplicaSet, Killing).
 * Left out: foreground and orphan
 * cascading, finalizers, the namespace controller's Terminating phase, and kube-proxy
 * stopping when its DaemonSet is deleted (its rules stay live).
 */
import { detachPod, nodeGone } from '../cni';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { createPod, uniquePodName } from './api';
import { ApiError } from './api-error';
import type { ApiContext } from './context';
import { InvalidError } from './validation/field';
import { validateLabels } from './validation/meta';
import { validateScale } from './validation/replicaset';
import { podReady } from './endpoints';
import { deploymentStatus, syncDeployment } from './rollout';
import { recordEvent } from './events';
import { countBinding, podGone } from './kubelet';
import { daemonSetHash, uuid } from './names';
import { deleteStored, deleteStoredInNamespace, getStored, storedKindByPlural } from './objects';
import { key, type DaemonSet, type ObjectMeta, type Pod, type ReplicaSet } from './types';

/** Resources the API operations here act on, by plural name. */
export type Resource = 'pods' | 'services' | 'deployments' | 'replicasets' | 'daemonsets' | 'namespaces' | 'ingresses' | 'nodes' | 'endpoints' | 'endpointslices' | 'configmaps' | 'secrets' | 'networkpolicies';

const NOT_FOUND_NAME: Record<Resource, string> = {
  pods: 'pods',
  services: 'services',
  deployments: 'deployments.apps',
  replicasets: 'replicasets.apps',
  daemonsets: 'daemonsets.apps',
  namespaces: 'namespaces',
  ingresses: 'ingresses.networking.k8s.io',
  nodes: 'nodes',
  endpoints: 'endpoints',
  endpointslices: 'endpointslices.discovery.k8s.io',
  configmaps: 'configmaps',
  secrets: 'secrets',
  networkpolicies: 'networkpolicies.networking.k8s.io',
};

const KIND: Record<Resource, string> = {
  pods: 'Pod',
  services: 'Service',
  deployments: 'Deployment.apps',
  replicasets: 'ReplicaSet.apps',
  daemonsets: 'DaemonSet.apps',
  namespaces: 'Namespace',
  ingresses: 'Ingress.networking.k8s.io',
  nodes: 'Node',
  endpoints: 'Endpoints',
  endpointslices: 'EndpointSlice.discovery.k8s.io',
  configmaps: 'ConfigMap',
  secrets: 'Secret',
  networkpolicies: 'NetworkPolicy.networking.k8s.io',
};

/** Namespaces the API server refuses to delete. */
const UNDELETABLE = ['default', 'kube-system', 'kube-public'];

function notFound(resource: Resource, name: string): ApiError {
  return new ApiError('NotFound', `${NOT_FOUND_NAME[resource]} "${name}" not found`);
}

function bump(state: SimState, m: ObjectMeta): void {
  m.resourceVersion = String(++state.k8s.resourceVersion);
}

type Labelled = { metadata: ObjectMeta & { generation?: number } };

/** The stored object, or undefined (Endpoints and EndpointSlices are derived, not stored). */
export function storedObject(state: SimState, resource: Resource, namespace: string, name: string): Labelled | undefined {
  const k8s = state.k8s;
  switch (resource) {
    case 'pods':
      return k8s.pods[key(namespace, name)];
    case 'services':
      return k8s.services[key(namespace, name)];
    case 'deployments':
      return k8s.deployments[key(namespace, name)];
    case 'replicasets':
      return k8s.replicasets[key(namespace, name)];
    case 'daemonsets':
      return k8s.daemonsets[key(namespace, name)];
    case 'ingresses':
      return k8s.ingresses?.[key(namespace, name)];
    case 'namespaces':
      return k8s.namespaces[name];
    case 'nodes':
      return k8s.nodes[name];
    default:
      // Stored kinds (objects.ts), and Endpoints/EndpointSlices a learner wrote.
      return getStored(state, resource, namespace, name);
  }
}

// ---------------------------------------------------------------------------------------
// Delete

/**
 * Deletes one object as `kubectl delete` asks the API server to (background propagation),
 * then lets the controllers react. Endpoints and EndpointSlices are accepted and recreated by
 * their controllers at once, so nothing changes.
 */
export function deleteObject(ctx: ApiContext, resource: Resource, namespace: string, name: string): void {
  const k8s = ctx.state.k8s;
  if (storedKindByPlural(resource) && deleteStored(ctx.state, resource, namespace, name)) return;
  if (resource === 'endpoints' || resource === 'endpointslices') return;
  const obj = storedObject(ctx.state, resource, namespace, name);
  if (!obj) throw notFound(resource, name);
  switch (resource) {
    case 'pods':
      removePod(ctx, k8s.pods[key(namespace, name)]!, 'kubelet');
      break;
    case 'services':
      removeService(ctx.state, namespace, name);
      break;
    case 'deployments':
      delete k8s.deployments[key(namespace, name)];
      deleted(ctx.state, 'Deployment', namespace, name);
      break;
    case 'replicasets':
      delete k8s.replicasets[key(namespace, name)];
      break;
    case 'daemonsets':
      delete k8s.daemonsets[key(namespace, name)];
      break;
    case 'ingresses':
      delete k8s.ingresses![key(namespace, name)];
      break;
    case 'namespaces':
      if (UNDELETABLE.includes(name)) throw new ApiError('Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`);
      removeNamespace(ctx, name);
      break;
    case 'nodes':
      removeNode(ctx, name);
      break;
  }
  reconcile(ctx);
}

/** Checks a delete without doing it (for all-or-nothing validation by callers). */
export function canDelete(state: SimState, resource: Resource, namespace: string, name: string): ApiError | undefined {
  if (storedKindByPlural(resource) && getStored(state, resource, namespace, name)) return undefined;
  if (resource === 'endpoints' || resource === 'endpointslices') {
    const svc = state.k8s.services[key(namespace, name)];
    return svc && svc.spec.selector ? undefined : notFound(resource, name);
  }
  if (!storedObject(state, resource, namespace, name)) return notFound(resource, name);
  if (resource === 'namespaces' && UNDELETABLE.includes(name)) return new ApiError('Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`);
  return undefined;
}

/** A pod leaves: the kubelet stops its containers (Killing), the CNI frees its address. */
function removePod(ctx: ApiContext, pod: Pod, by: 'kubelet' | 'gc'): void {
  const ns = pod.metadata.namespace ?? 'default';
  if (pod.spec.nodeName && pod.status.phase === 'Running') {
    for (const c of pod.spec.containers) {
      recordEvent(
        ctx.state,
        { involved: { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid, fieldPath: `spec.containers{${c.name}}` }, type: 'Normal', reason: 'Killing', message: `Stopping container ${c.name}`, source: 'kubelet', host: pod.spec.nodeName },
        ctx.now,
      );
    }
  }
  detachPod(ctx.state, pod);
  countBinding(ctx.state, pod, -1);
  if (!pod.metadata.generateName) deleted(ctx.state, 'Pod', ns, pod.metadata.name);
  delete ctx.state.k8s.pods[key(ns, pod.metadata.name)];
  podGone(ctx, pod);
  ctx.state.proxyDirty = true;
  // The kubelet recreates the mirror pod of a static pod it still runs from its manifest.
  if (by === 'kubelet' && isStaticPod(pod)) {
    createPod(ctx, { name: pod.metadata.name, namespace: ns, ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}), spec: pod.spec });
    mirrorUid(ctx, ctx.state.k8s.pods[key(ns, pod.metadata.name)]!);
  }
}

/**
 * A Node object deleted (`kubectl delete node`): the node lifecycle controller records
 * `RemovingNode`, the pod garbage collector deletes every pod bound to the node (podgc's
 * orphaned pods: it waits out a 40 s quarantine, which the sandbox does not), their
 * controllers start replacements on the other nodes, and the network plugin's agents on the
 * other nodes drop what they programmed for its subnet (flanneld's lease watch). The machine
 * itself is untouched. Simplified: a kubelet still running there does not register the node
 * again (a real one creates the Node anew at its next status update).
 */
function removeNode(ctx: ApiContext, name: string): void {
  const state = ctx.state;
  recordEvent(state, { involved: { kind: 'Node', name, uid: state.k8s.nodes[name]!.metadata.uid ?? name }, type: 'Normal', reason: 'RemovingNode', message: `Node ${name} event: Removing Node ${name} from Controller`, source: 'node-controller' }, ctx.now);
  for (const p of Object.values(state.k8s.pods)) if (p.spec.nodeName === name) removePod(ctx, p, 'gc');
  nodeGone(state, name);
  delete state.k8s.nodes[name];
  deleted(state, 'Node', undefined, name);
  state.proxyDirty = true;
}

/** Static pods: the control plane's, on the host network of the node named in their name. */
function isStaticPod(pod: Pod): boolean {
  return !pod.metadata.ownerReferences?.length && pod.metadata.labels?.tier === 'control-plane' && !!pod.spec.hostNetwork && pod.metadata.namespace === 'kube-system';
}

/** A recreated object is a new object: it gets a uid of its own. */
function mirrorUid(ctx: ApiContext, pod: Pod): void {
  pod.metadata.uid = uuid(deriveRng(ctx.state.seed, `uid:Pod/${key(pod.metadata.namespace, pod.metadata.name)}@${pod.metadata.resourceVersion}`));
}

/** Counts a deletion, so that an object created again under the name gets a uid of its own. */
function deleted(state: SimState, kind: string, namespace: string | undefined, name: string): void {
  const incarnations = (state.k8s.alloc.incarnations ??= {});
  const k = `${kind}/${key(namespace, name)}`;
  incarnations[k] = (incarnations[k] ?? 0) + 1;
}

function removeService(state: SimState, namespace: string, name: string): void {
  const k = key(namespace, name);
  const svc = state.k8s.services[k];
  if (!svc) return;
  deleted(state, 'Service', namespace, name);
  const alloc = state.k8s.alloc;
  const ips = new Set(svc.spec.clusterIPs ?? (svc.spec.clusterIP ? [svc.spec.clusterIP] : []));
  alloc.serviceIps = alloc.serviceIps.filter((ip) => !ips.has(ip));
  const ports = new Set([...(svc.spec.ports ?? []).map((p) => p.nodePort), svc.spec.healthCheckNodePort].filter((p): p is number => p !== undefined));
  if (alloc.nodePorts) alloc.nodePorts = alloc.nodePorts.filter((p) => !ports.has(p));
  if (alloc.loadBalancers) delete alloc.loadBalancers[k];
  if (alloc.loadBalancersDue) delete alloc.loadBalancersDue[k];
  if (alloc.sliceSuffixes) delete alloc.sliceSuffixes[k];
  if (state.k8s.manualEndpoints) delete state.k8s.manualEndpoints[k];
  delete state.k8s.services[k];
  state.proxyDirty = true;
}

/** The namespace controller: everything in it goes, then the namespace itself. */
function removeNamespace(ctx: ApiContext, name: string): void {
  const k8s = ctx.state.k8s;
  const inNs = <T extends { metadata: { namespace?: string } }>(m: Record<string, T> | undefined): string[] => Object.keys(m ?? {}).filter((k) => m![k]!.metadata.namespace === name);
  for (const k of inNs(k8s.deployments)) delete k8s.deployments[k];
  for (const k of inNs(k8s.replicasets)) delete k8s.replicasets[k];
  for (const k of inNs(k8s.daemonsets)) delete k8s.daemonsets[k];
  for (const k of inNs(k8s.pods)) removePod(ctx, k8s.pods[k]!, 'gc');
  for (const k of inNs(k8s.services)) removeService(ctx.state, name, k8s.services[k]!.metadata.name);
  for (const k of inNs(k8s.ingresses)) delete k8s.ingresses![k];
  deleteStoredInNamespace(ctx.state, name);
  delete k8s.namespaces[name];
}

// ---------------------------------------------------------------------------------------
// Scale and label

/** The scale subresource: Deployments and ReplicaSets. */
export function scaleObject(ctx: ApiContext, resource: 'deployments' | 'replicasets', namespace: string, name: string, replicas: number): void {
  const state = ctx.state;
  // Admission of the Scale object (ValidateScale): a negative count changes nothing.
  const errs = validateScale(replicas);
  if (errs.length) throw new InvalidError('Scale', 'autoscaling', name, errs);
  if (resource === 'deployments') {
    const d = state.k8s.deployments[key(namespace, name)];
    if (!d) throw notFound(resource, name);
    if (d.spec.replicas !== replicas) {
      d.spec.replicas = replicas;
      d.metadata.generation++;
      bump(state, d.metadata);
    }
  } else {
    const rs = state.k8s.replicasets[key(namespace, name)];
    if (!rs) throw notFound(resource, name);
    if (rs.spec.replicas !== replicas) {
      rs.spec.replicas = replicas;
      rs.metadata.generation++;
      bump(state, rs.metadata);
      // The ReplicaSet controller acts first; an owning Deployment then puts its count back.
      syncReplicaSet(ctx, rs, ownedPods(state));
    }
  }
  reconcile(ctx);
}

/**
 * Sets and removes labels on a stored object (the merge patch `kubectl label` sends). The
 * resulting labels are validated as the API server validates them (nothing changes when they
 * are refused); the controllers then re-select.
 */
export function patchLabels(ctx: ApiContext, resource: Resource, namespace: string, name: string, set: Record<string, string>, remove: string[]): void {
  const obj = storedObject(ctx.state, resource, namespace, name);
  if (!obj) throw notFound(resource, name);
  const labels = { ...(obj.metadata.labels ?? {}), ...set };
  for (const r of remove) delete labels[r];
  // Admission: the labels the object would have, as ValidateObjectMeta checks them.
  const errs = validateLabels(labels, 'metadata.labels');
  if (errs.length) {
    const [kind, ...group] = KIND[resource].split('.');
    throw new InvalidError(kind!, group.join('.'), name, errs);
  }
  const before = JSON.stringify(obj.metadata.labels ?? {});
  if (Object.keys(labels).length) obj.metadata.labels = labels;
  else delete obj.metadata.labels;
  if (JSON.stringify(obj.metadata.labels ?? {}) === before) return;
  bump(ctx.state, obj.metadata);
  if (resource === 'pods' || resource === 'nodes') ctx.state.proxyDirty = true;
  reconcile(ctx);
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** apimachinery's IsQualifiedName, as the API server checks label keys; undefined when valid. */
export function labelKeyProblem(k: string): string | undefined {
  const parts = k.split('/');
  let namePart = k;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    namePart = parts[1]!;
    if (prefix.length === 0) return 'prefix part must be non-empty';
    if (prefix.length > 253) return 'prefix part must be no more than 253 characters';
    if (!DNS1123_SUBDOMAIN.test(prefix)) {
      return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    }
  } else if (parts.length > 2) {
    return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  }
  if (namePart.length === 0) return 'name part must be non-empty';
  if (namePart.length > 63) return 'name part must be no more than 63 characters';
  if (!NAME_PART.test(namePart)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  }
  return undefined;
}

/** apimachinery's IsValidLabelValue: the messages, joined as kubectl joins them; undefined when valid. */
export function labelValueProblem(v: string): string | undefined {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (v !== '' && !NAME_PART.test(v)) {
    errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  }
  return errs.length ? errs.join(';') : undefined;
}

// ---------------------------------------------------------------------------------------
// The controllers

function controllerOf(m: ObjectMeta): NonNullable<ObjectMeta['ownerReferences']>[number] | undefined {
  return m.ownerReferences?.find((o) => o.controller);
}

/** Pods by the uid of their controller (orphans under ''). */
function ownedPods(state: SimState): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of Object.values(state.k8s.pods)) {
    const uid = controllerOf(p.metadata)?.uid ?? '';
    const list = out.get(uid);
    if (list) list.push(p);
    else out.set(uid, [p]);
  }
  return out;
}

const matchesSelector = (sel: Record<string, string>, labels: Record<string, string> | undefined): boolean => Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels?.[k] === v);

/** Runs every controller until nothing changes. */
export function reconcile(ctx: ApiContext): void {
  const state = ctx.state;
  const k8s = state.k8s;
  // Garbage collector: ReplicaSets of deleted Deployments, pods of deleted ReplicaSets and DaemonSets.
  const deploymentUids = new Set(Object.values(k8s.deployments).map((d) => d.metadata.uid));
  for (const [k, rs] of Object.entries(k8s.replicasets)) {
    const owner = controllerOf(rs.metadata);
    if (owner?.kind === 'Deployment' && !deploymentUids.has(owner.uid)) delete k8s.replicasets[k];
  }
  const controllerUids = new Set([...Object.values(k8s.replicasets), ...Object.values(k8s.daemonsets)].map((o) => o.metadata.uid));
  for (const p of Object.values(k8s.pods)) {
    const owner = controllerOf(p.metadata);
    if (owner && (owner.kind === 'ReplicaSet' || owner.kind === 'DaemonSet') && !controllerUids.has(owner.uid)) removePod(ctx, p, 'gc');
  }
  // Deployment controller: its ReplicaSet exists and wants as many pods as the Deployment.
  for (const d of Object.values(k8s.deployments)) syncDeployment(ctx, d);
  const pods = ownedPods(state);
  for (const rs of Object.values(k8s.replicasets)) syncReplicaSet(ctx, rs, pods);
  for (const ds of Object.values(k8s.daemonsets)) syncDaemonSet(ctx, ds, pods);
  for (const d of Object.values(k8s.deployments)) deploymentStatus(state, d);
}


/**
 * The ReplicaSet and Deployment status fields that follow their pods' readiness (ready and
 * available replicas), as the controllers write them when a pod's Ready condition changes
 * outside any controller (a failing readiness probe).
 */
export function refreshReadiness(state: SimState): void {
  const pods = ownedPods(state);
  for (const rs of Object.values(state.k8s.replicasets)) {
    const ready = (pods.get(rs.metadata.uid) ?? []).filter(podReady).length;
    rs.status = { ...rs.status, readyReplicas: ready, availableReplicas: ready };
  }
  for (const d of Object.values(state.k8s.deployments)) deploymentStatus(state, d);
}

function syncReplicaSet(ctx: ApiContext, rs: ReplicaSet, pods: Map<string, Pod[]>): void {
  const state = ctx.state;
  const namespace = rs.metadata.namespace ?? 'default';
  const sel = rs.spec.selector.matchLabels;
  const uid = rs.metadata.uid;
  const involved = { kind: 'ReplicaSet', namespace, name: rs.metadata.name, uid };
  let mine = pods.get(uid) ?? [];
  // Release pods that no longer match; adopt matching orphans.
  const released = mine.filter((p) => !matchesSelector(sel, p.metadata.labels));
  for (const p of released) release(state, p, uid, pods);
  mine = mine.filter((p) => !released.includes(p));
  for (const p of pods.get('') ?? []) {
    if (p.metadata.namespace !== namespace || p.spec.hostNetwork || !matchesSelector(sel, p.metadata.labels)) continue;
    p.metadata.ownerReferences = [...(p.metadata.ownerReferences ?? []), { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid, controller: true, blockOwnerDeletion: true }];
    bump(state, p.metadata);
    mine.push(p);
    pods.set('', (pods.get('') ?? []).filter((x) => x !== p));
  }
  const diff = mine.length - rs.spec.replicas;
  if (diff < 0) {
    for (let i = 0; i < -diff; i++) {
      const name = uniquePodName(ctx, namespace, `${rs.metadata.name}-`);
      recordEvent(state, { involved, type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${name}`, source: 'replicaset-controller' }, ctx.now);
      const pod = createPod(ctx, {
        name,
        generateName: `${rs.metadata.name}-`,
        namespace,
        labels: rs.spec.template.metadata.labels,
        spec: rs.spec.template.spec,
        owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid },
      });
      mine.push(pod);
    }
  } else if (diff > 0) {
    // Siblings: every pod of the ReplicaSets of the same Deployment (the controller's "related pods").
    const owner = controllerOf(rs.metadata);
    const related = owner ? Object.values(state.k8s.replicasets).filter((r) => controllerOf(r.metadata)?.uid === owner.uid).flatMap((r) => pods.get(r.metadata.uid) ?? []) : mine;
    for (const p of podsToDelete(mine, related, diff)) {
      recordEvent(state, { involved, type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${p.metadata.name}`, source: 'replicaset-controller' }, ctx.now);
      removePod(ctx, p, 'gc');
      mine = mine.filter((x) => x !== p);
    }
  }
  pods.set(uid, mine);
  const ready = mine.filter(podReady).length;
  rs.status = { replicas: mine.length, fullyLabeledReplicas: mine.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation };
}

function release(state: SimState, p: Pod, uid: string, pods: Map<string, Pod[]>): void {
  const refs = (p.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
  if (refs.length) p.metadata.ownerReferences = refs;
  else delete p.metadata.ownerReferences;
  bump(state, p.metadata);
  pods.set('', [...(pods.get('') ?? []), p]);
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * The ReplicaSet controller's choice of pods to delete (controller.ActivePodsWithRanks): not
 * scheduled, then pending, then not ready, then doubled up on a node with more siblings, then
 * the most recently created; ties by name.
 */
export function podsToDelete(pods: Pod[], related: Pod[], n: number): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of related) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const rank = (p: Pod): number => (p.spec.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  const sorted = [...pods].sort((a, b) => {
    if (!a.spec.nodeName !== !b.spec.nodeName) return a.spec.nodeName ? 1 : -1;
    const pa = PHASE_RANK[a.status.phase] ?? 2;
    const pb = PHASE_RANK[b.status.phase] ?? 2;
    if (pa !== pb) return pa - pb;
    if (podReady(a) !== podReady(b)) return podReady(a) ? 1 : -1;
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (a.metadata.creationTimestamp !== b.metadata.creationTimestamp) return a.metadata.creationTimestamp < b.metadata.creationTimestamp ? 1 : -1;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  });
  return sorted.slice(0, n);
}

function syncDaemonSet(ctx: ApiContext, ds: DaemonSet, pods: Map<string, Pod[]>): void {
  const state = ctx.state;
  const namespace = ds.metadata.namespace ?? 'default';
  const uid = ds.metadata.uid;
  const sel = ds.spec.selector.matchLabels;
  let mine = pods.get(uid) ?? [];
  const released = mine.filter((p) => !matchesSelector(sel, p.metadata.labels));
  for (const p of released) release(state, p, uid, pods);
  mine = mine.filter((p) => !released.includes(p));
  const nodeSelector = ds.spec.template.spec.nodeSelector ?? {};
  const hash = daemonSetHash(ds);
  const nodes = Object.values(state.k8s.nodes).filter((node) => Object.entries(nodeSelector).every(([k, v]) => node.metadata.labels?.[k] === v));
  // RollingUpdate (maxUnavailable 1, maxSurge 0): pods of an older template go, unavailable ones
  // at once, available ones only while no node lacks an available pod; each node's new pod is
  // then created below. The next goes when it is ready (the kubelet reconciles again).
  const old = mine.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== hash).sort((a, b) => (a.spec.nodeName ?? '').localeCompare(b.spec.nodeName ?? ''));
  if (old.length > 0) {
    let unavailable = nodes.filter((n) => !mine.some((p) => p.spec.nodeName === n.metadata.name && podReady(p))).length;
    const involved = { kind: 'DaemonSet', namespace, name: ds.metadata.name, uid };
    const goes = [...old.filter((p) => !podReady(p))];
    for (const p of old.filter(podReady)) {
      if (unavailable >= 1) break;
      goes.push(p);
      unavailable++;
    }
    for (const p of goes) {
      recordEvent(state, { involved, type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${p.metadata.name}`, source: 'daemonset-controller' }, ctx.now);
      removePod(ctx, p, 'gc');
    }
    mine = mine.filter((p) => !goes.includes(p));
  }
  for (const node of nodes) {
    const name = node.metadata.name;
    if (mine.some((p) => p.spec.nodeName === name)) continue;
    const podName = uniquePodName(ctx, namespace, `${ds.metadata.name}-`);
    recordEvent(state, { involved: { kind: 'DaemonSet', namespace, name: ds.metadata.name, uid }, type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${podName}`, source: 'daemonset-controller' }, ctx.now);
    mine.push(
      createPod(ctx, {
        name: podName,
        generateName: `${ds.metadata.name}-`,
        namespace,
        labels: { ...ds.spec.template.metadata.labels, 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation) },
        spec: { ...ds.spec.template.spec, nodeName: name },
        owner: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid },
      }),
    );
  }
  pods.set(uid, mine);
}
