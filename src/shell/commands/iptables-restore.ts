/**
 * `iptables-restore` on a node or Docker host: load tables from iptables-save text (standard
 * input or a file), as iptables-restore v1.8.10 (nf_tables backend) does.
 *
 * Design notes: sim/linux/iptables.ts restores (restoreIptables): each `*table` block applies
 * at its COMMIT, whole or not at all; without `-n` a block replaces its table; `-c` keeps the
 * counters the text gives, `-t` only checks, `-T TABLE` restores one table. Errors carry
 * xtables-restore's words and statuses: a rule's parameter problem with `Error occurred at line:
 * N` (status 2), `iptables-restore: COMMIT expected at line N`, `iptables-restore: line N
 * failed` (status 1), `Can't open FILE: No such file or directory`. On a Kubernetes node the
 * restored text lands on the node's own tables over kube-proxy's shared ones (the chains it
 * replaces become the node's copies), and kube-proxy resyncs as after any write.
 * Left out: `-v` output, `--wait` (accepted), `-M`.
 */
import type { Command } from '../command';
import { absolute, placeOf as filePlace, readAny } from '../sandbox-fs';
import { noteIptablesWrite } from '../../sim/k8s/kube-proxy-writes';
import { IptablesError, restoreIptables, type RestoreOptions } from '../../sim/linux/iptables';
import { placeOf } from './iptables';

const USAGE = `Usage: iptables-restore [-c] [-v] [-V] [-t] [-h] [-n] [-T table] [-M command] [-4] [-6] [file]
	   [ --counters ]
	   [ --verbose ]
	   [ --version]
	   [ --test ]
	   [ --help ]
	   [ --noflush ]
	   [ --table=<TABLE> ]
	   [ --modprobe=<command> ]
	   [ --ipv4 ]
	   [ --ipv6 ]`;

const LONG: Record<string, { c: string; arg: 'none' | 'required' | 'optional' }> = {
  counters: { c: 'c', arg: 'none' },
  verbose: { c: 'v', arg: 'none' },
  version: { c: 'V', arg: 'none' },
  test: { c: 't', arg: 'none' },
  help: { c: 'h', arg: 'none' },
  noflush: { c: 'n', arg: 'none' },
  modprobe: { c: 'M', arg: 'required' },
  table: { c: 'T', arg: 'required' },
  wait: { c: 'w', arg: 'optional' },
  'wait-interval': { c: 'W', arg: 'optional' },
  ipv4: { c: '4', arg: 'none' },
  ipv6: { c: '6', arg: 'none' },
};
const SHORT: Record<string, 'none' | 'required' | 'optional'> = { b: 'none', c: 'none', v: 'none', V: 'none', t: 'none', h: 'none', n: 'none', M: 'required', T: 'required', w: 'none', W: 'none' };

export const iptablesRestore: Command = {
  name: 'iptables-restore',
  summary: 'load iptables rules from iptables-save text: iptables-save > rules.v4; iptables-restore < rules.v4',
  usage: USAGE,
  where: ['node'],
  ownHelp: true,
  async run(ctx) {
    const opts: RestoreOptions = {};
    const files: string[] = [];
    const args = ctx.argv.slice(1);
    const bad = (msg: string): number => {
      ctx.stderr.write(`iptables-restore: ${msg}\nTry \`iptables-restore -h' for more information.\n`);
      return 1;
    };
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      let c: string;
      let arg: string | undefined;
      if (a.startsWith('--') && a.length > 2) {
        const eq = a.indexOf('=');
        const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
        const hits = Object.keys(LONG).filter((k) => k.startsWith(name));
        const key = LONG[name] ? name : hits.length === 1 ? hits[0] : undefined;
        if (!key) return bad(hits.length > 1 ? `option '${a}' is ambiguous` : `unrecognized option '${a}'`);
        c = LONG[key]!.c;
        if (LONG[key]!.arg === 'required') {
          arg = eq >= 0 ? a.slice(eq + 1) : args[++i];
          if (arg === undefined) return bad(`option '--${key}' requires an argument`);
        }
      } else if (a.startsWith('-') && a.length > 1) {
        c = a[1]!;
        const kind = SHORT[c];
        if (!kind) return bad(`invalid option -- '${c}'`);
        if (kind === 'required') {
          arg = a.length > 2 ? a.slice(2) : args[++i];
          if (arg === undefined) return bad(`option requires an argument -- '${c}'`);
        }
      } else {
        files.push(a);
        continue;
      }
      if (c === '4' || c === '6') return bad(`unrecognized option '${a}'`);
      if (c === 'h') {
        // print_usage writes to stderr and exits 0.
        ctx.stderr.write(USAGE + '\n');
        return 0;
      }
      if (c === 'V') {
        ctx.stdout.write('iptables-restore v1.8.10 (nf_tables)\n');
        return 0;
      }
      if (c === 'c') opts.counters = true;
      else if (c === 'n') opts.noflush = true;
      else if (c === 't') opts.test = true;
      else if (c === 'T') opts.table = arg;
      else if (c === 'b') ctx.stderr.write('-b/--binary option is not implemented\n');
    }
    if (files.length > 1) {
      ctx.stderr.write('Unknown arguments found on commandline\n');
      return 1;
    }
    let text: string;
    if (files.length > 0) {
      const place = filePlace(ctx.env);
      const content = readAny(ctx.env, place, absolute(place, files[0]!));
      if (content === undefined) {
        ctx.stderr.write(`Can't open ${files[0]}: No such file or directory\n`);
        return 1;
      }
      text = content;
    } else text = ctx.stdin ?? '';
    const place = placeOf(ctx, 'iptables-restore');
    try {
      const res = restoreIptables(place, text, opts);
      if (!opts.test) place.attach();
      const loc = ctx.env.location;
      if (loc.kind === 'node' && !opts.test) noteIptablesWrite(ctx.env.sim.state, loc.ns, res);
      return 0;
    } catch (e) {
      if (!(e instanceof IptablesError)) throw e;
      ctx.stderr.write(e.text.endsWith('\n') ? e.text : e.text + '\n');
      return e.status;
    }
  },
};
