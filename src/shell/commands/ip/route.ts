/**
 * `ip route`: show (with selectors), add|replace|change|append|prepend|del, flush and get.
 *
 * Design notes: a route is `[unicast|blackhole] PREFIX|default [via GW] [dev DEV] [src IP]
 * [metric N] [proto P] [scope S] [onlink]` in iproute2's parser's words (`to` may come first;
 * `table main` is the only table). Show selectors: `dev DEV` (and iproute2 leaves the dev
 * column out), a prefix or `exact P` (exactly that one), `root P` (routes inside P), `match P`
 * (routes P is inside of), `proto P`, `via GW`. `flush` takes the same selectors and wants one ("\"ip route flush\" requires
 * arguments."). `get ADDR` asks which route a packet to ADDR takes: `ADDR [via GW] dev DEV src
 * SRC uid UID` and a `cache` line, `local ... dev lo` for one of the machine's own addresses
 * (`cache <local>`), `broadcast` for a connected subnet's broadcast address (`cache
 * <local,brd>`), the path MTU learned from "fragmentation needed" as `cache expires 599sec mtu
 * 1400`; no route is `RTNETLINK answers: Network is unreachable`, status 2. The learner is uid
 * 1000 on the workstation, root (0) elsewhere.
 * Left out: `unreachable`, `prohibit`, `throw`, `nat`, `local` and multipath routes, other
 * tables, `tos`, route metrics beyond the priority, `ip route get` with `from`, `iif`, `oif`
 * or `mark`, `ip route save|restore`.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { broadcast, formatIp, parseIp, type Cidr, type Ip } from '../../../sim/ipv4';
import { deleteRoute, flushRoutes, putRoute, routeMatches, type RouteMode, type RouteSelector, type RouteSpec } from '../../../sim/linux/route';
import { cachedPmtu, isLocal, lookupRoute, routesOf, sourceFor, type Netns } from '../../../sim/netns';
import { commit, findDevice, garbage, invarg, nextArg, parseAddress, parsePrefix, unsupported } from './common';
import { routeLine, routeOrder } from './show';

/** rt_protos names iproute2 prints for protocol numbers. */
const PROTOS: Record<string, string> = { '0': 'unspec', '1': 'redirect', '2': 'kernel', '3': 'boot', '4': 'static', '16': 'dhcp', '42': 'babel', '186': 'bgp' };
const PROTO_NAMES = new Set(['redirect', 'kernel', 'boot', 'static', 'gated', 'ra', 'mrt', 'zebra', 'bird', 'dnrouted', 'xorp', 'ntk', 'dhcp', 'keepalived', 'babel', 'openr', 'bgp', 'isis', 'ospf', 'rip', 'eigrp']);

function parseProto(text: string): string {
  if (PROTO_NAMES.has(text)) return text;
  if (/^\d+$/.test(text) && Number(text) < 256) return PROTOS[text] ?? text;
  throw invarg('"protocol" value is invalid\n', text);
}

/** The route words of add/del/replace/change. */
function parseRoute(ns: Netns, args: string[]): RouteSpec {
  let dst: Cidr | undefined;
  const spec: Partial<RouteSpec> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'via') spec.via = parseAddress(nextArg(args, i++));
    else if (a === 'dev' || a === 'oif') {
      const v = nextArg(args, i++);
      findDevice(ns, v);
      spec.dev = v;
    } else if (a === 'src') spec.src = parseAddress(nextArg(args, i++));
    else if (a === 'onlink') spec.onlink = true;
    else if (a === 'metric' || a === 'priority' || a === 'preference') {
      const v = nextArg(args, i++);
      if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw invarg('"metric" value is invalid\n', v);
      spec.metric = Number(v);
    } else if (a === 'proto' || a === 'protocol') spec.proto = parseProto(nextArg(args, i++));
    else if (a === 'scope') {
      const v = nextArg(args, i++);
      if (v === 'link' || v === 'host' || v === 'global') spec.scope = v;
      else if (v === 'universe') spec.scope = 'global';
      else throw invarg('invalid "scope" value\n', v);
    } else if (a === 'table') {
      const v = nextArg(args, i++);
      if (v !== 'main' && v !== '254') throw unsupported(`ip route table ${v}`);
    } else if (a === 'blackhole' || a === 'unicast') {
      if (dst !== undefined) throw garbage('to', a);
      if (a === 'blackhole') spec.type = 'blackhole';
    } else if (['unreachable', 'prohibit', 'throw', 'nat', 'local', 'broadcast', 'multicast', 'anycast'].includes(a) && dst === undefined) {
      throw unsupported(`${a} routes`);
    } else if (['nexthop', 'mtu', 'advmss', 'tos', 'dsfield', 'realm', 'realms', 'rtt', 'window', 'initcwnd', 'encap', 'expires', 'pref', 'from', 'nhid', 'congctl', 'features', 'quickack'].includes(a)) {
      throw unsupported(`ip route ${a}`);
    } else {
      const text = a === 'to' ? nextArg(args, i++) : a;
      if (dst !== undefined) throw garbage('to', text);
      dst = parsePrefix(text).cidr;
    }
  }
  if (dst === undefined) throw new CommandError('USAGE', 'Error: "to" is required.', 255);
  return { ...spec, dst };
}

/** `ip route add|replace|change|append|prepend|del ...`. */
export function routeModify(ctx: CommandContext, ns: Netns, verb: RouteMode | 'del', args: string[]): number {
  const spec = parseRoute(ns, args);
  const state = ctx.env.sim.state;
  if (verb === 'del') commit(ctx, () => deleteRoute(ns, spec, state));
  else commit(ctx, () => putRoute(ns, spec, verb, state));
  return 0;
}

/** The selector words of `ip route show|flush`. */
function parseSelector(ns: Netns, args: string[]): RouteSelector {
  const sel: RouteSelector = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'dev' || a === 'oif') {
      const v = nextArg(args, i++);
      findDevice(ns, v);
      sel.dev = v;
    } else if (a === 'proto' || a === 'protocol') sel.proto = parseProto(nextArg(args, i++));
    else if (a === 'via') sel.via = parseAddress(nextArg(args, i++));
    else if (a === 'root' || a === 'match' || a === 'exact') sel.prefix = { cidr: parsePrefix(nextArg(args, i++)).cidr, mode: a };
    else if (a === 'table') {
      const v = nextArg(args, i++);
      if (v !== 'main' && v !== '254') throw unsupported(`ip route table ${v}`);
    } else if (['scope', 'type', 'src', 'tos', 'cache', 'cloned', 'realm', 'realms', 'from', 'vrf'].includes(a)) throw unsupported(`ip route show ${a}`);
    else {
      const text = a === 'to' ? nextArg(args, i++) : a;
      const p = parsePrefix(text);
      sel.prefix = { cidr: p.cidr, mode: 'exact' };
    }
  }
  return sel;
}

/** `ip [-d] route [show|list] [SELECTOR]`. */
export function routeShow(ctx: CommandContext, ns: Netns, args: string[], details: boolean): number {
  const sel = parseSelector(ns, args);
  const nets = ctx.env.sim.state.netns;
  const routes = [...routesOf(ns, ctx.env.sim.state)].sort(routeOrder).filter((r) => routeMatches(r, sel));
  ctx.stdout.write(routes.map((r) => routeLine(nets, ns, r, sel.dev === undefined, details) + '\n').join(''));
  return 0;
}

/** `ip route flush SELECTOR`. */
export function routeFlush(ctx: CommandContext, ns: Netns, args: string[]): number {
  if (args.length === 0) throw new CommandError('USAGE', '"ip route flush" requires arguments.', 1);
  const sel = parseSelector(ns, args);
  const state = ctx.env.sim.state;
  if (!routesOf(ns, state).some((r) => routeMatches(r, sel))) return 0;
  commit(ctx, () => void flushRoutes(ns, sel, state));
  return 0;
}

/** `ip route get ADDR`: the route the kernel picks for a packet to ADDR, and what it has cached about it. */
export function routeGet(ctx: CommandContext, ns: Netns, args: string[]): number {
  const words = args[0] === 'to' ? args.slice(1) : args;
  if (words.length === 0) throw new CommandError('USAGE', 'need at least a destination address', 1);
  if (words.length > 1) throw new CommandError('UNSUPPORTED', `ip route get: only a destination address is supported in this sandbox, not "${words.slice(1).join(' ')}"`, 1);
  const [addrText, lenText] = words[0]!.split('/', 2) as [string, string | undefined];
  const dst: Ip | undefined = parseIp(addrText);
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
  const route = lookupRoute(ns, dst, ctx.env.sim.state);
  if (!route) throw new CommandError('EXEC_FAILED', 'RTNETLINK answers: Network is unreachable', 2);
  if (route.type === 'blackhole') throw new CommandError('EXEC_FAILED', 'RTNETLINK answers: Invalid argument', 2);
  const src = sourceFor(ns, route, dst);
  const srcText = src !== undefined ? `src ${formatIp(src)} ` : '';
  const dev = ns.devices.find((d) => d.name === route.dev);
  // The local table's broadcast routes: each primary address's subnet broadcast (below /31) and any `brd` given.
  if (route.via === undefined && dev?.addrs.some((x) => x.brd === dst || (!x.secondary && x.len < 31 && broadcast({ addr: x.ip, len: x.len }) === dst))) {
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
