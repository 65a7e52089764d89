/**
 * Places: where a probe is sent from, where a predicate looks, where a file lives.
 *
 * Design notes: a lab names a machine of the sandbox with a short string, the same whatever
 * the front end: `workstation`; `node:node-1`; `host:router-1` (a Docker host, a router or a
 * plain host of the routed topology); `pod:client` or `pod:kube-system/coredns-...`;
 * `container:host-1/web` (a Docker container on a host, by name or id); or `@client`, the
 * place of a binding (a pod binding's pod, a container binding's container, a node's node).
 * A place resolves, against the current state, to the network namespace its programs use
 * (a hostNetwork pod's is its node's), the shell location a command there runs at, and the
 * key its files are stored under (src/shell/sandbox-fs.ts). A place that does not exist
 * resolves to a PlaceError whose message says what is missing, in words a lab author reads.
 * Text that can never be a place (`nod:node-1`, `client` without its `@`) is refused when the
 * lab is defined: each kind's lint names its place fields (`placeProblems`).
 * The other way round, `placeOfMachine` names the place whose files are stored under a
 * machine key (a capture written there is announced by that place).
 */
import { nodeNsId, podNetns } from '../sim/cni';
import { dockerHostNsId } from '../sim/docker';
import { parseIp } from '../sim/ipv4';
import type { Sim } from '../sim/sim';
import type { Location } from '../shell/command';
import { WORKSTATION_LOCATION } from '../shell/location';
import type { ResolvedBindings } from './template';

export class PlaceError extends Error {
  override name = 'PlaceError';
}

export interface ResolvedPlace {
  /** The place as written, after binding substitution (`pod:default/client`). */
  ref: string;
  /** A short name for messages: `pod client`, `node node-1`, `the workstation`. */
  label: string;
  /** The network namespace its programs use. */
  ns: string;
  /** Where a shell at this place runs. */
  location: Location;
  /** The key of its stored files (state.files). */
  machine: string;
}

/** The grammar of a place, for error messages and the author's guide. */
export const PLACE_SYNTAX = 'workstation, node:NAME, host:NAME, pod:[NAMESPACE/]NAME, container:HOST/NAME or @binding';

/** Resolves `ref` (possibly `@binding`) to a place in `sim`'s current state. */
export function resolvePlace(sim: Sim, ref: string, bindings: ResolvedBindings = {}): ResolvedPlace {
  let text = ref.trim();
  if (text.startsWith('@')) {
    const b = bindings[text.slice(1)];
    if (!b) throw new PlaceError(`no binding "${text.slice(1)}"`);
    if (!b.place) throw new PlaceError(`binding "${text.slice(1)}" is not a place (it has no place field)`);
    text = b.place;
  }
  const state = sim.state;
  if (text === 'workstation') {
    if (!state.netns.workstation) throw new PlaceError('this sandbox has no workstation');
    return { ref: text, label: 'the workstation', ns: 'workstation', location: WORKSTATION_LOCATION, machine: 'workstation' };
  }
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  switch (kind) {
    case 'node': {
      const ns = state.netns[nodeNsId(rest)];
      if (!ns) throw new PlaceError(`no node "${rest}"`);
      return { ref: text, label: `node ${rest}`, ns: ns.id, location: { kind: 'node', node: rest, ns: ns.id }, machine: rest };
    }
    case 'host': {
      const ns = state.netns[dockerHostNsId(rest)];
      if (!ns) throw new PlaceError(`no host "${rest}"`);
      return { ref: text, label: `host ${rest}`, ns: ns.id, location: { kind: 'node', node: rest, ns: ns.id }, machine: rest };
    }
    case 'pod': {
      const slash = rest.indexOf('/');
      const namespace = slash < 0 ? 'default' : rest.slice(0, slash);
      const name = slash < 0 ? rest : rest.slice(slash + 1);
      const pod = sim.pod(namespace, name);
      if (!pod) throw new PlaceError(`no pod "${name}" in namespace "${namespace}"`);
      const ns = podNetns(state, pod);
      if (!ns) throw new PlaceError(`pod "${name}" has no network namespace (it is not running on a node)`);
      const container = pod.spec.containers[0]?.name ?? name;
      return {
        ref: `pod:${namespace}/${name}`,
        label: `pod ${namespace === 'default' ? name : `${namespace}/${name}`}`,
        ns: ns.id,
        location: { kind: 'pod', namespace, pod: name, container },
        machine: `pod:${pod.metadata.uid}`,
      };
    }
    case 'container': {
      const slash = rest.indexOf('/');
      if (slash < 0) throw new PlaceError(`"${text}" names no host: write container:HOST/NAME`);
      const host = rest.slice(0, slash);
      const name = rest.slice(slash + 1);
      const h = state.docker?.hosts[host];
      if (!h) throw new PlaceError(`no Docker host "${host}"`);
      const c = h.containers.find((x) => x.name === name || x.id.startsWith(name));
      if (!c) throw new PlaceError(`no container "${name}" on ${host}`);
      if (!c.ns || !state.netns[c.ns]) throw new PlaceError(`container "${name}" on ${host} is not running`);
      return {
        ref: `container:${host}/${c.name}`,
        label: `container ${c.name} on ${host}`,
        ns: c.ns,
        location: { kind: 'container', host, id: c.id, ns: c.ns, image: c.image, main: false },
        machine: `container:${c.id}`,
      };
    }
    default:
      throw new PlaceError(`"${ref}" is not a place; write ${PLACE_SYNTAX}`);
  }
}

/**
 * The place whose files are stored under `machine` (the key in state.files), as resolvePlace
 * takes it back, or undefined when nothing there exists any more (a deleted pod's files).
 */
export function placeOfMachine(sim: Sim, machine: string): string | undefined {
  const state = sim.state;
  if (machine === 'workstation') return state.netns.workstation ? 'workstation' : undefined;
  if (machine.startsWith('pod:')) {
    const key = machine.slice(4);
    const pod = Object.values(state.k8s.pods).find((p) => p.metadata.uid === key || `${p.metadata.namespace ?? 'default'}/${p.metadata.name}` === key);
    return pod ? `pod:${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}` : undefined;
  }
  if (machine.startsWith('container:')) {
    const id = machine.slice('container:'.length);
    for (const [host, h] of Object.entries(state.docker?.hosts ?? {})) {
      const c = h.containers.find((x) => x.id === id);
      if (c) return `container:${host}/${c.name}`;
    }
    return undefined;
  }
  if (state.netns[nodeNsId(machine)]) return `node:${machine}`;
  if (state.netns[dockerHostNsId(machine)]) return `host:${machine}`;
  return undefined;
}

/** True when `ref` is written as a place (its syntax, not whether it exists). */
export function isPlaceSyntax(ref: string): boolean {
  return ref === 'workstation' || ref.startsWith('@') || /^(node|host|pod|container):\S+$/.test(ref);
}

/** `placeProblem` for several fields of a check's parameters, as `.field: problem` lint lines. */
export function placeProblems(fields: [string, string | undefined, boolean?][]): string[] {
  return fields.flatMap(([field, text, orAddress]) => {
    const problem = text === undefined ? undefined : placeProblem(text, orAddress);
    return problem ? [`.${field}: ${problem}`] : [];
  });
}

/**
 * Why a lab's place text can never be a place (checked when the lab is defined), or
 * undefined; templated text is judged per session. `orAddress`: an IPv4 address will do too.
 */
export function placeProblem(ref: string, orAddress = false): string | undefined {
  if (ref.includes('{{') || isPlaceSyntax(ref.trim()) || (orAddress && parseIp(ref.trim()) !== undefined)) return undefined;
  return `"${ref}" is not a place${orAddress ? ' or an address' : ''}; write ${PLACE_SYNTAX}${orAddress ? ', or an IPv4 address' : ''}`;
}
