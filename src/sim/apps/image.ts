/**
 * What the sandbox knows about one container image: the names it goes by, its configuration
 * (the `Env` an image's Dockerfile sets, PATH included, and the home of its user) and what its
 * program serves on the network.
 *
 * Design notes: an image is recognised by its repository (`registry.k8s.io/echoserver`), or by
 * the last component of it for images pulled from any registry (`nginx`, `busybox`); the tag
 * picks behaviour where versions differ (busybox 1.28's nslookup, echoserver 1.4's report).
 * Each image family is one file in this folder listed in index.ts.
 */
import type { Listener } from './http';
import type { Container, Pod } from '../k8s/types';
import type { SimState } from '../state';

/** containerd's default PATH (oci.defaultUnixEnv), which the image's own ENV PATH replaces. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ImageRef {
  /** The repository without registry defaults: `nginx`, `registry.k8s.io/e2e-test-images/agnhost`. */
  repo: string;
  /** Its last path component: `agnhost`. */
  name: string;
  /** The tag (`latest` when none is given; '' for a digest reference). */
  tag: string;
}

export function parseImageRef(ref: string): ImageRef {
  let r = ref.trim();
  const at = r.indexOf('@');
  const digest = at >= 0;
  if (digest) r = r.slice(0, at);
  const slash = r.lastIndexOf('/');
  const colon = r.lastIndexOf(':');
  let tag = digest ? '' : 'latest';
  if (colon > slash) {
    tag = r.slice(colon + 1);
    r = r.slice(0, colon);
  }
  r = r.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
  return { repo: r, name: r.slice(r.lastIndexOf('/') + 1), tag };
}

/** What a program needs to know about where it runs. */
export interface AppContext {
  state: SimState;
  pod: Pod;
  container: Container;
  ref: ImageRef;
  /** The container's command line: `command` then `args` (the image's entrypoint is not included). */
  argv: string[];
  /** The process's environment variable, as the container runtime set it. */
  env(name: string): string | undefined;
}

export interface ImageDef {
  /** The family name the shell knows the image by (which programs it ships: shell/images.ts). */
  id: string;
  /** Full repositories it is published under. */
  repos?: string[];
  /** Last path components it is recognised by from any registry. */
  names?: string[];
  /** Any other test of the reference. */
  match?(ref: ImageRef): boolean;
  /** One line for the "what the simulator supports" page. */
  serves: string;
  /** The image configuration's Env in Dockerfile order (PATH first when the image sets it). */
  env?(ref: ImageRef): [string, string][];
  /** HOME of the image's user when the environment does not set one (runc's default). */
  home?: string;
  /** Files of the image's root filesystem a walk-through reads, by absolute path. */
  files?(ref: ImageRef): Record<string, string>;
  /**
   * What the program prints as it starts, for `kubectl logs`; a line starting with `\0go ` is
   * a Go `log` line (the date and time are put in front of it when it is read); in one
   * starting with `\0iso `, `{time}` becomes the print time in ISO 8601 (Node's Date).
   */
  startup?(app: AppContext): string[];
  /**
   * How long (ms) the program runs before it exits with status 0 by itself (a Job's program);
   * absent: it runs until it is stopped.
   */
  runsFor?(app: AppContext): number;
  /** What the container's program listens on; absent: nothing. */
  listeners?(app: AppContext): Listener[];
  /**
   * What the program does when a socket it listens on is already taken in its network namespace
   * (bind() fails with EADDRINUSE): what it writes and when it exits. `taken` lists the ports
   * held, with the address families of the sockets holding them. Absent: the program exits
   * with status 1 at once, writing nothing.
   */
  addressInUse?(app: AppContext, taken: TakenPort[]): ProgramFailure;
}

/** A port some other program already holds in a namespace, and whether it holds it for IPv4, IPv6 or both. */
export interface TakenPort {
  proto: 'tcp' | 'udp';
  port: number;
  /** `v4`: 0.0.0.0 or an IPv4 address; `v6only`: IPv6 alone; `dual`: both (an IPv6 wildcard socket, or one for each). */
  family: 'v4' | 'dual' | 'v6only';
}

/**
 * A program that exits by itself with a failure: the lines it writes from its start (plain
 * lines, or the timed markers of k8s/logs.ts: `\0emerg ` and `\0notice ` nginx error-log
 * lines, `\0now ` a plain line written in the same millisecond, `\0wait N` N ms passing), how
 * long after it started it exits, and its exit status.
 */
export interface ProgramFailure {
  log: string[];
  exitsAfter: number;
  exitCode: number;
}

/** A flag's value in Go's flag syntax: `--name=v`, `-name=v`, `--name v`, `-name v`. */
export function flagValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    for (const p of [`--${name}`, `-${name}`]) {
      if (a === p) return argv[i + 1];
      if (a.startsWith(p + '=')) return a.slice(p.length + 1);
    }
  }
  return undefined;
}

/** A boolean Go flag: `--name`, `--name=true`, `--name=false`. */
export function flagBool(argv: string[], name: string, dflt: boolean): boolean {
  for (const a of argv) {
    for (const p of [`--${name}`, `-${name}`]) {
      if (a === p) return true;
      if (a.startsWith(p + '=')) return !['false', '0', 'f', 'F', 'FALSE', 'False'].includes(a.slice(p.length + 1));
    }
  }
  return dflt;
}

/** The pod's hostname (`spec.hostname` when set, else its name), as its containers see it. */
export function podHostname(pod: Pod): string {
  return (pod.spec as { hostname?: string }).hostname ?? pod.metadata.name;
}

/** Compares dotted version numbers: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10));
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isNaN(pa[i]) ? 0 : (pa[i] ?? 0);
    const y = Number.isNaN(pb[i]) ? 0 : (pb[i] ?? 0);
    if (x !== y) return x - y;
  }
  return 0;
}
