/**
 * The lab definition format.
 *
 * Design notes: a lab is data, validated when it is defined (at build time for the site, at
 * import for the CLI and the tests), so a bad lab never reaches a learner:
 * - the sandbox: a named `topology` with its options, `manifests` (ordinary Kubernetes YAML,
 *   applied through the same code as `kubectl apply -f`), `faults` to inject, and `setup`
 *   commands run before the learner arrives, each of which must succeed;
 * - `bindings` that pick objects out of the built sandbox (bindings/), so text and checks
 *   follow the learner's seed as `{{name.field}}`;
 * - `tasks`, each with a `check` (a tree of check kinds, checks/), hints that cost points, a
 *   solution (its text, and the commands that do it, replayed by the lab self-test) and
 *   `needs` (tasks that must pass first). A lab without tasks is a playground.
 * defineLab validates the schema (every problem with its path), then what the schema cannot
 * see: duplicate or unknown task ids, needs that point forward, placeholders naming no
 * binding or no field of it (or `{{expected.TASK}}` outside solution steps, or naming a
 * prediction), check kinds' own rules (place text that can never be a place among them),
 * `@binding` places that are not places, more than one input in a task, manifests that are
 * not YAML or that have no Kubernetes API to go to. Errors read
 * `lab three-pools is invalid:\n  tasks.2.check.answer.normalize: Invalid enum value ...`.
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { bindingKind, BINDING_KINDS } from './bindings/index';
import { checkKind, checkSchema, type Check } from './checks/index';
import type { LintContext } from './checks/types';
import { keyedUnion, unionIssues, type Keyed } from './keyed';
import { placeholders, stringsIn } from './template';
import { faultSchema, hasKubernetesApi, topologySchema } from './topology';

const kebab = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'use lower-case kebab-case');

/** Names the template language keeps for itself: `{{task.why}}`, `{{expected.TASK}}`. */
export const RESERVED_BINDINGS = ['task', 'expected'] as const;

export const bindingSchema = keyedUnion<unknown>('binding kind', () => Object.fromEntries(BINDING_KINDS.map((k) => [k.name, k.params])));

/** A hint: its text (templated; `{{task.why}}` is what the check says now), and what it costs. */
const hintSchema = z.union([
  z.string().min(1),
  z
    .object({
      text: z.string().min(1),
      /** Points it costs (default: the lab's hintCost). */
      cost: z.number().int().nonnegative().optional(),
    })
    .strict(),
]);

const solutionSchema = z
  .object({
    /** What to do and why, in words (templated; `code` in backticks). */
    text: z.string().min(1),
    /**
     * The commands that complete the task, as a learner would type them (templated;
     * `{{expected.TASK}}` is the value TASK accepts at that moment). The lab's stored solution
     * is every task's steps in order; the self-test replays it.
     */
    steps: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const taskSchema = z
  .object({
    /** Stable id, used by `answer <id> ...`, `hint <id>` and in saved progress. */
    id: kebab,
    /** Short imperative title. */
    title: z.string().min(1),
    /** What to do, templated; `code` in backticks. */
    description: z.string().min(1),
    /** Points for passing (default 10). */
    points: z.number().int().positive().default(10),
    /** How the task is judged: one check kind, possibly composed (`all`, `any`, `not`). */
    check: checkSchema,
    /** Tasks that must pass before this one opens (earlier tasks only). */
    needs: z.array(kebab).default([]),
    /** Shown when the task passes (templated); the check's own explanation follows it. */
    passed: z.string().default(''),
    /** Hints, revealed one at a time, each costing points. */
    hints: z.array(hintSchema).default([]),
    /** How the task is done, shown on request (it costs the task's points before the task passes). */
    solution: solutionSchema,
  })
  .strict();

export const labSchema = z
  .object({
    /** Lab id; lessons embed it with `<Lab id="..." />`. */
    id: kebab,
    /** The lab's title, shown atop its panel. */
    title: z.string().min(1),
    /** One or two sentences shown above the tasks. */
    summary: z.string().min(1),
    /** The seed used when no learner seed is chosen (static rendering, docs, tests). */
    defaultSeed: z.number().int().nonnegative().default(1),
    /** The sandbox: a named topology and its options (default: the 3-node flannel cluster). */
    topology: topologySchema.default({ name: 'kubernetes' }),
    /** How long the sandbox has existed when the learner arrives (minutes; sets AGE columns). */
    clusterAgeMinutes: z.number().nonnegative().default(12),
    /**
     * Kubernetes objects as YAML (several documents, or a `kind: List`), applied as
     * `kubectl apply -f` applies them, four minutes after the cluster was created.
     */
    manifests: z.string().default(''),
    /** Faults injected after the manifests (src/sim/faults.ts). */
    faults: z.array(faultSchema).default([]),
    /** Commands run on the workstation before the learner arrives; each must exit 0. */
    setup: z.array(z.string().min(1)).default([]),
    /** Named objects picked from the built sandbox, usable as `{{name.field}}`. */
    bindings: z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'use a lowerCamel name'), bindingSchema).default({}),
    /** Points a hint costs unless it says otherwise (default 2). */
    hintCost: z.number().int().nonnegative().default(2),
    /** Failed tries after which the panel offers a task's solution (it can always be asked for). */
    solutionAfter: z.number().int().positive().default(3),
    /** The tasks, in order. None makes a playground. */
    tasks: z.array(taskSchema).default([]),
  })
  .strict();

export type LabDefinition = z.output<typeof labSchema>;
export type LabInput = z.input<typeof labSchema>;
export type TaskDefinition = z.output<typeof taskSchema>;
export type Binding = Keyed<unknown>;
export type { Check };

export class LabDefinitionError extends Error {
  override name = 'LabDefinitionError';
}

/** Validates a lab definition; throws a LabDefinitionError listing every problem with its path. */
export function defineLab(input: LabInput): LabDefinition {
  const id = typeof input === 'object' && input && 'id' in input ? String(input.id) : '?';
  const r = labSchema.safeParse(input);
  if (!r.success) throw new LabDefinitionError(`lab ${id} is invalid:\n${r.error.issues.flatMap(unionIssues).map((i) => `  ${i.path.join('.') || '(lab)'}: ${i.message}`).join('\n')}`);
  const problems = labProblems(r.data);
  if (problems.length) throw new LabDefinitionError(`lab ${id} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return r.data;
}

/** Walks a check tree: each node with its path (`check.all.1.answer`). */
export function walkCheck(check: Check, path: string, visit: (node: Check, path: string) => void): void {
  visit(check, path);
  const kind = checkKind(check.key);
  const kids = kind?.children?.(check.value) ?? [];
  kids.forEach((c, i) => walkCheck(c as Check, `${path}.${check.key}.${i}`, visit));
}

/** The problems the schema cannot see, each as `path: reason`. */
export function labProblems(lab: LabDefinition): string[] {
  const out: string[] = [];
  const fields: Record<string, string[]> = {};
  for (const [name, b] of Object.entries(lab.bindings)) {
    if ((RESERVED_BINDINGS as readonly string[]).includes(name)) out.push(`bindings.${name}: "${name}" is reserved for the template language`);
    fields[name] = Object.keys(bindingKind(b.key)?.fields ?? {});
  }
  const lint: LintContext = { bindings: fields, tasks: lab.tasks.map((t) => t.id) };
  /** Tasks that take an input, and whether the value it accepts can be known (not a prediction). */
  const inputTasks = new Map<string, boolean>();
  const seen = new Set<string>();
  lab.tasks.forEach((t, i) => {
    const at = `tasks.${i}`;
    if (seen.has(t.id)) out.push(`${at}.id: task id ${t.id} is used twice`);
    for (const n of t.needs) if (!seen.has(n)) out.push(`${at}.needs: "${n}" is not an earlier task`);
    seen.add(t.id);
    let inputs = 0;
    let knowable = false;
    walkCheck(t.check, `${at}.check`, (node, path) => {
      const kind = checkKind(node.key)!;
      if (kind.input) inputs++;
      if (kind.input && kind.expected) knowable = true;
      for (const problem of kind.lint?.(node.value, lint) ?? []) out.push(`${path}.${node.key}${problem.startsWith('.') ? '' : ': '}${problem}`);
      for (const s of stringsIn(node.value)) {
        const m = /^@([a-zA-Z][a-zA-Z0-9]*)$/.exec(s.trim());
        if (!m) continue;
        const b = lab.bindings[m[1]!];
        if (!b) out.push(`${path}.${node.key}: "${s}" names no binding`);
        else if (!bindingKind(b.key)?.fields.place) out.push(`${path}.${node.key}: "${s}" is a ${b.key} binding, which is not a place`);
      }
    });
    if (inputs > 1) out.push(`${at}.check: a task takes at most one input (answer, choice or predict); this one has ${inputs}`);
    if (inputs === 1) inputTasks.set(t.id, knowable);
  });
  // Placeholders: every {{name.field}} names a binding and one of its kind's fields.
  const checkText = (text: string, path: string, allowExpected: boolean): void => {
    for (const [b, f] of placeholders(text)) {
      if (b === 'task') {
        if (f !== 'why') out.push(`${path}: {{task.${f}}} is unknown (only {{task.why}})`);
        continue;
      }
      if (b === 'expected') {
        if (!allowExpected) out.push(`${path}: {{expected.${f}}} is allowed in solution steps only`);
        else if (!inputTasks.has(f)) out.push(`${path}: {{expected.${f}}} names no task that takes an answer`);
        else if (!inputTasks.get(f)) out.push(`${path}: {{expected.${f}}}: task ${f} takes a prediction, whose right value is known only once it is revealed`);
        continue;
      }
      if (!fields[b]) out.push(`${path}: {{${b}.${f}}} names no binding`);
      else if (!fields[b].includes(f)) out.push(`${path}: {{${b}.${f}}}: a ${lab.bindings[b]!.key} binding has no field ${f} (it has ${fields[b].join(', ')})`);
    }
  };
  lab.tasks.forEach((t, i) => {
    const at = `tasks.${i}`;
    checkText(t.title, `${at}.title`, false);
    checkText(t.description, `${at}.description`, false);
    checkText(t.passed, `${at}.passed`, false);
    t.hints.forEach((h, j) => checkText(typeof h === 'string' ? h : h.text, `${at}.hints.${j}`, false));
    checkText(t.solution.text, `${at}.solution.text`, false);
    t.solution.steps.forEach((s, j) => checkText(s, `${at}.solution.steps.${j}`, true));
    stringsIn(t.check.value).forEach((s) => checkText(s, `${at}.check`, false));
  });
  checkText(lab.summary, 'summary', false);
  // Bindings may name earlier bindings only.
  const names = Object.keys(lab.bindings);
  names.forEach((name, i) => {
    for (const s of stringsIn(lab.bindings[name]!.value)) {
      for (const [b] of placeholders(s)) if (!names.slice(0, i).includes(b)) out.push(`bindings.${name}: {{${b}...}} is not an earlier binding`);
      const m = /^@([a-zA-Z][a-zA-Z0-9]*)$/.exec(s);
      if (m && !names.slice(0, i).includes(m[1]!)) out.push(`bindings.${name}: "${s}" is not an earlier binding`);
    }
  });
  for (const field of ['notOnNodeOf', 'onNodeOf', 'nodeOf'] as const) {
    names.forEach((name, i) => {
      const v = (lab.bindings[name]!.value as Record<string, unknown>)[field];
      if (typeof v === 'string' && !names.slice(0, i).includes(v)) out.push(`bindings.${name}.${lab.bindings[name]!.key}.${field}: "${v}" is not an earlier binding`);
    });
  }
  if (lab.manifests.trim() !== '') {
    for (const doc of parseAllDocuments(lab.manifests)) {
      for (const e of doc.errors) out.push(`manifests: ${e.message.split('\n')[0]!.replace(/:$/, '')}`);
    }
  }
  if (lab.manifests.trim() !== '' && !hasKubernetesApi(lab.topology)) {
    const name = lab.topology.name === 'preset' ? lab.topology.preset : lab.topology.name;
    out.push(`manifests: the ${name} topology has no Kubernetes API to apply them to`);
  }
  return out;
}
