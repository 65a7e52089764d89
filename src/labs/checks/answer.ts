/**
 * `answer`: the learner types a value (`answer TASK VALUE`, or the field in the panel).
 *
 * The expected value is written in the lab (`expect`, with bindings, any one of several
 * accepted) or comes from what the learner's own traffic showed (`observed`: the IP id of the
 * echo request they captured, the port SNAT chose), collected packet by packet while the task
 * is open. Both sides are compared in the normaliser's canonical form (normalize.ts). A wrong
 * answer is explained from the model where it can be (an address is named: "10.244.1.3 is
 * pod web-... on node-1"; an observed value by its observable, such as the table entry where a
 * path goes astray), then with the lab's `wrong` text.
 */
import { z } from 'zod';
import { explainAddress } from '../explain';
import { clean, display, matches, normalize, expectedProblem, NORMALIZERS, type CompareOptions, type NormalizerName } from '../normalize';
import { howToSee, observableProblems, observableSchema, OBSERVABLES } from '../observables';
import { defineCheckKind, fail, pass } from './types';

const MAX_SEEN = 64;

const params = z
  .object({
    /** The accepted value, or several (any one passes); `{{bindings}}` allowed. */
    expect: z.union([z.string(), z.array(z.string()).nonempty()]).optional(),
    /** Or: the value comes from the learner's own traffic (an observable, see docs/lab-reference.md). */
    observed: observableSchema.optional(),
    /** How answers are compared (default `word`; an `observed` value's own normaliser otherwise). */
    normalize: z.enum(NORMALIZERS as [NormalizerName, ...NormalizerName[]]).optional(),
    /** `decimal`: the largest difference that still counts as equal (default 0.001). */
    tolerance: z.number().nonnegative().optional(),
    /** `set`: how each element is compared (default `word`). */
    element: z.enum(['ip', 'cidr', 'mac', 'number', 'decimal', 'hex', 'word']).optional(),
    /** Feedback for a wrong answer, after what the model says about it (templated). */
    wrong: z.string().default('That is not it yet.'),
    /** Placeholder text for the panel's answer field. */
    placeholder: z.string().optional(),
  })
  .strict()
  .refine((p) => (p.expect === undefined) !== (p.observed === undefined), 'give exactly one of expect and observed');

type Params = z.output<typeof params>;

function options(p: Params): CompareOptions {
  const normalize = p.normalize ?? (p.observed ? OBSERVABLES[p.observed.value]?.normalize : undefined) ?? 'word';
  const o: CompareOptions = { normalize };
  if (p.tolerance !== undefined) o.tolerance = p.tolerance;
  if (p.element !== undefined) o.element = p.element;
  return o;
}

function seen(memory: Record<string, unknown>): string[] {
  return Array.isArray(memory.seen) ? (memory.seen as string[]) : [];
}

export const answerCheck = defineCheckKind<Params>({
  name: 'answer',
  doc: 'A typed answer, compared after normalising both sides (`ip`, `cidr`, `mac`, `number`, `decimal` with a tolerance, `hex`, `word`, `set` of elements, `regex`, `path` of vertices). The expected value is written in the lab with bindings, or taken from the learner\'s own traffic with `observed`.',
  example: { answer: { expect: '{{target.ip}}', normalize: 'ip', wrong: 'Look at the IP column of `kubectl get pods -o wide`.' } },
  params: () => params,
  input: (p, ctx) => ({ kind: 'text', ...(p.placeholder ? { placeholder: ctx.render(p.placeholder) } : {}), ...(typeof ctx.memory.last === 'string' ? { last: ctx.memory.last } : {}) }),
  observe(p, ctx, ev) {
    if (!p.observed) return;
    const values = OBSERVABLES[p.observed.value]!.extract(p.observed, ctx, ev);
    if (values.length === 0) return;
    const list = [...seen(ctx.memory).filter((v) => !values.includes(v)), ...values];
    ctx.memory.seen = list.slice(-MAX_SEEN);
  },
  submit(p, ctx, value) {
    const opts = options(p);
    const given = normalize(value, opts);
    ctx.memory.tries = Number(ctx.memory.tries ?? 0) + 1;
    ctx.memory.last = clean(value);
    let verdict;
    if (!given.ok) verdict = fail(`${capital(given.reason)}. ${ctx.render(p.wrong)}`, true);
    else if (p.observed) {
      const values = seen(ctx.memory);
      if (values.length === 0) verdict = fail(`There is nothing to compare with yet: ${howToSee(p.observed, ctx)}, then read the value.`, true);
      else if (values.some((v) => sameCanonical(given.value, v, opts))) verdict = pass();
      else {
        const model = OBSERVABLES[p.observed.value]!.explain?.(p.observed, ctx, given.value, values[values.length - 1]!);
        verdict = fail(`${value.trim()} is not what your traffic showed.${model ? ` ${model}` : ''} ${ctx.render(p.wrong)}`, true);
      }
    } else {
      const expected = (Array.isArray(p.expect) ? p.expect : [p.expect!]).map((e) => ctx.render(e));
      if (expected.some((e) => matches(given.value, e, opts))) verdict = pass(sameBlock(value, given.value, opts));
      else verdict = fail(`${opts.normalize === 'ip' ? `${explainAddress(ctx.sim, clean(value))} ` : ''}${ctx.render(p.wrong)}`, true);
    }
    ctx.memory.correct = verdict.passed;
    ctx.memory.feedback = verdict.feedback;
    return verdict;
  },
  evaluate(_p, ctx) {
    if (ctx.memory.correct === true) return pass(String(ctx.memory.feedback ?? ''));
    if (ctx.memory.tries) return fail(String(ctx.memory.feedback ?? ''), true);
    return fail(`Waiting for your answer: \`answer ${ctx.taskId} VALUE\`.`);
  },
  expected(p, ctx) {
    if (p.observed) {
      const last = seen(ctx.memory).at(-1);
      return last === undefined ? undefined : display(last, options(p));
    }
    const first = Array.isArray(p.expect) ? p.expect[0] : p.expect;
    return first === undefined ? undefined : ctx.render(first);
  },
  lint(p) {
    const out: string[] = [];
    if (p.observed) out.push(...observableProblems(p.observed, 'observed'));
    const opts = options(p);
    for (const e of p.expect === undefined ? [] : Array.isArray(p.expect) ? p.expect : [p.expect]) {
      const problem = expectedProblem(e, opts);
      if (problem) out.push(`expect "${e}": ${problem}`);
    }
    if (p.tolerance !== undefined && opts.normalize !== 'decimal') out.push('tolerance applies only with normalize: decimal');
    if (p.element !== undefined && opts.normalize !== 'set') out.push('element applies only with normalize: set');
    return out;
  },
});

/** A CIDR answer with host bits set passes, saying how the block is written. */
function sameBlock(value: string, canonical: string, opts: CompareOptions): string {
  if (opts.normalize !== 'cidr') return '';
  const block = display(canonical, opts);
  const written = clean(value);
  return written === block ? '' : `${written} names the same block, written ${block}: the host bits of an address are masked off by the prefix.`;
}

/** Observed values are canonical already; decimals compare within the tolerance. */
function sameCanonical(given: string, seenValue: string, opts: CompareOptions): boolean {
  if (opts.normalize === 'decimal') return Math.abs(Number(given) - Number(seenValue)) <= (opts.tolerance ?? 0.001) + 1e-12;
  return given === seenValue;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
