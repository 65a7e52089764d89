/**
 * Which programs a container image ships, and whose version of each.
 *
 * Design notes: `kubectl exec` runs a program inside a container, so what can run depends
 * on the image: busybox has its applets (ping, ip, ifconfig, route, nslookup, wget, ...),
 * nginx's Debian-based image has no ping at all, and nicolaka/netshoot (Alpine with iputils,
 * bind-tools, iproute2, curl, tcpdump, ...) has the full tools where busybox has applets:
 * its `ping` is iputils', its `nslookup` and `dig` are BIND's, its `ip` and `ss` are
 * iproute2's, while `ifconfig`, `route`, `traceroute` and `wget` stay busybox applets (Alpine
 * installs no net-tools or traceroute package there). The registry picks the implementation
 * by image family (Command.images); a program missing from the image fails the way the shell
 * (`sh: dig: not found`) or containerd (kubectl exec) reports it.
 * Images are recognised by name; unknown images are treated as minimal (no tools).
 */
import type { Location } from './command';
import type { Sim } from '../sim/sim';

export type ImageFamily = 'busybox' | 'nginx' | 'coredns' | 'netshoot' | 'agnhost' | 'unknown';

export function imageFamily(image: string): ImageFamily {
  const name = (image.split('/').pop() ?? image).split(/[:@]/)[0]!;
  // Alpine's userland is busybox: its ping, ip, wget... are the busybox applets.
  if (name === 'busybox' || name === 'alpine') return 'busybox';
  if (name === 'nginx') return 'nginx';
  if (name === 'coredns') return 'coredns';
  if (name === 'netshoot') return 'netshoot';
  if (name === 'agnhost') return 'agnhost';
  return 'unknown';
}

/** The text and file tools every shell image here ships (busybox applets, or coreutils, grep and mawk). */
const TEXT = ['cat', 'grep', 'head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'awk', 'ls', 'rm', 'touch', 'sleep', 'env', 'printenv', 'echo', 'true', 'false', 'pwd', 'printf', 'seq', 'xargs'];

/** Programs each image family ships that the sandbox models. */
const TOOLS: Record<ImageFamily, string[]> = {
  busybox: ['ping', 'nslookup', 'wget', 'traceroute', 'ip', 'ifconfig', 'route', 'hostname', 'sh', 'exit', ...TEXT],
  nginx: ['hostname', 'sh', 'bash', 'exit', 'curl', ...TEXT],
  coredns: [],
  netshoot: ['ping', 'nslookup', 'dig', 'curl', 'wget', 'traceroute', 'ip', 'ss', 'nc', 'ifconfig', 'route', 'tcpdump', 'hostname', 'sh', 'exit', ...TEXT],
  agnhost: ['sh', 'exit'],
  unknown: [],
};

export function imageHas(image: string, program: string): boolean {
  return TOOLS[imageFamily(image)].includes(program);
}

/** The program a path names (`/bin/sh` -> `sh`, `/usr/sbin/tcpdump` -> `tcpdump`): registry names have no path. */
export function programName(program: string): string {
  return program.replace(/^\/(usr\/)?s?bin\//, '');
}

/**
 * The interactive shell at `loc`: bash on machines and where `bash` was asked for in a
 * container; otherwise the image's sh, which is dash in Debian-based images (nginx) and
 * busybox ash elsewhere. Prompts, error wording and the expansions a shell knows follow it.
 */
export function shellAt(sim: Sim, loc: Location): 'bash' | 'ash' | 'dash' {
  if ((loc.kind !== 'pod' && loc.kind !== 'container') || loc.shell === 'bash') return 'bash';
  return imageFamily(imageAt(sim, loc)) === 'nginx' ? 'dash' : 'ash';
}

/** The image of the container a pod location runs in ('' when the pod or container is gone). */
export function imageAt(sim: Sim, loc: Location): string {
  if (loc.kind === 'container') return loc.image;
  if (loc.kind !== 'pod') return '';
  return sim.pod(loc.namespace, loc.pod)?.spec.containers.find((c) => c.name === loc.container)?.image ?? '';
}
