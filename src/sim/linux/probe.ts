/**
 * Whether a TCP connection between two machines still has a path both ways, asked without
 * changing anything: the test behind a login session that hangs when a change cuts it off.
 *
 * Design notes: an established connection keeps working while its segments get through and
 * something answers them; so a probe segment (a SYN to the server's port) is sent through the
 * real data path (routes, neighbours, devices up or down, iptables), and the connection lives
 * if any TCP segment from the server comes back to the client (a SYN-ACK, or a reset where no
 * listener is modelled). The probe runs on a copy of the namespaces it touches (copied on first
 * access), of the switches and of the RNG, so ARP entries, conntrack entries, counters and
 * random draws of the real sandbox stay as they were. A mesh (mesh.ts) is only read: a copy that
 * would change what it holds through one leaves it, as the real namespace would.
 * Left out: a firewall rule that drops only new connections (`--ctstate NEW`) looks like a cut
 * here, where a real established session would survive it.
 */
import { clone } from '../clone';
import { inject } from '../forward';
import type { Ip } from '../ipv4';
import { ipv4, tcp, TCP_SYN } from '../packet';
import { sourceTo, type Netns } from '../netns';
import type { SimState } from '../state';

/** A view of `state` whose namespaces, switches and RNG are copies made on first touch. */
function overlay(state: SimState): SimState {
  const copies = new Map<string, Netns>();
  const gone = new Set<string>();
  const read = (target: Record<string, Netns>, key: string): Netns | undefined => {
    if (gone.has(key)) return undefined;
    const have = copies.get(key);
    if (have) return have;
    const original = target[key];
    if (!original) return undefined;
    const copy = clone(original);
    copies.set(key, copy);
    return copy;
  };
  const netns = new Proxy(state.netns, {
    get(target, key) {
      return typeof key === 'string' ? read(target, key) : Reflect.get(target, key);
    },
    set(_target, key, value) {
      if (typeof key === 'string') {
        copies.set(key, value as Netns);
        gone.delete(key);
      }
      return true;
    },
    deleteProperty(_target, key) {
      if (typeof key === 'string') {
        copies.delete(key);
        gone.add(key);
      }
      return true;
    },
    has(target, key) {
      return typeof key === 'string' ? !gone.has(key) && (copies.has(key) || key in target) : key in target;
    },
    ownKeys(target) {
      return [...new Set([...Reflect.ownKeys(target), ...copies.keys()])].filter((k) => typeof k !== 'string' || !gone.has(k));
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key === 'string' && (copies.has(key) || (key in target && !gone.has(key)))) return { configurable: true, enumerable: true, writable: true, value: read(target, key) };
      return undefined;
    },
  });
  return { ...state, netns, segments: clone(state.segments), rng: [...state.rng] as SimState['rng'] };
}

/** True when a TCP segment from namespace `from` to `dst`:`port` gets a TCP answer back to `from`. */
export function tcpPathAlive(state: SimState, from: string, dst: Ip, port: number, now: number): boolean {
  const view = overlay(state);
  const ns = view.netns[from];
  if (!ns) return false;
  const src = sourceTo(ns, dst, view);
  if (src === undefined) return false;
  const packet = ipv4({ src, dst, ttl: 64, id: 0, df: true, payload: tcp(src, dst, { srcPort: 50022, dstPort: port, seq: 1, flags: TCP_SYN }) });
  const trace = inject(view, from, packet, now);
  return trace.deliveries.some((d) => d.ns === from && d.packet.src === dst && d.packet.payload.kind === 'tcp');
}
