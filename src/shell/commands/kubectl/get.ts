/**
 * `kubectl get`: tables of objects, as kubectl prints them.
 *
 * Design notes: types may be given as `pods`, `po`, `pods,svc` or `pod/NAME`; names are
 * looked up in the current namespace (`-n`, default `default`) or across all namespaces
 * (`-A`, which adds a NAMESPACE column). Items are sorted by namespace then name. When more
 * than one type is printed, names become `pod/x`, `service/x` and each type gets its own
 * table separated by a blank line. Missing names print NotFound errors to stderr after the
 * found objects; an empty table prints `No resources found ...` to stderr. The other output
 * formats print what kubectl's printGeneric does: one `TYPE NAME` or `TYPE/NAME` prints the
 * object itself (or, when it is missing, only the error); anything else prints a `List` of
 * the found objects (`-o name`: their names, possibly none) before the errors. Those printers,
 * custom-columns and `--sort-by` read each object as the API server returns it, with its
 * defaulted fields (sim/k8s/defaults.ts); the tables read the stored objects.
 * `-l` filters by label selector and `--field-selector` by the fields the API server offers
 * for each kind (field-selector.ts); both are parsed as the API server does, so a bad one gets
 * its BadRequest for each type listed, printed after what the other types found (an empty
 * selector is no selector, as kubectl ignores it). `--sort-by` sorts as kubectl does
 * (sort-by.ts): each type's table on its own (named objects are tables of one row and keep
 * their order), or the whole List of the other printers across types; with a watch it is
 * ignored with kubectl's warning. Output formats: the table, `-o wide`, `-o name`,
 * `-o json`, `-o yaml`, `-o jsonpath=TEMPLATE` (jsonpath.ts) and `-o go-template=TEMPLATE`
 * (also `template`, `go-template-file`, `templatefile` and `--template`; go-template.ts).
 */
import { apiView } from '../../../sim/k8s/defaults';
import { matches, parseSelector, SelectorError, type Requirement } from '../../../sim/k8s/labels';
import { CommandError } from '../../errors';
import { goYaml, sortKeys } from './go-yaml';
import { executeJsonPath, JsonPathError, parseJsonPath } from './jsonpath';
import { formatTable } from '../../table';
import type { CommandContext } from '../../command';
import { bool, parseFlags, str } from './flags';
import { FieldSelectorError, matchesFields, parseFieldSelector, type FieldRequirement } from './field-selector';
import { sortList, sortTable } from './sort-by';
import {
  daemonSetColumns,
  deploymentColumns,
  endpointSliceColumns,
  endpointsColumns,
  configMapColumns,
  ingressColumns,
  age,
  labelText,
  networkPolicyColumns,
  secretColumns,
  namespaceColumns,
  nodeColumns,
  podColumns,
  replicaSetColumns,
  serviceColumns,
  type Columns,
} from './printers';
import { eventColumns } from './events';
import { customColumnsRow, parseCustomColumnsFile, parseCustomColumnsSpec, printCustomColumns, type CustomColumn } from './custom-columns';
import { runWatch } from './watch';
import { goTemplatePrinter } from './template-printer';
import { emptyResource, qualifiedPlural, qualifiedSingular, resolveResource, unmodelledText, type AnyObject, type ResourceType } from './resources';

export const GET_FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'selector', short: 'l', type: 'string' as const },
  { name: 'field-selector', type: 'string' as const },
  { name: 'sort-by', type: 'string' as const },
  { name: 'watch', short: 'w', type: 'bool' as const },
  { name: 'all-namespaces', short: 'A', type: 'bool' as const },
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'show-labels', type: 'bool' as const },
  { name: 'no-headers', type: 'bool' as const },
  { name: 'watch-only', type: 'bool' as const },
  { name: 'template', type: 'string' as const },
];

const COLUMNS: Record<string, Columns<never>> = {
  pods: podColumns as Columns<never>,
  nodes: nodeColumns as Columns<never>,
  services: serviceColumns as Columns<never>,
  endpoints: endpointsColumns as Columns<never>,
  endpointslices: endpointSliceColumns as Columns<never>,
  namespaces: namespaceColumns as Columns<never>,
  deployments: deploymentColumns as Columns<never>,
  replicasets: replicaSetColumns as Columns<never>,
  daemonsets: daemonSetColumns as Columns<never>,
  ingresses: ingressColumns as Columns<never>,
  configmaps: configMapColumns as Columns<never>,
  secrets: secretColumns as Columns<never>,
  networkpolicies: networkPolicyColumns as Columns<never>,
  // Events' wide table reorders the columns: wideHeaders is the whole wide header.
  events: eventColumns as unknown as Columns<never>,
};

/** NAME and AGE, for a type without a printer of its own (kubectl's default table). */
const GENERIC_COLUMNS: Columns<AnyObject> = { headers: ['NAME', 'AGE'], wideHeaders: [], row: (o, now) => [o.metadata.name, age(o.metadata.creationTimestamp, now)], wideRow: () => [] };

const FORMATS = ['custom-columns', 'custom-columns-file', 'go-template', 'go-template-file', 'json', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file', 'name', 'template', 'templatefile', 'wide', 'yaml'];

export async function kubectlGet(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, GET_FLAGS, 'kubectl get');
  const output = str(flags, 'output') ?? '';
  if (output !== '' && !FORMATS.includes(output.split('=')[0]!)) {
    throw new CommandError('INVALID', `error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${FORMATS.join(',')}`);
  }
  const format = output.split('=')[0]!;
  let template: ReturnType<typeof parseJsonPath> | undefined;
  let templateText = '';
  if (format === 'jsonpath') {
    templateText = output.slice('jsonpath='.length);
    if (!output.includes('=') || templateText === '') throw new CommandError('USAGE', 'error: template format specified but no template given');
    try {
      template = parseJsonPath(templateText);
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      throw new CommandError('INVALID', `error: error parsing jsonpath ${templateText}, ${e.message}`);
    }
  }
  const goTemplate = goTemplatePrinter(ctx, output, str(flags, 'template'));
  let columns: CustomColumn[] | undefined;
  if (format === 'custom-columns') columns = parseCustomColumnsSpec(output.slice('custom-columns='.length));
  else if (format === 'custom-columns-file') columns = parseCustomColumnsFile(ctx.env.sim.state, output.slice('custom-columns-file='.length));
  else if (template === undefined && goTemplate === undefined && output !== '' && !['wide', 'name', 'json', 'yaml'].includes(output)) {
    throw new CommandError('UNSUPPORTED', `error: the sandbox does not support -o ${output} yet (supported: wide, name, json, yaml, jsonpath, custom-columns)`);
  }
  const structured = output === 'json' || output === 'yaml' || template !== undefined || columns !== undefined || goTemplate !== undefined;
  const noHeaders = bool(flags, 'no-headers');
  const watch = bool(flags, 'watch') || bool(flags, 'watch-only');
  if (watch && (output === 'json' || output === 'yaml' || template !== undefined || goTemplate !== undefined)) throw new CommandError('UNSUPPORTED', `error: the sandbox does not support --watch with -o ${format} yet`);
  // kubectl's builder trims both selectors and ignores an empty one.
  const labelQuery = (str(flags, 'selector') ?? '').trim();
  const fieldQuery = (str(flags, 'field-selector') ?? '').trim();
  const hasSelector = labelQuery !== '' || fieldQuery !== '';
  const sortBy = str(flags, 'sort-by') ?? '';
  if (watch && sortBy !== '') ctx.stderr.write('warning: --watch or --watch-only requested, --sort-by will be ignored\n');
  const allNs = bool(flags, 'all-namespaces');
  const namespace = str(flags, 'namespace') ?? 'default';
  if (flags.args.length === 0) {
    throw new CommandError(
      'USAGE',
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples',
    );
  }

  // Resolve "TYPE[,TYPE] [NAME...]" or "TYPE/NAME ..." into requests per type.
  const requests: { type: ResourceType; names: string[] }[] = [];
  const first = flags.args[0]!;
  if (first.includes('/')) {
    for (const a of flags.args) {
      const slash = a.indexOf('/');
      if (slash < 0) throw new CommandError('USAGE', `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
      const type = lookupType(a.slice(0, slash));
      const name = a.slice(slash + 1);
      const existing = requests.find((r) => r.type === type);
      if (existing) existing.names.push(name);
      else requests.push({ type, names: [name] });
    }
  } else {
    // `all` is the "all" category: pods, services, daemonsets, deployments, replicasets (and
    // statefulsets, jobs, cronjobs and autoscalers, which the sandbox does not have).
    const types = first
      .split(',')
      .filter((t) => t !== '')
      .flatMap((t) => (t.toLowerCase() === 'all' ? ['pods', 'services', 'daemonsets', 'deployments', 'replicasets'] : [t]))
      .map(lookupType);
    const names = flags.args.slice(1);
    if (names.length > 0 && hasSelector) throw new CommandError('USAGE', 'error: name cannot be provided when a selector is specified');
    if (names.length > 0 && allNs) throw new CommandError('USAGE', 'error: a resource cannot be retrieved by name across all namespaces');
    if (names.length > 0 && types.length > 1) throw new CommandError('USAGE', `error: arguments in resource/name form must have a single resource and name`);
    for (const t of types) if (!requests.some((r) => r.type === t)) requests.push({ type: t, names });
  }

  const sim = ctx.env.sim.state;
  if (hasSelector && first.includes('/')) throw new CommandError('USAGE', 'error: selectors and the all flag cannot be used when passing resource/name arguments');
  /** The API server's reading of both selectors for one type, or its BadRequest. */
  const selectorsFor = (type: ResourceType): { labels: Requirement[]; fields: FieldRequirement[] } | string => {
    try {
      return { labels: labelQuery === '' ? [] : parseSelector(labelQuery), fields: fieldQuery === '' ? [] : parseFieldSelector(type, fieldQuery) };
    } catch (e) {
      if (!(e instanceof SelectorError) && !(e instanceof FieldSelectorError)) throw e;
      return `Error from server (BadRequest): Unable to find "${type.group}/${type.version}, Resource=${type.plural}" that match label selector ${JSON.stringify(labelQuery)}, field selector ${JSON.stringify(fieldQuery)}: ${e.message}`;
    }
  };
  const now = ctx.env.scheduler.now();
  // kubectl names rows `kind/name` when the request spans several kinds (MultipleTypesRequested):
  // `get pod/client` alone prints `client`, `get pod/client svc/web` prints `pod/client`.
  const multi = new Set(requests.map((r) => r.type.plural)).size > 1 || first.split(',').some((t) => t.toLowerCase() === 'all');
  // kubectl's builder implies a single item for exactly one `TYPE NAME` or one `TYPE/NAME`:
  // the generic printers then print that object itself, or only its error when it is missing.
  const singleImplied = first.includes('/') ? flags.args.length === 1 : flags.args.length === 2;
  const errors: string[] = [];
  const tables: string[] = [];
  const jsonItems: unknown[] = [];
  let found = 0;
  /** The objects a request names or selects, in the API server's order; missing names go to `missing`. */
  const select = (req: { type: ResourceType; names: string[] }, missing: string[] = []): AnyObject[] => {
    const all = req.type.list(sim);
    let items: AnyObject[];
    if (req.names.length > 0) {
      items = [];
      for (const name of req.names) {
        const obj = all.find((o) => o.metadata.name === name && (!req.type.namespaced || o.metadata.namespace === namespace));
        if (obj) items.push(obj);
        else missing.push(`Error from server (NotFound): ${qualifiedPlural(req.type)} "${name}" not found`);
      }
    } else {
      const sel = selectorsFor(req.type);
      if (typeof sel === 'string') {
        missing.push(sel);
        return [];
      }
      items = all.filter((o) => (!req.type.namespaced || allNs || o.metadata.namespace === namespace) && matches(sel.labels, o.metadata.labels) && matchesFields(req.type, sel.fields, o));
      items.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    }
    return items;
  };
  /** The table printer's header and rows for a type (`withKind`: names as `pod/x`). */
  const tableOf = (req: { type: ResourceType; names: string[] }, withKind: boolean) => {
    const cols = COLUMNS[req.type.plural] ?? (GENERIC_COLUMNS as Columns<never>);
    const wide = output === 'wide';
    const showNs = allNs && req.type.namespaced && req.names.length === 0;
    const whole = req.type.plural === 'events' && wide;
    const header = [...(showNs ? ['NAMESPACE'] : []), ...(whole ? [] : cols.headers), ...(wide ? cols.wideHeaders : []), ...(bool(flags, 'show-labels') ? ['LABELS'] : [])];
    const row = (o: AnyObject, at: number): string[] => {
      const r = whole ? [] : cols.row(o as never, at, sim);
      if (withKind && req.type.plural !== 'events') r[0] = `${qualifiedSingular(req.type)}/${r[0]}`;
      return [...(showNs ? [o.metadata.namespace ?? ''] : []), ...r, ...(wide ? cols.wideRow(o as never, at, sim) : []), ...(bool(flags, 'show-labels') ? [labelText(o.metadata.labels)] : [])];
    };
    return { header, row };
  };
  if (watch) {
    // kubectl's builder takes a single resource type for a watch.
    if (requests.length > 1 || first.split(',').some((t) => t.toLowerCase() === 'all')) throw new CommandError('USAGE', 'error: you may only specify a single resource type');
    const req = requests[0]!;
    const missing: string[] = [];
    select(req, missing);
    if (missing.length > 0) throw new CommandError('NOT_FOUND', missing[0]!);
    const t = tableOf(req, false);
    const kind = qualifiedSingular(req.type);
    return runWatch(ctx, {
      list: () => select(req),
      header: output === 'name' || noHeaders ? undefined : columns ? columns.map((c) => c.header) : t.header,
      row: (o, at) => (output === 'name' ? [`${kind}/${o.metadata.name}`] : columns ? customColumnsRow(columns, apiView(sim, o)) : t.row(o, at)),
      watchOnly: bool(flags, 'watch-only'),
    });
  }
  const generic = structured || output === 'name';
  const selected: { req: { type: ResourceType; names: string[] }; items: AnyObject[] }[] = [];
  for (const req of requests) {
    const items = select(req, errors);
    found += items.length;
    if (singleImplied && errors.length > 0 && generic) throw new CommandError('NOT_FOUND', errors[0]!);
    selected.push({ req, items });
  }
  if (sortBy !== '' && !generic) {
    // The server answers with one table per type listed and one per object named; each is sorted on its own.
    for (const { req, items } of selected) {
      if (req.names.length > 0) for (const o of items) sortTable([o], sortBy, (x) => apiView(sim, x));
      else sortTable(items, sortBy, (x) => apiView(sim, x));
    }
  }
  // The generic printers print each object as the API server returns it (sim/k8s/defaults.ts).
  const listed = selected.flatMap(({ req, items }) => items.map((obj) => ({ type: req.type, obj: generic ? (apiView(sim, obj) as AnyObject) : obj })));
  if (sortBy !== '' && generic && !singleImplied) {
    try {
      sortList(listed, sortBy, errors.length, (l) => l.obj);
    } catch (e) {
      // kubectl prints the errors met while listing before the sorting printer's own.
      for (const m of errors) ctx.stderr.write(m + '\n');
      throw e;
    }
  }
  if (output === 'name') tables.push(listed.map(({ type, obj }) => `${qualifiedSingular(type)}/${obj.metadata.name}\n`).join(''));
  else if (structured) jsonItems.push(...listed.map((l) => l.obj));
  else {
    for (const { req, items } of selected) {
      if (items.length === 0) continue;
      const { header, row } = tableOf(req, multi);
      const rows = items.map((o) => row(o, now));
      tables.push(formatTable(noHeaders ? rows : [header, ...rows]));
    }
  }
  if (structured) {
    const doc = singleImplied ? jsonItems[0] : { apiVersion: 'v1', items: jsonItems, kind: 'List', metadata: { resourceVersion: '' } };
    if (columns) {
      // One custom-columns table for everything, printed before the errors (even when empty).
      ctx.stdout.write(printCustomColumns(columns, doc, noHeaders));
    } else if (goTemplate) {
      goTemplate(doc);
    } else if (template) {
      let text: string;
      try {
        text = executeJsonPath(template, doc);
      } catch (e) {
        if (!(e instanceof JsonPathError)) throw e;
        throw new CommandError(
          'INVALID',
          `error: error executing jsonpath ${JSON.stringify(templateText)}: Error executing template: ${e.message}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t${templateText}\n\tobject given to jsonpath engine was:\n\t\t${goValue(doc)}`,
        );
      }
      ctx.stdout.write(text);
    } else {
      // kubectl prints unstructured objects, whose maps Go's encoders write with sorted keys.
      ctx.stdout.write(output === 'json' ? JSON.stringify(sortKeys(doc), null, 4) + '\n' : goYaml(sortKeys(doc)));
    }
  } else ctx.stdout.write(tables.join(output === 'name' || noHeaders ? '' : '\n'));
  for (const e of errors) ctx.stderr.write(e + '\n');
  // Only the table printers say that nothing was found; the generic ones print an empty List.
  if (found === 0 && errors.length === 0 && !structured && output !== 'name') {
    const scoped = requests.some((r) => r.type.namespaced);
    ctx.stderr.write(scoped && !allNs ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
  }
  return errors.length > 0 ? 1 : 0;
}

function lookupType(text: string): ResourceType {
  const t = resolveResource(text) ?? emptyResource(text);
  if (t) return t;
  const unmodelled = unmodelledText(text);
  if (unmodelled) throw new CommandError('UNSUPPORTED', unmodelled);
  throw new CommandError('NOT_FOUND', `error: the server doesn't have a resource type "${text}"`);
}

/** A value as Go's fmt prints it with %v (`map[k:v]`, `[a b]`), for jsonpath's debugging dump. */
function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${k}:${goValue(o[k])}`).join(' ')}]`;
  }
  return v === null || v === undefined ? '<nil>' : String(v);
}

