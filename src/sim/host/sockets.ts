/**
 * The TCP and UDP sockets of a network namespace as the kernel lists them (what `ss` shows):
 * derived on every call from the programs that listen there.
 *
 * Design notes: in a node's or host's own namespace the sockets are its daemons' (daemons.ts,
 * each with its family, backlog, device and holders); in a pod's or container's namespace,
 * those of the programs the sandbox runs there (apps.ts): nginx on 0.0.0.0:80 and [::]:80
 * (backlog 511, the image's default.conf and its entrypoint's IPv6 line), shared by its master
 * and two workers; Go programs (CoreDNS, agnhost) as one dual-stack socket with backlog 4096
 * (somaxconn). `withUsers`: the holding processes, which only a shell in the host's pid
 * namespace sees (a pod's shell sees its own container's processes only). Every socket here
 * listens (TCP) or is unconnected (UDP).
 */
import { listenersIn } from '../apps';
import type { Listener } from '../apps/http';
import type { SimState } from '../state';
import { podProgramPid } from './processes';

/** Socket states as the kernel numbers them (include/net/tcp_states.h). */
export const TCP_LISTEN = 10;
export const UDP_UNCONN = 7;

export interface Sock {
  proto: 'tcp' | 'udp';
  v6: boolean;
  /** An IPv6 socket that takes no IPv4 traffic (nginx's `listen [::]:80`). */
  v6only?: boolean;
  state: number;
  rq: number;
  sq: number;
  /** The IPv4 address (0 = any); unused for the IPv6 wildcard sockets, the only IPv6 ones here. */
  local: number;
  /** The device the socket is bound to (SO_BINDTODEVICE), shown as `addr%dev`. */
  dev?: string;
  lport: number;
  remote: number;
  rport: number;
  users: { name: string; pid: number; fd: number }[];
}

const listen4 = (proto: 'tcp' | 'udp', local: number, lport: number, backlog: number, users: Sock['users'], dev?: string): Sock => ({
  proto,
  v6: false,
  state: proto === 'tcp' ? TCP_LISTEN : UDP_UNCONN,
  rq: 0,
  sq: proto === 'tcp' ? backlog : 0,
  local,
  ...(dev ? { dev } : {}),
  lport,
  remote: 0,
  rport: 0,
  users,
});
const listen6 = (proto: 'tcp' | 'udp', lport: number, backlog: number, users: Sock['users'], v6only = false): Sock => ({ ...listen4(proto, 0, lport, backlog, users), v6: true, ...(v6only ? { v6only } : {}) });

/** The sockets of the programs a pod's (or container's) namespace runs. */
function programSockets(listeners: Listener[], nsId: string, withUsers: boolean): Sock[] {
  const out: Sock[] = [];
  const base = podProgramPid(nsId);
  for (const l of listeners) {
    const users = (fd: number, workers = 0): Sock['users'] => {
      if (!withUsers) return [];
      const list = [{ name: l.program, pid: base, fd }];
      for (let w = 1; w <= workers; w++) list.unshift({ name: l.program, pid: base + 28 + w, fd });
      return list;
    };
    if (l.program === 'nginx') {
      // The image's default.conf: `listen 80;` and (added by its entrypoint) `listen [::]:80;`,
      // shared by the master and its worker processes (worker_processes auto: 2 CPUs).
      out.push(listen4('tcp', 0, l.port, 511, users(6, 2)), listen6('tcp', l.port, 511, users(7, 2), true));
    } else if (l.proto === 'udp') {
      out.push(listen6('udp', l.port, 0, users(8 + out.length)));
    } else {
      // Go's net.Listen(":port") opens one dual-stack socket; its backlog is somaxconn.
      out.push(listen6('tcp', l.port, 4096, users(7 + out.length)));
    }
  }
  return out;
}

/** Every TCP and UDP socket of the namespace `nsId`. */
export function socketsIn(state: SimState, nsId: string, withUsers: boolean): Sock[] {
  const listeners = listenersIn(state, nsId);
  if (!/^(?:node|host)\//.test(nsId)) return programSockets(listeners, nsId, withUsers);
  return listeners.flatMap((l): Sock[] => {
    const f = l.socket;
    if (!f) return [];
    const users = withUsers ? f.users : [];
    return [f.family === 'v4' ? listen4(l.proto, l.addr ?? 0, l.port, f.backlog, users, f.dev) : listen6(l.proto, l.port, f.backlog, users, f.family === 'v6only')];
  });
}
