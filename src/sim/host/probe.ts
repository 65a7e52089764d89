/**
 * A connection that leaves the model as it found it: what `ssh` opens to port 22 before the
 * login the sandbox gives it.
 *
 * Design notes: the connection's packets cross the model like any other (routes, rules and
 * listeners decide whether it opens, and trace listeners see them), but afterwards the RNG,
 * every namespace's IP identification counter, conntrack and neighbour tables, iptables
 * counters and TCP sockets, and the LAN switches' tables are as before. A real session's connection would stay
 * ESTABLISHED in conntrack for as long as the session lasts; the sandbox keeps no connection
 * beyond a command, and a closed one would show as TIME_WAIT instead, so it leaves none. A
 * namespace that left its mesh on the way (mesh.ts: a confirmation of a neighbour it held
 * there) is put back in it, with its own routes and FDB entries as they were.
 */
import { clone } from '../clone';
import type { SimState } from '../state';

/** Runs `fn` and puts back the network state its packets changed. */
export function withoutTrace<T>(state: SimState, fn: () => T): T {
  const rng = [...state.rng];
  const saved = Object.values(state.netns).map((ns) => ({
    ns,
    ipId: ns.ipId,
    nf: ns.nf && clone(ns.nf),
    conntrack: ns.conntrack && clone(ns.conntrack),
    neigh: clone(ns.neigh),
    tcpSockets: ns.tcpSockets && clone(ns.tcpSockets),
    ...(ns.mesh !== undefined ? { mesh: { id: ns.mesh, routes: [...ns.routes], fdbs: ns.devices.filter((d) => d.vxlan).map((d) => ({ d, fdb: { ...d.vxlan!.fdb } })) } } : {}),
  }));
  const fdbs = Object.values(state.segments).map((s) => ({ s, fdb: { ...s.fdb } }));
  try {
    return fn();
  } finally {
    // The RNG's words in place: the Sim's generator reads this very array.
    rng.forEach((w, i) => (state.rng[i] = w));
    for (const x of saved) {
      x.ns.ipId = x.ipId;
      x.ns.neigh = x.neigh;
      if (x.nf) x.ns.nf = x.nf;
      if (x.conntrack) x.ns.conntrack = x.conntrack;
      else delete x.ns.conntrack;
      if (x.tcpSockets) x.ns.tcpSockets = x.tcpSockets;
      else delete x.ns.tcpSockets;
      if (x.mesh && x.ns.mesh === undefined) {
        x.ns.mesh = x.mesh.id;
        x.ns.routes = x.mesh.routes;
        for (const f of x.mesh.fdbs) f.d.vxlan!.fdb = f.fdb;
      }
    }
    for (const f of fdbs) f.s.fdb = f.fdb;
  }
}
