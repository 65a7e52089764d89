/**
 * The text filters learners pipe output into: head, tail, wc, sort, uniq, cut, awk (grep is
 * grep.ts, sed sed.ts; what they share is text-input.ts).
 *
 * Design notes: each reads its input from the pipeline (or complains, as the real tool waits
 * for a terminal that the sandbox does not have) and follows GNU coreutils behaviour for
 * the options listed in its usage: head/tail -n N (and -N), wc -l -w
 * -c, sort -n -r -u -k N, uniq -c, cut -d -f, awk with `{print $N, ...}` programs and -F.
 * awk's `/re/` conditions are POSIX extended regular expressions matched in linear time
 * (regex.ts).
 * File operands are read from the sandbox's files (sandbox-fs.ts) and their contents joined in
 * order; `-` is the input. A missing file is reported in the tool's own words (GNU on the
 * workstation, nodes and Debian-based images, busybox in busybox and Alpine images) and the
 * tool goes on with the others, ending with status 2 (sort) or 1.
 * Left out: most options, and the per-file headers and prefixes of several files (`==> f <==`
 * of head and tail, per-file counts of wc): several files read as one, and a
 * missing file's message comes before the output of the files that follow it.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { compile, RegexError, type Regex } from '../regex';
import { input, readOperands, utf8Length, WHERE, write } from './text-input';

export { grep } from './grep';

/** Splits "-n5", "-n 5", "-5" forms into a count. */
function countOpt(args: string[], fallback: number): { n: number; rest: string[] } {
  let n = fallback;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-n') n = Number(args[++i]);
    else if (/^-n\d+$/.test(a)) n = Number(a.slice(2));
    else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
    else rest.push(a);
  }
  if (!Number.isFinite(n)) throw new CommandError('USAGE', `invalid number of lines`, 1);
  return { n, rest };
}

export const head: Command = {
  name: 'head',
  summary: 'the first lines of files or the input (-n N)',
  usage: 'Usage: head [OPTION]... [FILE]...\nPrint the first 10 lines of each FILE to standard output.\n  -n, --lines=[-]NUM       print the first NUM lines instead of the first 10',
  where: WHERE,
  async run(ctx) {
    const { n, rest } = countOpt(ctx.argv.slice(1), 10);
    const st = { failed: false };
    write(ctx, input(ctx, 'head', rest, st).slice(0, Math.max(0, n)));
    return st.failed ? 1 : 0;
  },
};

export const tail: Command = {
  name: 'tail',
  summary: 'the last lines of files or the input (-n N, -n +N)',
  usage: 'Usage: tail [OPTION]... [FILE]...\nPrint the last 10 lines of each FILE to standard output.\n  -n, --lines=[+]NUM       output the last NUM lines, instead of the last 10;\n                             or use -n +NUM to skip NUM-1 lines at the start',
  where: WHERE,
  async run(ctx) {
    const args = ctx.argv.slice(1);
    const plus = args.find((a) => /^\+\d+$/.test(a)) ?? (args[0] === '-n' && /^\+\d+$/.test(args[1] ?? '') ? args[1] : undefined);
    const { n, rest } = countOpt(plus === undefined ? args : args.filter((a, i) => a !== plus && !(a === '-n' && args[i + 1] === plus)), 10);
    const st = { failed: false };
    const lines = input(ctx, 'tail', rest, st);
    if (plus) write(ctx, lines.slice(Number(plus.slice(1)) - 1));
    else write(ctx, n <= 0 ? [] : lines.slice(-n));
    return st.failed ? 1 : 0;
  },
};

/** The whitespace \s matches (isspace in the C locale, and Unicode's spaces). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The runs of non-space characters of `line`, without a regular expression (a 16 MiB line of spaces would exhaust its backtracking stack). */
function fieldsOf(line: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const space = i === line.length || isSpace(line.charCodeAt(i));
    if (space && start >= 0) {
      out.push(line.slice(start, i));
      start = -1;
    } else if (!space && start < 0) start = i;
  }
  return out;
}

/**
 * Newlines and words as GNU wc counts them (a word is a run of non-space characters), in one
 * pass: a regular expression over a 16 MiB input would exhaust the engine's backtracking stack.
 */
function lineAndWordCounts(text: string): { lines: number; words: number } {
  let lines = 0;
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) lines++;
    if (isSpace(c)) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return { lines, words };
}

export const wc: Command = {
  name: 'wc',
  summary: 'count lines, words or bytes of files or the input (-l -w -c)',
  usage: 'Usage: wc [OPTION]... [FILE]...\nPrint newline, word, and byte counts for each FILE.\n  -c, --bytes            print the byte counts\n  -l, --lines            print the newline counts\n  -w, --words            print the word counts',
  where: WHERE,
  async run(ctx) {
    const files = ctx.argv.slice(1).filter((a) => !a.startsWith('-') || a === '-');
    const r = readOperands(ctx, 'wc', files);
    const text = r.text;
    const { lines: l, words: w } = lineAndWordCounts(text);
    const c = utf8Length(text);
    const flags = ctx.argv.slice(1).filter((a) => a.startsWith('-')).join('');
    const pick = [flags.includes('l') && l, flags.includes('w') && w, flags.includes('c') && c].filter((x) => x !== false) as number[];
    const values = pick.length ? pick : [l, w, c];
    // GNU wc: one value alone prints bare; several are right-aligned, to 7 on standard input
    // and to the width of the byte count for a file, which is then named after the counts.
    const width = files.length === 0 ? 7 : String(c).length;
    const counts = values.length === 1 ? String(values[0]) : values.map((v) => String(v).padStart(width)).join(' ');
    if (r.failed && files.length === 1) return 1;
    ctx.stdout.write(counts + (files.length > 0 ? ` ${files.join(' ')}` : '') + '\n');
    return r.failed ? 1 : 0;
  },
};

export const sort: Command = {
  name: 'sort',
  summary: 'sort the lines of files or the input (-n -r -u -k N)',
  usage: 'Usage: sort [OPTION]... [FILE]...\nWrite sorted concatenation of all FILE(s) to standard output.\n  -k, --key=KEYDEF          sort via a key\n  -n, --numeric-sort        compare according to string numerical value\n  -r, --reverse             reverse the result of comparisons\n  -u, --unique              output only the first of an equal run',
  where: WHERE,
  async run(ctx) {
    const args = ctx.argv.slice(1);
    const flags = args.filter((a) => a.startsWith('-') && a !== '-k' && a !== '-').join('');
    const kAt = args.indexOf('-k');
    const field = kAt >= 0 ? Number(args[kAt + 1]?.split(',')[0]) : 0;
    const keyOf = (l: string): string => (field > 0 ? (fieldsOf(l)[field - 1] ?? '') : l);
    const files = args.filter((a, i) => (!a.startsWith('-') || a === '-') && args[i - 1] !== '-k');
    const st = { failed: false };
    let lines = input(ctx, 'sort', files, st);
    if (st.failed) return 2;
    lines.sort((a, b) => {
      const x = keyOf(a);
      const y = keyOf(b);
      if (flags.includes('n')) return (parseFloat(x) || 0) - (parseFloat(y) || 0) || (a < b ? -1 : a > b ? 1 : 0);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    if (flags.includes('r')) lines.reverse();
    if (flags.includes('u')) lines = lines.filter((l, i) => i === 0 || keyOf(l) !== keyOf(lines[i - 1]!));
    write(ctx, lines);
    return 0;
  },
};

export const uniq: Command = {
  name: 'uniq',
  summary: 'merge repeated adjacent lines (-c counts them)',
  usage: 'Usage: uniq [OPTION]... [INPUT [OUTPUT]]\nFilter adjacent matching lines from INPUT (or standard input).\n  -c, --count           prefix lines by the number of occurrences',
  where: WHERE,
  async run(ctx) {
    const counting = ctx.argv.includes('-c');
    const out: { l: string; n: number }[] = [];
    const st = { failed: false };
    const lines = input(ctx, 'uniq', ctx.argv.slice(1, 2).filter((a) => !a.startsWith('-') || a === '-'), st);
    if (st.failed) return 1;
    for (const l of lines) {
      const last = out[out.length - 1];
      if (last && last.l === l) last.n++;
      else out.push({ l, n: 1 });
    }
    write(ctx, out.map(({ l, n }) => (counting ? `${String(n).padStart(7)} ${l}` : l)));
    return 0;
  },
};

export const cut: Command = {
  name: 'cut',
  summary: 'select fields of each line of files or the input (-d DELIM -f LIST)',
  usage: 'Usage: cut OPTION... [FILE]...\nPrint selected parts of lines from each FILE to standard output.\n  -d, --delimiter=DELIM   use DELIM instead of TAB for field delimiter\n  -f, --fields=LIST       select only these fields',
  where: WHERE,
  async run(ctx) {
    const args = ctx.argv.slice(1);
    let delim = '\t';
    let list: string | undefined;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-d') delim = args[++i] ?? '';
      else if (a.startsWith('-d')) delim = a.slice(2);
      else if (a === '-f') list = args[++i];
      else if (a.startsWith('-f')) list = a.slice(2);
      else if (!a.startsWith('-') || a === '-') files.push(a);
    }
    if (!list) throw new CommandError('USAGE', "cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.", 1);
    if (delim.length !== 1) throw new CommandError('USAGE', 'cut: the delimiter must be a single character', 1);
    const wanted = (n: number): boolean =>
      list!.split(',').some((r) => {
        const [a, b] = r.split('-');
        const lo = a === '' ? 1 : Number(a);
        const hi = b === undefined ? lo : b === '' ? Infinity : Number(b);
        return n >= lo && n <= hi;
      });
    const st = { failed: false };
    write(ctx, input(ctx, 'cut', files, st).map((l) => (l.includes(delim) ? l.split(delim).filter((_, i) => wanted(i + 1)).join(delim) : l)));
    return st.failed ? 1 : 0;
  },
};

export const awk: Command = {
  name: 'awk',
  summary: "print fields: awk '{print $1, $3}' (-F SEP)",
  // Ubuntu's and Debian's awk is mawk; its usage (abridged). The sandbox runs print programs only.
  usage: [
    'Usage: mawk [Options] [Program] [file ...]',
    '',
    'Program:',
    '    The -f option value is the name of a file containing program text.',
    '    If no -f option is given, a "--" ends option processing; the following',
    '    parameters are the program text.',
    '',
    'Options:',
    '    -f program-file  Program  text is read from file instead of from the',
    '                     command-line.  Multiple -f options are accepted.',
    '    -F value         sets the field separator, FS, to value.',
    '    -v var=value     assigns value to program variable var.',
    '    --               unambiguous end of options.',
  ].join('\n'),
  where: WHERE,
  async run(ctx) {
    const args = ctx.argv.slice(1);
    let sep: string | undefined;
    let prog: string | undefined;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-F') sep = args[++i];
      else if (a.startsWith('-F')) sep = a.slice(2);
      else if (prog === undefined) prog = a;
      else files.push(a);
    }
    const m = prog ? /^\s*(?:(NR\s*[><=!]=?\s*\d+|\/[^/]*\/)\s*)?\{\s*print\s*(.*?)\s*;?\s*\}\s*$/.exec(prog) : null;
    if (!prog || !m) throw new CommandError('UNSUPPORTED', `awk: this sandbox's awk runs only print programs, such as '{print $1}'`, 2);
    const cond = m[1];
    let condRe: Regex | undefined;
    if (cond?.startsWith('/')) {
      try {
        condRe = compile(cond.slice(1, -1), { extended: true });
      } catch (e) {
        if (!(e instanceof RegexError)) throw e;
        throw new CommandError(e.unsupported ? 'UNSUPPORTED' : 'INVALID', `awk: line 1: regular expression compile failed (${e.message})\n${cond.slice(1, -1)}`, 2);
      }
    }
    const items = m[2] === '' ? ['$0'] : m[2]!.split(/\s*,\s*/);
    const out: string[] = [];
    const st = { failed: false };
    const lines = input(ctx, 'awk', files, st);
    if (st.failed) return 2;
    lines.forEach((line, idx) => {
      const fields = sep !== undefined ? line.split(sep) : fieldsOf(line);
      const nr = idx + 1;
      if (cond) {
        if (cond.startsWith('/')) {
          if (!condRe!.test(line)) return;
        } else {
          const [, op, num] = /NR\s*([><=!]=?)\s*(\d+)/.exec(cond)!;
          const n = Number(num);
          const ok = op === '>' ? nr > n : op === '<' ? nr < n : op === '>=' ? nr >= n : op === '<=' ? nr <= n : op === '!=' ? nr !== n : nr === n;
          if (!ok) return;
        }
      }
      const value = (it: string): string => {
        if (it === '$0') return line;
        if (it === 'NF') return String(fields.length);
        if (it === 'NR') return String(nr);
        if (it === '$NF') return fields[fields.length - 1] ?? '';
        const f = /^\$(\d+)$/.exec(it);
        if (f) return fields[Number(f[1]) - 1] ?? '';
        const s = /^"(.*)"$/.exec(it);
        return s ? s[1]! : '';
      };
      out.push(items.map(value).join(' '));
    });
    write(ctx, out);
    return 0;
  },
};
