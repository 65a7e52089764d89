/**
 * Every check kind, by the key a lab writes. Adding one: a file in this folder exporting a
 * `defineCheckKind({...})`, listed here, and its test file next to it; the lab schema, the
 * grader and the author's guide pick it up from this list (docs/lab-authoring.md).
 */
import { z } from 'zod';
import { keyedUnion, type Keyed } from '../keyed';
import { allCheck } from './all';
import { answerCheck } from './answer';
import { anyCheck } from './any';
import { choiceCheck } from './choice';
import { notCheck } from './not';
import { observedCheck } from './observed';
import { predictCheck } from './predict';
import { probeCheck } from './probe';
import { stateCheck } from './state';
import type { CheckKind } from './types';

export const CHECK_KINDS: readonly CheckKind<never>[] = [answerCheck, choiceCheck, predictCheck, stateCheck, probeCheck, observedCheck, allCheck, anyCheck, notCheck] as unknown as CheckKind<never>[];

export function checkKind(name: string): CheckKind<unknown> | undefined {
  return CHECK_KINDS.find((k) => k.name === name) as CheckKind<unknown> | undefined;
}

/** A check as validated: its kind and its parsed parameters. */
export type Check = Keyed<unknown>;

/** The schema of one check (`{ kind: params }`), nesting itself for the composition kinds. */
export const checkSchema: z.ZodType<Check, z.ZodTypeDef, unknown> = z.lazy(() => keyedUnion<unknown>('check kind', () => Object.fromEntries(CHECK_KINDS.map((k) => [k.name, k.params(checkSchema)]))));

export type { CheckKind, CheckContext, Verdict, TraceEvent, InputView } from './types';
