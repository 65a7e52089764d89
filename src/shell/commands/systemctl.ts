/**
 * `systemctl` (systemd 255, Ubuntu 24.04) on a node or host: the state of its units, and
 * starting and stopping them.
 *
 * Design notes: the units are the model's (sim/host/units.ts: kubelet, containerd, ssh and
 * ssh.socket, systemd-resolved); a name without a suffix means its `.service`, and Ubuntu's
 * aliases (`sshd`) work. `status UNIT...` prints systemd 255's block per unit: the `●`
 * (active) or `○` (inactive) line, Loaded with the unit file, its enablement and the vendor
 * preset, Drop-In, Active with the time of the last change and how long ago (systemd's
 * relative format: `12min ago`, `1h 3min ago`, `5s ago`), TriggeredBy or Triggers for the ssh
 * pair, Docs, the ExecStartPre processes, Main PID, Tasks, Memory with its peak, CPU, the
 * CGroup tree (the pid column as wide as the widest pid; containerd's holds the pods' shims,
 * which outlive it), a blank line and the unit's last journal lines (sim/host/journal.ts; `-n
 * N` or `--lines=N`, 10 by default). A stopped unit shows `inactive (dead)` since when, the
 * ExecStart process and Main PID with `code=exited, status=0/SUCCESS` and its CPU time.
 * Exit status: 0 when all are active, 3 when one is not, 4 (`Unit X could not be found.`)
 * for an unknown one. On a terminal, CGroup and journal lines wider than 80 columns end in
 * `…` unless `-l` (`--full`); into a pipe they are whole; there is no pager (as with
 * `--no-pager`).
 * `start`, `stop` and `restart` change the model and print nothing, as systemctl does: the
 * listeners, processes and journal follow, and a node's status follows its kubelet and
 * containerd as the node controller makes it (sim/host/node-health.ts). They take the time the
 * unit takes to stop and start (tens of milliseconds). Stopping ssh.service while ssh.socket
 * listens warns, as systemd does, that the socket can start it again. `is-active` prints
 * active/inactive per unit (exit 0 when all are active, else 3), `is-enabled` the unit file's
 * state; `daemon-reload` succeeds. Errors are systemctl's: an unknown verb, an unknown option,
 * a verb without its unit (`Too few arguments.`), an unknown unit for start or stop.
 * Left out: every other verb and unit, enable/disable, masking, `--user`, the overall status
 * of `systemctl status` without a unit and `systemctl` alone (list-units), colours.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { machineProcesses } from '../../sim/host/processes';
import { bytesText, journalLine, runUsage, timespan, unitJournal } from '../../sim/host/journal';
import { kubeletStarted } from '../../sim/host/node-health';
import { findUnit, isNode, setUnitActive, unitActive, unitBootStart, unitEvents, unitPid, unitSince, type UnitDef, type UnitId, UNITS } from '../../sim/host/units';

const USAGE = `systemctl [OPTIONS...] COMMAND ...

Query or send control commands to the system manager.

Unit Commands:
  is-active PATTERN...                Check whether units are active
  status [PATTERN...|PID...]          Show runtime status of one or more units
  start UNIT...                       Start (activate) one or more units
  stop UNIT...                        Stop (deactivate) one or more units
  restart UNIT...                     Start or restart one or more units

Unit File Commands:
  is-enabled UNIT...                  Check whether unit files are enabled

Manager State Commands:
  daemon-reload                       Reload systemd manager configuration

Options:
  -h --help              Show this help
  -l --full              Don't ellipsize unit names on output
  -n --lines=INTEGER     Number of journal entries to show
  -q --quiet             Suppress output
     --no-pager          Do not pipe output into a pager`;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number): string => String(n).padStart(2, '0');

/** systemd's timestamp: `Fri 2025-03-14 09:17:55 UTC`. */
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC`;
}

/** systemd's format_timestamp_relative: `12min ago`, `1h 3min ago`, `2 days ago`. */
export function relative(ms: number): string {
  const s = Math.floor(ms / 1000);
  const min = 60;
  const hour = 3600;
  const day = 86_400;
  const week = 7 * day;
  const month = 2_629_800;
  const year = 31_557_600;
  if (ms <= 0) return 'now';
  if (s >= year) return `${Math.floor(s / year)} years ${Math.floor((s % year) / month)} months ago`;
  if (s >= month) return `${Math.floor(s / month)} months ${Math.floor((s % month) / day)} days ago`;
  if (s >= week) return `${Math.floor(s / week)} weeks ${Math.floor((s % week) / day)} days ago`;
  if (s >= 2 * day) return `${Math.floor(s / day)} days ago`;
  if (s >= 25 * hour) return `1 day ${Math.floor((s - day) / hour)}h ago`;
  if (s >= 6 * hour) return `${Math.floor(s / hour)}h ago`;
  if (s >= hour) return `${Math.floor(s / hour)}h ${Math.floor((s % hour) / min)}min ago`;
  if (s >= 5 * min) return `${Math.floor(s / min)}min ago`;
  if (s >= min) return `${Math.floor(s / min)}min ${s % min}s ago`;
  if (s >= 1) return `${s}s ago`;
  return `${ms}ms ago`;
}

/** What the unit runs: its ExecStart as written in the unit file, and its ExecStartPre, if any. */
const EXEC: Record<UnitId, { start: string; pre?: string }> = {
  'kubelet.service': { start: '/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS' },
  'containerd.service': { start: '/usr/bin/containerd', pre: '/sbin/modprobe overlay' },
  'ssh.service': { start: '/usr/sbin/sshd -D $SSHD_OPTS', pre: '/usr/sbin/sshd -t' },
  'systemd-resolved.service': { start: '/usr/lib/systemd/systemd-resolved' },
  'ssh.socket': { start: '' },
};

/** How long a unit takes from its start to the end of its startup output (sim/host/journal.ts). */
const STARTUP_MS: Record<UnitId, number> = { 'kubelet.service': 121, 'containerd.service': 61, 'ssh.service': 22, 'systemd-resolved.service': 41, 'ssh.socket': 1 };

/** The tasks (threads) of a unit's main process. */
const TASKS: Record<UnitId, number> = { 'kubelet.service': 13, 'containerd.service': 10, 'ssh.service': 1, 'systemd-resolved.service': 1, 'ssh.socket': 0 };

/** systemd quotes a command line's words that contain spaces (sshd's retitled argv[0]). */
function cmdline(cmd: string): string {
  return cmd.startsWith('sshd: ') ? `"${cmd}"` : cmd;
}

interface Opts {
  full: boolean;
  lines: number;
  quiet: boolean;
}

/** The `status` block of one unit. */
function statusBlock(ctx: CommandContext, machine: string, u: UnitDef, opts: Opts): string[] {
  const state = ctx.env.sim.state;
  const now = ctx.env.sim.clock.now();
  const active = unitActive(state, machine, u.id);
  const since = unitSince(state, machine, u.id);
  const pid = unitPid(state, machine, u.id);
  const out: string[] = [`${active ? '●' : '○'} ${u.id} - ${u.description}`];
  out.push(`     Loaded: loaded (${u.fragment}; ${u.enabled}; preset: enabled)`);
  if (u.dropIns) out.push(`    Drop-In: ${u.dropIns.dir}`, `             └─${u.dropIns.files.join(', ')}`);
  const running = u.id === 'ssh.socket' ? (unitActive(state, machine, 'ssh.service') ? 'running' : 'listening') : 'running';
  const everStopped = unitEvents(state, machine, u.id).length > 0;
  out.push(`     Active: ${active ? `active (${running})` : 'inactive (dead)'}${active || everStopped ? ` since ${stamp(since)}; ${relative(now - since)}` : ''}`);
  if (u.id === 'ssh.service') out.push(`TriggeredBy: ${unitActive(state, machine, 'ssh.socket') ? '●' : '○'} ssh.socket`);
  if (u.id === 'ssh.socket') out.push(`   Triggers: ${unitActive(state, machine, 'ssh.service') ? '●' : '○'} ssh.service`, '     Listen: [::]:22 (Stream)');
  u.docs.forEach((d, i) => out.push(`${i === 0 ? '       Docs:' : '            '} ${d}`));
  const exec = EXEC[u.id];
  // The shims containerd leaves in its control group, running or not.
  const procs = machineProcesses(state, machine, now);
  const shims = u.id === 'containerd.service' ? procs.filter((p) => p.cmd.startsWith('/usr/bin/containerd-shim-runc-v2')) : [];
  if (u.id !== 'ssh.socket') {
    if (active) {
      if (exec.pre) out.push(`    Process: ${pid - 4} ExecStartPre=${exec.pre} (code=exited, status=0/SUCCESS)`);
      out.push(`   Main PID: ${pid} (${u.comm})`);
      if (u.id === 'systemd-resolved.service') out.push('     Status: "Processing requests..."');
    } else {
      out.push(`    Process: ${pid} ExecStart=${exec.start} (code=exited, status=0/SUCCESS)`);
      if (exec.pre) out.push(`    Process: ${pid - 4} ExecStartPre=${exec.pre} (code=exited, status=0/SUCCESS)`);
      out.push(`   Main PID: ${pid} (code=exited, status=0/SUCCESS)`);
    }
  }
  // The current run, or the last one: from its start to now or to its stop.
  const runStart = unitEvents(state, machine, u.id).filter((e) => e.action === 'start').pop()?.at ?? unitBootStart(state, machine, u.id);
  const usage = runUsage(u.id, Math.max(0, (active ? now : since) - runStart));
  if (active || shims.length > 0) {
    const tasks = (active ? TASKS[u.id] : 0) + 10 * shims.length;
    out.push(`      Tasks: ${tasks}${u.id === 'containerd.service' ? '' : ' (limit: 4599)'}`);
    const shimMemory = shims.length * 14_208 * 1024;
    out.push(`     Memory: ${bytesText((active ? usage.memory : 0) + shimMemory)} (peak: ${bytesText(usage.peak + shimMemory)})`);
  }
  out.push(`        CPU: ${timespan(usage.cpuMs)}`);
  if (active || shims.length > 0) {
    out.push(`     CGroup: /system.slice/${u.id}`);
    const members = [...(active && u.id !== 'ssh.socket' ? [{ pid, cmd: procs.find((p) => p.pid === pid)?.cmd ?? exec.start }] : []), ...shims.map((p) => ({ pid: p.pid, cmd: p.cmd }))];
    const width = Math.max(0, ...members.map((m) => String(m.pid).length));
    members.forEach((m, i) => out.push(`             ${i === members.length - 1 ? '└─' : '├─'}${String(m.pid).padStart(width)} ${cmdline(m.cmd)}`));
  }
  const journal = unitJournal(state, machine, u.id, now);
  if (opts.lines > 0 && journal.length > 0) {
    out.push('');
    for (const e of journal.slice(-opts.lines)) out.push(journalLine(machine, e));
  }
  return out;
}

/** `-n N`, `--lines=N`, `-l`, `--full`, `-q`, `--no-pager`; the rest are the verb and its units. */
function parse(argv: string[]): { opts: Opts; words: string[] } {
  const opts: Opts = { full: false, lines: 10, quiet: false };
  const words: string[] = [];
  const lines = (v: string | undefined, flag: string): number => {
    if (v === undefined) throw new CommandError('USAGE', `systemctl: option '${flag}' requires an argument`, 1);
    if (!/^\d+$/.test(v)) throw new CommandError('INVALID', `Failed to parse lines '${v}'`, 1);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-l' || a === '--full') opts.full = true;
    else if (a === '-q' || a === '--quiet') opts.quiet = true;
    else if (a === '--no-pager') continue;
    else if (a === '-n' || a === '--lines') opts.lines = lines(argv[++i], a === '-n' ? 'n' : 'lines');
    else if (a.startsWith('--lines=')) opts.lines = lines(a.slice(8), 'lines');
    else if (/^-n\d+$/.test(a)) opts.lines = Number(a.slice(2));
    else if (a.startsWith('--')) throw new CommandError('USAGE', `systemctl: unrecognized option '${a}'`, 1);
    else if (a.startsWith('-') && a.length > 1) {
      for (const ch of a.slice(1)) {
        if (ch === 'l') opts.full = true;
        else if (ch === 'q') opts.quiet = true;
        else throw new CommandError('USAGE', `systemctl: invalid option -- '${ch}'`, 1);
      }
    } else words.push(a);
  }
  return { opts, words };
}

/** The unit's name as systemctl completes it: `.service` when no suffix was given. */
function fullName(name: string): string {
  return /\.(service|socket|timer|target|mount|path|slice|scope|device|swap|automount)$/.test(name) ? name : `${name}.service`;
}

const VERBS = ['status', 'start', 'stop', 'restart', 'is-active', 'is-enabled', 'daemon-reload'];

export const systemctl: Command = {
  name: 'systemctl',
  summary: 'the node\'s services: systemctl status kubelet, systemctl stop|start|restart kubelet',
  usage: USAGE,
  where: ['node'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'systemctl: not available here');
    const machine = loc.node;
    const state = ctx.env.sim.state;
    const { opts, words } = parse(ctx.argv.slice(1));
    const [verb, ...names] = words;
    if (verb === undefined) throw new CommandError('UNSUPPORTED', 'systemctl: listing every unit is not modelled in this sandbox; ask for one: systemctl status kubelet', 1);
    if (!VERBS.includes(verb)) {
      if (['enable', 'disable', 'reload', 'mask', 'unmask', 'list-units', 'list-unit-files', 'cat', 'edit', 'show', 'kill', 'reset-failed', 'is-failed', 'daemon-reexec', 'reboot', 'poweroff'].includes(verb)) throw new CommandError('UNSUPPORTED', `systemctl: ${verb} is not modelled in this sandbox (status, start, stop, restart, is-active, is-enabled and daemon-reload are)`, 1);
      throw new CommandError('USAGE', `Unknown command verb '${verb}'.`, 1);
    }
    if (verb === 'daemon-reload') return 0;
    if (names.length === 0) {
      if (verb === 'status') throw new CommandError('UNSUPPORTED', 'systemctl: the overall system status is not modelled in this sandbox; name a unit: systemctl status kubelet', 1);
      throw new CommandError('USAGE', 'Too few arguments.', 1);
    }
    const docker = (n: string): boolean => /^(docker|docker\.service|docker\.socket)$/.test(n) && !isNode(state, machine) && state.docker?.hosts[machine] !== undefined;
    if (names.some(docker)) throw new CommandError('UNSUPPORTED', 'systemctl: the Docker engine\'s unit is not modelled in this sandbox (ssh, systemd-resolved and, on Kubernetes nodes, kubelet and containerd are)', 1);
    const resolved = names.map((n) => ({ name: fullName(n), unit: findUnit(state, machine, n) ?? findUnit(state, machine, fullName(n)) }));

    if (verb === 'is-active') {
      let all = true;
      for (const r of resolved) {
        const on = r.unit !== undefined && unitActive(state, machine, r.unit.id);
        all &&= on;
        if (!opts.quiet) ctx.stdout.write(`${on ? 'active' : 'inactive'}\n`);
      }
      return all ? 0 : 3;
    }
    if (verb === 'is-enabled') {
      for (const r of resolved) {
        if (!r.unit) throw new CommandError('NOT_FOUND', `Failed to get unit file state for ${r.name}: No such file or directory`, 1);
        if (!opts.quiet) ctx.stdout.write(`${r.unit.enabled}\n`);
      }
      return resolved.every((r) => r.unit?.enabled === 'enabled') ? 0 : 1;
    }
    if (verb === 'status') {
      let status = 0;
      const blocks: string[][] = [];
      for (const r of resolved) {
        if (!r.unit) {
          ctx.stderr.write(`Unit ${r.name} could not be found.\n`);
          status = 4;
          continue;
        }
        blocks.push(statusBlock(ctx, machine, r.unit, opts));
        if (!unitActive(state, machine, r.unit.id) && status === 0) status = 3;
      }
      // On a terminal systemctl fits the CGroup tree and the journal lines to its width (80 here).
      const cut = (l: string): string => (ctx.tty && !opts.full && /^( {13}[├└]─|[A-Z][a-z]{2} \d\d \d\d:)/.test(l) && [...l].length > 80 ? [...l].slice(0, 79).join('') + '…' : l);
      if (blocks.length > 0) ctx.stdout.write(blocks.map((b) => b.map(cut).join('\n')).join('\n\n') + '\n');
      return status;
    }
    // start, stop, restart
    const missing = resolved.find((r) => !r.unit);
    if (missing) throw new CommandError('NOT_FOUND', `Failed to ${verb} ${missing.name}: Unit ${missing.name} ${verb === 'stop' ? 'not loaded' : 'not found'}.`, 5);
    let now = ctx.env.sim.clock.now();
    let took = 0;
    for (const r of resolved) {
      const id = r.unit!.id;
      if (verb === 'stop' || verb === 'restart') {
        if (setUnitActive(state, machine, id, false, now)) took += 25;
        if (verb === 'stop' && id === 'ssh.service' && unitActive(state, machine, 'ssh.socket')) ctx.stderr.write("Stopping 'ssh.service', but its triggering units are still active:\nssh.socket\n");
      }
      if (verb === 'start' || verb === 'restart') {
        const at = now + took;
        if (setUnitActive(state, machine, id, true, at)) {
          // Until its startup output is written (systemctl waits for a Type=notify unit's readiness).
          took += STARTUP_MS[id];
          if (id === 'kubelet.service') kubeletStarted({ state, rng: ctx.env.sim.rng, now: at }, machine);
        }
      }
      now += took;
      took = 0;
    }
    const elapsed = now - ctx.env.sim.clock.now();
    if (elapsed > 0) await ctx.sleep(elapsed);
    return 0;
  },
  complete(req) {
    if (req.words.length === 1) return VERBS;
    const loc = req.env.location;
    if (loc.kind !== 'node') return [];
    return Object.values(UNITS)
      .filter((u) => findUnit(req.env.sim.state, loc.node, u.id))
      .map((u) => u.id);
  },
};
