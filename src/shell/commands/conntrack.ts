/**
 * `conntrack` on a node or Docker host: list, count, delete and flush the connection tracking
 * table, as conntrack-tools 1.4.8 (Ubuntu 24.04) does.
 *
 * Design notes: one line per entry: the protocol name padded to 8 columns, its number, the
 * seconds left before the entry expires, the TCP state, the original tuple, `[UNREPLIED]` when
 * no reply was seen, the reply tuple (a NATed connection shows it: the reply comes from the
 * pod, addressed to the masqueraded source), `[ASSURED]` once both directions saw traffic,
 * `mark=0 use=1`; then, on stderr, `conntrack v1.4.8 (conntrack-tools): N flow entries have
 * been shown.` Filters (conntrack.c's options): `-s`/`--src`/`--orig-src` and `-d` on the
 * original tuple, `-r`/`-q` on the reply tuple (each an address or a prefix), `-p` by name or
 * number, then that protocol's `--sport`/`--orig-port-src`, `--dport`/`--orig-port-dst`,
 * `--reply-port-src`, `--reply-port-dst`, TCP `--state`, ICMP `--icmp-type`/`--icmp-id`;
 * `-m MARK[/MASK]`, `-u ASSURED|SEEN_REPLY|UNREPLIED`, `-n`/`-g`/`-j` for source-, destination-
 * or any-NATed entries. `-D` deletes the matching entries, printing each as -L does, then
 * `N flow entries have been deleted.` (status 1 when none); `-F` empties the table
 * (`connection tracking table has been emptied.`); `-C` prints the number of entries. A
 * deleted entry is gone from the model: the connection's next packet is NEW again and walks
 * the nat table afresh, as in Linux.
 * Left out: events (`-E`), `-G`/`-I`/`-U`, statistics (`-S`), zones, labels, the expect,
 * dying and unconfirmed tables (they list empty), output formats (`-o`).
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { deleteEntries, type ConntrackEntry, type Tuple } from '../../sim/conntrack';
import { contains, formatIp, maskOf, type Cidr } from '../../sim/ipv4';

const VERSION = 'conntrack v1.4.8 (conntrack-tools)';
const TRY = "Try `conntrack -h' or 'conntrack --help' for more information.";
const USAGE = `Command line interface for the connection tracking system. Version 1.4.8
Usage: conntrack [commands] [options]

Commands:
  -L [table] [options]\t\tList conntrack or expectation table
  -G [table] parameters\t\tGet conntrack or expectation
  -D [table] parameters\t\tDelete conntrack or expectation
  -I [table] parameters\t\tCreate a conntrack or expectation
  -U [table] parameters\t\tUpdate a conntrack
  -E [table] [options]\t\tShow events
  -F [table]\t\t\tFlush table
  -C [table]\t\t\tShow counter
  -S\t\t\t\tShow statistics

Tables: conntrack, expect, dying, unconfirmed

Conntrack parameters and options:
  -n, --src-nat ip\t\t\tsource NAT ip
  -g, --dst-nat ip\t\t\tdestination NAT ip
  -j, --any-nat ip\t\t\tsource or destination NAT ip
  -m, --mark mark\t\t\tSet mark
  -c, --secmark secmark\t\t\tSet selinux secmark
  -e, --event-mask eventmask\t\tEvent mask, eg. NEW,DESTROY
  -z, --zero \t\t\t\tZero counters while listing
  -o, --output type[,...]\t\tOutput format, eg. xml
  -l, --label label[,...]\t\tconntrack labels

Expectation parameters and options:
  --tuple-src ip\tSource address in expect tuple
  --tuple-dst ip\tDestination address in expect tuple

Updating parameters and options:
  --label-add label\tAdd label
  --label-del label\tDelete label

Common parameters and options:
  -s, --src, --orig-src ip\t\tSource address from original direction
  -d, --dst, --orig-dst ip\t\tDestination address from original direction
  -r, --reply-src ip\t\tSource address from reply direction
  -q, --reply-dst ip\t\tDestination address from reply direction
  -p, --protonum proto\t\tLayer 4 Protocol, eg. 'tcp'
  -f, --family proto\t\tLayer 3 Protocol, eg. 'ipv6'
  -t, --timeout timeout\t\tSet timeout
  -u, --status status\t\tSet status, eg. ASSURED
  -w, --zone value\t\tSet conntrack zone
  --orig-zone value\t\tSet zone for original direction
  --reply-zone value\t\tSet zone for reply direction
  -b, --buffer-size\t\tNetlink socket buffer size
  --mask-src ip\t\t\tSource mask address
  --mask-dst ip\t\t\tDestination mask address`;

const NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };
const PROTOS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, sctp: 132, dccp: 33, gre: 47, udplite: 136, icmpv6: 58 };
const TCP_STATES = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'LISTEN', 'SYN_SENT2'];

function tuple(proto: number, t: Tuple): string {
  const addrs = `src=${formatIp(t.src)} dst=${formatIp(t.dst)}`;
  if (proto === 1) return `${addrs} type=${t.dport} code=0 id=${t.sport}`;
  return `${addrs} sport=${t.sport} dport=${t.dport}`;
}

function assured(e: ConntrackEntry): boolean {
  return e.replied && e.proto !== 1 && (e.proto !== 6 || e.tcpState === 'ESTABLISHED' || e.tcpState === 'TIME_WAIT' || e.tcpState === 'CLOSE');
}

export function conntrackLine(e: ConntrackEntry, now: number): string {
  const name = NAMES[e.proto] ?? 'unknown';
  const secs = Math.max(0, Math.floor((e.expires - now) / 1000));
  const state = e.proto === 6 ? `${e.tcpState} ` : '';
  return `${name.padEnd(8)} ${e.proto} ${secs} ${state}${tuple(e.proto, e.orig)} ${e.replied ? '' : '[UNREPLIED] '}${tuple(e.proto, e.reply)} ${assured(e) ? '[ASSURED] ' : ''}mark=${e.mark} use=1`;
}

class Usage extends Error {}

function fail(msg: string): Usage {
  return new Usage(`${VERSION}: ${msg}\n${TRY}`);
}

/** inet_aton's forms (1.2.3 is 1.2.0.3), with an optional /prefix. */
function parseAddr(text: string): Cidr {
  const [a, len] = text.split('/');
  const parts = a!.split('.');
  if (!/^\d+(\.\d+){0,3}$/.test(a!) || (len !== undefined && !/^\d+$/.test(len)) || Number(len ?? 32) > 32) throw fail(`Invalid IP address \`${text}'`);
  const nums = parts.map(Number);
  const last = nums.pop()!;
  const limit = [0xffffffff, 0xffffff, 0xffff, 0xff][nums.length]!;
  if (nums.some((n) => n > 255) || last > limit) throw fail(`Invalid IP address \`${text}'`);
  let v = 0;
  nums.forEach((n, i) => (v |= n << (24 - 8 * i)));
  const l = Number(len ?? 32);
  return { addr: (((v >>> 0) + last) & maskOf(l)) >>> 0, len: l };
}

interface Filter {
  command?: 'L' | 'D' | 'F' | 'C';
  table?: string;
  proto?: number;
  origSrc?: Cidr;
  origDst?: Cidr;
  replySrc?: Cidr;
  replyDst?: Cidr;
  sport?: number;
  dport?: number;
  replySport?: number;
  replyDport?: number;
  state?: string;
  icmpType?: number;
  icmpId?: number;
  mark?: [number, number];
  status?: string[];
  nat?: 'src' | 'dst' | 'any';
  natIp?: number;
  family?: string;
}

/** Options that take an argument, optionally (`::`) or always (`:`), as getopt_str says. */
const SHORT: Record<string, 'none' | 'required' | 'optional'> = {
  L: 'optional', I: 'optional', U: 'optional', D: 'optional', G: 'optional', E: 'optional', F: 'optional', A: 'optional', C: 'optional', S: 'none', h: 'none', V: 'none',
  s: 'required', d: 'required', r: 'required', q: 'required', p: 'required', t: 'required', u: 'required', e: 'required', a: 'required', z: 'none', m: 'required', i: 'required', f: 'required', o: 'required',
  n: 'optional', g: 'optional', c: 'required', b: 'required', j: 'optional', w: 'required', l: 'required',
};
const LONG: Record<string, string> = {
  dump: 'L', create: 'I', add: 'A', delete: 'D', update: 'U', get: 'G', flush: 'F', event: 'E', counter: 'C', stats: 'S', version: 'V', help: 'h',
  'orig-src': 's', src: 's', 'orig-dst': 'd', dst: 'd', 'reply-src': 'r', 'reply-dst': 'q', protonum: 'p', timeout: 't', status: 'u', zero: 'z', mark: 'm', family: 'f', 'src-nat': 'n', 'dst-nat': 'g', 'any-nat': 'j', output: 'o', zone: 'w', label: 'l',
};
/** Protocol options, valid once -p names the protocol. */
const PROTO_OPTS: Record<number, string[]> = {
  6: ['sport', 'orig-port-src', 'dport', 'orig-port-dst', 'reply-port-src', 'reply-port-dst', 'state'],
  17: ['sport', 'orig-port-src', 'dport', 'orig-port-dst', 'reply-port-src', 'reply-port-dst'],
  1: ['icmp-type', 'icmp-code', 'icmp-id'],
};

function parse(args: string[]): Filter | 'help' | 'version' {
  const f: Filter = {};
  const setCommand = (c: Filter['command'] | 'X', table?: string): void => {
    if (f.command) throw fail('Invalid commands combination');
    if (c === 'X') throw new CommandError('UNSUPPORTED', 'conntrack: only -L, -D, -F and -C are supported in this sandbox', 2);
    f.command = c;
    if (table !== undefined) {
      if (!['conntrack', 'expect', 'expectation', 'dying', 'unconfirmed'].includes(table)) throw fail(`unknown type \`${table}'`);
      f.table = table;
    }
  };
  let i = 0;
  const next = (word: string): string => {
    const v = args[i++];
    if (v === undefined) throw fail(`option \`${word}' requires an argument`);
    return v;
  };
  const optionalTable = (): string | undefined => (i < args.length && !args[i]!.startsWith('-') ? args[i++] : undefined);
  const num = (text: string, max = 65535): number => (/^\d+$/.test(text) && Number(text) <= max ? Number(text) : 0);
  const apply = (c: string, arg: string | undefined, word: string): 'help' | 'version' | undefined => {
    switch (c) {
      case 'L':
      case 'D':
      case 'F':
      case 'C':
        setCommand(c, arg ?? optionalTable());
        return;
      case 'I':
      case 'U':
      case 'G':
      case 'E':
      case 'A':
      case 'S':
        setCommand('X');
        return;
      case 'h':
        return 'help';
      case 'V':
        return 'version';
      case 's':
        f.origSrc = parseAddr(arg!);
        return;
      case 'd':
        f.origDst = parseAddr(arg!);
        return;
      case 'r':
        f.replySrc = parseAddr(arg!);
        return;
      case 'q':
        f.replyDst = parseAddr(arg!);
        return;
      case 'p': {
        const p = arg!.toLowerCase();
        const n = PROTOS[p] ?? (/^\d+$/.test(p) && Number(p) <= 255 ? Number(p) : undefined);
        if (n === undefined) throw fail(`\`${arg}' unsupported protocol`);
        f.proto = n;
        return;
      }
      case 'm': {
        const [v, m] = arg!.split('/');
        const parseNum = (t: string | undefined): number => (t === undefined ? 0xffffffff : t.toLowerCase().startsWith('0x') ? parseInt(t, 16) : Number(t));
        f.mark = [parseNum(v) >>> 0, parseNum(m) >>> 0];
        return;
      }
      case 'u':
        f.status = arg!.split(',').map((s) => s.toUpperCase());
        return;
      case 'n':
      case 'g':
      case 'j':
        f.nat = c === 'n' ? 'src' : c === 'g' ? 'dst' : 'any';
        if (arg !== undefined) f.natIp = parseAddr(arg).addr;
        return;
      case 'f':
        f.family = arg!.toLowerCase();
        return;
      case 'z':
      case 'o':
      case 't':
      case 'e':
      case 'a':
      case 'i':
      case 'c':
      case 'b':
      case 'w':
      case 'l':
        return;
    }
    void word;
    void num;
  };
  while (i < args.length) {
    const word = args[i++]!;
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=');
      const name = eq >= 0 ? word.slice(2, eq) : word.slice(2);
      const inline = eq >= 0 ? word.slice(eq + 1) : undefined;
      const protoOpts = f.proto !== undefined ? (PROTO_OPTS[f.proto] ?? []) : [];
      if (protoOpts.includes(name)) {
        const v = inline ?? next(word);
        if (name === 'sport' || name === 'orig-port-src') f.sport = num(v);
        else if (name === 'dport' || name === 'orig-port-dst') f.dport = num(v);
        else if (name === 'reply-port-src') f.replySport = num(v);
        else if (name === 'reply-port-dst') f.replyDport = num(v);
        else if (name === 'icmp-type') f.icmpType = num(v, 255);
        else if (name === 'icmp-id') f.icmpId = num(v);
        else if (name === 'state') {
          if (!TCP_STATES.includes(v.toUpperCase())) throw fail(`unknown TCP state \`${v}'`);
          f.state = v.toUpperCase();
        }
        continue;
      }
      const c = LONG[name];
      if (!c) throw fail(`unknown option \`${word}'`);
      const kind = SHORT[c]!;
      const arg = kind === 'required' ? (inline ?? next(word)) : inline;
      const r = apply(c, arg, word);
      if (r) return r;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let j = 1; j < word.length; j++) {
        const c = word[j]!;
        const kind = SHORT[c];
        if (!kind) throw fail(`unknown option \`-${c}'`);
        let arg: string | undefined;
        if (kind === 'required') {
          arg = j < word.length - 1 ? word.slice(j + 1) : args[i++];
          if (arg === undefined) throw fail(`option \`-${c}' requires an argument`);
          j = word.length;
        } else if (kind === 'optional' && j < word.length - 1) {
          arg = word.slice(j + 1);
          j = word.length;
        }
        const r = apply(c, arg, `-${c}`);
        if (r) return r;
      }
      continue;
    }
    throw fail(`unknown option \`${word}'`);
  }
  return f;
}

function matches(e: ConntrackEntry, f: Filter): boolean {
  if (f.family === 'ipv6') return false;
  if (f.proto !== undefined && e.proto !== f.proto) return false;
  if (f.origSrc && !contains(f.origSrc, e.orig.src)) return false;
  if (f.origDst && !contains(f.origDst, e.orig.dst)) return false;
  if (f.replySrc && !contains(f.replySrc, e.reply.src)) return false;
  if (f.replyDst && !contains(f.replyDst, e.reply.dst)) return false;
  if (e.proto !== 1) {
    if (f.sport !== undefined && e.orig.sport !== f.sport) return false;
    if (f.dport !== undefined && e.orig.dport !== f.dport) return false;
    if (f.replySport !== undefined && e.reply.sport !== f.replySport) return false;
    if (f.replyDport !== undefined && e.reply.dport !== f.replyDport) return false;
  } else {
    if (f.icmpType !== undefined && e.orig.dport !== f.icmpType) return false;
    if (f.icmpId !== undefined && e.orig.sport !== f.icmpId) return false;
  }
  if (f.state !== undefined && e.tcpState !== f.state) return false;
  if (f.mark && ((e.mark & f.mark[1]) >>> 0) !== ((f.mark[0] & f.mark[1]) >>> 0)) return false;
  if (f.status) {
    for (const s of f.status) {
      if (s === 'ASSURED' && !assured(e)) return false;
      if (s === 'SEEN_REPLY' && !e.replied) return false;
      if (s === 'UNREPLIED' && e.replied) return false;
    }
  }
  if (f.nat) {
    const snat = e.reply.dst !== e.orig.src || (e.proto === 1 ? e.reply.sport !== e.orig.sport : e.reply.dport !== e.orig.sport);
    const dnat = e.reply.src !== e.orig.dst || (e.proto !== 1 && e.reply.sport !== e.orig.dport);
    const s = snat && (f.natIp === undefined || e.reply.dst === f.natIp);
    const d = dnat && (f.natIp === undefined || e.reply.src === f.natIp);
    if (f.nat === 'src' && !s) return false;
    if (f.nat === 'dst' && !d) return false;
    if (f.nat === 'any' && !s && !d) return false;
  }
  return true;
}

export const conntrack: Command = {
  name: 'conntrack',
  summary: 'list, count and delete tracked connections: conntrack -L -p tcp --dport 80 | conntrack -D -d ADDR | conntrack -F',
  usage: USAGE,
  where: ['node'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'conntrack: not available here');
    let f: ReturnType<typeof parse>;
    try {
      f = parse(ctx.argv.slice(1));
    } catch (e) {
      if (!(e instanceof Usage)) throw e;
      ctx.stderr.write(e.message + '\n');
      return 2;
    }
    if (f === 'help' || (f !== 'version' && !f.command)) {
      ctx.stdout.write(USAGE + '\n');
      return 0;
    }
    if (f === 'version') {
      ctx.stdout.write(VERSION + '\n');
      return 0;
    }
    const now = ctx.env.scheduler.now();
    const ns = ctx.env.sim.state.netns[loc.ns];
    const table = ns?.conntrack ?? [];
    const expectTable = f.table !== undefined && f.table !== 'conntrack';
    const live = expectTable ? [] : table.filter((e) => e.expires > now);
    switch (f.command) {
      case 'F':
        if (ns?.conntrack && !expectTable) deleteEntries(ns.conntrack, () => true);
        ctx.stderr.write(`${VERSION}: ${f.table === 'expect' || f.table === 'expectation' ? 'expectation' : 'connection tracking'} table has been emptied.\n`);
        return 0;
      case 'C':
        ctx.stdout.write(`${live.length}\n`);
        return 0;
      case 'L': {
        const shown = live.filter((e) => matches(e, f));
        for (const e of shown) ctx.stdout.write(conntrackLine(e, now) + '\n');
        ctx.stderr.write(`${VERSION}: ${shown.length} ${f.table === 'expect' || f.table === 'expectation' ? 'expectations' : 'flow entries'} have been shown.\n`);
        return 0;
      }
      case 'D': {
        const gone = live.filter((e) => matches(e, f));
        for (const e of gone) ctx.stdout.write(conntrackLine(e, now) + '\n');
        if (gone.length && ns?.conntrack) {
          const drop = new Set(gone);
          deleteEntries(ns.conntrack, (e) => drop.has(e));
        }
        ctx.stderr.write(`${VERSION}: ${gone.length} flow entries have been deleted.\n`);
        return gone.length === 0 ? 1 : 0;
      }
    }
    return 0;
  },
};
