/**
 * Faults for troubleshooting labs: the ways real clusters break, applied to the model.
 *
 * Design notes: each fault changes the state the way the real failure does, so symptoms are
 * found with the same commands as on a real cluster rather than announced:
 * - `node-down`: the machine is off: every interface in its namespace goes down (nothing is
 *   answered or forwarded) and the node controller marks it NotReady (status Unknown, reason
 *   NodeStatusUnknown: "Kubelet stopped posting node status."); its pods keep their Running
 *   status until eviction, as on a real cluster within the first minutes.
 * - `route-deleted`: one route removed from a node's or a host's table (`ip route del`).
 * - `kube-proxy-stopped`: kube-proxy on a node stops; the rules it last wrote (in IPVS mode
 *   also its IPVS table, ipsets and kube-ipvs0 addresses) stay and go stale as Services and
 *   endpoints change.
 * - `wrong-selector`: a Service's selector matches no pod, so it has no endpoints.
 * - `pod-not-ready`: a pod's readiness probe fails: Ready False, out of every Service.
 * - `coredns-down`: every CoreDNS pod gone (the Deployment scaled to 0): kube-dns has no endpoints.
 * - `mtu-mismatch`: one device's MTU set to a wrong value (a pod's eth0 at 1500 over VXLAN),
 *   on a node, a pod, or a plain host or router (`host`).
 * - `interface-down`: one device set down as `ip link set DEV down` does it (sim/linux/link.ts:
 *   the routes through it and its neighbours go, and come back only with whatever put them
 *   there: flanneld's restart for flannel.1), on the same targets.
 * Left out: partial packet loss, latency, clock skew, certificate and etcd failures.
 */
import { setDown } from './linux/link';
import { deriveRng } from './rng';
import { clone } from './clone';
import { detachPod, nodeNsId, podNetns } from './cni';
import { parseCidr } from './ipv4';
import { leaveMesh } from './mesh';
import { noteProxyStopped, syncServiceProxy } from './proxy';
import { deviceByName } from './netns';
import type { SimState } from './state';
import { refreshReadiness } from './k8s/controllers';

export type Fault =
  | { kind: 'node-down'; node: string }
  | { kind: 'route-deleted'; node: string; dst: string }
  | { kind: 'route-deleted'; host: string; dst: string }
  | { kind: 'kube-proxy-stopped'; node: string }
  | { kind: 'wrong-selector'; namespace?: string; service: string; selector: Record<string, string> }
  | { kind: 'pod-not-ready'; namespace?: string; pod: string }
  | { kind: 'coredns-down' }
  | { kind: 'mtu-mismatch'; target: FaultTarget; device: string; mtu: number }
  | { kind: 'interface-down'; target: FaultTarget; device: string };

/** Where a device fault happens: a node, a pod, or a plain machine (a Docker host, a router). */
export type FaultTarget = { node: string } | { host: string } | { namespace?: string; pod: string };

export class FaultError extends Error {
  override name = 'FaultError';
}

function nsOf(state: SimState, target: FaultTarget) {
  if ('host' in target) {
    const ns = state.netns[`host/${target.host}`];
    if (!ns) throw new FaultError(`no host ${target.host}`);
    return ns;
  }
  if ('node' in target) {
    const ns = state.netns[nodeNsId(target.node)];
    if (!ns) throw new FaultError(`no node ${target.node}`);
    return ns;
  }
  const pod = state.k8s.pods[`${target.namespace ?? 'default'}/${target.pod}`];
  const ns = pod && podNetns(state, pod);
  if (!ns) throw new FaultError(`no pod ${target.pod}`);
  return ns;
}

/** Applies a fault at time `now` (epoch ms). */
export function applyFault(state: SimState, fault: Fault, now: number): void {
  const ts = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  switch (fault.kind) {
    case 'node-down': {
      const node = state.k8s.nodes[fault.node];
      const ns = state.netns[nodeNsId(fault.node)];
      if (!node || !ns) throw new FaultError(`no node ${fault.node}`);
      for (const d of ns.devices) d.up = false;
      for (const p of Object.values(state.k8s.pods)) {
        if (p.spec.nodeName === fault.node && !p.spec.hostNetwork) {
          const pns = podNetns(state, p);
          if (pns) for (const d of pns.devices) if (d.kind !== 'loopback') d.up = false;
        }
      }
      node.status.conditions = node.status.conditions.map((c) =>
        c.type === 'Ready'
          ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ts }
          : { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ts },
      );
      node.spec.taints = [...(node.spec.taints ?? []), { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: ts }];
      // The node lifecycle controller marks the node's pods not ready (MarkPodsNotReady: only the
      // Ready condition; the container statuses the kubelet last posted stay), so Services stop
      // sending to them; `kubectl get pods` still shows them Running 1/1.
      for (const p of Object.values(state.k8s.pods)) {
        if (p.spec.nodeName !== fault.node || !p.status.conditions) continue;
        p.status.conditions = p.status.conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: ts } : c));
      }
      state.proxyDirty = true;
      return;
    }
    case 'route-deleted': {
      const where = 'host' in fault ? fault.host : fault.node;
      const ns = state.netns['host' in fault ? `host/${fault.host}` : nodeNsId(fault.node)];
      const dst = fault.dst === 'default' ? { addr: 0, len: 0 } : parseCidr(fault.dst);
      if (!ns || !dst) throw new FaultError(`no route ${fault.dst} on ${where}`);
      // The change is this namespace's own: it stops sharing its mesh's routes first (mesh.ts).
      leaveMesh(ns, state);
      const before = ns.routes.length;
      ns.routes = ns.routes.filter((r) => !(r.dst.addr === dst.addr && r.dst.len === dst.len));
      if (ns.routes.length === before) throw new FaultError(`RTNETLINK answers: No such process`);
      return;
    }
    case 'kube-proxy-stopped': {
      const ns = state.netns[nodeNsId(fault.node)];
      if (!ns) throw new FaultError(`no node ${fault.node}`);
      syncServiceProxy(state);
      ns.kubeProxy = { mode: 'frozen', rules: clone(state.kubeProxy!) };
      noteProxyStopped(state, fault.node);
      const pod = Object.values(state.k8s.pods).find((p) => p.metadata.labels?.['k8s-app'] === 'kube-proxy' && p.spec.nodeName === fault.node);
      if (pod?.status.containerStatuses) {
        pod.status.phase = 'Running';
        pod.status.containerStatuses = pod.status.containerStatuses.map((c) => ({ ...c, ready: false, started: false, state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: c.restartCount + 3 }));
        pod.status.conditions = (pod.status.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: ts } : c));
      }
      return;
    }
    case 'wrong-selector': {
      const svc = state.k8s.services[`${fault.namespace ?? 'default'}/${fault.service}`];
      if (!svc) throw new FaultError(`no service ${fault.service}`);
      svc.spec.selector = { ...fault.selector };
      state.proxyDirty = true;
      return;
    }
    case 'pod-not-ready': {
      const pod = state.k8s.pods[`${fault.namespace ?? 'default'}/${fault.pod}`];
      if (!pod) throw new FaultError(`no pod ${fault.pod}`);
      pod.status.conditions = (pod.status.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: ts } : c));
      pod.status.containerStatuses = (pod.status.containerStatuses ?? []).map((c) => ({ ...c, ready: false }));
      // Its ReplicaSet and Deployment count one ready replica fewer.
      refreshReadiness(state);
      state.proxyDirty = true;
      return;
    }
    case 'coredns-down': {
      const dep = state.k8s.deployments['kube-system/coredns'];
      if (dep) {
        dep.spec.replicas = 0;
        dep.status = { ...dep.status, replicas: 0, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 };
      }
      for (const rs of Object.values(state.k8s.replicasets)) {
        if (rs.metadata.namespace === 'kube-system' && rs.spec.selector.matchLabels['k8s-app'] === 'kube-dns') {
          rs.spec.replicas = 0;
          rs.status = { ...rs.status, replicas: 0, readyReplicas: 0, availableReplicas: 0, fullyLabeledReplicas: 0 };
        }
      }
      for (const [k, p] of Object.entries(state.k8s.pods)) {
        if (p.metadata.namespace === 'kube-system' && p.metadata.labels?.['k8s-app'] === 'kube-dns') {
          detachPod(state, p);
          delete state.k8s.pods[k];
        }
      }
      state.proxyDirty = true;
      return;
    }
    case 'mtu-mismatch': {
      const ns = nsOf(state, fault.target);
      const dev = deviceByName(ns, fault.device);
      if (!dev) throw new FaultError(`Cannot find device "${fault.device}"`);
      dev.mtu = fault.mtu;
      return;
    }
    case 'interface-down': {
      const ns = nsOf(state, fault.target);
      const dev = deviceByName(ns, fault.device);
      if (!dev) throw new FaultError(`Cannot find device "${fault.device}"`);
      // What `ip link set DEV down` does: the routes through it and its neighbours go with it.
      setDown({ nets: state.netns, rng: deriveRng(state.seed, 'fault'), now, shared: state }, ns, dev);
      return;
    }
  }
}
