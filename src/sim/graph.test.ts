import { describe, it, expect } from 'vitest';
import { Sim } from './sim';
import { VirtualClock } from './clock';
import type { ClusterSpec } from './cluster';
import { nodeNsId, podNsId } from './cni';
import { applyFault } from './faults';
import type { Hop, TraceResult } from './forward';
import { ip, type Ip } from './ipv4';
import { deviceByIndex, deviceByName } from './netns';
import type { Pod } from './k8s/types';
import { decidingSteps, findEdge, graphText, networkGraph, nodeVertexId, pathOf, pathVertices, podVertexId, routerVertexId, tracePath, type GraphPath, type NetworkGraph } from './graph';
import type { Fault } from './faults';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);

/** The default 3-node cluster with 2 web pods and 1 client pod. */
const SPEC: ClusterSpec = {
  nodes: 3,
  workloads: {
    deployments: [{ name: 'web', replicas: 2, image: 'nginx:1.27', ports: [80] }],
    pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] }],
  },
};

const build = (spec: ClusterSpec = SPEC, seed = 1): Sim => Sim.create(spec, seed, new VirtualClock(T0));

/** As the network-model lab's cluster: 3 web pods, so some land beside client and some on another node. */
const SPEC_3: ClusterSpec = { ...SPEC, workloads: { ...SPEC.workloads, deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.27', ports: [80] }] } };

const podNetworkPods = (sim: Sim): Pod[] => Object.values(sim.state.k8s.pods).filter((p) => !p.spec.hostNetwork && p.status.podIP);
const vertexOf = (p: Pod): string => podVertexId(p.metadata.namespace!, p.metadata.name);
const nsOf = (p: Pod): string => podNsId(p.metadata.namespace!, p.metadata.name);

let seq = 0;
const ping = (sim: Sim, from: string, to: Ip | string) => sim.ping(from, typeof to === 'string' ? ip(to) : to, { id: 0x6a6a, seq: seq++ });

/** Consecutive duplicates collapsed: the namespaces a journey passes through. */
function collapse(list: string[]): string[] {
  return list.filter((x, i) => i === 0 || list[i - 1] !== x);
}

const isArp = (h: Hop): boolean => h.action === 'arp-request' || h.action === 'arp-reply' || h.frame?.payload.kind === 'arp' || (h.action === 'drop' && h.ip === undefined);
const terminal = (h: Hop): boolean => h.action === 'reply' || h.action === 'deliver' || h.action === 'drop' || h.action === 'filter';

/** The engine's trace split at the first terminal hop: the request's journey, then what followed. */
function legs(trace: TraceResult): { request: string[]; after: string[]; end: Hop | undefined } {
  const hops = trace.hops.filter((h) => !isArp(h));
  const i = hops.findIndex(terminal);
  const cut = i < 0 ? hops.length : i + 1;
  return { request: collapse(hops.slice(0, cut).map((h) => h.ns)), after: collapse(hops.slice(cut).map((h) => h.ns)), end: hops[i] };
}

/** The namespaces pathOf visits (every vertex but the LAN stands for one), duplicates collapsed. */
function pathNamespaces(g: NetworkGraph, p: GraphPath): string[] {
  const ns = (id: string): string | undefined => g.vertices.find((v) => v.id === id)?.ns;
  return collapse(p.steps.map((s) => ns(s.vertex)).filter((x): x is string => x !== undefined));
}

const vertices = (p: GraphPath): string[] => p.steps.map((s) => s.vertex);

describe('networkGraph: vertices, links and tables', () => {
  const sim = build();
  const g = networkGraph(sim.state);
  const v = (id: string) => {
    const x = g.vertices.find((y) => y.id === id);
    if (!x) throw new Error(`no vertex ${id}`);
    return x;
  };

  it('has a process per pod and per node, a router and a bridge per node, the LAN and the gateway', () => {
    for (const p of podNetworkPods(sim)) {
      const pv = v(vertexOf(p));
      expect(pv.kind).toBe('process');
      expect(pv.label).toBe(`${p.metadata.name} ${p.status.podIP}`);
      expect(pv.node).toBe(p.spec.nodeName);
    }
    for (const [i, n] of ['control-plane', 'node-1', 'node-2'].entries()) {
      const nv = v(nodeVertexId(n));
      expect(nv).toMatchObject({ kind: 'process', role: 'node', label: `${n} 192.168.49.${i + 2}`, ns: nodeNsId(n) });
      expect(nv.hostProcesses?.some((x) => x.startsWith('kube-proxy-'))).toBe(true);
      expect(v(routerVertexId(n))).toMatchObject({ kind: 'switch', role: 'router', ns: nodeNsId(n), forwards: true });
      expect(v(`${n}/cni0`)).toMatchObject({ kind: 'switch', role: 'bridge', ns: nodeNsId(n) });
    }
    expect(v('lan')).toMatchObject({ kind: 'switch', role: 'segment', addresses: [] });
    expect(v('gateway')).toMatchObject({ kind: 'process', role: 'gateway', label: 'gateway 192.168.49.1', ns: 'router' });
  });

  it('gives every pod a veth link into its node bridge, with the devices at each end and the MTU', () => {
    for (const p of podNetworkPods(sim)) {
      const e = findEdge(g, vertexOf(p), `${p.spec.nodeName}/cni0`)!;
      const hostDev = deviceByIndex(sim.state.netns[nodeNsId(p.spec.nodeName!)]!, deviceByName(sim.state.netns[nsOf(p)]!, 'eth0')!.peer!.ifindex)!;
      expect(e).toMatchObject({ kind: 'veth', a: { vertex: vertexOf(p), dev: 'eth0' }, b: { vertex: `${p.spec.nodeName}/cni0`, dev: hostDev.name }, mtu: 1450, up: true });
    }
  });

  it('links bridge -> router by cni0, router -> LAN by eth0 and every pair of routers by a flannel.1 tunnel', () => {
    expect(findEdge(g, 'node-1/cni0', 'node-1/router')).toMatchObject({ kind: 'bridge', a: { dev: 'cni0' }, b: { dev: 'cni0' }, mtu: 1450 });
    expect(findEdge(g, 'node-1/router', 'lan')).toMatchObject({ kind: 'ether', a: { vertex: 'node-1/router', dev: 'eth0' }, mtu: 1500 });
    expect(findEdge(g, 'gateway', 'lan')).toMatchObject({ kind: 'ether', a: { dev: 'eth0' } });
    const tunnels = g.edges.filter((e) => e.kind === 'tunnel');
    expect(tunnels.map((e) => [e.a.vertex, e.b.vertex])).toEqual([
      ['control-plane/router', 'node-1/router'],
      ['control-plane/router', 'node-2/router'],
      ['node-1/router', 'node-2/router'],
    ]);
    expect(findEdge(g, 'node-1/router', 'node-2/router')).toMatchObject({ mtu: 1450, vteps: ['192.168.49.3', '192.168.49.4'], a: { dev: 'flannel.1' }, b: { dev: 'flannel.1' } });
  });

  it("a router's table: local addresses, then routes longest prefix first, each with its action", () => {
    const t = v('node-1/router').table;
    expect(t.map((e) => [e.match, e.action, e.via])).toEqual([
      ['192.168.49.3/32', 'deliver', 'K8s-Node(node-1)'],
      ['10.244.1.0/32', 'deliver', 'K8s-Node(node-1)'],
      ['10.244.1.1/32', 'deliver', 'K8s-Node(node-1)'],
      ['127.0.0.0/8', 'deliver', 'K8s-Node(node-1)'],
      ['10.244.0.0/24', 'forward', 'control-plane/router'],
      ['10.244.1.0/24', 'forward', 'node-1/cni0'],
      ['10.244.2.0/24', 'forward', 'node-2/router'],
      ['192.168.49.0/24', 'forward', 'lan'],
      ['default', 'forward', 'lan'],
    ]);
    const toNode2 = t[6]!;
    const n2 = sim.state.netns[nodeNsId('node-2')]!;
    expect(toNode2).toMatchObject({ nextHop: '10.244.2.0', vtep: '192.168.49.4', dstMac: deviceByName(n2, 'flannel.1')!.mac, edge: findEdge(g, 'node-1/router', 'node-2/router')!.id });
    expect(t[8]).toMatchObject({ nextHop: '192.168.49.1' });
    expect(t[7]!.nextHop).toBeUndefined();
  });

  it("the gateway's blackhole discards; a bridge delivers its own MAC and floods the rest", () => {
    expect(v('gateway').table.at(-1)).toMatchObject({ match: 'default', action: 'discard' });
    const br = v('node-1/cni0').table;
    expect(br[0]).toMatchObject({ match: deviceByName(sim.state.netns[nodeNsId('node-1')]!, 'cni0')!.mac, action: 'deliver', via: 'node-1/router' });
    expect(br.at(-1)).toMatchObject({ match: '*', action: 'forward', flood: true });
  });

  it('reading the state changes nothing, and the same state gives the same graph', () => {
    const before = JSON.stringify(sim.state);
    const again = networkGraph(sim.state);
    pathOf(again, vertexOf(sim.pod('default', 'client')!), '10.244.2.2');
    expect(JSON.stringify(sim.state)).toBe(before);
    expect(again).toEqual(g);
  });
});

describe('pathOf agrees with the packet engine', () => {
  it('for every pair of pods: the same namespaces, there and back, cold and warm', () => {
    const sim = build();
    const pods = podNetworkPods(sim);
    expect(pods.length).toBe(5);
    for (const round of ['cold', 'warm']) {
      for (const a of pods) {
        for (const b of pods) {
          if (a === b) continue;
          const what = `${round}: ${a.metadata.name} -> ${b.metadata.name}`;
          const g = networkGraph(sim.state);
          const there = pathOf(g, vertexOf(a), b.status.podIP!);
          const back = pathOf(g, vertexOf(b), a.status.podIP!);
          const r = ping(sim, nsOf(a), b.status.podIP!);
          expect(r.outcome.kind, what).toBe('reply');
          const { request, after, end } = legs(r.trace);
          expect(end?.action, what).toBe('reply');
          expect(there.outcome, what).toBe('delivered');
          expect(pathNamespaces(g, there), what).toEqual(request);
          expect(request[0]).toBe(nsOf(a));
          expect(request.at(-1)).toBe(nsOf(b));
          // The reply leg starts where the request ended.
          expect(pathNamespaces(g, back), what).toEqual(collapse([nsOf(b), ...after]));
          // And the TTL the graph predicts is the one the reply arrives with.
          if (r.outcome.kind === 'reply') expect(back.steps.at(-1)!.ttl, what).toBe(r.outcome.ttl);
        }
      }
    }
  });

  it('learned bridge and LAN entries are used once the engine has filled the FDBs', () => {
    const sim = build();
    const client = sim.pod('default', 'client')!;
    const far = podNetworkPods(sim).find((p) => p.metadata.labels?.app === 'web' && p.spec.nodeName !== client.spec.nodeName)!;
    ping(sim, nsOf(client), far.status.podIP!);
    const g = networkGraph(sim.state);
    const path = pathOf(g, vertexOf(client), far.status.podIP!);
    const bridge = path.steps.find((s) => s.vertex === `${far.spec.nodeName}/cni0`)!;
    expect(bridge.entry.flood).toBeUndefined();
    expect(bridge.entry.match).toBe(deviceByName(sim.state.netns[nsOf(far)]!, 'eth0')!.mac);
    expect(bridge.entry.note).toMatch(/^learned on port veth/);
    const lan = path.steps.find((s) => s.underlay)!.underlay!.find((s) => s.vertex === 'lan')!;
    expect(lan.entry.match).toBe(deviceByName(sim.state.netns[nodeNsId(far.spec.nodeName!)]!, 'eth0')!.mac);
  });

  it('from a pod to node addresses, the gateway, a missing pod, the outside world', () => {
    const sim = build();
    const client = sim.pod('default', 'client')!;
    const targets = ['192.168.49.2', '192.168.49.3', '192.168.49.4', '10.244.1.1', '10.244.2.0', '192.168.49.1', '192.168.49.100', '10.244.1.99', '10.244.2.99', '8.8.8.8'];
    for (const t of targets) {
      const g = networkGraph(sim.state);
      const path = pathOf(g, vertexOf(client), t);
      const r = ping(sim, nsOf(client), t);
      expect(pathNamespaces(g, path), t).toEqual(legs(r.trace).request);
      expect(path.outcome === 'delivered', t).toBe(r.outcome.kind === 'reply');
    }
  });

  it('from the node itself: its own processes send through its router', () => {
    const sim = build();
    const g = networkGraph(sim.state);
    const own = pathOf(g, nodeVertexId('node-1'), '192.168.49.3');
    expect(own).toMatchObject({ outcome: 'delivered', steps: [{ vertex: 'K8s-Node(node-1)', action: 'deliver' }] });
    const far = pathOf(g, nodeVertexId('node-1'), '10.244.2.2');
    const web2 = podNetworkPods(sim).find((p) => p.status.podIP === '10.244.2.2')!;
    expect(vertices(far)).toEqual(['K8s-Node(node-1)', 'node-1/router', 'node-2/router', 'node-2/cni0', vertexOf(web2)]);
    // Locally generated: node-1 does not decrement, node-2 does.
    expect(far.steps.at(-1)!.ttl).toBe(63);
    const r = ping(sim, nodeNsId('node-1'), '10.244.2.2');
    expect(pathNamespaces(g, far)).toEqual(legs(r.trace).request);
  });

  it('a routing loop ends where the engine ends it: TTL exceeded', () => {
    const sim = build();
    const n1 = sim.state.netns[nodeNsId('node-1')]!;
    const n2 = sim.state.netns[nodeNsId('node-2')]!;
    n1.routes.push({ dst: { addr: ip('10.244.9.0'), len: 24 }, via: ip('192.168.49.4'), dev: 'eth0' });
    n2.routes.push({ dst: { addr: ip('10.244.9.0'), len: 24 }, via: ip('192.168.49.3'), dev: 'eth0' });
    const client = sim.pod('default', 'client')!;
    const g = networkGraph(sim.state);
    const path = pathOf(g, vertexOf(client), '10.244.9.9');
    expect(path.outcome).toBe('discarded');
    expect(path.steps.at(-1)!.note).toBe('TTL expired in transit');
    const r = ping(sim, nsOf(client), '10.244.9.9');
    expect(r.outcome.kind).not.toBe('reply');
    expect(legs(r.trace).end).toMatchObject({ action: 'drop', detail: 'TTL expired in transit' });
    expect(pathNamespaces(g, path)).toEqual(legs(r.trace).request);
  });
});

describe('break a link and predict again', () => {
  const setup = () => {
    const sim = build();
    const client = sim.pod('default', 'client')!;
    const web = podNetworkPods(sim).filter((p) => p.metadata.labels?.app === 'web');
    const near = web.find((p) => p.spec.nodeName === client.spec.nodeName)!;
    const far = web.find((p) => p.spec.nodeName !== client.spec.nodeName)!;
    return { sim, client, near, far, g: networkGraph(sim.state) };
  };

  it('cutting the tunnel: the forward entry over it now discards', () => {
    const { g, client, far } = setup();
    const tunnel = findEdge(g, 'node-1/router', `${far.spec.nodeName}/router`)!;
    const before = pathOf(g, vertexOf(client), far.status.podIP!);
    expect(before.outcome).toBe('delivered');
    expect(before.steps.some((s) => s.edge === tunnel.id)).toBe(true);
    const after = pathOf(g, vertexOf(client), far.status.podIP!, new Set([tunnel.id]));
    expect(after.outcome).toBe('discarded');
    expect(after.steps.at(-1)).toMatchObject({ vertex: 'node-1/router', action: 'discard', entry: { match: '10.244.2.0/24', action: 'forward' }, note: `link ${tunnel.id} is down` });
  });

  it("cutting node-1's cable breaks its tunnels (they ride on the LAN) but not pod to pod on node-1", () => {
    const { g, client, near, far } = setup();
    const cable = findEdge(g, 'node-1/router', 'lan')!;
    const down = new Set([cable.id]);
    const across = pathOf(g, vertexOf(client), far.status.podIP!, down);
    expect(across.outcome).toBe('discarded');
    const last = across.steps.at(-1)!;
    expect(last.vertex).toBe('node-1/router');
    expect(last.underlay?.at(-1)).toMatchObject({ vertex: 'node-1/router', action: 'discard', note: `link ${cable.id} is down` });
    expect(pathOf(g, vertexOf(client), near.status.podIP!, down).outcome).toBe('delivered');
  });

  it("cutting a pod's veth: its node can no longer ARP for it", () => {
    const { g, client, far } = setup();
    const veth = findEdge(g, vertexOf(far), `${far.spec.nodeName}/cni0`)!;
    const path = pathOf(g, vertexOf(client), far.status.podIP!, new Set([veth.id]));
    expect(path.steps.at(-1)).toMatchObject({ vertex: 'node-2/router', action: 'discard', note: `no ARP reply for ${far.status.podIP} on cni0: host unreachable` });
  });

  it('the graph-only prediction matches the engine once the device really goes down', () => {
    const cases = [
      { name: 'web pod eth0 down', fault: (s: ReturnType<typeof setup>) => ({ kind: 'interface-down' as const, target: { pod: s.far.metadata.name }, device: 'eth0' }), edge: (s: ReturnType<typeof setup>) => findEdge(s.g, vertexOf(s.far), 'node-2/cni0')! },
      { name: 'node-2 down', fault: () => ({ kind: 'node-down' as const, node: 'node-2' }), edge: (s: ReturnType<typeof setup>) => findEdge(s.g, 'node-2/router', 'lan')! },
      { name: 'node-1 flannel.1 down', fault: () => ({ kind: 'interface-down' as const, target: { node: 'node-1' }, device: 'flannel.1' }), edge: undefined },
      { name: 'node-1 route to node-2 deleted', fault: () => ({ kind: 'route-deleted' as const, node: 'node-1', dst: '10.244.2.0/24' }), edge: undefined },
    ];
    for (const c of cases) {
      const s = setup();
      const predicted = c.edge ? pathOf(s.g, vertexOf(s.client), s.far.status.podIP!, new Set([c.edge(s).id])) : undefined;
      applyFault(s.sim.state, c.fault(s), T0);
      const g = networkGraph(s.sim.state);
      const path = pathOf(g, vertexOf(s.client), s.far.status.podIP!);
      const r = ping(s.sim, nsOf(s.client), s.far.status.podIP!);
      expect(path.outcome, c.name).toBe('discarded');
      expect(r.outcome.kind, c.name).not.toBe('reply');
      expect(pathNamespaces(g, path), c.name).toEqual(legs(r.trace).request);
      if (predicted) {
        expect(predicted.outcome, c.name).toBe('discarded');
        expect(vertices(predicted), c.name).toEqual(vertices(path));
      }
    }
  });
});

describe('pathOf notes', () => {
  it('a Service address is in no table', () => {
    const sim = build();
    const g = networkGraph(sim.state);
    const p = pathOf(g, vertexOf(sim.pod('default', 'client')!), '10.96.0.1');
    expect(p.note).toMatch(/service range 10\.96\.0\.0\/12/);
    expect(pathOf(g, vertexOf(sim.pod('default', 'client')!), '10.244.2.2').note).toBeUndefined();
  });

  it('refuses to start inside a frame switch', () => {
    const g = networkGraph(build().state);
    expect(() => pathOf(g, 'lan', '10.244.1.2')).toThrow(/switch for frames/);
    expect(() => pathOf(g, 'nowhere', '10.244.1.2')).toThrow(/no vertex/);
  });
});

describe('graphText golden (3 nodes, 2 web pods, 1 client)', () => {
  /** Lines with runs of spaces collapsed, so the check reads the content; alignment is checked apart. */
  const norm = (text: string): string[] => text.split('\n').map((l) => l.trim().replace(/\s+/g, ' '));

  /** Every line of `block` appears in `lines`, consecutively and in order. */
  const containsBlock = (lines: string[], block: string[]): boolean => {
    for (let i = 0; i + block.length <= lines.length; i++) if (block.every((b, j) => lines[i + j] === b)) return true;
    return false;
  };

  it('lists what was worked out by hand', () => {
    const sim = build();
    const st = sim.state;
    const mac = (ns: string, dev: string): string => deviceByName(st.netns[ns]!, dev)!.mac;
    const hostVeth = (p: Pod): string => deviceByIndex(st.netns[nodeNsId(p.spec.nodeName!)]!, deviceByName(st.netns[nsOf(p)]!, 'eth0')!.peer!.ifindex)!.name;
    const port = (ns: string): number => st.segments.lan!.ports.findIndex((x) => x.ns === ns);
    const client = sim.pod('default', 'client')!;
    const web = podNetworkPods(sim).filter((p) => p.metadata.labels?.app === 'web');
    // Where the scheduler put them: client and one web pod on node-1, the other web pod on node-2.
    const web1 = web.find((p) => p.spec.nodeName === 'node-1')!;
    const web2 = web.find((p) => p.spec.nodeName === 'node-2')!;
    expect([client.status.podIP, web1.status.podIP, web2.status.podIP]).toEqual(['10.244.1.3', '10.244.1.2', '10.244.2.2']);
    const n1 = nodeNsId('node-1');
    const hostProcs = Object.values(st.k8s.pods).filter((p) => p.spec.hostNetwork && p.spec.nodeName === 'node-1').map((p) => p.metadata.name).sort();

    const lines = norm(graphText(networkGraph(st)));
    const expected = [
      'Network graph: 3 nodes, 5 pods, 18 vertices, 20 links',
      'Pools: nodes 192.168.49.0/24, pods 10.244.0.0/16, services 10.96.0.0/12',
      // vertices of node-1
      'Node node-1',
      `process K8s-Node(node-1) node-1 192.168.49.3 host processes: ${hostProcs.join(', ')}`,
      `switch node-1/router node-1's IP forwarding eth0 192.168.49.3/24 ${mac(n1, 'eth0')}, flannel.1 10.244.1.0/32 ${mac(n1, 'flannel.1')}, cni0 10.244.1.1/24 ${mac(n1, 'cni0')}`,
      `switch node-1/cni0 bridge cni0 cni0 ${mac(n1, 'cni0')}`,
      `process K8s-Pod(default/${web1.metadata.name}) ${web1.metadata.name} 10.244.1.2 eth0 10.244.1.2/24 ${mac(nsOf(web1), 'eth0')}`,
      `process K8s-Pod(default/client) client 10.244.1.3 eth0 10.244.1.3/24 ${mac(nsOf(client), 'eth0')}`,
      '',
      'Node node-2',
    ];
    expect(containsBlock(lines, expected.slice(0, 2))).toBe(true);
    expect(containsBlock(lines, expected.slice(2))).toBe(true);
    for (const l of [
      'Outside the nodes',
      'switch lan LAN 192.168.49.0/24',
      `process gateway gateway 192.168.49.1 eth0 192.168.49.1/24 ${mac('router', 'eth0')}`,
      // links
      `veth K8s-Pod(default/client)[eth0]--node-1/cni0[${hostVeth(client)}] mtu 1450`,
      `veth K8s-Pod(default/${web2.metadata.name})[eth0]--node-2/cni0[${hostVeth(web2)}] mtu 1450`,
      'bridge node-1/cni0[cni0]--node-1/router[cni0] mtu 1450',
      'local K8s-Node(node-1)--node-1/router mtu 65536 host stack',
      `ether node-1/router[eth0]--lan[port${port(n1)}] mtu 1500`,
      `ether gateway[eth0]--lan[port${port('router')}] mtu 1500`,
      'tunnel node-1/router[flannel.1]--node-2/router[flannel.1] mtu 1450 over the LAN: 192.168.49.3 <-> 192.168.49.4',
    ]) {
      expect(lines, l).toContain(l);
    }

    // node-1's IP forwarding: its local table, then the main table longest prefix first.
    expect(
      containsBlock(lines, [
        'Forwarding table of node-1/router',
        'match action via note',
        "192.168.49.3/32 deliver K8s-Node(node-1) local: eth0's address",
        "10.244.1.0/32 deliver K8s-Node(node-1) local: flannel.1's address",
        "10.244.1.1/32 deliver K8s-Node(node-1) local: cni0's address",
        '127.0.0.0/8 deliver K8s-Node(node-1) local: loopback',
        '10.244.0.0/24 forward control-plane/router flannel.1: VXLAN to 192.168.49.2 (control-plane)',
        '10.244.1.0/24 forward node-1/cni0 connected on cni0: ARP for the destination',
        '10.244.2.0/24 forward node-2/router flannel.1: VXLAN to 192.168.49.4 (node-2)',
        '192.168.49.0/24 forward lan connected on eth0: ARP for the destination',
        'default forward lan via 192.168.49.1 (gateway) on eth0',
      ]),
    ).toBe(true);
    // The client decides between "ARP for the destination" and "ARP for the gateway".
    expect(
      containsBlock(lines, [
        'Sending table of K8s-Pod(default/client)',
        'match action via note',
        "10.244.1.3/32 deliver - local: eth0's address",
        '127.0.0.0/8 deliver - local: loopback',
        '10.244.1.0/24 forward node-1/cni0 connected on eth0: ARP for the destination',
        '10.244.0.0/16 forward node-1/cni0 via 10.244.1.1 (node-1/router) on eth0',
        'default forward node-1/cni0 via 10.244.1.1 (node-1/router) on eth0',
      ]),
    ).toBe(true);
    // Nothing has spoken yet: the bridge knows only its own MAC and floods the rest.
    expect(
      containsBlock(lines, [
        'Forwarding table of node-1/cni0',
        'match action via note',
        `${mac(n1, 'cni0')} deliver node-1/router cni0's own MAC: up to node-1's stack`,
        `* forward every port unknown MAC: flood to every port (${hostVeth(web1)}, ${hostVeth(client)})`,
      ]),
    ).toBe(true);
    expect(containsBlock(lines, ['Forwarding table of lan', 'match action via note', '* forward every port unknown MAC: flood to every port'])).toBe(true);
    expect(
      containsBlock(lines, [
        'Sending table of gateway',
        'match action via note',
        "192.168.49.1/32 deliver - local: eth0's address",
        '127.0.0.0/8 deliver - local: loopback',
        '192.168.49.0/24 forward lan connected on eth0: ARP for the destination',
        'default discard - blackhole: leaves the simulated network',
      ]),
    ).toBe(true);

    // After client pings its neighbour, the bridge has learned both pods' MACs (sorted by MAC).
    expect(ping(sim, nsOf(client), '10.244.1.2').outcome.kind).toBe('reply');
    const learned = [
      [mac(nsOf(client), 'eth0'), hostVeth(client)],
      [mac(nsOf(web1), 'eth0'), hostVeth(web1)],
    ].sort(([a], [b]) => (a! < b! ? -1 : 1));
    const after = norm(graphText(networkGraph(st)));
    const vertexOfPort = (veth: string): string => (veth === hostVeth(client) ? 'K8s-Pod(default/client)' : `K8s-Pod(default/${web1.metadata.name})`);
    expect(
      containsBlock(after, [
        'Forwarding table of node-1/cni0',
        'match action via note',
        `${mac(n1, 'cni0')} deliver node-1/router cni0's own MAC: up to node-1's stack`,
        ...learned.map(([m, veth]) => `${m} forward ${vertexOfPort(veth!)} learned on port ${veth}`),
        `* forward every port unknown MAC: flood to every port (${hostVeth(web1)}, ${hostVeth(client)})`,
      ]),
    ).toBe(true);
  });

  it('aligns every table in columns', () => {
    const text = graphText(networkGraph(build().state));
    const blocks = text.split('\n\n').filter((b) => /^(Forwarding|Sending) table of /.test(b));
    expect(blocks.length).toBe(18);
    for (const b of blocks) {
      const [, header, ...rows] = b.split('\n').filter((l) => l !== '');
      const starts = ['action', 'via', 'note'].map((c) => header!.indexOf(c));
      for (const r of rows) {
        for (const s of starts) {
          expect(r[s - 1], `${b}\n${r}`).toBe(' ');
          expect(r[s], `${b}\n${r}`).not.toBe(' ');
        }
      }
    }
  });

  it('marks a link that is down', () => {
    const sim = build();
    applyFault(sim.state, { kind: 'interface-down', target: { pod: 'client' }, device: 'eth0' }, T0);
    const lines = norm(graphText(networkGraph(sim.state)));
    expect(lines.find((l) => l.startsWith('veth K8s-Pod(default/client)[eth0]'))).toMatch(/mtu 1450 DOWN$/);
    // The pod's routes over its down eth0 are gone from its table, as from the kernel's lookup.
    const i = lines.indexOf('Sending table of K8s-Pod(default/client)');
    expect(lines.slice(i + 2, i + 5)).toEqual(["10.244.1.3/32 deliver - local: eth0's address", '127.0.0.0/8 deliver - local: loopback', '* discard - no route: network unreachable']);
  });
});

describe('vertex lists: what the tables predict and what the engine did', () => {
  const setup = (seed = 1) => {
    const sim = build(SPEC_3, seed);
    const client = sim.pod('default', 'client')!;
    const far = podNetworkPods(sim).find((p) => p.metadata.labels?.app === 'web' && p.spec.nodeName !== client.spec.nodeName)!;
    return { sim, client, far };
  };
  const hostVethOf = (sim: Sim, p: Pod): string => deviceByIndex(sim.state.netns[nodeNsId(p.spec.nodeName!)]!, deviceByName(sim.state.netns[nsOf(p)]!, 'eth0')!.peer!.ifindex)!.name;

  it('pod to pod across nodes: the tunnel is written with the LAN its outer packet crosses', () => {
    const { sim, client, far } = setup();
    const g = networkGraph(sim.state);
    const predicted = pathVertices(pathOf(g, vertexOf(client), far.status.podIP!));
    const c = client.spec.nodeName!;
    const f = far.spec.nodeName!;
    expect(predicted).toEqual({ vertices: [vertexOf(client), `${c}/cni0`, `${c}/router`, 'lan', `${f}/router`, `${f}/cni0`, vertexOf(far)], outcome: 'delivered' });
    const r = ping(sim, nsOf(client), far.status.podIP!);
    expect(tracePath(networkGraph(sim.state), r.trace)).toEqual(predicted);
    // Each vertex with the step that sent the message on: the tunnel's start by the inner route, the LAN by its FDB.
    const deciding = decidingSteps(pathOf(g, vertexOf(client), far.status.podIP!));
    expect(deciding.map((d) => d.vertex)).toEqual(predicted.vertices);
    expect(deciding[2]!.step.entry).toMatchObject({ match: far.status.podIP!.replace(/\.\d+$/, '.0/24'), action: 'forward', via: `${f}/router` });
    expect(deciding[3]).toMatchObject({ underlay: true, step: { vertex: 'lan' } });
    expect(deciding[4]!.step.entry).toMatchObject({ match: far.status.podIP!.replace(/\.\d+$/, '.0/24'), via: `${f}/cni0` });
    expect(deciding[6]!.step.action).toBe('deliver');
  });

  it('a node reaches its own pods through its router and bridge; the path starts at K8s-Node', () => {
    const { sim, client } = setup();
    const node = client.spec.nodeName!;
    const g = networkGraph(sim.state);
    const predicted = pathVertices(pathOf(g, nodeVertexId(node), client.status.podIP!));
    expect(predicted.vertices).toEqual([nodeVertexId(node), `${node}/router`, `${node}/cni0`, vertexOf(client)]);
    const r = ping(sim, nodeNsId(node), client.status.podIP!);
    expect(tracePath(networkGraph(sim.state), r.trace)).toEqual(predicted);
    // And back: a pod pinging its node ends at K8s-Node, through the router.
    const back = ping(sim, nsOf(client), sim.state.k8s.nodes[node]!.status.addresses[0]!.address);
    expect(tracePath(networkGraph(sim.state), back.trace).vertices).toEqual([vertexOf(client), `${node}/cni0`, `${node}/router`, nodeVertexId(node)]);
  });

  it('every pair of pods, cold and warm, on three seeds: the same vertices and outcome', () => {
    for (const seed of [1, 2, 17]) {
      const sim = build(SPEC_3, seed);
      const pods = podNetworkPods(sim);
      for (const round of ['cold', 'warm']) {
        for (const a of pods) {
          for (const b of pods) {
            if (a === b) continue;
            const predicted = pathVertices(pathOf(networkGraph(sim.state), vertexOf(a), b.status.podIP!));
            const r = ping(sim, nsOf(a), b.status.podIP!);
            expect(tracePath(networkGraph(sim.state), r.trace), `seed ${seed} ${round}: ${a.metadata.name} -> ${b.metadata.name}`).toEqual(predicted);
          }
        }
      }
    }
  });

  it('broken links and routes, cold and warm: both end in the same discard, at the same vertex', () => {
    type Case = { name: string; fault: (s: ReturnType<typeof setup>) => Fault; at: (c: string, f: string) => string };
    const cases: Case[] = [
      { name: "far pod's eth0 down", fault: (s) => ({ kind: 'interface-down', target: { pod: s.far.metadata.name }, device: 'eth0' }), at: (_c, f) => `${f}/router` },
      { name: "far pod's host veth down", fault: (s) => ({ kind: 'interface-down', target: { node: s.far.spec.nodeName! }, device: hostVethOf(s.sim, s.far) }), at: (_c, f) => `${f}/router` },
      { name: "far node's eth0 down", fault: (s) => ({ kind: 'interface-down', target: { node: s.far.spec.nodeName! }, device: 'eth0' }), at: (c) => `${c}/router` },
      { name: "client node's eth0 down", fault: (s) => ({ kind: 'interface-down', target: { node: s.client.spec.nodeName! }, device: 'eth0' }), at: (c) => `${c}/router` },
      { name: "client node's flannel.1 down", fault: (s) => ({ kind: 'interface-down', target: { node: s.client.spec.nodeName! }, device: 'flannel.1' }), at: () => 'gateway' },
      { name: "client node's route deleted", fault: (s) => ({ kind: 'route-deleted', node: s.client.spec.nodeName!, dst: s.far.status.podIP!.replace(/\.\d+$/, '.0/24') }), at: () => 'gateway' },
      { name: 'far node down', fault: (s) => ({ kind: 'node-down', node: s.far.spec.nodeName! }), at: (c) => `${c}/router` },
    ];
    // Warm: the senders still hold the MACs they learned, so the frame goes further and is lost at the next switch.
    const warmAt: Record<string, (c: string, f: string) => string> = {
      "far pod's eth0 down": (_c, f) => `${f}/cni0`,
      "far pod's host veth down": (_c, f) => `${f}/cni0`,
      "far node's eth0 down": () => 'lan',
      'far node down': () => 'lan',
    };
    for (const c of cases) {
      for (const warm of [false, true]) {
        const s = setup();
        if (warm) expect(ping(s.sim, nsOf(s.client), s.far.status.podIP!).outcome.kind).toBe('reply');
        applyFault(s.sim.state, c.fault(s), T0);
        const what = `${c.name}, ${warm ? 'warm' : 'cold'}`;
        const predicted = pathVertices(pathOf(networkGraph(s.sim.state), vertexOf(s.client), s.far.status.podIP!));
        const r = ping(s.sim, nsOf(s.client), s.far.status.podIP!);
        const seen = tracePath(networkGraph(s.sim.state), r.trace);
        expect(predicted.outcome, what).toBe('discarded');
        expect(seen.outcome, what).toBe('discarded');
        expect(seen.vertices, what).toEqual(predicted.vertices);
        const at = (warm ? warmAt[c.name] : undefined) ?? c.at;
        expect(seen.vertices.at(-1), what).toBe(at(s.client.spec.nodeName!, s.far.spec.nodeName!));
      }
    }
  });

  it('a neighbour entry with a MAC nobody has: the frame goes to it without ARP and the bridge floods it to no one', () => {
    const { sim, client } = setup();
    const node = client.spec.nodeName!;
    const n = sim.state.netns[nodeNsId(node)]!;
    n.neigh.push({ ip: ip(client.status.podIP!), dev: 'cni0', mac: '02:00:00:00:00:99', state: 'PERMANENT' });
    const g = networkGraph(sim.state);
    expect(g.vertices.find((v) => v.id === `${node}/router`)!.neighbours).toContainEqual({ dev: 'cni0', ip: client.status.podIP, mac: '02:00:00:00:00:99', state: 'PERMANENT' });
    const path = pathOf(g, nodeVertexId(node), client.status.podIP!);
    expect(path.steps.at(-1)).toMatchObject({ vertex: `${node}/cni0`, action: 'discard', note: 'flooded, but no port that is up leads to 02:00:00:00:00:99' });
    const r = ping(sim, nodeNsId(node), client.status.podIP!);
    expect(r.outcome.kind).not.toBe('reply');
    expect(tracePath(networkGraph(sim.state), r.trace)).toEqual({ ...pathVertices(path), note: 'no device took the frame' });
  });
});
