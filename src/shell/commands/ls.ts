/**
 * `ls`: lists the files the sandbox knows (GNU coreutils' output).
 *
 * Design notes: what exists is what sandbox-fs.ts models: the learner's files, files written
 * with `>`, the generated files and the standard directories. Entries are sorted bytewise (the
 * shell's LANG is C.UTF-8). To a terminal, names go in columns down then across, as many as fit
 * in 80 characters, columns two spaces apart; into a pipe or with `-1`, one per line. `-l`
 * prints `total` (1K blocks, 4K per started block) and the long format: mode, links, owner,
 * group, size right-aligned, `Mon dd HH:MM` (or `Mon dd  YYYY` beyond six months, UTC) and
 * the name. `-a` adds `.`, `..` and dot files; `-A` dot files only. Operands that are files
 * come first, then each directory under a `DIR:` heading when there are several.
 * Left out: colours (the shell's `ls` alias), other options, the real system files of a
 * machine, busybox's own long format in pods.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { readFile } from '../../sim/files';
import { absolute, kindOf, listDir, placeOf, readAny, type Place } from '../sandbox-fs';

const USAGE = `Usage: ls [OPTION]... [FILE]...
List information about the FILEs (the current directory by default).
Sort entries alphabetically if none of -cftuvSUX nor --sort is specified.

Mandatory arguments to long options are mandatory for short options too.
  -a, --all                  do not ignore entries starting with .
  -A, --almost-all           do not list implied . and ..
  -l                         use a long listing format
  -1                         list one file per line`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS = (365.2425 / 2) * 86_400_000;

/** GNU ls's date column for a modification time (UTC). */
function lsDate(mtime: number, now: number): string {
  const d = new Date(mtime);
  const day = String(d.getUTCDate()).padStart(2);
  const month = MONTHS[d.getUTCMonth()]!;
  if (mtime > now || now - mtime > SIX_MONTHS) return `${month} ${day}  ${d.getUTCFullYear()}`;
  return `${month} ${day} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

interface Entry {
  name: string;
  abs: string;
  dir: boolean;
}

/** Names in columns, down then across, as GNU ls -C does for a terminal of `width` columns. */
export function columns(names: string[], width = 80): string {
  if (names.length === 0) return '';
  let best: string[] = names.map((n) => n);
  for (let cols = names.length; cols >= 1; cols--) {
    const rows = Math.ceil(names.length / cols);
    const used = Math.ceil(names.length / rows);
    if (used !== cols) continue;
    const widths: number[] = [];
    for (let c = 0; c < cols; c++) widths.push(Math.max(...names.slice(c * rows, (c + 1) * rows).map((n) => n.length)));
    const total = widths.reduce((a, w) => a + w, 0) + 2 * (cols - 1);
    if (total >= width && cols > 1) continue;
    best = [];
    for (let r = 0; r < rows; r++) {
      let line = '';
      for (let c = 0; c < cols; c++) {
        const n = names[c * rows + r];
        if (n === undefined) continue;
        const last = c === cols - 1 || names[(c + 1) * rows + r] === undefined;
        line += last ? n : n.padEnd(widths[c]! + 2);
      }
      best.push(line);
    }
    break;
  }
  return best.join('\n') + '\n';
}

export const ls: Command = {
  name: 'ls',
  summary: 'list files: ls, ls -l, ls -la /tmp',
  usage: USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const flags = new Set<string>();
    const operands: string[] = [];
    let options = true;
    for (const a of ctx.argv.slice(1)) {
      if (options && a === '--') options = false;
      else if (options && a.startsWith('-') && a !== '-') {
        if (a.startsWith('--')) {
          const long: Record<string, string> = { '--all': 'a', '--almost-all': 'A' };
          if (!long[a]) throw new CommandError('UNKNOWN_FLAG', `ls: unrecognized option '${a}'\nTry 'ls --help' for more information.`, 2);
          flags.add(long[a]);
          continue;
        }
        for (const f of a.slice(1)) {
          if (!'aAl1'.includes(f)) throw new CommandError('UNKNOWN_FLAG', `ls: invalid option -- '${f}'\nTry 'ls --help' for more information.`, 2);
          flags.add(f);
        }
      } else operands.push(a);
    }
    const place = placeOf(ctx.env);
    const targets = operands.length > 0 ? operands : ['.'];
    const files: Entry[] = [];
    const dirs: Entry[] = [];
    let status = 0;
    for (const t of targets) {
      const abs = absolute(place, t);
      const kind = kindOf(ctx.env, place, abs);
      if (kind === 'none') {
        ctx.stderr.write(`ls: cannot access '${t}': No such file or directory\n`);
        status = 2;
      } else (kind === 'dir' ? dirs : files).push({ name: t, abs, dir: kind === 'dir' });
    }
    const sortByName = (a: Entry, b: Entry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    files.sort(sortByName);
    dirs.sort(sortByName);
    const blocks: string[] = [];
    if (files.length > 0) blocks.push(render(ctx, place, files, flags, false));
    for (const d of dirs) {
      let entries: Entry[] = listDir(ctx.env, place, d.abs).map((e) => ({ name: e.name, abs: d.abs === '/' ? `/${e.name}` : `${d.abs}/${e.name}`, dir: e.dir }));
      if (!flags.has('a') && !flags.has('A')) entries = entries.filter((e) => !e.name.startsWith('.'));
      if (flags.has('a')) {
        const parent = d.abs === '/' ? '/' : d.abs.slice(0, d.abs.lastIndexOf('/')) || '/';
        entries = [{ name: '.', abs: d.abs, dir: true }, { name: '..', abs: parent, dir: true }, ...entries];
      }
      const heading = files.length + dirs.length > 1 || status !== 0 ? `${d.name}:\n` : '';
      blocks.push(heading + render(ctx, place, entries, flags, true));
    }
    ctx.stdout.write(blocks.join('\n'));
    return status;
  },
};

function render(ctx: CommandContext, place: Place, entries: Entry[], flags: Set<string>, isDir: boolean): string {
  if (!flags.has('l')) {
    const names = entries.map((e) => e.name);
    if (names.length === 0) return '';
    return ctx.tty && !flags.has('1') ? columns(names) : names.join('\n') + '\n';
  }
  const state = ctx.env.sim.state;
  const now = ctx.env.sim.clock.now();
  const owner = place.root ? 'root' : 'learner';
  const rows = entries.map((e) => {
    const stored = readFile(state, place.machine, e.abs);
    const size = e.dir ? 4096 : (stored?.content.length ?? readAny(ctx.env, place, e.abs)?.length ?? 0);
    const mine = stored !== undefined || (e.dir && (e.abs === place.home || e.abs.startsWith(place.home + '/')));
    const user = mine ? owner : 'root';
    const mtime = stored?.mtime ?? newest(ctx, place, e.abs) ?? state.createdAt;
    return { mode: e.dir ? 'drwxr-xr-x' : '-rw-r--r--', links: e.dir ? 2 : 1, user, size, date: lsDate(mtime, now), name: e.name };
  });
  const w = (k: 'links' | 'user' | 'size'): number => Math.max(...rows.map((r) => String(r[k]).length));
  const blocks = rows.reduce((a, r) => a + Math.ceil(r.size / 4096) * 4, 0);
  let out = isDir ? `total ${blocks}\n` : '';
  for (const r of rows) out += `${r.mode} ${String(r.links).padStart(w('links'))} ${r.user.padEnd(w('user'))} ${r.user.padEnd(w('user'))} ${String(r.size).padStart(w('size'))} ${r.date} ${r.name}\n`;
  return out;
}

/** A directory's time: the newest stored file under it, if any. */
function newest(ctx: CommandContext, place: Place, abs: string): number | undefined {
  const files = ctx.env.sim.state.files?.[place.machine] ?? {};
  let t: number | undefined;
  const prefix = abs === '/' ? '/' : abs + '/';
  for (const [p, f] of Object.entries(files)) if (p.startsWith(prefix) && (t === undefined || f.mtime > t)) t = f.mtime;
  return t;
}
