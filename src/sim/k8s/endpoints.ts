/**
 * Which pods stand behind a Service: the EndpointSlice controller's selection.
 *
 * Design notes: a Service with a selector selects the pods in its namespace whose labels
 * include every selector pair; an endpoint is ready when its pod is Running with the Ready
 * condition True and has an IP; each Service port maps to the pod's target port (a named
 * targetPort is looked up in the pod's container ports); an endpoint carries its pod's
 * spec.hostname when the pod's subdomain is the Service (dns-records.ts). Services without a selector have no
 * managed endpoints: their endpoints are what someone wrote, the API server's own for
 * `default/kubernetes`, or a learner's EndpointSlices labelled `kubernetes.io/service-name`
 * and Endpoints named after the Service (objects.ts). kube-proxy reads EndpointSlices only;
 * the EndpointSlice mirroring controller copies a selectorless Service's Endpoints into a
 * slice (`<svc>-<5 chars>`, managed by endpointslicemirroring-controller.k8s.io), so both
 * count, merged by address; a slice endpoint whose `ready` is unset is ready, an Endpoints
 * address is ready unless listed under notReadyAddresses. Their ports are matched to the
 * Service's ports by name. Addresses are sorted numerically, as kubectl prints them. Both
 * objects carry the Service's labels and, for a headless Service, `service.kubernetes.io/headless`.
 */
import { parseIp } from '../ipv4';
import { endpointSliceHostname } from './dns-records';
import type { Endpoint, Pod, Service, ServicePort } from './types';
import type { SimState } from '../state';
import { getStored, storedList } from './objects';
import { randomSuffix } from './names';
import { deriveRng } from '../rng';

export type { Endpoint } from './types';

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
  if (!svc.spec.selector) return writtenEndpoints(state, svc);
  const sel = Object.entries(svc.spec.selector ?? {});
  const candidates = index && sel.length > 0 ? (index.get(`${svc.metadata.namespace ?? 'default'}|${sel[0]![0]}=${sel[0]![1]}`) ?? []) : Object.values(state.k8s.pods);
  for (const pod of candidates) {
    if (!selects(svc, pod) || !pod.status.podIP) continue;
    out.push({ ip: pod.status.podIP, pod: pod.metadata.name, node: pod.spec.nodeName ?? '', ready: podReady(pod) });
  }
  return out.sort((a, b) => (parseIp(a.ip) ?? 0) - (parseIp(b.ip) ?? 0));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const portMap = (ports: unknown): Record<string, number> =>
  Object.fromEntries((Array.isArray(ports) ? ports : []).filter(isObj).filter((p) => typeof p.port === 'number').map((p) => [typeof p.name === 'string' ? p.name : '', p.port as number]));

/** The endpoints of a selectorless Service from the EndpointSlices and Endpoints written for it. */
function writtenEndpoints(state: SimState, svc: Service): Endpoint[] {
  const ns = svc.metadata.namespace ?? 'default';
  const byIp = new Map<string, Endpoint>();
  const add = (e: Endpoint): void => {
    const had = byIp.get(e.ip);
    byIp.set(e.ip, had ? { ...had, ready: had.ready || e.ready, ports: { ...e.ports, ...had.ports } } : e);
  };
  for (const slice of storedList(state, 'endpointslices')) {
    if (slice.metadata.namespace !== ns || slice.metadata.labels?.['kubernetes.io/service-name'] !== svc.metadata.name) continue;
    if (slice.addressType !== 'IPv4') continue;
    const ports = portMap(slice.ports);
    for (const e of Array.isArray(slice.endpoints) ? slice.endpoints : []) {
      if (!isObj(e) || !Array.isArray(e.addresses) || typeof e.addresses[0] !== 'string') continue;
      const ready = !isObj(e.conditions) || e.conditions.ready !== false;
      add({ ip: e.addresses[0], pod: '', node: typeof e.nodeName === 'string' ? e.nodeName : '', ready, ports });
    }
  }
  const eps = getStored(state, 'endpoints', ns, svc.metadata.name);
  if (eps && eps.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'] !== 'true') {
    for (const ss of Array.isArray(eps.subsets) ? eps.subsets : []) {
      if (!isObj(ss)) continue;
      const ports = portMap(ss.ports);
      for (const [field, ready] of [['addresses', true], ['notReadyAddresses', false]] as const) {
        for (const a of Array.isArray(ss[field]) ? (ss[field] as unknown[]) : []) {
          if (isObj(a) && typeof a.ip === 'string') add({ ip: a.ip, pod: '', node: typeof a.nodeName === 'string' ? a.nodeName : '', ready, ports });
        }
      }
    }
  }
  return [...byIp.values()].sort((a, b) => (parseIp(a.ip) ?? 0) - (parseIp(b.ip) ?? 0));
}

/** The port an endpoint serves a Service port on: a written endpoint's own port, else the pod's target port. */
export function endpointPort(port: ServicePort, ep: Endpoint, pod: Pod | undefined): number | undefined {
  if (ep.ports) return ep.ports[port.name ?? ''];
  return targetPortFor(port, pod);
}

/** The port on the pod that a Service port sends to (a named targetPort resolves per pod). */
export function targetPortFor(port: ServicePort, pod: Pod | undefined): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  for (const c of pod?.spec.containers ?? []) for (const p of c.ports ?? []) if (p.name === port.targetPort) return p.containerPort;
  return undefined;
}

/**
 * The labels the endpoints and EndpointSlice controllers put on a Service's endpoints: the
 * Service's own, and `service.kubernetes.io/headless: ""` when it has no cluster IP.
 */
function controllerLabels(svc: Service): Record<string, string> {
  return { ...svc.metadata.labels, ...(svc.spec.clusterIP === 'None' ? { 'service.kubernetes.io/headless': '' } : {}) };
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
    // The controller copies the Service's labels (and marks a headless one); an empty map is omitted, as Go's omitempty does.
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, creationTimestamp: svc.metadata.creationTimestamp, ...(Object.keys(controllerLabels(svc)).length ? { labels: controllerLabels(svc) } : {}) },
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
          labels: { ...controllerLabels(svc), 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': svc.metadata.name },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
    ports: (svc.spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol })),
  };
}

/**
 * The EndpointSlices the mirroring controller keeps for Endpoints written for a Service
 * without a selector (not for ones labelled skip-mirror, nor for the API server's own).
 */
export function mirroredSlices(state: SimState): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const eps of storedList(state, 'endpoints')) {
    const ns = eps.metadata.namespace ?? 'default';
    const svc = state.k8s.services[`${ns}/${eps.metadata.name}`];
    if (!svc || svc.spec.selector || eps.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'] === 'true') continue;
    (Array.isArray(eps.subsets) ? eps.subsets : []).forEach((ss: unknown, i: number) => {
      if (!isObj(ss)) return;
      const list = (field: string, ready: boolean) =>
        (Array.isArray(ss[field]) ? (ss[field] as unknown[]) : []).filter(isObj).map((a) => ({
          addresses: [String(a.ip)],
          conditions: { ready },
          ...(typeof a.nodeName === 'string' ? { nodeName: a.nodeName } : {}),
        }));
      out.push({
        addressType: 'IPv4',
        apiVersion: 'discovery.k8s.io/v1',
        endpoints: [...list('addresses', true), ...list('notReadyAddresses', false)],
        kind: 'EndpointSlice',
        metadata: {
          name: `${eps.metadata.name}-${randomSuffix(deriveRng(state.seed, `mirror:${ns}/${eps.metadata.name}#${i}`))}`,
          namespace: ns,
          creationTimestamp: eps.metadata.creationTimestamp,
          generateName: `${eps.metadata.name}-`,
          labels: { ...(eps.metadata.labels ?? {}), 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io', 'kubernetes.io/service-name': eps.metadata.name },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: eps.metadata.name, uid: eps.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        ports: (Array.isArray(ss.ports) ? (ss.ports as unknown[]) : []).filter(isObj).map((p) => ({ name: typeof p.name === 'string' ? p.name : '', port: p.port, protocol: p.protocol ?? 'TCP' })),
      });
    });
  }
  return out;
}

/**
 * The endpoints of a Service as one slice, for describers: the controller's slice, or for a
 * Service without a selector the slices and Endpoints written for it (kubectl describe
 * merges every slice labelled with the Service's name).
 */
export function serviceSliceView(state: SimState, svc: Service): { endpoints: { addresses: string[]; conditions: { ready?: boolean } }[]; ports: { name?: string; port: number }[] } | undefined {
  const own = endpointSliceObject(state, svc) as ReturnType<typeof serviceSliceView>;
  if (own || svc.spec.selector) return own;
  const eps = writtenEndpoints(state, svc);
  if (eps.length === 0) return undefined;
  const ports = new Map<string, number>();
  for (const e of eps) for (const [name, port] of Object.entries(e.ports ?? {})) if (!ports.has(name)) ports.set(name, port);
  return { endpoints: eps.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready } })), ports: [...ports].map(([name, port]) => ({ name, port })) };
}
