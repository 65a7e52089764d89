/**
 * YAML as kubectl writes it (sigs.k8s.io/yaml over go-yaml) for JSON-shaped objects.
 *
 * Design notes: a small emitter rather than a general YAML library, because kubectl's
 * layout is fixed and printing must stay well under the shell's 2 ms budget (a general
 * stringifier took 3 ms for seven workloads). Layout: two-space indent, keys in the order
 * given (callers sort them, as Go's encoder does), list items at their key's indent
 * (`- a`), `{}` and `[]` for empty maps and lists, no line folding. A string is written
 * plain unless YAML 1.1, which go-yaml reads, would take it for something else (`"80"`,
 * `"true"`, `"yes"`, `"2025-03-14T09:22:00Z"`, `""`), or holds a tab or other unprintable
 * character: those are double-quoted. One that go-yaml's scalar analysis keeps from being plain
 * (an indicator first, `: ` or ` #` inside, a trailing `:`, spaces at either end) is
 * single-quoted, as its emitter falls back to (`'{"VNI":1}'`, `'a: b'`, quotes doubled).
 * `25%` and `say "hi"` stay plain. Long quoted scalars are not folded at 80 columns, which
 * go-yaml's emitter does for values (best_width). A multi-line string is a literal block, as
 * go-yaml's encoder writes it (`|` with one final newline, `|-` without, `|+` with more, `|2`
 * when it starts with a space), unless the emitter's analysis forbids a block (a space before
 * a line break or at the end, a tab or other non-printable character): then double-quoted.
 */

const BOOL_OR_NULL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL)$/;
const INT_11 = /^[-+]?(?:0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_11 = /^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const FLOAT_GO = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
/** YAML 1.1's base-60 numbers (`0:0`, `1:30.5`), which go-yaml's encoder quotes (isBase60Float). */
const BASE_60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
/** What looser YAML 1.1 readers take for a float (`e0`, `1_0.5e3`); quoted too, to be read the same anywhere. */
const FLOAT_LOOSE = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$/;
/** A first character that is an indicator (yaml_emitter_analyze_scalar's block indicators). */
const START_INDICATOR = /^(?:[#,[\]{}&*!|>'"%@`]|[-?:](?: |$))/;
/** Characters go-yaml's emitter (unicode on) can print in a plain scalar: printable, no tab or line break. */
const UNPRINTABLE = /[^\x20-\x7e\u0085\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;

/** A value YAML 1.1 would read as something other than this string: go-yaml double-quotes it. */
function resolvesOtherwise(s: string): boolean {
  return s === '' || s === '<<' || BOOL_OR_NULL.test(s) || INT_11.test(s) || FLOAT_11.test(s) || FLOAT_GO.test(s) || FLOAT_LOOSE.test(s) || TIMESTAMP.test(s) || BASE_60.test(s);
}

/** go-yaml's scalar analysis: a plain scalar is not allowed (then a single-quoted one is tried). */
function plainForbidden(s: string): boolean {
  return s !== s.trim() || START_INDICATOR.test(s) || s.includes(': ') || s.endsWith(':') || s.includes(' #');
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'string') return String(v);
  // Tabs, other unprintable characters and line breaks rule out plain and single quotes.
  if (resolvesOtherwise(v) || UNPRINTABLE.test(v) || v.includes('\n')) return JSON.stringify(v);
  if (plainForbidden(v)) return `'${v.replace(/'/g, "''")}'`;
  return v;
}

/** The lines of a literal block for a multi-line string, or undefined when go-yaml would not use one. */
function literalBlock(v: unknown, indent: string): string[] | undefined {
  if (typeof v !== 'string' || !v.includes('\n')) return undefined;
  if (/ \n|[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]/.test(v) || v.endsWith(' ')) return undefined;
  const chomp = !v.endsWith('\n') ? '-' : v.endsWith('\n\n') ? '+' : '';
  const hint = v.startsWith(' ') || v.startsWith('\n') ? '2' : '';
  const body = chomp === '-' ? v : v.slice(0, -1);
  return [`|${hint}${chomp}`, ...body.split('\n').map((l) => (l === '' ? '' : indent + l))];
}

function isEmptyCollection(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : undefined;
  if (v && typeof v === 'object') return Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).length === 0 ? '{}' : undefined;
  return undefined;
}

function entries(o: object): [string, unknown][] {
  return Object.entries(o).filter(([, v]) => v !== undefined);
}

/** Lines for a value that starts on its own line(s) at `indent`. */
function block(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) item_(item, indent, out);
    return;
  }
  for (const [k, val] of entries(v as object)) {
    const key = scalar(k);
    const empty = isEmptyCollection(val);
    if (val && typeof val === 'object' && empty === undefined) {
      out.push(`${indent}${key}:`);
      block(val, Array.isArray(val) ? indent : indent + '  ', out);
    } else {
      const lit = literalBlock(val, indent + '  ');
      if (lit) out.push(`${indent}${key}: ${lit[0]}`, ...lit.slice(1));
      else out.push(`${indent}${key}: ${empty ?? scalar(val)}`);
    }
  }
}

function item_(item: unknown, indent: string, out: string[]): void {
  const empty = isEmptyCollection(item);
  if (!item || typeof item !== 'object' || empty !== undefined) {
    const lit = literalBlock(item, indent + '  ');
    if (lit) out.push(`${indent}- ${lit[0]}`, ...lit.slice(1));
    else out.push(`${indent}- ${empty ?? scalar(item)}`);
    return;
  }
  // The first line of a nested collection shares the dash's line.
  const inner: string[] = [];
  block(item, indent + '  ', inner);
  inner[0] = `${indent}- ${inner[0]!.slice(indent.length + 2)}`;
  out.push(...inner);
}

export function goYaml(doc: unknown): string {
  const empty = isEmptyCollection(doc);
  if (!doc || typeof doc !== 'object' || empty !== undefined) return `${empty ?? scalar(doc)}\n`;
  const out: string[] = [];
  block(doc, '', out);
  return out.join('\n') + '\n';
}

/** A copy with every map's keys in sorted order, as Go's encoders write unstructured objects. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}
