import { describe, it, expect } from 'vitest';
import { openSession } from '../support/session';
import { neighbourTable } from '../../src/sim/forward';
import { isValid, NEIGH_DEFAULTS } from '../../src/sim/neigh';
import { formatIp, ip, type Ip } from '../../src/sim/ipv4';
import { nodeNsId, podNsId } from '../../src/sim/cni';
import type { Pod } from '../../src/sim/k8s/types';

/**
 * A learner deletes the pods of a Deployment one after another while requesting its Service
 * from another pod, long enough for host-local to hand released addresses out again.
 *
 * What a real node does (measured on Linux 6.18 and kept in docs/reference/fidelity.md): the
 * bridge plugin's gratuitous ARP for a new pod never gets past cni0's port, so a node keeps
 * the old MAC for a reused address until its garbage collector drops the entry (only once
 * the machine's one ARP table, node and pods together, holds gc_thresh1 entries) or NUD
 * probing fails: a packet through that STALE entry
 * goes to the old MAC, DELAY turns PROBE after 5 s, three unanswered unicast probes make it
 * FAILED after 3 more, and the next packet resolves the address afresh. A request that meets
 * those eight seconds stalls on a real node too: the client's SYN is lost until the kernel
 * sends it again after the entry failed, so with a 2-second timeout it fails there as well,
 * while with wget's default timeout it gets through, late. Anything else must get through at
 * once, every stale address must be cleared within those eight seconds of its first use, and
 * the node's cni0 table must stay bounded.
 */

interface Outcome {
  /** Addresses handed to a new pod that an earlier pod on the same node had held. */
  reused: number;
  requests: number;
  /** Requests sent while some backend's node held another MAC for its address. */
  staleSeen: number;
  failures: { at: number; backend: Ip; stale: boolean }[];
  /** Requests that took time: how long, and whether some backend's entry was stale when they began. */
  stalls: { took: number; stale: boolean }[];
  /** The largest cni0 neighbour table a node had. */
  largest: number;
}

/**
 * The learner's loop (delete a pod, wait for its replacement, request the Service three
 * times), then pods scaled up and down until host-local has gone round every node's range
 * (`burstRequests` requests while they run), then the learner's loop again.
 */
async function scenario(burstRequests: number, wgetTimeout = ' -T 2'): Promise<Outcome> {
  const { session, run } = await openSession({ topology: 'kubernetes', seed: 1 });
  const sim = session.sim;
  const k8s = sim.state.k8s;
  const ok = async (line: string): Promise<void> => {
    const r = await run(line);
    expect(r.status, `${line}: ${r.stderr}`).toBe(0);
  };
  await ok('kubectl create deployment web --image=nginx:1.27 --replicas=3');
  await ok('kubectl expose deployment web --port=80');
  await ok('kubectl run client --image=busybox:1.36 -- sleep 360000');
  // A pod of its own on each node keeps cni0 up: a bridge without ports loses carrier, which
  // flushes its neighbour entries (arp_evict_nocarrier) and would hide what is tested here.
  for (const node of ['node-1', 'node-2']) {
    await ok(`kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: keeper-${node}\nspec:\n  nodeName: ${node}\n  containers:\n  - name: sleep\n    image: busybox:1.36\n    command: [sleep, '360000']\nEOF`);
  }
  await ok('sleep 20');
  const client = k8s.pods['default/client']!;
  const clientIp = ip(client.status.podIP!);
  const clientNode = nodeNsId(client.spec.nodeName!);
  const svcIp = ip(k8s.services['default/web']!.spec.clusterIP!);
  const nodes = ['node-1', 'node-2'];

  const webPods = (): Pod[] => Object.values(k8s.pods).filter((p) => p.metadata.labels?.app === 'web' && p.status.podIP);
  const macOf = (p: Pod): string | undefined => sim.state.netns[podNsId('default', p.metadata.name)]?.devices.find((d) => d.name === 'eth0')?.mac;
  const now = (): number => sim.clock.now();
  const out: Outcome = { reused: 0, requests: 0, staleSeen: 0, failures: [], stalls: [], largest: 0 };

  // The MAC each node last saw behind each pod address, to recognise a reused one.
  const holder = new Map<string, string>();
  const notePods = (): void => {
    for (const p of webPods()) {
      const key = `${p.spec.nodeName}|${p.status.podIP}`;
      const mac = macOf(p);
      if (!mac || holder.get(key) === mac) continue;
      if (holder.has(key)) out.reused++;
      holder.set(key, mac);
    }
  };

  /** Backends whose node would send to a MAC that is no longer theirs: the stall a real node has too. */
  const staleBackends = (): Set<Ip> => {
    const stale = new Set<Ip>();
    for (const p of webPods()) {
      const addr = ip(p.status.podIP!);
      const n = neighbourTable(sim.state, nodeNsId(p.spec.nodeName!), now()).find((x) => x.ip === addr && x.dev === 'cni0');
      if (n && isValid(n.state) && n.mac !== macOf(p)) stale.add(addr);
    }
    return stale;
  };

  const request = async (): Promise<void> => {
    notePods();
    const stale = staleBackends();
    if (stale.size > 0) out.staleSeen++;
    out.requests++;
    const began = now();
    const r = await run(`kubectl exec client -- wget -qO /dev/null${wgetTimeout} web`);
    if (now() > began) out.stalls.push({ took: now() - began, stale: stale.size > 0 });
    if (r.status !== 0) {
      // The connection the failed request opened: the client node's newest unreplied entry to the Service.
      const ct = (sim.state.netns[clientNode]!.conntrack ?? []).filter((e) => e.orig.src === clientIp && e.orig.dst === svcIp && !e.replied);
      const entry = ct.sort((a, b) => a.expires - b.expires).pop();
      expect(entry, r.stderr).toBeDefined();
      out.failures.push({ at: now(), backend: entry!.reply.src, stale: stale.has(entry!.reply.src) });
    }
    for (const node of nodes) out.largest = Math.max(out.largest, neighbourTable(sim.state, nodeNsId(node), now()).filter((n) => n.dev === 'cni0').length);
  };

  const learner = async (rounds: number): Promise<void> => {
    for (let i = 0; i < rounds; i++) {
      await ok(`kubectl delete pod ${webPods().sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0]!.metadata.name}`);
      await ok('sleep 5');
      for (let j = 0; j < 3; j++) await request();
    }
  };

  await learner(20);
  // More pods for a while, until host-local's cursor is near the end of a node's range; then
  // the learner's loop takes it round, so the early (requested) addresses come back.
  const cursor = (node: string): number => k8s.alloc.podIpam[node]!.last;
  for (let b = 0; b < 40 && Math.max(...nodes.map(cursor)) < 254 - 40; b++) {
    await ok('kubectl scale deployment web --replicas=30');
    await ok('sleep 5');
    notePods();
    for (let j = 0; j < burstRequests; j++) await request();
    await ok('kubectl scale deployment web --replicas=3');
    await ok('sleep 5');
  }
  const wrapped = new Set<string>();
  const last = new Map(nodes.map((n) => [n, cursor(n)]));
  for (let i = 0; i < 200 && wrapped.size === 0; i++) {
    await learner(1);
    for (const n of nodes) {
      if (cursor(n) < last.get(n)!) wrapped.add(n);
      last.set(n, cursor(n));
    }
  }
  expect(wrapped.size).toBeGreaterThan(0);
  await learner(30);
  notePods();
  return out;
}

/** What must hold either way: only stalls a real node has, each over within eight seconds, and a bounded table. */
function checkCommon(o: Outcome): void {
  expect(o.reused).toBeGreaterThan(20);
  // Every failure is a request a real node would stall too...
  expect(o.failures.filter((f) => !f.stale)).toEqual([]);
  // ...and a stale address stops failing within delay_first_probe_time and three probes.
  const window = NEIGH_DEFAULTS.delayFirstProbeTime + NEIGH_DEFAULTS.ucastSolicit * NEIGH_DEFAULTS.retransTime;
  const first = new Map<Ip, number>();
  for (const f of o.failures) {
    const start = first.get(f.backend);
    if (start === undefined || f.at - start > 60_000) first.set(f.backend, f.at);
    else expect(f.at - start, `${formatIp(f.backend)} still failing`).toBeLessThanOrEqual(window);
  }
  // Far from the 220 entries of a table that never forgets.
  expect(o.largest).toBeLessThanOrEqual(NEIGH_DEFAULTS.gcThresh1 + 20);
}

describe('deleting pods in a loop while requesting their Service', () => {
  it('with busy nodes, the garbage collector has dropped a reused address before it comes back: nothing is lost', async () => {
    const o = await scenario(25);
    checkCommon(o);
    expect(o.staleSeen).toBe(0);
    expect(o.failures).toEqual([]);
    expect(o.largest).toBeGreaterThan(NEIGH_DEFAULTS.gcThresh1 / 4);
  }, 300_000);

  it('with quiet nodes, a reused address meets the old entry: the few requests in its eight seconds stall, as on a real node', async () => {
    const o = await scenario(0);
    checkCommon(o);
    expect(o.staleSeen).toBeGreaterThan(0);
    expect(o.failures.length).toBeGreaterThan(0);
    // Each of them failed at -T's 2 s: nothing else takes time.
    expect(o.stalls.length).toBe(o.failures.length);
    expect(o.stalls.every((s) => s.took === 2000 && s.stale)).toBe(true);
  }, 300_000);

  it("with quiet nodes and wget's default timeout, a request that meets the old entry waits for a SYN retransmission and gets through", async () => {
    const o = await scenario(0, '');
    checkCommon(o);
    expect(o.staleSeen).toBeGreaterThan(0);
    expect(o.failures).toEqual([]);
    expect(o.stalls.length).toBeGreaterThan(0);
    // A stalled request began while an entry was stale, and got through at one of the SYN's
    // retransmissions (1, 2, 3, 4, 5, 7 and 11 s after the first): at the latest the one after
    // the entry failed, 8 s after its first use.
    const retransmissions = [1000, 2000, 3000, 4000, 5000, 7000, 11_000];
    for (const s of o.stalls) {
      expect(s.stale).toBe(true);
      expect(retransmissions).toContain(s.took);
    }
  }, 300_000);
});
