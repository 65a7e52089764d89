/**
 * `iptables-save` on a node or Docker host: the tables as iptables-save v1.8.10 (nf_tables
 * backend) prints them.
 *
 * Design notes: the text is the model's own rules (kube-proxy's shared chains layered under the
 * node's own, exactly what its packets are evaluated against), laid out per
 * docs/reference/fidelity.md 3.4: a header with the date, `*table`, built-in chains with policy
 * and counters, user chains alphabetically, the rules, `COMMIT`, a footer. Without `-t` every
 * table that exists prints, in the backend's order (mangle, raw, filter, nat; mangle and raw
 * only once something was written there); `-t` names one (a built-in table prints even when
 * empty). `-c` puts each rule's real counters in front of it (`[pkts:bytes] -A ...`) and the
 * built-in chains' policy counters on their lines. Options are parsed with getopt_long as
 * xtables-save.c does: its own messages for a bad option ("Look at manual page
 * `iptables-save.8' for more information.", status 1), `Table `x' does not exist`, and
 * `Unknown arguments found on commandline`.
 * Left out: `-f FILE` (redirect instead), `-M`, `-d`.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { formatTable, layered, TABLE_ORDER, type TableName } from '../../sim/netfilter';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MANUAL = "Look at manual page `iptables-save.8' for more information.";

/** ctime(3) in UTC, as iptables-save writes it: `Fri Mar 14 09:30:00 2025`. */
export function ctime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

const LONG: Record<string, { c: string; arg: boolean }> = {
  counters: { c: 'c', arg: false },
  version: { c: 'V', arg: false },
  dump: { c: 'd', arg: false },
  table: { c: 't', arg: true },
  modprobe: { c: 'M', arg: true },
  file: { c: 'f', arg: true },
};
const SHORT: Record<string, boolean> = { b: false, c: false, d: false, t: true, M: true, f: true, V: false };

export const iptablesSave: Command = {
  name: 'iptables-save',
  summary: 'print the iptables rules of this machine (kube-proxy, flannel, Docker, yours): iptables-save -c',
  usage: 'Usage: iptables-save [-c] [-t table]\n\n  -c, --counters       print the packet and byte counters\n  -t, --table=TABLE    print only TABLE (filter, nat, mangle or raw)',
  where: ['node'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'iptables-save: not available here');
    const args = ctx.argv.slice(1);
    let only: string | undefined;
    let counters = false;
    const bad = (msg: string): number => {
      ctx.stderr.write(`iptables-save: ${msg}\n${MANUAL}\n`);
      return 1;
    };
    let i = 0;
    const rest: string[] = [];
    while (i < args.length) {
      const a = args[i++]!;
      let c: string | undefined;
      let arg: string | undefined;
      if (a === '--') {
        rest.push(...args.slice(i));
        break;
      }
      if (a.startsWith('--')) {
        const eq = a.indexOf('=');
        const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
        const hits = Object.keys(LONG).filter((k) => k.startsWith(name));
        const key = LONG[name] ? name : hits.length === 1 ? hits[0] : undefined;
        if (!key) return bad(hits.length > 1 ? `option '${a}' is ambiguous` : `unrecognized option '${a}'`);
        const def = LONG[key]!;
        c = def.c;
        if (def.arg) {
          arg = eq >= 0 ? a.slice(eq + 1) : args[i++];
          if (arg === undefined) return bad(`option '--${key}' requires an argument`);
        } else if (eq >= 0) return bad(`option '--${key}' doesn't allow an argument`);
        if (!handle(c, arg)) return 0;
        continue;
      }
      if (a.startsWith('-') && a.length > 1) {
        for (let j = 1; j < a.length; j++) {
          c = a[j]!;
          const takes = SHORT[c];
          if (takes === undefined) return bad(`invalid option -- '${c}'`);
          if (takes) {
            arg = j < a.length - 1 ? a.slice(j + 1) : args[i++];
            if (arg === undefined) return bad(`option requires an argument -- '${c}'`);
            j = a.length;
          }
          if (!handle(c, arg)) return 0;
        }
        continue;
      }
      rest.push(a);
    }
    function handle(c: string, arg: string | undefined): boolean {
      if (c === 'c') counters = true;
      else if (c === 't') only = arg;
      else if (c === 'b') ctx.stderr.write('-b/--binary option is not implemented\n');
      else if (c === 'f') throw new CommandError('UNSUPPORTED', 'iptables-save: -f is not supported in this sandbox; redirect the output instead (iptables-save > FILE)');
      else if (c === 'V') {
        ctx.stdout.write('iptables-save v1.8.10 (nf_tables)\n');
        return false;
      }
      return true;
    }
    if (rest.length > 0) {
      ctx.stderr.write('Unknown arguments found on commandline\n');
      return 1;
    }
    const state = ctx.env.sim.state;
    // What the node agents (kube-proxy, a policy agent) last wrote, as of now.
    ctx.env.sim.syncDaemons();
    const ns = state.netns[loc.ns];
    if (only !== undefined && !(TABLE_ORDER as string[]).includes(only)) {
      ctx.stderr.write(`Table \`${only}' does not exist\n`);
      return 1;
    }
    if (!ns?.nf) return 0;
    const kp = ns.kubeProxy;
    const nf = kp ? layered(ns.nf, kp.mode === 'live' ? state.kubeProxy : kp.rules) : ns.nf;
    const date = ctime(ctx.env.scheduler.now());
    const tables = only ? [only as TableName] : TABLE_ORDER.filter((t) => t === 'filter' || t === 'nat' || ns.nf![t]);
    for (const t of tables) ctx.stdout.write(formatTable(nf, t, date, undefined, counters, ns.nf));
    return 0;
  },
  complete(req) {
    const prev = req.words[req.words.length - 1];
    return prev === '-t' || prev === '--table' ? ['filter', 'nat', 'mangle', 'raw'] : ['-c', '-t'];
  },
};
