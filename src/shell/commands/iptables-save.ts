/**
 * `iptables-save` on a node: the tables as iptables-save (nf_tables backend) prints them.
 *
 * Design notes: the text is the model's own rules (kube-proxy's shared chains layered under the
 * node's own, exactly what its packets are evaluated against), laid out per docs/reference/fidelity.md 3.4:
 * a header with the date, `*table`, built-in chains with policy and counters, user chains
 * alphabetically, the rules, `COMMIT`, a footer. Without `-t` both tables print, filter first.
 * Left out: the mangle and raw tables, real counters (`-c` prints [0:0]), iptables-restore.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { syncServiceProxy } from '../../sim/proxy';
import { formatTable, layered, type TableName } from '../../sim/netfilter';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3) in UTC, as iptables-save writes it: `Fri Mar 14 09:30:00 2025`. */
export function ctime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

export const iptablesSave: Command = {
  name: 'iptables-save',
  summary: 'print the iptables rules (kube-proxy, flannel, Docker) of this machine',
  usage: 'Usage: iptables-save [-c] [-t table]\n\n  -t, --table=TABLE  print only TABLE (filter or nat)',
  where: ['node'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'iptables-save: not available here');
    const args = ctx.argv.slice(1);
    let only: TableName | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const t = a === '-t' || a === '--table' ? args[++i] : a.startsWith('--table=') ? a.slice(8) : a.startsWith('-t') && a.length > 2 ? a.slice(2) : undefined;
      if (t !== undefined) {
        if (t !== 'nat' && t !== 'filter') throw new CommandError('INVALID', `iptables-save v1.8.10 (nf_tables): Table '${t}' does not exist`);
        only = t;
      } else if (a !== '-c' && a !== '--counters') throw new CommandError('USAGE', `iptables-save: unrecognized option '${a}'`);
    }
    const state = ctx.env.sim.state;
    syncServiceProxy(state);
    const ns = state.netns[loc.ns];
    if (!ns?.nf) return 0;
    const kp = ns.kubeProxy;
    const nf = kp ? layered(ns.nf, kp.mode === 'live' ? state.kubeProxy : kp.rules) : ns.nf;
    const date = ctime(ctx.env.scheduler.now());
    for (const t of only ? [only] : (['filter', 'nat'] as TableName[])) ctx.stdout.write(formatTable(nf, t, date));
    return 0;
  },
  complete(req) {
    const prev = req.words[req.words.length - 1];
    return prev === '-t' ? ['filter', 'nat'] : ['-t'];
  },
};
