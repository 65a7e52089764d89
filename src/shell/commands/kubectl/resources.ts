/**
 * The resource types kubectl knows in the sandbox, with their short names.
 *
 * Design notes: kubectl resolves what the learner types (`po`, `pod`, `pods`,
 * `deploy`...) through the API server's discovery, case-insensitively; the same table
 * feeds `get`, completion and the "doesn't have a resource type" error. Each type lists its
 * objects from the sandbox's state: most are stored, while Endpoints and EndpointSlices are
 * derived from the Services and pods on every read, as the controllers would keep them, and
 * listed beside the ones a learner wrote for Services without a selector (with the slices the
 * mirroring controller makes of those Endpoints). ConfigMaps, Secrets and NetworkPolicies are
 * stored as written (sim/k8s/objects.ts); every namespace also holds the `kube-root-ca.crt`
 * ConfigMap the root CA publisher keeps there. Built-in kinds the sandbox does not model
 * (sim/k8s/unmodelled.ts) resolve to an empty type where listing nothing is the truth.
 */
import { endpointSliceObject, endpointsObject, mirroredSlices } from '../../../sim/k8s/endpoints';
import { storedList } from '../../../sim/k8s/objects';
import { kubeRootCaConfigMaps } from '../../../sim/k8s/system-objects';
import { unmodelledMessage, unmodelledResource } from '../../../sim/k8s/unmodelled';
import type { ResourceNames } from '../../../sim/k8s/unmodelled';
import type { SimState } from '../../../sim/state';
import { parseSelector, SelectorError, type Requirement } from '../../../sim/k8s/labels';
import { CommandError } from '../../errors';

/** The part of an object every printer and lookup reads. */
export interface AnyObject {
  metadata: { name: string; namespace?: string; creationTimestamp: string; labels?: Record<string, string> };
}

export interface ResourceType extends ResourceNames {
  /** Every object of this type in the sandbox, in any order. */
  list(state: SimState): AnyObject[];
}

const stored =
  (pick: (s: SimState) => Record<string, AnyObject> | undefined) =>
  (s: SimState): AnyObject[] =>
    Object.values(pick(s) ?? {});

function derived(make: (s: SimState, svc: SimState['k8s']['services'][string]) => Record<string, unknown> | undefined) {
  return (s: SimState): AnyObject[] =>
    Object.values(s.k8s.services).flatMap((svc) => {
      const o = make(s, svc);
      return o ? [o as unknown as AnyObject] : [];
    });
}

/** The derived objects, then the stored ones a controller does not overwrite. */
function both(derive: (s: SimState) => AnyObject[], plural: string) {
  return (s: SimState): AnyObject[] => {
    const out = derive(s);
    const taken = new Set(out.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    return [...out, ...storedList(s, plural).filter((o) => !taken.has(`${o.metadata.namespace}/${o.metadata.name}`))];
  };
}

export const RESOURCES: ResourceType[] = [
  { plural: 'pods', singular: 'pod', shortNames: ['po'], kind: 'Pod', group: '', version: 'v1', namespaced: true, categories: ['all'], list: stored((s) => s.k8s.pods) },
  { plural: 'nodes', singular: 'node', shortNames: ['no'], kind: 'Node', group: '', version: 'v1', namespaced: false, list: stored((s) => s.k8s.nodes) },
  { plural: 'services', singular: 'service', shortNames: ['svc'], kind: 'Service', group: '', version: 'v1', namespaced: true, categories: ['all'], list: stored((s) => s.k8s.services) },
  { plural: 'endpoints', singular: 'endpoints', shortNames: ['ep'], kind: 'Endpoints', group: '', version: 'v1', namespaced: true, list: both(derived(endpointsObject), 'endpoints') },
  { plural: 'endpointslices', singular: 'endpointslice', shortNames: [], kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', namespaced: true, list: (s) => [...both(derived(endpointSliceObject), 'endpointslices')(s), ...(mirroredSlices(s) as unknown as AnyObject[])] },
  { plural: 'configmaps', singular: 'configmap', shortNames: ['cm'], kind: 'ConfigMap', group: '', version: 'v1', namespaced: true, list: (s) => [...(kubeRootCaConfigMaps(s) as unknown as AnyObject[]), ...storedList(s, 'configmaps')] },
  { plural: 'secrets', singular: 'secret', shortNames: [], kind: 'Secret', group: '', version: 'v1', namespaced: true, list: (s) => storedList(s, 'secrets') },
  { plural: 'networkpolicies', singular: 'networkpolicy', shortNames: ['netpol'], kind: 'NetworkPolicy', group: 'networking.k8s.io', version: 'v1', namespaced: true, list: (s) => storedList(s, 'networkpolicies') },
  { plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], kind: 'Namespace', group: '', version: 'v1', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], list: stored((s) => s.k8s.namespaces) },
  { plural: 'deployments', singular: 'deployment', shortNames: ['deploy'], kind: 'Deployment', group: 'apps', version: 'v1', namespaced: true, categories: ['all'], list: stored((s) => s.k8s.deployments) },
  { plural: 'replicasets', singular: 'replicaset', shortNames: ['rs'], kind: 'ReplicaSet', group: 'apps', version: 'v1', namespaced: true, categories: ['all'], list: stored((s) => s.k8s.replicasets) },
  { plural: 'daemonsets', singular: 'daemonset', shortNames: ['ds'], kind: 'DaemonSet', group: 'apps', version: 'v1', namespaced: true, categories: ['all'], list: stored((s) => s.k8s.daemonsets) },
  { plural: 'events', singular: 'event', shortNames: ['ev'], kind: 'Event', group: '', version: 'v1', namespaced: true, list: (s) => (s.k8s.events ?? []) as unknown as AnyObject[] },
  { plural: 'ingresses', singular: 'ingress', shortNames: ['ing'], kind: 'Ingress', group: 'networking.k8s.io', version: 'v1', namespaced: true, list: stored((s) => s.k8s.ingresses) },
];

export function resolveResource(text: string): ResourceType | undefined {
  const t = text.toLowerCase();
  return RESOURCES.find((r) => r.plural === t || r.singular === t || r.shortNames.includes(t) || (r.group !== '' && (`${r.plural}.${r.group}` === t || `${r.singular}.${r.group}` === t)));
}

/**
 * A built-in type the sandbox does not model but whose listing is truthfully empty, as an
 * empty type (get and describe then say `No resources found`); undefined otherwise.
 */
export function emptyResource(text: string): ResourceType | undefined {
  const u = unmodelledResource(text);
  if (!u?.empty) return undefined;
  return { plural: u.plural, singular: u.singular, shortNames: u.shortNames, kind: u.kind, group: u.group, version: u.version, namespaced: u.namespaced, list: () => [] };
}

/** The message for a built-in type the sandbox does not model and cannot answer for truthfully. */
export function unmodelledText(text: string): string | undefined {
  const u = unmodelledResource(text);
  if (u?.verbs && !u.verbs.includes('list')) return 'Error from server (MethodNotAllowed): the server does not allow this method on the requested resource';
  return u && !u.empty ? `error: ${unmodelledMessage(u)}` : undefined;
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
  return [...new Set(RESOURCES.flatMap((r) => [r.plural, r.singular, ...r.shortNames]))];
}

/** A built-in resource name the sandbox does not model (so the error says so rather than "doesn't have"). */
export function isRealResource(text: string): boolean {
  return unmodelledResource(text) !== undefined;
}

/** The names of the types the sandbox serves, for the "not supported yet" error. */
export function supportedList(): string {
  const names = RESOURCES.map((r) => r.plural);
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * A `-l` selector as the API server parses it. A bad one is refused by the server while
 * listing `type`; kubectl prints that as BadRequest, naming the resource.
 */
export function selectorFor(type: { group: string; version: string; plural: string }, text: string): Requirement[] {
  try {
    return parseSelector(text);
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
    throw new CommandError('INVALID', `Error from server (BadRequest): Unable to find "${type.group}/${type.version}, Resource=${type.plural}" that match label selector "${text}", field selector "": ${e.message}`);
  }
}
