/**
 * BIND's `dig` (9.20), as the netshoot image ships it; agnhost's (9.18) and jessie-dnsutils'
 * (9.9) print their own version, and so does the nodes' (Ubuntu 24.04's bind9-dnsutils,
 * 9.18, asking the node's nameserver, the LAN's router, unless given @10.96.0.10).
 *
 * Design notes: dig sends one real query over UDP to the pod's nameserver (or `@server`),
 * with RD and AD set and an EDNS OPT record carrying a client cookie, as dig does; the
 * answer is decoded from the bytes that came back through the network (DNAT to a CoreDNS pod
 * included). The layout is dig's: a blank line, `; <<>> DiG 9.20.11 <<>> ARGS`, `;; global
 * options: +cmd`, `;; Got answer:`, the `->>HEADER<<-` and flags lines (with `;; WARNING:
 * recursion requested but not available` when RA is clear, as CoreDNS's kubernetes plugin
 * answers), the sections with records laid out on dig's tab stops (owner, then TTL at column
 * 24, class at 32, type at 40, data at 48: a single space where a field overruns its column),
 * then `;; Query time`, `;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)`, `;; WHEN:` and `;; MSG
 * SIZE  rcvd:`. dig does not use the search list unless asked (+search): `dig web` asks for
 * `web.` and gets NXDOMAIN where `nslookup web` finds the Service. `+short` prints the data
 * only; `+noall +answer` and the other +[no]section options choose what prints; `-x ADDR`
 * asks for the PTR name; `-t TYPE` or a type word picks the query type. No reply: three tries
 * of 5 s, `;; communications error to ...: timed out`, `;; no servers could be reached`,
 * exit 9. A port unreachable from the server (nothing listens on 53 behind a ClusterIP)
 * fails each try at once on dig's connected socket: three `;; communications error to
 * SERVER#53: connection refused` lines, the greeting, `;; no servers could be reached`, exit 9
 * (9.18 and later; 9.9 keeps the time-out). The greeting says `; (1 server found)` after the
 * command line when @server named the server (printgreeting's addresscount).
 * Left out: TCP (+tcp), DNSSEC options, +trace, batch files, IPv6 servers, the OPT
 * pseudo-section of the reply (the sandbox's CoreDNS answers without EDNS).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { decodeDns, DnsEncodeError, dnsQuery, encodableName, encodeDns, nameLabels, fqdn, rdataText, typeCode, typeName, className, rcodeName, type DnsMessage, type DnsRecord } from '../../sim/dns';
import { formatIp, parseIp } from '../../sim/ipv4';
import { parseResolvConf, searchCandidates } from '../../sim/k8s/coredns';
import { nodeResolvConf, nsIdOf, resolvConfAt } from '../resolver';
import { imageAt, imageFamily } from '../images';
import { udpSocketErrno } from '../../sim/sim';

export const BIND_VERSION = '9.20.11';

/** The nodes' dig: Ubuntu 24.04's bind9-dnsutils. */
export const UBUNTU_BIND_VERSION = '9.18.30-0ubuntu0.24.04.2-Ubuntu';

/**
 * The BIND version an image's dig and nslookup come from: netshoot's Alpine edge (9.20),
 * agnhost's Alpine bind-tools (9.18), jessie-dnsutils' Debian 8 dnsutils (9.9, whose dig
 * writes no `(UDP)` after the server).
 */
export function bindVersion(image: string): string {
  const family = imageFamily(image);
  return family === 'dnsutils' ? '9.9.5-9+deb8u19-Debian' : family === 'agnhost' ? '9.18.33' : BIND_VERSION;
}

const USAGE = `Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}
            {global-d-opt} host [@local-server] {local-d-opt}
            [ host [@local-server] {local-d-opt} [...]]

Use "dig -h" (or "dig -h | more") for complete list of options`;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime "%a %b %d %H:%M:%S %Z %Y" in UTC, as the container's clock reads. */
export function digWhen(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** BIND's indent(): tabs to the next stops, a space when the text already reached the column. */
function pad(from: number, to: number): string {
  if (to < from + 1) to = from + 1;
  const tabs = Math.max(0, Math.floor(to / 8) - Math.floor(from / 8));
  let out = '\t'.repeat(tabs);
  const base = tabs > 0 ? Math.floor(to / 8) * 8 : from;
  out += ' '.repeat(to - base);
  return out;
}

/** One record on dig's columns (24, 32, 40, 48). */
export function digRecord(r: DnsRecord, question = false): string {
  const type = r.type === 'raw' ? typeName(r.code) : r.type;
  let col = 0;
  let out = '';
  const put = (text: string, to?: number): void => {
    if (to !== undefined) {
      const p = pad(col, to);
      out += p;
      col = Math.max(to, col + 1);
    }
    out += text;
    col += text.length;
  };
  put(question ? `;${fqdn(r.name)}` : fqdn(r.name));
  if (!question) put(String(r.ttl), 24);
  put(className(r.class), 32);
  put(type, 40);
  if (!question) put(rdataText(r), 48);
  return out;
}

interface DigOptions {
  server?: string;
  name?: string;
  type: number;
  short: boolean;
  search: boolean;
  show: Record<'cmd' | 'comments' | 'question' | 'answer' | 'authority' | 'additional' | 'stats', boolean>;
}

function parseArgs(args: string[]): DigOptions {
  const o: DigOptions = { type: 1, short: false, search: false, show: { cmd: true, comments: true, question: true, answer: true, authority: true, additional: true, stats: true } };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('@')) o.server = a.slice(1);
    else if (a.startsWith('+')) {
      const neg = a.startsWith('+no');
      const word = a.slice(neg ? 3 : 1).split('=')[0]!;
      if (word === 'short') {
        o.short = !neg;
        if (!neg) o.show = { cmd: false, comments: false, question: false, answer: true, authority: false, additional: false, stats: false };
      } else if (word === 'search') o.search = !neg;
      else if (word === 'all') for (const k of Object.keys(o.show) as (keyof DigOptions['show'])[]) o.show[k] = !neg;
      else if (word in o.show) o.show[word as keyof DigOptions['show']] = !neg;
      else if (['tcp', 'vc', 'trace', 'dnssec', 'nssearch'].includes(word) && !neg) throw new CommandError('UNSUPPORTED', `dig: +${word} is not supported in this sandbox`, 1);
      else if (!['recurse', 'cookie', 'edns', 'adflag', 'tries', 'retry', 'timeout', 'time', 'ttlid', 'class', 'identify', 'multiline', 'nsid'].includes(word)) throw new CommandError('USAGE', `Invalid option: ${a}\n${USAGE}`, 1);
    } else if (a === '-t') o.type = queryType(args[++i]);
    else if (a === '-x') {
      const ip = parseIp(args[++i] ?? '');
      if (ip === undefined) throw new CommandError('USAGE', `dig: '${args[i] ?? ''}' is not a legal IPv4 address`, 10);
      o.name = `${ip & 255}.${(ip >>> 8) & 255}.${(ip >>> 16) & 255}.${ip >>> 24}.in-addr.arpa.`;
      o.type = 12;
    } else if (a === '-4' || a === '-q') {
      if (a === '-q') o.name = args[++i];
    } else if (a.startsWith('-')) throw new CommandError('USAGE', `Invalid option: ${a}\n${USAGE}`, 1);
    else if (o.name !== undefined && isType(a)) o.type = queryType(a);
    else if (o.name === undefined && isType(a) && args.slice(i + 1).some((x) => !x.startsWith('+') && !x.startsWith('@') && !x.startsWith('-'))) o.type = queryType(a);
    else if (a.toUpperCase() === 'IN') continue;
    else o.name = a;
  }
  return o;
}

function isType(word: string): boolean {
  try {
    typeCode(word);
    return !/^\d+$/.test(word);
  } catch {
    return false;
  }
}

function queryType(word: string | undefined): number {
  try {
    return typeCode(word ?? '');
  } catch {
    throw new CommandError('USAGE', `dig: '${word ?? ''}' is not a valid type`, 1);
  }
}

/**
 * dighost's check of a name before any query (dns_name_fromtext): a name that cannot be put
 * on the wire ends the program with `'NAME' is not a legal name (REASON)`: exit 10 for dig,
 * 1 for nslookup (its fatal exit status).
 */
export function checkLegalName(program: string, name: string, exitCode = 10): void {
  try {
    nameLabels(name);
  } catch (e) {
    if (!(e instanceof DnsEncodeError)) throw e;
    const reason = /^empty label/.test(e.message) ? 'empty label' : /^label longer/.test(e.message) ? 'label too long' : /^name longer/.test(e.message) ? 'ran out of space' : /escape|backslash/.test(e.message) ? 'bad escape' : null;
    if (reason === null) throw new CommandError('INVALID', `${program}: '${name}' is not a legal IDNA2008 name (string contains a disallowed character), use +noidnin`, exitCode);
    throw new CommandError('INVALID', `${program}: '${name}' is not a legal name (${reason})`, exitCode);
  }
}

/** isc_result_totext() of the errors BIND's connected UDP socket reports (isc__errno2result). */
const ISC_ERRORS: Partial<Record<NonNullable<ReturnType<typeof udpSocketErrno>>, string>> = {
  ECONNREFUSED: 'connection refused',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host down',
};

/**
 * One query over a connected UDP socket: the answer, the error an ICMP message left on the
 * socket (a port unreachable from the server: `connection refused`), or undefined when
 * nothing came back.
 */
export async function query(ctx: CommandContext, server: number, name: string, type: number): Promise<{ msg: DnsMessage; bytes: number; rttMs: number } | { error: string } | undefined> {
  const q = dnsQuery(ctx.env.sim.rng.int(65536), name, type);
  q.z = 2; // AD
  const cookie = Array.from({ length: 8 }, () => ctx.env.sim.rng.int(256));
  q.additional = [{ name: '', type: 'raw', code: 41, class: 1232, ttl: 0, data: Uint8Array.from([0, 10, 0, 8, ...cookie]) }];
  const r = ctx.env.sim.udpRequest(nsIdOf(ctx.env), server, 53, encodeDns(q));
  const errno = r.kind === 'icmp-error' ? udpSocketErrno(r.type, r.code) : undefined;
  const error = errno && ISC_ERRORS[errno];
  if (error) return { error };
  if (r.kind !== 'reply') return undefined;
  return { msg: decodeDns(r.data), bytes: r.data.length, rttMs: r.rttMs };
}

function flagsText(m: DnsMessage): string {
  const f = [m.qr && 'qr', m.aa && 'aa', m.tc && 'tc', m.rd && 'rd', m.ra && 'ra', m.z & 2 && 'ad', m.z & 1 && 'cd'].filter(Boolean);
  return f.join(' ');
}

export const dig: Command = {
  name: 'dig',
  summary: 'ask a DNS server exactly one question: dig web.default.svc.cluster.local (bind)',
  usage: USAGE,
  where: ['pod', 'node'],
  images: ['netshoot', 'agnhost', 'dnsutils'],
  // dig takes `--help` for an invalid option: `Invalid option: --help`, usage, status 1.
  ownHelp: true,
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'pod' && loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'dig: not available here');
    const args = ctx.argv.slice(1);
    const o = parseArgs(args);
    const conf = parseResolvConf(loc.kind === 'pod' ? resolvConfAt(ctx.env, loc) : nodeResolvConf(ctx.env));
    const serverText = o.server ?? conf.nameservers[0] ?? '10.96.0.10';
    const server = parseIp(serverText);
    if (server === undefined) throw new CommandError('NOT_FOUND', `dig: couldn't get address for '${serverText}': not found`, 10);
    const name = o.name ?? '.';
    const typed = name === '.' && o.name === undefined ? 2 : o.type; // no name: dig asks for the root's NS
    checkLegalName('dig', name);
    const candidates = (o.search && !name.endsWith('.') ? searchCandidates(name, conf, 'glibc') : [name]).filter(encodableName);
    const version = loc.kind === 'pod' ? bindVersion(imageAt(ctx.env.sim, loc)) : UBUNTU_BIND_VERSION;
    // printgreeting(): `(N server found)` when @server named the addresses to ask.
    const header = `\n; <<>> DiG ${version} <<>> ${args.join(' ')}\n${o.server !== undefined ? '; (1 server found)\n' : ''}`;
    let answer: { msg: DnsMessage; bytes: number; rttMs: number } | { error: string } | undefined;
    for (const cand of candidates) {
      answer = await query(ctx, server, cand, typed);
      if (!answer || 'error' in answer) break;
      if (answer.msg.rcode !== 3) break;
    }
    if (answer && 'error' in answer && !version.startsWith('9.9.')) {
      // A port unreachable (nothing listens on 53): each of the three tries fails at once.
      for (let i = 0; i < 3; i++) ctx.stdout.write(`;; communications error to ${serverText}#53: ${answer.error}\n`);
      if (o.show.cmd) ctx.stdout.write(`${header};; global options: +cmd\n`);
      ctx.stdout.write(';; no servers could be reached\n');
      return 9;
    }
    if (!answer || 'error' in answer) {
      for (let i = 0; i < 3; i++) {
        if (!(await ctx.sleep(5000))) return 130;
        ctx.stdout.write(`;; communications error to ${serverText}#53: timed out\n`);
      }
      if (o.show.cmd) ctx.stdout.write(`${header};; global options: +cmd\n`);
      ctx.stdout.write(';; no servers could be reached\n');
      return 9;
    }
    const m = answer.msg;
    if (o.short) {
      ctx.stdout.write(m.answers.map((r) => rdataText(r) + '\n').join(''));
      return 0;
    }
    let out = '';
    if (o.show.cmd) out += `${header};; global options: +cmd\n`;
    if (o.show.comments) {
      out += `;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${rcodeName(m.rcode)}, id: ${m.id}\n`;
      const additional = m.additional.length;
      out += `;; flags: ${flagsText(m)}; QUERY: ${m.questions.length}, ANSWER: ${m.answers.length}, AUTHORITY: ${m.authority.length}, ADDITIONAL: ${additional}\n`;
      if (m.rd && !m.ra) out += ';; WARNING: recursion requested but not available\n';
      out += '\n';
    }
    const section = (title: string, show: boolean, lines: string[]): void => {
      if (!show || lines.length === 0) return;
      if (o.show.comments) out += `;; ${title} SECTION:\n`;
      out += lines.map((l) => l + '\n').join('');
      if (o.show.comments) out += '\n';
    };
    section('QUESTION', o.show.question, m.questions.map((q) => digRecord({ name: q.name, class: q.class, ttl: 0, type: 'raw', code: q.type, data: new Uint8Array() }, true)));
    section('ANSWER', o.show.answer, m.answers.map((r) => digRecord(r)));
    section('AUTHORITY', o.show.authority, m.authority.map((r) => digRecord(r)));
    section('ADDITIONAL', o.show.additional, m.additional.filter((r) => !(r.type === 'raw' && r.code === 41)).map((r) => digRecord(r)));
    if (o.show.stats) {
      out += `;; Query time: ${Math.floor(answer.rttMs)} msec\n`;
      out += `;; SERVER: ${formatIp(server)}#53(${serverText})${version.startsWith('9.9.') ? '' : ' (UDP)'}\n`;
      out += `;; WHEN: ${digWhen(ctx.env.scheduler.now())}\n`;
      out += `;; MSG SIZE  rcvd: ${answer.bytes}\n\n`;
    }
    ctx.stdout.write(out);
    return 0;
  },
  complete() {
    return ['+short', '+search', '+noall', '+answer', '+nocmd', '+nostats', '-x', '-t', 'A', 'SRV', 'PTR', 'NS', 'SOA', 'TXT', 'AAAA'];
  },
};
