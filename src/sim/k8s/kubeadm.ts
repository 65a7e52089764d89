/**
 * The control plane as kubeadm v1.32 writes it: the four static Pod manifests in
 * /etc/kubernetes/manifests on the control-plane node, and what the kubelet adds to the
 * mirror pods it makes of them in the API.
 *
 * Design notes: one source for three views of the same thing. `staticPodManifest` is the Pod
 * kubeadm marshals to `/etc/kubernetes/manifests/<component>.yaml` (cmd/kubeadm/app/phases/
 * controlplane/manifests.go GetStaticPodSpecs, phases/etcd/local.go, util/staticpod
 * ComponentPod): `creationTimestamp: null`, labels component and tier, the command with its
 * flags sorted by name (ArgumentsToCommand), `imagePullPolicy: IfNotPresent`, the probes
 * (LivenessProbe: initialDelay 10 s, timeout 15 s, period 10 s, 8 failures; ReadinessProbe:
 * period 1 s, 3 failures; StartupProbe: 24 failures, the 4-minute health-check timeout over a
 * 10 s period), CPU requests, hostPath volumes sorted by name (the CA directories an Ubuntu
 * 24.04 host has: /etc/ssl/certs, /etc/ca-certificates, /usr/share/ca-certificates,
 * /usr/local/share/ca-certificates), `priority: 2000001000`, `priorityClassName:
 * system-node-critical`, `hostNetwork: true`, seccomp RuntimeDefault and `status: {}`.
 * The pools come from the cluster's configuration: kube-controller-manager gets
 * `--allocate-node-cidrs=true`, `--cluster-cidr` and `--service-cluster-ip-range` (kubeadm
 * passes the service range only together with a pod subnet) and no `--node-cidr-mask-size`,
 * whose default is 24 for IPv4 (a cluster built with another size gets the flag, as
 * `controllerManager.extraArgs` would give it); kube-apiserver gets
 * `--service-cluster-ip-range`. `staticPodCommand` is the same command for the process table
 * (`ps`). `mirrorPodExtras` is what a mirror pod shows beyond the stored object: the
 * manifest's probes, mounts and volumes, the kubelet's annotations (`kubernetes.io/config.hash`
 * and `config.mirror`, the static pod's hash; `config.seen`, when the kubelet read the file,
 * RFC 3339 with nanoseconds; `config.source: file`), kubeadm's advertise-address annotation
 * (kube-apiserver, etcd) and the owner reference to its Node.
 * Simplified: the hash is drawn from the seed rather than computed over the Pod (md5 of its
 * dump); the manifests do not change when the learner edits them (the kubelet does not
 * restart a component from an edited file). Left out: the other files kubeadm writes under
 * /etc/kubernetes (kubeconfigs, pki/).
 */
import { deriveRng } from '../rng';
import { formatCidr } from '../ipv4';
import type { SimState } from '../state';
import type { Pod } from './types';

type Obj = Record<string, unknown>;

export const STATIC_COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type StaticComponent = (typeof STATIC_COMPONENTS)[number];

/** Where the kubelet reads static Pod manifests on a kubeadm node (staticPodPath). */
export const MANIFEST_DIR = '/etc/kubernetes/manifests';

export const ETCD_IMAGE = 'registry.k8s.io/etcd:3.5.16-0';

const PKI = '/etc/kubernetes/pki';

export function isStaticComponent(name: string | undefined): name is StaticComponent {
  return (STATIC_COMPONENTS as readonly string[]).includes(name ?? '');
}

/** The control-plane node: the one kubeadm init ran on (the first node, with the control-plane role). */
export function controlPlaneNode(state: SimState): string | undefined {
  return Object.values(state.k8s.nodes).find((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined)?.metadata.name;
}

function nodeIp(state: SimState, node: string): string {
  return state.k8s.nodes[node]?.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
}

/** `--name=value` for each flag, sorted by name as kubeadm's ArgumentsToCommand sorts them. */
function command(binary: string, args: Record<string, string>): string[] {
  return [binary, ...Object.keys(args).sort().map((k) => `--${k}=${args[k]}`)];
}

/** The command line kubeadm writes for a component on `node`. */
export function staticPodCommand(state: SimState, component: StaticComponent, node: string): string[] {
  const ip = nodeIp(state, node);
  const c = state.config;
  const serviceCidr = formatCidr(c.serviceCidr);
  switch (component) {
    case 'etcd':
      return command('etcd', {
        'advertise-client-urls': `https://${ip}:2379`,
        'cert-file': `${PKI}/etcd/server.crt`,
        'client-cert-auth': 'true',
        'data-dir': '/var/lib/etcd',
        'experimental-initial-corrupt-check': 'true',
        'experimental-watch-progress-notify-interval': '5s',
        'initial-advertise-peer-urls': `https://${ip}:2380`,
        'initial-cluster': `${node}=https://${ip}:2380`,
        'key-file': `${PKI}/etcd/server.key`,
        'listen-client-urls': `https://127.0.0.1:2379,https://${ip}:2379`,
        'listen-metrics-urls': 'http://127.0.0.1:2381',
        'listen-peer-urls': `https://${ip}:2380`,
        name: node,
        'peer-cert-file': `${PKI}/etcd/peer.crt`,
        'peer-client-cert-auth': 'true',
        'peer-key-file': `${PKI}/etcd/peer.key`,
        'peer-trusted-ca-file': `${PKI}/etcd/ca.crt`,
        'snapshot-count': '10000',
        'trusted-ca-file': `${PKI}/etcd/ca.crt`,
      });
    case 'kube-apiserver':
      return command('kube-apiserver', {
        'advertise-address': ip,
        'allow-privileged': 'true',
        'authorization-mode': 'Node,RBAC',
        'client-ca-file': `${PKI}/ca.crt`,
        'enable-admission-plugins': 'NodeRestriction',
        'enable-bootstrap-token-auth': 'true',
        'etcd-cafile': `${PKI}/etcd/ca.crt`,
        'etcd-certfile': `${PKI}/apiserver-etcd-client.crt`,
        'etcd-keyfile': `${PKI}/apiserver-etcd-client.key`,
        'etcd-servers': 'https://127.0.0.1:2379',
        'kubelet-client-certificate': `${PKI}/apiserver-kubelet-client.crt`,
        'kubelet-client-key': `${PKI}/apiserver-kubelet-client.key`,
        'kubelet-preferred-address-types': 'InternalIP,ExternalIP,Hostname',
        'proxy-client-cert-file': `${PKI}/front-proxy-client.crt`,
        'proxy-client-key-file': `${PKI}/front-proxy-client.key`,
        'requestheader-allowed-names': 'front-proxy-client',
        'requestheader-client-ca-file': `${PKI}/front-proxy-ca.crt`,
        'requestheader-extra-headers-prefix': 'X-Remote-Extra-',
        'requestheader-group-headers': 'X-Remote-Group',
        'requestheader-username-headers': 'X-Remote-User',
        'secure-port': '6443',
        'service-account-issuer': `https://kubernetes.default.svc.${c.dnsDomain.replace(/\.$/, '')}`,
        'service-account-key-file': `${PKI}/sa.pub`,
        'service-account-signing-key-file': `${PKI}/sa.key`,
        'service-cluster-ip-range': serviceCidr,
        'tls-cert-file': `${PKI}/apiserver.crt`,
        'tls-private-key-file': `${PKI}/apiserver.key`,
      });
    case 'kube-controller-manager': {
      const kubeconfig = '/etc/kubernetes/controller-manager.conf';
      return command('kube-controller-manager', {
        'allocate-node-cidrs': 'true',
        'authentication-kubeconfig': kubeconfig,
        'authorization-kubeconfig': kubeconfig,
        'bind-address': '127.0.0.1',
        'client-ca-file': `${PKI}/ca.crt`,
        'cluster-cidr': formatCidr(c.podCidr),
        'cluster-name': 'kubernetes',
        'cluster-signing-cert-file': `${PKI}/ca.crt`,
        'cluster-signing-key-file': `${PKI}/ca.key`,
        controllers: '*,bootstrapsigner,tokencleaner',
        kubeconfig,
        'leader-elect': 'true',
        // kube-controller-manager's own default is 24 for IPv4; kubeadm writes no flag for it.
        ...(c.nodeCidrMaskSize !== 24 ? { 'node-cidr-mask-size': String(c.nodeCidrMaskSize) } : {}),
        'requestheader-client-ca-file': `${PKI}/front-proxy-ca.crt`,
        'root-ca-file': `${PKI}/ca.crt`,
        'service-account-private-key-file': `${PKI}/sa.key`,
        'service-cluster-ip-range': serviceCidr,
        'use-service-account-credentials': 'true',
      });
    }
    case 'kube-scheduler': {
      const kubeconfig = '/etc/kubernetes/scheduler.conf';
      return command('kube-scheduler', { 'authentication-kubeconfig': kubeconfig, 'authorization-kubeconfig': kubeconfig, 'bind-address': '127.0.0.1', kubeconfig, 'leader-elect': 'true' });
    }
  }
}

/** staticpod.createHTTPProbe. */
function probe(host: string, path: string, port: number, scheme: 'HTTP' | 'HTTPS', initialDelaySeconds: number, failureThreshold: number, periodSeconds: number): Obj {
  return { failureThreshold, httpGet: { host, path, port, scheme }, ...(initialDelaySeconds ? { initialDelaySeconds } : {}), periodSeconds, timeoutSeconds: 15 };
}
const liveness = (host: string, path: string, port: number, scheme: 'HTTP' | 'HTTPS'): Obj => probe(host, path, port, scheme, 10, 8, 10);
const readiness = (host: string, path: string, port: number, scheme: 'HTTP' | 'HTTPS'): Obj => probe(host, path, port, scheme, 0, 3, 1);
/** failureThreshold = ceil(4 min health-check timeout / 10 s period). */
const startup = (host: string, path: string, port: number, scheme: 'HTTP' | 'HTTPS'): Obj => probe(host, path, port, scheme, 10, 24, 10);

interface Mount {
  name: string;
  path: string;
  type: 'DirectoryOrCreate' | 'FileOrCreate';
  readOnly: boolean;
}

const CA_MOUNTS: Mount[] = [
  { name: 'ca-certs', path: '/etc/ssl/certs', type: 'DirectoryOrCreate', readOnly: true },
  { name: 'etc-ca-certificates', path: '/etc/ca-certificates', type: 'DirectoryOrCreate', readOnly: true },
  { name: 'k8s-certs', path: PKI, type: 'DirectoryOrCreate', readOnly: true },
  { name: 'usr-local-share-ca-certificates', path: '/usr/local/share/ca-certificates', type: 'DirectoryOrCreate', readOnly: true },
  { name: 'usr-share-ca-certificates', path: '/usr/share/ca-certificates', type: 'DirectoryOrCreate', readOnly: true },
];

function mountsOf(component: StaticComponent): Mount[] {
  switch (component) {
    case 'etcd':
      // Written in this order (not sorted); the volumes below are sorted by name.
      return [
        { name: 'etcd-data', path: '/var/lib/etcd', type: 'DirectoryOrCreate', readOnly: false },
        { name: 'etcd-certs', path: `${PKI}/etcd`, type: 'DirectoryOrCreate', readOnly: false },
      ];
    case 'kube-apiserver':
      return CA_MOUNTS;
    case 'kube-controller-manager':
      return [
        ...CA_MOUNTS,
        { name: 'flexvolume-dir', path: '/usr/libexec/kubernetes/kubelet-plugins/volume/exec', type: 'DirectoryOrCreate', readOnly: false },
        { name: 'kubeconfig', path: '/etc/kubernetes/controller-manager.conf', type: 'FileOrCreate', readOnly: true },
      ].sort((a, b) => (a.name < b.name ? -1 : 1)) as Mount[];
    case 'kube-scheduler':
      return [{ name: 'kubeconfig', path: '/etc/kubernetes/scheduler.conf', type: 'FileOrCreate', readOnly: true }];
  }
}

/** The container's probes, mounts and the pod's volumes, as the manifest has them. */
function containerParts(state: SimState, component: StaticComponent, node: string): { probes: Obj; volumeMounts: Obj[]; volumes: Obj[]; requests: Record<string, string> } {
  const mounts = mountsOf(component);
  const volumeMounts = mounts.map((m) => ({ mountPath: m.path, name: m.name, ...(m.readOnly ? { readOnly: true } : {}) }));
  const volumes = [...mounts].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => ({ hostPath: { path: m.path, type: m.type }, name: m.name }));
  switch (component) {
    case 'etcd':
      return { probes: { livenessProbe: liveness('127.0.0.1', '/livez', 2381, 'HTTP'), readinessProbe: readiness('127.0.0.1', '/readyz', 2381, 'HTTP'), startupProbe: startup('127.0.0.1', '/readyz', 2381, 'HTTP') }, volumeMounts, volumes, requests: { cpu: '100m', memory: '100Mi' } };
    case 'kube-apiserver': {
      const ip = nodeIp(state, node);
      return { probes: { livenessProbe: liveness(ip, '/livez', 6443, 'HTTPS'), readinessProbe: readiness(ip, '/readyz', 6443, 'HTTPS'), startupProbe: startup(ip, '/livez', 6443, 'HTTPS') }, volumeMounts, volumes, requests: { cpu: '250m' } };
    }
    case 'kube-controller-manager':
      return { probes: { livenessProbe: liveness('127.0.0.1', '/healthz', 10257, 'HTTPS'), startupProbe: startup('127.0.0.1', '/healthz', 10257, 'HTTPS') }, volumeMounts, volumes, requests: { cpu: '200m' } };
    case 'kube-scheduler':
      return { probes: { livenessProbe: liveness('127.0.0.1', '/livez', 10259, 'HTTPS'), readinessProbe: readiness('127.0.0.1', '/readyz', 10259, 'HTTPS'), startupProbe: startup('127.0.0.1', '/livez', 10259, 'HTTPS') }, volumeMounts, volumes, requests: { cpu: '100m' } };
  }
}

/** The image kubeadm runs a component from. */
export function staticPodImage(state: SimState, component: StaticComponent): string {
  return component === 'etcd' ? ETCD_IMAGE : `registry.k8s.io/${component}:${state.config.kubernetesVersion}`;
}

/** kubeadm's own annotation on the API server's and etcd's manifests. */
function kubeadmAnnotations(state: SimState, component: StaticComponent, node: string): Record<string, string> | undefined {
  const ip = nodeIp(state, node);
  if (component === 'kube-apiserver') return { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${ip}:6443` };
  if (component === 'etcd') return { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${ip}:2379` };
  return undefined;
}

/** The static Pod as kubeadm writes it to `/etc/kubernetes/manifests/<component>.yaml` (keys in any order; printers sort them). */
export function staticPodManifest(state: SimState, component: StaticComponent, node: string): Obj {
  const parts = containerParts(state, component, node);
  const annotations = kubeadmAnnotations(state, component, node);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...(annotations ? { annotations } : {}), creationTimestamp: null, labels: { component, tier: 'control-plane' }, name: component, namespace: 'kube-system' },
    spec: {
      containers: [
        {
          command: staticPodCommand(state, component, node),
          image: staticPodImage(state, component),
          imagePullPolicy: 'IfNotPresent',
          ...parts.probes,
          name: component,
          resources: { requests: parts.requests },
          volumeMounts: parts.volumeMounts,
        },
      ],
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: 'system-node-critical',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      volumes: parts.volumes,
    },
    status: {},
  };
}

/** The manifests kubeadm left on `node`, by path: the four components on the control-plane node, none elsewhere. */
export function staticPodManifests(state: SimState, node: string): Record<string, Obj> {
  if (controlPlaneNode(state) !== node) return {};
  return Object.fromEntries(STATIC_COMPONENTS.map((c) => [`${MANIFEST_DIR}/${c}.yaml`, staticPodManifest(state, c, node)]));
}

/** The API server's default for the one probe field the manifests leave out (SetDefaults_Probe). */
function probeView(p: unknown): Obj {
  return { ...(p as Obj), successThreshold: 1 };
}

/** RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's time.RFC3339Nano prints. */
function rfc3339Nano(ms: number, nanos: number): string {
  const base = new Date(ms - (ms % 1000)).toISOString().slice(0, 19);
  const frac = String((ms % 1000) * 1_000_000 + nanos).padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

/**
 * What the API shows of a mirror pod beyond the stored object: the manifest's probes, mounts
 * and volumes, kubeadm's and the kubelet's annotations, and the owner reference to the node.
 * Undefined for a pod that is not a control-plane component's mirror.
 */
export function mirrorPodExtras(state: SimState, pod: Pod): { annotations: Record<string, string>; ownerReference: Obj; container: Obj; volumes: Obj[] } | undefined {
  const component = pod.metadata.labels?.component;
  const node = pod.spec.nodeName;
  if (!isStaticComponent(component) || !node || pod.metadata.name !== `${component}-${node}`) return undefined;
  const rng = deriveRng(state.seed, `static-pod:${component}/${node}`);
  let hash = '';
  for (let i = 0; i < 32; i++) hash += rng.int(16).toString(16);
  // The kubelet read the manifest a few seconds before it could create the mirror pod.
  const created = Date.parse(pod.metadata.creationTimestamp);
  const seen = rfc3339Nano(created - 2000 - rng.int(3000), 1 + rng.int(999_999));
  const parts = containerParts(state, component, node);
  const probes = Object.fromEntries(Object.entries(parts.probes).map(([k, v]) => [k, probeView(v)]));
  const n = state.k8s.nodes[node];
  return {
    annotations: { ...kubeadmAnnotations(state, component, node), 'kubernetes.io/config.hash': hash, 'kubernetes.io/config.mirror': hash, 'kubernetes.io/config.seen': seen, 'kubernetes.io/config.source': 'file' },
    ownerReference: { apiVersion: 'v1', controller: true, kind: 'Node', name: node, uid: n?.metadata.uid ?? '' },
    container: { command: staticPodCommand(state, component, node), ...probes, volumeMounts: parts.volumeMounts },
    volumes: parts.volumes,
  };
}
