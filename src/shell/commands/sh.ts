/**
 * `sh` and `bash` as programs: `sh -c 'TEXT' [NAME [ARGS...]]`, `sh FILE`, `... | sh`.
 *
 * Design notes: the text runs in a new shell process at the place the command runs (the
 * workstation, a node, or inside a container through `kubectl exec POD -- sh -c '...'` and
 * `docker exec C sh -c '...'`): it gets the exported variables only, `$0` is NAME (else the
 * program's name) and `$1`... are ARGS. Which shell it is follows the place: `sh` is dash
 * in Debian-based images (nginx), busybox ash in busybox and Alpine images; `bash` exists on
 * the workstation, the nodes and in images that ship it. On the workstation and the nodes
 * `sh` runs bash (as on RHEL, where /bin/sh is bash). Single-letter options before `-c`
 * (`-e`, `-x`, `-u`, as in `sh -ec`) are accepted and have no effect. Without `-c` or a file
 * the shell reads its commands from its input (a pipe); an interactive shell opens only
 * through `kubectl exec -it`, `docker exec -it` and `ssh`.
 * Left out: bash's `line 1:` in the errors of `bash -c` text, `-o` options, `-s`.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { shellAt } from '../images';
import { absolute, kindOf, placeOf, readAny } from '../sandbox-fs';

async function runShell(ctx: CommandContext, program: 'sh' | 'bash'): Promise<number> {
  const place = ctx.env.location;
  const dialect = program === 'bash' ? 'bash' : shellAt(ctx.env.sim, place);
  const me = program;
  if (!ctx.script) throw new CommandError('UNSUPPORTED', `${me}: cannot start a shell here`, 2);
  const args = ctx.argv.slice(1);
  let k = 0;
  let command = false;
  for (; k < args.length; k++) {
    const a = args[k]!;
    if (a === '--' || a === '-') {
      k++;
      break;
    }
    if (!/^[-+][a-zA-Z]+$/.test(a)) break;
    if (a.startsWith('-') && a.includes('c')) command = true;
    if (/[^ecxuvfna]/.test(a.slice(1))) {
      const bad = /[^ecxuvfna]/.exec(a.slice(1))![0];
      if (dialect === 'bash') throw new CommandError('USAGE', `${me}: ${a.slice(0, 1)}${bad}: invalid option`, 2);
      throw new CommandError('USAGE', `${dialect === 'dash' ? 'sh: 0: ' : 'sh: '}Illegal option -${bad}`, 2);
    }
  }
  const rest = args.slice(k);
  if (command) {
    const text = rest[0];
    if (text === undefined) {
      if (dialect === 'bash') throw new CommandError('USAGE', `${me}: -c: option requires an argument`, 2);
      throw new CommandError('USAGE', dialect === 'dash' ? 'sh: 0: -c requires an argument' : 'sh: -c requires an argument', 2);
    }
    return ctx.script(text, rest[1] ?? ctx.argv[0]!, rest.slice(2), program === 'bash');
  }
  if (rest.length > 0) {
    const p = placeOf(ctx.env);
    const abs = absolute(p, rest[0]!);
    const text = readAny(ctx.env, p, abs);
    if (text === undefined) {
      const why = kindOf(ctx.env, p, abs) === 'dir' ? 'Is a directory' : 'No such file or directory';
      if (dialect === 'bash') throw new CommandError('NOT_FOUND', `${me}: ${rest[0]}: ${why}`, why === 'Is a directory' ? 126 : 127);
      throw new CommandError('NOT_FOUND', dialect === 'dash' ? `sh: 0: cannot open ${rest[0]}: No such file` : `sh: can't open '${rest[0]}': No such file or directory`, dialect === 'dash' ? 2 : 127);
    }
    return ctx.script(text, rest[0]!, rest.slice(1), program === 'bash');
  }
  if (ctx.stdin !== undefined) return ctx.script(ctx.stdin, ctx.argv[0]!, [], program === 'bash');
  throw new CommandError('UNSUPPORTED', `${me}: a nested interactive shell is not supported in this sandbox; use ${me} -c '...', or kubectl exec -it POD -- sh`, 1);
}

export const shCommand: Command = {
  name: 'sh',
  summary: "run shell commands in a new shell: sh -c 'for i in 1 2; do echo $i; done'",
  usage: 'Usage: sh [-c COMMAND [NAME [ARG]...]] [FILE [ARG]...]',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    return runShell(ctx, 'sh');
  },
};

export const bashCommand: Command = {
  name: 'bash',
  summary: "run shell commands in a new bash: bash -c 'echo $((6*7))'",
  usage: 'GNU bash, version 5.1.16(1)-release-(x86_64-pc-linux-gnu)\nUsage:\tbash [GNU long option] [option] ...\n\tbash [GNU long option] [option] script-file ...',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    return runShell(ctx, 'bash');
  },
};
