/**
 * The service proxies a cluster can run, and the one place the sandbox asks for its own.
 *
 * Design notes: a cluster names its proxy in ClusterConfig.proxyMode (iptables when unset,
 * as kube-proxy's default); PROXIES maps each mode to its implementation (types.ts says what
 * one must do). Loading this module registers the proxy's sync as a daemon (daemons.ts), so
 * the packet engine brings the data plane up to date before packets move without knowing
 * that Kubernetes exists. Commands that list kernel state (iptables, ipvsadm, ipset) call
 * syncServiceProxy first, as the state on a real node is whatever kube-proxy last wrote.
 * docs/how-to-add.md ("A service proxy") says how to add a mode.
 */
import { registerDaemon } from '../daemons';
import type { SimState } from '../state';
import { iptablesProxy } from './iptables';
import { ipvsProxy } from './ipvs';
import type { ProxyMode, ServiceProxy } from './types';

export type { ProxyMode, ServiceProxy } from './types';

export const PROXIES: Record<ProxyMode, ServiceProxy> = {
  iptables: iptablesProxy,
  ipvs: ipvsProxy,
};

/** The mode a cluster's kube-proxy runs in. */
export function proxyMode(state: SimState): ProxyMode {
  return state.config.proxyMode ?? 'iptables';
}

export function serviceProxy(state: SimState): ServiceProxy {
  return PROXIES[proxyMode(state)];
}

/** Brings every live node's data plane up to date with the Services (see ServiceProxy.sync). */
export function syncServiceProxy(state: SimState, now?: number): void {
  restartedProxies(state);
  serviceProxy(state).sync(state, now);
}

/**
 * The nodes whose proxy may be stopped: those frozen when the sandbox's objects were first
 * looked at (one scan of the nodes), and every node whose proxy stopped since
 * (noteProxyStopped). The check before every packet looks at them only, not at every node of
 * a big cluster. Kept beside the state, by its Kubernetes objects (a copy of the state
 * scans again; a view of it for a path probe shares them).
 */
const STOPPED = new WeakMap<SimState['k8s'], Set<string>>();

function stoppedNodes(state: SimState): Set<string> {
  let set = STOPPED.get(state.k8s);
  if (!set) {
    set = new Set(Object.keys(state.k8s.nodes).filter((n) => state.netns[`node/${n}`]?.kubeProxy?.mode === 'frozen'));
    STOPPED.set(state.k8s, set);
  }
  return set;
}

/** A node's proxy has just stopped (faults.ts froze its rules). */
export function noteProxyStopped(state: SimState, node: string): void {
  stoppedNodes(state).add(node);
}

/**
 * A node whose proxy had stopped (its rules frozen) runs one again once a kube-proxy pod there
 * is ready (the DaemonSet replaced the crashed one, or it was deleted and recreated): the new
 * process writes its rules from the current Services, as a starting kube-proxy does.
 */
function restartedProxies(state: SimState): void {
  for (const node of stoppedNodes(state)) {
    const ns = state.netns[`node/${node}`];
    if (ns?.kubeProxy?.mode !== 'frozen') continue;
    const running = Object.values(state.k8s.pods).some(
      (p) => p.spec.nodeName === node && p.metadata.labels?.['k8s-app'] === 'kube-proxy' && p.status.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (running) {
      ns.kubeProxy = { mode: 'live' };
      state.proxyDirty = true;
    }
  }
}

/** Runs the proxy's one-time node set-up while a cluster is built. */
export function installServiceProxy(state: SimState): void {
  serviceProxy(state).install?.(state);
}

registerDaemon(syncServiceProxy);
