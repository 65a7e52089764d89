/**
 * Conditional expressions: the `test` / `[` builtin and bash's `[[ ... ]]`.
 *
 * Design notes: `test` follows POSIX's rules by argument count (0 to 4 arguments decide by
 * position: `[ -n ]` is true, `[ ! x ]` is false), then a recursive reading of `!`, `-a`,
 * `-o` and parentheses for longer lists, as bash does. Unary operators: strings (`-z`, `-n`)
 * and files (`-e`, `-f`, `-d`, `-s`, `-r`, `-w`, `-x`, `-L`, `-h`, `-b`, `-c`, `-p`, `-S`,
 * answered from the sandbox's files: see sandbox-fs.ts; every file is readable and writable
 * by root, none executable, none a link or device) and `-t` (false: no terminal is a file
 * descriptor here). Binary: `=`, `==` (not in dash's test), `!=`, `<`, `>`, `-eq`, `-ne`,
 * `-lt`, `-le`, `-gt`, `-ge` (64-bit decimal integers with optional blanks and sign), and
 * `-nt`, `-ot`, `-ef` (false: files carry no times or inodes here).
 * Errors are printed in each shell's words (bash `[: x: integer expression expected`, dash
 * `[: Illegal number: x`, busybox ash `x: bad number`) with status 2.
 * `[[ ]]` (bash; busybox ash's bash-compatible form) uses the same operators on words that
 * are expanded but not split; `==`/`!=` match the right side as a glob pattern (quoted
 * parts literally), `=~` as an extended regular expression (regex.ts; the groups go to
 * BASH_REMATCH as `BASH_REMATCH`, `BASH_REMATCH_1`... since arrays are not modelled),
 * `<`/`>` compare strings, `&&`, `||`, `!` and parentheses combine, and the operands of
 * `-eq`-style operators are arithmetic expressions.
 */

export type TestDialect = 'bash' | 'ash' | 'dash';

/** What a file test needs to know about a path. */
export interface FileInfo {
  kind(path: string): 'file' | 'dir' | 'none';
  size(path: string): number;
}

/** An error `test` prints (without the shell's prefix) and its status 2. */
export class TestError extends Error {
  override name = 'TestError';
}

const UNARY = new Set(['-e', '-f', '-d', '-s', '-r', '-w', '-x', '-L', '-h', '-b', '-c', '-p', '-S', '-z', '-n', '-t', '-g', '-u', '-k', '-O', '-G', '-N', '-a']);
const BINARY = new Set(['=', '==', '!=', '<', '>', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef']);
const MAX_INT = 9223372036854775807n;

function unaryTest(op: string, arg: string, files: FileInfo): boolean {
  switch (op) {
    case '-z': return arg === '';
    case '-n': return arg !== '';
    case '-e':
    case '-a':
    case '-r':
    case '-w': return files.kind(arg) !== 'none';
    case '-f': return files.kind(arg) === 'file';
    case '-d': return files.kind(arg) === 'dir';
    case '-s': return files.kind(arg) === 'dir' || (files.kind(arg) === 'file' && files.size(arg) > 0);
    case '-x': return files.kind(arg) === 'dir';
    default: return false;
  }
}

/** A decimal integer as `test` reads it, or an error in the dialect's words. */
function integer(s: string, dialect: TestDialect): bigint {
  const m = /^[ \t\n]*([-+]?[0-9]+)[ \t\n]*$/.exec(s);
  const v = m ? BigInt(m[1]!) : undefined;
  if (v !== undefined && v <= MAX_INT && v >= -MAX_INT - 1n) return v;
  if (dialect === 'dash') throw new TestError(`Illegal number: ${s}`);
  if (dialect === 'ash') throw new TestError(v !== undefined ? `${s}: out of range` : s === '' ? 'bad number' : `${s}: bad number`);
  throw new TestError(`${s}: integer expression expected`);
}

/** A binary operator of `test` or `[[` (`==` patterns are the caller's: `match`). */
export function binaryTest(op: string, a: string, b: string, dialect: TestDialect, num: (s: string) => bigint = (s) => integer(s, dialect)): boolean {
  switch (op) {
    case '=':
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '>': return a > b;
    case '-nt':
    case '-ot':
    case '-ef': return false;
  }
  const x = num(a);
  const y = num(b);
  switch (op) {
    case '-eq': return x === y;
    case '-ne': return x !== y;
    case '-lt': return x < y;
    case '-le': return x <= y;
    case '-gt': return x > y;
    default: return x >= y;
  }
}

/**
 * `test ARGS` (`[ ARGS ]` without the `]`): 0 true, 1 false; throws TestError on a misuse.
 */
export function runTest(args: string[], dialect: TestDialect, files: FileInfo): number {
  const isBinary = (s: string | undefined): boolean => s !== undefined && BINARY.has(s) && !(s === '==' && dialect === 'dash');
  const unknown = (first: string, second: string | undefined, bashWhat: string): never => {
    if (dialect === 'dash') throw new TestError(`${first}: unexpected operator`);
    if (dialect === 'ash') throw new TestError(`${second ?? first}: unknown operand`);
    throw new TestError(bashWhat);
  };
  const one = (a: string): boolean => a !== '';
  const two = (a: string, b: string): boolean => {
    if (a === '!') return !one(b);
    if (UNARY.has(a)) return unaryTest(a, b, files);
    if (dialect !== 'bash' && isBinary(b)) throw new TestError(`${b}: argument expected`);
    return unknown(a, b, `${a}: unary operator expected`);
  };
  const three = (a: string, b: string, c: string): boolean => {
    if (isBinary(b)) return binaryTest(b, a, c, dialect);
    if (b === '-a') return one(a) && one(c);
    if (b === '-o') return one(a) || one(c);
    if (a === '!') return !two(b, c);
    if (a === '(' && c === ')') return one(b);
    return unknown(a, b, `${b}: binary operator expected`);
  };
  const general = (): boolean => {
    let i = 0;
    const primary = (): boolean => {
      const a = args[i];
      if (a === undefined) throw new TestError(dialect === 'bash' ? 'argument expected' : `${args[i - 1] ?? ''}: argument expected`);
      if (a === '!') {
        i++;
        return !primary();
      }
      if (a === '(') {
        i++;
        const v = or();
        if (args[i] !== ')') throw new TestError(dialect === 'bash' ? "`)' expected" : 'closing paren expected');
        i++;
        return v;
      }
      if (isBinary(args[i + 1])) {
        const v = binaryTest(args[i + 1]!, a, args[i + 2] ?? '', dialect);
        if (args[i + 2] === undefined) throw new TestError(dialect === 'bash' ? `${a}: unary operator expected` : `${args[i + 1]}: argument expected`);
        i += 3;
        return v;
      }
      if (UNARY.has(a) && args[i + 1] !== undefined) {
        i += 2;
        return unaryTest(a, args[i - 1]!, files);
      }
      i++;
      return one(a);
    };
    const and = (): boolean => {
      let v = primary();
      while (args[i] === '-a') {
        i++;
        v = primary() && v;
      }
      return v;
    };
    const or = (): boolean => {
      let v = and();
      while (args[i] === '-o') {
        i++;
        v = and() || v;
      }
      return v;
    };
    const v = or();
    if (i < args.length) unknown(args[0]!, args[1], 'too many arguments');
    return v;
  };
  let ok: boolean;
  switch (args.length) {
    case 0: ok = false; break;
    case 1: ok = one(args[0]!); break;
    case 2: ok = two(args[0]!, args[1]!); break;
    case 3: ok = three(args[0]!, args[1]!, args[2]!); break;
    case 4:
      if (args[0] === '!') ok = !three(args[1]!, args[2]!, args[3]!);
      else if (args[0] === '(' && args[3] === ')') ok = two(args[1]!, args[2]!);
      else ok = general();
      break;
    default: ok = general();
  }
  return ok ? 0 : 1;
}

/** A word of `[[ ]]` after expansion: its text, and for a pattern its glob form (quoted parts escaped). */
export interface CondWord {
  text: string;
  pattern: string;
  op?: undefined;
}
export type CondItem = CondWord | { op: string };

export interface CondHooks {
  files: FileInfo;
  /** Whole-string glob match. */
  glob(text: string, pattern: string): boolean;
  /** `=~`: sets BASH_REMATCH; returns 0, 1, or 2 for a bad pattern. */
  regex(text: string, pattern: string): number;
  /** An operand of `-eq` and friends: an arithmetic expression. */
  arith(text: string): bigint;
}

/** Evaluates the words of `[[ ... ]]`: 0 true, 1 false, 2 for a bad regular expression. Throws TestError (bash's wording) on a misuse. */
export function runCond(items: CondItem[], hooks: CondHooks): number {
  let i = 0;
  let bad = false;
  const word = (): CondWord => {
    const w = items[i];
    if (!w || w.op !== undefined) throw new TestError(w ? `syntax error in conditional expression: unexpected token \`${w.op}'` : 'unexpected argument to conditional expression');
    i++;
    return w;
  };
  const isOp = (v: string): boolean => {
    const w = items[i];
    return w !== undefined && (w.op === v || (w.op === undefined && v !== '(' && v !== ')' && v !== '&&' && v !== '||' && w.text === v && w.pattern === v));
  };
  const primary = (): boolean => {
    if (isOp('!')) {
      i++;
      return !primary();
    }
    if (isOp('(')) {
      i++;
      const v = or();
      if (!isOp(')')) throw new TestError("expected `)'");
      i++;
      return v;
    }
    const a = word();
    const next = items[i];
    const opText = next?.op ?? (next && next.op === undefined ? next.text : undefined);
    if (next && opText !== undefined && (BINARY.has(opText) || opText === '=~') && !(next.op === undefined && next.pattern !== next.text)) {
      i++;
      const b = items[i];
      if (!b || b.op !== undefined) throw new TestError(`unexpected argument \`${b?.op ?? ']]'}' to conditional binary operator`);
      i++;
      if (opText === '==' || opText === '=') return hooks.glob(a.text, b.pattern);
      if (opText === '!=') return !hooks.glob(a.text, b.pattern);
      if (opText === '=~') {
        const r = hooks.regex(a.text, b.text);
        if (r === 2) bad = true;
        return r === 0;
      }
      return binaryTest(opText, a.text, b.text, 'bash', (s) => hooks.arith(s));
    }
    if (UNARY.has(a.text) && a.text === a.pattern && next && next.op === undefined) {
      i++;
      return unaryTest(a.text, next.text, hooks.files);
    }
    return a.text !== '';
  };
  const and = (): boolean => {
    let v = primary();
    while (isOp('&&')) {
      i++;
      const w = primary();
      v = v && w;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (isOp('||')) {
      i++;
      const w = and();
      v = v || w;
    }
    return v;
  };
  if (items.length === 0) return 1;
  const v = or();
  if (i < items.length) {
    const w = items[i]!;
    throw new TestError(`syntax error in conditional expression: unexpected token \`${w.op ?? w.text}'`);
  }
  return bad ? 2 : v ? 0 : 1;
}
