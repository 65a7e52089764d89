/**
 * `docker rm [-f]`, `docker stop` and `docker start`: ending and removing containers.
 *
 * Design notes: each takes one or more containers and prints each name or id as given once
 * done; a failure for one (`No such container`, a running container without `-f`) does not
 * stop the others, and the failures are printed after the names (the CLI joins them into its
 * one error), exit 1. `docker stop` sends the image's stop signal: nginx
 * quits at once (exit 0), while a shell, `sleep` or `ping` running as PID 1 has no handler
 * for SIGTERM, so Docker waits its 10-second timeout and kills it (exit 137); the CLI stops
 * several containers in parallel, so they share that one wait. A stopped
 * container keeps its name but loses its address and published ports; `docker start` gives
 * it a network again (the lowest free address, which may differ from the last one).
 * `docker rm -f` kills a running container and removes it; a `--rm` container is removed
 * when it stops.
 * Left out: `-t/--time`, `-v`, `--link`, `-a` (attach) on start.
 */
import type { CommandContext } from '../../command';
import { dockerProcessExited, dockerRm, dockerStart } from '../../../sim/docker';
import { keepsRunning, stopsOnSignal } from './container';
import { daemonError, lookupContainer, now, parseFlags, requireHost, requiresMin, type FlagSpec, type SubcommandInfo } from './common';
import { CommandError } from '../../errors';

export const RM: SubcommandInfo = { path: 'docker rm', use: 'docker rm [OPTIONS] CONTAINER [CONTAINER...]' };
export const STOP: SubcommandInfo = { path: 'docker stop', use: 'docker stop [OPTIONS] CONTAINER [CONTAINER...]' };
export const START: SubcommandInfo = { path: 'docker start', use: 'docker start [OPTIONS] CONTAINER [CONTAINER...]' };

export const RM_USAGE = `Usage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]

Remove one or more containers

Aliases:
  docker container rm, docker container remove, docker rm

Options:
  -f, --force   Force the removal of a running container (uses SIGKILL)`;

export const STOP_USAGE = `Usage:  docker stop [OPTIONS] CONTAINER [CONTAINER...]

Stop one or more running containers

Aliases:
  docker container stop, docker stop`;

export const START_USAGE = `Usage:  docker start [OPTIONS] CONTAINER [CONTAINER...]

Start one or more stopped containers

Aliases:
  docker container start, docker start`;

/**
 * Runs `each` for every argument and prints each name that succeeded; the daemon's errors
 * come after them, joined, as the CLI returns them (errors.Join), exit 1 if any failed.
 */
async function forEach(ctx: CommandContext, refs: string[], each: (ref: string) => Promise<void> | void): Promise<number> {
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await each(ref);
      ctx.stdout.write(ref + '\n');
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      errors.push(e.message);
    }
  }
  for (const m of errors) ctx.stderr.write(m + '\n');
  return errors.length > 0 ? 1 : 0;
}

export async function dockerRmCommand(ctx: CommandContext, argv: string[]): Promise<number> {
  const host = requireHost(ctx);
  const flags = parseFlags(argv, [{ name: 'force', short: 'f', type: 'bool' }, { name: 'help', type: 'bool' }] as FlagSpec[], RM, true);
  if (flags.bools.has('help')) {
    ctx.stdout.write(RM_USAGE + '\n');
    return 0;
  }
  if (flags.args.length === 0) throw requiresMin(RM, 1);
  return forEach(ctx, flags.args, (ref) => {
    const c = lookupContainer(ctx, host, ref);
    try {
      dockerRm(ctx.env.sim.state, host.name, c.id, flags.bools.has('force'));
    } catch (e) {
      throw daemonError((e instanceof Error ? e.message : String(e)).replace(`"${c.id}"`, `"${ref}"`));
    }
  });
}

export async function dockerStop(ctx: CommandContext, argv: string[]): Promise<number> {
  const host = requireHost(ctx);
  const flags = parseFlags(argv, [{ name: 'help', type: 'bool' }], STOP, true);
  if (flags.bools.has('help')) {
    ctx.stdout.write(STOP_USAGE + '\n');
    return 0;
  }
  if (flags.args.length === 0) throw requiresMin(STOP, 1);
  // The CLI stops its containers in parallel: those that need the timeout all end after one
  // 10-second wait, and the names are printed in the order given once all are done.
  const state = ctx.env.sim.state;
  const slow: string[] = [];
  const results = flags.args.map((ref): CommandError | undefined => {
    try {
      const c = lookupContainer(ctx, host, ref);
      if (c.status !== 'running') return undefined;
      // SIGTERM is ignored by a PID 1 without a handler: Docker waits 10 s, then SIGKILL.
      if (!stopsOnSignal(c)) slow.push(c.id);
      else dockerProcessExited(state, host.name, c.id, 0, now(ctx));
      return undefined;
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      return e;
    }
  });
  if (slow.length > 0) {
    await ctx.sleep(10_000);
    for (const id of slow) dockerProcessExited(state, host.name, id, 137, now(ctx));
  }
  flags.args.forEach((ref, i) => {
    if (!results[i]) ctx.stdout.write(ref + '\n');
  });
  const errors = results.filter((e): e is CommandError => e !== undefined);
  for (const e of errors) ctx.stderr.write(e.message + '\n');
  return errors.length > 0 ? 1 : 0;
}

export async function dockerStartCommand(ctx: CommandContext, argv: string[]): Promise<number> {
  const host = requireHost(ctx);
  const flags = parseFlags(argv, [{ name: 'help', type: 'bool' }], START, true);
  if (flags.bools.has('help')) {
    ctx.stdout.write(START_USAGE + '\n');
    return 0;
  }
  if (flags.args.length === 0) throw requiresMin(START, 1);
  return forEach(ctx, flags.args, (ref) => {
    const c = lookupContainer(ctx, host, ref);
    try {
      dockerStart(ctx.env.sim.state, host.name, c.id, now(ctx));
    } catch (e) {
      throw daemonError(e instanceof Error ? e.message : String(e));
    }
    // A command that ends at once (a shell without -i) exits again straight away.
    if (!keepsRunning(c)) dockerProcessExited(ctx.env.sim.state, host.name, c.id, 0, now(ctx));
  });
}
