/**
 * `registry.k8s.io/serve_hostname` (also `gcr.io/google_containers/serve_hostname`), the
 * "hostnames" example of the Debug Services page: a busybox-based image whose program answers
 * every HTTP request on 9376 with the pod's hostname (no newline), as agnhost serve-hostname
 * does (its successor, with the same flags).
 */
import { serveHostname } from './agnhost';
import { DEFAULT_PATH, type ImageDef } from './image';

export const serveHostnameImage: ImageDef = {
  id: 'serve-hostname',
  names: ['serve_hostname', 'serve-hostname'],
  serves: "HTTP on 9376: the pod's hostname",
  env: () => [['PATH', DEFAULT_PATH]],
  startup: (app) => [`\u0000go Serving on port ${app.argv.find((a) => a.startsWith('--port='))?.slice(7) ?? '9376'}.`],
  listeners: (app) => serveHostname(app, 'serve_hostname'),
};
