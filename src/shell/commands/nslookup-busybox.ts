/**
 * busybox `nslookup`, in the version the pod's image has (images.ts busyboxVersion): 1.28 and
 * older ask the C library, 1.29 and newer build their own queries (networking/nslookup.c at
 * tags 1_28_4 and 1_36_1 of busybox).
 *
 * Design notes:
 * - Up to 1.28: `nslookup HOST [SERVER]` calls getaddrinfo(), so the name goes through the
 *   libc resolver and its search list (`kubernetes.default` is found as
 *   `kubernetes.default.svc.cluster.local`, as the DNS debugging guide shows). It first prints
 *   the server the way it prints a result: `Server:    10.96.0.10` (the label padded to 10
 *   columns, a space, the text), then `Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local`
 *   (the address and, when a PTR query for it gets an answer, the name), a blank line; then
 *   `Name:      <HOST as typed>` and one `Address N: <ip> [<name>]` per address. A name that
 *   does not resolve: `nslookup: can't resolve 'HOST'` on stderr, status 1.
 * - From 1.29: A and AAAA queries (PTR for an address) are sent to the server over UDP, and
 *   each reply is printed as it comes: `Server:\t\t10.96.0.10` and `Address:\t10.96.0.10:53`
 *   and a blank line before the first, then per reply `Non-authoritative answer:` when AA is
 *   clear, `Name:\t<name>` and `Address: <ip>` per A or AAAA record (`<name>\tcanonical name
 *   = <target>`, `<ptr>\tname = <target>`), or `** server can't find <name>: NXDOMAIN`, and a
 *   blank line. From 1.30 a name without a dot is tried with each search domain (and never
 *   bare), all queries at once: one reply per try, NXDOMAIN lines included. From 1.31 an
 *   error reply makes the status 1. 1.32 and 1.33 print `*** Can't find <name>: No answer`
 *   for a reply without records (1.34 prints just the blank line). No reply within 5 s:
 *   `;; connection timed out; no servers could be reached`, status 1.
 * Replies are printed in the order the queries were sent (the sandbox's server answers them
 * in order).
 * A name no query can carry (an empty label, a label over 63 bytes): res_mkquery() fails and
 * the write of its query fails (`nslookup: write to '10.96.0.10': Message too long`, derived
 * from the source, not observed), then the time-out message.
 * From 1.29 the queries share one socket connected to the server, so a port unreachable
 * from it (a Service whose pods do not listen on 53, or kube-proxy's REJECT for one without
 * endpoints) leaves ECONNREFUSED there: the next query's write fails (`nslookup: write to
 * 'SERVER': Connection refused` on stderr, then the time-out message at once, status 1), or,
 * when no query was left to write, the read does (`nslookup: read: Connection refused`); the
 * applet then sends its queries again at 2.5 s (half its 5 s timeout, two tries) and gives up
 * at 5 s. The sandbox's error arrives before the next write, as it does when the server is a
 * pod on the same host (veth) as the client; over a real wire the second write can go first.
 * Observed with busybox 1.35 against a DNAT to a closed port, docs/reference/fidelity.md 36.
 * Left out: -debug output, -port/-retry/-timeout, query types other than A, AAAA, PTR, CNAME,
 * NS and SRV; the 1.28 resolver's own timeouts (one 5 s wait stands for them); a server
 * given by name.
 */
import type { CommandContext } from '../command';
import { CommandError } from '../errors';
import { decodeDns, dnsQuery, encodableName, encodeDns, formatIpv6, fqdn, type DnsMessage } from '../../sim/dns';
import { formatIp, parseIp, type Ip } from '../../sim/ipv4';
import { parseResolvConf, searchCandidates } from '../../sim/k8s/coredns';
import { compareVersions } from '../../sim/apps/image';
import { nsIdOf } from '../resolver';
import { udpSocketErrno } from '../../sim/sim';

type Ask = (name: string, type: number) => DnsMessage | undefined;

/** strerror() of the errors a connected UDP socket reports. */
const STRERROR: Record<NonNullable<ReturnType<typeof udpSocketErrno>>, string> = {
  ECONNREFUSED: 'Connection refused',
  ENOPROTOOPT: 'Protocol not available',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EHOSTDOWN: 'Host is down',
  ENONET: 'Machine is not on the network',
};

/**
 * The modern applet's socket, connected to the server: each query comes back as its reply,
 * as the error an ICMP message left on the socket (a port unreachable: ECONNREFUSED), or not.
 */
function connectedAsker(ctx: CommandContext, server: Ip): (name: string, type: number) => DnsMessage | { errno: NonNullable<ReturnType<typeof udpSocketErrno>> } | undefined {
  const sport = 32768 + ctx.env.sim.rng.int(28232);
  return (name, type) => {
    const r = ctx.env.sim.udpRequest(nsIdOf(ctx.env), server, 53, encodeDns(dnsQuery(ctx.env.sim.rng.int(65536), name, type)), sport);
    if (r.kind === 'reply') return decodeDns(r.data);
    const errno = r.kind === 'icmp-error' ? udpSocketErrno(r.type, r.code) : undefined;
    return errno ? { errno } : undefined;
  };
}

/** Queries from one socket (one source port), as the applet sends them. */
function asker(ctx: CommandContext, server: Ip): Ask {
  const sport = 32768 + ctx.env.sim.rng.int(28232);
  return (name, type) => {
    const r = ctx.env.sim.udpRequest(nsIdOf(ctx.env), server, 53, encodeDns(dnsQuery(ctx.env.sim.rng.int(65536), name, type)), sport);
    return r.kind === 'reply' ? decodeDns(r.data) : undefined;
  };
}

function ptrName(ip: Ip): string {
  return `${ip & 255}.${(ip >>> 8) & 255}.${(ip >>> 16) & 255}.${ip >>> 24}.in-addr.arpa`;
}

/** Runs the applet with the place's resolv.conf text; `usage` is thrown for a bad command line. */
export async function busyboxNslookup(ctx: CommandContext, version: string, resolv: string, usage: string): Promise<number> {
  const conf = parseResolvConf(resolv);
  return compareVersions(version, '1.29') < 0 ? legacy(ctx, conf, usage) : modern(ctx, version, conf, usage);
}

/** busybox <= 1.28: getaddrinfo() and getnameinfo() through the libc resolver. */
async function legacy(ctx: CommandContext, conf: ReturnType<typeof parseResolvConf>, usage: string): Promise<number> {
  const argv = ctx.argv;
  if (!argv[1] || argv[1].startsWith('-') || argv.length > 3) throw new CommandError('USAGE', usage, 1);
  const name = argv[1];
  const serverText = argv[2] ?? conf.nameservers[0] ?? '10.96.0.10';
  const server = parseIp(serverText);
  if (server === undefined) throw new CommandError('NOT_FOUND', `nslookup: bad address '${serverText}'`, 1);
  const ask = asker(ctx, server);
  let silent = false;
  /** getnameinfo(NI_NAMEREQD): the PTR name, or undefined. */
  const reverse = async (ip: Ip): Promise<string | undefined> => {
    if (silent) return undefined;
    const m = ask(ptrName(ip), 12);
    if (!m) {
      silent = true;
      await ctx.sleep(5000);
      return undefined;
    }
    const t = m.rcode === 0 ? m.answers.find((a) => a.type === 'PTR') : undefined;
    return t && t.type === 'PTR' ? t.target.replace(/\.$/, '') : undefined;
  };
  const block = async (label: string, text: string, addrs: Ip[]): Promise<string> => {
    let out = `${label.padEnd(10)} ${text}\n`;
    let n = 0;
    for (const a of addrs) {
      const rev = await reverse(a);
      out += `Address ${++n}: ${formatIp(a)}${rev ? ` ${rev}` : ''}\n`;
    }
    return out;
  };
  ctx.stdout.write((await block('Server:', serverText, [server])) + '\n');
  // getaddrinfo(AF_UNSPEC): each try asks for A and AAAA; the IPv4 addresses are what the sandbox has.
  const literal = parseIp(name);
  let addrs: Ip[] | undefined = literal !== undefined ? [literal] : undefined;
  if (!addrs && !silent) {
    for (const cand of searchCandidates(name, conf, 'glibc').filter(encodableName)) {
      const a = ask(cand, 1);
      if (!a) {
        await ctx.sleep(5000);
        break;
      }
      ask(cand, 28);
      if (a.rcode !== 0) continue;
      const found = a.answers.flatMap((r) => (r.type === 'A' ? [r.address] : []));
      if (found.length > 0) {
        addrs = found;
        break;
      }
    }
  }
  if (!addrs) {
    ctx.stderr.write(`nslookup: can't resolve '${name}'\n`);
    return 1;
  }
  ctx.stdout.write(await block('Name:', name, addrs));
  return 0;
}

const QTYPES: Record<string, number> = { a: 1, ns: 2, cname: 5, soa: 6, ptr: 12, mx: 15, txt: 16, aaaa: 28, srv: 33, any: 255 };
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE', '11', '12', '13', '14', '15'];

/** busybox >= 1.29: its own queries, replies printed as they come. */
async function modern(ctx: CommandContext, version: string, conf: ReturnType<typeof parseResolvConf>, usage: string): Promise<number> {
  const args = ctx.argv.slice(1);
  const types: number[] = [];
  while (args[0]?.startsWith('-')) {
    const word = args.shift()!.slice(1);
    const eq = word.indexOf('=');
    const opt = eq < 0 ? word : word.slice(0, eq);
    const val = eq < 0 ? '' : word.slice(eq + 1);
    if (opt === 'type' || opt === 'querytype' || opt === 't') {
      const t = QTYPES[val.toLowerCase()];
      if (t === undefined) throw new CommandError('INVALID', `nslookup: invalid query type "${val}"`, 1);
      if (![1, 2, 5, 12, 28, 33].includes(t)) throw new CommandError('UNSUPPORTED', `nslookup: -type=${val} is not supported in this sandbox; try A, AAAA, PTR, SRV, NS or CNAME`, 1);
      if (!types.includes(t)) types.push(t);
    } else if (!['port', 'retry', 'debug', 'timeout'].includes(opt)) throw new CommandError('USAGE', usage, 1);
  }
  const name = args[0];
  if (!name || args.length > 2) throw new CommandError('USAGE', usage, 1);
  const serverText = args[1] ?? conf.nameservers[0] ?? '127.0.0.1';
  const server = parseIp(serverText);
  if (server === undefined) throw new CommandError('NOT_FOUND', `nslookup: bad address '${serverText}'`, 1);
  const ask = connectedAsker(ctx, server);
  const searchAll = compareVersions(version, '1.30') >= 0;
  const withSearch = (type: number): string[] => (type === 12 || !searchAll || name.includes('.') || conf.search.length === 0 ? [name] : conf.search.map((d) => `${name}.${d}`));
  const queries: { name: string; type: number }[] = [];
  const literal = parseIp(name);
  if (types.length === 0) {
    if (literal !== undefined) queries.push({ name: ptrName(literal), type: 12 });
    else for (const t of [1, 28]) for (const n of withSearch(t)) queries.push({ name: n, type: t });
  } else {
    // the types in busybox's qtypes[] order
    for (const t of [1, 2, 5, 6, 12, 15, 16, 28, 33, 255].filter((x) => types.includes(x))) for (const n of withSearch(t)) queries.push({ name: n, type: t });
  }
  // A name res_mkquery() cannot encode leaves a query of length -1, which write() refuses
  // (udp_sendmsg: EMSGSIZE): the applet gives up on the server.
  const bad = queries.find((q) => !encodableName(q.name));
  if (bad) {
    ctx.stderr.write(`nslookup: write to '${serverText}': Message too long\n`);
    ctx.stdout.write(';; connection timed out; no servers could be reached\n\n');
    return 1;
  }
  let out = '';
  let replies = 0;
  let status = 0;
  const print = (q: { name: string }, m: DnsMessage): void => {
    if (replies++ === 0) out += `Server:\t\t${serverText}\nAddress:\t${formatIp(server)}:53\n\n`;
    if (m.rcode !== 0) {
      out += `** server can't find ${q.name}: ${RCODES[m.rcode]}\n`;
      if (compareVersions(version, '1.31') >= 0) status = 1;
    } else {
      if (!m.aa) out += 'Non-authoritative answer:\n';
      for (const r of m.answers) {
        if (r.type === 'A') out += `Name:\t${fqdn(r.name).replace(/\.$/, '')}\nAddress: ${formatIp(r.address)}\n`;
        else if (r.type === 'AAAA') out += `Name:\t${fqdn(r.name).replace(/\.$/, '')}\nAddress: ${formatIpv6(r.address)}\n`;
        else if (r.type === 'CNAME') out += `${fqdn(r.name).replace(/\.$/, '')}\tcanonical name = ${r.target.replace(/\.$/, '')}\n`;
        else if (r.type === 'PTR') out += `${fqdn(r.name).replace(/\.$/, '')}\tname = ${r.target.replace(/\.$/, '')}\n`;
        else if (r.type === 'NS') out += `${fqdn(r.name).replace(/\.$/, '')}\tnameserver = ${r.host.replace(/\.$/, '')}\n`;
        else if (r.type === 'SRV') out += `${fqdn(r.name).replace(/\.$/, '')}\tservice = ${r.priority} ${r.weight} ${r.port} ${r.target.replace(/\.$/, '')}\n`;
      }
      if (m.answers.length === 0 && compareVersions(version, '1.32') >= 0 && compareVersions(version, '1.34') < 0) out += `*** Can't find ${q.name}: No answer\n`;
    }
    out += '\n';
  };
  // send_queries(): every unanswered query is written, then the socket is read. A port
  // unreachable for one query leaves ECONNREFUSED on the socket: the next write fails (the
  // applet gives up on the server at once), or, after the last write, a read does (it says so
  // and keeps waiting, sending the queries again after half the 5 s timeout).
  const answered = queries.map(() => false);
  let pending: NonNullable<ReturnType<typeof udpSocketErrno>> | undefined;
  let refused = false;
  const round = (): boolean => {
    const arrived: ({ i: number; m: DnsMessage } | { errno: NonNullable<ReturnType<typeof udpSocketErrno>> })[] = [];
    for (let i = 0; i < queries.length; i++) {
      if (answered[i]) continue;
      if (pending) {
        ctx.stderr.write(`nslookup: write to '${serverText}': ${STRERROR[pending]}\n`);
        pending = undefined;
        return false;
      }
      const r = ask(queries[i]!.name, queries[i]!.type);
      if (r && 'errno' in r) {
        pending = r.errno;
        arrived.push(r);
      } else if (r) arrived.push({ i, m: r });
    }
    for (const a of arrived) {
      if ('errno' in a) {
        if (!pending) continue;
        ctx.stderr.write(`nslookup: read: ${STRERROR[pending]}\n`);
        pending = undefined;
        refused = true;
        continue;
      }
      answered[a.i] = true;
      print(queries[a.i]!, a.m);
    }
    return true;
  };
  const gaveUp = (): number => {
    ctx.stdout.write(out + ';; connection timed out; no servers could be reached\n\n');
    return 1;
  };
  if (!round()) return gaveUp();
  if (refused && answered.includes(false)) {
    if (!(await ctx.sleep(2500))) return 130;
    if (!round()) return gaveUp();
    if (!(await ctx.sleep(2500))) return 130;
    if (replies === 0) return gaveUp();
  }
  if (replies === 0) {
    if (!(await ctx.sleep(5000))) return 130;
    ctx.stdout.write(';; connection timed out; no servers could be reached\n\n');
    return 1;
  }
  ctx.stdout.write(out);
  return status;
}
