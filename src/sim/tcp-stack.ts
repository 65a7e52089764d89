/**
 * The kernel's TCP, enough for a connection: handshake, one request, one response, close.
 *
 * Design notes: a SYN to a port with a listener is answered SYN-ACK (an initial sequence
 * number from the RNG, Linux's SYN-ACK options with MSS = MTU - 40, the MTU being the path
 * MTU learned for the peer when that is lower); data segments are no
 * larger than that nor than the MSS the client announced on its SYN (a pod behind flannel
 * announces 1410, so a server on the node network answering it after SNAT keeps to it); a SYN to a port nobody
 * listens on gets RST-ACK, which the client sees as "connection refused". A SYN again for a
 * connection still in SYN_RECV (the client retransmitted it: our SYN-ACK, or its SYN, was
 * lost) is answered with the same SYN-ACK again, as tcp_check_req does. Once established,
 * the data a client sends is acknowledged and collected in sequence order (a segment that
 * overtook a lost one waits in the out-of-order queue, and is acknowledged with the sequence
 * number still expected, as is a duplicate); when the request is complete (an
 * HTTP request head ending in a blank line, or a length-prefixed DNS message) the listening
 * program answers (told the time, for its log), and the server sends the answer (PSH-ACK)
 * and closes (FIN-ACK) as an HTTP/1.1 server does for `Connection: close`. A program that
 * speaks first (sshd's banner) sends its greeting as soon as the handshake's ACK arrives, and
 * says itself when a request is whole. A FIN after the server's own is acknowledged; a FIN
 * that comes first is answered FIN-ACK (the program read end of file and closed), and the
 * connection ends with the client's last ACK (LAST_ACK). Server sockets live in
 * the namespace's state, so a snapshot taken mid-connection resumes it. What a socket sent
 * stays in its retransmission queue until acknowledged: an ICMP "fragmentation needed" about
 * one of its segments (the path MTU has been lowered by then) makes it send again at once,
 * cut to the new MSS, every queued segment now too large (tcp_v4_mtu_reduced and
 * tcp_simple_retransmit), so a response crosses a link with a smaller MTU after one lost
 * segment.
 * The client half (`tcpClient`) is driven by commands (curl, wget, nc, ssh): it sends one
 * segment at a time through the network and reads what came back: a greeting, then the
 * answer to its request; with nothing to send it reads the greeting and closes. It takes only
 * segments from the address and port it connected to (a reply that comes back untranslated
 * from a DNATed pod finds no socket, so the connection times out; the kernel's RST for it is
 * not sent), in sequence order. A SYN nobody answers is sent again as Linux 6.8 does with its
 * defaults (docs/reference/fidelity.md section 30): the same segment with a fresh timestamp
 * after 1 s, four more times 1 s later (tcp_syn_linear_timeouts), then after 2, 4, 8, 16 and
 * 32 s (tcp_syn_retries 6 on top of the linear ones), and connect() fails 64 s after the last
 * one, 131 s after the first. The client is a generator that yields each wait: Sim runs those
 * waits in sandbox time, stopping early when the program's own timeout comes first, while
 * `tcpExchange` (the sandbox's own probes, a proxy inside a trace) refuses every wait and so
 * sends one SYN, as before. The request goes out in segments of the MSS (the path's, and no
 * larger than the server's), resent in smaller pieces at once after "fragmentation needed".
 * A SYN and a SYN-ACK announce Linux's first window for their MSS (packet.ts initialWindow).
 * Simplified: timers fire on time (a real kernel's timer wheel makes them a few per cent late).
 * Left out: retransmission on timeout of data and FIN segments (only a lost SYN, or a segment
 * a router reported too big, is sent again), the server's own SYN-ACK retransmission timer,
 * windows and congestion control (everything arrives), ACKs from the client for each data
 * segment, SACK, TIME_WAIT, simultaneous open, urgent data.
 */
import { findListener, type Listener, type RequestContext } from './sockets';
import type { Ip } from './ipv4';
import { formatIp } from './ipv4';
import type { LocalError, TraceResult } from './forward';
import type { MeshHolder } from './mesh';
import { cachedPmtu, deviceByName, learnPmtu, lookupRoute, sourceTo, type Netns } from './netns';
import { ICMP_DEST_UNREACH, initialWindow, ipv4, linuxSynOptions, tcp, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Ipv4Packet, type TcpSegment } from './packet';
import type { Rng } from './rng';
import type { SimState } from './state';

/** TCP_TIMEOUT_INIT (include/net/tcp.h): the first retransmission timeout, before any round trip is measured. */
export const TCP_TIMEOUT_INIT_MS = 1_000;
/** TCP_RTO_MAX: no retransmission timeout is longer. */
export const TCP_RTO_MAX_MS = 120_000;
/** net.ipv4.tcp_syn_retries' default. */
export const TCP_SYN_RETRIES = 6;
/** net.ipv4.tcp_syn_linear_timeouts' default (Linux 6.5 and later). */
export const TCP_SYN_LINEAR_TIMEOUTS = 4;

/**
 * How long an unanswered connect waits before each SYN retransmission, and last before it fails
 * with ETIMEDOUT: the first tcp_syn_linear_timeouts retransmissions keep the initial timeout,
 * later ones double it (tcp_retransmit_timer), and the socket gives up when the timer fires after
 * tcp_syn_retries + tcp_syn_linear_timeouts retransmissions (tcp_write_timeout):
 * 1, 1, 1, 1, 1, 2, 4, 8, 16, 32, then 64 s.
 */
export const SYN_WAITS_MS: readonly number[] = (() => {
  const waits: number[] = [];
  let rto = TCP_TIMEOUT_INIT_MS;
  for (let sent = 1; sent <= TCP_SYN_RETRIES + TCP_SYN_LINEAR_TIMEOUTS + 1; sent++) {
    waits.push(rto);
    if (sent > TCP_SYN_LINEAR_TIMEOUTS) rto = Math.min(rto * 2, TCP_RTO_MAX_MS);
  }
  return waits;
})();

/** When connect() to a silent peer fails with ETIMEDOUT: 131 s after the first SYN. */
export const SYN_GIVE_UP_MS = SYN_WAITS_MS.reduce((a, b) => a + b, 0);

export interface TcpSocket {
  state: 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT1' | 'LAST_ACK' | 'CLOSED';
  /** Next sequence number we send, and next we expect. */
  sndNxt: number;
  rcvNxt: number;
  /** Request bytes received so far. */
  buf: number[];
  /** The MSS the client announced on its SYN: no segment we send is larger. */
  peerMss?: number;
  /** Data segments sent and not yet acknowledged, as sent (the retransmission queue). */
  unacked?: { seq: number; data: number[] }[];
  /** Data that arrived ahead of rcvNxt, waiting for what a lost segment carried (the out-of-order queue). */
  ahead?: { seq: number; data: number[] }[];
}

export function socketKey(localIp: Ip, localPort: number, remoteIp: Ip, remotePort: number): string {
  return `${formatIp(localIp)}:${localPort}|${formatIp(remoteIp)}:${remotePort}`;
}

/** MSS for segments leaving through the route to `dst`: the device MTU minus 40. */
export function mssFor(ns: Netns, dst: Ip, shared?: MeshHolder): number {
  const r = lookupRoute(ns, dst, shared);
  const dev = r && deviceByName(ns, r.dev);
  return (dev?.mtu ?? 1500) - 40;
}

/**
 * The MSS for `dst` as the socket sees it: the route's MTU, or the path MTU learned for `dst`
 * when lower (ipv4_mtu), minus 40. It is what a SYN or SYN-ACK announces and what our data
 * segments keep to.
 */
export function pathMss(ns: Netns, dst: Ip, now: number, shared?: MeshHolder): number {
  const pmtu = cachedPmtu(ns, dst, now);
  return Math.min(mssFor(ns, dst, shared), pmtu ? pmtu.mtu - 40 : Infinity);
}

/** a <= b in sequence space (RFC 9293's modular comparison). */
function seqLe(a: number, b: number): boolean {
  return ((b - a) >>> 0) < 0x80000000;
}

/** True once `buf` holds a whole request for the program on `port`. */
function complete(buf: number[], port: number, l?: Listener): boolean {
  if (l?.complete) return l.complete(buf);
  if (port === 53) return buf.length >= 2 && buf.length >= 2 + ((buf[0]! << 8) | buf[1]!);
  for (let i = 3; i < buf.length; i++) if (buf[i - 3] === 13 && buf[i - 2] === 10 && buf[i - 1] === 13 && buf[i] === 10) return true;
  return false;
}

/** A segment from `local` to `peer`. */
function segmentTo(ns: Netns, local: Ip, peer: Ip, fields: Parameters<typeof tcp>[2]): Ipv4Packet {
  const id = ns.ipId;
  ns.ipId = (ns.ipId + 1) & 0xffff;
  return ipv4({ src: local, dst: peer, ttl: 64, id, df: true, payload: tcp(local, peer, fields) });
}

/** The answer to `p`: a segment back to its sender. */
function segment(p: Ipv4Packet, ns: Netns, fields: Parameters<typeof tcp>[2]): Ipv4Packet {
  return segmentTo(ns, p.dst, p.src, fields);
}

/** Sends `data` as PSH-ACK segments of at most the MSS, keeping each in the retransmission queue. */
function sendData(out: Ipv4Packet[], p: Ipv4Packet, ns: Netns, sock: TcpSocket, data: Uint8Array, nowMs: number, shared: MeshHolder): void {
  const seg = p.payload as TcpSegment;
  const mss = Math.min(pathMss(ns, p.src, nowMs, shared), sock.peerMss ?? Infinity);
  for (let off = 0; off < data.length; off += mss) {
    const chunk = data.subarray(off, Math.min(data.length, off + mss));
    out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: sock.sndNxt, ack: sock.rcvNxt, flags: TCP_PSH | TCP_ACK, window: 502, data: chunk }));
    (sock.unacked ??= []).push({ seq: sock.sndNxt, data: Array.from(chunk) });
    sock.sndNxt = (sock.sndNxt + chunk.length) >>> 0;
  }
}

/**
 * Takes a data segment into the socket: what continues the stream is appended (with whatever it
 * lets follow from the out-of-order queue); what is ahead waits there. 'old' for a duplicate.
 */
function receive(sock: TcpSocket, seq: number, data: Uint8Array): 'advanced' | 'ahead' | 'old' {
  if (!seqLe(seq, sock.rcvNxt)) {
    (sock.ahead ??= []).push({ seq, data: Array.from(data) });
    return 'ahead';
  }
  const skip = (sock.rcvNxt - seq) >>> 0;
  if (skip >= data.length) return 'old';
  sock.buf.push(...data.subarray(skip));
  sock.rcvNxt = (sock.rcvNxt + data.length - skip) >>> 0;
  for (let moved = true; moved && sock.ahead; ) {
    moved = false;
    for (const [i, a] of sock.ahead.entries()) {
      if (!seqLe(a.seq, sock.rcvNxt)) continue;
      sock.ahead.splice(i, 1);
      const s = (sock.rcvNxt - a.seq) >>> 0;
      if (s < a.data.length) {
        sock.buf.push(...a.data.slice(s));
        sock.rcvNxt = (sock.rcvNxt + a.data.length - s) >>> 0;
      }
      moved = true;
      break;
    }
    if (sock.ahead.length === 0) delete sock.ahead;
  }
  return 'advanced';
}

/** What the kernel sends back for a TCP segment that reached a local address. */
export function tcpInput(state: SimState, ns: Netns, p: Ipv4Packet, rng: Rng, nowMs: number, connect?: RequestContext['connect']): Ipv4Packet[] {
  const seg = p.payload as TcpSegment;
  const sockets = (ns.tcpSockets ??= {});
  const key = socketKey(p.dst, seg.dstPort, p.src, seg.srcPort);
  const sock = sockets[key];
  const out: Ipv4Packet[] = [];
  const f = seg.flags;
  if (f & TCP_RST) {
    delete sockets[key];
    return out;
  }
  if (!sock) {
    if (!(f & TCP_SYN) || f & TCP_ACK) {
      // A segment for no connection: RST (RFC 9293 3.10.7.1).
      if (f & TCP_ACK) out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: seg.ack, flags: TCP_RST }));
      else out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: 0, ack: (seg.seq + seg.data.length + 1) >>> 0, flags: TCP_RST | TCP_ACK, window: 0 }));
      return out;
    }
    const l = findListener(state, ns.id, 'tcp', seg.dstPort, p.dst);
    if (!l) {
      out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: 0, ack: (seg.seq + 1) >>> 0, flags: TCP_RST | TCP_ACK, window: 0 }));
      return out;
    }
    const isn = rng.int(0x100000000) >>> 0;
    const peerMss = seg.options.find((o) => o.kind === 'mss');
    sockets[key] = { state: 'SYN_RECV', sndNxt: (isn + 1) >>> 0, rcvNxt: (seg.seq + 1) >>> 0, buf: [], ...(peerMss && peerMss.kind === 'mss' ? { peerMss: peerMss.mss } : {}) };
    out.push(synAck(p, ns, isn, nowMs, state));
    return out;
  }
  if (sock.state === 'SYN_RECV' && f & TCP_SYN && !(f & TCP_ACK)) {
    // The client's SYN again (tcp_check_req): our SYN-ACK, or its first SYN, was lost; the same SYN-ACK goes again.
    if (seg.seq === ((sock.rcvNxt - 1) >>> 0)) out.push(synAck(p, ns, (sock.sndNxt - 1) >>> 0, nowMs, state));
    return out;
  }
  if (f & TCP_ACK && sock.unacked) {
    // What the peer acknowledged leaves the retransmission queue.
    sock.unacked = sock.unacked.filter((u) => !seqLe((u.seq + u.data.length) >>> 0, seg.ack));
    if (sock.unacked.length === 0) delete sock.unacked;
  }
  if (sock.state === 'LAST_ACK') {
    // The ACK of our FIN: the connection is closed.
    if (f & TCP_ACK) delete sockets[key];
    return out;
  }
  if (sock.state === 'SYN_RECV' && f & TCP_ACK) {
    sock.state = 'ESTABLISHED';
    // A server that speaks first (sshd) sends its greeting once the connection is accepted.
    const l = findListener(state, ns.id, 'tcp', seg.dstPort, p.dst);
    const hello = l?.greet?.({ state, ns: ns.id, peer: { ip: p.src, port: seg.srcPort }, local: { ip: p.dst, port: seg.dstPort }, now: nowMs });
    if (hello && hello.length > 0) sendData(out, p, ns, sock, hello, nowMs, state);
  }
  let advanced = false;
  let stray = false;
  if (seg.data.length > 0) {
    const r = receive(sock, seg.seq, seg.data);
    advanced = r === 'advanced';
    stray = !advanced;
  }
  if (f & TCP_FIN && ((seg.seq + seg.data.length) >>> 0) === sock.rcvNxt) {
    sock.rcvNxt = (sock.rcvNxt + 1) >>> 0;
    if (sock.state === 'FIN_WAIT1') {
      out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: sock.sndNxt, ack: sock.rcvNxt, flags: TCP_ACK }));
      delete sockets[key];
      return out;
    }
    // The client closed first: the program reads end of file and closes too (FIN, LAST_ACK).
    out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: sock.sndNxt, ack: sock.rcvNxt, flags: TCP_FIN | TCP_ACK, window: 502 }));
    sock.sndNxt = (sock.sndNxt + 1) >>> 0;
    sock.state = 'LAST_ACK';
    return out;
  }
  const l = advanced && sock.state === 'ESTABLISHED' ? findListener(state, ns.id, 'tcp', seg.dstPort, p.dst) : undefined;
  if (advanced && sock.state === 'ESTABLISHED' && complete(sock.buf, seg.dstPort, l)) {
    const req = Uint8Array.from(sock.buf);
    let answer = l?.handle(seg.dstPort === 53 ? req.subarray(2) : req, { state, ns: ns.id, peer: { ip: p.src, port: seg.srcPort }, local: { ip: p.dst, port: seg.dstPort }, now: nowMs, ...(connect ? { connect } : {}) });
    if (answer && seg.dstPort === 53) answer = Uint8Array.from([answer.length >> 8, answer.length & 255, ...answer]);
    sendData(out, p, ns, sock, answer ?? new Uint8Array(0), nowMs, state);
    out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: sock.sndNxt, ack: sock.rcvNxt, flags: TCP_FIN | TCP_ACK, window: 502 }));
    sock.sndNxt = (sock.sndNxt + 1) >>> 0;
    sock.state = 'FIN_WAIT1';
    return out;
  }
  // New data, or data out of order or already seen (tcp_data_queue's immediate ACK): acknowledged.
  if (advanced || stray) out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: sock.sndNxt, ack: sock.rcvNxt, flags: TCP_ACK, window: 502 }));
  return out;
}

/** The SYN-ACK for SYN `p`, with sequence number `isn`. */
function synAck(p: Ipv4Packet, ns: Netns, isn: number, nowMs: number, shared: MeshHolder): Ipv4Packet {
  const seg = p.payload as TcpSegment;
  const tsEcr = seg.options.find((o) => o.kind === 'timestamps');
  return segment(p, ns, {
    srcPort: seg.dstPort,
    dstPort: seg.srcPort,
    seq: isn,
    ack: (seg.seq + 1) >>> 0,
    flags: TCP_SYN | TCP_ACK,
    window: initialWindow(pathMss(ns, p.src, nowMs, shared) - 12),
    options: linuxSynOptions(pathMss(ns, p.src, nowMs, shared), Math.floor(nowMs) >>> 0, tsEcr && tsEcr.kind === 'timestamps' ? tsEcr.tsVal : 0),
  });
}

/** The addresses and ports of the TCP segment an ICMP error quotes, if it quotes one. */
function quotedTcp(p: Ipv4Packet): { src: Ip; dst: Ip; sport: number; dport: number; mtu: number } | undefined {
  const m = p.payload;
  if (m.kind !== 'icmp' || m.type !== ICMP_DEST_UNREACH || m.code !== 4) return undefined;
  const q = m.data;
  const ihl = ((q[0] ?? 0) & 15) * 4;
  if (ihl < 20 || q.length < ihl + 8 || q[9] !== 6) return undefined;
  const word = (i: number): number => ((q[i]! << 24) | (q[i + 1]! << 16) | (q[i + 2]! << 8) | q[i + 3]!) >>> 0;
  return { src: word(12), dst: word(16), sport: (q[ihl]! << 8) | q[ihl + 1]!, dport: (q[ihl + 2]! << 8) | q[ihl + 3]!, mtu: m.rest & 0xffff };
}

/**
 * ICMP "fragmentation needed" `p` reached this namespace, and the path MTU it names has been
 * learned: a server socket whose segment it quotes sends again at once every queued segment now
 * larger than the MSS, in pieces of the new MSS (tcp_v4_mtu_reduced, tcp_simple_retransmit; the
 * pieces keep PSH on the last only, as tcp_fragment leaves it). Returns the segments to send.
 */
export function tcpMtuReduced(ns: Netns, p: Ipv4Packet, nowMs: number, shared?: MeshHolder): Ipv4Packet[] {
  const q = quotedTcp(p);
  const sock = q && ns.tcpSockets?.[socketKey(q.src, q.sport, q.dst, q.dport)];
  if (!q || !sock?.unacked) return [];
  const mss = Math.min(pathMss(ns, q.dst, nowMs, shared), sock.peerMss ?? Infinity);
  const out: Ipv4Packet[] = [];
  const queue: { seq: number; data: number[] }[] = [];
  for (const u of sock.unacked) {
    if (u.data.length <= mss) {
      queue.push(u);
      continue;
    }
    for (let off = 0; off < u.data.length; off += mss) {
      const piece = { seq: (u.seq + off) >>> 0, data: u.data.slice(off, off + mss) };
      const last = off + mss >= u.data.length;
      out.push(segmentTo(ns, q.src, q.dst, { srcPort: q.sport, dstPort: q.dport, seq: piece.seq, ack: sock.rcvNxt, flags: last ? TCP_PSH | TCP_ACK : TCP_ACK, window: 502, data: Uint8Array.from(piece.data) }));
      queue.push(piece);
    }
  }
  sock.unacked = queue;
  return out;
}

/** What a TCP client needs from the sandbox: the state, randomness, the time, and a way to send. */
export interface TcpEnv {
  state: SimState;
  rng: Rng;
  /** The present (read each time: it moves while a client waits for its timers). */
  now: number;
  send(nsId: string, packet: Ipv4Packet, opts: { openPorts: Set<string> }): TraceResult;
}

export type TcpExchange = { traces: TraceResult[]; src: Ip; sport: number } & (
  /** `connectedAt`: the index in `traces` of the SYN that was answered. */
  | { kind: 'response'; data: Uint8Array; closed: boolean; connectedAt: number }
  | { kind: 'refused' }
  | { kind: 'timeout' }
  | { kind: 'icmp-error'; from: Ip; code: number }
  | { kind: 'local-error'; errno: LocalError['errno'] }
);

/**
 * A program's TCP work as a generator: it yields how long its timer waits (ms) before the next
 * step, and is resumed with true once that time has passed, or with false when the wait is
 * cut short (the program gave up, or was interrupted): it then returns what it has.
 */
export type TcpRun<T> = Generator<number, T, boolean>;

/** Runs `run` with no time passing: every wait is refused. */
export function runAtOnce<T>(run: TcpRun<T>): T {
  let step = run.next();
  while (!step.done) step = run.next(false);
  return step.value;
}

/**
 * The client half at one instant: handshake, send `request`, read until the server closes,
 * close; a SYN nobody answers is not sent again. Every segment travels through the network,
 * so NAT, kube-proxy's rules and faults apply to each.
 */
export function tcpExchange(env: TcpEnv, nsId: string, dst: Ip, dport: number, request: Uint8Array, sport: number): TcpExchange {
  return runAtOnce(tcpClient(env, nsId, dst, dport, request, sport));
}

/**
 * The client half: handshake (the SYN retransmitted on Linux's schedule while nothing answers),
 * send `request`, read until the server closes, close.
 */
export function* tcpClient(env: TcpEnv, nsId: string, dst: Ip, dport: number, request: Uint8Array, sport: number): TcpRun<TcpExchange> {
  const ns = env.state.netns[nsId];
  if (!ns) throw new Error(`no network namespace ${nsId}`);
  const src = sourceTo(ns, dst, env.state) ?? 0x7f000001;
  const open = { openPorts: new Set([`${nsId}|tcp|${sport}`]) };
  const traces: TraceResult[] = [];
  const send = (fields: Parameters<typeof tcp>[2]): TraceResult => {
    const id = ns.ipId;
    ns.ipId = (ns.ipId + 1) & 0xffff;
    const t = env.send(nsId, ipv4({ src, dst, id, df: true, payload: tcp(src, dst, fields) }), open);
    traces.push(t);
    return t;
  };
  // The socket takes only segments of its own connection: a reply from another address (a
  // DNATed connection whose reply was not translated back) finds no socket.
  const inbound = (t: TraceResult): TcpSegment[] =>
    t.deliveries
      .filter((d) => d.ns === nsId && d.packet.src === dst && d.packet.payload.kind === 'tcp' && d.packet.payload.dstPort === sport && d.packet.payload.srcPort === dport)
      .map((d) => d.packet.payload as TcpSegment);
  const isn = env.rng.int(0x100000000) >>> 0;
  let answer: TcpSegment | undefined;
  let connectedAt = 0;
  for (let n = 0; ; n++) {
    // The same SYN each time the retransmission timer fires, with a fresh timestamp.
    const synMss = pathMss(ns, dst, env.now, env.state);
    const syn = send({ srcPort: sport, dstPort: dport, seq: isn, flags: TCP_SYN, window: initialWindow(synMss), options: linuxSynOptions(synMss, Math.floor(env.now) >>> 0) });
    const local = syn.errors.find((e) => e.ns === nsId);
    if (local) return { kind: 'local-error', errno: local.errno, traces, src, sport };
    const icmpErr = syn.deliveries.find((d) => d.ns === nsId && d.packet.payload.kind === 'icmp' && d.packet.payload.type === 3);
    if (icmpErr && icmpErr.packet.payload.kind === 'icmp') return { kind: 'icmp-error', from: icmpErr.packet.src, code: icmpErr.packet.payload.code, traces, src, sport };
    answer = inbound(syn).find((x) => (x.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK));
    if (answer) {
      connectedAt = traces.length - 1;
      break;
    }
    if (inbound(syn).some((x) => x.flags & TCP_RST)) return { kind: 'refused', traces, src, sport };
    // Nothing came back: wait for the timer; after the last wait connect() fails (ETIMEDOUT).
    if (!(yield SYN_WAITS_MS[n]!) || n === SYN_WAITS_MS.length - 1) return { kind: 'timeout', traces, src, sport };
  }
  const peerMssOption = answer.options.find((o) => o.kind === 'mss');
  // RFC 9293's default when the peer announced none.
  const peerMss = peerMssOption && peerMssOption.kind === 'mss' ? peerMssOption.mss : 536;
  let seq = (isn + 1) >>> 0;
  let ack = (answer.seq + 1) >>> 0;
  const chunks: number[] = [];
  const ahead: TcpSegment[] = [];
  let finAt: number | undefined;
  let fin = false;
  // Segments are taken in sequence order: one that overtook a lost one waits for it.
  const read = (t: TraceResult): void => {
    for (const x of inbound(t)) {
      if (x.data.length > 0) ahead.push(x);
      if (x.flags & TCP_FIN) finAt = (x.seq + x.data.length) >>> 0;
    }
    for (let i = 0; i < ahead.length; i++) {
      const x = ahead[i]!;
      if (!seqLe(x.seq, ack)) continue;
      ahead.splice(i, 1);
      const skip = (ack - x.seq) >>> 0;
      if (skip < x.data.length) {
        chunks.push(...x.data.subarray(skip));
        ack = (ack + x.data.length - skip) >>> 0;
      }
      i = -1;
    }
    if (!fin && finAt === ack) {
      ack = (ack + 1) >>> 0;
      fin = true;
    }
  };
  // A server that speaks first answers the handshake's ACK with its greeting.
  read(send({ srcPort: sport, dstPort: dport, seq, ack, flags: TCP_ACK, window: 502 }));
  if (request.length === 0) {
    // Nothing to send: close, and read until the server has closed too.
    read(send({ srcPort: sport, dstPort: dport, seq, ack, flags: TCP_FIN | TCP_ACK, window: 502 }));
    if (fin) send({ srcPort: sport, dstPort: dport, seq: (seq + 1) >>> 0, ack, flags: TCP_ACK, window: 502 });
    return { kind: 'response', data: Uint8Array.from(chunks), closed: fin, connectedAt, traces, src, sport };
  }
  // The request in segments of the MSS, PSH on the last (tcp_push).
  let mss = Math.min(pathMss(ns, dst, env.now, env.state), peerMss);
  let queue: { seq: number; data: Uint8Array; push: boolean }[] = [];
  const xmit = (s: { seq: number; data: Uint8Array; push: boolean }): void => read(send({ srcPort: sport, dstPort: dport, seq: s.seq, ack, flags: s.push ? TCP_PSH | TCP_ACK : TCP_ACK, window: 502, data: s.data }));
  let checked = traces.length;
  for (let off = 0; off < request.length; off += mss) {
    const s = { seq: (seq + off) >>> 0, data: request.subarray(off, off + mss), push: off + mss >= request.length };
    queue.push(s);
    xmit(s);
  }
  // "Fragmentation needed" about one of them: the kernel has lowered the path MTU (the quoted
  // header names the address the packet was translated to, if NAT changed it: the path MTU for
  // the address connected to is lowered too, as the translated error would have done), and the
  // segments now too large go again at once in pieces (tcp_simple_retransmit).
  while (checked < traces.length) {
    const upTo = traces.length;
    for (const t of traces.slice(checked, upTo)) {
      for (const d of t.deliveries) {
        const q = d.ns === nsId ? quotedTcp(d.packet) : undefined;
        if (q && q.src === src && q.sport === sport && q.dst !== dst) learnPmtu(ns, dst, q.mtu, env.now, env.state);
      }
    }
    checked = upTo;
    const lower = Math.min(pathMss(ns, dst, env.now, env.state), peerMss);
    if (lower >= mss) continue;
    mss = lower;
    const resend = queue;
    queue = [];
    for (const s of resend) {
      if (s.data.length <= mss) {
        queue.push(s);
        continue;
      }
      for (let off = 0; off < s.data.length; off += mss) {
        const piece = { seq: (s.seq + off) >>> 0, data: s.data.subarray(off, off + mss), push: s.push && off + mss >= s.data.length };
        queue.push(piece);
        xmit(piece);
      }
    }
  }
  seq = (seq + request.length) >>> 0;
  if (fin) send({ srcPort: sport, dstPort: dport, seq, ack, flags: TCP_FIN | TCP_ACK, window: 502 });
  return { kind: 'response', data: Uint8Array.from(chunks), closed: fin, connectedAt, traces, src, sport };
}
