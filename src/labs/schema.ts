/**
 * The lab definition format.
 *
 * Design notes: a lab is data, validated by this zod schema when it is loaded: the cluster
 * to build, named bindings that pick objects out of the built cluster (so task text and
 * expected answers follow the learner's seed), the tasks with their declarative checks and
 * feedback, and a stored solution (commands that complete every task, replayed by the lab
 * self-test). Text fields may contain `{{binding.field}}` placeholders.
 */
import { z } from 'zod';

const kebab = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'use lower-case kebab-case');
const labels = z.record(z.string(), z.string());

/** Picks one pod from the built cluster. */
const podBinding = z
  .object({
    /** Namespace to look in (default `default`). */
    namespace: z.string().default('default'),
    /** Exact pod name, for pods the lab creates by name. */
    name: z.string().optional(),
    /** Labels the pod must carry. */
    labels: labels.optional(),
    /** Only pods on a different node from this (earlier) pod binding. */
    notOnNodeOf: z.string().optional(),
    /** Only pods on the same node as this (earlier) pod binding. */
    onNodeOf: z.string().optional(),
  })
  .strict();

/** Picks one Service from the built cluster. */
const serviceBinding = z
  .object({
    namespace: z.string().default('default'),
    name: z.string(),
  })
  .strict();

/** Picks one node by name. */
const nodeBinding = z.object({ name: z.string() }).strict();

export const bindingSchema = z.union([
  z.object({ pod: podBinding }).strict(),
  z.object({ service: serviceBinding }).strict(),
  z.object({ node: nodeBinding }).strict(),
]);

/** A typed answer, checked against the model. */
const answerCheck = z
  .object({
    /** The expected value(s), templated; any one is accepted. */
    expect: z.union([z.string(), z.array(z.string()).nonempty()]),
    /** How answers are compared: `ip` parses dotted quads, `number` integers, `word` is case-insensitive text. */
    normalize: z.enum(['ip', 'number', 'word']).default('word'),
    /** Feedback for a wrong answer (templated); the grader adds what the model knows about the value given. */
    wrong: z.string().default('That is not it yet.'),
  })
  .strict();

/** Something the model must have seen happen. */
const echoReplyCheck = z
  .object({
    /** Pod binding whose namespace must receive the echo reply. */
    in: z.string(),
    /** Pod binding whose address must have sent it. */
    from: z.string(),
  })
  .strict();

export const checkSchema = z.union([z.object({ answer: answerCheck }).strict(), z.object({ echoReply: echoReplyCheck }).strict()]);

export const taskSchema = z
  .object({
    /** Stable id, used by `answer <id> ...` and in saved progress. */
    id: kebab,
    /** Short imperative title. */
    title: z.string().min(1),
    /** What to do, templated; `code` in backticks. */
    description: z.string().min(1),
    /** Points for passing (default 10). */
    points: z.number().int().positive().default(10),
    /** Shown when the task passes (templated). */
    passed: z.string().default('Correct.'),
    check: checkSchema,
  })
  .strict();

const workloadsSchema = z
  .object({
    deployments: z
      .array(z.object({ name: kebab, namespace: z.string().optional(), replicas: z.number().int().min(0), image: z.string(), labels: labels.optional(), ports: z.array(z.number().int()).optional() }).strict())
      .optional(),
    pods: z.array(z.object({ name: kebab, namespace: z.string().optional(), image: z.string(), labels: labels.optional(), node: z.string().optional(), command: z.array(z.string()).optional() }).strict()).optional(),
    services: z
      .array(
        z
          .object({
            name: kebab,
            namespace: z.string().optional(),
            selector: labels,
            ports: z.array(z.object({ port: z.number().int(), targetPort: z.number().int().optional(), name: z.string().optional(), protocol: z.enum(['TCP', 'UDP']).optional() }).strict()),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export const labSchema = z
  .object({
    /** Lab id; lessons embed it with `<Lab id="..." />`. */
    id: kebab,
    title: z.string().min(1),
    /** One or two sentences shown above the tasks. */
    summary: z.string().min(1),
    /** The seed used when no learner seed is chosen (static rendering, docs, tests). */
    defaultSeed: z.number().int().nonnegative().default(1),
    /** The cluster the lab runs on. */
    cluster: z
      .object({
        nodes: z.number().int().min(1).max(50).default(3),
        workloads: workloadsSchema.default({}),
      })
      .strict()
      .default({}),
    /** How long the cluster has existed when the learner arrives (minutes; sets AGE columns). */
    clusterAgeMinutes: z.number().nonnegative().default(12),
    /** Named objects picked from the built cluster, usable in text as `{{name.field}}`. */
    bindings: z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/), bindingSchema).default({}),
    tasks: z.array(taskSchema).nonempty(),
    /** Commands that complete every task from the start, templated. */
    solution: z.array(z.string()).nonempty(),
  })
  .strict();

export type LabDefinition = z.output<typeof labSchema>;
export type LabInput = z.input<typeof labSchema>;
export type TaskDefinition = z.output<typeof taskSchema>;
export type Check = z.output<typeof checkSchema>;
export type Binding = z.output<typeof bindingSchema>;

/** Validates a lab definition; throws with every problem listed. */
export function defineLab(input: LabInput): LabDefinition {
  const r = labSchema.safeParse(input);
  if (!r.success) {
    const id = typeof input === 'object' && input && 'id' in input ? String(input.id) : '?';
    throw new Error(`lab ${id} is invalid:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const lab = r.data;
  const ids = new Set<string>();
  for (const t of lab.tasks) {
    if (ids.has(t.id)) throw new Error(`lab ${lab.id} is invalid: task id ${t.id} is used twice`);
    ids.add(t.id);
  }
  return lab;
}
