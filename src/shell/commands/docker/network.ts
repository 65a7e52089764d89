/**
 * `docker network ls` and `docker network inspect`: the host's three built-in networks.
 *
 * Design notes: a fresh Docker host has `bridge` (docker0, driver bridge), `host` and `none`
 * (driver null), all scope local, listed by name with 12-hex ids. `network inspect bridge`
 * prints the network record in the order of network.Inspect (docs/reference/fidelity.md 5.4): Name, Id,
 * Created, Scope, Driver, EnableIPv4, EnableIPv6, IPAM, Internal, Attachable, Ingress,
 * ConfigFrom, ConfigOnly, Containers (the running containers, by id, with their endpoint,
 * MAC and address), Options (the default bridge's, sorted) and Labels.
 * Left out: user-defined networks (`docker network create`, `connect`), `--format`, `-f`.
 */
import type { CommandContext } from '../../command';
import { formatCidr, formatIp } from '../../../sim/ipv4';
import { deriveRng } from '../../../sim/rng';
import type { DockerHost } from '../../../sim/docker';
import { formatColumns } from '../../table';
import { goJson, goTime, parseFlags, requireHost, requiresMin, acceptsNoArgs, type FlagSpec, type SubcommandInfo } from './common';
import { CommandError } from '../../errors';

export const NETWORK: SubcommandInfo = { path: 'docker network', use: 'docker network COMMAND' };
const LS: SubcommandInfo = { path: 'docker network ls', use: 'docker network ls [OPTIONS]' };
const INSPECT: SubcommandInfo = { path: 'docker network inspect', use: 'docker network inspect [OPTIONS] NETWORK [NETWORK...]' };

export const NETWORK_USAGE = `Usage:  docker network COMMAND

Manage networks

Commands:
  inspect     Display detailed information on one or more networks
  ls          List networks

Run 'docker network COMMAND --help' for more information on a command.`;

const LS_USAGE = `Usage:  docker network ls [OPTIONS]

List networks

Aliases:
  docker network ls, docker network list

Options:
      --no-trunc   Do not truncate the output
  -q, --quiet      Only display network IDs`;

const INSPECT_USAGE = `Usage:  docker network inspect [OPTIONS] NETWORK [NETWORK...]

Display detailed information on one or more networks`;

export interface NetworkInfo {
  name: string;
  id: string;
  driver: string;
}

/** bridge, host and none on `host`: bridge's id is the model's, the others' are drawn per host. */
export function networksOf(ctx: CommandContext, host: DockerHost): NetworkInfo[] {
  const draw = (name: string): string => deriveRng(ctx.env.sim.state.seed, `docker:${host.name}/network/${name}`).string('0123456789abcdef', 64);
  return [
    { name: 'bridge', id: host.network.id, driver: 'bridge' },
    { name: 'host', id: draw('host'), driver: 'host' },
    { name: 'none', id: draw('none'), driver: 'null' },
  ];
}

/** network.Inspect for one of the built-in networks. */
export function networkRecord(ctx: CommandContext, host: DockerHost, n: NetworkInfo): Record<string, unknown> {
  const bridge = n.name === 'bridge';
  const containers: Record<string, unknown> = {};
  if (bridge) {
    for (const c of [...host.containers].filter((x) => x.status === 'running').sort((a, b) => (a.id < b.id ? -1 : 1))) {
      containers[c.id] = { Name: c.name, EndpointID: c.endpointId, MacAddress: c.mac, IPv4Address: `${formatIp(c.ip)}/${host.network.subnet.len}`, IPv6Address: '' };
    }
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: goTime(host.network.created),
    Scope: 'local',
    Driver: n.driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: bridge ? [{ Subnet: formatCidr(host.network.subnet), Gateway: formatIp(host.network.gateway) }] : null },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: bridge
      ? {
          'com.docker.network.bridge.default_bridge': 'true',
          'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': 'true',
          'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
          'com.docker.network.bridge.name': host.network.bridge,
          'com.docker.network.driver.mtu': String(host.network.mtu),
        }
      : {},
    Labels: {},
  };
}

const LS_FLAGS: FlagSpec[] = [
  { name: 'quiet', short: 'q', type: 'bool' },
  { name: 'no-trunc', type: 'bool' },
  { name: 'help', type: 'bool' },
];

export async function dockerNetwork(ctx: CommandContext, argv: string[]): Promise<number> {
  const host = requireHost(ctx);
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help') {
    ctx.stdout.write(NETWORK_USAGE + '\n');
    return 0;
  }
  if (sub === 'ls' || sub === 'list') {
    const flags = parseFlags(rest, LS_FLAGS, LS, true);
    if (flags.bools.has('help')) {
      ctx.stdout.write(LS_USAGE + '\n');
      return 0;
    }
    if (flags.args.length > 0) throw acceptsNoArgs(LS);
    const trunc = !flags.bools.has('no-trunc');
    const nets = networksOf(ctx, host);
    if (flags.bools.has('quiet')) {
      for (const n of nets) ctx.stdout.write((trunc ? n.id.slice(0, 12) : n.id) + '\n');
      return 0;
    }
    const rows = [['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], ...nets.map((n) => [trunc ? n.id.slice(0, 12) : n.id, n.name, n.driver, 'local'])];
    ctx.stdout.write(formatColumns(rows, { minWidth: 10, padding: 3 }));
    return 0;
  }
  if (sub === 'inspect') {
    const flags = parseFlags(rest, [{ name: 'help', type: 'bool' }], INSPECT, true);
    if (flags.bools.has('help')) {
      ctx.stdout.write(INSPECT_USAGE + '\n');
      return 0;
    }
    if (flags.args.length === 0) throw requiresMin(INSPECT, 1);
    const nets = networksOf(ctx, host);
    const records: unknown[] = [];
    const missing: string[] = [];
    for (const ref of flags.args) {
      const n = nets.find((x) => x.name === ref || x.id === ref || x.id.startsWith(ref));
      if (n) records.push(networkRecord(ctx, host, n));
      else missing.push(ref);
    }
    ctx.stdout.write(goJson(records) + '\n');
    for (const m of missing) ctx.stderr.write(`Error response from daemon: network ${m} not found\n`);
    return missing.length > 0 ? 1 : 0;
  }
  throw new CommandError('USAGE', `docker: unknown command: docker network ${sub}\n\nUsage:  docker network COMMAND\n\nRun 'docker network --help' for more information`, 1);
}
