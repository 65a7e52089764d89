/**
 * Go's text/template, as kubectl's `-o go-template=...` runs it on the object it prints.
 *
 * Design notes: the template is parsed under the name `output` (kubectl's name) into actions
 * and text, then run on the object as kubectl gives it: the JSON the API server returned,
 * unmarshalled with whole numbers as integers. What is modelled: text and `{{- -}}` trimming,
 * comments, fields (`.status.podIP`, `$x.a`), variables (`$v := ...`, `$i, $e := range`,
 * `$` for the whole object), pipes, parenthesised pipelines, string, raw string, number,
 * bool and nil constants; `if`/`else if`/`else`, `range` (maps in sorted key order, `else`
 * when empty, `break`/`continue`), `with`; the builtins and, or, not, len, index, slice,
 * print, printf, println, eq, ne, lt, le, gt, ge, html, js, urlquery, and kubectl's `exists`
 * and `base64decode`. Missing map keys print `<no value>` (kubectl allows missing keys).
 * Parse errors carry Go's wording (`template: output:1: function "x" not defined`); errors
 * while running carry Go's `template: output:1:2: executing "output" at <.a.b>: ...`.
 * Left out: define/template/block, method calls, sprig's functions, complex numbers, and
 * printf verbs beyond %s %d %v %q %x %X %f %t %c %% with width, precision and `-`.
 */

export class TemplateError extends Error {}

type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if' | 'with'; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { t: 'range'; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { t: 'break' | 'continue' };

interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Cmd[];
  pos: number;
}
interface Cmd {
  args: Arg[];
  pos: number;
}
type Arg =
  | { t: 'field'; chain: string[]; pos: number; text: string }
  | { t: 'var'; name: string; chain: string[]; pos: number; text: string }
  | { t: 'dot'; pos: number; text: string }
  | { t: 'ident'; name: string; pos: number; text: string }
  | { t: 'const'; value: unknown; pos: number; text: string }
  | { t: 'pipe'; pipe: Pipe; chain: string[]; pos: number; text: string };

type Tok = { k: 'text'; v: string; pos: number } | { k: 'ld' | 'rd' | 'pipe' | 'lp' | 'rp' | 'decl' | 'assign' | 'comma' | 'space' | 'eof'; v: string; pos: number } | { k: 'field' | 'var' | 'ident' | 'string' | 'number' | 'char' | 'charconst' | 'dot' | 'kw' | 'bool' | 'error'; v: string; pos: number };

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block', 'nil']);
const FUNCS = new Set(['and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery', 'call', 'exists', 'base64decode']);

/** Go's lexer: the template's text and the tokens of its actions. */
function lex(src: string): { toks: Tok[]; lineOf: (pos: number) => number } {
  const toks: Tok[] = [];
  const lineOf = (pos: number): number => 1 + (src.slice(0, pos).match(/\n/g)?.length ?? 0);
  // Go lexes as the parser asks for tokens: a lexing error is a token the parser meets in turn.
  const fail = (pos: number, msg: string): never => {
    throw new LexStop(pos, `template: output:${lineOf(pos)}: ${msg}`);
  };
  try {
    lexAll(src, toks, fail);
  } catch (e) {
    if (!(e instanceof LexStop)) throw e;
    toks.push({ k: 'error', v: e.message, pos: e.pos });
    return { toks, lineOf };
  }
  toks.push({ k: 'eof', v: '', pos: src.length });
  return { toks, lineOf };
}

class LexStop extends Error {
  constructor(
    readonly pos: number,
    msg: string,
  ) {
    super(msg);
  }
}

function lexAll(src: string, toks: Tok[], fail: (pos: number, msg: string) => never): void {
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    const trimLeft = open >= 0 && src[open + 2] === '-' && ' \t\r\n'.includes(src[open + 3] ?? '');
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) toks.push({ k: 'text', v: text, pos: i });
    trimNext = false;
    if (open < 0) break;
    i = open + 2 + (trimLeft ? 2 : 0);
    // A comment is an action of its own.
    const afterSpace = i;
    if (src.startsWith('/*', afterSpace)) {
      const close = src.indexOf('*/', afterSpace);
      if (close < 0) fail(open, 'unclosed comment');
      let j = close + 2;
      let trimRight = false;
      if (src.startsWith(' -}}', j) || src.startsWith('\t-}}', j) || src.startsWith('\n-}}', j)) {
        trimRight = true;
        j += 4;
      } else if (src.startsWith('}}', j)) j += 2;
      else fail(open, 'comment ends before closing delimiter');
      trimNext = trimRight;
      i = j;
      continue;
    }
    toks.push({ k: 'ld', v: '{{', pos: open });
    let depth = 0;
    for (;;) {
      if (i >= src.length) fail(src.length, 'unclosed action');
      const c = src[i]!;
      if (' \t\r\n'.includes(c)) {
        let j = i;
        while (j < src.length && ' \t\r\n'.includes(src[j]!)) j++;
        if (src[j] === '-' && src.startsWith('}}', j + 1)) {
          if (depth > 0) fail(i, 'unclosed left paren');
          toks.push({ k: 'rd', v: '}}', pos: j });
          i = j + 3;
          trimNext = true;
          break;
        }
        toks.push({ k: 'space', v: ' ', pos: i });
        i = j;
        continue;
      }
      if (src.startsWith('}}', i)) {
        if (depth > 0) fail(i, 'unclosed left paren');
        toks.push({ k: 'rd', v: '}}', pos: i });
        i += 2;
        break;
      }
      if (c === '|') {
        toks.push({ k: 'pipe', v: c, pos: i++ });
        continue;
      }
      if (c === '(') {
        depth++;
        toks.push({ k: 'lp', v: c, pos: i++ });
        continue;
      }
      if (c === ')') {
        if (depth === 0) fail(i, 'unexpected right paren');
        depth--;
        toks.push({ k: 'rp', v: c, pos: i++ });
        continue;
      }
      if (c === ',') {
        toks.push({ k: 'comma', v: c, pos: i++ });
        continue;
      }
      if (src.startsWith(':=', i)) {
        toks.push({ k: 'decl', v: ':=', pos: i });
        i += 2;
        continue;
      }
      if (c === '=') {
        toks.push({ k: 'assign', v: c, pos: i++ });
        continue;
      }
      if (c === '"') {
        let j = i + 1;
        while (j < src.length && src[j] !== '"') {
          if (src[j] === '\\') j++;
          if (src[j] === '\n' || j >= src.length) fail(i, 'unterminated quoted string');
          j++;
        }
        if (j >= src.length) fail(i, 'unterminated quoted string');
        toks.push({ k: 'string', v: src.slice(i, j + 1), pos: i });
        i = j + 1;
        continue;
      }
      if (c === '`') {
        const j = src.indexOf('`', i + 1);
        if (j < 0) fail(i, 'unterminated raw quoted string');
        toks.push({ k: 'string', v: src.slice(i, j + 1), pos: i });
        i = j + 1;
        continue;
      }
      if (c === "'") {
        const m = /^'(\\.|[^\\'])'/.exec(src.slice(i));
        if (!m) fail(i, 'unterminated character constant');
        toks.push({ k: 'charconst', v: m![0], pos: i });
        i += m![0].length;
        continue;
      }
      if (c === '$' || c === '.' || /[A-Za-z_]/.test(c)) {
        const m = /^(\$?[A-Za-z_0-9]*|\.)((?:\.[A-Za-z_0-9]+)*)/.exec(src.slice(i))!;
        let word = m[0];
        if (c === '.' && /^\.[0-9]/.test(src.slice(i))) {
          const n = /^\.[0-9]+/.exec(src.slice(i))!;
          toks.push({ k: 'number', v: n[0], pos: i });
          i += n[0].length;
          continue;
        }
        if (word === '') word = c;
        const kind: Tok['k'] = c === '$' ? 'var' : c === '.' ? (word === '.' ? 'dot' : 'field') : word === 'true' || word === 'false' ? 'bool' : KEYWORDS.has(word) ? 'kw' : 'ident';
        if (kind === 'ident' && word.includes('.')) {
          // A function name followed by fields is an identifier then a field chain.
          const dot = word.indexOf('.');
          toks.push({ k: 'ident', v: word.slice(0, dot), pos: i });
          toks.push({ k: 'field', v: word.slice(dot), pos: i + dot });
        } else toks.push({ k: kind, v: word, pos: i } as Tok);
        i += word.length;
        continue;
      }
      if (/[-+0-9]/.test(c)) {
        const m = /^[-+]?(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+(?:[eE][-+]?[0-9]+)?)/.exec(src.slice(i));
        if (!m || m[0] === '-' || m[0] === '+') fail(i, `bad number syntax: "${c}"`);
        toks.push({ k: 'number', v: m![0], pos: i });
        i += m![0].length;
        continue;
      }
      const code = c.codePointAt(0)!;
      if (code > 32 && code < 127) {
        toks.push({ k: 'char', v: c, pos: i++ });
        continue;
      }
      if (/\p{L}/u.test(c)) {
        const m = /^[\p{L}\p{N}_]+/u.exec(src.slice(i))!;
        toks.push({ k: 'ident', v: m[0], pos: i });
        i += m[0].length;
        continue;
      }
      fail(i, `bad character U+${code.toString(16).toUpperCase().padStart(4, '0')} '${c}'`);
    }
  }
}

function unquote(s: string): string {
  if (s.startsWith('`')) return s.slice(1, -1);
  return JSON.parse(s.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b').replace(/\\'/g, "'")) as string;
}

/** Parses a template into its nodes, or throws Go's parse error. */
export function parseGoTemplate(src: string): Node[] {
  const { toks, lineOf } = lex(src);
  let p = 0;
  const vars: string[][] = [['$']];
  const peek = (): Tok => {
    while (toks[p]!.k === 'space') p++;
    if (toks[p]!.k === 'error') throw new TemplateError(toks[p]!.v);
    return toks[p]!;
  };
  const next = (): Tok => {
    const t = peek();
    p++;
    return t;
  };
  const fail = (tok: Tok, msg: string): never => {
    throw new TemplateError(`template: output:${lineOf(tok.pos)}: ${msg}`);
  };
  const known = (name: string): boolean => vars.some((scope) => scope.includes(name));
  const describe = (t: Tok): string => (t.k === 'rd' ? '"}}"' : t.k === 'rp' ? '")"' : t.k === 'pipe' ? '"|"' : t.k === 'eof' ? 'EOF' : `"${t.v}"`);

  const parsePipe = (context: string, end: 'rd' | 'rp'): Pipe => {
    const start = peek();
    const pipe: Pipe = { decl: [], assign: false, cmds: [], pos: start.pos };
    // Declarations: `$x :=`, `$i, $e :=`, `$x =`.
    const save = p;
    if (peek().k === 'var') {
      const v = next();
      if (peek().k === 'decl' || peek().k === 'assign') {
        const op = next();
        pipe.decl.push(v.v);
        pipe.assign = op.k === 'assign';
        if (pipe.assign && !known(v.v)) fail(v, `undefined variable "${v.v}"`);
      } else if (peek().k === 'comma' && context === 'range') {
        next();
        const v2 = next();
        if (v2.k !== 'var') fail(v2, `range can only initialize variables`);
        const op = next();
        if (op.k !== 'decl' && op.k !== 'assign') fail(op, `expected := or = in declaration`);
        pipe.decl.push(v.v, v2.v);
      } else p = save;
    }
    for (const d of pipe.decl) if (!pipe.assign) vars[vars.length - 1]!.push(d);
    for (;;) {
      const t = peek();
      if (t.k === end) {
        if (pipe.cmds.length === 0) fail(t, `missing value for ${context}`);
        next();
        return pipe;
      }
      if (t.k === 'eof' || (end === 'rp' && t.k === 'rd')) fail(t, end === 'rp' ? 'unclosed left paren' : 'unclosed action');
      pipe.cmds.push(parseCmd(context, end));
      const after = peek();
      if (after.k === 'pipe') {
        next();
        if (peek().k === end) fail(peek(), 'missing value for command');
      } else if (after.k !== end) fail(after, `unexpected ${describe(after)} in operand`);
    }
  };

  const chainOf = (): string[] => {
    const chain: string[] = [];
    while (toks[p]?.k === 'field') chain.push(...toks[p++]!.v.split('.').slice(1));
    return chain;
  };

  const parseCmd = (context: string, end: 'rd' | 'rp'): Cmd => {
    const cmd: Cmd = { args: [], pos: peek().pos };
    for (;;) {
      const t = peek();
      if (t.k === end || t.k === 'pipe' || t.k === 'eof' || t.k === 'rd') break;
      p++;
      const text = (to: number): string => src.slice(t.pos, to);
      let arg: Arg;
      switch (t.k) {
        case 'field':
          arg = { t: 'field', chain: t.v.split('.').slice(1), pos: t.pos, text: t.v };
          break;
        case 'dot':
          arg = { t: 'dot', pos: t.pos, text: '.' };
          break;
        case 'var': {
          const [name, ...chain] = t.v.split('.');
          if (!known(name!)) fail(t, `undefined variable "${name}"`);
          arg = { t: 'var', name: name!, chain, pos: t.pos, text: t.v };
          break;
        }
        case 'ident':
          if (!FUNCS.has(t.v)) fail(t, `function "${t.v}" not defined`);
          arg = { t: 'ident', name: t.v, pos: t.pos, text: t.v };
          break;
        case 'string':
          arg = { t: 'const', value: unquote(t.v), pos: t.pos, text: t.v };
          break;
        case 'charconst':
          arg = { t: 'const', value: unquote(`"${t.v.slice(1, -1).replace(/"/g, '\\"')}"`).codePointAt(0)!, pos: t.pos, text: t.v };
          break;
        case 'number': {
          const v = t.v.replace(/_/g, '');
          const n = /^[-+]?0[xX]/.test(v) ? parseInt(v, 16) : Number(v);
          if (Number.isNaN(n)) fail(t, `bad number syntax: "${t.v}"`);
          arg = { t: 'const', value: n, pos: t.pos, text: t.v };
          break;
        }
        case 'bool':
          arg = { t: 'const', value: t.v === 'true', pos: t.pos, text: t.v };
          break;
        case 'kw':
          if (t.v === 'nil') {
            arg = { t: 'const', value: null, pos: t.pos, text: 'nil' };
            break;
          }
          return fail(t, `unexpected <${t.v}> in command`);
        case 'lp': {
          const inner = parsePipe('parenthesized pipeline', 'rp');
          arg = { t: 'pipe', pipe: inner, chain: chainOf(), pos: t.pos, text: '' };
          arg.text = text(toks[p - 1]!.pos + toks[p - 1]!.v.length);
          break;
        }
        default:
          return fail(t, `unexpected ${describe(t)} in ${context === 'command' ? 'command' : 'operand'}`);
      }
      cmd.args.push(arg);
      if (toks[p]?.k === 'error') throw new TemplateError(toks[p]!.v);
      if (toks[p]?.k !== 'space' && ![end, 'pipe', 'rd', 'rp', 'eof'].includes(toks[p]!.k)) {
        const n = toks[p]!;
        fail(n, `unexpected ${describe(n)} in operand`);
      }
    }
    if (cmd.args.length === 0) fail(peek(), 'missing value for command');
    return cmd;
  };

  type Stop = 'end' | 'else' | 'eof';
  const parseList = (inside: string | undefined): { list: Node[]; stop: Stop; elseTok?: Tok } => {
    const list: Node[] = [];
    for (;;) {
      const t = toks[p]!;
      if (t.k === 'error') throw new TemplateError(t.v);
      if (t.k === 'eof') {
        if (inside) fail(t, 'unexpected EOF');
        return { list, stop: 'eof' };
      }
      if (t.k === 'text') {
        list.push({ t: 'text', text: t.v });
        p++;
        continue;
      }
      // t is '{{'
      p++;
      const k = peek();
      if (k.k === 'kw' && k.v !== 'nil') {
        next();
        switch (k.v) {
          case 'end':
            if (!inside) fail(k, 'unexpected {{end}}');
            if (next().k !== 'rd') fail(k, 'unexpected "end" in end');
            return { list, stop: 'end' };
          case 'else':
            if (!inside || inside === 'else') fail(k, 'unexpected {{else}}');
            return { list, stop: 'else', elseTok: k };
          case 'if':
          case 'with':
          case 'range':
            list.push(parseControl(k.v));
            continue;
          case 'break':
          case 'continue':
            if (!inRange) fail(k, `{{${k.v}}} outside {{range}}`);
            if (next().k !== 'rd') fail(k, `unexpected ${k.v}`);
            list.push({ t: k.v });
            continue;
          default:
            fail(k, `the sandbox's go-template does not support {{${k.v}}}`);
        }
      }
      list.push({ t: 'action', pipe: parsePipe('command', 'rd') });
    }
  };

  let inRange = 0;
  const parseControl = (kind: 'if' | 'with' | 'range'): Node => {
    vars.push([]);
    const pipe = parsePipe(kind, 'rd');
    if (kind === 'range') inRange++;
    const body = parseList(kind);
    if (kind === 'range') inRange--;
    let elseList: Node[] | undefined;
    if (body.stop === 'else') {
      const t = peek();
      if ((kind === 'if' || kind === 'with') && t.k === 'kw' && t.v === kind) {
        // `{{else if ...}}`: an if inside the else branch, sharing the one {{end}}.
        next();
        elseList = [parseControl(kind)];
      } else {
        if (next().k !== 'rd') fail(t, `unexpected ${describe(t)} in else`);
        vars.push([]);
        elseList = parseList('else').list;
        vars.pop();
      }
    }
    vars.pop();
    return { t: kind, pipe, list: body.list, ...(elseList ? { elseList } : {}) };
  };

  return parseList(undefined).list;
}

/** A missing value (Go's invalid reflect.Value): prints `<no value>`. */
const MISSING = Symbol('no value');
type Value = unknown;

class ExecError extends Error {
  constructor(
    readonly pos: number,
    readonly context: string,
    msg: string,
  ) {
    super(msg);
  }
}

class Break {}
class Continue {}

/** Go's %v of a value from unmarshalled JSON. */
export function goPrint(v: Value): string {
  if (v === MISSING || v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goInner).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goInner(o[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

function goInner(v: Value): string {
  return v === null || v === undefined ? '<nil>' : goPrint(v);
}

function goNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // %v of a float64: the shortest form, with an exponent below 1e-4 and from 1e21.
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

function truth(v: Value): boolean {
  if (v === MISSING || v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return v !== '' && v !== 0 && v !== false;
}

function typeName(v: Value): string {
  if (v === null || v === MISSING || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** Go's fmt.Sprintf for the verbs templates use. */
export function sprintf(format: string, args: Value[]): string {
  let out = '';
  let a = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/.exec(format.slice(i + 1));
    if (!m) {
      out += '%!(NOVERB)';
      break;
    }
    i += m[0].length;
    const [, fl, width, prec, verb] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (a >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const v = args[a++];
    let s: string;
    const bad = (): string => `%!${verb}(${typeName(v)}=${goInner(v)})`;
    switch (verb) {
      case 'v':
        s = goInner(v);
        break;
      case 's':
        s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || v === null ? bad() : goInner(v);
        break;
      case 'q':
        s = typeof v === 'string' ? JSON.stringify(v) : bad();
        break;
      case 'd':
        s = typeof v === 'number' && Number.isInteger(v) ? String(v) : bad();
        break;
      case 'x':
      case 'X':
        s = typeof v === 'number' && Number.isInteger(v) ? v.toString(16) : typeof v === 'string' ? utf8(v).map((b) => b.toString(16).padStart(2, '0')).join('') : bad();
        if (verb === 'X') s = s.toUpperCase();
        break;
      case 'f':
        s = typeof v === 'number' ? v.toFixed(prec !== undefined ? Number(prec) : 6) : bad();
        break;
      case 't':
        s = typeof v === 'boolean' ? String(v) : bad();
        break;
      case 'c':
        s = typeof v === 'number' ? String.fromCodePoint(v) : bad();
        break;
      default:
        s = `%!${verb}(${typeName(v)}=${goInner(v)})`;
    }
    if (prec !== undefined && verb === 's') s = [...s].slice(0, Number(prec)).join('');
    const w = width ? Number(width) : 0;
    if (s.length < w) s = fl!.includes('-') ? s.padEnd(w) : fl!.includes('0') && verb !== 's' ? s.padStart(w, '0') : s.padStart(w);
    out += s;
  }
  if (a < args.length) out += `%!(EXTRA ${args.slice(a).map((v) => `${typeName(v)}=${goInner(v)}`).join(', ')})`;
  return out;
}

function compare(fn: string, a: Value, b: Value): number {
  const basic = (v: Value): 'n' | 's' | 'b' | undefined => (typeof v === 'number' ? 'n' : typeof v === 'string' ? 's' : typeof v === 'boolean' ? 'b' : undefined);
  const ka = basic(a);
  const kb = basic(b);
  if (!ka || !kb) {
    if ((fn === 'eq' || fn === 'ne') && (a === null || a === MISSING) && (b === null || b === MISSING)) return 0;
    throw new Error(`error calling ${fn}: ${ka ? 'invalid type for comparison' : 'invalid type for comparison'}`);
  }
  if (ka !== kb) throw new Error(`error calling ${fn}: incompatible types for comparison`);
  if (ka === 'b' && fn !== 'eq' && fn !== 'ne') throw new Error(`error calling ${fn}: invalid type for comparison`);
  return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
}

function callBuiltin(name: string, args: Value[]): Value {
  const want = (n: number): void => {
    if (args.length !== n) throw new Error(`wrong number of args for ${name}: want ${n} got ${args.length}`);
  };
  switch (name) {
    case 'not':
      want(1);
      return !truth(args[0]);
    case 'len': {
      want(1);
      const v = args[0];
      if (typeof v === 'string') return utf8(v).length;
      if (Array.isArray(v)) return v.length;
      if (v && typeof v === 'object') return Object.keys(v).length;
      if (v === null || v === MISSING) throw new Error('error calling len: len of nil pointer');
      throw new Error(`error calling len: len of type ${typeName(v)}`);
    }
    case 'index': {
      if (args.length < 1) throw new Error('wrong number of args for index: want at least 1 got 0');
      let v = args[0];
      for (const ix of args.slice(1)) {
        if (v === null || v === MISSING) throw new Error('error calling index: index of untyped nil');
        if (Array.isArray(v)) {
          if (typeof ix !== 'number') throw new Error(`error calling index: cannot index slice/array with type ${typeName(ix)}`);
          if (ix < 0 || ix >= v.length) throw new Error(`error calling index: index out of range: ${ix}`);
          v = v[ix];
        } else if (v && typeof v === 'object') {
          if (typeof ix !== 'string') throw new Error(`error calling index: value has type ${typeName(ix)}; should be string`);
          const o = v as Record<string, unknown>;
          v = ix in o ? o[ix] : MISSING;
        } else throw new Error(`error calling index: can't index item of type ${typeName(v)}`);
      }
      return v;
    }
    case 'slice': {
      const v = args[0];
      const ix = args.slice(1) as number[];
      if (typeof v !== 'string' && !Array.isArray(v)) throw new Error(`error calling slice: can't slice item of type ${typeName(v)}`);
      const from = ix[0] ?? 0;
      const to = ix[1] ?? v.length;
      if (from < 0 || to > v.length || from > to) throw new Error(`error calling slice: index out of range: ${to > v.length ? to : from}`);
      return v.slice(from, to);
    }
    case 'print':
      return args.map((v, i) => (i > 0 && typeof v !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + goInner(v)).join('');
    case 'println':
      return args.map(goInner).join(' ') + '\n';
    case 'printf':
      if (args.length < 1) throw new Error('wrong number of args for printf: want at least 1 got 0');
      if (typeof args[0] !== 'string') throw new Error(`wrong type for value; expected string; got ${typeName(args[0])}`);
      return sprintf(args[0], args.slice(1));
    case 'eq':
      if (args.length < 2) throw new Error('error calling eq: missing argument for comparison');
      return args.slice(1).some((b) => compare('eq', args[0], b) === 0);
    case 'ne':
      want(2);
      return compare('ne', args[0], args[1]) !== 0;
    case 'lt':
      want(2);
      return compare('lt', args[0], args[1]) < 0;
    case 'le':
      want(2);
      return compare('le', args[0], args[1]) <= 0;
    case 'gt':
      want(2);
      return compare('gt', args[0], args[1]) > 0;
    case 'ge':
      want(2);
      return compare('ge', args[0], args[1]) >= 0;
    case 'html':
      return args.map(goInner).join('').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
    case 'js':
      return args.map(goInner).join('').replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/"/g, '\\"').replace(/</g, '\\u003C').replace(/>/g, '\\u003E');
    case 'urlquery':
      return encodeURIComponent(args.map(goInner).join('')).replace(/%20/g, '+');
    case 'exists': {
      // kubectl's exists: the path of keys leads to a value.
      let v = args[0];
      for (const k of args.slice(1)) {
        if (Array.isArray(v) && typeof k === 'number') v = v[k];
        else if (v && typeof v === 'object' && typeof k === 'string') v = (v as Record<string, unknown>)[k];
        else return false;
        if (v === undefined) return false;
      }
      return true;
    }
    case 'base64decode': {
      want(1);
      const s = String(args[0]);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new Error(`error calling base64decode: base64 decode failed: illegal base64 data at input byte ${Math.max(0, s.search(/[^A-Za-z0-9+/=]/))}`);
      return fromUtf8(base64Bytes(s));
    }
    default:
      throw new Error(`can't call ${name}`);
  }
}

/** Runs a parsed template on `data`; throws Go's execution error with what was written so far. */
export function executeGoTemplate(nodes: Node[], data: unknown, src: string): string {
  let out = '';
  const scopes: Record<string, Value>[] = [{ $: data }];
  const lookupVar = (name: string): Value => {
    for (let i = scopes.length - 1; i >= 0; i--) if (name in scopes[i]!) return scopes[i]![name];
    return MISSING;
  };
  const setVar = (name: string, v: Value, assign: boolean): void => {
    if (assign) {
      for (let i = scopes.length - 1; i >= 0; i--)
        if (name in scopes[i]!) {
          scopes[i]![name] = v;
          return;
        }
    }
    scopes[scopes.length - 1]![name] = v;
  };
  const field = (v: Value, chain: string[], arg: Arg): Value => {
    for (const name of chain) {
      if (v === MISSING || v === null || v === undefined) throw new ExecError(arg.pos, arg.text, `nil pointer evaluating interface {}.${name}`);
      if (Array.isArray(v) || typeof v !== 'object') throw new ExecError(arg.pos, arg.text, `can't evaluate field ${name} in type ${typeName(v)}`);
      const o = v as Record<string, unknown>;
      v = name in o ? o[name] : MISSING;
    }
    return v;
  };
  const evalArg = (arg: Arg, dot: Value): Value => {
    switch (arg.t) {
      case 'dot':
        return dot;
      case 'field':
        return field(dot, arg.chain, arg);
      case 'var':
        return field(lookupVar(arg.name), arg.chain, arg);
      case 'const':
        return arg.value;
      case 'pipe':
        return field(evalPipe(arg.pipe, dot, false), arg.chain, arg);
      case 'ident':
        return evalCall(arg, [], dot, undefined);
    }
  };
  const evalCall = (fn: Arg & { t: 'ident' }, rest: Arg[], dot: Value, final: Value | typeof NONE): Value => {
    // and/or evaluate their arguments lazily.
    if (fn.name === 'and' || fn.name === 'or') {
      const all = [...rest.map((a) => () => evalArg(a, dot)), ...(final !== NONE ? [() => final] : [])];
      if (all.length === 0) throw new ExecError(fn.pos, fn.text, `wrong number of args for ${fn.name}: want at least 1 got 0`);
      let v: Value = MISSING;
      for (const get of all) {
        v = get();
        if (fn.name === 'and' ? !truth(v) : truth(v)) return v;
      }
      return v;
    }
    const args = rest.map((a) => evalArg(a, dot));
    if (final !== NONE) args.push(final);
    try {
      return callBuiltin(fn.name, args);
    } catch (e) {
      if (!(e instanceof Error) || e instanceof ExecError) throw e;
      throw new ExecError(fn.pos, [fn.text, ...rest.map((a) => a.text)].join(' '), e.message);
    }
  };
  const NONE = Symbol('none');
  const evalCmd = (cmd: Cmd, dot: Value, final: Value | typeof NONE): Value => {
    const [first, ...rest] = cmd.args;
    if (first!.t === 'ident') return evalCall(first as Arg & { t: 'ident' }, rest, dot, final);
    if (rest.length > 0 || final !== NONE) {
      const at = rest[0] ?? first!;
      throw new ExecError(at.pos, first!.text, `can't give argument to non-function ${first!.text}`);
    }
    return evalArg(first!, dot);
  };
  const evalPipe = (pipe: Pipe, dot: Value, declare: boolean): Value => {
    let v: Value = NONE;
    for (const cmd of pipe.cmds) v = evalCmd(cmd, dot, v);
    if (v === null) v = MISSING;
    if (pipe.decl.length === 1) setVar(pipe.decl[0]!, v, pipe.assign || !declare);
    return v;
  };
  const run = (list: Node[], dot: Value): void => {
    for (const n of list) {
      switch (n.t) {
        case 'text':
          out += n.text;
          break;
        case 'action': {
          const v = evalPipe(n.pipe, dot, true);
          if (n.pipe.decl.length === 0) out += goPrint(v);
          break;
        }
        case 'if':
        case 'with': {
          scopes.push({});
          const v = evalPipe(n.pipe, dot, true);
          if (truth(v)) run(n.list, n.t === 'with' ? v : dot);
          else if (n.elseList) run(n.elseList, dot);
          scopes.pop();
          break;
        }
        case 'range': {
          scopes.push({});
          const decl = n.pipe.decl;
          const v = evalPipe({ ...n.pipe, decl: [] }, dot, true);
          let entries: [Value, Value][] = [];
          if (Array.isArray(v)) entries = v.map((e, i) => [i, e]);
          else if (v && typeof v === 'object') entries = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
          else if (typeof v === 'number' && Number.isInteger(v)) entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
          else if (v !== MISSING && v !== null) throw new ExecError(n.pipe.pos, n.pipe.cmds.map((c) => c.args.map((a) => a.text).join(' ')).join(' | '), `range can't iterate over ${goPrint(v)}`);
          if (entries.length === 0 && n.elseList) run(n.elseList, dot);
          for (const [k, e] of entries) {
            if (decl.length === 1) setVar(decl[0]!, e, n.pipe.assign);
            if (decl.length === 2) {
              setVar(decl[0]!, k, n.pipe.assign);
              setVar(decl[1]!, e, n.pipe.assign);
            }
            try {
              run(n.list, e);
            } catch (x) {
              if (x instanceof Break) break;
              if (!(x instanceof Continue)) throw x;
            }
          }
          scopes.pop();
          break;
        }
        case 'break':
          throw new Break();
        case 'continue':
          throw new Continue();
      }
    }
  };
  try {
    run(nodes, data);
  } catch (e) {
    if (!(e instanceof ExecError)) throw e;
    const before = src.slice(0, e.pos);
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = line === 1 ? e.pos : e.pos - before.lastIndexOf('\n') - 1;
    throw new GoTemplateExecError(`template: output:${line}:${col}: executing "output" at <${e.context}>: ${e.message}`, out);
  }
  return out;
}

export class GoTemplateExecError extends Error {
  constructor(
    message: string,
    readonly partial: string,
  ) {
    super(message);
  }
}

function utf8(s: string): number[] {
  return [...unescape(encodeURIComponent(s))].map((c) => c.charCodeAt(0));
}

function fromUtf8(bytes: number[]): string {
  const latin = bytes.map((b) => String.fromCharCode(b)).join('');
  try {
    return decodeURIComponent(escape(latin));
  } catch {
    return latin;
  }
}

function base64Bytes(s: string): number[] {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const out: number[] = [];
  let bits = 0;
  let n = 0;
  for (const c of s.replace(/=+$/, '')) {
    bits = (bits << 6) | abc.indexOf(c);
    n += 6;
    if (n >= 8) {
      n -= 8;
      out.push((bits >> n) & 0xff);
    }
  }
  return out;
}
