/**
 * Properties of a machine a root shell changes: whatever sequence of `ip` and `bridge` write
 * commands runs on a Docker host (links added, set, moved between namespaces and deleted;
 * addresses, routes, neighbours and FDB entries added and deleted; namespaces added and
 * deleted), the model stays consistent and every packet still gets a trace:
 *   1. every veth's peer exists and names it back; every master exists in the same namespace
 *      and is a bridge; every route (but a blackhole), neighbour, FDB entry and vxlan lower
 *      device names a device of its namespace; names and interface indexes are unique;
 *   2. a ping from every namespace of the machine to every address in it (and beyond) is traced
 *      without throwing;
 *   3. no command reports an internal error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';
import { nodeNsId } from '../cni';
import { formatIp, ip } from '../ipv4';
import { leaveMesh } from '../mesh';
import { deviceByIndex, deviceByName, neighboursOf, routesOf, vxlanFdbOf, type Netns } from '../netns';
import type { SimState } from '../state';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);

const DEVS = ['v0', 'v1', 'v2', 'v3', 'br0', 'br1', 'vx0', 'd0', 'eth0', 'lo', 'docker0'];
const NSS = ['ns1', 'ns2'];
const ADDRS = ['10.0.0.1/24', '10.0.0.2/24', '10.0.0.3', '10.0.1.1/24', '192.168.56.50/24', '10.0.0.1/16'];
const DSTS = ['10.9.0.0/16', 'default', '10.0.1.0/24', '192.168.56.0/24', '8.8.8.8'];
const GWS = ['10.0.0.254', '10.0.1.9', '192.168.56.1', '10.0.0.1'];
const MACS = ['02:00:00:00:00:01', '02:00:00:00:00:02', '00:00:00:00:00:00'];

const dev = fc.constantFrom(...DEVS);
const nsName = fc.constantFrom(...NSS);
const prefix = fc.constantFrom('', 'ip -n ns1 ', 'ip -n ns2 ', 'ip netns exec ns1 ip ');

/** One write command, with an optional namespace prefix where it makes sense. */
const command: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(prefix, dev, dev).map(([p, a, b]) => `${p || 'ip '}link add ${a} type veth peer name ${b}`.replace('ip ip ', 'ip ').replace(/^ip -n (\S+) ip /, 'ip -n $1 ')),
  fc.tuple(dev).map(([a]) => `ip link add ${a} type bridge`),
  fc.tuple(dev, fc.constantFrom('', ' local 192.168.56.11', ' dev eth0', ' remote 192.168.56.12')).map(([a, o]) => `ip link add ${a} type vxlan id 42 dstport 4789${o}`),
  fc.tuple(dev).map(([a]) => `ip link add ${a} type dummy`),
  fc.tuple(prefix, dev, fc.constantFrom('up', 'down')).map(([p, a, s]) => `${p || 'ip '}link set ${a} ${s}`),
  fc.tuple(dev, dev).map(([a, b]) => `ip link set ${a} master ${b}`),
  fc.tuple(dev).map(([a]) => `ip link set ${a} nomaster`),
  fc.tuple(dev, fc.constantFrom(...NSS, '1', '1876')).map(([a, n]) => `ip link set ${a} netns ${n}`),
  fc.tuple(nsName, dev).map(([n, a]) => `ip -n ${n} link set ${a} netns 1`),
  fc.tuple(dev, dev).map(([a, b]) => `ip link set ${a} name ${b}`),
  fc.tuple(dev, fc.constantFrom('1400', '9000', '68', '70000')).map(([a, m]) => `ip link set ${a} mtu ${m}`),
  fc.tuple(dev, fc.constantFrom(...MACS)).map(([a, m]) => `ip link set ${a} address ${m}`),
  fc.tuple(prefix, dev).map(([p, a]) => `${p || 'ip '}link del ${a}`),
  fc.tuple(prefix, fc.constantFrom('add', 'del'), fc.constantFrom(...ADDRS), dev).map(([p, v, a, d]) => `${p || 'ip '}addr ${v} ${a} dev ${d}`),
  fc.tuple(dev).map(([d]) => `ip addr flush dev ${d}`),
  fc.tuple(prefix, fc.constantFrom('add', 'replace', 'del', 'change', 'append'), fc.constantFrom(...DSTS), fc.constantFrom('', ...GWS.map((g) => ` via ${g}`)), fc.constantFrom('', ' dev v0', ' dev br0', ' dev eth0 onlink', ' metric 5')).map(
    ([p, v, d, g, o]) => `${p || 'ip '}route ${v} ${d}${g}${o}`,
  ),
  fc.tuple(fc.constantFrom('add blackhole 10.7.0.0/16', 'flush dev v0', 'flush 10.0.0.0/24', 'flush proto static')).map(([r]) => `ip route ${r}`),
  fc.tuple(prefix, fc.constantFrom('add', 'replace', 'del'), fc.constantFrom('10.0.0.7', '192.168.56.77'), dev, fc.constantFrom('', ' nud reachable', ' nud noarp')).map(
    ([p, v, ip, d, n]) => `${p || 'ip '}neigh ${v} ${ip} lladdr 02:00:00:00:00:07 dev ${d}${n}`,
  ),
  fc.tuple(dev).map(([d]) => `ip neigh flush dev ${d}`),
  fc.tuple(fc.constantFrom('add', 'del', 'replace', 'append'), fc.constantFrom(...MACS), dev, fc.constantFrom('', ' master', ' master static', ' self dst 192.168.56.12', ' dst 192.168.56.13')).map(
    ([v, m, d, o]) => `bridge fdb ${v} ${m} dev ${d}${o}`,
  ),
  fc.tuple(fc.constantFrom('add', 'del', 'delete'), nsName).map(([v, n]) => `ip netns ${v} ${n}`),
);

/** What must hold of every namespace whatever the commands did. */
function inconsistencies(state: SimState): string[] {
  const out: string[] = [];
  for (const ns of Object.values(state.netns)) {
    const where = (d: string): string => `${ns.id}: ${d}`;
    const names = new Set<string>();
    const indexes = new Set<number>();
    for (const d of ns.devices) {
      if (names.has(d.name)) out.push(where(`two devices named ${d.name}`));
      if (indexes.has(d.ifindex)) out.push(where(`two devices with index ${d.ifindex}`));
      names.add(d.name);
      indexes.add(d.ifindex);
      if (d.peer) {
        const other = state.netns[d.peer.ns];
        const p = other && deviceByIndex(other, d.peer.ifindex);
        if (!p) out.push(where(`${d.name}'s peer ${d.peer.ns}#${d.peer.ifindex} is missing`));
        else if (!p.peer || p.peer.ns !== ns.id || p.peer.ifindex !== d.ifindex) out.push(where(`${d.name}'s peer ${p.name} does not name it back`));
      }
      if (d.master) {
        const br = ns.devices.find((x) => x.name === d.master);
        if (!br || br.kind !== 'bridge') out.push(where(`${d.name}'s master ${d.master} is not a bridge here`));
      }
      for (const [mac, e] of Object.entries(d.fdb ?? {})) {
        const port = ns.devices.find((x) => x.name === e.port);
        if (!port || port.master !== d.name) out.push(where(`${d.name}'s FDB entry ${mac} points at ${e.port}, not its port`));
      }
      if (d.vxlan?.dev && !names.has(d.vxlan.dev) && !ns.devices.some((x) => x.name === d.vxlan!.dev)) out.push(where(`${d.name}'s lower device ${d.vxlan.dev} is missing`));
    }
    for (const r of ns.routes) if (r.type !== 'blackhole' && !names.has(r.dev)) out.push(where(`route to ${formatIp(r.dst.addr)}/${r.dst.len} uses missing ${r.dev}`));
    for (const n of ns.neigh) if (!names.has(n.dev)) out.push(where(`neighbour ${formatIp(n.ip)} on missing ${n.dev}`));
  }
  return out;
}

function machineNamespaces(state: SimState): Netns[] {
  return Object.values(state.netns).filter((n) => n.id === 'host/host-1' || n.id.startsWith('netns/host-1/') || n.id.startsWith('container/host-1/'));
}

describe('a Docker host changed by ip and bridge commands', () => {
  it('stays consistent, and every ping still gets a trace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 3, maxLength: 30 }), async (cmds) => {
        const t = await openSession({ topology: 'docker', seed: 1 });
        await t.run('ssh host-1');
        // A container, so that its veth and docker0's port can be renamed, moved and deleted too.
        await t.run('docker run -d --name c1 busybox sleep 3600');
        // A start most sequences build on: a namespace, a veth pair, a bridge.
        for (const c of ['ip netns add ns1', 'ip link add v0 type veth peer name v1', 'ip link add br0 type bridge', 'ip link set v1 master br0']) await t.run(c);
        for (const c of cmds) {
          const r = await t.run(c);
          expect(r.stderr, c).not.toContain('internal error');
          // The ssh session may hang when a command cuts the host off; `~.` leaves it.
          if (t.session.prompt() === '') {
            await t.run('~.');
            await t.run('ssh host-1');
          }
        }
        const state = t.session.sim.state;
        expect(inconsistencies(state), cmds.join('\n')).toEqual([]);
        const targets = [...new Set(machineNamespaces(state).flatMap((n) => n.devices.flatMap((d) => d.addrs.map((a) => a.ip))))];
        targets.push(0x08080808, 0xc0a8380c);
        for (const ns of machineNamespaces(state)) {
          for (const dst of targets) {
            const r = t.session.sim.ping(ns.id, dst, { id: 1, seq: 1 });
            expect(r.trace.hops.length + r.trace.errors.length, `${ns.id} -> ${formatIp(dst)}`).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});

/**
 * On a Kubernetes node, flannel's routes, neighbours and FDB entries for the other nodes are
 * held through a mesh (mesh.ts), stored once for every node. Whatever sequence of write
 * commands runs on node-1, the mesh is invisible: every command answers, and every node's
 * tables and pings end, exactly as on the same cluster whose nodes hold private copies of
 * those entries (each made to leave the mesh first); and the other nodes' tables and the mesh
 * itself do not change.
 */
const MESH_DEVS = ['flannel.1', 'eth0', 'cni0', 'lo', 'v0', 'fl0'];
const MESH_DSTS = ['10.244.2.0/24', '10.244.0.0/24', '10.244.0.0/16', '10.99.0.0/16', 'default'];
const MESH_GWS = ['10.244.2.0', '10.244.0.0', '192.168.49.4', '192.168.49.1'];
const MESH_NEIGH = ['10.244.2.0', '10.244.0.0', '192.168.49.77'];
/** Stand-ins for the VTEP MACs of control-plane and node-2, filled in from the cluster. */
const VTEP = ['VTEP0', 'VTEP2', '02:00:00:00:00:09'];

const meshDev = fc.constantFrom(...MESH_DEVS);
const meshCommand: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('add', 'replace', 'del', 'change', 'append', 'prepend'), fc.constantFrom(...MESH_DSTS), fc.constantFrom('', ...MESH_GWS.map((g) => ` via ${g}`)), fc.constantFrom('', ' dev flannel.1 onlink', ' dev eth0', ' metric 5')).map(
    ([v, d, g, o]) => `ip route ${v} ${d}${g}${o}`,
  ),
  fc.constantFrom('ip route flush dev flannel.1', 'ip route flush 10.244.2.0/24', 'ip route flush root 10.244.0.0/16', 'ip route flush proto kernel', 'ip route get 10.244.2.9', 'ip route show match 10.244.0.5'),
  fc.tuple(fc.constantFrom('add', 'replace', 'change', 'del'), fc.constantFrom(...MESH_NEIGH), meshDev, fc.constantFrom('', ' nud reachable', ' nud noarp')).map(([v, a, d, n]) => `ip neigh ${v} ${a} lladdr 02:00:00:00:00:07 dev ${d}${n}`),
  fc.constantFrom('ip neigh flush dev flannel.1', 'ip neigh flush dev flannel.1 nud all', 'ip -s neigh flush all', 'ip neigh flush 10.244.0.0/16 nud permanent'),
  fc.tuple(fc.constantFrom('add', 'del', 'replace', 'append'), fc.constantFrom(...VTEP), fc.constantFrom('', ' dst 192.168.49.4', ' dst 192.168.49.9')).map(([v, m, o]) => `bridge fdb ${v} ${m} dev flannel.1 self${o}`),
  fc.tuple(meshDev, fc.constantFrom('up', 'down')).map(([d, s]) => `ip link set ${d} ${s}`),
  fc.tuple(meshDev, meshDev).map(([a, b]) => `ip link set ${a} name ${b}`),
  fc.tuple(meshDev).map(([d]) => `ip link del ${d}`),
  fc.constantFrom('ip route', 'ip neigh', 'ip -s neigh show dev flannel.1', 'bridge fdb show', 'ip -d link show flannel.1'),
  fc.constantFrom('ip link add v0 type veth peer name v1', 'ip netns add ns1', 'ip link set flannel.1 netns ns1', 'ip link set fl0 netns ns1', 'ip -n ns1 link set flannel.1 netns 1', 'ip addr add 10.244.1.0/24 dev flannel.1', 'ip addr flush dev flannel.1'),
);

/**
 * What a namespace's tables hold: routes (as a set: the kernel lists them in its trie's order,
 * not in the order they were stored), neighbours and each vxlan device's FDB (in order, as
 * `ip neigh` and `bridge fdb` list them).
 */
function tables(state: SimState, id: string): string {
  const ns = state.netns[id];
  if (!ns) return 'none';
  const routes = routesOf(ns, state)
    .map((r) => JSON.stringify(r))
    .sort();
  return JSON.stringify([routes, neighboursOf(ns, state), ns.devices.filter((d) => d.vxlan).map((d) => [d.name, vxlanFdbOf(ns, d, state)])]);
}

describe('a Kubernetes node holding flannel\'s mesh, changed by ip and bridge commands', () => {
  it('answers and forwards as with private copies of the entries, and changes no other node', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(meshCommand, { minLength: 1, maxLength: 12 }), async (cmds) => {
        const shared = await openSession({ topology: 'kubernetes', seed: 1 });
        const own = await openSession({ topology: 'kubernetes', seed: 1 });
        const ownState = own.session.sim.state;
        for (const ns of Object.values(ownState.netns)) leaveMesh(ns, ownState);
        const state = shared.session.sim.state;
        const nodes = Object.keys(state.k8s.nodes).map((n) => nodeNsId(n));
        const others = nodes.filter((id) => id !== nodeNsId('node-1'));
        expect(others.every((id) => state.netns[id]!.mesh !== undefined)).toBe(true);
        const before = { others: others.map((id) => tables(state, id)), meshes: JSON.stringify(state.meshes) };
        const vtep = (node: string): string => deviceByName(state.netns[nodeNsId(node)]!, 'flannel.1')!.mac;
        const lines = cmds.map((c) => c.replace('VTEP0', vtep('control-plane')).replace('VTEP2', vtep('node-2')));
        for (const t of [shared, own]) await t.run('ssh node-1');
        for (const c of lines) {
          const a = await shared.run(c);
          const b = await own.run(c);
          expect(a, c).toEqual(b);
          expect(a.stderr, c).not.toContain('internal error');
          for (const t of [shared, own]) {
            if (t.session.prompt() === '') {
              await t.run('~.');
              await t.run('ssh node-1');
            }
          }
        }
        const why = lines.join('\n');
        expect(others.map((id) => tables(state, id)), why).toEqual(before.others);
        expect(JSON.stringify(state.meshes), why).toBe(before.meshes);
        for (const id of nodes) expect(tables(state, id), `${why}\n${id}`).toBe(tables(ownState, id));
        const targets = [ip('10.244.0.1'), ip('10.244.2.1'), ip('192.168.49.2'), ip('192.168.49.4'), ip('10.244.2.0')];
        for (const from of nodes) {
          for (const dst of targets) {
            const a = shared.session.sim.ping(from, dst, { id: 1, seq: 1 }).trace.hops.map((h) => `${h.ns} ${h.action} ${h.detail}`);
            const b = own.session.sim.ping(from, dst, { id: 1, seq: 1 }).trace.hops.map((h) => `${h.ns} ${h.action} ${h.detail}`);
            expect(a, `${why}\n${from} -> ${formatIp(dst)}`).toEqual(b);
          }
        }
      }),
      { numRuns: Math.max(5, Math.round(RUNS / 2)) },
    );
  }, 300_000);
});
