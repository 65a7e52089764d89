/**
 * `ipvsadm` on a node: the IPVS table (virtual servers, real servers, connections), as
 * ipvsadm v1.31 lists it.
 *
 * Design notes: the listing follows ipvsadm.c: `IP Virtual Server version 1.2.1
 * (size=4096)`, the title lines (`Prot LocalAddress:Port Scheduler Flags` and `  ->
 * RemoteAddress:Port           Forward Weight ActiveConn InActConn`, printed even for an empty
 * table), then each virtual server as `TCP  10.96.0.10:53 rr` (protocol, two spaces, the
 * address cut to 33 characters) and each real server as `  -> %-28s %-7s %-6d %-10u %-10u`
 * (trailing spaces included). Virtual servers are sorted as libipvs's ipvs_cmp_services sorts
 * them (protocol, then address, then port), real servers by address and port; both compare
 * addresses by subtracting them as 32-bit numbers into an int, so an address 2^31 or more
 * above another sorts before it (192.168.49.3 before 10.96.0.1), as on a real node. `-n`
 * prints ports as numbers; without it, ports with an /etc/services name for their protocol
 * print by name (`10.96.0.10:domain`). `--stats` prints the Conns/InPkts/OutPkts/InBytes/
 * OutBytes columns (`%-33s` and `%9llu`, with K/M/G suffixes unless `--exact`), `--rate` the
 * CPS/InPPS/OutPPS/InBPS/OutBPS columns, `-c` the connection table (`IPVS connection entries`,
 * `pro expire state       source             virtual            destination`, expire as
 * mm:ss), `-S` the rules as `-A -t ADDR -s rr` / `-a -t ADDR -r ADDR -m -w 1`, `--timeout`
 * the kernel's default timeouts, `-t`/`-u ADDR:PORT` one virtual server. Option errors are
 * ipvsadm's (popt's `-X: unknown option` and the try-help line, exit 255; `Illegal 'x' option
 * with the 'list' command` and the conflict messages, exit 2; `No such service`, exit 1).
 * The program is installed on the nodes of an IPVS-mode cluster (kubeadm's prerequisites for
 * that mode); elsewhere the shell says `command not found`.
 * Left out: changing the table (-A, -E, -D, -a, -e, -d, -C, -R, -Z, --set: kube-proxy owns
 * it and would undo the change at its next sync), the sync daemon, reverse DNS of addresses
 * without -n (they print as numbers), rates (the kernel's estimator is not modelled: 0),
 * --thresholds and --persistent-conn columns (0), firewall-mark and IPv6 services.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { formatIp, parseIp, type Ip } from '../../sim/ipv4';
import { connCounts, liveConns, secondsLeft, type IpvsConn, type IpvsDest, type IpvsProto, type IpvsService, type IpvsStats, type IpvsTable } from '../../sim/ipvs';

const TRY = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.";

/** /etc/services names (netbase 6.4) by protocol, for listings without -n. */
const SERVICES: Record<string, Record<number, string>> = {
  TCP: { 22: 'ssh', 53: 'domain', 80: 'http', 443: 'https', 8080: 'http-alt' },
  UDP: { 53: 'domain', 443: 'https' },
};

const USAGE = `ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)
Usage:
  ipvsadm -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]
  ipvsadm -D virtual-service
  ipvsadm -C
  ipvsadm -R
  ipvsadm -S [-n]
  ipvsadm -a|e virtual-service -r server-address [options]
  ipvsadm -d virtual-service -r server-address
  ipvsadm -L|l [virtual-service] [options]
  ipvsadm -Z [virtual-service]
  ipvsadm --set tcp tcpfin udp
  ipvsadm --start-daemon {master|backup} [daemon-options]
  ipvsadm --stop-daemon {master|backup}
  ipvsadm -h

Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --start-daemon              start connection sync daemon
  --stop-daemon               stop connection sync daemon
  --help            -h        display this help message

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port]
  --udp-service|-u  service-address   service-address is host[:port]
  --sctp-service    service-address   service-address is host[:port]
  --fwmark-service|-f fwmark          fwmark is an integer greater than zero

Options:
  --ipv6         -6                   fwmark entry uses IPv6
  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,
                                      the default scheduler is wlc.
  --pe            engine              alternate persistence engine may be sip,
                                      not set by default.
  --persistent   -p [timeout]         persistent service
  --netmask      -M netmask           persistent granularity mask
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --tun-type      type                one of ipip|gue|gre,
                                      the default tunnel type is ipip.
  --tun-port      port                tunnel destination port
  --tun-nocsum                        tunnel encapsulation without checksum
  --tun-csum                          tunnel encapsulation with checksum
  --tun-remcsum                       tunnel encapsulation with remote checksum
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current IPVS connections
  --timeout                           output of timeout (tcp tcpfin udp)
  --daemon                            output of daemon information
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact                             expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --tun-info                          output of tunnel information
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --ops          -o                   one-packet scheduling
  --numeric      -n                   numeric output of addresses and ports
  --sched-flags  -b flags             scheduler flags (comma-separated)

Daemon Options:
  --syncid sid                        syncid for connection sync (default=255)
  --sync-maxlen length                Max sync message length (default=1472)
  --mcast-interface interface         multicast interface for connection sync
  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)
  --mcast-port port                   UDP port (default=8848)
  --mcast-ttl ttl                     Multicast TTL (default=1)
`;

type Cmd = 'list' | 'save' | 'help' | 'version' | 'change';

/** The list command's options, named as ipvsadm's optnames[] names them, in its order. */
const LIST_OPTS = ['numeric', 'connection', 'service-address', 'timeout', 'daemon', 'stats', 'rate', 'thresholds', 'persistent-conn', 'nosort', 'exact'] as const;
type ListOpt = (typeof LIST_OPTS)[number];
/** Options the list command allows only one of ('1' in commands_v_options). */
const EXCLUSIVE: ListOpt[] = ['connection', 'service-address', 'timeout', 'daemon'];

interface Parsed {
  cmd?: Cmd;
  opts: Set<ListOpt>;
  /** Options no listing takes, by their optnames[] name (for "Illegal ... option"). */
  illegal: string[];
  service?: { proto: IpvsProto; text: string };
}

const LONG: Record<string, string> = {
  '--list': 'L', '--save': 'S', '--help': 'h', '--version': 'v', '--numeric': 'n', '--connection': 'c', '--tcp-service': 't', '--udp-service': 'u',
  '--add-service': 'A', '--edit-service': 'E', '--delete-service': 'D', '--clear': 'C', '--restore': 'R', '--add-server': 'a', '--edit-server': 'e', '--delete-server': 'd', '--zero': 'Z',
  '--scheduler': 's', '--persistent': 'p', '--netmask': 'M', '--real-server': 'r', '--gatewaying': 'g', '--ipip': 'i', '--masquerading': 'm', '--weight': 'w', '--u-threshold': 'x', '--l-threshold': 'y', '--fwmark-service': 'f', '--ops': 'o',
};
const FLAG_ONLY_LONG: Record<string, ListOpt> = { '--timeout': 'timeout', '--daemon': 'daemon', '--stats': 'stats', '--rate': 'rate', '--thresholds': 'thresholds', '--persistent-conn': 'persistent-conn', '--nosort': 'nosort', '--exact': 'exact' };
/** Short options that change the table, and the options only those take (with optnames). */
const CHANGE = 'AEDCRadeZ';
const OTHER: Record<string, { name: string; arg: boolean }> = {
  s: { name: 'scheduler', arg: true }, p: { name: 'persistent', arg: false }, M: { name: 'netmask', arg: true }, r: { name: 'real-server', arg: true },
  g: { name: 'forwarding-method', arg: false }, i: { name: 'forwarding-method', arg: false }, m: { name: 'forwarding-method', arg: false },
  w: { name: 'weight', arg: true }, x: { name: 'u-threshold', arg: true }, y: { name: 'l-threshold', arg: true }, o: { name: 'ops', arg: false }, f: { name: 'service-address', arg: true },
};

class PoptError extends Error {}

function parse(args: string[]): Parsed {
  const p: Parsed = { opts: new Set(), illegal: [] };
  const command = (c: Cmd): void => {
    if (p.cmd && p.cmd !== c) throw new CommandError('USAGE', 'multiple commands specified', 2);
    p.cmd = c;
  };
  const short = (c: string, value: () => string | undefined, word: string): void => {
    if (c === 'L' || c === 'l') command('list');
    else if (c === 'S') command('save');
    else if (c === 'h') command('help');
    else if (c === 'v') command('version');
    else if (CHANGE.includes(c)) command('change');
    else if (c === 'n') p.opts.add('numeric');
    else if (c === 'c') p.opts.add('connection');
    else if (c === 't' || c === 'u') {
      const v = value();
      if (v === undefined) throw new PoptError(`${word}: missing argument`);
      if (p.opts.has('service-address')) throw new CommandError('USAGE', "multiple 'service-address' options specified", 2);
      p.opts.add('service-address');
      p.service = { proto: c === 't' ? 'TCP' : 'UDP', text: v };
    } else if (OTHER[c]) {
      if (OTHER[c].arg && value() === undefined) throw new PoptError(`${word}: missing argument`);
      p.illegal.push(OTHER[c].name);
    } else throw new PoptError(`-${c}: unknown option`);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      const flag = FLAG_ONLY_LONG[name];
      if (flag) {
        p.opts.add(flag);
        continue;
      }
      if (name === '--sort') continue;
      const c = LONG[name];
      if (!c) throw new PoptError(`${name}: unknown option`);
      short(c, () => inline ?? args[++i], name);
      continue;
    }
    if (!a.startsWith('-') || a === '-') throw new CommandError('USAGE', `unexpected argument ${a}`, 2);
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const takes = c === 't' || c === 'u' || !!OTHER[c]?.arg;
      if (takes) {
        const rest = a.slice(j + 1);
        short(c, () => (rest !== '' ? rest : args[++i]), `-${c}`);
        break;
      }
      short(c, () => undefined, `-${c}`);
    }
  }
  return p;
}

/** parse_service: host[:port]; the host must be an address (no resolver here). */
function parseService(text: string): { addr: Ip; port: number } | undefined {
  const m = /^([^:]+)(?::(\d+))?$/.exec(text);
  const addr = m ? parseIp(m[1]!) : undefined;
  if (!m || addr === undefined) return undefined;
  const port = m[2] === undefined ? 0 : Number(m[2]);
  return port > 65535 ? undefined : { addr, port };
}

function addrPort(proto: IpvsProto, addr: Ip, port: number, numeric: boolean): string {
  return `${formatIp(addr)}:${numeric ? port : (SERVICES[proto]?.[port] ?? port)}`;
}

/** ipvs_cmp_services / ipvs_cmp_dests: differences taken as a C int (wrapping at 2^31). */
function cmpAddr(a: Ip, b: Ip): number {
  return (a - b) | 0;
}

function sortServices(list: IpvsService[]): IpvsService[] {
  const protoNum: Record<IpvsProto, number> = { TCP: 6, UDP: 17, SCTP: 132 };
  return [...list].sort((x, y) => protoNum[x.proto] - protoNum[y.proto] || cmpAddr(x.addr, y.addr) || x.port - y.port);
}

function sortDests(list: IpvsDest[]): IpvsDest[] {
  return [...list].sort((x, y) => cmpAddr(x.addr, y.addr) || x.port - y.port);
}

/** print_largenum: `%9llu`, or with a K/M/G/T suffix past 100 million, unless --exact. */
function largeNum(n: number, exact: boolean): string {
  if (exact) {
    const s = String(n);
    return s.padStart(s.length <= 8 ? 9 : s.length + 1);
  }
  if (n < 1e8) return String(n).padStart(9);
  if (n < 1e9) return `${String(Math.floor(n / 1e3)).padStart(8)}K`;
  if (n < 1e11) return `${String(Math.floor(n / 1e6)).padStart(8)}M`;
  if (n < 1e14) return `${String(Math.floor(n / 1e9)).padStart(8)}G`;
  return `${String(Math.floor(n / 1e12)).padStart(8)}T`;
}

function statsCols(s: IpvsStats, exact: boolean): string {
  return [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes].map((n) => largeNum(n, exact)).join('');
}

interface Format {
  numeric: boolean;
  stats: boolean;
  rate: boolean;
  exact: boolean;
  thresholds: boolean;
  persistent: boolean;
  nosort: boolean;
}

function title(f: Format): string {
  const head = (cols: string): string => `${'Prot LocalAddress:Port'.padEnd(33)} ${cols}\n  -> RemoteAddress:Port\n`;
  if (f.stats) return head(['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((c) => c.padStart(8)).join(' '));
  if (f.rate) return head(['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((c) => c.padStart(8)).join(' '));
  if (f.thresholds) return head(['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((c) => c.padEnd(10)).join(' '));
  if (f.persistent) return `${'Prot LocalAddress:Port'.padEnd(33)} ${'Weight'.padEnd(9)} ${'PersistConn'.padEnd(11)} ${'ActiveConn'.padEnd(10)} ${'InActConn'.padEnd(10)}\n  -> RemoteAddress:Port\n`;
  return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
}

function serviceEntry(t: IpvsTable, svc: IpvsService, f: Format, now: number): string {
  const name = `${svc.proto}  ${addrPort(svc.proto, svc.addr, svc.port, f.numeric)}`.slice(0, 33);
  let out: string;
  if (f.stats) out = name.padEnd(33) + statsCols(svc.stats, f.exact);
  else if (f.rate) out = name.padEnd(33) + [0, 0, 0, 0, 0].map((n) => largeNum(n, f.exact)).join('');
  else out = `${name} ${svc.scheduler}`;
  out += '\n';
  for (const d of f.nosort ? svc.dests : sortDests(svc.dests)) {
    const dname = addrPort(svc.proto, d.addr, d.port, f.numeric).slice(0, 28);
    const { active, inactive } = connCounts(t, svc, d, now);
    if (f.stats) out += `  -> ${dname.padEnd(28)}${statsCols(d.stats, f.exact)}\n`;
    else if (f.rate) out += `  -> ${dname.padEnd(28)} ${'0'.padStart(8)} ${'0'.padStart(8)} ${'0'.padStart(8)}${largeNum(0, f.exact)}${largeNum(0, f.exact)}\n`;
    else if (f.thresholds) out += `  -> ${dname.padEnd(28)} ${'0'.padEnd(10)} ${'0'.padEnd(10)} ${String(active).padEnd(10)} ${String(inactive).padEnd(10)}\n`;
    else if (f.persistent) out += `  -> ${dname.padEnd(28)} ${String(d.weight).padEnd(9)} ${'0'.padEnd(11)} ${String(active).padEnd(10)} ${String(inactive).padEnd(10)}\n`;
    else out += `  -> ${dname.padEnd(28)} ${'Masq'.padEnd(7)} ${String(d.weight).padEnd(6)} ${String(active).padEnd(10)} ${String(inactive).padEnd(10)}\n`;
  }
  return out;
}

function connLine(c: IpvsConn, numeric: boolean, now: number): string {
  const left = secondsLeft(c, now);
  const expire = `${String(Math.floor(left / 60)).padStart(2, '0')}:${String(left % 60).padStart(2, '0')}`;
  const ap = (a: Ip, p: number): string => addrPort(c.proto, a, p, numeric);
  return `${c.proto.padEnd(3)} ${expire.padEnd(6)} ${c.state.padEnd(11)} ${ap(c.caddr, c.cport).padEnd(18)} ${ap(c.vaddr, c.vport).padEnd(18)} ${ap(c.daddr, c.dport)}\n`;
}

function table(ctx: CommandContext): IpvsTable {
  const loc = ctx.env.location;
  if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'ipvsadm: not available here');
  const state = ctx.env.sim.state;
  const now = ctx.env.scheduler.now();
  ctx.env.sim.syncDaemons();
  const t = state.netns[loc.ns]?.ipvs ?? { services: [], conns: [] };
  liveConns(t, now);
  return t;
}

export const ipvsadm: Command = {
  name: 'ipvsadm',
  summary: "list the kernel's IPVS load balancer table: ipvsadm -Ln | ipvsadm -Lnc",
  usage: USAGE.trimEnd(),
  where: ['node'],
  // kubeadm's IPVS prerequisites: installed on the nodes of a cluster whose kube-proxy runs in IPVS mode.
  installed: (env) => env.location.kind === 'node' && env.sim.state.config.proxyMode === 'ipvs' && env.location.ns.startsWith('node/'),
  async run(ctx) {
    let p: Parsed;
    try {
      p = parse(ctx.argv.slice(1));
    } catch (e) {
      if (!(e instanceof PoptError)) throw e;
      ctx.stderr.write(`${e.message}\n${TRY}\n`);
      return 255;
    }
    if (p.cmd === 'help') {
      ctx.stdout.write(USAGE);
      return 0;
    }
    if (p.cmd === 'version') {
      ctx.stdout.write('ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n');
      return 0;
    }
    if (p.cmd === 'change') {
      throw new CommandError('UNSUPPORTED', "ipvsadm: this sandbox lists the IPVS table (-L, -S) but does not change it; it is kube-proxy's, and kube-proxy would put it back at its next sync", 2);
    }
    // No argument at all lists the table; options without a command only get the try-help line.
    const cmd = p.cmd ?? (p.opts.size === 0 && p.illegal.length === 0 ? 'list' : undefined);
    if (!cmd) {
      ctx.stderr.write(TRY + '\n');
      return 255;
    }
    const cmdName = cmd === 'save' ? 'save' : 'list';
    // commands_v_options: what the list and save commands accept.
    if (p.illegal.length > 0) throw new CommandError('USAGE', `Illegal '${p.illegal[0]}' option with the '${cmdName}' command`, 2);
    if (cmd === 'save') {
      const bad = LIST_OPTS.find((o) => o !== 'numeric' && p.opts.has(o));
      if (bad) throw new CommandError('USAGE', `Illegal '${bad}' option with the 'save' command`, 2);
    }
    let last: ListOpt | undefined;
    for (const o of LIST_OPTS) {
      if (!p.opts.has(o) || !EXCLUSIVE.includes(o)) continue;
      if (last) throw new CommandError('USAGE', `The option '${o}' conflicts with the '${last}' option in the 'list' command`, 2);
      last = o;
    }
    const f: Format = { numeric: p.opts.has('numeric'), stats: p.opts.has('stats'), rate: p.opts.has('rate'), exact: p.opts.has('exact'), thresholds: p.opts.has('thresholds'), persistent: p.opts.has('persistent-conn'), nosort: p.opts.has('nosort') };
    if ((p.opts.has('connection') || p.opts.has('timeout') || p.opts.has('daemon')) && (f.stats || f.persistent || f.rate || f.thresholds)) {
      throw new CommandError('USAGE', 'options conflicts in the list command', 2);
    }
    let svc: { addr: Ip; port: number } | undefined;
    if (p.service) {
      svc = parseService(p.service.text);
      if (!svc) throw new CommandError('INVALID', 'illegal virtual server address[:port] specified', 2);
    }
    const t = table(ctx);
    const now = ctx.env.scheduler.now();
    if (cmd === 'save') {
      let out = '';
      for (const s of f.nosort ? t.services : sortServices(t.services)) {
        const name = `${s.proto === 'TCP' ? '-t' : '-u'} ${addrPort(s.proto, s.addr, s.port, f.numeric)}`;
        out += `-A ${name} -s ${s.scheduler}\n`;
        for (const d of f.nosort ? s.dests : sortDests(s.dests)) out += `-a ${name} -r ${addrPort(s.proto, d.addr, d.port, f.numeric)} -m -w ${d.weight}\n`;
      }
      ctx.stdout.write(out);
      return 0;
    }
    if (p.opts.has('connection')) {
      let out = 'IPVS connection entries\npro expire state       source             virtual            destination\n';
      for (const c of t.conns) out += connLine(c, f.numeric, now);
      ctx.stdout.write(out);
      return 0;
    }
    if (p.opts.has('timeout')) {
      ctx.stdout.write('Timeout (tcp tcpfin udp): 900 120 300\n');
      return 0;
    }
    if (p.opts.has('daemon')) return 0;
    if (p.service && svc) {
      const one = t.services.find((s) => s.proto === p.service!.proto && s.addr === svc!.addr && s.port === svc!.port);
      if (!one) throw new CommandError('NOT_FOUND', 'No such service', 1);
      ctx.stdout.write(title(f) + serviceEntry(t, one, f, now));
      return 0;
    }
    let out = 'IP Virtual Server version 1.2.1 (size=4096)\n' + title(f);
    for (const s of f.nosort ? t.services : sortServices(t.services)) out += serviceEntry(t, s, f, now);
    ctx.stdout.write(out);
    return 0;
  },
  complete(req) {
    const prev = req.words[req.words.length - 1];
    if (prev === '-t' || prev === '-u' || prev === '--tcp-service' || prev === '--udp-service') {
      const loc = req.env.location;
      const t = loc.kind === 'node' ? req.env.sim.state.netns[loc.ns]?.ipvs : undefined;
      const proto = prev === '-t' || prev === '--tcp-service' ? 'TCP' : 'UDP';
      return (t?.services ?? []).filter((s) => s.proto === proto).map((s) => `${formatIp(s.addr)}:${s.port}`);
    }
    return ['-Ln', '-Lnc', '-L', '-n', '-c', '-t', '-u', '-S', '--stats', '--rate', '--exact', '--timeout', '--help'];
  },
};
