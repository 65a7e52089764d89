/**
 * `bridge link` and `bridge fdb` (iproute2 6.1) on a node: showing, and `bridge fdb
 * add|append|replace|del`.
 *
 * Design notes: `bridge link` lists the bridge ports as iproute2 does (docs/reference/fidelity.md
 * 5.3 and 24): `N: name@peer: <FLAGS> mtu M master BR state forwarding|disabled priority 32
 * cost 2 `. The kernel's bridge dump carries a veth's peer index without its namespace, so the
 * tool names the device with that index in its own namespace (`veth38a26eb8@eth0` where `ip
 * addr` says `@if2`), `ifN` when there is none, and adds `M-DOWN` when that device is down (not
 * when it is missing: iproute2's ll_index_to_flags then answers -1, as if it were up).
 * `bridge fdb` dumps device by device (by interface index): the bridge's entries for each port
 * (newest first, then the port's own address, permanent, with and without `vlan 1`)
 * and the device's own (`self`) entries: a vxlan device's remote VTEPs (`MAC dst IP [via DEV]
 * self permanent`, the default destination as `00:00:00:00:00:00`) and addresses added to a
 * device's filter. Under `dev DEV` the `dev` column is left out, under `br BR` it stays.
 * `bridge fdb add|append|replace|del MAC dev DEV [master|self] [permanent|static|dynamic] [dst
 * IP]` changes them (src/sim/linux/fdb.ts); refusals are `RTNETLINK answers: ...` with status
 * 255, as bridge exits.
 * Left out: IPv6 and IPv4 multicast entries (33:33:..., 01:00:5e:...), ageing timers (`-s`),
 * VLANs (`bridge vlan`), `bridge mdb`, `bridge -d link`.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { formatIp } from '../../sim/ipv4';
import { putFdb, deleteFdb, ZERO_MAC, type FdbMode, type FdbSpec } from '../../sim/linux/fdb';
import type { MeshHolder } from '../../sim/mesh';
import { deviceByIndex, vxlanFdbOf, type Device, type Netns } from '../../sim/netns';
import { findDevice, kernelMessage, mayChangeNetwork, parseAddress } from './ip/common';
import { netnsByName } from './ip/netns';
import { linkState, portState } from './ip/show';
import type { KernelError } from '../../sim/linux/errors';

const USAGE = 'Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { link | fdb }';

/**
 * `name@link` and M-DOWN as bridge's print_name_and_link sees them without a namespace id:
 * M-DOWN when a device of that index is down; none with that index (ll_index_to_flags answers
 * -1, every flag set) prints `ifN` and no M-DOWN.
 */
function portName(ns: Netns, d: Device): { name: string; mdown: boolean } {
  if (!d.peer) return { name: d.name, mdown: false };
  const local = deviceByIndex(ns, d.peer.ifindex);
  return { name: `${d.name}@${local ? local.name : `if${d.peer.ifindex}`}`, mdown: local ? !local.up : false };
}

function linkLines(ctx: CommandContext, ns: Netns, dev: string | undefined): string[] {
  const nets = ctx.env.sim.state.netns;
  const out: string[] = [];
  for (const d of [...ns.devices].sort((a, b) => a.ifindex - b.ifindex)) {
    if (!d.master || (dev !== undefined && d.name !== dev)) continue;
    const br = ns.devices.find((x) => x.name === d.master);
    if (!br) continue;
    const { name, mdown } = portName(ns, d);
    const flags = linkState(nets, ns, d).flags.filter((f) => f !== 'M-DOWN');
    if (mdown) flags.push('M-DOWN');
    out.push(`${d.ifindex}: ${name}: <${flags.join(',')}> mtu ${d.mtu} master ${d.master} state ${portState(nets, ns, br, d)} priority 32 cost 2 `);
  }
  return out;
}

/** The FDB lines of one device: the bridge's entries for it (it being a port or the bridge), then its own. */
function fdbLines(ns: Netns, d: Device, showDev: boolean, shared: MeshHolder): string[] {
  const at = showDev ? `dev ${d.name} ` : '';
  const out: string[] = [];
  const br = d.kind === 'bridge' ? d : d.master ? ns.devices.find((x) => x.name === d.master) : undefined;
  if (br) {
    const entries = Object.entries(br.fdb ?? {}).filter(([, e]) => e.port === d.name);
    for (const [mac, e] of entries.reverse()) out.push(`${mac} ${at}master ${br.name} ${e.permanent ? (e.flag === 'static' ? 'static' : 'permanent') : ''}`.trimEnd() + (e.permanent ? '' : ' '));
    if (d !== br || !br.macFromPorts) out.push(`${d.mac} ${at}vlan 1 master ${br.name} permanent`, `${d.mac} ${at}master ${br.name} permanent`);
  }
  if (d.vxlan) {
    const vx = d.vxlan;
    for (const [mac, ip] of Object.entries(vxlanFdbOf(ns, d, shared))) out.push(`${mac} ${at}dst ${formatIp(ip)} self ${vx.learned?.[mac] ? '' : 'permanent'}`.trimEnd() + (vx.learned?.[mac] ? ' ' : ''));
    if (vx.remote !== undefined) out.push(`${ZERO_MAC} ${at}dst ${formatIp(vx.remote)} ${vx.remoteVia && vx.dev ? `via ${vx.dev} ` : ''}self permanent`);
    for (const ip of vx.flood ?? []) out.push(`${ZERO_MAC} ${at}dst ${formatIp(ip)} self permanent`);
  }
  for (const mac of d.uc ?? []) out.push(`${mac} ${at}self permanent`);
  return out;
}

function parseFdbChange(ctx: CommandContext, ns: Netns, args: string[]): { mac: string; dev: Device; via?: string; spec: FdbSpec } {
  let mac: string | undefined;
  let devName: string | undefined;
  let where: 'master' | 'self' | undefined;
  let state: FdbSpec['state'] = 'permanent';
  let dst: number | undefined;
  let via: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'dev') devName = args[++i];
    else if (a === 'master') where = 'master';
    else if (a === 'self') where ??= 'self';
    else if (a === 'permanent' || a === 'local') state = 'permanent';
    else if (a === 'static') state = 'static';
    else if (a === 'dynamic') state = 'dynamic';
    else if (a === 'dst') dst = parseAddress(args[++i] ?? '');
    else if (a === 'via') via = args[++i];
    else if (['vlan', 'port', 'vni', 'src_vni', 'router', 'use', 'extern_learn', 'sticky', 'nhid', 'temp'].includes(a)) throw new CommandError('UNSUPPORTED', `bridge fdb ${a} is not supported in this sandbox`, 255);
    else if (mac === undefined) mac = a;
    else throw new CommandError('USAGE', `Error: either "dev" is duplicate, or "${a}" is a garbage.`, 255);
  }
  if (devName === undefined || mac === undefined) throw new CommandError('USAGE', 'Device and address are required arguments.', 255);
  if (!/^([0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}$/.test(mac)) throw new CommandError('USAGE', `Invalid mac address ${mac}`, 255);
  const norm = mac
    .split(':')
    .map((p) => p.toLowerCase().padStart(2, '0'))
    .join(':');
  const dev = findDevice(ns, devName, 255);
  void ctx;
  if (via !== undefined) findDevice(ns, via, 255);
  return { mac: norm, dev, via, spec: { mac: norm, where: where ?? 'self', state, ...(dst !== undefined ? { dst } : {}) } };
}

function fail(e: KernelError): CommandError {
  return new CommandError('EXEC_FAILED', kernelMessage(e), 255);
}

export const bridge: Command = {
  name: 'bridge',
  summary: 'show and change bridge ports and forwarding tables: bridge link | bridge fdb',
  usage: USAGE,
  where: ['node'],
  ownHelp: true,
  async run(ctx) {
    // `-help` (or `--help`) is usage(): the usage on stderr and exit(-1), as ip's.
    if (ctx.argv[1] === '--help' || ctx.argv[1] === '-help') {
      ctx.stderr.write(this.usage + '\n');
      return 255;
    }
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'bridge: not available here');
    let argv = ctx.argv.slice(1);
    let ns: Netns | undefined = ctx.env.sim.state.netns[loc.ns];
    if (argv[0] !== undefined && /^--?n(e(t(ns?)?)?)?$/.test(argv[0])) {
      const name = argv[1];
      const target = name === undefined ? undefined : netnsByName(ctx.env.sim.state, loc, name);
      if (!target) throw new CommandError('NOT_FOUND', `Cannot open network namespace "${name ?? '(null)'}": No such file or directory`, 255);
      ns = target;
      argv = argv.slice(2);
    }
    if (!ns) return 0;
    const [object, ...rest] = argv;
    if (!object) throw new CommandError('USAGE', this.usage, 255);
    if ('link'.startsWith(object)) {
      const args = rest.filter((a) => a !== 'show');
      const dev = args[0] === 'dev' ? args[1] : undefined;
      if (dev !== undefined) findDevice(ns, dev, 255);
      ctx.stdout.write(linkLines(ctx, ns, dev).map((l) => l + '\n').join(''));
      return 0;
    }
    if ('fdb'.startsWith(object)) {
      const verb = rest[0];
      if (verb === 'add' || verb === 'append' || verb === 'replace') {
        const { dev, spec } = parseFdbChange(ctx, ns, rest.slice(1));
        const target = ns;
        if (!mayChangeNetwork(ctx)) throw fail({ errno: 'EPERM' });
        const e = putFdb(target, dev, spec, verb as FdbMode, ctx.env.sim.state);
        if (e) throw fail(e);
        return 0;
      }
      if (verb === 'del' || verb === 'delete') {
        const { dev, spec, via } = parseFdbChange(ctx, ns, rest.slice(1));
        const target = ns;
        if (!mayChangeNetwork(ctx)) throw fail({ errno: 'EPERM' });
        const e = deleteFdb(target, dev, spec.mac, spec.where, spec.dst, via, ctx.env.sim.state);
        if (e) throw fail(e);
        return 0;
      }
      const args = rest.filter((a) => a !== 'show' && a !== 'list');
      let dev: string | undefined;
      let br: string | undefined;
      for (let i = 0; i < args.length; i++) {
        if (args[i] === 'dev') dev = args[++i];
        else if (args[i] === 'br') br = args[++i];
        else throw new CommandError('USAGE', `Error: either "dev" is duplicate, or "${args[i]}" is a garbage.`, 255);
      }
      if (dev !== undefined) findDevice(ns, dev, 255);
      if (br !== undefined) findDevice(ns, br, 255);
      const lines: string[] = [];
      for (const d of [...ns.devices].sort((a, b) => a.ifindex - b.ifindex)) {
        if (dev !== undefined && d.name !== dev) continue;
        if (br !== undefined && d.name !== br && d.master !== br) continue;
        lines.push(...fdbLines(ns, d, dev === undefined, ctx.env.sim.state));
      }
      ctx.stdout.write(lines.map((l) => l + '\n').join(''));
      return 0;
    }
    throw new CommandError('USAGE', `Object "${object}" is unknown, try "bridge help".`, 255);
  },
};
