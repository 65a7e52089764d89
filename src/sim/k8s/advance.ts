/**
 * The cluster catches up with sandbox time: everything that fell due by now happens, in the
 * order it fell due.
 *
 * Design notes: the sandbox has no background loop. What real components do as time passes
 * is kept as work with a due time in the state: the scheduler's retries and the kubelets'
 * stages of starting a pod (kubelet.ts, `k8s.starting`), the Deployment controller's
 * rolling-update steps (rollout.ts), the cloud's load balancers being built (api.ts
 * serviceControllerSync) and the node status a stopped kubelet or containerd leads to
 * (host/node-health.ts); ingress-nginx's periodic status sync is a function of time and runs
 * last (ingress-status.ts). `advanceCluster` runs that work up to `ctx.now`, always
 * taking the earliest first: the kubelet stages due up to the next rollout step (the
 * controllers then see the pods' readiness), then that step (the ReplicaSet controller then
 * creates and deletes its pods, which start from that step's time), and so on. Endpoints and
 * kube-proxy's rules are derived from the pods (endpoints.ts, `proxyDirty`), so they follow;
 * a policy agent's rules (Canal's Felix, sim/cni) are brought up to date last.
 * Time is passed in; nothing here reads a clock. Running it twice for the same time changes
 * nothing the second time, and when nothing is due it only looks at the two small records of
 * pending work. The Sim runs it whenever something reads or changes the model (sim.ts).
 */
import { nextNodeHealthDue, syncNodeHealth } from '../host/node-health';
import { nextLoadBalancerDue, serviceControllerSync, type ApiContext } from './api';
import { reconcile } from './controllers';
import { ingressStatusSync } from './ingress-status';
import { syncCni } from '../cni';
import { kubeletSync, nextKubeletDue } from './kubelet';
import { nextRolloutDue, progressRollouts } from './rollout';

/** When the next stage is due (Infinity when nothing is pending): a command that waits sleeps until then. */
export function nextClusterDue(state: ApiContext['state']): number {
  return Math.min(nextKubeletDue(state), nextRolloutDue(state), nextLoadBalancerDue(state), nextNodeHealthDue(state));
}

/** Runs every stage due by `ctx.now`, earliest first. True when anything changed. */
export function advanceCluster(ctx: ApiContext): boolean {
  let changed = false;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const kubelet = nextKubeletDue(ctx.state);
    const rollout = nextRolloutDue(ctx.state);
    const balancer = nextLoadBalancerDue(ctx.state);
    const health = nextNodeHealthDue(ctx.state);
    if (kubelet > ctx.now && rollout > ctx.now && balancer > ctx.now && health > ctx.now) break;
    if (health <= kubelet && health <= rollout && health <= balancer) {
      // A node whose kubelet or containerd stopped (host/node-health.ts), at the transition's own time.
      if (syncNodeHealth({ ...ctx, now: Math.min(health, ctx.now) })) changed = true;
      else break;
    } else if (balancer <= kubelet && balancer <= rollout) {
      // The cloud finishes the load balancers due by then, each stamped with its own time.
      if (serviceControllerSync({ ...ctx, now: balancer })) changed = true;
    } else if (kubelet <= rollout) {
      // Every kubelet stage up to the next rollout step or load balancer (or now), then the controllers once.
      const until = Math.min(rollout, balancer, ctx.now);
      if (kubeletSync(until === ctx.now ? ctx : { ...ctx, now: until }, reconcile)) changed = true;
    } else if (progressRollouts({ ...ctx, now: rollout }, reconcile)) changed = true;
  }
  // ingress-nginx's periodic status sync is a function of time, not queued work.
  if (ingressStatusSync(ctx.state, ctx.now)) changed = true;
  // So is a policy agent's resync (Canal's Felix): what is listed on a node is current.
  syncCni(ctx.state, ctx.now);
  return changed;
}
