import { describe, expect, it } from 'vitest';
import { LABS } from './index';
import { REFERENCE_TIME } from '../src/labs/catalog';
import { defineLab } from '../src/labs/schema';
import { LabSession } from '../src/labs/session';
import { ScriptClock, transcript } from '../src/labs/transcript';

// The lab self-test: every lab starts with nothing passed, and its stored solution, replayed
// through the same headless session the browser uses, passes every task, for many seeds.
function start(labId: string, seed: number): { session: LabSession; clock: ScriptClock } {
  const clock = new ScriptClock(REFERENCE_TIME);
  return { session: LabSession.create({ labId, seed, scheduler: clock }), clock };
}

describe.each(LABS.map((l) => [l.id]))('lab %s', (labId) => {
  it('passes no task in its initial state', () => {
    const { session } = start(labId, 1);
    session.grade();
    expect(session.tasks().map((t) => t.status)).toEqual(session.tasks().map(() => 'pending'));
  });

  it.each([1, 2, 3, 17, 4242, 987654321])('is completed by its stored solution (seed %i)', async (seed) => {
    const { session, clock } = start(labId, seed);
    const out = await transcript(session, clock, session.solution());
    const failed = session.tasks().filter((t) => t.status !== 'passed');
    expect(failed, out).toEqual([]);
    expect(out).not.toMatch(/internal error/);
  });

  it('rejects wrong answers with feedback and keeps passed tasks passed', async () => {
    const { session } = start(labId, 5);
    const answerTask = session.tasks().find((t) => t.takesAnswer)!;
    const wrong = session.answer(answerTask.id, 'definitely-wrong');
    expect(wrong.status).toBe('failed');
    expect(wrong.feedback.length).toBeGreaterThan(10);
  });

  it('restores from a snapshot to the same task states and the same next output', async () => {
    const a = start(labId, 9);
    const half = a.session.solution().slice(0, Math.ceil(a.session.solution().length / 2));
    await transcript(a.session, a.clock, half);
    const snap = JSON.parse(JSON.stringify(a.session.snapshot()));
    const b = { clock: new ScriptClock(a.clock.now()), session: undefined as unknown as LabSession };
    b.session = LabSession.restore(snap, b.clock);
    expect(b.session.tasks()).toEqual(a.session.tasks());
    expect(b.session.history()).toEqual(a.session.history());
    const rest = a.session.solution().slice(half.length);
    expect(await transcript(b.session, b.clock, rest)).toBe(await transcript(a.session, a.clock, rest));
  });
});

describe('lab definitions', () => {
  it('refuse invalid definitions with every problem listed', () => {
    expect(() =>
      defineLab({
        id: 'Bad Id',
        title: '',
        summary: 's',
        tasks: [{ id: 't', title: 't', description: 'd', check: { answer: { expect: 'x' } } }],
        solution: ['x'],
      }),
    ).toThrow(/id: use lower-case kebab-case[\s\S]*title/);
  });

  it('refuse duplicate task ids', () => {
    const task = { id: 't', title: 't', description: 'd', check: { answer: { expect: 'x' } } };
    expect(() => defineLab({ id: 'ok', title: 't', summary: 's', tasks: [task, task], solution: ['x'] })).toThrow(/task id t is used twice/);
  });

  it('refuse snapshots of another format', () => {
    expect(() => LabSession.restore({ format: 99, labId: LABS[0]!.id, seed: 1 }, new ScriptClock(0))).toThrow(/format 99/);
    expect(() => LabSession.restore(null, new ScriptClock(0))).toThrow(/not an object/);
  });
});
