import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';
import { task, webLab } from '../../../tests/fixtures/labs/small';

const pingTarget = { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } };
const tcpTarget = { observed: { from: '@client', to: '@target', proto: 'tcp', port: 80, answered: true } };

describe('any', () => {
  it('passes on any one of its ways', async () => {
    const lab = webLab('any-ways', [task('by-ping', { any: [pingTarget, tcpTarget] }), task('by-tcp', { any: [pingTarget, tcpTarget] })]);
    const { session, run } = await openSession({ lab });
    await run(`kubectl exec client -- wget -qO- http://${session.bindings.target!.ip}/`);
    // wget reached the pod over TCP: both tasks pass, whichever way each lists first.
    expect(session.tasks().map((t) => t.status)).toEqual(['passed', 'passed']);
  });

  it('gives every reason while none passes', async () => {
    const { session } = await openSession({ lab: webLab('any-reasons', [task('reach', { any: [pingTarget, tcpTarget] })]) });
    const b = session.bindings;
    const client = `pod client (${b.client!.ip})`;
    const target = `pod ${b.target!.name} (${b.target!.ip})`;
    expect(session.check('reach').feedback).toBe(`This task wants ICMP traffic from ${client} to ${target} that gets an answer. Or: This task wants TCP traffic from ${client} to ${target} port 80 that gets an answer.`);
  });

  it('shows as failed after a near miss of any of its ways', async () => {
    const { session, run } = await openSession({ lab: webLab('any-near', [task('reach', { any: [pingTarget, tcpTarget] })]) });
    const other = session.bindings.web!.ip!;
    await run(`kubectl exec client -- ping -c 1 -W 1 ${other}`);
    const v = session.tasks()[0]!;
    expect(v.status).toBe('failed');
    expect(v.feedback).toMatch(new RegExp(`^You pinged ${other.replace(/\./g, '\\.')} \\(the ClusterIP of Service default/web\\); it was dropped in gateway: .* Or: This task wants TCP traffic`));
  });

  it('does not repeat a reason two ways share', async () => {
    const lab = webLab('any-same', [task('ep', { any: [{ state: { endpoints: { service: 'web', min: 1 } } }, { state: { endpoints: { service: 'web', ready: 1 } } }] })], {
      faults: [{ kind: 'wrong-selector', service: 'web', selector: { app: 'wrong' } }],
    });
    const { session } = await openSession({ lab });
    const why = session.check('ep').feedback;
    expect(why.split(' Or: ')).toHaveLength(2);
    expect(why).toContain('fewer than 1.');
    expect(why).toContain('not 1.');
  });
});

describe('any parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-any', [task('t', check)]);
  it('takes two ways or more', () => {
    expect(bad({ any: [pingTarget] })).toThrow('tasks.0.check.any: Array must contain at least 2 element(s)');
    expect(bad({ any: [pingTarget, { observed: { from: '@client', delivered: true } }] })).toThrow('tasks.0.check.any.1.observed.delivered: delivered needs to');
  });
});
