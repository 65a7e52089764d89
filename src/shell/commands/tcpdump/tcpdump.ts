/**
 * `tcpdump` (4.99 with libpcap 1.10, as on Ubuntu 24.04 nodes and in the netshoot image).
 *
 * Design notes: a live capture listens to every trace the sandbox runs (Sim.onTrace) for as
 * long as the command runs, and keeps the frames seen on the chosen interface of its own
 * network namespace: a device's capture records from the forwarding engine, plus what a bridge
 * device (cni0, docker0) sees of the frames entering it through a port: the ones passed up to
 * the host (addressed to the bridge, broadcast or multicast) and, when tcpdump listens on the
 * bridge itself in promiscuous mode (without -p), every frame it forwards. `-i any` listens on
 * every interface of the namespace without promiscuous mode (so a plain NIC drops unicast
 * frames for other hosts, while bridge ports, always promiscuous, keep them) and prints each
 * packet with its interface and direction (`In`, `Out`, `B`, `M`, `P` as the cooked header's
 * packet type says). Without -i the first interface that is up and not loopback is used.
 * Packets print as captured (print.ts); the loop flushes every 100 ms of sandbox time until
 * `-c N` packets or Ctrl+C, then prints libpcap's statistics on stderr (after a newline on
 * stdout when interrupted, as tcpdump does). Timestamps follow the sandbox clock: each trace's
 * frames are spread a few microseconds apart in the order they crossed the devices.
 * `-w FILE` writes a classic pcap file (Ethernet, or LINUX_SLL2 for `-i any`) on the machine
 * the shell runs on, and `-r FILE` reads one back (the interface names of an `any` capture
 * are looked up by index where it is read, as tcpdump does). Filters: src/sim/pcap-filter.ts;
 * host names in them are resolved by the machine's resolver before the capture starts.
 * `-x`/`-xx` and `-X`/`-XX` follow each packet with its bytes (print.ts).
 * Left out: -D, -A, -q, -t variants, -C/-G/-W file rotation, `-r` with `-w`,
 * reverse DNS lookups (without -n, ports get /etc/services names and addresses stay numbers
 * except the names in /etc/hosts: a pod's own IP shows as its name), loopback traffic (the
 * sandbox hands packets to a local address directly), background traffic real nodes have
 * (kubelet, API server).
 */
import type { Command, CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { nsIdOf, resolveHost } from '../../resolver';
import { absolute, fileCompletions, kindOf, placeOf, readAny, writeError } from '../../sandbox-fs';
import { binaryToBytes, bytesToBinary, writeFile } from '../../../sim/files';
import { encodeFrame } from '../../../sim/packet';
import { LINKTYPE_ETHERNET, PcapWriter, pcapGlobalHeader, pcapRecord, PCAP_SNAPLEN, readPcap } from '../../../sim/pcap';
import { FilterError, matchFilter, parseFilter, type FilterExpr } from '../../../sim/pcap-filter';
import { DecodeError } from '../../../sim/packet';
import type { Capture, TraceResult } from '../../../sim/forward';
import type { Device, Netns } from '../../../sim/netns';
import { LINKTYPE_LINUX_SLL2, PacketPrinter, SLL2_HEADER_LENGTH, macText, type CookedInfo } from './print';
import { servicePort } from './services';

const VERSION = `tcpdump version 4.99.4
libpcap version 1.10.4 (with TPACKET_V3)
OpenSSL 3.0.13 30 Jan 2024`;

const USAGE = `${VERSION}
Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]
\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]
\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]
\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]
\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]
\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]
\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]`;

/** getopt's option string of tcpdump 4.99: letters followed by ':' take an argument. */
const OPTSTRING = 'aAbB:c:C:dDeE:fF:G:hHi:Ij:JKlLm:M:nNOpqQ:r:s:StT:uUvV:w:W:xXy:Yz:Z:#';
/** Options this sandbox models; the others tcpdump knows are refused as not supported. */
const MODELED = new Set(['c', 'e', 'h', 'i', 'l', 'n', 'N', 'p', 'Q', 'r', 's', 'S', 'U', 'v', 'w', 'x', 'X', '#']);
const LONG_NO_ARG = new Set(['help', 'version', 'count', 'immediate-mode', 'micro', 'nano', 'number', 'print', 'list-interfaces']);
const LONG_ARG = new Set(['direction', 'interface', 'time-stamp-precision', 'time-stamp-type', 'relinquish-privileges', 'buffer-size']);

const FLUSH_MS = 100;

interface Options {
  count?: number;
  iface?: string;
  numeric: boolean;
  verbose: number;
  ether: boolean;
  /** -x and -X counts. */
  hex: number;
  hexAscii: number;
  absoluteSeq: boolean;
  promisc: boolean;
  direction: 'in' | 'out' | 'inout';
  read?: string;
  write?: string;
  snaplen: number;
  number: boolean;
  filter: string;
}

function usageError(message: string): CommandError {
  return new CommandError('USAGE', `tcpdump: ${message}\n${USAGE}`, 1);
}

function fail(message: string): CommandError {
  return new CommandError('EXEC_FAILED', `tcpdump: ${message}`, 1);
}

function parseArgs(argv: string[]): Options | 'help' | 'version' {
  const o: Options = { numeric: false, verbose: 0, ether: false, hex: 0, hexAscii: 0, absoluteSeq: false, promisc: true, direction: 'inout', snaplen: PCAP_SNAPLEN, number: false, filter: '' };
  const rest: string[] = [];
  const take = (letter: string, value: string): void => {
    switch (letter) {
      case 'c': {
        const n = /^\d+$/.test(value) ? Number(value) : NaN;
        if (!(n >= 1 && n <= 2147483647)) throw fail(`invalid packet count ${value}`);
        o.count = n;
        break;
      }
      case 'i':
        o.iface = value;
        break;
      case 'r':
        o.read = value;
        break;
      case 'w':
        o.write = value;
        break;
      case 's': {
        const n = /^\d+$/.test(value) ? Number(value) : NaN;
        if (!(n >= 0 && n <= PCAP_SNAPLEN)) throw fail(`invalid snaplen ${value} (must be >= 0 and <= ${PCAP_SNAPLEN})`);
        o.snaplen = n === 0 ? PCAP_SNAPLEN : n;
        break;
      }
      case 'Q':
        if (value !== 'in' && value !== 'out' && value !== 'inout') throw fail(`unknown capture direction \`${value}'`);
        o.direction = value;
        break;
    }
  };
  let help: 'help' | 'version' | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (LONG_NO_ARG.has(name)) {
        if (inline !== undefined) throw usageError(`option '--${name}' doesn't allow an argument`);
        if (name === 'help') help ??= 'help';
        else if (name === 'version') help ??= 'version';
        else if (name === 'number') o.number = true;
        else if (name === 'list-interfaces') throw new CommandError('UNSUPPORTED', 'tcpdump: listing interfaces (-D) is not supported in this sandbox; see ip link', 1);
        else if (name === 'count' || name === 'print' || name === 'micro' || name === 'immediate-mode') {
          if (name === 'count') throw new CommandError('UNSUPPORTED', 'tcpdump: --count is not supported in this sandbox', 1);
        } else if (name === 'nano') throw new CommandError('UNSUPPORTED', 'tcpdump: --nano is not supported in this sandbox', 1);
        continue;
      }
      if (LONG_ARG.has(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw usageError(`option '--${name}' requires an argument`);
        if (name === 'direction') take('Q', v);
        else if (name === 'interface') take('i', v);
        else throw new CommandError('UNSUPPORTED', `tcpdump: --${name} is not supported in this sandbox`, 1);
        continue;
      }
      throw usageError(`unrecognized option '${a}'`);
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const letter = a[j]!;
        const at = OPTSTRING.indexOf(letter);
        if (at < 0 || letter === ':') throw usageError(`invalid option -- '${letter}'`);
        const needsArg = OPTSTRING[at + 1] === ':';
        if (needsArg) {
          const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (v === undefined) throw usageError(`option requires an argument -- '${letter}'`);
          if (!MODELED.has(letter)) throw new CommandError('UNSUPPORTED', `tcpdump: -${letter} is not supported in this sandbox`, 1);
          take(letter, v);
          break;
        }
        if (!MODELED.has(letter)) throw new CommandError('UNSUPPORTED', `tcpdump: -${letter} is not supported in this sandbox`, 1);
        if (letter === 'n') o.numeric = true;
        else if (letter === 'v') o.verbose++;
        else if (letter === 'e') o.ether = true;
        else if (letter === 'x') o.hex++;
        else if (letter === 'X') o.hexAscii++;
        else if (letter === 'S') o.absoluteSeq = true;
        else if (letter === 'p') o.promisc = false;
        else if (letter === 'h') help ??= 'help';
        else if (letter === '#') o.number = true;
      }
      continue;
    }
    rest.push(a);
  }
  if (help) return help;
  o.filter = rest.join(' ');
  return o;
}

/** A frame as one interface of the capturing namespace saw it. */
interface Seen {
  dev: Device;
  dir: 'in' | 'out';
  bytes: Uint8Array;
  timeMs: number;
}

/** The first interface that is up and not loopback, as libpcap picks the default device. */
function defaultDevice(ns: Netns): Device | undefined {
  return ns.devices.find((d) => d.kind !== 'loopback' && d.up) ?? ns.devices.find((d) => d.kind !== 'loopback');
}

function isMulticast(bytes: Uint8Array): boolean {
  return ((bytes[0] ?? 0) & 1) === 1;
}

/** The cooked header's packet type: 0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing. */
function packetType(dev: Device, dir: 'in' | 'out', bytes: Uint8Array): number {
  if (dir === 'out') return 4;
  const dst = macText(bytes, 0);
  if (dst === 'ff:ff:ff:ff:ff:ff') return 1;
  if (isMulticast(bytes)) return 2;
  return dst === dev.mac ? 0 : 3;
}

/** Names in /etc/hosts where the capture runs (tcpdump without -n). */
function hostsNames(ctx: CommandContext): Map<string, string> {
  const names = new Map<string, string>([['127.0.0.1', 'localhost']]);
  const loc = ctx.env.location;
  if (loc.kind === 'pod') {
    const ip = ctx.env.sim.pod(loc.namespace, loc.pod)?.status.podIP;
    const pod = ctx.env.sim.pod(loc.namespace, loc.pod);
    if (ip && !pod?.spec.hostNetwork) names.set(ip, loc.pod);
  }
  return names;
}

export const tcpdump: Command = {
  name: 'tcpdump',
  summary: 'capture and print packets on an interface: tcpdump -i eth0 -n icmp (-c, -e, -v, -x, -w, -r)',
  usage: USAGE,
  where: ['node', 'pod'],
  complete(req) {
    const prev = req.words[req.words.length - 1];
    if (prev === '-i') {
      const ns = req.env.sim.state.netns[nsIdOf(req.env)];
      return ['any', ...(ns?.devices.map((d) => d.name) ?? [])];
    }
    if (prev === '-Q') return ['in', 'out', 'inout'];
    if (prev === '-r' || prev === '-w') return fileCompletions(req.env, req.prefix);
    if (req.prefix.startsWith('-')) return ['-c', '-e', '-i', '-n', '-nn', '-p', '-Q', '-r', '-s', '-S', '-v', '-vv', '-w', '-x', '-xx', '-X', '--help', '--version'];
    return ['host', 'net', 'port', 'src', 'dst', 'icmp', 'arp', 'tcp', 'udp', 'ip', 'and', 'or', 'not'];
  },
  async run(ctx) {
    const parsed = parseArgs(ctx.argv.slice(1));
    if (parsed === 'help') {
      ctx.stdout.write(USAGE + '\n');
      return 0;
    }
    if (parsed === 'version') {
      ctx.stdout.write(VERSION + '\n');
      return 0;
    }
    const o = parsed;
    const sim = ctx.env.sim;
    const place = placeOf(ctx.env);
    const nsId = nsIdOf(ctx.env);
    const ns = sim.state.netns[nsId];
    if (!ns) throw fail('no network namespace here');
    const names = hostsNames(ctx);
    const printer = new PacketPrinter({ numeric: o.numeric, verbose: o.verbose, ether: o.ether, hex: o.hex, hexAscii: o.hexAscii, absoluteSeq: o.absoluteSeq, names: (a) => names.get(a) });
    const compile = (): FilterExpr | undefined => {
      try {
        return parseFilter(o.filter, {
          port: servicePort,
          host: (name) => {
            const r = resolveHost(ctx.env, name);
            return r.ok ? r.ip : undefined;
          },
        });
      } catch (e) {
        if (e instanceof FilterError) throw new CommandError(e.unsupported ? 'UNSUPPORTED' : 'SYNTAX', `tcpdump: ${e.message}`, 1);
        throw e;
      }
    };

    if (o.read !== undefined) return readCapture(ctx, o, printer, ns, compile, place);

    // ------------------------------------------------------------------ live capture
    let devices: Device[];
    const any = o.iface === 'any';
    if (o.iface === undefined) {
      const d = defaultDevice(ns);
      if (!d) throw fail('no suitable device found');
      devices = [d];
    } else if (any) devices = ns.devices;
    else {
      const d = ns.devices.find((x) => x.name === o.iface);
      if (!d && /^\d+$/.test(o.iface)) throw fail('Invalid adapter index');
      if (!d) throw fail(`${o.iface}: No such device exists\n(No such device exists)`);
      devices = [d];
    }
    const devName = any ? 'any' : devices[0]!.name;
    const filter = compile();
    let writer: { bytes: () => Uint8Array; write: (s: Seen) => void } | undefined;
    let writePath: string | undefined;
    if (o.write !== undefined) {
      const abs = absolute(place, o.write);
      if (o.write !== '-') {
        const err = writeError(ctx.env, place, abs);
        if (err) throw fail(`${o.write}: ${err}`);
      } else throw new CommandError('UNSUPPORTED', 'tcpdump: writing a capture to standard output (-w -) is not supported in this sandbox', 1);
      writePath = abs;
      writer = any ? sll2Writer(o.snaplen) : ethernetWriter(o.snaplen);
      writeFile(sim.state, place.machine, abs, bytesToBinary(writer.bytes()), sim.clock.now(), true);
    }
    const linkType = any ? 'LINUX_SLL2 (Linux cooked v2)' : 'EN10MB (Ethernet)';
    if (o.verbose === 0 && writer === undefined) {
      ctx.stderr.write(`tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on ${devName}, link-type ${linkType}, snapshot length ${o.snaplen} bytes\n`);
    } else {
      ctx.stderr.write(`tcpdump: listening on ${devName}, link-type ${linkType}, snapshot length ${o.snaplen} bytes\n`);
    }

    const queue: Seen[] = [];
    let lastTime = 0;
    const byName = new Map(devices.map((d) => [d.name, d]));
    const onTrace = (trace: TraceResult, timeMs: number): void => {
      if (trace.captures.length === 0) return;
      // Frames of one trace crossed the devices a few microseconds apart, in order.
      trace.captures.forEach((c, i) => {
        const t = Math.max(timeMs + i * 0.006, lastTime + 0.001);
        for (const s of seenOn(c, ns, byName, any, o.promisc)) {
          if (o.direction !== 'inout' && s.dir !== o.direction) continue;
          lastTime = t;
          queue.push({ ...s, timeMs: t });
        }
      });
    };
    const unsubscribe = sim.onTrace(onTrace);
    let captured = 0;
    let received = 0;
    let interrupted = false;
    // A live capture ends only when -c packets have come, which may be never.
    ctx.endless();
    try {
      for (;;) {
        const batch = queue.splice(0);
        for (const s of batch) {
          if (!matchFilter(filter, s.bytes)) continue;
          received++;
          if (o.count !== undefined && captured >= o.count) continue;
          captured++;
          if (writer) writer.write(s);
          else ctx.stdout.write(printLive(printer, s, any, o, captured));
        }
        if (writer && batch.length > 0) writeFile(sim.state, place.machine, writePath!, bytesToBinary(writer.bytes()), sim.clock.now(), true);
        if (o.count !== undefined && captured >= o.count) break;
        if (!(await ctx.sleep(FLUSH_MS))) {
          interrupted = true;
          break;
        }
      }
    } finally {
      unsubscribe();
    }
    if (interrupted && !writer) ctx.stdout.write('\n');
    const plural = (n: number, what: string): string => `${n} packet${n === 1 ? '' : 's'} ${what}`;
    ctx.stderr.write(`${plural(captured, 'captured')}\n${plural(received, 'received by filter')}\n${plural(0, 'dropped by kernel')}\n`);
    return 0;
  },
};

/** What the capture on `byName` (of namespace `ns`) sees of one capture record. */
function seenOn(c: Capture, ns: Netns, byName: Map<string, Device>, any: boolean, promisc: boolean): Omit<Seen, 'timeMs'>[] {
  if (c.ns !== ns.id) return [];
  const out: Omit<Seen, 'timeMs'>[] = [];
  const dev = ns.devices.find((d) => d.name === c.dev);
  if (!dev) return out;
  const bytes = encodeFrame(c.frame);
  const pt = packetType(dev, c.dir, bytes);
  if (byName.has(dev.name)) {
    // A NIC not in promiscuous mode (any, or -p) never receives unicast for other hosts;
    // bridge ports are promiscuous anyway.
    const promiscHere = !any && promisc;
    if (!(pt === 3 && !promiscHere && !dev.master)) out.push({ dev, dir: c.dir, bytes });
  }
  if (c.dir === 'in' && dev.master) {
    // The bridge device sees what it passes up to the host, and all it forwards when tcpdump
    // put it in promiscuous mode.
    const br = byName.get(dev.master);
    if (br) {
      const dst = macText(bytes, 0);
      const up = dst === br.mac || dst === 'ff:ff:ff:ff:ff:ff' || isMulticast(bytes);
      if (up || (!any && promisc)) out.push({ dev: br, dir: 'in', bytes });
    }
  }
  return out;
}

function splitTime(timeMs: number): { sec: number; usec: number } {
  let sec = Math.floor(timeMs / 1000);
  let usec = Math.round((timeMs - sec * 1000) * 1000);
  if (usec >= 1_000_000) {
    sec++;
    usec -= 1_000_000;
  }
  return { sec, usec };
}

function printLive(printer: PacketPrinter, s: Seen, any: boolean, o: Options, n: number): string {
  const { sec, usec } = splitTime(s.timeMs);
  const frame = s.bytes.subarray(0, o.snaplen);
  const line = any
    ? printer.cookedLine(sec, usec, { ifname: s.dev.name, ifindex: s.dev.ifindex, pktType: packetType(s.dev, s.dir, s.bytes), addr: macText(s.bytes, 6) }, frame, s.bytes.length, sll2Header(s))
    : printer.ethernetLine(sec, usec, frame, s.bytes.length);
  return o.number ? `${String(n).padStart(5)}  ${line}` : line;
}

function ethernetWriter(snaplen: number): { bytes: () => Uint8Array; write: (s: Seen) => void } {
  const w = new PcapWriter(snaplen);
  return { bytes: () => w.bytes(), write: (s) => w.writeBytes(s.timeMs, s.bytes) };
}

/** The LINUX_SLL2 header the `any` device gives a frame: protocol, ifindex, ARPHRD_ETHER, packet type, source MAC. */
function sll2Header(s: Omit<Seen, 'timeMs'>): Uint8Array {
  const b = new Uint8Array(SLL2_HEADER_LENGTH);
  b[0] = s.bytes[12]!;
  b[1] = s.bytes[13]!;
  new DataView(b.buffer).setUint32(4, s.dev.ifindex);
  b[9] = 1; // ARPHRD_ETHER
  b[10] = packetType(s.dev, s.dir, s.bytes);
  b[11] = 6;
  b.set(s.bytes.subarray(6, 12), 12);
  return b;
}

/** LINUX_SLL2: a 20-byte cooked header (protocol, ifindex, ARPHRD, packet type, address) replaces Ethernet's. */
function sll2Writer(snaplen: number): { bytes: () => Uint8Array; write: (s: Seen) => void } {
  const chunks: Uint8Array[] = [pcapGlobalHeader(snaplen, LINKTYPE_LINUX_SLL2)];
  return {
    bytes: () => concat(chunks),
    write: (s) => {
      const b = new Uint8Array(SLL2_HEADER_LENGTH + s.bytes.length - 14);
      b.set(sll2Header(s), 0);
      b.set(s.bytes.subarray(14), SLL2_HEADER_LENGTH);
      chunks.push(pcapRecord(s.timeMs, b, snaplen));
    },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function readCapture(ctx: CommandContext, o: Options, printer: PacketPrinter, ns: Netns, compile: () => FilterExpr | undefined, place: ReturnType<typeof placeOf>): Promise<number> {
  const abs = absolute(place, o.read!);
  if (kindOf(ctx.env, place, abs) === 'dir') throw fail('error reading dump file: Is a directory');
  const content = readAny(ctx.env, place, abs);
  if (content === undefined) throw fail(`${o.read}: No such file or directory`);
  const bytes = binaryToBytes(content);
  // libpcap reads the magic first, then the rest of the 24-byte header.
  if (bytes.length < 4) throw fail(`truncated dump file; tried to read 4 file header bytes, only got ${bytes.length}`);
  const magic = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  if (![0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic)) throw fail('unknown file format');
  if (bytes.length < 24) throw fail(`truncated dump file; tried to read 24 file header bytes, only got ${bytes.length - 4}`);
  let file;
  try {
    file = readPcap(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw fail(`truncated dump file; ${e.message}`);
  }
  if (file.linktype !== LINKTYPE_ETHERNET && file.linktype !== LINKTYPE_LINUX_SLL2) throw new CommandError('UNSUPPORTED', `tcpdump: files of link type ${file.linktype} are not supported in this sandbox`, 1);
  const sll2 = file.linktype === LINKTYPE_LINUX_SLL2;
  ctx.stderr.write(`reading from file ${o.read}, link-type ${sll2 ? 'LINUX_SLL2 (Linux cooked v2)' : 'EN10MB (Ethernet)'}, snapshot length ${file.snaplen}\n`);
  // The cooked header stores interface indexes; tcpdump names them as the reading machine does.
  if (sll2) ctx.stderr.write('Warning: interface names might be incorrect\n');
  const filter = compile();
  let n = 0;
  for (const r of file.records) {
    const usec = file.nanoseconds ? Math.floor(r.tsFrac / 1000) : r.tsFrac;
    let line: string;
    if (sll2) {
      if (r.data.length < SLL2_HEADER_LENGTH) continue;
      // An Ethernet view for the filter: the cooked header keeps the protocol and the source address.
      const eth = new Uint8Array(14 + r.data.length - SLL2_HEADER_LENGTH);
      eth.set(r.data.subarray(12, 18), 6);
      eth[12] = r.data[0]!;
      eth[13] = r.data[1]!;
      eth.set(r.data.subarray(SLL2_HEADER_LENGTH), 14);
      if (!matchFilter(filter, eth)) continue;
      const ifindex = new DataView(r.data.buffer, r.data.byteOffset).getUint32(4);
      const info: CookedInfo = { ifname: ns.devices.find((d) => d.ifindex === ifindex)?.name ?? '?', ifindex, pktType: r.data[10]!, addr: macText(r.data, 12) };
      line = printer.cookedLine(r.tsSec, usec, info, eth, r.origLen - SLL2_HEADER_LENGTH + 14, r.data.subarray(0, SLL2_HEADER_LENGTH));
    } else {
      if (!matchFilter(filter, r.data)) continue;
      line = printer.ethernetLine(r.tsSec, usec, r.data, r.origLen);
    }
    n++;
    ctx.stdout.write(o.number ? `${String(n).padStart(5)}  ${line}` : line);
    if (o.count !== undefined && n >= o.count) break;
  }
  return 0;
}
