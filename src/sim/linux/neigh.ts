/**
 * Neighbour (ARP) entries a root shell adds and deletes: `ip neigh add|replace|change|del|flush`.
 *
 * Design notes: an entry is known by its address and device. `add` refuses one that exists
 * ("File exists"), `change` and `del` one that does not ("No such file or directory"),
 * `replace` does either. An entry needs a link-layer address ("No link layer address given").
 * Entries made this way are permanent unless a `nud` state is given; what ARP learns never
 * overwrites a permanent or noarp entry (netns.ts setNeighbour). A new entry comes first in
 * the table, as the kernel's hash bucket lists it. `flush` leaves permanent and noarp entries
 * alone unless asked for them (`nud permanent`, `nud all`), as iproute2's filter does.
 * A namespace that holds entries through a mesh (mesh.ts: flannel's permanent ones) sees them
 * as its own here and leaves the mesh (copy-on-write) before a change goes through.
 * Left out: proxy entries, router flags, `nud` states other than permanent, noarp, reachable
 * and stale.
 */
import { contains, type Cidr, type Ip } from '../ipv4';
import type { Mac } from '../mac';
import { leaveMesh, type MeshHolder } from '../mesh';
import { neighboursOf, type Neighbour, type Netns } from '../netns';
import { refuse, type KernelError } from './errors';

export type NeighMode = 'add' | 'replace' | 'change';

/** `ip neigh add|replace|change IP lladdr MAC dev DEV [nud STATE]`. */
export function putNeighbour(ns: Netns, mode: NeighMode, ip: Ip, dev: string, mac: Mac | undefined, state: Neighbour['state'] = 'PERMANENT', now?: number, shared?: MeshHolder): KernelError | undefined {
  const held = neighboursOf(ns, shared);
  const i = held.findIndex((n) => n.ip === ip && n.dev === dev);
  if (mode === 'add' && i >= 0) return refuse('EEXIST');
  if (mode === 'change' && i < 0) return refuse('ENOENT');
  const lladdr = mac ?? (i >= 0 ? held[i]!.mac : undefined);
  if (lladdr === undefined) return refuse('EINVAL', 'No link layer address given');
  // The table the namespace leaves the mesh with lists its entries in the same order.
  leaveMesh(ns, shared);
  // A reachable or stale entry starts its timers now (neigh.ts ages it from there).
  const entry: Neighbour = { ip, dev, mac: lladdr, state, ...(now !== undefined && state !== 'PERMANENT' && state !== 'NOARP' ? { updated: now, confirmed: now, used: now } : {}) };
  if (i >= 0) ns.neigh[i] = entry;
  else ns.neigh.unshift(entry);
  return undefined;
}

/** `ip neigh del IP dev DEV`. */
export function deleteNeighbour(ns: Netns, ip: Ip, dev: string, shared?: MeshHolder): KernelError | undefined {
  const i = neighboursOf(ns, shared).findIndex((n) => n.ip === ip && n.dev === dev);
  if (i < 0) return refuse('ENOENT');
  leaveMesh(ns, shared);
  ns.neigh.splice(i, 1);
  return undefined;
}

export interface NeighSelector {
  dev?: string;
  prefix?: Cidr;
  /** The states to flush; absent: every state but permanent and noarp. */
  states?: Neighbour['state'][];
}

export function neighbourMatches(n: Neighbour, sel: NeighSelector): boolean {
  if (sel.dev !== undefined && n.dev !== sel.dev) return false;
  if (sel.prefix && !contains(sel.prefix, n.ip)) return false;
  if (sel.states) return sel.states.includes(n.state);
  return n.state !== 'PERMANENT' && n.state !== 'NOARP';
}

/** `ip neigh flush SELECTOR`: how many entries went. */
export function flushNeighbours(ns: Netns, sel: NeighSelector, shared?: MeshHolder): number {
  if (!neighboursOf(ns, shared).some((n) => neighbourMatches(n, sel))) return 0;
  leaveMesh(ns, shared);
  const before = ns.neigh.length;
  ns.neigh = ns.neigh.filter((n) => !neighbourMatches(n, sel));
  return before - ns.neigh.length;
}
