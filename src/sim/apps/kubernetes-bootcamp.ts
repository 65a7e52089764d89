/**
 * The Kubernetes Basics tutorial's app (`gcr.io/google-samples/kubernetes-bootcamp:v1`): a
 * Node.js `server.js` on a Debian-based node image that answers every request on 8080 with
 * `Hello Kubernetes bootcamp! | Running on: <hostname> | v=1`.
 *
 * Design notes (what the image's server does, and node:6.3.1's ENV): it writes
 * `Content-Type: text/plain` and the one line, with the pod's HOSTNAME; it logs `Kubernetes
 * Bootcamp App Started At: <ISO time> | Running On:  <hostname> ` and a blank line when it
 * starts (console.log joins its arguments with spaces), and one line per request with the
 * request count, the seconds since it started listening and the time. Node's own headers (Date, keep-alive, chunked encoding) are
 * simplified to the sandbox's Content-Length and `Connection: close` (http.ts).
 * The version shown is the tag's number (`v=1` for v1, `v=2` for v2).
 */
import { appendLog, containerStarted, recordedLog } from '../k8s/logs';
import { headAware, http, parseRequest } from './http';
import { podHostname, type ImageDef } from './image';

/**
 * /server.js as the sandbox ships it: a program of its own, written for the behaviour above
 * (the reply, the start and per-request log lines); the sandbox never runs it, `cat` shows it.
 * The image's own file is not copied.
 */
const SERVER_JS = `// Answers every HTTP request on port 8080 with the pod's name and the app's version.
const http = require('http');

const host = process.env.HOSTNAME;
let served = 0;
let listeningSince;

function handle(request, response) {
  served += 1;
  response.setHeader('Content-Type', 'text/plain');
  response.writeHead(200);
  response.end('Hello Kubernetes bootcamp! | Running on: ' + host + ' | v=1\\n');
  const uptime = (new Date - listeningSince) / 1000;
  console.log('Running On:', host, '| Total Requests:', served, '| App Uptime:', uptime, 'seconds', '| Log Time:', new Date);
}

http.createServer(handle).listen(8080, function () {
  listeningSince = new Date;
  console.log('Kubernetes Bootcamp App Started At:', listeningSince, '| Running On: ', host, '\\n');
});
`;

export const kubernetesBootcamp: ImageDef = {
  id: 'kubernetes-bootcamp',
  names: ['kubernetes-bootcamp'],
  serves: 'HTTP on 8080: `Hello Kubernetes bootcamp! | Running on: <pod> | v=1`',
  env: () => [['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['NPM_CONFIG_LOGLEVEL', 'info'], ['NODE_VERSION', '6.3.1']],
  files: () => ({ '/server.js': SERVER_JS }),
  startup: ({ pod }) => [`\u0000iso Kubernetes Bootcamp App Started At: {time} | Running On:  ${podHostname(pod)} `, ''],
  listeners({ state, pod, container, ref }) {
    const version = /^v?(\d+)/.exec(ref.tag)?.[1] ?? '1';
    return [{
      proto: 'tcp',
      port: 8080,
      program: 'node',
      handle: headAware((req, ctx) => {
        if (!parseRequest(req)) return http('400 Bad Request', '', undefined, 'text/plain');
        // console.log of each request: its number, the uptime since listen() and the time (Node prints a Date in ISO 8601).
        const now = ctx.now ?? state.createdAt;
        const log = recordedLog(state, pod, container.name);
        const n = (log?.lines.length ?? 0) + (log?.dropped ?? 0) + 1;
        const listening = (containerStarted(pod, container.name) ?? now) + 40;
        appendLog(state, pod, container.name, now, [`Running On: ${podHostname(pod)} | Total Requests: ${n} | App Uptime: ${Math.max(0, now - listening) / 1000} seconds | Log Time: ${new Date(now).toISOString()}`]);
        return http('200 OK', `Hello Kubernetes bootcamp! | Running on: ${podHostname(pod)} | v=${version}\n`, undefined, 'text/plain');
      }),
    }];
  },
};
