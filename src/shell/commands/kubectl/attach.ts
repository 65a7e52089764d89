/**
 * `kubectl attach (POD | TYPE/NAME) [-c CONTAINER] [-i] [-t]`: connect to a container's own
 * process.
 *
 * Design notes: the pod is picked as for exec. When the container's process is a shell (a
 * `kubectl run -it` pod, an interactive ephemeral container) and `-i` is given, that shell
 * becomes the interactive shell, as on the first attach, and leaving it ends the session the
 * same way. Any other process (nginx, sleep) prints nothing new in the sandbox, so kubectl
 * waits until Ctrl+C. `-t` prints kubectl's prompt hint.
 * Left out: the stream of a process's live output (use `kubectl logs -f`).
 */
import type { CommandContext, Location } from '../../command';
import { CommandError } from '../../errors';
import { programName } from '../../images';
import { bool, parseFlags, str } from './flags';
import { podFor } from './logs';

export const ATTACH_USAGE = `Attach to a process that is already running inside an existing container.

Examples:
  # Get output from running pod mypod; use the 'kubectl.kubernetes.io/default-container' annotation
  # for selecting the container to be attached or the first container in the pod will be chosen
  kubectl attach mypod

  # Get output from ruby-container from pod mypod
  kubectl attach mypod -c ruby-container

  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  # and sends stdout/stderr from 'bash' back to the client
  kubectl attach mypod -c ruby-container -i -t

Options:
  -c, --container='': Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen
  -i, --stdin=false: Pass stdin to the container
  -t, --tty=false: Stdin is a TTY

Usage:
  kubectl attach (POD | TYPE/NAME) -c CONTAINER [options]`;

const FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'container', short: 'c', type: 'string' as const },
  { name: 'stdin', short: 'i', type: 'bool' as const },
  { name: 'tty', short: 't', type: 'bool' as const },
  { name: 'quiet', short: 'q', type: 'bool' as const },
];

export async function kubectlAttach(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'kubectl attach');
  if (flags.args.length !== 1) throw new CommandError('USAGE', 'error: expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw 0: []', 1, "See 'kubectl attach -h' for help and examples");
  const namespace = str(flags, 'namespace') ?? 'default';
  const arg = flags.args[0]!;
  const pod = await podFor(ctx, arg.includes('/') ? arg : `pod/${arg}`, namespace, 'attach to');
  if (!pod) return 130;
  if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') throw new CommandError('EXEC_FAILED', `error: cannot attach a container in a completed pod; current phase is ${pod.status.phase}`);
  const all = [...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])];
  const name = str(flags, 'container') ?? pod.spec.containers[0]!.name;
  const container = all.find((c) => c.name === name);
  if (!container) throw new CommandError('NOT_FOUND', `error: cannot attach to the container: container ${name} not found in pod ${pod.metadata.name}`);
  // The kubelet answers for a container that is not running (yet); the API server wraps it.
  if (pod.status.phase !== 'Running') throw new CommandError('EXEC_FAILED', `error: Internal error occurred: unable to upgrade connection: container not found ("${name}")`);
  const tty = bool(flags, 'tty');
  const stdin = bool(flags, 'stdin');
  if (tty && !stdin && !bool(flags, 'quiet')) ctx.stderr.write('Unable to use a TTY - input is not redirected\n');
  if (tty && stdin && !bool(flags, 'quiet')) ctx.stderr.write("If you don't see a command prompt, try pressing enter.\n");
  const words = [...(container.command ?? []), ...(container.args ?? [])];
  const program = words.length ? programName(words[0]!) : /busybox|alpine|netshoot|ubuntu|debian/.test(container.image) ? 'sh' : '';
  const ephemeral = (pod.spec.ephemeralContainers ?? []).some((c) => c.name === name);
  if (stdin && (program === 'sh' || program === 'bash') && words.length <= 1) {
    const location: Location = { kind: 'pod', namespace, pod: pod.metadata.name, container: name, attached: { rm: false, restart: ephemeral ? 'Never' : (pod.spec.restartPolicy ?? 'Always'), ephemeral } };
    ctx.enter(program === 'bash' ? { ...location, shell: 'bash' } : location);
    return 0;
  }
  // A process with nothing new to say: kubectl stays attached until Ctrl+C.
  ctx.endless();
  while (await ctx.sleep(1000)) {
    if (!ctx.env.sim.state.k8s.pods[`${namespace}/${pod.metadata.name}`]) return 0;
  }
  return 0;
}
