/**
 * kube-proxy's own HTTP servers in a node's network namespace (it runs with hostNetwork).
 *
 * Design notes: the metrics server on 127.0.0.1:10249 (kubeadm's default metricsBindAddress)
 * answers `/proxyMode` with the mode's name (the cluster's proxyMode: `iptables` or `ipvs`) and
 * no newline, as pkg/proxy's server writes it
 * (`text/plain; charset=utf-8`, `X-Content-Type-Options: nosniff`); other paths are Go's 404.
 * For each LoadBalancer Service with externalTrafficPolicy Local, the service health server
 * listens on every address at spec.healthCheckNodePort and answers any path with the JSON
 * pkg/proxy/healthcheck/service_health.go writes (tab-indented, no final newline): the number
 * of ready endpoints on this node, 200 when there is one, 503 when there is none, and the
 * count in `X-Load-Balancing-Endpoint-Weight`. A node whose kube-proxy is stopped (a fault)
 * serves neither.
 * Left out: the rest of the metrics server (/metrics), the healthz server on 10256, Go's Date
 * header.
 */
import { serviceEndpoints } from '../k8s/endpoints';
import type { SimState } from '../state';
import { ascii, parseRequest, type Listener } from './http';

const LOOPBACK = 0x7f000001;

/** A Go net/http response with the headers kube-proxy sets and Go's Content-Length. */
function goResponse(status: string, headers: [string, string][], body: string): Uint8Array {
  const head = [`HTTP/1.1 ${status}`, ...headers.map(([k, v]) => `${k}: ${v}`), `Content-Length: ${body.length}`, '', ''].join('\r\n');
  return ascii(head + body);
}

const NOT_FOUND = goResponse('404 Not Found', [['Content-Type', 'text/plain; charset=utf-8'], ['X-Content-Type-Options', 'nosniff']], '404 page not found\n');

/** The listeners kube-proxy holds on the node, or none while it is stopped. */
export function kubeProxyListeners(state: SimState, nodeName: string): Listener[] {
  const ns = state.netns[`node/${nodeName}`];
  if (!ns || ns.kubeProxy?.mode === 'frozen') return [];
  const out: Listener[] = [
    {
      proto: 'tcp',
      port: 10249,
      addr: LOOPBACK,
      program: 'kube-proxy',
      handle: (req) => {
        const r = parseRequest(req);
        if (r?.path.split('?')[0] !== '/proxyMode') return NOT_FOUND;
        return goResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8'], ['X-Content-Type-Options', 'nosniff']], state.config.proxyMode ?? 'iptables');
      },
    },
  ];
  for (const svc of Object.values(state.k8s.services)) {
    const port = svc.spec.healthCheckNodePort;
    if (port === undefined) continue;
    out.push({
      proto: 'tcp',
      port,
      program: 'kube-proxy',
      handle: () => {
        const count = serviceEndpoints(state, svc).filter((e) => e.ready && e.node === nodeName).length;
        const body = `{\n\t"service": {\n\t\t"namespace": ${JSON.stringify(svc.metadata.namespace ?? 'default')},\n\t\t"name": ${JSON.stringify(svc.metadata.name)}\n\t},\n\t"localEndpoints": ${count},\n\t"serviceProxyHealthy": true\n}`;
        const headers: [string, string][] = [['Content-Type', 'application/json'], ['X-Content-Type-Options', 'nosniff'], ['X-Load-Balancing-Endpoint-Weight', String(count)]];
        return goResponse(count > 0 ? '200 OK' : '503 Service Unavailable', headers, body);
      },
    });
  }
  return out;
}

/** Whether the node's health check for a Local Service passes (what a cloud load balancer asks). */
export function healthCheckPasses(state: SimState, nodeName: string, serviceKey: string): boolean {
  const svc = state.k8s.services[serviceKey];
  if (!svc) return false;
  const ns = state.netns[`node/${nodeName}`];
  if (!ns || ns.kubeProxy?.mode === 'frozen') return false;
  return serviceEndpoints(state, svc).some((e) => e.ready && e.node === nodeName);
}
