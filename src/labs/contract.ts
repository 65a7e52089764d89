/**
 * The narrow interface between a lab session and whatever shows it.
 *
 * Design notes: the browser terminal, the `npm run shell` CLI and the tests all drive a
 * session through these few calls and nothing else: run a line, interrupt it, ask for
 * completions, read the prompt and the task list, answer a task, listen for changes, and
 * take or restore a snapshot. Output is plain text with `\n` line ends (a terminal
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

export interface LabSessionApi {
  readonly labId: string;
  readonly seed: number;
  /** The prompt to show before the next line, e.g. `learner@workstation:~$ `. */
  prompt(): string;
  /** Runs one input line; resolves with its exit status when it has finished. */
  run(line: string, stdout: OutputSink, stderr: OutputSink): Promise<number>;
  /** Ctrl+C: stops the running command (its summary lines are still printed). */
  interrupt(): void;
  complete(line: string, cursor: number): Completion;
  tasks(): TaskView[];
  /** Submits a typed answer from the panel; returns the task's new view. */
  answer(taskId: string, value: string): TaskView;
  /** Lines entered so far, oldest first. */
  history(): string[];
  subscribe(listener: (e: SessionEvent) => void): () => void;
  snapshot(): SessionSnapshot;
}
