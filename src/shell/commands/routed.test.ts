import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/clock';
import { buildRoutedNetwork, type RoutedSpec } from '../../sim/routed';
import type { Ipv4Packet, UdpDatagram } from '../../sim/packet';
import { Sim } from '../../sim/sim';
import { Shell } from '../shell';
import { createRegistry } from './index';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);

/** A shell on the workstation of the routed topology (two LANs, two routers). */
function setup(spec: RoutedSpec = {}) {
  const clock = new VirtualClock(T0);
  const sim = Sim.fromState(buildRoutedNetwork(spec, 1, T0 - 600_000), clock);
  const shell = new Shell({ sim, scheduler: clock, registry: createRegistry() });
  const run = async (line: string): Promise<{ out: string; err: string; status: number }> => {
    let out = '';
    let err = '';
    const status = await shell.run(line, { write: (t) => void (out += t) }, { write: (t) => void (err += t) });
    return { out, err, status };
  };
  return { sim, shell, run, clock };
}

describe('the shell on the routed topology', () => {
  it('ssh reaches a router on any of its interfaces, and only addresses somebody has', async () => {
    const { shell, run } = setup();
    expect((await run('ssh 10.0.0.2')).status).toBe(0);
    expect(shell.prompt()).toBe('root@router-2:~# ');
    expect((await run('hostname')).out).toBe('router-2\n');
    await run('exit');
    expect((await run('ssh root@192.168.2.1')).status).toBe(0);
    expect(shell.prompt()).toBe('root@router-2:~# ');
    await run('exit');
    // Nobody answers the router's ARP for it: the router reports the host unreachable.
    expect(await run('ssh 10.0.0.3')).toEqual({ out: '', err: 'ssh: connect to host 10.0.0.3 port 22: No route to host\n', status: 255 });
  });

  it('lists the routers and hosts for ssh completion, and calls them by name in help', async () => {
    const { shell, run } = setup({ hostsPerLan: 2 });
    expect(shell.complete('ssh ', 4).candidates).toEqual(expect.arrayContaining(['host-1', 'host-1b', 'host-2', 'host-2b', 'router-1', 'router-2']));
    await run('ssh router-1');
    expect((await run('help')).out).toMatch(/^Commands available on router-1:\n/);
  });

  it('kubectl finds no server on the workstation, and does not exist on the routers', async () => {
    const { run } = setup();
    expect(await run('kubectl get pods')).toEqual({ out: '', err: 'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n', status: 1 });
    await run('ssh router-1');
    expect(await run('kubectl get pods')).toEqual({ out: '', err: 'bash: kubectl: command not found\n', status: 127 });
    expect((await run('help')).out).not.toMatch(/\n {2}kubectl /);
  });

  it('traceroute sends each probe as Linux traceroute does: its own socket (port and IP id), no DF, data 0x40, 0x41, ...', async () => {
    const { sim, run } = setup();
    const probes: Ipv4Packet[] = [];
    sim.onTrace((t) => {
      // The probe as it left the workstation (the first probe waits for ARP first).
      const sent = t.captures.map((c) => c.frame.payload).find((p): p is Ipv4Packet => p.kind === 'ipv4' && p.payload.kind === 'udp' && p.src === 0xc0a80164);
      if (sent) probes.push(sent);
    });
    expect((await run('traceroute -n -q 2 192.168.2.10')).status).toBe(0);
    expect(probes.map((p) => [p.ttl, (p.payload as UdpDatagram).dstPort])).toEqual([[1, 33434], [1, 33435], [2, 33436], [2, 33437], [3, 33438], [3, 33439]]);
    expect(probes.every((p) => !p.df && !p.mf)).toBe(true);
    expect(new Set(probes.map((p) => (p.payload as UdpDatagram).srcPort)).size).toBe(6);
    expect(new Set(probes.map((p) => p.id)).size).toBe(6);
    const data = (probes[0]!.payload as UdpDatagram).payload as Uint8Array;
    expect([...data]).toEqual(Array.from({ length: 32 }, (_, i) => 0x40 + i));
  });

  it('ip route get shows the route taken and the path MTU learned from "fragmentation needed"', async () => {
    const { run } = setup({ transitMtu: 1400 });
    expect((await run('ip route get 192.168.2.10')).out).toBe('192.168.2.10 via 192.168.1.1 dev eth0 src 192.168.1.100 uid 1000 \n    cache \n');
    const ping = await run('ping -c 2 -M do -s 1472 192.168.2.10');
    expect(ping.out).toContain('From 192.168.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n');
    expect(ping.err).toBe('ping: local error: message too long, mtu=1400\n');
    expect((await run('ip route get 192.168.2.10')).out).toBe('192.168.2.10 via 192.168.1.1 dev eth0 src 192.168.1.100 uid 1000 \n    cache expires 598sec mtu 1400 \n');
    expect((await run('ip r g 192.168.1.10')).out).toBe('192.168.1.10 dev eth0 src 192.168.1.100 uid 1000 \n    cache \n');
    expect((await run('ip route get 192.168.1.100')).out).toBe('local 192.168.1.100 dev lo src 192.168.1.100 uid 1000 \n    cache <local> \n');
    expect((await run('ip route get 192.168.1.255')).out).toBe('broadcast 192.168.1.255 dev eth0 src 192.168.1.100 uid 1000 \n    cache <local,brd> \n');
    expect(await run('ip route get')).toEqual({ out: '', err: 'need at least a destination address\n', status: 1 });
    expect(await run('ip route get nowhere')).toEqual({ out: '', err: 'Error: any valid prefix is expected rather than "nowhere".\n', status: 1 });
    await run('ssh router-1');
    expect((await run('ip route get 192.168.2.10')).out).toBe('192.168.2.10 via 10.0.0.2 dev eth1 src 10.0.0.1 uid 0 \n    cache \n');
    expect(await run('ip route get 8.8.8.8')).toEqual({ out: '', err: 'RTNETLINK answers: Network is unreachable\n', status: 2 });
  });

  it('ping ends once every request is answered, an error being an answer', async () => {
    const { run, clock } = setup();
    const t0 = clock.now();
    const r = await run('ping -c 2 10.9.9.9');
    expect(r.out).toMatch(/^PING 10\.9\.9\.9 \(10\.9\.9\.9\) 56\(84\) bytes of data\.\nFrom 192\.168\.1\.1 icmp_seq=1 Destination Net Unreachable\nFrom 192\.168\.1\.1 icmp_seq=2 Destination Net Unreachable\n\n--- 10\.9\.9\.9 ping statistics ---\n2 packets transmitted, 0 received, \+2 errors, 100% packet loss, time 100\dms\n\n$/);
    // One second between the two requests, and no 10 s wait for a reply at the end.
    expect(clock.now() - t0).toBe(1000);
  });

  it('names fail as they do with a name server that refuses: a temporary failure', async () => {
    const { run } = setup();
    expect(await run('ping -c 1 host-2')).toEqual({ out: '', err: 'ping: host-2: Temporary failure in name resolution\n', status: 2 });
    expect((await run('traceroute host-2')).err).toBe('host-2: Temporary failure in name resolution\nCannot handle "host" cmdline arg `host-2\' on position 1 (argc 1)\n');
  });

  it('tcpdump -e on router-1 shows the MAC rewrite: new link addresses on each side, the same IP packet', async () => {
    const { sim, run, shell } = setup();
    const other = new Shell({ sim, scheduler: sim.clock as VirtualClock, registry: createRegistry() });
    await run('ssh router-1');
    const mac = (ns: string, dev: string): string => sim.state.netns[ns]!.devices.find((d) => d.name === dev)!.mac;
    let out = '';
    const capture = shell.run('tcpdump -e -n -i any icmp', { write: (t) => void (out += t) }, { write: () => undefined });
    await other.run('true', { write: () => undefined }, { write: () => undefined });
    await other.run('ping -c 1 192.168.2.10', { write: () => undefined }, { write: () => undefined });
    shell.interrupt();
    expect(await capture).toBe(0);
    const lines = out.trim().split('\n');
    const request = lines.filter((l) => l.includes('192.168.1.100 > 192.168.2.10: ICMP echo request'));
    expect(request).toHaveLength(2);
    expect(request[0]).toMatch(new RegExp(`^\\S+ eth0 +In +ifindex 2 ${mac('workstation', 'eth0')} ethertype IPv4 \\(0x0800\\), length 104: `));
    expect(request[1]).toMatch(new RegExp(`^\\S+ eth1 +Out +ifindex 3 ${mac('host/router-1', 'eth1')} ethertype IPv4 \\(0x0800\\), length 104: `));
  });
});
