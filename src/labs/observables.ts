/**
 * Values a learner can read off traffic they made: what `answer` (with `observed`) and
 * `predict` compare with.
 *
 * Design notes: an observable picks one value out of each packet run that fits it (the IP
 * identification of an echo request from the client to the target, the TTL an echo reply
 * arrived with, the source port SNAT chose), in canonical form for its normaliser. The
 * checks call `extract` with every trace the sandbox moves, as it moves, and keep the values,
 * so an answer is judged against what really crossed the wire for this learner, not a value
 * computed in advance. `from` is a place (the sender); `to` is a place or an address (text
 * with bindings allowed, such as `{{web.ip}}`). An observable whose model can say why a wrong
 * value is wrong has `explain`: `packet-path`, the vertices of the network graph a message
 * crossed (src/sim/graph.ts's tracePath), names the vertex where a predicted path leaves the
 * real one and the entry of its table that decided, read off the sandbox's tables as they are
 * now (pathOf), and only when those tables still give the path that was seen. One entry per
 * observable; adding one is one entry here and a case in observables.test.ts.
 */
import { z } from 'zod';
import type { Hop } from '../sim/forward';
import { decidingSteps, networkGraph, nodeVertexId, pathOf, pathVertices, tracePath, type DecidingStep, type NetworkGraph, type VertexPath } from '../sim/graph';
import { decodeDns, DNS_PORT } from '../sim/dns';
import { formatIp, parseIp, type Ip } from '../sim/ipv4';
import { ICMP_DEST_UNREACH, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_TIME_EXCEEDED, TCP_ACK, TCP_RST, TCP_SYN, type EthernetFrame, type Ipv4Packet } from '../sim/packet';
import type { CheckContext, TraceEvent } from './checks/types';
import { display, type NormalizerName } from './normalize';
import { placeProblems } from './places';

export const observableSchema = z
  .object({
    /** Which value: see OBSERVABLES. */
    value: z.string(),
    /** The place the traffic is sent from (`@client`). */
    from: z.string(),
    /** Where it goes: a place or an address (`@target`, `{{web.ip}}`, `10.96.0.1`). */
    to: z.string().optional(),
    /** For values read at one place on the way (a capture point): that place. */
    at: z.string().optional(),
    /** For values read on one device at `at`: its name. */
    dev: z.string().optional(),
  })
  .strict();

export type ObservableRef = z.output<typeof observableSchema>;

export interface Observable {
  name: string;
  doc: string;
  /** How values compare (their canonical form). */
  normalize: NormalizerName;
  /** Whether `to`, `at` and `dev` are needed. */
  needs: ('to' | 'at' | 'dev')[];
  /** What the learner does to see one, for feedback (`{{from}}`, `{{to}}` are the places' labels). */
  how: string;
  extract(ref: ObservableRef, ctx: CheckContext, ev: TraceEvent): string[];
  /**
   * Why the value is `seen` and not `given` (both canonical), from the model, for the feedback
   * on a wrong answer or prediction; undefined when the model has nothing to add.
   */
  explain?(ref: ObservableRef, ctx: CheckContext, given: string, seen: string): string | undefined;
}

/** The addresses a place or an address text stands for (a place's every address). */
export function addressesOf(ctx: CheckContext, ref: string): Ip[] {
  const text = ctx.render(ref);
  const ip = parseIp(text);
  if (ip !== undefined) return [ip];
  const place = ctx.place(text);
  const ns = ctx.sim.state.netns[place.ns];
  return ns ? ns.devices.filter((d) => d.kind !== 'loopback').flatMap((d) => d.addrs.map((a) => a.ip)) : [];
}

/** A label for a place or an address, for feedback. */
export function labelOf(ctx: CheckContext, ref: string): string {
  const text = ctx.render(ref);
  if (parseIp(text) !== undefined) return text;
  try {
    const place = ctx.place(text);
    const eth0 = ctx.sim.state.netns[place.ns]?.devices.find((d) => d.name === 'eth0');
    const addr = eth0?.addrs[0];
    return addr ? `${place.label} (${formatIp(addr.ip)})` : place.label;
  } catch {
    // The place is gone (the learner deleted the pod): name what the binding named.
    const b = text.startsWith('@') ? ctx.bindings[text.slice(1)] : undefined;
    const was = b?.place?.replace(/^(\w+):(default\/)?/, '$1 ');
    return was ? `${was} (which no longer exists)` : text;
  }
}

function fromHere(ref: ObservableRef, ctx: CheckContext, ev: TraceEvent): boolean {
  return ev.origin === ctx.place(ref.from).ns;
}

/**
 * The address a run's packet was sent to: its first hop's destination, or, when that hop is a
 * DNAT in the sender's own nat OUTPUT (a node or host connecting to a ClusterIP), the
 * destination before it.
 */
function sentDst(first: Hop): number | undefined {
  return first.action === 'dnat' && first.before ? first.before.dst : first.ip?.dst;
}

/** The frames this trace put through place `at` (on device `dev`, if given): what a capture there sees. */
function capturedAt(ref: ObservableRef, ctx: CheckContext, ev: TraceEvent): TraceEvent['trace']['captures'] {
  const ns = ctx.place(ref.at!).ns;
  const dev = ref.dev === undefined ? undefined : ctx.render(ref.dev);
  return ev.trace.captures.filter((c) => c.ns === ns && (dev === undefined || c.dev === dev));
}

/** The hops of this trace at place `at` (on device `dev`, if given). */
function hopsAt(ref: ObservableRef, ctx: CheckContext, ev: TraceEvent): Hop[] {
  const ns = ref.at ? ctx.place(ref.at).ns : undefined;
  return ev.trace.hops.filter((h) => (ns === undefined || h.ns === ns) && (ref.dev === undefined || h.dev === ctx.render(ref.dev)));
}

const isEchoRequest = (h: Hop): boolean => h.ip?.proto === 1 && h.ip.icmp?.type === ICMP_ECHO_REQUEST;
const isEchoReply = (h: Hop): boolean => h.ip?.proto === 1 && h.ip.icmp?.type === ICMP_ECHO_REPLY;

/** The IPv4 header fields the echo-request observables read. */
type EchoHeader = Pick<Ipv4Packet, 'id' | 'ttl' | 'checksum' | 'dst'>;

/** The IP packet a captured frame carries, or, for a VXLAN packet, the one inside its inner frame (tcpdump shows both). */
function packetsIn(frame: EthernetFrame): Ipv4Packet[] {
  const p = frame.payload;
  if (p.kind !== 'ipv4') return [];
  const inner = p.payload.kind === 'udp' && !(p.payload.payload instanceof Uint8Array) ? p.payload.payload.inner : undefined;
  return inner ? [p, ...packetsIn(inner)] : [p];
}

/**
 * Echo requests from `from` to `to` in this trace: as sent, or, with `at`, as a capture there
 * shows them (every frame that crossed a device of that place, `dev` only if given), so the
 * values are the ones tcpdump prints there: before a router's decrement on the device the
 * packet came in by, after it on the one it left by, and at the destination as it arrived.
 */
function echoRequests(ref: ObservableRef, ctx: CheckContext, ev: TraceEvent): EchoHeader[] {
  if (!fromHere(ref, ctx, ev)) return [];
  const to = ref.to ? addressesOf(ctx, ref.to) : undefined;
  let found: EchoHeader[];
  if (ref.at) {
    found = capturedAt(ref, ctx, ev)
      .flatMap((c) => packetsIn(c.frame))
      .filter((p) => p.payload.kind === 'icmp' && p.payload.type === ICMP_ECHO_REQUEST);
  } else {
    found = ev.trace.hops.slice(0, 1).filter(isEchoRequest).map((h) => h.ip!);
  }
  return found.filter((h) => !to || to.includes(h.dst));
}

export const OBSERVABLES: Record<string, Observable> = {
  'echo-request-id': {
    name: 'echo-request-id',
    doc: 'The IPv4 identification field of an echo request from `from` to `to`, as sent (tcpdump -v prints it as `id N`).',
    normalize: 'number',
    needs: ['to'],
    how: 'ping {{to}} from {{from}} while capturing with tcpdump -v',
    extract: (ref, ctx, ev) => unique(echoRequests(ref, ctx, ev).map((h) => String(h.id))),
  },
  'echo-request-checksum': {
    name: 'echo-request-checksum',
    doc: 'The IPv4 header checksum of an echo request from `from` to `to`, as sent or, with `at`, as tcpdump at that place shows it (on device `dev`, if given; the checksum changes with each TTL decrement, so a router shows one value on the device the packet came in by and another on the one it left by).',
    normalize: 'hex',
    needs: ['to'],
    how: 'ping {{to}} from {{from}} while capturing with tcpdump -v',
    extract: (ref, ctx, ev) => unique(echoRequests(ref, ctx, ev).map((h) => String(h.checksum))),
  },
  'echo-request-ttl': {
    name: 'echo-request-ttl',
    doc: 'The TTL of an echo request from `from` to `to` as tcpdump at place `at` shows it (on device `dev`, if given): at a router, before its decrement on the device the packet came in by and after it on the one it left by; at the destination, as it arrived.',
    normalize: 'number',
    needs: ['to', 'at'],
    how: 'ping {{to}} from {{from}} while capturing at {{at}}',
    extract: (ref, ctx, ev) => unique(echoRequests(ref, ctx, ev).map((h) => String(h.ttl))),
  },
  'reply-ttl': {
    name: 'reply-ttl',
    doc: 'The TTL an echo reply from `to` had when it reached `from` (ping prints it as `ttl=N`).',
    normalize: 'number',
    needs: ['to'],
    how: 'ping {{to}} from {{from}}',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const to = addressesOf(ctx, ref.to!);
      const mine = ctx.place(ref.from).ns;
      return unique(ev.trace.hops.filter((h) => h.ns === mine && h.action === 'deliver' && isEchoReply(h) && to.includes(h.ip!.src)).map((h) => String(h.ip!.ttl)));
    },
  },
  'ping-outcome': {
    name: 'ping-outcome',
    doc: 'What came back for an echo request from `from` to `to`: `reply`, `no reply`, `unreachable` (an ICMP destination unreachable) or `ttl exceeded`.',
    normalize: 'word',
    needs: ['to'],
    how: 'ping {{to}} from {{from}}',
    extract(ref, ctx, ev) {
      const sent = echoRequests({ ...ref, at: undefined }, ctx, ev);
      if (sent.length === 0) return [];
      const mine = ctx.place(ref.from).ns;
      const back = ev.trace.hops.filter((h) => h.ns === mine && h.action === 'deliver' && h.ip?.proto === 1);
      if (back.some(isEchoReply)) return ['reply'];
      if (back.some((h) => h.ip!.icmp?.type === ICMP_DEST_UNREACH)) return ['unreachable'];
      if (back.some((h) => h.ip!.icmp?.type === ICMP_TIME_EXCEEDED)) return ['ttl exceeded'];
      if (ev.trace.errors.some((e) => e.ns === mine)) return ['unreachable'];
      return ['no reply'];
    },
  },
  'tcp-outcome': {
    name: 'tcp-outcome',
    doc: 'What came back for a TCP connection attempt (a SYN) from `from` to `to`: `connected` (a SYN-ACK), `refused` (a reset, an ICMP port unreachable, or a REJECT rule on the sender), `unreachable` (another ICMP destination unreachable, or no route), `not permitted` (a DROP rule on the sender: connect() fails with EPERM) or `no answer` (nothing came back: the SYN or its answer was dropped on the way, which is what wget and curl report as a timeout). `to` is a place or an address; a ClusterIP stands for the pod DNAT chose.',
    normalize: 'word',
    needs: ['to'],
    how: 'connect from {{from}} to {{to}} (wget, curl, nc)',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const first = ev.trace.hops.find((h) => h.ip);
      const seg = first?.packet?.payload;
      if (!first?.ip || seg?.kind !== 'tcp' || !(seg.flags & TCP_SYN) || seg.flags & TCP_ACK) return [];
      const to = addressesOf(ctx, ref.to!);
      const dnatTo = ev.trace.hops.filter((h) => h.action === 'dnat' && h.leg === first.leg && h.ip).map((h) => h.ip!.dst);
      if (!to.includes(sentDst(first)!) && !dnatTo.some((d) => to.includes(d))) return [];
      const mine = ctx.place(ref.from).ns;
      const back = ev.trace.hops.filter((h) => h.ns === mine && h.action === 'deliver' && h.ip?.dst === first.ip!.src && h.leg !== first.leg);
      for (const h of back) {
        const pl = h.packet?.payload;
        if (pl?.kind === 'tcp' && pl.dstPort === first.ip.sport) {
          if (pl.flags & TCP_RST) return ['refused'];
          if (pl.flags & TCP_SYN && pl.flags & TCP_ACK) return ['connected'];
        }
        if (h.ip!.icmp?.type === ICMP_DEST_UNREACH) return [h.ip!.icmp.code === 3 ? 'refused' : 'unreachable'];
      }
      const err = ev.trace.errors.find((e) => e.ns === mine);
      if (err) return [err.errno === 'ECONNREFUSED' ? 'refused' : err.errno === 'EPERM' ? 'not permitted' : 'unreachable'];
      return ['no answer'];
    },
  },
  'routed-hops': {
    name: 'routed-hops',
    doc: 'How many routers decremented the TTL of a packet from `from` on its way to `to` (any protocol).',
    normalize: 'number',
    needs: ['to'],
    how: 'send something from {{from}} to {{to}} (ping, traceroute, curl)',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const to = addressesOf(ctx, ref.to!);
      const first = ev.trace.hops.find((h) => h.ip);
      const arrived = ev.trace.hops.find((h) => h.action === 'deliver' && h.ip && to.includes(h.ip.dst) && h.ip.src === first?.ip?.src);
      if (!first?.ip || !arrived?.ip) return [];
      return [String(first.ip.ttl - arrived.ip.ttl)];
    },
  },
  'arp-requests': {
    name: 'arp-requests',
    doc: 'How many ARP requests `from` broadcast before its packet to `to` could leave (asking for `to` itself on its own subnet, or for the gateway its route names): 0 when its neighbour table still held the MAC. Read from the first packet of each run, such as each echo request of a ping.',
    normalize: 'number',
    needs: ['to'],
    how: 'send something from {{from}} to {{to}} (a ping)',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const to = addressesOf(ctx, ref.to!);
      const first = ev.trace.hops.find((h) => h.ip);
      if (!first?.ip || !to.includes(first.ip.dst)) return [];
      const mine = ctx.place(ref.from).ns;
      return [String(ev.trace.hops.filter((h) => h.ns === mine && h.action === 'arp-request' && h.leg === first.leg).length)];
    },
  },
  'snat-port': {
    name: 'snat-port',
    doc: 'The source port a packet from `from` (to `to`, if given) carried after source NAT: the port conntrack chose for the connection.',
    normalize: 'number',
    needs: [],
    how: 'connect from {{from}} to something outside its network (curl, wget, nslookup)',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const to = ref.to ? addressesOf(ctx, ref.to) : undefined;
      return unique(ev.trace.hops.filter((h) => h.action === 'snat' && h.ip?.sport !== undefined && (!to || to.includes(h.ip.dst))).map((h) => String(h.ip!.sport)));
    },
  },
  'dnat-destination': {
    name: 'dnat-destination',
    doc: 'The address a packet from `from` to `to` (a ClusterIP, a node port address) was rewritten to by DNAT: the endpoint kube-proxy or Docker chose.',
    normalize: 'ip',
    needs: ['to'],
    how: 'connect from {{from}} to {{to}}',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const to = addressesOf(ctx, ref.to!);
      const first = ev.trace.hops.find((h) => h.ip);
      if (!first?.ip || !to.includes(sentDst(first)!)) return [];
      return unique(ev.trace.hops.filter((h) => h.action === 'dnat' && h.ip).map((h) => String(h.ip!.dst)));
    },
  },
  'seen-source': {
    name: 'seen-source',
    doc: 'The source address a packet from `from` carried when it arrived at `to` (delivered there, or answered by its kernel), or, with `at`, as it crossed that place: what the receiver sees after any source NAT on the way, such as Docker\'s masquerade or kube-proxy\'s for a node port. `to` is a place, the receiver itself, also when DNAT chose it (`to: \'@web\'` for the pod behind a Service or node port) or when a proxy on the way (an ingress controller) connected to it with a connection of its own (then the source is the proxy\'s), or an address, which stands for whoever receives what is sent to it (a ClusterIP or a node port address: the pod behind it).',
    normalize: 'ip',
    needs: ['to'],
    how: 'send something from {{from}} to {{to}} (a ping, a curl; for a pod, through its Service or node port too)',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const to = addressesOf(ctx, ref.to!);
      const first = ev.trace.hops.find((h) => h.ip);
      if (!first?.ip) return [];
      // DNAT on the way (a Service's rules, a node port, a published port) hands the packet to
      // another address. A place is the receiver itself, whether the packet was sent to it or
      // DNAT chose it; an address stands for whoever receives what is sent to it, so a
      // ClusterIP or a node port address stands for the pod behind it.
      const dnatTo = ev.trace.hops.filter((h) => h.action === 'dnat' && h.leg === first.leg && h.ip).map((h) => h.ip!.dst);
      // A proxy on the way (an ingress controller) opens a connection of its own: the receiver
      // of that one got what was sent too, from the proxy's address.
      const proxiedTo = ev.trace.hops.flatMap((h, i) => (h.action === 'proxy' ? [ev.trace.hops.slice(i + 1).find((x) => x.ns === h.ns && x.ip)?.ip?.dst] : [])).filter((d): d is number => d !== undefined);
      const sentTo = to.includes(sentDst(first)!);
      if (!sentTo && !dnatTo.some((d) => to.includes(d)) && !proxiedTo.some((d) => to.includes(d))) return [];
      const receivers = sentTo && parseIp(ctx.render(ref.to!)) !== undefined ? [...to, ...dnatTo] : to;
      const proto = first.ip.proto;
      if (ref.at) return unique(hopsAt(ref, ctx, ev).filter((h) => h.ip?.proto === proto && receivers.includes(h.ip.dst)).map((h) => String(h.ip!.src)));
      const seen: number[] = [];
      for (const h of ev.trace.hops) {
        if (!h.ip) continue;
        // Delivered to `to`: its source there. Answered by `to` (an echo reply, a SYN-ACK): the answer goes back to the source `to` saw.
        if (h.action === 'deliver' && h.ip.proto === proto && receivers.includes(h.ip.dst)) seen.push(h.ip.src);
        else if (h.action === 'reply' && receivers.includes(h.ip.src)) seen.push(h.ip.dst);
      }
      return unique(seen.map(String));
    },
  },
  'frame-mac': {
    name: 'frame-mac',
    doc: 'The source MAC of the Ethernet frame that carried a packet from `from` (to `to`, if given) out of device `dev` at place `at`: the MAC a router rewrote it with.',
    normalize: 'mac',
    needs: ['at', 'dev'],
    how: 'send something from {{from}} and capture with tcpdump -e at {{at}}',
    extract: (ref, ctx, ev) => frameMacs(ref, ctx, ev, 'src'),
  },
  'frame-dst-mac': {
    name: 'frame-dst-mac',
    doc: 'The destination MAC of the Ethernet frame that carried a packet from `from` (to `to`, if given) out of device `dev` at place `at`: the next hop it was sent to.',
    normalize: 'mac',
    needs: ['at', 'dev'],
    how: 'send something from {{from}} and capture with tcpdump -e at {{at}}',
    extract: (ref, ctx, ev) => frameMacs(ref, ctx, ev, 'dst'),
  },
  'packet-path': {
    name: 'packet-path',
    doc: 'The way a message from `from` to `to` took through the network graph (the processes and switches of src/sim/graph.ts): the vertices the first packet of each run (an echo request, a SYN) crossed, a tunnel written with the LAN its outer packet crosses, and `discard` at the end if it was lost, as the `path` normaliser writes it. A wrong answer is explained from the forwarding tables of the sandbox as it is now: the vertex where the paths part, and the entry that decided there.',
    normalize: 'path',
    needs: ['to'],
    how: 'ping {{to}} from {{from}}',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const to = addressesOf(ctx, ref.to!);
      const first = ev.trace.hops.find((h) => h.ip);
      if (!first?.ip || !to.includes(first.ip.dst)) return [];
      return [canonicalPath(tracePath(networkGraph(ctx.sim.state), ev.trace))];
    },
    explain(ref, ctx, given, seen) {
      const dst = addressesOf(ctx, ref.to!)[0];
      if (dst === undefined) return undefined;
      const graph = networkGraph(ctx.sim.state);
      const from = vertexOfPlace(graph, ctx.place(ref.from).ns);
      if (from === undefined) return undefined;
      let path;
      try {
        path = pathOf(graph, from, dst);
      } catch {
        return undefined;
      }
      // The tables changed since (or the engine took another way): only what was seen counts.
      if (canonicalPath(pathVertices(path)) !== seen) return undefined;
      return whereThePathsPart(given, seen, decidingSteps(path));
    },
  },
  'http-status': {
    name: 'http-status',
    doc: 'The status code of an HTTP response that came back to `from` for a request it sent to `to` (curl, wget): `200`, `404`, as the response\'s status line gives it, whoever answered on the way (a proxy such as an ingress controller may answer itself). `to` is a place or an address, as first sent (a load balancer\'s, a ClusterIP).',
    normalize: 'number',
    needs: ['to'],
    how: 'send an HTTP request from {{from}} to {{to}} (`curl -i` prints the status line)',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const to = addressesOf(ctx, ref.to!);
      const first = ev.trace.hops.find((h) => h.ip);
      if (!first?.ip || first.ip.proto !== 6 || !to.includes(sentDst(first)!)) return [];
      const codes: string[] = [];
      for (const h of ev.trace.hops) {
        if (h.action !== 'deliver' || h.ns !== ev.origin || h.packet?.payload.kind !== 'tcp') continue;
        const data = h.packet.payload.data;
        const line = String.fromCharCode(...data.subarray(0, Math.min(data.length, 16)));
        const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(line);
        if (m) codes.push(m[1]!);
      }
      return unique(codes);
    },
  },
  'dns-question': {
    name: 'dns-question',
    doc: 'The name a DNS query from `from` asked about (to nameserver `to`, if given), as sent, without the final dot: one value per query, so a lookup that walks the search list gives each name it tried, in order.',
    normalize: 'word',
    needs: [],
    how: 'look a name up from {{from}} (wget, ping, nslookup)',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const to = ref.to ? addressesOf(ctx, ref.to) : undefined;
      const first = ev.trace.hops.find((h) => h.packet);
      const p = first?.packet;
      if (!p || p.payload.kind !== 'udp' || p.payload.dstPort !== DNS_PORT || !(p.payload.payload instanceof Uint8Array)) return [];
      if (to && !to.includes(p.dst)) return [];
      try {
        const m = decodeDns(p.payload.payload);
        return m.qr || m.questions.length === 0 ? [] : [m.questions[0]!.name];
      } catch {
        return [];
      }
    },
  },
  'fragment-offset': {
    name: 'fragment-offset',
    doc: 'The fragment offset field of the last fragment of a packet from `from` to `to` as it crossed device `dev` at place `at`: in 8-byte units, as the header holds it (tcpdump -v prints it multiplied by 8, as bytes).',
    normalize: 'number',
    needs: ['to', 'at', 'dev'],
    how: 'send {{to}} a packet larger than the MTU from {{from}} (ping -s 2000) while capturing with tcpdump -v at {{at}}',
    extract(ref, ctx, ev) {
      if (!fromHere(ref, ctx, ev)) return [];
      const fromIps = addressesOf(ctx, ref.from);
      const to = addressesOf(ctx, ref.to!);
      const out: string[] = [];
      for (const c of capturedAt(ref, ctx, ev)) {
        const ip = c.frame.payload;
        if (ip.kind !== 'ipv4' || !fromIps.includes(ip.src) || !to.includes(ip.dst)) continue;
        // The last fragment: no MF, and an offset (a whole packet has neither).
        if (!ip.mf && ip.fragOffset > 0) out.push(String(ip.fragOffset));
      }
      return unique(out);
    },
  },
};

function frameMacs(ref: ObservableRef, ctx: CheckContext, ev: TraceEvent, which: 'src' | 'dst'): string[] {
  if (!fromHere(ref, ctx, ev)) return [];
  const fromIps = addressesOf(ctx, ref.from);
  const to = ref.to ? addressesOf(ctx, ref.to) : undefined;
  const out: string[] = [];
  for (const c of capturedAt(ref, ctx, ev)) {
    if (c.dir !== 'out') continue;
    const ip = c.frame.payload;
    if (ip.kind !== 'ipv4') continue;
    if (!fromIps.includes(ip.src) || (to && !to.includes(ip.dst))) continue;
    out.push(which === 'src' ? c.frame.src : c.frame.dst);
  }
  return unique(out);
}

/** A vertex list as the `path` normaliser writes it canonically. */
function canonicalPath(p: VertexPath): string {
  return `${p.vertices.map((v) => v.toLowerCase()).join(' ')}${p.outcome === 'discarded' ? ' discard' : ''}`;
}

/** The vertex whose processes use network namespace `ns`: a pod, a node's K8s-Node, a host. */
function vertexOfPlace(graph: NetworkGraph, ns: string): string | undefined {
  if (ns.startsWith('node/')) return nodeVertexId(ns.slice(5));
  return graph.vertices.find((v) => v.kind === 'process' && v.ns === ns)?.id;
}

const showPath = (canonical: string): string => display(canonical, { normalize: 'path' });

/** Why the message left vertex `d` the way it did: the entry of its table that decided, in words. */
function decision(d: DecidingStep): string {
  const { step } = d;
  const e = step.entry;
  const extra = step.note !== undefined && step.note !== e.note ? `; ${step.note}` : '';
  if (step.action === 'discard') return `${d.vertex} discards it (${step.note ?? e.note ?? 'no entry matches'})`;
  if (step.action === 'deliver' && step.edge === undefined) return `${d.vertex} takes it: it is addressed there`;
  const what = d.underlay ? "the tunnel's outer packet" : 'it';
  if (e.flood) return `${d.vertex} does not know the frame's destination MAC and floods ${what} to every port${extra}`;
  const by = e.match === '*' ? `${d.vertex}'s table sends everything there` : `${d.vertex}'s entry \`${e.match}\` sends ${what} there`;
  const why = e.note !== undefined ? ` (${e.note}${extra})` : extra ? ` (${extra.slice(2)})` : '';
  const tunnel = step.underlay && step.underlay.length > 1 ? `, and the outer packet crosses ${step.underlay[1]!.vertex}` : '';
  return `${by}${why}${tunnel}`;
}

/** Where the predicted path `given` leaves the one the message took (`seen`), and the table entry that decided there. */
function whereThePathsPart(given: string, seen: string, steps: DecidingStep[]): string | undefined {
  const split = (c: string) => {
    const words = c.split(' ');
    const discard = words[words.length - 1] === 'discard';
    return { words: discard ? words.slice(0, -1) : words, discard };
  };
  const g = split(given);
  const s = split(seen);
  let i = 0;
  while (i < g.words.length && i < s.words.length && g.words[i] === s.words[i]) i++;
  if (i === 0) return `A path starts where the message is sent: ${showPath(s.words[0]!)}.`;
  const at = steps[i - 1];
  if (!at) return undefined;
  const here = showPath(s.words[i - 1]!);
  if (i === s.words.length) {
    if (i < g.words.length) return `The message goes no further than ${here}: ${decision(at)}.`;
    return s.discard ? `The message ends at ${here}, but is not delivered there: ${decision(at)}.` : `The message is not discarded: ${decision(at)}.`;
  }
  if (i === g.words.length && g.discard) return `The message is not discarded at ${here}: it goes on to ${showPath(s.words[i]!)}, because ${decision(at)}.`;
  const instead = i < g.words.length ? `, not to ${showPath(g.words[i]!)}` : '';
  return `After ${here} the paths part: the message goes to ${showPath(s.words[i]!)}${instead}, because ${decision(at)}.`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Problems with an observable reference (checked when the lab is defined); `field` is where it is in the check. */
export function observableProblems(ref: ObservableRef, field: string): string[] {
  const o = OBSERVABLES[ref.value];
  if (!o) return [`unknown observable "${ref.value}"; known: ${Object.keys(OBSERVABLES).join(', ')}`];
  const out = o.needs.filter((n) => ref[n] === undefined).map((n) => `observable ${ref.value} needs \`${n}\``);
  return [...out, ...placeProblems([[`${field}.from`, ref.from], [`${field}.at`, ref.at], [`${field}.to`, ref.to, true]])];
}

/** The sentence telling the learner how to make one (for feedback). */
export function howToSee(ref: ObservableRef, ctx: CheckContext): string {
  const o = OBSERVABLES[ref.value]!;
  return o.how.replace('{{from}}', labelOf(ctx, ref.from)).replace('{{to}}', ref.to ? labelOf(ctx, ref.to) : '').replace('{{at}}', ref.at ? labelOf(ctx, ref.at) : '');
}

