/**
 * The `iptables` program's command line and what it does to a namespace's tables, as iptables
 * v1.8.10 (nf_tables backend) parses and applies it.
 *
 * Design notes: `parseIptables` follows xshared.c's do_parse: options in getopt_long's order
 * (a leading `-` in the option string: non-options come back in place and are a `Bad
 * argument`), short options clustered (`-nvL`), long options by unambiguous prefix, `!`
 * before the option it negates, `-m NAME` loading a match whose own options then become
 * valid, `-p tcp` loading the tcp match implicitly the first time a tcp option (`--dport`)
 * appears, the match and target checks of their extensions (libxt_*.c), the command/option
 * table (`Illegal option `-n' with this command`), `-i`/`-o` against the built-in chains that
 * cannot use them, and DROP refused in the nat table. A comma-separated `-s`/`-d` makes one
 * rule per address, as iptables does. Errors carry the text and exit status the real program
 * prints: parameter problems (status 2) as `iptables v1.8.10 (nf_tables): MSG` plus the
 * try-help line, operation errors (status 1) as `iptables: MSG.` (nft_strerror), and errors
 * the kernel returns when the batch commits (status 4) as ` RULE_APPEND failed (Invalid
 * argument): rule in chain X` (a NAT or REJECT target in a hook where the kernel refuses it,
 * also through a user chain reachable from there) or ` CHAIN_DEL failed (Device or resource
 * busy): chain X` (a user chain still referenced or not empty).
 *
 * Applying a command changes the namespace's own tables. Where the namespace sees chains
 * through a shared layer (kube-proxy's KUBE-* chains, one copy for all nodes), the first write
 * to such a chain copies it into the namespace's own tables (its counters with it), and
 * deleting or renaming one leaves a `null` entry that hides the shared chain there, so the
 * shared copy never changes for the other nodes. `written` in the result lists the chains a
 * command changed, for kube-proxy's next sync to decide what it rewrites.
 * Left out: ip6tables, `-v` echo of written rules, rule ranges, `--wait` (accepted, ignored),
 * match modules and targets other than those netfilter.ts evaluates (a clear error instead).
 */
import { clone } from '../clone';
import { servicePort } from './services';
import { maskOf, type Ip } from '../ipv4';
import {
  BUILTIN,
  PROTO_NUM,
  chainNames,
  emptyTable,
  formatRule,
  invalidateLayers,
  layered,
  tableOf,
  type AddrMatch,
  type Chain,
  type CtState,
  type Match,
  type NatTo,
  type Netfilter,
  type PortItem,
  type Proto,
  type RejectWith,
  type Rule,
  type Table,
  type TableName,
  type Target,
} from '../netfilter';

export const IPT_PROG = 'iptables v1.8.10 (nf_tables)';
export const TRY_HELP = "Try `iptables -h' or 'iptables --help' for more information.";

/** An error as iptables prints it: `text` goes to stderr (with a final newline), `status` is the exit code. */
export class IptablesError extends Error {
  constructor(
    readonly text: string,
    readonly status: number,
  ) {
    super(text);
  }
}

/** xtables_error(PARAMETER_PROBLEM): the message, then the try-help line, status 2. */
export function paramProblem(msg: string): IptablesError {
  return new IptablesError(`${IPT_PROG}: ${msg}\n${TRY_HELP}`, 2);
}

/** What nft_strerror says when an operation fails: status 1. */
function opError(msg: string): IptablesError {
  return new IptablesError(`iptables: ${msg}.`, 1);
}

const NO_CHAIN = (): IptablesError => opError('No chain/target/match by that name');

/** A kernel refusal at commit time: status 4. */
function commitError(what: string, errno: string, chain: string, rule: boolean): IptablesError {
  return new IptablesError(`${IPT_PROG}:  ${what} failed (${errno}): ${rule ? 'rule in chain' : 'chain'} ${chain}`, 4);
}

export type Command = 'A' | 'C' | 'D' | 'I' | 'R' | 'L' | 'S' | 'F' | 'Z' | 'N' | 'X' | 'E' | 'P';

export interface ParsedCommand {
  command: Command;
  /** -L -Z / -S -Z: zero after listing. */
  zero: boolean;
  table: TableName;
  chain?: string;
  rulenum?: number;
  newName?: string;
  policy?: string;
  /** The rules of -A/-C/-D/-I/-R (several for comma-separated addresses). */
  rules: Rule[];
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
  /** `-c PKTS BYTES`. */
  counters?: [number, number];
}

export type ParseResult = ParsedCommand | { help: true } | { version: true };

/** Options' letters, in xshared.c's optflags order, for its command/option table. */
type Opt = 'n' | 's' | 'd' | 'p' | 'j' | 'v' | 'x' | 'i' | 'o' | '0' | 'c' | 'f';
const OPT_ORDER: Opt[] = ['n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'];

/** commands_v_options: `x` marks an option the command refuses (iptables v1.8.10 xshared.c). */
const ILLEGAL: Record<string, string> = {
  I: 'x     x  x  ',
  D: 'x     x  xx ',
  DN: 'xxxxx xxxxxx',
  R: 'x     x  x  ',
  A: 'x     x  x  ',
  L: ' xxxx  xx xx',
  F: 'xxxxx xxxxxx',
  Z: 'xxxxx xxxxxx',
  N: 'xxxxx xxxxxx',
  X: 'xxxxx xxxxxx',
  P: 'xxxxx xxxx x',
  E: 'xxxxx xxxxxx',
  S: 'xxxxx xxxxxx',
  ZN: 'xxxxx xxxxxx',
  C: 'x     x  xx ',
};

/** Long options of iptables itself (getopt_long accepts any unambiguous prefix). */
const LONG: Record<string, { c: string; arg: 'none' | 'required' | 'optional' }> = {
  append: { c: 'A', arg: 'required' },
  check: { c: 'C', arg: 'required' },
  delete: { c: 'D', arg: 'required' },
  insert: { c: 'I', arg: 'required' },
  replace: { c: 'R', arg: 'required' },
  list: { c: 'L', arg: 'optional' },
  'list-rules': { c: 'S', arg: 'optional' },
  flush: { c: 'F', arg: 'optional' },
  zero: { c: 'Z', arg: 'optional' },
  'new-chain': { c: 'N', arg: 'required' },
  'delete-chain': { c: 'X', arg: 'optional' },
  'rename-chain': { c: 'E', arg: 'required' },
  policy: { c: 'P', arg: 'required' },
  source: { c: 's', arg: 'required' },
  src: { c: 's', arg: 'required' },
  destination: { c: 'd', arg: 'required' },
  dst: { c: 'd', arg: 'required' },
  protocol: { c: 'p', arg: 'required' },
  'in-interface': { c: 'i', arg: 'required' },
  'out-interface': { c: 'o', arg: 'required' },
  jump: { c: 'j', arg: 'required' },
  goto: { c: 'g', arg: 'required' },
  match: { c: 'm', arg: 'required' },
  table: { c: 't', arg: 'required' },
  numeric: { c: 'n', arg: 'none' },
  verbose: { c: 'v', arg: 'none' },
  exact: { c: 'x', arg: 'none' },
  'line-numbers': { c: '0', arg: 'none' },
  fragment: { c: 'f', arg: 'none' },
  'set-counters': { c: 'c', arg: 'required' },
  wait: { c: 'w', arg: 'optional' },
  'wait-interval': { c: 'W', arg: 'optional' },
  modprobe: { c: 'M', arg: 'required' },
  help: { c: 'h', arg: 'optional' },
  version: { c: 'V', arg: 'none' },
  ipv4: { c: '4', arg: 'none' },
  ipv6: { c: '6', arg: 'none' },
};

/** Short options: `:` takes an argument, `::` an optional one (IPT_OPTSTRING). */
const SHORT: Record<string, 'none' | 'required' | 'optional'> = {
  A: 'required', C: 'required', D: 'required', E: 'required', F: 'optional', I: 'required', L: 'optional', M: 'required', N: 'required', P: 'required', V: 'none', X: 'optional', Z: 'optional',
  c: 'required', d: 'required', i: 'required', j: 'required', o: 'required', p: 'required', s: 'required', t: 'required',
  R: 'required', S: 'optional', W: 'optional', 4: 'none', 6: 'none', b: 'none', f: 'none', g: 'required', h: 'optional', m: 'required', n: 'none', v: 'none', w: 'optional', x: 'none',
};


/** `ICMP` type names (libxt_icmp.h): name, type, code range. */
export const ICMP_NAMES: [string, number, number, number][] = [
  ['any', 0xff, 0, 0xff],
  ['echo-reply', 0, 0, 0xff],
  ['pong', 0, 0, 0xff],
  ['destination-unreachable', 3, 0, 0xff],
  ['network-unreachable', 3, 0, 0],
  ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3],
  ['fragmentation-needed', 3, 4, 4],
  ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6],
  ['host-unknown', 3, 7, 7],
  ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10],
  ['TOS-network-unreachable', 3, 11, 11],
  ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13],
  ['host-precedence-violation', 3, 14, 14],
  ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 0xff],
  ['redirect', 5, 0, 0xff],
  ['network-redirect', 5, 0, 0],
  ['host-redirect', 5, 1, 1],
  ['TOS-network-redirect', 5, 2, 2],
  ['TOS-host-redirect', 5, 3, 3],
  ['echo-request', 8, 0, 0xff],
  ['ping', 8, 0, 0xff],
  ['router-advertisement', 9, 0, 0xff],
  ['router-solicitation', 10, 0, 0xff],
  ['time-exceeded', 11, 0, 0xff],
  ['ttl-exceeded', 11, 0, 0xff],
  ['ttl-zero-during-transit', 11, 0, 0],
  ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 0xff],
  ['ip-header-bad', 12, 0, 0],
  ['required-option-missing', 12, 1, 1],
  ['timestamp-request', 13, 0, 0xff],
  ['timestamp-reply', 14, 0, 0xff],
  ['address-mask-request', 17, 0, 0xff],
  ['address-mask-reply', 18, 0, 0xff],
];

const REJECT_NAMES: [RejectWith, string][] = [
  ['icmp-net-unreachable', 'net-unreach'],
  ['icmp-host-unreachable', 'host-unreach'],
  ['icmp-proto-unreachable', 'proto-unreach'],
  ['icmp-port-unreachable', 'port-unreach'],
  ['icmp-net-prohibited', 'net-prohib'],
  ['icmp-host-prohibited', 'host-prohib'],
  ['tcp-reset', 'tcp-rst'],
  ['icmp-admin-prohibited', 'admin-prohib'],
];

/** Syslog level names (--log-level), as syslog.h's prioritynames. */
export const LOG_LEVELS: Record<string, number> = { emerg: 0, panic: 0, alert: 1, crit: 2, err: 3, error: 3, warn: 4, warning: 4, notice: 5, info: 6, debug: 7 };

const CT_STATES: CtState[] = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED', 'SNAT', 'DNAT'];

/** Targets iptables loads as extensions: their names cannot be chain names. */
const TARGETS = ['ACCEPT', 'DROP', 'RETURN', 'QUEUE', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'LOG', 'REDIRECT', 'NOTRACK', 'CT', 'TCPMSS', 'CONNMARK', 'NFLOG', 'TRACE', 'CHECKSUM', 'NETMAP', 'TPROXY', 'DSCP', 'TOS', 'TTL', 'AUDIT', 'NFQUEUE', 'SET', 'CLASSIFY'];
const UNSUPPORTED_TARGETS = TARGETS.filter((t) => !['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'LOG', 'REDIRECT'].includes(t));
const MATCHES = ['comment', 'tcp', 'udp', 'icmp', 'conntrack', 'state', 'mark', 'addrtype', 'statistic', 'multiport', 'nfacct'];
/** Match modules iptables has that the sandbox does not evaluate. */
const OTHER_MATCHES = ['physdev', 'set', 'limit', 'recent', 'owner', 'iprange', 'length', 'mac', 'pkttype', 'connmark', 'connlimit', 'hashlimit', 'string', 'time', 'u32', 'socket', 'policy', 'rpfilter', 'sctp', 'udplite', 'dccp', 'esp', 'ah', 'ttl', 'tos', 'dscp', 'helper', 'hl', 'ipvs', 'cgroup', 'devgroup', 'bpf', 'cluster', 'cpu', 'ecn', 'realm', 'quota', 'osf', 'tcpmss', 'conntrack-zone'];

/** A feature iptables has that this sandbox does not: a plain error, status 2. */
export class UnsupportedError extends IptablesError {}

function unsupported(what: string): UnsupportedError {
  return new UnsupportedError(`iptables: ${what} is not supported in this sandbox`, 2);
}

/**
 * xtables_numeric_to_ipaddr: one to four dotted numbers, the missing ones zero (1.2.3 is
 * 1.2.3.0); otherwise a name from /etc/hosts.
 */
function parseHost(text: string): Ip | undefined {
  if (text === 'localhost') return 0x7f000001;
  if (!/^\d+(\.\d+){0,3}$/.test(text)) return undefined;
  const parts = text.split('.').map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  while (parts.length < 4) parts.push(0);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** One `-s`/`-d` argument: `a[/mask][,b...]`, each masked to its network. */
function parseAddresses(text: string, neg: boolean): AddrMatch[] {
  return text.split(',').map((part) => {
    const slash = part.indexOf('/');
    const hostText = slash >= 0 ? part.slice(0, slash) : part;
    const maskText = slash >= 0 ? part.slice(slash + 1) : undefined;
    let len = 32;
    if (maskText !== undefined) {
      if (/^\d+$/.test(maskText) && Number(maskText) <= 32) len = Number(maskText);
      else {
        const m = /^\d+\.\d+\.\d+\.\d+$/.test(maskText) ? parseHost(maskText) : undefined;
        const bits = m === undefined ? -1 : 32 - Math.log2(((~m >>> 0) + 1) || 2 ** 32);
        if (m === undefined || !Number.isInteger(bits) || maskOf(bits) >>> 0 !== m) throw paramProblem(`invalid mask \`${maskText}' specified`);
        len = bits;
      }
    }
    const a = parseHost(hostText);
    if (a === undefined) throw paramProblem(`host/network \`${hostText}' not found`);
    const addr = len === 0 ? 0 : (a & maskOf(len)) >>> 0;
    return neg ? { cidr: { addr, len }, neg: true } : { cidr: { addr, len } };
  });
}

function parseProto(text: string, neg: boolean): Proto | undefined {
  const t = text.toLowerCase();
  if (t === 'all' || t === '0') {
    if (neg) throw paramProblem('rule would never match protocol');
    return undefined;
  }
  const byNum = Object.entries(PROTO_NUM).find(([, n]) => String(n) === t);
  if (byNum) return byNum[0] as Proto;
  if (t in PROTO_NUM) return t as Proto;
  if (/^\d+$/.test(t) && Number(t) <= 255) throw unsupported(`protocol ${t}`);
  throw paramProblem(`unknown protocol "${text}" specified`);
}

/** xtables_parse_port: a number 0-65535 or a service name of the protocol. */
function parsePort(text: string, proto: string): number {
  if (/^\d+$/.test(text) && Number(text) <= 65535) return Number(text);
  const s = servicePort(text, proto);
  if (s === undefined) throw paramProblem(`invalid port/service \`${text}' specified`);
  return s;
}

/** `a`, `a:b`, `:b`, `a:` as tcp/udp --sport/--dport take them. */
function parsePortRange(text: string, proto: string): [number, number | undefined] {
  const colon = text.indexOf(':');
  if (colon < 0) return [parsePort(text, proto), undefined];
  const lo = colon === 0 ? 0 : parsePort(text.slice(0, colon), proto);
  const hi = colon === text.length - 1 ? 65535 : parsePort(text.slice(colon + 1), proto);
  if (lo > hi) throw paramProblem('invalid portrange (min > max)');
  return lo === hi ? [lo, undefined] : [lo, hi];
}

/** A mark value or `value/mask` (decimal, hex or octal, 32 bits). */
function parseMark(text: string, name: string, option: string): [number, number | undefined] {
  const num = (t: string): number | undefined => {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
    const v = t.toLowerCase().startsWith('0x') ? parseInt(t, 16) : t.startsWith('0') && t.length > 1 ? parseInt(t, 8) : Number(t);
    return Number.isFinite(v) && v <= 0xffffffff ? v : undefined;
  };
  const [a, b] = text.split('/');
  const v = num(a!);
  const m = b === undefined ? undefined : num(b);
  if (v === undefined || (b !== undefined && m === undefined) || text.split('/').length > 2) throw paramProblem(`${name}: bad integer value for option "${option}", or out of range.\n`);
  return [v, m];
}

function parseIcmpType(text: string): { type: number; codeMin: number; codeMax: number } {
  const hits = ICMP_NAMES.filter(([n]) => n.toLowerCase().startsWith(text.toLowerCase()));
  const unique = hits.filter((h, i) => hits.findIndex((x) => x[1] === h[1] && x[2] === h[2] && x[3] === h[3]) === i);
  if (hits.length > 0) {
    const exact = hits.find(([n]) => n.toLowerCase() === text.toLowerCase());
    if (!exact && unique.length > 1) throw paramProblem(`Ambiguous ICMP type \`${text}': \`${unique[0]![0]}' or \`${unique[1]![0]}'?`);
    const [, type, codeMin, codeMax] = exact ?? hits[0]!;
    return { type, codeMin, codeMax };
  }
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  if (!m || Number(m[1]) > 255 || (m[2] !== undefined && Number(m[2]) > 255)) throw paramProblem(`Unknown ICMP type \`${text}'`);
  const type = Number(m[1]);
  return m[2] === undefined ? { type, codeMin: 0, codeMax: 0xff } : { type, codeMin: Number(m[2]), codeMax: Number(m[2]) };
}

function parseStates(text: string, match: 'conntrack' | 'state'): CtState[] {
  const out: CtState[] = [];
  for (const s of text.split(',')) {
    const u = s.toUpperCase() as CtState;
    if (!CT_STATES.includes(u) || (match === 'state' && (u === 'SNAT' || u === 'DNAT'))) throw paramProblem(match === 'conntrack' ? `Bad ctstate "${s}"` : `Bad state "${s}"`);
    out.push(u);
  }
  return out;
}

function parsePortList(text: string, proto: string): PortItem[] {
  const out: PortItem[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split(':');
    if (b !== undefined) {
      const lo = parsePort(a!, proto);
      const hi = parsePort(b, proto);
      if (lo > hi) throw paramProblem('invalid portrange specified');
      out.push([lo, hi]);
    } else out.push(parsePort(a!, proto));
  }
  if (out.reduce<number>((n, x) => n + (typeof x === 'number' ? 1 : 2), 0) > 15) throw paramProblem('too many ports specified');
  return out;
}

/** `ip[-ip][:port[-port]]` of --to-destination / --to-source. */
function parseNatTo(text: string, portOk: boolean): NatTo {
  const colon = text.indexOf(':');
  const addrText = colon >= 0 ? text.slice(0, colon) : text;
  const [a, b] = addrText.split('-');
  const ip = parseHost(a ?? '');
  if (ip === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(a!)) throw paramProblem(`Bad IP address "${a}"`);
  const to: NatTo = { ip };
  if (b !== undefined) {
    const ip2 = /^\d+\.\d+\.\d+\.\d+$/.test(b) ? parseHost(b) : undefined;
    if (ip2 === undefined) throw paramProblem(`Bad IP address "${b}"`);
    if (ip2 !== ip) to.ipTo = ip2;
  }
  if (colon >= 0) {
    const [lo, hi] = parseNatPorts(text.slice(colon + 1), portOk);
    to.port = lo;
    if (hi !== lo) to.portTo = hi;
  }
  return to;
}

function parseNatPorts(text: string, portOk: boolean): [number, number] {
  if (!portOk) throw paramProblem('Need TCP, UDP, SCTP or DCCP with port specification');
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m || Number(m[1]) > 65535) {
    if (text.includes(':')) throw paramProblem('Invalid port:port syntax - use dash');
    throw paramProblem(`Port \`${text.split('-')[0]}' not valid`);
  }
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (hi > 65535) throw paramProblem(`Port \`${m[2]}' not valid`);
  if (hi < lo) throw paramProblem(`Port range \`${m[2]}' funky`);
  return [lo, hi];
}

/** A match being built: its data and which of its options were given. */
interface Loaded {
  name: string;
  opts: Record<string, { value?: string; neg: boolean }>;
}

const MATCH_OPTIONS: Record<string, Record<string, 'required' | 'none'>> = {
  comment: { comment: 'required' },
  tcp: { sport: 'required', 'source-port': 'required', dport: 'required', 'destination-port': 'required', syn: 'none', 'tcp-flags': 'required', 'tcp-option': 'required' },
  udp: { sport: 'required', 'source-port': 'required', dport: 'required', 'destination-port': 'required' },
  icmp: { 'icmp-type': 'required' },
  conntrack: { ctstate: 'required', ctproto: 'required', ctorigsrc: 'required', ctorigdst: 'required', ctstatus: 'required' },
  state: { state: 'required' },
  mark: { mark: 'required' },
  addrtype: { 'src-type': 'required', 'dst-type': 'required', 'limit-iface-in': 'none', 'limit-iface-out': 'none' },
  statistic: { mode: 'required', probability: 'required', every: 'required', packet: 'required' },
  multiport: { sports: 'required', 'source-ports': 'required', dports: 'required', 'destination-ports': 'required', ports: 'required' },
  nfacct: { 'nfacct-name': 'required' },
};

const TARGET_OPTIONS: Record<string, Record<string, 'required' | 'none'>> = {
  REJECT: { 'reject-with': 'required' },
  DNAT: { 'to-destination': 'required', to: 'required', random: 'none', persistent: 'none' },
  SNAT: { 'to-source': 'required', to: 'required', random: 'none', 'random-fully': 'none', persistent: 'none' },
  MASQUERADE: { 'to-ports': 'required', random: 'none', 'random-fully': 'none' },
  REDIRECT: { 'to-ports': 'required', random: 'none' },
  MARK: { 'set-mark': 'required', 'set-xmark': 'required', 'and-mark': 'required', 'or-mark': 'required', 'xor-mark': 'required' },
  LOG: { 'log-prefix': 'required', 'log-level': 'required', 'log-tcp-sequence': 'none', 'log-tcp-options': 'none', 'log-ip-options': 'none', 'log-uid': 'none', 'log-macdecode': 'none' },
};

/** Parses an iptables command line (without argv[0]). */
export function parseIptables(args: string[]): ParseResult {
  let command: Command | undefined;
  let zero = false;
  let zeroNum = false;
  let deleteNum = false;
  let table: string = 'filter';
  let chain: string | undefined;
  let rulenum: number | undefined;
  let newName: string | undefined;
  let policy: string | undefined;
  const options = new Set<Opt>();
  let invert = false;
  const inv: Partial<Record<'s' | 'd' | 'p' | 'i' | 'o', boolean>> = {};
  let src: string | undefined;
  let dst: string | undefined;
  let proto: Proto | undefined;
  let protoGiven = false;
  let inIf: string | undefined;
  let outIf: string | undefined;
  let jump: { name: string; goto: boolean } | undefined;
  let target: Loaded | undefined;
  const matches: Loaded[] = [];
  let counters: [number, number] | undefined;
  let i = 0;

  const setCommand = (c: Command, allowed: Command[] = []): void => {
    if (invert) throw paramProblem("unexpected '!' flag");
    if (command && !allowed.includes(command)) throw paramProblem(`Cannot use -${c} with -${command}`);
    if (command) {
      // -L -Z / -S -Z: list, then zero.
      zero = true;
      if (c === 'Z') return;
    }
    command = c;
  };
  const hasArg = (): boolean => i < args.length && !args[i]!.startsWith('-') && !args[i]!.startsWith('!');
  const ruleNumber = (text: string): number => {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 2147483647) throw paramProblem(`Invalid rule number \`${text}'`);
    return Number(text);
  };
  const setOption = (o: Opt, name: string): void => {
    if (options.has(o)) throw paramProblem(`multiple -${o} flags not allowed`);
    options.add(o);
    if (invert) {
      if (!['s', 'd', 'p', 'i', 'o', 'f'].includes(o)) throw paramProblem(`cannot have ! before -${o}`);
      inv[o as 's'] = true;
    }
    void name;
  };
  const validChainName = (name: string): void => {
    if (name.length >= 29) throw paramProblem(`chain name \`${name}' too long (must be under 29 chars)`);
    if (name.startsWith('-') || name.startsWith('!')) throw paramProblem(`chain name not allowed to start with \`${name[0]}'`);
    if (TARGETS.includes(name)) throw paramProblem('chain name may not clash with target name');
    if (/\s/.test(name)) throw paramProblem(`Invalid chain name \`${name}'`);
  };

  /** An option of a loaded match or target, or of the protocol's match (loaded on first use). */
  const extensionOption = (name: string, value: () => string | undefined, word: string): boolean => {
    const give = (l: Loaded, kind: 'required' | 'none'): void => {
      const v = kind === 'required' ? value() : undefined;
      if (kind === 'required' && v === undefined) throw paramProblem(`option "${word}" requires an argument`);
      const old = l.name === 'tcp' || l.name === 'udp';
      if (old && (name === 'syn' || name === 'tcp-flags') && (l.opts.syn || l.opts['tcp-flags'])) throw paramProblem("Only one of `--syn' or `--tcp-flags'  allowed");
      if (name === 'tcp-flags') {
        // Two arguments: the flags to look at, and those of them that must be set.
        const comp = args[i];
        if (comp === undefined || comp.startsWith('-') || comp.startsWith('!')) throw paramProblem('--tcp-flags requires two args.');
        i++;
        l.opts['tcp-flags'] = { value: `${v} ${comp}`, neg: invert };
        return;
      }
      const canon = old ? (name === 'source-port' ? 'sport' : name === 'destination-port' ? 'dport' : name) : name;
      if (l.opts[canon]) {
        if (old && canon === 'sport') throw paramProblem("Only one `--source-port' allowed");
        if (old && canon === 'dport') throw paramProblem("Only one `--destination-port' allowed");
        throw paramProblem(`${l.name}: option "--${name}" can only be used once.\n`);
      }
      if (invert && (l === target || l.name === 'comment' || l.name === 'statistic')) throw paramProblem(`${l.name}: option "--${name}" cannot be inverted.\n`);
      l.opts[canon] = { value: v, neg: invert };
    };
    if (target) {
      const kind = TARGET_OPTIONS[target.name]?.[name];
      if (kind) {
        give(target, kind);
        return true;
      }
    }
    for (const m of matches) {
      const kind = MATCH_OPTIONS[m.name]?.[name];
      if (kind) {
        give(m, kind);
        return true;
      }
    }
    // load_proto: the protocol's own match, once.
    if (proto && (proto === 'tcp' || proto === 'udp' || proto === 'icmp') && !matches.some((m) => m.name === proto)) {
      const kind = MATCH_OPTIONS[proto]?.[name];
      if (kind) {
        const m: Loaded = { name: proto, opts: {} };
        matches.push(m);
        give(m, kind);
        return true;
      }
    }
    return false;
  };

  const apply = (c: string, arg: string | undefined, word: string, takeNext: () => string | undefined): void => {
    switch (c) {
      case 'A':
      case 'C':
        setCommand(c);
        chain = arg;
        return;
      case 'D':
        setCommand('D');
        chain = arg;
        if (hasArg()) {
          rulenum = ruleNumber(args[i++]!);
          deleteNum = true;
        }
        return;
      case 'R':
        setCommand('R');
        chain = arg;
        if (!hasArg()) throw paramProblem('-R requires a rule number');
        rulenum = ruleNumber(args[i++]!);
        return;
      case 'I':
        setCommand('I');
        chain = arg;
        rulenum = hasArg() ? ruleNumber(args[i++]!) : 1;
        return;
      case 'L':
      case 'S':
        setCommand(c, ['Z']);
        if (arg !== undefined) chain = arg;
        else if (hasArg()) chain = args[i++];
        if (hasArg()) rulenum = ruleNumber(args[i++]!);
        return;
      case 'F':
        setCommand('F');
        if (arg !== undefined) chain = arg;
        else if (hasArg()) chain = args[i++];
        return;
      case 'Z':
        setCommand('Z', ['L', 'S']);
        if (arg !== undefined) chain = arg;
        else if (hasArg()) chain = args[i++];
        if (hasArg()) {
          rulenum = ruleNumber(args[i++]!);
          zeroNum = true;
        }
        return;
      case 'N':
        validChainName(arg!);
        setCommand('N');
        chain = arg;
        return;
      case 'X':
        setCommand('X');
        if (arg !== undefined) chain = arg;
        else if (hasArg()) chain = args[i++];
        return;
      case 'E':
        setCommand('E');
        chain = arg;
        if (!hasArg()) throw paramProblem('-E requires old-chain-name and new-chain-name');
        newName = args[i++];
        validChainName(newName!);
        return;
      case 'P':
        setCommand('P');
        chain = arg;
        if (!hasArg()) throw paramProblem('-P requires a chain and a policy');
        policy = args[i++];
        return;
      case 'h':
        throw new HelpRequest();
      case 'V':
        throw new VersionRequest();
      case 'p':
        setOption('p', '--protocol');
        protoGiven = true;
        proto = parseProto(arg!, !!inv.p);
        return;
      case 's':
        setOption('s', '--source');
        src = arg;
        return;
      case 'd':
        setOption('d', '--destination');
        dst = arg;
        return;
      case 'i':
      case 'o':
        if (arg === '') throw paramProblem(`Empty interface is likely to be undesired`);
        setOption(c, c === 'i' ? '--in-interface' : '--out-interface');
        if (arg!.length >= 16) throw paramProblem(`interface name \`${arg}' must be shorter than 16 characters`);
        if (c === 'i') inIf = arg;
        else outIf = arg;
        return;
      case 'j':
      case 'g':
        setOption('j', '--jump');
        jump = { name: arg!, goto: c === 'g' };
        if (c === 'j' && TARGET_OPTIONS[arg!]) target = { name: arg!, opts: {} };
        else if (c === 'j' && UNSUPPORTED_TARGETS.includes(arg!)) throw unsupported(`the ${arg} target`);
        return;
      case 'm': {
        if (invert) throw paramProblem('unexpected ! flag before --match');
        const name = arg!;
        if (MATCHES.includes(name)) {
          if (!matches.some((m) => m.name === name) || name === 'comment') matches.push({ name, opts: {} });
        } else if (OTHER_MATCHES.includes(name)) throw unsupported(`the ${name} match`);
        else throw paramProblem(`Couldn't load match \`${name}':No such file or directory\n`);
        return;
      }
      case 'n':
      case 'v':
      case 'x':
      case '0':
      case 'f':
        if (c === 'v' && options.has('v')) return;
        setOption(c, word);
        return;
      case 't':
        if (invert) throw paramProblem('unexpected ! flag before --table');
        table = arg!;
        return;
      case 'c': {
        setOption('c', '--set-counters');
        let bytes = arg!.includes(',') ? arg!.slice(arg!.indexOf(',') + 1) : undefined;
        const pk = arg!.includes(',') ? arg!.slice(0, arg!.indexOf(',')) : arg!;
        if (bytes === undefined && hasArg()) bytes = takeNext();
        if (bytes === undefined) throw paramProblem('-c requires packet and byte counter');
        if (!/^\d+/.test(pk)) throw paramProblem('-c packet counter not numeric');
        if (!/^\d+/.test(bytes)) throw paramProblem('-c byte counter not numeric');
        counters = [parseInt(pk, 10), parseInt(bytes, 10)];
        return;
      }
      case 'w':
      case 'W':
        if (arg === undefined && hasArg() && /^\d/.test(args[i]!)) i++;
        return;
      case 'M':
      case '4':
      case 'b':
        return;
      case '6':
        throw new IptablesError(TRY_HELP, 2);
    }
  };

  try {
    while (i < args.length) {
      const word = args[i++]!;
      if (word === '!') {
        if (invert) throw paramProblem('multiple consecutive ! not allowed');
        invert = true;
        continue;
      }
      if (word.startsWith('--') && word.length > 2) {
        const eq = word.indexOf('=');
        const name = eq >= 0 ? word.slice(2, eq) : word.slice(2);
        const inline = eq >= 0 ? word.slice(eq + 1) : undefined;
        const next = (): string | undefined => (inline !== undefined ? inline : i < args.length ? args[i++] : undefined);
        // Extension options first when they are spelled out in full (the tables are merged).
        if (extensionOption(name, next, word)) {
          invert = false;
          continue;
        }
        const hits = Object.keys(LONG).filter((k) => k.startsWith(name));
        const exact = LONG[name] ? name : hits.length === 1 ? hits[0] : undefined;
        if (!exact) throw paramProblem(`unknown option "${word}"`);
        const def = LONG[exact]!;
        let arg: string | undefined;
        if (def.arg === 'required') {
          arg = next();
          if (arg === undefined) throw paramProblem(`option "${word}" requires an argument`);
        } else if (def.arg === 'optional') arg = inline;
        apply(def.c, arg, word, next);
        invert = false;
        continue;
      }
      if (word.startsWith('-') && word.length > 1) {
        for (let j = 1; j < word.length; j++) {
          const c = word[j]!;
          const kind = SHORT[c];
          if (!kind) throw paramProblem(`unknown option "-${c}"`);
          let arg: string | undefined;
          if (kind === 'required') {
            if (j < word.length - 1) arg = word.slice(j + 1);
            else if (i < args.length) arg = args[i++];
            else throw paramProblem(`option "${word}" requires an argument`);
            j = word.length;
          } else if (kind === 'optional' && j < word.length - 1) {
            arg = word.slice(j + 1);
            j = word.length;
          }
          apply(c, arg, `-${c}`, () => (i < args.length ? args[i++] : undefined));
          invert = false;
        }
        continue;
      }
      throw new IptablesError(`Bad argument \`${word}'\n${TRY_HELP}`, 2);
    }
  } catch (e) {
    if (e instanceof HelpRequest) return { help: true };
    if (e instanceof VersionRequest) return { version: true };
    throw e;
  }

  if (table === 'nat' && (policy === 'DROP' || (jump && jump.name === 'DROP'))) throw paramProblem('\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n');

  for (const m of matches) {
    if (m.name === 'tcp' && proto !== 'tcp') throw paramProblem("TCP match requires '-p tcp'");
    if (m.name === 'udp' && proto !== 'udp') throw paramProblem("UDP match requires '-p udp'");
    if (m.name === 'icmp' && proto !== 'icmp') throw paramProblem("ICMP match requires '-p icmp'");
  }
  // The extensions' final checks (mfcall/tfcall) run before the command checks.
  const built: Match[] = matches.map((m) => finishMatch(m, proto, !!inv.p));
  const tg = jump ? finishTarget(jump, target, proto) : ({ t: 'none' } as Target);

  if (!command) throw paramProblem('no command specified');
  if (invert) throw paramProblem('nothing appropriate following !');
  if (command === 'R' && ((src ?? '').includes(',') || (dst ?? '').includes(','))) throw paramProblem('Replacement rule does not specify a unique address');
  const key = command === 'D' && deleteNum ? 'DN' : command === 'Z' && zeroNum ? 'ZN' : command;
  const keys = zero && (command === 'L' || command === 'S') ? [key, zeroNum ? 'ZN' : 'Z'] : [key];
  for (const [k, o] of OPT_ORDER.entries()) {
    if (!options.has(o)) continue;
    const legal = keys.some((c) => ILLEGAL[c]![k] !== 'x');
    if (!legal) throw paramProblem(`Illegal option \`-${o}' with this command`);
  }
  if (['A', 'D', 'C', 'I', 'R'].includes(command) && chain !== undefined) {
    if ((chain === 'PREROUTING' || chain === 'INPUT') && outIf !== undefined) throw paramProblem(`Can't use -o with ${chain}\n`);
    if ((chain === 'POSTROUTING' || chain === 'OUTPUT') && inIf !== undefined) throw paramProblem(`Can't use -i with ${chain}\n`);
  }
  if (!['filter', 'nat', 'mangle', 'raw', 'security'].includes(table)) throw new IptablesError(`${IPT_PROG}: table '${table}' does not exist\nPerhaps iptables or your kernel needs to be upgraded.`, 3);
  if (table === 'security') throw unsupported('the security table');

  const rules: Rule[] = [];
  if (['A', 'C', 'D', 'I', 'R'].includes(command) && !deleteNum) {
    const srcs: (AddrMatch | undefined)[] = src !== undefined ? parseAddresses(src, !!inv.s) : [undefined];
    const dsts: (AddrMatch | undefined)[] = dst !== undefined ? parseAddresses(dst, !!inv.d) : [undefined];
    for (const s of srcs) {
      for (const d of dsts) {
        const r: Rule = { matches: built.map((m) => clone(m)), target: clone(tg) };
        if (s && s.cidr.len > 0) r.src = s;
        else if (s?.neg) r.src = s;
        if (d && d.cidr.len > 0) r.dst = d;
        else if (d?.neg) r.dst = d;
        if (inIf !== undefined && inIf !== '+') {
          r.in = inIf;
          if (inv.i) r.inNeg = true;
        }
        if (outIf !== undefined && outIf !== '+') {
          r.out = outIf;
          if (inv.o) r.outNeg = true;
        }
        if (proto) {
          r.proto = proto;
          if (inv.p) r.protoNeg = true;
        }
        if (counters) {
          r.pkts = counters[0];
          r.bytes = counters[1];
        }
        rules.push(orderRule(r));
      }
    }
  }
  void protoGiven;
  const out: ParsedCommand = {
    command,
    zero,
    table: table as TableName,
    rules,
    numeric: options.has('n'),
    verbose: options.has('v'),
    exact: options.has('x'),
    lineNumbers: options.has('0'),
  };
  if (chain !== undefined) out.chain = chain;
  if (rulenum !== undefined) out.rulenum = rulenum;
  if (newName !== undefined) out.newName = newName;
  if (policy !== undefined) out.policy = policy;
  if (counters) out.counters = counters;
  if (command === 'D' && !deleteNum && jump === undefined && rules.length === 0) out.rules = [];
  return out;
}

/** The property order of a rule as the save format prints it (stable for equality by text). */
function orderRule(r: Rule): Rule {
  const o: Rule = {} as Rule;
  for (const k of ['src', 'dst', 'in', 'out', 'inNeg', 'outNeg', 'proto', 'protoNeg', 'matches', 'target', 'pkts', 'bytes'] as const) if (r[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = r[k];
  return o;
}

class HelpRequest extends Error {}
class VersionRequest extends Error {}

function finishMatch(l: Loaded, proto: Proto | undefined, protoNeg: boolean): Match {
  const o = l.opts;
  const v = (k: string): string | undefined => o[k]?.value;
  switch (l.name) {
    case 'comment':
      if (v('comment') === undefined) throw paramProblem('comment: option "--comment" must be specified\n');
      if (v('comment')!.length > 255) throw paramProblem(`comment: option "--comment" must not be longer than 255 characters\n`);
      return { m: 'comment', text: v('comment')! };
    case 'tcp':
    case 'udp': {
      if (o['tcp-option']) throw unsupported('matching TCP options');
      const flagBits = (text: string): number => {
        let bits = 0;
        for (const f of text.split(',')) {
          const u = f.toUpperCase();
          const i = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'].indexOf(u);
          if (u === 'ALL') bits |= 0x3f;
          else if (u === 'NONE') continue;
          else if (i < 0) throw paramProblem(`Unknown TCP flag \`${f}'`);
          else bits |= 1 << i;
        }
        return bits;
      };
      const m: Extract<Match, { m: 'tcp' | 'udp' | 'sctp' }> = { m: l.name };
      const sp = o.sport ?? o['source-port'];
      const dp = o.dport ?? o['destination-port'];
      if (sp) {
        const [lo, hi] = parsePortRange(sp.value!, l.name);
        m.sport = lo;
        if (hi !== undefined) m.sportTo = hi;
        if (sp.neg) m.sportNeg = true;
      }
      if (dp) {
        const [lo, hi] = parsePortRange(dp.value!, l.name);
        m.dport = lo;
        if (hi !== undefined) m.dportTo = hi;
        if (dp.neg) m.dportNeg = true;
      }
      if (o.syn) m.flags = { mask: 0x17, comp: 0x02, ...(o.syn.neg ? { neg: true } : {}) };
      const tf = o['tcp-flags'];
      if (tf) {
        const [mask, comp] = tf.value!.split(' ');
        m.flags = { mask: flagBits(mask!), comp: flagBits(comp!), ...(tf.neg ? { neg: true } : {}) };
      }
      return m;
    }
    case 'icmp': {
      const t = o['icmp-type'];
      const parsed = t ? parseIcmpType(t.value!) : { type: 0xff, codeMin: 0, codeMax: 0xff };
      return { m: 'icmp', ...parsed, ...(t?.neg ? { neg: true } : {}) };
    }
    case 'conntrack': {
      if (o.ctproto || o.ctorigsrc || o.ctorigdst || o.ctstatus) throw unsupported('this conntrack match option');
      if (!o.ctstate) throw paramProblem('conntrack: At least one option is required');
      return { m: 'conntrack', ctstate: parseStates(o.ctstate.value!, 'conntrack'), ...(o.ctstate.neg ? { neg: true } : {}) };
    }
    case 'state':
      if (!o.state) throw paramProblem('state match: You must specify "--state"');
      return { m: 'state', states: parseStates(o.state.value!, 'state'), ...(o.state.neg ? { neg: true } : {}) };
    case 'mark': {
      if (!o.mark) throw paramProblem('mark: option "--mark" must be specified\n');
      const [mark, mask] = parseMark(o.mark.value!, 'mark', '--mark');
      return { m: 'mark', mark, mask: mask ?? 0xffffffff, ...(o.mark.neg ? { neg: true } : {}) };
    }
    case 'addrtype': {
      const type = (k: string): 'LOCAL' | undefined => {
        const t = v(k);
        if (t === undefined) return undefined;
        const u = t.toUpperCase();
        if (u === 'LOCAL') return 'LOCAL';
        if (['UNSPEC', 'UNICAST', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'].includes(u)) throw unsupported(`address type ${u}`);
        throw paramProblem(`addrtype: bad type "${t}"`);
      };
      const s = type('src-type');
      const d = type('dst-type');
      if (!s && !d) throw paramProblem('addrtype: you must specify --src-type or --dst-type');
      const m: Extract<Match, { m: 'addrtype' }> = { m: 'addrtype' };
      if (s) m.srcType = s;
      if (d) m.dstType = d;
      if (d && o['dst-type']!.neg) m.neg = true;
      if (s && o['src-type']!.neg) {
        if (d) m.srcNeg = true;
        else m.neg = true;
      }
      return m;
    }
    case 'statistic': {
      const mode = v('mode');
      if (mode !== undefined && mode !== 'random' && mode !== 'nth') throw paramProblem(`Bad mode "${mode}"`);
      if (mode === 'nth' || o.every || o.packet) throw unsupported('statistic --mode nth');
      const p = v('probability');
      if (p !== undefined && (!/^(\d+(\.\d*)?|\.\d+)$/.test(p) || Number(p) > 1)) throw paramProblem('statistic: bad value for option "--probability", or out of range (0-1).\n');
      if (mode === undefined && p === undefined) throw paramProblem('no mode specified');
      if (p === undefined) throw paramProblem('--probability must be specified when using random mode');
      if (mode === undefined) throw paramProblem('no mode specified');
      return { m: 'statistic', mode: 'random', probability: p };
    }
    case 'nfacct':
      if (!o['nfacct-name']) throw paramProblem('nfacct: option "--nfacct-name" must be specified\n');
      return { m: 'nfacct', name: o['nfacct-name'].value! };
    case 'multiport': {
      if (protoNeg) throw paramProblem('multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
      if (!proto) throw paramProblem("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
      if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp' && proto !== 'udplite') throw paramProblem('multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
      const given = Object.keys(o);
      if (given.length === 0) throw paramProblem('multiport expection an option');
      const canon = (k: string): string => (k === 'sports' ? 'source-ports' : k === 'dports' ? 'destination-ports' : k);
      const order = ['source-ports', 'destination-ports', 'ports'].filter((k) => given.some((g) => canon(g) === k));
      if (order.length > 1) throw paramProblem(`multiport: option "--${order[0]}" cannot be used together with "--${order[1]}".\n`);
      const k = given[0]!;
      const list = parsePortList(o[k]!.value!, proto);
      const m: Extract<Match, { m: 'multiport' }> = { m: 'multiport' };
      if (k === 'ports') m.ports = list;
      else if (k === 'sports' || k === 'source-ports') m.sports = list;
      else m.dports = list;
      if (o[k]!.neg) m.neg = true;
      return m;
    }
  }
  throw paramProblem(`Couldn't load match \`${l.name}':No such file or directory\n`);
}

function finishTarget(jump: { name: string; goto: boolean }, l: Loaded | undefined, proto: Proto | undefined): Target {
  if (jump.goto) return { t: 'goto', chain: jump.name };
  const name = jump.name;
  if (name === 'ACCEPT' || name === 'DROP' || name === 'RETURN') return { t: name };
  if (!l) return { t: 'jump', chain: name };
  const o = l.opts;
  const v = (k: string): string | undefined => o[k]?.value;
  const portOk = proto === 'tcp' || proto === 'udp' || proto === 'sctp';
  switch (name) {
    case 'REJECT': {
      const w = v('reject-with');
      if (w === undefined) return { t: 'REJECT', with: 'icmp-port-unreachable' };
      const hit = REJECT_NAMES.find(([n, a]) => n.toLowerCase().startsWith(w.toLowerCase()) || a.toLowerCase().startsWith(w.toLowerCase()));
      if (!hit || w === '') throw paramProblem(`unknown reject type "${w}"`);
      return { t: 'REJECT', with: hit[0] };
    }
    case 'DNAT': {
      const to = v('to-destination') ?? v('to');
      if (to === undefined) throw paramProblem('DNAT: option "--to-destination" must be specified\n');
      return { t: 'DNAT', to: parseNatTo(to, portOk) };
    }
    case 'SNAT': {
      const to = v('to-source') ?? v('to');
      if (to === undefined) throw paramProblem('SNAT: option "--to-source" must be specified\n');
      const t: Extract<Target, { t: 'SNAT' }> = { t: 'SNAT', to: parseNatTo(to, portOk) };
      if (o.random) t.random = true;
      if (o['random-fully']) t.randomFully = true;
      if (o.persistent) t.persistent = true;
      return t;
    }
    case 'MASQUERADE': {
      const t: Extract<Target, { t: 'MASQUERADE' }> = { t: 'MASQUERADE' };
      const p = v('to-ports');
      if (p !== undefined) t.ports = parseNatPorts(p, portOk);
      if (o.random) t.random = true;
      if (o['random-fully']) t.randomFully = true;
      return t;
    }
    case 'REDIRECT': {
      const t: Extract<Target, { t: 'REDIRECT' }> = { t: 'REDIRECT' };
      const p = v('to-ports');
      if (p !== undefined) t.ports = parseNatPorts(p, portOk);
      if (o.random) t.random = true;
      return t;
    }
    case 'MARK': {
      const given = Object.keys(o);
      if (given.length === 0) throw paramProblem('MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required');
      const order = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'].filter((k) => given.includes(k));
      if (order.length > 1) throw paramProblem(`MARK: option "--${order[0]}" cannot be used together with "--${order[1]}".\n`);
      const k = given[0]!;
      const [val, mask] = parseMark(o[k]!.value!, 'MARK', `--${k}`);
      if (k !== 'set-xmark' && k !== 'set-mark' && mask !== undefined) throw paramProblem(`MARK: bad integer value for option "--${k}", or out of range.\n`);
      switch (k) {
        case 'set-xmark':
          return { t: 'MARK', value: val, mask: mask ?? 0xffffffff };
        case 'set-mark':
          return { t: 'MARK', value: val, mask: ((mask ?? 0xffffffff) | val) >>> 0 };
        case 'and-mark':
          return { t: 'MARK', value: 0, mask: ~val >>> 0 };
        case 'or-mark':
          return { t: 'MARK', value: val, mask: val };
        default:
          return { t: 'MARK', value: val, mask: 0 };
      }
    }
    case 'LOG': {
      if (o['log-tcp-sequence'] || o['log-tcp-options'] || o['log-ip-options'] || o['log-uid'] || o['log-macdecode']) throw unsupported('LOG flags');
      const t: Extract<Target, { t: 'LOG' }> = { t: 'LOG' };
      const prefix = v('log-prefix');
      if (prefix !== undefined) {
        if (prefix.includes('\n')) throw paramProblem('Newlines not allowed in --log-prefix');
        // The kernel's prefix holds 29 characters; xtables cuts a longer one.
        t.prefix = prefix.slice(0, 29);
      }
      const level = v('log-level');
      if (level !== undefined) {
        const n = /^[0-7]$/.test(level) ? Number(level) : LOG_LEVELS[level];
        if (n === undefined) throw paramProblem(`log level "${level}" unknown\n`);
        if (n !== 4) t.level = n;
      }
      return t;
    }
  }
  return { t: 'jump', chain: name };
}

// ------------------------------------------------------------------------------ applying

/** Where a command applies: a namespace's own tables, over an optional shared layer. */
export interface NetfilterPlace {
  own: Netfilter;
  shared?: Netfilter;
}

export interface ApplyResult {
  /** Chains written (`table chain`), kube-proxy's or the namespace's own. */
  written: string[];
  /** Chains removed. */
  deleted: string[];
}

/** The view a namespace's commands see. */
export function viewOf(place: NetfilterPlace): Netfilter {
  return place.shared ? layered(place.own, place.shared) : place.own;
}

function ownTable(place: NetfilterPlace, table: TableName): Table {
  if (table === 'mangle' || table === 'raw') return (place.own[table] ??= emptyTable(table));
  return place.own[table];
}

/**
 * The chain to change, made the namespace's own first if it is seen through the shared layer
 * (copy-on-write, with the counters this namespace had for it). Undefined: no such chain.
 */
function writableChain(place: NetfilterPlace, table: TableName, name: string): Chain | undefined {
  const own = ownTable(place, table);
  if (Object.prototype.hasOwnProperty.call(own.chains, name)) return own.chains[name] ?? undefined;
  const shared = place.shared && (table === 'nat' || table === 'filter') ? place.shared[table].chains[name] : undefined;
  if (!shared) return undefined;
  const rec = place.own.shared?.[`${table} ${name}`];
  const copy: Chain = {
    ...(shared.policy ? { policy: shared.policy } : {}),
    rules: shared.rules.map((r, i) => {
      const c = clone(r);
      delete c.pkts;
      delete c.bytes;
      const n = rec?.[i];
      if (n) [c.pkts, c.bytes] = n;
      return c;
    }),
  };
  if (rec) delete place.own.shared![`${table} ${name}`];
  own.chains[name] = copy;
  invalidateLayers(place.own);
  return copy;
}

/** Removes a chain from the namespace's view (hiding the shared one where there is one). */
function removeChain(place: NetfilterPlace, table: TableName, name: string): void {
  const own = ownTable(place, table);
  const inShared = place.shared && (table === 'nat' || table === 'filter') && place.shared[table].chains[name];
  if (inShared) (own.chains as Record<string, Chain | null>)[name] = null;
  else delete own.chains[name];
  if (place.own.shared) delete place.own.shared[`${table} ${name}`];
  invalidateLayers(place.own);
}

function referencesTo(t: Table, name: string): number {
  let n = 0;
  for (const c in t.chains) {
    const ch = t.chains[c];
    if (!ch) continue;
    for (const r of ch.rules) if ((r.target.t === 'jump' || r.target.t === 'goto') && r.target.chain === name) n++;
  }
  return n;
}

/** Where the kernel accepts a target (its xt_target hooks and table), per built-in chain. */
function targetAllowed(table: TableName, hook: string, t: Target): boolean {
  switch (t.t) {
    case 'REJECT':
      return table === 'filter';
    case 'DNAT':
      return table === 'nat' && (hook === 'PREROUTING' || hook === 'OUTPUT');
    case 'SNAT':
      return table === 'nat' && (hook === 'POSTROUTING' || hook === 'INPUT');
    case 'MASQUERADE':
      return table === 'nat' && hook === 'POSTROUTING';
    case 'REDIRECT':
      return table === 'nat' && (hook === 'PREROUTING' || hook === 'OUTPUT');
    default:
      return true;
  }
}

/** True when every rule reachable from every hook has a target the kernel accepts there. */
function hooksValid(t: Table, table: TableName): boolean {
  for (const b of BUILTIN[table]) {
    const seen = new Set<string>();
    const stack = [b];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      for (const r of t.chains[c]?.rules ?? []) {
        if (!targetAllowed(table, b, r.target)) return false;
        if (r.target.t === 'jump' || r.target.t === 'goto') stack.push(r.target.chain);
      }
    }
  }
  return true;
}

/** A rule as text for comparisons (-D and -C by specification). */
function ruleKey(r: Rule): string {
  return formatRule('', r);
}

/**
 * Applies a parsed write command to the namespace's tables. Listing commands (-L, -S) are the
 * shell's; here they only check that the chain exists. Throws IptablesError as iptables fails.
 */
export function applyIptables(place: NetfilterPlace, cmd: ParsedCommand): ApplyResult {
  // A command is one nf_tables batch: it applies whole or not at all.
  const backup = clone(place.own);
  try {
    return applyBatch(place, cmd);
  } catch (e) {
    const own = place.own as unknown as Record<string, unknown>;
    for (const k of Object.keys(own)) delete own[k];
    Object.assign(own, backup);
    invalidateLayers(place.own);
    throw e;
  }
}

function applyBatch(place: NetfilterPlace, cmd: ParsedCommand): ApplyResult {
  const res: ApplyResult = { written: [], deleted: [] };
  const table = cmd.table;
  const view = (): Table => tableOf(viewOf(place), table);
  const exists = (name: string): boolean => !!view().chains[name];
  const builtin = (name: string): boolean => BUILTIN[table].includes(name);
  const chain = cmd.chain;
  const mark = (name: string): void => {
    res.written.push(`${table} ${name}`);
  };
  // Rules that jump to a chain need it to exist (assert_chain_exists, before the rule is placed).
  for (const r of cmd.rules) {
    if ((r.target.t === 'jump' || r.target.t === 'goto') && !exists(r.target.chain)) throw paramProblem(`Chain '${r.target.chain}' does not exist`);
  }
  const place1 = (name: string, op: 'RULE_APPEND' | 'RULE_INSERT' | 'RULE_REPLACE', fn: (c: Chain) => () => void): void => {
    const c = writableChain(place, table, name);
    if (!c) throw NO_CHAIN();
    // REJECT --reject-with tcp-reset only for TCP (the kernel's reject_tg_check); a negated
    // 0.0.0.0/0 can never match and nf_tables refuses it.
    for (const r of cmd.rules) {
      if (r.target.t === 'REJECT' && r.target.with === 'tcp-reset' && (r.proto !== 'tcp' || r.protoNeg)) throw commitError(op, 'Invalid argument', name, true);
      if ((r.src?.neg && r.src.cidr.len === 0) || (r.dst?.neg && r.dst.cidr.len === 0)) throw commitError(op, 'Invalid argument', name, true);
    }
    const undo = fn(c);
    if (!hooksValid(view(), table)) {
      undo();
      throw commitError(op, 'Invalid argument', name, true);
    }
    mark(name);
  };
  switch (cmd.command) {
    case 'A':
      for (const r of cmd.rules) {
        if (!exists(chain!)) throw NO_CHAIN();
        place1(chain!, 'RULE_APPEND', (c) => {
          c.rules.push(r);
          return () => c.rules.pop();
        });
      }
      return res;
    case 'I': {
      // Each address's rule goes in at the same position, so the last ends up first.
      const pos = cmd.rulenum! - 1;
      for (const r of cmd.rules) {
        if (!exists(chain!)) throw NO_CHAIN();
        if (pos > view().chains[chain!]!.rules.length) throw opError('Index of insertion too big');
        place1(chain!, 'RULE_INSERT', (c) => {
          c.rules.splice(pos, 0, r);
          return () => c.rules.splice(pos, 1);
        });
      }
      return res;
    }
    case 'R': {
      if (!exists(chain!)) throw NO_CHAIN();
      const at = cmd.rulenum! - 1;
      if (at >= view().chains[chain!]!.rules.length) throw opError('Index of replacement too big');
      place1(chain!, 'RULE_REPLACE', (c) => {
        const old = c.rules[at]!;
        c.rules[at] = cmd.rules[0]!;
        return () => (c.rules[at] = old);
      });
      return res;
    }
    case 'D': {
      if (!exists(chain!)) throw NO_CHAIN();
      if (cmd.rulenum !== undefined) {
        if (cmd.rulenum > view().chains[chain!]!.rules.length) throw opError('Index of deletion too big');
        writableChain(place, table, chain!)!.rules.splice(cmd.rulenum - 1, 1);
        mark(chain!);
        return res;
      }
      for (const r of cmd.rules) {
        const key = ruleKey(r);
        const at = view().chains[chain!]!.rules.findIndex((x) => ruleKey(x) === key);
        if (at < 0) throw opError('Bad rule (does a matching rule exist in that chain?)');
        writableChain(place, table, chain!)!.rules.splice(at, 1);
      }
      mark(chain!);
      return res;
    }
    case 'C': {
      if (!exists(chain!)) throw opError('Bad rule (does a matching rule exist in that chain?)');
      for (const r of cmd.rules) {
        const key = ruleKey(r);
        if (!view().chains[chain!]!.rules.some((x) => ruleKey(x) === key)) throw opError('Bad rule (does a matching rule exist in that chain?)');
      }
      return res;
    }
    case 'F': {
      const names = chain !== undefined ? [chain] : chainNames(view(), table);
      if (chain !== undefined && !exists(chain)) throw NO_CHAIN();
      for (const n of names) {
        if (view().chains[n]!.rules.length === 0) continue;
        writableChain(place, table, n)!.rules = [];
        mark(n);
      }
      return res;
    }
    case 'Z': {
      if (chain !== undefined && !exists(chain)) throw NO_CHAIN();
      const names = chain !== undefined ? [chain] : chainNames(view(), table);
      if (cmd.rulenum !== undefined && cmd.rulenum > view().chains[chain!]!.rules.length) throw opError('Index of counter too big');
      for (const n of names) zeroChain(place, table, n, cmd.rulenum);
      return res;
    }
    case 'N': {
      if (exists(chain!) || builtin(chain!)) throw opError('Chain already exists');
      ownTable(place, table).chains[chain!] = { rules: [] };
      invalidateLayers(place.own);
      mark(chain!);
      return res;
    }
    case 'X': {
      const t = view();
      if (chain !== undefined) {
        if (!exists(chain)) throw NO_CHAIN();
        const c = t.chains[chain]!;
        if (builtin(chain)) {
          if (c.rules.length > 0 || c.policy === 'DROP') throw opError('Directory not empty');
          return res;
        }
        if (c.rules.length > 0 || referencesTo(t, chain) > 0) throw commitError('CHAIN_DEL', 'Device or resource busy', chain, false);
        removeChain(place, table, chain);
        res.deleted.push(`${table} ${chain}`);
        return res;
      }
      const user = chainNames(t, table).filter((n) => !builtin(n));
      for (const n of user) if (t.chains[n]!.rules.length > 0 || referencesTo(t, n) > 0) throw commitError('CHAIN_DEL', 'Device or resource busy', n, false);
      for (const n of user) {
        removeChain(place, table, n);
        res.deleted.push(`${table} ${n}`);
      }
      return res;
    }
    case 'E': {
      const t = view();
      if (exists(cmd.newName!) || builtin(cmd.newName!)) throw opError('File exists');
      if (!exists(chain!)) throw NO_CHAIN();
      if (builtin(chain!)) throw commitError('CHAIN_RENAME', 'Operation not supported', chain!, false);
      const c = writableChain(place, table, chain!)!;
      removeChain(place, table, chain!);
      ownTable(place, table).chains[cmd.newName!] = c;
      // Rules that jumped to the old name now name the new one (the kernel refers by handle).
      for (const n of chainNames(tableOf(viewOf(place), table), table)) {
        const rules = tableOf(viewOf(place), table).chains[n]!.rules;
        if (!rules.some((r) => (r.target.t === 'jump' || r.target.t === 'goto') && r.target.chain === chain)) continue;
        for (const r of writableChain(place, table, n)!.rules) if ((r.target.t === 'jump' || r.target.t === 'goto') && r.target.chain === chain) r.target = { ...r.target, chain: cmd.newName! };
        mark(n);
      }
      void t;
      invalidateLayers(place.own);
      res.deleted.push(`${table} ${chain}`);
      mark(cmd.newName!);
      return res;
    }
    case 'P': {
      if (!builtin(chain!)) throw opError('Bad built-in chain name');
      if (cmd.policy !== 'ACCEPT' && cmd.policy !== 'DROP') throw new IptablesError("iptables: Bad policy name. Run `dmesg' for more information.", 1);
      const c = writableChain(place, table, chain!)!;
      c.policy = cmd.policy;
      if (cmd.counters) {
        c.pkts = cmd.counters[0];
        c.bytes = cmd.counters[1];
      }
      mark(chain!);
      return res;
    }
    case 'L':
    case 'S':
      if (chain !== undefined && !exists(chain)) throw NO_CHAIN();
      return res;
  }
}

/** Zeroes a chain's counters (or one rule's), own or seen through the shared layer. */
export function zeroChain(place: NetfilterPlace, table: TableName, name: string, rulenum?: number): void {
  const t = tableOf(viewOf(place), table);
  const c = t.chains[name];
  if (!c) return;
  if (Object.prototype.hasOwnProperty.call(t.chains, name) || !place.shared) {
    c.rules.forEach((r, i) => {
      if (rulenum !== undefined && i !== rulenum - 1) return;
      delete r.pkts;
      delete r.bytes;
    });
    if (rulenum === undefined) {
      delete c.pkts;
      delete c.bytes;
    }
    return;
  }
  const rec = place.own.shared?.[`${table} ${name}`];
  if (!rec) return;
  if (rulenum === undefined) delete place.own.shared![`${table} ${name}`];
  else {
    delete rec[rulenum - 1];
  }
}

/** Every jump and goto target of the view exists (a consistency check for tests). */
export function danglingJumps(nf: Netfilter): string[] {
  const out: string[] = [];
  for (const table of ['filter', 'nat', 'mangle', 'raw'] as TableName[]) {
    const t = tableOf(nf, table);
    for (const n of chainNames(t, table)) {
      for (const r of t.chains[n]!.rules) if ((r.target.t === 'jump' || r.target.t === 'goto') && !t.chains[r.target.chain]) out.push(`${table} ${n} -> ${r.target.chain}`);
    }
  }
  return out;
}


// ------------------------------------------------------------------------------ restore

export interface RestoreOptions {
  /** -n: keep what the tables have; only the chains the input declares are flushed. */
  noflush?: boolean;
  /** -c: take the counters the input gives (`[p:b]`). */
  counters?: boolean;
  /** -t: parse and check only. */
  test?: boolean;
  /** -T: restore only this table. */
  table?: string;
}

/** Splits a saved rule as iptables-restore does (double quotes group, a backslash escapes). */
export function splitRestoreLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

const RESTORE_PROG = 'iptables-restore v1.8.10 (nf_tables)';
const RESTORE_TRY = "Try `iptables-restore -h' or 'iptables-restore --help' for more information.";

/** A parameter problem inside iptables-restore: its program name, the line, its try-help. */
function restoreProblem(e: IptablesError, line: number): IptablesError {
  const body = e.text.startsWith(IPT_PROG) ? e.text.slice(IPT_PROG.length) : `: ${e.text}`;
  const msg = body.endsWith(`\n${TRY_HELP}`) ? body.slice(0, -TRY_HELP.length - 1) : body;
  return new IptablesError(`${RESTORE_PROG}${msg}\nError occurred at line: ${line}\n${RESTORE_TRY}`, 2);
}

/**
 * iptables-restore (xtables-restore.c): applies the tables of an iptables-save text to the
 * namespace, each table's block at its COMMIT, whole or not at all. Without -n a block
 * replaces its table: every chain not declared goes, every declared one starts empty.
 */
export function restoreIptables(place: NetfilterPlace, text: string, opts: RestoreOptions = {}): ApplyResult {
  const res: ApplyResult = { written: [], deleted: [] };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let table: TableName | undefined;
  let decls: { name: string; policy: string; counters?: [number, number] }[] = [];
  let rules: { cmd: ParsedCommand; line: number }[] = [];
  const fail = (msg: string): IptablesError => new IptablesError(msg, 1);
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (table === undefined) {
      if (!line.startsWith('*')) throw fail(`iptables-restore: line ${n} failed`);
      const name = line.slice(1);
      if (!(['filter', 'nat', 'mangle', 'raw'] as string[]).includes(name)) throw new IptablesError(`${RESTORE_PROG}: iptables-restore: line ${n} table name '${name}' invalid\nError occurred at line: ${n}\n${RESTORE_TRY}`, 2);
      table = name as TableName;
      decls = [];
      rules = [];
      return;
    }
    if (line === 'COMMIT') {
      if (opts.table === undefined || opts.table === table) commitBlock(place, table, decls, rules, opts, n, res);
      table = undefined;
      return;
    }
    if (line.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?$/.exec(line);
      if (!m) throw fail(`iptables-restore: line ${n} failed`);
      decls.push({ name: m[1]!, policy: m[2]!, ...(m[3] !== undefined ? { counters: [Number(m[3]), Number(m[4])] as [number, number] } : {}) });
      return;
    }
    let words = splitRestoreLine(line);
    let counters: [number, number] | undefined;
    const c = /^\[(\d+):(\d+)\]$/.exec(words[0] ?? '');
    if (c) {
      counters = [Number(c[1]), Number(c[2])];
      words = words.slice(1);
    }
    let cmd: ReturnType<typeof parseIptables>;
    try {
      cmd = parseIptables(['-t', table, ...words]);
    } catch (e) {
      if (e instanceof IptablesError && !(e instanceof UnsupportedError)) throw restoreProblem(e, n);
      throw e;
    }
    if ('help' in cmd || 'version' in cmd) throw fail(`iptables-restore: line ${n} failed`);
    if (opts.counters && counters) for (const r of cmd.rules) [r.pkts, r.bytes] = counters;
    rules.push({ cmd, line: n });
  });
  if (table !== undefined) throw fail(`iptables-restore: COMMIT expected at line ${lines.length + 1}`);
  return res;
}

function commitBlock(
  place: NetfilterPlace,
  table: TableName,
  decls: { name: string; policy: string; counters?: [number, number] }[],
  rules: { cmd: ParsedCommand; line: number }[],
  opts: RestoreOptions,
  commitLine: number,
  res: ApplyResult,
): void {
  const backup = clone(place.own);
  const undo = (): void => {
    const own = place.own as unknown as Record<string, unknown>;
    for (const k of Object.keys(own)) delete own[k];
    Object.assign(own, backup);
    invalidateLayers(place.own);
  };
  try {
    const t = (): Table => tableOf(viewOf(place), table);
    const builtin = BUILTIN[table];
    if (!opts.noflush) {
      for (const n of chainNames(t(), table)) if (t().chains[n]!.rules.length) writableChain(place, table, n)!.rules = [];
      for (const n of chainNames(t(), table)) {
        if (builtin.includes(n)) continue;
        removeChain(place, table, n);
        res.deleted.push(`${table} ${n}`);
      }
      for (const b of builtin) {
        const c = writableChain(place, table, b)!;
        c.policy = 'ACCEPT';
        delete c.pkts;
        delete c.bytes;
      }
    }
    for (const d of decls) {
      if (builtin.includes(d.name)) {
        if (d.policy !== 'ACCEPT' && d.policy !== 'DROP') throw new IptablesError(`${RESTORE_PROG}: Can't set policy \`${d.policy}' on \`${d.name}' line ${commitLine}: Bad policy name\n`, 1);
        const c = writableChain(place, table, d.name)!;
        c.policy = d.policy;
        if (opts.counters && d.counters) [c.pkts, c.bytes] = d.counters;
      } else if (t().chains[d.name]) {
        if (t().chains[d.name]!.rules.length) writableChain(place, table, d.name)!.rules = [];
      } else {
        ownTable(place, table).chains[d.name] = { rules: [] };
        invalidateLayers(place.own);
      }
      res.written.push(`${table} ${d.name}`);
    }
    for (const { cmd } of rules) {
      try {
        const r = applyBatch(place, cmd);
        res.written.push(...r.written);
      } catch (e) {
        if (e instanceof IptablesError && e.status === 2) throw restoreProblem(e, commitLine);
        throw e;
      }
    }
    if (opts.test) undo();
  } catch (e) {
    undo();
    throw e;
  }
}
