/**
 * Building a cluster from a declarative spec.
 *
 * Design notes: the defaults are those of a kubeadm cluster with flannel, numbered the way
 * minikube numbers its node network: nodes on 192.168.49.0/24 from .2 (gateway .1), pod CIDR
 * 10.244.0.0/16 split into a /24 per node in node order, service CIDR 10.96.0.0/12 with the
 * `kubernetes` Service on its first address and `kube-dns` on .10, CoreDNS as a Deployment
 * of two pods, kube-proxy (iptables mode unless the spec asks for IPVS: src/sim/proxy) and the
 * network plugin's agents as host-network DaemonSets (sim/cni: flannel in kube-flannel by
 * default, or Canal in kube-system), and the control-plane
 * components as host-network static pods (`<component>-<node>`). The build happens at
 * `createdAt` with objects stamped as a real bootstrap spreads them over the first minute;
 * workloads from the spec are created `workloadDelay` later.
 * Left out: kubeadm's bootstrap tokens, certificates, ConfigMaps, the kube-root-ca ConfigMap
 * and every other object that plays no part in networking.
 */
import { seedCoreDnsConfigMap } from './k8s/system-objects';
import { createStored, storedKind } from './k8s/objects';
import { kubeProxyHooks } from './k8s/kube-proxy';
import { emptyNetfilter } from './netfilter';
import { cidr, formatIp, nth, subnet } from './ipv4';
import { cniOf, createRouter, createNodeNetns, setupCni, syncCni } from './cni';
import { installServiceProxy } from './proxy';
import { createCloud } from './k8s/cloud';
import { MAX_EVENTS } from './k8s/events';
import { createDaemonSet, createDeployment, createNamespace, createNode, createPod, createService, emit, type ApiContext } from './k8s/api';
import type { PodSpec, ServicePort } from './k8s/types';
import { rngOver, type Rng } from './rng';
import { emptyState, type ClusterConfig, type SimState } from './state';

export interface WorkloadSpec {
  deployments?: { name: string; namespace?: string; replicas: number; image: string; labels?: Record<string, string>; ports?: number[] }[];
  pods?: { name: string; namespace?: string; image: string; labels?: Record<string, string>; node?: string; command?: string[] }[];
  services?: { name: string; namespace?: string; selector: Record<string, string>; ports: { port: number; targetPort?: number; name?: string; protocol?: 'TCP' | 'UDP' }[] }[];
}

export interface ClusterSpec {
  /** Number of nodes including the control plane (default 3). */
  nodes?: number;
  /** Node names; default `control-plane`, `node-1`, `node-2`, ... */
  nodeNames?: string[];
  nodeNetwork?: string;
  /** Host number of the first node in the node network (default 2). */
  firstNodeHost?: number;
  podCidr?: string;
  nodeCidrMaskSize?: number;
  serviceCidr?: string;
  kubernetesVersion?: string;
  mtu?: number;
  /** Install ingress-nginx: a controller Deployment behind a LoadBalancer Service (default false). */
  ingressController?: boolean;
  /** The network plugin: `flannel-vxlan` (default), `flannel-host-gw` or `canal` (see sim/cni). */
  cni?: ClusterConfig['cni'];
  /** kube-proxy's mode: `iptables` (default) or `ipvs`. */
  proxyMode?: 'iptables' | 'ipvs';
  /** Extra namespaces to create (default, kube-system, kube-public, kube-node-lease and kube-flannel always exist). */
  namespaces?: string[];
  workloads?: WorkloadSpec;
  /** How long after the cluster's creation the workloads were created (ms, default 4 minutes). */
  workloadDelay?: number;
}

export const DEFAULT_VERSION = 'v1.32.2';

export function resolveConfig(spec: ClusterSpec): ClusterConfig {
  const nodeNetwork = cidr(spec.nodeNetwork ?? '192.168.49.0/24');
  return {
    name: 'kubernetes',
    kubernetesVersion: spec.kubernetesVersion ?? DEFAULT_VERSION,
    nodeNetwork,
    gateway: nth(nodeNetwork, 1),
    podCidr: cidr(spec.podCidr ?? '10.244.0.0/16'),
    nodeCidrMaskSize: spec.nodeCidrMaskSize ?? 24,
    serviceCidr: cidr(spec.serviceCidr ?? '10.96.0.0/12'),
    dnsDomain: 'cluster.local',
    cni: spec.cni ?? 'flannel-vxlan',
    mtu: spec.mtu ?? 1500,
    // Left unset for iptables mode, kube-proxy's default.
    ...(spec.proxyMode === 'ipvs' ? { proxyMode: 'ipvs' as const } : {}),
  };
}

export function defaultNodeNames(count: number): string[] {
  return ['control-plane', ...Array.from({ length: count - 1 }, (_, i) => `node-${i + 1}`)];
}

const PAUSE_FREE_IMAGES = {
  coredns: 'registry.k8s.io/coredns/coredns:v1.11.3',
  etcd: 'registry.k8s.io/etcd:3.5.16-0',
};

/** Builds a new cluster: the state a learner's sandbox starts from. */
export function buildCluster(spec: ClusterSpec, seed: number, createdAt: number): SimState {
  const config = resolveConfig(spec);
  const count = spec.nodeNames?.length ?? spec.nodes ?? 3;
  if (count < 1) throw new Error('a cluster needs at least one node');
  const names = spec.nodeNames ?? defaultNodeNames(count);
  const state = emptyState(seed, createdAt, config);
  const rng = rngOver(state.rng);
  // When the workloads alone fill the bounded event store, the bootstrap's events would be
  // dropped from it anyway: they are not recorded at all (keeps big clusters fast to build).
  const ctx: ApiContext = { state, rng, now: createdAt, quiet: workloadEvents(spec.workloads ?? {}) >= MAX_EVENTS };
  const version = config.kubernetesVersion;

  createRouter(state);
  createCloud(state);
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) createNamespace(ctx, ns);

  const firstHost = spec.firstNodeHost ?? 2;
  names.forEach((name, i) => {
    ctx.now = createdAt + (i === 0 ? 0 : 35_000 + i * 6_000);
    createNodeNetns(state, name, nth(config.nodeNetwork, firstHost + i));
    createNode(ctx, { name, controlPlane: i === 0, podCidr: subnet(config.podCidr, config.nodeCidrMaskSize, i) }, version);
  });
  const cp = names[0]!;

  // The control plane: static pods on the host network, named <component>-<node>.
  ctx.now = createdAt + 2_000;
  // kubeadm's manifests request CPU (and etcd memory), with no limits.
  const staticPod = (component: string, image: string, requests: Record<string, string>): void => {
    createPod(ctx, {
      name: `${component}-${cp}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      spec: { containers: [{ name: component, image, resources: { requests } }], nodeName: cp, hostNetwork: true, priorityClassName: 'system-node-critical' },
    });
  };
  staticPod('etcd', PAUSE_FREE_IMAGES.etcd, { cpu: '100m', memory: '100Mi' });
  const cpu: Record<string, string> = { 'kube-apiserver': '250m', 'kube-controller-manager': '200m', 'kube-scheduler': '100m' };
  for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) staticPod(c, `registry.k8s.io/${c}:${version}`, { cpu: cpu[c]! });

  ctx.now = createdAt + 5_000;
  createService(ctx, {
    name: 'kubernetes',
    namespace: 'default',
    clusterIP: formatIp(nth(config.serviceCidr, 1)),
    labels: { component: 'apiserver', provider: 'kubernetes' },
    ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }],
  });
  // The API server keeps the kubernetes Service's endpoints pointing at itself.
  state.k8s.manualEndpoints = { 'default/kubernetes': [{ ip: formatIp(nth(config.nodeNetwork, firstHost)), node: cp }] };

  ctx.now = createdAt + 8_000;
  createDaemonSet(ctx, {
    name: 'kube-proxy',
    namespace: 'kube-system',
    labels: { 'k8s-app': 'kube-proxy' },
    spec: { containers: [{ name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:${version}` }], serviceAccountName: 'kube-proxy', hostNetwork: true, tolerations: [{ operator: 'Exists' }], priorityClassName: 'system-node-critical', nodeSelector: { 'kubernetes.io/os': 'linux' } },
  });
  // Each kube-proxy reports its start on its node (events.k8s.io, no message) and puts its
  // jumps into the node's built-in chains.
  for (const n of names) {
    emit(ctx, { involved: { kind: 'Node', name: n, uid: n }, type: 'Normal', reason: 'Starting', message: '', reportingComponent: 'kube-proxy', host: n, action: 'StartKubeProxy' });
    const ns = state.netns[`node/${n}`]!;
    ns.nf = emptyNetfilter();
    kubeProxyHooks(ns.nf);
    ns.conntrack = [];
    ns.kubeProxy = { mode: 'live' };
  }
  createService(ctx, {
    name: 'kube-dns',
    namespace: 'kube-system',
    clusterIP: formatIp(nth(config.serviceCidr, 10)),
    labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    selector: { 'k8s-app': 'kube-dns' },
    ports: [
      { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
      { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
      { name: 'metrics', protocol: 'TCP', port: 9153, targetPort: 9153 },
    ],
  });

  // The network plugin's manifest (flannel's DaemonSet in kube-flannel, or Canal's in
  // kube-system), then what its agents program on every node.
  ctx.now = createdAt + 20_000;
  installCni(ctx, version);
  installServiceProxy(state);

  // CoreDNS tolerates the control-plane taint; both replicas land there before workers join.
  ctx.now = createdAt + 24_000;
  const workers = names.slice(1);
  const cordoned = workers.map((w) => state.k8s.nodes[w]!);
  for (const n of cordoned) n.spec.unschedulable = true;
  const dnsSpec: PodSpec = {
    containers: [{ name: 'coredns', image: PAUSE_FREE_IMAGES.coredns, args: ['-conf', '/etc/coredns/Corefile'], resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }, { name: 'metrics', containerPort: 9153, protocol: 'TCP' }] }],
    tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
    priorityClassName: 'system-cluster-critical',
    serviceAccountName: 'coredns',
    dnsPolicy: 'Default',
  };
  createDeployment(ctx, { name: 'coredns', namespace: 'kube-system', replicas: 2, labels: { 'k8s-app': 'kube-dns' }, spec: dnsSpec });
  seedCoreDnsConfigMap(ctx);
  for (const n of cordoned) delete n.spec.unschedulable;

  if (spec.ingressController) installIngressNginx(ctx);
  for (const ns of spec.namespaces ?? []) {
    if (!state.k8s.namespaces[ns]) createNamespace(ctx, ns);
  }
  ctx.now = createdAt + (spec.workloadDelay ?? 240_000);
  applyWorkloads({ ...ctx, quiet: false, schedule: new Map() }, spec.workloads ?? {});
  // A policy agent (Canal's Felix) has written its rules for what runs by then.
  syncCni(state, ctx.now);
  return state;
}

/** Creates the objects of the cluster's network plugin's manifest; its agents set the nodes up. */
function installCni(ctx: ApiContext, version: string): void {
  const m = cniOf(ctx.state).manifest(version, ctx.state);
  for (const ns of m.namespaces) createNamespace(ctx, ns);
  for (const cm of m.configMaps) createStored(ctx, storedKind('ConfigMap')!, cm.namespace, cm.name, { metadata: { labels: cm.labels, annotations: cm.annotations }, data: cm.data });
  for (const ds of m.daemonSets) createDaemonSet(ctx, ds);
  // The host-network agents set the nodes up before any pod-network pod gets an address.
  setupCni(ctx.state);
  for (const d of m.deployments) createDeployment(ctx, d);
}

/** The events creating one Deployment records: ScalingReplicaSet, then per pod SuccessfulCreate, Scheduled, Pulled, Created, Started. */
function deploymentEvents(replicas: number): number {
  return 1 + replicas * 5;
}

function workloadEvents(w: WorkloadSpec): number {
  return (w.deployments ?? []).reduce((n, d) => n + deploymentEvents(d.replicas), 0) + (w.pods ?? []).length * 4;
}

/**
 * ingress-nginx as its cloud manifest installs it (deploy/static/provider/cloud/deploy.yaml of
 * controller-v1.12.1): namespace `ingress-nginx`, the controller's ConfigMap, the
 * `ingress-nginx-controller` Service of type LoadBalancer with `externalTrafficPolicy: Local`
 * (http 80 and https 443 to the pod's named ports), the `ingress-nginx-controller-admission`
 * Service (443 -> webhook), and the controller Deployment (one replica, `--publish-service`,
 * so the Ingresses get the load balancer's address, and `--ingress-class=nginx`).
 * Left out: the admission Jobs and webhook configuration, the IngressClass object (the
 * controller takes class `nginx` as if it existed), ServiceAccounts and RBAC, the pod's
 * probes, security context, termination grace period and webhook certificate volume.
 */
function installIngressNginx(ctx: ApiContext): void {
  const ns = 'ingress-nginx';
  createNamespace(ctx, ns);
  const labels = { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/name': 'ingress-nginx' };
  const manifestLabels = { ...labels, 'app.kubernetes.io/part-of': 'ingress-nginx', 'app.kubernetes.io/version': '1.12.1' };
  createStored(ctx, storedKind('ConfigMap')!, ns, 'ingress-nginx-controller', { metadata: { labels: manifestLabels } });
  createService(ctx, {
    name: 'ingress-nginx-controller',
    namespace: ns,
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Local',
    selector: labels,
    labels: manifestLabels,
    ports: [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' },
      { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' },
    ],
  });
  createService(ctx, { name: 'ingress-nginx-controller-admission', namespace: ns, selector: labels, labels: manifestLabels, ports: [{ name: 'https-webhook', protocol: 'TCP', port: 443, targetPort: 'webhook' }] });
  createDeployment(ctx, {
    name: 'ingress-nginx-controller',
    namespace: ns,
    replicas: 1,
    labels,
    spec: {
      containers: [{
        name: 'controller',
        image: 'registry.k8s.io/ingress-nginx/controller:v1.12.1@sha256:d2fbc4ec70d8aa2050dd91a91506e998765e86c96f32cffb56c503c9c34eed5b',
        args: ['/nginx-ingress-controller', '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller', '--election-id=ingress-nginx-leader', '--controller-class=k8s.io/ingress-nginx', '--ingress-class=nginx', '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--validating-webhook=:8443', '--validating-webhook-certificate=/usr/local/certificates/cert', '--validating-webhook-key=/usr/local/certificates/key'],
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'LD_PRELOAD', value: '/usr/local/lib/libmimalloc.so' },
        ],
        resources: { requests: { cpu: '100m', memory: '90Mi' } },
        ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'https', containerPort: 443, protocol: 'TCP' }, { name: 'webhook', containerPort: 8443, protocol: 'TCP' }],
      }],
      dnsPolicy: 'ClusterFirst',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      serviceAccountName: 'ingress-nginx',
    },
  });
}

/** Creates the spec's Deployments, then Pods, then Services. */
export function applyWorkloads(ctx: ApiContext, w: WorkloadSpec): void {
  // Events of the objects created before the last MAX_EVENTS' worth would leave the bounded
  // store before the build ends: those objects are created without recording them.
  let after = (w.pods ?? []).length * 4;
  const deployments = w.deployments ?? [];
  const loud = deployments.map(() => true);
  for (let i = deployments.length - 1; i >= 0; i--) {
    loud[i] = after < MAX_EVENTS;
    after += deploymentEvents(deployments[i]!.replicas);
  }
  deployments.forEach((d, i) => {
    const labels = d.labels ?? { app: d.name };
    createDeployment({ ...ctx, quiet: ctx.quiet || !loud[i] }, {
      name: d.name,
      namespace: d.namespace ?? 'default',
      replicas: d.replicas,
      labels,
      spec: { containers: [{ name: containerName(d.image), image: d.image, ...(d.ports ? { ports: d.ports.map((p) => ({ containerPort: p, protocol: 'TCP' as const })) } : {}) }] },
    });
  });
  for (const p of w.pods ?? []) {
    createPod(ctx, {
      name: p.name,
      namespace: p.namespace ?? 'default',
      labels: p.labels ?? { run: p.name },
      spec: { containers: [{ name: p.name, image: p.image, ...(p.command ? { command: p.command } : {}) }], ...(p.node ? { nodeName: p.node } : {}) },
    });
  }
  for (const s of w.services ?? []) {
    const ports: ServicePort[] = s.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), protocol: p.protocol ?? 'TCP', port: p.port, targetPort: p.targetPort ?? p.port }));
    createService(ctx, { name: s.name, namespace: s.namespace ?? 'default', selector: s.selector, ports });
  }
}

/** The container name kubectl create deployment derives from an image (`nginx:1.27` -> `nginx`). */
export function containerName(image: string): string {
  const last = image.split('/').pop() ?? image;
  return last.split(/[:@]/)[0]!;
}

export function rngFor(state: SimState): Rng {
  return rngOver(state.rng);
}
