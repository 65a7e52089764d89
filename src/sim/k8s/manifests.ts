/**
 * Manifests (parsed YAML or JSON objects) turned into API calls, as `kubectl apply` and
 * `kubectl create -f` make them.
 *
 * Design notes: documents are handled one by one, as kubectl does: each is checked on the
 * client side (an object, apiVersion and kind set, a kind the server serves, the namespace
 * `-n` allows), decoded (decodeDocument: with kubectl's --validate, strictly as the API server
 * decodes it, schema/decode.ts: unknown fields and wrong types refused or warned about), admitted by the API server (validation/index.ts: every field error of the
 * object at once, then the allocators), and only then written. A document that fails changes
 * nothing (the write itself runs against a snapshot it falls back to), and the documents
 * after it are still applied; kubectl reports every failure at the end, the client-side ones
 * first (errorLines). Each error carries the two forms kubectl prints it in: alone (`text`:
 * `The Deployment "web" is invalid: ...`, `Error from server (AlreadyExists): error when
 * creating "web.yaml": ...`, `error: ...`) and as one of several (`multiText`: an Invalid
 * status as `Error from server (Invalid): error when creating "web.yaml": Deployment.apps "web"
 * is invalid: ...`, kubectl's own errors without `error: `).
 * `kind: List` documents are flattened into their items.
 * apply: a new object is created with the `kubectl.kubernetes.io/last-applied-configuration`
 * annotation (the manifest as compact JSON with sorted keys, as kubectl writes it); an existing
 * one is compared with what the manifest asks for: identical (and the annotation unchanged)
 * means `unchanged`, otherwise the fields the sandbox models are updated and it is
 * `configured`. Labels follow the three-way merge: keys the previous apply set and this one
 * drops are removed, keys set by others are kept. An object created without apply gets
 * kubectl's missing-annotation warning and is `configured`. A Deployment's replica count is
 * changed through the scale path, so pods come and go as the ReplicaSet controller decides.
 * create: a new object is `created`; an existing one is AlreadyExists.
 * Pod specs keep containers (ports with host ports, env, volume mounts, resources), nodeName,
 * hostNetwork, nodeSelector, restartPolicy, serviceAccountName, priorityClassName,
 * tolerations, hostname, subdomain, dnsPolicy, dnsConfig and volumes (Secret and ConfigMap
 * sources, which a pod waits for); probes, security contexts and affinity are dropped.
 * Kinds: Namespace, Pod, Deployment, Service (every type), Ingress, and the kinds stored as
 * written (ConfigMap, Secret, NetworkPolicy, Endpoints, EndpointSlice: objects.ts); a kind the
 * server does not serve (a CRD's) is refused as kubectl refuses it (`resource mapping not
 * found ... ensure CRDs are installed first`), a built-in kind the sandbox does not model
 * (StatefulSet, Job, ...) with a message that says so (unmodelled.ts).
 * A changed pod template of a Deployment starts a rolling update (rollout.ts); a pod's
 * containers may change only their images. `update` mode (patch, edit) replaces labels and
 * annotations with the object's and leaves the last-applied annotation alone.
 * Left out: server-side apply and field ownership, strategic merge patches of lists,
 * changing a Service's type through apply; a failed update among several errors shows the
 * applied manifest where kubectl shows the patch it computed.
 */
import { objectWarnings } from './pod-warnings';
import { clone } from '../clone';
import { canonicalJson } from './names';
import { ApiError, createDeployment, createIngress, createNamespace, createPod, createService, updateServiceType, type ApiContext } from './api';
import { patchLabels, reconcile, scaleObject, type Resource } from './controllers';
import { setDeploymentTemplate } from './rollout';
import { key, type EnvVar, type Ingress, type ObjectMeta, type PodSpec, type Service, type ServicePort } from './types';
import { apiVersionOf, createStored, getStored, normalise, storedKind, STORED_KINDS, updateStored } from './objects';
import { syncCoreDns } from './coredns-config';
import { unmodelledKind } from './unmodelled';
import { decode, type ValidateMode } from './schema/decode';
import { admit, InvalidError } from './validation';
import { POD_UPDATE_FORBIDDEN } from './validation/pod';

export interface ApplyResult {
  /** `deployment.apps/web`, `service/web`, `pod/client`, `namespace/dev`. */
  ref: string;
  action: 'created' | 'configured' | 'unchanged';
  /** A warning kubectl prints to stderr before the result line. */
  warning?: string;
}

/**
 * One parsed document and where it came from (`web.yaml`, or `STDIN` for `-f -`); `error` is
 * kubectl's message for a document it could not read (the documents after it in that file
 * are not read).
 */
export interface SourcedDoc {
  obj: unknown;
  source: string;
  error?: string;
}

export interface ManifestOptions {
  /** The namespace for objects that name none (`-n`, default `default`). */
  namespace?: string;
  /** `-n` was given: an object naming another namespace is refused, as kubectl refuses it. */
  enforceNamespace?: boolean;
  /** `update`: the object replaces the live one (patch, edit): no last-applied annotation, labels as given. */
  mode?: 'apply' | 'create' | 'update';
  /** kubectl's --validate: the API server decodes each document strictly (schema/decode.ts); `none` (the default) skips decoding. */
  validate?: ValidateMode | 'none';
}

/** An ApiError that also knows the lines kubectl prints for it. */
export class ManifestError extends ApiError {
  constructor(
    reason: ApiError['reason'],
    message: string,
    /** kubectl's whole message when it is the only error (without the trailing newline). */
    readonly text: string,
    /** The message as one of several errors kubectl prints together. */
    readonly multiText: string = text.replace(/^error: /, ''),
    /** Found on the client side, before any request (kubectl prints these first). */
    readonly client = false,
    /** An Invalid status's causes, one per field error (`spec.ports[0].port: Invalid value: ...`). */
    readonly causes: readonly string[] = [],
  ) {
    super(reason, message);
  }
}

/** What applying a list of documents did: its results and its failures, in kubectl's order. */
export interface ApplyOutcome {
  results: ApplyResult[];
  errors: ManifestError[];
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

type Kind = 'Namespace' | 'Pod' | 'Deployment' | 'Service' | 'Ingress' | 'ConfigMap' | 'Secret' | 'NetworkPolicy' | 'Endpoints' | 'EndpointSlice';

interface Planned {
  kind: Kind;
  name: string;
  namespace: string;
  obj: Obj;
  source: string;
  /** The last-applied annotation this apply writes. */
  lastApplied: string;
}

const GROUP: Record<Kind, string> = {
  Namespace: '', Pod: '', Deployment: 'apps', Service: '', Ingress: 'networking.k8s.io',
  ConfigMap: '', Secret: '', NetworkPolicy: 'networking.k8s.io', Endpoints: '', EndpointSlice: 'discovery.k8s.io',
};
const PLURAL: Record<Kind, Resource> = {
  Namespace: 'namespaces', Pod: 'pods', Deployment: 'deployments', Service: 'services', Ingress: 'ingresses',
  ConfigMap: 'configmaps', Secret: 'secrets', NetworkPolicy: 'networkpolicies', Endpoints: 'endpoints', EndpointSlice: 'endpointslices',
};

/** The kinds a manifest may create or update, each with the apiVersion the sandbox serves it in. */
export const MANIFEST_KINDS: Readonly<Record<string, string>> = {
  Namespace: 'v1',
  Pod: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  Ingress: 'networking.k8s.io/v1',
  ...Object.fromEntries(STORED_KINDS.map((k) => [k.kind, apiVersionOf(k)])),
};

/** The API server's Invalid error with one cause; kubectl prints it as `The Kind "name" is invalid: ...`. */
function invalid(kind: string, name: string, detail: string): InvalidError {
  return new InvalidError(kind, GROUP[kind as Kind] ?? '', name, [detail]);
}

/** `Resource: "apps/v1, Resource=deployments", ...`: how kubectl names the object a patch was for. */
function infoText(p: Planned): string {
  const gv = GROUP[p.kind] ? `${GROUP[p.kind]}/v1` : '/v1';
  return `Resource: "${gv}, Resource=${PLURAL[p.kind]}", GroupVersionKind: "${gv}, Kind=${p.kind}"\nName: "${p.name}", Namespace: "${p.kind === 'Namespace' ? '' : p.namespace}"`;
}

/** A refusal from the server for one document, as kubectl wraps it with the document's source. */
function serverError(e: ApiError, p: Planned | { source: string }, patched = false): ManifestError {
  if (e instanceof ManifestError) return e;
  if (e.reason === 'BadRequest' && e.message.startsWith('the sandbox')) return new ManifestError(e.reason, e.message, `error: ${e.message}`);
  const where = patched && 'kind' in p
    ? `error when applying patch:\n${p.lastApplied.trimEnd()}\nto:\n${infoText(p)}\nfor: "${p.source}": error when patching "${p.source}": ${e.message}`
    : `error when creating "${p.source}": ${e.message}`;
  const multi = `Error from server (${e.reason}): ${where}`;
  if (e instanceof InvalidError) return new ManifestError('Invalid', e.message, e.text, multi, false, e.causes);
  return new ManifestError(e.reason, e.message, multi, multi);
}

function clientError(message: string): ManifestError {
  return new ManifestError('BadRequest', message, `error: ${message}`, message, true);
}

/** Go's json.Marshal of an unstructured object: sorted keys, HTML characters escaped. */
function goJson(v: unknown): string {
  return canonicalJson(v).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** `kind: List` documents stand for their items. */
function flatten(docs: SourcedDoc[]): SourcedDoc[] {
  return docs.flatMap((d) => {
    if (d.error !== undefined) return [d];
    if (d.obj === null || d.obj === undefined) return [];
    if (isObj(d.obj) && d.obj.kind === 'List' && Array.isArray(d.obj.items)) return flatten(d.obj.items.map((obj) => ({ obj, source: d.source })));
    return [d];
  });
}

/** kubectl's client-side reading of a document: what it is, and where it goes. */
function plan(doc: SourcedDoc, opts: Required<ManifestOptions>): Planned {
  const { obj, source } = doc;
  if (!isObj(obj)) throw clientError(`error validating "${source}": error validating data: the document is not an object; if you choose to ignore these errors, turn validation off with --validate=false`);
  const missing = [!obj.apiVersion && 'apiVersion not set', !obj.kind && 'kind not set'].filter(Boolean) as string[];
  if (missing.length) {
    const list = missing.length === 1 ? missing[0]! : `[${missing.join(', ')}]`;
    throw clientError(`error validating "${source}": error validating data: ${list}; if you choose to ignore these errors, turn validation off with --validate=false`);
  }
  const kind = String(obj.kind);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (MANIFEST_KINDS[kind] !== String(obj.apiVersion)) {
    const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
    const builtIn = unmodelledKind(kind, String(obj.apiVersion));
    if (builtIn) throw new ManifestError('BadRequest', builtIn, `error: ${builtIn}`, builtIn, true);
    throw clientError(`resource mapping not found for name: "${name}" namespace: "${ns}" from "${source}": no matches for kind "${kind}" in version "${String(obj.apiVersion)}"\nensure CRDs are installed first`);
  }
  const k = kind as Kind;
  let namespace = '';
  if (k !== 'Namespace') {
    const own = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
    if (own !== undefined && opts.enforceNamespace && own !== opts.namespace) {
      throw clientError(`the namespace from the provided object "${own}" does not match the namespace "${opts.namespace}". You must pass '--namespace=${own}' to perform this operation.`);
    }
    namespace = own ?? opts.namespace;
  }
  // kubectl stores the manifest itself (with its namespace filled in, without this annotation).
  const annotations = isObj(meta.annotations) ? { ...meta.annotations } : {};
  delete annotations[LAST_APPLIED];
  const stored = { ...obj, metadata: { ...meta, annotations, ...(k !== 'Namespace' ? { namespace } : {}) } };
  return { kind: k, name, namespace, obj, source, lastApplied: opts.mode === 'apply' ? goJson(stored) + '\n' : '' };
}

/**
 * The server's decoding of a document into its kind's fields, before admission: with
 * `validate`, strictly (schema/decode.ts: unknown and duplicate fields, wrong types; `warn`
 * returns warnings, `ignore` drops unknown fields); the stored kinds' normalisation then
 * refuses the values their Go types cannot hold (objects.ts). `obj` is the document as
 * decoded, `request` what admission sees.
 */
function decodeDocument(p: Planned, validate: ValidateMode | 'none'): { obj: Obj; request: Obj; warnings: string[] } {
  let obj = p.obj;
  let warnings: string[] = [];
  if (validate !== 'none') {
    const d = decode(p.obj, validate);
    if (d.error) throw new ApiError('BadRequest', d.error);
    obj = d.obj as Obj;
    warnings = d.warnings;
  }
  const stored = storedKind(p.kind);
  if (!stored) return { obj, request: obj, warnings };
  const { apiVersion, kind, metadata } = obj;
  return { obj, request: { apiVersion, kind, metadata, ...normalise(stored, p.name, obj) }, warnings };
}

function labelsOf(o: Obj): Record<string, string> | undefined {
  const m = isObj(o.metadata) ? o.metadata : {};
  return isObj(m.labels) ? (Object.fromEntries(Object.entries(m.labels).map(([k, v]) => [k, String(v)])) as Record<string, string>) : undefined;
}

/** The pod spec the sandbox keeps from an admitted manifest. */
function podSpec(spec: unknown): PodSpec {
  const s = isObj(spec) ? spec : {};
  const containers = (Array.isArray(s.containers) ? s.containers : []).filter(isObj).map((c) => ({
    name: String(c.name ?? ''),
    image: String(c.image ?? ''),
    ...(Array.isArray(c.command) ? { command: c.command.map(String) } : {}),
    ...(Array.isArray(c.args) ? { args: c.args.map(String) } : {}),
    ...(Array.isArray(c.ports)
      ? { ports: c.ports.filter(isObj).map((p) => ({ ...(typeof p.name === 'string' ? { name: p.name } : {}), containerPort: Number(p.containerPort), protocol: (p.protocol as 'TCP' | 'UDP') ?? 'TCP', ...(typeof p.hostPort === 'number' && p.hostPort > 0 ? { hostPort: p.hostPort } : {}) })) }
      : {}),
    ...(Array.isArray(c.env) ? { env: envVars(c.env) } : {}),
    ...(Array.isArray(c.volumeMounts) ? { volumeMounts: c.volumeMounts.filter(isObj).map((m) => ({ name: String(m.name ?? ''), mountPath: String(m.mountPath ?? ''), ...(m.readOnly === true ? { readOnly: true } : {}) })) } : {}),
    ...(isObj(c.resources) ? { resources: resourceRequirements(c.resources) } : {}),
  }));
  return {
    containers,
    ...(typeof s.restartPolicy === 'string' ? { restartPolicy: s.restartPolicy } : {}),
    ...(typeof s.serviceAccountName === 'string' && s.serviceAccountName ? { serviceAccountName: s.serviceAccountName } : {}),
    ...(typeof s.priorityClassName === 'string' && s.priorityClassName ? { priorityClassName: s.priorityClassName } : {}),
    ...(Array.isArray(s.tolerations) ? { tolerations: s.tolerations.filter(isObj).map(toleration) } : {}),
    ...(typeof s.enableServiceLinks === 'boolean' ? { enableServiceLinks: s.enableServiceLinks } : {}),
    ...(typeof s.nodeName === 'string' ? { nodeName: s.nodeName } : {}),
    ...(s.hostNetwork === true ? { hostNetwork: true } : {}),
    ...(isObj(s.nodeSelector) ? { nodeSelector: Object.fromEntries(Object.entries(s.nodeSelector).map(([k, v]) => [k, String(v)])) } : {}),
    ...podDnsFields(s),
    ...(Array.isArray(s.volumes) ? { volumes: podVolumes(s.volumes) } : {}),
  };
}

/** A container's requests and limits, quantities kept as written (quantity.ts reads them). */
function resourceRequirements(r: Obj): NonNullable<PodSpec['containers'][number]['resources']> {
  const map = (v: unknown): Record<string, string> | undefined => (isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, q]) => [k, String(q)])) : undefined);
  const requests = map(r.requests);
  const limits = map(r.limits);
  return { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) };
}

/** A toleration with the fields it sets. */
function toleration(t: Obj): NonNullable<PodSpec['tolerations']>[number] {
  return {
    ...(typeof t.key === 'string' ? { key: t.key } : {}),
    ...(typeof t.operator === 'string' ? { operator: t.operator } : {}),
    ...(typeof t.value === 'string' ? { value: t.value } : {}),
    ...(typeof t.effect === 'string' ? { effect: t.effect } : {}),
    ...(typeof t.tolerationSeconds === 'number' ? { tolerationSeconds: t.tolerationSeconds } : {}),
  };
}

/** hostname, subdomain, dnsPolicy and dnsConfig (validated by admission). */
function podDnsFields(spec: Obj): Pick<PodSpec, 'hostname' | 'subdomain' | 'dnsPolicy' | 'dnsConfig'> {
  const out: Pick<PodSpec, 'hostname' | 'subdomain' | 'dnsPolicy' | 'dnsConfig'> = {};
  for (const field of ['hostname', 'subdomain'] as const) {
    const v = spec[field];
    if (v !== undefined && v !== '') out[field] = String(v);
  }
  if (spec.dnsPolicy !== undefined) out.dnsPolicy = String(spec.dnsPolicy);
  if (isObj(spec.dnsConfig)) {
    const c = spec.dnsConfig;
    const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);
    const nameservers = list(c.nameservers);
    const searches = list(c.searches);
    const options = Array.isArray(c.options) ? c.options.filter(isObj).map((o) => ({ name: String(o.name ?? ''), ...(o.value !== undefined ? { value: String(o.value) } : {}) })) : undefined;
    out.dnsConfig = { ...(nameservers ? { nameservers } : {}), ...(searches ? { searches } : {}), ...(options ? { options } : {}) };
  }
  return out;
}

/** Volumes: Secret and ConfigMap sources are kept (a pod waits for them), others by name. */
function podVolumes(volumes: unknown[]): NonNullable<PodSpec['volumes']> {
  return volumes.filter(isObj).map((v) => ({
    name: String(v.name ?? ''),
    ...(isObj(v.secret) ? { secret: { secretName: String(v.secret.secretName ?? ''), ...(v.secret.optional === true ? { optional: true } : {}) } } : {}),
    ...(isObj(v.configMap) ? { configMap: { name: String(v.configMap.name ?? ''), ...(v.configMap.optional === true ? { optional: true } : {}) } } : {}),
    ...(isObj(v.emptyDir) ? { emptyDir: {} } : {}),
  }));
}

/** A container's `env` list: names with a value or a `valueFrom.fieldRef`. */
function envVars(list: unknown[]): EnvVar[] {
  return list.filter(isObj).filter((e) => typeof e.name === 'string').map((e) => {
    const ref = isObj(e.valueFrom) && isObj(e.valueFrom.fieldRef) && typeof e.valueFrom.fieldRef.fieldPath === 'string' ? e.valueFrom.fieldRef.fieldPath : undefined;
    return { name: String(e.name), ...(e.value !== undefined && e.value !== null ? { value: String(e.value) } : {}), ...(ref !== undefined ? { valueFrom: { fieldRef: { fieldPath: ref } } } : {}) };
  });
}

/** A Service's ports after defaulting: protocol TCP, targetPort the port when absent, 0 or empty. */
function servicePorts(ports: unknown): ServicePort[] {
  if (!Array.isArray(ports)) return [];
  return ports.filter(isObj).map((p) => {
    const port = typeof p.port === 'number' ? p.port : 0;
    const target = p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '' ? port : (p.targetPort as number | string);
    return {
      ...(typeof p.name === 'string' ? { name: p.name } : {}),
      protocol: (typeof p.protocol === 'string' ? p.protocol : 'TCP') as ServicePort['protocol'],
      port,
      targetPort: target,
      ...(typeof p.nodePort === 'number' && p.nodePort !== 0 ? { nodePort: p.nodePort } : {}),
    };
  });
}

/** The object as the request carries it to the API server: defaults filled in, the annotations it will have. */
function requestObject(ctx: ApiContext, p: Planned, decoded: Obj, live: ObjectMeta | undefined, mode: 'apply' | 'create' | 'update'): Obj {
  const meta = isObj(decoded.metadata) ? decoded.metadata : {};
  const annotations: Record<string, unknown> = {
    ...(live && mode === 'apply' ? live.annotations ?? {} : {}),
    ...(isObj(meta.annotations) ? meta.annotations : {}),
    ...(mode === 'apply' ? { [LAST_APPLIED]: p.lastApplied } : {}),
  };
  // The server clears the namespace of a cluster-scoped object (BeforeCreate).
  const { namespace: _ns, ...rest } = meta;
  const out: Obj = { ...decoded, metadata: { ...rest, name: p.name, ...(p.kind !== 'Namespace' ? { namespace: p.namespace } : {}), ...(Object.keys(annotations).length ? { annotations } : {}) } };
  const spec = isObj(decoded.spec) ? decoded.spec : undefined;
  if (p.kind === 'Deployment' && spec) {
    const replicas = spec.replicas ?? (live ? ctx.state.k8s.deployments[key(p.namespace, p.name)]?.spec.replicas : undefined) ?? 1;
    out.spec = { ...spec, replicas };
  }
  if (p.kind === 'Service' && spec) {
    out.spec = { ...spec, ports: Array.isArray(spec.ports) ? spec.ports.map((x) => (isObj(x) ? { ...x, ...servicePorts([x])[0], ...(x.nodePort === undefined ? {} : { nodePort: x.nodePort }) } : x)) : spec.ports };
  }
  return out;
}

/**
 * Applies each document in turn, as kubectl does: a document that fails changes nothing and
 * the others are still applied. `docs` are plain objects (source `STDIN`) or documents with
 * their source.
 */
export function applyEach(ctx: ApiContext, docs: unknown[] | SourcedDoc[], options: string | ManifestOptions = {}): ApplyOutcome {
  const o = typeof options === 'string' ? { namespace: options } : options;
  const opts: Required<ManifestOptions> = { namespace: o.namespace ?? 'default', enforceNamespace: o.enforceNamespace ?? false, mode: o.mode ?? 'apply', validate: o.validate ?? 'none' };
  const sourced = docs.map((d) => (isObj(d) && 'source' in d && 'obj' in d && typeof d.source === 'string' ? (d as unknown as SourcedDoc) : { obj: d, source: 'STDIN' }));
  const results: ApplyResult[] = [];
  const clientErrors: ManifestError[] = [];
  const serverErrors: ManifestError[] = [];
  const planned: Planned[] = [];
  // kubectl reads and checks every document before it sends the first.
  for (const d of flatten(sourced)) {
    if (d.error !== undefined) {
      clientErrors.push(new ManifestError('BadRequest', d.error, `error: ${d.error}`, d.error, true));
      continue;
    }
    try {
      planned.push(plan(d, opts));
    } catch (e) {
      if (e instanceof ManifestError) clientErrors.push(e);
      else throw e;
    }
  }
  for (const p of planned) {
    try {
      results.push(applyDocument(ctx, p, opts.mode, opts.validate));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      serverErrors.push(serverError(e, p, opts.mode === 'apply' && existingMeta(ctx, p) !== undefined));
    }
  }
  return { results, errors: [...clientErrors, ...serverErrors] };
}

/**
 * The lines kubectl prints for the failures of one command (CheckErr of the aggregate apply
 * and create return): one error alone in its own form; several one per line, the client-side
 * ones first and, when there are several of those, together as `[a, b]` on one line.
 */
export function errorLines(errors: ManifestError[]): string[] {
  const client = errors.filter((e) => e.client);
  const groups: (ManifestError | ManifestError[])[] = [...(client.length > 1 ? [client] : client), ...errors.filter((e) => !e.client)];
  if (groups.length === 1) {
    const g = groups[0]!;
    return Array.isArray(g) ? g.map((e) => e.multiText) : [g.text];
  }
  return groups.map((g) => (Array.isArray(g) ? `[${g.map((e) => e.multiText).join(', ')}]` : g.multiText));
}

/**
 * Applies every document (each on its own, as applyEach) and throws the first failure, if
 * any, once all were tried: for callers that handle one document or trust their manifests.
 */
export function applyManifests(ctx: ApiContext, docs: unknown[] | SourcedDoc[], options: string | ManifestOptions = {}): ApplyResult[] {
  const { results, errors } = applyEach(ctx, docs, options);
  if (errors.length) throw errors[0]!;
  return results;
}

/**
 * One document, server side: decoded, admitted, then written. Nothing is written unless
 * everything passed; a failure during the write puts the cluster back as it was.
 */
function applyDocument(ctx: ApiContext, planned: Planned, mode: 'apply' | 'create' | 'update', validate: ValidateMode | 'none'): ApplyResult {
  let p = planned;
  if (mode === 'apply' && p.name === '') {
    // apply first reads the live object, and the client refuses a read without a name.
    const msg = `error when retrieving current configuration of:\n${infoText(p)}\nfrom server for: "${p.source}": resource name may not be empty`;
    throw new ManifestError('BadRequest', msg, `error: ${msg}`, msg);
  }
  const { obj: decodedObj, request: decoded, warnings: decodeWarnings } = decodeDocument(p, validate);
  p = { ...p, obj: decodedObj };
  const live = existingMeta(ctx, p);
  const req = requestObject(ctx, p, decoded, live, mode);
  const update = live !== undefined && mode !== 'create';
  // The pod spec warnings come with a created object (pod-warnings.ts).
  const warnings = update ? decodeWarnings : [...decodeWarnings, ...objectWarnings(p.kind, decodedObj)];
  const k = key(p.namespace, p.name);
  if (update && p.kind === 'Service') {
    const cleared = dropTypeDependentFields(ctx.state.k8s.services[k]!, req);
    if (cleared) p = { ...p, obj: { ...p.obj, spec: cleared } };
  }
  let podSpecChanged = false;
  if (update && p.kind === 'Pod') {
    const ps = podSpec(isObj(p.obj.spec) ? p.obj.spec : {});
    const existing = ctx.state.k8s.pods[k]!;
    const imageless = (x: PodSpec): PodSpec => ({ ...x, containers: x.containers.map((c) => ({ ...c, image: '' })) });
    podSpecChanged = containersOf(imageless(existing.spec)) !== containersOf(imageless(ps));
  }
  admit(ctx.state, p.kind, req, { update, podSpecChanged, exists: live !== undefined });
  if (p.kind !== 'Namespace' && !ctx.state.k8s.namespaces[p.namespace]) throw new ApiError('NotFound', `namespaces "${p.namespace}" not found`);
  const group = GROUP[p.kind];
  if (live && mode === 'create') throw new ApiError('AlreadyExists', `${PLURAL[p.kind]}${group ? `.${group}` : ''} "${p.name}" already exists`);
  if (update && p.kind === 'Service') {
    const type = (isObj(p.obj.spec) ? (p.obj.spec.type as string | undefined) : undefined) ?? ctx.state.k8s.services[k]!.spec.type;
    const liveType = ctx.state.k8s.services[k]!.spec.type;
    if (type !== liveType && (type === 'ExternalName' || liveType === 'ExternalName')) throw new ApiError('BadRequest', `the sandbox does not support changing the type of Service "${p.name}"; delete the Service and apply it again`);
  }
  const backup = clone(ctx.state);
  try {
    const r = applyOne(ctx, p, mode);
    return warnings.length ? { ...r, warning: [...warnings.map((w) => `Warning: ${w}`), ...(r.warning ? [r.warning] : [])].join('\n') } : r;
  } catch (e) {
    const st = ctx.state as unknown as Record<string, unknown>;
    for (const f of Object.keys(st)) delete st[f];
    Object.assign(st, backup);
    throw e;
  }
}

/**
 * The API server's dropTypeDependentFields on a Service update: when the type changes, the
 * fields only the old type used (node ports, healthCheckNodePort, externalTrafficPolicy,
 * allocateLoadBalancerNodePorts) are cleared if the request left them as they were, so
 * `kubectl patch svc web -p '{"spec":{"type":"ClusterIP"}}'` works on a NodePort Service.
 * Returns the cleared spec (also written into `req`), or undefined when nothing changed.
 */
function dropTypeDependentFields(live: Service, req: Obj): Obj | undefined {
  const spec = isObj(req.spec) ? req.spec : undefined;
  if (!spec) return undefined;
  const type = (spec.type as string | undefined) ?? 'ClusterIP';
  if (type === live.spec.type) return undefined;
  const out: Obj = { ...spec };
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (!external && Array.isArray(out.ports)) {
    out.ports = out.ports.map((x, i) => {
      if (!isObj(x) || x.nodePort === undefined || x.nodePort !== live.spec.ports?.[i]?.nodePort) return x;
      const { nodePort: _drop, ...rest } = x;
      return rest;
    });
  }
  if (!external && out.externalTrafficPolicy === live.spec.externalTrafficPolicy) delete out.externalTrafficPolicy;
  if (type !== 'LoadBalancer' && out.healthCheckNodePort === live.spec.healthCheckNodePort) delete out.healthCheckNodePort;
  if (type !== 'LoadBalancer' && out.allocateLoadBalancerNodePorts !== undefined) delete out.allocateLoadBalancerNodePorts;
  req.spec = out;
  return out;
}

/** The object a document refers to, if it exists. */
function existingMeta(ctx: ApiContext, p: Planned): ObjectMeta | undefined {
  const k8s = ctx.state.k8s;
  const k = key(p.namespace, p.name);
  switch (p.kind) {
    case 'Namespace':
      return k8s.namespaces[p.name]?.metadata;
    case 'Pod':
      return k8s.pods[k]?.metadata;
    case 'Deployment':
      return k8s.deployments[k]?.metadata;
    case 'Service':
      return k8s.services[k]?.metadata;
    case 'Ingress':
      return k8s.ingresses?.[k]?.metadata;
    default:
      return getStored(ctx.state, PLURAL[p.kind], p.namespace, p.name)?.metadata;
  }
}

/** The labels apply leaves on a live object: three-way, by the previous last-applied labels. */
function mergedLabels(live: ObjectMeta, p: Planned): { set: Record<string, string>; remove: string[] } {
  const want = labelsOf(p.obj) ?? {};
  let before: Record<string, string> = {};
  try {
    const prev = JSON.parse(live.annotations?.[LAST_APPLIED] ?? '{}') as Obj;
    before = labelsOf(prev) ?? {};
  } catch {
    before = {};
  }
  const have = live.labels ?? {};
  const set = Object.fromEntries(Object.entries(want).filter(([k, v]) => have[k] !== v));
  const remove = Object.keys(before).filter((k) => !(k in want) && k in have);
  return { set, remove };
}

/** The label changes that make the live labels exactly the object's (an update, not an apply). */
function replacedLabels(live: ObjectMeta, obj: Obj): { set: Record<string, string>; remove: string[] } {
  const want = labelsOf(obj) ?? {};
  const have = live.labels ?? {};
  return { set: Object.fromEntries(Object.entries(want).filter(([k, v]) => have[k] !== v)), remove: Object.keys(have).filter((k) => !(k in want)) };
}

function annotationsOf(obj: Obj): Record<string, string> {
  const md = isObj(obj.metadata) ? obj.metadata : {};
  return isObj(md.annotations) ? (Object.fromEntries(Object.entries(md.annotations).map(([k, v]) => [k, String(v)])) as Record<string, string>) : {};
}

function annotationsChanged(live: ObjectMeta, obj: Obj): boolean {
  return canonicalJson(live.annotations ?? {}) !== canonicalJson(annotationsOf(obj));
}

function setAnnotations(m: ObjectMeta, obj: Obj): void {
  const want = annotationsOf(obj);
  if (Object.keys(want).length) m.annotations = want;
  else delete m.annotations;
}

function annotate(m: ObjectMeta, p: Planned): void {
  m.annotations = { ...(m.annotations ?? {}), [LAST_APPLIED]: p.lastApplied };
}

function applyOne(ctx: ApiContext, p: Planned, mode: 'apply' | 'create' | 'update'): ApplyResult {
  const k8s = ctx.state.k8s;
  const spec = isObj(p.obj.spec) ? p.obj.spec : {};
  const labels = labelsOf(p.obj);
  const group = GROUP[p.kind];
  const ref = `${p.kind.toLowerCase()}${group ? `.${group}` : ''}/${p.name}`;
  const live = existingMeta(ctx, p);
  if (live && mode === 'create') throw new ApiError('AlreadyExists', `${PLURAL[p.kind]}${group ? `.${group}` : ''} "${p.name}" already exists`);
  if (live) {
    // kubectl apply on an object it did not create: it warns, then patches the annotation in.
    const warning = live.annotations?.[LAST_APPLIED] || mode === 'update'
      ? undefined
      : `Warning: resource ${PLURAL[p.kind]}/${p.name} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.`;
    const changed = updateExisting(ctx, p, live, spec);
    const annotationChanged = mode === 'update' ? annotationsChanged(live, p.obj) : live.annotations?.[LAST_APPLIED] !== p.lastApplied;
    const { set, remove } = mode === 'update' ? replacedLabels(live, p.obj) : mergedLabels(live, p);
    const labelsChanged = Object.keys(set).length > 0 || remove.length > 0;
    if (labelsChanged) patchLabels(ctx, PLURAL[p.kind], p.namespace, p.name, set, remove);
    if (!changed && !annotationChanged && !labelsChanged) return { ref, action: 'unchanged' };
    const m = existingMeta(ctx, p);
    if (m) {
      if (mode === 'update') setAnnotations(m, p.obj);
      else annotate(m, p);
      m.resourceVersion = String(++k8s.resourceVersion);
    }
    return { ref, action: 'configured', ...(warning ? { warning } : {}) };
  }
  const created = createNew(ctx, p, spec, labels);
  if (mode === 'apply') annotate(created, p);
  return { ref, action: 'created' };
}

/** Creates the object a document describes; returns its metadata. */
function createNew(ctx: ApiContext, p: Planned, spec: Obj, labels: Record<string, string> | undefined): ObjectMeta {
  const k8s = ctx.state.k8s;
  const stored = storedKind(p.kind);
  if (stored) return createStored(ctx, stored, p.namespace, p.name, p.obj).metadata;
  switch (p.kind) {
    case 'Namespace': {
      createNamespace(ctx, p.name);
      const m = k8s.namespaces[p.name]!.metadata;
      if (labels) m.labels = { ...labels, ...m.labels };
      return m;
    }
    case 'Pod':
      return createPod(ctx, { name: p.name, namespace: p.namespace, ...(labels ? { labels } : {}), spec: podSpec(spec) }).metadata;
    case 'Deployment': {
      const sel = (spec.selector as Obj).matchLabels as Record<string, string>;
      const tpl = spec.template as Obj;
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      const tplLabels = labelsOf(tpl) ?? { ...sel };
      const d = createDeployment(ctx, { name: p.name, namespace: p.namespace, replicas, labels: tplLabels, spec: podSpec(tpl.spec) });
      // The manifest's own labels and selector, where they differ from the template's labels.
      const selector = Object.fromEntries(Object.entries(sel).map(([k, v]) => [k, String(v)]));
      d.spec.selector = { matchLabels: selector };
      for (const rs of Object.values(k8s.replicasets)) {
        if (rs.metadata.ownerReferences?.[0]?.uid === d.metadata.uid) rs.spec.selector = { matchLabels: { ...selector, 'pod-template-hash': rs.metadata.labels?.['pod-template-hash'] ?? '' } };
      }
      if (labels) d.metadata.labels = labels;
      else delete d.metadata.labels;
      return d.metadata;
    }
    case 'Ingress': {
      const rules = (Array.isArray(spec.rules) ? spec.rules : []) as NonNullable<Ingress['spec']['rules']>;
      return createIngress(ctx, {
        name: p.name,
        namespace: p.namespace,
        rules,
        ...(typeof spec.ingressClassName === 'string' ? { ingressClassName: spec.ingressClassName } : {}),
        ...(isObj(spec.defaultBackend) ? { defaultBackend: spec.defaultBackend as unknown as NonNullable<Ingress['spec']['defaultBackend']> } : {}),
      }).metadata;
    }
    case 'Service': {
      const ports = servicePorts(spec.ports);
      const selector = isObj(spec.selector) ? (Object.fromEntries(Object.entries(spec.selector).map(([k, v]) => [k, String(v)])) as Record<string, string>) : undefined;
      const type = (spec.type as 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName' | undefined) ?? 'ClusterIP';
      return createService(ctx, {
        name: p.name,
        namespace: p.namespace,
        type,
        ...(selector ? { selector } : {}),
        ports,
        ...(typeof spec.clusterIP === 'string' ? { clusterIP: spec.clusterIP } : {}),
        ...(typeof spec.externalName === 'string' ? { externalName: spec.externalName } : {}),
        ...(Array.isArray(spec.externalIPs) ? { externalIPs: spec.externalIPs.map(String) } : {}),
        ...(spec.externalTrafficPolicy === 'Local' ? { externalTrafficPolicy: 'Local' as const } : {}),
        ...(Array.isArray(spec.loadBalancerSourceRanges) ? { loadBalancerSourceRanges: spec.loadBalancerSourceRanges.map(String) } : {}),
        ...(labels ? { labels } : {}),
      }).metadata;
    }
    default:
      throw new ApiError('InternalError', `no store for kind ${p.kind}`);
  }
}

const containersOf = (ps: PodSpec): string => canonicalJson(ps.containers.map((c) => ({ name: c.name, image: c.image, command: c.command, args: c.args, ports: c.ports, env: c.env })));

/** Brings the spec fields the sandbox models in line with the manifest; true when anything changed. */
function updateExisting(ctx: ApiContext, p: Planned, live: ObjectMeta, spec: Obj): boolean {
  const k8s = ctx.state.k8s;
  const k = key(p.namespace, p.name);
  switch (p.kind) {
    case 'Namespace':
      return false;
    case 'Pod': {
      const existing = k8s.pods[k]!;
      const ps = podSpec(spec);
      const imageless = (x: PodSpec): PodSpec => ({ ...x, containers: x.containers.map((c) => ({ ...c, image: '' })) });
      if (containersOf(existing.spec) !== containersOf(ps) && containersOf(imageless(existing.spec)) === containersOf(imageless(ps))) {
        // Only images changed: the API server allows it; the kubelet restarts the containers with them.
        existing.spec.containers = existing.spec.containers.map((c, i) => ({ ...c, image: ps.containers[i]!.image }));
        return true;
      }
      if (containersOf(existing.spec) !== containersOf(ps)) {
        throw invalid('Pod', p.name, `spec: Forbidden: ${POD_UPDATE_FORBIDDEN}`);
      }
      return false;
    }
    case 'Deployment': {
      const d = k8s.deployments[k]!;
      const tpl = spec.template as Obj;
      const ps = podSpec(tpl.spec);
      const tplLabels = labelsOf(tpl) ?? {};
      const tplAnnotations = annotationsOf(tpl);
      let templateChanged = false;
      if (containersOf(d.spec.template.spec) !== containersOf(ps) || canonicalJson(d.spec.template.metadata.labels) !== canonicalJson(tplLabels) || canonicalJson(d.spec.template.metadata.annotations ?? {}) !== canonicalJson(tplAnnotations)) {
        // A new pod template: the Deployment controller rolls it out (rollout.ts).
        const template = { metadata: { labels: tplLabels, ...(Object.keys(tplAnnotations).length ? { annotations: tplAnnotations } : {}) }, spec: { ...d.spec.template.spec, containers: ps.containers } };
        templateChanged = setDeploymentTemplate(ctx.state, d, template);
      }
      let replicas = d.spec.replicas;
      if (typeof spec.replicas === 'number') replicas = spec.replicas;
      else if (/"replicas":/.test(live.annotations?.[LAST_APPLIED] ?? '')) replicas = 1;
      if (replicas === d.spec.replicas) {
        if (templateChanged) reconcile(ctx);
        return templateChanged;
      }
      scaleObject(ctx, 'deployments', p.namespace, p.name, replicas);
      return true;
    }
    case 'Ingress': {
      const existing = k8s.ingresses![k]!;
      const rules = (Array.isArray(spec.rules) ? spec.rules : []) as NonNullable<Ingress['spec']['rules']>;
      if (canonicalJson(existing.spec.rules ?? []) === canonicalJson(rules)) return false;
      existing.spec.rules = rules;
      return true;
    }
    case 'Service': {
      const existing = k8s.services[k]!;
      const ports = servicePorts(spec.ports);
      const selector = isObj(spec.selector) ? (Object.fromEntries(Object.entries(spec.selector).map(([a, v]) => [a, String(v)])) as Record<string, string>) : undefined;
      const type = (spec.type as string | undefined) ?? existing.spec.type;
      if (type !== existing.spec.type && (type === 'ExternalName' || existing.spec.type === 'ExternalName')) throw new ApiError('BadRequest', `the sandbox does not support changing the type of Service "${p.name}"; delete the Service and apply it again`);
      const strip = (list: ServicePort[]) => list.map((x) => ({ ...x, nodePort: undefined }));
      const want = canonicalJson({ selector: selector ?? null, ports: strip(ports) });
      const have = canonicalJson({ selector: existing.spec.selector ?? null, ports: strip(existing.spec.ports ?? []) });
      const changed = want !== have;
      if (changed) {
        existing.spec.selector = selector;
        if (!selector) delete existing.spec.selector;
        existing.spec.ports = ports.map((x, i) => ({ ...x, ...(x.nodePort === undefined && existing.spec.ports?.[i]?.nodePort ? { nodePort: existing.spec.ports[i]!.nodePort } : {}) }));
        ctx.state.proxyDirty = true;
      }
      const policy = spec.externalTrafficPolicy === 'Local' || spec.externalTrafficPolicy === 'Cluster' ? spec.externalTrafficPolicy : undefined;
      return updateServiceType(ctx, existing, type as 'ClusterIP' | 'NodePort' | 'LoadBalancer', policy) || changed;
    }
    default: {
      const kind = storedKind(p.kind)!;
      // CoreDNS's reload ticks up to now saw the old Corefile.
      if (kind.plural === 'configmaps' && p.namespace === 'kube-system' && p.name === 'coredns') syncCoreDns(ctx.state, ctx.now);
      return updateStored(ctx, kind, p.namespace, p.name, p.obj);
    }
  }
}
