/**
 * `state`: a named predicate over the model holds now (predicates/: a Service's endpoints, a
 * route, a link's state or MTU, a pod's readiness, an object's field, a DNS name resolving).
 * This is how "the learner fixed it" is graded when the fix is a state: the verdict follows
 * the state, and its explanation is the predicate's, from the model.
 */
import { keyedUnion, type Keyed } from '../keyed';
import { PREDICATES, predicate } from '../predicates/index';
import { defineCheckKind, fail, pass } from './types';

const params = keyedUnion<unknown>('state predicate', () => Object.fromEntries(PREDICATES.map((p) => [p.name, p.params])));

export const stateCheck = defineCheckKind<Keyed<unknown>>({
  name: 'state',
  doc: 'A named predicate over the sandbox holds: `endpoints`, `route`, `link`, `pod-ready`, `field`, `resolves`, `neighbour`, `fdb` (see the predicates below). It passes the moment it holds, and while it does not, says why from the model.',
  example: { state: { endpoints: { service: 'web', ready: 5 } } },
  params: () => params,
  live: (p) => predicate(p.key)?.live !== false,
  evaluate(p, ctx) {
    const pred = predicate(p.key)!;
    const o = pred.test(p.value as never, ctx);
    return o.holds ? pass(o.why) : fail(o.why);
  },
  lint(p, lab) {
    return (predicate(p.key)?.lint?.(p.value as never, lab) ?? []).map((problem) => `.${p.key}${problem.startsWith('.') ? '' : ': '}${problem}`);
  },
});
