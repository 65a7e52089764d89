/**
 * `nc`: OpenBSD netcat as Alpine's netcat-openbsd package builds it (the Debian-patched
 * source), in the nicolaka/netshoot image, for its port-check uses.
 *
 * Design notes: `nc -z HOST PORT...` opens a TCP connection to each port and closes it at
 * once: a SYN that is answered SYN-ACK is a success (the handshake is completed with an ACK
 * and the connection closed with a FIN, as close() does); a RST (nothing listens, or a
 * Service without endpoints rejects it) is `Connection refused`; a SYN nobody answers is sent
 * again on the kernel's schedule (sim/tcp-stack.ts), each copy through the model, so a peer
 * that becomes reachable meanwhile answers a later one; with no answer the kernel gives up
 * after 131 s (`Connection timed out`) unless `-w SECS` cuts the wait short (`timed out:
 * Operation now in progress`, as connect_with_timeout reports it).
 * ICMP errors map as the kernel maps them (port unreachable is refused, host unreachable is
 * `No route to host`). Every segment travels through the sandbox's network, so Services,
 * NAT, NetworkPolicy-like drops and faults apply. With `-v` the outcome of each port is
 * reported on stderr in netcat.c's words (`Connection to web (10.96.x.y) 80 port [tcp/http]
 * succeeded!`, `nc: connect to web (10.96.x.y) port 81 (tcp) failed: Connection refused`);
 * the IP in parentheses appears when the name given is not the address itself. The exit
 * status is 0 when any port answered. `-u -z` is UDP: connecting a UDP socket sends nothing,
 * so without `-v` it always succeeds; with `-v` netcat writes `X` datagrams (two, then one a
 * second for 3 s or the `-w` time) and fails silently if an ICMP port unreachable comes back.
 * Ctrl+C ends nc with status 0 (its SIGINT handler exits 0).
 * Options are read by musl's getopt, which stops at the first operand (`nc web 80 -zv` takes
 * `-zv` for a port). Names resolve through the pod's resolver (musl's wording for failures).
 * Without -z nc talks TCP: it sends what came on standard input (a pipe) and prints what the
 * server sends, so `nc node-1 22` shows sshd's banner (sshd speaks first) and `printf 'GET /
 * HTTP/1.0\r\n\r\n' | nc web 80` an HTTP answer; when the server keeps the connection open,
 * nc keeps reading until Ctrl+C. On a node it is Ubuntu's build of the same package (glibc:
 * its getopt also takes options after the operands, and a name that does not resolve is
 * `Name or service not known`).
 * Left out: UDP data, the servers' idle timeouts (sshd's LoginGraceTime), listening (-l, -k), source address
 * and port (-s, -p), proxies (-x, -X), UNIX sockets (-U), IPv6 (-6), the other socket
 * options; the `OpenBSD netcat (Debian patchlevel ...)` banner line of `nc -h`; the time a
 * failed name lookup takes.
 */
import type { Command, CommandContext } from '../command';
import type { TcpTimers } from '../../sim/sim';
import { CommandError } from '../errors';
import { formatIp, parseIp, type Ip } from '../../sim/ipv4';
import { lookupRoute, sourceFor } from '../../sim/netns';
import { ICMP_DEST_UNREACH, initialWindow, ipv4, linuxSynOptions, tcp, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from '../../sim/packet';
import { pathMss, SYN_GIVE_UP_MS, SYN_WAITS_MS, type TcpRun } from '../../sim/tcp-stack';
import { nsIdOf, resolveHost } from '../resolver';

const USAGE_LINES = `usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]
\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]
\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]
\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]
\t  [destination] [port]`;

const SUMMARY = `\tCommand Summary:
\t\t-4\t\tUse IPv4
\t\t-6\t\tUse IPv6
\t\t-b\t\tAllow broadcast
\t\t-C\t\tSend CRLF as line-ending
\t\t-D\t\tEnable the debug socket option
\t\t-d\t\tDetach from stdin
\t\t-F\t\tPass socket fd
\t\t-h\t\tThis help text
\t\t-I length\tTCP receive buffer length
\t\t-i interval\tDelay interval for lines sent, ports scanned
\t\t-k\t\tKeep inbound sockets open for multiple connects
\t\t-l\t\tListen mode, for inbound connects
\t\t-M ttl\t\tOutgoing TTL / Hop Limit
\t\t-m minttl\tMinimum incoming TTL / Hop Limit
\t\t-N\t\tShutdown the network socket after EOF on stdin
\t\t-n\t\tSuppress name/port resolutions
\t\t-O length\tTCP send buffer length
\t\t-P proxyuser\tUsername for proxy authentication
\t\t-p port\t\tSpecify local port for remote connects
\t\t-q secs\t\tquit after EOF on stdin and delay of secs
\t\t-r\t\tRandomize remote ports
\t\t-S\t\tEnable the TCP MD5 signature option
\t\t-s sourceaddr\tLocal source address
\t\t-T keyword\tTOS value
\t\t-t\t\tAnswer TELNET negotiation
\t\t-U\t\tUse UNIX domain socket
\t\t-u\t\tUDP mode
\t\t-V rtable\tSpecify alternate routing table
\t\t-v\t\tVerbose
\t\t-W recvlimit\tTerminate after receiving a number of packets
\t\t-w timeout\tTimeout for connects and final net reads
\t\t-X proto\tProxy protocol: "4", "5" (SOCKS) or "connect"
\t\t-x addr[:port]\tSpecify proxy address and port
\t\t-Z\t\tDCCP mode
\t\t-z\t\tZero-I/O mode [used for scanning]
\tPort numbers can be individual or ranges: lo-hi [inclusive]`;

/** netcat's getopt string (the Debian build without TLS). */
const WITH_ARG = new Set('IiMmOPpqsTVWwXx'.split(''));
const NO_ARG = new Set('46bCDdFhklNnrStUuvZz'.split(''));

/** Alpine's /etc/services entries for the ports learners check. */
const SERVICES: { name: string; port: number; proto: 'tcp' | 'udp' | 'both' }[] = [
  { name: 'ftp', port: 21, proto: 'tcp' },
  { name: 'ssh', port: 22, proto: 'both' },
  { name: 'telnet', port: 23, proto: 'tcp' },
  { name: 'smtp', port: 25, proto: 'tcp' },
  { name: 'domain', port: 53, proto: 'both' },
  { name: 'http', port: 80, proto: 'both' },
  { name: 'ntp', port: 123, proto: 'udp' },
  { name: 'https', port: 443, proto: 'both' },
  { name: 'mysql', port: 3306, proto: 'both' },
  { name: 'postgresql', port: 5432, proto: 'both' },
  { name: 'http-alt', port: 8080, proto: 'both' },
];

function serviceByPort(port: number, proto: 'tcp' | 'udp'): string | undefined {
  return SERVICES.find((s) => s.port === port && (s.proto === 'both' || s.proto === proto))?.name;
}

function serviceByName(name: string, proto: 'tcp' | 'udp'): number | undefined {
  return SERVICES.find((s) => s.name === name && (s.proto === 'both' || s.proto === proto))?.port;
}

/** udptest()'s wait without -w (UDP_SCAN_TIMEOUT). */
const UDP_SCAN_SECONDS = 3;
/** How long the kernel waits for ARP before reporting a host unreachable. */
const ARP_FAIL_MS = 3_000;

/** `nc: ...` then the usage lines, exit 1 (getopt's complaints and usage(1)). */
function usageError(first?: string): CommandError {
  return new CommandError('USAGE', (first ? `nc: ${first}\n` : '') + USAGE_LINES, 1);
}

/** errx(1, ...). */
function fatal(message: string): CommandError {
  return new CommandError('INVALID', `nc: ${message}`, 1);
}

/** OpenBSD strtonum's error text for `s` within [min, max], or undefined when valid. */
function strtonumError(s: string, min: number, max: number): string | undefined {
  if (!/^\s*[-+]?\d+$/.test(s)) return 'invalid';
  const n = Number(s);
  if (n < min) return 'too small';
  if (n > max) return 'too large';
  return undefined;
}

/** strtoport(): a number 1-65535, or a service name. */
function strtoport(s: string, proto: 'tcp' | 'udp'): number {
  const err = strtonumError(s, 1, 65535);
  if (err === undefined) return Number(s);
  if (err !== 'invalid') throw fatal(`port number ${err}: ${s}`);
  const named = serviceByName(s, proto);
  if (named === undefined) throw fatal(`service "${s}" unknown`);
  return named;
}

/** build_ports(): names, numbers and lo-hi ranges, in the order given. */
export function buildPorts(args: string[], proto: 'tcp' | 'udp'): number[] {
  const out: number[] = [];
  for (const a of args) {
    const named = serviceByName(a, proto);
    if (named !== undefined) {
      out.push(named);
      continue;
    }
    const dash = a.indexOf('-');
    if (/^\d/.test(a) && dash >= 0) {
      const hi = strtoport(a.slice(dash + 1), proto);
      const lo = strtoport(a.slice(0, dash), proto);
      for (let p = Math.min(lo, hi); p <= Math.max(lo, hi); p++) out.push(p);
      continue;
    }
    out.push(strtoport(a, proto));
  }
  return out;
}

interface Options {
  verbose: boolean;
  zero: boolean;
  udp: boolean;
  numeric: boolean;
  /** -w in milliseconds; -1 when not given (0 also means no limit). */
  timeout: number;
  operands: string[];
}

/**
 * getopt over netcat's option string, `--` ending the options: musl's (Alpine) stops at the
 * first operand; glibc's (Ubuntu, `permute`) takes options after operands too.
 */
export function parseNc(argv: string[], permute = false): Options | 'help' {
  const o: Options = { verbose: false, zero: false, udp: false, numeric: false, timeout: -1, operands: [] };
  const unsupported: string[] = [];
  const operands: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (!permute) break;
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const ch = a[j]!;
      if (NO_ARG.has(ch)) {
        if (ch === 'h') return 'help';
        if (ch === 'v') o.verbose = true;
        else if (ch === 'z') o.zero = true;
        else if (ch === 'u') o.udp = true;
        else if (ch === 'n') o.numeric = true;
        else if (ch !== '4') unsupported.push(`-${ch}`);
        continue;
      }
      if (!WITH_ARG.has(ch)) throw usageError(`unrecognized option: ${ch}`);
      let value = a.slice(j + 1);
      if (value === '') {
        const next = argv[++i];
        if (next === undefined) throw usageError(`option requires an argument: ${ch}`);
        value = next;
      }
      if (ch === 'w') {
        const err = strtonumError(value, 0, Math.trunc(2147483647 / 1000));
        if (err) throw fatal(`timeout ${err}: ${value}`);
        o.timeout = Number(value) * 1000;
      } else unsupported.push(`-${ch}`);
      break;
    }
  }
  o.operands = [...operands, ...argv.slice(i)];
  if (unsupported.includes('-l') && o.zero) throw fatal('cannot use -z and -l');
  if (unsupported.length > 0) throw new CommandError('UNSUPPORTED', `nc: ${unsupported[0]} is not supported in this sandbox (nc here checks ports: nc -zv HOST PORT)`, 1);
  if (o.operands.length === 0) throw usageError();
  if (o.operands.length === 1) throw fatal('missing port number');
  return o;
}

type Outcome = { ok: true } | { ok: false; error: string; waitMs: number };

const ERRNO_TEXT: Record<string, string> = {
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  ECONNREFUSED: 'Connection refused',
  EPERM: 'Operation not permitted',
  EMSGSIZE: 'Message too long',
};

/**
 * One TCP connect() and close() from `nsId`: SYN (sent again on the kernel's schedule while
 * nothing answers, each wait yielded to the caller), then ACK and FIN when it was answered.
 */
function* tcpConnect(ctx: CommandContext, nsId: string, dst: Ip, dport: number): TcpRun<Outcome> {
  const sim = ctx.env.sim;
  const ns = sim.state.netns[nsId];
  if (!ns) throw new Error(`no network namespace ${nsId}`);
  const route = lookupRoute(ns, dst, sim.state);
  const src = (route && sourceFor(ns, route, dst)) ?? 0x7f000001;
  const sport = 32768 + sim.rng.int(28232);
  const open = { openPorts: new Set([`${nsId}|tcp|${sport}`]) };
  const send = (fields: Parameters<typeof tcp>[2]) => {
    const id = ns.ipId;
    ns.ipId = (ns.ipId + 1) & 0xffff;
    return sim.send(nsId, ipv4({ src, dst, id, df: true, payload: tcp(src, dst, fields) }), open);
  };
  const isn = sim.rng.int(0x100000000) >>> 0;
  let synAck: TcpSegment | undefined;
  for (let n = 0; ; n++) {
    const synMss = pathMss(ns, dst, sim.clock.now(), sim.state);
    const syn = send({ srcPort: sport, dstPort: dport, seq: isn, flags: TCP_SYN, window: initialWindow(synMss), options: linuxSynOptions(synMss, Math.floor(sim.clock.now()) >>> 0) });
    const local = syn.errors.find((e) => e.ns === nsId);
    if (local) return { ok: false, error: ERRNO_TEXT[local.errno] ?? local.errno, waitMs: local.errno === 'EHOSTUNREACH' ? ARP_FAIL_MS : 0 };
    const back = syn.deliveries.filter((d) => d.ns === nsId);
    const icmp = back.find((d) => d.packet.payload.kind === 'icmp' && d.packet.payload.type === ICMP_DEST_UNREACH);
    if (icmp && icmp.packet.payload.kind === 'icmp') {
      const code = icmp.packet.payload.code;
      // icmp_err_convert: port unreachable and the administratively prohibited codes are ECONNREFUSED.
      if (code === 3 || code === 9 || code === 10) return { ok: false, error: 'Connection refused', waitMs: 0 };
      if (code === 0 || code === 6 || code === 11) return { ok: false, error: 'Network is unreachable', waitMs: 0 };
      // Host unreachable is what a router (or this host) says once ARP for the address went unanswered.
      return { ok: false, error: 'No route to host', waitMs: code === 1 || code === 7 ? ARP_FAIL_MS : 0 };
    }
    const segs = back.map((d) => d.packet.payload).filter((p): p is TcpSegment => p.kind === 'tcp' && p.dstPort === sport);
    synAck = segs.find((x) => (x.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK));
    if (synAck) break;
    if (segs.some((x) => x.flags & TCP_RST)) return { ok: false, error: 'Connection refused', waitMs: 0 };
    // Nothing came back: the kernel sends the SYN again when its timer fires, and gives up after the last wait.
    if (!(yield SYN_WAITS_MS[n]!) || n === SYN_WAITS_MS.length - 1) return { ok: false, error: 'Connection timed out', waitMs: SYN_GIVE_UP_MS };
  }
  const seq = (isn + 1) >>> 0;
  let ack = (synAck.seq + 1) >>> 0;
  send({ srcPort: sport, dstPort: dport, seq, ack, flags: TCP_ACK, window: 502 });
  const fin = send({ srcPort: sport, dstPort: dport, seq, ack, flags: TCP_FIN | TCP_ACK, window: 502 });
  const peerFin = fin.deliveries.some((d) => d.ns === nsId && d.packet.payload.kind === 'tcp' && d.packet.payload.dstPort === sport && (d.packet.payload.flags & TCP_FIN) !== 0);
  if (peerFin) {
    ack = (ack + 1) >>> 0;
    send({ srcPort: sport, dstPort: dport, seq: (seq + 1) >>> 0, ack, flags: TCP_ACK, window: 502 });
  }
  return { ok: true };
}

/** How nc lets the kernel's connect timers run: -w stops the wait when it comes before the kernel gives up. */
function timers(ctx: CommandContext, opts: Options): TcpTimers {
  return { wait: (ms) => ctx.sleep(ms), ...(opts.timeout > 0 && opts.timeout < SYN_GIVE_UP_MS ? { limitMs: opts.timeout } : {}) };
}

/**
 * A connect that failed, as nc reports it once its time has passed (the kernel's verdict, or
 * -w's timeout when that comes first; `waitedMs` of it passed already). False when interrupted.
 */
async function connectFailed(ctx: CommandContext, host: string, shown: string, port: number, opts: Options, out: { error: string; waitMs: number }, waitedMs: number): Promise<boolean> {
  const limited = opts.timeout > 0 && opts.timeout < out.waitMs;
  const rest = (limited ? opts.timeout : out.waitMs) - waitedMs;
  if (rest > 0 && !(await ctx.sleep(rest))) return false;
  if (opts.verbose) ctx.stderr.write(`nc: connect to ${host}${shown} port ${port} (tcp) ${limited ? 'timed out: Operation now in progress' : `failed: ${out.error}`}\n`);
  return true;
}

/**
 * Without -z: connect, send what came on standard input, print what the server sends. A
 * server that does not close (sshd after its banner, waiting for the client's identification)
 * keeps nc reading until Ctrl+C.
 */
async function talk(ctx: CommandContext, nsId: string, host: string, shown: string, ip: Ip, port: number, opts: Options): Promise<number> {
  if (opts.udp) throw new CommandError('UNSUPPORTED', 'nc: sending UDP data is not supported in this sandbox; check a UDP port with nc -zvu HOST PORT', 1);
  const request = Uint8Array.from(ctx.stdin ?? '', (c) => c.charCodeAt(0) & 0xff);
  const r = await ctx.env.sim.tcpSession(nsId, ip, port, request, timers(ctx, opts));
  if (r.interrupted) return 0;
  if (r.kind !== 'response') {
    const out: Outcome =
      r.kind === 'refused' || (r.kind === 'icmp-error' && (r.code === 3 || r.code === 9 || r.code === 10))
        ? { ok: false, error: 'Connection refused', waitMs: 0 }
        : r.kind === 'icmp-error'
          ? { ok: false, error: r.code === 0 || r.code === 6 || r.code === 11 ? 'Network is unreachable' : 'No route to host', waitMs: r.code === 1 || r.code === 7 ? ARP_FAIL_MS : 0 }
          : r.kind === 'local-error'
            ? { ok: false, error: ERRNO_TEXT[r.errno] ?? r.errno, waitMs: r.errno === 'EHOSTUNREACH' ? ARP_FAIL_MS : 0 }
            : { ok: false, error: 'Connection timed out', waitMs: SYN_GIVE_UP_MS };
    if (out.ok) return 0;
    return (await connectFailed(ctx, host, shown, port, opts, out, r.waitedMs)) ? 1 : 0;
  }
  if (opts.verbose) ctx.stderr.write(`Connection to ${host}${shown} ${port} port [tcp/${(opts.numeric ? undefined : serviceByPort(port, 'tcp')) ?? '*'}] succeeded!\n`);
  let text = '';
  for (const b of r.data) text += String.fromCharCode(b);
  ctx.stdout.write(text);
  // The server closed after answering a request; one that waits for more keeps nc reading.
  if (request.length > 0 && r.closed) return 0;
  ctx.endless();
  for (;;) if (!(await ctx.sleep(1000))) return 0;
}

export const nc: Command = {
  name: 'nc',
  summary: 'netcat: nc -zv HOST PORT checks a port (-u: UDP, -w SECS to give up); nc HOST PORT prints what the server says',
  usage: USAGE_LINES,
  where: ['pod', 'node'],
  images: ['netshoot', 'agnhost'],
  // `nc --help` is getopt's complaint about `-` and the usage, status 1; `nc -h` the help on stderr.
  ownHelp: true,
  async run(ctx) {
    // Ubuntu's build on a node uses glibc: its getopt permutes and its resolver words failures its own way.
    const glibc = ctx.env.location.kind === 'node';
    const opts = parseNc(ctx.argv.slice(1), glibc);
    if (opts === 'help') {
      ctx.stderr.write(`${USAGE_LINES}\n${SUMMARY}\n`);
      return 0;
    }
    const proto = opts.udp ? 'udp' : 'tcp';
    const [host, ...portArgs] = opts.operands as [string, ...string[]];
    const ports = buildPorts(portArgs, proto);
    // -n: AI_NUMERICHOST, so a name fails without a query.
    const unknown = glibc ? 'Name or service not known' : 'Name does not resolve';
    if (opts.numeric && parseIp(host) === undefined) throw fatal(`getaddrinfo for host "${host}" port ${ports[0]}: ${unknown}`);
    const r = resolveHost(ctx.env, host);
    if (!r.ok) throw fatal(`getaddrinfo for host "${host}" port ${ports[0]}: ${r.reason === 'timeout' ? (glibc ? 'Temporary failure in name resolution' : 'Try again') : unknown}`);
    const addr = formatIp(r.ip);
    const shown = opts.numeric || addr === host ? '' : ` (${addr})`;
    const nsId = nsIdOf(ctx.env);
    if (!opts.zero) return talk(ctx, nsId, host, shown, r.ip, ports[0]!, opts);
    let status = 1;
    for (const port of ports) {
      if (opts.udp) {
        status = 0;
        if (!opts.verbose) continue;
        // udptest(): two writes, then one a second; an ICMP port unreachable fails the next write.
        const sim = ctx.env.sim;
        const sport = 32768 + sim.rng.int(28232);
        const x = Uint8Array.of(0x58);
        const refused = (): boolean => {
          const u = sim.udpRequest(nsId, r.ip, port, x, sport);
          return u.kind === 'icmp-error' && u.type === ICMP_DEST_UNREACH && u.code === 3;
        };
        // The error of a datagram shows at the first write after it came back.
        let pending = refused();
        pending = refused() || pending;
        let failed = false;
        const seconds = opts.timeout === -1 ? UDP_SCAN_SECONDS : opts.timeout / 1000;
        for (let s = 0; s < seconds && !failed; s++) {
          if (!(await ctx.sleep(1000))) return 0;
          if (pending) failed = true;
          else pending = refused();
        }
        if (failed) {
          status = 1;
          continue;
        }
      } else {
        const { value: out, waitedMs, interrupted } = await ctx.env.sim.runTimers(tcpConnect(ctx, nsId, r.ip, port), timers(ctx, opts));
        if (interrupted) return 0;
        if (!out.ok) {
          if (!(await connectFailed(ctx, host, shown, port, opts, out, waitedMs))) return 0;
          continue;
        }
        status = 0;
        if (!opts.verbose) continue;
      }
      const service = opts.numeric ? undefined : serviceByPort(port, proto);
      ctx.stderr.write(`Connection to ${host}${shown} ${port} port [${proto}/${service ?? '*'}] succeeded!\n`);
    }
    return status;
  },
  complete(req) {
    return req.prefix.startsWith('-') ? ['-z', '-v', '-zv', '-u', '-zvu', '-n', '-w'] : [];
  },
};
