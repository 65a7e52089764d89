import { describe, expect, it } from 'vitest';
import { create, lookup, touch, type ConntrackEntry } from './conntrack';
import { ip } from './ipv4';
import { icmp, ipv4, tcp, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Ipv4Packet } from './packet';

const A = ip('10.244.1.3');
const B = ip('10.244.2.2');
const echo = (id: number, type = 8): Ipv4Packet =>
  ipv4({ src: type === 8 ? A : B, dst: type === 8 ? B : A, payload: icmp(type, 0, (id << 16) | 1, new Uint8Array(8)) });

describe('conntrack table', () => {
  it('reopens a closed TCP connection for a new SYN on its tuple, and only then', () => {
    const seg = (from: 'a' | 'b', flags: number): Ipv4Packet => {
      const [src, dst, sport, dport] = from === 'a' ? [A, B, 40000, 80] : [B, A, 80, 40000];
      return ipv4({ src, dst, payload: tcp(src, dst, { srcPort: sport, dstPort: dport, seq: 1, ack: 1, flags }) });
    };
    const t0 = 1_000_000;
    const table: ConntrackEntry[] = [];
    create(table, seg('a', TCP_SYN), t0);
    const steps: ['a' | 'b', number][] = [['b', TCP_SYN | TCP_ACK], ['a', TCP_ACK], ['a', TCP_FIN | TCP_ACK], ['b', TCP_FIN | TCP_ACK], ['a', TCP_ACK]];
    for (const [from, flags] of steps) touch(lookup(table, seg(from, flags), t0)!, seg(from, flags), t0);
    expect(table[0]!.tcpState).toBe('TIME_WAIT');
    // A late ACK still belongs to the old connection; a SYN starts a new one.
    expect(lookup(table, seg('a', TCP_ACK), t0 + 1)?.dir).toBe('orig');
    expect(lookup(table, seg('a', TCP_SYN), t0 + 2)).toBeUndefined();
    expect(table).toHaveLength(0);
    // A SYN retransmitted while the first is unanswered is the same connection.
    create(table, seg('a', TCP_SYN), t0 + 3);
    expect(lookup(table, seg('a', TCP_SYN), t0 + 1003)?.dir).toBe('orig');
    // After a reset the tuple is free again.
    touch(lookup(table, seg('b', TCP_RST | TCP_ACK), t0 + 1004)!, seg('b', TCP_RST | TCP_ACK), t0 + 1004);
    expect(lookup(table, seg('a', TCP_SYN), t0 + 1005)).toBeUndefined();
  });

  it('finds an echo flow from both directions until it expires, then forgets it', () => {
    const table: ConntrackEntry[] = [];
    const t0 = 1_000_000;
    create(table, echo(7), t0);
    const reply = lookup(table, echo(7, 0), t0 + 1000);
    expect(reply?.dir).toBe('reply');
    touch(reply!, echo(7, 0), t0 + 1000);
    expect(lookup(table, echo(7), t0 + 30_999)?.dir).toBe('orig');
    expect(lookup(table, echo(7), t0 + 31_000)).toBeUndefined();
    expect(table).toHaveLength(0);
  });

  it('sweeps out expired flows nobody looks up again, so a long session keeps only live ones', () => {
    const table: ConntrackEntry[] = [];
    // One new echo flow every second for an hour: ICMP flows live 30 s, so about 30 are live
    // at any time however many came before.
    let now = 5_000_000;
    for (let id = 1; id <= 3600; id++, now += 1000) create(table, echo(id), now);
    const live = table.filter((e) => e.expires > now);
    expect(live.length).toBeGreaterThanOrEqual(29);
    expect(live.length).toBeLessThanOrEqual(30);
    expect(table.length).toBeLessThanOrEqual(2 * 64);
    // The live ones are still found; a swept one is not.
    expect(lookup(table, echo(3600), now)?.dir).toBe('orig');
    expect(lookup(table, echo(1), now)).toBeUndefined();
  });

  it('keeps every flow while none has expired', () => {
    const table: ConntrackEntry[] = [];
    for (let id = 1; id <= 500; id++) create(table, echo(id), 1_000_000);
    expect(table).toHaveLength(500);
    for (const id of [1, 250, 500]) expect(lookup(table, echo(id), 1_000_000)?.entry.orig.sport).toBe(id);
  });
});
