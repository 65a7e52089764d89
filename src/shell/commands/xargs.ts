/**
 * `xargs`: run a command with arguments read from the input. GNU findutils' on the
 * workstation, the nodes and in Debian-based images; busybox's applet in busybox and Alpine
 * images.
 *
 * Design notes: items are read from the input (the previous command of a pipeline), split at
 * blanks and newlines, with `'...'`, `"..."` and backslash quoting as xargs does (an unmatched
 * quote is an error before anything runs); `-0` splits at NUL bytes and `-d C` (GNU) at C with
 * no quoting. The command (default `echo`) runs with as many items as fit (`-n N` at most N
 * per run, `-L N` the items of N lines); `-I R` runs it once per input line with R replaced
 * in its arguments; `-r` runs nothing for empty input (otherwise the command runs once, as
 * both versions do); `-t` prints each command line on stderr first; `-P` is accepted and
 * runs one at a time. Commands are found the way the shell finds a program where xargs runs
 * (not shell functions), with no input of their own. Statuses: 123 when a run failed with
 * 1-125, 124 after a run exited 255 (`xargs: CMD: exited with status 255; aborting`), 127 for
 * a missing command (`xargs: CMD: No such file or directory`). Left out: `-a`, `-p`, `-s`
 * limits (all items fit), `-E` end markers.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';

const BUSYBOX_USAGE = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: xargs [OPTIONS] [PROG ARGS]\n\nRun PROG on every item given by stdin\n\n\t-0\tNUL terminated input\n\t-a FILE\tRead from FILE instead of stdin\n\t-r\tDon\'t run command if input is empty\n\t-t\tPrint the command on stderr before execution\n\t-p\tAsk user whether to run each command\n\t-E STR,-e[STR]\tSTR stops input processing\n\t-I STR\tReplace STR within PROG ARGS with input line\n\t-n N\tPass no more than N args to PROG\n\t-s N\tPass command line of no more than N bytes\n\t-P N\tRun up to N PROGs in parallel\n\t-x\tExit if size is exceeded';
const GNU_USAGE = `Usage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...
Run COMMAND with arguments INITIAL-ARGS and more arguments read from input.

Mandatory and optional arguments to long options are also
mandatory or optional for the corresponding short option.
  -0, --null                   items are separated by a null, not whitespace;
                                 disables quote and backslash processing and
                                 logical EOF processing
  -d, --delimiter=CHARACTER    items in input stream are separated by CHARACTER,
                                 not by whitespace; disables quote and backslash
                                 processing and logical EOF processing
  -I R                         same as --replace=R
  -L, --max-lines=MAX-LINES    use at most MAX-LINES non-blank input lines per
                                 command line
  -n, --max-args=MAX-ARGS      use at most MAX-ARGS arguments per command line
  -P, --max-procs=MAX-PROCS    run at most MAX-PROCS processes at a time
  -r, --no-run-if-empty        if there are no arguments, then do not run COMMAND;
                                 if this option is not given, COMMAND will be
                                 run at least once
  -t, --verbose                print commands before executing them
      --help                   display this help and exit
      --version                output version information and exit`;

/** Options that take a value (GNU and busybox agree on these letters). */
const VALUE = new Set(['n', 'L', 'I', 'd', 'P', 's', 'E', 'a']);
const FLAGS = new Set(['0', 'r', 't', 'x', 'p']);

/** Items of one input line, with xargs's quoting; throws on an unmatched quote. */
function splitQuoted(line: string, gnu: boolean): string[] {
  const items: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (has) items.push(cur);
      cur = '';
      has = false;
    } else if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) {
        const which = c === "'" ? 'single' : 'double';
        throw new CommandError('INVALID', gnu ? `xargs: unmatched ${which} quote; by default quotes are special to xargs unless you use the -0 option` : `xargs: unmatched ${which} quote`, 1);
      }
      cur += line.slice(i + 1, end);
      has = true;
      i = end;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) items.push(cur);
  return items;
}

async function run(ctx: CommandContext, gnu: boolean): Promise<number> {
  const opts = new Map<string, string>();
  const args = ctx.argv.slice(1);
  let k = 0;
  for (; k < args.length; k++) {
    const a = args[k]!;
    if (a === '--') {
      k++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const long = gnu ? /^--(null|no-run-if-empty|verbose|max-args|max-lines|delimiter|max-procs|replace)(?:=(.*))?$/.exec(a) : null;
    if (long) {
      const map: Record<string, string> = { null: '0', 'no-run-if-empty': 'r', verbose: 't', 'max-args': 'n', 'max-lines': 'L', delimiter: 'd', 'max-procs': 'P', replace: 'I' };
      const o = map[long[1]!]!;
      opts.set(o, VALUE.has(o) ? (long[2] ?? (o === 'I' ? '{}' : args[++k] ?? '')) : '');
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const o = a[j]!;
      if (FLAGS.has(o)) opts.set(o, '');
      else if (VALUE.has(o)) {
        const v = a.slice(j + 1) || args[++k];
        if (v === undefined) throw new CommandError('USAGE', gnu ? `xargs: option requires an argument -- '${o}'\nUsage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...\nTry 'xargs --help' for more information.` : `xargs: option requires an argument -- '${o}'\n${BUSYBOX_USAGE}`, 1);
        opts.set(o, v);
        break;
      } else throw new CommandError('USAGE', gnu ? `xargs: invalid option -- '${o}'\nUsage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...\nTry 'xargs --help' for more information.` : `xargs: invalid option -- '${o}'\n${BUSYBOX_USAGE}`, 1);
    }
  }
  const command = args.slice(k);
  if (command.length === 0) command.push('echo');
  for (const o of ['n', 'L', 'P']) {
    const v = opts.get(o);
    if (v !== undefined && !/^[0-9]+$/.test(v)) throw new CommandError('USAGE', gnu ? `xargs: invalid number "${v}" for -${o} option` : `xargs: invalid number '${v}'`, 1);
    if (v !== undefined && Number(v) === 0 && o !== 'P') throw new CommandError('USAGE', gnu ? `xargs: value ${v} for -${o} option should be >= 1` : `xargs: invalid number '${v}'`, 1);
  }
  const input = ctx.stdin ?? '';
  // Each run's items: `-I` one per line, `-L` whole lines, otherwise up to -n items.
  const runs: string[][] = [];
  const replace = opts.get('I');
  if (replace !== undefined) {
    for (const line of input.split('\n')) {
      const item = line.replace(/^[ \t]+/, '');
      if (item !== '') runs.push([item]);
    }
  } else {
    let items: string[];
    const delim = opts.has('0') ? '\0' : opts.get('d');
    const lines: string[][] = [];
    if (delim !== undefined) {
      const d = delim === '\\n' ? '\n' : delim === '\\t' ? '\t' : delim;
      items = input.split(d);
      if (items[items.length - 1] === '' || (d !== '\n' && items[items.length - 1] === '\n')) items.pop();
      lines.push(...items.map((i) => [i]));
    } else {
      for (const line of input.split('\n')) {
        const got = splitQuoted(line, gnu);
        if (got.length > 0) lines.push(got);
      }
      items = lines.flat();
    }
    const perLines = opts.get('L');
    const per = opts.get('n');
    if (perLines !== undefined) for (let i = 0; i < lines.length; i += Number(perLines)) runs.push(lines.slice(i, i + Number(perLines)).flat());
    else if (per !== undefined) for (let i = 0; i < items.length; i += Number(per)) runs.push(items.slice(i, i + Number(per)));
    else if (items.length > 0) runs.push(items);
  }
  if (runs.length === 0 && !opts.has('r') && replace === undefined) runs.push([]);
  let status = 0;
  for (const items of runs) {
    if (ctx.interrupt.interrupted) return 130;
    const argv = replace !== undefined ? command.map((a) => a.split(replace).join(items[0]!)) : [...command, ...items];
    if (opts.has('t')) ctx.stderr.write(argv.join(' ') + '\n');
    let s: number;
    try {
      s = await ctx.spawn(ctx.env.location, argv, false);
    } catch (e) {
      if (e instanceof CommandError && e.code === 'COMMAND_NOT_FOUND') {
        ctx.stderr.write(`xargs: ${argv[0]}: No such file or directory\n`);
        return 127;
      }
      throw e;
    }
    if (s === 255) {
      ctx.stderr.write(`xargs: ${argv[0]}: exited with status 255; aborting\n`);
      return 124;
    }
    if (s !== 0) status = 123;
  }
  return status;
}

export const xargsGnu: Command = {
  name: 'xargs',
  summary: 'run a command with arguments read from the input: ... | xargs -n1 echo',
  usage: GNU_USAGE,
  where: ['workstation', 'node', 'pod'],
  images: ['nginx'],
  async run(ctx) {
    return run(ctx, true);
  },
};

export const xargsBusybox: Command = {
  name: 'xargs',
  summary: 'run a command with arguments read from the input: ... | xargs -n1 echo',
  usage: BUSYBOX_USAGE,
  where: ['pod'],
  async run(ctx) {
    return run(ctx, false);
  },
};
