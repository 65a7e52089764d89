/**
 * Forwarding database entries a root shell adds and deletes: `bridge fdb add|append|replace|del`.
 *
 * Design notes: `master` entries go to the bridge the device is a port of (refused with
 * "Operation not supported" when it is none) and point frames for that MAC at the port; they
 * are permanent unless `dynamic` (then the bridge may move or age them like learned ones) and
 * never move when the MAC shows up on another port. `self` entries (the default) on a vxlan
 * device name the remote VTEP (`dst`, required: "Invalid argument" without it); the all-zeros
 * MAC is the default destination, and `append` adds further ones (head-end replication of
 * broadcast and unknown frames). `self` on another Ethernet device adds the MAC to its own
 * unicast filter. Only Ethernet devices take entries ("FDB add only supported for Ethernet
 * devices"). An existing entry is "File exists" for `add`; a missing one "No such file or
 * directory" for `del`.
 * A vxlan device's entries held through a mesh (mesh.ts: flannel's, one per other node) count
 * as the device's own; before its FDB changes, the namespace leaves the mesh (copy-on-write).
 * Left out: VLANs, `router`, `extern_learn`, `sticky`, ageing timers, per-remote ports and VNIs.
 */
import type { Ip } from '../ipv4';
import type { Mac } from '../mac';
import { leaveMesh, meshNamesDevice, type MeshHolder } from '../mesh';
import { deviceByName, lookupVxlanFdb, type Device, type Netns } from '../netns';
import { refuse, type KernelError } from './errors';

export const ZERO_MAC: Mac = '00:00:00:00:00:00';

export interface FdbSpec {
  mac: Mac;
  /** `master` (the port's bridge) or `self` (the device itself). */
  where: 'master' | 'self';
  state: 'permanent' | 'static' | 'dynamic';
  dst?: Ip;
}

export type FdbMode = 'add' | 'append' | 'replace';

/** The namespace's own copy of what its mesh holds on `d`, before `d`'s FDB changes. */
function own(ns: Netns, d: Device, shared: MeshHolder | undefined): void {
  if (ns.mesh !== undefined && meshNamesDevice(ns, shared, d.name)) leaveMesh(ns, shared);
}

export function putFdb(ns: Netns, d: Device, spec: FdbSpec, mode: FdbMode, shared?: MeshHolder): KernelError | undefined {
  if (d.kind === 'loopback') return refuse('EINVAL', 'FDB add only supported for Ethernet devices');
  if (spec.where === 'master') {
    const br = d.master ? deviceByName(ns, d.master) : undefined;
    if (!br) return refuse('EOPNOTSUPP');
    const fdb = (br.fdb ??= {});
    const old = fdb[spec.mac];
    if (old && mode === 'add') return refuse('EEXIST');
    fdb[spec.mac] = { port: d.name, permanent: spec.state !== 'dynamic', ...(spec.state === 'static' ? { flag: 'static' as const } : {}) };
    return undefined;
  }
  if (d.vxlan) {
    const vx = d.vxlan;
    if (spec.dst === undefined) return refuse('EINVAL');
    if (spec.mac === ZERO_MAC) {
      const remotes = [...(vx.remote !== undefined ? [vx.remote] : []), ...(vx.flood ?? [])];
      if (remotes.includes(spec.dst) && mode !== 'replace') return refuse('EEXIST');
      if (mode === 'append' && vx.remote !== undefined) {
        vx.flood = [...(vx.flood ?? []), spec.dst];
      } else if (vx.remote !== undefined && mode === 'add') {
        return refuse('EEXIST');
      } else {
        vx.remote = spec.dst;
        delete vx.remoteVia;
        if (mode === 'replace') delete vx.flood;
      }
      return undefined;
    }
    if (lookupVxlanFdb(ns, d, spec.mac, shared) !== undefined && mode === 'add') return refuse('EEXIST');
    own(ns, d, shared);
    vx.fdb[spec.mac] = spec.dst;
    if (vx.learned) delete vx.learned[spec.mac];
    return undefined;
  }
  const uc = (d.uc ??= []);
  if (uc.includes(spec.mac)) return mode === 'add' ? refuse('EEXIST') : undefined;
  uc.push(spec.mac);
  return undefined;
}

export function deleteFdb(ns: Netns, d: Device, mac: Mac, where: 'master' | 'self', dst?: Ip, via?: string, shared?: MeshHolder): KernelError | undefined {
  if (where === 'master') {
    const br = d.master ? deviceByName(ns, d.master) : undefined;
    if (!br) return refuse('EOPNOTSUPP');
    const e = br.fdb?.[mac];
    if (!e || e.port !== d.name) return refuse('ENOENT');
    delete br.fdb![mac];
    return undefined;
  }
  if (d.vxlan) {
    const vx = d.vxlan;
    if (mac === ZERO_MAC) {
      if (vx.remote === undefined || (dst !== undefined && vx.remote !== dst && !(vx.flood ?? []).includes(dst))) return refuse('ENOENT');
      // The device's own remote names its lower device: without `via` it is not matched, and nothing is deleted.
      if (vx.remoteVia && (dst === undefined || dst === vx.remote) && via !== vx.dev) return undefined;
      if (dst !== undefined && dst !== vx.remote) {
        vx.flood = vx.flood!.filter((x) => x !== dst);
      } else {
        const [next, ...rest] = vx.flood ?? [];
        if (next !== undefined) vx.remote = next;
        else delete vx.remote;
        delete vx.remoteVia;
        vx.flood = rest;
      }
      if (vx.flood?.length === 0) delete vx.flood;
      return undefined;
    }
    const cur = lookupVxlanFdb(ns, d, mac, shared);
    if (cur === undefined || (dst !== undefined && cur !== dst)) return refuse('ENOENT');
    own(ns, d, shared);
    delete vx.fdb[mac];
    if (vx.learned) delete vx.learned[mac];
    return undefined;
  }
  const i = d.uc?.indexOf(mac) ?? -1;
  if (i < 0) return refuse('ENOENT');
  d.uc!.splice(i, 1);
  return undefined;
}
