/**
 * A lab session: one learner's sandbox, shell, history and task states.
 *
 * Design notes: the session is what every front end drives (the browser terminal, the
 * `npm run shell` CLI, the tests), through LabSessionApi only. It builds the lab's cluster
 * from the learner's seed, adds the `answer` command to the shell, and re-grades after
 * every command: observation checks against what the sandbox saw, answer checks when an
 * answer is given. A task once passed stays passed. A snapshot is plain JSON (format
 * number, lab id, seed, sandbox state, bindings, history, task states, shell location) and
 * restores to an identical session; a snapshot of another format or a damaged one is
 * refused with a SnapshotError so the caller can start afresh and say so.
 *
 * Extra terminals (`openTerminal`) each get their own Shell (location, variables, history,
 * running command) over the same sandbox and command registry, so `tcpdump` in one sees the
 * `ping` typed in another; each terminal runs one command at a time, and the tasks are
 * graded after every command in any of them.
 * Left out: the snapshot keeps only the main terminal; after a reload the extra terminals
 * start afresh at the workstation, with empty histories.
 */
import type { Scheduler } from '../sim/clock';
import { Sim } from '../sim/sim';
import { TOPOLOGIES } from '../sim/topologies';
import type { SimState } from '../sim/state';
import type { Command, Location } from '../shell/command';
import { createRegistry } from '../shell/commands/index';
import type { Registry } from '../shell/registry';
import { CommandError } from '../shell/errors';
import { Shell } from '../shell/shell';
import { needsMore } from '../shell/tokenize';
import { WORKSTATION_LOCATION } from '../shell/location';
import { findLab } from '../../labs/index';
import type { Completion, LabSessionApi, OutputSink, SessionEvent, SessionSnapshot, TaskStatus, TaskView, TerminalApi } from './contract';
import { judgeAnswer, judgeObservation, render, resolveBindings, type ResolvedBindings } from './grader';
import type { LabDefinition } from './schema';

export const SNAPSHOT_FORMAT = 1;

interface TaskState {
  status: TaskStatus;
  feedback: string;
  attempts: number;
}

interface Snapshot extends SessionSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  sim: SimState;
  bindings: ResolvedBindings;
  history: string[];
  tasks: Record<string, TaskState>;
  location: Location;
  /** Observation sequence number when the session started: older observations do not count. */
  since: number;
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export interface SessionOptions {
  labId: string;
  seed: number;
  scheduler: Scheduler;
}

export class LabSession implements LabSessionApi {
  readonly labId: string;
  readonly seed: number;
  readonly lab: LabDefinition;
  private readonly shell: Shell;
  private readonly registry: Registry;
  private readonly main: TerminalApi;
  private readonly listeners = new Set<(e: SessionEvent) => void>();

  private constructor(
    lab: LabDefinition,
    seed: number,
    readonly sim: Sim,
    readonly scheduler: Scheduler,
    readonly bindings: ResolvedBindings,
    private readonly historyLines: string[],
    private readonly taskStates: Record<string, TaskState>,
    location: Location,
    private readonly since: number,
  ) {
    this.lab = lab;
    this.labId = lab.id;
    this.seed = seed;
    this.registry = createRegistry();
    this.registry.register(this.answerCommand());
    this.shell = new Shell({ sim, scheduler, registry: this.registry, location, history: () => this.historyLines });
    this.main = this.terminal(this.shell, historyLines, true);
  }

  static create(opts: SessionOptions): LabSession {
    const lab = requireLab(opts.labId);
    const createdAt = opts.scheduler.now() - lab.clusterAgeMinutes * 60_000;
    const sim = Sim.create({ nodes: lab.cluster.nodes, workloads: lab.cluster.workloads }, opts.seed >>> 0, opts.scheduler, createdAt);
    const bindings = resolveBindings(lab, sim);
    const tasks: Record<string, TaskState> = {};
    for (const t of lab.tasks) tasks[t.id] = { status: 'pending', feedback: '', attempts: 0 };
    return new LabSession(lab, opts.seed >>> 0, sim, opts.scheduler, bindings, [], tasks, WORKSTATION_LOCATION, sim.state.nextObservation - 1);
  }

  /**
   * A free sandbox on a named topology (src/sim/topologies.ts): the same shell and model,
   * with no tasks to grade. Its lab id is `playground:<topology>`.
   */
  static createPlayground(opts: { topology: string; seed: number; scheduler: Scheduler; ageMinutes?: number }): LabSession {
    const lab = playgroundLab(opts.topology);
    const topo = TOPOLOGIES[opts.topology]!;
    const createdAt = opts.scheduler.now() - (opts.ageMinutes ?? 12) * 60_000;
    const sim = Sim.fromState(topo.build(opts.seed >>> 0, createdAt), opts.scheduler);
    return new LabSession(lab, opts.seed >>> 0, sim, opts.scheduler, {}, [], {}, WORKSTATION_LOCATION, sim.state.nextObservation - 1);
  }

  /** The seed a lab uses when none is chosen (static panels, lesson samples). */
  static defaultSeed(labId: string): number {
    return requireLab(labId).defaultSeed;
  }

  static restore(snapshot: unknown, scheduler: Scheduler): LabSession {
    const s = snapshot as Partial<Snapshot> | null;
    if (!s || typeof s !== 'object') throw new SnapshotError('the saved lab is not an object');
    if (s.format !== SNAPSHOT_FORMAT) throw new SnapshotError(`the saved lab has format ${String(s.format)}, this version reads format ${SNAPSHOT_FORMAT}`);
    const id = String(s.labId);
    const lab = id.startsWith('playground:') && TOPOLOGIES[id.slice('playground:'.length)] ? playgroundLab(id.slice('playground:'.length)) : findLab(id);
    if (!lab) throw new SnapshotError(`the saved lab ${id} no longer exists`);
    if (typeof s.seed !== 'number' || !s.sim || !s.bindings || !Array.isArray(s.history) || !s.tasks || !s.location || typeof s.since !== 'number') {
      throw new SnapshotError('the saved lab is incomplete');
    }
    let sim: Sim;
    try {
      sim = Sim.restore(s.sim, scheduler);
    } catch (e) {
      throw new SnapshotError(`the saved sandbox cannot be restored: ${e instanceof Error ? e.message : String(e)}`);
    }
    const tasks: Record<string, TaskState> = {};
    for (const t of lab.tasks) {
      const saved = s.tasks[t.id];
      tasks[t.id] = saved && ['pending', 'passed', 'failed'].includes(saved.status) ? { status: saved.status, feedback: String(saved.feedback ?? ''), attempts: Number(saved.attempts ?? 0) } : { status: 'pending', feedback: '', attempts: 0 };
    }
    return new LabSession(lab, s.seed, sim, scheduler, s.bindings, s.history.map(String), tasks, s.location, s.since);
  }

  prompt(): string {
    return this.main.prompt();
  }

  run(line: string, stdout: OutputSink, stderr: OutputSink): Promise<number> {
    return this.main.run(line, stdout, stderr);
  }

  interrupt(): void {
    this.main.interrupt();
  }

  complete(line: string, cursor: number): Completion {
    return this.main.complete(line, cursor);
  }

  needsMore(text: string): boolean {
    return needsMore(text);
  }

  openTerminal(): TerminalApi {
    const lines: string[] = [];
    const shell = new Shell({ sim: this.sim, scheduler: this.scheduler, registry: this.registry, location: WORKSTATION_LOCATION, history: () => lines });
    return this.terminal(shell, lines, false);
  }

  tasks(): TaskView[] {
    return this.lab.tasks.map((t) => this.view(t.id));
  }

  score(): { earned: number; total: number } {
    let earned = 0;
    let total = 0;
    for (const t of this.lab.tasks) {
      total += t.points;
      if (this.taskStates[t.id]!.status === 'passed') earned += t.points;
    }
    return { earned, total };
  }

  answer(taskId: string, value: string): TaskView {
    const task = this.lab.tasks.find((t) => t.id === taskId);
    if (!task) throw new Error(`no task ${taskId}`);
    if (!('answer' in task.check)) throw new Error(`task ${taskId} is checked from the sandbox, not answered`);
    const st = this.taskStates[taskId]!;
    if (st.status === 'passed') return this.view(taskId);
    st.attempts++;
    const v = judgeAnswer(task.check, value, this.bindings, this.sim);
    this.setTask(taskId, v.passed ? 'passed' : 'failed', v.passed ? render(task.passed, this.bindings) : v.feedback);
    this.emit({ type: 'state' });
    return this.view(taskId);
  }

  history(): string[] {
    return [...this.historyLines];
  }

  subscribe(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): Snapshot {
    return {
      format: SNAPSHOT_FORMAT,
      labId: this.labId,
      seed: this.seed,
      sim: this.sim.snapshot(),
      bindings: JSON.parse(JSON.stringify(this.bindings)) as ResolvedBindings,
      history: [...this.historyLines],
      tasks: JSON.parse(JSON.stringify(this.taskStates)) as Record<string, TaskState>,
      location: { ...this.shell.env.location },
      since: this.since,
    };
  }

  /** The stored solution with this learner's names filled in. */
  solution(): string[] {
    return this.lab.solution.map((l) => render(l, this.bindings));
  }

  /** Re-evaluates every observation check; called after each command. */
  grade(): void {
    for (const t of this.lab.tasks) {
      if ('answer' in t.check) continue;
      const st = this.taskStates[t.id]!;
      if (st.status === 'passed') continue;
      const v = judgeObservation(t.check, this.bindings, this.sim, this.since);
      if (v.passed) this.setTask(t.id, 'passed', render(t.passed, this.bindings));
      else if (v.feedback && v.feedback !== st.feedback) this.setTask(t.id, 'failed', v.feedback);
    }
  }

  private setTask(id: string, status: TaskStatus, feedback: string): void {
    const st = this.taskStates[id]!;
    if (st.status === status && st.feedback === feedback) return;
    st.status = status;
    st.feedback = feedback;
    this.emit({ type: 'task', task: this.view(id) });
  }

  private view(id: string): TaskView {
    const t = this.lab.tasks.find((x) => x.id === id)!;
    const st = this.taskStates[id]!;
    return {
      id,
      title: t.title,
      description: render(t.description, this.bindings),
      status: st.status,
      feedback: st.feedback,
      takesAnswer: 'answer' in t.check,
      points: t.points,
    };
  }

  /** A terminal over `shell`: one command at a time, graded after each; only the main one emits `prompt`. */
  private terminal(shell: Shell, lines: string[], main: boolean): TerminalApi {
    let running = false;
    return {
      prompt: () => shell.prompt(),
      run: async (line, stdout, stderr) => {
        if (running) throw new Error('a command is already running in this terminal');
        running = true;
        const before = shell.prompt();
        try {
          if (line.trim() !== '') lines.push(line);
          const status = await shell.run(line, stdout, stderr);
          this.grade();
          return status;
        } finally {
          running = false;
          if (main && shell.prompt() !== before) this.emit({ type: 'prompt', prompt: shell.prompt() });
          this.emit({ type: 'state' });
        }
      },
      interrupt: () => shell.interrupt(),
      complete: (line, cursor) => shell.complete(line, cursor),
      needsMore: (text) => needsMore(text),
      history: () => [...lines],
      subscribe: (listener) => this.subscribe(main ? listener : (e) => e.type !== 'prompt' && listener(e)),
    };
  }

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** `answer TASK VALUE`: the terminal's way to submit a typed answer. */
  private answerCommand(): Command {
    const session = this as LabSession;
    const answerable = (): string[] => session.lab.tasks.filter((t) => 'answer' in t.check).map((t) => t.id);
    return {
      name: 'answer',
      summary: 'answer a lab task: answer TASK VALUE (answer alone lists the tasks)',
      usage: 'Usage: answer TASK VALUE\n\nSubmits VALUE as your answer to the lab task TASK.\nRun `answer` alone to list the tasks that take an answer.',
      where: ['workstation', 'node', 'pod'],
      async run(ctx) {
        const [, taskId, ...rest] = ctx.argv;
        if (taskId === undefined) {
          for (const t of session.tasks().filter((v) => v.takesAnswer)) ctx.stdout.write(`  ${t.id.padEnd(12)} ${t.status === 'passed' ? '[passed] ' : ''}${t.title}\n`);
          return 0;
        }
        if (!answerable().includes(taskId)) {
          const known = session.lab.tasks.some((t) => t.id === taskId);
          throw new CommandError('USAGE', known ? `answer: task ${taskId} is checked from what happens in the sandbox, not from a typed answer` : `answer: no task named "${taskId}"; tasks that take an answer: ${answerable().join(', ')}`, 2);
        }
        if (rest.length === 0) throw new CommandError('USAGE', `answer: missing VALUE\nUsage: answer ${taskId} VALUE`, 2);
        const before = session.taskStates[taskId]!.status;
        const v = session.answer(taskId, rest.join(' '));
        if (before === 'passed') ctx.stdout.write(`${taskId}: already passed.\n`);
        else if (v.status === 'passed') ctx.stdout.write(`${taskId}: correct. ${v.feedback}\n`);
        else ctx.stdout.write(`${taskId}: not quite. ${v.feedback}\n`);
        return v.status === 'passed' ? 0 : 1;
      },
      complete(req) {
        return req.words.length === 1 ? answerable() : [];
      },
    };
  }
}

/** The task-less definition a playground session runs under. */
function playgroundLab(topology: string): LabDefinition {
  const topo = TOPOLOGIES[topology];
  if (!topo) throw new Error(`no topology "${topology}"; topologies: ${Object.keys(TOPOLOGIES).join(', ')}`);
  return {
    id: `playground:${topology}`,
    title: `Sandbox: ${topology}`,
    summary: topo.description,
    defaultSeed: 1,
    cluster: { nodes: 3, workloads: {} },
    clusterAgeMinutes: 12,
    bindings: {},
    tasks: [] as unknown as LabDefinition['tasks'],
    solution: [''],
  };
}

function requireLab(id: string): LabDefinition {
  const lab = findLab(id);
  if (!lab) throw new Error(`no lab with id "${id}"`);
  return lab;
}

export function createLabSession(opts: SessionOptions): LabSession {
  return LabSession.create(opts);
}

export function restoreLabSession(snapshot: unknown, scheduler: Scheduler): LabSession {
  return LabSession.restore(snapshot, scheduler);
}
