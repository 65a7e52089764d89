/**
 * `env` and `printenv`: print the environment the shell gives its commands.
 *
 * Design notes: the exported variables in the order they entered the environment, as
 * `NAME=value` lines, then `_` (which bash sets to the program's path); `printenv NAME...`
 * prints the values, with status 1 if any is missing. A `NAME=value` prefix on the command
 * line is part of that environment (`A=1 env`).
 * Left out: running a command with `env [NAME=VALUE]... COMMAND`, `-i`, `-u`; the Kubernetes
 * service variables (`WEB_SERVICE_HOST`, ...) of a pod's environment.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { shellState } from '../shell-state';

function environment(ctx: CommandContext, program: string): [string, string][] {
  const st = shellState(ctx.env);
  const out: [string, string][] = [];
  for (const name of st.exported) {
    const v = ctx.env.vars[name];
    if (v !== undefined && name !== '_') out.push([name, v]);
  }
  if (st.dialect === 'bash') out.push(['_', `/usr/bin/${program}`]);
  return out;
}

export const env: Command = {
  name: 'env',
  summary: 'print the environment (exported variables)',
  usage: 'Usage: env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]\nSet each NAME to VALUE in the environment and run COMMAND.',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const args = ctx.argv.slice(1);
    if (args.length > 0) {
      const a = args[0]!;
      if (a.startsWith('-') && a !== '-' && !a.startsWith('--')) {
        const f = a[1]!;
        if ('uCS'.includes(f) && a.length === 2 && args.length === 1) throw new CommandError('USAGE', `env: option requires an argument -- '${f}'\nTry 'env --help' for more information.`, 125);
        if (!'i0uCSv'.includes(f)) throw new CommandError('UNKNOWN_FLAG', `env: invalid option -- '${f}'\nTry 'env --help' for more information.`, 125);
      }
      throw new CommandError('UNSUPPORTED', 'env: running a command with env is not supported in this sandbox; use NAME=value COMMAND', 125);
    }
    ctx.stdout.write(environment(ctx, 'env').map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  },
};

export const printenv: Command = {
  name: 'printenv',
  summary: 'print environment variables: printenv [NAME]',
  usage: 'Usage: printenv [OPTION]... [VARIABLE]...\nPrint the values of the specified environment VARIABLE(s).\nIf no VARIABLE is specified, print name and value pairs for them all.',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const names = ctx.argv.slice(1);
    if (names[0]?.startsWith('-')) throw new CommandError('UNKNOWN_FLAG', `printenv: invalid option -- '${names[0][1] ?? ''}'\nTry 'printenv --help' for more information.`, 2);
    const vars = environment(ctx, 'printenv');
    if (names.length === 0) {
      ctx.stdout.write(vars.map(([k, v]) => `${k}=${v}\n`).join(''));
      return 0;
    }
    let status = 0;
    for (const n of names) {
      const hit = vars.find(([k]) => k === n);
      if (hit) ctx.stdout.write(hit[1] + '\n');
      else status = 1;
    }
    return status;
  },
};
