import { describe, expect, it } from 'vitest';
import { labSession, ManualClock, openSession } from '../../../tests/support/session';
import { task, webLab } from '../../../tests/fixtures/labs/small';

const page = { probe: { from: '@client', http: 'http://web/' } };

describe('not', () => {
  it('passes while its check fails, in the lab\'s words or the check\'s', async () => {
    const lab = webLab('not-words', [
      task('no-route', { not: { check: { state: { route: { on: 'node:node-1', dst: '10.244.9.0/24' } } }, because: 'node-1 has no route to 10.244.9.0/24.' } }),
      task('no-route-plain', { not: { check: { state: { route: { on: 'node:node-1', dst: '10.244.9.0/24' } } } } }),
    ]);
    const { session, run } = await openSession({ lab });
    await run('hostname');
    expect(session.tasks().map((t) => [t.status, t.feedback])).toEqual([
      ['passed', 'node-1 has no route to 10.244.9.0/24.'],
      ['passed', 'Node node-1 has no route to 10.244.9.0/24; `ip route` there lists its table.'],
    ]);
  });

  it('fails, while its check passes, with what still holds', async () => {
    const lab = webLab('not-holds', [
      task('route-gone', { not: { check: { state: { route: { on: 'node:node-1', dst: '10.244.2.0/24' } } } } }),
      task('quiet', { not: { check: { observed: { from: '@client', to: '@target', proto: 'icmp' } } } }),
    ]);
    const { session, run } = await openSession({ lab });
    await run(`kubectl exec client -- ping -c 1 ${session.bindings.target!.ip}`);
    expect(session.tasks().map((t) => t.status)).toEqual(['pending', 'pending']);
    expect(session.check('route-gone').feedback).toBe('Node node-1 has the route 10.244.2.0/24 via 10.244.2.0 dev flannel.1.');
    expect(session.check('quiet').feedback).toBe('It still holds.');
  });

  it('does not pass on a probe before the probe has run, even at the first packet', async () => {
    const lab = webLab('not-probe', [task('page-gone', { not: { check: page, because: 'web no longer answers.' } })]);
    const { session, run } = await openSession({ lab });
    await run(`kubectl exec client -- ping -c 1 ${session.bindings.target!.ip}`);
    expect(session.tasks()[0]!.status).toBe('pending');
    expect(session.check('page-gone').feedback).toBe('GET http://web/ from pod client is answered with HTTP 200.');
    await run('kubectl delete service web');
    const v = session.tasks()[0]!;
    expect(v.status).toBe('passed');
    expect(v.feedback).toBe('web no longer answers.');
  });

  it('leaves a probe judged between commands alone while a command runs', async () => {
    const clock = new ManualClock();
    const s = await labSession({ lab: webLab('not-probe-live', [task('page-gone', { not: { check: page } })]), seed: 1, scheduler: clock });
    const ping = s.run(`kubectl exec client -- ping ${s.bindings.target!.ip}`, { write: () => {} }, { write: () => {} });
    await clock.advance(0);
    await clock.advance(1000);
    expect(s.tasks()[0]!.status).toBe('pending');
    s.interrupt();
    await ping;
    expect(s.tasks()[0]!.status).toBe('pending');
    expect(s.check('page-gone').feedback).toBe('GET http://web/ from pod client is answered with HTTP 200.');
  });
});

describe('not parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-not', [task('t', check)]);
  it('takes one check, and words for a pass', () => {
    expect(bad({ not: {} })).toThrow('tasks.0.check.not.check: expected a check kind: an object with one key, one of answer, choice, predict, state, probe, observed, all, any, not');
    expect(bad({ not: { check: page, because: 'x', why: 'y' } })).toThrow("tasks.0.check.not: Unrecognized key(s) in object: 'why'");
    expect(bad({ not: page })).toThrow("tasks.0.check.not: Unrecognized key(s) in object: 'probe'");
    expect(bad({ not: { check: { porbe: page.probe } } })).toThrow('tasks.0.check.not.check.porbe: unknown check kind "porbe"; known: answer, choice, predict, state, probe, observed, all, any, not');
  });
  it('checks what it nests, with the path into it', () => {
    expect(bad({ not: { check: { probe: { from: '@nobody', ping: 'web' } } } })).toThrow('tasks.0.check.not.0.probe: "@nobody" names no binding');
    expect(bad({ not: { check: page, because: '{{web.ipp}}' } })).toThrow('tasks.0.check: {{web.ipp}}: a service binding has no field ipp');
  });
});
