/**
 * busybox `nslookup` and `wget`, as they behave inside busybox pods.
 *
 * Design notes: nslookup (busybox >= 1.29) asks the pod's nameserver (10.96.0.10, DNATed to a
 * CoreDNS pod) over real UDP and prints busybox's layout (fidelity.md 7): `Server:` and
 * `Address:` with tabs, a blank line, then `Name:` and `Address:` for each A record, or
 * `** server can't find NAME: NXDOMAIN` (status 1). busybox applies the search list only to
 * names without a dot, so `nslookup kubernetes.default` fails where glibc would succeed.
 * wget fetches one URL over a real TCP connection; `-qO-` prints the body; failures use
 * busybox's messages (`bad address`, `can't connect to remote host`, `server returned error`).
 * Left out: nslookup's AAAA half and query types, reverse lookups; wget's saving to files,
 * progress bars, -S headers.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { decodeDns, dnsQuery, encodeDns } from '../../sim/dns';
import { formatIp, parseIp } from '../../sim/ipv4';
import { parseResolvConf, resolvConf } from '../../sim/k8s/coredns';
import { text } from '../../sim/apps';
import { nsIdOf, resolveHost } from '../resolver';

export const nslookup: Command = {
  name: 'nslookup',
  summary: 'ask the DNS server for a name: nslookup web (busybox)',
  usage: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST',
  where: ['pod'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'pod') throw new CommandError('UNSUPPORTED', 'nslookup: not available here');
    const args = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
    const name = args[0];
    if (!name) throw new CommandError('USAGE', this.usage, 1);
    const conf = parseResolvConf(resolvConf(ctx.env.sim.state, loc.namespace));
    const server = args[1] ?? conf.nameservers[0] ?? '10.96.0.10';
    const serverIp = parseIp(server);
    if (serverIp === undefined) throw new CommandError('NOT_FOUND', `nslookup: bad address '${server}'`, 1);
    const bare = name.replace(/\.$/, '');
    const candidates = name.endsWith('.') || name.includes('.') ? [bare] : [...conf.search.map((d) => `${bare}.${d}`), bare];
    ctx.stdout.write(`Server:\t\t${server}\nAddress:\t${server}:53\n\n`);
    for (const cand of candidates) {
      const r = ctx.env.sim.udpRequest(nsIdOf(ctx.env), serverIp, 53, encodeDns(dnsQuery(ctx.env.sim.rng.int(65536), cand, 'A')));
      if (r.kind !== 'reply') {
        if (!(await ctx.sleep(5000))) return 130;
        ctx.stdout.write(';; connection timed out; no servers could be reached\n\n');
        return 1;
      }
      const m = decodeDns(r.data);
      if (m.rcode !== 0) continue;
      for (const a of m.answers) {
        if (a.type === 'CNAME') ctx.stdout.write(`${a.name}\tcanonical name = ${a.target}\n`);
        if (a.type === 'A') ctx.stdout.write(`Name:\t${a.name}\nAddress: ${formatIp(a.address)}\n`);
      }
      ctx.stdout.write('\n');
      return 0;
    }
    ctx.stdout.write(`** server can't find ${bare}: NXDOMAIN\n\n`);
    return 1;
  },
};

export const wget: Command = {
  name: 'wget',
  summary: 'fetch a URL: wget -qO- http://web/ (busybox)',
  usage: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[-T SEC] URL...\n\nRetrieve files via HTTP or FTP\n\n\t-q\t\tQuiet\n\t-O FILE\t\tSave to FILE (\'-\' for stdout)\n\t-T SEC\t\tNetwork read timeout is SEC seconds',
  where: ['pod'],
  async run(ctx) {
    const args = ctx.argv.slice(1).flatMap((a) => (a === '-qO-' ? ['-q', '-O', '-'] : a === '-O-' ? ['-O', '-'] : [a]));
    let quiet = false;
    let out: string | undefined;
    let timeout = 900;
    const headers: string[] = [];
    let url: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-q') quiet = true;
      else if (a === '-O') out = args[++i];
      else if (a === '-T') timeout = Number(args[++i]);
      else if (a === '--header') headers.push(args[++i] ?? '');
      else if (a.startsWith('-')) throw new CommandError('USAGE', `wget: unrecognized option '${a}'\n${this.usage}`, 1);
      else url = a;
    }
    if (!url) throw new CommandError('USAGE', this.usage, 1);
    if (out !== '-') throw new CommandError('UNSUPPORTED', "wget: saving to files is not supported in this sandbox yet; use -O - (or -qO-) to print to the terminal", 1);
    const m = /^(?:http:\/\/)?([^/:]+)(?::(\d+))?(.*)$/.exec(url);
    if (!m || url.startsWith('https://')) throw new CommandError('UNSUPPORTED', 'wget: only http:// URLs are modelled in this sandbox', 1);
    const host = m[1]!;
    const port = m[2] ? Number(m[2]) : 80;
    const path = m[3] || '/';
    const resolved = resolveHost(ctx.env, host);
    if (!resolved.ok) throw new CommandError('NOT_FOUND', `wget: bad address '${host}'`, 1);
    if (!quiet) ctx.stderr.write(`Connecting to ${host} (${formatIp(resolved.ip)}:${port})\n`);
    const req = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Wget\r\n${headers.map((h) => h + '\r\n').join('')}Connection: close\r\n\r\n`;
    const r = ctx.env.sim.tcpRequest(nsIdOf(ctx.env), resolved.ip, port, Uint8Array.from(req, (c) => c.charCodeAt(0)));
    if (r.kind === 'timeout' || r.kind === 'local-error') {
      if (!(await ctx.sleep(Math.min(timeout, 130) * 1000))) return 130;
      throw new CommandError('EXEC_FAILED', 'wget: download timed out', 1);
    }
    if (r.kind === 'refused' || r.kind === 'icmp-error') throw new CommandError('EXEC_FAILED', `wget: can't connect to remote host (${formatIp(resolved.ip)}): ${r.kind === 'refused' || r.code === 3 ? 'Connection refused' : 'No route to host'}`, 1);
    const resp = text(r.data);
    const statusLine = resp.split('\r\n')[0] ?? '';
    if (!/^HTTP\/1\.[01] 2\d\d/.test(statusLine)) throw new CommandError('EXEC_FAILED', `wget: server returned error: ${statusLine}`, 1);
    const body = resp.slice(resp.indexOf('\r\n\r\n') + 4);
    if (!quiet) ctx.stderr.write('writing to stdout\n');
    ctx.stdout.write(body);
    if (!quiet) ctx.stderr.write(`-                    100% |********************************|   ${body.length}  0:00:00 ETA\nwritten to stdout\n`);
    return 0;
  },
};
