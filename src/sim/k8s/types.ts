/**
 * Kubernetes objects as the API server stores them.
 *
 * Design notes: objects keep the real API shape (apiVersion, kind, metadata, spec, status)
 * so that kubectl's printers, `-o yaml` and `-o json` read them the way they read a real
 * server's answer. Only the fields the sandbox uses are typed; timestamps are RFC 3339
 * strings as the API returns them. The store is a map per kind keyed by `namespace/name`
 * (cluster-scoped kinds by name).
 */
import type { DnsRecord } from '../dns';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean }[];
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** The node's port forwarded to it (the CNI's portmap plugin: cni.ts). */
  hostPort?: number;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
  /** Variables for the container's process: a value, or one read from the pod (`fieldRef`). */
  env?: EnvVar[];
  /** Where the pod's volumes appear in the container's filesystem (k8s/volumes.ts). */
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  /** Requests and limits as quantities (`cpu: 100m`, `memory: 70Mi`); see quantity.ts. */
  resources?: ResourceRequirements;
}

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string; apiVersion?: string } };
}

export interface PodSpec {
  containers: Container[];
  nodeName?: string;
  hostNetwork?: boolean;
  restartPolicy?: string;
  dnsPolicy?: string;
  priorityClassName?: string;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  /** The pod's host name (default: its name) and, with a headless Service of that name, its DNS subdomain. */
  hostname?: string;
  subdomain?: string;
  /** resolv.conf overrides (required with dnsPolicy None). */
  dnsConfig?: PodDnsConfig;
  volumes?: Volume[];
  /** Containers added to a running pod by `kubectl debug` (see k8s/debug.ts). */
  ephemeralContainers?: EphemeralContainer[];
  /** false: the kubelet gives containers no variables for the namespace's Services (only KUBERNETES_*). */
  enableServiceLinks?: boolean;
  /** The pod's ServiceAccount (the admission plugin sets `default` when absent; see defaults.ts). */
  serviceAccountName?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface PodDnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

/** A pod volume; only the sources whose absence keeps a pod from starting are typed. */
export interface Volume {
  name: string;
  secret?: { secretName: string; optional?: boolean };
  configMap?: { name: string; optional?: boolean };
  emptyDir?: Record<string, unknown>;
}

export interface EphemeralContainer extends Container {
  targetContainerName?: string;
  stdin?: boolean;
  tty?: boolean;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  imagePullPolicy?: string;
}

export interface ContainerStatus {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  started: boolean;
  state: { running?: { startedAt: string }; waiting?: { reason: string; message?: string }; terminated?: ContainerTerminated };
  /** The previous instance's end, once the container has been restarted or waits to be (kubectl's Last State). */
  lastState?: { terminated?: ContainerTerminated };
  containerID?: string;
}

/** How a container instance ended. */
export interface ContainerTerminated {
  reason: string;
  exitCode: number;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}

export interface Pod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta;
  spec: PodSpec;
  status: {
    phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    conditions?: { type: string; status: 'True' | 'False'; lastTransitionTime: string; reason?: string; message?: string }[];
    hostIP?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    startTime?: string;
    containerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
    qosClass?: string;
  };
}

export interface Node {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: ObjectMeta;
  spec: { podCIDR: string; podCIDRs: string[]; taints?: { key: string; effect: string; timeAdded?: string }[]; unschedulable?: boolean };
  status: {
    addresses: { type: 'InternalIP' | 'ExternalIP' | 'Hostname'; address: string }[];
    conditions: { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; lastHeartbeatTime: string; lastTransitionTime: string }[];
    nodeInfo: {
      kubeletVersion: string;
      kubeProxyVersion: string;
      osImage: string;
      kernelVersion: string;
      containerRuntimeVersion: string;
      operatingSystem: string;
      architecture: string;
    };
  };
}

export interface ServicePort {
  name?: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort: number | string;
  nodePort?: number;
}

export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    sessionAffinity: 'None' | 'ClientIP';
    ipFamilies: string[];
    ipFamilyPolicy: string;
    internalTrafficPolicy: 'Cluster' | 'Local';
    externalTrafficPolicy?: 'Cluster' | 'Local';
    /** LoadBalancer with externalTrafficPolicy Local: the port of kube-proxy's health check on every node. */
    healthCheckNodePort?: number;
    loadBalancerSourceRanges?: string[];
  };
  status: { loadBalancer: { ingress?: LoadBalancerIngress[] } };
}

/**
 * One address of a load balancer. The API server (LoadBalancerIPMode, on by default since
 * v1.30) defaults `ipMode` to `VIP` for an entry with an IP.
 */
export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: 'VIP' | 'Proxy';
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Deployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta & { generation: number };
  spec: { replicas: number; selector: LabelSelector; template: PodTemplate };
  status: { replicas: number; updatedReplicas: number; readyReplicas: number; availableReplicas: number; observedGeneration: number };
}

export interface ReplicaSet {
  apiVersion: 'apps/v1';
  kind: 'ReplicaSet';
  metadata: ObjectMeta & { generation: number };
  spec: { replicas: number; selector: LabelSelector; template: PodTemplate };
  status: { replicas: number; fullyLabeledReplicas: number; readyReplicas: number; availableReplicas: number; observedGeneration: number };
}

export interface DaemonSet {
  apiVersion: 'apps/v1';
  kind: 'DaemonSet';
  metadata: ObjectMeta & { generation: number };
  spec: { selector: LabelSelector; template: PodTemplate };
}

export interface Namespace {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ObjectMeta;
  status: { phase: 'Active' | 'Terminating' };
}

export interface IngressBackend {
  service: { name: string; port: { number?: number; name?: string } };
}

export interface Ingress {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'Ingress';
  metadata: ObjectMeta;
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    rules?: { host?: string; http?: { paths: { path?: string; pathType: 'Prefix' | 'Exact' | 'ImplementationSpecific'; backend: IngressBackend }[] } }[];
  };
  /** networking/v1 IngressLoadBalancerIngress: no ipMode. */
  status: { loadBalancer: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** A core/v1 Event as `kubectl get events -o yaml` shows it (see events.ts). */
export interface K8sEvent {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; creationTimestamp: string };
  involvedObject: { apiVersion?: string; fieldPath?: string; kind: string; name: string; namespace?: string; resourceVersion?: string; uid?: string };
  reason: string;
  message: string;
  source: { component?: string; host?: string };
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  count?: number;
  type: 'Normal' | 'Warning';
  eventTime: string | null;
  series?: { count: number; lastObservedTime: string };
  action?: string;
  reportingComponent: string;
  reportingInstance: string;
}

/**
 * An object of a kind the API server stores as written, after validation and defaulting
 * (ConfigMap, Secret, NetworkPolicy, and Endpoints/EndpointSlices a learner writes; see
 * objects.ts): every field but metadata is kept as the manifest gave it.
 */
export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface K8sState {
  resourceVersion: number;
  namespaces: Record<string, Namespace>;
  nodes: Record<string, Node>;
  pods: Record<string, Pod>;
  services: Record<string, Service>;
  deployments: Record<string, Deployment>;
  replicasets: Record<string, ReplicaSet>;
  daemonsets: Record<string, DaemonSet>;
  ingresses?: Record<string, Ingress>;
  /** Objects stored as written, by plural resource name, then `namespace/name` (objects.ts). */
  objects?: Record<string, Record<string, StoredObject>>;
  /** Events, oldest first, bounded (see events.ts); absent in snapshots from before events. */
  events?: K8sEvent[];
  /** The last event sequence number (events' names and resourceVersions). */
  eventSeq?: number;
  /** What containers wrote, by `<pod uid>/<container>` (see logs.ts); absent until a program logs. */
  logs?: Record<string, ContainerLog>;
  /** ConfigMaps and Secrets by `namespace/name` (pods' volumes wait for them; see kubelet.ts). */
  configmaps?: Record<string, { metadata: ObjectMeta }>;
  secrets?: Record<string, { metadata: ObjectMeta }>;
  /** Pods the kubelet is still starting (see kubelet.ts), by `namespace/name`. */
  starting?: Record<string, PodStart>;
  /** Containers whose program exits and which the kubelet restarts, by `namespace/pod/container` (see kubelet.ts). */
  crashing?: Record<string, ContainerCrash>;
  /** Images each node has pulled since the cluster was built (see kubelet.ts). */
  nodeImages?: Record<string, string[]>;
  /** Allocation state that the API server and the CNI keep outside the objects. */
  alloc: {
    /** Service ClusterIPs in use (dotted quads). */
    serviceIps: string[];
    /** How many times an object (`<Kind>/<namespace>/<name>`) was deleted: a new one of the same name gets a new uid. */
    incarnations?: Record<string, number>;
    /** How many ClusterIPs each Service key has drawn (a re-created Service draws afresh). */
    clusterIpDraws?: Record<string, number>;
    /** host-local IPAM per node: the last reserved offset in the node's pod CIDR, and the addresses in use. */
    podIpam: Record<string, { last: number; used: number[] }>;
    /** How many names each generateName prefix has drawn (keeps generated names stable). */
    nameCounters?: Record<string, number>;
    /** Pods (not host-network) bound to each node: the scheduler's cache. */
    podsPerNode?: Record<string, number>;
    /** Host-network pods bound to each node (they count against the kubelet's maxPods too). */
    hostPodsPerNode?: Record<string, number>;
    /** Node ports in use. */
    nodePorts?: number[];
    /** The random part of each Service's EndpointSlice name (`<svc>-<5 chars>`), by Service key. */
    sliceSuffixes?: Record<string, string>;
    /** Load balancer addresses handed out by the simulated cloud, by Service key. */
    loadBalancers?: Record<string, string>;
    /** Load balancers the cloud is still provisioning, by Service key: which Service and when it is done. */
    loadBalancersDue?: Record<string, { uid: string; due: number }>;
  };
  /**
   * Endpoints of Services without a selector, kept by whoever manages them (the API server
   * keeps `default/kubernetes` pointing at itself), by `namespace/name`.
   */
  manualEndpoints?: Record<string, { ip: string; node: string }[]>;
  /** CoreDNS's running configuration, reload ticker and cache (coredns-config.ts); absent until first used. */
  coredns?: CoreDnsRuntime;
}

/** Where the kubelet is in starting a pod, and when it next acts (sandbox time, epoch ms). */
export interface PodStart {
  stage: 'schedule' | 'admit' | 'mount' | 'sandbox' | 'pull' | 'start' | 'exit';
  due: number;
  /** Retries of the current stage so far (kubelet's backoff). */
  attempt: number;
  /** Started from a cluster build or a lab's manifests: no waiting, images already on the node. */
  fast?: boolean;
  /** The container being started, and how long its image pull takes when one is under way (ms). */
  container?: number;
  pullMs?: number;
  /** The last FailedScheduling message recorded and when (the scheduler repeats it every 5 minutes). */
  lastMessage?: string;
  lastAt?: number;
}

/**
 * A container whose program cannot keep running (it exits by itself with a failure), as its
 * node's kubelet tracks it: when the program exits, when the pod worker next syncs the pod, and
 * the container's restart back-off.
 */
export interface ContainerCrash {
  /** The pod's uid: a pod recreated under the same name starts afresh. */
  uid: string;
  container: string;
  /** What happens at `due`: the running program exits, or the pod worker syncs the pod. */
  next: 'exit' | 'sync';
  due: number;
  /** The kubelet's back-off for the container (ms; 0 before the first restart) and when it last grew. */
  backoff: number;
  backoffAt?: number;
  /** How many pod-worker syncs found it backing off (their jitter is drawn from it). */
  syncs: number;
  /** The status the running program exits with. */
  exitCode: number;
}

export function key(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** One line as the container runtime stores it (CRI log format, without the stream tag). */
export interface LogLine {
  /** RFC 3339 with nanoseconds, trailing zeros trimmed (Go's time.RFC3339Nano). */
  ts: string;
  text: string;
}

/** A container's recorded lines and the counters its program keeps. */
export interface ContainerLog {
  lines: LogLine[];
  /** Lines dropped from the front because the log was full. */
  dropped: number;
  /** Connections the program has accepted (nginx's `*N` connection numbers). */
  conns: number;
  /** The newest line's time: epoch ms and the nanoseconds beyond it (keeps timestamps increasing). */
  lastMs?: number;
  lastNs?: number;
}

/** What the CoreDNS Deployment runs, kept in the state (see coredns-config.ts). */
export interface CoreDnsRuntime {
  /** The Corefile the servers were set up from. */
  running: string;
  /** The Corefile CoreDNS started with, and when the first reload replaced it (startup banners). */
  initial?: string;
  firstReload?: number;
  /** The Corefile the reload plugin last read successfully (its hash). */
  seen: string;
  /** The next reload tick (epoch ms); absent when the running file has no `reload`. */
  nextTick?: number;
  interval: number;
  cache: Record<string, { expires: number; stored: number; ttl: number; rcode: number; answers: DnsRecord[]; authority: DnsRecord[]; aa: boolean; ra: boolean }>;
}

/** A Service's endpoint as the endpoints controller derives it (endpoints.ts). */
export interface Endpoint {
  ip: string;
  pod: string;
  node: string;
  ready: boolean;
  /** For endpoints someone wrote: the port on the endpoint for each Service port name. */
  ports?: Record<string, number>;
}
