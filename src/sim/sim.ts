/**
 * The sandbox's front door: a state, its RNG and a clock, and the actions commands take.
 *
 * Design notes: Sim wraps a SimState (plain JSON) with the RNG that reads and advances the
 * state's own RNG words, and an injected Clock. Commands call its methods (ping one packet,
 * look up a pod) rather than editing the state, so the same rules apply to the browser, the
 * CLI and the tests. Round-trip times are derived from what the packet went through (links
 * crossed, routers, ARP resolutions, VXLAN) with seeded jitter: realistic magnitudes, not
 * measurements. `advance` brings the cluster up to the clock's time (k8s/advance.ts: the
 * kubelets' stages, rolling-update steps and the controllers, in the order they fell due); it
 * runs before a packet moves or a pod is looked up, and the shell, the grader and the
 * topology view call it before they read or change the model, so everything sees the cluster
 * as it stands at that moment: a pod started a few seconds ago answers. A TCP connection's
 * timers (tcp-stack.ts: the SYN sent again while nothing answers) wait through the command's
 * own sleep (`tcpSession`, `runTimers`), so each retransmission crosses the model at its
 * sandbox time, with the cluster advanced to it; `tcpRequest` runs the same client with no
 * time passing. `withOrigin` gives one sender (a terminal's shell) its own view of the same
 * sandbox, so the trace listeners hear who sent each packet even while several commands run.
 */
import { noteNetworkChange } from './host/node-health';
import { clone } from './clone';
import { carryDerived } from './derived';
import { runDaemons } from './daemons';
import { buildCluster, type ClusterSpec } from './cluster';
import { podNetns } from './cni';
import type { Clock } from './clock';
import { quotedTuple } from './conntrack';
import { inject, type InjectOptions, type LocalError, type TraceResult } from './forward';
import { formatIp, type Ip } from './ipv4';
import { advanceCluster } from './k8s/advance';
import { key, type Pod } from './k8s/types';
import { cachedPmtu, lookupRoute, sourceTo, type Netns } from './netns';
import { echoId, echoRequest, echoSeq, ICMP_DEST_UNREACH, ICMP_ECHO_REPLY, ICMP_TIME_EXCEEDED, ipv4, pingPayload, udp, type IcmpMessage, type Ipv4Packet } from './packet';
import { runAtOnce, tcpClient, type TcpEnv, type TcpExchange, type TcpRun } from './tcp-stack';
import { rngOver, type Rng } from './rng';
import { upgradeDockerState } from './docker';
import { MAX_OBSERVATIONS, STATE_FORMAT, type Observation, type SimState } from './state';

export interface PingOptions {
  id: number;
  seq: number;
  /** ICMP data bytes (default 56). */
  size?: number;
  ttl?: number;
  /**
   * Path MTU discovery, as ping's -M: `want` (Linux's default: DF set, but a packet larger than
   * the path MTU is fragmented locally), `do` (DF always: too large fails with EMSGSIZE, and
   * the kernel leaves the IP identification 0, as it does for DF packets it may not fragment),
   * `dont` (no DF).
   */
  pmtu?: 'want' | 'do' | 'dont';
}

export type PingOutcome =
  | { kind: 'reply'; from: Ip; ttl: number; bytes: number; rttMs: number }
  | { kind: 'icmp-error'; from: Ip; type: number; code: number; mtu?: number }
  | { kind: 'local-error'; errno: LocalError['errno']; mtu?: number; from: Ip }
  | { kind: 'lost' };

export interface PingResult {
  outcome: PingOutcome;
  trace: TraceResult;
}

export type UdpResult =
  | { kind: 'reply'; from: Ip; sport: number; data: Uint8Array; rttMs: number; trace: TraceResult }
  | { kind: 'icmp-error'; from: Ip; type: number; code: number; rttMs: number; trace: TraceResult }
  | { kind: 'local-error'; errno: LocalError['errno']; trace: TraceResult }
  | { kind: 'lost'; trace: TraceResult };

export type TcpResult = Exclude<TcpExchange, { kind: 'response' }> | (Extract<TcpExchange, { kind: 'response' }> & { connectMs: number; totalMs: number });

/** How a program lets its connection's timers run (Sim.tcpSession). */
export interface TcpTimers {
  /** Lets `ms` of sandbox time pass; false when the program was interrupted meanwhile (Ctrl+C). */
  wait(ms: number): Promise<boolean>;
  /** The program's own limit (curl's --connect-timeout, wget's -T, nc's -w): it stops waiting then. */
  limitMs?: number;
}

export type TimedTcpResult = TcpResult & { waitedMs: number; interrupted: boolean };

/** Hears every packet run: its trace, the sandbox time, and who sent it (Sim.withOrigin), if anyone said. */
export type TraceListener = (trace: TraceResult, timeMs: number, origin: string | undefined) => void;

export class Sim {
  readonly rng: Rng;
  private readonly traceListeners = new Set<TraceListener>();
  /** Who sends through this view of the sandbox (withOrigin); undefined for the sandbox itself. */
  private origin?: string;

  private constructor(
    readonly state: SimState,
    readonly clock: Clock,
  ) {
    this.rng = rngOver(state.rng);
  }

  static create(spec: ClusterSpec, seed: number, clock: Clock, createdAt = clock.now()): Sim {
    return new Sim(buildCluster(spec, seed, createdAt), clock);
  }

  /** Takes ownership of a freshly built state (no copy). */
  static fromState(state: SimState, clock: Clock): Sim {
    return new Sim(state, clock);
  }

  /** Resumes from a snapshot (the state is cloned, so the snapshot stays untouched). */
  static restore(snapshot: SimState, clock: Clock): Sim {
    if (snapshot.format !== STATE_FORMAT) throw new Error(`unsupported sandbox state format ${String(snapshot.format)}`);
    const copy = clone(snapshot);
    carryDerived(snapshot, copy);
    return new Sim(upgradeDockerState(copy), clock);
  }

  /**
   * Listens to every packet the sandbox moves: called with each run's trace and the sandbox
   * time it happened at (for captures and pcap files). Returns a function that stops listening.
   */
  onTrace(listener: TraceListener): () => void {
    this.traceListeners.add(listener);
    return () => this.traceListeners.delete(listener);
  }

  /**
   * The same sandbox (state, RNG, clock and listeners all shared) as one sender sees it: the
   * packets sent through it reach the trace listeners with `origin` (a terminal, so a front
   * end can tell which command sent them while several run at once).
   */
  withOrigin(origin: string): Sim {
    const view = Object.create(this) as Sim;
    view.origin = origin;
    return view;
  }

  /** Injects a packet from a namespace's stack and tells the listeners what happened. */
  send(nsId: string, packet: Ipv4Packet, opts?: InjectOptions): TraceResult {
    this.advance();
    const now = this.clock.now();
    const trace = inject(this.state, nsId, packet, now, opts);
    for (const l of this.traceListeners) l(trace, now, this.origin);
    return trace;
  }

  snapshot(): SimState {
    return clone(this.state);
  }

  pod(namespace: string, name: string): Pod | undefined {
    this.advance();
    return this.state.k8s.pods[key(namespace, name)];
  }

  /**
   * The cluster catches up with the clock: every stage that fell due since the last call runs,
   * in time order (k8s/advance.ts). Cheap when nothing is due; true when anything changed.
   */
  advance(): boolean {
    return advanceCluster({ state: this.state, rng: this.rng, now: this.clock.now(), podStartup: 'timed' });
  }

  podNetns(pod: Pod): Netns | undefined {
    return podNetns(this.state, pod);
  }

  /** A command may have changed a machine's network: the kubelets that lost (or regained) the API server are noted. */
  networkChanged(): void {
    noteNetworkChange(this.state, this.clock.now());
  }

  /** The node agents (kube-proxy, a policy agent) write the kernel state they own, as of now. */
  syncDaemons(): void {
    runDaemons(this.state, this.clock.now());
  }

  /** Sends one ICMP echo request from namespace `nsId` and reports what came back. */
  ping(nsId: string, dst: Ip, opts: PingOptions): PingResult {
    // The node agents write the kernel state first: the source address depends on it (a VIP on kube-ipvs0 is local).
    runDaemons(this.state, this.clock.now());
    const ns = this.state.netns[nsId];
    if (!ns) throw new Error(`no network namespace ${nsId}`);
    const size = opts.size ?? 56;
    const route = lookupRoute(ns, dst, this.state);
    const src = sourceTo(ns, dst, this.state) ?? 0x7f000001;
    const pmtu = opts.pmtu ?? 'want';
    const routeMtu = route ? (ns.devices.find((d) => d.name === route.dev)?.mtu ?? 1500) : 1500;
    const cached = cachedPmtu(ns, dst, this.clock.now());
    const pathMtu = cached ? Math.min(cached.mtu, routeMtu) : routeMtu;
    // A locked path MTU (below min_pmtu) turns DF off for `want`.
    const df = pmtu === 'do' || (pmtu === 'want' && !cached?.locked && 28 + size <= pathMtu);
    let id = 0;
    if (pmtu !== 'do') {
      id = ns.ipId;
      ns.ipId = (ns.ipId + 1) & 0xffff;
    }
    const request = ipv4({ src, dst, ttl: opts.ttl ?? 64, id, df, payload: echoRequest(opts.id, opts.seq, pingPayload(size, this.clock.now())) });
    this.observe({ kind: 'echo-request', ns: nsId, src, dst });
    const trace = this.send(nsId, request);
    const outcome = this.pingOutcome(nsId, src, opts, trace);
    if (outcome.kind === 'reply') this.observe({ kind: 'echo-reply', ns: nsId, src: outcome.from, dst: src, ttl: outcome.ttl });
    return { outcome, trace };
  }

  private pingOutcome(nsId: string, src: Ip, opts: PingOptions, trace: TraceResult): PingOutcome {
    const local = trace.errors.find((e) => e.ns === nsId);
    if (local) return { kind: 'local-error', errno: local.errno, from: src, ...(local.mtu !== undefined ? { mtu: local.mtu } : {}) };
    for (const d of trace.deliveries) {
      if (d.ns !== nsId || d.packet.payload.kind !== 'icmp') continue;
      const m = d.packet.payload;
      if (m.type === ICMP_ECHO_REPLY && echoId(m) === (opts.id & 0xffff) && echoSeq(m) === (opts.seq & 0xffff)) {
        return { kind: 'reply', from: d.packet.src, ttl: d.packet.ttl, bytes: 8 + m.data.length, rttMs: this.rtt(trace) };
      }
      if ((m.type === ICMP_DEST_UNREACH || m.type === ICMP_TIME_EXCEEDED) && quotesEcho(m, opts)) {
        return { kind: 'icmp-error', from: d.packet.src, type: m.type, code: m.code, ...(m.type === ICMP_DEST_UNREACH && m.code === 4 ? { mtu: m.rest & 0xffff } : {}) };
      }
    }
    return { kind: 'lost' };
  }

  /**
   * Sends one UDP datagram from a program in `nsId` (source port `sport`, default an ephemeral
   * port from the RNG) and returns the first datagram that comes back to that port, or the
   * first ICMP error that quotes this datagram (what the socket's error queue or a raw socket
   * sees; `udpSocketErrno` says which of them a connected socket reports), if any.
   * By default DF is set (a socket's IP_PMTUDISC_WANT, for a datagram that fits) and the IP id
   * is the namespace's next; `opts` gives a socket that turned path MTU discovery off
   * (`df: false`) or its own id.
   */
  udpRequest(nsId: string, dst: Ip, dport: number, payload: Uint8Array, sport = 32768 + this.rng.int(28232), ttl = 64, opts: { df?: boolean; id?: number } = {}): UdpResult {
    // The node agents write the kernel state first: the source address depends on it (a VIP on kube-ipvs0 is local).
    runDaemons(this.state, this.clock.now());
    const ns = this.state.netns[nsId];
    if (!ns) throw new Error(`no network namespace ${nsId}`);
    const src = sourceTo(ns, dst, this.state) ?? 0x7f000001;
    let id = opts.id;
    if (id === undefined) {
      id = ns.ipId;
      ns.ipId = (ns.ipId + 1) & 0xffff;
    }
    const packet = ipv4({ src, dst, id, ttl, df: opts.df ?? true, payload: udp(src, dst, sport, dport, payload) });
    const trace = this.send(nsId, packet, { openPorts: new Set([`${nsId}|udp|${sport}`]) });
    const local = trace.errors.find((e) => e.ns === nsId);
    if (local) return { kind: 'local-error', errno: local.errno, trace };
    for (const d of trace.deliveries) {
      if (d.ns !== nsId) continue;
      const pl = d.packet.payload;
      if (pl.kind === 'udp' && pl.dstPort === sport && pl.payload instanceof Uint8Array) return { kind: 'reply', from: d.packet.src, sport: pl.srcPort, data: pl.payload, rttMs: this.rtt(trace), trace };
      // An error reaches the socket its quoted datagram came from (__udp4_lib_err looks the
      // quoted header up): through NAT only once every translation was undone on the way back.
      if (pl.kind === 'icmp' && (pl.type === ICMP_DEST_UNREACH || pl.type === ICMP_TIME_EXCEEDED)) {
        const q = quotedTuple(d.packet);
        if (q && q.proto === 17 && q.src === src && q.sport === sport && q.dst === dst && q.dport === dport) return { kind: 'icmp-error', from: d.packet.src, type: pl.type, code: pl.code, rttMs: this.rtt(trace), trace };
      }
    }
    return { kind: 'lost', trace };
  }

  /**
   * One TCP exchange from a program in `nsId`: handshake, send `request`, read until the server
   * closes, close. Every segment travels through the network, so NAT, kube-proxy's rules and
   * faults apply to each of them. Returns the bytes received, or how the connection failed.
   * No time passes: a SYN nobody answers is not sent again (`tcpSession` runs the timers).
   */
  tcpRequest(nsId: string, dst: Ip, dport: number, request: Uint8Array, sport = 32768 + this.rng.int(28232)): TcpResult {
    // The node agents write the kernel state first: the source address depends on it (a VIP on kube-ipvs0 is local).
    runDaemons(this.state, this.clock.now());
    return this.timing(runAtOnce(tcpClient(this.tcpEnv(), nsId, dst, dport, request, sport)), 0);
  }

  /**
   * The same exchange with the connection's timers running in sandbox time: a SYN nobody
   * answers is sent again on Linux's schedule (tcp-stack.ts), `timers.wait` letting the time
   * pass, until an answer comes, the kernel gives up (131 s), the program's own limit comes
   * first, or the wait is interrupted. `waitedMs` is the sandbox time it took.
   */
  async tcpSession(nsId: string, dst: Ip, dport: number, request: Uint8Array, timers: TcpTimers, sport = 32768 + this.rng.int(28232)): Promise<TimedTcpResult> {
    runDaemons(this.state, this.clock.now());
    const r = await this.runTimers(tcpClient(this.tcpEnv(), nsId, dst, dport, request, sport), timers);
    return { ...this.timing(r.value, r.waitedMs), waitedMs: r.waitedMs, interrupted: r.interrupted };
  }

  /**
   * Runs a program's TCP work (a TcpRun) with its timers in sandbox time: each wait it asks for
   * passes through `timers.wait`, unless the program's limit comes first (it then waits until
   * the limit and the run is told to stop), or the wait is interrupted.
   */
  async runTimers<T>(run: TcpRun<T>, timers: TcpTimers): Promise<{ value: T; waitedMs: number; interrupted: boolean }> {
    const start = this.clock.now();
    let interrupted = false;
    let step = run.next();
    while (!step.done) {
      const left = (timers.limitMs ?? Infinity) - (this.clock.now() - start);
      const ms = Math.max(0, Math.min(step.value, left));
      const ok = !interrupted && (ms === 0 || (await timers.wait(ms)));
      if (!ok) interrupted = true;
      // The timer fired only if it fell due before the program gave up.
      step = run.next(ok && step.value < left);
    }
    return { value: step.value, waitedMs: this.clock.now() - start, interrupted };
  }

  /** The client's view of the sandbox: the time is read afresh each time, as it moves while the client waits. */
  private tcpEnv(): TcpEnv {
    const clock = this.clock;
    return {
      state: this.state,
      rng: this.rng,
      get now(): number {
        return clock.now();
      },
      send: (ns, p, o) => this.send(ns, p, o),
    };
  }

  /** A response's connect and total times: the time its SYN waited, then round trips from its traces. */
  private timing(r: TcpExchange, waitedMs: number): TcpResult {
    if (r.kind !== 'response') return r;
    const connectMs = waitedMs + this.rtt(r.traces[r.connectedAt]!);
    return { ...r, connectMs, totalMs: connectMs + this.rtt(r.traces[r.connectedAt + 2] ?? r.traces[r.connectedAt]!) };
  }

  /** A plausible round trip: per link and per router costs, ARP and VXLAN extra, seeded jitter. */
  private rtt(trace: TraceResult): number {
    const encaps = trace.hops.filter((h) => h.action === 'vxlan-encap').length;
    const base = 0.012 * trace.links + 0.01 * trace.routed + 0.15 * encaps + 0.09 * trace.arps + 0.02;
    return base * (0.8 + 0.6 * this.rng.next());
  }

  private observe(o: ObservationInput): void {
    const obs = { ...o, seq: this.state.nextObservation++, t: this.clock.now() } as Observation;
    this.state.observations.push(obs);
    if (this.state.observations.length > MAX_OBSERVATIONS) this.state.observations.splice(0, this.state.observations.length - MAX_OBSERVATIONS);
  }
}

type ObservationInput = Observation extends infer O ? (O extends Observation ? Omit<O, 'seq' | 't'> : never) : never;

function quotesEcho(m: IcmpMessage, opts: PingOptions): boolean {
  // The error quotes the original IP header (20 bytes) and the first 8 bytes of the echo request.
  const q = m.data;
  if (q.length < 28 || q[20] !== 8) return false;
  const id = (q[24]! << 8) | q[25]!;
  const seq = (q[26]! << 8) | q[27]!;
  return id === (opts.id & 0xffff) && seq === (opts.seq & 0xffff);
}

/**
 * The error a connected UDP socket reports for an ICMP destination unreachable (the next
 * send or receive fails with it): only the codes the kernel counts as hard errors
 * (icmp_err_convert's fatal ones; __udp4_lib_err ignores the others without IP_RECVERR).
 * Time exceeded and the soft unreachables (net, host, fragmentation needed) never reach it.
 */
export function udpSocketErrno(type: number, code: number): 'ECONNREFUSED' | 'ENOPROTOOPT' | 'ENETUNREACH' | 'EHOSTUNREACH' | 'EHOSTDOWN' | 'ENONET' | undefined {
  if (type !== ICMP_DEST_UNREACH) return undefined;
  const hard: Record<number, 'ECONNREFUSED' | 'ENOPROTOOPT' | 'ENETUNREACH' | 'EHOSTUNREACH' | 'EHOSTDOWN' | 'ENONET'> = {
    2: 'ENOPROTOOPT',
    3: 'ECONNREFUSED',
    6: 'ENETUNREACH',
    7: 'EHOSTDOWN',
    8: 'ENONET',
    9: 'ENETUNREACH',
    10: 'EHOSTUNREACH',
    13: 'EHOSTUNREACH',
    14: 'EHOSTUNREACH',
    15: 'EHOSTUNREACH',
  };
  return hard[code];
}

export { formatIp };
