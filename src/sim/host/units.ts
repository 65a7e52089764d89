/**
 * The systemd units of a machine (a Kubernetes node, a Docker host, a routed host) and whether
 * each one runs: the facts `systemctl`, `journalctl`, `ps` and `ss` read, and what decides
 * which daemons answer on the network.
 *
 * Design notes: every machine runs systemd-resolved and OpenSSH as Ubuntu 24.04 does (sshd
 * started by `ssh.socket`, socket activation being Ubuntu's default since 22.10) and
 * containerd (as `ps` shows it everywhere); a Kubernetes node also runs the kubelet
 * (kubeadm's packages: the unit and its 10-kubeadm.conf drop-in under
 * /usr/lib/systemd/system). A unit runs from boot unless the
 * learner stopped it: only units that were stopped or started keep a record (`state.hosts`),
 * so a cluster of any size costs nothing until a unit changes, and the record holds the last
 * transitions for the journal (bounded). A machine boots 40 s before its node registered
 * (Docker and routed hosts: before the sandbox was made); each daemon's start time and main
 * pid are fixed per machine, and a unit started again gets a new, higher pid.
 * The port 22 listener exists while ssh.socket (systemd holds the socket) or ssh.service
 * (sshd holds it) is active; `systemctl stop ssh` alone leaves the socket listening, as on a
 * real Ubuntu 24.04 machine, where the next connection starts sshd again.
 * Left out: the other units of the machine (they are shown by `ps` but cannot be controlled),
 * enable/disable, masking, dependencies between units beyond ssh.socket, failed states.
 */
import type { SimState } from '../state';

/** The units the sandbox can start and stop, by their primary name. */
export type UnitId = 'kubelet.service' | 'containerd.service' | 'ssh.service' | 'ssh.socket' | 'systemd-resolved.service';

/** One transition the learner caused, for the journal. */
export interface UnitEvent {
  at: number;
  action: 'stop' | 'start';
  /** The main pid that stopped, or the one that started. */
  pid: number;
}

/** A unit whose state differs from boot. */
export interface UnitRecord {
  active: boolean;
  /** When it last became active or inactive (epoch ms). */
  since: number;
  /** How many times it was started after boot (each start is a new main process). */
  starts: number;
  /** Its last transitions, oldest first. */
  events: UnitEvent[];
}

/** What the sandbox keeps about a machine's units: only those that changed. */
export interface HostRecord {
  units: Partial<Record<UnitId, UnitRecord>>;
  /** A node that lost its path to the API server (a network change): since when (epoch ms). */
  apiLost?: number;
  /** When its path to the API server came back last (epoch ms). */
  apiBack?: number;
}

/** Transitions kept per unit. */
const MAX_EVENTS = 20;

export interface UnitDef {
  id: UnitId;
  description: string;
  /** The unit file. */
  fragment: string;
  /** `systemctl is-enabled` and the vendor preset. */
  enabled: 'enabled' | 'disabled';
  dropIns?: { dir: string; files: string[] };
  docs: string[];
  /** The program (comm) of its main process, as the journal names it. */
  comm: string;
  /** Other names systemctl accepts for it. */
  aliases: string[];
  /** Only on Kubernetes nodes. */
  nodeOnly?: boolean;
}

export const UNITS: Record<UnitId, UnitDef> = {
  'kubelet.service': {
    id: 'kubelet.service',
    description: 'kubelet: The Kubernetes Node Agent',
    fragment: '/usr/lib/systemd/system/kubelet.service',
    enabled: 'enabled',
    dropIns: { dir: '/usr/lib/systemd/system/kubelet.service.d', files: ['10-kubeadm.conf'] },
    docs: ['https://kubernetes.io/docs/'],
    comm: 'kubelet',
    aliases: ['kubelet'],
    nodeOnly: true,
  },
  'containerd.service': {
    id: 'containerd.service',
    description: 'containerd container runtime',
    fragment: '/usr/lib/systemd/system/containerd.service',
    enabled: 'enabled',
    docs: ['https://containerd.io'],
    comm: 'containerd',
    aliases: ['containerd'],
  },
  'ssh.service': {
    id: 'ssh.service',
    description: 'OpenBSD Secure Shell server',
    fragment: '/usr/lib/systemd/system/ssh.service',
    // Socket-activated: the service is disabled and ssh.socket enabled.
    enabled: 'disabled',
    docs: ['man:sshd(8)', 'man:sshd_config(5)'],
    comm: 'sshd',
    aliases: ['ssh', 'sshd', 'sshd.service'],
  },
  'ssh.socket': {
    id: 'ssh.socket',
    description: 'OpenBSD Secure Shell server socket',
    fragment: '/usr/lib/systemd/system/ssh.socket',
    enabled: 'enabled',
    docs: [],
    comm: 'systemd',
    aliases: [],
  },
  'systemd-resolved.service': {
    id: 'systemd-resolved.service',
    description: 'Network Name Resolution',
    fragment: '/usr/lib/systemd/system/systemd-resolved.service',
    enabled: 'enabled',
    docs: ['man:systemd-resolved.service(8)', 'man:org.freedesktop.resolve1(5)', 'https://www.freedesktop.org/wiki/Software/systemd/writing-network-configuration-managers', 'https://www.freedesktop.org/wiki/Software/systemd/writing-resolver-clients'],
    comm: 'systemd-resolve',
    aliases: ['systemd-resolved'],
  },
};

/** A stable number from a string (FNV-1a), for pids and ports that must not change between runs. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A host process's pid: fixed per machine and key, in [base, base + span). */
export function hostPid(host: string, base: number, span: number, key: string): number {
  return base + (hash(`${host}/${key}`) % span);
}

/** Whether the machine is a Kubernetes node (it runs containerd and a kubelet). */
export function isNode(state: SimState, machine: string): boolean {
  return state.k8s.nodes[machine] !== undefined;
}

/** The units a machine has. */
export function unitsOf(state: SimState, machine: string): UnitDef[] {
  const node = isNode(state, machine);
  return Object.values(UNITS).filter((u) => node || !u.nodeOnly);
}

/** The unit a name given to systemctl means on this machine (`kubelet`, `sshd`, `ssh.socket`). */
export function findUnit(state: SimState, machine: string, name: string): UnitDef | undefined {
  return unitsOf(state, machine).find((u) => u.id === name || u.aliases.includes(name));
}

/** When the machine booted: 40 s before its node registered, or before the sandbox was made. */
export function bootTime(state: SimState, machine: string): number {
  const n = state.k8s.nodes[machine];
  return (n ? Date.parse(n.metadata.creationTimestamp) : state.createdAt) - 40_000;
}

/** When a unit started at boot. */
export function unitBootStart(state: SimState, machine: string, id: UnitId): number {
  const boot = bootTime(state, machine);
  if (id === 'kubelet.service') return boot + 35_000;
  if (id === 'systemd-resolved.service') return boot + 3_000;
  if (id === 'ssh.socket') return boot + 5_000;
  return boot + 6_000;
}

/** The main pid a unit had from boot. */
export function unitBootPid(machine: string, id: UnitId): number {
  switch (id) {
    case 'kubelet.service':
      return hostPid(machine, 1300, 200, 'kubelet');
    case 'containerd.service':
      return hostPid(machine, 700, 80, 'containerd');
    case 'ssh.service':
      return hostPid(machine, 1000, 100, 'sshd');
    case 'systemd-resolved.service':
      return hostPid(machine, 520, 60, 'resolved');
    case 'ssh.socket':
      return 1;
  }
}

function record(state: SimState, machine: string, id: UnitId): UnitRecord | undefined {
  return state.hosts?.[machine]?.units[id];
}

/** Whether the unit runs now. */
export function unitActive(state: SimState, machine: string, id: UnitId): boolean {
  return record(state, machine, id)?.active ?? true;
}

/** When the unit last became active (or inactive, when it is). */
export function unitSince(state: SimState, machine: string, id: UnitId): number {
  return record(state, machine, id)?.since ?? unitBootStart(state, machine, id);
}

/** The pid of the unit's main process (the last one, when it is stopped). */
export function unitPid(state: SimState, machine: string, id: UnitId): number {
  const starts = record(state, machine, id)?.starts ?? 0;
  if (starts === 0 || id === 'ssh.socket') return unitBootPid(machine, id);
  // Pids only grow: a process started later gets a higher one than the boot-time daemons.
  return 9000 + (hash(`${machine}/${id}`) % 2000) + 211 * starts;
}

/** The unit's transitions the learner caused, oldest first. */
export function unitEvents(state: SimState, machine: string, id: UnitId): UnitEvent[] {
  return record(state, machine, id)?.events ?? [];
}

/** Every machine with a unit record, and its records (for the node lifecycle's due times). */
export function changedUnits(state: SimState): [string, HostRecord][] {
  return Object.entries(state.hosts ?? {});
}

/** Stops or starts a unit at `now`; false when it already was in that state (nothing changes). */
export function setUnitActive(state: SimState, machine: string, id: UnitId, active: boolean, now: number): boolean {
  if (unitActive(state, machine, id) === active) return false;
  const hosts = (state.hosts ??= {});
  const host = (hosts[machine] ??= { units: {} });
  const prev = host.units[id];
  const rec: UnitRecord = prev ?? { active: true, since: unitBootStart(state, machine, id), starts: 0, events: [] };
  const stoppedPid = unitPid(state, machine, id);
  rec.active = active;
  rec.since = now;
  if (active) rec.starts++;
  host.units[id] = rec;
  rec.events.push({ at: now, action: active ? 'start' : 'stop', pid: active ? unitPid(state, machine, id) : stoppedPid });
  if (rec.events.length > MAX_EVENTS) rec.events.splice(0, rec.events.length - MAX_EVENTS);
  return true;
}

/** Whether anything listens on the machine's port 22 (ssh.socket or sshd itself). */
export function sshListening(state: SimState, machine: string): boolean {
  return unitActive(state, machine, 'ssh.socket') || unitActive(state, machine, 'ssh.service');
}

/** Whether the node's kubelet runs (a machine that is no node has none). */
export function kubeletRunning(state: SimState, machine: string): boolean {
  return isNode(state, machine) && unitActive(state, machine, 'kubelet.service');
}
