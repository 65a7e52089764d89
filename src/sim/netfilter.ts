/**
 * Netfilter: iptables tables, chains and rules, evaluated per packet, printed as
 * `iptables-save` prints them.
 *
 * Design notes: each network namespace with rules has a `nat` and a `filter` table, and a
 * `mangle` and a `raw` table once something writes there (absent tables list as their empty
 * built-in chains). A rule is plain data: source/destination prefixes and interfaces (each
 * optionally negated, an interface name ending in `+` matching every name with that prefix),
 * protocol (optionally negated), then its `-m` matches in the order they were loaded
 * (comment, tcp/udp/sctp ports and port ranges and TCP flags, icmp type/code, statistic, mark,
 * addrtype, conntrack, state, multiport), then one target. REDIRECT is a DNAT to the host
 * itself (forward.ts picks the address). Evaluation walks a chain top to bottom with a
 * call stack for jumps; `-g` (goto) replaces the current frame instead of pushing one, so a
 * RETURN from there goes back to the chain that jumped last; RETURN or the end of a user chain
 * returns to the caller, the end of a built-in chain applies its policy. LOG is not terminal
 * (the sandbox has no kernel log: it shows in the trace). The statistic match works as the
 * kernel's xt_statistic does: the probability is stored as round(p * 2^31) and a packet
 * matches when a random 31-bit number is below it, drawn from the sandbox's seeded RNG. MARK
 * uses --set-xmark semantics (mark = (mark & ~mask) ^ value). `-m set` looks the packet up in
 * the namespace's IP sets (ipset.ts), which the evaluator is handed (EvalEnv.ipset; a set that
 * does not exist matches nothing); `-m physdev --physdev-is-in` matches a packet that came in
 * through a bridge port. Table evaluation returns the
 * verdict and any NAT decision; conntrack (conntrack.ts) decides when tables are consulted.
 *
 * Counters: every rule that matches a packet counts it (packets and IPv4 bytes) and a built-in
 * chain's policy counts what it decided, as `iptables -L -v` and `iptables-save -c` show.
 * A namespace's own rules keep their counters on the rule; the rules it sees through a shared
 * layer (kube-proxy's chains, one copy for every node) are counted per namespace in the own
 * tables' `shared` record, by table, chain and position, so one node's traffic never shows on
 * another's counters.
 *
 * Large rule sets (kube-proxy on a cluster with a thousand Services) are not scanned rule by
 * rule: a chain whose rules mostly match one destination address/protocol/port keeps an
 * index from that key to the rule positions, so a lookup costs the same for 10 or 10,000
 * Services. The index is rebuilt lazily when the chain changes (tracked by a version number
 * kept outside the JSON state).
 * Left out: ipset, IPv6, match modules beyond the ones above, the security table, CT/NOTRACK, the nf_tables backend's own ordering of chains (iptables-save sorts them as here).
 */
import { contains, formatIp, maskOf, type Cidr, type Ip } from './ipv4';
import { setMatches, type IpSet, type SetFlag } from './ipset';
import type { Rng } from './rng';

/** Protocols a rule can name (`-p`), as /etc/protocols names them (`ipencap` is 4, IP in IP). */
export type Proto = 'tcp' | 'udp' | 'icmp' | 'sctp' | 'udplite' | 'esp' | 'ah' | 'gre' | 'igmp' | 'ipencap';

export const PROTO_NUM: Record<Proto, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132, udplite: 136, ipencap: 4 };

export interface AddrMatch {
  cidr: Cidr;
  neg?: boolean;
}

/** `--tcp-flags MASK COMP` (`--syn` is FIN,SYN,RST,ACK SYN): (flags & mask) == comp. */
export interface TcpFlagsMatch {
  mask: number;
  comp: number;
  neg?: boolean;
}

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED' | 'DNAT' | 'SNAT';

/** One entry of a multiport list: a port, or an inclusive range. */
export type PortItem = number | [number, number];

export type Match =
  | { m: 'comment'; text: string }
  /**
   * `-m tcp|udp|sctp`: ports, each a single port or (with `...To`) an inclusive range, each
   * optionally negated.
   */
  | { m: 'tcp' | 'udp' | 'sctp'; dport?: number; sport?: number; dportTo?: number; sportTo?: number; dportNeg?: boolean; sportNeg?: boolean; flags?: TcpFlagsMatch }
  /** `-m icmp --icmp-type T[/C]`: type 255 with codes 0-255 is `any`. */
  | { m: 'icmp'; type: number; codeMin: number; codeMax: number; neg?: boolean }
  | { m: 'statistic'; mode: 'random'; probability: string }
  | { m: 'mark'; mark: number; mask: number; neg?: boolean }
  | { m: 'addrtype'; dstType?: 'LOCAL'; srcType?: 'LOCAL'; neg?: boolean; srcNeg?: boolean }
  | { m: 'conntrack'; ctstate: CtState[]; neg?: boolean }
  | { m: 'state'; states: CtState[]; neg?: boolean }
  | { m: 'nfacct'; name: string }
  /** `-m multiport --dports a,b` (the CNI portmap plugin's), `--sports`, `--ports` (either). */
  | { m: 'multiport'; dports?: PortItem[]; sports?: PortItem[]; ports?: PortItem[]; neg?: boolean }
  /** `-m set [!] --match-set NAME dst,dst`: the packet is in the namespace's IP set (ipset.ts). */
  | { m: 'set'; set: string; flags: SetFlag[]; neg?: boolean }
  /** `-m physdev [!] --physdev-is-in`: the packet came in through a bridge port. */
  | { m: 'physdev'; isIn: true; neg?: boolean };

export type RejectWith =
  | 'icmp-net-unreachable'
  | 'icmp-host-unreachable'
  | 'icmp-proto-unreachable'
  | 'icmp-port-unreachable'
  | 'icmp-net-prohibited'
  | 'icmp-host-prohibited'
  | 'tcp-reset'
  | 'icmp-admin-prohibited';

/** A NAT address (range) and port (range). */
export interface NatTo {
  ip: Ip;
  ipTo?: Ip;
  port?: number;
  portTo?: number;
}

export type Target =
  | { t: 'jump'; chain: string }
  /** `-g CHAIN`: continue there; its end or RETURN goes back to the last jump's caller. */
  | { t: 'goto'; chain: string }
  | { t: 'ACCEPT' }
  | { t: 'DROP' }
  | { t: 'RETURN' }
  | { t: 'REJECT'; with?: RejectWith }
  | { t: 'DNAT'; to: NatTo }
  | { t: 'SNAT'; to: NatTo; randomFully?: boolean; random?: boolean; persistent?: boolean }
  | { t: 'MASQUERADE'; randomFully?: boolean; random?: boolean; ports?: [number, number] }
  | { t: 'MARK'; value: number; mask: number }
  /** To a port of the packet's own host: the incoming interface's address, 127.0.0.1 from OUTPUT. */
  | { t: 'REDIRECT'; ports?: [number, number]; random?: boolean }
  /** Not terminal: the kernel logs the packet (syslog level 0-7, default 4) and it goes on. */
  | { t: 'LOG'; prefix?: string; level?: number }
  /** A rule with no target: it only counts packets (kube-proxy uses one as a comment line). */
  | { t: 'none' };

export interface Rule {
  src?: AddrMatch;
  dst?: AddrMatch;
  in?: string;
  out?: string;
  /** `! -i <in>` / `! -o <out>`: the interface match is negated (Docker's `! -i docker0`). */
  inNeg?: boolean;
  outNeg?: boolean;
  proto?: Proto;
  protoNeg?: boolean;
  matches: Match[];
  target: Target;
  /** Packets and bytes this rule matched (absent: none yet). */
  pkts?: number;
  bytes?: number;
}

export interface Chain {
  /** Built-in chains have a policy; user chains do not. */
  policy?: 'ACCEPT' | 'DROP';
  rules: Rule[];
  /** What the policy decided (built-in chains). */
  pkts?: number;
  bytes?: number;
}

export type TableName = 'nat' | 'filter' | 'mangle' | 'raw';

export interface Table {
  chains: Record<string, Chain>;
}

export interface Netfilter {
  nat: Table;
  filter: Table;
  /** Created by the first rule or policy written there. */
  mangle?: Table;
  raw?: Table;
  /**
   * Counters of rules this namespace sees through a shared layer, by `table chain`, then by
   * rule position: [packets, bytes] (only the rules that counted something).
   */
  shared?: Record<string, Record<string, [number, number]>>;
}

export const BUILTIN: Record<TableName, string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

/** The order `iptables-save` prints the tables in (the nf_tables backend's table list). */
export const TABLE_ORDER: TableName[] = ['mangle', 'raw', 'filter', 'nat'];

export function emptyTable(name: TableName): Table {
  return { chains: Object.fromEntries(BUILTIN[name].map((c) => [c, { policy: 'ACCEPT' as const, rules: [] }])) };
}

export function emptyNetfilter(): Netfilter {
  return { nat: emptyTable('nat'), filter: emptyTable('filter') };
}

/** A table of `nf`, or its empty built-in chains when nothing was ever written there. */
export function tableOf(nf: Netfilter, name: TableName): Table {
  return nf[name] ?? EMPTY[name];
}

const EMPTY: Record<TableName, Table> = { nat: emptyTable('nat'), filter: emptyTable('filter'), mangle: emptyTable('mangle'), raw: emptyTable('raw') };

/** The chain names of a table: built-in ones in hook order, then user chains alphabetically. */
export function chainNames(t: Table, table: TableName): string[] {
  const builtin = BUILTIN[table].filter((c) => t.chains[c]);
  const user: string[] = [];
  for (const c in t.chains) if (t.chains[c] && !BUILTIN[table].includes(c)) user.push(c);
  return [...builtin, ...user.sort()];
}

/** What a packet looks like to the matches. */
export interface PacketView {
  src: Ip;
  dst: Ip;
  proto: number;
  sport?: number;
  dport?: number;
  /** TCP flags byte (FIN 0x01 ... URG 0x20). */
  tcpFlags?: number;
  /** ICMP type and code. */
  icmpType?: number;
  icmpCode?: number;
  in?: string;
  out?: string;
  mark: number;
  /** Conntrack state as the conntrack match sees it. */
  ctstate: 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID';
  /** True when the connection was DNATed (for `--ctstate DNAT`). */
  ctDnat?: boolean;
}

export interface Verdict {
  verdict: 'ACCEPT' | 'DROP' | 'REJECT';
  rejectWith?: string;
  dnat?: NatTo;
  snat?: NatTo & { randomFully?: boolean };
  masquerade?: { randomFully?: boolean; port?: number };
  /** REDIRECT: DNAT to the host itself, on this port when given. */
  redirect?: { port?: number };
  mark: number;
  /** Each rule whose target fired, as `-A CHAIN ...` text, for traces. */
  fired: string[];
}

export interface EvalEnv {
  rng: Rng;
  /** True when `ip` is one of the namespace's own addresses (addrtype LOCAL). */
  isLocal(ip: Ip): boolean;
  /** The namespace's IP set of that name (for `-m set`). */
  ipset?(name: string): IpSet | undefined;
  /** True when the device is a bridge, so a packet in on it came through a bridge port (physdev). */
  isBridge?(dev: string): boolean;
  /** The packet's IPv4 length: when given, matched rules and policies count the packet. */
  bytes?: number;
  /** The namespace's own tables, where counters of rules seen through a shared layer go. */
  own?: Netfilter;
}

function protoNumber(p: Proto): number {
  return PROTO_NUM[p];
}

/**
 * The tables a namespace's packets actually see: its own chains over a shared set (kube-proxy's
 * KUBE-* chains are identical on every node, so the sandbox keeps one copy and every node's
 * view falls back to it). Own chains win on a name clash; an own entry set to `null` hides the
 * shared chain of that name (a node that deleted one of kube-proxy's chains).
 */
export function layered(own: Netfilter, shared: Netfilter | undefined): Netfilter {
  if (!shared) return own;
  const cached = LAYERS.get(own);
  const count = Object.keys(own.nat.chains).length + Object.keys(own.filter.chains).length;
  if (cached && cached.shared === shared && cached.count === count) {
    // mangle and raw are the namespace's alone: whatever it has now.
    if (own.mangle) cached.view.mangle = own.mangle;
    if (own.raw) cached.view.raw = own.raw;
    return cached.view;
  }
  // The node's few own chains on top; the thousands of shared chains are found through the
  // prototype, so building a view costs nothing per shared chain.
  const layer = (t: 'nat' | 'filter'): Table => ({ chains: Object.assign(Object.create(shared[t].chains) as Record<string, Chain>, own[t].chains) });
  const view: Netfilter = { nat: layer('nat'), filter: layer('filter') };
  if (own.mangle) view.mangle = own.mangle;
  if (own.raw) view.raw = own.raw;
  LAYERS.set(own, { shared, count, view });
  return view;
}

/** Forgets the layered view of `own` (call after replacing any of its chains). */
export function invalidateLayers(own: Netfilter): void {
  LAYERS.delete(own);
}

/** Layered views, rebuilt only when the shared tables are replaced or own chains come or go. */
const LAYERS = new WeakMap<Netfilter, { shared: Netfilter; count: number; view: Netfilter }>();

/** True when `chain` of view table `t` is the namespace's own (not seen through a shared layer). */
export function isOwnChain(t: Table, chain: string): boolean {
  return Object.prototype.hasOwnProperty.call(t.chains, chain);
}

function count(t: Table, table: TableName, chain: string, index: number, rule: Rule, env: EvalEnv): void {
  const bytes = env.bytes!;
  if (isOwnChain(t, chain) || !env.own) {
    rule.pkts = (rule.pkts ?? 0) + 1;
    rule.bytes = (rule.bytes ?? 0) + bytes;
    return;
  }
  const rec = ((env.own.shared ??= {})[`${table} ${chain}`] ??= {});
  const c = (rec[index] ??= [0, 0]);
  c[0] += 1;
  c[1] += bytes;
}

/** The counters of rule `index` of `chain` as the namespace sees them. */
export function ruleCounters(view: Table, own: Netfilter | undefined, table: TableName, chain: string, index: number): [number, number] {
  const c = view.chains[chain];
  const r = c?.rules[index];
  if (!r) return [0, 0];
  if (isOwnChain(view, chain) || !own) return [r.pkts ?? 0, r.bytes ?? 0];
  const n = own.shared?.[`${table} ${chain}`]?.[index];
  return n ? [n[0], n[1]] : [0, 0];
}

/** Evaluates `chain` of `table` for a packet; the first terminating target decides. */
export function evaluate(nf: Netfilter, table: TableName, chain: string, pkt: PacketView, env: EvalEnv): Verdict {
  const v: Verdict = { verdict: 'ACCEPT', mark: pkt.mark, fired: [] };
  const view: PacketView = { ...pkt };
  const t = tableOf(nf, table);
  const counting = env.bytes !== undefined;
  const stack: { chain: string; at: number }[] = [];
  let cur = chain;
  let at = 0;
  let steps = 0;
  // The end of a chain and RETURN both go back to the caller; from a built-in chain, the policy decides.
  const giveBack = (): boolean => {
    const frame = stack.pop();
    if (!frame) {
      const base = t.chains[chain];
      v.verdict = base?.policy === 'DROP' ? 'DROP' : 'ACCEPT';
      if (counting && base && isOwnChain(t, chain)) {
        base.pkts = (base.pkts ?? 0) + 1;
        base.bytes = (base.bytes ?? 0) + env.bytes!;
      }
      return true;
    }
    cur = frame.chain;
    at = frame.at;
    return false;
  };
  for (;;) {
    if (++steps > 100_000) throw new Error(`netfilter loop in ${table}/${chain}`);
    const c = t.chains[cur];
    const rules = c?.rules ?? [];
    const next = c ? nextCandidate(c, at, view) : rules.length;
    if (next >= rules.length) {
      if (giveBack()) return v;
      continue;
    }
    const rule = rules[next]!;
    at = next + 1;
    if (!ruleMatches(rule, view, env)) continue;
    if (counting) count(t, table, cur, next, rule, env);
    const tg = rule.target;
    switch (tg.t) {
      case 'jump':
        if (!t.chains[tg.chain] || stack.length >= 64) continue;
        stack.push({ chain: cur, at });
        cur = tg.chain;
        at = 0;
        continue;
      case 'goto':
        // No return frame: the goto'd chain's end returns to this chain's caller.
        if (!t.chains[tg.chain]) continue;
        cur = tg.chain;
        at = 0;
        continue;
      case 'RETURN':
        if (giveBack()) return v;
        continue;
      case 'none':
        continue;
      case 'LOG':
        v.fired.push(formatRule(cur, rule));
        continue;
      case 'MARK':
        view.mark = ((view.mark & ~tg.mask) ^ tg.value) >>> 0;
        v.mark = view.mark;
        v.fired.push(formatRule(cur, rule));
        continue;
      case 'ACCEPT':
        v.fired.push(formatRule(cur, rule));
        v.verdict = 'ACCEPT';
        return v;
      case 'DROP':
        v.fired.push(formatRule(cur, rule));
        v.verdict = 'DROP';
        return v;
      case 'REJECT':
        v.fired.push(formatRule(cur, rule));
        v.verdict = 'REJECT';
        v.rejectWith = tg.with ?? 'icmp-port-unreachable';
        return v;
      case 'DNAT':
        v.fired.push(formatRule(cur, rule));
        v.dnat = { ...tg.to };
        return v;
      case 'SNAT':
        v.fired.push(formatRule(cur, rule));
        v.snat = { ...tg.to, ...(tg.randomFully ? { randomFully: true } : {}) };
        return v;
      case 'MASQUERADE':
        v.fired.push(formatRule(cur, rule));
        v.masquerade = { ...(tg.randomFully ? { randomFully: true } : {}), ...(tg.ports ? { port: tg.ports[0] } : {}) };
        return v;
      case 'REDIRECT':
        v.fired.push(formatRule(cur, rule));
        v.redirect = tg.ports ? { port: tg.ports[0] } : {};
        return v;
    }
  }
}

/** `veth+` matches every name starting with `veth`, as the kernel's ifname match does. */
export function ifaceMatches(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

function portIn(p: number | undefined, lo: number | undefined, hi: number | undefined, neg: boolean | undefined): boolean {
  if (lo === undefined) return true;
  if (p === undefined) return false;
  return (p >= lo && p <= (hi ?? lo)) !== !!neg;
}

function inList(p: number | undefined, list: PortItem[]): boolean {
  if (p === undefined) return false;
  return list.some((x) => (typeof x === 'number' ? x === p : p >= x[0] && p <= x[1]));
}

function ruleMatches(r: Rule, p: PacketView, env: EvalEnv): boolean {
  if (r.src && contains(r.src.cidr, p.src) === !!r.src.neg) return false;
  if (r.dst && contains(r.dst.cidr, p.dst) === !!r.dst.neg) return false;
  if (r.in !== undefined && ifaceMatches(r.in, p.in) === !!r.inNeg) return false;
  if (r.out !== undefined && ifaceMatches(r.out, p.out) === !!r.outNeg) return false;
  if (r.proto && (protoNumber(r.proto) === p.proto) === !!r.protoNeg) return false;
  for (const m of r.matches) {
    switch (m.m) {
      case 'comment':
        break;
      case 'tcp':
      case 'udp':
      case 'sctp':
        if (protoNumber(m.m) !== p.proto) return false;
        if (!portIn(p.dport, m.dport, m.dportTo, m.dportNeg)) return false;
        if (!portIn(p.sport, m.sport, m.sportTo, m.sportNeg)) return false;
        if (m.flags && ((((p.tcpFlags ?? 0) & m.flags.mask) === m.flags.comp) === !!m.flags.neg)) return false;
        break;
      case 'icmp': {
        if (p.proto !== 1) return false;
        const any = m.type === 0xff;
        const hit = any || (p.icmpType === m.type && (p.icmpCode ?? 0) >= m.codeMin && (p.icmpCode ?? 0) <= m.codeMax);
        if (hit === !!m.neg) return false;
        break;
      }
      case 'statistic':
        if (env.rng.int(0x80000000) >= kernelProbability(m.probability)) return false;
        break;
      case 'mark':
        if ((((p.mark & m.mask) >>> 0) === (m.mark >>> 0)) === !!m.neg) return false;
        break;
      case 'addrtype':
        if (m.dstType && env.isLocal(p.dst) === !!m.neg) return false;
        if (m.srcType && env.isLocal(p.src) === !!(m.srcNeg ?? (m.dstType ? false : m.neg))) return false;
        break;
      case 'nfacct':
        break;
      case 'multiport': {
        let hit: boolean;
        if (m.ports) hit = inList(p.dport, m.ports) || inList(p.sport, m.ports);
        else if (m.sports) hit = inList(p.sport, m.sports);
        else hit = inList(p.dport, m.dports ?? []);
        if (hit === !!m.neg) return false;
        break;
      }
      case 'set': {
        const set = env.ipset?.(m.set);
        if ((set !== undefined && setMatches(set, m.flags, p)) === !!m.neg) return false;
        break;
      }
      case 'physdev':
        if ((p.in !== undefined && !!env.isBridge?.(p.in)) === !!m.neg) return false;
        break;
      case 'conntrack':
      case 'state': {
        const states = new Set<string>([p.ctstate]);
        if (p.ctDnat) states.add('DNAT');
        const list = m.m === 'conntrack' ? m.ctstate : m.states;
        if (list.some((s) => states.has(s)) === !!m.neg) return false;
        break;
      }
    }
  }
  return true;
}

/** xt_statistic keeps round(p * 2^31) as its threshold. */
export function kernelProbability(text: string): number {
  return Math.round(Number(text) * 0x80000000);
}

/** `%.11f` of the stored threshold, as iptables-save prints it (0.33333333349 for 1/3). */
export function savedProbability(text: string): string {
  return (kernelProbability(text) / 0x80000000).toFixed(11);
}

// ------------------------------------------------------------------------------ the index

/**
 * Rules keyed by exact destination /32 + protocol + destination port are found through a
 * per-chain index; rules without such a key are "generic" and always considered.
 */
interface ChainIndex {
  rules: Rule[];
  length: number;
  byKey: Map<string, number[]>;
  generic: number[];
}

const INDEX = new WeakMap<Chain, ChainIndex>();
const INDEX_MIN_RULES = 32;

function keyOf(r: Rule): string | undefined {
  if (!r.dst || r.dst.neg || r.dst.cidr.len !== 32 || r.protoNeg) return undefined;
  const l4 = r.matches.find((m): m is Extract<Match, { m: 'tcp' | 'udp' | 'sctp' }> => m.m === 'tcp' || m.m === 'udp' || m.m === 'sctp');
  if (!r.proto || !l4 || l4.dport === undefined || l4.dportTo !== undefined || l4.dportNeg) return undefined;
  return `${r.dst.cidr.addr}|${protoNumber(r.proto)}|${l4.dport}`;
}

function indexOf(c: Chain): ChainIndex {
  let ix = INDEX.get(c);
  if (ix && ix.rules === c.rules && ix.length === c.rules.length) return ix;
  ix = { rules: c.rules, length: c.rules.length, byKey: new Map(), generic: [] };
  c.rules.forEach((r, i) => {
    const k = keyOf(r);
    if (k === undefined) ix!.generic.push(i);
    else {
      const list = ix!.byKey.get(k);
      if (list) list.push(i);
      else ix!.byKey.set(k, [i]);
    }
  });
  INDEX.set(c, ix);
  return ix;
}

/** Forgets a chain's index (call after changing a rule in place). */
export function reindexChain(c: Chain): void {
  INDEX.delete(c);
}

/** The position of the first rule at or after `from` that could match `p`. */
function nextCandidate(c: Chain, from: number, p: PacketView): number {
  if (c.rules.length < INDEX_MIN_RULES) return from;
  const ix = indexOf(c);
  const keyed = p.dport !== undefined ? ix.byKey.get(`${p.dst}|${p.proto}|${p.dport}`) : undefined;
  let best = c.rules.length;
  for (const list of keyed ? [keyed, ix.generic] : [ix.generic]) {
    // lists are ascending: binary search for the first position >= from
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    if (lo < list.length && list[lo]! < best) best = list[lo]!;
  }
  return best;
}

// ------------------------------------------------------------------------------ printing

function addr(a: AddrMatch, flag: string): string {
  return `${a.neg ? '! ' : ''}${flag} ${formatIp(a.cidr.addr)}/${a.cidr.len}`;
}

/** xtables_save_string: bare when only letters, digits, `_` and `-`, else quoted with `"` and `\` escaped. */
export function quote(text: string): string {
  return /^[A-Za-z0-9_-]+$/.test(text) ? text : `"${text.replace(/(["\\])/g, '\\$1')}"`;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function ports(lo: number, hi: number | undefined, sep = ':'): string {
  return hi !== undefined && hi !== lo ? `${lo}${sep}${hi}` : String(lo);
}

function portList(list: PortItem[]): string {
  return list.map((x) => (typeof x === 'number' ? String(x) : `${x[0]}:${x[1]}`)).join(',');
}

function natTo(to: NatTo): string {
  const a = to.ipTo !== undefined && to.ipTo !== to.ip ? `${formatIp(to.ip)}-${formatIp(to.ipTo)}` : formatIp(to.ip);
  return to.port !== undefined ? `${a}:${ports(to.port, to.portTo, '-')}` : a;
}

/** The `-m ...` text of one match, as iptables-save prints it. */
export function saveMatch(m: Match): string {
  switch (m.m) {
    case 'comment':
      return `-m comment --comment ${quote(m.text)}`;
    case 'tcp':
    case 'udp':
    case 'sctp': {
      let s = `-m ${m.m}`;
      if (m.sport !== undefined) s += `${m.sportNeg ? ' !' : ''} --sport ${ports(m.sport, m.sportTo)}`;
      if (m.dport !== undefined) s += `${m.dportNeg ? ' !' : ''} --dport ${ports(m.dport, m.dportTo)}`;
      if (m.flags) s += `${m.flags.neg ? ' !' : ''} --tcp-flags ${tcpFlagNames(m.flags.mask)} ${tcpFlagNames(m.flags.comp)}`;
      return s;
    }
    case 'icmp': {
      const any = m.type === 0xff && m.codeMin === 0 && m.codeMax === 0xff;
      const type = any ? 'any' : `${m.type}${m.codeMin !== 0 || m.codeMax !== 0xff ? `/${m.codeMin}` : ''}`;
      return `-m icmp${m.neg ? ' !' : ''} --icmp-type ${type}`;
    }
    case 'statistic':
      return `-m statistic --mode random --probability ${savedProbability(m.probability)}`;
    case 'mark':
      return `-m mark ${m.neg ? '! ' : ''}--mark ${hex(m.mark)}${m.mask >>> 0 === 0xffffffff ? '' : `/${hex(m.mask)}`}`;
    case 'addrtype': {
      let s = '-m addrtype';
      if (m.srcType) s += `${(m.srcNeg ?? (m.dstType ? false : m.neg)) ? ' !' : ''} --src-type ${m.srcType}`;
      if (m.dstType) s += `${m.neg ? ' !' : ''} --dst-type ${m.dstType}`;
      return s;
    }
    case 'conntrack':
      return `-m conntrack ${m.neg ? '! ' : ''}--ctstate ${ctOrder(m.ctstate).join(',')}`;
    case 'state':
      return `-m state ${m.neg ? '! ' : ''}--state ${ctOrder(m.states).join(',')}`;
    case 'nfacct':
      return `-m nfacct --nfacct-name ${m.name}`;
    case 'multiport': {
      const [flag, list] = m.ports ? ['--ports', m.ports] : m.sports ? ['--sports', m.sports] : ['--dports', m.dports ?? []];
      return `-m multiport ${m.neg ? '! ' : ''}${flag} ${portList(list)}`;
    }
    case 'set':
      return `-m set ${m.neg ? '! ' : ''}--match-set ${m.set} ${m.flags.join(',')}`;
    case 'physdev':
      return `-m physdev ${m.neg ? '! ' : ''}--physdev-is-in`;
  }
}

const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];

/** TCP flag bits by name, in bit order (`NONE` for none), as libxt_tcp prints them. */
export function tcpFlagNames(bits: number): string {
  const names = TCP_FLAG_NAMES.filter((_, i) => bits & (1 << i));
  return names.length ? names.join(',') : 'NONE';
}

/** The order the conntrack and state matches print their states in (the kernel's bit order). */
const CT_ORDER: CtState[] = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'];

function ctOrder(list: CtState[]): CtState[] {
  return CT_ORDER.filter((s) => list.includes(s));
}

/** The `-j ...` text of a target (empty for a rule without one). */
export function saveTarget(tg: Target): string {
  switch (tg.t) {
    case 'jump':
      return `-j ${tg.chain}`;
    case 'goto':
      return `-g ${tg.chain}`;
    case 'REJECT':
      return `-j REJECT --reject-with ${tg.with ?? 'icmp-port-unreachable'}`;
    case 'DNAT':
      return `-j DNAT --to-destination ${natTo(tg.to)}`;
    case 'SNAT':
      return `-j SNAT --to-source ${natTo(tg.to)}${tg.random ? ' --random' : ''}${tg.randomFully ? ' --random-fully' : ''}${tg.persistent ? ' --persistent' : ''}`;
    case 'MASQUERADE':
      return `-j MASQUERADE${tg.ports ? ` --to-ports ${ports(tg.ports[0], tg.ports[1], '-')}` : ''}${tg.random ? ' --random' : ''}${tg.randomFully ? ' --random-fully' : ''}`;
    case 'MARK':
      return `-j MARK --set-xmark ${hex(tg.value)}/${hex(tg.mask)}`;
    case 'REDIRECT':
      return `-j REDIRECT${tg.ports ? ` --to-ports ${ports(tg.ports[0], tg.ports[1], '-')}` : ''}${tg.random ? ' --random' : ''}`;
    case 'LOG':
      return `-j LOG${tg.prefix !== undefined && tg.prefix !== '' ? ` --log-prefix ${quote(tg.prefix)}` : ''}${tg.level !== undefined && tg.level !== 4 ? ` --log-level ${tg.level}` : ''}`;
    case 'none':
      return '';
    default:
      return `-j ${tg.t}`;
  }
}

/** One rule as `iptables-save` prints it: `-A CHAIN [!] -s ... -j TARGET ...`. */
export function formatRule(chain: string, r: Rule): string {
  const parts = [`-A ${chain}`];
  if (r.src) parts.push(addr(r.src, '-s'));
  if (r.dst) parts.push(addr(r.dst, '-d'));
  if (r.in) parts.push(`${r.inNeg ? '! ' : ''}-i ${r.in}`);
  if (r.out) parts.push(`${r.outNeg ? '! ' : ''}-o ${r.out}`);
  if (r.proto) parts.push(`${r.protoNeg ? '! ' : ''}-p ${r.proto}`);
  for (const m of r.matches) parts.push(saveMatch(m));
  const tg = saveTarget(r.target);
  if (tg) parts.push(tg);
  return parts.join(' ');
}

/** The rules of one chain as the view shows them, with counters when asked (`[p:b] -A ...`). */
function chainRules(t: Table, own: Netfilter | undefined, table: TableName, c: string, counters: boolean): string[] {
  return t.chains[c]!.rules.map((r, i) => {
    const text = formatRule(c, r);
    if (!counters) return text;
    const [p, b] = ruleCounters(t, own, table, c, i);
    return `[${p}:${b}] ${text}`;
  });
}

/**
 * A table as `iptables-save -t <table>` prints it: header, `*table`, built-in chains with their
 * policy and counters, user chains alphabetically, the rules chain by chain in that order,
 * COMMIT and the footer. `date` is the ctime-style text iptables-save puts in the header.
 * `counters` (`-c`): the real counters before each rule; without it, rules print bare and the
 * chain lines say [0:0].
 */
export function formatTable(nf: Netfilter, table: TableName, date: string, version = 'v1.8.10 (nf_tables)', counters = false, own?: Netfilter): string {
  const t = tableOf(nf, table);
  const names = chainNames(t, table);
  const lines = [`# Generated by iptables-save ${version} on ${date}`, `*${table}`];
  for (const c of names) {
    const ch = t.chains[c]!;
    const builtin = BUILTIN[table].includes(c);
    const pc = counters && builtin ? `[${ch.pkts ?? 0}:${ch.bytes ?? 0}]` : '[0:0]';
    lines.push(`:${c} ${builtin ? (ch.policy ?? 'ACCEPT') : '-'} ${pc}`);
  }
  for (const c of names) lines.push(...chainRules(t, own ?? nf, table, c, counters));
  lines.push('COMMIT', `# Completed on ${date}`);
  return lines.join('\n') + '\n';
}

/** A host address as a /32 match. */
export function host(ip: Ip, neg = false): AddrMatch {
  return neg ? { cidr: { addr: ip, len: 32 }, neg } : { cidr: { addr: ip, len: 32 } };
}

export function net(c: Cidr, neg = false): AddrMatch {
  return neg ? { cidr: { addr: (c.addr & maskOf(c.len)) >>> 0, len: c.len }, neg } : { cidr: { addr: (c.addr & maskOf(c.len)) >>> 0, len: c.len } };
}
