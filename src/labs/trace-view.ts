/**
 * A sandbox trace (forward.ts's TraceResult) as the plain data of the session's `trace` event:
 * what the packet path view draws and its table lists.
 *
 * Design notes: everything here reads the trace the sandbox recorded; nothing is simulated
 * again. Each hop keeps the engine's one-line explanation and gains what a protocol analyser
 * would show at that point: the headers, outermost first, as fields with their byte offsets
 * (packet-fields.ts), the bytes themselves, the packet in one line, the before and after of a
 * NAT step, the route a route step matched. The headers come from the frame the step moves
 * where there is one (veth, switch, bridge, ARP), from the tunnel packet with its inner frame at
 * a VXLAN step, otherwise from the IPv4 packet as the step left it. A hop says which of the
 * trace's packets it belongs to (`packet`, the engine's legs): the program's own packet first,
 * then the answers and errors it caused, each with a label. One frame or packet seen by several
 * steps is encoded and described once, its bytes and headers shared between their views. The value is plain data (strings,
 * numbers, arrays, objects, Uint8Array) and can cross to a worker.
 */
import { formatIp } from '../sim/ipv4';
import type { Hop, TraceResult } from '../sim/forward';
import { encodeFrame, encodeIpv4, type EthernetFrame, type Ipv4Packet } from '../sim/packet';
import { frameHeaders, packetHeaders } from '../sim/packet-fields';
import type { SimState } from '../sim/state';
import { arpText, describePacket, hostName, packetLabel, packetText } from '../sim/trace-text';
import type { CommandRef, EndpointsView, HeaderView, HopView, TraceView } from './contract';

export function traceView(state: SimState, trace: TraceResult, time: number, command?: CommandRef): TraceView {
  const first = trace.hops.find((h) => h.ip);
  // The first IPv4 packet captured (an ARP exchange may come before it).
  const firstPacket = trace.captures.map((c) => c.frame.payload).find((p) => p.kind === 'ipv4');
  const hosts = new Map<string, string>();
  const host = (ns: string): string => {
    let h = hosts.get(ns);
    if (h === undefined) {
      h = hostName(state, ns);
      hosts.set(ns, h);
    }
    return h;
  };
  const wire = new Wire();
  return {
    time,
    summary: firstPacket && firstPacket.kind === 'ipv4' ? `${describePacket(firstPacket)} ${formatIp(firstPacket.src)} > ${formatIp(firstPacket.dst)}` : (first?.detail ?? ''),
    hops: trace.hops.map((h) => hopView(h, host(h.ns), wire)),
    frames: trace.captures.filter((c) => c.wire).map((c) => wire.frame(c.frame).bytes),
    packets: trace.legs.map((l) => ({ label: packetLabel(l.packet), host: host(l.ns), ns: l.ns, ...(l.cause !== undefined ? { cause: l.cause } : {}) })),
    ...(command ? { command: { ...command } } : {}),
  };
}

/** Bytes and headers of the frames and packets of one trace, each worked out once however many steps show it. */
class Wire {
  private readonly seen = new Map<object, { bytes: Uint8Array; headers: HeaderView[] }>();

  frame(f: EthernetFrame): { bytes: Uint8Array; headers: HeaderView[] } {
    return this.get(f, () => ({ bytes: encodeFrame(f), headers: frameHeaders(f) }));
  }

  packet(p: Ipv4Packet): { bytes: Uint8Array; headers: HeaderView[] } {
    return this.get(p, () => ({ bytes: encodeIpv4(p), headers: packetHeaders(p) }));
  }

  private get(key: object, make: () => { bytes: Uint8Array; headers: HeaderView[] }): { bytes: Uint8Array; headers: HeaderView[] } {
    let v = this.seen.get(key);
    if (!v) {
      v = make();
      this.seen.set(key, v);
    }
    return v;
  }
}

function hopView(h: Hop, host: string, wire: Wire): HopView {
  const v: HopView = {
    ns: h.ns,
    host,
    ...(h.dev !== undefined ? { dev: h.dev } : {}),
    action: h.action,
    detail: h.detail,
    ...(h.ip ? { ip: { src: formatIp(h.ip.src), dst: formatIp(h.ip.dst), ttl: h.ip.ttl, id: h.ip.id, checksum: h.ip.checksum, proto: h.ip.proto, ...(h.ip.sport !== undefined ? { sport: h.ip.sport, dport: h.ip.dport! } : {}) } } : {}),
    ...(h.outer ? { outer: { src: formatIp(h.outer.src), dst: formatIp(h.outer.dst), ttl: h.outer.ttl } } : {}),
    ...(h.rules ? { rules: [...h.rules] } : {}),
    packet: h.leg,
    headers: [],
  };
  // A VXLAN step shows the tunnel packet around the frame; a frame step the frame; else the packet.
  const vxlan = h.tunnel && (h.action === 'vxlan-encap' || h.action === 'vxlan-decap');
  const shown = vxlan ? wire.packet(h.tunnel!) : h.frame ? wire.frame(h.frame) : h.packet ? wire.packet(h.packet) : undefined;
  if (shown) {
    v.headers = shown.headers;
    v.bytes = shown.bytes;
  }
  const text = hopText(h);
  if (text !== undefined) v.text = text;
  if (h.before && h.packet) v.nat = { before: endpoints(h.before), after: endpoints(h.packet) };
  if (h.route) v.route = `${h.route.dst}${h.route.via !== undefined ? ` via ${formatIp(h.route.via)}` : ''} dev ${h.route.dev}`;
  return v;
}

function hopText(h: Hop): string | undefined {
  if (h.packet) return packetText(h.packet);
  if (h.tunnel) return packetText(h.tunnel);
  const f: EthernetFrame | undefined = h.frame;
  if (f?.payload.kind === 'arp') return arpText(f.payload);
  return undefined;
}

function endpoints(p: Ipv4Packet): EndpointsView {
  const pl = p.payload;
  const e: EndpointsView = { src: formatIp(p.src), dst: formatIp(p.dst) };
  if (pl.kind === 'udp' || pl.kind === 'tcp') {
    e.sport = pl.srcPort;
    e.dport = pl.dstPort;
  }
  return e;
}
