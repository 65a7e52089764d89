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
import { formatIp } from '../ipv4';
import { deviceByIndex, type Netns } from '../netns';
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
