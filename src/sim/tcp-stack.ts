/**
 * The kernel's TCP, enough for a connection: handshake, one request, one response, close.
 *
 * Design notes: a SYN to a port with a listener is answered SYN-ACK (an initial sequence
 * number from the RNG, Linux's SYN-ACK options with MSS = MTU - 40); data segments are no
 * larger than that nor than the MSS the client announced on its SYN (a pod behind flannel
 * announces 1410, so a server on the node network answering it after SNAT keeps to it); a SYN to a port nobody
 * listens on gets RST-ACK, which the client sees as "connection refused". Once established,
 * the data a client sends is acknowledged and collected; when the request is complete (an
 * HTTP request head ending in a blank line, or a length-prefixed DNS message) the listening
 * program answers (told the time, for its log), and the server sends the answer (PSH-ACK)
 * and closes (FIN-ACK) as an HTTP/1.1 server does for `Connection: close`. A program that
 * speaks first (sshd's banner) sends its greeting as soon as the handshake's ACK arrives, and
 * says itself when a request is whole. A FIN after the server's own is acknowledged; a FIN
 * that comes first is answered FIN-ACK (the program read end of file and closed), and the
 * connection ends with the client's last ACK (LAST_ACK). Server sockets live in
 * the namespace's state, so a snapshot taken mid-connection resumes it.
 * The client half (`tcpExchange`) is driven by commands (curl, wget, nc, ssh): it sends one
 * segment at a time through the network and reads what came back: a greeting, then the
 * answer to its request; with nothing to send it reads the greeting and closes. It takes only
 * segments from the address and port it connected to (a reply that comes back untranslated
 * from a DNATed pod finds no socket, so the connection times out; the kernel's RST for it is
 * not sent).
 * Left out: retransmission, windows and congestion control (everything arrives), segmentation
 * beyond one MSS per segment, TIME_WAIT, simultaneous open, urgent data.
 */
import { findListener, type Listener, type RequestContext } from './sockets';
import type { Ip } from './ipv4';
import { formatIp } from './ipv4';
import type { LocalError, TraceResult } from './forward';
import type { MeshHolder } from './mesh';
import { deviceByName, lookupRoute, sourceTo, type Netns } from './netns';
import { ipv4, linuxSynOptions, tcp, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Ipv4Packet, type TcpSegment } from './packet';
import type { Rng } from './rng';
import type { SimState } from './state';

export interface TcpSocket {
  state: 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT1' | 'LAST_ACK' | 'CLOSED';
  /** Next sequence number we send, and next we expect. */
  sndNxt: number;
  rcvNxt: number;
  /** Request bytes received so far. */
  buf: number[];
  /** The MSS the client announced on its SYN: no segment we send is larger. */
  peerMss?: number;
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

/** True once `buf` holds a whole request for the program on `port`. */
function complete(buf: number[], port: number, l?: Listener): boolean {
  if (l?.complete) return l.complete(buf);
  if (port === 53) return buf.length >= 2 && buf.length >= 2 + ((buf[0]! << 8) | buf[1]!);
  for (let i = 3; i < buf.length; i++) if (buf[i - 3] === 13 && buf[i - 2] === 10 && buf[i - 1] === 13 && buf[i] === 10) return true;
  return false;
}

function segment(p: Ipv4Packet, ns: Netns, fields: Parameters<typeof tcp>[2]): Ipv4Packet {
  const id = ns.ipId;
  ns.ipId = (ns.ipId + 1) & 0xffff;
  return ipv4({ src: p.dst, dst: p.src, ttl: 64, id, df: true, payload: tcp(p.dst, p.src, fields) });
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
    const tsEcr = seg.options.find((o) => o.kind === 'timestamps');
    out.push(
      segment(p, ns, {
        srcPort: seg.dstPort,
        dstPort: seg.srcPort,
        seq: isn,
        ack: (seg.seq + 1) >>> 0,
        flags: TCP_SYN | TCP_ACK,
        window: 64308,
        options: linuxSynOptions(mssFor(ns, p.src, state), Math.floor(nowMs) >>> 0, tsEcr && tsEcr.kind === 'timestamps' ? tsEcr.tsVal : 0),
      }),
    );
    return out;
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
    if (hello && hello.length > 0) {
      out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: sock.sndNxt, ack: sock.rcvNxt, flags: TCP_PSH | TCP_ACK, window: 502, data: hello }));
      sock.sndNxt = (sock.sndNxt + hello.length) >>> 0;
    }
  }
  let advanced = false;
  if (seg.data.length > 0 && seg.seq === sock.rcvNxt) {
    sock.buf.push(...seg.data);
    sock.rcvNxt = (sock.rcvNxt + seg.data.length) >>> 0;
    advanced = true;
  }
  if (f & TCP_FIN) {
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
    const mss = Math.min(mssFor(ns, p.src, state), sock.peerMss ?? Infinity);
    const data = answer ?? new Uint8Array(0);
    for (let off = 0; off < data.length; off += mss) {
      const chunk = data.subarray(off, Math.min(data.length, off + mss));
      out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: sock.sndNxt, ack: sock.rcvNxt, flags: TCP_PSH | TCP_ACK, window: 502, data: chunk }));
      sock.sndNxt = (sock.sndNxt + chunk.length) >>> 0;
    }
    out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: sock.sndNxt, ack: sock.rcvNxt, flags: TCP_FIN | TCP_ACK, window: 502 }));
    sock.sndNxt = (sock.sndNxt + 1) >>> 0;
    sock.state = 'FIN_WAIT1';
    return out;
  }
  if (advanced) out.push(segment(p, ns, { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: sock.sndNxt, ack: sock.rcvNxt, flags: TCP_ACK, window: 502 }));
  return out;
}

/** What a TCP client needs from the sandbox: the state, randomness, the time, and a way to send. */
export interface TcpEnv {
  state: SimState;
  rng: Rng;
  now: number;
  send(nsId: string, packet: Ipv4Packet, opts: { openPorts: Set<string> }): TraceResult;
}

export type TcpExchange = { traces: TraceResult[]; src: Ip; sport: number } & (
  | { kind: 'response'; data: Uint8Array; closed: boolean }
  | { kind: 'refused' }
  | { kind: 'timeout' }
  | { kind: 'icmp-error'; from: Ip; code: number }
  | { kind: 'local-error'; errno: LocalError['errno'] }
);

/**
 * The client half: handshake, send `request`, read until the server closes, close. Every
 * segment travels through the network, so NAT, kube-proxy's rules and faults apply to each.
 */
export function tcpExchange(env: TcpEnv, nsId: string, dst: Ip, dport: number, request: Uint8Array, sport: number): TcpExchange {
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
  const syn = send({ srcPort: sport, dstPort: dport, seq: isn, flags: TCP_SYN, window: 64240, options: linuxSynOptions(mssFor(ns, dst, env.state), Math.floor(env.now) >>> 0) });
  const local = syn.errors.find((e) => e.ns === nsId);
  if (local) return { kind: 'local-error', errno: local.errno, traces, src, sport };
  const icmpErr = syn.deliveries.find((d) => d.ns === nsId && d.packet.payload.kind === 'icmp' && d.packet.payload.type === 3);
  if (icmpErr && icmpErr.packet.payload.kind === 'icmp') return { kind: 'icmp-error', from: icmpErr.packet.src, code: icmpErr.packet.payload.code, traces, src, sport };
  const synAck = inbound(syn).find((x) => (x.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK));
  if (!synAck) {
    if (inbound(syn).some((x) => x.flags & TCP_RST)) return { kind: 'refused', traces, src, sport };
    return { kind: 'timeout', traces, src, sport };
  }
  let seq = (isn + 1) >>> 0;
  let ack = (synAck.seq + 1) >>> 0;
  const chunks: number[] = [];
  let fin = false;
  const read = (t: TraceResult): void => {
    for (const x of inbound(t)) {
      if (x.seq === ack && x.data.length > 0) {
        chunks.push(...x.data);
        ack = (ack + x.data.length) >>> 0;
      }
      if (x.flags & TCP_FIN) {
        ack = (ack + 1) >>> 0;
        fin = true;
      }
    }
  };
  // A server that speaks first answers the handshake's ACK with its greeting.
  read(send({ srcPort: sport, dstPort: dport, seq, ack, flags: TCP_ACK, window: 502 }));
  if (request.length === 0) {
    // Nothing to send: close, and read until the server has closed too.
    read(send({ srcPort: sport, dstPort: dport, seq, ack, flags: TCP_FIN | TCP_ACK, window: 502 }));
    if (fin) send({ srcPort: sport, dstPort: dport, seq: (seq + 1) >>> 0, ack, flags: TCP_ACK, window: 502 });
    return { kind: 'response', data: Uint8Array.from(chunks), closed: fin, traces, src, sport };
  }
  const req = send({ srcPort: sport, dstPort: dport, seq, ack, flags: TCP_PSH | TCP_ACK, window: 502, data: request });
  seq = (seq + request.length) >>> 0;
  read(req);
  if (fin) send({ srcPort: sport, dstPort: dport, seq, ack, flags: TCP_FIN | TCP_ACK, window: 502 });
  return { kind: 'response', data: Uint8Array.from(chunks), closed: fin, traces, src, sport };
}
