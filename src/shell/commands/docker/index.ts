/**
 * `docker`: the Docker CLI on a Docker host (`ssh host-1`), talking to that host's daemon.
 *
 * Design notes: one file per subcommand (run, ps, exec, stop/start/rm, inspect, network);
 * this one dispatches, prints `docker --help` (trimmed to what the sandbox has, in the CLI's
 * layout) and completes subcommands, flags, images and container names. The `docker
 * container ...` forms name the same subcommands. On a machine without Docker (the
 * workstation, a Kubernetes node, which runs containerd) there is no `docker`.
 * `docker version` and `docker --version` / `-v` print the CLI's and the daemon's versions.
 * `docker attach` (attach.ts) joins a container's main shell; Ctrl+P Ctrl+Q leaves it.
 * Left out: images (`docker images`, `pull`, `build`), volumes, `docker logs`, global flags
 * other than `--version`.
 */
import type { Command, CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { LOCAL_IMAGES } from '../../../sim/docker';
import { containerNames, hostOf, requireHost } from './common';
import type { ShellEnv } from '../../command';
import { ATTACH_USAGE, dockerAttach } from './attach';
import { dockerExec, EXEC_USAGE } from './exec';
import { dockerInspect, INSPECT_USAGE } from './inspect';
import { dockerNetwork, NETWORK_USAGE } from './network';
import { dockerPs, PS_USAGE } from './ps';
import { dockerRmCommand, dockerStartCommand, dockerStop, RM_USAGE, START_USAGE, STOP_USAGE } from './rm';
import { dockerRunCommand, RUN_USAGE } from './run';
import { dockerVersion, VERSION_LINE, VERSION_USAGE } from './version';

const USAGE = `Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers

Common Commands:
  run         Create and run a new container from an image
  exec        Execute a command in a running container
  ps          List containers
  version     Show the Docker version information

Management Commands:
  container   Manage containers
  network     Manage networks

Commands:
  attach      Attach local standard input, output, and error streams to a running container
  inspect     Return low-level information on Docker objects
  rm          Remove one or more containers
  start       Start one or more stopped containers
  stop        Stop one or more running containers

Run 'docker COMMAND --help' for more information on a command.

For more help on how to use Docker, head to https://docs.docker.com/go/guides/`;

const CONTAINER_USAGE = `Usage:  docker container COMMAND

Manage containers

Commands:
  attach      Attach local standard input, output, and error streams to a running container
  exec        Execute a command in a running container
  inspect     Display detailed information on one or more containers
  ls          List containers
  rm          Remove one or more containers
  run         Create and run a new container from an image
  start       Start one or more stopped containers
  stop        Stop one or more running containers

Run 'docker container COMMAND --help' for more information on a command.`;

type Sub = (ctx: CommandContext, argv: string[]) => Promise<number>;

const SUBCOMMANDS: Record<string, { run: Sub; usage: string }> = {
  run: { run: dockerRunCommand, usage: RUN_USAGE },
  attach: { run: dockerAttach, usage: ATTACH_USAGE },
  ps: { run: dockerPs, usage: PS_USAGE },
  exec: { run: dockerExec, usage: EXEC_USAGE },
  inspect: { run: dockerInspect, usage: INSPECT_USAGE },
  rm: { run: dockerRmCommand, usage: RM_USAGE },
  stop: { run: dockerStop, usage: STOP_USAGE },
  start: { run: dockerStartCommand, usage: START_USAGE },
  network: { run: dockerNetwork, usage: NETWORK_USAGE },
  version: { run: dockerVersion, usage: VERSION_USAGE },
};

/** `docker container X`: the same subcommands (ls and list are ps). */
const CONTAINER_ALIASES: Record<string, string> = { attach: 'attach', run: 'run', exec: 'exec', inspect: 'inspect', rm: 'rm', remove: 'rm', stop: 'stop', start: 'start', ls: 'ps', list: 'ps', ps: 'ps' };

const RUN_WORDS = ['-d', '-i', '-t', '-it', '-dit', '--detach', '--interactive', '--tty', '--rm', '--name', '-p', '--publish', '--entrypoint', '--network', '--network-alias', '--ip'];

export const docker: Command = {
  name: 'docker',
  summary: 'the Docker CLI on a Docker host: docker run, ps, exec, attach, inspect, network',
  usage: USAGE,
  where: ['node'],
  installed: (env) => hostOf(env) !== undefined,
  async run(ctx) {
    requireHost(ctx);
    let [sub, ...rest] = ctx.argv.slice(1);
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      ctx.stdout.write(USAGE + '\n');
      return 0;
    }
    if (sub === '--version' || sub === '-v') {
      ctx.stdout.write(VERSION_LINE + '\n');
      return 0;
    }
    if (sub === 'container') {
      const [inner, ...more] = rest;
      if (inner === undefined || inner === '--help') {
        ctx.stdout.write(CONTAINER_USAGE + '\n');
        return 0;
      }
      const mapped = CONTAINER_ALIASES[inner];
      if (!mapped) throw new CommandError('USAGE', `docker: unknown command: docker container ${inner}\n\nUsage:  docker container COMMAND\n\nRun 'docker container --help' for more information`, 1);
      sub = mapped;
      rest = more;
    }
    const s = SUBCOMMANDS[sub];
    if (!s) throw new CommandError('USAGE', `docker: unknown command: docker ${sub}\n\nRun 'docker --help' for more information`, 1);
    return s.run(ctx, rest);
  },
  complete(req) {
    if (!hostOf(req.env)) return [];
    const w = req.words;
    if (w.length === 1) return req.prefix.startsWith('-') ? ['--help', '--version', '-v'] : [...Object.keys(SUBCOMMANDS), 'container'];
    const sub = w[1] === 'container' ? CONTAINER_ALIASES[w[2] ?? ''] : w[1];
    if (w[1] === 'container' && w.length === 2) return Object.keys(CONTAINER_ALIASES);
    const args = w.slice(w[1] === 'container' ? 3 : 2);
    if (sub === 'run') {
      if (req.prefix.startsWith('-')) return RUN_WORDS;
      const prev = args[args.length - 1];
      if (prev === '--network' || prev === '--net') return networkNames(req.env, true);
      if (prev === '--name' || prev === '-p' || prev === '--publish' || prev === '--entrypoint' || prev === '--network-alias' || prev === '--ip') return [];
      // Before the image: images; after it, the command is the container's own.
      const image = args.some((a, i) => !a.startsWith('-') && !['--name', '-p', '--publish', '--entrypoint', '--network', '--net', '--network-alias', '--ip'].includes(args[i - 1] ?? ''));
      return image ? [] : LOCAL_IMAGES.map((i) => i.repo);
    }
    if (sub === 'ps') return ['-a', '-q', '--all', '--quiet', '--no-trunc'];
    if (sub === 'exec') {
      if (req.prefix.startsWith('-')) return ['-i', '-t', '-it', '--interactive', '--tty'];
      return args.some((a) => !a.startsWith('-')) ? ['sh', 'ping', 'ip', 'hostname', 'cat'] : containerNames(req.env, true);
    }
    if (sub === 'rm') return req.prefix.startsWith('-') ? ['-f', '--force'] : containerNames(req.env);
    if (sub === 'stop' || sub === 'attach') return containerNames(req.env, true);
    if (sub === 'start') return containerNames(req.env, false);
    if (sub === 'inspect') return req.prefix.startsWith('-') ? ['-f', '--format'] : [...containerNames(req.env), ...networkNames(req.env, true)];
    if (sub === 'version') return ['-f', '--format'];
    if (sub === 'network') {
      if (args.length === 0) return ['connect', 'create', 'disconnect', 'inspect', 'ls', 'rm'];
      if (args[0] === 'inspect') return networkNames(req.env, true);
      if (args[0] === 'rm') return networkNames(req.env, false);
      if (args[0] === 'create') return req.prefix.startsWith('-') ? ['--driver', '--subnet', '--gateway'] : [];
      if (args[0] === 'connect' || args[0] === 'disconnect') return args.length === 1 ? networkNames(req.env, false) : containerNames(req.env);
      return [];
    }
    return [];
  },
};

/** The host's network names, for completion (with `host` and `none` when `builtin`). */
function networkNames(env: ShellEnv, builtin: boolean): string[] {
  const h = hostOf(env);
  if (!h) return [];
  return [...(builtin ? ['bridge', 'host', 'none'] : ['bridge']), ...(h.userNetworks ?? []).map((n) => n.name)];
}
