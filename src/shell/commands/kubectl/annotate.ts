/**
 * `kubectl annotate`: add, change or remove annotations on objects.
 *
 * Design notes: the objects (`TYPE NAME...`, `TYPE/NAME`, or a type with `-l`/`--all`) come
 * first, then the changes (`key=value`, `key-`), as for `label`. A key that already has a
 * different value is refused unless `--overwrite` (`error: --overwrite is false but found the
 * following declared annotation(s): 'k' already has a value (v)`), except
 * `kubernetes.io/change-cause`, which kubectl always lets through. Each object prints
 * `pod/x annotated`. The change goes through the same update path as patch (update.ts).
 * Annotations on a Deployment's pod template are not touched (kubectl annotates the object
 * itself); `kubernetes.io/change-cause` on a Deployment is what the next rollout records.
 * Left out: --resource-version, --local, -f.
 */
import { apiView } from '../../../sim/k8s/defaults';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { dryRunOf } from './apply';
import { selectTargets } from './delete';
import { bool, parseFlags, str } from './flags';
import { apiContext, writeErrors, type ObjectError } from './mutate';
import { objectPrinter } from './object-output';
import { qualifiedPlural, qualifiedSingular } from './resources';
import { liveObject, updateObject } from './update';
import { ApiError } from '../../../sim/k8s/api';

export const ANNOTATE_FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'overwrite', type: 'bool' as const },
  { name: 'selector', short: 'l', type: 'string' as const },
  { name: 'all', type: 'bool' as const },
  { name: 'all-namespaces', short: 'A', type: 'bool' as const },
  { name: 'list', type: 'bool' as const },
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'dry-run', type: 'string' as const, bare: 'unchanged' },
];

export const ANNOTATE_USAGE = `Update the annotations on one or more resources.

 All Kubernetes objects support the ability to store additional data with the object as annotations. Annotations are key/value pairs that can be larger than labels and include arbitrary string values such as structured JSON. Tools and system extensions may use annotations to store their own data.

 Attempting to set an annotation that already exists will fail unless --overwrite is set. If --resource-version is specified and does not match the current resource version on the server the command will fail.

Examples:
  # Update pod 'foo' with the annotation 'description' and the value 'my frontend'
  # If the same annotation is set multiple times, only the last value will be applied
  kubectl annotate pods foo description='my frontend'

  # Update pod 'foo' with the annotation 'description' and the value 'my frontend running nginx', overwriting any existing value
  kubectl annotate --overwrite pods foo description='my frontend running nginx'

  # Update all pods in the namespace
  kubectl annotate pods --all description='my frontend running nginx'

  # Update pod 'foo' by removing an annotation named 'description' if it exists
  # Does not require the --overwrite flag
  kubectl annotate pods foo description-

Options:
      --all=false: Select all resources, in the namespace of the specified resource types.
  -A, --all-namespaces=false: If true, check the specified action in all namespaces.
      --dry-run='none': Must be "none", "server", or "client".
      --list=false: If true, display the annotations for a given resource.
      --overwrite=false: If true, allow annotations to be overwritten, otherwise reject annotation updates that overwrite existing annotations.
  -l, --selector='': Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.

Usage:
  kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]`;

const CHANGE_CAUSE = 'kubernetes.io/change-cause';

export async function kubectlAnnotate(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, ANNOTATE_FLAGS, 'kubectl annotate');
  const resources: string[] = [];
  const pairs: string[] = [];
  for (const a of flags.args) {
    const pair = (a.includes('=') && a[0] !== '=') || (a.endsWith('-') && a !== '-');
    if (pair) pairs.push(a);
    else if (pairs.length > 0) throw new CommandError('USAGE', `error: all resources must be specified before annotation changes: ${a}`);
    else resources.push(a);
  }
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const p of pairs) {
    if (p.includes('=')) {
      const eq = p.indexOf('=');
      if (eq === 0) throw new CommandError('USAGE', `error: invalid annotation spec: ${p}`);
      set[p.slice(0, eq)] = p.slice(eq + 1);
    } else remove.push(p.slice(0, -1));
  }
  if (remove.some((r) => r in set)) throw new CommandError('USAGE', 'error: can not both modify and remove an annotation in the same command');
  const list = bool(flags, 'list');
  if (resources.length === 0) throw new CommandError('USAGE', 'error: one or more resources must be specified as <resource> <name> or <resource>/<name>');
  if (Object.keys(set).length === 0 && remove.length === 0 && !list) throw new CommandError('USAGE', 'error: at least one annotation update is required');
  const all = bool(flags, 'all');
  const selectorText = str(flags, 'selector')?.trim() || undefined;
  if (all && selectorText !== undefined) throw new CommandError('USAGE', 'error: cannot set --all and --selector at the same time');
  const dry = dryRunOf(str(flags, 'dry-run'));
  const output = str(flags, 'output');
  const print = output !== undefined ? objectPrinter(ctx, output) : undefined;
  const namespace = str(flags, 'namespace') ?? 'default';
  const allNs = bool(flags, 'all-namespaces');
  const state = ctx.env.sim.state;
  const targets = selectTargets(state, resources, { namespace, allNamespaces: allNs, all, selector: selectorText });
  const apiCtx = apiContext(ctx);
  const errors: ObjectError[] = [];
  for (const t of targets) {
    const live = liveObject(apiCtx, t.type, t.namespace, t.name);
    if (!live) {
      errors.push(new ApiError('NotFound', `${qualifiedPlural(t.type)} "${t.name}" not found`));
      continue;
    }
    const meta = live.metadata as { annotations?: Record<string, string> };
    const have = meta.annotations ?? {};
    if (list) {
      for (const k of Object.keys(have).sort()) ctx.stdout.write(`${k}=${have[k]}\n`);
      continue;
    }
    if (!bool(flags, 'overwrite')) {
      const clashes = Object.keys(set)
        .filter((k) => k !== CHANGE_CAUSE && k in have && have[k] !== set[k])
        .map((k) => `'${k}' already has a value (${have[k]})`);
      if (clashes.length) {
        errors.push(`--overwrite is false but found the following declared annotation(s): ${clashes.join('; ')}`);
        continue;
      }
    }
    const next = { ...have, ...set };
    for (const r of remove) delete next[r];
    meta.annotations = next;
    if (t.type.plural === 'endpoints' || t.type.plural === 'endpointslices' || t.type.plural === 'events') {
      errors.push(`the sandbox does not support annotating ${t.type.plural}`);
      continue;
    }
    const ref = `${qualifiedSingular(t.type)}/${t.name}`;
    let stored: unknown;
    try {
      stored = updateObject(apiCtx, t.type, t.namespace, t.name, live, dry !== 'none');
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errors.push(e);
      continue;
    }
    if (print) print(apiView(apiCtx.state, stored), ref);
    else ctx.stdout.write(`${ref} annotated${dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : ''}\n`);
  }
  writeErrors(ctx, errors);
  return errors.length ? 1 : 0;
}
