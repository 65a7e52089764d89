/**
 * flannel (kube-flannel.yml, v0.26) with its two backends: VXLAN and host-gw.
 *
 * Design notes: flanneld runs as the host-network DaemonSet `kube-flannel-ds` in the
 * `kube-flannel` namespace. With the VXLAN backend it creates `flannel.1` on each node (VXLAN,
 * VNI 1, UDP 8472, learning off, MTU = uplink MTU - 50) holding the node subnet's network
 * address as a /32, and for every other node exactly one route (`<subnet> via <subnet>.0 dev
 * flannel.1 onlink`), one permanent neighbour (`<subnet>.0` -> that node's flannel.1 MAC) and
 * one FDB entry (that MAC -> that node's IP). host-gw has no tunnel: one plain route per other
 * node's subnet via that node's address on the shared LAN (`10.244.1.0/24 via 192.168.49.3 dev
 * eth0`), pods keep the uplink's MTU, and packets cross the LAN with pod addresses in the IP
 * header, which is why host-gw needs every node on one L2 network. Those per-node entries are
 * the same on every other node, so both backends keep them once, in the `flannel` mesh
 * (mesh.ts), which every node holds.
 * flanneld also writes its iptables rules (pkg/trafficmngr/iptables): FLANNEL-POSTRTG in nat
 * POSTROUTING (no masquerade inside the pod network or for kube-proxy's marked packets,
 * masquerade pod traffic leaving it, `--random-fully`) and FLANNEL-FWD in filter FORWARD
 * (accept anything from or to the pod network); they follow kube-proxy's jumps because both
 * append and kube-proxy starts first.
 * The CNI side is flannel's plugin delegating to `bridge` with host-local IPAM: `cni0` gets the
 * subnet's .1 when the first pod lands on the node, then one veth pair per pod, `eth0` inside
 * and `veth<8 hex>` on the node, enslaved to cni0; the pod routes its subnet directly, the
 * cluster CIDR and everything else via .1. flannel enforces no NetworkPolicy.
 * Left out: flannel's subnet lease in the API, the `kube-flannel-cfg` ConfigMap, the
 * install-cni init containers, hairpin mode, IPv6.
 */
import { broadcast, formatCidr, nth, type Cidr, type Ip } from '../ipv4';
import { randomMac } from '../mac';
import { joinMesh } from '../mesh';
import { addDevice, deviceByName, newNetns, type Netns } from '../netns';
import { net, type Netfilter } from '../netfilter';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { uuid, vethName } from '../k8s/names';
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

/**
 * flanneld starting on a node whose network was changed by hand: it finds or makes flannel.1
 * (ensureLink: an existing device is brought up, with its address; a missing one is created),
 * then its subnet watch writes the route, permanent neighbour and FDB entry for every other
 * node's lease again: the node drops its own copies of those entries and holds the shared
 * ones again. Its iptables chains are written again only where they are missing.
 */
export function restartFlannel(state: SimState, node: string, vxlan: boolean): void {
  const ns = state.netns[nodeNsId(node)];
  if (!ns || !state.meshes?.[FLANNEL_MESH]) return;
  if (vxlan) {
    const dev = deviceByName(ns, 'flannel.1');
    if (!dev) addFlannelDevice(state, node, ns);
    else {
      dev.up = true;
      const addr = nodeSubnet(state, node).addr;
      if (!dev.addrs.some((a) => a.ip === addr)) dev.addrs.push({ ip: addr, len: 32 });
    }
  }
  if (ns.nf && !ns.nf.nat.chains['FLANNEL-POSTRTG']) flannelRules(ns.nf, state.config.podCidr, nodeSubnet(state, node));
  if (ns.mesh === FLANNEL_MESH) return;
  // The entries it writes are the mesh's: the node's own copies of them go, and it holds the mesh's again.
  const others = Object.keys(state.k8s.nodes).filter((n) => n !== node);
  const dsts = new Set(others.map((n) => { const c = nodeSubnet(state, n); return `${c.addr}/${c.len}`; }));
  ns.routes = ns.routes.filter((r) => !dsts.has(`${r.dst.addr}/${r.dst.len}`));
  const subnets = new Set(others.map((n) => nodeSubnet(state, n).addr));
  ns.neigh = ns.neigh.filter((n) => !(n.dev === 'flannel.1' && subnets.has(n.ip)));
  const vx = deviceByName(ns, 'flannel.1')?.vxlan;
  if (vx) for (const n of others) {
    const peerVx = deviceByName(state.netns[nodeNsId(n)]!, 'flannel.1');
    if (peerVx) delete vx.fdb[peerVx.mac];
  }
  joinMesh(ns, FLANNEL_MESH);
}

/** What flanneld's subnet watch programs on `self` for `peer` over VXLAN. */
export function vxlanPeer(state: SimState, _self: string, peer: string): PeerEntries {
  const vx = deviceByName(state.netns[nodeNsId(peer)]!, 'flannel.1')!;
  const subnet = nodeSubnet(state, peer);
  return {
    routes: [{ dst: subnet, via: subnet.addr, dev: 'flannel.1', onlink: true }],
    neigh: [{ ip: subnet.addr, dev: 'flannel.1', mac: vx.mac, state: 'PERMANENT' }],
    fdb: [{ dev: 'flannel.1', mac: vx.mac, dst: vx.vxlan!.local }],
  };
}

/** The node annotations flanneld writes (the VTEP MAC is that of the node's flannel.1). */
export function flannelAnnotations(state: SimState, node: string, backend: 'vxlan' | 'host-gw'): Record<string, string> {
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

function manifest(): CniManifest {
  const spec: PodSpec = {
    containers: [{ name: 'kube-flannel', image: FLANNEL_IMAGE, resources: { requests: { cpu: '100m', memory: '50Mi' } } }],
    serviceAccountName: 'flannel',
    hostNetwork: true,
    tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
    priorityClassName: 'system-node-critical',
  };
  return {
    namespaces: ['kube-flannel'],
    daemonSets: [{ name: 'kube-flannel-ds', namespace: 'kube-flannel', labels: { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' }, spec }],
    deployments: [],
    configMaps: [],
  };
}

const SANDBOX_ERROR = (range: string): string => `plugin type="flannel" failed (add): failed to delegate add: failed to allocate for range 0: no IP addresses available in range set: ${range}`;

/** What both backends share: the cni0 bridge, IPAM's error, the manifest, files and annotations flanneld writes. */
function flannelPlugin(backend: 'vxlan' | 'host-gw', own: Pick<CniPlugin, 'name' | 'summary' | 'podMtu' | 'setupNode' | 'peer'>): CniPlugin {
  return {
    ...own,
    peerMesh: FLANNEL_MESH,
    agentStarted: (state, node) => restartFlannel(state, node, backend === 'vxlan'),
    agentLabel: 'flannel',
    attach(state, pod, ip, id) {
      return bridgeAttach(state, pod, ip, id, own.podMtu(state));
    },
    ipamExhausted: SANDBOX_ERROR,
    manifest,
    nodeFiles(state, node) {
      return { '/run/flannel/subnet.env': subnetEnv(state, node, own.podMtu(state)), '/etc/cni/net.d/10-flannel.conflist': FLANNEL_CONFLIST };
    },
    nodeAnnotations: (state, node) => flannelAnnotations(state, node, backend),
  };
}

export const flannelVxlan: CniPlugin = flannelPlugin('vxlan', {
  name: 'flannel-vxlan',
  summary: 'flannel with the VXLAN backend: flannel.1 tunnels between nodes, cni0 bridge on each node, no NetworkPolicy',
  podMtu: (state) => state.config.mtu - VXLAN_OVERHEAD,
  setupNode: setupVxlanNode,
  peer: vxlanPeer,
});

export const flannelHostGw: CniPlugin = flannelPlugin('host-gw', {
  name: 'flannel-host-gw',
  summary: 'flannel with the host-gw backend: plain routes via the node addresses, cni0 bridge on each node, no NetworkPolicy',
  podMtu: (state) => state.config.mtu,
  setupNode(state, node, ns) {
    flannelRules(ns.nf!, state.config.podCidr, nodeSubnet(state, node));
  },
  peer(state, _self, peer) {
    return { routes: [{ dst: nodeSubnet(state, peer), via: nodeIp(state, peer), dev: 'eth0' }], neigh: [], fdb: [] };
  },
});
