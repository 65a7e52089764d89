/**
 * What kube-proxy (iptables mode, v1.32) does to a node's tables when a learner has changed
 * its chains there.
 *
 * Design notes: kube-proxy's chains are one shared copy (kube-proxy.ts); a node whose chains a
 * learner changed holds its own copies of those chains over the shared ones, and `null` for a
 * chain it deleted (sim/linux/iptables.ts). kube-proxy's sync (pkg/proxy/iptables/proxier.go
 * syncProxyRules) then treats that node as kube-proxy would:
 *   - a partial sync (the usual one, after a Service or its endpoints changed) writes again
 *     the top-level chains it always writes (nat KUBE-SERVICES, KUBE-NODEPORTS,
 *     KUBE-POSTROUTING, KUBE-MARK-MASQ; filter KUBE-SERVICES, KUBE-EXTERNAL-SERVICES,
 *     KUBE-FORWARD, KUBE-NODEPORTS, KUBE-PROXY-FIREWALL, KUBE-FIREWALL) and the chains whose
 *     rules changed, deletes service chains that are no longer used, and leaves every other
 *     chain as the node has it, so a learner's change to an unchanged Service's chain stays;
 *   - a full sync writes all of them again and puts back any missing jump from a built-in
 *     chain (EnsureRule with Prepend, in proxier.go's iptablesJumpChains order). It runs when
 *     kube-proxy's canary chain (KUBE-PROXY-CANARY) has disappeared, which its iptables monitor
 *     notices, and when a partial sync fails because a chain it jumps to was deleted (the
 *     retry is a full sync);
 * rewritten chains start again at zero counters, as iptables-restore leaves them. A learner's
 * own chains, and rules in the built-in chains, are never touched.
 * The hourly full resync (FullSyncPeriod) runs once an hour of sandbox time after the cluster
 * started, at the first sync point after it is due (a packet, an iptables listing).
 * Simplified: the sandbox decides "changed" per chain (its rules differ) where kube-proxy
 * rewrites every chain of a changed Service; the monitor's 30-second poll and the retry's
 * 30-second wait happen at the next sync; the hourly resync is on one schedule for all nodes.
 */
import { formatRule, invalidateLayers, type Chain, type Netfilter } from '../netfilter';
import type { ApplyResult } from '../linux/iptables';
import type { SimState } from '../state';

const TOP: Record<'nat' | 'filter', string[]> = {
  nat: ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'],
  filter: ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-FIREWALL'],
};

const CANARY = 'KUBE-PROXY-CANARY';

/** proxyutil.FullSyncPeriod: kube-proxy writes everything again at least this often. */
export const FULL_SYNC_PERIOD_MS = 3_600_000;

/** True when the node holds its own copy (or a deletion) of any of kube-proxy's chains. */
export function hasKubeProxyCopies(own: Netfilter, shared: Netfilter): boolean {
  for (const table of ['nat', 'filter'] as const) for (const name of Object.keys(own[table].chains)) if (!name.startsWith('KUBE-SVL-') && name !== 'KUBE-EXTERNAL-SERVICES' && (shared[table].chains[name] || isServiceChain(name))) return true;
  return false;
}

/** proxier.go isServiceChainName: the per-Service chains kube-proxy owns and cleans up. */
function isServiceChain(name: string): boolean {
  return /^KUBE-(SVC|SEP|EXT|FW)-/.test(name);
}

function chainText(c: Chain | null | undefined): string {
  return c ? c.rules.map((r) => formatRule('', r)).join('\n') : '';
}

/** After an iptables write on a node: a removed canary makes kube-proxy resync at its next sync. */
export function noteIptablesWrite(state: SimState, nsId: string, res: ApplyResult): void {
  const ns = state.netns[nsId];
  if (!ns?.nf || ns.kubeProxy?.mode !== 'live') return;
  if (res.deleted.some((d) => d.endsWith(` ${CANARY}`))) state.proxyDirty = true;
}

function referenced(nf: Netfilter, shared: Netfilter, table: 'nat' | 'filter', name: string): boolean {
  const chains = { ...shared[table].chains, ...nf[table].chains } as Record<string, Chain | null>;
  for (const c of Object.values(chains)) if (c?.rules.some((r) => (r.target.t === 'jump' || r.target.t === 'goto') && r.target.chain === name)) return true;
  return false;
}

/**
 * kube-proxy's sync on one node whose kube-proxy runs: `old` is the shared copy before, `next`
 * after. `hooks` writes kube-proxy's jumps from the built-in chains into a table.
 */
export function resyncNodeTables(own: Netfilter, old: Netfilter | undefined, next: Netfilter, hooks: (nf: Netfilter) => void): void {
  let full = false;
  for (const table of ['nat', 'filter'] as const) {
    const own_ = own[table].chains as Record<string, Chain | null>;
    if (Object.prototype.hasOwnProperty.call(own_, CANARY) && own_[CANARY] === null) full = true;
  }
  if (full) {
    kubeProxyFullSync(own, old, next, hooks);
    return;
  }
  let changed = false;
  for (const table of ['nat', 'filter'] as const) {
    const chains = own[table].chains as Record<string, Chain | null>;
    for (const name of Object.keys(chains)) {
      if (name.startsWith('KUBE-SVL-')) continue;
      const inOld = !!old?.[table].chains[name];
      const inNext = !!next[table].chains[name];
      let rewrite = false;
      if (TOP[table].includes(name)) rewrite = true;
      else if (inOld && inNext) rewrite = chainText(old![table].chains[name]) !== chainText(next[table].chains[name]);
      else if (inOld && !inNext) rewrite = true;
      else if (!inNext && isServiceChain(name) && !referenced(own, next, table, name)) rewrite = true;
      if (!rewrite) continue;
      delete chains[name];
      changed = true;
    }
  }
  if (own.shared) {
    for (const key of Object.keys(own.shared)) {
      const [table, name] = key.split(' ') as ['nat' | 'filter', string];
      if (table !== 'nat' && table !== 'filter') continue;
      if (TOP[table].includes(name!) || chainText(old?.[table].chains[name!]) !== chainText(next[table].chains[name!])) delete own.shared[key];
    }
  }
  if (changed) invalidateLayers(own);
  // A chain kube-proxy jumps to that the node deleted makes iptables-restore fail: the retry is a full sync.
  for (const table of ['nat', 'filter'] as const) {
    // The node's chains over the shared ones, looked up rather than merged: the shared table of a big cluster has thousands.
    const mine = own[table].chains as Record<string, Chain | null>;
    const view = (name: string): Chain | null | undefined => (Object.prototype.hasOwnProperty.call(mine, name) ? mine[name] : next[table].chains[name]);
    for (const name of TOP[table]) {
      for (const r of view(name)?.rules ?? []) {
        if ((r.target.t === 'jump' || r.target.t === 'goto') && !view(r.target.chain)) {
          kubeProxyFullSync(own, old, next, hooks);
          return;
        }
      }
    }
  }
}

/**
 * kube-proxy's full sync on one node: its chains as the shared copy has them again, stale
 * service chains gone, and its jumps from the built-in chains back where they are missing.
 */
export function kubeProxyFullSync(own: Netfilter, old: Netfilter | undefined, next: Netfilter, hooks: (nf: Netfilter) => void): void {
  for (const table of ['nat', 'filter'] as const) {
    const chains = own[table].chains as Record<string, Chain | null>;
    for (const name of Object.keys(chains)) {
      if (name.startsWith('KUBE-SVL-') || ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].includes(name)) continue;
      const kube = !!next[table].chains[name] || !!old?.[table].chains[name];
      if (kube || (isServiceChain(name) && !referenced(own, next, table, name))) delete chains[name];
    }
  }
  delete own.shared;
  // EnsureRule(Prepend) for each of kube-proxy's jumps, then kubelet's KUBE-FIREWALL ones.
  const want: Netfilter = { nat: { chains: {} }, filter: { chains: {} } };
  for (const table of ['nat', 'filter'] as const) for (const c of Object.keys(own[table].chains)) want[table].chains[c] = { rules: [] };
  hooks(want);
  for (const table of ['nat', 'filter'] as const) {
    for (const [name, c] of Object.entries(want[table].chains)) {
      const target = own[table].chains[name];
      if (!target) continue;
      const order = [...c.rules.filter((r) => !(r.target.t === 'jump' && r.target.chain === 'KUBE-FIREWALL')).reverse(), ...c.rules.filter((r) => r.target.t === 'jump' && r.target.chain === 'KUBE-FIREWALL')];
      for (const r of order) {
        const text = formatRule(name, r);
        if (!target.rules.some((x) => formatRule(name, x) === text)) target.rules.unshift(r);
      }
    }
  }
  invalidateLayers(own);
}
