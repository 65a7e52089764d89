/**
 * The names CoreDNS gives a Service's endpoints.
 *
 * Design notes: the EndpointSlice controller copies a pod's `spec.hostname` into its endpoint
 * when the pod's `spec.subdomain` is the Service's name (same namespace); CoreDNS's kubernetes
 * plugin then names the endpoint by that hostname (`db-0.db.default.svc.cluster.local`: A
 * records, SRV targets, PTR answers) and otherwise by its address with dashes
 * (`10-244-1-4.db.default.svc.cluster.local`) (plugin/kubernetes/kubernetes.go
 * endpointHostname; endpointslice util podToEndpoint). `endpoint_pod_names` is not in
 * kubeadm's Corefile, so pod names are not used.
 */
import type { SimState } from '../state';
import type { Endpoint, Service } from './types';

/** The hostname the EndpointSlice controller records for an endpoint, if any. */
export function endpointSliceHostname(state: SimState, svc: Service, ep: Endpoint): string | undefined {
  if (!ep.pod) return undefined;
  const ns = svc.metadata.namespace ?? 'default';
  const pod = state.k8s.pods[`${ns}/${ep.pod}`];
  if (!pod?.spec.hostname || pod.spec.subdomain !== svc.metadata.name) return undefined;
  return pod.spec.hostname;
}

/** The first label of an endpoint's DNS name: its hostname, else its address with dashes. */
export function endpointHostname(state: SimState, svc: Service, ep: Endpoint): string {
  return endpointSliceHostname(state, svc, ep) ?? ep.ip.replace(/[.:]/g, '-');
}
