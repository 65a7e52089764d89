/**
 * The programs listening in each network namespace, and what they answer.
 *
 * Design notes: a pod's listeners come from its containers' images (apps/index.ts lists the
 * images the sandbox knows, one file each in apps/: what each serves, on which port, its
 * environment and files) and their command lines. An image the sandbox does not know still
 * runs, but listens on nothing: a TCP SYN to it gets a RST, a datagram ICMP port unreachable
 * (tcp.ts), as for a real program that opened no socket. A Docker container whose main process
 * is nginx listens on 80 with the same server (no log is kept for it); a Docker host runs
 * docker-proxy on each published TCP port, relaying to the container (docker.ts); a container
 * on a user-defined network has Docker's embedded DNS server on 127.0.0.11 (docker/dns.ts). The
 * LAN's router answers DNS for the upstream world (apps/upstream.ts), which only the Docker
 * topology has a small internet behind (internet.ts). A node holds kube-proxy's own servers
 * (apps/kube-proxy.ts).
 * The kernel's data path asks `findListener` through sockets.ts, where this module registers it.
 * Servers write a log line for every request they answer, with the client address they saw
 * (k8s/logs.ts), which `kubectl logs` shows.
 */
import { runsNginx } from './docker';
import { embeddedDnsListeners } from './docker/dns';
import { decodeDns, encodeDns } from './dns';
import type { Ip } from './ipv4';
import { appContext } from './apps/index';
import { kubeProxyListeners } from './apps/kube-proxy';
import { docrootOf, nginxServer } from './apps/nginx';
import { upstreamAnswer } from './apps/upstream';
import type { Listener, RequestContext } from './apps/http';
import type { Pod } from './k8s/types';
import { registerListenerLookup } from './sockets';
import type { SimState } from './state';
import { forwardIp, portForwards } from './k8s/port-forward';

export { UPSTREAM } from './apps/upstream';
export { nginxErrorPage, parseRequest, text, type Listener, type RequestContext } from './apps/http';

/** What a pod's containers listen on, from their images and arguments. */
export function podListeners(state: SimState, pod: Pod): Listener[] {
  const out: Listener[] = [];
  for (const c of pod.spec.containers) {
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
  if (nsId.startsWith('host/')) return dockerProxies(state, nsId.slice(5));
  if (nsId === 'workstation') return portForwardListeners(state);
  if (nsId.startsWith('node/')) return kubeProxyListeners(state, nsId.slice(5));
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
 * docker-proxy, Docker's userland proxy: one per published TCP port of a running container,
 * listening in the host's namespace on the port's host address (every address by default).
 * It catches what the DNAT rules do not: connections from the host itself to 127.0.0.1 and
 * hairpin traffic from containers. It accepts, opens its own connection from the host to the
 * container's address and port, and relays the answer; the container sees the connection
 * coming from the host's docker0 address.
 */
function dockerProxies(state: SimState, host: string): Listener[] {
  const out: Listener[] = [];
  for (const c of state.docker?.hosts[host]?.containers ?? []) {
    if (c.status !== 'running') continue;
    for (const p of c.ports) {
      if (p.protocol !== 'tcp') continue;
      out.push({
        proto: 'tcp',
        port: p.hostPort,
        program: 'docker-proxy',
        ...(p.hostIp !== undefined ? { addr: p.hostIp } : {}),
        handle: (req, ctx) => ctx.connect?.(c.ip, p.containerPort, req),
      });
    }
  }
  return out;
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
  return listenersIn(state, nsId).find((l) => l.proto === proto && l.port === port && (l.addr === undefined || localIp === undefined || l.addr === localIp));
}

// The kernel's data path finds what listens through this lookup (sockets.ts).
registerListenerLookup(findListener);
