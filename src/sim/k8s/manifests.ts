/**
 * Manifests (parsed YAML or JSON objects) turned into API calls, as `kubectl apply` and
 * `kubectl create -f` make them.
 *
 * Design notes: the API server validates an object before storing it; the messages here use
 * its wording (`Deployment.apps "web" is invalid: spec.selector: Required value`), and each
 * error also carries the line kubectl prints for it (`text`): client-side checks as
 * `error: error validating "web.yaml": ...`, Invalid as `The Deployment "web" is invalid: ...`,
 * other refusals as `Error from server (AlreadyExists): error when creating "web.yaml": ...`.
 * `kind: List` documents are flattened into their items.
 * With `validate` (kubectl's --validate) each document is first decoded as the API server
 * decodes it (schema/decode.ts): unknown fields and wrong types are refused or warned about.
 * apply: a new object is created with the `kubectl.kubernetes.io/last-applied-configuration`
 * annotation (the manifest as compact JSON with sorted keys, as kubectl writes it); an existing
 * one is compared with what the manifest asks for: identical (and the annotation unchanged)
 * means `unchanged`, otherwise the fields the sandbox models are updated and it is
 * `configured`. Labels follow the three-way merge: keys the previous apply set and this one
 * drops are removed, keys set by others are kept. An object created without apply gets
 * kubectl's missing-annotation warning and is `configured`. A Deployment's replica count is
 * changed through the scale path, so pods come and go as the ReplicaSet controller decides.
 * create: a new object is `created`; an existing one is AlreadyExists.
 * The whole list is validated before anything is applied, and a failure puts the sandbox back
 * as it was, so a bad document leaves the cluster untouched (all or nothing: real kubectl
 * applies the documents before a failing one and reports each error).
 * Pod specs keep containers, nodeName, hostNetwork, nodeSelector, hostname, subdomain,
 * dnsPolicy, dnsConfig (validated with the API server's messages) and volumes (Secret and
 * ConfigMap sources, which a pod waits for).
 * Kinds: Namespace, Pod, Deployment, Service (every type), Ingress, and the kinds stored as
 * written (ConfigMap, Secret, NetworkPolicy, Endpoints, EndpointSlice: objects.ts); a kind the
 * server does not serve (a CRD's) is refused as kubectl refuses it (`resource mapping not
 * found ... ensure CRDs are installed first`), a built-in kind the sandbox does not model
 * (StatefulSet, Job, ...) with a message that says so (unmodelled.ts).
 * A changed pod template of a Deployment starts a rolling update (rollout.ts); a pod's
 * containers may change only their images. `update` mode (patch, edit) replaces labels and
 * annotations with the object's and leaves the last-applied annotation alone.
 * Left out: server-side apply and field ownership, strategic merge patches of lists,
 * changing a Service's type through apply.
 */
import { clone } from '../clone';
import { canonicalJson } from './names';
import { ApiError, createDeployment, createIngress, createNamespace, createPod, createService, updateServiceType, type ApiContext } from './api';
import { labelKeyProblem, nameProblem, patchLabels, reconcile, scaleObject, type Resource } from './controllers';
import { setDeploymentTemplate } from './rollout';
import { key, type EnvVar, type Ingress, type ObjectMeta, type PodSpec, type ServicePort } from './types';
import { apiVersionOf, createStored, getStored, normalise, storedKind, STORED_KINDS, updateStored } from './objects';
import { unmodelledKind } from './unmodelled';
import { decode, type ValidateMode } from './schema/decode';

export interface ApplyResult {
  /** `deployment.apps/web`, `service/web`, `pod/client`, `namespace/dev`. */
  ref: string;
  action: 'created' | 'configured' | 'unchanged';
  /** A warning kubectl prints to stderr before the result line. */
  warning?: string;
}

/** One parsed document and where it came from (`web.yaml`, or `STDIN` for `-f -`). */
export interface SourcedDoc {
  obj: unknown;
  source: string;
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

/** An ApiError that also knows the line kubectl prints for it. */
export class ManifestError extends ApiError {
  constructor(
    reason: ApiError['reason'],
    message: string,
    /** kubectl's whole message (without the trailing newline). */
    readonly text: string,
  ) {
    super(reason, message);
  }
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
  /** The server's warnings for the document (unknown fields under --validate=warn). */
  warnings?: string[];
}

const GROUP: Record<Kind, string> = {
  Namespace: '', Pod: '', Deployment: 'apps', Service: '', Ingress: 'networking.k8s.io',
  ConfigMap: '', Secret: '', NetworkPolicy: 'networking.k8s.io', Endpoints: '', EndpointSlice: 'discovery.k8s.io',
};
const PLURAL: Record<Kind, Resource> = {
  Namespace: 'namespaces', Pod: 'pods', Deployment: 'deployments', Service: 'services', Ingress: 'ingresses',
  ConfigMap: 'configmaps', Secret: 'secrets', NetworkPolicy: 'networkpolicies', Endpoints: 'endpoints', EndpointSlice: 'endpointslices',
};

/** The API server's Invalid error; kubectl prints its details as `The Kind "name" is invalid: ...`. */
function invalid(kind: string, name: string, detail: string): ManifestError {
  const group = GROUP[kind as Kind] ?? '';
  return new ManifestError('Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${detail}`, `The ${kind} "${name}" is invalid: ${detail}`);
}

/** A refusal from the server for one document, as kubectl wraps it with the document's source. */
function serverError(e: ApiError, source: string, verb = 'creating'): ManifestError {
  if (e instanceof ManifestError) return e;
  if (e.reason === 'Invalid') {
    const m = /^(\w+)(?:\.[\w.]+)? "([^"]*)" is invalid: ([\s\S]*)$/.exec(e.message);
    if (m) return new ManifestError('Invalid', e.message, `The ${m[1]} "${m[2]}" is invalid: ${m[3]}`);
  }
  return new ManifestError(e.reason, e.message, `Error from server (${e.reason}): error when ${verb} "${source}": ${e.message}`);
}

function clientError(message: string): ManifestError {
  return new ManifestError('BadRequest', message, `error: ${message}`);
}

/** Go's json.Marshal of an unstructured object: sorted keys, HTML characters escaped. */
function goJson(v: unknown): string {
  return canonicalJson(v).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** `kind: List` documents stand for their items. */
function flatten(docs: SourcedDoc[]): SourcedDoc[] {
  return docs.flatMap((d) => {
    if (d.obj === null || d.obj === undefined) return [];
    if (isObj(d.obj) && d.obj.kind === 'List' && Array.isArray(d.obj.items)) return flatten(d.obj.items.map((obj) => ({ obj, source: d.source })));
    return [d];
  });
}

function plan(doc: SourcedDoc, opts: Required<ManifestOptions>): Planned {
  const decoded = opts.validate === 'none' ? undefined : decode(doc.obj, opts.validate);
  if (decoded?.error) throw serverError(new ApiError('BadRequest', decoded.error), doc.source);
  const { obj, source } = decoded ? { obj: decoded.obj, source: doc.source } : doc;
  if (!isObj(obj)) throw clientError(`error validating "${source}": error validating data: the document is not an object; if you choose to ignore these errors, turn validation off with --validate=false`);
  const missing = [!obj.apiVersion && 'apiVersion not set', !obj.kind && 'kind not set'].filter(Boolean) as string[];
  if (missing.length) {
    const list = missing.length === 1 ? missing[0]! : `[${missing.join(', ')}]`;
    throw clientError(`error validating "${source}": error validating data: ${list}; if you choose to ignore these errors, turn validation off with --validate=false`);
  }
  const kind = String(obj.kind);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const wanted: Record<string, string> = { Namespace: 'v1', Pod: 'v1', Service: 'v1', Deployment: 'apps/v1', Ingress: 'networking.k8s.io/v1', ...Object.fromEntries(STORED_KINDS.map((k) => [k.kind, apiVersionOf(k)])) };
  if (wanted[kind] !== String(obj.apiVersion)) {
    const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
    const builtIn = unmodelledKind(kind, String(obj.apiVersion));
    if (builtIn) throw new ManifestError('BadRequest', builtIn, `error: ${builtIn}`);
    throw clientError(`resource mapping not found for name: "${name}" namespace: "${ns}" from "${source}": no matches for kind "${kind}" in version "${String(obj.apiVersion)}"\nensure CRDs are installed first`);
  }
  const k = kind as Kind;
  const problem = nameProblem(k, name);
  if (problem) throw invalid(k, name, problem);
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
  return { kind: k, name, namespace, obj, source, lastApplied: goJson(stored) + '\n', ...(decoded?.warnings.length ? { warnings: decoded.warnings } : {}) };
}

function labelsOf(o: Obj): Record<string, string> | undefined {
  const m = isObj(o.metadata) ? o.metadata : {};
  return isObj(m.labels) ? (Object.fromEntries(Object.entries(m.labels).map(([k, v]) => [k, String(v)])) as Record<string, string>) : undefined;
}

function podSpec(kind: string, name: string, spec: unknown, at: string): PodSpec {
  if (!isObj(spec) || !Array.isArray(spec.containers) || spec.containers.length === 0) throw invalid(kind, name, `${at}.containers: Required value`);
  const containers = spec.containers.map((c, i) => {
    if (!isObj(c) || typeof c.name !== 'string' || !c.name) throw invalid(kind, name, `${at}.containers[${i}].name: Required value`);
    if (typeof c.image !== 'string' || !c.image) throw invalid(kind, name, `${at}.containers[${i}].image: Required value`);
    return {
      name: c.name,
      image: c.image,
      ...(Array.isArray(c.command) ? { command: c.command.map(String) } : {}),
      ...(Array.isArray(c.args) ? { args: c.args.map(String) } : {}),
      ...(Array.isArray(c.ports)
        ? { ports: c.ports.filter(isObj).map((p) => ({ ...(typeof p.name === 'string' ? { name: p.name } : {}), containerPort: Number(p.containerPort), protocol: (p.protocol as 'TCP' | 'UDP') ?? 'TCP' })) }
        : {}),
      ...(Array.isArray(c.env) ? { env: envVars(c.env) } : {}),
      ...(Array.isArray(c.volumeMounts) ? { volumeMounts: c.volumeMounts.filter(isObj).map((m) => ({ name: String(m.name ?? ''), mountPath: String(m.mountPath ?? ''), ...(m.readOnly === true ? { readOnly: true } : {}) })) } : {}),
    };
  });
  const dns = podDnsFields(kind, name, spec, at);
  return {
    containers,
    ...(typeof spec.enableServiceLinks === 'boolean' ? { enableServiceLinks: spec.enableServiceLinks } : {}),
    ...(typeof spec.nodeName === 'string' ? { nodeName: spec.nodeName } : {}),
    ...(spec.hostNetwork === true ? { hostNetwork: true } : {}),
    ...(isObj(spec.nodeSelector) ? { nodeSelector: spec.nodeSelector as Record<string, string> } : {}),
    ...dns,
    ...(Array.isArray(spec.volumes) ? { volumes: podVolumes(spec.volumes) } : {}),
  };
}

const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** hostname, subdomain, dnsPolicy and dnsConfig, validated as the API server's ValidatePodSpec does. */
function podDnsFields(kind: string, name: string, spec: Obj, at: string): Pick<PodSpec, 'hostname' | 'subdomain' | 'dnsPolicy' | 'dnsConfig'> {
  const out: Pick<PodSpec, 'hostname' | 'subdomain' | 'dnsPolicy' | 'dnsConfig'> = {};
  for (const field of ['hostname', 'subdomain'] as const) {
    const v = spec[field];
    if (v === undefined || v === '') continue;
    const text = String(v);
    if (text.length > 63) throw invalid(kind, name, `${at}.${field}: Invalid value: "${text}": must be no more than 63 characters`);
    if (!RFC1123_LABEL.test(text)) throw invalid(kind, name, `${at}.${field}: Invalid value: "${text}": ${RFC1123_LABEL_MSG}`);
    out[field] = text;
  }
  if (spec.dnsPolicy !== undefined) {
    const policy = String(spec.dnsPolicy);
    if (!DNS_POLICIES.includes(policy)) throw invalid(kind, name, `${at}.dnsPolicy: Unsupported value: "${policy}": supported values: ${DNS_POLICIES.map((p) => `"${p}"`).join(', ')}`);
    out.dnsPolicy = policy;
  }
  if (isObj(spec.dnsConfig)) {
    const c = spec.dnsConfig;
    const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);
    const nameservers = list(c.nameservers);
    const searches = list(c.searches);
    const options = Array.isArray(c.options) ? c.options.filter(isObj).map((o) => ({ name: String(o.name ?? ''), ...(o.value !== undefined ? { value: String(o.value) } : {}) })) : undefined;
    out.dnsConfig = { ...(nameservers ? { nameservers } : {}), ...(searches ? { searches } : {}), ...(options ? { options } : {}) };
  }
  if (out.dnsPolicy === 'None') {
    if (!out.dnsConfig) throw invalid(kind, name, `${at}.dnsConfig: Required value: must provide \`dnsConfig\` when \`dnsPolicy\` is None`);
    if (!out.dnsConfig.nameservers?.length) throw invalid(kind, name, `${at}.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when \`dnsPolicy\` is None`);
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

function servicePorts(name: string, ports: unknown): ServicePort[] {
  if (!Array.isArray(ports)) return [];
  return ports.map((p, i) => {
    if (!isObj(p) || typeof p.port !== 'number') throw invalid('Service', name, `spec.ports[${i}].port: Required value`);
    if (p.port < 1 || p.port > 65535) throw invalid('Service', name, `spec.ports[${i}].port: Invalid value: ${p.port}: must be between 1 and 65535, inclusive`);
    if (ports.length > 1 && typeof p.name !== 'string') throw invalid('Service', name, `spec.ports[${i}].name: Required value`);
    return {
      ...(typeof p.name === 'string' ? { name: p.name } : {}),
      protocol: (typeof p.protocol === 'string' ? p.protocol : 'TCP') as ServicePort['protocol'],
      port: p.port,
      targetPort: (p.targetPort as number | string | undefined) ?? p.port,
      ...(typeof p.nodePort === 'number' ? { nodePort: p.nodePort } : {}),
    };
  });
}

/**
 * Validates every document, then applies them in order; if any of them fails, the sandbox is
 * put back exactly as it was (all or nothing). `docs` are plain objects (source `STDIN`) or
 * documents with their source.
 */
export function applyManifests(ctx: ApiContext, docs: unknown[] | SourcedDoc[], options: string | ManifestOptions = {}): ApplyResult[] {
  const o = typeof options === 'string' ? { namespace: options } : options;
  const opts: Required<ManifestOptions> = { namespace: o.namespace ?? 'default', enforceNamespace: o.enforceNamespace ?? false, mode: o.mode ?? 'apply', validate: o.validate ?? 'none' };
  const sourced = docs.map((d) => (isObj(d) && 'source' in d && 'obj' in d && typeof d.source === 'string' ? (d as unknown as SourcedDoc) : { obj: d, source: 'STDIN' }));
  // Everything that can refuse a document is checked before the first change (precheck), so
  // a snapshot to roll back to is only taken for lists of several documents, as insurance.
  const docsList = flatten(sourced);
  const backup = docsList.length > 1 ? clone(ctx.state) : undefined;
  try {
    return applyAll(ctx, docsList, opts);
  } catch (e) {
    if (backup) {
      const st = ctx.state as unknown as Record<string, unknown>;
      for (const k of Object.keys(st)) delete st[k];
      Object.assign(st, backup);
    }
    throw e;
  }
}

/** The refusals that depend on what the cluster holds, checked before anything changes. */
function precheck(ctx: ApiContext, planned: Planned[], mode: 'apply' | 'create' | 'update'): void {
  const seen = new Set<string>();
  const alloc = ctx.state.k8s.alloc;
  for (const p of planned) {
    const id = `${p.kind}/${p.namespace}/${p.name}`;
    const live = existingMeta(ctx, p) ?? (seen.has(id) ? ({} as ObjectMeta) : undefined);
    seen.add(id);
    const group = GROUP[p.kind];
    const spec = isObj(p.obj.spec) ? p.obj.spec : {};
    for (const k of Object.keys(labelsOf(p.obj) ?? {})) {
      const problem = labelKeyProblem(k);
      if (problem) throw invalid(p.kind, p.name, `metadata.labels: Invalid value: "${k}": ${problem}`);
    }
    if (live && mode === 'create') throw serverError(new ApiError('AlreadyExists', `${PLURAL[p.kind]}${group ? `.${group}` : ''} "${p.name}" already exists`), p.source);
    if (!live && p.kind === 'Service') {
      const ip = typeof spec.clusterIP === 'string' ? spec.clusterIP : undefined;
      if (ip && ip !== 'None' && alloc.serviceIps.includes(ip)) throw invalid('Service', p.name, `spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`);
      const ports = servicePorts(p.name, spec.ports);
      ports.forEach((x, i) => {
        if (x.nodePort !== undefined && (alloc.nodePorts ?? []).includes(x.nodePort)) throw invalid('Service', p.name, `spec.ports[${i}].nodePort: Invalid value: ${x.nodePort}: provided port is already allocated`);
      });
      if (spec.type === 'ExternalName' && typeof spec.externalName !== 'string') throw invalid('Service', p.name, 'spec.externalName: Required value');
    }
    if (live && live.uid && mode !== 'create') {
      // Dry run of the update: the same checks updateExisting makes.
      const k = key(p.namespace, p.name);
      if (p.kind === 'Pod') {
        const ps = podSpec('Pod', p.name, spec, 'spec');
        if (containersOf(ctx.state.k8s.pods[k]!.spec) !== containersOf(ps)) updateExisting(ctx, p, live, spec);
      }
      const liveType = p.kind === 'Service' ? ctx.state.k8s.services[k]!.spec.type : undefined;
      const newType = (spec.type as string | undefined) ?? liveType;
      if (p.kind === 'Service' && newType !== liveType && (newType === 'ExternalName' || liveType === 'ExternalName')) {
        throw new ApiError('BadRequest', `the sandbox does not support changing the type of Service "${p.name}"; delete the Service and apply it again`);
      }
    }
  }
}

function applyAll(ctx: ApiContext, docs: SourcedDoc[], opts: Required<ManifestOptions>): ApplyResult[] {
  const planned = docs.map((d) => plan(d, opts));
  // Validate the parts that do not depend on cluster state before touching anything.
  for (const p of planned) {
    const spec = isObj(p.obj.spec) ? p.obj.spec : {};
    if (p.kind === 'Pod') podSpec('Pod', p.name, spec, 'spec');
    if (p.kind === 'Deployment') {
      const sel = isObj(spec.selector) && isObj(spec.selector.matchLabels) ? spec.selector.matchLabels : undefined;
      if (!sel) throw invalid('Deployment', p.name, 'spec.selector: Required value');
      const tpl = isObj(spec.template) ? spec.template : {};
      const tplLabels = labelsOf(tpl) ?? {};
      if (!Object.entries(sel).every(([k, v]) => tplLabels[k] === String(v))) {
        const shown = Object.keys(tplLabels).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(tplLabels[k])}`).join(', ');
        throw invalid('Deployment', p.name, `spec.template.metadata.labels: Invalid value: map[string]string{${shown}}: \`selector\` does not match template \`labels\``);
      }
      podSpec('Deployment', p.name, tpl.spec, 'spec.template.spec');
    }
    const stored = storedKind(p.kind);
    if (stored) {
      try {
        normalise(stored, p.name, p.obj);
      } catch (e) {
        throw e instanceof ApiError ? serverError(e, p.source) : e;
      }
    }
    if (p.kind === 'Service') {
      servicePorts(p.name, spec.ports);
      const type = spec.type ?? 'ClusterIP';
      if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(String(type))) throw invalid('Service', p.name, `spec.type: Unsupported value: "${String(type)}": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`);
    }
    if (p.kind !== 'Namespace' && !ctx.state.k8s.namespaces[p.namespace] && !planned.some((q) => q.kind === 'Namespace' && q.name === p.namespace)) {
      throw serverError(new ApiError('NotFound', `namespaces "${p.namespace}" not found`), p.source);
    }
  }
  precheck(ctx, planned, opts.mode);
  return planned.map((p) => {
    try {
      const r = applyOne(ctx, p, opts.mode);
      return p.warnings ? { ...r, warning: [...p.warnings.map((w) => `Warning: ${w}`), ...(r.warning ? [r.warning] : [])].join('\n') } : r;
    } catch (e) {
      if (e instanceof ApiError) throw serverError(e, p.source);
      throw e;
    }
  });
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
      return createPod(ctx, { name: p.name, namespace: p.namespace, ...(labels ? { labels } : {}), spec: podSpec('Pod', p.name, spec, 'spec') }).metadata;
    case 'Deployment': {
      const sel = (spec.selector as Obj).matchLabels as Record<string, string>;
      const tpl = spec.template as Obj;
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      const tplLabels = labelsOf(tpl) ?? { ...sel };
      const d = createDeployment(ctx, { name: p.name, namespace: p.namespace, replicas, labels: tplLabels, spec: podSpec('Deployment', p.name, tpl.spec, 'spec.template.spec') });
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
      const ports = servicePorts(p.name, spec.ports);
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
      const ps = podSpec('Pod', p.name, spec, 'spec');
      const imageless = (x: PodSpec): PodSpec => ({ ...x, containers: x.containers.map((c) => ({ ...c, image: '' })) });
      if (containersOf(existing.spec) !== containersOf(ps) && containersOf(imageless(existing.spec)) === containersOf(imageless(ps))) {
        // Only images changed: the API server allows it; the kubelet restarts the containers with them.
        existing.spec.containers = existing.spec.containers.map((c, i) => ({ ...c, image: ps.containers[i]!.image }));
        return true;
      }
      if (containersOf(existing.spec) !== containersOf(ps)) {
        throw invalid('Pod', p.name, 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)');
      }
      return false;
    }
    case 'Deployment': {
      const d = k8s.deployments[k]!;
      const tpl = spec.template as Obj;
      const ps = podSpec('Deployment', p.name, tpl.spec, 'spec.template.spec');
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
      const ports = servicePorts(p.name, spec.ports);
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
    default:
      return updateStored(ctx, storedKind(p.kind)!, p.namespace, p.name, p.obj);
  }
}
