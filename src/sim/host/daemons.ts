/**
 * The listening sockets of a machine's own network namespace (a Kubernetes node, a Docker
 * host, a routed host) and the programs behind them: what `ss` lists there and what answers a
 * connection, from the same facts.
 *
 * Design notes: every machine runs systemd-resolved (DNS stubs 127.0.0.53%lo:53 and
 * 127.0.0.54:53, UDP and TCP) and sshd on *:22 (held by systemd's ssh.socket and by sshd; each
 * only while its unit is active, units.ts). A Kubernetes node adds containerd's CRI stream
 * server on a loopback port (a Go HTTP server: 404 for anything but a stream URL it handed
 * out), the kubelet (127.0.0.1:10248, *:10250: apps/kubelet.ts) while its unit runs, and the
 * programs of its host-network pods while their containers run: kube-proxy (apps/kube-proxy.ts),
 * etcd (TLS with client certificates on 127.0.0.1:2379, NODE-IP:2379 and NODE-IP:2380: a client
 * without one fails the handshake; plain HTTP metrics on 127.0.0.1:2381, `/health` answering
 * `{"health":"true","reason":""}`), kube-apiserver on *:6443, the controller manager on
 * 127.0.0.1:10257 and the scheduler on 127.0.0.1:10259 (apps/apiserver.ts), and the program of
 * any other image in a host-network pod (nginx on *:80), unless it could not bind its port
 * because something on the node already held it (k8s/crash.ts); flannel's VXLAN
 * device holds the kernel's UDP socket on 8472 (no process). A Docker host has docker-proxy
 * per published port and address family, relaying to the container (the IPv6 one takes no
 * IPv4 connection). Go programs open one dual-stack socket (`*:port`) with a backlog of 4096
 * (somaxconn); C daemons one per family. Pids are the processes' (processes.ts, units.ts),
 * descriptor numbers fixed plausible values.
 * Left out: connected sockets, the TIME-WAIT ones, UNIX sockets (containerd's API socket),
 * docker-proxy for UDP relaying datagrams (its sockets are listed, but a datagram to them gets
 * no answer).
 */
import { apiserverHandler, componentHandler } from '../apps/apiserver';
import { goNotFound, goResponse, goServe, isHead, PLAIN_HTTP_TO_TLS, requestTime } from '../apps/go-http';
import { parseRequest, type Listener, type SocketFacts } from '../apps/http';
import { kubeletApiHandler, kubeletHealthz } from '../apps/kubelet';
import { kubeProxyListeners } from '../apps/kube-proxy';
import { appContext } from '../apps/index';
import { sshd } from '../apps/sshd';
import { holdsSockets } from '../k8s/crash';
import { resolvedStub } from '../apps/systemd-resolved';
import { looksLikeTls, tlsAlert } from '../tls';
import type { SimState } from '../state';
import { podPids } from './processes';
import { hash, hostPid, isNode, setUnitActive, unitActive, unitBootStart, unitPid } from './units';

const LOOPBACK = 0x7f000001;

/** A socket no program answers on (the kernel's, or one whose traffic the sandbox does not carry). */
const silent: Listener['handle'] = () => undefined;

type Users = SocketFacts['users'];

function listener(proto: 'tcp' | 'udp', port: number, program: string, socket: SocketFacts, handle: Listener['handle'], addr?: number): Listener {
  // Every HTTP server here is a Go program.
  return { proto, port, program, socket, handle: goServe(handle), ...(addr ? { addr } : {}) };
}

/** An IPv4 socket bound to `addr` (0: every address). */
const v4 = (backlog: number, users: Users, dev?: string): SocketFacts => ({ family: 'v4', backlog, users, ...(dev ? { dev } : {}) });
/** A wildcard IPv6 socket (`*`), or one taking IPv6 alone (`[::]`). */
const v6 = (backlog: number, users: Users, only = false): SocketFacts => ({ family: only ? 'v6only' : 'dual', backlog, users });

/** The image's program name: the reference's last path component without tag or digest. */
const baseName = (image: string): string => (image.split('/').pop() ?? image).split(/[:@]/)[0]!;

/** The port containerd's CRI streaming server picked on the node. */
export function streamPort(machine: string): number {
  return 32768 + (hash(`${machine}/stream`) % 28232);
}

/** etcd's client and peer ports: TLS that requires a client certificate. */
const etcdTls: Listener['handle'] = (req) => (looksLikeTls(req) ? tlsAlert() : PLAIN_HTTP_TO_TLS);

/** etcd's metrics listener (--listen-metrics-urls=http://127.0.0.1:2381). */
const etcdMetrics: Listener['handle'] = (req, ctx) => {
  const path = parseRequest(req)?.path.split('?')[0];
  if (path === '/health' || path === '/readyz' || path === '/livez') return goResponse('200 OK', [], path === '/health' ? '{"health":"true","reason":""}' : 'ok', requestTime(ctx), isHead(req));
  return goNotFound(requestTime(ctx), isHead(req));
};

/**
 * A program of a host-network pod, with the sockets it opens as in a pod (host/sockets.ts):
 * nginx's `listen 80` and `listen [::]:80` (backlog 511, held by its master and two workers),
 * a Go server's one dual-stack socket (backlog 4096), a UDP server's IPv6 wildcard one.
 */
function hostNetworkSockets(l: Listener, pid: number): Listener[] {
  if (l.program === 'nginx') {
    const users = (fd: number): Users => [2, 1].map((w) => ({ name: 'nginx', pid: pid + 28 + w, fd })).concat({ name: 'nginx', pid, fd });
    return [{ ...l, socket: v4(511, users(6)) }, { ...l, handle: silent, socket: v6(511, users(7), true) }];
  }
  return [{ ...l, socket: v6(l.proto === 'udp' ? 0 : 4096, [{ name: l.program, pid, fd: 7 }]) }];
}

/** The programs of the node's host-network pods, while their containers run. */
function hostPodListeners(state: SimState, machine: string, nodeIp: number): Listener[] {
  const out: Listener[] = [];
  for (const p of Object.values(state.k8s.pods)) {
    if (p.spec.nodeName !== machine || !p.spec.hostNetwork || p.status.phase !== 'Running') continue;
    for (const [i, c] of p.spec.containers.entries()) {
      const started = p.status.containerStatuses?.find((s) => s.name === c.name)?.state.running?.startedAt;
      if (!started) continue;
      const name = baseName(c.image);
      const pid = podPids(machine, `${p.metadata.namespace}/${p.metadata.name}`, i, true).main;
      const u = (program: string, fd: number): Users => [{ name: program, pid, fd }];
      if (name === 'kube-proxy') out.push(...kubeProxyListeners(state, machine, { pid, start: Date.parse(started) }));
      else if (name === 'etcd')
        out.push(
          listener('tcp', 2379, 'etcd', v4(4096, u('etcd', 8)), etcdTls, LOOPBACK),
          listener('tcp', 2379, 'etcd', v4(4096, u('etcd', 7)), etcdTls, nodeIp),
          listener('tcp', 2380, 'etcd', v4(4096, u('etcd', 6)), etcdTls, nodeIp),
          listener('tcp', 2381, 'etcd', v4(4096, u('etcd', 13)), etcdMetrics, LOOPBACK),
        );
      else if (name === 'kube-apiserver') out.push(listener('tcp', 6443, 'kube-apiserver', v6(4096, u('kube-apiserver', 3)), apiserverHandler(state)));
      else if (name === 'kube-controller-manager') out.push(listener('tcp', 10257, 'kube-controller', v4(4096, u('kube-controller', 3)), componentHandler(state, 'kube-controller-manager', machine), LOOPBACK));
      else if (name === 'kube-scheduler') out.push(listener('tcp', 10259, 'kube-scheduler', v4(4096, u('kube-scheduler', 3)), componentHandler(state, 'kube-scheduler', machine), LOOPBACK));
      else if (p.metadata.namespace !== 'kube-system' && holdsSockets(state, p, c.name)) {
        // Any other program on the host network listens in the node's namespace, as in a pod's.
        const hit = appContext(state, p, c);
        for (const l of hit?.def.listeners?.(hit.app) ?? []) out.push(...hostNetworkSockets(l, pid));
      }
    }
  }
  return out;
}

/**
 * docker-proxy, Docker's userland proxy: one per published port of a running container and
 * address family, in the host's namespace on the port's host address (every address by
 * default). It catches what the DNAT rules do not: connections from the host itself to
 * 127.0.0.1 and hairpin traffic from containers. It accepts, opens its own connection from the
 * host to the container's address and port, and relays the answer; the container sees the
 * connection coming from the host's docker0 address.
 */
function dockerProxies(state: SimState, machine: string): Listener[] {
  const out: Listener[] = [];
  for (const c of state.docker?.hosts[machine]?.containers ?? []) {
    if (c.status !== 'running') continue;
    for (const p of c.ports) {
      const pid = hostPid(machine, 4000, 4000, `${c.id}/${p.protocol}/${p.hostPort}`);
      const relay: Listener['handle'] = p.protocol === 'tcp' ? (req, ctx) => ctx.connect?.(c.ip, p.containerPort, req) : silent;
      out.push(listener(p.protocol, p.hostPort, 'docker-proxy', v4(4096, [{ name: 'docker-proxy', pid, fd: 3 }]), relay, p.hostIp));
      if (p.hostIp === undefined) out.push(listener(p.protocol, p.hostPort, 'docker-proxy', v6(4096, [{ name: 'docker-proxy', pid: pid + 1, fd: 3 }], true), silent));
    }
  }
  return out;
}

/** Every listening socket of a machine's own namespace, with the program answering on it. */
export function hostListeners(state: SimState, machine: string): Listener[] {
  const ns = state.netns[`node/${machine}`] ?? state.netns[`host/${machine}`];
  const out: Listener[] = [];
  if (unitActive(state, machine, 'systemd-resolved.service')) {
    const p = unitPid(state, machine, 'systemd-resolved.service');
    const u = (fd: number): Users => [{ name: 'systemd-resolve', pid: p, fd }];
    out.push(
      listener('udp', 53, 'systemd-resolve', v4(0, u(13), 'lo'), resolvedStub, 0x7f000035),
      listener('tcp', 53, 'systemd-resolve', v4(4096, u(14), 'lo'), resolvedStub, 0x7f000035),
      listener('udp', 53, 'systemd-resolve', v4(0, u(15)), resolvedStub, 0x7f000036),
      listener('tcp', 53, 'systemd-resolve', v4(4096, u(16)), resolvedStub, 0x7f000036),
    );
  }
  const sshUsers: Users = [];
  if (unitActive(state, machine, 'ssh.service')) sshUsers.push({ name: 'sshd', pid: unitPid(state, machine, 'ssh.service'), fd: 3 });
  if (unitActive(state, machine, 'ssh.socket')) sshUsers.push({ name: 'systemd', pid: 1, fd: 100 + (hash(machine) % 50) });
  if (sshUsers.length > 0) {
    const greet: Listener['greet'] = (ctx) => {
      // A connection to ssh.socket while sshd is stopped makes systemd start it again (socket activation).
      if (!unitActive(state, machine, 'ssh.service')) setUnitActive(state, machine, 'ssh.service', true, ctx.now ?? state.createdAt);
      return sshd.greet!(ctx);
    };
    out.push({ ...listener('tcp', 22, 'sshd', v6(4096, sshUsers), sshd.handle), greet, complete: sshd.complete! });
  }
  if (isNode(state, machine)) {
    if (unitActive(state, machine, 'containerd.service')) {
      const stream: Listener['handle'] = (req, ctx) => goNotFound(requestTime(ctx), isHead(req));
      out.push(listener('tcp', streamPort(machine), 'containerd', v4(4096, [{ name: 'containerd', pid: unitPid(state, machine, 'containerd.service'), fd: 12 }]), stream, LOOPBACK));
    }
    if (unitActive(state, machine, 'kubelet.service')) {
      const kubelet = unitPid(state, machine, 'kubelet.service');
      out.push(
        listener('tcp', 10248, 'kubelet', v4(4096, [{ name: 'kubelet', pid: kubelet, fd: 22 }]), kubeletHealthz, LOOPBACK),
        listener('tcp', 10250, 'kubelet', v6(4096, [{ name: 'kubelet', pid: kubelet, fd: 20 }]), kubeletApiHandler(state, machine, unitBootStart(state, machine, 'kubelet.service'))),
      );
    }
    const nodeIp = ns?.devices.find((d) => d.name === 'eth0')?.addrs[0]?.ip ?? 0;
    out.push(...hostPodListeners(state, machine, nodeIp));
  }
  // flannel's VXLAN device: the kernel's UDP socket, owned by no process.
  if (ns?.devices.some((d) => d.kind === 'vxlan')) out.push(listener('udp', 8472, 'kernel', v4(0, []), silent));
  out.push(...dockerProxies(state, machine));
  return out;
}
