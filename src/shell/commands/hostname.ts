/**
 * `hostname`: prints the host name; inside a pod that is the pod's name.
 *
 * Design notes: the kubelet sets a pod's UTS hostname to the pod name (or spec.hostname);
 * host-network pods see their node's name; a Docker container's is its short id.
 */
import type { Command } from '../command';

export const hostname: Command = {
  name: 'hostname',
  summary: 'print the host name (a pod\'s host name is its name)',
  usage: 'Usage: hostname\n\nShow the host name.',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const loc = ctx.env.location;
    ctx.stdout.write((loc.kind === 'workstation' ? loc.host : loc.kind === 'node' ? loc.node : loc.kind === 'container' ? loc.id.slice(0, 12) : loc.pod) + '\n');
    return 0;
  },
};
