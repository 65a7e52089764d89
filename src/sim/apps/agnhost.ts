/**
 * agnhost (`registry.k8s.io/e2e-test-images/agnhost:2.x`), the Kubernetes test image the docs
 * use: Alpine with bind-tools, curl, netcat-openbsd, iproute2 and bash, and the `/agnhost`
 * program whose subcommand the container's command names (ENTRYPOINT `/agnhost`, CMD `pause`).
 *
 * Design notes (test/images/agnhost in kubernetes/kubernetes):
 * - `netexec`: HTTP on `--http-port` (8080) with `/` (`NOW: <time>`), `/hostname` and
 *   `/hostName` (the pod's hostname), `/clientip` (the source address and port it sees: the tool
 *   for proving "no NAT between pods"), `/echo?msg=` (the message; `&code=` sets the status),
 *   `/header?key=` (a request header's value), `/healthz`; UDP on `--udp-port` (8081; -1: off)
 *   answering `hostname`, `echo <msg>` and `clientip`. Each request is logged as netexec does.
 * - `serve-hostname`: the pod's hostname on `--port` (9376) over HTTP (default), or raw TCP
 *   (`--tcp`, `--http=false`) and UDP (`--udp`).
 * - `pause` (the default) and every other subcommand listen on nothing.
 * Left out: netexec's `/shell`, `/dial`, `/upload`, `/exit`, `/redirect`; SCTP.
 */
import { formatIp } from '../ipv4';
import { goLog, headAware, http, parseRequest, requestHeaders, text, ascii, unescapeUri, type Listener } from './http';
import { DEFAULT_PATH, flagBool, flagValue, podHostname, type AppContext, type ImageDef } from './image';

/** The agnhost subcommand a container runs: the first word after the program (default `pause`). */
export function agnhostSubcommand(argv: string[]): string {
  const words = argv[0]?.endsWith('agnhost') || argv[0]?.endsWith('agnhost-2') ? argv.slice(1) : argv;
  return words.find((w) => !w.startsWith('-')) ?? 'pause';
}

function port(argv: string[], flag: string, dflt: number): number {
  const v = flagValue(argv, flag);
  const n = v === undefined ? dflt : Number(v);
  return Number.isInteger(n) ? n : dflt;
}

function netexec(app: AppContext): Listener[] {
  const { state, pod, container, argv } = app;
  const host = podHostname(pod);
  const out: Listener[] = [];
  const httpPort = port(argv, 'http-port', 8080);
  out.push({
    proto: 'tcp',
    port: httpPort,
    program: 'agnhost',
    handle: headAware((req, ctx) => {
      const r = parseRequest(req);
      if (!r) return http('400 Bad Request', '');
      const [path = '/', query = ''] = r.path.split('?');
      const param = (k: string): string => unescapeUri((new RegExp(`(?:^|&)${k}=([^&]*)`).exec(query)?.[1] ?? '').replace(/\+/g, ' '));
      const log = (m: string): void => goLog(state, pod, container.name, ctx.now, m);
      switch (path) {
        case '/hostname':
        case '/hostName':
          log(`GET ${path}`);
          return http('200 OK', host);
        case '/clientip':
          log('GET /clientip');
          return http('200 OK', `${formatIp(ctx.peer.ip)}:${ctx.peer.port}`);
        case '/echo': {
          const msg = param('msg');
          const code = param('code');
          log(`GET /echo?msg=${msg}&code=${code}`);
          const n = Number(code);
          if (code !== '' && Number.isInteger(n) && n >= 100 && n <= 999) return http(`${n} ${STATUS[n] ?? ''}`.trimEnd(), msg);
          return http('200 OK', msg);
        }
        case '/header': {
          const key = param('key').toLowerCase();
          log(`GET /header?key=${param('key')}`);
          return http('200 OK', requestHeaders(req).find(([k]) => k.toLowerCase() === key)?.[1] ?? '');
        }
        case '/healthz':
          log('GET /healthz');
          return http('200 OK', '');
        default:
          log('GET /');
          return http('200 OK', `NOW: ${goTime(ctx.now ?? state.createdAt)}`);
      }
    }),
  });
  const udpPort = port(argv, 'udp-port', 8081);
  if (udpPort > 0) {
    out.push({
      proto: 'udp',
      port: udpPort,
      program: 'agnhost',
      handle: (req, ctx) => {
        const cmd = text(req).trim();
        goLog(state, pod, container.name, ctx.now, `UDP server read: ${cmd}`);
        const [verb = '', ...rest] = cmd.split(' ');
        if (verb === 'hostname') return ascii(host);
        if (verb === 'echo') return ascii(rest.join(' '));
        if (verb === 'clientip') return ascii(`${formatIp(ctx.peer.ip)}:${ctx.peer.port}`);
        return ascii('');
      },
    });
  }
  return out;
}

const STATUS: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 412: 'Precondition Failed', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Go's time.Time String() in UTC without the monotonic part: `2025-03-04 09:05:06.123 +0000 UTC`. */
function goTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const frac = d.getUTCMilliseconds() ? `.${p(d.getUTCMilliseconds(), 3).replace(/0+$/, '')}` : '';
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`;
}

/** serve-hostname (agnhost's, and the older standalone serve_hostname image's): the hostname on 9376. */
export function serveHostname(app: AppContext, program: string): Listener[] {
  const { state, pod, container, argv } = app;
  const host = podHostname(pod);
  const p = port(argv, 'port', 9376);
  const out: Listener[] = [];
  if (flagBool(argv, 'http', true)) {
    out.push({
      proto: 'tcp',
      port: p,
      program,
      handle: headAware((_req, ctx) => {
        goLog(state, pod, container.name, ctx.now, `HTTP request from ${formatIp(ctx.peer.ip)}:${ctx.peer.port}`);
        return http('200 OK', host);
      }),
    });
  } else if (flagBool(argv, 'tcp', false)) {
    out.push({ proto: 'tcp', port: p, program, handle: () => ascii(host) });
  }
  if (flagBool(argv, 'udp', false)) out.push({ proto: 'udp', port: p, program, handle: () => ascii(host) });
  return out;
}

export const agnhost: ImageDef = {
  id: 'agnhost',
  names: ['agnhost'],
  serves: '`netexec`: HTTP on --http-port (8080: /hostname, /clientip, /echo?msg=, /header?key=, /healthz) and UDP on 8081; `serve-hostname`: the hostname on 9376; `pause` (the default): nothing',
  env: () => [['PATH', DEFAULT_PATH]],
  startup(app) {
    const sub = agnhostSubcommand(app.argv);
    if (sub === 'netexec') return [`\u0000go Started HTTP server on port ${port(app.argv, 'http-port', 8080)}`];
    if (sub === 'serve-hostname') return [`\u0000go Serving on port ${port(app.argv, 'port', 9376)}.`];
    return [];
  },
  listeners(app) {
    const sub = agnhostSubcommand(app.argv);
    if (sub === 'netexec') return netexec(app);
    if (sub === 'serve-hostname') return serveHostname(app, 'agnhost');
    return [];
  },
};
