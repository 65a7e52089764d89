/**
 * tcpdump's packet printer: one captured frame's bytes in, the line tcpdump 4.99 prints out.
 *
 * Design notes: like tcpdump, this works on the bytes (what `-r` reads from a file is printed
 * by the same code as a live capture), layer by layer: the link header (Ethernet, or the
 * `any` device's LINUX_SLL2 cooked header with tcpdump's `eth0  In  ` interface and
 * direction prefix), then ARP or IPv4, then ICMP, UDP (DNS on port 53, OTV on 8472, VXLAN on
 * 4789) or TCP (flags, relative sequence numbers per conversation as tcpdump keeps them,
 * options, HTTP's first line on ports 80 and 8080). `-v` adds the IPv4 header fields and
 * checksum verdicts, `-e` the link-layer addresses and ethertype, `-n` keeps ports numeric.
 * `-x` follows each packet with its bytes in hex from the network header on (`-xx` from the
 * link header), as print.c's hex_print does: lines of `\t0x0000:  4500 0054 ...`, 16 bytes
 * each in groups of two; `-X`/`-XX` add the bytes as ASCII, `.` for all but graphic
 * characters, as hex_and_ascii_print does.
 *
 * VXLAN on flannel's port 8472: tcpdump's UDP printer checks the OTV port (8472, IANA's for
 * Overlay Transport Virtualization) before the VXLAN port (4789), so flannel's packets print
 * as `OTV, flags [I] (0x08), overlay 0, instance 1` (OTV's 24-bit instance ID sits where
 * VXLAN has its VNI); the inner Ethernet frame follows on the next line. Decoding them as VXLAN
 * takes `-T vxlan` on a real tcpdump.
 *
 * Name resolution (without -n): port numbers become /etc/services names (`domain`, `http`),
 * MAC addresses get their vendor from the OUI table (`(oui Unknown)` for the locally
 * administered MACs of veths, bridges and VXLAN devices; `Broadcast`), later fragments name
 * their protocol (`icmp` rather than `ip-proto-1`), and an address becomes a name only
 * through the `names` hook (the command passes /etc/hosts entries such as a pod's own name).
 * Checked line by line against tcpdump 4.99 reading the sandbox's own capture files.
 * Left out: IPv6, IP options, TCP over ports other than HTTP printed beyond the header, DNS
 * record types other than A, AAAA, CNAME, PTR, NS, SRV, SOA, TXT and OPT in detail, -A,
 * -q, -t variants.
 */
import { internetChecksum, onesSum } from '../../../sim/checksum';
import { tcpServiceName, udpServiceName } from './services';

export interface PrintOptions {
  /** -n: no port (or address) names. */
  numeric: boolean;
  /** -v count. */
  verbose: number;
  /** -e: print the link-level header. */
  ether: boolean;
  /** -S: absolute TCP sequence numbers. */
  absoluteSeq?: boolean;
  /** A name for an address when not numeric (from /etc/hosts); undefined keeps it numeric. */
  names?: (addr: string) => string | undefined;
  /** -x count (hex dump; 2 or more: with the link header). */
  hex?: number;
  /** -X count (hex and ASCII dump; 2 or more: with the link header); wins over -x. */
  hexAscii?: number;
}

/** The `any` device's view of a packet (LINUX_SLL2 header fields). */
export interface CookedInfo {
  ifname: string;
  ifindex: number;
  /** PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3, OUTGOING 4. */
  pktType: number;
  /** The link-layer source address (of the frame as it was on the wire). */
  addr: string;
}

export const LINKTYPE_LINUX_SLL2 = 276;
export const SLL2_HEADER_LENGTH = 20;

const PKTTYPE = ['In', 'B', 'M', 'P', 'Out'];

const u8 = (b: Uint8Array, o: number): number => b[o] ?? 0;
const u16 = (b: Uint8Array, o: number): number => (u8(b, o) << 8) | u8(b, o + 1);
const u24 = (b: Uint8Array, o: number): number => (u8(b, o) << 16) | (u8(b, o + 1) << 8) | u8(b, o + 2);
const u32 = (b: Uint8Array, o: number): number => ((u8(b, o) << 24) | (u8(b, o + 1) << 16) | (u8(b, o + 2) << 8) | u8(b, o + 3)) >>> 0;

export function macText(b: Uint8Array, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(u8(b, o + i).toString(16).padStart(2, '0'));
  return parts.join(':');
}

function ipText(b: Uint8Array, o: number): string {
  return `${u8(b, o)}.${u8(b, o + 1)}.${u8(b, o + 2)}.${u8(b, o + 3)}`;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** `HH:MM:SS.uuuuuu` (UTC) for a time in seconds and microseconds. */
export function timestampText(sec: number, usec: number): string {
  const s = sec % 86400;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}.${String(usec).padStart(6, '0')}`;
}

const ETHERTYPES: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q', 0x8035: 'RARP' };

const IP_PROTOS: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMP6', 89: 'OSPF', 132: 'SCTP' };

const DNS_TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};
const DNS_RCODES = ['', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet', ' NXRRSet', ' NotAuth', ' NotZone'];
const DNS_OPS = ['', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7', ' op8', ' updateA', ' updateD', ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef'];

/** Thrown when a header runs past the captured bytes: tcpdump prints ` [|proto]`. */
class Truncated extends Error {
  constructor(readonly proto: string) {
    super(proto);
  }
}

interface SeqEntry {
  seq: number;
  ack: number;
}

/**
 * A printer keeps tcpdump's per-run state: the initial sequence numbers of each TCP
 * conversation (printed relative after the first packet seen).
 */
export class PacketPrinter {
  private readonly tcpSeqs = new Map<string, SeqEntry>();

  constructor(readonly opts: PrintOptions) {}

  /** The whole line(s) for one Ethernet frame, newline included. */
  ethernetLine(sec: number, usec: number, frame: Uint8Array, origLen = frame.length): string {
    return `${timestampText(sec, usec)} ${this.ethernet(frame, origLen)}${this.dump(frame.subarray(0, 14), frame.subarray(14))}\n`;
  }

  /**
   * The whole line(s) for one packet seen on the `any` device. `frame` is an Ethernet view of
   * it; `cooked` is the LINUX_SLL2 header it was captured with (for -xx and -XX).
   */
  cookedLine(sec: number, usec: number, info: CookedInfo, frame: Uint8Array, origLen = frame.length, cooked: Uint8Array = new Uint8Array(SLL2_HEADER_LENGTH)): string {
    return this.cookedText(sec, usec, info, frame, origLen) + this.dump(cooked, frame.subarray(14)) + '\n';
  }

  /**
   * The hex dump -x/-X print after a packet: from the network header on, or with the link
   * header for -xx/-XX. Nothing when nothing follows the link header, as in tcpdump.
   */
  private dump(link: Uint8Array, rest: Uint8Array): string {
    const ascii = (this.opts.hexAscii ?? 0) > 0;
    const count = ascii ? this.opts.hexAscii! : (this.opts.hex ?? 0);
    if (count === 0) return '';
    if (count > 1) return hexDump(concatBytes(link, rest), ascii);
    return rest.length > 0 ? hexDump(rest, ascii) : '';
  }

  private cookedText(sec: number, usec: number, info: CookedInfo, frame: Uint8Array, origLen: number): string {
    const head = `${info.ifname.padEnd(5)} ${(PKTTYPE[info.pktType] ?? '?').padEnd(3)} `;
    const type = u16(frame, 12);
    let out = `${timestampText(sec, usec)} ${head}`;
    if (this.opts.ether) {
      const ethertype = ETHERTYPES[type] ?? 'Unknown';
      out += `ifindex ${info.ifindex} ${this.mac(info.addr)} ethertype ${ethertype} (0x${hex4(type)}), length ${origLen - 14 + SLL2_HEADER_LENGTH}: `;
    }
    return `${out}${this.network(type, frame.subarray(14), origLen - 14, !this.opts.ether)}`;
  }

  /** Ethernet header (with -e) and what it carries. */
  ethernet(frame: Uint8Array, origLen = frame.length): string {
    if (frame.length < 14) return '[|ether]';
    const type = u16(frame, 12);
    let out = '';
    if (this.opts.ether) {
      const name = ETHERTYPES[type];
      out += `${this.mac(macText(frame, 6))} > ${this.mac(macText(frame, 0))}, ethertype ${name ?? 'Unknown'} (0x${hex4(type)}), length ${origLen}: `;
    }
    return out + this.network(type, frame.subarray(14), origLen - 14, !this.opts.ether);
  }

  private network(type: number, body: Uint8Array, length: number, protoPrefix: boolean): string {
    try {
      if (type === 0x0800) return (protoPrefix ? 'IP ' : '') + this.ipv4(body);
      if (type === 0x0806) return (protoPrefix ? 'ARP, ' : '') + arp(body, this.opts.verbose, (m) => this.mac(m));
    } catch (e) {
      if (e instanceof Truncated) return ` [|${e.proto}]`;
      throw e;
    }
    return protoPrefix ? `ethertype ${ETHERTYPES[type] ?? 'Unknown'} (0x${hex4(type)}), length ${length + 14}: ` : '';
  }

  // ----------------------------------------------------------------------------- IPv4

  private ipv4(b: Uint8Array): string {
    if (b.length < 20) throw new Truncated('ip');
    const ihl = (u8(b, 0) & 15) * 4;
    const total = u16(b, 2);
    const flags = u16(b, 6);
    const off = (flags & 0x1fff) * 8;
    const proto = u8(b, 9);
    const src = ipText(b, 12);
    const dst = ipText(b, 16);
    const body = b.subarray(ihl, Math.min(total, b.length));
    const payloadLength = total - ihl;
    let out = '';
    if (this.opts.verbose > 0) {
      const tos = u8(b, 1);
      let tosText = `tos 0x${tos.toString(16)}`;
      if (tos & 3) tosText += `,${['', 'ECT(1)', 'ECT(0)', 'CE'][tos & 3]}`;
      const fl: string[] = [];
      if (flags & 0x2000) fl.push('+');
      if (flags & 0x4000) fl.push('DF');
      if (flags & 0x8000) fl.push('rsvd');
      const protoName = IP_PROTOS[proto];
      out += `(${tosText}, ttl ${u8(b, 8)}, id ${u16(b, 4)}, offset ${off}, flags [${fl.length ? fl.join(', ') : 'none'}], proto ${protoName ?? 'unknown'} (${proto}), length ${total}`;
      const sum = internetChecksum(b, 0, ihl);
      if (sum !== 0) {
        const copy = b.slice(0, ihl);
        copy[10] = 0;
        copy[11] = 0;
        out += `, bad cksum ${u16(b, 10).toString(16)} (->${internetChecksum(copy).toString(16)})!`;
      }
      out += ')\n    ';
    }
    if (off === 0) {
      if (proto === 1) out += `${this.host(src)} > ${this.host(dst)}: ${this.icmp(body, payloadLength)}`;
      else if (proto === 17) out += this.udp(b, body, src, dst);
      else if (proto === 6) out += this.tcp(b, body, src, dst, payloadLength);
      else out += `${this.host(src)} > ${this.host(dst)}: ${IP_PROTOS[proto] ? IP_PROTOS[proto]!.toLowerCase() : `ip-proto-${proto}`} ${payloadLength}`;
    } else {
      // A later fragment: tcpdump names only the protocol (from /etc/protocols without -n).
      const name = this.opts.numeric ? undefined : IP_PROTOS[proto]?.toLowerCase();
      out += `${this.host(src)} > ${this.host(dst)}: ${name ?? `ip-proto-${proto}`}`;
    }
    return out;
  }

  /** etheraddr_string: without -n, the OUI's vendor (sandbox MACs are locally administered). */
  private mac(m: string): string {
    if (this.opts.numeric) return m;
    if (m === 'ff:ff:ff:ff:ff:ff') return 'Broadcast';
    return `${m} (oui ${m.startsWith('00:00:00') ? 'Ethernet' : 'Unknown'})`;
  }

  private host(addr: string): string {
    if (this.opts.numeric) return addr;
    return this.opts.names?.(addr) ?? addr;
  }

  // ----------------------------------------------------------------------------- ICMP

  private icmp(b: Uint8Array, length: number): string {
    if (b.length < 4) throw new Truncated('icmp');
    const type = u8(b, 0);
    const code = u8(b, 1);
    let what: string;
    let quoted = false;
    switch (type) {
      case 0:
      case 8:
        what = `echo ${type === 8 ? 'request' : 'reply'}, id ${u16(b, 4)}, seq ${u16(b, 6)}`;
        break;
      case 3: {
        quoted = true;
        const q = b.subarray(8);
        const qdst = ipText(q, 16);
        const qproto = u8(q, 9);
        const qbody = q.subarray((u8(q, 0) & 15) * 4);
        switch (code) {
          case 0:
            what = `net ${this.host(qdst)} unreachable`;
            break;
          case 1:
            what = `host ${this.host(qdst)} unreachable`;
            break;
          case 2:
            what = `${this.host(qdst)} protocol ${qproto} unreachable`;
            break;
          case 3: {
            const port = u16(qbody, 2);
            if (qproto === 17) what = `${this.host(qdst)} udp port ${this.udpPort(port)} unreachable`;
            else if (qproto === 6) what = `${this.host(qdst)} tcp port ${this.tcpPort(port)} unreachable`;
            else what = `${this.host(qdst)} protocol ${qproto} port ${port} unreachable`;
            break;
          }
          case 4:
            what = `${this.host(qdst)} unreachable - need to frag (mtu ${u16(b, 6)})`;
            break;
          case 13:
            what = `host ${this.host(qdst)} unreachable - admin prohibited filter`;
            break;
          case 10:
            what = `host ${this.host(qdst)} unreachable - admin prohibited`;
            break;
          default:
            what = `${this.host(qdst)} unreachable - #${code}`;
        }
        break;
      }
      case 11:
        quoted = true;
        what = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
        break;
      default:
        what = `type-#${type}`;
    }
    let out = `ICMP ${what}, length ${length}`;
    if (this.opts.verbose > 0 && quoted && b.length >= 28) {
      // The quoted datagram, as tcpdump prints it with -v: on its own line after a tab.
      out += `\n\t${this.quotedIp(b.subarray(8))}`;
    }
    return out;
  }

  /** A datagram quoted in an ICMP error (its header and the first 8 bytes of payload). */
  private quotedIp(q: Uint8Array): string {
    const prefix = this.opts.ether ? '' : 'IP ';
    try {
      return prefix + this.ipv4(q);
    } catch (e) {
      if (e instanceof Truncated) return `${prefix} [|${e.proto}]`;
      throw e;
    }
  }

  // ----------------------------------------------------------------------------- UDP

  private udpPort(p: number): string {
    return this.opts.numeric ? String(p) : (udpServiceName(p) ?? String(p));
  }

  private tcpPort(p: number): string {
    return this.opts.numeric ? String(p) : (tcpServiceName(p) ?? String(p));
  }

  private udp(ip: Uint8Array, b: Uint8Array, src: string, dst: string): string {
    if (b.length < 8) throw new Truncated('udp');
    const sport = u16(b, 0);
    const dport = u16(b, 2);
    const ulen = u16(b, 4);
    const data = b.subarray(8, ulen);
    const len = ulen - 8;
    let out = `${this.host(src)}.${this.udpPort(sport)} > ${this.host(dst)}.${this.udpPort(dport)}: `;
    if (this.opts.verbose > 1) {
      const sum = u16(b, 6);
      if (sum === 0) out += '[no cksum] ';
      else if (b.length >= ulen) {
        const pseudo = pseudoSum(ip, 17, ulen);
        const check = internetChecksum(b, 0, ulen, pseudo);
        if (check === 0) out += '[udp sum ok] ';
        else {
          const copy = b.slice(0, ulen);
          copy[6] = 0;
          copy[7] = 0;
          let want = internetChecksum(copy, 0, ulen, pseudo);
          if (want === 0) want = 0xffff;
          out += `[bad udp cksum 0x${hex4(sum)} -> 0x${hex4(want)}!] `;
        }
      }
    }
    if (sport === 8472 || dport === 8472) return out + this.otv(data, len);
    if (sport === 4789 || dport === 4789) return out + this.vxlan(data, len);
    if (sport === 53 || dport === 53) return out + this.dns(data, len);
    return `${out}UDP, length ${len}`;
  }

  /** print-otv.c: 8 bytes (flags, 24-bit overlay, 8-bit instance, 3 reserved), then Ethernet. */
  private otv(b: Uint8Array, len: number): string {
    if (len < 8) return `OTV, [length ${len} < 8] (invalid)`;
    const flags = u8(b, 0);
    return `OTV, flags [${flags & 0x08 ? 'I' : '.'}] (0x${flags.toString(16).padStart(2, '0')}), overlay ${u24(b, 1)}, instance ${u24(b, 4)}\n${this.ethernet(b.subarray(8), len - 8)}`;
  }

  /** print-vxlan.c: flags, VNI, then Ethernet. */
  private vxlan(b: Uint8Array, len: number): string {
    if (len < 8) return `VXLAN [|vxlan]`;
    const flags = u8(b, 0);
    return `VXLAN, flags [${flags & 0x08 ? 'I' : '.'}] (0x${flags.toString(16).padStart(2, '0')}), vni ${u24(b, 4)}\n${this.ethernet(b.subarray(8), len - 8)}`;
  }

  // ----------------------------------------------------------------------------- DNS

  private dns(b: Uint8Array, length: number): string {
    try {
      return this.dnsMessage(b, length);
    } catch (e) {
      if (e instanceof Truncated) return ` [|domain]`;
      throw e;
    }
  }

  private dnsMessage(b: Uint8Array, length: number): string {
    if (b.length < 12) throw new Truncated('domain');
    const id = u16(b, 0);
    const f = u16(b, 2);
    const qd = u16(b, 4);
    const an = u16(b, 6);
    const ns = u16(b, 8);
    const ar = u16(b, 10);
    const opcode = (f >> 11) & 15;
    let out = '';
    let at = 12;
    if (f & 0x8000) {
      out += `${id}${DNS_OPS[opcode]}${DNS_RCODES[f & 15] ?? ` Resp${f & 15}`}${f & 0x0400 ? '*' : ''}${f & 0x0080 ? '' : '-'}${f & 0x0200 ? '|' : ''}${f & 0x0020 ? '$' : ''}`;
      if (qd !== 1) out += ` [${qd}q]`;
      for (let i = 0; i < qd; i++) {
        if (this.opts.verbose > 1) {
          const q = this.dnsQuestion(b, at);
          out += ` q:${q.text}`;
          at = q.end;
        } else at = skipName(b, at) + 4;
      }
      out += ` ${an}/${ns}/${ar}`;
      for (let i = 0; i < an; i++) {
        const r = this.dnsRecord(b, at);
        out += (i > 0 ? ',' : '') + r.text;
        at = r.end;
      }
      if (this.opts.verbose > 1) {
        for (let i = 0; i < ns; i++) {
          const r = this.dnsRecord(b, at);
          out += (i === 0 ? ' ns:' : ',') + r.text;
          at = r.end;
        }
        for (let i = 0; i < ar; i++) {
          const r = this.dnsRecord(b, at);
          out += (i === 0 ? ' ar:' : ',') + r.text;
          at = r.end;
        }
      }
    } else {
      out += `${id}${DNS_OPS[opcode]}${f & 0x0100 ? '+' : ''}${f & 0x0010 ? '%' : ''}`;
      if (f & 0x6cf) out += ` [b2&3=0x${(f & 0xffff).toString(16)}]`;
      if (qd !== 1) out += ` [${qd}q]`;
      if (an) out += ` [${an}a]`;
      if (ns) out += ` [${ns}n]`;
      if (ar) out += ` [${ar}au]`;
      if (qd) {
        const q = this.dnsQuestion(b, at);
        out += q.text;
        at = q.end;
      }
    }
    return `${out} (${length})`;
  }

  private dnsQuestion(b: Uint8Array, at: number): { text: string; end: number } {
    const nameEnd = skipName(b, at);
    if (nameEnd + 4 > b.length) throw new Truncated('domain');
    const type = u16(b, nameEnd);
    const cls = u16(b, nameEnd + 2);
    let text = ` ${DNS_TYPES[type] ?? `Type${type}`}`;
    if (cls !== 1) text += ` ${cls === 3 ? 'CHAOS' : cls === 4 ? 'HS' : cls === 255 ? 'ANY' : `(Class ${cls})`}`;
    text += `? ${readName(b, at)}`;
    return { text, end: nameEnd + 4 };
  }

  private dnsRecord(b: Uint8Array, at: number): { text: string; end: number } {
    let text = '';
    if (this.opts.verbose > 0) text += ` ${readName(b, at)}`;
    const p = skipName(b, at);
    if (p + 10 > b.length) throw new Truncated('domain');
    const type = u16(b, p);
    const cls = u16(b, p + 2);
    const ttl = u32(b, p + 4);
    const rdlen = u16(b, p + 8);
    const rd = p + 10;
    const end = rd + rdlen;
    if (end > b.length) throw new Truncated('domain');
    text += ` ${DNS_TYPES[type] ?? `Type${type}`}`;
    if (cls !== 1 && type !== 41) text += ` ${cls === 3 ? 'CHAOS' : cls === 4 ? 'HS' : `(Class ${cls})`}`;
    switch (type) {
      case 1:
        text += ` ${ipText(b, rd)}`;
        break;
      case 2:
      case 5:
      case 12:
        text += ` ${readName(b, rd)}`;
        break;
      case 28: {
        const words: number[] = [];
        for (let i = 0; i < 8; i++) words.push(u16(b, rd + 2 * i));
        text += ` ${ipv6Text(words)}`;
        break;
      }
      case 33: {
        text += `: ${readName(b, rd + 6)} ${u16(b, rd + 4)} ${u16(b, rd)} ${u16(b, rd + 2)}`;
        break;
      }
      case 6:
        if (this.opts.verbose > 0) {
          const m = skipName(b, rd);
          const r = skipName(b, m);
          text += ` ${readName(b, rd)} ${readName(b, m)} ${u32(b, r)} ${u32(b, r + 4)} ${u32(b, r + 8)} ${u32(b, r + 12)} ${u32(b, r + 16)}`;
        }
        break;
      case 16: {
        let i = rd;
        while (i < end) {
          const n = u8(b, i);
          text += ` "${String.fromCharCode(...b.subarray(i + 1, i + 1 + n))}"`;
          i += 1 + n;
        }
        break;
      }
      case 41:
        text += ` UDPsize=${cls}`;
        if (ttl & 0xff000000) text += ` extended-rcode ${ttl >>> 24}`;
        if ((ttl >>> 16) & 0xff) text += ` version=${(ttl >>> 16) & 0xff}`;
        if (ttl & 0x8000) text += ' OK';
        break;
    }
    return { text, end };
  }

  // ----------------------------------------------------------------------------- TCP

  private tcp(ip: Uint8Array, b: Uint8Array, srcAddr: string, dstAddr: string, ipPayloadLength: number): string {
    if (b.length < 20) throw new Truncated('tcp');
    const sport = u16(b, 0);
    const dport = u16(b, 2);
    let seq = u32(b, 4);
    let ack = u32(b, 8);
    const hlen = (u8(b, 12) >> 4) * 4;
    const flags = u8(b, 13);
    const win = u16(b, 14);
    const urp = u16(b, 18);
    let out = `${this.host(srcAddr)}.${this.tcpPort(sport)} > ${this.host(dstAddr)}.${this.tcpPort(dport)}: `;
    if (hlen < 20) return `${out}tcp ${ipPayloadLength} [bad hdr length ${hlen} - too short, < 20]`;
    if (hlen > ipPayloadLength) return `${out}Flags [${tcpFlags(flags)}], [bad hdr length ${hlen} - too long, > ${ipPayloadLength}]`;
    const length = ipPayloadLength - hlen;
    let thSeq = 0;
    let thAck = 0;
    let rev = false;
    if (!this.opts.absoluteSeq && flags & 0x10) {
      // Only segments with ACK set take part (a lone SYN prints absolute and records nothing).
      const srcN = u32(ip, 12);
      const dstN = u32(ip, 16);
      rev = sport > dport || (sport === dport && srcN > dstN);
      const key = rev ? `${dstN}|${srcN}|${dport}|${sport}` : `${srcN}|${dstN}|${sport}|${dport}`;
      const th = this.tcpSeqs.get(key);
      if (!th || flags & 0x02) {
        // First packet of the conversation seen (or a SYN): remember, print absolute.
        const e: SeqEntry = rev ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 };
        this.tcpSeqs.set(key, e);
        thSeq = e.seq;
        thAck = e.ack;
      } else {
        if (rev) {
          seq = (seq - th.ack) >>> 0;
          ack = (ack - th.seq) >>> 0;
        } else {
          seq = (seq - th.seq) >>> 0;
          ack = (ack - th.ack) >>> 0;
        }
        thSeq = th.seq;
        thAck = th.ack;
      }
    }
    out += `Flags [${tcpFlags(flags)}]`;
    if (this.opts.verbose > 0) {
      const sum = internetChecksum(b, 0, ipPayloadLength, pseudoSum(ip, 6, ipPayloadLength));
      const got = u16(b, 16);
      if (sum === 0) out += `, cksum 0x${hex4(got)} (correct)`;
      else {
        const copy = b.slice(0, ipPayloadLength);
        copy[16] = 0;
        copy[17] = 0;
        out += `, cksum 0x${hex4(got)} (incorrect -> 0x${hex4(internetChecksum(copy, 0, ipPayloadLength, pseudoSum(ip, 6, ipPayloadLength)))})`;
      }
    }
    if (this.opts.verbose > 1 || length > 0 || flags & 0x07) {
      out += `, seq ${seq}`;
      if (length > 0) out += `:${(seq + length) >>> 0}`;
    }
    if (flags & 0x10) out += `, ack ${ack}`;
    out += `, win ${win}`;
    if (flags & 0x20) out += `, urg ${urp}`;
    if (hlen > 20) out += `, options [${tcpOptions(b.subarray(20, hlen), rev ? thAck : thSeq, rev ? thSeq : thAck, this.opts.absoluteSeq === true)}]`;
    out += `, length ${length}`;
    if (length > 0) {
      const data = b.subarray(hlen, ipPayloadLength);
      if (sport === 80 || dport === 80 || sport === 8080 || dport === 8080) out += http(data, this.opts.verbose);
      else if (sport === 53 || dport === 53) {
        // DNS over TCP: a two-byte length, then the message.
        const n = u16(data, 0);
        out += ` ${this.dns(data.subarray(2), n)}`;
      }
    }
    return out;
  }
}

// ------------------------------------------------------------------------------- helpers

function pseudoSum(ip: Uint8Array, proto: number, length: number): number {
  const p = new Uint8Array(12);
  p.set(ip.subarray(12, 20), 0);
  p[9] = proto;
  p[10] = length >>> 8;
  p[11] = length & 255;
  return onesSum(p);
}

const TCP_FLAG_CHARS: [number, string][] = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];

function tcpFlags(flags: number): string {
  const s = TCP_FLAG_CHARS.filter(([bit]) => flags & bit)
    .map(([, c]) => c)
    .join('');
  return s || 'none';
}

function tcpOptions(o: Uint8Array, thSeqForSack: number, _thAck: number, absolute: boolean): string {
  const parts: string[] = [];
  let i = 0;
  while (i < o.length) {
    const kind = u8(o, i);
    if (kind === 0) {
      parts.push('eol');
      i += 1;
      continue;
    }
    if (kind === 1) {
      parts.push('nop');
      i += 1;
      continue;
    }
    const len = u8(o, i + 1);
    if (len < 2 || i + len > o.length) {
      parts.push(`opt-${kind}:[bad opt]`);
      break;
    }
    switch (kind) {
      case 2:
        parts.push(`mss ${u16(o, i + 2)}`);
        break;
      case 3:
        parts.push(`wscale ${u8(o, i + 2)}`);
        break;
      case 4:
        parts.push('sackOK');
        break;
      case 5: {
        const n = (len - 2) / 8;
        let s = `sack ${n} `;
        for (let j = 0; j < n; j++) {
          let l = u32(o, i + 2 + j * 8);
          let r = u32(o, i + 6 + j * 8);
          if (!absolute) {
            l = (l - thSeqForSack) >>> 0;
            r = (r - thSeqForSack) >>> 0;
          }
          s += `{${l}:${r}}`;
        }
        parts.push(s);
        break;
      }
      case 8:
        parts.push(`TS val ${u32(o, i + 2)} ecr ${u32(o, i + 6)}`);
        break;
      default: {
        let s = `unknown-${kind}`;
        if (len > 2) s += ' 0x' + [...o.subarray(i + 2, i + len)].map((x) => x.toString(16).padStart(2, '0')).join('');
        parts.push(s);
      }
    }
    i += len;
  }
  return parts.join(',');
}

const HTTP_METHODS = ['GET', 'PUT', 'COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST', 'BCOPY', 'BMOVE', 'MKCOL', 'TRACE', 'LABEL', 'MERGE', 'DELETE', 'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE', 'NOTIFY', 'BDELETE', 'CONNECT', 'OPTIONS', 'CHECKIN', 'PROPFIND', 'CHECKOUT', 'CCM_POST', 'SUBSCRIBE', 'PROPPATCH', 'BPROPFIND', 'BPROPPATCH', 'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE', 'UNSUBSCRIBE', 'RPC_CONNECT', 'VERSION-CONTROL', 'BASELINE-CONTROL'];

/**
 * txtproto_print for HTTP: `: HTTP`, then, when the first token is a request method or the
 * second one a three-digit status code, the first line (every line with -v, LF or CRLF
 * ended, stopping at binary data).
 */
function http(data: Uint8Array, verbose: number): string {
  const text = String.fromCharCode(...data.subarray(0, Math.min(data.length, 65535)));
  const tokens = text.split(/[ \r\n]/, 2);
  const isCmd = HTTP_METHODS.includes((tokens[0] ?? '').toUpperCase());
  const isResp = /^\d{3}$/.test(tokens[1] ?? '');
  if (!isCmd && !isResp) return ': HTTP';
  const lines: string[] = [];
  let at = 0;
  let truncated = false;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const line = nl < 0 ? text.slice(at) : text.slice(at, nl).replace(/\r$/, '');
    if (/[^\t\x20-\x7e]/.test(line)) break;
    lines.push(line);
    if (nl < 0) {
      truncated = true;
      break;
    }
    at = nl + 1;
    if (verbose === 0) break;
  }
  const trunc = truncated ? ' [|http]' : '';
  if (verbose === 0) return lines.length ? `: HTTP: ${lines[0]}${trunc}` : ': HTTP';
  return `: HTTP, length: ${data.length}${lines.map((l) => `\n\t${l}`).join('')}${trunc}`;
}

function arp(b: Uint8Array, verbose: number, mac: (m: string) => string): string {
  if (b.length < 8) throw new Truncated('arp');
  const op = u16(b, 6);
  const hln = u8(b, 4);
  const pln = u8(b, 5);
  if (u16(b, 0) !== 1 || u16(b, 2) !== 0x0800 || hln !== 6 || pln !== 4) return `ARP, unknown hardware or protocol, length ${b.length}`;
  if (b.length < 28) throw new Truncated('arp');
  const sha = macText(b, 8);
  const spa = ipText(b, 14);
  const tha = macText(b, 18);
  const tpa = ipText(b, 24);
  const head = verbose > 0 ? 'Ethernet (len 6), IPv4 (len 4), ' : '';
  return head + arpOp(op, sha, spa, tha, tpa, mac);
}

function arpOp(op: number, sha: string, spa: string, tha: string, tpa: string, mac: (m: string) => string): string {
  if (op === 1) {
    const zeros = tha === '00:00:00:00:00:00' || tha === 'ff:ff:ff:ff:ff:ff';
    return `Request who-has ${tpa}${zeros ? '' : ` (${mac(tha)})`} tell ${spa}, length 28`;
  }
  if (op === 2) return `Reply ${spa} is-at ${mac(sha)}, length 28`;
  return `Unknown opcode ${op}, length 28`;
}

/** Skips a DNS name (labels or a pointer); returns the offset after it. */
function skipName(b: Uint8Array, at: number): number {
  let p = at;
  for (;;) {
    if (p >= b.length) throw new Truncated('domain');
    const n = u8(b, p);
    if (n === 0) return p + 1;
    if ((n & 0xc0) === 0xc0) return p + 2;
    p += 1 + n;
  }
}

/** A DNS name in tcpdump's form: labels each followed by a dot (`.` for the root). */
function readName(b: Uint8Array, at: number): string {
  let p = at;
  let out = '';
  let hops = 0;
  for (;;) {
    if (p >= b.length) throw new Truncated('domain');
    const n = u8(b, p);
    if (n === 0) break;
    if ((n & 0xc0) === 0xc0) {
      if (++hops > 126) throw new Truncated('domain');
      p = ((n & 0x3f) << 8) | u8(b, p + 1);
      continue;
    }
    const label = b.subarray(p + 1, p + 1 + n);
    for (const c of label) out += c === 0x2e || c === 0x5c ? `\\${String.fromCharCode(c)}` : c >= 0x21 && c < 0x7f ? String.fromCharCode(c) : `\\${String(c).padStart(3, '0')}`;
    out += '.';
    p += 1 + n;
  }
  return out || '.';
}

function ipv6Text(words: number[]): string {
  // RFC 5952: compress the longest run of zero words (at least two).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexw = words.map((w) => w.toString(16));
  if (best < 0) return hexw.join(':');
  return `${hexw.slice(0, best).join(':')}::${hexw.slice(best + bestLen).join(':')}`;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * tcpdump's hex_print (`ascii` false) and hex_and_ascii_print (true): each line starts
 * `\n\t0x<offset>: ` and holds 16 bytes as ` xxxx` pairs (a last odd byte as ` xx`); with
 * ASCII the hex part is padded to 40 characters, then two spaces and the bytes, `.` for any
 * but 0x21-0x7e.
 */
export function hexDump(b: Uint8Array, ascii: boolean): string {
  let out = '';
  for (let off = 0; off < b.length; off += 16) {
    const line = b.subarray(off, Math.min(off + 16, b.length));
    let hex = '';
    for (let i = 0; i < line.length; i += 2) hex += i + 1 < line.length ? ` ${line[i]!.toString(16).padStart(2, '0')}${line[i + 1]!.toString(16).padStart(2, '0')}` : ` ${line[i]!.toString(16).padStart(2, '0')}`;
    out += `\n\t0x${off.toString(16).padStart(4, '0')}: `;
    if (!ascii) out += hex;
    else out += `${hex.padEnd(40)}  ${Array.from(line, (c) => (c >= 0x21 && c <= 0x7e ? String.fromCharCode(c) : '.')).join('')}`;
  }
  return out;
}
