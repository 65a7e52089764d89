/**
 * Shell tokenizer and command-line parser.
 *
 * Design notes
 * ------------
 * Models how bash splits interactive input (one line, or several lines when the first left
 * something open) into words and operators (POSIX "Token Recognition") and groups them into a
 * list of pipelines:
 *  - single quotes are literal; `$'...'` (ANSI-C quoting, bash and busybox ash; not dash:
 *    see parseCommandLine's `ansiC`) decodes backslash escapes (`\n`, `\t`, `\xHH`, `\NNN`,
 *    ... see ansiCText); it is plain text inside double quotes and here-documents;
 *    double quotes honour backslash only before
 *    `$`, backquote, `"`, `\` and newline; an unquoted backslash quotes the next
 *    character; backslash-newline (and a backslash at end of input) vanish;
 *  - quoted and unquoted parts join into one word (`a"b c"'d'` -> `ab cd`);
 *  - operators `|` `||` `&&` `;` `;;` `&` and the redirections `>` `>>` `<` `<<` `<<-` `<<<`
 *    `2>` `2>>` `2>&1` `>&2` `&>` `&>>` (`1>` `1>>` `1>&2` are `>` `>>` `>&2`);
 *    `2>...`/`1>...` only when the digit starts a word, as in bash;
 *  - `#` starts a comment (to the end of its line) only at the start of a word;
 *  - `$NAME`, `$?`-style specials, `${...}`, `$(...)` and backquotes are NOT
 *    expanded here: they stay in the word text and are reported as spans (not
 *    inside single quotes) for the shell's expansion stage. `$(...)` may nest and
 *    contain quotes; its inner text is kept raw. Nested quotes and substitutions are
 *    scanned with an explicit stack, so the scan is linear in the input;
 *  - an unquoted newline separates commands like `;`; after the newline that ends a line
 *    with `<<WORD` or `<<-WORD`, the following lines up to one that is exactly WORD (after
 *    leading tabs for `<<-`) are the here-document's body, with `$` expansions reported as
 *    in double quotes unless any part of WORD was quoted;
 *  - leading `NAME=value` words of a simple command are assignments;
 *  - `(` and `)` are operators; `((` at the start of a token reads to its matching `))` as one
 *    arithmetic token (`((...))` commands and C-style `for` heads); `$((...))` stays a command
 *    span whose inner text starts with `(` (the shell evaluates it as arithmetic);
 *  - the parser groups pipelines into lists and builds compound commands by recursive
 *    descent: reserved words (`if then elif else fi for in while until do done case esac { }
 *    ! function [[ ]]`) count only unquoted and where a command starts (`echo done` is plain);
 *    `for NAME [in WORDS]`, `for ((;;))`, `while`/`until`, `if`, `case WORD in [(]pat|pat)
 *    ...;; esac`, `{ ...; }`, `( ... )`, `name() BODY`, `function name BODY`, `((...))` and
 *    `[[ ... ]]` (where `&&`, `||`, `(`, `)`, `<`, `>` are operators and the regular expression
 *    after `=~` is one word up to a blank), each followed by its own redirections. Each token is
 *    visited once; compound commands nest at most 200 deep;
 *  - `needsMore` says whether interactive bash would prompt with PS2 (`> `) for more input:
 *    an open quote or substitution, a final backslash, a final `|` `&&` `||`, a here-document
 *    whose delimiter line has not come yet, or a compound command without its end (`for ...
 *    do`, `if ... then`, `{`, `case`); `historyEntry` joins such lines into one history
 *    entry as bash's cmdhist does (`; `, or a space after `do`, `then`, `{`, `|` ...);
 *  - errors use interactive bash 5.1's wording (Rocky/RHEL 9, Ubuntu 22.04), and carry the
 *    token and what was expected so the shell can word them as dash or busybox ash does.
 *    bash 5.2 prints only the first line for an unterminated quote.
 *
 * Left out: brace and glob expansion, `$"..."` quoting, other file descriptors (`3>`, `<&0`,
 * `>&-`), `;&` and `;;&` in `case`, `select`, `coproc`, arrays (`a=(1 2)` is a syntax error),
 * extended globs. Quotes and substitutions nest at most 32 deep. `\xHH` and `\NNN` above 0x7f
 * give the character with that code (bash emits the raw byte). `((` is always arithmetic where
 * a token starts (bash retries `((a) )` as nested subshells).
 */

export type RedirectOp =
  | '>' | '>>' | '<' | '<<' | '<<-' | '<<<' | '2>' | '2>>' | '2>&1' | '>&2' | '&>' | '&>>';
/** Operators as typed: the redirections plus the `1>` spellings, and the list operators. */
export type Operator =
  | '|' | '||' | '&&' | ';' | ';;' | '&' | '\n' | '(' | ')' | RedirectOp | '1>' | '1>>' | '1>&2';
export type ListOp = '&&' | '||' | ';' | '&';

/** A `$...` or backquote expansion found in a word, located in the word's value. */
export interface Expansion {
  /** `var`: `$NAME` or a special like `$?`; `braced`: `${...}`; `command`: `$(...)` or backquotes. */
  kind: 'var' | 'braced' | 'command';
  /** The name, or the raw text between the delimiters. */
  inner: string;
  /** Offsets in the word's value: value.slice(start, end) is the whole `$...` text. */
  start: number;
  end: number;
  /** True when inside double quotes (so no field splitting applies). */
  quoted: boolean;
}

/** Text with expansion spans: a word's value, or a here-document body. */
export interface ExpandableText {
  value: string;
  expansions: Expansion[];
}

export interface WordToken extends ExpandableText {
  kind: 'word';
  /** The word after quote removal; expansions are left as written. */
  value: string;
  /** Source offsets in the line (end exclusive). */
  start: number;
  end: number;
  /** True if any part was quoted or backslash-escaped. */
  quoted: boolean;
  expansions: Expansion[];
  /** The word starts with an unquoted `~` (tilde expansion applies). */
  tilde?: boolean;
  /** For the delimiter word of `<<`/`<<-`: the here-document body read after its line. */
  heredoc?: ExpandableText;
  /** `((...))`: the text between the double parentheses (value holds it too; no expansions). */
  arith?: true;
}

export interface OpToken {
  kind: 'op';
  value: Operator;
  start: number;
  end: number;
  quoted: false;
}

export type Token = WordToken | OpToken;

export class ShellSyntaxError extends Error {
  override name = 'ShellSyntaxError';
  constructor(
    message: string,
    /** True when more input would complete the command (bash would prompt with PS2). */
    readonly incomplete = false,
    /** The unexpected token (`newline`, `done`, ...) or `end of file`, for other shells' wording. */
    readonly token?: string,
    /** The word the parser was waiting for (`do`, `fi`, `)`, ...), as dash and busybox ash name it. */
    readonly expecting?: string,
    /** Where the unexpected token starts in the text (dash names its line). */
    readonly at?: number,
    /** The unexpected token is a plain word (dash and ash say `word`, bash names it). */
    readonly plainWord = false,
  ) {
    super(message);
  }
}

const eofError = (delim: string): ShellSyntaxError =>
  new ShellSyntaxError(
    `bash: unexpected EOF while looking for matching \`${delim}'\nbash: syntax error: unexpected end of file`,
    true,
  );
const unexpectedEof = (expecting?: string): ShellSyntaxError => new ShellSyntaxError('bash: syntax error: unexpected end of file', true, 'end of file', expecting);
const RESERVED_WORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for', 'in', '{', '}', '!', 'function', '[[', ']]']);
const unexpectedToken = (t: Token | undefined, expecting?: string): ShellSyntaxError => {
  const token = !t || t.value === '\n' ? 'newline' : t.kind === 'word' && t.arith ? '((' : t.value;
  const plain = t?.kind === 'word' && !t.arith && (t.quoted || !RESERVED_WORDS.has(t.value));
  return new ShellSyntaxError(`bash: syntax error near unexpected token \`${token}'`, false, token, expecting, t?.start, plain);
};

// Longest first, so `2>&1` wins over `2>`, `&&` over `&`, `<<<` over `<<`.
const OPERATORS: readonly Operator[] = [
  '2>&1', '1>&2', '<<<', '<<-', '&>>', '2>>', '1>>', '>&2',
  '&&', '||', ';;', '>>', '<<', '&>', '2>', '1>', '|', '&', ';', '>', '<', '(', ')', '\n',
];
const OP_START = new Set(['|', '&', ';', '<', '>', '(', ')', '\n']);
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL = /[?$#!@*\-0-9]/;
/** Characters that end a run of plain word characters outside quotes. */
const PLAIN_END = new Set([' ', '\t', '|', '&', ';', '<', '>', '(', ')', '\n', "'", '"', '\\', '$', '`']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const MAX_NESTING = 32;

/**
 * Steps taken since this module was loaded: every character a scan reads (again each time a
 * later scan passes over it) and every token the parser visits. It only ever grows; the tests
 * hold the difference across a call linear in the input, so no input can make the tokenizer
 * rescan text over and over.
 */
let steps = 0;
export const tokenizerSteps = (): number => steps;

/** Thrown inside the lexer; turned into an error or (lenient) a truncated word. */
class Unterminated {
  constructor(readonly delim: string) {}
}
class TooDeep {}

/** What closes an open construct; `$'` is an ANSI-C quote, closed by `'` (backslash escapes inside). */
type Closer = "'" | "$'" | '"' | ')' | '}' | '`';

/**
 * Index just past the construct whose opening delimiter ends just before i (`'`, `"`, `$(`,
 * `${`, backquote), skipping nested quotes and substitutions with an explicit stack.
 */
function skipConstruct(line: string, i: number, first: Closer): number {
  const stack: Closer[] = [first];
  const from = i;
  for (; i < line.length; i++) {
    const top = stack[stack.length - 1]!;
    const c = line[i];
    if (top === "'") {
      if (c === "'") stack.pop();
    } else if (c === '\\') {
      i++;
      continue;
    } else if (top === '`') {
      if (c === '`') stack.pop();
    } else if (top === '"') {
      if (c === '"') stack.pop();
      else if (c === '`') stack.push('`');
      else if (c === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) stack.push(line[++i] === '(' ? ')' : '}');
    } else if (c === top) {
      stack.pop();
    } else if (top === "$'") {
      if (c === "'") stack.pop();
    } else if (c === "'" || c === '"' || c === '`') {
      stack.push(c);
    } else if (c === '$' && line[i + 1] === "'") {
      stack.push("$'");
      i++;
    } else if (c === '$' && line[i + 1] === '{') {
      stack.push('}');
      i++;
    } else if (c === '(' && (top === ')' || line[i - 1] === '$')) {
      stack.push(')');
    }
    if (stack.length === 0) {
      steps += i + 1 - from;
      return i + 1;
    }
    if (stack.length > MAX_NESTING) {
      steps += i + 1 - from;
      throw new TooDeep();
    }
  }
  steps += line.length - from;
  const open = stack[stack.length - 1]!;
  throw new Unterminated(open === "$'" ? "'" : open);
}

/**
 * Index just past the quote or substitution that starts at i (`'`, `"`, `$'`, `$(`, `${`,
 * backquote), or i + 1 when none starts there; the text's length when it never closes.
 */
export function constructEnd(text: string, i: number): number {
  const two = text.slice(i, i + 2);
  const first: Closer | undefined =
    two === "$'" ? "$'" : two === '$(' ? ')' : two === '${' ? '}' : "'\"`".includes(text[i] ?? '-') ? (text[i] as Closer) : undefined;
  if (!first) return i + 1;
  try {
    return skipConstruct(text, text[i] === '$' ? i + 2 : i + 1, first);
  } catch {
    return text.length;
  }
}

const ANSI_C: Record<string, string> = {
  a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
};
const ANSI_NUMBER = /[0-7]{1,3}|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{1,4})|U([0-9A-Fa-f]{1,8})|c([\s\S])/y;

/**
 * The text of `$'...'` (between the quotes) with bash's escapes decoded: `\n` `\t` `\\` `\'`
 * and the other single letters, `\NNN` octal, `\xHH`, `\uHHHH`, `\UHHHHHHHH`, `\cX`. An
 * unknown escape stays as written; a NUL byte ends the text.
 */
export function ansiCText(s: string): string {
  steps += s.length;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const e = s[i + 1];
    if (c !== '\\' || e === undefined) {
      out += c;
      continue;
    }
    const simple = ANSI_C[e];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    ANSI_NUMBER.lastIndex = i + 1;
    const m = ANSI_NUMBER.exec(s);
    if (!m) {
      out += c; // `\q` stays `\q`: the next character is copied on the next turn
      continue;
    }
    const [all, hex, u, bigU, ctl] = m;
    const digits = hex ?? u ?? bigU;
    const code = ctl !== undefined ? ctl.charCodeAt(0) & 0x1f : digits !== undefined ? parseInt(digits, 16) : parseInt(all, 8) & 0xff;
    if (code === 0) break;
    out += code <= 0x10ffff ? String.fromCodePoint(code) : '';
    i += all.length;
  }
  return out;
}

/**
 * Reads the `$...` or backquote expansion at i into `w`; returns the index after it, or -1
 * when the `$` is just a literal character.
 */
function readExpansion(line: string, i: number, w: ExpandableText, quoted: boolean): number {
  const from = i;
  const next = line[i + 1] ?? '';
  let kind: Expansion['kind'];
  let inner: string;
  if (line[i] === '`') {
    i = skipConstruct(line, i + 1, '`');
    kind = 'command';
    inner = line.slice(from + 1, i - 1);
  } else if (next === '(') {
    i = skipConstruct(line, i + 2, ')');
    kind = 'command';
    inner = line.slice(from + 2, i - 1);
  } else if (next === '{') {
    i = skipConstruct(line, i + 2, '}');
    kind = 'braced';
    inner = line.slice(from + 2, i - 1);
  } else if (NAME_START.test(next)) {
    i += 2;
    while (i < line.length && NAME_CHAR.test(line[i] ?? '')) i++;
    steps += i - from;
    kind = 'var';
    inner = line.slice(from + 1, i);
  } else if (next !== '' && SPECIAL.test(next)) {
    i += 2;
    kind = 'var';
    inner = next;
  } else {
    return -1;
  }
  const text = line.slice(from, i);
  w.expansions.push({ kind, inner, start: w.value.length, end: w.value.length + text.length, quoted });
  w.value += text;
  return i;
}

/** A here-document body with expansions, as bash reads an unquoted one (like double quotes, but `"` is plain). */
function heredocText(body: string): ExpandableText {
  const out: ExpandableText = { value: '', expansions: [] };
  steps += body.length;
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length && '$`\\\n'.includes(body[i + 1]!)) {
      if (body[i + 1] !== '\n') out.value += body[i + 1];
      i += 2;
      continue;
    }
    if (c === '$' || c === '`') {
      let next: number;
      try {
        next = readExpansion(body, i, out, true);
      } catch {
        next = -1; // an unterminated `$(` in a body stays literal text
      }
      if (next >= 0) {
        i = next;
        continue;
      }
    }
    out.value += c;
    i++;
  }
  return out;
}

interface LexResult {
  tokens: Token[];
  /** The input ends with an unquoted backslash (bash would read a continuation line). */
  trailingBackslash: boolean;
  /** A here-document's delimiter line never came. */
  openHeredoc: boolean;
  /** bash's warnings (a here-document ended by the end of input). */
  warnings: string[];
}

/** 1-based line numbers of the given offsets (ascending), counted in one pass. */
function lineNumbers(text: string, offsets: number[]): number[] {
  const out: number[] = [];
  let line = 1;
  let at = 0;
  for (const o of offsets) {
    for (; at < o; at++) if (text[at] === '\n') line++;
    out.push(line);
  }
  steps += at;
  return out;
}

function lex(line: string, lenient: boolean, ansiC = true): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  // The word being built, if any.
  let word: WordToken | null = null;
  let trailingBackslash = false;
  // After `<<`/`<<-`: the next word is a here-document delimiter.
  let heredocOp: { strip: boolean; at: number } | null = null;
  let pending: { word: WordToken; strip: boolean; at: number }[] = [];
  const unterminatedHeredocs: { delim: string; at: number }[] = [];

  const endWord = (): void => {
    // A word made only of vanished text (`\<newline>`, a final `\`) is no word at all.
    if (word && (word.value !== '' || word.quoted || word.expansions.length > 0)) {
      word.end = i;
      tokens.push(word);
      if (heredocOp) pending.push({ word, ...heredocOp });
      heredocOp = null;
    }
    word = null;
  };

  /** Reads the bodies of the here-documents opened on the line that just ended. */
  const readBodies = (): void => {
    for (const h of pending) {
      const delim = h.word.value;
      let body = '';
      let found = false;
      while (i < line.length) {
        const nl = line.indexOf('\n', i);
        const end = nl < 0 ? line.length : nl;
        steps += end + 1 - i;
        let text = line.slice(i, end);
        i = nl < 0 ? line.length : nl + 1;
        if (h.strip) text = text.replace(/^\t+/, '');
        if (text === delim) {
          found = true;
          break;
        }
        body += text + '\n';
      }
      h.word.heredoc = h.word.quoted ? { value: body, expansions: [] } : heredocText(body);
      if (!found) unterminatedHeredocs.push({ delim, at: h.at });
    }
    pending = [];
  };

  const scan = (): void => {
    while (i < line.length) {
      steps++;
      const c = line[i] as string;
      if (!word) {
        if (isBlank(c)) { i++; continue; }
        if (c === '#') {
          // A comment runs to the end of its line; the newline still separates commands.
          const nl = line.indexOf('\n', i);
          steps += (nl < 0 ? line.length : nl) - i;
          i = nl < 0 ? line.length : nl;
          continue;
        }
        if (c === '(' && line[i + 1] === '(') {
          // `((...))`: an arithmetic command (or a C-style `for` head), read to its `))`.
          const close = skipConstruct(line, i + 2, ')');
          if (line[close] === ')') {
            tokens.push({ kind: 'word', value: line.slice(i + 2, close - 1), start: i, end: close + 1, quoted: false, expansions: [], arith: true });
            i = close + 1;
            continue;
          }
          if (close >= line.length) throw new Unterminated(')');
        }
        const op = OP_START.has(c) || c === '2' || c === '1' ? OPERATORS.find((o) => line.startsWith(o, i)) : undefined;
        if (op) {
          tokens.push({ kind: 'op', value: op, start: i, end: i + op.length, quoted: false });
          heredocOp = op === '<<' || op === '<<-' ? { strip: op === '<<-', at: i } : null;
          i += op.length;
          if (op === '\n' && pending.length > 0) readBodies();
          continue;
        }
        word = { kind: 'word', value: '', start: i, end: i, quoted: false, expansions: [] };
        if (c === '~') word.tilde = true;
      }
      const w: WordToken = word;
      if (isBlank(c) || OP_START.has(c)) { endWord(); continue; }
      if (c === "'") {
        const close = skipConstruct(line, i + 1, "'");
        w.value += line.slice(i + 1, close - 1);
        w.quoted = true;
        i = close;
      } else if (c === '"') {
        w.quoted = true;
        i++;
        for (;;) {
          steps++;
          const d = line[i];
          if (d === undefined) throw new Unterminated('"');
          if (d === '"') { i++; break; }
          if (d === '\\' && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1] as string)) {
            if (line[i + 1] !== '\n') w.value += line[i + 1];
            i += 2;
            continue;
          }
          const next = d === '$' || d === '`' ? readExpansion(line, i, w, true) : -1;
          if (next >= 0) {
            i = next;
          } else {
            // A run of plain characters is appended in one piece (long pastes stay fast).
            let j = i + 1;
            while (j < line.length && !'"\\$`'.includes(line[j]!)) j++;
            steps += j - i;
            w.value += line.slice(i, j);
            i = j;
          }
        }
      } else if (c === '$' && ansiC && line[i + 1] === "'") {
        const close = skipConstruct(line, i + 2, "$'");
        w.value += ansiCText(line.slice(i + 2, close - 1));
        w.quoted = true;
        i = close;
      } else if (c === '\\') {
        const next = line[i + 1];
        if (next !== undefined && next !== '\n') {
          w.value += next;
          w.quoted = true;
        }
        if (next === undefined) trailingBackslash = true;
        i += 2; // backslash-newline and a final backslash disappear
      } else {
        const next = c === '$' || c === '`' ? readExpansion(line, i, w, false) : -1;
        if (next >= 0) {
          i = next;
        } else {
          let j = i + 1;
          while (j < line.length && !PLAIN_END.has(line[j]!)) j++;
          steps += j - i;
          w.value += line.slice(i, j);
          i = j;
        }
      }
    }
  };

  try {
    scan();
  } catch (e) {
    if (!(e instanceof Unterminated || e instanceof TooDeep)) throw e;
    if (!lenient) {
      if (e instanceof TooDeep) throw new ShellSyntaxError(`bash: quotes and substitutions nested more than ${MAX_NESTING} deep are not supported in this sandbox`);
      throw eofError(e.delim);
    }
    // Lenient: the partial word runs to the end of the line, text taken raw.
    const w = word as WordToken | null;
    steps += line.length - Math.min(i, line.length);
    if (w) {
      const quote = e instanceof Unterminated && (e.delim === "'" || e.delim === '"');
      w.value += quote ? line.slice(i).replace(/^['"]/, '') : line.slice(i);
      w.quoted ||= quote;
    }
    i = line.length;
  }
  i = Math.min(i, line.length);
  endWord();
  // Here-documents opened on the last line: their bodies never came.
  if (pending.length > 0) readBodies();
  const at = lineNumbers(line, unterminatedHeredocs.map((h) => h.at));
  const warnings = unterminatedHeredocs.map((h, k) => `bash: warning: here-document at line ${at[k]} delimited by end-of-file (wanted \`${h.delim}')`);
  return { tokens, trailingBackslash, openHeredoc: unterminatedHeredocs.length > 0, warnings };
}

/** Splits input into words and operators; throws ShellSyntaxError on an unterminated quote. */
export function tokenize(line: string): Token[] {
  return lex(line, false).tokens;
}

// ---------------------------------------------------------------------------------------
// Command lists

export interface Redirect {
  op: RedirectOp;
  /** The file, the here-string word or the here-document delimiter; null for `2>&1`, `>&2`. */
  target: WordToken | null;
  /** For `<<` and `<<-`: the body, with expansions unless the delimiter was quoted. */
  body?: ExpandableText;
}

/** `NAME=value` before a command (or alone). */
export interface Assignment {
  name: string;
  /** The part after `=`, with its expansions (never split into fields). */
  value: WordToken;
}

export interface SimpleCommand {
  type?: undefined;
  assignments: Assignment[];
  argv: WordToken[];
  redirects: Redirect[];
}

/** A word of `[[ ... ]]` or a `case` pattern: the token and its source text (quotes kept). */
export interface RawWord {
  word: WordToken;
  raw: string;
}

/** An operator inside `[[ ... ]]` (`&&`, `||`, `(`, `)`, `<`, `>`). */
export interface CondOp {
  op: string;
}

/** Compound commands: `{ }`, `( )`, `if`, `for`, `while`/`until`, `case`, `((...))`, `[[ ]]`, function definitions. */
export type CompoundCommand =
  | { type: 'group' | 'subshell'; body: ListItem[]; redirects: Redirect[] }
  | { type: 'if'; clauses: { cond: ListItem[]; body: ListItem[] }[]; otherwise: ListItem[] | null; redirects: Redirect[] }
  | { type: 'for'; name: string; words: WordToken[] | null; body: ListItem[]; redirects: Redirect[] }
  | { type: 'arith-for'; init: string; cond: string; step: string; body: ListItem[]; redirects: Redirect[] }
  | { type: 'while'; until: boolean; cond: ListItem[]; body: ListItem[]; redirects: Redirect[] }
  | { type: 'case'; word: WordToken; arms: { patterns: RawWord[]; body: ListItem[] }[]; redirects: Redirect[] }
  | { type: 'arith'; text: string; redirects: Redirect[] }
  | { type: 'cond'; words: (RawWord | CondOp)[]; redirects: Redirect[] }
  | { type: 'function'; name: string; body: CompoundCommand; redirects: Redirect[] };

export type Command = SimpleCommand | CompoundCommand;

export interface Pipeline {
  commands: Command[];
  /** `! pipeline`: the status is negated. */
  bang?: boolean;
}

export interface ListItem {
  pipeline: Pipeline;
  /** The operator after the pipeline (a newline counts as `;`); null at the end of the line. */
  terminator: ListOp | null;
}

/** Pipelines in order. Run item n+1 unless the previous terminator is `&&` and the last status
 *  was non-zero, or `||` and it was zero (`a && b || c` groups as `(a && b) || c`). */
export interface CommandList {
  items: ListItem[];
  /** Warnings bash prints before running the list (a here-document ended by end of input). */
  warnings: string[];
}

const NO_TARGET = new Set<string>(['2>&1', '>&2', '1>&2']);
const REDIRECTS = new Map<string, RedirectOp>([
  ...(['>', '>>', '<', '<<', '<<-', '<<<', '2>', '2>>', '2>&1', '>&2', '&>', '&>>'] as const).map((o) => [o, o] as [string, RedirectOp]),
  ['1>', '>'],
  ['1>>', '>>'],
  ['1>&2', '>&2'],
]);
const LIST_OPS = new Set<string>(['&&', '||', ';', '&', '\n']);
/** Reserved words that close a list: the parser stops there and the construct checks which it got. */
const CLOSERS = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}']);
/** Reserved words that cannot start a command. */
const RESERVED = new Set([...CLOSERS, 'in']);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Compound commands nest at most this deep (the parser recurses once per level). */
const MAX_COMPOUND_NESTING = 200;

function assignment(line: string, t: WordToken): Assignment | null {
  steps += Math.min(t.end - t.start, 1024);
  const m = ASSIGNMENT.exec(line.slice(t.start, Math.min(t.end, t.start + 1024)));
  if (!m) return null;
  const k = m[0].length;
  return {
    name: m[0].slice(0, -1),
    value: {
      kind: 'word',
      value: t.value.slice(k),
      start: t.start + k,
      end: t.end,
      quoted: t.quoted,
      expansions: t.expansions.map((x) => ({ ...x, start: x.start - k, end: x.end - k })),
    },
  };
}

function parseTokens(line: string, tokens: Token[]): ListItem[] {
  let i = 0;
  let depth = 0;
  const isOp = (t: Token | undefined, v: string): boolean => t?.kind === 'op' && t.value === v;
  /** An unquoted word with no expansions: a reserved word where one may stand. */
  const keyword = (t: Token | undefined): string | undefined => (t?.kind === 'word' && !t.quoted && !t.arith && t.expansions.length === 0 ? t.value : undefined);
  const isWord = (t: Token | undefined, v: string): boolean => keyword(t) === v;
  const skipNewlines = (): void => {
    while (isOp(tokens[i], '\n')) {
      steps++;
      i++;
    }
  };
  const raw = (t: WordToken): RawWord => ({ word: t, raw: line.slice(t.start, t.end) });
  /** Expects the reserved word `w` next (after newlines when `lines`). */
  const expect = (w: string, lines = true): void => {
    if (lines) skipNewlines();
    const t = tokens[i];
    if (!t) throw unexpectedEof(w);
    if (!isWord(t, w)) throw unexpectedToken(t);
    i++;
  };

  const redirect = (cmd: { redirects: Redirect[] }, t: Token): boolean => {
    const op = t.kind === 'op' ? REDIRECTS.get(t.value) : undefined;
    if (!op) return false;
    if (NO_TARGET.has(t.value)) {
      cmd.redirects.push({ op, target: null });
      return true;
    }
    const target = tokens[++i];
    if (target?.kind !== 'word') throw unexpectedToken(target);
    if (op === '<<' || op === '<<-') cmd.redirects.push({ op, target, body: target.heredoc ?? { value: '', expansions: [] } });
    else cmd.redirects.push({ op, target });
    return true;
  };

  const simple = (): SimpleCommand => {
    const cmd: SimpleCommand = { assignments: [], argv: [], redirects: [] };
    for (let t = tokens[i]; t; t = tokens[++i]) {
      steps++;
      if (t.kind === 'word') {
        if (t.arith) throw unexpectedToken(t);
        const a = cmd.argv.length === 0 ? assignment(line, t) : null;
        if (a) cmd.assignments.push(a);
        else cmd.argv.push(t);
        continue;
      }
      if (isOp(t, '(') && cmd.argv.length > 0) throw unexpectedToken(t);
      if (!redirect(cmd, t)) break;
    }
    if (cmd.argv.length === 0 && cmd.redirects.length === 0 && cmd.assignments.length === 0) throw unexpectedToken(tokens[i]);
    return cmd;
  };

  /** A list that must not be empty, up to a closing reserved word, `)` or `;;`. */
  const body = (closer: string): ListItem[] => {
    const items = list();
    if (i >= tokens.length) throw unexpectedEof(closer);
    if (items.length === 0) throw unexpectedToken(tokens[i]);
    return items;
  };

  const trailingRedirects = (cmd: CompoundCommand): CompoundCommand => {
    for (let t = tokens[i]; t && redirect(cmd, t); t = tokens[++i]) steps++;
    return cmd;
  };

  const compound = (): CompoundCommand | undefined => {
    const t = tokens[i];
    const k = keyword(t);
    if (t?.kind === 'word' && t.arith) {
      i++;
      return trailingRedirects({ type: 'arith', text: t.value, redirects: [] });
    }
    if (isOp(t, '(')) {
      i++;
      const items = body(')');
      if (!isOp(tokens[i], ')')) throw unexpectedToken(tokens[i]);
      i++;
      return trailingRedirects({ type: 'subshell', body: items, redirects: [] });
    }
    switch (k) {
      case '{': {
        i++;
        const items = body('}');
        expect('}');
        return trailingRedirects({ type: 'group', body: items, redirects: [] });
      }
      case 'if': {
        i++;
        const clauses: { cond: ListItem[]; body: ListItem[] }[] = [];
        let otherwise: ListItem[] | null = null;
        for (;;) {
          const cond = body('then');
          expect('then');
          clauses.push({ cond, body: body('fi') });
          const next = keyword(tokens[i]);
          i++;
          if (next === 'elif') continue;
          if (next === 'else') {
            otherwise = body('fi');
            expect('fi');
          } else if (next !== 'fi') throw unexpectedToken(tokens[i - 1]);
          break;
        }
        return trailingRedirects({ type: 'if', clauses, otherwise, redirects: [] });
      }
      case 'while':
      case 'until': {
        i++;
        const cond = body('do');
        expect('do');
        const items = body('done');
        expect('done');
        return trailingRedirects({ type: 'while', until: k === 'until', cond, body: items, redirects: [] });
      }
      case 'for': {
        i++;
        const v = tokens[i];
        if (!v) throw unexpectedEof('do');
        if (v.kind === 'word' && v.arith) {
          i++;
          const parts = v.value.split(';');
          if (parts.length !== 3) throw unexpectedToken(v);
          if (isOp(tokens[i], ';')) i++;
          expect('do');
          const items = body('done');
          expect('done');
          return trailingRedirects({ type: 'arith-for', init: parts[0]!, cond: parts[1]!, step: parts[2]!, body: items, redirects: [] });
        }
        if (v.kind !== 'word' || v.quoted) throw unexpectedToken(v);
        if (!NAME_RE.test(v.value)) throw new ShellSyntaxError(`bash: \`${v.value}': not a valid identifier`, false, 'bad for loop variable', undefined, v.start);
        i++;
        let words: WordToken[] | null = null;
        skipNewlines();
        if (isWord(tokens[i], 'in')) {
          i++;
          words = [];
          for (let w = tokens[i]; w?.kind === 'word' && !w.arith; w = tokens[++i]) {
            steps++;
            words.push(w);
          }
          if (!tokens[i]) throw unexpectedEof('do');
          if (!isOp(tokens[i], ';') && !isOp(tokens[i], '\n')) throw unexpectedToken(tokens[i]);
          i++;
        } else if (isOp(tokens[i], ';')) i++;
        expect('do');
        const items = body('done');
        expect('done');
        return trailingRedirects({ type: 'for', name: v.value, words, body: items, redirects: [] });
      }
      case 'case': {
        i++;
        const w = tokens[i];
        if (!w) throw unexpectedEof('in');
        if (w.kind !== 'word') throw unexpectedToken(w);
        i++;
        expect('in');
        const arms: { patterns: RawWord[]; body: ListItem[] }[] = [];
        for (;;) {
          skipNewlines();
          const p = tokens[i];
          if (!p) throw unexpectedEof(')');
          if (isWord(p, 'esac')) {
            i++;
            break;
          }
          if (isOp(p, '(')) i++;
          const patterns: RawWord[] = [];
          for (;;) {
            const pw = tokens[i];
            if (!pw) throw unexpectedEof(')');
            if (pw.kind !== 'word') throw unexpectedToken(pw);
            patterns.push(raw(pw));
            i++;
            if (isOp(tokens[i], '|')) {
              i++;
              continue;
            }
            if (!tokens[i]) throw unexpectedEof(')');
            if (!isOp(tokens[i], ')')) throw unexpectedToken(tokens[i], ')');
            i++;
            break;
          }
          const items = list();
          if (i >= tokens.length) throw unexpectedEof('esac');
          arms.push({ patterns, body: items });
          if (isOp(tokens[i], ';;')) {
            i++;
            continue;
          }
          if (isWord(tokens[i], 'esac')) {
            i++;
            break;
          }
          throw unexpectedToken(tokens[i]);
        }
        return trailingRedirects({ type: 'case', word: w, arms, redirects: [] });
      }
      case '[[': {
        i++;
        const words: (RawWord | CondOp)[] = [];
        for (;;) {
          const c = tokens[i];
          steps++;
          if (!c || isOp(c, '\n')) {
            if (!c) throw unexpectedEof(']]');
            throw unexpectedToken(c);
          }
          i++;
          if (isWord(c, ']]')) break;
          if (c.kind === 'op') {
            if (!['&&', '||', '(', ')', '<', '>'].includes(c.value)) throw unexpectedToken(c);
            words.push({ op: c.value });
          } else if (isWord(c, '=~') && tokens[i]?.kind !== undefined) {
            // The regular expression after `=~` is one word up to a blank: `(`, `)` and `|` are
            // part of it, as bash reads it.
            words.push(raw(c));
            const first = tokens[i]!;
            let end = first.end;
            for (i++; tokens[i] && tokens[i]!.start === end && !isWord(tokens[i], ']]') && !isOp(tokens[i], '\n'); i++) {
              steps++;
              end = tokens[i]!.end;
            }
            const text = line.slice(first.start, end);
            words.push({ word: { ...(first.kind === 'word' ? first : { kind: 'word', quoted: false, expansions: [] }), value: text, start: first.start, end, expansions: [] }, raw: text });
          } else words.push(raw(c));
        }
        return trailingRedirects({ type: 'cond', words, redirects: [] });
      }
      case 'function': {
        i++;
        const n = tokens[i];
        if (!n) throw unexpectedEof();
        if (n.kind !== 'word') throw unexpectedToken(n);
        i++;
        if (isOp(tokens[i], '(')) {
          i++;
          if (!isOp(tokens[i], ')')) throw unexpectedToken(tokens[i]);
          i++;
        }
        return functionBody(n.value);
      }
    }
    // `name() compound-command`
    if (t?.kind === 'word' && k !== undefined && isOp(tokens[i + 1], '(') && isOp(tokens[i + 2], ')')) {
      i += 3;
      return functionBody(t.value);
    }
    return undefined;
  };

  const functionBody = (name: string): CompoundCommand => {
    skipNewlines();
    if (!tokens[i]) throw unexpectedEof();
    const b = compound();
    if (!b) throw unexpectedToken(tokens[i]);
    return { type: 'function', name, body: b, redirects: [] };
  };

  const command = (): Command => {
    if (++depth > MAX_COMPOUND_NESTING) throw new ShellSyntaxError(`bash: commands nested more than ${MAX_COMPOUND_NESTING} deep are not supported in this sandbox`);
    try {
      const k = keyword(tokens[i]);
      if (k !== undefined && RESERVED.has(k)) throw unexpectedToken(tokens[i]);
      return compound() ?? simple();
    } finally {
      depth--;
    }
  };

  const pipeline = (): Pipeline => {
    let bang = false;
    while (isWord(tokens[i], '!')) {
      bang = !bang;
      i++;
    }
    if (i >= tokens.length) throw unexpectedEof();
    const commands = [command()];
    while (isOp(tokens[i], '|')) {
      i++;
      skipNewlines();
      if (i >= tokens.length) throw unexpectedEof();
      commands.push(command());
    }
    return bang ? { commands, bang } : { commands };
  };

  /** Pipelines up to the end, a closing reserved word, `)` or `;;`. */
  function list(): ListItem[] {
    const items: ListItem[] = [];
    for (skipNewlines(); i < tokens.length; skipNewlines()) {
      const t = tokens[i]!;
      const k = keyword(t);
      if ((k !== undefined && CLOSERS.has(k)) || isOp(t, ')') || isOp(t, ';;')) break;
      const p = pipeline();
      const n = tokens[i];
      let terminator: ListOp | null = null;
      if (n && LIST_OPS.has(n.value) && n.kind === 'op') {
        terminator = n.value === '\n' ? ';' : (n.value as ListOp);
        i++;
      } else if (n && !(keyword(n) !== undefined && CLOSERS.has(keyword(n)!)) && !isOp(n, ')') && !isOp(n, ';;')) {
        throw unexpectedToken(n);
      }
      items.push({ pipeline: p, terminator });
      if (terminator === '&&' || terminator === '||') {
        skipNewlines();
        if (i >= tokens.length) throw unexpectedEof();
      }
    }
    return items;
  }

  const items = list();
  if (i < tokens.length) throw unexpectedToken(tokens[i]);
  return items;
}

/**
 * Tokenizes and parses input into pipelines joined by `&&`, `||`, `;`, `&` and newlines.
 * `ansiC: false` reads `$'...'` as `$` and a single-quoted string, as dash does.
 */
export function parseCommandLine(line: string, options: { ansiC?: boolean } = {}): CommandList {
  const r = lex(line, false, options.ansiC ?? true);
  return { items: parseTokens(line, r.tokens), warnings: r.warnings };
}

/**
 * True when interactive bash would show its continuation prompt (`> `) instead of running
 * `text`: an open quote, `$(`, `${` or backquote, a final unquoted backslash, a final `|`,
 * `&&` or `||`, or a here-document still waiting for its delimiter line. Input with any
 * other syntax error is complete (running it reports the error).
 */
export function needsMore(text: string): boolean {
  let r: LexResult;
  try {
    r = lex(text, false);
  } catch (e) {
    return e instanceof ShellSyntaxError && e.incomplete;
  }
  if (r.trailingBackslash || r.openHeredoc) return true;
  try {
    parseTokens(text, r.tokens);
  } catch (e) {
    return e instanceof ShellSyntaxError && e.incomplete;
  }
  return false;
}

/** Words after which bash joins the next line of a command with a space rather than `; `. */
const JOIN_WITH_SPACE = new Set(['do', 'then', 'else', 'elif', '{', 'in', '!']);

/**
 * The history entry bash (cmdhist on, lithist off) makes of a command typed over several
 * lines: one entry, the lines joined with `; `, or with a space after a line that ends where
 * a command cannot end (`do`, `then`, `else`, `{`, `(`, `|`, `&&`, `||`, `;;`, `case ... in`),
 * or with the newline itself inside a quote or a here-document body. Input of more than 200 lines
 * is kept as typed.
 */
export function historyEntry(text: string): string {
  const lines = text.split('\n');
  if (lines.length === 1 || lines.length > 200) return text;
  let entry = lines[0]!;
  let typed = lines[0]!;
  for (const line of lines.slice(1)) {
    let sep = '; ';
    try {
      const r = lex(typed, false);
      const last = r.tokens[r.tokens.length - 1];
      if (r.openHeredoc || r.trailingBackslash) sep = '\n';
      else if (!last) sep = ' ';
      else if (last.kind === 'op' ? ['|', '&&', '||', '(', ';', ';;', '\n'].includes(last.value) : !last.quoted && !last.arith && JOIN_WITH_SPACE.has(last.value)) sep = ' ';
    } catch {
      sep = '\n'; // inside a quote or a substitution: the newline is part of the text
    }
    entry += sep + line;
    typed += '\n' + line;
  }
  return entry;
}

// ---------------------------------------------------------------------------------------
// Completion support

export interface WordAtCursor {
  /** Position in the current simple command's argv (0 = command name); for a
   *  redirection target, the argv position the next plain word would take. */
  index: number;
  /** Source offset where the word starts (the cursor itself for a new empty word). */
  start: number;
  /** The word from its start up to the cursor, quotes removed. */
  prefix: string;
  /** argv words of the same simple command before this one, quotes removed. */
  preceding: string[];
  /** True when the word is the target of `>`, `<`, `2>`, ... (complete a file name). */
  redirectTarget: boolean;
}

/** Reserved words after which the next word is a command name. */
const COMMAND_PREFIXES = new Set(['do', 'then', 'else', 'elif', 'if', 'while', 'until', '{', '!']);

/** Describes the word being typed at `cursor`; never throws (an open quote just extends the word). */
export function wordAt(line: string, cursor: number): WordAtCursor {
  cursor = Math.max(0, Math.min(cursor, line.length));
  const tokens = lex(line.slice(0, cursor), true).tokens;
  const last = tokens[tokens.length - 1];
  const current = last?.kind === 'word' && last.end === cursor ? last : null;
  const before = current ? tokens.slice(0, -1) : tokens;

  const preceding: string[] = [];
  let redirectTarget = false;
  steps += before.length;
  for (const t of before) {
    if (t.kind === 'op' && (LIST_OPS.has(t.value) || t.value === '|' || t.value === ';;' || t.value === '(' || t.value === ')')) {
      preceding.length = 0;
      redirectTarget = false;
    } else if (t.kind === 'op') {
      redirectTarget = !NO_TARGET.has(t.value);
    } else {
      // After `do`, `then`, `{`, `!` ... a command starts.
      if (!redirectTarget && !(preceding.length === 0 && !t.quoted && COMMAND_PREFIXES.has(t.value))) preceding.push(t.value);
      redirectTarget = false;
    }
  }
  return {
    index: preceding.length,
    start: current ? current.start : cursor,
    prefix: current ? current.value : '',
    preceding,
    redirectTarget,
  };
}
