/**
 * What a state predicate is: a named question about the model, with parameters.
 *
 * Design notes: the `state` check kind asks one predicate (`{ state: { endpoints: { service:
 * 'web', ready: 3 } } }`). Each predicate lives in its own file in this folder: a zod schema of
 * its parameters (a doc comment per field) and `test`, which answers from the current state
 * with a sentence saying why, in the model's terms ("Service web selects app=web; no pod has
 * that label, so it has no endpoints"). Predicates read; they never change the sandbox (one
 * that must send traffic, such as a DNS lookup, works in `ctx.scratch()`), and one that does
 * so declares `live: false` so it runs between commands only. Adding one: see
 * docs/lab-authoring.md.
 */
import type { z } from 'zod';
import type { CheckContext, LintContext } from '../checks/types';

export interface Outcome {
  holds: boolean;
  /** Why it holds or not, from the model. */
  why: string;
}

export interface Predicate<P = unknown> {
  name: string;
  doc: string;
  example: unknown;
  params: z.ZodType<P, z.ZodTypeDef, unknown>;
  test(p: P, ctx: CheckContext): Outcome;
  /** Default true. */
  live?: boolean;
  lint?(p: P, lab: LintContext): string[];
}

export function definePredicate<P>(p: Predicate<P>): Predicate<P> {
  return p;
}
