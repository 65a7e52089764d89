/**
 * `history`: the lines typed into this shell, numbered.
 *
 * Design notes: bash prints each entry as `%5d  %s`, numbered from 1, the `history` line
 * itself included (it enters the list before it runs); `history N` prints the last N. A line
 * that spanned several input lines (a here-document) is one entry, printed with its newlines.
 * Each shell has its own list: a node's bash and a pod's shell start empty. Inside a pod,
 * busybox ash prints `%4d %s` numbered from 0 and takes no arguments.
 * Bound: bash keeps HISTSIZE entries (500, its default): `history` lists the last 500 with
 * their own numbers (after 600 lines, 101 to 600); busybox ash keeps 255
 * (CONFIG_FEATURE_EDITING_HISTORY) and numbers what it kept from 0.
 * Left out: `-c`, `-d`, `-a/-n/-r/-w` (the history file), `-p`, `-s`, and `!` history
 * expansion.
 */
import { shellState } from '../shell-state';
import { builtinHelp, type Builtin } from './builtin';

/** bash's default HISTSIZE. */
export const BASH_HISTSIZE = 500;
/** busybox's default CONFIG_FEATURE_EDITING_HISTORY. */
export const ASH_HISTSIZE = 255;

const USAGE_LINE = 'history [-c] [-d offset] [n] or history -anrw [filename] or history -ps arg [arg...]';
const USAGE = `history: ${USAGE_LINE}\n    Display or manipulate the history list.\n    \n    Display the history list with line numbers, prefixing each modified\n    entry with a \`*'.  An argument of N lists only the last N entries.`;

export const history: Builtin = {
  name: 'history',
  builtin: true,
  summary: 'list the commands typed so far, numbered',
  usage: USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const st = shellState(ctx.env);
    const all = st.history();
    if (st.dialect === 'ash') {
      let out = '';
      all.slice(-ASH_HISTSIZE).forEach((l, i) => (out += `${String(i).padStart(4)} ${l}\n`));
      ctx.stdout.write(out);
      return 0;
    }
    // Entries past HISTSIZE are gone; the kept ones keep their numbers.
    const base = Math.max(0, all.length - BASH_HISTSIZE);
    const lines = all.slice(base);
    const help = builtinHelp(ctx, USAGE);
    if (help !== undefined) return help;
    let args = ctx.argv.slice(1);
    if (args[0] === '--') args = args.slice(1);
    else if (args[0]?.startsWith('-') && args[0] !== '-' && !/^-\d+$/.test(args[0])) {
      const opt = args[0].slice(0, 2);
      if ('canrwpsd'.includes(opt[1] ?? '')) {
        ctx.stderr.write(`bash: history: ${opt}: changing the history is not supported in this sandbox\n`);
        return 1;
      }
      ctx.stderr.write(`bash: history: ${opt}: invalid option\nhistory: usage: ${USAGE_LINE}\n`);
      return 2;
    }
    if (args.length > 1) {
      ctx.stderr.write('bash: history: too many arguments\n');
      return 1;
    }
    let from = 0;
    if (args.length === 1) {
      if (!/^-?\d+$/.test(args[0]!)) {
        ctx.stderr.write(`bash: history: ${args[0]}: numeric argument required\n`);
        return 1;
      }
      from = Math.max(0, lines.length - Math.min(lines.length, Math.abs(Number(args[0]))));
    }
    let out = '';
    for (let i = from; i < lines.length; i++) out += `${String(base + i + 1).padStart(5)}  ${lines[i]}\n`;
    ctx.stdout.write(out);
    return 0;
  },
};
