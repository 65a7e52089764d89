/**
 * The cluster as a graph of processes and switches, each switch with a forwarding table.
 *
 * Design notes: this is the conceptual view lesson 9 ("network-model") teaches, computed from
 * the same SimState the packet engine (forward.ts) runs on, so the picture never disagrees
 * with what packets do.
 *
 * Vertices. A *process* is where messages start and end: each pod's network namespace
 * (`K8s-Pod(<namespace>/<name>)`, all its containers share it), each node's host processes
 * (`K8s-Node(<name>)`: kubelet and every hostNetwork pod, such as kube-proxy and flannel), and
 * the LAN router (`gateway`, where the simulated world ends). A *switch* moves messages on:
 * each Linux bridge (`<node>/cni0`) and the LAN segment (`lan`) switch frames by destination
 * MAC; each node's IP forwarding (`<node>/router`) switches packets by destination prefix. A
 * node's root namespace is therefore two vertices: its processes and its router, joined by a
 * `local` link (the host stack).
 *
 * Edges are the links between them, with the device at each end and the MTU: veth pairs (pod
 * eth0 <-> a bridge port), the bridge's own IP interface (bridge <-> node router, device
 * cni0 at both ends), cables into the LAN (eth0 <-> a switch port) and flannel's VXLAN
 * tunnels. The overlay is drawn as one logical link per pair of nodes (flannel.1 <-> flannel.1)
 * rather than as an `overlay` switch: with learning off, flannel programs on every node one
 * route, one permanent neighbour and one FDB entry per remote node, which is a full mesh of
 * point-to-point tunnels, and each node's FDB is its own, so one shared overlay switch would
 * merge tables that no single device has. A tunnel link is carried by the LAN: following it,
 * pathOf follows the outer packet from the local node router to the remote VTEP (shown as the
 * step's `underlay`), so breaking a node's cable breaks its tunnels too.
 *
 * Tables. Every vertex has a table read top to bottom, first match wins; entries `deliver`
 * (hand the message up to a process), `forward` (send it over a link to the next vertex) or
 * `discard`. Routers list the kernel's local table first (one /32 per own address, then
 * 127.0.0.0/8), then the main table in longest-prefix order: connected routes forward to the
 * switch on that device (ARP for the destination), routes via a gateway forward to the switch
 * where the gateway answers ARP, routes over flannel.1 forward through the tunnel to the
 * remote node router (resolved through the neighbour and FDB entries, as the kernel does),
 * blackholes discard, and without a default route a final `*` entry discards ("network
 * unreachable"). Routes whose device is down are left out, as lookupRoute skips them.
 * Bridges list their own MAC first (deliver: up to the node's stack), then every FDB entry
 * (forward to the port's far end), then `*`: flood an unknown MAC to every port. The LAN lists
 * its learned FDB and the flood. FDBs are what the state has learned so far: a freshly built
 * cluster floods, and the frame still reaches the one port whose owner has the MAC. Processes
 * carry their own sending table (their namespace's routes, which decide whether a pod ARPs
 * for the destination or for its gateway); a process that does not forward (ip_forward off)
 * discards what is not addressed to it. `K8s-Node` sends everything through its router.
 *
 * Any other namespace (the workstation, the cloud load balancer, a Docker host and its
 * containers) is a process with its own table; one that forwards (ip_forward on) also passes
 * on what is not addressed to it, and its bridges are switches like cni0.
 *
 * Routers and processes also carry their neighbour (ARP) table, as `ip neigh` lists it.
 *
 * pathOf follows the tables hop by hop: a router's forward needs the next hop's MAC, which
 * the neighbour table holds when it has a valid entry (the frame then goes to that MAC with
 * no question asked, even if its owner is gone or behind a link that is down, and the switch
 * further on is where it is lost), and which pathOf otherwise finds as ARP does, by asking
 * every interface on the far switch (so a down link makes ARP fail: "no ARP reply", as the
 * engine reports). Routers decrement TTL on transit traffic. A tunnel needs only the
 * sender's VTEP up: with the far one down the outer packet still crosses the LAN and dies
 * on arrival. `down` cuts links by id: a forward over a cut link ends in discard.
 *
 * pathVertices lists the vertices of a path with each tunnel's outer packet spelled out
 * (`node-2/router lan node-1/router`), as a learner writes a path down; decidingSteps pairs
 * each of them with the step that sent the message on. tracePath reads the same list off a
 * trace of the packet engine, so a prediction made from the tables can be compared with
 * what the packet did: the graph's tests check that both agree, healthy and with links
 * down, cold and warm.
 *
 * Left out: iptables (kube-proxy's DNAT of Service addresses, filter rules, masquerade: a
 * ClusterIP is in no table, and pathOf says so), MTU checks, policy routing. Neighbour
 * entries are read as the state holds them, not aged to the present (an entry whose timer
 * would have made it FAILED by now still counts as valid).
 */
import { contains, formatCidr, formatIp, parseCidr, parseIp, type Cidr, type Ip } from './ipv4';
import type { Mac } from './mac';
import { isValid } from './neigh';
import { deviceByIndex, deviceByName, lookupNeighbour, lookupVxlanFdb, neighboursOf, routesOf, type Device, type Netns, type NudState, type Route } from './netns';
import type { Hop, TraceResult } from './forward';
import type { SimState } from './state';

export type VertexKind = 'process' | 'switch';
/** pod, node (host processes), gateway (the LAN router), host (any other namespace); router, bridge, segment. */
export type VertexRole = 'pod' | 'node' | 'gateway' | 'host' | 'router' | 'bridge' | 'segment';
export type ForwardAction = 'deliver' | 'forward' | 'discard';
export type EdgeKind = 'veth' | 'bridge' | 'ether' | 'tunnel' | 'local';

export interface VertexAddress {
  dev: string;
  mac: Mac;
  /** Dotted quad, absent for a device without an IP (a bridge). */
  ip?: string;
  len?: number;
}

export interface ForwardingEntry {
  /** A prefix (`10.244.1.0/24`, `default`) for routers and processes, a MAC for bridges and the LAN, `*` for anything else. */
  match: string;
  action: ForwardAction;
  /** The vertex the message goes to next (absent for discard and flood). */
  via?: string;
  /** The link it takes. */
  edge?: string;
  /** Routers: the address whose MAC the frame is sent to (absent: the destination itself). */
  nextHop?: string;
  /** Tunnels: the remote VTEP (the outer packet's destination) and the frame's destination MAC. */
  vtep?: string;
  dstMac?: Mac;
  /** Bridges and the LAN: an unknown MAC goes out of every port. */
  flood?: true;
  note?: string;
}

export interface GraphVertex {
  id: string;
  kind: VertexKind;
  role: VertexRole;
  /** What a picture writes under the vertex: `client 10.244.1.3`, `node-1 192.168.49.3`. */
  label: string;
  /** The pod, node or device name. */
  name: string;
  /** The node the vertex lives on (absent for the LAN and the gateway). */
  node?: string;
  /** The network namespace it stands for (absent for the LAN segment). */
  ns?: string;
  addresses: VertexAddress[];
  /** Routers and processes: whether they forward packets not addressed to them (ip_forward). */
  forwards?: boolean;
  /** K8s-Node: the hostNetwork pods running as the node's processes. */
  hostProcesses?: string[];
  table: ForwardingEntry[];
  /**
   * Routers and processes: the neighbour (ARP) table, as `ip neigh` lists it. A valid entry
   * gives the MAC a frame for that address goes to without asking ARP first.
   */
  neighbours?: GraphNeighbour[];
}

export interface GraphNeighbour {
  dev: string;
  /** Dotted quad. */
  ip: string;
  mac: Mac;
  /** The NUD state: REACHABLE, STALE, DELAY, PROBE, PERMANENT and NOARP are valid; INCOMPLETE and FAILED are not. */
  state: NudState;
}

export interface EdgeEnd {
  vertex: string;
  /** The device at this end (`port<i>` on the LAN; absent for the host stack). */
  dev?: string;
  /** The device at this end is down (the link's `up` is false then). */
  down?: true;
}

export interface GraphEdge {
  id: string;
  kind: EdgeKind;
  a: EdgeEnd;
  b: EdgeEnd;
  mtu: number;
  /** False when a device at either end is down. */
  up: boolean;
  /** Tunnels: the VTEP addresses of a and b (the outer packet's ends). */
  vteps?: [string, string];
}

export interface NetworkGraph {
  vertices: GraphVertex[];
  edges: GraphEdge[];
  /** Node names in cluster order. */
  nodes: string[];
  pools: { nodes: string; pods: string; services: string };
}

export interface PathStep {
  vertex: string;
  /** The table entry that decided (a synthetic one when none did, e.g. a frame not addressed here). */
  entry: ForwardingEntry;
  /** What happened: the entry's action, or discard when its link is down or ARP gets no answer. */
  action: ForwardAction;
  /** The link taken to the next vertex. */
  edge?: string;
  /** The message's TTL on arriving here. */
  ttl: number;
  /** Tunnels: the outer packet's path over the LAN. */
  underlay?: PathStep[];
  note?: string;
}

export interface GraphPath {
  steps: PathStep[];
  outcome: 'delivered' | 'discarded';
  note?: string;
}

// --------------------------------------------------------------------------- ids

export function nodeVertexId(node: string): string {
  return `K8s-Node(${node})`;
}

export function podVertexId(namespace: string, name: string): string {
  return `K8s-Pod(${namespace}/${name})`;
}

export function routerVertexId(node: string): string {
  return `${node}/router`;
}

export const GATEWAY_VERTEX = 'gateway';

function endText(e: EdgeEnd): string {
  return e.dev === undefined ? e.vertex : `${e.vertex}[${e.dev}]`;
}

// --------------------------------------------------------------------------- building

interface NsInfo {
  ns: Netns;
  role: 'node' | 'pod' | 'gateway' | 'host';
  /** Node name for nodes and pods. */
  node?: string;
  /** The vertex holding the namespace's IP stack (router for nodes). */
  stack: string;
}

/** The conceptual graph of the sandbox's current state. */
export function networkGraph(state: SimState): NetworkGraph {
  return new Builder(state).build();
}

class Builder {
  private readonly vertices: GraphVertex[] = [];
  private readonly edges: GraphEdge[] = [];
  private readonly info = new Map<string, NsInfo>();
  private readonly nodes: string[] = [];

  constructor(private readonly state: SimState) {}

  build(): NetworkGraph {
    this.classify();
    this.addVertices();
    this.addEdges();
    for (const v of this.vertices) v.table = this.tableOf(v);
    const c = this.state.config;
    return {
      vertices: this.vertices,
      edges: this.edges,
      nodes: this.nodes,
      pools: { nodes: formatCidr(c.nodeNetwork), pods: formatCidr(c.podCidr), services: formatCidr(c.serviceCidr) },
    };
  }

  private classify(): void {
    const k8sNodes = Object.keys(this.state.k8s.nodes);
    for (const n of k8sNodes) if (this.state.netns[`node/${n}`]) this.nodes.push(n);
    for (const id of Object.keys(this.state.netns)) {
      if (id.startsWith('node/') && !this.nodes.includes(id.slice(5))) this.nodes.push(id.slice(5));
    }
    for (const ns of Object.values(this.state.netns)) {
      if (ns.id.startsWith('node/')) {
        const node = ns.id.slice(5);
        this.info.set(ns.id, { ns, role: 'node', node, stack: routerVertexId(node) });
      } else if (ns.id.startsWith('pod/')) {
        const [, namespace = '', name = ''] = ns.id.split('/');
        const node = this.podNode(ns, namespace, name);
        this.info.set(ns.id, { ns, role: 'pod', ...(node !== undefined ? { node } : {}), stack: podVertexId(namespace, name) });
      } else if (ns.id === 'router') {
        this.info.set(ns.id, { ns, role: 'gateway', stack: GATEWAY_VERTEX });
      } else {
        this.info.set(ns.id, { ns, role: 'host', stack: ns.id });
      }
    }
  }

  /** The node a pod runs on: where its veth's peer lives, else what the API says. */
  private podNode(ns: Netns, namespace: string, name: string): string | undefined {
    for (const d of ns.devices) if (d.peer?.ns.startsWith('node/')) return d.peer.ns.slice(5);
    return this.state.k8s.pods[`${namespace}/${name}`]?.spec.nodeName;
  }

  private addVertices(): void {
    const pods = [...this.info.values()].filter((i) => i.role === 'pod');
    for (const node of this.nodes) {
      const ns = this.state.netns[`node/${node}`]!;
      const hostProcesses = Object.values(this.state.k8s.pods)
        .filter((p) => p.spec.hostNetwork && p.spec.nodeName === node)
        .map((p) => p.metadata.name)
        .sort();
      const addrs = stackAddresses(ns);
      const ip = addrs.find((a) => a.dev === 'eth0' && a.ip)?.ip ?? addrs.find((a) => a.ip)?.ip;
      this.vertex({
        id: nodeVertexId(node),
        kind: 'process',
        role: 'node',
        label: ip !== undefined ? `${node} ${ip}` : node,
        name: node,
        node,
        ns: ns.id,
        addresses: addrs,
        forwards: false,
        hostProcesses,
      });
      this.vertex({ id: routerVertexId(node), kind: 'switch', role: 'router', label: `${node}'s IP forwarding`, name: 'router', node, ns: ns.id, addresses: addrs, forwards: ns.ipForward, neighbours: this.neighbours(ns) });
      for (const br of ns.devices.filter((d) => d.kind === 'bridge')) {
        this.vertex({ id: `${node}/${br.name}`, kind: 'switch', role: 'bridge', label: `bridge ${br.name}`, name: br.name, node, ns: ns.id, addresses: [{ dev: br.name, mac: br.mac }] });
      }
      const here = pods.filter((p) => p.node === node).sort((a, b) => podIp(a.ns) - podIp(b.ns) || cmp(a.ns.id, b.ns.id));
      for (const p of here) this.podVertex(p);
    }
    for (const p of pods.filter((x) => x.node === undefined || !this.nodes.includes(x.node))) this.podVertex(p);
    for (const seg of Object.values(this.state.segments)) {
      const lan = seg.id === 'lan' ? ` ${formatCidr(this.state.config.nodeNetwork)}` : '';
      this.vertex({ id: seg.id, kind: 'switch', role: 'segment', label: `LAN${lan}`, name: seg.id, addresses: [] });
    }
    for (const i of this.info.values()) {
      if (i.role !== 'gateway' && i.role !== 'host') continue;
      const addrs = stackAddresses(i.ns);
      const first = addrs.find((a) => a.ip)?.ip;
      const name = i.role === 'gateway' ? i.ns.hostname || 'gateway' : i.ns.hostname || i.ns.id;
      this.vertex({ id: i.stack, kind: 'process', role: i.role, label: first ? `${name} ${first}` : name, name, ns: i.ns.id, addresses: addrs, forwards: i.ns.ipForward, neighbours: this.neighbours(i.ns) });
      // A bridge outside the nodes (a Docker host's docker0) hangs off its host the same way.
      for (const br of i.ns.devices.filter((d) => d.kind === 'bridge')) {
        this.vertex({ id: this.bridgeId(i, br.name), kind: 'switch', role: 'bridge', label: `bridge ${br.name}`, name: br.name, ns: i.ns.id, addresses: [{ dev: br.name, mac: br.mac }] });
      }
    }
  }

  private podVertex(p: NsInfo): void {
    const name = p.ns.id.split('/')[2] ?? p.ns.id;
    const addrs = stackAddresses(p.ns);
    const first = addrs.find((a) => a.ip)?.ip;
    this.vertex({
      id: p.stack,
      kind: 'process',
      role: 'pod',
      label: first ? `${name} ${first}` : name,
      name,
      ...(p.node !== undefined ? { node: p.node } : {}),
      ns: p.ns.id,
      addresses: addrs,
      forwards: p.ns.ipForward,
      neighbours: this.neighbours(p.ns),
    });
  }

  private neighbours(ns: Netns): GraphNeighbour[] {
    return neighboursOf(ns, this.state).map((n) => ({ dev: n.dev, ip: formatIp(n.ip), mac: n.mac, state: n.state }));
  }

  private vertex(v: Omit<GraphVertex, 'table'>): void {
    this.vertices.push({ ...v, table: [] });
  }

  /** The vertex a device belongs to: its bridge when it is a bridge port, else its namespace's stack. */
  private vertexOfDevice(nsId: string, dev: Device): string | undefined {
    const i = this.info.get(nsId);
    if (!i) return undefined;
    if (dev.master && deviceByName(i.ns, dev.master)?.kind === 'bridge') return this.bridgeId(i, dev.master);
    return i.stack;
  }

  private bridgeId(i: NsInfo, name: string): string {
    return i.role === 'node' ? `${i.node!}/${name}` : `${i.ns.id}/${name}`;
  }

  private addEdges(): void {
    const ordered = this.orderedNamespaces();
    // veth pairs, once each, from the pod side when there is one.
    const seen = new Set<string>();
    for (const i of ordered) {
      for (const d of i.ns.devices) {
        if (d.kind !== 'veth' || !d.peer) continue;
        const key = [`${i.ns.id}#${d.ifindex}`, `${d.peer.ns}#${d.peer.ifindex}`].sort().join('|');
        if (seen.has(key)) continue;
        seen.add(key);
        const peerNs = this.state.netns[d.peer.ns];
        const pd = peerNs && deviceByIndex(peerNs, d.peer.ifindex);
        const va = this.vertexOfDevice(i.ns.id, d);
        const vb = pd && this.vertexOfDevice(d.peer.ns, pd);
        if (!pd || !va || !vb) continue;
        const ends: [EdgeEnd, EdgeEnd] = [
          { vertex: va, dev: d.name },
          { vertex: vb, dev: pd.name },
        ];
        if (!d.up) ends[0].down = true;
        if (!pd.up) ends[1].down = true;
        // The process end first: a pod's eth0 -> its bridge port.
        if (this.kindOf(va) === 'switch' && this.kindOf(vb) === 'process') ends.reverse();
        this.edge('veth', ends[0], ends[1], Math.min(d.mtu, pd.mtu), d.up && pd.up);
      }
      // A bridge's own IP interface: the bridge hands frames for its MAC up to the stack.
      for (const br of i.ns.devices.filter((d) => d.kind === 'bridge')) {
        const down = br.up ? {} : { down: true as const };
        this.edge('bridge', { vertex: this.bridgeId(i, br.name), dev: br.name, ...down }, { vertex: i.stack, dev: br.name, ...down }, br.mtu, br.up);
      }
      if (i.role === 'node') this.edge('local', { vertex: nodeVertexId(i.node!) }, { vertex: i.stack }, deviceByName(i.ns, 'lo')?.mtu ?? 65536, true);
    }
    for (const seg of Object.values(this.state.segments)) {
      seg.ports.forEach((port, index) => {
        const ns = this.state.netns[port.ns];
        const d = ns && deviceByIndex(ns, port.ifindex);
        const v = d && this.vertexOfDevice(port.ns, d);
        if (!d || !v) return;
        this.edge('ether', { vertex: v, dev: d.name, ...(d.up ? {} : { down: true as const }) }, { vertex: seg.id, dev: `port${index}` }, d.mtu, d.up);
      });
    }
    // flannel's tunnels: one logical link per pair of VTEPs with the same VNI and port.
    const vteps = ordered.flatMap((i) => i.ns.devices.filter((d) => d.kind === 'vxlan' && d.vxlan).map((d) => ({ i, d })));
    for (let x = 0; x < vteps.length; x++) {
      for (let y = x + 1; y < vteps.length; y++) {
        const a = vteps[x]!;
        const b = vteps[y]!;
        if (a.i === b.i || a.d.vxlan!.vni !== b.d.vxlan!.vni || a.d.vxlan!.port !== b.d.vxlan!.port) continue;
        const e = this.edge('tunnel', { vertex: a.i.stack, dev: a.d.name, ...(a.d.up ? {} : { down: true as const }) }, { vertex: b.i.stack, dev: b.d.name, ...(b.d.up ? {} : { down: true as const }) }, Math.min(a.d.mtu, b.d.mtu), a.d.up && b.d.up);
        e.vteps = [formatIp(a.d.vxlan!.local), formatIp(b.d.vxlan!.local)];
      }
    }
  }

  private kindOf(vertex: string): VertexKind | undefined {
    return this.vertices.find((v) => v.id === vertex)?.kind;
  }

  /** Namespaces in vertex order: node by node (the node, then its pods), then the rest. */
  private orderedNamespaces(): NsInfo[] {
    const out: NsInfo[] = [];
    for (const v of this.vertices) {
      if (!v.ns || v.role === 'router' || v.role === 'bridge') continue;
      const i = this.info.get(v.ns);
      if (i && !out.includes(i)) out.push(i);
    }
    return out;
  }

  private edge(kind: EdgeKind, a: EdgeEnd, b: EdgeEnd, mtu: number, up: boolean): GraphEdge {
    const e: GraphEdge = { id: `${endText(a)}--${endText(b)}`, kind, a, b, mtu, up };
    this.edges.push(e);
    return e;
  }

  // ------------------------------------------------------------------------- tables

  private tableOf(v: GraphVertex): ForwardingEntry[] {
    const i = v.ns ? this.info.get(v.ns) : undefined;
    switch (v.role) {
      case 'segment':
        return this.segmentTable(v);
      case 'bridge':
        return this.bridgeTable(v, i!);
      case 'node':
        return [
          ...localEntries(i!.ns, undefined, undefined),
          { match: '*', action: 'forward', via: routerVertexId(v.name), edge: this.localEdge(v.name)?.id, note: `sent through ${v.name}'s own stack` } as ForwardingEntry,
        ].map(clean);
      case 'router': {
        const local = this.localEdge(v.node!);
        return [...localEntries(i!.ns, nodeVertexId(v.node!), local?.id), ...this.routeEntries(v, i!)];
      }
      default:
        return [...localEntries(i!.ns, undefined, undefined), ...this.routeEntries(v, i!)];
    }
  }

  private localEdge(node: string): GraphEdge | undefined {
    return this.edges.find((e) => e.kind === 'local' && e.a.vertex === nodeVertexId(node));
  }

  private edgeAt(vertex: string, dev: string): GraphEdge | undefined {
    return this.edges.find((e) => e.kind !== 'tunnel' && ((e.a.vertex === vertex && e.a.dev === dev) || (e.b.vertex === vertex && e.b.dev === dev)));
  }

  private routeEntries(v: GraphVertex, i: NsInfo): ForwardingEntry[] {
    const routes = routesOf(i.ns, this.state)
      .map((r, index) => ({ r, index }))
      .sort((x, y) => y.r.dst.len - x.r.dst.len || x.r.dst.addr - y.r.dst.addr || x.index - y.index);
    const out: ForwardingEntry[] = [];
    for (const { r } of routes) {
      const e = this.routeEntry(v, i, r);
      if (e) out.push(e);
    }
    if (!routes.some(({ r }) => r.dst.len === 0 && (r.type === 'blackhole' || deviceByName(i.ns, r.dev)?.up))) {
      out.push({ match: '*', action: 'discard', note: 'no route: network unreachable' });
    }
    return out;
  }

  private routeEntry(v: GraphVertex, i: NsInfo, r: Route): ForwardingEntry | undefined {
    const match = r.dst.len === 0 ? 'default' : formatCidr(r.dst);
    if (r.type === 'blackhole') return { match, action: 'discard', note: 'blackhole: leaves the simulated network' };
    const dev = deviceByName(i.ns, r.dev);
    if (!dev || !dev.up) return undefined; // lookupRoute skips routes over missing or down devices
    const nextHop = r.via !== undefined ? formatIp(r.via) : undefined;
    const hop = nextHop !== undefined ? { nextHop } : {};
    if (dev.kind === 'loopback') return { match, action: 'deliver', via: v.id, note: `dev ${dev.name}: loopback` };
    if (dev.kind === 'vxlan') return this.tunnelEntry(v, i, r, dev, match);
    const edge = this.edgeAt(v.id, dev.name);
    if (!edge) return { match, action: 'discard', ...hop, note: `dev ${dev.name} leads nowhere` };
    const next = other(edge, v.id);
    const how = nextHop !== undefined ? `via ${nextHop}${this.ownerText(next.vertex, edge, r.via!)} on ${dev.name}` : `connected on ${dev.name}: ARP for the destination`;
    return { match, action: 'forward', via: next.vertex, edge: edge.id, ...hop, note: how };
  }

  /** ` (node-1/router)`: who answers ARP for `ip` behind the link (static, for the note). */
  private ownerText(next: string, edge: GraphEdge, ip: Ip): string {
    const owner = arpOwner(this.vertices, this.edges, next, edge, formatIp(ip), new Set());
    return owner ? ` (${owner.vertex})` : '';
  }

  /** A route over flannel.1: the neighbour entry gives the MAC, the VXLAN FDB the remote VTEP. */
  private tunnelEntry(v: GraphVertex, i: NsInfo, r: Route, dev: Device, match: string): ForwardingEntry {
    if (r.via === undefined) return { match, action: 'discard', note: `${dev.name} cannot ARP: no next hop` };
    const nextHop = formatIp(r.via);
    const n = lookupNeighbour(i.ns, dev.name, r.via, this.state);
    if (!n) return { match, action: 'discard', nextHop, note: `${dev.name} has no neighbour entry for ${nextHop}` };
    const remote = lookupVxlanFdb(i.ns, dev, n.mac, this.state);
    if (remote === undefined) return { match, action: 'discard', nextHop, dstMac: n.mac, note: `${dev.name} has no FDB entry for ${n.mac}` };
    const vtep = formatIp(remote);
    const edge = this.edges.find(
      (e) => e.kind === 'tunnel' && ((e.a.vertex === v.id && e.a.dev === dev.name && e.vteps![1] === vtep) || (e.b.vertex === v.id && e.b.dev === dev.name && e.vteps![0] === vtep)),
    );
    if (!edge) return { match, action: 'discard', nextHop, dstMac: n.mac, vtep, note: `${dev.name} sends to ${vtep}, where no VXLAN device listens` };
    const far = other(edge, v.id).vertex;
    const name = this.vertices.find((x) => x.id === far)?.node ?? far;
    return { match, action: 'forward', via: far, edge: edge.id, nextHop, vtep, dstMac: n.mac, note: `${dev.name}: VXLAN to ${vtep} (${name})` };
  }

  private bridgeTable(v: GraphVertex, i: NsInfo): ForwardingEntry[] {
    const br = deviceByName(i.ns, v.name)!;
    const up = this.edges.find((e) => e.kind === 'bridge' && e.a.vertex === v.id);
    const out: ForwardingEntry[] = [];
    const stack = i.role === 'node' ? i.node! : i.ns.id;
    if (up) out.push({ match: br.mac, action: 'deliver', via: up.b.vertex, edge: up.id, note: `${br.name}'s own MAC: up to ${stack}'s stack` });
    for (const [mac, entry] of Object.entries(br.fdb ?? {}).sort(([a], [b]) => cmp(a, b))) {
      if (mac === br.mac) continue;
      const edge = this.edgeAt(v.id, entry.port);
      const how = entry.permanent ? 'permanent' : 'learned';
      if (!edge) out.push({ match: mac, action: 'discard', note: `${how} on ${entry.port}, which is gone` });
      else out.push({ match: mac, action: 'forward', via: other(edge, v.id).vertex, edge: edge.id, note: `${how} on port ${entry.port}` });
    }
    const ports = this.edges.filter((e) => e.kind === 'veth' && (e.a.vertex === v.id || e.b.vertex === v.id)).map((e) => (e.a.vertex === v.id ? e.a.dev : e.b.dev));
    out.push({ match: '*', action: 'forward', flood: true, note: `unknown MAC: flood to every port${ports.length ? ` (${ports.join(', ')})` : ''}` });
    return out;
  }

  private segmentTable(v: GraphVertex): ForwardingEntry[] {
    const seg = this.state.segments[v.id]!;
    const out: ForwardingEntry[] = [];
    for (const [mac, index] of Object.entries(seg.fdb).sort(([a], [b]) => cmp(a, b))) {
      const edge = this.edges.find((e) => e.kind === 'ether' && e.b.vertex === v.id && e.b.dev === `port${index}`);
      if (!edge) out.push({ match: mac, action: 'discard', note: `learned on port ${index}, which is gone` });
      else out.push({ match: mac, action: 'forward', via: edge.a.vertex, edge: edge.id, note: `learned on port${index} (${edge.a.dev ?? ''} of ${edge.a.vertex})` });
    }
    out.push({ match: '*', action: 'forward', flood: true, note: 'unknown MAC: flood to every port' });
    return out;
  }
}

function clean(e: ForwardingEntry): ForwardingEntry {
  const out = { ...e };
  for (const k of Object.keys(out) as (keyof ForwardingEntry)[]) if (out[k] === undefined) delete out[k];
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function podIp(ns: Netns): number {
  return deviceByName(ns, 'eth0')?.addrs[0]?.ip ?? 0;
}

/** The addresses of a namespace's stack: every non-loopback device that is not a bridge port. */
function stackAddresses(ns: Netns): VertexAddress[] {
  const out: VertexAddress[] = [];
  for (const d of ns.devices) {
    if (d.kind === 'loopback' || d.master) continue;
    if (d.addrs.length === 0) {
      if (d.kind !== 'veth') out.push({ dev: d.name, mac: d.mac });
      continue;
    }
    for (const a of d.addrs) out.push({ dev: d.name, mac: d.mac, ip: formatIp(a.ip), len: a.len });
  }
  return out;
}

/** The kernel's local table: a /32 per address, then 127.0.0.0/8 (every 127.x is local). */
function localEntries(ns: Netns, via: string | undefined, edge: string | undefined): ForwardingEntry[] {
  const out: ForwardingEntry[] = [];
  const seen = new Set<number>();
  for (const d of ns.devices) {
    if (d.kind === 'loopback') continue;
    for (const a of d.addrs) {
      if (seen.has(a.ip)) continue;
      seen.add(a.ip);
      out.push(clean({ match: `${formatIp(a.ip)}/32`, action: 'deliver', via, edge, note: `local: ${d.name}'s address` }));
    }
  }
  out.push(clean({ match: '127.0.0.0/8', action: 'deliver', via, edge, note: 'local: loopback' }));
  return out;
}

function other(e: GraphEdge, vertex: string): EdgeEnd {
  return e.a.vertex === vertex ? e.b : e.a;
}

function endOf(e: GraphEdge, vertex: string): EdgeEnd {
  return e.a.vertex === vertex ? e.a : e.b;
}

function usable(e: GraphEdge, down: ReadonlySet<string>): boolean {
  return e.up && !down.has(e.id);
}

/**
 * Who answers an ARP request for `ip` sent over `edge` into `next`: if `next` is a switch, any
 * interface on its other links that are up; otherwise `next` itself.
 */
function arpOwner(vertices: GraphVertex[], edges: GraphEdge[], next: string, edge: GraphEdge, ip: string, down: ReadonlySet<string>): { vertex: string; edge: GraphEdge; mac: Mac } | undefined {
  const byId = (id: string): GraphVertex | undefined => vertices.find((v) => v.id === id);
  const nv = byId(next);
  if (!nv) return undefined;
  const candidates = isL2(nv) ? edges.filter((e) => e !== edge && (e.a.vertex === next || e.b.vertex === next) && usable(e, down)) : [edge];
  for (const e of candidates) {
    const end = isL2(nv) ? other(e, next) : endOf(e, next);
    const owner = byId(end.vertex);
    const a = owner?.addresses.find((x) => x.dev === end.dev && x.ip === ip);
    if (a) return { vertex: end.vertex, edge: e, mac: a.mac };
  }
  return undefined;
}

function isL2(v: GraphVertex): boolean {
  return v.role === 'bridge' || v.role === 'segment';
}

// --------------------------------------------------------------------------- paths

/** Does a table entry's prefix cover `ip`? (`*` and `default` cover everything.) */
export function entryMatchesIp(entry: ForwardingEntry, ip: Ip): boolean {
  if (entry.match === '*' || entry.match === 'default') return true;
  const c: Cidr | undefined = parseCidr(entry.match, true);
  return c !== undefined && contains(c, ip);
}

function lookupIp(table: ForwardingEntry[], ip: Ip): ForwardingEntry | undefined {
  return table.find((e) => entryMatchesIp(e, ip));
}

function lookupMac(table: ForwardingEntry[], mac: Mac): ForwardingEntry | undefined {
  return table.find((e) => e.match === mac) ?? table.find((e) => e.match === '*');
}

const MAX_PATH = 256;

/**
 * The path a message from `from` (a process or a router) to `dst` takes, read off the tables
 * hop by hop. Links in `down` are cut: a forward over one of them ends in discard.
 */
export function pathOf(graph: NetworkGraph, from: string, dst: Ip | string, down: ReadonlySet<string> = new Set()): GraphPath {
  const ip = typeof dst === 'number' ? dst : parseIp(dst);
  if (ip === undefined) throw new Error(`invalid IPv4 address: ${String(dst)}`);
  const path = new Walker(graph, down).walk(from, ip, false);
  const svc = parseCidr(graph.pools.services);
  if (svc && contains(svc, ip)) {
    path.note = `${formatIp(ip)} is in the service range ${graph.pools.services}: no interface has it and no table matches it; kube-proxy's DNAT (not drawn here) rewrites it to a pod address before routing`;
  }
  return path;
}

interface Arrival {
  edge: GraphEdge;
  /** The frame's destination MAC, when it came over an Ethernet-like link. */
  mac?: Mac;
  /** Sent by the vertex's own processes (no TTL decrement, no ip_forward check). */
  fromStack: boolean;
}

class Walker {
  private readonly byId = new Map<string, GraphVertex>();
  private readonly edgeById = new Map<string, GraphEdge>();

  constructor(
    private readonly graph: NetworkGraph,
    private readonly down: ReadonlySet<string>,
  ) {
    for (const v of graph.vertices) this.byId.set(v.id, v);
    for (const e of graph.edges) this.edgeById.set(e.id, e);
  }

  private vertex(id: string): GraphVertex {
    const v = this.byId.get(id);
    if (!v) throw new Error(`no vertex ${id}`);
    return v;
  }

  /** Follows the tables from `start`; `underlay` walks a tunnel's outer packet, which ends at the remote stack. */
  walk(start: string, dst: Ip, underlay: boolean): GraphPath {
    const steps: PathStep[] = [];
    const end = (outcome: GraphPath['outcome']): GraphPath => ({ steps, outcome });
    const discard = (vertex: GraphVertex, entry: ForwardingEntry, ttl: number, note?: string, extra: Partial<PathStep> = {}): GraphPath => {
      steps.push({ vertex: vertex.id, entry, action: 'discard', ttl, ...extra, ...(note !== undefined ? { note } : {}) });
      return end('discarded');
    };
    /** Discards with an entry made up for the occasion (no table entry decided), its note repeated on the step. */
    const refuse = (vertex: GraphVertex, ttl: number, note: string): GraphPath => discard(vertex, synthetic('*', note), ttl, note);
    let v = this.vertex(start);
    if (isL2(v)) throw new Error(`${start} is a switch for frames: start from a process or a router`);
    let arrival: Arrival | undefined;
    let ttl = 64;
    for (let guard = 0; guard < MAX_PATH; guard++) {
      if (isL2(v)) {
        const a = arrival!;
        const mac = a.mac!;
        const entry = lookupMac(v.table, mac);
        if (!entry) return refuse(v, ttl, `no entry for ${mac}`);
        if (entry.action === 'discard') return discard(v, entry, ttl);
        let edge: GraphEdge | undefined;
        if (entry.flood) {
          edge = this.graph.edges.find((e) => e !== a.edge && (e.a.vertex === v.id || e.b.vertex === v.id) && usable(e, this.down) && this.hasMac(other(e, v.id), mac));
          if (!edge) return discard(v, entry, ttl, `flooded, but no port that is up leads to ${mac}`);
        } else {
          edge = entry.edge !== undefined ? this.edgeById.get(entry.edge) : undefined;
          if (!edge) return discard(v, entry, ttl, 'the entry names no link');
          if (edge === a.edge) return discard(v, entry, ttl, `${mac} is behind the port the frame came in on: dropped`);
          if (!usable(edge, this.down)) return discard(v, entry, ttl, `link ${edge.id} is down`);
        }
        steps.push({ vertex: v.id, entry, action: entry.action, edge: edge.id, ttl });
        const next = other(edge, v.id);
        arrival = { edge, mac, fromStack: false };
        v = this.vertex(next.vertex);
        continue;
      }

      // A process or a router: the IP layer.
      if (arrival?.mac !== undefined && !this.hasMac(endOf(arrival.edge, v.id), arrival.mac)) {
        return refuse(v, ttl, `frame for ${arrival.mac} is not addressed to ${endOf(arrival.edge, v.id).dev ?? v.id}: ignored`);
      }
      const entry = lookupIp(v.table, dst);
      const transit = arrival !== undefined && !arrival.fromStack;
      if (entry?.action === 'deliver') {
        if (v.kind === 'process' || (underlay && v.role === 'router')) {
          steps.push({ vertex: v.id, entry, action: 'deliver', ttl, ...(underlay && v.role === 'router' ? { note: 'the kernel hands the UDP datagram to the VXLAN device' } : {}) });
          return end('delivered');
        }
        const edge = entry.edge !== undefined ? this.edgeById.get(entry.edge) : undefined;
        if (!edge || !usable(edge, this.down)) return discard(v, entry, ttl, edge ? `link ${edge.id} is down` : 'the entry names no link');
        steps.push({ vertex: v.id, entry, action: 'deliver', edge: edge.id, ttl });
        arrival = { edge, fromStack: false };
        v = this.vertex(other(edge, v.id).vertex);
        continue;
      }
      if (transit) {
        if (!v.forwards) return refuse(v, ttl, `not addressed to ${v.id}, which does not forward (ip_forward off)`);
        if (ttl <= 1) return refuse(v, ttl, 'TTL expired in transit');
      }
      if (!entry) return refuse(v, ttl, 'no route: network unreachable');
      if (entry.action === 'discard') return discard(v, entry, ttl);
      const arrivedTtl = ttl;
      if (transit) ttl--;
      const edge = entry.edge !== undefined ? this.edgeById.get(entry.edge) : undefined;
      if (!edge) return discard(v, entry, arrivedTtl, 'the entry names no link');
      const next = other(edge, v.id);
      const nv = this.vertex(next.vertex);
      if (edge.kind === 'tunnel') {
        // The sender sees only its own VTEP: with the far one down, the outer packet still goes, and dies there.
        if (this.down.has(edge.id) || endOf(edge, v.id).down) return discard(v, entry, arrivedTtl, `link ${edge.id} is down`);
        if (underlay) return discard(v, entry, arrivedTtl, 'a tunnel inside a tunnel is not modelled');
        const vtep = parseIp(entry.vtep ?? '');
        if (vtep === undefined) return discard(v, entry, arrivedTtl, 'the tunnel has no remote VTEP');
        const outer = this.walk(v.id, vtep, true);
        const last = outer.steps[outer.steps.length - 1];
        if (outer.outcome !== 'delivered' || last?.vertex !== nv.id) {
          const where = last ? ` at ${last.vertex}` : '';
          return discard(v, entry, arrivedTtl, `the outer packet to ${entry.vtep} does not reach ${nv.id}${outer.outcome === 'discarded' ? ` (discarded${where})` : where}`, { edge: edge.id, underlay: outer.steps });
        }
        steps.push({ vertex: v.id, entry, action: 'forward', edge: edge.id, ttl: arrivedTtl, underlay: outer.steps });
        if (next.down) return refuse(nv, ttl, `${next.dev ?? 'the VXLAN device'} is down at ${nv.id}: the VXLAN packet goes no further`);
        arrival = { edge, fromStack: false, ...(entry.dstMac !== undefined ? { mac: entry.dstMac } : {}) };
        v = nv;
        continue;
      }
      if (!usable(edge, this.down)) return discard(v, entry, arrivedTtl, `link ${edge.id} is down`);
      if (edge.kind === 'local') {
        steps.push({ vertex: v.id, entry, action: 'forward', edge: edge.id, ttl: arrivedTtl });
        arrival = { edge, fromStack: v.kind === 'process' };
        v = nv;
        continue;
      }
      // Ethernet-like links: the frame needs the next hop's MAC, which the neighbour table holds or ARP finds.
      const target = entry.nextHop ?? formatIp(dst);
      const dev = endOf(edge, v.id).dev ?? '';
      const cached = v.neighbours?.find((n) => n.dev === dev && n.ip === target && isValid(n.state));
      const mac = cached?.mac ?? arpOwner(this.graph.vertices, this.graph.edges, nv.id, edge, target, this.down)?.mac;
      if (mac === undefined) return discard(v, entry, arrivedTtl, `no ARP reply for ${target} on ${dev}: host unreachable`);
      steps.push({ vertex: v.id, entry, action: 'forward', edge: edge.id, ttl: arrivedTtl, ...(cached ? { note: `${target} is ${cached.state} in the neighbour table: the frame goes to ${cached.mac} without ARP` } : {}) });
      arrival = { edge, mac, fromStack: false };
      v = nv;
    }
    throw new Error(`path from ${start} to ${formatIp(dst)} is longer than ${MAX_PATH} steps`);
  }

  private hasMac(end: EdgeEnd, mac: Mac): boolean {
    const v = this.byId.get(end.vertex);
    return !!v?.addresses.some((a) => a.dev === end.dev && a.mac === mac);
  }
}

function synthetic(match: string, note: string): ForwardingEntry {
  return { match, action: 'discard', note };
}

/** The first link joining two vertices, in either direction. */
export function findEdge(graph: NetworkGraph, a: string, b: string): GraphEdge | undefined {
  return graph.edges.find((e) => (e.a.vertex === a && e.b.vertex === b) || (e.a.vertex === b && e.b.vertex === a));
}

/** The vertex that has `ip` on a pod's or node's interface (a node's IPs belong to K8s-Node). */
export function vertexOfIp(graph: NetworkGraph, ip: Ip | string): GraphVertex | undefined {
  const text = typeof ip === 'number' ? formatIp(ip) : ip;
  return graph.vertices.find((v) => v.kind === 'process' && v.addresses.some((a) => a.ip === text));
}

// --------------------------------------------------------------------------- vertex lists

/** A path as the vertices it visits, in order, and how it ended: what a learner writes down. */
export interface VertexPath {
  vertices: string[];
  outcome: 'delivered' | 'discarded';
  /** Why it ended there, for a discard. */
  note?: string;
}

/**
 * The vertices a path visits, with each tunnel's outer packet spelled out: `node-2/router lan
 * node-1/router` where the inner message takes the flannel.1 link, as a capture on the way
 * sees it. A vertex is listed once however many steps it took there.
 */
export function pathVertices(path: GraphPath): VertexPath {
  const out: string[] = [];
  const push = (v: string): void => {
    if (out[out.length - 1] !== v) out.push(v);
  };
  for (const s of path.steps) {
    push(s.vertex);
    for (const u of s.underlay ?? []) push(u.vertex);
  }
  const last = path.steps[path.steps.length - 1];
  const note = last?.note ?? last?.entry.note;
  return { vertices: out, outcome: path.outcome, ...(path.outcome === 'discarded' && note !== undefined ? { note } : {}) };
}

/** One vertex of a path with the step that decided where the message went from there. */
export interface DecidingStep {
  vertex: string;
  step: PathStep;
  /** The step is the outer packet of a tunnel (the LAN it crosses). */
  underlay?: true;
}

/**
 * pathVertices' vertices, each with the step that decided where the message went next: a
 * tunnel's start is decided by the inner route (into flannel.1), the LAN by its FDB for the
 * outer frame, and the far end by the inner packet's next route.
 */
export function decidingSteps(path: GraphPath): DecidingStep[] {
  const out: DecidingStep[] = [];
  for (const s of path.steps) {
    const last = out[out.length - 1];
    if (last?.vertex === s.vertex) {
      // A tunnel's far end: the outer packet's delivery gives way to the inner packet's route.
      if (last.underlay) out[out.length - 1] = { vertex: s.vertex, step: s };
    } else out.push({ vertex: s.vertex, step: s });
    for (const u of s.underlay ?? []) {
      if (out[out.length - 1]?.vertex === u.vertex) continue;
      out.push({ vertex: u.vertex, step: u, underlay: true });
    }
  }
  return out;
}

const ARP_ACTIONS: ReadonlySet<string> = new Set(['arp-request', 'arp-reply']);

/**
 * The vertices the packet engine moved a message through: the first packet of a run (an echo
 * request, a TCP SYN, a UDP datagram) and the tunnel packets that carried it, from its sender
 * to the hop that delivered or dropped it, read off the trace (forward.ts). The ARP exchanges
 * it waited for, the answers it caused and copies a switch flooded to ports that ignored them
 * are left out. A frame lost on a link that is down is charged to the vertex that sent it
 * over that link, as pathOf charges it. Without a hop that delivers or drops it, the message
 * ended unclaimed (a flood nobody answered) at the last vertex it reached.
 */
export function tracePath(graph: NetworkGraph, trace: TraceResult): VertexPath {
  const byNs = new Map<string, GraphVertex[]>();
  for (const v of graph.vertices) if (v.ns !== undefined) byNs.set(v.ns, [...(byNs.get(v.ns) ?? []), v]);
  const endAt = (vertex: string, dev: string | undefined): GraphEdge | undefined =>
    dev === undefined ? undefined : graph.edges.find((e) => e.kind !== 'tunnel' && ((e.a.vertex === vertex && e.a.dev === dev) || (e.b.vertex === vertex && e.b.dev === dev)));
  /** The switch a bridge port or a bridge belongs to, in namespace `ns`. */
  const bridgeOf = (ns: string, dev: string | undefined): GraphVertex | undefined =>
    (byNs.get(ns) ?? []).find((v) => v.role === 'bridge' && dev !== undefined && (v.name === dev || graph.edges.some((e) => e.kind === 'veth' && ((e.a.vertex === v.id && e.a.dev === dev) || (e.b.vertex === v.id && e.b.dev === dev)))));
  const stackOf = (ns: string): GraphVertex | undefined => {
    const here = byNs.get(ns) ?? [];
    return here.find((v) => v.role === 'router') ?? here.find((v) => v.kind === 'process');
  };
  const vertexOf = (h: Hop): string[] => {
    const stack = stackOf(h.ns);
    const bridge = bridgeOf(h.ns, h.dev);
    if (h.action === 'bridge-forward' || h.action === 'bridge-flood') return bridge ? [bridge.id] : [];
    // What a bridge sends out of (or drops at) one of its ports is the bridge's doing.
    if (bridge && bridge.name !== h.dev) return [bridge.id];
    if (!stack) return [];
    if (h.action === 'deliver' || h.action === 'reply') {
      // A node's router hands what is addressed to the node up to its processes.
      return stack.role === 'router' && stack.node !== undefined ? [stack.id, nodeVertexId(stack.node)] : [stack.id];
    }
    if (h.action === 'veth' || h.action === 'switch') {
      // The frame enters a switch at the far end of the link; a process or router there records its own hops.
      const link = endAt(stack.id, h.dev);
      const far = link ? other(link, stack.id).vertex : undefined;
      const fv = far !== undefined ? graph.vertices.find((v) => v.id === far) : undefined;
      return fv && isL2(fv) ? [stack.id, fv.id] : [stack.id];
    }
    return [stack.id];
  };
  const isArpHop = (h: Hop): boolean => ARP_ACTIONS.has(h.action) || h.frame?.payload.kind === 'arp' || (h.ip === undefined && h.outer === undefined);
  const isLog = (h: Hop): boolean => h.action === 'filter' && / LOG$/.test(h.detail);
  // The destination's kernel answering (an echo reply) is recorded as the answer's first hop: that is where the message arrived.
  const answers = (h: Hop): boolean => h.action === 'reply' && trace.legs[h.leg]?.cause === 0;
  const hops = trace.hops.filter((h) => (h.leg === 0 && !isArpHop(h)) || answers(h));
  let end = hops.findIndex((h) => h.action === 'deliver' || h.action === 'reply');
  const delivered = end >= 0;
  if (!delivered) end = hops.findIndex((h) => h.action === 'drop' || (h.action === 'filter' && !isLog(h)));
  const vertices: string[] = [];
  const push = (v: string): void => {
    if (vertices[vertices.length - 1] !== v) vertices.push(v);
  };
  const first = trace.hops[0];
  const origin = first ? stackOf(first.ns) : undefined;
  if (origin?.role === 'router' && origin.node !== undefined) push(nodeVertexId(origin.node));
  const upTo = end >= 0 ? end : hops.length;
  for (let i = 0; i < upTo; i++) {
    const h = hops[i]!;
    if (h.action === 'drop' || h.action === 'filter') continue; // another branch's loss (a flooded copy)
    for (const v of vertexOf(h)) push(v);
  }
  if (delivered) {
    for (const v of vertexOf(hops[end]!)) push(v);
    return { vertices, outcome: 'delivered' };
  }
  if (end >= 0) {
    const h = hops[end]!;
    const at = vertexOf(h)[0];
    const last = vertices[vertices.length - 1];
    // Lost arriving on a device that is down: the link was down, and the sender is where it ended.
    const link = at !== undefined && last !== undefined && at !== last ? findEdge(graph, last, at) : undefined;
    if (at !== undefined && !(link && !link.up)) push(at);
    return { vertices, outcome: 'discarded', note: h.detail };
  }
  return { vertices, outcome: 'discarded', note: 'no device took the frame' };
}

// --------------------------------------------------------------------------- text

/** A readable rendering: vertices grouped by node, the links, then every vertex's table. */
export function graphText(graph: NetworkGraph): string {
  const out: string[] = [];
  const pods = graph.vertices.filter((v) => v.role === 'pod').length;
  out.push(`Network graph: ${graph.nodes.length} node${graph.nodes.length === 1 ? '' : 's'}, ${pods} pod${pods === 1 ? '' : 's'}, ${graph.vertices.length} vertices, ${graph.edges.length} links`);
  out.push(`Pools: nodes ${graph.pools.nodes}, pods ${graph.pools.pods}, services ${graph.pools.services}`);
  out.push('');

  const groups: { title: string; vertices: GraphVertex[] }[] = graph.nodes.map((n) => ({ title: `Node ${n}`, vertices: graph.vertices.filter((v) => v.node === n) }));
  const rest = graph.vertices.filter((v) => v.node === undefined || !graph.nodes.includes(v.node));
  if (rest.length) groups.push({ title: 'Outside the nodes', vertices: rest });
  const rows: string[][] = [];
  const owner: (string | undefined)[] = [];
  for (const g of groups) {
    rows.push([]);
    owner.push(g.title);
    for (const v of g.vertices) {
      rows.push([v.kind, v.id, v.label, vertexDetail(v)]);
      owner.push(undefined);
    }
  }
  const aligned = columns(rows.filter((r) => r.length > 0));
  let k = 0;
  for (let r = 0; r < rows.length; r++) {
    if (rows[r]!.length === 0) {
      if (r > 0) out.push('');
      out.push(owner[r]!);
    } else out.push(`  ${aligned[k++]!}`);
  }
  out.push('');

  out.push('Links');
  for (const l of columns(graph.edges.map((e) => [e.kind, e.id, `mtu ${e.mtu}`, edgeDetail(e)]))) out.push(`  ${l}`);

  for (const v of graph.vertices) {
    out.push('');
    out.push(`${v.kind === 'switch' ? 'Forwarding' : 'Sending'} table of ${v.id}`);
    const table = [['match', 'action', 'via', 'note'], ...v.table.map((e) => [e.match, e.action, e.via ?? (e.flood ? 'every port' : '-'), e.note ?? ''])];
    for (const l of columns(table)) out.push(`  ${l}`);
  }
  return out.join('\n') + '\n';
}

function vertexDetail(v: GraphVertex): string {
  const parts: string[] = [];
  if (v.role !== 'node') {
    const addrs = v.addresses.map((a) => `${a.dev} ${a.ip !== undefined ? `${a.ip}/${a.len ?? 32} ` : ''}${a.mac}`);
    if (addrs.length) parts.push(addrs.join(', '));
  }
  if (v.hostProcesses?.length) parts.push(`host processes: ${v.hostProcesses.join(', ')}`);
  if (v.forwards === false && v.role === 'router') parts.push('ip_forward off');
  return parts.join('; ');
}

function edgeDetail(e: GraphEdge): string {
  const parts: string[] = [];
  if (e.vteps) parts.push(`over the LAN: ${e.vteps[0]} <-> ${e.vteps[1]}`);
  if (e.kind === 'local') parts.push('host stack');
  if (!e.up) parts.push('DOWN');
  return parts.join('; ');
}

/** Pads every column but the last to a common width (two spaces apart). */
function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}
