/**
 * The main routing table a root shell changes: `ip route add|replace|change|append|del|flush`.
 *
 * Design notes: as fib_create_info and fib_table_insert/delete check. A route is known by its
 * prefix and metric: `add` refuses a second one ("File exists") whatever its next hop, `replace`
 * changes it or adds it, `change` only changes one that exists ("No such file or directory"),
 * `append` adds another. The prefix must have no host bits ("Invalid prefix for given prefix
 * length"); `src` must be a local address ("Invalid prefsrc address"); a device-only route
 * needs its device up ("Device for nexthop is not up"). A gateway must be reachable without a
 * gateway itself: a route to it through a device (its connected route, a scope link route) or
 * one of the machine's own addresses, on the device given if one is ("Nexthop has invalid
 * gateway"); `onlink` skips that check but wants the device up ("Nexthop device is not up").
 * `del` removes the first route that matches every field given ("No such process"). Routes
 * `ip route add` makes are `proto boot`, which iproute2 does not print; a device-only route
 * has scope link. The kernel's own prefix routes are `proto kernel`.
 * A namespace that holds routes through a mesh (mesh.ts: flannel's) sees them as its own here,
 * and leaves the mesh (copy-on-write) before any change goes through, so the change is its
 * own; the other members keep theirs.
 * Left out: multipath, `unreachable`/`prohibit`/`throw` routes, tables other than main, tos,
 * route metrics other than the priority, IPv6.
 */
import { contains, maskOf, type Cidr, type Ip } from '../ipv4';
import { leaveMesh, type MeshHolder } from '../mesh';
import { deviceByName, isLocal, routesOf, type Device, type Netns, type Route } from '../netns';
import { refuse, type KernelError } from './errors';

export interface RouteSpec {
  dst: Cidr;
  via?: Ip;
  dev?: string;
  src?: Ip;
  onlink?: boolean;
  metric?: number;
  proto?: string;
  scope?: 'link' | 'host' | 'global';
  type?: 'unicast' | 'blackhole';
}

export type RouteMode = 'add' | 'replace' | 'change' | 'append' | 'prepend';

const sameKey = (r: Route, dst: Cidr, metric: number): boolean => r.dst.addr === dst.addr && r.dst.len === dst.len && (r.metric ?? 0) === metric;

/** The device a gateway is reached through without another gateway, if any (fib_check_nh_v4_gw). */
function gatewayDevice(ns: Netns, gw: Ip, dev: Device | undefined, shared: MeshHolder | undefined): Device | undefined {
  for (const d of ns.devices) {
    if (d.addrs.some((a) => a.ip === gw) && (!dev || dev === d)) return d;
  }
  let best: Route | undefined;
  for (const r of routesOf(ns, shared)) {
    if (r.type === 'blackhole' || r.via !== undefined || !contains(r.dst, gw)) continue;
    if (best && best.dst.len >= r.dst.len) continue;
    best = r;
  }
  if (!best) return undefined;
  const d = deviceByName(ns, best.dev);
  if (!d || !d.up || (dev && d !== dev)) return undefined;
  return d;
}

/** Builds the route a spec describes, or says why the kernel refuses it. */
function build(ns: Netns, spec: RouteSpec, shared: MeshHolder | undefined): Route | KernelError {
  if ((spec.dst.addr & ~maskOf(spec.dst.len)) >>> 0 !== 0) return refuse('EINVAL', 'Invalid prefix for given prefix length');
  const dev = spec.dev !== undefined ? deviceByName(ns, spec.dev) : undefined;
  const route: Route = { dst: spec.dst, dev: '' };
  if (spec.type === 'blackhole') {
    route.type = 'blackhole';
  } else if (spec.via !== undefined) {
    if (spec.onlink) {
      if (!dev) return refuse('EINVAL', 'Nexthop device required for onlink');
      if (!dev.up) return refuse('ENETDOWN', 'Nexthop device is not up');
      route.dev = dev.name;
      route.onlink = true;
    } else {
      const out = gatewayDevice(ns, spec.via, dev, shared);
      if (!out) return refuse('EINVAL', 'Nexthop has invalid gateway');
      route.dev = out.name;
    }
    route.via = spec.via;
  } else {
    if (!dev) return refuse('ENODEV');
    if (!dev.up) return refuse('ENETDOWN', 'Device for nexthop is not up');
    route.dev = dev.name;
  }
  if (spec.src !== undefined) {
    if (!isLocal(ns, spec.src)) return refuse('EINVAL', 'Invalid prefsrc address');
    route.src = spec.src;
  }
  if (spec.proto !== undefined && spec.proto !== 'boot') route.proto = spec.proto;
  const scope = spec.scope ?? (route.type !== 'blackhole' && route.via === undefined ? 'link' : 'global');
  if (scope !== 'global') route.scope = scope;
  if (spec.metric) route.metric = spec.metric;
  return route;
}

/** `ip route add|replace|change|append DST ...`; `shared`, the sandbox state, for a mesh's routes. */
export function putRoute(ns: Netns, spec: RouteSpec, mode: RouteMode, shared?: MeshHolder): KernelError | undefined {
  const built = build(ns, spec, shared);
  if ('errno' in built) return built;
  const metric = spec.metric ?? 0;
  const i = routesOf(ns, shared).findIndex((r) => sameKey(r, spec.dst, metric));
  if (mode === 'add' && i >= 0) return refuse('EEXIST');
  if (mode === 'change' && i < 0) return refuse('ENOENT');
  // The table the namespace leaves the mesh with lists its routes in the same order.
  leaveMesh(ns, shared);
  if ((mode === 'replace' || mode === 'change') && i >= 0) ns.routes[i] = built;
  else if (mode === 'prepend' && i >= 0) ns.routes.splice(i, 0, built);
  else ns.routes.push(built);
  return undefined;
}

/** `ip route del DST [via GW] [dev DEV] ...`: the first route (lowest metric) matching every field given. */
export function deleteRoute(ns: Netns, spec: RouteSpec, shared?: MeshHolder): KernelError | undefined {
  const order = routesOf(ns, shared).map((r, i) => ({ r, i })).sort((a, b) => (a.r.metric ?? 0) - (b.r.metric ?? 0));
  const i = order.find(
    ({ r }) =>
      r.dst.addr === spec.dst.addr &&
      r.dst.len === spec.dst.len &&
      (spec.metric === undefined || (r.metric ?? 0) === spec.metric) &&
      (spec.via === undefined || r.via === spec.via) &&
      (spec.dev === undefined || r.dev === spec.dev) &&
      (spec.type === undefined || (r.type ?? 'unicast') === spec.type) &&
      (spec.proto === undefined || (r.proto ?? 'boot') === spec.proto),
  )?.i;
  if (i === undefined) return refuse('ESRCH');
  leaveMesh(ns, shared);
  ns.routes.splice(i, 1);
  return undefined;
}

export interface RouteSelector {
  dev?: string;
  /** `root P` (routes inside P), `match P` (routes covering P), `exact P` or a bare prefix (P only). */
  prefix?: { cidr: Cidr; mode: 'root' | 'match' | 'exact' };
  proto?: string;
  via?: Ip;
}

/** `ip route flush SELECTOR`: every route of the main table the selector picks; how many went. */
export function flushRoutes(ns: Netns, sel: RouteSelector, shared?: MeshHolder): number {
  if (!routesOf(ns, shared).some((r) => routeMatches(r, sel))) return 0;
  leaveMesh(ns, shared);
  const before = ns.routes.length;
  ns.routes = ns.routes.filter((r) => !routeMatches(r, sel));
  return before - ns.routes.length;
}

export function routeMatches(r: Route, sel: RouteSelector): boolean {
  if (sel.dev !== undefined && (r.type === 'blackhole' || r.dev !== sel.dev)) return false;
  if (sel.proto !== undefined && (r.proto ?? 'boot') !== sel.proto) return false;
  if (sel.via !== undefined && r.via !== sel.via) return false;
  if (sel.prefix) {
    const p = sel.prefix.cidr;
    if (sel.prefix.mode === 'exact') return r.dst.addr === p.addr && r.dst.len === p.len;
    // `root P`: routes inside P; `match P`: routes that P is inside of.
    if (sel.prefix.mode === 'root') return r.dst.len >= p.len && contains(p, r.dst.addr);
    return r.dst.len <= p.len && contains(r.dst, p.addr);
  }
  return true;
}
