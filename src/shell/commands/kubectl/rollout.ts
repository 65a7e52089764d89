/**
 * `kubectl rollout status deployment/NAME`: waits until a Deployment's pods are available.
 *
 * Design notes: kubectl watches the Deployment and prints its DeploymentStatusViewer's line
 * for each change: `Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas
 * are available...` while pods start, `... N out of M new replicas have been updated...`
 * while the ReplicaSet is short of pods, and `deployment "web" successfully rolled out` at the
 * end (status 0). The sandbox has no watch stream: the command checks once a second of
 * sandbox time, letting the scheduler and kubelets catch up first (sim/k8s/kubelet.ts), and
 * prints a line when it differs from the last one. Ctrl+C ends it with status 1. A
 * Deployment whose pods cannot be scheduled waits until Ctrl+C (a real one gives up after its
 * progressDeadlineSeconds, 600 s, with `error: deployment "web" exceeded its progress
 * deadline`).
 * Left out: `history`, `undo`, `restart`, `pause` and `resume` (there are no rolling
 * updates), DaemonSets and StatefulSets, `--revision`, `--timeout`, `-w=false`.
 */
import { kubeletSync } from '../../../sim/k8s/kubelet';
import type { Deployment } from '../../../sim/k8s/types';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseFlags, str } from './flags';
import { apiContext } from './mutate';

export const ROLLOUT_USAGE = `Manage the rollout of one or many resources.

Available Commands:
  status        Show the status of the rollout

Examples:
  # Watch the rollout status of a deployment
  kubectl rollout status deployment/web

Usage:
  kubectl rollout SUBCOMMAND [options]

(This sandbox supports rollout status for Deployments.)`;

const FLAGS = [{ name: 'namespace', short: 'n', type: 'string' as const }];

/** kubectl's DeploymentStatusViewer: the line to print and whether the rollout is done. */
export function deploymentRolloutStatus(d: Deployment): { line: string; done: boolean } {
  const name = d.metadata.name;
  const s = d.status;
  if (d.metadata.generation > s.observedGeneration) return { line: 'Waiting for deployment spec update to be observed...\n', done: false };
  if (s.updatedReplicas < d.spec.replicas) return { line: `Waiting for deployment "${name}" rollout to finish: ${s.updatedReplicas} out of ${d.spec.replicas} new replicas have been updated...\n`, done: false };
  if (s.replicas > s.updatedReplicas) return { line: `Waiting for deployment "${name}" rollout to finish: ${s.replicas - s.updatedReplicas} old replicas are pending termination...\n`, done: false };
  if (s.availableReplicas < s.updatedReplicas) return { line: `Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas} of ${s.updatedReplicas} updated replicas are available...\n`, done: false };
  return { line: `deployment "${name}" successfully rolled out\n`, done: true };
}

export async function kubectlRollout(ctx: CommandContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) {
    ctx.stdout.write(ROLLOUT_USAGE + '\n');
    return 0;
  }
  if (sub !== 'status') {
    if (['history', 'undo', 'restart', 'pause', 'resume'].includes(sub)) throw new CommandError('UNSUPPORTED', `error: the sandbox does not support kubectl rollout ${sub} yet (there are no rolling updates)`);
    throw new CommandError('USAGE', `error: unknown command "${sub}" for "kubectl rollout"`, 1, "Run 'kubectl rollout --help' for usage.");
  }
  const flags = parseFlags(rest, FLAGS, 'kubectl rollout status');
  const namespace = str(flags, 'namespace') ?? 'default';
  const args = flags.args.flatMap((a) => (a.includes('/') ? a.split('/') : [a]));
  if (args.length === 0) throw new CommandError('USAGE', 'error: required resource not specified');
  const [type, name] = args;
  if (!['deployment', 'deployments', 'deploy', 'deployment.apps'].includes(type!)) throw new CommandError('UNSUPPORTED', `error: the sandbox supports rollout status for deployments only`);
  if (!name) throw new CommandError('USAGE', 'error: rollout status requires a resource name');
  const k8s = ctx.env.sim.state.k8s;
  let last = '';
  ctx.endless();
  for (;;) {
    kubeletSync(apiContext(ctx));
    const d = k8s.deployments[`${namespace}/${name}`];
    if (!d) throw new CommandError('NOT_FOUND', `Error from server (NotFound): deployments.apps "${name}" not found`);
    const { line, done } = deploymentRolloutStatus(d);
    if (line !== last) ctx.stdout.write(line);
    last = line;
    if (done) return 0;
    if (!(await ctx.sleep(1000))) return 1;
  }
}
