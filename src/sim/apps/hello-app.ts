/**
 * Google's hello-app (`gcr.io/google-samples/hello-app:1.0`,
 * `us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0`, and 2.0): a Go program on
 * Alpine that answers every path with `Hello, world!`, its version and the pod's hostname.
 *
 * Design notes (kubernetes-engine-samples quickstarts/hello-app/main.go): it listens on `$PORT`
 * (the image sets `ENV PORT 8080`; the container's env may change it), logs `Serving request:
 * <path>` for each request, and writes `Hello, world!\nVersion: <v>\nHostname: <hostname>\n`
 * where the version is 1.0.0 for the 1.0 tag and 2.0.0 for 2.0.
 * It starts with `Server listening on port 8080` in its log.
 */
import { goLog, headAware, http, parseRequest } from './http';
import { DEFAULT_PATH, podHostname, type ImageDef } from './image';

export const helloApp: ImageDef = {
  id: 'hello-app',
  names: ['hello-app'],
  serves: 'HTTP on $PORT (8080): `Hello, world!`, `Version: 1.0.0` (2.0.0 for the 2.0 tag), `Hostname: <pod>`',
  env: () => [['PATH', DEFAULT_PATH], ['PORT', '8080']],
  startup: ({ env }) => [`\u0000go Server listening on port ${env('PORT') ?? '8080'}`],
  listeners({ state, pod, container, ref, env }) {
    const port = Number(env('PORT') ?? '8080');
    const version = ref.tag.startsWith('2') ? '2.0.0' : '1.0.0';
    return [{
      proto: 'tcp',
      port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 8080,
      program: 'hello-app',
      handle: headAware((req, ctx) => {
        const r = parseRequest(req);
        if (!r) return http('400 Bad Request', '400 Bad Request', undefined, 'text/plain; charset=utf-8');
        goLog(state, pod, container.name, ctx.now, `Serving request: ${r.path.split('?')[0]}`);
        return http('200 OK', `Hello, world!\nVersion: ${version}\nHostname: ${podHostname(pod)}\n`);
      }),
    }];
  },
};
