/**
 * kubectl's table columns for each resource type.
 *
 * Design notes: the columns and cell rules are those of the API server's table printers
 * (kubernetes pkg/printers/internalversion/printers.go), which kubectl receives and prints
 * through its tabwriter: pods' READY/STATUS/RESTARTS, nodes' STATUS and ROLES from labels,
 * services' CLUSTER-IP/EXTERNAL-IP/PORT(S). Wide-only columns come after the standard ones.
 * AGE is the time since creation, in apimachinery's HumanDuration form.
 * Workload counts (READY, CURRENT, AVAILABLE) are read from the pods each workload owns at
 * the moment of printing, which is what its controller's status converges to; UP-TO-DATE
 * counts the pods of the ReplicaSet running the current template.
 * A pod's STATUS is the first container's waiting or terminated reason (printPod walks the
 * statuses from the last), READY counts the ready running containers, and RESTARTS adds how
 * long ago the latest restart's previous instance ended (`3 (42s ago)`).
 * Left out: pods' init-container and terminating states (the sandbox never has them yet).
 */
import { daemonSetStatus } from '../../../sim/k8s/defaults';
import { podReady } from '../../../sim/k8s/endpoints';
import { newReplicaSet } from '../../../sim/k8s/rollout';
import type { DaemonSet, Deployment, Ingress, Namespace, Node, Pod, PodTemplate, ReplicaSet, Service } from '../../../sim/k8s/types';
import type { SimState } from '../../../sim/state';
import { humanDuration } from '../../duration';

export interface Columns<T> {
  headers: string[];
  wideHeaders: string[];
  row(obj: T, now: number, state: SimState): string[];
  wideRow(obj: T, now: number, state: SimState): string[];
}

/** A label map or selector as kubectl prints it: `k=v,k2=v2` sorted by key, `<none>` if empty. */
export function labelText(labels: Record<string, string> | undefined): string {
  const l = labels ?? {};
  return Object.keys(l).sort().map((k) => `${k}=${l[k]}`).join(',') || '<none>';
}

export function age(creationTimestamp: string, now: number): string {
  return humanDuration(now - Date.parse(creationTimestamp));
}

export const podColumns: Columns<Pod> = {
  headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
  wideHeaders: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
  row(p, now) {
    const cs = p.status.containerStatuses ?? [];
    let ready = 0;
    let restarts = 0;
    let lastRestart = 0;
    let hasRunning = false;
    let status: string = p.status.phase;
    // printPod walks the statuses from the last: the first container's state wins.
    for (const c of [...cs].reverse()) {
      restarts += c.restartCount;
      const finished = c.lastState?.terminated?.finishedAt;
      if (finished && Date.parse(finished) > lastRestart) lastRestart = Date.parse(finished);
      if (c.state.waiting?.reason) status = c.state.waiting.reason;
      else if (c.state.terminated?.reason) status = c.state.terminated.reason;
      else if (c.state.terminated) status = `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (status === 'Completed' && hasRunning) status = podReady(p) ? 'Running' : 'NotReady';
    const restartText = restarts !== 0 && lastRestart ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
    return [p.metadata.name, `${ready}/${p.spec.containers.length}`, status, restartText, age(p.metadata.creationTimestamp, now)];
  },
  wideRow(p) {
    return [p.status.podIP ?? '<none>', p.spec.nodeName ?? '<none>', '<none>', '<none>'];
  },
};

export const nodeColumns: Columns<Node> = {
  headers: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
  wideHeaders: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
  row(n, now) {
    const ready = n.status.conditions.find((c) => c.type === 'Ready');
    // printNode: a Ready condition that is not True (False or Unknown) is NotReady; none at all is Unknown.
    let status = ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
    if (n.spec.unschedulable) status += ',SchedulingDisabled';
    const roles = Object.keys(n.metadata.labels ?? {})
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length))
      .filter((r) => r !== '')
      .sort();
    return [n.metadata.name, status, roles.length ? roles.join(',') : '<none>', age(n.metadata.creationTimestamp, now), n.status.nodeInfo.kubeletVersion];
  },
  wideRow(n) {
    const addr = (t: string): string => n.status.addresses.filter((a) => a.type === t).map((a) => a.address).join(',') || '<none>';
    const info = n.status.nodeInfo;
    return [addr('InternalIP'), addr('ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>'];
  },
};

export const serviceColumns: Columns<Service> = {
  headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
  wideHeaders: ['SELECTOR'],
  row(s, now) {
    const spec = s.spec;
    let clusterIp = spec.clusterIP ?? '<none>';
    if (spec.type === 'ExternalName') clusterIp = '<none>';
    let external = (spec.externalIPs ?? []).join(',') || '<none>';
    if (spec.type === 'ExternalName') external = spec.externalName ?? '<none>';
    if (spec.type === 'LoadBalancer') {
      const ing = (s.status.loadBalancer.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
      const all = [...ing, ...(spec.externalIPs ?? [])];
      external = all.length ? all.join(',') : '<pending>';
    }
    const ports = (spec.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',') || '<none>';
    return [s.metadata.name, spec.type, clusterIp, external, ports, age(s.metadata.creationTimestamp, now)];
  },
  wideRow: (s) => [labelText(s.spec.selector)],
};

/** `ip:port` lists and the like: at most three, then ` + N more...` (kubectl's formatEndpoints). */
function capped(list: string[], total: number): string {
  const shown = list.slice(0, 3).join(',');
  return total > 3 ? `${shown} + ${total - 3} more...` : shown;
}

interface EndpointsLike {
  subsets: { addresses?: { ip: string }[]; ports?: { port: number }[] }[];
}

export const endpointsColumns: Columns<EndpointsLike & { metadata: { name: string; creationTimestamp: string } }> = {
  headers: ['NAME', 'ENDPOINTS', 'AGE'],
  wideHeaders: [],
  row(e, now) {
    let text = '<none>';
    if (e.subsets.length > 0) {
      const list: string[] = [];
      let total = 0;
      for (const ss of e.subsets) {
        const addrs = ss.addresses ?? [];
        const ports = ss.ports ?? [];
        if (ports.length === 0) {
          total += addrs.length;
          list.push(...addrs.map((a) => a.ip));
          continue;
        }
        for (const p of ports) {
          total += addrs.length;
          list.push(...addrs.map((a) => `${a.ip}:${p.port}`));
        }
      }
      // A Service whose pods are all unready keeps a subset with only notReadyAddresses: an empty cell.
      text = capped(list, total);
    }
    return [e.metadata.name, text, age(e.metadata.creationTimestamp, now)];
  },
  wideRow: () => [],
};

interface SliceLike {
  metadata: { name: string; creationTimestamp: string };
  addressType: string;
  endpoints: { addresses: string[] }[];
  ports: { port: number }[];
}

export const endpointSliceColumns: Columns<SliceLike> = {
  headers: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
  wideHeaders: [],
  row(s, now) {
    const ports = s.ports.map((p) => String(p.port));
    const addrs = s.endpoints.flatMap((e) => e.addresses);
    return [s.metadata.name, s.addressType, ports.length ? capped(ports, ports.length) : '<unset>', addrs.length ? capped(addrs, addrs.length) : '<unset>', age(s.metadata.creationTimestamp, now)];
  },
  wideRow: () => [],
};

export const namespaceColumns: Columns<Namespace> = {
  headers: ['NAME', 'STATUS', 'AGE'],
  wideHeaders: [],
  row: (n, now) => [n.metadata.name, n.status.phase, age(n.metadata.creationTimestamp, now)],
  wideRow: () => [],
};

/** The pods a controller owns (by owner reference), in its namespace. */
function ownedPods(state: SimState, kind: string, namespace: string | undefined, name: string): Pod[] {
  return Object.values(state.k8s.pods).filter((p) => p.metadata.namespace === namespace && (p.metadata.ownerReferences ?? []).some((o) => o.controller && o.kind === kind && o.name === name));
}

function templateColumns(t: PodTemplate, selector: Record<string, string>): string[] {
  return [t.spec.containers.map((c) => c.name).join(','), t.spec.containers.map((c) => c.image).join(','), labelText(selector)];
}

export const deploymentColumns: Columns<Deployment> = {
  headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  row(d, now, state) {
    const sets = Object.values(state.k8s.replicasets).filter((rs) => rs.metadata.namespace === d.metadata.namespace && (rs.metadata.ownerReferences ?? []).some((o) => o.kind === 'Deployment' && o.name === d.metadata.name));
    const pods = sets.flatMap((rs) => ownedPods(state, 'ReplicaSet', rs.metadata.namespace, rs.metadata.name));
    const ready = pods.filter(podReady).length;
    // UP-TO-DATE: the pods of the ReplicaSet running the current template (rollout.ts).
    const current = newReplicaSet(state, d);
    const updated = current ? ownedPods(state, 'ReplicaSet', current.metadata.namespace, current.metadata.name).length : 0;
    return [d.metadata.name, `${ready}/${d.spec.replicas}`, String(updated), String(ready), age(d.metadata.creationTimestamp, now)];
  },
  wideRow: (d) => templateColumns(d.spec.template, d.spec.selector.matchLabels),
};

export const replicaSetColumns: Columns<ReplicaSet> = {
  headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  row(rs, now, state) {
    const pods = ownedPods(state, 'ReplicaSet', rs.metadata.namespace, rs.metadata.name);
    return [rs.metadata.name, String(rs.spec.replicas), String(pods.length), String(pods.filter(podReady).length), age(rs.metadata.creationTimestamp, now)];
  },
  wideRow: (rs) => templateColumns(rs.spec.template, rs.spec.selector.matchLabels),
};

export const daemonSetColumns: Columns<DaemonSet> = {
  headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  row(ds, now, state) {
    const sel = ds.spec.template.spec.nodeSelector ?? {};
    const st = daemonSetStatus(state, ds);
    return [ds.metadata.name, String(st.desiredNumberScheduled), String(st.currentNumberScheduled), String(st.numberReady), String(st.updatedNumberScheduled), String(st.numberAvailable), labelText(sel), age(ds.metadata.creationTimestamp, now)];
  },
  wideRow: (ds) => templateColumns(ds.spec.template, ds.spec.selector.matchLabels),
};

export const ingressColumns: Columns<Ingress & { spec: { tls?: unknown[] } }> = {
  headers: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
  wideHeaders: [],
  row(i, now) {
    // kubectl's formatHosts: the first three rules' hosts, then "+ N more..." counting rules.
    const rules = i.spec.rules ?? [];
    const hosts = rules.slice(0, 3).map((r) => r.host ?? '').filter((h) => h !== '');
    const hostText = hosts.length === 0 ? '*' : rules.length > 3 ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
    const address = (i.status.loadBalancer.ingress ?? []).map((a) => a.ip ?? a.hostname ?? '').join(',');
    return [
      i.metadata.name,
      i.spec.ingressClassName ?? '<none>',
      hostText,
      address,
      i.spec.tls?.length ? '80, 443' : '80',
      age(i.metadata.creationTimestamp, now),
    ];
  },
  wideRow: () => [],
};

type Stored = { metadata: { name: string; creationTimestamp: string }; [field: string]: unknown };
const count = (m: unknown): number => (m && typeof m === 'object' ? Object.keys(m).length : 0);

export const configMapColumns: Columns<Stored> = {
  headers: ['NAME', 'DATA', 'AGE'],
  wideHeaders: [],
  row: (c, now) => [c.metadata.name, String(count(c.data) + count(c.binaryData)), age(c.metadata.creationTimestamp, now)],
  wideRow: () => [],
};

export const secretColumns: Columns<Stored> = {
  headers: ['NAME', 'TYPE', 'DATA', 'AGE'],
  wideHeaders: [],
  row: (s, now) => [s.metadata.name, String(s.type ?? ''), String(count(s.data)), age(s.metadata.creationTimestamp, now)],
  wideRow: () => [],
};

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** apimachinery's FormatLabelSelector: `<none>` for an empty selector, else the selector's string form. */
export function formatLabelSelector(sel: Selector | undefined): string {
  const parts: string[] = [];
  const ml = sel?.matchLabels ?? {};
  const exprs = [
    ...Object.keys(ml).map((k) => ({ key: k, text: `${k}=${ml[k]}` })),
    ...(sel?.matchExpressions ?? []).map((e) => {
      const vals = [...(e.values ?? [])].sort().join(',');
      const text = e.operator === 'In' ? `${e.key} in (${vals})` : e.operator === 'NotIn' ? `${e.key} notin (${vals})` : e.operator === 'Exists' ? e.key : e.operator === 'DoesNotExist' ? `!${e.key}` : `${e.key} ${e.operator} (${vals})`;
      return { key: e.key, text };
    }),
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const e of exprs) parts.push(e.text);
  const text = parts.join(',');
  return text === '' ? '<none>' : text;
}

export const networkPolicyColumns: Columns<Stored> = {
  headers: ['NAME', 'POD-SELECTOR', 'AGE'],
  wideHeaders: [],
  row: (n, now) => [n.metadata.name, formatLabelSelector((n.spec as { podSelector?: Selector } | undefined)?.podSelector), age(n.metadata.creationTimestamp, now)],
  wideRow: () => [],
};
