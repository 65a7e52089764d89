/**
 * `interface`: one network interface at a place (`eth0` in a pod, `cni0` or `flannel.1` on a node).
 */
import { z } from 'zod';
import { resolvePlace } from '../places';
import { interfaceFields, deviceByName } from './common';
import { BindingError, defineBindingKind } from './types';

const params = z
  .object({
    /** Where it is: a place (`node:node-1`, `pod:client`, `host:router-1`, `@client`). */
    on: z.string(),
    /** Its name (`eth0`, `cni0`, `flannel.1`, `docker0`). */
    dev: z.string(),
  })
  .strict();

export const interfaceBinding = defineBindingKind({
  name: 'interface',
  doc: 'One network interface at a place, with what `ip link` shows of it and its veth peer.',
  params,
  fields: {
    dev: 'its name',
    ifindex: 'its interface index',
    peerIfindex: "a veth's peer's interface index (the N of `@ifN`), else empty",
    peer: "a veth's peer's name, else empty",
    mac: 'its MAC',
    mtu: 'its MTU',
    ip: 'its first IPv4 address, else empty',
    cidr: 'that address with its prefix length (`10.244.1.1/24`)',
    master: 'the bridge it is a port of, else empty',
    ns: "the id of its network namespace (for `observed` checks' `through`)",
    place: 'the place it is at',
  },
  example: { on: '@client', dev: 'eth0' },
  resolve(q, { sim, done, name }) {
    let place;
    try {
      place = resolvePlace(sim, q.on, done);
    } catch (e) {
      throw new BindingError(`binding ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const ns = sim.state.netns[place.ns]!;
    const dev = deviceByName(ns, q.dev);
    if (!dev) throw new BindingError(`binding ${name}: ${place.label} has no interface ${q.dev}`);
    return { ...interfaceFields(sim.state, ns, dev), place: place.ref };
  },
});
