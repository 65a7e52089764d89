/**
 * `kubectl delete`: remove objects by type and name, `TYPE/NAME`, label selector, `--all`,
 * or the objects a manifest describes (`-f FILE|-`).
 *
 * Design notes: each object found is deleted and printed as `pod "x" deleted`
 * (`deployment.apps "web" deleted`); names that do not exist print NotFound errors after the
 * others, and the exit status is then 1. A selector or `--all` that matches nothing prints
 * `No resources found` (to standard output, as kubectl does). What follows a deletion is the
 * controllers' work (k8s/controllers.ts): a ReplicaSet replaces a deleted pod at once (new
 * name, new address), a deleted Deployment takes its ReplicaSet and pods with it, a deleted
 * Service frees its ClusterIP and its kube-proxy rules go. Deletion is immediate: kubectl
 * returns when the object is gone, and the sandbox has no Terminating phase or grace period.
 * `--force --grace-period=0` prints kubectl's warning and `force deleted`.
 * Left out: --cascade=orphan|foreground (background only), --dry-run, --raw, -i.
 */
import { matches, type Requirement } from '../../../sim/k8s/labels';
import { ApiError } from '../../../sim/k8s/api';
import { canDelete, deleteObject, type Resource } from '../../../sim/k8s/controllers';
import { ManifestError } from '../../../sim/k8s/manifests';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { bool, parseFlags, str } from './flags';
import { apiContext, apiErrorText, readManifests } from './mutate';
import { isRealResource, resolveResource, supportedList, selectorFor, type ResourceType } from './resources';

export const DELETE_FLAGS = [
  { name: 'filename', short: 'f', type: 'string' as const },
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'selector', short: 'l', type: 'string' as const },
  { name: 'all', type: 'bool' as const },
  { name: 'all-namespaces', short: 'A', type: 'bool' as const },
  { name: 'force', type: 'bool' as const },
  { name: 'grace-period', type: 'int' as const },
  { name: 'now', type: 'bool' as const },
  { name: 'wait', type: 'bool' as const },
  { name: 'ignore-not-found', type: 'bool' as const },
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'cascade', type: 'string' as const },
];

export const DELETE_USAGE = `Delete resources by file names, stdin, resources and names, or by resources and label selector.

 JSON and YAML formats are accepted. Only one type of argument may be specified: file names, resources and names, or resources and label selector.

Examples:
  # Delete a pod using the type and name specified in pod.json
  kubectl delete -f ./pod.json

  # Delete pods and services with same names "baz" and "foo"
  kubectl delete pod,service baz foo

  # Delete pods and services with label name=myLabel
  kubectl delete pods,services -l name=myLabel

  # Delete a pod with minimal delay
  kubectl delete pod foo --now

  # Delete all pods
  kubectl delete pods --all

Options:
      --all=false: Delete all resources, in the namespace of the specified resource types.
  -A, --all-namespaces=false: If present, list the requested object(s) across all namespaces.
  -f, --filename=[]: containing the resource to delete.
      --force=false: If true, immediately remove resources from API and bypass graceful deletion.
      --grace-period=-1: Period of time in seconds given to the resource to terminate gracefully.
      --ignore-not-found=false: Treat "resource not found" as a successful delete.
      --now=false: If true, resources are signaled for immediate shutdown (same as --grace-period=1).
  -o, --output='': Output mode. Use "-o name" for shorter output (resource/name).
  -l, --selector='': Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.

Usage:
  kubectl delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)]) [options]`;

export const NO_RESOURCES = `error: You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'`;

interface Target {
  type: ResourceType;
  namespace: string;
  name: string;
  /** The file it came from (for `error when deleting "x.yaml"`). */
  source?: string;
}

export function lookupType(text: string): ResourceType {
  const t = resolveResource(text);
  if (t) return t;
  if (isRealResource(text)) throw new CommandError('UNSUPPORTED', `error: the sandbox does not support "${text}" yet (it supports ${supportedList()})`);
  throw new CommandError('NOT_FOUND', `error: the server doesn't have a resource type "${text}"`);
}

/** `pod`, `deployment.apps`: how kubectl names a kind in `pod "x" deleted`. */
function kindString(t: ResourceType): string {
  const kind = t.kind.toLowerCase();
  return t.group ? `${kind}.${t.group}` : kind;
}

/**
 * kubectl's ResourceTypeOrNameArgs: `TYPE NAME...`, `TYPE/NAME...`, or `TYPE[,TYPE]` with a
 * selector or `--all`. Returns the types and the names (empty when selecting).
 */
export function resourceArgs(args: string[], selecting: boolean): { types: ResourceType[]; names: { type: ResourceType; name: string }[] } {
  if (args.some((a) => a.includes('/'))) {
    const names = args.map((a) => {
      const slash = a.indexOf('/');
      if (slash < 0) throw new CommandError('USAGE', `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
      return { type: lookupType(a.slice(0, slash)), name: a.slice(slash + 1) };
    });
    return { types: [...new Set(names.map((n) => n.type))], names };
  }
  const types = [...new Set(args[0]!.split(',').filter((t) => t !== '').map(lookupType))];
  const rest = args.slice(1);
  if (rest.length === 0) {
    if (!selecting) throw new CommandError('USAGE', 'error: resource(s) were provided, but no name was specified');
    return { types, names: [] };
  }
  return { types, names: types.flatMap((type) => rest.map((name) => ({ type, name }))) };
}

/**
 * The objects `kubectl label` and `kubectl annotate` act on: the names given (TYPE NAME...,
 * TYPE/NAME...), or with `--all` / `-l` every object of the types in the namespace (or all
 * namespaces), sorted by namespace and name as the server lists them.
 */
export function selectTargets(state: CommandContext['env']['sim']['state'], resources: string[], o: { namespace: string; allNamespaces: boolean; all: boolean; selector: string | undefined }): { type: ResourceType; namespace: string; name: string }[] {
  const { types, names } = resourceArgs(resources, o.all || o.selector !== undefined);
  const selector: Requirement[] = o.selector !== undefined ? selectorFor(types[0]!, o.selector) : [];
  if (names.length) return names.map((n) => ({ type: n.type, namespace: n.type.namespaced ? o.namespace : '', name: n.name }));
  return types.flatMap((type) =>
    type
      .list(state)
      .filter((x) => (!type.namespaced || o.allNamespaces || x.metadata.namespace === o.namespace) && matches(selector, x.metadata.labels))
      .sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name))
      .map((x) => ({ type, namespace: x.metadata.namespace ?? '', name: x.metadata.name })),
  );
}

export async function kubectlDelete(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, DELETE_FLAGS, 'kubectl delete');
  const output = str(flags, 'output');
  if (output !== undefined && output !== 'name') throw new CommandError('USAGE', `error: unexpected -o output mode: ${output}. We only support '-o name'`);
  // kubectl's builder trims the selector and ignores an empty one.
  const selectorText = str(flags, 'selector')?.trim() || undefined;
  const all = bool(flags, 'all');
  if (all && selectorText !== undefined) throw new CommandError('USAGE', 'error: cannot set --all and --selector at the same time');
  const nsFlag = str(flags, 'namespace');
  const namespace = nsFlag ?? 'default';
  const allNs = bool(flags, 'all-namespaces');
  const files = flags.lists['filename'] ?? [];
  let grace = Number(str(flags, 'grace-period') ?? '-1');
  const force = bool(flags, 'force');
  if (bool(flags, 'now')) {
    if (grace !== -1) throw new CommandError('USAGE', 'error: --now and --grace-period cannot be specified together');
    grace = 1;
  }
  if (grace === 0 && !force) grace = 1;
  if (force && grace < 0) grace = 0;
  if (force && grace > 0) throw new CommandError('USAGE', 'error: --force and --grace-period greater than 0 cannot be specified together');
  const cascade = str(flags, 'cascade');
  if (cascade !== undefined && !['background', 'true'].includes(cascade)) {
    if (['orphan', 'foreground', 'false'].includes(cascade)) throw new CommandError('UNSUPPORTED', `error: the sandbox does not support --cascade=${cascade} yet (deletion is background cascading)`);
    throw new CommandError('USAGE', `error: invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan"`);
  }
  let selector: Requirement[] = [];
  const selecting = all || selectorText !== undefined;

  // Resolve everything first (kubectl's builder), then delete one by one.
  const targets: Target[] = [];
  const errors: string[] = [];
  const state = ctx.env.sim.state;
  if (files.length > 0) {
    if (flags.args.length > 0) throw new CommandError('USAGE', 'error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well');
    for (const d of readManifests(ctx, files)) {
      const items = (d.obj as { kind?: string; items?: unknown[] })?.kind === 'List' ? ((d.obj as { items: unknown[] }).items ?? []) : [d.obj];
      for (const item of items) {
        const o = item as { kind?: string; metadata?: { name?: string; namespace?: string } };
        const type = resolveResource(String(o?.kind ?? ''));
        if (!type || !o.metadata?.name) throw new CommandError('INVALID', `error: unable to recognize "${d.source}": no matches for kind "${String(o?.kind ?? '')}"`);
        targets.push({ type, namespace: type.namespaced ? (o.metadata.namespace ?? namespace) : '', name: o.metadata.name, source: d.source });
      }
    }
  } else {
    if (flags.args.length === 0) throw new CommandError('USAGE', NO_RESOURCES);
    const { types, names } = resourceArgs(flags.args, selecting);
    if (names.length > 0 && selecting) throw new CommandError('USAGE', 'error: name cannot be provided when a selector is specified');
    if (selectorText !== undefined) selector = selectorFor(types[0]!, selectorText);
    if (names.length > 0) {
      for (const n of names) targets.push({ type: n.type, namespace: n.type.namespaced ? namespace : '', name: n.name });
    } else {
      for (const type of types) {
        const items = type
          .list(state)
          .filter((o) => (!type.namespaced || allNs || o.metadata.namespace === namespace) && matches(selector, o.metadata.labels))
          .sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
        for (const o of items) targets.push({ type, namespace: o.metadata.namespace ?? '', name: o.metadata.name });
      }
    }
  }

  if (force && grace === 0) ctx.stderr.write('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  const ignoreNotFound = bool(flags, 'ignore-not-found') || (selecting && flags.values['ignore-not-found'] === undefined);
  const apiCtx = apiContext(ctx);
  let warnedScope = false;
  let found = 0;
  for (const t of targets) {
    const resource = t.type.plural as Resource;
    const problem = canDelete(state, resource, t.namespace, t.name);
    if (problem?.reason === 'NotFound' && ignoreNotFound) continue;
    found++;
    if (nsFlag !== undefined && !allNs && !t.type.namespaced && !warnedScope) {
      ctx.stderr.write('warning: deleting cluster-scoped resources, not scoped to the provided namespace\n');
      warnedScope = true;
    }
    if (problem) {
      errors.push(errorLine(problem, t));
      continue;
    }
    try {
      deleteObject(apiCtx, resource, t.namespace, t.name);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errors.push(e.reason === 'BadRequest' ? `error: ${e.message}` : errorLine(e, t));
      continue;
    }
    ctx.stdout.write(output === 'name' ? `${kindString(t.type)}/${t.name}\n` : `${kindString(t.type)} "${t.name}" ${grace === 0 ? 'force deleted' : 'deleted'}\n`);
  }
  for (const e of errors) ctx.stderr.write(e + '\n');
  if (found === 0 && errors.length === 0) ctx.stdout.write('No resources found\n');
  return errors.length > 0 ? 1 : 0;
}

function errorLine(e: ApiError, t: Target): string {
  if (e instanceof ManifestError) return e.text;
  if (t.source && e.reason !== 'Invalid') return `Error from server (${e.reason}): error when deleting "${t.source}": ${e.message}`;
  return apiErrorText(e);
}
