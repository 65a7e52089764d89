/**
 * User-defined bridge networks on a Docker host: `docker network create` and `rm`, the address
 * pools they draw their subnets from, the iptables rules Docker 28 writes for each bridge, and
 * the embedded DNS server's rules inside a container.
 *
 * Design notes: a user-defined bridge network is, as libnetwork's bridge driver makes it, a
 * Linux bridge named `br-` + the first 12 hex characters of the network's 64-hex id, holding
 * the gateway address (.1 of the subnet; `--gateway` chooses another), with a kernel route to
 * the subnet. Without `--subnet` the daemon takes the first /16 of its default address pools
 * (172.17.0.0/12 cut into /16s, then 192.168.0.0/16 cut into /20s) that overlaps neither an
 * existing network nor a route of the host: 172.17 is the default bridge's, so the first user
 * network gets 172.18.0.0/16, the next 172.19.0.0/16; a removed network's subnet is free again.
 * Ids come from the stream `docker:<host>/network#<n>` (the n-th network created on the host).
 *
 * iptables: Docker 28.0.1 - 28.5.x, for a second bridge (moby/moby v28.5.1
 * integration/network/bridge/iptablesdoc/generated/usernet-portmap.md): filter DOCKER gets
 * `! -i BR -o BR -j DROP` appended, DOCKER-BRIDGE `-o BR -j DOCKER`, DOCKER-CT the
 * RELATED,ESTABLISHED accept for `-o BR`, DOCKER-FORWARD `-i BR -j ACCEPT`,
 * DOCKER-ISOLATION-STAGE-1 `-i BR ! -o BR -j DOCKER-ISOLATION-STAGE-2` (all appended) and
 * DOCKER-ISOLATION-STAGE-2 `-o BR -j DROP` (inserted at the top); nat gets the MASQUERADE rule
 * for the subnet at the top of POSTROUTING and `-i BR -j RETURN` at the top of DOCKER. Traffic
 * from one bridge to another is dropped by the isolation rules; to the outside world it is
 * masqueraded. `docker network rm` takes every one of those rules away again.
 *
 * Embedded DNS: a container on a user-defined network gets `nameserver 127.0.0.11` with
 * `options ndots:0` in its resolv.conf, and the daemon's resolver listens inside the
 * container's namespace on 127.0.0.11 at two random ports (UDP and TCP), reached through the
 * nat rules libnetwork's resolver_unix.go inserts there: `-A OUTPUT -d 127.0.0.11/32 -j
 * DOCKER_OUTPUT` and DNAT rules for port 53 in DOCKER_OUTPUT. The resolver answers the names
 * and `--network-alias`es of the running containers that share a user-defined network with
 * the asker (their address on that network), and forwards every other name to the host's
 * nameserver. Left out: the DOCKER_POSTROUTING chain's SNAT rules (`--to-source :53`; the
 * reply's source port is restored by conntrack from the DNAT as it is anyway), IPv6, AAAA
 * answers (none: the networks have no IPv6), `--internal`, `-o` driver options, other drivers.
 */
import { broadcast, contains, formatCidr, formatIp, nth, parseCidr, parseIp, type Cidr, type Ip } from '../ipv4';
import { addDevice, type Netns } from '../netns';
import { emptyNetfilter, formatRule, host as hostMatch, net, type Netfilter, type Rule } from '../netfilter';
import { randomMac } from '../mac';
import { deriveRng, type Rng } from '../rng';
import type { SimState } from '../state';
import type { DockerAttachment, DockerContainer, DockerHost, DockerNetwork } from '../docker';

/** The embedded DNS server's address inside every container on a user-defined network. */
export const EMBEDDED_DNS: Ip = 0x7f00000b; // 127.0.0.11

/** Every network on the host that has a bridge: the default one first, then user-defined ones. */
export function bridgeNetworks(h: DockerHost): DockerNetwork[] {
  return [h.network, ...(h.userNetworks ?? [])];
}

export function networkById(h: DockerHost, id: string): DockerNetwork {
  const n = bridgeNetworks(h).find((x) => x.id === id);
  if (!n) throw new Error(`network ${id} not found`);
  return n;
}

/**
 * A bridge network by name, full id or id prefix, as the daemon looks one up (an exact name
 * wins over an id prefix); undefined when there is none. `host` and `none` are not bridges.
 */
export function findNetwork(h: DockerHost, ref: string): DockerNetwork | undefined {
  const all = bridgeNetworks(h);
  return all.find((n) => n.name === ref) ?? all.find((n) => n.id === ref) ?? (ref.length > 0 ? all.find((n) => n.id.startsWith(ref)) : undefined);
}

/** True for a network whose containers get the embedded DNS server (every bridge but the default one). */
export function isUserNetwork(h: DockerHost, n: DockerNetwork): boolean {
  return n.id !== h.network.id;
}

/**
 * The networks a container created with `--network MODE` joins: the default bridge, one
 * user-defined network, or none (`host`, `none`). `--network-alias` and `--ip` need a
 * user-defined network, as the daemon says.
 */
export function attachmentsFor(h: DockerHost, mode: string, aliases: string[], ip: string | undefined): DockerAttachment[] {
  if (mode === 'host' || mode === 'none') {
    if (aliases.length > 0) throw new Error('network-scoped aliases are only supported for user-defined networks');
    if (ip !== undefined) throw new Error('user specified IP address is supported on user defined networks only');
    return [];
  }
  if (mode === 'default') mode = 'bridge';
  const n = findNetwork(h, mode);
  if (!n) throw new Error(`network ${mode} not found`);
  const user = isUserNetwork(h, n);
  if (!user && aliases.length > 0) throw new Error('network-scoped aliases are only supported for user-defined networks');
  if (!user && ip !== undefined) throw new Error('user specified IP address is supported on user defined networks only');
  const att: DockerAttachment = { network: n.id, aliases: [...aliases] };
  if (ip !== undefined) att.ipv4 = checkIp(n, ip);
  return [att];
}

/** `--ip` must be an IPv4 address inside the network's subnet. */
export function checkIp(n: DockerNetwork, text: string): Ip {
  const ip = parseIp(text);
  if (ip === undefined) throw new Error(`invalid IPv4 address: ${text}`);
  if (!contains(n.subnet, ip)) throw new Error(`invalid endpoint settings:\nno configured subnet contains IP address ${text}`);
  return ip;
}

// ------------------------------------------------------------------------------ create / rm

export interface NetworkCreateOptions {
  name: string;
  /** `--subnet` and `--gateway` as typed. */
  subnet?: string;
  gateway?: string;
}

/** The daemon's default address pools: 172.17.0.0/12 in /16s, then 192.168.0.0/16 in /20s. */
function* defaultPools(): Generator<Cidr> {
  for (let b = 17; b <= 31; b++) yield { addr: ((172 << 24) | (b << 16)) >>> 0, len: 16 };
  for (let c = 0; c < 256; c += 16) yield { addr: ((192 << 24) | (168 << 16) | (c << 8)) >>> 0, len: 20 };
}

function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b.addr) || contains(b, a.addr);
}

function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += rng.int(16).toString(16);
  return s;
}

/**
 * `docker network create [--subnet CIDR] [--gateway IP] NAME`: the network, its bridge (up,
 * no carrier until a container joins), its route and its iptables rules.
 */
export function createNetwork(state: SimState, h: DockerHost, opts: NetworkCreateOptions, now: number): DockerNetwork {
  const name = opts.name;
  if (['bridge', 'host', 'none', 'default'].includes(name) || bridgeNetworks(h).some((n) => n.name === name)) {
    if (['host', 'none', 'bridge'].includes(name)) throw new Error(`network with name ${name} already exists`);
    if (name === 'default') throw new Error('default is a pre-defined network and cannot be created');
    throw new Error(`network with name ${name} already exists`);
  }
  const host = state.netns[h.ns]!;
  let subnet: Cidr;
  if (opts.subnet !== undefined) {
    const c = parseCidr(opts.subnet);
    if (!c) throw new Error(`invalid CIDR address: ${opts.subnet}`);
    subnet = { addr: (c.addr & (c.len === 0 ? 0 : (~0 << (32 - c.len)) >>> 0)) >>> 0, len: c.len };
    if (subnet.addr !== c.addr) throw new Error(`invalid subnet ${opts.subnet}: it should be ${formatCidr(subnet)}`);
    const clash = bridgeNetworks(h).find((n) => overlaps(n.subnet, subnet));
    if (clash) throw new Error(`invalid pool request: Pool overlaps with other one on this address space`);
  } else {
    if (opts.gateway !== undefined) throw new Error('no matching subnet for gateway ' + opts.gateway);
    const taken = [...bridgeNetworks(h).map((n) => n.subnet), ...host.routes.filter((r) => r.dst.len > 0 && r.type !== 'blackhole').map((r) => r.dst)];
    const free = [...defaultPools()].find((p) => !taken.some((t) => overlaps(t, p)));
    if (!free) throw new Error('all predefined address pools have been fully subnetted');
    subnet = free;
  }
  let gateway = nth(subnet, 1);
  if (opts.gateway !== undefined) {
    const gw = parseIp(opts.gateway);
    if (gw === undefined) throw new Error(`invalid gateway address ${opts.gateway}`);
    if (!contains(subnet, gw)) throw new Error(`no matching subnet for gateway ${opts.gateway}`);
    gateway = gw;
  }
  const rng = deriveRng(state.seed, `docker:${h.name}/network#${h.networkRuns ?? 0}`);
  h.networkRuns = (h.networkRuns ?? 0) + 1;
  let id = hex(rng, 64);
  while (bridgeNetworks(h).some((n) => n.id.slice(0, 12) === id.slice(0, 12)) || /^\d+$/.test(id.slice(0, 12))) id = hex(rng, 64);
  const n: DockerNetwork = { name, bridge: `br-${id.slice(0, 12)}`, id, subnet, gateway, mtu: 1500, created: now };
  addDevice(host, { name: n.bridge, kind: 'bridge', mac: randomMac(rng), mtu: n.mtu, up: true, addrs: [{ ip: gateway, len: subnet.len, brd: broadcast(subnet) }], fdb: {} });
  host.routes.push({ dst: subnet, dev: n.bridge, proto: 'kernel', scope: 'link', src: gateway });
  addBridgeRules(host.nf!, n);
  (h.userNetworks ??= []).push(n);
  return n;
}

/** `docker network rm`: refused while containers are attached; otherwise the bridge, route and rules go. */
export function removeNetwork(state: SimState, h: DockerHost, n: DockerNetwork): void {
  if (!isUserNetwork(h, n)) throw new Error(`${n.name} is a pre-defined network and cannot be removed`);
  const eps = h.containers.flatMap((c) => c.endpoints.filter((e) => e.network === n.id).map((e) => `name:"${c.name}" id:"${e.endpointId.slice(0, 12)}"`));
  if (eps.length > 0) throw new Error(`error while removing network: network ${n.name} has active endpoints (${eps.join(', ')})`);
  const host = state.netns[h.ns]!;
  host.devices = host.devices.filter((d) => d.name !== n.bridge);
  host.routes = host.routes.filter((r) => r.dev !== n.bridge);
  removeBridgeRules(host.nf!, n);
  h.userNetworks = (h.userNetworks ?? []).filter((x) => x !== n);
  // Stopped containers still configured for it keep the attachment, as Docker does: their next start fails.
}

function bridgeRules(n: DockerNetwork): { table: 'nat' | 'filter'; chain: string; rule: Rule; top: boolean }[] {
  const br = n.bridge;
  const jump = (chain: string): Rule['target'] => ({ t: 'jump', chain });
  return [
    { table: 'nat', chain: 'POSTROUTING', top: true, rule: { src: net(n.subnet), out: br, outNeg: true, matches: [], target: { t: 'MASQUERADE' } } },
    { table: 'nat', chain: 'DOCKER', top: true, rule: { in: br, matches: [], target: { t: 'RETURN' } } },
    { table: 'filter', chain: 'DOCKER', top: false, rule: { in: br, inNeg: true, out: br, matches: [], target: { t: 'DROP' } } },
    { table: 'filter', chain: 'DOCKER-BRIDGE', top: false, rule: { out: br, matches: [], target: jump('DOCKER') } },
    { table: 'filter', chain: 'DOCKER-CT', top: false, rule: { out: br, matches: [{ m: 'conntrack', ctstate: ['RELATED', 'ESTABLISHED'] }], target: { t: 'ACCEPT' } } },
    { table: 'filter', chain: 'DOCKER-FORWARD', top: false, rule: { in: br, matches: [], target: { t: 'ACCEPT' } } },
    { table: 'filter', chain: 'DOCKER-ISOLATION-STAGE-1', top: false, rule: { in: br, out: br, outNeg: true, matches: [], target: jump('DOCKER-ISOLATION-STAGE-2') } },
    { table: 'filter', chain: 'DOCKER-ISOLATION-STAGE-2', top: true, rule: { out: br, matches: [], target: { t: 'DROP' } } },
  ];
}

/** The rules Docker 28 adds for one more bridge network (see the design notes). */
export function addBridgeRules(nf: Netfilter, n: DockerNetwork): void {
  for (const r of bridgeRules(n)) {
    const chain = (nf[r.table].chains[r.chain] ??= { rules: [] });
    if (r.top) chain.rules.unshift(r.rule);
    else chain.rules.push(r.rule);
  }
}

function removeBridgeRules(nf: Netfilter, n: DockerNetwork): void {
  for (const r of bridgeRules(n)) {
    const chain = nf[r.table].chains[r.chain];
    if (!chain) continue;
    const text = formatRule(r.chain, r.rule);
    chain.rules = chain.rules.filter((x) => formatRule(r.chain, x) !== text);
  }
}

// ------------------------------------------------------------------------------ embedded DNS

/**
 * The embedded DNS server's plumbing in a container's namespace: two ports drawn for it and
 * the nat rules that send port 53 on 127.0.0.11 there. Idempotent.
 */
export function setupEmbeddedDns(state: SimState, c: DockerContainer, ns: Netns): void {
  if (c.dnsPorts) return;
  const rng = deriveRng(state.seed, `docker:${c.host}/container#${c.run}/dns#${c.starts}/${c.connects}`);
  const udp = 32768 + rng.int(28232);
  let tcp = 32768 + rng.int(28232);
  if (tcp === udp) tcp++;
  c.dnsPorts = { udp, tcp };
  const nf = ns.nf ?? emptyNetfilter();
  const dst = hostMatch(EMBEDDED_DNS);
  nf.nat.chains.OUTPUT!.rules.unshift({ dst, matches: [], target: { t: 'jump', chain: 'DOCKER_OUTPUT' } });
  nf.nat.chains.DOCKER_OUTPUT = {
    rules: [
      { dst, proto: 'tcp', matches: [{ m: 'tcp', dport: 53 }], target: { t: 'DNAT', to: { ip: EMBEDDED_DNS, port: tcp } } },
      { dst, proto: 'udp', matches: [{ m: 'udp', dport: 53 }], target: { t: 'DNAT', to: { ip: EMBEDDED_DNS, port: udp } } },
    ],
  };
  ns.nf = nf;
  ns.conntrack ??= [];
}

/**
 * True when the container's resolv.conf names the embedded DNS server: it joined a
 * user-defined network (the resolver, once started, stays until the container stops, also
 * after a disconnect).
 */
export function usesEmbeddedDns(h: DockerHost, c: DockerContainer): boolean {
  return !!c.dnsPorts || c.networks.some((a) => a.network !== h.network.id);
}

/** The same, by host name and container id (for the shell's resolver). */
export function containerUsesEmbeddedDns(state: SimState, host: string, id: string): boolean {
  const h = state.docker?.hosts[host];
  const c = h?.containers.find((x) => x.id === id);
  return !!h && !!c && c.status === 'running' && usesEmbeddedDns(h, c);
}

/**
 * What the embedded DNS server answers a container for `name` (lower case, no trailing dot):
 * the addresses, on each shared user-defined network, of the running containers called so or
 * aliased so there. Empty: not a container's name (the query goes to the host's nameserver).
 */
export function embeddedLookup(h: DockerHost, asker: DockerContainer, name: string): Ip[] {
  const mine = new Set(asker.endpoints.map((e) => e.network).filter((id) => id !== h.network.id));
  const out: Ip[] = [];
  for (const c of h.containers) {
    if (c.status !== 'running') continue;
    for (const e of c.endpoints) {
      if (!mine.has(e.network)) continue;
      const att = c.networks.find((a) => a.network === e.network);
      const names = [c.name, c.id.slice(0, 12), ...(att?.aliases ?? [])].map((x) => x.toLowerCase());
      if (names.includes(name) && !out.includes(e.ip)) out.push(e.ip);
    }
  }
  return out;
}

/** The resolv.conf Docker 28 writes for a container (libnetwork/internal/resolvconf). */
export function containerResolvConf(h: DockerHost, c: DockerContainer | undefined, hostNameserver: Ip): string {
  const header = '# Generated by Docker Engine.\n# This file can be edited; Docker Engine will not make further changes once it\n# has been modified.\n\n';
  if (c && usesEmbeddedDns(h, c)) {
    return `${header}nameserver 127.0.0.11\noptions ndots:0\n\n# Based on host file: '/etc/resolv.conf' (internal resolver)\n# ExtServers: [host(${formatIp(hostNameserver)})]\n# Overrides: []\n# Option ndots from: internal\n`;
  }
  return `${header}nameserver ${formatIp(hostNameserver)}\n\n# Based on host file: '/etc/resolv.conf' (legacy)\n# Overrides: []\n`;
}

/** The container's /etc/hosts: libnetwork's defaults, then one line per address it has. */
export function containerHostsFile(c: DockerContainer | undefined, short: string): string {
  const base = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\nff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';
  if (!c || c.status !== 'running') return base;
  return base + c.endpoints.map((e) => `${formatIp(e.ip)}\t${short}\n`).join('');
}
