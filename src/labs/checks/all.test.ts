import { describe, expect, it } from 'vitest';
import { labSession, ManualClock, openSession } from '../../../tests/support/session';
import { task, webLab } from '../../../tests/fixtures/labs/small';

const ready3 = { state: { endpoints: { service: 'web', ready: 3 } } };
const page = { probe: { from: '@client', http: 'http://web/' } };
const pingTarget = { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } };
const pingNode = { observed: { from: '@client', to: '{{target.nodeIp}}', proto: 'icmp', answered: true } };

describe('all', () => {
  it('passes when every check passes, saying what each shows', async () => {
    const { session, run } = await openSession({ lab: webLab('all-pass', [task('both', { all: [ready3, page] })]) });
    await run('hostname');
    const v = session.tasks()[0]!;
    expect(v.status).toBe('passed');
    expect(v.feedback).toMatch(/^Service web has 3 ready endpoints \([^)]+\)\. GET http:\/\/web\/ from pod client is answered with HTTP 200\.$/);
  });

  it("fails with the first failing check's explanation", async () => {
    const lab = webLab('all-fail', [task('both', { all: [{ state: { endpoints: { service: 'web', min: 1 } } }, page] })], { faults: [{ kind: 'wrong-selector', service: 'web', selector: { app: 'wrong' } }] });
    const { session } = await openSession({ lab });
    expect(session.check('both').feedback).toBe('Service web has 0 ready endpoints, fewer than 1. Service web selects app=wrong; no pod in its namespace has that label, so it has no endpoints. Pods there have app=web.');
  });

  it('takes evidence kept by each check at different times', async () => {
    const { session, run } = await openSession({ lab: webLab('all-evidence', [task('two-pings', { all: [pingTarget, pingNode] })]) });
    const b = session.bindings;
    await run(`kubectl exec client -- ping -c 1 ${b.target!.ip}`);
    expect(session.tasks()[0]!.status).not.toBe('passed');
    expect(session.check('two-pings').feedback).toMatch(new RegExp(`This task wants ICMP traffic from pod client \\(${b.client!.ip}\\) to ${b.target!.nodeIp} that gets an answer\\.$`));
    await run(`kubectl exec client -- ping -c 1 ${b.target!.nodeIp}`);
    expect(session.tasks()[0]!.status).toBe('passed');
  });

  it('holds an answer together with traffic: the answer is remembered until the traffic comes', async () => {
    const lab = webLab('all-answer', [task('ip-and-ping', { all: [{ answer: { expect: '{{target.ip}}', normalize: 'ip' } }, pingTarget] })]);
    const { session, run } = await openSession({ lab });
    const b = session.bindings;
    expect(session.tasks()[0]!.takesAnswer).toBe(true);
    let v = session.answer('ip-and-ping', '10.0.0.1');
    expect(v.status).toBe('failed');
    expect(v.feedback).toBe("10.0.0.1 is outside the cluster's three pools. That is not it yet.");
    v = session.answer('ip-and-ping', b.target!.ip!);
    expect(v.status).toBe('pending');
    expect(v.feedback).toBe(`This task wants ICMP traffic from pod client (${b.client!.ip}) to pod ${b.target!.name} (${b.target!.ip}) that gets an answer.`);
    await run(`kubectl exec client -- ping -c 1 ${b.target!.ip}`);
    expect(session.tasks()[0]!.status).toBe('passed');
  });

  it('waits for its costly checks to be judged before passing mid-command', async () => {
    const clock = new ManualClock();
    const s = await labSession({ lab: webLab('all-live', [task('ping-and-page', { all: [pingTarget, page] })]), seed: 1, scheduler: clock });
    const ping = s.run(`kubectl exec client -- ping ${s.bindings.target!.ip}`, { write: () => {} }, { write: () => {} });
    await clock.advance(0);
    expect(s.tasks()[0]!.status).toBe('pending');
    s.interrupt();
    await ping;
    expect(s.tasks()[0]!.status).toBe('passed');
  });
});

describe('all parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-all', [task('t', check)]);
  it('takes a list of checks, with the path into each', () => {
    expect(bad({ all: [] })).toThrow('tasks.0.check.all: Array must contain at least 1 element(s)');
    expect(bad({ all: ready3 })).toThrow('tasks.0.check.all: Expected array, received object');
    expect(bad({ all: [ready3, { anwser: { expect: '1' } }] })).toThrow('tasks.0.check.all.1.anwser: unknown check kind "anwser"; known: answer, choice, predict, state, probe, observed, all, any, not');
    expect(bad({ all: [ready3, { probe: { from: '@client', ping: 'web', expect: 'open' } }] })).toThrow('tasks.0.check.all.1.probe.expect: expect for ping is reply, no-reply');
  });
});
