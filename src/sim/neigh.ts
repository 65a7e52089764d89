/**
 * The neighbour (ARP) table's state machine, as net/core/neighbour.c and net/ipv4/arp.c run it.
 *
 * Design notes: an entry moves through the kernel's NUD states with the kernel's default
 * timers (docs/reference/fidelity.md has the sources). Resolving a new address is INCOMPLETE:
 * one broadcast request a second, three in all (mcast_solicit), then FAILED. An ARP reply sent
 * to us makes the entry REACHABLE; it stays so for reachable_time after its last confirmation,
 * a value drawn per device in [base_reachable_time/2, 3*base_reachable_time/2) and drawn again
 * every 300 s (here from the sandbox's seed, the device and the 300-s window, so no draw moves
 * any other random sequence). Then it is STALE. A packet through a STALE entry still goes to
 * the cached address and moves the entry to DELAY; five seconds later (delay_first_probe_time)
 * it is REACHABLE again if something confirmed the neighbour meanwhile, and otherwise PROBE:
 * three unicast requests to the cached address a second apart (ucast_solicit), then FAILED. The
 * next packet for a FAILED entry starts a new broadcast resolution. Confirmations are an ARP
 * reply to us and a local TCP segment that acknowledges the peer's progress (dst_confirm);
 * the kernel sends REACHABLE, PERMANENT and NOARP traffic through the cached header without
 * touching `used`, which is why an entry used all along still goes STALE.
 * ARP input follows arp_process: a request for one of our addresses creates or refreshes the
 * sender's entry as STALE; anything else only updates an entry that already exists
 * (arp_accept=0), REACHABLE for a reply addressed to us and STALE otherwise, and a different
 * address replaces the cached one only after locktime (1 s) or for a gratuitous ARP.
 * The bridge CNI plugin's gratuitous ARP for a new pod (arp_notify when eth0 comes up) is
 * not sent: on a real node it reaches cni0's port before the port forwards and is dropped, so
 * a node learns a reused address's new MAC only when the old entry is collected, fails its
 * probes, or hears from the new pod first.
 * Nothing runs on a timer: each entry keeps its `updated`, `confirmed` and `used` times and is
 * brought up to the present (`age`) whenever it is looked at, so an idle sandbox costs
 * nothing. The one transition that needs the network, PROBE's first unicast request, is run
 * through the data path at the time it falls due by the caller's `probe`; its answer decides
 * the rest of the round. The garbage collector runs as the kernel's periodic work does,
 * every base_reachable_time/2: once the table holds gc_thresh1 (128) entries, entries not in a
 * timer state that are FAILED or unused for gc_stale_time (60 s) go. Creating an entry past
 * gc_thresh2 (512, and 5 s after the last forced run) or gc_thresh3 (1024) first evicts old
 * entries as neigh_forced_gc does; if none can go at gc_thresh3 the table overflows.
 * The thresholds count the entries of every namespace on the machine, as the kernel's one
 * table does (the caller says which namespaces share a kernel), but a namespace's entries are
 * collected when it is next looked at. Entries a namespace holds through a mesh (mesh.ts:
 * flannel's, one per other node) are PERMANENT and have no times, so they never age and count
 * as made when the sandbox was; the thresholds count them as the kernel counts permanent
 * ones; they are read where they are stored, and the one change that would touch one (a
 * confirmation) first gives the namespace its own copy. Simplified: PROBE's second and third requests are not
 * sent through the network (a neighbour that ignored the first ignores them too), and
 * INCOMPLETE's retries only when a packet waits for them (the data path sends the next one
 * then), so captures do not show the others; kernel timer slack is not modelled. Left out:
 * proxy ARP, arp_accept, arp_ignore/arp_announce other than their defaults, NTF_EXT_LEARNED
 * and managed entries, the multicast and broadcast NOARP entries the kernel creates itself.
 */
import type { Ip } from './ipv4';
import type { Mac } from './mac';
import { leaveMesh, type MeshHolder } from './mesh';
import { lookupNeighbour, neighbourCount, neighboursOf, type Neighbour, type Netns, type NudState } from './netns';
import { deriveRng } from './rng';

/** The kernel's defaults for the ARP table (arp_tbl in net/ipv4/arp.c), in ms where times. */
export const NEIGH_DEFAULTS = {
  baseReachableTime: 30_000,
  delayFirstProbeTime: 5_000,
  retransTime: 1_000,
  ucastSolicit: 3,
  mcastSolicit: 3,
  appSolicit: 0,
  gcStaleTime: 60_000,
  locktime: 1_000,
  gcThresh1: 128,
  gcThresh2: 512,
  gcThresh3: 1024,
  /** How often reachable_time is drawn again (neigh_periodic_work). */
  reachableRedraw: 300_000,
} as const;

const P = NEIGH_DEFAULTS;
/** neigh_periodic_work runs every base_reachable_time/2. */
export const GC_PERIOD = P.baseReachableTime / 2;

export const ZERO_MAC: Mac = '00:00:00:00:00:00';

export interface NeighEnv {
  /** The sandbox's seed (reachable_time is drawn from it). */
  seed: number;
  /** The present, epoch ms. */
  now: number;
  /** When entries without times were made (the sandbox's creation). */
  origin: number;
  /**
   * Sends PROBE's unicast request for `n` to its cached address at time `at`; a reply, handled
   * by `arpInput`, makes the entry REACHABLE.
   */
  probe?: (ns: Netns, n: Neighbour, at: number) => void;
  /**
   * How many entries the machine's table holds: one kernel's ARP table serves every namespace
   * on it (a node and its pods). Without it, the namespace's own count.
   */
  machineEntries?: (ns: Netns) => number;
  /** The sandbox state, for the entries a namespace holds through a mesh (mesh.ts). */
  shared?: MeshHolder;
}

/** NUD_VALID: the entry has a usable link-layer address. */
export function isValid(s: NudState): boolean {
  return s !== 'INCOMPLETE' && s !== 'FAILED';
}

/** NUD_CONNECTED: packets go out through the cached header, without the slow path. */
function isConnected(s: NudState): boolean {
  return s === 'REACHABLE' || s === 'PERMANENT' || s === 'NOARP';
}

/** NUD_IN_TIMER: the entry's timer is running, which holds a reference (`ref 1`). */
export function inTimer(s: NudState): boolean {
  return s === 'INCOMPLETE' || s === 'REACHABLE' || s === 'DELAY' || s === 'PROBE';
}

/** reachable_time of device `dev` in namespace `nsId` at time `t`: uniform in [base/2, 3*base/2). */
export function reachableTime(seed: number, nsId: string, dev: string, t: number): number {
  const window = Math.floor(t / P.reachableRedraw);
  return P.baseReachableTime / 2 + deriveRng(seed, `neigh:${nsId}/${dev}/${window}`).int(P.baseReachableTime);
}

/** The entry for `ip` on `dev`: the namespace's own, else the one it holds through a mesh. */
export function findNeighbour(ns: Netns, dev: string, ip: Ip, shared?: MeshHolder): Neighbour | undefined {
  return lookupNeighbour(ns, dev, ip, shared);
}

/**
 * `n` as the namespace's own entry, ready to be changed: an entry held through a mesh is
 * shared with the other members, so the namespace leaves the mesh first (copy-on-write) and
 * its own copy is returned.
 */
function writable(ns: Netns, n: Neighbour, env: NeighEnv): Neighbour {
  if (ns.mesh === undefined || ns.neigh.includes(n)) return n;
  leaveMesh(ns, env.shared);
  return ns.neigh.find((x) => x.ip === n.ip && x.dev === n.dev) ?? n;
}

/** How many entries the namespace's table holds, those it holds through a mesh included. */
function held(ns: Netns, env: NeighEnv): number {
  return neighbourCount(ns, env.shared);
}

/** Brings `n` up to time `until`: every timer transition the kernel would have made by then. */
export function age(ns: Netns, n: Neighbour, env: NeighEnv, until = env.now): void {
  const o = env.origin;
  for (let step = 0; step < 16; step++) {
    switch (n.state) {
      case 'REACHABLE': {
        const confirmed = n.confirmed ?? o;
        const end = confirmed + reachableTime(env.seed, ns.id, n.dev, confirmed);
        if (until <= end) return;
        // A packet on the slow path within delay_first_probe_time means DELAY, else STALE.
        n.state = end <= (n.used ?? o) + P.delayFirstProbeTime ? 'DELAY' : 'STALE';
        n.updated = end;
        continue;
      }
      case 'DELAY': {
        const end = (n.updated ?? o) + P.delayFirstProbeTime;
        if (until < end) return;
        n.updated = end;
        if (end <= (n.confirmed ?? o) + P.delayFirstProbeTime) {
          n.state = 'REACHABLE';
          continue;
        }
        n.state = 'PROBE';
        n.probes = 1;
        env.probe?.(ns, n, end);
        continue;
      }
      case 'PROBE': {
        const start = n.updated ?? o;
        const sent = 1 + Math.floor((until - start) / P.retransTime);
        if (sent <= P.ucastSolicit) {
          n.probes = Math.max(n.probes ?? 0, sent);
          return;
        }
        n.state = 'FAILED';
        n.updated = start + P.ucastSolicit * P.retransTime;
        n.probes = P.ucastSolicit;
        continue;
      }
      case 'INCOMPLETE': {
        const start = n.updated ?? o;
        const max = P.ucastSolicit + P.appSolicit + P.mcastSolicit;
        const sent = P.ucastSolicit + 1 + Math.floor((until - start) / P.retransTime);
        if (sent <= max) {
          n.probes = Math.max(n.probes ?? 0, sent);
          return;
        }
        n.state = 'FAILED';
        n.updated = start + P.mcastSolicit * P.retransTime;
        n.probes = max;
        continue;
      }
      default:
        return;
    }
  }
}

/**
 * neigh_update: a new state and address from ARP (`override` lets a different address replace
 * the cached one) or from the administrator (`admin`, which may also change static entries).
 */
export function update(n: Neighbour, mac: Mac, want: NudState, override: boolean, now: number, admin = false): void {
  const old = n.state;
  if (!admin && (old === 'NOARP' || old === 'PERMANENT')) return;
  const oldValid = isValid(old);
  const same = oldValid && mac === n.mac;
  let next = want;
  // The kernel notes the confirmation before it decides whether to take the address.
  if (isConnected(next)) n.confirmed = now;
  if (oldValid) {
    if (!same && !override) return;
    if (same && next === 'STALE' && !admin) next = old;
  }
  if (next !== old || !same) n.updated = now;
  if (next !== old) {
    if (next === 'PROBE') n.probes = 0;
    // neigh_add_timer: `used` is never older than `confirmed` while a timer runs.
    if (inTimer(next) && (n.used ?? now) < (n.confirmed ?? now)) n.used = n.confirmed;
    n.state = next;
  }
  if (!same) {
    n.mac = mac;
    if (!isConnected(next)) n.confirmed = now - 2 * P.baseReachableTime;
  }
}

/** neigh_periodic_work, as it ran at the last GC_PERIOD tick at or before `env.now`. */
export function periodicGc(ns: Netns, env: NeighEnv): void {
  const tick = Math.floor(env.now / GC_PERIOD) * GC_PERIOD;
  const gc = (ns.neighGc ??= { periodic: tick, forced: env.origin });
  if (tick <= gc.periodic) return;
  gc.periodic = tick;
  if ((env.machineEntries?.(ns) ?? held(ns, env)) < P.gcThresh1) return;
  for (const n of [...ns.neigh]) {
    age(ns, n, env, tick);
    if (n.state === 'PERMANENT' || inTimer(n.state)) continue;
    const used = Math.max(n.used ?? env.origin, n.confirmed ?? env.origin);
    n.used = used;
    if (n.state === 'FAILED' || tick >= used + P.gcStaleTime) ns.neigh = ns.neigh.filter((x) => x !== n);
  }
}

/**
 * neigh_alloc: a new entry, after the forced collection the table's size calls for; undefined
 * when the table is full ("neighbour table overflow").
 */
function create(ns: Netns, dev: string, ip: Ip, env: NeighEnv): Neighbour | undefined {
  const now = env.now;
  const gc = (ns.neighGc ??= { periodic: Math.floor(now / GC_PERIOD) * GC_PERIOD, forced: env.origin });
  const own = ns.neigh.filter((n) => n.state !== 'PERMANENT').length;
  const entries = own + (env.machineEntries ? env.machineEntries(ns) - held(ns, env) : 0);
  if (entries >= P.gcThresh3 || (entries >= P.gcThresh2 && now > gc.forced + 5_000)) {
    // neigh_forced_gc: oldest first, entries nobody holds that failed, are NOARP or have not
    // changed for 5 s, until the table is back at gc_thresh2.
    const maxClean = entries - P.gcThresh2;
    let shrunk = 0;
    for (const n of [...ns.neigh]) {
      if (n.state === 'PERMANENT') continue;
      age(ns, n, env);
      if (inTimer(n.state)) continue;
      if (n.state === 'FAILED' || n.state === 'NOARP' || (n.updated ?? env.origin) < now - 5_000) {
        ns.neigh = ns.neigh.filter((x) => x !== n);
        if (++shrunk >= maxClean) break;
      }
    }
    gc.forced = now;
    if (shrunk === 0 && entries >= P.gcThresh3) return undefined;
  }
  const n: Neighbour = { ip, dev, mac: ZERO_MAC, state: 'INCOMPLETE', updated: now, confirmed: now - 2 * P.baseReachableTime, used: now, probes: 0 };
  ns.neigh.push(n);
  return n;
}

/** What a packet for `ip` on `dev` meets in the neighbour table. */
export type Resolution =
  /** Send it to this address now. */
  | { kind: 'send'; mac: Mac }
  /** A new resolution: broadcast a request (the entry is INCOMPLETE) and queue the packet. */
  | { kind: 'solicit' }
  /** A resolution is already under way: the packet waits for it (and for its next request). */
  | { kind: 'queue' }
  /** The table is full and no entry could be made. */
  | { kind: 'overflow' };

/** neigh_output through neigh_event_send: where a packet for `ip` goes, changing the entry as the kernel does. */
export function resolve(ns: Netns, dev: string, ip: Ip, env: NeighEnv): Resolution {
  periodicGc(ns, env);
  let n = findNeighbour(ns, dev, ip, env.shared);
  if (n) age(ns, n, env);
  else {
    n = create(ns, dev, ip, env);
    if (!n) return { kind: 'overflow' };
    return startResolution(n, env.now);
  }
  if (isConnected(n.state)) return { kind: 'send', mac: n.mac };
  n = writable(ns, n, env);
  n.used = env.now;
  switch (n.state) {
    case 'DELAY':
    case 'PROBE':
      return { kind: 'send', mac: n.mac };
    case 'STALE':
      n.state = 'DELAY';
      n.updated = env.now;
      return { kind: 'send', mac: n.mac };
    case 'INCOMPLETE':
      return { kind: 'queue' };
    default:
      return startResolution(n, env.now);
  }
}

function startResolution(n: Neighbour, now: number): Resolution {
  n.state = 'INCOMPLETE';
  n.updated = now;
  n.used = now;
  // probes starts at ucast_solicit, so arp_solicit broadcasts; the first request counts one.
  n.probes = P.ucastSolicit + 1;
  return { kind: 'solicit' };
}

/** neigh_confirm: the neighbour is known to be there (TCP progress, MSG_CONFIRM). */
export function confirm(ns: Netns, dev: string, ip: Ip, env: NeighEnv): void {
  const found = findNeighbour(ns, dev, ip, env.shared);
  if (!found) return;
  const n = writable(ns, found, env);
  age(ns, n, env);
  n.confirmed = env.now;
}

export interface ArpIn {
  op: 1 | 2;
  sha: Mac;
  spa: Ip;
  tha: Mac;
  tpa: Ip;
}

/**
 * arp_process's table update for an ARP packet that arrived on `dev`: `unicast` when it was
 * addressed to this interface's MAC, `forUs` when it asks for one of our addresses. Returns the
 * sender's entry when it now has a usable address (packets waiting for it can go).
 */
export function arpInput(ns: Netns, dev: string, arp: ArpIn, opts: { unicast: boolean; forUs: boolean }, env: NeighEnv): Neighbour | undefined {
  // A duplicate-address probe (sender 0.0.0.0) teaches nothing.
  if (arp.spa === 0) return undefined;
  periodicGc(ns, env);
  let n = findNeighbour(ns, dev, arp.spa, env.shared);
  // What ARP says never changes a permanent or noarp entry (update() below): one held through a mesh stays shared.
  if (n && n.state !== 'PERMANENT' && n.state !== 'NOARP') n = writable(ns, n, env);
  if (n) age(ns, n, env);
  if (arp.op === 1 && opts.forUs) {
    // neigh_event_ns: whoever asks for us is probably about to talk to us.
    if (!n) {
      n = create(ns, dev, arp.spa, env);
      if (!n) return undefined;
    }
    update(n, arp.sha, 'STALE', true, env.now);
    return isValid(n.state) ? n : undefined;
  }
  if (!n) return undefined;
  const garp = arp.spa === arp.tpa && (arp.op === 1 || arp.tha === arp.sha);
  const override = env.now > (n.updated ?? env.origin) + P.locktime || garp;
  // Broadcast replies and requests do not assert reachability.
  update(n, arp.sha, arp.op === 2 && opts.unicast ? 'REACHABLE' : 'STALE', override, env.now);
  return isValid(n.state) ? n : undefined;
}

/** The table as it stands at `env.now`: every entry aged, the garbage collector caught up. */
export function neighbours(ns: Netns, env: NeighEnv): Neighbour[] {
  periodicGc(ns, env);
  for (const n of [...ns.neigh]) age(ns, n, env);
  return neighboursOf(ns, env.shared);
}
