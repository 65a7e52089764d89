/**
 * flannel (kube-flannel.yml, v0.26) with its two backends: VXLAN and host-gw.
 *
 * Design notes: flanneld runs as the host-network DaemonSet `kube-flannel-ds` in the
 * `kube-flannel` namespace, with the `kube-flannel-cfg` ConfigMap mounted at /etc/kube-flannel/
 * (`cni-conf.json`, `net-conf.json` with the pod network and `"Backend": {"Type": "vxlan"}`, and
 * kubectl apply's last-applied annotation, as the manifest leaves them). With the VXLAN backend it
 * creates `flannel.1` on each node (VXLAN, VNI 1, UDP 8472, learning off, MTU = uplink MTU - 50)
 * holding the node subnet's network address as a /32, and for every other node exactly one route
 * (`<subnet> via <subnet>.0 dev flannel.1 onlink`), one permanent neighbour (`<subnet>.0` -> that
 * node's flannel.1 MAC) and one FDB entry (that MAC -> that node's IP). host-gw has no tunnel: one
 * plain route per other node's subnet via that node's address on the shared LAN (`10.244.1.0/24
 * via 192.168.49.3 dev eth0`), pods keep the uplink's MTU, and packets cross the LAN with pod
 * addresses in the IP header, which is why host-gw needs every node on one L2 network. Those
 * per-node entries are the same on every other node, so both backends keep them once, in the
 * `flannel` mesh (mesh.ts), which every node holds.
 * flanneld reads net-conf.json only when it starts. `ClusterConfig.cni` is the backend the
 * cluster was installed with; each later start (its pod created again: deleted, or `kubectl
 * rollout restart`) reads the ConfigMap as it is then, and `SimState.flannel` records per node
 * the backend it runs and the MTU it wrote to subnet.env (startFlanneld says what a start does:
 * nothing is torn down, a flanneld handles only leases of its own type, pods keep their MTU). A
 * node whose entries then differ from the shared ones keeps its own copies (copy-on-write, as any
 * change does) until they match the mesh's again. A net-conf.json it cannot parse, or an unknown
 * backend type, makes flanneld exit with flannel's error line, and the kubelet restarts it with
 * back-off (CrashLoopBackOff) until the ConfigMap is fixed.
 * flanneld also writes its iptables rules (pkg/trafficmngr/iptables): FLANNEL-POSTRTG in nat
 * POSTROUTING (no masquerade inside the pod network or for kube-proxy's marked packets,
 * masquerade pod traffic leaving it, `--random-fully`) and FLANNEL-FWD in filter FORWARD
 * (accept anything from or to the pod network); they follow kube-proxy's jumps because both
 * append and kube-proxy starts first.
 * The CNI side is flannel's plugin delegating to `bridge` with host-local IPAM: `cni0` gets the
 * subnet's .1 when the first pod lands on the node, then one veth pair per pod, `eth0` inside
 * and `veth<8 hex>` on the node, enslaved to cni0, with the MTU of the node's subnet.env; the
 * pod routes its subnet directly, the cluster CIDR and everything else via .1. host-local's
 * store is listed under /var/lib/cni/networks/cbr0. flannel enforces no NetworkPolicy.
 * Left out: flannel's subnet lease in the API beyond the node annotations, the install-cni
 * init containers and the hostPath volumes, hairpin mode, IPv6, the backends other than vxlan
 * and host-gw (one of them in net-conf.json leaves the node as it was, and the log says the
 * sandbox does not model it), net-conf.json options other than the backend's Type (Port, VNI,
 * DirectRouting, MTU), the wording of Go's JSON syntax errors, and cni0's MTU following its
 * ports (the kernel keeps a bridge at its smallest port's MTU, so it rises to 1500 once the last
 * 1450 pod is gone; cni0 here keeps the MTU it was created with), and host-gw's route check
 * (its RouteNetwork re-adds a missing route every 10 seconds; here, as with VXLAN, a route
 * deleted by hand comes back only when flanneld starts again).
 */
import { broadcast, formatCidr, formatIp, nth, type Cidr, type Ip } from '../ipv4';
import { randomMac } from '../mac';
import { joinMesh, leaveMesh } from '../mesh';
import { addDevice, deviceByName, neighboursOf, newNetns, routesOf, vxlanFdbOf, type Neighbour, type Netns, type Route } from '../netns';
import { net, type Netfilter } from '../netfilter';
import { deriveRng } from '../rng';
import type { FlannelNodeRecord, SimState } from '../state';
import { canonicalJson, uuid, vethName } from '../k8s/names';
import { sandboxId } from '../k8s/portmap';
import type { Pod, PodSpec } from '../k8s/types';
import { nodeIp, nodeNsId, nodeSubnet } from './node';
import type { CniManifest, CniPlugin, PeerEntries } from './plugin';

export const VXLAN_PORT = 8472;
export const VXLAN_VNI = 1;
export const VXLAN_OVERHEAD = 50;
/** kube-proxy's masquerade mark, which flannel's first POSTROUTING rule leaves alone. */
const KUBE_PROXY_MARK = 0x4000;

export const FLANNEL_IMAGE = 'ghcr.io/flannel-io/flannel:v0.26.4';

/** The mesh (mesh.ts) holding the routes, neighbours and FDB entries flanneld programs for each node. */
export const FLANNEL_MESH = 'flannel';

/** flannel's masquerade and forward rules for a node (flannel pkg/trafficmngr/iptables). */
export function flannelRules(nf: Netfilter, clusterCidr: Cidr, nodeSubnet: Cidr): void {
  const c = { m: 'comment' as const, text: 'flanneld masq' };
  nf.nat.chains['FLANNEL-POSTRTG'] = {
    rules: [
      { matches: [{ m: 'mark', mark: KUBE_PROXY_MARK, mask: KUBE_PROXY_MARK }, c], target: { t: 'RETURN' } },
      { src: net(nodeSubnet), dst: net(clusterCidr), matches: [c], target: { t: 'RETURN' } },
      { src: net(clusterCidr), dst: net(nodeSubnet), matches: [c], target: { t: 'RETURN' } },
      { src: net(clusterCidr, true), dst: net(nodeSubnet), matches: [c], target: { t: 'RETURN' } },
      { src: net(clusterCidr), dst: net({ addr: 0xe0000000, len: 4 }, true), matches: [c], target: { t: 'MASQUERADE', randomFully: true } },
      { src: net(clusterCidr, true), dst: net(clusterCidr), matches: [c], target: { t: 'MASQUERADE', randomFully: true } },
    ],
  };
  nf.nat.chains.POSTROUTING!.rules.push({ matches: [c], target: { t: 'jump', chain: 'FLANNEL-POSTRTG' } });
  const f = { m: 'comment' as const, text: 'flanneld forward' };
  nf.filter.chains['FLANNEL-FWD'] = {
    rules: [
      { src: net(clusterCidr), matches: [f], target: { t: 'ACCEPT' } },
      { dst: net(clusterCidr), matches: [f], target: { t: 'ACCEPT' } },
    ],
  };
  nf.filter.chains.FORWARD!.rules.push({ matches: [f], target: { t: 'jump', chain: 'FLANNEL-FWD' } });
}

/** flanneld's VXLAN backend on one node: its rules and flannel.1. */
export function setupVxlanNode(state: SimState, node: string, ns: Netns): void {
  flannelRules(ns.nf!, state.config.podCidr, nodeSubnet(state, node));
  addFlannelDevice(state, node, ns);
}

/** flannel.1: the VXLAN device flanneld makes, VNI 1 on UDP 8472 over eth0, holding the subnet's .0/32. */
function addFlannelDevice(state: SimState, node: string, ns: Netns): void {
  addDevice(ns, {
    name: 'flannel.1',
    kind: 'vxlan',
    mac: randomMac(deriveRng(state.seed, `mac:${ns.id}/flannel.1`)),
    mtu: state.config.mtu - VXLAN_OVERHEAD,
    up: true,
    addrs: [{ ip: nodeSubnet(state, node).addr, len: 32 }],
    vxlan: { vni: VXLAN_VNI, port: VXLAN_PORT, local: nodeIp(state, node), dev: 'eth0', learning: false, fdb: {} },
  });
}

/** A backend flanneld's net-conf.json can name that the sandbox models. */
export type FlannelBackend = FlannelNodeRecord['backend'];

/** What flanneld reads from net-conf.json at start: the backend, or why it cannot start. */
export type NetConf = { backend: FlannelBackend } | { error: string };

/** The backends flannel v0.26 is built with; the sandbox models vxlan and host-gw. */
const REAL_BACKENDS = ['alloc', 'extension', 'host-gw', 'ipip', 'ipsec', 'tencentcloud-vpc', 'udp', 'vxlan', 'wireguard'];

/** The backend the cluster was installed with (its manifest's net-conf.json). */
function installedBackend(state: SimState): FlannelBackend {
  return state.config.cni === 'flannel-host-gw' ? 'host-gw' : 'vxlan';
}

/** The backend flanneld on `node` last started with (the type of its lease). */
export function flannelBackendOf(state: SimState, node: string): FlannelBackend {
  return state.flannel?.[node]?.backend ?? installedBackend(state);
}

/** The backend's MTU: the uplink's, less VXLAN's 50 bytes for vxlan. */
function backendMtu(state: SimState, backend: FlannelBackend): number {
  return backend === 'vxlan' ? state.config.mtu - VXLAN_OVERHEAD : state.config.mtu;
}

/** FLANNEL_MTU in the node's subnet.env: what the CNI plugin gives a pod created there now. */
export function flannelMtu(state: SimState, node: string): number {
  return state.flannel?.[node]?.mtu ?? backendMtu(state, installedBackend(state));
}

export const FLANNEL_CONFIG_MAP = 'kube-flannel-cfg';
export const FLANNEL_NAMESPACE = 'kube-flannel';

/** A JSON object's member as Go's encoding/json finds it: the exact key, else one differing only in case. */
function goField(o: Record<string, unknown>, name: string): unknown {
  if (name in o) return o[name];
  const k = Object.keys(o).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
}

/**
 * net-conf.json as flanneld reads it at start (the kube-flannel-cfg ConfigMap, mounted at
 * /etc/kube-flannel/): subnet.ParseConfig, then the backend manager's lookup of the type,
 * lowercased. The errors are the lines flanneld logs before it exits.
 */
export function readNetConf(state: SimState): NetConf {
  const cm = state.k8s.objects?.configmaps?.[`${FLANNEL_NAMESPACE}/${FLANNEL_CONFIG_MAP}`] as { data?: Record<string, string> } | undefined;
  const text = cm?.data?.['net-conf.json'];
  if (text === undefined) return { error: 'Failed to create SubnetManager: failed to read net conf: open /etc/kube-flannel/net-conf.json: no such file or directory' };
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch {
    return { error: 'Failed to create SubnetManager: error parsing subnet config: invalid character in net-conf.json' };
  }
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) return { error: 'Failed to create SubnetManager: error parsing subnet config: json: cannot unmarshal into Go value of type subnet.Config' };
  const be = goField(cfg as Record<string, unknown>, 'Backend');
  let type = 'udp';
  if (be !== undefined && be !== null) {
    if (typeof be !== 'object' || Array.isArray(be)) return { error: 'Failed to create SubnetManager: error parsing subnet config: error decoding Backend property of config: json: cannot unmarshal into Go value of type struct { Type string }' };
    const t = goField(be as Record<string, unknown>, 'Type');
    type = typeof t === 'string' ? t : '';
  }
  const lower = type.toLowerCase();
  if (lower === 'vxlan' || lower === 'host-gw') return { backend: lower };
  if (REAL_BACKENDS.includes(lower)) return { error: `sandbox: the flannel backend "${lower}" is not modelled (vxlan and host-gw are); flanneld leaves the node as it was` };
  return { error: `Error fetching backend: unknown backend type: ${lower}` };
}

/** The lease flanneld publishes for a node (its node annotations): type and VTEP MAC. */
function leaseOf(state: SimState, node: string): string {
  const backend = flannelBackendOf(state, node);
  const ns = state.netns[nodeNsId(node)];
  const vtep = backend === 'vxlan' && ns ? deviceByName(ns, 'flannel.1')?.mac : undefined;
  return `${backend} ${vtep ?? ''}`;
}

/** What a node running `backend` programs for node `peer` when it handles peer's lease. */
function backendEntries(state: SimState, backend: FlannelBackend, peer: string): PeerEntries {
  if (backend === 'host-gw') return { routes: [{ dst: nodeSubnet(state, peer), via: nodeIp(state, peer), dev: 'eth0' }], neigh: [], fdb: [] };
  const ns = state.netns[nodeNsId(peer)];
  const vx = ns && deviceByName(ns, 'flannel.1');
  if (!vx?.vxlan) return { routes: [], neigh: [], fdb: [] };
  const subnet = nodeSubnet(state, peer);
  return {
    routes: [{ dst: subnet, via: subnet.addr, dev: 'flannel.1', onlink: true }],
    neigh: [{ ip: subnet.addr, dev: 'flannel.1', mac: vx.mac, state: 'PERMANENT' }],
    fdb: [{ dev: 'flannel.1', mac: vx.mac, dst: vx.vxlan.local }],
  };
}

const sameDst = (a: Route, b: Route): boolean => a.dst.addr === b.dst.addr && a.dst.len === b.dst.len;
const sameRoute = (a: Route, b: Route): boolean => sameDst(a, b) && a.via === b.via && a.dev === b.dev && !!a.onlink === !!b.onlink && a.proto === b.proto && a.scope === b.scope && a.src === b.src;
const sameNeigh = (a: Neighbour, b: Neighbour): boolean => a.ip === b.ip && a.dev === b.dev && a.mac === b.mac && a.state === b.state;

/**
 * flanneld handling one lease on a node: RouteReplace of the route to the peer's subnet (host-gw's
 * routeAdd deletes a route to the same subnet through another gateway or device first, which
 * comes to the same), and for VXLAN the permanent neighbour and FDB entry (replaced, not
 * added). Nothing changes, and the node keeps the shared entries, when it already holds these.
 */
function program(state: SimState, ns: Netns, e: PeerEntries): void {
  const routes = routesOf(ns, state);
  const neigh = neighboursOf(ns, state);
  const holds =
    e.routes.every((r) => routes.some((x) => sameRoute(x, r))) &&
    e.neigh.every((n) => neigh.some((x) => sameNeigh(x, n))) &&
    e.fdb.every((f) => {
      const dev = deviceByName(ns, f.dev);
      return !dev || vxlanFdbOf(ns, dev, state)[f.mac] === f.dst;
    });
  if (holds) return;
  leaveMesh(ns, state);
  for (const r of e.routes) ns.routes = [...ns.routes.filter((x) => !sameDst(x, r)), { ...r }];
  for (const n of e.neigh) ns.neigh = [...ns.neigh.filter((x) => !(x.ip === n.ip && x.dev === n.dev)), { ...n }];
  for (const f of e.fdb) {
    const vx = deviceByName(ns, f.dev)?.vxlan;
    if (vx) vx.fdb[f.mac] = f.dst;
  }
}

/**
 * A node that holds its own copies of flannel's per-node entries goes back to the shared ones
 * when that changes nothing it reads: it holds an entry for every key the mesh would give it
 * (so none it lacks comes back), its copies equal to the mesh's are dropped, and the ones that
 * differ stay and shadow the mesh's (mesh.ts).
 */
function rejoinMesh(state: SimState, ns: Netns): void {
  const mesh = state.meshes?.[FLANNEL_MESH];
  if (!mesh || ns.mesh === FLANNEL_MESH) return;
  const devs = new Set(ns.devices.map((d) => d.name));
  const members = mesh.members.filter((m) => m.ns !== ns.id);
  for (const m of members) {
    if (m.routes.some((r) => devs.has(r.dev) && !ns.routes.some((x) => sameDst(x, r)))) return;
    if (m.neigh.some((n) => devs.has(n.dev) && !ns.neigh.some((x) => x.ip === n.ip && x.dev === n.dev))) return;
    if (m.fdb.some((f) => { const vx = deviceByName(ns, f.dev)?.vxlan; return vx !== undefined && vx.fdb[f.mac] === undefined; })) return;
  }
  ns.routes = ns.routes.filter((x) => !members.some((m) => m.routes.some((r) => sameRoute(r, x))));
  ns.neigh = ns.neigh.filter((x) => !members.some((m) => m.neigh.some((n) => sameNeigh(n, x))));
  for (const m of members) {
    for (const f of m.fdb) {
      const vx = deviceByName(ns, f.dev)?.vxlan;
      if (vx && vx.fdb[f.mac] === f.dst) delete vx.fdb[f.mac];
    }
  }
  joinMesh(ns, FLANNEL_MESH);
}

/**
 * flanneld starting on a node (its DaemonSet pod was created again: deleted, or a rollout
 * restart), with the backend its net-conf.json names. In flannel's order: with vxlan it finds
 * or makes flannel.1 (ensureLink: an existing device is kept and brought up, with its address;
 * a missing one is created); it publishes its lease (the node's backend-type and backend-data
 * annotations); it writes subnet.env with the backend's MTU; then its subnet watch handles
 * every other node's lease of its own backend type and ignores the others ("ignoring non-vxlan
 * subnet", "Ignoring non-host-gw subnet"). When its lease changed (another type, or a new VTEP
 * MAC), the flanneld of every other node of that type handles it too. Nothing is torn down: a
 * node that moves from vxlan to host-gw keeps flannel.1 with its permanent neighbours and FDB
 * entries, and only the routes are replaced; pods keep the MTU they were created with. A
 * net-conf.json flanneld cannot use makes it exit before it touches the node (the record keeps
 * the error for its log). Its iptables chains are written again only where they are missing.
 */
export function startFlanneld(state: SimState, node: string, conf: NetConf): void {
  const ns = state.netns[nodeNsId(node)];
  if (!ns || !state.meshes?.[FLANNEL_MESH]) return;
  const records = (state.flannel ??= {});
  if ('error' in conf) {
    records[node] = { backend: flannelBackendOf(state, node), mtu: flannelMtu(state, node), error: conf.error };
    return;
  }
  const backend = conf.backend;
  const before = leaseOf(state, node);
  if (backend === 'vxlan') {
    const dev = deviceByName(ns, 'flannel.1');
    if (!dev) addFlannelDevice(state, node, ns);
    else {
      dev.up = true;
      const addr = nodeSubnet(state, node).addr;
      if (!dev.addrs.some((a) => a.ip === addr)) dev.addrs.push({ ip: addr, len: 32 });
    }
  }
  if (ns.nf && !ns.nf.nat.chains['FLANNEL-POSTRTG']) flannelRules(ns.nf, state.config.podCidr, nodeSubnet(state, node));
  records[node] = { backend, mtu: backendMtu(state, backend) };
  const others = Object.keys(state.k8s.nodes).filter((n) => n !== node && state.netns[nodeNsId(n)] && flannelBackendOf(state, n) === backend);
  if (leaseOf(state, node) !== before) {
    for (const other of others) {
      const ons = state.netns[nodeNsId(other)]!;
      program(state, ons, backendEntries(state, backend, node));
      rejoinMesh(state, ons);
    }
  }
  for (const other of others) program(state, ns, backendEntries(state, backend, other));
  rejoinMesh(state, ns);
}

/** What flanneld's subnet watch programs on `self` for `peer` over VXLAN. */
export function vxlanPeer(state: SimState, _self: string, peer: string): PeerEntries {
  return backendEntries(state, 'vxlan', peer);
}

/** The node annotations flanneld writes (the VTEP MAC is that of the node's flannel.1). */
export function flannelAnnotations(state: SimState, node: string, backend: FlannelBackend = flannelBackendOf(state, node)): Record<string, string> {
  const ip = state.k8s.nodes[node]?.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
  const ns = state.netns[nodeNsId(node)];
  const vtep = ns ? deviceByName(ns, 'flannel.1') : undefined;
  return {
    'flannel.alpha.coreos.com/backend-data': backend === 'host-gw' || !vtep ? 'null' : `{"VNI":1,"VtepMAC":"${vtep.mac}"}`,
    'flannel.alpha.coreos.com/backend-type': backend,
    'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
    'flannel.alpha.coreos.com/public-ip': ip,
  };
}

/** flanneld's /run/flannel/subnet.env: the network, this node's subnet (its .1), MTU, masquerade. */
export function subnetEnv(state: SimState, node: string, mtu: number): string {
  const subnet = nodeSubnet(state, node);
  return `FLANNEL_NETWORK=${formatCidr(state.config.podCidr)}\nFLANNEL_SUBNET=${formatCidr({ addr: nth(subnet, 1), len: subnet.len })}\nFLANNEL_MTU=${mtu}\nFLANNEL_IPMASQ=true\n`;
}

const FLANNEL_CONFLIST = `{
  "name": "cbr0",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "flannel",
      "delegate": {
        "hairpinMode": true,
        "isDefaultGateway": true
      }
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      }
    }
  ]
}
`;

/** Creates cni0 on the node if this is its first pod (the bridge plugin does it lazily). */
function ensureBridge(state: SimState, node: string, mtu: number): void {
  const ns = state.netns[nodeNsId(node)]!;
  if (deviceByName(ns, 'cni0')) return;
  const subnet = nodeSubnet(state, node);
  const gw = nth(subnet, 1);
  addDevice(ns, {
    name: 'cni0',
    kind: 'bridge',
    mac: randomMac(deriveRng(state.seed, `mac:${ns.id}/cni0`)),
    mtu,
    up: true,
    addrs: [{ ip: gw, len: subnet.len, brd: broadcast(subnet) }],
    fdb: {},
  });
  ns.routes.push({ dst: subnet, dev: 'cni0', proto: 'kernel', scope: 'link', src: gw });
}

/** The bridge plugin's ADD: a namespace with eth0 and its routes, the host end in cni0. */
function bridgeAttach(state: SimState, pod: Pod, ipAddr: Ip, id: string, mtu: number): Netns {
  const node = pod.spec.nodeName!;
  ensureBridge(state, node, mtu);
  const host = state.netns[nodeNsId(node)]!;
  const subnet = nodeSubnet(state, node);
  const gw = nth(subnet, 1);
  // Everything random about this pod's network comes from its own stream.
  const prng = deriveRng(state.seed, `netns:${id}`);
  const ns = newNetns(id, `cni-${uuid(prng)}`, pod.metadata.name, prng.int(65536));
  const hostIndex = host.nextIfindex;
  const eth0 = addDevice(ns, {
    name: 'eth0',
    kind: 'veth',
    mac: randomMac(prng),
    mtu,
    up: true,
    addrs: [{ ip: ipAddr, len: subnet.len, brd: broadcast(subnet) }],
    peer: { ns: host.id, ifindex: hostIndex },
  });
  addDevice(host, {
    ifindex: hostIndex,
    name: vethName(prng),
    kind: 'veth',
    mac: randomMac(prng),
    mtu,
    up: true,
    addrs: [],
    master: 'cni0',
    peer: { ns: id, ifindex: eth0.ifindex },
  });
  ns.routes.push(
    { dst: { addr: 0, len: 0 }, via: gw, dev: 'eth0' },
    { dst: subnet, dev: 'eth0', proto: 'kernel', scope: 'link', src: ipAddr },
    { dst: state.config.podCidr, via: gw, dev: 'eth0' },
  );
  return ns;
}

/** net-conf.json as kube-flannel.yml writes it, with the cluster's pod network and a backend. */
export function netConfJson(state: SimState, backend: FlannelBackend): string {
  return `{\n  "Network": "${formatCidr(state.config.podCidr)}",\n  "EnableNFTables": false,\n  "Backend": {\n    "Type": "${backend}"\n  }\n}\n`;
}

function manifest(_version: string, state: SimState): CniManifest {
  const spec: PodSpec = {
    containers: [
      {
        name: 'kube-flannel',
        image: FLANNEL_IMAGE,
        command: ['/opt/bin/flanneld'],
        args: ['--ip-masq', '--kube-subnet-mgr'],
        resources: { requests: { cpu: '100m', memory: '50Mi' } },
        volumeMounts: [{ name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' }],
      },
    ],
    serviceAccountName: 'flannel',
    hostNetwork: true,
    tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
    priorityClassName: 'system-node-critical',
    volumes: [{ name: 'flannel-cfg', configMap: { name: FLANNEL_CONFIG_MAP } }],
  };
  const labels = { tier: 'node', 'k8s-app': 'flannel', app: 'flannel' };
  const data = { 'cni-conf.json': FLANNEL_CONFLIST, 'net-conf.json': netConfJson(state, installedBackend(state)) };
  // kubectl apply -f kube-flannel.yml left its last-applied annotation, as on every object it creates.
  const applied = canonicalJson({ apiVersion: 'v1', data, kind: 'ConfigMap', metadata: { annotations: {}, labels, name: FLANNEL_CONFIG_MAP, namespace: FLANNEL_NAMESPACE } }) + '\n';
  return {
    namespaces: [FLANNEL_NAMESPACE],
    daemonSets: [{ name: 'kube-flannel-ds', namespace: FLANNEL_NAMESPACE, labels: { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' }, spec }],
    deployments: [],
    configMaps: [{ name: FLANNEL_CONFIG_MAP, namespace: FLANNEL_NAMESPACE, labels, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': applied }, data }],
  };
}

/**
 * host-local's store for the `cbr0` network (/var/lib/cni/networks/cbr0): one file per address
 * handed out, named by the address and holding the pod sandbox's id and the interface
 * (`<id>\r\neth0`, no newline at the end), the last address reserved in `last_reserved_ip.0`,
 * and the store's empty `lock` file.
 */
function hostLocalFiles(state: SimState, node: string): Record<string, string> {
  const ipam = state.k8s.alloc.podIpam[node];
  if (!ipam) return {};
  const dir = '/var/lib/cni/networks/cbr0';
  const subnet = nodeSubnet(state, node);
  const out: Record<string, string> = { [`${dir}/lock`]: '' };
  const byIp = new Map<string, Pod>();
  for (const p of Object.values(state.k8s.pods)) if (p.spec.nodeName === node && !p.spec.hostNetwork && p.status.podIP) byIp.set(p.status.podIP, p);
  for (const off of ipam.used) {
    const ip = formatIp(nth(subnet, off));
    const pod = byIp.get(ip);
    if (pod) out[`${dir}/${ip}`] = `${sandboxId(state, pod)}\r\neth0`;
  }
  if (ipam.used.length > 0 || ipam.last > 1) out[`${dir}/last_reserved_ip.0`] = formatIp(nth(subnet, ipam.last));
  return out;
}

const SANDBOX_ERROR = (range: string): string => `plugin type="flannel" failed (add): failed to delegate add: failed to allocate for range 0: no IP addresses available in range set: ${range}`;

/** What both backends share: the cni0 bridge, IPAM's error, the manifest, files and annotations flanneld writes. */
function flannelPlugin(own: Pick<CniPlugin, 'name' | 'summary' | 'podMtu' | 'setupNode'>): CniPlugin {
  return {
    ...own,
    // What `self`'s flanneld programs for `peer`: entries of the backend it runs.
    peer: (state, self, peer) => backendEntries(state, flannelBackendOf(state, self), peer),
    peerMesh: FLANNEL_MESH,
    agentStarted: (state, node) => startFlanneld(state, node, readNetConf(state)),
    agentLabel: 'flannel',
    agentFailure(state) {
      const conf = readNetConf(state);
      if (!('error' in conf) || conf.error.startsWith('sandbox:')) return undefined;
      // Reading net-conf.json fails at once; an unknown backend type after the interface lookup, about a second in.
      return { exitsAfter: conf.error.startsWith('Failed to create SubnetManager') ? 20 : 1020, exitCode: 1 };
    },
    attach(state, pod, ip, id) {
      return bridgeAttach(state, pod, ip, id, flannelMtu(state, pod.spec.nodeName!));
    },
    ipamExhausted: SANDBOX_ERROR,
    manifest,
    nodeFiles(state, node) {
      return { '/run/flannel/subnet.env': subnetEnv(state, node, flannelMtu(state, node)), '/etc/cni/net.d/10-flannel.conflist': FLANNEL_CONFLIST, ...hostLocalFiles(state, node) };
    },
    nodeAnnotations: (state, node) => flannelAnnotations(state, node),
  };
}

export const flannelVxlan: CniPlugin = flannelPlugin({
  name: 'flannel-vxlan',
  summary: 'flannel with the VXLAN backend: flannel.1 tunnels between nodes, cni0 bridge on each node, no NetworkPolicy',
  podMtu: (state) => state.config.mtu - VXLAN_OVERHEAD,
  setupNode: setupVxlanNode,
});

export const flannelHostGw: CniPlugin = flannelPlugin({
  name: 'flannel-host-gw',
  summary: 'flannel with the host-gw backend: plain routes via the node addresses, cni0 bridge on each node, no NetworkPolicy',
  podMtu: (state) => state.config.mtu,
  setupNode(state, node, ns) {
    flannelRules(ns.nf!, state.config.podCidr, nodeSubnet(state, node));
  },
});
