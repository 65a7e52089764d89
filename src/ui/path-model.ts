/**
 * What the packet path view shows, without the DOM: the packets of the last commands, which
 * one to show, and its hops grouped by host.
 *
 * Design notes: the lab runtime keeps a PathLog from the start (it only stores the session's
 * `trace` events, so the view, loaded when first opened, can show packets sent before), and the
 * view reads it. Packets are grouped by the command that sent them (the event's `command`:
 * one `ping -c 3` gives three traces, each an echo request and its reply; a traceroute or a
 * TCP exchange gives many); traces without a command (the lab's own probes) are not the
 * learner's and are left out. The log keeps the last MAX_COMMANDS commands that sent packets
 * and the last MAX_TRACES traces of each (a ping left running keeps sending), saying how many
 * it let go. The packet shown by default is the last one a command's program sent: the first
 * packet of its last trace (the last echo request, the last probe, the last segment).
 * A packet's hops are its own steps in its trace (the ARP exchange it waited for included) and
 * the step that answers it where it arrived (the kernel's echo reply), grouped into runs on one
 * host, as a simulation mode draws them: one box per host visit.
 */
import type { CommandRef, HopView, TraceView } from '../labs/contract';

export const MAX_COMMANDS = 10;
export const MAX_TRACES = 200;

export interface CommandPackets {
  command: CommandRef;
  traces: TraceView[];
  /** Traces let go because the command sent more than MAX_TRACES. */
  dropped: number;
}

/** One packet of a command: trace `trace` (in CommandPackets.traces), packet `packet` of it. */
export interface PacketChoice {
  trace: number;
  packet: number;
  label: string;
}

export class PathLog {
  private readonly entries: CommandPackets[] = [];
  private readonly listeners = new Set<() => void>();
  /** The command whose packets came last. */
  private active: number | undefined;

  add(trace: TraceView): void {
    const c = trace.command;
    if (!c) return;
    let e = this.entries.find((x) => x.command.id === c.id);
    if (!e) {
      e = { command: c, traces: [], dropped: 0 };
      this.entries.push(e);
      this.entries.sort((a, b) => a.command.id - b.command.id);
      while (this.entries.length > MAX_COMMANDS) this.entries.shift();
    }
    e.traces.push(trace);
    if (e.traces.length > MAX_TRACES) {
      e.traces.shift();
      e.dropped++;
    }
    this.active = c.id;
    for (const l of this.listeners) l();
  }

  clear(): void {
    this.entries.length = 0;
    this.active = undefined;
    for (const l of this.listeners) l();
  }

  /** The commands that sent packets, oldest first. */
  commands(): readonly CommandPackets[] {
    return this.entries;
  }

  command(id: number): CommandPackets | undefined {
    return this.entries.find((e) => e.command.id === id);
  }

  /** The command whose packets came last. */
  latest(): CommandPackets | undefined {
    return this.entries.find((e) => e.command.id === this.active) ?? this.entries.at(-1);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Every packet of a command, in the order sent: `1. ICMP echo request ..., seq 0`. */
export function packetChoices(e: CommandPackets): PacketChoice[] {
  const out: PacketChoice[] = [];
  e.traces.forEach((t, trace) => t.packets.forEach((p, packet) => out.push({ trace, packet, label: p.label })));
  return out;
}

/** The last packet the command's program sent: the first packet of its last trace. */
export function defaultChoice(e: CommandPackets): PacketChoice | undefined {
  const trace = e.traces.length - 1;
  const t = e.traces[trace];
  if (!t || t.packets.length === 0) return undefined;
  return { trace, packet: 0, label: t.packets[0]!.label };
}

/**
 * The hops of one packet of a trace, with their index in the trace: its own, and where it
 * arrived, the step that answers it (the kernel's echo reply, a server's segment), so the
 * packet's way ends where the answer starts.
 */
export function packetHops(t: TraceView, packet: number): { hop: HopView; index: number }[] {
  const out: { hop: HopView; index: number }[] = [];
  t.hops.forEach((hop, index) => {
    if (hop.packet === packet || (hop.action === 'reply' && t.packets[hop.packet]?.cause === packet)) out.push({ hop, index });
  });
  return out;
}

export interface HostVisit {
  ns: string;
  host: string;
  /** `pod`, `node`, `container`, or '' for a plain machine. */
  kind: string;
  /** Positions in the packet's hop list. */
  hops: number[];
  /** How the packet leaves for the next visit (`veth pair`, `LAN switch`), '' for the last one. */
  link: string;
}

/** Consecutive hops on one host, as one visit each. */
export function hostVisits(hops: HopView[]): HostVisit[] {
  const out: HostVisit[] = [];
  hops.forEach((h, i) => {
    const last = out.at(-1);
    if (last && last.ns === h.ns) last.hops.push(i);
    else out.push({ ns: h.ns, host: h.host, kind: nsKind(h.ns), hops: [i], link: '' });
  });
  for (let i = 0; i + 1 < out.length; i++) {
    const v = out[i]!;
    v.link = linkText(hops[v.hops.at(-1)!]!);
  }
  return out;
}

function nsKind(ns: string): string {
  const prefix = ns.split('/')[0] ?? '';
  return prefix === 'pod' || prefix === 'node' || prefix === 'container' ? prefix : '';
}

function linkText(h: HopView): string {
  switch (h.action) {
    case 'veth':
      return `veth pair (${h.dev ?? ''})`;
    case 'switch':
      return h.outer && h.headers.some((l) => l.name === 'VXLAN') ? 'LAN switch, VXLAN inside' : 'LAN switch';
    case 'arp-request':
      return 'ARP broadcast';
    case 'arp-reply':
      return 'ARP reply';
    case 'bridge-forward':
    case 'bridge-flood':
      return 'bridge port';
    default:
      return '';
  }
}

export type ActionKind = 'l2' | 'arp' | 'l3' | 'nat' | 'tunnel' | 'end' | 'drop' | 'other';

const ACTIONS: Record<string, { label: string; kind: ActionKind }> = {
  send: { label: 'Send', kind: 'l3' },
  route: { label: 'Route', kind: 'l3' },
  forward: { label: 'Forward', kind: 'l3' },
  'arp-request': { label: 'ARP request', kind: 'arp' },
  'arp-reply': { label: 'ARP reply', kind: 'arp' },
  veth: { label: 'veth', kind: 'l2' },
  'bridge-forward': { label: 'Bridge', kind: 'l2' },
  'bridge-flood': { label: 'Bridge flood', kind: 'l2' },
  switch: { label: 'Switch', kind: 'l2' },
  'vxlan-encap': { label: 'VXLAN encap', kind: 'tunnel' },
  'vxlan-decap': { label: 'VXLAN decap', kind: 'tunnel' },
  dnat: { label: 'DNAT', kind: 'nat' },
  snat: { label: 'SNAT', kind: 'nat' },
  'un-dnat': { label: 'un-DNAT', kind: 'nat' },
  'un-snat': { label: 'un-SNAT', kind: 'nat' },
  reply: { label: 'Reply', kind: 'end' },
  deliver: { label: 'Deliver', kind: 'end' },
  drop: { label: 'Drop', kind: 'drop' },
  filter: { label: 'Filter', kind: 'drop' },
  proxy: { label: 'Proxy', kind: 'other' },
};

/** A hop's action as its badge says it, and the family its colour comes from. */
export function actionBadge(action: string): { label: string; kind: ActionKind } {
  return ACTIONS[action] ?? { label: action, kind: 'other' };
}

/** What a hop did, in one short line: the route it matched, a NAT's change, else the engine's words. */
export function hopSummary(h: HopView): string {
  if (h.route) return h.route;
  if (h.nat) {
    const { before, after } = h.nat;
    const ep = (ip: string, port?: number): string => (port === undefined ? ip : `${ip}:${port}`);
    const parts: string[] = [];
    if (before.src !== after.src || before.sport !== after.sport) parts.push(`source ${ep(before.src, before.sport)} → ${ep(after.src, after.sport)}`);
    if (before.dst !== after.dst || before.dport !== after.dport) parts.push(`destination ${ep(before.dst, before.dport)} → ${ep(after.dst, after.dport)}`);
    if (parts.length > 0) return parts.join(', ');
  }
  return h.detail;
}

/** A hex dump, 16 bytes a line: `0000  45 00 00 54 ...  E..T...`. */
export function hexDump(bytes: Uint8Array, perLine = 16): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += perLine) {
    const row = bytes.subarray(at, at + perLine);
    const hex = [...row].map((b, i) => `${i === perLine / 2 ? ' ' : ''}${b.toString(16).padStart(2, '0')}`).join(' ');
    const width = perLine * 3 - 1 + 1;
    const text = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(4, '0')}  ${hex.padEnd(width)}  ${text}`);
  }
  return lines.join('\n');
}
