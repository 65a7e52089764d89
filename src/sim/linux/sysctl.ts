/**
 * Kernel parameters (`sysctl`, /proc/sys) of a network namespace.
 *
 * Design notes: a namespace keeps only the keys that were written (`Netns.sysctl`); every
 * other value is derived from the namespace, so a cluster of a thousand nodes stores nothing
 * until a learner changes something. `net.ipv4.ip_forward` is the namespace's `ipForward`
 * (the data path's switch) and `net.ipv4.conf.all.forwarding` is the same value, as in the
 * kernel (devinet_sysctl_forward sets both, and every interface's `forwarding` with them).
 * `net.bridge.bridge-nf-call-iptables` exists only where the br_netfilter module is loaded:
 * Kubernetes nodes (kubeadm's prerequisites load it and set the key to 1) and Docker hosts;
 * the data path asks `bridgeNfCallIptables` before running iptables on a bridged frame. The
 * bridge keys, like the kernel's brnf_sysctl_call_tables, store any non-zero value as 1.
 * `ip_local_port_range` takes "low high" (tab separated when read) and refuses a low port
 * below ip_unprivileged_port_start (1024) or above the high one (ipv4_local_port_range);
 * integer keys refuse anything that is not an integer (proc_dointvec). Values shown follow
 * what a Ubuntu 24.04 host has: rp_filter 2 (Ubuntu's 10-network-security.conf), the
 * kernel's neighbour garbage-collection thresholds 128/512/1024 (read by the neighbour table),
 * nf_conntrack_max 262144.
 * Simplified: an interface's own `forwarding` key is stored and shown but only the
 * namespace-wide switch decides forwarding; rp_filter is not enforced (shown only).
 * Left out: the thousands of other keys a real `sysctl -a` lists; IPv6 keys.
 */
import type { Netns } from '../netns';

export type SysctlError = { kind: 'missing' } | { kind: 'invalid' };

interface KeyDef {
  /** The value when nothing was written. */
  initial(ns: Netns): string;
  /** Checks and normalises a written value (undefined: EINVAL). */
  parse(text: string): string | undefined;
}

const INT = /^\s*[+-]?\d+\s*$/;

function int(text: string): string | undefined {
  if (!INT.test(text)) return undefined;
  const n = Number(text.trim());
  return n >= -2147483648 && n <= 2147483647 ? String(n) : undefined;
}

function nonNegative(text: string): string | undefined {
  const v = int(text);
  return v !== undefined && Number(v) >= 0 ? v : undefined;
}

function boolish(text: string): string | undefined {
  const v = int(text);
  return v === undefined ? undefined : v === '0' ? '0' : '1';
}

const fixed = (value: string, parse = int): KeyDef => ({ initial: () => value, parse });

/**
 * True where the br_netfilter module is loaded: Kubernetes nodes, which require it. Not a
 * Docker 28 host: its daemon loads br_netfilter only for --icc=false or without the userland
 * proxy (moby libnetwork/drivers/bridge/bridge_linux.go), nor the routed network's machines.
 */
export function brNetfilterLoaded(ns: Netns): boolean {
  return ns.id.startsWith('node/');
}

/**
 * The interfaces whose per-interface keys exist: `all`, `default` and every device, a dot in
 * a device name shown as `/` (`flannel/1`), as procps shows directory names.
 */
function confNames(ns: Netns): string[] {
  return ['all', 'default', ...ns.devices.map((d) => d.name.replace(/\./g, '/'))];
}

/** Per-interface keys and their initial values (forwarding follows ip_forward). */
const CONF_KEYS: Record<string, (ns: Netns) => string> = {
  forwarding: (ns) => (ns.ipForward ? '1' : '0'),
  rp_filter: (ns) => (brNetfilterLoaded(ns) ? '2' : '0'),
};

const KEYS: Record<string, KeyDef> = {
  'net.ipv4.ip_forward': { initial: (ns) => (ns.ipForward ? '1' : '0'), parse: int },
  'net.ipv4.ip_local_port_range': { initial: () => '32768\t60999', parse: portRange },
  'net.ipv4.neigh.default.gc_thresh1': fixed('128'),
  'net.ipv4.neigh.default.gc_thresh2': fixed('512'),
  'net.ipv4.neigh.default.gc_thresh3': fixed('1024'),
  'net.ipv4.neigh.default.gc_interval': fixed('30'),
  'net.ipv4.neigh.default.gc_stale_time': fixed('60'),
  'net.ipv4.neigh.default.base_reachable_time_ms': fixed('30000'),
  'net.ipv4.neigh.default.delay_first_probe_time': fixed('5'),
  'net.netfilter.nf_conntrack_max': fixed('262144', nonNegative),
};

const BRIDGE_KEYS = ['net.bridge.bridge-nf-call-arptables', 'net.bridge.bridge-nf-call-ip6tables', 'net.bridge.bridge-nf-call-iptables'];

function portRange(text: string): string | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length === 0 || parts.length > 2 || parts.some((p) => !/^[+-]?\d+$/.test(p))) return undefined;
  const [lo, hi] = parts.map(Number) as [number, number | undefined];
  const high = hi ?? 60999;
  if (lo < 1024 || high < lo || high > 65535) return undefined;
  return `${lo}\t${high}`;
}

/** Every key this namespace has, sorted as `sysctl -a` lists them. */
export function sysctlKeys(ns: Netns): string[] {
  const keys = Object.keys(KEYS);
  for (const dev of confNames(ns)) for (const k of Object.keys(CONF_KEYS)) keys.push(`net.ipv4.conf.${dev}.${k}`);
  if (brNetfilterLoaded(ns)) keys.push(...BRIDGE_KEYS);
  return keys.sort();
}

/** Swaps `.` and `/` (procps' slashdot). */
function swap(text: string): string {
  return text.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/**
 * A key as sysctl shows it (`net.ipv4.conf.flannel/1.forwarding`) from what was typed: that
 * form, a path (`net/ipv4/ip_forward`, told apart by its first separator, as procps does) or a
 * /proc/sys file.
 */
export function normaliseKey(name: string): string {
  const rest = name.replace(/^\/proc\/sys\//, '');
  const first = /[./]/.exec(rest)?.[0];
  return first === '/' || name.startsWith('/proc/sys/') ? swap(rest) : rest;
}

function confKey(ns: Netns, key: string): { dev: string; name: string } | undefined {
  const m = /^net\.ipv4\.conf\.(.+)\.([a-z_]+)$/.exec(key);
  if (!m || !CONF_KEYS[m[2]!] || !confNames(ns).includes(m[1]!)) return undefined;
  return { dev: m[1]!, name: m[2]! };
}

/** True when `key` exists in this namespace. */
export function hasSysctl(ns: Netns, key: string): boolean {
  if (KEYS[key]) return true;
  if (BRIDGE_KEYS.includes(key)) return brNetfilterLoaded(ns);
  return confKey(ns, key) !== undefined;
}

/** The value of `key` as /proc/sys shows it (without the newline), or undefined if missing. */
export function readSysctl(ns: Netns, key: string): string | undefined {
  if (!hasSysctl(ns, key)) return undefined;
  // ip_forward keeps the integer written (7 reads back as 7); the data path only asks non-zero.
  const forward = ns.ipForward ? (ns.sysctl?.['net.ipv4.ip_forward'] ?? '1') : '0';
  if (key === 'net.ipv4.ip_forward' || key === 'net.ipv4.conf.all.forwarding') return forward;
  const stored = ns.sysctl?.[key];
  if (stored !== undefined) return stored;
  const c = confKey(ns, key);
  if (c) return c.name === 'forwarding' ? forward : CONF_KEYS[c.name]!(ns);
  if (BRIDGE_KEYS.includes(key)) return '1';
  return KEYS[key]!.initial(ns);
}

/** Writes `key`; returns what went wrong, as the kernel answers (ENOENT, EINVAL). */
export function writeSysctl(ns: Netns, key: string, value: string): SysctlError | undefined {
  if (!hasSysctl(ns, key)) return { kind: 'missing' };
  const c = confKey(ns, key);
  const def = KEYS[key];
  const parsed = BRIDGE_KEYS.includes(key) ? boolish(value) : c ? int(value) : def!.parse(value);
  if (parsed === undefined) return { kind: 'invalid' };
  if (key === 'net.ipv4.ip_forward' || key === 'net.ipv4.conf.all.forwarding') {
    // The switch the data path reads; every interface's forwarding follows it.
    ns.ipForward = parsed !== '0';
    if (ns.sysctl) {
      for (const k of Object.keys(ns.sysctl)) if (/^net\.ipv4\.conf\..+\.forwarding$/.test(k)) delete ns.sysctl[k];
      delete ns.sysctl['net.ipv4.ip_forward'];
    }
    if (parsed !== '0' && parsed !== '1') (ns.sysctl ??= {})['net.ipv4.ip_forward'] = parsed;
    return undefined;
  }
  (ns.sysctl ??= {})[key] = parsed;
  return undefined;
}

/** Whether bridged IPv4 frames in this namespace pass the iptables hooks (br_netfilter). */
export function bridgeNfCallIptables(ns: Netns): boolean {
  return brNetfilterLoaded(ns) && ns.sysctl?.['net.bridge.bridge-nf-call-iptables'] !== '0';
}

/** The integer value of a key (the neighbour table's gc thresholds), or `fallback`. */
export function sysctlNumber(ns: Netns, key: string, fallback: number): number {
  const v = Number(readSysctl(ns, key)?.split('\t')[0]);
  return Number.isFinite(v) ? v : fallback;
}

/** The /proc/sys files of a namespace, by absolute path, with the newline a read returns. */
export function procSysFiles(ns: Netns): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of sysctlKeys(ns)) out[`/proc/sys/${swap(k)}`] = `${readSysctl(ns, k)}\n`;
  return out;
}
