import { describe, expect, it } from 'vitest';
import { dnsQuery, encodeDns } from './dns';
import { formatIp, ip } from './ipv4';
import { frameHeaders, packetHeaders, type HeaderLayer } from './packet-fields';
import { echoRequest, encodeFrame, encodeIpv4, icmp, ipv4, linuxSynOptions, tcp, udp, TCP_SYN, type EthernetFrame, type Ipv4Packet } from './packet';

const A = ip('10.244.2.3');
const B = ip('10.244.1.2');
const MAC1 = '0a:58:0a:f4:02:03';
const MAC2 = '92:09:27:78:14:96';

const ping = ipv4({ src: A, dst: B, ttl: 63, id: 0x1234, df: true, payload: echoRequest(0x4242, 7, new Uint8Array(56)) });
const syn = ipv4({ src: A, dst: B, id: 9, df: true, payload: tcp(A, B, { srcPort: 41000, dstPort: 80, seq: 0xdeadbeef, ack: 0, flags: TCP_SYN, window: 64860, options: linuxSynOptions(1410, 123456) }) });
const dns = ipv4({ src: A, dst: ip('10.96.0.10'), id: 3, df: true, payload: udp(A, ip('10.96.0.10'), 55083, 53, encodeDns(dnsQuery(0xbeef, 'web.default.svc.cluster.local', 'A'))) });
const http = ipv4({ src: A, dst: B, id: 10, df: true, payload: tcp(A, B, { srcPort: 41000, dstPort: 80, seq: 1, ack: 1, flags: 0x18, window: 507, data: new TextEncoder().encode('GET / HTTP/1.1\r\nHost: web\r\n\r\n') }) });
const frame = (payload: EthernetFrame['payload']): EthernetFrame => ({ dst: MAC2, src: MAC1, payload });
const vxlan = ipv4({ src: ip('192.168.49.4'), dst: ip('192.168.49.3'), ttl: 64, id: 19895, df: false, payload: udp(ip('192.168.49.4'), ip('192.168.49.3'), 50012, 8472, { kind: 'vxlan', vni: 1, inner: frame(ping) }, false) });
const arp: EthernetFrame = { dst: 'ff:ff:ff:ff:ff:ff', src: MAC1, payload: { kind: 'arp', op: 1, sha: MAC1, spa: A, tha: '00:00:00:00:00:00', tpa: ip('10.244.2.1') } };

const field = (layers: HeaderLayer[], layer: string, name: string, role?: 'outer' | 'inner'): { value: string; offset: number; length: number } => {
  const l = layers.find((x) => x.name === layer && x.role === role);
  const f = l?.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no ${role ?? ''} ${layer} ${name}`);
  return f;
};

/** Reads a field's bytes back as the number, address or MAC its value starts with. */
function readBack(bytes: Uint8Array, f: { value: string; offset: number; length: number }, name: string): string {
  const b = bytes.subarray(f.offset, f.offset + f.length);
  if (/MAC|^Source$|^Destination$/.test(name)) return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
  if (/address$/.test(name)) return formatIp(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
  return String([...b].reduce((n, x) => n * 256 + x, 0));
}

/** The fields whose value starts with the whole of their bytes, read as a number or an address. */
const EXACT = new Set(['Source port', 'Destination port', 'Length', 'Time to live', 'Total length', 'Sequence number', 'Acknowledgment number', 'Window', 'Urgent pointer', 'Source address', 'Destination address', 'Sender IP address', 'Target IP address', 'Sender MAC address', 'Target MAC address', 'Source', 'Destination', 'VXLAN network identifier (VNI)']);

function checkAgainstBytes(layers: HeaderLayer[], bytes: Uint8Array): number {
  let checked = 0;
  for (const l of layers) {
    expect(l.offset + l.length, `${l.name} ends inside the bytes`).toBeLessThanOrEqual(bytes.length);
    for (const f of l.fields) {
      expect(f.offset + f.length, `${l.name} ${f.name}`).toBeLessThanOrEqual(bytes.length);
      if (!EXACT.has(f.name) || l.name === 'Data') continue;
      expect(f.value.split(' ')[0], `${l.role ?? ''} ${l.name} ${f.name} at ${f.offset}`).toBe(readBack(bytes, f, f.name));
      checked++;
    }
  }
  return checked;
}

describe('header fields and where their bytes are', () => {
  it('an echo request in a frame: Ethernet, IPv4, ICMP and its data, each field over its own bytes', () => {
    const layers = frameHeaders(frame(ping));
    expect(layers.map((l) => [l.name, l.offset, l.length])).toEqual([
      ['Ethernet II', 0, 14],
      ['IPv4', 14, 20],
      ['ICMP', 34, 8],
      ['Data', 42, 56],
    ]);
    expect(layers.map((l) => l.summary)).toEqual([`${MAC1} > ${MAC2}, IPv4`, '10.244.2.3 > 10.244.1.2, TTL 63, ICMP', 'Echo (ping) request, id 16962, seq 7', '56 bytes']);
    expect(field(layers, 'Ethernet II', 'Type').value).toBe('0x0800 (IPv4)');
    expect(field(layers, 'IPv4', 'Flags').value).toBe("0x2 (don't fragment)");
    expect(field(layers, 'IPv4', 'Identification').value).toBe('0x1234 (4660)');
    expect(field(layers, 'IPv4', 'Protocol').value).toBe('1 (ICMP)');
    expect(field(layers, 'IPv4', 'Header checksum').value).toBe(`0x${ping.checksum.toString(16).padStart(4, '0')}`);
    expect(field(layers, 'ICMP', 'Type').value).toBe('8 (Echo (ping) request)');
    expect(field(layers, 'ICMP', 'Sequence number').value).toBe('7');
    const bytes = encodeFrame(frame(ping));
    expect(checkAgainstBytes(layers, bytes)).toBe(7);
    const ck = field(layers, 'IPv4', 'Header checksum');
    expect((bytes[ck.offset]! << 8) | bytes[ck.offset + 1]!).toBe(ping.checksum);
  });

  it('an ARP request: broadcast destination, opcode and both address pairs', () => {
    const layers = frameHeaders(arp);
    expect(layers.map((l) => l.name)).toEqual(['Ethernet II', 'ARP']);
    expect(field(layers, 'Ethernet II', 'Destination').value).toBe('ff:ff:ff:ff:ff:ff (broadcast)');
    expect(field(layers, 'Ethernet II', 'Type').value).toBe('0x0806 (ARP)');
    expect(field(layers, 'ARP', 'Opcode').value).toBe('1 (request)');
    expect(layers[1]!.summary).toBe('who-has 10.244.2.1 tell 10.244.2.3');
    expect(checkAgainstBytes(layers, encodeFrame(arp))).toBe(6);
  });

  it('a SYN: flags by name, the header length with its options, each option', () => {
    const layers = packetHeaders(syn);
    expect(field(layers, 'TCP', 'Flags').value).toBe('0x02 (SYN)');
    expect(field(layers, 'TCP', 'Header length').value).toBe('40 bytes (10)');
    expect(field(layers, 'TCP', 'Options').value).toBe('MSS 1410, SACK permitted, TS val 123456 ecr 0, NOP, window scale 7');
    expect(field(layers, 'TCP', 'Sequence number').value).toBe(String(0xdeadbeef));
    expect(layers.find((l) => l.name === 'TCP')!.summary).toBe('41000 > 80, SYN');
    expect(checkAgainstBytes(layers, encodeIpv4(syn))).toBe(10);
  });

  it('data that is text shows its first line (an HTTP request line)', () => {
    const layers = packetHeaders(http);
    expect(field(layers, 'TCP', 'Flags').value).toBe('0x18 (PSH, ACK)');
    expect(layers.at(-1)).toMatchObject({ name: 'Data', summary: 'GET / HTTP/1.1' });
    expect(field(layers, 'Data', 'First line').value).toBe('GET / HTTP/1.1');
  });

  it('a DNS query is decoded: its question', () => {
    const layers = packetHeaders(dns);
    expect(layers.map((l) => l.name)).toEqual(['IPv4', 'UDP', 'DNS']);
    expect(layers[2]!.summary).toBe('query A web.default.svc.cluster.local');
    expect(field(layers, 'DNS', 'Transaction ID').value).toBe('0xbeef');
    expect(checkAgainstBytes(layers, encodeIpv4(dns))).toBe(7);
  });

  it('a VXLAN packet: the outer headers, then the whole inner frame, each marked', () => {
    const layers = packetHeaders(vxlan);
    expect(layers.map((l) => `${l.role} ${l.name} ${l.offset}`)).toEqual(['outer IPv4 0', 'outer UDP 20', 'outer VXLAN 28', 'inner Ethernet II 36', 'inner IPv4 50', 'inner ICMP 70', 'inner Data 78']);
    expect(field(layers, 'UDP', 'Destination port', 'outer').value).toBe('8472');
    expect(field(layers, 'UDP', 'Checksum', 'outer').value).toBe('0x0000 (none)');
    expect(field(layers, 'VXLAN', 'VXLAN network identifier (VNI)', 'outer').value).toBe('1');
    expect(field(layers, 'IPv4', 'Time to live', 'inner').value).toBe('63');
    expect(field(layers, 'IPv4', 'Time to live', 'outer').value).toBe('64');
    expect(checkAgainstBytes(layers, encodeIpv4(vxlan))).toBe(15);
    // On the wire, in its own frame, the outer Ethernet header is outer too.
    const wire = frameHeaders(frame(vxlan));
    expect(wire.map((l) => `${l.role} ${l.name} ${l.offset}`).slice(0, 5)).toEqual(['outer Ethernet II 0', 'outer IPv4 14', 'outer UDP 34', 'outer VXLAN 42', 'inner Ethernet II 50']);
    expect(checkAgainstBytes(wire, encodeFrame(frame(vxlan)))).toBe(17);
  });

  it('ICMP errors name their code and what follows; fragments are data', () => {
    const unreach = ipv4({ src: B, dst: A, id: 1, df: false, tos: 0xc0, payload: icmp(3, 4, 1450, encodeIpv4(ping).slice(0, 28)) });
    const layers = packetHeaders(unreach);
    expect(field(layers, 'ICMP', 'Code').value).toBe('4 (Fragmentation needed)');
    expect(field(layers, 'ICMP', 'Next-hop MTU').value).toBe('1450');
    expect(field(layers, 'IPv4', 'Type of service').value).toBe('0xc0 (DSCP 48, ECN 0)');
    expect(field(layers, 'Data', 'Length').value).toBe('28 bytes (the start of the packet it is about)');
    const frag: Ipv4Packet = { ...ping, fragOffset: 185, mf: false, payload: { kind: 'raw', data: new Uint8Array(16) } };
    const fl = packetHeaders(frag);
    expect(fl.map((l) => l.name)).toEqual(['IPv4', 'Data']);
    expect(field(fl, 'IPv4', 'Fragment offset').value).toBe('185 (1480 bytes)');
    expect(field(fl, 'Data', 'Length').value).toBe('16 bytes (a fragment)');
  });
});
