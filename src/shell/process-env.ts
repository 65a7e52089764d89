/**
 * The environment a program starts with where it runs: for a pod's or a Docker container's
 * process, the one the container runtime gives it (src/sim/container-env.ts); elsewhere the
 * caller's shell passes its own.
 */
import type { Location } from './command';
import type { Sim } from '../sim/sim';
import { dockerContainerEnv, podContainerEnv } from '../sim/container-env';

/** The runtime's environment for a process started in a container (`tty`: exec with -t); undefined outside containers. */
export function processEnv(sim: Sim, loc: Location, tty: boolean): [string, string][] | undefined {
  if (loc.kind === 'container') return dockerContainerEnv(loc.image, loc.id, { tty });
  if (loc.kind !== 'pod') return undefined;
  const pod = sim.pod(loc.namespace, loc.pod);
  const c = pod?.spec.containers.find((x) => x.name === loc.container);
  if (!pod || !c) return [['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['HOSTNAME', loc.pod], ['HOME', '/root']];
  return podContainerEnv(sim.state, pod, c, { tty });
}
