/**
 * `echo`: the shell builtin (bash's, and busybox ash's, which agrees for these options).
 *
 * Design notes: arguments joined by one space and a newline; leading `-n` (no newline), `-e`
 * (backslash escapes: \a \b \c \e \E \f \n \r \t \v \\ \0nnn \xHH \uHHHH \UHHHHHHHH) and `-E`
 * (none, the default), also combined (`-ne`); any other word, `--help` and `--` included, is
 * printed as it is, as bash's echo takes no other options.
 */
import type { Builtin } from './builtin';

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Interprets echo -e escapes; `stop` is set by `\c` (nothing more is printed, not even the newline). */
export function echoEscapes(s: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[i + 1]!;
    if (n === 'c') return { text: out, stop: true };
    if (SIMPLE[n] !== undefined) {
      out += SIMPLE[n];
      i++;
    } else if (n === '0') {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + 2))![0];
      out += String.fromCharCode(parseInt(m || '0', 8) & 0xff);
      i += 1 + m.length;
    } else if (n === 'x' || n === 'u' || n === 'U') {
      const max = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const m = new RegExp(`^[0-9A-Fa-f]{1,${max}}`).exec(s.slice(i + 2))?.[0];
      if (!m) {
        out += c;
        continue;
      }
      const code = parseInt(m, 16);
      out += n === 'x' ? String.fromCharCode(code) : code <= 0x10ffff ? String.fromCodePoint(code) : '';
      i += 1 + m.length;
    } else {
      out += c;
    }
  }
  return { text: out, stop: false };
}

export const echo: Builtin = {
  name: 'echo',
  builtin: true,
  summary: 'print its arguments: echo $POD, echo -n (no newline), echo -e (escapes)',
  usage: 'echo: echo [-neE] [arg ...]\n    Write arguments to the standard output.\n    \n    Display the ARGs, separated by a single space character and followed by a\n    newline, on the standard output.\n    \n    Options:\n      -n\tdo not append a newline\n      -e\tenable interpretation of the following backslash escapes\n      -E\texplicitly suppress interpretation of backslash escapes',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const args = ctx.argv.slice(1);
    let newline = true;
    let escapes = false;
    let i = 0;
    for (; i < args.length && /^-[neE]+$/.test(args[i]!); i++) {
      for (const f of args[i]!.slice(1)) {
        if (f === 'n') newline = false;
        else escapes = f === 'e';
      }
    }
    let text = args.slice(i).join(' ');
    if (escapes) {
      const r = echoEscapes(text);
      if (r.stop) {
        ctx.stdout.write(r.text);
        return 0;
      }
      text = r.text;
    }
    ctx.stdout.write(newline ? text + '\n' : text);
    return 0;
  },
};
