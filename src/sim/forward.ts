/**
 * Packet forwarding through namespaces, veth pairs, bridges, switches and VXLAN tunnels.
 *
 * Design notes: this is the kernel's data path reduced to what the course teaches, run as a
 * work queue so nothing recurses and every step is recorded. A packet leaves a namespace's
 * stack through a route lookup (longest prefix) and a neighbour lookup; a missing neighbour
 * triggers a real ARP request that travels the same links, and the packet waits until the
 * reply fills the table (or is dropped with "host unreachable" when none comes). veth pairs
 * hand frames to their peer; a bridge learns source MACs (never moving an entry made with
 * `bridge fdb add ... master`) and forwards by its FDB or floods, and a port of a bridge that
 * is down forwards nothing; the LAN switch does the same; a VXLAN device wraps the frame in
 * UDP/IPv4 addressed from its FDB (a MAC it has no entry for goes to each of its default
 * destinations, the all-zeros entries), with the source address its route gives when it has
 * no `local`, learns inner source MACs when learning is on, and sends it through its own
 * namespace's routing. Bridged IPv4 frames pass the iptables hooks (br_netfilter) on
 * Kubernetes nodes only: Docker 28 does not load br_netfilter by default. Routers decrement TTL (patching the
 * checksum as RFC 1624 says) and answer with ICMP time exceeded; bridges never touch TTL.
 * The kernel answers ICMP echo requests for any local address, and ARP for its own addresses
 * (and, on a proxy_arp device, for addresses it routes out of another device).
 *
 * Before the first packet moves, inject() runs the daemons that program the kernel
 * (daemons.ts: a service proxy writing rules, IPVS and ipsets), so the engine only ever reads
 * Linux state. IPVS (ipvs.ts) takes packets for its virtual servers at LOCAL_IN, after filter
 * INPUT, and at LOCAL_OUT for the host's own, and sends them on through filter OUTPUT, routing
 * and nat POSTROUTING; the replies get their virtual address back where conntrack would undo a
 * DNAT. A packet the host sends to one of its own addresses comes back in through filter INPUT,
 * and an ICMP error about a packet addressed to the host comes from that address.
 * Every step appends a Hop to the trace (what happened, where, with the IP header at that
 * point), and every frame sent on a device is kept as a capture record. ARP frames appear as
 * the request a host sends, the reply it gets, and what each bridge on the way did with them
 * (the broadcast request flooded, the reply forwarded by its FDB): a bridge never asks itself;
 * veth pairs and the LAN switch record IPv4 frames only. For the packet path
 * view a hop also keeps, as plain data shared with the captures (no copies), the whole packet
 * at that point, the frame it moves (veth, switch, bridge, ARP, VXLAN), the tunnel packet of a
 * VXLAN step, a NAT step's packet before the translation and a route step's route. A run's
 * packets are its legs: the injected one, then each one a host sends in answer (an echo reply,
 * a TCP segment, a DNS answer, an ICMP error) or a proxy sends on its own connection; every hop
 * names its leg, the ARP exchange a packet waits for counting as that packet's.
 * Namespaces with iptables rules run the netfilter hooks where Linux does: conntrack and nat
 * OUTPUT/filter OUTPUT for local packets before routing, nat PREROUTING for arriving packets
 * before the routing decision, filter INPUT or FORWARD after it, nat POSTROUTING just before a
 * packet leaves; conntrack.ts translates every later packet of a connection. A new connection's
 * entry is confirmed when its first packet leaves the host (POSTROUTING) or is accepted at
 * INPUT; an entry whose packet was dropped before that is gone when the run ends, as the
 * kernel never confirms it. Where the
 * namespace has raw and mangle tables (once something was written there) their chains run at
 * the same hooks first, as Linux orders them (raw, then mangle, then nat or filter); a DROP
 * there ends the packet. A filter DROP's step names the user chain of the rule that dropped and
 * that rule's comment (Felix's "Drop if no policies passed packet" in cali-tw-<iface>), or the
 * chain's policy. Every rule that matches counts the packet (netfilter.ts). Bridged IPv4
 * frames pass the hooks only where net.bridge.bridge-nf-call-iptables is on (linux/sysctl.ts);
 * a routed packet is dropped where ip_forward is off. Before a packet moves, the daemons that
 * program the kernel (kube-proxy, a policy agent such as Canal's Felix: daemons.ts) bring their
 * rules up to date, so a changed Service or NetworkPolicy applies to the next packet.
 * Packets without DF that do not fit a device's MTU are fragmented and reassembled by the
 * receiving host; with DF they are dropped with "fragmentation needed", and the sender keeps
 * the MTU that message names as the path MTU to that destination (netns.ts): its later
 * packets there are fragmented locally, or refused with EMSGSIZE when they carry DF.
 * A veth pair checks size at the receiving end, not the sending one: a frame longer than the
 * peer's MTU allows (MTU + Ethernet header + 4 bytes of VLAN tag) is dropped there without any
 * ICMP error (veth_xmit -> __dev_forward_skb -> is_skb_forwardable), so an end whose MTU is
 * larger than its peer's loses its big packets silently.
 * A router looks the destination up before anything else, as ip_route_input does before
 * ip_forward: no matching route at all is "net unreachable" even for a packet whose TTL would
 * expire. ICMP errors are sent as Linux's icmp_send builds them: TOS 0xc0, TTL 64, no DF,
 * quoting as much of the offending packet as fits in 576 bytes, and quoting it as it arrived
 * (before the router decremented its TTL; a packet that waited for an ARP reply that never
 * came, as it was about to leave).
 * An ICMP error crosses NAT as conntrack passes it: it has no connection of its own but is
 * RELATED to the one of the packet it quotes (conntrack.ts `related`), or, when this host sends
 * it, to the offending packet's (nf_ct_attach); iptables sees ctstate RELATED (INVALID when it
 * quotes no known connection). At nat PREROUTING and OUTPUT its destination and the quoted
 * source are translated back, at POSTROUTING and on local delivery its source and the quoted
 * destination (conntrack.ts `natRelated`), after IPVS has given an error about one of its
 * connections the virtual address back; so a router's time exceeded beyond a masquerade
 * reaches the container behind it, and a pod's port unreachable comes from the ClusterIP.
 * The neighbour lookup and ARP input follow the kernel's state machine (neigh.ts): a packet
 * meets REACHABLE, STALE (which becomes DELAY), DELAY and PROBE entries by going straight to the
 * cached address, queues behind an INCOMPLETE one, and starts a new broadcast resolution for a
 * missing or FAILED one; a local TCP segment that acknowledges its peer confirms the
 * neighbour it goes to, and PROBE's unicast request runs through the network at the time it
 * falls due, whoever looks at the entry first. A packet that meets a resolution still under
 * way (INCOMPLETE from an earlier run) sends that resolution's next request at once. Routes,
 * neighbours and VXLAN FDB entries are read with the sandbox state, so a node's lookups see
 * what it holds through a mesh (mesh.ts: flannel's entries for the other nodes) as its own.
 * Left out for now: defragmentation before conntrack (fragments pass NAT untracked, so an ICMP
 * error about a flow that only ever sent fragments is INVALID, where the kernel tracks it), ICMP
 * rate limiting (icmp_ratelimit: a real host answers a burst of 6 and then one a second per
 * peer, which is why real traceroutes sometimes show `*`), rp_filter, the time a failed
 * resolution takes (the packets waiting for it are dropped at once, not after the three
 * seconds of requests), MSG_CONFIRM (no program of the sandbox sends it).
 */
import { updateChecksum } from './checksum';
import { formatIp, type Ip } from './ipv4';
import { BROADCAST_MAC, type Mac } from './mac';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_TIME_EXCEEDED,
  decodeIpv4,
  encodeIpv4,
  icmp,
  ipv4HeaderChecksum,
  ipv4,
  ipv4Length,
  udp,
  tcpFlagsText,
  TCP_ACK,
  TCP_RST,
  TCP_SYN,
  type EthernetFrame,
  type Ipv4Packet,
  type TcpSegment,
} from './packet';
import { create as ctCreate, deleteEntries, dnatOrig, isDnat, isIcmpError, isSnat, lookup as ctLookup, natRelated, quotedTuple, reindex, related, setDnat, setSnat, snatOrig, touch, unDnatReply, unSnatReply, type ConntrackEntry, type CtHit } from './conntrack';
import { findListener } from './sockets';
import { tcpExchange, tcpInput, tcpMtuReduced } from './tcp-stack';
import { runDaemons } from './daemons';
import { ipvsIcmpReply, ipvsReply, ipvsRequest } from './ipvs';
import { evaluate, layered, type Netfilter, type PacketView, type TableName, type Verdict } from './netfilter';
import { cachedPmtu, deviceByIndex, deviceByName, isLocal, learnPmtu, lookupRoute, lookupVxlanFdb, neighbourCount, sourceFor, sourceTo, type Device, type Neighbour, type Netns, type Route } from './netns';
import { arpInput, confirm, neighbours, resolve, type NeighEnv } from './neigh';
import { bridgeNfCallIptables } from './linux/sysctl';
import { rngOver, type Rng } from './rng';
import type { SimState } from './state';

export type HopAction =
  | 'send'
  | 'route'
  | 'arp-request'
  | 'arp-reply'
  | 'veth'
  | 'bridge-forward'
  | 'bridge-flood'
  | 'switch'
  | 'vxlan-encap'
  | 'vxlan-decap'
  | 'forward'
  | 'reply'
  | 'deliver'
  | 'dnat'
  | 'snat'
  | 'un-dnat'
  | 'un-snat'
  | 'filter'
  | 'proxy'
  | 'drop';

export interface Hop {
  /** Namespace id where the step happened. */
  ns: string;
  /** The device involved, when there is one. */
  dev?: string;
  action: HopAction;
  /** One line a learner can read. */
  detail: string;
  /**
   * The (inner) IPv4 header at this step, when the step concerns an IP packet, with the
   * protocol number and the transport ports (TCP, UDP) or ICMP type and code.
   */
  ip?: { src: Ip; dst: Ip; ttl: number; id: number; checksum: number; proto: number; sport?: number; dport?: number; icmp?: { type: number; code: number } };
  /** The outer header while the packet is inside a VXLAN tunnel. */
  outer?: { src: Ip; dst: Ip; ttl: number };
  /** iptables rules whose targets fired at this step, as `-A CHAIN ...`. */
  rules?: string[];
  /**
   * Which of the run's packets this step belongs to: an index into TraceResult.legs. The ARP
   * exchange a packet waits for counts as that packet's; the outer packet of a VXLAN tunnel as
   * the packet it carries.
   */
  leg: number;
  /** The whole packet `ip` describes. */
  packet?: Ipv4Packet;
  /** The whole packet `outer` describes (the UDP/IPv4 packet carrying a VXLAN frame, or a frame's only packet at a switch). */
  tunnel?: Ipv4Packet;
  /** The Ethernet frame this step sends or receives, at the steps that move frames (veth, switch, bridge, ARP, VXLAN). */
  frame?: EthernetFrame;
  /** A NAT step (dnat, snat, un-dnat, un-snat): the packet as it was before the translation; `packet` is after. */
  before?: Ipv4Packet;
  /** A route step: the route the lookup matched. */
  route?: { dst: string; via?: Ip; dev: string };
}

/** One packet a host sent during a run: the one injected first, then answers, ICMP errors, a proxy's own. */
export interface Leg {
  /** The namespace that sent it. */
  ns: string;
  /** The packet as it left the sender's stack (before any NAT on its own host). */
  packet: Ipv4Packet;
  /** The leg whose arrival made the host send it: the request it answers, the packet an ICMP error is about. */
  cause?: number;
}

export interface Capture {
  ns: string;
  dev: string;
  dir: 'in' | 'out';
  frame: EthernetFrame;
  /** Sent onto a wire (a veth or an Ethernet link), as opposed to a bridge or tunnel device. */
  wire?: boolean;
}

export interface Delivery {
  ns: string;
  packet: Ipv4Packet;
}

/** A local error the sending application sees (sendto fails), as errno names. */
export interface LocalError {
  ns: string;
  errno: 'ENETUNREACH' | 'EHOSTUNREACH' | 'EMSGSIZE' | 'ECONNREFUSED' | 'EPERM';
  packet: Ipv4Packet;
  mtu?: number;
}

export interface TraceResult {
  hops: Hop[];
  /** Every packet a host sent during the run, in the order they were sent; each hop names its own (Hop.leg). */
  legs: Leg[];
  deliveries: Delivery[];
  errors: LocalError[];
  captures: Capture[];
  /** Routed hops (TTL decrements) and link crossings, for timing estimates. */
  routed: number;
  links: number;
  arps: number;
}

/** What travels with a packet inside one namespace (the skb's mark and conntrack link). */
interface Meta {
  mark: number;
  /** The device the packet arrived on (for -i matches and FORWARD). */
  inDev?: string;
  ct?: CtHit;
  /** This packet created its conntrack entry: the nat table decides its fate. */
  ctNew?: boolean;
  /** A forwarded packet as it arrived, before its TTL was decremented: what ICMP errors quote. */
  arrived?: Ipv4Packet;
  /** The route the input lookup found for a forwarded packet (its destination stays the same). */
  route?: Route;
  /** IPVS rewrote the packet at LOCAL_IN and sends it on through LOCAL_OUT (ipvs.ts). */
  ipvs?: boolean;
  /**
   * An ICMP error's connection: the one of the packet it quotes (ctstate RELATED), found by
   * conntrack or, for an error this host sends, handed over from that packet (nf_ct_attach).
   */
  related?: CtHit;
}

export interface InjectOptions {
  /**
   * Sockets the sending program holds open (`<ns>|udp|<port>`): datagrams arriving there are
   * its answers, not strays for the kernel to refuse with port unreachable.
   */
  openPorts?: Set<string>;
}

/** One piece of work; `leg` is the packet of the run it belongs to (TraceResult.legs), by default the one in hand. */
/** What a step records besides its headers: the frame it moves, a NAT's packet before, a route. */
interface HopMore {
  frame?: EthernetFrame;
  before?: Ipv4Packet;
  route?: Route;
}

type Work =
  | { kind: 'out'; ns: string; packet: Ipv4Packet; local: boolean; meta?: Meta; leg?: number }
  | { kind: 'rx'; ns: string; ifindex: number; frame: EthernetFrame; leg?: number };

const MAX_STEPS = 10_000;

/** A step where the packet ended: dropped by the engine, or by a filter chain's DROP (a firewall's rule, a policy agent's chain). */
export function isDropStep(h: Pick<Hop, 'detail'> & { action: string }): boolean {
  return h.action === 'drop' || (h.action === 'filter' && /: DROP\b/.test(h.detail));
}

/**
 * Sends `packet` from the stack of namespace `nsId` and runs the network until it is quiet.
 * `now` (epoch ms) ages conntrack entries.
 */
export function inject(state: SimState, nsId: string, packet: Ipv4Packet, now = state.createdAt, opts: InjectOptions = {}): TraceResult {
  // Daemons (the service proxy, a policy agent such as Canal's Felix) bring the rules they
  // own up to date before the packet moves.
  runDaemons(state, now);
  const engine = new Engine(state, now, opts);
  engine.queue.push({ kind: 'out', ns: nsId, packet, local: true, leg: engine.newLeg(nsId, packet) });
  engine.run();
  return engine.result;
}

/** The neighbour table's view of the sandbox at `now`; PROBE's request runs as a network run of its own. */
function neighEnv(state: SimState, now: number): NeighEnv {
  return {
    seed: state.seed,
    now,
    origin: state.createdAt,
    probe: (ns, n, at) => {
      const engine = new Engine(state, at);
      engine.arpProbe(ns, n);
      engine.run();
    },
    machineEntries: (ns) => {
      let total = 0;
      for (const m of machineOf(state, ns)) total += neighbourCount(m, state);
      return total;
    },
    shared: state,
  };
}

/**
 * The namespaces that share `ns`'s kernel: those its veth pairs lead to, and theirs (a node and
 * its pods, a Docker host and its containers). A veth never leaves its machine.
 */
function machineOf(state: SimState, ns: Netns): Netns[] {
  const seen = new Map<string, Netns>([[ns.id, ns]]);
  const todo = [ns];
  while (todo.length > 0) {
    for (const d of todo.pop()!.devices) {
      const other = d.peer && state.netns[d.peer.ns];
      if (other && !seen.has(other.id)) {
        seen.set(other.id, other);
        todo.push(other);
      }
    }
  }
  return [...seen.values()];
}

/** Namespace `nsId`'s neighbour table as `ip neigh` reads it at `now`: every entry brought up to date. */
export function neighbourTable(state: SimState, nsId: string, now: number): Neighbour[] {
  const ns = state.netns[nsId];
  return ns ? neighbours(ns, neighEnv(state, now)) : [];
}

/** A TCP segment that acknowledges the peer's data or SYN (not a SYN-ACK, not a reset): tcp_ack saw progress. */
function confirmsNeighbour(p: Ipv4Packet): boolean {
  const pl = p.payload;
  return pl.kind === 'tcp' && (pl.flags & TCP_ACK) !== 0 && (pl.flags & (TCP_SYN | TCP_RST)) === 0;
}

class Engine {
  readonly queue: Work[] = [];
  readonly result: TraceResult = { hops: [], legs: [], deliveries: [], errors: [], captures: [], routed: 0, links: 0, arps: 0 };
  /** The packet of the run the work in hand belongs to (an index into result.legs). */
  private leg = 0;
  /** Packets waiting for an ARP reply, by `ns|dev|nexthop`. */
  private readonly pending = new Map<string, { ns: string; dev: string; nexthop: Ip; packets: { packet: Ipv4Packet; local: boolean; leg: number; ct?: CtHit }[] }>();
  private steps = 0;
  private readonly rng: Rng;
  /** Connections made by this run's packets, until confirmed (conntrack.ts `unconfirmed`). */
  private readonly unconfirmed: { table: ConntrackEntry[]; entry: ConntrackEntry }[] = [];

  /** What the neighbour table needs to age its entries, and how it sends PROBE's request. */
  private readonly neigh: NeighEnv;

  constructor(
    private readonly state: SimState,
    private readonly now: number,
    private readonly opts: InjectOptions = {},
  ) {
    this.rng = rngOver(state.rng);
    this.neigh = neighEnv(state, now);
  }

  /** Entries whose first packet was dropped before leaving or being delivered never existed for the kernel. */
  private dropUnconfirmed(): void {
    for (const { table, entry } of this.unconfirmed) if (entry.unconfirmed) deleteEntries(table, (e) => e === entry);
    this.unconfirmed.length = 0;
  }

  run(): void {
    for (;;) {
      while (this.queue.length > 0) {
        if (++this.steps > MAX_STEPS) throw new Error('forwarding loop: step limit reached');
        const w = this.queue.shift()!;
        this.leg = w.leg ?? 0;
        if (w.kind === 'out') this.output(this.ns(w.ns), w.packet, w.local, w.meta ?? { mark: 0 });
        else this.receive(this.ns(w.ns), w.ifindex, w.frame);
      }
      if (this.pending.size === 0) {
        this.dropUnconfirmed();
        return;
      }
      // Nothing more is in flight: every ARP request still waiting went unanswered.
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const p of waiting) {
        const ns = this.ns(p.ns);
        for (const { packet, local, leg, ct } of p.packets) {
          this.leg = leg;
          this.hop(ns, 'drop', `no ARP reply for ${formatIp(p.nexthop)} on ${p.dev}: host unreachable`, p.dev, packet);
          if (local) this.result.errors.push({ ns: ns.id, errno: 'EHOSTUNREACH', packet });
          // The packet as it was about to leave (translated, its TTL decremented), as the kernel quotes it.
          else this.icmpError(ns, packet, ICMP_DEST_UNREACH, 1, 0, ct);
        }
      }
    }
  }

  private ns(id: string): Netns {
    const ns = this.state.netns[id];
    if (!ns) throw new Error(`no network namespace ${id}`);
    return ns;
  }

  /** A new packet sent from `ns` during this run, because of leg `cause` if any; returns its leg. */
  newLeg(ns: string, packet: Ipv4Packet, cause?: number): number {
    this.result.legs.push(cause !== undefined ? { ns, packet, cause } : { ns, packet });
    return this.result.legs.length - 1;
  }

  /** Queues work, by default as part of the packet in hand. */
  private enqueue(w: Work): void {
    if (w.leg === undefined) w.leg = this.leg;
    this.queue.push(w);
  }

  private hop(ns: Netns, action: HopAction, detail: string, dev?: string, p?: Ipv4Packet, outer?: Ipv4Packet, rules?: string[], more?: HopMore): void {
    const h: Hop = { ns: ns.id, action, detail, leg: this.leg };
    if (dev !== undefined) h.dev = dev;
    if (p) {
      h.ip = hopHeader(p);
      h.packet = p;
    }
    if (outer) {
      h.outer = { src: outer.src, dst: outer.dst, ttl: outer.ttl };
      h.tunnel = outer;
    }
    if (rules && rules.length) h.rules = rules;
    if (more?.frame) h.frame = more.frame;
    if (more?.before) h.before = more.before;
    if (more?.route) {
      const r = more.route;
      h.route = { dst: formatRouteDst(r.dst.addr, r.dst.len), ...(r.via !== undefined ? { via: r.via } : {}), dev: r.dev };
    }
    this.result.hops.push(h);
  }

  // ------------------------------------------------------------------------- netfilter hooks

  private view(ns: Netns, p: Ipv4Packet, meta: Meta, inDev?: string, outDev?: string): PacketView {
    const pl = p.payload as { kind: string; srcPort?: number; dstPort?: number };
    const v: PacketView = {
      src: p.src,
      dst: p.dst,
      proto: p.proto,
      mark: meta.mark,
      // An ICMP error is RELATED to the connection of the packet it quotes, INVALID when it
      // quotes none. A tracked packet is NEW until its connection has seen a reply (a second
      // echo request whose first was dropped is still NEW), ESTABLISHED after. Anything else
      // untracked (a fragment) counts as NEW.
      ctstate: meta.related ? 'RELATED' : meta.ct ? (meta.ctNew || (meta.ct.dir === 'orig' && !meta.ct.entry.replied) ? 'NEW' : 'ESTABLISHED') : isIcmpError(p) ? 'INVALID' : 'NEW',
      ctDnat: meta.ct ? isDnat(meta.ct.entry) : meta.related ? isDnat(meta.related.entry) : false,
    };
    if ((pl.kind === 'udp' || pl.kind === 'tcp') && pl.srcPort !== undefined) {
      v.sport = pl.srcPort;
      v.dport = pl.dstPort;
      if (p.payload.kind === 'tcp') v.tcpFlags = p.payload.flags;
    } else if (p.payload.kind === 'icmp') {
      v.icmpType = p.payload.type;
      v.icmpCode = p.payload.code;
    }
    if (inDev !== undefined) v.in = inDev;
    if (outDev !== undefined) v.out = outDev;
    void ns;
    return v;
  }

  /** The rules this namespace's packets see: its own, over kube-proxy's where it runs. */
  private rules(ns: Netns): Netfilter {
    const kp = ns.kubeProxy;
    if (!kp) return ns.nf!;
    return layered(ns.nf!, kp.mode === 'live' ? this.state.kubeProxy : kp.rules);
  }

  private table(ns: Netns, table: TableName, chain: string, p: Ipv4Packet, meta: Meta, inDev?: string, outDev?: string): Verdict {
    const v = evaluate(this.rules(ns), table, chain, this.view(ns, p, meta, inDev, outDev), {
      rng: this.rng,
      isLocal: (ip) => isLocal(ns, ip),
      ipset: (name) => ns.ipsets?.[name],
      isBridge: (dev) => deviceByName(ns, dev)?.kind === 'bridge',
      bytes: ipv4Length(p),
      own: ns.nf,
    });
    // A LOG rule writes to the kernel log; the trace is where the sandbox shows it.
    const logged = v.fired.filter((f) => f.includes(' -j LOG'));
    if (logged.length) this.hop(ns, 'filter', `${table} ${chain}: LOG`, inDev ?? outDev, p, undefined, logged);
    return v;
  }

  /**
   * The raw and mangle chains of a hook, where the namespace has those tables (they exist once
   * something was written there): MARK changes the packet's mark, DROP ends it here.
   */
  private early(ns: Netns, hooks: [TableName, string][], p: Ipv4Packet, meta: Meta, local: boolean, inDev?: string, outDev?: string): boolean {
    for (const [table, chain] of hooks) {
      if (!ns.nf?.[table]) continue;
      const v = this.table(ns, table, chain, p, meta, inDev, outDev);
      meta.mark = v.mark;
      if (v.verdict === 'ACCEPT') continue;
      this.hop(ns, 'filter', `${table} ${chain}: ${v.verdict}`, inDev ?? outDev, p, undefined, v.fired);
      if (local) this.result.errors.push({ ns: ns.id, errno: 'EPERM', packet: p });
      return false;
    }
    return true;
  }

  /**
   * PREROUTING (arriving) or OUTPUT (local): conntrack, then the nat table for a new connection.
   * Returns the packet as translated.
   */
  private natPre(ns: Netns, p: Ipv4Packet, meta: Meta, hook: 'PREROUTING' | 'OUTPUT', inDev?: string): Ipv4Packet | undefined {
    if (!this.early(ns, [['raw', hook], ['mangle', hook]], p, meta, hook === 'OUTPUT', inDev)) return undefined;
    const table = (ns.conntrack ??= []);
    if (isIcmpError(p)) {
      // No entry of its own: the connection of the packet it quotes, if any (an error this
      // host sends carries it already).
      const rel = meta.related ?? related(table, p, this.now);
      if (!rel) return p;
      meta.related = rel;
      return this.relatedNat(ns, rel, p, 'dst', inDev);
    }
    const hit = ctLookup(table, p, this.now);
    if (hit) {
      touch(hit, p, this.now);
      meta.ct = hit;
      meta.ctNew = false;
      const e = hit.entry;
      if (hit.dir === 'orig' && isDnat(e) && !e.ipvs) {
        const q = dnatOrig(e, p);
        this.hop(ns, 'dnat', `conntrack: ${formatIp(p.dst)}${portText(p)} -> ${formatIp(q.dst)}${portText(q)} (an existing connection)`, inDev, q, undefined, undefined, { before: p });
        return q;
      }
      if (hit.dir === 'reply' && isSnat(e)) {
        const q = unSnatReply(e, p);
        this.hop(ns, 'un-snat', `conntrack: reply to ${formatIp(p.dst)} goes back to ${formatIp(q.dst)}`, inDev, q, undefined, undefined, { before: p });
        return q;
      }
      return p;
    }
    const e = ctCreate(table, p, this.now);
    if (!e) return p;
    e.unconfirmed = true;
    this.unconfirmed.push({ table, entry: e });
    meta.ct = { entry: e, dir: 'orig' };
    meta.ctNew = true;
    const v = this.table(ns, 'nat', hook, p, meta, inDev);
    meta.mark = v.mark;
    if (v.redirect) {
      // REDIRECT: to this host, at the incoming interface's first address (127.0.0.1 for its own packets).
      const dev = inDev !== undefined ? deviceByName(ns, inDev) : undefined;
      const ip = hook === 'OUTPUT' ? 0x7f000001 : dev?.addrs[0]?.ip;
      if (ip !== undefined) v.dnat = { ip, ...(v.redirect.port !== undefined ? { port: v.redirect.port } : {}) };
    }
    if (v.dnat) {
      setDnat(e, v.dnat.ip, v.dnat.port);
      reindex(table, e);
      const q = dnatOrig(e, p);
      this.hop(ns, 'dnat', `nat ${hook}: DNAT ${formatIp(p.dst)}${portText(p)} -> ${formatIp(q.dst)}${portText(q)}`, inDev, q, undefined, v.fired, { before: p });
      return q;
    }
    return p;
  }

  /** nat POSTROUTING: SNAT/MASQUERADE for a new connection, stored translations otherwise. */
  private natPost(ns: Netns, p: Ipv4Packet, meta: Meta, out: Device): Ipv4Packet | undefined {
    if (!this.early(ns, [['mangle', 'POSTROUTING']], p, meta, false, undefined, out.name)) return undefined;
    if (meta.related) return this.relatedNat(ns, meta.related, p, 'src', out.name);
    const hit = meta.ct;
    if (!hit) return p;
    const e = hit.entry;
    // The packet leaves: its connection is confirmed (nf_conntrack_confirm at POSTROUTING).
    delete e.unconfirmed;
    if (hit.dir === 'orig') {
      if (meta.ctNew) {
        meta.ctNew = false;
        const v = this.table(ns, 'nat', 'POSTROUTING', p, meta, undefined, out.name);
        if (v.masquerade || v.snat) {
          const ip = v.snat?.ip ?? sourceFor(ns, lookupRoute(ns, p.dst, this.state)!, p.dst) ?? out.addrs[0]?.ip ?? p.src;
          const table = (ns.conntrack ??= []);
          setSnat(table, e, ip, this.rng, !!(v.masquerade?.randomFully ?? v.snat?.randomFully), v.snat?.port ?? v.masquerade?.port);
          reindex(table, e);
          const q = snatOrig(e, p);
          this.hop(ns, 'snat', `nat POSTROUTING: ${v.masquerade ? 'MASQUERADE' : 'SNAT'} ${formatIp(p.src)} -> ${formatIp(q.src)} (out ${out.name})`, out.name, q, undefined, v.fired, { before: p });
          return q;
        }
        return p;
      }
      if (isSnat(e)) {
        const q = snatOrig(e, p);
        this.hop(ns, 'snat', `conntrack: source ${formatIp(p.src)} -> ${formatIp(q.src)} (an existing connection)`, out.name, q, undefined, undefined, { before: p });
        return q;
      }
      return p;
    }
    if (e.ipvs) return this.ipvsReply(ns, p, out.name);
    if (isDnat(e)) {
      const q = unDnatReply(e, p);
      this.hop(ns, 'un-dnat', `conntrack: the reply's source ${formatIp(p.src)} becomes ${formatIp(q.src)} again`, out.name, q, undefined, undefined, { before: p });
      return q;
    }
    return p;
  }

  /**
   * An ICMP error RELATED to a connection at a NAT hook: at the hooks that change sources
   * (POSTROUTING, INPUT) IPVS first gives an error about one of its connections the virtual
   * address back; then netfilter undoes (or applies) the connection's NAT on the outer and the
   * quoted header (conntrack.ts natRelated).
   */
  private relatedNat(ns: Netns, rel: CtHit, p: Ipv4Packet, manip: 'src' | 'dst', dev?: string): Ipv4Packet {
    if (manip === 'src' && ns.ipvs && rel.entry.ipvs) {
      const r = ipvsIcmpReply(ns.ipvs, p, this.now);
      if (r) {
        this.hop(ns, 'un-dnat', r.detail, dev, r.packet, undefined, undefined, { before: p });
        p = r.packet;
      }
    }
    const q = natRelated(rel, p, manip);
    if (q === p) return p;
    const action: HopAction = rel.dir === 'reply' ? (manip === 'dst' ? 'un-snat' : 'un-dnat') : manip === 'dst' ? 'dnat' : 'snat';
    const outer = manip === 'dst' ? `its destination ${formatIp(p.dst)} becomes ${formatIp(q.dst)}` : `its source ${formatIp(p.src)} becomes ${formatIp(q.src)}`;
    const was = quotedTuple(p);
    const now = quotedTuple(q);
    const side = manip === 'dst' ? 'source' : 'destination';
    const end = (t: NonNullable<ReturnType<typeof quotedTuple>>): string => (manip === 'dst' ? `${formatIp(t.src)}${t.proto === 1 ? '' : `:${t.sport}`}` : `${formatIp(t.dst)}${t.proto === 1 ? '' : `:${t.dport}`}`);
    const inner = was && now ? `, the quoted packet's ${side} ${end(was)} becomes ${end(now)}` : '';
    this.hop(ns, action, `conntrack: an ICMP error RELATED to a connection: ${outer}${inner}`, dev, q, undefined, undefined, { before: p });
    return q;
  }

  // ------------------------------------------------------------------------- IPVS (ipvs.ts)

  /** A real server's reply: IPVS puts the virtual address back (ip_vs_out). */
  private ipvsReply(ns: Netns, p: Ipv4Packet, dev?: string): Ipv4Packet {
    const r = ns.ipvs && ipvsReply(ns.ipvs, p, this.now);
    if (!r) return p;
    this.hop(ns, 'un-dnat', r.detail, dev, r.packet, undefined, undefined, { before: p });
    return r.packet;
  }

  /**
   * IPVS at LOCAL_IN (a packet that arrived) or LOCAL_OUT (one of our own): a packet for a
   * virtual server is rewritten towards its real server and returned; undefined when IPVS
   * dropped or refused it; the packet itself when it is not IPVS's.
   */
  private ipvsRequest(ns: Netns, p: Ipv4Packet, meta: Meta, local: boolean, dev?: string): Ipv4Packet | undefined {
    if (!ns.ipvs) return p;
    const ct = meta.ct && ns.conntrack ? { entry: meta.ct.entry, table: ns.conntrack } : undefined;
    const v = ipvsRequest(ns.ipvs, p, this.now, meta.ctNew ? ct : undefined);
    switch (v.kind) {
      case 'none':
        return p;
      case 'unreachable':
        this.hop(ns, 'drop', `IPVS: ${formatIp(p.dst)}${portText(p)} has no real server: ICMP port unreachable`, dev, p);
        if (local) this.result.errors.push({ ns: ns.id, errno: 'ECONNREFUSED', packet: p });
        else this.icmpError(ns, p, ICMP_DEST_UNREACH, 3, 0, meta.ct);
        return undefined;
      case 'drop':
        this.hop(ns, 'drop', v.detail, dev, p);
        return undefined;
      case 'xmit': {
        let q = v.packet;
        if (!isLocal(ns, q.dst)) {
          // decrement_ttl: IPVS forwards like a router when the real server is another host.
          if (q.ttl <= 1) {
            this.hop(ns, 'drop', `TTL expired in transit`, dev, q);
            this.icmpError(ns, p, ICMP_TIME_EXCEEDED, 0, 0, meta.ct);
            return undefined;
          }
          q = decrementTtl(q);
        }
        this.hop(ns, 'dnat', v.detail, dev, q, undefined, undefined, { before: p });
        return q;
      }
    }
  }

  /** A filter chain's verdict; DROP and REJECT end the packet here (REJECT answers with ICMP). */
  private filter(ns: Netns, chain: 'INPUT' | 'FORWARD' | 'OUTPUT', p: Ipv4Packet, meta: Meta, local: boolean, inDev?: string, outDev?: string): boolean {
    if (!this.early(ns, [['mangle', chain]], p, meta, local, inDev, outDev)) return false;
    const v = this.table(ns, 'filter', chain, p, meta, inDev, outDev);
    if (v.verdict === 'ACCEPT') {
      // Delivered to this host: the connection is confirmed at INPUT.
      if (chain === 'INPUT' && meta.ct) delete meta.ct.entry.unconfirmed;
      return true;
    }
    this.hop(ns, 'filter', `filter ${chain}: ${v.verdict}${v.rejectWith ? ` (${v.rejectWith})` : ''}${v.verdict === 'DROP' ? droppedBy(chain, v.fired) : ''}`, inDev ?? outDev, p, undefined, v.fired);
    if (v.verdict === 'REJECT') {
      if (local) this.result.errors.push({ ns: ns.id, errno: 'ECONNREFUSED', packet: p });
      else this.icmpError(ns, p, ICMP_DEST_UNREACH, v.rejectWith === 'icmp-host-unreachable' ? 1 : v.rejectWith === 'icmp-net-unreachable' ? 0 : 3, 0, meta.ct);
    } else if (local) this.result.errors.push({ ns: ns.id, errno: 'EPERM', packet: p });
    return false;
  }

  // ------------------------------------------------------------------------- IP output

  private output(ns: Netns, p: Ipv4Packet, local: boolean, meta: Meta): void {
    if (ns.nf && local) {
      const q = this.natPre(ns, p, meta, 'OUTPUT');
      if (!q || !this.filter(ns, 'OUTPUT', q, meta, true)) return;
      p = q;
    } else if (ns.nf && meta.ipvs && !this.filter(ns, 'OUTPUT', p, meta, false)) return;
    if (local && ns.ipvs && isLocal(ns, p.dst)) {
      // IPVS's LOCAL_OUT hook: our own connection to a virtual server.
      const q = this.ipvsRequest(ns, p, meta, true);
      if (!q) return;
      if (q !== p) meta.ipvs = true;
      p = q;
    }
    if ((local || meta.ipvs) && isLocal(ns, p.dst)) {
      // Traffic to one of our own addresses loops back without touching a wire, through lo, and
      // comes in through the filter table's INPUT chain like any other.
      const lo = ns.devices.find((d) => d.kind === 'loopback');
      if (lo && !lo.up) {
        this.hop(ns, 'drop', `${formatIp(p.dst)} is local, but lo is down`, 'lo', p);
        return;
      }
      this.hop(ns, 'route', `${formatIp(p.dst)} is local: loopback`, 'lo', p);
      // (A packet IPVS took at LOCAL_IN has been through INPUT already.)
      if (ns.nf && (local || !meta.ipvs) && !this.filter(ns, 'INPUT', p, meta, false, 'lo')) return;
      this.localDeliver(ns, p, undefined, meta.ct);
      return;
    }
    const route = (!local && !meta.ipvs && meta.route) || lookupRoute(ns, p.dst, this.state);
    if (!route) {
      this.hop(ns, 'drop', `no route to ${formatIp(p.dst)}: network unreachable`, undefined, p);
      if (local) this.result.errors.push({ ns: ns.id, errno: 'ENETUNREACH', packet: p });
      else this.icmpError(ns, meta.arrived ?? p, ICMP_DEST_UNREACH, 0, 0, meta.ct);
      return;
    }
    if (route.type === 'blackhole') {
      this.hop(ns, 'drop', `${formatIp(p.dst)} leaves the simulated network here and is lost`, undefined, p);
      return;
    }
    const dev = deviceByName(ns, route.dev)!;
    const nexthop = route.via ?? p.dst;
    const where = route.via !== undefined ? `via ${formatIp(route.via)} dev ${dev.name}` : `dev ${dev.name}`;
    this.hop(ns, 'route', `route to ${formatIp(p.dst)}: ${formatRouteDst(route.dst.addr, route.dst.len)} ${where}`, dev.name, p, undefined, undefined, { route });
    if (ns.nf) {
      if (!local && !meta.ipvs && !this.filter(ns, 'FORWARD', p, meta, false, meta.inDev, dev.name)) return;
      const q = this.natPost(ns, p, meta, dev);
      if (!q) return;
      p = q;
    }
    // A packet of our own follows the path MTU learned for its destination, if lower.
    const pmtu = local ? cachedPmtu(ns, p.dst, this.now) : undefined;
    const mtu = pmtu && pmtu.mtu < dev.mtu ? pmtu.mtu : dev.mtu;
    const mtuText = mtu < dev.mtu ? `the path MTU ${mtu} to ${formatIp(p.dst)}` : `${dev.name} (MTU ${dev.mtu})`;
    if (ipv4Length(p) > mtu && !p.df) {
      // No DF: the packet leaves in fragments (RFC 791), each forwarded on its own.
      const frags = fragment(p, mtu);
      this.hop(ns, 'route', `${ipv4Length(p)} bytes do not fit ${mtuText}: sent as ${frags.length} fragments`, dev.name, p, undefined, undefined, { route });
      for (const f of frags) this.sendOn(ns, route, dev, nexthop, f, local, meta.ct);
      return;
    }
    if (ipv4Length(p) > mtu) {
      if (local) {
        this.hop(ns, 'drop', `packet of ${ipv4Length(p)} bytes is larger than ${mtu < dev.mtu ? mtuText : `${dev.name}'s MTU ${dev.mtu}`}`, dev.name, p);
        this.result.errors.push({ ns: ns.id, errno: 'EMSGSIZE', packet: p, mtu });
      } else {
        this.hop(ns, 'drop', `packet of ${ipv4Length(p)} bytes does not fit ${dev.name} (MTU ${dev.mtu}) and has DF set`, dev.name, p);
        this.icmpError(ns, meta.arrived ?? p, ICMP_DEST_UNREACH, 4, dev.mtu & 0xffff, meta.ct);
      }
      return;
    }
    this.sendOn(ns, route, dev, nexthop, p, local, meta.ct);
  }

  /** Hands a routed packet to the device: loopback, or a frame to the neighbour (ARP first). */
  private sendOn(ns: Netns, route: Route, dev: Device, nexthop: Ip, p: Ipv4Packet, local: boolean, ct?: CtHit): void {
    if (dev.kind === 'loopback') {
      this.localDeliver(ns, p, undefined, ct);
      return;
    }
    // sock_confirm_neigh: a segment acknowledging the peer's progress confirms the neighbour.
    if (local && confirmsNeighbour(p)) confirm(ns, dev.name, nexthop, this.neigh);
    const r = resolve(ns, dev.name, nexthop, this.neigh);
    if (r.kind === 'send') {
      this.transmit(ns, dev, { dst: r.mac, src: dev.mac, payload: p });
      return;
    }
    if (r.kind === 'overflow') {
      this.hop(ns, 'drop', `neighbour table overflow: no entry for ${formatIp(nexthop)} on ${dev.name}`, dev.name, p);
      if (local) this.result.errors.push({ ns: ns.id, errno: 'EHOSTUNREACH', packet: p });
      return;
    }
    const key = `${ns.id}|${dev.name}|${nexthop}`;
    const waiting = this.pending.get(key);
    if (waiting) {
      waiting.packets.push({ packet: p, local, leg: this.leg, ...(ct ? { ct } : {}) });
      return;
    }
    this.pending.set(key, { ns: ns.id, dev: dev.name, nexthop, packets: [{ packet: p, local, leg: this.leg, ...(ct ? { ct } : {}) }] });
    // A resolution already under way (r.kind 'queue') sends its next request within the
    // second; that request goes now, so a neighbour that has appeared since still answers.
    const spa = sourceFor(ns, route, nexthop) ?? 0;
    this.result.arps++;
    const request: EthernetFrame = { dst: BROADCAST_MAC, src: dev.mac, payload: { kind: 'arp', op: 1, sha: dev.mac, spa, tha: '00:00:00:00:00:00', tpa: nexthop } };
    this.hop(ns, 'arp-request', `who-has ${formatIp(nexthop)} tell ${formatIp(spa)} (broadcast on ${dev.name})`, dev.name, undefined, undefined, undefined, { frame: request });
    this.transmit(ns, dev, request);
  }

  /** PROBE: one ARP request sent straight to the address the entry has cached (arp_solicit). */
  arpProbe(ns: Netns, n: Neighbour): void {
    const dev = deviceByName(ns, n.dev);
    if (!dev || !dev.up) return;
    const route = lookupRoute(ns, n.ip, this.state);
    const spa = (route && route.dev === dev.name ? sourceFor(ns, route, n.ip) : undefined) ?? dev.addrs[0]?.ip ?? 0;
    this.transmit(ns, dev, { dst: n.mac, src: dev.mac, payload: { kind: 'arp', op: 1, sha: dev.mac, spa, tha: '00:00:00:00:00:00', tpa: n.ip } });
  }

  // ------------------------------------------------------------------------- L2

  /** Puts a frame on the wire behind `dev`. */
  private transmit(ns: Netns, dev: Device, frame: EthernetFrame): void {
    if (!dev.up) {
      this.hop(ns, 'drop', `${dev.name} is down`, dev.name, ipOf(frame), undefined, undefined, { frame });
      return;
    }
    this.result.captures.push({ ns: ns.id, dev: dev.name, dir: 'out', frame, ...(dev.kind === 'veth' || dev.kind === 'ether' ? { wire: true } : {}) });
    switch (dev.kind) {
      case 'veth': {
        const peer = dev.peer && this.state.netns[dev.peer.ns];
        const pdev = peer && deviceByIndex(peer, dev.peer!.ifindex);
        if (!peer || !pdev) {
          this.hop(ns, 'drop', `${dev.name} has no peer`, dev.name, ipOf(frame), undefined, undefined, { frame });
          return;
        }
        // is_skb_forwardable: the receiving end takes frames up to its MTU + ETH_HLEN + VLAN_HLEN.
        if (frame.payload.kind === 'ipv4' && ipv4Length(frame.payload) > pdev.mtu + 4) {
          this.hop(ns, 'drop', `${ipv4Length(frame.payload)} bytes are too long for ${pdev.name} in ${peer.hostname} (MTU ${pdev.mtu}): the veth peer drops the frame`, dev.name, frame.payload, undefined, undefined, { frame });
          return;
        }
        this.result.links++;
        if (frame.payload.kind === 'ipv4') this.hop(ns, 'veth', `${dev.name} -> ${pdev.name} in ${peer.hostname}`, dev.name, frame.payload, undefined, undefined, { frame });
        this.enqueue({ kind: 'rx', ns: peer.id, ifindex: pdev.ifindex, frame });
        return;
      }
      case 'ether': {
        this.result.links++;
        this.switchFrame(ns, dev, frame);
        return;
      }
      case 'bridge':
        this.bridge(ns, dev, undefined, frame);
        return;
      case 'vxlan':
        this.encapsulate(ns, dev, frame);
        return;
      case 'loopback':
        this.enqueue({ kind: 'rx', ns: ns.id, ifindex: dev.ifindex, frame });
        return;
      case 'dummy':
        this.hop(ns, 'drop', `${dev.name} is a dummy device: what is sent through it is discarded`, dev.name, ipOf(frame), undefined, undefined, { frame });
        return;
    }
  }

  private switchFrame(ns: Netns, dev: Device, frame: EthernetFrame): void {
    const seg = this.state.segments[dev.segment!];
    if (!seg) return;
    const inPort = seg.ports.findIndex((p) => p.ns === ns.id && p.ifindex === dev.ifindex);
    seg.fdb[frame.src] = inPort;
    const out = frame.dst === BROADCAST_MAC ? undefined : seg.fdb[frame.dst];
    const targets = out !== undefined ? [out] : seg.ports.map((_, i) => i).filter((i) => i !== inPort);
    if (frame.payload.kind === 'ipv4') {
      this.hop(ns, 'switch', out !== undefined ? `switch ${seg.id} forwards to ${frame.dst}` : `switch ${seg.id} floods`, dev.name, undefined, frame.payload, undefined, { frame });
    }
    for (const i of targets) {
      const port = seg.ports[i]!;
      this.enqueue({ kind: 'rx', ns: port.ns, ifindex: port.ifindex, frame });
    }
  }

  private bridge(ns: Netns, br: Device, inPort: Device | undefined, frame: EthernetFrame): void {
    const fdb = (br.fdb ??= {});
    // Learning never moves an entry an administrator made (bridge fdb add ... master).
    if (inPort && !fdb[frame.src]?.permanent) fdb[frame.src] = { port: inPort.name, permanent: false };
    const ports = ns.devices.filter((d) => d.master === br.name && d !== inPort);
    if (inPort && frame.dst === br.mac) {
      this.l3Input(ns, br, frame);
      return;
    }
    if (inPort && ns.nf && frame.payload.kind === 'ipv4' && frame.dst !== BROADCAST_MAC && bridgeNfCallIptables(ns)) {
      // br_netfilter (net.bridge.bridge-nf-call-iptables=1, which Kubernetes requires): bridged
      // IPv4 frames pass the iptables hooks too, so conntrack can undo a DNAT on a reply that
      // goes straight from one pod to another on the same bridge.
      // iptables sees the bridge as both interfaces (-i/-o br); the ports are physdev matches.
      const meta: Meta = { mark: 0, inDev: br.name };
      const before = frame.payload;
      const pre = this.natPre(ns, before, meta, 'PREROUTING', br.name);
      if (!pre) return;
      let p = pre;
      if (p.dst !== before.dst) {
        // Translated to an address elsewhere: the bridge hands the packet to routing, which
        // forwards it like any routed packet (TTL check and decrement included).
        if (p.ttl <= 1) {
          this.hop(ns, 'drop', `TTL expired in transit`, br.name, p);
          this.icmpError(ns, p, ICMP_TIME_EXCEEDED, 0, 0, meta.ct);
          return;
        }
        const fwd = decrementTtl(p);
        this.result.routed++;
        this.hop(ns, 'forward', `${ns.hostname} routes the packet: TTL ${p.ttl} -> ${fwd.ttl}`, br.name, fwd);
        meta.arrived = p;
        this.enqueue({ kind: 'out', ns: ns.id, packet: fwd, local: false, meta });
        return;
      }
      if (!this.filter(ns, 'FORWARD', p, meta, false, br.name, br.name)) return;
      const post = this.natPost(ns, p, meta, br);
      if (!post) return;
      p = post;
      frame = { ...frame, payload: p };
    }
    const entry = frame.dst === BROADCAST_MAC ? undefined : fdb[frame.dst];
    const ip = ipOf(frame);
    // IPv4 frames and the ARP exchanges they wait for are recorded; the bridge asks nothing itself.
    const arp = frame.payload.kind === 'arp' ? (frame.payload.op === 1 ? 'the ARP request ' : 'the ARP reply ') : '';
    const shown = ip !== undefined || arp !== '';
    if (entry) {
      const port = deviceByName(ns, entry.port);
      if (!port || port === inPort) return;
      if (shown) this.hop(ns, 'bridge-forward', `${br.name} forwards ${arp}to port ${port.name} (FDB: ${frame.dst})`, br.name, ip, undefined, undefined, { frame });
      this.transmit(ns, port, frame);
      return;
    }
    if (shown) {
      const what = frame.dst !== BROADCAST_MAC ? `does not know ${frame.dst}: floods ${arp}to every port` : `floods ${arp || 'the broadcast '}${inPort ? `to its other ports and up to ${ns.hostname} itself` : 'to every port'}`;
      this.hop(ns, 'bridge-flood', `${br.name} ${what}`, br.name, ip, undefined, undefined, { frame });
    }
    for (const p of ports) this.transmit(ns, p, frame);
    if (inPort && frame.dst === BROADCAST_MAC) this.l3Input(ns, br, frame);
  }

  private encapsulate(ns: Netns, dev: Device, frame: EthernetFrame): void {
    const vx = dev.vxlan!;
    const known = lookupVxlanFdb(ns, dev, frame.dst, this.state);
    // A MAC without an entry (and broadcast) goes to the default destinations, if any (the all-zeros entry).
    const remotes = known !== undefined ? [known] : [...(vx.remote !== undefined ? [vx.remote] : []), ...(vx.flood ?? [])];
    const inner = ipOf(frame);
    if (remotes.length === 0) {
      this.hop(ns, 'drop', `${dev.name} has no FDB entry for ${frame.dst}`, dev.name, inner, undefined, undefined, { frame });
      return;
    }
    for (const remote of remotes) {
      // Without `local` the kernel takes the source address its route to the remote gives.
      const local = vx.local || sourceTo(ns, remote, this.state) || 0;
      const srcPort = vxlanSourcePort(frame);
      const outer = ipv4({
        src: local,
        dst: remote,
        ttl: 64,
        id: nextId(ns),
        df: false,
        payload: udp(local, remote, srcPort, vx.port, { kind: 'vxlan', vni: vx.vni, inner: frame }, false),
      });
      this.hop(ns, 'vxlan-encap', `${dev.name} wraps the frame: UDP ${formatIp(local)}:${srcPort} -> ${formatIp(remote)}:${vx.port}, VNI ${vx.vni}`, dev.name, inner, outer, undefined, { frame });
      this.enqueue({ kind: 'out', ns: ns.id, packet: outer, local: true });
    }
  }

  // ------------------------------------------------------------------------- input

  private receive(ns: Netns, ifindex: number, frame: EthernetFrame): void {
    const dev = deviceByIndex(ns, ifindex);
    if (!dev) return;
    if (!dev.up) {
      this.hop(ns, 'drop', `${dev.name} is down`, dev.name, ipOf(frame), undefined, undefined, { frame });
      return;
    }
    this.result.captures.push({ ns: ns.id, dev: dev.name, dir: 'in', frame });
    if (dev.master) {
      const br = deviceByName(ns, dev.master);
      if (br) {
        // A port of a bridge that is down is disabled: what arrives on it goes nowhere.
        if (!br.up) {
          this.hop(ns, 'drop', `${br.name} is down: its port ${dev.name} does not forward`, dev.name, ipOf(frame), undefined, undefined, { frame });
          return;
        }
        this.bridge(ns, br, dev, frame);
        return;
      }
    }
    this.l3Input(ns, dev, frame);
  }

  private l3Input(ns: Netns, dev: Device, frame: EthernetFrame): void {
    if (frame.dst !== dev.mac && frame.dst !== BROADCAST_MAC) return; // not addressed to us
    const pl = frame.payload;
    if (pl.kind === 'arp') {
      // A request is for us when it asks for one of our addresses, or, with proxy_arp on the
      // device, for one the namespace routes out of another device (Calico's cali veths).
      const local = isLocal(ns, pl.tpa);
      const proxy = pl.op === 1 && !local && proxiesArp(this.state, ns, dev, pl.tpa);
      const forUs = pl.op === 1 && pl.spa !== 0 ? local || proxy : false;
      const n = arpInput(ns, dev.name, pl, { unicast: frame.dst === dev.mac, forUs }, this.neigh);
      if (pl.op === 1 && (local || proxy)) {
        const reply: EthernetFrame = { dst: pl.sha, src: dev.mac, payload: { kind: 'arp', op: 2, sha: dev.mac, spa: pl.tpa, tha: pl.sha, tpa: pl.spa } };
        this.hop(ns, 'arp-reply', `${formatIp(pl.tpa)} is-at ${dev.mac}${proxy ? ` (proxy ARP: ${ns.hostname} routes ${formatIp(pl.tpa)} elsewhere)` : ''}`, dev.name, undefined, undefined, undefined, { frame: reply });
        this.transmit(ns, dev, reply);
      }
      // The entry has an address now: whatever waited for it goes.
      const key = `${ns.id}|${dev.name}|${pl.spa}`;
      const waiting = n && this.pending.get(key);
      if (waiting) {
        this.pending.delete(key);
        const leg = this.leg;
        for (const w of waiting.packets) {
          // Each waiting packet goes on as itself, not as the ARP reply that freed it.
          this.leg = w.leg;
          this.transmit(ns, dev, { dst: n.mac, src: dev.mac, payload: w.packet });
        }
        this.leg = leg;
      }
      return;
    }
    const meta: Meta = { mark: 0, inDev: dev.name };
    let p = pl;
    if (ns.nf) {
      const q = this.natPre(ns, p, meta, 'PREROUTING', dev.name);
      if (!q) return;
      p = q;
    }
    if (isLocal(ns, p.dst)) {
      if (ns.nf) {
        if (!this.filter(ns, 'INPUT', p, meta, false, dev.name)) return;
        const hit = meta.ct;
        if (meta.related) p = this.relatedNat(ns, meta.related, p, 'src', dev.name);
        else if (hit && hit.dir === 'reply' && hit.entry.ipvs) p = this.ipvsReply(ns, p, dev.name);
        else if (hit && hit.dir === 'reply' && isDnat(hit.entry)) {
          const q = unDnatReply(hit.entry, p);
          this.hop(ns, 'un-dnat', `conntrack: the reply's source ${formatIp(p.src)} becomes ${formatIp(q.src)} again`, dev.name, q, undefined, undefined, { before: p });
          p = q;
        }
      }
      if (ns.ipvs) {
        // IPVS's LOCAL_IN hook: a packet for a virtual server goes on to its real server.
        const q = this.ipvsRequest(ns, p, meta, false, dev.name);
        if (!q) return;
        if (q !== p) {
          meta.ipvs = true;
          this.enqueue({ kind: 'out', ns: ns.id, packet: q, local: false, meta });
          return;
        }
      }
      this.localDeliver(ns, p, dev, meta.ct);
      return;
    }
    if (!ns.ipForward) {
      this.hop(ns, 'drop', `${formatIp(p.dst)} is not ours and ip_forward is off`, dev.name, p);
      return;
    }
    const route = lookupRoute(ns, p.dst, this.state);
    if (!route) {
      // The input route lookup fails before ip_forward looks at the TTL.
      this.hop(ns, 'drop', `no route to ${formatIp(p.dst)}: network unreachable`, dev.name, p);
      this.icmpError(ns, p, ICMP_DEST_UNREACH, 0, 0, meta.ct);
      return;
    }
    meta.route = route;
    if (p.ttl <= 1) {
      this.hop(ns, 'drop', `TTL expired in transit`, dev.name, p);
      this.icmpError(ns, p, ICMP_TIME_EXCEEDED, 0, 0, meta.ct);
      return;
    }
    const fwd = decrementTtl(p);
    this.result.routed++;
    this.hop(ns, 'forward', `${ns.hostname} routes the packet: TTL ${p.ttl} -> ${fwd.ttl}`, dev.name, fwd);
    meta.arrived = p;
    this.enqueue({ kind: 'out', ns: ns.id, packet: fwd, local: false, meta });
  }

  private localDeliver(ns: Netns, whole: Ipv4Packet, dev?: Device, ct?: CtHit): void {
    let p = whole;
    if (p.mf || p.fragOffset > 0) {
      // The receiving host reassembles fragments by (src, dst, protocol, identification).
      const done = this.reassemble(ns, p);
      if (!done) return;
      this.hop(ns, 'deliver', `fragments reassembled: ${ipv4Length(done)} bytes`, dev?.name, done);
      p = done;
    }
    const pl = p.payload;
    if (pl.kind === 'udp' && !(pl.payload instanceof Uint8Array)) {
      const vdev = ns.devices.find((d) => d.kind === 'vxlan' && d.vxlan!.port === pl.dstPort && d.vxlan!.vni === (pl.payload as { vni: number }).vni);
      if (vdev) {
        const inner = pl.payload.inner;
        const vx = vdev.vxlan!;
        if (vx.learning && vdev.up && lookupVxlanFdb(ns, vdev, inner.src, this.state) === undefined) {
          // Learning: the inner source MAC lives behind the VTEP the packet came from.
          vx.fdb[inner.src] = p.src;
          (vx.learned ??= {})[inner.src] = true;
        }
        this.hop(ns, 'vxlan-decap', `UDP port ${pl.dstPort} belongs to ${vdev.name}: the inner frame comes out of ${vdev.name}`, vdev.name, ipOf(inner), p, undefined, { frame: inner });
        this.enqueue({ kind: 'rx', ns: ns.id, ifindex: vdev.ifindex, frame: inner });
        return;
      }
    }
    if (pl.kind === 'icmp' && pl.type === ICMP_ECHO_REQUEST) {
      const reply = ipv4({ src: p.dst, dst: p.src, ttl: 64, id: nextId(ns), df: false, tos: p.tos, payload: icmp(ICMP_ECHO_REPLY, 0, pl.rest, pl.data) });
      this.leg = this.newLeg(ns.id, reply, this.leg);
      this.hop(ns, 'reply', `${ns.hostname}'s kernel answers the echo request`, dev?.name, reply);
      this.enqueue({ kind: 'out', ns: ns.id, packet: reply, local: true });
      return;
    }
    this.hop(ns, 'deliver', `delivered to ${ns.hostname}`, dev?.name, p);
    this.result.deliveries.push({ ns: ns.id, packet: p });
    if (pl.kind === 'icmp' && pl.type === ICMP_DEST_UNREACH && pl.code === 4 && pl.data.length >= 20) {
      // "Fragmentation needed" about a packet we sent: remember the path MTU it names.
      const q = pl.data;
      const quotedSrc = ((q[12]! << 24) | (q[13]! << 16) | (q[14]! << 8) | q[15]!) >>> 0;
      const quotedDst = ((q[16]! << 24) | (q[17]! << 16) | (q[18]! << 8) | q[19]!) >>> 0;
      if (isLocal(ns, quotedSrc)) learnPmtu(ns, quotedDst, pl.rest & 0xffff, this.now, this.state);
      // A server socket whose segment did not fit sends it again at once, cut to the new MSS.
      const cause = this.leg;
      for (const out of tcpMtuReduced(ns, p, this.now, this.state)) {
        this.leg = this.newLeg(ns.id, out, cause);
        this.hop(ns, 'reply', `the kernel sends TCP [${tcpFlagsText((out.payload as TcpSegment).flags)}] from port ${(out.payload as TcpSegment).srcPort} again in a segment that fits the path MTU`, undefined, out);
        this.enqueue({ kind: 'out', ns: ns.id, packet: out, local: true });
      }
    }
    if (pl.kind === 'udp' && pl.payload instanceof Uint8Array && p.dst !== 0xffffffff) this.udpInput(ns, p, pl.srcPort, pl.dstPort, pl.payload, ct);
    if (pl.kind === 'tcp' && !this.opts.openPorts?.has(`${ns.id}|tcp|${pl.dstPort}`)) {
      const connect = (dst: Ip, port: number, request: Uint8Array): Uint8Array | undefined => this.connectFrom(ns, dst, port, request);
      const cause = this.leg;
      for (const out of tcpInput(this.state, ns, p, this.rng, this.now, connect)) {
        this.leg = this.newLeg(ns.id, out, cause);
        this.hop(ns, 'reply', `the kernel answers TCP [${tcpFlagsText((out.payload as TcpSegment).flags)}] from port ${(out.payload as TcpSegment).srcPort}`, undefined, out);
        this.enqueue({ kind: 'out', ns: ns.id, packet: out, local: true });
      }
    }
  }

  /**
   * A program in `ns` opens its own connection (ingress-nginx to a backend pod): the exchange
   * runs through the network now, and its steps join this trace.
   */
  private connectFrom(ns: Netns, dst: Ip, port: number, request: Uint8Array): Uint8Array | undefined {
    this.hop(ns, 'proxy', `${ns.hostname} opens a connection to ${formatIp(dst)}:${port}`);
    const r = tcpExchange(
      {
        state: this.state,
        rng: this.rng,
        now: this.now,
        send: (nsId, packet, opts) => {
          const t = inject(this.state, nsId, packet, this.now, opts);
          // The proxy's own packets join this run's legs after the ones so far.
          const base = this.result.legs.length;
          // Its first packet is sent because of the one in hand; the rest answer its own.
          this.result.legs.push(...t.legs.map((l, i) => ({ ...l, cause: i === 0 ? this.leg : l.cause! + base })));
          this.result.hops.push(...t.hops.map((h) => ({ ...h, leg: h.leg + base })));
          this.result.captures.push(...t.captures);
          this.result.routed += t.routed;
          this.result.links += t.links;
          this.result.arps += t.arps;
          return t;
        },
      },
      ns.id,
      dst,
      port,
      request,
      32768 + this.rng.int(28232),
    );
    return r.kind === 'response' ? r.data : undefined;
  }

  private readonly fragments = new Map<string, Ipv4Packet[]>();

  private reassemble(ns: Netns, p: Ipv4Packet): Ipv4Packet | undefined {
    const key = `${ns.id}|${p.src}|${p.dst}|${p.proto}|${p.id}`;
    const parts = [...(this.fragments.get(key) ?? []), p].sort((a, b) => a.fragOffset - b.fragOffset);
    this.fragments.set(key, parts);
    let at = 0;
    for (const f of parts) {
      if (f.fragOffset * 8 !== at) return undefined;
      at += ipv4Length(f) - 20;
    }
    if (parts[parts.length - 1]!.mf) return undefined;
    this.fragments.delete(key);
    const data = new Uint8Array(at);
    let off = 0;
    for (const f of parts) {
      const body = encodeIpv4(f).subarray(20);
      data.set(body, off);
      off += body.length;
    }
    const header = encodeIpv4({ ...parts[0]!, mf: false, fragOffset: 0, payload: { kind: 'raw', data } }).subarray(0, 20);
    const bytes = new Uint8Array(20 + data.length);
    bytes.set(header, 0);
    bytes.set(data, 20);
    const whole = decodeIpv4(bytes);
    return { ...whole, checksum: ipv4HeaderChecksum(whole) };
  }

  /** A datagram reached a local address: the listening program answers, or the kernel refuses it. */
  private udpInput(ns: Netns, p: Ipv4Packet, sport: number, dport: number, data: Uint8Array, ct?: CtHit): void {
    if (this.opts.openPorts?.has(`${ns.id}|udp|${dport}`)) return;
    const l = findListener(this.state, ns.id, 'udp', dport, p.dst);
    if (!l) {
      this.hop(ns, 'drop', `nothing listens on UDP port ${dport}: ICMP port unreachable`, undefined, p);
      this.icmpError(ns, p, ICMP_DEST_UNREACH, 3, 0, ct);
      return;
    }
    const answer = l.handle(data, { state: this.state, ns: ns.id, peer: { ip: p.src, port: sport }, local: { ip: p.dst, port: dport }, now: this.now });
    if (!answer) return;
    const reply = ipv4({ src: p.dst, dst: p.src, ttl: 64, id: nextId(ns), df: true, payload: udp(p.dst, p.src, dport, sport, answer) });
    this.leg = this.newLeg(ns.id, reply, this.leg);
    this.hop(ns, 'reply', `${l.program} answers on UDP port ${dport}`, undefined, reply);
    this.enqueue({ kind: 'out', ns: ns.id, packet: reply, local: true });
  }

  /**
   * Sends an ICMP error about `orig` back to its source (never about an ICMP error). `ct` is
   * `orig`'s connection, if it had one: the error belongs to it (icmp_glue_bits' nf_ct_attach),
   * RELATED in the other direction, so its NAT is undone on the way out even when `orig` was
   * already translated or its connection is not yet confirmed.
   */
  private icmpError(ns: Netns, orig: Ipv4Packet, type: number, code: number, rest: number, ct?: CtHit): void {
    if (orig.payload.kind === 'icmp' && orig.payload.type !== ICMP_ECHO_REQUEST && orig.payload.type !== ICMP_ECHO_REPLY) return;
    // Nor about a fragment other than the first (icmp_send), which carries no transport header.
    if (orig.fragOffset > 0) return;
    const route = lookupRoute(ns, orig.src, this.state);
    // icmp_send: an error about a packet addressed to us comes from the address it was sent
    // to (RTCF_LOCAL); otherwise from the route back to the sender.
    const src = isLocal(ns, orig.dst) ? orig.dst : route ? sourceFor(ns, route, orig.src) : undefined;
    if (src === undefined) return;
    // icmp_send quotes as much of the packet as keeps the error within 576 bytes (RFC 1812 4.3.2.3).
    const back = route && deviceByName(ns, route.dev);
    const room = Math.min(576, back?.mtu ?? 576) - 28;
    const quoted = encodeIpv4(orig).slice(0, room);
    const err = ipv4({ src, dst: orig.src, ttl: 64, id: nextId(ns), df: false, tos: 0xc0, payload: icmp(type, code, rest, quoted) });
    const meta: Meta = { mark: 0, ...(ct ? { related: { entry: ct.entry, dir: ct.dir === 'orig' ? ('reply' as const) : ('orig' as const) } } : {}) };
    this.enqueue({ kind: 'out', ns: ns.id, packet: err, local: true, meta, leg: this.newLeg(ns.id, err, this.leg) });
  }
}

/**
 * proxy_arp (arp_process/arp_fwd_proxy): a device with it on answers for an address the
 * namespace forwards to through a different device.
 */
function proxiesArp(state: SimState, ns: Netns, dev: Device, ip: Ip): boolean {
  if (!dev.proxyArp || !ns.ipForward) return false;
  const route = lookupRoute(ns, ip, state);
  return !!route && route.type !== 'blackhole' && route.dev !== dev.name;
}


function portText(p: Ipv4Packet): string {
  const pl = p.payload as { kind: string; dstPort?: number };
  return (pl.kind === 'udp' || pl.kind === 'tcp') && pl.dstPort !== undefined ? `:${pl.dstPort}` : '';
}

/** Splits a packet into fragments that fit `mtu` (data in multiples of 8 bytes, MF on all but the last). */
export function fragment(p: Ipv4Packet, mtu: number): Ipv4Packet[] {
  const body = encodeIpv4(p).subarray(20);
  const chunk = Math.floor((mtu - 20) / 8) * 8;
  const out: Ipv4Packet[] = [];
  for (let off = 0; off < body.length; off += chunk) {
    const data = body.slice(off, Math.min(body.length, off + chunk));
    const f: Ipv4Packet = { ...p, mf: off + chunk < body.length || p.mf, fragOffset: p.fragOffset + off / 8, payload: { kind: 'raw', data }, checksum: 0 };
    f.checksum = ipv4HeaderChecksum(f);
    out.push(f);
  }
  return out;
}

function ipOf(frame: EthernetFrame): Ipv4Packet | undefined {
  return frame.payload.kind === 'ipv4' ? frame.payload : undefined;
}

function formatRouteDst(addr: Ip, len: number): string {
  return len === 0 ? 'default' : `${formatIp(addr)}/${len}`;
}

function nextId(ns: Netns): number {
  const id = ns.ipId;
  ns.ipId = (ns.ipId + 1) & 0xffff;
  return id;
}

/** A router's TTL decrement: a new packet with TTL - 1 and the checksum patched (RFC 1624). */
export function decrementTtl(p: Ipv4Packet): Ipv4Packet {
  const oldWord = (p.ttl << 8) | p.proto;
  const ttl = p.ttl - 1;
  return { ...p, ttl, checksum: updateChecksum(p.checksum, oldWord, (ttl << 8) | p.proto) };
}

/**
 * The outer UDP source port for a VXLAN frame: like the kernel's udp_flow_src_port(), a hash of
 * the inner flow mapped into the local port range 32768-60999, so one flow keeps one port. The
 * kernel's flow hash orders the two addresses first (__flow_hash_consistentify), so a request
 * and its reply leave their two nodes from the same port.
 */
export function vxlanSourcePort(frame: EthernetFrame): number {
  let h = 0x811c9dc5;
  const mix = (x: number): void => {
    for (let i = 0; i < 4; i++) {
      h ^= (x >>> (i * 8)) & 255;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  const p = frame.payload;
  if (p.kind === 'ipv4') {
    mix(Math.min(p.src >>> 0, p.dst >>> 0));
    mix(Math.max(p.src >>> 0, p.dst >>> 0));
    mix(p.proto);
  } else {
    for (const m of [frame.src, frame.dst] as Mac[]) mix(parseInt(m.replace(/:/g, '').slice(4), 16));
  }
  return 32768 + (h % (60999 - 32768 + 1));
}

/** What a hop records of a packet: the IPv4 header fields a learner reads, and its ports. */
function hopHeader(p: Ipv4Packet): NonNullable<Hop['ip']> {
  const h: NonNullable<Hop['ip']> = { src: p.src, dst: p.dst, ttl: p.ttl, id: p.id, checksum: p.checksum, proto: p.proto };
  const pl = p.payload;
  if (pl.kind === 'udp' || pl.kind === 'tcp') {
    h.sport = pl.srcPort;
    h.dport = pl.dstPort;
  } else if (pl.kind === 'icmp') h.icmp = { type: pl.type, code: pl.code };
  return h;
}

/**
 * Where a DROP verdict came from, for the trace's sentence: the user chain of the rule that
 * dropped (a jump away from the built-in chain), with the rule's own comment (an agent's words,
 * such as Felix's "Drop if no policies passed packet", not its `cali:` hash); `(policy)` when no
 * rule dropped and the built-in chain's policy did. Nothing is added for a rule of the built-in
 * chain itself, which `rules` already shows.
 */
function droppedBy(builtin: string, fired: string[]): string {
  const last = fired.at(-1);
  if (last === undefined || !/ -j DROP$/.test(last)) return ' (policy)';
  const chain = /^-A (\S+)/.exec(last)?.[1];
  if (chain === undefined || chain === builtin) return '';
  const comment = [...last.matchAll(/--comment "([^"]*)"/g)].map((m) => m[1]!).filter((c) => !/^cali:/.test(c)).at(-1);
  return ` in ${chain}${comment ? ` ("${comment}")` : ''}`;
}
