/**
 * Built-in kinds a real Kubernetes v1.32 API server serves that the sandbox does not model.
 *
 * Design notes: a real server accepts these kinds, so answering with the "no matches for
 * kind ... ensure CRDs are installed first" a CRD's kind gets would be wrong. Where the true
 * answer is known without modelling the kind, the sandbox gives it: a kubeadm cluster with
 * nothing deployed has no StatefulSets, Jobs, CronJobs, volumes, autoscalers or quotas, so
 * listing them finds nothing (`No resources found in default namespace.`) and a name is
 * NotFound (`empty: true`). Kinds a fresh cluster does hold (ServiceAccounts, RBAC roles,
 * Leases, ControllerRevisions, IngressClasses...) get a message saying the sandbox does not
 * model them, as does creating any of these kinds.
 */
/** How the API server's discovery names a resource type. */
export interface ResourceNames {
  /** Plural resource name (`pods`). */
  plural: string;
  singular: string;
  shortNames: string[];
  kind: string;
  /** `apps` for Deployments; empty for the core group. */
  group: string;
  /** The API version served (`v1`). */
  version: string;
  namespaced: boolean;
}

export interface UnmodelledResource extends ResourceNames {
  /** Listing finds nothing on the sandbox's clusters, truthfully. */
  empty: boolean;
}

const r = (plural: string, singular: string, shortNames: string[], kind: string, group: string, version: string, namespaced: boolean, empty: boolean): UnmodelledResource => ({ plural, singular, shortNames, kind, group, version, namespaced, empty });

export const UNMODELLED: UnmodelledResource[] = [
  r('statefulsets', 'statefulset', ['sts'], 'StatefulSet', 'apps', 'v1', true, true),
  r('controllerrevisions', 'controllerrevision', [], 'ControllerRevision', 'apps', 'v1', true, false),
  r('jobs', 'job', [], 'Job', 'batch', 'v1', true, true),
  r('cronjobs', 'cronjob', ['cj'], 'CronJob', 'batch', 'v1', true, true),
  r('replicationcontrollers', 'replicationcontroller', ['rc'], 'ReplicationController', '', 'v1', true, true),
  r('podtemplates', 'podtemplate', [], 'PodTemplate', '', 'v1', true, true),
  r('persistentvolumeclaims', 'persistentvolumeclaim', ['pvc'], 'PersistentVolumeClaim', '', 'v1', true, true),
  r('persistentvolumes', 'persistentvolume', ['pv'], 'PersistentVolume', '', 'v1', false, true),
  r('resourcequotas', 'resourcequota', ['quota'], 'ResourceQuota', '', 'v1', true, true),
  r('limitranges', 'limitrange', ['limits'], 'LimitRange', '', 'v1', true, true),
  r('horizontalpodautoscalers', 'horizontalpodautoscaler', ['hpa'], 'HorizontalPodAutoscaler', 'autoscaling', 'v2', true, true),
  r('poddisruptionbudgets', 'poddisruptionbudget', ['pdb'], 'PodDisruptionBudget', 'policy', 'v1', true, true),
  r('serviceaccounts', 'serviceaccount', ['sa'], 'ServiceAccount', '', 'v1', true, false),
  r('ingressclasses', 'ingressclass', [], 'IngressClass', 'networking.k8s.io', 'v1', false, false),
  r('storageclasses', 'storageclass', ['sc'], 'StorageClass', 'storage.k8s.io', 'v1', false, false),
  r('roles', 'role', [], 'Role', 'rbac.authorization.k8s.io', 'v1', true, false),
  r('rolebindings', 'rolebinding', [], 'RoleBinding', 'rbac.authorization.k8s.io', 'v1', true, false),
  r('clusterroles', 'clusterrole', [], 'ClusterRole', 'rbac.authorization.k8s.io', 'v1', false, false),
  r('clusterrolebindings', 'clusterrolebinding', [], 'ClusterRoleBinding', 'rbac.authorization.k8s.io', 'v1', false, false),
  r('leases', 'lease', [], 'Lease', 'coordination.k8s.io', 'v1', true, false),
  r('priorityclasses', 'priorityclass', ['pc'], 'PriorityClass', 'scheduling.k8s.io', 'v1', false, false),
  r('customresourcedefinitions', 'customresourcedefinition', ['crd', 'crds'], 'CustomResourceDefinition', 'apiextensions.k8s.io', 'v1', false, false),
];

/** The unmodelled built-in resource a word names (`sts`, `statefulsets.apps`, `job`), if any. */
export function unmodelledResource(text: string): UnmodelledResource | undefined {
  const t = text.toLowerCase();
  return UNMODELLED.find((u) => u.plural === t || u.singular === t || u.shortNames.includes(t) || (u.group !== '' && (`${u.plural}.${u.group}` === t || `${u.singular}.${u.group}` === t)));
}

/** kubectl's refusal text (without `error: `) for a manifest of a built-in kind the sandbox does not model, if it is one. */
export function unmodelledKind(kind: string, apiVersion: string): string | undefined {
  const u = UNMODELLED.find((x) => x.kind === kind && (x.group ? `${x.group}/` : '') + x.version === apiVersion);
  if (!u) return undefined;
  return `the sandbox does not model ${kind} objects (${apiVersion}), which a real API server accepts; it models Pods, Deployments, DaemonSets, Services, Endpoints, EndpointSlices, Ingresses, NetworkPolicies, ConfigMaps, Secrets and Namespaces`;
}

/** A message for a verb on an unmodelled kind whose true answer the sandbox cannot give. */
export function unmodelledMessage(u: UnmodelledResource): string {
  return `the sandbox does not model ${u.plural}${u.group ? `.${u.group}` : ''} (a real cluster has some); it models pods, deployments, daemonsets, replicasets, services, endpoints, endpointslices, ingresses, networkpolicies, configmaps, secrets, namespaces, nodes and events`;
}
