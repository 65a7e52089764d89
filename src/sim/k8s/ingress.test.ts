import { describe, expect, it } from 'vitest';
import { text } from '../apps';
import { upstreamRequest } from '../apps/ingress-nginx';
import { VirtualClock } from '../clock';
import { formatIp, ip } from '../ipv4';
import { rngOver } from '../rng';
import { Sim } from '../sim';
import { createDeployment, createIngress, createService, type IngressInit } from './api';
import { LB_NS, WORKSTATION_NS } from './cloud';
import { controllerTakes, ingressStatusSync, STATUS_SYNC_MS } from './ingress-status';
import type { Ingress } from './types';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const backend = (name: string) => ({ service: { name, port: { number: 80 } } });

function setup(more: Omit<IngressInit, 'namespace'>[] = []) {
  const sim = Sim.create({ ingressController: true }, 21, new VirtualClock(T0 + 900_000), T0);
  const ctx = { state: sim.state, rng: rngOver(sim.state.rng), now: T0 + 300_000 };
  for (const app of ['shop', 'blog']) {
    createDeployment(ctx, { name: app, namespace: 'default', replicas: 2, labels: { app }, spec: { containers: [{ name: 'agnhost', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['serve-hostname'] }] } });
    createService(ctx, { name: app, namespace: 'default', selector: { app }, ports: [{ protocol: 'TCP', port: 80, targetPort: 9376 }] });
  }
  createDeployment(ctx, { name: 'echo', namespace: 'default', replicas: 1, labels: { app: 'echo' }, spec: { containers: [{ name: 'echoserver', image: 'registry.k8s.io/echoserver:1.10' }] } });
  createService(ctx, { name: 'echo', namespace: 'default', selector: { app: 'echo' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }] });
  const ing = createIngress(ctx, {
    name: 'site',
    namespace: 'default',
    ingressClassName: 'nginx',
    rules: [
      { host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('shop') }] } },
      { host: 'example.com', http: { paths: [{ path: '/blog', pathType: 'Prefix', backend: backend('blog') }] } },
      { host: 'echo.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('echo') }] } },
    ],
  });
  for (const m of more) {
    ctx.now += 1000;
    createIngress(ctx, { namespace: 'default', ...m });
  }
  const lbIp = sim.state.k8s.services['ingress-nginx/ingress-nginx-controller']!.status.loadBalancer.ingress![0]!.ip!;
  return { sim, ing, lbIp, ctx };
}

const get = (host: string, path: string, extra = '') => enc(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n${extra}\r\n`);
const head = (d: Uint8Array) => text(d).split('\r\n\r\n')[0]!;
const body = (d: Uint8Array) => text(d).split('\r\n\r\n')[1] ?? '';
const status = (d: Uint8Array) => text(d).split('\r\n')[0];

function request(sim: Sim, lbIp: string, host: string, path: string, extra = '') {
  const r = sim.tcpRequest(WORKSTATION_NS, ip(lbIp), 80, get(host, path, extra));
  if (r.kind !== 'response') expect.fail(r.kind);
  return r;
}

describe('Ingress through ingress-nginx', () => {
  it('installs the cloud manifest: a LoadBalancer Service with externalTrafficPolicy Local, a controller publishing it', () => {
    const { sim } = setup();
    const svc = sim.state.k8s.services['ingress-nginx/ingress-nginx-controller']!;
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.externalTrafficPolicy).toBe('Local');
    expect(svc.spec.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    const args = sim.state.k8s.deployments['ingress-nginx/ingress-nginx-controller']!.spec.template.spec.containers[0]!.args!;
    expect(args).toContain('--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller');
    expect(args).toContain('--ingress-class=nginx');
    expect(sim.state.k8s.services['ingress-nginx/ingress-nginx-controller-admission']).toBeDefined();
  });

  it('publishes the load balancer address in status at the first sync after the Ingress was created', () => {
    const { sim, ing, lbIp, ctx } = setup();
    expect(ing.status.loadBalancer.ingress).toBeUndefined();
    const pod = Object.values(sim.state.k8s.pods).find((p) => p.metadata.namespace === 'ingress-nginx')!;
    const start = Date.parse(pod.status.containerStatuses![0]!.state.running!.startedAt!);
    const sync = start + (Math.floor((ctx.now - 3000 - start) / STATUS_SYNC_MS) + 1) * STATUS_SYNC_MS;
    expect(ingressStatusSync(sim.state, sync - 1000)).toBe(false);
    expect(ing.status.loadBalancer.ingress).toBeUndefined();
    expect(ingressStatusSync(sim.state, sync)).toBe(true);
    expect(ing.status.loadBalancer.ingress).toEqual([{ ip: lbIp }]);
  });

  it('routes by host and path from the workstation, through the load balancer, to a backend pod', () => {
    const { sim, lbIp } = setup();
    const pods = (app: string) => Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === app).map((p) => p.metadata.name);
    const shop = request(sim, lbIp, 'shop.example.com', '/cart');
    expect(status(shop.data)).toBe('HTTP/1.1 200 OK');
    expect(pods('shop')).toContain(body(shop.data));
    const blog = request(sim, lbIp, 'example.com', '/blog/2025');
    expect(pods('blog')).toContain(body(blog.data));
    // The controller connected to the pod itself, not to the Service's ClusterIP.
    const hops = blog.traces.flatMap((t) => t.hops);
    const proxy = hops.findIndex((h) => h.action === 'proxy');
    expect(proxy).toBeGreaterThan(0);
    const after = hops.slice(proxy + 1).find((h) => h.ip);
    const podIps = Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'blog').map((p) => p.status.podIP);
    expect(podIps).toContain(formatIp(after!.ip!.dst));
    const clusterIp = ip(sim.state.k8s.services['default/blog']!.spec.clusterIP!);
    expect(hops.slice(proxy + 1).some((h) => h.ip?.dst === clusterIp)).toBe(false);
  });

  it('answers its 404 page without a Server header for a host or path no rule matches; Prefix respects path segments', () => {
    const { sim, lbIp } = setup();
    for (const [host, path] of [['nope.example.com', '/'], ['example.com', '/'], ['example.com', '/blogger'], [lbIp, '/']]) {
      const r = request(sim, lbIp, host!, path!);
      expect(status(r.data)).toBe('HTTP/1.1 404 Not Found');
      expect(head(r.data)).not.toMatch(/^server:/im);
      expect(body(r.data)).toBe('<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
    }
    expect(status(request(sim, lbIp, 'example.com', '/blog').data)).toBe('HTTP/1.1 200 OK');
  });

  it('sends the headers nginx.tmpl sets, with the address the connection came from, and clears the Server header', () => {
    const { sim, lbIp } = setup();
    const r = request(sim, lbIp, 'echo.example.com', '/', 'X-Forwarded-For: 203.0.113.7\r\n');
    const report = body(r.data);
    const controller = Object.values(sim.state.k8s.pods).find((p) => p.metadata.namespace === 'ingress-nginx')!;
    // The echo pod sees the controller pod; the controller saw the load balancer (a NAT-mode one),
    // and externalTrafficPolicy Local kept that address on the node.
    const lb = formatIp(sim.state.netns[LB_NS]!.devices.find((d) => d.name === 'eth0')!.addrs[0]!.ip);
    expect(report).toContain(`\tclient_address=${controller.status.podIP}\n`);
    expect(report).toContain(`\tx-forwarded-for=${lb}  \n`);
    expect(report).toContain(`\tx-real-ip=${lb}  \n`);
    expect(report).toContain('\tx-original-forwarded-for=203.0.113.7  \n');
    expect(report).toContain('\tx-forwarded-host=echo.example.com  \n');
    expect(report).toContain('\tx-forwarded-port=80  \n');
    expect(report).toContain('\tx-forwarded-proto=http  \n');
    expect(report).toContain('\tx-scheme=http  \n');
    expect(report).toMatch(/\tx-request-id=[0-9a-f]{32} {2}\n/);
    expect(head(r.data)).not.toMatch(/^server:/im);
    // Local: the load balancer sends only to the controller's node, which does not masquerade.
    const hops = r.traces.flatMap((t) => t.hops);
    expect(hops.some((h) => h.action === 'snat' && h.ns !== LB_NS)).toBe(false);
  });

  it('builds the upstream request as nginx does: set headers first, then the client\'s others, Connection dropped', () => {
    const req = enc('GET /a?b=1 HTTP/1.1\r\nHost: x.example\r\nConnection: keep-alive\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n');
    expect(text(upstreamRequest(req, '192.0.2.1', 80, 'f'.repeat(32)))).toBe(
      `GET /a?b=1 HTTP/1.1\r\nHost: x.example\r\nX-Request-ID: ${'f'.repeat(32)}\r\nX-Real-IP: 192.0.2.1\r\nX-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Host: x.example\r\nX-Forwarded-Port: 80\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Scheme: http\r\nX-Scheme: http\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`,
    );
  });

  it('takes only Ingresses of its class: a class-less or other-class Ingress is ignored and gets no address', () => {
    const { sim, lbIp } = setup([
      { name: 'noclass', rules: [{ host: 'noclass.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('shop') }] } }] },
      { name: 'other', ingressClassName: 'traefik', rules: [{ host: 'other.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('shop') }] } }] },
      { name: 'legacy', rules: [{ host: 'legacy.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('shop') }] } }] },
    ]);
    sim.state.k8s.ingresses!['default/legacy']!.metadata.annotations = { 'kubernetes.io/ingress.class': 'nginx' };
    expect(status(request(sim, lbIp, 'noclass.example.com', '/').data)).toBe('HTTP/1.1 404 Not Found');
    expect(status(request(sim, lbIp, 'other.example.com', '/').data)).toBe('HTTP/1.1 404 Not Found');
    expect(status(request(sim, lbIp, 'legacy.example.com', '/').data)).toBe('HTTP/1.1 200 OK');
    ingressStatusSync(sim.state, T0 + 900_000);
    expect(sim.state.k8s.ingresses!['default/noclass']!.status.loadBalancer.ingress).toBeUndefined();
    expect(sim.state.k8s.ingresses!['default/site']!.status.loadBalancer.ingress).toEqual([{ ip: lbIp }]);
    const ing = (cls?: string) => ({ metadata: { name: 'x', creationTimestamp: '' }, spec: cls ? { ingressClassName: cls } : {} }) as Ingress;
    expect(controllerTakes(ing(), ['/nginx-ingress-controller', '--watch-ingress-without-class=true'])).toBe(true);
    expect(controllerTakes(ing('nginx'), ['/nginx-ingress-controller'])).toBe(true);
  });

  it('picks the server by host first: a host-less rule does not serve a known host, Exact beats Prefix, the older Ingress wins', () => {
    const { sim, lbIp } = setup([
      { name: 'catchall', ingressClassName: 'nginx', rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('echo') }] } }] },
      { name: 'exact', ingressClassName: 'nginx', rules: [{ host: 'example.com', http: { paths: [{ path: '/blog', pathType: 'Exact', backend: backend('shop') }, { path: '/docs', pathType: 'ImplementationSpecific', backend: backend('shop') }] } }] },
      { name: 'later', ingressClassName: 'nginx', rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('blog') }] } }] },
    ]);
    const shopPods = Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'shop').map((p) => p.metadata.name);
    // Any other host goes to the catch-all server, where the host-less rule is.
    expect(body(request(sim, lbIp, 'other.example.com', '/').data)).toContain('client_address=');
    // example.com has its own server: the host-less rule does not apply there.
    expect(status(request(sim, lbIp, 'example.com', '/').data)).toBe('HTTP/1.1 404 Not Found');
    // An Exact path is its own location: the older Ingress's Prefix /blog then gets no `= /blog`.
    expect(shopPods).toContain(body(request(sim, lbIp, 'example.com', '/blog').data));
    expect(shopPods).not.toContain(body(request(sim, lbIp, 'example.com', '/blog/x').data));
    // ImplementationSpecific is a plain nginx prefix: /docsfoo matches /docs.
    expect(shopPods).toContain(body(request(sim, lbIp, 'example.com', '/docsfoo').data));
    // The same host and path in two Ingresses: the older one's backend.
    expect(shopPods).toContain(body(request(sim, lbIp, 'shop.example.com', '/').data));
  });
});
