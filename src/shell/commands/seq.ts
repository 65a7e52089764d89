/**
 * `seq`: print a sequence of numbers. GNU coreutils' on the workstation, the nodes and in
 * Debian-based images (nginx); busybox's applet in busybox and Alpine-based images.
 *
 * Design notes: `seq LAST`, `seq FIRST LAST`, `seq FIRST INCREMENT LAST`, with `-s SEP`, `-w`
 * (pad with zeros to equal width) and, in GNU's, `-f FORMAT` (one `%f`, `%g` or `%e`
 * conversion with flags, width and precision). Numbers may be decimals: the output then has
 * as many decimals as FIRST or INCREMENT has (`seq 0 0.5 2` prints `0.0` ... `2.0`).
 * GNU's errors: `invalid floating point argument: ‘x’`, `missing operand`, `extra operand`,
 * `invalid Zero increment value` (C.UTF-8 quotes), each followed by its `Try 'seq --help'`
 * line, status 1. busybox prints its usage on stderr for a bad number or a missing operand,
 * status 1, and repeats FIRST forever for an increment of 0: the sandbox stops that after
 * SEQ_LIMIT numbers and says so. Left out: `%a` formats, long double precision (numbers are
 * JavaScript doubles).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';

const BUSYBOX_USAGE = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n\nPrint numbers from FIRST to LAST, in steps of INC.\nFIRST, INC default to 1.\n\n\t-w\tPad to last with leading zeros\n\t-s SEP\tString separator';
const GNU_USAGE = `Usage: seq [OPTION]... LAST
  or:  seq [OPTION]... FIRST LAST
  or:  seq [OPTION]... FIRST INCREMENT LAST
Print numbers from FIRST to LAST, in steps of INCREMENT.

Mandatory arguments to long options are mandatory for short options too.
  -f, --format=FORMAT      use printf style floating-point FORMAT
  -s, --separator=STRING   use STRING to separate numbers (default: \\n)
  -w, --equal-width        equalize width by padding with leading zeroes
      --help        display this help and exit
      --version     output version information and exit

If FIRST or INCREMENT is omitted, it defaults to 1.  That is, an
omitted INCREMENT defaults to 1 even when LAST is smaller than FIRST.
The sequence of numbers ends when the sum of the current number and
INCREMENT would become greater than LAST.
FIRST, INCREMENT, and LAST are interpreted as floating point values.
INCREMENT is usually positive if FIRST is smaller than LAST, and
INCREMENT is usually negative if FIRST is greater than LAST.
INCREMENT must not be 0; none of FIRST, INCREMENT and LAST may be NaN.
FORMAT must be suitable for printing one argument of type 'double';
it defaults to %.PRECf if FIRST, INCREMENT, and LAST are all fixed point
decimal numbers with maximum precision PREC, and to %g otherwise.

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Full documentation <https://www.gnu.org/software/coreutils/seq>
or available locally via: info '(coreutils) seq invocation'`;

/** The most numbers one `seq` prints (busybox's endless `seq 1 0 2` stops here). */
export const SEQ_LIMIT = 1_000_000;
const NUMBER = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const GNU_TRY = "\nTry 'seq --help' for more information.";

/** Decimals a number was written with (`0.50` has 2); exponents count as none. */
const decimals = (s: string): number => (/[eE]/.test(s) ? 0 : (s.split('.')[1] ?? '').length);

/** printf's `%[flags][width][.prec](f|g|e)` for one value; undefined for a bad format. */
function formatWith(fmt: string, v: number): string | undefined {
  const m = /^(.*?)%([-+ 0#]*)([0-9]*)(?:\.([0-9]*))?([fgeFGE])(.*)$/s.exec(fmt);
  if (!m || /%[^%]/.test(m[1]!.replace(/%%/g, '')) || /%[^%]/.test(m[6]!.replace(/%%/g, ''))) return undefined;
  const [, pre, flags, width, precText, conv, post] = m;
  const prec = precText === undefined ? 6 : Number(precText || '0');
  let body: string;
  const c = conv!.toLowerCase();
  if (c === 'f') body = v.toFixed(prec);
  else if (c === 'e') body = v.toExponential(prec).replace(/e([-+])(\d)$/, 'e$10$2');
  else {
    const p = prec === 0 ? 1 : prec;
    const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
    body = exp < -4 || exp >= p ? v.toExponential(p - 1).replace(/\.?0+e/, 'e').replace(/e([-+])(\d)$/, 'e$10$2') : String(Number(v.toFixed(Math.max(0, p - 1 - exp))));
    if (flags!.includes('#')) body = v.toPrecision(p);
  }
  if (conv === conv!.toUpperCase()) body = body.toUpperCase();
  if (flags!.includes('+') && v >= 0) body = '+' + body;
  else if (flags!.includes(' ') && v >= 0) body = ' ' + body;
  const w = Number(width || '0');
  if (body.length < w) {
    if (flags!.includes('-')) body = body.padEnd(w);
    else if (flags!.includes('0')) body = body.replace(/^([-+ ]?)/, (s) => s + '0'.repeat(w - body.length));
    else body = body.padStart(w);
  }
  return pre!.replace(/%%/g, '%') + body + post!.replace(/%%/g, '%');
}

function run(ctx: CommandContext, gnu: boolean): number {
  const fail = (msg: string): never => {
    if (gnu) throw new CommandError('USAGE', `seq: ${msg}${GNU_TRY}`, 1);
    throw new CommandError('USAGE', msg ? `seq: ${msg}\n${BUSYBOX_USAGE}` : BUSYBOX_USAGE, 1);
  };
  let sep = '\n';
  let width = false;
  let format: string | undefined;
  const operands: string[] = [];
  const args = ctx.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    // A negative number is an operand, not an option.
    if (operands.length > 0 || !a.startsWith('-') || a === '-' || NUMBER.test(a)) {
      operands.push(a);
      continue;
    }
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    const long = gnu ? /^--(separator|format|equal-width)(?:=(.*))?$/s.exec(a) : null;
    if (long) {
      const value = long[2] ?? (long[1] === 'equal-width' ? '' : args[++i]);
      if (value === undefined) fail(`option '--${long[1]}' requires an argument`);
      if (long[1] === 'separator') sep = value!;
      else if (long[1] === 'format') format = value;
      else width = true;
      continue;
    }
    if (a.startsWith('--')) fail(gnu ? `unrecognized option '${a}'` : `unrecognized option '${a}'`);
    for (let j = 1; j < a.length; j++) {
      const o = a[j]!;
      if (o === 'w') width = true;
      else if (o === 's' || (o === 'f' && gnu)) {
        const value = a.slice(j + 1) || args[++i];
        if (value === undefined) fail(`option requires an argument -- '${o}'`);
        if (o === 's') sep = value!;
        else format = value;
        break;
      } else fail(`invalid option -- '${o}'`);
    }
  }
  if (operands.length === 0) fail(gnu ? 'missing operand' : '');
  if (operands.length > 3) fail(gnu ? `extra operand ‘${operands[3]}’` : '');
  for (const o of operands) if (!NUMBER.test(o)) fail(gnu ? `invalid floating point argument: ‘${o}’` : '');
  const [firstText, incText, lastText] = operands.length === 1 ? ['1', '1', operands[0]!] : operands.length === 2 ? [operands[0]!, '1', operands[1]!] : (operands as [string, string, string]);
  const first = Number(firstText);
  const inc = Number(incText);
  const last = Number(lastText);
  if (inc === 0 && gnu) fail(`invalid Zero increment value: ‘${incText}’`);
  if (format !== undefined && width) fail('format string may not be specified when printing equal width strings');
  const prec = Math.max(decimals(firstText), decimals(incText));
  const plain = (v: number): string => (prec > 0 ? v.toFixed(prec) : String(Math.round(v) === v ? v : Number(v.toPrecision(15))));
  let text = plain;
  if (format !== undefined) {
    if (formatWith(format, 1) === undefined) fail(`format ‘${format}’ has ${/%[^%]/.test(format) ? 'too many % directives' : 'no % directive'}`);
    text = (v) => formatWith(format!, v)!;
  } else if (width) {
    const w = Math.max(plain(first).length, plain(last).length + (prec === 0 && decimals(lastText) > 0 ? 0 : 0));
    text = (v) => {
      const s = plain(v);
      return s.startsWith('-') ? '-' + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0');
    };
  }
  const out: string[] = [];
  for (let n = 0; n < SEQ_LIMIT; n++) {
    const v = first + n * inc;
    if (inc > 0 ? v > last + 1e-10 * Math.abs(inc) : inc < 0 ? v < last - 1e-10 * Math.abs(inc) : first > last) break;
    out.push(text(prec > 0 ? Number(v.toFixed(prec)) : v));
  }
  if (out.length > 0) ctx.stdout.write(out.join(sep) + '\n');
  if (out.length >= SEQ_LIMIT && (inc === 0 || Math.abs(last - first) / Math.abs(inc) >= SEQ_LIMIT)) {
    ctx.stderr.write(`seq: stopped after ${SEQ_LIMIT} numbers (the sandbox's limit for one seq)\n`);
    return 1;
  }
  return 0;
}

export const seqGnu: Command = {
  name: 'seq',
  summary: 'print a sequence of numbers: seq 5, seq 2 10, seq -s, 1 2 9',
  usage: GNU_USAGE,
  where: ['workstation', 'node', 'pod'],
  images: ['nginx'],
  async run(ctx) {
    return run(ctx, true);
  },
};

export const seqBusybox: Command = {
  name: 'seq',
  summary: 'print a sequence of numbers: seq 5, seq 2 10, seq -s, 1 2 9',
  usage: BUSYBOX_USAGE,
  where: ['pod'],
  async run(ctx) {
    return run(ctx, false);
  },
};
