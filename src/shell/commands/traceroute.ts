/**
 * `traceroute`: UDP probes with growing TTL, and who answers each.
 *
 * Design notes: as Linux traceroute does by default, three UDP probes per hop go to ports
 * 33434 and up with TTL 1, 2, 3...; each router whose TTL check discards a probe answers with
 * ICMP time exceeded, and the destination answers port unreachable, which ends the trace. The
 * layout is docs/reference/fidelity.md 4.4's: `traceroute to X (X), 30 hops max, 60 byte packets` (46 byte
 * packets for busybox in pods and Docker containers), then ` N  addr (addr)  t1 ms  t2 ms  t3 ms`, `*` for a probe
 * nobody answered, and `!H`, `!N`, `!P` after a time for host, network or protocol
 * unreachable. Each probe really crosses the sandbox, so the hops are the routers that
 * decrement TTL (a node's cni0 address, then the remote node's flannel.1 address on flannel).
 * Linux traceroute's probes are what traceroute 2.1 sends: one socket per probe, so a new
 * source port and IP id each, no DF, data bytes 0x40, 0x41, ... (docs/reference/fidelity.md 33);
 * busybox's share one socket and port.
 * Left out: -I (ICMP) and -T (TCP) probes, -F, AS lookups, name lookups of the hops (shown as
 * addresses; `-n` is accepted).
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { formatIp } from '../../sim/ipv4';
import { nsIdOf, resolveHost } from '../resolver';
import { pingTime } from './ping-iputils';

const FLAGS: Record<number, string> = { 0: ' !N', 1: ' !H', 2: ' !P', 13: ' !X' };

export const traceroute: Command = {
  name: 'traceroute',
  summary: 'show the routers on the way: traceroute 10.244.1.2',
  usage: 'Usage:\n  traceroute [ -n ] [ -m max_ttl ] [ -q nqueries ] [ -w waittime ] host [ packetlen ]',
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const args = ctx.argv.slice(1);
    let maxHops = 30;
    let queries = 3;
    let host: string | undefined;
    let numeric = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-m') maxHops = Number(args[++i]);
      else if (a === '-q') queries = Number(args[++i]);
      else if (a === '-w' || a === '-p') i++;
      else if (a === '-n') numeric = true;
      else if (a === '-4') continue;
      else if (a.startsWith('-')) throw new CommandError('USAGE', `Bad option \`${a}' (argc 1)`, 2);
      else if (host === undefined) host = a;
    }
    if (!host) throw new CommandError('USAGE', this.usage, 2);
    if (!(maxHops >= 1 && maxHops <= 255) || !(queries >= 1 && queries <= 10)) throw new CommandError('USAGE', 'first hop out of range', 2);
    const r = resolveHost(ctx.env, host);
    // gai_strerror's text: a name server that never answers, or refuses, is a temporary failure.
    if (!r.ok) throw new CommandError('NOT_FOUND', `${host}: ${r.reason === 'timeout' ? 'Temporary failure in name resolution' : 'Name or service not known'}\nCannot handle "host" cmdline arg \`${host}' on position 1 (argc 1)`, 2);
    // Pods and Docker containers run busybox's traceroute (the only one their images ship).
    const busybox = ctx.env.location.kind === 'pod' || ctx.env.location.kind === 'container';
    const size = busybox ? 46 : 60;
    ctx.stdout.write(`traceroute to ${host} (${formatIp(r.ip)}), ${maxHops} hops max, ${size} byte packets\n`);
    const sim = ctx.env.sim;
    const nsId = nsIdOf(ctx.env);
    // busybox sends every probe from one socket; Linux traceroute opens one per probe (a new
    // ephemeral port, a connected socket's random IP id), turns path MTU discovery off (no DF
    // without -F) and fills the data with 0x40, 0x41, ...
    const busyboxPort = 32768 + sim.rng.int(28232);
    const data = new Uint8Array(size - 28);
    if (!busybox) data.forEach((_, i) => (data[i] = 0x40 | (i & 0x3f)));
    let port = 33434;
    for (let ttl = 1; ttl <= maxHops; ttl++) {
      let line = `${String(ttl).padStart(2)} `;
      let last: number | undefined;
      let done = false;
      let waited = false;
      for (let q = 0; q < queries; q++) {
        const res = busybox ? sim.udpRequest(nsId, r.ip, port++, data, busyboxPort, ttl) : sim.udpRequest(nsId, r.ip, port++, data, 32768 + sim.rng.int(28232), ttl, { df: false, id: sim.rng.int(65536) });
        if (res.kind !== 'icmp-error') {
          // The probes of a hop are in flight together: one wait (-w 5) covers them all.
          if (!waited && !(await ctx.sleep(5000))) return 130;
          waited = true;
          line += ' *';
          continue;
        }
        // Without -n the name is looked up and, none being found, the address stands for it; -n prints the address alone.
        if (res.from !== last) line += numeric ? ` ${formatIp(res.from)}` : ` ${formatIp(res.from)} (${formatIp(res.from)})`;
        last = res.from;
        const flag = res.type === 3 && res.code !== 3 ? (FLAGS[res.code] ?? ` !<${res.code}>`) : '';
        line += `  ${pingTime(res.rttMs)} ms${flag}`;
        if (res.type === 3) done = true;
      }
      ctx.stdout.write(line + '\n');
      if (done) return 0;
    }
    return 0;
  },
};
