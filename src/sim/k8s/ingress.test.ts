import { describe, expect, it } from 'vitest';
import { text } from '../apps';
import { VirtualClock } from '../clock';
import { ip } from '../ipv4';
import { rngOver } from '../rng';
import { Sim } from '../sim';
import { createDeployment, createIngress, createService } from './api';
import { WORKSTATION_NS } from './cloud';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function setup() {
  const sim = Sim.create({ ingressController: true }, 21, new VirtualClock(T0 + 900_000), T0);
  const ctx = { state: sim.state, rng: rngOver(sim.state.rng), now: T0 + 300_000 };
  for (const app of ['shop', 'blog']) {
    createDeployment(ctx, { name: app, namespace: 'default', replicas: 2, labels: { app }, spec: { containers: [{ name: 'agnhost', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['serve-hostname'] }] } });
    createService(ctx, { name: app, namespace: 'default', selector: { app }, ports: [{ protocol: 'TCP', port: 80, targetPort: 9376 }] });
  }
  const ing = createIngress(ctx, {
    name: 'site',
    namespace: 'default',
    ingressClassName: 'nginx',
    rules: [
      { host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }] } },
      { host: 'example.com', http: { paths: [{ path: '/blog', pathType: 'Prefix', backend: { service: { name: 'blog', port: { number: 80 } } } }] } },
    ],
  });
  const lbIp = sim.state.k8s.services['ingress-nginx/ingress-nginx-controller']!.status.loadBalancer.ingress![0]!.ip!;
  return { sim, ing, lbIp };
}

const get = (host: string, path: string) => enc(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`);
const body = (d: Uint8Array) => text(d).split('\r\n\r\n')[1] ?? '';
const status = (d: Uint8Array) => text(d).split('\r\n')[0];

describe('Ingress through ingress-nginx', () => {
  it('routes by host and path from the workstation, through the load balancer, to a backend pod', () => {
    const { sim, ing, lbIp } = setup();
    expect(ing.status.loadBalancer.ingress).toEqual([{ ip: lbIp }]);
    const pods = (app: string) => Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === app).map((p) => p.metadata.name);
    const shop = sim.tcpRequest(WORKSTATION_NS, ip(lbIp), 80, get('shop.example.com', '/cart'));
    expect(shop.kind === 'response' && status(shop.data)).toBe('HTTP/1.1 200 OK');
    if (shop.kind === 'response') expect(pods('shop')).toContain(body(shop.data));
    const blog = sim.tcpRequest(WORKSTATION_NS, ip(lbIp), 80, get('example.com', '/blog/2025'));
    if (blog.kind === 'response') expect(pods('blog')).toContain(body(blog.data));
    else expect.fail(blog.kind);
    // The controller connected to the pod itself, not to the Service's ClusterIP.
    const hops = blog.traces.flatMap((t) => t.hops);
    expect(hops.some((h) => h.action === 'proxy')).toBe(true);
  });

  it('answers 404 for a host or path no rule matches, and prefix matching respects path segments', () => {
    const { sim, lbIp } = setup();
    for (const [host, path] of [['nope.example.com', '/'], ['example.com', '/'], ['example.com', '/blogger']]) {
      const r = sim.tcpRequest(WORKSTATION_NS, ip(lbIp), 80, get(host!, path!));
      expect(r.kind === 'response' && status(r.data)).toBe('HTTP/1.1 404 Not Found');
    }
  });
});
