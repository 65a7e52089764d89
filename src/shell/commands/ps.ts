/**
 * `ps` (procps-ng 4.0.4, Ubuntu 24.04) on the nodes: the node's process table.
 *
 * Design notes: the machine's processes are the model's (sim/host/processes.ts: systemd's
 * daemons, the units that run, the pods' shims, pause processes and programs); ps adds the
 * ssh session: `sshd: root@pts/0`, `-bash`, and the commands of the pipeline ps runs in
 * (`ps auxw | grep kube-proxy` shows grep too, as `grep --color=auto`: Ubuntu's root .bashrc
 * aliases it). Run by `ssh NODE CMD` there is no terminal: `sshd: root@notty`, TTY `?`, no
 * login shell (bash -c runs a lone command in its own place), and what the caller pipes the
 * output into runs on the caller's machine, not in this table. Pids match ss -p's and systemctl's. START is HH:MM within a day, else MonDD;
 * %MEM is RSS over 4 GiB.
 * Formats: `ps` alone (PID TTY TIME CMD of the session), `ps aux`/`auxw`/`auxww` (BSD style,
 * USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND) and `ps -ef` (UID PID PPID C STIME TTY
 * TIME CMD), laid out as procps does: fixed column widths, a wide value pushing the rest of
 * the line right until later padding absorbs it. On a terminal a line is cut at 80 columns
 * (132 with one `w`); into a pipe or with `ww` it is whole.
 * Left out: other options (-o, -p, --sort, f, ...).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { machineProcesses, MEM_KB, type Proc } from '../../sim/host/processes';
import { bootTime, hostPid, unitEvents, unitPid } from '../../sim/host/units';
import { shellState } from '../shell-state';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The machine's processes (sim/host/processes.ts), then the ssh session and the commands of ps's own pipeline. */
function table(ctx: CommandContext, node: string): Proc[] {
  const state = ctx.env.sim.state;
  const now = ctx.env.scheduler.now();
  const registered = bootTime(state, node) + 40_000;
  const pid = (b: number, span: number, key: string): number => hostPid(node, b, span, key);
  const procs = machineProcesses(state, node, now);
  const sshd = pid(5000, 400, 'session');
  const sh = sshd + 113;
  // Its parent is sshd's listener; one restarted since has left it to init.
  const listener = unitEvents(state, node, 'ssh.service').length > 0 ? 1 : unitPid(state, node, 'ssh.service');
  const remote = ctx.env.sshCommand !== undefined;
  const tty = remote ? '?' : 'pts/0';
  // `ssh NODE CMD` has no terminal: sshd's session process is `root@notty` and bash -c runs the
  // command (a lone command in its place; a pipeline's commands as its children). Nothing of
  // the caller's own pipeline runs on the node.
  procs.push({ user: 'root', pid: sshd, ppid: listener, share: 0, vsz: 14_800, rss: remote ? 7_296 : 9_344, tty: '?', stat: 'Ss', start: remote ? now : registered + 60_000, cmd: remote ? 'sshd: root@notty' : 'sshd: root@pts/0' });
  const pipeline = ctx.env.pipeline?.filter((w) => w.length > 0) ?? [ctx.argv];
  if (!remote || pipeline.length > 1) {
    procs.push({ user: 'root', pid: sh, ppid: sshd, share: 0, vsz: 8_632, rss: 5_376, tty, stat: 'Ss', start: remote ? now : registered + 60_000, cmd: remote ? `bash -c ${ctx.env.sshCommand}` : '-bash' });
  }
  const parent = !remote || pipeline.length > 1 ? sh : sshd;
  // Each command line the shell ran forked new processes: later pids are higher.
  const first = sh + 1500 + 7 * shellState(ctx.env).history().length + Math.floor((now - registered) / 60_000);
  pipeline.forEach((words, i) => {
    // Ubuntu's root .bashrc aliases grep; bash -c reads no .bashrc.
    const cmd = words[0] === 'grep' && !remote ? ['grep', '--color=auto', ...words.slice(1)] : words;
    const isPs = words[0] === 'ps';
    const running = remote ? (isPs ? 'R' : 'S') : isPs ? 'R+' : 'S+';
    procs.push({ user: 'root', pid: first + i, ppid: parent, share: 0, vsz: isPs ? 11_320 : 6_544, rss: isPs ? 4_480 : 2_304, tty, stat: running, start: now, cmd: cmd.join(' ') });
  });
  return procs.filter((p) => p.start <= now).sort((a, b) => a.pid - b.pid);
}

/** The program's name (what `ps -e` shows): no path, brackets or arguments. */
function comm(cmd: string): string {
  if (cmd === '/sbin/init') return 'systemd';
  const first = cmd.replace(/^\[(.*)\]$/, '$1').replace(/^[-@]/, '').split(' ')[0]!.replace(/:$/, '');
  return first.slice(first.lastIndexOf('/') + 1).slice(0, 15);
}

function startText(ms: number, now: number): string {
  const d = new Date(ms);
  const two = (x: number): string => String(x).padStart(2, '0');
  if (now - ms < 86_400_000) return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  if (new Date(now).getUTCFullYear() === d.getUTCFullYear()) return `${MONTHS[d.getUTCMonth()]}${two(d.getUTCDate())}`;
  return String(d.getUTCFullYear());
}

function cpuSeconds(p: Proc, now: number): number {
  return Math.floor((Math.max(0, now - p.start) / 1000) * p.share);
}

/** M:SS (BSD TIME), or [DD-]HH:MM:SS for -ef. */
function timeText(s: number, long: boolean): string {
  const two = (x: number): string => String(x).padStart(2, '0');
  if (!long) return `${Math.floor(s / 60)}:${two(s % 60)}`;
  const days = Math.floor(s / 86_400);
  return `${days > 0 ? `${days}-` : ''}${two(Math.floor((s % 86_400) / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

/** One line as procps lays it out: widths, alignment, and later padding absorbing an overflow. */
function layout(cells: { text: string; width: number; left?: boolean }[]): string {
  let out = '';
  let debt = 0;
  cells.forEach((c, i) => {
    if (i > 0) out += ' ';
    const last = i === cells.length - 1;
    const room = c.width - c.text.length;
    const pad = Math.max(0, room - debt);
    debt = Math.max(0, debt - Math.max(0, room)) + Math.max(0, -room);
    out += last ? (c.left ? c.text : ' '.repeat(pad) + c.text) : c.left ? c.text + ' '.repeat(pad) : ' '.repeat(pad) + c.text;
  });
  return out;
}

export const ps: Command = {
  name: 'ps',
  summary: 'list the node\'s processes: ps aux, ps -ef',
  usage: 'Usage: ps [options]  (ps aux, ps auxw, ps -ef)',
  where: ['node'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'ps: not available here');
    const args = ctx.argv.slice(1);
    let bsd = false;
    let full = false;
    let all = false;
    let wide = 0;
    for (const a of args) {
      if (/^-[ef]+$/.test(a)) {
        if (a.includes('e')) all = true;
        if (a.includes('f')) full = true;
      } else if (/^[auxw]+$/.test(a)) {
        bsd = true;
        wide += [...a].filter((ch) => ch === 'w').length;
      } else {
        ctx.stderr.write(`error: unsupported option (BSD syntax)\n\nUsage:\n ps [options]\n\n Try 'ps --help <simple|list|output|threads|misc|all>'\n  or 'ps --help <s|l|o|t|m|a>'\n for additional help text.\n\nFor more details see ps(1).\n`);
        return 1;
      }
    }
    const now = ctx.env.scheduler.now();
    let procs = table(ctx, loc.node);
    if (!bsd && !all) procs = procs.filter((p) => p.tty === 'pts/0');
    const cols = !ctx.tty || wide >= 2 ? Infinity : wide === 1 ? 132 : 80;
    const lines: string[] = [];
    if (bsd) {
      lines.push('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND');
      for (const p of procs) {
        const cpu = cpuSeconds(p, now);
        const elapsed = Math.max(1, (now - p.start) / 1000);
        lines.push(
          layout([
            { text: p.user, width: 8, left: true },
            { text: String(p.pid), width: 7 },
            { text: ((cpu / elapsed) * 100).toFixed(1), width: 4 },
            { text: ((p.rss / MEM_KB) * 100).toFixed(1), width: 4 },
            { text: String(p.vsz), width: 6 },
            { text: String(p.rss), width: 5 },
            { text: p.tty, width: 8, left: true },
            { text: p.stat, width: 4, left: true },
            { text: startText(p.start, now), width: 5 },
            { text: timeText(cpu, false), width: 6 },
            { text: p.cmd, width: 0, left: true },
          ]),
        );
      }
    } else if (full) {
      lines.push('UID          PID    PPID  C STIME TTY          TIME CMD');
      for (const p of procs) {
        const cpu = cpuSeconds(p, now);
        const c = Math.floor((cpu / Math.max(1, (now - p.start) / 1000)) * 100);
        lines.push(layout([{ text: p.user, width: 8, left: true }, { text: String(p.pid), width: 7 }, { text: String(p.ppid), width: 7 }, { text: String(c), width: 2 }, { text: startText(p.start, now), width: 5 }, { text: p.tty, width: 8, left: true }, { text: timeText(cpu, true), width: 8 }, { text: p.cmd, width: 0, left: true }]));
      }
    } else {
      lines.push('    PID TTY          TIME CMD');
      for (const p of procs) lines.push(layout([{ text: String(p.pid), width: 7 }, { text: p.tty, width: 8, left: true }, { text: timeText(cpuSeconds(p, now), true), width: 8 }, { text: comm(p.cmd), width: 0, left: true }]));
    }
    ctx.stdout.write(lines.map((l) => (l.length > cols ? l.slice(0, cols) : l)).join('\n') + '\n');
    return 0;
  },
};
