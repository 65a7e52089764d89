import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { LabSession } from '../../labs/session';
import { ScriptClock } from '../../labs/transcript';
import { labSession, playgroundSession } from '../../../tests/support/session';

async function run(session: LabSession, line: string): Promise<{ out: string; status: number }> {
  let out = '';
  const sink = { write: (t: string) => void (out += t) };
  const status = await session.run(line, sink, sink);
  return { out, status };
}

const clock = (): ScriptClock => new ScriptClock(REFERENCE_TIME, 60_000);

/** The `link/ether` line's peer namespace tail of each veth, by device name. */
function peerTails(out: string): Record<string, string> {
  const tails: Record<string, string> = {};
  const lines = out.split('\n');
  lines.forEach((l, i) => {
    const m = /^\d+: ([^@:]+)@/.exec(l);
    if (m) tails[m[1]!] = / (link-netns(?:id)? \S+)$/.exec(lines[i + 1] ?? '')?.[1] ?? '';
  });
  return tails;
}

describe('ip link: the namespace at the other end of a veth', () => {
  it('a Docker host shows link-netnsid N, numbered in the order its containers started', async () => {
    const s = await playgroundSession({ topology: 'docker', seed: 1, scheduler: clock() });
    await run(s, 'ssh host-1');
    await run(s, 'docker run -d --name web nginx');
    await run(s, 'docker run -d --name c1 busybox sleep 3600');
    const h = s.sim.state.docker!.hosts['host-1']!;
    const [web, c1] = [h.containers.find((c) => c.name === 'web')!, h.containers.find((c) => c.name === 'c1')!];
    const link = await run(s, 'ip link');
    expect(peerTails(link.out)).toEqual({ [web.hostVeth]: 'link-netnsid 0', [c1.hostVeth]: 'link-netnsid 1' });
    expect(peerTails((await run(s, 'ip addr')).out)).toEqual({ [web.hostVeth]: 'link-netnsid 0', [c1.hostVeth]: 'link-netnsid 1' });
    // Docker's namespaces live under /var/run/docker/netns, so `ip netns` knows none of them.
    expect(await run(s, 'ip netns')).toEqual({ out: '', status: 0 });
    await run(s, 'docker run -itd --name n1 nicolaka/netshoot');
    expect(peerTails((await run(s, 'docker exec n1 ip link')).out)).toEqual({ eth0: 'link-netnsid 0' });
  });

  it('a Kubernetes node names containerd\'s cni- namespaces, and a pod sees its node as id 0', async () => {
    const s = await playgroundSession({ topology: 'kubernetes-netshoot', seed: 3, scheduler: clock() });
    await run(s, 'ssh node-1');
    const tails = Object.values(peerTails((await run(s, 'ip link')).out));
    expect(tails.length).toBeGreaterThan(0);
    for (const t of tails) expect(t).toMatch(/^link-netns cni-[0-9a-f-]{36}$/);
    await run(s, 'exit');
    expect(peerTails((await run(s, 'kubectl exec netshoot -- ip link')).out)).toEqual({ eth0: 'link-netnsid 0' });
  });
});

describe('ip usage', () => {
  it('prints the usage on stderr and exits 255 for a bare ip and for ip help, as iproute2 does', async () => {
    const s = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock() });
    await run(s, 'ssh node-1');
    for (const line of ['ip', 'ip help']) {
      const r = await run(s, line);
      expect(r.status, line).toBe(255);
      expect(r.out.startsWith('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }'), line).toBe(true);
    }
  });
});

describe('ip -br and ip link show type', () => {
  it('prints the brief columns, filters by kind and names the link mode only under ip link', async () => {
    const s = await playgroundSession({ topology: 'kubernetes-web', seed: 1, scheduler: clock() });
    await run(s, 'ssh node-1');
    const addr = (await run(s, 'ip -br addr')).out.split('\n');
    // IPv4 addresses, then the IPv6 ones (lo's ::1, the link-local addresses).
    expect(addr[0]).toBe('lo               UNKNOWN        127.0.0.1/8 ::1/128 ');
    expect(addr.find((l) => l.startsWith('eth0 '))).toMatch(/^eth0 {13}UP {13}192\.168\.49\.3\/24 fe80::[0-9a-f:]+\/64 $/);
    expect(addr.find((l) => l.startsWith('cni0 '))).toMatch(/^cni0 {13}UP {13}10\.244\.1\.1\/24 fe80::[0-9a-f:]+\/64 $/);
    // A pod's veth: its name with the peer's index, no IPv4 address, padded to 16 like the others.
    expect(addr.find((l) => l.startsWith('veth'))).toMatch(/^veth[0-9a-f]{8}@if\d +UP {13}fe80::[0-9a-f:]+\/64 $/);
    const link = (await run(s, 'ip -br link show type bridge')).out;
    expect(link).toMatch(/^cni0 {13}UP {13}([0-9a-f]{2}:){5}[0-9a-f]{2} <BROADCAST,MULTICAST,UP,LOWER_UP> \n$/);
    const veths = (await run(s, 'ip link show type veth')).out.split('\n').filter((l) => /^\d+: /.test(l));
    expect(veths.length).toBeGreaterThan(0);
    expect(veths.every((l) => / master cni0 state UP mode DEFAULT group default qlen 1000$/.test(l))).toBe(true);
    expect((await run(s, 'ip addr show dev eth0')).out).not.toContain('mode DEFAULT');
    expect(await run(s, 'ip link show type bogus')).toEqual({ out: '', status: 0 });
    expect((await run(s, 'ip -Z link')).status).toBe(255);
  });

  it('leaves the dev column out of routes and neighbours under a dev filter', async () => {
    const s = await playgroundSession({ topology: 'kubernetes', seed: 1, scheduler: clock() });
    await run(s, 'ssh node-1');
    expect((await run(s, 'ip route show dev eth0')).out).toBe('default via 192.168.49.1 \n192.168.49.0/24 proto kernel scope link src 192.168.49.3 \n');
    expect((await run(s, 'ip route')).out).toContain('default via 192.168.49.1 dev eth0 \n');
    expect((await run(s, 'ip neigh show dev flannel.1')).out).toMatch(/^10\.244\.0\.0 lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2} PERMANENT \n/);
  });
});
