/**
 * Shell tokenizer and command-line parser.
 *
 * Design notes
 * ------------
 * Models how bash splits ONE interactive input line into words and operators
 * (POSIX "Token Recognition") and groups them into a list of pipelines:
 *  - single quotes are literal; double quotes honour backslash only before
 *    `$`, backquote, `"`, `\` and newline; an unquoted backslash quotes the next
 *    character; backslash-newline (and a backslash at end of input) vanish;
 *  - quoted and unquoted parts join into one word (`a"b c"'d'` -> `ab cd`);
 *  - operators `|` `||` `&&` `;` `;;` `&` `>` `>>` `<` `<<` `2>` `2>>` `2>&1`;
 *    `2>...` only when the `2` starts a word, as in bash;
 *  - `#` starts a comment only at the start of a word;
 *  - `$NAME`, `$?`-style specials, `${...}`, `$(...)` and backquotes are NOT
 *    expanded here: they stay in the word text and are reported as spans (not
 *    inside single quotes) for a later expansion stage. `$(...)` may nest and
 *    contain quotes; its inner text is kept raw;
 *  - an unquoted newline separates commands like `;`;
 *  - errors use interactive bash 5.1's wording (Rocky/RHEL 9, Ubuntu 22.04).
 *    bash 5.2 prints only the first line for an unterminated quote.
 *
 * Left out: tilde, brace and glob expansion (later stages or never), `$'...'`
 * and `$"..."` quoting, arithmetic `$((...))` (reported as a command span whose
 * inner text starts with `(`), here-document bodies (`<<` is just an operator),
 * other file descriptors (`3>`, `>&2`, `&>`), subshells, `{ }` groups, `!`,
 * keywords (`if`, `for`, `case`, ...) and assignments (`A=1 cmd` is plain words).
 */

export type Operator =
  | '|' | '||' | '&&' | ';' | ';;' | '&' | '\n'
  | '>' | '>>' | '<' | '<<' | '2>' | '2>>' | '2>&1';

export type RedirectOp = '>' | '>>' | '<' | '<<' | '2>' | '2>>' | '2>&1';
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

export interface WordToken {
  kind: 'word';
  /** The word after quote removal; expansions are left as written. */
  value: string;
  /** Source offsets in the line (end exclusive). */
  start: number;
  end: number;
  /** True if any part was quoted or backslash-escaped. */
  quoted: boolean;
  expansions: Expansion[];
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
  constructor(message: string) {
    super(message);
  }
}

const eofError = (delim: string): ShellSyntaxError =>
  new ShellSyntaxError(
    `bash: unexpected EOF while looking for matching \`${delim}'\nbash: syntax error: unexpected end of file`,
  );
const unexpectedEof = (): ShellSyntaxError =>
  new ShellSyntaxError('bash: syntax error: unexpected end of file');
const unexpectedToken = (t: Token | undefined): ShellSyntaxError =>
  new ShellSyntaxError(
    `bash: syntax error near unexpected token \`${!t || t.value === '\n' ? 'newline' : t.value}'`,
  );

// Longest first, so `2>&1` wins over `2>`, `&&` over `&`.
const OPERATORS: readonly Operator[] = [
  '2>&1', '2>>', '2>', '&&', '||', ';;', '>>', '<<', '|', '&', ';', '>', '<', '\n',
];
const OP_START = new Set(['|', '&', ';', '<', '>', '\n']);
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL = /[?$#!@*\-0-9]/;

/** Thrown inside the lexer; turned into an error or (lenient) a truncated word. */
class Unterminated {
  constructor(readonly delim: string) {}
}

/** Index just past the closing quote of a double-quoted string whose opening `"` is at i-1. */
function skipDouble(line: string, i: number): number {
  for (; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
    else if (c === '$' && line[i + 1] === '(') i = skipParens(line, i + 2) - 1;
    else if (c === '`') i = skipTo(line, i + 1, '`') - 1;
  }
  throw new Unterminated('"');
}

/** Index just past the closing `'` of a single-quoted string opened at i-1 (no escapes inside). */
function skipSingle(line: string, i: number): number {
  const close = line.indexOf("'", i);
  if (close < 0) throw new Unterminated("'");
  return close + 1;
}

/** Index just past `close`, scanning raw text from i (backslash escapes the next char). */
function skipTo(line: string, i: number, close: string): number {
  for (; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === close) return i + 1;
  }
  throw new Unterminated(close);
}

/** Index just past the `)` matching an already-consumed `$(`; quotes and nesting are skipped. */
function skipParens(line: string, i: number): number {
  let depth = 1;
  for (; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === "'") i = skipSingle(line, i + 1) - 1;
    else if (c === '"') i = skipDouble(line, i + 1) - 1;
    else if (c === '`') i = skipTo(line, i + 1, '`') - 1;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  throw new Unterminated(')');
}

/** Index just past the `}` matching an already-consumed `${`. */
function skipBraces(line: string, i: number): number {
  let depth = 1;
  for (; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === "'") i = skipSingle(line, i + 1) - 1;
    else if (c === '"') i = skipDouble(line, i + 1) - 1;
    else if (c === '$' && line[i + 1] === '{') { depth++; i++; }
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new Unterminated('}');
}

function lex(line: string, lenient: boolean): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  // The word being built, if any.
  let word: WordToken | null = null;

  const endWord = (): void => {
    // A word made only of vanished text (`\<newline>`, a final `\`) is no word at all.
    if (word && (word.value !== '' || word.quoted || word.expansions.length > 0)) {
      word.end = i;
      tokens.push(word);
    }
    word = null;
  };

  /** Handles `$` or backquote at i; returns false if the `$` is just a literal character. */
  const expansion = (w: WordToken, quoted: boolean): boolean => {
    const from = i;
    const next = line[i + 1] ?? '';
    let kind: Expansion['kind'];
    let inner: string;
    if (line[i] === '`') {
      i = skipTo(line, i + 1, '`');
      kind = 'command';
      inner = line.slice(from + 1, i - 1);
    } else if (next === '(') {
      i = skipParens(line, i + 2);
      kind = 'command';
      inner = line.slice(from + 2, i - 1);
    } else if (next === '{') {
      i = skipBraces(line, i + 2);
      kind = 'braced';
      inner = line.slice(from + 2, i - 1);
    } else if (NAME_START.test(next)) {
      i += 2;
      while (i < line.length && NAME_CHAR.test(line[i] ?? '')) i++;
      kind = 'var';
      inner = line.slice(from + 1, i);
    } else if (next !== '' && SPECIAL.test(next)) {
      i += 2;
      kind = 'var';
      inner = next;
    } else {
      return false;
    }
    const text = line.slice(from, i);
    w.expansions.push({ kind, inner, start: w.value.length, end: w.value.length + text.length, quoted });
    w.value += text;
    return true;
  };

  const scan = (): void => {
    while (i < line.length) {
      const c = line[i] as string;
      if (!word) {
        if (isBlank(c)) { i++; continue; }
        if (c === '#') return; // comment to end of line
        const op = OP_START.has(c) || c === '2' ? OPERATORS.find((o) => line.startsWith(o, i)) : undefined;
        if (op) {
          tokens.push({ kind: 'op', value: op, start: i, end: i + op.length, quoted: false });
          i += op.length;
          continue;
        }
        word = { kind: 'word', value: '', start: i, end: i, quoted: false, expansions: [] };
      }
      const w: WordToken = word;
      if (isBlank(c) || OP_START.has(c)) { endWord(); continue; }
      if (c === "'") {
        const close = skipSingle(line, i + 1);
        w.value += line.slice(i + 1, close - 1);
        w.quoted = true;
        i = close;
      } else if (c === '"') {
        w.quoted = true;
        i++;
        for (;;) {
          const d = line[i];
          if (d === undefined) throw new Unterminated('"');
          if (d === '"') { i++; break; }
          if (d === '\\' && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1] as string)) {
            if (line[i + 1] !== '\n') w.value += line[i + 1];
            i += 2;
          } else if ((d === '$' || d === '`') && expansion(w, true)) {
            // consumed
          } else {
            w.value += d;
            i++;
          }
        }
      } else if (c === '\\') {
        const next = line[i + 1];
        if (next !== undefined && next !== '\n') {
          w.value += next;
          w.quoted = true;
        }
        i += 2; // backslash-newline and a final backslash disappear
      } else if ((c === '$' || c === '`') && expansion(w, false)) {
        // consumed
      } else {
        w.value += c;
        i++;
      }
    }
  };

  try {
    scan();
  } catch (e) {
    if (!(e instanceof Unterminated)) throw e;
    if (!lenient) throw eofError(e.delim);
    // Lenient: the partial word runs to the end of the line, text taken raw.
    const w = word as WordToken | null;
    if (w) {
      const quote = e.delim === "'" || e.delim === '"';
      w.value += quote ? line.slice(i).replace(/^['"]/, '') : line.slice(i);
      w.quoted ||= quote;
    }
    i = line.length;
  }
  i = Math.min(i, line.length);
  endWord();
  return tokens;
}

/** Splits one input line into words and operators; throws ShellSyntaxError on an unterminated quote. */
export function tokenize(line: string): Token[] {
  return lex(line, false);
}

// ---------------------------------------------------------------------------------------
// Command lists

export interface Redirect {
  op: RedirectOp;
  /** The file (or here-document delimiter); null for `2>&1`. */
  target: WordToken | null;
}

export interface SimpleCommand {
  argv: WordToken[];
  redirects: Redirect[];
}

export interface Pipeline {
  commands: SimpleCommand[];
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
}

const REDIRECTS = new Set<string>(['>', '>>', '<', '<<', '2>', '2>>', '2>&1']);
const LIST_OPS = new Set<string>(['&&', '||', ';', '&', '\n']);

/** Tokenizes and parses one line into pipelines joined by `&&`, `||`, `;`, `&`. */
export function parseCommandLine(line: string): CommandList {
  const tokens = tokenize(line);
  let i = 0;
  const isOp = (t: Token | undefined, v: string): boolean => t?.kind === 'op' && t.value === v;
  const skipNewlines = (): void => {
    while (isOp(tokens[i], '\n')) i++;
  };

  const simple = (): SimpleCommand => {
    const cmd: SimpleCommand = { argv: [], redirects: [] };
    for (let t = tokens[i]; t; t = tokens[++i]) {
      if (t.kind === 'word') {
        cmd.argv.push(t);
      } else if (REDIRECTS.has(t.value)) {
        const op = t.value as RedirectOp;
        if (op === '2>&1') {
          cmd.redirects.push({ op, target: null });
          continue;
        }
        const target = tokens[++i];
        if (target?.kind !== 'word') throw unexpectedToken(target);
        cmd.redirects.push({ op, target });
      } else {
        break;
      }
    }
    if (cmd.argv.length === 0 && cmd.redirects.length === 0) throw unexpectedToken(tokens[i]);
    return cmd;
  };

  const items: ListItem[] = [];
  for (skipNewlines(); i < tokens.length; skipNewlines()) {
    const commands = [simple()];
    while (isOp(tokens[i], '|')) {
      i++;
      skipNewlines();
      if (i >= tokens.length) throw unexpectedEof();
      commands.push(simple());
    }
    const t = tokens[i];
    let terminator: ListOp | null = null;
    if (t && LIST_OPS.has(t.value)) {
      terminator = t.value === '\n' ? ';' : (t.value as ListOp);
      i++;
    }
    items.push({ pipeline: { commands }, terminator });
    if (terminator === '&&' || terminator === '||') {
      skipNewlines();
      if (i >= tokens.length) throw unexpectedEof();
    }
  }
  return { items };
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

/** Describes the word being typed at `cursor`; never throws (an open quote just extends the word). */
export function wordAt(line: string, cursor: number): WordAtCursor {
  cursor = Math.max(0, Math.min(cursor, line.length));
  const tokens = lex(line.slice(0, cursor), true);
  const last = tokens[tokens.length - 1];
  const current = last?.kind === 'word' && last.end === cursor ? last : null;
  const before = current ? tokens.slice(0, -1) : tokens;

  const preceding: string[] = [];
  let redirectTarget = false;
  for (const t of before) {
    if (t.kind === 'op' && (LIST_OPS.has(t.value) || t.value === '|' || t.value === ';;')) {
      preceding.length = 0;
      redirectTarget = false;
    } else if (t.kind === 'op') {
      redirectTarget = t.value !== '2>&1';
    } else {
      if (!redirectTarget) preceding.push(t.value);
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
