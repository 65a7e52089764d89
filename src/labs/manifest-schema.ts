/**
 * JSON Schemas of the manifests the sandbox applies, for the YAML editor's completion, hover
 * documentation and validation.
 *
 * Design notes: generated from the sandbox's own API types (src/sim/k8s/schema: the v1.32 field
 * tree of api-data.ts and the sandbox's descriptions), never written by hand, so the editor
 * accepts what the API server's decoding (schema/decode.ts) accepts: one schema per kind a
 * manifest may create (MANIFEST_KINDS, keyed `apiVersion/kind`: `v1/Service`,
 * `apps/v1/Deployment`), with `apiVersion` and `kind` fixed to that pair, every struct closed
 * (`additionalProperties: false`: strict decoding refuses unknown fields), the required fields
 * and enum values of the OpenAPI document, int32/int64 ranges, IntOrString as an integer or a
 * string, and null accepted wherever encoding/json accepts it (`creationTimestamp: null`, as
 * `kubectl create --dry-run=client -o yaml` writes it). Descriptions are `fieldText` and
 * `typeText`, as `kubectl explain` prints them. `manifestSchema()` joins them into one schema
 * that picks a kind's by the document's `kind` (draft-07 `if`/`then`), with the structs as
 * shared `definitions`: what monaco-yaml (yaml-language-server) takes for every file.
 * Simplified: the checks the API server makes after decoding (a port between 1 and 65535, a
 * valid name, a Quantity's syntax) are not in the schema; the editor's dry run (dry-run.ts)
 * reports them with the server's own words.
 * Left out: `kind: List` (apply reads its items; the editor marks `List` as a kind it does not
 * know), and a schema per apiVersion where the real API serves a kind in several.
 */
import { MANIFEST_KINDS } from '../sim/k8s/manifests';
import { fieldsOf, fieldText, isStruct, kindType, typeText } from '../sim/k8s/schema';

/** A JSON Schema (draft-07) as plain data. */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: JsonSchema;
  enum?: (string | number | boolean | null)[];
  minimum?: number;
  maximum?: number;
  allOf?: JsonSchema[];
  if?: JsonSchema;
  then?: JsonSchema;
  const?: string;
  definitions?: Record<string, JsonSchema>;
}

const INT_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
};

/** `v1/Service`, `apps/v1/Deployment`. */
export function schemaKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** The schema of a value of type code `type` (a primitive, `[]T`, `map[string]T` or a struct's key). */
function valueSchema(type: string, refs: Set<string>): JsonSchema {
  if (type.startsWith('[]')) return { type: ['array', 'null'], items: valueSchema(type.slice(2), refs) };
  if (type.startsWith('map[string]')) return { type: ['object', 'null'], additionalProperties: valueSchema(type.slice(11), refs) };
  if (isStruct(type)) {
    refs.add(type);
    return { $ref: `#/definitions/${type}` };
  }
  const range = INT_RANGE[type];
  if (range) return { type: ['integer', 'null'], minimum: range[0], maximum: range[1] };
  switch (type) {
    case 'string':
    case 'Time':
    case 'MicroTime':
      return { type: ['string', 'null'] };
    case 'boolean':
      return { type: ['boolean', 'null'] };
    case 'number':
      return { type: ['number', 'null'] };
    case 'IntOrString':
      return { type: ['integer', 'string', 'null'], minimum: INT_RANGE.int32![0], maximum: INT_RANGE.int32![1] };
    case 'Quantity':
      return { type: ['string', 'number', 'null'] };
    default:
      // FieldsV1 and other free-form values.
      return {};
  }
}

/** A struct's fields, each with its description, enum values and whether it is required. */
function structSchema(type: string, refs: Set<string>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const f of fieldsOf(type)) {
    const own = valueSchema(f.type, refs);
    const description = fieldText(type, f.name);
    // A $ref's siblings are ignored by draft-07 readers: the description goes beside it through allOf.
    const schema: JsonSchema = own.$ref ? { description, allOf: [own] } : { ...own, description };
    if (f.enum) schema.enum = [...f.enum];
    properties[f.name] = schema;
    if (f.required) required.push(f.name);
  }
  const text = typeText(type);
  return { type: ['object', 'null'], ...(text ? { description: text } : {}), properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** Every struct reachable from `roots`, by type key. */
function definitionsFor(roots: string[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const queue = [...roots];
  while (queue.length) {
    const type = queue.shift()!;
    if (out[type]) continue;
    const refs = new Set<string>();
    out[type] = structSchema(type, refs);
    for (const r of refs) if (!out[r]) queue.push(r);
  }
  return out;
}

/** The top of a kind's manifest: its struct, with apiVersion and kind fixed to what the sandbox serves. */
function manifestTop(kind: string, apiVersion: string): JsonSchema {
  const type = kindType(kind)!;
  const top = structSchema(type, new Set());
  top.type = 'object';
  top.properties = {
    ...top.properties,
    apiVersion: { ...top.properties!.apiVersion, type: 'string', enum: [apiVersion] },
    kind: { ...top.properties!.kind, type: 'string', enum: [kind] },
  };
  top.required = [...new Set(['apiVersion', 'kind', ...(top.required ?? [])])];
  return top;
}

/** The kinds a manifest may create, `[apiVersion, kind]`, in MANIFEST_KINDS's order. */
export function manifestKinds(): [string, string][] {
  return Object.entries(MANIFEST_KINDS)
    .filter(([kind]) => kindType(kind) !== undefined)
    .map(([kind, apiVersion]) => [apiVersion, kind]);
}

/** One standalone schema per kind, keyed `apiVersion/kind` (`v1/Service`). */
export function manifestSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [apiVersion, kind] of manifestKinds()) {
    out[schemaKey(apiVersion, kind)] = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      ...manifestTop(kind, apiVersion),
      definitions: definitionsFor([kindType(kind)!]),
    };
  }
  return out;
}

/**
 * One schema for any manifest: `apiVersion` and `kind` from the kinds served, and the kind's
 * own schema once `kind` names one. The structs are shared definitions.
 */
export function manifestSchema(): JsonSchema {
  const kinds = manifestKinds();
  const definitions = definitionsFor(kinds.map(([, kind]) => kindType(kind)!));
  const branches: JsonSchema[] = [];
  for (const [apiVersion, kind] of kinds) {
    const name = `${kind}Manifest`;
    definitions[name] = manifestTop(kind, apiVersion);
    branches.push({ if: { properties: { kind: { const: kind } }, required: ['kind'] }, then: { $ref: `#/definitions/${name}` } });
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    description: 'A Kubernetes object the sandbox can create: its apiVersion and kind, then its metadata and spec.',
    properties: {
      apiVersion: { type: 'string', description: fieldText('Pod', 'apiVersion'), enum: [...new Set(kinds.map(([v]) => v))] },
      kind: { type: 'string', description: fieldText('Pod', 'kind'), enum: kinds.map(([, k]) => k) },
    },
    required: ['apiVersion', 'kind'],
    allOf: branches,
    definitions,
  };
}
