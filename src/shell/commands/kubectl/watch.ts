/**
 * `kubectl get -w` / `--watch` / `--watch-only`: the table, then a row for every change.
 *
 * Design notes: kubectl prints the list it got (unless `--watch-only`), then opens a watch
 * from the list's resourceVersion and prints one row, without a header, for every event:
 * an object added, modified or deleted (a deleted object's row shows its last state; nothing
 * marks it as deleted without `--output-watch-events`). The sandbox has no watch stream, so
 * the command polls the state every second of sandbox time and compares each object with
 * what it saw last (each wait brings the cluster up to the clock: sim/k8s/advance.ts), so a new
 * pod's Pending, ContainerCreating and Running rows appear as they happen (its whole stored form, so a change no controller recorded in the
 * resourceVersion, such as a failing readiness probe, still shows). Rows go through the same
 * tabwriter as the first table with RememberWidths: a column keeps the widest width seen so
 * far. When the list was empty (or with `--watch-only`) the header comes with the first row.
 * Ctrl+C ends the watch silently; kubectl's interrupt handler then exits with status 1.
 * Several changes found in one poll print in namespace/name order, and a pod's deletion is
 * one row (the sandbox deletes at once, with no Terminating phase).
 * Left out: `--output-watch-events`, `-w` with `-o json|yaml|jsonpath`, the API server
 * closing long watches.
 */
import type { SimState } from '../../../sim/state';
import type { CommandContext } from '../../command';
import { KUBECTL_COLUMNS } from '../../table';
import type { AnyObject } from './resources';

export interface WatchSpec {
  /** Every object the watch covers, now (already filtered by namespace, names and selector, sorted). */
  list(state: SimState): AnyObject[];
  /** The header row, or undefined for none (`--no-headers`, `-o name`). */
  header: string[] | undefined;
  /** An object's cells at time `now`. */
  row(obj: AnyObject, now: number): string[];
  /** `--watch-only`: print nothing until the first change. */
  watchOnly: boolean;
  /** Poll interval in sandbox milliseconds. */
  intervalMs?: number;
}

const width = (s: string): number => [...s].length;

/** kubectl's tabwriter with RememberWidths: widths survive each flush and only grow. */
class RememberingTable {
  private widths: number[] = [];

  /** Lays out `rows` as one flush: widths from these rows and every earlier one. */
  format(rows: string[][]): string {
    for (const row of rows) {
      for (let c = 0; c < row.length - 1; c++) this.widths[c] = Math.max(this.widths[c] ?? KUBECTL_COLUMNS.minWidth, width(row[c]!) + KUBECTL_COLUMNS.padding);
    }
    return rows.map((row) => row.map((cell, c) => (c < row.length - 1 ? cell + ' '.repeat(this.widths[c]! - width(cell)) : cell)).join('').replace(/[ \t]+$/, '') + '\n').join('');
  }
}

function objectKey(o: AnyObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Runs the watch until Ctrl+C; returns kubectl's exit status (1, from its interrupt handler). */
export async function runWatch(ctx: CommandContext, spec: WatchSpec): Promise<number> {
  const state = ctx.env.sim.state;
  const table = new RememberingTable();
  let headerPending = spec.header !== undefined;
  const emit = (rows: string[][]): void => {
    if (rows.length === 0) return;
    const all = headerPending ? [spec.header!, ...rows] : rows;
    headerPending = false;
    ctx.stdout.write(table.format(all));
  };
  const seen = new Map<string, string>();
  const initial = spec.list(state);
  for (const o of initial) seen.set(objectKey(o), JSON.stringify(o));
  if (!spec.watchOnly) emit(initial.map((o) => spec.row(o, ctx.env.scheduler.now())));
  const interval = spec.intervalMs ?? 1000;
  ctx.endless();
  for (;;) {
    if (!(await ctx.sleep(interval))) return 1;
    // The wait brought the cluster up to the clock (Sim.advance).
    const now = ctx.env.scheduler.now();
    const current = spec.list(state);
    const rows: { key: string; row: string[] }[] = [];
    const present = new Set<string>();
    for (const o of current) {
      const k = objectKey(o);
      present.add(k);
      const text = JSON.stringify(o);
      if (seen.get(k) !== text) {
        seen.set(k, text);
        rows.push({ key: k, row: spec.row(o, now) });
      }
    }
    for (const [k, text] of [...seen]) {
      if (present.has(k)) continue;
      seen.delete(k);
      rows.push({ key: k, row: spec.row(JSON.parse(text) as AnyObject, now) });
    }
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    emit(rows.map((r) => r.row));
  }
}
