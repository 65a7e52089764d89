/**
 * POSIX regular expressions (basic and extended) as grep, sed and awk read them, matched in
 * linear time.
 *
 * Design notes: a learner's pattern is translated into RE2 syntax and run by re2js (a port
 * of RE2: no backtracking, so `(a*)*b` on a long line costs no more than `ab`). The
 * translation reads the pattern the way GNU's regcomp does:
 * - BRE: `\(` `\)` groups, `\{m,n\}` intervals, GNU's `\|` `\+` `\?`; `* + ? ( ) { } |` are
 *   literal; `*` at the start of the expression (or after `\(`, `\|`, `^`) is literal; `^` is
 *   an anchor at the start (or after `\(`, `\|`), `$` at the end (or before `\)`, `\|`).
 * - ERE: `( ) | + ? * {m,n}`; a lone `)` is literal, a repetition with nothing before it is
 *   ignored, a `{` that does not open a valid interval is literal.
 * - Bracket expressions with `]` first, ranges, `[:class:]`, `[=c=]`, `[.c.]`; a backslash
 *   is literal inside. GNU escapes `\w \W \s \S \b \B \< \> \` \'` (`\<` and `\>` are word
 *   boundaries `\b`: RE2 has no lookaround), and other escaped characters stand for
 *   themselves; sed adds `\n` and `\t`.
 * Matching is leftmost-longest as POSIX asks (RE2's longest-match mode), `.` and `[^...]`
 * match a newline (sed's pattern space may hold several lines), `-i` folds case.
 * Errors carry glibc's regerror texts (`Unmatched ( or \(`, `Invalid range end`, ...), which
 * GNU grep, GNU sed and busybox (built on glibc or uclibc) all print in their own frames.
 * Left out: back-references (`\1` in a pattern): RE2 cannot match them in linear time, so
 * they are refused with a message saying so (`\1` in a sed replacement works); repetition
 * counts above 1000 (RE2's limit; glibc's is 32767) are refused the same way; multibyte
 * collating elements and equivalence classes beyond a single character.
 */
import { RE2JS } from 're2js';

/** A pattern the real tool would refuse, with glibc's words; or one the sandbox cannot match. */
export class RegexError extends Error {
  constructor(
    message: string,
    /** True when the real tool would accept the pattern but the sandbox cannot run it. */
    readonly unsupported = false,
  ) {
    super(message);
  }
}

export interface RegexOptions {
  extended: boolean;
  icase?: boolean;
  /** sed's pattern escapes: `\n` newline, `\t` tab. */
  sed?: boolean;
}

export interface Match {
  start: number;
  end: number;
  /** Capture groups 0..9 (undefined when a group did not take part). */
  groups: (string | undefined)[];
}

export interface Regex {
  /** True if the pattern matches somewhere in `s`. */
  test(s: string): boolean;
  /** The leftmost-longest match at or after `from`, or null. */
  find(s: string, from?: number): Match | null;
  /** Number of capture groups. */
  readonly groupCount: number;
}

const CLASSES = new Set(['alpha', 'digit', 'alnum', 'upper', 'lower', 'space', 'blank', 'punct', 'print', 'graph', 'cntrl', 'xdigit']);
const MAX_REPEAT = 1000;

/** A code point as an RE2 escape (safe anywhere, inside a class or not). */
function lit(ch: string): string {
  return `\\x{${ch.codePointAt(0)!.toString(16)}}`;
}

/** Parses the bracket expression opening at `p[i] === '['`; returns RE2 text and the index after `]`. */
function bracket(p: string, i: number, gnu: boolean): { re: string; next: number } {
  let j = i + 1;
  let negate = false;
  if (p[j] === '^') {
    negate = true;
    j++;
  }
  const first = j;
  const items: string[] = [];
  const unmatched = (): RegexError => new RegexError('Unmatched [, [^, [:, [., or [=');
  let prev: string | undefined; // last single character, for a range
  while (true) {
    if (j >= p.length) throw unmatched();
    const c = p[j]!;
    if (c === ']' && j > first) break;
    if (c === '[' && (p[j + 1] === ':' || p[j + 1] === '=' || p[j + 1] === '.')) {
      const kind = p[j + 1]!;
      const close = p.indexOf(kind + ']', j + 2);
      if (close < 0) throw unmatched();
      const name = p.slice(j + 2, close);
      j = close + 2;
      if (kind === ':') {
        if (!CLASSES.has(name)) throw new RegexError('Invalid character class name');
        items.push(`[:${name}:]`);
        prev = undefined;
      } else {
        const ch = [...name];
        if (ch.length !== 1) throw new RegexError('Invalid collation character');
        items.push(lit(ch[0]!));
        prev = ch[0];
      }
      continue;
    }
    const cp = String.fromCodePoint(p.codePointAt(j)!);
    // A range `a-z`: `-` first or last is a member.
    if (cp === '-' && prev !== undefined && j + 1 < p.length && p[j + 1] !== ']') {
      let hiCh: string;
      let step: number;
      if (p[j + 1] === '[' && (p[j + 2] === '.' || p[j + 2] === '=')) {
        const close = p.indexOf(p[j + 2]! + ']', j + 3);
        if (close < 0) throw unmatched();
        hiCh = p.slice(j + 3, close);
        step = close + 2 - j;
      } else {
        hiCh = String.fromCodePoint(p.codePointAt(j + 1)!);
        step = 1 + hiCh.length;
      }
      if (hiCh.codePointAt(0)! < prev.codePointAt(0)!) throw new RegexError('Invalid range end');
      items.pop();
      items.push(`${lit(prev)}-${lit(hiCh)}`);
      prev = undefined;
      j += step;
      continue;
    }
    items.push(lit(cp));
    prev = cp;
    j += cp.length;
  }
  const body = p.slice(first, j);
  // GNU grep's dfa refuses `[:space:]` meant as a class.
  if (gnu && /^:.*:$/.test(body) && body.length > 1 && !negate) throw new RegexError('character class syntax is [[:space:]], not [:space:]');
  return { re: `[${negate ? '^' : ''}${items.join('')}]`, next: j + 1 };
}

/** Translates a POSIX pattern to RE2 syntax; throws RegexError as regcomp would fail. */
export function translate(p: string, opts: RegexOptions, gnu = true): string {
  const ere = opts.extended;
  let out = '';
  /** Where the last atom starts in `out` (undefined: nothing to repeat). */
  let atom: number | undefined;
  /** The last thing emitted was a repetition (a second one wraps the first). */
  let repeated = false;
  /** At the start of an expression: after the beginning, `(`, `|` (BRE: also `^`). */
  let start = true;
  let depth = 0;
  const emitAtom = (re: string): void => {
    atom = out.length;
    out += re;
    repeated = false;
    start = false;
  };
  const repeat = (q: string): void => {
    if (atom === undefined) return;
    if (repeated) out = out.slice(0, atom) + `(?:${out.slice(atom)})`;
    out += q;
    repeated = true;
    start = false;
  };
  const open = (): void => {
    depth++;
    out += '(';
    atom = undefined;
    start = true;
    stack.push(out.length - 1);
  };
  const stack: number[] = [];
  const close = (): void => {
    depth--;
    const at = stack.pop()!;
    out += ')';
    atom = at;
    repeated = false;
    start = false;
  };
  const alternate = (): void => {
    out += '|';
    atom = undefined;
    start = true;
  };
  /** An interval body at p[i] (after `{` or `\{`); returns the quantifier and the index after the close. */
  const interval = (i: number): { q: string; next: number } | undefined => {
    const closeText = ere ? '}' : '\\}';
    const m = /^(\d*)(,(\d*))?/.exec(p.slice(i))!;
    const after = i + m[0].length;
    if (!p.startsWith(closeText, after) || (m[1] === '' && m[2] === undefined)) {
      if (ere) return undefined; // not an interval: `{` is literal
      if (after >= p.length || (p[after] === '\\' && after + 1 >= p.length)) throw new RegexError('Unmatched \\{');
      throw new RegexError('Invalid content of \\{\\}');
    }
    const lo = m[1] === '' ? 0 : Number(m[1]);
    const hi = m[2] === undefined ? lo : m[3] === '' ? undefined : Number(m[3]);
    if (hi !== undefined && hi < lo) throw new RegexError('Invalid content of \\{\\}');
    if (lo > 32767 || (hi ?? 0) > 32767) throw new RegexError('Regular expression too big');
    if (lo > MAX_REPEAT || (hi ?? 0) > MAX_REPEAT) throw new RegexError(`repetition counts above ${MAX_REPEAT} are not supported in this sandbox`, true);
    return { q: hi === undefined ? `{${lo},}` : hi === lo ? `{${lo}}` : `{${lo},${hi}}`, next: after + closeText.length };
  };
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    if (c === '\\') {
      if (i + 1 >= p.length) throw new RegexError('Trailing backslash');
      const e = String.fromCodePoint(p.codePointAt(i + 1)!);
      i += 1 + e.length;
      if (!ere && e === '(') open();
      else if (!ere && e === ')') {
        if (depth === 0) throw new RegexError('Unmatched ) or \\)');
        close();
      } else if (!ere && e === '|') alternate();
      else if (!ere && (e === '+' || e === '?')) {
        if (start) emitAtom(lit(e));
        else repeat(e);
      } else if (!ere && e === '{') {
        if (start || atom === undefined) {
          // GNU: an interval with nothing before it is literal text.
          emitAtom(lit('{'));
          continue;
        }
        const iv = interval(i)!;
        repeat(iv.q);
        i = iv.next;
      } else if (/[1-9]/.test(e)) throw new RegexError('back-references (\\1 ... \\9) are not supported in this sandbox', true);
      else if ('wWsSbB'.includes(e)) {
        if (e === 'b' || e === 'B') {
          out += `\\${e}`;
          atom = undefined;
        } else emitAtom(`\\${e}`);
      } else if (e === '<' || e === '>') {
        out += '\\b';
        atom = undefined;
      } else if (e === '`') {
        out += '\\A';
        atom = undefined;
      } else if (e === "'") {
        out += '\\z';
        atom = undefined;
      } else if (opts.sed && e === 'n') emitAtom('\\n');
      else if (opts.sed && e === 't') emitAtom('\\t');
      else emitAtom(lit(e));
      continue;
    }
    if (c === '[') {
      const b = bracket(p, i, gnu);
      emitAtom(b.re);
      i = b.next;
      continue;
    }
    if (c === '.') {
      emitAtom('.');
      i++;
      continue;
    }
    if (c === '*') {
      if (start && !ere) emitAtom(lit('*'));
      else repeat('*');
      i++;
      continue;
    }
    if (c === '^') {
      if (ere || start) {
        out += '^';
        atom = undefined;
        // BRE: `*` right after a leading `^` is literal.
        start = !ere;
      } else emitAtom(lit('^'));
      i++;
      continue;
    }
    if (c === '$') {
      const rest = p.slice(i + 1);
      if (ere || rest === '' || rest.startsWith('\\)') || rest.startsWith('\\|')) {
        out += '$';
        atom = undefined;
        start = false;
      } else emitAtom(lit('$'));
      i++;
      continue;
    }
    if (ere) {
      if (c === '(') {
        open();
        i++;
        continue;
      }
      if (c === ')' && depth > 0) {
        close();
        i++;
        continue;
      }
      if (c === '|') {
        alternate();
        i++;
        continue;
      }
      if (c === '+' || c === '?') {
        repeat(c);
        i++;
        continue;
      }
      if (c === '{') {
        const iv = interval(i + 1);
        if (iv) {
          repeat(iv.q);
          i = iv.next;
          continue;
        }
      }
    }
    const ch = String.fromCodePoint(p.codePointAt(i)!);
    emitAtom(lit(ch));
    i += ch.length;
  }
  if (depth > 0) throw new RegexError('Unmatched ( or \\(');
  return out;
}

/** Compiles a POSIX pattern; throws RegexError. `gnu`: GNU grep's extra checks (dfa.c). */
export function compile(pattern: string, opts: RegexOptions, gnu = true): Regex {
  const src = translate(pattern, opts, gnu);
  try {
    return compileRaw(src, opts.icase);
  } catch {
    // What the translation lets through and RE2 still refuses is a program too large.
    throw new RegexError('Regular expression too big');
  }
}

/** A fixed string as a pattern (grep -F). */
export function fixed(text: string, icase = false): Regex {
  return compileRaw(quote(text), icase);
}

/** `text` as RE2 source that matches it literally. */
export function quote(text: string): string {
  return [...text].map(lit).join('');
}

/** Compiles RE2-syntax source (a translation, or one a tool builds); throws RE2's exceptions. */
export function compileRaw(src: string, icase = false): Regex {
  const re = RE2JS.compile(src, RE2JS.LONGEST_MATCH | RE2JS.DOTALL | (icase ? RE2JS.CASE_INSENSITIVE : 0));
  const groupCount = re.groupCount();
  // A matcher reads its input once: the successive finds in one string (s///g, grep -o) share it.
  let input: string | undefined;
  let matcher: ReturnType<RE2JS['matcher']> | undefined;
  return {
    groupCount,
    test: (s) => re.test(s),
    find: (s, from = 0) => {
      if (from > s.length) return null;
      if (s !== input || !matcher) {
        input = s;
        matcher = re.matcher(s);
      }
      const m = matcher;
      if (!m.find(from)) return null;
      const groups: (string | undefined)[] = [];
      for (let g = 0; g <= groupCount; g++) groups.push(m.group(g) ?? undefined);
      return { start: m.start(), end: m.end(), groups };
    },
  };
}

/** The match of an ERE in a string: the whole match first, then each group ('' when it took no part). */
export type EreMatch = string[];

/**
 * bash's `[[ STRING =~ REGEX ]]`: the system's POSIX extended expressions (regcomp with
 * REG_EXTENDED), the dialect `grep -E` reads, on the same linear-time engine. Returns the
 * leftmost-longest match and its groups as BASH_REMATCH holds them, null for none, undefined
 * for a pattern regcomp refuses (the test's status is then 2).
 */
export function matchEre(text: string, pattern: string): EreMatch | null | undefined {
  let re: Regex;
  try {
    re = compile(pattern, { extended: true }, false);
  } catch {
    return undefined;
  }
  const m = re.find(text);
  if (!m) return null;
  return [text.slice(m.start, m.end), ...Array.from({ length: re.groupCount }, (_, i) => m.groups[i + 1] ?? '')];
}
