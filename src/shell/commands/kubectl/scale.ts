/**
 * `kubectl scale`: set a Deployment's or ReplicaSet's replica count.
 *
 * Design notes: `deployment/web`, `deployment web` or `deploy web`, with `--replicas=N`
 * (required, >= 0) and the optional `--current-replicas` precondition. The controllers then
 * create or delete pods at once (k8s/controllers.ts): new pods are scheduled on the node with
 * the fewest pods and take the next address of that node's range; scaling down removes pods
 * by the ReplicaSet controller's ranking (pods doubled up on a node first, then the newest).
 * Scaling a ReplicaSet that a Deployment owns is undone by the Deployment controller, as on
 * a real cluster. Types without a scale subresource get the server's NotFound. As kubectl, the
 * objects are looked up first (missing ones are reported last), then scaled in order until
 * the first refusal (no scale subresource, failed --current-replicas), which ends the command.
 * Left out: StatefulSets and ReplicationControllers (not modelled), --timeout, -l, --all.
 */
import { scaleObject } from '../../../sim/k8s/controllers';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseFlags, str } from './flags';
import { api, apiContext } from './mutate';
import { resourceArgs } from './delete';
import { qualifiedPlural, type AnyObject, type ResourceType } from './resources';

export const SCALE_FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'replicas', type: 'int' as const },
  { name: 'current-replicas', type: 'int' as const },
  { name: 'output', short: 'o', type: 'string' as const },
];

export const SCALE_USAGE = `Set a new size for a deployment, replica set, replication controller, or stateful set.

 Scale also allows users to specify one or more preconditions for the scale action.

 If --current-replicas or --resource-version is specified, it is validated before the scale is attempted, and it is guaranteed that the precondition holds true when the scale is sent to the server.

Examples:
  # Scale a replica set named 'foo' to 3
  kubectl scale --replicas=3 rs/foo

  # If the deployment named mysql's current size is 2, scale mysql to 3
  kubectl scale --current-replicas=2 --replicas=3 deployment/mysql

Options:
      --current-replicas=-1: Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.
      --replicas=0: The new desired number of replicas. Required.

Usage:
  kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]`;

export async function kubectlScale(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, SCALE_FLAGS, 'kubectl scale');
  const replicasText = str(flags, 'replicas');
  if (replicasText === undefined) throw new CommandError('USAGE', 'error: required flag(s) "replicas" not set');
  const replicas = Number(replicasText);
  if (replicas < 0) throw new CommandError('USAGE', 'error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  const current = Number(str(flags, 'current-replicas') ?? '-1');
  if (current < -1) throw new CommandError('USAGE', 'error: The --current-replicas must specify an integer of -1 or greater');
  const output = str(flags, 'output');
  if (output !== undefined && output !== 'name') throw new CommandError('UNSUPPORTED', `error: the sandbox does not support -o ${output} for scale (supported: name)`);
  if (flags.args.length === 0) {
    throw new CommandError('USAGE', "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
  }
  const { names } = resourceArgs(flags.args, false);
  const namespace = str(flags, 'namespace') ?? 'default';
  const state = ctx.env.sim.state;
  // kubectl's builder fetches every object first; those not found are reported after the rest.
  const notFound: string[] = [];
  const found: { type: ResourceType; name: string; obj: AnyObject }[] = [];
  for (const { type, name } of names) {
    const obj = type.list(state).find((o) => o.metadata.name === name && (!type.namespaced || o.metadata.namespace === namespace));
    if (obj) found.push({ type, name, obj });
    else notFound.push(`Error from server (NotFound): ${qualifiedPlural(type)} "${name}" not found`);
  }
  // Then it scales them in order and returns at the first refusal, dropping the NotFound errors.
  for (const { type, name, obj } of found) {
    if (type.plural !== 'deployments' && type.plural !== 'replicasets') {
      ctx.stderr.write('Error from server (NotFound): the server could not find the requested resource\n');
      return 1;
    }
    const replicasNow = (obj as unknown as { spec: { replicas: number } }).spec.replicas;
    if (current !== -1 && replicasNow !== current) {
      ctx.stderr.write(`error: Expected replicas to be ${current}, was ${replicasNow}\n`);
      return 1;
    }
    api(() => scaleObject(apiContext(ctx), type.plural as 'deployments' | 'replicasets', namespace, name, replicas));
    ctx.stdout.write(output === 'name' ? `${type.singular}.apps/${name}\n` : `${type.singular}.apps/${name} scaled\n`);
  }
  for (const e of notFound) ctx.stderr.write(e + '\n');
  return notFound.length ? 1 : 0;
}
