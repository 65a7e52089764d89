/**
 * `ipset` on a node: the kernel's IP sets, as ipset v7.19 lists them.
 *
 * Design notes: `ipset list [SETNAME]` (also `-L`) prints each set as `Name:`, `Type:`,
 * `Revision:`, `Header:` (`family inet hashsize 1024 maxelem 65536 bucketsize 12 initval
 * 0x...` for hash types, `range 0-65535` for bitmap:port), `Size in memory:`, `References:`
 * (the iptables rules that use the set), `Number of entries:` and `Members:`, sets separated
 * by a blank line, in the order they were created. `-n` lists names only, `-t` leaves the
 * members out, `-o save` or `ipset save` prints `create`/`add` lines, `ipset test SET ENTRY`
 * answers on stderr (`Warning: ENTRY is in set SET.`, exit 0, or `ENTRY is NOT in set SET.`,
 * exit 1; `-q` keeps quiet), `ipset version`, `ipset help`. Entries are parsed as ipset does:
 * a missing protocol means tcp (`10.96.0.10,53` is `10.96.0.10,tcp:53`), and its syntax errors
 * are ipset's own. Size in memory is what a Linux 6.x kernel reports for these set types with
 * every element in its own hash bucket (measured: hash:ip 216 + 40 per element, hash:ip,port
 * 216 + 48, hash:ip,port,ip 208 + 56, hash:ip,port,net 464 + 56, bitmap:port 0-65535 8264);
 * with collisions a real kernel reports a little less.
 * Installed on the nodes of an IPVS-mode cluster, as ipvsadm is.
 * Left out: changing sets (create, add, del, destroy, flush, rename, swap, restore: kube-proxy
 * owns them and rewrites them at its next sync), -o xml, -r (reverse DNS), -f, interactive
 * mode, IPv6 sets.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { contains, formatIp, parseCidr, parseIp } from '../../sim/ipv4';
import { IPSET_REVISION, setDimensions, type IpSet } from '../../sim/ipset';
import { layered, type Netfilter } from '../../sim/netfilter';

const PROG = 'ipset v7.19';
const TRY = "Try `ipset help' for more information.";

const HELP = `ipset v7.19

Usage: ipset [options] COMMAND

Commands:
create SETNAME TYPENAME [type-specific-options]
        Create a new set
add SETNAME ENTRY
        Add entry to the named set
del SETNAME ENTRY
        Delete entry from the named set
test SETNAME ENTRY
        Test entry in the named set
destroy [SETNAME]
        Destroy a named set or all sets
list [SETNAME]
        List the entries of a named set or all sets
save [SETNAME]
        Save the named set or all sets to stdout
restore 
        Restore a saved state
flush [SETNAME]
        Flush a named set or all sets
rename FROM-SETNAME TO-SETNAME
        Rename two sets
swap FROM-SETNAME TO-SETNAME
        Swap the contect of two existing sets
help [TYPENAME]
        Print help, and settype specific help
version 
        Print version information
quit 
        Quit interactive mode

Options:
-o plain|save|xml
       Specify output mode for listing sets.
       Default value for "list" command is mode "plain"
       and for "save" command is mode "save".
-s 
        Print elements sorted (if supported by the set type).
-q 
        Suppress any notice or warning message.
-r 
        Try to resolve IP addresses in the output (slow!)
-! 
        Ignore errors when creating or adding sets or
        elements that do exist or when deleting elements
        that don't exist.
-n 
        When listing, just list setnames from the kernel.

-t 
        When listing, list setnames and set headers
        from kernel only.
-f 
        Read from the given file instead of standard
        input (restore) or write to given file instead
        of standard output (list/save).

Supported set types:
    list:set\t\t3\tskbinfo support
    list:set\t\t2\tcomment support
    list:set\t\t1\tcounters support
    list:set\t\t0\tInitial revision
    hash:mac\t\t1\tbucketsize, initval support
    hash:mac\t\t0\tInitial revision
    hash:ip,mac\t\t1\tbucketsize, initval support
    hash:ip,mac\t\t0\tInitial revision
    hash:net,iface\t8\tbucketsize, initval support
    hash:net,iface\t7\tskbinfo and wildcard support
    hash:net,iface\t6\tskbinfo support
    hash:net,iface\t5\tforceadd support
    hash:net,iface\t4\tcomment support
    hash:net,iface\t3\tcounters support
    hash:net,iface\t2\t/0 network support
    hash:net,iface\t1\tnomatch flag support
    hash:net,iface\t0\tInitial revision
    hash:net,port\t8\tbucketsize, initval support
    hash:net,port\t7\tskbinfo support
    hash:net,port\t6\tforceadd support
    hash:net,port\t5\tcomment support
    hash:net,port\t4\tcounters support
    hash:net,port\t3\tnomatch flag support
    hash:net,port\t2\tAdd/del range support
    hash:net,port\t1\tSCTP and UDPLITE support
    hash:net,port,net\t3\tbucketsize, initval support
    hash:net,port,net\t2\tskbinfo support
    hash:net,port,net\t1\tforceadd support
    hash:net,port,net\t0\tinitial revision
    hash:net,net\t4\tnetmask and bitmask support
    hash:net,net\t3\tbucketsize, initval support
    hash:net,net\t2\tskbinfo support
    hash:net,net\t1\tforceadd support
    hash:net,net\t0\tinitial revision
    hash:net\t\t7\tbucketsize, initval support
    hash:net\t\t6\tskbinfo support
    hash:net\t\t5\tforceadd support
    hash:net\t\t4\tcomment support
    hash:net\t\t3\tcounters support
    hash:net\t\t2\tnomatch flag support
    hash:net\t\t1\tAdd/del range support
    hash:net\t\t0\tInitial revision
    hash:ip,port,net\t8\tbucketsize, initval support
    hash:ip,port,net\t7\tskbinfo support
    hash:ip,port,net\t6\tforceadd support
    hash:ip,port,net\t5\tcomment support
    hash:ip,port,net\t4\tcounters support
    hash:ip,port,net\t3\tnomatch flag support
    hash:ip,port,net\t2\tAdd/del range support
    hash:ip,port,net\t1\tSCTP and UDPLITE support
    hash:ip,port,ip\t6\tbucketsize, initval support
    hash:ip,port,ip\t5\tskbinfo support
    hash:ip,port,ip\t4\tforceadd support
    hash:ip,port,ip\t3\tcomment support
    hash:ip,port,ip\t2\tcounters support
    hash:ip,port,ip\t1\tSCTP and UDPLITE support
    hash:ip,mark\t3\tbucketsize, initval support
    hash:ip,mark\t2\tskbinfo support
    hash:ip,mark\t1\tforceadd support
    hash:ip,mark\t0\tinitial revision
    hash:ip,port\t7\tnetmask and bitmask support
    hash:ip,port\t6\tbucketsize, initval support
    hash:ip,port\t5\tskbinfo support
    hash:ip,port\t4\tforceadd support
    hash:ip,port\t3\tcomment support
    hash:ip,port\t2\tcounters support
    hash:ip,port\t1\tSCTP and UDPLITE support
    hash:ip\t\t6\tbitmask support
    hash:ip\t\t5\tbucketsize, initval support
    hash:ip\t\t4\tskbinfo support
    hash:ip\t\t3\tforceadd support
    hash:ip\t\t2\tcomment support
    hash:ip\t\t1\tcounters support
    hash:ip\t\t0\tInitial revision
    bitmap:port\t\t3\tskbinfo support
    bitmap:port\t\t2\tcomment support
    bitmap:port\t\t1\tcounters support
    bitmap:port\t\t0\tInitial revision
    bitmap:ip,mac\t3\tskbinfo support
    bitmap:ip,mac\t2\tcomment support
    bitmap:ip,mac\t1\tcounters support
    bitmap:ip,mac\t0\tInitial revision
    bitmap:ip\t\t3\tskbinfo support
    bitmap:ip\t\t2\tcomment support
    bitmap:ip\t\t1\tcounters support
    bitmap:ip\t\t0\tInitial revision
`;

const SIZE: Record<IpSet['type'], [number, number]> = { 'hash:ip': [216, 40], 'hash:net': [456, 48], 'hash:ip,port': [216, 48], 'hash:ip,port,ip': [208, 56], 'hash:ip,port,net': [464, 56], 'bitmap:port': [8264, 0] };

function fail(msg: string, code = 1): CommandError {
  return new CommandError(code === 2 ? 'USAGE' : 'INVALID', `${PROG}: ${msg}${code === 2 ? `\n${TRY}` : ''}`, code);
}

function header(s: IpSet): string {
  if (s.type === 'bitmap:port') return `range ${s.range![0]}-${s.range![1]}`;
  return `family inet hashsize ${s.hashsize} maxelem ${s.maxelem} bucketsize 12 initval 0x${(s.initval ?? 0).toString(16).padStart(8, '0')}`;
}

function members(s: IpSet, sorted: boolean): string[] {
  if (s.type === 'bitmap:port') return [...s.members].sort((a, b) => Number(a) - Number(b));
  return sorted ? [...s.members].sort() : s.members;
}

/** Rules in the namespace's tables that match on the set (the kernel's reference count). */
function references(nf: Netfilter | undefined, name: string): number {
  if (!nf) return 0;
  let n = 0;
  for (const t of [nf.filter, nf.nat]) {
    for (const c in t.chains) for (const r of t.chains[c]!.rules) for (const m of r.matches) if (m.m === 'set' && m.set === name) n++;
  }
  return n;
}

function listSet(s: IpSet, nf: Netfilter | undefined, terse: boolean, sorted: boolean): string {
  const [base, per] = SIZE[s.type];
  const lines = [`Name: ${s.name}`, `Type: ${s.type}`, `Revision: ${IPSET_REVISION[s.type]}`, `Header: ${header(s)}`, `Size in memory: ${base + per * s.members.length}`, `References: ${references(nf, s.name)}`, `Number of entries: ${s.members.length}`];
  if (!terse) lines.push('Members:', ...members(s, sorted));
  return lines.join('\n') + '\n';
}

function saveSet(s: IpSet, sorted: boolean): string {
  return [`create ${s.name} ${s.type} ${header(s)}`, ...members(s, sorted).map((m) => `add ${s.name} ${m}`)].join('\n') + '\n';
}

const PROTOCOLS = ['tcp', 'udp', 'sctp', 'icmp'];

/** An entry as ipset parses it for the set's type: its canonical text, or ipset's syntax error. */
function parseEntry(s: IpSet, text: string): string {
  const parts = text.split(',');
  const dims = setDimensions(s.type);
  const addr = (a: string): string => {
    const ip = parseIp(a.split('/')[0]!);
    if (ip === undefined) throw fail(`Syntax error: cannot parse ${a}: resolving to IPv4 address failed`);
    return a.includes('/') ? a : formatIp(ip);
  };
  const port = (p: string, proto: string): string => {
    if (!/^\d+$/.test(p)) throw fail(`Syntax error: '${p}' is invalid as number\nSyntax error: '${proto}' is invalid as number\ncannot parse '${p}' as a ${proto} port`);
    if (Number(p) > 65535) throw fail(`Syntax error: '${p}' is out of range 0-65535\nSyntax error: '${proto}' is invalid as number\ncannot parse '${p}' as a ${proto} port`);
    return String(Number(p));
  };
  if (s.type === 'bitmap:port') return port(text, 'tcp');
  if (parts.length > dims) throw fail(`Syntax error: Elem separator in ${text}, but settype ${s.type} supports ${dims === 1 ? 'none' : `${dims - 1}`}.`);
  if (parts.length < dims) throw fail(`Syntax error: ${parts.length === 1 ? 'Second' : 'Third'} element is missing from ${text}.`);
  const first = addr(parts[0]!);
  if (dims === 1) return first;
  if (first.includes('/')) throw fail(`IP/CIDR range is not allowed in command test with set type ${s.type} and family inet`);
  const pp = parts[1]!;
  const [proto, num] = pp.includes(':') ? [pp.slice(0, pp.indexOf(':')), pp.slice(pp.indexOf(':') + 1)] : ['tcp', pp];
  if (!PROTOCOLS.includes(proto)) throw fail(`Syntax error: cannot parse '${proto}' as a protocol`);
  const second = `${proto}:${port(num, proto)}`;
  if (dims === 2) return `${first},${second}`;
  const third = parts[2]!;
  if (s.type === 'hash:ip,port,net') {
    const c = parseCidr(third, true);
    if (!c) throw fail(`Syntax error: cannot parse ${third}: resolving to IPv4 address failed`);
    return `${first},${second},${formatIp(c.addr)}/${c.len}`;
  }
  return `${first},${second},${addr(third)}`;
}

function isMember(s: IpSet, entry: string): boolean {
  if (s.members.includes(entry)) return true;
  if (s.type !== 'hash:ip,port,net') return false;
  const i = entry.lastIndexOf(',');
  const ip = parseIp(entry.slice(i + 1).split('/')[0]!);
  const head = entry.slice(0, i + 1);
  return ip !== undefined && s.members.some((m) => m.startsWith(head) && contains(parseCidr(m.slice(head.length), true)!, ip));
}

type Cmd = 'list' | 'save' | 'test' | 'help' | 'version' | 'change';

const COMMANDS: Record<string, Cmd> = {
  list: 'list', '-L': 'list', '--list': 'list', save: 'save', '-S': 'save', '--save': 'save', test: 'test', '-T': 'test', '--test': 'test',
  help: 'help', '-h': 'help', '-H': 'help', '--help': 'help', version: 'version', '-v': 'version', '-V': 'version', '--version': 'version',
  create: 'change', '-N': 'change', n: 'change', add: 'change', '-A': 'change', del: 'change', '-D': 'change', destroy: 'change', x: 'change', '-X': 'change',
  flush: 'change', '-F': 'change', rename: 'change', '-E': 'change', swap: 'change', '-W': 'change', restore: 'change', '-R': 'change',
};

interface Opts {
  names: boolean;
  terse: boolean;
  sorted: boolean;
  quiet: boolean;
  output?: string;
}

function optionWord(w: string, o: Opts, next: () => string | undefined): boolean {
  switch (w) {
    case '-n':
    case '-name':
    case '--name':
      o.names = true;
      return true;
    case '-t':
    case '-terse':
    case '--terse':
      o.terse = true;
      return true;
    case '-s':
    case '-sorted':
    case '--sorted':
      o.sorted = true;
      return true;
    case '-q':
    case '-quiet':
    case '--quiet':
      o.quiet = true;
      return true;
    case '-r':
    case '-resolve':
    case '--resolve':
    case '-!':
    case '-exist':
    case '--exist':
      return true;
    case '-o':
    case '-output':
    case '--output': {
      const v = next();
      if (v === undefined) throw fail('Syntax error: option -o requires an argument', 2);
      o.output = v;
      return true;
    }
  }
  return false;
}

function sets(ctx: CommandContext): { sets: IpSet[]; nf: Netfilter | undefined } {
  const loc = ctx.env.location;
  if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'ipset: not available here');
  const state = ctx.env.sim.state;
  // What the node agents (kube-proxy, a policy agent) last wrote, as of now.
  ctx.env.sim.syncDaemons();
  const ns = state.netns[loc.ns];
  const kp = ns?.kubeProxy;
  const nf = ns?.nf && (kp ? layered(ns.nf, kp.mode === 'live' ? state.kubeProxy : kp.rules) : ns.nf);
  return { sets: Object.values(ns?.ipsets ?? {}), nf };
}

export const ipset: Command = {
  name: 'ipset',
  summary: 'list the IP sets iptables rules match against: ipset list KUBE-CLUSTER-IP',
  usage: HELP.trimEnd(),
  where: ['node'],
  // kubeadm's IPVS prerequisites: installed on the nodes of a cluster whose kube-proxy runs in IPVS mode.
  installed: (env) => env.location.kind === 'node' && env.sim.state.config.proxyMode === 'ipvs' && env.location.ns.startsWith('node/'),
  async run(ctx) {
    const args = ctx.argv.slice(1);
    const o: Opts = { names: false, terse: false, sorted: false, quiet: false };
    let cmd: Cmd | undefined;
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const w = args[i]!;
      if (optionWord(w, o, () => args[++i])) continue;
      if (!cmd) {
        cmd = COMMANDS[w];
        if (!cmd) throw fail(`No command specified: unknown argument ${w}`, 2);
        continue;
      }
      rest.push(w);
    }
    if (!cmd) throw fail('No command specified.', 2);
    if (cmd === 'help') {
      ctx.stdout.write(HELP);
      return 0;
    }
    if (cmd === 'version') {
      ctx.stdout.write(`${PROG}, protocol version: 7\n`);
      return 0;
    }
    if (cmd === 'change') throw new CommandError('UNSUPPORTED', `${PROG}: this sandbox lists and tests sets but does not change them; they are kube-proxy's, and kube-proxy would rewrite them at its next sync`, 1);
    const { sets: all, nf } = sets(ctx);
    const byName = (name: string): IpSet => {
      const s = all.find((x) => x.name === name);
      if (!s) throw fail('The set with the given name does not exist');
      return s;
    };
    if (cmd === 'test') {
      if (rest.length < 2) throw fail(`Missing ${rest.length === 0 ? 'first' : 'second'} mandatory argument to command test`, 2);
      if (rest.length > 2) throw fail(`Unknown argument: \`${rest[2]}'`, 2);
      const s = byName(rest[0]!);
      const entry = parseEntry(s, rest[1]!);
      if (isMember(s, entry)) {
        if (!o.quiet) ctx.stderr.write(`Warning: ${entry} is in set ${s.name}.\n`);
        return 0;
      }
      if (!o.quiet) ctx.stderr.write(`${entry} is NOT in set ${s.name}.\n`);
      return 1;
    }
    if (rest.length > 1) throw fail(`Unknown argument ${rest[1]}`, 2);
    const mode = o.output ?? (cmd === 'save' ? 'save' : 'plain');
    if (mode !== 'plain' && mode !== 'save') throw fail(mode === 'xml' ? 'Syntax error: this sandbox does not print -o xml' : `Syntax error: unknown output mode '${mode}'`);
    const chosen = rest.length === 1 ? [byName(rest[0]!)] : all;
    if (o.names) {
      ctx.stdout.write(chosen.map((s) => `${s.name}\n`).join(''));
      return 0;
    }
    if (mode === 'save') ctx.stdout.write(chosen.map((s) => saveSet(s, o.sorted)).join(''));
    else ctx.stdout.write(chosen.map((s) => listSet(s, nf, o.terse, o.sorted)).join('\n'));
    return 0;
  },
  complete(req) {
    const loc = req.env.location;
    const names = loc.kind === 'node' ? Object.keys(req.env.sim.state.netns[loc.ns]?.ipsets ?? {}) : [];
    const prev = req.words[req.words.length - 1];
    if (prev === 'list' || prev === 'save' || prev === 'test' || prev === '-L' || prev === '-S') return names;
    return ['list', 'save', 'test', 'version', 'help', '-n', '-t', '-o'];
  },
};
