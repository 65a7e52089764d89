/**
 * The course's structure: six modules and a capstone, each with the lessons it holds, and how
 * the lessons that exist fall into them.
 *
 * Design notes: this is the one place that says which module a lesson belongs to (by its slug,
 * the file name in `content/`), in the curriculum's order. Pages never count lessons themselves:
 * `courseOutline` takes the lessons that exist, sorts them by their `order`, numbers them by
 * position among themselves ("Lesson 2 of 4") and groups them under their modules, leaving out
 * modules with no lesson yet. A lesson this module does not list, or an `order` that puts a
 * lesson inside another module's run, is a mistake in the course and fails the build with a
 * message saying what to change. Module numbers are the curriculum's, fixed (Module 4 stays
 * Module 4 while Modules 2 and 3 have no lesson).
 *
 * Progress (`summarize`) is computed from the learner's saved lab scores (storage.ts: passed
 * and total tasks, and completion, per lab) and the number of tasks each lab has, known when
 * the site is built: a lesson is not started (no lab opened), started (N of M tasks), or done
 * (every lab complete); a module adds up its lessons. No DOM here: progress.ts puts the text
 * into the page.
 */

export interface CourseModule {
  /** A stable id (`packets`, `capstone`), used in element ids. */
  id: string;
  /** `Module 1`, or `Capstone`. */
  label: string;
  /** The module's name; empty for the capstone, whose label says it all. */
  title: string;
  /** One sentence for the course home. */
  summary: string;
  /** Slugs of its lessons, in the curriculum's order. */
  lessons: readonly string[];
}

export const MODULES: readonly CourseModule[] = [
  {
    id: 'packets',
    label: 'Module 1',
    title: 'Packets',
    summary: 'How data crosses a network: packets, addresses, routers, the IPv4 header, and the frames that carry it.',
    lessons: ['packets', 'ipv4-header', 'encapsulation'],
  },
  {
    id: 'containers',
    label: 'Module 2',
    title: 'Containers',
    summary: 'Network namespaces, veth pairs and the docker0 bridge: how containers on one host talk.',
    lessons: ['docker-bridge'],
  },
  {
    id: 'pods',
    label: 'Module 3',
    title: 'Pods',
    summary: 'One network namespace per pod, pods on one node through a bridge, and across nodes through an overlay.',
    lessons: ['pods', 'pod-to-pod-same-node', 'pod-to-pod-across-nodes'],
  },
  {
    id: 'model',
    label: 'Module 4',
    title: 'Addresses and the model',
    summary: 'The three address pools, the Kubernetes network model, and how to check its promises on a live cluster.',
    lessons: ['three-pools', 'network-model', 'design-principles'],
  },
  {
    id: 'services',
    label: 'Module 5',
    title: 'Services',
    summary: "Services, the rules kube-proxy writes for them, their types, and the cluster's DNS.",
    lessons: ['services', 'kube-proxy', 'service-types', 'dns'],
  },
  {
    id: 'outside',
    label: 'Module 6',
    title: 'From outside, and who may talk',
    summary: 'Ingress routes HTTP into the cluster; network policies decide which pods may talk.',
    lessons: ['ingress', 'network-policy'],
  },
  {
    id: 'capstone',
    label: 'Capstone',
    title: '',
    summary: 'A broken cluster to diagnose and repair with everything above.',
    lessons: ['troubleshooting'],
  },
];

/** `Module 1: Packets`, or `Capstone`. */
export function moduleName(m: CourseModule): string {
  return m.title ? `${m.label}: ${m.title}` : m.label;
}

/** What the outline needs of a lesson (a content entry's id and its front matter's order). */
export interface LessonLike {
  id: string;
  order: number;
}

export interface OutlineLesson<L extends LessonLike> {
  lesson: L;
  /** Position among the lessons that exist, 1 first. */
  number: number;
  module: CourseModule;
}

export interface Outline<L extends LessonLike> {
  /** Modules that have at least one lesson, in course order, each with its lessons. */
  modules: { module: CourseModule; lessons: OutlineLesson<L>[] }[];
  /** Every lesson in course order. */
  lessons: OutlineLesson<L>[];
}

export class CourseError extends Error {
  override name = 'CourseError';
}

/** The module a lesson slug belongs to, or undefined. */
export function moduleOf(slug: string): CourseModule | undefined {
  return MODULES.find((m) => m.lessons.includes(slug));
}

/**
 * The lessons that exist, numbered and grouped by module. Throws a CourseError for a lesson no
 * module lists, two lessons with one `order`, or an order that interleaves two modules.
 */
export function courseOutline<L extends LessonLike>(lessons: readonly L[]): Outline<L> {
  const sorted = [...lessons].sort((a, b) => a.order - b.order);
  const where = (l: L): number => MODULES.findIndex((m) => m.lessons.includes(l.id));
  for (const l of sorted) {
    if (where(l) < 0) {
      throw new CourseError(`lesson "${l.id}" belongs to no module: add its slug to a module's lessons in src/ui/course.ts (modules: ${MODULES.map((m) => m.id).join(', ')})`);
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.order === b.order) throw new CourseError(`lessons "${a.id}" and "${b.id}" both have order ${a.order}: give each its own`);
    if (where(b) < where(a)) {
      throw new CourseError(`lesson "${b.id}" (order ${b.order}, ${moduleName(MODULES[where(b)]!)}) comes after "${a.id}" (order ${a.order}, ${moduleName(MODULES[where(a)]!)}): a module's lessons must come before the next module's; change an order`);
    }
  }
  const numbered: OutlineLesson<L>[] = sorted.map((lesson, i) => ({ lesson, number: i + 1, module: MODULES[where(lesson)]! }));
  const modules = MODULES.map((module) => ({ module, lessons: numbered.filter((l) => l.module === module) })).filter((g) => g.lessons.length > 0);
  return { modules, lessons: numbered };
}

// ---------------------------------------------------------------------------------------------
// Progress

/** A lesson as progress sees it: its labs and how many tasks each has. */
export interface LessonTasks {
  /** Lab id -> number of tasks. */
  labs: Record<string, number>;
}

/** What storage keeps per lab (storage.ts LabProgress). */
export interface SavedLab {
  passed: number;
  total: number;
  complete: boolean;
}

export type ProgressState = 'none' | 'started' | 'done';

export interface ProgressSummary {
  state: ProgressState;
  /** Tasks passed and tasks in all, over the labs summed. */
  passed: number;
  total: number;
  /** Lessons with labs, and those done. */
  lessons: number;
  lessonsDone: number;
}

/**
 * Progress over some lessons from the saved labs. A lab with no record is not started; its
 * passed tasks count up to the number of tasks it has now (a lab changed since stays sane).
 * Lessons without labs count for nothing: their state is `none`.
 */
export function summarize(saved: Readonly<Record<string, SavedLab>>, lessons: readonly LessonTasks[]): ProgressSummary {
  let passed = 0;
  let total = 0;
  let withLabs = 0;
  let done = 0;
  let touched = false;
  for (const lesson of lessons) {
    const ids = Object.keys(lesson.labs);
    if (ids.length === 0) continue;
    withLabs++;
    let complete = true;
    for (const id of ids) {
      const tasks = lesson.labs[id] ?? 0;
      const s = saved[id];
      total += tasks;
      if (!s) {
        complete = false;
        continue;
      }
      touched = true;
      passed += s.complete ? tasks : Math.min(Math.max(0, Math.floor(s.passed)), tasks);
      if (!s.complete) complete = false;
    }
    if (complete) done++;
  }
  const state: ProgressState = withLabs > 0 && done === withLabs ? 'done' : touched ? 'started' : 'none';
  return { state, passed, total, lessons: withLabs, lessonsDone: done };
}

/** `3 of 8 tasks`, `Not started`, `Done`: one lesson's progress in words. */
export function lessonProgressText(p: ProgressSummary): string {
  if (p.state === 'done') return 'Done';
  if (p.state === 'none') return 'Not started';
  return `${p.passed} of ${p.total} task${p.total === 1 ? '' : 's'}`;
}

/** `1 of 3 lessons done, 11 of 24 tasks`, `Not started`, `Done`: a module's progress in words. */
export function moduleProgressText(p: ProgressSummary): string {
  if (p.state === 'done') return 'Done';
  if (p.state === 'none') return 'Not started';
  return `${p.lessonsDone} of ${p.lessons} lesson${p.lessons === 1 ? '' : 's'} done, ${p.passed} of ${p.total} task${p.total === 1 ? '' : 's'}`;
}

/** The share of tasks passed, 0 to 100 (for a bar beside the text). */
export function percent(p: ProgressSummary): number {
  return p.total > 0 ? Math.round((100 * p.passed) / p.total) : p.state === 'done' ? 100 : 0;
}

/**
 * The `data-progress` attribute of an element showing progress: its lessons' labs and task
 * counts, as JSON (progress.ts reads it back with `parseProgressData`).
 */
export function progressData(lessons: readonly LessonTasks[]): string {
  return JSON.stringify(lessons.map((l) => l.labs));
}

export function parseProgressData(text: string | undefined): LessonTasks[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((labs): LessonTasks[] => {
      if (typeof labs !== 'object' || labs === null || Array.isArray(labs)) return [];
      const out: Record<string, number> = {};
      for (const [id, n] of Object.entries(labs as Record<string, unknown>)) if (typeof n === 'number' && n >= 0) out[id] = n;
      return [{ labs: out }];
    });
  } catch {
    return [];
  }
}
