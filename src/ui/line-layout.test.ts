import { describe, expect, it } from 'vitest';
import { endsAtMargin, moveBetween, positionOf } from './line-layout';

/**
 * A model of what xterm does with the editor's output: printable characters advance the
 * cursor and wrap after the last column (the wrap is pending until the next character), and
 * "\n" (CR LF with convertEol) returns to column 0 of the next row.
 */
function drawn(prompt: number, text: string, cols: number): { row: number; col: number }[] {
  let row = Math.floor(prompt / cols);
  let col = prompt % cols;
  let pending = false;
  const at: { row: number; col: number }[] = [];
  for (const ch of text) {
    // Where the next character would appear: after a pending wrap, the next row.
    at.push(pending ? { row: row + 1, col: 0 } : { row, col });
    if (ch === '\n') {
      row++;
      col = 0;
      pending = false;
    } else if (pending) {
      row++;
      col = 1;
      pending = false;
    } else if (col === cols - 1) pending = true;
    else col++;
  }
  at.push(pending ? { row: row + 1, col: 0 } : { row, col });
  return at;
}

describe('line layout', () => {
  it('places every index of a single line as wrapping at the margin does', () => {
    const text = 'kubectl get pods -o wide --show-labels';
    const at = drawn(20, text, 24);
    for (let i = 0; i <= text.length; i++) expect(positionOf(20, text, i, 24), `index ${i}`).toEqual(at[i]);
  });

  it('shows a recalled here-document as its lines, the later ones from column 0', () => {
    const text = 'cat <<EOF\nhello\nEOF';
    expect(positionOf(24, text, 9, 80)).toEqual({ row: 0, col: 33 });
    expect(positionOf(24, text, 10, 80)).toEqual({ row: 1, col: 0 });
    expect(positionOf(24, text, text.length, 80)).toEqual({ row: 2, col: 3 });
    expect(moveBetween(positionOf(24, text, text.length, 80), positionOf(24, text, 0, 80))).toBe('\x1b[2A\x1b[21C');
  });

  it('agrees with the terminal when a line of the entry fills its row exactly', () => {
    // "> " + 8 characters fill a 10-column row; the newline then starts no extra row.
    for (const text of ['12345678\nab', '12345678\n\nab', '1234567890123456\nxy', 'ab\n1234567890\n']) {
      const at = drawn(2, text, 10);
      for (let i = 0; i <= text.length; i++) expect(positionOf(2, text, i, 10), `${JSON.stringify(text)} index ${i}`).toEqual(at[i]);
    }
  });

  it('says when the input ends exactly at the right margin', () => {
    expect(endsAtMargin(2, '12345678', 10)).toBe(true);
    expect(endsAtMargin(2, '1234567', 10)).toBe(false);
    expect(endsAtMargin(2, 'ab\n', 10)).toBe(false);
    expect(endsAtMargin(2, 'ab\n1234567890', 10)).toBe(true);
    expect(endsAtMargin(0, '', 10)).toBe(false);
  });
});
