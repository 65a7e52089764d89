/**
 * What a lab should do, worked out in Node for the seed the page chose: the same lab session
 * the browser runs (src/labs), headless, on a virtual clock. The browser tests ask it which
 * task takes which kind of input, what the right answer is, which commands pass a task or
 * reveal a prediction, and what the session says back, then do the same on the page. Nothing
 * about a particular lesson's tasks is written into the tests: when the lab changes, the
 * expectations follow.
 */
import { createLabSession, REFERENCE_TIME } from '../../src/labs/catalog';
import type { TaskView } from '../../src/labs/contract';
import type { LabSession } from '../../src/labs/session';
import { ScriptClock, transcript } from '../../src/labs/transcript';

export interface PlanLine {
  /** The task whose solution the line belongs to. */
  task: string;
  /** The line as the learner would type it (placeholders filled when it ran). */
  line: string;
  /** Tasks that passed when it ran. */
  passed: string[];
}

export interface Headless {
  session: LabSession;
  clock: ScriptClock;
  run(lines: string[]): Promise<string>;
  task(id: string): TaskView;
}

const ANSWER = /^answer\s+(\S+)\s+(.+)$/;

/** `answer TASK VALUE` -> its task and value. */
export function parseAnswer(line: string): { task: string; value: string } | undefined {
  const m = ANSWER.exec(line.trim());
  return m ? { task: m[1]!, value: m[2]! } : undefined;
}

export class LabModel {
  private constructor(
    readonly labId: string,
    readonly seed: number,
    /** The tasks as a new session shows them. */
    readonly tasks: TaskView[],
    /** The lab's stored solution, line by line, with what each line passed. */
    readonly plan: PlanLine[],
  ) {}

  static async load(labId: string, seed: number): Promise<LabModel> {
    const h = await headless(labId, seed);
    const tasks = h.session.tasks();
    const plan: PlanLine[] = [];
    for (const t of h.session.lab.tasks) {
      for (const step of t.solution.steps) {
        for (const line of h.session.renderStep(step).split('\n')) {
          const before = new Set(h.session.tasks().filter((x) => x.status === 'passed').map((x) => x.id));
          await h.run([line]);
          plan.push({ task: t.id, line, passed: h.session.tasks().filter((x) => x.status === 'passed' && !before.has(x.id)).map((x) => x.id) });
        }
      }
    }
    return new LabModel(labId, seed, tasks, plan);
  }

  /** A new headless session of this lab and seed. */
  fresh(): Promise<Headless> {
    return headless(this.labId, this.seed);
  }

  view(id: string): TaskView {
    const t = this.tasks.find((x) => x.id === id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  }

  /** The value the solution gives a task that takes input (the last `answer TASK ...` line). */
  answerValue(id: string): string | undefined {
    return this.plan.map((p) => parseAnswer(p.line)).filter((a) => a?.task === id).at(-1)?.value;
  }

  /** Open tasks at the start that match `pick`, in the lab's order. */
  find(pick: (t: TaskView) => boolean): TaskView[] {
    return this.tasks.filter((t) => t.open && pick(t));
  }

  /**
   * Terminal commands (not `answer` lines) that pass task `id` in a new session, after `before`
   * is done to it (a prediction locked in): the line of the solution that passed it, alone if
   * that is enough, else with every command of the solution before it.
   */
  async commandsThatPass(id: string, before: (h: Headless) => void = () => {}): Promise<string[] | undefined> {
    const at = this.plan.findIndex((p) => p.passed.includes(id) && !parseAnswer(p.line));
    if (at < 0) return undefined;
    const candidates = [[this.plan[at]!.line], this.plan.slice(0, at + 1).filter((p) => !parseAnswer(p.line)).map((p) => p.line)];
    for (const lines of candidates) {
      const h = await this.fresh();
      before(h);
      await h.run(lines);
      if (h.task(id).status === 'passed') return lines;
    }
    return undefined;
  }

  /** The first open task that takes a typed answer which passes it by itself, and that answer. */
  async typedTask(pick: (t: TaskView) => boolean = () => true): Promise<{ task: TaskView; value: string } | undefined> {
    for (const task of this.find((t) => t.input?.kind === 'text' && pick(t))) {
      const value = this.answerValue(task.id);
      if (value === undefined) continue;
      const h = await this.fresh();
      if (h.session.answer(task.id, value).status === 'passed') return { task, value };
    }
    return undefined;
  }

  /**
   * The first open task (one graded from the sandbox if there is one) that costs points to see
   * the solution of and that its own solution's lines pass by themselves.
   */
  async solvedByItsSolution(): Promise<TaskView | undefined> {
    for (const t of [...this.find((x) => !x.takesAnswer), ...this.find((x) => x.takesAnswer)]) {
      const lines = this.plan.filter((p) => p.task === t.id).map((p) => p.line);
      if (lines.length === 0 || t.solution.cost === 0) continue;
      const h = await this.fresh();
      h.session.showSolution(t.id);
      await h.run(lines);
      if (h.task(t.id).status === 'passed') return t;
    }
    return undefined;
  }

  /**
   * The first open task graded from the sandbox that terminal commands pass by themselves (one
   * that other tasks wait for, if there is one), and those commands.
   */
  async passedByCommands(): Promise<{ task: TaskView; commands: string[] } | undefined> {
    const sandbox = this.find((t) => !t.takesAnswer);
    for (const task of [...sandbox.filter((x) => this.dependents(x.id).length > 0), ...sandbox]) {
      const commands = await this.commandsThatPass(task.id);
      if (commands) return { task, commands };
    }
    return undefined;
  }

  /** Tasks that wait for `id` (its `needs`). */
  dependents(id: string): TaskView[] {
    return this.tasks.filter((t) => t.waitsFor.includes(id) || t.waitsFor.includes(this.view(id).title));
  }
}

async function headless(labId: string, seed: number): Promise<Headless> {
  const clock = new ScriptClock(REFERENCE_TIME);
  const session = await createLabSession({ labId, seed, scheduler: clock });
  return {
    session,
    clock,
    run: (lines) => transcript(session, clock, lines, { quiet: true }),
    task: (id) => {
      const t = session.tasks().find((x) => x.id === id);
      if (!t) throw new Error(`no task ${id}`);
      return t;
    },
  };
}

/** Text as the panel shows it: `code` spans lose their backticks. */
export function shown(text: string): string {
  return text.replace(/`/g, '');
}
