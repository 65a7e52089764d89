/**
 * kubectl's JSONPath templates (`-o jsonpath='{.items[*].status.podIP}'`).
 *
 * Design notes: the template language of client-go's util/jsonpath. Text outside `{...}` is
 * printed as is; inside, a path of `.field` (a backslash escapes a dot in a key:
 * `.data.net-conf\.json`), `['field']`, `..field` (recursive), `.*`, `[N]`
 * (negative counts from the end), `[start:end]`, `[*]` and filters `[?(@.f=="v")]`
 * (`==`, `!=`, `<`, `<=`, `>`, `>=`, or just `@.f` for "has f"), string literals `{"\n"}`,
 * and `{range PATH}...{end}` loops whose body paths start at each element. One action's
 * results are joined by single spaces; maps and lists print as compact JSON with sorted keys;
 * nothing is appended at the end. kubectl allows missing keys by default, so a path that
 * finds nothing prints nothing. Left out: union `[a,b]` of fields, `{.a}{.b}` in filters'
 * right-hand side, and `jsonpath-as-json`.
 */

import { sortKeys } from './go-yaml';

export class JsonPathError extends Error {}

type Step =
  | { k: 'field'; name: string }
  | { k: 'recursive'; name: string }
  | { k: 'wild' }
  | { k: 'index'; i: number }
  | { k: 'slice'; start?: number; end?: number }
  | { k: 'filter'; left: Step[]; op?: string; right?: string | number | boolean };

type Node =
  | { k: 'text'; text: string }
  | { k: 'path'; steps: Step[] }
  | { k: 'range'; steps: Step[]; body: Node[] };

export function parseJsonPath(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack.at(-1)!.push({ k: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) stack.at(-1)!.push({ k: 'text', text: template.slice(i, open) });
    const close = findClose(template, open);
    if (close < 0) throw new JsonPathError('unclosed action');
    const body = template.slice(open + 1, close).trim();
    i = close + 1;
    if (body === 'end') {
      if (stack.length === 1) throw new JsonPathError('not in range, nothing to end');
      stack.pop();
    } else if (body.startsWith('range ') || body.startsWith('range\t')) {
      const node: Node = { k: 'range', steps: parsePath(body.slice(6).trim()), body: [] };
      stack.at(-1)!.push(node);
      stack.push(node.body);
    } else if (body.startsWith('"')) {
      stack.at(-1)!.push({ k: 'text', text: unquote(body) });
    } else stack.at(-1)!.push({ k: 'path', steps: parsePath(body) });
  }
  if (stack.length > 1) throw new JsonPathError('unclosed range');
  return root;
}

/** The `}` that closes the action opened at `open`, skipping quoted strings and brackets. */
function findClose(s: string, open: number): number {
  let quote = '';
  let depth = 0;
  for (let j = open + 1; j < s.length; j++) {
    const c = s[j]!;
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === '}' && depth <= 0) return j;
  }
  return -1;
}

function unquote(lit: string): string {
  if (lit.length < 2 || !lit.endsWith(lit[0]!)) throw new JsonPathError(`unterminated string`);
  return lit.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function parsePath(text: string): Step[] {
  let p = text;
  if (p.startsWith('$') || p.startsWith('@')) p = p.slice(1);
  const steps: Step[] = [];
  while (p.length > 0) {
    if (p.startsWith('..')) {
      const m = /^\.\.([A-Za-z0-9_\-/]+)/.exec(p);
      if (!m) throw new JsonPathError(`unrecognized identifier ${p}`);
      steps.push({ k: 'recursive', name: m[1]! });
      p = p.slice(m[0].length);
    } else if (p.startsWith('.*')) {
      steps.push({ k: 'wild' });
      p = p.slice(2);
    } else if (p.startsWith('.')) {
      // A backslash takes the next character into the name (`.data.ca\.crt`), as client-go's parseField does.
      const m = /^\.((?:[A-Za-z0-9_\-/]|\\.)*)/.exec(p)!;
      if (m[1] !== '') steps.push({ k: 'field', name: m[1]!.replace(/\\(.)/g, '$1') });
      p = p.slice(m[0].length);
    } else if (p.startsWith('[')) {
      const close = findBracket(p);
      if (close < 0) throw new JsonPathError('unterminated array');
      steps.push(parseBracket(p.slice(1, close)));
      p = p.slice(close + 1);
    } else throw new JsonPathError(`unrecognized character in action: U+${p.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${p[0]}'`);
  }
  return steps;
}

function findBracket(s: string): number {
  let quote = '';
  let depth = 0;
  for (let j = 0; j < s.length; j++) {
    const c = s[j]!;
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return j;
  }
  return -1;
}

function parseBracket(inner: string): Step {
  const t = inner.trim();
  if (t === '*') return { k: 'wild' };
  if (/^'.*'$|^".*"$/.test(t)) return { k: 'field', name: unquote(t) };
  if (/^-?\d+$/.test(t)) return { k: 'index', i: Number(t) };
  const slice = /^(-?\d*):(-?\d*)$/.exec(t);
  if (slice) return { k: 'slice', ...(slice[1] ? { start: Number(slice[1]) } : {}), ...(slice[2] ? { end: Number(slice[2]) } : {}) };
  const filter = /^\?\((.*)\)$/.exec(t);
  if (filter) {
    const m = /^\s*(@[^\s=!<>]*)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$/.exec(filter[1]!);
    if (!m) {
      const only = filter[1]!.trim();
      if (!only.startsWith('@')) throw new JsonPathError(`unrecognized filter ${only}`);
      return { k: 'filter', left: parsePath(only) };
    }
    const raw = m[3]!;
    let right: string | number | boolean;
    if (/^'.*'$|^".*"$/.test(raw)) right = unquote(raw);
    else if (raw === 'true' || raw === 'false') right = raw === 'true';
    else if (/^-?\d+(\.\d+)?$/.test(raw)) right = Number(raw);
    else throw new JsonPathError(`unrecognized filter value ${raw}`);
    return { k: 'filter', left: parsePath(m[1]!), op: m[2]!, right };
  }
  throw new JsonPathError(`invalid array index ${t}`);
}

function evalSteps(values: unknown[], steps: Step[]): unknown[] {
  let cur = values;
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (s.k) {
        case 'field':
          if (v && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, s.name)) next.push((v as Record<string, unknown>)[s.name]);
          break;
        case 'recursive':
          collect(v, s.name, next);
          break;
        case 'wild':
          if (Array.isArray(v)) next.push(...v);
          else if (v && typeof v === 'object') next.push(...Object.keys(v).sort().map((k) => (v as Record<string, unknown>)[k]));
          break;
        case 'index':
          if (Array.isArray(v)) {
            const i = s.i < 0 ? v.length + s.i : s.i;
            if (i < 0 || i >= v.length) throw new JsonPathError(`array index out of bounds: index ${s.i}, length ${v.length}`);
            next.push(v[i]);
          }
          break;
        case 'slice':
          if (Array.isArray(v)) {
            const norm = (n: number | undefined, d: number): number => (n === undefined ? d : n < 0 ? Math.max(0, v.length + n) : Math.min(n, v.length));
            next.push(...v.slice(norm(s.start, 0), norm(s.end, v.length)));
          }
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const item of v) {
              const found = evalSteps([item], s.left);
              if (s.op === undefined ? found.length > 0 : found.some((f) => compare(f, s.op!, s.right!))) next.push(item);
            }
          }
          break;
      }
    }
    cur = next;
  }
  return cur;
}

function collect(v: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(v)) for (const x of v) collect(x, name, out);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o).sort()) {
      if (k === name) out.push(o[k]);
      collect(o[k], name, out);
    }
  }
}

function compare(a: unknown, op: string, b: string | number | boolean): boolean {
  if (typeof a !== typeof b) return op === '!=';
  const x = a as string | number | boolean;
  switch (op) {
    case '==':
      return x === b;
    case '!=':
      return x !== b;
    case '<':
      return x < b;
    case '<=':
      return x <= b;
    case '>':
      return x > b;
    default:
      return x >= b;
  }
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(sortKeys(v));
  return String(v);
}


/** The values each top-level path action of a template finds (custom columns format them themselves). */
export function findJsonPathValues(nodes: Node[], data: unknown): unknown[][] {
  return nodes.flatMap((n) => (n.k === 'path' ? [evalSteps([data], n.steps)] : []));
}

/**
 * What the first action of a template finds (client-go's FindResults(...)[0]): a path's
 * values, or a plain text's own text. kubectl's sorter keys each object by this.
 */
export function findFirstJsonPathResults(nodes: Node[], data: unknown): unknown[] {
  const first = nodes[0];
  if (!first) return [];
  if (first.k === 'text') return [first.text];
  return first.k === 'path' ? evalSteps([data], first.steps) : [];
}

/** Runs a parsed template against an object (the List kubectl builds, or one object). */
export function executeJsonPath(nodes: Node[], data: unknown): string {
  const run = (list: Node[], current: unknown): string => {
    let out = '';
    for (const n of list) {
      if (n.k === 'text') out += n.text;
      else if (n.k === 'path') out += evalSteps([current], n.steps).map(text).join(' ');
      else for (const item of evalSteps([current], n.steps).flatMap((v) => (Array.isArray(v) ? v : [v]))) out += run(n.body, item);
    }
    return out;
  };
  return run(nodes, data);
}
