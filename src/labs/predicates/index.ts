/**
 * Every state predicate, by the name a lab writes. Adding one: a file in this folder
 * exporting a `definePredicate({...})`, listed here, with a case in predicates.test.ts.
 */
import { endpointsPredicate } from './endpoints';
import { fieldPredicate } from './field';
import { linkPredicate } from './link';
import { podReadyPredicate } from './pod-ready';
import { resolvesPredicate } from './resolves';
import { routePredicate } from './route';
import type { Predicate } from './types';

export const PREDICATES: readonly Predicate<never>[] = [endpointsPredicate, routePredicate, linkPredicate, podReadyPredicate, fieldPredicate, resolvesPredicate] as unknown as Predicate<never>[];

export function predicate(name: string): Predicate<unknown> | undefined {
  return PREDICATES.find((p) => p.name === name) as Predicate<unknown> | undefined;
}

export type { Predicate, Outcome } from './types';
