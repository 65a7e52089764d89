/**
 * `docker network ls|inspect|create|rm|connect|disconnect`: the host's networks.
 *
 * Design notes: a fresh Docker host has `bridge` (docker0, driver bridge), `host` and `none`
 * (driver null), all scope local; `docker network create` adds user-defined bridge networks
 * (docker/networks.ts in the model: `br-<id12>`, the next free 172.x.0.0/16, their iptables
 * rules). `ls` lists them sorted by name with 12-hex ids, as the CLI sorts them.
 * `network inspect` prints the network record in the order of network.Inspect
 * (docs/reference/fidelity.md 5.4): Name, Id, Created, Scope, Driver, EnableIPv4, EnableIPv6,
 * IPAM (Options null for the default bridge, {} for a user network), Internal, Attachable,
 * Ingress, ConfigFrom, ConfigOnly, Containers (the running containers on it, by id, with
 * their endpoint, MAC and address there), Options (the default bridge's, sorted; none for a
 * user network) and Labels. `create` prints the new network's id; `rm` prints each name and
 * refuses a network with containers on it (Docker 28's `error while removing network: network
 * NAME has active endpoints (name:"c1" id:"...")`); `connect` and `disconnect` print nothing.
 * Left out: `--format`, `-f` filters, `prune`, drivers other than bridge, `--internal`,
 * `--ipv6`, `-o` driver options, `--ip-range`, `--aux-address`, labels.
 */
import type { CommandContext } from '../../command';
import { formatCidr, formatIp } from '../../../sim/ipv4';
import { deriveRng } from '../../../sim/rng';
import { dockerConnect, dockerDisconnect, type DockerHost } from '../../../sim/docker';
import { createNetwork, findNetwork, removeNetwork } from '../../../sim/docker/networks';
import { formatColumns } from '../../table';
import { daemonError, goJson, goTime, lookupContainer, now, parseFlags, requireHost, requiresExactly, requiresMin, acceptsNoArgs, type FlagSpec, type SubcommandInfo } from './common';
import { CommandError } from '../../errors';

export const NETWORK: SubcommandInfo = { path: 'docker network', use: 'docker network COMMAND' };
const LS: SubcommandInfo = { path: 'docker network ls', use: 'docker network ls [OPTIONS]' };
const INSPECT: SubcommandInfo = { path: 'docker network inspect', use: 'docker network inspect [OPTIONS] NETWORK [NETWORK...]' };
const CREATE: SubcommandInfo = { path: 'docker network create', use: 'docker network create [OPTIONS] NETWORK' };
const RM: SubcommandInfo = { path: 'docker network rm', use: 'docker network rm NETWORK [NETWORK...]' };
const CONNECT: SubcommandInfo = { path: 'docker network connect', use: 'docker network connect [OPTIONS] NETWORK CONTAINER' };
const DISCONNECT: SubcommandInfo = { path: 'docker network disconnect', use: 'docker network disconnect [OPTIONS] NETWORK CONTAINER' };

export const NETWORK_USAGE = `Usage:  docker network COMMAND

Manage networks

Commands:
  connect     Connect a container to a network
  create      Create a network
  disconnect  Disconnect a container from a network
  inspect     Display detailed information on one or more networks
  ls          List networks
  rm          Remove one or more networks

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

const CREATE_USAGE = `Usage:  docker network create [OPTIONS] NETWORK

Create a network

Options:
  -d, --driver string        Driver to manage the Network (default "bridge")
      --gateway strings      IPv4 or IPv6 Gateway for the master subnet
      --subnet strings       Subnet in CIDR format that represents a
                             network segment`;

const RM_USAGE = `Usage:  docker network rm NETWORK [NETWORK...]

Remove one or more networks

Aliases:
  docker network rm, docker network remove

Options:
  -f, --force   Do not error if the network does not exist`;

const CONNECT_USAGE = `Usage:  docker network connect [OPTIONS] NETWORK CONTAINER

Connect a container to a network

Options:
      --alias strings           Add network-scoped alias for the container
      --ip string               IPv4 address (e.g., "172.30.100.104")`;

const DISCONNECT_USAGE = `Usage:  docker network disconnect [OPTIONS] NETWORK CONTAINER

Disconnect a container from a network

Options:
  -f, --force   Force the container to disconnect from a network`;

export interface NetworkInfo {
  name: string;
  id: string;
  driver: string;
}

/** bridge, host, none and the user-defined networks on `host`, sorted by name as `docker network ls` lists them. */
export function networksOf(ctx: CommandContext, host: DockerHost): NetworkInfo[] {
  const draw = (name: string): string => deriveRng(ctx.env.sim.state.seed, `docker:${host.name}/network/${name}`).string('0123456789abcdef', 64);
  const all: NetworkInfo[] = [
    { name: 'bridge', id: host.network.id, driver: 'bridge' },
    { name: 'host', id: draw('host'), driver: 'host' },
    { name: 'none', id: draw('none'), driver: 'null' },
    ...(host.userNetworks ?? []).map((n) => ({ name: n.name, id: n.id, driver: 'bridge' })),
  ];
  return all.sort((a, b) => naturalLess(a.name, b.name));
}

/** sortorder.NaturalLess: digit runs compare as numbers. */
function naturalLess(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** A network by name, id or id prefix (a name wins), as the daemon finds one. */
export function lookupNetwork(ctx: CommandContext, host: DockerHost, ref: string): NetworkInfo | undefined {
  const nets = networksOf(ctx, host);
  return nets.find((n) => n.name === ref) ?? nets.find((n) => n.id === ref) ?? (ref.length > 0 ? nets.find((n) => n.id.startsWith(ref)) : undefined);
}

/** network.Inspect for one network. */
export function networkRecord(ctx: CommandContext, host: DockerHost, n: NetworkInfo): Record<string, unknown> {
  const net = n.driver === 'bridge' ? findNetwork(host, n.id) : undefined;
  const isDefault = net?.id === host.network.id;
  const containers: Record<string, unknown> = {};
  if (net) {
    for (const c of [...host.containers].filter((x) => x.status === 'running').sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const e = c.endpoints.find((x) => x.network === net.id);
      if (e) containers[c.id] = { Name: c.name, EndpointID: e.endpointId, MacAddress: e.mac, IPv4Address: `${formatIp(e.ip)}/${net.subnet.len}`, IPv6Address: '' };
    }
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: goTime(net?.created ?? host.network.created),
    Scope: 'local',
    Driver: n.driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: net && !isDefault ? {} : null, Config: net ? [{ Subnet: formatCidr(net.subnet), Gateway: formatIp(net.gateway) }] : null },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: isDefault
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
    const records: unknown[] = [];
    const missing: string[] = [];
    for (const ref of flags.args) {
      const n = lookupNetwork(ctx, host, ref);
      if (n) records.push(networkRecord(ctx, host, n));
      else missing.push(ref);
    }
    ctx.stdout.write(goJson(records) + '\n');
    for (const m of missing) ctx.stderr.write(`Error response from daemon: network ${m} not found\n`);
    return missing.length > 0 ? 1 : 0;
  }
  if (sub === 'create') return networkCreate(ctx, host, rest);
  if (sub === 'rm' || sub === 'remove') return networkRm(ctx, host, rest);
  if (sub === 'connect' || sub === 'disconnect') return networkConnect(ctx, host, sub, rest);
  throw new CommandError('USAGE', `docker: unknown command: docker network ${sub}\n\nUsage:  docker network COMMAND\n\nRun 'docker network --help' for more information`, 1);
}

async function networkCreate(ctx: CommandContext, host: DockerHost, argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    [
      { name: 'driver', short: 'd', type: 'string' },
      { name: 'subnet', type: 'list' },
      { name: 'gateway', type: 'list' },
      { name: 'help', type: 'bool' },
    ],
    CREATE,
    true,
  );
  if (flags.bools.has('help')) {
    ctx.stdout.write(CREATE_USAGE + '\n');
    return 0;
  }
  if (flags.args.length !== 1) throw requiresExactly(CREATE, 1);
  const name = flags.args[0]!;
  const driver = flags.strings.get('driver') ?? 'bridge';
  if (driver === 'host' || driver === 'null') throw daemonError(`only one instance of "${driver}" network is allowed`);
  if (driver === 'overlay') throw daemonError('This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
  if (driver !== 'bridge') throw daemonError(`plugin "${driver}" not found`);
  const subnets = flags.lists.get('subnet') ?? [];
  const gateways = flags.lists.get('gateway') ?? [];
  if (subnets.length > 1 || gateways.length > 1) throw daemonError('the sandbox models one IPv4 subnet per network');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw daemonError(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  try {
    const n = createNetwork(ctx.env.sim.state, host, { name, ...(subnets[0] !== undefined ? { subnet: subnets[0] } : {}), ...(gateways[0] !== undefined ? { gateway: gateways[0] } : {}) }, now(ctx));
    ctx.stdout.write(n.id + '\n');
    return 0;
  } catch (e) {
    throw daemonError(e instanceof Error ? e.message : String(e));
  }
}

async function networkRm(ctx: CommandContext, host: DockerHost, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'force', short: 'f', type: 'bool' }, { name: 'help', type: 'bool' }], RM, true);
  if (flags.bools.has('help')) {
    ctx.stdout.write(RM_USAGE + '\n');
    return 0;
  }
  if (flags.args.length === 0) throw requiresMin(RM, 1);
  let status = 0;
  for (const ref of flags.args) {
    const info = lookupNetwork(ctx, host, ref);
    try {
      if (!info) {
        if (flags.bools.has('force')) continue;
        throw new Error(`network ${ref} not found`);
      }
      const net = findNetwork(host, info.id);
      if (!net) throw new Error(`${info.name} is a pre-defined network and cannot be removed`);
      removeNetwork(ctx.env.sim.state, host, net);
      ctx.stdout.write(ref + '\n');
    } catch (e) {
      ctx.stderr.write(`Error response from daemon: ${e instanceof Error ? e.message : String(e)}\n`);
      status = 1;
    }
  }
  return status;
}

async function networkConnect(ctx: CommandContext, host: DockerHost, sub: 'connect' | 'disconnect', argv: string[]): Promise<number> {
  const connect = sub === 'connect';
  const info = connect ? CONNECT : DISCONNECT;
  const specs: FlagSpec[] = connect
    ? [
        { name: 'alias', type: 'list' },
        { name: 'ip', type: 'string' },
        { name: 'help', type: 'bool' },
      ]
    : [
        { name: 'force', short: 'f', type: 'bool' },
        { name: 'help', type: 'bool' },
      ];
  const flags = parseFlags(argv, specs, info, true);
  if (flags.bools.has('help')) {
    ctx.stdout.write((connect ? CONNECT_USAGE : DISCONNECT_USAGE) + '\n');
    return 0;
  }
  if (flags.args.length !== 2) throw requiresExactly(info, 2);
  const [netRef, ref] = flags.args as [string, string];
  const n = lookupNetwork(ctx, host, netRef);
  if (!n) throw daemonError(`network ${netRef} not found`);
  const c = lookupContainer(ctx, host, ref);
  const state = ctx.env.sim.state;
  try {
    if (n.driver !== 'bridge') throw new Error(`container cannot be disconnected from ${n.name} network or connected to ${n.name} network`);
    if (connect) dockerConnect(state, host.name, n.id, c.id, { aliases: (flags.lists.get('alias') ?? []).flatMap((a) => a.split(',')), ...(flags.strings.has('ip') ? { ip: flags.strings.get('ip')! } : {}) });
    else dockerDisconnect(state, host.name, n.id, c.id);
  } catch (e) {
    throw daemonError(e instanceof Error ? e.message : String(e));
  }
  return 0;
}
