/**
 * Shell arithmetic: the expression language of `$((...))`, `((...))`, `let` and C-style `for`.
 *
 * Design notes: the text arrives with its `$` expansions already done (as in every shell);
 * this module reads it into a tree with the C precedence bash documents (`,` `=` and the
 * assignment operators, `?:`, `||`, `&&`, `|`, `^`, `&`, `==` `!=`, `<` `<=` `>` `>=`, `<<`
 * `>>`, `+` `-`, `*` `/` `%`, `**` (right-associative), unary `!` `~` `-` `+` (tighter than
 * `**`, as in bash: `-2**2` is 4), `++`/`--` before and after a name) and evaluates it with 64-bit wrapping
 * integers (BigInt, `asIntN(64)`). `&&`, `||` and `?:` evaluate only the side they take.
 * Names stand for variables without `$`; a variable's value is itself evaluated as an
 * expression (an empty or unset one is 0), at most 32 levels deep. Numbers: decimal, `0x`
 * hex, `0` octal and bash's `BASE#DIGITS`. Errors carry what each shell prints:
 * bash `1/0: division by 0 (error token is "0")`, dash `arithmetic expression: division by
 * zero: "1/0"`, busybox ash `divide by zero`; the caller adds the `bash: `/`sh: 1: ` prefix.
 * dash knows neither `**`, `++`/`--` nor `,` (POSIX leaves them out): there they are a syntax
 * error. Left out: arrays, bash's `expression recursion level exceeded` wording (the
 * recursion bound reports a plain message).
 */

export type ArithDialect = 'bash' | 'ash' | 'dash';

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

export class ArithError extends Error {
  override name = 'ArithError';
}

type Node =
  | { k: 'num'; v: bigint }
  | { k: 'var'; name: string; at: number }
  | { k: 'un'; op: string; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node; at: number }
  | { k: 'assign'; op: string; name: string; b: Node }
  | { k: 'incdec'; op: '++' | '--'; name: string; post: boolean }
  | { k: 'cond'; c: Node; a: Node; b: Node };

interface Tok {
  t: 'num' | 'name' | 'op' | 'eof';
  v: string;
  at: number;
}

const OPS = ['<<=', '>>=', '**', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '+', '-', '*', '/', '%', '<', '>', '&', '^', '|', '!', '~', '?', ':', '=', '(', ')', ','];
const ASSIGN = new Set(['=', '*=', '/=', '%=', '+=', '-=', '<<=', '>>=', '&=', '^=', '|=']);
const BINARY: [string[], number][] = [
  [['||'], 1],
  [['&&'], 2],
  [['|'], 3],
  [['^'], 4],
  [['&'], 5],
  [['==', '!='], 6],
  [['<', '<=', '>', '>='], 7],
  [['<<', '>>'], 8],
  [['+', '-'], 9],
  [['*', '/', '%'], 10],
];
const PREC = new Map<string, number>(BINARY.flatMap(([ops, p]) => ops.map((o) => [o, p] as [string, number])));
const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);
const MAX_DEPTH = 32;

function lex(s: string, dialect: ArithDialect, fail: (kind: 'syntax' | 'eof', at: number) => never): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const m = /^(?:[0-9]+#[0-9A-Za-z@_]+|0[xX][0-9A-Fa-f]*|[0-9][0-9A-Za-z]*)/.exec(s.slice(i, i + 80));
    if (m) {
      out.push({ t: 'num', v: m[0], at: i });
      i += m[0].length;
      continue;
    }
    const n = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, i + 256));
    if (n) {
      out.push({ t: 'name', v: n[0], at: i });
      i += n[0].length;
      continue;
    }
    let op = OPS.find((o) => s.startsWith(o, i));
    // dash reads `**` as two `*`, `++` as two `+` (POSIX has neither), and has no `,`.
    if (dialect === 'dash' && op !== undefined && ['**', '++', '--'].includes(op)) op = op[0]!;
    if (!op || (dialect === 'dash' && op === ',')) fail('syntax', i);
    out.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  out.push({ t: 'eof', v: '', at: s.length });
  return out;
}

/** The value of an integer constant, or an error naming it. */
function number(text: string, dialect: ArithDialect): bigint | 'base' | 'bad' {
  let base = 10;
  let digits = text;
  const hash = /^([0-9]+)#(.*)$/.exec(text);
  if (hash && dialect !== 'dash') {
    base = Number(hash[1]);
    digits = hash[2]!;
    if (base < 2 || base > 64) return 'base';
  } else if (/^0[xX]/.test(text)) {
    base = 16;
    digits = text.slice(2);
    if (digits === '') return 'bad';
  } else if (/^0[0-9]/.test(text)) {
    base = 8;
    digits = text.slice(1);
  }
  let v = 0n;
  for (const ch of digits) {
    let d: number;
    if (ch >= '0' && ch <= '9') d = ch.charCodeAt(0) - 48;
    else if (ch >= 'a' && ch <= 'z') d = ch.charCodeAt(0) - 87;
    else if (ch >= 'A' && ch <= 'Z') d = base <= 36 ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 29;
    else if (ch === '@') d = 62;
    else if (ch === '_') d = 63;
    else return 'bad';
    if (d >= base) return 'base';
    v = wrap(v * BigInt(base) + BigInt(d));
  }
  return v;
}

/**
 * Evaluates `text` (expansions done) and returns its value; throws ArithError with the
 * shell's wording (without the `bash: `/`sh: ` prefix). Empty text is 0.
 */
export function evaluate(text: string, vars: ArithVars, dialect: ArithDialect = 'bash', depth = 0): bigint {
  const shown = dialect === 'bash' ? text.replace(/^[ \t\n]+/, '') : text;
  const lead = text.length - text.replace(/^[ \t\n]+/, '').length;
  const err = (what: string, at: number, dashWhat: string, ashWhat = 'arithmetic syntax error'): never => {
    if (dialect === 'dash') throw new ArithError(`arithmetic expression: ${dashWhat}: "${text}"`);
    if (dialect === 'ash') throw new ArithError(ashWhat);
    throw new ArithError(`${shown}: ${what} (error token is "${text.slice(Math.max(at, lead))}")`);
  };
  if (depth > MAX_DEPTH) throw new ArithError(dialect === 'bash' ? `${shown}: expression recursion level exceeded (error token is "${shown}")` : 'arithmetic: expression recursion level exceeded');
  const toks = lex(text, dialect, (kind, at) => err(kind === 'eof' ? 'syntax error: operand expected' : 'syntax error: invalid arithmetic operator', at, 'expecting EOF'));
  let p = 0;
  const peek = (): Tok => toks[p]!;
  const prevAt = (): number => toks[Math.max(0, p - 1)]!.at;
  const isOp = (v: string): boolean => peek().t === 'op' && peek().v === v;

  const primary = (): Node => {
    const t = peek();
    if (t.t === 'eof') return err('syntax error: operand expected', prevAt(), 'expecting primary');
    if (t.t === 'num') {
      p++;
      const v = number(t.v, dialect);
      if (v === 'base' || v === 'bad') return err(v === 'base' ? 'value too great for base' : 'invalid number', t.at, 'expecting EOF');
      return { k: 'num', v };
    }
    if (t.t === 'name') {
      p++;
      if (isOp('++') || isOp('--')) {
        const op = peek().v as '++' | '--';
        p++;
        return { k: 'incdec', op, name: t.v, post: true };
      }
      return { k: 'var', name: t.v, at: t.at };
    }
    if (t.v === '(') {
      p++;
      const e = comma();
      if (!isOp(')')) return err("syntax error: operand expected", peek().at, 'expecting primary');
      p++;
      return e;
    }
    if (t.v === '++' || t.v === '--') {
      p++;
      const n = peek();
      if (n.t !== 'name') return err('syntax error: operand expected', n.at, 'expecting primary');
      p++;
      return { k: 'incdec', op: t.v, name: n.v, post: false };
    }
    if (t.v === '!' || t.v === '~' || t.v === '-' || t.v === '+') {
      p++;
      return { k: 'un', op: t.v, a: primary() };
    }
    return err('syntax error: operand expected', t.at, 'expecting primary');
  };
  // Unary operators bind tighter than `**` (bash: `-2**2` is 4); `**` is right-associative.
  const power = (): Node => {
    const a = primary();
    if (isOp('**')) {
      p++;
      const b = unary();
      return { k: 'bin', op: '**', a, b, at: toks[p - 1]!.at };
    }
    return a;
  };
  const unary = (): Node => power();
  const binary = (min: number): Node => {
    let a = unary();
    for (;;) {
      const t = peek();
      const prec = t.t === 'op' ? PREC.get(t.v) : undefined;
      if (prec === undefined || prec < min) return a;
      p++;
      const b = binary(prec + 1);
      // bash's error token (a division by 0) is the text from the right side's last token on.
      a = { k: 'bin', op: t.v, a, b, at: toks[p - 1]!.at };
    }
  };
  const conditional = (): Node => {
    const c = binary(1);
    if (!isOp('?')) return c;
    p++;
    const a = comma();
    if (!isOp(':')) return err("syntax error: `:' expected for conditional expression", peek().at, 'expecting EOF');
    p++;
    const b = assignment();
    return { k: 'cond', c, a, b };
  };
  const assignment = (): Node => {
    const t = peek();
    const n = toks[p + 1];
    if (t.t === 'name' && n?.t === 'op' && ASSIGN.has(n.v)) {
      p += 2;
      return { k: 'assign', op: n.v, name: t.v, b: assignment() };
    }
    if (t.t === 'num' && n?.t === 'op' && ASSIGN.has(n.v)) return err('attempted assignment to non-variable', n.at, 'expecting EOF');
    return conditional();
  };
  function comma(): Node {
    let a = assignment();
    while (isOp(',')) {
      p++;
      const b = assignment();
      a = { k: 'bin', op: ',', a, b, at: 0 };
    }
    return a;
  }

  if (toks.length === 1) return 0n;
  const tree = comma();
  if (peek().t !== 'eof') err('syntax error in expression', peek().at, 'expecting EOF');

  const get = (name: string): bigint => {
    const raw = vars.get(name);
    if (raw === undefined || raw.trim() === '') return 0n;
    const direct = /^\s*-?[0-9]+\s*$/.test(raw) ? number(raw.trim().replace(/^-/, ''), dialect) : undefined;
    if (typeof direct === 'bigint') return raw.trim().startsWith('-') ? wrap(-direct) : direct;
    return evaluate(raw, vars, dialect, depth + 1);
  };
  const apply = (op: string, a: bigint, b: bigint, at: number): bigint => {
    switch (op) {
      case '+': return wrap(a + b);
      case '-': return wrap(a - b);
      case '*': return wrap(a * b);
      case '/':
      case '%':
        if (b === 0n) return err('division by 0', at, 'division by zero', 'divide by zero');
        if (a === -(2n ** 63n) && b === -1n) return op === '/' ? a : 0n;
        return op === '/' ? a / b : a % b;
      case '**':
        if (b < 0n) return err('exponent less than 0', at, 'expecting primary', 'exponent less than 0');
        return wrap(a ** (b > 4096n ? 4096n : b));
      case '<<': return wrap(a << (b & 63n));
      case '>>': return a >> (b & 63n);
      case '<': return a < b ? 1n : 0n;
      case '<=': return a <= b ? 1n : 0n;
      case '>': return a > b ? 1n : 0n;
      case '>=': return a >= b ? 1n : 0n;
      case '==': return a === b ? 1n : 0n;
      case '!=': return a !== b ? 1n : 0n;
      case '&': return a & b;
      case '^': return a ^ b;
      case '|': return a | b;
      default: return b;
    }
  };
  const run = (n: Node): bigint => {
    switch (n.k) {
      case 'num': return n.v;
      case 'var': return get(n.name);
      case 'un': {
        const v = run(n.a);
        return n.op === '!' ? (v === 0n ? 1n : 0n) : n.op === '~' ? ~v : n.op === '-' ? wrap(-v) : v;
      }
      case 'cond': return run(n.c) !== 0n ? run(n.a) : run(n.b);
      case 'incdec': {
        const old = get(n.name);
        const v = wrap(n.op === '++' ? old + 1n : old - 1n);
        vars.set(n.name, String(v));
        return n.post ? old : v;
      }
      case 'assign': {
        const b = run(n.b);
        const v = n.op === '=' ? b : apply(n.op.slice(0, -1), get(n.name), b, 0);
        vars.set(n.name, String(v));
        return v;
      }
      case 'bin': {
        if (n.op === '&&') return run(n.a) !== 0n && run(n.b) !== 0n ? 1n : 0n;
        if (n.op === '||') return run(n.a) !== 0n || run(n.b) !== 0n ? 1n : 0n;
        const a = run(n.a);
        return apply(n.op, a, run(n.b), n.at);
      }
    }
  };
  return run(tree);
}
