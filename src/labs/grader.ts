/**
 * The grader: judges a lab's tasks from the model, knowing no check kind by name.
 *
 * Design notes: bindings are resolved once, when the session's sandbox is ready, into plain
 * strings kept in the snapshot (bindings/). Each task's check is a tree of check kinds
 * (checks/); the grader walks it through the registry, giving each node its own memory (plain
 * JSON kept in the task's state, so evidence survives a reload) and a context to read the
 * model through. It runs at three moments:
 * - at every packet the sandbox moves (`observe`): every node that watches traffic records
 *   its evidence, then the cheap kinds are evaluated, so a task passes the moment its
 *   evidence exists, mid-command (a `ping` without `-c` passes at its first reply); costly
 *   kinds (probes) keep their last verdict until the next settled evaluation, and one that
 *   has none yet leaves its task as it is (`unknown`, which compositions pass on);
 * - after every command (`settle`): every open task is evaluated in full;
 * - when the learner answers (`submit`) or asks (`check`).
 * Each of them first brings the cluster up to the clock (Sim.advance), so a check sees the
 * cluster as it stands then. A passed task stays passed, whatever happens next. A failing verdict explains itself from
 * the model; it marks the task failed when it judges something the learner did for it (an
 * answer, a near miss on the wire, an explicit `check`), and otherwise only updates what
 * `check` and `{{task.why}}` hints say. After a submission the task stands where the
 * evaluation puts it (a prediction locked in leaves it pending, waiting for its reveal), and
 * its feedback is what the submission said. A task opens when the tasks it `needs` have passed;
 * until then it collects evidence but cannot pass.
 * A check that throws is the lab's fault, never the learner's: the task shows a lab error
 * and keeps its status. A place that no longer exists (the learner deleted the pod a task
 * names) is not an error: it is explained as the state of the sandbox.
 */
import { VirtualClock } from '../sim/clock';
import { Sim } from '../sim/sim';
import { bindingKind, BindingError } from './bindings/index';
import { checkKind, type Check } from './checks/index';
import type { CheckContext, InputView, TraceEvent, Verdict } from './checks/types';
import { PlaceError, resolvePlace } from './places';
import type { LabDefinition, TaskDefinition } from './schema';
import { render, type ResolvedBindings } from './template';

export type TaskStatus = 'pending' | 'passed' | 'failed';

export interface TaskState {
  status: TaskStatus;
  feedback: string;
  /** What the check says now, even while the task is pending (`check`, `{{task.why}}`). */
  why: string;
  /** Answers, choices and predictions given, and explicit checks asked for. */
  attempts: number;
  /** Hints revealed, and the points they cost. */
  hints: number;
  hintPoints: number;
  /** The solution was shown before the task passed: it earns nothing. */
  solutionShown: boolean;
  /** The solution was shown at all (after passing it costs nothing). */
  solutionSeen: boolean;
  /** Per check node (by path): the node's memory. */
  memory: Record<string, Record<string, unknown>>;
  /** Per costly check node: its last verdict from a settled evaluation. */
  cache: Record<string, Verdict>;
  /** The check threw: a fault in the lab. */
  labError?: string;
}

export function newTaskState(): TaskState {
  return { status: 'pending', feedback: '', why: '', attempts: 0, hints: 0, hintPoints: 0, solutionShown: false, solutionSeen: false, memory: {}, cache: {} };
}

/** Resolves the lab's bindings against a built sandbox, in the order the lab lists them. */
export function resolveBindings(lab: LabDefinition, sim: Sim): ResolvedBindings {
  const out: ResolvedBindings = {};
  for (const [name, b] of Object.entries(lab.bindings)) {
    const kind = bindingKind(b.key);
    if (!kind) throw new BindingError(`binding ${name} has an unknown kind ${b.key}`);
    const value = renderValue(b.value, out);
    const resolved = kind.resolve(value, { sim, done: out, name });
    for (const f of Object.keys(kind.fields)) resolved[f] ??= '';
    out[name] = resolved;
  }
  return out;
}

function renderValue(v: unknown, bindings: ResolvedBindings): unknown {
  if (typeof v === 'string') return render(v, bindings);
  if (Array.isArray(v)) return v.map((x) => renderValue(x, bindings));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderValue(x, bindings)]));
  return v;
}

/** A change to a task the front ends should show. */
export interface TaskChange {
  id: string;
  /** The change came from something the learner just did (announce it). */
  status: TaskStatus;
}

export class Grader {
  /** Evaluations deeper than this are a lab error (a composition that nests without end). */
  private depth = 0;

  constructor(
    readonly lab: LabDefinition,
    readonly sim: Sim,
    readonly bindings: ResolvedBindings,
    readonly states: Record<string, TaskState>,
  ) {}

  task(id: string): TaskDefinition | undefined {
    return this.lab.tasks.find((t) => t.id === id);
  }

  isOpen(task: TaskDefinition): boolean {
    return task.needs.every((n) => this.states[n]?.status === 'passed');
  }

  /** Renders a lab text with the bindings (and `{{task.why}}` for `task`). */
  text(textIn: string, task?: TaskDefinition): string {
    return render(textIn, this.bindings, (b, f) => {
      if (b === 'task' && f === 'why' && task) return this.states[task.id]?.why ?? '';
      if (b === 'expected') return this.expected(f) ?? '';
      return undefined;
    });
  }

  /** A packet moved: every unpassed task's watchers see it; cheap checks are judged at once. */
  observe(ev: TraceEvent): TaskChange[] {
    this.sim.advance();
    const changes: TaskChange[] = [];
    for (const task of this.lab.tasks) {
      const st = this.states[task.id]!;
      if (st.status === 'passed') continue;
      this.guard(task, () => this.observeTree(task, task.check, 'check', ev));
      if (this.isOpen(task)) this.judge(task, true, false, changes);
    }
    return changes;
  }

  /** After a command: every open task judged in full. */
  settle(): TaskChange[] {
    this.sim.advance();
    const changes: TaskChange[] = [];
    for (const task of this.lab.tasks) {
      if (this.states[task.id]!.status === 'passed' || !this.isOpen(task)) continue;
      this.judge(task, false, false, changes);
    }
    return changes;
  }

  /** The learner asks whether a task passes now: judged in full, a failure shown as such. */
  check(taskId: string): TaskChange[] {
    this.sim.advance();
    const task = this.task(taskId)!;
    const changes: TaskChange[] = [];
    const st = this.states[taskId]!;
    if (st.status === 'passed' || !this.isOpen(task)) return changes;
    // A task that takes an answer is judged by the answer: checking it only says where it stands.
    if (this.inputNode(task)) {
      this.judge(task, false, false, changes);
      return changes;
    }
    this.judge(task, false, true, changes);
    // A check that could not run is the lab's fault: it is no try of the learner's.
    if (!st.labError) st.attempts++;
    return changes;
  }

  /** How the task takes its input now, if it takes one. */
  inputView(task: TaskDefinition): InputView | undefined {
    const node = this.inputNode(task);
    if (!node) return undefined;
    try {
      return checkKind(node.check.key)!.input?.(node.check.value, this.context(task, node.path, false));
    } catch (e) {
      this.states[task.id]!.labError = e instanceof Error ? e.message : String(e);
      return undefined;
    }
  }

  /** The learner's input for a task (answer, choice, prediction). Returns what the input check said. */
  submit(taskId: string, value: string): { verdict: Verdict; changes: TaskChange[] } {
    const task = this.task(taskId)!;
    const st = this.states[taskId]!;
    const changes: TaskChange[] = [];
    const node = this.inputNode(task);
    if (!node) throw new Error(`task ${taskId} takes no answer`);
    this.sim.advance();
    st.attempts++;
    let verdict: Verdict = { passed: false, feedback: '' };
    this.guard(task, () => {
      const kind = checkKind(node.check.key)!;
      verdict = kind.submit!(node.check.value, this.context(task, node.path, false), value);
    });
    // The task now stands where the evaluation puts it: a submission only recorded (a
    // prediction locked in, waiting for its reveal) leaves it pending, not failed.
    this.judge(task, false, false, changes, true);
    // What the submission itself said (locked in, refused, wrong) is the feedback.
    if (!verdict.passed && st.status !== 'passed' && !st.labError && st.feedback !== verdict.feedback) {
      st.feedback = verdict.feedback;
      if (!changes.some((c) => c.id === taskId)) changes.push({ id: taskId, status: st.status });
    }
    return { verdict, changes };
  }

  /** The value a task's input accepts now, for `{{expected.TASK}}` in solution steps. */
  expected(taskId: string): string | undefined {
    const task = this.task(taskId);
    if (!task) return undefined;
    const node = this.inputNode(task);
    if (!node) return undefined;
    const kind = checkKind(node.check.key)!;
    return kind.expected?.(node.check.value, this.context(task, node.path, false));
  }

  /** The input-taking node of a task's check, if any, with its path. */
  inputNode(task: TaskDefinition): { check: Check; path: string } | undefined {
    let found: { check: Check; path: string } | undefined;
    const walk = (c: Check, path: string): void => {
      const kind = checkKind(c.key)!;
      if (kind.input && !found) found = { check: c, path };
      (kind.children?.(c.value) ?? []).forEach((child, i) => walk(child as Check, `${path}.${c.key}.${i}`));
    };
    walk(task.check, 'check');
    return found;
  }

  /**
   * Runs `fn`, turning a throw into a lab error on the task. A place that no longer exists
   * (the learner deleted the pod a task names) is the sandbox's state, not a fault of the lab:
   * the packet is simply not the task's.
   */
  private guard(task: TaskDefinition, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      if (e instanceof PlaceError) return false;
      this.states[task.id]!.labError = e instanceof Error ? e.message : String(e);
      return false;
    }
  }

  /** Evaluates a task; `settledBySubmission`: a failure that judges nothing makes it pending again. */
  private judge(task: TaskDefinition, live: boolean, attempted: boolean, changes: TaskChange[], settledBySubmission = false): void {
    const st = this.states[task.id]!;
    let v: Verdict | undefined;
    const ok = this.guard(task, () => {
      v = this.evaluateNode(task, task.check, 'check', live);
    });
    if (!ok || !v) return;
    delete st.labError;
    // Judged mid-command on a costly check not run yet: nothing to say until the command ends.
    if (v.unknown) return;
    const before = `${st.status}|${st.feedback}`;
    st.why = v.feedback;
    if (v.passed) {
      st.status = 'passed';
      const said = this.text(task.passed, task);
      st.feedback = [said, v.feedback !== said ? v.feedback : ''].filter(Boolean).join(' ');
    } else if (v.attempted || attempted) {
      st.status = 'failed';
      st.feedback = v.feedback;
    } else if (settledBySubmission) {
      st.status = 'pending';
      st.feedback = v.feedback;
    } else if (st.status === 'failed') {
      st.feedback = v.feedback;
    }
    if (`${st.status}|${st.feedback}` !== before) changes.push({ id: task.id, status: st.status });
  }

  private observeTree(task: TaskDefinition, check: Check, path: string, ev: TraceEvent): void {
    const kind = checkKind(check.key)!;
    kind.observe?.(check.value, this.context(task, path, true), ev);
    (kind.children?.(check.value) ?? []).forEach((c, i) => this.observeTree(task, c as Check, `${path}.${check.key}.${i}`, ev));
  }

  private evaluateNode(task: TaskDefinition, check: Check, path: string, live: boolean): Verdict {
    const kind = checkKind(check.key);
    if (!kind) throw new Error(`unknown check kind ${check.key}`);
    const st = this.states[task.id]!;
    const cheap = typeof kind.live === 'function' ? kind.live(check.value) : kind.live !== false;
    // Between commands only: its last verdict, or none yet (a `not` must not pass on a probe never run).
    if (live && !cheap) return st.cache[path] ?? { passed: false, feedback: st.why || 'Not checked yet.', unknown: true };
    if (++this.depth > 64) throw new Error('checks nest too deeply');
    try {
      const v = kind.evaluate(check.value, this.context(task, path, live));
      if (!cheap) st.cache[path] = v;
      return v;
    } catch (e) {
      // The sandbox changed under a place the task names: that is its state, not a lab fault.
      if (e instanceof PlaceError) return { passed: false, feedback: `${capital(e.message)}.` };
      throw e;
    } finally {
      this.depth--;
    }
  }

  private context(task: TaskDefinition, path: string, live: boolean): CheckContext {
    const st = this.states[task.id]!;
    const memory = (st.memory[path] ??= {});
    const check = this.nodeAt(task, path);
    return {
      sim: this.sim,
      bindings: this.bindings,
      render: (t) => this.text(t, task),
      place: (ref) => resolvePlace(this.sim, this.text(ref, task), this.bindings),
      memory,
      now: () => this.sim.clock.now(),
      scratch: () => Sim.restore(this.sim.state, new VirtualClock(this.sim.clock.now())),
      child: (i) => {
        const kind = checkKind(check.key)!;
        const child = (kind.children?.(check.value) ?? [])[i] as Check | undefined;
        if (!child) throw new Error(`check ${path} has no child ${i}`);
        const childPath = `${path}.${check.key}.${i}`;
        return {
          evaluate: () => this.evaluateNode(task, child, childPath, live),
          submit: (value) => {
            const k = checkKind(child.key)!;
            return k.submit ? k.submit(child.value, this.context(task, childPath, live), value) : undefined;
          },
        };
      },
      live,
      taskId: task.id,
    };
  }

  private nodeAt(task: TaskDefinition, path: string): Check {
    let node = task.check;
    const parts = path.split('.').slice(1);
    for (let i = 0; i < parts.length; i += 2) {
      const kind = checkKind(node.key)!;
      node = (kind.children?.(node.value) ?? [])[Number(parts[i + 1])] as Check;
    }
    return node;
  }

  /** Points a task earns now. */
  earned(task: TaskDefinition): number {
    const st = this.states[task.id]!;
    if (st.status !== 'passed' || st.solutionShown) return 0;
    return Math.max(0, task.points - st.hintPoints);
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export { BindingError };
