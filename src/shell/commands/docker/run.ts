/**
 * `docker run`: create a container from a local image and start it.
 *
 * Design notes: as the Docker 28 CLI does it: the image must be in the host's store (the
 * sandbox has no registry, so any other image prints `Unable to find image 'x:latest'
 * locally` and the pull fails on the registry's name lookup through the host's resolver,
 * exit 125); the daemon creates the container (name conflicts fail here, nothing is created),
 * then starts it: a host port already allocated fails the start and leaves the container
 * `Created`, as real Docker does. `-d` prints the 64-hex id (before the start, so a failed
 * start still shows it). `-it` with a shell enters the container (`exit` ends it), also
 * through the nginx image's entrypoint, which execs its command (`docker run -it nginx sh`
 * runs a shell instead of nginx, so nothing listens on 80; a command the image lacks fails
 * in the script: `/docker-entrypoint.sh: 47: exec: foo: not found`, exit 127); a
 * container whose command ends at once exits with its status (`--rm` removes it); without
 * `-d`, a short-lived command's output is printed (busybox's `ping -c`, `hostname`, ...).
 * `--network NAME` (`--net`) puts the container on a user-defined network (or `host`, `none`),
 * with `--network-alias` names and an `--ip` address there; a network that does not exist
 * fails the create.
 * Left out: attaching to a long-running container's output (nginx's log), `-e`, `-v`,
 * `--entrypoint` with arguments, `--restart`, `-P`, a second `--network`.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { NGINX_ENTRYPOINT, dockerCreate, dockerProcessExited, dockerStart, localImage, mainProcess, parseImageRef, runsNginx, type DockerContainer } from '../../../sim/docker';
import { resolveHost } from '../../resolver';
import { containerHas, containerLocation, imageShips, isShell, keepsRunning } from './container';
import { programName } from '../../images';
import { now, parseFlags, requireHost, requiresMin, type FlagSpec, type SubcommandInfo } from './common';

export const RUN: SubcommandInfo = { path: 'docker run', use: 'docker run [OPTIONS] IMAGE [COMMAND] [ARG...]' };

export const RUN_FLAGS: FlagSpec[] = [
  { name: 'detach', short: 'd', type: 'bool' },
  { name: 'interactive', short: 'i', type: 'bool' },
  { name: 'tty', short: 't', type: 'bool' },
  { name: 'rm', type: 'bool' },
  { name: 'name', type: 'string' },
  { name: 'publish', short: 'p', type: 'list' },
  { name: 'entrypoint', type: 'string' },
  { name: 'network', type: 'string' },
  { name: 'net', type: 'string' },
  { name: 'network-alias', type: 'list' },
  { name: 'net-alias', type: 'list' },
  { name: 'ip', type: 'string' },
  { name: 'help', type: 'bool' },
];

export const RUN_USAGE = `Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]

Create and run a new container from an image

Aliases:
  docker container run, docker run

Options:
  -d, --detach               Run container in background and print container ID
      --entrypoint string    Overwrite the default ENTRYPOINT of the image
  -i, --interactive          Keep STDIN open even if not attached
      --ip string            IPv4 address (e.g., 172.30.100.104)
      --name string          Assign a name to the container
      --network network      Connect a container to a network
      --network-alias list   Add network-scoped alias for the container
  -p, --publish list         Publish a container's port(s) to the host
      --rm                   Automatically remove the container and its associated anonymous
                             volumes when it exits
  -t, --tty                  Allocate a pseudo-TTY`;

/** `docker: <message>` + the run hint, exit 125 (or 126/127 for a command that cannot start). */
function runError(message: string, exitCode = 125): CommandError {
  return new CommandError('EXEC_FAILED', `docker: ${message}\n\nRun 'docker run --help' for more information`, exitCode);
}

type Publish = { hostIp?: string; hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' };

/** go-connections nat.ParsePortSpec for one `-p` value. */
export function parsePublish(spec: string): Publish {
  let rest = spec;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  const parts = rest.split(':');
  let hostIp: string | undefined;
  let hostPort = '';
  let containerPort: string;
  if (parts.length === 1) containerPort = parts[0]!;
  else if (parts.length === 2) [hostPort, containerPort] = parts as [string, string];
  else {
    containerPort = parts.pop()!;
    hostPort = parts.pop()!;
    hostIp = parts.join(':').replace(/^\[|\]$/g, '');
  }
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') throw runError(`invalid proto: ${protocol}`);
  if (protocol === 'sctp') throw runError('invalid proto: sctp (the sandbox models tcp and udp)');
  if (containerPort === '') throw runError(`no port specified: ${spec}<empty>`);
  const num = (s: string): number | undefined => (/^\d+$/.test(s) && Number(s) <= 65535 ? Number(s) : undefined);
  const cp = num(containerPort);
  if (cp === undefined || cp === 0) throw runError(`invalid containerPort: ${containerPort}`);
  const hp = hostPort === '' ? 0 : num(hostPort);
  if (hp === undefined) throw runError(`invalid hostPort: ${hostPort}`);
  if (hostIp !== undefined && hostIp !== '' && !/^\d+\.\d+\.\d+\.\d+$/.test(hostIp)) throw runError(`invalid IP address: ${hostIp}`);
  return { ...(hostIp ? { hostIp } : {}), hostPort: hp, containerPort: cp, protocol: protocol as 'tcp' | 'udp' };
}

export async function dockerRunCommand(ctx: CommandContext, argv: string[]): Promise<number> {
  const host = requireHost(ctx);
  const flags = parseFlags(argv, RUN_FLAGS, RUN, false);
  if (flags.bools.has('help')) {
    ctx.stdout.write(RUN_USAGE + '\n');
    return 0;
  }
  if (flags.args.length === 0) throw requiresMin(RUN, 1);
  const [imageRef, ...cmd] = flags.args as [string, ...string[]];
  const detach = flags.bools.has('detach');
  const interactive = flags.bools.has('interactive');
  const tty = flags.bools.has('tty');
  const autoRemove = flags.bools.has('rm');
  const publish = (flags.lists.get('publish') ?? []).map(parsePublish);
  const ref = parseImageRef(imageRef);
  if ('error' in ref) throw runError(ref.error);
  const image = localImage(imageRef);
  if (!image) {
    ctx.stderr.write(`Unable to find image '${ref.repo}:${ref.tag}' locally\n`);
    throw runError(`Error response from daemon: ${pullError(ctx)}`);
  }
  const entrypoint = flags.strings.get('entrypoint');
  const network = flags.strings.get('network') ?? flags.strings.get('net');
  const aliases = [...(flags.lists.get('network-alias') ?? []), ...(flags.lists.get('net-alias') ?? [])].flatMap((a) => a.split(','));
  const state = ctx.env.sim.state;
  let c: DockerContainer;
  try {
    c = dockerCreate(
      state,
      host.name,
      {
        image: imageRef,
        ...(flags.strings.has('name') ? { name: flags.strings.get('name')! } : {}),
        publish,
        ...(cmd.length > 0 ? { cmd } : {}),
        ...(entrypoint !== undefined ? { entrypoint: entrypoint === '' ? null : [entrypoint] } : {}),
        attached: !detach,
        tty,
        openStdin: interactive,
        autoRemove,
        ...(network !== undefined ? { network } : {}),
        aliases,
        ...(flags.strings.has('ip') ? { ip: flags.strings.get('ip')! } : {}),
      },
      now(ctx),
    );
  } catch (e) {
    throw runError(`Error response from daemon: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (detach) ctx.stdout.write(c.id + '\n');
  // The program must exist in the image, or the OCI runtime fails the start. The nginx image's
  // entrypoint script starts, and then execs its command (which may not exist).
  const main = mainProcess(c);
  const program = programName(main.program);
  const viaEntrypoint = c.path === NGINX_ENTRYPOINT;
  if (!viaEntrypoint && !imageShips(c.image, program)) {
    ctx.stderr.write(
      `docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "${c.path}": executable file not found in $PATH: unknown\n\nRun 'docker run --help' for more information\n`,
    );
    // The daemon records the failed start as exit code 127 and the container stays.
    c.status = 'created';
    c.exitCode = 127;
    if (autoRemove) host.containers = host.containers.filter((x) => x !== c);
    return 127;
  }
  try {
    dockerStart(state, host.name, c.id, now(ctx));
  } catch (e) {
    if (autoRemove) host.containers = host.containers.filter((x) => x !== c);
    throw runError(`Error response from daemon: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (viaEntrypoint && !runsNginx(c) && !imageShips(c.image, program)) {
    // dash's words for an exec of a missing program, on the script's last line; exit 127.
    if (!detach) ctx.stderr.write(`${NGINX_ENTRYPOINT}: 47: exec: ${main.program}: not found\n`);
    dockerProcessExited(state, host.name, c.id, 127, now(ctx));
    return detach ? 0 : 127;
  }
  const location = containerLocation(c, true, program);
  // An interactive shell with a terminal: the learner is now inside the container.
  if (!detach && interactive && tty && isShell(program) && main.args.length === 0) {
    ctx.enter(location);
    return 0;
  }
  if (keepsRunning(c)) {
    if (detach) return 0;
    throw new CommandError('UNSUPPORTED', `docker: the sandbox does not attach to a long-running container's output; the container ${c.name} is running: use docker run -d, and docker stop ${c.name} to end it`, 125);
  }
  // The command ends at once: run it (its output shows when attached) and record its status.
  // (A detached container's output goes to its log, which the sandbox does not keep.)
  let status = 0;
  if (program === 'false') status = 1;
  else if (!detach && !isShell(program) && containerHas(c.image, program)) status = await ctx.spawn(location, [program, ...main.args], tty);
  dockerProcessExited(state, host.name, c.id, status, now(ctx));
  return detach ? 0 : status;
}

/** The pull that never happens: the host's resolver cannot find the registry. */
function pullError(ctx: CommandContext): string {
  const gw = ctx.env.sim.state.config.gateway;
  const server = `${gw >>> 24}.${(gw >>> 16) & 255}.${(gw >>> 8) & 255}.${gw & 255}`;
  const r = resolveHost(ctx.env, 'registry-1.docker.io');
  const why = r.ok ? 'i/o timeout' : r.reason === 'timeout' ? 'i/o timeout' : 'no such host';
  if (r.ok) return `Get "https://registry-1.docker.io/v2/": dial tcp ${`${r.ip >>> 24}.${(r.ip >>> 16) & 255}.${(r.ip >>> 8) & 255}.${r.ip & 255}`}:443: ${why}`;
  return `Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on ${server}:53: ${why}`;
}
