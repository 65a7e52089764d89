/**
 * The text filters learners pipe output into: grep, head, tail, wc, sort, uniq, cut, awk.
 *
 * Design notes: each reads its input from the pipeline (or complains, as the real tool waits
 * for a terminal that the sandbox does not have) and follows GNU coreutils/grep behaviour for
 * the options listed in its usage: grep -i -v -E -F -c -n -w -q -e and `--`, head/tail -n N (and -N), wc -l -w
 * -c, sort -n -r -u -k N, uniq -c, cut -d -f, awk with `{print $N, ...}` programs and -F.
 * Regular expressions are JavaScript's, which agree with POSIX ERE for everyday patterns;
 * basic-regex grep treats `+ ? | ( )` literally as GNU grep does without -E.
 * File operands are read from the sandbox's files (sandbox-fs.ts) and their contents joined in
 * order; `-` is the input. A missing file is reported in the tool's own words (GNU on the
 * workstation, nodes and Debian-based images, busybox in busybox and Alpine images) and the
 * tool goes on with the others, ending with status 2 (grep, sort) or 1.
 * Left out: most options, and the per-file headers and prefixes of several files (`==> f <==`
 * of head and tail, `f:` of grep, per-file counts of wc): several files read as one, and a
 * missing file's message comes before the output of the files that follow it.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { busyboxUserland, imageAt } from '../images';
import { absolute, kindOf, placeOf, readAny } from '../sandbox-fs';

const WHERE: Command['where'] = ['workstation', 'node', 'pod'];

/** Text read from the file operands (or the input when there are none), and whether one was missing. */
interface Read {
  text: string;
  failed: boolean;
}

/** The real tool's words for a file it cannot open. */
function openError(ctx: CommandContext, tool: string, name: string, why: string): string {
  const loc = ctx.env.location;
  if ((loc.kind === 'pod' || loc.kind === 'container') && busyboxUserland(imageAt(ctx.env.sim, loc))) return `${tool}: can't open '${name}': ${why}`;
  if (tool === 'head' || tool === 'tail') return `${tool}: cannot open '${name}' for reading: ${why}`;
  if (tool === 'sort') return `sort: cannot read: ${name}: ${why}`;
  if (tool === 'awk') return `awk: cannot open "${name}" (${why})`;
  return `${tool}: ${name}: ${why}`;
}

function readOperands(ctx: CommandContext, tool: string, files: string[]): Read {
  if (files.length === 0) {
    if (ctx.stdin === undefined) throw new CommandError('USAGE', `${tool}: reading from the terminal is not supported in this sandbox; pipe a command into it (kubectl get pods | ${tool} ...) or give it a file`, 2);
    return { text: ctx.stdin, failed: false };
  }
  const place = placeOf(ctx.env);
  let text = '';
  let failed = false;
  for (const f of files) {
    if (f === '-') {
      text += ctx.stdin ?? '';
      continue;
    }
    const abs = absolute(place, f);
    const kind = kindOf(ctx.env, place, abs);
    const body = kind === 'file' ? readAny(ctx.env, place, abs) : undefined;
    if (body === undefined) {
      ctx.stderr.write(openError(ctx, tool, f, kind === 'dir' ? 'Is a directory' : 'No such file or directory') + '\n');
      failed = true;
    } else text += body;
  }
  return { text, failed };
}

/** Bytes of `text` in UTF-8 (what `wc -c` counts). */
function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The lines of the file operands or the input; `failed` is set when a file could not be read. */
function input(ctx: CommandContext, tool: string, files: string[] = [], status?: { failed: boolean }): string[] {
  const r = readOperands(ctx, tool, files);
  if (status) status.failed = r.failed;
  return linesOf(r.text);
}

function write(ctx: CommandContext, lines: string[]): void {
  if (lines.length) ctx.stdout.write(lines.join('\n') + '\n');
}

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

export const grep: Command = {
  name: 'grep',
  summary: 'print lines matching a pattern, from files or the input (-i -v -E -c -n -w -q)',
  usage: 'Usage: grep [OPTION]... PATTERNS [FILE]...\nSearch for PATTERNS in each FILE.\n  -E  extended regular expressions\n  -i  ignore case\n  -v  select non-matching lines\n  -c  print only a count of selected lines\n  -n  print line numbers\n  -w  match whole words',
  where: WHERE,
  async run(ctx) {
    const opts = new Set<string>();
    let pattern: string | undefined;
    const files: string[] = [];
    const args = ctx.argv.slice(1);
    let endOfOptions = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (!endOfOptions && a === '--') endOfOptions = true;
      else if (!endOfOptions && a === '-e') pattern = args[++i];
      else if (!endOfOptions && a.startsWith('-') && a.length > 1 && pattern === undefined) {
        for (const c of a.slice(1)) {
          if (!'iEvcnwFq'.includes(c)) throw new CommandError('USAGE', `grep: invalid option -- '${c}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.`, 2);
          opts.add(c);
        }
      } else if (pattern === undefined) pattern = a;
      else files.push(a);
    }
    if (pattern === undefined) throw new CommandError('USAGE', "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.", 2);
    let src = pattern;
    if (opts.has('F')) src = src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (!opts.has('E')) src = src.replace(/\\([+?|(){}])|([+?|(){}])/g, (_m, esc: string | undefined, lit: string | undefined) => (esc ? esc : `\\${lit}`));
    if (opts.has('w')) src = `(?<![A-Za-z0-9_])(?:${src})(?![A-Za-z0-9_])`;
    let re: RegExp;
    try {
      re = new RegExp(src, opts.has('i') ? 'i' : '');
    } catch {
      throw new CommandError('INVALID', 'grep: Unmatched ( or \\(', 2);
    }
    const st = { failed: false };
    const lines = input(ctx, 'grep', files, st);
    const hits = lines.map((l, i) => ({ l, i })).filter(({ l }) => re.test(l) !== opts.has('v'));
    if (opts.has('q')) return hits.length > 0 ? 0 : st.failed ? 2 : 1;
    if (opts.has('c')) ctx.stdout.write(`${hits.length}\n`);
    else write(ctx, hits.map(({ l, i }) => (opts.has('n') ? `${i + 1}:${l}` : l)));
    return st.failed ? 2 : hits.length > 0 ? 0 : 1;
  },
};

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

export const wc: Command = {
  name: 'wc',
  summary: 'count lines, words or bytes of files or the input (-l -w -c)',
  usage: 'Usage: wc [OPTION]... [FILE]...\nPrint newline, word, and byte counts for each FILE.\n  -c, --bytes            print the byte counts\n  -l, --lines            print the newline counts\n  -w, --words            print the word counts',
  where: WHERE,
  async run(ctx) {
    const files = ctx.argv.slice(1).filter((a) => !a.startsWith('-') || a === '-');
    const r = readOperands(ctx, 'wc', files);
    const text = r.text;
    const l = (text.match(/\n/g) ?? []).length;
    const w = text.split(/\s+/).filter(Boolean).length;
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
    const keyOf = (l: string): string => (field > 0 ? (l.trim().split(/\s+/)[field - 1] ?? '') : l);
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
    const items = m[2] === '' ? ['$0'] : m[2]!.split(/\s*,\s*/);
    const out: string[] = [];
    const st = { failed: false };
    const lines = input(ctx, 'awk', files, st);
    if (st.failed) return 2;
    lines.forEach((line, idx) => {
      const fields = sep !== undefined ? line.split(sep) : line.trim().split(/\s+/).filter(Boolean);
      const nr = idx + 1;
      if (cond) {
        if (cond.startsWith('/')) {
          if (!new RegExp(cond.slice(1, -1)).test(line)) return;
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
