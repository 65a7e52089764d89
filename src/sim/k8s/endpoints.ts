/**
 * Which pods stand behind a Service: the EndpointSlice controller's selection.
 *
 * Design notes: a Service with a selector selects the pods in its namespace whose labels
 * include every selector pair; an endpoint is ready when its pod is Running with the Ready
 * condition True and has an IP; each Service port maps to the pod's target port (a named
 * targetPort is looked up in the pod's container ports). Services without a selector have no
 * managed endpoints. Addresses are sorted numerically, as kubectl prints them.
 */
import { parseIp } from '../ipv4';
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

/** Every pod the Service selects, ready or not, sorted by address. */
export function serviceEndpoints(state: SimState, svc: Service): Endpoint[] {
  const out: Endpoint[] = [];
  const manual = state.k8s.manualEndpoints?.[`${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`];
  if (manual && !svc.spec.selector) return manual.map((m) => ({ ip: m.ip, pod: '', node: m.node, ready: true }));
  for (const pod of Object.values(state.k8s.pods)) {
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
