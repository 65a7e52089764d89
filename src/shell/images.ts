/**
 * Which programs a container image ships, and whose version of each.
 *
 * Design notes: `kubectl exec` runs a program inside a container, so what can run depends
 * on the image (which image a reference names: src/sim/apps/index.ts). busybox has its applets
 * (ping, ip, ifconfig, route, nslookup, wget, ...), and so do the Alpine-based images (alpine,
 * curlimages/curl with curl added, hello-app, the busybox-based serve_hostname). nginx's
 * Debian-based image has no ping at all, but bash and curl. nicolaka/netshoot (Alpine with
 * iputils, bind-tools, iproute2, curl, tcpdump, ...) has the full tools where busybox has
 * applets: its `ping` is iputils', its `nslookup` and `dig` are BIND's, its `ip` and `ss` are
 * iproute2's, while `ifconfig`, `route`, `traceroute` and `wget` stay busybox applets. agnhost
 * (Alpine with bind-tools, curl, netcat-openbsd, iproute2 and bash: its Dockerfile) has BIND's
 * dig and nslookup, iproute2's ip and ss, OpenBSD nc, and busybox's ping and wget. The DNS
 * debugging page's jessie-dnsutils (Debian 8 with dnsutils) has BIND's dig and nslookup and
 * no ping. The registry picks the implementation by image family (Command.images); a program
 * missing from the image fails the way the shell (`sh: dig: not found`) or containerd
 * (kubectl exec) reports it. busybox's version comes from the image's tag (busyboxVersion).
 * Images the sandbox does not know are treated as minimal (no tools).
 * Left out: BIND's `host`; the echoserver image's tools beyond a shell and text tools.
 */
import type { Location } from './command';
import type { Sim } from '../sim/sim';
import { imageDef } from '../sim/apps/index';

export type ImageFamily = 'busybox' | 'nginx' | 'coredns' | 'netshoot' | 'agnhost' | 'curl' | 'dnsutils' | 'echoserver' | 'unknown';

/** The sandbox's image ids that share another family's programs (their base image's). */
const SAME_TOOLS: Record<string, ImageFamily> = {
  alpine: 'busybox',
  busybox: 'busybox',
  'hello-app': 'busybox',
  'serve-hostname': 'busybox',
  nginx: 'nginx',
  'kubernetes-bootcamp': 'nginx',
  nginxhttps: 'nginx',
  coredns: 'coredns',
  netshoot: 'netshoot',
  agnhost: 'agnhost',
  curl: 'curl',
  dnsutils: 'dnsutils',
  echoserver: 'echoserver',
};

export function imageFamily(image: string): ImageFamily {
  const id = imageDef(image)?.def.id;
  return (id !== undefined ? SAME_TOOLS[id] : undefined) ?? 'unknown';
}

/** True for images whose userland is busybox's applets (busybox, the Alpine-based ones). */
export function busyboxUserland(image: string): boolean {
  return ['busybox', 'netshoot', 'agnhost', 'curl'].includes(imageFamily(image));
}

/**
 * The busybox version of a busybox-based image: busybox's own tag (`busybox:1.28`), else
 * 1.36.1. Google's old copy (gcr.io/google-containers/busybox, untagged: what the Debug
 * Services page runs) is a busybox from before 1.29: 1.24 is taken, its tagged release.
 */
export function busyboxVersion(image: string): string {
  const hit = imageDef(image);
  if (hit?.def.id === 'busybox' && /^(gcr\.io|k8s\.gcr\.io)\/google[-_]containers\/busybox$/.test(hit.ref.repo) && !/^\d+\.\d+/.test(hit.ref.tag)) return '1.24.0';
  if (hit?.def.id === 'busybox' && /^\d+\.\d+/.test(hit.ref.tag)) {
    const [maj, min, patch] = hit.ref.tag.split(/[.-]/);
    return `${maj}.${min}.${/^\d+$/.test(patch ?? '') ? patch : '0'}`;
  }
  return '1.36.1';
}

/** The text and file tools every shell image here ships (busybox applets, or coreutils, grep and mawk). */
const TEXT = ['cat', 'grep', 'sed', 'head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'awk', 'ls', 'rm', 'touch', 'sleep', 'env', 'printenv', 'echo', 'true', 'false', 'pwd', 'printf', 'seq', 'xargs', 'base64'];

const BUSYBOX = ['ping', 'nslookup', 'wget', 'traceroute', 'ip', 'ifconfig', 'route', 'hostname', 'sh', 'exit', ...TEXT];

/** Programs each image family ships that the sandbox models. */
const TOOLS: Record<ImageFamily, string[]> = {
  busybox: BUSYBOX,
  nginx: ['hostname', 'sh', 'bash', 'exit', 'curl', ...TEXT],
  coredns: [],
  netshoot: ['ping', 'nslookup', 'dig', 'curl', 'wget', 'traceroute', 'ip', 'ss', 'nc', 'ifconfig', 'route', 'tcpdump', 'hostname', 'sh', 'exit', ...TEXT],
  agnhost: [...BUSYBOX, 'dig', 'curl', 'nc', 'ss', 'bash'],
  curl: [...BUSYBOX, 'curl'],
  dnsutils: ['nslookup', 'dig', 'hostname', 'sh', 'bash', 'exit', ...TEXT],
  echoserver: ['sh', 'exit', ...TEXT],
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
 * container; otherwise the image's sh, which is dash in Debian-based images (nginx,
 * jessie-dnsutils) and busybox ash elsewhere. Prompts, error wording and the expansions a
 * shell knows follow it.
 */
export function shellAt(sim: Sim, loc: Location): 'bash' | 'ash' | 'dash' {
  if ((loc.kind !== 'pod' && loc.kind !== 'container') || loc.shell === 'bash') return 'bash';
  const family = imageFamily(imageAt(sim, loc));
  return family === 'nginx' || family === 'dnsutils' ? 'dash' : 'ash';
}

/** The image of the container a pod location runs in ('' when the pod or container is gone). */
export function imageAt(sim: Sim, loc: Location): string {
  if (loc.kind === 'container') return loc.image;
  if (loc.kind !== 'pod') return '';
  const spec = sim.pod(loc.namespace, loc.pod)?.spec;
  return [...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].find((c) => c.name === loc.container)?.image ?? '';
}
