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
 * model them, as does creating any of these kinds. The list is the whole of a v1.32 kubeadm
 * server's discovery beyond the modelled kinds (with the verbs and categories it lists where
 * they are not the usual eight verbs and no category), so `kubectl api-resources` shows what a
 * real cluster serves; review resources (TokenReview, SubjectAccessReview...) take only
 * `create`, so listing them is MethodNotAllowed.
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
  /** The verbs discovery lists, when not the usual eight (STANDARD_VERBS). */
  verbs?: string[];
  /** Discovery's categories (`all` for the workload kinds `kubectl get all` lists). */
  categories?: string[];
}

/** What discovery lists for a resource with the whole REST storage. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface UnmodelledResource extends ResourceNames {
  /** Listing finds nothing on the sandbox's clusters, truthfully. */
  empty: boolean;
}

const r = (plural: string, singular: string, shortNames: string[], kind: string, group: string, version: string, namespaced: boolean, empty: boolean, more: Pick<ResourceNames, 'verbs' | 'categories'> = {}): UnmodelledResource => ({ plural, singular, shortNames, kind, group, version, namespaced, empty, ...more });
const ALL = { categories: ['all'] };
const EXTENSIONS = { categories: ['api-extensions'] };
/** Review resources: the server answers a POST and keeps nothing. */
const CREATE_ONLY = { verbs: ['create'] };

export const UNMODELLED: UnmodelledResource[] = [
  r('statefulsets', 'statefulset', ['sts'], 'StatefulSet', 'apps', 'v1', true, true, ALL),
  r('controllerrevisions', 'controllerrevision', [], 'ControllerRevision', 'apps', 'v1', true, false),
  r('jobs', 'job', [], 'Job', 'batch', 'v1', true, true, ALL),
  r('cronjobs', 'cronjob', ['cj'], 'CronJob', 'batch', 'v1', true, true, ALL),
  r('replicationcontrollers', 'replicationcontroller', ['rc'], 'ReplicationController', '', 'v1', true, true, ALL),
  r('podtemplates', 'podtemplate', [], 'PodTemplate', '', 'v1', true, true),
  r('persistentvolumeclaims', 'persistentvolumeclaim', ['pvc'], 'PersistentVolumeClaim', '', 'v1', true, true),
  r('persistentvolumes', 'persistentvolume', ['pv'], 'PersistentVolume', '', 'v1', false, true),
  r('resourcequotas', 'resourcequota', ['quota'], 'ResourceQuota', '', 'v1', true, true),
  r('limitranges', 'limitrange', ['limits'], 'LimitRange', '', 'v1', true, true),
  r('horizontalpodautoscalers', 'horizontalpodautoscaler', ['hpa'], 'HorizontalPodAutoscaler', 'autoscaling', 'v2', true, true, ALL),
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
  r('customresourcedefinitions', 'customresourcedefinition', ['crd', 'crds'], 'CustomResourceDefinition', 'apiextensions.k8s.io', 'v1', false, false, EXTENSIONS),
  // The rest of a v1.32 server's discovery (what `kubectl api-resources` lists).
  r('bindings', 'binding', [], 'Binding', '', 'v1', true, false, CREATE_ONLY),
  r('componentstatuses', 'componentstatus', ['cs'], 'ComponentStatus', '', 'v1', false, false, { verbs: ['get', 'list'] }),
  r('mutatingwebhookconfigurations', 'mutatingwebhookconfiguration', [], 'MutatingWebhookConfiguration', 'admissionregistration.k8s.io', 'v1', false, false, EXTENSIONS),
  r('validatingadmissionpolicies', 'validatingadmissionpolicy', [], 'ValidatingAdmissionPolicy', 'admissionregistration.k8s.io', 'v1', false, true, EXTENSIONS),
  r('validatingadmissionpolicybindings', 'validatingadmissionpolicybinding', [], 'ValidatingAdmissionPolicyBinding', 'admissionregistration.k8s.io', 'v1', false, true, EXTENSIONS),
  r('validatingwebhookconfigurations', 'validatingwebhookconfiguration', [], 'ValidatingWebhookConfiguration', 'admissionregistration.k8s.io', 'v1', false, false, EXTENSIONS),
  r('apiservices', 'apiservice', [], 'APIService', 'apiregistration.k8s.io', 'v1', false, false, EXTENSIONS),
  r('selfsubjectreviews', 'selfsubjectreview', [], 'SelfSubjectReview', 'authentication.k8s.io', 'v1', false, false, CREATE_ONLY),
  r('tokenreviews', 'tokenreview', [], 'TokenReview', 'authentication.k8s.io', 'v1', false, false, CREATE_ONLY),
  r('localsubjectaccessreviews', 'localsubjectaccessreview', [], 'LocalSubjectAccessReview', 'authorization.k8s.io', 'v1', true, false, CREATE_ONLY),
  r('selfsubjectaccessreviews', 'selfsubjectaccessreview', [], 'SelfSubjectAccessReview', 'authorization.k8s.io', 'v1', false, false, CREATE_ONLY),
  r('selfsubjectrulesreviews', 'selfsubjectrulesreview', [], 'SelfSubjectRulesReview', 'authorization.k8s.io', 'v1', false, false, CREATE_ONLY),
  r('subjectaccessreviews', 'subjectaccessreview', [], 'SubjectAccessReview', 'authorization.k8s.io', 'v1', false, false, CREATE_ONLY),
  r('certificatesigningrequests', 'certificatesigningrequest', ['csr'], 'CertificateSigningRequest', 'certificates.k8s.io', 'v1', false, false),
  r('events', 'event', ['ev'], 'Event', 'events.k8s.io', 'v1', true, false),
  r('flowschemas', 'flowschema', [], 'FlowSchema', 'flowcontrol.apiserver.k8s.io', 'v1', false, false),
  r('prioritylevelconfigurations', 'prioritylevelconfiguration', [], 'PriorityLevelConfiguration', 'flowcontrol.apiserver.k8s.io', 'v1', false, false),
  r('runtimeclasses', 'runtimeclass', [], 'RuntimeClass', 'node.k8s.io', 'v1', false, true),
  r('csidrivers', 'csidriver', [], 'CSIDriver', 'storage.k8s.io', 'v1', false, true),
  r('csinodes', 'csinode', [], 'CSINode', 'storage.k8s.io', 'v1', false, false),
  r('csistoragecapacities', 'csistoragecapacity', [], 'CSIStorageCapacity', 'storage.k8s.io', 'v1', true, true),
  r('volumeattachments', 'volumeattachment', [], 'VolumeAttachment', 'storage.k8s.io', 'v1', false, true),
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
