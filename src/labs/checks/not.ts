/**
 * `not`: the nested check does not pass. Its own explanation says why it passes (which is
 * what must change); `because` gives the lab's words for a pass. A nested check not judged
 * yet (`unknown`: a probe mid-command, before it first ran) leaves it unjudged too.
 */
import { z } from 'zod';
import { defineCheckKind, fail, pass } from './types';

export const notCheck = defineCheckKind<{ check?: unknown; because?: string | undefined }>({
  name: 'not',
  doc: 'The nested check does not pass (a route that must be gone, a probe that must fail). While it passes, its own explanation says what still holds.',
  example: { not: { check: { state: { route: { on: 'node:node-1', dst: '10.244.2.0/24' } } } } },
  params: (check) =>
    z
      .object({
        /** The check that must not pass. */
        check,
        /** What a pass means, shown when it passes (templated). */
        because: z.string().optional(),
      })
      .strict(),
  children: (p) => [p.check],
  evaluate(p, ctx) {
    const v = ctx.child(0).evaluate();
    if (v.unknown) return v;
    if (v.passed) return fail(v.feedback || 'It still holds.');
    return pass(p.because ? ctx.render(p.because) : v.feedback);
  },
});
