/**
 * `kubectl label`: add, change or remove labels on objects.
 *
 * Design notes: arguments are the objects (`TYPE NAME...`, `TYPE/NAME`, or a type with
 * `-l`/`--all`) followed by the changes (`key=value`, `key-`), parsed as kubectl's
 * GetResourcesAndPairs and parseLabels do, with their messages. A key that already has a
 * value is refused unless `--overwrite` (`error: 'app' already has a value (web), and
 * --overwrite is false`); removing an absent key prints `label "x" not found.`. Each object
 * prints `pod/x labeled`, `unlabeled` (only removals, without --overwrite) or `not labeled`
 * (nothing changed). Labels are what Services, ReplicaSets and DaemonSets select: relabelling
 * a pod out of its ReplicaSet's selector makes the ReplicaSet let it go and start a
 * replacement, and a Service's endpoints (derived on every read) and kube-proxy's rules
 * follow at once. Each object's failure (NotFound, a clash, the server refusing a key) is
 * kept and the others go on; the failures print at the end as kubectl's CheckErr prints its
 * aggregate (see writeErrors in mutate.ts).
 * Left out: --resource-version, --dry-run, --local, -f, labels on Endpoints and
 * EndpointSlices (their controllers own them).
 */
import { labelValueProblem, patchLabels, storedObject, type Resource } from '../../../sim/k8s/controllers';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { bool, parseFlags, str } from './flags';
import { ApiError } from '../../../sim/k8s/api';
import { apiContext, writeErrors, type ObjectError } from './mutate';
import { selectTargets } from './delete';

export const LABEL_FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'overwrite', type: 'bool' as const },
  { name: 'selector', short: 'l', type: 'string' as const },
  { name: 'all', type: 'bool' as const },
  { name: 'all-namespaces', short: 'A', type: 'bool' as const },
  { name: 'list', type: 'bool' as const },
  { name: 'output', short: 'o', type: 'string' as const },
];

export const LABEL_USAGE = `Update the labels on a resource.

  *  A label key and value must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters each.
  *  Optionally, the key can begin with a DNS subdomain prefix and a single '/', like example.com/my-app.
  *  If --overwrite is true, then existing labels can be overwritten, otherwise attempting to overwrite a label will result in an error.
  *  If --resource-version is specified, then updates will use this resource version, otherwise the existing resource-version will be used.

Examples:
  # Update pod 'foo' with the label 'unhealthy' and the value 'true'
  kubectl label pods foo unhealthy=true

  # Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting any existing value
  kubectl label --overwrite pods foo status=unhealthy

  # Update all pods in the namespace
  kubectl label pods --all status=unhealthy

  # Update pod 'foo' by removing a label named 'bar' if it exists
  # Does not require the --overwrite flag
  kubectl label pods foo bar-

Options:
      --all=false: Select all resources, in the namespace of the specified resource types
  -A, --all-namespaces=false: If true, check the specified action in all namespaces.
      --list=false: If true, display the labels for a given resource.
      --overwrite=false: If true, allow labels to be overwritten, otherwise reject label updates that overwrite existing labels.
  -l, --selector='': Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.

Usage:
  kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]`;

/** cmdutil.GetResourcesAndPairs: resources first, then `k=v` / `k-` pairs. */
function splitPairs(args: string[]): { resources: string[]; pairs: string[] } {
  const resources: string[] = [];
  const pairs: string[] = [];
  for (const a of args) {
    const pair = (a.includes('=') && a[0] !== '=') || (a.endsWith('-') && a !== '-');
    if (pair) pairs.push(a);
    else if (pairs.length > 0) throw new CommandError('USAGE', `error: all resources must be specified before label changes: ${a}`);
    else resources.push(a);
  }
  return { resources, pairs };
}

function parseChanges(pairs: string[]): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const spec of pairs) {
    if (spec.includes('=')) {
      const parts = spec.split('=');
      if (parts.length !== 2) throw new CommandError('USAGE', `error: invalid label spec: ${spec}`);
      const problem = labelValueProblem(parts[1]!);
      if (problem) throw new CommandError('INVALID', `error: invalid label value: ${JSON.stringify(spec)}: ${problem}`);
      set[parts[0]!] = parts[1]!;
    } else if (spec.endsWith('-')) remove.push(spec.slice(0, -1));
    else throw new CommandError('USAGE', `error: unknown label spec: ${spec}`);
  }
  if (remove.some((r) => r in set)) throw new CommandError('USAGE', 'error: can not both modify and remove a label in the same command');
  return { set, remove };
}

export async function kubectlLabel(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, LABEL_FLAGS, 'kubectl label');
  const { resources, pairs } = splitPairs(flags.args);
  const { set, remove } = parseChanges(pairs);
  const list = bool(flags, 'list');
  if (list && str(flags, 'output') !== undefined) throw new CommandError('USAGE', 'error: --list and --output may not be specified together');
  const all = bool(flags, 'all');
  // kubectl's builder trims the selector and ignores an empty one.
  const selectorText = str(flags, 'selector')?.trim() || undefined;
  if (all && selectorText !== undefined) throw new CommandError('USAGE', 'error: cannot set --all and --selector at the same time');
  if (resources.length === 0) throw new CommandError('USAGE', 'error: one or more resources must be specified as <resource> <name> or <resource>/<name>');
  if (Object.keys(set).length === 0 && remove.length === 0 && !list) throw new CommandError('USAGE', 'error: at least one label update is required');
  const overwrite = bool(flags, 'overwrite');
  const namespace = str(flags, 'namespace') ?? 'default';
  const allNs = bool(flags, 'all-namespaces');
  const state = ctx.env.sim.state;
  const targets = selectTargets(state, resources, { namespace, allNamespaces: allNs, all, selector: selectorText });
  const errors: ObjectError[] = [];
  const apiCtx = apiContext(ctx);
  for (const t of targets) {
    if (t.type.plural === 'endpoints' || t.type.plural === 'endpointslices') {
      errors.push(`the sandbox does not support labelling ${t.type.plural} (their controller owns them)`);
      continue;
    }
    const resource = t.type.plural as Resource;
    const obj = storedObject(state, resource, t.namespace, t.name);
    const ref = `${t.type.group ? `${t.type.singular}.${t.type.group}` : t.type.singular}/${t.name}`;
    if (!obj) {
      errors.push(new ApiError('NotFound', `${t.type.group ? `${t.type.plural}.${t.type.group}` : t.type.plural} "${t.name}" not found`));
      continue;
    }
    const have = obj.metadata.labels ?? {};
    if (list) {
      if (targets.length > 1) ctx.stdout.write(`Listing labels for ${t.type.kind}.${t.type.group}/${t.name}:\n`);
      for (const k of Object.keys(have).sort()) ctx.stdout.write(`${targets.length > 1 ? ' ' : ''}${k}=${have[k]}\n`);
      continue;
    }
    for (const r of remove) if (!(r in have)) ctx.stdout.write(`label ${JSON.stringify(r)} not found.\n`);
    if (!overwrite) {
      const clashes = Object.keys(set)
        .filter((k) => k in have)
        .sort()
        .map((k) => `'${k}' already has a value (${have[k]}), and --overwrite is false`);
      if (clashes.length) {
        errors.push(clashes);
        continue;
      }
    }
    const before = JSON.stringify(have);
    const next = { ...have, ...set };
    for (const r of remove) delete next[r];
    const after = JSON.stringify(next);
    try {
      patchLabels(apiCtx, resource, t.namespace, t.name, set, remove);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errors.push(e);
      continue;
    }
    const msg = before === after ? 'not labeled' : !overwrite && after.length < before.length ? 'unlabeled' : 'labeled';
    ctx.stdout.write(`${ref} ${msg}\n`);
  }
  writeErrors(ctx, errors);
  return errors.length ? 1 : 0;
}
