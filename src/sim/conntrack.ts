/**
 * Connection tracking and NAT, per network namespace.
 *
 * Design notes: as in Linux, only the first packet of a connection walks the nat table; the
 * NAT decision is stored in the conntrack entry as a rewritten reply tuple, and every later
 * packet is translated from the entry alone: original-direction packets get the DNAT at
 * PREROUTING/OUTPUT and the SNAT at POSTROUTING; reply packets get the reverse SNAT (their
 * destination) at PREROUTING and the reverse DNAT (their source) at POSTROUTING or on local
 * delivery. This is how a reply from a Service's pod comes back to the client from the
 * ClusterIP it asked for. MASQUERADE picks the outgoing interface's address; with
 * --random-fully the source port is drawn at random (from the seeded RNG), otherwise kept.
 * ICMP echo is tracked by its identifier and type, as Linux does (a request's reply tuple has
 * type 0, so a request never matches another flow's reply); when two flows would masquerade
 * to the same tuple, NAT picks another port or echo identifier. Entries expire after the kernel's default timeouts
 * (ICMP 30 s, UDP 30 s / 120 s once replied, TCP by state), checked lazily: a lookup that finds
 * an expired entry drops it, and creating an entry sweeps the expired ones out whenever the
 * table has doubled since the last sweep (the kernel's garbage collector, amortised), so a
 * long session's table holds about what `conntrack -L` lists. A SYN whose tuple belongs to a
 * connection that was closed (TIME_WAIT, or CLOSE after a reset) reopens it as
 * nf_conntrack_proto_tcp does: the old entry goes and the SYN starts a new one, NAT decision
 * included, so a client reusing a source port is not sent to the old connection's backend.
}

 * long session's table holds about what `conntrack -L` lists. `deleteEntries` removes entries
 * (`conntrack -D`, `-F`): the connection's next packet starts a new entry and walks the nat
 * table again.
 * Left out: RELATED tracking of ICMP errors (their quoted headers are not translated),
 * helpers (FTP...), zones, the conntrack table size limit.
 */
import { formatIp, type Ip } from './ipv4';
import { icmp, ipv4HeaderChecksum, tcp, udp, type Ipv4Packet } from './packet';
import type { Rng } from './rng';

export interface Tuple {
  src: Ip;
  dst: Ip;
  sport: number;
  dport: number;
}

export interface ConntrackEntry {
  proto: number;
  orig: Tuple;
  reply: Tuple;
  /** A reply has been seen (conntrack's ASSURED/[UNREPLIED] distinction). */
  replied: boolean;
  /** TCP state as conntrack names it; `` for other protocols. */
  tcpState: string;
  /** Epoch ms after which the entry is gone. */
  expires: number;
  mark: number;
  /**
   * IPVS owns the connection (net.ipv4.vs.conntrack=1): the reply tuple names the real server,
   * but netfilter's NAT leaves its packets alone; IPVS translates them (ipvs.ts).
   */
  ipvs?: boolean;
  /**
   * Made for a packet that has not yet left the host or been delivered: the kernel confirms an
   * entry only then (nf_conntrack_confirm at POSTROUTING and INPUT), so a first packet dropped
   * on the way (a DROP in FORWARD) leaves none, and its retransmission is NATed afresh.
   */
  unconfirmed?: boolean;
}

export interface CtHit {
  entry: ConntrackEntry;
  dir: 'orig' | 'reply';
}

/**
 * Ports of a packet as conntrack sees them. ICMP echo: `sport` is the identifier and `dport`
 * the type (8 request, 0 reply), so the reply tuple of a request is (id, 0).
 */
export function portsOf(p: Ipv4Packet): { sport: number; dport: number } | undefined {
  const pl = p.payload;
  if (pl.kind === 'udp') return { sport: pl.srcPort, dport: pl.dstPort };
  if (pl.kind === 'icmp') {
    if (pl.type === 8 || pl.type === 0) return { sport: pl.rest >>> 16, dport: pl.type };
    return undefined;
  }
  if (pl.kind === 'tcp') return { sport: pl.srcPort, dport: pl.dstPort };
  return undefined;
}

function tupleKey(proto: number, src: Ip, dst: Ip, sport: number, dport: number): string {
  return `${proto}|${src}|${dst}|${sport}|${dport}`;
}

/**
 * A hash index over a namespace's conntrack table (the kernel hashes tuples too), kept beside
 * the JSON array and rebuilt whenever the array was changed behind its back (a restore).
 */
interface CtIndex {
  size: number;
  map: Map<string, CtHit>;
}
const INDEXES = new WeakMap<ConntrackEntry[], CtIndex>();
/** Per table: the length at which creating an entry next sweeps out the expired ones. */
const SWEEP_AT = new WeakMap<ConntrackEntry[], number>();
const MIN_SWEEP = 64;

/** Drops expired entries when the table has doubled since the last sweep. */
function sweep(table: ConntrackEntry[], now: number): void {
  if (table.length < (SWEEP_AT.get(table) ?? MIN_SWEEP)) return;
  let kept = 0;
  for (const e of table) if (e.expires > now) table[kept++] = e;
  if (kept !== table.length) {
    table.length = kept;
    INDEXES.delete(table);
  }
  SWEEP_AT.set(table, Math.max(MIN_SWEEP, 2 * kept));
}

function indexOf(table: ConntrackEntry[]): CtIndex {
  let ix = INDEXES.get(table);
  if (ix && ix.size === table.length) return ix;
  ix = { size: table.length, map: new Map() };
  for (const e of table) addToIndex(ix, e);
  INDEXES.set(table, ix);
  return ix;
}

function addToIndex(ix: CtIndex, e: ConntrackEntry): void {
  ix.map.set(tupleKey(e.proto, e.orig.src, e.orig.dst, e.orig.sport, e.orig.dport), { entry: e, dir: 'orig' });
  ix.map.set(tupleKey(e.proto, e.reply.src, e.reply.dst, e.reply.sport, e.reply.dport), { entry: e, dir: 'reply' });
}

function remove(table: ConntrackEntry[], e: ConntrackEntry): void {
  const i = table.indexOf(e);
  if (i >= 0) table.splice(i, 1);
  INDEXES.delete(table);
}

export function lookup(table: ConntrackEntry[], p: Ipv4Packet, now: number): CtHit | undefined {
  const ports = portsOf(p);
  if (!ports) return undefined;
  const hit = indexOf(table).map.get(tupleKey(p.proto, p.src, p.dst, ports.sport, ports.dport));
  if (!hit) return undefined;
  if (hit.entry.expires <= now || reopens(hit, p)) {
    remove(table, hit.entry);
    return undefined;
  }
  // A stale key (the entry's reply side was rewritten by a NAT decision since): rebuild once.
  const t = hit.dir === 'orig' ? hit.entry.orig : hit.entry.reply;
  if (t.src !== p.src || t.dst !== p.dst || t.sport !== ports.sport || t.dport !== ports.dport) {
    INDEXES.delete(table);
    const again = indexOf(table).map.get(tupleKey(p.proto, p.src, p.dst, ports.sport, ports.dport));
    return again && (again.dir === 'orig' ? again.entry.orig : again.entry.reply).src === p.src ? { ...again } : undefined;
  }
  return { entry: hit.entry, dir: hit.dir };
}

/** A new SYN for the tuple of a closed TCP connection (nf_conntrack_tcp_packet's "reopen"). */
function reopens(hit: CtHit, p: Ipv4Packet): boolean {
  const pl = p.payload;
  return hit.dir === 'orig' && pl.kind === 'tcp' && (pl.flags & 0x12) === 0x02 && (hit.entry.tcpState === 'TIME_WAIT' || hit.entry.tcpState === 'CLOSE');
}

/**
 * Deletes the entries `drop` selects (`conntrack -D`, `-F`) and returns them; the table's
 * index is rebuilt on the next lookup, so a deleted connection's next packet is NEW again.
 */
export function deleteEntries(table: ConntrackEntry[], drop: (e: ConntrackEntry) => boolean): ConntrackEntry[] {
  const gone: ConntrackEntry[] = [];
  let kept = 0;
  for (const e of table) {
    if (drop(e)) gone.push(e);
    else table[kept++] = e;
  }
  table.length = kept;
  INDEXES.delete(table);
  return gone;
}

/** Call after a NAT decision changed an entry's reply tuple, so lookups find the new one. */
export function reindex(table: ConntrackEntry[], e: ConntrackEntry): void {
  const ix = INDEXES.get(table);
  if (ix && ix.size === table.length) addToIndex(ix, e);
}

export function create(table: ConntrackEntry[], p: Ipv4Packet, now: number): ConntrackEntry | undefined {
  const ports = portsOf(p);
  if (!ports) return undefined;
  sweep(table, now);
  const e: ConntrackEntry = {
    proto: p.proto,
    orig: { src: p.src, dst: p.dst, sport: ports.sport, dport: ports.dport },
    reply: p.proto === 1 ? { src: p.dst, dst: p.src, sport: ports.sport, dport: ports.dport === 8 ? 0 : 8 } : { src: p.dst, dst: p.src, sport: ports.dport, dport: ports.sport },
    replied: false,
    tcpState: p.proto === 6 ? 'SYN_SENT' : '',
    expires: now + timeoutMs(p.proto, false, 'SYN_SENT'),
    mark: 0,
  };
  table.push(e);
  const ix = INDEXES.get(table);
  if (ix && ix.size === table.length - 1) {
    ix.size++;
    addToIndex(ix, e);
  }
  return e;
}

/** The kernel's default timeouts (nf_conntrack_*_timeout*). */
export function timeoutMs(proto: number, replied: boolean, tcpState: string): number {
  if (proto === 1) return 30_000;
  if (proto === 17) return replied ? 120_000 : 30_000;
  if (proto === 6) {
    const s: Record<string, number> = { SYN_SENT: 120, SYN_RECV: 60, ESTABLISHED: 432_000, FIN_WAIT: 120, CLOSE_WAIT: 60, LAST_ACK: 30, TIME_WAIT: 120, CLOSE: 10 };
    return (s[tcpState] ?? 60) * 1000;
  }
  return 600_000;
}

/** Notes that a packet of the entry passed, in direction `dir`: replies, TCP state, timeout. */
export function touch(hit: CtHit, p: Ipv4Packet, now: number): void {
  const e = hit.entry;
  if (hit.dir === 'reply') e.replied = true;
  if (e.proto === 6) e.tcpState = nextTcpState(e.tcpState, hit.dir, p);
  e.expires = now + timeoutMs(e.proto, e.replied, e.tcpState);
}

function nextTcpState(state: string, dir: 'orig' | 'reply', p: Ipv4Packet): string {
  const f = p.payload.kind === 'tcp' ? p.payload.flags : 0;
  const SYN = 0x02;
  const ACK = 0x10;
  const FIN = 0x01;
  const RST = 0x04;
  if (f & RST) return 'CLOSE';
  if (dir === 'reply' && f & SYN && f & ACK && state === 'SYN_SENT') return 'SYN_RECV';
  if (dir === 'orig' && f & ACK && state === 'SYN_RECV') return 'ESTABLISHED';
  if (f & FIN) {
    if (state === 'ESTABLISHED') return 'FIN_WAIT';
    if (state === 'FIN_WAIT' || state === 'CLOSE_WAIT') return 'LAST_ACK';
  }
  if (state === 'LAST_ACK' && f & ACK) return 'TIME_WAIT';
  return state;
}

/** True when the entry's reply tuple shows a destination rewrite (DNAT). */
export function isDnat(e: ConntrackEntry): boolean {
  if (e.proto === 1) return e.reply.src !== e.orig.dst;
  return e.reply.src !== e.orig.dst || e.reply.sport !== e.orig.dport;
}

/** True when the entry's reply tuple shows a source rewrite (SNAT / MASQUERADE). */
export function isSnat(e: ConntrackEntry): boolean {
  if (e.proto === 1) return e.reply.dst !== e.orig.src || e.reply.sport !== e.orig.sport;
  return e.reply.dst !== e.orig.src || e.reply.dport !== e.orig.sport;
}

/** Records a DNAT decision in the entry. */
export function setDnat(e: ConntrackEntry, ip: Ip, port: number | undefined): void {
  e.reply.src = ip;
  if (port !== undefined && e.proto !== 1) e.reply.sport = port;
}

/**
 * Records an SNAT decision: the new source address, and a source port (echo identifier for
 * ICMP) that is random with --random-fully, otherwise kept unless another connection already
 * uses the resulting reply tuple, in which case another is drawn, as nf_nat does.
 */
export function setSnat(table: ConntrackEntry[], e: ConntrackEntry, ip: Ip, rng: Rng, randomFully: boolean, port?: number): void {
  e.reply.dst = ip;
  const icmp = e.proto === 1;
  const set = (v: number): void => {
    if (icmp) e.reply.sport = v;
    else e.reply.dport = v;
  };
  if (port !== undefined) set(port);
  else if (randomFully && !icmp) set(1024 + rng.int(65536 - 1024));
  const ix = indexOf(table).map;
  for (let tries = 0; tries < 64; tries++) {
    const other = ix.get(tupleKey(e.proto, e.reply.src, e.reply.dst, e.reply.sport, e.reply.dport));
    if (!other || other.entry === e) return;
    set(icmp ? rng.int(65536) : 1024 + rng.int(65536 - 1024));
  }
}

/** DNAT of an original-direction packet (PREROUTING/OUTPUT): to the entry's chosen endpoint. */
export function dnatOrig(e: ConntrackEntry, p: Ipv4Packet): Ipv4Packet {
  return rewrite(p, e.proto === 1 ? { dst: e.reply.src } : { dst: e.reply.src, dport: e.reply.sport });
}

/** Reverse SNAT of a reply (PREROUTING): back to the original source and port/identifier. */
export function unSnatReply(e: ConntrackEntry, p: Ipv4Packet): Ipv4Packet {
  return rewrite(p, e.proto === 1 ? { dst: e.orig.src, id: e.orig.sport } : { dst: e.orig.src, dport: e.orig.sport });
}

/** SNAT of an original-direction packet (POSTROUTING). */
export function snatOrig(e: ConntrackEntry, p: Ipv4Packet): Ipv4Packet {
  return rewrite(p, e.proto === 1 ? { src: e.reply.dst, id: e.reply.sport } : { src: e.reply.dst, sport: e.reply.dport });
}

/** Reverse DNAT of a reply (POSTROUTING or local delivery): from the address the client asked. */
export function unDnatReply(e: ConntrackEntry, p: Ipv4Packet): Ipv4Packet {
  return rewrite(p, e.proto === 1 ? { src: e.orig.dst } : { src: e.orig.dst, sport: e.orig.dport });
}

/** A copy of `p` with addresses/ports (or the ICMP echo identifier) rewritten, checksums recomputed. */
export function rewrite(p: Ipv4Packet, to: { src?: Ip; dst?: Ip; sport?: number; dport?: number; id?: number }): Ipv4Packet {
  const src = to.src ?? p.src;
  const dst = to.dst ?? p.dst;
  let payload = p.payload;
  if (payload.kind === 'icmp' && to.id !== undefined) {
    payload = icmp(payload.type, payload.code, ((to.id & 0xffff) << 16) | (payload.rest & 0xffff), payload.data);
  } else if (payload.kind === 'udp') {
    payload = udp(src, dst, to.sport ?? payload.srcPort, to.dport ?? payload.dstPort, payload.payload, payload.checksum !== 0);
  } else if (payload.kind === 'tcp') {
    payload = tcp(src, dst, { ...payload, srcPort: to.sport ?? payload.srcPort, dstPort: to.dport ?? payload.dstPort });
  }
  const q: Ipv4Packet = { ...p, src, dst, payload };
  q.checksum = ipv4HeaderChecksum(q);
  return q;
}

/** `conntrack -L` style text for one entry (used by the shell later and by traces now). */
export function describe(e: ConntrackEntry): string {
  const proto = e.proto === 6 ? 'tcp' : e.proto === 17 ? 'udp' : e.proto === 1 ? 'icmp' : String(e.proto);
  const t = (x: Tuple): string => `src=${formatIp(x.src)} dst=${formatIp(x.dst)} ${e.proto === 1 ? `type=${x.dport} code=0 id=${x.sport}` : `sport=${x.sport} dport=${x.dport}`}`;
  return `${proto} ${e.tcpState ? e.tcpState + ' ' : ''}${t(e.orig)}${e.replied ? '' : ' [UNREPLIED]'} ${t(e.reply)}`;
}
