#!/usr/bin/env node
/**
 * Writes src/sim/k8s/schema/api-data.ts: the field names, types, required flags and enum
 * values of the Kubernetes v1.32 API types the sandbox serves, for `kubectl explain` and the
 * API server's strict decoding.
 *
 * Design notes: the field tree comes from @kubernetes/client-node 1.1.2, whose models are
 * generated from the v1.32.0 OpenAPI document (each model file says `OpenAPI spec version:
 * v1.32.0`): names, JSON types, formats (int32, int64, date-time, int-or-string) and required
 * fields (non-optional properties of the declarations). That generator drops enums and the
 * Quantity and MicroTime type names, so those come from kubernetes-models 4.5.1 (generated from
 * a later OpenAPI document, with enums as string unions), applied only to fields the v1.32
 * tree has. Enum values the two disagree on are listed when the script runs, to be checked by
 * hand against the v1.32 sources. Both packages are fetched with `npm pack` into a temporary
 * folder: neither is a dependency of the project. Run: `node scripts/k8s-schema.mjs`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLIENT = '@kubernetes/client-node@1.1.2';
const MODELS = 'kubernetes-models@4.5.1';
const OUT = new URL('../src/sim/k8s/schema/api-data.ts', import.meta.url);

/** Kind → the client-node model of its object and its apiVersion, for the kinds the sandbox serves. */
const ROOTS = {
  Pod: ['V1Pod', 'v1'], Node: ['V1Node', 'v1'], Service: ['V1Service', 'v1'], Endpoints: ['V1Endpoints', 'v1'],
  EndpointSlice: ['V1EndpointSlice', 'discovery.k8s.io/v1'], ConfigMap: ['V1ConfigMap', 'v1'], Secret: ['V1Secret', 'v1'],
  NetworkPolicy: ['V1NetworkPolicy', 'networking.k8s.io/v1'], Namespace: ['V1Namespace', 'v1'], Deployment: ['V1Deployment', 'apps/v1'],
  ReplicaSet: ['V1ReplicaSet', 'apps/v1'], DaemonSet: ['V1DaemonSet', 'apps/v1'], Event: ['CoreV1Event', 'v1'], Ingress: ['V1Ingress', 'networking.k8s.io/v1'],
};
/** Where kubernetes-models keeps a type, by the prefix client-node gives colliding names. */
const MODEL_DIRS = ['v1', 'apps/v1', 'networking.k8s.io/v1', 'discovery.k8s.io/v1'];

function unpack(spec, dir) {
  const file = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop();
  const into = join(dir, spec.replace(/[@/]/g, '_'));
  execFileSync('mkdir', ['-p', into]);
  execFileSync('tar', ['xzf', join(dir, file), '-C', into]);
  return join(into, 'package');
}

const tmp = mkdtempSync(join(tmpdir(), 'k8s-schema-'));
const client = join(unpack(CLIENT, tmp), 'dist/gen/models');
const models = unpack(MODELS, tmp);

/** A client-node model: its attributes and which are required. */
function model(name) {
  const js = readFileSync(join(client, `${name}.js`), 'utf8');
  const m = /attributeTypeMap = (\[[\s\S]*?\]);/.exec(js);
  if (!m) throw new Error(`no attributeTypeMap in ${name}`);
  const attrs = JSON.parse(m[1]);
  const dts = readFileSync(join(client, `${name}.d.ts`), 'utf8');
  const required = new Set([...dts.matchAll(/^\s+'([^']+)': /gm)].map((x) => x[1]));
  return attrs.map((a) => ({ name: a.baseName, type: a.type, format: a.format, required: required.has(a.baseName) }));
}

/** The short (Go) name kubectl prints for a model: `V1PodSpec` → `PodSpec`, `DiscoveryV1EndpointPort` → `EndpointPort`. */
const goName = (n) => n.replace(/^(?:[A-Z][a-z]+)?V1/, '');
/** The key a type is stored under: its Go name, or the model name where two groups share one. */
const keyOf = (n) => (/^[A-Z][a-z]+V1/.test(n) ? n : goName(n));

/** Fields of a kubernetes-models declaration: name → the TypeScript type text. */
function modelFields(clientName) {
  const base = goName(clientName);
  const prefix = /^([A-Z][a-z]+)V1/.exec(clientName)?.[1];
  const dirs = prefix === 'Core' ? ['v1'] : prefix === 'Discovery' ? ['discovery.k8s.io/v1'] : prefix ? [] : MODEL_DIRS;
  for (const d of dirs) {
    const f = join(models, d, `${base}.d.ts`);
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    const body = /export interface I\w+ \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
    const out = {};
    for (const m of body.matchAll(/^ {4}"([^"]+)"\??: (\{[^}]*\}|[^;]+);/gm)) out[m[1]] ??= m[2].replace(/\s+/g, ' ');
    return out;
  }
  return {};
}

const types = {};
const disagreements = [];

function typeCode(attr, tsType, owner) {
  const t = attr.type;
  const arr = /^Array<(.+)>$/.exec(t);
  if (arr) return `[]${typeCode({ type: arr[1], format: attr.format }, tsType && /^Array<(.+)>$/.exec(tsType)?.[1], owner)}`;
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
  if (map) return `map[string]${typeCode({ type: map[1], format: attr.format }, tsType && /^\{\s*\[key: string\]: (.+?);?\s*\}$/.exec(tsType)?.[1], owner)}`;
  if (t === 'string') return /ResourceQuantity/.test(tsType ?? '') ? 'Quantity' : 'string';
  if (t === 'number') return attr.format === 'int32' ? 'int32' : attr.format === 'int64' ? 'int64' : 'number';
  if (t === 'boolean') return 'boolean';
  if (t === 'Date') return /MicroTime/.test(tsType ?? '') ? 'MicroTime' : 'Time';
  if (t === 'IntOrString') return 'IntOrString';
  if (t === 'V1MicroTime') return 'MicroTime';
  if (t === 'any') return 'FieldsV1';
  if (/^[A-Z]/.test(t)) {
    visit(t);
    return keyOf(t);
  }
  throw new Error(`unknown type ${t} in ${owner}`);
}

function visit(name) {
  const key = keyOf(name);
  if (types[key]) return;
  types[key] = [];
  const ts = modelFields(name);
  types[key] = model(name).map((a) => {
    const tsType = ts[a.name];
    const code = typeCode(a, tsType, name);
    const row = [a.name, code];
    const en = tsType && /^"[^"]*"(?: \| "[^"]*")*$/.test(tsType.trim()) ? [...tsType.matchAll(/"([^"]*)"/g)].map((m) => m[1]).sort() : undefined;
    if (a.required || en) row.push(a.required ? 1 : 0);
    if (en) row.push(en);
    return row;
  });
}

for (const [root] of Object.values(ROOTS)) visit(root);

// Enum values of the later document that v1.32 may lack: each must be named in the v1.32
// description of its field (the generator keeps the descriptions), or it is listed to check.
const clientName = Object.fromEntries(readdirSync(client).filter((f) => f.endsWith('.d.ts')).map((f) => f.slice(0, -5)).map((n) => [keyOf(n), n]));
for (const [key, fields] of Object.entries(types)) {
  const dts = readFileSync(join(client, `${clientName[key]}.d.ts`), 'utf8');
  for (const f of fields) {
    if (!f[3]) continue;
    const at = dts.indexOf(`'${f[0]}'`);
    const doc = dts.slice(dts.lastIndexOf('/**', at), at);
    const missing = f[3].filter((v) => v !== '' && !doc.includes(v));
    if (missing.length) disagreements.push(`${key}.${f[0]}: ${missing.join(', ')} not named in the v1.32 description`);
  }
}

const kinds = Object.fromEntries(Object.entries(ROOTS).map(([k, [m, v]]) => [k, [keyOf(m), v]]));
const data = JSON.stringify({ kinds, types });
const header = `/**
 * The v1.32 API's field tree for the kinds the sandbox serves: generated by
 * scripts/k8s-schema.mjs from ${CLIENT} (models generated from the Kubernetes v1.32.0 OpenAPI
 * document) with enum values and Quantity/MicroTime names from ${MODELS}. Do not edit.
 *
 * Design notes: one JSON string (parsed once, on first use) keeps the bundle small and the type
 * checker fast. \`kinds\` maps a kind to its type key and apiVersion; \`types\` maps a type's key to its fields as [name, type, required?, enum?];
 * a type is a primitive (string, int32, int64, number, boolean), IntOrString, Quantity, Time,
 * MicroTime, FieldsV1, \`[]T\`, \`map[string]T\` or another type's key.
 */
`;
writeFileSync(OUT, `${header}export const API_DATA = ${JSON.stringify(data)};\n`);
console.log(`${Object.keys(types).length} types, ${Object.values(types).reduce((n, f) => n + f.length, 0)} fields, ${data.length} bytes`);
for (const d of disagreements) console.log(`check: ${d}`);
