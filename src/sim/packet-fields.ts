/**
 * The headers of a frame or a packet as a list of fields: what a protocol analyser's detail
 * pane shows, for the packet path view.
 *
 * Design notes: `frameHeaders` and `packetHeaders` walk the structures of packet.ts (never
 * bytes) and return one layer per header, outermost first: Ethernet II, then ARP or IPv4, then
 * ICMP, UDP or TCP, then what a UDP datagram carries (VXLAN with the whole inner frame's layers
 * after it, marked `inner`; DNS, decoded; other data by its length and, when it is text, its
 * first line). Each layer and field gives its byte offset and length in the encoding that
 * starts where the walk started (encodeFrame or encodeIpv4 of the same value), so a hex dump
 * can point at them; fields that share bytes (IPv4's version and header length, its flags and
 * fragment offset, TCP's data offset) each give the bytes they live in. Values are written as
 * Wireshark writes them where that is short (`0x0800 (IPv4)`, `8 (Echo (ping) request)`,
 * `0x02 (SYN)`), with the number first, so the text carries the meaning. Where each IPv4 field
 * lies and the protocols' names come from ipv4-fields.ts, the header explorer's field table.
 * Simplified: IPv4 options and ICMP types other than echo, unreachable and time exceeded get
 * no fields of their own (the sandbox sends none); TCP options are listed on one line.
 */
import { decodeDns, rcodeName, rdataText, typeName } from './dns';
import { formatIp } from './ipv4';
import { fieldBytes, protocolName, type FixedFieldId } from './ipv4-fields';
import { BROADCAST_MAC } from './mac';
import {
  ETH_P_ARP,
  ETH_P_IP,
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
  ipv4Length,
  tcpHeaderLength,
  type ArpPacket,
  type EthernetFrame,
  type IcmpMessage,
  type Ipv4Packet,
  type TcpOption,
  type TcpSegment,
  type UdpDatagram,
} from './packet';

export interface HeaderField {
  name: string;
  value: string;
  /** Where the field's bytes start and how many there are (a bit field: the bytes it shares). */
  offset: number;
  length: number;
}

export interface HeaderLayer {
  /** `Ethernet II`, `ARP`, `IPv4`, `ICMP`, `UDP`, `TCP`, `VXLAN`, `DNS`, `Data`. */
  name: string;
  /** Headers inside a VXLAN packet are `inner`; the ones around them `outer`. */
  role?: 'outer' | 'inner';
  /** One line: `10.244.2.3 > 10.244.1.2, TTL 63`. */
  summary: string;
  offset: number;
  /** The header's length in bytes (for Data, the data's). */
  length: number;
  fields: HeaderField[];
}

const hex = (n: number, digits: number): string => `0x${n.toString(16).padStart(digits, '0')}`;

const ICMP_TYPES: Record<number, string> = {
  [ICMP_ECHO_REPLY]: 'Echo (ping) reply',
  [ICMP_DEST_UNREACH]: 'Destination unreachable',
  [ICMP_ECHO_REQUEST]: 'Echo (ping) request',
  [ICMP_TIME_EXCEEDED]: 'Time-to-live exceeded',
};

const UNREACH_CODES = ['Network unreachable', 'Host unreachable', 'Protocol unreachable', 'Port unreachable', 'Fragmentation needed'];

const TCP_FLAGS: [number, string][] = [
  [TCP_CWR, 'CWR'],
  [TCP_ECE, 'ECE'],
  [TCP_URG, 'URG'],
  [TCP_ACK, 'ACK'],
  [TCP_PSH, 'PSH'],
  [TCP_RST, 'RST'],
  [TCP_SYN, 'SYN'],
  [TCP_FIN, 'FIN'],
];

/** The layers of an Ethernet frame, its first byte at `offset`. */
export function frameHeaders(frame: EthernetFrame, offset = 0, role?: 'inner'): HeaderLayer[] {
  const type = frame.payload.kind === 'arp' ? ETH_P_ARP : ETH_P_IP;
  const eth: HeaderLayer = {
    name: 'Ethernet II',
    summary: `${frame.src} > ${frame.dst}, ${frame.payload.kind === 'arp' ? 'ARP' : 'IPv4'}`,
    offset,
    length: 14,
    fields: [
      { name: 'Destination', value: frame.dst === BROADCAST_MAC ? `${frame.dst} (broadcast)` : frame.dst, offset, length: 6 },
      { name: 'Source', value: frame.src, offset: offset + 6, length: 6 },
      { name: 'Type', value: `${hex(type, 4)} (${type === ETH_P_ARP ? 'ARP' : 'IPv4'})`, offset: offset + 12, length: 2 },
    ],
  };
  const rest = frame.payload.kind === 'arp' ? [arpHeader(frame.payload, offset + 14)] : packetHeaders(frame.payload, offset + 14, role);
  // A frame carrying a VXLAN packet is the outer one, like the packet's own headers.
  const own = role ?? rest[0]?.role;
  return [own ? { ...eth, role: own } : eth, ...rest];
}

function arpHeader(a: ArpPacket, at: number): HeaderLayer {
  return {
    name: 'ARP',
    summary: a.op === 1 ? `who-has ${formatIp(a.tpa)} tell ${formatIp(a.spa)}` : `${formatIp(a.spa)} is-at ${a.sha}`,
    offset: at,
    length: 28,
    fields: [
      { name: 'Hardware type', value: '1 (Ethernet)', offset: at, length: 2 },
      { name: 'Protocol type', value: '0x0800 (IPv4)', offset: at + 2, length: 2 },
      { name: 'Hardware size', value: '6', offset: at + 4, length: 1 },
      { name: 'Protocol size', value: '4', offset: at + 5, length: 1 },
      { name: 'Opcode', value: a.op === 1 ? '1 (request)' : '2 (reply)', offset: at + 6, length: 2 },
      { name: 'Sender MAC address', value: a.sha, offset: at + 8, length: 6 },
      { name: 'Sender IP address', value: formatIp(a.spa), offset: at + 14, length: 4 },
      { name: 'Target MAC address', value: a.tha, offset: at + 18, length: 6 },
      { name: 'Target IP address', value: formatIp(a.tpa), offset: at + 24, length: 4 },
    ],
  };
}

/**
 * The layers of an IPv4 packet, its first byte at `offset`. A packet carrying VXLAN has its
 * own layers marked `outer` and the inner frame's `inner`.
 */
export function packetHeaders(p: Ipv4Packet, offset = 0, role?: 'inner'): HeaderLayer[] {
  const tunnel = p.payload.kind === 'udp' && !(p.payload.payload instanceof Uint8Array);
  const own: 'outer' | 'inner' | undefined = role ?? (tunnel ? 'outer' : undefined);
  const at = offset;
  const flags = (p.df ? 2 : 0) | (p.mf ? 1 : 0);
  const flagNames = [p.df ? "don't fragment" : '', p.mf ? 'more fragments' : ''].filter(Boolean).join(', ');
  const protocol = protocolName(p.proto);
  // Named as the path view names them; where each field lies comes from ipv4-fields.ts.
  const ipFields: [string, FixedFieldId, string][] = [
    ['Version', 'version', '4'],
    ['Header length', 'ihl', '20 bytes (5)'],
    ['Type of service', 'dscp', `${hex(p.tos, 2)} (DSCP ${p.tos >> 2}, ECN ${p.tos & 3})`],
    ['Total length', 'totalLength', String(ipv4Length(p))],
    ['Identification', 'identification', `${hex(p.id, 4)} (${p.id})`],
    ['Flags', 'flags', `${hex(flags, 1)}${flagNames ? ` (${flagNames})` : ''}`],
    ['Fragment offset', 'fragmentOffset', p.fragOffset === 0 ? '0' : `${p.fragOffset} (${p.fragOffset * 8} bytes)`],
    ['Time to live', 'ttl', String(p.ttl)],
    ['Protocol', 'protocol', `${p.proto}${protocol ? ` (${protocol})` : ''}`],
    ['Header checksum', 'checksum', hex(p.checksum, 4)],
    ['Source address', 'source', formatIp(p.src)],
    ['Destination address', 'destination', formatIp(p.dst)],
  ];
  const ip: HeaderLayer = {
    name: 'IPv4',
    summary: `${formatIp(p.src)} > ${formatIp(p.dst)}, TTL ${p.ttl}, ${protocol ?? `protocol ${p.proto}`}`,
    offset: at,
    length: 20,
    fields: ipFields.map(([name, id, value]) => {
      const { offset: o, length } = fieldBytes(id);
      return { name, value, offset: at + o, length };
    }),
  };
  const body = at + 20;
  const pl = p.payload;
  let rest: HeaderLayer[];
  if (p.fragOffset > 0 || pl.kind === 'raw') {
    const n = ipv4Length(p) - 20;
    rest = [dataLayer(pl.kind === 'raw' ? pl.data : new Uint8Array(0), body, n, p.fragOffset > 0 || p.mf ? 'a fragment' : undefined)];
  } else if (pl.kind === 'icmp') rest = icmpHeaders(pl, body);
  else if (pl.kind === 'udp') rest = udpHeaders(pl, body);
  else rest = tcpHeaders(pl, body);
  const mark = (l: HeaderLayer): HeaderLayer => (own && !l.role ? { ...l, role: own } : l);
  return [mark(ip), ...rest.map(mark)];
}

function icmpHeaders(m: IcmpMessage, at: number): HeaderLayer[] {
  const name = ICMP_TYPES[m.type];
  const code = m.type === ICMP_DEST_UNREACH ? UNREACH_CODES[m.code] : m.type === ICMP_TIME_EXCEEDED && m.code === 0 ? 'in transit' : undefined;
  const fields: HeaderField[] = [
    { name: 'Type', value: `${m.type}${name ? ` (${name})` : ''}`, offset: at, length: 1 },
    { name: 'Code', value: `${m.code}${code ? ` (${code})` : ''}`, offset: at + 1, length: 1 },
    { name: 'Checksum', value: hex(m.checksum, 4), offset: at + 2, length: 2 },
  ];
  const echo = m.type === ICMP_ECHO_REQUEST || m.type === ICMP_ECHO_REPLY;
  if (echo) {
    const id = m.rest >>> 16;
    fields.push({ name: 'Identifier', value: `${hex(id, 4)} (${id})`, offset: at + 4, length: 2 }, { name: 'Sequence number', value: String(m.rest & 0xffff), offset: at + 6, length: 2 });
  } else if (m.type === ICMP_DEST_UNREACH && m.code === 4) {
    fields.push({ name: 'Next-hop MTU', value: String(m.rest & 0xffff), offset: at + 6, length: 2 });
  } else {
    fields.push({ name: 'Unused', value: hex(m.rest >>> 0, 8), offset: at + 4, length: 4 });
  }
  const layer: HeaderLayer = { name: 'ICMP', summary: `${name ?? `type ${m.type}`}${echo ? `, id ${m.rest >>> 16}, seq ${m.rest & 0xffff}` : code ? `, ${code.toLowerCase()}` : ''}`, offset: at, length: 8, fields };
  if (m.data.length === 0) return [layer];
  return [layer, dataLayer(m.data, at + 8, m.data.length, echo ? undefined : 'the start of the packet it is about')];
}

function udpHeaders(d: UdpDatagram, at: number): HeaderLayer[] {
  const length = 8 + (d.payload instanceof Uint8Array ? d.payload.length : 8 + frameBytes(d.payload.inner));
  const udp: HeaderLayer = {
    name: 'UDP',
    summary: `${d.srcPort} > ${d.dstPort}, length ${length}`,
    offset: at,
    length: 8,
    fields: [
      { name: 'Source port', value: String(d.srcPort), offset: at, length: 2 },
      { name: 'Destination port', value: String(d.dstPort), offset: at + 2, length: 2 },
      { name: 'Length', value: String(length), offset: at + 4, length: 2 },
      { name: 'Checksum', value: d.checksum === 0 ? '0x0000 (none)' : hex(d.checksum, 4), offset: at + 6, length: 2 },
    ],
  };
  if (!(d.payload instanceof Uint8Array)) {
    const v = d.payload;
    const vx: HeaderLayer = {
      name: 'VXLAN',
      summary: `VNI ${v.vni}`,
      offset: at + 8,
      length: 8,
      fields: [
        { name: 'Flags', value: '0x08 (VNI valid)', offset: at + 8, length: 1 },
        { name: 'VXLAN network identifier (VNI)', value: String(v.vni), offset: at + 12, length: 3 },
      ],
    };
    return [udp, vx, ...frameHeaders(v.inner, at + 16, 'inner')];
  }
  if (d.payload.length === 0) return [udp];
  const dns = d.srcPort === 53 || d.dstPort === 53 ? dnsLayer(d.payload, at + 8) : undefined;
  return [udp, dns ?? dataLayer(d.payload, at + 8, d.payload.length)];
}

function frameBytes(f: EthernetFrame): number {
  return 14 + (f.payload.kind === 'arp' ? 28 : ipv4Length(f.payload));
}

function dnsLayer(b: Uint8Array, at: number): HeaderLayer | undefined {
  try {
    const m = decodeDns(b);
    const q = m.questions[0];
    const question = q ? `${typeName(q.type)} ${q.name}` : '';
    const answers = m.answers.map((r) => `${r.type === 'raw' ? typeName(r.code) : r.type} ${rdataText(r)}`);
    const fields: HeaderField[] = [
      { name: 'Transaction ID', value: hex(m.id, 4), offset: at, length: 2 },
      { name: 'Message', value: m.qr ? `response, ${rcodeName(m.rcode)}` : 'query', offset: at + 2, length: 2 },
    ];
    if (q) fields.push({ name: 'Question', value: question, offset: at + 12, length: b.length - 12 });
    answers.forEach((a, i) => fields.push({ name: `Answer ${i + 1}`, value: a, offset: at + 12, length: b.length - 12 }));
    return { name: 'DNS', summary: m.qr ? `response ${rcodeName(m.rcode)} ${question}${answers.length ? ` -> ${answers.join(', ')}` : ''}` : `query ${question}`, offset: at, length: b.length, fields };
  } catch {
    return undefined;
  }
}

function tcpHeaders(s: TcpSegment, at: number): HeaderLayer[] {
  const hlen = tcpHeaderLength(s);
  const flagNames = TCP_FLAGS.filter(([bit]) => s.flags & bit).map(([, n]) => n);
  const fields: HeaderField[] = [
    { name: 'Source port', value: String(s.srcPort), offset: at, length: 2 },
    { name: 'Destination port', value: String(s.dstPort), offset: at + 2, length: 2 },
    { name: 'Sequence number', value: String(s.seq >>> 0), offset: at + 4, length: 4 },
    { name: 'Acknowledgment number', value: String(s.ack >>> 0), offset: at + 8, length: 4 },
    { name: 'Header length', value: `${hlen} bytes (${hlen / 4})`, offset: at + 12, length: 1 },
    { name: 'Flags', value: `${hex(s.flags, 2)}${flagNames.length ? ` (${flagNames.reverse().join(', ')})` : ''}`, offset: at + 13, length: 1 },
    { name: 'Window', value: String(s.window), offset: at + 14, length: 2 },
    { name: 'Checksum', value: hex(s.checksum, 4), offset: at + 16, length: 2 },
    { name: 'Urgent pointer', value: String(s.urgent), offset: at + 18, length: 2 },
  ];
  if (s.options.length > 0) fields.push({ name: 'Options', value: s.options.map(optionText).join(', '), offset: at + 20, length: hlen - 20 });
  const layer: HeaderLayer = { name: 'TCP', summary: `${s.srcPort} > ${s.dstPort}, ${flagNames.join(', ') || 'no flags'}${s.data.length ? `, ${s.data.length} bytes of data` : ''}`, offset: at, length: hlen, fields };
  return s.data.length > 0 ? [layer, dataLayer(s.data, at + hlen, s.data.length)] : [layer];
}

function optionText(o: TcpOption): string {
  switch (o.kind) {
    case 'eol':
      return 'EOL';
    case 'nop':
      return 'NOP';
    case 'mss':
      return `MSS ${o.mss}`;
    case 'wscale':
      return `window scale ${o.shift}`;
    case 'sackPermitted':
      return 'SACK permitted';
    case 'sack':
      return `SACK ${o.blocks.map((b) => `${b.left >>> 0}-${b.right >>> 0}`).join(' ')}`;
    case 'timestamps':
      return `TS val ${o.tsVal >>> 0} ecr ${o.tsEcr >>> 0}`;
    case 'unknown':
      return `option ${o.bytes[0] ?? 0} (${o.bytes.length} bytes)`;
  }
}

/** Data: its length, and its first line when it is text (an HTTP request or status line). */
function dataLayer(data: Uint8Array, at: number, length: number, what?: string): HeaderLayer {
  const fields: HeaderField[] = [{ name: 'Length', value: `${length} bytes${what ? ` (${what})` : ''}`, offset: at, length }];
  const line = firstTextLine(data);
  if (line !== undefined) fields.push({ name: 'First line', value: line, offset: at, length: Math.min(length, line.length) });
  return { name: 'Data', summary: line ?? `${length} bytes${what ? ` (${what})` : ''}`, offset: at, length, fields };
}

function firstTextLine(data: Uint8Array): string | undefined {
  const end = data.indexOf(0x0a);
  const line = data.subarray(0, end < 0 ? Math.min(data.length, 80) : end);
  if (line.length < 4) return undefined;
  for (const b of line) if ((b < 0x20 || b > 0x7e) && b !== 0x0d) return undefined;
  const text = String.fromCharCode(...line).replace(/\r$/, '');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
