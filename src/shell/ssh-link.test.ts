import { describe, expect, it } from 'vitest';
import { openSession } from '../../tests/support/session';
import { machineRoot } from '../sim/linux/named-netns';
import { networkChanged, networkGeneration } from './ssh-link';

describe('an ssh session the network no longer carries', () => {
  it('shows nothing after eth0 goes down, until ~. closes it with OpenSSH\'s words and status 255', async () => {
    const t = await openSession({ topology: 'kubernetes', seed: 1 });
    await t.run('ssh node-1');
    expect(t.session.prompt()).toBe('root@node-1:~# ');
    expect(await t.run('ip link set eth0 down')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(t.session.prompt()).toBe('');
    expect(await t.run('hostname')).toMatchObject({ stdout: '', stderr: '' });
    expect(await t.run('ip link set eth0 up')).toMatchObject({ stdout: '', stderr: '' });
    // The command never reached the node: eth0 is still down there.
    expect(machineRoot(t.session.sim.state.netns, 'node-1')!.devices.find((d) => d.name === 'eth0')!.up).toBe(false);
    expect(await t.run('~.')).toEqual({ stdout: '', stderr: 'Connection to node-1 closed.\n', status: 255 });
    expect(t.session.prompt()).toBe('learner@workstation:~$ ');
    expect((await t.run('echo $?')).stdout).toBe('255\n');
  });

  it('hangs when the route back to the workstation goes, and carries on when the path comes back', async () => {
    const t = await openSession({ topology: 'routed', seed: 1 });
    await t.run('ssh host-2');
    await t.run('ip route del default');
    expect(t.session.prompt()).toBe('');
    const ns = machineRoot(t.session.sim.state.netns, 'host-2')!;
    // Made good from elsewhere (the console, another terminal), the session's next line runs.
    ns.routes.push({ dst: { addr: 0, len: 0 }, via: 0xc0a80201, dev: 'eth0' });
    networkChanged(t.session.sim.state);
    expect(t.session.prompt()).toBe('root@host-2:~# ');
    expect((await t.run('hostname')).stdout).toBe('host-2\n');
  });

  it('asks again only after a command that can change the network', async () => {
    const t = await openSession({ topology: 'routed', seed: 1 });
    await t.run('ssh host-2');
    const ns = machineRoot(t.session.sim.state.netns, 'host-2')!;
    const saved = ns.routes;
    ns.routes = ns.routes.filter((r) => r.dst.len !== 0);
    // Not through a command: the verdict made at login stands.
    expect(t.session.prompt()).toBe('root@host-2:~# ');
    ns.routes = saved;
    await t.run('ip route del default');
    expect(t.session.prompt()).toBe('');
  });

  it('asks without changing the sandbox', async () => {
    const t = await openSession({ topology: 'kubernetes', seed: 1 });
    await t.run('ssh node-1');
    const before = JSON.stringify(t.session.sim.state);
    for (let i = 0; i < 3; i++) t.session.prompt();
    expect(JSON.stringify(t.session.sim.state)).toBe(before);
  });

  it('counts a command as a change by its arguments: listings keep the verdict, writes renew it', async () => {
    const t = await openSession({ topology: 'routed', seed: 1 });
    await t.run('ssh router-1');
    const state = t.session.sim.state;
    const after = async (line: string): Promise<boolean> => {
      const gen = networkGeneration(state);
      await t.run(line);
      return networkGeneration(state) !== gen;
    };
    for (const read of ['ip route', 'ip r', 'ip -s link show eth0', 'ip -n lan1 addr', 'ip route get 192.168.2.10', 'ip netns', 'bridge fdb show', 'iptables -t nat -L -n', 'iptables -S', 'iptables -nvL', 'sysctl net.ipv4.ip_forward', 'systemctl status kubelet', 'conntrack -L']) {
      expect(await after(read), read).toBe(false);
    }
    for (const write of ['ip route add 10.9.0.0/16 via 10.0.0.2', 'ip r d 10.9.0.0/16', 'ip link set eth1 mtu 1500', 'ip neigh flush dev eth1', 'iptables -A FORWARD -p icmp -j ACCEPT', 'iptables -D FORWARD 1', 'iptables -Z', 'sysctl -w net.ipv4.ip_forward=1', 'echo 1']) {
      expect(await after(write), write).toBe(true);
    }
  });
});
