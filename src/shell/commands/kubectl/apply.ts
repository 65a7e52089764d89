/**
 * `kubectl apply -f FILE|DIR|-`: create or update objects from manifests.
 *
 * Design notes: reads YAML (several documents separated by `---`) or JSON, also `kind: List`,
 * from the workstation's files or standard input (`-f -`, as in
 * `kubectl get deploy web -o yaml | kubectl apply -f -`), then applies every document as
 * k8s/manifests.ts describes, printing `deployment.apps/web created`, `configured` or
 * `unchanged` per object, and kubectl's warning for objects created without apply. All or
 * nothing: a failing document leaves the cluster as it was and prints only its error (real
 * kubectl applies the documents before the failing one).
 * Left out: --prune, --server-side, --dry-run, -k (kustomize), URLs.
 */
import { applyManifests } from '../../../sim/k8s/manifests';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseFlags, str } from './flags';
import { api, apiContext, readManifests } from './mutate';

export const APPLY_FLAGS = [
  { name: 'filename', short: 'f', type: 'string' as const },
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'validate', type: 'string' as const },
  { name: 'recursive', short: 'R', type: 'bool' as const },
];

export const APPLY_USAGE = `Apply a configuration to a resource by file name or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet. To use 'apply', always create the resource initially with either 'apply' or 'create --save-config'.

 JSON and YAML formats are accepted.

Examples:
  # Apply the configuration in pod.json to a pod
  kubectl apply -f ./pod.json

  # Apply the JSON passed into stdin to a pod
  cat pod.json | kubectl apply -f -

Options:
  -f, --filename=[]: The files that contain the configurations to apply.
  -n, --namespace='': If present, the namespace scope for this CLI request.
  -o, --output='': Output format. One of: (name).

Usage:
  kubectl apply (-f FILENAME | -k DIRECTORY) [options]`;

export async function kubectlApply(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, APPLY_FLAGS, 'kubectl apply');
  const files = flags.lists['filename'] ?? [];
  const output = str(flags, 'output');
  if (output !== undefined && output !== 'name') throw new CommandError('UNSUPPORTED', `error: the sandbox does not support -o ${output} for apply (supported: name)`);
  if (files.length === 0) throw new CommandError('USAGE', 'error: must specify one of -f and -k');
  if (flags.args.length > 0) throw new CommandError('USAGE', `error: Unexpected args: [${flags.args.join(' ')}]`, 1, "See 'kubectl apply -h' for help and examples");
  const docs = readManifests(ctx, files);
  if (docs.length === 0) throw new CommandError('USAGE', 'error: no objects passed to apply');
  const namespace = str(flags, 'namespace');
  const results = api(() => applyManifests(apiContext(ctx), docs, { namespace: namespace ?? 'default', enforceNamespace: namespace !== undefined, mode: 'apply' }));
  for (const r of results) {
    if (r.warning) ctx.stderr.write(r.warning + '\n');
    ctx.stdout.write(output === 'name' ? `${r.ref}\n` : `${r.ref} ${r.action}\n`);
  }
  return 0;
}
