/**
 * kubectl's custom-columns printer: `-o custom-columns=NAME:.metadata.name,IP:.status.podIP`
 * and `-o custom-columns-file=FILE`.
 *
 * Design notes: as cli-runtime's CustomColumnsPrinter. The spec is split on every comma, each
 * part on its first colon into a header and a field spec; a field spec may be written
 * `metadata.name`, `.metadata.name`, `{metadata.name}` or `{.metadata.name}` (kubectl's
 * RelaxedJSONPathExpression) and is evaluated with the JSONPath engine of jsonpath.ts,
 * missing keys allowed. A cell is every value found, each printed as Go's `%v` prints it
 * (`map[k:v]`, `[a b]`, `<nil>`), joined by commas, or `<none>` when nothing is found. Rows
 * go through kubectl's tabwriter (table.ts). The printer is not one of kubectl's
 * "human-readable" ones: every object of every requested type goes into one table under one
 * header, no `NAMESPACE` column is added for `-A`, and an empty result prints the header
 * alone with no "No resources found". A custom-columns file holds the headers on its first
 * line and the field specs on its second, separated by blanks.
 */
import { readFile } from '../../../sim/files';
import type { SimState } from '../../../sim/state';
import { CommandError } from '../../errors';
import { formatTable } from '../../table';
import { findJsonPathValues, JsonPathError, parseJsonPath } from './jsonpath';

export interface CustomColumn {
  header: string;
  template: ReturnType<typeof parseJsonPath>;
}

const RELAXED = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/** kubectl's RelaxedJSONPathExpression: any of the four spellings becomes `{.path}`. */
export function relaxedJsonPath(expr: string): string {
  if (expr === '') return '';
  const m = RELAXED.exec(expr);
  if (!m) throw new CommandError('INVALID', "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${m[1] || m[2]}}`;
}

function column(header: string, spec: string): CustomColumn {
  const path = relaxedJsonPath(spec);
  try {
    return { header, template: parseJsonPath(path) };
  } catch (e) {
    if (!(e instanceof JsonPathError)) throw e;
    throw new CommandError('INVALID', `error: ${e.message}`);
  }
}

/** Parses `-o custom-columns=SPEC`. */
export function parseCustomColumnsSpec(spec: string): CustomColumn[] {
  if (spec === '') throw new CommandError('USAGE', 'error: custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0) throw new CommandError('INVALID', `error: unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return column(part.slice(0, colon), part.slice(colon + 1));
  });
}

/** Parses `-o custom-columns-file=FILE` from the workstation's files. */
export function parseCustomColumnsFile(state: SimState, path: string): CustomColumn[] {
  if (path === '') throw new CommandError('USAGE', 'error: custom-columns format specified but no custom columns given');
  const file = readFile(state, 'workstation', path);
  if (!file) throw new CommandError('INVALID', `error: error reading template ${path}, open ${path}: no such file or directory`);
  // Lines as Go's bufio.Scanner reads them: a final newline ends the last line.
  const lines = file.content === '' ? [] : file.content.replace(/\n$/, '').split('\n');
  const format = 'Expected format is one line of space separated headers, one line of space separated column specs.';
  if (lines.length < 1) throw new CommandError('INVALID', `error: invalid template, missing header line. ${format}`);
  if (lines.length < 2) throw new CommandError('INVALID', `error: invalid template, missing spec line. ${format}`);
  const headers = lines[0]!.split(/[ \t]+/).filter((w) => w !== '');
  const specs = lines[1]!.split(/[ \t]+/).filter((w) => w !== '');
  if (headers.length !== specs.length) throw new CommandError('INVALID', `error: number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  return headers.map((h, i) => column(h, specs[i]!));
}

/** A value as Go's fmt prints it with %v. */
export function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${k}:${goValue(o[k])}`)
      .join(' ')}]`;
  }
  return v === null || v === undefined ? '<nil>' : String(v);
}

/** One object's cells. */
export function customColumnsRow(columns: CustomColumn[], obj: unknown): string[] {
  return columns.map((c) => {
    let values: unknown[];
    try {
      values = findJsonPathValues(c.template, obj).flat();
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      throw new CommandError('INVALID', `error: ${e.message}`);
    }
    return values.length === 0 ? '<none>' : values.map(goValue).join(',');
  });
}

/** The table for a List (or one object), with the header unless `noHeaders`. */
export function printCustomColumns(columns: CustomColumn[], doc: unknown, noHeaders: boolean): string {
  const d = doc as { kind?: string; items?: unknown[] };
  const items = d.kind === 'List' && Array.isArray(d.items) ? d.items : [doc];
  const rows = items.map((o) => customColumnsRow(columns, o));
  return formatTable(noHeaders ? rows : [columns.map((c) => c.header), ...rows]);
}
