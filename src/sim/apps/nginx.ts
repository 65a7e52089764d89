/**
 * The official nginx image (Debian bookworm, nginx 1.27.5): `listen 80`, its welcome page at
 * `/`, its built-in error pages, and the access log in the `main` format.
 *
 * Design notes: nginx serves GET and HEAD (any other method is `405 Not Allowed`) and its error
 * pages are its built-in ones, with CRLF line ends and `nginx/1.27.5` in the tail, as
 * ngx_http_special_response.c writes them. For a missing file it logs an `[error]` line on
 * stderr, then the access line on stdout (k8s/logs.ts). The image's files a walk-through reads
 * are here: the welcome page, `/etc/nginx/nginx.conf`, `/etc/nginx/conf.d/default.conf`,
 * Debian's `/etc/os-release`. The image's ENV is its Dockerfile's.
 * It serves what the container's filesystem holds under /usr/share/nginx/html: a page written
 * there (`echo hi > /usr/share/nginx/html/index.html`) is what the next request gets.
 * Left out: nginx's Date, Last-Modified, ETag and Accept-Ranges headers; the 301 to `/dir/`
 * for a directory asked for without its slash, and the 403 for a directory without an index
 * (both are 404 here).
 */
import { formatIp } from '../ipv4';
import { readFile } from '../files';
import { appendLog, logTime, nginxTimeLocal, nginxWorker } from '../k8s/logs';
import type { Pod } from '../k8s/types';
import type { SimState } from '../state';
import { header, headAware, http, nginxErrorPage, parseRequest, text, unescapeUri, type Listener, type RequestContext } from './http';
import { DEFAULT_PATH, type ImageDef, type ProgramFailure, type TakenPort } from './image';

export const NGINX_VERSION = '1.27.5';

/** nginx's default /usr/share/nginx/html/index.html (615 bytes), as the official image ships it. */
export const NGINX_PAGE = [
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

const DEFAULT_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }

    # proxy the PHP scripts to Apache listening on 127.0.0.1:80
    #
    #location ~ \\.php$ {
    #    proxy_pass   http://127.0.0.1;
    #}

    # pass the PHP scripts to FastCGI server listening on 127.0.0.1:9000
    #
    #location ~ \\.php$ {
    #    root           html;
    #    fastcgi_pass   127.0.0.1:9000;
    #    fastcgi_index  index.php;
    #    fastcgi_param  SCRIPT_FILENAME  /scripts$fastcgi_script_name;
    #    include        fastcgi_params;
    #}

    # deny access to .htaccess files, if Apache's document root
    # concurs with nginx's one
    #
    #location ~ /\\.ht {
    #    deny  all;
    #}
}

`;

const NGINX_CONF = `
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
`;

/** What the official image's /docker-entrypoint.sh prints before it starts nginx. */
export const NGINX_ENTRYPOINT_LINES: readonly string[] = [
  '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
  '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
  '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
  '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
  '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
  '/docker-entrypoint.sh: Configuration complete; ready for start up',
];

/** Debian 12's /etc/os-release (the base of the nginx image). */
export const DEBIAN_BOOKWORM_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

const FIFTY_X = `<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
`;

/** The files of the image a walk-through reads, by absolute path. */
export const NGINX_FILES: Record<string, string> = {
  '/usr/share/nginx/html/index.html': NGINX_PAGE,
  '/usr/share/nginx/html/50x.html': FIFTY_X,
  '/etc/nginx/nginx.conf': NGINX_CONF,
  '/etc/nginx/conf.d/default.conf': DEFAULT_CONF,
  '/etc/os-release': DEBIAN_BOOKWORM_OS_RELEASE,
  '/etc/debian_version': '12.10\n',
};

/** A request nginx answered: the request, its status, the body bytes sent (for the access log). */
export type NginxLogger = (req: Uint8Array, status: number, bytes: number, ctx: RequestContext) => void;

/** A file of the document root, by absolute path (what the container's filesystem holds there), or undefined. */
export type Docroot = (path: string) => string | undefined;

const MIME: Record<string, string> = { html: 'text/html', htm: 'text/html', txt: 'text/plain', css: 'text/css', js: 'application/javascript', json: 'application/json', xml: 'text/xml', png: 'image/png', jpg: 'image/jpeg', svg: 'image/svg+xml' };

/** A container's document root: what was written there, else the image's own files. */
export function docrootOf(state: SimState, machine: string): Docroot {
  return (path) => readFile(state, machine, path)?.content ?? NGINX_FILES[path];
}

/**
 * The official nginx image's server: `listen 80`, `root /usr/share/nginx/html`, `index
 * index.html index.htm`, types from mime.types (default application/octet-stream), built-in
 * error pages.
 */
export function nginxServer(log: NginxLogger, docroot: Docroot = (p) => NGINX_FILES[p], opts: { port?: number; version?: string } = {}): Listener {
  const server = `nginx/${opts.version ?? NGINX_VERSION}`;
  return {
    proto: 'tcp',
    port: opts.port ?? 80,
    program: 'nginx',
    handle: headAware((req, ctx) => {
      const r = parseRequest(req);
      if (!r) {
        const page = nginxErrorPage('400 Bad Request', server);
        log(req, 400, page.length, ctx);
        return http('400 Bad Request', page, server, 'text/html');
      }
      // The static handler serves GET and HEAD; any other method is 405 before the file is looked up.
      if (r.method !== 'GET' && r.method !== 'HEAD') {
        const page = nginxErrorPage('405 Not Allowed', server);
        log(req, 405, page.length, ctx);
        return http('405 Not Allowed', page, server, 'text/html');
      }
      const uri = unescapeUri(r.path.split('?')[0]!);
      let file: string | undefined;
      let name = uri;
      if (uri.endsWith('/')) {
        for (const index of ['index.html', 'index.htm']) {
          file = docroot(`/usr/share/nginx/html${uri}${index}`);
          if (file !== undefined) {
            name = index;
            break;
          }
        }
      } else file = docroot(`/usr/share/nginx/html${uri}`);
      if (file === undefined) {
        const body = nginxErrorPage('404 Not Found', server);
        log(req, 404, r.method === 'HEAD' ? 0 : body.length, ctx);
        return http('404 Not Found', body, server, 'text/html');
      }
      log(req, 200, r.method === 'HEAD' ? 0 : file.length, ctx);
      const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
      return http('200 OK', file, server, MIME[ext] ?? 'application/octet-stream');
    }),
  };
}

/**
 * nginx's logs for one request: an `[error]` line on stderr for a missing file, then the access
 * line in the official image's `main` format on stdout.
 */
export function nginxLog(state: SimState, pod: Pod, container: string, req: Uint8Array, status: number, bytes: number, ctx: RequestContext): void {
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

/**
 * nginx failing to bind its listening sockets (ngx_open_listening_sockets in
 * src/core/ngx_connection.c): five rounds, each trying `0.0.0.0:80` and `[::]:80` (the image's
 * entrypoint enabled the IPv6 listen), logging each EADDRINUSE as an `[emerg]` line in the error
 * log (/var/log/nginx/error.log, which the image links to stderr) and again on stderr as
 * `nginx: [emerg] ...` (nginx still writes to the console while it starts), then `try again to
 * bind() after 500ms` and a 500 ms sleep; after the fifth, `still could not bind()`, and nginx
 * exits with status 1. The error text is the C library's: glibc's `Address already in use` in
 * the Debian image, musl's `Address in use` in the Alpine one.
 */
export function nginxAddressInUse(tag: string, taken: TakenPort[]): ProgramFailure {
  const errno = tag.includes('alpine') ? '98: Address in use' : '98: Address already in use';
  const on80 = taken.find((t) => t.proto === 'tcp' && t.port === 80);
  const failing = [
    ...(on80 && on80.family !== 'v6only' ? ['0.0.0.0:80'] : []),
    ...(on80 && on80.family !== 'v4' ? ['[::]:80'] : []),
  ];
  const emerg = (text: string): string[] => [`\0emerg ${text}`, `\0now nginx: [emerg] ${text}`];
  const log = [...NGINX_ENTRYPOINT_LINES];
  for (let round = 0; round < 5; round++) {
    for (const addr of failing) log.push(...emerg(`bind() to ${addr} failed (${errno})`));
    log.push('\0notice try again to bind() after 500ms', '\0wait 500');
  }
  log.push(...emerg('still could not bind()'));
  return { log, exitsAfter: NGINX_FAIL_MS, exitCode: 1 };
}

/** When a failing nginx exits: its entrypoint's scripts (about 0.1 s), then five 500 ms rounds. */
export const NGINX_FAIL_MS = 2_650;

export const nginx: ImageDef = {
  id: 'nginx',
  names: ['nginx'],
  serves: 'HTTP on 80: the welcome page at /, nginx\'s error pages, an access log',
  env: () => [
    ['PATH', DEFAULT_PATH],
    ['NGINX_VERSION', NGINX_VERSION],
    ['NJS_VERSION', '0.8.10'],
    ['NJS_RELEASE', '1~bookworm'],
    ['PKG_RELEASE', '1~bookworm'],
    ['DYNPKG_RELEASE', '1~bookworm'],
  ],
  files: () => NGINX_FILES,
  listeners: ({ state, pod, container }) => [nginxServer((req, status, bytes, ctx) => nginxLog(state, pod, container.name, req, status, bytes, ctx), docrootOf(state, `pod:${pod.metadata.uid}`))],
  addressInUse: ({ ref }, taken) => nginxAddressInUse(ref.tag, taken),
};
