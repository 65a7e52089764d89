/**
 * `sed`: GNU sed 4.8 on the workstation, the nodes and Debian-based images; busybox sed in
 * busybox and Alpine-based images.
 *
 * Design notes: the script (the first operand, or every `-e` joined by newlines as GNU does)
 * is parsed whole before any input is read, so a bad script prints nothing but its error, in
 * the tool's words: GNU's `sed: -e expression #1, char 5: unterminated `s' command`, busybox's
 * `sed: unmatched '/'`. Commands: `s///` with flags g, p, N, i/I and a replacement with `&`,
 * `\1`..`\9`, `\n` and GNU's `\U \L \u \l \E`; `y///`; p P d D q Q = a i c n N h H g G x;
 * `{ }` blocks, `!`, labels with b t T; `#` comments. Addresses: line numbers, `$`, /re/ and
 * \cREc (with I), ranges `a,b`, GNU's `first~step`, `addr,+N`, `addr,~N` and `0,/re/`.
 * Options: -n, -e, -E/-r, -s, -i[SUFFIX] (the sandbox's files, written back whole; a suffix
 * keeps a backup), --posix/-u/--debug accepted, and the long forms. Regular expressions are
 * POSIX basic or extended, matched in linear time (regex.ts). Several files are one stream
 * (`$` is the last line of the last file) unless -s or -i; a last line without a newline is
 * printed without one, as GNU sed does.
 * Bounds: a program that loops (`:a;s/^/x/;ta`) stops when the pattern or hold space passes
 * 4 MiB (GNU's own `couldn't re-allocate memory`, status 4) or after 20,000,000 steps of work
 * (commands run plus characters s and y go through: a message saying the sandbox stopped it,
 * status 4); the real sed would run until memory or
 * patience ran out.
 * Left out: -f, -z, -l, r R w W e F l v z commands and the s flags e, w, m/M; back-references
 * in patterns (refused: see regex.ts). busybox's leniencies (it accepts `s/a/b/gg` and `y`
 * strings of different lengths) are not modelled: its words, GNU's checks.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { compile, RegexError, type Regex } from '../regex';
import { absolute, FileLimitError, placeOf, writeError, writeLimited } from '../sandbox-fs';
import { busyboxTools, readOne, stdinOf, WHERE } from './text-input';

/** The pattern or hold space may grow to this many characters. */
export const SED_SPACE_LIMIT = 4 << 20;
/** The work one sed run may do: commands executed plus characters that s and y go through. */
export const SED_WORK_LIMIT = 20_000_000;

const GNU_USAGE = `Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...

  -n, --quiet, --silent
                 suppress automatic printing of pattern space
      --debug
                 annotate program execution
  -e script, --expression=script
                 add the script to the commands to be executed
  -f script-file, --file=script-file
                 add the contents of script-file to the commands to be executed
  --follow-symlinks
                 follow symlinks when processing in place
  -i[SUFFIX], --in-place[=SUFFIX]
                 edit files in place (makes backup if SUFFIX supplied)
  -l N, --line-length=N
                 specify the desired line-wrap length for the \`l' command
  --posix
                 disable all GNU extensions.
  -E, -r, --regexp-extended
                 use extended regular expressions in the script
                 (for portability use POSIX -E).
  -s, --separate
                 consider files as separate rather than as a single,
                 continuous long stream.
      --sandbox
                 operate in sandbox mode (disable e/r/w commands).
  -u, --unbuffered
                 load minimal amounts of data from the input files and flush
                 the output buffers more often
  -z, --null-data
                 separate lines by NUL characters
      --help     display this help and exit
      --version  output version information and exit

If no -e, --expression, -f, or --file option is given, then the first
non-option argument is taken as the sed script to interpret.  All
remaining arguments are names of input files; if no input files are
specified, then the standard input is read.

GNU sed home page: <https://www.gnu.org/software/sed/>.
General help using GNU software: <https://www.gnu.org/gethelp/>.`;

const BUSYBOX_USAGE = `BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.

Usage: sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...
or: sed [-i[SFX]] [-nrE] CMD [FILE]...

	-e CMD	Add CMD to sed commands to be executed
	-f FILE	Add FILE contents to sed commands to be executed
	-i[SFX]	Edit files in-place (otherwise write to stdout)
		Optionally back files up, appending SFX
	-n	Suppress automatic printing of pattern space
	-r,-E	Use extended regex syntax

If no -e or -f, the first non-option argument is the sed command string.
Remaining arguments are input files (stdin if none).`;

type Address = { kind: 'line'; n: number } | { kind: 'last' } | { kind: 're'; re: () => Regex } | { kind: 'step'; first: number; step: number } | { kind: 'zero' };
type End = Address | { kind: 'plus'; n: number } | { kind: 'mult'; n: number };

interface Cmd {
  a1?: Address;
  a2?: End;
  negate: boolean;
  name: string;
  /** `{`: index of its `}`; b/t/T: index of the label (resolved after parsing). */
  jump?: number;
  label?: string;
  text?: string;
  exit?: number;
  // s
  re?: () => Regex;
  repl?: Repl[];
  global?: boolean;
  print?: boolean;
  nth?: number;
  // y
  from?: string[];
  to?: string[];
  // range state
  active?: boolean;
  endLine?: number;
}

type Repl = { t: 'lit'; s: string } | { t: 'group'; n: number } | { t: 'case'; c: 'U' | 'L' | 'E' | 'u' | 'l' };

/** A script error: GNU's text and the 0-based position it was found at; busybox's own text. */
class ScriptError {
  constructor(
    readonly gnu: string,
    readonly at: number,
    readonly busybox: string,
  ) {}
}

interface Parsed {
  cmds: Cmd[];
}

/** Parses `script`; `ere`: -E; regexes compile lazily but are checked here. */
function parseScript(script: string, ere: boolean, bb: boolean): Parsed {
  const cmds: Cmd[] = [];
  const blocks: number[] = [];
  let i = 0;
  let lastRe: Regex | undefined;
  const fail = (gnu: string, busybox: string, at = i): never => {
    throw new ScriptError(gnu, at, busybox);
  };
  const skipBlank = (): void => {
    while (i < script.length && (script[i] === ' ' || script[i] === '\t')) i++;
  };
  /** Reads up to an unescaped `delim`; `\delim` becomes delim, `\n` a newline when asked. */
  const delimited = (delim: string, what: string, keepEscapes: boolean): string => {
    let out = '';
    while (true) {
      if (i >= script.length || script[i] === '\n') {
        if (what === 'address') fail('unterminated address regex', `unmatched '${delim}'`, Math.min(i, script.length));
        fail(`unterminated \`${what[0]}' command`, `unmatched '${delim}'`, Math.min(i, script.length));
      }
      const c = script[i]!;
      if (c === '\\' && i + 1 < script.length) {
        const n = script[i + 1]!;
        if (n === delim) out += delim === '&' && what === 's-rhs' ? '\\&' : delim;
        else if (n === '\n') out += keepEscapes ? '\\n' : '\n';
        else out += c + n;
        i += 2;
        continue;
      }
      i++;
      if (c === delim) return out;
      out += c;
    }
  };
  const regexOf = (src: string, icase: boolean, end: number): (() => Regex) => {
    if (src === '') {
      // The empty regex is the last one used (when the command runs).
      if (lastRe === undefined && cmds.every((c) => !c.re && !(c.a1?.kind === 're'))) fail('no previous regular expression', 'no previous regexp', end);
      return () => {
        if (!lastRe) throw new ScriptError('no previous regular expression', end, 'no previous regexp');
        return lastRe;
      };
    }
    let re: Regex;
    try {
      re = compile(src, { extended: ere, icase, sed: true }, !bb);
    } catch (e) {
      if (!(e instanceof RegexError)) throw e;
      fail(e.message, e.unsupported ? e.message : `bad regex '${src}': ${e.message}`, end);
    }
    return () => (lastRe = re!);
  };
  const number = (): number => {
    const m = /^\d+/.exec(script.slice(i))![0];
    i += m.length;
    return Math.min(Number(m), Number.MAX_SAFE_INTEGER);
  };
  const address = (): Address | undefined => {
    const c = script[i];
    if (c === undefined) return undefined;
    if (/\d/.test(c)) {
      const n = number();
      if (script[i] === '~') {
        i++;
        const step = /\d/.test(script[i] ?? '') ? number() : 0;
        return { kind: 'step', first: n, step };
      }
      return n === 0 ? { kind: 'zero' } : { kind: 'line', n };
    }
    if (c === '$') {
      i++;
      return { kind: 'last' };
    }
    if (c === '/' || c === '\\') {
      let delim = '/';
      if (c === '\\') {
        delim = script[i + 1] ?? '';
        if (delim === '' || delim === '\n' || delim === '\\') fail('unexpected `,\'', 'bad address', i + 1);
        i += 2;
      } else i++;
      const src = delimited(delim, 'address', false);
      let icase = false;
      while (script[i] === 'I' || script[i] === 'M') {
        if (script[i] === 'I') icase = true;
        i++;
      }
      return { kind: 're', re: regexOf(src, icase, i) };
    }
    return undefined;
  };
  /** The end of a command: blanks, then `;`, a newline, `}`, `#` or the end. */
  const endCommand = (): void => {
    skipBlank();
    if (i >= script.length || script[i] === ';' || script[i] === '\n') {
      if (i < script.length) i++;
      return;
    }
    if (script[i] === '}' || script[i] === '#') return;
    fail('extra characters after command', 'extra characters after command', i + 1);
  };
  /** The text of a/i/c: GNU's one-line form or `a\` followed by lines. */
  const text = (): string => {
    skipBlank();
    if (script[i] === '\\') {
      i++;
      skipBlank();
      if (script[i] === '\n') i++;
    }
    let out = '';
    while (i < script.length && script[i] !== '\n') {
      if (script[i] === '\\' && i + 1 < script.length) {
        // A backslash-newline continues the text on the next line.
        out += script[i + 1];
        i += 2;
      } else out += script[i++];
    }
    if (i < script.length) i++;
    return out;
  };
  const label = (): string => {
    skipBlank();
    let l = '';
    while (i < script.length && script[i] !== '\n' && script[i] !== ';') l += script[i++];
    if (i < script.length) i++;
    return l.trim();
  };
  while (i < script.length) {
    while (i < script.length && /[\s;]/.test(script[i]!)) i++;
    if (i >= script.length) break;
    if (script[i] === '#') {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    const cmd: Cmd = { negate: false, name: '' };
    const a1 = address();
    if (a1) {
      cmd.a1 = a1;
      skipBlank();
      if (script[i] === ',') {
        i++;
        skipBlank();
        const c = script[i];
        if (c === '+' || c === '~') {
          i++;
          if (!/\d/.test(script[i] ?? '')) fail("expected newer version of sed", 'expected number', i);
          cmd.a2 = { kind: c === '+' ? 'plus' : 'mult', n: number() };
        } else {
          const a2 = address();
          if (!a2 || a2.kind === 'step') return fail("unexpected `,'", 'no address after comma', i);
          if (a2.kind === 'zero') return fail('invalid usage of line address 0', 'bad address', i);
          cmd.a2 = a2;
        }
      }
      if (a1.kind === 'zero' && !(cmd.a2?.kind === 're')) fail('invalid usage of line address 0', 'bad address', i + 1);
    }
    skipBlank();
    while (script[i] === '!') {
      cmd.negate = true;
      i++;
      skipBlank();
    }
    const name = script[i];
    if (name === undefined || name === '\n' || name === ';') fail('missing command', 'missing command', Math.min(i + 1, script.length));
    i++;
    cmd.name = name!;
    const twoAddresses = cmd.a2 !== undefined;
    switch (name) {
      case '{':
        blocks.push(cmds.length);
        cmds.push(cmd);
        continue;
      case '}': {
        if (cmd.a1) fail("} doesn't want any addresses", 'unexpected }', i);
        const open = blocks.pop();
        if (open === undefined) fail("unexpected `}'", 'unexpected }', i);
        cmds[open!]!.jump = cmds.length;
        cmds.push(cmd);
        endCommand();
        continue;
      }
      case 's': {
        const delim = script[i];
        if (delim === undefined || delim === '\n' || delim === '\\') fail("unterminated `s' command", "unmatched '/'", i);
        i++;
        const src = delimited(delim!, 's', false);
        const rhs = delimited(delim!, 's-rhs', true);
        let icase = false;
        while (i < script.length) {
          const f = script[i]!;
          if (f === 'g') {
            if (cmd.global) fail("multiple `g' options to `s' command", 'bad option in substitution expression', i + 1);
            cmd.global = true;
          } else if (f === 'p') {
            if (cmd.print) fail("multiple `p' options to `s' command", 'bad option in substitution expression', i + 1);
            cmd.print = true;
          } else if (f === 'i' || f === 'I') icase = true;
          else if (/\d/.test(f)) {
            if (cmd.nth !== undefined) fail('multiple number options to `s\' command', 'bad option in substitution expression', i + 1);
            const n = number();
            if (n === 0) fail("number option to `s' command may not be zero", 'bad option in substitution expression', i);
            cmd.nth = n;
            continue;
          } else if (f === 'm' || f === 'M' || f === 'e' || f === 'w') {
            throw new CommandError('UNSUPPORTED', `sed: the \`${f}' option of \`s' is not supported in this sandbox`, 1);
          } else if (/[\s;}#]/.test(f)) break;
          else fail("unknown option to `s'", 'bad option in substitution expression', i + 1);
          i++;
        }
        cmd.re = regexOf(src, icase, i);
        cmd.repl = replacement(rhs);
        const max = Math.max(0, ...cmd.repl.map((r) => (r.t === 'group' ? r.n : 0)));
        if (src !== '' && max > 0) {
          const groups = compile(src, { extended: ere, sed: true }, !bb).groupCount;
          if (max > groups) fail(`invalid reference \\${max} on \`s' command's RHS`, `invalid reference \\${max} on 's' command's RHS`, i);
        }
        endCommand();
        break;
      }
      case 'y': {
        const delim = script[i];
        if (delim === undefined || delim === '\n' || delim === '\\') fail("unterminated `y' command", "unmatched '/'", i);
        i++;
        const unescape = (s: string): string[] => {
          const out: string[] = [];
          for (let k = 0; k < s.length; k++) {
            if (s[k] === '\\' && k + 1 < s.length) {
              const n = s[++k]!;
              out.push(n === 'n' ? '\n' : n === 't' ? '\t' : n);
            } else out.push(s[k]!);
          }
          return out;
        };
        const from = unescape(delimited(delim!, 'y', false));
        const to = unescape(delimited(delim!, 'y', false));
        if (from.length !== to.length) fail("strings for `y' command are different lengths", "strings for 'y' command are different lengths", i);
        cmd.from = from;
        cmd.to = to;
        endCommand();
        break;
      }
      case 'a':
      case 'i':
      case 'c':
        cmd.text = text();
        break;
      case ':':
        if (cmd.a1) fail(': doesn\'t want any addresses', "':' doesn't want any addresses", i);
        cmd.label = label();
        if (cmd.label === '') fail('":" lacks a label', "':' lacks a label", i);
        break;
      case 'b':
      case 't':
      case 'T':
        cmd.label = label();
        break;
      case 'q':
      case 'Q': {
        if (twoAddresses) fail('command only uses one address', 'command only uses one address', i);
        skipBlank();
        if (/\d/.test(script[i] ?? '')) cmd.exit = number() & 0xff;
        endCommand();
        break;
      }
      case '=':
      case 'p':
      case 'P':
      case 'd':
      case 'D':
      case 'n':
      case 'N':
      case 'h':
      case 'H':
      case 'g':
      case 'G':
      case 'x':
        endCommand();
        break;
      case 'l':
      case 'r':
      case 'R':
      case 'w':
      case 'W':
      case 'e':
      case 'F':
      case 'v':
      case 'z':
        throw new CommandError('UNSUPPORTED', `sed: the \`${name}' command is not supported in this sandbox`, 1);
      default:
        fail(`unknown command: \`${name}'`, `unsupported command ${name}`, i);
    }
    cmds.push(cmd);
  }
  if (blocks.length > 0) fail("unmatched `{'", 'unmatched {', 0);
  // Labels: b/t/T jump to their `:` (no label: to the end of the script).
  for (const c of cmds) {
    if ('btT'.includes(c.name) && c.name.length === 1 && c.label !== undefined && c.name !== ':') {
      if (c.label === '') c.jump = cmds.length;
      else {
        const at = cmds.findIndex((x) => x.name === ':' && x.label === c.label);
        if (at < 0) throw new CommandError('INVALID', `sed: can't find label for jump to \`${c.label}'`, 1);
        c.jump = at;
      }
    }
  }
  return { cmds };
}

/** A replacement's parts: text, `&`/`\N` groups and GNU's case conversions. */
function replacement(rhs: string): Repl[] {
  const out: Repl[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit) out.push({ t: 'lit', s: lit });
    lit = '';
  };
  for (let k = 0; k < rhs.length; k++) {
    const c = rhs[k]!;
    if (c === '&') {
      flush();
      out.push({ t: 'group', n: 0 });
    } else if (c === '\\' && k + 1 < rhs.length) {
      const n = rhs[++k]!;
      if (/\d/.test(n)) {
        flush();
        out.push({ t: 'group', n: Number(n) });
      } else if ('ULEul'.includes(n)) {
        flush();
        out.push({ t: 'case', c: n as 'U' });
      } else lit += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else lit += c;
  }
  flush();
  return out;
}

/** The replacement text for one match. */
function expand(repl: Repl[], groups: (string | undefined)[]): string {
  let out = '';
  let mode: 'U' | 'L' | 'E' = 'E';
  let once: 'u' | 'l' | undefined;
  const add = (s: string): void => {
    if (s === '') return;
    let t = mode === 'U' ? s.toUpperCase() : mode === 'L' ? s.toLowerCase() : s;
    if (once) {
      t = (once === 'u' ? t[0]!.toUpperCase() : t[0]!.toLowerCase()) + t.slice(1);
      once = undefined;
    }
    out += t;
  };
  for (const r of repl) {
    if (r.t === 'lit') add(r.s);
    else if (r.t === 'group') add(groups[r.n] ?? '');
    else if (r.c === 'u' || r.c === 'l') once = r.c;
    else {
      mode = r.c;
      once = undefined;
    }
  }
  return out;
}

/** s///: the new text, or undefined when nothing was replaced. */
function substitute(cmd: Cmd, s: string): string | undefined {
  const re = cmd.re!();
  const nth = cmd.nth ?? 1;
  let out = '';
  let pos = 0;
  let count = 0;
  let prevEnd = -1;
  let replaced = false;
  while (pos <= s.length) {
    const m = re.find(s, pos);
    if (!m) break;
    if (m.start === m.end && m.start === prevEnd) {
      // No empty match right after the previous match.
      if (m.start >= s.length) break;
      out += s.slice(pos, m.start + 1);
      pos = m.start + 1;
      continue;
    }
    count++;
    out += s.slice(pos, m.start);
    if (count >= nth) {
      out += expand(cmd.repl!, m.groups);
      replaced = true;
    } else out += s.slice(m.start, m.end);
    pos = m.end;
    prevEnd = m.end;
    if (m.start === m.end) {
      if (pos < s.length) out += s[pos];
      pos++;
    }
    if (replaced && !cmd.global) break;
    if (out.length > SED_SPACE_LIMIT) throw new SpaceFull();
  }
  if (!replaced) return undefined;
  return out + s.slice(pos);
}

class SpaceFull {}
class Stopped {}

interface Options {
  quiet: boolean;
  ere: boolean;
  separate: boolean;
  inPlace: string | undefined;
  scripts: string[];
  files: string[];
}

function parseArgs(args: string[], bb: boolean): Options {
  const o: Options = { quiet: false, ere: false, separate: false, inPlace: undefined, scripts: [], files: [] };
  const operands: string[] = [];
  const bad = (msg: string): CommandError => new CommandError('USAGE', bb ? `sed: ${msg}\n${BUSYBOX_USAGE}` : `sed: ${msg}\n${GNU_USAGE}`, 1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [name, value] = a.slice(2).split(/=(.*)/s) as [string, string | undefined];
      const longs = ['quiet', 'silent', 'expression', 'regexp-extended', 'separate', 'in-place', 'posix', 'unbuffered', 'debug', 'sandbox', 'follow-symlinks', 'file', 'null-data', 'line-length'];
      const m = longs.filter((l) => l.startsWith(name));
      const full = longs.includes(name) ? name : m.length === 1 ? m[0] : undefined;
      if (bb || !full || name === '') throw bad(m.length > 1 ? `option '${a}' is ambiguous` : `unrecognized option '${a}'`);
      if (full === 'quiet' || full === 'silent') o.quiet = true;
      else if (full === 'expression') {
        const v = value ?? args[++i];
        if (v === undefined) throw bad("option '--expression' requires an argument");
        o.scripts.push(v);
      } else if (full === 'regexp-extended') o.ere = true;
      else if (full === 'separate') o.separate = true;
      else if (full === 'in-place') o.inPlace = value ?? '';
      else if (full === 'file' || full === 'null-data' || full === 'line-length') throw new CommandError('UNSUPPORTED', `sed: --${full} is not supported in this sandbox`, 1);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (c === 'n') o.quiet = true;
        else if (c === 'E' || c === 'r') o.ere = true;
        else if (c === 's') o.separate = true;
        else if (c === 'u') continue;
        else if (c === 'i') {
          o.inPlace = a.slice(j + 1);
          break;
        } else if (c === 'e') {
          const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          if (v === undefined) throw bad(`option requires an argument -- 'e'`);
          o.scripts.push(v);
          break;
        } else if (c === 'f' || c === 'z' || c === 'l') throw new CommandError('UNSUPPORTED', `sed: -${c} is not supported in this sandbox`, 1);
        else throw bad(`invalid option -- '${c}'`);
      }
      continue;
    }
    operands.push(a);
  }
  if (o.scripts.length === 0) {
    const s = operands.shift();
    if (s === undefined) throw new CommandError('USAGE', bb ? BUSYBOX_USAGE : GNU_USAGE, 1);
    o.scripts.push(s);
  }
  o.files = operands;
  return o;
}

/** Runs the program over `lines`; returns the output and the exit status `q` asked for. */
function execute(cmds: Cmd[], lines: string[], lastNewline: boolean, quiet: boolean): { out: string; status: number | undefined } {
  let out = '';
  let line = 0; // lines read so far
  let ps = '';
  let hold = '';
  let steps = 0;
  let status: number | undefined;
  let quit = false;
  const read = (): boolean => {
    if (line >= lines.length) return false;
    ps = lines[line++]!;
    return true;
  };
  const isLast = (): boolean => line >= lines.length;
  // GNU sed leaves out only the output's final newline when the input's last line had none.
  let endsWithLastLine = false;
  const emit = (s: string, fromInput = true): void => {
    out += s + '\n';
    endsWithLastLine = fromInput && isLast();
    if (out.length > 16 * SED_SPACE_LIMIT) throw new SpaceFull();
  };
  const matches = (a: Address): boolean => {
    switch (a.kind) {
      case 'line':
        return line === a.n;
      case 'last':
        return isLast();
      case 'zero':
        return false;
      case 'step':
        return a.step <= 0 ? line === a.first : line >= a.first && (line - a.first) % a.step === 0;
      case 're':
        return a.re().test(ps);
    }
  };
  const selected = (c: Cmd): boolean => {
    if (!c.a1) return true;
    if (!c.a2) return matches(c.a1);
    if (c.active) {
      const e = c.a2;
      let ends: boolean;
      if (e.kind === 're') ends = e.re().test(ps);
      else if (e.kind === 'last') ends = isLast();
      else ends = line >= c.endLine!;
      if (ends || (e.kind !== 're' && e.kind !== 'last' && line >= c.endLine!)) c.active = false;
      return true;
    }
    const start = c.a1.kind === 'zero' ? line === 1 : matches(c.a1);
    if (!start) return false;
    const e = c.a2;
    if (c.a1.kind === 'zero' && e.kind === 're' && e.re().test(ps)) return true;
    if (e.kind === 'line') {
      if (e.n > line) {
        c.active = true;
        c.endLine = e.n;
      }
    } else if (e.kind === 'plus') {
      if (e.n > 0) {
        c.active = true;
        c.endLine = line + e.n;
      }
    } else if (e.kind === 'mult') {
      const end = e.n <= 0 ? line : Math.ceil(line / e.n) * e.n;
      if (end > line) {
        c.active = true;
        c.endLine = end;
      }
    } else if (e.kind === 'last') {
      if (!isLast()) c.active = true;
    } else c.active = true;
    return true;
  };
  let appended: string[] = [];
  const endCycle = (print: boolean): void => {
    if (print && !quiet) emit(ps);
    for (const a of appended) emit(a, false);
    appended = [];
  };
  let restart = false; // D with a newline: the next cycle starts without reading
  while (!quit) {
    if (!restart && !read()) break;
    restart = false;
    let substituted = false;
    let pc = 0;
    let autoprint = true;
    cycle: while (pc < cmds.length) {
      const c = cmds[pc]!;
      steps += 1 + (c.name === 's' || c.name === 'y' ? ps.length : 0);
      if (steps > SED_WORK_LIMIT) throw new Stopped();
      if (c.name === '}' || c.name === ':') {
        pc++;
        continue;
      }
      if (selected(c) === c.negate) {
        pc = c.name === '{' ? c.jump! + 1 : pc + 1;
        continue;
      }
      pc++;
      switch (c.name) {
        case '{':
          break;
        case 's': {
          const r = substitute(c, ps);
          if (r !== undefined) {
            ps = r;
            substituted = true;
            if (c.print) emit(ps);
          }
          break;
        }
        case 'y':
          ps = [...ps].map((ch) => {
            const k = c.from!.indexOf(ch);
            return k < 0 ? ch : c.to![k]!;
          }).join('');
          break;
        case 'p':
          emit(ps);
          break;
        case 'P':
          emit(ps.split('\n')[0]!);
          break;
        case '=':
          emit(String(line), false);
          break;
        case 'a':
          appended.push(c.text!);
          break;
        case 'i':
          emit(c.text!, false);
          break;
        case 'c':
          // In a range, the text replaces the whole range: it is printed at its end.
          if (!c.a2 || c.negate || !c.active) emit(c.text!, false);
          autoprint = false;
          break cycle;
        case 'd':
          autoprint = false;
          break cycle;
        case 'D': {
          const nl = ps.indexOf('\n');
          autoprint = false;
          if (nl >= 0) {
            ps = ps.slice(nl + 1);
            restart = true;
          }
          break cycle;
        }
        case 'q':
          status = c.exit;
          quit = true;
          break cycle;
        case 'Q':
          status = c.exit;
          quit = true;
          autoprint = false;
          break cycle;
        case 'n':
          if (isLast()) {
            quit = true;
            break cycle;
          }
          endCycle(true);
          read();
          break;
        case 'N':
          if (isLast()) {
            quit = true;
            break cycle;
          }
          ps += '\n' + lines[line++]!;
          break;
        case 'h':
          hold = ps;
          break;
        case 'H':
          hold += '\n' + ps;
          break;
        case 'g':
          ps = hold;
          break;
        case 'G':
          ps += '\n' + hold;
          break;
        case 'x':
          [ps, hold] = [hold, ps];
          break;
        case 'b':
          pc = c.jump!;
          break;
        case 't':
          if (substituted) {
            substituted = false;
            pc = c.jump!;
          }
          break;
        case 'T':
          if (!substituted) pc = c.jump!;
          else substituted = false;
          break;
      }
      if (ps.length > SED_SPACE_LIMIT || hold.length > SED_SPACE_LIMIT) throw new SpaceFull();
    }
    endCycle(autoprint);
  }
  return { out: endsWithLastLine && !lastNewline ? out.slice(0, -1) : out, status };
}

export const sed: Command = {
  name: 'sed',
  summary: "edit text as it streams: sed 's/old/new/g', sed -n '2,5p', sed -i 's/a/b/' FILE",
  usage: GNU_USAGE,
  where: WHERE,
  ownHelp: true,
  async run(ctx) {
    const bb = busyboxTools(ctx);
    const args = ctx.argv.slice(1);
    if (args.length === 1 && args[0] === '--help') {
      if (bb) ctx.stderr.write(BUSYBOX_USAGE + '\n');
      else ctx.stdout.write(GNU_USAGE + '\n');
      return 0;
    }
    if (args.length === 1 && args[0] === '--version' && !bb) {
      ctx.stdout.write('sed (GNU sed) 4.8\n');
      return 0;
    }
    const o = parseArgs(args, bb);
    const script = o.scripts.join('\n');
    let parsed: Parsed;
    try {
      parsed = parseScript(script, o.ere, bb);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      if (bb) throw new CommandError('INVALID', `sed: ${e.busybox}`, 1);
      // GNU names the -e expression and the character (1-based) within it.
      let n = 0;
      let at = e.at;
      while (n < o.scripts.length - 1 && at > o.scripts[n]!.length) {
        at -= o.scripts[n]!.length + 1;
        n++;
      }
      throw new CommandError('INVALID', `sed: -e expression #${n + 1}, char ${Math.max(0, Math.min(at, o.scripts[n]!.length))}: ${e.gnu}`, 1);
    }
    const run = (text: string): { out: string; status: number | undefined } => {
      const lines = text.split('\n');
      const lastNewline = text.endsWith('\n');
      if (lastNewline || text === '') lines.pop();
      for (const c of parsed.cmds) c.active = false;
      try {
        return execute(parsed.cmds, lines, lastNewline, o.quiet);
      } catch (e) {
        if (e instanceof SpaceFull) throw new CommandError('EXEC_FAILED', bb ? 'sed: out of memory' : "sed: couldn't re-allocate memory", 4);
        if (e instanceof Stopped) throw new CommandError('EXEC_FAILED', `sed: stopped: this sandbox bounds the work of one sed run (20,000,000 steps); a loop that never ends?`, 4);
        if (e instanceof ScriptError) throw new CommandError('INVALID', bb ? `sed: ${e.busybox}` : `sed: ${e.gnu}`, 4);
        throw e;
      }
    };
    const cantRead = (f: string): string | undefined => {
      const quiet = { ...ctx, stderr: { write: () => {} } };
      const body = readOne(quiet, 'sed', f);
      if (body === undefined) ctx.stderr.write(bb ? `sed: ${f}: No such file or directory\n` : `sed: can't read ${f}: No such file or directory\n`);
      return body;
    };
    let failed = false;
    if (o.inPlace !== undefined) {
      if (o.files.length === 0) throw new CommandError('USAGE', 'sed: no input files', bb ? 1 : 4);
      const place = placeOf(ctx.env);
      for (const f of o.files) {
        const body = cantRead(f);
        if (body === undefined) {
          failed = true;
          continue;
        }
        const abs = absolute(place, f);
        const why = writeError(ctx.env, place, abs);
        if (why !== undefined) {
          ctx.stderr.write(`sed: couldn't open temporary file ${abs.replace(/[^/]*$/, '')}sed${'XXXXXX'}: ${why}\n`);
          return 4;
        }
        const r = run(body);
        try {
          if (o.inPlace !== '') writeLimited(ctx.env, place, abs + o.inPlace, body);
          writeLimited(ctx.env, place, abs, r.out);
        } catch (e) {
          if (e instanceof FileLimitError) throw new CommandError('EXEC_FAILED', `sed: couldn't flush ${abs}: ${e.message}`, 4);
          throw e;
        }
        if (r.status !== undefined) return r.status;
      }
      return failed ? 2 : 0;
    }
    let text: string;
    if (o.files.length === 0) text = stdinOf(ctx, 'sed');
    else if (o.separate) {
      let status: number | undefined;
      for (const f of o.files) {
        const body = cantRead(f);
        if (body === undefined) {
          failed = true;
          continue;
        }
        const r = run(body);
        ctx.stdout.write(r.out);
        if (r.status !== undefined) {
          status = r.status;
          break;
        }
      }
      return status ?? (failed ? 2 : 0);
    } else {
      text = '';
      for (const f of o.files) {
        const body = cantRead(f);
        if (body === undefined) failed = true;
        // Files run together; a file without a final newline still ends its line.
        else text += text !== '' && !text.endsWith('\n') ? '\n' + body : body;
      }
    }
    const r = run(text);
    ctx.stdout.write(r.out);
    return r.status ?? (failed ? 2 : 0);
  },
};
