/**
 * `conntrack -L` on a node: the connection tracking table, as conntrack-tools prints it.
 *
 * Design notes: one line per entry: the protocol name padded to 8 columns, its number, the
 * seconds left before the entry expires, the TCP state, the original tuple, `[UNREPLIED]` when
 * no reply was seen, the reply tuple (a NATed connection shows it: the reply comes from the
 * pod, addressed to the masqueraded source), `[ASSURED]` once both directions saw traffic,
 * `mark=0 use=1`; then, on stderr, `conntrack v1.4.7 (conntrack-tools): N flow entries have
 * been shown.` `-p PROTO`, `-s ADDR`, `-d ADDR` filter on the original tuple.
 * Left out: events (`-E`), deleting (`-D`), zones, labels, statistics (`-S`).
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import type { ConntrackEntry, Tuple } from '../../sim/conntrack';
import { formatIp, parseIp } from '../../sim/ipv4';

const NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

function tuple(proto: number, t: Tuple): string {
  const addrs = `src=${formatIp(t.src)} dst=${formatIp(t.dst)}`;
  if (proto === 1) return `${addrs} type=${t.dport} code=0 id=${t.sport}`;
  return `${addrs} sport=${t.sport} dport=${t.dport}`;
}

export function conntrackLine(e: ConntrackEntry, now: number): string {
  const name = NAMES[e.proto] ?? 'unknown';
  const secs = Math.max(0, Math.floor((e.expires - now) / 1000));
  const state = e.proto === 6 ? `${e.tcpState} ` : '';
  const assured = e.replied && e.proto !== 1 && (e.proto !== 6 || e.tcpState === 'ESTABLISHED' || e.tcpState === 'TIME_WAIT' || e.tcpState === 'CLOSE') ? '[ASSURED] ' : '';
  return `${name.padEnd(8)} ${e.proto} ${secs} ${state}${tuple(e.proto, e.orig)} ${e.replied ? '' : '[UNREPLIED] '}${tuple(e.proto, e.reply)} ${assured}mark=${e.mark} use=1`;
}

export const conntrack: Command = {
  name: 'conntrack',
  summary: 'list tracked connections and their NAT: conntrack -L [-p tcp] [-d ADDR]',
  usage: 'Usage: conntrack -L [-p PROTO] [-s ADDRESS] [-d ADDRESS]\nList the connection tracking table.',
  where: ['node'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'conntrack: not available here');
    const args = ctx.argv.slice(1);
    if (!args.some((a) => a === '-L' || a === '--dump' || a === '-l')) throw new CommandError('USAGE', 'conntrack v1.4.7 (conntrack-tools): this sandbox supports listing only: conntrack -L', 2);
    let proto: number | undefined;
    let src: number | undefined;
    let dst: number | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-p' || a === '--proto') {
        const p = args[++i]?.toLowerCase();
        proto = p === 'tcp' ? 6 : p === 'udp' ? 17 : p === 'icmp' ? 1 : undefined;
        if (proto === undefined) throw new CommandError('INVALID', `conntrack v1.4.7 (conntrack-tools): proto \`${p ?? ''}' is not supported`, 2);
      } else if (a === '-s' || a === '--src' || a === '-d' || a === '--dst') {
        const v = parseIp(args[++i] ?? '');
        if (v === undefined) throw new CommandError('INVALID', `conntrack v1.4.7 (conntrack-tools): Bad parameter \`${args[i] ?? ''}'`, 2);
        if (a === '-s' || a === '--src') src = v;
        else dst = v;
      }
    }
    const now = ctx.env.scheduler.now();
    const entries = (ctx.env.sim.state.netns[loc.ns]?.conntrack ?? []).filter(
      (e) => e.expires > now && (proto === undefined || e.proto === proto) && (src === undefined || e.orig.src === src) && (dst === undefined || e.orig.dst === dst),
    );
    for (const e of entries) ctx.stdout.write(conntrackLine(e, now) + '\n');
    ctx.stderr.write(`conntrack v1.4.7 (conntrack-tools): ${entries.length} flow entries have been shown.\n`);
    return 0;
  },
};
