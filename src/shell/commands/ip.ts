/**
 * `ip` (iproute2 6.1) on a node, the workstation and in netshoot pods: `ip addr`, `ip link`,
 * `ip route`, `ip neigh`, `ip netns`, showing and changing them.
 *
 * Design notes: options come before the object (`-4`, `-br[ief]`, `-d[etails]`, `-s`,
 * `-n[etns] NAME` which runs the command in a namespace of /run/netns); objects and commands
 * may be abbreviated as iproute2 allows (`ip a`, `ip r`, `ip n`, `ip l s eth0 up`). Showing:
 * the printers are ip/show.ts (docs/reference/fidelity.md 5.1-5.3 and 24); `ip link show type
 * veth|bridge|vxlan|dummy` lists links of that kind (another kind: nothing, as iproute2 prints
 * for a kind no link has); under `dev NAME`, `ip route` and `ip neigh` leave their `dev` column
 * out. `ip neigh` shows the neighbour table as it stands now (neigh.ts ages it): `ADDR dev DEV
 * lladdr MAC STATE ` with no address for INCOMPLETE and FAILED entries and NOARP ones left out
 * unless `nud noarp` or `nud all` asks; `ip -s neigh` adds ` ref 1` while the entry's timer
 * runs and ` used U/C/A` (seconds since used, confirmed, updated) glued to `probes N `, as
 * iproute2 6.1 prints them; `ip -br neigh` prints its columns; `to PREFIX`, `dev`, `nud`,
 * `unused` and `proxy` filter. Entries are listed in the order they were made. The printers are
 * shared with busybox's `ip` applet (busybox-net.ts), which differs only in details.
 * Changing: `ip link add|set|delete` (ip/link.ts), `ip addr add|del|flush` (ip/addr.ts), `ip
 * route add|replace|change|append|prepend|del|flush|get` (ip/route.ts), `ip neigh
 * add|replace|change|del|flush` (ip/neigh.ts) and `ip netns` (ip/netns.ts), with iproute2's
 * parse errors and the kernel's refusals (ip/common.ts); what each change does to the model is
 * src/sim/linux. A veth's peer namespace shows as `link-netns NAME` when it is mounted under
 * /run/netns (a Kubernetes node's `cni-...`, one made with `ip netns add`) and as
 * `link-netnsid N` otherwise: Docker's namespaces (under /var/run/docker/netns) and the root
 * namespace seen from inside a pod or container.
 * Left out: IPv6 routes and neighbours (IPv6 link-local addresses exist as text), `ip -s`
 * counters for anything but neighbours, `ip -j`, `ip rule`, `ip monitor`, `ip -batch`. Namespace ids are numbered in
 * creation order among the namespaces the machine's veths lead to now (a real kernel keeps an
 * id when an older one goes, and gives a new one the lowest free id).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { formatIp } from '../../sim/ipv4';
import type { Device, Neighbour, Netns, NudState } from '../../sim/netns';
import { neighbourTable } from '../../sim/forward';
import { inTimer, isValid } from '../../sim/neigh';
import { nsIdOf } from '../resolver';
import { addrFlush, addrModify } from './ip/addr';
import { matches, unsupported } from './ip/common';
import { linkAdd, linkCommand, linkDelete, linkSet } from './ip/link';
import { neighFlush, neighModify } from './ip/neigh';
import { mountedNamespaces, netns, netnsByName } from './ip/netns';
import { routeFlush, routeGet, routeModify, routeShow } from './ip/route';
import { addrLines, briefAddr, briefLink, inet6Lines, linkHeader } from './ip/show';
import { ADDR_USAGE, LINK_USAGE, NEIGH_USAGE, ROUTE_USAGE } from './ip/usage';

export { matches } from './ip/common';
export { addrLines, inet6Lines, linkHeader, peerNetnsIds, routeOrder } from './ip/show';
export { podNamespaces } from './ip/netns';

const USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { address | link | neighbour | netns | route }
       OPTIONS := { -4 | -br[ief] | -d[etails] | -n[etns] NAME }
(This sandbox supports these objects and options.)`;

/** The network namespace the command's location uses (a pod's own, or its node's with hostNetwork). */
export function nsOf(ctx: CommandContext, tool = 'ip'): Netns {
  const ns = ctx.env.sim.state.netns[nsIdOf(ctx.env)];
  if (!ns) throw new CommandError('NOT_FOUND', `${tool}: this machine is outside the simulated network`);
  return ns;
}

/** busybox's view of a carrier (busybox-net.ts): a bridge while a port is up, another device while it is up. */
export function hasCarrier(ns: Netns, d: Device): boolean {
  if (d.kind === 'bridge') return ns.devices.some((p) => p.master === d.name && p.up);
  return d.up;
}

/** `ip link show type T`: the kinds iproute2 can name that the sandbox has. */
const LINK_TYPES: Record<string, (d: Device) => boolean> = {
  veth: (d) => d.kind === 'veth' || (d.kind === 'ether' && d.peer !== undefined),
  bridge: (d) => d.kind === 'bridge',
  vxlan: (d) => d.kind === 'vxlan',
  dummy: (d) => d.kind === 'dummy',
  bridge_slave: (d) => d.master !== undefined,
};

interface Options {
  inet4Only: boolean;
  brief: boolean;
  details: boolean;
  stats: boolean;
  /** The `-s` word as typed, for the error where counters are not modelled. */
  statsWord?: string;
  netns?: string;
}

/** ip.c's option loop: `-X` words before the object, each matched as a prefix of its long name. */
function parseOptions(argv: string[]): { opts: Options; lead: number } {
  const opts: Options = { inet4Only: false, brief: false, details: false, stats: false };
  let lead = 1;
  for (; argv[lead] !== undefined && argv[lead]!.startsWith('-'); lead++) {
    const raw = argv[lead]!;
    const o = raw.startsWith('--') ? raw.slice(1) : raw;
    if (o === '-4') opts.inet4Only = true;
    else if (o.length >= 2 && matches(o, '-details')) opts.details = true;
    else if (o.length >= 2 && matches(o, '-netns')) {
      const v = argv[++lead];
      if (v === undefined) throw new CommandError('NOT_FOUND', 'Cannot open network namespace "(null)": No such file or directory', 255);
      opts.netns = v;
    } else if (o.length >= 3 && matches(o, '-brief')) opts.brief = true;
    else if (o.length >= 2 && (matches(o, '-statistics') || matches(o, '-stats'))) {
      opts.stats = true;
      opts.statsWord = raw;
    }
    else throw new CommandError('UNSUPPORTED', `Option "${raw}" is unknown or not supported in this sandbox, try "ip -help".`, 255);
  }
  return { opts, lead };
}

export const ip: Command = {
  name: 'ip',
  summary: 'show and change addresses, links, routes, neighbours and namespaces: ip addr | ip route | ip link set eth0 up',
  usage: USAGE,
  where: ['workstation', 'node', 'pod'],
  images: ['netshoot', 'agnhost'],
  ownHelp: true,
  async run(ctx) {
    // `-help` (or `--help`) is usage(): the usage on stderr and exit(-1).
    if (ctx.argv[1] === '--help' || ctx.argv[1] === '-help') {
      ctx.stderr.write(USAGE + '\n');
      return 255;
    }
    // Options come before the object: `-4` there is ip's own; after `netns exec NAME` it is the program's.
    const { opts, lead } = parseOptions(ctx.argv);
    const args = ctx.argv.slice(lead);
    const object = args[0];
    if (object === undefined || object === 'help') {
      ctx.stderr.write(USAGE + '\n');
      return 255; // usage() ends with exit(-1), for `ip help` as for a bare `ip`
    }
    let ns: Netns;
    if (opts.netns !== undefined) {
      const target = netnsByName(ctx.env.sim.state, ctx.env.location, opts.netns);
      if (!target) throw new CommandError('NOT_FOUND', `Cannot open network namespace "${opts.netns}": No such file or directory`, 255);
      ns = target;
    }
    if (object.length >= 2 && matches(object, 'netns')) return netns(ctx, args.slice(1));
    // What the node agents last wrote (kube-ipvs0's addresses, Calico's routes), as of now.
    ctx.env.sim.syncDaemons();
    ns ??= nsOf(ctx);
    const rest = args.slice(1);
    // Counters (`ip -s link`) are modelled for neighbours only (and `ip -s neigh flush`'s rounds).
    if (opts.stats && !(matches(object, 'neighbour') || matches(object, 'neighbor'))) {
      throw new CommandError('UNSUPPORTED', `Option "${opts.statsWord}" is unknown or not supported in this sandbox, try "ip -help".`, 255);
    }
    if (matches(object, 'link')) return link(ctx, ns, rest, opts);
    if (matches(object, 'address')) return address(ctx, ns, rest, opts);
    if (matches(object, 'route')) return route(ctx, ns, rest, opts);
    if (matches(object, 'neighbour') || matches(object, 'neighbor')) return neigh(ctx, ns, rest, opts);
    if (matches(object, 'rule') || matches(object, 'maddress') || matches(object, 'monitor') || matches(object, 'tunnel') || matches(object, 'xfrm') || matches(object, 'nexthop') || matches(object, 'tuntap') || matches(object, 'ntable') || matches(object, 'mroute') || matches(object, 'vrf')) {
      throw unsupported(`ip ${object}`);
    }
    throw new CommandError('USAGE', `Object "${object}" is unknown, try "ip help".`, 255);
  },
  complete(req) {
    if (req.words.length === 1) return ['address', 'link', 'neighbour', 'netns', 'route'];
    if (req.words[1] === 'netns') {
      if (req.words.length === 2) return ['list', 'add', 'delete', 'exec', 'identify', 'pids'];
      if (['exec', 'delete', 'pids'].includes(req.words[2]!) && req.words.length === 3) return mountedNamespaces(req.env.sim.state, req.env.location).map((n) => n.name);
      return [];
    }
    if (req.words.length === 2) {
      if (req.words[1] === 'link') return ['add', 'set', 'delete', 'show'];
      if (req.words[1] === 'route') return ['add', 'del', 'replace', 'get', 'flush', 'show'];
      if (req.words[1] === 'address' || req.words[1] === 'addr') return ['add', 'del', 'flush', 'show'];
      if (req.words[1] === 'neighbour' || req.words[1] === 'neigh') return ['add', 'del', 'replace', 'flush', 'show'];
    }
    return ['show', 'dev'];
  },
};

/** `ip link show|list` selectors: `[dev] NAME`, `type KIND`, `up`. */
function pickLinks(ns: Netns, args: string[]): Device[] {
  let devName: string | undefined;
  let typeFilter: ((d: Device) => boolean) | undefined;
  let upOnly = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'type') {
      const kind = args[++i];
      if (kind === undefined) throw new CommandError('USAGE', 'Command line is not complete. Try option "help"', 255);
      typeFilter = LINK_TYPES[kind] ?? (() => false);
    } else if (a === 'up') upOnly = true;
    else if (a === 'dev') devName = args[++i];
    else if (['master', 'vrf', 'group', 'label', 'scope', 'to', 'nomaster'].includes(a)) throw unsupported(`ip link show ${a}`);
    else devName = a;
  }
  let devices = [...ns.devices].sort((a, b) => a.ifindex - b.ifindex);
  if (devName !== undefined) {
    const d = ns.devices.find((x) => x.name === devName);
    if (!d) throw new CommandError('NOT_FOUND', `Device "${devName}" does not exist.`);
    devices = [d];
  }
  if (typeFilter) devices = devices.filter(typeFilter);
  if (upOnly) devices = devices.filter((d) => d.up);
  return devices;
}

function link(ctx: CommandContext, ns: Netns, args: string[], opts: Options): number {
  const cmd = args[0] === undefined ? 'show' : linkCommand(args[0]);
  if (cmd === 'add') return linkAdd(ctx, ns, args.slice(1));
  if (cmd === 'set') return linkSet(ctx, ns, args.slice(1));
  if (cmd === 'delete') return linkDelete(ctx, ns, args.slice(1));
  if (cmd === 'help') {
    ctx.stderr.write(LINK_USAGE + '\n');
    return 255;
  }
  // A bare device name lists that device (`ip link eth0` is not iproute2's, but `ip link show eth0` is).
  const selectors = cmd === 'show' ? args.slice(args[0] === undefined ? 0 : 1) : undefined;
  if (!selectors) throw new CommandError('USAGE', `Command "${args[0]}" is unknown, try "ip link help".`, 255);
  const state = ctx.env.sim.state;
  const now = ctx.env.sim.clock.now();
  const links = pickLinks(ns, selectors);
  if (opts.brief) {
    ctx.stdout.write(links.map((d) => briefLink(state.netns, ns, d) + '\n').join(''));
    return 0;
  }
  ctx.stdout.write(links.flatMap((d) => linkHeader(ns, d, state, { mode: true, details: opts.details, now })).map((l) => l + '\n').join(''));
  return 0;
}

function address(ctx: CommandContext, ns: Netns, args: string[], opts: Options): number {
  const sub = args[0];
  if (sub !== undefined && matches(sub, 'add')) return addrModify(ctx, ns, 'add', args.slice(1));
  if (sub !== undefined && matches(sub, 'delete')) return addrModify(ctx, ns, 'del', args.slice(1));
  if (sub !== undefined && matches(sub, 'flush')) return addrFlush(ctx, ns, args.slice(1), opts.inet4Only);
  if (sub !== undefined && matches(sub, 'help')) {
    ctx.stderr.write(ADDR_USAGE + '\n');
    return 255;
  }
  if (sub !== undefined && (sub === 'change' || sub === 'replace')) throw unsupported(`ip address ${sub}`);
  const isShow = sub === undefined || matches(sub, 'show') || matches(sub, 'list') || sub === 'lst';
  if (!isShow && !ns.devices.some((d) => d.name === sub) && sub !== 'dev' && sub !== 'type' && sub !== 'up') {
    throw new CommandError('USAGE', `Command "${sub}" is unknown, try "ip address help".`, 255);
  }
  const state = ctx.env.sim.state;
  const nets = state.netns;
  const devices = pickLinks(ns, isShow && sub !== undefined ? args.slice(1) : args);
  if (opts.brief) {
    const lines = devices.filter((d) => !opts.inet4Only || d.addrs.length > 0).map((d) => briefAddr(nets, ns, d, opts.inet4Only));
    ctx.stdout.write(lines.map((l) => l + '\n').join(''));
    return 0;
  }
  // `ip -4 addr`: only devices with an IPv4 address, without their link/ether line.
  const lines = devices
    .filter((d) => !opts.inet4Only || d.addrs.length > 0)
    .flatMap((d) => {
      const head = linkHeader(ns, d, state, { details: opts.details, now: ctx.env.sim.clock.now() });
      return [...(opts.inet4Only ? head.slice(0, 1) : head), ...addrLines(d), ...(opts.inet4Only ? [] : inet6Lines(nets, ns, d))];
    });
  ctx.stdout.write(lines.map((l) => l + '\n').join(''));
  return 0;
}

function route(ctx: CommandContext, ns: Netns, args: string[], opts: Options): number {
  const sub = args[0];
  const rest = args.slice(1);
  if (sub === undefined) return routeShow(ctx, ns, [], opts.details);
  if (matches(sub, 'get')) return routeGet(ctx, ns, rest);
  if (matches(sub, 'add')) return routeOrUsage(ctx, () => routeModify(ctx, ns, 'add', rest), rest);
  if (matches(sub, 'delete')) return routeOrUsage(ctx, () => routeModify(ctx, ns, 'del', rest), rest);
  if (matches(sub, 'change')) return routeOrUsage(ctx, () => routeModify(ctx, ns, 'change', rest), rest);
  if (matches(sub, 'replace')) return routeOrUsage(ctx, () => routeModify(ctx, ns, 'replace', rest), rest);
  if (matches(sub, 'append')) return routeOrUsage(ctx, () => routeModify(ctx, ns, 'append', rest), rest);
  if (matches(sub, 'prepend')) return routeOrUsage(ctx, () => routeModify(ctx, ns, 'prepend', rest), rest);
  if (matches(sub, 'flush')) return routeFlush(ctx, ns, rest);
  if (matches(sub, 'show') || matches(sub, 'list') || sub === 'lst') return routeShow(ctx, ns, rest, opts.details);
  if (matches(sub, 'help')) {
    ctx.stderr.write(ROUTE_USAGE + '\n');
    return 255;
  }
  if (['save', 'restore', 'showdump', 'test'].some((c) => matches(sub, c))) throw unsupported(`ip route ${sub}`);
  // A selector without `show` lists too (`ip route dev eth0`, `ip route 10.0.0.0/24`).
  if (sub === 'dev' || sub === 'proto' || sub === 'via' || sub === 'root' || sub === 'match' || sub === 'exact' || sub === 'table' || /^[\d.]+(\/\d+)?$/.test(sub) || sub === 'default') return routeShow(ctx, ns, args, opts.details);
  throw new CommandError('USAGE', `Command "${sub}" is unknown, try "ip route help".`, 255);
}

/** `ip route add` with no prefix at all prints the usage, status 255. */
function routeOrUsage(ctx: CommandContext, run: () => number, rest: string[]): number {
  const words = new Set(['via', 'dev', 'src', 'metric', 'proto', 'scope', 'onlink', 'table', 'oif', 'priority', 'protocol']);
  let hasPrefix = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (words.has(a)) {
      if (a !== 'onlink') i++;
      continue;
    }
    hasPrefix = true;
  }
  if (!hasPrefix) {
    ctx.stderr.write(ROUTE_USAGE + '\n');
    return 255;
  }
  return run();
}

function neigh(ctx: CommandContext, ns: Netns, args: string[], opts: Options): number {
  const sub = args[0];
  const rest = args.slice(1);
  if (sub !== undefined) {
    if (matches(sub, 'add')) return neighModify(ctx, ns, 'add', rest);
    if (matches(sub, 'delete')) return neighModify(ctx, ns, 'del', rest);
    if (matches(sub, 'change') || sub === 'chg') return neighModify(ctx, ns, 'change', rest);
    if (matches(sub, 'replace')) return neighModify(ctx, ns, 'replace', rest);
    if (matches(sub, 'flush')) return neighFlush(ctx, ns, rest, opts.stats);
    if (matches(sub, 'help')) {
      ctx.stderr.write(NEIGH_USAGE + '\n');
      return 255;
    }
  }
  const isShow = sub === undefined || matches(sub, 'show') || matches(sub, 'list') || sub === 'lst';
  if (!isShow && sub !== 'dev') throw new CommandError('USAGE', `Command "${sub}" is unknown, try "ip neigh help".`, 255);
  return neighShow(ctx, ns, isShow && sub !== undefined ? rest : args, { stats: opts.stats, brief: opts.brief });
}

/** iproute2's `nud` names: permanent, reachable and failed may be abbreviated, the others not. */
const NUD_NAMES: [string, NudState | 'none' | 'all', boolean][] = [
  ['permanent', 'PERMANENT', true],
  ['reachable', 'REACHABLE', true],
  ['noarp', 'NOARP', false],
  ['none', 'none', false],
  ['stale', 'STALE', false],
  ['incomplete', 'INCOMPLETE', false],
  ['delay', 'DELAY', false],
  ['probe', 'PROBE', false],
  ['failed', 'FAILED', true],
  ['all', 'all', false],
];

/** A neighbour's cache times as `ip -s neigh` prints them: seconds since used/confirmed/updated. */
function neighTimes(n: Neighbour, now: number, origin: number): string {
  const s = (t: number | undefined): number => Math.max(0, Math.floor((now - (t ?? origin)) / 1000));
  return `${s(n.used)}/${s(n.confirmed)}/${s(n.updated)}`;
}

/**
 * One entry as iproute2 6.1 prints it: `ADDR [dev DEV] [lladdr MAC] STATE ` (the address only
 * while it is valid, so not for INCOMPLETE or FAILED); with `-s`, ` ref 1` while a timer runs,
 * ` used U/C/A` and `probes N ` before the state; `-br` prints the brief columns instead.
 * busybox's ip prints the statistics always and ends the line at the state.
 */
export function neighLine(n: Neighbour, o: { now: number; origin: number; dev: boolean; stats: boolean; brief?: boolean; busybox?: boolean }): string {
  const valid = isValid(n.state);
  if (o.brief) return `${formatIp(n.ip).padEnd(39)} ${o.dev ? `${n.dev.padEnd(16)} ` : ''}${valid ? n.mac : ''}`;
  let line = `${formatIp(n.ip)} ${o.dev ? `dev ${n.dev} ` : ''}${valid ? `lladdr ${n.mac}${o.busybox ? '' : ' '}` : ''}`;
  if (o.busybox) return `${line}${inTimer(n.state) ? ' ref 1' : ''} used ${neighTimes(n, o.now, o.origin)} probes ${n.probes ?? 0} ${n.state}`;
  if (o.stats) line += `${inTimer(n.state) ? ' ref 1' : ''} used ${neighTimes(n, o.now, o.origin)}probes ${n.probes ?? 0} `;
  return `${line}${n.state} `;
}

/** `ip neigh [show] [to PREFIX | PREFIX] [dev DEV] [nud STATE] [unused] [proxy]`. */
function neighShow(ctx: CommandContext, ns: Netns, args: string[], o: { stats: boolean; brief: boolean }): number {
  const incomplete = (): never => {
    throw new CommandError('USAGE', 'Command line is not complete. Try option "help"', 255);
  };
  let dev: string | undefined;
  let states: Set<string> | undefined;
  let prefix: { addr: number; len: number } | undefined;
  let unused = false;
  let proxy = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'dev') {
      const v = args[++i] ?? incomplete();
      if (dev !== undefined) throw new CommandError('USAGE', `Error: duplicate "dev": "${v}" is the second value.`, 255);
      dev = v;
    } else if (a === 'nud') {
      const v = args[++i] ?? incomplete();
      const hit = NUD_NAMES.find(([name, , abbrev]) => (abbrev ? v.length > 0 && name.startsWith(v) : name === v));
      if (!hit) throw new CommandError('USAGE', `Error: argument "${v}" is wrong: nud state is bad`, 255);
      states ??= new Set();
      if (hit[1] === 'all') for (const [, st] of NUD_NAMES) states.add(st);
      else states.add(hit[1]);
    } else if (a === 'unused') unused = true;
    else if (a === 'proxy') proxy = true;
    else if (['vrf', 'master', 'nomaster', 'protocol'].includes(a)) {
      throw new CommandError('UNSUPPORTED', `ip neigh show: "${a}" is not supported in this sandbox`, 255);
    } else {
      const text = a === 'to' ? (args[++i] ?? incomplete()) : a;
      if (text === 'default' || text === 'all' || text === 'any') prefix = undefined;
      else {
        const p = neighPrefix(text);
        if (!p) throw new CommandError('USAGE', `Error: any valid prefix is expected rather than "${text}".`, 1);
        prefix = p;
      }
    }
  }
  if (dev !== undefined && !ns.devices.some((d) => d.name === dev)) throw new CommandError('NOT_FOUND', `Cannot find device "${dev}"`, 1);
  const sim = ctx.env.sim;
  const now = sim.clock.now();
  const shown = (n: Neighbour): boolean => {
    if (dev !== undefined && n.dev !== dev) return false;
    // The default filter leaves NOARP entries out; `nud all` shows them.
    if (states ? !states.has(n.state) : n.state === 'NOARP') return false;
    if (unused && inTimer(n.state)) return false;
    return !prefix || prefix.len === 0 || (n.ip ^ prefix.addr) >>> (32 - prefix.len) === 0;
  };
  // Proxy entries (`ip neigh add proxy`) are a table of their own, and the sandbox has none.
  const table = proxy ? [] : neighbourTable(sim.state, ns.id, now);
  const lines = table.filter(shown).map((n) => neighLine(n, { now, origin: sim.state.createdAt, dev: dev === undefined, stats: o.stats, brief: o.brief }));
  ctx.stdout.write(lines.map((l) => l + '\n').join(''));
  return 0;
}

/** get_prefix: a dotted address of one to four parts (the rest zero), with an optional /LEN. */
function neighPrefix(text: string): { addr: number; len: number } | undefined {
  const [addrText, lenText] = text.split('/', 2) as [string, string | undefined];
  const parts = addrText.split('.');
  if (parts.length > 4 || parts.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
  const addr = parts.reduce((acc, x, i) => acc + Number(x) * 2 ** (8 * (3 - i)), 0) >>> 0;
  if (lenText === undefined) return { addr, len: 32 };
  if (!/^\d+$/.test(lenText) || Number(lenText) > 32) return undefined;
  return { addr, len: Number(lenText) };
}
