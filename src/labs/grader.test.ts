import { describe, expect, it } from 'vitest';
import type { TaskView } from './contract';
import { openSession } from '../../tests/support/session';
import { task, webLab, WEB_BINDINGS } from '../../tests/fixtures/labs/small';

const pingTarget = { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } };
const selectorBroken = { faults: [{ kind: 'wrong-selector' as const, service: 'web', selector: { app: 'wrong' } }] };
const fixedService = "kubectl apply -f - <<'EOF'\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\nEOF";

describe('a passed task', () => {
  it('stays passed when the state it judged breaks again', async () => {
    const { session, run } = await openSession({ lab: webLab('stays', [task('fix', { state: { endpoints: { service: 'web', min: 1 } } })], selectorBroken) });
    await run(fixedService);
    expect(session.tasks()[0]!.status).toBe('passed');
    await run('kubectl delete service web');
    expect(session.check('fix').status).toBe('passed');
    expect(session.tasks()[0]!.earned).toBe(10);
  });

  it('takes no more answers', async () => {
    const { session, run } = await openSession({ lab: webLab('stays-answer', [task('ip', { answer: { expect: '{{target.ip}}', normalize: 'ip' } })]) });
    expect(session.answer('ip', session.bindings.target!.ip!).status).toBe('passed');
    const v = session.answer('ip', '1.2.3.4');
    expect([v.status, v.attempts]).toEqual(['passed', 1]);
    expect(await run('answer ip 1.2.3.4')).toEqual({ status: 0, stdout: 'ip: already passed.\n', stderr: '' });
  });
});

describe('needs', () => {
  const lab = webLab('needs', [
    task('first', { answer: { expect: 'yes' } }),
    task('second', pingTarget, { needs: ['first'] }),
    task('third', { answer: { expect: '3' } }, { needs: ['first', 'second'] }),
  ]);

  it('keeps a task closed, refusing its input, until the tasks it needs have passed', async () => {
    const { session, run } = await openSession({ lab });
    const [, second, third] = session.tasks();
    expect([second!.open, second!.waitsFor]).toEqual([false, ['first']]);
    expect([third!.open, third!.waitsFor]).toEqual([false, ['first', 'second']]);
    expect(() => session.answer('third', '3')).toThrow('task third is not open yet');
    expect(await run('answer third 3')).toEqual({ status: 2, stdout: '', stderr: 'answer: task third opens once first and second have passed\n' });
    expect((await run('check second')).stderr).toBe('check: task second opens once first has passed\n');
    expect(session.check('second').status).toBe('pending');
    expect((await run('tasks')).stdout).toBe('[ ] first   Task first\n[ ] second  Task second (opens after first)\n[ ] third   Task third (opens after first, second)\nscore 0/30\n');
  });

  it('collects evidence while closed, and judges it the moment the task opens', async () => {
    const { session, run } = await openSession({ lab });
    await run(`kubectl exec client -- ping -c 1 ${session.bindings.target!.ip}`);
    expect(session.tasks()[1]!.status).toBe('pending');
    const events: TaskView[] = [];
    session.subscribe((e) => void (e.type === 'task' && events.push(e.task)));
    session.answer('first', 'yes');
    expect(session.tasks().map((t) => [t.id, t.status, t.open])).toEqual([
      ['first', 'passed', true],
      ['second', 'passed', true],
      ['third', 'pending', true],
    ]);
    expect(events.map((e) => `${e.id} ${e.status}`)).toEqual(['first passed', 'second passed']);
    expect(session.answer('third', '3').status).toBe('passed');
  });
});

describe('hints', () => {
  const lab = webLab(
    'hints',
    [
      task('fix', { state: { endpoints: { service: 'web', min: 1 } } }, { points: 10, hints: ['Look at the selector.', { text: 'It says: {{task.why}}', cost: 5 }, { text: 'Free: kubectl get svc web -o yaml', cost: 0 }] }),
      task('other', { answer: { expect: 'x' } }, { hints: ['One.'] }),
    ],
    { ...selectorBroken, hintCost: 3 },
  );

  it('reveals one at a time, each costing its own or the lab\'s cost, and the score counts them', async () => {
    const { session } = await openSession({ lab });
    let v = session.tasks()[0]!;
    expect(v.hints).toEqual({ shown: [], total: 3, spent: 0, nextCost: 3 });
    v = session.hint('fix');
    expect(v.hints).toEqual({ shown: ['Look at the selector.'], total: 3, spent: 3, nextCost: 5 });
    v = session.hint('fix');
    expect(v.hints.shown[1]).toBe('It says: Service web has 0 ready endpoints, fewer than 1. Service web selects app=wrong; no pod in its namespace has that label, so it has no endpoints. Pods there have app=web.');
    expect(v.hints.spent).toBe(8);
    v = session.hint('fix');
    expect(v.hints).toEqual({ shown: expect.any(Array), total: 3, spent: 8 });
    expect(session.hint('fix').hints.spent).toBe(8);
    session.hint('other');
    expect(session.score()).toMatchObject({ hintsTaken: 4, hintPoints: 11, earned: 0 });
  });

  it('shows {{task.why}} as the check says it now, after the sandbox changed', async () => {
    const { session, run } = await openSession({ lab: webLab('hints-why', [task('ep3', { state: { endpoints: { service: 'web', ready: 4 } } }, { hints: ['{{task.why}}', '{{task.why}}'] })]) });
    expect(session.hint('ep3').hints.shown[0]).toMatch(/^Service web has 3 ready endpoints \(.*\), not 4\. Service web selects app=web: 3 pods match\.$/);
    await run('kubectl scale deployment web --replicas=2');
    expect(session.hint('ep3').hints.shown[1]).toMatch(/^Service web has 2 ready endpoints \(.*\), not 4\. Service web selects app=web: 2 pods match\.$/);
  });

  it('costs what the task earns, never below zero', async () => {
    const { session, run } = await openSession({ lab });
    session.hint('fix');
    session.hint('fix');
    await run(fixedService);
    const v = session.tasks()[0]!;
    expect([v.status, v.points, v.hints.spent, v.earned]).toEqual(['passed', 10, 8, 2]);
    session.hint('other');
    session.answer('other', 'x');
    expect(session.score()).toMatchObject({ earned: 2 + 7, total: 20, passed: 2 });
  });

  it('is not charged once the task has passed', async () => {
    const { session, run } = await openSession({ lab });
    await run(fixedService);
    const v = session.hint('fix');
    expect([v.status, v.hints.spent, v.hints.shown]).toEqual(['passed', 0, []]);
    expect(v.hints.nextCost).toBeUndefined();
    expect(await run('hint fix')).toEqual({ status: 2, stdout: '', stderr: 'hint: task fix has passed already\n' });
  });
});

describe('solutions', () => {
  const lab = webLab('solutions', [task('ip', { answer: { expect: '{{target.ip}}', normalize: 'ip' } }, { points: 6, hints: ['h'], solution: { text: 'It is {{target.ip}}.', steps: ['answer ip {{target.ip}}'] } }), task('node', { answer: { expect: '{{target.node}}' } })], { solutionAfter: 2 });

  it('costs the task\'s points when shown before it passes: it then earns nothing', async () => {
    const { session } = await openSession({ lab });
    session.hint('ip');
    let v = session.tasks()[0]!;
    expect(v.solution).toEqual({ offered: false, cost: 4 });
    v = session.showSolution('ip');
    expect(v.solution).toEqual({ offered: true, cost: 0, shown: { text: `It is ${session.bindings.target!.ip}.`, steps: [`answer ip ${session.bindings.target!.ip}`] } });
    expect(session.answer('ip', session.bindings.target!.ip!).status).toBe('passed');
    expect(session.tasks()[0]!.earned).toBe(0);
    expect(session.score()).toMatchObject({ earned: 0, solutionsShown: 1 });
  });

  it('costs nothing once the task has passed', async () => {
    const { session } = await openSession({ lab });
    session.answer('node', session.bindings.target!.node!);
    expect(session.tasks()[1]!.solution).toEqual({ offered: true, cost: 0 });
    session.showSolution('node');
    expect(session.tasks()[1]!.earned).toBe(10);
    expect(session.score()).toMatchObject({ earned: 10, solutionsShown: 0 });
  });

  it('is offered after the lab\'s number of failed tries', async () => {
    const { session } = await openSession({ lab });
    expect(session.answer('ip', '1.1.1.1').solution.offered).toBe(false);
    expect(session.answer('ip', '1.1.1.2').solution.offered).toBe(true);
  });
});

describe('a check that throws', () => {
  it('is the lab\'s fault: reported as a lab error, never as a failure of the learner', async () => {
    // Templates that pass the definition's checks and make a check that cannot run in this sandbox.
    const lab = webLab('throws', [task('path', { state: { field: { object: 'svc/web', path: '{.spec.ports[{{web.port}}', exists: true } } }), task('via', { state: { route: { on: '@client', dst: 'default', via: '{{web.nodePort}}' } } })]);
    const { session, run } = await openSession({ lab });
    await run('hostname');
    const [path, via] = session.tasks();
    expect([path!.status, path!.labError]).toEqual(['pending', 'path "{.spec.ports[80" is not a JSONPath kubectl reads: unclosed action']);
    expect([via!.status, via!.labError]).toEqual(['pending', 'via "" is not an IPv4 address']);
    const r = await run('check path');
    expect(r).toEqual({ status: 1, stderr: '', stdout: 'path: this task\'s check could not run (a fault in the lab, not in your work): path "{.spec.ports[80" is not a JSONPath kubectl reads: unclosed action\n' });
    expect(session.tasks()[0]!.status).toBe('pending');
    expect(session.score().earned).toBe(0);
  });
});

describe('a place that is gone', () => {
  it('is the state of the sandbox, explained, not a lab error', async () => {
    const { session, run } = await openSession({ lab: webLab('gone', [task('ping', pingTarget), task('closed', pingTarget, { needs: ['ping'] })], { bindings: { ...WEB_BINDINGS } }) });
    await run('kubectl delete pod client');
    await run(`ping -c 1 ${session.bindings.target!.ip}`);
    const [ping, closed] = session.tasks();
    expect(ping!.labError).toBeUndefined();
    expect(closed!.labError).toBeUndefined();
    expect(session.check('ping').feedback).toBe(`This task wants ICMP traffic from pod client (which no longer exists) to pod ${session.bindings.target!.name} (${session.bindings.target!.ip}) that gets an answer.`);
  });
});
