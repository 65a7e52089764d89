/**
 * kube-apiserver's secure port (*:6443 on the control plane, also the `kubernetes` Service's
 * 10.96.0.1:443) as it answers a client without credentials, and the control plane's other
 * HTTPS servers (kube-controller-manager on 127.0.0.1:10257, kube-scheduler on
 * 127.0.0.1:10259).
 *
 * Design notes: kubeadm leaves --anonymous-auth at its default (true), so a request without a
 * certificate or token is the user `system:anonymous` in the group `system:unauthenticated`,
 * which RBAC binds only to `system:public-info-viewer`: `/healthz`, `/livez`, `/readyz` answer
 * `ok` and `/version` the build's version info; any other path is refused with a Status
 * `Forbidden` (403) whose message names the path (`forbidden: User "system:anonymous" cannot
 * get path "/"`) or, under /api and /apis, the resource, verb, API group and scope the request
 * means (`pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group
 * "" in the namespace "default"`), with the details kind and name. A client whose User-Agent
 * starts with `curl`, `Wget` or `Mozilla/5.0` gets the JSON indented by two spaces without a
 * final newline (handlers/negotiation isPrettyPrint), others compact JSON and a newline.
 * Every response carries the API server's headers: `Audit-Id`, `Cache-Control: no-cache,
 * private` and API Priority and Fairness's flow schema and priority level uids (`probes` and
 * `exempt` for the health paths, `global-default` otherwise). The serving certificate is
 * `kube-apiserver` issued by the cluster CA `kubernetes`, which a client must be given to
 * trust it. The controller manager and the scheduler serve their health paths to anyone
 * (--authorization-always-allow-paths) and refuse the rest the same way.
 * Left out: authenticated requests (kubectl talks to the model directly), HTTP/2 (see
 * go-http.ts), the certificate's subject alternative names, `?verbose` health details.
 */
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { uuid } from '../k8s/names';
import { issueCertificate } from '../x509';
import { goResponse, goTls, requestTime } from './go-http';
import { parseRequest, requestHeaders, type Listener } from './http';

/** The v1.32.2 release's build facts, as `/version` reports them. */
const BUILDS: Record<string, { gitCommit: string; buildDate: string; goVersion: string }> = {
  'v1.32.2': { gitCommit: '67a30c0adcf52bd3f56ff0893ce19966be12991f', buildDate: '2025-02-12T21:19:47Z', goVersion: 'go1.23.6' },
};

const certs = new WeakMap<SimState, string>();

/** The API server's serving certificate, issued by the cluster CA when kubeadm set the cluster up. */
function apiserverCertificate(state: SimState): string {
  let pem = certs.get(state);
  if (!pem) {
    pem = issueCertificate(deriveRng(state.seed, 'apiserver-serving'), [['CN', 'kube-apiserver']], [['CN', 'kubernetes']], state.createdAt - 60_000, 365, false);
    certs.set(state, pem);
  }
  return pem;
}

/** A uid that is the same for the same name in the same sandbox (APF's built-in objects). */
function stableUid(state: SimState, name: string): string {
  return uuid(deriveRng(state.seed, `uid:${name}`));
}

/** Go's encoding/json of a Status, indented (MarshalIndent) or compact with Encode's newline. */
function statusJson(message: string, details: [string, string][], pretty: boolean): string {
  const q = JSON.stringify;
  if (!pretty) return `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":${q(message)},"reason":"Forbidden","details":{${details.map(([k, v]) => `${q(k)}:${q(v)}`).join(',')}},"code":403}\n`;
  const d = details.length === 0 ? '{}' : `{\n${details.map(([k, v]) => `    ${q(k)}: ${q(v)}`).join(',\n')}\n  }`;
  return `{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n  "message": ${q(message)},\n  "reason": "Forbidden",\n  "details": ${d},\n  "code": 403\n}`;
}

/** What an anonymous request for `path` with `method` is forbidden as: the message and the details. */
export function forbidden(path: string, method: string): { message: string; details: [string, string][] } {
  const who = 'User "system:anonymous"';
  const parts = path.split('/').filter((p) => p !== '');
  let group: string | undefined;
  let rest: string[] = [];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    rest = parts.slice(3);
  }
  if (group === undefined || rest.length === 0) return { message: `forbidden: ${who} cannot get path "${path}"`, details: [] };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, ...sub] = rest as [string, ...string[]];
  const verbs: Record<string, string> = { GET: name ? 'get' : 'list', HEAD: name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' };
  const verb = verbs[method] ?? method.toLowerCase();
  const full = sub.length > 0 ? `${resource}/${sub.join('/')}` : resource;
  const scope = namespace !== undefined ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const subject = name ? `${resource} "${name}"` : resource;
  const details: [string, string][] = [...(name ? [['name', name] as [string, string]] : []), ...(group ? [['group', group] as [string, string]] : []), ['kind', resource]];
  return { message: `${subject} is forbidden: ${who} cannot ${verb} resource "${full}" in API group "${group}" ${scope}`, details };
}

const HEALTH = new Set(['/healthz', '/livez', '/readyz']);

/** Whether the client is one the API server pretty-prints for (a browser or a command-line tool). */
function prettyFor(req: Uint8Array): boolean {
  const agent = requestHeaders(req).find(([k]) => k.toLowerCase() === 'user-agent')?.[1] ?? '';
  return agent.startsWith('curl') || agent.startsWith('Wget') || agent.startsWith('Mozilla/5.0');
}

/** The API server's answer to an anonymous HTTP request. */
function anonymous(state: SimState, req: Uint8Array, now: number, apiserver: boolean): Uint8Array {
  const r = parseRequest(req);
  const path = (r?.path ?? '/').split('?')[0]!;
  const method = r?.method ?? 'GET';
  const head = method === 'HEAD';
  const pretty = prettyFor(req);
  const health = HEALTH.has(path);
  const common: [string, string][] = [['X-Content-Type-Options', 'nosniff']];
  if (apiserver) {
    const flow = health ? ['probes', 'exempt'] : ['global-default', 'global-default'];
    common.push(
      ['Audit-Id', uuid(deriveRng(state.seed, `audit/${now}/${path}`))],
      ['Cache-Control', 'no-cache, private'],
      ['X-Kubernetes-Pf-Flowschema-Uid', stableUid(state, `FlowSchema/${flow[0]}`)],
      ['X-Kubernetes-Pf-Prioritylevel-Uid', stableUid(state, `PriorityLevelConfiguration/${flow[1]}`)],
    );
  }
  if (health) return goResponse('200 OK', [...common, ['Content-Type', 'text/plain; charset=utf-8']], 'ok', now, head);
  if (apiserver && (path === '/version' || path === '/version/')) {
    const v = state.config.kubernetesVersion;
    const build = BUILDS[v] ?? BUILDS['v1.32.2']!;
    const [major, minor] = v.replace(/^v/, '').split('.');
    const info: [string, string][] = [['major', major ?? '1'], ['minor', minor ?? '32'], ['gitVersion', v], ['gitCommit', build.gitCommit], ['gitTreeState', 'clean'], ['buildDate', build.buildDate], ['goVersion', build.goVersion], ['compiler', 'gc'], ['platform', 'linux/amd64']];
    const body = pretty ? `{\n${info.map(([k, x]) => `  "${k}": ${JSON.stringify(x)}`).join(',\n')}\n}` : `{${info.map(([k, x]) => `"${k}":${JSON.stringify(x)}`).join(',')}}\n`;
    return goResponse('200 OK', [...common, ['Content-Type', 'application/json']], body, now, head);
  }
  const f = forbidden(path, method);
  return goResponse('403 Forbidden', [...common, ['Content-Type', 'application/json']], statusJson(f.message, f.details, pretty), now, head);
}

/** kube-apiserver's secure port. */
export function apiserverHandler(state: SimState): Listener['handle'] {
  return goTls(
    () => apiserverCertificate(state),
    (req, ctx) => anonymous(state, req, requestTime(ctx), true),
  );
}

/** kube-controller-manager's or kube-scheduler's secure port (their own self-signed certificate). */
export function componentHandler(state: SimState, component: string, node: string): Listener['handle'] {
  let pem: string | undefined;
  const cert = (): string => {
    if (pem === undefined) {
      const t = Math.floor(state.createdAt / 1000);
      const ca: [string, string][] = [['CN', `localhost-ca@${t}`]];
      const rng = deriveRng(state.seed, `${component}-serving/${node}`);
      pem = issueCertificate(rng, [['CN', `localhost@${t}`]], ca, state.createdAt - 3_600_000, 365, false) + issueCertificate(rng, ca, ca, state.createdAt - 3_600_000, 365, true);
    }
    return pem;
  };
  return goTls(cert, (req, ctx) => anonymous(state, req, requestTime(ctx), false));
}
