/**
 * Admission: the one check every write to the sandbox's API server passes before anything is
 * stored (kubectl apply, create, run, expose, scale, patch, edit, set, label, annotate).
 *
 * Design notes: `admit` takes the object as the request carries it, after defaulting, and the
 * live object for an update; it throws the API server's refusal and changes nothing, so a
 * caller that admits before it writes never leaves half an object behind. In order, as the
 * API server meets them: the request body's size (3 MiB, `Request entity too large: limit is
 * 3145728`), then the kind's validation (validation/<kind>.ts) and the update rules
 * (immutable fields), all field errors of one object aggregated into one Invalid status
 * (field.ts), then the allocators (ClusterIP, nodePort). Kinds: Namespace, Pod, Deployment,
 * ReplicaSet (scale only), Service, Ingress, ConfigMap, Secret, NetworkPolicy, Endpoints,
 * EndpointSlice.
 */
import type { SimState } from '../../state';
import { ApiError } from '../api-error';
import { key, type Deployment, type Pod, type Service } from '../types';
import { validateConfigMap } from './configmap';
import { validateDeployment, validateDeploymentUpdate } from './deployment';
import { validateEndpoints } from './endpoints';
import { validateEndpointSlice } from './endpointslice';
import { InvalidError, type FieldError } from './field';
import { validateIngress } from './ingress';
import { isObj, objAt, strAt, type Obj } from './meta';
import { validateNamespace } from './namespace';
import { validateNetworkPolicy } from './networkpolicy';
import { POD_UPDATE_FORBIDDEN as POD_FORBIDDEN, validatePod } from './pod';
import { validateReplicaSetSpec } from './replicaset';
import { validateSecret } from './secret';
import { validateService, validateServiceUpdate } from './service';

export { InvalidError } from './field';
export type { FieldError } from './field';

export type AdmitKind = 'Namespace' | 'Pod' | 'Deployment' | 'ReplicaSet' | 'Service' | 'Ingress' | 'ConfigMap' | 'Secret' | 'NetworkPolicy' | 'Endpoints' | 'EndpointSlice';

export const API_GROUP: Record<AdmitKind, string> = {
  Namespace: '', Pod: '', Deployment: 'apps', ReplicaSet: 'apps', Service: '', Ingress: 'networking.k8s.io',
  ConfigMap: '', Secret: '', NetworkPolicy: 'networking.k8s.io', Endpoints: '', EndpointSlice: 'discovery.k8s.io',
};

/** The API server's limit on a request body (MaxRequestBodyBytes). */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

export interface AdmitOptions {
  /** The object is replacing a live one (its namespace/name): the update rules apply. */
  update?: boolean;
  /** A pod update changes more than the images (computed by the caller from the fields it keeps). */
  podSpecChanged?: boolean;
  /** A create of an object that exists: the allocators are not consulted (the create ends in AlreadyExists). */
  exists?: boolean;
}

/** The live object of a kind that has update rules. */
function live(state: SimState, kind: AdmitKind, namespace: string, name: string): Deployment | Service | Pod | undefined {
  const k = key(namespace, name);
  if (kind === 'Deployment') return state.k8s.deployments[k];
  if (kind === 'Service') return state.k8s.services[k];
  if (kind === 'Pod') return state.k8s.pods[k];
  return undefined;
}

/** The field errors of an object (create, or update with the live object's rules). */
export function validationErrors(state: SimState, kind: AdmitKind, obj: Obj, opts: AdmitOptions = {}): FieldError[] {
  const meta = objAt(obj, 'metadata');
  const namespace = strAt(meta, 'namespace') || 'default';
  const name = strAt(meta, 'name');
  const old = opts.update ? live(state, kind, namespace, name) : undefined;
  switch (kind) {
    case 'Namespace':
      return validateNamespace(obj);
    case 'Pod':
      return [...validatePod(obj), ...(opts.update && opts.podSpecChanged ? [{ type: 'Forbidden' as const, field: 'spec', detail: POD_FORBIDDEN }] : [])];
    case 'Deployment': {
      const errs = validateDeployment(obj);
      if (old && 'spec' in old && old.kind === 'Deployment') errs.push(...validateDeploymentUpdate(obj, old.spec.selector as unknown as Obj));
      return errs;
    }
    case 'ReplicaSet':
      return validateReplicaSetSpec(objAt(obj, 'spec'));
    case 'Service': {
      const svc = old && old.kind === 'Service' ? old : undefined;
      const own = new Set((svc?.spec.ports ?? []).map((p) => p.nodePort));
      const alloc = {
        nodePorts: (state.k8s.alloc.nodePorts ?? []).filter((p) => !own.has(p)),
        clusterIps: state.k8s.alloc.serviceIps.filter((ip) => ip !== svc?.spec.clusterIP),
        serviceCidr: state.config.serviceCidr,
      };
      const errs = validateService(obj, opts.exists && !opts.update ? undefined : alloc);
      if (svc) errs.push(...validateServiceUpdate(obj, svc.spec.clusterIP));
      return errs;
    }
    case 'Ingress':
      return validateIngress(obj);
    case 'ConfigMap':
      return validateConfigMap(obj);
    case 'Secret':
      return validateSecret(obj);
    case 'NetworkPolicy':
      return validateNetworkPolicy(obj);
    case 'Endpoints':
      return validateEndpoints(obj);
    case 'EndpointSlice':
      return validateEndpointSlice(obj);
  }
}

/** The body's size as JSON, in bytes, without building a string larger than the limit needs. */
export function requestTooLarge(obj: unknown, limit = MAX_REQUEST_BYTES): boolean {
  let n = 0;
  const walk = (v: unknown, depth: number): boolean => {
    if (n > limit) return true;
    if (typeof v === 'string') n += v.length + 2;
    else if (Array.isArray(v)) {
      n += 2;
      for (const x of v) if (walk(x, depth + 1)) return true;
    } else if (isObj(v)) {
      n += 2;
      for (const [k, x] of Object.entries(v)) {
        n += k.length + 4;
        if (walk(x, depth + 1)) return true;
      }
    } else n += String(v).length;
    return n > limit;
  };
  return walk(obj, 0);
}

/**
 * Admits an object or throws the API server's refusal: RequestEntityTooLarge, or Invalid with
 * every field error of the object.
 */
export function admit(state: SimState, kind: AdmitKind, obj: Obj, opts: AdmitOptions = {}): void {
  if (requestTooLarge(obj)) throw new ApiError('RequestEntityTooLarge', `Request entity too large: limit is ${MAX_REQUEST_BYTES}`);
  const errs = validationErrors(state, kind, obj, opts);
  if (errs.length) throw new InvalidError(kind, API_GROUP[kind], strAt(objAt(obj, 'metadata'), 'name'), errs);
}
