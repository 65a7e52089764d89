/**
 * `exit`: leaves a shell opened with `kubectl exec -it POD -- sh`.
 *
 * Design notes: on the workstation the learner's own shell cannot be closed (the terminal
 * would be gone), so it says how to reset instead.
 */
import type { Command } from '../command';
import { WORKSTATION_LOCATION } from '../location';
import { leaveContainer } from './docker/container';

export const exit: Command = {
  name: 'exit',
  summary: 'leave a shell inside a pod, a container or on a node',
  usage: 'exit: exit [n]\n    Exit the shell with a status of N.',
  where: ['workstation', 'node', 'pod'],
  hidden: true,
  async run(ctx) {
    const n = ctx.argv[1] !== undefined ? Number(ctx.argv[1]) & 255 : 0;
    if (ctx.env.location.kind === 'workstation') {
      ctx.stderr.write('exit: this terminal stays open; use the Reset button to start the lab again\n');
      return 1;
    }
    // A Docker container's shell returns to its host; when it was the container's own process, the container ends.
    if (ctx.env.location.kind === 'container') return leaveContainer(ctx, Number.isNaN(n) ? 0 : n);
    if (ctx.env.location.kind === 'node') ctx.stdout.write(`logout\nConnection to ${ctx.env.location.node} closed.\n`);
    ctx.enter(WORKSTATION_LOCATION);
    return Number.isNaN(n) ? 0 : n;
  },
};
