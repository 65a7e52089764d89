/**
 * The narrow interface between a lab session and whatever shows it.
 *
 * Design notes: the browser terminal, the `npm run shell` CLI and the tests all drive a
 * session through these few calls and nothing else: run a line, interrupt it, ask for
 * completions, read the prompt and the task list, answer a task, listen for changes, and
 * take or restore a snapshot. Extra terminals (`openTerminal`) share the sandbox and the
 * tasks but each has its own shell. Output is plain text with `\n` line ends (a terminal
 * front end converts them); colour is added by the front end, never by commands.
 */

import type { OutputSink } from '../shell/command';

export type { OutputSink };

export type TaskStatus = 'pending' | 'passed' | 'failed';

/** One task as the lab panel shows it, with the learner's names and addresses filled in. */
export interface TaskView {
  id: string;
  title: string;
  /** Markdown-free plain text with `code` spans kept as backticks. */
  description: string;
  status: TaskStatus;
  /** Why the task passed or failed, explained from the model; empty while pending. */
  feedback: string;
  /** True when the task takes a typed answer (`answer <id> <value>` or the panel field). */
  takesAnswer: boolean;
  points: number;
}

export type SessionEvent =
  | { type: 'task'; task: TaskView }
  | { type: 'prompt'; prompt: string }
  | { type: 'state' };

export interface Completion {
  /** Index in the line where the word being completed starts. */
  from: number;
  /** Full replacement words for line[from..cursor]; one candidate means complete it. */
  candidates: string[];
}

export interface SessionSnapshot {
  /** Bumped whenever the snapshot's shape changes; older snapshots are migrated or refused. */
  format: number;
  labId: string;
  seed: number;
  [key: string]: unknown;
}

/**
 * One terminal on the lab's sandbox: its own shell (location, variables, history, running
 * command) over the session's shared cluster. One command at a time per terminal.
 */
export interface TerminalApi {
  /** The prompt to show before the next line, e.g. `learner@workstation:~$ `. */
  prompt(): string;
  /** Runs one input line; resolves with its exit status when it has finished. */
  run(line: string, stdout: OutputSink, stderr: OutputSink): Promise<number>;
  /** Ctrl+C: stops the running command (its summary lines are still printed). */
  interrupt(): void;
  complete(line: string, cursor: number): Completion;
  /** True when `text` leaves a command open (a quote, a final `|`, a here-document). */
  needsMore(text: string): boolean;
  /** Lines entered so far in this terminal, oldest first. */
  history(): string[];
  /** Session events; only the main terminal gets `prompt` events. */
  subscribe(listener: (e: SessionEvent) => void): () => void;
}

export interface LabSessionApi extends TerminalApi {
  readonly labId: string;
  readonly seed: number;
  /**
   * Another terminal on the same sandbox, starting at the workstation. Its commands are
   * graded like the main terminal's; it is not part of the snapshot.
   */
  openTerminal(): TerminalApi;
  tasks(): TaskView[];
  /** Submits a typed answer from the panel; returns the task's new view. */
  answer(taskId: string, value: string): TaskView;
  snapshot(): SessionSnapshot;
}
