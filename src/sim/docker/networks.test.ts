import { describe, it, expect } from 'vitest';
import { Sim } from '../sim';
import { VirtualClock } from '../clock';
import { buildDockerHosts, dockerConnect, dockerDisconnect, dockerHost, dockerProcessExited, dockerRun } from '../docker';
import { createNetwork, embeddedLookup, findNetwork, removeNetwork, containerResolvConf } from './networks';
import { embeddedAnswer } from './dns';
import { decodeDns, dnsQuery, encodeDns } from '../dns';
import { formatCidr, formatIp, ip } from '../ipv4';
import { formatTable } from '../netfilter';
import { deviceByName } from '../netns';
import type { SimState } from '../state';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);
const DATE = 'Fri Mar 14 09:30:00 2025';
const build = (seed = 7): SimState => buildDockerHosts({}, seed, T0);
const restore = (state: SimState): Sim => Sim.restore(state, new VirtualClock(T0 + 60_000));
const rulesOf = (state: SimState, table: 'nat' | 'filter'): string[] =>
  formatTable(state.netns['host/host-1']!.nf!, table, DATE)
    .split('\n')
    .filter((l) => l.startsWith('-A'));

describe('user-defined bridge networks', () => {
  it('take the next free /16 of the default pools after 172.17 and a br-<id12> bridge; a removed one frees its subnet', () => {
    const state = build();
    const h = dockerHost(state, 'host-1');
    const a = createNetwork(state, h, { name: 'alpine-net' }, T0);
    const b = createNetwork(state, h, { name: 'other' }, T0);
    expect(formatCidr(a.subnet)).toBe('172.18.0.0/16');
    expect(formatIp(a.gateway)).toBe('172.18.0.1');
    expect(formatCidr(b.subnet)).toBe('172.19.0.0/16');
    expect(a.id).toMatch(/^[0-9a-f]{64}$/);
    expect(a.bridge).toBe(`br-${a.id.slice(0, 12)}`);
    const host = state.netns[h.ns]!;
    expect(deviceByName(host, a.bridge)?.addrs.map((x) => `${formatIp(x.ip)}/${x.len}`)).toEqual(['172.18.0.1/16']);
    expect(host.routes.some((r) => r.dev === a.bridge && formatCidr(r.dst) === '172.18.0.0/16')).toBe(true);
    removeNetwork(state, h, a);
    expect(deviceByName(host, a.bridge)).toBeUndefined();
    expect(formatCidr(createNetwork(state, h, { name: 'third' }, T0).subnet)).toBe('172.18.0.0/16');
    expect(() => createNetwork(state, h, { name: 'other' }, T0)).toThrow('network with name other already exists');
    const c = createNetwork(state, h, { name: 'custom', subnet: '10.10.0.0/24', gateway: '10.10.0.254' }, T0);
    expect(formatIp(c.gateway)).toBe('10.10.0.254');
    expect(() => createNetwork(state, h, { name: 'clash', subnet: '10.10.0.0/16' }, T0)).toThrow('Pool overlaps with other one on this address space');
  });

  it('add the rules Docker 28 writes for a second bridge, and take them away on rm', () => {
    const state = build();
    const h = dockerHost(state, 'host-1');
    const before = { nat: rulesOf(state, 'nat'), filter: rulesOf(state, 'filter') };
    const n = createNetwork(state, h, { name: 'bridge1' }, T0);
    const br = n.bridge;
    expect(rulesOf(state, 'filter')).toEqual([
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j DOCKER-FORWARD',
      '-A DOCKER ! -i docker0 -o docker0 -j DROP',
      `-A DOCKER ! -i ${br} -o ${br} -j DROP`,
      '-A DOCKER-BRIDGE -o docker0 -j DOCKER',
      `-A DOCKER-BRIDGE -o ${br} -j DOCKER`,
      '-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      `-A DOCKER-CT -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      '-A DOCKER-FORWARD -j DOCKER-CT',
      '-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1',
      '-A DOCKER-FORWARD -j DOCKER-BRIDGE',
      '-A DOCKER-FORWARD -i docker0 -j ACCEPT',
      `-A DOCKER-FORWARD -i ${br} -j ACCEPT`,
      '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
      `-A DOCKER-ISOLATION-STAGE-1 -i ${br} ! -o ${br} -j DOCKER-ISOLATION-STAGE-2`,
      `-A DOCKER-ISOLATION-STAGE-2 -o ${br} -j DROP`,
      '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP',
      '-A DOCKER-USER -j RETURN',
    ]);
    expect(rulesOf(state, 'nat')).toEqual([
      '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
      `-A POSTROUTING -s 172.18.0.0/16 ! -o ${br} -j MASQUERADE`,
      '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
      `-A DOCKER -i ${br} -j RETURN`,
      '-A DOCKER -i docker0 -j RETURN',
    ]);
    removeNetwork(state, h, n);
    expect({ nat: rulesOf(state, 'nat'), filter: rulesOf(state, 'filter') }).toEqual(before);
  });

  it('refuse rm while containers are attached, in Docker 28 words; the default bridge cannot be removed', () => {
    const state = build();
    const h = dockerHost(state, 'host-1');
    const n = createNetwork(state, h, { name: 'alpine-net' }, T0);
    const c = dockerRun(state, 'host-1', { name: 'a1', image: 'alpine', cmd: ['ash'], openStdin: true, tty: true, network: 'alpine-net' }, T0);
    expect(() => removeNetwork(state, h, n)).toThrow(`error while removing network: network alpine-net has active endpoints (name:"a1" id:"${c.endpointId.slice(0, 12)}")`);
    expect(() => removeNetwork(state, h, h.network)).toThrow('bridge is a pre-defined network and cannot be removed');
    dockerProcessExited(state, 'host-1', 'a1', 137, T0);
    removeNetwork(state, h, n);
    expect(findNetwork(h, 'alpine-net')).toBeUndefined();
  });

  it('give containers addresses on their network, a second interface on connect, and take it away on disconnect', () => {
    const state = build();
    const h = dockerHost(state, 'host-1');
    createNetwork(state, h, { name: 'alpine-net' }, T0);
    const a1 = dockerRun(state, 'host-1', { name: 'a1', image: 'alpine', network: 'alpine-net' }, T0);
    const a4 = dockerRun(state, 'host-1', { name: 'a4', image: 'alpine', network: 'alpine-net', ip: '172.18.0.44' }, T0);
    expect(formatIp(a1.ip)).toBe('172.18.0.2');
    expect(formatIp(a4.ip)).toBe('172.18.0.44');
    const ns = state.netns[a4.ns]!;
    expect(ns.routes.find((r) => r.dst.len === 0)).toMatchObject({ via: ip('172.18.0.1'), dev: 'eth0' });
    dockerConnect(state, 'host-1', 'bridge', 'a4');
    expect(a4.endpoints.map((e) => `${e.ifname} ${formatIp(e.ip)}`)).toEqual(['eth0 172.18.0.44', 'eth1 172.17.0.2']);
    expect(deviceByName(ns, 'eth1')?.addrs.map((x) => formatIp(x.ip))).toEqual(['172.17.0.2']);
    // The host end is enslaved to docker0.
    const host = state.netns[h.ns]!;
    expect(host.devices.find((d) => d.name === a4.endpoints[1]!.hostVeth)?.master).toBe('docker0');
    expect(() => dockerConnect(state, 'host-1', 'bridge', 'a4')).toThrow('endpoint with name a4 already exists in network bridge');
    expect(() => dockerRun(state, 'host-1', { image: 'alpine', network: 'bridge', aliases: ['x'] }, T0)).toThrow('network-scoped aliases are only supported for user-defined networks');
    expect(() => dockerRun(state, 'host-1', { image: 'alpine', network: 'nope' }, T0)).toThrow('network nope not found');
    dockerDisconnect(state, 'host-1', 'bridge', 'a4');
    expect(deviceByName(ns, 'eth1')).toBeUndefined();
    expect(a4.endpoints).toHaveLength(1);
    expect(() => dockerDisconnect(state, 'host-1', 'bridge', 'a4')).toThrow(`container ${a4.id} is not connected to network bridge`);
  });

  it('are isolated from each other: the DOCKER-ISOLATION rules drop traffic between bridges, on every packet', () => {
    const state = build();
    const h = dockerHost(state, 'host-1');
    createNetwork(state, h, { name: 'alpine-net' }, T0);
    const a1 = dockerRun(state, 'host-1', { name: 'a1', image: 'alpine', network: 'alpine-net' }, T0);
    const a3 = dockerRun(state, 'host-1', { name: 'a3', image: 'alpine' }, T0);
    const sim = restore(state);
    for (const seq of [1, 2, 3]) {
      const r = sim.ping(a1.ns, a3.ip, { id: 7, seq });
      expect(r.outcome.kind).toBe('lost');
      const drop = r.trace.hops.find((x) => x.action === 'drop' || (x.action === 'filter' && !!x.rules?.some((t) => t.endsWith('-j DROP'))));
      expect(drop?.ns).toBe('host/host-1');
      expect(drop?.rules).toContain('-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP');
    }
    // A container on both networks reaches either side.
    const a4 = dockerRun(sim.state, 'host-1', { name: 'a4', image: 'alpine', network: 'alpine-net' }, T0);
    dockerConnect(sim.state, 'host-1', 'bridge', 'a4');
    expect(sim.ping(a4.ns, a3.ip, { id: 8, seq: 1 }).outcome.kind).toBe('reply');
    expect(sim.ping(a4.ns, a1.ip, { id: 8, seq: 2 }).outcome.kind).toBe('reply');
  });
});

describe('the embedded DNS server', () => {
  it('answers names and aliases of containers sharing a user-defined network, and nothing on the default bridge', () => {
    const state = build();
    const h = dockerHost(state, 'host-1');
    createNetwork(state, h, { name: 'alpine-net' }, T0);
    const a1 = dockerRun(state, 'host-1', { name: 'alpine1', image: 'alpine', network: 'alpine-net' }, T0);
    const a2 = dockerRun(state, 'host-1', { name: 'alpine2', image: 'alpine', network: 'alpine-net', aliases: ['db'] }, T0);
    dockerRun(state, 'host-1', { name: 'alpine3', image: 'alpine' }, T0);
    expect(embeddedLookup(h, a1, 'alpine2')).toEqual([a2.ip]);
    expect(embeddedLookup(h, a1, 'db')).toEqual([a2.ip]);
    expect(embeddedLookup(h, a1, a2.id.slice(0, 12))).toEqual([a2.ip]);
    expect(embeddedLookup(h, a1, 'alpine3')).toEqual([]);
    const upstream = embeddedAnswer(h, a1, dnsQuery(1, 'google.com', 'A'), (q) => ({ ...q, qr: true, rcode: 3 }));
    expect(upstream.rcode).toBe(3);
    expect(containerResolvConf(h, a1, ip('192.168.56.1'))).toContain('nameserver 127.0.0.11\noptions ndots:0\n');
    expect(containerResolvConf(h, a1, ip('192.168.56.1'))).toContain("# ExtServers: [host(192.168.56.1)]\n");
  });

  it('is reached on 127.0.0.11:53 through the DNAT rules in the container namespace', () => {
    const state = build();
    const h = dockerHost(state, 'host-1');
    createNetwork(state, h, { name: 'alpine-net' }, T0);
    const a1 = dockerRun(state, 'host-1', { name: 'alpine1', image: 'alpine', network: 'alpine-net' }, T0);
    const a2 = dockerRun(state, 'host-1', { name: 'alpine2', image: 'alpine', network: 'alpine-net' }, T0);
    const nat = formatTable(state.netns[a1.ns]!.nf!, 'nat', DATE).split('\n').filter((l) => l.startsWith('-A'));
    expect(nat).toEqual([
      '-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT',
      `-A DOCKER_OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:${a1.dnsPorts!.tcp}`,
      `-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:${a1.dnsPorts!.udp}`,
    ]);
    const sim = restore(state);
    const r = sim.udpRequest(a1.ns, ip('127.0.0.11'), 53, encodeDns(dnsQuery(9, 'alpine2', 'A')));
    expect(r.kind).toBe('reply');
    if (r.kind !== 'reply') return;
    const m = decodeDns(r.data);
    expect(m.answers).toEqual([expect.objectContaining({ type: 'A', address: a2.ip, ttl: 600 })]);
    expect(r.trace.hops.some((x) => x.action === 'dnat' && x.detail.includes(`127.0.0.11:53 -> 127.0.0.11:${a1.dnsPorts!.udp}`))).toBe(true);
  });
});

describe('older snapshots', () => {
  it('are upgraded on restore: every container on the default bridge with its one endpoint', () => {
    const state = build();
    const c = dockerRun(state, 'host-1', { name: 'old', image: 'alpine', cmd: ['sleep', '60'] }, T0);
    const h = dockerHost(state, 'host-1') as unknown as Record<string, unknown>;
    delete h.userNetworks;
    delete h.networkRuns;
    const old = c as unknown as Record<string, unknown>;
    for (const k of ['networkMode', 'networks', 'endpoints', 'connects']) delete old[k];
    const sim = restore(state);
    const again = dockerHost(sim.state, 'host-1');
    expect(again.userNetworks).toEqual([]);
    const c2 = again.containers[0]!;
    expect(c2.networks).toEqual([{ network: again.network.id, aliases: [] }]);
    expect(c2.endpoints).toEqual([{ network: again.network.id, ifname: 'eth0', ip: c.ip, mac: c.mac, hostVeth: c.hostVeth, endpointId: c.endpointId }]);
    dockerProcessExited(sim.state, 'host-1', 'old', 137, T0);
    expect(sim.state.netns[c2.ns]).toBeUndefined();
  });
});

describe('the internet beyond the LAN router', () => {
  it('answers pings for the upstream names through both masquerades; other public addresses are lost', () => {
    const state = build();
    const h = dockerHost(state, 'host-1');
    createNetwork(state, h, { name: 'alpine-net' }, T0);
    const a1 = dockerRun(state, 'host-1', { name: 'a1', image: 'alpine', network: 'alpine-net' }, T0);
    const sim = restore(state);
    const r = sim.ping(a1.ns, ip('192.0.2.14'), { id: 11, seq: 1 });
    expect(r.outcome).toMatchObject({ kind: 'reply', ttl: 62 });
    const snats = r.trace.hops.filter((x) => x.action === 'snat').map((x) => `${x.ns} ${formatIp(x.ip!.src)}`);
    expect(snats).toEqual(['host/host-1 192.168.56.11', 'router 198.51.100.2']);
    expect(r.trace.hops.some((x) => x.ns === 'internet' && x.action === 'reply')).toBe(true);
    expect(sim.ping(a1.ns, ip('8.8.8.8'), { id: 11, seq: 2 }).outcome.kind).toBe('lost');
  });
});
