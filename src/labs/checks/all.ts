/**
 * `all`: every nested check passes (at the same time, or each once for the checks that keep
 * evidence). Its explanation is the first failing check's; while one is not judged yet
 * (`unknown`) and none fails, it is not judged either.
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
    const passed: string[] = [];
    let unknown: Verdict | undefined;
    for (let i = 0; i < p.length; i++) {
      const v = ctx.child(i).evaluate();
      if (v.unknown) unknown ??= v;
      else if (!v.passed) return v.attempted ? fail(v.feedback, true) : fail(v.feedback);
      else if (v.feedback) passed.push(v.feedback);
    }
    return unknown ?? pass(passed.join(' '));
  },
});
