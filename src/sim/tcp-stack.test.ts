import { describe, expect, it } from 'vitest';
import { text } from './apps';
import { VirtualClock } from './clock';
import { formatIp, ip } from './ipv4';
import { rngOver } from './rng';
import { createService } from './k8s/api';
import { WORKSTATION_NS } from './k8s/cloud';
import { checksumsValid } from './packet';
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
