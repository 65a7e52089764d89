/**
 * `docker attach CONTAINER` (`docker container attach`): the terminal joins the container's
 * main process, and Ctrl+P Ctrl+Q leaves it again.
 *
 * Design notes: attaching to a container whose main process is an interactive shell
 * (`docker run -dit --name c alpine ash`) lands in that shell (prompt `/ # `); `exit` there
 * ends the main process, so the container stops (`Exited (0)`), as with `docker run -it`.
 * The detach sequence Ctrl+P Ctrl+Q reaches the shell as the two bytes \x10 \x11 (the browser
 * terminal sends them when the keys are pressed in a container; a headless line holding them
 * stands for the keys): the CLI returns to the host and the container keeps running. After
 * `docker attach` the CLI reports the detach as its error, `read escape sequence` (exit 1);
 * after `docker run -it` and `docker exec -it` it says nothing (exit 0). A stopped container
 * cannot be attached to (the CLI's own message, exit 1).
 * Left out: attaching to a process that is not a shell (its output stream: nginx's log, a
 * ping's lines), `--no-stdin`, `--sig-proxy`, other `--detach-keys` than the default.
 */
import type { CommandContext, Location, OutputSink, ShellEnv } from '../../command';
import { CommandError } from '../../errors';
import { dockerHostNsId, mainProcess } from '../../../sim/docker';
import { programName } from '../../images';
import { containerLocation, isShell } from './container';
import { lookupContainer, parseFlags, requireHost, requiresExactly, type FlagSpec, type SubcommandInfo } from './common';

export const ATTACH: SubcommandInfo = { path: 'docker attach', use: 'docker attach [OPTIONS] CONTAINER' };

const FLAGS: FlagSpec[] = [
  { name: 'detach-keys', type: 'string' },
  { name: 'no-stdin', type: 'bool' },
  { name: 'sig-proxy', type: 'bool' },
  { name: 'help', type: 'bool' },
];

export const ATTACH_USAGE = `Usage:  docker attach [OPTIONS] CONTAINER

Attach local standard input, output, and error streams to a running container

Aliases:
  docker container attach, docker attach

Options:
      --detach-keys string   Override the key sequence for detaching a container
      --no-stdin             Do not attach STDIN
      --sig-proxy            Proxy all received signals to the process (default true)`;

/** Ctrl+P Ctrl+Q, Docker's default detach keys, as the terminal sends them. */
export const DETACH_KEYS = '\x10\x11';

export async function dockerAttach(ctx: CommandContext, argv: string[]): Promise<number> {
  const host = requireHost(ctx);
  const flags = parseFlags(argv, FLAGS, ATTACH, true);
  if (flags.bools.has('help')) {
    ctx.stdout.write(ATTACH_USAGE + '\n');
    return 0;
  }
  if (flags.args.length !== 1) throw requiresExactly(ATTACH, 1);
  const c = lookupContainer(ctx, host, flags.args[0]!);
  if (c.status !== 'running') throw new CommandError('EXEC_FAILED', 'You cannot attach to a stopped container, start it first', 1);
  const main = mainProcess(c);
  const program = programName(main.program);
  if (!isShell(program) || !c.openStdin || !c.tty) {
    throw new CommandError('UNSUPPORTED', `docker: the sandbox attaches only to a container whose main process is an interactive shell (docker run -dit ... ash); ${c.name} runs ${program}`, 1);
  }
  c.attachedBy = 'attach';
  ctx.enter(containerLocation(c, true, program));
  return 0;
}

/**
 * True when `line` holds the detach keys: in a container's shell (anywhere in the line, as the
 * CLI watches every byte), or alone elsewhere (where the keys do nothing, as Ctrl+Q in bash).
 */
export function isDetachSequence(line: string, env: ShellEnv): boolean {
  return line === DETACH_KEYS || (env.location.kind === 'container' && line.includes(DETACH_KEYS));
}

/**
 * Ctrl+P Ctrl+Q in a container: back to the Docker host's shell, the container running on.
 * `move` is the shell's own way of changing place.
 */
export function detachFromContainer(env: ShellEnv, stderr: OutputSink, move: (loc: Location) => void): number {
  const loc = env.location;
  if (loc.kind !== 'container') return Number(env.vars['?'] ?? '0');
  const c = env.sim.state.docker?.hosts[loc.host]?.containers.find((x) => x.id === loc.id);
  const viaAttach = loc.main && c?.attachedBy === 'attach';
  if (c) delete c.attachedBy;
  move({ kind: 'node', node: loc.host, ns: dockerHostNsId(loc.host) });
  const status = viaAttach ? 1 : 0;
  env.vars['?'] = String(status);
  if (viaAttach) stderr.write('read escape sequence\n');
  return status;
}
