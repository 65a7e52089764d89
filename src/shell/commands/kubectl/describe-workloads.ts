/**
 * `kubectl describe` for pods' containers and volumes, pod templates, ReplicaSets,
 * DaemonSets, Namespaces and EndpointSlices.
 *
 * Design notes: the layouts are kubectl v1.32's (pkg/describe/describe.go: describeContainers,
 * describeVolumes, DescribePodTemplate, describeReplicaSet, describeDaemonSet,
 * describeNamespace, describeEndpointSliceV1), reading the objects as the API server returns
 * them (sim/k8s/defaults.ts), so the defaulted fields (resources, mounts, tolerations, the
 * service account) show as they would. A container shows its resources as `Limits:` and
 * `Requests:`, its HTTP probes as `Liveness:`, `Readiness:` and `Startup:` lines
 * (DescribeProbe), its environment with fieldRef values resolved against the pod (`(v1:
 * metadata.name)`) and its mounts sorted by path; hostPath volumes show their path and type. A controller's `Pods Status` counts the
 * pods it controls by phase (Pending counts as Waiting). A Namespace has no quotas or limit
 * ranges in the sandbox, which kubectl says in its own words.
 */
import { apiView } from '../../../sim/k8s/defaults';
import type { K8sEvent } from '../../../sim/k8s/events';
import type { Container, DaemonSet, Namespace, Pod, ReplicaSet, StoredObject, Toleration, Volume } from '../../../sim/k8s/types';
import type { SimState } from '../../../sim/state';
import { finish, Out, rfc1123z } from './describe-format';
import { formatLabelSelector, labelText } from './printers';

type Obj = Record<string, unknown>;
/** An HTTP probe as the API returns it (the sandbox's only probes are the control plane's). */
type ViewProbe = { httpGet?: { host?: string; path?: string; port: number | string; scheme?: string }; initialDelaySeconds?: number; timeoutSeconds?: number; periodSeconds?: number; successThreshold?: number; failureThreshold?: number };
type ViewContainer = Container & { volumeMounts?: { mountPath: string; name: string; readOnly?: boolean; subPath?: string }[]; livenessProbe?: ViewProbe; readinessProbe?: ViewProbe; startupProbe?: ViewProbe };
type ViewTerminated = { reason: string; exitCode: number; startedAt?: string; finishedAt?: string };
export type ViewStatus = { name: string; containerID?: string; imageID?: string; ready: boolean; restartCount: number; state: { running?: { startedAt: string }; waiting?: { reason?: string }; terminated?: ViewTerminated }; lastState?: { terminated?: ViewTerminated } };
type ViewVolume = Volume & { projected?: Obj; hostPath?: { path: string; type?: string } };
export interface TemplateView {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: ViewContainer[]; volumes?: ViewVolume[]; serviceAccountName?: string; priorityClassName?: string; nodeSelector?: Record<string, string>; tolerations?: Toleration[]; hostNetwork?: boolean };
}

/** EnvValueFrom's field paths, read from the pod (fieldpath.ExtractFieldPathAsString). */
function fieldValue(pod: Obj, path: string): string {
  const m = pod.metadata as Obj;
  const spec = pod.spec as Obj;
  const status = pod.status as Obj;
  const label = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (label) return String(((m[label[1]!] as Obj | undefined) ?? {})[label[2]!] ?? '');
  const values: Record<string, unknown> = {
    'metadata.name': m.name,
    'metadata.namespace': m.namespace,
    'metadata.uid': m.uid,
    'spec.nodeName': spec.nodeName,
    'spec.serviceAccountName': spec.serviceAccountName,
    'status.hostIP': status.hostIP,
    'status.podIP': status.podIP,
  };
  return String(values[path] ?? '');
}

/** describeStatus: one container state (`State`, or `Last State` for the previous instance). */
function writeState(o: Out, title: string, state: ViewStatus['state']): void {
  if (state.running) {
    o.w(2, `${title}:\tRunning\n`);
    o.w(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state.waiting) {
    o.w(2, `${title}:\tWaiting\n`);
    if (state.waiting.reason) o.w(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state.terminated) {
    const t = state.terminated;
    o.w(2, `${title}:\tTerminated\n`);
    if (t.reason) o.w(3, `Reason:\t${t.reason}\n`);
    o.w(3, `Exit Code:\t${t.exitCode}\n`);
    if (t.startedAt) o.w(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    if (t.finishedAt) o.w(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else o.w(2, `${title}:\tWaiting\n`);
}

function writeContainer(o: Out, c: ViewContainer, s: ViewStatus | undefined, space: string, pod: Obj | undefined): void {
  o.w(1, `${space ? ' ' : ''}${c.name}:\n`);
  if (s) o.w(2, `Container ID:\t${s.containerID ?? ''}\n`);
  o.w(2, `Image:\t${c.image}\n`);
  if (s) o.w(2, `Image ID:\t${s.imageID ?? ''}\n`);
  const ports = (c.ports ?? []).map((x) => `${x.containerPort}/${x.protocol}`);
  const hostPorts = (c.ports ?? []).map((x) => `${(x as { hostPort?: number }).hostPort ?? 0}/${x.protocol}`);
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
    writeState(o, 'State', s.state);
    if (s.lastState?.terminated) writeState(o, 'Last State', s.lastState);
    o.w(2, `Ready:\t${s.ready ? 'True' : 'False'}\n`);
    o.w(2, `Restart Count:\t${s.restartCount}\n`);
  }
  const res = c.resources ?? {};
  for (const [title, list] of [['Limits', res.limits], ['Requests', res.requests]] as const) {
    const keys = Object.keys(list ?? {}).sort();
    if (keys.length) o.w(2, `${title}:\n`);
    for (const k of keys) o.w(3, `${k}:\t${list![k]}\n`);
  }
  // describeContainerProbe.
  for (const [title, p] of [['Liveness', c.livenessProbe], ['Readiness', c.readinessProbe], ['Startup', c.startupProbe]] as const) if (p) o.w(2, `${title}:\t${describeProbe(p)}\n`);
  const env = c.env ?? [];
  o.w(2, `Environment:${env.length ? '' : '\t<none>'}\n`);
  for (const e of env) {
    const ref = e.valueFrom?.fieldRef;
    if (ref) o.w(3, `${e.name}:\t${pod ? fieldValue(pod, ref.fieldPath) : ''} (${ref.apiVersion ?? 'v1'}:${ref.fieldPath})\n`);
    else (e.value ?? '').split('\n').forEach((line, i) => o.w(3, i === 0 ? `${e.name}:\t${line}\n` : `\t${line}\n`));
  }
  const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
  o.w(2, `Mounts:${mounts.length ? '' : '\t<none>'}\n`);
  for (const m of mounts) o.w(3, `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'}${m.subPath ? `,path=${JSON.stringify(m.subPath)}` : ''})\n`);
}

/** DescribeProbe for an HTTP probe: `http-get https://127.0.0.1:10257/healthz delay=10s timeout=15s period=10s #success=1 #failure=8`. */
function describeProbe(p: ViewProbe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 0}s period=${p.periodSeconds ?? 0}s #success=${p.successThreshold ?? 0} #failure=${p.failureThreshold ?? 0}`;
  const g = p.httpGet;
  if (!g) return `unknown ${attrs}`;
  const port = String(g.port);
  const host = port ? `${g.host?.includes(':') ? `[${g.host}]` : (g.host ?? '')}:${port}` : (g.host ?? '');
  return `http-get ${(g.scheme ?? '').toLowerCase()}://${host}${g.path ?? ''} ${attrs}`;
}

/** describeContainers: the `Containers:` section of a pod (with statuses) or a template (without). */
export function describeContainers(o: Out, label: string, containers: ViewContainer[], statuses: ViewStatus[] | undefined, space: string, pod?: Obj): void {
  o.w(0, `${space}${label}:${containers.length ? '' : ' <none>'}\n`);
  for (const c of containers) writeContainer(o, c, statuses?.find((s) => s.name === c.name), space, pod);
}

/** describeVolumes for the volume sources the sandbox has. */
export function describeVolumes(o: Out, volumes: ViewVolume[] | undefined, space: string): void {
  if (!volumes?.length) return o.w(0, `${space}Volumes:\t<none>\n`);
  o.w(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    o.w(1, `${space ? ' ' : ''}${v.name}:\n`);
    if (v.secret) o.w(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName}\n    Optional:\t${v.secret.optional ? 'true' : 'false'}\n`);
    else if (v.configMap) o.w(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name}\n    Optional:\t${v.configMap.optional ? 'true' : 'false'}\n`);
    else if (v.emptyDir) o.w(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t\n    SizeLimit:\t<unset>\n");
    else if (v.hostPath) o.w(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n    HostPathType:\t${v.hostPath.type ?? '<none>'}\n`);
    else if (v.projected) {
      o.w(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
      o.w(2, 'TokenExpirationSeconds:\t3607\n');
      o.w(2, 'ConfigMapName:\tkube-root-ca.crt\n    Optional:\tfalse\n');
      o.w(2, 'DownwardAPI:\ttrue\n');
    }
  }
}

/** DescribePodTemplate. */
export function describePodTemplate(o: Out, t: TemplateView): void {
  o.w(0, 'Pod Template:\n');
  o.labels('  Labels', t.metadata.labels);
  if (Object.keys(t.metadata.annotations ?? {}).length) o.annotations('  Annotations', t.metadata.annotations);
  if (t.spec.serviceAccountName) o.w(1, `Service Account:\t${t.spec.serviceAccountName}\n`);
  describeContainers(o, 'Containers', t.spec.containers, undefined, '  ');
  describeVolumes(o, t.spec.volumes, '  ');
  if (t.spec.priorityClassName) o.w(1, `Priority Class Name:\t${t.spec.priorityClassName}\n`);
  o.labels('  Node-Selectors', t.spec.nodeSelector);
  o.tolerations('  Tolerations', t.spec.tolerations);
}

/** getPodStatusForController: the controlled pods by phase. */
function podsStatus(state: SimState, namespace: string | undefined, uid: string): string {
  const pods = Object.values(state.k8s.pods).filter((p) => p.metadata.namespace === namespace && p.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller));
  const n = (phase: Pod['status']['phase']): number => pods.filter((p) => p.status.phase === phase).length;
  return `${n('Running')} Running / ${n('Pending')} Waiting / ${n('Succeeded')} Succeeded / ${n('Failed')} Failed`;
}

function controlledBy(meta: { ownerReferences?: { kind: string; name: string; controller: boolean }[] }): string | undefined {
  const r = meta.ownerReferences?.find((x) => x.controller);
  return r ? `${r.kind}/${r.name}` : undefined;
}

export function describeReplicaSet(stored: ReplicaSet, state: SimState, events: K8sEvent[] | undefined, now: number): string {
  const rs = apiView(state, stored) as ReplicaSet & { spec: { template: TemplateView }; status: { conditions?: { type: string; status: string; reason?: string }[] } };
  const o = new Out();
  const m = rs.metadata;
  o.w(0, `Name:\t${m.name}\n`);
  o.w(0, `Namespace:\t${m.namespace}\n`);
  o.w(0, `Selector:\t${formatLabelSelector(rs.spec.selector)}\n`);
  o.labels('Labels', m.labels);
  o.annotations('Annotations', m.annotations);
  const owner = controlledBy(m);
  if (owner) o.w(0, `Controlled By:\t${owner}\n`);
  o.w(0, `Replicas:\t${rs.status.replicas ?? 0} current / ${rs.spec.replicas} desired\n`);
  o.w(0, `Pods Status:\t${podsStatus(state, m.namespace, m.uid)}\n`);
  describePodTemplate(o, rs.spec.template);
  if (rs.status.conditions?.length) {
    o.w(0, 'Conditions:\n  Type\tStatus\tReason\n');
    o.w(1, '----\t------\t------\n');
    for (const c of rs.status.conditions) o.w(1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
  }
  return finish(o, events, now);
}

export function describeDaemonSet(stored: DaemonSet, state: SimState, events: K8sEvent[] | undefined, now: number): string {
  const ds = apiView(state, stored) as DaemonSet & { spec: { template: TemplateView }; status: Record<string, number> };
  const o = new Out();
  const m = ds.metadata;
  const st = ds.status;
  o.w(0, `Name:\t${m.name}\n`);
  // A selector's String(): `k=v` pairs sorted, comma-separated.
  o.w(0, `Selector:\t${formatLabelSelector(ds.spec.selector)}\n`);
  o.w(0, `Node-Selector:\t${labelText(ds.spec.template.spec.nodeSelector)}\n`);
  o.labels('Labels', m.labels);
  o.annotations('Annotations', m.annotations);
  o.w(0, `Desired Number of Nodes Scheduled: ${st.desiredNumberScheduled ?? 0}\n`);
  o.w(0, `Current Number of Nodes Scheduled: ${st.currentNumberScheduled ?? 0}\n`);
  o.w(0, `Number of Nodes Scheduled with Up-to-date Pods: ${st.updatedNumberScheduled ?? 0}\n`);
  o.w(0, `Number of Nodes Scheduled with Available Pods: ${st.numberAvailable ?? 0}\n`);
  o.w(0, `Number of Nodes Misscheduled: ${st.numberMisscheduled ?? 0}\n`);
  o.w(0, `Pods Status:\t${podsStatus(state, m.namespace, m.uid)}\n`);
  describePodTemplate(o, ds.spec.template);
  return finish(o, events, now);
}

export function describeNamespace(ns: Namespace): string {
  const o = new Out();
  o.w(0, `Name:\t${ns.metadata.name}\n`);
  o.labels('Labels', ns.metadata.labels);
  o.annotations('Annotations', ns.metadata.annotations);
  o.w(0, `Status:\t${ns.status.phase}\n`);
  // The sandbox has no ResourceQuotas or LimitRanges (unmodelled.ts): both lists are empty.
  o.w(0, '\nNo resource quota.\n');
  o.w(0, '\nNo LimitRange resource.\n');
  return finish(o, undefined, 0);
}

interface SliceView {
  addressType?: string;
  ports?: { name?: string; port?: number; protocol?: string }[];
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean }; hostname?: string; targetRef?: { kind?: string; name?: string }; nodeName?: string; zone?: string }[];
}

export function describeEndpointSlice(eps: StoredObject, events: K8sEvent[] | undefined, now: number): string {
  const s = eps as StoredObject & SliceView;
  const o = new Out();
  o.w(0, `Name:\t${eps.metadata.name}\n`);
  o.w(0, `Namespace:\t${eps.metadata.namespace ?? ''}\n`);
  o.labels('Labels', eps.metadata.labels);
  o.annotations('Annotations', eps.metadata.annotations);
  o.w(0, `AddressType:\t${s.addressType ?? ''}\n`);
  if (!s.ports?.length) o.w(0, 'Ports: <unset>\n');
  else {
    o.w(0, 'Ports:\n');
    o.w(1, 'Name\tPort\tProtocol\n');
    o.w(1, '----\t----\t--------\n');
    for (const p of s.ports) o.w(1, `${p.name || '<unset>'}\t${p.port ?? '<unset>'}\t${p.protocol ?? 'TCP'}\n`);
  }
  if (!s.endpoints?.length) o.w(0, 'Endpoints: <none>\n');
  else {
    o.w(0, 'Endpoints:\n');
    for (const e of s.endpoints) {
      o.w(1, `- Addresses:\t${(e.addresses ?? []).join(', ') || '<none>'}\n`);
      o.w(2, 'Conditions:\n');
      o.w(3, `Ready:\t${e.conditions?.ready === undefined ? '<unset>' : String(e.conditions.ready)}\n`);
      o.w(2, `Hostname:\t${e.hostname ?? '<unset>'}\n`);
      if (e.targetRef) o.w(2, `TargetRef:\t${e.targetRef.kind ?? ''}/${e.targetRef.name ?? ''}\n`);
      o.w(2, `NodeName:\t${e.nodeName ?? '<unset>'}\n`);
      o.w(2, `Zone:\t${e.zone ?? '<unset>'}\n`);
    }
  }
  return finish(o, events, now);
}
