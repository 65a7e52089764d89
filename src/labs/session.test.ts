import { beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from './catalog';
import type { SessionEvent, TraceView } from './contract';
import { PlaceError } from './places';
import { defineLab } from './schema';
import { LabSession, LabSetupError, SnapshotError } from './session';
import { ScriptClock } from './transcript';
import { openSession, type RunResult } from '../../tests/support/session';
import { task, webLab } from '../../tests/fixtures/labs/small';

const web2 = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web2\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n';

/** Why a lab's session could not be made. */
async function refusal(lab: ReturnType<typeof webLab>): Promise<string> {
  const e = await openSession({ lab }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LabSetupError);
  return (e as Error).message;
}

describe('preparing the sandbox', () => {
  it('runs the setup commands before the learner arrives, outside their history', async () => {
    const lab = webLab('setup', [], { setup: ['kubectl create deployment api --image=nginx:1.27', 'echo hello > notes.txt', 'ssh node-1', 'exit'] });
    const { session, run } = await openSession({ lab });
    expect((await run('kubectl get deploy api --no-headers')).stdout).toMatch(/^api +1\/1 +1 +1 +60s\n$/);
    expect((await run('cat notes.txt')).stdout).toBe('hello\n');
    expect(session.history()).toEqual(['kubectl get deploy api --no-headers', 'cat notes.txt']);
    expect(session.prompt()).toBe('learner@workstation:~$ ');
  });

  it('refuses the session when a setup command fails, naming it and what it printed', async () => {
    expect(await refusal(webLab('setup-fails', [], { setup: ['hostname', 'kubectl get pod nosuch'] }))).toBe('lab fixture-setup-fails: setup command `kubectl get pod nosuch` exited 1:\nError from server (NotFound): pods "nosuch" not found');
    expect(await refusal(webLab('setup-away', [], { setup: ['ssh node-1'] }))).toBe('lab fixture-setup-away: its setup commands must end on the workstation');
  });

  it('applies the manifests as kubectl apply does, with the last-applied annotation', async () => {
    const { run } = await openSession({ lab: webLab('manifests', [], { manifests: web2 }) });
    const annotations = JSON.parse((await run("kubectl get svc web2 -o jsonpath='{.metadata.annotations}'")).stdout) as Record<string, string>;
    expect(JSON.parse(annotations['kubectl.kubernetes.io/last-applied-configuration']!)).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { annotations: {}, name: 'web2', namespace: 'default' }, spec: { ports: [{ port: 80 }], selector: { app: 'web' } } });
    expect((await run('kubectl get endpoints web2 --no-headers')).stdout).toMatch(/^web2 +10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80 +8m\n$/);
  });

  it('refuses manifests the API server would refuse', async () => {
    const bad = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web2\nspec:\n  ports:\n  - port: 70000\n';
    expect(await refusal(webLab('manifests-bad', [], { manifests: bad }))).toMatch(/^lab fixture-manifests-bad: its manifests were refused: [\s\S]*70000/);
  });

  it('injects the faults', async () => {
    const lab = webLab('faults', [], {
      faults: [
        { kind: 'node-down', node: 'node-1' },
        { kind: 'coredns-down' },
      ],
    });
    const { run } = await openSession({ lab });
    expect((await run("kubectl get node node-1 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}'")).stdout).toBe('Unknown');
    expect((await run('kubectl get deploy coredns -n kube-system --no-headers')).stdout).toMatch(/^coredns +0\/0 /);
    expect(await refusal(webLab('faults-bad', [], { faults: [{ kind: 'wrong-selector', service: 'nosuch', selector: { app: 'x' } }] }))).toMatch(/^lab fixture-faults-bad: fault wrong-selector could not be injected: /);
  });
});

describe('the contract', () => {
  let session: LabSession;
  let run: (line: string) => Promise<RunResult>;
  beforeAll(async () => {
    ({ session, run } = await openSession({ lab: webLab('contract', [task('ping', { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } })]) }));
  });

  it('sends every packet as a trace event: its hops, and the frames that crossed a wire', async () => {
    const events: SessionEvent[] = [];
    const stop = session.subscribe((e) => void events.push(e));
    await run(`kubectl exec client -- ping -c 1 ${session.bindings.target!.ip}`);
    stop();
    const traces = events.filter((e): e is { type: 'trace'; trace: TraceView } => e.type === 'trace').map((e) => e.trace);
    const ping = traces.find((t) => t.summary.startsWith('ICMP echo request'))!;
    expect(ping.summary).toBe(`ICMP echo request ${session.bindings.client!.ip} > ${session.bindings.target!.ip}`);
    expect(ping.hops[0]).toMatchObject({ ns: 'pod/default/client', host: 'client', dev: 'eth0', action: 'route' });
    expect(ping.hops.map((h) => h.action)).toContain('vxlan-encap');
    expect(ping.hops.at(-1)).toMatchObject({ host: 'client', action: 'deliver' });
    expect(events.findIndex((e) => e.type === 'task')).toBeGreaterThan(events.findIndex((e) => e.type === 'trace'));
    // Every frame is Ethernet, and every IPv4 header in it (inner ones too) sums to 0xffff.
    expect(ping.frames.length).toBeGreaterThan(8);
    let vxlan = 0;
    for (const f of ping.frames) {
      const type = (f[12]! << 8) | f[13]!;
      expect([0x0800, 0x0806]).toContain(type);
      if (type !== 0x0800) continue;
      expect(onesComplementSum(f.subarray(14, 34))).toBe(0xffff);
      if (f[23] === 17 && ((f[36]! << 8) | f[37]!) === 8472) {
        vxlan++;
        const inner = f.subarray(14 + 20 + 8 + 8);
        expect((inner[12]! << 8) | inner[13]!).toBe(0x0800);
        expect(onesComplementSum(inner.subarray(14, 34))).toBe(0xffff);
        expect(onesComplementSum(inner.subarray(34))).toBe(0xffff);
      } else if (f[23] === 1) {
        expect(onesComplementSum(f.subarray(34))).toBe(0xffff);
      }
    }
    expect(vxlan).toBe(2);
  });

  it('shows the topology: machines, veth pairs, cables, tunnels and Services', async () => {
    const topo = session.topology();
    expect(topo.name).toBe('kubernetes');
    const pods = (await run('kubectl get pods -A -o wide --no-headers')).stdout.trim().split('\n').map((l) => l.split(/\s+/));
    const podNetworkPods = pods.filter((p) => p[6]!.startsWith('10.244.'));
    const podMachines = topo.machines.filter((m) => m.kind === 'pod');
    expect(podMachines.map((m) => m.id).sort()).toEqual(podNetworkPods.map((p) => `pod/${p[0]}/${p[1]}`).sort());
    expect(topo.machines.filter((m) => m.kind === 'node').map((m) => m.name)).toEqual(['control-plane', 'node-1', 'node-2']);
    const client = topo.machines.find((m) => m.id === 'pod/default/client')!;
    expect(client.parent).toBe(`node/${session.bindings.client!.node}`);
    const veths = topo.links.filter((l) => l.kind === 'veth');
    expect(veths).toHaveLength(podNetworkPods.length);
    expect(veths).toContainEqual({ kind: 'veth', a: { ns: `node/${session.bindings.client!.node}`, dev: session.bindings.client!.veth }, b: { ns: 'pod/default/client', dev: 'eth0' } });
    expect(topo.links.filter((l) => l.kind === 'cable').map((l) => l.a.ns)).toEqual(expect.arrayContaining(['node/control-plane', 'node/node-1', 'node/node-2', 'workstation']));
    const tunnels = topo.links.filter((l) => l.kind === 'tunnel');
    expect(tunnels.length).toBeGreaterThanOrEqual(3);
    expect(tunnels.every((l) => l.a.dev === 'flannel.1' && l.kind === 'tunnel' && l.b.dev === 'flannel.1')).toBe(true);
    const svc = (await run('kubectl get svc -A --no-headers')).stdout.trim().split('\n').map((l) => l.split(/\s+/));
    expect(topo.services.map((s) => [s.namespace, s.name, s.type, s.clusterIP, s.ports])).toEqual(svc.map((s) => [s[0], s[1], s[2], s[3], s[5]]));
  });

  it('reads and writes files at a place', async () => {
    session.writeFile('pod:client', '/tmp/note.txt', 'from the editor\n');
    expect((await run('kubectl exec client -- cat /tmp/note.txt')).stdout).toBe('from the editor\n');
    await run('echo from the shell > /home/learner/typed.txt');
    expect(session.readFile('workstation', '/home/learner/typed.txt')).toBe('from the shell\n');
    session.writeFile('@client', '/tmp/b.txt', 'b');
    expect(session.readFile('pod:default/client', '/tmp/b.txt')).toBe('b');
    expect(session.readFile('workstation', '/nosuch')).toBeUndefined();
    expect(() => session.readFile('pod:nosuch', '/x')).toThrow(PlaceError);
  });

  it('applies manifests, and a dry run changes nothing', async () => {
    const events: SessionEvent[] = [];
    const stop = session.subscribe((e) => void events.push(e));
    const dry = session.apply(web2, { dryRun: true });
    expect(dry).toEqual({ ok: true, lines: [{ text: 'service/web2 created (dry run)', stderr: false }] });
    expect((await run('kubectl get svc web2')).stderr).toBe('Error from server (NotFound): services "web2" not found\n');
    expect(events.filter((e) => e.type === 'state')).toHaveLength(1);
    const real = session.apply(web2);
    expect(real).toEqual({ ok: true, lines: [{ text: 'service/web2 created', stderr: false }] });
    expect((await run('kubectl get svc web2 --no-headers')).stdout).toMatch(/^web2 +ClusterIP +10\./);
    const bad = session.apply('apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n');
    expect(bad.ok).toBe(false);
    expect(bad.lines.every((l) => l.stderr)).toBe(true);
    stop();
  });
});

describe('snapshots', () => {
  const lab = webLab('snapshots', [
    task('predict-ttl', { predict: { reveal: { value: 'reply-ttl', from: '@client', to: '@target' } } }),
    task('echo-id', { answer: { observed: { value: 'echo-request-id', from: '@client', to: '@target' } } }, { hints: ['h1', 'h2'] }),
    task('ping', { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } }),
  ]);

  it('restores to the same session: evidence, memory, hints, history and place', async () => {
    const { session, run } = await openSession({ lab });
    session.answer('predict-ttl', '62');
    const ids: number[] = [];
    session.subscribe((e) => void (e.type === 'trace' && e.trace.hops[0]?.ip?.src === session.bindings.client!.ip && ids.push(e.trace.hops[0]!.ip!.id)));
    await run(`kubectl exec client -- ping -c 1 ${session.bindings.web!.endpointIps!.split(',').find((ip) => ip !== session.bindings.target!.ip)}`);
    session.hint('echo-id');
    await run('ssh node-1');
    const snap = JSON.parse(JSON.stringify(session.snapshot()));
    const clock = new ScriptClock(REFERENCE_TIME + 3_600_000);
    const restored = LabSession.restore(snap, clock, lab);
    expect(restored.prompt()).toBe('root@node-1:~# ');
    expect(restored.history()).toEqual(session.history());
    expect(restored.tasks()).toEqual(session.tasks());
    expect(restored.tasks()[0]!.input).toMatchObject({ kind: 'prediction', locked: '62' });
    // The prediction locked before the snapshot is revealed by a ping after it.
    const out = { write: () => {} };
    await restored.run('exit', out, out);
    await restored.run(`kubectl exec client -- ping -c 1 ${restored.bindings.target!.ip}`, out, out);
    const v = restored.tasks();
    expect([v[0]!.status, v[0]!.feedback]).toEqual(['passed', 'You predicted 62, and it was 62.']);
    expect(v[2]!.status).toBe('passed');
    expect(v[1]!.hints.shown).toEqual(['h1']);
  });

  it('refuses a snapshot of another format, another lab, or a damaged one', async () => {
    const { session } = await openSession({ lab });
    const snap = JSON.parse(JSON.stringify(session.snapshot())) as Record<string, unknown>;
    const clock = new ScriptClock(REFERENCE_TIME);
    expect(() => LabSession.restore({ ...snap, format: 1 }, clock, lab)).toThrow(SnapshotError);
    expect(() => LabSession.restore({ ...snap, format: 1 }, clock, lab)).toThrow(/format 1.* format 2/);
    expect(() => LabSession.restore(snap, clock, webLab('other', []))).toThrow('the saved lab is fixture-snapshots, not fixture-other');
    expect(() => LabSession.restore({ ...snap, history: undefined }, clock, lab)).toThrow('the saved lab is incomplete');
    expect(() => LabSession.restore(null, clock, lab)).toThrow('the saved lab is not an object');
    expect(() => LabSession.restore({ ...snap, sim: { format: -1 } }, clock, lab)).toThrow(/^the saved sandbox cannot be restored: /);
  });
});

describe('the lab commands in the terminal', () => {
  const lab = webLab('commands', [
    task('ip', { answer: { expect: '{{target.ip}}', normalize: 'ip' } }, { hints: ['One.', { text: 'Two.', cost: 1 }], solution: { text: 'It is `{{target.ip}}`.', steps: ['answer ip {{target.ip}}'] } }),
    task('ping', { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } }),
    task('pick', { choice: { options: [{ text: 'a', correct: true }, { text: 'b' }] } }),
  ]);
  let session: LabSession;
  let run: (line: string) => Promise<RunResult>;
  beforeAll(async () => {
    ({ session, run } = await openSession({ lab }));
  });
  const ok = (stdout: string) => ({ status: 0, stdout, stderr: '' });
  const usage = (stderr: string) => ({ status: 2, stdout: '', stderr });

  it('answer: lists, takes, and refuses with usage errors (2) or a wrong answer (1)', async () => {
    expect(await run('answer')).toEqual(ok('  ip   Task ip\n  pick Task pick  (a, b)\n'));
    expect(await run('answer pick')).toEqual(ok('  a) a\n  b) b\nAnswer with: answer pick LETTER\n'));
    expect(await run('answer ip')).toEqual(usage('answer: missing VALUE\nUsage: answer ip VALUE\n'));
    expect(await run('answer nosuch 1')).toEqual(usage('answer: no task named "nosuch"; tasks: ip, ping, pick\n'));
    expect(await run('answer ping 1')).toEqual(usage('answer: task ping is checked from what happens in the sandbox, not from a typed answer (try: check ping)\n'));
    expect(await run('answer ip 1.1.1.1')).toEqual({ status: 1, stdout: "ip: not quite. 1.1.1.1 is outside the cluster's three pools. That is not it yet.\n", stderr: '' });
  });

  it('check: says why, with status 1 until it passes', async () => {
    expect(await run('check')).toEqual({ status: 1, stdout: `ping: not yet. This task wants ICMP traffic from pod client (${session.bindings.client!.ip}) to pod ${session.bindings.target!.name} (${session.bindings.target!.ip}) that gets an answer.\n`, stderr: '' });
    expect(await run('check nosuch')).toEqual(usage('check: no task named "nosuch"; tasks: ip, ping, pick\n'));
  });

  it('hint: one at a time, with its cost, then no more', async () => {
    expect(await run('hint')).toEqual(ok('  ip: 0 of 2 hints taken\n'));
    expect(await run('hint ip')).toEqual(ok('Hint 1 of 2: One.\n(-2 points; this task now earns at most 8)\n'));
    expect(await run('hint ip')).toEqual(ok('Hint 1 of 2: One.\nHint 2 of 2: Two.\n(-1 point; this task now earns at most 7)\n'));
    expect(await run('hint ip')).toEqual(ok('Hint 1 of 2: One.\nHint 2 of 2: Two.\n(no more hints)\n'));
    expect(await run('hint ping')).toEqual(usage('hint: task ping has no hints (its solution can be shown with: solution ping)\n'));
    expect(await run('hint')).toEqual(ok('  ip: 2 of 2 hints taken\n'));
  });

  it('solution: asks for --yes while it costs points, then shows the text and the commands', async () => {
    expect(await run('solution ip')).toEqual({ status: 1, stdout: 'Showing the solution of ip costs its 7 points. To see it: solution ip --yes\n', stderr: '' });
    expect(session.tasks()[0]!.solution.shown).toBeUndefined();
    expect(await run('solution ip --force')).toEqual(usage('solution: unknown option --force\nUsage: solution TASK [--yes]\n'));
    expect(await run('solution')).toEqual(usage('solution: missing TASK\nUsage: solution TASK [--yes]\n'));
    const shown = ok(`It is \`${session.bindings.target!.ip}\`.\n  $ answer ip ${session.bindings.target!.ip}\n`);
    expect(await run('solution ip --yes')).toEqual(shown);
    expect(await run('solution ip')).toEqual(shown);
  });

  it('tasks: the list with marks and the score', async () => {
    await run(`kubectl exec client -- ping -c 1 ${session.bindings.target!.ip}`);
    expect(await run('answer pick a')).toEqual(ok('pick: correct.\n'));
    expect(await run('tasks')).toEqual(ok('[!] ip    Task ip\n[x] ping  Task ping 10/10\n[x] pick  Task pick 10/10\nscore 20/30, 2 hints taken (-3), 1 solution shown\n'));
    expect(await run('tasks x')).toEqual(usage('tasks: too many arguments\nUsage: tasks\n'));
    expect(await run('check')).toEqual(ok('Nothing to check: every open task that is graded from the sandbox has passed.\n'));
    expect(await run('check ping')).toEqual(ok('ping: passed.\n'));
  });

  it('exist on the workstation and the nodes, not in pods', async () => {
    expect((await run('kubectl exec client -- tasks')).stderr).toContain('exec: "tasks": executable file not found in $PATH');
    await run('ssh node-2');
    expect((await run('tasks')).status).toBe(0);
    await run('exit');
  });

  it('do not exist in a playground', async () => {
    const { run: r } = await openSession({ lab: defineLab({ id: 'fixture-playground', title: 'Fixture: playground', summary: 'No tasks.' }) });
    expect(await r('tasks')).toEqual({ status: 127, stdout: '', stderr: 'bash: tasks: command not found\n' });
  });
});

/** The 16-bit ones' complement sum of `b` (RFC 1071): 0xffff over a header with a valid checksum. */
function onesComplementSum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
