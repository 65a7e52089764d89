/**
 * `node`: one Kubernetes node, with its bridge's and tunnel's addresses.
 */
import { z } from 'zod';
import { nodeNsId } from '../../sim/cni';
import { deviceByName } from '../../sim/netns';
import { addrOf } from './common';
import { BindingError, defineBindingKind } from './types';

const params = z
  .object({
    /** The node's name (`node-1`). */
    name: z.string().optional(),
    /** Or its position: 0 is the control plane, 1 the first worker. */
    index: z.number().int().nonnegative().optional(),
    /** Or the node a pod binding runs on. */
    nodeOf: z.string().optional(),
  })
  .strict()
  .refine((p) => [p.name, p.index, p.nodeOf].filter((v) => v !== undefined).length === 1, 'give exactly one of name, index and nodeOf');

export const nodeBinding = defineBindingKind({
  name: 'node',
  doc: "One node: its address on the LAN, its pod CIDR, and the addresses and MACs of its cni0 bridge and flannel.1 tunnel.",
  params,
  fields: {
    name: 'the node name',
    ip: 'its InternalIP (eth0)',
    mac: "eth0's MAC",
    podCidr: 'its pod CIDR (`10.244.1.0/24`)',
    bridgeIp: "cni0's address (.1 of the pod CIDR; empty until a pod lands on the node)",
    bridgeMac: "cni0's MAC",
    tunnelIp: "flannel.1's address (the pod CIDR's network address; empty with host-gw)",
    tunnelMac: "flannel.1's MAC (the VTEP MAC other nodes hold for it)",
    mtu: "eth0's MTU",
    place: 'the place `node:NAME`',
  },
  example: { nodeOf: 'target' },
  resolve(q, { sim, done, name }) {
    const names = Object.keys(sim.state.k8s.nodes);
    const nodeName = q.name ?? (q.index !== undefined ? names[q.index] : done[q.nodeOf!]?.node);
    const node = nodeName ? sim.state.k8s.nodes[nodeName] : undefined;
    const ns = nodeName ? sim.state.netns[nodeNsId(nodeName)] : undefined;
    if (!node || !ns) throw new BindingError(`binding ${name} names no node of this cluster (${names.join(', ') || 'it has none'})`);
    const eth0 = deviceByName(ns, 'eth0');
    const cni0 = deviceByName(ns, 'cni0');
    const vx = deviceByName(ns, 'flannel.1');
    return {
      name: node.metadata.name,
      ip: node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '',
      mac: eth0?.mac ?? '',
      podCidr: node.spec.podCIDR,
      bridgeIp: addrOf(cni0),
      bridgeMac: cni0?.mac ?? '',
      tunnelIp: addrOf(vx),
      tunnelMac: vx?.mac ?? '',
      mtu: eth0 ? String(eth0.mtu) : '',
      place: `node:${node.metadata.name}`,
    };
  },
});
