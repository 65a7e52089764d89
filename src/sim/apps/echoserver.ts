/**
 * The echoserver (`registry.k8s.io/echoserver:1.10`, also under `k8s.gcr.io` and
 * `gcr.io/google_containers`): nginx with a Lua handler on 8080 that answers every request
 * with a report of what it received. The Source IP tutorial reads `client_address` from it.
 *
 * Design notes: 1.10 renders the template of kubernetes/kubernetes test/images/echoserver
 * (nginx.conf, lua-resty-template): two blank lines, `Hostname:` ($HOSTNAME), `Pod
 * Information:` (from $NODE_NAME, $POD_NAME, $POD_NAMESPACE, $POD_IP when the pod spec
 * sets them through the downward API, else `-no pod information available-`), `Server
 * values:` (nginx 1.13.3, lua 10008), `Request Information:` (client_address is the address
 * the pod saw: after a Service hop that SNATs, the node's), `Request Headers:` (lowercase
 * names, sorted, each `\tname=value` followed by two spaces as the template writes it, values
 * HTML-escaped) and `Request Body:`. Tags before 1.10 (1.4, the one older docs show) print the
 * old report: `CLIENT VALUES:`, `SERVER VALUES:` (nginx 1.10.0, lua 10001), `HEADERS
 * RECEIVED:` and `BODY:`. The `Server` header is `echoserver`.
 * Left out: the TLS listener on 8443, chunked encoding (the answer has a Content-Length).
 */
import { formatIp } from '../ipv4';
import { headAware, http, parseRequest, requestBody, requestHeaders, type Listener, type RequestContext } from './http';
import { compareVersions, DEFAULT_PATH, type AppContext, type ImageDef } from './image';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** ngx.req.get_headers(): lowercase names; a name sent twice has a list of values. */
function headerTable(req: Uint8Array): [string, string[]][] {
  const m = new Map<string, string[]>();
  for (const [k, v] of requestHeaders(req)) {
    const key = k.toLowerCase();
    m.set(key, [...(m.get(key) ?? []), v]);
  }
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function report(app: AppContext, req: Uint8Array, ctx: RequestContext, old: boolean): string | undefined {
  const r = parseRequest(req);
  if (!r) return undefined;
  const q = r.path.indexOf('?');
  const query = q >= 0 ? r.path.slice(q + 1) : undefined;
  const host = (r.host.replace(/:\d+$/, '') || '_').toLowerCase();
  const version = r.version === 'HTTP/1.0' ? '1' : r.version.replace('HTTP/', '');
  const uri = `http://${host}:${ctx.local.port}${r.path}`;
  const body = requestBody(req);
  const headers = headerTable(req);
  if (old) {
    return [
      'CLIENT VALUES:',
      `client_address=${formatIp(ctx.peer.ip)}`,
      `command=${r.method}`,
      `real path=${r.path}`,
      `query=${query ?? 'nil'}`,
      `request_version=${version}`,
      `request_uri=${uri}`,
      '',
      'SERVER VALUES:',
      'server_version=nginx: 1.10.0 - lua: 10001',
      '',
      'HEADERS RECEIVED:',
      ...headers.map(([k, v]) => `${k}=${v[0]}`),
      'BODY:',
      body === '' ? '-no body in request-' : body,
    ].join('\n');
  }
  const env = app.env;
  const podInfo = env('POD_NAME')
    ? [`\tnode name:\t${env('NODE_NAME') ?? 'N/A'}`, `\tpod name:\t${env('POD_NAME') ?? 'N/A'}`, `\tpod namespace:\t${env('POD_NAMESPACE') ?? 'N/A'}`, `\tpod IP:\t${env('POD_IP') ?? 'N/A'}`]
    : ['\t-no pod information available-'];
  return [
    '',
    '',
    `Hostname: ${escapeHtml(env('HOSTNAME') ?? 'N/A')}`,
    '',
    'Pod Information:',
    ...podInfo.map(escapeHtml),
    '',
    'Server values:',
    '\tserver_version=nginx: 1.13.3 - lua: 10008',
    '',
    'Request Information:',
    `\tclient_address=${formatIp(ctx.peer.ip)}`,
    `\tmethod=${r.method}`,
    `\treal path=${escapeHtml(r.path)}`,
    `\tquery=${escapeHtml(query ?? '')}`,
    `\trequest_version=${version}`,
    '\trequest_scheme=http',
    `\trequest_uri=${escapeHtml(uri)}`,
    '',
    'Request Headers:',
    ...headers.flatMap(([k, v]) => (v.length > 1 ? v.map((x) => `\t${k}=${escapeHtml(x)}`) : [`\t${k}=${escapeHtml(v[0]!)}  `])),
    '',
    'Request Body:',
    body === '' ? '\t-no body in request-' : body,
    '',
    '',
  ].join('\n');
}

export const echoserver: ImageDef = {
  id: 'echoserver',
  names: ['echoserver'],
  serves: 'HTTP on 8080: a report of the request (client_address as the pod saw it, method, path, headers, body)',
  env: () => [['PATH', DEFAULT_PATH]],
  listeners(app): Listener[] {
    const old = /^\d/.test(app.ref.tag) && compareVersions(app.ref.tag, '1.10') < 0;
    return [{
      proto: 'tcp',
      port: 8080,
      program: 'nginx',
      handle: headAware((req, ctx) => {
        const out = report(app, req, ctx, old);
        return out === undefined ? http('400 Bad Request', '') : http('200 OK', out, 'echoserver', 'text/plain');
      }),
    }];
  },
};
