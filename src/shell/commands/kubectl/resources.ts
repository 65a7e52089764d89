/**
 * The resource types kubectl knows in the sandbox, with their short names.
 *
 * Design notes: kubectl resolves what the learner types (`po`, `pod`, `pods`,
 * `deploy`...) through the API server's discovery, case-insensitively; the same table
 * feeds `get`, completion and the "doesn't have a resource type" error.
 */
import type { K8sState } from '../../../sim/k8s/types';

export interface ResourceType {
  /** Plural resource name (`pods`). */
  plural: string;
  singular: string;
  shortNames: string[];
  kind: string;
  /** `apps` for Deployments; empty for the core group. */
  group: string;
  namespaced: boolean;
  /** Where the objects live in the sandbox's store. */
  store: keyof Omit<K8sState, 'resourceVersion' | 'alloc' | 'manualEndpoints' | 'ingresses'>;
}

export const RESOURCES: ResourceType[] = [
  { plural: 'pods', singular: 'pod', shortNames: ['po'], kind: 'Pod', group: '', namespaced: true, store: 'pods' },
  { plural: 'nodes', singular: 'node', shortNames: ['no'], kind: 'Node', group: '', namespaced: false, store: 'nodes' },
  { plural: 'services', singular: 'service', shortNames: ['svc'], kind: 'Service', group: '', namespaced: true, store: 'services' },
];

export function resolveResource(text: string): ResourceType | undefined {
  const t = text.toLowerCase();
  return RESOURCES.find((r) => r.plural === t || r.singular === t || r.shortNames.includes(t) || `${r.plural}.${r.group}` === t);
}

/** `pod`, `service`, `deployment.apps`: the prefix of `kind/name` references. */
export function qualifiedSingular(r: ResourceType): string {
  return r.group ? `${r.singular}.${r.group}` : r.singular;
}

/** `pods`, `deployments.apps`: the resource name used in NotFound errors. */
export function qualifiedPlural(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** Every name a learner may type for a resource type, for completion. */
export function resourceWords(): string[] {
  return RESOURCES.flatMap((r) => [r.plural, r.singular, ...r.shortNames]);
}

/** Resource names a real cluster serves that the sandbox does not model yet (so the error says so). */
const REAL_ONLY = [
  'all', 'deployments', 'deployment', 'deploy', 'replicasets', 'replicaset', 'rs', 'daemonsets', 'daemonset', 'ds',
  'endpoints', 'endpoint', 'ep', 'endpointslices', 'endpointslice', 'namespaces', 'namespace', 'ns', 'ingresses', 'ingress', 'ing',
  'events', 'event', 'ev', 'configmaps', 'configmap', 'cm', 'secrets', 'secret', 'statefulsets', 'statefulset', 'sts',
  'jobs', 'job', 'cronjobs', 'cronjob', 'cj', 'serviceaccounts', 'serviceaccount', 'sa', 'networkpolicies', 'networkpolicy', 'netpol',
];

export function isRealResource(text: string): boolean {
  return REAL_ONLY.includes(text.toLowerCase());
}
