/**
 * Network namespaces made with `ip netns add NAME` on a machine.
 *
 * Design notes: a named namespace is a Netns of the machine (id `netns/<machine>/<name>`, its
 * name as given, the machine's host name since the UTS namespace is not new) with what the
 * kernel gives a new namespace: only `lo`, down, with no address (127.0.0.1/8 arrives when it
 * first comes up), no routes, forwarding off and no iptables rules. `ip netns del` unmounts it;
 * with no process left inside, the kernel destroys it: its veths go with their peers, a NIC
 * goes back to the machine's own namespace, other devices are destroyed.
 * Left out: processes kept running inside a namespace (`ip netns exec NS sleep 1000 &`), so a
 * namespace never outlives its name.
 */
import { deviceByName, newNetns, type Netns } from '../netns';
import { deleteLink, setNetns, type LinkEnv } from './link';

export function namedNetnsId(machine: string, name: string): string {
  return `netns/${machine}/${name}`;
}

/** The machine's own (root) namespace: a node's, a Docker host's or a routed network's machine. */
export function machineRoot(nets: Record<string, Netns>, machine: string): Netns | undefined {
  return nets[`node/${machine}`] ?? nets[`host/${machine}`];
}

/** The machine's named namespaces, oldest first. */
export function namedNetns(nets: Record<string, Netns>, machine: string): Netns[] {
  const prefix = `netns/${machine}/`;
  return Object.values(nets)
    .filter((n) => n.id.startsWith(prefix))
    .sort((a, b) => (a.created ?? 0) - (b.created ?? 0));
}

/** `ip netns add NAME`; false when the name is taken. */
export function addNamedNetns(env: LinkEnv, root: Netns, machine: string, name: string): boolean {
  const id = namedNetnsId(machine, name);
  if (env.nets[id]) return false;
  const ns = newNetns(id, name, root.hostname, env.rng.int(65536));
  const lo = deviceByName(ns, 'lo')!;
  lo.up = false;
  lo.addrs = [];
  lo.qdisc = 'noop';
  ns.created = env.now;
  env.nets[id] = ns;
  return true;
}

/** `ip netns del NAME`; false when there is no such namespace. */
export function deleteNamedNetns(env: LinkEnv, root: Netns, machine: string, name: string): boolean {
  const id = namedNetnsId(machine, name);
  const ns = env.nets[id];
  if (!ns) return false;
  for (const d of [...ns.devices]) {
    if (!ns.devices.includes(d) || d.kind === 'loopback') continue;
    if (d.kind === 'ether' && !d.peer) setNetns(env, ns, d, root);
    else deleteLink(env, ns, d);
  }
  delete env.nets[id];
  return true;
}
