import { describe, expect, it } from 'vitest';
import { create, dnatOrig, isIcmpError, lookup, natRelated, quotedTuple, reindex, related, setDnat, setSnat, snatOrig, touch, type ConntrackEntry } from './conntrack';
import { ip, type Ip } from './ipv4';
import { checksumsValid, encodeIpv4, icmp, ipv4, tcp, udp, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type IcmpMessage, type Ipv4Packet } from './packet';
import { rngOver, seedState } from './rng';

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

describe('ICMP errors RELATED to a connection (nf_conntrack_inet_error, nf_nat_icmp_reply_translation)', () => {
  // A container (C) behind a masquerading host (H) sends to a far host (F); a router (R) on the
  // way answers. A client (K) asks a ClusterIP (V) that is DNATed to a pod (P).
  const C = ip('172.17.0.2');
  const H = ip('192.168.56.11');
  const F = ip('192.0.2.14');
  const R = ip('192.168.56.1');
  const K = ip('10.244.2.5');
  const V = ip('10.96.0.10');
  const P = ip('10.244.1.7');
  const T0 = 1_000_000;
  const rng = rngOver(seedState(1));
  const probe = (src: Ip, dst: Ip, sport: number, dport: number, ttl = 2): Ipv4Packet =>
    ipv4({ src, dst, ttl, id: 0x1234, df: false, payload: udp(src, dst, sport, dport, new Uint8Array(18)) });
  /** An ICMP error from `from` to `to` quoting `about` as icmp_send does (the whole of a small packet). */
  const error = (from: Ip, to: Ip, about: Ipv4Packet, type = 11, code = 0, rest = 0): Ipv4Packet =>
    ipv4({ src: from, dst: to, ttl: 64, tos: 0xc0, payload: icmp(type, code, rest, encodeIpv4(about)) });
  const quoted = (p: Ipv4Packet): Uint8Array => (p.payload as IcmpMessage).data;

  /** The masqueraded flow C:40000 -> F:33435, as H's conntrack holds it (source port kept or changed). */
  function masqueraded(port?: number): { table: ConntrackEntry[]; sent: Ipv4Packet; wire: Ipv4Packet } {
    const table: ConntrackEntry[] = [];
    const sent = probe(C, F, 40000, 33435);
    const e = create(table, sent, T0)!;
    setSnat(table, e, H, rng, false, port);
    reindex(table, e);
    return { table, sent, wire: snatOrig(e, sent) };
  }

  it('finds the connection from the quoted header, in the reply direction, only where its replies go', () => {
    const { table, wire } = masqueraded();
    const err = error(R, H, wire);
    expect(isIcmpError(err)).toBe(true);
    expect(quotedTuple(err)).toEqual({ proto: 17, src: H, dst: F, sport: 40000, dport: 33435 });
    expect(related(table, err, T0)?.dir).toBe('reply');
    // An error addressed elsewhere than the connection's reply destination is not RELATED.
    expect(related(table, error(R, ip('192.168.56.12'), wire), T0)).toBeUndefined();
    // Nor one about a flow the table never saw, nor once the connection has expired.
    expect(related(table, error(R, H, probe(H, F, 40001, 33435)), T0)).toBeUndefined();
    expect(related(table, err, T0 + 30_000)).toBeUndefined();
    // Echo requests and replies are not errors; a quote too short for the ports finds nothing.
    expect(isIcmpError(ipv4({ src: F, dst: H, payload: icmp(0, 0, 1 << 16, new Uint8Array(8)) }))).toBe(false);
    expect(quotedTuple(ipv4({ src: R, dst: H, payload: icmp(11, 0, 0, encodeIpv4(wire).slice(0, 24)) }))).toBeUndefined();
  });

  it('at PREROUTING undoes the masquerade: the destination and the quoted source go back to the container, every checksum right', () => {
    const { table, sent, wire } = masqueraded(50000);
    const err = error(R, H, wire, 3, 4, 1400);
    const hit = related(table, err, T0)!;
    // Nothing to do at POSTROUTING: the connection has no DNAT.
    expect(natRelated(hit, err, 'src')).toBe(err);
    const back = natRelated(hit, err, 'dst');
    expect(back.src).toBe(R);
    expect(back.dst).toBe(C);
    expect((back.payload as IcmpMessage).rest).toBe(1400);
    // The quoted packet is again the one the container sent, byte for byte: address, port,
    // IP header checksum and UDP checksum patched back (RFC 1624).
    expect([...quoted(back)]).toEqual([...encodeIpv4(sent)]);
    expect(checksumsValid(back)).toBe(true);
  });

  it('at POSTROUTING undoes a DNAT: the error comes from the ClusterIP and quotes the ClusterIP and port', () => {
    const table: ConntrackEntry[] = [];
    const asked = probe(K, V, 41234, 53, 63);
    const e = create(table, asked, T0)!;
    setDnat(e, P, 53);
    reindex(table, e);
    const delivered = dnatOrig(e, asked);
    const unreachable = error(P, K, delivered, 3, 3);
    const hit = related(table, unreachable, T0)!;
    expect(hit.dir).toBe('reply');
    expect(natRelated(hit, unreachable, 'dst')).toBe(unreachable);
    const back = natRelated(hit, unreachable, 'src');
    expect(back.src).toBe(V);
    expect(back.dst).toBe(K);
    expect([...quoted(back)]).toEqual([...encodeIpv4(asked)]);
    expect(checksumsValid(back)).toBe(true);
  });

  it('an error about a reply packet travels in the original direction and gets the NAT applied instead', () => {
    const table: ConntrackEntry[] = [];
    const asked = probe(K, V, 41234, 53, 63);
    const e = create(table, asked, T0)!;
    setDnat(e, P, 53);
    reindex(table, e);
    // The client's side quotes the reply as it arrived there: from V:53.
    const reply = probe(V, K, 53, 41234, 1);
    const err = error(R, V, reply);
    const hit = related(table, err, T0)!;
    expect(hit.dir).toBe('orig');
    const on = natRelated(hit, err, 'dst');
    expect(on.dst).toBe(P);
    expect(quotedTuple(on)).toEqual({ proto: 17, src: P, dst: K, sport: 53, dport: 41234 });
    expect(checksumsValid(on)).toBe(true);
  });

  it('an echo request masqueraded to another identifier gets its own identifier back, with the echo checksum patched', () => {
    const table: ConntrackEntry[] = [];
    const sent = ipv4({ src: C, dst: F, ttl: 1, payload: icmp(8, 0, (0x4242 << 16) | 7, new Uint8Array(56)) });
    const e = create(table, sent, T0)!;
    setSnat(table, e, H, rng, false, 0x9999);
    reindex(table, e);
    const wire = snatOrig(e, sent);
    expect((wire.payload as IcmpMessage).rest >>> 16).toBe(0x9999);
    const err = error(R, H, wire);
    const back = natRelated(related(table, err, T0)!, err, 'dst');
    expect(back.dst).toBe(C);
    expect([...quoted(back)]).toEqual([...encodeIpv4(sent)]);
    expect(checksumsValid(back)).toBe(true);
  });

  it('a quote cut short of the TCP checksum gets its port and address, the checksum it does not hold untouched', () => {
    const table: ConntrackEntry[] = [];
    const syn = ipv4({ src: C, dst: F, ttl: 1, payload: tcp(C, F, { srcPort: 40000, dstPort: 443, seq: 1, ack: 0, flags: TCP_SYN }) });
    const e = create(table, syn, T0)!;
    setSnat(table, e, H, rng, false, 50000);
    reindex(table, e);
    const wire = snatOrig(e, syn);
    const err = ipv4({ src: R, dst: H, ttl: 64, payload: icmp(11, 0, 0, encodeIpv4(wire).slice(0, 28)) });
    const back = natRelated(related(table, err, T0)!, err, 'dst');
    const q = quoted(back);
    expect([...q.slice(0, 24)]).toEqual([...encodeIpv4(syn).slice(0, 24)]);
    expect(checksumsValid(back)).toBe(true);
  });
});
