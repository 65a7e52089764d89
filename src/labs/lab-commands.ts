/**
 * The lab's own commands in the terminal: `tasks`, `answer`, `check`, `hint`, `solution`.
 *
 * Design notes: everything the lab panel offers can be done from the keyboard in the
 * terminal, through the same session calls (LabSessionApi), so a learner on the headless
 * shell or with a screen reader loses nothing. They exist on the workstation and on nodes
 * (not inside pods and containers, whose images do not ship them) and only in labs that have
 * tasks. Each prints one short paragraph; errors use the usage-error status 2, and a wrong
 * answer exits 1, so a script can tell them apart.
 */
import type { Command } from '../shell/command';
import { CommandError } from '../shell/errors';
import type { LabSessionApi, TaskView } from './contract';

const WHERE: Command['where'] = ['workstation', 'node'];

const STATUS: Record<TaskView['status'], string> = { pending: 'to do', passed: 'passed', failed: 'not yet' };

function find(session: LabSessionApi, cmd: string, id: string | undefined, usage: string): TaskView {
  if (id === undefined) throw new CommandError('USAGE', `${cmd}: missing TASK\nUsage: ${usage}`, 2);
  const t = session.tasks().find((x) => x.id === id);
  if (!t) throw new CommandError('USAGE', `${cmd}: no task named "${id}"; tasks: ${session.tasks().map((x) => x.id).join(', ')}`, 2);
  if (!t.open) throw new CommandError('USAGE', `${cmd}: task ${id} opens once ${t.waitsFor.join(' and ')} ${t.waitsFor.length === 1 ? 'has' : 'have'} passed`, 2);
  return t;
}

function ids(session: LabSessionApi, pick: (t: TaskView) => boolean = () => true): string[] {
  return session.tasks().filter(pick).map((t) => t.id);
}

export function labCommands(session: LabSessionApi): Command[] {
  const tasks: Command = {
    name: 'tasks',
    summary: "list this lab's tasks and your score",
    usage: 'Usage: tasks\n\nLists the lab\'s tasks with their state, and your score.',
    where: WHERE,
    async run(ctx) {
      if (ctx.argv.length > 1) throw new CommandError('USAGE', 'tasks: too many arguments\nUsage: tasks', 2);
      const list = session.tasks();
      const w = Math.max(...list.map((t) => t.id.length));
      for (const t of list) {
        const mark = t.status === 'passed' ? '[x]' : t.status === 'failed' ? '[!]' : '[ ]';
        const note = !t.open ? ` (opens after ${t.waitsFor.join(', ')})` : t.status === 'passed' ? ` ${t.earned}/${t.points}` : '';
        ctx.stdout.write(`${mark} ${t.id.padEnd(w)}  ${t.title}${note}\n`);
      }
      const s = session.score();
      ctx.stdout.write(`score ${s.earned}/${s.total}${s.hintsTaken ? `, ${s.hintsTaken} hint${s.hintsTaken === 1 ? '' : 's'} taken (-${s.hintPoints})` : ''}${s.solutionsShown ? `, ${s.solutionsShown} solution${s.solutionsShown === 1 ? '' : 's'} shown` : ''}\n`);
      return 0;
    },
  };

  const answer: Command = {
    name: 'answer',
    summary: 'answer a lab task: answer TASK VALUE (answer alone lists the tasks that take one)',
    usage: 'Usage: answer TASK VALUE\n\nSubmits VALUE as your answer to the lab task TASK: a value, a choice\'s letter (b, or a,c), or a prediction.\nRun `answer` alone to list the tasks that take an answer.',
    where: WHERE,
    async run(ctx) {
      const [, id, ...rest] = ctx.argv;
      if (id === undefined) {
        const open = session.tasks().filter((t) => t.takesAnswer);
        const w = Math.max(...open.map((t) => t.id.length), 4);
        for (const t of open) {
          const choices = t.input?.kind === 'choice' ? `  (${t.input.options.map((o) => o.id).join(', ')})` : t.input?.kind === 'prediction' ? '  (a prediction)' : '';
          ctx.stdout.write(`  ${t.id.padEnd(w)} ${t.status === 'passed' ? '[passed] ' : ''}${t.title}${choices}\n`);
        }
        return 0;
      }
      const t = find(session, 'answer', id, 'answer TASK VALUE');
      if (!t.takesAnswer) throw new CommandError('USAGE', `answer: task ${id} is checked from what happens in the sandbox, not from a typed answer (try: check ${id})`, 2);
      if (t.input?.kind === 'choice' && rest.length === 0) {
        for (const o of t.input.options) ctx.stdout.write(`  ${o.id}) ${o.text}\n`);
        ctx.stdout.write(`Answer with: answer ${id} LETTER\n`);
        return 0;
      }
      if (rest.length === 0) throw new CommandError('USAGE', `answer: missing VALUE\nUsage: answer ${id} VALUE`, 2);
      if (t.status === 'passed') {
        ctx.stdout.write(`${id}: already passed.\n`);
        return 0;
      }
      const v = session.answer(id, rest.join(' '));
      if (v.status === 'passed') ctx.stdout.write(`${id}: correct.${v.feedback ? ` ${v.feedback}` : ''}\n`);
      else if (v.status === 'failed') ctx.stdout.write(`${id}: not quite. ${v.feedback}\n`);
      else ctx.stdout.write(`${id}: ${v.feedback}\n`);
      return v.status === 'failed' ? 1 : 0;
    },
    complete(req) {
      if (req.words.length === 1) return ids(session, (t) => t.takesAnswer && t.status !== 'passed');
      const t = session.tasks().find((x) => x.id === req.words[1]);
      if (req.words.length === 2 && t?.input?.kind === 'choice') return t.input.options.map((o) => o.id);
      if (req.words.length === 2 && t?.input?.kind === 'prediction' && t.input.options) return t.input.options;
      return [];
    },
  };

  const check: Command = {
    name: 'check',
    summary: 'check whether a lab task passes now, and why not: check TASK',
    usage: 'Usage: check [TASK]\n\nJudges TASK now from the sandbox and says why it does not pass yet.\nWithout TASK, checks every open task.',
    where: WHERE,
    async run(ctx) {
      const [, id] = ctx.argv;
      const list = id === undefined ? session.tasks().filter((t) => t.open && t.status !== 'passed' && !t.takesAnswer) : [find(session, 'check', id, 'check [TASK]')];
      if (list.length === 0) {
        ctx.stdout.write(id === undefined ? 'Nothing to check: every open task that is graded from the sandbox has passed.\n' : '');
        return 0;
      }
      let all = true;
      for (const t of list) {
        const v = t.status === 'passed' ? t : session.check(t.id);
        if (v.labError) ctx.stdout.write(`${v.id}: this task's check could not run (a fault in the lab, not in your work): ${v.labError}\n`);
        else if (v.status === 'passed') ctx.stdout.write(`${v.id}: passed.${v.feedback ? ` ${v.feedback}` : ''}\n`);
        else ctx.stdout.write(`${v.id}: ${STATUS[v.status]}. ${v.feedback || v.why}\n`);
        if (v.status !== 'passed') all = false;
      }
      return all ? 0 : 1;
    },
    complete(req) {
      return req.words.length === 1 ? ids(session, (t) => t.status !== 'passed') : [];
    },
  };

  const hint: Command = {
    name: 'hint',
    summary: 'show the next hint for a lab task (hints cost points): hint TASK',
    usage: 'Usage: hint TASK\n\nShows the next hint for TASK. Each hint costs the points the lab says; the hints you\nhave taken are shown again for free.',
    where: WHERE,
    async run(ctx) {
      const [, id] = ctx.argv;
      if (id === undefined) {
        for (const t of session.tasks().filter((x) => x.hints.total > 0)) ctx.stdout.write(`  ${t.id}: ${t.hints.shown.length} of ${t.hints.total} hints taken\n`);
        return 0;
      }
      const before = find(session, 'hint', id, 'hint TASK');
      if (before.status === 'passed') throw new CommandError('USAGE', `hint: task ${id} has passed already`, 2);
      if (before.hints.total === 0) throw new CommandError('USAGE', `hint: task ${id} has no hints (its solution can be shown with: solution ${id})`, 2);
      const t = before.hints.shown.length < before.hints.total ? session.hint(id) : before;
      t.hints.shown.forEach((h, i) => ctx.stdout.write(`Hint ${i + 1} of ${t.hints.total}: ${h}\n`));
      if (t.hints.shown.length === before.hints.shown.length) ctx.stdout.write('(no more hints)\n');
      else ctx.stdout.write(`(-${t.hints.spent - before.hints.spent} point${t.hints.spent - before.hints.spent === 1 ? '' : 's'}; this task now earns at most ${Math.max(0, t.points - t.hints.spent)})\n`);
      return 0;
    },
    complete(req) {
      return req.words.length === 1 ? ids(session, (t) => t.status !== 'passed' && t.hints.total > 0) : [];
    },
  };

  const solution: Command = {
    name: 'solution',
    summary: "show a lab task's solution (costs the task's points): solution TASK --yes",
    usage: "Usage: solution TASK [--yes]\n\nShows how TASK is done. Before the task has passed this costs all of its points, so it\nasks first: run it again with --yes to see it.",
    where: WHERE,
    async run(ctx) {
      const args = ctx.argv.slice(1);
      const yes = args.includes('--yes') || args.includes('-y');
      const id = args.find((a) => !a.startsWith('-'));
      const bad = args.find((a) => a.startsWith('-') && a !== '--yes' && a !== '-y');
      if (bad) throw new CommandError('USAGE', `solution: unknown option ${bad}\nUsage: solution TASK [--yes]`, 2);
      const t = find(session, 'solution', id, 'solution TASK [--yes]');
      if (!t.solution.shown && t.solution.cost > 0 && !yes) {
        ctx.stdout.write(`Showing the solution of ${t.id} costs its ${t.solution.cost} points. To see it: solution ${t.id} --yes\n`);
        return 1;
      }
      const v = t.solution.shown ? t : session.showSolution(t.id);
      ctx.stdout.write(`${v.solution.shown!.text}\n`);
      for (const s of v.solution.shown!.steps) ctx.stdout.write(`  $ ${s}\n`);
      return 0;
    },
    complete(req) {
      return req.words.length === 1 ? ids(session) : req.words.length === 2 ? ['--yes'] : [];
    },
  };

  return [tasks, answer, check, hint, solution];
}
