/**
 * `true` and `false`: the builtins that only return a status (0 and 1).
 *
 * Design notes: like bash's, they take no options: every argument, `--help` included, is
 * ignored.
 */
import type { Builtin } from './builtin';

export const trueCommand: Builtin = {
  name: 'true',
  builtin: true,
  summary: 'do nothing, successfully (status 0)',
  usage: 'true: true\n    Return a successful result.\n    \n    Exit Status:\n    Always succeeds.',
  where: ['workstation', 'node', 'pod'],
  async run() {
    return 0;
  },
};

export const falseCommand: Builtin = {
  name: 'false',
  builtin: true,
  summary: 'do nothing, unsuccessfully (status 1)',
  usage: 'false: false\n    Return an unsuccessful result.\n    \n    Exit Status:\n    Always fails.',
  where: ['workstation', 'node', 'pod'],
  async run() {
    return 1;
  },
};
