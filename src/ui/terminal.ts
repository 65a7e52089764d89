/**
 * The lab terminal: xterm.js showing one terminal of a lab session (the session itself, or
 * one of its extra terminals: TerminalApi), with a small line editor in front.
 *
 * Design notes: the session knows nothing about terminals. It runs whole lines and writes
 * plain text with `\n` line ends; this module does everything a shell's line editor would:
 * the prompt, cursor movement and editing, history, Ctrl+C / Ctrl+L, Tab completion through
 * `session.complete`, and pasted text run line by line. A line that leaves a command open (a
 * quote, a final `|` or `\`, a here-document such as `cat <<EOF | kubectl apply -f -`) is
 * followed by bash's continuation prompt `> `; the lines are collected until the command is
 * complete and then run (and kept in history) as one multi-line command. Colour is added here only (the
 * prompt and stderr), never by commands, so copied text stays plain.
 *
 * The editor redraws the input from the edit point using relative cursor moves computed from
 * the prompt width and the terminal width (line-layout.ts), so long lines that wrap edit
 * correctly, and so does a multi-line command recalled from history, shown as its lines like
 * bash does (the whole entry is one input; Enter runs the same text again). It never
 * leaves the cursor in xterm's "pending wrap" state (a line that ends exactly at the right
 * margin), which would throw those computations off by a row.
 *
 * Keyboard: Tab completes inside the terminal; Escape then Tab moves focus out of it, so
 * keyboard users are never trapped.
 */
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import type { Completion, OutputSink, SessionEvent, TerminalApi } from '../labs/contract';
import { PS2 } from '../labs/transcript';
import { endsAtMargin, moveBetween, positionOf } from './line-layout';

/** Colours for the terminal: dark in both site themes, every colour >= 4.5:1 on the background. */
const THEME: ITheme = {
  background: '#0f1720',
  foreground: '#e3e8ef',
  cursor: '#e3e8ef',
  cursorAccent: '#0f1720',
  selectionBackground: '#3b4b63',
  selectionForeground: '#ffffff',
  black: '#0f1720',
  red: '#ff9b9b',
  green: '#8fe0a6',
  yellow: '#f5d78a',
  blue: '#8cc4ff',
  magenta: '#e2a8ff',
  cyan: '#7fdbe6',
  white: '#e3e8ef',
  brightBlack: '#9aa7b8',
  brightRed: '#ffb4b4',
  brightGreen: '#a9f0bd',
  brightYellow: '#ffe6a6',
  brightBlue: '#acd5ff',
  brightMagenta: '#ecc2ff',
  brightCyan: '#a3ecf3',
  brightWhite: '#ffffff',
};

const SGR = {
  reset: '\x1b[0m',
  dim: '\x1b[90m', // bright black: a readable grey on the background
  red: '\x1b[31m',
  green: '\x1b[32m',
  blue: '\x1b[34m',
};

/** One escape sequence at the start of a string: CSI, SS3 or Alt+key. */
const ESCAPE = /^\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O[@-~]|[^[O]|$)/;

const FONT_FAMILY =
  'ui-monospace, "SFMono-Regular", "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';

export interface LabTerminalOptions {
  /** Called after each command has finished and its output is on screen. */
  onCommandDone?: (line: string, status: number) => void;
  /** Called with true while a command runs, false when the prompt is back. */
  onBusy?: (busy: boolean) => void;
}

function longestCommonPrefix(words: readonly string[]): string {
  if (words.length === 0) return '';
  let prefix = words[0] ?? '';
  for (const w of words) {
    let i = 0;
    while (i < prefix.length && i < w.length && prefix[i] === w[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

/** Colours a bash-like prompt (`user@host:path$ `); anything else is shown as is. */
function colourPrompt(prompt: string): string {
  const m = /^([^\s@]+@[^\s:]+)(:)([^$#]*)([$#] ?)$/.exec(prompt);
  if (!m) return prompt;
  return `${SGR.green}${m[1]}${SGR.reset}${m[2]}${SGR.blue}${m[3]}${SGR.reset}${m[4]}`;
}

export class LabTerminal {
  readonly term: Terminal;
  private readonly fitAddon = new FitAddon();
  private session: TerminalApi;
  /** The line as it was before a Ctrl+P, while the next key may make it Docker's detach keys. */
  private beforeCtrlP: { line: string; cursor: number; historyIndex: number; draft: string } | null = null;
  private unsubscribe: () => void = () => {};
  private readonly resizeObserver: ResizeObserver;
  /** The reader's motion preference: a blinking cursor only when they have not asked for less motion. */
  private readonly motion = window.matchMedia('(prefers-reduced-motion: reduce)');
  private readonly onMotion = (): void => {
    this.term.options.cursorBlink = !this.motion.matches;
  };

  private prompt = '';
  private line = '';
  private cursor = 0;
  private running = false;
  private accepting = false;
  /** Input typed or pasted while a command runs; replayed when the prompt is back. */
  private pending = '';
  /** Index into the session's history while browsing it with the arrows; -1 = new line. */
  private historyIndex = -1;
  private draft = '';
  /** The lines of a command left open so far, while the `> ` prompt asks for more. */
  private continued: string | null = null;
  private lastKeyWasTab = false;
  /** Escape was pressed: the next Tab leaves the terminal instead of completing. */
  private escapeArmed = false;
  /** Bumped when the session is replaced, so a command still running in the old one is ignored. */
  private generation = 0;

  constructor(
    private readonly container: HTMLElement,
    session: TerminalApi,
    private readonly options: LabTerminalOptions = {},
  ) {
    this.session = session;
    this.term = new Terminal({
      convertEol: true,
      // Blinking is motion (WCAG 2.2.2), and a blinking cursor repaints the page twice a second.
      cursorBlink: !this.motion.matches,
      cursorStyle: 'block',
      cursorInactiveStyle: 'outline',
      fontFamily: FONT_FAMILY,
      // A phone-width terminal wraps kubectl's tables less with a slightly smaller font.
      fontSize: container.clientWidth > 0 && container.clientWidth < 520 ? 12 : 13,
      lineHeight: 1.2,
      scrollback: 5000,
      theme: THEME,
      minimumContrastRatio: 4.5,
      allowProposedApi: false,
    });
    this.term.loadAddon(this.fitAddon);
    this.term.open(container);
    this.term.attachCustomKeyEventHandler((e) => this.filterKey(e));
    // Tab leaving the terminal is pressed here and released where the focus went, so xterm.js
    // still counts a key as down when the focus comes back, and until the next key it drops text
    // an input method, an emoji picker or dictation commits. Coming back, every key is up.
    this.term.textarea?.addEventListener('focus', () => this.term.textarea?.dispatchEvent(new KeyboardEvent('keyup')));
    this.term.onData((data) => this.onData(data));
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(container);
    this.motion.addEventListener('change', this.onMotion);
    this.fit();
    this.listen();
  }

  /** Shows the prompt and starts taking input. */
  start(): Promise<void> {
    return this.showPrompt();
  }

  /** A grey line of information above the prompt, e.g. after a restore. */
  notice(text: string): void {
    this.term.write(`${SGR.dim}${text}${SGR.reset}\n`);
  }

  /** Replaces the session (after Reset): clears the screen and waits to be started again. */
  replaceSession(session: TerminalApi): void {
    this.unsubscribe();
    if (this.running) {
      this.session.interrupt();
      this.options.onBusy?.(false);
    }
    this.generation++;
    this.session = session;
    this.line = '';
    this.cursor = 0;
    this.pending = '';
    this.historyIndex = -1;
    this.draft = '';
    this.continued = null;
    this.running = false;
    this.accepting = false;
    this.term.reset();
    this.listen();
  }

  focus(): void {
    this.term.focus();
  }

  /**
   * Puts `command` on the input line (replacing what was typed) for the learner to run with
   * Enter: the lesson's "Type it in the lab" buttons. Ignored while a command runs.
   */
  offer(command: string): void {
    if (this.running || !this.accepting) return;
    this.historyIndex = -1;
    this.setLine(command.replace(/[\r\n]+/g, ' '));
    this.term.focus();
  }

  /**
   * The terminal's text, one entry per logical line (rows that xterm wrapped are joined),
   * trailing blank lines dropped. Used by tests through `window.__labTerminals`.
   */
  lines(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < buf.length; i++) {
      const row = buf.getLine(i);
      if (!row) continue;
      const next = buf.getLine(i + 1);
      // A row that continues on the next one keeps its trailing spaces: they are content.
      const text = row.translateToString(!(next?.isWrapped ?? false));
      if (row.isWrapped && out.length > 0) out[out.length - 1] += text;
      else out.push(text);
    }
    while (out.length > 0 && out[out.length - 1]?.trim() === '') out.pop();
    return out.map((l) => l.replace(/\s+$/, ''));
  }

  dispose(): void {
    this.unsubscribe();
    if (this.running) this.session.interrupt();
    this.generation++;
    this.resizeObserver.disconnect();
    this.motion.removeEventListener('change', this.onMotion);
    this.term.dispose();
  }

  // -------------------------------------------------------------------------------------------

  private listen(): void {
    this.unsubscribe = this.session.subscribe((e: SessionEvent) => {
      if (e.type === 'prompt' && !this.running && this.accepting && this.continued === null) {
        // The prompt changed while idle (rare): redraw the current line under the new one.
        this.term.write(`${this.moveTo(this.cursor, 0)}\r\x1b[J`);
        this.prompt = e.prompt;
        this.term.write(colourPrompt(this.prompt));
        this.renderFrom(0);
      }
    });
  }

  private fit(): void {
    if (!this.container.isConnected || this.container.clientWidth === 0) return;
    try {
      this.fitAddon.fit();
    } catch {
      // Not laid out yet; the next resize fits.
    }
  }

  private filterKey(e: KeyboardEvent): boolean {
    if (e.type !== 'keydown') return true;
    if (e.key === 'Escape') {
      this.escapeArmed = true;
      return false;
    }
    if (e.key === 'Tab' && this.escapeArmed) {
      this.escapeArmed = false;
      return false; // let the browser move focus
    }
    if (e.key !== 'Shift') this.escapeArmed = false;
    // Ctrl+C with a selection copies (the browser's copy event); without one it interrupts.
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && this.term.hasSelection()) {
      return false;
    }
    return true;
  }

  private onData(data: string): void {
    if (!this.accepting || this.running) {
      const ctrlC = data.indexOf('\x03');
      if (this.running && ctrlC >= 0) {
        this.pending = '';
        this.term.write('^C');
        this.session.interrupt();
        return;
      }
      this.pending += data;
      return;
    }
    this.process(data);
  }

  /** Feeds keystrokes or pasted text to the line editor until a command starts running. */
  private process(data: string): void {
    let i = 0;
    while (i < data.length) {
      if (this.running || !this.accepting) {
        this.pending = data.slice(i) + this.pending;
        return;
      }
      const ch = data[i] ?? '';
      if (ch === '\x1b') {
        this.beforeCtrlP = null;
        const m = ESCAPE.exec(data.slice(i));
        const seq = m ? m[0] : ch;
        this.escapeSequence(seq);
        i += seq.length;
        continue;
      }
      if (ch >= ' ' && ch !== '\x7f') {
        this.beforeCtrlP = null;
        // A run of printable characters (typing or pasting) is inserted in one go.
        let j = i + 1;
        while (j < data.length) {
          const c = data[j] ?? '';
          if (c < ' ' || c === '\x7f') break;
          j++;
        }
        this.insert(data.slice(i, j));
        this.lastKeyWasTab = false;
        i = j;
        continue;
      }
      // A pasted "\r\n" is one line end, not two.
      if (ch === '\r' && data[i + 1] === '\n') i++;
      this.control(ch);
      i++;
    }
  }

  private control(ch: string): void {
    const wasTab = this.lastKeyWasTab;
    this.lastKeyWasTab = false;
    const beforeCtrlP = this.beforeCtrlP;
    this.beforeCtrlP = null;
    switch (ch) {
      case '\r':
      case '\n':
        void this.submit();
        return;
      case '\x7f':
      case '\b':
        this.backspace();
        return;
      case '\t':
        this.tab(wasTab);
        return;
      case '\x03':
        this.cancelLine();
        return;
      case '\x0c':
        this.clearScreen();
        return;
      case '\x01':
        this.moveCursor(0);
        return;
      case '\x05':
        this.moveCursor(this.line.length);
        return;
      case '\x02':
        this.moveCursor(this.cursor - 1);
        return;
      case '\x06':
        this.moveCursor(this.cursor + 1);
        return;
      case '\x04':
        this.deleteForward();
        return;
      case '\x15': // Ctrl+U: delete to the start of the line
        this.replace(0, this.cursor, '');
        return;
      case '\x0b': // Ctrl+K: delete to the end of the line
        this.replace(this.cursor, this.line.length, '');
        return;
      case '\x17': // Ctrl+W: delete the word before the cursor
        this.replace(this.wordStart(), this.cursor, '');
        return;
      case '\x10':
        this.beforeCtrlP = { line: this.line, cursor: this.cursor, historyIndex: this.historyIndex, draft: this.draft };
        this.historyUp();
        return;
      case '\x11':
        // Ctrl+P Ctrl+Q: Docker's detach keys. The line goes back to what it was before Ctrl+P
        // and the shell gets the two bytes (in a container it detaches; elsewhere nothing happens).
        if (beforeCtrlP) {
          this.setLine(beforeCtrlP.line);
          this.cursor = beforeCtrlP.cursor;
          this.historyIndex = beforeCtrlP.historyIndex;
          this.draft = beforeCtrlP.draft;
          void this.submit('\x10\x11');
        }
        return;
      case '\x0e':
        this.historyDown();
        return;
      default:
        return; // other control characters are ignored
    }
  }

  private escapeSequence(seq: string): void {
    this.lastKeyWasTab = false;
    switch (seq) {
      case '\x1b[A':
      case '\x1bOA':
        this.historyUp();
        return;
      case '\x1b[B':
      case '\x1bOB':
        this.historyDown();
        return;
      case '\x1b[C':
      case '\x1bOC':
        this.moveCursor(this.cursor + 1);
        return;
      case '\x1b[D':
      case '\x1bOD':
        this.moveCursor(this.cursor - 1);
        return;
      case '\x1b[H':
      case '\x1bOH':
      case '\x1b[1~':
      case '\x1b[7~':
        this.moveCursor(0);
        return;
      case '\x1b[F':
      case '\x1bOF':
      case '\x1b[4~':
      case '\x1b[8~':
        this.moveCursor(this.line.length);
        return;
      case '\x1b[3~':
        this.deleteForward();
        return;
      case '\x1b[1;5C':
      case '\x1b[1;3C':
      case '\x1bf':
        this.moveCursor(this.wordEnd());
        return;
      case '\x1b[1;5D':
      case '\x1b[1;3D':
      case '\x1bb':
        this.moveCursor(this.wordStart());
        return;
      default:
        return;
    }
  }

  // ---- editing ------------------------------------------------------------------------------

  /**
   * Relative cursor movement from input index `from` to input index `to` (line-layout.ts);
   * `fromText` is the input as drawn when it differs from the current one.
   */
  private moveTo(from: number, to: number, fromText: string = this.line): string {
    return moveBetween(positionOf(this.prompt.length, fromText, from, this.term.cols), positionOf(this.prompt.length, this.line, to, this.term.cols));
  }

  /**
   * Redraws the input from index `from` (the cursor is at `drawnCursor` of the input as drawn,
   * `drawnText`, which is the same as the current input up to `from`), clears what was after
   * it, and puts the cursor at `this.cursor`.
   */
  private renderFrom(from: number, drawnCursor: number = from, drawnText: string = this.line): void {
    // A newline after a character that filled its row must be drawn after that character, so
    // that its CR LF leaves the row the character wrapped to (see positionOf).
    if (from > 0 && this.line[from] === '\n' && this.line[from - 1] !== '\n') from--;
    let s = this.moveTo(drawnCursor, from, drawnText) + this.line.slice(from);
    if (endsAtMargin(this.prompt.length, this.line, this.term.cols)) {
      // The input ends exactly at the right margin. Never rest in xterm's pending-wrap state:
      // a space steps onto the next row (marking it a continuation), the rest is cleared, and
      // a backspace returns to column 0. Clearing from column 0 itself would drop the row's
      // "wrapped" mark, and the logical line would read as two.
      s += ' \x1b[J\b';
    } else {
      s += '\x1b[J';
    }
    s += this.moveTo(this.line.length, this.cursor);
    this.term.write(s);
  }

  private replace(start: number, end: number, text: string): void {
    if (start === end && text === '') return;
    const drawn = this.cursor;
    const old = this.line;
    this.line = this.line.slice(0, start) + text + this.line.slice(end);
    this.cursor = start + text.length;
    this.renderFrom(start, drawn, old);
  }

  private insert(text: string): void {
    this.replace(this.cursor, this.cursor, text);
  }

  private backspace(): void {
    if (this.cursor > 0) this.replace(this.cursor - 1, this.cursor, '');
  }

  private deleteForward(): void {
    if (this.cursor < this.line.length) {
      const old = this.line;
      this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1);
      this.renderFrom(this.cursor, this.cursor, old);
    }
  }

  private moveCursor(to: number): void {
    const target = Math.max(0, Math.min(this.line.length, to));
    if (target === this.cursor) return;
    this.term.write(this.moveTo(this.cursor, target));
    this.cursor = target;
  }

  private wordStart(): number {
    let i = this.cursor;
    while (i > 0 && this.line[i - 1] === ' ') i--;
    while (i > 0 && this.line[i - 1] !== ' ') i--;
    return i;
  }

  private wordEnd(): number {
    let i = this.cursor;
    while (i < this.line.length && this.line[i] === ' ') i++;
    while (i < this.line.length && this.line[i] !== ' ') i++;
    return i;
  }

  /** Replaces the whole input (history browsing; a multi-line entry shows as its lines). */
  private setLine(text: string): void {
    const drawn = this.cursor;
    const old = this.line;
    this.line = text;
    this.cursor = text.length;
    this.renderFrom(0, drawn, old);
  }

  private historyUp(): void {
    const history = this.session.history();
    if (history.length === 0) return;
    if (this.historyIndex === -1) {
      this.draft = this.line;
      this.historyIndex = history.length - 1;
    } else if (this.historyIndex > 0) {
      this.historyIndex--;
    } else {
      return;
    }
    this.setLine(history[this.historyIndex] ?? '');
  }

  private historyDown(): void {
    if (this.historyIndex === -1) return;
    const history = this.session.history();
    this.historyIndex++;
    if (this.historyIndex >= history.length) {
      this.historyIndex = -1;
      this.setLine(this.draft);
    } else {
      this.setLine(history[this.historyIndex] ?? '');
    }
  }

  private tab(secondTab: boolean): void {
    let completion: Completion;
    try {
      completion = this.session.complete(this.line, this.cursor);
    } catch {
      return;
    }
    const { from, candidates } = completion;
    if (candidates.length === 0) return;
    const word = this.line.slice(from, this.cursor);
    if (candidates.length === 1) {
      const only = candidates[0] ?? '';
      const atWordEnd = this.cursor === this.line.length || this.line[this.cursor] === ' ';
      const space = atWordEnd && !/[/=:]$/.test(only) && this.line[this.cursor] !== ' ' ? ' ' : '';
      this.replace(from, this.cursor, only + space);
      return;
    }
    const common = longestCommonPrefix(candidates);
    if (common.length > word.length && common.startsWith(word)) {
      this.replace(from, this.cursor, common);
      this.lastKeyWasTab = true;
      return;
    }
    if (!secondTab) {
      this.lastKeyWasTab = true;
      return;
    }
    this.listCandidates(candidates);
  }

  /** Prints candidates in columns, like bash after a second Tab, then the prompt and line again. */
  private listCandidates(candidates: readonly string[]): void {
    const cols = Math.max(1, this.term.cols);
    const width = Math.max(...candidates.map((c) => c.length)) + 2;
    const perRow = Math.max(1, Math.floor(cols / width));
    const rows = Math.ceil(candidates.length / perRow);
    let out = this.moveTo(this.cursor, this.line.length) + '\n';
    for (let r = 0; r < rows; r++) {
      let row = '';
      for (let c = 0; c < perRow; c++) {
        const item = candidates[c * rows + r];
        if (item === undefined) continue;
        row += c === perRow - 1 ? item : item.padEnd(width);
      }
      out += row.trimEnd() + '\n';
    }
    this.term.write(out + colourPrompt(this.prompt));
    const cursor = this.cursor;
    this.cursor = 0;
    this.renderFrom(0);
    this.moveCursor(cursor);
  }

  private cancelLine(): void {
    this.term.write(this.moveTo(this.cursor, this.line.length) + '^C\n');
    this.line = '';
    this.cursor = 0;
    this.historyIndex = -1;
    this.draft = '';
    this.continued = null;
    void this.showPrompt();
  }

  private clearScreen(): void {
    this.term.write('\x1b[H\x1b[2J\x1b[3J' + colourPrompt(this.prompt));
    const cursor = this.cursor;
    this.cursor = 0;
    this.renderFrom(0);
    this.moveCursor(cursor);
  }

  // ---- running ------------------------------------------------------------------------------

  private flush(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  /** Shows the session's prompt, or `continuation` (PS2) while a command is still open. */
  private async showPrompt(continuation?: string): Promise<void> {
    await this.flush();
    // Output that did not end with a newline must not swallow the prompt.
    if (this.term.buffer.active.cursorX !== 0) this.term.write('\n');
    this.prompt = continuation ?? this.session.prompt();
    this.term.write(colourPrompt(this.prompt));
    this.line = '';
    this.cursor = 0;
    this.accepting = true;
    // Keys typed while the prompt was on its way go first, before any that arrive during the
    // flush below: otherwise a key pressed then would land ahead of the ones typed earlier.
    const queued = this.pending;
    this.pending = '';
    if (queued) this.process(queued);
    await this.flush();
  }

  /** Runs the line; `keys` instead runs control keys the shell acts on (the typed line is dropped, not echoed). */
  private async submit(keys?: string): Promise<void> {
    const line = keys ?? this.line;
    this.term.write(this.moveTo(this.cursor, this.line.length) + (keys === undefined ? '\n' : ''));
    this.line = '';
    this.cursor = 0;
    this.historyIndex = -1;
    this.draft = '';
    if (line.trim() === '' && this.continued === null) {
      this.accepting = false;
      await this.showPrompt();
      return;
    }
    const text = this.continued === null ? line : `${this.continued}\n${line}`;
    if (this.session.needsMore(text)) {
      this.continued = text;
      this.accepting = false;
      await this.showPrompt(PS2);
      return;
    }
    this.continued = null;
    this.running = true;
    this.accepting = false;
    this.options.onBusy?.(true);
    const generation = this.generation;
    const stdout: OutputSink = {
      write: (text) => {
        if (generation === this.generation) this.term.write(text);
      },
    };
    const stderr: OutputSink = {
      write: (text) => {
        if (generation === this.generation) this.term.write(`${SGR.red}${text}${SGR.reset}`);
      },
    };
    let status = 1;
    try {
      status = await this.session.run(text, stdout, stderr);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      stderr.write(`internal error: ${message}\n`);
    }
    // The session was replaced (Reset) while this ran: the new one owns the screen now.
    if (generation !== this.generation) return;
    await this.flush();
    this.running = false;
    this.options.onBusy?.(false);
    try {
      this.options.onCommandDone?.(text, status);
    } catch {
      // Saving failed; the panel reports it. The terminal carries on.
    }
    await this.showPrompt();
  }
}
