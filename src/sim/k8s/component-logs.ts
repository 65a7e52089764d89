/**
 * What the cluster's own components print as they start, for `kubectl logs`: kube-proxy,
 * flannel and kube-apiserver, in klog's format with the sandbox's names, addresses and times.
 *
 * Design notes: klog writes `I0314 09:18:40.541250       1 server_linux.go:66] "Using
 * iptables proxy"`: the severity (I, W, E), month and day, the time with microseconds, the
 * process id padded to 7 (1 in a container), the source file and line, then the message
 * (structured messages quoted, with their key=value pairs). kube-proxy v1.32 in iptables mode
 * as kubeadm configures it: the node IP it found, the warning about an unset
 * nodePortAddresses, single-stack IPv4, route_localnet, its version, its informers syncing.
 * flannel v0.26 with the kube subnet manager: its flags, the node's interface and address,
 * the backend its node last started with (vxlan, with flannel.1's MAC, or host-gw), its
 * masquerade rules and subnet file; a start that could not use net-conf.json ends at flannel's
 * error line (`Failed to create SubnetManager: ...`, `Error fetching backend: ...`).
 * The API server: its advertise address, version, certificates and port, then one
 * `allocated clusterIPs` line for each Service when it was created (derived from the
 * Services that exist, so a deleted Service's line is gone). Each line is timed a few
 * milliseconds after the previous one from the container's start; the microseconds come from
 * a hash.
 * Simplified: a representative part of each component's real startup output (their real logs
 * run to hundreds of lines); source line numbers follow the v1.32 file names, not checked line
 * by line. CoreDNS's own lines are coredns-config.ts's.
 */
import { formatIp } from '../ipv4';
import { flannelBackendOf } from '../cni/flannel';
import { deviceByName } from '../netns';
import type { SimState } from '../state';
import { fnv32a } from './names';
import type { Container, Pod } from './types';

const two = (n: number): string => String(n).padStart(2, '0');

/** klog's header: `I0314 09:17:55.412345    1450 file.go:12] `. */
export function klogPrefix(severity: 'I' | 'W' | 'E', at: number, us: number, pid: number, source: string): string {
  const d = new Date(at);
  return `${severity}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}${String(us).padStart(3, '0')} ${String(pid).padStart(7)} ${source}] `;
}

/** One line: how many ms after the previous one it is written, its severity, source and message. */
type Line = [gap: number, severity: 'I' | 'W' | 'E', source: string, message: string];

/** A timed log line: epoch ms, the microseconds within it, the text. */
export interface ComponentLine {
  at: number;
  us: number;
  text: string;
}

const baseName = (image: string): string => (image.split('/').pop() ?? image).split(/[:@]/)[0]!;

function nodeIpOf(state: SimState, node: string | undefined): string {
  return (node && state.k8s.nodes[node]?.status.addresses.find((a) => a.type === 'InternalIP')?.address) || '';
}

function kubeProxyLines(state: SimState, pod: Pod): Line[] {
  const ip = nodeIpOf(state, pod.spec.nodeName);
  return [
    [0, 'I', 'server_linux.go:66', '"Using iptables proxy"'],
    [85, 'I', 'server.go:698', `"Successfully retrieved node IP(s)" IPs=["${ip}"]`],
    [0, 'E', 'server.go:234', '"Kube-proxy configuration may be incomplete or incorrect" err="nodePortAddresses is unset; NodePort connections will be accepted on all local IPs. Consider using `--nodeport-addresses primary`"'],
    [30, 'I', 'server.go:254', '"kube-proxy running in single-stack mode" ipFamily="IPv4"'],
    [0, 'I', 'server_linux.go:170', '"Using iptables Proxier"'],
    [3, 'I', 'proxier.go:255', '"Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses" ipFamily="IPv4"'],
    [1, 'I', 'server.go:497', `"Version info" version="${state.config.kubernetesVersion}"`],
    [0, 'I', 'server.go:499', '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""'],
    [2, 'I', 'config.go:199', '"Starting service config controller"'],
    [0, 'I', 'shared_informer.go:313', 'Waiting for caches to sync for service config'],
    [0, 'I', 'config.go:105', '"Starting endpoint slice config controller"'],
    [0, 'I', 'shared_informer.go:313', 'Waiting for caches to sync for endpoint slice config'],
    [1, 'I', 'config.go:329', '"Starting node config controller"'],
    [0, 'I', 'shared_informer.go:313', 'Waiting for caches to sync for node config'],
    [100, 'I', 'shared_informer.go:320', 'Caches are synced for node config'],
    [0, 'I', 'shared_informer.go:320', 'Caches are synced for service config'],
    [0, 'I', 'shared_informer.go:320', 'Caches are synced for endpoint slice config'],
  ];
}

function flannelLines(state: SimState, pod: Pod): Line[] {
  const node = pod.spec.nodeName ?? '';
  const ip = nodeIpOf(state, node);
  const hostGw = flannelBackendOf(state, node) === 'host-gw';
  const error = state.flannel?.[node]?.error;
  const vx = state.netns[`node/${node}`] ? deviceByName(state.netns[`node/${node}`]!, 'flannel.1') : undefined;
  const flags = 'CLI flags config: {etcdEndpoints:http://127.0.0.1:4001,http://127.0.0.1:2379 etcdPrefix:/coreos.com/network etcdKeyfile: etcdCertfile: etcdCAFile: etcdUsername: etcdPassword: version:false kubeSubnetMgr:true kubeApiUrl: kubeAnnotationPrefix:flannel.alpha.coreos.com kubeConfigFile: iface:[] ifaceRegex:[] ipMasq:true ifaceCanReach: subnetFile:/run/flannel/subnet.env publicIP: publicIPv6: subnetLeaseRenewMargin:60 healthzIP:0.0.0.0 healthzPort:0 iptablesResyncSeconds:5 iptablesForwardRules:true netConfPath:/etc/kube-flannel/net-conf.json setNodeNetworkUnavailable:true}';
  const lines: Line[] = [
    [0, 'I', 'main.go:211', flags],
    [0, 'W', 'client_config.go:659', 'Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.'],
    [16, 'I', 'kube.go:139', 'Waiting 10m0s for node controller to sync'],
    [0, 'I', 'kube.go:469', 'Starting kube subnet manager'],
    [1000, 'I', 'kube.go:146', 'Node controller sync successful'],
    [0, 'I', 'main.go:231', `Created subnet manager: Kubernetes Subnet Manager - ${node}`],
    [0, 'I', 'main.go:234', 'Installing signal handlers'],
    [0, 'I', 'main.go:468', `Found network config - Backend type: ${hostGw ? 'host-gw' : 'vxlan'}`],
    [2, 'I', 'match.go:211', 'Determining IP address of default interface'],
    [0, 'I', 'match.go:264', `Using interface with name eth0 and address ${ip}`],
    [0, 'I', 'match.go:286', `Defaulting external address to interface address (${ip})`],
    ...(hostGw ? [] : ([
      [0, 'I', 'vxlan.go:141', 'VXLAN config: VNI=1 Port=0 GBP=false Learning=false DirectRouting=false'],
      [5, 'I', 'vxlan.go:155', `Interface flannel.1 mac address set to: ${vx?.mac ?? ''}`],
    ] as Line[])),
    [2, 'I', 'main.go:357', 'Setting up masking rules'],
    [10, 'I', 'main.go:408', 'Changing default FORWARD chain policy to ACCEPT'],
    [2, 'I', 'iptables.go:51', 'Starting flannel in iptables mode...'],
    [0, 'W', 'main.go:561', 'no subnet found for key: FLANNEL_IPV6_NETWORK in file: /run/flannel/subnet.env'],
    [0, 'W', 'main.go:561', 'no subnet found for key: FLANNEL_IPV6_SUBNET in file: /run/flannel/subnet.env'],
    [0, 'I', 'iptables.go:125', 'Setting up masking rules'],
    [6, 'I', 'main.go:412', 'Wrote subnet file to /run/flannel/subnet.env'],
    [0, 'I', 'main.go:416', 'Running backend.'],
    hostGw ? [0, 'I', 'route_network.go:56', 'Watching for new subnet leases'] : [0, 'I', 'vxlan_network.go:65', 'watching for new subnet leases'],
    [9, 'I', 'main.go:437', 'Waiting for all goroutines to exit'],
    [21, 'I', 'iptables.go:372', 'bootstrap done'],
  ];
  if (error === undefined) return lines;
  // flanneld exits at the first thing it cannot use: net-conf.json (the subnet manager reads it), or its backend type.
  if (error.startsWith('Failed to create SubnetManager')) return [...lines.slice(0, 2), [16, 'E', 'main.go:228', error]];
  const at = lines.findIndex((l) => l[2] === 'match.go:286');
  const found = /backend(?: type:|) "?([^" ]+)/.exec(error)?.[1] ?? '';
  return [...lines.slice(0, at + 1).map((l): Line => (l[2] === 'main.go:468' ? [l[0], l[1], l[2], `Found network config - Backend type: ${found}`] : l)), [1, 'E', 'main.go:351', error]];
}

function apiserverLines(state: SimState, pod: Pod): Line[] {
  const ip = nodeIpOf(state, pod.spec.nodeName);
  const pki = '/etc/kubernetes/pki';
  const gv = (g: string): Line => [0, 'I', 'handler.go:286', `Adding GroupVersion ${g} to ResourceManager`];
  return [
    [0, 'I', 'options.go:238', `external host was not specified, using ${ip}`],
    [2, 'I', 'server.go:143', `Version: ${state.config.kubernetesVersion}`],
    [0, 'I', 'server.go:145', '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""'],
    [340, 'I', 'shared_informer.go:313', 'Waiting for caches to sync for node_authorizer'],
    [12, 'I', 'handler.go:286', 'Adding GroupVersion apiextensions.k8s.io v1 to ResourceManager'],
    [40, 'I', 'handler.go:286', 'Adding GroupVersion  v1 to ResourceManager'],
    gv('apps v1'),
    gv('batch v1'),
    gv('networking.k8s.io v1'),
    gv('discovery.k8s.io v1'),
    [300, 'I', 'dynamic_cafile_content.go:161', `"Starting controller" name="request-header::${pki}/front-proxy-ca.crt"`],
    [0, 'I', 'dynamic_cafile_content.go:161', `"Starting controller" name="client-ca-bundle::${pki}/ca.crt"`],
    [0, 'I', 'dynamic_serving_content.go:135', `"Starting controller" name="serving-cert::${pki}/apiserver.crt::${pki}/apiserver.key"`],
    [1, 'I', 'secure_serving.go:213', 'Serving securely on [::]:6443'],
    [0, 'I', 'tlsconfig.go:243', '"Starting DynamicServingCertificateController"'],
    [110, 'I', 'shared_informer.go:320', 'Caches are synced for node_authorizer'],
    [30, 'I', 'cidrallocator.go:301', `created ClusterIP allocator for Service CIDR ${formatIp(state.config.serviceCidr.addr)}/${state.config.serviceCidr.len}`],
    [700, 'I', 'storage_scheduling.go:111', 'all system priority classes are created successfully or already exist.'],
    [600, 'I', 'controller.go:615', 'quota admission added evaluator for: serviceaccounts'],
    [90, 'I', 'controller.go:615', 'quota admission added evaluator for: deployments.apps'],
    [60, 'I', 'controller.go:615', 'quota admission added evaluator for: daemonsets.apps'],
  ];
}

/** Lines the API server writes later: one per Service, when its cluster IP was allocated. */
function apiserverServiceLines(state: SimState, started: number): [number, string][] {
  const out: [number, string][] = [];
  for (const svc of Object.values(state.k8s.services)) {
    const ip = svc.spec.clusterIP;
    if (!ip || ip === 'None') continue;
    const at = Math.max(started + 1_500, Date.parse(svc.metadata.creationTimestamp));
    out.push([at, `"allocated clusterIPs" service="${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}" clusterIPs={"IPv4":"${ip}"}`]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The component's log lines (startup and later), oldest first; undefined for a container that is no such component. */
export function componentLog(state: SimState, pod: Pod, c: Container, started: number): ComponentLine[] | undefined {
  const name = baseName(c.image);
  const lines = name === 'kube-proxy' ? kubeProxyLines(state, pod) : name === 'flannel' ? flannelLines(state, pod) : name === 'kube-apiserver' ? apiserverLines(state, pod) : undefined;
  if (!lines) return undefined;
  const out: ComponentLine[] = [];
  let at = started + 20;
  let us = 0;
  lines.forEach(([gap, sev, src, msg], i) => {
    const h = fnv32a(`${pod.metadata.uid}/${c.name}/${i}`);
    at += gap;
    us = gap === 0 ? Math.min(999, us + 3 + (h % 40)) : h % 1000;
    out.push({ at, us, text: klogPrefix(sev, at, us, 1, src) + msg });
  });
  if (name === 'kube-apiserver') {
    for (const [when, msg] of apiserverServiceLines(state, started)) {
      const u = fnv32a(`${pod.metadata.uid}/svc/${msg}`) % 1000;
      out.push({ at: when, us: u, text: klogPrefix('I', when, u, 1, 'alloc.go:330') + msg });
    }
  }
  return out;
}
