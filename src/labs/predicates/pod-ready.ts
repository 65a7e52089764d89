/**
 * `pod-ready`: a pod exists, runs and is Ready.
 */
import { z } from 'zod';
import { podReady } from '../../sim/k8s/endpoints';
import { definePredicate } from './types';

const params = z
  .object({
    /** The pod: its name or `@binding` (templated). */
    pod: z.string(),
    /** Its namespace (default `default`, or the binding's). */
    namespace: z.string().optional(),
  })
  .strict();

export const podReadyPredicate = definePredicate({
  name: 'pod-ready',
  doc: 'A pod is Running and Ready (its Ready condition is True), as `kubectl get pods` shows 1/1.',
  example: { state: { 'pod-ready': { pod: '@client' } } },
  params,
  test(p, ctx) {
    let name = ctx.render(p.pod);
    let ns = p.namespace === undefined ? 'default' : ctx.render(p.namespace);
    if (name.startsWith('@')) {
      const b = ctx.bindings[name.slice(1)];
      name = b?.name ?? name;
      ns = p.namespace === undefined ? (b?.namespace ?? ns) : ns;
    }
    const pod = ctx.sim.pod(ns, name);
    if (!pod) return { holds: false, why: `There is no pod ${name} in namespace ${ns}.` };
    if (podReady(pod)) return { holds: true, why: `Pod ${name} is Running and Ready.` };
    const cond = pod.status.conditions?.find((c) => c.type === 'Ready');
    const waiting = pod.status.containerStatuses?.find((c) => c.state.waiting)?.state.waiting;
    const reason = waiting ? ` (${waiting.reason})` : '';
    return { holds: false, why: `Pod ${name} is ${pod.status.phase}${reason}, and its Ready condition is ${cond?.status ?? 'missing'}.` };
  },
});
