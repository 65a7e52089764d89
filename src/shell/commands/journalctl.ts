/**
 * `journalctl` (systemd 255) on a node or host: the journal of its units.
 *
 * Design notes: `-u UNIT` (repeatable; a name without a suffix means its `.service`) shows
 * that unit's entries (sim/host/journal.ts), oldest first, in the short format: `Mar 14
 * 09:17:55 node-1 kubelet[1450]: ...`; several units are merged by time; without `-u`, every
 * modelled unit's. `-n N` (`--lines=N`) keeps the last N, `-e` the last 1000; `-f` prints the
 * last 10 (or N) and then follows, printing entries as they are written, until Ctrl+C, like
 * `tail -f`. A unit with no entries prints `-- No entries --`. There is no pager (as with
 * `--no-pager`), so lines are never cut. `-b`, `-x`, `-q`, `-l`, `--no-pager`, `--no-hostname`
 * and `-o short` are accepted. Errors as journalctl's: an unknown option, an invalid line count.
 * Left out: the kernel's and other units' entries, `--since`/`--until`, `-p`, other output
 * formats.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { journalLine, unitJournal, type JournalEntry } from '../../sim/host/journal';
import { findUnit, unitsOf, type UnitId } from '../../sim/host/units';

const USAGE = `journalctl [OPTIONS...] [MATCHES...]

Query the journal.

Options:
  -b --boot[=ID]             Show current boot or the specified boot
  -u --unit=UNIT             Show logs from the specified unit
  -e --pager-end             Immediately jump to the end in the pager
  -f --follow                Follow the journal
  -n --lines[=INTEGER]       Number of journal entries to show
  -o --output=STRING         Change journal output mode (short)
  -x --catalog               Add message explanations where available
  -q --quiet                 Do not show info messages and privilege warning
     --no-pager              Do not pipe output into a pager
     --no-hostname           Suppress output of hostname field
  -h --help                  Show this help text`;

export const journalctl: Command = {
  name: 'journalctl',
  summary: 'the node\'s service logs: journalctl -u kubelet -n 20 (-f to follow)',
  usage: USAGE,
  where: ['node'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'journalctl: not available here');
    const machine = loc.node;
    const state = ctx.env.sim.state;
    const argv = ctx.argv.slice(1);
    const units: string[] = [];
    let lines: number | undefined;
    let follow = false;
    let hostname = true;
    const count = (v: string | undefined): number => {
      if (v === undefined || !/^\+?\d+$/.test(v)) throw new CommandError('INVALID', `Failed to parse lines '${v ?? ''}'`, 1);
      return Number(v.replace('+', ''));
    };
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-u' || a === '--unit') {
        const v = argv[++i];
        if (v === undefined) throw new CommandError('USAGE', `journalctl: option '${a === '-u' ? '-u' : '--unit'}' requires an argument`, 1);
        units.push(v);
      } else if (a.startsWith('--unit=')) units.push(a.slice(7));
      else if (/^-u./.test(a)) units.push(a.slice(2));
      else if (a === '-n' || a === '--lines') lines = count(argv[++i]);
      else if (a.startsWith('--lines=')) lines = count(a.slice(8));
      else if (/^-n\d+$/.test(a)) lines = Number(a.slice(2));
      else if (a === '-f' || a === '--follow') follow = true;
      else if (a === '-e' || a === '--pager-end') lines ??= 1000;
      else if (a === '--no-hostname') hostname = false;
      else if (a === '-o' || a === '--output') {
        const v = argv[++i];
        if (v !== 'short') throw new CommandError('UNSUPPORTED', `journalctl: only the short output format is modelled in this sandbox`, 1);
      } else if (['-b', '--boot', '-x', '--catalog', '-q', '--quiet', '-l', '--full', '--no-pager', '-o short', '--output=short'].includes(a)) continue;
      else if (/^-[bxqlfe]+$/.test(a)) {
        if (a.includes('f')) follow = true;
        if (a.includes('e')) lines ??= 1000;
      } else if (a.startsWith('--')) throw new CommandError('USAGE', `journalctl: unrecognized option '${a}'`, 1);
      else if (a.startsWith('-')) throw new CommandError('USAGE', `journalctl: invalid option -- '${a[1]}'`, 1);
      else throw new CommandError('UNSUPPORTED', `journalctl: journal matches (${a}) are not modelled in this sandbox; use -u UNIT`, 1);
    }
    const ids: UnitId[] = units.length === 0 ? unitsOf(state, machine).map((u) => u.id) : units.flatMap((n) => {
      const u = findUnit(state, machine, n) ?? findUnit(state, machine, /\.[a-z]+$/.test(n) ? n : `${n}.service`);
      return u ? [u.id] : [];
    });
    const entries = (now: number): JournalEntry[] => ids.flatMap((id) => unitJournal(state, machine, id, now)).sort((a, b) => a.at - b.at || a.us - b.us);
    const show = (e: JournalEntry): string => (hostname ? journalLine(machine, e) : journalLine(machine, e).replace(` ${machine} `, ' '));
    const start = ctx.env.sim.clock.now();
    const all = entries(start);
    const take = lines ?? (follow ? 10 : all.length);
    const shown = take === 0 ? [] : all.slice(-take);
    if (all.length === 0 && !follow) ctx.stdout.write('-- No entries --\n');
    else if (shown.length > 0) ctx.stdout.write(shown.map(show).join('\n') + '\n');
    if (!follow) return 0;
    // Follow: print what is written from now on, until Ctrl+C.
    ctx.endless();
    let seen = all.length;
    for (;;) {
      if (!(await ctx.sleep(1000))) return 0;
      const now = entries(ctx.env.sim.clock.now());
      if (now.length > seen) ctx.stdout.write(now.slice(seen).map(show).join('\n') + '\n');
      seen = now.length;
    }
  },
  complete(req) {
    const loc = req.env.location;
    if (loc.kind !== 'node') return [];
    const prev = req.words[req.words.length - 1];
    if (prev === '-u' || prev === '--unit') return unitsOf(req.env.sim.state, loc.node).map((u) => u.id);
    return ['-u', '-n', '-f', '--no-pager'];
  },
};
