/**
 * `ip netns` and the namespaces other commands name (`ip -n NAME`, `ip link set DEV netns
 * NAME|PID`, `nsenter`).
 *
 * Design notes: `ip netns list` prints the namespaces mounted under /run/netns on the machine,
 * oldest first as a tmpfs directory lists them on current kernels: containerd's pod namespaces
 * (`cni-<uuid>`) and those made with `ip netns add`, each with the id the machine's namespace
 * gave it when a veth pair joins the two (`(id: N)`), none otherwise. `add` makes one (a name
 * with `/` or `.`/`..` is "Invalid netns name"; a taken one "Cannot create namespace file ...:
 * File exists"), `delete` unmounts it, `exec NAME CMD...` runs one of the machine's programs
 * inside it with its status (`exec of "X" failed` for a missing program), `identify [PID]`
 * names the namespace a process is in, `pids NAME` lists the processes inside, in /proc's
 * (ascending) order: a pod's pause process and its containers' processes (nothing keeps running
 * in a namespace made with `ip netns add`). Process ids name namespaces as /proc/PID/ns/net
 * does: the machine's own processes (pid 1, the login shell) its root namespace, a Docker
 * container's main process or a pod's processes (pause, containers, nginx's workers) their
 * container's or pod's.
 * Left out: `attach`, `set`, `monitor`, `list-id`, `-all`, an interactive shell inside a
 * namespace (`ip netns exec NS bash` without a command runs nothing).
 */
import type { CommandContext, Location } from '../../command';
import { CommandError } from '../../errors';
import { addNamedNetns, deleteNamedNetns, machineRoot, namedNetns, namedNetnsId } from '../../../sim/linux/named-netns';
import type { Netns } from '../../../sim/netns';
import type { SimState } from '../../../sim/state';
import { podPids, podProcesses } from '../../../sim/host/processes';
import { linkEnv, matches, mayChangeNetwork } from './common';
import { peerNetnsIds } from './show';

export const NETNS_USAGE = `Usage:	ip netns list
	ip netns add NAME
	ip netns attach NAME PID
	ip netns set NAME NETNSID
	ip [-all] netns delete [NAME]
	ip netns identify [PID]
	ip netns pids NAME
	ip [-all] netns exec [NAME] cmd ...
	ip netns monitor
	ip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT`;

/** The login shell's pid on a machine (bash's `$$` there). */
export const SHELL_PID = 1876;

/** The pod namespaces mounted on the node a location is on, in creation order, with their ids. */
export function podNamespaces(state: SimState, loc: Location): { name: string; id: string; nsid: number }[] {
  if (loc.kind !== 'node') return [];
  const root = state.netns[`node/${loc.node}`];
  if (!root) return [];
  // One host-side veth per pod namespace; its ifindex grows with each pod the node gets.
  const peers = root.devices.filter((d) => d.kind === 'veth' && d.peer && state.netns[d.peer.ns]?.name.startsWith('cni-')).sort((a, b) => a.ifindex - b.ifindex);
  return peers.map((d, i) => ({ name: state.netns[d.peer!.ns]!.name, id: d.peer!.ns, nsid: i }));
}

/** Every namespace mounted under /run/netns on the machine, oldest first, with the root namespace's id for it. */
export function mountedNamespaces(state: SimState, loc: Location): { name: string; ns: Netns; nsid?: number }[] {
  if (loc.kind !== 'node') return [];
  const root = machineRoot(state.netns, loc.node);
  if (!root) return [];
  const ids = peerNetnsIds(root, state);
  const pods = podNamespaces(state, loc).map((p) => ({ name: p.name, ns: state.netns[p.id]!, at: 0 }));
  const named = namedNetns(state.netns, loc.node).map((n) => ({ name: n.name, ns: n, at: n.created ?? 0 }));
  return [...pods, ...named].map(({ name, ns }) => {
    const nsid = ids.get(ns.id);
    return nsid === undefined ? { name, ns } : { name, ns, nsid };
  });
}

/** A namespace by its /run/netns name on the location's machine. */
export function netnsByName(state: SimState, loc: Location, name: string): Netns | undefined {
  return mountedNamespaces(state, loc).find((n) => n.name === name)?.ns;
}

/** The namespace process `pid` is in (/proc/PID/ns/net), on the location's machine. */
export function netnsOfPid(state: SimState, loc: Location, pid: number, now = state.createdAt): Netns | undefined {
  if (loc.kind !== 'node') return undefined;
  const root = machineRoot(state.netns, loc.node);
  if (!root) return undefined;
  if (pid === 1 || pid === SHELL_PID) return root;
  for (const h of Object.values(state.docker?.hosts ?? {})) {
    if (h.ns !== root.id) continue;
    for (const c of h.containers) if (c.status === 'running' && c.pid === pid) return state.netns[c.ns];
  }
  for (const pod of Object.values(state.k8s.pods)) {
    if (pod.spec.nodeName !== loc.node || pod.status.phase !== 'Running') continue;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const host = !!pod.spec.hostNetwork;
    const pids = pod.spec.containers.flatMap((_, i) => {
      const p = podPids(loc.node, key, i, host);
      return [p.pause, p.main, p.main + 29, p.main + 30];
    });
    if (pids.includes(pid) && podProcesses(state, loc.node, pod, now).some((p) => p.pid === pid)) return host ? root : state.netns[`pod/${key}`];
  }
  return undefined;
}

/** The pids of the processes inside a namespace of the location's machine, in /proc's order. */
export function pidsIn(state: SimState, loc: Location, ns: Netns, now: number): number[] {
  if (loc.kind !== 'node') return [];
  const out: number[] = [];
  for (const pod of Object.values(state.k8s.pods)) {
    if (pod.spec.nodeName !== loc.node || pod.spec.hostNetwork || pod.status.phase !== 'Running') continue;
    if (state.netns[`pod/${pod.metadata.namespace}/${pod.metadata.name}`] !== ns) continue;
    out.push(...podProcesses(state, loc.node, pod, now).map((p) => p.pid));
  }
  return out.sort((a, b) => a - b);
}

/** `netns NAME|PID` as iproute2's netns_get_fd() takes it: a /run/netns name, else a pid. */
export function netnsByNameOrPid(ctx: CommandContext, text: string): Netns | undefined {
  const state = ctx.env.sim.state;
  const named = netnsByName(state, ctx.env.location, text);
  if (named) return named;
  return /^\d+$/.test(text) ? netnsOfPid(state, ctx.env.location, Number(text)) : undefined;
}

/** The location a program runs at inside namespace `ns` of the shell's machine. */
export function inNamespace(loc: Location, ns: Netns): Location {
  if (loc.kind !== 'node') return loc;
  return { kind: 'node', node: loc.node, ns: ns.id };
}

/** Runs a program inside a namespace, with iproute2's words for a program that does not exist. */
export async function execIn(ctx: CommandContext, ns: Netns, argv: string[], failText: (prog: string) => string, failStatus: number): Promise<number> {
  let run: Promise<number>;
  try {
    run = ctx.spawn(inNamespace(ctx.env.location, ns), argv, ctx.tty);
  } catch (e) {
    if (e instanceof CommandError && e.code === 'COMMAND_NOT_FOUND') {
      ctx.stderr.write(failText(argv[0]!) + '\n');
      return failStatus;
    }
    throw e;
  }
  return run;
}

function validName(name: string): boolean {
  return name.length > 0 && !name.includes('/') && name !== '.' && name !== '..';
}

export async function netns(ctx: CommandContext, args: string[]): Promise<number> {
  const sub = args[0] ?? 'list';
  const state = ctx.env.sim.state;
  const loc = ctx.env.location;
  if (matches(sub, 'list') || sub === 'ls' || sub === 'show') {
    ctx.stdout.write(mountedNamespaces(state, loc).map((n) => `${n.name}${n.nsid !== undefined ? ` (id: ${n.nsid})` : ''}\n`).join(''));
    return 0;
  }
  if (sub === 'help') {
    ctx.stderr.write(NETNS_USAGE + '\n');
    return 255;
  }
  if (matches(sub, 'add')) {
    const name = args[1];
    if (name === undefined) {
      ctx.stderr.write('No netns name specified\n');
      return 1;
    }
    if (!validName(name)) {
      ctx.stderr.write(`Invalid netns name "${name}"\n`);
      return 255;
    }
    if (!mayChangeNetwork(ctx) || loc.kind !== 'node') {
      ctx.stderr.write('mount --make-shared /run/netns failed: Operation not permitted\n');
      return 1;
    }
    const root = machineRoot(state.netns, loc.node);
    if (!root) throw new CommandError('NOT_FOUND', 'ip: this machine is outside the simulated network');
    if (netnsByName(state, loc, name) || !addNamedNetns(linkEnv(ctx), root, loc.node, name)) {
      ctx.stderr.write(`Cannot create namespace file "/run/netns/${name}": File exists\n`);
      return 1;
    }
    return 0;
  }
  if (matches(sub, 'delete')) {
    const name = args[1];
    if (name === undefined) {
      ctx.stderr.write('No netns name specified\n');
      return 1;
    }
    const exists = loc.kind === 'node' && state.netns[namedNetnsId(loc.node, name)];
    if (!exists) {
      // containerd's namespaces are bind mounts too; the sandbox leaves them to containerd.
      const text = netnsByName(state, loc, name) ? 'Device or resource busy' : 'No such file or directory';
      ctx.stderr.write(`Cannot remove namespace file "/run/netns/${name}": ${text}\n`);
      return 1;
    }
    if (!mayChangeNetwork(ctx) || loc.kind !== 'node') {
      ctx.stderr.write(`Cannot remove namespace file "/run/netns/${name}": Permission denied\n`);
      return 1;
    }
    deleteNamedNetns(linkEnv(ctx), machineRoot(state.netns, loc.node)!, loc.node, name);
    return 0;
  }
  if (matches(sub, 'exec')) {
    const name = args[1];
    if (name === undefined) {
      ctx.stderr.write('No netns name specified\n');
      return 1;
    }
    if (args.length < 3) {
      ctx.stderr.write('No command specified\n');
      return 1;
    }
    const target = netnsByName(state, loc, name);
    if (!target) throw new CommandError('NOT_FOUND', `Cannot open network namespace "${name}": No such file or directory`, 255);
    if (!mayChangeNetwork(ctx)) throw new CommandError('EXEC_FAILED', `setting the network namespace "${name}" failed: Operation not permitted`, 255);
    return execIn(ctx, target, args.slice(2), (p) => `exec of "${p}" failed: No such file or directory`, 1);
  }
  if (matches(sub, 'identify')) {
    const text = args[1];
    let pidNs: Netns | undefined;
    if (text === undefined) pidNs = state.netns[loc.kind === 'node' ? loc.ns : ''];
    else {
      if (!/^\d+$/.test(text)) {
        ctx.stderr.write(`Specified string '${text}' is not a pid\n`);
        return 1;
      }
      pidNs = netnsOfPid(state, loc, Number(text));
      if (!pidNs) {
        ctx.stderr.write(`Cannot open network namespace: No such file or directory\n`);
        return 1;
      }
    }
    const names = mountedNamespaces(state, loc).filter((n) => n.ns === pidNs);
    ctx.stdout.write(names.map((n) => n.name + '\n').join(''));
    return 0;
  }
  if (matches(sub, 'pids')) {
    const name = args[1];
    if (name === undefined) {
      ctx.stderr.write('No netns name specified\n');
      return 1;
    }
    if (args.length > 2) {
      ctx.stderr.write('extra arguments specified\n');
      return 1;
    }
    const target = netnsByName(state, loc, name);
    if (!target) {
      ctx.stderr.write('Cannot open network namespace: No such file or directory\n');
      return 1;
    }
    ctx.stdout.write(pidsIn(state, loc, target, ctx.env.scheduler.now()).map((p) => `${p}\n`).join(''));
    return 0;
  }
  if (['attach', 'set', 'monitor', 'list-id'].some((c) => matches(sub, c))) {
    throw new CommandError('UNSUPPORTED', `ip netns ${sub}: this sandbox supports list, add, delete, exec, identify and pids`, 255);
  }
  throw new CommandError('USAGE', `Command "${sub}" is unknown, try "ip netns help".`, 255);
}
