/**
 * busybox `nslookup`, `wget`, `ip`, `ifconfig` and `route`, as they behave inside busybox pods.
 *
 * Design notes: nslookup (busybox >= 1.29) asks the pod's nameserver (10.96.0.10, DNATed to a
 * CoreDNS pod) over real UDP and prints busybox's layout (fidelity.md 7): `Server:` and
 * `Address:` with tabs, a blank line, then `Name:` and `Address:` for each A record, or
 * `** server can't find NAME: NXDOMAIN` (status 1). busybox applies the search list only to
 * names without a dot, so `nslookup kubernetes.default` fails where glibc would succeed.
 * wget fetches one URL over a real TCP connection; `-qO-` prints the body; failures use
 * busybox's messages (`bad address`, `can't connect to remote host`, `server returned error`).
 * busybox `ip` (addr, link, route, neigh) prints iproute2's layout with busybox's details:
 * no `group default`, `qlen N` only where the queue length is not 0 and then with no space
 * after it, `,M-DOWN` in the flags of a veth whose peer is in another namespace (its index
 * is unknown here), routes without `proto kernel` and with two spaces before ` src`.
 * `ifconfig` lists the interfaces that are up, sorted by name, in net-tools' old layout
 * (`Link encap:`, `inet addr:`, `Bcast:`, `Mask:`, MAC in capitals). `route` prints
 * /proc/net/route (`Kernel IP routing table`, `UG` flags, metric, ref and use columns);
 * without -n the destination 0.0.0.0 reads `default` and an empty gateway `*`.
 * A pod has no CAP_NET_ADMIN, so anything that would change the network fails with EPERM.
 * Left out: nslookup's AAAA half and query types, reverse lookups; wget's saving to files,
 * progress bars, -S headers; IPv6 addresses; interface counters (the sandbox does not count
 * packets per device: ifconfig's RX/TX lines read 0); `route` without -n does not
 * reverse-resolve gateway addresses.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { decodeDns, DnsEncodeError, dnsQuery, encodeDns } from '../../sim/dns';
import { formatIp, maskOf, parseIp } from '../../sim/ipv4';
import type { Device, Netns, Route } from '../../sim/netns';
import { hasCarrier, matches, nsOf, routeOrder } from './ip';
import { parseResolvConf, resolvConf } from '../../sim/k8s/coredns';
import { text } from '../../sim/apps';
import { nsIdOf, resolveHost } from '../resolver';

export const nslookup: Command = {
  name: 'nslookup',
  summary: 'ask the DNS server for a name: nslookup web (busybox)',
  usage: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST',
  where: ['pod'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'pod') throw new CommandError('UNSUPPORTED', 'nslookup: not available here');
    const args = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
    const name = args[0];
    if (!name) throw new CommandError('USAGE', this.usage, 1);
    const conf = parseResolvConf(resolvConf(ctx.env.sim.state, loc.namespace));
    const server = args[1] ?? conf.nameservers[0] ?? '10.96.0.10';
    const serverIp = parseIp(server);
    if (serverIp === undefined) throw new CommandError('NOT_FOUND', `nslookup: bad address '${server}'`, 1);
    const bare = name.replace(/\.$/, '');
    const candidates = name.endsWith('.') || name.includes('.') ? [bare] : [...conf.search.map((d) => `${bare}.${d}`), bare];
    ctx.stdout.write(`Server:\t\t${server}\nAddress:\t${server}:53\n\n`);
    for (const cand of candidates) {
      // A name no query can carry (an empty label, a label over 63 octets) is skipped like a
      // name the server does not know (simplified: busybox sends a malformed query).
      let query: Uint8Array;
      try {
        query = encodeDns(dnsQuery(ctx.env.sim.rng.int(65536), cand, 'A'));
      } catch (e) {
        if (e instanceof DnsEncodeError) continue;
        throw e;
      }
      const r = ctx.env.sim.udpRequest(nsIdOf(ctx.env), serverIp, 53, query);
      if (r.kind !== 'reply') {
        if (!(await ctx.sleep(5000))) return 130;
        ctx.stdout.write(';; connection timed out; no servers could be reached\n\n');
        return 1;
      }
      const m = decodeDns(r.data);
      if (m.rcode !== 0) continue;
      for (const a of m.answers) {
        if (a.type === 'CNAME') ctx.stdout.write(`${a.name}\tcanonical name = ${a.target}\n`);
        if (a.type === 'A') ctx.stdout.write(`Name:\t${a.name}\nAddress: ${formatIp(a.address)}\n`);
      }
      ctx.stdout.write('\n');
      return 0;
    }
    ctx.stdout.write(`** server can't find ${bare}: NXDOMAIN\n\n`);
    return 1;
  },
};

export const wget: Command = {
  name: 'wget',
  summary: 'fetch a URL: wget -qO- http://web/ (busybox)',
  usage: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[-T SEC] URL...\n\nRetrieve files via HTTP or FTP\n\n\t-q\t\tQuiet\n\t-O FILE\t\tSave to FILE (\'-\' for stdout)\n\t-T SEC\t\tNetwork read timeout is SEC seconds',
  where: ['pod'],
  async run(ctx) {
    const args = ctx.argv.slice(1).flatMap((a) => (a === '-qO-' ? ['-q', '-O', '-'] : a === '-O-' ? ['-O', '-'] : [a]));
    let quiet = false;
    let out: string | undefined;
    let timeout = 900;
    const headers: string[] = [];
    let url: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-q') quiet = true;
      else if (a === '-O') out = args[++i];
      else if (a === '-T') timeout = Number(args[++i]);
      else if (a === '--header') headers.push(args[++i] ?? '');
      else if (a.startsWith('-')) throw new CommandError('USAGE', `wget: unrecognized option '${a}'\n${this.usage}`, 1);
      else url = a;
    }
    if (!url) throw new CommandError('USAGE', this.usage, 1);
    if (out !== '-') throw new CommandError('UNSUPPORTED', "wget: saving to files is not supported in this sandbox yet; use -O - (or -qO-) to print to the terminal", 1);
    const m = /^(?:http:\/\/)?([^/:]+)(?::(\d+))?(.*)$/.exec(url);
    if (!m || url.startsWith('https://')) throw new CommandError('UNSUPPORTED', 'wget: only http:// URLs are modelled in this sandbox', 1);
    const host = m[1]!;
    const port = m[2] ? Number(m[2]) : 80;
    const path = m[3] || '/';
    const resolved = resolveHost(ctx.env, host);
    if (!resolved.ok) throw new CommandError('NOT_FOUND', `wget: bad address '${host}'`, 1);
    if (!quiet) ctx.stderr.write(`Connecting to ${host} (${formatIp(resolved.ip)}:${port})\n`);
    const req = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Wget\r\n${headers.map((h) => h + '\r\n').join('')}Connection: close\r\n\r\n`;
    const r = ctx.env.sim.tcpRequest(nsIdOf(ctx.env), resolved.ip, port, Uint8Array.from(req, (c) => c.charCodeAt(0)));
    if (r.kind === 'timeout' || r.kind === 'local-error') {
      if (!(await ctx.sleep(Math.min(timeout, 130) * 1000))) return 130;
      throw new CommandError('EXEC_FAILED', 'wget: download timed out', 1);
    }
    if (r.kind === 'refused' || r.kind === 'icmp-error') throw new CommandError('EXEC_FAILED', `wget: can't connect to remote host (${formatIp(resolved.ip)}): ${r.kind === 'refused' || r.code === 3 ? 'Connection refused' : 'No route to host'}`, 1);
    const resp = text(r.data);
    const statusLine = resp.split('\r\n')[0] ?? '';
    if (!/^HTTP\/1\.[01] 2\d\d/.test(statusLine)) throw new CommandError('EXEC_FAILED', `wget: server returned error: ${statusLine}`, 1);
    const body = resp.slice(resp.indexOf('\r\n\r\n') + 4);
    if (!quiet) ctx.stderr.write('writing to stdout\n');
    ctx.stdout.write(body);
    if (!quiet) ctx.stderr.write(`-                    100% |********************************|   ${body.length}  0:00:00 ETA\nwritten to stdout\n`);
    return 0;
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
      if (which === 'link') throw new CommandError('EXEC_FAILED', 'ip: SIOCSIFFLAGS: Operation not permitted', 1);
      throw new CommandError('EXEC_FAILED', 'ip: RTNETLINK answers: Operation not permitted', 1);
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
    if (which === 'address') lines = devices.flatMap((d) => [...bbLink(ns, d), ...bbAddrs(d)]);
    else if (which === 'link') lines = devices.flatMap((d) => bbLink(ns, d));
    else if (which === 'route') lines = [...ns.routes].sort(routeOrder).filter((r) => devName === undefined || r.dev === devName).map(bbRoute);
    else if (which === 'neigh') lines = ns.neigh.filter((n) => devName === undefined || n.dev === devName).map((n) => `${formatIp(n.ip)} dev ${n.dev} lladdr ${n.mac} ${n.state}`);
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
    for (const r of [...ns.routes].sort(routeOrder)) {
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
