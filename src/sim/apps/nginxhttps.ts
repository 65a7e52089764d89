/**
 * bprashanth/nginxhttps:1.0, the image of the Kubernetes examples' https-nginx (used by the
 * tutorial "Connecting Applications with Services"): the official nginx image of late 2015 with
 * a script that starts nginx and reloads it when /etc/nginx/conf.d changes.
 *
 * Design notes: nginx reads /etc/nginx/conf.d/default.conf: the image's own (listen 80) unless a
 * volume puts another there, as the tutorial's ConfigMap does. Each `listen PORT` opens a
 * listener (IPv6 `[::]:` ones are skipped: the sandbox has no IPv6); `listen PORT ssl` one
 * that speaks the sandbox's TLS (sim/tls.ts) with the certificate `ssl_certificate` names
 * (the tutorial's Secret, mounted at /etc/nginx/ssl). Behind either, the same static server as
 * the nginx image (`root /usr/share/nginx/html`, `index index.html`), with the welcome page of
 * nginx 1.9, and its access log. A plain HTTP request to an ssl port gets nginx's `400 The
 * plain HTTP request was sent to HTTPS port` page. A config whose certificate or key file is
 * missing makes nginx refuse to start: the sandbox then listens on nothing.
 * Assumed: the Server header says nginx/1.9.6, the mainline release of the image's time (the
 * image records no version the sandbox could check).
 * Left out: the reload script, every other directive of the file.
 */
import { readFile } from '../files';
import { mountedFiles } from '../k8s/volumes';
import { tlsAlert, tlsServerRead, tlsServerStream, looksLikeTls } from '../tls';
import { http, type Listener } from './http';
import { DEFAULT_PATH, type ImageDef } from './image';
import { nginxLog, nginxServer } from './nginx';

const VERSION = '1.9.6';

/** nginx 1.9's /usr/share/nginx/html/index.html (612 bytes). */
const PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const DEFAULT_CONF = `server {
    listen       80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const FILES: Record<string, string> = {
  '/usr/share/nginx/html/index.html': PAGE,
  '/etc/nginx/conf.d/default.conf': DEFAULT_CONF,
};

/** The listen ports (and whether each is ssl) and the certificate files of a server block. */
export function parseNginxConf(conf: string): { listens: { port: number; ssl: boolean }[]; certificate?: string; key?: string } {
  const listens: { port: number; ssl: boolean }[] = [];
  let certificate: string | undefined;
  let key: string | undefined;
  for (const raw of conf.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const listen = /^listen\s+([^;]+);/.exec(line);
    if (listen) {
      const [addr, ...params] = listen[1]!.trim().split(/\s+/);
      if (addr!.startsWith('[')) continue;
      const port = Number(addr!.includes(':') ? addr!.split(':').pop() : addr);
      if (Number.isInteger(port) && !listens.some((l) => l.port === port)) listens.push({ port, ssl: params.includes('ssl') });
    }
    const cert = /^ssl_certificate\s+([^;\s]+);/.exec(line);
    if (cert) certificate = cert[1];
    const k = /^ssl_certificate_key\s+([^;\s]+);/.exec(line);
    if (k) key = k[1];
  }
  return { listens, ...(certificate ? { certificate } : {}), ...(key ? { key } : {}) };
}

function plainToHttps(server: string): Uint8Array {
  const reason = 'The plain HTTP request was sent to HTTPS port';
  const page = `<html>\r\n<head><title>400 ${reason}</title></head>\r\n<body bgcolor="white">\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>${reason}</center>\r\n<hr><center>${server}</center>\r\n</body>\r\n</html>\r\n`;
  return http('400 Bad Request', page, server, 'text/html');
}

export const nginxHttps: ImageDef = {
  id: 'nginxhttps',
  repos: ['bprashanth/nginxhttps'],
  names: ['nginxhttps'],
  serves: 'nginx 1.9 as /etc/nginx/conf.d/default.conf says: HTTP on 80, HTTPS on 443 with the mounted certificate',
  env: () => [['PATH', DEFAULT_PATH], ['NGINX_VERSION', `${VERSION}-1~jessie`]],
  files: () => FILES,
  listeners: ({ state, pod, container }) => {
    const machine = `pod:${pod.metadata.uid}`;
    const mounted = mountedFiles(state, pod, container);
    const file = (path: string): string | undefined => readFile(state, machine, path)?.content ?? mounted[path] ?? FILES[path];
    const conf = parseNginxConf(file('/etc/nginx/conf.d/default.conf') ?? DEFAULT_CONF);
    const certificate = conf.certificate ? file(conf.certificate) : undefined;
    if (conf.listens.some((l) => l.ssl) && (certificate === undefined || !conf.key || file(conf.key) === undefined)) return [];
    const log = (req: Uint8Array, status: number, bytes: number, ctx: Parameters<Listener['handle']>[1]): void => nginxLog(state, pod, container.name, req, status, bytes, ctx);
    return conf.listens.map(({ port, ssl }): Listener => {
      const inner = nginxServer(log, file, { port, version: VERSION });
      if (!ssl) return inner;
      return {
        ...inner,
        handle: (req, ctx) => {
          if (!looksLikeTls(req)) return plainToHttps(`nginx/${VERSION}`);
          const hello = tlsServerRead(req);
          if (!hello) return tlsAlert();
          return tlsServerStream(certificate!, inner.handle(hello.request, ctx));
        },
      };
    });
  },
};
