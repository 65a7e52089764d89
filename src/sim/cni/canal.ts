/**
 * Canal (projectcalico/calico v3.29 manifests/canal.yaml): Calico's CNI plugin and policy agent
 * (Felix) with flannel's VXLAN overlay.
 *
 * Design notes: everything runs in kube-system: the `canal` DaemonSet, one host-network pod
 * per node with the `calico-node` and `kube-flannel` containers (docker.io/calico/node:v3.29.3,
 * docker.io/flannel/flannel:v0.24.4 with `--ip-masq --kube-subnet-mgr`), the
 * `calico-kube-controllers` Deployment and the `canal-config` ConfigMap. flanneld does what it
 * does on a flannel cluster: flannel.1, the routes, neighbours and FDB entries to the other
 * nodes (kept once per node in the `flannel` mesh, as on a flannel cluster), FLANNEL-POSTRTG
 * and FLANNEL-FWD (flannel.ts).
 * The CNI is Calico's plugin (cni-plugin/pkg/dataplane/linux) with host-local IPAM over the
 * node's podCIDR (`"subnet": "usePodCidr"`), so addresses are handed out as on flannel, but the
 * wiring differs: no bridge; each pod gets a veth pair whose host end is named `cali` + 11 hex
 * digits of sha1("<namespace>.<pod>") with MAC ee:ee:ee:ee:ee:ee and proxy_arp on; the pod's
 * address is a /32, its routes are `169.254.1.1 dev eth0 scope link` and `default via
 * 169.254.1.1 dev eth0`, so it ARPs for 169.254.1.1 and the host answers with the cali
 * device's MAC; the node routes `<pod ip> dev cali... scope link`. The pod MTU is the node's
 * (1500): Felix picks the smallest MTU of the host's uplinks minus the overhead of the Calico
 * encapsulations in use, and Canal uses none, while flannel.1 has 1450 — as on a real Canal
 * cluster with `veth_mtu: "0"`, full-size packets with DF between nodes need path MTU discovery.
 * Felix (sim/policy/felix.ts) enforces NetworkPolicy in each node's filter table.
 * Left out: the install-cni and mount-bpffs init containers, Typha, calico-node's
 * liveness/readiness probes and its own node annotations, the env values the manifest reads
 * from canal-config (FLANNELD_IFACE, FLANNELD_IP_MASQ, CNI_MTU), the calico-kubeconfig file.
 */
import { formatCidr, type Ip } from '../ipv4';
import { randomMac } from '../mac';
import { addDevice, newNetns } from '../netns';
import { deriveRng } from '../rng';
import { uuid } from '../k8s/names';
import type { EnvVar, PodSpec } from '../k8s/types';
import { calicoIface } from '../policy/calico';
import { syncFelix } from '../policy/felix';
import { FLANNEL_MESH, flannelAnnotations, setupVxlanNode, startFlanneld, subnetEnv, vxlanPeer, VXLAN_OVERHEAD } from './flannel';
import { nodeNsId } from './node';
import type { CniManifest, CniPlugin } from './plugin';

export const CALICO_VERSION = 'v3.29.3';
export const CANAL_FLANNEL_IMAGE = 'docker.io/flannel/flannel:v0.24.4';
/** The host side of every Calico veth (cni-plugin hostSideMAC). */
export const CALICO_HOST_MAC = 'ee:ee:ee:ee:ee:ee';
/** The pods' next hop, answered by proxy ARP on the host side (never configured anywhere). */
export const CALICO_GATEWAY: Ip = 0xa9fe0101;

/** canal-config's cni_network_config, as install-cni writes it to 10-canal.conflist. */
function conflist(node: string): string {
  return `{
  "name": "k8s-pod-network",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "calico",
      "log_level": "info",
      "log_file_path": "/var/log/calico/cni/cni.log",
      "datastore_type": "kubernetes",
      "nodename": "${node}",
      "mtu": 0,
      "ipam": {
          "type": "host-local",
          "subnet": "usePodCidr"
      },
      "policy": {
          "type": "k8s"
      },
      "kubernetes": {
          "kubeconfig": "/etc/cni/net.d/calico-kubeconfig"
      }
    },
    {
      "type": "portmap",
      "snat": true,
      "capabilities": {"portMappings": true}
    },
    {
      "type": "bandwidth",
      "capabilities": {"bandwidth": true}
    }
  ]
}`;
}

const env = (name: string, value: string): EnvVar => ({ name, value });
const fieldEnv = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

function manifest(_version: string, state: Parameters<CniPlugin['manifest']>[1]): CniManifest {
  const canal: PodSpec = {
    containers: [
      {
        name: 'calico-node',
        image: `docker.io/calico/node:${CALICO_VERSION}`,
        env: [
          env('DATASTORE_TYPE', 'kubernetes'),
          env('USE_POD_CIDR', 'true'),
          env('WAIT_FOR_DATASTORE', 'true'),
          fieldEnv('NODENAME', 'spec.nodeName'),
          fieldEnv('CALICO_CNI_SERVICE_ACCOUNT', 'spec.serviceAccountName'),
          env('CALICO_NETWORKING_BACKEND', 'none'),
          env('CLUSTER_TYPE', 'k8s,canal'),
          env('FELIX_IPTABLESREFRESHINTERVAL', '60'),
          env('IP', ''),
          env('CALICO_DISABLE_FILE_LOGGING', 'true'),
          env('FELIX_DEFAULTENDPOINTTOHOSTACTION', 'ACCEPT'),
          env('FELIX_IPV6SUPPORT', 'false'),
          env('FELIX_HEALTHENABLED', 'true'),
        ],
        resources: { requests: { cpu: '250m' } },
      },
      {
        name: 'kube-flannel',
        image: CANAL_FLANNEL_IMAGE,
        command: ['/opt/bin/flanneld', '--ip-masq', '--kube-subnet-mgr'],
        env: [fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace')],
      },
    ],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    hostNetwork: true,
    tolerations: [{ effect: 'NoSchedule', operator: 'Exists' }, { key: 'CriticalAddonsOnly', operator: 'Exists' }, { effect: 'NoExecute', operator: 'Exists' }],
    serviceAccountName: 'canal',
    priorityClassName: 'system-node-critical',
  };
  const controllers: PodSpec = {
    containers: [{ name: 'calico-kube-controllers', image: `docker.io/calico/kube-controllers:${CALICO_VERSION}`, env: [env('ENABLED_CONTROLLERS', 'node'), env('DATASTORE_TYPE', 'kubernetes')] }],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
    serviceAccountName: 'calico-kube-controllers',
    priorityClassName: 'system-cluster-critical',
  };
  const template = conflist('__KUBERNETES_NODE_NAME__').replace('"mtu": 0', '"mtu": __CNI_MTU__').replace('/etc/cni/net.d/calico-kubeconfig', '__KUBECONFIG_FILEPATH__');
  return {
    namespaces: [],
    daemonSets: [{ name: 'canal', namespace: 'kube-system', labels: { 'k8s-app': 'canal' }, spec: canal }],
    deployments: [{ name: 'calico-kube-controllers', namespace: 'kube-system', replicas: 1, labels: { 'k8s-app': 'calico-kube-controllers' }, spec: controllers }],
    configMaps: [
      {
        name: 'canal-config',
        namespace: 'kube-system',
        data: {
          typha_service_name: 'none',
          canal_iface: '',
          masquerade: 'true',
          veth_mtu: '0',
          cni_network_config: template,
          'net-conf.json': `{\n  "Network": "${formatCidr(state.config.podCidr)}",\n  "Backend": {\n    "Type": "vxlan"\n  }\n}\n`,
        },
      },
    ],
  };
}

export const canal: CniPlugin = {
  name: 'canal',
  summary: 'Canal: Calico CNI (cali veths, /32 routes, proxy ARP) and Felix enforcing NetworkPolicy, flannel VXLAN between nodes',
  podMtu: (state) => state.config.mtu,
  setupNode: setupVxlanNode,
  peer: vxlanPeer,
  peerMesh: FLANNEL_MESH,
  agentStarted: (state, node) => startFlanneld(state, node, { backend: 'vxlan' }),
  agentLabel: 'canal',
  attach(state, pod, ip, id) {
    const node = pod.spec.nodeName!;
    const namespace = pod.metadata.namespace ?? 'default';
    const host = state.netns[nodeNsId(node)]!;
    const mtu = this.podMtu(state);
    // Everything random about this pod's network comes from its own stream.
    const prng = deriveRng(state.seed, `netns:${id}`);
    const ns = newNetns(id, `cni-${uuid(prng)}`, pod.metadata.name, prng.int(65536));
    const hostIndex = host.nextIfindex;
    const iface = calicoIface(namespace, pod.metadata.name);
    const eth0 = addDevice(ns, { name: 'eth0', kind: 'veth', mac: randomMac(prng), mtu, up: true, addrs: [{ ip, len: 32 }], peer: { ns: host.id, ifindex: hostIndex } });
    addDevice(host, { ifindex: hostIndex, name: iface, kind: 'veth', mac: CALICO_HOST_MAC, mtu, up: true, addrs: [], proxyArp: true, peer: { ns: id, ifindex: eth0.ifindex } });
    ns.routes.push({ dst: { addr: 0, len: 0 }, via: CALICO_GATEWAY, dev: 'eth0' }, { dst: { addr: CALICO_GATEWAY, len: 32 }, dev: 'eth0', scope: 'link' });
    host.routes.push({ dst: { addr: ip, len: 32 }, dev: iface, scope: 'link' });
    return ns;
  },
  ipamExhausted: (range) => `plugin type="calico" failed (add): failed to allocate for range 0: no IP addresses available in range set: ${range}`,
  manifest,
  nodeFiles(state, node) {
    return {
      '/etc/cni/net.d/10-canal.conflist': conflist(node),
      '/run/flannel/subnet.env': subnetEnv(state, node, state.config.mtu - VXLAN_OVERHEAD),
      '/var/lib/calico/mtu': String(this.podMtu(state)),
      '/var/lib/calico/nodename': node,
    };
  },
  nodeAnnotations: (state, node) => flannelAnnotations(state, node, 'vxlan'),
  sync(state, now) {
    syncFelix(state, Object.keys(state.k8s.nodes), now);
  },
};
