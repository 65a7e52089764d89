import { describe, expect, it } from 'vitest';
import { text } from './apps';
import { VirtualClock } from './clock';
import { formatIp, ip } from './ipv4';
import { rngOver } from './rng';
import { createService } from './k8s/api';
import { WORKSTATION_NS } from './k8s/cloud';
import { checksumsValid, ipv4, linuxSynOptions, tcp, TCP_ACK, TCP_PSH, TCP_SYN, type Ipv4Packet, type TcpSegment } from './packet';
import { SYN_GIVE_UP_MS, SYN_WAITS_MS, tcpInput } from './tcp-stack';
import { Sim } from './sim';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const get = (path: string, host = 'x') => enc(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

function setup() {
  const clock = new VirtualClock(T0 + 600_000);
  const sim = Sim.create(
    {
      workloads: {
        deployments: [{ name: 'echo', replicas: 3, image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', labels: { app: 'echo' } }],
        pods: [{ name: 'client', image: 'busybox:1.36' }],
      },
    },
    8,
    clock,
    T0,
  );
  // agnhost netexec serves /clientip on 8080.
  for (const p of Object.values(sim.state.k8s.pods)) if (p.metadata.labels?.app === 'echo') p.spec.containers[0]!.args = ['netexec', '--http-port=8080'];
  const ctx = { state: sim.state, rng: rngOver(sim.state.rng), now: T0 + 300_000 };
  const svc = createService(ctx, { name: 'echo', namespace: 'default', type: 'NodePort', selector: { app: 'echo' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }] });
  createService(ctx, { name: 'empty', namespace: 'default', selector: { app: 'none' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }] });
  const client = sim.pod('default', 'client')!;
  return { sim, svc, client, cns: sim.podNetns(client)!.id };
}

const body = (data: Uint8Array) => text(data).split('\r\n\r\n')[1];

describe('TCP through the network', () => {
  it('pod to pod: the server sees the client pod\'s own address (no NAT)', () => {
    const { sim, client, cns } = setup();
    const echo = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'echo' && p.spec.nodeName !== client.spec.nodeName)!;
    const r = sim.tcpRequest(cns, ip(echo.status.podIP!), 8080, get('/clientip'), 40100);
    expect(r.kind).toBe('response');
    if (r.kind !== 'response') return;
    expect(text(r.data)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(body(r.data)).toBe(`${client.status.podIP}:40100`);
    expect(r.closed).toBe(true);
    for (const t of r.traces) for (const c of t.captures) if (c.frame.payload.kind === 'ipv4') expect(checksumsValid(c.frame.payload)).toBe(true);
  });

  it('pod to ClusterIP: answered by one of the endpoints, replies come from the ClusterIP', () => {
    const { sim, svc, cns } = setup();
    const names = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const r = sim.tcpRequest(cns, ip(svc.spec.clusterIP!), 80, get('/hostname'), 41000 + i);
      expect(r.kind).toBe('response');
      if (r.kind === 'response') names.add(body(r.data)!);
      const synAck = r.traces[0]!.deliveries.find((d) => d.ns === cns)!;
      expect(formatIp(synAck.packet.src)).toBe(svc.spec.clusterIP);
    }
    expect([...names].sort()).toEqual(Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'echo').map((p) => p.metadata.name).sort());
  });

  it('workstation to NodePort: reaches the Service on every node; the pod sees a node-side address', () => {
    const { sim, svc, cns } = setup();
    void cns;
    const np = svc.spec.ports![0]!.nodePort!;
    for (const n of Object.values(sim.state.k8s.nodes)) {
      const nodeIp = n.status.addresses[0]!.address;
      const r = sim.tcpRequest(WORKSTATION_NS, ip(nodeIp), np, get('/clientip'));
      expect(r.kind).toBe('response');
      if (r.kind !== 'response') continue;
      const seen = body(r.data)!.split(':')[0]!;
      expect(seen).not.toBe('192.168.49.100');
    }
  });

  it('a closed port refuses, a Service without endpoints rejects, an unknown Service port times out', () => {
    const { sim, svc, cns } = setup();
    const echo = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'echo')!;
    expect(sim.tcpRequest(cns, ip(echo.status.podIP!), 9999, get('/')).kind).toBe('refused');
    const empty = sim.state.k8s.services['default/empty']!;
    const rej = sim.tcpRequest(cns, ip(empty.spec.clusterIP!), 80, get('/'));
    expect(rej.kind === 'icmp-error' && rej.code).toBe(3);
    expect(sim.tcpRequest(cns, ip(svc.spec.clusterIP!), 81, get('/')).kind).toBe('timeout');
  });
});

describe('TCP timers and retransmission', () => {
  it("Linux 6.8's SYN schedule: five waits of the initial 1 s, then doubling; connect() fails at 131 s", () => {
    expect(SYN_WAITS_MS).toEqual([1000, 1000, 1000, 1000, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]);
    expect(SYN_GIVE_UP_MS).toBe(131_000);
  });

  it('an unanswered SYN goes again on that schedule, each copy through the network, until the program gives up', async () => {
    const { sim, svc, cns } = setup();
    const clock = sim.clock as VirtualClock;
    const wait = async (ms: number): Promise<boolean> => {
      clock.advance(ms);
      return true;
    };
    const start = clock.now();
    const seen: number[] = [];
    sim.onTrace((t, at) => {
      for (const c of t.captures) {
        const p = c.frame.payload;
        if (c.ns === cns && c.dir === 'out' && p.kind === 'ipv4' && p.payload.kind === 'tcp' && p.payload.flags === TCP_SYN) seen.push(at - start);
      }
    });
    const cut = await sim.tcpSession(cns, ip(svc.spec.clusterIP!), 81, get('/'), { wait, limitMs: 10_000 });
    expect([cut.kind, cut.waitedMs, cut.interrupted]).toEqual(['timeout', 10_000, false]);
    expect(seen).toEqual([0, 1000, 2000, 3000, 4000, 5000, 7000]);
    seen.length = 0;
    const t1 = clock.now();
    const all = await sim.tcpSession(cns, ip(svc.spec.clusterIP!), 81, get('/'), { wait });
    expect([all.kind, all.waitedMs]).toEqual(['timeout', 131_000]);
    expect(seen.map((s) => s - (t1 - start))).toEqual([0, 1000, 2000, 3000, 4000, 5000, 7000, 11_000, 19_000, 35_000, 67_000]);
    // The same segment each time (the sequence number and the port), as the kernel sends it again.
    const sent = all.traces.flatMap((t) => t.captures.filter((c) => c.ns === cns && c.dir === 'out').map((c) => c.frame.payload));
    expect(new Set(sent.map((p) => (p.kind === 'ipv4' && p.payload.kind === 'tcp' ? `${p.payload.srcPort}/${p.payload.seq}` : 'other'))).size).toBe(1);
    // Interrupted during a wait: the run stops there.
    const stopped = await sim.tcpSession(cns, ip(svc.spec.clusterIP!), 81, get('/'), { wait: async (ms) => (clock.advance(ms), false) });
    expect([stopped.kind, stopped.interrupted, stopped.traces.length]).toEqual(['timeout', true, 1]);
    // tcpRequest lets no time pass: one SYN.
    expect(sim.tcpRequest(cns, ip(svc.spec.clusterIP!), 81, get('/')).traces).toHaveLength(1);
  });

  it('a SYN again for a connection in SYN_RECV gets the same SYN-ACK; data out of order waits for the gap', () => {
    const { sim, client } = setup();
    const echo = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'echo')!;
    const ns = sim.podNetns(echo)!;
    const src = ip(client.status.podIP!);
    const dst = ip(echo.status.podIP!);
    const rng = rngOver(sim.state.rng);
    const seg = (fields: Parameters<typeof tcp>[2]): Ipv4Packet => ipv4({ src, dst, df: true, payload: tcp(src, dst, fields) });
    const now = T0 + 600_000;
    const first = tcpInput(sim.state, ns, seg({ srcPort: 40000, dstPort: 8080, seq: 1000, flags: TCP_SYN, options: linuxSynOptions(1410, 1) }), rng, now);
    const again = tcpInput(sim.state, ns, seg({ srcPort: 40000, dstPort: 8080, seq: 1000, flags: TCP_SYN, options: linuxSynOptions(1410, 1001) }), rng, now + 1000);
    const sa = (ps: Ipv4Packet[]) => ps[0]!.payload as TcpSegment;
    expect(sa(first).flags).toBe(TCP_SYN | TCP_ACK);
    expect([sa(again).flags, sa(again).seq, sa(again).ack]).toEqual([TCP_SYN | TCP_ACK, sa(first).seq, 1001]);
    const isn = sa(first).seq;
    tcpInput(sim.state, ns, seg({ srcPort: 40000, dstPort: 8080, seq: 1001, ack: isn + 1, flags: TCP_ACK }), rng, now);
    const req = enc('GET /hostname HTTP/1.1\r\nHost: x\r\n\r\n');
    // The second half first: acknowledged with the sequence number still expected, and held.
    const early = tcpInput(sim.state, ns, seg({ srcPort: 40000, dstPort: 8080, seq: 1001 + 10, ack: isn + 1, flags: TCP_PSH | TCP_ACK, data: req.subarray(10) }), rng, now);
    expect(early.map((p) => [(p.payload as TcpSegment).flags, (p.payload as TcpSegment).ack])).toEqual([[TCP_ACK, 1001]]);
    // The first half releases it: the request is whole, and answered.
    const answer = tcpInput(sim.state, ns, seg({ srcPort: 40000, dstPort: 8080, seq: 1001, ack: isn + 1, flags: TCP_ACK, data: req.subarray(0, 10) }), rng, now);
    const data = answer.map((p) => p.payload as TcpSegment).filter((s) => s.data.length > 0);
    expect(text(data[0]!.data)).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\necho-/);
  });
});
