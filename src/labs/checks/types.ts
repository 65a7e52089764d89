/**
 * What a check kind is, and what the grader gives it.
 *
 * Design notes: a task's `check` is a tree of plain objects, each with exactly one key, the
 * kind (`{ answer: {...} }`, `{ all: [...] }`). Every kind lives in its own file in this
 * folder and is listed in index.ts; the grader (../grader.ts) knows none of them by name. A
 * kind declares:
 * - `params`: its zod schema, a doc comment per field. Composition kinds get the schema of a
 *   whole check to nest (`params(check)`).
 * - `evaluate`: the verdict now, from the model and from what the kind remembered; a verdict
 *   that does not pass always says why, from the model.
 * - `observe` (optional): called with every packet the sandbox moves while the task is not
 *   passed, the moment it moves, so evidence is kept even if the state later changes.
 * - `submit` and `input` (optional): the kinds that take something from the learner (a typed
 *   answer, a choice, a prediction) say how the panel asks for it and judge what was given.
 * - `live`: false for kinds too costly to run at every packet (probes); between commands
 *   their last verdict stands.
 * - `children`: the nested checks of a composition kind, so the grader can walk the tree.
 * - `lint`: author errors the schema cannot see (a binding that does not exist), reported
 *   when the lab is defined, with the field's path (a problem that starts with `.field: `
 *   points inside the kind's parameters).
 * Memory is a small JSON record per check node, kept in the session snapshot: what a check
 * saw on the wire must survive a reload. Adding a kind: see docs/lab-authoring.md.
 */
import type { z } from 'zod';
import type { TraceResult } from '../../sim/forward';
import type { Sim } from '../../sim/sim';
import type { ResolvedPlace } from '../places';
import type { ResolvedBindings } from '../template';

export interface Verdict {
  passed: boolean;
  /** Why, explained from the model; for a pass, what it shows (may be empty). */
  feedback: string;
  /**
   * The verdict judges something the learner did for this task (an answer, a choice, a
   * prediction revealed, traffic that nearly matched): a failing one shows the task as failed.
   * Without it a failing verdict only says where things stand.
   */
  attempted?: boolean;
  /**
   * Not judged: a costly check evaluated mid-command before it was ever run between commands.
   * A composition passes it on unless its other checks decide (`any` with one that passes);
   * the grader then leaves the task as it is.
   */
  unknown?: boolean;
}

/** One packet run through the sandbox, as checks see it. */
export interface TraceEvent {
  trace: TraceResult;
  /** Sandbox time (epoch ms). */
  time: number;
  /** The namespace the packet was sent from. */
  origin: string;
}

export interface CheckContext {
  /** The learner's sandbox. Checks read it; they never change it (probes use `scratch`). */
  readonly sim: Sim;
  readonly bindings: ResolvedBindings;
  /** Fills `{{binding.field}}` in a text of the lab. */
  render(text: string): string;
  /** Resolves a place (`@client`, `node:node-1`) in the current state; throws PlaceError. */
  place(ref: string): ResolvedPlace;
  /** This check node's own memory, kept in the snapshot (plain JSON values only). */
  readonly memory: Record<string, unknown>;
  /** Sandbox time now (epoch ms). */
  now(): number;
  /** A throwaway copy of the sandbox to send probe traffic in. */
  scratch(): Sim;
  /** The checks nested in a composition kind, by index. */
  child(index: number): ChildChecks;
  /** True while the grader evaluates at a packet (mid-command) rather than between commands. */
  readonly live: boolean;
  /** The task's id, for messages (`answer TASK VALUE`). */
  readonly taskId: string;
}

/** What a composition kind can do with one of its children. */
export interface ChildChecks {
  evaluate(): Verdict;
  /** Passes the learner's input on (a composition holding an answer). */
  submit(value: string): Verdict | undefined;
}

/** How the panel and the terminal ask for a task's input. */
export type InputView =
  /** `last`: the answer given last, so a reloaded panel shows it again. */
  | { kind: 'text'; placeholder?: string; last?: string }
  /** `last`: the option ids picked last. */
  | { kind: 'choice'; options: { id: string; text: string }[]; multiple: boolean; last?: string[] }
  /**
   * `locked`: the prediction while it waits to be revealed; `how`: what reveals it; after a
   * wrong reveal, `retriesLeft` new predictions may be made.
   */
  | { kind: 'prediction'; placeholder?: string; locked?: string; options?: string[]; how?: string; retriesLeft?: number };

export interface LintContext {
  /** Binding names the lab declares, with their kinds' fields. */
  bindings: Record<string, string[]>;
  /** Task ids of the lab. */
  tasks: string[];
}

export interface CheckKind<P = unknown> {
  /** The key in a lab file. */
  name: string;
  /** One paragraph for the author's guide. */
  doc: string;
  /** An example `check` object using this kind, for the guide and the kind's tests. */
  example: unknown;
  /** The parameters' schema; `check` is the schema of a whole check, for kinds that nest checks. */
  params(check: z.ZodTypeAny): z.ZodType<P, z.ZodTypeDef, unknown>;
  evaluate(p: P, ctx: CheckContext): Verdict;
  observe?(p: P, ctx: CheckContext, ev: TraceEvent): void;
  input?(p: P, ctx: CheckContext): InputView;
  submit?(p: P, ctx: CheckContext, value: string): Verdict;
  /** The value a correct input is now (solution steps use it as `{{expected.TASK}}`). */
  expected?(p: P, ctx: CheckContext): string | undefined;
  /** Default true: cheap enough to evaluate at every packet. */
  live?: boolean | ((p: P) => boolean);
  children?(p: P): unknown[];
  lint?(p: P, lab: LintContext): string[];
}

export function defineCheckKind<P>(kind: CheckKind<P>): CheckKind<P> {
  return kind;
}

/** A failing verdict (the common case needs a reason). */
export function fail(feedback: string, attempted = false): Verdict {
  return attempted ? { passed: false, feedback, attempted } : { passed: false, feedback };
}

export function pass(feedback = ''): Verdict {
  return { passed: true, feedback };
}
