/**
 * Netfilter: iptables tables, chains and rules, evaluated per packet, printed as
 * `iptables-save` prints them.
 *
 * Design notes: each network namespace has a `nat` and a `filter` table. A rule is plain data:
 * source/destination prefixes and interfaces (each optionally negated), protocol, then its `-m`
 * matches in the order they were given (comment, tcp/udp ports, statistic, mark, addrtype,
 * conntrack, multiport with ranges, set), then one target. Evaluation walks a chain top to
 * bottom with a call stack for jumps; RETURN or the end of a user chain returns to the caller,
 * the end of a built-in chain applies its policy. A goto (`-g`) enters a chain without a return
 * frame, so its end returns to the caller of the chain that went there (Calico's dispatch
 * chains). An interface name ending in `+` matches every name with that prefix (`-i cali+`).
 * `-m set` looks the packet up in the namespace's IP sets (ipset.ts), which the evaluator is
 * handed (EvalEnv.ipset). The statistic match works
 * as the kernel's xt_statistic does: the probability is stored as round(p * 2^31) and a packet
 * matches when a random 31-bit number is below it, drawn from the sandbox's seeded RNG. MARK uses --set-xmark semantics
 * (mark = (mark & ~mask) ^ value). Table evaluation returns the verdict and any NAT decision;
 * conntrack (conntrack.ts) decides when tables are consulted at all.
 *
 * Large rule sets (kube-proxy on a cluster with a thousand Services) are not scanned rule by
 * rule: a chain whose rules mostly match one destination address/protocol/port keeps an
 * index from that key to the rule positions, so a lookup costs the same for 10 or 10,000
 * Services. The index is rebuilt lazily when the chain changes (tracked by a version number
 * kept outside the JSON state).
 * A set that does not exist matches nothing; `-m physdev --physdev-is-in` matches a packet that
 * came in through a bridge port.
 * Left out: the mangle and raw tables, most match modules, IPv6, rule counters (always
 * [0:0]), the nf_tables backend's own ordering of chains (iptables-save sorts them as here).
 */
import { contains, formatIp, maskOf, type Cidr, type Ip } from './ipv4';
import { setMatches, type IpSet, type SetFlag } from './ipset';
import type { Rng } from './rng';

/** `ipencap` is protocol 4 (IP in IP), which iptables-save prints by that name. */
export type Proto = 'tcp' | 'udp' | 'icmp' | 'sctp' | 'ipencap';

export interface AddrMatch {
  cidr: Cidr;
  neg?: boolean;
}

export type Match =
  | { m: 'comment'; text: string }
  | { m: 'tcp' | 'udp' | 'sctp'; dport?: number; sport?: number }
  | { m: 'statistic'; mode: 'random'; probability: string }
  | { m: 'mark'; mark: number; mask: number; neg?: boolean }
  | { m: 'addrtype'; dstType?: 'LOCAL'; srcType?: 'LOCAL'; neg?: boolean }
  | { m: 'conntrack'; ctstate: ('NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'DNAT' | 'SNAT')[]; neg?: boolean }
  | { m: 'nfacct'; name: string }
  /** `-m multiport --dports a,b,c:d`: the destination port is one of them or in a range (the CNI portmap plugin's, Calico's). */
  | { m: 'multiport'; dports: (number | [number, number])[] }
  /** `-m set [!] --match-set NAME dst,dst`: the packet is in the namespace's IP set (ipset.ts). */
  | { m: 'set'; set: string; flags: SetFlag[]; neg?: boolean }
  /** `-m physdev [!] --physdev-is-in`: the packet came in through a bridge port. */
  | { m: 'physdev'; isIn: true; neg?: boolean };

export type Target =
  | { t: 'jump'; chain: string }
  /** `-g CHAIN`: like a jump, but the end of CHAIN (or RETURN) goes back to this chain's caller. */
  | { t: 'goto'; chain: string }
  | { t: 'ACCEPT' }
  | { t: 'DROP' }
  | { t: 'RETURN' }
  | { t: 'REJECT'; with?: 'icmp-port-unreachable' | 'icmp-host-unreachable' | 'icmp-net-unreachable' | 'tcp-reset' }
  | { t: 'DNAT'; to: { ip: Ip; port?: number } }
  | { t: 'SNAT'; to: { ip: Ip; port?: number }; randomFully?: boolean }
  | { t: 'MASQUERADE'; randomFully?: boolean }
  | { t: 'MARK'; value: number; mask: number }
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
  matches: Match[];
  target: Target;
}

export interface Chain {
  /** Built-in chains have a policy; user chains do not. */
  policy?: 'ACCEPT' | 'DROP';
  rules: Rule[];
}

export type TableName = 'nat' | 'filter';

export interface Table {
  chains: Record<string, Chain>;
}

export type Netfilter = Record<TableName, Table>;

export const BUILTIN: Record<TableName, string[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export function emptyNetfilter(): Netfilter {
  const table = (name: TableName): Table => ({ chains: Object.fromEntries(BUILTIN[name].map((c) => [c, { policy: 'ACCEPT' as const, rules: [] }])) });
  return { nat: table('nat'), filter: table('filter') };
}

/** What a packet looks like to the matches. */
export interface PacketView {
  src: Ip;
  dst: Ip;
  proto: number;
  sport?: number;
  dport?: number;
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
  dnat?: { ip: Ip; port?: number };
  snat?: { ip: Ip; port?: number; randomFully?: boolean };
  masquerade?: { randomFully?: boolean };
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
}

const PROTO_NUM: Record<Proto, number> = { icmp: 1, tcp: 6, udp: 17, sctp: 132, ipencap: 4 };

/**
 * The tables a namespace's packets actually see: its own chains over a shared set (kube-proxy's
 * KUBE-* chains are identical on every node, so the sandbox keeps one copy and every node's
 * view falls back to it). Own chains win on a name clash.
 */
export function layered(own: Netfilter, shared: Netfilter | undefined): Netfilter {
  if (!shared) return own;
  const cached = LAYERS.get(own);
  const count = Object.keys(own.nat.chains).length + Object.keys(own.filter.chains).length;
  if (cached && cached.shared === shared && cached.count === count) return cached.view;
  // The node's few own chains on top; the thousands of shared chains are found through the
  // prototype, so building a view costs nothing per shared chain.
  const layer = (t: TableName): Table => ({ chains: Object.assign(Object.create(shared[t].chains) as Record<string, Chain>, own[t].chains) });
  const view = { nat: layer('nat'), filter: layer('filter') };
  LAYERS.set(own, { shared, count, view });
  return view;
}

/** Forgets the layered view of `own` (call after replacing any of its chains). */
export function invalidateLayers(own: Netfilter): void {
  LAYERS.delete(own);
}

/** Layered views, rebuilt only when the shared tables are replaced or own chains come or go. */
const LAYERS = new WeakMap<Netfilter, { shared: Netfilter; count: number; view: Netfilter }>();

/** Evaluates `chain` of `table` for a packet; the first terminating target decides. */
export function evaluate(nf: Netfilter, table: TableName, chain: string, pkt: PacketView, env: EvalEnv): Verdict {
  const v: Verdict = { verdict: 'ACCEPT', mark: pkt.mark, fired: [] };
  const view: PacketView = { ...pkt };
  const t = nf[table];
  const stack: { chain: string; at: number }[] = [];
  let cur = chain;
  let at = 0;
  let steps = 0;
  // The end of a chain and RETURN both go back to the caller; from a built-in chain, the policy decides.
  const giveBack = (): boolean => {
    const frame = stack.pop();
    if (!frame) {
      v.verdict = t.chains[chain]?.policy === 'DROP' ? 'DROP' : 'ACCEPT';
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
    const tg = rule.target;
    switch (tg.t) {
      case 'jump':
        if (!t.chains[tg.chain]) continue;
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
        v.masquerade = tg.randomFully ? { randomFully: true } : {};
        return v;
    }
  }
}

function ruleMatches(r: Rule, p: PacketView, env: EvalEnv): boolean {
  if (r.src && contains(r.src.cidr, p.src) === !!r.src.neg) return false;
  if (r.dst && contains(r.dst.cidr, p.dst) === !!r.dst.neg) return false;
  if (r.in !== undefined && ifaceMatches(r.in, p.in) === !!r.inNeg) return false;
  if (r.out !== undefined && ifaceMatches(r.out, p.out) === !!r.outNeg) return false;
  if (r.proto && PROTO_NUM[r.proto] !== p.proto) return false;
  for (const m of r.matches) {
    switch (m.m) {
      case 'comment':
        break;
      case 'tcp':
      case 'udp':
      case 'sctp':
        if (PROTO_NUM[m.m] !== p.proto) return false;
        if (m.dport !== undefined && m.dport !== p.dport) return false;
        if (m.sport !== undefined && m.sport !== p.sport) return false;
        break;
      case 'statistic':
        if (env.rng.int(0x80000000) >= kernelProbability(m.probability)) return false;
        break;
      case 'mark':
        if ((((p.mark & m.mask) >>> 0) === (m.mark >>> 0)) === !!m.neg) return false;
        break;
      case 'addrtype':
        if (m.dstType && env.isLocal(p.dst) === !!m.neg) return false;
        if (m.srcType && env.isLocal(p.src) === !!m.neg) return false;
        break;
      case 'nfacct':
        break;
      case 'multiport':
        if (!multiportMatches(m.dports, p.dport)) return false;
        break;
      case 'set': {
        const set = env.ipset?.(m.set);
        if ((set !== undefined && setMatches(set, m.flags, p)) === !!m.neg) return false;
        break;
      }
      case 'physdev':
        if ((p.in !== undefined && !!env.isBridge?.(p.in)) === !!m.neg) return false;
        break;
      case 'conntrack': {
        const states = new Set<string>([p.ctstate]);
        if (p.ctDnat) states.add('DNAT');
        if (m.ctstate.some((s) => states.has(s)) === !!m.neg) return false;
        break;
      }
    }
  }
  return true;
}

/** `-i`/`-o` NAME: the exact name, or with a trailing `+` every name that starts with the rest (`cali+`). */
export function ifaceMatches(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

function multiportMatches(ports: (number | [number, number])[], port: number | undefined): boolean {
  if (port === undefined) return false;
  for (const p of ports) if (typeof p === 'number' ? p === port : port >= p[0] && port <= p[1]) return true;
  return false;
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
  if (!r.dst || r.dst.neg || r.dst.cidr.len !== 32) return undefined;
  const l4 = r.matches.find((m): m is Extract<Match, { m: 'tcp' | 'udp' | 'sctp' }> => m.m === 'tcp' || m.m === 'udp' || m.m === 'sctp');
  if (!r.proto || !l4 || l4.dport === undefined) return undefined;
  return `${r.dst.cidr.addr}|${PROTO_NUM[r.proto]}|${l4.dport}`;
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

function quote(text: string): string {
  return /^[A-Za-z0-9_-]+$/.test(text) ? text : `"${text.replace(/(["\\])/g, '\\$1')}"`;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** One rule as `iptables-save` prints it: `-A CHAIN [!] -s ... -j TARGET ...`. */
export function formatRule(chain: string, r: Rule): string {
  const parts = [`-A ${chain}`];
  if (r.src) parts.push(addr(r.src, '-s'));
  if (r.dst) parts.push(addr(r.dst, '-d'));
  if (r.in) parts.push(`${r.inNeg ? '! ' : ''}-i ${r.in}`);
  if (r.out) parts.push(`${r.outNeg ? '! ' : ''}-o ${r.out}`);
  if (r.proto) parts.push(`-p ${r.proto}`);
  for (const m of r.matches) {
    switch (m.m) {
      case 'comment':
        parts.push(`-m comment --comment ${quote(m.text)}`);
        break;
      case 'tcp':
      case 'udp':
      case 'sctp':
        parts.push(`-m ${m.m}${m.sport !== undefined ? ` --sport ${m.sport}` : ''}${m.dport !== undefined ? ` --dport ${m.dport}` : ''}`);
        break;
      case 'statistic':
        parts.push(`-m statistic --mode random --probability ${savedProbability(m.probability)}`);
        break;
      case 'mark':
        parts.push(`-m mark ${m.neg ? '! ' : ''}--mark ${hex(m.mark)}/${hex(m.mask)}`);
        break;
      case 'addrtype':
        parts.push(`-m addrtype ${m.neg ? '! ' : ''}${m.srcType ? `--src-type ${m.srcType}` : `--dst-type ${m.dstType}`}`);
        break;
      case 'conntrack':
        parts.push(`-m conntrack ${m.neg ? '! ' : ''}--ctstate ${m.ctstate.join(',')}`);
        break;
      case 'nfacct':
        parts.push(`-m nfacct --nfacct-name ${m.name}`);
        break;
      case 'multiport':
        parts.push(`-m multiport --dports ${m.dports.map((d) => (typeof d === 'number' ? d : d.join(':'))).join(',')}`);
        break;
      case 'set':
        parts.push(`-m set ${m.neg ? '! ' : ''}--match-set ${m.set} ${m.flags.join(',')}`);
        break;
      case 'physdev':
        parts.push(`-m physdev ${m.neg ? '! ' : ''}--physdev-is-in`);
        break;
    }
  }
  const tg = r.target;
  switch (tg.t) {
    case 'jump':
      parts.push(`-j ${tg.chain}`);
      break;
    case 'goto':
      parts.push(`-g ${tg.chain}`);
      break;
    case 'REJECT':
      parts.push(`-j REJECT --reject-with ${tg.with ?? 'icmp-port-unreachable'}`);
      break;
    case 'DNAT':
      parts.push(`-j DNAT --to-destination ${formatIp(tg.to.ip)}${tg.to.port !== undefined ? `:${tg.to.port}` : ''}`);
      break;
    case 'SNAT':
      parts.push(`-j SNAT --to-source ${formatIp(tg.to.ip)}${tg.to.port !== undefined ? `:${tg.to.port}` : ''}${tg.randomFully ? ' --random-fully' : ''}`);
      break;
    case 'MASQUERADE':
      parts.push(`-j MASQUERADE${tg.randomFully ? ' --random-fully' : ''}`);
      break;
    case 'MARK':
      parts.push(`-j MARK --set-xmark ${hex(tg.value)}/${hex(tg.mask)}`);
      break;
    case 'none':
      break;
    default:
      parts.push(`-j ${tg.t}`);
  }
  return parts.join(' ');
}

/**
 * A table as `iptables-save -t <table>` prints it: header, `*table`, built-in chains with their
 * policy and counters, user chains alphabetically, the rules chain by chain in that order,
 * COMMIT and the footer. `date` is the ctime-style text iptables-save puts in the header.
 */
export function formatTable(nf: Netfilter, table: TableName, date: string, version = 'v1.8.10 (nf_tables)'): string {
  const t = nf[table];
  const builtin = BUILTIN[table].filter((c) => t.chains[c]);
  const names: string[] = [];
  for (const c in t.chains) names.push(c); // own and layered (inherited) chains alike
  const user = names.filter((c) => !BUILTIN[table].includes(c)).sort();
  const lines = [`# Generated by iptables-save ${version} on ${date}`, `*${table}`];
  for (const c of builtin) lines.push(`:${c} ${t.chains[c]!.policy ?? 'ACCEPT'} [0:0]`);
  for (const c of user) lines.push(`:${c} - [0:0]`);
  for (const c of [...builtin, ...user]) for (const r of t.chains[c]!.rules) lines.push(formatRule(c, r));
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
