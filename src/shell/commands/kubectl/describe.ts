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
 * Objects are read as the API server returns them (sim/k8s/defaults.ts): pods with their
 * admission defaults (priority, service account, the kube-api-access-xxxxx projected volume
 * and its mount, the tolerations the DefaultTolerationSeconds plugin or the DaemonSet
 * controller adds, the QoS class from the containers' resources), Deployments with their
 * conditions, nodes with the annotations kubeadm, the kubelet and flannel set. A node shows
 * its capacity, allocatable, machine ids, then its non-terminated pods with their requests
 * and limits against its allocatable (`int64` percentages, truncated) and their totals;
 * kubeadm's machines have no cloud provider, so no ProviderID. ReplicaSets, DaemonSets,
 * Namespaces and EndpointSlices are described by describe-workloads.ts, ConfigMaps, Secrets
 * and NetworkPolicies by describe-stored.ts; the shared layout is describe-format.ts.
 * Probes and hostPath volumes appear on the control plane's mirror pods, the only pods the
 * sandbox gives them (sim/k8s/kubeadm.ts).
 * Left out: exec and TCP probes, which no pod the sandbox runs has.
 */
import { endpointsObject, serviceSliceView } from '../../../sim/k8s/endpoints';
import { eventsFor, type K8sEvent } from '../../../sim/k8s/events';
import { matches, type Requirement } from '../../../sim/k8s/labels';
import { podTemplateHash } from '../../../sim/k8s/names';
import { apiView, NODE_ALLOCATABLE, nodeAnnotations, NODE_CAPACITY, nodeIds, podRequestsAndLimits, podView } from '../../../sim/k8s/defaults';
import { addQuantity, formatQuantity, parseQuantity, quantityMilli, quantityValue, ZERO, type Quantity } from '../../../sim/k8s/quantity';
import type { DaemonSet, Deployment, Ingress, Namespace, Node, Pod, ReplicaSet, Service, StoredObject } from '../../../sim/k8s/types';
import { describeConfigMap, describeNetworkPolicy, describeSecret } from './describe-stored';
import { describeContainers, describeDaemonSet, describeEndpointSlice, describeNamespace, describePodTemplate, describeReplicaSet, describeVolumes, type TemplateView, type ViewStatus } from './describe-workloads';
import type { SimState } from '../../../sim/state';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { describeEvents, finish, goTabwriter, Out, rfc1123z } from './describe-format';
import { bool, parseFlags, str } from './flags';
import { age, labelText } from './printers';
import { emptyResource, qualifiedPlural, resolveResource, unmodelledText, supportedList, type AnyObject, selectorFor, type ResourceType } from './resources';

export { describeEvents, goTabwriter, rfc1123z };

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

const DESCRIBABLE = ['pods', 'nodes', 'services', 'endpoints', 'endpointslices', 'deployments', 'replicasets', 'daemonsets', 'namespaces', 'ingresses', 'configmaps', 'secrets', 'networkpolicies'];

function describePod(stored: Pod, state: SimState, events: K8sEvent[] | undefined, now: number): string {
  // kubectl reads the pod as the API server returns it, with its admission defaults.
  const view = podView(state, stored);
  const p = view as unknown as Pod & { spec: TemplateView['spec'] & { priority: number; securityContext?: { seccompProfile?: { type: string } }; ephemeralContainers?: TemplateView['spec']['containers'] }; status: Pod['status'] & { containerStatuses?: ViewStatus[]; ephemeralContainerStatuses?: ViewStatus[] } };
  const o = new Out();
  const m = p.metadata;
  o.w(0, `Name:\t${m.name}\n`);
  o.w(0, `Namespace:\t${m.namespace}\n`);
  o.w(0, `Priority:\t${p.spec.priority}\n`);
  if (p.spec.priorityClassName) o.w(0, `Priority Class Name:\t${p.spec.priorityClassName}\n`);
  if (p.spec.serviceAccountName) o.w(0, `Service Account:\t${p.spec.serviceAccountName}\n`);
  o.w(0, p.spec.nodeName ? `Node:\t${p.spec.nodeName}/${p.status.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (p.status.startTime) o.w(0, `Start Time:\t${rfc1123z(p.status.startTime)}\n`);
  o.labels('Labels', m.labels);
  o.annotations('Annotations', m.annotations);
  o.w(0, `Status:\t${p.status.phase}\n`);
  const seccomp = p.spec.securityContext?.seccompProfile;
  if (seccomp) o.w(0, `SeccompProfile:\t${seccomp.type}\n`);
  o.w(0, `IP:\t${p.status.podIP ?? ''}\n`);
  if (p.status.podIPs?.length) {
    o.w(0, 'IPs:\n');
    for (const ip of p.status.podIPs) o.w(1, `IP:\t${ip.ip}\n`);
  } else o.w(0, 'IPs:\t<none>\n');
  const owner = m.ownerReferences?.find((r) => r.controller);
  if (owner) o.w(0, `Controlled By:\t${owner.kind}/${owner.name}\n`);
  describeContainers(o, 'Containers', p.spec.containers, p.status.containerStatuses, '', view);
  if (p.spec.ephemeralContainers?.length) describeContainers(o, 'Ephemeral Containers', p.spec.ephemeralContainers, p.status.ephemeralContainerStatuses, '', view);
  if (p.status.conditions?.length) {
    o.w(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of p.status.conditions) o.w(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(o, p.spec.volumes, '');
  o.w(0, `QoS Class:\t${p.status.qosClass ?? 'BestEffort'}\n`);
  o.labels('Node-Selectors', p.spec.nodeSelector);
  o.tolerations('Tolerations', p.spec.tolerations);
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
  const view = apiView(state, d) as Deployment & { spec: { strategy: { type: string; rollingUpdate: { maxSurge: string; maxUnavailable: string } }; template: TemplateView }; status: Record<string, number> & { conditions: { type: string; status: string; reason: string }[] } };
  const o = new Out();
  const m = d.metadata;
  const st = view.status;
  o.w(0, `Name:\t${m.name}\n`);
  o.w(0, `Namespace:\t${m.namespace}\n`);
  o.w(0, `CreationTimestamp:\t${rfc1123z(m.creationTimestamp)}\n`);
  o.labels('Labels', m.labels);
  o.annotations('Annotations', m.annotations);
  o.w(0, `Selector:\t${labelText(d.spec.selector.matchLabels)}\n`);
  o.w(0, `Replicas:\t${d.spec.replicas} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable\n`);
  o.w(0, `StrategyType:\t${view.spec.strategy.type}\n`);
  o.w(0, 'MinReadySeconds:\t0\n');
  o.w(0, `RollingUpdateStrategy:\t${view.spec.strategy.rollingUpdate.maxUnavailable} max unavailable, ${view.spec.strategy.rollingUpdate.maxSurge} max surge\n`);
  describePodTemplate(o, view.spec.template);
  if (st.conditions.length) {
    o.w(0, 'Conditions:\n  Type\tStatus\tReason\n');
    o.w(1, '----\t------\t------\n');
    for (const c of st.conditions) o.w(1, `${c.type} \t${c.status}\t${c.reason}\n`);
  }
  const sets = Object.values(state.k8s.replicasets)
    .filter((rs) => rs.metadata.namespace === m.namespace && rs.metadata.ownerReferences?.some((r) => r.kind === 'Deployment' && r.name === m.name && r.controller))
    .sort((a, b) => (a.metadata.creationTimestamp < b.metadata.creationTimestamp ? -1 : a.metadata.creationTimestamp > b.metadata.creationTimestamp ? 1 : 0));
  const hash = podTemplateHash(d.spec.template);
  const rsText = (list: ReplicaSet[]): string => list.map((rs) => `${rs.metadata.name} (${rs.status.replicas}/${rs.spec.replicas} replicas created)`).join(', ') || '<none>';
  if (sets.length) {
    o.w(0, `OldReplicaSets:\t${rsText(sets.filter((rs) => rs.metadata.labels?.['pod-template-hash'] !== hash))}\n`);
    o.w(0, `NewReplicaSet:\t${rsText(sets.filter((rs) => rs.metadata.labels?.['pod-template-hash'] === hash))}\n`);
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
  o.annotations('Annotations', nodeAnnotations(state, n));
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
  const resourceList = (list: Record<string, string>): void => {
    for (const k of Object.keys(list).sort()) o.w(0, `  ${k}:\t${formatQuantity(parseQuantity(list[k]!) ?? ZERO)}\n`);
  };
  o.w(0, 'Capacity:\n');
  resourceList(NODE_CAPACITY);
  o.w(0, 'Allocatable:\n');
  resourceList(NODE_ALLOCATABLE);
  const info = n.status.nodeInfo;
  const ids = nodeIds(state, m.name);
  o.w(0, 'System Info:\n');
  o.w(0, `  Machine ID:\t${ids.machineID}\n`);
  o.w(0, `  System UUID:\t${ids.systemUUID}\n`);
  o.w(0, `  Boot ID:\t${ids.bootID}\n`);
  o.w(0, `  Kernel Version:\t${info.kernelVersion}\n`);
  o.w(0, `  OS Image:\t${info.osImage}\n`);
  o.w(0, `  Operating System:\t${info.operatingSystem}\n`);
  o.w(0, `  Architecture:\t${info.architecture}\n`);
  o.w(0, `  Container Runtime Version:\t${info.containerRuntimeVersion}\n`);
  o.w(0, `  Kubelet Version:\t${info.kubeletVersion}\n`);
  o.w(0, `  Kube-Proxy Version:\t${info.kubeProxyVersion}\n`);
  if (n.spec.podCIDR) o.w(0, `PodCIDR:\t${n.spec.podCIDR}\n`);
  if (n.spec.podCIDRs.length) o.w(0, `PodCIDRs:\t${n.spec.podCIDRs.join(',')}\n`);
  // kubeadm's nodes on the sandbox's machines have no cloud provider, hence no ProviderID.
  describeNodeResource(o, n, state, now);
  return finish(o, events, now);
}

/** describeNodeResource: the node's non-terminated pods and what they request against its allocatable. */
function describeNodeResource(o: Out, n: Node, state: SimState, now: number): void {
  const pods = Object.values(state.k8s.pods)
    .filter((p) => p.spec.nodeName === n.metadata.name && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed')
    .sort((a, b) => byNsName(a as unknown as AnyObject, b as unknown as AnyObject));
  const alloc = (name: string): Quantity => parseQuantity(NODE_ALLOCATABLE[name] ?? '0') ?? ZERO;
  // Go converts each fraction to int64, dropping the decimals.
  const pct = (q: Quantity | undefined, name: string, milli: boolean): number => {
    const total = milli ? quantityMilli(alloc(name)) : quantityValue(alloc(name));
    if (total === 0) return 0;
    return Math.trunc(((milli ? quantityMilli(q ?? ZERO) : quantityValue(q ?? ZERO)) / total) * 100);
  };
  const text = (q: Quantity | undefined): string => formatQuantity(q ?? ZERO);
  o.w(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  o.w(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  o.w(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const reqs: Record<string, Quantity> = {};
  const limits: Record<string, Quantity> = {};
  for (const p of pods) {
    const r = podRequestsAndLimits(p.spec);
    const cell = (q: Quantity | undefined, name: string, milli: boolean): string => `${text(q)} (${pct(q, name, milli)}%)`;
    o.w(1, `${p.metadata.namespace}\t${p.metadata.name}\t\t${cell(r.requests.cpu, 'cpu', true)}\t${cell(r.limits.cpu, 'cpu', true)}\t${cell(r.requests.memory, 'memory', false)}\t${cell(r.limits.memory, 'memory', false)}\t${age(p.metadata.creationTimestamp, now)}\n`);
    for (const [into, from] of [[reqs, r.requests], [limits, r.limits]] as const) {
      for (const [k, q] of Object.entries(from)) into[k] = into[k] ? addQuantity(into[k]!, q) : q;
    }
  }
  o.w(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  o.w(1, 'Resource\tRequests\tLimits\n');
  o.w(1, '--------\t--------\t------\n');
  o.w(1, `cpu\t${text(reqs.cpu)} (${pct(reqs.cpu, 'cpu', true)}%)\t${text(limits.cpu)} (${pct(limits.cpu, 'cpu', true)}%)\n`);
  for (const name of ['memory', 'ephemeral-storage', ...Object.keys(NODE_ALLOCATABLE).filter((k) => k.startsWith('hugepages-')).sort()]) {
    o.w(1, `${name}\t${text(reqs[name])} (${pct(reqs[name], name, false)}%)\t${text(limits[name])} (${pct(limits[name], name, false)}%)\n`);
  }
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
    case 'replicasets':
      return describeReplicaSet(obj as unknown as ReplicaSet, state, ev('ReplicaSet'), now);
    case 'daemonsets':
      return describeDaemonSet(obj as unknown as DaemonSet, state, ev('DaemonSet'), now);
    case 'namespaces':
      return describeNamespace(obj as unknown as Namespace);
    case 'endpointslices':
      return describeEndpointSlice(obj as unknown as StoredObject, ev('EndpointSlice'), now);
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
