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
 * `-n` numbers the output lines (`%6d` and a tab, counting on across the files); an unknown
 * option is refused as GNU cat refuses it, before any file is read.
 * Left out: every other system file (`No such file or directory`), and cat's other options.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { absolute, kindOf, placeOf, readAny } from '../sandbox-fs';

export const cat: Command = {
  name: 'cat',
  summary: 'print files: cat web.yaml, cat /etc/resolv.conf (in a pod), cat /run/flannel/subnet.env (on a node)',
  usage: 'Usage: cat [OPTION]... [FILE]...\nConcatenate FILE(s) to standard output.\n\nWith no FILE, or when FILE is -, read standard input.',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const args: string[] = [];
    let number = false;
    let options = true;
    for (const a of ctx.argv.slice(1)) {
      if (!options || a === '-' || !a.startsWith('-')) args.push(a);
      else if (a === '--') options = false;
      else if (a === '--number') number = true;
      else if (a.startsWith('--')) throw new CommandError('UNKNOWN_FLAG', `cat: unrecognized option '${a}'\nTry 'cat --help' for more information.`, 1);
      else {
        for (const f of a.slice(1)) {
          if (f === 'n') number = true;
          else if ('AbeEstTuv'.includes(f)) throw new CommandError('UNSUPPORTED', `cat: -${f} is not supported in this sandbox`, 1);
          else throw new CommandError('UNKNOWN_FLAG', `cat: invalid option -- '${f}'\nTry 'cat --help' for more information.`, 1);
        }
      }
    }
    const names = args.length === 0 ? ['-'] : args;
    let line = 0;
    let atStart = true;
    // With -n, each line begins with its number; the count runs on across the files.
    const write = (text: string): void => {
      if (!number) return ctx.stdout.write(text);
      let out = '';
      for (const ch of text.split(/(?<=\n)/)) {
        if (ch === '') continue;
        if (atStart) out += `${String(++line).padStart(6)}\t`;
        out += ch;
        atStart = ch.endsWith('\n');
      }
      ctx.stdout.write(out);
    };
    const busybox = ctx.env.location.kind !== 'workstation' && ctx.env.location.kind !== 'node';
    const place = placeOf(ctx.env);
    let status = 0;
    let stdinUsed = false;
    for (const n of names) {
      if (n === '-') {
        if (ctx.stdin === undefined) throw new CommandError('USAGE', 'cat: reading from the terminal is not supported in this sandbox; give it a file', 1);
        if (!stdinUsed) write(ctx.stdin);
        stdinUsed = true;
        continue;
      }
      const abs = absolute(place, n);
      const body = readAny(ctx.env, place, abs);
      if (body !== undefined) {
        write(body);
        continue;
      }
      const why = kindOf(ctx.env, place, abs) === 'dir' ? 'Is a directory' : 'No such file or directory';
      ctx.stderr.write(busybox ? (why === 'Is a directory' ? `cat: read error: ${why}\n` : `cat: can't open '${n}': ${why}\n`) : `cat: ${n}: ${why}\n`);
      status = 1;
    }
    return status;
  },
};
