/**
 * `grep`: GNU grep on the workstation, the nodes and Debian-based images; busybox grep in
 * busybox and Alpine-based images.
 *
 * Design notes: patterns are POSIX basic (default, -G) or extended (-E) regular expressions,
 * or fixed strings (-F), read by regex.ts and matched in linear time, so no pattern can stall
 * the sandbox. Several patterns (`-e` more than once, or a pattern with newlines) select a
 * line when any matches. Options (anywhere before `--`, as getopt permutes them): -i/-y, -v,
 * -w, -x, -c, -n, -o, -q, -s, -h/-H, -l/-L, -m N, -A/-B/-C N (and GNU's -N), -E/-F/-G,
 * -e PATTERN, --color (ignored: no terminal colours here), and their long forms. With
 * context, groups of lines that are not adjacent are separated by `--`; matched lines are
 * prefixed `N:` and context lines `N-` (with -n), file names likewise (`f:` / `f-`) when
 * there are several files. A bad pattern is refused with the real tool's words: GNU's
 * `grep: Unmatched ( or \(`, busybox's `grep: bad regex 'a\(': Unmatched ( or \(`, status 2.
 * Left out: -r/-R (no directory walking here), -f, -z, -b, --include and the other GNU
 * options; back-references in patterns (refused with a message: see regex.ts). GNU grep 3.8's
 * `warning: stray \` messages are not printed (the workstation's grep 3.7 has none).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { compileRaw, quote, RegexError, translate, type Regex } from '../regex';
import { busyboxTools, linesOf, readOne, stdinOf, WHERE } from './text-input';

const GNU_USAGE = 'Usage: grep [OPTION]... PATTERNS [FILE]...';
const GNU_TRY = "Try 'grep --help' for more information.";
const BUSYBOX_USAGE = `BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.

Usage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...

Search for PATTERN in FILEs (or stdin)

	-H	Add 'filename:' prefix
	-h	Do not add 'filename:' prefix
	-n	Add 'line_no:' prefix
	-l	Show only names of files that match
	-L	Show only names of files that don't match
	-c	Show only count of matching lines
	-o	Show only the matching part of line
	-q	Quiet. Return 0 if PATTERN is found, 1 otherwise
	-v	Select non-matching lines
	-s	Suppress open and read errors
	-r	Recurse
	-R	Recurse and dereference symlinks
	-i	Ignore case
	-w	Match whole words only
	-x	Match whole lines only
	-F	PATTERN is a literal (not regexp)
	-E	PATTERN is an extended regexp
	-m N	Match up to N times per file
	-A N	Print N lines of trailing context
	-B N	Print N lines of leading context
	-C N	Same as '-A N -B N'
	-e PTRN	Pattern to match
	-f FILE	Read pattern from file`;

const GNU_HELP = `${GNU_USAGE}
Search for PATTERNS in each FILE.
Example: grep -i 'hello world' menu.h main.c
PATTERNS can contain multiple patterns separated by newlines.

Pattern selection and interpretation:
  -E, --extended-regexp     PATTERNS are extended regular expressions
  -F, --fixed-strings       PATTERNS are strings
  -G, --basic-regexp        PATTERNS are basic regular expressions
  -e, --regexp=PATTERNS     use PATTERNS for matching
  -i, --ignore-case         ignore case distinctions in patterns and data
  -w, --word-regexp         match only whole words
  -x, --line-regexp         match only whole lines

Miscellaneous:
  -s, --no-messages         suppress error messages
  -v, --invert-match        select non-matching lines

Output control:
  -m, --max-count=NUM       stop after NUM selected lines
  -n, --line-number         print line number with output lines
  -H, --with-filename       print file name with output lines
  -h, --no-filename         suppress the file name prefix on output
  -o, --only-matching       show only nonempty parts of lines that match
  -q, --quiet, --silent     suppress all normal output
  -L, --files-without-match  print only names of FILEs with no selected lines
  -l, --files-with-matches  print only names of FILEs with selected lines
  -c, --count               print only a count of selected lines per FILE

Context control:
  -B, --before-context=NUM  print NUM lines of leading context
  -A, --after-context=NUM   print NUM lines of trailing context
  -C, --context=NUM         print NUM lines of output context
  -NUM                      same as --context=NUM

When FILE is '-', read standard input.  With no FILE, read '.' if
recursive, '-' otherwise.  With fewer than two FILEs, assume -h.
Exit status is 0 if any line is selected, 1 otherwise;
if any error occurs and -q is not given, the exit status is 2.`;

const FLAGS = 'iyvwxcnoqshHlLEFGUZT';
const WITH_ARG = 'eABCmfd';
const LONG: Record<string, string> = {
  'ignore-case': 'i', 'invert-match': 'v', 'word-regexp': 'w', 'line-regexp': 'x', count: 'c', 'line-number': 'n',
  'only-matching': 'o', quiet: 'q', silent: 'q', 'no-messages': 's', 'with-filename': 'H', 'no-filename': 'h',
  'files-with-matches': 'l', 'files-without-match': 'L', 'extended-regexp': 'E', 'fixed-strings': 'F', 'basic-regexp': 'G',
  regexp: 'e', 'after-context': 'A', 'before-context': 'B', context: 'C', 'max-count': 'm', file: 'f',
};

interface Options {
  flags: Set<string>;
  patterns: string[];
  after: number;
  before: number;
  max: number;
  files: string[];
}

function usageError(bb: boolean, msg: string): CommandError {
  return new CommandError('USAGE', bb ? `grep: ${msg}\n${BUSYBOX_USAGE}` : `grep: ${msg}\n${GNU_USAGE}\n${GNU_TRY}`, 2);
}

/** A context length or -m count, as GNU and busybox check it. */
function count(bb: boolean, opt: string, v: string): number {
  if (!/^\d+$/.test(v)) {
    if (bb) throw new CommandError('USAGE', `grep: invalid number '${v}'`, 1);
    throw new CommandError('USAGE', opt === 'm' ? `grep: invalid max count` : `grep: ${v}: invalid context length argument`, 2);
  }
  return Math.min(Number(v), Number.MAX_SAFE_INTEGER);
}

function parse(args: string[], bb: boolean): Options {
  const o: Options = { flags: new Set(), patterns: [], after: 0, before: 0, max: Infinity, files: [] };
  const operands: string[] = [];
  let context: number | undefined;
  const take = (opt: string, value: string): void => {
    if (opt === 'e') o.patterns.push(...value.split('\n'));
    else if (opt === 'f') throw new CommandError('UNSUPPORTED', 'grep: -f is not supported in this sandbox; give the patterns with -e', 2);
    else if (opt === 'd') return;
    else if (opt === 'm') o.max = count(bb, opt, value);
    else {
      const n = count(bb, opt, value);
      if (opt === 'A') o.after = n;
      else if (opt === 'B') o.before = n;
      else context = n;
    }
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && !bb) {
      const [name, value] = a.slice(2).split(/=(.*)/s) as [string, string | undefined];
      if (name === 'color' || name === 'colour') continue;
      const matches = Object.keys(LONG).filter((k) => k.startsWith(name));
      const exact = LONG[name] !== undefined ? name : matches.length === 1 || (matches.length > 1 && new Set(matches.map((k) => LONG[k])).size === 1) ? matches[0] : undefined;
      if (!exact || name === '') throw usageError(false, matches.length > 1 ? `option '${a}' is ambiguous` : `unrecognized option '${a}'`);
      const opt = LONG[exact]!;
      if (WITH_ARG.includes(opt)) {
        const v = value ?? args[++i];
        if (v === undefined) throw usageError(false, `option '--${exact}' requires an argument`);
        take(opt, v);
      } else if (value !== undefined) throw usageError(false, `option '--${exact}' doesn't allow an argument`);
      else o.flags.add(opt);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (/\d/.test(c) && !bb) {
          // GNU's -NUM: context on both sides.
          const m = /^\d+/.exec(a.slice(j))![0];
          context = count(false, 'C', m);
          j += m.length - 1;
        } else if (WITH_ARG.includes(c)) {
          const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          if (v === undefined) throw usageError(bb, `option requires an argument -- '${c}'`);
          take(c, v);
          break;
        } else if (FLAGS.includes(c) && !(bb && 'yGUZT'.includes(c))) o.flags.add(c);
        else throw usageError(bb, `invalid option -- '${c}'`);
      }
      continue;
    }
    operands.push(a);
  }
  if (context !== undefined) {
    if (!args.some((a) => /^-[^-]*A|^--after/.test(a))) o.after = context;
    if (!args.some((a) => /^-[^-]*B|^--before/.test(a))) o.before = context;
  }
  if (o.patterns.length === 0) {
    const p = operands.shift();
    if (p === undefined) throw new CommandError('USAGE', bb ? BUSYBOX_USAGE : `${GNU_USAGE}\n${GNU_TRY}`, bb ? 1 : 2);
    o.patterns.push(...p.split('\n'));
  }
  o.files = operands;
  return o;
}

/** The matcher of the options' patterns; throws the tool's error for a bad one. */
function matcher(o: Options, bb: boolean): Regex {
  const f = o.flags;
  const icase = f.has('i') || f.has('y');
  let alternatives: string[];
  if (f.has('F')) alternatives = o.patterns.map(quote);
  else {
    const extended = f.has('E');
    alternatives = o.patterns.map((p) => {
      try {
        return translate(p, { extended }, !bb);
      } catch (e) {
        if (!(e instanceof RegexError)) throw e;
        if (e.unsupported) throw new CommandError('UNSUPPORTED', `grep: ${e.message}`, 2);
        throw new CommandError('INVALID', bb ? `grep: bad regex '${p}': ${e.message}` : `grep: ${e.message}`, 2);
      }
    });
  }
  let src = alternatives.length === 1 ? alternatives[0]! : alternatives.map((a) => `(?:${a})`).join('|');
  // -x: the whole line; -w: a match with no word character either side (the match itself is group 1).
  if (f.has('x')) src = `^(?:${src})$`;
  else if (f.has('w')) src = `(?:^|\\W)(${src})(?:\\W|$)`;
  try {
    return compileRaw(src, icase);
  } catch {
    throw new CommandError('INVALID', bb ? `grep: bad regex '${o.patterns.join('\n')}': Regular expression too big` : 'grep: Regular expression too big', 2);
  }
}

/** The parts of `line` that -o prints (non-empty matches, left to right). */
function matchesOf(re: Regex, line: string, word: boolean): string[] {
  const out: string[] = [];
  let from = 0;
  while (from <= line.length) {
    const m = re.find(line, from);
    if (!m) break;
    const start = word ? line.indexOf(m.groups[1]!, m.start) : m.start;
    const end = word ? start + m.groups[1]!.length : m.end;
    if (end > start) out.push(line.slice(start, end));
    // -w's match takes a separator on each side: the next one may start on the closing one.
    from = word ? Math.max(end, m.start + 1) : end > m.start ? end : m.end + 1;
  }
  return out;
}

export const grep: Command = {
  name: 'grep',
  summary: 'print lines matching a pattern, from files or the input (-i -v -E -F -c -n -o -w -x -A -B -C)',
  usage: GNU_HELP,
  where: WHERE,
  ownHelp: true,
  async run(ctx) {
    const bb = busyboxTools(ctx);
    const args = ctx.argv.slice(1);
    if (args.length === 1 && args[0] === '--help') {
      if (bb) ctx.stderr.write(BUSYBOX_USAGE + '\n');
      else ctx.stdout.write(GNU_HELP + '\n');
      return 0;
    }
    const o = parse(args, bb);
    const re = matcher(o, bb);
    const f = o.flags;
    const invert = f.has('v');
    const files = o.files.length ? o.files : ['-'];
    if (o.files.length === 0) stdinOf(ctx, 'grep');
    const named = f.has('H') || (files.length > 1 && !f.has('h'));
    const context = !f.has('c') && !f.has('l') && !f.has('L') && !f.has('q') && (o.after > 0 || o.before > 0);
    let any = false;
    let failed = false;
    let out = '';
    let lastPrinted = -Infinity;
    let printedAny = false;
    for (const file of files) {
      const text = f.has('s') ? quiet(ctx, file) : readOne(ctx, 'grep', file);
      if (text === undefined) {
        failed = true;
        continue;
      }
      const label = file === '-' ? '(standard input)' : file;
      const lines = linesOf(text);
      let selected = 0;
      let afterLeft = 0;
      lastPrinted = -Infinity; // a new file's first group is separated from the last file's
      const prefix = (i: number, sep: string): string => (named ? label + sep : '') + (f.has('n') ? `${i + 1}${sep}` : '');
      const emit = (i: number, sep: string, body: string): void => {
        if (context && printedAny && lastPrinted !== i - 1 && lastPrinted !== i) out += '--\n';
        out += prefix(i, sep) + body + '\n';
        lastPrinted = i;
        printedAny = true;
      };
      for (let i = 0; i < lines.length; i++) {
        if (selected >= o.max) {
          // After the last allowed match only its trailing context is printed.
          if (afterLeft > 0 && context) {
            emit(i, '-', lines[i]!);
            afterLeft--;
            continue;
          }
          break;
        }
        const line = lines[i]!;
        const hit = re.test(line) !== invert;
        if (!hit) {
          if (context && afterLeft > 0) {
            emit(i, '-', line);
            afterLeft--;
          }
          continue;
        }
        selected++;
        any = true;
        if (f.has('q')) break;
        if (f.has('c') || f.has('l') || f.has('L')) continue;
        if (context) for (let b = Math.max(lastPrinted + 1, i - o.before, 0); b < i; b++) emit(b, '-', lines[b]!);
        if (f.has('o')) {
          if (!invert) for (const m of matchesOf(re, line, f.has('w') && !f.has('x'))) emit(i, ':', m);
        } else emit(i, ':', line);
        afterLeft = o.after;
      }
      if (f.has('q') && any) break;
      if (f.has('c')) out += (named ? label + ':' : '') + `${selected}\n`;
      else if (f.has('l') && selected > 0) out += label + '\n';
      else if (f.has('L') && selected === 0) out += label + '\n';
      // Each file's output before the next file's errors, as the real tool writes it.
      if (out !== '' && !f.has('q')) ctx.stdout.write(out);
      out = '';
    }
    if (f.has('q') && any) return 0;
    return failed ? 2 : any ? 0 : 1;
  },
};

/** -s: a file that cannot be read is skipped without a word. */
function quiet(ctx: CommandContext, file: string): string | undefined {
  const silent = { ...ctx, stderr: { write: () => {} } };
  return readOne(silent, 'grep', file);
}
