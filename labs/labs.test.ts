import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LABS } from './index';
import { REFERENCE_TIME } from '../src/labs/catalog';
import type { TaskView } from '../src/labs/contract';
import type { LabDefinition } from '../src/labs/schema';
import { LabSession } from '../src/labs/session';
import { ScriptClock, solve, transcript } from '../src/labs/transcript';
import { needsMore } from '../src/shell/tokenize';
import { sampleFact, sampleOutput } from '../src/labs/samples';

/**
 * The lab self-test, for every lesson lab and several seeds:
 * - nothing passes at the start, even after every task is checked;
 * - the stored solution, replayed through the same headless session the browser uses,
 *   passes every task, with no lab error and nothing unfilled in any text;
 * - removing any one line of the solution leaves some task unpassed (every line is needed,
 *   so no check is too lax);
 * - its title and summary, shown before any sandbox exists, have no placeholders;
 * - every text a task can show (title, description, hints, the solution, feedback while
 *   failing and once passed) renders with every placeholder filled;
 * - a snapshot taken halfway restores to the same tasks and the same next output.
 * And for every lesson: its front matter's `labs` equals its `<Lab>` tags, and every `<Try>`
 * command and `<Fact>` it shows is regenerated from the sandbox here, so prose and lab cannot
 * drift apart unnoticed.
 */
const SEEDS = [1, 2, 3, 17, 4242, 987654321];

async function start(lab: LabDefinition, seed: number): Promise<{ session: LabSession; clock: ScriptClock }> {
  const clock = new ScriptClock(REFERENCE_TIME);
  return { session: await LabSession.create({ lab, seed, scheduler: clock }), clock };
}

/** Every text a task view can show. */
function textsOf(t: TaskView): string[] {
  return [t.title, t.description, t.feedback, ...t.hints.shown, ...(t.solution.shown ? [t.solution.shown.text, ...t.solution.shown.steps] : []), ...(t.input?.kind === 'choice' ? t.input.options.map((o) => o.text) : [])];
}

/** Where each command of a typed transcript ends (line counts), and the lines that close a multi-line one. */
function commandEnds(lines: string[]): { ends: number[]; closing: Set<number> } {
  const ends: number[] = [];
  const closing = new Set<number>();
  let pending: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const open = pending !== null;
    pending = pending === null ? lines[i]! : `${pending}\n${lines[i]!}`;
    if (needsMore(pending)) continue;
    if (open) closing.add(i);
    pending = null;
    ends.push(i + 1);
  }
  return { ends, closing };
}

function unfilled(views: TaskView[]): string[] {
  return views.flatMap((t) => textsOf(t).filter((x) => /\{\{|\}\}/.test(x)).map((x) => `${t.id}: ${x}`));
}

describe.each(LABS.filter((l) => l.tasks.length > 0).map((l) => [l.id, l] as const))('lab %s', (_id, lab) => {
  it('has a title and summary without placeholders (they are shown before any sandbox exists)', () => {
    expect([lab.title, lab.summary].filter((x) => /\{\{|\}\}/.test(x))).toEqual([]);
  });

  it.each(SEEDS)('passes nothing at the start, even when every task is checked (seed %i)', async (seed) => {
    const { session } = await start(lab, seed);
    session.grade();
    for (const t of session.tasks()) if (t.open && !t.takesAnswer) session.check(t.id);
    expect(session.tasks().filter((t) => t.status === 'passed').map((t) => t.id)).toEqual([]);
    expect(session.tasks().filter((t) => t.labError).map((t) => `${t.id}: ${t.labError}`)).toEqual([]);
    for (const t of session.tasks()) if (!t.takesAnswer && t.open) expect(t.feedback.length, `${t.id} explains itself`).toBeGreaterThan(10);
  });

  it.each(SEEDS)('is completed by its stored solution, every text filled (seed %i)', async (seed) => {
    const { session, clock } = await start(lab, seed);
    const { text } = await solve(session, clock);
    const views = session.tasks();
    expect(views.filter((t) => t.status !== 'passed').map((t) => `${t.id}: ${t.feedback}`), text).toEqual([]);
    expect(views.filter((t) => t.labError).map((t) => t.labError)).toEqual([]);
    expect(text).not.toMatch(/internal error|\{\{/);
    expect(session.score().earned).toBe(session.score().total);
    // Every hint and the solution of every task, shown afterwards, render fully too.
    for (const t of views) {
      for (let i = 0; i < t.hints.total; i++) session.hint(t.id);
      session.showSolution(t.id);
    }
    expect(unfilled(session.tasks())).toEqual([]);
  });

  it('needs every line of its solution', async () => {
    const { session: probe, clock: c0 } = await start(lab, 1);
    const { lines } = await solve(probe, c0, { quiet: true });
    const { ends, closing } = commandEnds(lines);
    // The solution run once more, command by command, with a snapshot where each command starts:
    // leaving out a line replays from the snapshot before its command (the same sandbox, as the
    // snapshot test below shows) instead of from the start.
    const walk = await start(lab, 1);
    const starts = [0, ...ends.slice(0, -1)];
    const saved = new Map<number, { snap: string; at: number }>();
    for (const [k, from] of starts.entries()) {
      saved.set(from, { snap: JSON.stringify(walk.session.snapshot()), at: walk.clock.now() });
      await transcript(walk.session, walk.clock, lines.slice(from, ends[k]), { quiet: true });
    }
    for (let i = 0; i < lines.length; i++) {
      // The line that closes a here-document or a quote belongs to its command.
      if (closing.has(i)) continue;
      const from = starts.filter((x) => x <= i).at(-1)!;
      const { snap, at } = saved.get(from)!;
      const clock = new ScriptClock(at);
      const session = LabSession.restore(JSON.parse(snap), clock, lab);
      await transcript(session, clock, lines.slice(from).filter((_, j) => j + from !== i), { quiet: true });
      const failed = session.tasks().filter((t) => t.status !== 'passed');
      expect(failed.length, `without line ${i + 1} (${lines[i]}) every task still passes`).toBeGreaterThan(0);
    }
  });

  it('explains wrong answers, hints and failures with everything filled', async () => {
    const { session } = await start(lab, 5);
    for (const t of session.tasks().filter((x) => x.open)) {
      if (t.takesAnswer) {
        const v = session.answer(t.id, t.input?.kind === 'choice' ? 'z' : 'definitely-wrong');
        expect(v.status === 'failed' || v.input?.kind === 'prediction', `${t.id}: ${v.feedback}`).toBe(true);
        expect(v.feedback.length).toBeGreaterThan(10);
      }
      for (let i = 0; i < t.hints.total; i++) session.hint(t.id);
    }
    expect(unfilled(session.tasks())).toEqual([]);
    expect(session.score().hintPoints).toBe(session.tasks().reduce((n, t) => n + t.hints.spent, 0));
  });

  it('restores from a snapshot to the same task states and the same next output', async () => {
    const a = await start(lab, 9);
    const solver = await start(lab, 9);
    const { lines } = await solve(solver.session, solver.clock, { quiet: true });
    // Halfway, at the end of a whole command (not inside a here-document).
    const { ends } = commandEnds(lines);
    const middle = ends.slice(0, -1).reduce((best, e) => (Math.abs(e - lines.length / 2) < Math.abs(best - lines.length / 2) ? e : best), ends[0]!);
    const half = lines.slice(0, middle);
    await transcript(a.session, a.clock, half);
    const snap = JSON.parse(JSON.stringify(a.session.snapshot()));
    const clock = new ScriptClock(a.clock.now());
    const b = LabSession.restore(snap, clock, lab);
    expect(b.tasks()).toEqual(a.session.tasks());
    expect(b.history()).toEqual(a.session.history());
    const rest = lines.slice(half.length);
    expect(await transcript(b, clock, rest)).toBe(await transcript(a.session, a.clock, rest));
  });
});

// ---- lessons ----------------------------------------------------------------------------------

const CONTENT = new URL('../content/', import.meta.url);
const lessons = readdirSync(CONTENT)
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => ({ file: f, text: readFileSync(new URL(f, CONTENT), 'utf8') }));

/** The attributes of every `<Tag ... />` in an MDX body (outside code blocks). */
function tags(body: string, tag: string): Record<string, string>[] {
  const prose = body.replace(/^```[\s\S]*?^```/gm, '');
  // An attribute is "text", or {"a JavaScript string"} whose escapes (\") are undone.
  return [...prose.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/(\w+)=(?:"([^"]*)"|\{("(?:[^"\\]|\\.)*")\})/g)].map((a) => [a[1]!, a[2] ?? (a[3] ? (JSON.parse(a[3]) as string) : '')])),
  );
}

describe.each(lessons.map((l) => [l.file, l.text] as const))('lesson %s', (_file, text) => {
  const [, front = '', body = ''] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text) ?? [];
  const labsLine = /^labs:\s*\[([^\]]*)\]/m.exec(front)?.[1] ?? '';
  const declared = labsLine.split(',').map((s) => s.trim()).filter(Boolean);

  it('lists in its front matter exactly the labs its body embeds', () => {
    const embedded = tags(body, 'Lab').map((a) => a.id!);
    expect([...new Set(embedded)].sort()).toEqual([...declared].sort());
  });

  it('shows no component source as text (a component inside backticks)', () => {
    const prose = body.replace(/^```[\s\S]*?^```/gm, '');
    // The odd pieces between backticks, line by line, are inline code: a component there is text.
    const code = prose.split('\n').flatMap((line) => line.split('`').filter((_, i) => i % 2 === 1));
    expect(code.filter((c) => /<(Fact|Try|Lab|PoolsFigure|RoutedFigure)\b|\{\{/.test(c))).toEqual([]);
  });

  it('regenerates every <Fact> and <Try> from its lab', async () => {
    for (const f of tags(body, 'Fact')) {
      const v = await sampleFact(f.lab!, f.of!);
      expect(v, `<Fact of="${f.of}">`).not.toBe('');
    }
    for (const t of tags(body, 'Try')) {
      const s = await sampleOutput(t.lab!, t.cmd!);
      expect(s.command).not.toMatch(/\{\{/);
      expect(s.output, `<Try cmd="${t.cmd}">`).not.toMatch(/command not found|internal error|Unknown command|unknown flag/);
    }
  });
});
