/**
 * kube-proxy in iptables mode as a service proxy: the rules of k8s/kube-proxy.ts.
 *
 * Design notes: the implementation (chains, rule text, the shared copy and per-node chains)
 * lives in k8s/kube-proxy.ts; this file only presents it through the ServiceProxy contract.
 */
import { syncProxyRules } from '../k8s/kube-proxy';
import type { ServiceProxy } from './types';

export const iptablesProxy: ServiceProxy = {
  mode: 'iptables',
  sync: (state, now) => syncProxyRules(state, now),
};
