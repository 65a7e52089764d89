/**
 * `help`: what this sandbox supports where the learner is.
 *
 * Design notes: bash's own `help` lists shell builtins; here it lists the registry's
 * commands available at the current location (the workstation, or inside a pod: only what
 * the pod's image ships), so the list can never disagree with what actually runs.
 */
import type { Command } from '../command';
import { imageHas } from '../images';
import { formatColumns } from '../table';

export function helpCommand(list: () => Command[]): Command {
  return {
    name: 'help',
    summary: 'list the commands this sandbox supports here',
    usage: 'help: help\n    List the commands this sandbox supports where you are.',
    where: ['workstation', 'node', 'pod'],
    async run(ctx) {
      const loc = ctx.env.location;
      let cmds = list().filter((c) => c.where.includes(loc.kind) && !c.hidden);
      if (loc.kind === 'pod') {
        const image = ctx.env.sim.pod(loc.namespace, loc.pod)?.spec.containers.find((c) => c.name === loc.container)?.image ?? '';
        cmds = cmds.filter((c) => c.name === 'help' || imageHas(image, c.name));
      }
      const where = loc.kind === 'workstation' ? 'your workstation' : loc.kind === 'node' ? `node ${loc.node}` : `pod ${loc.pod}`;
      ctx.stdout.write(`Commands available on ${where}:\n\n`);
      ctx.stdout.write(formatColumns(cmds.map((c) => [`  ${c.name}`, c.summary]), { minWidth: 0, padding: 2 }));
      ctx.stdout.write(`\nType COMMAND --help for details. Tab completes commands, resource types and names.\n`);
      return 0;
    },
  };
}
