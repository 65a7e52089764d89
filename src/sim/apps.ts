/**
 * The programs listening in each network namespace, and what they answer.
 *
 * Design notes: a pod's listeners come from its containers' images (apps/index.ts lists the
 * images the sandbox knows, one file each in apps/: what each serves, on which port, its
 * environment and files) and their command lines. An image the sandbox does not know still
 * runs, but listens on nothing: a TCP SYN to it gets a RST, a datagram ICMP port unreachable
 * (tcp.ts), as for a real program that opened no socket. A Docker container whose main process
 * is nginx listens on 80 with the same server (no log is kept for it); a container
 * on a user-defined network has Docker's embedded DNS server on 127.0.0.11 (docker/dns.ts). The
 * LAN's router answers DNS for the upstream world (apps/upstream.ts), which only the Docker
 * topology has a small internet behind (internet.ts). A node's or host's own namespace holds
 * its daemons' sockets (host/daemons.ts: systemd-resolved, sshd, containerd, the kubelet,
 * kube-proxy and the control plane, docker-proxy on a Docker host), which `ss` lists too.
 * The kernel's data path asks `findListener` through sockets.ts, where this module registers it.
 * Servers write a log line for every request they answer, with the client address they saw
 * (k8s/logs.ts), which `kubectl logs` shows.
 */
import { runsNginx } from './docker';
import { embeddedDnsListeners } from './docker/dns';
import { decodeDns, encodeDns } from './dns';
import type { Ip } from './ipv4';
import { appContext } from './apps/index';
import { hostListeners } from './host/daemons';
import { docrootOf, nginxServer } from './apps/nginx';
import { upstreamAnswer } from './apps/upstream';
import type { Listener, RequestContext } from './apps/http';
import { holdsSockets } from './k8s/crash';
import type { Pod } from './k8s/types';
import { registerListenerLookup } from './sockets';
import type { SimState } from './state';
import { forwardIp, portForwards } from './k8s/port-forward';

export { UPSTREAM } from './apps/upstream';
export { nginxErrorPage, parseRequest, text, type Listener, type RequestContext } from './apps/http';

/**
 * What a pod's containers listen on, from their images and arguments: the programs of the
 * containers that run, except those that could not bind their ports (k8s/crash.ts).
 */
export function podListeners(state: SimState, pod: Pod): Listener[] {
  const out: Listener[] = [];
  for (const c of pod.spec.containers) {
    if (!holdsSockets(state, pod, c.name)) continue;
    const hit = appContext(state, pod, c);
    if (hit?.def.listeners) out.push(...hit.def.listeners(hit.app));
  }
  return out;
}

/** Every listener in a namespace. */
export function listenersIn(state: SimState, nsId: string): Listener[] {
  if (nsId === 'router') return [{ proto: 'udp', port: 53, program: 'dnsmasq', handle: (req) => {
    try {
      return encodeDns(upstreamAnswer(decodeDns(req)));
    } catch {
      return undefined;
    }
  } }];
  if (nsId.startsWith('container/')) return containerListeners(state, nsId);
  if (nsId.startsWith('host/') || nsId.startsWith('node/')) return hostListeners(state, nsId.slice(5));
  if (nsId === 'workstation') return portForwardListeners(state);
  if (!nsId.startsWith('pod/')) return [];
  const pod = state.k8s.pods[nsId.slice(4)];
  if (!pod || pod.spec.hostNetwork) return [];
  return podListeners(state, pod);
}

/** A running Docker container's main process: nginx listens on 80 as in a pod; a shell or sleep listens on nothing. */
function containerListeners(state: SimState, nsId: string): Listener[] {
  const host = nsId.split('/')[1] ?? '';
  const h = state.docker?.hosts[host];
  const c = h?.containers.find((x) => x.ns === nsId && x.status === 'running');
  if (!h || !c) return [];
  const out = c.dnsPorts ? embeddedDnsListeners(h, c, upstreamAnswer) : [];
  return runsNginx(c) ? [...out, nginxServer(() => undefined, docrootOf(state, `container:${c.id}`))] : out;
}

/**
 * `kubectl port-forward` on the workstation (k8s/port-forward.ts): each connection goes to the
 * program listening on the port inside the pod's network namespace, from the pod's 127.0.0.1.
 */
function portForwardListeners(state: SimState): Listener[] {
  return portForwards(state).map((f) => ({
    proto: 'tcp' as const,
    port: f.localPort,
    program: 'kubectl',
    ...(forwardIp(f) !== undefined ? { addr: forwardIp(f)! } : {}),
    handle: (req: Uint8Array, ctx: RequestContext) => {
      f.connections++;
      const nsId = `pod/${f.namespace}/${f.pod}`;
      const inner = state.k8s.pods[`${f.namespace}/${f.pod}`] ? findListener(state, nsId, 'tcp', f.remotePort) : undefined;
      const lo = 0x7f000001;
      return inner?.handle(req, { state, ns: nsId, peer: { ip: lo, port: 40000 + (f.connections % 20000) }, local: { ip: lo, port: f.remotePort }, ...(ctx.now !== undefined ? { now: ctx.now } : {}) });
    },
  }));
}

/**
 * The listener for a protocol and port in a namespace, if any; with `localIp`, a listener bound
 * to one address answers only for it.
 */
export function findListener(state: SimState, nsId: string, proto: 'udp' | 'tcp', port: number, localIp?: Ip): Listener | undefined {
  // The sandbox's packets are IPv4: a socket that takes IPv6 alone never answers them.
  return listenersIn(state, nsId).find((l) => l.proto === proto && l.port === port && l.socket?.family !== 'v6only' && (l.addr === undefined || localIp === undefined || l.addr === localIp));
}

// The kernel's data path finds what listens through this lookup (sockets.ts).
registerListenerLookup(findListener, listenersIn);
