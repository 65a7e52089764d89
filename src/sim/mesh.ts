/**
 * Entries that many namespaces hold alike, stored once: routes, neighbours and VXLAN FDB
 * entries a mesh of namespaces programs between its members.
 *
 * Design notes: an overlay such as flannel programs on every node, for every other node, the
 * same route, permanent neighbour and VXLAN FDB entry (host-gw: the same route). Kept in each
 * node's own tables that is n - 1 of each per node, n² in all: 500 nodes would hold 750,000
 * entries. A mesh keeps them once, in the state (`SimState.meshes`): each member namespace
 * publishes the entries every *other* member holds because of it (a network plugin's
 * PeerEntries for that node, cni/plugin.ts `peerMesh`: flannel's route to its subnet, the
 * neighbour entry for its VTEP address, the FDB entry for its VTEP MAC), and a namespace that
 * belongs to the mesh (`Netns.mesh`) holds every other member's entries as if they were in its
 * own tables. netns.ts reads them wherever it reads the own tables: route lookup, neighbour
 * lookup, the VXLAN device's FDB lookup and the listings `ip route`, `ip neigh` and `bridge
 * fdb` print (own routes first, mesh routes after; mesh neighbours and FDB entries first, as
 * the overlay programmed them before anything was learned), in the order the members joined.
 * A namespace's own entry for the same destination, neighbour address or MAC shadows the
 * mesh's, and of two members' entries for one key the first counts.
 * Changing one namespace's share is copy-on-write: `leaveMesh` first copies the mesh's
 * entries into the namespace's own tables, in the order they were listed, and takes it out of
 * the mesh, so a learner's `ip route del` of a flannel route, or a fault, changes that
 * namespace only; the others keep reading the shared copy. What calls it: src/sim/linux's
 * writers before a change to the routes, the neighbours or a vxlan device's FDB goes through
 * (after the checks, which see the mesh's entries as the namespace's own), and before a
 * device the mesh names goes down, is renamed, deleted or moved away; netns.ts removeDevice
 * for such a device; the neighbour state machine (neigh.ts) before it would change an entry
 * held through the mesh (a TCP confirmation; ARP never changes a permanent one); a fault;
 * flanneld writing entries other than the mesh's (a backend switch, cni/flannel.ts), which also
 * joins a namespace again once its own copies match the mesh's.
 * What only adds the namespace's own entries alongside (ARP learning, a pod's veth and
 * routes, an address's prefix route) leaves it in the mesh. A mesh entry over a device the
 * namespace does not have is not listed (the kernel drops a device's routes and neighbours
 * with it) and is not copied. Everything is plain data (member records and a mesh id on the
 * namespace), so the state stays JSON and a snapshot grows linearly with the nodes.
 * Simplified: a namespace belongs to at most one mesh; a member that left keeps the entries it
 * had and no longer sees members that join later.
 */
import type { Ip } from './ipv4';
import type { Mac } from './mac';
import type { Neighbour, Netns, Route } from './netns';

/** A VXLAN FDB entry on the holder's device `dev`: `mac` is reached at the VTEP `dst`. */
export interface MeshFdb {
  dev: string;
  mac: Mac;
  dst: Ip;
}

/** What one member makes every other member hold (a network plugin's PeerEntries for it). */
export interface MeshEntries {
  routes: Route[];
  neigh: Neighbour[];
  fdb: MeshFdb[];
}

export interface MeshMember extends MeshEntries {
  /** The member's namespace id. */
  ns: string;
}

export interface Mesh {
  /** In the order they joined. */
  members: MeshMember[];
}

/** Where meshes live: the sandbox state has this shape. */
export interface MeshHolder {
  meshes?: Record<string, Mesh>;
}

/** Publishes (or replaces) a member's entries in mesh `id`, creating the mesh. */
export function publishToMesh(holder: MeshHolder, id: string, member: MeshMember): void {
  const mesh = ((holder.meshes ??= {})[id] ??= { members: [] });
  const i = mesh.members.findIndex((m) => m.ns === member.ns);
  if (i >= 0) mesh.members[i] = member;
  else mesh.members.push(member);
  INDEXES.delete(mesh);
}

/** Takes a member out of mesh `id` (its node is gone): no namespace holds its entries any more. */
export function withdrawFromMesh(holder: MeshHolder, id: string, member: string): void {
  const mesh = holder.meshes?.[id];
  if (!mesh) return;
  mesh.members = mesh.members.filter((m) => m.ns !== member);
  INDEXES.delete(mesh);
}

/** The namespace holds every other member's entries of mesh `id` from now on. */
export function joinMesh(ns: Netns, id: string): void {
  ns.mesh = id;
}

/**
 * The mesh whose entries `ns` holds, if any. A namespace in a mesh read without the state
 * would silently miss its entries: that is a programming error, reported loudly.
 */
function meshOf(ns: Netns, holder: MeshHolder | undefined): Mesh | undefined {
  if (ns.mesh === undefined) return undefined;
  if (!holder) throw new Error(`${ns.id} holds the entries of mesh ${ns.mesh}: read it with the sandbox state`);
  return holder.meshes?.[ns.mesh];
}

/** Every member of the mesh `ns` is in, itself included (empty outside a mesh): skip `m.ns === ns.id`. */
export function meshMembersWithSelf(ns: Netns, holder: MeshHolder | undefined): readonly MeshMember[] {
  return meshOf(ns, holder)?.members ?? [];
}

/** The other members' entries `ns` holds (empty outside a mesh). */
export function meshMembers(ns: Netns, holder: MeshHolder | undefined): MeshMember[] {
  const mesh = meshOf(ns, holder);
  return mesh ? mesh.members.filter((m) => m.ns !== ns.id) : [];
}

interface MeshIndex {
  neigh: Map<string, { member: string; entry: Neighbour }>;
  fdb: Map<string, { member: string; entry: MeshFdb }>;
  /** How many neighbour entries (one per key) the mesh has on each device name. */
  neighPerDev: Map<string, number>;
}

/** Lookup indexes per mesh, rebuilt after a member is published. */
const INDEXES = new WeakMap<Mesh, MeshIndex>();

function indexOf(mesh: Mesh): MeshIndex {
  let idx = INDEXES.get(mesh);
  if (!idx) {
    idx = { neigh: new Map(), fdb: new Map(), neighPerDev: new Map() };
    for (const m of mesh.members) {
      for (const n of m.neigh) {
        if (idx.neigh.has(`${n.dev}|${n.ip}`)) continue;
        idx.neigh.set(`${n.dev}|${n.ip}`, { member: m.ns, entry: n });
        idx.neighPerDev.set(n.dev, (idx.neighPerDev.get(n.dev) ?? 0) + 1);
      }
      for (const f of m.fdb) if (!idx.fdb.has(`${f.dev}|${f.mac}`)) idx.fdb.set(`${f.dev}|${f.mac}`, { member: m.ns, entry: f });
    }
    INDEXES.set(mesh, idx);
  }
  return idx;
}

/** The mesh's neighbour entry for `ip` on `dev` that `ns` holds. */
export function meshNeighbour(ns: Netns, holder: MeshHolder | undefined, dev: string, ip: Ip): Neighbour | undefined {
  const mesh = meshOf(ns, holder);
  if (!mesh) return undefined;
  const hit = indexOf(mesh).neigh.get(`${dev}|${ip}`);
  return hit && hit.member !== ns.id ? hit.entry : undefined;
}

/**
 * How many neighbour entries `ns` holds through its mesh, as `neighboursOf` lists them (on its
 * devices, none of its own, none its own table shadows), counted without listing them: the
 * garbage collector asks for every namespace of a machine.
 */
export function meshNeighbourCount(ns: Netns, holder: MeshHolder | undefined): number {
  const mesh = meshOf(ns, holder);
  if (!mesh) return 0;
  const idx = indexOf(mesh);
  const has = (dev: string): boolean => ns.devices.some((d) => d.name === dev);
  let n = 0;
  for (const [dev, count] of idx.neighPerDev) if (has(dev)) n += count;
  const self = mesh.members.find((m) => m.ns === ns.id);
  for (const x of self?.neigh ?? []) if (idx.neigh.get(`${x.dev}|${x.ip}`)?.member === ns.id && has(x.dev)) n--;
  for (const x of ns.neigh) {
    const hit = idx.neigh.get(`${x.dev}|${x.ip}`);
    if (hit && hit.member !== ns.id && has(x.dev)) n--;
  }
  return n;
}

/** The VTEP the mesh's FDB entry on `dev` names for `mac`, as `ns` holds it. */
export function meshFdb(ns: Netns, holder: MeshHolder | undefined, dev: string, mac: Mac): Ip | undefined {
  const mesh = meshOf(ns, holder);
  if (!mesh) return undefined;
  const hit = indexOf(mesh).fdb.get(`${dev}|${mac}`);
  return hit && hit.member !== ns.id ? hit.entry.dst : undefined;
}

/** Whether an entry `ns` holds through its mesh names device `dev` (a route or neighbour over it, an FDB entry on it). */
export function meshNamesDevice(ns: Netns, holder: MeshHolder | undefined, dev: string): boolean {
  for (const m of meshMembers(ns, holder)) {
    if (m.routes.some((r) => r.dev === dev) || m.neigh.some((n) => n.dev === dev) || m.fdb.some((f) => f.dev === dev)) return true;
  }
  return false;
}

/**
 * Copy-on-write: the mesh's entries `ns` holds become its own (routes appended, neighbours and
 * FDB entries ahead of those it learned), and it leaves the mesh. Call before changing any of
 * them on one namespace; nothing changes for the other members. Entries over a device the
 * namespace does not have are not copied, as they are not listed.
 */
export function leaveMesh(ns: Netns, holder: MeshHolder | undefined): void {
  const members = meshMembers(ns, holder);
  delete ns.mesh;
  if (members.length === 0) return;
  const ownRoutes = new Set(ns.routes.map((r) => `${r.dst.addr}/${r.dst.len}`));
  const ownNeigh = new Set(ns.neigh.map((n) => `${n.dev}|${n.ip}`));
  const routes: Route[] = [];
  const neigh: Neighbour[] = [];
  const fdbs = new Map<string, Record<Mac, Ip>>();
  const devs = new Set(ns.devices.map((d) => d.name));
  for (const m of members) {
    for (const r of m.routes) {
      const key = `${r.dst.addr}/${r.dst.len}`;
      if (!devs.has(r.dev) || ownRoutes.has(key)) continue;
      ownRoutes.add(key);
      routes.push(copyRoute(r));
    }
    for (const n of m.neigh) {
      const key = `${n.dev}|${n.ip}`;
      if (!devs.has(n.dev) || ownNeigh.has(key)) continue;
      ownNeigh.add(key);
      neigh.push({ ...n });
    }
    for (const f of m.fdb) {
      const t = fdbs.get(f.dev) ?? {};
      if (t[f.mac] === undefined) t[f.mac] = f.dst;
      fdbs.set(f.dev, t);
    }
  }
  ns.routes.push(...routes);
  ns.neigh = [...neigh, ...ns.neigh];
  for (const [dev, entries] of fdbs) {
    const vx = ns.devices.find((d) => d.name === dev)?.vxlan;
    if (vx) vx.fdb = { ...entries, ...vx.fdb };
  }
}

function copyRoute(r: Route): Route {
  return { ...r, dst: { ...r.dst } };
}
