/**
 * `iptables` on a node or Docker host: list, add, insert, replace, delete and check rules,
 * create, flush, zero, rename and delete chains and set policies in the filter, nat, mangle
 * and raw tables, as iptables v1.8.10 (nf_tables backend) does.
 *
 * Design notes: the command line is parsed and applied by sim/linux/iptables.ts (errors, exit
 * statuses and copy-on-write of kube-proxy's shared chains are there); this file prints.
 * `-L` follows iptables' print_header and print_firewall: `Chain NAME (policy P)` for built-in
 * chains (`P N packets, M bytes` with -v) and `Chain NAME (N references)` for user chains, the
 * column header `target     prot opt source               destination` with its padding
 * (`%-9s`, `%-4s`, `%-19s`, trailing spaces included), `--` in the opt column, `anywhere` for
 * 0.0.0.0/0 (`0.0.0.0/0` with -n) and `localhost` for 127.0.0.1 (/etc/hosts), `[goto] ` for a
 * goto, then each match's own text (`/* comment *\/`, `tcp dpt:80`, `tcp spts:1000:2000
 * dpt:!22`, `tcp flags:FIN,SYN,RST,ACK/SYN`, `icmp echo-request` (`icmptype 8` with -n, libxt_icmp's missing space included),
 * `statistic mode random probability 0.33333333349`, `mark match ! 0x4000/0x4000`, `ADDRTYPE
 * match dst-type LOCAL`, `ctstate INVALID`, `! state NEW`, `multiport dports  !80,443`,
 * `match-set NAME src`, `PHYSDEV match --physdev-is-in`) and
 * the target's (`to:10.244.1.3:80`, `MARK or 0x4000`, `masq ports: 1024-2000 random`,
 * `random-fully`, `redir ports 8080`, `reject-with ...`, `LOG level warn prefix "x"` / `LOG flags 0 level 4`).
 * Without -n ports print as /etc/services names (`dpt:http`, `dpt:domain`) and protocols by
 * name; with -n iptables 1.8.10 prints protocol numbers (`6`, `17`, `0` for all). -v adds the
 * pkts/bytes and in/out columns (counters by xtables_print_num: 5 wide, K/M/G/T above 99999
 * unless -x, then 8 wide), --line-numbers a num column. Chains print built-in first, then
 * user chains alphabetically, separated by a blank line. `-L CHAIN N` prints that rule alone.
 * `-S` prints the rules as commands: `-P` for built-in chains, `-N` for user chains, then every
 * `-A` rule; with -v, `-c PKTS BYTES` before the target. -v with -A/-I/-R/-D echoes the rule,
 * with -F/-Z/-X names each chain as it goes.
 * A write on a Kubernetes node that removes kube-proxy's canary chain (KUBE-PROXY-CANARY), as
 * flushing and deleting every chain does, makes kube-proxy resync everything at its next sync
 * (k8s/kube-proxy-writes.ts), as its iptables monitor does.
 * Left out: reverse DNS for other addresses without -n (they print as numbers), IPv6
 * (ip6tables), `--wait` (accepted, nothing waits).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { noteIptablesWrite } from '../../sim/k8s/kube-proxy-writes';
import { formatIp } from '../../sim/ipv4';
import { serviceName } from '../../sim/linux/services';
import { applyIptables, ICMP_NAMES, IptablesError, parseIptables, viewOf, zeroChain, type NetfilterPlace, type ParsedCommand } from '../../sim/linux/iptables';
import { BUILTIN, chainNames, emptyNetfilter, formatRule, ruleCounters, saveMatch, savedProbability, tableOf, tcpFlagNames, type AddrMatch, type Chain, type Match, type PortItem, type Rule, type Table, type TableName } from '../../sim/netfilter';

const PROG = 'iptables v1.8.10 (nf_tables)';

const USAGE = `iptables v1.8.10 (nf_tables)

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
Either long or short options are allowed.
  --append  -A chain		Append to chain
  --check   -C chain		Check for the existence of a rule
  --delete  -D chain		Delete matching rule from chain
  --delete  -D chain rulenum
				Delete rule rulenum (1 = first) from chain
  --insert  -I chain [rulenum]
				Insert in chain as rulenum (default 1=first)
  --replace -R chain rulenum
				Replace rule rulenum (1 = first) in chain
  --list    -L [chain [rulenum]]
				List the rules in a chain or all chains
  --list-rules -S [chain [rulenum]]
				Print the rules in a chain or all chains
  --flush   -F [chain]		Delete all rules in  chain or all chains
  --zero    -Z [chain [rulenum]]
				Zero counters in chain or all chains
  --new     -N chain		Create a new user-defined chain
  --delete-chain
            -X [chain]		Delete a user-defined chain
  --policy  -P chain target
				Change policy on chain to target
  --rename-chain
            -E old-chain new-chain
				Change chain name, (moving any references)

Options:
    --ipv4	-4		Nothing (line is ignored by ip6tables-restore)
    --ipv6	-6		Error (line is ignored by iptables-restore)
[!] --protocol	-p proto	protocol: by number or name, eg. \`tcp'
[!] --source	-s address[/mask][...]
				source specification
[!] --destination -d address[/mask][...]
				destination specification
[!] --in-interface -i input name[+]
				network interface name ([+] for wildcard)
 --jump	-j target
				target for rule (may load target extension)
  --goto      -g chain
			       jump to chain with no return
  --match	-m match
				extended match (may load extension)
  --numeric	-n		numeric output of addresses and ports
[!] --out-interface -o output name[+]
				network interface name ([+] for wildcard)
  --table	-t table	table to manipulate (default: \`filter')
  --verbose	-v		verbose mode
  --wait	-w [seconds]	maximum wait to acquire xtables lock before give up
  --line-numbers		print line numbers when listing
  --exact	-x		expand numbers (display exact values)
[!] --fragment	-f		match second or further fragments only
  --modprobe=<command>		try to insert modules using this command
  --set-counters -c PKTS BYTES	set the counter during insert/append
[!] --version	-V		print package version.`;

const PROTO_NUM: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132, udplite: 136, ipencap: 4 };
const CT_ORDER = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'];
const LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

interface ListOptions {
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
}

/**
 * The namespace's tables, over kube-proxy's shared ones on a node. A namespace without tables
 * (a pod's) gets them only when a write succeeds (`attach`); reading lists empty chains.
 */
export function placeOf(ctx: CommandContext, tool = 'iptables'): NetfilterPlace & { attach(): void } {
  const loc = ctx.env.location;
  if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', `${tool}: not available here`);
  const state = ctx.env.sim.state;
  // What the node agents (kube-proxy, a policy agent) last wrote, as of now.
  ctx.env.sim.syncDaemons();
  const ns = state.netns[loc.ns];
  if (!ns) throw new CommandError('UNSUPPORTED', `${tool}: not available here`);
  const own = ns.nf ?? emptyNetfilter();
  const attach = (): void => {
    ns.nf ??= own;
  };
  const kp = ns.kubeProxy;
  const shared = kp ? (kp.mode === 'live' ? state.kubeProxy : kp.rules) : undefined;
  return shared ? { own, shared, attach } : { own, attach };
}

function targetName(r: Rule): string {
  const tg = r.target;
  return tg.t === 'jump' || tg.t === 'goto' ? tg.chain : tg.t === 'none' ? '' : tg.t;
}

function address(a: AddrMatch | undefined, numeric: boolean): [string, string] {
  if (!a || a.cidr.len === 0) return [a?.neg ? '!' : ' ', numeric ? '0.0.0.0/0' : 'anywhere'];
  const text = !numeric && a.cidr.len === 32 && a.cidr.addr === 0x7f000001 ? 'localhost' : formatIp(a.cidr.addr);
  return [a.neg ? '!' : ' ', `${text}${a.cidr.len === 32 ? '' : `/${a.cidr.len}`}`];
}

/** A port as iptables prints it: its /etc/services name for the protocol unless -n. */
function port(p: number, numeric: boolean, proto = 'tcp'): string {
  return numeric ? String(p) : (serviceName(p, proto) ?? String(p));
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** `0x%02X`, as libxt_tcp prints flags with -n. */
function hex2(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
}

function ports(name: string, lo: number | undefined, hi: number | undefined, neg: boolean | undefined, numeric: boolean, proto: string): string {
  if (lo === undefined) return '';
  const inv = neg ? '!' : '';
  if (hi === undefined || hi === lo) return ` ${name}:${inv}${port(lo, numeric, proto)}`;
  return ` ${name}s:${inv}${port(lo, numeric, proto)}:${port(hi, numeric, proto)}`;
}

function portItems(list: PortItem[], numeric: boolean, proto: string): string {
  return list.map((x) => (typeof x === 'number' ? port(x, numeric, proto) : `${port(x[0], numeric, proto)}:${port(x[1], numeric, proto)}`)).join(',');
}

/** What one match prints in a -L line (with its leading space). */
function matchText(m: Match, numeric: boolean, proto = 'tcp'): string {
  switch (m.m) {
    case 'comment':
      return ` /* ${m.text} */`;
    case 'tcp':
    case 'udp':
    case 'sctp':
      return ` ${m.m}${ports('spt', m.sport, m.sportTo, m.sportNeg, numeric, m.m)}${ports('dpt', m.dport, m.dportTo, m.dportNeg, numeric, m.m)}${m.flags ? ` flags:${m.flags.neg ? '!' : ''}${numeric ? `${hex2(m.flags.mask)}/${hex2(m.flags.comp)}` : `${tcpFlagNames(m.flags.mask)}/${tcpFlagNames(m.flags.comp)}`}` : ''}`;
    case 'icmp': {
      if (!numeric) {
        const named = ICMP_NAMES.find(([, t, lo, hi]) => t === m.type && lo === m.codeMin && hi === m.codeMax);
        if (named) return ` icmp ${m.neg ? '!' : ''}${named[0]}`;
      }
      // libxt_icmp prints "type" straight after "icmp" (no space) in this case.
      let s = ` icmp${m.neg ? ' !' : ''}type ${m.type}`;
      if (m.codeMin === m.codeMax) s += ` code ${m.codeMin}`;
      else if (m.codeMin !== 0 || m.codeMax !== 0xff) s += ` codes ${m.codeMin}-${m.codeMax}`;
      return s;
    }
    case 'statistic':
      return ` statistic mode random probability ${savedProbability(m.probability)}`;
    case 'mark':
      return ` mark match${m.neg ? ' !' : ''} ${m.mask >>> 0 === 0xffffffff ? hex(m.mark) : `${hex(m.mark)}/${hex(m.mask)}`}`;
    case 'addrtype': {
      const srcNeg = m.srcNeg ?? (m.dstType ? false : m.neg);
      return ` ADDRTYPE match${m.srcType ? ` src-type ${srcNeg ? '!' : ''}${m.srcType}` : ''}${m.dstType ? ` dst-type ${m.neg ? '!' : ''}${m.dstType}` : ''}`;
    }
    case 'conntrack':
      return `${m.neg ? ' !' : ''} ctstate ${CT_ORDER.filter((s) => (m.ctstate as string[]).includes(s)).join(',')}`;
    case 'state':
      return `${m.neg ? ' !' : ''} state ${CT_ORDER.filter((s) => (m.states as string[]).includes(s)).join(',')}`;
    case 'nfacct':
      return ` nfacct-name ${m.name}`;
    case 'multiport': {
      const [kind, list] = m.ports ? ['ports', m.ports] : m.sports ? ['sports', m.sports] : ['dports', m.dports ?? []];
      return ` multiport ${kind} ${m.neg ? ' !' : ''}${portItems(list, numeric, proto)}`;
    }
    case 'set':
      return `${m.neg ? ' !' : ''} match-set ${m.set} ${m.flags.join(',')}`;
    case 'physdev':
      return ` PHYSDEV match${m.neg ? ' !' : ''} --physdev-is-in`;
  }
}

function natText(to: { ip: number; ipTo?: number; port?: number; portTo?: number }): string {
  const a = to.ipTo !== undefined ? `${formatIp(to.ip)}-${formatIp(to.ipTo)}` : formatIp(to.ip);
  return to.port !== undefined ? `${a}:${to.portTo !== undefined ? `${to.port}-${to.portTo}` : to.port}` : a;
}

/** What the target adds after the matches. */
function targetText(r: Rule, numeric: boolean): string {
  const tg = r.target;
  switch (tg.t) {
    case 'REJECT':
      return ` reject-with ${tg.with ?? 'icmp-port-unreachable'}`;
    case 'DNAT':
      return ` to:${natText(tg.to)}`;
    case 'SNAT':
      return ` to:${natText(tg.to)}${tg.random ? ' random' : ''}${tg.randomFully ? ' random-fully' : ''}${tg.persistent ? ' persistent' : ''}`;
    case 'MASQUERADE':
      return `${tg.ports ? ` masq ports: ${tg.ports[0] === tg.ports[1] ? tg.ports[0] : `${tg.ports[0]}-${tg.ports[1]}`}` : ''}${tg.random ? ' random' : ''}${tg.randomFully ? ' random-fully' : ''}`;
    case 'REDIRECT':
      return `${tg.ports ? ` redir ports ${tg.ports[0] === tg.ports[1] ? tg.ports[0] : `${tg.ports[0]}-${tg.ports[1]}`}` : ''}${tg.random ? ' random' : ''}`;
    case 'LOG': {
      const level = tg.level ?? 4;
      return ` LOG${numeric ? ` flags 0 level ${level}` : ` level ${LEVEL_NAMES[level]}`}${tg.prefix ? ` prefix "${tg.prefix}"` : ''}`;
    }
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

/** xtables_print_num: right-aligned, with K/M/G/T suffixes unless -x (`table`: padded). */
export function printNum(n: number, exact: boolean, table = true): string {
  if (exact) return table ? `${String(n).padStart(8)} ` : `${n} `;
  if (n <= 99999) return table ? `${String(n).padStart(5)} ` : `${n} `;
  for (const unit of ['K', 'M', 'G']) {
    n = Math.floor((n + 500) / 1000);
    if (n <= 9999) return table ? `${String(n).padStart(4)}${unit} ` : `${n}${unit} `;
  }
  n = Math.floor((n + 500) / 1000);
  return table ? `${String(n).padStart(4)}T ` : `${n}T `;
}

function protoText(r: Rule, numeric: boolean): string {
  return r.proto ? (numeric ? String(PROTO_NUM[r.proto]) : r.proto) : numeric ? '0' : 'all';
}

function ruleLine(r: Rule, n: number, counters: [number, number], o: ListOptions): string {
  let line = o.lineNumbers ? `${String(n).padEnd(4)} ` : '';
  if (o.verbose) line += printNum(counters[0], o.exact) + printNum(counters[1], o.exact);
  line += `${targetName(r).padEnd(9)} `;
  line += `${r.protoNeg ? '!' : ' '}${protoText(r, o.numeric).padEnd(4)} `;
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
  if (r.target.t === 'goto') line += '[goto] ';
  line += r.matches.map((m) => matchText(m, o.numeric, r.proto)).join('') + targetText(r, o.numeric);
  return line;
}

/** The rule as `iptables -v -A ...` echoes it (print_rule with FMT_PRINT_RULE). */
function echoLine(r: Rule): string {
  const [, src] = address(r.src, true);
  const [, dst] = address(r.dst, true);
  const inIf = r.in !== undefined ? `${r.inNeg ? '!' : ''}${r.in}` : '*';
  const outIf = r.out !== undefined ? `${r.outNeg ? '!' : ''}${r.out}` : '*';
  const head = `${targetName(r)} ${r.protoNeg ? '!' : ' '}${protoText(r, false)} opt -- in ${inIf} out ${outIf}  ${r.src?.neg ? '!' : ''}${src}  -> ${r.dst?.neg ? '!' : ''}${dst}  `;
  return head + (r.target.t === 'goto' ? '[goto] ' : '') + r.matches.map((m) => matchText(m, true)).join('') + targetText(r, true);
}

function references(t: Table, chain: string): number {
  let refs = 0;
  for (const name in t.chains) {
    const c = t.chains[name];
    if (!c) continue;
    for (const r of c.rules) if ((r.target.t === 'jump' || r.target.t === 'goto') && r.target.chain === chain) refs++;
  }
  return refs;
}

function header(t: Table, name: string, c: Chain, builtin: boolean, o: ListOptions): string {
  let out = `Chain ${name}`;
  if (builtin) out += ` (policy ${c.policy ?? 'ACCEPT'}${o.verbose ? ` ${printNum(c.pkts ?? 0, o.exact, false)}packets, ${printNum(c.bytes ?? 0, o.exact, false)}bytes` : ''})\n`;
  else out += ` (${references(t, name)} references)\n`;
  let head = o.lineNumbers ? `${'num'.padEnd(4)} ` : '';
  if (o.verbose) head += o.exact ? `${'pkts'.padStart(8)} ${'bytes'.padStart(10)} ` : `${'pkts'.padStart(5)} ${'bytes'.padStart(5)} `;
  head += `${'target'.padEnd(9)} `;
  head += ' prot opt';
  if (o.verbose) head += ` ${'in'.padEnd(6)} ${'out'.padEnd(6)} `;
  head += ` ${'source'.padEnd(19)} `;
  head += ` ${'destination'.padEnd(19)} `;
  return out + head + '\n';
}

function list(place: NetfilterPlace, table: TableName, cmd: ParsedCommand): string {
  const t = tableOf(viewOf(place), table);
  const o: ListOptions = { numeric: cmd.numeric, verbose: cmd.verbose, exact: cmd.exact, lineNumbers: cmd.lineNumbers };
  const names = cmd.chain !== undefined ? [cmd.chain] : chainNames(t, table);
  const counters = (name: string, i: number): [number, number] => ruleCounters(t, place.own, table, name, i);
  if (cmd.chain !== undefined && cmd.rulenum !== undefined) {
    const r = t.chains[cmd.chain]!.rules[cmd.rulenum - 1];
    return r ? ruleLine(r, cmd.rulenum, counters(cmd.chain, cmd.rulenum - 1), o) + '\n' : '';
  }
  return names
    .map((n) => {
      const c = t.chains[n]!;
      return header(t, n, c, BUILTIN[table].includes(n), o) + c.rules.map((r, i) => ruleLine(r, i + 1, counters(n, i), o) + '\n').join('');
    })
    .join('\n');
}

/** One rule as `-S` prints it; with -v the counters go before the target (`-c P B -j ...`). */
function saveLine(chain: string, r: Rule, counters: [number, number] | undefined): string {
  const text = formatRule(chain, r);
  if (!counters) return text;
  const tgAt = r.target.t === 'none' ? -1 : text.lastIndexOf(r.target.t === 'goto' ? ' -g ' : ' -j ');
  const c = ` -c ${counters[0]} ${counters[1]}`;
  return tgAt < 0 ? text + c : text.slice(0, tgAt) + c + text.slice(tgAt);
}

function listRules(place: NetfilterPlace, table: TableName, cmd: ParsedCommand): string {
  const t = tableOf(viewOf(place), table);
  const names = cmd.chain !== undefined ? [cmd.chain] : chainNames(t, table);
  const counters = (name: string, i: number): [number, number] | undefined => (cmd.verbose ? ruleCounters(t, place.own, table, name, i) : undefined);
  if (cmd.chain !== undefined && cmd.rulenum !== undefined) {
    const r = t.chains[cmd.chain]!.rules[cmd.rulenum - 1];
    return r ? saveLine(cmd.chain, r, counters(cmd.chain, cmd.rulenum - 1)) + '\n' : '';
  }
  let out = '';
  for (const n of names) {
    const c = t.chains[n]!;
    if (BUILTIN[table].includes(n)) out += `-P ${n} ${c.policy ?? 'ACCEPT'}${cmd.verbose ? ` -c ${c.pkts ?? 0} ${c.bytes ?? 0}` : ''}\n`;
    else out += `-N ${n}\n`;
  }
  for (const n of names) t.chains[n]!.rules.forEach((r, i) => (out += saveLine(n, r, counters(n, i)) + '\n'));
  return out;
}

export const iptables: Command = {
  name: 'iptables',
  summary: 'list and change the rules: iptables -t nat -L -n -v | iptables -A INPUT -p tcp --dport 30080 -j DROP',
  usage: USAGE,
  where: ['node'],
  async run(ctx) {
    let cmd: ReturnType<typeof parseIptables>;
    try {
      cmd = parseIptables(ctx.argv.slice(1));
    } catch (e) {
      if (!(e instanceof IptablesError)) throw e;
      ctx.stderr.write(e.text + '\n');
      return e.status;
    }
    if ('version' in cmd) {
      ctx.stdout.write(PROG + '\n');
      return 0;
    }
    if ('help' in cmd) {
      ctx.stdout.write(USAGE + '\n');
      return 0;
    }
    const place = placeOf(ctx);
    const table = cmd.table;
    try {
      const before = viewOf(place);
      const res = applyIptables(place, cmd);
      if (cmd.command === 'L' || cmd.command === 'S') {
        ctx.stdout.write(cmd.command === 'L' ? list(place, table, cmd) : listRules(place, table, cmd));
        if (cmd.zero) {
          const names = cmd.chain !== undefined ? [cmd.chain] : chainNames(tableOf(viewOf(place), table), table);
          for (const n of names) {
            zeroChain(place, table, n, cmd.rulenum);
            if (cmd.verbose) ctx.stdout.write(`Zeroing chain \`${n}'\n`);
          }
        }
        return 0;
      }
      if (cmd.verbose) {
        if (['A', 'I', 'R', 'D', 'C'].includes(cmd.command)) for (const r of cmd.rules) ctx.stdout.write(echoLine(r) + '\n');
        const names = cmd.chain !== undefined ? [cmd.chain] : chainNames(tableOf(before, table), table);
        if (cmd.command === 'F') for (const n of names) ctx.stdout.write(`Flushing chain \`${n}'\n`);
        if (cmd.command === 'Z') for (const n of names) ctx.stdout.write(`Zeroing chain \`${n}'\n`);
        if (cmd.command === 'X') for (const d of res.deleted) ctx.stdout.write(`Deleting chain \`${d.slice(d.indexOf(' ') + 1)}'\n`);
      }
      if (cmd.command !== 'C') place.attach();
      const loc = ctx.env.location;
      if (loc.kind === 'node') noteIptablesWrite(ctx.env.sim.state, loc.ns, res);
      return 0;
    } catch (e) {
      if (!(e instanceof IptablesError)) throw e;
      ctx.stderr.write(e.text + '\n');
      return e.status;
    }
  },
  complete(req) {
    const prev = req.words[req.words.length - 1];
    if (prev === '-t' || prev === '--table') return ['filter', 'nat', 'mangle', 'raw'];
    if (['-L', '-S', '-A', '-I', '-D', '-R', '-F', '-Z', '-X', '-N', '-E', '-P', '-j', '-g', '--list', '--list-rules', '--append', '--insert', '--delete', '--flush'].includes(prev ?? '')) {
      const ti = req.words.findIndex((w) => w === '-t' || w === '--table');
      const table = (ti >= 0 ? req.words[ti + 1] : 'filter') as TableName;
      const loc = req.env.location;
      if (loc.kind !== 'node' || !BUILTIN[table]) return [];
      const state = req.env.sim.state;
      const ns = state.netns[loc.ns];
      if (!ns?.nf) return [];
      const kp = ns.kubeProxy;
      const shared = kp ? (kp.mode === 'live' ? state.kubeProxy : kp.rules) : undefined;
      const names = chainNames(tableOf(viewOf(shared ? { own: ns.nf, shared } : { own: ns.nf }), table), table);
      return prev === '-j' ? [...names, 'ACCEPT', 'DROP', 'RETURN', 'REJECT', 'LOG', 'MARK', 'DNAT', 'SNAT', 'MASQUERADE'] : names;
    }
    return ['-A', '-C', '-D', '-I', '-R', '-L', '-S', '-F', '-Z', '-N', '-X', '-E', '-P', '-t', '-n', '-v', '-x', '-s', '-d', '-p', '-i', '-o', '-j', '-g', '-m', '--dport', '--sport', '--line-numbers'];
  },
};

void saveMatch;
