/**
 * `kubectl logs`: what a pod's containers wrote, from the sandbox's container logs.
 *
 * Design notes: the argument is a pod name or `TYPE/NAME`; for a Deployment, ReplicaSet,
 * DaemonSet or Service kubectl lists the pods of its selector and takes the best one for
 * logging (running, then ready longest, then most restarts, then oldest, as kubectl's
 * ByLogging sort), saying `Found N pods, using pod/NAME` on stderr. `-l` takes every matching
 * pod instead, 10 lines each unless `--tail` says otherwise. A pod with several containers
 * defaults to the first, with kubectl's `Defaulted container "a" out of: a, b` on stderr;
 * `-c` or a second argument names one, `--all-containers` takes them all, `--prefix` adds
 * `[pod/NAME/CONTAINER] `. `--tail`, `--since` and `--timestamps` (RFC 3339 with
 * nanoseconds, as the kubelet writes it) filter and decorate the lines. `-f` prints what is
 * there, then polls every second of sandbox time for new lines until Ctrl+C (kubectl has no
 * handler for it, so it dies of the signal: status 130) or until the pod is gone. The log text
 * itself comes from sim/k8s/logs.ts. Errors are kubectl's and the API server's: NotFound, a
 * container that is waiting to start, `--previous` with no previous instance, a type that has
 * no selector, a selector that matches no pod (kubectl waits its 20 s pod-running timeout),
 * and a node whose kubelet is stopped (the API server's GET of the kubelet's
 * /containerLogs/NS/POD/CONTAINER, with the request's query, is refused).
 * `--previous` (`-p`) prints the instance before the current one, once a container has been
 * restarted or waits to be; a container that ended or waits in CrashLoopBackOff serves the log of
 * its last instance.
 * Left out: `--since-time`, `--limit-bytes`, `--pod-running-timeout`.
 */
import { podReady } from '../../../sim/k8s/endpoints';
import { matches } from '../../../sim/k8s/labels';
import { containerLog, recordedLog, type LogLine } from '../../../sim/k8s/logs';
import { syncCoreDns } from '../../../sim/k8s/coredns-config';
import { kubeletRunning } from '../../../sim/host/units';
import type { Pod } from '../../../sim/k8s/types';
import type { SimState } from '../../../sim/state';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { bool, parseFlags, str } from './flags';
import { isRealResource, qualifiedPlural, resolveResource, supportedList, selectorFor } from './resources';

export const LOGS_USAGE = `Print the logs for a container in a pod or specified resource. If the pod has only one container, the container name is optional.

Examples:
  # Return snapshot logs from pod nginx with only one container
  kubectl logs nginx

  # Return snapshot logs from all containers in pods defined by label app=nginx
  kubectl logs -l app=nginx --all-containers=true

  # Begin streaming the logs of the ruby container in pod web-1
  kubectl logs -f -c ruby web-1

  # Display only the most recent 20 lines of output in pod nginx
  kubectl logs --tail=20 nginx

  # Show all logs from pod nginx written in the last hour
  kubectl logs --since=1h nginx

  # Return snapshot logs from container nginx-1 of a deployment named nginx
  kubectl logs deployment/nginx -c nginx-1

Options:
      --all-containers=false: Get all containers' logs in the pod(s).
  -c, --container='': Print the logs of this container
  -f, --follow=false: Specify if the logs should be streamed.
      --max-log-requests=5: Specify maximum number of concurrent logs to follow when using by a selector. Defaults to 5.
  -n, --namespace='': If present, the namespace scope for this CLI request
      --prefix=false: Prefix each log line with the log source (pod name and container name)
  -p, --previous=false: If true, print the logs for the previous instance of the container in a pod if it exists.
  -l, --selector='': Selector (label query) to filter on.
      --since=0s: Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all logs.
      --tail=-1: Lines of recent log file to display. Defaults to -1 with no selector, showing all log lines otherwise 10, if a selector is provided.
      --timestamps=false: Include timestamps on each line in the log output

Usage:
  kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]`;

export const LOGS_FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'container', short: 'c', type: 'string' as const },
  { name: 'follow', short: 'f', type: 'bool' as const },
  { name: 'previous', short: 'p', type: 'bool' as const },
  { name: 'selector', short: 'l', type: 'string' as const },
  { name: 'tail', type: 'int' as const },
  { name: 'timestamps', type: 'bool' as const },
  { name: 'since', type: 'string' as const },
  { name: 'all-containers', type: 'bool' as const },
  { name: 'prefix', type: 'bool' as const },
  { name: 'max-log-requests', type: 'int' as const },
  { name: 'ignore-errors', type: 'bool' as const },
];

const USAGE_ERROR = "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command";
const HINT = "See 'kubectl logs -h' for help and examples";
/** kubectl's default --pod-running-timeout. */
const POD_RUNNING_TIMEOUT_MS = 20_000;

/** Go's time.ParseDuration, in milliseconds (fractions of a millisecond dropped). */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '') return undefined;
  let total = 0;
  re.lastIndex = 0;
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]!]!;
  }
  return sign * total;
}

/** One stream kubectl reads: a container of a pod. */
interface Source {
  pod: Pod;
  container: string;
}

/** kubectl's podutils.ByLogging: the pod whose logs are most interesting first. */
function byLogging(a: Pod, b: Pod): number {
  const assigned = (p: Pod): number => (p.spec.nodeName ? 0 : 1);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };
  const pa = phase[a.status.phase] ?? 3;
  const pb = phase[b.status.phase] ?? 3;
  if (pa !== pb) return pa - pb;
  if (podReady(a) !== podReady(b)) return podReady(a) ? -1 : 1;
  const readySince = (p: Pod): number => Date.parse(p.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '') || Infinity;
  if (podReady(a) && readySince(a) !== readySince(b)) return readySince(a) - readySince(b);
  const restarts = (p: Pod): number => Math.max(0, ...(p.status.containerStatuses ?? []).map((c) => c.restartCount));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod): number => Date.parse(p.metadata.creationTimestamp) || Infinity;
  if (created(a) !== created(b)) return created(a) - created(b);
  return 0;
}

/** The pods of a namespace matching a label map, in the API server's order (by name). */
function podsMatching(state: SimState, namespace: string, selector: Record<string, string>): Pod[] {
  return Object.values(state.k8s.pods)
    .filter((p) => p.metadata.namespace === namespace && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** The Go type kubectl names in "cannot get the logs from ..." for objects without a selector. */
const GO_TYPES: Record<string, string> = {
  nodes: '*v1.Node',
  namespaces: '*v1.Namespace',
  endpoints: '*v1.Endpoints',
  endpointslices: '*v1.EndpointSlice',
  events: '*v1.Event',
  ingresses: '*v1.Ingress',
};

/**
 * The pod a `POD` or `TYPE/NAME` argument stands for. Waits (interruptibly) the pod-running
 * timeout when a controller has no pods; resolves undefined when interrupted meanwhile.
 */
export async function podFor(ctx: CommandContext, arg: string, namespace: string, verb = 'get the logs from'): Promise<Pod | undefined> {
  const state = ctx.env.sim.state;
  const slash = arg.indexOf('/');
  const typeText = slash < 0 ? 'pods' : arg.slice(0, slash);
  const name = slash < 0 ? arg : arg.slice(slash + 1);
  const type = resolveResource(typeText);
  if (!type) {
    if (isRealResource(typeText)) throw new CommandError('UNSUPPORTED', `error: the sandbox does not support "${typeText}" yet (it supports ${supportedList()})`);
    throw new CommandError('NOT_FOUND', `error: the server doesn't have a resource type "${typeText}"`);
  }
  if (name === '') throw new CommandError('USAGE', `error: arguments in resource/name form must have a single resource and name`);
  const obj = type.list(state).find((o) => o.metadata.name === name && (!type.namespaced || o.metadata.namespace === namespace));
  if (!obj) throw new CommandError('NOT_FOUND', `Error from server (NotFound): ${qualifiedPlural(type)} "${name}" not found`);
  if (type.plural === 'pods') return obj as unknown as Pod;
  let selector: Record<string, string>;
  if (type.plural === 'services') {
    const sel = (obj as unknown as { spec: { selector?: Record<string, string> } }).spec.selector;
    if (!sel || Object.keys(sel).length === 0) throw new CommandError('INVALID', `error: cannot ${verb} *v1.Service: invalid service '${name}': Service is defined without a selector`);
    selector = sel;
  } else if (type.plural === 'deployments' || type.plural === 'replicasets' || type.plural === 'daemonsets') {
    selector = (obj as unknown as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels;
  } else {
    const goType = GO_TYPES[type.plural] ?? `*v1.${type.kind}`;
    throw new CommandError('INVALID', `error: cannot ${verb} ${goType}: selector for ${goType} not implemented`);
  }
  const pods = podsMatching(state, namespace, selector);
  if (pods.length === 0) {
    // kubectl watches for a pod to appear, up to its pod-running timeout.
    for (let waited = 0; waited < POD_RUNNING_TIMEOUT_MS; waited += 1000) {
      if (!(await ctx.sleep(1000))) return undefined;
      const now = podsMatching(state, namespace, selector);
      if (now.length > 0) return now[0];
    }
    throw new CommandError('EXEC_FAILED', 'error: timed out waiting for the condition');
  }
  const best = [...pods].sort(byLogging)[0]!;
  if (pods.length > 1 && verb === 'get the logs from') ctx.stderr.write(`Found ${pods.length} pods, using pod/${best.metadata.name}\n`);
  return best;
}

/** The container streams for one pod, with kubectl's defaulting and checks. */
function sourcesFor(ctx: CommandContext, pod: Pod, container: string | undefined, all: boolean, quiet: boolean): Source[] {
  const names = pod.spec.containers.map((c) => c.name);
  if (all) return names.map((c) => ({ pod, container: c }));
  let name = container;
  if (name === undefined) {
    name = names[0]!;
    if (names.length > 1 && !quiet) ctx.stderr.write(`Defaulted container "${name}" out of: ${names.join(', ')}\n`);
  }
  if (!names.includes(name)) throw new CommandError('INVALID', `error: container ${name} is not valid for pod ${pod.metadata.name} out of: ${names.join(', ')}`);
  return [{ pod, container: name }];
}

/** The API server's refusals for a container that has nothing to show yet. */
function checkReadable(src: Source, previous: boolean): void {
  const status = src.pod.status.containerStatuses?.find((c) => c.name === src.container);
  const where = `container "${src.container}" in pod "${src.pod.metadata.name}"`;
  if (previous) {
    if (status?.lastState?.terminated) return;
    throw new CommandError('INVALID', `Error from server (BadRequest): previous terminated ${where} not found`);
  }
  if (!status || (status.state.waiting && status.restartCount === 0)) {
    throw new CommandError('INVALID', `Error from server (BadRequest): ${where} is waiting to start: ${status?.state.waiting?.reason ?? 'ContainerCreating'}`);
  }
}

/** How many lines a container has recorded since it started, the dropped ones included. */
function recordedCount(state: SimState, s: Source): number {
  const rec = recordedLog(state, s.pod, s.container);
  return rec ? rec.dropped + rec.lines.length : 0;
}

export async function kubectlLogs(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, LOGS_FLAGS, 'kubectl logs');
  const state = ctx.env.sim.state;
  const namespace = str(flags, 'namespace') ?? 'default';
  // An empty -l counts as none (kubectl checks its length).
  const selectorText = str(flags, 'selector') || undefined;
  const args = flags.args;
  if ((args.length === 0 && selectorText === undefined) || args.length > 2) throw new CommandError('USAGE', `error: ${USAGE_ERROR}`, 1, HINT);
  if (args.length === 1 && selectorText !== undefined) throw new CommandError('USAGE', 'error: only a selector (-l) or a POD name is allowed', 1, HINT);
  let container = str(flags, 'container');
  if (args.length === 2) {
    if (container !== undefined) throw new CommandError('USAGE', 'error: only one of -c or an inline [CONTAINER] arg is allowed');
    container = args[1]!;
  }
  const all = bool(flags, 'all-containers');
  if (all && container !== undefined && container !== '') throw new CommandError('USAGE', `error: --all-containers=true should not be specified with container name ${container}`);
  if (container === '') container = undefined;
  const sinceText = str(flags, 'since');
  let sinceMs = 0;
  if (sinceText !== undefined) {
    const d = parseGoDuration(sinceText);
    if (d === undefined) throw new CommandError('UNKNOWN_FLAG', `error: invalid argument "${sinceText}" for "--since" flag: time: invalid duration "${sinceText}"`, 1, "See 'kubectl logs --help' for usage.");
    if (d < 0) throw new CommandError('USAGE', 'error: --since must be greater than 0');
    sinceMs = Math.round(d / 1000) * 1000;
  }
  const tailText = str(flags, 'tail');
  let tail = tailText === undefined ? -1 : Number(tailText);
  if (tail < -1) throw new CommandError('USAGE', 'error: --tail must be greater than or equal to -1');
  if (selectorText !== undefined && tailText === undefined) tail = 10;
  const maxRequests = Number(str(flags, 'max-log-requests') ?? '5');
  const follow = bool(flags, 'follow');

  let sources: Source[];
  if (selectorText !== undefined) {
    const reqs = selectorFor({ group: '', version: 'v1', plural: 'pods' }, selectorText);
    const pods = Object.values(state.k8s.pods)
      .filter((p) => p.metadata.namespace === namespace && matches(reqs, p.metadata.labels))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    if (pods.length === 0) {
      ctx.stderr.write(`No resources found in ${namespace} namespace.\n`);
      return 0;
    }
    sources = pods.flatMap((p) => sourcesFor(ctx, p, container, all, true));
  } else {
    const pod = await podFor(ctx, args[0]!, namespace);
    if (!pod) return 130;
    sources = sourcesFor(ctx, pod, container, all, false);
  }
  if (follow && sources.length > 1 && sources.length > maxRequests) {
    throw new CommandError('INVALID', `error: you are attempting to follow ${sources.length} log streams, but maximum allowed concurrency is ${maxRequests}, use --max-log-requests to increase the limit`);
  }
  for (const s of sources) checkReadable(s, bool(flags, 'previous'));
  // The API server reads a container's log from the kubelet of its node (port 10250).
  // Its query as url.Values encodes it: keys sorted.
  const query: string[] = [];
  if (follow) query.push('follow=true');
  if (bool(flags, 'previous')) query.push('previous=true');
  if (sinceMs > 0) query.push(`sinceSeconds=${sinceMs / 1000}`);
  if (tail >= 0) query.push(`tailLines=${tail}`);
  if (bool(flags, 'timestamps')) query.push('timestamps=true');
  for (const s of sources) {
    const node = s.pod.spec.nodeName;
    if (!node || kubeletRunning(state, node)) continue;
    const ip = state.k8s.nodes[node]?.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? node;
    const q = query.join('&');
    throw new CommandError('EXEC_FAILED', `Error from server: Get "https://${ip}:10250/containerLogs/${s.pod.metadata.namespace}/${s.pod.metadata.name}/${s.container}${q ? `?${q}` : ''}": dial tcp ${ip}:10250: connect: connection refused`);
  }

  const timestamps = bool(flags, 'timestamps');
  const prefix = bool(flags, 'prefix');
  const format = (s: Source, l: LogLine): string => `${prefix ? `[pod/${s.pod.metadata.name}/${s.container}] ` : ''}${timestamps ? l.ts + ' ' : ''}${l.text}\n`;
  const now = ctx.env.scheduler.now();
  // CoreDNS's reload ticks that fell due write their lines before anyone reads them.
  syncCoreDns(state, now);
  const seen: number[] = [];
  const pending: { s: Source; l: LogLine; i: number }[] = [];
  sources.forEach((s, i) => {
    let lines = containerLog(state, s.pod, s.container, bool(flags, 'previous'));
    seen[i] = recordedCount(state, s);
    if (sinceMs > 0) lines = lines.filter((l) => Date.parse(l.ts) >= now - sinceMs);
    if (tail >= 0) lines = tail === 0 ? [] : lines.slice(-tail);
    if (follow && sources.length > 1) pending.push(...lines.map((l) => ({ s, l, i })));
    else for (const l of lines) ctx.stdout.write(format(s, l));
  });
  // Several streams followed at once interleave as their lines arrive.
  pending.sort((a, b) => a.l.ts.localeCompare(b.l.ts) || a.i - b.i);
  for (const p of pending) ctx.stdout.write(format(p.s, p.l));
  if (!follow) return 0;

  ctx.endless();
  for (;;) {
    if (!(await ctx.sleep(1000))) return 130;
    syncCoreDns(state, ctx.env.scheduler.now());
    const fresh: { s: Source; l: LogLine; i: number }[] = [];
    let alive = 0;
    sources.forEach((s, i) => {
      const current = state.k8s.pods[`${s.pod.metadata.namespace}/${s.pod.metadata.name}`];
      if (!current || current.metadata.uid !== s.pod.metadata.uid) return;
      alive++;
      const total = recordedCount(state, s);
      const lines = recordedLog(state, current, s.container)?.lines ?? [];
      const added = Math.min(total - seen[i]!, lines.length);
      if (added > 0) for (const l of lines.slice(lines.length - added)) fresh.push({ s, l, i });
      seen[i] = total;
    });
    fresh.sort((a, b) => a.l.ts.localeCompare(b.l.ts) || a.i - b.i);
    for (const f of fresh) ctx.stdout.write(format(f.s, f.l));
    if (alive === 0) return 0;
  }
}
