/**
 * Where a field the API server names (`spec.ports[0].port`) is written in a YAML document: the
 * line and columns an editor marks.
 *
 * Design notes: the document is the `yaml` library's (parsed with a LineCounter), whose nodes
 * keep their source offsets. A path is apimachinery's field path: names joined by `.`, list
 * indices as `[0]`, map keys as `[key]` (`metadata.labels[app.kubernetes.io/name]`). encoding/json
 * names a field without its list indices (`Go struct field ServicePort.spec.ports.port`): a name
 * met on a list is looked up in its items in order, the first item where the rest of the path
 * exists (and, when asked, holds a value of the kind the error names) wins. A field that is not
 * written (a Required value) is marked at the deepest part of its path that is: the key of its
 * parent, else the document's first line. A range covers one line: a key, a scalar, or the
 * first line of a block; positions count from 1, the end column exclusive, as editors count.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export interface TextRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type PathSegment = string | number;

/** `spec.ports[0].port` → `['spec', 'ports', 0, 'port']`; `metadata.labels[a.b/c]` → `['metadata', 'labels', 'a.b/c']`. */
export function parseFieldPath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  let i = 0;
  let name = '';
  const flush = (): void => {
    if (name !== '') out.push(name);
    name = '';
  };
  while (i < path.length) {
    const c = path[i]!;
    if (c === '.') {
      flush();
      i++;
    } else if (c === '[') {
      flush();
      const end = path.indexOf(']', i);
      const inner = end < 0 ? path.slice(i + 1) : path.slice(i + 1, end);
      out.push(/^\d+$/.test(inner) ? Number(inner) : inner);
      i = end < 0 ? path.length : end + 1;
    } else {
      name += c;
      i++;
    }
  }
  flush();
  return out;
}

/** One step of a path found in the document: the key written for it (in a map) and its value. */
interface Step {
  key?: Node;
  value: Node | null;
}

/** The JSON kind of a node as encoding/json names it: `string`, `number`, `bool`, `object`, `array`, `null`. */
export function jsonKindOf(node: Node | null): string {
  if (!node) return 'null';
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'string') return 'string';
    if (typeof v === 'number' || typeof v === 'bigint') return 'number';
    if (typeof v === 'boolean') return 'bool';
    return 'null';
  }
  return 'null';
}

function pairFor(map: Node, name: string): Pair<Node, Node | null> | undefined {
  if (!isMap(map)) return undefined;
  return (map.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && String(p.key.value) === name);
}

/**
 * The steps of `segs` found from `node`: complete when every segment was found (and `accept`
 * holds for the last value). A name met on a list is searched for in each item.
 */
function walk(node: Node | null, segs: PathSegment[], accept: ((n: Node | null) => boolean) | undefined): { steps: Step[]; complete: boolean } {
  if (segs.length === 0) return { steps: [], complete: !accept || accept(node) };
  const [seg, ...rest] = segs as [PathSegment, ...PathSegment[]];
  if (node && isSeq(node)) {
    const items = node.items as (Node | null)[];
    if (typeof seg === 'number') {
      if (seg >= items.length) return { steps: [], complete: false };
      const item = items[seg] ?? null;
      const r = walk(item, rest, accept);
      return { steps: [{ value: item }, ...r.steps], complete: r.complete };
    }
    // A name without the index encoding/json leaves out: the first item that has the rest.
    let best: { steps: Step[]; complete: boolean } = { steps: [], complete: false };
    for (const item of items) {
      const r = walk(item ?? null, segs, accept);
      const candidate = { steps: [{ value: item ?? null }, ...r.steps], complete: r.complete };
      if (r.complete) return candidate;
      if (candidate.steps.length > best.steps.length) best = candidate;
    }
    return best;
  }
  if (!node || !isMap(node)) return { steps: [], complete: false };
  const pair = pairFor(node, String(seg));
  if (!pair) return { steps: [], complete: false };
  const value = pair.value ?? null;
  const r = walk(value, rest, accept);
  return { steps: [{ key: pair.key, value }, ...r.steps], complete: r.complete };
}

/** A node's range on its first line. */
function firstLine(text: string, lc: LineCounter, start: number, end: number): TextRange {
  const from = lc.linePos(start);
  const newline = text.indexOf('\n', start);
  const stop = Math.max(start + 1, Math.min(end > start ? end : start + 1, newline < 0 ? text.length : newline));
  const to = lc.linePos(stop);
  return { line: from.line, column: from.col, endLine: to.line, endColumn: to.line === from.line ? to.col : from.col + 1 };
}

function rangeOf(text: string, lc: LineCounter, node: Node): TextRange | undefined {
  const r = node.range;
  if (!r) return undefined;
  return firstLine(text, lc, r[0], r[1]);
}

/** The document's first line with something on it. */
export function documentStart(text: string, lc: LineCounter, doc: Document): TextRange {
  const contents = doc.contents as Node | null;
  const start = contents?.range?.[0] ?? doc.range?.[0] ?? 0;
  const at = Math.min(start, Math.max(0, text.length - 1));
  // The first key of a map rather than the whole block.
  if (contents && isMap(contents)) {
    const first = (contents.items[0] as Pair<Node, Node | null> | undefined)?.key;
    const r = first && rangeOf(text, lc, first);
    if (r) return r;
  }
  return firstLine(text, lc, at, at + 1);
}

export interface Located {
  range: TextRange;
  /** True when the whole path was found (else the range is its deepest written part's). */
  exact: boolean;
}

/**
 * Where `path` is written in `doc`: its key (`at: 'key'`: an unknown or missing field) or its
 * value (`at: 'value'`: an invalid value; a block value is marked at its key). `accept` narrows
 * the items searched for a name met on a list.
 */
export function locateField(text: string, lc: LineCounter, doc: Document, path: string | PathSegment[], at: 'key' | 'value', accept?: (n: Node | null) => boolean): Located {
  const segs = typeof path === 'string' ? parseFieldPath(path) : path;
  const { steps, complete } = walk(doc.contents as Node | null, segs, accept);
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const scalarValue = step.value && isScalar(step.value) && step.value.range && step.value.range[1] > step.value.range[0];
    const wantValue = complete && i === steps.length - 1 && at === 'value';
    const node = (wantValue && scalarValue) || !step.key ? step.value : step.key;
    const range = node && rangeOf(text, lc, node);
    if (range) return { range, exact: complete && i === steps.length - 1 };
  }
  return { range: documentStart(text, lc, doc), exact: false };
}
