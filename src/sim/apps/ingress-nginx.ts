/**
 * ingress-nginx's controller (`registry.k8s.io/ingress-nginx/controller`): nginx on 80 routing
 * by the cluster's Ingresses.
 *
 * Design notes: picks the Ingress rule for the request's Host and path (exact host, then the
 * longest matching path; Exact before Prefix), then proxies the request to one ready endpoint
 * of the backend Service, straight to the pod as ingress-nginx does (it reads endpoints, it
 * does not go through the ClusterIP), adding the X-Forwarded-* headers; no rule: its 404.
 */
import { formatIp, parseIp } from '../ipv4';
import { endpointPort, serviceEndpoints } from '../k8s/endpoints';
import type { IngressBackend } from '../k8s/types';
import type { SimState } from '../state';
import { ascii, headAware, http, nginxErrorPage, parseRequest, text, type RequestContext } from './http';
import { DEFAULT_PATH, type ImageDef } from './image';

function ingressProxy(state: SimState, req: Uint8Array, ctx: RequestContext): Uint8Array {
  const r = parseRequest(req);
  const notFound = http('404 Not Found', nginxErrorPage('404 Not Found', 'nginx'), 'nginx', 'text/html');
  if (!r) return http('400 Bad Request', nginxErrorPage('400 Bad Request', 'nginx'), 'nginx', 'text/html');
  const host = r.host.replace(/:\d+$/, '').toLowerCase();
  const path = r.path.split('?')[0]!;
  let best: { ns: string; backend: IngressBackend; len: number } | undefined;
  for (const ing of Object.values(state.k8s.ingresses ?? {})) {
    for (const rule of ing.spec.rules ?? []) {
      if (rule.host && rule.host.toLowerCase() !== host && !(rule.host.startsWith('*.') && host.endsWith(rule.host.slice(1)) && host.split('.').length === rule.host.split('.').length)) continue;
      for (const p of rule.http?.paths ?? []) {
        const pp = p.path ?? '/';
        const ok = p.pathType === 'Exact' ? path === pp : pp === '/' || path === pp || path.startsWith(pp.endsWith('/') ? pp : pp + '/');
        const len = (rule.host ? 10_000 : 0) + pp.length * 2 + (p.pathType === 'Exact' ? 1 : 0);
        if (ok && (!best || len > best.len)) best = { ns: ing.metadata.namespace ?? 'default', backend: p.backend, len };
      }
    }
    if (!best && ing.spec.defaultBackend) best = { ns: ing.metadata.namespace ?? 'default', backend: ing.spec.defaultBackend, len: -1 };
  }
  if (!best) return notFound;
  const chosen = best;
  const svc = state.k8s.services[`${chosen.ns}/${chosen.backend.service.name}`];
  const port = svc?.spec.ports?.find((p) => (chosen.backend.service.port.number !== undefined ? p.port === chosen.backend.service.port.number : p.name === chosen.backend.service.port.name));
  const eps = svc ? serviceEndpoints(state, svc).filter((e) => e.ready) : [];
  if (!svc || !port || eps.length === 0 || !ctx.connect) return http('503 Service Temporarily Unavailable', nginxErrorPage('503 Service Temporarily Unavailable', 'nginx'), 'nginx', 'text/html');
  const ep = eps[(ctx.peer.port + ctx.peer.ip) % eps.length]!;
  const target = endpointPort(port, ep, state.k8s.pods[`${chosen.ns}/${ep.pod}`]) ?? port.port;
  const t = text(req);
  const head = t.indexOf('\r\n\r\n');
  const forwarded = ascii(`${t.slice(0, head)}\r\nX-Forwarded-For: ${formatIp(ctx.peer.ip)}\r\nX-Real-IP: ${formatIp(ctx.peer.ip)}\r\nX-Forwarded-Host: ${r.host}\r\nX-Forwarded-Proto: http${t.slice(head)}`);
  return ctx.connect(parseIp(ep.ip)!, target, forwarded) ?? http('502 Bad Gateway', nginxErrorPage('502 Bad Gateway', 'nginx'), 'nginx', 'text/html');
}

export const ingressNginx: ImageDef = {
  id: 'ingress-nginx',
  match: (ref) => ref.repo.endsWith('ingress-nginx/controller'),
  serves: 'HTTP on 80, proxied to the endpoints of the Ingress rule that matches Host and path',
  env: () => [['PATH', DEFAULT_PATH]],
  listeners: ({ state }) => [{ proto: 'tcp', port: 80, program: 'nginx', handle: headAware((req, ctx) => ingressProxy(state, req, ctx)) }],
};
