/**
 * The systemd journal of a machine's units, as `journalctl -u` and `systemctl status` show it:
 * derived on every call from the units' runs (boot, and each stop and start the learner made)
 * and the pods the kubelet started, so it costs no state.
 *
 * Design notes: each run of a unit writes what its program prints as it starts and systemd's
 * own lines about it, in systemd 255's words: `Starting X - Description...` and `Started X -
 * Description.` (only `Started` for the kubelet's Type=simple unit), and when stopped
 * `Stopping ...`, `X: Deactivated successfully.`, `Stopped X - Description.` and `X: Consumed
 * 14.519s CPU time, 76.0M memory peak, 0B memory swap peak.`. Stopping containerd leaves the
 * shims running (its unit's KillMode=process): systemd says so for each (`Unit process N
 * (containerd-shim) remains running after unit stopped.`), and again when containerd starts
 * (`Found left-over process N ...`). The kubelet's lines are klog's (`I0314 09:17:55.412345
 * 1450 server.go:1287] "Started kubelet"`: severity, date, time with microseconds, the
 * thread id padded to 7, file:line), its two deprecation warnings first as kubeadm's flags
 * cause them; then, per pod it started, `Observed pod startup duration`; a containerd that
 * went away shows as `Container runtime sanity check failed`. containerd's lines are logrus's
 * `time="..." level=info msg="..."`. Sub-second digits come from a hash: the sandbox's clock
 * has milliseconds.
 * Simplified: the kubelet's and containerd's startup output is a representative part of the
 * real one (the plugin loading and informer lines are left out); klog's file:line references
 * follow the v1.32 sources' names, not checked line by line. Left out: other units' journals,
 * the kernel's, journald's rate limiting and rotation, lines of pods since deleted.
 */
import type { SimState } from '../state';
import { klogPrefix } from '../k8s/component-logs';
import { machineProcesses } from './processes';
import { hash, type UnitId, UNITS, unitBootPid, unitBootStart, unitEvents } from './units';

export interface JournalEntry {
  /** Epoch ms. */
  at: number;
  /** Microseconds within the millisecond (0-999), for klog's and logrus' clocks. */
  us: number;
  /** The syslog identifier: `systemd` or the unit's program. */
  ident: string;
  pid: number;
  text: string;
}

/** One run of a unit: its main pid, when it started and, when it did, stopped. */
interface Run {
  pid: number;
  start: number;
  stop?: number;
}

function runs(state: SimState, machine: string, id: UnitId): Run[] {
  const out: Run[] = [{ pid: unitBootPid(machine, id), start: unitBootStart(state, machine, id) }];
  for (const e of unitEvents(state, machine, id)) {
    const last = out[out.length - 1]!;
    if (e.action === 'stop' && last.stop === undefined) last.stop = e.at;
    else if (e.action === 'start') out.push({ pid: e.pid, start: e.at });
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** logrus' time: RFC 3339 with nanoseconds. */
function logrusTime(at: number, us: number): string {
  return `${new Date(at).toISOString().slice(0, 19)}.${String(at % 1000).padStart(3, '0')}${String(us).padStart(3, '0')}${String(hash(`${at}/${us}`) % 1000).padStart(3, '0')}Z`;
}

/** Go's time.Time.String() in UTC with whole seconds (`2025-03-14 09:18:00 +0000 UTC`). */
function goTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000 UTC`;
}

/** systemd's format_timespan at millisecond accuracy (`14.510s`, `2min 3.004s`, `537ms`). */
export function timespan(ms: number): string {
  if (ms <= 0) return '0';
  const parts: string[] = [];
  let rest = Math.round(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  if (h > 0) parts.push(`${h}h`);
  if (m > 0) parts.push(`${m}min`);
  if (rest >= 1000) parts.push(`${Math.floor(rest / 1000)}${rest % 1000 ? `.${String(rest % 1000).padStart(3, '0')}` : ''}s`);
  else if (rest > 0) parts.push(`${rest}ms`);
  return parts.join(' ');
}

/** systemd's format_bytes: 1024-based, one decimal (`76.0M`). */
export function bytesText(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes}B` : `${v.toFixed(1)}${units[i]}`;
}

/** The CPU time, memory and memory peak systemd accounts to a run of a unit that lasted `ms`. */
export function runUsage(id: UnitId, ms: number): { cpuMs: number; memory: number; peak: number } {
  if (id === 'ssh.socket') return { cpuMs: 1, memory: 8 * 1024, peak: 256 * 1024 };
  const share = id === 'kubelet.service' ? 0.02 : id === 'containerd.service' ? 0.004 : 0.0005;
  const rss = id === 'kubelet.service' ? 77_824 : id === 'containerd.service' ? 49_792 : id === 'ssh.service' ? 7_936 : 12_928;
  return { cpuMs: Math.round(ms * share) + 180, memory: rss * 1024 - (hash(`${id}/now`) % 2_000_000), peak: rss * 1024 + (hash(id) % 4_000_000) };
}

/** Lines a run writes, each `offset` ms after its start. */
type Line = [offset: number, ident: 'systemd' | 'self', text: string];

function kubeletStartup(state: SimState, machine: string): Line[] {
  const version = state.config.kubernetesVersion;
  const k = (src: string, msg: string): string => `\u0000I ${src}] ${msg}`;
  return [
    [0, 'systemd', `Started ${UNITS['kubelet.service'].id} - ${UNITS['kubelet.service'].description}.`],
    [45, 'self', "Flag --container-runtime-endpoint has been deprecated, This parameter should be set via the config file specified by the Kubelet's --config flag. See https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/ for more information."],
    [45, 'self', 'Flag --pod-infra-container-image has been deprecated, will be removed in 1.35. Image garbage collector will get sandbox image information from CRI.'],
    [46, 'self', k('server.go:215', '"--pod-infra-container-image will not be pruned by the image garbage collector in kubelet and should also be set in the remote runtime"')],
    [52, 'self', k('server.go:520', `"Kubelet version" kubeletVersion="${version}"`)],
    [52, 'self', k('server.go:522', '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""')],
    [53, 'self', k('server.go:954', '"Client rotation is on, will bootstrap in background"')],
    [55, 'self', k('certificate_store.go:130', 'Loading cert/key pair from "/var/lib/kubelet/pki/kubelet-client-current.pem".')],
    [57, 'self', k('dynamic_cafile_content.go:161', '"Starting controller" name="client-ca-bundle::/etc/kubernetes/pki/ca.crt"')],
    [71, 'self', k('kubelet.go:408', '"Attempting to sync node with API server"')],
    [71, 'self', k('kubelet.go:303', '"Adding static pod path" path="/etc/kubernetes/manifests"')],
    [74, 'self', k('kuberuntime_manager.go:262', '"Container runtime initialized" containerRuntime="containerd" version="1.7.27" apiVersion="v1"')],
    [81, 'self', k('server.go:1287', '"Started kubelet"')],
    [81, 'self', k('server.go:169', '"Starting to listen" address="0.0.0.0" port=10250')],
    [83, 'self', k('server.go:490', '"Adding debug handlers to kubelet server"')],
    [92, 'self', k('kubelet_node_status.go:76', `"Attempting to register node" node="${machine}"`)],
    [104, 'self', k('kubelet_node_status.go:79', `"Successfully registered node" node="${machine}"`)],
    [120, 'self', k('reconciler.go:26', '"Reconciler: start to sync state"')],
  ];
}

function containerdStartup(leftOver: number[]): Line[] {
  const unit = UNITS['containerd.service'];
  const info = (msg: string): string => `\u0000logrus info ${msg}`;
  return [
    ...leftOver.flatMap((pid): Line[] => [
      [0, 'systemd', `${unit.id}: Found left-over process ${pid} (containerd-shim) in control group while starting unit. Ignoring.`],
      [0, 'systemd', `${unit.id}: This usually indicates unclean termination of a previous run, or service implementation deficiencies.`],
    ]),
    [0, 'systemd', `Starting ${unit.id} - ${unit.description}...`],
    [16, 'self', info('msg="starting containerd" revision=05044ec0a9a75232cad458027ca83437aae3f4da version=1.7.27')],
    [40, 'self', info('msg="Start cri plugin with config {PluginConfig:{ContainerdConfig:{Snapshotter:overlayfs DefaultRuntimeName:runc ...} ...}}"')],
    [58, 'self', info('msg=serving... address=/run/containerd/containerd.sock.ttrpc')],
    [58, 'self', info('msg=serving... address=/run/containerd/containerd.sock')],
    [59, 'self', info('msg="containerd successfully booted in 0.043528s"')],
    [60, 'systemd', `Started ${unit.id} - ${unit.description}.`],
  ];
}

function resolvedStartup(machine: string): Line[] {
  const unit = UNITS['systemd-resolved.service'];
  return [
    [0, 'systemd', `Starting ${unit.id} - ${unit.description}...`],
    [30, 'self', 'Positive Trust Anchors:'],
    [30, 'self', '. IN DS 20326 8 2 e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d'],
    [31, 'self', `Using system hostname '${machine}'.`],
    [40, 'systemd', `Started ${unit.id} - ${unit.description}.`],
  ];
}

function sshStartup(): Line[] {
  const unit = UNITS['ssh.service'];
  return [
    [0, 'systemd', `Starting ${unit.id} - ${unit.description}...`],
    [20, 'self', 'Server listening on :: port 22.'],
    [21, 'systemd', `Started ${unit.id} - ${unit.description}.`],
  ];
}

function socketStartup(): Line[] {
  const unit = UNITS['ssh.socket'];
  return [[0, 'systemd', `Listening on ${unit.id} - ${unit.description}.`]];
}

/** The pids of the shims a stopped containerd leaves behind (every running pod's). */
function shims(state: SimState, machine: string, at: number): number[] {
  return machineProcesses(state, machine, at)
    .filter((p) => p.cmd.startsWith('/usr/bin/containerd-shim-runc-v2') && p.start <= at)
    .map((p) => p.pid)
    .sort((a, b) => a - b);
}

/** Every journal entry of a unit, oldest first. */
export function unitJournal(state: SimState, machine: string, id: UnitId, now: number): JournalEntry[] {
  const unit = UNITS[id];
  const out: JournalEntry[] = [];
  const add = (at: number, ident: string, pid: number, text: string, salt: string): void => {
    if (at <= now) out.push({ at, us: hash(`${machine}/${id}/${salt}/${at}`) % 500, ident, pid, text });
  };
  const all = runs(state, machine, id);
  all.forEach((run, i) => {
    const lines = id === 'kubelet.service' ? kubeletStartup(state, machine) : id === 'containerd.service' ? containerdStartup(i > 0 ? shims(state, machine, run.start) : []) : id === 'systemd-resolved.service' ? resolvedStartup(machine) : id === 'ssh.service' ? sshStartup() : socketStartup();
    lines.forEach(([off, who, text], n) => add(run.start + off, who === 'systemd' ? 'systemd' : unit.comm, who === 'systemd' ? 1 : run.pid, text, `${i}/${n}`));
    const end = run.stop ?? Infinity;
    if (id === 'kubelet.service') {
      // The pods it started during this run.
      for (const pod of Object.values(state.k8s.pods)) {
        if (pod.spec.nodeName !== machine) continue;
        const ready = pod.status.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
        const created = Date.parse(pod.metadata.creationTimestamp);
        const running = Date.parse(ready ?? '');
        if (!Number.isFinite(running) || running < run.start || running >= end) continue;
        const secs = ((running - created) / 1000).toFixed(9).replace(/\.?0+$/, '');
        const mono = `m=+${((running - run.start) / 1000).toFixed(9)}`;
        add(running + 1, unit.comm, run.pid, `\u0000I pod_startup_latency_tracker.go:104] "Observed pod startup duration" pod="${pod.metadata.namespace}/${pod.metadata.name}" podStartSLOduration=${secs} podStartE2EDuration="${secs}s" podCreationTimestamp="${goTime(created)}" firstStartedPullingTimestamp="0001-01-01 00:00:00 +0000 UTC" lastFinishedPullingTimestamp="0001-01-01 00:00:00 +0000 UTC" observedRunningTime="${goTime(running).replace(' +0000', `.${String(running % 1000).padStart(3, '0')} +0000`)} ${mono}" watchObservedRunningTime="${goTime(running + 1).replace(' +0000', `.${String((running + 1) % 1000).padStart(3, '0')} +0000`)} ${mono}"`, `pod/${pod.metadata.uid}`);
      }
      // containerd stopping under it.
      for (const e of unitEvents(state, machine, 'containerd.service')) {
        if (e.action !== 'stop' || e.at < run.start || e.at >= end) continue;
        add(e.at + 4_000, unit.comm, run.pid, '\u0000E kubelet.go:3002] "Container runtime sanity check failed" err="rpc error: code = Unavailable desc = connection error: desc = \\"transport: Error while dialing: dial unix /var/run/containerd/containerd.sock: connect: no such file or directory\\""', `crt/${e.at}`);
      }
    }
    if (run.stop !== undefined) {
      const usage = runUsage(id, run.stop - run.start);
      const stop = run.stop;
      const sys = (off: number, text: string, salt: string): void => add(stop + off, 'systemd', 1, text, `${i}/stop/${salt}`);
      if (id === 'ssh.socket') {
        sys(0, `${unit.id}: Deactivated successfully.`, 'a');
        sys(0, `Closed ${unit.id} - ${unit.description}.`, 'b');
        return;
      }
      sys(0, `Stopping ${unit.id} - ${unit.description}...`, 'a');
      if (id === 'kubelet.service') add(stop + 2, unit.comm, run.pid, '\u0000I dynamic_cafile_content.go:175] "Shutting down controller" name="client-ca-bundle::/etc/kubernetes/pki/ca.crt"', `${i}/stop/k`);
      if (id === 'containerd.service') add(stop + 3, unit.comm, run.pid, '\u0000logrus info msg="Stop CRI service"', `${i}/stop/c`);
      sys(20, `${unit.id}: Deactivated successfully.`, 'b');
      if (id === 'containerd.service') for (const pid of shims(state, machine, stop)) sys(20, `${unit.id}: Unit process ${pid} (containerd-shim) remains running after unit stopped.`, `shim/${pid}`);
      sys(20, `Stopped ${unit.id} - ${unit.description}.`, 'c');
      sys(20, `${unit.id}: Consumed ${timespan(usage.cpuMs)} CPU time, ${bytesText(usage.peak)} memory peak, 0B memory swap peak.`, 'd');
    }
  });
  // In time order (lines of one millisecond as written), the microseconds increasing within it.
  out.sort((a, b) => a.at - b.at);
  out.forEach((e, i) => {
    const prev = out[i - 1];
    if (prev && prev.at === e.at) e.us = Math.min(999, prev.us + 1 + (e.us % 37));
    const [, marker, source] = /^\u0000(I|E|logrus) (\S+?)\] /.exec(e.text) ?? [];
    if (marker === 'I' || marker === 'E') e.text = klogPrefix(marker, e.at, e.us, e.pid, source!) + e.text.slice(e.text.indexOf('] ') + 2);
    else if (e.text.startsWith('\u0000logrus ')) {
      const [, level, ...rest] = e.text.split(' ');
      e.text = `time="${logrusTime(e.at, e.us)}" level=${level} ${rest.join(' ')}`;
    }
  });
  return out;
}

/** journalctl's short format: `Mar 14 09:17:55 node-1 kubelet[1450]: text`. */
export function journalLine(machine: string, e: JournalEntry): string {
  const d = new Date(e.at);
  return `${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${machine} ${e.ident}[${e.pid}]: ${e.text}`;
}
