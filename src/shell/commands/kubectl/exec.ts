/**
 * `kubectl exec`: run a program inside a pod's container.
 *
 * Design notes: the program runs in the pod's network namespace with the image's own tools
 * (busybox ping inside a busybox pod). `--` separates kubectl's flags from the program's;
 * kubectl >= 1.26 refuses the old form without it. A non-zero exit inside the container is
 * reported as `command terminated with exit code N`. Without `-t`, Ctrl+C stops kubectl
 * itself and the remote program's summary never reaches the terminal; with `-t` the
 * interrupt goes to the program, which prints its summary, as on a real cluster.
 * `-it POD -- sh` opens a shell in the pod: the prompt changes until `exit`. `TYPE/NAME`
 * (deploy/web, svc/web, rs/x, ds/x) picks the pod kubectl picks: the first of its selector's
 * pods, ready and running ones first. A host-network pod's programs see its node's
 * interfaces, routes and host name. Errors follow kubectl 1.32 over WebSockets, where the API
 * server translates the kubelet's stream and wraps what fails there as an internal error: a
 * container not running yet is `Internal error occurred: unable to upgrade connection:
 * container not found ("web")`, a program missing from the image has the prefix twice (once
 * from the kubelet's exec, once from the translator).
 */
import type { CommandContext, Location } from '../../command';
import { CommandError } from '../../errors';
import { imageHas, programName } from '../../images';
import { deriveRng } from '../../../sim/rng';
import { key } from '../../../sim/k8s/types';
import { bool, parseFlags, str } from './flags';
import { podFor } from './logs';

export const EXEC_FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'container', short: 'c', type: 'string' as const },
  { name: 'stdin', short: 'i', type: 'bool' as const },
  { name: 'tty', short: 't', type: 'bool' as const },
  { name: 'quiet', short: 'q', type: 'bool' as const },
];

/** Runs a program in a pod; the shell provides `runIn` to execute it at the pod's location. */
export async function kubectlExec(
  ctx: CommandContext,
  argv: string[],
  runIn: (location: Location, argv: string[], tty: boolean) => Promise<number>,
  enterShell: (location: Location) => void,
): Promise<number> {
  const flags = parseFlags(argv, EXEC_FLAGS, 'kubectl exec');
  const namespace = str(flags, 'namespace') ?? 'default';
  if (flags.args.length === 0) throw new CommandError('USAGE', 'error: pod, type/name or --filename must be specified');
  if (flags.dashArgs === undefined) {
    if (flags.args.length > 1) throw new CommandError('USAGE', 'error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead', 1, "See 'kubectl exec -h' for help and examples");
    throw new CommandError('USAGE', 'error: you must specify at least one command for the container');
  }
  if (flags.dashArgs.length === 0) throw new CommandError('USAGE', 'error: you must specify at least one command for the container');
  let podName = flags.args[0]!;
  if (podName.startsWith('pod/') || podName.startsWith('pods/') || podName.startsWith('po/')) podName = podName.slice(podName.indexOf('/') + 1);
  else if (podName.includes('/')) {
    // TYPE/NAME: the first pod its selector picks, as kubectl's AttachablePodForObject does.
    const picked = await podFor(ctx, podName, namespace, 'attach to');
    if (!picked) return 130;
    podName = picked.metadata.name;
  }
  const pod = ctx.env.sim.state.k8s.pods[key(namespace, podName)];
  if (!pod) throw new CommandError('NOT_FOUND', `Error from server (NotFound): pods "${podName}" not found`);
  // kubectl refuses a finished pod itself; the API server checks the container name and the
  // node; the kubelet answers for a container that is not running (yet), and the API server's
  // stream translator wraps its answer as an internal error.
  if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') throw new CommandError('EXEC_FAILED', `error: cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
  const containerName = str(flags, 'container') ?? pod.spec.containers[0]!.name;
  const container = pod.spec.containers.find((c) => c.name === containerName);
  if (!container) throw new CommandError('INVALID', `Error from server (BadRequest): container ${containerName} is not valid for pod ${pod.metadata.name}`);
  if (!pod.spec.nodeName) throw new CommandError('INVALID', `Error from server (BadRequest): pod ${pod.metadata.name} does not have a host assigned`);
  // A container that has exited (or waits to be restarted) has no process to join either.
  const running = pod.status.containerStatuses?.find((c) => c.name === containerName)?.state.running;
  if (pod.status.phase !== 'Running' || (pod.status.containerStatuses && !running)) throw new CommandError('EXEC_FAILED', `error: Internal error occurred: unable to upgrade connection: container not found ("${containerName}")`);
  // A host-network pod of the learner's runs in its node's network namespace (resolver.ts
  // nsIdOf); the control plane's and the CNI's own pods are not modelled inside.
  if (pod.spec.hostNetwork && pod.metadata.namespace === 'kube-system') throw new CommandError('UNSUPPORTED', `error: the sandbox does not model processes inside ${pod.metadata.name} (a host-network system pod); try a pod from the lab`);
  const path = flags.dashArgs[0]!;
  const program = programName(path);
  if (!imageHas(container.image, program)) {
    // The exec id is drawn from a generator of its own, so a failed exec leaves the sandbox as it was.
    const execId = deriveRng(ctx.env.sim.state.seed, `exec:${pod.metadata.uid}:${ctx.env.sim.clock.now()}`).string('0123456789abcdef', 64);
    throw new CommandError(
      'EXEC_FAILED',
      `error: Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${path}": executable file not found in $PATH: unknown`,
    );
  }
  const location: Location = { kind: 'pod', namespace, pod: pod.metadata.name, container: container.name };
  const tty = bool(flags, 'tty');
  if ((program === 'sh' || program === 'bash') && flags.dashArgs.length === 1) {
    if (!bool(flags, 'stdin')) return 0; // a shell with no stdin reads nothing and exits
    // The shell lives as long as this pod's container (pod-session.ts).
    const session = { ...location, uid: pod.metadata.uid, restarts: pod.status.containerStatuses?.find((c) => c.name === container.name)?.restartCount ?? 0 };
    enterShell(program === 'bash' ? { ...session, shell: 'bash' } : session);
    return 0;
  }
  const status = await runIn(location, [program, ...flags.dashArgs.slice(1)], tty);
  if (ctx.interrupt.interrupted && !tty) return 130;
  if (status !== 0) {
    ctx.stderr.write(`command terminated with exit code ${status}\n`);
    return status;
  }
  return 0;
}
