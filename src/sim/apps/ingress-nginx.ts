/**
 * ingress-nginx's controller (`registry.k8s.io/ingress-nginx/controller`): nginx on 80 routing
 * by the cluster's Ingresses, as controller v1.12 configures it.
 *
 * Design notes: the controller takes the Ingresses of its class (k8s/ingress-status.ts
 * `controllerTakes`: `ingressClassName: nginx`, or no class only with
 * `--watch-ingress-without-class=true`, which minikube's addon sets and the cloud manifest
 * does not, so a class-less Ingress is ignored there).
 * It builds nginx's configuration as internal/ingress/controller does: one server per host
 * (rules without a host go to the catch-all server `_`), Ingresses taken oldest first (a host
 * and path two of them claim goes to the older); a Prefix path `/foo` becomes `location /foo/`
 * plus `location = /foo` unless an Exact path claims it (so `/foobar` does not match), Exact
 * is `location = /foo`, and ImplementationSpecific a plain nginx prefix `location /foo`. nginx
 * then picks the server by the Host header (exact name, then a wildcard `*.example.com`, which ingress-nginx writes as
 * a regex matching one label, then the catch-all) and in it the location: an exact match, else
 * the longest prefix. A server's `location /` nobody wrote goes to the default backend of the
 * Ingress that created the server, else to the controller's internal default server, which
 * answers nginx's own 404 page; an Ingress with a defaultBackend and no rules takes the
 * catch-all server's. The chosen backend's ready endpoints are read from the Service (the
 * controller proxies straight to a pod, not through the ClusterIP) and the request is sent on
 * over a new TCP connection from the controller pod, as HTTP/1.1 with the headers nginx.tmpl
 * sets: Host as received, X-Request-ID, X-Real-IP and X-Forwarded-For (the address the
 * connection came from; use-forwarded-headers is off by default), X-Forwarded-Host, -Port,
 * -Proto, -Scheme, X-Scheme, X-Original-Forwarded-For (the client's own X-Forwarded-For, when
 * it sent one), then the client's other headers; the client's Connection header is dropped.
 * No endpoints: 503; the connection failed: 502. Responses carry no Server header
 * (server-tokens is off, which also clears it: `more_clear_headers Server`).
 * Simplified: the endpoint is picked by a hash of the client's address and port where nginx's
 * Lua balancer goes round-robin; the backend's response is passed on as the backend framed it.
 * Left out: HTTPS on 443 and TLS sections, regex paths and the annotations (rewrite-target,
 * canary, ...), IngressClass objects (the install's class `nginx` is taken to exist), the
 * access log.
 */
import { formatIp, parseIp } from '../ipv4';
import { endpointPort, serviceEndpoints } from '../k8s/endpoints';
import { controllerTakes } from '../k8s/ingress-status';
import type { IngressBackend } from '../k8s/types';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { ascii, headAware, nginxErrorPage, parseRequest, requestHeaders, text, type RequestContext } from './http';
import { DEFAULT_PATH, type ImageDef } from './image';

interface Location {
  path: string;
  exact: boolean;
  ns: string;
  backend: IngressBackend;
}

interface Server {
  locations: Location[];
  /** The backend of `location /` when no rule wrote one: an Ingress's defaultBackend, else the controller's 404. */
  root?: { ns: string; backend: IngressBackend };
}

const CATCH_ALL = '_';

/** The servers nginx.conf gets from the Ingresses the controller takes, by host. */
export function ingressServers(state: SimState, argv: string[]): Map<string, Server> {
  const ingresses = Object.values(state.k8s.ingresses ?? {})
    .filter((i) => controllerTakes(i, argv))
    .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  const servers = new Map<string, Server>([[CATCH_ALL, { locations: [] }]]);
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const def = ing.spec.defaultBackend;
    const rules = ing.spec.rules ?? [];
    if (def && rules.length === 0 && !servers.get(CATCH_ALL)!.root) servers.get(CATCH_ALL)!.root = { ns, backend: def };
    for (const rule of rules) {
      const host = rule.host ? rule.host.toLowerCase() : CATCH_ALL;
      if (!servers.has(host)) servers.set(host, { locations: [], ...(def ? { root: { ns, backend: def } } : {}) });
    }
  }
  // The paths of each server, one per path and type (the older Ingress's), then nginx's
  // locations: a Prefix path also gets an exact location, unless an Exact path claims it.
  const paths = new Map<Server, { path: string; type: string; ns: string; backend: IngressBackend }[]>();
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    for (const rule of ing.spec.rules ?? []) {
      const server = servers.get(rule.host ? rule.host.toLowerCase() : CATCH_ALL)!;
      const list = paths.get(server) ?? [];
      paths.set(server, list);
      for (const p of rule.http?.paths ?? []) {
        const path = p.path || '/';
        if (!list.some((l) => l.path === path && l.type === p.pathType)) list.push({ path, type: p.pathType, ns, backend: p.backend });
      }
    }
  }
  for (const [server, list] of paths) {
    for (const { path, type, ns, backend } of list) {
      if (type === 'Exact') server.locations.push({ path, exact: true, ns, backend });
      else if (type === 'Prefix' && path !== '/') {
        server.locations.push({ path: path.endsWith('/') ? path : `${path}/`, exact: false, ns, backend });
        if (!list.some((l) => l.type === 'Exact' && l.path === path)) server.locations.push({ path, exact: true, ns, backend });
      } else server.locations.push({ path, exact: false, ns, backend });
    }
  }
  return servers;
}

/** The server nginx picks for a Host: its exact name, a wildcard of one label, else the catch-all. */
function pickServer(servers: Map<string, Server>, host: string): Server {
  const exact = servers.get(host);
  if (exact && host !== CATCH_ALL) return exact;
  for (const [name, s] of servers) {
    if (name.startsWith('*.') && host.endsWith(name.slice(1)) && /^[\w-]+$/.test(host.slice(0, host.length - name.length + 1))) return s;
  }
  return servers.get(CATCH_ALL)!;
}

/** nginx's location choice: an exact match, else the longest matching prefix. */
function pickLocation(server: Server, path: string): { ns: string; backend: IngressBackend } | undefined {
  const exact = server.locations.find((l) => l.exact && l.path === path);
  if (exact) return exact;
  let best: Location | undefined;
  for (const l of server.locations) if (!l.exact && path.startsWith(l.path) && (!best || l.path.length > best.path.length)) best = l;
  return best ?? server.root;
}

/** A response of the controller's own: nginx's page, no Server header (server-tokens off). */
function own(status: string): Uint8Array {
  const body = nginxErrorPage(status, 'nginx');
  return ascii([`HTTP/1.1 ${status}`, 'Content-Type: text/html', `Content-Length: ${body.length}`, 'Connection: close', '', ''].join('\r\n') + body);
}

/** The backend's response with its Server header cleared (`more_clear_headers Server`). */
function withoutServer(resp: Uint8Array): Uint8Array {
  const t = text(resp);
  const head = t.indexOf('\r\n\r\n');
  if (head < 0) return resp;
  const lines = t.slice(0, head).split('\r\n').filter((l, i) => i === 0 || !/^server:/i.test(l));
  return ascii(lines.join('\r\n') + t.slice(head));
}

/** The headers nginx.tmpl's proxy_set_header lines replace or drop from the client's request. */
const SET_HEADERS = new Set(['host', 'connection', 'upgrade', 'x-request-id', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto', 'x-forwarded-scheme', 'x-scheme', 'x-original-forwarded-for', 'proxy', 'keep-alive', 'te', 'expect']);

/** The request as nginx sends it upstream. */
export function upstreamRequest(req: Uint8Array, peer: string, port: number, requestId: string): Uint8Array {
  const r = parseRequest(req)!;
  const t = text(req);
  const end = t.indexOf('\r\n\r\n');
  const headers = requestHeaders(req);
  const clientXff = headers.find(([k]) => k.toLowerCase() === 'x-forwarded-for')?.[1];
  const lines = [
    `${r.method} ${r.path} HTTP/1.1`,
    ...(r.host ? [`Host: ${r.host}`] : []),
    `X-Request-ID: ${requestId}`,
    `X-Real-IP: ${peer}`,
    `X-Forwarded-For: ${peer}`,
    ...(r.host ? [`X-Forwarded-Host: ${r.host}`] : []),
    `X-Forwarded-Port: ${port}`,
    'X-Forwarded-Proto: http',
    'X-Forwarded-Scheme: http',
    'X-Scheme: http',
    ...(clientXff ? [`X-Original-Forwarded-For: ${clientXff}`] : []),
    ...headers.filter(([k]) => !SET_HEADERS.has(k.toLowerCase())).map(([k, v]) => `${k}: ${v}`),
  ];
  return ascii(`${lines.join('\r\n')}\r\n\r\n${end < 0 ? '' : t.slice(end + 4)}`);
}

function ingressProxy(state: SimState, argv: string[], req: Uint8Array, ctx: RequestContext): Uint8Array {
  const r = parseRequest(req);
  if (!r) return own('400 Bad Request');
  const host = r.host.replace(/:\d+$/, '').toLowerCase();
  const path = r.path.split('?')[0]!;
  const chosen = pickLocation(pickServer(ingressServers(state, argv), host), path);
  if (!chosen) return own('404 Not Found');
  const svc = state.k8s.services[`${chosen.ns}/${chosen.backend.service.name}`];
  const port = svc?.spec.ports?.find((p) => (chosen.backend.service.port.number !== undefined ? p.port === chosen.backend.service.port.number : p.name === chosen.backend.service.port.name));
  const eps = svc ? serviceEndpoints(state, svc).filter((e) => e.ready) : [];
  if (!svc || !port || eps.length === 0 || !ctx.connect) return own('503 Service Temporarily Unavailable');
  const ep = eps[(ctx.peer.port + ctx.peer.ip) % eps.length]!;
  const target = endpointPort(port, ep, state.k8s.pods[`${chosen.ns}/${ep.pod}`]) ?? port.port;
  const rng = deriveRng(state.seed, `ingress-nginx request ${ctx.peer.ip}:${ctx.peer.port} ${ctx.now ?? 0}`);
  const requestId = Array.from({ length: 32 }, () => rng.int(16).toString(16)).join('');
  const resp = ctx.connect(parseIp(ep.ip)!, target, upstreamRequest(req, formatIp(ctx.peer.ip), ctx.local.port, requestId));
  return resp ? withoutServer(resp) : own('502 Bad Gateway');
}

export const ingressNginx: ImageDef = {
  id: 'ingress-nginx',
  match: (ref) => ref.repo.endsWith('ingress-nginx/controller'),
  serves: 'HTTP on 80, proxied to the endpoints of the Ingress rule that matches Host and path',
  env: () => [['PATH', DEFAULT_PATH]],
  listeners: ({ state, argv }) => [{ proto: 'tcp', port: 80, program: 'nginx', handle: headAware((req, ctx) => ingressProxy(state, argv, req, ctx)) }],
};
