/**
 * What shell builtins (`export`, `unset`, `history`, `env`) know about the shell running them.
 *
 * Design notes: a command sees the shell through its ShellEnv (variables, location); the
 * builtins also need which variables are exported (the environment a program gets, in the
 * order they were added), the lines typed into this shell and the functions defined in it. The shell attaches that here,
 * keyed by the variables object of the env it hands out, so every env a command can be given
 * (the interactive shell's, a subshell's copy, one with `NAME=value` prefixes) finds its own.
 */
import type { ShellEnv } from './command';
import type { CompoundCommand } from './tokenize';

export interface ShellState {
  /** Exported names, in the order they entered the environment. */
  exported: Set<string>;
  /** The lines entered in this shell, oldest first (the line running now included). */
  history(): string[];
  /** `bash` on the workstation and nodes; busybox `ash` inside pods. */
  dialect: 'bash' | 'ash';
  /** No shell made this environment: a program the container runtime started (`kubectl exec POD -- env`). */
  direct?: boolean;
  /** The shell functions defined so far (`name() { ...; }`), by name. */
  functions: Map<string, CompoundCommand>;
}

const states = new WeakMap<Record<string, string>, ShellState>();

export function attachShellState(vars: Record<string, string>, state: ShellState): void {
  states.set(vars, state);
}

/** The shell state behind `env`; a bare env (a test's) gets an empty one. */
export function shellState(env: ShellEnv): ShellState {
  let s = states.get(env.vars);
  if (!s) {
    s = { exported: new Set(), functions: new Map(), history: () => [], dialect: env.location.kind === 'pod' || env.location.kind === 'container' ? 'ash' : 'bash' };
    states.set(env.vars, s);
  }
  return s;
}

/** `NAME` as the shell accepts it in an assignment. */
export const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
