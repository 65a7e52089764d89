/**
 * `docker inspect [-f TEMPLATE] NAME|ID...`: a container's (or a network's) low-level record.
 *
 * Design notes: JSON as the Docker 28 CLI prints it (an array, 4-space indentation, HTML
 * characters escaped as Go's encoder does), with the fields of container.InspectResponse in
 * their order: Id, Created, Path, Args, State, Image, the resolv.conf/hostname/hosts/log
 * paths, Name (with its `/`), RestartCount, Driver, Platform, ..., HostConfig, Config and
 * NetworkSettings (the deprecated top-level IPAddress, Gateway, MacAddress... describing the
 * endpoint on the default bridge only, as Docker 28 does, beside Networks: one entry per
 * network joined, with Aliases, IPAMConfig for `--ip` and DNSNames on user-defined networks;
 * addresses filled only while the container runs). `-f` runs a Go template on
 * that JSON: field paths (`{{.NetworkSettings.IPAddress}}`), `{{range .X}}...{{end}}` over a
 * map (in key order) or a list, `{{json .X}}`, `{{.Name}}`; a missing key prints
 * `<no value>`. A name that is neither a container nor a network prints `[]` and
 * `Error: No such object: NAME` (exit 1).
 * Left out: most of HostConfig (only what the sandbox models), Config.Env, GraphDriver,
 * Mounts, `--type`, `-s`, template functions other than json.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { formatIp } from '../../../sim/ipv4';
import { findContainer, imageId, localImage, type DockerContainer, type DockerHost } from '../../../sim/docker';
import { networkById } from '../../../sim/docker/networks';
import { goJson, goTime, parseFlags, requireHost, requiresMin, type FlagSpec, type SubcommandInfo } from './common';
import { lookupNetwork, networkRecord } from './network';

export const INSPECT: SubcommandInfo = { path: 'docker inspect', use: 'docker inspect [OPTIONS] NAME|ID [NAME|ID...]' };

const FLAGS: FlagSpec[] = [
  { name: 'format', short: 'f', type: 'string' },
  { name: 'help', type: 'bool' },
];

export const INSPECT_USAGE = `Usage:  docker inspect [OPTIONS] NAME|ID [NAME|ID...]

Return low-level information on Docker objects

Options:
  -f, --format string   Format output using a custom template:
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given Go template.
                        Refer to https://docs.docker.com/go/formatting/ for more
                        information about formatting output with templates`;

function portsMap(c: DockerContainer): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  if (c.status !== 'running') return out;
  for (const e of localImage(c.image)?.exposed ?? []) out[e] = null;
  for (const p of c.ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    const list = out[key] ?? [];
    if (p.hostIp !== undefined) list.push({ HostIp: formatIp(p.hostIp), HostPort: String(p.hostPort) });
    else list.push({ HostIp: '0.0.0.0', HostPort: String(p.hostPort) }, { HostIp: '::', HostPort: String(p.hostPort) });
    out[key] = list;
  }
  return out;
}

/** The container's record as the Engine API returns it (the fields the sandbox models). */
export function containerRecord(ctx: CommandContext, host: DockerHost, c: DockerContainer): Record<string, unknown> {
  const running = c.status === 'running';
  const image = localImage(c.image);
  const dir = `/var/lib/docker/containers/${c.id}`;
  // The deprecated top-level fields describe the container's endpoint on the default bridge only.
  const onDefault = running ? c.endpoints.find((e) => e.network === host.network.id) : undefined;
  const ip = onDefault ? formatIp(onDefault.ip) : '';
  const gw = onDefault ? formatIp(host.network.gateway) : '';
  const len = onDefault ? host.network.subnet.len : 0;
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of c.ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    (bindings[key] ??= []).push({ HostIp: p.hostIp !== undefined ? formatIp(p.hostIp) : '', HostPort: p.requestedHostPort === 0 ? '' : String(p.hostPort) });
  }
  const exposed: Record<string, Record<string, never>> = {};
  for (const e of image?.exposed ?? []) exposed[e] = {};
  for (const p of c.ports) exposed[`${p.containerPort}/${p.protocol}`] = {};
  return {
    Id: c.id,
    Created: goTime(c.created),
    Path: c.path,
    Args: c.args,
    State: {
      Status: c.status,
      Running: running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: c.pid,
      ExitCode: c.exitCode,
      Error: '',
      StartedAt: goTime(c.startedAt),
      FinishedAt: goTime(c.finishedAt),
    },
    Image: image ? imageId(ctx.env.sim.state.seed, image) : '',
    ResolvConfPath: `${dir}/resolv.conf`,
    HostnamePath: `${dir}/hostname`,
    HostsPath: `${dir}/hosts`,
    LogPath: `${dir}/${c.id}-json.log`,
    Name: `/${c.name}`,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: 'docker-default',
    ExecIDs: null,
    HostConfig: {
      NetworkMode: c.networkMode,
      PortBindings: bindings,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      AutoRemove: c.autoRemove,
    },
    Config: {
      Hostname: c.id.slice(0, 12),
      Domainname: '',
      User: '',
      AttachStdin: !!c.attached && c.openStdin,
      AttachStdout: !!c.attached,
      AttachStderr: !!c.attached,
      ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
      Tty: c.tty,
      OpenStdin: c.openStdin,
      StdinOnce: !!c.attached && c.openStdin,
      Cmd: c.cmd,
      Image: c.image,
      Volumes: null,
      WorkingDir: '',
      Entrypoint: c.entrypoint,
      Labels: {},
      ...(image?.stopSignal ? { StopSignal: image.stopSignal } : {}),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: c.sandboxId,
      SandboxKey: running ? `/var/run/docker/netns/${c.sandboxId.slice(0, 12)}` : '',
      Ports: portsMap(c),
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: onDefault?.endpointId ?? '',
      Gateway: gw,
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: ip,
      IPPrefixLen: len,
      IPv6Gateway: '',
      MacAddress: onDefault?.mac ?? '',
      Networks: networkEntries(host, c),
    },
  };
}

/** NetworkSettings.Networks: one entry per network the container joins (empty fields while it is stopped); `host` or `none` for those modes. */
function networkEntries(host: DockerHost, c: DockerContainer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const blank = (networkId: string): Record<string, unknown> => ({
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    MacAddress: '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: networkId,
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  });
  if (c.networkMode === 'host' || c.networkMode === 'none') {
    out[c.networkMode] = blank('');
    return out;
  }
  for (const a of c.networks) {
    let n;
    try {
      n = networkById(host, a.network);
    } catch {
      continue;
    }
    const e = c.status === 'running' ? c.endpoints.find((x) => x.network === n.id) : undefined;
    const user = n.id !== host.network.id;
    const entry = blank(n.id);
    if (a.ipv4 !== undefined) entry.IPAMConfig = { IPv4Address: formatIp(a.ipv4) };
    if (a.aliases.length > 0) entry.Aliases = [...a.aliases];
    if (e) {
      Object.assign(entry, { MacAddress: e.mac, EndpointID: e.endpointId, Gateway: formatIp(n.gateway), IPAddress: formatIp(e.ip), IPPrefixLen: n.subnet.len });
      if (user) entry.DNSNames = [...new Set([c.name, ...a.aliases, c.id.slice(0, 12)])];
    }
    out[n.name] = entry;
  }
  return out;
}

// ------------------------------------------------------------------------------ Go templates

type Node = { t: 'text'; s: string } | { t: 'field'; path: string[]; json: boolean } | { t: 'range'; path: string[]; body: Node[] };

function parseTemplate(text: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  const fail = (msg: string): never => {
    throw new CommandError('INVALID', `template parsing error: template: :1: ${msg}`, 1);
  };
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      stack[stack.length - 1]!.push({ t: 'text', s: text.slice(i) });
      break;
    }
    if (open > i) stack[stack.length - 1]!.push({ t: 'text', s: text.slice(i, open) });
    const close = text.indexOf('}}', open);
    if (close < 0) fail('unclosed action');
    const action = text.slice(open + 2, close).trim();
    i = close + 2;
    const path = (p: string): string[] => {
      const m = /^\.([A-Za-z0-9_.]*)$/.exec(p.trim());
      if (!m) fail(`function "${p.trim().split(/\s+/)[0]}" not defined`);
      return m![1] === '' ? [] : m![1]!.split('.');
    };
    if (action === 'end') {
      if (stack.length === 1) fail('unexpected {{end}}');
      stack.pop();
    } else if (action.startsWith('range')) {
      const node: Node = { t: 'range', path: path(action.slice(5)), body: [] };
      stack[stack.length - 1]!.push(node);
      stack.push(node.body);
    } else if (action.startsWith('json ')) stack[stack.length - 1]!.push({ t: 'field', path: path(action.slice(5)), json: true });
    else stack[stack.length - 1]!.push({ t: 'field', path: path(action), json: false });
  }
  if (stack.length > 1) fail('unexpected EOF');
  return root;
}

function walk(value: unknown, path: string[]): unknown {
  let v: unknown = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !(k in (v as object))) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** How text/template prints a value decoded from JSON (maps as `map[k:v]`, lists as `[a b]`). */
function goPrint(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v as object).sort().map((k) => `${k}:${goPrint((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  return String(v);
}

function execTemplate(nodes: Node[], dot: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.s;
    else if (n.t === 'field') {
      const v = walk(dot, n.path);
      out += n.json ? JSON.stringify(v ?? null) : goPrint(v);
    } else {
      const v = walk(dot, n.path);
      if (Array.isArray(v)) for (const x of v) out += execTemplate(n.body, x);
      else if (v && typeof v === 'object') for (const k of Object.keys(v).sort()) out += execTemplate(n.body, (v as Record<string, unknown>)[k]);
    }
  }
  return out;
}

export async function dockerInspect(ctx: CommandContext, argv: string[]): Promise<number> {
  const host = requireHost(ctx);
  const flags = parseFlags(argv, FLAGS, INSPECT, true);
  if (flags.bools.has('help')) {
    ctx.stdout.write(INSPECT_USAGE + '\n');
    return 0;
  }
  if (flags.args.length === 0) throw requiresMin(INSPECT, 1);
  const format = flags.strings.get('format');
  const template = format !== undefined && format !== 'json' ? parseTemplate(format) : undefined;
  const records: unknown[] = [];
  const missing: string[] = [];
  for (const ref of flags.args) {
    let c: DockerContainer | undefined;
    try {
      c = findContainer(ctx.env.sim.state, host.name, ref);
    } catch {
      c = undefined;
    }
    if (c) records.push(containerRecord(ctx, host, c));
    else {
      const net = lookupNetwork(ctx, host, ref);
      if (net) records.push(networkRecord(ctx, host, net));
      else missing.push(ref);
    }
  }
  if (template) for (const r of records) ctx.stdout.write(execTemplate(template, r) + '\n');
  else if (format === 'json') for (const r of records) ctx.stdout.write(JSON.stringify(r) + '\n');
  else ctx.stdout.write(goJson(records) + '\n');
  for (const m of missing) ctx.stderr.write(`Error: No such object: ${m}\n`);
  return missing.length > 0 ? 1 : 0;
}
