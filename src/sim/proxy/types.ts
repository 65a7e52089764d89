/**
 * What a service proxy is: the contract every implementation of src/sim/proxy fulfils.
 *
 * Design notes: a service proxy is the node agent that makes Services work (kube-proxy in one
 * of its modes, or another program). It reads the Kubernetes objects and writes only Linux
 * data-plane state into each node's network namespace: netfilter rules (the state's shared
 * `kubeProxy` tables that every live node's own tables fall back to, and per-node chains),
 * an IPVS table, IP sets, devices and their addresses. The packet engine (forward.ts) never
 * calls a proxy: it runs the registered daemons (daemons.ts) before packets move, and then
 * only sees that Linux state. A node whose proxy is stopped (`ns.kubeProxy.mode === 'frozen'`)
 * keeps what was last written and must not be touched by `sync`.
 */
import type { SimState } from '../state';

/** The proxy modes a cluster can be built with (ClusterConfig.proxyMode). */
export type ProxyMode = 'iptables' | 'ipvs';

export interface ServiceProxy {
  /** The mode's name: what kube-proxy's `/proxyMode` answers. */
  readonly mode: ProxyMode;
  /**
   * Brings every live node's data plane up to date with the Services and endpoints. Cheap when
   * nothing changed since the last call (the API sets `state.proxyDirty` on every change);
   * `now` (epoch ms, when the caller knows it) lets time-driven work happen, such as dropping
   * drained real servers once their connections are gone.
   */
  sync(state: SimState, now?: number): void;
  /**
   * Prepares the nodes of a cluster being built, once, where the mode needs more than the
   * node tables every cluster starts with (kube-proxy's own start-up: devices, sets, jumps).
   */
  install?(state: SimState): void;
}
