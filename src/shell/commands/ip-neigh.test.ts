import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import type { LabSession } from '../../labs/session';
import { ScriptClock } from '../../labs/transcript';
import { ip } from '../../sim/ipv4';
import { leaveMesh } from '../../sim/mesh';
import { playgroundSession } from '../../../tests/support/session';

/**
 * `ip neigh` and busybox's `ip neigh` against the layouts iproute2 6.1 and busybox 1.36.1
 * print (docs/reference/fidelity.md, the neighbour table section): one entry in each state,
 * written straight into node-1's table with times relative to now.
 */

async function run(session: LabSession, line: string): Promise<{ out: string; status: number }> {
  let out = '';
  const sink = { write: (t: string) => void (out += t) };
  const status = await session.run(line, sink, sink);
  return { out, status };
}

async function node1(): Promise<LabSession> {
  const s = await playgroundSession({ topology: 'kubernetes', seed: 1, scheduler: new ScriptClock(REFERENCE_TIME, 60_000) });
  await run(s, 'ssh node-1');
  const ns = s.sim.state.netns['node/node-1']!;
  const now = s.sim.clock.now();
  const at = (sec: number): number => now - sec * 1000;
  // The table is replaced as a whole: flannel's entries, shared through the mesh, go too.
  leaveMesh(ns, s.sim.state);
  ns.neigh = [
    { ip: ip('192.168.49.1'), dev: 'eth0', mac: '02:00:00:00:00:01', state: 'REACHABLE', updated: at(3), confirmed: at(2), used: at(3), probes: 4 },
    { ip: ip('192.168.49.2'), dev: 'eth0', mac: '02:00:00:00:00:02', state: 'STALE', updated: at(4), confirmed: at(50), used: at(50), probes: 1 },
    { ip: ip('192.168.49.3'), dev: 'eth0', mac: '02:00:00:00:00:03', state: 'DELAY', updated: at(1), confirmed: at(70), used: at(1), probes: 4 },
    { ip: ip('192.168.49.4'), dev: 'eth0', mac: '02:00:00:00:00:04', state: 'PROBE', updated: at(1.5), confirmed: at(70), used: at(2), probes: 2 },
    { ip: ip('192.168.49.5'), dev: 'eth0', mac: '00:00:00:00:00:00', state: 'INCOMPLETE', updated: at(0), confirmed: at(60), used: at(0), probes: 4 },
    { ip: ip('192.168.49.6'), dev: 'eth0', mac: '02:00:00:00:00:06', state: 'FAILED', updated: at(10), confirmed: at(80), used: at(13), probes: 3 },
    { ip: ip('192.168.49.7'), dev: 'eth0', mac: '02:00:00:00:00:07', state: 'PERMANENT', updated: at(100), confirmed: at(100), used: at(100) },
    { ip: ip('192.168.49.8'), dev: 'eth0', mac: '02:00:00:00:00:08', state: 'NOARP', updated: at(100), confirmed: at(100), used: at(100) },
  ];
  return s;
}

describe('ip neigh (iproute2 6.1)', () => {
  it('prints each state as iproute2 does; NOARP only when asked', async () => {
    const s = await node1();
    expect((await run(s, 'ip neigh')).out).toBe(
      [
        '192.168.49.1 dev eth0 lladdr 02:00:00:00:00:01 REACHABLE ',
        '192.168.49.2 dev eth0 lladdr 02:00:00:00:00:02 STALE ',
        '192.168.49.3 dev eth0 lladdr 02:00:00:00:00:03 DELAY ',
        '192.168.49.4 dev eth0 lladdr 02:00:00:00:00:04 PROBE ',
        '192.168.49.5 dev eth0 INCOMPLETE ',
        '192.168.49.6 dev eth0 FAILED ',
        '192.168.49.7 dev eth0 lladdr 02:00:00:00:00:07 PERMANENT ',
        '',
      ].join('\n'),
    );
    expect((await run(s, 'ip n show nud noarp')).out).toBe('192.168.49.8 dev eth0 lladdr 02:00:00:00:00:08 NOARP \n');
    expect((await run(s, 'ip neigh show nud all')).out.split('\n')).toHaveLength(9);
    expect((await run(s, 'ip neigh list nud fail nud perm')).out).toBe('192.168.49.6 dev eth0 FAILED \n192.168.49.7 dev eth0 lladdr 02:00:00:00:00:07 PERMANENT \n');
  });

  it('-s adds the reference a running timer holds, the cache times and the probes', async () => {
    const s = await node1();
    expect((await run(s, 'ip -s neigh show dev eth0')).out).toBe(
      [
        '192.168.49.1 lladdr 02:00:00:00:00:01  ref 1 used 3/2/3probes 4 REACHABLE ',
        '192.168.49.2 lladdr 02:00:00:00:00:02  used 50/50/4probes 1 STALE ',
        '192.168.49.3 lladdr 02:00:00:00:00:03  ref 1 used 1/70/1probes 4 DELAY ',
        '192.168.49.4 lladdr 02:00:00:00:00:04  ref 1 used 2/70/1probes 2 PROBE ',
        '192.168.49.5  ref 1 used 0/60/0probes 4 INCOMPLETE ',
        '192.168.49.6  used 13/80/10probes 3 FAILED ',
        '192.168.49.7 lladdr 02:00:00:00:00:07  used 100/100/100probes 0 PERMANENT ',
        '',
      ].join('\n'),
    );
    expect((await run(s, 'ip -stats neigh show 192.168.49.6')).out).toBe('192.168.49.6 dev eth0  used 13/80/10probes 3 FAILED \n');
  });

  it('-br prints the brief columns, the address only where it is valid', async () => {
    const s = await node1();
    const out = (await run(s, 'ip -br neigh show to 192.168.49.4/31')).out;
    expect(out).toBe(`${'192.168.49.4'.padEnd(39)} ${'eth0'.padEnd(16)} 02:00:00:00:00:04\n${'192.168.49.5'.padEnd(39)} ${'eth0'.padEnd(16)} \n`);
  });

  it('filters by prefix, device and unused, and refuses what iproute2 refuses', async () => {
    const s = await node1();
    expect((await run(s, 'ip neigh show 192.168.49.2')).out).toBe('192.168.49.2 dev eth0 lladdr 02:00:00:00:00:02 STALE \n');
    expect((await run(s, 'ip neigh show 192.168')).out).toBe('');
    expect((await run(s, 'ip neigh show unused to 192.168.49.0/29')).out.split('\n').filter(Boolean).map((l) => l.split(' ')[0])).toEqual(['192.168.49.2', '192.168.49.6', '192.168.49.7']);
    expect((await run(s, 'ip neigh show dev lo')).out).toBe('');
    expect(await run(s, 'ip neigh show dev eth9')).toEqual({ out: 'Cannot find device "eth9"\n', status: 1 });
    expect(await run(s, 'ip neigh show dev eth0 dev eth0')).toEqual({ out: 'Error: duplicate "dev": "eth0" is the second value.\n', status: 255 });
    expect(await run(s, 'ip neigh show nud STALE')).toEqual({ out: 'Error: argument "STALE" is wrong: nud state is bad\n', status: 255 });
    expect(await run(s, 'ip neigh show nud del')).toEqual({ out: 'Error: argument "del" is wrong: nud state is bad\n', status: 255 });
    expect(await run(s, 'ip neigh show nud')).toEqual({ out: 'Command line is not complete. Try option "help"\n', status: 255 });
    expect(await run(s, 'ip neigh show 192.168.49.5/33')).toEqual({ out: 'Error: any valid prefix is expected rather than "192.168.49.5/33".\n', status: 1 });
    expect((await run(s, 'ip neigh show proxy')).out).toBe('');
    expect((await run(s, 'ip -s link')).status).toBe(255);
  });
});

describe("busybox's ip neigh", () => {
  it('always prints the statistics, with single spaces and nothing after the state', async () => {
    const s = await playgroundSession({ topology: 'kubernetes', seed: 1, scheduler: new ScriptClock(REFERENCE_TIME, 60_000) });
    await run(s, 'kubectl run client --image=busybox:1.36 -- sleep 3600');
    await run(s, 'sleep 10');
    const ns = s.sim.state.netns['pod/default/client']!;
    const now = s.sim.clock.now();
    ns.neigh = [
      { ip: ip('10.244.1.1'), dev: 'eth0', mac: '02:00:00:00:00:01', state: 'REACHABLE', updated: now - 2000, confirmed: now - 1000, used: now - 2000, probes: 1 },
      { ip: ip('10.244.1.9'), dev: 'eth0', mac: '02:00:00:00:00:09', state: 'FAILED', updated: now, confirmed: now - 63_000, used: now - 3000, probes: 6 },
    ];
    expect((await run(s, 'kubectl exec client -- ip neigh')).out).toBe('10.244.1.1 dev eth0 lladdr 02:00:00:00:00:01 ref 1 used 2/1/2 probes 1 REACHABLE\n10.244.1.9 dev eth0  used 3/63/0 probes 6 FAILED\n');
    expect((await run(s, 'kubectl exec client -- ip neigh show dev eth0')).out).toBe('10.244.1.1 lladdr 02:00:00:00:00:01 ref 1 used 2/1/2 probes 1 REACHABLE\n10.244.1.9  used 3/63/0 probes 6 FAILED\n');
  });
});
