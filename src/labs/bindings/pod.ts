/**
 * `pod`: one pod of the cluster, by name or by labels, optionally placed relative to another.
 */
import { z } from 'zod';
import { podNetns } from '../../sim/cni';
import { podPids } from '../../sim/host/processes';
import { deviceByIndex, deviceByName } from '../../sim/netns';
import { BindingError, defineBindingKind } from './types';

const params = z
  .object({
    /** Namespace to look in (default `default`). */
    namespace: z.string().default('default'),
    /** Exact pod name, for pods the lab creates by name. */
    name: z.string().optional(),
    /** Labels the pod must carry (`{ app: 'web' }`). */
    labels: z.record(z.string(), z.string()).optional(),
    /** Only a pod on this node. */
    node: z.string().optional(),
    /** Only pods on a different node from this (earlier) pod binding. */
    notOnNodeOf: z.string().optional(),
    /** Only pods on the same node as this (earlier) pod binding. */
    onNodeOf: z.string().optional(),
    /** Skip the first N matches (pods are taken in name order): the second web pod is `skip: 1`. */
    skip: z.number().int().nonnegative().default(0),
  })
  .strict();

export const podBinding = defineBindingKind({
  name: 'pod',
  doc: 'One pod, by name or labels (the first in name order), optionally on the same node as another binding or not.',
  params,
  fields: {
    name: 'the pod name',
    namespace: 'its namespace',
    ip: 'its IP address (its node\'s for a hostNetwork pod)',
    node: 'the node it runs on',
    nodeIp: "that node's address",
    place: 'the place `pod:NAMESPACE/NAME`, for checks (`from: \'@client\'`)',
    image: 'the image of its first container',
    container: 'the name of its first container',
    mac: "the MAC of the pod's eth0",
    mtu: "eth0's MTU",
    ifindex: "eth0's interface index inside the pod",
    peerIfindex: "the interface index of eth0's veth peer on the node (eth0@ifN's N)",
    veth: "the name of the veth on the node (`vethXXXXXXXX`)",
    netns: "the name of the pod's network namespace on its node, as `ip netns list` there and `link-netns` on its veth show it (`cni-...`); empty for a hostNetwork pod",
    uid: 'the pod UID',
    pausePid: 'the host pid of its pause process on its node',
  },
  example: { labels: { app: 'web' }, notOnNodeOf: 'client' },
  resolve(q, { sim, done, name }) {
    const pods = Object.values(sim.state.k8s.pods)
      .filter((p) => (p.metadata.namespace ?? 'default') === q.namespace)
      .filter((p) => q.name === undefined || p.metadata.name === q.name)
      .filter((p) => !q.labels || Object.entries(q.labels).every(([k, v]) => p.metadata.labels?.[k] === v))
      .filter((p) => q.node === undefined || p.spec.nodeName === q.node)
      .filter((p) => !q.notOnNodeOf || p.spec.nodeName !== done[q.notOnNodeOf]?.node)
      .filter((p) => !q.onNodeOf || p.spec.nodeName === done[q.onNodeOf]?.node)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const p = pods[q.skip];
    if (!p) throw new BindingError(`binding ${name} matches no pod${pods.length ? ` (only ${pods.length} match, skip is ${q.skip})` : ''}`);
    const node = sim.state.k8s.nodes[p.spec.nodeName ?? ''];
    const ns = podNetns(sim.state, p);
    const eth0 = ns ? deviceByName(ns, 'eth0') : undefined;
    const hostNs = eth0?.peer ? sim.state.netns[eth0.peer.ns] : undefined;
    const veth = hostNs && eth0?.peer ? deviceByIndex(hostNs, eth0.peer.ifindex) : undefined;
    const namespace = p.metadata.namespace ?? 'default';
    return {
      name: p.metadata.name,
      namespace,
      ip: p.status.podIP ?? '',
      node: p.spec.nodeName ?? '',
      nodeIp: node?.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '',
      place: `pod:${namespace}/${p.metadata.name}`,
      image: p.spec.containers[0]?.image ?? '',
      container: p.spec.containers[0]?.name ?? '',
      mac: p.spec.hostNetwork ? '' : (eth0?.mac ?? ''),
      mtu: eth0 ? String(eth0.mtu) : '',
      ifindex: p.spec.hostNetwork ? '' : eth0 ? String(eth0.ifindex) : '',
      peerIfindex: p.spec.hostNetwork ? '' : eth0?.peer ? String(eth0.peer.ifindex) : '',
      veth: veth?.name ?? '',
      netns: p.spec.hostNetwork ? '' : (ns?.name ?? ''),
      uid: p.metadata.uid ?? '',
      pausePid: p.spec.nodeName ? String(podPids(p.spec.nodeName, `${namespace}/${p.metadata.name}`, 0, !!p.spec.hostNetwork).pause) : '',
    };
  },
});
