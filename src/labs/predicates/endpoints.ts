/**
 * `endpoints`: how many ready endpoints a Service has, and which.
 */
import { z } from 'zod';
import { podReady, selects, serviceEndpoints } from '../../sim/k8s/endpoints';
import { parseIp } from '../../sim/ipv4';
import { definePredicate } from './types';

const params = z
  .object({
    /** The Service's name (templated). */
    service: z.string(),
    /** Its namespace (default `default`). */
    namespace: z.string().default('default'),
    /** Exactly this many ready endpoints. */
    ready: z.number().int().nonnegative().optional(),
    /** At least this many ready endpoints. */
    min: z.number().int().nonnegative().optional(),
    /** A pod (name, or `@binding`) or an address that must be one of the ready endpoints. */
    includes: z.string().optional(),
  })
  .strict()
  .refine((p) => p.ready !== undefined || p.min !== undefined || p.includes !== undefined, 'give ready, min or includes');

export const endpointsPredicate = definePredicate({
  name: 'endpoints',
  doc: "A Service's ready endpoints: exactly `ready` of them, at least `min`, or one that is `includes`. The explanation names the selector, the pods it matches and the ones that are not ready.",
  example: { state: { endpoints: { service: 'web', ready: 3 } } },
  params,
  test(p, ctx) {
    const name = ctx.render(p.service);
    const ns = ctx.render(p.namespace);
    const svc = ctx.sim.state.k8s.services[`${ns}/${name}`];
    const label = ns === 'default' ? `Service ${name}` : `Service ${ns}/${name}`;
    if (!svc) return { holds: false, why: `There is no ${label}.` };
    const all = serviceEndpoints(ctx.sim.state, svc);
    const ready = all.filter((e) => e.ready);
    const count = `${label} has ${ready.length} ready endpoint${ready.length === 1 ? '' : 's'}${ready.length ? ` (${ready.map((e) => e.ip).join(', ')})` : ''}`;
    let holds = true;
    if (p.ready !== undefined && ready.length !== p.ready) holds = false;
    if (p.min !== undefined && ready.length < p.min) holds = false;
    let includeWhy = '';
    if (p.includes !== undefined) {
      const ref = ctx.render(p.includes);
      let ip = parseIp(ref) !== undefined ? ref : undefined;
      let podName = ip ? undefined : ref;
      if (ref.startsWith('@')) {
        const b = ctx.bindings[ref.slice(1)];
        podName = b?.name;
        ip = undefined;
      }
      const found = ready.some((e) => (ip !== undefined ? e.ip === ip : e.pod === podName));
      if (!found) {
        holds = false;
        includeWhy = ` ${ip ?? podName} is not one of them.`;
      }
    }
    if (holds) return { holds, why: `${count}.` };
    return { holds, why: `${count}${p.ready !== undefined ? `, not ${p.ready}` : p.min !== undefined && ready.length < p.min ? `, fewer than ${p.min}` : ''}.${includeWhy} ${selectorStory(ctx.sim.state, svc)}`.trim() };
  },
});

/** Why a Service's endpoints are what they are: its selector, the pods it matches, their readiness. */
export function selectorStory(state: Parameters<typeof serviceEndpoints>[0], svc: Parameters<typeof serviceEndpoints>[1]): string {
  const sel = Object.entries(svc.spec.selector ?? {});
  const name = svc.metadata.name;
  if (sel.length === 0) return `Service ${name} has no selector, so only Endpoints written by hand give it endpoints.`;
  const selText = sel.map(([k, v]) => `${k}=${v}`).join(',');
  const pods = Object.values(state.k8s.pods).filter((p) => selects(svc, p));
  if (pods.length === 0) {
    const nsPods = Object.values(state.k8s.pods).filter((p) => (p.metadata.namespace ?? 'default') === (svc.metadata.namespace ?? 'default'));
    const near = sel.length === 1 ? [...new Set(nsPods.map((p) => p.metadata.labels?.[sel[0]![0]]).filter((v): v is string => !!v))] : [];
    return `Service ${name} selects ${selText}; no pod in its namespace has ${sel.length === 1 ? 'that label' : 'those labels'}, so it has no endpoints.${near.length ? ` Pods there have ${sel[0]![0]}=${near.join(`, ${sel[0]![0]}=`)}.` : ''}`;
  }
  const unready = pods.filter((p) => !podReady(p));
  return `Service ${name} selects ${selText}: ${pods.length} pod${pods.length === 1 ? '' : 's'} match${pods.length === 1 ? 'es' : ''}${unready.length ? `, of which ${unready.map((p) => p.metadata.name).join(', ')} ${unready.length === 1 ? 'is' : 'are'} not ready (a pod that is not Ready is no endpoint)` : ''}.`;
}
