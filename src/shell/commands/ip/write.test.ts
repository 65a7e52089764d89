/**
 * `ip`, `bridge` and `nsenter` changing a machine, compared with iproute2 6.1 and util-linux run
 * in scratch network namespaces (docs/reference/fidelity.md section 27): the words and statuses
 * of every refusal, and what each change does to what `ip` then shows and to the packets.
 */
import { describe, expect, it } from 'vitest';
import { openSession, type TestSession } from '../../../../tests/support/session';

/** A Docker host's root shell, with a fresh namespace `t` to work in. */
async function host(): Promise<TestSession> {
  const t = await openSession({ topology: 'docker', seed: 1 });
  await t.run('ssh host-1');
  await t.run('ip netns add t');
  return t;
}

const err = (stderr: string, status: number): { stderr: string; status: number } => ({ stderr, status });
const pick = (r: { stderr: string; status: number }): { stderr: string; status: number } => ({ stderr: r.stderr, status: r.status });

describe('ip link', () => {
  it('adds veth pairs, bridges, vxlan and dummy devices, down and with qdisc noop until first up', async () => {
    const t = await host();
    expect(pick(await t.run('ip -n t link add v0 type veth peer name v1'))).toEqual(err('', 0));
    expect(pick(await t.run('ip -n t link add v0 type veth peer name v2'))).toEqual(err('RTNETLINK answers: File exists\n', 2));
    expect(pick(await t.run('ip -n t link add v0123456789abcdef type veth peer name x'))).toEqual(err('Error: Attribute failed policy validation.\n', 2));
    expect(pick(await t.run('ip -n t link add d9'))).toEqual(err('Not enough information: "type" argument is required\n', 1));
    expect(pick(await t.run('ip -n t link add d9 type bogus'))).toEqual(err('Error: Unknown device type.\n', 2));
    const link = (await t.run('ip -n t link')).stdout.split('\n');
    // The peer is registered first; both ends name each other in one namespace, M-DOWN while the other is down.
    expect(link[2]).toBe('2: v1@v0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000');
    expect(link[4]).toBe('3: v0@v1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000');
    const vx = await t.run('ip -n t link add vx0 type vxlan id 42');
    expect(vx.stderr).toBe("vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\nUse 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message\n");
    expect(pick(await t.run('ip -n t link add vx1 type vxlan id 42 dstport 8472'))).toEqual(err('Error: A VXLAN device with the specified VNI already exists.\n', 2));
    expect(pick(await t.run('ip -n t link add vx1 type vxlan dstport 8472'))).toEqual(err('vxlan: missing virtual network identifier\n', 1));
    expect(pick(await t.run('ip -n t link add vx1 type vxlan id 16777216 dstport 8472'))).toEqual(err('Error: argument "16777216" is wrong: invalid id\n', 255));
    await t.run('ip -n t link add d0 type dummy');
    await t.run('ip -n t link set d0 up');
    expect((await t.run('ip -n t link show d0')).stdout.split('\n')[0]).toBe('5: d0: <BROADCAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000');
  });

  it('shows a veth whose peer is down as NO-CARRIER and LOWERLAYERDOWN, and both UP once the peer is', async () => {
    const t = await host();
    await t.run('ip -n t link add v0 type veth peer name v1');
    await t.run('ip -n t link set v0 up');
    expect((await t.run('ip -n t link show v0')).stdout.split('\n')[0]).toBe('3: v0@v1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000');
    await t.run('ip -n t link set v1 up');
    expect((await t.run('ip -n t link show v0')).stdout.split('\n')[0]).toBe('3: v0@v1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000');
    // Once up with carrier, a link-local address from the MAC (U/L bit flipped, ff:fe inserted).
    const addr = (await t.run('ip -n t addr show v0')).stdout;
    const mac = /link\/ether (\S+)/.exec(addr)![1]!.split(':').map((h) => parseInt(h, 16));
    const ll = `fe80::${((mac[0]! ^ 2) * 256 + mac[1]!).toString(16)}:${mac[2]!.toString(16)}ff:fe${mac[3]!.toString(16).padStart(2, '0')}:${(mac[4]! * 256 + mac[5]!).toString(16)}`;
    expect(addr).toContain(`    inet6 ${ll}/64 scope link \n       valid_lft forever preferred_lft forever\n`);
    await t.run('ip -n t link set v0 down');
    expect((await t.run('ip -n t addr show v0')).stdout).not.toContain('inet6');
  });

  it('deletes every route through a device that goes down and flushes its neighbours; up brings back only the connected route', async () => {
    const t = await host();
    for (const c of ['link add v0 type veth peer name v1', 'link set v0 up', 'link set v1 up', 'addr add 10.0.0.1/24 dev v0', 'route add default via 10.0.0.254', 'route add 10.9.0.0/16 via 10.5.5.5 dev v0 onlink', 'neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev v0', 'route add blackhole 10.12.0.0/16']) {
      expect((await t.run(`ip -n t ${c}`)).status, c).toBe(0);
    }
    await t.run('ip -n t link set v0 down');
    expect((await t.run('ip -n t route')).stdout).toBe('blackhole 10.12.0.0/16 \n');
    expect((await t.run('ip -n t neigh')).stdout).toBe('');
    // Its addresses stay.
    expect((await t.run('ip -n t -br addr show v0')).stdout).toBe('v0@v1            DOWN           10.0.0.1/24 \n');
    await t.run('ip -n t link set v0 up');
    expect((await t.run('ip -n t route')).stdout).toBe('10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 \nblackhole 10.12.0.0/16 \n');
  });

  it('flushes all but the permanent neighbours of a link that loses its carrier, and keeps its routes as linkdown', async () => {
    const t = await host();
    for (const c of ['link add v0 type veth peer name v1', 'link set v0 up', 'link set v1 up', 'addr add 10.0.0.1/24 dev v0', 'neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev v0 nud reachable', 'neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev v0', 'route add 10.9.0.0/16 via 10.0.0.5']) {
      expect((await t.run(`ip -n t ${c}`)).status, c).toBe(0);
    }
    await t.run('ip -n t link set v1 down');
    expect((await t.run('ip -n t neigh')).stdout).toBe('10.0.0.6 dev v0 lladdr 02:00:00:00:00:06 PERMANENT \n');
    expect((await t.run('ip -n t route')).stdout).toBe('10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 linkdown \n10.9.0.0/16 via 10.0.0.5 dev v0 linkdown \n');
  });

  it('refuses what the kernel refuses, with its words', async () => {
    const t = await host();
    await t.run('ip -n t link add v0 type veth peer name v1');
    await t.run('ip -n t link add br0 type bridge');
    expect(pick(await t.run('ip -n t link set v0 master v1'))).toEqual(err('RTNETLINK answers: Operation not supported\n', 2));
    expect(pick(await t.run('ip -n t link set v0 master nope'))).toEqual(err('Error: argument "nope" is wrong: Device does not exist\n\n', 255));
    expect(pick(await t.run('ip -n t link set br0 master br0'))).toEqual(err('Error: Can not enslave a bridge to a bridge.\n', 2));
    expect(pick(await t.run('ip -n t link set lo master br0'))).toEqual(err('RTNETLINK answers: Invalid argument\n', 2));
    expect(pick(await t.run('ip -n t link set nope up'))).toEqual(err('Cannot find device "nope"\n', 1));
    expect(pick(await t.run('ip -n t link set v0 mtu 70000'))).toEqual(err('Error: mtu greater than device maximum.\n', 2));
    expect(pick(await t.run('ip -n t link set v0 mtu 50'))).toEqual(err('Error: mtu less than device minimum.\n', 2));
    expect(pick(await t.run('ip -n t link set v0 mtu abc'))).toEqual(err('Error: argument "abc" is wrong: Invalid "mtu" value\n\n', 255));
    expect(pick(await t.run('ip -n t link set v0 name v1'))).toEqual(err('RTNETLINK answers: File exists\n', 2));
    expect(pick(await t.run('ip -n t link set v0 name 01234567890123456'))).toEqual(err('Error: argument "01234567890123456" is wrong: "name" not a valid ifname\n', 255));
    expect(pick(await t.run('ip -n t link set v0 address 01:aa:bb:cc:dd:ee'))).toEqual(err('RTNETLINK answers: Cannot assign requested address\n', 2));
    expect(pick(await t.run('ip -n t link set v0 address zz'))).toEqual(err('"zz" is invalid lladdr.\n', 1));
    expect(pick(await t.run('ip -n t link set v0 address 02:aa:bb:cc:dd'))).toEqual(err('Invalid address length 5 - must be 6 bytes\n', 1));
    expect(pick(await t.run('ip -n t link set v0 netns nope'))).toEqual(err('Error: argument "nope" is wrong: Invalid "netns" value\n\n', 255));
    expect(pick(await t.run('ip -n t link set v0 bogus'))).toEqual(err('Error: either "dev" is duplicate, or "bogus" is a garbage.\n', 255));
    expect(pick(await t.run('ip -n t link set br0 netns 1'))).toEqual(err('Error: The interface netns is immutable.\n', 2));
    expect(pick(await t.run('ip -n t link del nope'))).toEqual(err('Cannot find device "nope"\n', 1));
    expect(pick(await t.run('ip -n t link del lo'))).toEqual(err('RTNETLINK answers: Operation not supported\n', 2));
    // Renaming works while up (Linux 6.2 and later).
    await t.run('ip -n t link set v0 up');
    expect(pick(await t.run('ip -n t link set v0 name v9'))).toEqual(err('', 0));
  });

  it('gives a bridge its lowest port MAC, carrier once a port forwards, and 00:00:00:00:00:00 without ports', async () => {
    const t = await host();
    for (const c of ['link add v0 type veth peer name v1', 'link add br0 type bridge', 'link set br0 up']) await t.run(`ip -n t ${c}`);
    // Never had a port: the carrier it was born with, state UNKNOWN.
    expect((await t.run('ip -n t link show br0')).stdout).toMatch(/^4: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN /);
    await t.run('ip -n t link set v1 master br0');
    const v1mac = /link\/ether (\S+)/.exec((await t.run('ip -n t link show v1')).stdout)![1]!;
    expect((await t.run('ip -n t link show br0')).stdout).toContain(`link/ether ${v1mac} brd`);
    expect((await t.run('ip -n t link show br0')).stdout).toMatch(/<NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN /);
    await t.run('ip -n t link set v1 up');
    await t.run('ip -n t link set v0 up');
    expect((await t.run('ip -n t link show br0')).stdout).toMatch(/<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP /);
    expect((await t.run('bridge -n t link')).stdout).toBe('2: v1@v0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n');
    await t.run('ip -n t link set v1 nomaster');
    expect((await t.run('ip -n t link show br0')).stdout).toBe('4: br0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\n    link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff\n');
  });

  it('moves a link to another namespace without its addresses, down, with its MAC; deleting one end deletes the other', async () => {
    const t = await host();
    await t.run('ip netns add u');
    for (const c of ['link add a type veth peer name b', 'link set a up', 'addr add 10.3.0.1/24 dev a']) await t.run(`ip -n t ${c}`);
    const mac = /link\/ether (\S+)/.exec((await t.run('ip -n t link show a')).stdout)![1]!;
    expect(pick(await t.run('ip -n t link set a netns u'))).toEqual(err('', 0));
    expect((await t.run('ip -n u addr show a')).stdout).toBe(`3: a@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether ${mac} brd ff:ff:ff:ff:ff:ff link-netns t\n`);
    expect((await t.run('ip -n t link show b')).stdout).toContain('2: b@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN');
    expect((await t.run('ip -n t route')).stdout).toBe('');
    await t.run('ip -n t link add a type veth peer name c');
    expect(pick(await t.run('ip -n t link set a netns u'))).toEqual(err('Error: An interface with the same name exists in the target netns.\n', 2));
    await t.run('ip -n u link del a');
    expect((await t.run('ip -n t -br link')).stdout.split('\n').map((l) => l.split(' ')[0])).toEqual(['lo', 'c@a', 'a@c', '']);
  });
});

describe('ip addr', () => {
  it('adds with or without a prefix route, marks secondaries, and refuses duplicates', async () => {
    const t = await host();
    await t.run('ip -n t link add v0 type veth peer name v1');
    expect(pick(await t.run('ip -n t addr add 10.0.0.1/24 dev v0'))).toEqual(err('', 0));
    expect(pick(await t.run('ip -n t addr add 10.0.0.1/24 dev v0'))).toEqual(err('Error: ipv4: Address already assigned.\n', 2));
    expect(pick(await t.run('ip -n t addr add 10.0.0.300/24 dev v0'))).toEqual(err('Error: any valid prefix is expected rather than "10.0.0.300/24".\n', 1));
    expect(pick(await t.run('ip -n t addr add 10.0.0.3/24 dev nope'))).toEqual(err('Cannot find device "nope"\n', 1));
    expect(pick(await t.run('ip -n t addr add 10.0.0.3/24'))).toEqual(err('Not enough information: "dev" argument is required.\n', 1));
    await t.run('ip -n t addr add 10.0.0.2/24 dev v0');
    await t.run('ip -n t addr add 10.0.1.1/24 brd + dev v0');
    expect((await t.run('ip -n t addr show v0')).stdout.split('\n').filter((l) => l.includes('inet '))).toEqual([
      '    inet 10.0.0.1/24 scope global v0',
      '    inet 10.0.1.1/24 brd 10.0.1.255 scope global v0',
      '    inet 10.0.0.2/24 scope global secondary v0',
    ]);
    // The device is down: no prefix route yet.
    expect((await t.run('ip -n t route')).stdout).toBe('');
    const del = await t.run('ip -n t addr del 10.0.0.9/24 dev v0');
    expect(pick(del)).toEqual(err('Error: ipv4: Address not found.\n', 2));
    const wild = await t.run('ip -n t addr del 10.0.0.1 dev v0');
    expect(wild.stderr).toBe('Warning: Executing wildcard deletion to stay compatible with old scripts.\n         Explicitly specify the prefix length (10.0.0.1/32) to avoid this warning.\n         This special behaviour is likely to disappear in further releases,\n         fix your scripts!\n');
    // A namespace made later does not promote secondaries: 10.0.0.2 went with its primary.
    expect((await t.run('ip -n t -br addr show v0')).stdout).toBe('v0@v1            DOWN           10.0.1.1/24 \n');
    expect(pick(await t.run('ip -n t addr flush'))).toEqual(err('Flush requires arguments.\n', 1));
    expect(pick(await t.run('ip -n t addr flush dev nope'))).toEqual(err('Device "nope" does not exist.\n', 1));
    await t.run('ip -n t addr flush dev v0');
    expect((await t.run('ip -n t -br addr show v0')).stdout).toBe('v0@v1            DOWN           \n');
  });

  it('flushing lo takes ::1 too, until lo next comes up', async () => {
    const t = await host();
    await t.run('ip -n t link set lo up');
    expect((await t.run('ip -n t -br addr show lo')).stdout).toBe('lo               UNKNOWN        127.0.0.1/8 ::1/128 \n');
    await t.run('ip -n t addr flush dev lo');
    expect((await t.run('ip -n t -br addr show lo')).stdout).toBe('lo               UNKNOWN        \n');
  });
});

describe('ip route', () => {
  it('checks gateways, devices and prefixes as the kernel does', async () => {
    const t = await host();
    for (const c of ['link add v0 type veth peer name v1', 'link add d1 type veth peer name d2', 'link set v0 up', 'link set v1 up', 'addr add 10.0.0.1/24 dev v0']) await t.run(`ip -n t ${c}`);
    expect(pick(await t.run('ip -n t route add default via 10.0.0.254'))).toEqual(err('', 0));
    expect(pick(await t.run('ip -n t route add default via 10.0.0.254'))).toEqual(err('RTNETLINK answers: File exists\n', 2));
    expect(pick(await t.run('ip -n t route add 10.9.0.0/16 via 10.5.5.5'))).toEqual(err('Error: Nexthop has invalid gateway.\n', 2));
    expect(pick(await t.run('ip -n t route add 10.9.0.0/16 via 10.0.0.7 dev v1'))).toEqual(err('Error: Nexthop has invalid gateway.\n', 2));
    expect(pick(await t.run('ip -n t route add 10.50.0.0/16 dev d1'))).toEqual(err('Error: Device for nexthop is not up.\n', 2));
    expect(pick(await t.run('ip -n t route add 10.50.0.0/16 via 10.0.0.1 dev d1 onlink'))).toEqual(err('Error: Nexthop device is not up.\n', 2));
    expect(pick(await t.run('ip -n t route add 10.81.0.0/24 via 10.70.0.5 onlink'))).toEqual(err('Error: Nexthop device required for onlink.\n', 2));
    expect(pick(await t.run('ip -n t route add 10.80.0.0/24'))).toEqual(err('RTNETLINK answers: No such device\n', 2));
    expect(pick(await t.run('ip -n t route add 10.16.0.0/16 dev v0 src 10.9.9.9'))).toEqual(err('Error: Invalid prefsrc address.\n', 2));
    expect(pick(await t.run('ip -n t route add 10.17.0.1/16 dev v0'))).toEqual(err('Error: Invalid prefix for given prefix length.\n', 2));
    expect(pick(await t.run('ip -n t route del 10.8.0.0/16'))).toEqual(err('RTNETLINK answers: No such process\n', 2));
    expect(pick(await t.run('ip -n t route change 10.99.0.0/16 via 10.0.0.6'))).toEqual(err('RTNETLINK answers: No such file or directory\n', 2));
    expect(pick(await t.run('ip -n t route add 10.92.0.0/24 dev v0 metric abc'))).toEqual(err('Error: argument "abc" is wrong: "metric" value is invalid\n\n', 255));
    expect(pick(await t.run('ip -n t route add 10.94.0.0/24 via 10.60.0.300'))).toEqual(err('Error: inet address is expected rather than "10.60.0.300".\n', 1));
    expect(pick(await t.run('ip -n t route add 10.95.0.0/24 dev v0 bogus'))).toEqual(err('Error: either "to" is duplicate, or "bogus" is a garbage.\n', 255));
    expect(pick(await t.run('ip -n t route flush'))).toEqual(err('"ip route flush" requires arguments.\n', 1));
    for (const c of ['route add 10.9.0.0/16 via 10.5.5.5 dev v0 onlink', 'route add 10.10.0.0/16 dev v0', 'route add blackhole 10.12.0.0/16', 'route add 10.13.0.0/16 via 10.0.0.5 metric 100', 'route add 10.14.0.0/16 via 10.0.0.5 proto static', 'route add 10.15.0.0/16 dev v0 scope link src 10.0.0.1', 'route replace 10.10.0.0/16 via 10.0.0.6']) {
      expect((await t.run(`ip -n t ${c}`)).status, c).toBe(0);
    }
    expect((await t.run('ip -n t route')).stdout).toBe(
      [
        'default via 10.0.0.254 dev v0 ',
        '10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 ',
        '10.9.0.0/16 via 10.5.5.5 dev v0 onlink ',
        '10.10.0.0/16 via 10.0.0.6 dev v0 ',
        'blackhole 10.12.0.0/16 ',
        '10.13.0.0/16 via 10.0.0.5 dev v0 metric 100 ',
        '10.14.0.0/16 via 10.0.0.5 dev v0 proto static ',
        '10.15.0.0/16 dev v0 scope link src 10.0.0.1 ',
        '',
      ].join('\n'),
    );
    expect((await t.run('ip -n t route get 10.10.1.1')).stdout).toBe('10.10.1.1 via 10.0.0.6 dev v0 src 10.0.0.1 uid 0 \n    cache \n');
    expect(pick(await t.run('ip -n t route get 10.12.1.1'))).toEqual(err('RTNETLINK answers: Invalid argument\n', 2));
    await t.run('ip -n t route flush proto static');
    expect((await t.run('ip -n t route show 10.14.0.0/16')).stdout).toBe('');
    // Deleting the address takes the routes that used it as source.
    await t.run('ip -n t addr del 10.0.0.1/24 dev v0');
    expect((await t.run('ip -n t route show dev v0')).stdout).toBe('default via 10.0.0.254 \n10.9.0.0/16 via 10.5.5.5 onlink \n10.10.0.0/16 via 10.0.0.6 \n10.13.0.0/16 via 10.0.0.5 metric 100 \n');
  });
});

describe('ip neigh', () => {
  it('adds, replaces and deletes entries, hides noarp ones and flushes all but permanent', async () => {
    const t = await host();
    await t.run('ip -n t link add v0 type veth peer name v1');
    expect(pick(await t.run('ip -n t neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev v0'))).toEqual(err('', 0));
    expect(pick(await t.run('ip -n t neigh add 10.0.0.50 lladdr 02:00:00:00:00:51 dev v0'))).toEqual(err('RTNETLINK answers: File exists\n', 2));
    expect(pick(await t.run('ip -n t neigh add 10.0.0.54 dev v0'))).toEqual(err('Error: No link layer address given.\n', 2));
    expect(pick(await t.run('ip -n t neigh add 10.0.0.55 lladdr zz dev v0'))).toEqual(err('"zz" is invalid lladdr.\n', 1));
    expect(pick(await t.run('ip -n t neigh add 10.0.0.56 lladdr 02:00:00:00:00:56'))).toEqual(err('Device and destination are required arguments.\n', 255));
    expect(pick(await t.run('ip -n t neigh change 10.0.0.77 lladdr 02:00:00:00:00:99 dev v0'))).toEqual(err('RTNETLINK answers: No such file or directory\n', 2));
    expect(pick(await t.run('ip -n t neigh del 10.0.0.77 dev v0'))).toEqual(err('RTNETLINK answers: No such file or directory\n', 2));
    expect(pick(await t.run('ip -n t neigh add 10.0.0.54 lladdr 02:00:00:00:00:54 dev v0 nud bogus'))).toEqual(err('Error: argument "bogus" is wrong: nud state is bad\n', 255));
    await t.run('ip -n t neigh add 10.0.0.51 lladdr 02:00:00:00:00:51 dev v0 nud reachable');
    await t.run('ip -n t neigh add 10.0.0.53 lladdr 02:00:00:00:00:53 dev v0 nud noarp');
    await t.run('ip -n t neigh replace 10.0.0.50 lladdr 02:00:00:00:00:99 dev v0');
    expect((await t.run('ip -n t neigh')).stdout).toBe('10.0.0.51 dev v0 lladdr 02:00:00:00:00:51 REACHABLE \n10.0.0.50 dev v0 lladdr 02:00:00:00:00:99 PERMANENT \n');
    expect(pick(await t.run('ip -n t neigh flush'))).toEqual(err('Flush requires arguments.\n', 1));
    await t.run('ip -n t neigh flush dev v0');
    expect((await t.run('ip -n t neigh')).stdout).toBe('10.0.0.50 dev v0 lladdr 02:00:00:00:00:99 PERMANENT \n');
    await t.run('ip -n t neigh flush nud permanent');
    expect((await t.run('ip -n t neigh')).stdout).toBe('');
  });
});

describe('ip netns and nsenter', () => {
  it('adds, lists, runs in and deletes namespaces with ip netns words', async () => {
    const t = await host();
    expect(pick(await t.run('ip netns add t'))).toEqual(err('Cannot create namespace file "/run/netns/t": File exists\n', 1));
    expect(pick(await t.run("ip netns add 'a/b'"))).toEqual(err('Invalid netns name "a/b"\n', 255));
    expect(pick(await t.run('ip netns del nope'))).toEqual(err('Cannot remove namespace file "/run/netns/nope": No such file or directory\n', 1));
    expect(pick(await t.run('ip netns exec nope true'))).toEqual(err('Cannot open network namespace "nope": No such file or directory\n', 255));
    expect(pick(await t.run('ip netns exec t'))).toEqual(err('No command specified\n', 1));
    expect(pick(await t.run('ip netns exec'))).toEqual(err('No netns name specified\n', 1));
    expect(pick(await t.run('ip netns exec t nosuchcmd'))).toEqual(err('exec of "nosuchcmd" failed: No such file or directory\n', 1));
    expect(pick(await t.run('ip netns exec t false'))).toEqual(err('', 1));
    expect(pick(await t.run('ip -n nope link'))).toEqual(err('Cannot open network namespace "nope": No such file or directory\n', 255));
    expect((await t.run('ip netns exec t ip netns identify')).stdout).toBe('t\n');
    expect((await t.run('ip netns identify')).stdout).toBe('');
    expect(pick(await t.run('ip netns identify abc'))).toEqual(err("Specified string 'abc' is not a pid\n", 1));
    // A new namespace: only lo, down, without an address.
    expect((await t.run('ip netns exec t ip addr')).stdout).toBe('1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n');
    expect((await t.run('ip netns')).stdout).toBe('t\n');
    await t.run('ip link add h type veth peer name n');
    await t.run('ip link set n netns t');
    expect((await t.run('ip netns')).stdout).toBe('t (id: 0)\n');
    await t.run('ip netns del t');
    expect((await t.run('ip netns')).stdout).toBe('');
    // The namespace's veth went, and its peer on the host with it.
    expect(pick(await t.run('ip link show h'))).toEqual(err('Device "h" does not exist.\n', 1));
  });

  it('nsenter enters a namespace by file or by a process, with util-linux words', async () => {
    const t = await host();
    expect((await t.run('nsenter --net=/var/run/netns/t ip netns identify')).stdout).toBe('t\n');
    expect((await t.run('nsenter -n/run/netns/t ip -br link')).stdout).toBe('lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \n');
    expect(pick(await t.run('nsenter --net=/var/run/netns/nope true'))).toEqual(err('nsenter: cannot open /var/run/netns/nope: No such file or directory\n', 1));
    expect(pick(await t.run('nsenter -t 999999 -n true'))).toEqual(err('nsenter: cannot open /proc/999999/ns/net: No such file or directory\n', 1));
    expect(pick(await t.run('nsenter -n true'))).toEqual(err('nsenter: neither filename nor target pid supplied for ns/net\n', 1));
    expect(pick(await t.run('nsenter --net=/var/run/netns/t nosuchcmd'))).toEqual(err('nsenter: failed to execute nosuchcmd: No such file or directory\n', 127));
    expect(pick(await t.run('nsenter --bogus'))).toEqual(err("nsenter: unrecognized option '--bogus'\nTry 'nsenter --help' for more information.\n", 1));
    expect(pick(await t.run('nsenter -t abc -n true'))).toEqual(err("nsenter: failed to parse pid: 'abc'\n", 1));
    expect(pick(await t.run('nsenter --net=/tmp true'))).toEqual(err("nsenter: reassociate to namespace 'ns/net' failed: Invalid argument\n", 1));
    // A container's main process: its namespace, as `docker inspect -f '{{.State.Pid}}'` names it.
    await t.run('docker run -d --name c1 busybox sleep 3600');
    const pid = (await t.run("docker inspect -f '{{.State.Pid}}' c1")).stdout.trim();
    expect((await t.run(`nsenter -t ${pid} -n ip -4 -br addr show eth0`)).stdout).toBe('eth0@if5         UP             172.17.0.2/16 \n');
    const key = (await t.run("docker inspect -f '{{.NetworkSettings.SandboxKey}}' c1")).stdout.trim();
    expect((await t.run(`nsenter --net=${key} ip -4 -br addr show eth0`)).stdout).toBe('eth0@if5         UP             172.17.0.2/16 \n');
    expect(pick(await t.run('nsenter --net=/proc/self/ns/net ip netns identify'))).toEqual(err('', 0));
  });

  it('leaves a container without IPv6 on its interfaces, lo keeping ::1', async () => {
    const t = await host();
    await t.run('docker run -d --name c1 busybox sleep 3600');
    const pid = (await t.run("docker inspect -f '{{.State.Pid}}' c1")).stdout.trim();
    expect((await t.run(`nsenter -t ${pid} -n ip -br addr`)).stdout).toBe('lo               UNKNOWN        127.0.0.1/8 ::1/128 \neth0@if5         UP             172.17.0.2/16 \n');
  });
});

describe('bridge fdb', () => {
  it('adds and deletes static entries on ports and remote VTEPs on a vxlan device', async () => {
    const t = await host();
    for (const c of ['ip -n t link add v0 type veth peer name v1', 'ip -n t link add br0 type bridge', 'ip -n t link set v1 master br0', 'ip -n t link add vx0 type vxlan id 7 remote 192.168.56.12 dev lo dstport 4789']) await t.run(c);
    expect(pick(await t.run('bridge -n t fdb add 02:00:00:00:00:01 dev v1 master static'))).toEqual(err('', 0));
    expect(pick(await t.run('bridge -n t fdb add 02:00:00:00:00:01 dev v1 master static'))).toEqual(err('RTNETLINK answers: File exists\n', 255));
    expect(pick(await t.run('bridge -n t fdb add 02:00:00:00:00:02 dev v1 master'))).toEqual(err('', 0));
    expect(pick(await t.run('bridge -n t fdb add 02:00:00:00:00:08 dev v0 master'))).toEqual(err('RTNETLINK answers: Operation not supported\n', 255));
    expect(pick(await t.run('bridge -n t fdb add 02:00:00:00:00:08 dev lo master'))).toEqual(err('Error: FDB add only supported for Ethernet devices.\n', 255));
    expect(pick(await t.run('bridge -n t fdb add 02:00:00:00:00:07 dev nope'))).toEqual(err('Cannot find device "nope"\n', 255));
    expect(pick(await t.run('bridge -n t fdb add zz dev v1'))).toEqual(err('Invalid mac address zz\n', 255));
    expect(pick(await t.run('bridge -n t fdb add 02:00:00:00:00:06 dev vx0'))).toEqual(err('RTNETLINK answers: Invalid argument\n', 255));
    expect(pick(await t.run('bridge -n t fdb add 02:00:00:00:00:05 dev vx0 dst 192.168.56.13'))).toEqual(err('', 0));
    expect(pick(await t.run('bridge -n t fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.56.14'))).toEqual(err('', 0));
    expect(pick(await t.run('bridge -n t fdb del 02:00:00:00:00:99 dev v1 master'))).toEqual(err('RTNETLINK answers: No such file or directory\n', 255));
    const v1 = /link\/ether (\S+)/.exec((await t.run('ip -n t link show v1')).stdout)![1]!;
    expect((await t.run('bridge -n t fdb show dev v1')).stdout).toBe(`02:00:00:00:00:02 master br0 permanent\n02:00:00:00:00:01 master br0 static\n${v1} vlan 1 master br0 permanent\n${v1} master br0 permanent\n`);
    expect((await t.run('bridge -n t fdb show dev vx0')).stdout).toBe('02:00:00:00:00:05 dst 192.168.56.13 self permanent\n00:00:00:00:00:00 dst 192.168.56.12 via lo self permanent\n00:00:00:00:00:00 dst 192.168.56.14 self permanent\n');
    await t.run('bridge -n t fdb del 02:00:00:00:00:01 dev v1 master');
    expect((await t.run('bridge -n t fdb show br br0')).stdout).toBe(`02:00:00:00:00:02 dev v1 master br0 permanent\n${v1} dev v1 vlan 1 master br0 permanent\n${v1} dev v1 master br0 permanent\n`);
  });
});

describe('who may change the network', () => {
  it('refuses the learner on the workstation and a pod without CAP_NET_ADMIN', async () => {
    const t = await openSession({ topology: 'kubernetes-netshoot', seed: 1 });
    expect(pick(await t.run('ip link set eth0 down'))).toEqual(err('RTNETLINK answers: Operation not permitted\n', 2));
    expect(pick(await t.run('ip route add 10.9.0.0/16 via 192.168.49.1'))).toEqual(err('RTNETLINK answers: Operation not permitted\n', 2));
    expect(pick(await t.run('kubectl exec netshoot -- ip link add v0 type veth peer name v1'))).toEqual(err('RTNETLINK answers: Operation not permitted\ncommand terminated with exit code 2\n', 2));
    expect(pick(await t.run('kubectl exec netshoot -- ip netns add x'))).toEqual(err('mount --make-shared /run/netns failed: Operation not permitted\ncommand terminated with exit code 1\n', 1));
    // Flushing: iproute2 dumps the entries, then its deletion requests are refused.
    await t.run('ping -c 1 192.168.49.1');
    expect(pick(await t.run('ip neigh flush dev eth0'))).toEqual(err('Failed to send flush request: Operation not permitted\n', 1));
  });
});
