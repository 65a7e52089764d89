/**
 * `any`: at least one nested check passes. While none does, it explains with every one's
 * reason, joined by "Or:"; while none passes and one is not judged yet (`unknown`), it is not
 * judged either.
 */
import { z } from 'zod';
import { defineCheckKind, fail, pass, type Verdict } from './types';

export const anyCheck = defineCheckKind<unknown[]>({
  name: 'any',
  doc: 'At least one nested check passes (ways to show the same thing). While none does, every reason is given.',
  example: { any: [{ observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } }, { observed: { from: '@client', to: '@target', proto: 'tcp', answered: true } }] },
  params: (check) => z.array(check).min(2),
  children: (p) => p,
  evaluate(p, ctx) {
    const reasons: string[] = [];
    let attempted = false;
    let unknown: Verdict | undefined;
    for (let i = 0; i < p.length; i++) {
      const v = ctx.child(i).evaluate();
      if (v.unknown) unknown ??= v;
      else if (v.passed) return pass(v.feedback);
      attempted ||= v.attempted === true;
      if (v.feedback && !reasons.includes(v.feedback)) reasons.push(v.feedback);
    }
    return unknown ?? fail(reasons.join(' Or: '), attempted);
  },
});
