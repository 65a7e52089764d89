/**
 * `docker ps [-a] [-q] [--no-trunc]`: the host's containers, newest first.
 *
 * Design notes: the Docker CLI's default table (`CONTAINER ID`, `IMAGE`, `COMMAND`, `CREATED`,
 * `STATUS`, `PORTS`, `NAMES`) through its tabwriter (minimum width 10, padding 3); the id is
 * cut to 12 characters and the command to 20 columns with `…`, then Go-quoted, unless
 * `--no-trunc`. CREATED and STATUS use go-units' human durations (`2 minutes ago`,
 * `Up About a minute`, `Exited (137) 5 seconds ago`). PORTS lists published ports as the CLI's
 * DisplayablePorts does: sorted by container port, a port published on every address shows
 * for IPv4 and IPv6 (`0.0.0.0:8080->80/tcp, [::]:8080->80/tcp`, docker-proxy listens on
 * both), and a port the image exposes but nobody published shows as `80/tcp`; stopped
 * containers show none.
 * Left out: `--format`, `--filter`, `-n`, `-l`, `-s`.
 */
import type { CommandContext } from '../../command';
import { formatIp } from '../../../sim/ipv4';
import { localImage, type DockerContainer } from '../../../sim/docker';
import { formatColumns } from '../../table';
import { acceptsNoArgs, now, parseFlags, requireHost, statusText, humanDuration, type FlagSpec, type SubcommandInfo } from './common';

export const PS: SubcommandInfo = { path: 'docker ps', use: 'docker ps [OPTIONS]' };

const FLAGS: FlagSpec[] = [
  { name: 'all', short: 'a', type: 'bool' },
  { name: 'quiet', short: 'q', type: 'bool' },
  { name: 'no-trunc', type: 'bool' },
  { name: 'help', type: 'bool' },
];

export const PS_USAGE = `Usage:  docker ps [OPTIONS]

List containers

Aliases:
  docker container ls, docker container list, docker container ps, docker ps

Options:
  -a, --all        Show all containers (default shows just running)
      --no-trunc   Don't truncate output
  -q, --quiet      Only display container IDs`;

interface PortSummary {
  ip?: string;
  privatePort: number;
  publicPort?: number;
  type: string;
}

/** The daemon's port list for a container (what `docker ps` receives). */
function portSummaries(c: DockerContainer): PortSummary[] {
  if (c.status !== 'running') return [];
  const out: PortSummary[] = [];
  for (const p of c.ports) {
    if (p.hostIp !== undefined) out.push({ ip: formatIp(p.hostIp), privatePort: p.containerPort, publicPort: p.hostPort, type: p.protocol });
    else out.push({ ip: '0.0.0.0', privatePort: p.containerPort, publicPort: p.hostPort, type: p.protocol }, { ip: '::', privatePort: p.containerPort, publicPort: p.hostPort, type: p.protocol });
  }
  for (const e of localImage(c.image)?.exposed ?? []) {
    const [port, type] = e.split('/') as [string, string];
    if (!c.ports.some((p) => p.containerPort === Number(port) && p.protocol === type)) out.push({ privatePort: Number(port), type });
  }
  return out;
}

/** netip.Addr.Less for the two families here: no address first, then IPv4, then IPv6. */
function ipRank(ip: string | undefined): [number, string] {
  if (ip === undefined) return [0, ''];
  if (ip.includes(':')) return [2, ip];
  return [1, ip.split('.').map((o) => o.padStart(3, '0')).join('.')];
}

function joinHostPort(ip: string, port: string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** docker/cli formatter.DisplayablePorts. */
export function displayablePorts(ports: PortSummary[]): string {
  const sorted = [...ports].sort((a, b) => {
    if (a.privatePort !== b.privatePort) return a.privatePort - b.privatePort;
    const [ra, sa] = ipRank(a.ip);
    const [rb, sb] = ipRank(b.ip);
    if (ra !== rb || sa !== sb) return ra !== rb ? ra - rb : sa < sb ? -1 : 1;
    if ((a.publicPort ?? 0) !== (b.publicPort ?? 0)) return (a.publicPort ?? 0) - (b.publicPort ?? 0);
    return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
  });
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const formGroup = (key: string, first: number, last: number): string => {
    const [a, b] = key.split('/') as [string, string | undefined];
    const type = b ?? a;
    const ip = b !== undefined ? a : '';
    let group = first === last ? String(first) : `${first}-${last}`;
    if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
    return `${group}/${type}`;
  };
  for (const p of sorted) {
    let key = p.type;
    if (p.ip !== undefined) {
      if (p.publicPort !== p.privatePort) {
        hostMappings.push(`${joinHostPort(p.ip, String(p.publicPort))}->${p.privatePort}/${p.type}`);
        continue;
      }
      key = `${p.ip}/${p.type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: p.privatePort, last: p.privatePort });
      continue;
    }
    if (p.privatePort === g.last + 1) {
      g.last = p.privatePort;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    groups.set(key, { first: p.privatePort, last: p.privatePort });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

/** The daemon's Command string: Path and Args, an argument with a space in single quotes. */
export function commandString(c: DockerContainer): string {
  if (c.args.length === 0) return c.path;
  return `${c.path} ${c.args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/** formatter.Ellipsis for ASCII text. */
function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}

/** Go's strconv.Quote for the printable ASCII commands here. */
function goQuote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t').replace(/\n/g, '\\n') + '"';
}

export async function dockerPs(ctx: CommandContext, argv: string[]): Promise<number> {
  const host = requireHost(ctx);
  const flags = parseFlags(argv, FLAGS, PS, true);
  if (flags.bools.has('help')) {
    ctx.stdout.write(PS_USAGE + '\n');
    return 0;
  }
  if (flags.args.length > 0) throw acceptsNoArgs(PS);
  const trunc = !flags.bools.has('no-trunc');
  const at = now(ctx);
  const list = host.containers.filter((c) => flags.bools.has('all') || c.status === 'running').reverse();
  if (flags.bools.has('quiet')) {
    for (const c of list) ctx.stdout.write((trunc ? c.id.slice(0, 12) : c.id) + '\n');
    return 0;
  }
  const rows = [['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES']];
  for (const c of list) {
    const cmd = commandString(c);
    rows.push([
      trunc ? c.id.slice(0, 12) : c.id,
      c.image,
      goQuote(trunc ? ellipsis(cmd, 20) : cmd),
      `${humanDuration(at - c.created)} ago`,
      statusText(c, at),
      displayablePorts(portSummaries(c)),
      c.name,
    ]);
  }
  ctx.stdout.write(formatColumns(rows, { minWidth: 10, padding: 3 }));
  return 0;
}
