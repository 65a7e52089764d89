/**
 * `sleep`: waits, in sandbox time.
 *
 * Design notes: GNU coreutils on the workstation and nodes: each operand is a number
 * (fractions allowed) with an optional suffix s, m, h or d, and the waits add up; `infinity`
 * waits for ever. Inside a pod it is busybox's applet, with its own error wording. Time
 * passes through ctx.sleep in steps of at most a second, so Ctrl+C ends it promptly, with
 * status 130 as bash reports for a command killed by SIGINT.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';

const GNU_USAGE = `Usage: sleep NUMBER[SUFFIX]...
  or:  sleep OPTION
Pause for NUMBER seconds.  SUFFIX may be 's' for seconds (the default),
'm' for minutes, 'h' for hours or 'd' for days.  NUMBER need not be an
integer.  Given two or more arguments, pause for the amount of time
specified by the sum of their values.

      --help        display this help and exit
      --version     output version information and exit`;

const BUSYBOX_USAGE = `BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.

Usage: sleep [N]...

Pause for a time equal to the total of the args given, where each arg can
have an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays`;

const UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

export const sleep: Command = {
  name: 'sleep',
  summary: 'wait N seconds (sandbox time): sleep 5',
  usage: GNU_USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const busybox = ctx.env.location.kind !== 'workstation' && ctx.env.location.kind !== 'node';
    const args = ctx.argv.slice(1);
    const operands = args[0] === '--' ? args.slice(1) : args;
    if (operands.length === 0) {
      if (busybox) throw new CommandError('USAGE', BUSYBOX_USAGE, 1);
      throw new CommandError('USAGE', "sleep: missing operand\nTry 'sleep --help' for more information.", 1);
    }
    let seconds = 0;
    for (const a of operands) {
      const m = /^\+?(\d+\.?\d*|\.\d+)([smhd]?)$/.exec(a);
      if (m) seconds += Number(m[1]) * UNIT[m[2]!]!;
      else if (/^inf(inity)?$/i.test(a) && !busybox) seconds = Infinity;
      else if (busybox) throw new CommandError('INVALID', `sleep: invalid number '${a}'`, 1);
      else if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) throw new CommandError('USAGE', `sleep: invalid option -- '${a[1]}'\nTry 'sleep --help' for more information.`, 1);
      else throw new CommandError('INVALID', `sleep: invalid time interval \u2018${a}\u2019\nTry 'sleep --help' for more information.`, 1);
    }
    let left = seconds * 1000;
    if (!Number.isFinite(left)) ctx.endless();
    while (left > 0) {
      const step = Math.min(left, 1000);
      if (!(await ctx.sleep(step))) return 130;
      left -= step;
    }
    return ctx.interrupt.interrupted ? 130 : 0;
  },
};
