/**
 * `kubectl describe`: the long, human-oriented view of objects and their events.
 *
 * Design notes: the layout is kubectl's describers (pkg/describe/describe.go): lines are
 * written with tab-separated cells through Go's text/tabwriter configured as kubectl does
 * (minwidth 0, tabwidth 8, padding 2, space padding), whose column *blocks* (consecutive
 * lines having a cell in that column) are modelled here, so `Name:` values line up within
 * a block and the Events table is aligned on its own (kubectl flushes before it). Labels
 * print one per line sorted, annotations `key: value`, empty ones `<none>`; times in
 * RFC 1123 with a numeric zone. Events are those about the object (by kind, namespace,
 * name and uid; a node's kubelet events carry the node's name as uid and are merged in,
 * as kubectl does), sorted by the time last seen.
 * `describe TYPE` alone describes every object of the type in the namespace, separated by
 * a blank line; `-l` filters by labels; `-A` across namespaces; a missing name is kubectl's
 * NotFound.
 * Pods show the defaults a real API server adds at admission: Priority 0 (or the priority
 * class's value), the kube-api-access-xxxxx projected volume with its mount, and the
 * not-ready/unreachable tolerations for 300s; static pods have none of these.
 * Left out: node Capacity/Allocatable, System Info ids, the Non-terminated Pods and
 * Allocated resources tables and node annotations (the model has no resources); containers'
 * resources, probes and environment (the model has none); pods' service account names other
 * than `default`; volumes of static pods (their hostPath mounts).
 */
import { endpointsObject, podReady, serviceSliceView } from '../../../sim/k8s/endpoints';
import { eventsFor, type K8sEvent } from '../../../sim/k8s/events';
import { matches, type Requirement } from '../../../sim/k8s/labels';
import { randomSuffix } from '../../../sim/k8s/names';
import type { Deployment, Ingress, Node, Pod, ReplicaSet, Service, StoredObject } from '../../../sim/k8s/types';
import { describeConfigMap, describeNetworkPolicy, describeSecret } from './describe-stored';
import { deriveRng } from '../../../sim/rng';
import type { SimState } from '../../../sim/state';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { eventInterval, eventSortTime } from './events';
import { bool, parseFlags, str } from './flags';
import { labelText } from './printers';
import { emptyResource, qualifiedPlural, resolveResource, unmodelledText, supportedList, type AnyObject, selectorFor, type ResourceType } from './resources';

export const DESCRIBE_USAGE = `Show details of a specific resource or group of resources.

 Print a detailed description of the selected resources, including related resources such as events or controllers. You may select a single object by name, all objects of that type, provide a name prefix, or label selector.

Examples:
  # Describe a node
  kubectl describe nodes kubernetes-node-emt8.c.myproject.internal

  # Describe a pod
  kubectl describe pods/nginx

  # Describe all pods
  kubectl describe pods

  # Describe pods by label name=myLabel
  kubectl describe pods -l name=myLabel

Options:
  -A, --all-namespaces=false: If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.
  -n, --namespace='': the namespace scope for this request.
  -l, --selector='': Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.
      --show-events=true: If true, display events related to the described object.

Usage:
  kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]`;

const FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'selector', short: 'l', type: 'string' as const },
  { name: 'all-namespaces', short: 'A', type: 'bool' as const },
  { name: 'show-events', type: 'bool' as const },
];

const DESCRIBABLE = ['pods', 'nodes', 'services', 'endpoints', 'deployments', 'ingresses', 'configmaps', 'secrets', 'networkpolicies'];

/**
 * Go's text/tabwriter (minwidth 0, tabwidth 8, padding 2, pad ' ', no flags): a cell ended
 * by a tab belongs to a column; a column's width is that of its widest cell plus padding,
 * over a block of consecutive lines that all have a cell in that column.
 */
const NON_ASCII = /[^\x00-\x7f]/;

export function goTabwriter(text: string): string {
  const lines = text.split('\n');
  const trailing = lines.pop();
  const cells = lines.map((l) => l.split('\t'));
  const out: string[] = cells.map(() => '');
  // Go's tabwriter counts runes: code points, which for ASCII text is the string's length.
  const widthOf = (s: string): number => (NON_ASCII.test(s) ? [...s].length : s.length);
  const format = (line0: number, line1: number, widths: number[]): void => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= cells[i]!.length - 1) continue;
      write(start, i, widths);
      let width = 0;
      let j = i;
      for (; j < line1 && column < cells[j]!.length - 1; j++) width = Math.max(width, widthOf(cells[j]![column]!) + 2);
      format(i, j, [...widths, width]);
      start = j;
      i = j - 1;
    }
    write(start, line1, widths);
  };
  const write = (from: number, to: number, widths: number[]): void => {
    for (let i = from; i < to; i++) {
      if (out[i] !== '') continue;
      const c = cells[i]!;
      out[i] = c.map((cell, k) => (k < c.length - 1 && k < widths.length ? cell + ' '.repeat(widths[k]! - widthOf(cell)) : cell)).join('') + '\n';
    }
  };
  format(0, cells.length, []);
  return out.join('') + (trailing ?? '');
}

/** Go's time.RFC1123Z in UTC: `Fri, 14 Mar 2025 09:22:00 +0000`. */
export function rfc1123z(text: string): string {
  const d = new Date(Date.parse(text));
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** kubectl's PrefixWriter plus the helpers every describer uses. */
class Out {
  text = '';
  w(level: number, s: string): void {
    this.text += '  '.repeat(level) + s;
  }
  labels(title: string, labels: Record<string, string> | undefined): void {
    const keys = Object.keys(labels ?? {}).sort();
    this.w(0, `${title}:\t`);
    if (keys.length === 0) return this.w(0, '<none>\n');
    keys.forEach((k, i) => this.w(0, `${i ? '\t' : ''}${k}=${labels![k]}\n`));
  }
  annotations(title: string, annotations: Record<string, string> | undefined): void {
    // kubectl leaves out the last-applied configuration (describe.go skipAnnotations).
    const keys = Object.keys(annotations ?? {}).filter((k) => k !== 'kubectl.kubernetes.io/last-applied-configuration').sort();
    this.w(0, `${title}:\t`);
    if (keys.length === 0) return this.w(0, '<none>\n');
    keys.forEach((k, i) => this.w(0, `${i ? '\t' : ''}${k}: ${annotations![k]}\n`));
  }
}

/** The lines so far through the tabwriter, then the Events section (kubectl flushes before a non-empty one). */
function finish(o: Out, events: K8sEvent[] | undefined, now: number): string {
  if (events && events.length === 0) return goTabwriter(o.text + 'Events:\t<none>\n');
  return goTabwriter(o.text) + describeEvents(events, now);
}

export function describeEvents(events: K8sEvent[] | undefined, now: number): string {
  if (!events || events.length === 0) return '';
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => eventSortTime(a.e) - eventSortTime(b.e) || a.i - b.i);
  let t = 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n';
  for (const { e } of sorted) t += `  ${e.type}\t${e.reason}\t${eventInterval(e, now)}\t${e.source.component || e.reportingComponent}\t${e.message.trim()}\n`;
  return goTabwriter(t);
}

function isStatic(p: Pod): boolean {
  return !p.metadata.ownerReferences?.length && p.metadata.labels?.tier === 'control-plane';
}

const PRIORITIES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

/** An image reference with a digest, as the runtime reports it (`docker.io/library/nginx@sha256:...`). */
function imageId(state: SimState, image: string): string {
  let repo = image.split('@')[0]!.replace(/:[^/:]+$/, '');
  if (!repo.includes('/')) repo = `library/${repo}`;
  if (!/^[^/]+[.:]/.test(repo)) repo = `docker.io/${repo}`;
  const rng = deriveRng(state.seed, `image:${repo}`);
  let hex = '';
  for (let i = 0; i < 64; i++) hex += rng.int(16).toString(16);
  return `${repo}@sha256:${hex}`;
}

function describePod(p: Pod, state: SimState, events: K8sEvent[] | undefined, now: number): string {
  const o = new Out();
  const m = p.metadata;
  const stat = isStatic(p);
  const access = `kube-api-access-${randomSuffix(deriveRng(state.seed, `kube-api-access:${m.namespace}/${m.name}`))}`;
  o.w(0, `Name:\t${m.name}\n`);
  o.w(0, `Namespace:\t${m.namespace}\n`);
  o.w(0, `Priority:\t${PRIORITIES[p.spec.priorityClassName ?? ''] ?? 0}\n`);
  if (p.spec.priorityClassName) o.w(0, `Priority Class Name:\t${p.spec.priorityClassName}\n`);
  if (!stat) o.w(0, 'Service Account:\tdefault\n');
  o.w(0, p.spec.nodeName ? `Node:\t${p.spec.nodeName}/${p.status.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (p.status.startTime) o.w(0, `Start Time:\t${rfc1123z(p.status.startTime)}\n`);
  o.labels('Labels', m.labels);
  o.annotations('Annotations', m.annotations);
  o.w(0, `Status:\t${p.status.phase}\n`);
  o.w(0, `IP:\t${p.status.podIP ?? ''}\n`);
  if (p.status.podIPs?.length) {
    o.w(0, 'IPs:\n');
    for (const ip of p.status.podIPs) o.w(1, `IP:\t${ip.ip}\n`);
  } else o.w(0, 'IPs:\t<none>\n');
  const owner = m.ownerReferences?.find((r) => r.controller);
  if (owner) o.w(0, `Controlled By:\t${owner.kind}/${owner.name}\n`);
  o.w(0, 'Containers:\n');
  for (const c of p.spec.containers) {
    const s = p.status.containerStatuses?.find((x) => x.name === c.name);
    o.w(1, `${c.name}:\n`);
    if (s) o.w(2, `Container ID:\t${s.containerID ?? ''}\n`);
    o.w(2, `Image:\t${c.image}\n`);
    if (s) o.w(2, `Image ID:\t${s.containerID ? imageId(state, c.image) : ''}\n`); // empty until the container exists
    const ports = (c.ports ?? []).map((x) => `${x.containerPort}/${x.protocol}`);
    const hostPorts = (c.ports ?? []).map((x) => `${x.hostPort ?? (p.spec.hostNetwork ? x.containerPort : 0)}/${x.protocol}`);
    o.w(2, ports.length > 1 ? `Ports:\t${ports.join(', ')}\n` : `Port:\t${ports[0] ?? '<none>'}\n`);
    o.w(2, hostPorts.length > 1 ? `Host Ports:\t${hostPorts.join(', ')}\n` : `Host Port:\t${hostPorts[0] ?? '<none>'}\n`);
    if (c.command?.length) {
      o.w(2, 'Command:\n');
      for (const x of c.command) for (const l of x.split('\n')) o.w(3, `${l}\n`);
    }
    if (c.args?.length) {
      o.w(2, 'Args:\n');
      for (const x of c.args) for (const l of x.split('\n')) o.w(3, `${l}\n`);
    }
    if (s) {
      if (s.state.running) {
        o.w(2, 'State:\tRunning\n');
        o.w(3, `Started:\t${rfc1123z(s.state.running.startedAt)}\n`);
      } else if (s.state.terminated) {
        o.w(2, 'State:\tTerminated\n');
        o.w(3, `Reason:\t${s.state.terminated.reason}\n`);
        o.w(3, `Exit Code:\t${s.state.terminated.exitCode}\n`);
      } else {
        o.w(2, 'State:\tWaiting\n');
        if (s.state.waiting?.reason) o.w(3, `Reason:\t${s.state.waiting.reason}\n`);
      }
      o.w(2, `Ready:\t${s.ready ? 'True' : 'False'}\n`);
      o.w(2, `Restart Count:\t${s.restartCount}\n`);
    }
    o.w(2, 'Environment:\t<none>\n');
    if (stat) o.w(2, 'Mounts:\t<none>\n');
    else {
      o.w(2, 'Mounts:\n');
      o.w(3, `/var/run/secrets/kubernetes.io/serviceaccount from ${access} (ro)\n`);
    }
  }
  if (p.status.conditions?.length) {
    o.w(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of p.status.conditions) o.w(1, `${c.type} \t${c.status} \n`);
  }
  if (stat) o.w(0, 'Volumes:\t<none>\n');
  else {
    o.w(0, 'Volumes:\n');
    // The pod's own volumes, in spec order, before the service account token admission adds.
    for (const v of p.spec.volumes ?? []) {
      o.w(1, `${v.name}:\n`);
      if (v.secret) o.w(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName}\n    Optional:\t${v.secret.optional ? 'true' : 'false'}\n`);
      else if (v.configMap) o.w(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name}\n    Optional:\t${v.configMap.optional ? 'true' : 'false'}\n`);
      else if (v.emptyDir) o.w(2, 'Type:\tEmptyDir (a temporary directory that shares a pod\'s lifetime)\n    Medium:\t\n    SizeLimit:\t<unset>\n');
    }
    o.w(1, `${access}:\n`);
    o.w(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
    o.w(2, 'TokenExpirationSeconds:\t3607\n');
    o.w(2, 'ConfigMapName:\tkube-root-ca.crt\n    Optional:\tfalse\n');
    o.w(2, 'DownwardAPI:\ttrue\n');
  }
  o.w(0, `QoS Class:\t${p.status.qosClass ?? 'BestEffort'}\n`);
  o.labels('Node-Selectors', p.spec.nodeSelector);
  const tolerations = [...(p.spec.tolerations ?? []).map((t) => ({ ...t, seconds: undefined as number | undefined }))];
  if (!stat && !tolerations.some((t) => t.operator === 'Exists' && t.key === undefined)) {
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', seconds: 300 });
  }
  tolerations.sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
  o.w(0, 'Tolerations:\t');
  if (tolerations.length === 0) o.w(0, '<none>\n');
  tolerations.forEach((t, i) => {
    let s = `${i ? '\t' : ''}${t.key ?? ''}${t.effect ? `:${t.effect}` : ''}`;
    if (t.operator === 'Exists') s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.seconds !== undefined) s += ` for ${t.seconds}s`;
    o.w(0, `${s}\n`);
  });
  return finish(o, events, now);
}

function describeService(s: Service, state: SimState, events: K8sEvent[] | undefined, now: number): string {
  const o = new Out();
  o.w(0, `Name:\t${s.metadata.name}\n`);
  o.w(0, `Namespace:\t${s.metadata.namespace}\n`);
  o.labels('Labels', s.metadata.labels);
  o.annotations('Annotations', s.metadata.annotations);
  o.w(0, `Selector:\t${labelText(s.spec.selector) === '<none>' ? '' : labelText(s.spec.selector)}\n`);
  o.w(0, `Type:\t${s.spec.type}\n`);
  if (s.spec.ipFamilyPolicy) o.w(0, `IP Family Policy:\t${s.spec.ipFamilyPolicy}\n`);
  o.w(0, `IP Families:\t${s.spec.ipFamilies?.length ? s.spec.ipFamilies.join(',') : '<none>'}\n`);
  o.w(0, `IP:\t${s.spec.clusterIP ?? ''}\n`);
  o.w(0, `IPs:\t${s.spec.clusterIPs?.length ? s.spec.clusterIPs.join(',') : '<none>'}\n`);
  if (s.spec.externalIPs?.length) o.w(0, `External IPs:\t${s.spec.externalIPs.join(',')}\n`);
  if (s.spec.externalName) o.w(0, `External Name:\t${s.spec.externalName}\n`);
  const ing = s.status.loadBalancer.ingress ?? [];
  // buildIngressString: an IP with its ipMode in parentheses, else the hostname.
  if (ing.length) o.w(0, `LoadBalancer Ingress:\t${ing.map((i) => (i.ip ? `${i.ip}${i.ipMode ? ` (${i.ipMode})` : ''}` : (i.hostname ?? ''))).join(', ')}\n`);
  const slice = serviceSliceView(state, s);
  for (const sp of s.spec.ports ?? []) {
    const name = sp.name || '<unset>';
    o.w(0, `Port:\t${name}\t${sp.port}/${sp.protocol}\n`);
    o.w(0, `TargetPort:\t${sp.targetPort}/${sp.protocol}\n`);
    if (sp.nodePort) o.w(0, `NodePort:\t${name}\t${sp.nodePort}/${sp.protocol}\n`);
    let text = '<none>';
    if (slice) {
      const list: string[] = [];
      let n = 0;
      for (const port of slice.ports.filter((x) => (x.name ?? '') === (sp.name ?? ''))) {
        for (const e of slice.endpoints) {
          if (e.conditions.ready === false) continue;
          if (list.length < 3) list.push(`${e.addresses[0]}:${port.port}`);
          n++;
        }
      }
      text = list.join(',') + (n > 3 ? ` + ${n - 3} more...` : '');
    }
    o.w(0, `Endpoints:\t${text}\n`);
  }
  o.w(0, `Session Affinity:\t${s.spec.sessionAffinity}\n`);
  if (s.spec.externalTrafficPolicy) o.w(0, `External Traffic Policy:\t${s.spec.externalTrafficPolicy}\n`);
  o.w(0, `Internal Traffic Policy:\t${s.spec.internalTrafficPolicy}\n`);
  if (s.spec.healthCheckNodePort) o.w(0, `HealthCheck NodePort:\t${s.spec.healthCheckNodePort}\n`);
  if (s.spec.loadBalancerSourceRanges?.length) o.w(0, `LoadBalancer Source Ranges:\t${s.spec.loadBalancerSourceRanges.join(',')}\n`);
  return finish(o, events, now);
}

interface EndpointsView {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  subsets: { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[]; ports?: { name?: string; port: number; protocol: string }[] }[];
}

function describeEndpoints(ep: EndpointsView, events: K8sEvent[] | undefined, now: number): string {
  const o = new Out();
  o.w(0, `Name:\t${ep.metadata.name}\n`);
  o.w(0, `Namespace:\t${ep.metadata.namespace}\n`);
  o.labels('Labels', ep.metadata.labels);
  o.annotations('Annotations', ep.metadata.annotations);
  o.w(0, 'Subsets:\n');
  for (const ss of ep.subsets) {
    o.w(1, `Addresses:\t${(ss.addresses ?? []).map((a) => a.ip).join(',') || '<none>'}\n`);
    o.w(1, `NotReadyAddresses:\t${(ss.notReadyAddresses ?? []).map((a) => a.ip).join(',') || '<none>'}\n`);
    if (ss.ports?.length) {
      o.w(1, 'Ports:\n');
      o.w(2, 'Name\tPort\tProtocol\n');
      o.w(2, '----\t----\t--------\n');
      for (const p of ss.ports) o.w(2, `${p.name || '<unset>'}\t${p.port}\t${p.protocol}\n`);
    }
    o.w(0, '\n');
  }
  return finish(o, events, now);
}

function describeDeployment(d: Deployment, state: SimState, events: K8sEvent[] | undefined, now: number): string {
  const o = new Out();
  const m = d.metadata;
  const sets = Object.values(state.k8s.replicasets).filter((rs) => rs.metadata.namespace === m.namespace && rs.metadata.ownerReferences?.some((r) => r.kind === 'Deployment' && r.name === m.name));
  const pods = Object.values(state.k8s.pods).filter((p) => p.metadata.namespace === m.namespace && sets.some((rs) => p.metadata.ownerReferences?.some((r) => r.kind === 'ReplicaSet' && r.name === rs.metadata.name)));
  const available = pods.filter(podReady).length;
  o.w(0, `Name:\t${m.name}\n`);
  o.w(0, `Namespace:\t${m.namespace}\n`);
  o.w(0, `CreationTimestamp:\t${rfc1123z(m.creationTimestamp)}\n`);
  o.labels('Labels', m.labels);
  o.annotations('Annotations', m.annotations);
  o.w(0, `Selector:\t${labelText(d.spec.selector.matchLabels)}\n`);
  o.w(0, `Replicas:\t${d.spec.replicas} desired | ${pods.length} updated | ${pods.length} total | ${available} available | ${Math.max(0, d.spec.replicas - available)} unavailable\n`);
  o.w(0, 'StrategyType:\tRollingUpdate\n');
  o.w(0, 'MinReadySeconds:\t0\n');
  o.w(0, 'RollingUpdateStrategy:\t25% max unavailable, 25% max surge\n');
  o.w(0, 'Pod Template:\n');
  o.labels('  Labels', d.spec.template.metadata.labels);
  const spec = d.spec.template.spec;
  o.w(0, 'Containers:\n'.replace(/^/, '  '));
  for (const c of spec.containers) {
    o.w(1, ` ${c.name}:\n`);
    o.w(2, `Image:\t${c.image}\n`);
    const ports = (c.ports ?? []).map((x) => `${x.containerPort}/${x.protocol}`);
    const hostPorts = (c.ports ?? []).map((x) => `${x.hostPort ?? (spec.hostNetwork ? x.containerPort : 0)}/${x.protocol}`);
    o.w(2, ports.length > 1 ? `Ports:\t${ports.join(', ')}\n` : `Port:\t${ports[0] ?? '<none>'}\n`);
    o.w(2, hostPorts.length > 1 ? `Host Ports:\t${hostPorts.join(', ')}\n` : `Host Port:\t${hostPorts[0] ?? '<none>'}\n`);
    if (c.command?.length) {
      o.w(2, 'Command:\n');
      for (const x of c.command) o.w(3, `${x}\n`);
    }
    if (c.args?.length) {
      o.w(2, 'Args:\n');
      for (const x of c.args) o.w(3, `${x}\n`);
    }
    o.w(2, 'Environment:\t<none>\n');
    o.w(2, 'Mounts:\t<none>\n');
  }
  o.w(0, '  Volumes:\t<none>\n');
  if (spec.priorityClassName) o.w(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  o.labels('  Node-Selectors', spec.nodeSelector);
  const tol = spec.tolerations ?? [];
  o.w(0, '  Tolerations:\t');
  if (tol.length === 0) o.w(0, '<none>\n');
  [...tol]
    .sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : 1))
    .forEach((t, i) => o.w(0, `${i ? '\t' : ''}${t.key ?? ''}${t.effect ? `:${t.effect}` : ''}${t.operator === 'Exists' ? (t.key || t.effect ? ' op=Exists' : 'op=Exists') : ''}\n`));
  o.w(0, 'Conditions:\n  Type\tStatus\tReason\n');
  o.w(1, '----\t------\t------\n');
  o.w(1, `Available \t${available >= d.spec.replicas ? 'True' : 'False'}\t${available >= d.spec.replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable'}\n`);
  // The deployment controller's Progressing reason: ReplicaSetUpdated while the new ReplicaSet's
  // pods are not all available yet, NewReplicaSetAvailable once the rollout is complete.
  o.w(1, `Progressing \tTrue\t${available >= d.spec.replicas ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated'}\n`);
  const rsText = (list: ReplicaSet[]): string => list.map((rs) => `${rs.metadata.name} (${pods.filter((p) => p.metadata.ownerReferences?.some((r) => r.name === rs.metadata.name)).length}/${rs.spec.replicas} replicas created)`).join(', ') || '<none>';
  if (sets.length) {
    o.w(0, 'OldReplicaSets:\t<none>\n');
    o.w(0, `NewReplicaSet:\t${rsText(sets)}\n`);
  }
  return finish(o, events, now);
}

function describeIngress(ing: Ingress, state: SimState, events: K8sEvent[] | undefined, now: number): string {
  const o = new Out();
  const ns = ing.metadata.namespace!;
  const backend = (b: { service: { name: string; port: { number?: number; name?: string } } }): string => {
    const sb = `${b.service.name}:${b.service.port.number ?? b.service.port.name}`;
    const svc = state.k8s.services[`${ns}/${b.service.name}`];
    if (!svc) return `${sb} (<error: services "${b.service.name}" not found>)`;
    const sp = svc.spec.ports?.find((p) => (b.service.port.number ? p.port === b.service.port.number : p.name === b.service.port.name));
    const slice = serviceSliceView(state, svc);
    const list: string[] = [];
    let n = 0;
    for (const port of (slice?.ports ?? []).filter((x) => (x.name ?? '') === (sp?.name ?? ''))) {
      for (const e of slice!.endpoints) {
        if (e.conditions.ready === false) continue;
        if (list.length < 3) list.push(`${e.addresses[0]}:${port.port}`);
        n++;
      }
    }
    return `${sb} (${slice ? list.join(',') + (n > 3 ? ` + ${n - 3} more...` : '') : '<none>'})`;
  };
  o.w(0, `Name:\t${ing.metadata.name}\n`);
  o.labels('Labels', ing.metadata.labels);
  o.w(0, `Namespace:\t${ns}\n`);
  o.w(0, `Address:\t${[...new Set((ing.status.loadBalancer.ingress ?? []).map((i) => i.ip ?? i.hostname ?? ''))].sort().join(',')}\n`);
  o.w(0, `Ingress Class:\t${ing.spec.ingressClassName ?? '<none>'}\n`);
  const def = ing.spec.defaultBackend ? backend(ing.spec.defaultBackend) : '<default>';
  o.w(0, `Default backend:\t${def}\n`);
  o.w(0, 'Rules:\n  Host\tPath\tBackends\n');
  o.w(1, '----\t----\t--------\n');
  let count = 0;
  for (const r of ing.spec.rules ?? []) {
    if (!r.http) continue;
    count++;
    o.w(1, `${r.host || '*'}\t\n`);
    for (const p of r.http.paths) o.w(2, `\t${p.path ?? ''} \t${backend(p.backend)}\n`);
  }
  if (count === 0) o.w(1, `*\t*\t${def}\n`);
  o.annotations('Annotations', ing.metadata.annotations);
  return finish(o, events, now);
}

function describeNode(n: Node, state: SimState, events: K8sEvent[] | undefined, now: number): string {
  const o = new Out();
  const m = n.metadata;
  const roles = Object.keys(m.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length)
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .sort();
  o.w(0, `Name:\t${m.name}\n`);
  o.w(0, `Roles:\t${roles.join(',') || '<none>'}\n`);
  o.labels('Labels', m.labels);
  o.annotations('Annotations', m.annotations);
  o.w(0, `CreationTimestamp:\t${rfc1123z(m.creationTimestamp)}\n`);
  const taints = [...(n.spec.taints ?? [])].sort((a, b) => (`${a.effect},${a.key}` < `${b.effect},${b.key}` ? -1 : 1));
  o.w(0, 'Taints:\t');
  if (taints.length === 0) o.w(0, '<none>\n');
  taints.forEach((t, i) => o.w(0, `${i ? '\t' : ''}${t.key}:${t.effect}\n`));
  o.w(0, `Unschedulable:\t${n.spec.unschedulable ? 'true' : 'false'}\n`);
  o.w(0, 'Lease:\n');
  o.w(1, `HolderIdentity:\t${m.name}\n`);
  o.w(1, 'AcquireTime:\t<unset>\n');
  // The kubelet renews its lease every 10 seconds.
  const renew = new Date(Math.floor(now / 10_000) * 10_000).toISOString();
  o.w(1, `RenewTime:\t${rfc1123z(renew)}\n`);
  o.w(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
  o.w(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
  for (const c of n.status.conditions) o.w(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason} \t${c.message}\n`);
  o.w(0, 'Addresses:\n');
  for (const a of n.status.addresses) o.w(1, `${a.type}:\t${a.address}\n`);
  const info = n.status.nodeInfo;
  o.w(0, 'System Info:\n');
  o.w(0, `  Kernel Version:\t${info.kernelVersion}\n`);
  o.w(0, `  OS Image:\t${info.osImage}\n`);
  o.w(0, `  Operating System:\t${info.operatingSystem}\n`);
  o.w(0, `  Architecture:\t${info.architecture}\n`);
  o.w(0, `  Container Runtime Version:\t${info.containerRuntimeVersion}\n`);
  o.w(0, `  Kubelet Version:\t${info.kubeletVersion}\n`);
  o.w(0, `  Kube-Proxy Version:\t${info.kubeProxyVersion}\n`);
  if (n.spec.podCIDR) o.w(0, `PodCIDR:\t${n.spec.podCIDR}\n`);
  if (n.spec.podCIDRs.length) o.w(0, `PodCIDRs:\t${n.spec.podCIDRs.join(',')}\n`);
  void state;
  return finish(o, events, now);
}

function render(type: ResourceType, obj: AnyObject, state: SimState, now: number, showEvents: boolean): string {
  const meta = obj.metadata as AnyObject['metadata'] & { uid?: string };
  const ev = (kind: string): K8sEvent[] | undefined => (showEvents ? eventsFor(state, now, { kind, namespace: meta.namespace, name: meta.name, ...(meta.uid ? { uid: meta.uid } : {}) }) : undefined);
  switch (type.plural) {
    case 'pods':
      return describePod(obj as unknown as Pod, state, ev('Pod'), now);
    case 'services':
      return describeService(obj as unknown as Service, state, ev('Service'), now);
    case 'endpoints':
      return describeEndpoints(obj as unknown as EndpointsView, ev('Endpoints'), now);
    case 'deployments':
      return describeDeployment(obj as unknown as Deployment, state, ev('Deployment'), now);
    case 'ingresses':
      return describeIngress(obj as unknown as Ingress, state, ev('Ingress'), now);
    case 'configmaps':
      return describeConfigMap(obj as unknown as StoredObject, ev('ConfigMap'), now);
    case 'secrets':
      return describeSecret(obj as unknown as StoredObject);
    case 'networkpolicies':
      return describeNetworkPolicy(obj as unknown as StoredObject);
    default: {
      // Nodes: events by the node's uid (controllers) and by its name (the kubelet, kube-proxy).
      const byUid = showEvents ? eventsFor(state, now, { kind: 'Node', name: meta.name, uid: meta.uid ?? '' }).filter((e) => e.involvedObject.uid === meta.uid) : undefined;
      const byName = showEvents ? eventsFor(state, now, { kind: 'Node', name: meta.name, uid: meta.name }).filter((e) => e.involvedObject.uid === meta.name) : undefined;
      return describeNode(obj as unknown as Node, state, byUid && byName ? [...byUid, ...byName] : undefined, now);
    }
  }
}

export function kubectlDescribe(ctx: CommandContext, argv: string[]): number {
  const flags = parseFlags(argv, FLAGS, 'kubectl describe');
  if (flags.args.length === 0) throw new CommandError('USAGE', 'You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.', 1);
  const state = ctx.env.sim.state;
  const now = ctx.env.scheduler.now();
  const allNs = bool(flags, 'all-namespaces');
  const namespace = str(flags, 'namespace') ?? 'default';
  const showEvents = flags.values['show-events'] !== false;
  // kubectl's builder trims the selector and ignores an empty one.
  const selectorText = str(flags, 'selector')?.trim() || undefined;
  // TYPE NAME..., TYPE/NAME..., or TYPE alone (all of that type).
  const requests: { type: ResourceType; name?: string }[] = [];
  const first = flags.args[0]!;
  const lookup = (text: string): ResourceType => {
    const empty = emptyResource(text);
    const t = resolveResource(text) ?? empty;
    if (!t) throw new CommandError(unmodelledText(text) ? 'UNSUPPORTED' : 'NOT_FOUND', unmodelledText(text) ?? `error: the server doesn't have a resource type "${text}"`);
    if (t === empty) return t;
    if (!DESCRIBABLE.includes(t.plural)) throw new CommandError('UNSUPPORTED', `error: the sandbox does not describe ${t.plural} yet (it describes ${DESCRIBABLE.join(', ')}; it lists ${supportedList()})`);
    return t;
  };
  if (first.includes('/')) {
    for (const a of flags.args) {
      const slash = a.indexOf('/');
      if (slash < 0) throw new CommandError('USAGE', `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl describe resource/<resource_name>' instead of 'kubectl describe resource resource/<resource_name>'`);
      requests.push({ type: lookup(a.slice(0, slash)), name: a.slice(slash + 1) });
    }
  } else {
    const type = lookup(first);
    if (flags.args.length === 1) requests.push({ type });
    for (const name of flags.args.slice(1)) requests.push({ type, name });
  }
  let selector: Requirement[] = [];
  if (selectorText !== undefined) selector = selectorFor(requests[0]!.type, selectorText);
  const all = (t: ResourceType): AnyObject[] => (t.plural === 'endpoints' ? Object.values(state.k8s.services).flatMap((s) => { const e = endpointsObject(state, s); return e ? [e as unknown as AnyObject] : []; }) : t.list(state));
  const texts: string[] = [];
  const errors: string[] = [];
  for (const req of requests) {
    const inScope = (o: AnyObject): boolean => !req.type.namespaced || allNs || o.metadata.namespace === namespace;
    if (req.name !== undefined) {
      // kubectl describe TYPE NAME also accepts a name prefix when no object has that exact name.
      const objs = all(req.type).filter(inScope);
      const exact = objs.filter((o) => o.metadata.name === req.name);
      const found = exact.length ? exact : objs.filter((o) => o.metadata.name.startsWith(req.name!)).sort(byNsName);
      if (found.length === 0) errors.push(`Error from server (NotFound): ${qualifiedPlural(req.type)} "${req.name}" not found`);
      for (const o of found) texts.push(render(req.type, o, state, now, showEvents));
    } else {
      const objs = all(req.type).filter((o) => inScope(o) && matches(selector, o.metadata.labels)).sort(byNsName);
      for (const o of objs) texts.push(render(req.type, o, state, now, showEvents));
      if (objs.length === 0) errors.push(req.type.namespaced && !allNs ? `No resources found in ${namespace} namespace.` : 'No resources found');
    }
  }
  // kubectl writes the first description as is and each further one after "\n\n".
  ctx.stdout.write(texts.join('\n\n'));
  for (const e of errors) ctx.stderr.write(`${e}\n`);
  return errors.some((e) => e.startsWith('Error')) ? 1 : 0;
}

function byNsName(a: AnyObject, b: AnyObject): number {
  const x = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const y = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}
