/**
 * The programs listening in each network namespace, and what they answer.
 *
 * Design notes: a pod's listeners come from its image, as on a real cluster: CoreDNS answers
 * DNS on UDP and TCP 53 (and serves metrics on 9153); nginx serves HTTP on 80; agnhost
 * `serve-hostname` (the Kubernetes docs' "hostnames" example) answers every HTTP request with
 * its pod's name on 9376; agnhost `netexec` serves HTTP on 8080 with `/hostname`,
 * `/clientip` (the source address it sees: the tool for proving "no NAT between pods") and
 * `/echo?msg=`. busybox and netshoot-style debug images listen on nothing. A Docker
 * container whose main process is nginx listens on 80 with the same server (no log is kept
 * for it); a Docker host runs docker-proxy on each published TCP port, relaying to the
 * container (docker.ts); a container on a user-defined network has Docker's embedded DNS server
 * on 127.0.0.11 (docker/dns.ts). The LAN's router answers DNS for the upstream world, which does not
 * exist in the sandbox: every name outside the cluster is NXDOMAIN except a few well-known
 * ones (UPSTREAM), whose addresses are unreachable except in the Docker topology (internet.ts).
 * A datagram for a port nobody listens on gets ICMP port unreachable from the kernel; a TCP
 * SYN gets a RST (tcp.ts). nginx and agnhost write a log line for every request they answer,
 * with the client address they saw (k8s/logs.ts), which `kubectl logs` shows. Every HTTP
 * server answers HEAD with GET's status and headers (Content-Length included) and no body.
 * nginx serves GET and HEAD (any other method is `405 Not Allowed`) and its error pages are
 * its built-in ones, with CRLF line ends and `nginx/<version>` (ingress-nginx: `nginx`) in
 * the tail, as ngx_http_special_response.c writes them.
 * Left out: real HTTP parsing beyond the request line and Host header, keep-alive, TLS;
 * nginx's Date, Last-Modified, ETag and Accept-Ranges headers; its welcome page is shortened.
 */
import { runsNginx } from './docker';
import { embeddedDnsListeners } from './docker/dns';
import { decodeDns, dnsResponse, encodeDns, fqdn, type DnsMessage, type DnsRecord } from './dns';
import { formatIp, type Ip } from './ipv4';
import { resolveCluster } from './k8s/coredns';
import { serviceEndpoints, targetPortFor } from './k8s/endpoints';
import { appendLog, logTime, nginxTimeLocal, nginxWorker } from './k8s/logs';
import type { IngressBackend, Pod } from './k8s/types';
import type { SimState } from './state';

export interface RequestContext {
  state: SimState;
  /** Namespace id where the program runs. */
  ns: string;
  /** The source address and port the program sees (after any NAT on the way). */
  peer: { ip: Ip; port: number };
  local: { ip: Ip; port: number };
  /** When the request arrived (epoch ms), for the program's log. */
  now?: number;
  /** Opens a TCP connection from the program's namespace and returns what the server sent. */
  connect?(dst: Ip, port: number, request: Uint8Array): Uint8Array | undefined;
}

export interface Listener {
  proto: 'udp' | 'tcp';
  port: number;
  /** The program's name as `ss -l` shows it. */
  program: string;
  /** The local address the socket is bound to; absent: every address (0.0.0.0). */
  addr?: Ip;
  /** Answers one request (a datagram, or a whole TCP request stream); undefined = no answer. */
  handle(req: Uint8Array, ctx: RequestContext): Uint8Array | undefined;
}

/**
 * Well-known names answered by the upstream resolver. In the Kubernetes topologies there is
 * no internet behind them; in the Docker topology a small one answers pings to them
 * (internet.ts). google.com's address is a documentation one (RFC 5737).
 */
export const UPSTREAM: Record<string, string> = {
  'kubernetes.io': '15.197.167.90',
  'example.com': '93.184.215.14',
  'www.example.com': '93.184.215.14',
  'google.com': '192.0.2.14',
  'www.google.com': '192.0.2.14',
};

function ascii(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0xff;
  return b;
}

export function text(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function upstreamAnswer(q: DnsMessage): DnsMessage {
  const question = q.questions[0];
  if (!question) return dnsResponse(q, [], 'FORMERR', [], { ra: true });
  const name = fqdn(question.name).replace(/\.$/, '').toLowerCase();
  const addr = UPSTREAM[name];
  if (addr && question.type === 1) {
    const [a, b, c, d] = addr.split('.').map(Number) as [number, number, number, number];
    return dnsResponse(q, [{ name: question.name, class: 1, ttl: 300, type: 'A', address: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0 }], 'NOERROR', [], { ra: true });
  }
  return dnsResponse(q, [], addr ? 'NOERROR' : 'NXDOMAIN', [], { ra: true });
}

/** CoreDNS: the kubernetes plugin for cluster.local, `forward .` to the node's resolver for the rest. */
function coreDnsAnswer(state: SimState, req: Uint8Array): Uint8Array | undefined {
  let q: DnsMessage;
  try {
    q = decodeDns(req);
  } catch {
    return undefined;
  }
  const question = q.questions[0];
  if (!question) return encodeDns(dnsResponse(q, [], 'FORMERR'));
  const r = resolveCluster(state, question.name, question.type);
  if (r.kind === 'forward') return encodeDns({ ...upstreamAnswer(q), aa: false, ra: true });
  let answers: DnsRecord[] = r.answers;
  if (r.upstream) answers = [...answers, ...upstreamAnswer({ ...q, questions: [{ name: r.upstream.name, type: r.upstream.type, class: 1 }] }).answers];
  return encodeDns(dnsResponse(q, answers, r.rcode, r.authority, { aa: r.authoritative, additional: r.additional }));
}

function http(status: string, body: string, server?: string, contentType = 'text/plain; charset=utf-8'): Uint8Array {
  const head = [`HTTP/1.1 ${status}`, ...(server ? [`Server: ${server}`] : []), `Content-Type: ${contentType}`, `Content-Length: ${body.length}`, 'Connection: close', '', ''].join('\r\n');
  return ascii(head + body);
}

/**
 * An HTTP server's handler made to answer HEAD as HTTP says: the same status and headers as
 * GET, Content-Length included, and no body.
 */
function headAware(handle: Listener['handle']): Listener['handle'] {
  return (req, ctx) => {
    const resp = handle(req, ctx);
    if (!resp || parseRequest(req)?.method !== 'HEAD') return resp;
    const t = text(resp);
    const end = t.indexOf('\r\n\r\n');
    return end < 0 ? resp : resp.slice(0, end + 4);
  };
}

/** nginx's built-in error page (ngx_http_special_response.c): CRLF line ends, the version in the tail. */
export function nginxErrorPage(status: string, server: string): string {
  return `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>${server}</center>\r\n</body>\r\n</html>\r\n`;
}

/** The request line's method and target, and the Host header. */
export function parseRequest(req: Uint8Array): { method: string; path: string; host: string } | undefined {
  const t = text(req);
  const end = t.indexOf('\r\n');
  if (end < 0) return undefined;
  const [method, path] = t.slice(0, end).split(' ');
  if (!method || !path) return undefined;
  const host = /\r\nhost:\s*([^\r\n]*)/i.exec(t)?.[1]?.trim() ?? '';
  return { method, path, host };
}

/** nginx's default /usr/share/nginx/html/index.html (615 bytes), as the official image ships it. */
const NGINX_PAGE = [
  '<!DOCTYPE html>',
  '<html>',
  '<head>',
  '<title>Welcome to nginx!</title>',
  '<style>',
  'html { color-scheme: light dark; }',
  'body { width: 35em; margin: 0 auto;',
  'font-family: Tahoma, Verdana, Arial, sans-serif; }',
  '</style>',
  '</head>',
  '<body>',
  '<h1>Welcome to nginx!</h1>',
  '<p>If you see this page, the nginx web server is successfully installed and',
  'working. Further configuration is required.</p>',
  '',
  '<p>For online documentation and support please refer to',
  '<a href="http://nginx.org/">nginx.org</a>.<br/>',
  'Commercial support is available at',
  '<a href="http://nginx.com/">nginx.com</a>.</p>',
  '',
  '<p><em>Thank you for using nginx.</em></p>',
  '</body>',
  '</html>',
  '',
].join('\n');

function imageName(image: string): string {
  return (image.split('/').pop() ?? image).split(/[:@]/)[0]!;
}

/** A request nginx answered: the request, its status, the body bytes sent (for the access log). */
type NginxLogger = (req: Uint8Array, status: number, bytes: number, ctx: RequestContext) => void;

/** The official nginx image's server: `listen 80`, its welcome page at `/`, built-in error pages. */
function nginxServer(log: NginxLogger): Listener {
  return {
    proto: 'tcp',
    port: 80,
    program: 'nginx',
    handle: headAware((req, ctx) => {
      const r = parseRequest(req);
      if (!r) {
        const page = nginxErrorPage('400 Bad Request', 'nginx/1.27.5');
        log(req, 400, page.length, ctx);
        return http('400 Bad Request', page, 'nginx/1.27.5', 'text/html');
      }
      // The static handler serves GET and HEAD; any other method is 405 before the file is looked up.
      if (r.method !== 'GET' && r.method !== 'HEAD') {
        const page = nginxErrorPage('405 Not Allowed', 'nginx/1.27.5');
        log(req, 405, page.length, ctx);
        return http('405 Not Allowed', page, 'nginx/1.27.5', 'text/html');
      }
      const found = r.path.split('?')[0] === '/' || r.path.split('?')[0] === '/index.html';
      const body = found ? NGINX_PAGE : nginxErrorPage('404 Not Found', 'nginx/1.27.5');
      log(req, found ? 200 : 404, r.method === 'HEAD' ? 0 : body.length, ctx);
      return http(found ? '200 OK' : '404 Not Found', body, 'nginx/1.27.5', 'text/html');
    }),
  };
}

/** What a pod's containers listen on, from their images and arguments. */
export function podListeners(state: SimState, pod: Pod): Listener[] {
  const out: Listener[] = [];
  for (const c of pod.spec.containers) {
    const name = imageName(c.image);
    const args = [...(c.command ?? []), ...(c.args ?? [])];
    if (name === 'coredns') {
      const dns = (proto: 'udp' | 'tcp'): Listener => ({ proto, port: 53, program: 'coredns', handle: (req) => coreDnsAnswer(state, req) });
      out.push(dns('udp'), dns('tcp'), { proto: 'tcp', port: 9153, program: 'coredns', handle: () => http('200 OK', '# HELP coredns_build_info A metric with a constant \'1\' value labeled by version, revision, and goversion from which CoreDNS was built.\n', undefined, 'text/plain; version=0.0.4') });
    } else if (name === 'nginx') {
      out.push(nginxServer((req, status, bytes, ctx) => nginxLog(state, pod, c.name, req, status, bytes, ctx)));
    } else if (name === 'controller' && c.image.includes('ingress-nginx')) {
      out.push({ proto: 'tcp', port: 80, program: 'nginx', handle: headAware((req, ctx) => ingressProxy(state, pod, req, ctx)) });
    } else if (name === 'agnhost' && args.includes('serve-hostname')) {
      out.push({
        proto: 'tcp',
        port: 9376,
        program: 'agnhost',
        handle: headAware((_req, ctx) => {
          goLog(state, pod, c.name, ctx, `HTTP request from ${formatIp(ctx.peer.ip)}:${ctx.peer.port}`);
          return http('200 OK', pod.metadata.name);
        }),
      });
    } else if (name === 'agnhost' && args.includes('netexec')) {
      out.push({
        proto: 'tcp',
        port: 8080,
        program: 'agnhost',
        handle: headAware((req, ctx) => {
          const r = parseRequest(req);
          if (!r) return http('400 Bad Request', '');
          const [path, query = ''] = r.path.split('?');
          const param = (k: string): string => unescapeUri((new RegExp(`(?:^|&)${k}=([^&]*)`).exec(query)?.[1] ?? '').replace(/\+/g, ' '));
          goLog(state, pod, c.name, ctx, path === '/hostname' || path === '/clientip' ? `GET ${path}` : path === '/echo' ? `GET /echo?msg=${param('msg')}&code=${param('code')}` : 'GET /');
          if (path === '/hostname') return http('200 OK', pod.metadata.name);
          if (path === '/clientip') return http('200 OK', `${formatIp(ctx.peer.ip)}:${ctx.peer.port}`);
          if (path === '/echo') return http('200 OK', decodeURIComponent(/(?:^|&)msg=([^&]*)/.exec(query)?.[1] ?? ''));
          return http('200 OK', `NOW: ${new Date(state.createdAt).toISOString()}`);
        }),
      });
    }
  }
  return out;
}

/** A percent-encoded URI part decoded; left as is when it is not valid encoding. */
function unescapeUri(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A header's value from a request head, or undefined. */
function header(req: string, name: string): string | undefined {
  return new RegExp(`\r\n${name}:[ \t]*([^\r\n]*)`, 'i').exec(req)?.[1]?.trim();
}

/**
 * nginx's logs for one request: an `[error]` line on stderr for a missing file, then the access
 * line in the official image's `main` format on stdout.
 */
function nginxLog(state: SimState, pod: Pod, container: string, req: Uint8Array, status: number, bytes: number, ctx: RequestContext): void {
  const now = ctx.now ?? state.createdAt;
  const t = text(req);
  const requestLine = t.slice(0, Math.max(0, t.indexOf('\r\n')));
  const client = formatIp(ctx.peer.ip);
  const q = (v: string | undefined): string => `"${v === undefined || v === '' ? '-' : v}"`;
  const lines: string[] = [];
  const conn = (state.k8s.logs?.[`${pod.metadata.uid}/${container}`]?.conns ?? 0) + 1;
  if (status === 404) {
    const uri = unescapeUri(requestLine.split(' ')[1]!.split('?')[0]!);
    const what = uri.endsWith('/') ? `"/usr/share/nginx/html${uri}index.html" is not found` : `open() "/usr/share/nginx/html${uri}" failed`;
    const host = header(t, 'host');
    const worker = nginxWorker(conn);
    lines.push(`${logTime(now)} [error] ${worker}#${worker}: *${conn} ${what} (2: No such file or directory), client: ${client}, server: localhost, request: "${requestLine}"${host ? `, host: "${host}"` : ''}`);
  }
  lines.push(`${client} - - [${nginxTimeLocal(now)}] "${requestLine}" ${status} ${bytes} ${q(header(t, 'referer'))} ${q(header(t, 'user-agent'))} ${q(header(t, 'x-forwarded-for'))}`);
  appendLog(state, pod, container, now, lines).conns = conn;
}

/** A line from a Go program's standard `log` package: `2025/03/04 09:05:06 message`. */
function goLog(state: SimState, pod: Pod, container: string, ctx: RequestContext, message: string): void {
  const now = ctx.now ?? state.createdAt;
  appendLog(state, pod, container, now, [`${logTime(now)} ${message}`]);
}

/**
 * ingress-nginx: picks the Ingress rule for the request's Host and path (exact host, then the
 * longest matching path; Exact before Prefix), then proxies the request to one ready endpoint
 * of the backend Service, straight to the pod as ingress-nginx does (it reads endpoints, it
 * does not go through the ClusterIP), adding the X-Forwarded-* headers; no rule: its 404.
 */
function ingressProxy(state: SimState, self: Pod, req: Uint8Array, ctx: RequestContext): Uint8Array {
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
  const svc = state.k8s.services[`${best.ns}/${best.backend.service.name}`];
  const port = svc?.spec.ports?.find((p) => (best!.backend.service.port.number !== undefined ? p.port === best!.backend.service.port.number : p.name === best!.backend.service.port.name));
  const eps = svc ? serviceEndpoints(state, svc).filter((e) => e.ready) : [];
  if (!svc || !port || eps.length === 0 || !ctx.connect) return http('503 Service Temporarily Unavailable', nginxErrorPage('503 Service Temporarily Unavailable', 'nginx'), 'nginx', 'text/html');
  const ep = eps[(ctx.peer.port + ctx.peer.ip) % eps.length]!;
  const target = targetPortFor(port, state.k8s.pods[`${best.ns}/${ep.pod}`]) ?? port.port;
  const t = text(req);
  const head = t.indexOf('\r\n\r\n');
  const forwarded = ascii(`${t.slice(0, head)}\r\nX-Forwarded-For: ${formatIp(ctx.peer.ip)}\r\nX-Real-IP: ${formatIp(ctx.peer.ip)}\r\nX-Forwarded-Host: ${r.host}\r\nX-Forwarded-Proto: http${t.slice(head)}`);
  void self;
  const [a, b, c2, d] = ep.ip.split('.').map(Number) as [number, number, number, number];
  return ctx.connect(((a << 24) | (b << 16) | (c2 << 8) | d) >>> 0, target, forwarded) ?? http('502 Bad Gateway', nginxErrorPage('502 Bad Gateway', 'nginx'), 'nginx', 'text/html');
}

/** Every listener in a namespace. */
export function listenersIn(state: SimState, nsId: string): Listener[] {
  if (nsId === 'router') return [{ proto: 'udp', port: 53, program: 'dnsmasq', handle: (req) => {
    try {
      return encodeDns(upstreamAnswer(decodeDns(req)));
    } catch {
      return undefined;
    }
  } }];
  if (nsId.startsWith('container/')) return containerListeners(state, nsId);
  if (nsId.startsWith('host/')) return dockerProxies(state, nsId.slice(5));
  if (!nsId.startsWith('pod/')) return [];
  const pod = state.k8s.pods[nsId.slice(4)];
  if (!pod || pod.spec.hostNetwork) return [];
  return podListeners(state, pod);
}

/** A running Docker container's main process: nginx listens on 80 as in a pod; a shell or sleep listens on nothing. */
function containerListeners(state: SimState, nsId: string): Listener[] {
  const host = nsId.split('/')[1] ?? '';
  const h = state.docker?.hosts[host];
  const c = h?.containers.find((x) => x.ns === nsId && x.status === 'running');
  if (!h || !c) return [];
  const out = c.dnsPorts ? embeddedDnsListeners(h, c, upstreamAnswer) : [];
  return runsNginx(c) ? [...out, nginxServer(() => undefined)] : out;
}

/**
 * docker-proxy, Docker's userland proxy: one per published TCP port of a running container,
 * listening in the host's namespace on the port's host address (every address by default).
 * It catches what the DNAT rules do not: connections from the host itself to 127.0.0.1 and
 * hairpin traffic from containers. It accepts, opens its own connection from the host to the
 * container's address and port, and relays the answer; the container sees the connection
 * coming from the host's docker0 address.
 */
function dockerProxies(state: SimState, host: string): Listener[] {
  const out: Listener[] = [];
  for (const c of state.docker?.hosts[host]?.containers ?? []) {
    if (c.status !== 'running') continue;
    for (const p of c.ports) {
      if (p.protocol !== 'tcp') continue;
      out.push({
        proto: 'tcp',
        port: p.hostPort,
        program: 'docker-proxy',
        ...(p.hostIp !== undefined ? { addr: p.hostIp } : {}),
        handle: (req, ctx) => ctx.connect?.(c.ip, p.containerPort, req),
      });
    }
  }
  return out;
}

/**
 * The listener for a protocol and port in a namespace, if any; with `localIp`, a listener bound
 * to one address answers only for it.
 */
export function findListener(state: SimState, nsId: string, proto: 'udp' | 'tcp', port: number, localIp?: Ip): Listener | undefined {
  return listenersIn(state, nsId).find((l) => l.proto === proto && l.port === port && (l.addr === undefined || localIp === undefined || l.addr === localIp));
}
