import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock';
import type { Capture } from './forward';
import { decodeIpv4, ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, ipv4, udp, type Ipv4Packet } from './packet';
import { formatCidr, formatIp, ip } from './ipv4';
import { cachedPmtu, deviceByName, lookupRoute, type Netns } from './netns';
import { buildRoutedNetwork, routedHostNames, type RoutedSpec } from './routed';
import { Sim, type PingResult } from './sim';
import { TOPOLOGIES } from './topologies';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);
const WS = 'workstation';
const R1 = 'host/router-1';
const R2 = 'host/router-2';
const H1 = 'host/host-1';
const H2 = 'host/host-2';

function build(spec: RoutedSpec = {}, seed = 1): Sim {
  return Sim.fromState(buildRoutedNetwork(spec, seed, T0 - 600_000), new VirtualClock(T0));
}

let seq = 1;
const ping = (sim: Sim, from: string, to: string, opts: { size?: number; ttl?: number; pmtu?: 'want' | 'do' | 'dont' } = {}): PingResult => sim.ping(from, ip(to), { id: 0x1234, seq: seq++, ...opts });

/** `ip route` as text, in the kernel's order (default first, then by address). */
function routes(ns: Netns): string[] {
  return [...ns.routes]
    .sort((a, b) => (a.dst.len === 0 ? -1 : b.dst.len === 0 ? 1 : a.dst.addr - b.dst.addr))
    .map((r) => [r.dst.len === 0 ? 'default' : formatCidr(r.dst), r.via !== undefined ? `via ${formatIp(r.via)}` : '', `dev ${r.dev}`, r.proto ? `proto ${r.proto}` : '', r.scope ? `scope ${r.scope}` : '', r.src !== undefined ? `src ${formatIp(r.src)}` : ''].filter(Boolean).join(' '));
}

const mac = (sim: Sim, ns: string, dev: string): string => deviceByName(sim.state.netns[ns]!, dev)!.mac;

/** The IPv4 frames of a trace on one device, in the order they were sent or received. */
function framesOn(captures: Capture[], ns: string, dev: string, dir: 'in' | 'out'): { src: string; dst: string; p: Ipv4Packet }[] {
  return captures.filter((c) => c.ns === ns && c.dev === dev && c.dir === dir && c.frame.payload.kind === 'ipv4').map((c) => ({ src: c.frame.src, dst: c.frame.dst, p: c.frame.payload as Ipv4Packet }));
}

describe('the routed topology', () => {
  it('has two LANs and a transit link, each a segment with its machines', () => {
    const s = build().state;
    expect(Object.keys(s.segments).sort()).toEqual(['lan-1', 'lan-2', 'transit']);
    const on = (seg: string): string[] => s.segments[seg]!.ports.map((p) => `${p.ns}:${s.netns[p.ns]!.devices.find((d) => d.ifindex === p.ifindex)!.name}`).sort();
    expect(on('lan-1')).toEqual([H1, R1, WS].map((n) => `${n}:eth0`).sort());
    expect(on('transit')).toEqual([`${R1}:eth1`, `${R2}:eth1`]);
    expect(on('lan-2')).toEqual([`${H2}:eth0`, `${R2}:eth0`]);
    expect(Object.values(s.netns).map((n) => `${n.id} ${n.hostname}`).sort()).toEqual([`${H1} host-1`, `${H2} host-2`, `${R1} router-1`, `${R2} router-2`, `${WS} workstation`]);
    expect(s.config.name).toBe('routed');
    expect(formatCidr(s.config.nodeNetwork)).toBe('192.168.1.0/24');
    expect(formatIp(s.config.gateway)).toBe('192.168.1.1');
    expect(Object.keys(s.k8s.nodes)).toEqual([]);
    expect(s.docker).toBeUndefined();
  });

  it('routes as an administrator sets them: connected routes, defaults on the hosts, one static route per router', () => {
    const s = build().state;
    expect(routes(s.netns[WS]!)).toEqual(['default via 192.168.1.1 dev eth0', '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.100']);
    expect(routes(s.netns[H1]!)).toEqual(['default via 192.168.1.1 dev eth0', '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10']);
    expect(routes(s.netns[H2]!)).toEqual(['default via 192.168.2.1 dev eth0', '192.168.2.0/24 dev eth0 proto kernel scope link src 192.168.2.10']);
    expect(routes(s.netns[R1]!)).toEqual(['10.0.0.0/30 dev eth1 proto kernel scope link src 10.0.0.1', '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.1', '192.168.2.0/24 via 10.0.0.2 dev eth1']);
    expect(routes(s.netns[R2]!)).toEqual(['10.0.0.0/30 dev eth1 proto kernel scope link src 10.0.0.2', '192.168.1.0/24 via 10.0.0.1 dev eth1', '192.168.2.0/24 dev eth0 proto kernel scope link src 192.168.2.1']);
    expect([WS, H1, H2, R1, R2].map((n) => s.netns[n]!.ipForward)).toEqual([false, false, false, true, true]);
    // Longest prefix: router-1 has no default route at all.
    expect(lookupRoute(s.netns[R1]!, ip('8.8.8.8'))).toBeUndefined();
  });

  it('gives every interface its address with the broadcast address, and the transit link its MTU', () => {
    const s = build({ transitMtu: 1400 }).state;
    const addrs = (n: string): string[] => s.netns[n]!.devices.filter((d) => d.kind !== 'loopback').map((d) => `${d.name} ${d.addrs.map((a) => `${formatIp(a.ip)}/${a.len} brd ${formatIp(a.brd!)}`).join()} mtu ${d.mtu}`);
    expect(addrs(R1)).toEqual(['eth0 192.168.1.1/24 brd 192.168.1.255 mtu 1500', 'eth1 10.0.0.1/30 brd 10.0.0.3 mtu 1400']);
    expect(addrs(R2)).toEqual(['eth0 192.168.2.1/24 brd 192.168.2.255 mtu 1500', 'eth1 10.0.0.2/30 brd 10.0.0.3 mtu 1400']);
    expect(addrs(WS)).toEqual(['eth0 192.168.1.100/24 brd 192.168.1.255 mtu 1500']);
    const macs = Object.values(s.netns).flatMap((n) => n.devices.filter((d) => d.kind !== 'loopback').map((d) => d.mac));
    expect(new Set(macs).size).toBe(macs.length);
  });

  it('is the named topology "routed", and the same seed builds the same network', () => {
    expect(TOPOLOGIES['routed']!.description).toMatch(/router-1, router-2/);
    expect(JSON.stringify(TOPOLOGIES['routed']!.build(3, T0))).toBe(JSON.stringify(buildRoutedNetwork({}, 3, T0)));
    expect(mac(build({}, 1), R1, 'eth0')).not.toBe(mac(build({}, 2), R1, 'eth0'));
    // A machine's addresses come from its own stream: more hosts do not change the routers.
    expect(mac(build({ hostsPerLan: 3 }), R1, 'eth1')).toBe(mac(build(), R1, 'eth1'));
  });

  it('adds host-1b, host-1c... after host-1 with hostsPerLan', () => {
    expect(routedHostNames(2, 3)).toEqual(['host-2', 'host-2b', 'host-2c']);
    const s = build({ hostsPerLan: 3 }).state;
    expect(formatIp(deviceByName(s.netns['host/host-1c']!, 'eth0')!.addrs[0]!.ip)).toBe('192.168.1.12');
    expect(formatIp(deviceByName(s.netns['host/host-2b']!, 'eth0')!.addrs[0]!.ip)).toBe('192.168.2.11');
    expect(s.segments['lan-2']!.ports).toHaveLength(4);
    expect(() => buildRoutedNetwork({ hostsPerLan: 95 }, 1, T0)).toThrow();
    expect(() => buildRoutedNetwork({ lan2: '192.168.1.0/25' }, 1, T0)).toThrow(/overlap/);
  });
});

describe('packets across the routed topology', () => {
  it('loses one TTL per router: 64 on the LAN, 63 from a router behind one, 62 from host-2', () => {
    const sim = build();
    const r = ping(sim, WS, '192.168.2.10');
    expect(r.outcome).toMatchObject({ kind: 'reply', ttl: 62, from: ip('192.168.2.10') });
    expect(ping(sim, WS, '192.168.1.10').outcome).toMatchObject({ kind: 'reply', ttl: 64 });
    expect(ping(sim, WS, '10.0.0.2').outcome).toMatchObject({ kind: 'reply', ttl: 63 });
    expect(ping(sim, H2, '192.168.1.10').outcome).toMatchObject({ kind: 'reply', ttl: 62 });
    // The request arrives at host-2 with TTL 62 and a checksum patched twice.
    const atHost2 = framesOn(r.trace.captures, H2, 'eth0', 'in')[0]!.p;
    expect(atHost2.ttl).toBe(62);
    expect(r.trace.routed).toBe(4);
  });

  it('rewrites the Ethernet header at each router while the IP addresses stay', () => {
    const sim = build();
    const { trace } = ping(sim, WS, '192.168.2.10');
    // On LAN 1: workstation -> router-1's eth0.
    const lan1 = framesOn(trace.captures, R1, 'eth0', 'in')[0]!;
    expect([lan1.src, lan1.dst]).toEqual([mac(sim, WS, 'eth0'), mac(sim, R1, 'eth0')]);
    // On the transit link: router-1's eth1 -> router-2's eth1.
    const transit = framesOn(trace.captures, R1, 'eth1', 'out')[0]!;
    expect([transit.src, transit.dst]).toEqual([mac(sim, R1, 'eth1'), mac(sim, R2, 'eth1')]);
    // On LAN 2: router-2's eth0 -> host-2.
    const lan2 = framesOn(trace.captures, R2, 'eth0', 'out')[0]!;
    expect([lan2.src, lan2.dst]).toEqual([mac(sim, R2, 'eth0'), mac(sim, H2, 'eth0')]);
    for (const f of [lan1, transit, lan2]) expect([formatIp(f.p.src), formatIp(f.p.dst)]).toEqual(['192.168.1.100', '192.168.2.10']);
    expect([lan1.p.ttl, transit.p.ttl, lan2.p.ttl]).toEqual([64, 63, 62]);
    // Same identification, checksum up by 0x0100 per decrement (RFC 1624).
    expect(new Set([lan1.p.id, transit.p.id, lan2.p.id]).size).toBe(1);
    expect([transit.p.checksum - lan1.p.checksum, lan2.p.checksum - transit.p.checksum]).toEqual([0x100, 0x100]);
    // The reply comes back the same way, rewritten again: router-1 puts its eth0 MAC on it.
    const back = framesOn(trace.captures, R1, 'eth0', 'out')[0]!;
    expect([back.src, back.dst, formatIp(back.p.src), back.p.ttl]).toEqual([mac(sim, R1, 'eth0'), mac(sim, WS, 'eth0'), '192.168.2.10', 62]);
    // Each router learned its neighbours by ARP on each link.
    expect(sim.state.netns[R1]!.neigh.map((n) => `${formatIp(n.ip)} ${n.dev}`).sort()).toEqual(['10.0.0.2 eth1', '192.168.1.100 eth0']);
  });

  it('answers traceroute probes from each router in turn, from the address of its route back', () => {
    const sim = build();
    const from: string[] = [];
    for (let ttl = 1; ttl <= 3; ttl++) {
      const r = sim.udpRequest(WS, ip('192.168.2.10'), 33433 + ttl, new Uint8Array(32), 40000, ttl);
      if (r.kind !== 'icmp-error') throw new Error(`probe ${ttl}: ${r.kind}`);
      from.push(`${formatIp(r.from)} ${r.type}/${r.code}`);
    }
    expect(from).toEqual(['192.168.1.1 11/0', '10.0.0.2 11/0', '192.168.2.10 3/3']);
  });

  it('refuses DF packets larger than the transit MTU with "fragmentation needed", and the sender keeps that path MTU', () => {
    const sim = build({ transitMtu: 1400 });
    const first = ping(sim, WS, '192.168.2.10', { size: 1472, pmtu: 'do' });
    expect(first.outcome).toMatchObject({ kind: 'icmp-error', from: ip('192.168.1.1'), type: ICMP_DEST_UNREACH, code: 4, mtu: 1400 });
    // The error quotes the packet as it arrived (TTL 64), as much of it as fits in 576 bytes.
    const err = first.trace.deliveries.find((d) => d.ns === WS)!.packet;
    expect([err.tos, err.ttl, err.df, err.payload.kind === 'icmp' && err.payload.data.length]).toEqual([0xc0, 64, false, 548]);
    const quoted = err.payload.kind === 'icmp' ? err.payload.data : new Uint8Array();
    expect([quoted[8], (quoted[2]! << 8) | quoted[3]!]).toEqual([64, 1500]);
    // Nothing crossed the transit link.
    expect(framesOn(first.trace.captures, R1, 'eth1', 'out')).toEqual([]);
    expect(cachedPmtu(sim.state.netns[WS]!, ip('192.168.2.10'), T0)).toMatchObject({ mtu: 1400, expires: T0 + 600_000 });
    // Now the workstation's own kernel refuses the next one (ping: local error: message too long, mtu=1400).
    expect(ping(sim, WS, '192.168.2.10', { size: 1472, pmtu: 'do' }).outcome).toMatchObject({ kind: 'local-error', errno: 'EMSGSIZE', mtu: 1400 });
    // Without -M do, the packet leaves in fragments that fit the path.
    const frag = ping(sim, WS, '192.168.2.10', { size: 1472 });
    expect(frag.outcome).toMatchObject({ kind: 'reply', bytes: 1480, ttl: 62 });
    expect(framesOn(frag.trace.captures, WS, 'eth0', 'out').map((f) => 20 + (f.p.payload.kind === 'raw' ? f.p.payload.data.length : 0))).toEqual([1396, 124]);
    // What fits goes through; other destinations are not affected.
    expect(ping(sim, WS, '192.168.2.10', { size: 1372, pmtu: 'do' }).outcome).toMatchObject({ kind: 'reply' });
    expect(cachedPmtu(sim.state.netns[WS]!, ip('192.168.2.1'), T0)).toBeUndefined();
  });

  it('forgets a learned path MTU after ten minutes', () => {
    const clock = new VirtualClock(T0);
    const sim = Sim.fromState(buildRoutedNetwork({ transitMtu: 1400 }, 1, T0), clock);
    sim.ping(WS, ip('192.168.2.10'), { id: 1, seq: 1, size: 1472, pmtu: 'do' });
    clock.advance(600_000);
    expect(sim.ping(WS, ip('192.168.2.10'), { id: 1, seq: 2, size: 1472, pmtu: 'do' }).outcome).toMatchObject({ kind: 'icmp-error', code: 4, mtu: 1400 });
  });

  it('locks a path MTU below 552 at 552, and stops setting DF', () => {
    const sim = build({ transitMtu: 500 });
    expect(ping(sim, WS, '192.168.2.10', { size: 1472, pmtu: 'do' }).outcome).toMatchObject({ kind: 'icmp-error', code: 4, mtu: 500 });
    expect(cachedPmtu(sim.state.netns[WS]!, ip('192.168.2.10'), T0)).toMatchObject({ mtu: 552, locked: true });
    expect(ping(sim, WS, '192.168.2.10', { size: 600, pmtu: 'do' }).outcome).toMatchObject({ kind: 'local-error', errno: 'EMSGSIZE', mtu: 552 });
    const r = ping(sim, WS, '192.168.2.10', { size: 300 });
    expect(r.outcome).toMatchObject({ kind: 'reply' });
    expect(framesOn(r.trace.captures, WS, 'eth0', 'out')[0]!.p.df).toBe(false);
  });

  it('sends -M do packets with IP identification 0, as Linux does for DF it may not clear', () => {
    const sim = build();
    const out = (r: PingResult): Ipv4Packet => framesOn(r.trace.captures, WS, 'eth0', 'out')[0]!.p;
    const dont = out(ping(sim, WS, '192.168.1.10'));
    expect(dont.df).toBe(true);
    expect(dont.id).not.toBe(0);
    expect(out(ping(sim, WS, '192.168.1.10', { pmtu: 'do' })).id).toBe(0);
  });

  it('answers a packet for an unknown network with ICMP net unreachable from the first router, whatever its TTL', () => {
    const sim = build();
    expect(ping(sim, WS, '10.9.9.9').outcome).toMatchObject({ kind: 'icmp-error', from: ip('192.168.1.1'), type: ICMP_DEST_UNREACH, code: 0 });
    // The input route lookup fails before the TTL is looked at (traceroute shows !N at hop 1).
    expect(ping(sim, WS, '10.9.9.9', { ttl: 1 }).outcome).toMatchObject({ kind: 'icmp-error', from: ip('192.168.1.1'), type: ICMP_DEST_UNREACH, code: 0 });
    // A host without a route fails locally: connect: Network is unreachable.
    sim.state.netns[H1]!.routes = sim.state.netns[H1]!.routes.filter((r) => r.dst.len !== 0);
    expect(ping(sim, H1, '192.168.2.10').outcome).toMatchObject({ kind: 'local-error', errno: 'ENETUNREACH' });
  });

  it('after `ip route del 192.168.1.0/24` on router-2, router-2 answers host-2 with net unreachable', () => {
    const sim = build();
    expect(ping(sim, WS, '192.168.2.10').outcome.kind).toBe('reply');
    const r2 = sim.state.netns[R2]!;
    r2.routes = r2.routes.filter((r) => formatCidr(r.dst) !== '192.168.1.0/24');
    // The request still arrives; host-2's reply is refused by router-2: the workstation hears nothing.
    const lost = ping(sim, WS, '192.168.2.10');
    expect(lost.outcome.kind).toBe('lost');
    expect(framesOn(lost.trace.captures, H2, 'eth0', 'in').filter((f) => f.p.payload.kind === 'icmp' && f.p.payload.type === 8)).toHaveLength(1);
    const unreach = lost.trace.deliveries.find((d) => d.ns === H2 && d.packet.payload.kind === 'icmp' && d.packet.payload.type === ICMP_DEST_UNREACH);
    expect(unreach && [formatIp(unreach.packet.src), unreach.packet.payload.kind === 'icmp' && unreach.packet.payload.code]).toEqual(['192.168.2.1', 0]);
    // From host-2 itself: From 192.168.2.1 icmp_seq=1 Destination Net Unreachable.
    expect(ping(sim, H2, '192.168.1.100').outcome).toMatchObject({ kind: 'icmp-error', from: ip('192.168.2.1'), type: ICMP_DEST_UNREACH, code: 0 });
  });

  it('quotes the whole of a small probe in time exceeded, TTL as it arrived', () => {
    const sim = build();
    const probe = ipv4({ src: ip('192.168.1.100'), dst: ip('192.168.2.10'), ttl: 2, id: 7, df: false, payload: udp(ip('192.168.1.100'), ip('192.168.2.10'), 40000, 33435, new Uint8Array(32)) });
    const t = sim.send(WS, probe);
    const err = t.deliveries.find((d) => d.ns === WS)!.packet;
    if (err.payload.kind !== 'icmp') throw new Error('no ICMP error');
    expect([formatIp(err.src), err.ttl, err.payload.type, err.payload.data.length]).toEqual(['10.0.0.2', 63, ICMP_TIME_EXCEEDED, 60]);
    expect(decodeIpv4(err.payload.data).ttl).toBe(1);
  });
});
