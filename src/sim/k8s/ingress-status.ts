/**
 * ingress-nginx's status updates (internal/ingress/status): the Ingresses the controller takes
 * get the address it publishes. Started with `--publish-service=NS/NAME` (the cloud manifest,
 * behind its LoadBalancer Service) that is the Service's load balancer address; with
 * `--report-node-internal-ip-address` (minikube's ingress addon) the InternalIP of the node the
 * controller runs on.
 *
 * Design notes: the controller syncs status when it has started (it is elected leader at
 * once when it is alone) and every 60 s after (UpdateInterval); an Ingress gets the address at
 * the first sync after its creation, so `kubectl get ingress` shows ADDRESS empty for up
 * to a minute, as the walk-throughs warn. Which Ingresses the controller takes (their class)
 * is decided by `controllerTakes`, which the controller's nginx uses too. With no controller
 * running the address it wrote is taken away again (`--update-status-on-shutdown`, on by
 * default). A published Service without a load balancer address yet publishes nothing.
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

function argValue(argv: readonly string[], flag: string): string | undefined {
  return argv.find((x) => x.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/**
 * Whether a controller started with `argv` takes this Ingress: `spec.ingressClassName` equal
 * to its `--ingress-class` (default nginx); with no class, the legacy
 * `kubernetes.io/ingress.class` annotation naming it, or none at all when it runs with
 * `--watch-ingress-without-class=true`.
 */
export function controllerTakes(ing: Ingress, argv: readonly string[]): boolean {
  const cls = argValue(argv, '--ingress-class') ?? 'nginx';
  if (ing.spec.ingressClassName !== undefined) return ing.spec.ingressClassName === cls;
  const legacy = ing.metadata.annotations?.['kubernetes.io/ingress.class'];
  if (legacy !== undefined) return legacy === cls;
  return argValue(argv, '--watch-ingress-without-class') === 'true' || argv.includes('--watch-ingress-without-class');
}

/** Brings the Ingresses' status up to the controller's syncs by `now`; true when one changed. */
export function ingressStatusSync(state: SimState, now: number): boolean {
  const ingresses = state.k8s.ingresses;
  if (!ingresses || Object.keys(ingresses).length === 0) return false;
  const d = state.k8s.deployments[key(NAMESPACE, 'ingress-nginx-controller')];
  const c = d?.spec.template.spec.containers[0];
  const argv = [...(c?.command ?? []), ...(c?.args ?? [])];
  const publish = argValue(argv, '--publish-service')?.replace('$(POD_NAMESPACE)', NAMESPACE);
  if (d && !argv.includes(REPORT_NODE_IP) && !publish) return false;
  const service = publish ? state.k8s.services[publish] : undefined;
  const pod = d && Object.values(state.k8s.pods).find((p) => p.metadata.namespace === NAMESPACE && p.metadata.labels?.['app.kubernetes.io/component'] === 'controller' && p.status.phase === 'Running');
  const startedAt = pod?.status.containerStatuses?.[0]?.state.running?.startedAt;
  const ip = publish ? service?.status.loadBalancer.ingress?.[0]?.ip : pod?.spec.nodeName ? nodeInternalIp(state, pod.spec.nodeName) : undefined;
  const published = (a: string) => (publish ? a === service?.status.loadBalancer.ingress?.[0]?.ip : Object.values(state.k8s.nodes).some((n) => nodeInternalIp(state, n.metadata.name) === a));
  let changed = false;
  for (const ing of Object.values(ingresses)) {
    // Once the controller is gone (the addon disabled), what it wrote for its class goes.
    if (d ? !controllerTakes(ing, argv) : (ing.spec.ingressClassName ?? 'nginx') !== 'nginx') continue;
    const has = ing.status.loadBalancer.ingress?.[0]?.ip;
    if (!startedAt || !ip) {
      if (has !== undefined && ing.status.loadBalancer.ingress?.length === 1 && published(has)) {
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
