/**
 * Felix, Calico's policy agent, as Canal runs it: the filter-table chains and ipsets it writes
 * on each node, rendered as Felix v3.29 renders them, and its resync.
 *
 * Design notes: the chains are felix/rules (static.go, endpoints.go, dispatch.go, policy.go)
 * for Canal's configuration: iptables dataplane, workload interfaces `cali+`, no Calico
 * encapsulation (flannel carries the traffic), DefaultEndpointToHostAction ACCEPT, deny action
 * DROP, no host endpoints. Marks are allocated from the default mask 0xffff0000 as Felix does:
 * accept 0x10000, pass 0x20000, scratch 0x40000 and 0x80000.
 * - Felix inserts `-j cali-INPUT`, `-j cali-FORWARD`, `-j cali-OUTPUT` at the top of the
 *   built-in chains and appends two rules to FORWARD (accept what policy accepted, then set
 *   the accept mark).
 * - cali-FORWARD clears the scratch marks and sends traffic from a `cali+` interface to
 *   cali-from-wl-dispatch and to one to cali-to-wl-dispatch; the dispatch chains `-g` (goto)
 *   the endpoint's chain by interface name, grouped into `-<char>` child chains by the
 *   character after the names' common prefix, and drop an unknown interface.
 * - cali-tw-<iface> (to the workload: its ingress policy) and cali-fw-<iface> (from it: its
 *   egress policy) accept RELATED,ESTABLISHED and drop INVALID, clear the accept and pass
 *   marks, then (if policies select the endpoint in that direction) jump to each policy chain
 *   `cali-pi-`/`cali-po-` in order, returning as soon as one sets the accept mark, and drop
 *   when none did ("Drop if no policies passed packet"). Without policies the profiles decide:
 *   `kns.<namespace>` accepts everything. cali-fw also drops VXLAN (4789) and IP-in-IP
 *   packets a workload sends itself.
 * - a policy chain has one block of rules per Calico rule: the match (ipsets for selectors,
 *   nets, `-m multiport` ports) sets the accept mark and the next rule returns; ports or
 *   nets that do not fit one rule are or-ed through the scratch marks. Consecutive policies
 *   with the same selector share a `cali-gi-`/`cali-go-` group chain.
 * - traffic from a workload to its host goes cali-INPUT -> cali-wl-to-host, which applies the
 *   workload's egress policy and then accepts; the host's own traffic to a local workload is
 *   not policed (cali-OUTPUT returns it).
 * Every rule carries `-m comment --comment "cali:<hash>"`, the hash computed as Felix computes
 * it (felix/generictables RuleHashes: sha224 chained from the chain name over each rule as
 * Felix renders it), so the hashes are a real node's. Chain names too long for iptables are
 * shortened as Felix does (hashutils.GetLengthLimitedID). ipsets are named `cali40` + their
 * id: `s:` + base64url(sha224) of the canonical selector, `n:` for named ports; members are
 * the addresses of every matching endpoint in the cluster, named-port sets hold
 * `address,proto:port`. Only chains and ipsets reachable from the built-in chains are
 * written, as Felix programs only referenced chains.
 * Resync: before packets move and rules are listed, Felix compares a digest of what it
 * renders from (pods, namespaces, NetworkPolicies); on a change it rewrites its chains and
 * ipsets on every Canal node, so a policy applies to the next packet. Rules a learner changes
 * by hand are put back at the next rewrite or after Felix's refresh interval (60 s).
 * Left out: the raw, mangle and nat tables' cali-* chains (the sandbox has no mangle or raw
 * table; Canal masquerades with flannel's rules), host endpoints, failsafe ports, Calico
 * network policy kinds beyond Kubernetes NetworkPolicy, REJECT/log actions, IPv6, the
 * conntrack flush Felix does when an endpoint goes.
 */
import { sha224, sha256 } from '@noble/hashes/sha2.js';
import { sha3_224 } from '@noble/hashes/sha3.js';
import { parseCidr, type Cidr } from '../ipv4';
import { newIpSet, type IpSet } from '../ipset';
import { invalidateLayers, net, type Match, type Netfilter, type Rule, type Target } from '../netfilter';
import { fnv32a } from '../k8s/names';
import type { Netns } from '../netns';
import { derivedCache } from '../derived';
import type { SimState } from '../state';
import { calicoPolicies, policiesFor, profile, selects, utf8, workloadEndpoints, type CalicoPolicy, type ModelRule, type PortRange, type WorkloadEndpoint } from './calico';
import { normalise } from './selector';

export const MARK_ACCEPT = 0x10000;
export const MARK_PASS = 0x20000;
export const MARK_SCRATCH0 = 0x40000;
export const MARK_SCRATCH1 = 0x80000;
const ALL_MARKS = MARK_ACCEPT | MARK_PASS | MARK_SCRATCH0 | MARK_SCRATCH1;
const MAX_CHAIN = 28;
const MAX_IPSET = 31;
const VXLAN_PORT = 4789;

// ------------------------------------------------------------------------- Felix's rule model

type FMatch =
  | { k: 'markClear'; mask: number }
  | { k: 'markSet'; mark: number }
  | { k: 'markNotClear'; mask: number }
  | { k: 'in' | 'out'; iface: string }
  | { k: 'ct'; states: ('NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'DNAT')[]; neg?: boolean }
  | { k: 'proto'; name: 'tcp' | 'udp' | 'sctp' }
  | { k: 'protoNum'; num: 4 | 17 }
  | { k: 'src' | 'dst'; cidr: string; neg?: boolean }
  | { k: 'set'; name: string; dirs: ('src' | 'dst')[]; neg?: boolean }
  | { k: 'dports'; ports: PortRange[] };

type FAction =
  | { k: 'jump' | 'goto'; chain: string }
  | { k: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { k: 'mark'; mark: number; mask: number; clear?: boolean };

interface FRule {
  comments?: string[];
  match?: FMatch[];
  action?: FAction;
}

interface FChain {
  name: string;
  rules: FRule[];
}

const hx = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** A match as Felix's iptables match builder renders it (what the rule hash is computed over). */
function matchText(m: FMatch): string {
  switch (m.k) {
    case 'markClear':
      return `-m mark --mark 0/${hx(m.mask)}`;
    case 'markSet':
      return `-m mark --mark ${hx(m.mark)}/${hx(m.mark)}`;
    case 'markNotClear':
      return `-m mark ! --mark 0/${hx(m.mask)}`;
    case 'in':
      return `--in-interface ${m.iface}`;
    case 'out':
      return `--out-interface ${m.iface}`;
    case 'ct':
      return `-m conntrack ${m.neg ? '! ' : ''}--ctstate ${m.states.join(',')}`;
    case 'proto':
      return `-p ${m.name}`;
    case 'protoNum':
      return `-p ${m.num}`;
    case 'src':
      return `${m.neg ? '! ' : ''}--source ${m.cidr}`;
    case 'dst':
      return `${m.neg ? '! ' : ''}--destination ${m.cidr}`;
    case 'set':
      return `-m set ${m.neg ? '! ' : ''}--match-set ${m.name} ${m.dirs.join(',')}`;
    case 'dports':
      return `-m multiport --destination-ports ${m.ports.map((p) => (p.first === p.last ? `${p.first}` : `${p.first}:${p.last}`)).join(',')}`;
  }
}

function actionText(a: FAction): string {
  switch (a.k) {
    case 'jump':
      return `--jump ${a.chain}`;
    case 'goto':
      return `--goto ${a.chain}`;
    case 'mark':
      return `--jump MARK --set-mark ${a.clear ? '0' : hx(a.mark)}/${hx(a.mask)}`;
    default:
      return `--jump ${a.k}`;
  }
}

/** The rule as Felix renders it for hashing: `-A CHAIN HASH <comments> <match> <action>`. */
function hashInput(chain: string, r: FRule): string {
  const parts = ['-A', chain, 'HASH'];
  for (const c of r.comments ?? []) parts.push(`-m comment --comment "${c.replace(/[^\w @%+=:,./-]/g, '_').slice(0, 256)}"`);
  const m = (r.match ?? []).map(matchText).join(' ');
  if (m) parts.push(m);
  if (r.action) parts.push(actionText(r.action));
  return parts.join(' ');
}


function b64url(bytes: Uint8Array): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let j = 0; j < chars; j++) out += A[(n >>> (18 - 6 * j)) & 63];
  }
  return out;
}

/** generictables.RuleHashes: each rule's hash chains in the previous one, starting from the chain name. */
export function ruleHashes(chain: string, rules: FRule[]): string[] {
  let h = sha224(utf8(chain));
  return rules.map((r) => {
    const input = utf8(hashInput(chain, r));
    const buf = new Uint8Array(h.length + input.length);
    buf.set(h, 0);
    buf.set(input, h.length);
    h = sha224(buf);
    return b64url(h).slice(0, 16);
  });
}

/** hash.MakeUniqueID: `<prefix>:` + base64url(sha224(`<prefix>:<content>`)). */
export function uniqueId(prefix: string, content: string): string {
  return `${prefix}:${b64url(sha224(utf8(`${prefix}:${content}`)))}`;
}

/** hashutils.GetLengthLimitedID: prefix + suffix, or prefix + `_` + a sha256 of the suffix when too long. */
export function lengthLimited(prefix: string, suffix: string, max = MAX_CHAIN): string {
  if (prefix.length + suffix.length > max || (prefix.length + suffix.length === max && suffix.startsWith('_'))) {
    return `${prefix}_${b64url(sha256(utf8(suffix))).slice(0, max - 1 - prefix.length)}`;
  }
  return prefix + suffix;
}

export function ipsetName(id: string): string {
  return `cali40${id}`.slice(0, MAX_IPSET);
}

export function selectorSetId(selector: string): string {
  return uniqueId('s', normalise(selector));
}

export function policyChain(dir: 'ingress' | 'egress', policy: string, tier = 'default'): string {
  return lengthLimited(dir === 'ingress' ? 'cali-pi-' : 'cali-po-', `${tier}/${policy}`);
}

export function profileChain(dir: 'ingress' | 'egress', name: string): string {
  return lengthLimited(dir === 'ingress' ? 'cali-pri-' : 'cali-pro-', name);
}

/** A Felix rule as the sandbox's netfilter rule, with its hash comment first. */
function toRule(r: FRule, hash: string): Rule {
  const rule: Rule = { matches: [{ m: 'comment', text: `cali:${hash}` }, ...(r.comments ?? []).map((text): Match => ({ m: 'comment', text }))], target: { t: 'none' } };
  for (const m of r.match ?? []) {
    switch (m.k) {
      case 'markClear':
        rule.matches.push({ m: 'mark', mark: 0, mask: m.mask });
        break;
      case 'markSet':
        rule.matches.push({ m: 'mark', mark: m.mark, mask: m.mark });
        break;
      case 'markNotClear':
        rule.matches.push({ m: 'mark', mark: 0, mask: m.mask, neg: true });
        break;
      case 'in':
        rule.in = m.iface;
        break;
      case 'out':
        rule.out = m.iface;
        break;
      case 'ct':
        rule.matches.push({ m: 'conntrack', ctstate: m.states, ...(m.neg ? { neg: true } : {}) });
        break;
      case 'proto':
        rule.proto = m.name;
        break;
      case 'protoNum':
        rule.proto = m.num === 4 ? 'ipencap' : 'udp';
        break;
      case 'src':
      case 'dst':
        rule[m.k] = net(parseCidr(m.cidr, true) as Cidr, !!m.neg);
        break;
      case 'set':
        rule.matches.push({ m: 'set', set: m.name, flags: m.dirs, ...(m.neg ? { neg: true } : {}) });
        break;
      case 'dports':
        rule.matches.push({ m: 'multiport', dports: m.ports.map((p) => (p.first === p.last ? p.first : ([p.first, p.last] as [number, number]))) });
        break;
    }
  }
  const a = r.action;
  let target: Target = { t: 'none' };
  if (a?.k === 'jump' || a?.k === 'goto') target = { t: a.k, chain: a.chain };
  else if (a?.k === 'mark') target = { t: 'MARK', value: a.clear ? 0 : a.mark, mask: a.mask };
  else if (a) target = { t: a.k };
  rule.target = target;
  return rule;
}

// ------------------------------------------------------------------------- static chains

const jump = (chain: string): FAction => ({ k: 'jump', chain });
const setMark = (mark: number): FAction => ({ k: 'mark', mark, mask: mark });
const clearMark = (mask: number): FAction => ({ k: 'mark', mark: 0, mask, clear: true });

function staticChains(): FChain[] {
  return [
    {
      name: 'cali-FORWARD',
      rules: [
        { action: clearMark(ALL_MARKS & ~MARK_ACCEPT) },
        { match: [{ k: 'markClear', mask: MARK_ACCEPT }], action: jump('cali-from-hep-forward') },
        { match: [{ k: 'in', iface: 'cali+' }], action: jump('cali-from-wl-dispatch') },
        { match: [{ k: 'out', iface: 'cali+' }], action: jump('cali-to-wl-dispatch') },
        { action: jump('cali-to-hep-forward') },
        { action: jump('cali-cidr-block') },
      ],
    },
    {
      name: 'cali-INPUT',
      rules: [
        { match: [{ k: 'in', iface: 'cali+' }], action: { k: 'goto', chain: 'cali-wl-to-host' } },
        { match: [{ k: 'markSet', mark: MARK_ACCEPT }], action: { k: 'ACCEPT' } },
        { action: clearMark(ALL_MARKS) },
        { action: jump('cali-from-host-endpoint') },
        { comments: ['Host endpoint policy accepted packet.'], match: [{ k: 'markSet', mark: MARK_ACCEPT }], action: { k: 'ACCEPT' } },
      ],
    },
    {
      name: 'cali-wl-to-host',
      rules: [{ action: jump('cali-from-wl-dispatch') }, { comments: ['Configured DefaultEndpointToHostAction'], action: { k: 'ACCEPT' } }],
    },
    {
      name: 'cali-OUTPUT',
      rules: [
        { match: [{ k: 'markSet', mark: MARK_ACCEPT }], action: { k: 'ACCEPT' } },
        { match: [{ k: 'out', iface: 'cali+' }], action: { k: 'RETURN' } },
        { action: clearMark(ALL_MARKS) },
        { match: [{ k: 'ct', states: ['DNAT'], neg: true }], action: jump('cali-to-host-endpoint') },
        { comments: ['Host endpoint policy accepted packet.'], match: [{ k: 'markSet', mark: MARK_ACCEPT }], action: { k: 'ACCEPT' } },
      ],
    },
    // No host endpoints: the host endpoint dispatch chains and the CIDR block chain are empty.
    { name: 'cali-from-hep-forward', rules: [] },
    { name: 'cali-to-hep-forward', rules: [] },
    { name: 'cali-from-host-endpoint', rules: [] },
    { name: 'cali-to-host-endpoint', rules: [] },
    { name: 'cali-cidr-block', rules: [] },
  ];
}

/** The rules Felix keeps in the built-in chains: inserted at the top, and appended to FORWARD. */
const INSERTS: Record<'INPUT' | 'FORWARD' | 'OUTPUT', FRule[]> = {
  INPUT: [{ action: jump('cali-INPUT') }],
  FORWARD: [{ action: jump('cali-FORWARD') }],
  OUTPUT: [{ action: jump('cali-OUTPUT') }],
};
const FORWARD_APPENDS: FRule[] = [{ comments: ['Policy explicitly accepted packet.'], match: [{ k: 'markSet', mark: MARK_ACCEPT }], action: { k: 'ACCEPT' } }, { action: setMark(MARK_ACCEPT) }];

// ------------------------------------------------------------------------- dispatch chains

function commonPrefix(names: string[]): string {
  if (names.length === 0) return '';
  let p = names[0]!;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** interfaceNameDispatchChains: a root chain per direction, with a child chain per shared next character. */
function dispatchChains(ifaces: string[]): FChain[] {
  const names = [...new Set(ifaces)].sort();
  const common = commonPrefix(names);
  const prefixes: string[] = [];
  const byPrefix = new Map<string, string[]>();
  for (const n of names) {
    const p = n.length > common.length ? n.slice(0, common.length + 1) : common;
    if (!byPrefix.has(p)) prefixes.push(p);
    byPrefix.set(p, [...(byPrefix.get(p) ?? []), n]);
  }
  const end: FRule = { comments: ['Unknown interface'], action: { k: 'DROP' } };
  const out: FChain[] = [];
  for (const [root, pfx, dir] of [
    ['cali-from-wl-dispatch', 'cali-fw-', 'in'],
    ['cali-to-wl-dispatch', 'cali-tw-', 'out'],
  ] as const) {
    const rootRules: FRule[] = [];
    const children: FChain[] = [];
    for (const p of prefixes) {
      const group = byPrefix.get(p)!;
      const target = (n: string): FRule => ({ match: [{ k: dir, iface: n }], action: { k: 'goto', chain: lengthLimited(pfx, n) } });
      if (group.length > 1) {
        const child = `${root}-${p.slice(common.length)}`;
        rootRules.push({ match: [{ k: dir, iface: `${p}+` }], action: { k: 'goto', chain: child } });
        children.push({ name: child, rules: [...group.map(target), end] });
      } else rootRules.push(target(group[0]!));
    }
    out.push(...children, { name: root, rules: [...rootRules, end] });
  }
  return out;
}

// ------------------------------------------------------------------------- endpoint chains

interface PolicyGroup {
  dir: 'ingress' | 'egress';
  selector: string;
  policies: string[];
}

/** endpointManager.groupPolicies: consecutive policies with the same selector share a group. */
function groupPolicies(policies: CalicoPolicy[], dir: 'ingress' | 'egress'): PolicyGroup[] {
  const groups: PolicyGroup[] = [];
  for (const p of policies) {
    const sel = normalise(p.selector);
    const last = groups[groups.length - 1];
    if (last && last.selector === sel) last.policies.push(p.name);
    else groups.push({ dir, selector: sel, policies: [p.name] });
  }
  return groups;
}

/** PolicyGroup.ChainName: cali-gi-/cali-go- + base64url(sha3-224 of tier, selector, direction, names)[:20]. */
function groupChainName(g: PolicyGroup): string {
  const lines = ['default', g.selector, g.dir === 'ingress' ? 'inbound' : 'outbound', String(g.policies.length), ...g.policies];
  const uid = b64url(sha3_224(utf8(lines.map((l) => `${l}\n`).join('')))).slice(0, MAX_CHAIN - 'cali-gi-'.length);
  return (g.dir === 'ingress' ? 'cali-gi-' : 'cali-go-') + uid;
}

function groupChain(g: PolicyGroup): FChain {
  const rules: FRule[] = [];
  g.policies.forEach((name, i) => {
    if (i !== 0 && i % 5 === 0) rules.push({ comments: ['Return on verdict'], match: [{ k: 'markNotClear', mask: MARK_PASS | MARK_ACCEPT }], action: { k: 'RETURN' } });
    rules.push({ ...(i % 5 === 0 ? {} : { match: [{ k: 'markClear', mask: MARK_PASS | MARK_ACCEPT }] as FMatch[] }), action: jump(policyChain(g.dir, name)) });
  });
  return { name: groupChainName(g), rules };
}

function endpointChain(ep: WorkloadEndpoint, dir: 'ingress' | 'egress', groups: PolicyGroup[]): FChain {
  const rules: FRule[] = [
    { match: [{ k: 'ct', states: ['RELATED', 'ESTABLISHED'] }], action: { k: 'ACCEPT' } },
    { match: [{ k: 'ct', states: ['INVALID'] }], action: { k: 'DROP' } },
    { action: clearMark(MARK_ACCEPT | MARK_PASS) },
  ];
  if (dir === 'egress') {
    rules.push(
      { comments: ['Drop VXLAN encapped packets originating in workloads'], match: [{ k: 'protoNum', num: 17 }, { k: 'dports', ports: [{ first: VXLAN_PORT, last: VXLAN_PORT }] }], action: { k: 'DROP' } },
      { comments: ['Drop IPinIP encapped packets originating in workloads'], match: [{ k: 'protoNum', num: 4 }], action: { k: 'DROP' } },
    );
  }
  if (groups.length > 0) {
    rules.push({ comments: ['Start of tier default'], action: clearMark(MARK_PASS) });
    for (const g of groups) {
      const targets = g.policies.length <= 1 ? g.policies.map((p) => policyChain(dir, p)) : [groupChainName(g)];
      for (const t of targets) {
        rules.push({ match: [{ k: 'markClear', mask: MARK_PASS }], action: jump(t) }, { comments: ['Return if policy accepted'], match: [{ k: 'markSet', mark: MARK_ACCEPT }], action: { k: 'RETURN' } });
      }
    }
    rules.push({ comments: ['Drop if no policies passed packet'], match: [{ k: 'markClear', mask: MARK_PASS }], action: { k: 'DROP' } });
  }
  for (const prof of ep.profiles) {
    rules.push({ action: jump(profileChain(dir, prof)) }, { comments: ['Return if profile accepted'], match: [{ k: 'markSet', mark: MARK_ACCEPT }], action: { k: 'RETURN' } });
  }
  rules.push({ comments: ['Drop if no profiles matched'], action: { k: 'DROP' } });
  return { name: lengthLimited(dir === 'ingress' ? 'cali-tw-' : 'cali-fw-', ep.iface), rules };
}

// ------------------------------------------------------------------------- policy chains

interface IpSetDef {
  id: string;
  selector: string;
  /** Named port sets: the port name and protocol. */
  namedPort?: { name: string; protocol: 'tcp' | 'udp' | 'sctp' };
}

/** ProtoRuleToIptablesRules for one allow rule: match blocks where needed, then mark and return. */
function policyRuleRules(r: ModelRule, sets: Map<string, IpSetDef>): FRule[] {
  const out: FRule[] = [];
  const setFor = (selector: string): string => {
    const id = selectorSetId(selector);
    sets.set(id, { id, selector });
    return ipsetName(id);
  };
  const namedSetFor = (selector: string, name: string): string => {
    const proto = r.protocol ?? 'tcp';
    const selId = uniqueId('s', normalise(selector || 'all()'));
    const id = uniqueId('n', `${selId},${proto},${name}`);
    sets.set(id, { id, selector: selector || 'all()', namedPort: { name, protocol: proto } });
    return ipsetName(id);
  };
  let usingBlocks = false;
  let firstPositiveDone = false;
  const initial = (bits: number): void => {
    if (usingBlocks) return;
    out.push({ action: { k: 'mark', mark: bits, mask: MARK_SCRATCH0 | MARK_SCRATCH1 } });
    usingBlocks = true;
  };
  const proto: FMatch[] = r.protocol ? [{ k: 'proto', name: r.protocol }] : [];
  let dstPorts = r.dstPorts;
  let dstNamed = r.dstNamedPorts;
  const dstSel = r.dstSelector;
  const splits = splitPorts(dstPorts);
  if (splits.length + dstNamed.length > 1) {
    initial(0);
    const mark = firstPositiveDone ? MARK_SCRATCH1 : MARK_SCRATCH0;
    for (const split of splits) out.push({ match: [...proto, { k: 'dports', ports: split }], action: setMark(mark) });
    for (const n of dstNamed) out.push({ match: [{ k: 'set', name: namedSetFor(dstSel, n), dirs: ['dst', 'dst'] }], action: setMark(mark) });
    if (firstPositiveDone) out.push({ match: [{ k: 'markClear', mask: MARK_SCRATCH1 }], action: clearMark(MARK_SCRATCH0) });
    firstPositiveDone = true;
    dstPorts = [];
    dstNamed = [];
  }
  let notSrc = r.notSrcNets;
  let notDst = r.notDstNets;
  if (r.srcNets.length + notSrc.length > 1) {
    initial(MARK_SCRATCH0);
    for (const c of notSrc) out.push({ match: [{ k: 'src', cidr: c }], action: clearMark(MARK_SCRATCH0) });
    notSrc = [];
  }
  if (r.dstNets.length + notDst.length > 1) {
    initial(MARK_SCRATCH0);
    for (const c of notDst) out.push({ match: [{ k: 'dst', cidr: c }], action: clearMark(MARK_SCRATCH0) });
    notDst = [];
  }
  // CalculateRuleMatch: positive criteria first, then the negated ones.
  const match: FMatch[] = [...proto];
  if (r.srcNets.length === 1) match.push({ k: 'src', cidr: r.srcNets[0]! });
  // A selector is rendered unless named ports already filter by it.
  if (r.srcSelector) match.push({ k: 'set', name: setFor(r.srcSelector), dirs: ['src'] });
  if (r.dstNets.length === 1) match.push({ k: 'dst', cidr: r.dstNets[0]! });
  if (dstSel && (r.dstPorts.length > 0 || r.dstNamedPorts.length === 0)) match.push({ k: 'set', name: setFor(dstSel), dirs: ['dst'] });
  if (dstPorts.length > 0) match.push({ k: 'dports', ports: dstPorts });
  for (const n of dstNamed) match.push({ k: 'set', name: namedSetFor(dstSel, n), dirs: ['dst', 'dst'] });
  if (notSrc.length === 1) match.push({ k: 'src', cidr: notSrc[0]!, neg: true });
  if (notDst.length === 1) match.push({ k: 'dst', cidr: notDst[0]!, neg: true });
  if (usingBlocks) match.push({ k: 'markSet', mark: MARK_SCRATCH0 });
  out.push({ match, action: setMark(MARK_ACCEPT) }, { match: [{ k: 'markSet', mark: MARK_ACCEPT }], action: { k: 'RETURN' } });
  return out;
}

/** SplitPortList: groups of at most 15 multiport slots (a range takes two). */
function splitPorts(ports: PortRange[]): PortRange[][] {
  const out: PortRange[][] = [];
  let cur: PortRange[] = [];
  let slots = 15;
  for (const p of ports) {
    const need = p.first === p.last ? 1 : 2;
    if (slots < need) {
      out.push(cur);
      cur = [];
      slots = 15;
    }
    cur.push(p);
    slots -= need;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** ProtoRulesToIptablesRules: the rules, trailing RETURNs stripped, the chain's comment on the first. */
function rulesWithComment(rules: FRule[], comment: string): FRule[] {
  const out = [...rules];
  while (out.length > 0 && out[out.length - 1]!.action?.k === 'RETURN') out.pop();
  if (out.length === 0) out.push({});
  out[0] = { ...out[0]!, comments: [...(out[0]!.comments ?? []), comment] };
  return out;
}

function policyChains(p: CalicoPolicy, dir: 'ingress' | 'egress', sets: Map<string, IpSetDef>): FChain {
  const rules = (dir === 'ingress' ? p.inbound : p.outbound).flatMap((r) => policyRuleRules(r, sets));
  return { name: policyChain(dir, p.name), rules: rulesWithComment(rules, `Policy ${p.name} ${dir}`) };
}

function profileChains(name: string, dir: 'ingress' | 'egress'): FChain {
  const prof = profile(name);
  const allow = (dir === 'ingress' ? prof.inbound : prof.outbound) === 'allow';
  const rules: FRule[] = allow ? [{ action: setMark(MARK_ACCEPT) }, { match: [{ k: 'markSet', mark: MARK_ACCEPT }], action: { k: 'RETURN' } }] : [];
  return { name: profileChain(dir, name), rules: rulesWithComment(rules, `Profile ${name} ${dir}`) };
}

// ------------------------------------------------------------------------- a node's tables

/** Everything Felix writes on one node: chains (referenced ones only), built-in chain rules and ipsets. */
export interface NodeRender {
  chains: Record<string, Rule[]>;
  inserts: Record<'INPUT' | 'FORWARD' | 'OUTPUT', Rule[]>;
  appends: Rule[];
  ipsets: Record<string, IpSet>;
}

export function renderNode(node: string, endpoints: WorkloadEndpoint[], policies: CalicoPolicy[]): NodeRender {
  const local = endpoints.filter((e) => e.node === node);
  const chains: FChain[] = [...staticChains(), ...dispatchChains(local.map((e) => e.iface))];
  const sets = new Map<string, IpSetDef>();
  const usedPolicies = new Map<string, CalicoPolicy>();
  const usedProfiles = new Set<string>();
  const groupChains = new Map<string, FChain>();
  for (const ep of local) {
    for (const dir of ['ingress', 'egress'] as const) {
      const pols = policiesFor(policies, ep, dir);
      for (const p of pols) usedPolicies.set(`${dir}|${p.name}`, p);
      const groups = groupPolicies(pols, dir);
      for (const g of groups) if (g.policies.length > 1) groupChains.set(groupChainName(g), groupChain(g));
      chains.push(endpointChain(ep, dir, groups));
    }
    for (const prof of ep.profiles) usedProfiles.add(prof);
  }
  chains.push(...groupChains.values());
  for (const [k, p] of usedPolicies) chains.push(policyChains(p, k.startsWith('ingress') ? 'ingress' : 'egress', sets));
  for (const prof of usedProfiles) chains.push(profileChains(prof, 'ingress'), profileChains(prof, 'egress'));

  const byName = new Map(chains.map((c) => [c.name, c]));
  // Only chains reachable from Felix's rules in the built-in chains are programmed.
  const reached = new Set<string>();
  const queue = [...INSERTS.INPUT, ...INSERTS.FORWARD, ...INSERTS.OUTPUT, ...FORWARD_APPENDS];
  const visit = (rules: FRule[]): void => {
    for (const r of rules) {
      const a = r.action;
      if ((a?.k === 'jump' || a?.k === 'goto') && !reached.has(a.chain) && byName.has(a.chain)) {
        reached.add(a.chain);
        visit(byName.get(a.chain)!.rules);
      }
    }
  };
  visit(queue);
  const out: NodeRender = { chains: {}, inserts: { INPUT: [], FORWARD: [], OUTPUT: [] }, appends: [], ipsets: {} };
  const usedSets = new Set<string>();
  for (const c of chains) {
    if (!reached.has(c.name)) continue;
    const hashes = ruleHashes(c.name, c.rules);
    out.chains[c.name] = c.rules.map((r, i) => toRule(r, hashes[i]!));
    for (const r of c.rules) for (const m of r.match ?? []) if (m.k === 'set') usedSets.add(m.name);
  }
  for (const b of ['INPUT', 'FORWARD', 'OUTPUT'] as const) {
    const hashes = ruleHashes(b, INSERTS[b]);
    out.inserts[b] = INSERTS[b].map((r, i) => toRule(r, hashes[i]!));
  }
  const appendHashes = ruleHashes('FORWARD*appends*', FORWARD_APPENDS);
  out.appends = FORWARD_APPENDS.map((r, i) => toRule(r, appendHashes[i]!));
  for (const def of sets.values()) {
    const name = ipsetName(def.id);
    if (!usedSets.has(name)) continue;
    out.ipsets[name] = ipsetMembers(name, def, endpoints);
  }
  return out;
}

/**
 * A set as Felix creates it (`hashsize 1024 maxelem 1048576`); the kernel's random initval is
 * a hash of the set's name here, so a re-render does not change it.
 */
function felixSet(name: string, type: 'hash:net' | 'hash:ip,port', members: string[]): IpSet {
  return { ...newIpSet(name, type, fnv32a(name)), maxelem: 1048576, members };
}

function ipsetMembers(name: string, def: IpSetDef, endpoints: WorkloadEndpoint[]): IpSet {
  const matching = endpoints.filter((e) => selects(def.selector, e.labels));
  if (def.namedPort) {
    const np = def.namedPort;
    const members = matching.flatMap((e) => e.ports.filter((p) => p.name === np.name && p.protocol === np.protocol).map((p) => `${e.ip},${p.protocol}:${p.port}`));
    return felixSet(name, 'hash:ip,port', [...new Set(members)].sort());
  }
  return felixSet(name, 'hash:net', [...new Set(matching.map((e) => e.ip))].sort());
}

const isFelixRule = (r: Rule): boolean => r.matches[0]?.m === 'comment' && r.matches[0].text.startsWith('cali:');

/** Replaces what Felix wrote in a node's filter table and ipsets with a new render. */
export function writeNode(ns: Netns, render: NodeRender): void {
  const nf: Netfilter = ns.nf!;
  const filter = nf.filter.chains;
  for (const name of Object.keys(filter)) if (name.startsWith('cali-')) delete filter[name];
  for (const b of ['INPUT', 'FORWARD', 'OUTPUT'] as const) {
    const chain = filter[b]!;
    chain.rules = [...render.inserts[b], ...chain.rules.filter((r) => !isFelixRule(r)), ...(b === 'FORWARD' ? render.appends : [])];
  }
  for (const [name, rules] of Object.entries(render.chains)) filter[name] = { rules };
  const sets = (ns.ipsets ??= {});
  for (const name of Object.keys(sets)) if (name.startsWith('cali40')) delete sets[name];
  Object.assign(sets, render.ipsets);
  invalidateLayers(nf);
}

/** Felix's resync interval in Canal's manifest (FELIX_IPTABLESREFRESHINTERVAL). */
export const REFRESH_MS = 60_000;

/**
 * What Felix last rendered from, per state (kept outside the JSON state: a sandbox restored from
 * storage renders again; a whole copy of a live state carries it, derived.ts).
 */
const LAST = derivedCache<{ digest: string; at: number }>();

function digest(state: SimState): string {
  const parts: string[] = [];
  for (const p of Object.values(state.k8s.pods)) {
    parts.push(`${p.metadata.namespace}/${p.metadata.name}|${p.spec.nodeName ?? ''}|${p.status.podIP ?? ''}|${p.status.phase}|${p.spec.hostNetwork ? 1 : 0}|${p.spec.serviceAccountName ?? ''}|${JSON.stringify(p.metadata.labels ?? {})}|${JSON.stringify(p.spec.containers.map((c) => c.ports ?? []))}`);
  }
  for (const n of Object.values(state.k8s.namespaces)) parts.push(`ns|${n.metadata.name}|${JSON.stringify(n.metadata.labels ?? {})}`);
  for (const np of Object.values(state.k8s.objects?.networkpolicies ?? {})) parts.push(`np|${np.metadata.namespace}/${np.metadata.name}|${JSON.stringify(np.spec)}`);
  return parts.sort().join('\n');
}

/**
 * Felix's sync on every node in `nodes`: when its inputs changed since the last write (or the
 * refresh interval passed), it renders and writes each node's chains and ipsets.
 */
export function syncFelix(state: SimState, nodes: string[], now: number): void {
  const d = digest(state);
  const last = LAST.get(state);
  if (last && last.digest === d && now < last.at + REFRESH_MS && now >= last.at) return;
  const endpoints = workloadEndpoints(state);
  const policies = calicoPolicies(state);
  for (const node of nodes) {
    const ns = state.netns[`node/${node}`];
    if (ns?.nf) writeNode(ns, renderNode(node, endpoints, policies));
  }
  LAST.set(state, { digest: d, at: now });
}
