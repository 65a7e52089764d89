/**
 * `kubectl version`: the client's version, its bundled kustomize, and the API server's.
 *
 * Design notes: kubectl 1.32 bundles kustomize v5.5.0. The client is taken to be the same
 * release as the cluster. Without a server (root on a node has no kubeconfig) the client
 * lines print and then the connection error, exit status 1. `--client` skips the server;
 * `-o json|yaml` is not offered.
 */
import { DEFAULT_VERSION } from '../../../sim/cluster';
import { CommandError } from '../../errors';
import type { CommandContext } from '../../command';
import { bool, parseFlags } from './flags';

const FLAGS = [{ name: 'client', type: 'bool' as const }];

export async function kubectlVersion(ctx: CommandContext, argv: string[], server: boolean): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'kubectl version');
  if (flags.args.length > 0) throw new CommandError('USAGE', `error: unexpected arguments: [${flags.args.join(' ')}]\nSee 'kubectl version -h' for help and examples`);
  const serverVersion = ctx.env.sim.state.config.kubernetesVersion;
  ctx.stdout.write(`Client Version: ${server ? serverVersion : DEFAULT_VERSION}\nKustomize Version: v5.5.0\n`);
  if (bool(flags, 'client')) return 0;
  if (!server) throw new CommandError('EXEC_FAILED', 'The connection to the server localhost:8080 was refused - did you specify the right host or port?');
  ctx.stdout.write(`Server Version: ${serverVersion}\n`);
  return 0;
}
