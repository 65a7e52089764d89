/**
 * `kubectl patch TYPE NAME -p PATCH`: change fields of an object in place.
 *
 * Design notes: the patch is JSON or YAML (`-p` or `--patch-file`), converted to JSON as
 * kubectl does; `--type strategic` (the default) merges the lists the API marks with merge
 * keys item by item, `merge` is RFC 7386, `json` is RFC 6902 (patch-merge.ts). The patched
 * object goes through the same path as apply (update.ts), so controllers react: a new replica
 * count scales, a new pod template rolls out, a new Service selector moves the endpoints.
 * Prints `deployment.apps/web patched`, `patched (no change)`, ` (dry run)` /
 * ` (server dry run)` with `--dry-run`, or the object with `-o`.
 * Left out: --local, -f to name the object, --subresource.
 */
import { apiView } from '../../../sim/k8s/defaults';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { readFile } from '../../../sim/files';
import { dryRunOf } from './apply';
import { resourceArgs } from './delete';
import { parseFlags, str } from './flags';
import { api, apiContext } from './mutate';
import { objectPrinter } from './object-output';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch-merge';
import { qualifiedPlural, qualifiedSingular } from './resources';
import { liveObject, sameObject, updateObject } from './update';
import { yamlToJson } from './yaml-json';

export const PATCH_FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'patch', short: 'p', type: 'string' as const },
  { name: 'patch-file', type: 'string' as const },
  { name: 'type', type: 'string' as const },
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'template', type: 'string' as const },
  { name: 'dry-run', type: 'string' as const, bare: 'unchanged' },
];

export const PATCH_USAGE = `Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.

 JSON and YAML formats are accepted.

 Note: Strategic merge patch is not supported for custom resources.

Examples:
  # Partially update a node using a strategic merge patch, specifying the patch as JSON
  kubectl patch node k8s-node-1 -p '{"spec":{"unschedulable":true}}'

  # Partially update a node using a strategic merge patch, specifying the patch as YAML
  kubectl patch node k8s-node-1 -p $'spec:\\n unschedulable: true'

  # Update a container's image; spec.containers[*].name is required because it's a merge key
  kubectl patch pod valid-pod -p '{"spec":{"containers":[{"name":"kubernetes-serve-hostname","image":"new image"}]}}'

  # Update a container's image using a JSON patch with positional arrays
  kubectl patch pod valid-pod --type='json' -p='[{"op": "replace", "path": "/spec/containers/0/image", "value":"new image"}]'

  # Update a deployment's replicas through the 'scale' subresource using a merge patch
  kubectl patch deployment nginx-deployment --subresource='scale' --type='merge' -p '{"spec":{"replicas":2}}'

Options:
      --dry-run='none': Must be "none", "server", or "client". If client strategy, only print the object that would be
sent, without sending it. If server strategy, submit server-side request without persisting the resource.
  -o, --output='': Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).
  -p, --patch='': The patch to be applied to the resource JSON file.
      --patch-file='': A file containing a patch to be applied to the resource.
      --type='strategic': The type of patch being provided; one of [json merge strategic]

Usage:
  kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [options]`;

/** kubectl's yaml.ToJSON of a patch, or its "unable to parse" error. */
function patchJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const r = yamlToJson(text);
    if (!r.ok) throw new CommandError('SYNTAX', `error: unable to parse ${JSON.stringify(text)}: ${r.error}`);
    return r.values[0] ?? null;
  }
}

export async function kubectlPatch(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, PATCH_FLAGS, 'kubectl patch');
  const type = str(flags, 'type') ?? 'strategic';
  if (!['json', 'merge', 'strategic'].includes(type)) throw new CommandError('USAGE', `error: --type must be one of [json merge strategic], not ${JSON.stringify(type)}`, 1, "See 'kubectl patch -h' for help and examples");
  const inline = str(flags, 'patch');
  const file = str(flags, 'patch-file');
  if (inline !== undefined && file !== undefined) throw new CommandError('USAGE', 'error: cannot specify --patch and --patch-file together', 1, "See 'kubectl patch -h' for help and examples");
  let text = inline ?? '';
  if (file !== undefined) {
    const f = readFile(ctx.env.sim.state, 'workstation', file);
    if (!f) throw new CommandError('NOT_FOUND', `error: unable to read patch file: open ${file}: no such file or directory`);
    text = f.content;
  }
  if (text === '') throw new CommandError('USAGE', 'error: must specify --patch or --patch-file containing the contents of the patch', 1, "See 'kubectl patch -h' for help and examples");
  const dry = dryRunOf(str(flags, 'dry-run'));
  const output = str(flags, 'output');
  const print = output !== undefined ? objectPrinter(ctx, output, str(flags, 'template')) : undefined;
  if (flags.args.length === 0) {
    throw new CommandError('USAGE', "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
  }
  const patch = patchJson(text);
  const { names } = resourceArgs(flags.args, false);
  const namespace = str(flags, 'namespace') ?? 'default';
  const apiCtx = apiContext(ctx);
  for (const { type: rt, name } of names) {
    const ref = `${qualifiedSingular(rt)}/${name}`;
    const live = liveObject(apiCtx, rt, namespace, name);
    if (!live) throw new CommandError('NOT_FOUND', `Error from server (NotFound): ${qualifiedPlural(rt)} "${name}" not found`);
    if (rt.plural === 'endpoints' || rt.plural === 'endpointslices' || rt.plural === 'events') throw new CommandError('UNSUPPORTED', `error: the sandbox does not support patching ${rt.plural}`);
    let next: unknown;
    try {
      next = type === 'json' ? jsonPatch(live, patch) : type === 'merge' ? mergePatch(live, patch) : strategicMergePatch(live, patch);
    } catch (e) {
      if (!(e instanceof PatchError)) throw e;
      throw new CommandError('INVALID', 'The request is invalid: the server rejected our request due to an error in our request');
    }
    if (!next || typeof next !== 'object' || Array.isArray(next)) throw new CommandError('INVALID', 'The request is invalid: the server rejected our request due to an error in our request');
    const unchanged = sameObject(live, next);
    const stored = unchanged ? live : api(() => updateObject(apiCtx, rt, namespace, name, next as Record<string, unknown>, dry !== 'none'));
    if (print) {
      print(apiView(apiCtx.state, stored), ref);
      continue;
    }
    const suffix = dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : '';
    ctx.stdout.write(`${ref} patched${unchanged ? ' (no change)' : suffix}\n`);
  }
  return 0;
}

