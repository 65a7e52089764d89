import { beforeAll, describe, expect, it } from 'vitest';
import type { LabSession } from '../session';
import { openSession, type RunResult } from '../../../tests/support/session';
import { task, webLab } from '../../../tests/fixtures/labs/small';

const ttl = (more: Record<string, unknown> = {}) => ({
  predict: { reveal: { value: 'reply-ttl', from: '@client', to: '@target' }, explain: 'Two routers each took one off.', ...more },
});

const lab = webLab('predictions', [
  task('ttl', ttl()),
  task('ttl-wrong', ttl()),
  task('ttl-once', ttl({ retries: 0 })),
  task('clusterip', { predict: { reveal: { value: 'ping-outcome', from: '@client', to: '{{web.ip}}' }, options: ['reply', 'no reply'], explain: 'No interface has {{web.ip}}.', retries: 0 } }),
  task('checksum', { predict: { reveal: { value: 'echo-request-checksum', from: '@client', to: '@target' }, placeholder: 'such as 0x1c46' } }),
  task('path', { predict: { reveal: { value: 'packet-path', from: '@client', to: '@target' }, explain: 'The tunnel rides the LAN.' } }),
]);

let session: LabSession;
let run: (line: string) => Promise<RunResult>;
let pingTarget: string;
beforeAll(async () => {
  ({ session, run } = await openSession({ lab }));
  pingTarget = `kubectl exec client -- ping -c 1 ${session.bindings.target!.ip}`;
});
const view = (id: string) => session.tasks().find((t) => t.id === id)!;
const places = () => `pod ${session.bindings.target!.name} (${session.bindings.target!.ip}) from pod client (${session.bindings.client!.ip})`;

describe('predict', () => {
  it('asks for a prediction first, and traffic before it does not count', async () => {
    expect(view('ttl').input).toEqual({ kind: 'prediction', how: `ping ${places()}` });
    expect((await run(pingTarget)).stdout).toContain('ttl=62');
    session.grade();
    expect(view('ttl').status).toBe('pending');
    expect(session.check('ttl').why).toBe(`Make your prediction first (\`answer ttl VALUE\`), then ping ${places()}.`);
  });

  it('locks a prediction in, and will not change it before the reveal', async () => {
    const r = await run('answer ttl 62');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`ttl: Locked in: 62. Now ping ${places()} and see.\n`);
    expect(view('ttl').input).toEqual({ kind: 'prediction', locked: '62', how: `ping ${places()}` });
    const again = session.answer('ttl', '63');
    expect(again.feedback).toBe(`Your prediction (62) is locked in; now ping ${places()} and see.`);
    expect(again.input).toEqual({ kind: 'prediction', locked: '62', how: `ping ${places()}` });
    // The traffic seen before the lock does not reveal it.
    await run('kubectl get pods');
    expect(view('ttl').status).not.toBe('passed');
  });

  it('is revealed by the next traffic, and passes with what happened and why', async () => {
    await run(pingTarget);
    const v = view('ttl');
    expect(v.status).toBe('passed');
    expect(v.feedback).toBe('You predicted 62, and it was 62. Two routers each took one off.');
    expect(v.input).toEqual({ kind: 'prediction', how: `ping ${places()}` });
  });

  it('fails a wrong prediction with what really happened, and allows another', async () => {
    session.answer('ttl-wrong', '64');
    await run(pingTarget);
    let v = view('ttl-wrong');
    expect(v.status).toBe('failed');
    expect(v.feedback).toBe('You predicted 64; it was 62. Two routers each took one off. You may predict again (1 more try), then look again.');
    expect(v.input).toMatchObject({ kind: 'prediction', retriesLeft: 1 });
    v = session.answer('ttl-wrong', '63');
    expect(v.feedback).toBe(`Locked in: 63. Now ping ${places()} and see.`);
    await run(pingTarget);
    v = view('ttl-wrong');
    expect(v.feedback).toBe('You predicted 63; it was 62. Two routers each took one off.');
    expect(v.input).toMatchObject({ kind: 'prediction', retriesLeft: 0 });
    v = session.answer('ttl-wrong', '62');
    expect(v.status).toBe('failed');
    expect(v.feedback).toBe('No more predictions for this task: the answer was 62.');
    await run(pingTarget);
    expect(view('ttl-wrong').status).toBe('failed');
  });

  it('allows no second prediction with retries: 0', async () => {
    session.answer('ttl-once', '61');
    await run(pingTarget);
    expect(view('ttl-once').feedback).toBe('You predicted 61; it was 62. Two routers each took one off.');
    expect(session.answer('ttl-once', '62').feedback).toBe('No more predictions for this task: the answer was 62.');
  });

  it('refuses a prediction its normaliser cannot read, without locking it', () => {
    const v = session.answer('checksum', 'soon');
    expect(v.feedback).toBe('"soon" is not a hexadecimal number (such as 0x1c46 or 1c46).');
    expect(v.status).toBe('pending');
    expect(v.input).toMatchObject({ kind: 'prediction', placeholder: 'such as 0x1c46' });
    expect(v.input).not.toHaveProperty('locked');
  });

  it('offers its options, and reveals a word such as "no reply"', async () => {
    expect(view('clusterip').input).toEqual({ kind: 'prediction', options: ['reply', 'no reply'], how: `ping ${session.bindings.web!.ip} from pod client (${session.bindings.client!.ip})` });
    const completions = session.complete('answer clusterip ', 'answer clusterip '.length);
    expect([...completions.candidates].sort()).toEqual(['no reply', 'reply']);
    expect(session.answer('clusterip', 'maybe').feedback).toBe('Predict one of: reply, no reply.');
    expect(session.tasks().find((t) => t.id === 'clusterip')!.input).toMatchObject({ kind: 'prediction', options: ['reply', 'no reply'] });
    session.answer('clusterip', 'No Reply');
    const ping = await run(`kubectl exec client -- ping -c 1 ${session.bindings.web!.ip}`);
    expect(ping.stdout).toContain('1 packets transmitted, 0 packets received, 100% packet loss');
    const v = view('clusterip');
    expect(v.status).toBe('passed');
    expect(v.feedback).toBe(`You predicted No Reply, and it was no reply. No interface has ${session.bindings.web!.ip}.`);
  });

  it('shows a revealed hexadecimal value as tcpdump writes it', async () => {
    session.answer('checksum', '0x0001');
    await run(pingTarget);
    const v = view('checksum');
    expect(v.status).toBe('failed');
    expect(v.feedback).toMatch(/^You predicted 0x0001; it was 0x[0-9a-f]{4}\. You may predict again/);
  });
});

describe('predict with a model', () => {
  it("puts what the observable's model says about a wrong prediction before the lab's explanation", async () => {
    const { client, target } = session.bindings;
    const [c, t] = [client!.node, target!.node];
    session.answer('path', `K8s-Pod(client) ${c}/cni0 ${c}/router ${t}/router ${t}/cni0 K8s-Pod(${target!.name})`);
    await run(pingTarget);
    const v = view('path');
    expect(v.status).toBe('failed');
    const real = `K8s-Pod(default/client) → ${c}/cni0 → ${c}/router → lan → ${t}/router → ${t}/cni0 → K8s-Pod(default/${target!.name})`;
    expect(v.feedback).toBe(
      `You predicted K8s-Pod(client) ${c}/cni0 ${c}/router ${t}/router ${t}/cni0 K8s-Pod(${target!.name}); it was ${real}. ` +
        `After ${c}/router the paths part: the message goes to lan, not to ${t}/router, because ${c}/router's entry \`${target!.ip!.replace(/\.\d+$/, '.0/24')}\` sends it there (flannel.1: VXLAN to ${target!.nodeIp} (${t})), and the outer packet crosses lan. ` +
        'The tunnel rides the LAN. You may predict again (1 more try), then look again.',
    );
    session.answer('path', real);
    await run(pingTarget);
    expect(view('path').status).toBe('passed');
  });
});

describe('predict parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-predict', [task('t', check)]);
  it('checks the reveal observable and the options against its normaliser', () => {
    expect(bad({ predict: { reveal: { value: 'reply-ttl', from: '@client' } } })).toThrow('tasks.0.check.predict: observable reply-ttl needs `to`');
    expect(bad({ predict: { reveal: { value: 'reply-ttl', from: '@client', to: '@target' }, options: ['62', 'sixty'] } })).toThrow('tasks.0.check.predict: option "sixty" is not a valid number value');
    expect(bad({ predict: { reveal: { value: 'reply-ttl', from: '@client', to: '@target' }, options: ['62'] } })).toThrow('tasks.0.check.predict.options: Array must contain at least 2 element(s)');
    expect(bad({ predict: { reveal: { value: 'reply-ttl', from: '@client', to: '@target', via: '@web' } } })).toThrow("tasks.0.check.predict.reveal: Unrecognized key(s) in object: 'via'");
    expect(bad({ predict: { reveal: { value: 'reply-ttl', from: '@client', to: '@target' }, retries: -1 } })).toThrow('tasks.0.check.predict.retries: Number must be greater than or equal to 0');
  });
  it('is an input: a task takes one', () => {
    expect(bad({ all: [ttl(), { answer: { expect: '1' } }] })).toThrow('tasks.0.check: a task takes at most one input (answer, choice or predict); this one has 2');
  });
});
