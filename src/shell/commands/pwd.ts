/**
 * `pwd`: the builtin that prints the working directory.
 *
 * Design notes: the shell stays in its starting directory (the home directory on the
 * workstation and on nodes, the image's working directory in a pod or container: `/`, or
 * netshoot's `/root`; sandbox-fs.ts placeOf), so that is what it prints. `-L` and `-P` are
 * accepted (there are no symbolic links); other options are refused as bash does.
 */
import { placeOf } from '../sandbox-fs';
import { builtinHelp, type Builtin } from './builtin';

const USAGE = "pwd: pwd [-LP]\n    Print the name of the current working directory.\n    \n    Options:\n      -L\tprint the value of $PWD if it names the current working\n    \t\tdirectory\n      -P\tprint the physical directory, without any symbolic links\n    \n    By default, `pwd' behaves as if `-L' were specified.";

export const pwd: Builtin = {
  name: 'pwd',
  builtin: true,
  summary: 'print the working directory',
  usage: USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const help = builtinHelp(ctx, USAGE);
    if (help !== undefined) return help;
    for (const a of ctx.argv.slice(1)) {
      if (a === '--') break;
      if (!/^-[LP]+$/.test(a) && a.startsWith('-') && a !== '-') {
        ctx.stderr.write(`bash: pwd: ${a.slice(0, 2)}: invalid option\npwd: usage: pwd [-LP]\n`);
        return 2;
      }
    }
    ctx.stdout.write(placeOf(ctx.env).cwd + '\n');
    return 0;
  },
};
