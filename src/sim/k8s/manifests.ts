/**
 * Manifests (parsed YAML or JSON objects) turned into API calls, as `kubectl apply` does.
 *
 * Design notes: the API server validates an object before storing it; the messages here use
 * its wording (`Deployment.apps "web" is invalid: spec.selector: Required value`). A new
 * object is created; an existing one is compared with what the manifest asks for: identical
 * means `unchanged`, otherwise the fields the sandbox models are updated (a Service's selector
 * and ports, a Deployment's replica count, labels) and it is `configured`. The whole list is
 * validated before anything is applied, so a bad document leaves the cluster untouched.
 * Kinds: Namespace, Pod, Deployment, Service (every type), Ingress; anything else is refused as the API
 * server refuses an unknown kind.
 * Left out: server-side apply field ownership, the last-applied annotation, strategic merge
 * patches, rolling updates (a changed pod template is refused as unsupported).
 */
import { clone } from '../clone';
import { canonicalJson } from './names';
import { ApiError, createDeployment, createIngress, createNamespace, createPod, createService, type ApiContext } from './api';
import type { Ingress, PodSpec, ServicePort } from './types';

export interface ApplyResult {
  /** `deployment.apps/web`, `service/web`, `pod/client`, `namespace/dev`. */
  ref: string;
  action: 'created' | 'configured' | 'unchanged';
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Planned {
  kind: 'Namespace' | 'Pod' | 'Deployment' | 'Service' | 'Ingress';
  name: string;
  namespace: string;
  obj: Obj;
}

function invalid(kind: string, name: string, detail: string): ApiError {
  const group = kind === 'Deployment' ? '.apps' : '';
  return new ApiError('Invalid', `${kind}${group} "${name}" is invalid: ${detail}`);
}

function plan(obj: unknown, defaultNamespace: string): Planned {
  if (!isObj(obj)) throw new ApiError('Invalid', 'error validating data: the document is not an object');
  const missing = [!obj.apiVersion && 'apiVersion not set', !obj.kind && 'kind not set'].filter(Boolean);
  if (missing.length) throw new ApiError('Invalid', `error validating data: [${missing.join(', ')}]; if you choose to ignore these errors, turn validation off with --validate=false`);
  const kind = String(obj.kind);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!['Namespace', 'Pod', 'Deployment', 'Service', 'Ingress'].includes(kind)) {
    throw new ApiError('Invalid', `resource mapping not found for name: "${name}" namespace: "" from "STDIN": no matches for kind "${kind}" in version "${String(obj.apiVersion)}"\nensure CRDs are installed first`);
  }
  if (!name) throw new ApiError('Invalid', `error when creating "STDIN": ${kind} in version "${String(obj.apiVersion)}" cannot be handled as a ${kind}: metadata.name: Required value`);
  if (!DNS1123.test(name) || name.length > 63) throw invalid(kind, name, `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
  const namespace = kind === 'Namespace' ? '' : typeof meta.namespace === 'string' ? meta.namespace : defaultNamespace;
  return { kind: kind as Planned['kind'], name, namespace, obj };
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
    };
  });
  return {
    containers,
    ...(typeof spec.nodeName === 'string' ? { nodeName: spec.nodeName } : {}),
    ...(spec.hostNetwork === true ? { hostNetwork: true } : {}),
    ...(isObj(spec.nodeSelector) ? { nodeSelector: spec.nodeSelector as Record<string, string> } : {}),
  };
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
 * put back exactly as it was (all or nothing).
 */
export function applyManifests(ctx: ApiContext, docs: unknown[], defaultNamespace = 'default'): ApplyResult[] {
  const backup = clone(ctx.state);
  try {
    return applyAll(ctx, docs, defaultNamespace);
  } catch (e) {
    const st = ctx.state as unknown as Record<string, unknown>;
    for (const k of Object.keys(st)) delete st[k];
    Object.assign(st, backup);
    throw e;
  }
}

function applyAll(ctx: ApiContext, docs: unknown[], defaultNamespace: string): ApplyResult[] {
  const planned = docs.filter((d) => d !== null && d !== undefined).map((d) => plan(d, defaultNamespace));
  // Validate the parts that do not depend on cluster state before touching anything.
  for (const p of planned) {
    const spec = isObj(p.obj.spec) ? p.obj.spec : {};
    if (p.kind === 'Pod') podSpec('Pod', p.name, spec, 'spec');
    if (p.kind === 'Deployment') {
      const sel = isObj(spec.selector) && isObj(spec.selector.matchLabels) ? spec.selector.matchLabels : undefined;
      if (!sel) throw invalid('Deployment', p.name, 'spec.selector: Required value');
      const tpl = isObj(spec.template) ? spec.template : {};
      const tplLabels = labelsOf(tpl) ?? {};
      if (!Object.entries(sel).every(([k, v]) => tplLabels[k] === String(v))) throw invalid('Deployment', p.name, 'spec.template.metadata.labels: Invalid value: map[string]string{...}: `selector` does not match template `labels`');
      podSpec('Deployment', p.name, tpl.spec, 'spec.template.spec');
    }
    if (p.kind === 'Service') {
      servicePorts(p.name, spec.ports);
      const type = spec.type ?? 'ClusterIP';
      if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(String(type))) throw invalid('Service', p.name, `spec.type: Unsupported value: "${String(type)}": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`);
    }
    if (p.kind !== 'Namespace' && !ctx.state.k8s.namespaces[p.namespace] && !planned.some((q) => q.kind === 'Namespace' && q.name === p.namespace)) {
      throw new ApiError('NotFound', `namespaces "${p.namespace}" not found`);
    }
  }
  return planned.map((p) => applyOne(ctx, p));
}

function applyOne(ctx: ApiContext, p: Planned): ApplyResult {
  const k8s = ctx.state.k8s;
  const spec = isObj(p.obj.spec) ? p.obj.spec : {};
  const labels = labelsOf(p.obj);
  switch (p.kind) {
    case 'Namespace': {
      if (k8s.namespaces[p.name]) return { ref: `namespace/${p.name}`, action: 'unchanged' };
      createNamespace(ctx, p.name);
      return { ref: `namespace/${p.name}`, action: 'created' };
    }
    case 'Pod': {
      const existing = k8s.pods[`${p.namespace}/${p.name}`];
      const ps = podSpec('Pod', p.name, spec, 'spec');
      if (existing) {
        const same = canonicalJson(existing.spec.containers.map((c) => ({ name: c.name, image: c.image }))) === canonicalJson(ps.containers.map((c) => ({ name: c.name, image: c.image })));
        if (!same) throw invalid('Pod', p.name, 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)');
        return { ref: `pod/${p.name}`, action: 'unchanged' };
      }
      createPod(ctx, { name: p.name, namespace: p.namespace, ...(labels ? { labels } : {}), spec: ps });
      return { ref: `pod/${p.name}`, action: 'created' };
    }
    case 'Deployment': {
      const sel = (spec.selector as Obj).matchLabels as Record<string, string>;
      const tpl = spec.template as Obj;
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      const existing = k8s.deployments[`${p.namespace}/${p.name}`];
      if (existing) {
        if (existing.spec.replicas === replicas) return { ref: `deployment.apps/${p.name}`, action: 'unchanged' };
        throw new ApiError('Invalid', `the sandbox does not support changing a Deployment's replicas through apply yet; use kubectl scale`);
      }
      createDeployment(ctx, { name: p.name, namespace: p.namespace, replicas, labels: { ...(labelsOf(tpl) ?? sel) }, spec: podSpec('Deployment', p.name, tpl.spec, 'spec.template.spec') });
      return { ref: `deployment.apps/${p.name}`, action: 'created' };
    }
    case 'Ingress': {
      const existing = k8s.ingresses?.[`${p.namespace}/${p.name}`];
      const rules = (Array.isArray(spec.rules) ? spec.rules : []) as NonNullable<Ingress['spec']['rules']>;
      if (existing) {
        if (canonicalJson(existing.spec.rules ?? []) === canonicalJson(rules)) return { ref: `ingress.networking.k8s.io/${p.name}`, action: 'unchanged' };
        existing.spec.rules = rules;
        return { ref: `ingress.networking.k8s.io/${p.name}`, action: 'configured' };
      }
      createIngress(ctx, {
        name: p.name,
        namespace: p.namespace,
        rules,
        ...(typeof spec.ingressClassName === 'string' ? { ingressClassName: spec.ingressClassName } : {}),
        ...(isObj(spec.defaultBackend) ? { defaultBackend: spec.defaultBackend as unknown as NonNullable<Ingress['spec']['defaultBackend']> } : {}),
      });
      return { ref: `ingress.networking.k8s.io/${p.name}`, action: 'created' };
    }
    case 'Service': {
      const ports = servicePorts(p.name, spec.ports);
      const selector = isObj(spec.selector) ? (Object.fromEntries(Object.entries(spec.selector).map(([k, v]) => [k, String(v)])) as Record<string, string>) : undefined;
      const type = (spec.type as 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName' | undefined) ?? 'ClusterIP';
      const existing = k8s.services[`${p.namespace}/${p.name}`];
      if (existing) {
        const want = canonicalJson({ selector: selector ?? null, ports: ports.map((x) => ({ ...x, nodePort: undefined })) });
        const have = canonicalJson({ selector: existing.spec.selector ?? null, ports: (existing.spec.ports ?? []).map((x) => ({ ...x, nodePort: undefined })) });
        if (want === have) return { ref: `service/${p.name}`, action: 'unchanged' };
        existing.spec.selector = selector;
        existing.spec.ports = ports.map((x, i) => ({ ...x, ...(existing.spec.ports?.[i]?.nodePort ? { nodePort: existing.spec.ports[i]!.nodePort } : {}) }));
        ctx.state.proxyDirty = true;
        return { ref: `service/${p.name}`, action: 'configured' };
      }
      createService(ctx, {
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
      });
      return { ref: `service/${p.name}`, action: 'created' };
    }
  }
}
