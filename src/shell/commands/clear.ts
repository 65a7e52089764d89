/**
 * `clear`: clears the terminal screen.
 *
 * Design notes: like ncurses' clear, it writes the terminal's "home" and "erase display"
 * sequences (and erase-scrollback, as `clear` does on xterm-compatible terminals); the
 * terminal front end interprets them. Transcripts show them as the raw sequences.
 */
import type { Command } from '../command';

export const CLEAR_SEQUENCE = '\x1b[H\x1b[2J\x1b[3J';

export const clear: Command = {
  name: 'clear',
  summary: 'clear the terminal screen (or press Ctrl+L)',
  usage: 'Usage: clear\n\nClears the terminal screen.',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    ctx.stdout.write(CLEAR_SEQUENCE);
    return 0;
  },
};
