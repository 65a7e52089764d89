import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/clock';
import { buildRoutedNetwork, type RoutedSpec } from '../../sim/routed';
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


});
