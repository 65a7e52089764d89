/**
 * busybox `nslookup`, `wget`, `ip`, `ifconfig` and `route`, as they behave inside busybox pods
 * and containers.
 *
 * Design notes: nslookup is the image's busybox version's (nslookup-busybox.ts: 1.28's
 * getaddrinfo-based one, or 1.29+'s own queries with busybox's layout), asking the server of
 * the place's resolv.conf: a pod's, or a Docker container's (the host's nameserver on the
 * default bridge, Docker's embedded DNS server 127.0.0.11 on a user-defined network).
 * wget (1.36) parses its options as busybox's getopt32 does over glibc getopt_long (clustered
 * `-qO-`, `-qO FILE`, separate `-O - -q`, options after the URL, `--output-document=F`,
 * unambiguous prefixes of long options), fetches each URL over a real TCP connection and
 * sends busybox's request (`GET /path`, `Host: host[:port]`, `User-Agent: Wget`,
 * `Connection: close`, then `--header`s). `-O -` writes the body to stdout; otherwise it goes to
 * a sandbox file: `-O FILE` (overwritten; `/dev/null` discards), or the URL's last path
 * component (`index.html` for none) under `-P DIR`, which must not exist yet (O_EXCL: `can't
 * open 'index.html': File exists`). The file is opened once the server has answered, so an
 * error leaves none. Unless -q, stderr shows `Connecting to HOST (IP:PORT)`, `saving to 'F'`
 * (or `writing to stdout`), the progress bar's last line as busybox prints it when stderr is
 * not a terminal, and `'F' saved`; `--spider` prints `remote file exists`. Before 1.31 (busybox
 * commit 46fc3290c, "wget: notify on download begin and end"), which the Kubernetes docs'
 * busybox:1.28 predates, neither the saving/saved lines nor `remote file exists` are printed:
 * only `Connecting to ...` and the bar. `-S` the response
 * headers; `-o LOG` sends all of that but the bar to a file. `-T SEC` bounds the connect
 * (`download timed out`); without it (busybox's default is 900 s) the kernel's SYN retries,
 * each through the model, go on until it gives up after 131 s.
 * Failures use busybox's messages (`bad address`, `can't connect to remote host (IP): ...`,
 * `server returned error: HTTP/1.1 404 Not Found`) and exit 1.
 * busybox `ip` (addr, link, route, neigh) prints iproute2's layout with busybox's details:
 * no `group default`, `qlen N` only where the queue length is not 0 and then with no space
 * after it, `,M-DOWN` in the flags of a veth whose peer is in another namespace (its index
 * is unknown here), routes without `proto kernel` and with two spaces before ` src`, and
 * `ip neigh` always with the statistics (`ref 1 used U/C/A probes N`, busybox's ipneigh.c
 * fixes show_stats), its fields separated by single spaces and no space at the end.
 * `ifconfig` lists the interfaces that are up, sorted by name, in net-tools' old layout
 * (`Link encap:`, `inet addr:`, `Bcast:`, `Mask:`, MAC in capitals). `route` prints
 * /proc/net/route (`Kernel IP routing table`, `UG` flags, metric, ref and use columns);
 * without -n the destination 0.0.0.0 reads `default` and an empty gateway `*`.
 * A pod has no CAP_NET_ADMIN, so anything that would change the network fails with EPERM.
 * Left out: wget's -c, --post-data,
 * --post-file, proxies, redirects (a 3xx is saved like a 200), https and ftp, the progress
 * bar's updates on a terminal (only its final line is shown); IPv6 addresses but the link-local
 * ones and lo's ::1 (`ip addr` prints those, after the IPv4 ones, as iproute2 does); interface counters (the sandbox does not count
 * packets per device: ifconfig's RX/TX lines read 0); `route` without -n does not
 * reverse-resolve gateway addresses.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { formatIp, maskOf } from '../../sim/ipv4';
import { routesOf, type Device, type Netns, type Route } from '../../sim/netns';
import { hasCarrier, inet6Lines, matches, neighLine, nsOf, routeOrder } from './ip';
import { neighbourTable } from '../../sim/forward';
import { busyboxNslookup } from './nslookup-busybox';
import { busyboxVersion, imageAt } from '../images';
import { text } from '../../sim/apps';
import { compareVersions } from '../../sim/apps/image';
import { nodeResolvConf, nsIdOf, resolvConfAt, resolveHost } from '../resolver';
import { absolute, kindOf, placeOf, writeError } from '../sandbox-fs';
import { writeFile } from '../../sim/files';
import { SYN_GIVE_UP_MS } from '../../sim/tcp-stack';

export const nslookup: Command = {
  name: 'nslookup',
  summary: 'ask the DNS server for a name: nslookup web (busybox)',
  usage: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST',
  where: ['pod'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'pod' && loc.kind !== 'container') throw new CommandError('UNSUPPORTED', 'nslookup: not available here');
    // A pod's resolv.conf comes from its dnsPolicy; a Docker container's from its networks (the embedded DNS server on a user-defined one).
    const conf = loc.kind === 'pod' ? resolvConfAt(ctx.env, loc) : nodeResolvConf(ctx.env);
    return busyboxNslookup(ctx, busyboxVersion(imageAt(ctx.env.sim, loc)), conf, this.usage);
  },
};

const WGET_USAGE = `${'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.'}

Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]
\t[--post-data STR | --post-file FILE] [-Y on/off]
\t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...

Retrieve files via HTTP or FTP

\t--spider\tOnly check URL existence: $? is 0 if exists
\t--header STR\tAdd STR (of form 'header: value') to headers
\t--post-data STR\tSend STR using POST method
\t--post-file FILE\tSend FILE using POST method
\t--no-check-certificate\tDon't validate the server's certificate
\t-c\t\tContinue retrieval of aborted transfer
\t-q\t\tQuiet
\t-P DIR\t\tSave to DIR (default .)
\t-S    \t\tShow server response
\t-T SEC\t\tNetwork read timeout is SEC seconds
\t-O FILE\t\tSave to FILE ('-' for stdout)
\t-o LOGFILE\tLog messages to FILE
\t-U STR\t\tUse STR for User-Agent header
\t-Y on/off\tUse proxy`;

/** One long option of a getopt_long table: its name, whether it takes an argument, and the key it sets. */
interface LongOpt {
  name: string;
  arg: 'none' | 'required';
  key: string;
}

/**
 * glibc getopt_long as busybox's getopt32 calls it: options and operands may be mixed (the
 * arguments are permuted), short options cluster (`-qO-`, `-qO FILE`), `X:` takes the rest of
 * the word or the next word, `X::` only the rest of the word, long options take `=VALUE` or the
 * next word and may be abbreviated to any unambiguous prefix, and `--` ends the options.
 * Errors are glibc's messages followed by the applet's usage (busybox's bb_show_usage, exit 1).
 */
function busyboxGetopt(tool: string, args: string[], shortSpec: string, longOpts: LongOpt[], usage: string): { opts: [string, string | undefined][]; operands: string[] } {
  const fail = (msg: string): never => {
    throw new CommandError('USAGE', `${tool}: ${msg}\n${usage}`, 1);
  };
  const opts: [string, string | undefined][] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const exact = longOpts.find((o) => o.name === name);
      const prefixed = longOpts.filter((o) => o.name.startsWith(name));
      const first = prefixed[0];
      // A prefix is ambiguous when it matches options that do different things (glibc lists those).
      const differing = prefixed.filter((o) => first && (o.key !== first.key || o.arg !== first.arg));
      if (!exact && first && differing.length > 0) fail(`option '${a}' is ambiguous; possibilities: '--${first.name}'${differing.map((o) => ` '--${o.name}'`).join('')}`);
      const opt = exact ?? first;
      if (!opt) return fail(`unrecognized option '${a}'`);
      if (opt.arg === 'none') {
        if (eq >= 0) fail(`option '--${opt.name}' doesn't allow an argument`);
        opts.push([opt.key, undefined]);
      } else if (eq >= 0) opts.push([opt.key, a.slice(eq + 1)]);
      else if (i + 1 < args.length) opts.push([opt.key, args[++i]!]);
      else fail(`option '--${opt.name}' requires an argument`);
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const at = c === ':' ? -1 : shortSpec.indexOf(c);
      if (at < 0) fail(`invalid option -- '${c}'`);
      const takes = shortSpec[at + 1] === ':' ? (shortSpec[at + 2] === ':' ? 'optional' : 'required') : 'none';
      if (takes === 'none') {
        opts.push([c, undefined]);
        continue;
      }
      const rest = a.slice(j + 1);
      if (rest !== '') opts.push([c, rest]);
      else if (takes === 'optional') opts.push([c, undefined]);
      else if (i + 1 < args.length) opts.push([c, args[++i]!]);
      else fail(`option requires an argument -- '${c}'`);
      break;
    }
  }
  return { opts, operands };
}

const WGET_LONG: LongOpt[] = [
  { name: 'continue', arg: 'none', key: 'c' },
  { name: 'quiet', arg: 'none', key: 'q' },
  { name: 'server-response', arg: 'none', key: 'S' },
  { name: 'output-document', arg: 'required', key: 'O' },
  { name: 'output-file', arg: 'required', key: 'o' },
  { name: 'directory-prefix', arg: 'required', key: 'P' },
  { name: 'proxy', arg: 'required', key: 'Y' },
  { name: 'user-agent', arg: 'required', key: 'U' },
  { name: 'timeout', arg: 'required', key: 'T' },
  { name: 'tries', arg: 'required', key: 't' },
  { name: 'header', arg: 'required', key: 'header' },
  { name: 'post-data', arg: 'required', key: 'post-data' },
  { name: 'spider', arg: 'none', key: 'spider' },
  { name: 'no-check-certificate', arg: 'none', key: 'no-check-certificate' },
  { name: 'post-file', arg: 'required', key: 'post-file' },
  { name: 'passive-ftp', arg: 'none', key: 'ignored' },
  { name: 'no-cache', arg: 'none', key: 'ignored' },
  { name: 'no-verbose', arg: 'none', key: 'ignored' },
  { name: 'no-clobber', arg: 'none', key: 'ignored' },
  { name: 'no-host-directories', arg: 'none', key: 'ignored' },
  { name: 'no-parent', arg: 'none', key: 'ignored' },
];

/** busybox's progress bar as it ends when stderr is not a terminal: one line, always at 100%. */
function wgetBar(curfile: string, bytes: number): string {
  let n = bytes;
  let scale = 0;
  while (n >= 100_000) {
    n = Math.floor(n / 1024);
    scale++;
  }
  return `${curfile.padEnd(20).slice(0, 20)} 100% |${'*'.repeat(32)}|${String(n).padStart(6)}${' kMGTPEZY'[scale]} 0:00:00 ETA\n`;
}

export const wget: Command = {
  name: 'wget',
  summary: 'fetch a URL: wget -qO- http://web/ (busybox)',
  usage: WGET_USAGE,
  where: ['pod'],
  async run(ctx) {
    const { opts, operands } = busyboxGetopt('wget', ctx.argv.slice(1), 'cqSO:o:P:Y:U:T:t:n::', WGET_LONG, WGET_USAGE);
    const has = (k: string): boolean => opts.some(([x]) => x === k);
    const last = (k: string): string | undefined => opts.filter(([x]) => x === k).pop()?.[1];
    if (operands.length === 0) throw new CommandError('USAGE', WGET_USAGE, 1);
    const quiet = has('q');
    const spider = has('spider');
    const showResponse = has('S');
    // busybox 1.31 began announcing the download's start and end, and a spider's success.
    const loc = ctx.env.location;
    const announces = loc.kind !== 'pod' || compareVersions(busyboxVersion(imageAt(ctx.env.sim, loc)), '1.31') >= 0;
    const fnameOut = last('O');
    const dirPrefix = last('P');
    const userAgent = last('U') ?? 'Wget';
    const headers = opts.filter(([k]) => k === 'header').map(([, v]) => v!);
    let timeout = 900;
    const t = last('T');
    if (t !== undefined) {
      if (!/^\d+$/.test(t)) throw new CommandError('INVALID', `wget: invalid number '${t}'`, 1);
      if (Number(t) > 0x7fffffff) throw new CommandError('INVALID', `wget: number ${t} is not in 0..2147483647 range`, 1);
      timeout = Number(t);
    }
    if (has('post-data') && has('post-file')) throw new CommandError('USAGE', WGET_USAGE, 1);
    if (has('c')) throw new CommandError('UNSUPPORTED', 'wget: -c (continue a download) is not supported in this sandbox', 1);
    if (has('post-data') || has('post-file')) throw new CommandError('UNSUPPORTED', 'wget: --post-data and --post-file are not supported in this sandbox', 1);
    const place = placeOf(ctx.env);
    const state = ctx.env.sim.state;
    const now = (): number => ctx.env.sim.clock.now();
    // `-o LOGFILE`: every message (errors included) goes to the file instead of stderr, without the bar.
    const logName = last('o');
    let logAbs: string | undefined;
    let log = '';
    if (logName !== undefined && logName !== '-') {
      logAbs = absolute(place, logName);
      const why = logAbs === '/dev/null' ? undefined : writeError(ctx.env, place, logAbs);
      if (why) throw new CommandError('EXEC_FAILED', `wget: can't open '${logName}': ${why}`, 1);
      if (logAbs !== '/dev/null') writeFile(state, place.machine, logAbs, '', now());
    }
    const say = (text: string): void => {
      if (logAbs === undefined) ctx.stderr.write(text);
      else {
        log += text;
        if (logAbs !== '/dev/null') writeFile(state, place.machine, logAbs, log, now());
      }
    };
    // -O FILE: one output for every URL, truncated once; `-O -` is stdout.
    let outAbs: string | undefined;
    let outContent = '';
    let opened = false;
    try {
      for (const url of operands) {
        const status = await fetchOne(url);
        if (status !== 0) return status;
      }
    } catch (e) {
      if (logAbs !== undefined && e instanceof CommandError) {
        say(e.message + '\n');
        return e.exitCode;
      }
      throw e;
    }
    return 0;

    async function fetchOne(url: string): Promise<number> {
      // parse_url: `scheme://` (http only here), then host up to the first of `/`, `?`, `#`.
      let rest = url;
      const sep = url.indexOf('://');
      if (sep >= 0) {
        const scheme = url.slice(0, sep);
        if (scheme === 'https' || scheme === 'ftp' || scheme === 'ftps') throw new CommandError('UNSUPPORTED', `wget: ${scheme}:// is not modelled in this sandbox; use http://`, 1);
        if (scheme !== 'http') throw new CommandError('INVALID', `wget: not an http or ftp url: ${url}`, 1);
        rest = url.slice(sep + 3);
      }
      const cut = [rest.indexOf('/'), rest.indexOf('?'), rest.indexOf('#')].filter((x) => x >= 0);
      const at = cut.length ? Math.min(...cut) : -1;
      let hostPart = at < 0 ? rest : rest.slice(0, at);
      const path = at < 0 ? '' : rest.slice(at + 1);
      const user = hostPart.lastIndexOf('@');
      if (user >= 0) hostPart = hostPart.slice(user + 1);
      const colon = hostPart.lastIndexOf(':');
      const host = colon >= 0 ? hostPart.slice(0, colon) : hostPart;
      let port = 80;
      if (colon >= 0) {
        const p = hostPart.slice(colon + 1);
        if (!/^\d+$/.test(p) || Number(p) > 0xffff) throw new CommandError('INVALID', `wget: bad port spec '${hostPart}'`, 1);
        port = Number(p);
      }
      // The output file name: -O FILE, else the URL's last path component (index.html for none), under -P DIR.
      let fname: string;
      if (fnameOut !== undefined) fname = fnameOut;
      else {
        const lastPart = path.slice(path.lastIndexOf('/') + 1);
        fname = lastPart === '' ? 'index.html' : lastPart;
        if (dirPrefix !== undefined) fname = `${dirPrefix.replace(/\/+$/, '')}/${fname}`;
      }
      const toStdout = fname === '-' && fnameOut !== undefined;
      const curfile = fname.slice(fname.lastIndexOf('/') + 1);

      const resolved = host === '' ? ({ ok: false } as const) : resolveHost(ctx.env, host);
      if (!resolved.ok) throw new CommandError('NOT_FOUND', `wget: bad address '${hostPart}'`, 1);
      const dst = formatIp(resolved.ip);
      if (!quiet) say(`Connecting to ${hostPart} (${dst}:${port})\n`);
      const custom = (name: string): boolean => headers.some((h) => h.toLowerCase().startsWith(name.toLowerCase()));
      let req = `GET /${path} HTTP/1.1\r\n`;
      if (!custom('Host:')) req += `Host: ${hostPart}\r\n`;
      if (!custom('User-Agent:')) req += `User-Agent: ${userAgent}\r\n`;
      req += 'Connection: close\r\n';
      req += headers.map((h) => `${h}\r\n`).join('');
      req += '\r\n';
      // -T arms an alarm around the connect: it ends the SYN retries if it comes before the kernel gives up.
      const alarmFirst = timeout > 0 && timeout * 1000 <= SYN_GIVE_UP_MS;
      const r = await ctx.env.sim.tcpSession(nsIdOf(ctx.env), resolved.ip, port, Uint8Array.from(req, (c) => c.charCodeAt(0) & 0xff), {
        wait: (ms) => ctx.sleep(ms),
        ...(alarmFirst ? { limitMs: timeout * 1000 } : {}),
      });
      if (r.interrupted) return 130;
      if (r.kind === 'local-error') {
        const why = r.errno === 'ENETUNREACH' ? 'Network is unreachable' : r.errno === 'EHOSTUNREACH' ? 'No route to host' : r.errno === 'EPERM' ? 'Operation not permitted' : 'Connection refused';
        throw new CommandError('EXEC_FAILED', `wget: can't connect to remote host (${dst}): ${why}`, 1);
      }
      if (r.kind === 'timeout') {
        if (alarmFirst) {
          if (timeout * 1000 > r.waitedMs && !(await ctx.sleep(timeout * 1000 - r.waitedMs))) return 130;
          throw new CommandError('EXEC_FAILED', 'wget: download timed out', 1);
        }
        if (SYN_GIVE_UP_MS > r.waitedMs && !(await ctx.sleep(SYN_GIVE_UP_MS - r.waitedMs))) return 130;
        throw new CommandError('EXEC_FAILED', `wget: can't connect to remote host (${dst}): Connection timed out`, 1);
      }
      // A RST, or ICMP port unreachable, refuses at once; host unreachable comes after ARP gives up.
      if (r.kind === 'refused' || (r.kind === 'icmp-error' && r.code === 3)) throw new CommandError('EXEC_FAILED', `wget: can't connect to remote host (${dst}): Connection refused`, 1);
      if (r.kind === 'icmp-error') {
        if (!(await ctx.sleep(3000))) return 130;
        throw new CommandError('EXEC_FAILED', `wget: can't connect to remote host (${dst}): No route to host`, 1);
      }
      const resp = text(r.data);
      const split = resp.indexOf('\r\n\r\n');
      const headLines = (split >= 0 ? resp.slice(0, split) : resp).split('\r\n');
      const statusLine = headLines[0] ?? '';
      // -S shows the status line as it is read, the headers (and the blank line) only once it is accepted.
      if (showResponse) say(`  ${statusLine}\n`);
      const code = Number(/^\S*\s+(\d+)/.exec(statusLine)?.[1] ?? 0);
      if (!((code >= 200 && code <= 204) || [300, 301, 302, 303, 307, 308].includes(code))) throw new CommandError('EXEC_FAILED', `wget: server returned error: ${statusLine}`, 1);
      if (showResponse) say([...headLines.slice(1), ''].map((l) => `  ${l}\n`).join(''));
      let body = split >= 0 ? resp.slice(split + 4) : '';
      const clen = headLines.slice(1).map((l) => /^content-length:\s*(\d+)\s*$/i.exec(l)?.[1]).find((v) => v !== undefined);
      if (clen !== undefined) body = body.slice(0, Number(clen));
      if (spider) {
        if (!quiet && announces) say('remote file exists\n');
        return 0;
      }
      // The output is opened once the server has answered: without -O it must not exist yet (O_EXCL).
      if (!toStdout && !(fnameOut !== undefined && opened)) {
        const abs = absolute(place, fname);
        if (abs !== '/dev/null') {
          const kind = kindOf(ctx.env, place, abs);
          const why = fnameOut === undefined && kind !== 'none' ? 'File exists' : writeError(ctx.env, place, abs);
          if (why) throw new CommandError('EXEC_FAILED', `wget: can't open '${fname}': ${why}`, 1);
        }
        outAbs = abs;
        outContent = '';
        opened = true;
      }
      if (!quiet && announces) say(toStdout ? 'writing to stdout\n' : `saving to '${fname}'\n`);
      if (toStdout) ctx.stdout.write(body);
      else {
        outContent += body;
        if (outAbs !== '/dev/null') writeFile(state, place.machine, outAbs!, outContent, now());
      }
      if (!quiet && logAbs === undefined) say(wgetBar(curfile, body.length));
      if (!quiet && announces) say(toStdout ? 'written to stdout\n' : `'${fname}' saved\n`);
      if (fnameOut === undefined) opened = false;
      return 0;
    }
  },
  complete() {
    return ['-q', '-O', '-T', '-S', '-P', '-U', '--spider', '--header', '--timeout', '--output-document'];
  },
};

const BUSYBOX = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.';

const IP_USAGE = `${BUSYBOX}

Usage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]

OPTIONS := -f[amily] inet|inet6|link | -o[neline]

ip addr add|del IFADDR dev IFACE | show|flush [dev IFACE] [to PREFIX]
ip route list|flush|add|del|change|append|replace|test ROUTE
ip link set IFACE [up|down] [arp on|off] [multicast on|off]
\t[promisc on|off] [mtu NUM] [name NAME] [qlen NUM] [address MAC]
\t[master IFACE | nomaster] [netns PID]
ip tunnel add|change|del|show [NAME]
\t[mode ipip|gre|sit] [remote ADDR] [local ADDR] [ttl TTL]
ip neigh show|flush [to PREFIX] [dev DEV] [nud STATE]
ip rule [list] | add|del SELECTOR ACTION`;

/** The queue length the kernel reports (0 for tunnels and dummies here). */
function qlen(d: Device): number {
  return d.kind === 'vxlan' || d.kind === 'dummy' ? 0 : 1000;
}

/** busybox print_linkinfo: the two lines of one link. */
function bbLink(ns: Netns, d: Device): string[] {
  const carrier = hasCarrier(ns, d);
  const flags = d.kind === 'loopback' ? ['LOOPBACK'] : ['BROADCAST', 'MULTICAST'];
  if (d.up) flags.push('UP');
  if (d.up && carrier) flags.push('LOWER_UP');
  let name = `${d.ifindex}: ${d.name}`;
  let mdown = false;
  if (d.peer) {
    // busybox names the peer by looking its index up in this namespace.
    const local = ns.devices.find((x) => x.ifindex === d.peer!.ifindex);
    name += `@${local ? local.name : `if${d.peer.ifindex}`}`;
    mdown = !local?.up;
  }
  const state = !d.up ? 'DOWN' : d.kind === 'loopback' || d.kind === 'vxlan' || d.kind === 'dummy' ? 'UNKNOWN' : carrier ? 'UP' : 'DOWN';
  const q = qlen(d);
  const first = `${name}: <${d.up && !carrier ? 'NO-CARRIER,' : ''}${flags.join(',')}${mdown ? ',M-DOWN' : ''}> mtu ${d.mtu} qdisc ${d.kind === 'ether' ? 'fq_codel' : 'noqueue'} ${d.master ? `master ${d.master} ` : ''}state ${state} ${q ? `qlen ${q}` : ''}`;
  const link = d.kind === 'loopback' ? '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00' : `    link/ether ${d.mac} brd ff:ff:ff:ff:ff:ff`;
  return [first, link];
}

function bbAddrs(d: Device): string[] {
  return d.addrs.flatMap((a) => [
    `    inet ${formatIp(a.ip)}/${a.len} ${a.brd !== undefined ? `brd ${formatIp(a.brd)} ` : ''}scope ${a.ip >>> 24 === 127 ? 'host' : 'global'} ${d.name}`,
    '       valid_lft forever preferred_lft forever',
  ]);
}

/** busybox print_route: no protocol, `scope` then ` src` with its own leading space. */
function bbRoute(r: Route): string {
  const dst = r.dst.len === 0 ? 'default' : r.dst.len === 32 ? formatIp(r.dst.addr) : `${formatIp(r.dst.addr)}/${r.dst.len}`;
  let line = r.type === 'blackhole' ? `blackhole ${dst} ` : `${dst} `;
  if (r.via !== undefined) line += `via ${formatIp(r.via)} `;
  if (r.type !== 'blackhole') line += `dev ${r.dev} `;
  if (r.scope) line += `scope ${r.scope} `;
  if (r.src !== undefined) line += ` src ${formatIp(r.src)} `;
  if (r.onlink) line += 'onlink ';
  return line;
}

const MODIFY = ['add', 'del', 'delete', 'change', 'append', 'replace', 'flush', 'set', 'test'];

export const ipBusybox: Command = {
  name: 'ip',
  summary: 'show addresses, links, routes and neighbours: ip addr | ip route (busybox)',
  usage: IP_USAGE,
  where: ['pod'],
  async run(ctx) {
    const args = ctx.argv.slice(1).filter((a) => a !== '-4' && a !== '-f' && a !== 'inet');
    const object = args[0];
    const usage = (): never => {
      throw new CommandError('USAGE', IP_USAGE, 1);
    };
    if (object === undefined || object.startsWith('-')) return usage();
    const which = ['address', 'route', 'link', 'neigh', 'tunnel', 'rule'].find((o) => matches(object, o) || (o === 'neigh' && matches(object, 'neighbour')));
    if (!which) return usage();
    const ns = nsOf(ctx);
    let rest = args.slice(1);
    const verb = rest[0];
    if (verb !== undefined && MODIFY.includes(verb)) {
      // Without CAP_NET_ADMIN (measured, busybox ip, exit status 2): `link set` changes the MTU
      // (SIOCSIFMTU) before the flags (SIOCSIFFLAGS), the others go through netlink.
      if (which === 'link') throw new CommandError('EXEC_FAILED', `ip: ${rest.includes('mtu') ? 'SIOCSIFMTU' : 'SIOCSIFFLAGS'}: Operation not permitted`, 2);
      throw new CommandError('EXEC_FAILED', 'ip: RTNETLINK answers: Operation not permitted', 2);
    }
    if (verb === 'show' || verb === 'list' || verb === 'lst') rest = rest.slice(1);
    let devName: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === 'dev') devName = rest[++i];
      else if (a === 'up' || a === 'scope' || a === 'to' || a === 'label') continue;
      else devName = a;
    }
    let devices = [...ns.devices].sort((a, b) => a.ifindex - b.ifindex);
    if (devName !== undefined) {
      const d = ns.devices.find((x) => x.name === devName);
      if (!d) throw new CommandError('NOT_FOUND', `ip: can't find device '${devName}'`, 1);
      devices = [d];
    }
    let lines: string[] = [];
    const inet4Only = ctx.argv.includes('-4') || ctx.argv.some((a, i) => a === 'inet' && ctx.argv[i - 1] === '-f');
    if (which === 'address') lines = devices.flatMap((d) => [...bbLink(ns, d), ...bbAddrs(d), ...(inet4Only ? [] : inet6Lines(ctx.env.sim.state.netns, ns, d))]);
    else if (which === 'link') lines = devices.flatMap((d) => bbLink(ns, d));
    else if (which === 'route') lines = [...routesOf(ns, ctx.env.sim.state)].sort(routeOrder).filter((r) => devName === undefined || r.dev === devName).map(bbRoute);
    else if (which === 'neigh') {
      const now = ctx.env.sim.clock.now();
      const table = neighbourTable(ctx.env.sim.state, ns.id, now).filter((n) => n.state !== 'NOARP' && (devName === undefined || n.dev === devName));
      lines = table.map((n) => neighLine(n, { now, origin: ctx.env.sim.state.createdAt, dev: devName === undefined, stats: true, busybox: true }));
    }
    else if (which === 'rule') lines = ['0:\tfrom all lookup local', '32766:\tfrom all lookup main', '32767:\tfrom all lookup default'];
    ctx.stdout.write(lines.map((l) => l + '\n').join(''));
    return 0;
  },
  complete(req) {
    if (req.words.length === 1) return ['address', 'link', 'neigh', 'route', 'rule'];
    return ['show', 'dev', ...(nsOfEnvDevices(req.env))];
  },
};

function nsOfEnvDevices(env: Parameters<typeof nsIdOf>[0]): string[] {
  return env.sim.state.netns[nsIdOf(env)]?.devices.map((d) => d.name) ?? [];
}

const IFCONFIG_USAGE = `${BUSYBOX}

Usage: ifconfig [-a] IFACE [ADDRESS]

Configure a network interface

\t[add ADDRESS[/PREFIXLEN]]
\t[del ADDRESS[/PREFIXLEN]]
\t[[-]broadcast [ADDRESS]] [[-]pointopoint [ADDRESS]]
\t[netmask ADDRESS] [dstaddr ADDRESS]
\t[outfill NN] [keepalive NN]
\t[hw ether|infiniband ADDRESS] [metric NN] [mtu NN]
\t[[-]trailers] [[-]arp] [[-]allmulti]
\t[multicast] [[-]promisc] [txqueuelen NN] [[-]dynamic]
\t[mem_start NN] [io_addr NN] [irq NN]
\t[up|down] ...`;

/** One interface as busybox ife_print shows it, blank line included. */
function ifconfigBlock(ns: Netns, d: Device): string {
  const lines: string[] = [];
  if (d.kind === 'loopback') lines.push(`${d.name.padEnd(9).slice(0, 9)} Link encap:Local Loopback  `);
  else lines.push(`${d.name.padEnd(9).slice(0, 9)} Link encap:Ethernet  HWaddr ${d.mac.toUpperCase()}  `);
  const a = d.addrs[0];
  if (a) {
    const bcast = d.kind !== 'loopback' ? ` Bcast:${formatIp(a.brd ?? 0)} ` : '';
    lines.push(`          inet addr:${formatIp(a.ip)} ${bcast} Mask:${formatIp(maskOf(a.len) >>> 0)}`);
  }
  const running = d.up && hasCarrier(ns, d);
  const flags = [d.up && 'UP', d.kind !== 'loopback' && 'BROADCAST', d.kind === 'loopback' && 'LOOPBACK', running && 'RUNNING', d.kind !== 'loopback' && 'MULTICAST'].filter(Boolean);
  lines.push(`          ${flags.map((f) => `${f} `).join('')} MTU:${d.mtu}  Metric:1`);
  lines.push('          RX packets:0 errors:0 dropped:0 overruns:0 frame:0');
  lines.push('          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0');
  lines.push(`          collisions:0 txqueuelen:${qlen(d)} `);
  lines.push('          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)');
  return lines.join('\n') + '\n\n';
}

export const ifconfig: Command = {
  name: 'ifconfig',
  summary: 'show the interfaces in the old net-tools layout: ifconfig [-a] [IFACE] (busybox)',
  usage: IFCONFIG_USAGE,
  where: ['pod'],
  async run(ctx) {
    const args = ctx.argv.slice(1);
    const all = args[0] === '-a';
    const rest = all ? args.slice(1) : args;
    for (const a of rest) if (a.startsWith('-') && a !== '-a') throw new CommandError('USAGE', `ifconfig: unrecognized option '${a}'\n${IFCONFIG_USAGE}`, 1);
    const ns = nsOf(ctx, 'ifconfig');
    if (rest.length === 0) {
      const shown = [...ns.devices].filter((d) => all || d.up).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      ctx.stdout.write(shown.map((d) => ifconfigBlock(ns, d)).join(''));
      return 0;
    }
    const d = ns.devices.find((x) => x.name === rest[0]);
    if (!d) throw new CommandError('NOT_FOUND', `ifconfig: ${rest[0]}: error fetching interface information: Device not found`, 1);
    if (rest.length > 1) {
      const op = rest[1]!;
      throw new CommandError('EXEC_FAILED', `ifconfig: ${op === 'up' || op === 'down' || op.startsWith('-') || op === 'promisc' || op === 'arp' ? 'SIOCSIFFLAGS' : op === 'mtu' ? 'SIOCSIFMTU' : op === 'netmask' ? 'SIOCSIFNETMASK' : op === 'hw' ? 'SIOCSIFHWADDR' : 'SIOCSIFADDR'}: Operation not permitted`, 1);
    }
    ctx.stdout.write(ifconfigBlock(ns, d));
    return 0;
  },
  complete(req) {
    return ['-a', ...nsOfEnvDevices(req.env)];
  },
};

const ROUTE_USAGE = `${BUSYBOX}

Usage: route [{add|del|delete}]

Edit kernel routing tables

\t-n\tDon't resolve names
\t-e\tDisplay other/more information
\t-A inet\tSelect address family`;

export const route: Command = {
  name: 'route',
  summary: 'print the routing table the old way: route -n (busybox)',
  usage: ROUTE_USAGE,
  where: ['pod'],
  async run(ctx) {
    let numeric = false;
    let extended = false;
    const rest: string[] = [];
    const args = ctx.argv.slice(1);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-A') {
        if (args[++i] !== 'inet') throw new CommandError('USAGE', ROUTE_USAGE, 1);
      } else if (/^-[ne]+$/.test(a)) {
        numeric ||= a.includes('n');
        extended ||= a.includes('e');
      } else if (a.startsWith('-') && a !== '-net' && a !== '-host') throw new CommandError('USAGE', `route: invalid option -- '${a.slice(1, 2)}'\n${ROUTE_USAGE}`, 1);
      else rest.push(a);
    }
    if (rest.length > 0) {
      const verb = rest[0]!;
      if ((verb !== 'add' && verb !== 'del' && verb !== 'delete') || rest.length < 2) throw new CommandError('USAGE', ROUTE_USAGE, 1);
      throw new CommandError('EXEC_FAILED', `route: ${verb === 'add' ? 'SIOCADDRT' : 'SIOCDELRT'}: Operation not permitted`, 1);
    }
    const ns = nsOf(ctx, 'route');
    let out = `Kernel IP routing table\nDestination     Gateway         Genmask         Flags ${extended ? '  MSS Window  irtt' : 'Metric Ref    Use'} Iface\n`;
    for (const r of [...routesOf(ns, ctx.env.sim.state)].sort(routeOrder)) {
      if (r.type === 'blackhole') continue;
      const dev = ns.devices.find((d) => d.name === r.dev);
      if (!dev?.up) continue;
      const flags = `U${r.via !== undefined ? 'G' : ''}${r.dst.len === 32 ? 'H' : ''}`;
      const dest = r.dst.len === 0 && !numeric ? 'default' : formatIp(r.dst.addr);
      const gw = r.via !== undefined ? formatIp(r.via) : numeric ? '0.0.0.0' : '*';
      out += `${dest.padEnd(15).slice(0, 15)} ${gw.padEnd(15).slice(0, 15)} ${formatIp(maskOf(r.dst.len) >>> 0).padEnd(16)}${flags.padEnd(6)}`;
      out += extended ? `${'0'.padStart(5)} ${'0'.padEnd(5)} ${'0'.padStart(6)} ${r.dev}\n` : `${'0'.padEnd(6)} ${'0'.padEnd(2)} ${'0'.padStart(7)} ${r.dev}\n`;
    }
    ctx.stdout.write(out);
    return 0;
  },
  complete() {
    return ['-n', '-e'];
  },
};
