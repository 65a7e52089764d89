import { describe, expect, it } from 'vitest';
import { create as ctCreate } from './conntrack';
import { ip } from './ipv4';
import { addDest, connCounts, deleteDest, emptyStats, ipvsReply, ipvsRequest, rrSchedule, type IpvsService, type IpvsTable } from './ipvs';
import { ipv4, tcp, TCP_ACK, TCP_FIN, TCP_SYN, udp, type Ipv4Packet } from './packet';

const VIP = ip('10.96.0.50');
const CLIENT = ip('10.244.1.7');
const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);

function service(dests: string[]): { t: IpvsTable; svc: IpvsService } {
  const svc: IpvsService = { proto: 'TCP', addr: VIP, port: 80, scheduler: 'rr', dests: [], stats: emptyStats() };
  for (const d of dests) addDest(svc, ip(d), 8080);
  return { t: { services: [svc], conns: [] }, svc };
}

function seg(src: number, dst: number, sport: number, dport: number, flags: number): Ipv4Packet {
  return ipv4({ src, dst, ttl: 64, id: 1, df: true, payload: tcp(src, dst, { srcPort: sport, dstPort: dport, flags }) });
}

describe('IPVS round robin (ip_vs_rr)', () => {
  it('adds real servers at the head of the list and then walks it in order, wrapping', () => {
    const { svc } = service(['10.244.1.2', '10.244.1.3', '10.244.2.2']);
    expect(svc.dests.map((d) => d.addr)).toEqual([ip('10.244.2.2'), ip('10.244.1.3'), ip('10.244.1.2')]);
    const picks = Array.from({ length: 5 }, () => rrSchedule(svc)!.addr);
    expect(picks).toEqual(['10.244.2.2', '10.244.1.3', '10.244.1.2', '10.244.2.2', '10.244.1.3'].map(ip));
  });

  it('skips real servers of weight 0 and finds none when all are drained', () => {
    const { svc } = service(['10.244.1.2', '10.244.1.3']);
    svc.dests[0]!.weight = 0;
    expect([rrSchedule(svc)!.addr, rrSchedule(svc)!.addr]).toEqual([ip('10.244.1.2'), ip('10.244.1.2')]);
    svc.dests[1]!.weight = 0;
    expect(rrSchedule(svc)).toBeUndefined();
  });

  it('moves the pointer to the previous real server when the last chosen one is deleted', () => {
    const { svc } = service(['10.244.1.2', '10.244.1.3', '10.244.2.2']);
    rrSchedule(svc);
    rrSchedule(svc); // 10.244.1.3, the middle one
    deleteDest(svc, svc.dests[1]!);
    // The pointer is back on 10.244.2.2, so the next pick is the one after it.
    expect(rrSchedule(svc)!.addr).toBe(ip('10.244.1.2'));
  });
});

describe('IPVS connections', () => {
  it('follows a TCP exchange through the state table: SYN_RECV, ESTABLISHED (active), FIN_WAIT, TIME_WAIT (inactive, 2 minutes)', () => {
    const { t, svc } = service(['10.244.2.2']);
    const table = [] as Parameters<typeof ctCreate>[0];
    const syn = seg(CLIENT, VIP, 40000, 80, TCP_SYN);
    const entry = ctCreate(table, syn, T0)!;
    const v = ipvsRequest(t, syn, T0, { entry, table });
    expect(v.kind).toBe('xmit');
    if (v.kind !== 'xmit') return;
    expect(v.packet.dst).toBe(ip('10.244.2.2'));
    expect(v.packet.payload.kind === 'tcp' && v.packet.payload.dstPort).toBe(8080);
    // conntrack shows the real server, but netfilter's NAT is told to leave the packets to IPVS.
    expect(entry.ipvs).toBe(true);
    expect(entry.reply.src).toBe(ip('10.244.2.2'));
    expect(t.conns[0]!.state).toBe('SYN_RECV');
    expect(connCounts(t, svc, svc.dests[0]!, T0)).toEqual({ active: 0, inactive: 1 });

    const back = (flags: number) => ipvsReply(t, seg(ip('10.244.2.2'), CLIENT, 8080, 40000, flags), T0);
    const synAck = back(TCP_SYN | TCP_ACK)!;
    expect(synAck.packet.src).toBe(VIP);
    expect(synAck.packet.payload.kind === 'tcp' && synAck.packet.payload.srcPort).toBe(80);
    ipvsRequest(t, seg(CLIENT, VIP, 40000, 80, TCP_ACK), T0);
    expect(t.conns[0]!.state).toBe('ESTABLISHED');
    expect(t.conns[0]!.expires - T0).toBe(900_000);
    expect(connCounts(t, svc, svc.dests[0]!, T0)).toEqual({ active: 1, inactive: 0 });
    back(TCP_FIN | TCP_ACK);
    expect(t.conns[0]!.state).toBe('FIN_WAIT');
    ipvsRequest(t, seg(CLIENT, VIP, 40000, 80, TCP_FIN | TCP_ACK), T0);
    expect(t.conns[0]!.state).toBe('TIME_WAIT');
    expect(t.conns[0]!.expires - T0).toBe(120_000);
    expect(connCounts(t, svc, svc.dests[0]!, T0)).toEqual({ active: 0, inactive: 1 });
    expect(connCounts(t, svc, svc.dests[0]!, T0 + 120_000)).toEqual({ active: 0, inactive: 0 });
    expect(svc.stats).toMatchObject({ conns: 1, inpkts: 3, outpkts: 2 });
  });

  it('leaves a TCP packet that is not a SYN and has no connection to the local stack', () => {
    const { t } = service(['10.244.2.2']);
    expect(ipvsRequest(t, seg(CLIENT, VIP, 40001, 80, TCP_ACK), T0).kind).toBe('none');
    expect(ipvsRequest(t, seg(CLIENT, VIP, 40001, 81, TCP_SYN), T0).kind).toBe('none');
  });

  it('answers port unreachable for a virtual server without real servers', () => {
    const { t } = service([]);
    expect(ipvsRequest(t, seg(CLIENT, VIP, 40002, 80, TCP_SYN), T0).kind).toBe('unreachable');
  });

  it('drops the packets of a connection whose real server was deleted (expire_nodest_conn)', () => {
    const { t, svc } = service(['10.244.2.2']);
    ipvsRequest(t, seg(CLIENT, VIP, 40003, 80, TCP_SYN), T0);
    deleteDest(svc, svc.dests[0]!);
    expect(ipvsRequest(t, seg(CLIENT, VIP, 40003, 80, TCP_ACK), T0).kind).toBe('drop');
    expect(t.conns).toEqual([]);
  });

  it('keeps a UDP flow on one real server for 5 minutes, counted as inactive', () => {
    const svc: IpvsService = { proto: 'UDP', addr: VIP, port: 53, scheduler: 'rr', dests: [], stats: emptyStats() };
    addDest(svc, ip('10.244.0.2'), 53);
    addDest(svc, ip('10.244.0.3'), 53);
    const t: IpvsTable = { services: [svc], conns: [] };
    const q = () => ipv4({ src: CLIENT, dst: VIP, ttl: 64, id: 1, df: false, payload: udp(CLIENT, VIP, 5353, 53, new Uint8Array(4)) });
    const a = ipvsRequest(t, q(), T0);
    const b = ipvsRequest(t, q(), T0 + 1000);
    expect(a.kind === 'xmit' && b.kind === 'xmit' && a.packet.dst === b.packet.dst).toBe(true);
    expect(t.conns).toHaveLength(1);
    expect(t.conns[0]!.state).toBe('UDP');
    expect(t.conns[0]!.expires).toBe(T0 + 1000 + 300_000);
    // The newest real server is first in the list: rr picked 10.244.0.3.
    expect(t.conns[0]!.daddr).toBe(ip('10.244.0.3'));
    expect(connCounts(t, svc, svc.dests[0]!, T0)).toEqual({ active: 0, inactive: 1 });
  });

  it('starts a new connection when a SYN meets one in TIME_WAIT (conn_reuse_mode)', () => {
    const { t, svc } = service(['10.244.1.2', '10.244.2.2']);
    ipvsRequest(t, seg(CLIENT, VIP, 40004, 80, TCP_SYN), T0);
    t.conns[0]!.state = 'TIME_WAIT';
    const first = t.conns[0]!.daddr;
    ipvsRequest(t, seg(CLIENT, VIP, 40004, 80, TCP_SYN), T0 + 1000);
    expect(t.conns).toHaveLength(1);
    expect(t.conns[0]!.daddr).not.toBe(first);
    expect(svc.stats.conns).toBe(2);
  });
});
