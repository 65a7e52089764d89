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
 * `deleteEntries` removes entries (`conntrack -D`, `-F`): the connection's next packet starts
 * a new entry and walks the nat table again.
 * An ICMP error (destination unreachable, source quench, redirect, time exceeded, parameter
 * problem) creates no entry of its own: `related` finds the connection of the packet it
 * quotes, as nf_conntrack_inet_error does, by looking up the quoted tuple inverted; the match
 * counts only when the error is addressed where that direction's packets go (the outer
 * destination is the tuple's destination), and the error is then RELATED to it (in the reply
 * direction when the quoted packet was an original-direction one). `natRelated` is
 * nf_nat_icmp_reply_translation: at a hook where the connection has NAT to undo in the
 * error's direction, the quoted header is rewritten to the other direction's tuple (its
 * source at PREROUTING/OUTPUT, its destination at POSTROUTING/INPUT: the opposite of the
 * outer header), patching the quoted IP header checksum and the quoted UDP/TCP checksum (or
 * ICMP echo checksum) incrementally, as RFC 1624 and the kernel do, then the ICMP checksum is
 * computed afresh and the outer destination (PREROUTING/OUTPUT) or source (POSTROUTING/INPUT)
 * becomes what the original sender expects. An error that quotes no known connection is
 * INVALID to iptables.
 * Left out: helpers (FTP...), zones, the conntrack table size limit, related entries
 * (expectations), ICMP redirects' special NAT rule (the sandbox sends none).
 */
import { formatIp, type Ip } from './ipv4';
import { icmp, ipv4HeaderChecksum, tcp, udp, type Ipv4Packet } from './packet';
import type { Rng } from './rng';
import { updateChecksum } from './checksum';

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
  return find(table, p.proto, { src: p.src, dst: p.dst, ...ports }, now, (hit) => reopens(hit, p));
}

/** The entry one of whose tuples is `t`, unless it has expired (or `gone` says it is over): then it is dropped. */
function find(table: ConntrackEntry[], proto: number, t: Tuple, now: number, gone?: (hit: CtHit) => boolean): CtHit | undefined {
  const key = tupleKey(proto, t.src, t.dst, t.sport, t.dport);
  const hit = indexOf(table).map.get(key);
  if (!hit) return undefined;
  if (hit.entry.expires <= now || gone?.(hit)) {
    remove(table, hit.entry);
    return undefined;
  }
  // A stale key (the entry's reply side was rewritten by a NAT decision since): rebuild once.
  const h = hit.dir === 'orig' ? hit.entry.orig : hit.entry.reply;
  if (h.src !== t.src || h.dst !== t.dst || h.sport !== t.sport || h.dport !== t.dport) {
    INDEXES.delete(table);
    const again = indexOf(table).map.get(key);
    return again && (again.dir === 'orig' ? again.entry.orig : again.entry.reply).src === t.src ? { ...again } : undefined;
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

/** ICMP types that report an error about a packet they quote (the kernel's icmp_is_err). */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** True for an ICMP error message (destination unreachable, source quench, redirect, time exceeded, parameter problem). */
export function isIcmpError(p: Ipv4Packet): boolean {
  return p.payload.kind === 'icmp' && ICMP_ERRORS.has(p.payload.type);
}

/**
 * The tuple of the packet an ICMP error quotes, as conntrack reads it (ports for TCP and UDP,
 * identifier and type for an ICMP echo); undefined when the quote is too short, is a later
 * fragment or is of a protocol the table does not track.
 */
export function quotedTuple(err: Ipv4Packet): (Tuple & { proto: number }) | undefined {
  if (err.payload.kind !== 'icmp') return undefined;
  const q = err.payload.data;
  if (q.length < 20 || q[0]! >> 4 !== 4) return undefined;
  const ihl = (q[0]! & 15) * 4;
  if (ihl < 20 || q.length < ihl + 8) return undefined;
  if ((((q[6]! << 8) | q[7]!) & 0x1fff) !== 0) return undefined;
  const proto = q[9]!;
  const src = read32(q, 12);
  const dst = read32(q, 16);
  if (proto === 6 || proto === 17) return { proto, src, dst, sport: read16(q, ihl), dport: read16(q, ihl + 2) };
  if (proto === 1 && (q[ihl] === 8 || q[ihl] === 0)) return { proto, src, dst, sport: read16(q, ihl + 4), dport: q[ihl]! };
  return undefined;
}

/**
 * The connection an ICMP error belongs to (nf_conntrack_inet_error): the entry holding the
 * quoted packet's tuple inverted, in the direction of that tuple, provided the error goes
 * where that direction's packets go. Undefined: the error is not RELATED to anything (INVALID).
 */
export function related(table: ConntrackEntry[], err: Ipv4Packet, now: number): CtHit | undefined {
  if (!isIcmpError(err)) return undefined;
  const t = quotedTuple(err);
  if (!t) return undefined;
  const inverted: Tuple = t.proto === 1 ? { src: t.dst, dst: t.src, sport: t.sport, dport: t.dport === 8 ? 0 : 8 } : { src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
  const hit = find(table, t.proto, inverted, now);
  if (!hit) return undefined;
  const own = hit.dir === 'orig' ? hit.entry.orig : hit.entry.reply;
  return own.dst === err.dst ? hit : undefined;
}

/**
 * nf_nat_icmp_reply_translation: an ICMP error RELATED to `hit` (in `hit.dir`) at a hook that
 * changes sources (`src`: POSTROUTING, INPUT) or destinations (`dst`: PREROUTING, OUTPUT).
 * When the connection has that NAT to undo in the error's direction, the quoted packet gets
 * the other direction's addresses and ports on the opposite side, and the outer header the
 * address the original sender expects; otherwise the error is returned as it is.
 */
export function natRelated(hit: CtHit, err: Ipv4Packet, manip: 'src' | 'dst'): Ipv4Packet {
  const e = hit.entry;
  if (err.payload.kind !== 'icmp') return err;
  // The NAT this hook undoes: SNAT at src hooks, DNAT at dst hooks, the other way round for an
  // error travelling in the reply direction. IPVS's rewrite is not netfilter NAT (ipvs.ts).
  const wantSnat = (manip === 'src') !== (hit.dir === 'reply');
  if (!(wantSnat ? isSnat(e) : isDnat(e) && !e.ipvs)) return err;
  const other = hit.dir === 'orig' ? e.reply : e.orig;
  const quoted = err.payload.data.slice();
  manipQuoted(quoted, other, manip === 'src' ? 'dst' : 'src');
  const payload = icmp(err.payload.type, err.payload.code, err.payload.rest, quoted);
  const q: Ipv4Packet = { ...err, ...(manip === 'src' ? { src: other.dst } : { dst: other.src }), payload };
  q.checksum = ipv4HeaderChecksum(q);
  return q;
}

/**
 * Rewrites a quoted packet's source or destination to `t`'s (nf_nat_ipv4_manip_pkt on the
 * inner header): the port (or echo identifier) first, patching its checksum for the port and
 * the pseudo-header address when the quote holds that checksum, then the address with the IP
 * header checksum. Patches, not recomputes: a quote cut short cannot be summed again.
 */
function manipQuoted(q: Uint8Array, t: Tuple, side: 'src' | 'dst'): void {
  const ihl = (q[0]! & 15) * 4;
  const proto = q[9]!;
  const at = side === 'src' ? 12 : 16;
  const oldAddr = read32(q, at);
  const newAddr = side === 'src' ? t.src : t.dst;
  const patch = (sumAt: number, oldWord: number, newWord: number): void => write16(q, sumAt, updateChecksum(read16(q, sumAt), oldWord, newWord));
  const patchAddr = (sumAt: number): void => {
    patch(sumAt, oldAddr >>> 16, newAddr >>> 16);
    patch(sumAt, oldAddr & 0xffff, newAddr & 0xffff);
  };
  if (q.length < ihl + 8) {
    // Too short to hold the transport ports: only the address changes.
  } else if (proto === 6 || proto === 17) {
    const portAt = ihl + (side === 'src' ? 0 : 2);
    const oldPort = read16(q, portAt);
    const newPort = side === 'src' ? t.sport : t.dport;
    write16(q, portAt, newPort);
    // UDP: a zero checksum means none (and a patched one that comes out zero is sent as 0xffff);
    // TCP: only when the quote holds the whole 20-byte header (tcp_manip_pkt).
    const sumAt = proto === 17 ? ihl + 6 : ihl + 16;
    if (q.length >= sumAt + 2 && (proto === 6 ? q.length >= ihl + 20 : read16(q, sumAt) !== 0)) {
      patchAddr(sumAt);
      patch(sumAt, oldPort, newPort);
      if (proto === 17 && read16(q, sumAt) === 0) write16(q, sumAt, 0xffff);
    }
  } else if (proto === 1 && (q[ihl] === 8 || q[ihl] === 0)) {
    // icmp_manip_pkt: the echo identifier is the tuple's source "port", whichever side changes.
    const oldId = read16(q, ihl + 4);
    write16(q, ihl + 4, t.sport);
    patch(ihl + 2, oldId, t.sport);
  }
  q.set([newAddr >>> 24, (newAddr >>> 16) & 255, (newAddr >>> 8) & 255, newAddr & 255], at);
  patchAddr(10);
}

function read16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function read32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function write16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 255;
  b[at + 1] = v & 255;
}

/** `conntrack -L` style text for one entry (used by the shell later and by traces now). */
export function describe(e: ConntrackEntry): string {
  const proto = e.proto === 6 ? 'tcp' : e.proto === 17 ? 'udp' : e.proto === 1 ? 'icmp' : String(e.proto);
  const t = (x: Tuple): string => `src=${formatIp(x.src)} dst=${formatIp(x.dst)} ${e.proto === 1 ? `type=${x.dport} code=0 id=${x.sport}` : `sport=${x.sport} dport=${x.dport}`}`;
  return `${proto} ${e.tcpState ? e.tcpState + ' ' : ''}${t(e.orig)}${e.replied ? '' : ' [UNREPLIED]'} ${t(e.reply)}`;
}
