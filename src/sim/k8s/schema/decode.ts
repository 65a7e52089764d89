/**
 * The API server's decoding of a manifest into its Go type, with field validation.
 *
 * Design notes: kubectl 1.32 sends objects as JSON with sorted keys (it encodes the manifest
 * from a map) and asks for `fieldValidation=Strict` by default (`--validate=strict`). The server
 * decodes with a case-sensitive encoding/json: a value of the wrong JSON type is
 * `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type
 * int32` (the innermost struct's Go name, the field path without list indices, the Go type;
 * `number 1.5` for a number an integer field cannot hold), the first one in key order, and
 * fails whatever the validation mode. A Quantity that does not parse fails with
 * resource.ParseQuantity's message. Fields the type does not have (wrong case included) are
 * collected with list indices (`spec.containers[0].foo`): Strict fails with
 * `strict decoding error: unknown field "a", unknown field "b"`, Warn returns one warning per
 * field (kubectl prints `Warning: unknown field "a"`), Ignore drops them. Each failure reads
 * `Pod in version "v1" cannot be handled as a Pod: ...`. Duplicate fields are left to the YAML
 * parser, which refuses them. Time strings are not parsed. Kinds outside the schema pass
 * through unchanged.
 */
import { fieldOf, goName, goType, isStruct, kindApiVersion, kindType } from './index';

export type ValidateMode = 'strict' | 'warn' | 'ignore';

export interface DecodeResult {
  /** The object as the server stores it: without the unknown fields. */
  obj: unknown;
  /** The server's message (`Pod in version "v1" cannot be handled as a Pod: ...`), when it refuses the object. */
  error?: string;
  /** The warnings the server returns (`unknown field "spec.foo"`). */
  warnings: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_SUFFIX = /^(|n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][-+]?[0-9]+)$/;

class TypeError_ {
  constructor(readonly message: string) {}
}

/** How encoding/json names a JSON value in an UnmarshalTypeError. */
function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return Array.isArray(v) ? 'array' : 'object';
}

interface Where {
  /** The path with list indices, for unknown fields. */
  path: string;
  /** The path without indices, for type errors. */
  goPath: string;
  /** The Go name of the struct holding the field. */
  struct: string;
}

function typeError(v: unknown, type: string, at: Where, value = jsonKind(v)): TypeError_ {
  const field = at.struct ? `Go struct field ${at.struct}.${at.goPath}` : 'Go value';
  return new TypeError_(`json: cannot unmarshal ${value} into ${field} of type ${goType(type)}`);
}

function quantityProblem(v: unknown): string | undefined {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : JSON.stringify(v);
  const m = QUANTITY.exec(text);
  if (!m) return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  if (!QUANTITY_SUFFIX.test(m[2]!)) return "unable to parse quantity's suffix";
  return undefined;
}

function walk(v: unknown, type: string, at: Where, unknown: string[]): unknown {
  if (v === null || v === undefined) return v;
  if (type.startsWith('[]')) {
    if (!Array.isArray(v)) throw typeError(v, type, at);
    return v.map((x, i) => walk(x, type.slice(2), { ...at, path: `${at.path}[${i}]` }, unknown));
  }
  if (type.startsWith('map[string]')) {
    if (!isObj(v)) throw typeError(v, type, at);
    const inner = type.slice(11);
    const done = new Map(Object.keys(v).sort().map((k) => [k, walk(v[k], inner, { ...at, path: `${at.path}[${k}]` }, unknown)]));
    return Object.fromEntries(Object.keys(v).map((k) => [k, done.get(k)]));
  }
  if (isStruct(type)) {
    if (!isObj(v)) throw typeError(v, type, at);
    // Keys in the order kubectl sends them (sorted); the result keeps the manifest's order.
    const done = new Map<string, unknown>();
    for (const k of Object.keys(v).sort()) {
      const f = fieldOf(type, k);
      const path = at.path ? `${at.path}.${k}` : k;
      if (!f) unknown.push(path);
      else done.set(k, walk(v[k], f.type, { path, goPath: at.goPath ? `${at.goPath}.${k}` : k, struct: goName(type) }, unknown));
    }
    return Object.fromEntries(Object.keys(v).filter((k) => done.has(k)).map((k) => [k, done.get(k)]));
  }
  switch (type) {
    case 'string':
    case 'Time':
    case 'MicroTime':
      if (typeof v !== 'string') throw typeError(v, 'string', at);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw typeError(v, type, at);
      return v;
    case 'number':
      if (typeof v !== 'number') throw typeError(v, type, at);
      return v;
    case 'int32':
    case 'int64': {
      if (typeof v !== 'number') throw typeError(v, type, at);
      const limit = type === 'int32' ? 2 ** 31 : 2 ** 63;
      if (!Number.isInteger(v) || v >= limit || v < -limit) throw typeError(v, type, at, `number ${String(v)}`);
      return v;
    }
    case 'IntOrString':
      if (typeof v === 'string') return v;
      if (typeof v !== 'number') throw typeError(v, 'int32', at);
      if (!Number.isInteger(v) || v >= 2 ** 31 || v < -(2 ** 31)) throw typeError(v, 'int32', at, `number ${String(v)}`);
      return v;
    case 'Quantity': {
      const problem = quantityProblem(v);
      if (problem) throw new TypeError_(problem);
      return v;
    }
    default:
      // FieldsV1 and other free-form values.
      return v;
  }
}

/** The kind's type key, if the object names a kind and apiVersion the schema has. */
function typeOf(obj: unknown): { type: string; kind: string; version: string } | undefined {
  if (!isObj(obj) || typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') return undefined;
  const type = kindType(obj.kind);
  return type && kindApiVersion(obj.kind) === obj.apiVersion ? { type, kind: obj.kind, version: obj.apiVersion.split('/').pop()! } : undefined;
}

/**
 * Decodes a manifest object as the API server does under `validate` (kubectl's --validate:
 * strict by default). An object of a kind the schema lacks is returned as it is.
 */
export function decode(obj: unknown, validate: ValidateMode = 'strict'): DecodeResult {
  const t = typeOf(obj);
  if (!t) return { obj, warnings: [] };
  const prefix = `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: `;
  const unknown: string[] = [];
  let out: unknown;
  try {
    out = walk(obj, t.type, { path: '', goPath: '', struct: '' }, unknown);
  } catch (e) {
    if (e instanceof TypeError_) return { obj, error: prefix + e.message, warnings: [] };
    throw e;
  }
  const messages = unknown.map((p) => `unknown field "${p}"`);
  if (messages.length && validate === 'strict') return { obj, error: `${prefix}strict decoding error: ${messages.join(', ')}`, warnings: [] };
  return { obj: out, warnings: validate === 'warn' ? messages : [] };
}

/** kubectl's --validate values: strict (or true), warn, ignore (or false); undefined for anything else. */
export function validateMode(flag: string | undefined): ValidateMode | undefined {
  if (flag === undefined || flag === 'strict' || flag === 'true') return 'strict';
  if (flag === 'warn') return 'warn';
  if (flag === 'ignore' || flag === 'false') return 'ignore';
  return undefined;
}

/** True if the object would be decoded against the schema (its kind is served). */
export function hasSchema(obj: unknown): boolean {
  return typeOf(obj) !== undefined;
}
