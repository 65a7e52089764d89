/**
 * The kubelet's HTTP servers on a node: the API on *:10250 and the health check on
 * 127.0.0.1:10248.
 *
 * Design notes: kubeadm's KubeletConfiguration turns anonymous authentication off and
 * webhook authentication and authorization on, so the API's authentication filter
 * (pkg/kubelet/server/server.go InstallAuthFilter) answers any request without a client
 * certificate or bearer token `401 Unauthorized` with the body `Unauthorized` (go-restful's
 * WriteErrorString: no newline, no Content-Type of its own, so Go sniffs text/plain). The
 * learner's tools present neither, so every path answers that. The API speaks TLS with the
 * certificate the kubelet made itself at its first start (no serverTLSBootstrap in kubeadm's
 * config): `<node>@<unix time>` issued by its own CA `<node>-ca@<unix time>`, both sent, as
 * client-go's GenerateSelfSignedCertKey writes them. The health server answers `/healthz` with
 * `ok` (component-base's healthz handler), any other path Go's 404.
 * Left out: what an authenticated client gets (pods, logs, exec, metrics), `?verbose`.
 */
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { issueCertificate } from '../x509';
import { goNotFound, goResponse, goTls, isHead, requestTime, TEXT_HEADERS } from './go-http';
import { parseRequest, type Listener } from './http';

const certs = new WeakMap<SimState, Map<string, string>>();

/** The kubelet's self-signed serving certificate and its CA, made when it first started. */
export function kubeletCertificate(state: SimState, node: string, firstStart: number): string {
  let byNode = certs.get(state);
  if (!byNode) certs.set(state, (byNode = new Map()));
  const hit = byNode.get(node);
  if (hit) return hit;
  const rng = deriveRng(state.seed, `kubelet-serving/${node}`);
  const t = Math.floor(firstStart / 1000);
  const ca: [string, string][] = [['CN', `${node}-ca@${t}`]];
  // client-go backdates both by an hour and makes them valid for a year.
  const notBefore = firstStart - 3_600_000;
  const pem = issueCertificate(rng, [['CN', `${node}@${t}`]], ca, notBefore, 365, false) + issueCertificate(rng, ca, ca, notBefore, 365, true);
  byNode.set(node, pem);
  return pem;
}

/** The kubelet's API on *:10250: TLS, and no anonymous access. */
export function kubeletApiHandler(state: SimState, node: string, firstStart: number): Listener['handle'] {
  return goTls(
    () => kubeletCertificate(state, node, firstStart),
    (req, ctx) => goResponse('401 Unauthorized', [], 'Unauthorized', requestTime(ctx), isHead(req)),
  );
}

/** The kubelet's health server on 127.0.0.1:10248. */
export const kubeletHealthz: Listener['handle'] = (req, ctx) => {
  const r = parseRequest(req);
  const now = requestTime(ctx);
  if (r?.path.split('?')[0] !== '/healthz') return goNotFound(now, isHead(req));
  return goResponse('200 OK', TEXT_HEADERS, 'ok', now, isHead(req));
};
