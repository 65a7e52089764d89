/**
 * Container logs: what each container wrote to stdout and stderr, as the kubelet serves them
 * to `kubectl logs`.
 *
 * Design notes: a container's log is its image's startup output followed by the lines its
 * program writes while serving requests. The startup output is derived on every read from the
 * image and the container's start time, so it costs no state: the official nginx image's
 * `/docker-entrypoint.sh` lines and nginx's `[notice]` lines (one worker per CPU, the node's
 * kernel in the `OS:` line); the other images' own (ImageDef.startup in src/sim/apps:
 * agnhost's `Serving on port 9376.` for serve-hostname and `Started HTTP server on port 8080`
 * for netexec, hello-app's `Server listening on port 8080`). busybox running `sleep`,
 * and every other image, write nothing. The request lines are recorded in the state by the
 * programs in apps.ts at the moment they answer: nginx's access log in the image's `main`
 * format (`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 * "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`), preceded by its `[error]`
 * line for a missing file, and agnhost's `HTTP request from IP:port` / `GET /hostname`. The
 * address is the source the program saw, after any NAT on the way, so logs show kube-proxy's
 * masquerading. Each line carries the container runtime's RFC 3339 timestamp with
 * nanoseconds (what `--timestamps` prints); the sub-millisecond digits come from a hash, the
 * sandbox's clock having milliseconds only.
 * The store is keyed by the pod's uid, so a pod recreated under the same name starts with an
 * empty log; entries of pods that no longer exist are dropped when a new one is created. Each
 * container keeps its newest MAX_LOG_LINES lines; once older ones have gone, so has the
 * startup output (the kubelet rotates the file).
 * CoreDNS's lines (its startup banner, its `log` plugin, reloads) are written by
 * coredns-config.ts; kube-proxy's, flannel's and the API server's come from component-logs.ts,
 * derived like the startup output.
 * A restarted container's instances each have their log, derived from the instance's start
 * time: the running one, the last that ended (what a container waiting in CrashLoopBackOff
 * serves), the one before the current (`--previous`). A program that could not bind its port
 * wrote its failure instead of its startup output (nginx's `bind() to 0.0.0.0:80 failed`).
 * Simplified: the recorded request lines belong to the running instance only.
 * Left out: logs of etcd, the controller manager, the scheduler and the ingress-nginx
 * controller, and the log file's size limit in bytes.
 */
import type { SimState } from '../state';
import { fnv32a } from './names';
import { startupLog } from '../apps/index';
import { NGINX_ENTRYPOINT_LINES } from '../apps/nginx';
import { componentLog } from './component-logs';
import { programFails } from './crash';
import { programFailure } from './kubelet';
import type { Container, ContainerLog, LogLine, Pod } from './types';

export type { ContainerLog, LogLine } from './types';

/** Lines kept per container; the oldest go first. */
export const MAX_LOG_LINES = 500;

/** Go's RFC3339Nano for `ms` (epoch milliseconds) plus `extraNs` nanoseconds (0-999999). */
export function rfc3339Nano(ms: number, extraNs = 0): string {
  const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  const frac = (String(ms % 1000).padStart(3, '0') + String(extraNs).padStart(6, '0')).replace(/0+$/, '');
  return `${base}${frac ? '.' + frac : ''}Z`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parts(ms: number) {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return { y: String(d.getUTCFullYear()), mo: d.getUTCMonth(), m: two(d.getUTCMonth() + 1), d: two(d.getUTCDate()), hms: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}` };
}

/** nginx's $time_local in a UTC container: `04/Mar/2025:09:05:06 +0000`. */
export function nginxTimeLocal(ms: number): string {
  const p = parts(ms);
  return `${p.d}/${MONTHS[p.mo]}/${p.y}:${p.hms} +0000`;
}

/** nginx's error-log time, also Go's `log` prefix time: `2025/03/04 09:05:06`. */
export function logTime(ms: number): string {
  const p = parts(ms);
  return `${p.y}/${p.m}/${p.d} ${p.hms}`;
}

export function imageName(image: string): string {
  return (image.split('/').pop() ?? image).split(/[:@]/)[0]!;
}

function logKey(pod: Pod, container: string): string {
  return `${pod.metadata.uid}/${container}`;
}

/** Sub-millisecond digits for a line: stable for the same pod, container and position. */
function extraNs(pod: Pod, container: string, n: number): number {
  return fnv32a(`${pod.metadata.uid}/${container}/${n}`) % 1_000_000;
}

/** The recorded part of a container's log, if it has one. */
export function recordedLog(state: SimState, pod: Pod, container: string): ContainerLog | undefined {
  return state.k8s.logs?.[logKey(pod, container)];
}

/** Appends lines a container's program wrote at `now`; returns its log entry. */
export function appendLog(state: SimState, pod: Pod, container: string, now: number, texts: string[]): ContainerLog {
  const store = (state.k8s.logs ??= {});
  const k = logKey(pod, container);
  let log = store[k];
  if (!log) {
    // A new entry: forget the logs of pods that are gone.
    const live = new Set(Object.values(state.k8s.pods).map((p) => p.metadata.uid));
    for (const old of Object.keys(store)) if (!live.has(old.slice(0, old.indexOf('/')))) delete store[old];
    log = store[k] = { lines: [], dropped: 0, conns: 0 };
  }
  for (const text of texts) {
    const n = log.dropped + log.lines.length;
    let ns = extraNs(pod, container, n) % 100_000;
    // Lines written within one millisecond still get increasing timestamps.
    if (log.lastMs === now && log.lastNs !== undefined) ns = Math.min(999_999, log.lastNs + 1_000 + (ns % 40_000));
    log.lines.push({ ts: rfc3339Nano(now, ns), text });
    log.lastMs = now;
    log.lastNs = ns;
  }
  if (log.lines.length > MAX_LOG_LINES) {
    const extra = log.lines.length - MAX_LOG_LINES;
    log.lines.splice(0, extra);
    log.dropped += extra;
  }
  return log;
}

/** Worker processes nginx starts with `worker_processes auto`: one per CPU of the node. */
const NODE_CPUS = 2;
/** The pid of nginx's first worker in the official image (the entrypoint's scripts ran before). */
const FIRST_WORKER_PID = 29;

/** The pid of the worker that handles connection number `conn`. */
export function nginxWorker(conn: number): number {
  return FIRST_WORKER_PID + (conn % NODE_CPUS);
}

function nginxStartup(state: SimState, pod: Pod): string[] {
  const kernel = (pod.spec.nodeName && state.k8s.nodes[pod.spec.nodeName]?.status.nodeInfo.kernelVersion) || '6.8.0-57-generic';
  const version = '1.27.5';
  const lines = NGINX_ENTRYPOINT_LINES;
  const notices = [
    'using the "epoll" event method',
    `nginx/${version}`,
    // NGX_COMPILER keeps the space `gcc -v` ends its version line with.
    'built by gcc 12.2.0 (Debian 12.2.0-14) ',
    `OS: Linux ${kernel}`,
    'getrlimit(RLIMIT_NOFILE): 1048576:1048576',
    'start worker processes',
    ...Array.from({ length: NODE_CPUS }, (_, i) => `start worker process ${FIRST_WORKER_PID + i}`),
  ];
  return [...lines, ...notices.map((n) => `\u0000notice ${n}`)];
}

/** The lines a container's program prints as it starts (`\0notice ` marks nginx notices, timed at print; `\0iso ` a line whose `{time}` is the print time in ISO 8601). */
function startupLines(state: SimState, pod: Pod, c: Container): string[] {
  const name = imageName(c.image);
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  if (name === 'nginx' && args.length === 0) return nginxStartup(state, pod);
  return startupLog(state, pod, c);
}

/** When the container's current instance started (epoch ms), if it is running. */
export function containerStarted(pod: Pod, container: string): number | undefined {
  const s = pod.status.containerStatuses?.find((c) => c.name === container);
  const at = s?.state.running?.startedAt;
  return at ? Date.parse(at) : undefined;
}

/**
 * The container instance whose log the kubelet serves: the running one; for a container that
 * has ended or waits to be restarted, the instance that ended last; with `previous`, the one
 * before the current (its lastState). Undefined when there is none.
 */
export function logInstance(pod: Pod, container: string, previous = false): { started: number; current: boolean } | undefined {
  const s = pod.status.containerStatuses?.find((c) => c.name === container);
  if (!s) return undefined;
  const ended = previous ? s.lastState?.terminated : s.state.running ? undefined : (s.state.terminated ?? s.lastState?.terminated);
  const at = previous || !s.state.running ? ended?.startedAt : s.state.running.startedAt;
  return at ? { started: Date.parse(at), current: !previous && !!s.state.running } : undefined;
}

/**
 * The whole log of a container, oldest first: its startup output (timed a few milliseconds
 * after the container started) and the lines recorded since. A program that could not bind its
 * ports (kubelet.ts programFailure) wrote its failure instead. `previous`: the instance before
 * the current one (`kubectl logs --previous`).
 */
export function containerLog(state: SimState, pod: Pod, container: string, previous = false): LogLine[] {
  const c = pod.spec.containers.find((x) => x.name === container);
  if (!c) return [];
  const instance = logInstance(pod, container, previous);
  const failure = instance && programFails(state, pod, container) ? programFailure(state, pod, c, pod.spec.containers.slice(0, pod.spec.containers.indexOf(c))) : undefined;
  // The requests a program answered belong to the instance that runs.
  const rec = instance?.current || !instance ? recordedLog(state, pod, container) : undefined;
  const started = instance?.started;
  const out: LogLine[] = [];
  // The cluster's components (kube-proxy, flannel, the API server) write klog lines of their own.
  const component = started !== undefined ? componentLog(state, pod, c, started) : undefined;
  if (component) {
    for (const l of component) out.push({ ts: rfc3339Nano(l.at, l.us * 1000 + (fnv32a(l.text) % 1000)), text: l.text });
    out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  } else if (started !== undefined && (rec?.dropped ?? 0) === 0) {
    const startup = failure ? failure.log : startupLines(state, pod, c);
    // The entrypoint's scripts take a few milliseconds each; nginx starts right after them.
    let t = started + 40;
    let prevMs = -1;
    let ns = 0;
    startup.forEach((raw, i) => {
      if (raw.startsWith('\u0000wait ')) {
        t += Number(raw.slice(6));
        return;
      }
      t += raw.startsWith('\u0000') ? 0 : 3 + (fnv32a(`${pod.metadata.uid}/${container}/start/${i}`) % 5);
      const hashed = extraNs(pod, container, -1 - i);
      ns = t === prevMs ? Math.min(999_999, ns + 20_000 + (hashed % 60_000)) : hashed % 200_000;
      prevMs = t;
      const ts = rfc3339Nano(t, ns);
      let text = raw;
      if (raw.startsWith('\u0000notice ')) text = `${logTime(t)} [notice] 1#1: ${raw.slice(8)}`;
      else if (raw.startsWith('\u0000emerg ')) text = `${logTime(t)} [emerg] 1#1: ${raw.slice(7)}`;
      else if (raw.startsWith('\u0000now ')) text = raw.slice(5);
      else if (raw.startsWith('\u0000go ')) text = `${logTime(t)} ${raw.slice(4)}`;
      else if (raw.startsWith('\u0000iso ')) text = raw.slice(5).replace('{time}', new Date(t).toISOString());
      out.push({ ts, text });
    });
  }
  if (rec) out.push(...rec.lines);
  return out;
}
