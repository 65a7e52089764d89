/**
 * Ephemeral containers, as `kubectl debug POD --image=I` adds them to a running pod.
 *
 * Design notes: the API server's ephemeralcontainers subresource appends the container to
 * `spec.ephemeralContainers` (with the fields kubectl's generator sets: stdin and tty for an
 * interactive session, `targetContainerName`, the default termination message settings); the
 * kubelet starts it in the pod's sandbox, so it shares the pod's network namespace (its
 * address, interfaces, listening sockets), and reports it under
 * `status.ephemeralContainerStatuses`. Ephemeral containers cannot be removed; they stay
 * (Terminated) when their process ends, which the sandbox shows as still Running.
 */
import type { ApiContext } from './context';
import { rfc3339 } from './time';
import { containerId } from './names';
import type { EphemeralContainer, Pod } from './types';

export function addEphemeralContainer(ctx: ApiContext, pod: Pod, c: { name: string; image: string; target?: string; interactive: boolean; command?: string[] }): EphemeralContainer {
  const container: EphemeralContainer = {
    name: c.name,
    image: c.image,
    ...(c.command?.length ? { command: c.command } : {}),
    imagePullPolicy: c.image.includes(':') && !c.image.endsWith(':latest') ? 'IfNotPresent' : 'Always',
    resources: {},
    ...(c.interactive ? { stdin: true, tty: true } : {}),
    ...(c.target ? { targetContainerName: c.target } : {}),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
  (pod.spec.ephemeralContainers ??= []).push(container);
  const at = rfc3339(ctx.now);
  (pod.status.ephemeralContainerStatuses ??= []).push({
    name: c.name,
    image: c.image,
    ready: false,
    restartCount: 0,
    started: true,
    state: { running: { startedAt: at } },
    containerID: `containerd://${containerId(ctx.rng)}`,
  });
  pod.metadata.resourceVersion = String(++ctx.state.k8s.resourceVersion);
  return container;
}
