/**
 * iputils `ping`, as it runs on the nodes and the workstation, and in netshoot pods.
 *
 * Design notes: the layout is iputils' (docs/reference/fidelity.md 4.1): `PING host (addr) 56(84) bytes of
 * data.`, `64 bytes from addr: icmp_seq=1 ttl=62 time=0.612 ms` with seq from 1 and time
 * printed with 3, 2, 1 or 0 decimals as it grows, ICMP errors as `From X icmp_seq=N
 * Destination Host Unreachable` (and Net Unreachable, Time to live exceeded, Frag needed and DF
 * set), a lost reply printing nothing, and the summary with `+N errors`, loss as %g and the
 * `rtt min/avg/max/mdev` line. `-M do` sets DF and fails locally when a packet is larger than
 * the route's MTU (`ping: local error: message too long, mtu=1450`). Exit status 0 when a reply
 * came, 1 when none did, 2 on errors such as an unknown host. With no route to the
 * destination, ping's probe connect() fails before anything is printed: `ping: connect:
 * Network is unreachable`, status 2.
 * Left out: -f flood, -I interface, -R, audible and timestamp options, IPv6.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { formatIp } from '../../sim/ipv4';
import { sourceTo } from '../../sim/netns';
import { nsIdOf, resolveHost } from '../resolver';

const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -c <count>         stop after <count> replies
  -i <interval>      seconds between sending each packet
  -M <pmtud opt>     define path MTU discovery, can be one of <do|dont|want>
  -q                 quiet output
  -s <size>          use <size> as number of data bytes to be sent
  -t <ttl>           define time to live
  -W <timeout>       time to wait for response
  -w <deadline>      reply wait <deadline> in seconds`;

/** iputils prints times with fewer decimals as they grow. */
export function pingTime(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return String(Math.round(ms));
}

/** C's %g for loss percentages: 33.3333, 0, 100. */
function percent(x: number): string {
  return String(Number(x.toPrecision(6)));
}

const UNREACH: Record<number, string> = { 0: 'Destination Net Unreachable', 1: 'Destination Host Unreachable', 3: 'Destination Port Unreachable' };

export const pingIputils: Command = {
  name: 'ping',
  summary: 'send ICMP echo requests (iputils ping)',
  usage: USAGE.trim(),
  where: ['workstation', 'node', 'pod'],
  images: ['netshoot'],
  // iputils ping has no long options: `--help` is `invalid option -- '-'`, usage, status 2.
  ownHelp: true,
  async run(ctx) {
    const args = ctx.argv.slice(1);
    let count = Infinity;
    let size = 56;
    let ttl = 64;
    let interval = 1000;
    let deadline = Infinity;
    let quiet = false;
    let pmtu: 'want' | 'do' | 'dont' = 'want';
    let host: string | undefined;
    const bad = (msg: string): never => {
      throw new CommandError('USAGE', `ping: ${msg}`, 2);
    };
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const m = /^-([csitWwM])(.*)$/.exec(a);
      if (m) {
        const v = m[2] !== '' ? m[2]! : args[++i];
        if (v === undefined) bad(`option requires an argument -- '${m[1]}'\n${USAGE}`);
        const n = Number(v);
        switch (m[1]) {
          case 'c':
            if (!Number.isInteger(n) || n <= 0) bad(`invalid argument: '${v}': out of range: 1 <= value <= 9223372036854775807`);
            count = n;
            break;
          case 's':
            if (!Number.isInteger(n) || n < 0 || n > 65507) bad(`invalid argument: '${v}': out of range: 0 <= value <= 2147483647`);
            size = n;
            break;
          case 't':
            if (!Number.isInteger(n) || n < 1 || n > 255) bad(`invalid argument: '${v}': out of range: 1 <= value <= 255`);
            ttl = n;
            break;
          case 'i':
            interval = Math.max(2, n * 1000);
            break;
          case 'w':
            deadline = n * 1000;
            break;
          case 'W':
            break;
          case 'M':
            if (v !== 'do' && v !== 'dont' && v !== 'want' && v !== 'probe') bad(`invalid -M argument: ${v}`);
            pmtu = v === 'probe' ? 'do' : (v as 'do' | 'dont' | 'want');
            break;
        }
        continue;
      }
      if (a === '-q') quiet = true;
      else if (a === '-n' || a === '-4') continue;
      else if (a.startsWith('-')) bad(`invalid option -- '${a.slice(1, 2)}'\n${USAGE}`);
      else host = a;
    }
    if (host === undefined) throw new CommandError('USAGE', `ping: usage error: Destination address required`, 1);
    const r = resolveHost(ctx.env, host);
    // gai_strerror's wording: glibc's on the nodes, musl's in the Alpine-based netshoot image.
    const musl = ctx.env.location.kind === 'pod';
    if (!r.ok) throw new CommandError('NOT_FOUND', `ping: ${host}: ${r.reason === 'timeout' ? (musl ? 'Try again' : 'Temporary failure in name resolution') : musl ? 'Name does not resolve' : 'Name or service not known'}`, 2);
    const addr = formatIp(r.ip);
    const sim = ctx.env.sim;
    const nsId = nsIdOf(ctx.env);
    // iputils connects a probe socket to learn its source address before it prints anything.
    const ns = sim.state.netns[nsId];
    if (ns && sourceTo(ns, r.ip, ctx.env.sim.state) === undefined) throw new CommandError('EXEC_FAILED', 'ping: connect: Network is unreachable', 2);
    ctx.stdout.write(`PING ${host} (${addr}) ${size}(${size + 28}) bytes of data.\n`);
    const id = sim.rng.int(65536);
    const rtts: number[] = [];
    let sent = 0;
    let errors = 0;
    let elapsed = 0;
    let stopped = false;
    // Without -c or -w, or with more packets than a day holds, it runs until Ctrl+C.
    const DAY_MS = 86_400_000;
    if (Math.min(count * interval, deadline) > DAY_MS) ctx.endless();
    while (sent < count && elapsed < deadline) {
      const seq = sent + 1;
      const res = sim.ping(nsId, r.ip, { id, seq, size, ttl, pmtu });
      sent++;
      const o = res.outcome;
      if (o.kind === 'reply') {
        rtts.push(o.rttMs);
        if (!quiet) ctx.stdout.write(`${o.bytes} bytes from ${formatIp(o.from)}: icmp_seq=${seq} ttl=${o.ttl} time=${pingTime(o.rttMs)} ms\n`);
      } else if (o.kind === 'icmp-error') {
        errors++;
        const what = o.type === 11 ? 'Time to live exceeded' : o.code === 4 ? `Frag needed and DF set (mtu = ${o.mtu ?? 0})` : (UNREACH[o.code] ?? 'Destination Unreachable');
        if (!quiet) ctx.stdout.write(`From ${formatIp(o.from)} icmp_seq=${seq} ${what}\n`);
      } else if (o.kind === 'local-error') {
        errors++;
        if (o.errno === 'EMSGSIZE') ctx.stderr.write(`ping: local error: message too long, mtu=${o.mtu ?? 0}\n`);
        else if (o.errno === 'ENETUNREACH') {
          ctx.stderr.write(`ping: connect: Network is unreachable\n`);
          return 2;
        } else if (!quiet) ctx.stdout.write(`From ${formatIp(o.from)} icmp_seq=${seq} Destination Host Unreachable\n`);
      }
      if (sent >= count) break;
      if (!(await ctx.sleep(interval))) {
        stopped = true;
        break;
      }
      elapsed += interval;
    }
    if (!stopped && rtts.length + errors < sent && Number.isFinite(count)) {
      // Waiting for the last reply (-W, 10 s by default with nothing received); a request
      // answered by an ICMP error or refused locally is not waited for.
      if (!(await ctx.sleep(rtts.length ? 1000 : 10_000))) stopped = true;
    }
    const loss = sent ? ((sent - rtts.length) * 100) / sent : 0;
    const time = Math.max(0, (sent - 1) * interval) + (sent > 1 ? 1 + sim.rng.int(4) : 0);
    ctx.stdout.write(`\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${rtts.length} received, ${errors ? `+${errors} errors, ` : ''}${percent(loss)}% packet loss, time ${time}ms\n`);
    if (rtts.length) {
      const min = Math.min(...rtts);
      const max = Math.max(...rtts);
      const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
      const mdev = Math.sqrt(Math.max(0, rtts.reduce((a, b) => a + b * b, 0) / rtts.length - avg * avg));
      ctx.stdout.write(`rtt min/avg/max/mdev = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)}/${mdev.toFixed(3)} ms\n`);
    } else if (errors) ctx.stdout.write('\n');
    return rtts.length ? 0 : 1;
  },
};
