/**
 * Which containers' programs are failing: the kubelet's records of containers that exit by
 * themselves and are restarted (kubelet.ts), read by the modules that ask what a pod's programs
 * hold (apps.ts, host/daemons.ts).
 *
 * Design notes: a container in the record runs a program that could not take its sockets
 * (another program of its network namespace held the port), so it holds none while it runs and
 * until it is started again; its record goes when an instance starts whose program can bind.
 * Kept apart from kubelet.ts so readers of the data path need not import the kubelet.
 */
import type { SimState } from '../state';
import type { Pod } from './types';

/** The record's key: `namespace/pod/container`. */
export function crashKey(pod: Pod, container: string): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}/${container}`;
}

/** Whether the container's program is one that fails (running and about to exit, or waiting to be restarted). */
export function programFails(state: SimState, pod: Pod, container: string): boolean {
  const rec = state.k8s.crashing?.[crashKey(pod, container)];
  return rec !== undefined && rec.uid === pod.metadata.uid;
}

/** Whether a container's program holds its sockets: it runs, and it did not fail to bind them. */
export function holdsSockets(state: SimState, pod: Pod, container: string): boolean {
  const st = pod.status.containerStatuses?.find((s) => s.name === container);
  // Pods built without statuses (the model's own fixtures) run their programs.
  if (st && !st.state.running) return false;
  return !programFails(state, pod, container);
}
