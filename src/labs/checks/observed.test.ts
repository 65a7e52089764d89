import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../contract';
import type { LabSession } from '../session';
import { labSession, ManualClock, openSession, type RunResult } from '../../../tests/support/session';
import { task, webLab, WEB_BINDINGS } from '../../../tests/fixtures/labs/small';

const pingTarget = { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } };

const lab = webLab('observed', [
  task('ping', pingTarget),
  task('ping-hint', { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true, hint: 'Ping {{target.name}} from client.' } }),
  task('dnat', { observed: { from: '@client', to: '{{web.ip}}', proto: 'tcp', port: 80, through: 'node:{{client.node}}', action: 'dnat' } }),
  task('delivered', { observed: { from: '@client', to: '{{web.ip}}', proto: 'tcp', delivered: true } }),
  task('tunnel', { observed: { from: '@client', to: '@target', through: 'node:{{client.node}}', dev: 'flannel.1', action: ['vxlan-encap'] } }),
  task('no-answer', { observed: { from: '@client', to: '{{web.ip}}', proto: 'icmp', answered: false } }),
]);

let session: LabSession;
let run: (line: string) => Promise<RunResult>;
beforeAll(async () => {
  ({ session, run } = await openSession({ lab }));
});
const view = (id: string) => session.tasks().find((t) => t.id === id)!;
const label = (b: 'client' | 'target') => `pod ${session.bindings[b]!.name} (${session.bindings[b]!.ip})`;

describe('observed, judged packet by packet', () => {
  it('passes at the first reply of a ping that has not ended', async () => {
    const clock = new ManualClock();
    const s = await labSession({ lab: webLab('observed-live', [task('ping', pingTarget)]), seed: 1, scheduler: clock });
    const events: TaskView[] = [];
    s.subscribe((e) => void (e.type === 'task' && events.push(e.task)));
    let out = '';
    let ended = false;
    const ping = s.run(`kubectl exec client -- ping ${s.bindings.target!.ip}`, { write: (t) => void (out += t) }, { write: () => {} }).then((status) => {
      ended = true;
      return status;
    });
    await clock.advance(0);
    expect(out).toContain(`64 bytes from ${s.bindings.target!.ip}: seq=0 ttl=62`);
    expect(ended).toBe(false);
    expect(s.tasks()[0]!.status).toBe('passed');
    expect(events.map((e) => [e.id, e.status])).toEqual([['ping', 'passed']]);
    await clock.advance(1000);
    expect(out).toContain('seq=1 ttl=62');
    // Ctrl+C stops kubectl (no terminal was asked for, so ping's summary stays in the pod).
    s.interrupt();
    expect(await ping).toBe(130);
    expect(s.tasks()[0]!.status).toBe('passed');
  });

  it('says what it wants before any traffic, without failing', async () => {
    const { session } = await openSession({ lab });
    session.grade();
    expect(session.tasks()[0]!.status).toBe('pending');
    expect(session.check('ping').feedback).toBe(`This task wants ICMP traffic from pod client (${session.bindings.client!.ip}) to ${label('target')} that gets an answer.`);
    expect(session.check('dnat').feedback).toBe(`This task wants TCP traffic from pod client (${session.bindings.client!.ip}) to ${session.bindings.web!.ip} port 80 with a dnat step at node ${session.bindings.client!.node} (${session.bindings.client!.nodeIp}).`);
    expect(session.check('delivered').feedback).toBe(`This task wants TCP traffic from pod client (${session.bindings.client!.ip}) to ${session.bindings.web!.ip} that is delivered there.`);
    expect(session.check('tunnel').feedback).toBe(`This task wants traffic from pod client (${session.bindings.client!.ip}) to ${label('target')} with a vxlan-encap step at node ${session.bindings.client!.node} (${session.bindings.client!.nodeIp}) on flannel.1.`);
  });

  it('fails a near miss with where that packet went, and what to do instead', async () => {
    const other = session.bindings.web!.endpointIps!.split(',').find((ip) => ip !== session.bindings.target!.ip && ip.startsWith(session.bindings.client!.ip!.split('.').slice(0, 3).join('.')))!;
    const r = await run(`kubectl exec client -- ping -c 1 ${other}`);
    expect(r.stdout).toContain(`64 bytes from ${other}`);
    const v = view('ping');
    expect(v.status).toBe('failed');
    const pod = session.sim.state.k8s.pods[Object.keys(session.sim.state.k8s.pods).find((k) => session.sim.state.k8s.pods[k]!.status.podIP === other)!]!.metadata.name;
    expect(v.feedback).toBe(`You pinged ${other} (pod ${pod} on ${session.bindings.client!.node}); ${pod} answered. This task wants ICMP traffic from pod client (${session.bindings.client!.ip}) to ${label('target')} that gets an answer.`);
    expect(view('ping-hint').feedback).toBe(`You pinged ${other} (pod ${pod} on ${session.bindings.client!.node}); ${pod} answered. Ping ${session.bindings.target!.name} from client.`);
    // Traffic from elsewhere is no near miss: it is not about this task.
    await run(`ping -c 1 ${session.bindings.client!.nodeIp}`);
    expect(view('tunnel').status).toBe('pending');
  });

  it('passes on the traffic it names, and stays passed whatever happens next', async () => {
    const r = await run(`kubectl exec client -- ping -c 1 ${session.bindings.target!.ip}`);
    expect(r.status).toBe(0);
    expect(view('ping').status).toBe('passed');
    expect(view('ping').feedback).toBe('');
    expect(view('tunnel').status).toBe('passed');
    await run(`kubectl delete pod ${session.bindings.target!.name}`);
    await run(`kubectl exec client -- ping -c 1 ${session.bindings.target!.ip}`);
    session.grade();
    expect(view('ping').status).toBe('passed');
    expect(session.check('ping').status).toBe('passed');
  });

  it("matches a step of the trace: kube-proxy's DNAT on the client's node, delivery after DNAT", async () => {
    expect(view('dnat').status).toBe('pending');
    await run('kubectl exec client -- wget -qO- http://web/');
    expect(view('dnat').status).toBe('passed');
    expect(view('delivered').status).toBe('passed');
  });

  it('matches traffic that gets no answer', async () => {
    await run(`kubectl exec client -- ping -c 1 ${session.bindings.web!.ip}`);
    expect(view('no-answer').status).toBe('passed');
  });
});

describe('observed through NAT', () => {
  it('counts a delivery after a node port\'s DNAT and masquerade as delivered', async () => {
    const lab = webLab('observed-nodeport', [task('delivered', { observed: { from: 'workstation', to: 'node:node-1', proto: 'tcp', delivered: true } }), task('snat', { observed: { from: 'workstation', to: 'node:node-1', proto: 'tcp', through: 'node:node-1', action: 'snat' } })], {
      setup: ['kubectl expose deployment web --name=web-np --type=NodePort --port=80'],
      bindings: { ...WEB_BINDINGS, np: { service: { name: 'web-np' } } },
    });
    const { session: s, run: r } = await openSession({ lab });
    const node1 = (await r("kubectl get node node-1 -o jsonpath='{.status.addresses[0].address}'")).stdout;
    expect((await r(`curl -s -o /dev/null -w '%{http_code}' http://${node1}:${s.bindings.np!.nodePort}/`)).stdout).toBe('200');
    expect(s.tasks().map((t) => t.status)).toEqual(['passed', 'passed']);
  });
});

describe('observed drops', () => {
  it('matches a drop by its reason, and explains the near miss from the trace', async () => {
    const mtu = webLab(
      'observed-mtu',
      [
        task('too-big', { observed: { from: '@client', to: '@target', action: 'drop', reason: 'too long' } }),
        task('reply', { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } }),
      ],
      // client's eth0 at 1500, its veth peer on the node at flannel's 1450: the peer drops the frame.
      { faults: [{ kind: 'mtu-mismatch', target: { pod: 'client' }, device: 'eth0', mtu: 1500 }] },
    );
    const { session: s, run: r } = await openSession({ lab: mtu });
    const t = s.bindings.target!;
    expect((await r(`kubectl exec client -- ping -c 1 -s 1460 ${t.ip}`)).stdout).toContain('1 packets transmitted, 0 packets received, 100% packet loss');
    expect(s.tasks()[0]!.status).toBe('passed');
    // The same ping is a near miss for the task that wants a reply: it says where it was lost.
    const reply = s.tasks()[1]!;
    expect(reply.status).toBe('failed');
    expect(reply.feedback).toBe(`You pinged ${t.ip} (pod ${t.name} on ${t.node}); it was dropped in client at eth0: 1488 bytes are too long for ${s.bindings.client!.veth} in ${s.bindings.client!.node} (MTU 1450): the veth peer drops the frame. This task wants ICMP traffic from pod client (${s.bindings.client!.ip}) to pod ${t.name} (${t.ip}) that gets an answer.`);
    await r(`kubectl exec client -- ping -c 1 ${t.ip}`);
    expect(s.tasks()[1]!.status).toBe('passed');
  });

  it('explains a near miss for a drop it wants', async () => {
    const { session: s, run: r } = await openSession({ lab: webLab('observed-drop', [task('too-big', { observed: { from: '@client', to: '@target', action: 'drop', reason: 'does not fit' } })]) });
    const t = s.bindings.target!;
    await r(`kubectl exec client -- ping -c 1 ${t.ip}`);
    expect(s.tasks()[0]!.status).toBe('failed');
    expect(s.tasks()[0]!.feedback).toBe(`You pinged ${t.ip} (pod ${t.name} on ${t.node}); ${t.name} answered. This task wants traffic from pod client (${s.bindings.client!.ip}) to pod ${t.name} (${t.ip}) with a drop step that says "does not fit".`);
  });
});

describe('observed parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-observed', [task('t', check)]);
  it('names what a field needs', () => {
    expect(bad({ observed: { proto: 'icmp' } })).toThrow('tasks.0.check.observed: give at least one of from, to and through');
    expect(bad({ observed: { from: '@client', delivered: true } })).toThrow('tasks.0.check.observed.delivered: delivered needs to');
    expect(bad({ observed: { to: '@target', answered: true } })).toThrow('tasks.0.check.observed.answered: answered needs from and to');
  });
  it('names a bad action, protocol or port', () => {
    expect(bad({ observed: { from: '@client', action: 'nat' } })).toThrow(/tasks\.0\.check\.observed\.action: Invalid enum value\. Expected 'send' \| 'route' \| .*, received 'nat'/);
    expect(bad({ observed: { from: '@client', action: ['dnat', 'nat'] } })).toThrow(/tasks\.0\.check\.observed\.action\.1: Invalid enum value\. Expected 'send' \| .*, received 'nat'/);
    expect(bad({ observed: { from: '@client', action: 3 } })).toThrow('tasks.0.check.observed.action: Invalid input');
    expect(bad({ observed: { from: '@client', proto: 'sctp' } })).toThrow("tasks.0.check.observed.proto: Invalid enum value. Expected 'icmp' | 'tcp' | 'udp', received 'sctp'");
    expect(bad({ observed: { from: '@client', port: 70000 } })).toThrow('tasks.0.check.observed.port: Number must be less than or equal to 65535');
    expect(bad({ observed: { from: '@client', proto: 'icmp', port: 80 } })).toThrow('tasks.0.check.observed.port: port applies to tcp and udp, not icmp');
  });
  it('checks its places', () => {
    expect(bad({ observed: { from: '@target', through: 'node-1' } })).toThrow('tasks.0.check.observed.through: "node-1" is not a place');
    expect(bad({ observed: { from: '@client', to: 'web' } })).toThrow('tasks.0.check.observed.to: "web" is not a place or an address');
    expect(bad({ observed: { from: '@client', to: '10.96.0.10' } })).not.toThrow();
  });
});
