import { describe, expect, it } from 'vitest';
import { clone } from './clone';
import { VirtualClock } from './clock';
import { FLANNEL_MESH, nodeNsId } from './cni';
import { applyFault } from './faults';
import { formatCidr, ip } from './ipv4';
import { leaveMesh } from './mesh';
import { deviceByName, lookupNeighbour, lookupRoute, lookupVxlanFdb, neighboursOf, routesOf, vxlanFdbOf, type Netns } from './netns';
import { Sim } from './sim';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);
const build = (nodes: number, cni?: 'flannel-host-gw'): Sim => Sim.create({ nodes, ...(cni ? { cni } : {}) }, 3, new VirtualClock(T0));
const node = (sim: Sim, name: string): Netns => sim.state.netns[nodeNsId(name)]!;

/** Route, neighbour and FDB entries stored anywhere in the state (own tables and meshes). */
function stored(sim: Sim): number {
  let n = 0;
  for (const ns of Object.values(sim.state.netns)) {
    n += ns.routes.length + ns.neigh.length;
    for (const d of ns.devices) n += Object.keys(d.vxlan?.fdb ?? {}).length;
  }
  for (const m of Object.values(sim.state.meshes ?? {})) for (const x of m.members) n += (x.route ? 1 : 0) + (x.neigh ? 1 : 0) + (x.fdb ? 1 : 0);
  return n;
}

describe('flannel mesh', () => {
  it('stores each node\'s route, neighbour and FDB entry once: entries grow linearly with the nodes', () => {
    const sizes = [4, 8, 16].map((n) => stored(build(n)));
    // Doubling the nodes adds the same number of entries each time (linear), where one copy per
    // node pair would quadruple them.
    expect(sizes[2]! - sizes[1]!).toBe(2 * (sizes[1]! - sizes[0]!));
    const sim = build(16);
    const held = routesOf(node(sim, 'node-1'), sim.state).filter((r) => r.dev === 'flannel.1');
    expect(held).toHaveLength(15);
  });

  it('answers lookups as the own tables would: route, neighbour, FDB', () => {
    const sim = build(3);
    const n1 = node(sim, 'node-1');
    const vx = deviceByName(n1, 'flannel.1')!;
    const r = lookupRoute(n1, ip('10.244.2.7'), sim.state)!;
    expect([formatCidr(r.dst), r.dev, r.onlink]).toEqual(['10.244.2.0/24', 'flannel.1', true]);
    const n = lookupNeighbour(n1, 'flannel.1', ip('10.244.2.0'), sim.state)!;
    expect(n.mac).toBe(deviceByName(node(sim, 'node-2'), 'flannel.1')!.mac);
    expect(lookupVxlanFdb(n1, vx, n.mac, sim.state)).toBe(ip('192.168.49.4'));
    // A node holds no entry for its own subnet (no pod yet, so no cni0: the default route) or VTEP.
    expect(lookupRoute(n1, ip('10.244.1.9'), sim.state)).toMatchObject({ dst: { len: 0 }, dev: 'eth0' });
    expect(lookupVxlanFdb(n1, vx, vx.mac, sim.state)).toBeUndefined();
  });

  it('refuses to read a mesh namespace without the state rather than miss its entries', () => {
    const sim = build(3);
    expect(() => lookupRoute(node(sim, 'node-1'), ip('10.244.2.7'))).toThrow(/mesh flannel/);
  });

  it('copies on write: a route deleted on one node stays on the others, and the node keeps the rest', () => {
    const sim = build(4);
    const before = routesOf(node(sim, 'node-2'), sim.state).map(formatCidr2);
    applyFault(sim.state, { kind: 'route-deleted', node: 'node-1', dst: '10.244.2.0/24' }, T0);
    const n1 = node(sim, 'node-1');
    expect(n1.mesh).toBeUndefined();
    expect(routesOf(n1, sim.state).map(formatCidr2)).not.toContain('10.244.2.0/24');
    expect(routesOf(n1, sim.state).filter((r) => r.dev === 'flannel.1').map(formatCidr2).sort()).toEqual(['10.244.0.0/24', '10.244.3.0/24']);
    expect(neighboursOf(n1, sim.state).filter((x) => x.dev === 'flannel.1')).toHaveLength(3);
    expect(Object.keys(vxlanFdbOf(n1, deviceByName(n1, 'flannel.1')!, sim.state))).toHaveLength(3);
    expect(routesOf(node(sim, 'node-2'), sim.state).map(formatCidr2)).toEqual(before);
    expect(node(sim, 'node-2').mesh).toBe(FLANNEL_MESH);
  });

  it('lists the same entries after leaving the mesh as before, in the same order', () => {
    const sim = build(5);
    const n3 = node(sim, 'node-3');
    const vx = deviceByName(n3, 'flannel.1')!;
    const view = () => JSON.stringify([routesOf(n3, sim.state), neighboursOf(n3, sim.state), vxlanFdbOf(n3, vx, sim.state)]);
    const shared = view();
    leaveMesh(n3, sim.state);
    expect(n3.mesh).toBeUndefined();
    expect(view()).toBe(shared);
  });

  it('lists no mesh entry over a device the namespace no longer has', () => {
    const sim = build(3);
    const n1 = node(sim, 'node-1');
    n1.devices = n1.devices.filter((d) => d.name !== 'flannel.1');
    expect(routesOf(n1, sim.state).filter((r) => r.dev === 'flannel.1')).toEqual([]);
    expect(neighboursOf(n1, sim.state)).toEqual([]);
    expect(lookupRoute(n1, ip('10.244.2.7'), sim.state)).toMatchObject({ dst: { len: 0 }, dev: 'eth0' });
    expect(routesOf(node(sim, 'node-2'), sim.state).filter((r) => r.dev === 'flannel.1')).toHaveLength(2);
  });

  it('survives a JSON round trip, and host-gw routes come from the mesh too', () => {
    const sim = build(3, 'flannel-host-gw');
    const copy = clone(sim.state);
    const r = lookupRoute(copy.netns[nodeNsId('node-1')]!, ip('10.244.2.7'), copy)!;
    expect([formatCidr(r.dst), r.via, r.dev]).toEqual(['10.244.2.0/24', ip('192.168.49.4'), 'eth0']);
  });
});

function formatCidr2(r: { dst: { addr: number; len: number } }): string {
  return formatCidr(r.dst);
}
