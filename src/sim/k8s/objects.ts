/**
 * Kinds the API server stores as written: ConfigMap, Secret, NetworkPolicy, and the
 * Endpoints and EndpointSlices a learner writes for a Service without a selector.
 *
 * Design notes: these kinds have no controller of their own in the sandbox, so an object is
 * its manifest after the API server's validation and defaulting, with server-set metadata
 * (uid, resourceVersion, creationTimestamp). Validation is admission's (validation/); here
 * each kind is decoded and defaulted:
 * - ConfigMap: `data` values are strings and `binaryData` values base64.
 * - Secret: `type` defaults to `Opaque`; `stringData` is merged into `data` (base64) and
 *   dropped, as the API server does; `data` must be base64.
 * - NetworkPolicy: `spec.policyTypes` defaults to `Ingress`, plus `Egress` when egress rules
 *   are given; ports default to TCP. On flannel nothing enforces a policy, as on a real
 *   flannel cluster; on Canal, Felix does (sim/policy/felix.ts).
 * - Endpoints and EndpointSlices: ports default to TCP.
 *   kube-proxy and CoreDNS read them through endpoints.ts, for Services without a selector.
 * Values the Go types cannot hold (a number in a ConfigMap's data, bad base64) are refused
 * with the decoder's BadRequest, as the API server refuses them.
 */
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { ApiError } from './api-error';
import type { ApiContext } from './context';
import { rfc3339 } from './time';
import { canonicalJson, uuid } from './names';
import { InvalidError } from './validation/field';
import { key, type ObjectMeta, type StoredObject } from './types';

export interface StoredKind {
  kind: 'ConfigMap' | 'Secret' | 'NetworkPolicy' | 'Endpoints' | 'EndpointSlice';
  plural: string;
  group: string;
  version: string;
}

export const STORED_KINDS: StoredKind[] = [
  { kind: 'ConfigMap', plural: 'configmaps', group: '', version: 'v1' },
  { kind: 'Secret', plural: 'secrets', group: '', version: 'v1' },
  { kind: 'NetworkPolicy', plural: 'networkpolicies', group: 'networking.k8s.io', version: 'v1' },
  { kind: 'Endpoints', plural: 'endpoints', group: '', version: 'v1' },
  { kind: 'EndpointSlice', plural: 'endpointslices', group: 'discovery.k8s.io', version: 'v1' },
];

export const apiVersionOf = (k: StoredKind): string => (k.group ? `${k.group}/${k.version}` : k.version);

export function storedKind(kind: string): StoredKind | undefined {
  return STORED_KINDS.find((k) => k.kind === kind);
}

export function storedKindByPlural(plural: string): StoredKind | undefined {
  return STORED_KINDS.find((k) => k.plural === plural);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Every stored object of a resource, in no particular order. */
export function storedList(state: SimState, plural: string): StoredObject[] {
  return Object.values(state.k8s.objects?.[plural] ?? {});
}

export function getStored(state: SimState, plural: string, namespace: string, name: string): StoredObject | undefined {
  return state.k8s.objects?.[plural]?.[key(namespace, name)];
}

export function deleteStored(state: SimState, plural: string, namespace: string, name: string): boolean {
  const all = state.k8s.objects?.[plural];
  const k = key(namespace, name);
  if (!all?.[k]) return false;
  delete all[k];
  if (plural === 'endpoints' || plural === 'endpointslices') state.proxyDirty = true;
  return true;
}

/** Removes every stored object of a namespace (the namespace controller). */
export function deleteStoredInNamespace(state: SimState, namespace: string): void {
  for (const all of Object.values(state.k8s.objects ?? {})) {
    for (const [k, o] of Object.entries(all)) if (o.metadata.namespace === namespace) delete all[k];
  }
  state.proxyDirty = true;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's base64.StdEncoding error position for a bad value, or -1 when it decodes. */
function base64Problem(v: string): number {
  if (BASE64.test(v)) return -1;
  for (let i = 0; i < v.length; i++) if (!/[A-Za-z0-9+/=]/.test(v[i]!)) return i;
  // Wrong length or misplaced padding: Go reports the offset of the last full quantum.
  return Math.floor(v.length / 4) * 4;
}

function cannotHandle(kind: string, detail: string): ApiError {
  return new ApiError('BadRequest', `${kind} in version "v1" cannot be handled as a ${kind}: ${detail}`);
}

function invalid(kind: StoredKind, name: string, details: string[]): ApiError {
  return new InvalidError(kind.kind, kind.group, name, details);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Bytes as standard base64 with padding (Go's []byte JSON encoding). */
export function base64Bytes(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    out += B64[a >> 2]! + B64[((a & 3) << 4) | (b >> 4)]!;
    out += i + 1 < bytes.length ? B64[((b & 15) << 2) | (c >> 6)]! : '=';
    out += i + 2 < bytes.length ? B64[c & 63]! : '=';
  }
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** A string's UTF-8 bytes, base64-encoded. */
export function base64Of(text: string): string {
  return base64Bytes(utf8(text));
}

/** Standard base64 decoded to a string (bytes as UTF-8); undefined when it is not base64. */
export function fromBase64(b64: string): string | undefined {
  if (!BASE64.test(b64)) return undefined;
  const bytes: number[] = [];
  const clean = b64.replace(/=+$/, '');
  let acc = 0;
  let bits = 0;
  for (const ch of clean) {
    acc = (acc << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) s += String.fromCharCode(b);
    else if (b >= 0xc0 && b < 0xe0 && i + 1 < bytes.length) s += String.fromCharCode(((b & 31) << 6) | (bytes[++i]! & 63));
    else if (b >= 0xe0 && b < 0xf0 && i + 2 < bytes.length) s += String.fromCharCode(((b & 15) << 12) | ((bytes[++i]! & 63) << 6) | (bytes[++i]! & 63));
    else s += '\ufffd';
  }
  return s;
}

/** The fields an object of `kind` keeps, decoded and defaulted; throws the decoder's refusal. */
export function normalise(kind: StoredKind, _name: string, body: Obj): Obj {
  switch (kind.kind) {
    case 'ConfigMap': {
      const out: Obj = {};
      for (const field of ['data', 'binaryData'] as const) {
        const m = body[field];
        if (m === undefined || m === null) continue;
        if (!isObj(m)) throw cannotHandle('ConfigMap', `json: cannot unmarshal ${Array.isArray(m) ? 'array' : typeof m} into Go struct field ConfigMap.${field} of type map[string]${field === 'data' ? 'string' : '[]uint8'}`);
        for (const v of Object.values(m)) {
          if (typeof v !== 'string') throw cannotHandle('ConfigMap', `json: cannot unmarshal ${typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : 'object'} into Go struct field ConfigMap.${field} of type ${field === 'data' ? 'string' : '[]uint8'}`);
          if (field === 'binaryData' && base64Problem(v) >= 0) throw cannotHandle('ConfigMap', `illegal base64 data at input byte ${base64Problem(v)}`);
        }
        out[field] = { ...m };
      }
      if (typeof body.immutable === 'boolean') out.immutable = body.immutable;
      return out;
    }
    case 'Secret': {
      const data: Record<string, string> = {};
      if (body.data !== undefined && body.data !== null) {
        if (!isObj(body.data)) throw cannotHandle('Secret', 'json: cannot unmarshal array into Go struct field Secret.data of type map[string][]uint8');
        for (const [k, v] of Object.entries(body.data)) {
          if (typeof v !== 'string') throw cannotHandle('Secret', `json: cannot unmarshal ${typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'object'} into Go struct field Secret.data of type []uint8`);
          const at = base64Problem(v);
          if (at >= 0) throw cannotHandle('Secret', `illegal base64 data at input byte ${at}`);
          data[k] = v;
        }
      }
      if (isObj(body.stringData)) for (const [k, v] of Object.entries(body.stringData)) data[k] = base64Of(String(v));
      const type = typeof body.type === 'string' && body.type !== '' ? body.type : 'Opaque';
      return { ...(Object.keys(data).length ? { data } : {}), ...(typeof body.immutable === 'boolean' ? { immutable: body.immutable } : {}), type };
    }
    case 'NetworkPolicy': {
      const spec: Obj = isObj(body.spec) ? JSON.parse(JSON.stringify(body.spec)) : {};
      if (!isObj(spec.podSelector)) spec.podSelector = {};
      const rules = (list: unknown): void => {
        for (const r of Array.isArray(list) ? list : []) {
          if (!isObj(r)) continue;
          for (const p of Array.isArray(r.ports) ? r.ports : []) if (isObj(p) && p.protocol === undefined) p.protocol = 'TCP';
        }
      };
      rules(spec.ingress);
      rules(spec.egress);
      if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
        spec.policyTypes = ['Ingress', ...(Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Egress'] : [])];
      }
      return { spec };
    }
    case 'Endpoints': {
      const subsets = Array.isArray(body.subsets) ? (JSON.parse(JSON.stringify(body.subsets)) as Obj[]) : [];
      for (const ss of subsets) {
        for (const p of Array.isArray(ss.ports) ? ss.ports : []) if (isObj(p) && p.protocol === undefined) p.protocol = 'TCP';
      }
      return { subsets };
    }
    case 'EndpointSlice': {
      const endpoints = Array.isArray(body.endpoints) ? JSON.parse(JSON.stringify(body.endpoints)) : [];
      const ports = Array.isArray(body.ports) ? (JSON.parse(JSON.stringify(body.ports)) as Obj[]) : [];
      for (const p of ports) if (isObj(p) && p.protocol === undefined) p.protocol = 'TCP';
      return { ...(body.addressType !== undefined ? { addressType: body.addressType } : {}), endpoints, ports };
    }
  }
}

function stringMap(v: unknown): Record<string, string> | undefined {
  return isObj(v) ? (Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) as Record<string, string>) : undefined;
}

/** Stores a new object of a stored kind; the body is a manifest (its metadata's labels and annotations are kept). */
export function createStored(ctx: ApiContext, kind: StoredKind, namespace: string, name: string, body: Obj): StoredObject {
  const all = ((ctx.state.k8s.objects ??= {})[kind.plural] ??= {});
  const k = key(namespace, name);
  if (all[k]) throw new ApiError('AlreadyExists', `${kind.plural}${kind.group ? `.${kind.group}` : ''} "${name}" already exists`);
  const fields = normalise(kind, name, body);
  const m = isObj(body.metadata) ? body.metadata : {};
  const labels = stringMap(m.labels);
  const annotations = stringMap(m.annotations);
  const metadata: ObjectMeta = {
    name,
    namespace,
    uid: uuid(deriveRng(ctx.state.seed, `uid:${kind.kind}/${k}#${ctx.state.k8s.resourceVersion}`)),
    resourceVersion: String(++ctx.state.k8s.resourceVersion),
    creationTimestamp: rfc3339(ctx.now),
    ...(labels && Object.keys(labels).length ? { labels } : {}),
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
  const obj: StoredObject = { apiVersion: apiVersionOf(kind), kind: kind.kind, metadata, ...fields };
  all[k] = obj;
  if (kind.plural === 'endpoints' || kind.plural === 'endpointslices') ctx.state.proxyDirty = true;
  return obj;
}

/** Replaces the kind's fields with the manifest's; true when anything changed. */
export function updateStored(ctx: ApiContext, kind: StoredKind, namespace: string, name: string, body: Obj): boolean {
  const obj = getStored(ctx.state, kind.plural, namespace, name);
  if (!obj) throw new ApiError('NotFound', `${kind.plural}${kind.group ? `.${kind.group}` : ''} "${name}" not found`);
  const fields = normalise(kind, name, body);
  const { apiVersion: _a, kind: _k, metadata: _m, ...before } = obj;
  if (canonicalJson(before) === canonicalJson(fields)) return false;
  if (obj.immutable === true) {
    throw invalid(kind, name, ['data: Forbidden: field is immutable when `immutable` is set']);
  }
  for (const f of Object.keys(before)) delete obj[f];
  Object.assign(obj, fields);
  obj.metadata.resourceVersion = String(++ctx.state.k8s.resourceVersion);
  if (kind.plural === 'endpoints' || kind.plural === 'endpointslices') ctx.state.proxyDirty = true;
  return true;
}
