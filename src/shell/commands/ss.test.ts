import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { LabSession } from '../../labs/session';
import { ScriptClock } from '../../labs/transcript';
import { newColumns, render, type Line } from './ss';
import { playgroundSession } from '../../../tests/support/session';

async function run(session: LabSession, line: string): Promise<{ out: string; status: number }> {
  let out = '';
  const sink = { write: (t: string) => void (out += t) };
  const status = await session.run(line, sink, sink);
  return { out, status };
}

async function session(): Promise<LabSession> {
  return playgroundSession({ topology: 'kubernetes-netshoot', seed: 3, scheduler: new ScriptClock(REFERENCE_TIME, 60_000) });
}

/** The netns name `ip netns` gives the pod `name` on its node, and that node. */
function podNetns(s: LabSession, name: string, namespace = 'default'): { node: string; netns: string } {
  const pod = s.sim.pod(namespace, name)!;
  return { node: pod.spec.nodeName!, netns: s.sim.podNetns(pod)!.name };
}

function webPod(s: LabSession): string {
  return Object.values(s.sim.state.k8s.pods).find((p) => p.metadata.name.startsWith('web-'))!.metadata.name;
}

describe('ss layout (misc/ss.c render)', () => {
  it('into a pipe, sizes each column to its longest field plus the one-space delimiter', async () => {
    const s = await session();
    await run(s, 'ssh node-1');
    const lines = (await run(s, 'ss -tln | cat')).out.split('\n');
    // iproute2 6.1 always has the Process column; with nothing in it the header runs on.
    expect(lines[0]).toBe('State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess');
    expect(lines[1]).toBe('LISTEN 0      4096   127.0.0.53%lo:53         0.0.0.0:*          ');
    expect(lines).toContain('LISTEN 0      4096               *:10250            *:*          ');
  });

  it('on a terminal spreads the spare width over the columns (80 columns)', async () => {
    const s = await session();
    await run(s, 'kubectl exec -it netshoot -- sh');
    const { out } = await run(s, 'ss -tlnp');
    expect(out).toBe('State   Recv-Q   Send-Q     Local Address:Port     Peer Address:Port  Process   \n');
    // The 6.15 build shows Process only with -p; Netid appears once two tables are listed.
    expect((await run(s, 'ss -tln')).out).toBe('State    Recv-Q    Send-Q       Local Address:Port         Peer Address:Port    \n');
    expect((await run(s, 'ss -tln | cat')).out).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:Port\n');
    expect((await run(s, 'ss -tuln | cat')).out).toBe('Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n');
  });

  it('wraps the Process column onto its own screen line when the table is wider than the terminal', async () => {
    const s = await session();
    await run(s, 'ssh node-1');
    const lines = (await run(s, 'ss -tlnp')).out.split('\n').filter((l) => l !== '');
    for (const l of lines) expect(l.length).toBe(160);
    expect(lines[0]!.slice(0, 80)).toBe('State     Recv-Q    Send-Q       Local Address:Port        Peer Address:Port    ');
    expect(lines[0]!.slice(80).trimEnd()).toBe('Process');
  });

  it('hides State for a single state and Netid for a single table', async () => {
    const s = await session();
    await run(s, 'ssh node-1');
    expect((await run(s, 'ss -u | cat')).out).toBe('Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    const udp = (await run(s, 'ss -uln | cat')).out.split('\n');
    expect(udp[0]).toBe('State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess');
    expect(udp).toContain('UNCONN 0      0            0.0.0.0:8472      0.0.0.0:*          ');
    const both = (await run(s, 'ss -tuln | cat')).out.split('\n');
    expect(both[0]!.startsWith('Netid State ')).toBe(true);
    // UDP sockets are listed before TCP ones.
    expect(both.findIndex((l) => l.startsWith('udp'))).toBeLessThan(both.findIndex((l) => l.startsWith('tcp')));
  });

  it('does not let the last field widen its column (it is never flushed), but pads it', () => {
    const cols = newColumns();
    cols[0]!.disabled = true;
    const row = (port: string, users: string): Line => [[1, 'LISTEN'], [2, '0     '], [3, '511   '], [4, '0.0.0.0:'], [5, port], [6, '0.0.0.0:'], [7, '*'], [8, users], [9, '']];
    const header: Line = [[1, 'State'], [2, 'Recv-Q'], [3, 'Send-Q'], [4, 'Local Address:'], [5, 'Port'], [6, 'Peer Address:'], [7, 'Port'], [8, 'Process'], [9, '']];
    const last = row('8080', ' users:(("a-much-longer-name",pid=2,fd=3))');
    last.pop(); // the buffer ends with the last socket's Process field
    const out = render(cols, [header, row('80', ' users:(("x",pid=1,fd=3))'), last], undefined).split('\n');
    expect(out[0]).toBe('State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess                  ');
    expect(out[1]).toBe('LISTEN 0      511          0.0.0.0:80        0.0.0.0:*    users:(("x",pid=1,fd=3))');
    expect(out[2]).toBe('LISTEN 0      511          0.0.0.0:8080      0.0.0.0:*    users:(("a-much-longer-name",pid=2,fd=3))');
    const shorter = row('8080', ' u');
    shorter.pop();
    expect(render(cols, [header, row('80', ' users:(("x",pid=1,fd=3))'), shorter], undefined).split('\n')[2]).toBe('LISTEN 0      511          0.0.0.0:8080      0.0.0.0:*    u' + ' '.repeat(23));
  });
});

describe('ss sockets', () => {
  it("lists a pod's listeners from the node's side with the host's pids (ip netns exec)", async () => {
    const s = await session();
    const web = webPod(s);
    const { node, netns } = podNetns(s, web);
    await run(s, `ssh ${node}`);
    const lines = (await run(s, `ip netns exec ${netns} ss -tlnp | cat`)).out.split('\n');
    expect(lines[1]).toMatch(/^LISTEN 0      511          0\.0\.0\.0:80        0\.0\.0\.0:\*    users:\(\("nginx",pid=(\d+),fd=6\),\("nginx",pid=\d+,fd=6\),\("nginx",pid=\d+,fd=6\)\)$/);
    expect(lines[2]).toMatch(/^LISTEN 0      511             \[::\]:80           \[::\]:\*    users:\(\("nginx",pid=\d+,fd=7\)/);
    const pids = [...lines[1]!.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    expect([...pids].sort((a, b) => b - a)).toEqual(pids); // highest pid first, the master last
  });

  it("lists CoreDNS's DNS and metrics sockets as Go's dual-stack sockets", async () => {
    const s = await session();
    const dns = Object.values(s.sim.state.k8s.pods).find((p) => p.metadata.name.startsWith('coredns-'))!;
    const { node, netns } = podNetns(s, dns.metadata.name, 'kube-system');
    await run(s, `ssh ${node}`);
    const out = (await run(s, `ip netns exec ${netns} ss -tuln | cat`)).out;
    expect(out.split('\n').map((l) => l.replace(/ +/g, ' '))).toEqual(['Netid State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess', 'udp UNCONN 0 0 *:53 *:* ', 'tcp LISTEN 0 4096 *:53 *:* ', 'tcp LISTEN 0 4096 *:9153 *:* ', '']);
    expect((await run(s, `ip netns exec ${netns} ss -4tln | cat`)).out.split('\n')).toHaveLength(2);
  });

  it('gives a node the kubeadm daemons, and the control plane its static pods', async () => {
    const s = await session();
    await run(s, 'ssh node-1');
    const worker = (await run(s, 'ss -tln | cat')).out;
    for (const a of ['127.0.0.1:10248 ', '127.0.0.1:10249 ', '*:10250 ', '*:10256 ', '*:22 ']) expect(worker).toContain(a);
    expect(worker).not.toContain(':6443');
    await run(s, 'exit');
    await run(s, 'ssh control-plane');
    const cp = (await run(s, 'ss -tln | cat')).out;
    const ip = s.sim.state.k8s.nodes['control-plane']!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    for (const a of ['*:6443 ', `${ip}:2379 `, `${ip}:2380 `, '127.0.0.1:2379 ', '127.0.0.1:10257 ', '127.0.0.1:10259 ']) expect(cp).toContain(a);
  });

  it('names well-known ports without -n, and filters by state and port', async () => {
    const s = await session();
    await run(s, 'ssh node-1');
    const named = (await run(s, 'ss -tl | cat')).out;
    expect(named).toContain('127.0.0.53%lo:domain');
    expect(named).toContain('*:ssh');
    expect(named).toContain('*:10250');
    expect((await run(s, 'ss -t | cat')).out).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    const one = (await run(s, 'ss -tn state listening sport = :10250 | cat')).out.split('\n');
    expect(one[0]).toBe('Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess');
    expect(one.slice(1, -1).map((l) => l.trim().split(/ +/)[2])).toEqual(['*:10250']);
    const range = (await run(s, "ss -tln '( sport >= :10248 and sport <= :10249 )' | cat")).out;
    expect(range.split('\n').filter((l) => l.startsWith('LISTEN'))).toHaveLength(2);
    expect((await run(s, 'ss -tlnp -H | cat')).out.split('\n')[0]).toMatch(/^LISTEN/);
  });
});

describe('ss errors', () => {
  it('prints glibc getopt errors and the usage on a node, exit 255, nothing changed', async () => {
    const s = await session();
    await run(s, 'ssh node-1');
    const before = JSON.stringify(s.sim.state);
    const bad = await run(s, 'ss -q');
    expect(bad.status).toBe(255);
    expect(bad.out.startsWith("ss: invalid option -- 'q'\nUsage: ss [ OPTIONS ]\n")).toBe(true);
    expect((await run(s, 'ss --bogus')).out.split('\n')[0]).toBe("ss: unrecognized option '--bogus'");
    expect((await run(s, 'ss -f')).out.split('\n')[0]).toBe("ss: option requires an argument -- 'f'");
    expect((await run(s, 'ss -f bogus')).out.split('\n')[0]).toBe('ss: "bogus" is invalid family');
    expect(await run(s, 'ss -t state nowhere')).toEqual({ out: 'ss: wrong state name: nowhere\n', status: 255 });
    expect((await run(s, 'ss -t sport =')).out.startsWith('ss: bison bellows (while parsing filter): "syntax error!"Usage: ss')).toBe(true);
    expect(await run(s, 'ss -T')).toMatchObject({ status: 255 });
    expect(JSON.stringify(s.sim.state)).toBe(before);
    const help = await run(s, 'ss -h');
    expect(help.status).toBe(0);
    expect(help.out).not.toContain('--threads');
    expect((await run(s, 'ss -V')).out).toBe('ss utility, iproute2-6.1.0\n');
  });

  it("prints musl's getopt errors in netshoot, whose build knows -Q", async () => {
    const s = await session();
    await run(s, 'kubectl exec -it netshoot -- sh');
    expect((await run(s, 'ss -q')).out.split('\n')[0]).toBe('ss: unrecognized option: q');
    expect((await run(s, 'ss --bogus')).out.split('\n')[0]).toBe('ss: unrecognized option: bogus');
    expect((await run(s, 'ss -h')).out).toContain('   -Q, --no-queues     Suppress sending and receiving queue columns\n');
    expect((await run(s, 'ss -tlnQ | cat')).out).toBe('State Local Address:Port Peer Address:Port\n');
  });
});

describe('prompts', () => {
  it("shows netshoot's working directory /root as ~ and busybox's / ", async () => {
    const s = await session();
    await run(s, 'kubectl exec -it netshoot -- sh');
    expect(s.prompt()).toBe('~ # ');
    await run(s, 'exit');
    await run(s, 'kubectl exec -it client -- sh');
    expect(s.prompt()).toBe('/ # ');
  });
});
