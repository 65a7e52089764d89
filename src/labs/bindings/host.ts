/**
 * `host`: one plain machine (a Docker host, a router or a host of the routed topology, or the workstation).
 */
import { z } from 'zod';
import { dockerHostNsId } from '../../sim/docker';
import { formatIp } from '../../sim/ipv4';
import { deviceByName } from '../../sim/netns';
import { addrOf, cidrOf } from './common';
import { BindingError, defineBindingKind } from './types';

const params = z
  .object({
    /** Its name (`host-1`, `router-1`), or `workstation`. */
    name: z.string(),
  })
  .strict();

export const hostBinding = defineBindingKind({
  name: 'host',
  doc: 'One machine that is not a Kubernetes node: a Docker host, a router or host of the routed topology, or the workstation. Interface fields are per device: `eth0Ip`, `eth1Mac`, ...',
  params,
  fields: {
    name: 'its name',
    ip: "eth0's address",
    mac: "eth0's MAC",
    gateway: 'the next hop of its default route, else empty',
    eth0Ip: "eth0's address",
    eth0Cidr: "eth0's address with its prefix",
    eth0Mac: "eth0's MAC",
    eth0Mtu: "eth0's MTU",
    eth1Ip: "eth1's address (routers), else empty",
    eth1Cidr: "eth1's address with its prefix, else empty",
    eth1Mac: "eth1's MAC, else empty",
    eth1Mtu: "eth1's MTU, else empty",
    place: 'the place (`host:NAME`, or `workstation`)',
  },
  example: { name: 'router-1' },
  resolve(q, { sim, name }) {
    const nsId = q.name === 'workstation' ? 'workstation' : dockerHostNsId(q.name);
    const ns = sim.state.netns[nsId];
    if (!ns) throw new BindingError(`binding ${name} names host ${q.name}, which this sandbox does not have`);
    const eth0 = deviceByName(ns, 'eth0');
    const eth1 = deviceByName(ns, 'eth1');
    const gw = ns.routes.find((r) => r.dst.len === 0 && r.via !== undefined)?.via;
    return {
      name: q.name,
      ip: addrOf(eth0),
      mac: eth0?.mac ?? '',
      gateway: gw !== undefined ? formatIp(gw) : '',
      eth0Ip: addrOf(eth0),
      eth0Cidr: cidrOf(eth0),
      eth0Mac: eth0?.mac ?? '',
      eth0Mtu: eth0 ? String(eth0.mtu) : '',
      eth1Ip: addrOf(eth1),
      eth1Cidr: cidrOf(eth1),
      eth1Mac: eth1?.mac ?? '',
      eth1Mtu: eth1 ? String(eth1.mtu) : '',
      place: q.name === 'workstation' ? 'workstation' : `host:${q.name}`,
    };
  },
});
