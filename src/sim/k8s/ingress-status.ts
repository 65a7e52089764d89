/**
 * ingress-nginx's status updates for a controller started with
 * `--report-node-internal-ip-address` (minikube's ingress addon): the Ingresses of its class
 * get the InternalIP of the node the controller runs on.
 *
 * Design notes: the controller syncs status when it has started (it is elected leader at
 * once when it is alone) and every 60 s after (UpdateInterval); an Ingress gets the address at
 * the first sync after its creation, so `kubectl get ingress` shows ADDRESS empty for up
 * to a minute, as the walk-throughs warn. Its class is nginx, or none (nginx is the default
 * IngressClass). With no controller running the addresses it wrote are taken away again
 * (`--update-status-on-shutdown`, on by default). A controller behind a LoadBalancer Service
 * (the other install the sandbox has) is left alone: api.ts copies the Service's address.
 * advance.ts runs this, so status catches up whenever sandbox time is read.
 */
import type { SimState } from '../state';
import { key, type Ingress } from './types';

export const REPORT_NODE_IP = '--report-node-internal-ip-address';
/** ingress-nginx's status sync period (UpdateInterval). */
export const STATUS_SYNC_MS = 60_000;
const NAMESPACE = 'ingress-nginx';

/** The node's InternalIP. */
export function nodeInternalIp(state: SimState, node: string): string | undefined {
  return state.k8s.nodes[node]?.status.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

/** An Ingress the nginx class takes: its class is nginx, or it has none (nginx is the default class). */
function nginxClass(ing: Ingress): boolean {
  return ing.spec.ingressClassName === undefined || ing.spec.ingressClassName === 'nginx';
}

/** Brings the Ingresses' status up to the controller's syncs by `now`; true when one changed. */
export function ingressStatusSync(state: SimState, now: number): boolean {
  const ingresses = state.k8s.ingresses;
  if (!ingresses || Object.keys(ingresses).length === 0) return false;
  const d = state.k8s.deployments[key(NAMESPACE, 'ingress-nginx-controller')];
  if (d && !d.spec.template.spec.containers[0]?.args?.includes(REPORT_NODE_IP)) return false;
  const pod = d && Object.values(state.k8s.pods).find((p) => p.metadata.namespace === NAMESPACE && p.metadata.labels?.['app.kubernetes.io/component'] === 'controller' && p.status.phase === 'Running');
  const startedAt = pod?.status.containerStatuses?.[0]?.state.running?.startedAt;
  const ip = pod?.spec.nodeName ? nodeInternalIp(state, pod.spec.nodeName) : undefined;
  let changed = false;
  for (const ing of Object.values(ingresses)) {
    if (!nginxClass(ing)) continue;
    const has = ing.status.loadBalancer.ingress?.[0]?.ip;
    if (!startedAt || !ip) {
      if (has !== undefined && ing.status.loadBalancer.ingress?.length === 1 && Object.values(state.k8s.nodes).some((n) => nodeInternalIp(state, n.metadata.name) === has)) {
        ing.status = { loadBalancer: {} };
        ing.metadata.resourceVersion = String(++state.k8s.resourceVersion);
        changed = true;
      }
      continue;
    }
    if (has === ip) continue;
    const start = Date.parse(startedAt);
    const created = Date.parse(ing.metadata.creationTimestamp);
    // Timestamps have whole seconds: an Ingress stamped with the controller's start second is
    // taken to come after that sync.
    const sync = created < start ? start : start + (Math.floor((created - start) / STATUS_SYNC_MS) + 1) * STATUS_SYNC_MS;
    if (sync > now) continue;
    ing.status = { loadBalancer: { ingress: [{ ip }] } };
    ing.metadata.resourceVersion = String(++state.k8s.resourceVersion);
    changed = true;
  }
  return changed;
}
