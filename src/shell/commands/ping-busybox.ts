/**
 * busybox `ping`, as it runs inside busybox-based pods.
 *
 * Design notes: busybox's output differs from iputils': `seq=` counts from 0, the header
 * says `: 56 data bytes`, the summary says `packets received` with an integer loss
 * percentage and a `round-trip min/avg/max` line (no mdev), times always with three
 * decimals. One request per second; with `-c N` it stops after N requests once every reply
 * is in, or after waiting (twice the longest round trip, at least a second; `-W` seconds, ten
 * by default, when nothing came back: measured against busybox 1.35, `ping -c 2 -W 1` to a
 * silent host ends after 2 s, without -W after 11 s). ICMP errors are not printed (busybox ignores them). Exit status 0 when
 * at least one reply arrived, else 1. A host name is looked up with the C library's resolver
 * (resolver.ts: a pod's /etc/hosts, then DNS queries on the wire through its resolv.conf's
 * search list; Docker's embedded DNS in a container); one that does not resolve is a `bad
 * address`.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { formatIp, parseIp } from '../../sim/ipv4';
import { nsIdOf, resolveHost } from '../resolver';

const USAGE = `BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.

Usage: ping [OPTIONS] HOST

Send ICMP ECHO_REQUESTs to HOST

	-4,-6		Force IP or IPv6 name resolution
	-c CNT		Send only CNT pings
	-s SIZE		Send SIZE data bytes in packets (default 56)
	-t TTL		Set TTL
	-W SEC		Seconds to wait for the first response (default 10)
			(after all -c CNT packets are sent)
	-w SEC		Seconds until ping exits (default:infinite)
			(can exit earlier with -c CNT)
	-q		Quiet, only display output at start/finish`;

export const pingBusybox: Command = {
  name: 'ping',
  summary: 'send ICMP echo requests (busybox ping inside pods)',
  usage: USAGE,
  where: ['pod'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'pod' && loc.kind !== 'container') throw new CommandError('UNSUPPORTED', 'ping: not available here');
    let count = Infinity;
    let size = 56;
    let ttl = 64;
    let quiet = false;
    let deadline = Infinity;
    // -W: how long to wait after the last request when nothing has come back (busybox's G.timeout).
    let timeout = 10_000;
    let host: string | undefined;
    const args = ctx.argv.slice(1);
    const num = (flag: string, v: string | undefined, min: number, max: number): number => {
      if (v === undefined) throw new CommandError('USAGE', `ping: option requires an argument -- '${flag}'\n${USAGE}`);
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new CommandError('USAGE', `ping: invalid number '${v}'`);
      return Number(v);
    };
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const m = /^-([cstWw])(.*)$/.exec(a);
      if (m) {
        const v = m[2] !== '' ? m[2] : args[++i];
        const n = num(m[1]!, v, m[1] === 'c' ? 0 : m[1] === 't' ? 1 : 0, m[1] === 't' ? 255 : m[1] === 's' ? 65507 : 2 ** 31 - 1);
        if (m[1] === 'c') count = n === 0 ? Infinity : n;
        else if (m[1] === 's') size = n;
        else if (m[1] === 't') ttl = n;
        else if (m[1] === 'w') deadline = n * 1000;
        else timeout = n * 1000;
        continue;
      }
      if (a === '-q') quiet = true;
      else if (a === '-4') continue;
      else if (a.startsWith('-') && a.length > 1) throw new CommandError('USAGE', `ping: invalid option -- '${a[1]}'\n${USAGE}`);
      else if (host === undefined) host = a;
      else throw new CommandError('USAGE', USAGE);
    }
    if (host === undefined) throw new CommandError('USAGE', USAGE);
    let dst = parseIp(host);
    if (dst === undefined && host !== '') {
      const r = resolveHost(ctx.env, host);
      if (r.ok) dst = r.ip;
    }
    if (dst === undefined) throw new CommandError('NOT_FOUND', `ping: bad address '${host}'`);
    const sim = ctx.env.sim;
    const nsId = nsIdOf(ctx.env);
    const addr = formatIp(dst);
    ctx.stdout.write(`PING ${host} (${addr}): ${size} data bytes\n`);
    const id = sim.rng.int(65536);
    const rtts: number[] = [];
    let sent = 0;
    const start = ctx.env.scheduler.now();
    let finished = true;
    // Without -c or -w, or with more packets than a day holds (one a second), it runs until Ctrl+C.
    const DAY_MS = 86_400_000;
    if (Math.min(count * 1000, deadline) > DAY_MS) ctx.endless();
    while (sent < count) {
      const r = sim.ping(nsId, dst, { id, seq: sent, size, ttl });
      sent++;
      if (r.outcome.kind === 'reply') {
        rtts.push(r.outcome.rttMs);
        if (!quiet) ctx.stdout.write(`${r.outcome.bytes} bytes from ${formatIp(r.outcome.from)}: seq=${sent - 1} ttl=${r.outcome.ttl} time=${ms(r.outcome.rttMs)} ms\n`);
      }
      const elapsed = ctx.env.scheduler.now() - start;
      if (sent >= count) {
        // Waiting for stragglers: replies are instant in the sandbox, so only a loss waits.
        if (rtts.length < sent) {
          const wait = rtts.length > 0 ? Math.max(1000, Math.floor((2 * Math.max(...rtts)) / 1000) * 1000) : timeout;
          if (!(await ctx.sleep(Math.min(wait, deadline - elapsed)))) finished = false;
        }
        break;
      }
      if (elapsed + 1000 >= deadline) {
        await ctx.sleep(Math.max(0, deadline - elapsed));
        break;
      }
      if (!(await ctx.sleep(1000))) {
        finished = false;
        break;
      }
    }
    if (!finished && !ctx.tty) return 130;
    const loss = Math.floor(((sent - rtts.length) * 100) / sent);
    ctx.stdout.write(`\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${rtts.length} packets received, ${loss}% packet loss\n`);
    if (rtts.length > 0) {
      const min = Math.min(...rtts);
      const max = Math.max(...rtts);
      const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
      ctx.stdout.write(`round-trip min/avg/max = ${ms(min)}/${ms(avg)}/${ms(max)} ms\n`);
    }
    return rtts.length > 0 ? 0 : 1;
  },
};

/** busybox prints microseconds as `%u.%03u`. */
function ms(value: number): string {
  const us = Math.max(1, Math.round(value * 1000));
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}
