/**
 * `all`: every nested check passes (at the same time, or each once for the checks that keep
 * evidence). Its explanation is the first failing check's; while one is not judged yet
 * (`unknown`) and none fails, it is not judged either. Once one of its checks has passed, the
 * learner is on the way: a near miss of another (traffic that was meant for the check that
 * passed) does not mark the task failed.
 */
import { z } from 'zod';
import { defineCheckKind, fail, pass, type Verdict } from './types';

export const allCheck = defineCheckKind<unknown[]>({
  name: 'all',
  doc: 'Every nested check passes. Fails with the first failing check\'s explanation.',
  example: { all: [{ state: { endpoints: { service: 'web', ready: 3 } } }, { probe: { from: '@client', http: 'http://web/' } }] },
  params: (check) => z.array(check).min(1),
  children: (p) => p,
  evaluate(p, ctx) {
    const verdicts: Verdict[] = [];
    for (let i = 0; i < p.length; i++) verdicts.push(ctx.child(i).evaluate());
    const failing = verdicts.find((v) => !v.unknown && !v.passed);
    if (failing) return failing.attempted && !verdicts.some((v) => v.passed) ? fail(failing.feedback, true) : fail(failing.feedback);
    return verdicts.find((v) => v.unknown) ?? pass(verdicts.map((v) => v.feedback).filter(Boolean).join(' '));
  },
});
