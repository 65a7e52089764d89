/**
 * `help`: what this sandbox supports where the learner is.
 *
 * Design notes: bash's own `help` lists shell builtins; here it lists the registry's
 * commands available at the current location (the workstation, or inside a pod: only what
 * the pod's image ships), so the list can never disagree with what actually runs. A
 * machine reached with ssh is called a node only when it is a Kubernetes node.
 */
import type { Command, Location, ShellEnv } from '../command';
import { imageAt } from '../images';
import { formatColumns } from '../table';

/** `available` lists what the registry runs at a location (in a pod: for its image). */
export function helpCommand(available: (location: Location, image: string, env: ShellEnv) => Command[]): Command {
  return {
    name: 'help',
    summary: 'list the commands this sandbox supports here',
    usage: 'help: help\n    List the commands this sandbox supports where you are.',
    where: ['workstation', 'node', 'pod'],
    async run(ctx) {
      const loc = ctx.env.location;
      const cmds = available(loc, imageAt(ctx.env.sim, loc), ctx.env);
      if (!cmds.includes(this)) cmds.push(this);
      cmds.sort((a, b) => a.name.localeCompare(b.name));
      const where = loc.kind === 'workstation' ? 'your workstation' : loc.kind === 'node' ? (ctx.env.sim.state.k8s.nodes[loc.node] ? `node ${loc.node}` : loc.node) : loc.kind === 'container' ? `container ${loc.id.slice(0, 12)}` : `pod ${loc.pod}`;
      ctx.stdout.write(`Commands available on ${where}:\n\n`);
      ctx.stdout.write(formatColumns(cmds.map((c) => [`  ${c.name}`, c.summary]), { minWidth: 0, padding: 2 }));
      ctx.stdout.write(`\nType COMMAND --help for details. Tab completes commands, resource types and names.\n`);
      return 0;
    },
  };
}
