import { describe, it, expect } from 'vitest';
import { Sim, type PingResult } from './sim';
import { VirtualClock } from './clock';
import {
  buildDockerHosts,
  containerNsId,
  dockerCreate,
  dockerHost,
  dockerProcessExited,
  dockerStart,
  localImage,
  mainProcess,
  runsNginx,
  parseImageRef,
  dockerHostNsId,
  dockerRm,
  dockerRun,
  findContainer,
  hasCarrier,
  routeLinkdown,
  type DockerContainer,
} from './docker';
import { findListener, listenersIn } from './apps';
import { inject, type TraceResult } from './forward';
import { formatIp, ip, type Ip } from './ipv4';
import { formatTable } from './netfilter';
import { deviceByIndex, deviceByName } from './netns';
import { ipv4, udp, type Ipv4Packet } from './packet';
import type { SimState } from './state';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);
const DATE = 'Fri Mar 14 09:30:00 2025';
const H1 = ip('192.168.56.11');
const H2 = ip('192.168.56.12');

const build = (seed = 7): SimState => buildDockerHosts({}, seed, T0);
const restore = (state: SimState): Sim => Sim.restore(state, new VirtualClock(T0 + 60_000));

let seq = 1;
const ping = (sim: Sim, from: string, to: Ip): PingResult => sim.ping(from, to, { id: 0x1234, seq: seq++ });

const replyTtl = (r: PingResult): number => {
  if (r.outcome.kind !== 'reply') throw new Error(`expected a reply, got ${JSON.stringify(r.outcome)}`);
  return r.outcome.ttl;
};

const hopsIn = (t: TraceResult, ns: string): TraceResult['hops'] => t.hops.filter((h) => h.ns === ns);

describe('buildDockerHosts', () => {
  const state = build();

  it('puts the hosts on 192.168.56.0/24 from .11 behind the router on .1', () => {
    expect(Object.keys(state.docker!.hosts)).toEqual(['host-1', 'host-2']);
    expect(formatIp(dockerHost(state, 'host-1').ip)).toBe('192.168.56.11');
    expect(formatIp(dockerHost(state, 'host-2').ip)).toBe('192.168.56.12');
    expect(formatIp(state.config.gateway)).toBe('192.168.56.1');
    expect(state.netns.router).toBeDefined();
    expect(state.segments.lan!.ports.map((p) => p.ns)).toEqual(['router', 'host/host-1', 'host/host-2', 'workstation']);
    expect(state.netns.workstation!.devices.find((d) => d.name === 'eth0')!.addrs.map((a) => formatIp(a.ip))).toEqual(['192.168.56.100']);
    expect(Object.values(state.k8s).filter((v) => v && typeof v === 'object' && !('serviceIps' in v)).every((m) => Object.keys(m as object).length === 0)).toBe(true);
  });

  it('gives each host lo, eth0 and an empty docker0 with no carrier, and the kernel routes', () => {
    const ns = state.netns[dockerHostNsId('host-1')]!;
    expect(ns.devices.map((d) => `${d.ifindex}:${d.name}`)).toEqual(['1:lo', '2:eth0', '3:docker0']);
    const eth0 = deviceByName(ns, 'eth0')!;
    expect(eth0.mtu).toBe(1500);
    expect(eth0.segment).toBe('lan');
    const br = deviceByName(ns, 'docker0')!;
    expect(br.kind).toBe('bridge');
    expect(br.up).toBe(true);
    expect(br.mtu).toBe(1500);
    expect(br.addrs.map((a) => `${formatIp(a.ip)}/${a.len} brd ${formatIp(a.brd!)}`)).toEqual(['172.17.0.1/16 brd 172.17.255.255']);
    expect(hasCarrier(ns, br)).toBe(false);
    expect(hasCarrier(ns, eth0)).toBe(true);
    expect(ns.ipForward).toBe(true);
    const text = ns.routes.map((r) => `${r.dst.len === 0 ? 'default' : `${formatIp(r.dst.addr)}/${r.dst.len}`}${r.via !== undefined ? ` via ${formatIp(r.via)}` : ''} dev ${r.dev}${r.proto ? ` proto ${r.proto}` : ''}${r.scope ? ` scope ${r.scope}` : ''}${r.src !== undefined ? ` src ${formatIp(r.src)}` : ''}${routeLinkdown(ns, r) ? ' linkdown' : ''}`);
    expect(text).toEqual([
      'default via 192.168.56.1 dev eth0',
      '192.168.56.0/24 dev eth0 proto kernel scope link src 192.168.56.11',
      '172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown',
    ]);
  });

  it('writes the nat and filter rules of a fresh Docker 28 daemon', () => {
    const nf = state.netns[dockerHostNsId('host-2')]!.nf!;
    expect(formatTable(nf, 'nat', DATE).split('\n').filter((l) => l.startsWith('-A'))).toEqual([
      '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
      '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
      '-A DOCKER -i docker0 -j RETURN',
    ]);
  });

  it('accepts host names and counts', () => {
    const s = buildDockerHosts({ hostNames: ['alpha'], firstHost: 20 }, 1, T0);
    expect(Object.keys(s.docker!.hosts)).toEqual(['alpha']);
    expect(formatIp(dockerHost(s, 'alpha').ip)).toBe('192.168.56.20');
  });
});

describe('dockerRun and dockerRm', () => {
  it('creates a container the way Docker does: id, name, namespace, veth into docker0, address, MAC, routes', () => {
    const state = build();
    const c = dockerRun(state, 'host-1', { image: 'nginx:1.27' }, T0 + 1000);
    expect(c.id).toMatch(/^[0-9a-f]{64}$/);
    expect(c.name).toMatch(/^[a-z]+_[a-z]+$/);
    expect(c.ns).toBe(`container/host-1/${c.id.slice(0, 12)}`);
    expect(c.ns).toBe(containerNsId('host-1', c.id));
    expect(formatIp(c.ip)).toBe('172.17.0.2');
    expect(c.created).toBe(T0 + 1000);
    // Docker 28+: a random, locally administered unicast MAC (not 02:42:ac:11:00:02).
    const first = parseInt(c.mac.slice(0, 2), 16);
    expect(first & 0x02).toBe(2);
    expect(first & 0x01).toBe(0);

    const ns = state.netns[c.ns]!;
    expect(ns.hostname).toBe(c.id.slice(0, 12));
    expect(ns.devices.map((d) => d.name)).toEqual(['lo', 'eth0']);
    const eth0 = deviceByName(ns, 'eth0')!;
    expect(eth0.kind).toBe('veth');
    expect(eth0.mtu).toBe(1500);
    expect(eth0.mac).toBe(c.mac);
    expect(eth0.addrs.map((a) => `${formatIp(a.ip)}/${a.len} brd ${formatIp(a.brd!)}`)).toEqual(['172.17.0.2/16 brd 172.17.255.255']);
    const host = state.netns['host/host-1']!;
    const veth = deviceByIndex(host, eth0.peer!.ifindex)!;
    expect(veth.name).toMatch(/^veth[0-9a-f]{7}$/);
    expect(veth.name).toBe(c.hostVeth);
    expect(veth.master).toBe('docker0');
    expect(veth.peer).toEqual({ ns: c.ns, ifindex: eth0.ifindex });
    // Both ends are made in the host namespace, the container end first: eth0@if5 <-> veth@if4.
    expect([eth0.ifindex, veth.ifindex]).toEqual([4, 5]);
    expect(ns.routes.map((r) => `${r.dst.len === 0 ? 'default' : `${formatIp(r.dst.addr)}/${r.dst.len}`}${r.via !== undefined ? ` via ${formatIp(r.via)}` : ''} dev ${r.dev}${r.src !== undefined ? ` src ${formatIp(r.src)}` : ''}`)).toEqual([
      'default via 172.17.0.1 dev eth0',
      '172.17.0.0/16 dev eth0 src 172.17.0.2',
    ]);
    // docker0 has carrier now and its route is no longer linkdown.
    const br = deviceByName(host, 'docker0')!;
    expect(hasCarrier(host, br)).toBe(true);
    expect(routeLinkdown(host, host.routes.find((r) => r.dev === 'docker0')!)).toBe(false);
    expect(dockerHost(state, 'host-1').containers).toEqual([c]);
  });

  it('hands out 172.17.0.2, then .3, and .2 again once the first container is removed', () => {
    const state = build();
    const a = dockerRun(state, 'host-1', { name: 'alpha', image: 'busybox' }, T0);
    const b = dockerRun(state, 'host-1', { name: 'bravo', image: 'busybox' }, T0);
    expect([formatIp(a.ip), formatIp(b.ip)]).toEqual(['172.17.0.2', '172.17.0.3']);
    dockerRm(state, 'host-1', 'alpha');
    const c = dockerRun(state, 'host-1', { name: 'charlie', image: 'busybox' }, T0);
    expect(formatIp(c.ip)).toBe('172.17.0.2');
    const d = dockerRun(state, 'host-1', { name: 'delta', image: 'busybox' }, T0);
    expect(formatIp(d.ip)).toBe('172.17.0.4');
    // Each Docker host has its own docker0 and its own 172.17.0.0/16.
    expect(formatIp(dockerRun(state, 'host-2', { image: 'busybox' }, T0).ip)).toBe('172.17.0.2');
  });

  it('removes the namespace, the veth, the rules and the conntrack entries; docker0 loses carrier', () => {
    const state = build();
    const host = state.netns['host/host-1']!;
    const before = formatTable(host.nf!, 'nat', DATE) + formatTable(host.nf!, 'filter', DATE);
    const c = dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0);
    expect(formatTable(host.nf!, 'nat', DATE)).toContain('--to-destination 172.17.0.2:80');
    const removed = dockerRm(state, 'host-1', c.id.slice(0, 5));
    expect(removed.id).toBe(c.id);
    expect(state.netns[c.ns]).toBeUndefined();
    expect(deviceByName(host, c.hostVeth)).toBeUndefined();
    expect(formatTable(host.nf!, 'nat', DATE) + formatTable(host.nf!, 'filter', DATE)).toBe(before);
    expect(hasCarrier(host, deviceByName(host, 'docker0')!)).toBe(false);
    expect(dockerHost(state, 'host-1').containers).toEqual([]);
    expect(() => dockerRm(state, 'host-1', 'web')).toThrow('No such container: web');
  });

  it('rejects a name in use and a host port already allocated, and finds containers by name or id prefix', () => {
    const state = build();
    const web = dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0);
    expect(() => dockerRun(state, 'host-1', { name: 'web', image: 'nginx' }, T0)).toThrow(`Conflict. The container name "/web" is already in use by container "${web.id}"`);
    expect(() => dockerRun(state, 'host-1', { image: 'nginx', publish: [{ hostPort: 8080, containerPort: 81 }] }, T0)).toThrow('Bind for 0.0.0.0:8080 failed: port is already allocated');
    expect(() => dockerRun(state, 'host-1', { image: 'nginx', publish: [{ hostPort: 9000, containerPort: 80 }, { hostPort: 9000, containerPort: 81 }] }, T0)).toThrow('Bind for 0.0.0.0:9000 failed');
    // Another protocol, or another host, may use the same port number.
    dockerRun(state, 'host-1', { image: 'nginx', publish: [{ hostPort: 8080, containerPort: 81, protocol: 'udp' }] }, T0);
    dockerRun(state, 'host-2', { image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0);
    expect(findContainer(state, 'host-1', 'web')).toBe(web);
    expect(findContainer(state, 'host-1', web.id.slice(0, 12))).toBe(web);
  });

  it('is deterministic: the same seed and commands give the same state; another seed does not', () => {
    const run = (seed: number): string => {
      const s = build(seed);
      dockerRun(s, 'host-1', { image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0 + 5_000);
      dockerRun(s, 'host-1', { image: 'busybox' }, T0 + 6_000);
      dockerRun(s, 'host-2', { name: 'db', image: 'postgres:17' }, T0 + 7_000);
      dockerRm(s, 'host-1', dockerHost(s, 'host-1').containers[0]!.name);
      dockerRun(s, 'host-1', { image: 'redis' }, T0 + 8_000);
      return JSON.stringify(s);
    };
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
    // State is plain JSON: a round trip changes nothing.
    expect(JSON.stringify(JSON.parse(run(42)))).toBe(run(42));
  });

  it('gives the n-th container on a host the same identity whatever happened before it', () => {
    const a = build(9);
    const sim = restore(build(9));
    // A ping draws from the sandbox's own stream (RTT jitter); the container's stream is its own.
    ping(sim, 'host/host-1', H2);
    const ca = dockerRun(a, 'host-1', { image: 'nginx' }, T0);
    const cb = dockerRun(sim.state, 'host-1', { image: 'nginx' }, T0);
    expect([cb.id, cb.name, cb.mac, cb.hostVeth]).toEqual([ca.id, ca.name, ca.mac, ca.hostVeth]);
  });
});

describe('traffic on the default bridge', () => {
  /**
   * host-1 runs c1 (.2) and c2 (.3); host-2 runs r1 (.2), r2 (.3) and r3 (.4): every Docker host
   * has its own docker0 with its own 172.17.0.0/16, so the addresses repeat.
   */
  function scene(): { sim: Sim; c1: DockerContainer; c2: DockerContainer; r2: DockerContainer; r3: DockerContainer } {
    const state = build();
    const c1 = dockerRun(state, 'host-1', { name: 'c1', image: 'busybox' }, T0);
    const c2 = dockerRun(state, 'host-1', { name: 'c2', image: 'busybox' }, T0);
    dockerRun(state, 'host-2', { name: 'r1', image: 'busybox' }, T0);
    const r2 = dockerRun(state, 'host-2', { name: 'r2', image: 'busybox' }, T0);
    const r3 = dockerRun(state, 'host-2', { name: 'r3', image: 'busybox' }, T0);
    return { sim: restore(state), c1, c2, r2, r3 };
  }

  it('container -> container on the same host: ttl=64, bridged by docker0, never routed', () => {
    const { sim, c1, c2 } = scene();
    const r = ping(sim, c1.ns, c2.ip);
    expect(replyTtl(r)).toBe(64);
    expect(r.outcome.kind === 'reply' && r.outcome.from).toBe(c2.ip);
    const host = hopsIn(r.trace, 'host/host-1');
    expect(host.some((h) => h.action === 'bridge-forward' && h.dev === 'docker0')).toBe(true);
    expect(r.trace.hops.some((h) => h.action === 'forward')).toBe(false);
    expect(r.trace.routed).toBe(0);
    // ARP between the containers, through the bridge; docker0 learned both MACs.
    expect(r.trace.hops.some((h) => h.action === 'arp-request' && h.ns === c1.ns)).toBe(true);
    const fdb = deviceByName(sim.state.netns['host/host-1']!, 'docker0')!.fdb!;
    expect(fdb[c1.mac]?.port).toBe(c1.hostVeth);
    expect(fdb[c2.mac]?.port).toBe(c2.hostVeth);
  });

  it("container -> its host's eth0 address: ttl=64 (the host's own kernel answers)", () => {
    const { sim, c1 } = scene();
    const r = ping(sim, c1.ns, H1);
    expect(replyTtl(r)).toBe(64);
    expect(r.trace.hops.some((h) => h.action === 'reply' && h.ns === 'host/host-1')).toBe(true);
    expect(r.trace.hops.some((h) => h.action === 'snat')).toBe(false);
  });

  it("container -> the other host's eth0: ttl=63, masqueraded to host-1's address, the reply un-NATed back", () => {
    const { sim, c1 } = scene();
    const r = ping(sim, c1.ns, H2);
    expect(replyTtl(r)).toBe(63);
    const snat = r.trace.hops.find((h) => h.action === 'snat');
    expect(snat?.ns).toBe('host/host-1');
    expect(snat?.dev).toBe('eth0');
    expect(snat?.ip?.src).toBe(H1);
    expect(snat?.rules).toEqual(['-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE']);
    // host-2 sees host-1's address, never the container's.
    const answer = r.trace.hops.find((h) => h.action === 'reply' && h.ns === 'host/host-2');
    expect(answer?.ip?.dst).toBe(H1);
    expect(hopsIn(r.trace, 'host/host-2').every((h) => h.ip === undefined || (h.ip.src !== c1.ip && h.ip.dst !== c1.ip))).toBe(true);
    // Back on host-1 conntrack turns the destination back into the container's address.
    const unsnat = r.trace.hops.find((h) => h.action === 'un-snat');
    expect(unsnat?.ns).toBe('host/host-1');
    expect(unsnat?.ip?.dst).toBe(c1.ip);
    const delivered = r.trace.deliveries.find((d) => d.ns === c1.ns);
    expect(delivered?.packet.src).toBe(H2);
    expect(delivered?.packet.dst).toBe(c1.ip);
  });

  it("container on host-1 -> a 172.17 address that exists only on host-2: the packet never leaves host-1 (172.17.0.0/16 is on-link via docker0 there), ARP goes unanswered, EHOSTUNREACH", () => {
    const { sim, c1, r3 } = scene();
    const target = r3.ip; // 172.17.0.4: host-1 has no container there
    expect(formatIp(target)).toBe('172.17.0.4');
    expect(dockerHost(sim.state, 'host-1').containers.some((c) => c.ip === target)).toBe(false);
    const r = ping(sim, c1.ns, target);
    expect(r.outcome).toEqual({ kind: 'local-error', errno: 'EHOSTUNREACH', from: c1.ip });
    expect(r.trace.hops.some((h) => h.action === 'arp-request' && h.ns === c1.ns && h.detail.includes('who-has 172.17.0.4'))).toBe(true);
    // Nothing reached the LAN or host-2: the ARP broadcast stayed on host-1's docker0.
    expect(r.trace.hops.every((h) => h.ns === c1.ns || h.ns.startsWith('host/host-1') || h.ns.startsWith('container/host-1/'))).toBe(true);
    expect(r.trace.captures.every((cap) => cap.ns === 'host/host-1' || cap.ns.startsWith('container/host-1/'))).toBe(true);
    expect(r.trace.captures.some((cap) => cap.dev === 'eth0' && cap.ns === 'host/host-1')).toBe(false);
  });

  it("container on host-1 -> the 172.17 address of a container on host-2 that host-1 also uses: the local container answers, not the one on host-2", () => {
    const { sim, c1, c2, r2 } = scene();
    expect(r2.ip).toBe(c2.ip); // both are 172.17.0.3
    const r = ping(sim, c1.ns, r2.ip);
    expect(replyTtl(r)).toBe(64);
    expect(r.trace.hops.some((h) => h.action === 'reply' && h.ns === c2.ns)).toBe(true);
    expect(r.trace.hops.some((h) => h.ns === r2.ns || h.ns === 'host/host-2')).toBe(false);
  });

  it('a removed container stops answering and its address works again for the next container', () => {
    const state = build();
    const a = dockerRun(state, 'host-1', { name: 'alpha', image: 'busybox' }, T0);
    const b = dockerRun(state, 'host-1', { name: 'bravo', image: 'busybox' }, T0);
    let sim = restore(state);
    expect(replyTtl(ping(sim, a.ns, b.ip))).toBe(64);
    expect(replyTtl(ping(sim, 'host/host-1', b.ip))).toBe(64);
    const s2 = sim.snapshot();
    dockerRm(s2, 'host-1', 'bravo');
    sim = restore(s2);
    expect(ping(sim, a.ns, b.ip).outcome.kind).toBe('local-error');
    const s3 = sim.snapshot();
    const c = dockerRun(s3, 'host-1', { name: 'charlie', image: 'busybox' }, T0);
    expect(c.ip).toBe(b.ip);
    sim = restore(s3);
    // No stale ARP entry for the reused address: both the host and container a reach c.
    expect(replyTtl(ping(sim, a.ns, c.ip))).toBe(64);
    expect(replyTtl(ping(sim, 'host/host-1', c.ip))).toBe(64);
  });
});

describe('published ports (DNAT)', () => {
  function udpPacket(src: Ip, dst: Ip, sport: number, dport: number, id: number): Ipv4Packet {
    return ipv4({ src, dst, id, payload: udp(src, dst, sport, dport, new TextEncoder().encode('hello')) });
  }

  it('a UDP datagram from host-2 to host-1:8080 reaches the container on 80 with its source kept; the reply comes back from host-1:8080', () => {
    const state = build();
    const web = dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80, protocol: 'udp' }] }, T0);
    const t = inject(state, 'host/host-2', udpPacket(H2, H1, 40000, 8080, 1), T0 + 1000);
    const got = t.deliveries.find((d) => d.ns === web.ns);
    expect(got).toBeDefined();
    const pl = got!.packet.payload;
    expect(pl.kind === 'udp' && [pl.srcPort, pl.dstPort]).toEqual([40000, 80]);
    expect(got!.packet.src).toBe(H2); // POSTROUTING's MASQUERADE only matches -s 172.17.0.0/16
    expect(got!.packet.dst).toBe(web.ip);
    expect(got!.packet.ttl).toBe(63);
    const dnat = t.hops.find((h) => h.action === 'dnat');
    expect(dnat?.ns).toBe('host/host-1');
    expect(dnat?.rules).toEqual(['-A DOCKER ! -i docker0 -p udp -m udp --dport 8080 -j DNAT --to-destination 172.17.0.2:80']);
    expect(t.hops.some((h) => h.action === 'snat')).toBe(false);
    expect(t.hops.some((h) => h.action === 'filter')).toBe(false);

    // The container answers from 172.17.0.2:80; host-1's conntrack rewrites it to 192.168.56.11:8080.
    const back = inject(state, web.ns, udpPacket(web.ip, H2, 80, 40000, 2), T0 + 1100);
    const undnat = back.hops.find((h) => h.action === 'un-dnat');
    expect(undnat?.ns).toBe('host/host-1');
    const reply = back.deliveries.find((d) => d.ns === 'host/host-2');
    expect(reply).toBeDefined();
    const rp = reply!.packet.payload;
    expect(reply!.packet.src).toBe(H1);
    expect(rp.kind === 'udp' && [rp.srcPort, rp.dstPort]).toEqual([8080, 40000]);
  });

  it('an unpublished port is not forwarded to the container', () => {
    const state = build();
    const web = dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80, protocol: 'udp' }] }, T0);
    const t = inject(state, 'host/host-2', udpPacket(H2, H1, 40001, 9090, 3), T0 + 1000);
    expect(t.deliveries.some((d) => d.ns === web.ns)).toBe(false);
    expect(t.deliveries.some((d) => d.ns === 'host/host-1')).toBe(true);
  });

  it('a port bound to one host address only DNATs traffic to that address', () => {
    const state = build();
    dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostIp: '192.168.56.11', hostPort: 8080, containerPort: 80 }] }, T0);
    const lines = formatTable(state.netns['host/host-1']!.nf!, 'nat', DATE).split('\n');
    expect(lines).toContain('-A DOCKER -d 192.168.56.11/32 ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80');
  });

  it('iptables-save of a host with one published container matches what Docker 28 writes', () => {
    const state = build();
    dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0);
    const nf = state.netns['host/host-1']!.nf!;
    // moby/moby libnetwork/drivers/bridge/internal/iptabler/testdata/
    // TestIptabler_hairpin=false,internal=false,icc=true,masq=true,snat=false,gwm=nat,bindlh=false__iptables.golden
    // with the bridge docker0 and 172.17.0.0/16, as iptables-save prints it.
    expect(formatTable(nf, 'nat', DATE).split('\n')).toEqual([
      `# Generated by iptables-save v1.8.10 (nf_tables) on ${DATE}`,
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':INPUT ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':POSTROUTING ACCEPT [0:0]',
      ':DOCKER - [0:0]',
      '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
      '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
      '-A DOCKER -i docker0 -j RETURN',
      '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
      'COMMIT',
      `# Completed on ${DATE}`,
      '',
    ]);
    // The same golden file plus the DOCKER-USER chain libnetwork adds (generated/swarm-portmap.md).
    expect(formatTable(nf, 'filter', DATE).split('\n')).toEqual([
      `# Generated by iptables-save v1.8.10 (nf_tables) on ${DATE}`,
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD DROP [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':DOCKER - [0:0]',
      ':DOCKER-BRIDGE - [0:0]',
      ':DOCKER-CT - [0:0]',
      ':DOCKER-FORWARD - [0:0]',
      ':DOCKER-ISOLATION-STAGE-1 - [0:0]',
      ':DOCKER-ISOLATION-STAGE-2 - [0:0]',
      ':DOCKER-USER - [0:0]',
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j DOCKER-FORWARD',
      '-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT',
      '-A DOCKER ! -i docker0 -o docker0 -j DROP',
      '-A DOCKER-BRIDGE -o docker0 -j DOCKER',
      '-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A DOCKER-FORWARD -j DOCKER-CT',
      '-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1',
      '-A DOCKER-FORWARD -j DOCKER-BRIDGE',
      '-A DOCKER-FORWARD -i docker0 -j ACCEPT',
      '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
      '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP',
      '-A DOCKER-USER -j RETURN',
      'COMMIT',
      `# Completed on ${DATE}`,
      '',
    ]);
  });

  it('puts a later container\'s ACCEPT rules first in filter DOCKER and appends its DNAT rules', () => {
    const state = build();
    dockerRun(state, 'host-1', { name: 'alpha', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0);
    dockerRun(state, 'host-1', { name: 'bravo', image: 'nginx', publish: [{ hostPort: 8081, containerPort: 80 }] }, T0);
    const nf = state.netns['host/host-1']!.nf!;
    const rules = (t: 'nat' | 'filter'): string[] => formatTable(nf, t, DATE).split('\n').filter((l) => l.startsWith('-A DOCKER ') && !l.includes('RETURN'));
    expect(rules('filter')).toEqual([
      '-A DOCKER -d 172.17.0.3/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT',
      '-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT',
      '-A DOCKER ! -i docker0 -o docker0 -j DROP',
    ]);
    expect(rules('nat')).toEqual([
      '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
      '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8081 -j DNAT --to-destination 172.17.0.3:80',
    ]);
  });
});

describe('names', () => {
  it('rejects names Docker rejects (one character, or characters outside [a-zA-Z0-9_.-])', () => {
    const state = build();
    expect(() => dockerRun(state, 'host-1', { name: 'a', image: 'busybox' }, T0)).toThrow('Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
    expect(() => dockerRun(state, 'host-1', { name: 'my web', image: 'busybox' }, T0)).toThrow('Invalid container name');
    expect(dockerRun(state, 'host-1', { name: '/web', image: 'busybox' }, T0).name).toBe('web');
  });

  it('generates adjective_surname names, never boring_wozniak, unique on a host', () => {
    const state = buildDockerHosts({ hosts: 1 }, 3, T0);
    const names = Array.from({ length: 40 }, () => dockerRun(state, 'host-1', { image: 'busybox' }, T0).name);
    for (const n of names) expect(n).toMatch(/^[a-z]+_[a-z]+\d?$/);
    expect(names).not.toContain('boring_wozniak');
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('container lifecycle: create, start, process exit, rm', () => {
  it('a start that fails on a port in use leaves the container Created, with no network; it starts once the port is free', () => {
    const state = build();
    const web = dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0);
    const c = dockerCreate(state, 'host-1', { name: 'web2', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0);
    const nat = formatTable(state.netns['host/host-1']!.nf!, 'nat', DATE);
    expect(() => dockerStart(state, 'host-1', 'web2', T0)).toThrow(/^failed to set up container networking: driver failed programming external connectivity on endpoint web2 \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:8080 failed: port is already allocated$/);
    expect(c.status).toBe('created');
    expect(state.netns[c.ns]).toBeUndefined();
    expect(formatTable(state.netns['host/host-1']!.nf!, 'nat', DATE)).toBe(nat);
    dockerProcessExited(state, 'host-1', web.id, 0, T0 + 5000);
    expect(web.status).toBe('exited');
    expect(web.ip).toBe(0);
    dockerStart(state, 'host-1', 'web2', T0 + 6000);
    expect(c.status).toBe('running');
    expect(formatIp(c.ip)).toBe('172.17.0.2');
    expect(formatTable(state.netns['host/host-1']!.nf!, 'nat', DATE)).toContain('--dport 8080 -j DNAT --to-destination 172.17.0.2:80');
  });

  it('a stopped container keeps its name, loses its address and rules, and gets a new veth when started again', () => {
    const state = build();
    const a = dockerRun(state, 'host-1', { name: 'alpha', image: 'busybox', publish: [{ hostPort: 9000, containerPort: 9000, protocol: 'udp' }] }, T0);
    const veth = a.hostVeth;
    dockerProcessExited(state, 'host-1', 'alpha', 137, T0 + 10_000);
    expect([a.status, a.exitCode, a.finishedAt, a.hostVeth, a.mac]).toEqual(['exited', 137, T0 + 10_000, '', '']);
    expect(deviceByName(state.netns['host/host-1']!, veth)).toBeUndefined();
    expect(formatTable(state.netns['host/host-1']!.nf!, 'nat', DATE)).not.toContain('9000');
    expect(() => dockerRun(state, 'host-1', { name: 'alpha', image: 'busybox' }, T0)).toThrow('Conflict.');
    const b = dockerRun(state, 'host-1', { name: 'bravo', image: 'busybox' }, T0 + 11_000);
    expect(formatIp(b.ip)).toBe('172.17.0.2');
    dockerStart(state, 'host-1', 'alpha', T0 + 12_000);
    expect(formatIp(a.ip)).toBe('172.17.0.3');
    expect(a.hostVeth).toMatch(/^veth[0-9a-f]{7}$/);
    expect(a.hostVeth).not.toBe(veth);
    expect(a.starts).toBe(2);
  });

  it('rm refuses a running container unless forced; a --rm container goes when its process ends', () => {
    const state = build();
    dockerRun(state, 'host-1', { name: 'web', image: 'nginx' }, T0);
    expect(() => dockerRm(state, 'host-1', 'web', false)).toThrow('cannot remove container "web": container is running: stop the container before removing or force remove');
    expect(dockerHost(state, 'host-1').containers).toHaveLength(1);
    dockerRm(state, 'host-1', 'web', true);
    expect(dockerHost(state, 'host-1').containers).toHaveLength(0);
    const t = dockerRun(state, 'host-1', { name: 'tmp', image: 'busybox', autoRemove: true }, T0);
    dockerProcessExited(state, 'host-1', t.id, 0, T0 + 1000);
    expect(dockerHost(state, 'host-1').containers).toHaveLength(0);
    expect(state.netns[t.ns]).toBeUndefined();
  });

  it('records the process as Docker does: entrypoint + cmd, or the command that replaces CMD', () => {
    const state = build();
    const n = dockerRun(state, 'host-1', { image: 'nginx' }, T0);
    expect([n.path, n.args]).toEqual(['/docker-entrypoint.sh', ['nginx', '-g', 'daemon off;']]);
    const s = dockerRun(state, 'host-1', { image: 'busybox', cmd: ['sleep', '60'] }, T0);
    expect([s.path, s.args, s.entrypoint]).toEqual(['sleep', ['60'], null]);
  });

  it('knows which images are local and parses references as the reference parser does', () => {
    expect(localImage('nginx')?.repo).toBe('nginx');
    expect(localImage('docker.io/library/nginx:latest')?.repo).toBe('nginx');
    expect(localImage('nicolaka/netshoot')?.cmd).toEqual(['zsh']);
    expect(localImage('nginx:1.27')).toBeUndefined();
    expect(localImage('redis')).toBeUndefined();
    expect(parseImageRef('Nginx')).toEqual({ error: 'invalid reference format: repository name (library/Nginx) must be lowercase' });
    expect(parseImageRef('busybox:1.36')).toEqual({ repo: 'busybox', tag: '1.36' });
  });
});

describe('programs in containers and docker-proxy', () => {
  const GET = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n');
  const text = (r: ReturnType<Sim['tcpRequest']>): string => (r.kind === 'response' ? new TextDecoder().decode(r.data) : r.kind);

  it("finds the main process through nginx's entrypoint, which execs its command", () => {
    expect(mainProcess({ path: '/docker-entrypoint.sh', args: ['nginx', '-g', 'daemon off;'] })).toEqual({ program: 'nginx', args: ['-g', 'daemon off;'] });
    expect(mainProcess({ path: '/docker-entrypoint.sh', args: ['sh'] })).toEqual({ program: 'sh', args: [] });
    expect(mainProcess({ path: 'sleep', args: ['3600'] })).toEqual({ program: 'sleep', args: ['3600'] });
    expect(runsNginx({ path: '/docker-entrypoint.sh', args: ['nginx', '-g', 'daemon off;'] })).toBe(true);
    expect(runsNginx({ path: '/docker-entrypoint.sh', args: ['nginx-debug', '-g', 'daemon off;'] })).toBe(true);
    expect(runsNginx({ path: '/docker-entrypoint.sh', args: ['bash'] })).toBe(false);
    expect(runsNginx({ path: 'sh', args: [] })).toBe(false);
  });

  it('a running nginx container listens on tcp/80; a shell in the nginx image, a busybox and a stopped nginx listen on nothing', () => {
    const state = build();
    const web = dockerRun(state, 'host-1', { name: 'web', image: 'nginx' }, T0);
    const shell = dockerRun(state, 'host-1', { name: 'sh', image: 'nginx', cmd: ['sh'], tty: true, openStdin: true }, T0);
    const bb = dockerRun(state, 'host-1', { name: 'bb', image: 'busybox', cmd: ['sleep', '3600'] }, T0);
    expect(listenersIn(state, web.ns).map((l) => [l.proto, l.port, l.program])).toEqual([['tcp', 80, 'nginx']]);
    expect(listenersIn(state, shell.ns)).toEqual([]);
    expect(listenersIn(state, bb.ns)).toEqual([]);
    const ns = web.ns;
    dockerProcessExited(state, 'host-1', 'web', 0, T0);
    expect(listenersIn(state, ns)).toEqual([]);
  });

  it('docker-proxy listens in the host namespace on each published TCP port (bound address kept) while the container runs', () => {
    const state = build();
    dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }, { hostIp: '127.0.0.1', hostPort: 8081, containerPort: 80 }, { hostPort: 5353, containerPort: 53, protocol: 'udp' }] }, T0);
    // The host's own daemons (sshd, systemd-resolved) listen too; the IPv6 and UDP proxies take no TCP over IPv4.
    const tcpProxies = (host: string) => listenersIn(state, `host/${host}`).filter((l) => l.program === 'docker-proxy' && l.proto === 'tcp' && l.socket?.family !== 'v6only');
    const proxies = tcpProxies('host-1');
    expect(proxies.map((l) => [l.proto, l.port, l.program, l.addr === undefined ? '*' : formatIp(l.addr)])).toEqual([
      ['tcp', 8080, 'docker-proxy', '*'],
      ['tcp', 8081, 'docker-proxy', '127.0.0.1'],
    ]);
    expect(findListener(state, 'host/host-1', 'tcp', 8081, ip('127.0.0.1'))?.program).toBe('docker-proxy');
    expect(findListener(state, 'host/host-1', 'tcp', 8081, H1)).toBeUndefined();
    expect(findListener(state, 'host/host-1', 'tcp', 8080, H1)?.program).toBe('docker-proxy');
    expect(tcpProxies('host-2')).toEqual([]);
    dockerProcessExited(state, 'host-1', 'web', 0, T0);
    expect(listenersIn(state, 'host/host-1').filter((l) => l.program === 'docker-proxy')).toEqual([]);
  });

  it('HTTP to nginx: from the host to the container address, from another container, from the LAN through DNAT, from the host through docker-proxy', () => {
    const state = build();
    const web = dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0);
    const c1 = dockerRun(state, 'host-1', { name: 'c1', image: 'busybox', cmd: ['sleep', '3600'] }, T0);
    const sim = restore(state);
    const ok = (r: ReturnType<Sim['tcpRequest']>): void => expect(text(r)).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.27\.5\r\n[\s\S]*<title>Welcome to nginx!<\/title>/);
    ok(sim.tcpRequest('host/host-1', web.ip, 80, GET));
    ok(sim.tcpRequest(c1.ns, web.ip, 80, GET));

    // From the workstation and from host-2: nat PREROUTING -> DOCKER DNAT, then filter FORWARD
    // -> DOCKER-USER -> DOCKER-FORWARD -> DOCKER-BRIDGE -> DOCKER's ACCEPT for 172.17.0.2:80.
    for (const from of ['workstation', 'host/host-2']) {
      const r = sim.tcpRequest(from, H1, 8080, GET);
      ok(r);
      const syn = r.traces[0]!;
      expect(syn.hops.find((h) => h.action === 'dnat')?.rules).toEqual(['-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80']);
      expect(syn.deliveries.some((d) => d.ns === web.ns)).toBe(true);
    }

    // On the host itself, 127.0.0.1 skips the DOCKER chain (! -d 127.0.0.0/8): docker-proxy answers
    // and relays from the host's docker0 address.
    const local = sim.tcpRequest('host/host-1', ip('127.0.0.1'), 8080, GET);
    ok(local);
    expect(local.traces[0]!.hops.some((h) => h.action === 'dnat')).toBe(false);
    const relayed = local.traces.flatMap((t) => t.hops).find((h) => h.ns === web.ns && h.action === 'deliver');
    expect(relayed?.ip && formatIp(relayed.ip.src)).toBe('172.17.0.1');
    expect(local.traces.flatMap((t) => t.hops).some((h) => h.action === 'proxy' && h.ns === 'host/host-1')).toBe(true);

    // Hairpin: a container to its host's published port is not DNATed (-i docker0 -j RETURN); docker-proxy relays it.
    ok(sim.tcpRequest(c1.ns, H1, 8080, GET));
    ok(sim.tcpRequest(c1.ns, ip('172.17.0.1'), 8080, GET));

    // Nothing listens on 80 in the busybox container, nor on an unpublished port of the host.
    expect(sim.tcpRequest('host/host-1', c1.ip, 80, GET).kind).toBe('refused');
    expect(sim.tcpRequest('workstation', H1, 9090, GET).kind).toBe('refused');
  });

  it('a stopped container takes its DNAT rule and its docker-proxy with it: the published port is refused', () => {
    const state = build();
    dockerRun(state, 'host-1', { name: 'web', image: 'nginx', publish: [{ hostPort: 8080, containerPort: 80 }] }, T0);
    dockerProcessExited(state, 'host-1', 'web', 0, T0);
    const sim = restore(state);
    expect(sim.tcpRequest('workstation', H1, 8080, GET).kind).toBe('refused');
    expect(sim.tcpRequest('host/host-1', ip('127.0.0.1'), 8080, GET).kind).toBe('refused');
  });
});
