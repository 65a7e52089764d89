/**
 * `iptables -L` and `iptables -S` on a node: the rules of one table, as iptables v1.8.10
 * (nf_tables backend) lists them.
 *
 * Design notes: the rules are the same netfilter model iptables-save prints (the node's own
 * chains over kube-proxy's shared KUBE-* chains). `-L` follows iptables' print_header and
 * print_firewall: `Chain NAME (policy P)` for built-in chains and `Chain NAME (N references)`
 * (rules jumping to it) for user chains, the column header `target     prot opt source
 * destination` with its padding (`%-9s`, `%-4s`, `%-19s`, trailing spaces included), `--` in
 * the opt column, `anywhere` for 0.0.0.0/0 (`0.0.0.0/0` with -n), then each match's own text
 * (`/* comment *\/`, `tcp dpt:80`, `statistic mode random probability 0.33333333349`, `mark
 * match ! 0x4000/0x4000`, `ADDRTYPE match dst-type LOCAL`, `ctstate INVALID`, `match-set NAME
 * src`, `multiport dports 80,8000:9000`) and the target's (`to:10.244.1.3:80`, `MARK or
 * 0x4000`, `MARK xor 0x4000`, `random-fully`, `reject-with ...`); a goto prints `[goto] `
 * before the matches and counts as a reference to its chain.
 * Without -n ports print as /etc/services names (`dpt:http`, `dpt:domain`) and protocols by
 * name; with -n iptables 1.8.10 prints protocol numbers (`6`, `17`, `0` for all). -v adds the
 * pkts/bytes and in/out columns, --line-numbers a num column, -x exact counters. Chains print
 * built-in first, then user chains alphabetically, separated by a blank line. `-S` prints the
 * rules as commands: `-P` for built-in chains, `-N` for user chains, then every `-A` rule.
 * Left out: counters (the sandbox does not count packets per rule: pkts and bytes are 0),
 * reverse DNS for addresses without -n (they print as numbers), the mangle and raw tables
 * (listed with their built-in chains and no rules), changing rules (-A, -I, -D, -F, -N, -X, -P,
 * -Z), -S -v counters, IPv6 (ip6tables).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { syncServiceProxy } from '../../sim/proxy';
import { formatIp } from '../../sim/ipv4';
import { BUILTIN, emptyNetfilter, formatRule, layered, savedProbability, type AddrMatch, type Chain, type Match, type Netfilter, type Rule, type Table } from '../../sim/netfilter';

const PROG = 'iptables v1.8.10 (nf_tables)';
const TRY = "Try `iptables -h' or 'iptables --help' for more information.";

const USAGE = `iptables v1.8.10

Usage: iptables -[ACD] chain rule-specification [options]
       iptables -I chain [rulenum] rule-specification [options]
       iptables -R chain rulenum rule-specification [options]
       iptables -D chain rulenum [options]
       iptables -[LS] [chain [rulenum]] [options]
       iptables -[FZ] [chain] [options]
       iptables -[NX] chain
       iptables -E old-chain-name new-chain-name
       iptables -P chain target [options]
       iptables -h (print this help information)

Commands:
  --list    -L [chain [rulenum]]
				List the rules in a chain or all chains
  --list-rules -S [chain [rulenum]]
				Print the rules in a chain or all chains

Options:
  --numeric	-n		numeric output of addresses and ports
  --table	-t table	table to manipulate (default: \`filter')
  --verbose	-v		verbose mode
  --line-numbers		print line numbers when listing
  --exact	-x		expand numbers (display exact values)
(This sandbox lists rules; it does not change them.)`;

type TableArg = 'filter' | 'nat' | 'mangle' | 'raw';
const EXTRA_BUILTIN: Record<'mangle' | 'raw', string[]> = {
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
};

/** The ports /etc/services names, as iptables prints them without -n. */
const SERVICES: Record<number, string> = { 22: 'ssh', 53: 'domain', 80: 'http', 443: 'https', 8080: 'http-alt' };
const PROTO_NUM: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, sctp: 132, ipencap: 4 };
const CT_ORDER = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'];

interface Options {
  command?: 'L' | 'S';
  chain?: string;
  table: TableArg;
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
}

function usageError(msg: string): CommandError {
  return new CommandError('USAGE', `${PROG}: ${msg}\n${TRY}`, 2);
}

const LONG: Record<string, string> = { '--version': 'V', '--list': 'L', '--list-rules': 'S', '--numeric': 'n', '--verbose': 'v', '--exact': 'x', '--table': 't', '--line-numbers': '#', '--help': 'h' };
const MODIFY = 'ACDIRFZNXPE';
const LONG_MODIFY = ['--append', '--check', '--delete', '--insert', '--replace', '--flush', '--zero', '--new-chain', '--delete-chain', '--policy', '--rename-chain'];

/**
 * A word that is neither an option nor an option's value: iptables prints `Bad argument` with
 * printf (stdout), then its try-help line on stderr, and exits 2.
 */
class BadArgument extends Error {}

function parse(args: string[]): Options | 'help' | 'version' {
  const o: Options = { table: 'filter', numeric: false, verbose: false, exact: false, lineNumbers: false };
  const setCommand = (c: 'L' | 'S', i: number): number => {
    if (o.command) throw new CommandError('USAGE', `${PROG}: Cannot use -${c} with -${o.command}\n\n${TRY}`, 2);
    o.command = c;
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('-') && !next.startsWith('!')) {
      o.chain = next;
      return i + 1;
    }
    return i;
  };
  const setTable = (t: string | undefined): void => {
    if (t === undefined) throw usageError("option \"-t\" requires an argument");
    if (!['filter', 'nat', 'mangle', 'raw'].includes(t)) throw new CommandError('INVALID', `${PROG}: table '${t}' does not exist\nPerhaps iptables or your kernel needs to be upgraded.`, 3);
    o.table = t as TableArg;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [name, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (LONG_MODIFY.includes(name)) throw unsupported();
      const f = LONG[name];
      if (!f) throw usageError(`unknown option "${a}"`);
      if (f === 'h') return 'help';
      if (f === 'V') return 'version';
      if (f === 'L' || f === 'S') i = setCommand(f, i);
      else if (f === 't') setTable(value ?? args[++i]);
      else if (f === 'n') o.numeric = true;
      else if (f === 'v') o.verbose = true;
      else if (f === 'x') o.exact = true;
      else if (f === '#') o.lineNumbers = true;
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      // A second word after the chain is a rule number.
      if (o.command && o.chain !== undefined && /^\d+$/.test(a)) throw new CommandError('UNSUPPORTED', 'iptables: listing a single rule by number is not supported in this sandbox', 2);
      throw new BadArgument(a);
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (MODIFY.includes(c)) throw unsupported();
      if (c === 'h') return 'help';
      if (c === 'V') return 'version';
      if (c === 'L' || c === 'S') {
        if (j !== a.length - 1) {
          // -Lnat style: the rest of the word is the chain.
          if (o.command) throw new CommandError('USAGE', `${PROG}: Cannot use -${c} with -${o.command}\n\n${TRY}`, 2);
          o.command = c;
          o.chain = a.slice(j + 1);
          break;
        }
        i = setCommand(c, i);
      } else if (c === 't') {
        setTable(j < a.length - 1 ? a.slice(j + 1) : args[++i]);
        break;
      } else if (c === 'n') o.numeric = true;
      else if (c === 'v') o.verbose = true;
      else if (c === 'x') o.exact = true;
      else throw usageError(`unknown option "-${c}"`);
    }
  }
  if (!o.command) throw usageError('no command specified');
  if (o.command === 'S' && o.numeric) throw usageError("Illegal option `-n' with this command");
  if (o.command === 'S' && o.lineNumbers) throw usageError("Illegal option `--line-numbers' with this command");
  return o;
}

function unsupported(): CommandError {
  return new CommandError('UNSUPPORTED', 'iptables: this sandbox lists rules (-L, -S) but does not change them; the rules are kube-proxy\'s, flannel\'s and Docker\'s', 4);
}

/** The table the node's packets see (its own chains over kube-proxy's shared ones). */
function currentTable(ctx: CommandContext, table: TableArg): Table {
  const loc = ctx.env.location;
  if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'iptables: not available here');
  if (table === 'mangle' || table === 'raw') return { chains: Object.fromEntries(EXTRA_BUILTIN[table].map((c) => [c, { policy: 'ACCEPT' as const, rules: [] }])) };
  const state = ctx.env.sim.state;
  syncServiceProxy(state);
  const ns = state.netns[loc.ns];
  let nf: Netfilter = emptyNetfilter();
  if (ns?.nf) {
    const kp = ns.kubeProxy;
    nf = kp ? layered(ns.nf, kp.mode === 'live' ? state.kubeProxy : kp.rules) : ns.nf;
  }
  return nf[table];
}

function builtinNames(table: TableArg): string[] {
  return table === 'mangle' || table === 'raw' ? EXTRA_BUILTIN[table] : BUILTIN[table];
}

/** Built-in chains in hook order, then user chains alphabetically (own and layered alike). */
function chainOrder(t: Table, table: TableArg): string[] {
  const builtin = builtinNames(table).filter((c) => t.chains[c]);
  const names: string[] = [];
  for (const c in t.chains) names.push(c);
  return [...builtin, ...names.filter((c) => !builtin.includes(c)).sort()];
}

function targetName(r: Rule): string {
  const tg = r.target;
  return tg.t === 'jump' || tg.t === 'goto' ? tg.chain : tg.t === 'none' ? '' : tg.t;
}

function address(a: AddrMatch | undefined, numeric: boolean): [string, string] {
  if (!a || a.cidr.len === 0) return [a?.neg ? '!' : ' ', numeric ? '0.0.0.0/0' : 'anywhere'];
  return [a.neg ? '!' : ' ', `${formatIp(a.cidr.addr)}${a.cidr.len === 32 ? '' : `/${a.cidr.len}`}`];
}

function port(p: number, numeric: boolean): string {
  return numeric ? String(p) : (SERVICES[p] ?? String(p));
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** What one match prints in a -L line (with its leading space). */
function matchText(m: Match, numeric: boolean): string {
  switch (m.m) {
    case 'comment':
      return ` /* ${m.text} */`;
    case 'tcp':
    case 'udp':
    case 'sctp':
      return ` ${m.m}${m.sport !== undefined ? ` spt:${port(m.sport, numeric)}` : ''}${m.dport !== undefined ? ` dpt:${port(m.dport, numeric)}` : ''}`;
    case 'statistic':
      return ` statistic mode random probability ${savedProbability(m.probability)}`;
    case 'mark':
      return ` mark match${m.neg ? ' !' : ''} ${m.mask >>> 0 === 0xffffffff ? hex(m.mark) : `${hex(m.mark)}/${hex(m.mask)}`}`;
    case 'addrtype':
      return ` ADDRTYPE match${m.srcType ? ` src-type ${m.neg ? '!' : ''}${m.srcType}` : ''}${m.dstType ? ` dst-type ${m.neg ? '!' : ''}${m.dstType}` : ''}`;
    case 'conntrack':
      return `${m.neg ? ' !' : ''} ctstate ${CT_ORDER.filter((s) => (m.ctstate as string[]).includes(s)).join(',')}`;
    case 'nfacct':
      return ` nfacct-name ${m.name}`;
    case 'multiport':
      return ` multiport dports ${m.dports.map((d) => (typeof d === 'number' ? port(d, numeric) : d.map((x) => port(x, numeric)).join(':'))).join(',')}`;
    case 'set':
      return `${m.neg ? ' !' : ''} match-set ${m.set} ${m.flags.join(',')}`;
    case 'physdev':
      return ` PHYSDEV match${m.neg ? ' !' : ''} --physdev-is-in`;
  }
}

/** What the target adds after the matches. */
function targetText(r: Rule): string {
  const tg = r.target;
  switch (tg.t) {
    case 'REJECT':
      return ` reject-with ${tg.with ?? 'icmp-port-unreachable'}`;
    case 'DNAT':
      return ` to:${formatIp(tg.to.ip)}${tg.to.port !== undefined ? `:${tg.to.port}` : ''}`;
    case 'SNAT':
      return ` to:${formatIp(tg.to.ip)}${tg.to.port !== undefined ? `:${tg.to.port}` : ''}${tg.randomFully ? ' random-fully' : ''}`;
    case 'MASQUERADE':
      return tg.randomFully ? ' random-fully' : '';
    case 'MARK': {
      const value = tg.value >>> 0;
      const mask = tg.mask >>> 0;
      if (value === 0) return ` MARK and ${hex(~mask)}`;
      if (value === mask) return ` MARK or ${hex(value)}`;
      if (mask === 0) return ` MARK xor ${hex(value)}`;
      if (mask === 0xffffffff) return ` MARK set ${hex(value)}`;
      return ` MARK xset ${hex(value)}/${hex(mask)}`;
    }
    default:
      return '';
  }
}

/** xtables_print_num: right-aligned, with K/M/G suffixes unless -x. */
function num(n: number, o: Options): string {
  return o.exact ? `${String(n).padStart(8)} ` : `${String(n).padStart(5)} `;
}

/** The same print as for packets: with -x the bytes value is 8 wide under a 10-wide heading. */
function bytesNum(n: number, o: Options): string {
  return num(n, o);
}

function ruleLine(r: Rule, n: number, o: Options): string {
  let line = o.lineNumbers ? `${String(n).padEnd(4)} ` : '';
  if (o.verbose) line += num(0, o) + bytesNum(0, o);
  line += `${targetName(r).padEnd(9)} `;
  const proto = r.proto ? (o.numeric ? String(PROTO_NUM[r.proto]) : r.proto) : o.numeric ? '0' : 'all';
  line += ` ${proto.padEnd(4)} `;
  line += '-- ';
  if (o.verbose) {
    const any = o.numeric ? '*' : 'any';
    const inIf = r.in !== undefined ? `${r.inNeg ? '!' : ''}${r.in}` : any;
    const outIf = r.out !== undefined ? `${r.outNeg ? '!' : ''}${r.out}` : any;
    line += ` ${inIf.padEnd(6)} ${outIf.padEnd(6)} `;
  }
  const [sn, src] = address(r.src, o.numeric);
  const [dn, dst] = address(r.dst, o.numeric);
  line += `${sn}${src.padEnd(19)} ${dn}${dst.padEnd(19)} `;
  // print_firewall marks a goto before the matches.
  if (r.target.t === 'goto') line += '[goto] ';
  line += r.matches.map((m) => matchText(m, o.numeric)).join('') + targetText(r);
  return line;
}

function references(t: Table, chain: string): number {
  let refs = 0;
  for (const name in t.chains) for (const r of t.chains[name]!.rules) if ((r.target.t === 'jump' || r.target.t === 'goto') && r.target.chain === chain) refs++;
  return refs;
}

function listChain(t: Table, name: string, c: Chain, builtin: boolean, o: Options): string {
  let out = `Chain ${name}`;
  if (builtin) out += ` (policy ${c.policy ?? 'ACCEPT'}${o.verbose ? ' 0 packets, 0 bytes' : ''})\n`;
  else out += ` (${references(t, name)} references)\n`;
  let head = o.lineNumbers ? `${'num'.padEnd(4)} ` : '';
  if (o.verbose) head += o.exact ? `${'pkts'.padStart(8)} ${'bytes'.padStart(10)} ` : `${'pkts'.padStart(5)} ${'bytes'.padStart(5)} `;
  head += `${'target'.padEnd(9)} `;
  head += ' prot opt';
  if (o.verbose) head += ` ${'in'.padEnd(6)} ${'out'.padEnd(6)} `;
  head += ` ${'source'.padEnd(19)} `;
  head += ` ${'destination'.padEnd(19)} `;
  out += head + '\n';
  c.rules.forEach((r, i) => {
    out += ruleLine(r, i + 1, o) + '\n';
  });
  return out;
}

export const iptables: Command = {
  name: 'iptables',
  summary: 'list a table\'s rules: iptables -t nat -L KUBE-SERVICES -n | iptables -S',
  usage: USAGE,
  where: ['node'],
  async run(ctx) {
    let o: ReturnType<typeof parse>;
    try {
      o = parse(ctx.argv.slice(1));
    } catch (e) {
      if (!(e instanceof BadArgument)) throw e;
      ctx.stdout.write(`Bad argument \`${e.message}'\n`);
      ctx.stderr.write(TRY + '\n');
      return 2;
    }
    if (o === 'version') {
      ctx.stdout.write(PROG + '\n');
      return 0;
    }
    if (o === 'help') {
      ctx.stdout.write(USAGE + '\n');
      return 0;
    }
    const t = currentTable(ctx, o.table);
    const builtin = builtinNames(o.table);
    let names = chainOrder(t, o.table);
    if (o.chain !== undefined) {
      if (!t.chains[o.chain]) throw new CommandError('NOT_FOUND', 'iptables: No chain/target/match by that name.', 1);
      names = [o.chain];
    }
    if (o.command === 'L') {
      ctx.stdout.write(names.map((n) => listChain(t, n, t.chains[n]!, builtin.includes(n), o)).join('\n'));
      return 0;
    }
    let out = '';
    for (const n of names) out += builtin.includes(n) ? `-P ${n} ${t.chains[n]!.policy ?? 'ACCEPT'}\n` : `-N ${n}\n`;
    for (const n of names) for (const r of t.chains[n]!.rules) out += formatRule(n, r) + '\n';
    ctx.stdout.write(out);
    return 0;
  },
  complete(req) {
    const prev = req.words[req.words.length - 1];
    if (prev === '-t' || prev === '--table') return ['filter', 'nat', 'mangle', 'raw'];
    if (prev === '-L' || prev === '-S' || prev === '--list' || prev === '--list-rules') {
      const ti = req.words.findIndex((w) => w === '-t' || w === '--table');
      const table = (ti >= 0 ? req.words[ti + 1] : 'filter') as TableArg;
      const loc = req.env.location;
      if (loc.kind !== 'node' || (table !== 'nat' && table !== 'filter')) return [];
      const ns = req.env.sim.state.netns[loc.ns];
      if (!ns?.nf) return [];
      const nf = ns.kubeProxy ? layered(ns.nf, ns.kubeProxy.mode === 'live' ? req.env.sim.state.kubeProxy : ns.kubeProxy.rules) : ns.nf;
      const names: string[] = [];
      for (const c in nf[table].chains) names.push(c);
      return names;
    }
    return ['-L', '-S', '-t', '-n', '-v', '-x', '--line-numbers'];
  },
};
