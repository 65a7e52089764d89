import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABS } from '../../labs/index';
import { FIXTURE_LABS } from '../../tests/fixtures/labs/index';
import { MANIFEST_KINDS } from '../sim/k8s/manifests';
import { decode } from '../sim/k8s/schema/decode';
import { fieldText } from '../sim/k8s/schema';
import { EXAMPLES } from '../shell/commands/kubectl/examples/bundle';
import { parseManifest } from '../shell/commands/kubectl/mutate';
import { manifestSchema, manifestSchemas, schemaKey, type JsonSchema } from './manifest-schema';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * The draft-07 rules the generated schemas use, as yaml-language-server applies them: the paths
 * of the values a schema refuses.
 */
function problems(root: JsonSchema, value: unknown, schema: JsonSchema = root, path = ''): string[] {
  if (schema.$ref) return problems(root, value, root.definitions![schema.$ref.replace('#/definitions/', '')]!, path);
  const out: string[] = [];
  for (const sub of schema.allOf ?? []) out.push(...problems(root, value, sub, path));
  if (schema.if && problems(root, value, schema.if, path).length === 0 && schema.then) out.push(...problems(root, value, schema.then, path));
  const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  if (schema.type !== undefined) {
    const types = ([] as string[]).concat(schema.type);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [...out, `${path}: type ${t}`];
  }
  if (schema.const !== undefined && value !== schema.const) out.push(`${path}: const`);
  if (schema.enum && !schema.enum.includes(value as never)) out.push(`${path}: enum`);
  if (typeof value === 'number' && ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum))) out.push(`${path}: range`);
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => out.push(...problems(root, v, schema.items!, `${path}[${i}]`)));
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) out.push(`${path ? `${path}.` : ''}${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const p = path ? `${path}.${k}` : k;
      const prop = schema.properties?.[k];
      if (prop) out.push(...problems(root, v, prop, p));
      else if (schema.additionalProperties === false) out.push(`${p}: unknown`);
      else if (typeof schema.additionalProperties === 'object') out.push(...problems(root, v, schema.additionalProperties, p));
    }
  }
  return out;
}

const manifests: [string, Record<string, Json>][] = [
  ...Object.entries(EXAMPLES),
  ...[...LABS, ...FIXTURE_LABS].filter((l) => l.manifests.trim() !== '').map((l): [string, string] => [`${l.id}.yaml`, l.manifests]),
].flatMap(([source, text]) => parseManifest(text, source).map((d): [string, Record<string, Json>] => [`${source} ${String((d.obj as Record<string, unknown>).kind)}`, d.obj as Record<string, Json>]))
  .filter(([, obj]) => MANIFEST_KINDS[String(obj.kind)] === obj.apiVersion);

describe('the JSON schemas of manifests', () => {
  const one = manifestSchema();
  const each = manifestSchemas();

  it('has one schema per kind a manifest may create, keyed apiVersion/kind', () => {
    expect(Object.keys(each)).toEqual(Object.entries(MANIFEST_KINDS).map(([kind, v]) => schemaKey(v, kind)));
    expect(Object.keys(each)).toEqual(expect.arrayContaining(['v1/Service', 'apps/v1/Deployment', 'networking.k8s.io/v1/Ingress', 'v1/ConfigMap']));
    const svc = each['v1/Service']!;
    expect(svc.properties!.apiVersion!.enum).toEqual(['v1']);
    expect(svc.properties!.kind!.enum).toEqual(['Service']);
    expect(svc.required).toEqual(['apiVersion', 'kind']);
  });

  it("carries the API's enums, required fields, integer ranges and the sandbox's descriptions", () => {
    const defs = each['v1/Service']!.definitions!;
    const spec = defs.ServiceSpec!;
    expect(spec.additionalProperties).toBe(false);
    expect(spec.properties!.type!.enum).toEqual(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']);
    expect(spec.properties!.type!.description).toBe(fieldText('ServiceSpec', 'type'));
    expect(spec.properties!.ports).toMatchObject({ type: ['array', 'null'], items: { $ref: '#/definitions/ServicePort' } });
    expect(defs.ServicePort!.required).toEqual(['port']);
    expect(defs.ServicePort!.properties!.port).toMatchObject({ type: ['integer', 'null'], minimum: -(2 ** 31), maximum: 2 ** 31 - 1 });
    expect(defs.ServicePort!.properties!.targetPort!.type).toEqual(['integer', 'string', 'null']);
    expect(defs.ObjectMeta!.properties!.labels).toMatchObject({ type: ['object', 'null'], additionalProperties: { type: ['string', 'null'] } });
    // A struct field keeps its description beside the reference.
    expect(each['apps/v1/Deployment']!.definitions!.DeploymentSpec!.properties!.template).toEqual({ description: fieldText('DeploymentSpec', 'template'), allOf: [{ $ref: '#/definitions/PodTemplateSpec' }] });
    // Only the structs a kind reaches.
    expect(Object.keys(each['v1/ConfigMap']!.definitions!).sort()).toEqual(['ConfigMap', 'ManagedFieldsEntry', 'ObjectMeta', 'OwnerReference']);
  });

  it('accepts every example and lab manifest the sandbox applies', () => {
    expect(manifests.length).toBeGreaterThan(20);
    for (const [name, obj] of manifests) {
      expect(decode(obj).error, name).toBeUndefined();
      expect(problems(one, obj), name).toEqual([]);
      expect(problems(each[schemaKey(String(obj.apiVersion), String(obj.kind))]!, obj), name).toEqual([]);
    }
  });

  it('refuses what strict decoding refuses: an unknown field or a value of the wrong type, anywhere', () => {
    const leaves = (v: Json, path: (string | number)[] = []): (string | number)[][] =>
      v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [[...path, Array.isArray(v) ? Number(k) : k], ...leaves(x, [...path, Array.isArray(v) ? Number(k) : k])]) : [];
    const at = (obj: Json, path: (string | number)[]): { parent: Record<string, Json> | Json[]; key: string | number } => {
      let cur = obj as Record<string, Json>;
      for (const k of path.slice(0, -1)) cur = (cur as Record<string | number, Json>)[k] as Record<string, Json>;
      return { parent: cur, key: path[path.length - 1]! };
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: manifests.length - 1 }), fc.nat(), fc.boolean(), (i, pick, unknownField) => {
        const obj = JSON.parse(JSON.stringify(manifests[i]![1])) as Json;
        // Inside annotations, labels and other maps any key is allowed: only struct fields count.
        // apiVersion and kind are kubectl's to check, before the server decodes anything.
        const paths = leaves(obj).filter((p) => !(p.length === 1 && (p[0] === 'apiVersion' || p[0] === 'kind')) && !p.some((k) => ['labels', 'annotations', 'matchLabels', 'selector', 'data', 'stringData', 'nodeSelector', 'fieldsV1', 'limits', 'requests'].includes(String(k))));
        const path = paths[pick % paths.length]!;
        const { parent, key } = at(obj, path);
        if (unknownField) {
          const target = (parent as Record<string | number, Json>)[key];
          if (!target || typeof target !== 'object' || Array.isArray(target)) return;
          (target as Record<string, Json>).notAField = 1;
        } else {
          const old = (parent as Record<string | number, Json>)[key];
          // A value no field of the API takes in that form: an object where a scalar was, a list where an object was.
          (parent as Record<string | number, Json>)[key] = old && typeof old === 'object' && !Array.isArray(old) ? [1] : { wrong: true };
        }
        const decoded = decode(obj);
        expect(decoded.error, JSON.stringify(path)).toBeDefined();
        expect(problems(one, obj).length, JSON.stringify(path)).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('picks the schema by kind, and refuses an apiVersion that does not serve it', () => {
    expect(problems(one, { apiVersion: 'apps/v1', kind: 'Service' })).toEqual(['apiVersion: enum']);
    expect(problems(one, { apiVersion: 'v1', kind: 'Widget' })).toEqual(['kind: enum']);
    expect(problems(one, { apiVersion: 'v1', kind: 'Service', spec: { type: 'Foo', ports: [{ port: 70000, bogus: 1 }] } })).toEqual(['spec.type: enum', 'spec.ports[0].bogus: unknown']);
    const pod = problems(one, { kind: 'Pod', metadata: { name: 'p', creationTimestamp: null }, spec: { containers: [{ image: 'nginx' }] } });
    expect([...new Set(pod)].sort()).toEqual(['apiVersion: required', 'spec.containers[0].name: required']);
  });
});
