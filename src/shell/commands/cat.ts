/**
 * `cat`: prints files, or copies its input.
 *
 * Design notes: the files are those of the place the shell runs in (sandbox-fs.ts): the
 * learner's own (written with `>`, `touch`, or put there by a lab) and the ones generated
 * from the model with the content real machines have: in a pod `/etc/resolv.conf`,
 * `/etc/hosts`, `/etc/hostname`; on a node flannel's `/run/flannel/subnet.env` and
 * `/etc/cni/net.d/10-flannel.conflist`, `/proc/sys/net/ipv4/ip_forward`, `/etc/resolv.conf`
 * and `/etc/hostname`. `cat` without a file, or with `-`, copies its input (a pipeline, a
 * `<` redirection or a here-document). Errors follow GNU coreutils on the workstation and
 * nodes and busybox in pods.
 * Left out: every other system file (`No such file or directory`), and cat's options.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { absolute, kindOf, placeOf, readAny } from '../sandbox-fs';

export const cat: Command = {
  name: 'cat',
  summary: 'print a file: cat /etc/resolv.conf (in a pod), cat /run/flannel/subnet.env (on a node)',
  usage: 'Usage: cat [OPTION]... [FILE]...\nConcatenate FILE(s) to standard output.\n\nWith no FILE, or when FILE is -, read standard input.',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const args = ctx.argv.slice(1);
    const names = args.length === 0 ? ['-'] : args;
    const busybox = ctx.env.location.kind !== 'workstation' && ctx.env.location.kind !== 'node';
    const place = placeOf(ctx.env);
    let status = 0;
    let stdinUsed = false;
    for (const n of names) {
      if (n === '-') {
        if (ctx.stdin === undefined) throw new CommandError('USAGE', 'cat: reading from the terminal is not supported in this sandbox; give it a file', 1);
        if (!stdinUsed) ctx.stdout.write(ctx.stdin);
        stdinUsed = true;
        continue;
      }
      const abs = absolute(place, n);
      const body = readAny(ctx.env, place, abs);
      if (body !== undefined) {
        ctx.stdout.write(body);
        continue;
      }
      const why = kindOf(ctx.env, place, abs) === 'dir' ? 'Is a directory' : 'No such file or directory';
      ctx.stderr.write(busybox ? (why === 'Is a directory' ? `cat: read error: ${why}\n` : `cat: can't open '${n}': ${why}\n`) : `cat: ${n}: ${why}\n`);
      status = 1;
    }
    return status;
  },
};
