import { describe, expect, it } from 'vitest';
import { clone } from './clone';
import { VirtualClock } from './clock';
import { FLANNEL_MESH, nodeNsId } from './cni';
import { applyFault } from './faults';
import { withoutTrace } from './host/probe';
import { formatCidr, formatIp, ip } from './ipv4';
import { leaveMesh } from './mesh';
import { neighbourTable } from './forward';
import { arpInput, confirm, GC_PERIOD, resolve, type NeighEnv } from './neigh';
import { deviceByName, lookupNeighbour, lookupRoute, lookupVxlanFdb, neighbourCount, neighboursOf, routesOf, vxlanFdbOf, type Netns } from './netns';
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
  for (const m of Object.values(sim.state.meshes ?? {})) for (const x of m.members) n += x.routes.length + x.neigh.length + x.fdb.length;
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

  it('counts the neighbour entries a namespace holds as its listing does, without listing them', () => {
    const sim = build(4);
    const n1 = node(sim, 'node-1');
    const same = (ns: Netns): void => expect(neighbourCount(ns, sim.state)).toBe(neighboursOf(ns, sim.state).length);
    same(n1);
    // An own entry that shadows a mesh one, and one alongside.
    n1.neigh.push({ ip: ip('10.244.2.0'), dev: 'flannel.1', mac: '02:00:00:00:00:01', state: 'PERMANENT' }, { ip: ip('192.168.49.9'), dev: 'eth0', mac: '02:00:00:00:00:02', state: 'STALE' });
    same(n1);
    expect(neighbourCount(n1, sim.state)).toBe(4);
    n1.devices = n1.devices.filter((d) => d.name !== 'flannel.1');
    same(n1);
    leaveMesh(node(sim, 'node-2'), sim.state);
    same(node(sim, 'node-2'));
    same(node(sim, 'node-3'));
  });

  it('is rejoined after a connection that leaves no trace made a node leave it', () => {
    const sim = build(3);
    const n1 = node(sim, 'node-1');
    const vx = deviceByName(n1, 'flannel.1')!;
    const view = (): string => JSON.stringify([routesOf(n1, sim.state), neighboursOf(n1, sim.state), vxlanFdbOf(n1, vx, sim.state)]);
    const before = view();
    withoutTrace(sim.state, () => confirm(n1, 'flannel.1', ip('10.244.2.0'), { seed: sim.state.seed, now: T0 + 1000, origin: sim.state.createdAt, shared: sim.state }));
    expect(n1.mesh).toBe(FLANNEL_MESH);
    expect(n1.routes.filter((r) => r.dev === 'flannel.1')).toEqual([]);
    expect(view()).toBe(before);
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

describe('flannel mesh and the neighbour state machine', () => {
  const env = (sim: Sim, now: number): NeighEnv => ({ seed: sim.state.seed, now, origin: sim.state.createdAt, shared: sim.state });
  const HOUR = 3_600_000;

  it('lists the mesh entries as PERMANENT, without times, however long the sandbox runs', () => {
    const sim = build(3);
    const later = T0 + 10 * HOUR;
    const held = neighbourTable(sim.state, nodeNsId('node-1'), later).filter((n) => n.dev === 'flannel.1');
    expect(held.map((n) => [formatIp(n.ip), n.state, n.updated, n.confirmed, n.used])).toEqual([
      ['10.244.0.0', 'PERMANENT', undefined, undefined, undefined],
      ['10.244.2.0', 'PERMANENT', undefined, undefined, undefined],
    ]);
    expect(node(sim, 'node-1').mesh).toBe(FLANNEL_MESH);
    expect(node(sim, 'node-1').neigh).toEqual([]);
  });

  it('sends through a mesh entry and ignores ARP about it, leaving it shared', () => {
    const sim = build(3);
    const n1 = node(sim, 'node-1');
    const meshes = JSON.stringify(sim.state.meshes);
    const vtep2 = deviceByName(node(sim, 'node-2'), 'flannel.1')!.mac;
    expect(resolve(n1, 'flannel.1', ip('10.244.2.0'), env(sim, T0 + HOUR))).toEqual({ kind: 'send', mac: vtep2 });
    const n = arpInput(n1, 'flannel.1', { op: 1, sha: '02:00:00:00:00:99', spa: ip('10.244.2.0'), tha: '00:00:00:00:00:00', tpa: ip('10.244.1.0') }, { unicast: false, forUs: true }, env(sim, T0 + HOUR));
    expect(n?.mac).toBe(vtep2);
    expect(n1.mesh).toBe(FLANNEL_MESH);
    expect(n1.neigh).toEqual([]);
    expect(JSON.stringify(sim.state.meshes)).toBe(meshes);
  });

  it('a confirmation changes a mesh entry on its namespace only (copy-on-write)', () => {
    const sim = build(3);
    const n1 = node(sim, 'node-1');
    const at = T0 + HOUR;
    confirm(n1, 'flannel.1', ip('10.244.2.0'), env(sim, at));
    expect(n1.mesh).toBeUndefined();
    expect(lookupNeighbour(n1, 'flannel.1', ip('10.244.2.0'))).toMatchObject({ state: 'PERMANENT', confirmed: at });
    for (const other of ['control-plane', 'node-2']) {
      expect(node(sim, other).mesh).toBe(FLANNEL_MESH);
      expect(neighboursOf(node(sim, other), sim.state).every((x) => x.confirmed === undefined)).toBe(true);
    }
  });

  it('counts the mesh entries toward the garbage collector\'s gc_thresh1, as the kernel counts permanent entries', () => {
    // A learned entry unused for longer than gc_stale_time goes only when the table holds 128 entries or more.
    const stale = (sim: Sim): boolean => {
      const n1 = node(sim, 'node-1');
      n1.neigh.push({ ip: ip('192.168.49.77'), dev: 'eth0', mac: '02:00:00:00:00:77', state: 'STALE', updated: T0, confirmed: T0, used: T0 });
      // The first look starts the collector's clock; it runs at the ticks after that.
      neighbourTable(sim.state, n1.id, T0 + GC_PERIOD);
      return neighbourTable(sim.state, n1.id, T0 + 10 * GC_PERIOD).some((n) => n.ip === ip('192.168.49.77'));
    };
    expect(stale(build(3))).toBe(true);
    const big = build(130);
    expect(stale(big)).toBe(false);
    expect(node(big, 'node-1').mesh).toBe(FLANNEL_MESH);
  });
});

