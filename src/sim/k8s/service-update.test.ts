import { describe, expect, it } from 'vitest';
import { text } from '../apps';
import { VirtualClock } from '../clock';
import { rngOver } from '../rng';
import { Sim } from '../sim';
import { createService, updateServiceType } from './api';
import { WORKSTATION_NS } from './cloud';
import { parseIp } from '../ipv4';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);

function setup() {
  const sim = Sim.create({ workloads: { deployments: [{ name: 'echo', replicas: 1, image: 'registry.k8s.io/echoserver:1.10', labels: { app: 'echo' } }] } }, 8, new VirtualClock(T0 + 600_000), T0);
  const ctx = { state: sim.state, rng: rngOver(sim.state.rng), now: T0 + 300_000 };
  const svc = createService(ctx, { name: 'echo', namespace: 'default', type: 'ClusterIP', selector: { app: 'echo' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }] });
  const node = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'echo')!.spec.nodeName!;
  return { sim, ctx, svc, node };
}

const get = (path: string) => Uint8Array.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, (c) => c.charCodeAt(0));

describe('changing a Service type and externalTrafficPolicy', () => {
  it('ClusterIP -> NodePort -> LoadBalancer -> ClusterIP allocates and releases node ports and the address', () => {
    const { ctx, svc } = setup();
    expect(updateServiceType(ctx, svc, 'NodePort', undefined)).toBe(true);
    const np = svc.spec.ports![0]!.nodePort!;
    expect(np).toBeGreaterThanOrEqual(30000);
    expect(svc.spec.externalTrafficPolicy).toBe('Cluster');
    expect(updateServiceType(ctx, svc, 'LoadBalancer', undefined)).toBe(true);
    expect(svc.spec.ports![0]!.nodePort).toBe(np);
    expect(svc.status.loadBalancer.ingress?.[0]?.ip).toMatch(/^192\.168\./);
    expect(updateServiceType(ctx, svc, 'LoadBalancer', undefined)).toBe(false);
    expect(updateServiceType(ctx, svc, 'ClusterIP', undefined)).toBe(true);
    expect(svc.spec.ports![0]!.nodePort).toBeUndefined();
    expect(svc.spec.externalTrafficPolicy).toBeUndefined();
    expect(svc.status.loadBalancer).toEqual({});
    expect(ctx.state.k8s.alloc.nodePorts ?? []).not.toContain(np);
  });

  it('a LoadBalancer with policy Local gets a healthCheckNodePort, released when the policy goes back', () => {
    const { ctx, svc } = setup();
    updateServiceType(ctx, svc, 'LoadBalancer', undefined);
    expect(svc.spec.healthCheckNodePort).toBeUndefined();
    updateServiceType(ctx, svc, 'LoadBalancer', 'Local');
    const hc = svc.spec.healthCheckNodePort!;
    expect(hc).toBeGreaterThanOrEqual(30000);
    expect(ctx.state.k8s.alloc.nodePorts).toContain(hc);
    updateServiceType(ctx, svc, 'LoadBalancer', 'Cluster');
    expect(svc.spec.healthCheckNodePort).toBeUndefined();
    expect(ctx.state.k8s.alloc.nodePorts).not.toContain(hc);
  });

  it('kube-proxy answers the health check with the local endpoint count: 200 where the pod runs, 503 elsewhere', () => {
    const { sim, ctx, svc, node } = setup();
    updateServiceType(ctx, svc, 'LoadBalancer', 'Local');
    const hc = svc.spec.healthCheckNodePort!;
    for (const name of Object.keys(sim.state.k8s.nodes)) {
      const addr = parseIp(sim.state.k8s.nodes[name]!.status.addresses.find((a) => a.type === 'InternalIP')!.address)!;
      const r = sim.tcpRequest(WORKSTATION_NS, addr, hc, get('/healthz'));
      expect(r.kind).toBe('response');
      const t = text((r as { data: Uint8Array }).data);
      if (name === node) {
        expect(t).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        expect(t).toContain('\t"localEndpoints": 1,\n');
      } else {
        expect(t).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
        expect(t).toContain('X-Load-Balancing-Endpoint-Weight: 0\r\n');
      }
      expect(t.endsWith('}')).toBe(true);
    }
  });

  it('the load balancer sends a Local Service only to nodes that pass the health check', () => {
    const { sim, ctx, svc } = setup();
    updateServiceType(ctx, svc, 'LoadBalancer', 'Local');
    const lbIp = parseIp(svc.status.loadBalancer.ingress![0]!.ip!)!;
    for (let i = 0; i < 6; i++) {
      const r = sim.tcpRequest(WORKSTATION_NS, lbIp, 80, get('/'));
      expect(r.kind).toBe('response');
      // Through the NAT-mode balancer the pod sees the balancer's own address.
      expect(text((r as { data: Uint8Array }).data)).toContain('client_address=192.168.49.250');
    }
  });

  it('kube-proxy\'s metrics server answers /proxyMode on the node\'s loopback, and a node reaches its own 127.0.0.1', () => {
    const { sim, node } = setup();
    const r = sim.tcpRequest(`node/${node}`, 0x7f000001, 10249, get('/proxyMode'));
    expect(r.kind).toBe('response');
    expect(text((r as { data: Uint8Array }).data).endsWith('\r\n\r\niptables')).toBe(true);
    expect(sim.tcpRequest(`node/${node}`, 0x7f000001, 81, get('/')).kind).toBe('refused');
  });
});
