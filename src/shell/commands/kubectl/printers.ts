/**
 * kubectl's table columns for each resource type.
 *
 * Design notes: the columns and cell rules are those of the API server's table printers
 * (kubernetes pkg/printers/internalversion/printers.go), which kubectl receives and prints
 * through its tabwriter: pods' READY/STATUS/RESTARTS, nodes' STATUS and ROLES from labels,
 * services' CLUSTER-IP/EXTERNAL-IP/PORT(S). Wide-only columns come after the standard ones.
 * AGE is the time since creation, in apimachinery's HumanDuration form.
 * Left out: pods' init-container and terminating states (the sandbox never has them yet).
 */
import type { Node, Pod, Service } from '../../../sim/k8s/types';
import { humanDuration } from '../../duration';

export interface Columns<T> {
  headers: string[];
  wideHeaders: string[];
  row(obj: T, now: number): string[];
  wideRow(obj: T, now: number): string[];
}

export function age(creationTimestamp: string, now: number): string {
  return humanDuration(now - Date.parse(creationTimestamp));
}

export const podColumns: Columns<Pod> = {
  headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
  wideHeaders: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
  row(p, now) {
    const cs = p.status.containerStatuses ?? [];
    const ready = cs.filter((c) => c.ready).length;
    const restarts = cs.reduce((n, c) => n + c.restartCount, 0);
    let status: string = p.status.phase;
    for (const c of cs) {
      if (c.state.waiting?.reason) status = c.state.waiting.reason;
      else if (c.state.terminated?.reason) status = c.state.terminated.reason;
    }
    return [p.metadata.name, `${ready}/${p.spec.containers.length}`, status, String(restarts), age(p.metadata.creationTimestamp, now)];
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
    let status = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
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
  wideRow(s) {
    const sel = s.spec.selector ?? {};
    const keys = Object.keys(sel).sort();
    return [keys.length ? keys.map((k) => `${k}=${sel[k]}`).join(',') : '<none>'];
  },
};
