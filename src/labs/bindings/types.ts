/**
 * What a binding kind is: one way of picking an object out of a built sandbox.
 *
 * Design notes: a lab's `bindings` name objects its text and checks refer to (`client: {
 * pod: { name: 'client' } }`), so that `{{client.ip}}` follows the learner's seed. Each kind
 * lives in its own file in this folder: a zod schema of its parameters (a doc comment per
 * field), the fields it provides with a line of documentation each (the author's guide and
 * the build-time check of `{{name.field}}` are made from them), and `resolve`, which reads
 * the state once, when the session starts, into plain strings kept in the snapshot. A kind
 * whose object can be a place (a pod, a node, a container, a host) also fills `place`
 * (places.ts), so a check can say `from: '@client'`. Adding a kind: see docs/lab-authoring.md.
 */
import type { z } from 'zod';
import type { Sim } from '../../sim/sim';
import type { ResolvedBindings } from '../template';

export class BindingError extends Error {
  override name = 'BindingError';
}

export interface BindingContext {
  sim: Sim;
  /** The bindings resolved before this one (bindings resolve in the order the lab lists them). */
  done: ResolvedBindings;
  /** This binding's name, for messages. */
  name: string;
}

export interface BindingKind<P = unknown> {
  /** The key in a lab file: `{ pod: {...} }`. */
  name: string;
  /** What it picks, one sentence for the author's guide. */
  doc: string;
  params: z.ZodType<P, z.ZodTypeDef, unknown>;
  /** field -> what it holds. Every resolved binding of this kind has every field (possibly ''). */
  fields: Record<string, string>;
  /** Reads the object out of the sandbox; throws BindingError when nothing matches. */
  resolve(params: P, ctx: BindingContext): Record<string, string>;
  /** An example for the guide (the parameters object). */
  example: unknown;
}

export function defineBindingKind<P>(kind: BindingKind<P>): BindingKind<P> {
  return kind;
}
