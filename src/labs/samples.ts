/**
 * Sample outputs and facts for lesson text, computed from a lab's sandbox.
 *
 * Design notes: lessons quote command output, draw the cluster and its network graph, and
 * show a packet's bytes; all come from the lab's own sandbox built with its default seed (the
 * seed the static lab panel shows), at build time, so the prose, the pictures and the lab never disagree. A packet is
 * taken from the session's trace events, the frames that crossed a wire. Each sample runs in a fresh
 * session on a virtual clock, exactly as `npm run shell -- --lab <id> --quiet` would; the lab is
 * built once and each sample starts from a restored snapshot of it.
 */
import { REFERENCE_TIME, requireLab } from './catalog';
import { isDropStep } from '../sim/forward';
import type { OutputSink } from './contract';
import type { LabDefinition } from './schema';
import { LabSession } from './session';
import { render, type ResolvedBindings } from './template';
import { networkGraph, type NetworkGraph } from '../sim/graph';
import { ScriptClock, transcript } from './transcript';

export interface Sample {
  /** The command with the lab's bindings filled in (`{{target.ip}}` -> `10.244.1.2`). */
  command: string;
  /** What the terminal prints for it (stdout and stderr as they interleave). */
  output: string;
}

/** A lab by id, or a definition (the tests' fixture labs). */
export type LabRef = string | LabDefinition;

/** Each lab's default-seed session as it stands once created (its snapshot as JSON) and the time then. */
const started = new WeakMap<LabDefinition, Promise<{ snapshot: string; now: number }>>();

/**
 * A fresh default-seed session of the lab. The lab is built once per process (cluster,
 * manifests, faults, setup commands); every sample after the first restores that snapshot on a
 * clock at the same time, which is what the same `create` would give again (the lab self-test
 * checks that a restored snapshot continues exactly as the session it was taken from).
 */
async function session(ref: LabRef): Promise<{ s: LabSession; clock: ScriptClock }> {
  const lab = typeof ref === 'string' ? requireLab(ref) : ref;
  let base = started.get(lab);
  if (!base) {
    const clock = new ScriptClock(REFERENCE_TIME);
    base = LabSession.create({ lab, seed: lab.defaultSeed, scheduler: clock }).then((s) => ({ snapshot: JSON.stringify(s.snapshot()), now: clock.now() }));
    started.set(lab, base);
  }
  const { snapshot, now } = await base;
  const clock = new ScriptClock(now);
  return { s: LabSession.restore(JSON.parse(snapshot), clock, lab), clock };
}

/** Runs `setup` then `command` in a fresh default-seed session and returns the command's output. */
export async function sampleOutput(labId: LabRef, command: string, setup: string[] = []): Promise<Sample> {
  const { s, clock } = await session(labId);
  const rendered = render(command, s.bindings);
  if (setup.length) await transcript(s, clock, setup.map((l) => render(l, s.bindings)), { quiet: true });
  const output = await transcript(s, clock, [rendered], { quiet: true });
  return { command: rendered, output };
}

/**
 * The lab's network graph (src/sim/graph.ts: processes, switches, links and every forwarding
 * table) after `setup` in a fresh default-seed session, with the lab's bindings, for pictures
 * drawn from it.
 */
export async function sampleGraph(labId: LabRef, setup: string[] = []): Promise<{ graph: NetworkGraph; bindings: ResolvedBindings }> {
  const { s, clock } = await session(labId);
  if (setup.length) await transcript(s, clock, setup.map((l) => render(l, s.bindings)), { quiet: true });
  return { graph: networkGraph(s.sim.state), bindings: s.bindings };
}

/** A bound value (`target.ip`) for the lab's default seed. */
export async function sampleFact(labId: LabRef, ref: string): Promise<string> {
  const { s } = await session(labId);
  return render(`{{${ref}}}`, s.bindings);
}

export interface ClusterPicture {
  nodes: {
    name: string;
    ip: string;
    podCidr: string;
    bridgeIp: string;
    pods: { name: string; namespace: string; ip: string }[];
    hostNetworkPods: string[];
  }[];
  nodeNetwork: string;
  gateway: string;
  podNetwork: string;
  serviceNetwork: string;
  services: { name: string; namespace: string; ip: string }[];
}

/** The lab's cluster as the pools figure draws it. */
export async function clusterPicture(labId: LabRef): Promise<ClusterPicture> {
  const { s } = await session(labId);
  const st = s.sim.state;
  const fmt = (n: number): string => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  const cidr = (c: { addr: number; len: number }): string => `${fmt(c.addr)}/${c.len}`;
  const pods = Object.values(st.k8s.pods).sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
  return {
    nodes: Object.values(st.k8s.nodes).map((n) => {
      const [net] = n.spec.podCIDR.split('/');
      const parts = net!.split('.');
      parts[3] = String(Number(parts[3]) + 1);
      const mine = pods.filter((p) => p.spec.nodeName === n.metadata.name);
      return {
        name: n.metadata.name,
        ip: n.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '',
        podCidr: n.spec.podCIDR,
        bridgeIp: parts.join('.'),
        pods: mine.filter((p) => !p.spec.hostNetwork).map((p) => ({ name: p.metadata.name, namespace: p.metadata.namespace ?? 'default', ip: p.status.podIP ?? '' })),
        hostNetworkPods: mine.filter((p) => p.spec.hostNetwork).map((p) => p.metadata.name),
      };
    }),
    nodeNetwork: cidr(st.config.nodeNetwork),
    gateway: fmt(st.config.gateway),
    podNetwork: cidr(st.config.podCidr),
    serviceNetwork: cidr(st.config.serviceCidr),
    services: Object.values(st.k8s.services)
      .map((v) => ({ name: v.metadata.name, namespace: v.metadata.namespace ?? 'default', ip: v.spec.clusterIP ?? '' }))
      .sort((a, b) => a.ip.localeCompare(b.ip, undefined, { numeric: true })),
  };
}

/**
 * What a capture prints while another command makes traffic: `capture` (a tcpdump) starts in
 * the main terminal after `setup`; once it says it is listening, `during` runs in a second
 * terminal, and a second later the capture is interrupted as Ctrl+C would, and its stdout is returned (libpcap's banner and statistics go
 * to stderr and are left out). The lab's two-terminal workflow, at build time.
 */
export async function sampleCapture(labId: LabRef, capture: string, during: string, setup: string[] = []): Promise<Sample & { during: string }> {
  const { s, clock } = await session(labId);
  if (setup.length) await transcript(s, clock, setup.map((l) => render(l, s.bindings)), { quiet: true });
  const command = render(capture, s.bindings);
  const traffic = render(during, s.bindings);
  let output = '';
  let listening = false;
  let ended = false;
  const ignore: OutputSink = { write: () => {} };
  const running = s.run(command, { write: (t) => void (output += t) }, { write: (t) => void (listening ||= t.includes('listening on')) });
  void running.then(() => (ended = true));
  const other = s.openTerminal();
  // As a learner would, start the traffic once the capture says it is listening: the ssh
  // before it and tcpdump's start take turns of their own, which sandbox time does not measure.
  for (let turn = 0; turn < 1000 && !listening && !ended; turn++) await other.run('true', ignore, ignore);
  // A second later, as a learner switching terminals.
  await other.run('sleep 1', ignore, ignore);
  await other.run(traffic, ignore, ignore);
  // And back in the first terminal a moment later: what the capture had to print is printed by then.
  await other.run('sleep 1', ignore, ignore);
  s.interrupt();
  await running;
  return { command, during: traffic, output: output.replace(/^\n+|\n+$/g, '') };
}

/** The first IPv4 packet a command put on a wire, for pictures of the header. */
export interface PacketSample extends Sample {
  /** The whole Ethernet frame, as the lab's pcap file holds it. */
  frame: Uint8Array;
  /** The IPv4 packet inside it (the frame less its 14-byte Ethernet header). */
  packet: Uint8Array;
  /** The trace's one-line summary: `ICMP echo request 192.168.1.100 > 192.168.2.10`. */
  summary: string;
  /** The machine whose trace it is (where the packet started): `workstation`. */
  host: string;
}

/**
 * Runs `setup` then `command` in a fresh default-seed session and returns the first IPv4
 * packet the command sent onto a veth or a cable (ARP frames before it are skipped), from the
 * session's trace events, exactly as `--pcap` writes it. Throws when the command sent none.
 */
export async function samplePacket(labId: LabRef, command: string, setup: string[] = []): Promise<PacketSample> {
  const { s, clock } = await session(labId);
  const rendered = render(command, s.bindings);
  if (setup.length) await transcript(s, clock, setup.map((l) => render(l, s.bindings)), { quiet: true });
  let found: { frame: Uint8Array; summary: string; host: string } | undefined;
  const stop = s.subscribe((e) => {
    if (found || e.type !== 'trace') return;
    const frame = e.trace.frames.find((f) => f.length >= 34 && f[12] === 0x08 && f[13] === 0x00);
    if (frame) found = { frame, summary: e.trace.summary, host: e.trace.hops[0]?.host ?? '' };
  });
  const output = await transcript(s, clock, [rendered], { quiet: true });
  stop();
  if (!found) throw new Error(`samplePacket: "${rendered}" in lab ${typeof labId === 'string' ? labId : labId.id} put no IPv4 packet on a wire. Its output:\n${output}`);
  return { command: rendered, output, frame: found.frame, packet: found.frame.slice(14), summary: found.summary, host: found.host };
}

/** What became of one command's traffic: its output, and the first step that dropped a packet of it. */
export interface OutcomeSample extends Sample {
  /** The host and the trace's sentence of the first drop (an iptables DROP or the engine's own), if any. */
  drop?: { host: string; detail: string };
}

/**
 * Runs `setup`, then each command in turn, in one fresh default-seed session, and says for each
 * what it printed and where its traffic was first dropped (read from the session's trace
 * events, as the packet path view shows them): for pictures of what a policy lets through.
 */
export async function sampleOutcomes(labId: LabRef, commands: string[], setup: string[] = []): Promise<OutcomeSample[]> {
  const { s, clock } = await session(labId);
  if (setup.length) await transcript(s, clock, setup.map((l) => render(l, s.bindings)), { quiet: true });
  const out: OutcomeSample[] = [];
  for (const command of commands) {
    const rendered = render(command, s.bindings);
    let drop: OutcomeSample['drop'];
    const stop = s.subscribe((e) => {
      if (drop || e.type !== 'trace') return;
      const h = e.trace.hops.find(isDropStep);
      if (h) drop = { host: h.host, detail: h.detail };
    });
    const output = await transcript(s, clock, [rendered], { quiet: true });
    stop();
    out.push({ command: rendered, output, ...(drop ? { drop } : {}) });
  }
  return out;
}
