/**
 * YAML to JSON as kubectl converts it (sigs.k8s.io/yaml over go-yaml v2), with go-yaml's own
 * error messages: whatever the text, the result is plain data or a message in the tool's
 * voice, never the parser library's or the JavaScript engine's.
 *
 * Design notes: parsed by the `yaml` library (YAML 1.2 core schema) with merge keys (`<<`)
 * on, as go-yaml resolves them. Mapped failures: syntax errors by the library's error codes
 * (`yaml: line 3: mapping values are not allowed in this context`); an alias to no anchor
 * (`yaml: unknown anchor 'x' referenced`); alias expansion past the library's budget of 100
 * (`yaml: document contains excessive aliasing`); a merge of a scalar (`yaml: map merge
 * requires map or sequence of maps as the value`); a mapping or sequence used as a key
 * (`yaml: invalid map key: ...`); nesting deeper than the parser can follow (`yaml: exceeded
 * max depth of 10000`). The line of a syntax error is the one the library reports, go-yaml's
 * in the common cases. Simplifications: go-yaml's aliasing limit is a ratio of aliases to
 * nodes, here a count; go-yaml refuses nesting past 10000 levels, the sandbox past MAX_DEPTH
 * (500) levels of brackets or columns of indentation, with go-yaml's message.
 */
import { isMap, isSeq, isScalar, parseAllDocuments, visit, type Node } from 'yaml';

/** The deepest nesting accepted (go-yaml's and encoding/json's limit is 10000). */
export const MAX_DEPTH = 500;

/**
 * Whether the text nests deeper than MAX_DEPTH, by flow brackets or by indentation, found by
 * a scan that does not recurse (the parser's recursion must never meet such input, whatever
 * the engine's stack).
 */
function tooDeep(text: string): boolean {
  let flow = 0;
  let quote = '';
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (c === ' ') {
        if (++indent > MAX_DEPTH) return true;
        continue;
      }
      lineStart = false;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    // A quote starts a quoted scalar only where a scalar starts (not inside `it's`).
    if ((c === '"' || c === "'") && /^$|[:[{,\-?]$/.test(text.slice(Math.max(0, i - 2), i).trimEnd().slice(-1))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++flow > MAX_DEPTH) return true;
    } else if ((c === ']' || c === '}') && flow > 0) flow--;
  }
  return false;
}

export type YamlResult = { ok: true; values: unknown[] } | { ok: false; values: unknown[]; error: string };

/** go-yaml's wording for the `yaml` library's error codes. */
const YAML_MESSAGES: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: 'mapping values are not allowed in this context',
  MULTILINE_IMPLICIT_KEY: 'mapping values are not allowed in this context',
  TAB_AS_INDENT: 'found character that cannot start any token',
  BAD_SCALAR_START: 'found character that cannot start any token',
  BAD_INDENT: 'did not find expected key',
  MISSING_CHAR: 'found unexpected end of stream',
  UNEXPECTED_TOKEN: "did not find expected '-' indicator",
  DUPLICATE_KEY: 'mapping key already defined',
};

interface YamlLikeError {
  code: string;
  pos: [number, number];
  linePos?: [{ line: number; col: number }, ...unknown[]];
}

export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function syntaxError(text: string, err: YamlLikeError): string {
  if (err.code === 'RESOURCE_EXHAUSTION') return 'yaml: exceeded max depth of 10000';
  let line = err.linePos?.[0]?.line ?? lineAt(text, err.pos[0]);
  if (err.code === 'BLOCK_AS_IMPLICIT_KEY' || err.code === 'MULTILINE_IMPLICIT_KEY') {
    // go-yaml stops at the ':' that may not start a mapping value there.
    const m = /:(\s|$)/.exec(text.slice(err.pos[0]));
    if (m) line = lineAt(text, err.pos[0] + m.index);
  }
  if (err.code === 'DUPLICATE_KEY') return `yaml: unmarshal errors:\n  line ${line}: mapping key already defined`;
  return `yaml: line ${line}: ${YAML_MESSAGES[err.code] ?? 'did not find expected key'}`;
}

/** Go's %#v of a decoded YAML value inside interface{} (for an invalid key's message). */
function goInterface(v: unknown): string {
  if (Array.isArray(v)) return `[]interface {}{${v.map(goInterface).join(', ')}}`;
  if (v && typeof v === 'object') return `map[interface {}]interface {}{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${goInterface(x)}`).join(', ')}}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'interface {}(nil)';
  return String(v);
}

/** The nesting depth of a value, without recursion (deep input must not exhaust the stack). */
export function depthOf(v: unknown, limit = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > limit) return max;
    if (x && typeof x === 'object') for (const y of Object.values(x)) if (y && typeof y === 'object') stack.push([y, d + 1]);
  }
  return max;
}

/** A document's problem that go-yaml finds while decoding (after parsing), or undefined. */
function decodeProblem(doc: ReturnType<typeof parseAllDocuments>[number]): string | undefined {
  let problem: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      const k = pair.key as Node | null;
      if (k && (isMap(k) || isSeq(k))) {
        let value: unknown;
        try {
          value = k.toJSON();
        } catch {
          value = {};
        }
        problem = `yaml: invalid map key: ${goInterface(value)}`;
        return visit.BREAK;
      }
      if (k && isScalar(k) && k.value === '<<' && pair.value && isScalar(pair.value)) {
        problem = 'yaml: map merge requires map or sequence of maps as the value';
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return problem;
}

/**
 * Every document of a YAML stream as plain data, in order, stopping at the first one that
 * fails (kubectl reads the documents before it, not those after it).
 */
export function yamlToJson(text: string): YamlResult {
  const values: unknown[] = [];
  if (tooDeep(text)) return { ok: false, values, error: 'yaml: exceeded max depth of 10000' };
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    const parsed = parseAllDocuments(text, { merge: true });
    docs = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return { ok: false, values, error: 'yaml: exceeded max depth of 10000' };
  }
  for (const d of docs) {
    const err = d.errors[0] as unknown as YamlLikeError | undefined;
    if (err) return { ok: false, values, error: syntaxError(text, err) };
    let problem: string | undefined;
    try {
      problem = decodeProblem(d);
    } catch {
      problem = 'yaml: exceeded max depth of 10000';
    }
    if (problem) return { ok: false, values, error: problem };
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (e) {
      const msg = e instanceof Error ? e.message : '';
      const anchor = /Unresolved alias[^:]*: (.*)$/.exec(msg);
      if (anchor) return { ok: false, values, error: `yaml: unknown anchor '${anchor[1]}' referenced` };
      if (/Excessive alias count/.test(msg)) return { ok: false, values, error: 'yaml: document contains excessive aliasing' };
      if (/Merge sources/.test(msg)) return { ok: false, values, error: 'yaml: map merge requires map or sequence of maps as the value' };
      return { ok: false, values, error: 'yaml: exceeded max depth of 10000' };
    }
    if (depthOf(value, MAX_DEPTH) > MAX_DEPTH) return { ok: false, values, error: 'yaml: exceeded max depth of 10000' };
    values.push(value);
  }
  return { ok: true, values };
}

export type JsonResult = { ok: true; value: unknown } | { ok: false; error: string };

/** A JSON document with encoding/json's messages: `json: line 3: invalid character ...`. */
export function jsonValues(text: string): JsonResult {
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch (e) {
    const pos = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    const at = pos ? Number(pos[1]) : text.length;
    const ch = text[at];
    const before = text.slice(0, at).trimEnd().slice(-1);
    const what = before === '{' || (before === ',' && /[{,]\s*"[^"]*"\s*:[^{}[\]]*,\s*$/.test(text.slice(0, at))) ? 'object key string' : 'value';
    const detail = ch === undefined ? 'unexpected end of JSON input' : `invalid character '${ch}' looking for beginning of ${what}`;
    return { ok: false, error: `json: line ${lineAt(text, at)}: ${detail}` };
  }
  if (depthOf(v, MAX_DEPTH) > MAX_DEPTH) {
    const at = text.search(/[[{]/);
    return { ok: false, error: `json: line ${lineAt(text, Math.max(0, at))}: invalid character '${text[Math.max(0, at)] ?? '['}' exceeded max depth` };
  }
  return { ok: true, value: v };
}
