/**
 * `kubectl api-resources`: the resource types the API server serves, with their short names.
 *
 * Design notes: the columns are kubectl v1.32's (NAME SHORTNAMES APIVERSION NAMESPACED KIND,
 * and VERBS CATEGORIES with `-o wide`), through the tabwriter, sorted as kubectl's
 * sortableResource does: by API group (the core group first) and then by name, or by name or
 * kind with `--sort-by`. The list is a v1.32 kubeadm server's discovery: the kinds the sandbox
 * models and those it does not (sim/k8s/unmodelled.ts), since a real server serves them all.
 * `-o name` prints `plural.group` per line (plain `plural` for the core group);
 * `--namespaced=true|false`, `--api-group`, `--verbs` and `--categories` filter.
 */
import { CommandError } from '../../errors';
import { KUBECTL_COLUMNS } from '../../table';
import { goTabwriter } from './describe-format';
import type { CommandContext } from '../../command';
import { parseFlags, str } from './flags';
import { STANDARD_VERBS, UNMODELLED, type ResourceNames } from '../../../sim/k8s/unmodelled';
import { RESOURCES } from './resources';

const FLAGS = [
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'namespaced', type: 'string' as const },
  { name: 'no-headers', type: 'bool' as const },
  { name: 'api-group', type: 'string' as const },
  { name: 'sort-by', type: 'string' as const },
  { name: 'verbs', type: 'string' as const },
  { name: 'categories', type: 'string' as const },
  { name: 'cached', type: 'bool' as const },
];

export async function kubectlApiResources(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'kubectl api-resources');
  if (flags.args.length > 0) throw new CommandError('USAGE', `error: unexpected arguments: [${flags.args.join(' ')}]\nSee 'kubectl api-resources -h' for help and examples`);
  const output = str(flags, 'output') ?? '';
  if (!['', 'wide', 'name'].includes(output)) throw new CommandError('INVALID', `error: --output ${output} is not available`);
  const namespaced = str(flags, 'namespaced');
  if (namespaced !== undefined && namespaced !== 'true' && namespaced !== 'false') {
    throw new CommandError('INVALID', `Error: invalid argument "${namespaced}" for "--namespaced" flag: strconv.ParseBool: parsing "${namespaced}": invalid syntax\nSee 'kubectl api-resources --help' for usage.`);
  }
  const sortBy = str(flags, 'sort-by') ?? '';
  if (sortBy !== '' && sortBy !== 'name' && sortBy !== 'kind') throw new CommandError('INVALID', 'error: --sort-by accepts only name or kind');
  const group = str(flags, 'api-group');
  const list = (s: string | undefined): string[] => (s ?? '').split(',').filter((x) => x !== '');
  const verbs = list(str(flags, 'verbs'));
  const categories = list(str(flags, 'categories'));
  const all: ResourceNames[] = [...RESOURCES, ...UNMODELLED];
  const types = all.filter(
    (r) =>
      (namespaced === undefined || String(r.namespaced) === namespaced) &&
      (group === undefined || r.group === group) &&
      verbs.every((v) => (r.verbs ?? STANDARD_VERBS).includes(v)) &&
      categories.every((c) => (r.categories ?? []).includes(c)),
  );
  const key = (r: ResourceNames): string => (sortBy === 'name' ? r.plural : sortBy === 'kind' ? r.kind : r.group);
  // sort.Stable on (key, name): equal pairs keep discovery's order.
  types.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
  if (output === 'name') {
    ctx.stdout.write(types.map((r) => (r.group ? `${r.plural}.${r.group}\n` : `${r.plural}\n`)).join(''));
    return 0;
  }
  const wide = output === 'wide';
  const rows = types.map((r) => [r.plural, r.shortNames.join(','), r.group ? `${r.group}/${r.version}` : r.version, String(r.namespaced), r.kind, ...(wide ? [(r.verbs ?? STANDARD_VERBS).join(','), (r.categories ?? []).join(',')] : [])]);
  const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])];
  // kubectl's printers' tabwriter (minwidth 6, padding 3), which pads a cell before an empty last one.
  ctx.stdout.write(goTabwriter([...(flags.values['no-headers'] ? [] : [header]), ...rows].map((r) => r.join('\t') + '\n').join(''), KUBECTL_COLUMNS));
  return 0;
}
