/**
 * `bridge link` and `bridge fdb` (iproute2) on a node.
 *
 * Design notes: `bridge link` lists the bridge ports as iproute2 does, with the port's peer
 * named by interface name (`veth38a26eb8@eth0`, where `ip addr` says `@if2`), `master cni0
 * state forwarding priority 32 cost 2 ` (docs/reference/fidelity.md 5.3). `bridge fdb` lists the forwarding
 * database: each port's and the bridge's own address (permanent, with and without `vlan 1`),
 * the MAC addresses the bridge has learned (`dev PORT master BR`), and flannel.1's entries
 * (`MAC dev flannel.1 dst NODE self permanent`), one per remote node.
 * Left out: IPv6 multicast entries (33:33:...; the sandbox is IPv4 only), ageing timers
 * (`-s`), VLAN filtering, changing entries.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { formatIp } from '../../sim/ipv4';
import { vxlanFdbOf, type Netns } from '../../sim/netns';

export const bridge: Command = {
  name: 'bridge',
  summary: 'show bridge ports and forwarding tables: bridge link | bridge fdb',
  usage: 'Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { link | fdb }',
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
    const ns: Netns | undefined = ctx.env.sim.state.netns[loc.ns];
    if (!ns) return 0;
    const [object, ...rest] = ctx.argv.slice(1);
    const args = rest.filter((a) => a !== 'show');
    const dev = args[0] === 'dev' ? args[1] : undefined;
    if (!object) throw new CommandError('USAGE', this.usage, 255);
    if ('link'.startsWith(object)) {
      for (const d of ns.devices.filter((x) => x.master && (!dev || x.name === dev))) {
        const peer = d.peer ? ctx.env.sim.state.netns[d.peer.ns]?.devices.find((x) => x.ifindex === d.peer!.ifindex)?.name : undefined;
        const flags = d.up ? 'BROADCAST,MULTICAST,UP,LOWER_UP' : 'BROADCAST,MULTICAST';
        ctx.stdout.write(`${d.ifindex}: ${d.name}${peer ? `@${peer}` : ''}: <${flags}> mtu ${d.mtu} master ${d.master} state ${d.up ? 'forwarding' : 'disabled'} priority 32 cost 2 \n`);
      }
      return 0;
    }
    if ('fdb'.startsWith(object)) {
      const lines: string[] = [];
      for (const d of ns.devices) {
        if (dev && d.name !== dev && d.master !== dev) continue;
        if (d.kind === 'bridge') {
          for (const [mac, e] of Object.entries(d.fdb ?? {})) if (!e.permanent && (!dev || e.port === dev || d.name === dev)) lines.push(`${mac} dev ${e.port} master ${d.name} `);
          lines.push(`${d.mac} dev ${d.name} vlan 1 master ${d.name} permanent`, `${d.mac} dev ${d.name} master ${d.name} permanent`);
        } else if (d.master) {
          lines.push(`${d.mac} dev ${d.name} vlan 1 master ${d.master} permanent`, `${d.mac} dev ${d.name} master ${d.master} permanent`);
        } else if (d.kind === 'vxlan') {
          for (const [mac, ip] of Object.entries(vxlanFdbOf(ns, d, ctx.env.sim.state))) lines.push(`${mac} dev ${d.name} dst ${formatIp(ip)} self permanent`);
        }
      }
      ctx.stdout.write(lines.map((l) => l + '\n').join(''));
      return 0;
    }
    throw new CommandError('USAGE', `Object "${object}" is unknown, try "bridge help".`, 255);
  },
};
