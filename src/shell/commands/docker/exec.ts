/**
 * `docker exec [-it] CONTAINER COMMAND [ARG...]`: run a program inside a running container.
 *
 * Design notes: the program runs in the container's network namespace with the image's tools
 * (busybox ping in a busybox or alpine container). `-it CONTAINER sh` opens a shell there
 * (prompt `/ # `) until `exit`, which leaves the container running. A stopped container, a
 * missing one and a program the image does not ship fail with the daemon's and runc's words;
 * the exit status is the program's (126/127 when it cannot start).
 * Left out: `-e`, `-u`, `-w`, `-d`.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { containerHas, containerLocation, imageShips, isShell } from './container';
import { programName } from '../../images';
import { daemonError, lookupContainer, parseFlags, requireHost, requiresMin, type FlagSpec, type SubcommandInfo } from './common';

export const EXEC: SubcommandInfo = { path: 'docker exec', use: 'docker exec [OPTIONS] CONTAINER COMMAND [ARG...]' };

const FLAGS: FlagSpec[] = [
  { name: 'interactive', short: 'i', type: 'bool' },
  { name: 'tty', short: 't', type: 'bool' },
  { name: 'help', type: 'bool' },
];

export const EXEC_USAGE = `Usage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]

Execute a command in a running container

Aliases:
  docker container exec, docker exec

Options:
  -i, --interactive   Keep STDIN open even if not attached
  -t, --tty           Allocate a pseudo-TTY`;

export async function dockerExec(ctx: CommandContext, argv: string[]): Promise<number> {
  const host = requireHost(ctx);
  const flags = parseFlags(argv, FLAGS, EXEC, false);
  if (flags.bools.has('help')) {
    ctx.stdout.write(EXEC_USAGE + '\n');
    return 0;
  }
  if (flags.args.length < 2) throw requiresMin(EXEC, 2);
  const [ref, prog, ...args] = flags.args as [string, string, ...string[]];
  const c = lookupContainer(ctx, host, ref);
  if (c.status !== 'running') throw daemonError(`container ${c.id} is not running`);
  const program = programName(prog);
  if (!imageShips(c.image, program)) {
    throw new CommandError('EXEC_FAILED', `OCI runtime exec failed: exec failed: unable to start container process: exec: "${prog}": executable file not found in $PATH: unknown`, 127);
  }
  const location = containerLocation(c, false, program);
  if (!containerHas(c.image, program) && !isShell(program)) throw new CommandError('UNSUPPORTED', `docker: the sandbox does not run ${program} inside containers; try ping, ip, hostname, cat or sh`, 126);
  const tty = flags.bools.has('tty');
  if (isShell(program) && args.length === 0) {
    // A shell reads commands from stdin: with -i and a terminal it is the learner's; without -i it reads nothing and exits.
    if (flags.bools.has('interactive') && tty) ctx.enter(location);
    return 0;
  }
  return ctx.spawn(location, [program, ...args], tty);
}
