/**
 * Where the line editor's input lands on screen.
 *
 * Design notes: the input follows the prompt and wraps at the terminal's width; it may also
 * hold newlines, when a multi-line command (a here-document) is recalled from history. bash
 * shows such an entry as readline does: its lines one under the other, the first after the
 * prompt and the others from column 0, with no `> ` prompts; Enter runs the same text again.
 * Positions are logical: an index right after a character that filled a row is at column 0
 * of the next row (the editor never leaves xterm's cursor in its "pending wrap" state there),
 * and a newline right after such a character starts no further row, as xterm's CR LF does
 * not.
 */

export interface ScreenPosition {
  row: number;
  col: number;
}

/** The row (counted from the prompt's first row) and column of input index `index`. */
export function positionOf(promptWidth: number, text: string, index: number, cols: number): ScreenPosition {
  const width = Math.max(1, cols);
  let row = Math.floor(promptWidth / width);
  let col = promptWidth % width;
  let wrapped = false;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text[i] === '\n') {
      if (!wrapped) row++;
      col = 0;
      wrapped = false;
      continue;
    }
    col++;
    wrapped = col === width;
    if (wrapped) {
      row++;
      col = 0;
    }
  }
  return { row, col };
}

/** True when `text` ends exactly at the right margin (its last character filled a row). */
export function endsAtMargin(promptWidth: number, text: string, cols: number): boolean {
  return text.length > 0 && !text.endsWith('\n') && positionOf(promptWidth, text, text.length, cols).col === 0;
}

/** The relative cursor movement (CSI A/B/C/D) from screen position `a` to `b`. */
export function moveBetween(a: ScreenPosition, b: ScreenPosition): string {
  let s = '';
  if (b.row < a.row) s += `\x1b[${a.row - b.row}A`;
  else if (b.row > a.row) s += `\x1b[${b.row - a.row}B`;
  if (b.col > a.col) s += `\x1b[${b.col - a.col}C`;
  else if (b.col < a.col) s += `\x1b[${a.col - b.col}D`;
  return s;
}
