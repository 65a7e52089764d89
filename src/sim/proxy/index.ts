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
  serviceProxy(state).sync(state, now);
}

/** Runs the proxy's one-time node set-up while a cluster is built. */
export function installServiceProxy(state: SimState): void {
  serviceProxy(state).install?.(state);
}

registerDaemon(syncServiceProxy);
