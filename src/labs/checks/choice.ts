/**
 * `choice`: a multiple-choice question. The panel shows the options as radio buttons (check
 * boxes when several are right); the terminal takes `answer TASK b` (`answer TASK a,c`), or
 * the text of one option (blanks, case and backticks aside). Each
 * option may carry its own explanation, shown when it is chosen, so a wrong choice is
 * answered with why it is wrong.
 */
import { z } from 'zod';
import { clean } from '../normalize';
import { defineCheckKind, fail, pass } from './types';

const option = z
  .object({
    /** The option's text (templated; `code` in backticks). */
    text: z.string().min(1),
    /** True for a right option. */
    correct: z.boolean().default(false),
    /** Why this option is right or wrong, shown when the learner picks it (templated). */
    why: z.string().optional(),
  })
  .strict();

const params = z
  .object({
    /** The options, shown in this order as a, b, c, ... */
    options: z.array(option).min(2).max(8),
    /** Several options are right and all of them must be picked (check boxes). Default: exactly one is right. */
    multiple: z.boolean().default(false),
    /** Shown after a wrong choice, after the option's own `why` (templated). */
    wrong: z.string().default('Not that one.'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const right = p.options.filter((o) => o.correct).length;
    if (right === 0) ctx.addIssue({ code: 'custom', message: 'no option is marked correct', path: ['options'] });
    if (!p.multiple && right > 1) ctx.addIssue({ code: 'custom', message: 'several options are correct: set multiple: true', path: ['options'] });
  });

type Params = z.output<typeof params>;

const LETTERS = 'abcdefgh';

/** `b`, `B`, `b)`, `(b)`, `2`, or the option's text itself -> its index. */
function pick(p: Params, token: string, render: (s: string) => string): number | undefined {
  const t = token.trim().replace(/^\(|\)$|\.$/g, '').toLowerCase();
  if (/^[a-h]$/.test(t)) return LETTERS.indexOf(t) < p.options.length ? LETTERS.indexOf(t) : undefined;
  if (/^[1-8]$/.test(t)) return Number(t) - 1 < p.options.length ? Number(t) - 1 : undefined;
  return byText(p, token, render);
}

/** The option whose text is `value` (case, blanks and backticks aside). */
function byText(p: Params, value: string, render: (s: string) => string): number | undefined {
  const plain = (s: string): string => clean(s).replace(/`/g, '').replace(/\s+/g, ' ').toLowerCase();
  const i = p.options.findIndex((o) => plain(render(o.text)) === plain(value));
  return i >= 0 ? i : undefined;
}

export const choiceCheck = defineCheckKind<Params>({
  name: 'choice',
  doc: 'A multiple-choice question with its options in the panel (keyboard-operable radio buttons or check boxes) and `answer TASK b` in the terminal. Each option can explain itself with `why`.',
  example: {
    choice: {
      options: [
        { text: 'The bridge cni0 sends the ARP request', why: 'A bridge forwards and floods frames; it does not ask for addresses.' },
        { text: 'The sending pod sends the ARP request', correct: true },
      ],
    },
  },
  params: () => params,
  input: (p, ctx) => ({
    kind: 'choice',
    multiple: p.multiple,
    options: p.options.map((o, i) => ({ id: LETTERS[i]!, text: ctx.render(o.text) })),
    ...(Array.isArray(ctx.memory.last) ? { last: (ctx.memory.last as number[]).map((i) => LETTERS[i]!) } : {}),
  }),
  submit(p, ctx, value) {
    ctx.memory.tries = Number(ctx.memory.tries ?? 0) + 1;
    // Letters first (`b`, `a,c`); failing that, the text of one option.
    const tokens = value.split(/[\s,;]+/).filter(Boolean);
    let picked = [...new Set(tokens.map((t) => pick(p, t, ctx.render)))];
    const whole = picked.includes(undefined) ? byText(p, value, ctx.render) : undefined;
    if (whole !== undefined) picked = [whole];
    let verdict;
    if (picked.length === 0 || picked.includes(undefined)) {
      verdict = fail(`Pick ${p.multiple ? 'the options' : 'one option'} by letter: ${p.options.map((_, i) => LETTERS[i]).join(', ')}.`, true);
    } else if (!p.multiple && picked.length > 1) {
      verdict = fail('Pick only one option.', true);
    } else {
      const right = p.options.map((o, i) => (o.correct ? i : -1)).filter((i) => i >= 0);
      const chosen = picked as number[];
      ctx.memory.last = [...chosen].sort((a, b) => a - b);
      const ok = chosen.length === right.length && right.every((i) => chosen.includes(i));
      const whys = chosen.map((i) => p.options[i]!.why).filter((w): w is string => !!w).map((w) => ctx.render(w));
      if (ok) verdict = pass(whys.join(' '));
      else {
        // Right options only, but not all of them: the lab's words for a wrong choice do not apply.
        const partial = p.multiple && chosen.every((i) => p.options[i]!.correct);
        verdict = fail(partial ? ['Those are right, but not all the right ones.', ...whys].join(' ') : [...whys, ctx.render(p.wrong)].join(' '), true);
      }
    }
    ctx.memory.correct = verdict.passed;
    ctx.memory.feedback = verdict.feedback;
    return verdict;
  },
  evaluate(_p, ctx) {
    if (ctx.memory.correct === true) return pass(String(ctx.memory.feedback ?? ''));
    if (ctx.memory.tries) return fail(String(ctx.memory.feedback ?? ''), true);
    return fail(`Waiting for your choice: \`answer ${ctx.taskId} LETTER\`.`);
  },
  expected(p) {
    return p.options
      .map((o, i) => (o.correct ? LETTERS[i] : ''))
      .filter(Boolean)
      .join(',');
  },
});
