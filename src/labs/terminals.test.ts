import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../sim/clock';
import { REFERENCE_TIME } from './catalog';
import { LabSession } from './session';
import { fixtureWeb } from '../../tests/fixtures/labs/web';

function sink() {
  let text = '';
  return { write: (t: string) => void (text += t), text: () => text };
}

async function run(t: { run: LabSession['run'] }, line: string) {
  const out = sink();
  const err = sink();
  const status = await t.run(line, out, err);
  return { status, out: out.text(), err: err.text() };
}

async function setup() {
  const clock = new VirtualClock(REFERENCE_TIME);
  const session = await LabSession.create({ lab: fixtureWeb, seed: 1, scheduler: clock });
  const client = session.sim.pod('default', 'client')!;
  const web = Object.values(session.sim.state.k8s.pods).find((p) => p.metadata.labels?.['app'] === 'web' && p.spec.nodeName !== client.spec.nodeName)!;
  return { session, client, web };
}

describe('extra terminals', () => {
  it('tcpdump in the main terminal captures a ping typed in a second terminal', async () => {
    const { session, client, web } = await setup();
    const node = client.spec.nodeName!;
    const second = session.openTerminal();
    expect((await run(session, `ssh ${node}`)).status).toBe(0);
    const out = sink();
    const err = sink();
    const capture = session.run('tcpdump -n -i any icmp', out, err);
    // The main terminal is busy; the second one is not blocked by it, and has its own shell.
    expect(second.prompt()).toBe('learner@workstation:~$ ');
    expect(session.prompt()).not.toBe(second.prompt());
    const ping = await run(second, `kubectl exec client -- ping -c 1 ${web.status.podIP}`);
    expect(ping.status).toBe(0);
    expect(ping.out).toContain(`64 bytes from ${web.status.podIP}: seq=0 ttl=62`);
    session.interrupt();
    expect(await capture).toBe(0);
    const lines = out.text().trim().split('\n');
    const request = lines.filter((l) => l.includes(`IP ${client.status.podIP} > ${web.status.podIP}: ICMP echo request, id `));
    const reply = lines.filter((l) => l.includes(`IP ${web.status.podIP} > ${client.status.podIP}: ICMP echo reply, id `));
    // -i any on the client's node: the veth, cni0 and flannel.1 each see the request and the reply.
    expect(request.length).toBe(3);
    expect(reply.length).toBe(3);
    expect(lines.every((l) => /^\d\d:\d\d:\d\d\.\d{6} \S+ +(In|Out|P) +IP /.test(l))).toBe(true);
    expect(err.text()).toContain(`${lines.length} packets captured\n`);
    // Commands in the second terminal are graded and kept in its own history only.
    expect(session.tasks().find((t) => t.id === 'ping-across')?.status ?? 'passed').toBe('passed');
    expect(second.history()).toEqual([`kubectl exec client -- ping -c 1 ${web.status.podIP}`]);
    expect(session.history()).toEqual([`ssh ${node}`, 'tcpdump -n -i any icmp']);
  });

  it('runs one command at a time per terminal, and only the main terminal is in the snapshot', async () => {
    const { session } = await setup();
    const second = session.openTerminal();
    const watch = sink();
    const tail = second.run('kubectl get pods -w', watch, sink());
    await expect(second.run('hostname', sink(), sink())).rejects.toThrow('a command is already running in this terminal');
    expect((await run(session, 'hostname')).out).toBe('workstation\n');
    second.interrupt();
    expect(await tail).toBe(1);
    expect(watch.text()).toMatch(/^NAME +READY +STATUS/);
    await run(second, 'ssh node-2');
    expect(second.prompt()).toBe('root@node-2:~# ');
    expect(session.prompt()).toBe('learner@workstation:~$ ');
    // The answer command exists in every terminal.
    expect((await run(second, 'answer')).out).toContain('which-pool');
    const restored = LabSession.restore(JSON.parse(JSON.stringify(session.snapshot())), new VirtualClock(REFERENCE_TIME), fixtureWeb);
    expect(restored.history()).toEqual(['hostname']);
    expect(restored.openTerminal().prompt()).toBe('learner@workstation:~$ ');
  });
});
