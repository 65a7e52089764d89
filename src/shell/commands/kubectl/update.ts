/**
 * Replacing a stored object with a changed copy, as patch, edit, annotate and set send it:
 * through the same path as `kubectl apply` (k8s/manifests.ts, `update` mode), so the
 * controllers react as they do to an apply (replica counts, rolling updates of a changed pod
 * template, a Service's selector moving its endpoints).
 *
 * Design notes: the kinds apply handles (Pods, Deployments, Services, Ingresses, Namespaces
 * and the kinds stored as written) take every change the sandbox models, admitted as apply
 * admits them; the others (ReplicaSets, DaemonSets, Nodes) take changes to labels and
 * annotations only, validated as the API server validates metadata, and any other change is
 * refused with a message saying so. A dry run works on a copy of the cluster.
 */
import { clone } from '../../../sim/clone';
import { ApiError, type ApiContext } from '../../../sim/k8s/api';
import { patchLabels, storedObject, type Resource } from '../../../sim/k8s/controllers';
import { apiView } from '../../../sim/k8s/defaults';
import { applyManifests } from '../../../sim/k8s/manifests';
import { canonicalJson } from '../../../sim/k8s/names';
import { rngOver } from '../../../sim/rng';
import { InvalidError } from '../../../sim/k8s/validation';
import { validateAnnotations, validateLabels } from '../../../sim/k8s/validation/meta';
import type { ResourceType } from './resources';

const APPLIED_KINDS = ['Pod', 'Deployment', 'Service', 'Ingress', 'Namespace', 'ConfigMap', 'Secret', 'NetworkPolicy', 'Endpoints', 'EndpointSlice'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** The object as the API server returns it (what `get -o json` prints), or undefined. */
export function liveObject(ctx: ApiContext, type: ResourceType, namespace: string, name: string): Obj | undefined {
  const obj = type.list(ctx.state).find((o) => o.metadata.name === name && (!type.namespaced || o.metadata.namespace === namespace));
  return obj ? (clone(obj) as unknown as Obj) : undefined;
}

/** Whether two objects differ in anything but their status. */
export function sameObject(a: unknown, b: unknown): boolean {
  const strip = (o: unknown): unknown => (isObj(o) ? { ...o, status: undefined } : o);
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}

/**
 * Stores `next` in place of the live object; returns the object as stored afterwards (from
 * the copy, for a dry run). Throws the ApiError the server would answer.
 */
export function updateObject(ctx: ApiContext, type: ResourceType, namespace: string, name: string, next: Obj, dryRun: boolean): Obj {
  const target: ApiContext = dryRun ? { ...ctx, state: clone(ctx.state), rng: rngOver(clone(ctx.state.rng)) } : ctx;
  const md = isObj(next.metadata) ? next.metadata : {};
  next.metadata = { ...md, name, ...(type.namespaced ? { namespace } : {}) };
  if (APPLIED_KINDS.includes(type.kind)) {
    applyManifests(target, [{ obj: next, source: 'STDIN' }], { namespace, mode: 'update' });
  } else {
    const current = liveObject(target, type, namespace, name);
    if (!current) throw new ApiError('NotFound', `${type.group ? `${type.plural}.${type.group}` : type.plural} "${name}" not found`);
    // The object sent back may be the stored one (patch) or the API view (edit, get -o yaml).
    const view = apiView(target.state, current) as Obj;
    const meta = (o: Obj): Obj => (isObj(o.metadata) ? o.metadata : {});
    const labels = (o: Obj): Record<string, string> => (isObj(meta(o).labels) ? (meta(o).labels as Record<string, string>) : {});
    const annotations = (o: Obj): Record<string, string> => (isObj(meta(o).annotations) ? (meta(o).annotations as Record<string, string>) : {});
    const rest = (o: Obj): unknown => ({ ...o, status: undefined, metadata: { ...meta(o), labels: undefined, annotations: undefined, resourceVersion: undefined } });
    const fromView = canonicalJson(rest(view)) === canonicalJson(rest(next));
    if (!fromView && canonicalJson(rest(current)) !== canonicalJson(rest(next))) {
      throw new ApiError('BadRequest', `the sandbox does not support changing ${type.plural} other than their labels and annotations`);
    }
    // Admission of what changes: the labels and annotations the object would have.
    const errs = [...validateLabels(labels(next), 'metadata.labels'), ...validateAnnotations(annotations(next), 'metadata.annotations')];
    if (errs.length) throw new InvalidError(type.kind, type.group, name, errs);
    const live = fromView ? view : current;
    const want = labels(next);
    const have = labels(live);
    const set = Object.fromEntries(Object.entries(want).filter(([k, v]) => have[k] !== v));
    const remove = Object.keys(have).filter((k) => !(k in want));
    if (Object.keys(set).length || remove.length) patchLabels(target, type.plural as Resource, namespace, name, set, remove);
    const stored = storedObject(target.state, type.plural as Resource, namespace, name);
    if (stored && canonicalJson(annotations(live)) !== canonicalJson(annotations(next))) {
      const a = annotations(next);
      if (Object.keys(a).length) stored.metadata.annotations = { ...a };
      else delete stored.metadata.annotations;
      stored.metadata.resourceVersion = String(++target.state.k8s.resourceVersion);
    }
  }
  return liveObject(target, type, namespace, name) ?? next;
}
