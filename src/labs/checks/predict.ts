/**
 * `predict`: the learner locks in a prediction, then runs the command that reveals the
 * answer; the task is graded against what then really happened.
 *
 * The prediction is typed like an answer (`answer TASK VALUE`, or the panel's field, or one
 * of `options` as buttons, and then only one of them) and cannot be changed once locked. Only traffic after the lock
 * counts: the first value the `reveal` observable reads from it is compared with the
 * prediction. A wrong prediction fails the task with what really happened and why: what the
 * observable's model says about the difference (the table entry where a predicted path goes
 * astray), then the lab's `explain`; `retries` more predictions may follow (default 1), each
 * needing a new reveal.
 */
import { z } from 'zod';
import { display, normalize, NORMALIZERS, type CompareOptions, type NormalizerName } from '../normalize';
import { howToSee, observableProblems, observableSchema, OBSERVABLES } from '../observables';
import { defineCheckKind, fail, pass } from './types';

const params = z
  .object({
    /** What reveals the answer: a value read off the learner's traffic after the prediction. */
    reveal: observableSchema,
    /** How the prediction and the revealed value compare (default: the observable's own). */
    normalize: z.enum(NORMALIZERS as [NormalizerName, ...NormalizerName[]]).optional(),
    /** `decimal`: the largest difference that still counts (default 0.001). */
    tolerance: z.number().nonnegative().optional(),
    /** Offer these predictions as buttons instead of a text field (`['reply', 'no reply']`). */
    options: z.array(z.string()).min(2).optional(),
    /** Why the answer is what it is, shown once it is revealed (templated). */
    explain: z.string().default(''),
    /** How many new predictions may follow a wrong one (default 1). */
    retries: z.number().int().nonnegative().default(1),
    /** Placeholder text for the panel's field. */
    placeholder: z.string().optional(),
  })
  .strict();

type Params = z.output<typeof params>;

function options(p: Params): CompareOptions {
  const o: CompareOptions = { normalize: p.normalize ?? OBSERVABLES[p.reveal.value]?.normalize ?? 'word' };
  if (p.tolerance !== undefined) o.tolerance = p.tolerance;
  return o;
}

function same(a: string, b: string, o: CompareOptions): boolean {
  return o.normalize === 'decimal' ? Math.abs(Number(a) - Number(b)) <= (o.tolerance ?? 0.001) + 1e-12 : a === b;
}

export const predictCheck = defineCheckKind<Params>({
  name: 'predict',
  doc: 'A prediction locked in before the learner runs the command that reveals the answer, graded against what the sandbox then shows (`reveal`, an observable). Only traffic after the lock counts.',
  example: {
    predict: {
      reveal: { value: 'reply-ttl', from: '@client', to: '@target' },
      explain: 'Two nodes routed the reply, each taking one off the TTL: 64 - 2 = 62.',
    },
  },
  params: () => params,
  input: (p, ctx) => {
    const m = ctx.memory;
    const locked = typeof m.locked === 'string' && m.revealed === undefined ? m.locked : undefined;
    const wrongReveal = m.revealed !== undefined && m.correct !== true;
    let how: string | undefined;
    try {
      how = howToSee(p.reveal, ctx);
    } catch {
      how = undefined; // the place is gone; the feedback says so
    }
    return {
      kind: 'prediction' as const,
      ...(p.placeholder ? { placeholder: ctx.render(p.placeholder) } : {}),
      ...(locked !== undefined ? { locked } : {}),
      ...(p.options ? { options: p.options.map((o) => ctx.render(o)) } : {}),
      ...(how !== undefined ? { how } : {}),
      ...(wrongReveal ? { retriesLeft: Math.max(0, p.retries - Number(m.retriesUsed ?? 0)) } : {}),
    };
  },
  observe(p, ctx, ev) {
    if (typeof ctx.memory.locked !== 'string' || ctx.memory.revealed !== undefined) return;
    const values = OBSERVABLES[p.reveal.value]!.extract(p.reveal, ctx, ev);
    if (values.length > 0) ctx.memory.revealed = values[0];
  },
  submit(p, ctx, value) {
    const o = options(p);
    const m = ctx.memory;
    if (m.correct === true) return pass(String(m.feedback ?? ''));
    if (typeof m.locked === 'string' && m.revealed === undefined) {
      return fail(`Your prediction (${m.locked}) is locked in; now ${howToSee(p.reveal, ctx)} and see.`);
    }
    if (m.revealed !== undefined && Number(m.retriesUsed ?? 0) >= p.retries) {
      return fail(`No more predictions for this task: the answer was ${String(m.shown)}.`, true);
    }
    const n = normalize(value, o);
    if (!n.ok) return fail(`${n.reason}.`);
    if (p.options) {
      const offered = p.options.map((x) => ctx.render(x));
      const among = offered.map((x) => normalize(x, o)).some((x) => x.ok && same(n.value, x.value, o));
      if (!among) return fail(`Predict one of: ${offered.join(', ')}.`);
    }
    if (m.revealed !== undefined) m.retriesUsed = Number(m.retriesUsed ?? 0) + 1;
    m.locked = value.trim();
    m.lockedCanon = n.value;
    delete m.revealed;
    m.tries = Number(m.tries ?? 0) + 1;
    return fail(`Locked in: ${value.trim()}. Now ${howToSee(p.reveal, ctx)} and see.`);
  },
  evaluate(p, ctx) {
    const m = ctx.memory;
    if (typeof m.locked !== 'string') return fail(`Make your prediction first (\`answer ${ctx.taskId} VALUE\`), then ${howToSee(p.reveal, ctx)}.`);
    if (m.revealed === undefined) return fail(`Your prediction (${m.locked}) is locked in; now ${howToSee(p.reveal, ctx)} and see.`);
    const o = options(p);
    const shown = display(String(m.revealed), o);
    m.shown = shown;
    const explain = p.explain ? ` ${ctx.render(p.explain)}` : '';
    if (same(String(m.lockedCanon), String(m.revealed), o)) {
      m.correct = true;
      m.feedback = `You predicted ${m.locked}, and it was ${shown}.${explain}`;
      return pass(String(m.feedback));
    }
    const left = p.retries - Number(m.retriesUsed ?? 0);
    const model = OBSERVABLES[p.reveal.value]!.explain?.(p.reveal, ctx, String(m.lockedCanon), String(m.revealed));
    return fail(`You predicted ${m.locked}; it was ${shown}.${model ? ` ${model}` : ''}${explain}${left > 0 ? ` You may predict again (${left} more ${left === 1 ? 'try' : 'tries'}), then look again.` : ''}`, true);
  },
  lint(p) {
    const out = observableProblems(p.reveal, 'reveal');
    if (p.options) {
      const o = options(p);
      for (const opt of p.options) if (!opt.includes('{{') && !normalize(opt, o).ok) out.push(`option "${opt}" is not a valid ${o.normalize} value`);
    }
    return out;
  },
});
