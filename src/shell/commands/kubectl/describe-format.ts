/**
 * The text layout every `kubectl describe` view shares: kubectl's PrefixWriter, its label,
 * annotation and toleration printers, Go's text/tabwriter and the Events table.
 *
 * Design notes: kubectl v1.32's pkg/describe/describe.go writes tab-separated cells through
 * text/tabwriter (minwidth 0, tabwidth 8, padding 2, space padding); `goTabwriter` models its
 * column *blocks* (consecutive lines having a cell in that column), so `Name:` values line up
 * within a block and a line without a tab ends every block. Labels print one per line
 * sorted; annotations leave out `kubectl.kubernetes.io/last-applied-configuration`
 * (skipAnnotations) and put long or multi-line values under their key; times are RFC 1123
 * with a numeric zone. The Events table is aligned on its own (kubectl flushes before it).
 */
import type { K8sEvent } from '../../../sim/k8s/events';
import type { Toleration } from '../../../sim/k8s/types';
import { eventInterval, eventSortTime } from './events';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_ANNOTATION_LEN = 140;

/**
 * Go's text/tabwriter (describe's minwidth 0, tabwidth 8, padding 2, pad ' ', no flags, or
 * the given minwidth and padding, such as kubectl's printers' 6 and 3): a cell ended
 * by a tab belongs to a column; a column's width is that of its widest cell plus padding,
 * over a block of consecutive lines that all have a cell in that column.
 */
const NON_ASCII = /[^\x00-\x7f]/;

export function goTabwriter(text: string, opts: { minWidth: number; padding: number } = { minWidth: 0, padding: 2 }): string {
  const lines = text.split('\n');
  const trailing = lines.pop();
  const cells = lines.map((l) => l.split('\t'));
  const out: string[] = cells.map(() => '');
  // Go's tabwriter counts runes: code points, which for ASCII text is the string's length.
  const widthOf = (s: string): number => (NON_ASCII.test(s) ? [...s].length : s.length);
  const format = (line0: number, line1: number, widths: number[]): void => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= cells[i]!.length - 1) continue;
      write(start, i, widths);
      let width = opts.minWidth;
      let j = i;
      for (; j < line1 && column < cells[j]!.length - 1; j++) width = Math.max(width, widthOf(cells[j]![column]!) + opts.padding);
      format(i, j, [...widths, width]);
      start = j;
      i = j - 1;
    }
    write(start, line1, widths);
  };
  const write = (from: number, to: number, widths: number[]): void => {
    for (let i = from; i < to; i++) {
      if (out[i] !== '') continue;
      const c = cells[i]!;
      out[i] = c.map((cell, k) => (k < c.length - 1 && k < widths.length ? cell + ' '.repeat(widths[k]! - widthOf(cell)) : cell)).join('') + '\n';
    }
  };
  format(0, cells.length, []);
  return out.join('') + (trailing ?? '');
}

/** Go's time.RFC1123Z in UTC: `Fri, 14 Mar 2025 09:22:00 +0000`. */
export function rfc1123z(text: string): string {
  const d = new Date(Date.parse(text));
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** kubectl's PrefixWriter plus the helpers every describer uses. */
export class Out {
  text = '';
  w(level: number, s: string): void {
    this.text += '  '.repeat(level) + s;
  }
  /** printLabelsMultiline: one `key=value` per line, sorted; `<none>` when empty. */
  labels(title: string, labels: Record<string, string> | undefined): void {
    const keys = Object.keys(labels ?? {}).sort();
    this.w(0, `${title}:\t`);
    if (keys.length === 0) return this.w(0, '<none>\n');
    keys.forEach((k, i) => this.w(0, `${i ? '\t' : ''}${k}=${labels![k]}\n`));
  }
  /**
   * printAnnotationsMultiline: sorted, without kubectl's last-applied configuration; a value
   * that is multi-line or would make the line longer than 140 characters goes on lines of
   * its own under `key:`, each cut to 138 characters and `...`.
   */
  annotations(title: string, annotations: Record<string, string> | undefined): void {
    const keys = Object.keys(annotations ?? {}).filter((k) => k !== LAST_APPLIED).sort();
    this.w(0, `${title}:\t`);
    if (keys.length === 0) return this.w(0, '<none>\n');
    keys.forEach((k, i) => {
      if (i) this.w(0, '\t');
      const value = annotations![k]!.replace(/\n$/, '');
      if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
        this.w(0, `${k}:\n`);
        for (const line of value.split('\n')) this.w(0, `\t  ${line.length > MAX_ANNOTATION_LEN - 2 ? line.slice(0, MAX_ANNOTATION_LEN - 2) + '...' : line}\n`);
      } else this.w(0, `${k}: ${value}\n`);
    });
  }
  /** printPodTolerationsMultiline: sorted by key; `key=value:Effect op=Exists for Ns`. */
  tolerations(title: string, tolerations: Toleration[] | undefined): void {
    const list = [...(tolerations ?? [])].sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
    this.w(0, `${title}:\t`);
    if (list.length === 0) return this.w(0, '<none>\n');
    list.forEach((t, i) => {
      let s = `${i ? '\t' : ''}${t.key ?? ''}${t.value ? `=${t.value}` : ''}${t.effect ? `:${t.effect}` : ''}`;
      if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
      if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
      this.w(0, `${s}\n`);
    });
  }
}

/** The lines so far through the tabwriter, then the Events section (kubectl flushes before a non-empty one). */
export function finish(o: Out, events: K8sEvent[] | undefined, now: number): string {
  if (events && events.length === 0) return goTabwriter(o.text + 'Events:\t<none>\n');
  return goTabwriter(o.text) + describeEvents(events, now);
}

export function describeEvents(events: K8sEvent[] | undefined, now: number): string {
  if (!events || events.length === 0) return '';
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => eventSortTime(a.e) - eventSortTime(b.e) || a.i - b.i);
  let t = 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n';
  for (const { e } of sorted) t += `  ${e.type}\t${e.reason}\t${eventInterval(e, now)}\t${e.source.component || e.reportingComponent}\t${e.message.trim()}\n`;
  return goTabwriter(t);
}

