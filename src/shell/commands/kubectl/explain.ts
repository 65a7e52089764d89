/**
 * `kubectl explain TYPE[.FIELD...]`: the fields of a resource type, from the API server's
 * OpenAPI schema.
 *
 * Design notes: the layout is kubectl 1.32's OpenAPI v3 `plaintext` template: a header
 * (`GROUP:` for named groups, `KIND:`, `VERSION:`), then for a field path `FIELD: name <Type>`
 * (with `ENUM:` values) and two blank lines, `DESCRIPTION:` (the field's text, then its type's,
 * each ending a line, wrapped at 76 columns by go-wordwrap and indented by 4, so a line of four
 * spaces closes it), and `FIELDS:` with `  name\t<type>`, ` -required-`, an `enum:` line of at
 * most four values and the description wrapped at 78 minus the indentation, a blank line after
 * each field and one more at the end. `--recursive` lists names and types only, two spaces
 * deeper per level. A missing field prints the header and then `error: field "x" does not exist`
 * (the template writes the header before it fails), naming the path's last element as kubectl
 * does. `--output=plaintext-openapiv2` prints the older layout (`KIND:     `, `RESOURCE:` or
 * `FIELD:    `, five-space descriptions, `<Object>` for structs, names only under --recursive). The resource is the longest
 * `plural.group` prefix of the argument, else its first word, as kubectl's prefix matching
 * does; `--api-version` takes the first word alone and asks for that group/version.
 * Descriptions are the sandbox's own (sim/k8s/schema): the names and types are v1.32's.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseFlags, str } from './flags';
import { RESOURCES, type ResourceType } from './resources';
import { UNMODELLED, unmodelledMessage, unmodelledResource } from '../../../sim/k8s/unmodelled';
import { elementStruct, explainType, explainTypeV2, fieldOf, fieldsOf, fieldText, kindType, typeText, type Field } from '../../../sim/k8s/schema';

export const EXPLAIN_USAGE = `Describe fields and structure of various resources.

 This command describes the fields associated with each supported API resource. Fields are identified via a simple JSONPath identifier:

        <type>.<fieldName>[.<fieldName>]

 Information about each field is retrieved from the server in OpenAPI format.

Use "kubectl api-resources" for a complete list of supported resources.

Examples:
  # Get the documentation of the resource and its fields
  kubectl explain pods

  # Get all the fields in the resource
  kubectl explain pods --recursive

  # Get the explanation for deployment in supported api versions
  kubectl explain deployments --api-version=apps/v1

  # Get the documentation of a specific field of a resource
  kubectl explain pods.spec.containers

  # Get the documentation of resources in different format
  kubectl explain deployment --output=plaintext-openapiv2

Options:
      --api-version='': Use given api-version (group/version) of the resource.
      --output='plaintext': Format in which to render the schema. Valid values are: (plaintext, plaintext-openapiv2).
      --recursive=false: When true, print the name of all the fields recursively. Otherwise, print the available fields with their description.

Usage:
  kubectl explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [--output=plaintext|plaintext-openapiv2] [options]`;

const FLAGS = [
  { name: 'recursive', type: 'bool' as const },
  { name: 'api-version', type: 'string' as const },
  { name: 'output', type: 'string' as const },
  // A global flag kubectl accepts everywhere; explain has no use for it.
  { name: 'namespace', short: 'n', type: 'string' as const },
];

/**
 * go-wordwrap's WrapString: breaks at spaces so that lines hold at most `limit` characters,
 * keeps the text's own line breaks and leaves a longer word whole.
 */
export function wordWrap(text: string, limit: number): string {
  return text
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let cur = '';
      for (const word of line.split(' ')) {
        if (cur === '') cur = word;
        else if (cur.length + 1 + word.length <= limit) cur += ` ${word}`;
        else {
          out.push(cur);
          cur = word;
        }
      }
      out.push(cur);
      return out.join('\n');
    })
    .join('\n');
}

const indent = (n: number, s: string): string => ' '.repeat(n) + s.replace(/\n/g, `\n${' '.repeat(n)}`);

/** Every group/version the API server serves. */
function servedVersions(): Set<string> {
  return new Set([...RESOURCES, ...UNMODELLED].map((r) => (r.group ? `${r.group}/${r.version}` : r.version)));
}

interface Target {
  type: ResourceType;
  path: string[];
}

/** kubectl's SplitAndParseResourceRequestWithMatchingPrefix (or, with --api-version, the first word alone). */
function resolve(arg: string, prefixMatch: boolean): Target {
  const text = arg.replace(/\.$/, '');
  const parts = text.split('.');
  const first = parts[0]!.toLowerCase();
  const type = RESOURCES.find((r) => r.plural === first || r.singular === first || r.shortNames.includes(first) || r.kind.toLowerCase() === first);
  if (!type) {
    const u = unmodelledResource(first);
    if (u) throw new CommandError('UNSUPPORTED', `error: ${unmodelledMessage(u)}`);
    throw new CommandError('NOT_FOUND', `error: the server doesn't have a resource type "${parts[0]}"`);
  }
  const groupResource = type.group ? `${type.plural}.${type.group}` : type.plural;
  if (prefixMatch && text.toLowerCase().startsWith(groupResource) && (text.length === groupResource.length || text[groupResource.length] === '.')) {
    const rest = text.slice(groupResource.length + 1);
    return { type, path: rest ? rest.split('.') : [] };
  }
  return { type, path: parts.slice(1) };
}

/** The description template: each text ends its own line. */
function descriptionBlock(texts: string[]): string {
  const body = texts.filter(Boolean).map((t) => `${t}\n`).join('');
  return indent(4, wordWrap(body || '<empty>', 76));
}

function fieldLine(f: Field, level: number, short: boolean, type: string): string {
  const pad = level * 2;
  let line = `${' '.repeat(pad)}${f.name}\t<${explainType(f.type)}>${f.required ? ' -required-' : ''}`;
  if (f.enum) line += `\n${' '.repeat(pad)}enum: ${f.enum.slice(0, 4).map((v) => (v === '' ? '""' : v)).join(', ')}${f.enum.length > 4 ? ', ....' : ''}`;
  line += '\n';
  if (!short) line += `${indent(pad + 2, wordWrap(fieldText(type, f.name), 78 - pad))}\n\n`;
  return line;
}

function fieldList(type: string, level: number, recursive: boolean, seen: string[]): string {
  let out = '';
  for (const f of fieldsOf(type)) {
    out += fieldLine(f, level, recursive, type);
    const inner = elementStruct(f.type);
    if (recursive && inner && !seen.includes(inner)) out += fieldList(inner, level + 1, true, [...seen, inner]);
  }
  return out;
}

/** The plaintext (OpenAPI v3) rendering; throws after the header when the path is missing. */
function plaintext(ctx: CommandContext, t: Target, root: string, recursive: boolean): void {
  const header = `${t.type.group ? `GROUP:      ${t.type.group}\n` : ''}KIND:       ${t.type.kind}\nVERSION:    ${t.type.version}\n\n`;
  let type = root;
  let field: Field | undefined;
  let owner = root;
  for (const name of t.path) {
    const next = fieldOf(type, name);
    if (!next) {
      ctx.stdout.write(header);
      throw new CommandError('NOT_FOUND', `error: field "${t.path[t.path.length - 1]}" does not exist`);
    }
    owner = type;
    field = next;
    type = elementStruct(next.type) ?? next.type;
  }
  let out = header;
  if (field) {
    out += `FIELD: ${field.name} <${explainType(field.type)}>\n`;
    if (field.enum) out += `ENUM:${field.enum.map((v) => `\n    ${v === '' ? '""' : v}`).join('')}`;
    out += '\n\n';
    const inner = elementStruct(field.type);
    out += `DESCRIPTION:\n${descriptionBlock([fieldText(owner, field.name), inner ? typeText(inner) : ''])}\n`;
    if (inner) out += `FIELDS:\n${fieldList(inner, 1, recursive, [inner])}`;
  } else {
    out += `DESCRIPTION:\n${descriptionBlock([typeText(root)])}\n`;
    out += `FIELDS:\n${fieldList(root, 1, recursive, [root])}`;
  }
  ctx.stdout.write(`${out}\n`);
}

/** The older OpenAPI v2 rendering (`--output=plaintext-openapiv2`). */
function plaintextV2(ctx: CommandContext, t: Target, root: string, recursive: boolean): void {
  const gv = t.type.group ? `${t.type.group}/${t.type.version}` : t.type.version;
  let type = root;
  let field: Field | undefined;
  let owner = root;
  for (const name of t.path) {
    const next = fieldOf(type, name);
    if (!next) throw new CommandError('NOT_FOUND', `error: field "${name}" does not exist`);
    owner = type;
    field = next;
    type = elementStruct(next.type) ?? next.type;
  }
  const wrap5 = (s: string): string => indent(5, wordWrap(s, 75));
  const list = (ty: string, depth: number): string =>
    fieldsOf(ty)
      .map((f) => {
        const pad = ' '.repeat(3 + (depth - 1) * 3);
        const inner = elementStruct(f.type);
        if (recursive) return `${pad}${f.name}\t<${explainTypeV2(f.type)}>\n${inner && depth < 12 ? list(inner, depth + 1) : ''}`;
        const line = `${pad}${f.name}\t<${explainTypeV2(f.type)}>${f.required ? ' -required-' : ''}\n`;
        return `${line}${indent(5, wordWrap(fieldText(ty, f.name), 75))}\n\n`;
      })
      .join('');
  let out = `KIND:     ${t.type.kind}\nVERSION:  ${gv}\n\n`;
  if (field) {
    const inner = elementStruct(field.type);
    out += inner ? `RESOURCE: ${field.name} <${explainTypeV2(field.type)}>\n\n` : `FIELD:    ${field.name} <${explainTypeV2(field.type)}>\n\n`;
    const texts = [fieldText(owner, field.name), inner ? typeText(inner) : ''].filter(Boolean);
    out += `DESCRIPTION:\n${texts.map(wrap5).join('\n\n')}\n`;
    if (inner) out += `\nFIELDS:\n${list(inner, 1)}`;
  } else {
    out += `DESCRIPTION:\n${wrap5(typeText(root) || '<empty>')}\n\nFIELDS:\n${list(root, 1)}`;
  }
  ctx.stdout.write(out);
}

export async function kubectlExplain(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'kubectl explain');
  if (flags.args.length === 0) throw new CommandError('USAGE', 'error: You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list of supported resources.');
  if (flags.args.length > 1) throw new CommandError('USAGE', 'error: We accept only this format: explain RESOURCE');
  const apiVersion = str(flags, 'api-version') ?? '';
  const output = str(flags, 'output') ?? 'plaintext';
  const recursive = flags.values.recursive === true;
  const target = resolve(flags.args[0]!, apiVersion === '');
  let group = target.type.group;
  let version = target.type.version;
  if (apiVersion !== '') {
    const parts = apiVersion.split('/');
    if (parts.length > 2) throw new CommandError('INVALID', `error: unexpected GroupVersion string: ${apiVersion}`);
    [group, version] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['', parts[0]!];
  }
  const root = kindType(target.type.kind)!;
  if (output === 'plaintext-openapiv2') {
    if (group !== target.type.group || version !== target.type.version) throw new CommandError('NOT_FOUND', `error: couldn't find resource for "${group ? `${group}/` : ''}${version}, Kind=${target.type.kind}"`);
    plaintextV2(ctx, target, root, recursive);
    return 0;
  }
  if (output !== 'plaintext') throw new CommandError('INVALID', `error: unrecognized format: ${output}`);
  const gvr = `${group}/${version}, Resource=${target.type.plural}`;
  if (!servedVersions().has(group ? `${group}/${version}` : version)) throw new CommandError('NOT_FOUND', `error: couldn't find resource for "${gvr}"`);
  if (group !== target.type.group || version !== target.type.version) throw new CommandError('NOT_FOUND', `error: GVR (${gvr}) not found in OpenAPI schema`);
  plaintext(ctx, target, root, recursive);
  return 0;
}

/** Completion: resource names, then for `type.` the field paths one level deeper. */
export function completeExplain(prefix: string): string[] {
  const dot = prefix.lastIndexOf('.');
  const words = RESOURCES.flatMap((r) => [r.plural, r.singular, ...r.shortNames]);
  if (dot < 0) return [...new Set(words)];
  let t: Target;
  try {
    t = resolve(prefix.slice(0, dot), true);
  } catch {
    return [];
  }
  let type = kindType(t.type.kind)!;
  for (const name of t.path) {
    const f = fieldOf(type, name);
    const inner = f && elementStruct(f.type);
    if (!inner) return [];
    type = inner;
  }
  return fieldsOf(type).map((f) => `${prefix.slice(0, dot)}.${f.name}`);
}
