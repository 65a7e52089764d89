/**
 * Column tables as kubectl prints them.
 *
 * Design notes
 * ------------
 * Models Go's text/tabwriter as kubectl configures it (cli-runtime
 * `pkg/printers/tabwriter.go`: minwidth 6, tabwidth 4, padding 3, pad char
 * space): every cell that is followed by another cell on its line is padded
 * with spaces to its column's width, max(minwidth, widest such cell + padding);
 * the last cell of a line is written as is. Widths count Unicode code points,
 * like tabwriter's utf8.RuneCount.
 *
 * Left out: tabwriter's column *blocks* (a width is shared only by consecutive
 * lines that have that column); here a width is shared by every row that has the
 * column, which is the same thing whenever all rows have the same number of
 * cells, as kubectl's tables do. Also left out: escapes, tab padding, alignment
 * flags and East Asian wide characters. Trailing blanks are stripped from every
 * line (real tabwriter would leave padding before an empty last cell).
 */

export interface ColumnOptions {
  /** Smallest width of a padded column, padding included. */
  minWidth: number;
  /** Spaces added after the widest cell of a column. */
  padding: number;
}

/** kubectl's settings (cli-runtime GetNewTabWriter). */
export const KUBECTL_COLUMNS: ColumnOptions = { minWidth: 6, padding: 3 };

const width = (s: string): number => [...s].length;

/** Lays rows out in left-aligned columns; each line ends with "\n". */
export function formatColumns(rows: readonly (readonly string[])[], opts: ColumnOptions): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) {
      widths[c] = Math.max(widths[c] ?? opts.minWidth, width(row[c] ?? '') + opts.padding);
    }
  }
  return rows
    .map((row) => {
      const line = row
        .map((cell, c) => (c < row.length - 1 ? cell + ' '.repeat((widths[c] ?? 0) - width(cell)) : cell))
        .join('');
      return line.replace(/[ \t]+$/, '') + '\n';
    })
    .join('');
}

/** kubectl's table: rows[0] is the header row. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  return formatColumns(rows, KUBECTL_COLUMNS);
}
