/**
 * Which programs a container image ships.
 *
 * Design notes: `kubectl exec` runs a program inside a container, so what can run depends
 * on the image: busybox has its applets (ping, hostname, ...), nginx's Debian-based image has
 * no ping at all. A program missing from the image fails the way containerd reports it.
 * Images are recognised by name; unknown images are treated as minimal (no tools).
 */

export type ImageFamily = 'busybox' | 'nginx' | 'coredns' | 'netshoot' | 'agnhost' | 'unknown';

export function imageFamily(image: string): ImageFamily {
  const name = (image.split('/').pop() ?? image).split(/[:@]/)[0]!;
  if (name === 'busybox') return 'busybox';
  if (name === 'nginx') return 'nginx';
  if (name === 'coredns') return 'coredns';
  if (name === 'netshoot') return 'netshoot';
  if (name === 'agnhost') return 'agnhost';
  return 'unknown';
}

/** The text tools every shell image here ships (busybox applets, coreutils, grep, mawk). */
const TEXT = ['cat', 'grep', 'head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'awk'];

/** Programs each image family ships that the sandbox models. */
const TOOLS: Record<ImageFamily, string[]> = {
  busybox: ['ping', 'nslookup', 'wget', 'traceroute', 'hostname', 'sh', 'exit', ...TEXT],
  nginx: ['hostname', 'sh', 'exit', 'curl', ...TEXT],
  coredns: [],
  // The netshoot debug image ships iputils, curl, dig, tcpdump, iproute2...; the sandbox's
  // versions of those commands come with the lab shell, so only these exist here yet.
  netshoot: ['hostname', 'sh', 'exit', 'curl', ...TEXT],
  agnhost: ['sh', 'exit'],
  unknown: [],
};

export function imageHas(image: string, program: string): boolean {
  return TOOLS[imageFamily(image)].includes(program);
}
