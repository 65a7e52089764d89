/**
 * `ip` (iproute2) on a node: `ip addr`, `ip link`, `ip route`, `ip neigh`.
 *
 * Design notes: the layout is iproute2's (fidelity.md 5.1-5.3): `N: name[@ifM]: <FLAGS> mtu
 * ... qdisc ... [master br] state ... group default [qlen 1000]` where every `word value`
 * pair is followed by a space (so a line without qlen ends in a space, as on a real node),
 * `link/ether MAC brd ff:ff:ff:ff:ff:ff [link-netns NAME | link-netnsid N]`, `inet A/L [brd B]
 * scope S NAME` and its `valid_lft forever preferred_lft forever` line. A bridge without ports
 * has NO-CARRIER and state DOWN, and its connected route says `linkdown`. Routes print in the
 * kernel's order: default first, then by prefix. Object names may be abbreviated as iproute2
 * allows (`ip a`, `ip r`, `ip n`, `ip addr show dev eth0`).
 * Left out: IPv6 addresses (the sandbox has none), `ip -s`, `ip -d`, `ip -br`, changing
 * anything (`ip route add`...).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { formatIp } from '../../sim/ipv4';
import type { Device, Netns, Route } from '../../sim/netns';

const USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { address | link | neighbour | route }
       OPTIONS := { -4 | -o[neline] }
(This sandbox supports showing addresses, links, routes and neighbours.)`;

function nsOf(ctx: CommandContext): Netns {
  const loc = ctx.env.location;
  const id = loc.kind === 'node' ? loc.ns : loc.kind === 'pod' ? `pod/${loc.namespace}/${loc.pod}` : 'workstation';
  const ns = ctx.env.sim.state.netns[id];
  if (!ns) throw new CommandError('NOT_FOUND', 'ip: this machine is outside the simulated network');
  return ns;
}

function hasCarrier(ns: Netns, d: Device): boolean {
  if (d.kind === 'bridge') return ns.devices.some((p) => p.master === d.name && p.up);
  return d.up;
}

function linkHeader(ns: Netns, d: Device, state: { netns: Record<string, Netns> }): string[] {
  const carrier = hasCarrier(ns, d);
  const flags = d.kind === 'loopback' ? ['LOOPBACK'] : ['BROADCAST', 'MULTICAST'];
  if (d.kind === 'vxlan' || d.kind === 'dummy') flags.splice(0, 2, 'BROADCAST', 'MULTICAST');
  const up = d.up ? (carrier ? ['UP', 'LOWER_UP'] : ['UP']) : [];
  const all = d.up && !carrier ? ['NO-CARRIER', ...flags, ...up] : [...flags, ...up];
  const peer = d.peer ? `@if${d.peer.ifindex}` : '';
  const qdisc = d.kind === 'ether' ? 'fq_codel' : d.kind === 'dummy' ? 'noqueue' : 'noqueue';
  const stateText = !d.up ? 'DOWN' : d.kind === 'loopback' || d.kind === 'vxlan' || d.kind === 'dummy' ? 'UNKNOWN' : carrier ? 'UP' : 'DOWN';
  const qlen = d.kind === 'vxlan' || d.kind === 'dummy' ? '' : 'qlen 1000';
  const first = `${d.ifindex}: ${d.name}${peer}: <${all.join(',')}> mtu ${d.mtu} qdisc ${qdisc} ${d.master ? `master ${d.master} ` : ''}state ${stateText} group default ${qlen}`;
  let link: string;
  if (d.kind === 'loopback') link = '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00';
  else {
    link = `    link/ether ${d.mac} brd ff:ff:ff:ff:ff:ff`;
    if (d.peer) {
      const other = state.netns[d.peer.ns];
      link += other?.name ? ` link-netns ${other.name}` : ' link-netnsid 0';
    }
  }
  return [first, link];
}

function addrLines(d: Device): string[] {
  const out: string[] = [];
  for (const a of d.addrs) {
    const scope = a.ip >>> 24 === 127 ? 'host' : 'global';
    out.push(`    inet ${formatIp(a.ip)}/${a.len} ${a.brd !== undefined ? `brd ${formatIp(a.brd)} ` : ''}scope ${scope} ${d.name}`);
    out.push('       valid_lft forever preferred_lft forever');
  }
  return out;
}

function routeOrder(a: Route, b: Route): number {
  if (a.dst.len === 0 || b.dst.len === 0) return a.dst.len === 0 ? (b.dst.len === 0 ? 0 : -1) : 1;
  return a.dst.addr - b.dst.addr || b.dst.len - a.dst.len;
}

function routeLine(ns: Netns, r: Route): string {
  const dst = r.dst.len === 0 ? 'default' : r.dst.len === 32 ? formatIp(r.dst.addr) : `${formatIp(r.dst.addr)}/${r.dst.len}`;
  if (r.type === 'blackhole') return `blackhole ${dst} `;
  const dev = ns.devices.find((d) => d.name === r.dev);
  const linkdown = dev && !hasCarrier(ns, dev) ? 'linkdown ' : '';
  return `${dst} ${r.via !== undefined ? `via ${formatIp(r.via)} ` : ''}dev ${r.dev} ${r.proto ? `proto ${r.proto} ` : ''}${r.scope ? `scope ${r.scope} ` : ''}${r.src !== undefined ? `src ${formatIp(r.src)} ` : ''}${r.onlink ? 'onlink ' : ''}${linkdown}`;
}

/** iproute2 accepts any prefix of an object or command name. */
function matches(word: string, full: string, min = 1): boolean {
  return word.length >= min && full.startsWith(word);
}

export const ip: Command = {
  name: 'ip',
  summary: 'show addresses, links, routes and neighbours: ip addr | ip route | ip neigh',
  usage: USAGE,
  where: ['workstation', 'node'],
  async run(ctx) {
    const args = ctx.argv.slice(1).filter((a) => a !== '-4');
    const object = args[0];
    if (object === undefined || object === 'help') {
      ctx.stderr.write(USAGE + '\n');
      return object === undefined ? 255 : 0;
    }
    const ns = nsOf(ctx);
    const rest = args.slice(1).filter((a) => a !== 'show' && a !== 'list' && a !== 'ls');
    if (args[1] !== undefined && !['show', 'list', 'ls', 'dev'].includes(args[1]) && !ns.devices.some((d) => d.name === args[1])) {
      throw new CommandError('UNSUPPORTED', `Command "${args[1]}" is unknown or not supported in this sandbox, try "ip ${object} help".`);
    }
    const devName = rest[0] === 'dev' ? rest[1] : rest[0];
    const pick = (): Device[] => {
      if (devName === undefined) return ns.devices;
      const d = ns.devices.find((x) => x.name === devName);
      if (!d) throw new CommandError('NOT_FOUND', `Device "${devName}" does not exist.`);
      return [d];
    };
    const state = ctx.env.sim.state;
    if (matches(object, 'address')) {
      const lines = pick()
        .sort((a, b) => a.ifindex - b.ifindex)
        .flatMap((d) => [...linkHeader(ns, d, state), ...addrLines(d)]);
      ctx.stdout.write(lines.join('\n') + '\n');
      return 0;
    }
    if (matches(object, 'link')) {
      ctx.stdout.write(pick().sort((a, b) => a.ifindex - b.ifindex).flatMap((d) => linkHeader(ns, d, state)).join('\n') + '\n');
      return 0;
    }
    if (matches(object, 'route')) {
      const routes = [...ns.routes].sort(routeOrder).filter((r) => devName === undefined || r.dev === devName);
      ctx.stdout.write(routes.map((r) => routeLine(ns, r) + '\n').join(''));
      return 0;
    }
    if (matches(object, 'neighbour') || matches(object, 'neighbor')) {
      const lines = ns.neigh.filter((n) => devName === undefined || n.dev === devName).map((n) => `${formatIp(n.ip)} dev ${n.dev} lladdr ${n.mac} ${n.state}`);
      ctx.stdout.write(lines.map((l) => l + '\n').join(''));
      return 0;
    }
    throw new CommandError('USAGE', `Object "${object}" is unknown, try "ip help".`, 255);
  },
  complete(req) {
    if (req.words.length === 1) return ['address', 'link', 'neighbour', 'route'];
    return ['show', 'dev'];
  },
};
