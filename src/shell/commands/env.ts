/**
 * `env` and `printenv`: print the environment the shell gives its commands.
 *
 * Design notes: the exported variables as `NAME=value` lines. From bash: in the order they
 * entered the environment, then `_` (which bash sets to the program's path). From busybox ash
 * and dash (a pod's sh): in the order of their variable table, which hashes each name into one
 * of 39 buckets (hashvar: the first byte times 16 plus every byte of the name) and keeps a
 * bucket's variables in the order they were created; the shell created its environment's
 * variables in the order the container runtime passed them (container-env.ts), then (ash)
 * SHLVL and PWD. A process run with no shell (`kubectl exec POD -- env`) prints the runtime's
 * order as it is. `printenv NAME...`
 * prints the values, with status 1 if any is missing. A `NAME=value` prefix on the command
 * line is part of that environment (`A=1 env`).
 * Left out: running a command with `env [NAME=VALUE]... COMMAND`, `-i`, `-u`.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { shellState } from '../shell-state';

/** ash's and dash's hashvar(): the bucket of their 39-bucket variable table a name falls in. */
export function ashBucket(name: string): number {
  let h = (name.charCodeAt(0) & 0xff) << 4;
  for (let i = 0; i < name.length; i++) h += name.charCodeAt(i) & 0xff;
  return h % 39;
}

function environment(ctx: CommandContext, program: string): [string, string][] {
  const st = shellState(ctx.env);
  const out: [string, string][] = [];
  for (const name of st.exported) {
    const v = ctx.env.vars[name];
    if (v !== undefined && name !== '_') out.push([name, v]);
  }
  if (st.direct) return out;
  // ash and dash build a command's environment by walking their variable table (listvars):
  // bucket by bucket, each bucket's variables in the order they were created.
  if (st.dialect !== 'bash') return out.map((e, i) => ({ e, i, b: ashBucket(e[0]) })).sort((x, y) => x.b - y.b || x.i - y.i).map((x) => x.e);
  out.push(['_', `/usr/bin/${program}`]);
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
