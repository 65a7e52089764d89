/**
 * `kubectl get --sort-by=JSONPATH`: kubectl's client-side sorting (kubectl pkg/cmd/get/sorter.go).
 *
 * Design notes: the field may be written `metadata.name`, `.metadata.name`, `{metadata.name}`
 * or `{.metadata.name}` (RelaxedJSONPathExpression; a table sort falls back to the text as
 * given when it is none of those). Each object's first JSONPath result is its key. Keys
 * compare as the sorter's isLess does on decoded JSON: numbers numerically, strings as
 * Kubernetes quantities when both parse as one (`100m` < `1`), otherwise in natural order
 * (fvbommel/sortorder: digit runs compare as numbers, so `10.244.1.9` < `10.244.1.10`;
 * RFC 3339 timestamps therefore sort by time); `null` sorts first; booleans, lists and maps
 * are "unsortable". An object without the field counts as less than anything, which is not a
 * consistent order: the result then depends on Go's sort.Sort, so this module runs the same
 * algorithm (pattern-defeating quicksort with insertion sort for short runs) step by step.
 * When no object has the field at all, kubectl refuses:
 * `couldn't find any field with path "{.nope}" in the list of objects`.
 * Where sorting happens follows kubectl get: the table printers sort each server table (one
 * per type listed, one per object named) and the sorting printer sorts it once more; the
 * other printers sort the one List of every object found, once.
 * Left out: the klog header line (date, time, process id, source line) kubectl prints before
 * the "unsortable type" message; mixing integers and decimals in one field.
 */
import { CommandError } from '../../errors';
import { relaxedJsonPath } from './custom-columns';
import { findFirstJsonPathResults, JsonPathError, parseJsonPath } from './jsonpath';

/** What was found at the field for one object: none, or the first value. */
type Key = { found: false } | { found: true; value: unknown };

class Unsortable extends Error {}

/**
 * Sorts the rows of one server table in place, as kubectl's table printer path does (the
 * RuntimeSorter, then the SortingPrinter when there is more than one row).
 */
export function sortTable<T>(rows: T[], sortBy: string, objectOf: (row: T) => unknown): void {
  let field: string;
  try {
    field = relaxedJsonPath(sortBy);
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    field = sortBy;
  }
  let nodes: ReturnType<typeof parseJsonPath>;
  try {
    nodes = parseJsonPath(field);
  } catch (e) {
    if (!(e instanceof JsonPathError)) throw e;
    throw new CommandError('INVALID', `error: sorting error: ${e.message}`);
  }
  const keys = rows.map((r) => keyOf(nodes, objectOf(r)));
  if (rows.length > 0 && !keys.some((k) => k.found)) throw notFound(field);
  const passes = rows.length > 1 ? 2 : 1;
  for (let p = 0; p < passes; p++) runSort(rows, keys, field, '[][][]reflect.Value');
}

/**
 * Sorts the items of the List the generic printers print (json, yaml, name, jsonpath,
 * custom-columns) in place. `others` are the errors already found, which kubectl prints
 * before this one (then without its `error: ` prefix).
 */
export function sortList<T>(items: T[], sortBy: string, others: number, objectOf: (item: T) => unknown): void {
  if (items.length === 0) return;
  const fail = (msg: string): never => {
    throw new CommandError('INVALID', others > 0 ? msg : `error: ${msg}`);
  };
  let field = '';
  try {
    field = relaxedJsonPath(sortBy);
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    fail(e.message.replace(/^error: /, ''));
  }
  let nodes: ReturnType<typeof parseJsonPath> = [];
  try {
    nodes = parseJsonPath(field);
  } catch (e) {
    if (!(e instanceof JsonPathError)) throw e;
    fail(e.message);
  }
  const keys = items.map((o) => keyOf(nodes, objectOf(o)));
  if (!keys.some((k) => k.found)) fail(notFound(field).message.replace(/^error: /, ''));
  runSort(items, keys, field, '*unstructured.Unstructured');
}

function notFound(field: string): CommandError {
  return new CommandError('INVALID', `error: couldn't find any field with path ${JSON.stringify(field)} in the list of objects`);
}

function keyOf(nodes: ReturnType<typeof parseJsonPath>, obj: unknown): Key {
  let found: unknown[];
  try {
    found = findFirstJsonPathResults(nodes, obj).filter((v) => v !== undefined);
  } catch (e) {
    // An index past the end of a list finds nothing.
    if (!(e instanceof JsonPathError)) throw e;
    found = [];
  }
  return found.length > 0 ? { found: true, value: found[0] } : { found: false };
}

function runSort(rows: unknown[], keys: Key[], field: string, typeName: string): void {
  try {
    goSort({
      len: rows.length,
      less: (i, j) => {
        const a = keys[i]!;
        const b = keys[j]!;
        if (!a.found) return true;
        if (!b.found) return false;
        return isLess(a.value, b.value);
      },
      swap: (i, j) => {
        [rows[i], rows[j]] = [rows[j], rows[i]];
        [keys[i], keys[j]] = [keys[j]!, keys[i]!];
      },
    });
  } catch (e) {
    if (!(e instanceof Unsortable)) throw e;
    throw new CommandError('INVALID', `Field ${field} in ${typeName} is an unsortable type: interface, err: ${e.message}`);
  }
}

/** The sorter's isLess for values decoded from JSON (each an interface{} in Go). */
export function isLess(a: unknown, b: unknown): boolean {
  if (a === null && b === null) return false;
  if (a === null) return true;
  if (b === null) return false;
  if (typeof a === 'number') {
    if (typeof b === 'number') return a < b;
    throw new Unsortable('unsortable interface: interface');
  }
  if (typeof a === 'string') {
    if (typeof b !== 'string') throw new Unsortable('unsortable interface: interface');
    const qa = parseQuantity(a);
    const qb = qa === undefined ? undefined : parseQuantity(b);
    if (qa === undefined || qb === undefined) return naturalLess(a, b);
    return qa < qb;
  }
  if (typeof a === 'boolean') throw new Unsortable('unsortable type: bool');
  if (Array.isArray(a)) throw new Unsortable('unsortable type: []interface {}');
  throw new Unsortable('unsortable type: map[string]interface {}');
}

const SUFFIX: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity's value (`250m`, `1Gi`, `1e3`, `42`), or undefined when the text is not one. */
export function parseQuantity(s: string): number | undefined {
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (/^[eE]./.test(suffix)) return n * 10 ** Number(suffix.slice(1));
  return n * SUFFIX[suffix]!;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** fvbommel/sortorder NaturalLess (bytewise on UTF-8, which orders as code points do). */
export function naturalLess(s1: string, s2: string): boolean {
  const a = Array.from(s1, (c) => c.codePointAt(0)!);
  const b = Array.from(s2, (c) => c.codePointAt(0)!);
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c1 = a[i]!;
    const c2 = b[j]!;
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i++;
      j++;
      continue;
    }
    while (i < a.length && a[i] === 48) i++;
    while (j < b.length && b[j] === 48) j++;
    const nz1 = i;
    const nz2 = j;
    while (i < a.length && isDigit(a[i]!)) i++;
    while (j < b.length && isDigit(b[j]!)) j++;
    if (i - nz1 !== j - nz2) return i - nz1 < j - nz2;
    for (let k = 0; k < i - nz1; k++) if (a[nz1 + k] !== b[nz2 + k]) return a[nz1 + k]! < b[nz2 + k]!;
    if (nz1 !== nz2) return nz1 < nz2;
  }
  return a.length < b.length;
}

/** Go's sort.Interface. */
interface SortData {
  len: number;
  less(i: number, j: number): boolean;
  swap(i: number, j: number): void;
}

const bitsLen = (n: number): number => (n === 0 ? 0 : 32 - Math.clz32(n));

/** Go's sort.Sort (pdqsort, Go 1.19 and later), step for step, so that ties land where Go puts them. */
export function goSort(data: SortData): void {
  const n = data.len;
  if (n <= 1) return;
  pdqsort(data, 0, n, bitsLen(n));
}

function insertionSort(data: SortData, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) for (let j = i; j > a && data.less(j, j - 1); j--) data.swap(j, j - 1);
}

function siftDown(data: SortData, lo: number, hi: number, first: number): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && data.less(first + child, first + child + 1)) child++;
    if (!data.less(first + root, first + child)) return;
    data.swap(first + root, first + child);
    root = child;
  }
}

function heapSort(data: SortData, a: number, b: number): void {
  const first = a;
  const hi = b - a;
  for (let i = Math.trunc((hi - 1) / 2); i >= 0; i--) siftDown(data, i, hi, first);
  for (let i = hi - 1; i >= 0; i--) {
    data.swap(first, first + i);
    siftDown(data, 0, i, first);
  }
}

const UNKNOWN = 0;
const INCREASING = 1;
const DECREASING = 2;

function pdqsort(data: SortData, a: number, b: number, limit: number): void {
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= 12) {
      insertionSort(data, a, b);
      return;
    }
    if (limit === 0) {
      heapSort(data, a, b);
      return;
    }
    if (!wasBalanced) {
      breakPatterns(data, a, b);
      limit--;
    }
    let [pivot, hint] = choosePivot(data, a, b);
    if (hint === DECREASING) {
      reverseRange(data, a, b);
      pivot = b - 1 - (pivot - a);
      hint = INCREASING;
    }
    if (wasBalanced && wasPartitioned && hint === INCREASING && partialInsertionSort(data, a, b)) return;
    if (a > 0 && !data.less(a - 1, pivot)) {
      a = partitionEqual(data, a, b, pivot);
      continue;
    }
    const [mid, already] = partition(data, a, b, pivot);
    wasPartitioned = already;
    const leftLen = mid - a;
    const rightLen = b - mid;
    const threshold = Math.trunc(length / 8);
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= threshold;
      pdqsort(data, a, mid, limit);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= threshold;
      pdqsort(data, mid + 1, b, limit);
      b = mid;
    }
  }
}

function partition(data: SortData, a: number, b: number, pivot: number): [number, boolean] {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && data.less(i, a)) i++;
  while (i <= j && !data.less(j, a)) j--;
  if (i > j) {
    data.swap(j, a);
    return [j, true];
  }
  data.swap(i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && data.less(i, a)) i++;
    while (i <= j && !data.less(j, a)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  data.swap(j, a);
  return [j, false];
}

function partitionEqual(data: SortData, a: number, b: number, pivot: number): number {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !data.less(a, i)) i++;
    while (i <= j && data.less(a, j)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  return i;
}

function partialInsertionSort(data: SortData, a: number, b: number): boolean {
  const maxSteps = 5;
  const shortestShifting = 50;
  let i = a + 1;
  for (let step = 0; step < maxSteps; step++) {
    while (i < b && !data.less(i, i - 1)) i++;
    if (i === b) return true;
    if (b - a < shortestShifting) return false;
    data.swap(i, i - 1);
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!data.less(j, j - 1)) break;
        data.swap(j, j - 1);
      }
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!data.less(j, j - 1)) break;
        data.swap(j, j - 1);
      }
    }
  }
  return false;
}

const MASK64 = (1n << 64n) - 1n;

function breakPatterns(data: SortData, a: number, b: number): void {
  const length = b - a;
  if (length < 8) return;
  let random = BigInt(length);
  const next = (): bigint => {
    random ^= (random << 13n) & MASK64;
    random ^= random >> 7n;
    random ^= (random << 17n) & MASK64;
    return random;
  };
  const modulus = 2 ** bitsLen(length);
  const from = a + Math.trunc(length / 4) * 2 - 1;
  for (let idx = from; idx <= from + 2; idx++) {
    let other = Number(next() & BigInt(modulus - 1));
    if (other >= length) other -= length;
    data.swap(idx, a + other);
  }
}

function choosePivot(data: SortData, a: number, b: number): [number, number] {
  const l = b - a;
  const swaps = { n: 0 };
  let i = a + Math.trunc(l / 4) * 1;
  let j = a + Math.trunc(l / 4) * 2;
  let k = a + Math.trunc(l / 4) * 3;
  if (l >= 8) {
    if (l >= 50) {
      i = median(data, i - 1, i, i + 1, swaps);
      j = median(data, j - 1, j, j + 1, swaps);
      k = median(data, k - 1, k, k + 1, swaps);
    }
    j = median(data, i, j, k, swaps);
  }
  if (swaps.n === 0) return [j, INCREASING];
  if (swaps.n === 12) return [j, DECREASING];
  return [j, UNKNOWN];
}

function median(data: SortData, a: number, b: number, c: number, swaps: { n: number }): number {
  const order2 = (x: number, y: number): [number, number] => {
    if (data.less(y, x)) {
      swaps.n++;
      return [y, x];
    }
    return [x, y];
  };
  [a, b] = order2(a, b);
  [b, c] = order2(b, c);
  [a, b] = order2(a, b);
  return b;
}

function reverseRange(data: SortData, a: number, b: number): void {
  for (let i = a, j = b - 1; i < j; i++, j--) data.swap(i, j);
}
