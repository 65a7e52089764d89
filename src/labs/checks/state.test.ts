import { describe, expect, it } from 'vitest';
import type { TaskView } from '../contract';
import { openSession } from '../../../tests/support/session';
import { task, webLab } from '../../../tests/fixtures/labs/small';

const fixedService = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
`;

/** The web sandbox with Service web's selector broken, and a task to give it endpoints again. */
const broken = (id: string) =>
  webLab(id, [task('endpoints', { state: { endpoints: { service: 'web', min: 1 } } }, { passed: 'web has endpoints again.', hints: ['Now: {{task.why}}'] })], {
    faults: [{ kind: 'wrong-selector', service: 'web', selector: { app: 'wrong' } }],
  });
const BROKEN_WHY = 'Service web has 0 ready endpoints, fewer than 1. Service web selects app=wrong; no pod in its namespace has that label, so it has no endpoints. Pods there have app=web.';

async function start(id: string) {
  const t = await openSession({ lab: broken(id) });
  const events: TaskView[] = [];
  t.session.subscribe((e) => void (e.type === 'task' && events.push(e.task)));
  return { ...t, events, view: () => t.session.tasks()[0]! };
}

describe('state', () => {
  it('passes at once when the state holds', async () => {
    const { session, run } = await openSession({ lab: webLab('state-holds', [task('endpoints', { state: { endpoints: { service: 'web', ready: 3 } } })]) });
    expect(session.tasks()[0]!.status).toBe('pending');
    await run('hostname');
    const v = session.tasks()[0]!;
    expect(v.status).toBe('passed');
    expect(v.feedback).toMatch(/^Service web has 3 ready endpoints \(10\.244\.\d+\.\d+, 10\.244\.\d+\.\d+, 10\.244\.\d+\.\d+\)\.$/);
  });

  it('stays pending while the state does not hold, explaining it to check and to hints', async () => {
    const { session, run, view } = await start('state-pending');
    expect((await run('kubectl get endpoints web')).stdout).toMatch(/^web +<none> /m);
    expect(view().status).toBe('pending');
    expect(view().feedback).toBe('');
    expect(session.hint('endpoints').hints.shown).toEqual([`Now: ${BROKEN_WHY}`]);
    const r = await run('check endpoints');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`endpoints: not yet. ${BROKEN_WHY}\n`);
    expect(view().status).toBe('failed');
    expect(view().attempts).toBe(1);
  });

  it('passes after a kubectl apply of the fixed Service, at the end of that command', async () => {
    const { session, run, view, events } = await start('state-apply');
    session.grade();
    expect(view().status).toBe('pending');
    const r = await run(`kubectl apply -f - <<'EOF'\n${fixedService}EOF`);
    expect(r.stdout).toBe('service/web configured\n');
    expect(view().status).toBe('passed');
    expect(view().feedback).toMatch(/^web has endpoints again\. Service web has 3 ready endpoints \(/);
    expect(events.map((e) => e.status)).toEqual(['passed']);
  });

  it('passes after kubectl label gives pods the label the Service selects', async () => {
    const { run, view } = await start('state-label');
    await run('kubectl label pods -l app=web app=wrong --overwrite');
    expect(view().status).toBe('passed');
    expect((await run('kubectl get endpoints web')).stdout).not.toContain('<none>');
  });

  it('passes after the same fix through the session contract, and stays passed when broken again', async () => {
    const { session, run, view } = await start('state-contract');
    // The sandbox's Service was not made by kubectl apply: kubectl warns on stderr, as it does.
    const stdout = (lines: { text: string; stderr: boolean }[]) => lines.filter((l) => !l.stderr).map((l) => l.text);
    expect(stdout(session.apply(fixedService, { dryRun: true }).lines)).toEqual(['service/web configured (dry run)']);
    expect(view().status).toBe('pending');
    const out = session.apply(fixedService);
    expect(out.ok).toBe(true);
    expect(stdout(out.lines)).toEqual(['service/web configured']);
    expect(view().status).toBe('passed');
    expect((await run('kubectl delete service web')).stdout).toBe('service "web" deleted\n');
    session.grade();
    expect(view().status).toBe('passed');
    expect(session.check('endpoints').status).toBe('passed');
  });
});

describe('state parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-state', [task('t', check)]);
  it('takes exactly one predicate', () => {
    expect(bad({ state: {} })).toThrow('tasks.0.check.state: a state predicate has exactly one key (one of endpoints, route, link, pod-ready, field, resolves, neighbour, fdb); this one has none');
    expect(bad({ state: 'endpoints' })).toThrow('tasks.0.check.state: expected a state predicate: an object with one key, one of endpoints, route, link, pod-ready, field, resolves, neighbour, fdb');
  });
  it('checks the places and placeholders a predicate names', () => {
    expect(bad({ state: { link: { on: '@web', dev: 'eth0', up: true } } })).toThrow('tasks.0.check.state: "@web" is a service binding, which is not a place');
    expect(bad({ state: { endpoints: { service: '{{web.nmae}}', min: 1 } } })).toThrow('tasks.0.check: {{web.nmae}}: a service binding has no field nmae');
  });
});
