/**
 * Which pods stand behind a Service: the EndpointSlice controller's selection.
 *
 * Design notes: a Service with a selector selects the pods in its namespace whose labels
 * include every selector pair; an endpoint is ready when its pod is Running with the Ready
 * condition True and has an IP; each Service port maps to the pod's target port (a named
 * targetPort is looked up in the pod's container ports); an endpoint carries its pod's
 * spec.hostname when the pod's subdomain is the Service (dns-records.ts). Services without a selector have no
 * managed endpoints. Addresses are sorted numerically, as kubectl prints them.
 */
import { parseIp } from '../ipv4';
import { endpointSliceHostname } from './dns-records';
import type { Pod, Service, ServicePort } from './types';
import type { SimState } from '../state';

export interface Endpoint {
  ip: string;
  pod: string;
  node: string;
  ready: boolean;
}

export function selects(svc: Service, pod: Pod): boolean {
  const sel = svc.spec.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  if ((pod.metadata.namespace ?? 'default') !== (svc.metadata.namespace ?? 'default')) return false;
  return Object.entries(sel).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

export function podReady(pod: Pod): boolean {
  return pod.status.phase === 'Running' && !!pod.status.podIP && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Pods by `namespace|key=value` for every label: built once when many Services are resolved
 * together (kube-proxy's sync), so each selector looks at its own pods only.
 */
export type PodIndex = Map<string, Pod[]>;

export function indexPods(state: SimState): PodIndex {
  const ix: PodIndex = new Map();
  for (const pod of Object.values(state.k8s.pods)) {
    const ns = pod.metadata.namespace ?? 'default';
    for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
      const key = `${ns}|${k}=${v}`;
      const list = ix.get(key);
      if (list) list.push(pod);
      else ix.set(key, [pod]);
    }
  }
  return ix;
}

/** Every pod the Service selects, ready or not, sorted by address. */
export function serviceEndpoints(state: SimState, svc: Service, index?: PodIndex): Endpoint[] {
  const out: Endpoint[] = [];
  const manual = state.k8s.manualEndpoints?.[`${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`];
  if (manual && !svc.spec.selector) return manual.map((m) => ({ ip: m.ip, pod: '', node: m.node, ready: true }));
  const sel = Object.entries(svc.spec.selector ?? {});
  const candidates = index && sel.length > 0 ? (index.get(`${svc.metadata.namespace ?? 'default'}|${sel[0]![0]}=${sel[0]![1]}`) ?? []) : Object.values(state.k8s.pods);
  for (const pod of candidates) {
    if (!selects(svc, pod) || !pod.status.podIP) continue;
    out.push({ ip: pod.status.podIP, pod: pod.metadata.name, node: pod.spec.nodeName ?? '', ready: podReady(pod) });
  }
  return out.sort((a, b) => (parseIp(a.ip) ?? 0) - (parseIp(b.ip) ?? 0));
}

/** The port on the pod that a Service port sends to (a named targetPort resolves per pod). */
export function targetPortFor(port: ServicePort, pod: Pod | undefined): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  for (const c of pod?.spec.containers ?? []) for (const p of c.ports ?? []) if (p.name === port.targetPort) return p.containerPort;
  return undefined;
}

/** The Endpoints object the endpoints controller keeps for a Service (v1, deprecated in 1.33). */
export function endpointsObject(state: SimState, svc: Service): Record<string, unknown> | undefined {
  if (!svc.spec.selector && !state.k8s.manualEndpoints?.[`${svc.metadata.namespace}/${svc.metadata.name}`]) return undefined;
  const eps = serviceEndpoints(state, svc);
  const addr = (e: Endpoint) => ({ ...(endpointSliceHostname(state, svc, e) ? { hostname: endpointSliceHostname(state, svc, e) } : {}), ip: e.ip, ...(e.node ? { nodeName: e.node } : {}), ...(e.pod ? { targetRef: { kind: 'Pod', name: e.pod, namespace: svc.metadata.namespace } } : {}) });
  const ready = eps.filter((e) => e.ready);
  const notReady = eps.filter((e) => !e.ready);
  const ports = (svc.spec.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: targetPortFor(p, state.k8s.pods[`${svc.metadata.namespace}/${eps[0]?.pod ?? ''}`]) ?? (typeof p.targetPort === 'number' ? p.targetPort : p.port), protocol: p.protocol }));
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    // The controller copies the Service's labels; an empty map is omitted, as Go's omitempty does.
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, creationTimestamp: svc.metadata.creationTimestamp, ...(Object.keys(svc.metadata.labels ?? {}).length ? { labels: { ...svc.metadata.labels } } : {}) },
    subsets: eps.length === 0 ? [] : [{ ...(ready.length ? { addresses: ready.map(addr) } : {}), ...(notReady.length ? { notReadyAddresses: notReady.map(addr) } : {}), ports }],
  };
}

/** The EndpointSlice the EndpointSlice controller keeps (one per Service here: at most 100 endpoints each in reality). */
export function endpointSliceObject(state: SimState, svc: Service): Record<string, unknown> | undefined {
  const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
  const suffix = state.k8s.alloc.sliceSuffixes?.[key];
  if (!suffix || (!svc.spec.selector && !state.k8s.manualEndpoints?.[key])) return undefined;
  const eps = serviceEndpoints(state, svc);
  // The API server keeps its own slice, named `kubernetes`, outside the EndpointSlice controller.
  const apiserver = key === 'default/kubernetes';
  return {
    addressType: 'IPv4',
    apiVersion: 'discovery.k8s.io/v1',
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
      ...(endpointSliceHostname(state, svc, e) ? { hostname: endpointSliceHostname(state, svc, e) } : {}),
      ...(e.node ? { nodeName: e.node } : {}),
      ...(e.pod ? { targetRef: { kind: 'Pod', name: e.pod, namespace: svc.metadata.namespace } } : {}),
    })),
    kind: 'EndpointSlice',
    metadata: apiserver
      ? {
          name: 'kubernetes',
          namespace: svc.metadata.namespace,
          creationTimestamp: svc.metadata.creationTimestamp,
          labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true', 'kubernetes.io/service-name': 'kubernetes' },
        }
      : {
          name: `${svc.metadata.name}-${suffix}`,
          namespace: svc.metadata.namespace,
          creationTimestamp: svc.metadata.creationTimestamp,
          generateName: `${svc.metadata.name}-`,
          labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': svc.metadata.name },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
    ports: (svc.spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol })),
  };
}
