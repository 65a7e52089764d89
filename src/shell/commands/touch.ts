/**
 * `touch`: creates empty files, or updates their modification time (GNU coreutils).
 *
 * Design notes: each operand in turn; one that cannot be created (no such directory, no
 * permission) is reported and the others are still handled. `-c` does not create.
 * Left out: `-a`, `-m`, `-d`, `-t`, `-r` (only the modification time is kept).
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { readFile, writeFile } from '../../sim/files';
import { absolute, kindOf, placeOf, writeError } from '../sandbox-fs';

const USAGE = `Usage: touch [OPTION]... FILE...
Update the access and modification times of each FILE to the current time.

A FILE argument that does not exist is created empty, unless -c or -h
is supplied.

  -c, --no-create        do not create any files`;

export const touch: Command = {
  name: 'touch',
  summary: 'create an empty file: touch FILE',
  usage: USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    let noCreate = false;
    const operands: string[] = [];
    let options = true;
    for (const a of ctx.argv.slice(1)) {
      if (options && a === '--') options = false;
      else if (options && (a === '-c' || a === '--no-create')) noCreate = true;
      else if (options && a.startsWith('--')) throw new CommandError('UNKNOWN_FLAG', `touch: unrecognized option '${a}'\nTry 'touch --help' for more information.`, 1);
      else if (options && a.startsWith('-') && a !== '-') throw new CommandError('UNKNOWN_FLAG', `touch: invalid option -- '${a.slice(1).replace(/c/g, '')[0] ?? a[1]}'\nTry 'touch --help' for more information.`, 1);
      else operands.push(a);
    }
    if (operands.length === 0) throw new CommandError('USAGE', "touch: missing file operand\nTry 'touch --help' for more information.", 1);
    const place = placeOf(ctx.env);
    const state = ctx.env.sim.state;
    const now = ctx.env.sim.clock.now();
    let status = 0;
    for (const name of operands) {
      const abs = absolute(place, name);
      const stored = readFile(state, place.machine, abs);
      if (stored) {
        stored.mtime = now;
        continue;
      }
      if (kindOf(ctx.env, place, abs) !== 'none' || noCreate) continue;
      const why = writeError(ctx.env, place, abs);
      if (why) {
        ctx.stderr.write(`touch: cannot touch '${name}': ${why}\n`);
        status = 1;
        continue;
      }
      writeFile(state, place.machine, abs, '', now);
    }
    return status;
  },
};
