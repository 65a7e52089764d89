/**
 * Locations a shell can be in, and their prompts.
 *
 * Design notes: the learner starts on their workstation (`learner@workstation:~$`), where
 * kubectl talks to the cluster; `kubectl exec -it POD -- sh` moves into a pod, whose busybox
 * shell prompts `/ # ` (root in `/`), until `exit`; `ssh NODE` opens a root shell on a node
 * (`root@node-1:~#`). On a Docker host, `docker run -it IMAGE sh` or `docker exec -it CONTAINER
 * sh` opens a shell inside a container. In pods and containers alike: busybox's and Alpine's
 * prompt `/ # `, the Debian dash of nginx's image `# `. busybox ash's default prompt is
 * `\w \$ `, so it shows the working directory (sandbox-fs.ts placeOf): nicolaka/netshoot's
 * is /root (its WORKDIR, and HOME), which ash prints as `~ # `.
 */
import type { Location } from './command';
import { shellAt } from './images';
import { placeOf } from './sandbox-fs';
import type { Sim } from '../sim/sim';
import { podHostname } from '../sim/k8s/pod-files';

export const WORKSTATION_LOCATION: Location = { kind: 'workstation', user: 'learner', host: 'workstation' };

/** The host name in a pod or container: the pod's (spec.hostname, its name, or its node's on the host network), a container's short id. */
export function hostnameAt(sim: Sim, loc: Extract<Location, { kind: 'pod' | 'container' }>): string {
  if (loc.kind === 'container') return loc.id.slice(0, 12);
  const pod = sim.pod(loc.namespace, loc.pod);
  return pod ? podHostname(pod) : loc.pod;
}

/** The prompt at `loc`; `sim` tells which image a pod's container runs (its working directory). */
export function promptFor(loc: Location, sim: Sim): string {
  if (loc.kind === 'workstation') return `${loc.user}@${loc.host}:~$ `;
  if (loc.kind === 'node') return `root@${loc.node}:~# `;
  const place = placeOf({ sim, location: loc });
  // bash in a container: Debian's root prompt `\u@\h:\w# `, the host name being the pod's or the container's short id.
  if (loc.shell === 'bash') return `root@${hostnameAt(sim, loc)}:${place.cwd === place.home ? '~' : place.cwd}# `;
  // dash (nginx's image) prompts `# `; busybox ash's `\w \$ ` shows the directory, `~` for HOME.
  if (shellAt(sim, loc) === 'dash') return '# ';
  return `${place.cwd === place.home ? '~' : place.cwd} # `;
}
