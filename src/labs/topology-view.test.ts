import { describe, expect, it } from 'vitest';
import type { SessionEvent, TopoElement, TopologyModel, TraceView } from './contract';
import { defineLab } from './schema';
import { networkOverlay, packetOverlay } from './topology-view';
import { openSession } from '../../tests/support/session';

const el = (m: TopologyModel, id: string): TopoElement => {
  const e = m.elements.find((x) => x.id === id);
  if (!e) throw new Error(`no element ${id}: ${m.elements.map((x) => x.id).join(', ')}`);
  return e;
};
const kinds = (m: TopologyModel, kind: TopoElement['kind']): string[] => m.elements.filter((e) => e.kind === kind).map((e) => e.name).sort();
const linksOf = (m: TopologyModel, kind: string): [string, string][] => m.links.filter((l) => l.kind === kind).map((l) => [l.a, l.b]);

/** The first packet's hops of a trace, with the reply that answers it where it arrived (as the path view takes them). */
function packetHops(t: TraceView, packet: number): { hop: TraceView['hops'][number] }[] {
  return t.hops.filter((h) => h.packet === packet || (h.action === 'reply' && t.packets[h.packet]?.cause === packet)).map((hop) => ({ hop }));
}

/** The traces the session sends while `fn` runs. */
async function tracesOf(session: { subscribe(l: (e: SessionEvent) => void): () => void }, fn: () => Promise<unknown>): Promise<TraceView[]> {
  const out: TraceView[] = [];
  const stop = session.subscribe((e) => void (e.type === 'trace' && out.push(e.trace)));
  await fn();
  stop();
  return out;
}

describe('the topology view model', () => {
  it('a Kubernetes cluster: nodes with their stack, bridge, VTEP and pods; the LAN; tunnels; Services linked to their endpoints', async () => {
    const { session } = await openSession({ topology: 'kubernetes-web' });
    const m = session.topologyModel();
    expect(m.name).toBe('kubernetes');
    expect(kinds(m, 'node')).toEqual(['control-plane', 'node-1', 'node-2']);
    expect(kinds(m, 'segment')).toEqual(['lan']);
    expect(kinds(m, 'gateway')).toEqual(['gateway']);
    expect(kinds(m, 'workstation')).toEqual(['workstation']);
    expect(kinds(m, 'service')).toEqual(['kube-dns', 'kubernetes', 'web']);
    expect(m.groups.map((g) => g.id)).toEqual(['group/node/control-plane', 'group/node/node-1', 'group/node/node-2']);

    // node-1 holds its stack, cni0, flannel.1 and the pods the API puts on it.
    const onNode1 = Object.values(session.sim.state.k8s.pods).filter((p) => p.spec.nodeName === 'node-1' && !p.spec.hostNetwork).map((p) => `pod/${p.metadata.namespace}/${p.metadata.name}`);
    expect(onNode1.length).toBeGreaterThan(0);
    expect(new Set(m.groups.find((g) => g.id === 'group/node/node-1')!.members)).toEqual(new Set(['node/node-1', 'node/node-1#cni0', 'node/node-1#flannel.1', ...onNode1]));
    expect(el(m, 'node/node-1#cni0')).toMatchObject({ kind: 'bridge', name: 'cni0', group: 'group/node/node-1', pool: 'pod' });
    expect(el(m, 'node/node-1#flannel.1')).toMatchObject({ kind: 'vtep', name: 'flannel.1', pool: 'pod' });
    // hostNetwork pods have no box of their own: they are listed on their node.
    expect(m.elements.some((e) => e.id.startsWith('pod/kube-system/kube-proxy'))).toBe(false);
    expect(el(m, 'node/node-1').details.facts.find((f) => f.name.startsWith('hostNetwork pods'))?.value).toMatch(/kube-proxy-/);

    // Each pod's veth goes to its node's bridge; each node's eth0 to the LAN; three tunnels for three nodes.
    const client = el(m, 'pod/default/client');
    expect(linksOf(m, 'veth')).toContainEqual(['pod/default/client', `node/${session.sim.pod('default', 'client')!.spec.nodeName!}#cni0`]);
    expect(linksOf(m, 'cable')).toEqual(expect.arrayContaining([['node/node-1', 'segment/lan'], ['workstation', 'segment/lan'], ['router', 'segment/lan']]));
    expect(linksOf(m, 'tunnel')).toHaveLength(3);
    expect(m.links.find((l) => l.kind === 'veth' && l.a === client.id)?.label).toMatch(/^veth pair: eth0 in client, veth[0-9a-f]+ in node-\d$/);

    // The web Service is a box with its ClusterIP, linked to its three ready endpoints.
    const web = el(m, 'service/default/web');
    const svc = session.sim.state.k8s.services['default/web']!;
    expect(web).toMatchObject({ address: svc.spec.clusterIP, pool: 'service', up: true });
    const webPods = Object.values(session.sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web').map((p) => `pod/default/${p.metadata.name}`);
    expect(linksOf(m, 'endpoint').filter(([a]) => a === web.id).map(([, b]) => b).sort()).toEqual(webPods.sort());
    // The kubernetes Service's endpoint is the API server on the control plane's own address.
    expect(linksOf(m, 'endpoint')).toContainEqual(['service/default/kubernetes', 'node/control-plane']);
    expect(m.settling).toBe(false);
  });

  it('gives every address its pool: node, pod and service networks, and external for the rest', async () => {
    const { session } = await openSession({ topology: 'kubernetes-web' });
    const m = session.topologyModel();
    expect(m.pools.map((p) => [p.key, p.name, p.ranges])).toEqual([
      ['node', 'node network', ['192.168.49.0/24']],
      ['pod', 'pod network', ['10.244.0.0/16']],
      ['service', 'service network', ['10.96.0.0/12']],
      ['external', 'external', []],
    ]);
    const node1 = el(m, 'node/node-1');
    expect(node1.details.addresses.map((a) => [a.dev, a.pool])).toEqual([
      ['eth0', 'node'],
      ['flannel.1', 'pod'],
      ['cni0', 'pod'],
    ]);
    expect(node1.title).toBe(`node node-1, ${node1.address} (node network)`);
    expect(el(m, 'pod/default/client').pool).toBe('pod');
    expect(el(m, 'workstation').pool).toBe('node');
    expect(el(m, 'segment/lan')).toMatchObject({ address: '192.168.49.0/24', pool: 'node' });
    // The loopback is outside every pool.
    expect(node1.details.interfaces.find((i) => i.name === 'lo')!.addrs[0]!.pool).toBe('external');
  });

  it("a node's routes are exactly what `ip route` prints on it", async () => {
    const { session, run } = await openSession({ topology: 'kubernetes-web' });
    await run('ssh node-1');
    const printed = (await run('ip route')).stdout.trimEnd().split('\n').map((l) => l.trimEnd());
    expect(el(session.topologyModel(), 'node/node-1').details.routes).toEqual(printed);
  });

  it('fills in only the routing tables asked for', async () => {
    const { session } = await openSession({ topology: 'kubernetes-web' });
    const m = session.topologyModel({ routes: ['node/node-1'] });
    expect(el(m, 'node/node-1').details.routes?.length).toBeGreaterThan(0);
    expect(el(m, 'node/node-2').details.routes).toBeUndefined();
    expect(el(m, 'pod/default/client').details.routes).toBeUndefined();
    expect(m.structureKey).toBe(session.topologyModel().structureKey);
  });

  it('a pod created with kubectl appears: first Pending on its node without an address, then with its address and veth', async () => {
    const { session, run, clock } = await openSession({ topology: 'kubernetes-web' });
    const before = session.topologyModel();
    expect((await run('kubectl run extra --image=nginx')).status).toBe(0);
    const pending = session.topologyModel();
    const node = session.sim.pod('default', 'extra')!.spec.nodeName!;
    expect(el(pending, 'pod/default/extra')).toMatchObject({ kind: 'pod', status: 'Pending', group: `group/node/${node}`, up: true });
    expect(el(pending, 'pod/default/extra').address).toBeUndefined();
    expect(pending.settling).toBe(true);
    expect(pending.structureKey).not.toBe(before.structureKey);

    await clock.sleep(5000);
    const running = session.topologyModel();
    const extra = el(running, 'pod/default/extra');
    expect(extra.address).toBe(session.sim.pod('default', 'extra')!.status.podIP);
    expect(extra).toMatchObject({ pool: 'pod', group: `group/node/${node}` });
    expect(extra.status).toBeUndefined();
    expect(linksOf(running, 'veth')).toContainEqual(['pod/default/extra', `node/${node}#cni0`]);
    expect(running.settling).toBe(false);
    expect(running.structureKey).not.toBe(pending.structureKey);

    // Deleted: gone from the model.
    await run('kubectl delete pod extra');
    expect(session.topologyModel().elements.some((e) => e.id === 'pod/default/extra')).toBe(false);
  });

  it('keeps its structure key when a command changes only what the boxes say, and its ids across calls', async () => {
    const { session, run } = await openSession({ topology: 'kubernetes-web' });
    const a = session.topologyModel();
    await run('ssh node-1');
    await run('ip link set flannel.1 mtu 1400');
    const b = session.topologyModel();
    expect(b.structureKey).toBe(a.structureKey);
    expect(b.elements.map((e) => e.id)).toEqual(a.elements.map((e) => e.id));
    expect(el(b, 'node/node-1#flannel.1').details.interfaces[0]!.mtu).toBe(1400);
    // JSON in, JSON out: the model crosses to a worker unchanged.
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });

  it('a link set down shows as down, on the link and on its box', async () => {
    const { session, run } = await openSession({ topology: 'routed' });
    await run('ssh router-1');
    await run('ip link set eth1 down');
    const m = session.topologyModel();
    expect(m.links.find((l) => l.id === 'cable/host/router-1#eth1')).toMatchObject({ kind: 'cable', a: 'host/router-1', b: 'segment/transit', up: false });
    expect(m.links.find((l) => l.id === 'cable/host/router-1#eth0')!.up).toBe(true);
    expect(el(m, 'host/router-1').details.interfaces.find((i) => i.name === 'eth1')!.up).toBe(false);
    await run('ip link set eth0 down');
    expect(el(session.topologyModel(), 'host/router-1')).toMatchObject({ up: false, status: 'down' });
  });

  it('a node taken down by a fault is down, and so are its cable and its pods', async () => {
    const lab = defineLab({ id: 'topology-node-down', title: 'Node down', summary: 'A node goes down.', topology: { name: 'kubernetes', nodes: 3 }, faults: [{ kind: 'node-down', node: 'node-2' }] });
    const { session } = await openSession({ lab });
    const m = session.topologyModel();
    expect(el(m, 'node/node-2')).toMatchObject({ up: false, status: 'down' });
    expect(m.groups.find((g) => g.id === 'group/node/node-2')!.up).toBe(false);
    expect(m.links.find((l) => l.id === 'cable/node/node-2#eth0')!.up).toBe(false);
    expect(el(m, 'node/node-1')).toMatchObject({ up: true });
  });

  it('Docker hosts: each with its stack and docker0; a container appears on its bridge, a user network as a bridge of its own', async () => {
    const { session, run } = await openSession({ topology: 'docker' });
    let m = session.topologyModel();
    expect(m.name).toBe('docker');
    expect(m.groups.map((g) => [g.id, g.kind])).toEqual([
      ['group/host/host-1', 'host'],
      ['group/host/host-2', 'host'],
    ]);
    expect(el(m, 'host/host-1#docker0')).toMatchObject({ kind: 'bridge', address: '172.17.0.1', pool: 'pod', group: 'group/host/host-1' });
    expect(kinds(m, 'segment')).toEqual(['lan', 'wan']);
    expect(el(m, 'internet').pool).toBe('external');
    expect(m.pools.map((p) => p.name)).toEqual(['host network', 'container networks', 'external']);

    await run('ssh host-1');
    await run('docker network create appnet');
    await run('docker run -d --name web nginx');
    await run('docker run -d --name c1 --network appnet busybox sleep 3600');
    m = session.topologyModel();
    const web = m.elements.find((e) => e.kind === 'container' && e.name === 'web')!;
    const c1 = m.elements.find((e) => e.kind === 'container' && e.name === 'c1')!;
    expect(web).toMatchObject({ group: 'group/host/host-1', pool: 'pod' });
    expect(web.address).toMatch(/^172\.17\.0\.\d+$/);
    expect(web.title).toMatch(/^container web on host-1, 172\.17\.0\.\d+ \(container networks\)$/);
    const appnet = m.elements.find((e) => e.kind === 'bridge' && e.name.startsWith('br-'))!;
    expect(appnet.group).toBe('group/host/host-1');
    expect(linksOf(m, 'veth')).toEqual(expect.arrayContaining([[web.id, 'host/host-1#docker0'], [c1.id, appnet.id]]));
    expect(m.pools.find((p) => p.key === 'pod')!.ranges).toHaveLength(2);
    expect(web.details.facts).toContainEqual({ name: 'Image', value: 'nginx' });
  });

  it('the routed topology: hosts and routers on two LANs and a transit link; no cluster pools', async () => {
    const { session } = await openSession({ topology: 'routed' });
    const m = session.topologyModel();
    expect(kinds(m, 'router')).toEqual(['router-1', 'router-2']);
    expect(kinds(m, 'host')).toEqual(['host-1', 'host-2']);
    expect(kinds(m, 'segment')).toEqual(['lan-1', 'lan-2', 'transit']);
    expect(m.groups).toEqual([]);
    expect(m.pools).toEqual([{ key: 'external', name: 'external', ranges: [] }]);
    expect(m.elements.filter((e) => e.address).every((e) => e.pool === 'external')).toBe(true);
    expect(el(m, 'host/router-1').title).toBe('router router-1, 192.168.1.1');
    expect(linksOf(m, 'cable')).toEqual(expect.arrayContaining([['host/router-1', 'segment/transit'], ['host/router-2', 'segment/transit']]));
  });

  it("a ping's way on the picture: the pod, its bridge, the node's stack, the VTEP, the LAN, the tunnel, and the far pod", async () => {
    const { session, run } = await openSession({ topology: 'kubernetes-web' });
    const client = session.sim.pod('default', 'client')!;
    const far = Object.values(session.sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web' && p.spec.nodeName !== client.spec.nodeName)!;
    const traces = await tracesOf(session, () => run(`kubectl exec client -- ping -c 1 ${far.status.podIP}`));
    const hops = packetHops(traces.at(-1)!, 0).map((h) => h.hop);
    const m = session.topologyModel();
    const o = packetOverlay(m, hops);
    const a = client.spec.nodeName!;
    const b = far.spec.nodeName!;
    expect(o.elements).toEqual(['pod/default/client', `node/${a}#cni0`, `node/${a}`, `node/${a}#flannel.1`, 'segment/lan', `node/${b}`, `node/${b}#flannel.1`, `node/${b}#cni0`, `pod/default/${far.metadata.name}`]);
    const tunnel = m.links.find((l) => l.kind === 'tunnel' && [l.a, l.b].sort().join() === [`node/${a}#flannel.1`, `node/${b}#flannel.1`].sort().join())!;
    expect(o.links).toContain(tunnel.id);
    expect(o.links).toContain(m.links.find((l) => l.kind === 'veth' && l.a === 'pod/default/client')!.id);
    expect(o.links).toContain(`cable/node/${a}#eth0`);
    // ARP is not the packet's way: no ARP step is listed.
    expect(o.steps.some((s) => s.action.startsWith('arp-'))).toBe(false);
    expect(o.steps[0]).toMatchObject({ element: 'pod/default/client', action: 'route' });
    expect(o.steps.at(-1)).toMatchObject({ element: `pod/default/${far.metadata.name}`, action: 'reply' });
  });

  it("a request to a Service's address marks the Service and the endpoint it was sent to", async () => {
    const { session, run } = await openSession({ topology: 'kubernetes-web' });
    const traces = await tracesOf(session, () => run('kubectl exec client -- wget -q -O /dev/null http://web/'));
    const clusterIP = session.sim.state.k8s.services['default/web']!.spec.clusterIP!;
    // The DNS query to kube-dns comes first; the connection to web's ClusterIP after it.
    const t = traces.find((x) => x.hops.some((h) => h.action === 'dnat' && h.nat?.before.dst === clusterIP))!;
    const hops = packetHops(t, 0).map((h) => h.hop);
    const to = hops.find((h) => h.action === 'dnat')!.nat!.after.dst;
    const m = session.topologyModel();
    const o = packetOverlay(m, hops);
    const pod = m.elements.find((e) => e.kind === 'pod' && e.address === to)!;
    expect(o.elements).toContain('service/default/web');
    expect(o.links).toContain(`endpoint/service/default/web--${pod.id}`);
  });

  it('the network model: processes, switches and tables from the graph, with pools; a ping on it', async () => {
    const { session, run } = await openSession({ topology: 'kubernetes-web' });
    const n = session.networkModel();
    const router = n.vertices.find((v) => v.id === 'node-1/router')!;
    expect(router).toMatchObject({ kind: 'switch', role: 'router' });
    expect(router.table.map((e) => e.action)).toEqual(expect.arrayContaining(['deliver', 'forward']));
    expect(router.addresses.find((a) => a.dev === 'eth0')!.pool).toBe('node');
    expect(n.vertices.find((v) => v.id === 'K8s-Pod(default/client)')!.addresses[0]!.pool).toBe('pod');
    expect(n.vertices.find((v) => v.id === 'lan')!.table.at(-1)).toMatchObject({ match: '*', action: 'forward', flood: true });
    expect(JSON.parse(JSON.stringify(n))).toEqual(n);
    expect(session.networkModel().structureKey).toBe(n.structureKey);

    const client = session.sim.pod('default', 'client')!;
    const far = Object.values(session.sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web' && p.spec.nodeName !== client.spec.nodeName)!;
    const traces = await tracesOf(session, () => run(`kubectl exec client -- ping -c 1 ${far.status.podIP}`));
    const o = networkOverlay(session.networkModel(), packetHops(traces.at(-1)!, 0).map((h) => h.hop));
    const a = client.spec.nodeName!;
    const b = far.spec.nodeName!;
    expect(o.elements[0]).toBe('K8s-Pod(default/client)');
    expect(o.elements).toEqual(expect.arrayContaining([`${a}/cni0`, `${a}/router`, 'lan', `${b}/router`, `${b}/cni0`, `K8s-Pod(default/${far.metadata.name})`]));
    expect(o.links.some((id) => id.startsWith(`${[a, b].sort()[0]}/router[flannel.1]--`))).toBe(true);
  });
});
