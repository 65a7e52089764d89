/**
 * `test` and `[`: the shell builtins that evaluate a condition (test-expr.ts) into a status.
 *
 * Design notes: a builtin in every shell here (bash, dash, busybox ash), so it runs whatever a
 * pod's image ships. `[` needs `]` as its last argument. Errors are the shell's own: bash
 * `bash: [: missing \`]'`, dash `sh: 1: [: missing ]` (dash counts input lines), busybox ash
 * `sh: missing ]` (ash names neither the line nor the command); status 2. Unlike bash's other
 * builtins they take no `--help`: `test --help` is true (a non-empty string) and `[ --help`
 * misses its `]`, as in bash.
 */
import { shellAt } from '../images';
import { absolute, kindOf, placeOf, readAny } from '../sandbox-fs';
import { shellState } from '../shell-state';
import { runTest, TestError, type FileInfo } from '../test-expr';
import type { CommandContext } from '../command';
import type { Builtin } from './builtin';

const TEST_USAGE = 'test: test [expr]\n    Evaluate conditional expression.\n    \n    Exits with a status of 0 (true) or 1 (false) depending on\n    the evaluation of EXPR.';
const BRACKET_USAGE = '[: [ arg... ]\n    Evaluate conditional expression.\n    \n    This is a synonym for the "test" builtin, but the last argument must\n    be a literal `]\', to match the opening `[\'.';

/** Answers file tests from the sandbox's files where the shell runs. */
export function sandboxFiles(ctx: Pick<CommandContext, 'env'>): FileInfo {
  const place = placeOf(ctx.env);
  return {
    kind: (p) => (p === '' ? 'none' : kindOf(ctx.env, place, absolute(place, p))),
    size: (p) => readAny(ctx.env, place, absolute(place, p))?.length ?? 0,
  };
}

/** The prefix of a builtin's error in the running shell: `bash: NAME: `, `sh: 1: NAME: `, `sh: `. */
export function builtinErrorPrefix(ctx: Pick<CommandContext, 'env'>, name: string): string {
  const shell = shellAt(ctx.env.sim, ctx.env.location);
  if (shell === 'bash') return `bash: ${name}: `;
  if (shell === 'dash') return `sh: ${Math.max(1, shellState(ctx.env).history().length)}: ${name}: `;
  return 'sh: ';
}

async function run(ctx: CommandContext, bracket: boolean): Promise<number> {
  const shell = shellAt(ctx.env.sim, ctx.env.location);
  const name = bracket ? '[' : 'test';
  let args = ctx.argv.slice(1);
  if (bracket) {
    if (args[args.length - 1] !== ']') {
      ctx.stderr.write(`${builtinErrorPrefix(ctx, name)}${shell === 'bash' ? "missing `]'" : 'missing ]'}\n`);
      return 2;
    }
    args = args.slice(0, -1);
  }
  try {
    return runTest(args, shell, sandboxFiles(ctx));
  } catch (e) {
    if (!(e instanceof TestError)) throw e;
    ctx.stderr.write(`${builtinErrorPrefix(ctx, name)}${e.message}\n`);
    return 2;
  }
}

export const testCommand: Builtin = {
  name: 'test',
  builtin: true,
  summary: 'evaluate a condition: files (-f -d -e), strings (-z -n = !=), numbers (-eq -lt ...)',
  usage: TEST_USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    return run(ctx, false);
  },
};

export const bracketCommand: Builtin = {
  name: '[',
  builtin: true,
  summary: 'evaluate a condition, like test; the last argument is ]',
  usage: BRACKET_USAGE,
  where: ['workstation', 'node', 'pod'],
  hidden: true,
  async run(ctx) {
    return run(ctx, true);
  },
};
