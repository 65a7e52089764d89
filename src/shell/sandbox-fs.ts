/**
 * The files a shell sees where it runs: the sandbox's stored files plus the generated ones.
 *
 * Design notes: stored files (src/sim/files.ts) are kept per machine: `workstation`, a node's
 * or Docker host's name, for a pod `pod:<uid>` and for a Docker container `container:<id>`, so
 * a pod's files are its own and a new pod of the same name starts without them (as a container's writable layer does). The shell's
 * working directory is the user's home on the workstation (`/home/learner`) and on a node
 * (`/root`), and in a pod or container its image's WORKDIR (`/`, netshoot's `/root`), as the
 * prompts show (placeOf). Generated files are made from the model,
 * with the content real machines have: in a pod `/etc/resolv.conf` (by its dnsPolicy and
 * dnsConfig; ClusterFirst: search list, 10.96.0.10, ndots:5), the kubelet-managed `/etc/hosts`
 * (with `<hostname>.<subdomain>...` for a pod with spec.subdomain) and `/etc/hostname`
 * (spec.hostname or the pod's name; see sim/k8s/pod-files.ts); on a node
 * the network plugin's files (sim/cni: flannel's `/run/flannel/subnet.env` and
 * `/etc/cni/net.d/10-flannel.conflist`, Canal's `10-canal.conflist`), kubeadm's static Pod
 * manifests in `/etc/kubernetes/manifests` on the control-plane node (sim/k8s/kubeadm.ts;
 * the directory exists, empty, on the workers),
 * the kernel parameters the sandbox models under `/proc/sys` (sim/linux/sysctl.ts), `/etc/resolv.conf`
 * and `/etc/hostname`; in a Docker
 * container the files Docker writes: `/etc/hostname` (the 12-character short id), `/etc/hosts`
 * (libnetwork's defaults with the IPv6 names, then `172.17.0.x<TAB><short id>`) and
 * `/etc/resolv.conf` (Docker 28's generated file for the default bridge: its header comment,
 * the host's nameserver, and the `# Based on host file: '/etc/resolv.conf' (legacy)` trailer).
 * In a pod or container, the image's own files a walk-through reads come from its image
 * (src/sim/apps: nginx's welcome page and configuration, `/etc/os-release`); in a pod, the
 * ConfigMap and Secret keys its container mounts (sim/k8s/volumes.ts) lie over them.
 * A stored file of the same path (written by the learner) hides a generated one.
 * Directories: the ones every Linux machine has (`/tmp`, `/etc`, ...), the home directory,
 * the directories of generated files and those implied by stored files. The learner on the
 * workstation may write under the home directory and `/tmp` only; root may write anywhere
 * but `/proc` and `/sys`, except a modelled `/proc/sys` parameter, which a write sets (as
 * `sysctl -w` does; a value the kernel refuses fails the write with `Invalid argument`).
 * Writes are bounded (files.ts: 1 MiB a file, 8 MiB a machine): `writeLimited` and
 * `appendLimited` throw a FileLimitError with the errno text (`No space left on device`) that
 * the writing command reports in its own words.
 * Everywhere, `/sys/class/net/DEV/` holds a few attributes of each device of the namespace the
 * place's programs use (sim/linux/sysfs.ts: ifindex, iflink, address, mtu, operstate, ...), so
 * `cat /sys/class/net/eth0/iflink` in a container names the host's end of its veth pair.
 * Left out: permissions and owners beyond that rule, empty directories (`mkdir`), links, and
 * every system file not listed above. Writing a generated file does not change the model
 * (a new `/etc/resolv.conf` does not change how the pod resolves names). A container's
 * resolv.conf follows the host's generated one, not a file the learner wrote on the host.
 */
import type { OutputSink, ShellEnv } from './command';
import { formatIp } from '../sim/ipv4';
import { resolvConf } from '../sim/k8s/coredns';
import { podHostname, podHostsFile, podResolvConf } from '../sim/k8s/pod-files';
import { cniNodeFiles } from '../sim/cni';
import { MANIFEST_DIR, staticPodManifests } from '../sim/k8s/kubeadm';
import { goYaml, sortKeys } from './commands/kubectl/go-yaml';
import { appendBounded, isDirectory, listDirectory, readFile, resolvePath, writeBounded } from '../sim/files';
import { imageAt, imageFamily } from './images';
import { imageFiles } from '../sim/apps/index';
import { mountedFiles } from '../sim/k8s/volumes';
import { containerHostsFile, containerResolvConf } from '../sim/docker/networks';
import { normaliseKey, procSysFiles, readSysctl, writeSysctl } from '../sim/linux/sysctl';
import { sysClassNetFiles } from '../sim/linux/sysfs';
import { nsIdOf } from './resolver';

/** Where file names resolve for a shell: the machine's key in the state and the working directory. */
export interface Place {
  machine: string;
  cwd: string;
  home: string;
  /** The shell runs as root (node, pod) rather than as the learner. */
  root: boolean;
}

/**
 * The place a shell at `env.location` works in. This is the one source of the working
 * directory: the prompt, `pwd`, `$PWD` and relative paths all come from here.
 */
export function placeOf(env: Pick<ShellEnv, 'sim' | 'location'>): Place {
  const loc = env.location;
  if (loc.kind === 'workstation') return { machine: 'workstation', cwd: '/home/learner', home: '/home/learner', root: false };
  if (loc.kind === 'node') return { machine: loc.node, cwd: '/root', home: '/root', root: true };
  // The image's WORKDIR: netshoot's is /root; busybox's and nginx's images set none (`/`).
  const cwd = imageFamily(imageAt(env.sim, loc)) === 'netshoot' ? '/root' : '/';
  if (loc.kind === 'container') return { machine: `container:${loc.id}`, cwd, home: '/root', root: true };
  const uid = env.sim.pod(loc.namespace, loc.pod)?.metadata.uid;
  return { machine: uid ? `pod:${uid}` : `pod:${loc.namespace}/${loc.pod}`, cwd, home: '/root', root: true };
}

/** The absolute, normalised form of `path` for `place` (`~` is the home directory). */
export function absolute(place: Place, path: string): string {
  const p = path === '~' || path.startsWith('~/') ? place.home + path.slice(1) : path;
  return resolvePath(place.machine, p, place.cwd);
}

/** The files generated from the model where the shell runs, by absolute path. */
export function generatedFiles(env: ShellEnv): Record<string, string> {
  // Every machine has /dev/null: empty to read, and what is written to it is gone.
  return { '/dev/null': '', ...machineFiles(env) };
}

function machineFiles(env: ShellEnv): Record<string, string> {
  // /sys/class/net of the namespace the place's programs use (sim/linux/sysfs.ts).
  const ns = env.sim.state.netns[nsIdOf(env)];
  return { ...(ns ? sysClassNetFiles(env.sim.state.netns, ns) : {}), ...placeFiles(env) };
}

function placeFiles(env: ShellEnv): Record<string, string> {
  const loc = env.location;
  const state = env.sim.state;
  if (loc.kind === 'pod') {
    const pod = env.sim.pod(loc.namespace, loc.pod);
    if (!pod) return { '/etc/resolv.conf': resolvConf(state, loc.namespace), '/etc/hostname': `${loc.pod}\n` };
    // What the kubelet writes for this pod (sim/k8s/pod-files.ts).
    return {
      ...imageFiles(imageAt(env.sim, loc)),
      ...mountedFiles(state, pod, pod.spec.containers.find((c) => c.name === loc.container)),
      '/etc/resolv.conf': podResolvConf(state, pod),
      '/etc/hostname': `${podHostname(pod)}\n`,
      '/etc/hosts': podHostsFile(state, pod),
    };
  }
  if (loc.kind === 'node') {
    const node = state.k8s.nodes[loc.node];
    const out: Record<string, string> = {
      '/etc/hostname': `${loc.node}\n`,
      '/etc/resolv.conf': `nameserver ${formatIp(state.config.gateway)}\n`,
    };
    // The kernel parameters the sandbox models, one file each (sim/linux/sysctl.ts).
    const ns = state.netns[loc.ns];
    if (ns) Object.assign(out, procSysFiles(ns));
    // The network plugin's files (flannel's subnet.env and conflist, Canal's 10-canal.conflist).
    if (node) Object.assign(out, cniNodeFiles(state, loc.node));
    // kubeadm's static Pod manifests on the control-plane node, as it marshals them (sorted keys).
    if (node) for (const [path, pod] of Object.entries(staticPodManifests(state, loc.node))) out[path] = goYaml(sortKeys(pod));
    return out;
  }
  if (loc.kind === 'container') {
    // What Docker bind-mounts into a container: its short id as hostname, libnetwork's hosts
    // file (defaults, then the container's own addresses) and the resolv.conf Docker generates:
    // the host's nameserver on the default bridge, the embedded DNS server on a user-defined network.
    const h = state.docker?.hosts[loc.host];
    const c = h?.containers.find((x) => x.id === loc.id);
    const short = loc.id.slice(0, 12);
    return {
      ...imageFiles(loc.image),
      '/etc/hostname': `${short}\n`,
      '/etc/hosts': containerHostsFile(c, short),
      '/etc/resolv.conf': h ? containerResolvConf(h, c, state.config.gateway) : '',
    };
  }
  return {};
}

const COMMON_DIRS = ['/', '/bin', '/dev', '/etc', '/home', '/proc', '/root', '/run', '/sbin', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/local', '/usr/local/bin', '/usr/sbin', '/var', '/var/log', '/var/tmp'];

function systemDirs(env: ShellEnv): Set<string> {
  const dirs = new Set(COMMON_DIRS);
  for (const path of Object.keys(generatedFiles(env))) {
    for (let p = path.slice(0, path.lastIndexOf('/')); p !== ''; p = p.slice(0, p.lastIndexOf('/'))) dirs.add(p);
  }
  if (env.location.kind === 'workstation') dirs.add('/home/learner');
  // The kubelet's static Pod directory exists on every kubeadm node, empty on the workers.
  if (env.location.kind === 'node' && env.sim.state.k8s.nodes[env.location.node]) for (const d of ['/etc/kubernetes', MANIFEST_DIR]) dirs.add(d);
  return dirs;
}

export type FileKind = 'file' | 'dir' | 'none';

/** What is at absolute path `abs`. */
export function kindOf(env: ShellEnv, place: Place, abs: string): FileKind {
  if (readFile(env.sim.state, place.machine, abs) || generatedFiles(env)[abs] !== undefined) return 'file';
  if (systemDirs(env).has(abs) || isDirectory(env.sim.state, place.machine, abs)) return 'dir';
  return 'none';
}

/** The content of the file at absolute path `abs` (stored first, then generated). */
export function readAny(env: ShellEnv, place: Place, abs: string): string | undefined {
  return readFile(env.sim.state, place.machine, abs)?.content ?? generatedFiles(env)[abs];
}

/** Why a file at `abs` cannot be created or written, as strerror says it; undefined if it can. */
export function writeError(env: ShellEnv, place: Place, abs: string): string | undefined {
  const kind = kindOf(env, place, abs);
  if (kind === 'dir') return 'Is a directory';
  const parent = abs.slice(0, abs.lastIndexOf('/')) || '/';
  const parentKind = kindOf(env, place, parent);
  if (parentKind === 'none') return 'No such file or directory';
  if (parentKind === 'file') return 'Not a directory';
  if (!place.root && !(abs.startsWith(place.home + '/') || abs.startsWith('/tmp/') || abs.startsWith('/var/tmp/'))) return 'Permission denied';
  if (abs.startsWith('/proc/sys/') && procSysKey(env, abs)) return undefined;
  if (abs.startsWith('/proc/') || abs.startsWith('/sys/')) return 'writing to /proc and /sys is not supported in this sandbox';
  return undefined;
}

export interface DirEntry {
  name: string;
  dir: boolean;
}

/** The entries of directory `abs` (stored files, generated files, system directories), sorted bytewise. */
export function listDir(env: ShellEnv, place: Place, abs: string): DirEntry[] {
  const seen = new Map<string, boolean>();
  for (const e of listDirectory(env.sim.state, place.machine, abs)) seen.set(e.name, e.dir);
  const prefix = abs === '/' ? '/' : abs + '/';
  const paths = [...Object.keys(generatedFiles(env)).map((p) => [p, false] as const), ...[...systemDirs(env)].map((p) => [p, true] as const)];
  for (const [p, dir] of paths) {
    if (!p.startsWith(prefix) || p === abs) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) seen.set(rest, seen.get(rest) ?? dir);
    else seen.set(rest.slice(0, slash), true);
  }
  return [...seen].map(([name, dir]) => ({ name, dir })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Paths that complete `prefix` where the shell runs: directories end in `/`, dot files only for a dot prefix. */
export function fileCompletions(env: ShellEnv, prefix: string): string[] {
  const slash = prefix.lastIndexOf('/');
  const dirPart = slash >= 0 ? prefix.slice(0, slash + 1) : '';
  const base = prefix.slice(slash + 1);
  const place = placeOf(env);
  const dir = absolute(place, dirPart === '' ? '.' : dirPart);
  if (kindOf(env, place, dir) !== 'dir') return [];
  return listDir(env, place, dir)
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => dirPart + e.name + (e.dir ? '/' : ''));
}

/** The kernel parameter a /proc/sys path names where the shell runs, if the sandbox models it. */
function procSysKey(env: Pick<ShellEnv, 'sim' | 'location'>, abs: string): string | undefined {
  const loc = env.location;
  if (loc.kind !== 'node' || !abs.startsWith('/proc/sys/')) return undefined;
  const ns = env.sim.state.netns[loc.ns];
  const key = normaliseKey(abs);
  return ns && readSysctl(ns, key) !== undefined ? key : undefined;
}

/**
 * Where output redirected to a /proc/sys file goes: each write sets the parameter, as a write
 * to the proc file does (`echo 1 > /proc/sys/net/ipv4/ip_forward`); a value the kernel refuses
 * fails the write with EINVAL. Undefined for any other path.
 */
export function procSysSink(env: Pick<ShellEnv, 'sim' | 'location'>, abs: string): OutputSink | undefined {
  const key = procSysKey(env, abs);
  if (!key) return undefined;
  const ns = env.sim.state.netns[(env.location as { ns: string }).ns]!;
  return {
    write(t: string): void {
      if (writeSysctl(ns, key, t.replace(/\n$/, ''))) throw new FileLimitError('Invalid argument');
    },
  };
}

/** A write that did not fit the sandbox's file bounds; the message is strerror's text. */
export class FileLimitError extends Error {}

/** Replaces the content of `abs` at the shell's place, within the file bounds. */
export function writeLimited(env: Pick<ShellEnv, 'sim'>, place: Place, abs: string, content: string): void {
  const why = writeBounded(env.sim.state, place.machine, abs, content, env.sim.clock.now());
  if (why) throw new FileLimitError(why);
}

/** Appends to `abs` what fits the file bounds; throws for the rest. */
export function appendLimited(env: Pick<ShellEnv, 'sim'>, place: Place, abs: string, content: string): void {
  const why = appendBounded(env.sim.state, place.machine, abs, content, env.sim.clock.now());
  if (why) throw new FileLimitError(why);
}
