/**
 * The sandbox's topology as plain data, for pictures: machines, their devices, and links.
 *
 * Design notes: a view derived from the state on every call, never stored, so the picture
 * follows every command (a pod created, a link set down, an MTU changed). A machine is a
 * network namespace: a node's root namespace, a pod's, a Docker host's or container's, a
 * router, the learner's workstation, the LAN gateway, the cloud load balancer. Devices carry
 * what `ip -d link` and `ip addr` show. Links are the wires between them: each veth pair once,
 * each Ethernet device's cable to its switch segment, each VXLAN tunnel between two VTEPs
 * that know each other (an FDB entry); a bridge port is not a link but the `master` of a
 * device. Kubernetes objects that own machines are named on them (a pod's namespace/name, the
 * node it runs on), and Services are listed with their addresses, as no machine holds them.
 */
import { formatIp } from './ipv4';
import { serviceEndpoints } from './k8s/endpoints';
import { deviceByIndex, lookupVxlanFdb, type DeviceKind } from './netns';
import type { SimState } from './state';

export type MachineKind = 'node' | 'pod' | 'host' | 'router' | 'container' | 'workstation' | 'gateway' | 'load-balancer';

export interface DeviceView {
  name: string;
  kind: DeviceKind;
  ifindex: number;
  mac: string;
  mtu: number;
  up: boolean;
  /** `10.244.1.2/24`. */
  addrs: string[];
  master?: string;
  /** A veth's other end. */
  peer?: { ns: string; dev: string };
  segment?: string;
  vxlan?: { vni: number; port: number; local: string };
}

export interface MachineView {
  /** The namespace id (`node/node-1`, `pod/default/client`). */
  id: string;
  kind: MachineKind;
  /** Its host name (`node-1`, `client`, `router-1`). */
  name: string;
  /** The machine it runs on: a pod's node, a container's Docker host (a namespace id). */
  parent?: string;
  /** ip_forward is on. */
  forwards: boolean;
  /** For pods: namespace/name; for hostNetwork pods sharing a node, listed on the node. */
  pod?: { namespace: string; name: string };
  hostNetworkPods?: string[];
  devices: DeviceView[];
}

export type LinkView =
  | { kind: 'veth'; a: { ns: string; dev: string }; b: { ns: string; dev: string } }
  | { kind: 'cable'; a: { ns: string; dev: string }; segment: string }
  | { kind: 'tunnel'; a: { ns: string; dev: string }; b: { ns: string; dev: string } };

export interface ServiceView {
  namespace: string;
  name: string;
  type: string;
  clusterIP: string;
  ports: string;
  /** Ready endpoint addresses. */
  endpoints: string[];
}

export interface TopologyView {
  /** `kubernetes`, `docker`, or the topology's own name. */
  name: string;
  machines: MachineView[];
  segments: string[];
  links: LinkView[];
  services: ServiceView[];
}

function kindOf(state: SimState, id: string, forwards: boolean): MachineKind {
  if (id === 'workstation') return 'workstation';
  if (id === 'router') return 'gateway';
  if (id === 'internet') return 'host';
  if (id.startsWith('node/')) return 'node';
  if (id.startsWith('pod/')) return 'pod';
  if (id.startsWith('container/')) return 'container';
  if (id.startsWith('host/')) return state.docker?.hosts[id.slice('host/'.length)] || !forwards ? 'host' : 'router';
  return 'load-balancer';
}

/** The topology of `state` now. */
export function topologyOf(state: SimState): TopologyView {
  const machines: MachineView[] = [];
  const links: LinkView[] = [];
  const pods = Object.values(state.k8s.pods);
  for (const ns of Object.values(state.netns)) {
    const kind = kindOf(state, ns.id, ns.ipForward);
    const m: MachineView = {
      id: ns.id,
      kind,
      name: ns.hostname,
      forwards: ns.ipForward,
      devices: ns.devices.map((d) => {
        const v: DeviceView = { name: d.name, kind: d.kind, ifindex: d.ifindex, mac: d.mac, mtu: d.mtu, up: d.up, addrs: d.addrs.map((a) => `${formatIp(a.ip)}/${a.len}`) };
        if (d.master) v.master = d.master;
        if (d.peer) {
          const peerNs = state.netns[d.peer.ns];
          const peer = peerNs && deviceByIndex(peerNs, d.peer.ifindex);
          if (peer) v.peer = { ns: d.peer.ns, dev: peer.name };
        }
        if (d.segment) v.segment = d.segment;
        if (d.vxlan) v.vxlan = { vni: d.vxlan.vni, port: d.vxlan.port, local: formatIp(d.vxlan.local) };
        return v;
      }),
    };
    if (kind === 'pod') {
      const [, namespace, name] = ns.id.split('/');
      m.pod = { namespace: namespace!, name: name! };
      const pod = state.k8s.pods[`${namespace}/${name}`];
      if (pod?.spec.nodeName) m.parent = `node/${pod.spec.nodeName}`;
    }
    if (kind === 'node') {
      const node = ns.id.slice('node/'.length);
      const hn = pods.filter((p) => p.spec.hostNetwork && p.spec.nodeName === node).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      if (hn.length) m.hostNetworkPods = hn.sort();
    }
    if (kind === 'container') m.parent = `host/${ns.id.split('/')[1]}`;
    machines.push(m);
    for (const d of ns.devices) {
      if (d.peer && (ns.id < d.peer.ns || (ns.id === d.peer.ns && d.ifindex < d.peer.ifindex))) {
        const peerNs = state.netns[d.peer.ns];
        const peer = peerNs && deviceByIndex(peerNs, d.peer.ifindex);
        if (peer) links.push({ kind: 'veth', a: { ns: ns.id, dev: d.name }, b: { ns: d.peer.ns, dev: peer.name } });
      }
      if (d.segment) links.push({ kind: 'cable', a: { ns: ns.id, dev: d.name }, segment: d.segment });
    }
  }
  // VXLAN tunnels: one link per pair of VTEPs whose FDBs point at each other.
  const vteps = machines.flatMap((m) => m.devices.filter((d) => d.vxlan).map((d) => ({ ns: m.id, dev: d.name })));
  for (let i = 0; i < vteps.length; i++) {
    for (let j = i + 1; j < vteps.length; j++) {
      const a = state.netns[vteps[i]!.ns]!.devices.find((d) => d.name === vteps[i]!.dev)!;
      const b = state.netns[vteps[j]!.ns]!.devices.find((d) => d.name === vteps[j]!.dev)!;
      if (lookupVxlanFdb(state.netns[vteps[i]!.ns]!, a, b.mac, state) !== undefined && lookupVxlanFdb(state.netns[vteps[j]!.ns]!, b, a.mac, state) !== undefined) links.push({ kind: 'tunnel', a: vteps[i]!, b: vteps[j]! });
    }
  }
  machines.sort((a, b) => a.id.localeCompare(b.id));
  const services: ServiceView[] = Object.values(state.k8s.services)
    .map((s) => ({
      namespace: s.metadata.namespace ?? 'default',
      name: s.metadata.name,
      type: s.spec.type,
      clusterIP: s.spec.clusterIP ?? '',
      ports: (s.spec.ports ?? []).map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol}`).join(','),
      endpoints: serviceEndpoints(state, s)
        .filter((e) => e.ready)
        .map((e) => e.ip),
    }))
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  return { name: state.config.name, machines, segments: Object.keys(state.segments).sort(), links, services };
}
