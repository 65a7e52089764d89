/**
 * A lab session: one learner's sandbox, shells, history and task states.
 *
 * Design notes: the session is what every front end drives (the browser terminal, the
 * `npm run shell` CLI, the tests), through LabSessionApi only. It is built from a lab
 * definition (schema.ts) and a seed:
 * 1. the topology is built as it stood `clusterAgeMinutes` ago;
 * 2. the lab's manifests are applied four minutes after that, through kubectl apply's code;
 * 3. its faults are injected two minutes before the learner arrives;
 * 4. its setup commands run through a shell on the workstation one minute before, on a
 *    virtual clock of their own (so they take no real time, even in the browser), and each
 *    must exit 0 or the session is refused with a LabSetupError saying which failed and why;
 * 5. the bindings are resolved and the grader takes over.
 * Grading (grader.ts) happens at every packet the sandbox moves (the session listens to the
 * sandbox's traces), after every command, and when the learner answers, checks, or asks for a
 * hint or a solution (a task that passes opens the tasks that need it, which are judged at
 * once on the evidence they kept); every change to a task is an event. Every packet is also
 * an event (`trace`), with its hops and the frames that crossed a wire, for the path view and
 * pcap files, sent before the task changes it causes (trace-view.ts builds it). The topology
 * view's models (topology-view.ts) are built from the state on request, once what fell due has
 * happened, like `topology()`. Each terminal's
 * shell sends through its own view of the sandbox (Sim.withOrigin), so a trace names the command
 * that sent it and its terminal, the last one each terminal ran; the lab's own probes name none. A snapshot is plain JSON (format
 * number, lab id, seed, sandbox state, bindings,
 * history, task states, shell location) and restores to an identical session; a snapshot of
 * another format or a damaged one is refused with a SnapshotError so the caller can start
 * afresh and say so.
 *
 * Capture files: when a command in any terminal ends, every pcap file (a binary file starting
 * with the pcap magic, as `tcpdump -w` writes it) that is new or changed since the last look
 * is announced with a `file` event naming its place and path, so a front end can offer it for
 * download (`readBytes` returns its bytes exactly). Files already there when the session was
 * built or restored are not announced. A capture still being written when another terminal's
 * command ends is announced then, and again when it changes.
 *
 * The editor: `listFiles`, `readFile` and `writeFile` are the learner's files as the shell
 * sees them; `dryRun` is dry-run.ts on the cluster as it stands. While a front end offers an
 * editor (`offerEditor`, counted, so two panels on one session both may), every shell's
 * `kubectl edit` asks it through an `edit` event and waits for `finishEdit`; Ctrl+C in that
 * terminal ends the wait as a close without saving (kubectl then prints `Edit cancelled, no
 * changes made.`) and sends `edit-end`. Without an offer `kubectl edit` runs $EDITOR (vi) as
 * in a terminal without the lab's panel. Pending edits are not part of the snapshot.
 *
 * Extra terminals (`openTerminal`) each get their own Shell (location, variables, history,
 * running command) over the same sandbox and command registry, so `tcpdump` in one sees the
 * `ping` typed in another; each terminal runs one command at a time, and the tasks are
 * graded at every packet and after every command in any of them.
 * Left out: the snapshot keeps only the main terminal; after a reload the extra terminals
 * start afresh at the workstation, with empty histories.
 */
import type { Scheduler } from '../sim/clock';
import type { TraceResult } from '../sim/forward';
import { Sim } from '../sim/sim';
import type { SimState } from '../sim/state';
import { topologyOf, type TopologyView } from '../sim/topology';
import { binaryToBytes, readFile as readSandboxFile, writeFile as writeSandboxFile } from '../sim/files';
import { dryRunManifests } from './dry-run';
import { pcapMagic } from '../sim/pcap';
import { utf8 } from '../sim/k8s/objects';
import { parseManifest } from '../shell/commands/kubectl/mutate';
import { applyDocuments, applyText } from '../shell/commands/kubectl/apply';
import type { Location } from '../shell/command';
import { createRegistry } from '../shell/commands/index';
import type { Registry } from '../shell/registry';
import { Shell } from '../shell/shell';
import { historyEntry, needsMore } from '../shell/tokenize';
import { DETACH_KEYS } from '../shell/commands/docker/attach';
import { WORKSTATION_LOCATION } from '../shell/location';
import type { ApplyOutcome, CommandRef, Completion, DryRunReport, FileEntry, LabSessionApi, NetworkModel, OutputSink, ScoreView, SessionEvent, SessionSnapshot, TaskView, TerminalApi, TopologyModel } from './contract';
import { Grader, newTaskState, resolveBindings, type TaskChange, type TaskState } from './grader';
import { labCommands } from './lab-commands';
import { placeOfMachine, resolvePlace } from './places';
import type { LabDefinition, TaskDefinition } from './schema';
import { ScriptClock } from './transcript';
import { buildTopology, injectFault } from './topology';
import { networkModel, topologyModel } from './topology-view';
import { traceView } from './trace-view';
import type { ResolvedBindings } from './template';

export const SNAPSHOT_FORMAT = 2;

/** When, before the learner arrives, the lab's preparations happen. */
const MANIFESTS_AFTER_MS = 4 * 60_000;
const FAULTS_BEFORE_MS = 2 * 60_000;
const SETUP_BEFORE_MS = 60_000;

interface Snapshot extends SessionSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  sim: SimState;
  bindings: ResolvedBindings;
  history: string[];
  tasks: Record<string, TaskState>;
  location: Location;
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

/** A lab's sandbox could not be prepared (a manifest refused, a fault or setup command failed). */
export class LabSetupError extends Error {
  override name = 'LabSetupError';
}

export interface SessionOptions {
  lab: LabDefinition;
  seed: number;
  scheduler: Scheduler;
}

export class LabSession implements LabSessionApi {
  readonly labId: string;
  readonly seed: number;
  readonly lab: LabDefinition;
  readonly grader: Grader;
  private readonly shell: Shell;
  private readonly registry: Registry;
  private readonly main: TerminalApi;
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  /** Terminals made so far (the main one is 1); each shell sends its packets as its number. */
  private terminals = 1;
  private commandCount = 0;
  /** The last command each terminal ran, by terminal number: where its packets come from. */
  private readonly commands = new Map<string, CommandRef>();
  /** Each capture file's length and modification time when last announced, by `machine\0path`. */
  private captureMarks: Map<string, string>;
  /** Front ends offering an editor to `kubectl edit` now. */
  private editorOffers = 0;
  private editCount = 0;
  /** `kubectl edit` requests waiting for the editor, by id. */
  private readonly edits = new Map<number, { terminal: number; resolve: (text: string | undefined) => void }>();

  private constructor(
    lab: LabDefinition,
    seed: number,
    readonly sim: Sim,
    readonly scheduler: Scheduler,
    readonly bindings: ResolvedBindings,
    private readonly historyLines: string[],
    private readonly taskStates: Record<string, TaskState>,
    location: Location,
  ) {
    this.lab = lab;
    this.labId = lab.id;
    this.seed = seed;
    this.grader = new Grader(lab, sim, bindings, taskStates);
    this.registry = createRegistry();
    if (lab.tasks.length > 0) this.registry.register(...labCommands(this));
    this.shell = new Shell({ sim: sim.withOrigin('1'), scheduler, registry: this.registry, location, history: () => this.historyLines, editor: () => this.editorFor(1) });
    this.main = this.terminal(this.shell, historyLines, 1);
    sim.onTrace((trace, time, sender) => this.onTrace(trace, time, sender));
    this.captureMarks = captureMarks(sim.state);
  }

  get title(): string {
    return this.lab.title;
  }

  /** Builds the lab's sandbox for `seed` as the learner finds it on arrival. */
  static async create(opts: SessionOptions): Promise<LabSession> {
    const lab = opts.lab;
    const seed = opts.seed >>> 0;
    const now = opts.scheduler.now();
    const createdAt = now - lab.clusterAgeMinutes * 60_000;
    const state = buildTopology(lab.topology, seed, createdAt);
    const prep = new ScriptClock(Math.max(createdAt, now - SETUP_BEFORE_MS));
    const prepSim = Sim.fromState(state, prep);
    if (lab.manifests.trim() !== '') {
      let docs;
      try {
        docs = parseManifest(lab.manifests, `${lab.id}.yaml`);
        const applied = applyDocuments({ state, rng: prepSim.rng, now: Math.min(createdAt + MANIFESTS_AFTER_MS, now) }, docs, {});
        if (!applied.ok) throw new Error(applied.lines.filter((l) => l.stderr).map((l) => l.text).join('\n'));
      } catch (e) {
        throw new LabSetupError(`lab ${lab.id}: its manifests were refused: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const f of lab.faults) {
      try {
        injectFault(state, f, Math.max(createdAt, now - FAULTS_BEFORE_MS));
      } catch (e) {
        throw new LabSetupError(`lab ${lab.id}: fault ${f.kind} could not be injected: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (lab.setup.length > 0) {
      const shell = new Shell({ sim: prepSim, scheduler: prep, registry: createRegistry(), location: WORKSTATION_LOCATION });
      for (const line of lab.setup) {
        let out = '';
        const sink: OutputSink = { write: (t) => void (out += t) };
        prep.beginCommand(() => shell.interrupt());
        const status = await shell.run(line, sink, sink);
        if (status !== 0) throw new LabSetupError(`lab ${lab.id}: setup command \`${line}\` exited ${status}${out ? `:\n${out.trimEnd()}` : ''}`);
      }
      if (shell.env.location.kind !== 'workstation') throw new LabSetupError(`lab ${lab.id}: its setup commands must end on the workstation`);
      // The sandbox must not run ahead of the learner's clock: what setup did happened before arrival.
      if (prep.now() > now) throw new LabSetupError(`lab ${lab.id}: its setup commands take ${Math.ceil((prep.now() - (now - SETUP_BEFORE_MS)) / 1000)} s of sandbox time; they must end within the ${SETUP_BEFORE_MS / 1000} s before the learner arrives`);
    }
    const sim = Sim.fromState(state, opts.scheduler);
    let bindings: ResolvedBindings;
    try {
      bindings = resolveBindings(lab, sim);
    } catch (e) {
      throw new LabSetupError(`lab ${lab.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const tasks: Record<string, TaskState> = {};
    for (const t of lab.tasks) tasks[t.id] = newTaskState();
    return new LabSession(lab, seed, sim, opts.scheduler, bindings, [], tasks, WORKSTATION_LOCATION);
  }

  /** Resumes a snapshot of a session of `lab`. */
  static restore(snapshot: unknown, scheduler: Scheduler, lab: LabDefinition): LabSession {
    const s = snapshot as Partial<Snapshot> | null;
    if (!s || typeof s !== 'object') throw new SnapshotError('the saved lab is not an object');
    if (typeof s.format === 'number' && s.format < SNAPSHOT_FORMAT) throw new SnapshotError(`it was saved by an older version of the course (format ${s.format}; this version reads format ${SNAPSHOT_FORMAT})`);
    if (s.format !== SNAPSHOT_FORMAT) throw new SnapshotError(`the saved lab has format ${String(s.format)}, this version reads format ${SNAPSHOT_FORMAT}`);
    if (s.labId !== lab.id) throw new SnapshotError(`the saved lab is ${String(s.labId)}, not ${lab.id}`);
    if (typeof s.seed !== 'number' || !s.sim || !s.bindings || !Array.isArray(s.history) || !s.tasks || !s.location) throw new SnapshotError('the saved lab is incomplete');
    let sim: Sim;
    try {
      sim = Sim.restore(s.sim, scheduler);
    } catch (e) {
      throw new SnapshotError(`the saved sandbox cannot be restored: ${e instanceof Error ? e.message : String(e)}`);
    }
    const tasks: Record<string, TaskState> = {};
    for (const t of lab.tasks) {
      const saved = s.tasks[t.id];
      tasks[t.id] = saved && ['pending', 'passed', 'failed'].includes(saved.status) ? { ...newTaskState(), ...JSON.parse(JSON.stringify(saved)) } : newTaskState();
    }
    return new LabSession(lab, s.seed, sim, scheduler, s.bindings, s.history.map(String), tasks, s.location);
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
    const n = ++this.terminals;
    const shell = new Shell({ sim: this.sim.withOrigin(String(n)), scheduler: this.scheduler, registry: this.registry, location: WORKSTATION_LOCATION, history: () => lines, editor: () => this.editorFor(n) });
    return this.terminal(shell, lines, n);
  }

  tasks(): TaskView[] {
    return this.lab.tasks.map((t) => this.view(t));
  }

  score(): ScoreView {
    const s: ScoreView = { earned: 0, total: 0, passed: 0, tasks: this.lab.tasks.length, hintsTaken: 0, hintPoints: 0, solutionsShown: 0 };
    for (const t of this.lab.tasks) {
      const st = this.taskStates[t.id]!;
      s.total += t.points;
      s.earned += this.grader.earned(t);
      if (st.status === 'passed') s.passed++;
      s.hintsTaken += st.hints;
      s.hintPoints += st.hintPoints;
      if (st.solutionShown) s.solutionsShown++;
    }
    return s;
  }

  answer(taskId: string, value: string): TaskView {
    const task = this.requireTask(taskId);
    if (!this.grader.inputNode(task)) throw new Error(`task ${taskId} is checked from the sandbox, not answered`);
    if (!this.grader.isOpen(task)) throw new Error(`task ${taskId} is not open yet`);
    if (this.taskStates[taskId]!.status === 'passed') return this.view(task);
    const { changes } = this.grader.submit(taskId, value);
    this.announce(this.opened(changes));
    this.emit({ type: 'state' });
    return this.view(task);
  }

  check(taskId: string): TaskView {
    const task = this.requireTask(taskId);
    this.announce(this.opened(this.grader.check(taskId)));
    this.emit({ type: 'state' });
    return this.view(task);
  }

  /** `changes`, and when a task passed, what the tasks it opened make of the evidence they kept. */
  private opened(changes: TaskChange[]): TaskChange[] {
    return changes.some((c) => c.status === 'passed') ? [...changes, ...this.grader.settle()] : changes;
  }

  hint(taskId: string): TaskView {
    const task = this.requireTask(taskId);
    const st = this.taskStates[taskId]!;
    if (st.status !== 'passed' && st.hints < task.hints.length && this.grader.isOpen(task)) {
      // `{{task.why}}` in a hint says what the check says now; a task that passes now needs no hint.
      this.announce(this.grader.settle());
      if (this.taskStates[taskId]!.status !== 'passed') {
        const h = task.hints[st.hints]!;
        st.hintPoints += typeof h === 'string' ? this.lab.hintCost : (h.cost ?? this.lab.hintCost);
        st.hints++;
        this.emit({ type: 'task', task: this.view(task) });
      }
      this.emit({ type: 'state' });
    }
    return this.view(task);
  }

  showSolution(taskId: string): TaskView {
    const task = this.requireTask(taskId);
    const st = this.taskStates[taskId]!;
    // A task that is not open yet has nothing to show: its turn comes after the tasks it needs.
    if (!st.solutionSeen && this.grader.isOpen(task)) {
      st.solutionSeen = true;
      if (st.status !== 'passed') st.solutionShown = true;
      this.emit({ type: 'task', task: this.view(task) });
      this.emit({ type: 'state' });
    }
    return this.view(task);
  }

  topology(): TopologyView {
    this.sim.advance();
    return topologyOf(this.sim.state);
  }

  topologyModel(opts: { routes?: readonly string[] } = {}): TopologyModel {
    this.sim.advance();
    return topologyModel(this.sim.state, opts);
  }

  networkModel(): NetworkModel {
    this.sim.advance();
    return networkModel(this.sim.state);
  }

  readFile(place: string, path: string): string | undefined {
    const p = resolvePlace(this.sim, place, this.bindings);
    const f = readSandboxFile(this.sim.state, p.machine, path);
    return f && !f.binary ? f.content : undefined;
  }

  readBytes(place: string, path: string): Uint8Array | undefined {
    const p = resolvePlace(this.sim, place, this.bindings);
    const f = readSandboxFile(this.sim.state, p.machine, path);
    if (!f) return undefined;
    return f.binary ? binaryToBytes(f.content) : new Uint8Array(utf8(f.content));
  }

  writeFile(place: string, path: string, content: string): void {
    const p = resolvePlace(this.sim, place, this.bindings);
    writeSandboxFile(this.sim.state, p.machine, path, content, this.scheduler.now());
    this.emit({ type: 'state' });
  }

  listFiles(place: string): FileEntry[] {
    const p = resolvePlace(this.sim, place, this.bindings);
    return Object.entries(this.sim.state.files?.[p.machine] ?? {})
      .map(([path, f]) => ({ path, size: f.content.length, binary: f.binary === true }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  dryRun(text: string, opts: { source?: string; namespace?: string } = {}): DryRunReport {
    // Against the cluster as it stands now (what fell due has happened).
    this.sim.advance();
    return dryRunManifests({ state: this.sim.state, rng: this.sim.rng, now: this.scheduler.now() }, text, opts);
  }

  offerEditor(): () => void {
    this.editorOffers++;
    let withdrawn = false;
    return () => {
      if (withdrawn) return;
      withdrawn = true;
      this.editorOffers--;
    };
  }

  finishEdit(id: number, text: string | undefined): void {
    const pending = this.edits.get(id);
    if (!pending) return;
    this.edits.delete(id);
    pending.resolve(text);
  }

  /** Terminal `n`'s way to the offered editor, when one is offered. */
  private editorFor(n: number): ((path: string, text: string) => Promise<string | undefined>) | undefined {
    if (this.editorOffers <= 0) return undefined;
    return (path, text) =>
      new Promise((resolve) => {
        const id = ++this.editCount;
        this.edits.set(id, { terminal: n, resolve });
        this.emit({ type: 'edit', id, path, text, terminal: n });
      });
  }

  /** Ctrl+C in terminal `n`: its open edit closes unsaved. */
  private cancelEdits(n: number): void {
    for (const [id, pending] of [...this.edits]) {
      if (pending.terminal !== n) continue;
      this.edits.delete(id);
      this.emit({ type: 'edit-end', id });
      pending.resolve(undefined);
    }
  }

  apply(text: string, opts: { dryRun?: boolean; source?: string; namespace?: string } = {}): ApplyOutcome {
    // The change lands on the cluster as it stands now (what fell due has happened).
    this.sim.advance();
    const r = applyText({ state: this.sim.state, rng: this.sim.rng, now: this.scheduler.now() }, text, {
      source: opts.source ?? 'STDIN',
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      dryRun: opts.dryRun ? 'client' : 'none',
    });
    // A document that failed changed nothing; the others were applied.
    if (!opts.dryRun) {
      this.announce(this.grader.settle());
      this.emit({ type: 'state' });
    }
    return { ok: r.ok, lines: r.lines };
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
    };
  }

  /** The stored solution with this learner's names filled in: every task's steps, in order. */
  solution(): string[] {
    return this.lab.tasks.flatMap((t) => t.solution.steps);
  }

  /** A solution step with its placeholders filled now (`{{expected.TASK}}` reads the sandbox). */
  renderStep(step: string): string {
    return this.grader.text(step);
  }

  /** Judges every open task in full (after each command; tests call it too). */
  grade(): void {
    this.announce(this.grader.settle());
  }

  private requireTask(id: string): TaskDefinition {
    const t = this.grader.task(id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  }

  private onTrace(trace: TraceResult, time: number, sender: string | undefined): void {
    const origin = trace.hops[0]?.ns ?? '';
    // What happened first, then what it did to the tasks.
    if (this.listeners.size > 0) this.emit({ type: 'trace', trace: traceView(this.sim.state, trace, time, sender !== undefined ? this.commands.get(sender) : undefined) });
    this.announce(this.grader.observe({ trace, time, origin }));
  }

  private announce(changes: TaskChange[]): void {
    for (const c of changes) {
      const t = this.grader.task(c.id);
      if (t) this.emit({ type: 'task', task: this.view(t) });
    }
  }

  private view(t: TaskDefinition): TaskView {
    const st = this.taskStates[t.id]!;
    const g = this.grader;
    const input = g.inputNode(t);
    const inputView: TaskView['input'] = g.inputView(t);
    const hintsShown = t.hints.slice(0, st.hints).map((h) => g.text(typeof h === 'string' ? h : h.text, t));
    const next = t.hints[st.hints];
    const open = g.isOpen(t);
    const view: TaskView = {
      id: t.id,
      title: g.text(t.title, t),
      description: g.text(t.description, t),
      status: st.status,
      feedback: st.feedback,
      why: st.status === 'passed' ? '' : st.why,
      takesAnswer: !!input,
      points: t.points,
      earned: g.earned(t),
      open,
      waitsFor: open ? [] : t.needs.filter((n) => this.taskStates[n]?.status !== 'passed'),
      attempts: st.attempts,
      hints: {
        shown: hintsShown,
        total: t.hints.length,
        spent: st.hintPoints,
        ...(next !== undefined && st.status !== 'passed' ? { nextCost: typeof next === 'string' ? this.lab.hintCost : (next.cost ?? this.lab.hintCost) } : {}),
      },
      solution: {
        offered: st.solutionSeen || st.status === 'passed' || st.attempts >= this.lab.solutionAfter,
        cost: st.status === 'passed' || st.solutionShown ? 0 : Math.max(0, t.points - st.hintPoints),
        ...(st.solutionSeen ? { shown: { text: g.text(t.solution.text, t), steps: t.solution.steps.map((s) => safeText(() => g.text(s, t), s)) } } : {}),
      },
    };
    if (inputView) view.input = inputView;
    if (st.labError) view.labError = st.labError;
    return view;
  }

  /** Terminal `n` over `shell`: one command at a time, graded after each; only the main one (1) emits `prompt`. */
  private terminal(shell: Shell, lines: string[], n: number): TerminalApi {
    let running = false;
    const main = n === 1;
    return {
      prompt: () => shell.prompt(),
      run: async (line, stdout, stderr) => {
        if (running) throw new Error('a command is already running in this terminal');
        running = true;
        // The packets this terminal sends from now on are this command's (and a job it leaves running keeps sending as it).
        if (line.trim() !== '') this.commands.set(String(n), { id: ++this.commandCount, terminal: n, line });
        const before = shell.prompt();
        try {
          // Docker's detach keys (Ctrl+P Ctrl+Q) are keys, not a line to recall.
          if (line.trim() !== '' && line !== DETACH_KEYS) lines.push(historyEntry(line));
          const status = await shell.run(line, stdout, stderr);
          this.grade();
          return status;
        } finally {
          running = false;
          this.announceCaptures();
          if (main && shell.prompt() !== before) this.emit({ type: 'prompt', prompt: shell.prompt() });
          this.emit({ type: 'state' });
        }
      },
      interrupt: () => {
        this.cancelEdits(n);
        shell.interrupt();
      },
      complete: (line, cursor) => shell.complete(line, cursor),
      needsMore: (text) => needsMore(text),
      history: () => [...lines],
      subscribe: (listener) => this.subscribe(main ? listener : (e) => e.type !== 'prompt' && listener(e)),
    };
  }

  /** A `file` event for each capture written or changed since the last look. */
  private announceCaptures(): void {
    const now = captureMarks(this.sim.state);
    for (const [key, mark] of now) {
      if (this.captureMarks.get(key) === mark) continue;
      const [machine, path] = key.split('\0') as [string, string];
      const place = placeOfMachine(this.sim, machine);
      if (place === undefined) continue;
      this.emit({ type: 'file', kind: 'pcap', place, path, size: Number(mark.split(':')[0]) });
    }
    this.captureMarks = now;
  }

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) l(e);
  }
}

/** `size:mtime` of every capture file in the sandbox, by `machine\0path`. */
function captureMarks(state: SimState): Map<string, string> {
  const out = new Map<string, string>();
  for (const [machine, files] of Object.entries(state.files ?? {})) {
    for (const [path, f] of Object.entries(files)) {
      if (f.binary && pcapMagic([...f.content.slice(0, 4)].map((c) => c.charCodeAt(0)))) out.set(`${machine}\0${path}`, `${f.content.length}:${f.mtime}`);
    }
  }
  return out;
}

function safeText(fn: () => string, fallback: string): string {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

