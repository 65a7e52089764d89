/**
 * Shell builtins: commands the shell itself runs (`echo`, `export`, `unset`, `history`, `pwd`,
 * `true`, `false`).
 *
 * Design notes: a builtin exists wherever there is a shell, whatever a pod's image ships, and
 * answers `--help` the way bash's builtins do: only as the first argument, with the help
 * text on stdout and status 2 (bash's "usage" status). The shell therefore does not answer
 * `--help` for them; `echo`, `true` and `false` take no options at all, as in bash.
 */
import type { Command, CommandContext } from '../command';

export interface Builtin extends Command {
  builtin: true;
}

export function isBuiltin(c: Command): c is Builtin {
  return (c as Partial<Builtin>).builtin === true;
}

/** bash's `NAME --help`: the help text and status 2; undefined when not asked for. */
export function builtinHelp(ctx: CommandContext, usage: string): number | undefined {
  if (ctx.argv[1] !== '--help') return undefined;
  ctx.stdout.write(usage + '\n');
  return 2;
}
