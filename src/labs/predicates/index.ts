/**
 * Every state predicate, by the name a lab writes. Adding one: a file in this folder
 * exporting a `definePredicate({...})`, listed here, with a case in predicates.test.ts.
 */
import { endpointsPredicate } from './endpoints';
import { fdbPredicate } from './fdb';
import { fieldPredicate } from './field';
import { linkPredicate } from './link';
import { neighbourPredicate } from './neighbour';
import { podReadyPredicate } from './pod-ready';
import { resolvesPredicate } from './resolves';
import { routePredicate } from './route';
import type { Predicate } from './types';

export const PREDICATES: readonly Predicate<never>[] = [endpointsPredicate, routePredicate, linkPredicate, podReadyPredicate, fieldPredicate, resolvesPredicate, neighbourPredicate, fdbPredicate] as unknown as Predicate<never>[];

export function predicate(name: string): Predicate<unknown> | undefined {
  return PREDICATES.find((p) => p.name === name) as Predicate<unknown> | undefined;
}

export type { Predicate, Outcome } from './types';
