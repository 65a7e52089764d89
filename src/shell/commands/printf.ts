/**
 * `printf`: the shell builtin (bash's; busybox ash's applet agrees for these conversions).
 *
 * Design notes: the format's escapes (\n \t \\ \a \b \f \r \v \e \NNN \xHH) are interpreted,
 * then each conversion takes the next argument: %s, %b (argument with echo -e escapes),
 * %c, %d/%i, %u, %o, %x/%X, %% with flags `-`, `0`, `+`, space, a width and a precision
 * (also `*`). With more arguments than conversions the format is used again, as POSIX says;
 * missing arguments are empty strings or 0. A number that does not parse prints bash's
 * `printf: x: invalid number` on stderr, counts as 0, and the status is 1.
 * Left out: floating point (%f %e %g), %q, `-v VAR` and %(...)T.
 */
import { CommandError } from '../errors';
import { builtinHelp, type Builtin } from './builtin';
import { echoEscapes } from './echo';

const USAGE = `printf: printf [-v var] format [arguments]
    Formats and prints ARGUMENTS under control of the FORMAT.`;

const CONVERSION = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([sbcdiuoxX%])/g;

/** The format's own escapes (not %b's \c or \0NNN forms). */
function formatEscapes(f: string): string {
  return f.replace(/\\([0-7]{1,3}|x[0-9A-Fa-f]{1,2}|[\\abfnrtve"'?])/g, (_m, e: string) => {
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', e: '\x1b', '"': '"', "'": "'", '?': '?' } as Record<string, string>)[e]!;
  });
}

function pad(s: string, flags: string, width: number, numeric: boolean): string {
  if (s.length >= width) return s;
  if (flags.includes('-')) return s.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[-+ ]/.test(s) ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width);
}

export const printf: Builtin = {
  name: 'printf',
  builtin: true,
  summary: "format and print: printf '%s\\n' $POD, printf '%-20s %s\\n' NAME IP",
  usage: USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const help = builtinHelp(ctx, USAGE);
    if (help !== undefined) return help;
    let args = ctx.argv.slice(1);
    if (args[0] === '--') args = args.slice(1);
    if (args.length === 0) throw new CommandError('USAGE', 'printf: usage: printf [-v var] format [arguments]', 2);
    if (args[0] === '-v') throw new CommandError('UNSUPPORTED', 'printf: -v is not supported in this sandbox; use VAR=$(printf ...)', 2);
    const format = formatEscapes(args[0]!);
    const rest = args.slice(1);
    let status = 0;
    let used = 0;
    let out = '';
    const next = (): string | undefined => (used < rest.length ? rest[used++] : undefined);
    const num = (v: string | undefined): number => {
      if (v === undefined || v === '') return 0;
      if (/^['"]./.test(v)) return v.codePointAt(1)!;
      const t = v.trim();
      const n = /^[-+]?0[xX][0-9a-fA-F]+$/.test(t) ? parseInt(t, 16) : /^[-+]?0[0-7]+$/.test(t) ? parseInt(t, 8) : /^[-+]?\d+$/.test(t) ? parseInt(t, 10) : NaN;
      if (Number.isNaN(n)) {
        ctx.stderr.write(`${ctx.env.location.kind === 'pod' || ctx.env.location.kind === 'container' ? 'sh' : 'bash'}: printf: ${v}: invalid number\n`);
        status = 1;
        return 0;
      }
      return n;
    };
    do {
      const before = used;
      let stop = false;
      out += format.replace(CONVERSION, (_m, flags: string, w: string | undefined, p: string | undefined, conv: string) => {
        if (stop) return '';
        if (conv === '%') return '%';
        const width = w === '*' ? num(next()) : Number(w ?? 0);
        const precision = p === undefined ? undefined : p === '*' ? num(next()) : Number(p || 0);
        const arg = next();
        switch (conv) {
          case 's':
          case 'b': {
            let s = arg ?? '';
            if (conv === 'b') {
              const e = echoEscapes(s);
              s = e.text;
              if (e.stop) stop = true;
            }
            if (precision !== undefined) s = s.slice(0, precision);
            return pad(s, flags, width, false);
          }
          case 'c':
            return pad((arg ?? '').slice(0, 1), flags, width, false);
          default: {
            const n = num(arg);
            let s: string;
            if (conv === 'd' || conv === 'i') s = String(Math.trunc(n));
            else {
              const u = n < 0 ? BigInt.asUintN(64, BigInt(Math.trunc(n))) : BigInt(Math.trunc(n));
              s = u.toString(conv === 'o' ? 8 : conv === 'u' ? 10 : 16);
              if (conv === 'X') s = s.toUpperCase();
            }
            if (precision !== undefined) s = s.startsWith('-') ? '-' + s.slice(1).padStart(precision, '0') : s.padStart(precision, '0');
            if ((conv === 'd' || conv === 'i') && !s.startsWith('-')) s = (flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + s;
            return pad(s, precision !== undefined ? flags.replace('0', '') : flags, width, true);
          }
        }
      });
      if (stop || used === before) break;
    } while (used < rest.length);
    ctx.stdout.write(out);
    return status;
  },
};
