/**
 * Typed command errors.
 *
 * Design notes: a command that fails throws (or returns) a CommandError carrying a stable
 * code, the exit status the real tool would return and the message exactly as the real tool
 * prints it (kubectl's `error: ...` and `Error from server (NotFound): ...`, bash's
 * `bash: x: command not found`). The shell prints the message to stderr and sets `$?`;
 * nothing else about a failure reaches the terminal, and a failed command never changes the
 * sandbox.
 */

export type ErrorCode =
  | 'COMMAND_NOT_FOUND'
  | 'USAGE'
  | 'UNKNOWN_FLAG'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID'
  | 'UNSUPPORTED'
  | 'EXEC_FAILED'
  | 'SYNTAX';

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly code: ErrorCode,
    /** The text the real tool prints to stderr (without the final newline). */
    message: string,
    readonly exitCode = 1,
    /** A short suggestion shown by tools that give one (kubectl's "See '...' for usage."). */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** `bash: <name>: command not found`, exit 127. */
export function commandNotFound(shell: string, name: string, line?: number): CommandError {
  // A name with a slash is a path: bash does not search PATH for it.
  if (shell === 'bash') return new CommandError('COMMAND_NOT_FOUND', name.includes('/') ? `bash: ${name}: No such file or directory` : `bash: ${name}: command not found`, 127);
  // dash (Debian images' sh) names the input line: `sh: 2: ping: not found`.
  if (shell === 'dash') return new CommandError('COMMAND_NOT_FOUND', `sh: ${line ?? 1}: ${name}: not found`, 127);
  return new CommandError('COMMAND_NOT_FOUND', `${shell}: ${name}: not found`, 127);
}
