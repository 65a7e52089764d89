/**
 * Locations a shell can be in, and their prompts.
 *
 * Design notes: the learner starts on their workstation (`learner@workstation:~$`), where
 * kubectl talks to the cluster; `kubectl exec -it POD -- sh` moves into a pod, whose busybox
 * shell prompts `/ # ` (root in `/`), until `exit`; `ssh NODE` opens a root shell on a node
 * (`root@node-1:~#`).
 */
import type { Location } from './command';

export const WORKSTATION_LOCATION: Location = { kind: 'workstation', user: 'learner', host: 'workstation' };

export function promptFor(loc: Location): string {
  if (loc.kind === 'workstation') return `${loc.user}@${loc.host}:~$ `;
  if (loc.kind === 'node') return `root@${loc.node}:~# `;
  return '/ # ';
}
