/**
 * Traces as readable text: for lessons, golden files and screen readers.
 *
 * Design notes: `traceText` turns a TraceResult (forward.ts) into one numbered line per hop:
 * the host the step happened on (the namespace's hostname: a pod's name, a node's name,
 * `gateway`, `workstation`, `cloud-lb`, a Docker host's name; a Docker container is shown by
 * its container name rather than its hostname, which is its short id), the device (`-` when
 * the step has none), the action (forward.ts's HopAction names, so a lesson can refer to
 * them), the IPv4 header at that step (`src > dst ttl N id N`) and the engine's one-line
 * explanation (with containers called by their names there too). Indented below a step come
 * the outer header when the step sees both (VXLAN encapsulation and decapsulation:
 * `outer 192.168.49.3 > 192.168.49.4 ttl 64`), then the iptables rules whose targets fired,
 * as `iptables-save` prints them (the engine records terminating targets and MARKs, not the
 * jumps that led there, and no filter ACCEPTs). The outer packet's own steps between the nodes
 * (routing, the LAN switch) carry `outer` before their header. ARP steps are compact: no
 * header, `who-has A tell B` and `A is-at cni0 of node-2`. The trace ends with one summary
 * line: what was delivered to whom (tcpdump-like, with the TTL on arrival), how many routed
 * hops (TTL decrements) and ARP resolutions it took, which NAT was applied (repeats counted),
 * and any drop or local error.
 *
 * MAC addresses depend on the seed and say little to a reader, so the default rendering names
 * the device that owns a MAC instead (`eth0 of node-2`); `{ macs: true }` keeps the MACs.
 * `{ checksums: true }` adds the IPv4 header checksum to every header.
 * Columns are padded to the widest cell of the trace (never with trailing spaces), so lines
 * line up in a monospace view and still read as words, left to right, in a screen reader.
 *
 * `tracesText` renders several traces, each under a heading: a TCP exchange (Sim.tcpRequest)
 * gives one trace per segment the client sends, with the server's answers to it in the same
 * trace, so each is labelled with its segments' flags (`SYN, SYN-ACK`, `ACK`,
 * `PSH-ACK 78 bytes, ACK, PSH-ACK 615 bytes, FIN-ACK`); other traces get the caller's labels
 * or their number.
 * `packetLabel` and `arpText` name a packet or an ARP message in one line, for lists of packets.
 * Left out: the transport header on each hop (the hops keep the whole packet, but the text keeps
 * to the IPv4 header; ports appear in the NAT explanations and in the summary, which reads the
 * delivered packets).
 */
import { decodeDns, rcodeName, rdataText, typeName } from './dns';
import type { Hop, TraceResult } from './forward';
import { formatIp, type Ip } from './ipv4';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_TIME_EXCEEDED,
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  type ArpPacket,
  type Ipv4Packet,
  type TcpSegment,
} from './packet';
import type { SimState } from './state';

export interface TraceTextOptions {
  /** Show MAC addresses as they are instead of naming the device that owns them. */
  macs?: boolean;
  /** Add the IPv4 header checksum to every header. */
  checksums?: boolean;
}

export interface TracesTextOptions extends TraceTextOptions {
  /** One heading per trace; missing ones come from the TCP flags, or the trace's number. */
  labels?: (string | undefined)[];
}

const MAC_RE = /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/g;

/** The name a reader knows a namespace by: a container's name, otherwise its hostname. */
export function hostName(state: SimState, nsId: string): string {
  if (state.docker) {
    for (const h of Object.values(state.docker.hosts)) {
      const c = h.containers.find((x) => x.ns === nsId);
      if (c) return c.name;
    }
  }
  return state.netns[nsId]?.hostname ?? nsId;
}

/** Docker containers' hostnames (their short ids) and the names people call them by. */
function containerNames(state: SimState): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of Object.values(state.docker?.hosts ?? {})) {
    for (const c of h.containers) {
      const hostname = state.netns[c.ns]?.hostname;
      if (hostname && hostname !== c.name) out.set(hostname, c.name);
    }
  }
  return out;
}

/** Every MAC in the sandbox and the device that owns it (`cni0 of node-1`). */
function macOwners(state: SimState): Map<string, string> {
  const out = new Map<string, string>();
  for (const ns of Object.values(state.netns)) {
    const host = hostName(state, ns.id);
    for (const d of ns.devices) if (d.kind !== 'loopback' && !out.has(d.mac)) out.set(d.mac, `${d.name} of ${host}`);
  }
  return out;
}

function header(h: { src: Ip; dst: Ip; ttl: number; id?: number; checksum?: number }, opts: TraceTextOptions): string {
  let s = `${formatIp(h.src)} > ${formatIp(h.dst)} ttl ${h.ttl}`;
  if (h.id !== undefined) s += ` id ${h.id}`;
  if (opts.checksums && h.checksum !== undefined) s += ` cksum 0x${h.checksum.toString(16).padStart(4, '0')}`;
  return s;
}

/**
 * The engine's explanation, with containers called by their names (the engine uses hostnames,
 * a container's being its short id) and MACs replaced by their owners unless MACs are wanted.
 */
function explain(h: Hop, names: Map<string, string>, owners: Map<string, string>, opts: TraceTextOptions): string {
  let d = h.detail;
  if (h.action === 'arp-request') d = d.replace(/ \(broadcast on [^)]*\)$/, '');
  for (const [hostname, name] of names) d = d.split(hostname).join(name);
  if (opts.macs) return d;
  d = d.replace(/\(FDB: ([0-9a-f:]{17})\)/, (_, mac: string) => `(FDB: ${owners.get(mac) ?? 'a known MAC'})`);
  d = d.replace(/does not know ([0-9a-f:]{17})/, (_, mac: string) => `does not know ${owners.get(mac) ?? 'the destination MAC'}`);
  d = d.replace(/forwards to ([0-9a-f:]{17})/, (_, mac: string) => `forwards to ${owners.get(mac) ?? 'the port that MAC was learned on'}`);
  return d.replace(MAC_RE, (mac) => owners.get(mac) ?? 'an unknown MAC');
}

interface Row {
  n: string;
  host: string;
  dev: string;
  action: string;
  hdr: string;
  detail: string;
  /** The outer header of a step that sees both (VXLAN encapsulation and decapsulation). */
  outer: string | undefined;
  rules: string[];
}

/** Renders one trace: numbered hops, the rules that fired under them, and a summary line. */
export function traceText(state: SimState, trace: TraceResult, opts: TraceTextOptions = {}): string {
  const owners = macOwners(state);
  const names = containerNames(state);
  // Outer headers of frames currently inside a VXLAN tunnel: `src>dst` -> open count.
  const tunnels = new Map<string, number>();
  const rows: Row[] = trace.hops.map((h, i) => {
    let hdr = '';
    if (h.ip) {
      const key = `${h.ip.src}>${h.ip.dst}`;
      const outerOnly = !h.outer && (tunnels.get(key) ?? 0) > 0;
      hdr = (outerOnly ? 'outer ' : '') + header(h.ip, opts);
    } else if (h.outer) {
      // A switch step: the frame's only IP header, the outer one when it is tunnel traffic.
      const key = `${h.outer.src}>${h.outer.dst}`;
      hdr = ((tunnels.get(key) ?? 0) > 0 ? 'outer ' : '') + header(h.outer, opts);
    }
    if (h.outer && h.action === 'vxlan-encap') {
      const key = `${h.outer.src}>${h.outer.dst}`;
      tunnels.set(key, (tunnels.get(key) ?? 0) + 1);
    } else if (h.outer && h.action === 'vxlan-decap') {
      const key = `${h.outer.src}>${h.outer.dst}`;
      const left = (tunnels.get(key) ?? 0) - 1;
      if (left > 0) tunnels.set(key, left);
      else tunnels.delete(key);
    }
    return {
      n: String(i + 1),
      host: hostName(state, h.ns),
      dev: h.dev ?? '-',
      action: h.action,
      hdr,
      detail: explain(h, names, owners, opts),
      outer: h.outer && h.ip ? `outer ${header(h.outer, opts)}` : undefined,
      rules: h.rules ?? [],
    };
  });
  const w = (f: (r: Row) => string): number => rows.reduce((m, r) => Math.max(m, f(r).length), 0);
  const wn = w((r) => r.n);
  const wh = w((r) => r.host);
  const wd = w((r) => r.dev);
  const wa = w((r) => r.action);
  const wi = w((r) => r.hdr);
  const lines: string[] = [];
  for (const r of rows) {
    const cells = [r.n.padStart(wn), r.host.padEnd(wh), r.dev.padEnd(wd), r.action.padEnd(wa)];
    if (wi > 0) cells.push(r.hdr.padEnd(wi));
    cells.push(r.detail);
    lines.push(cells.join('  ').trimEnd());
    const indent = ' '.repeat(wn + 2 + 4);
    if (r.outer) lines.push(indent + r.outer);
    for (const rule of r.rules) lines.push(indent + rule);
  }
  lines.push(summary(state, trace));
  return lines.join('\n') + '\n';
}

/** Renders several traces, each under a `== N. label ==` heading, separated by blank lines. */
export function tracesText(state: SimState, traces: TraceResult[], opts: TracesTextOptions = {}): string {
  return traces
    .map((t, i) => {
      const label = opts.labels?.[i] ?? (tcpLabel(t) || `trace ${i + 1}`);
      return `== ${i + 1}. ${label} ==\n${traceText(state, t, opts)}`;
    })
    .join('\n');
}

// ------------------------------------------------------------------------------ summary

function summary(state: SimState, trace: TraceResult): string {
  const parts: string[] = [];
  if (trace.deliveries.length === 0) parts.push('nothing delivered');
  for (const d of trace.deliveries) parts.push(`${hostName(state, d.ns)} got ${packetText(d.packet)}`);
  parts.push(`${trace.routed} routed ${trace.routed === 1 ? 'hop' : 'hops'}`);
  if (trace.arps > 0) parts.push(`${trace.arps} ARP ${trace.arps === 1 ? 'resolution' : 'resolutions'}`);
  const nat = trace.hops.filter((h) => h.action === 'dnat' || h.action === 'snat' || h.action === 'un-dnat' || h.action === 'un-snat').map((h) => natText(state, h));
  parts.push(`NAT: ${nat.length > 0 ? counted(nat).join(', ') : 'none'}`);
  for (const h of trace.hops) if (h.action === 'drop' || h.action === 'filter') parts.push(`dropped at ${hostName(state, h.ns)}: ${h.detail}`);
  for (const e of trace.errors) parts.push(`${hostName(state, e.ns)} gets ${e.errno}${e.mtu !== undefined ? ` (mtu ${e.mtu})` : ''}`);
  return `= ${parts.join('; ')}`;
}

/** Repeated entries once, in first-seen order, with their count: `un-DNAT on node-2 (x2)`. */
function counted(items: string[]): string[] {
  const n = new Map<string, number>();
  for (const i of items) n.set(i, (n.get(i) ?? 0) + 1);
  return [...n].map(([i, c]) => (c > 1 ? `${i} (x${c})` : i));
}

function natText(state: SimState, h: Hop): string {
  const where = hostName(state, h.ns);
  switch (h.action) {
    case 'dnat': {
      const m = /DNAT (\S+ -> \S+)/.exec(h.detail);
      if (m) return `DNAT ${m[1]} on ${where}`;
      const c = /conntrack: (\S+ -> \S+)/.exec(h.detail);
      return c ? `DNAT ${c[1]} on ${where} (conntrack)` : `DNAT on ${where} (conntrack)`;
    }
    case 'snat': {
      const m = /(MASQUERADE|SNAT) (\S+ -> \S+)/.exec(h.detail);
      return m ? `${m[1]} ${m[2]} on ${where}` : `SNAT on ${where}`;
    }
    case 'un-dnat':
      return `un-DNAT on ${where}`;
    default:
      return `un-SNAT on ${where}`;
  }
}

/** A packet as tcpdump would put it, with the TTL: `TCP SYN 10.244.1.0:34835 > 10.244.2.2:80 ttl 62`. */
export function packetText(p: Ipv4Packet): string {
  const pl = p.payload;
  const ends = (sport?: number, dport?: number): string =>
    sport === undefined ? `${formatIp(p.src)} > ${formatIp(p.dst)}` : `${formatIp(p.src)}:${sport} > ${formatIp(p.dst)}:${dport}`;
  switch (pl.kind) {
    case 'icmp':
      return `${describePacket(p)} ${ends()} ttl ${p.ttl}`;
    case 'udp':
      if (!(pl.payload instanceof Uint8Array)) return `UDP ${ends(pl.srcPort, pl.dstPort)} ttl ${p.ttl} (VXLAN, VNI ${pl.payload.vni})`;
      return `UDP ${ends(pl.srcPort, pl.dstPort)} ttl ${p.ttl}${udpAppText(pl.srcPort, pl.dstPort, pl.payload)}`;
    case 'tcp':
      return `TCP ${segmentName(pl)} ${ends(pl.srcPort, pl.dstPort)} ttl ${p.ttl}`;
    default:
      return `IP proto ${p.proto} ${ends()} ttl ${p.ttl}`;
  }
}

function udpAppText(sport: number, dport: number, data: Uint8Array): string {
  const dns = sport === 53 || dport === 53 ? dnsText(data) : undefined;
  return dns ? ` (${dns})` : '';
}

/**
 * A packet as a list of packets names it, without the TTL: `ICMP echo request 10.0.1.5 > 10.0.2.5, seq 1`,
 * `TCP SYN 10.244.2.3:41000 > 10.96.0.10:80`, `UDP 10.244.2.3:41234 > 10.96.0.10:53 (DNS query A web...)`.
 */
export function packetLabel(p: Ipv4Packet): string {
  const pl = p.payload;
  const ends = (sport?: number, dport?: number): string =>
    sport === undefined ? `${formatIp(p.src)} > ${formatIp(p.dst)}` : `${formatIp(p.src)}:${sport} > ${formatIp(p.dst)}:${dport}`;
  if (p.fragOffset > 0) return `IP fragment ${ends()} id ${p.id} offset ${p.fragOffset * 8}`;
  switch (pl.kind) {
    case 'icmp': {
      const echo = pl.type === ICMP_ECHO_REQUEST || pl.type === ICMP_ECHO_REPLY;
      return `${describePacket(p)} ${ends()}${echo ? `, seq ${pl.rest & 0xffff}` : ''}`;
    }
    case 'udp':
      if (!(pl.payload instanceof Uint8Array)) return `UDP ${ends(pl.srcPort, pl.dstPort)} (VXLAN, VNI ${pl.payload.vni})`;
      return `UDP ${ends(pl.srcPort, pl.dstPort)}${udpAppText(pl.srcPort, pl.dstPort, pl.payload)}`;
    case 'tcp':
      return `TCP ${segmentName(pl)} ${ends(pl.srcPort, pl.dstPort)}`;
    default:
      return `IP proto ${p.proto} ${ends()}`;
  }
}

/** An ARP message as tcpdump puts it: `ARP, Request who-has 10.244.2.1 tell 10.244.2.3`. */
export function arpText(a: ArpPacket): string {
  return a.op === 1 ? `ARP, Request who-has ${formatIp(a.tpa)} tell ${formatIp(a.spa)}` : `ARP, Reply ${formatIp(a.spa)} is-at ${a.sha}`;
}

const ICMP_UNREACH = ['net unreachable', 'host unreachable', 'protocol unreachable', 'port unreachable', 'fragmentation needed'];

/** A packet's transport content in a few words: `ICMP echo reply`, `UDP 41234 > 53 (DNS query A web...)`. */
export function describePacket(p: Ipv4Packet): string {
  const pl = p.payload;
  switch (pl.kind) {
    case 'icmp':
      if (pl.type === ICMP_ECHO_REQUEST) return 'ICMP echo request';
      if (pl.type === ICMP_ECHO_REPLY) return 'ICMP echo reply';
      if (pl.type === ICMP_TIME_EXCEEDED) return 'ICMP time exceeded in-transit';
      if (pl.type === ICMP_DEST_UNREACH) return `ICMP ${ICMP_UNREACH[pl.code] ?? `unreachable code ${pl.code}`}`;
      return `ICMP type ${pl.type} code ${pl.code}`;
    case 'udp': {
      if (!(pl.payload instanceof Uint8Array)) return `UDP ${pl.srcPort} > ${pl.dstPort} (VXLAN, VNI ${pl.payload.vni})`;
      return `UDP ${pl.srcPort} > ${pl.dstPort}${udpAppText(pl.srcPort, pl.dstPort, pl.payload)}`;
    }
    case 'tcp':
      return `TCP ${pl.srcPort} > ${pl.dstPort} ${segmentName(pl)}`;
    default:
      return `IP proto ${p.proto}`;
  }
}

function dnsText(bytes: Uint8Array): string | undefined {
  try {
    const m = decodeDns(bytes);
    const q = m.questions[0];
    const question = q ? `${typeName(q.type)} ${q.name}` : '';
    if (!m.qr) return `DNS query ${question}`;
    const answers = m.answers.map((r) => `${r.type === 'raw' ? typeName(r.code) : r.type} ${rdataText(r)}`);
    return `DNS response ${rcodeName(m.rcode)} ${question}${answers.length ? ` -> ${answers.join(', ')}` : ''}`;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------ TCP labels

const FLAG_NAMES: [number, string][] = [
  [TCP_SYN, 'SYN'],
  [TCP_FIN, 'FIN'],
  [TCP_RST, 'RST'],
  [TCP_PSH, 'PSH'],
  [TCP_URG, 'URG'],
  [TCP_ECE, 'ECE'],
  [TCP_CWR, 'CWR'],
  [TCP_ACK, 'ACK'],
];

/** A segment as people name it: `SYN`, `SYN-ACK`, `PSH-ACK 78 bytes`, `FIN-ACK`, `RST-ACK`. */
export function segmentName(s: TcpSegment): string {
  const name = FLAG_NAMES.filter(([bit]) => s.flags & bit).map(([, n]) => n).join('-') || 'no flags';
  return s.data.length > 0 ? `${name} ${s.data.length} bytes` : name;
}

/** The TCP segments a trace carried, in the order they first appear on a wire. */
export function traceSegments(trace: TraceResult): TcpSegment[] {
  const seen = new Set<string>();
  const out: TcpSegment[] = [];
  for (const c of trace.captures) {
    let p = c.frame.payload;
    if (p.kind !== 'ipv4') continue;
    if (p.payload.kind === 'udp' && !(p.payload.payload instanceof Uint8Array)) p = p.payload.payload.inner.payload;
    if (p.kind !== 'ipv4' || p.payload.kind !== 'tcp') continue;
    const s = p.payload;
    const key = `${s.flags}|${s.seq}|${s.ack}|${s.data.length}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}

/** `SYN, SYN-ACK` for a trace carrying TCP, '' for one that carries none. */
export function tcpLabel(trace: TraceResult): string {
  return traceSegments(trace).map(segmentName).join(', ');
}
