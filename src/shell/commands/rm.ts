/**
 * `rm`: removes the learner's files (GNU coreutils' messages).
 *
 * Design notes: each operand is handled in turn, as the real tool does: a missing file is
 * reported (unless -f) and the others are still removed, so the status is 1 if any failed.
 * A directory needs -r, which removes every file under it. The files generated from the
 * model (a node's `/run/flannel/subnet.env`, a pod's `/etc/resolv.conf`) and the standard
 * directories cannot be removed: the learner gets `Permission denied`, root `Device or
 * resource busy` (in a pod those files are bind mounts, which is what rm reports there).
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { readFile, removeFile } from '../../sim/files';
import { absolute, generatedFiles, kindOf, placeOf } from '../sandbox-fs';

const USAGE = `Usage: rm [OPTION]... [FILE]...
Remove (unlink) the FILE(s).

  -f, --force           ignore nonexistent files and arguments, never prompt
  -r, -R, --recursive   remove directories and their contents recursively`;

export const rm: Command = {
  name: 'rm',
  summary: 'remove files: rm FILE..., rm -r DIR',
  usage: USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const flags = new Set<string>();
    const operands: string[] = [];
    let options = true;
    for (const a of ctx.argv.slice(1)) {
      if (options && a === '--') options = false;
      else if (options && a.startsWith('--')) {
        const long: Record<string, string> = { '--force': 'f', '--recursive': 'r' };
        if (!long[a]) throw new CommandError('UNKNOWN_FLAG', `rm: unrecognized option '${a}'\nTry 'rm --help' for more information.`, 1);
        flags.add(long[a]);
      } else if (options && a.startsWith('-') && a !== '-') {
        for (const f of a.slice(1)) {
          if (!'frRv'.includes(f)) throw new CommandError('UNKNOWN_FLAG', `rm: invalid option -- '${f}'\nTry 'rm --help' for more information.`, 1);
          flags.add(f === 'R' ? 'r' : f);
        }
      } else operands.push(a);
    }
    if (operands.length === 0) {
      if (flags.has('f')) return 0;
      throw new CommandError('USAGE', "rm: missing operand\nTry 'rm --help' for more information.", 1);
    }
    const place = placeOf(ctx.env);
    const state = ctx.env.sim.state;
    const generated = generatedFiles(ctx.env);
    const busy = place.root ? 'Device or resource busy' : 'Permission denied';
    let status = 0;
    const fail = (name: string, why: string): void => {
      ctx.stderr.write(`rm: cannot remove '${name}': ${why}\n`);
      status = 1;
    };
    for (const name of operands) {
      const abs = absolute(place, name);
      const kind = kindOf(ctx.env, place, abs);
      if (kind === 'none') {
        if (!flags.has('f')) fail(name, 'No such file or directory');
        continue;
      }
      if (kind === 'file') {
        if (readFile(state, place.machine, abs)) {
          removeFile(state, place.machine, abs);
          if (flags.has('v')) ctx.stdout.write(`removed '${name}'\n`);
        } else fail(name, busy);
        continue;
      }
      if (!flags.has('r')) {
        fail(name, 'Is a directory');
        continue;
      }
      const prefix = abs === '/' ? '/' : abs + '/';
      const stored = Object.keys(state.files?.[place.machine] ?? {}).filter((p) => p.startsWith(prefix));
      if (Object.keys(generated).some((p) => p.startsWith(prefix)) || kindOf(ctx.env, place, abs) === 'dir' && stored.length === 0 && !abs.startsWith(place.home + '/')) {
        fail(name, busy);
        continue;
      }
      for (const p of stored) removeFile(state, place.machine, p);
      if (flags.has('v')) ctx.stdout.write(`removed directory '${name}'\n`);
    }
    return status;
  },
};
