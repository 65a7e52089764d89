import { describe, it, expect } from 'vitest';
import { arpInput, confirm, GC_PERIOD, NEIGH_DEFAULTS, neighbours, periodicGc, reachableTime, resolve, ZERO_MAC, type NeighEnv } from './neigh';
import { addDevice, newNetns, removeDevice, type Neighbour, type Netns } from './netns';
import { ip } from './ipv4';
import { Sim } from './sim';
import { VirtualClock } from './clock';
import { podNsId, nodeNsId } from './cni';
import { neighbourTable } from './forward';
import type { ClusterSpec } from './cluster';

/**
 * The neighbour state machine against the kernel's timers (docs/reference/fidelity.md, the
 * neighbour table section): every boundary is checked one millisecond either side.
 */

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);
const SEED = 7;
const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';
const PEER = ip('10.244.1.5');
const { delayFirstProbeTime: DELAY, retransTime: RETRANS, gcStaleTime: STALE_TIME } = NEIGH_DEFAULTS;

function table(): Netns {
  const ns = newNetns('node/n1', '', 'n1', 0);
  addDevice(ns, { name: 'cni0', kind: 'bridge', mac: '0a:00:00:00:00:01', mtu: 1450, up: true, addrs: [{ ip: ip('10.244.1.1'), len: 24 }] });
  return ns;
}

const env = (now: number, probe?: NeighEnv['probe']): NeighEnv => ({ seed: SEED, now, origin: T0, ...(probe ? { probe } : {}) });
const entry = (ns: Netns, at: number, addr = PEER): Neighbour => neighbours(ns, env(at)).find((n) => n.ip === addr)!;
const reply = (ns: Netns, at: number, mac = MAC_A, addr = PEER): void => void arpInput(ns, 'cni0', { op: 2, sha: mac, spa: addr, tha: '0a:00:00:00:00:01', tpa: ip('10.244.1.1') }, { unicast: true, forUs: false }, env(at));
const rt = (at: number): number => reachableTime(SEED, 'node/n1', 'cni0', at);

/** An entry resolved at T0 (REACHABLE, confirmed at T0). */
function resolved(): Netns {
  const ns = table();
  expect(resolve(ns, 'cni0', PEER, env(T0))).toEqual({ kind: 'solicit' });
  reply(ns, T0);
  return ns;
}

describe('reachable_time', () => {
  it('is drawn per device in [base/2, 3*base/2), again every 300 s, from the seed alone', () => {
    const seen = new Set<number>();
    for (let w = 0; w < 200; w++) {
      const t = T0 + w * 300_000;
      const r = reachableTime(SEED, 'node/n1', 'cni0', t);
      expect(r).toBeGreaterThanOrEqual(15_000);
      expect(r).toBeLessThan(45_000);
      expect(reachableTime(SEED, 'node/n1', 'cni0', t + 299_999 - (t % 300_000))).toBe(r);
      seen.add(r);
    }
    expect(seen.size).toBeGreaterThan(150);
    expect(reachableTime(SEED, 'node/n1', 'cni0', T0)).toBe(reachableTime(SEED, 'node/n1', 'cni0', T0));
    const others = [reachableTime(SEED + 1, 'node/n1', 'cni0', T0), reachableTime(SEED, 'node/n1', 'eth0', T0), reachableTime(SEED, 'node/n2', 'cni0', T0)];
    expect(others.some((r) => r !== rt(T0))).toBe(true);
  });
});

describe('resolution (INCOMPLETE)', () => {
  it('sends a broadcast a second for three seconds, then FAILED', () => {
    const ns = table();
    expect(resolve(ns, 'cni0', PEER, env(T0))).toEqual({ kind: 'solicit' });
    expect(entry(ns, T0)).toMatchObject({ state: 'INCOMPLETE', probes: 4, mac: ZERO_MAC, updated: T0, used: T0, confirmed: T0 - 60_000 });
    // A packet meanwhile waits for the resolution under way; no second request.
    expect(resolve(ns, 'cni0', PEER, env(T0 + 500))).toEqual({ kind: 'queue' });
    expect(entry(ns, T0 + RETRANS - 1)).toMatchObject({ state: 'INCOMPLETE', probes: 4 });
    expect(entry(ns, T0 + RETRANS)).toMatchObject({ state: 'INCOMPLETE', probes: 5 });
    expect(entry(ns, T0 + 3 * RETRANS - 1)).toMatchObject({ state: 'INCOMPLETE', probes: 6 });
    expect(entry(ns, T0 + 3 * RETRANS)).toMatchObject({ state: 'FAILED', probes: 6, updated: T0 + 3 * RETRANS });
    // The next packet starts over with a broadcast.
    expect(resolve(ns, 'cni0', PEER, env(T0 + 10_000))).toEqual({ kind: 'solicit' });
    expect(entry(ns, T0 + 10_000)).toMatchObject({ state: 'INCOMPLETE', probes: 4, updated: T0 + 10_000 });
  });

  it('a reply to us makes it REACHABLE, confirmed and used now', () => {
    const ns = resolved();
    expect(entry(ns, T0)).toMatchObject({ state: 'REACHABLE', mac: MAC_A, updated: T0, confirmed: T0, used: T0, probes: 4 });
    expect(resolve(ns, 'cni0', PEER, env(T0 + 1))).toEqual({ kind: 'send', mac: MAC_A });
  });
});

describe('REACHABLE, STALE, DELAY, PROBE', () => {
  it('REACHABLE lasts reachable_time after the last confirmation, then STALE', () => {
    const ns = resolved();
    const end = T0 + rt(T0);
    expect(entry(ns, end).state).toBe('REACHABLE');
    expect(entry(ns, end + 1)).toMatchObject({ state: 'STALE', updated: end, mac: MAC_A });
  });

  it('packets through a REACHABLE entry take the fast path: `used` does not move, so it still goes STALE', () => {
    const ns = resolved();
    for (let t = T0 + 1000; t < T0 + rt(T0); t += 1000) expect(resolve(ns, 'cni0', PEER, env(t)).kind).toBe('send');
    expect(entry(ns, T0 + rt(T0) + 1)).toMatchObject({ state: 'STALE', used: T0 });
  });

  it('a confirmation moves the end of REACHABLE', () => {
    const ns = resolved();
    const at = T0 + 10_000;
    confirm(ns, 'cni0', PEER, env(at));
    expect(entry(ns, T0 + rt(T0) + 1).state).toBe('REACHABLE');
    expect(entry(ns, at + rt(at)).state).toBe('REACHABLE');
    expect(entry(ns, at + rt(at) + 1).state).toBe('STALE');
  });

  it('a packet through a STALE entry goes to the cached address and makes it DELAY; confirmed within 5 s, REACHABLE', () => {
    const ns = resolved();
    const use = T0 + 100_000;
    expect(resolve(ns, 'cni0', PEER, env(use))).toEqual({ kind: 'send', mac: MAC_A });
    expect(entry(ns, use)).toMatchObject({ state: 'DELAY', updated: use, used: use });
    confirm(ns, 'cni0', PEER, env(use + 1));
    expect(entry(ns, use + DELAY - 1).state).toBe('DELAY');
    expect(entry(ns, use + DELAY)).toMatchObject({ state: 'REACHABLE', updated: use + DELAY, confirmed: use + 1 });
    expect(entry(ns, use + 1 + rt(use + 1) + 1).state).toBe('STALE');
  });

  it('unconfirmed, DELAY turns PROBE after 5 s: three unicast requests a second apart, then FAILED', () => {
    const ns = resolved();
    const use = T0 + 100_000;
    resolve(ns, 'cni0', PEER, env(use));
    const probes: number[] = [];
    const noAnswer: NeighEnv['probe'] = (_ns, _n, at) => {
      probes.push(at);
    };
    const at = (t: number): Neighbour => neighbours(ns, env(t, noAnswer)).find((n) => n.ip === PEER)!;
    expect(at(use + DELAY - 1).state).toBe('DELAY');
    expect(at(use + DELAY)).toMatchObject({ state: 'PROBE', probes: 1, updated: use + DELAY });
    expect(probes).toEqual([use + DELAY]);
    // Packets keep going to the cached address while it is probed.
    expect(resolve(ns, 'cni0', PEER, env(use + DELAY + 10, noAnswer))).toEqual({ kind: 'send', mac: MAC_A });
    expect(at(use + DELAY + RETRANS)).toMatchObject({ state: 'PROBE', probes: 2 });
    expect(at(use + DELAY + 3 * RETRANS - 1)).toMatchObject({ state: 'PROBE', probes: 3 });
    expect(at(use + DELAY + 3 * RETRANS)).toMatchObject({ state: 'FAILED', probes: 3, updated: use + DELAY + 3 * RETRANS });
    expect(probes).toHaveLength(1);
    expect(resolve(ns, 'cni0', PEER, env(use + 20_000))).toEqual({ kind: 'solicit' });
  });

  it('a probe answered makes it REACHABLE again, confirmed when the probe went', () => {
    const ns = resolved();
    const use = T0 + 100_000;
    resolve(ns, 'cni0', PEER, env(use));
    const answer: NeighEnv['probe'] = (probing, _n, t) => reply(probing, t);
    const e = neighbours(ns, env(use + DELAY + 2_000, answer)).find((n) => n.ip === PEER)!;
    expect(e).toMatchObject({ state: 'REACHABLE', probes: 1, confirmed: use + DELAY, updated: use + DELAY });
  });
});

describe('ARP input (arp_process, arp_accept=0)', () => {
  const req = (sha: string, spa: string, tpa: string) => ({ op: 1 as const, sha, spa: ip(spa), tha: ZERO_MAC, tpa: ip(tpa) });

  it('a request for our address creates the sender STALE; other packets create nothing', () => {
    const ns = table();
    arpInput(ns, 'cni0', req(MAC_B, '10.244.1.9', '10.244.1.7'), { unicast: false, forUs: false }, env(T0));
    arpInput(ns, 'cni0', { op: 2, sha: MAC_B, spa: ip('10.244.1.8'), tha: MAC_B, tpa: ip('10.244.1.1') }, { unicast: true, forUs: false }, env(T0));
    expect(ns.neigh).toEqual([]);
    arpInput(ns, 'cni0', req(MAC_A, '10.244.1.5', '10.244.1.1'), { unicast: false, forUs: true }, env(T0));
    expect(entry(ns, T0)).toMatchObject({ state: 'STALE', mac: MAC_A, probes: 0, updated: T0, used: T0, confirmed: T0 - 60_000 });
  });

  it('a gratuitous ARP replaces the address of an existing entry at once; another sender only after locktime', () => {
    const ns = resolved();
    arpInput(ns, 'cni0', req(MAC_B, '10.244.1.5', '10.244.1.5'), { unicast: false, forUs: false }, env(T0 + 500));
    expect(entry(ns, T0 + 500)).toMatchObject({ state: 'STALE', mac: MAC_B, updated: T0 + 500, used: T0, confirmed: T0 + 500 - 60_000 });
    // Within locktime of that change, an ordinary request from the old address is ignored...
    arpInput(ns, 'cni0', req(MAC_A, '10.244.1.5', '10.244.1.9'), { unicast: false, forUs: false }, env(T0 + 1500));
    expect(entry(ns, T0 + 1500).mac).toBe(MAC_B);
    // ...and after it, taken.
    arpInput(ns, 'cni0', req(MAC_A, '10.244.1.5', '10.244.1.9'), { unicast: false, forUs: false }, env(T0 + 1501));
    expect(entry(ns, T0 + 1501)).toMatchObject({ state: 'STALE', mac: MAC_A });
  });

  it('the same address again leaves the state alone; a broadcast reply does not assert reachability', () => {
    const ns = resolved();
    arpInput(ns, 'cni0', req(MAC_A, '10.244.1.5', '10.244.1.1'), { unicast: false, forUs: true }, env(T0 + 2000));
    expect(entry(ns, T0 + 2000)).toMatchObject({ state: 'REACHABLE', updated: T0 });
    const stale = T0 + 100_000;
    expect(entry(ns, stale).state).toBe('STALE');
    arpInput(ns, 'cni0', { op: 2, sha: MAC_A, spa: PEER, tha: ZERO_MAC, tpa: ip('10.244.1.1') }, { unicast: false, forUs: false }, env(stale));
    expect(entry(ns, stale).state).toBe('STALE');
    reply(ns, stale);
    expect(entry(ns, stale)).toMatchObject({ state: 'REACHABLE', confirmed: stale });
  });

  it('leaves PERMANENT entries alone', () => {
    const ns = table();
    ns.neigh.push({ ip: PEER, dev: 'cni0', mac: MAC_A, state: 'PERMANENT' });
    arpInput(ns, 'cni0', req(MAC_B, '10.244.1.5', '10.244.1.5'), { unicast: false, forUs: false }, env(T0 + 5000));
    expect(entry(ns, T0 + 999_999)).toMatchObject({ state: 'PERMANENT', mac: MAC_A });
  });
});

describe('garbage collection', () => {
  const fill = (ns: Netns, count: number, at: number, state: Neighbour['state'] = 'STALE'): void => {
    for (let i = 0; i < count; i++) ns.neigh.push({ ip: ip('10.245.0.0') + i, dev: 'cni0', mac: MAC_B, state, updated: at, used: at, confirmed: at });
  };

  it('below gc_thresh1 nothing goes, however old', () => {
    const ns = table();
    fill(ns, NEIGH_DEFAULTS.gcThresh1 - 1, T0);
    expect(neighbours(ns, env(T0 + 3_600_000))).toHaveLength(127);
  });

  it('from gc_thresh1 on, each run every base_reachable_time/2 removes FAILED entries and those unused for gc_stale_time', () => {
    const ns = resolved();
    const t = Math.ceil((T0 + 1) / GC_PERIOD) * GC_PERIOD;
    fill(ns, 126, t - STALE_TIME);
    ns.neigh.push({ ip: ip('10.246.0.1'), dev: 'cni0', mac: MAC_B, state: 'STALE', updated: t - STALE_TIME + 1, used: t - STALE_TIME + 1, confirmed: t - STALE_TIME + 1 });
    ns.neigh.push({ ip: ip('10.246.0.2'), dev: 'cni0', mac: MAC_B, state: 'FAILED', updated: t - 1, used: t - 1, confirmed: t - 1 });
    ns.neigh.push({ ip: ip('10.246.0.3'), dev: 'cni0', mac: MAC_B, state: 'PERMANENT' });
    periodicGc(ns, env(t - 1));
    expect(ns.neigh).toHaveLength(130);
    periodicGc(ns, env(t));
    // The REACHABLE entry (a timer runs), the one used 1 ms too recently and the PERMANENT one stay.
    expect(ns.neigh.map((n) => n.state).sort()).toEqual(['PERMANENT', 'REACHABLE', 'STALE']);
    // Until the next tick, nothing more goes.
    fill(ns, 200, T0);
    periodicGc(ns, env(t + GC_PERIOD - 1));
    expect(ns.neigh).toHaveLength(203);
  });

  it('a new entry past gc_thresh2 evicts the oldest idle ones down to it; at gc_thresh3 with nothing to evict the table overflows', () => {
    const ns = table();
    fill(ns, 600, T0);
    expect(resolve(ns, 'cni0', PEER, env(T0 + 10_000))).toEqual({ kind: 'solicit' });
    expect(ns.neigh).toHaveLength(NEIGH_DEFAULTS.gcThresh2 + 1);
    expect(ns.neigh[0]!.ip).toBe(ip('10.245.0.0') + 88);
    const full = table();
    fill(full, NEIGH_DEFAULTS.gcThresh3, T0 + 100_000, 'REACHABLE');
    expect(resolve(full, 'cni0', PEER, env(T0 + 100_000))).toEqual({ kind: 'overflow' });
  });
});

describe('removing a device', () => {
  it('takes its entries and its bridge FDB entries; the last port of a bridge takes the bridge’s dynamic entries', () => {
    const ns = resolved();
    const port = addDevice(ns, { name: 'veth1', kind: 'veth', mac: '02:00:00:00:01:01', mtu: 1450, up: true, addrs: [], master: 'cni0' });
    const cni0 = ns.devices.find((d) => d.name === 'cni0')!;
    cni0.fdb = { [MAC_A]: { port: 'veth1', permanent: false } };
    ns.neigh.push({ ip: ip('10.244.1.6'), dev: 'cni0', mac: MAC_B, state: 'PERMANENT' });
    const other = addDevice(ns, { name: 'veth2', kind: 'veth', mac: '02:00:00:00:01:02', mtu: 1450, up: true, addrs: [], master: 'cni0' });
    removeDevice(ns, port.ifindex);
    expect(cni0.fdb).toEqual({});
    expect(ns.neigh).toHaveLength(2);
    removeDevice(ns, other.ifindex);
    expect(ns.neigh.map((n) => n.state)).toEqual(['PERMANENT']);
  });
});

describe('on a cluster', () => {
  const SPEC: ClusterSpec = { nodes: 2, workloads: { pods: [{ name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'nginx:1.27' }] } };

  it('an address taken over by a new MAC is lost until the old entry fails, then resolved afresh', () => {
    const clock = new VirtualClock(T0);
    const sim = Sim.create(SPEC, 3, clock);
    clock.advance(60_000);
    const pod = Object.values(sim.state.k8s.pods).find((p) => p.metadata.name === 'a')!;
    const node = nodeNsId(pod.spec.nodeName!);
    const target = ip(pod.status.podIP!);
    let seq = 0;
    const ping = () => sim.ping(node, target, { id: 7, seq: seq++ }).outcome.kind;
    const state = () => neighbourTable(sim.state, node, clock.now()).find((n) => n.ip === target && n.dev === 'cni0')!;
    expect(ping()).toBe('reply');
    expect(state()).toMatchObject({ state: 'REACHABLE' });
    // The pod's address now belongs to another interface (as when a new pod reuses it).
    const eth0 = sim.state.netns[podNsId('default', 'a')]!.devices.find((d) => d.name === 'eth0')!;
    const oldMac = eth0.mac;
    eth0.mac = '02:aa:bb:cc:dd:ee';
    clock.advance(120_000);
    expect(state()).toMatchObject({ state: 'STALE', mac: oldMac });
    expect(ping()).toBe('lost');
    expect(state()).toMatchObject({ state: 'DELAY', mac: oldMac });
    clock.advance(DELAY);
    expect(state()).toMatchObject({ state: 'PROBE', probes: 1 });
    expect(ping()).toBe('lost');
    clock.advance(3 * RETRANS);
    expect(state()).toMatchObject({ state: 'FAILED' });
    expect(ping()).toBe('reply');
    expect(state()).toMatchObject({ state: 'REACHABLE', mac: '02:aa:bb:cc:dd:ee' });
  });

  it('the unicast probe of a live neighbour is answered, and the answerer learns the prober', () => {
    const clock = new VirtualClock(T0);
    const sim = Sim.create(SPEC, 3, clock);
    clock.advance(60_000);
    const pod = Object.values(sim.state.k8s.pods).find((p) => p.metadata.name === 'b')!;
    const node = nodeNsId(pod.spec.nodeName!);
    const target = ip(pod.status.podIP!);
    expect(sim.ping(node, target, { id: 7, seq: 1 }).outcome.kind).toBe('reply');
    clock.advance(100_000);
    expect(sim.ping(node, target, { id: 7, seq: 2 }).outcome.kind).toBe('reply');
    const at = clock.now();
    clock.advance(DELAY + 500);
    expect(neighbourTable(sim.state, node, clock.now()).find((n) => n.ip === target)).toMatchObject({ state: 'REACHABLE', probes: 1, confirmed: at + DELAY });
    const gw = neighbourTable(sim.state, podNsId('default', 'b'), clock.now()).find((n) => n.dev === 'eth0')!;
    expect(gw.mac).toBe(sim.state.netns[node]!.devices.find((d) => d.name === 'cni0')!.mac);
  });
});
