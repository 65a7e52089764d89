/**
 * kube-proxy's own HTTP servers in a node's network namespace (it runs with hostNetwork).
 *
 * Design notes: the metrics server on 127.0.0.1:10249 (kubeadm's default metricsBindAddress)
 * answers `/proxyMode` with the mode's name (the cluster's proxyMode: `iptables` or `ipvs`) and
 * no newline, as pkg/proxy's server writes it
 * (`text/plain; charset=utf-8`, `X-Content-Type-Options: nosniff`), `/healthz` with `ok`, and
 * `/metrics` in Prometheus' text format (`text/plain; version=0.0.4; charset=utf-8`, families
 * sorted by name, `[ALPHA]` before each help text as component-base writes it, numbers as Go's
 * strconv 'g' writes them): the rules it owns per table (counted in the node's own tables), the
 * time of its last sync (its periodic full resync every syncPeriod, 30 s, since it started),
 * the Services with a Local traffic policy and no local endpoint, and its process start time.
 * The healthz server on *:10256 (healthzBindAddress) answers `/healthz` and `/livez` with
 * pkg/proxy/healthcheck/proxy_health.go's one-line JSON: `lastUpdated` and `currentTime` as Go
 * prints a time.Time read from the wall and monotonic clocks (`2025-03-04 09:05:06.123456789
 * +0000 UTC m=+712.345678901`, the monotonic part being seconds since the process started), and
 * for /healthz `nodeEligible` (false once the node carries the cluster
 * autoscaler's ToBeDeletedByClusterAutoscaler taint, then with status 503; the model has no
 * node deletion in progress).
 * For each Service with externalTrafficPolicy Local and a healthCheckNodePort, the service
 * health server listens on every address at that port and answers any path with the JSON
 * pkg/proxy/healthcheck/service_health.go writes (tab-indented, no final newline): the number
 * of ready endpoints on this node, 200 when there is one, 503 when there is none, and the
 * count in `X-Load-Balancing-Endpoint-Weight`. Go adds `Date` and `Content-Length`
 * (go-http.ts). A node whose kube-proxy is stopped (a fault) serves none of them.
 * Left out: the metrics' histograms and the Go runtime's own metrics (their real text runs to
 * kilobytes), counters of events the sandbox does not keep (endpoint and Service changes).
 */
import { serviceEndpoints } from '../k8s/endpoints';
import type { SimState } from '../state';
import { goNotFound, goResponse, goServe, isHead, requestTime, TEXT_HEADERS } from './go-http';
import { parseRequest, type Listener, type SocketFacts } from './http';

const LOOPBACK = 0x7f000001;

/** kube-proxy's process on the node: its pid (for ss) and when it started (for its clocks). */
export interface KubeProxyProcess {
  pid: number;
  start: number;
}

/** The mode kube-proxy reports on /proxyMode. */
function proxyMode(state: SimState): string {
  return state.config.proxyMode ?? 'iptables';
}

/** Go's strconv.FormatFloat(x, 'g', -1, 64): the shortest digits, in e-notation when the exponent is below -4 or 6 and above. */
export function goFloat(x: number): string {
  if (x === 0) return '0';
  const [mant, e] = x.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(x);
}

/** Go's time.Time.String() of a wall-clock reading with its monotonic offset since `start`. */
export function goTimeString(ms: number, start: number, extraNs: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  const frac = `${String(ms % 1000).padStart(3, '0')}${String(extraNs).padStart(6, '0')}`.replace(/0+$/, '');
  const mono = Math.max(0, ms - start);
  const monoNs = `${String(mono % 1000).padStart(3, '0')}${String(extraNs).padStart(6, '0')}`;
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}${frac ? `.${frac}` : ''} +0000 UTC m=+${Math.floor(mono / 1000)}.${monoNs}`;
}

/** The rules kube-proxy owns in a table of the node: its KUBE-* chains (the shared copy while it runs). */
function ownedRules(state: SimState, nodeName: string, table: 'nat' | 'filter'): number {
  const nf = state.kubeProxy ?? state.netns[`node/${nodeName}`]?.nf;
  if (!nf) return 0;
  let n = 0;
  for (const [name, chain] of Object.entries(nf[table].chains)) if (name.startsWith('KUBE-')) n += chain.rules.length;
  return n;
}

/** The Services with a Local policy whose traffic this node would drop for want of a local endpoint. */
function noLocalEndpoints(state: SimState, nodeName: string, policy: 'internal' | 'external'): number {
  let n = 0;
  for (const svc of Object.values(state.k8s.services)) {
    const local = policy === 'internal' ? svc.spec.internalTrafficPolicy === 'Local' : svc.spec.externalTrafficPolicy === 'Local' && (svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer');
    if (local && !serviceEndpoints(state, svc).some((e) => e.ready && e.node === nodeName)) n++;
  }
  return n;
}

/** /metrics: a subset of kube-proxy's families, sorted by name. */
function metricsText(state: SimState, nodeName: string, proc: KubeProxyProcess, now: number): string {
  const fam = (name: string, type: string, help: string, samples: [string, number][]): string =>
    `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${samples.map(([labels, v]) => `${name}${labels} ${goFloat(v)}`).join('\n')}\n`;
  const lastSync = proc.start + 1_000 + Math.floor(Math.max(0, now - proc.start - 1_000) / 30_000) * 30_000;
  return [
    fam('kubeproxy_sync_proxy_rules_iptables_total', 'gauge', '[ALPHA] Total number of iptables rules owned by kube-proxy', [['{table="filter"}', ownedRules(state, nodeName, 'filter')], ['{table="nat"}', ownedRules(state, nodeName, 'nat')]]),
    fam('kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'gauge', '[ALPHA] The last time proxy rules were successfully synced', [['', Math.min(now, lastSync) / 1000]]),
    fam('kubeproxy_sync_proxy_rules_no_local_endpoints_total', 'gauge', '[ALPHA] Number of services with a Local traffic policy and no endpoints', [['{traffic_policy="external"}', noLocalEndpoints(state, nodeName, 'external')], ['{traffic_policy="internal"}', noLocalEndpoints(state, nodeName, 'internal')]]),
    fam('process_start_time_seconds', 'gauge', '[ALPHA] Start time of the process since unix epoch in seconds.', [['', Math.floor(proc.start / 10) / 100]]),
  ].join('');
}

/** The sub-millisecond digits of a clock reading: stable for the same node and time. */
function nanos(nodeName: string, ms: number): number {
  let h = 0x811c9dc5;
  const text = `${nodeName}/${ms}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h % 1_000_000;
}

/** The listeners kube-proxy holds on the node, or none while it is stopped. */
export function kubeProxyListeners(state: SimState, nodeName: string, proc: KubeProxyProcess): Listener[] {
  const ns = state.netns[`node/${nodeName}`];
  if (!ns || ns.kubeProxy?.mode === 'frozen') return [];
  const sock = (family: SocketFacts['family'], fd: number): SocketFacts => ({ family, backlog: 4096, users: [{ name: 'kube-proxy', pid: proc.pid, fd }] });
  const out: Listener[] = [
    {
      proto: 'tcp',
      port: 10249,
      addr: LOOPBACK,
      program: 'kube-proxy',
      socket: sock('v4', 11),
      handle: (req, ctx) => {
        const path = parseRequest(req)?.path.split('?')[0];
        const now = requestTime(ctx);
        const head = isHead(req);
        if (path === '/proxyMode') return goResponse('200 OK', TEXT_HEADERS, proxyMode(state), now, head);
        if (path === '/healthz') return goResponse('200 OK', TEXT_HEADERS, 'ok', now, head);
        if (path === '/metrics') return goResponse('200 OK', [['Content-Type', 'text/plain; version=0.0.4; charset=utf-8']], metricsText(state, nodeName, proc, now), now, head);
        return goNotFound(now, head);
      },
    },
    {
      proto: 'tcp',
      port: 10256,
      program: 'kube-proxy',
      socket: sock('dual', 10),
      handle: (req, ctx) => {
        const path = parseRequest(req)?.path.split('?')[0];
        const now = requestTime(ctx);
        const head = isHead(req);
        if (path !== '/healthz' && path !== '/livez') return goNotFound(now, head);
        const t = JSON.stringify(goTimeString(now, proc.start, nanos(nodeName, now)));
        const node = state.k8s.nodes[nodeName];
        const eligible = !(node?.spec.taints ?? []).some((x) => x.key === 'ToBeDeletedByClusterAutoscaler');
        const json: [string, string][] = [['Content-Type', 'application/json'], ['X-Content-Type-Options', 'nosniff']];
        if (path === '/livez') return goResponse('200 OK', json, `{"lastUpdated": ${t},"currentTime": ${t}}`, now, head);
        return goResponse(eligible ? '200 OK' : '503 Service Unavailable', json, `{"lastUpdated": ${t},"currentTime": ${t}, "nodeEligible": ${eligible}}`, now, head);
      },
    },
  ];
  let fd = 12;
  for (const svc of Object.values(state.k8s.services)) {
    const port = svc.spec.healthCheckNodePort;
    if (port === undefined) continue;
    out.push({
      proto: 'tcp',
      port,
      program: 'kube-proxy',
      socket: sock('dual', fd++),
      handle: (req, ctx) => {
        const count = serviceEndpoints(state, svc).filter((e) => e.ready && e.node === nodeName).length;
        const body = `{\n\t"service": {\n\t\t"namespace": ${JSON.stringify(svc.metadata.namespace ?? 'default')},\n\t\t"name": ${JSON.stringify(svc.metadata.name)}\n\t},\n\t"localEndpoints": ${count},\n\t"serviceProxyHealthy": true\n}`;
        const headers: [string, string][] = [['Content-Type', 'application/json'], ['X-Content-Type-Options', 'nosniff'], ['X-Load-Balancing-Endpoint-Weight', String(count)]];
        return goResponse(count > 0 ? '200 OK' : '503 Service Unavailable', headers, body, requestTime(ctx), isHead(req));
      },
    });
  }
  return out.map((l) => ({ ...l, handle: goServe(l.handle) }));
}

/** Whether the node's health check for a Local Service passes (what a cloud load balancer asks). */
export function healthCheckPasses(state: SimState, nodeName: string, serviceKey: string): boolean {
  const svc = state.k8s.services[serviceKey];
  if (!svc) return false;
  const ns = state.netns[`node/${nodeName}`];
  if (!ns || ns.kubeProxy?.mode === 'frozen') return false;
  return serviceEndpoints(state, svc).some((e) => e.ready && e.node === nodeName);
}
