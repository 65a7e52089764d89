/**
 * The sandbox as the topology view draws it, and as the network model's processes and
 * switches: the plain data of the session's `topologyModel()` and `networkModel()`.
 *
 * Design notes: built from the state on every call (from topology.ts's machines and links and
 * graph.ts's network graph), never stored, so the picture follows every command; nothing is
 * simulated. Not to be confused with topology.ts in this folder, which is the lab format's
 * schema of the sandbox a lab asks for.
 * - Elements: every network namespace is one (a node's root namespace stands for the node, a
 *   pod's for the pod; Docker hosts, their containers, routers, the workstation, the LAN
 *   gateway, the cloud load balancer, the Internet host), and so is every Linux bridge (cni0,
 *   docker0, a user network's br-…), every VXLAN device (flannel.1, a VTEP), every switch
 *   segment (the LAN) and every Service (a virtual box: no machine holds its address; its
 *   links go to its ready endpoints). Ids are the namespace ids (`node/node-1`,
 *   `pod/default/client`), `<ns>#<device>` for bridges and VTEPs, `segment/<id>` and
 *   `service/<namespace>/<name>`, so they stay the same while the object exists and selection
 *   survives redraws.
 * - Groups: a node holds its stack, bridges, VTEP and pods; a Docker host its stack, bridges and
 *   containers. hostNetwork pods have no namespace of their own: they are listed on their node.
 *   A pod the API has whose sandbox is not made yet is a box without an address ("Pending"), on
 *   its node once scheduled, and the model says it is settling so a view can ask again soon.
 * - Links: cables into segments, veth pairs (to the bridge when the host end is a bridge port,
 *   else to the host's stack, as with Calico's routed veths), each bridge's and VTEP's tie to
 *   its host's stack, the VXLAN tunnels between VTEPs that know each other, Service endpoints.
 * - Pools: each address is given its pool by range: the node, pod and service networks of a
 *   Kubernetes cluster; on Docker hosts the hosts' LAN and the container networks take the node
 *   and pod pools' parts (machines' addresses, and the addresses a runtime hands out);
 *   anything else is `external`. A routed topology has no pools: all its addresses are external.
 * - Details: every interface as `ip -d link` and `ip addr` show it, the main routing table as
 *   `ip route` prints it (routeLine, the command's own code; only for the elements asked for
 *   when the caller names them, as on a large cluster they cost more than the rest), and facts (the node a pod runs on,
 *   a node's pod CIDR and hostNetwork pods, a container's image, a Service's ports and endpoints).
 * - The structure key changes exactly when an element, group or link comes or goes (or is
 *   renamed), so a view can keep its layout while only addresses, states and tables change.
 * - The network model is graph.ts's networkGraph with each address's pool: computed only when
 *   asked for, as its tables cost far more than the picture's model on a large cluster.
 * - Overlays: `packetOverlay` and `networkOverlay` place a packet's hops (the session's trace
 *   events) on the elements or vertices and the links between them, for the view to highlight.
 *   ARP exchanges are left out (they are the packet's preparation, not its way); a link is the
 *   direct one between two places, or a two-link way through one element between them (a veth
 *   and the bridge behind it); a VXLAN encapsulation and the matching decapsulation mark the
 *   tunnel; a DNAT from a Service address marks the Service and its endpoint's link.
 * Simplified: the LAN segment's address is the network of the first interface cabled to it; a
 * Service is drawn once with its ClusterIP (node ports and load balancer addresses are in its
 * facts, not separate boxes).
 */
import { networkGraph, type GraphVertex } from '../sim/graph';
import { contains, formatCidr, formatIp, parseCidr, parseIp, type Cidr } from '../sim/ipv4';
import { routesOf, type Netns } from '../sim/netns';
import type { SimState } from '../sim/state';
import { topologyOf, type DeviceView, type MachineView } from '../sim/topology';
import { routeLine, routeOrder } from '../shell/commands/ip/show';
import type {
  HopView,
  NetworkModel,
  NetworkVertex,
  PoolInfo,
  PoolKey,
  TopoAddress,
  TopoElement,
  TopoElementKind,
  TopoGroup,
  TopoInterface,
  TopoLink,
  TopologyModel,
} from './contract';

// --------------------------------------------------------------------------- pools

interface PoolRanges {
  info: PoolInfo[];
  ranges: { key: PoolKey; cidr: Cidr }[];
}

const POOL_ORDER: PoolKey[] = ['node', 'pod', 'service', 'external'];

function poolRanges(state: SimState): PoolRanges {
  const c = state.config;
  const info: PoolInfo[] = [];
  if (Object.keys(state.k8s.nodes).length > 0) {
    info.push({ key: 'node', name: 'node network', ranges: [formatCidr(c.nodeNetwork)] });
    info.push({ key: 'pod', name: 'pod network', ranges: [formatCidr(c.podCidr)] });
    info.push({ key: 'service', name: 'service network', ranges: [formatCidr(c.serviceCidr)] });
  } else if (state.docker) {
    const nets = new Set<string>();
    for (const h of Object.values(state.docker.hosts)) {
      nets.add(formatCidr(h.network.subnet));
      for (const u of h.userNetworks ?? []) nets.add(formatCidr(u.subnet));
    }
    info.push({ key: 'node', name: 'host network', ranges: [formatCidr(c.nodeNetwork)] });
    info.push({ key: 'pod', name: 'container networks', ranges: [...nets].sort() });
  }
  info.push({ key: 'external', name: 'external', ranges: [] });
  const ranges = info.flatMap((p) => p.ranges.map((r) => ({ key: p.key, cidr: parseCidr(r)! })));
  return { info, ranges };
}

function poolOfIp(pools: PoolRanges, ip: number): PoolKey {
  // The service network is checked first: a cluster's pools do not overlap, and a narrower
  // range named later would otherwise lose to a wider one.
  for (const key of ['service', 'pod', 'node'] as const) {
    for (const r of pools.ranges) if (r.key === key && contains(r.cidr, ip)) return key;
  }
  return 'external';
}

function poolOfText(pools: PoolRanges, text: string): PoolKey {
  const ip = parseIp(text.split('/')[0] ?? '');
  return ip === undefined ? 'external' : poolOfIp(pools, ip);
}

/** `10.244.1.2 (pod network)`; a topology without pools names none. */
function withPool(pools: PoolRanges, address: string, pool: PoolKey): string {
  if (pools.ranges.length === 0) return address;
  return `${address} (${pools.info.find((p) => p.key === pool)?.name ?? pool})`;
}

// --------------------------------------------------------------------------- the picture's model

const MACHINE_KIND: Record<MachineView['kind'], TopoElementKind> = {
  node: 'node',
  pod: 'pod',
  host: 'host',
  router: 'router',
  container: 'container',
  workstation: 'workstation',
  gateway: 'gateway',
  'load-balancer': 'load-balancer',
};

const KIND_WORD: Record<TopoElementKind, string> = {
  node: 'node',
  pod: 'pod',
  host: 'host',
  router: 'router',
  container: 'container',
  workstation: 'workstation',
  gateway: 'LAN gateway',
  'load-balancer': 'cloud load balancer',
  bridge: 'bridge',
  vtep: 'VXLAN device',
  segment: 'switch segment',
  service: 'Service',
};

export const bridgeElementId = (ns: string, dev: string): string => `${ns}#${dev}`;
export const segmentElementId = (segment: string): string => `segment/${segment}`;
export const serviceElementId = (namespace: string, name: string): string => `service/${namespace}/${name}`;
export const groupId = (ns: string): string => `group/${ns}`;

/** The topology view's model of `state` now; `routes` limits the routing tables filled in to those elements. */
export function topologyModel(state: SimState, opts: { routes?: readonly string[] } = {}): TopologyModel {
  const wantRoutes = opts.routes ? new Set(opts.routes) : undefined;
  const view = topologyOf(state);
  const pools = poolRanges(state);
  const elements: TopoElement[] = [];
  const groups: TopoGroup[] = [];
  const links: TopoLink[] = [];
  const places: TopologyModel['places'] = {};
  const hostNames = new Map(view.machines.map((m) => [m.id, m.kind === 'container' ? containerName(state, m) : m.name]));
  const address = (a: string, dev: string): TopoAddress => ({ dev, cidr: a, pool: poolOfText(pools, a) });
  const iface = (d: DeviceView): TopoInterface => {
    const i: TopoInterface = { name: d.name, kind: d.kind, mac: d.mac, mtu: d.mtu, up: d.up, addrs: d.addrs.map((a) => address(a, d.name)) };
    if (d.master) i.master = d.master;
    if (d.peer) i.peer = `${d.peer.dev} in ${hostNames.get(d.peer.ns) ?? d.peer.ns}`;
    if (d.segment) i.segment = d.segment;
    if (d.vxlan) i.vxlan = `VNI ${d.vxlan.vni}, port ${d.vxlan.port}, local ${d.vxlan.local}`;
    return i;
  };
  const byIp = new Map<string, string>();
  const dockerHosts = new Set(Object.values(state.docker?.hosts ?? {}).map((h) => h.ns));

  for (const m of view.machines) {
    const ns = state.netns[m.id]!;
    const kind = MACHINE_KIND[m.kind];
    const main = mainDevice(m);
    const grouped = kind === 'node' || dockerHosts.has(m.id);
    const group = grouped ? groupId(m.id) : m.parent && (m.parent.startsWith('node/') || dockerHosts.has(m.parent)) ? groupId(m.parent) : undefined;
    const addresses = m.devices.filter((d) => d.kind !== 'loopback').flatMap((d) => d.addrs.map((a) => address(a, d.name)));
    const first = main?.addrs[0];
    const name = hostNames.get(m.id) ?? m.name;
    const facts = machineFacts(state, m, pools);
    const up = main ? main.up && (main.peer ? peerUp(view.machines, main) : true) : true;
    const el: TopoElement = {
      id: m.id,
      kind,
      name,
      up,
      title: '',
      details: { addresses, interfaces: m.devices.map(iface), facts },
    };
    if (!wantRoutes || wantRoutes.has(m.id)) el.details.routes = routeLines(state, ns);
    if (first) {
      el.address = first.split('/')[0]!;
      el.pool = poolOfText(pools, first);
    }
    if (group) el.group = group;
    const notReady = kind === 'node' ? nodeNotReady(state, m.name) : undefined;
    if (!up) el.status = 'down';
    else if (notReady) el.status = notReady;
    el.title = titleOf(el, pools, m.kind === 'pod' && m.parent ? `on ${m.parent.slice('node/'.length)}` : m.kind === 'container' && m.parent ? `on ${m.parent.slice('host/'.length)}` : undefined);
    elements.push(el);
    for (const a of addresses) if (!byIp.has(a.cidr.split('/')[0]!)) byIp.set(a.cidr.split('/')[0]!, m.id);
    const place: TopologyModel['places'][string] = { element: m.id };
    places[m.id] = place;
    if (grouped) groups.push({ id: groupId(m.id), kind: kind === 'node' ? 'node' : 'host', name, up, members: [m.id] });

    // Bridges and VTEPs: elements of their own inside the machine's group.
    for (const d of m.devices) {
      if (d.kind !== 'bridge' && d.kind !== 'vxlan') continue;
      const id = bridgeElementId(m.id, d.name);
      const ports = m.devices.filter((p) => p.master === d.name);
      const sub: TopoElement = {
        id,
        kind: d.kind === 'bridge' ? 'bridge' : 'vtep',
        name: d.name,
        up: d.up,
        title: '',
        details: {
          addresses: d.addrs.map((a) => address(a, d.name)),
          interfaces: [d, ...ports].map(iface),
          facts: [{ name: 'On', value: name }, ...(d.kind === 'bridge' ? [{ name: 'Ports', value: ports.length ? ports.map((p) => (p.peer ? `${p.name} (to ${hostNames.get(p.peer.ns) ?? p.peer.ns})` : p.name)).join(', ') : 'none' }] : [{ name: 'VXLAN', value: iface(d).vxlan ?? '' }])],
        },
      };
      if (d.addrs[0]) {
        sub.address = d.addrs[0].split('/')[0]!;
        sub.pool = poolOfText(pools, d.addrs[0]);
      }
      if (grouped) sub.group = groupId(m.id);
      if (!d.up) sub.status = 'down';
      sub.title = titleOf(sub, pools, `on ${name}`);
      elements.push(sub);
      place.devices ??= {};
      place.devices[d.name] = id;
      for (const p of ports) place.devices[p.name] = id;
      links.push({ id: `${d.kind === 'bridge' ? 'bridge' : 'vtep'}/${id}`, kind: d.kind === 'bridge' ? 'bridge' : 'vtep', a: id, b: m.id, aDev: d.name, up: d.up, label: d.kind === 'bridge' ? `${d.name}: the bridge's own port into ${name}'s stack` : `${d.name}: ${name}'s stack sends and receives tunnelled frames through it` });
    }
  }

  // Pods the API has but whose sandbox is not made yet: a box without an address, on their node once scheduled.
  let settling = false;
  for (const pod of Object.values(state.k8s.pods)) {
    if (pod.spec.hostNetwork) continue;
    const ns = pod.metadata.namespace ?? 'default';
    const id = `pod/${ns}/${pod.metadata.name}`;
    if (places[id] || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
    settling = true;
    const node = pod.spec.nodeName;
    const group = node !== undefined && groups.some((g) => g.id === groupId(`node/${node}`)) ? groupId(`node/${node}`) : undefined;
    const el: TopoElement = {
      id,
      kind: 'pod',
      name: pod.metadata.name,
      up: true,
      status: node === undefined ? 'Pending: not scheduled' : 'Pending',
      title: '',
      details: {
        addresses: [],
        interfaces: [],
        facts: [
          { name: 'Pod', value: `${ns}/${pod.metadata.name}` },
          { name: 'Runs on', value: node ?? 'no node yet' },
          { name: 'Phase', value: pod.status.phase ?? 'Pending' },
          { name: 'Network', value: 'none yet: the kubelet has not made its sandbox (network namespace, veth pair, address)' },
        ],
      },
    };
    if (group) el.group = group;
    el.title = titleOf(el, pools, node !== undefined ? `on ${node}` : undefined);
    elements.push(el);
  }

  // Every part joins its machine's group (pods and containers may come before their node in id order).
  for (const e of elements) {
    if (!e.group) continue;
    const g = groups.find((x) => x.id === e.group);
    if (g && !g.members.includes(e.id)) g.members.push(e.id);
  }

  // Segments.
  const segmentNet = new Map<string, string>();
  for (const m of view.machines) {
    for (const d of m.devices) if (d.segment && d.addrs[0] && !segmentNet.has(d.segment)) segmentNet.set(d.segment, networkOf(d.addrs[0]));
  }
  for (const seg of view.segments) {
    const id = segmentElementId(seg);
    const attached = view.links.filter((l) => l.kind === 'cable' && l.segment === seg).map((l) => (l.kind === 'cable' ? `${hostNames.get(l.a.ns) ?? l.a.ns} ${l.a.dev}` : ''));
    const net = segmentNet.get(seg);
    const el: TopoElement = { id, kind: 'segment', name: seg, up: true, title: '', details: { addresses: [], interfaces: [], facts: [{ name: 'Cabled to it', value: attached.join(', ') || 'nothing' }] } };
    if (net) {
      el.address = net;
      el.pool = poolOfText(pools, net);
      el.details.facts.unshift({ name: 'Network', value: withPool(pools, net, el.pool) });
    }
    el.title = titleOf(el, pools);
    elements.push(el);
  }

  // Links between machines.
  const deviceOf = (ns: string, dev: string): DeviceView | undefined => view.machines.find((m) => m.id === ns)?.devices.find((d) => d.name === dev);
  const machineById = new Map(view.machines.map((m) => [m.id, m]));
  const endOf = (ns: string, dev: string): string => {
    const d = machineById.get(ns)?.devices.find((x) => x.name === dev);
    return d?.master && places[ns]?.devices?.[d.master] ? places[ns]!.devices![d.master]! : ns;
  };
  for (const l of view.links) {
    if (l.kind === 'cable') {
      const d = machineById.get(l.a.ns)?.devices.find((x) => x.name === l.a.dev);
      links.push({ id: `cable/${l.a.ns}#${l.a.dev}`, kind: 'cable', a: endOf(l.a.ns, l.a.dev), b: segmentElementId(l.segment), aDev: l.a.dev, up: d?.up ?? true, label: `${l.a.dev} of ${hostNames.get(l.a.ns) ?? l.a.ns} to ${l.segment}` });
    } else if (l.kind === 'veth') {
      // The workload's end first: a pod's or container's eth0, then the host's end.
      const [x, y] = isWorkload(l.b.ns) && !isWorkload(l.a.ns) ? [l.b, l.a] : [l.a, l.b];
      const dx = machineById.get(x.ns)?.devices.find((d) => d.name === x.dev);
      const dy = machineById.get(y.ns)?.devices.find((d) => d.name === y.dev);
      links.push({ id: `veth/${x.ns}#${x.dev}`, kind: 'veth', a: endOf(x.ns, x.dev), b: endOf(y.ns, y.dev), aDev: x.dev, bDev: y.dev, up: (dx?.up ?? true) && (dy?.up ?? true), label: `veth pair: ${x.dev} in ${hostNames.get(x.ns) ?? x.ns}, ${y.dev} in ${hostNames.get(y.ns) ?? y.ns}` });
    } else {
      const da = deviceOf(l.a.ns, l.a.dev);
      const db = deviceOf(l.b.ns, l.b.dev);
      links.push({ id: `tunnel/${l.a.ns}#${l.a.dev}--${l.b.ns}#${l.b.dev}`, kind: 'tunnel', a: bridgeElementId(l.a.ns, l.a.dev), b: bridgeElementId(l.b.ns, l.b.dev), aDev: l.a.dev, bDev: l.b.dev, up: (da?.up ?? true) && (db?.up ?? true), label: `VXLAN tunnel: ${l.a.dev} of ${hostNames.get(l.a.ns) ?? l.a.ns} (${da?.vxlan?.local ?? ''}), ${l.b.dev} of ${hostNames.get(l.b.ns) ?? l.b.ns} (${db?.vxlan?.local ?? ''}), carried by the LAN` });
    }
  }

  // Services: virtual boxes linked to their ready endpoints.
  for (const s of view.services) {
    const id = serviceElementId(s.namespace, s.name);
    const svc = state.k8s.services[`${s.namespace}/${s.name}`];
    const lb = (svc?.status.loadBalancer.ingress ?? []).map((i) => i.ip).filter((x): x is string => !!x);
    const pool = s.clusterIP ? poolOfText(pools, s.clusterIP) : 'service';
    const el: TopoElement = {
      id,
      kind: 'service',
      name: s.name,
      up: s.endpoints.length > 0,
      title: '',
      details: {
        addresses: s.clusterIP && s.clusterIP !== 'None' ? [{ dev: 'ClusterIP', cidr: `${s.clusterIP}/32`, pool }] : [],
        interfaces: [],
        facts: [
          { name: 'Namespace', value: s.namespace },
          { name: 'Type', value: s.type },
          { name: 'ClusterIP', value: s.clusterIP ? (s.clusterIP === 'None' ? 'None (headless)' : withPool(pools, s.clusterIP, pool)) : 'none' },
          { name: 'Ports', value: s.ports || 'none' },
          ...(lb.length ? [{ name: 'Load balancer', value: lb.join(', ') }] : []),
          { name: 'Ready endpoints', value: s.endpoints.length ? s.endpoints.map((e) => withPool(pools, e, poolOfText(pools, e))).join(', ') : 'none' },
          { name: 'Where it lives', value: 'on no machine: kube-proxy\'s rules on every node rewrite its address to an endpoint\'s' },
        ],
      },
    };
    if (s.clusterIP && s.clusterIP !== 'None') {
      el.address = s.clusterIP;
      el.pool = pool;
    }
    if (!el.up) el.status = 'no endpoints';
    el.title = titleOf(el, pools, s.namespace !== 'default' ? `in ${s.namespace}` : undefined);
    elements.push(el);
    for (const e of [...new Set(s.endpoints)]) {
      const target = byIp.get(e);
      if (target) links.push({ id: `endpoint/${id}--${target}`, kind: 'endpoint', a: id, b: target, up: true, label: `Service ${s.name} sends to its endpoint ${e} (${hostNames.get(target) ?? target})` });
    }
  }

  return { name: view.name, pools: pools.info, elements, groups, links, structureKey: structureKey(elements, groups, links), settling, places };
}

function isWorkload(ns: string): boolean {
  return ns.startsWith('pod/') || ns.startsWith('container/');
}

/** The interface a machine is drawn by: eth0, else its first non-loopback interface with an address. */
function mainDevice(m: MachineView): DeviceView | undefined {
  return m.devices.find((d) => d.name === 'eth0') ?? m.devices.find((d) => d.kind !== 'loopback' && d.addrs.length > 0);
}

function peerUp(machines: MachineView[], d: DeviceView): boolean {
  if (!d.peer) return true;
  return machines.find((m) => m.id === d.peer!.ns)?.devices.find((x) => x.name === d.peer!.dev)?.up ?? false;
}

function containerName(state: SimState, m: MachineView): string {
  const host = m.parent?.slice('host/'.length) ?? '';
  return state.docker?.hosts[host]?.containers.find((c) => c.ns === m.id)?.name ?? m.name;
}

function nodeNotReady(state: SimState, name: string): string | undefined {
  const ready = state.k8s.nodes[name]?.status.conditions.find((c) => c.type === 'Ready');
  return ready && ready.status !== 'True' ? 'NotReady' : undefined;
}

function networkOf(cidr: string): string {
  const c = parseCidr(cidr, true);
  if (!c) return cidr;
  const mask = c.len === 0 ? 0 : (0xffffffff << (32 - c.len)) >>> 0;
  return `${formatIp((c.addr & mask) >>> 0)}/${c.len}`;
}

function routeLines(state: SimState, ns: Netns): string[] {
  return [...routesOf(ns, state)].sort(routeOrder).map((r) => routeLine(state.netns, ns, r).trimEnd());
}

function machineFacts(state: SimState, m: MachineView, pools: PoolRanges): { name: string; value: string }[] {
  const facts: { name: string; value: string }[] = [];
  if (m.kind === 'node') {
    const node = state.k8s.nodes[m.name];
    if (node?.spec.podCIDR) facts.push({ name: 'Pod CIDR', value: withPool(pools, node.spec.podCIDR, poolOfText(pools, node.spec.podCIDR)) });
    const ready = node?.status.conditions.find((c) => c.type === 'Ready');
    if (ready) facts.push({ name: 'Ready', value: ready.status === 'True' ? 'yes' : `no (${ready.reason})` });
    if (m.hostNetworkPods?.length) facts.push({ name: 'hostNetwork pods (share its addresses)', value: m.hostNetworkPods.join(', ') });
  }
  if (m.kind === 'pod' && m.pod) {
    const pod = state.k8s.pods[`${m.pod.namespace}/${m.pod.name}`];
    facts.push({ name: 'Pod', value: `${m.pod.namespace}/${m.pod.name}` });
    if (pod?.spec.nodeName) facts.push({ name: 'Runs on', value: pod.spec.nodeName });
    if (pod?.status.phase) facts.push({ name: 'Phase', value: pod.status.phase });
    const labels = Object.entries(pod?.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    if (labels.length) facts.push({ name: 'Labels', value: labels.join(', ') });
  }
  if (m.kind === 'container') {
    const host = m.parent?.slice('host/'.length) ?? '';
    const c = state.docker?.hosts[host]?.containers.find((x) => x.ns === m.id);
    if (c) {
      facts.push({ name: 'Container', value: `${c.name} (${c.id.slice(0, 12)})` });
      facts.push({ name: 'Image', value: c.image });
      facts.push({ name: 'Runs on', value: host });
    }
  }
  facts.push({ name: 'IP forwarding', value: m.forwards ? 'on: it routes packets not addressed to it' : 'off' });
  return facts;
}

function titleOf(e: TopoElement, pools: PoolRanges, where?: string): string {
  const addr = e.address && e.pool ? `, ${withPool(pools, e.address, e.pool)}` : '';
  const status = e.status ? `, ${e.status}` : '';
  return `${named(KIND_WORD[e.kind], e.name)}${where ? ` ${where}` : ''}${addr}${status}`;
}

/** `pod client`, but `workstation` and `LAN gateway` rather than `workstation workstation` and `LAN gateway gateway`. */
export function named(kind: string, name: string): string {
  return kind === name || kind.endsWith(` ${name}`) ? kind : `${kind} ${name}`;
}

/** The word the view uses for a kind of element: `pod`, `bridge`, `VXLAN device`. */
export function kindWord(kind: TopoElementKind): string {
  return KIND_WORD[kind];
}

/** A short, stable digest of a list of strings (two 32-bit FNV-1a style hashes over them all, and the count). */
function digest(parts: Iterable<string>): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  let n = 0;
  for (const text of parts) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h1 = Math.imul(h1 ^ 10, 0x01000193);
    h2 = Math.imul(h2 ^ 10, 0x5bd1e995);
    n++;
  }
  return `${n.toString(36)}-${(h1 >>> 0).toString(36)}-${(h2 >>> 0).toString(36)}`;
}

function* structureParts(elements: TopoElement[], groups: TopoGroup[], links: TopoLink[]): Generator<string> {
  // A box's size depends on its name and on whether it shows an address, so those are structure too.
  for (const e of elements) {
    yield e.kind;
    yield e.id;
    yield e.name;
    yield e.group ?? '';
    yield e.address === undefined ? '' : 'a';
  }
  for (const g of groups) yield g.id;
  // A link's id names its ends.
  for (const l of links) yield l.id;
}

function structureKey(elements: TopoElement[], groups: TopoGroup[], links: TopoLink[]): string {
  return digest(structureParts(elements, groups, links));
}

// --------------------------------------------------------------------------- the network model

/** The network model of `state` now: graph.ts's vertices, edges and tables, each address with its pool. */
export function networkModel(state: SimState): NetworkModel {
  const g = networkGraph(state);
  const pools = poolRanges(state);
  const vertices: NetworkVertex[] = g.vertices.map((v: GraphVertex) => ({
    ...v,
    addresses: v.addresses.map((a) => (a.ip !== undefined ? { ...a, pool: poolOfText(pools, a.ip) } : { ...a })),
  }));
  // What a box shows of a vertex besides its addresses: its name (a segment's label), and whether it has an address.
  const key = digest([...g.vertices.map((v) => `v:${v.id}:${v.kind}:${v.node ?? ''}:${v.role === 'segment' ? v.label : v.name}:${v.addresses.some((a) => a.ip !== undefined)}`), ...g.edges.map((e) => `e:${e.id}`)]);
  return { pools: pools.info, vertices, edges: g.edges, nodes: g.nodes, structureKey: key };
}

// --------------------------------------------------------------------------- a packet's way

/** A packet's way on the picture: what to highlight, and the same in words. */
export interface PacketOverlay {
  /** The elements (or vertices) it passed, in the order first reached. */
  elements: string[];
  links: string[];
  /** Its steps, ARP left out, each placed on an element where it can be. */
  steps: { element?: string; host: string; dev?: string; action: string; detail: string }[];
}

interface OverlayGraph {
  links: { id: string; a: string; b: string; kind: string }[];
  /** Where a hop happens. */
  place(h: HopView): string | undefined;
  /** The segment a frame sent by `place` out of `dev` is switched on. */
  segment(place: string, dev: string | undefined): string | undefined;
  /** The element that holds an address (a pod's, a node's). */
  holder(ip: string): string | undefined;
  /** The element of a Service address. */
  service(ip: string): string | undefined;
}

const isArp = (h: HopView): boolean => h.action.startsWith('arp-') || h.headers.some((l) => l.name === 'ARP');

function overlay(g: OverlayGraph, hops: HopView[]): PacketOverlay {
  const data = hops.filter((h) => !isArp(h));
  const adj = new Map<string, { id: string; to: string; kind: string }[]>();
  for (const l of g.links) {
    if (l.kind === 'tunnel' || l.kind === 'endpoint') continue;
    (adj.get(l.a) ?? adj.set(l.a, []).get(l.a)!).push({ id: l.id, to: l.b, kind: l.kind });
    (adj.get(l.b) ?? adj.set(l.b, []).get(l.b)!).push({ id: l.id, to: l.a, kind: l.kind });
  }
  const elements: string[] = [];
  const links = new Set<string>();
  const seen = (e: string | undefined): void => {
    if (e !== undefined && !elements.includes(e)) elements.push(e);
  };
  /** The direct link between x and y, or a two-link way through one element. */
  const join = (x: string, y: string): void => {
    const direct = adj.get(x)?.find((l) => l.to === y);
    if (direct) {
      links.add(direct.id);
      return;
    }
    for (const l of adj.get(x) ?? []) {
      const second = adj.get(l.to)?.find((m) => m.to === y);
      if (second) {
        links.add(l.id);
        links.add(second.id);
        seen(l.to);
        return;
      }
    }
  };
  const steps: PacketOverlay['steps'] = [];
  let prev: string | undefined;
  let encap: string | undefined;
  for (const h of data) {
    const at = g.place(h);
    steps.push({ ...(at !== undefined ? { element: at } : {}), host: h.host, ...(h.dev !== undefined ? { dev: h.dev } : {}), action: h.action, detail: h.detail });
    if (at === undefined) continue;
    if (prev !== undefined && prev !== at) join(prev, at);
    seen(at);
    prev = at;
    if (h.action === 'vxlan-encap') encap = at;
    if (h.action === 'vxlan-decap' && encap !== undefined) {
      const t = g.links.find((l) => l.kind === 'tunnel' && ((l.a === encap && l.b === at) || (l.a === at && l.b === encap)));
      if (t) links.add(t.id);
      encap = undefined;
    }
    if (h.action === 'switch') {
      const seg = g.segment(at, h.dev);
      if (seg !== undefined) {
        join(at, seg);
        seen(seg);
        prev = seg;
      }
    }
    if (h.action === 'dnat' && h.nat) {
      const svc = g.service(h.nat.before.dst);
      const to = g.holder(h.nat.after.dst);
      if (svc !== undefined) {
        seen(svc);
        const l = g.links.find((x) => x.kind === 'endpoint' && x.a === svc && x.b === to);
        if (l) links.add(l.id);
      }
    }
  }
  return { elements, links: [...links], steps };
}

/** The packet whose hops are `hops` on the topology view's model. */
export function packetOverlay(model: TopologyModel, hops: HopView[]): PacketOverlay {
  const byAddress = new Map<string, string>();
  const services = new Map<string, string>();
  for (const e of model.elements) {
    if (e.kind === 'service') {
      if (e.address) services.set(e.address, e.id);
      continue;
    }
    for (const a of e.details.addresses) {
      const ip = a.cidr.split('/')[0]!;
      if (!byAddress.has(ip)) byAddress.set(ip, e.id);
    }
  }
  return overlay(
    {
      links: model.links,
      place: (h) => {
        const p = model.places[h.ns];
        if (!p) return undefined;
        const onDevice = h.dev !== undefined ? p.devices?.[h.dev] : undefined;
        switch (h.action) {
          case 'bridge-forward':
          case 'bridge-flood':
          case 'vxlan-encap':
          case 'vxlan-decap':
          case 'veth':
            return onDevice ?? p.element;
          default:
            return p.element;
        }
      },
      segment: (place, dev) => {
        const l = model.links.find((x) => x.kind === 'cable' && x.a === place && x.aDev === dev);
        return l?.b;
      },
      holder: (ip) => byAddress.get(ip),
      service: (ip) => services.get(ip),
    },
    hops,
  );
}

/** The packet whose hops are `hops` on the network model: its processes, switches and links. */
export function networkOverlay(model: NetworkModel, hops: HopView[]): PacketOverlay {
  const byNs = new Map<string, NetworkVertex[]>();
  for (const v of model.vertices) if (v.ns !== undefined) (byNs.get(v.ns) ?? byNs.set(v.ns, []).get(v.ns)!).push(v);
  const ports = new Map<string, string>();
  for (const e of model.edges) {
    for (const end of [e.a, e.b]) {
      const v = model.vertices.find((x) => x.id === end.vertex);
      if (v?.role === 'bridge' && end.dev !== undefined && v.ns !== undefined) ports.set(`${v.ns}\0${end.dev}`, v.id);
    }
  }
  const holder = (ip: string): string | undefined => model.vertices.find((v) => v.kind === 'process' && v.addresses.some((a) => a.ip === ip))?.id;
  return overlay(
    {
      links: model.edges.map((e) => ({ id: e.id, a: e.a.vertex, b: e.b.vertex, kind: e.kind })),
      place: (h) => {
        const vs = byNs.get(h.ns);
        if (!vs?.length) return undefined;
        if (vs.length === 1) return vs[0]!.id;
        if (h.dev !== undefined && ['bridge-forward', 'bridge-flood', 'veth'].includes(h.action)) {
          const br = vs.find((v) => v.role === 'bridge' && v.name === h.dev)?.id ?? ports.get(`${h.ns}\0${h.dev}`);
          if (br) return br;
        }
        const process = vs.find((v) => v.kind === 'process');
        if (process && ['send', 'reply', 'deliver'].includes(h.action) && process.role === 'node') return process.id;
        return (vs.find((v) => v.role === 'router') ?? process ?? vs[0]!).id;
      },
      segment: (place, dev) => {
        const e = model.edges.find((x) => x.kind === 'ether' && x.a.vertex === place && x.a.dev === dev);
        return e?.b.vertex;
      },
      holder,
      service: () => undefined,
    },
    hops,
  );
}

/** The pools in the legend's order. */
export function poolOrder(a: PoolKey, b: PoolKey): number {
  return POOL_ORDER.indexOf(a) - POOL_ORDER.indexOf(b);
}
