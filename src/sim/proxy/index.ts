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
 * A node whose proxy had stopped (its rules frozen) runs one again once a kube-proxy pod there
 * is ready (the DaemonSet replaced the crashed one, or it was deleted and recreated): the new
 * process writes its rules from the current Services, as a starting kube-proxy does.
 */
function restartedProxies(state: SimState): void {
  for (const ns of Object.values(state.netns)) {
    if (ns.kubeProxy?.mode !== 'frozen' || !ns.id.startsWith('node/')) continue;
    const node = ns.id.slice('node/'.length);
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
