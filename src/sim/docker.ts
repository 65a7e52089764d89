/**
 * Docker hosts: the default bridge network (`docker0`), user-defined bridge networks,
 * containers and published ports.
 *
 * Design notes: a Docker host here is a Linux machine on a LAN (192.168.56.0/24 by default,
 * hosts from .11, the LAN router on .1) running Docker Engine 28 with its default bridge
 * network. Its root namespace has `lo`, `eth0` on the LAN and `docker0`, a bridge holding
 * 172.17.0.1/16; ip_forward is on. `docker run` creates a container the way libnetwork's
 * bridge driver does: a 64-hex id, a name (given, or `adjective_surname` drawn the way
 * Docker's namesgenerator does), a network namespace with `lo` and `eth0`, the other end of a
 * veth pair on the host named `veth` + 7 hex characters and enslaved to docker0, the lowest
 * free address of 172.17.0.0/16 from .2 (freed addresses are reused), a random locally
 * administered MAC (Docker 28+; up to 27 Docker derived it from the IP as 02:42:ac:11:...),
 * MTU 1500, and `default via 172.17.0.1`. veth interface indexes follow the kernel: both ends
 * are created in the host namespace (the container end first), so the container sees
 * `N: eth0@ifN+1` and the host `N+1: vethXXXXXXX@ifN`. Random choices come from per-object
 * streams derived from the seed (`netns:host/<host>`, `docker:<host>/container#<n>`), so the
 * n-th container on a host looks the same whatever else the learner did first.
 *
 * iptables: the rules are those Docker 28.0.1 - 28.5.x writes for the default bridge with the
 * userland proxy on (its default). 28.0.0 used ipset matches (`docker-ext-bridges-v4`);
 * 28.0.1 replaced them with the DOCKER-FORWARD, DOCKER-CT and DOCKER-BRIDGE chains
 * (moby/moby#49518, #49530) and kept the DOCKER-ISOLATION-STAGE-1/2 chains, which Docker 29
 * replaced with DOCKER-INTERNAL (moby/moby#49981). Sources, in moby/moby:
 * integration/network/bridge/iptablesdoc/generated/swarm-portmap.md and new-daemon.md of
 * that era (the integration test's dump of a fresh daemon), and
 * libnetwork/drivers/bridge/internal/iptabler/testdata/TestIptabler_hairpin=false,internal=false,
 * icc=true,masq=true,snat=false,gwm=nat,bindlh=false__iptables.golden (one published port).
 * The filter FORWARD policy is DROP, as Docker sets it when it had to switch ip_forward on
 * itself (the usual case on a fresh host); `forwardPolicy: 'ACCEPT'` models a host that
 * already forwarded. Each published port adds `-A DOCKER ! -i docker0 -p <proto> -m <proto>
 * --dport <hostPort> -j DNAT --to-destination <ip>:<port>` to nat DOCKER (appended) and an
 * ACCEPT for the translated destination at the head of filter DOCKER, before its DROP rule.
 * Outbound traffic from 172.17.0.0/16 leaving through anything but docker0 is masqueraded;
 * published-port traffic keeps its client's source address. The forwarding engine passes
 * bridged frames through the iptables hooks as br_netfilter does (`-i docker0 -o docker0`);
 * `-A DOCKER-FORWARD -i docker0 -j ACCEPT` lets container-to-container traffic through.
 *
 * Containers live as Docker's do: `dockerCreate` records one (`created`: name, command, port
 * bindings, the networks it will join, no interface yet), `dockerStart` attaches it to its
 * networks (docker0 by default) and programs its ports
 * (`running`), `dockerProcessExited` takes the network away again when its process ends
 * (`exited` with a status; a `--rm` one is removed), `dockerRm` removes one (a running one
 * only when forced). A start that finds a host port taken fails with the daemon's message and
 * leaves the container `created`, as real Docker does; a name in use fails the create. The
 * first start continues the container's creation stream, so `docker run` draws id, name,
 * MACs and veth name as one sequence; later starts draw from `.../start#k`. A stopped
 * container's address is free for others, and it gets the lowest free one when started again.
 * The images a host has (nginx, busybox, alpine, nicolaka/netshoot, tag latest) come with
 * their entrypoint, command, exposed ports and stop signal; image ids are content addresses,
 * the same on every host. A container runs its main process (apps.ts gives it its listeners):
 * nginx's image runs `/docker-entrypoint.sh`, which starts nginx for the default command and
 * otherwise execs the command it was given (`docker run -it nginx sh` runs a shell, and
 * nothing listens on 80). docker-proxy, the userland proxy Docker 28 runs by default, listens
 * in the host's namespace on every published TCP port (apps.ts) and relays to the container:
 * it is what answers `curl localhost:8080` on the host (the nat OUTPUT rule skips
 * 127.0.0.0/8) and a container's connection to its own host's published port (nat DOCKER
 * returns early for traffic from docker0). The learner's workstation sits on the LAN (.100).
 *
 *
 * Networks: besides the default bridge, a host has the user-defined bridge networks made with
 * `docker network create` (docker/networks.ts: `br-<id12>`, the next free 172.x.0.0/16, their
 * iptables rules, the embedded DNS server). A container joins the networks listed in its
 * `networks` (one from `--network`, more with `docker network connect`), each as an endpoint:
 * a veth pair into that network's bridge, `eth0`, `eth1`... in the container in the order
 * joined, the lowest free address of that network (or the one `--ip` asked for), a random MAC
 * and endpoint id; the default route goes via the first endpoint's gateway (when that one is
 * disconnected, via the next one's). `ip`, `mac`, `hostVeth` and `endpointId` repeat the first
 * endpoint's. A container on a user-defined network gets the embedded DNS server's rules in
 * its namespace and `nameserver 127.0.0.11` in its resolv.conf; one only on the default bridge
 * keeps the host's nameserver and cannot resolve other containers' names. `--network host`
 * shares the host's namespace (no interface of its own), `--network none` has only `lo`.
 * Connecting a running container draws from `.../container#<n>/connect#<k>`; the first
 * endpoint still draws from the creation stream, so a container on the default bridge looks
 * as it always did. The Docker topology's LAN router leads to a small internet (internet.ts).
 *
 * A DOCKER chain the learner deleted with iptables comes back empty when a published container
 * needs it (a real daemon fails the container's start with an iptables error instead).
 * Left out: the raw-table rule Docker 28 adds per published container
 * (`-A PREROUTING -d <ip>/32 ! -i docker0 -j DROP`; nothing on the simulated LAN routes to a
 * host's 172.17.0.0/16 anyway), docker-proxy for UDP ports (it
 * relays TCP only; UDP still reaches the container through DNAT from other machines), IPv6,
 * processes other than the main one, image pulls (no registry), restart policies, the
 * gateway choice among several endpoints by priority (the first joined keeps the default
 * route), the host's name inside a `--network host` container (it keeps its short id).
 * The kernel would age out ARP entries for a removed container's address; the sandbox has no
 * ARP timeouts and drops those entries when the container goes.
 */
import { broadcast, formatIp, nth, parseIp, size, type Cidr, type Ip } from './ipv4';
import { createRouter } from './cni';
import { UPSTREAM } from './apps';
import { createInternet } from './internet';
import { resolveConfig } from './cluster';
import { WORKSTATION_NS } from './k8s/cloud';
import { containerId } from './k8s/names';
import { randomMac, type Mac } from './mac';
import { emptyNetfilter, formatRule, host as hostMatch, net, type Netfilter, type Rule } from './netfilter';
import { addDevice, deviceByName, newNetns, type Device, type Netns, type Route } from './netns';
import { deriveRng, type Rng } from './rng';
import { attachmentsFor, checkIp, findNetwork, isUserNetwork, networkById, setupEmbeddedDns } from './docker/networks';
import { emptyState, type SimState } from './state';

/** The Docker Engine release whose behaviour (and iptables layout) the sandbox models. */
export const DOCKER_VERSION = '28.5.1';
export const DOCKER_BRIDGE = 'docker0';
export const DOCKER_SUBNET: Cidr = { addr: 0xac110000, len: 16 }; // 172.17.0.0/16
export const DOCKER_GATEWAY: Ip = 0xac110001; // 172.17.0.1

export interface DockerSpec {
  /** Number of Docker hosts (default 2). */
  hosts?: number;
  /** Host names; default `host-1`, `host-2`, ... */
  hostNames?: string[];
  /** The LAN the hosts' eth0 are on (default 192.168.56.0/24, router on .1). */
  lan?: string;
  /** Host number of the first host on the LAN (default 11). */
  firstHost?: number;
  mtu?: number;
  /** filter FORWARD policy: DROP (Docker switched ip_forward on itself, the default) or ACCEPT. */
  forwardPolicy?: 'DROP' | 'ACCEPT';
}

export interface PublishedPort {
  /** The host address the port is bound to; absent means 0.0.0.0 (every address). */
  hostIp?: Ip;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** 0 when `-p PORT` left the host port to the daemon (it picks one at each start). */
  requestedHostPort?: 0;
}

export type ContainerStatus = 'created' | 'running' | 'exited';

export interface DockerContainer {
  /** 64 hex characters. */
  id: string;
  /** Without Docker's leading `/`. */
  name: string;
  /** The image reference as given to `docker run`. */
  image: string;
  host: string;
  /** Its network namespace while running: `container/<host>/<id12>`. */
  ns: string;
  /** The address on docker0 while running (0 otherwise). */
  ip: Ip;
  /** eth0's MAC while running ('' otherwise). */
  mac: Mac;
  /** The host end of its veth pair (`veth` + 7 hex) while running. */
  hostVeth: string;
  /** libnetwork's endpoint id on the bridge network (64 hex) while running. */
  endpointId: string;
  /** libnetwork's sandbox id (64 hex; its first 12 name the netns file) while running. */
  sandboxId: string;
  /** The process id of its main process on the host while running (0 otherwise). */
  pid: number;
  ports: PublishedPort[];
  /** Epoch ms. */
  created: number;
  /** The main process, as Docker records it: Path and Args (entrypoint + cmd). */
  path: string;
  args: string[];
  cmd: string[];
  entrypoint: string[] | null;
  /** Started attached to the CLI (without `-d`): Config.AttachStdin/Stdout/Stderr. */
  attached?: boolean;
  /** `-t`, `-i`, `--rm`. */
  tty: boolean;
  openStdin: boolean;
  autoRemove: boolean;
  status: ContainerStatus;
  /** The last exit status (0 until the process has ended once). */
  exitCode: number;
  /** Epoch ms of the last start and of the last exit. */
  startedAt?: number;
  finishedAt?: number;
  /** n: it was the n-th container created on its host (names its random stream). */
  run: number;
  /** Draws its creation took from that stream (the first start continues after them). */
  draws: number;
  /** Successful starts so far. */
  starts: number;
  /** `--network`: `bridge` (the default), `host`, `none` or a user-defined network's name as given. */
  networkMode: string;
  /** The networks it joins when it starts, eth0 first (none for `host` and `none`). */
  networks: DockerAttachment[];
  /** Its interfaces while running, in the order of `networks`; `ip`, `mac`, `hostVeth` and `endpointId` above repeat the first. */
  endpoints: DockerEndpoint[];
  /** Connections made with `docker network connect` so far (names their random streams). */
  connects: number;
  /** The CLI command the learner's terminal is attached to its main process with (`docker attach`), if any. */
  attachedBy?: 'attach';
  /** The embedded DNS server's ports in its namespace while it runs on a user-defined network. */
  dnsPorts?: { udp: number; tcp: number };
}

/** A bridge network: the default one (`bridge`, docker0) or a user-defined one (`br-<id12>`). */
export interface DockerNetwork {
  /** The network's name in Docker: `bridge`, or the name given to `docker network create`. */
  name: string;
  /** Its Linux bridge: `docker0`, or `br-` + the first 12 hex of its id. */
  bridge: string;
  /** 64 hex characters. */
  id: string;
  subnet: Cidr;
  gateway: Ip;
  mtu: number;
  /** Epoch ms. */
  created: number;
}

/** The default bridge network keeps its old name in the types. */
export type DockerBridgeNetwork = DockerNetwork;

/** A network a container is configured to join (kept while it is stopped). */
export interface DockerAttachment {
  /** The network's id. */
  network: string;
  /** `--network-alias` names (user-defined networks only). */
  aliases: string[];
  /** `--ip`: the address asked for (user-defined networks only). */
  ipv4?: Ip;
}

/** A running container's interface on one network (libnetwork's endpoint). */
export interface DockerEndpoint {
  network: string;
  /** `eth0`, `eth1`, ... in the container. */
  ifname: string;
  ip: Ip;
  mac: Mac;
  /** The host end of the veth pair. */
  hostVeth: string;
  /** 64 hex characters. */
  endpointId: string;
}

export interface DockerHost {
  name: string;
  /** The host's root namespace id: `host/<name>`. */
  ns: string;
  /** eth0's address. */
  ip: Ip;
  /** The default bridge network (`bridge`, docker0). */
  network: DockerNetwork;
  /** User-defined bridge networks, in creation order. */
  userNetworks: DockerNetwork[];
  /** Networks created on this host so far: the n-th draws from stream `docker:<host>/network#<n>`. */
  networkRuns: number;
  /** In creation order. */
  containers: DockerContainer[];
  /** Containers created on this host so far: the n-th one draws from stream `docker:<host>/container#<n>`. */
  runs: number;
}

export interface DockerState {
  version: string;
  hosts: Record<string, DockerHost>;
}

export interface DockerRunOptions {
  name?: string;
  image: string;
  /** hostPort 0: the daemon picks one. */
  publish?: { hostPort: number; containerPort: number; protocol?: 'tcp' | 'udp'; hostIp?: string }[];
  /** The command after the image (replaces the image's CMD) and `--entrypoint`. */
  cmd?: string[];
  entrypoint?: string[] | null;
  /** Without `-d`: the CLI attaches to the container's streams. */
  attached?: boolean;
  tty?: boolean;
  openStdin?: boolean;
  autoRemove?: boolean;
  /** `--network` (default `bridge`), `--network-alias`, `--ip`. */
  network?: string;
  aliases?: string[];
  ip?: string;
}

export function dockerHostNsId(host: string): string {
  return `host/${host}`;
}

export function containerNsId(host: string, id: string): string {
  return `container/${host}/${id.slice(0, 12)}`;
}

export function defaultHostNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `host-${i + 1}`);
}

// ------------------------------------------------------------------------------ the hosts

/**
 * Fills in what a snapshot saved before user-defined networks existed lacks: no user networks,
 * every container on the default bridge (its one endpoint, eth0, from its address fields).
 */
export function upgradeDockerState(state: SimState): SimState {
  for (const h of Object.values(state.docker?.hosts ?? {})) {
    h.userNetworks ??= [];
    h.networkRuns ??= 0;
    for (const c of h.containers) {
      c.networkMode ??= 'bridge';
      c.networks ??= [{ network: h.network.id, aliases: [] }];
      c.connects ??= 0;
      c.endpoints ??= c.status === 'running' ? [{ network: h.network.id, ifname: 'eth0', ip: c.ip, mac: c.mac, hostVeth: c.hostVeth, endpointId: c.endpointId }] : [];
    }
  }
  return state;
}

/** Builds a sandbox of Docker hosts on one LAN, each with an empty default bridge network. */
export function buildDockerHosts(spec: DockerSpec, seed: number, createdAt: number): SimState {
  const names = spec.hostNames ?? defaultHostNames(spec.hosts ?? 2);
  if (names.length < 1) throw new Error('a Docker sandbox needs at least one host');
  if (new Set(names).size !== names.length) throw new Error('Docker host names must be unique');
  // The cluster fields are filled so generic code keeps working; only the LAN and MTU matter.
  const config = { ...resolveConfig({ nodeNetwork: spec.lan ?? '192.168.56.0/24', ...(spec.mtu !== undefined ? { mtu: spec.mtu } : {}) }), name: 'docker' };
  const state: SimState = { ...emptyState(seed, createdAt, config), docker: { version: DOCKER_VERSION, hosts: {} } };
  createRouter(state);
  const first = spec.firstHost ?? 11;
  names.forEach((name, i) => {
    const addr = nth(config.nodeNetwork, first + i);
    createDockerHost(state, name, addr, spec.forwardPolicy ?? 'DROP', createdAt);
  });
  createWorkstation(state);
  createInternet(state, Object.values(UPSTREAM));
  return state;
}

/** The learner's workstation: a plain machine on the LAN (.100), as in the Kubernetes topologies. */
function createWorkstation(state: SimState): void {
  const lan = state.config.nodeNetwork;
  const addr = nth(lan, 100);
  const rng = deriveRng(state.seed, `netns:${WORKSTATION_NS}`);
  const ns = newNetns(WORKSTATION_NS, '', 'workstation', rng.int(65536));
  const eth0 = addDevice(ns, { name: 'eth0', kind: 'ether', mac: randomMac(rng), mtu: state.config.mtu, up: true, addrs: [{ ip: addr, len: lan.len, brd: broadcast(lan) }], segment: 'lan' });
  ns.routes.push({ dst: { addr: 0, len: 0 }, via: state.config.gateway, dev: 'eth0' }, { dst: lan, dev: 'eth0', proto: 'kernel', scope: 'link', src: addr });
  state.netns[ns.id] = ns;
  state.segments.lan!.ports.push({ ns: ns.id, ifindex: eth0.ifindex });
}

function createDockerHost(state: SimState, name: string, addr: Ip, policy: 'DROP' | 'ACCEPT', createdAt: number): Netns {
  const lan = state.config.nodeNetwork;
  const mtu = state.config.mtu;
  const rng = deriveRng(state.seed, `netns:${dockerHostNsId(name)}`);
  const ns = newNetns(dockerHostNsId(name), '', name, rng.int(65536));
  const eth0 = addDevice(ns, { name: 'eth0', kind: 'ether', mac: randomMac(rng), mtu, up: true, addrs: [{ ip: addr, len: lan.len, brd: broadcast(lan) }], segment: 'lan' });
  // docker0 is up but has no carrier until a container's veth joins it (see hasCarrier).
  addDevice(ns, {
    name: DOCKER_BRIDGE,
    kind: 'bridge',
    mac: randomMac(rng),
    mtu: 1500,
    up: true,
    addrs: [{ ip: DOCKER_GATEWAY, len: DOCKER_SUBNET.len, brd: broadcast(DOCKER_SUBNET) }],
    fdb: {},
  });
  ns.routes.push(
    { dst: { addr: 0, len: 0 }, via: state.config.gateway, dev: 'eth0' },
    { dst: lan, dev: 'eth0', proto: 'kernel', scope: 'link', src: addr },
    { dst: DOCKER_SUBNET, dev: DOCKER_BRIDGE, proto: 'kernel', scope: 'link', src: DOCKER_GATEWAY },
  );
  ns.ipForward = true;
  ns.nf = dockerNetfilter(DOCKER_SUBNET, policy);
  ns.conntrack = [];
  state.netns[ns.id] = ns;
  state.segments.lan!.ports.push({ ns: ns.id, ifindex: eth0.ifindex });
  state.docker!.hosts[name] = {
    name,
    ns: ns.id,
    ip: addr,
    network: { name: 'bridge', bridge: DOCKER_BRIDGE, id: hex(rng, 64), subnet: DOCKER_SUBNET, gateway: DOCKER_GATEWAY, mtu: 1500, created: createdAt },
    userNetworks: [],
    networkRuns: 0,
    containers: [],
    runs: 0,
  };
  return ns;
}

/**
 * A device's carrier as the kernel reports it: a bridge has carrier only while at least one
 * port is up (an empty docker0 shows `<NO-CARRIER,BROADCAST,MULTICAST,UP> ... state DOWN`);
 * other devices while they are up. `ip addr`/`ip link` printers use this for NO-CARRIER,
 * LOWER_UP and the state column.
 */
export function hasCarrier(ns: Netns, dev: Device): boolean {
  if (!dev.up) return false;
  if (dev.kind === 'bridge') return ns.devices.some((d) => d.master === dev.name && d.up);
  return true;
}

/** True when `ip route` marks the route `linkdown` (its device has no carrier). */
export function routeLinkdown(ns: Netns, route: Route): boolean {
  if (route.type === 'blackhole') return false;
  const dev = deviceByName(ns, route.dev);
  return !!dev && !hasCarrier(ns, dev);
}

// ------------------------------------------------------------------------------ iptables

const DOCKER_USER = 'DOCKER-USER';
const DOCKER_FORWARD = 'DOCKER-FORWARD';
const DOCKER_CT = 'DOCKER-CT';
const DOCKER_BRIDGE_CHAIN = 'DOCKER-BRIDGE';
const ISOLATION_1 = 'DOCKER-ISOLATION-STAGE-1';
const ISOLATION_2 = 'DOCKER-ISOLATION-STAGE-2';

/**
 * The nat and filter rules a Docker 28.0.1 - 28.5.x daemon creates for its default bridge
 * (see the design notes for the moby/moby files they are taken from).
 */
export function dockerNetfilter(subnet: Cidr = DOCKER_SUBNET, forwardPolicy: 'DROP' | 'ACCEPT' = 'DROP', bridge = DOCKER_BRIDGE): Netfilter {
  const nf = emptyNetfilter();
  const nat = nf.nat.chains;
  const filter = nf.filter.chains;
  const local = { m: 'addrtype' as const, dstType: 'LOCAL' as const };
  const jump = (chain: string): Rule['target'] => ({ t: 'jump', chain });

  nat.PREROUTING!.rules.push({ matches: [local], target: jump('DOCKER') });
  nat.OUTPUT!.rules.push({ dst: net({ addr: 0x7f000000, len: 8 }, true), matches: [local], target: jump('DOCKER') });
  nat.POSTROUTING!.rules.push({ src: net(subnet), out: bridge, outNeg: true, matches: [], target: { t: 'MASQUERADE' } });
  nat.DOCKER = { rules: [{ in: bridge, matches: [], target: { t: 'RETURN' } }] };

  filter.FORWARD!.policy = forwardPolicy;
  filter.FORWARD!.rules.push({ matches: [], target: jump(DOCKER_USER) }, { matches: [], target: jump(DOCKER_FORWARD) });
  filter.DOCKER = { rules: [{ in: bridge, inNeg: true, out: bridge, matches: [], target: { t: 'DROP' } }] };
  filter[DOCKER_BRIDGE_CHAIN] = { rules: [{ out: bridge, matches: [], target: jump('DOCKER') }] };
  filter[DOCKER_CT] = { rules: [{ out: bridge, matches: [{ m: 'conntrack', ctstate: ['RELATED', 'ESTABLISHED'] }], target: { t: 'ACCEPT' } }] };
  filter[DOCKER_FORWARD] = {
    rules: [
      { matches: [], target: jump(DOCKER_CT) },
      { matches: [], target: jump(ISOLATION_1) },
      { matches: [], target: jump(DOCKER_BRIDGE_CHAIN) },
      { in: bridge, matches: [], target: { t: 'ACCEPT' } },
    ],
  };
  filter[ISOLATION_1] = { rules: [{ in: bridge, out: bridge, outNeg: true, matches: [], target: jump(ISOLATION_2) }] };
  filter[ISOLATION_2] = { rules: [{ out: bridge, matches: [], target: { t: 'DROP' } }] };
  filter[DOCKER_USER] = { rules: [{ matches: [], target: { t: 'RETURN' } }] };
  return nf;
}

/** The nat DNAT and filter ACCEPT rule Docker writes for one published port. */
export function publishRules(ip: Ip, p: PublishedPort, bridge = DOCKER_BRIDGE): { nat: Rule; filter: Rule } {
  return {
    nat: {
      ...(p.hostIp !== undefined ? { dst: hostMatch(p.hostIp) } : {}),
      in: bridge,
      inNeg: true,
      proto: p.protocol,
      matches: [{ m: p.protocol, dport: p.hostPort }],
      target: { t: 'DNAT', to: { ip, port: p.containerPort } },
    },
    filter: {
      dst: hostMatch(ip),
      in: bridge,
      inNeg: true,
      out: bridge,
      proto: p.protocol,
      matches: [{ m: p.protocol, dport: p.containerPort }],
      target: { t: 'ACCEPT' },
    },
  };
}

// ------------------------------------------------------------------------------ images

/** An image in a host's local store (the sandbox has no registry: only these exist). */
export interface DockerImage {
  /** Familiar repository name: `nginx`, `nicolaka/netshoot`. */
  repo: string;
  tag: string;
  entrypoint: string[] | null;
  cmd: string[];
  /** EXPOSE'd ports, `80/tcp`. */
  exposed: string[];
  /** STOPSIGNAL (SIGTERM when unset). */
  stopSignal?: string;
}

/** The images every sandbox Docker host has pulled, as their Dockerfiles define them. */
export const LOCAL_IMAGES: readonly DockerImage[] = [
  { repo: 'nginx', tag: 'latest', entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'], exposed: ['80/tcp'], stopSignal: 'SIGQUIT' },
  { repo: 'busybox', tag: 'latest', entrypoint: null, cmd: ['sh'], exposed: [] },
  { repo: 'alpine', tag: 'latest', entrypoint: null, cmd: ['/bin/sh'], exposed: [] },
  { repo: 'nicolaka/netshoot', tag: 'latest', entrypoint: null, cmd: ['zsh'], exposed: [] },
];

/**
 * An image reference split as the distribution/reference parser does: `nginx`,
 * `library/nginx:latest` and `docker.io/library/nginx` all name `nginx:latest`. Returns an
 * error text (`invalid reference format...`) for what the parser rejects.
 */
export function parseImageRef(ref: string): { repo: string; tag: string } | { error: string } {
  let rest = ref;
  let tag = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return { error: 'invalid reference format' };
  }
  if (rest === '') return { error: 'invalid reference format' };
  if (/[A-Z]/.test(rest) && /^[a-zA-Z0-9._/-]+$/.test(rest)) return { error: `invalid reference format: repository name (${rest.includes('/') ? rest : `library/${rest}`}) must be lowercase` };
  const comp = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
  const parts = rest.split('/');
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    if (parts[0] === 'docker.io' || parts[0] === 'index.docker.io') parts.shift();
    else if (!parts.slice(1).every((p) => comp.test(p))) return { error: 'invalid reference format' };
    else return { repo: parts.join('/'), tag };
  }
  if (!parts.every((p) => comp.test(p))) return { error: 'invalid reference format' };
  if (parts[0] === 'library' && parts.length === 2) parts.shift();
  return { repo: parts.join('/'), tag };
}

/** The local image a reference names, if the host has it. */
export function localImage(ref: string): DockerImage | undefined {
  const r = parseImageRef(ref);
  if ('error' in r) return undefined;
  return LOCAL_IMAGES.find((i) => i.repo === r.repo && i.tag === r.tag);
}

/** The image's id (`sha256:` + 64 hex): content-addressed, so the same on every host. */
export function imageId(seed: number, image: DockerImage): string {
  return `sha256:${hex(deriveRng(seed, `docker:image/${image.repo}:${image.tag}`), 64)}`;
}

// ------------------------------------------------------------------------------ containers

/** The nginx image's entrypoint script: it configures nginx when asked to run it, then execs its arguments. */
export const NGINX_ENTRYPOINT = '/docker-entrypoint.sh';

/**
 * The program a container's main process ends up running, and its arguments: the nginx
 * image's entrypoint execs its arguments (`docker run -it nginx sh` runs sh, not nginx);
 * any other main process is the program itself.
 */
export function mainProcess(c: Pick<DockerContainer, 'path' | 'args'>): { program: string; args: string[] } {
  if (c.path === NGINX_ENTRYPOINT) return { program: c.args[0] ?? '', args: c.args.slice(1) };
  return { program: c.path, args: c.args };
}

/** True when the container's main process is nginx (the image's default command), which serves HTTP on port 80. */
export function runsNginx(c: Pick<DockerContainer, 'path' | 'args'>): boolean {
  const program = mainProcess(c).program.replace(/^.*\//, '');
  return program === 'nginx' || program === 'nginx-debug';
}

/** `docker create`: the container exists but has no process and no network yet. */
export function dockerCreate(state: SimState, hostName: string, opts: DockerRunOptions, now: number): DockerContainer {
  const h = dockerHost(state, hostName);
  const ports = parsePublish(opts.publish);
  let name: string | undefined;
  if (opts.name !== undefined) {
    name = opts.name.replace(/^\//, '');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) throw new Error(`Invalid container name (${opts.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const taken = h.containers.find((c) => c.name === name);
    if (taken) throw new Error(`Conflict. The container name "/${name}" is already in use by container "${taken.id}". You have to remove (or rename) that container to be able to reuse that name.`);
  }
  const mode = opts.network ?? 'bridge';
  const networks = attachmentsFor(h, mode, opts.aliases ?? [], opts.ip);
  const image = localImage(opts.image);
  // Everything random about this container comes from its own stream, so the n-th container
  // on a host gets the same id, name and MACs whatever else happened in the sandbox before.
  const run = h.runs;
  const rng = countingRng(deriveRng(state.seed, `docker:${hostName}/container#${run}`));
  h.runs++;
  const id = uniqueId(rng, h);
  name ??= generateName(rng, (n) => h.containers.some((c) => c.name === n)) ?? id.slice(0, 12);
  const entrypoint = opts.entrypoint ?? image?.entrypoint ?? null;
  const cmd = opts.cmd && opts.cmd.length > 0 ? opts.cmd : (image?.cmd ?? []);
  const argv = [...(entrypoint ?? []), ...cmd];
  const c: DockerContainer = {
    id,
    name,
    image: opts.image,
    host: hostName,
    ns: mode === 'host' ? h.ns : containerNsId(hostName, id),
    ip: 0,
    mac: '',
    hostVeth: '',
    endpointId: '',
    sandboxId: '',
    pid: 0,
    ports,
    created: now,
    path: argv[0] ?? '',
    args: argv.slice(1),
    cmd,
    entrypoint,
    ...(opts.attached ? { attached: true } : {}),
    tty: opts.tty ?? false,
    openStdin: opts.openStdin ?? false,
    autoRemove: opts.autoRemove ?? false,
    status: 'created',
    exitCode: 0,
    run,
    draws: rng.draws(),
    starts: 0,
    networkMode: mode,
    networks,
    endpoints: [],
    connects: 0,
  };
  h.containers.push(c);
  return c;
}

/**
 * `docker start`: the container gets its network namespace, veth pair into docker0, address
 * and published-port rules, and its process runs. A host port already in use fails the start
 * (the container stays as it was) with the daemon's message.
 */
export function dockerStart(state: SimState, hostName: string, nameOrId: string, now: number): DockerContainer {
  const h = dockerHost(state, hostName);
  const c = findContainer(state, hostName, nameOrId);
  if (c.status === 'running') return c;
  const host = state.netns[h.ns]!;
  // The first start continues the creation stream (so `docker run` draws as one sequence);
  // later starts draw from a stream of their own.
  let rng: Rng;
  if (c.starts === 0) {
    rng = deriveRng(state.seed, `docker:${hostName}/container#${c.run}`);
    for (let i = 0; i < c.draws; i++) rng.next();
  } else rng = deriveRng(state.seed, `docker:${hostName}/container#${c.run}/start#${c.starts}`);
  if (c.networkMode === 'host') {
    // The container shares the host's network namespace: no interface, address or rules of its own.
    Object.assign(c, { sandboxId: hex(rng, 64), pid: 1000 + rng.int(60000), status: 'running', exitCode: 0, startedAt: now, starts: c.starts + 1 });
    delete c.finishedAt;
    return c;
  }
  const nets = c.networks.map((a) => networkById(h, a.network));
  const first = nets[0];
  const ip = first ? allocateIp(h, first, c.networks[0]!.ipv4) : 0;
  const nsName = hex(rng, 12);
  const ns = newNetns(c.ns, nsName, c.id.slice(0, 12), rng.int(65536));
  const drawn = first ? drawEndpoint(rng, host) : undefined;
  const overlaps = (p: PublishedPort, q: PublishedPort): boolean => q.protocol === p.protocol && q.hostPort === p.hostPort && (q.hostIp === undefined || p.hostIp === undefined || q.hostIp === p.hostIp);
  const running = h.containers.filter((x) => x.status === 'running');
  const ports = first ? c.ports.map((p) => (p.hostPort === 0 ? { ...p, hostPort: ephemeralPort(running, c.ports, p) } : p)) : [];
  const clash = ports.find((p, i) => ports.slice(0, i).some((q) => overlaps(p, q)) || running.some((x) => x.ports.some((q) => overlaps(p, q))));
  if (clash) {
    throw new Error(
      `failed to set up container networking: driver failed programming external connectivity on endpoint ${c.name} (${drawn!.endpointId}): Bind for ${clash.hostIp !== undefined ? formatIp(clash.hostIp) : '0.0.0.0'}:${clash.hostPort} failed: port is already allocated`,
    );
  }
  const sandboxId = nsName + hex(rng, 52);
  const pid = 1000 + rng.int(60000);
  state.netns[c.ns] = ns;
  c.endpoints = [];
  if (first) {
    c.endpoints.push(plugEndpoint(state, h, ns, first, drawn!, ip, 'eth0'));
    ns.routes.unshift({ dst: { addr: 0, len: 0 }, via: first.gateway, dev: 'eth0' });
  }
  // Further networks (a stopped container that was connected to more than one) come up as eth1, eth2...
  for (let i = 1; i < nets.length; i++) {
    const net = nets[i]!;
    const addr = allocateIp(h, net, c.networks[i]!.ipv4);
    c.endpoints.push(plugEndpoint(state, h, ns, net, drawEndpoint(rng, host), addr, `eth${i}`));
  }
  if (nets.some((n) => n.id !== h.network.id)) setupEmbeddedDns(state, c, ns);
  const nf = host.nf!;
  for (const p of ports) {
    const r = publishRules(ip, p, first!.bridge);
    // A DOCKER chain a learner deleted by hand comes back empty (the daemon writes its rules there).
    (nf.nat.chains.DOCKER ??= { rules: [] }).rules.push(r.nat);
    (nf.filter.chains.DOCKER ??= { rules: [] }).rules.unshift(r.filter);
  }
  const e0 = c.endpoints[0];
  Object.assign(c, { ip: e0?.ip ?? 0, mac: e0?.mac ?? '', hostVeth: e0?.hostVeth ?? '', endpointId: e0?.endpointId ?? '', sandboxId, pid, ports, status: 'running', exitCode: 0, startedAt: now, starts: c.starts + 1 });
  delete c.finishedAt;
  return c;
}

/** What libnetwork draws for one endpoint: the container end's MAC, the host end's name and MAC, the endpoint id. */
function drawEndpoint(rng: Rng, host: Netns): { mac: Mac; veth: string; vethMac: Mac; endpointId: string } {
  const mac = randomMac(rng);
  let veth = vethName(rng);
  while (deviceByName(host, veth)) veth = vethName(rng);
  const vethMac = randomMac(rng);
  const endpointId = hex(rng, 64);
  return { mac, veth, vethMac, endpointId };
}

/**
 * Creates the veth pair of one endpoint (both ends in the host namespace, the container end
 * first, as the kernel numbers them), moves the container end in as `ifname` with its address
 * and on-link route, and enslaves the host end to the network's bridge.
 */
function plugEndpoint(state: SimState, h: DockerHost, ns: Netns, net: DockerNetwork, d: { mac: Mac; veth: string; vethMac: Mac; endpointId: string }, ip: Ip, ifname: string): DockerEndpoint {
  const host = state.netns[h.ns]!;
  const peerIndex = host.nextIfindex;
  const hostIndex = peerIndex + 1;
  host.nextIfindex = hostIndex + 1;
  addDevice(ns, {
    ifindex: peerIndex,
    name: ifname,
    kind: 'veth',
    mac: d.mac,
    mtu: net.mtu,
    up: true,
    addrs: [{ ip, len: net.subnet.len, brd: broadcast(net.subnet) }],
    peer: { ns: host.id, ifindex: hostIndex },
  });
  addDevice(host, { ifindex: hostIndex, name: d.veth, kind: 'veth', mac: d.vethMac, mtu: net.mtu, up: true, addrs: [], master: net.bridge, peer: { ns: ns.id, ifindex: peerIndex } });
  ns.routes.push({ dst: net.subnet, dev: ifname, proto: 'kernel', scope: 'link', src: ip });
  return { network: net.id, ifname, ip, mac: d.mac, hostVeth: d.veth, endpointId: d.endpointId };
}

/** `docker run -d [--name NAME] [-p [IP:]HOSTPORT:PORT[/PROTO]]... IMAGE`: create, then start. */
export function dockerRun(state: SimState, hostName: string, opts: DockerRunOptions, now: number): DockerContainer {
  const c = dockerCreate(state, hostName, opts, now);
  return dockerStart(state, hostName, c.id, now);
}

/**
 * The container's process ended (`docker stop`, or the program exited): its network goes
 * (namespace, veth, published-port rules, conntrack entries, address) and it is `exited`
 * with `exitCode`; a `--rm` container is removed as well.
 */
/**
 * `docker network connect [--alias A] [--ip IP] NET CONTAINER`: a running container gets one
 * more interface (eth1, eth2...) on the network; a stopped one joins it at its next start.
 */
export function dockerConnect(state: SimState, hostName: string, netRef: string, nameOrId: string, opts: { aliases?: string[]; ip?: string } = {}): DockerContainer {
  const h = dockerHost(state, hostName);
  const n = findNetwork(h, netRef);
  if (!n) throw new Error(`network ${netRef} not found`);
  const c = findContainer(state, hostName, nameOrId);
  if (c.networkMode === 'host') throw new Error('container cannot be disconnected from host network or connected to host network');
  if (c.networkMode === 'none') throw new Error('container cannot be disconnected from none network or connected to none network');
  if (c.networks.some((a) => a.network === n.id)) throw new Error(`endpoint with name ${c.name} already exists in network ${n.name}`);
  const user = isUserNetwork(h, n);
  if (!user && (opts.aliases ?? []).length > 0) throw new Error('network-scoped aliases are only supported for user-defined networks');
  if (!user && opts.ip !== undefined) throw new Error('user specified IP address is supported on user defined networks only');
  const att = { network: n.id, aliases: [...(opts.aliases ?? [])], ...(opts.ip !== undefined ? { ipv4: checkIp(n, opts.ip) } : {}) };
  if (c.status !== 'running') {
    c.networks.push(att);
    return c;
  }
  const ns = state.netns[c.ns]!;
  const host = state.netns[h.ns]!;
  const ip = allocateIp(h, n, att.ipv4);
  const rng = deriveRng(state.seed, `docker:${hostName}/container#${c.run}/connect#${c.connects}`);
  c.connects++;
  let k = 0;
  while (ns.devices.some((d) => d.name === `eth${k}`)) k++;
  c.networks.push(att);
  const e = plugEndpoint(state, h, ns, n, drawEndpoint(rng, host), ip, `eth${k}`);
  c.endpoints.push(e);
  if (!ns.routes.some((r) => r.dst.len === 0)) ns.routes.unshift({ dst: { addr: 0, len: 0 }, via: n.gateway, dev: e.ifname });
  if (user) setupEmbeddedDns(state, c, ns);
  syncPrimary(c);
  return c;
}

/** `docker network disconnect NET CONTAINER`: the interface goes; another one takes the default route if it was this one's. */
export function dockerDisconnect(state: SimState, hostName: string, netRef: string, nameOrId: string): DockerContainer {
  const h = dockerHost(state, hostName);
  const n = findNetwork(h, netRef);
  if (!n) throw new Error(`network ${netRef} not found`);
  const c = findContainer(state, hostName, nameOrId);
  if (!c.networks.some((a) => a.network === n.id)) throw new Error(`container ${c.id} is not connected to network ${n.name}`);
  c.networks = c.networks.filter((a) => a.network !== n.id);
  const e = c.endpoints.find((x) => x.network === n.id);
  if (e) {
    unplugEndpoint(state, h, c, e);
    c.endpoints = c.endpoints.filter((x) => x !== e);
    const ns = state.netns[c.ns]!;
    const next = c.endpoints[0];
    if (!ns.routes.some((r) => r.dst.len === 0) && next) ns.routes.unshift({ dst: { addr: 0, len: 0 }, via: networkById(h, next.network).gateway, dev: next.ifname });
    syncPrimary(c);
  }
  return c;
}

/** `ip`, `mac`, `hostVeth` and `endpointId` repeat the first endpoint's. */
function syncPrimary(c: DockerContainer): void {
  const e0 = c.endpoints[0];
  Object.assign(c, { ip: e0?.ip ?? 0, mac: e0?.mac ?? '', hostVeth: e0?.hostVeth ?? '', endpointId: e0?.endpointId ?? '' });
}

export function dockerProcessExited(state: SimState, hostName: string, nameOrId: string, exitCode: number, now: number): DockerContainer {
  const h = dockerHost(state, hostName);
  const c = findContainer(state, hostName, nameOrId);
  if (c.status !== 'running') return c;
  detach(state, h, c);
  Object.assign(c, { status: 'exited', exitCode, finishedAt: now, pid: 0 });
  delete c.attachedBy;
  if (c.autoRemove) h.containers = h.containers.filter((x) => x !== c);
  return c;
}

/**
 * `docker rm [-f] NAME|ID`: removes the container; a running one only with `force` (it is
 * killed first), otherwise the daemon refuses. The default (force) is what scripts and tests
 * use to clear a host.
 */
export function dockerRm(state: SimState, hostName: string, nameOrId: string, force = true): DockerContainer {
  const h = dockerHost(state, hostName);
  const c = findContainer(state, hostName, nameOrId);
  if (c.status === 'running') {
    if (!force) throw new Error(`cannot remove container "${nameOrId}": container is running: stop the container before removing or force remove`);
    detach(state, h, c);
    Object.assign(c, { status: 'exited', exitCode: 137, finishedAt: c.startedAt, pid: 0 });
  }
  h.containers = h.containers.filter((x) => x !== c);
  return c;
}

/** Takes a running container off its networks: namespace, veths, FDB entries, rules, conntrack, ARP. */
function detach(state: SimState, h: DockerHost, c: DockerContainer): void {
  const host = state.netns[h.ns]!;
  for (const e of c.endpoints) unplugEndpoint(state, h, c, e);
  if (c.networkMode !== 'host') delete state.netns[c.ns];
  const nf = host.nf!;
  const drop = new Set<string>();
  const bridge = c.endpoints[0] ? networkById(h, c.endpoints[0].network).bridge : DOCKER_BRIDGE;
  for (const p of c.ports) {
    const r = publishRules(c.ip, p, bridge);
    drop.add(formatRule('DOCKER', r.nat));
    drop.add(formatRule('DOCKER', r.filter));
  }
  for (const t of [nf.nat, nf.filter]) {
    const chain = t.chains.DOCKER;
    if (chain) chain.rules = chain.rules.filter((r) => !drop.has(formatRule('DOCKER', r)));
  }
  Object.assign(c, { ip: 0, mac: '', hostVeth: '', endpointId: '', sandboxId: '', endpoints: [] });
  delete c.dnsPorts;
  // A port published without a host port gets a new one at the next start.
  c.ports = c.ports.map((p) => (p.requestedHostPort === 0 ? { ...p, hostPort: 0 } : p));
}

/** Removes one endpoint: the host's veth end (and the container's with it), FDB entries, conntrack entries and ARP entries for its address. */
function unplugEndpoint(state: SimState, h: DockerHost, c: DockerContainer, e: DockerEndpoint): void {
  const host = state.netns[h.ns]!;
  host.devices = host.devices.filter((d) => d.name !== e.hostVeth);
  const net = h.network.id === e.network ? h.network : h.userNetworks.find((n) => n.id === e.network);
  const br = net ? deviceByName(host, net.bridge) : undefined;
  if (br?.fdb) for (const [mac, f] of Object.entries(br.fdb)) if (f.port === e.hostVeth) delete br.fdb[mac];
  const ns = state.netns[c.ns];
  if (ns && c.networkMode !== 'host') {
    ns.devices = ns.devices.filter((d) => d.name !== e.ifname);
    ns.routes = ns.routes.filter((r) => r.dev !== e.ifname);
  }
  // libnetwork flushes the endpoint's conntrack entries when it goes.
  host.conntrack = (host.conntrack ?? []).filter((x) => ![x.orig.src, x.orig.dst, x.reply.src, x.reply.dst].includes(e.ip));
  for (const id of [h.ns, ...h.containers.filter((x) => x.status === 'running').map((x) => x.ns)]) {
    const other = state.netns[id];
    if (other) other.neigh = other.neigh.filter((n) => n.ip !== e.ip);
  }
}

function parsePublish(publish: DockerRunOptions['publish']): PublishedPort[] {
  const ports: PublishedPort[] = (publish ?? []).map((p) => {
    const out: PublishedPort = { hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol ?? 'tcp' };
    if (p.hostPort === 0) out.requestedHostPort = 0;
    if (p.hostIp !== undefined && p.hostIp !== '' && p.hostIp !== '0.0.0.0') out.hostIp = parseHostIp(p.hostIp);
    return out;
  });
  for (const p of ports) {
    if (!(p.hostPort >= 0 && p.hostPort <= 65535) || !(p.containerPort >= 1 && p.containerPort <= 65535)) {
      throw new Error(`invalid port mapping: ${p.hostPort}:${p.containerPort}/${p.protocol}`);
    }
  }
  return ports;
}

/** The daemon's port allocator for `-p PORT` (no host port): the lowest free one from 32768. */
function ephemeralPort(running: DockerContainer[], own: PublishedPort[], p: PublishedPort): number {
  const used = new Set([...running.flatMap((c) => c.ports), ...own].filter((q) => q.protocol === p.protocol).map((q) => q.hostPort));
  let port = 32768;
  while (used.has(port)) port++;
  return port;
}

/** A container by name, full id or unique id prefix, as the Docker CLI resolves them. */
export function findContainer(state: SimState, hostName: string, nameOrId: string): DockerContainer {
  const h = dockerHost(state, hostName);
  const key = nameOrId.replace(/^\//, '');
  const byName = h.containers.find((c) => c.name === key || c.id === key);
  if (byName) return byName;
  const byPrefix = key.length > 0 ? h.containers.filter((c) => c.id.startsWith(key)) : [];
  if (byPrefix.length > 1) throw new Error(`multiple IDs found with provided prefix: ${key}`);
  if (byPrefix[0]) return byPrefix[0];
  throw new Error(`No such container: ${nameOrId}`);
}

export function dockerHost(state: SimState, hostName: string): DockerHost {
  const h = state.docker?.hosts[hostName];
  if (!h) throw new Error(`no Docker host ${hostName}`);
  return h;
}

/** The lowest free address of the network's subnet from .2 (freed addresses are reused), or the one asked for with `--ip`. */
function allocateIp(h: DockerHost, net: DockerNetwork, requested?: Ip): Ip {
  const used = new Set(h.containers.filter((c) => c.status === 'running').flatMap((c) => c.endpoints.filter((e) => e.network === net.id).map((e) => e.ip)));
  used.add(net.gateway);
  const subnet = net.subnet;
  if (requested !== undefined) {
    if (used.has(requested)) throw new Error(`failed to set up container networking: Address already in use`);
    return requested;
  }
  for (let off = 2; off < size(subnet) - 1; off++) {
    const ip = nth(subnet, off);
    if (!used.has(ip)) return ip;
  }
  throw new Error(`no available IPv4 addresses on this network's address pools: ${net.name} (${net.id})`);
}

function uniqueId(rng: Rng, h: DockerHost): string {
  for (;;) {
    const id = containerId(rng);
    // Docker retries ids whose 12-character short form is all digits (it would parse as a number).
    if (/^\d+$/.test(id.slice(0, 12))) continue;
    if (!h.containers.some((c) => c.id.slice(0, 12) === id.slice(0, 12))) return id;
  }
}

function parseHostIp(text: string): Ip {
  const ip = parseIp(text);
  if (ip === undefined) throw new Error(`invalid IP address: ${text}`);
  return ip;
}

/** An Rng that counts the values it has drawn (`int`, `pick` and `string` draw through `next`). */
function countingRng(rng: Rng): Rng & { draws(): number } {
  let n = 0;
  const next = (): number => {
    n++;
    return rng.next();
  };
  const int = (k: number): number => {
    if (!(k > 0)) throw new RangeError(`rng.int(${k})`);
    return Math.floor(next() * k);
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('rng.pick of an empty array');
      return items[int(items.length)]!;
    },
    string: (alphabet: string, k: number): string => {
      let s = '';
      for (let i = 0; i < k; i++) s += alphabet[int(alphabet.length)];
      return s;
    },
    draws: () => n,
  };
}

function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += rng.int(16).toString(16);
  return s;
}

/** The host end of a container's veth pair, as libnetwork names it: `veth` + 7 hex characters. */
export function vethName(rng: Rng): string {
  return `veth${hex(rng, 7)}`;
}

// ------------------------------------------------------------------------------ names

/** A selection from moby's pkg/namesgenerator left (adjectives) and right (surnames) lists. */
const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful', 'bold',
  'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'confident', 'cool', 'cranky',
  'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant', 'eloquent',
  'epic', 'exciting', 'fervent', 'festive', 'focused', 'friendly', 'frosty', 'funny', 'gallant', 'gifted',
  'goofy', 'gracious', 'great', 'happy', 'hopeful', 'hungry', 'inspiring', 'intelligent', 'jolly', 'jovial',
  'keen', 'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest', 'musing', 'nervous', 'nice',
  'nifty', 'nostalgic', 'objective', 'optimistic', 'peaceful', 'pensive', 'practical', 'priceless', 'quirky', 'relaxed',
  'romantic', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange', 'sweet', 'tender', 'thirsty',
  'trusting', 'upbeat', 'vibrant', 'vigilant', 'wizardly', 'wonderful', 'youthful', 'zealous', 'zen',
];

const RIGHT = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bell', 'bhabha',
  'black', 'bohr', 'booth', 'bose', 'brattain', 'brown', 'burnell', 'carson', 'cerf', 'chandrasekhar',
  'clarke', 'curie', 'darwin', 'davinci', 'diffie', 'dijkstra', 'dirac', 'easley', 'einstein', 'elion',
  'engelbart', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'franklin', 'galileo', 'gauss',
  'goldberg', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hellman', 'hertz', 'hodgkin', 'hopper', 'hypatia',
  'jackson', 'jennings', 'johnson', 'kalam', 'kepler', 'khorana', 'knuth', 'lamarr', 'lamport', 'leavitt',
  'liskov', 'lovelace', 'margulis', 'maxwell', 'mayer', 'mccarthy', 'meitner', 'mendel', 'merkle', 'mirzakhani',
  'moore', 'morse', 'napier', 'nash', 'newton', 'nobel', 'noether', 'noyce', 'pascal', 'pasteur',
  'pike', 'poincare', 'ramanujan', 'ride', 'ritchie', 'shamir', 'shannon', 'shaw', 'swartz', 'tesla',
  'thompson', 'torvalds', 'turing', 'varahamihira', 'wiles', 'wilson', 'wing', 'wozniak', 'wright', 'wu', 'yalow',
];

/** moby's namesgenerator.GetRandomName: `left_right`, never boring_wozniak, a digit after a retry. */
export function randomName(rng: Rng, retry: number): string {
  for (;;) {
    const name = `${rng.pick(LEFT)}_${rng.pick(RIGHT)}`;
    if (name === 'boring_wozniak') continue; // Steve Wozniak is not boring
    return retry > 0 ? `${name}${rng.int(10)}` : name;
  }
}

/** The daemon's generateNewName: up to six tries, then undefined (the caller uses the short id). */
function generateName(rng: Rng, taken: (name: string) => boolean): string | undefined {
  for (let i = 0; i < 6; i++) {
    const name = randomName(rng, i);
    if (!taken(name)) return name;
  }
  return undefined;
}
