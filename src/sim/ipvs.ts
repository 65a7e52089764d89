/**
 * IPVS, the kernel's layer-4 load balancer: virtual servers, real servers and connections, in
 * NAT ("Masq") forwarding, per network namespace.
 *
 * Design notes: a virtual server is a protocol, address and port with a scheduler and a list
 * of real servers (address, port, weight). Its address must be local (a service proxy puts
 * it on a dummy device), so packets for it reach the local input path; there, after the
 * filter table's INPUT chain, IPVS looks the packet up (ip_vs_in at LOCAL_IN, and at LOCAL_OUT
 * for the host's own packets). A packet of a known connection goes to that connection's real
 * server; a first packet (TCP SYN, any UDP datagram) to a virtual server is scheduled: round
 * robin (ip_vs_rr) continues from the real server it chose last and takes the next one with a
 * weight above 0, in list order, where a new real server joins at the head of the list (as
 * list_add_rcu puts it) and deleting the last-chosen one moves the pointer to its
 * predecessor. The pointer is state, so the sequence is deterministic. A virtual server with no
 * usable real server answers ICMP port unreachable (ip_vs_leave). A TCP packet other than a SYN
 * without a connection is not IPVS's: the local stack takes it (and resets it).
 * The destination is rewritten (the source stays, unless netfilter masquerades it later), the
 * TTL is decremented when the real server is another host (decrement_ttl in
 * __ip_vs_get_out_rt), and the packet leaves through LOCAL_OUT: filter OUTPUT, routing, nat
 * POSTROUTING. Replies are matched on the connection's reply tuple and get the virtual address
 * back as their source. With net.ipv4.vs.conntrack=1 (what kube-proxy sets) the netfilter
 * conntrack entry of a new connection gets the real server in its reply tuple
 * (ip_vs_update_conntrack), so `conntrack -L` shows it as a DNAT, but netfilter's NAT does not
 * translate those packets (there is no NAT binding): IPVS does, from its own table.
 * Connections follow IPVS's TCP state table (ip_vs_proto_tcp.c, the INPUT direction for the
 * client's packets, OUTPUT for the real server's) with its timeouts (ESTABLISHED 15 min,
 * SYN_RECV 1 min, FIN_WAIT and TIME_WAIT 2 min, CLOSE 10 s...); UDP connections are in state
 * `UDP` for 5 min, refreshed by each packet. A connection counts as active while ESTABLISHED
 * and inactive otherwise (UDP ones always inactive), which is what ipvsadm's ActiveConn and
 * InActConn columns count. Expired connections are dropped lazily. A packet of a connection
 * whose real server was deleted expires it and is dropped (expire_nodest_conn=1); a SYN that
 * meets a connection in TIME_WAIT or CLOSE starts a new one (conn_reuse_mode=1). Statistics
 * count connections, packets and bytes (IP length) in each direction per virtual and real
 * server. An ICMP error about a connection on its way back to the client (ip_vs_out_icmp: a
 * real server's port unreachable, a router's time exceeded) gets the virtual address back like
 * a reply (`ipvsIcmpReply`), counted as an outgoing packet.
 * Left out: the other schedulers (wrr, lc, sh...), persistence (session affinity) templates,
 * direct routing and tunnelling, firewall-mark services, SCTP state tracking, the 2-second
 * rate estimator (rates read 0), the connection hash table's order (connections list in the
 * order they were made), ICMP errors travelling towards a real server (ip_vs_in_icmp).
 */
import { internetChecksum } from './checksum';
import { quotedTuple, rewrite, reindex, setDnat, type ConntrackEntry } from './conntrack';
import { formatIp, type Ip } from './ipv4';
import { ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, icmp, ipv4HeaderChecksum, ipv4Length, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Ipv4Packet } from './packet';

export type IpvsProto = 'TCP' | 'UDP' | 'SCTP';

export interface IpvsStats {
  conns: number;
  inpkts: number;
  outpkts: number;
  inbytes: number;
  outbytes: number;
}

export interface IpvsDest {
  addr: Ip;
  port: number;
  /** 0 stops new connections (a real server being drained); 1 is kube-proxy's weight. */
  weight: number;
  stats: IpvsStats;
  /**
   * Not kernel state: when the program that manages this real server started draining it
   * (kube-proxy's graceful-termination list), epoch ms.
   */
  drainingSince?: number;
}

export interface IpvsService {
  proto: IpvsProto;
  addr: Ip;
  port: number;
  scheduler: 'rr';
  /** Real servers in the kernel's list order (the newest first). */
  dests: IpvsDest[];
  /** rr's pointer: `addr:port` of the real server chosen last (none: start at the head). */
  rrLast?: string;
  stats: IpvsStats;
}

export interface IpvsConn {
  proto: IpvsProto;
  caddr: Ip;
  cport: number;
  vaddr: Ip;
  vport: number;
  daddr: Ip;
  dport: number;
  state: string;
  /** Epoch ms. */
  expires: number;
  /** Counted in InActConn (IP_VS_CONN_F_INACTIVE) rather than ActiveConn. */
  inactive: boolean;
}

export interface IpvsTable {
  services: IpvsService[];
  conns: IpvsConn[];
}

const PROTO: Record<number, IpvsProto> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

export function emptyStats(): IpvsStats {
  return { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };
}

export function destKey(d: { addr: Ip; port: number }): string {
  return `${formatIp(d.addr)}:${d.port}`;
}

export function findService(t: IpvsTable, proto: IpvsProto, addr: Ip, port: number): IpvsService | undefined {
  return t.services.find((s) => s.proto === proto && s.addr === addr && s.port === port);
}

/** Adds a real server at the head of the list, as the kernel does. */
export function addDest(svc: IpvsService, addr: Ip, port: number, weight = 1): IpvsDest {
  const d: IpvsDest = { addr, port, weight, stats: emptyStats() };
  svc.dests.unshift(d);
  return d;
}

/** Deletes a real server; rr's pointer moves back to the one before it (ip_vs_rr_del_dest). */
export function deleteDest(svc: IpvsService, d: IpvsDest): void {
  const i = svc.dests.indexOf(d);
  if (i < 0) return;
  if (svc.rrLast === destKey(d)) svc.rrLast = i > 0 ? destKey(svc.dests[i - 1]!) : undefined;
  svc.dests.splice(i, 1);
}

/** ip_vs_rr_schedule: the next real server after the last chosen one with a weight above 0. */
export function rrSchedule(svc: IpvsService): IpvsDest | undefined {
  const n = svc.dests.length;
  if (n === 0) return undefined;
  const last = svc.rrLast === undefined ? -1 : svc.dests.findIndex((d) => destKey(d) === svc.rrLast);
  for (let i = 0; i < n; i++) {
    const d = svc.dests[(last + 1 + i) % n]!;
    if (d.weight > 0) {
      svc.rrLast = destKey(d);
      return d;
    }
  }
  return undefined;
}

// ------------------------------------------------------------------------------ TCP states

const S = ['NONE', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'SYNACK'] as const;
const [NO, ES, SS, SR, FW, TW, CL, CW, LA, LI, SA] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
void SA;
/** tcp_states[]: by direction (INPUT, OUTPUT), then syn, fin, ack, rst, then the current state. */
const TCP_TABLE: number[][][] = [
  [
    [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR],
    [CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW],
    [CL, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES],
    [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR],
  ],
  [
    [SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR],
    [TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW],
    [ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES],
    [CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL],
  ],
];
/** Seconds per state (tcp_timeouts[]). */
const TCP_TIMEOUT: Record<string, number> = { NONE: 2, ESTABLISHED: 900, SYN_SENT: 120, SYN_RECV: 60, FIN_WAIT: 120, TIME_WAIT: 120, CLOSE: 10, CLOSE_WAIT: 60, LAST_ACK: 30, LISTEN: 120, SYNACK: 120 };
const UDP_TIMEOUT = 300;

function tcpFlags(p: Ipv4Packet): number {
  return p.payload.kind === 'tcp' ? p.payload.flags : 0;
}

/** set_tcp_state / the UDP timeout: moves a connection on for one packet in direction `dir`. */
function transition(c: IpvsConn, dir: 'in' | 'out', p: Ipv4Packet, now: number): void {
  if (c.proto !== 'TCP') {
    c.expires = now + UDP_TIMEOUT * 1000;
    return;
  }
  const f = tcpFlags(p);
  const idx = f & TCP_RST ? 3 : f & TCP_SYN ? 0 : f & TCP_FIN ? 1 : f & TCP_ACK ? 2 : -1;
  const cur = S.indexOf(c.state as (typeof S)[number]);
  const next = idx < 0 ? CL : TCP_TABLE[dir === 'in' ? 0 : 1]![idx]![cur < 0 ? NO : cur]!;
  c.state = S[next]!;
  // Leaving ESTABLISHED makes a connection inactive; reaching it, active again.
  c.inactive = next !== ES;
  c.expires = now + TCP_TIMEOUT[c.state]! * 1000;
}

// ------------------------------------------------------------------------------ connections

interface ConnIndex {
  conns: IpvsConn[];
  length: number;
  in: Map<string, IpvsConn>;
  out: Map<string, IpvsConn>;
}
const INDEX = new WeakMap<IpvsTable, ConnIndex>();

const inKey = (proto: string, caddr: Ip, cport: number, vaddr: Ip, vport: number): string => `${proto}|${caddr}|${cport}|${vaddr}|${vport}`;
const outKey = (proto: string, daddr: Ip, dport: number, caddr: Ip, cport: number): string => `${proto}|${daddr}|${dport}|${caddr}|${cport}`;

function indexOf(t: IpvsTable): ConnIndex {
  let ix = INDEX.get(t);
  if (ix && ix.conns === t.conns && ix.length === t.conns.length) return ix;
  ix = { conns: t.conns, length: t.conns.length, in: new Map(), out: new Map() };
  for (const c of t.conns) {
    ix.in.set(inKey(c.proto, c.caddr, c.cport, c.vaddr, c.vport), c);
    ix.out.set(outKey(c.proto, c.daddr, c.dport, c.caddr, c.cport), c);
  }
  INDEX.set(t, ix);
  return ix;
}

function removeConn(t: IpvsTable, c: IpvsConn): void {
  t.conns = t.conns.filter((x) => x !== c);
}

/** The connections still alive at `now` (expired ones are dropped from the table). */
export function liveConns(t: IpvsTable, now: number): IpvsConn[] {
  if (t.conns.some((c) => c.expires <= now)) t.conns = t.conns.filter((c) => c.expires > now);
  return t.conns;
}

/** ActiveConn and InActConn of a real server. */
export function connCounts(t: IpvsTable, svc: IpvsService, d: IpvsDest, now: number): { active: number; inactive: number } {
  let active = 0;
  let inactive = 0;
  for (const c of t.conns) {
    if (c.expires <= now || c.proto !== svc.proto || c.vaddr !== svc.addr || c.vport !== svc.port || c.daddr !== d.addr || c.dport !== d.port) continue;
    if (c.inactive) inactive++;
    else active++;
  }
  return { active, inactive };
}

function ports(p: Ipv4Packet): { sport: number; dport: number } | undefined {
  const pl = p.payload;
  return pl.kind === 'tcp' || pl.kind === 'udp' ? { sport: pl.srcPort, dport: pl.dstPort } : undefined;
}

function countIn(svc: IpvsService | undefined, d: IpvsDest | undefined, p: Ipv4Packet): void {
  for (const s of [svc?.stats, d?.stats]) {
    if (!s) continue;
    s.inpkts++;
    s.inbytes += ipv4Length(p);
  }
}

function countOut(svc: IpvsService | undefined, d: IpvsDest | undefined, p: Ipv4Packet): void {
  for (const s of [svc?.stats, d?.stats]) {
    if (!s) continue;
    s.outpkts++;
    s.outbytes += ipv4Length(p);
  }
}

function owner(t: IpvsTable, c: IpvsConn): { svc?: IpvsService; dest?: IpvsDest } {
  const svc = findService(t, c.proto, c.vaddr, c.vport);
  const dest = svc?.dests.find((d) => d.addr === c.daddr && d.port === c.dport);
  return { ...(svc ? { svc } : {}), ...(dest ? { dest } : {}) };
}

/** What IPVS does with a packet addressed to one of the host's own addresses. */
export type IpvsVerdict =
  /** Not IPVS's: the local stack takes the packet. */
  | { kind: 'none' }
  /** A virtual server without a usable real server: ICMP port unreachable to the sender. */
  | { kind: 'unreachable' }
  /** Dropped (its real server is gone). */
  | { kind: 'drop'; detail: string }
  /** Rewritten towards the real server. */
  | { kind: 'xmit'; packet: Ipv4Packet; detail: string };

/**
 * ip_vs_in: a packet for a local address, after filter INPUT (or the host's own, after filter
 * OUTPUT). `ct` is the packet's conntrack entry and table, so a new connection's real server
 * shows in it.
 */
export function ipvsRequest(t: IpvsTable, p: Ipv4Packet, now: number, ct?: { entry: ConntrackEntry; table: ConntrackEntry[] }): IpvsVerdict {
  const proto = PROTO[p.proto];
  const pp = ports(p);
  if (!proto || !pp) return { kind: 'none' };
  const ix = indexOf(t);
  const syn = proto === 'TCP' && (tcpFlags(p) & (TCP_SYN | TCP_ACK)) === TCP_SYN;
  let c = ix.in.get(inKey(proto, p.src, pp.sport, p.dst, pp.dport));
  if (c && (c.expires <= now || (syn && (c.state === 'TIME_WAIT' || c.state === 'CLOSE')))) {
    removeConn(t, c);
    c = undefined;
  }
  if (c) {
    const { svc, dest } = owner(t, c);
    if (!dest) {
      removeConn(t, c);
      return { kind: 'drop', detail: `IPVS: the real server ${formatIp(c.daddr)}:${c.dport} of this connection is gone (expire_nodest_conn)` };
    }
    transition(c, 'in', p, now);
    countIn(svc, dest, p);
    const q = rewrite(p, { dst: c.daddr, dport: c.dport });
    return { kind: 'xmit', packet: q, detail: `IPVS: DNAT ${formatIp(p.dst)}:${pp.dport} -> ${formatIp(c.daddr)}:${c.dport} (an existing connection, ${c.state})` };
  }
  const svc = findService(t, proto, p.dst, pp.dport);
  if (!svc) return { kind: 'none' };
  if (proto === 'TCP' && !syn) return { kind: 'none' };
  const dest = rrSchedule(svc);
  if (!dest) return { kind: 'unreachable' };
  liveConns(t, now);
  c = { proto, caddr: p.src, cport: pp.sport, vaddr: p.dst, vport: pp.dport, daddr: dest.addr, dport: dest.port, state: proto === 'TCP' ? 'NONE' : 'UDP', expires: now, inactive: true };
  t.conns.push(c);
  transition(c, 'in', p, now);
  svc.stats.conns++;
  dest.stats.conns++;
  countIn(svc, dest, p);
  if (ct) {
    // net.ipv4.vs.conntrack=1: conntrack learns the real server, IPVS keeps the translating.
    ct.entry.ipvs = true;
    setDnat(ct.entry, dest.addr, dest.port);
    reindex(ct.table, ct.entry);
  }
  const q = rewrite(p, { dst: dest.addr, dport: dest.port });
  return { kind: 'xmit', packet: q, detail: `IPVS: DNAT ${formatIp(p.dst)}:${pp.dport} -> ${formatIp(dest.addr)}:${dest.port} (${svc.scheduler}: a new connection)` };
}

/** ip_vs_out: a real server's reply gets the virtual address back as its source. */
export function ipvsReply(t: IpvsTable, p: Ipv4Packet, now: number): { packet: Ipv4Packet; detail: string } | undefined {
  const proto = PROTO[p.proto];
  const pp = ports(p);
  if (!proto || !pp) return undefined;
  const c = indexOf(t).out.get(outKey(proto, p.src, pp.sport, p.dst, pp.dport));
  if (!c || c.expires <= now) return undefined;
  const { svc, dest } = owner(t, c);
  transition(c, 'out', p, now);
  countOut(svc, dest, p);
  return { packet: rewrite(p, { src: c.vaddr, sport: c.vport }), detail: `IPVS: the reply's source ${formatIp(p.src)}:${pp.sport} becomes ${formatIp(c.vaddr)}:${c.vport} again` };
}

/**
 * ip_vs_out_icmp: an ICMP error (destination unreachable, source quench, time exceeded) about a
 * packet a real server sent back, or one sent to a real server, that quotes one of the
 * connections: the outer source and the quoted destination become the virtual address, the
 * quoted destination port the virtual port (ip_vs_nat_icmp), so the client hears it from the
 * address it asked. Both IP header checksums are computed afresh, and the ICMP checksum; the
 * quoted UDP or TCP checksum is left as it was.
 */
export function ipvsIcmpReply(t: IpvsTable, err: Ipv4Packet, now: number): { packet: Ipv4Packet; detail: string } | undefined {
  const m = err.payload;
  if (m.kind !== 'icmp' || (m.type !== ICMP_DEST_UNREACH && m.type !== 4 && m.type !== ICMP_TIME_EXCEEDED)) return undefined;
  const q = quotedTuple(err);
  const proto = q && PROTO[q.proto];
  if (!q || !proto) return undefined;
  // The quoted packet went from the client to the real server: its addresses in reverse order.
  const c = indexOf(t).out.get(outKey(proto, q.dst, q.dport, q.src, q.sport));
  if (!c || c.expires <= now) return undefined;
  const data = m.data.slice();
  const ihl = (data[0]! & 15) * 4;
  data.set([c.vaddr >>> 24, (c.vaddr >>> 16) & 255, (c.vaddr >>> 8) & 255, c.vaddr & 255], 16);
  data[10] = 0;
  data[11] = 0;
  const sum = internetChecksum(data, 0, ihl);
  data[10] = sum >>> 8;
  data[11] = sum & 255;
  if (data.length >= ihl + 4) {
    data[ihl + 2] = c.vport >>> 8;
    data[ihl + 3] = c.vport & 255;
  }
  const packet: Ipv4Packet = { ...err, src: c.vaddr, payload: icmp(m.type, m.code, m.rest, data) };
  packet.checksum = ipv4HeaderChecksum(packet);
  const { svc, dest } = owner(t, c);
  countOut(svc, dest, packet);
  return { packet, detail: `IPVS: the ICMP error's source ${formatIp(err.src)} becomes ${formatIp(c.vaddr)}, and the quoted destination ${formatIp(c.daddr)}:${c.dport} becomes ${formatIp(c.vaddr)}:${c.vport}` };
}

/** Whole seconds before a connection expires, as /proc/net/ip_vs_conn reports them. */
export function secondsLeft(c: IpvsConn, now: number): number {
  return Math.max(0, Math.floor((c.expires - now) / 1000));
}
