/**
 * `ss` (iproute2): the TCP and UDP sockets of a network namespace, on nodes and in netshoot pods.
 *
 * Design notes: two builds are modelled. The nodes run Ubuntu 24.04's iproute2 6.1, whose
 * table always has the `Process` column; netshoot runs Alpine's iproute2 6.15, which shows
 * `Process` only with -p and knows -Q and -B. Both lay the table out as misc/ss.c does: every
 * field is a token in one of the columns Netid, State, Recv-Q, Send-Q, `Local Address:` (right
 * aligned), Port, `Peer Address:` (right aligned), Port, Process and a last, unnamed one; a
 * column is as wide as its longest token (the pending last token excepted) plus its one-space
 * left delimiter; Netid is hidden when one socket table is shown (-t), State when one state is
 * (plain -u); Recv-Q and Send-Q print `%-6d`. Into a pipe that is the whole layout (so a node's
 * header reads `Peer Address:PortProcess`); on a terminal (80 columns here, as for `ls`) ss
 * spreads the spare width over the columns of each screen line, the rightmost ones taking the
 * remainder, and a row wider than the screen continues on the next screen line, aligned. Every
 * field but the one in the last, unnamed column is padded, so rows end in spaces. IPv4
 * sockets come before IPv6 ones, UDP before TCP; a wildcard dual-stack socket shows as `*`, an
 * IPv6-only one as `[::]`, a socket bound to a device as `127.0.0.53%lo`. Without -n well-known ports print by their /etc/services name.
 * -p adds ` users:(("name",pid=N,fd=M),...)`, processes holding the socket with the highest
 * pid first; a pod's shell sees only its own container's processes, so in a pod the column
 * stays empty.
 * The sockets are the model's (sim/host/sockets.ts, from the listeners of sim/host/daemons.ts
 * on a node or host and of the programs of a pod): every one listed answers a connection as its
 * program does, and a daemon the learner stopped (systemctl) is gone from the list.
 * Left out: connected sockets - the sandbox's TCP exchanges are whole request/response
 * exchanges, so no ESTAB socket outlives a command and the TIME-WAIT sockets a real kernel
 * keeps for 60 s are not shown; UNIX, raw, packet and netlink sockets (`ss` alone lists TCP and
 * UDP only); -s, -e, -o, -m, -i, -r, -K and the other detail options; filters other than
 * `state`/`exclude` and `sport`/`dport` comparisons; the kernel's hash-table order (sockets
 * are listed by port).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { formatIp } from '../../sim/ipv4';
import { socketsIn, type Sock } from '../../sim/host/sockets';
import { nsIdOf } from '../resolver';
import { imageAt, imageFamily } from '../images';

/** The two builds: Ubuntu 24.04's iproute2 on nodes, Alpine's in netshoot. */
type Build = '6.1' | '6.15';

const HEAD = `Usage: ss [ OPTIONS ]
       ss [ OPTIONS ] [ FILTER ]
   -h, --help          this message
   -V, --version       output version information
   -n, --numeric       don't resolve service names
   -r, --resolve       resolve host names
   -a, --all           display all sockets
   -l, --listening     display listening sockets
`;
const TAIL = `   -E, --events        continually display sockets as they are destroyed
   -Z, --context       display task SELinux security contexts
   -z, --contexts      display task and socket SELinux security contexts
   -N, --net           switch to the specified network namespace name

   -4, --ipv4          display only IP version 4 sockets
   -6, --ipv6          display only IP version 6 sockets
   -0, --packet        display PACKET sockets
   -t, --tcp           display only TCP sockets
   -M, --mptcp         display only MPTCP sockets
   -S, --sctp          display only SCTP sockets
   -u, --udp           display only UDP sockets
   -d, --dccp          display only DCCP sockets
   -w, --raw           display only RAW sockets
   -x, --unix          display only Unix domain sockets
       --tipc          display only TIPC sockets
       --vsock         display only vsock sockets
       --xdp           display only XDP sockets
   -f, --family=FAMILY display sockets of type FAMILY
       FAMILY := {inet|inet6|link|unix|netlink|vsock|tipc|xdp|help}

   -K, --kill          forcibly close sockets, display what was closed
   -H, --no-header     Suppress header line
`;
const QUERY = `   -O, --oneline       socket's data printed on a single line
       --inet-sockopt  show various inet socket options

   -A, --query=QUERY, --socket=QUERY
       QUERY := {all|inet|tcp|mptcp|udp|raw|unix|unix_dgram|unix_stream|unix_seqpacket|packet|packet_raw|packet_dgram|netlink|dccp|sctp|vsock_stream|vsock_dgram|tipc|xdp}[,QUERY]

   -D, --diag=FILE     Dump raw information about TCP sockets to FILE
   -F, --filter=FILE   read filter information from FILE
       FILTER := [ state STATE-FILTER ] [ EXPRESSION ]
       STATE-FILTER := {all|connected|synchronized|bucket|big|TCP-STATES}
         TCP-STATES := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|closed|close-wait|last-ack|listening|closing}
          connected := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}
       synchronized := {established|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}
             bucket := {syn-recv|time-wait}
                big := {established|syn-sent|fin-wait-{1,2}|closed|close-wait|last-ack|listening|closing}
`;
const DETAIL = (threads: boolean): string =>
  `   -o, --options       show timer information
   -e, --extended      show detailed socket information
   -m, --memory        show socket memory usage
   -p, --processes     show process using socket
${threads ? '   -T, --threads       show thread using socket\n' : ''}   -i, --info          show internal TCP information
       --tipcinfo      show internal tipc socket information
   -s, --summary       show socket usage summary
       --tos           show tos and priority information
       --cgroup        show cgroup information
   -b, --bpf           show bpf filter socket information
`;

/** `ss --help` as each build prints it. */
export function ssUsage(build: Build): string {
  if (build === '6.1') return HEAD + DETAIL(false) + TAIL.replace(/display task/g, 'display process').replace('task and socket', 'process and socket') + QUERY;
  return HEAD + '   -B, --bound-inactive display TCP bound but inactive sockets\n' + DETAIL(true) + TAIL + '   -Q, --no-queues     Suppress sending and receiving queue columns\n' + QUERY;
}

// Socket states as the kernel numbers them (include/net/tcp_states.h).
const ESTABLISHED = 1;
const SYN_SENT = 2;
const SYN_RECV = 3;
const TIME_WAIT = 6;
const CLOSE = 7;
const LISTEN = 10;
const BOUND_INACTIVE = 13;
const STATE_NAMES = ['UNKNOWN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'];
const FILTER_NAMES = ['UNKNOWN', 'established', 'syn-sent', 'syn-recv', 'fin-wait-1', 'fin-wait-2', 'time-wait', 'unconnected', 'close-wait', 'last-ack', 'listening', 'closing'];

const bit = (s: number): number => 1 << s;
const allStates = (build: Build): number => (1 << (build === '6.1' ? 12 : 14)) - 1;
const connStates = (build: Build): number => allStates(build) & ~(bit(LISTEN) | bit(CLOSE) | bit(TIME_WAIT) | bit(SYN_RECV));

/** Every TCP and UDP socket of the namespace the command runs in (sim/host/sockets.ts). */
export function socketsAt(ctx: CommandContext): Sock[] {
  const state = ctx.env.sim.state;
  const nsId = nsIdOf(ctx.env);
  if (!state.netns[nsId]) throw new CommandError('NOT_FOUND', 'ss: this machine is outside the simulated network');
  // A pod's (or container's) shell sees its own container's processes only.
  return socketsIn(state, nsId, ctx.env.location.kind === 'node');
}

const SERVICES: Record<number, string> = { 22: 'ssh', 53: 'domain', 80: 'http', 443: 'https', 8080: 'http-alt' };

// ---------------------------------------------------------------------------------------------
// The column renderer of misc/ss.c.

export interface Column {
  header: string;
  ldelim: string;
  right: boolean;
  disabled: boolean;
}

const NETID = 0;
const STATE = 1;
const RECVQ = 2;
const SENDQ = 3;
const PROC = 8;
const EXT = 9;

/** ss's columns, in order; the last, unnamed one takes the extended details (-e, -i). */
export function newColumns(): Column[] {
  const c = (header: string, ldelim: string, right = false): Column => ({ header, ldelim, right, disabled: false });
  return [c('Netid', ''), c('State', ' '), c('Recv-Q', ' '), c('Send-Q', ' '), c('Local Address:', ' ', true), c('Port', ''), c('Peer Address:', ' ', true), c('Port', ''), c('Process', ''), c('', '')];
}

/** One line's tokens: [column, text], in column order, enabled columns only. */
export type Line = [number, string][];

/**
 * Lays out lines of tokens as ss's render(): widths from the longest token of each column
 * (the final, never flushed token does not count), spread over `screen` columns on a terminal.
 */
export function render(cols: Column[], lines: Line[], screen: number | undefined): string {
  const maxLen = cols.map(() => 0);
  lines.forEach((line, li) =>
    line.forEach(([c, text], ti) => {
      const pending = li === lines.length - 1 && ti === line.length - 1;
      if (!pending) maxLen[c] = Math.max(maxLen[c]!, text.length);
    }),
  );
  const width = cols.map(() => 0);
  const limit = screen ?? Infinity;
  let first = true;
  cols.forEach((col, i) => {
    if (col.disabled) return;
    width[i] = Math.min(!first && maxLen[i]! > 0 ? maxLen[i]! + col.ldelim.length : maxLen[i]!, limit);
    if (width[i]) first = false;
  });
  if (screen !== undefined) {
    let len = 0;
    let linecols = 0;
    let eol = -1;
    for (let c = 0; c < cols.length; c++) {
      if (!width[c]) continue;
      linecols++;
      len += width[c]!;
      const last = !width.slice(c + 1).some((w) => w > 0);
      if (!last && len < screen) continue;
      if (len !== screen) {
        if (len > screen) {
          len -= width[c]!;
          c--;
          linecols--;
        }
        const pad = screen - len;
        const spacing = Math.floor(pad / linecols);
        let rem = pad % linecols;
        for (let t = c; t > eol; t--) {
          if (!width[t]) continue;
          width[t]! += spacing;
          if (rem) {
            width[t]!++;
            rem--;
          }
        }
      }
      eol = c;
      len = 0;
      linecols = 0;
    }
  }
  let out = '';
  for (const line of lines) {
    let started = false;
    for (const [c, text] of line) {
      const col = cols[c]!;
      let printed = 0;
      if (started) {
        out += col.ldelim;
        printed = col.ldelim.length;
      }
      started = true;
      const w = width[c]!;
      if (w && col.right) {
        const s = w - text.length - printed;
        if (s > 0) {
          out += ' '.repeat(s);
          printed += s;
        }
      }
      out += text;
      printed += text.length;
      if (w && !col.right && w - printed > 0) out += ' '.repeat(w - printed);
    }
    out += '\n';
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Options.

interface Opts {
  numeric: boolean;
  processes: boolean;
  header: boolean;
  queues: boolean;
  states: number;
  tables: Set<'tcp' | 'udp' | 'other'>;
  families: Set<4 | 6>;
  filterWords: string[];
}

const LONG: [string, string, boolean][] = [
  ['numeric', 'n', false], ['resolve', 'r', false], ['options', 'o', false], ['extended', 'e', false], ['memory', 'm', false], ['info', 'i', false],
  ['processes', 'p', false], ['threads', 'T', false], ['bpf', 'b', false], ['events', 'E', false], ['dccp', 'd', false], ['tcp', 't', false], ['sctp', 'S', false],
  ['udp', 'u', false], ['raw', 'w', false], ['unix', 'x', false], ['tipc', 'tipc', false], ['vsock', 'vsock', false], ['all', 'a', false], ['listening', 'l', false],
  ['bound-inactive', 'B', false], ['ipv4', '4', false], ['ipv6', '6', false], ['packet', '0', false], ['family', 'f', true], ['socket', 'A', true], ['query', 'A', true],
  ['summary', 's', false], ['diag', 'D', true], ['filter', 'F', true], ['version', 'V', false], ['help', 'h', false], ['context', 'Z', false], ['contexts', 'z', false],
  ['net', 'N', true], ['tipcinfo', 'tipcinfo', false], ['tos', 'tos', false], ['cgroup', 'cgroup', false], ['kill', 'K', false], ['no-header', 'H', false],
  ['no-queues', 'Q', false], ['xdp', 'xdp', false], ['mptcp', 'M', false], ['oneline', 'O', false], ['inet-sockopt', 'inet-sockopt', false],
];

function optstring(build: Build): string {
  return build === '6.1' ? 'dhaletuwxnro460spbEf:mMiA:D:F:vVzZN:KHSO' : 'dhalBetuwxnro460spTbEf:mMiA:D:F:vVzZN:KHQSO';
}

function longOpts(build: Build): [string, string, boolean][] {
  return build === '6.1' ? LONG.filter(([n]) => !['threads', 'bound-inactive', 'no-queues'].includes(n)) : LONG;
}

/** A usage error: the message, then the whole help text on stderr, exit status 255. */
class UsageExit extends Error {
  constructor(
    readonly text: string,
    /** ss's filter parser ends its complaint without a newline, so the usage follows on the same line. */
    readonly newline = true,
  ) {
    super(text);
  }
}

/** getopt_long as glibc (Ubuntu) or musl (Alpine) runs it: options may follow operands. */
function getopt(argv: string[], build: Build): { opts: [string, string | undefined][]; operands: string[] } {
  const glibc = build === '6.1';
  const spec = optstring(build);
  const opts: [string, string | undefined][] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [name, value] = a.slice(2).split(/=(.*)/s) as [string, string | undefined];
      const exact = longOpts(build).filter(([n]) => n === name);
      const found = exact.length > 0 ? exact : longOpts(build).filter(([n]) => n.startsWith(name));
      const distinct = [...new Set(found.map(([, c]) => c))];
      if (found.length === 0) throw new UsageExit(glibc ? `ss: unrecognized option '--${name}'` : `ss: unrecognized option: ${name}`);
      if (distinct.length > 1) throw new UsageExit(glibc ? `ss: option '--${name}' is ambiguous; possibilities:${found.map(([n]) => ` '--${n}'`).join('')}` : `ss: option is ambiguous: ${name}`);
      const [full, code, hasArg] = found[0]!;
      if (!hasArg && value !== undefined) throw new UsageExit(glibc ? `ss: option '--${full}' doesn't allow an argument` : `ss: option does not take an argument: ${full}`);
      let arg = value;
      if (hasArg && arg === undefined) {
        arg = argv[++i];
        if (arg === undefined) throw new UsageExit(glibc ? `ss: option '--${full}' requires an argument` : `ss: option requires an argument: ${full}`);
      }
      opts.push([code, arg]);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        const at = spec.indexOf(ch);
        if (at < 0 || ch === ':') throw new UsageExit(glibc ? `ss: invalid option -- '${ch}'` : `ss: unrecognized option: ${ch}`);
        if (spec[at + 1] === ':') {
          let arg: string | undefined = a.slice(j + 1);
          if (arg === '') {
            arg = argv[++i];
            if (arg === undefined) throw new UsageExit(glibc ? `ss: option requires an argument -- '${ch}'` : `ss: option requires an argument: ${ch}`);
          }
          opts.push([ch, arg]);
          break;
        }
        opts.push([ch, undefined]);
      }
      continue;
    }
    operands.push(a);
  }
  return { opts, operands };
}

function scanState(name: string, build: Build): number {
  const n = name.toLowerCase();
  if (n === 'close' || n === 'closed') return bit(CLOSE);
  if (n === 'syn-rcv') return bit(SYN_RECV);
  if (n === 'all') return allStates(build);
  if (n === 'connected') return allStates(build) & ~(bit(CLOSE) | bit(LISTEN));
  if (n === 'synchronized') return allStates(build) & ~(bit(CLOSE) | bit(LISTEN) | bit(SYN_SENT));
  if (n === 'bucket') return bit(SYN_RECV) | bit(TIME_WAIT);
  if (n === 'big') return allStates(build) & ~(bit(SYN_RECV) | bit(TIME_WAIT));
  if (build === '6.15' && n === 'bound-inactive') return bit(BOUND_INACTIVE);
  const i = FILTER_NAMES.indexOf(n);
  if (i > 0) return bit(i);
  throw new CommandError('USAGE', `ss: wrong state name: ${name}`, 255);
}

const UNSUPPORTED: Record<string, string> = {
  r: '-r', o: '-o', e: '-e', m: '-m', i: '-i', T: '-T', b: '-b', E: '-E', s: '-s', D: '-D', F: '-F', Z: '-Z', z: '-z', N: '-N', K: '-K', O: '-O', B: '-B',
  tipcinfo: '--tipcinfo', tos: '--tos', cgroup: '--cgroup', 'inet-sockopt': '--inet-sockopt',
};
const OTHER_TABLES: Record<string, string> = { d: '-d', S: '-S', w: '-w', x: '-x', M: '-M', '0': '-0', tipc: '--tipc', vsock: '--vsock', xdp: '--xdp' };

function parse(argv: string[], build: Build): Opts | 'help' | 'version' {
  const { opts: list, operands } = getopt(argv, build);
  const o: Opts = { numeric: false, processes: false, header: true, queues: true, states: 0, tables: new Set(), families: new Set(), filterWords: [] };
  let stateFilter = 0;
  for (const [ch, arg] of list) {
    if (ch === 'h') return 'help';
    if (ch === 'v' || ch === 'V') return 'version';
    if (ch === 'n') o.numeric = true;
    else if (ch === 'p') o.processes = true;
    else if (ch === 'H') o.header = false;
    else if (ch === 'Q') o.queues = false;
    else if (ch === 't') o.tables.add('tcp');
    else if (ch === 'u') o.tables.add('udp');
    else if (ch === 'a') stateFilter = allStates(build);
    else if (ch === 'l') stateFilter = bit(LISTEN) | bit(CLOSE);
    else if (ch === '4') o.families.add(4);
    else if (ch === '6') o.families.add(6);
    else if (ch === 'f') {
      if (arg === 'inet') o.families.add(4);
      else if (arg === 'inet6') o.families.add(6);
      else if (arg === 'help') return 'help';
      else if (['link', 'unix', 'netlink', 'tipc', 'vsock', 'xdp'].includes(arg!)) throw new CommandError('UNSUPPORTED', `ss: -f ${arg}: this sandbox models TCP and UDP sockets only`);
      else throw new UsageExit(`ss: "${arg}" is invalid family`);
    } else if (ch === 'A') {
      for (const q of arg!.split(',')) {
        if (q === 'tcp') o.tables.add('tcp');
        else if (q === 'udp') o.tables.add('udp');
        else if (q === 'inet' || q === 'all') o.tables.add('tcp').add('udp').add('other');
        else if (['mptcp', 'raw', 'unix', 'unix_dgram', 'unix_stream', 'unix_seqpacket', 'packet', 'packet_raw', 'packet_dgram', 'netlink', 'dccp', 'sctp', 'vsock_stream', 'vsock_dgram', 'tipc', 'xdp', 'u_str', 'u_dgr', 'u_seq', 'p_raw', 'p_dgr', 'vsock', 'v_str', 'v_dgr'].includes(q))
          throw new CommandError('UNSUPPORTED', `ss: -A ${q}: this sandbox models TCP and UDP sockets only`);
        else throw new UsageExit(`ss: "${q}" is illegal socket table id`);
      }
      if (stateFilter === 0) stateFilter = connStates(build);
    } else if (OTHER_TABLES[ch]) throw new CommandError('UNSUPPORTED', `ss: ${OTHER_TABLES[ch]}: this sandbox models TCP and UDP sockets only`);
    else if (UNSUPPORTED[ch]) throw new CommandError('UNSUPPORTED', `ss: ${UNSUPPORTED[ch]} is not supported in this sandbox (try ss -tulpn)`);
  }
  // `state NAME` and `exclude NAME` come first among the operands; the rest is an expression.
  let k = 0;
  let sawStates = false;
  while (k < operands.length && ['state', 'exclude', 'excl'].includes(operands[k]!)) {
    const word = operands[k]!;
    const name = operands[k + 1];
    if (name === undefined) throw new CommandError('USAGE', 'Command line is not complete. Try option "help"', 255);
    if (word === 'state') {
      if (!sawStates) stateFilter = 0;
      stateFilter |= scanState(name, build);
    } else {
      if (!sawStates) stateFilter = allStates(build);
      stateFilter &= ~scanState(name, build);
    }
    sawStates = true;
    k += 2;
  }
  o.filterWords = operands.slice(k);
  const defaults = o.tables.size === 0 && o.families.size === 0;
  if (defaults) o.tables.add('tcp').add('udp').add('other');
  if (o.tables.size === 0) o.tables.add('tcp').add('udp').add('other');
  // The states each table shows by default: TCP's connected ones, UDP's connected ones.
  let states = 0;
  if (o.tables.has('tcp') || o.tables.has('other')) states |= connStates(build);
  if (o.tables.has('udp')) states |= bit(ESTABLISHED);
  o.states = stateFilter !== 0 ? stateFilter : defaults ? connStates(build) : states;
  if (o.families.size === 0) o.families.add(4).add(6);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Filter expressions: sport/dport comparisons joined by and/or/not and parentheses.

type Pred = (s: Sock) => boolean;

function parseFilter(words: string[]): Pred | undefined {
  const toks = words.join(' ').replace(/([()])/g, ' $1 ').split(/\s+/).filter((t) => t !== '');
  if (toks.length === 0) return undefined;
  let i = 0;
  const fail = (): never => {
    throw new UsageExit('ss: bison bellows (while parsing filter): "syntax error!"', false);
  };
  const port = (t: string | undefined): number => {
    if (t === undefined) return fail();
    const v = t.replace(/^:/, '');
    const named = Object.entries(SERVICES).find(([, n]) => n === v)?.[0];
    const n = /^\d+$/.test(v) ? Number(v) : named !== undefined ? Number(named) : NaN;
    if (!Number.isInteger(n)) throw new CommandError('USAGE', `Error: "${v}" does not look like a port.\nCannot parse dst/src address.`, 1);
    return n;
  };
  const OPS: Record<string, (a: number, b: number) => boolean> = {
    '=': (a, b) => a === b, '==': (a, b) => a === b, eq: (a, b) => a === b, '!=': (a, b) => a !== b, ne: (a, b) => a !== b, neq: (a, b) => a !== b,
    '>': (a, b) => a > b, gt: (a, b) => a > b, '<': (a, b) => a < b, lt: (a, b) => a < b, '>=': (a, b) => a >= b, ge: (a, b) => a >= b, geq: (a, b) => a >= b,
    '<=': (a, b) => a <= b, le: (a, b) => a <= b, leq: (a, b) => a <= b,
  };
  const primary = (): Pred => {
    const t = toks[i++];
    if (t === '(') {
      const e = or();
      if (toks[i++] !== ')') fail();
      return e;
    }
    if (t === '!' || t === 'not') {
      const e = primary();
      return (s) => !e(s);
    }
    if (t === 'sport' || t === 'dport') {
      let op = toks[i];
      if (op !== undefined && OPS[op]) i++;
      else op = '=';
      const n = port(toks[i++]);
      const cmp = OPS[op]!;
      return t === 'sport' ? (s) => cmp(s.lport, n) : (s) => cmp(s.rport, n);
    }
    if (t === 'src' || t === 'dst' || t === 'dev' || t === 'fwmark' || t === 'cgroup' || t === 'autobound') throw new CommandError('UNSUPPORTED', `ss: the "${t}" filter is not supported in this sandbox (sport and dport are)`);
    return fail();
  };
  const and = (): Pred => {
    let e = primary();
    while (i < toks.length && toks[i] !== ')' && toks[i] !== 'or' && toks[i] !== '||') {
      if (toks[i] === 'and' || toks[i] === '&&') i++;
      const l = e;
      const r = primary();
      e = (s) => l(s) && r(s);
    }
    return e;
  };
  const or = (): Pred => {
    let e = and();
    while (toks[i] === 'or' || toks[i] === '||') {
      i++;
      const l = e;
      const r = and();
      e = (s) => l(s) || r(s);
    }
    return e;
  };
  const e = or();
  if (i !== toks.length) fail();
  return e;
}

// ---------------------------------------------------------------------------------------------

function buildAt(ctx: CommandContext): Build {
  const loc = ctx.env.location;
  return loc.kind === 'node' ? '6.1' : imageFamily(imageAt(ctx.env.sim, loc)) === 'netshoot' || loc.kind === 'container' ? '6.15' : '6.1';
}

/** An address as inet_addr_print() shows it, with the `:` before the port. */
function addrText(s: Sock, local: boolean): string {
  if (!s.v6) return (local ? formatIp(s.local) : formatIp(s.remote)) + (local && s.dev ? `%${s.dev}` : '') + ':';
  return s.v6only ? '[::]:' : '*:';
}

export const ss: Command = {
  name: 'ss',
  summary: 'list sockets: ss -tlnp (listening TCP with processes), ss -uan, ss -tan',
  usage: ssUsage('6.15').trimEnd(),
  where: ['node', 'pod'],
  images: ['netshoot', 'agnhost'],
  // `ss --help` prints the help of the build where it runs (6.1 on the nodes).
  ownHelp: true,
  async run(ctx) {
    const build = buildAt(ctx);
    let opts: Opts | 'help' | 'version';
    let filter: Pred | undefined;
    try {
      opts = parse(ctx.argv.slice(1), build);
      if (opts !== 'help' && opts !== 'version') filter = parseFilter(opts.filterWords);
    } catch (e) {
      if (!(e instanceof UsageExit)) throw e;
      ctx.stderr.write(e.text + (e.newline ? '\n' : '') + ssUsage(build));
      return 255;
    }
    if (opts === 'help') {
      ctx.stdout.write(ssUsage(build));
      return 0;
    }
    if (opts === 'version') {
      ctx.stdout.write(`ss utility, iproute2-${build === '6.1' ? '6.1.0' : '6.15.0'}\n`);
      return 0;
    }
    const o = opts;
    const socks = socketsAt(ctx)
      .filter((s) => o.tables.has(s.proto) && o.families.has(s.v6 ? 6 : 4) && (o.states & bit(s.state)) !== 0 && (!filter || filter(s)))
      .sort((a, b) => (a.proto === b.proto ? 0 : a.proto === 'udp' ? -1 : 1) || Number(a.v6) - Number(b.v6) || a.lport - b.lport || a.local - b.local);
    const cols = newColumns();
    const tableCount = (o.tables.has('tcp') ? 1 : 0) + (o.tables.has('udp') ? 1 : 0) + (o.tables.has('other') ? 2 : 0);
    cols[NETID]!.disabled = tableCount <= 1;
    cols[STATE]!.disabled = (o.states & (o.states - 1)) === 0;
    if (build === '6.15' && !o.processes) cols[PROC]!.disabled = true;
    if (!o.queues) cols[RECVQ]!.disabled = cols[SENDQ]!.disabled = true;
    const enabled = (c: number): boolean => !cols[c]!.disabled;
    const lines: Line[] = [];
    if (o.header) lines.push(cols.map((c, i) => [i, c.header] as [number, string]).filter(([i]) => i !== EXT && enabled(i)).concat([[EXT, '']]));
    const service = (p: number): string => (p === 0 ? '*' : !o.numeric && SERVICES[p] && (p < 32768 || p > 60999) ? SERVICES[p]! : String(p));
    for (const s of socks) {
      const users = o.processes && s.users.length > 0 ? ` users:(${[...s.users].sort((a, b) => b.pid - a.pid).map((u) => `("${u.name}",pid=${u.pid},fd=${u.fd})`).join(',')})` : '';
      const fields: [number, string][] = [
        [NETID, s.proto],
        [STATE, STATE_NAMES[s.state]!],
        [RECVQ, String(s.rq).padEnd(6)],
        [SENDQ, String(s.sq).padEnd(6)],
        [4, addrText(s, true)],
        [5, service(s.lport)],
        [6, addrText(s, false)],
        [7, service(s.rport)],
        [PROC, users],
      ];
      const line: Line = fields.filter(([c]) => enabled(c));
      // The socket's last field stays pending in ss's buffer until the next socket or the end.
      line.push([EXT, '']);
      lines.push(line);
    }
    if (lines.length === 0) return 0;
    ctx.stdout.write(render(cols, finalize(lines, socks.length > 0 && enabled(PROC)), ctx.tty ? 80 : undefined));
    return 0;
  },
  complete(req) {
    if (req.prefix.startsWith('--')) return longOpts('6.15').map(([n]) => `--${n}`);
    if (req.prefix.startsWith('-')) return ['-t', '-u', '-l', '-a', '-n', '-p', '-4', '-6', '-H', '-tlnp', '-tulpn', '-tan', '-uan'];
    const prev = req.words[req.words.length - 1];
    if (prev === 'state' || prev === 'exclude') return ['listening', 'established', 'connected', 'synchronized', 'unconnected', 'all', 'time-wait', 'syn-recv', 'closed'];
    return ['state', 'exclude', 'sport', 'dport'];
  },
};

/**
 * The last line's pending token: with the Process column shown it is the last socket's Process
 * field (never flushed, so its length does not widen the column); otherwise an empty token in
 * the last column.
 */
function finalize(lines: Line[], procPending: boolean): Line[] {
  if (!procPending) return lines;
  const last = lines[lines.length - 1]!;
  if (last[last.length - 1]?.[0] === EXT) last.pop();
  return lines;
}
