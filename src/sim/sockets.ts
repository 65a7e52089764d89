/**
 * Listening sockets as the kernel's data path sees them: something bound to a protocol, port and
 * address, which takes a request and may answer.
 *
 * Design notes: the data path (forward.ts delivering a datagram, tcp-stack.ts accepting a SYN
 * and handing over a request) knows packets, not programs. Which program listens where, and
 * what it answers, is decided above it: apps.ts (the images' programs, Docker's proxies and
 * DNS, kube-proxy's own servers) registers its lookup here when it loads, and the data path
 * asks through `findListener`, so it imports nothing from Kubernetes, Docker or the apps.
 * Asking before a lookup is registered is a wiring error and throws: a sandbox whose programs
 * are missing would otherwise refuse every connection without saying why.
 */
import type { Ip } from './ipv4';
import type { SimState } from './state';

/** What a program is told about one request. */
export interface RequestContext {
  state: SimState;
  /** Namespace id where the program runs. */
  ns: string;
  /** The source address and port the program sees (after any NAT on the way). */
  peer: { ip: Ip; port: number };
  local: { ip: Ip; port: number };
  /** When the request arrived (epoch ms), for the program's log. */
  now?: number;
  /** Opens a TCP connection from the program's namespace and returns what the server sent. */
  connect?(dst: Ip, port: number, request: Uint8Array): Uint8Array | undefined;
}

/** How a host daemon's socket was opened, as `ss` shows it. */
export interface SocketFacts {
  /** `v4`: an IPv4 socket; `dual`: an IPv6 wildcard socket that takes IPv4 too (Go's `:port`); `v6only`: IPv6 alone. */
  family: 'v4' | 'dual' | 'v6only';
  /** The listen() backlog (ss's Send-Q of a listening socket). */
  backlog: number;
  /** SO_BINDTODEVICE (`127.0.0.53%lo`). */
  dev?: string;
  /** The processes holding it and their descriptor numbers. */
  users: { name: string; pid: number; fd: number }[];
}

export interface Listener {
  proto: 'udp' | 'tcp';
  port: number;
  /** The program's name as `ss -l` shows it. */
  program: string;
  /** The local address the socket is bound to; absent: every address (0.0.0.0). */
  addr?: Ip;
  /** Answers one request (a datagram, or a whole TCP request stream); undefined = no answer. */
  handle(req: Uint8Array, ctx: RequestContext): Uint8Array | undefined;
  /** What the server sends as soon as a connection is established, before any request (sshd's banner). */
  greet?(ctx: RequestContext): Uint8Array;
  /** Whether the bytes received so far are a whole request (default: an HTTP head, or a length-prefixed DNS message on 53). */
  complete?(buf: number[]): boolean;
  /** The socket as `ss` lists it, for the daemons of a node or host (pods' sockets are derived from their programs). */
  socket?: SocketFacts;
}

/** The listener for a protocol and port in a namespace; with `localIp`, one bound to another address does not answer. */
export type ListenerLookup = (state: SimState, nsId: string, proto: 'udp' | 'tcp', port: number, localIp?: Ip) => Listener | undefined;

let lookup: ListenerLookup | undefined;
let listAll: ((state: SimState, nsId: string) => Listener[]) | undefined;

/** Installs the lookup the data path uses, and the list of every socket of a namespace (apps.ts does, when it loads). */
export function registerListenerLookup(fn: ListenerLookup, all?: (state: SimState, nsId: string) => Listener[]): void {
  lookup = fn;
  if (all) listAll = all;
}

/** Every listening socket in a namespace, IPv6-only ones included (what a program's bind() can collide with). */
export function listenersAt(state: SimState, nsId: string): Listener[] {
  if (!listAll) throw new Error('no listener lookup is registered: load apps.ts before sending packets');
  return listAll(state, nsId);
}

/** The listener the registered lookup finds for a protocol and port in a namespace, if any. */
export function findListener(state: SimState, nsId: string, proto: 'udp' | 'tcp', port: number, localIp?: Ip): Listener | undefined {
  if (!lookup) throw new Error('no listener lookup is registered: load apps.ts before sending packets');
  return lookup(state, nsId, proto, port, localIp);
}
