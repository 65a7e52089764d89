/**
 * `exit`: leaves a shell opened with `kubectl exec -it POD -- sh`, `ssh NODE` or `docker run -it`.
 *
 * Design notes: on the workstation the learner's own shell cannot be closed (the terminal
 * would be gone), so it says how to reset instead. In a subshell (`$(...)`, a command of a
 * pipeline of several) `exit` ends only that subshell, with its status, everywhere: it throws
 * SubshellExit and the shell stops the subshell's list. The status follows the shell that
 * runs it: without an argument the last command's (`$?`); bash takes a decimal number with
 * an optional sign (`--` first is skipped) modulo 256, says `numeric argument required`
 * (status 2) for anything else and `too many arguments` (status 1) for a second one, and
 * exits either way; busybox ash and dash take digits only, say `Illegal number` (status 2)
 * and then stay (an interactive shell stays on an error; a subshell ends), and ignore any
 * further arguments.
 */
import { SubshellExit, type Command, type CommandContext } from '../command';
import { shellAt } from '../images';
import { WORKSTATION_LOCATION } from '../location';
import { shellState } from '../shell-state';
import { leaveContainer } from './docker/container';
import { endAttached } from './kubectl/run';

/** The status `exit` leaves with, or the error it reports (`stays`: an ash shell that does not exit). */
function exitStatus(ctx: CommandContext): { status: number; error?: string; stays?: boolean } {
  const last = Number(ctx.env.vars['?'] ?? '0') || 0;
  if (shellState(ctx.env).dialect === 'ash') {
    const arg = ctx.argv[1];
    if (arg === undefined) return { status: last };
    if (/^[0-9]+$/.test(arg) && BigInt(arg) <= 2147483647n) return { status: Number(arg) & 255 };
    // dash (Debian images' sh) names the input line.
    const dash = shellAt(ctx.env.sim, ctx.env.location) === 'dash';
    const prefix = dash ? `sh: ${Math.max(1, shellState(ctx.env).history().length)}: ` : 'sh: ';
    return { status: 2, error: `${prefix}exit: Illegal number: ${arg}`, stays: true };
  }
  const args = ctx.argv[1] === '--' ? ctx.argv.slice(2) : ctx.argv.slice(1);
  if (args.length === 0) return { status: last };
  const arg = args[0]!;
  const m = /^[ \t\n]*([-+]?[0-9]+)[ \t\n]*$/.exec(arg);
  const n = m ? BigInt(m[1]!) : undefined;
  if (n === undefined || n > 9223372036854775807n || n < -9223372036854775808n) return { status: 2, error: `bash: exit: ${arg}: numeric argument required` };
  if (args.length > 1) return { status: 1, error: 'bash: exit: too many arguments' };
  return { status: Number(BigInt.asUintN(8, n)) };
}

export const exit: Command = {
  name: 'exit',
  summary: 'leave a shell inside a pod, a container or on a node',
  usage: 'exit: exit [n]\n    Exit the shell with a status of N.',
  where: ['workstation', 'node', 'pod'],
  hidden: true,
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind === 'workstation' && !ctx.subshell) {
      ctx.stderr.write('exit: this terminal stays open; use the Reset button to start the lab again\n');
      return 1;
    }
    const { status, error, stays } = exitStatus(ctx);
    if (ctx.subshell) {
      if (error) ctx.stderr.write(error + '\n');
      throw new SubshellExit(status);
    }
    if (stays) {
      ctx.stderr.write(error + '\n');
      return status;
    }
    // Interactive bash says goodbye on stderr before it looks at its argument: `logout` in a
    // login shell (ssh), `exit` otherwise (bash in a container); ash and dash say nothing.
    if (loc.kind === 'node' && loc.debugPod) {
      // kubectl debug node/NAME: the debugger pod's shell ended; the pod stays (Completed).
      if (error) ctx.stderr.write(error + '\n');
      ctx.enter(WORKSTATION_LOCATION);
      return status;
    }
    if (loc.kind === 'node') ctx.stderr.write('logout\n');
    else if (shellAt(ctx.env.sim, loc) === 'bash') ctx.stderr.write('exit\n');
    // A Docker container's shell returns to its host; when it was the container's own process, the container ends.
    if (loc.kind === 'container') {
      if (error) ctx.stderr.write(error + '\n');
      return leaveContainer(ctx, status);
    }
    if (error) ctx.stderr.write(error + '\n');
    // ssh's own last word, also on stderr.
    if (loc.kind === 'node') ctx.stderr.write(`Connection to ${loc.node} closed.\n`);
    // A pod's own process attached by `kubectl run -it` / `kubectl debug -it`: kubectl's session ends.
    if (loc.kind === 'pod' && loc.attached) {
      ctx.enter(WORKSTATION_LOCATION);
      return endAttached(ctx, loc, status);
    }
    // The pod's shell ran under `kubectl exec -it`, which reports a non-zero end as it does for any program.
    if (loc.kind === 'pod' && status !== 0) ctx.stderr.write(`command terminated with exit code ${status}\n`);
    ctx.enter(WORKSTATION_LOCATION);
    return status;
  },
};
