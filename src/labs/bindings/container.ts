/**
 * `container`: one Docker container on a Docker host, with its address and its veth pair.
 */
import { z } from 'zod';
import { formatIp } from '../../sim/ipv4';
import { deviceByName } from '../../sim/netns';
import { BindingError, defineBindingKind } from './types';

const params = z
  .object({
    /** The Docker host (`host-1`). */
    host: z.string(),
    /** The container's name (a lab's setup usually names them: `docker run --name web ...`). */
    name: z.string(),
  })
  .strict();

export const containerBinding = defineBindingKind({
  name: 'container',
  doc: 'One Docker container: its name and id, its address on docker0, and both ends of its veth pair.',
  params,
  fields: {
    name: 'the container name',
    id: 'the 12-character short id',
    image: 'its image',
    host: 'the Docker host it runs on',
    hostIp: "that host's LAN address",
    ip: 'its address on the bridge network',
    mac: "its eth0's MAC",
    ifindex: "its eth0's interface index inside the container",
    peerIfindex: "the host-side veth's interface index (eth0@ifN's N)",
    veth: "the host-side veth's name (`vethXXXXXXX`)",
    vethIfindex: "the host-side veth's own interface index",
    place: 'the place `container:HOST/NAME`',
  },
  example: { host: 'host-1', name: 'web' },
  resolve(q, { sim, name }) {
    const h = sim.state.docker?.hosts[q.host];
    if (!h) throw new BindingError(`binding ${name} names Docker host ${q.host}, which does not exist`);
    const c = h.containers.find((x) => x.name === q.name);
    if (!c) throw new BindingError(`binding ${name}: host ${q.host} has no container named ${q.name}`);
    const ns = c.ns ? sim.state.netns[c.ns] : undefined;
    const eth0 = ns ? deviceByName(ns, 'eth0') : undefined;
    const hostNs = sim.state.netns[h.ns];
    const veth = hostNs && c.hostVeth ? deviceByName(hostNs, c.hostVeth) : undefined;
    return {
      name: c.name,
      id: c.id.slice(0, 12),
      image: c.image,
      host: q.host,
      hostIp: formatIp(h.ip),
      ip: c.ip ? formatIp(c.ip) : '',
      mac: c.mac,
      ifindex: eth0 ? String(eth0.ifindex) : '',
      peerIfindex: eth0?.peer ? String(eth0.peer.ifindex) : '',
      veth: c.hostVeth,
      vethIfindex: veth ? String(veth.ifindex) : '',
      place: `container:${q.host}/${c.name}`,
    };
  },
});
