/**
 * Properties over generated clusters: whatever the shape of the cluster (1-6 nodes, address
 * pools, MTU, Deployments of nginx or agnhost netexec, Services of every type over them, a
 * busybox client), the data path keeps the invariants a real kubeadm + flannel + kube-proxy
 * cluster keeps (see docs/reference/fidelity.md sections 2, 3, 4.3, 6 and 8):
 *   1. pod to pod: no NAT, TTL 64 on one node and 62 across nodes, one decrement per routed hop;
 *   2. every Service with a ready endpoint answers on its ClusterIP, its NodePort on every node
 *      and its load balancer IP, and replies come back from the address the client used;
 *   3. no two addressable things share an address, and the pools do not overlap;
 *   4. every captured packet has valid checksums (inner VXLAN packets included) and every
 *      frame survives encode/decode;
 *   5. the same spec, seed and requests give the same state.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { text } from './apps';
import { nodeNsId } from './cni';
import { VirtualClock } from './clock';
import { decodeDns, dnsQuery, encodeDns } from './dns';
import type { TraceResult } from './forward';
import { cidr, contains, formatIp, ip, nth, overlaps, parseCidr, type Ip } from './ipv4';
import { createDeployment, createService, type ApiContext } from './k8s/api';
import { LB_NS, WORKSTATION_NS } from './k8s/cloud';
import type { Container, Pod, Service } from './k8s/types';
import { checksumsValid, decodeFrame, encodeFrame, type Ipv4Packet } from './packet';
import { Sim, type TcpResult } from './sim';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const NGINX = 'nginx:1.27';
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
/** fast-check runs per property: each run builds a cluster and sends hundreds of packets. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 20);
const TIMEOUT = 120_000;

// ------------------------------------------------------------------------------ generators

type ServiceKind = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'Headless';

interface DeploymentGen {
  image: 'nginx' | 'agnhost';
  replicas: number;
  /** The container declares its port with the name `http` (so Services may target it by name). */
  namedPort: boolean;
}

interface ServiceGen {
  /** Index (mod the number of Deployments) of the Deployment the Service selects. */
  target: number;
  kind: ServiceKind;
  port: number;
  /** A named Service port, and a named targetPort when the Deployment declares one. */
  named: boolean;
}

interface Scenario {
  nodes: number;
  pools: { nodeNetwork: string; podCidr: string; serviceCidr: string };
  mtu: number;
  deployments: DeploymentGen[];
  services: ServiceGen[];
  seed: number;
}

/** Address plans real tools use (minikube, kind, k3s-style), combined freely: none overlap. */
const poolsArb = fc.record({
  nodeNetwork: fc.constantFrom('192.168.49.0/24', '172.18.0.0/16', '192.168.1.0/24'),
  podCidr: fc.constantFrom('10.244.0.0/16', '10.42.0.0/16'),
  serviceCidr: fc.constantFrom('10.96.0.0/12', '10.96.0.0/16', '10.43.0.0/16'),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  nodes: fc.integer({ min: 1, max: 6 }),
  pools: poolsArb,
  mtu: fc.constantFrom(1500, 1450, 9000),
  deployments: fc.array(
    fc.record({ image: fc.constantFrom('nginx' as const, 'agnhost' as const), replicas: fc.integer({ min: 0, max: 6 }), namedPort: fc.boolean() }),
    { minLength: 1, maxLength: 4 },
  ),
  services: fc.array(
    fc.record({
      target: fc.nat({ max: 3 }),
      kind: fc.constantFrom<ServiceKind>('ClusterIP', 'NodePort', 'LoadBalancer', 'Headless'),
      port: fc.constantFrom(80, 443, 5000, 8080, 9376),
      named: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
  seed: fc.integer({ min: 0, max: 0xffffffff }),
});

// ------------------------------------------------------------------------------ building

interface Built {
  sim: Sim;
  /** The generated Services, with what each one selects and the port its endpoints serve. */
  services: { gen: ServiceGen; svc: Service; dep: DeploymentGen; app: string; containerPort: number }[];
  client: Pod;
}

const containerPortOf = (d: DeploymentGen): number => (d.image === 'nginx' ? 80 : 8080);

/** Builds the cluster the way a learner would: the spec, then `kubectl create deployment` and `kubectl expose`. */
function build(s: Scenario): Built {
  const clock = new VirtualClock(T0 + 600_000);
  const sim = Sim.create(
    { nodes: s.nodes, ...s.pools, mtu: s.mtu, workloads: { pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] }] } },
    s.seed,
    clock,
    T0,
  );
  const ctx: ApiContext = { state: sim.state, rng: sim.rng, now: T0 + 300_000, schedule: new Map() };
  s.deployments.forEach((d, i) => {
    const port = containerPortOf(d);
    const container: Container =
      d.image === 'nginx'
        ? { name: 'nginx', image: NGINX }
        : { name: 'agnhost', image: AGNHOST, args: ['netexec', '--http-port=8080'] };
    container.ports = [{ ...(d.namedPort ? { name: 'http' } : {}), containerPort: port, protocol: 'TCP' }];
    createDeployment(ctx, { name: `app-${i}`, namespace: 'default', replicas: d.replicas, labels: { app: `app-${i}` }, spec: { containers: [container] } });
  });
  ctx.now = T0 + 360_000;
  const services = s.services.map((gen, i) => {
    const t = gen.target % s.deployments.length;
    const dep = s.deployments[t]!;
    const app = `app-${t}`;
    const containerPort = containerPortOf(dep);
    const svc = createService(ctx, {
      name: `svc-${i}`,
      namespace: 'default',
      ...(gen.kind === 'Headless' ? { clusterIP: 'None' } : { type: gen.kind }),
      selector: { app },
      ports: [{ ...(gen.named ? { name: 'web' } : {}), protocol: 'TCP', port: gen.port, targetPort: gen.named && dep.namedPort ? 'http' : containerPort }],
    });
    return { gen, svc, dep, app, containerPort };
  });
  return { sim, services, client: sim.pod('default', 'client')! };
}

// ------------------------------------------------------------------------------ helpers

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const httpGet = (path: string, host: string): Uint8Array => enc(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`);

/** Pods with their own network namespace and an address (not host-network, scheduled). */
function podsWithIp(sim: Sim): Pod[] {
  return Object.values(sim.state.k8s.pods)
    .filter((p) => !p.spec.hostNetwork && p.status.phase === 'Running' && !!p.status.podIP)
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

function readyEndpoints(sim: Sim, app: string): Pod[] {
  return podsWithIp(sim).filter((p) => p.metadata.labels?.app === app && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
}

function nodeAddresses(sim: Sim): Ip[] {
  return Object.values(sim.state.k8s.nodes).map((n) => ip(n.status.addresses.find((a) => a.type === 'InternalIP')!.address));
}

function lanAddress(sim: Sim, nsId: string): Ip {
  return sim.state.netns[nsId]!.devices.find((d) => d.name === 'eth0')!.addrs[0]!.ip;
}

/** Every IPv4 packet in every capture (inner packets of VXLAN too) has valid checksums; every frame round-trips. */
function checkCaptures(trace: TraceResult): void {
  for (const c of trace.captures) {
    const where = `${c.ns} ${c.dev} ${c.dir}`;
    const bytes = encodeFrame(c.frame);
    const back = decodeFrame(bytes);
    // Cheap checks first; expect() only to explain a failure.
    if (!isDeepStrictEqual(back, c.frame)) expect(back, `frame round trip at ${where}`).toEqual(c.frame);
    if (!sameBytes(encodeFrame(back), bytes)) expect(encodeFrame(back), `frame bytes at ${where}`).toEqual(bytes);
    if (c.frame.payload.kind !== 'ipv4') continue;
    const stack: Ipv4Packet[] = [c.frame.payload];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (!checksumsValid(p)) expect.fail(`bad checksum: ${formatIp(p.src)} > ${formatIp(p.dst)} proto ${p.proto} ttl ${p.ttl} id ${p.id} at ${where}`);
      const pl = p.payload;
      if (pl.kind === 'udp' && !(pl.payload instanceof Uint8Array) && pl.payload.inner.payload.kind === 'ipv4') stack.push(pl.payload.inner.payload);
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Every segment the client received on its socket came from where it sent (the un-NAT of
 * replies), and the connection was answered with HTTP 200.
 */
function expectHttp200FromDestination(r: TcpResult, dst: Ip, dport: number, what: string): string {
  expect(r.kind, what).toBe('response');
  if (r.kind !== 'response') return '';
  const reply = text(r.data);
  expect(reply, what).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  let segments = 0;
  for (const t of r.traces) {
    for (const d of t.deliveries) {
      const pl = d.packet.payload;
      if (pl.kind !== 'tcp' || d.packet.dst !== r.src || pl.dstPort !== r.sport) continue;
      segments++;
      expect(`${formatIp(d.packet.src)}:${pl.srcPort}`, `${what}: reply source`).toBe(`${formatIp(dst)}:${dport}`);
    }
    checkCaptures(t);
  }
  expect(segments, what).toBeGreaterThan(0);
  return reply.split('\r\n\r\n')[1] ?? '';
}

/** The endpoint pods whose namespace received the connection's SYN on the target port. */
function servedBy(r: TcpResult, containerPort: number): string[] {
  const syn = r.traces[0];
  if (!syn) return [];
  return [...new Set(syn.deliveries.filter((d) => d.ns.startsWith('pod/') && d.packet.payload.kind === 'tcp' && d.packet.payload.dstPort === containerPort).map((d) => d.ns))];
}

const report = (s: Scenario): string => JSON.stringify(s);

// ------------------------------------------------------------------------------ properties

describe('properties of generated clusters', () => {
  it('1. every pod pings every other pod: no NAT, TTL 64 on one node and 62 across nodes, one decrement per routed hop', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { sim } = build(s);
        const pods = podsWithIp(sim);
        const scenario = report(s);
        const nodeIps = new Set(nodeAddresses(sim));
        let seq = 0;
        for (const a of pods) {
          const ans = sim.podNetns(a)!.id;
          for (const b of pods) {
            if (a === b) continue;
            const bns = sim.podNetns(b)!.id;
            const what = `${a.metadata.name}@${a.spec.nodeName} -> ${b.metadata.name}@${b.spec.nodeName} (${scenario})`;
            const target = ip(b.status.podIP!);
            const r = sim.ping(ans, target, { id: 0x4242, seq: ++seq });
            checkCaptures(r.trace);
            expect(r.outcome.kind, what).toBe('reply');
            if (r.outcome.kind !== 'reply') continue;
            expect(formatIp(r.outcome.from), what).toBe(b.status.podIP);
            const expectedTtl = a.spec.nodeName === b.spec.nodeName ? 64 : 62;
            expect(r.outcome.ttl, what).toBe(expectedTtl);
            // The trace: the target's kernel answers once; the routers on the way back each decrement once.
            const replyAt = r.trace.hops.findIndex((h) => h.action === 'reply' && h.ns === bns);
            expect(replyAt, what).toBeGreaterThanOrEqual(0);
            const forwards = (from: number, to: number) => r.trace.hops.slice(from, to).filter((h) => h.action === 'forward');
            const back = forwards(replyAt, r.trace.hops.length);
            expect(back.length, `${what}: forward hops of the reply`).toBe(64 - r.outcome.ttl);
            expect(forwards(0, replyAt).length, `${what}: forward hops of the request`).toBe(64 - r.outcome.ttl);
            // Pod to pod is never translated: every header the reply showed on its way carried the two pod addresses.
            for (const h of r.trace.hops.slice(replyAt)) {
              // (Hops of the VXLAN outer packet show the node addresses: that is the tunnel, not a translation.)
              if (h.ip && !(nodeIps.has(h.ip.src) && nodeIps.has(h.ip.dst))) expect(`${formatIp(h.ip.src)} > ${formatIp(h.ip.dst)}`, `${what}: ${h.ns} ${h.action}`).toBe(`${b.status.podIP} > ${a.status.podIP}`);
            }
            expect(r.trace.hops.some((h) => h.action === 'dnat' || h.action === 'snat' || h.action === 'un-dnat' || h.action === 'un-snat'), what).toBe(false);
            // Across nodes each half crosses flannel.1 once: the inner TTL already decremented by the
            // sending node, the outer header node to node with TTL 64 (fidelity 6).
            const encaps = r.trace.hops.filter((h) => h.action === 'vxlan-encap');
            const nodeIp = (name: string) => ip(sim.state.k8s.nodes[name]!.status.addresses[0]!.address);
            if (a.spec.nodeName === b.spec.nodeName) expect(encaps, what).toEqual([]);
            else {
              expect(
                encaps.map((h) => ({ ns: h.ns, inner: h.ip!.ttl, outer: h.outer })),
                what,
              ).toEqual([
                { ns: nodeNsId(a.spec.nodeName!), inner: 63, outer: { src: nodeIp(a.spec.nodeName!), dst: nodeIp(b.spec.nodeName!), ttl: 64 } },
                { ns: nodeNsId(b.spec.nodeName!), inner: 63, outer: { src: nodeIp(b.spec.nodeName!), dst: nodeIp(a.spec.nodeName!), ttl: 64 } },
              ]);
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('1b. every pod pings every node: the node answers itself, TTL 64 from its own node and 63 from any other', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { sim } = build(s);
        const scenario = report(s);
        let seq = 0;
        // Every ping uses the same ICMP identifier, as pings from different pods often do
        // (busybox and iputils take it from the process id, and containers have small ones).
        for (const a of podsWithIp(sim)) {
          const ans = sim.podNetns(a)!.id;
          for (const n of Object.values(sim.state.k8s.nodes)) {
            const nodeIp = n.status.addresses.find((x) => x.type === 'InternalIP')!.address;
            const what = `${a.metadata.name}@${a.spec.nodeName} -> node ${n.metadata.name} (${scenario})`;
            const r = sim.ping(ans, ip(nodeIp), { id: 0x4242, seq: ++seq });
            checkCaptures(r.trace);
            expect(r.trace.hops.filter((h) => h.action === 'reply').map((h) => h.ns), `${what}: who answers`).toEqual([nodeNsId(n.metadata.name)]);
            expect(r.outcome.kind === 'reply' && { from: formatIp(r.outcome.from), ttl: r.outcome.ttl }, what).toEqual({ from: nodeIp, ttl: n.metadata.name === a.spec.nodeName ? 64 : 63 });
          }
        }
      }),
      {
        numRuns: RUNS,
        // The counterexample fast-check shrank to, kept so the property fails deterministically
        // until it is fixed: conntrack.ts keys ICMP echo by (addresses, id) without the ICMP type,
        // so node-1's masqueraded echo REQUEST to control-plane (192.168.49.3 > .2, id 0x4242)
        // matches the REPLY tuple of a coredns pod's earlier ping of node-1 and is un-SNATed to
        // that pod, which answers instead of the node (ttl 62, not 63). In Linux the tuple holds
        // the type (8 inverts to 0), so a request never matches a reply tuple.
        examples: [[{ nodes: 2, pools: { nodeNetwork: '192.168.49.0/24', podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' }, mtu: 1500, deployments: [{ image: 'nginx', replicas: 0, namedPort: false }], services: [], seed: 0 }]],
      },
    );
  }, TIMEOUT);

  it('2. every Service with a ready endpoint answers on its ClusterIP, NodePorts and load balancer IP; replies come from where the client sent', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { sim, services, client } = build(s);
        const clientNs = client.status.podIP ? sim.podNetns(client)!.id : undefined;
        const nodes = nodeAddresses(sim);
        for (const { gen, svc, dep, app, containerPort } of services) {
          const eps = readyEndpoints(sim, app);
          const epNs = new Set(eps.map((p) => sim.podNetns(p)!.id));
          const epNames = new Set(eps.map((p) => p.metadata.name));
          const port = svc.spec.ports![0]!;
          const path = dep.image === 'agnhost' ? '/hostname' : '/';
          const check = (r: TcpResult, dst: Ip, dport: number, what: string): void => {
            const body = expectHttp200FromDestination(r, dst, dport, what);
            const served = servedBy(r, containerPort);
            expect(served.length, `${what}: served by exactly one endpoint`).toBe(1);
            expect(epNs.has(served[0]!), `${what}: ${served[0]} is an endpoint`).toBe(true);
            if (dep.image === 'agnhost') expect(epNames.has(body), `${what}: /hostname ${body}`).toBe(true);
          };
          if (gen.kind === 'Headless') {
            expect(svc.spec.clusterIP).toBe('None');
            continue;
          }
          const cip = ip(svc.spec.clusterIP!);
          const ctx = `${svc.metadata.name} (${gen.kind} ${port.port}->${String(port.targetPort)}, ${eps.length} endpoints; ${report(s)})`;
          if (eps.length === 0) {
            // kube-proxy: a Service port without endpoints is REJECTed with ICMP port unreachable.
            if (clientNs) {
              const r = sim.tcpRequest(clientNs, cip, port.port, httpGet('/', svc.metadata.name));
              expect(r.kind === 'icmp-error' && r.code, `client -> ClusterIP ${ctx}`).toBe(3);
            }
            continue;
          }
          if (clientNs) {
            const r = sim.tcpRequest(clientNs, cip, port.port, httpGet(path, svc.metadata.name));
            check(r, cip, port.port, `client -> ClusterIP ${formatIp(cip)}:${port.port} ${ctx}`);
          }
          if (gen.kind === 'NodePort' || gen.kind === 'LoadBalancer') {
            const np = port.nodePort!;
            expect(np).toBeGreaterThanOrEqual(30000);
            expect(np).toBeLessThanOrEqual(32767);
            for (const n of nodes) {
              const r = sim.tcpRequest(WORKSTATION_NS, n, np, httpGet(path, formatIp(n)));
              check(r, n, np, `workstation -> NodePort ${formatIp(n)}:${np} ${ctx}`);
            }
          }
          if (gen.kind === 'LoadBalancer') {
            const lbIp = svc.status.loadBalancer.ingress?.[0]?.ip;
            expect(lbIp, ctx).toBeDefined();
            const r = sim.tcpRequest(WORKSTATION_NS, ip(lbIp!), port.port, httpGet(path, lbIp!));
            check(r, ip(lbIp!), port.port, `workstation -> LoadBalancer ${lbIp}:${port.port} ${ctx}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('3. no two addressable things share an address, every address is in its pool, and the pools do not overlap', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { sim } = build(s);
        const st = sim.state;
        const cfg = st.config;
        const what = report(s);
        const owners = new Map<string, string[]>();
        const claim = (addr: string, who: string): void => {
          owners.set(addr, [...(owners.get(addr) ?? []), who]);
        };
        claim(formatIp(cfg.gateway), 'gateway');
        claim(formatIp(lanAddress(sim, WORKSTATION_NS)), 'workstation');
        claim(formatIp(lanAddress(sim, LB_NS)), 'cloud load balancer');
        for (const n of Object.values(st.k8s.nodes)) {
          const a = n.status.addresses.find((x) => x.type === 'InternalIP')!.address;
          claim(a, `node ${n.metadata.name}`);
          expect(contains(cfg.nodeNetwork, ip(a)), `${a} in the node network (${what})`).toBe(true);
          const sub = parseCidr(n.spec.podCIDR)!;
          expect(contains(cfg.podCidr, sub.addr) && sub.len >= cfg.podCidr.len, `${n.spec.podCIDR} in the pod CIDR`).toBe(true);
          for (const m of Object.values(st.k8s.nodes)) if (m !== n) expect(overlaps(sub, parseCidr(m.spec.podCIDR)!), `${n.metadata.name} and ${m.metadata.name} pod CIDRs`).toBe(false);
        }
        for (const p of podsWithIp(sim)) {
          claim(p.status.podIP!, `pod ${p.metadata.namespace}/${p.metadata.name}`);
          const sub = parseCidr(st.k8s.nodes[p.spec.nodeName!]!.spec.podCIDR)!;
          expect(contains(sub, ip(p.status.podIP!)), `${p.status.podIP} in ${p.spec.nodeName}'s pod CIDR (${what})`).toBe(true);
          // Neither the network address (flannel.1), the gateway (cni0) nor the broadcast address.
          expect([nth(sub, 0), nth(sub, 1), nth(sub, 2 ** (32 - sub.len) - 1)]).not.toContain(ip(p.status.podIP!));
        }
        for (const svc of Object.values(st.k8s.services)) {
          const c = svc.spec.clusterIP;
          if (c && c !== 'None') {
            claim(c, `ClusterIP of ${svc.metadata.namespace}/${svc.metadata.name}`);
            expect(contains(cfg.serviceCidr, ip(c)), `${c} in the service CIDR (${what})`).toBe(true);
          }
          for (const ing of svc.status.loadBalancer.ingress ?? []) {
            if (!ing.ip) continue;
            claim(ing.ip, `load balancer IP of ${svc.metadata.name}`);
            expect(contains(cfg.nodeNetwork, ip(ing.ip)), `${ing.ip} on the node network`).toBe(true);
          }
        }
        // Every interface address in every namespace (cni0's .1 and flannel.1's .0 included) is unique too,
        // once the load balancer's pool addresses are synced onto it.
        sim.ping(WORKSTATION_NS, cfg.gateway, { id: 1, seq: 1 });
        const ifaceOwners = new Map<string, string[]>();
        for (const ns of Object.values(st.netns)) {
          for (const d of ns.devices) {
            if (d.kind === 'loopback') continue;
            for (const a of d.addrs) ifaceOwners.set(formatIp(a.ip), [...(ifaceOwners.get(formatIp(a.ip)) ?? []), `${ns.id} ${d.name}`]);
          }
        }
        const dupes = (m: Map<string, string[]>) => [...m].filter(([, who]) => who.length > 1).map(([a, who]) => `${a}: ${who.join(', ')}`);
        expect(dupes(owners), what).toEqual([]);
        expect(dupes(ifaceOwners), what).toEqual([]);
        // The three pools, pairwise.
        const pools = { node: cfg.nodeNetwork, pod: cfg.podCidr, service: cfg.serviceCidr };
        expect(overlaps(pools.node, pools.pod) || overlaps(pools.node, pools.service) || overlaps(pools.pod, pools.service), what).toBe(false);
        expect(cfg.nodeNetwork).toEqual(cidr(s.pools.nodeNetwork));
        expect(cfg.podCidr).toEqual(cidr(s.pools.podCidr));
        expect(cfg.serviceCidr).toEqual(cidr(s.pools.serviceCidr));
      }),
      { numRuns: RUNS * 3 },
    );
  }, TIMEOUT);

  it('4. every captured frame has valid checksums (inner VXLAN packets too) and round-trips through encode/decode', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const built = build(s);
        for (const t of mixedTraffic(built)) checkCaptures(t);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('5. the same spec, seed and requests give identical state (and a restored snapshot continues identically)', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const a = build(s);
        const b = build(s);
        expect(JSON.stringify(b.sim.state)).toBe(JSON.stringify(a.sim.state));
        const snap = a.sim.snapshot();
        const ta = mixedTraffic(a);
        const tb = mixedTraffic(b);
        expect(JSON.stringify(tb)).toBe(JSON.stringify(ta));
        expect(JSON.stringify(b.sim.state)).toBe(JSON.stringify(a.sim.state));
        const c = Sim.restore(snap, new VirtualClock(T0 + 600_000));
        const tc = mixedTraffic({ ...a, sim: c, client: c.pod('default', 'client')! });
        expect(JSON.stringify(tc)).toBe(JSON.stringify(ta));
        expect(JSON.stringify(c.state)).toBe(JSON.stringify(a.sim.state));
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  }, TIMEOUT);
});

/**
 * A mix of traffic touching every path: pings between pods (same and other nodes), to nodes and
 * across the LAN; a DNS query to kube-dns; TCP to every Service's ClusterIP, NodePorts and load
 * balancer IP, and to pods directly. Returns every trace.
 */
function mixedTraffic({ sim, services, client }: Built): TraceResult[] {
  const traces: TraceResult[] = [];
  const pods = podsWithIp(sim);
  const clientNs = client.status.podIP ? sim.podNetns(client)!.id : undefined;
  const sources = [...(clientNs ? [clientNs] : []), ...pods.slice(0, 2).map((p) => sim.podNetns(p)!.id), WORKSTATION_NS, nodeNsId(Object.keys(sim.state.k8s.nodes).at(-1)!)];
  let seq = 0;
  for (const src of sources) {
    for (const p of pods) traces.push(sim.ping(src, ip(p.status.podIP!), { id: 7, seq: ++seq, size: 1 + (seq % 200) }).trace);
    for (const n of nodeAddresses(sim)) traces.push(sim.ping(src, n, { id: 7, seq: ++seq }).trace);
  }
  const dns = nth(sim.state.config.serviceCidr, 10);
  for (const src of sources) {
    const names = ['kubernetes.default.svc.cluster.local', ...services.map(({ svc }) => `${svc.metadata.name}.default.svc.cluster.local`), 'example.com'];
    for (const name of names) {
      const r = sim.udpRequest(src, dns, 53, encodeDns(dnsQuery(++seq & 0xffff, name, 'A')));
      traces.push(r.trace);
      if (src.startsWith('pod/') && r.kind === 'reply') {
        expect(formatIp(r.from)).toBe(formatIp(dns));
        expect(r.sport).toBe(53);
        expect(decodeDns(r.data).questions[0]?.name.replace(/\.$/, '')).toBe(name);
      }
    }
  }
  for (const { svc, dep } of services) {
    const port = svc.spec.ports![0]!;
    const path = dep.image === 'agnhost' ? '/clientip' : '/';
    if (clientNs && svc.spec.clusterIP && svc.spec.clusterIP !== 'None') traces.push(...sim.tcpRequest(clientNs, ip(svc.spec.clusterIP), port.port, httpGet(path, 'svc')).traces);
    if (port.nodePort) for (const n of nodeAddresses(sim)) traces.push(...sim.tcpRequest(WORKSTATION_NS, n, port.nodePort, httpGet(path, 'np')).traces);
    const lbIp = svc.status.loadBalancer.ingress?.[0]?.ip;
    if (lbIp) traces.push(...sim.tcpRequest(WORKSTATION_NS, ip(lbIp), port.port, httpGet(path, 'lb')).traces);
  }
  for (const p of pods.filter((x) => x.metadata.labels?.app)) {
    const image = p.spec.containers[0]!.image;
    if (clientNs) traces.push(...sim.tcpRequest(clientNs, ip(p.status.podIP!), image === NGINX ? 80 : 8080, httpGet('/clientip', 'pod')).traces);
  }
  return traces;
}

