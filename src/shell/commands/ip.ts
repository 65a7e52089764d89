/**
 * `ip` (iproute2) on a node, the workstation and in netshoot pods: `ip addr`, `ip link`,
 * `ip route`, `ip neigh`, and on a node `ip netns`.
 *
 * Design notes: the layout is iproute2's (docs/reference/fidelity.md 5.1-5.3): `N: name[@ifM]: <FLAGS> mtu
 * ... qdisc ... [master br] state ... group default [qlen 1000]` where every `word value`
 * pair is followed by a space (so a line without qlen ends in a space, as on a real node),
 * `link/ether MAC brd ff:ff:ff:ff:ff:ff [link-netns NAME | link-netnsid N]`, `inet A/L [brd B]
 * scope S NAME` and its `valid_lft forever preferred_lft forever` line. A bridge without ports
 * has NO-CARRIER and state DOWN, and its connected route says `linkdown`. Routes print in the
 * kernel's order: default first, then by prefix. Object names may be abbreviated as iproute2
 * allows (`ip a`, `ip r`, `ip n`, `ip addr show dev eth0`). The printers are shared with
 * busybox's `ip` applet (busybox-net.ts), which differs only in details.
 * `ip route get ADDR` asks the kernel which route a packet to ADDR takes: `ADDR [via GW] dev
 * DEV src SRC uid UID` and a `cache` line, `local ... dev lo` for one of the machine's own
 * addresses (`cache <local>`), `broadcast` for a connected subnet's broadcast address
 * (`cache <local,brd>`), and the path MTU learned from "fragmentation needed" as `cache
 * expires 599sec mtu 1400` (netns.ts); no route is `RTNETLINK answers: Network is
 * unreachable`, status 2. The learner is uid 1000 on the workstation, root (0) elsewhere.
 * `ip netns` lists the pod network namespaces containerd mounted under /run/netns
 * (`cni-<uuid>`, the same names `ip link` shows as `link-netns`), oldest first as a tmpfs
 * directory lists them on current kernels, each with the id the node's namespace gave it
 * (`(id: N)`); `ip netns exec NAME CMD...` runs one of the node's programs inside that
 * namespace, with its exit status.
 * A veth's peer namespace shows as `link-netns NAME` when it is mounted under /run/netns
 * (a Kubernetes node's `cni-...`) and as `link-netnsid N` otherwise: Docker's namespaces (under
 * /var/run/docker/netns) and the root namespace seen from inside a pod or container.
 * `ip -br link|addr` prints iproute2's brief columns (name with `@ifN` padded to 16, state to
 * 14); `ip link show type veth|bridge|vxlan|dummy` lists links of that kind (another kind:
 * nothing, as iproute2 prints for a kind no link has); `ip link` adds `mode DEFAULT`; under
 * `dev NAME`, `ip route` and `ip neigh` leave their `dev` column out.
 * `ip neigh` shows the neighbour table as it stands now (neigh.ts ages it): `ADDR dev DEV
 * lladdr MAC STATE ` with no address for INCOMPLETE and FAILED entries and NOARP ones left out
 * unless `nud noarp` or `nud all` asks; `ip -s neigh` adds ` ref 1` while the entry's timer
 * runs and ` used U/C/A` (seconds since used, confirmed, updated) glued to `probes N `, as
 * iproute2 6.1 prints them; `ip -br neigh` prints its columns; `to PREFIX`, `dev`, `nud`,
 * `unused` and `proxy` filter. Entries are listed in the order they were made (the kernel
 * walks its hash table).
 * Left out: IPv6 addresses (the sandbox has none), `ip -s` for anything but neighbours,
 * `ip -d`, `ip route get` with `from`, `iif`, `oif` or `mark`, changing anything (`ip route
 * add`, `ip netns add`...). Namespace ids are numbered in creation order among the pods or containers now on
 * the machine (a real kernel keeps an id when an older one goes, and gives a new one the
 * lowest free id).
 */
import type { Command, CommandContext, Location } from '../command';
import { CommandError } from '../errors';
import { formatIp, parseIp } from '../../sim/ipv4';
import { cachedPmtu, isLocal, lookupRoute, sourceFor, type Device, type Neighbour, type Netns, type NudState, type Route } from '../../sim/netns';
import { neighbourTable } from '../../sim/forward';
import { inTimer, isValid } from '../../sim/neigh';
import type { SimState } from '../../sim/state';
import { nsIdOf } from '../resolver';

const USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { address | link | neighbour | netns | route }
       OPTIONS := { -4 | -o[neline] }
(This sandbox supports showing addresses, links, routes, neighbours and namespaces.)`;

/** The network namespace the command's location uses (a pod's own, or its node's with hostNetwork). */
export function nsOf(ctx: CommandContext, tool = 'ip'): Netns {
  const ns = ctx.env.sim.state.netns[nsIdOf(ctx.env)];
  if (!ns) throw new CommandError('NOT_FOUND', `${tool}: this machine is outside the simulated network`);
  return ns;
}

export function hasCarrier(ns: Netns, d: Device): boolean {
  if (d.kind === 'bridge') return ns.devices.some((p) => p.master === d.name && p.up);
  return d.up;
}

/** The words iproute2 prints for a link: its state (`UP`, `DOWN`, `UNKNOWN`) and flags. */
function linkState(ns: Netns, d: Device): { flags: string[]; state: string } {
  const carrier = hasCarrier(ns, d);
  const flags = d.kind === 'loopback' ? ['LOOPBACK'] : ['BROADCAST', 'MULTICAST'];
  const up = d.up ? (carrier ? ['UP', 'LOWER_UP'] : ['UP']) : [];
  const all = d.up && !carrier ? ['NO-CARRIER', ...flags, ...up] : [...flags, ...up];
  const state = !d.up ? 'DOWN' : d.kind === 'loopback' || d.kind === 'vxlan' || d.kind === 'dummy' ? 'UNKNOWN' : carrier ? 'UP' : 'DOWN';
  return { flags: all, state };
}

/**
 * A link's first two lines as `ip link` and `ip addr` print them; `mode` adds the link mode
 * (`mode DEFAULT`), which `ip link` prints and `ip addr` leaves out.
 */
export function linkHeader(ns: Netns, d: Device, state: { netns: Record<string, Netns> }, mode = false): string[] {
  const { flags: all, state: stateText } = linkState(ns, d);
  const peer = d.peer ? `@if${d.peer.ifindex}` : '';
  const qdisc = d.kind === 'ether' ? 'fq_codel' : d.kind === 'dummy' ? 'noqueue' : 'noqueue';
  const qlen = d.kind === 'vxlan' || d.kind === 'dummy' ? '' : 'qlen 1000';
  const first = `${d.ifindex}: ${d.name}${peer}: <${all.join(',')}> mtu ${d.mtu} qdisc ${qdisc} ${d.master ? `master ${d.master} ` : ''}state ${stateText} ${mode ? 'mode DEFAULT ' : ''}group default ${qlen}`;
  let link: string;
  if (d.kind === 'loopback') link = '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00';
  else {
    link = `    link/ether ${d.mac} brd ff:ff:ff:ff:ff:ff`;
    if (d.peer) {
      // iproute2 names the peer namespace when it is mounted under /run/netns (containerd's
      // cni-<uuid>); Docker keeps its own under /var/run/docker/netns, so there only the id shows.
      const other = state.netns[d.peer.ns];
      link += other && mountedInRunNetns(other) ? ` link-netns ${other.name}` : ` link-netnsid ${peerNetnsIds(ns, state).get(d.peer.ns) ?? 0}`;
    }
  }
  return [first, link];
}

/** `ip -br link`: name (with `@ifN`), state, MAC and flags, in iproute2's brief columns. */
function briefLink(ns: Netns, d: Device): string {
  const { flags, state } = linkState(ns, d);
  return `${`${d.name}${d.peer ? `@if${d.peer.ifindex}` : ''}`.padEnd(16)} ${state.padEnd(14)} ${d.mac} <${flags.join(',')}> `;
}

/** `ip -br addr`: name (with `@ifN`), state and each address as ADDR/LEN. */
function briefAddr(ns: Netns, d: Device): string {
  const { state } = linkState(ns, d);
  return `${`${d.name}${d.peer ? `@if${d.peer.ifindex}` : ''}`.padEnd(16)} ${state.padEnd(14)} ${d.addrs.map((a) => `${formatIp(a.ip)}/${a.len} `).join('')}`;
}

/** `ip link show type T`: the kinds iproute2 can name that the sandbox has. */
const LINK_TYPES: Record<string, (d: Device) => boolean> = {
  veth: (d) => d.kind === 'veth' || (d.kind === 'ether' && d.peer !== undefined),
  bridge: (d) => d.kind === 'bridge',
  vxlan: (d) => d.kind === 'vxlan',
  dummy: (d) => d.kind === 'dummy',
};

/** A namespace `ip netns` can name: containerd's pod namespaces, bind-mounted as /run/netns/cni-<uuid>. */
function mountedInRunNetns(ns: Netns): boolean {
  return ns.name.startsWith('cni-');
}

/**
 * The ids namespace `ns` gave the other namespaces its veths lead to, in the order it made them
 * (the kernel allocates one when a veth pair first spans the two): ordered by the local end's
 * interface index, so the first container or pod started is 0 and the root namespace, seen from
 * a pod or container, is 0.
 */
export function peerNetnsIds(ns: Netns, state: { netns: Record<string, Netns> }): Map<string, number> {
  const ids = new Map<string, number>();
  for (const d of [...ns.devices].sort((a, b) => a.ifindex - b.ifindex)) {
    if (d.peer && d.peer.ns !== ns.id && state.netns[d.peer.ns] && !ids.has(d.peer.ns)) ids.set(d.peer.ns, ids.size);
  }
  return ids;
}

export function addrLines(d: Device): string[] {
  const out: string[] = [];
  for (const a of d.addrs) {
    const scope = a.ip >>> 24 === 127 ? 'host' : 'global';
    out.push(`    inet ${formatIp(a.ip)}/${a.len} ${a.brd !== undefined ? `brd ${formatIp(a.brd)} ` : ''}scope ${scope} ${d.name}`);
    out.push('       valid_lft forever preferred_lft forever');
  }
  return out;
}

/** The kernel's dump order of the main table: default first, then by address, longer prefix first. */
export function routeOrder(a: Route, b: Route): number {
  if (a.dst.len === 0 || b.dst.len === 0) return a.dst.len === 0 ? (b.dst.len === 0 ? 0 : -1) : 1;
  return a.dst.addr - b.dst.addr || b.dst.len - a.dst.len;
}

/** One route as `ip route` prints it; under a `dev` filter iproute2 leaves the `dev` column out. */
function routeLine(ns: Netns, r: Route, showDev = true): string {
  const dst = r.dst.len === 0 ? 'default' : r.dst.len === 32 ? formatIp(r.dst.addr) : `${formatIp(r.dst.addr)}/${r.dst.len}`;
  if (r.type === 'blackhole') return `blackhole ${dst} `;
  const dev = ns.devices.find((d) => d.name === r.dev);
  const linkdown = dev && !hasCarrier(ns, dev) ? 'linkdown ' : '';
  return `${dst} ${r.via !== undefined ? `via ${formatIp(r.via)} ` : ''}${showDev ? `dev ${r.dev} ` : ''}${r.proto ? `proto ${r.proto} ` : ''}${r.scope ? `scope ${r.scope} ` : ''}${r.src !== undefined ? `src ${formatIp(r.src)} ` : ''}${r.onlink ? 'onlink ' : ''}${linkdown}`;
}

/** iproute2 accepts any prefix of an object or command name. */
export function matches(word: string, full: string, min = 1): boolean {
  return word.length >= min && full.startsWith(word);
}

export const ip: Command = {
  name: 'ip',
  summary: 'show addresses, links, routes and neighbours: ip addr | ip route | ip neigh',
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
    let lead = 1;
    let inet4Only = false;
    let brief = false;
    let stats: string | undefined;
    for (; ctx.argv[lead] !== undefined && ctx.argv[lead]!.startsWith('-'); lead++) {
      const o = ctx.argv[lead]!;
      if (o === '-4') inet4Only = true;
      else if (o.length >= 3 && matches(o.replace(/^--?/, ''), 'brief', 2)) brief = true;
      else if (isStatsOption(o)) stats = o;
      else throw new CommandError('UNSUPPORTED', `Option "${o}" is unknown or not supported in this sandbox, try "ip -help".`, 255);
    }
    const args = ctx.argv.slice(lead);
    const object = args[0];
    if (object === undefined || object === 'help') {
      ctx.stderr.write(USAGE + '\n');
      return 255; // usage() ends with exit(-1), for `ip help` as for a bare `ip`
    }
    if (object.length >= 2 && matches(object, 'netns')) return netns(ctx, args.slice(1));
    const ns = nsOf(ctx);
    if ((matches(object, 'neighbour') || matches(object, 'neighbor')) && (args[1] === undefined || ['show', 'lst', 'list'].some((v) => matches(args[1]!, v)))) {
      return neighShow(ctx, ns, args.slice(args[1] === undefined ? 1 : 2), { stats: stats !== undefined, brief });
    }
    // Counters (`ip -s link`) are shown for neighbours only.
    if (stats !== undefined) throw new CommandError('UNSUPPORTED', `Option "${stats}" is unknown or not supported in this sandbox, try "ip -help".`, 255);
    if (matches(object, 'route') && args[1] !== undefined && matches(args[1], 'get')) return routeGet(ctx, ns, args.slice(2));
    let rest = args.slice(1).filter((a) => a !== 'show' && a !== 'list' && a !== 'ls');
    if (args[1] !== undefined && !['show', 'list', 'ls', 'dev', 'type'].includes(args[1]) && !ns.devices.some((d) => d.name === args[1])) {
      throw new CommandError('UNSUPPORTED', `Command "${args[1]}" is unknown or not supported in this sandbox, try "ip ${object} help".`);
    }
    // `type T` (links and addresses): only links of that kind; an unknown kind lists nothing.
    let typeFilter: ((d: Device) => boolean) | undefined;
    const t = rest.indexOf('type');
    if (t >= 0 && (matches(object, 'link') || matches(object, 'address'))) {
      const kind = rest[t + 1];
      if (kind === undefined) throw new CommandError('USAGE', 'Command line is not complete. Try option "help"', 255);
      typeFilter = LINK_TYPES[kind] ?? (() => false);
      rest = [...rest.slice(0, t), ...rest.slice(t + 2)];
    }
    const devName = rest[0] === 'dev' ? rest[1] : rest[0];
    const pick = (): Device[] => {
      if (devName === undefined) return typeFilter ? ns.devices.filter(typeFilter) : ns.devices;
      const d = ns.devices.find((x) => x.name === devName);
      if (!d) throw new CommandError('NOT_FOUND', `Device "${devName}" does not exist.`);
      return [d];
    };
    const state = ctx.env.sim.state;
    if (brief && (matches(object, 'address') || matches(object, 'link'))) {
      const isAddr = matches(object, 'address');
      const lines = pick()
        .sort((a, b) => a.ifindex - b.ifindex)
        .filter((d) => !inet4Only || d.addrs.length > 0)
        .map((d) => (isAddr ? briefAddr(ns, d) : briefLink(ns, d)));
      ctx.stdout.write(lines.map((l) => l + '\n').join(''));
      return 0;
    }
    if (matches(object, 'address')) {
      // `ip -4 addr`: only devices with an IPv4 address, without their link/ether line.
      const lines = pick()
        .sort((a, b) => a.ifindex - b.ifindex)
        .filter((d) => !inet4Only || addrLines(d).length > 0)
        .flatMap((d) => [...(inet4Only ? linkHeader(ns, d, state).slice(0, 1) : linkHeader(ns, d, state)), ...addrLines(d)]);
      ctx.stdout.write(lines.map((l) => l + '\n').join(''));
      return 0;
    }
    if (matches(object, 'link')) {
      const links = pick().sort((a, b) => a.ifindex - b.ifindex);
      ctx.stdout.write(links.flatMap((d) => linkHeader(ns, d, state, true)).map((l) => l + '\n').join(''));
      return 0;
    }
    if (matches(object, 'route')) {
      const routes = [...ns.routes].sort(routeOrder).filter((r) => devName === undefined || r.dev === devName);
      ctx.stdout.write(routes.map((r) => routeLine(ns, r, devName === undefined) + '\n').join(''));
      return 0;
    }
    throw new CommandError('USAGE', `Object "${object}" is unknown, try "ip help".`, 255);
  },
  complete(req) {
    if (req.words.length === 1) return ['address', 'link', 'neighbour', 'netns', 'route'];
    if (req.words[1] === 'netns') {
      if (req.words.length === 2) return ['list', 'exec'];
      if (req.words[2] === 'exec' && req.words.length === 3) return podNamespaces(req.env.sim.state, req.env.location).map((n) => n.name);
      return [];
    }
    return ['show', 'dev'];
  },
};

// --------------------------------------------------------------------------- ip neigh show

/** `-s`, `-stats`, `-statistics` (ip.c matches any prefix of them). */
function isStatsOption(o: string): boolean {
  const bare = o.replace(/^--?/, '');
  return bare.length >= 1 && ('stats'.startsWith(bare) || 'statistics'.startsWith(bare));
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

/** `ip route get ADDR`: the route the kernel picks for a packet to ADDR, and what it has cached about it. */
function routeGet(ctx: CommandContext, ns: Netns, args: string[]): number {
  const words = args[0] === 'to' ? args.slice(1) : args;
  if (words.length === 0) throw new CommandError('USAGE', 'need at least a destination address', 1);
  if (words.length > 1) throw new CommandError('UNSUPPORTED', `ip route get: only a destination address is supported in this sandbox, not "${words.slice(1).join(' ')}"`, 1);
  const [addrText, lenText] = words[0]!.split('/', 2) as [string, string | undefined];
  const dst = parseIp(addrText);
  const len = lenText === undefined ? 32 : /^\d+$/.test(lenText) ? Number(lenText) : NaN;
  if (dst === undefined || !(len >= 0 && len <= 32)) throw new CommandError('USAGE', `Error: any valid prefix is expected rather than "${words[0]}".`, 1);
  if (len !== 32) ctx.stderr.write(`Warning: /${len} as prefix is invalid, only /32 (or none) is supported.\n`);
  const uid = ctx.env.location.kind === 'workstation' ? 1000 : 0;
  const a = formatIp(dst);
  if (isLocal(ns, dst)) {
    const src = dst >>> 24 === 127 ? 0x7f000001 : dst;
    ctx.stdout.write(`local ${a} dev lo src ${formatIp(src)} uid ${uid} \n    cache <local> \n`);
    return 0;
  }
  const route = lookupRoute(ns, dst);
  if (!route) throw new CommandError('EXEC_FAILED', 'RTNETLINK answers: Network is unreachable', 2);
  if (route.type === 'blackhole') throw new CommandError('EXEC_FAILED', 'RTNETLINK answers: Invalid argument', 2);
  const src = sourceFor(ns, route, dst);
  const srcText = src !== undefined ? `src ${formatIp(src)} ` : '';
  const dev = ns.devices.find((d) => d.name === route.dev);
  if (route.via === undefined && dev?.addrs.some((x) => x.brd === dst)) {
    ctx.stdout.write(`broadcast ${a} dev ${route.dev} ${srcText}uid ${uid} \n    cache <local,brd> \n`);
    return 0;
  }
  const now = ctx.env.sim.clock.now();
  const pmtu = cachedPmtu(ns, dst, now);
  // iproute2 prints the seconds left, rounded down (the kernel's clock has moved on a little).
  const cache = pmtu ? `expires ${Math.max(0, Math.floor((pmtu.expires - now - 1) / 1000))}sec mtu ${pmtu.locked ? 'lock ' : ''}${pmtu.mtu} ` : '';
  ctx.stdout.write(`${a} ${route.via !== undefined ? `via ${formatIp(route.via)} ` : ''}dev ${route.dev} ${srcText}uid ${uid} \n    cache ${cache}\n`);
  return 0;
}

const NETNS_USAGE = `Usage:	ip netns list
	ip netns add NAME
	ip netns attach NAME PID
	ip netns set NAME NETNSID
	ip [-all] netns delete [NAME]
	ip netns identify [PID]
	ip netns pids NAME
	ip [-all] netns exec [NAME] cmd ...
	ip netns monitor
	ip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT`;

/** The pod namespaces mounted on the node a location is on, in creation order, with their ids. */
export function podNamespaces(state: SimState, loc: Location): { name: string; id: string; nsid: number }[] {
  if (loc.kind !== 'node') return [];
  const root = state.netns[`node/${loc.node}`];
  if (!root) return [];
  // One host-side veth per pod namespace; its ifindex grows with each pod the node gets.
  const peers = root.devices.filter((d) => d.kind === 'veth' && d.peer && state.netns[d.peer.ns]?.name.startsWith('cni-')).sort((a, b) => a.ifindex - b.ifindex);
  return peers.map((d, i) => ({ name: state.netns[d.peer!.ns]!.name, id: d.peer!.ns, nsid: i }));
}

async function netns(ctx: CommandContext, args: string[]): Promise<number> {
  const sub = args[0] ?? 'list';
  const list = podNamespaces(ctx.env.sim.state, ctx.env.location);
  if (matches(sub, 'list') || sub === 'ls' || sub === 'show') {
    ctx.stdout.write(list.map((n) => `${n.name} (id: ${n.nsid})\n`).join(''));
    return 0;
  }
  if (matches(sub, 'exec')) {
    const name = args[1];
    if (name === undefined) throw new CommandError('USAGE', 'No netns name specified', 255);
    if (args.length < 3) throw new CommandError('USAGE', 'No command specified', 255);
    const target = list.find((n) => n.name === name);
    const loc = ctx.env.location;
    if (!target || loc.kind !== 'node') throw new CommandError('NOT_FOUND', `Cannot open network namespace "${name}": No such file or directory`, 255);
    const argv = args.slice(2);
    let run: Promise<number>;
    try {
      run = ctx.spawn({ kind: 'node', node: loc.node, ns: target.id }, argv, ctx.tty);
    } catch (e) {
      if (e instanceof CommandError && e.code === 'COMMAND_NOT_FOUND') {
        ctx.stderr.write(`exec of "${argv[0]}" failed: No such file or directory\n`);
        return 1;
      }
      throw e;
    }
    return run;
  }
  if (sub === 'help') {
    ctx.stderr.write(NETNS_USAGE + '\n');
    return 255;
  }
  if (['add', 'attach', 'set', 'delete', 'identify', 'pids', 'monitor', 'list-id'].some((c) => matches(sub, c))) {
    throw new CommandError('UNSUPPORTED', `ip netns ${sub}: this sandbox supports only "ip netns list" and "ip netns exec NAME CMD..."`, 255);
  }
  throw new CommandError('USAGE', `Command "${sub}" is unknown, try "ip netns help".`, 255);
}
