/**
 * `kubectl api-resources`: the resource types the API server serves, with their short names.
 *
 * Design notes: the columns are kubectl's (NAME SHORTNAMES APIVERSION NAMESPACED KIND),
 * sorted by API group (the core group first) and then by name, as kubectl sorts by default.
 * `-o name` prints `plural.group` per line (plain `plural` for the core group);
 * `--namespaced=true|false` filters. Simplification: the list holds the types the sandbox
 * serves, not the sixty-odd types of a real API server.
 */
import { CommandError } from '../../errors';
import { formatTable } from '../../table';
import type { CommandContext } from '../../command';
import { parseFlags, str } from './flags';
import { RESOURCES } from './resources';

const FLAGS = [
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'namespaced', type: 'string' as const },
  { name: 'no-headers', type: 'bool' as const },
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
  const types = RESOURCES.filter((r) => namespaced === undefined || String(r.namespaced) === namespaced).sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
  if (output === 'name') {
    ctx.stdout.write(types.map((r) => (r.group ? `${r.plural}.${r.group}\n` : `${r.plural}\n`)).join(''));
    return 0;
  }
  const rows = types.map((r) => [r.plural, r.shortNames.join(','), r.group ? `${r.group}/${r.version}` : r.version, String(r.namespaced), r.kind]);
  const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'];
  const table = formatTable(flags.values['no-headers'] ? rows : [header, ...rows]);
  ctx.stdout.write(table);
  return 0;
}
