/**
 * A shell opened with `kubectl exec -it POD -- sh` lives as long as its container.
 *
 * Design notes: `kubectl exec` records the pod's uid and its container's restart count in the
 * location it enters. When the pod is deleted (or replaced by a new pod of the same name), or
 * the container stops or restarts, the container runtime kills every process in it, the
 * shell included (SIGKILL: status 137), and kubectl prints `command terminated with exit code
 * 137` and exits with that status: the learner is back on the workstation. The shell notices
 * when the line that was running ends, or before the next line runs (a pod deleted from
 * another terminal while this one waits at its prompt); a line typed at the dead shell's
 * prompt then runs on the workstation, except `exit` and an empty line, which the ended shell
 * has already answered. A session restored from a snapshot taken inside a pod that is gone
 * starts on the workstation.
 * Simplified: a real terminal returns to the workstation the moment the pod goes; here the
 * message appears when this terminal next runs or finishes a line.
 */
import type { Sim } from '../sim/sim';
import type { Location } from './command';

/** What kubectl prints and returns when the container its exec runs in is killed. */
export const EXEC_KILLED = { message: 'command terminated with exit code 137\n', status: 137 };

/** Whether the pod shell at `loc` has ended with its pod or container. */
export function podShellEnded(sim: Sim, loc: Location): boolean {
  if (loc.kind !== 'pod') return false;
  const pod = sim.pod(loc.namespace, loc.pod);
  if (!pod) return true;
  if (loc.uid !== undefined && pod.metadata.uid !== loc.uid) return true;
  if (pod.status.phase !== 'Running') return true;
  const status = pod.status.containerStatuses?.find((c) => c.name === loc.container) ?? pod.status.ephemeralContainerStatuses?.find((c) => c.name === loc.container);
  if (!status?.state.running) return true;
  return loc.restarts !== undefined && status.restartCount !== loc.restarts;
}

/** A line typed at an ended pod shell's prompt that it has already answered (nothing to run). */
export function answeredByEndedShell(line: string): boolean {
  return /^\s*(exit(\s+\d+)?\s*)?$/.test(line);
}
