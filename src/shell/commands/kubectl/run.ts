/**
 * `kubectl run NAME --image=IMG`: one pod.
 *
 * Design notes: as kubectl's run builds it: labels `run=NAME` unless `--labels`, one
 * container named NAME, `--port` as its containerPort, `--restart` as the pod's
 * restartPolicy (Always by default), and the words after `--` as the container's
 * arguments (or its command with `--command`). `--expose --port=P` also creates a ClusterIP
 * Service named NAME selecting the pod, printed first as kubectl prints it. The pod is
 * scheduled at once and then started by its kubelet as sandbox time passes (ContainerCreating
 * first; see sim/k8s/kubelet.ts). Prints `pod/NAME created`.
 * Left out: --env (accepted, not stored), -i/-t/--rm/--attach (no interactive session: use kubectl exec), --dry-run,
 * --overrides; a container whose program would exit at once (busybox without a command)
 * still shows Running, where a real cluster shows Completed or CrashLoopBackOff.
 */
import { ApiError, createPod, createService } from '../../../sim/k8s/api';
import { labelKeyProblem, labelValueProblem, nameProblem } from '../../../sim/k8s/controllers';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { bool, parseFlags, str } from './flags';
import { api, apiContext, apiErrorText } from './mutate';

export const RUN_FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'image', type: 'string' as const },
  { name: 'labels', short: 'l', type: 'string' as const },
  { name: 'port', type: 'string' as const },
  { name: 'restart', type: 'string' as const },
  { name: 'env', type: 'string' as const },
  { name: 'command', type: 'bool' as const },
  { name: 'expose', type: 'bool' as const },
  { name: 'stdin', short: 'i', type: 'bool' as const },
  { name: 'tty', short: 't', type: 'bool' as const },
  { name: 'rm', type: 'bool' as const },
];

export const RUN_USAGE = `Create and run a particular image in a pod.

Examples:
  # Start a nginx pod
  kubectl run nginx --image=nginx

  # Start a hazelcast pod and let the container expose port 5701
  kubectl run hazelcast --image=hazelcast/hazelcast --port=5701

  # Start a hazelcast pod and set labels "app=hazelcast" and "env=prod" in the container
  kubectl run hazelcast --image=hazelcast/hazelcast --labels="app=hazelcast,env=prod"

  # Start the nginx pod using a different command and custom arguments
  kubectl run nginx --image=nginx --command -- <cmd> <arg1> ... <argN>

Options:
      --command=false: If true and extra arguments are present, use them as the 'command' field in the container, rather than the 'args' field which is the default.
      --env=[]: Environment variables to set in the container.
      --expose=false: If true, create a ClusterIP service associated with the pod.  Requires \`--port\`.
      --image='': The image for the container to run.
  -l, --labels='': Comma separated labels to apply to the pod. Will override previous values.
      --port='': The port that this container exposes.
      --restart='Always': The restart policy for this Pod.  Legal values [Always, OnFailure, Never].

Usage:
  kubectl run NAME --image=image [--env="key=value"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] [options]`;

export async function kubectlRun(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, RUN_FLAGS, 'kubectl run');
  const image = str(flags, 'image');
  if (image === undefined) throw new CommandError('USAGE', 'error: required flag(s) "image" not set');
  const name = flags.args[0];
  if (name === undefined) throw new CommandError('USAGE', 'error: NAME is required for run', 1, "See 'kubectl run -h' for help and examples");
  if (image === '') throw new CommandError('USAGE', 'error: --image is required');
  if (bool(flags, 'stdin') || bool(flags, 'tty') || bool(flags, 'rm')) {
    throw new CommandError('UNSUPPORTED', 'error: the sandbox does not support interactive kubectl run (-i, -t, --rm) yet; run the pod, then use kubectl exec -it NAME -- sh');
  }
  const restart = str(flags, 'restart') ?? 'Always';
  if (!['Always', 'OnFailure', 'Never'].includes(restart)) throw new CommandError('USAGE', `error: invalid restart policy: ${restart}`);
  const portText = str(flags, 'port');
  if (bool(flags, 'expose') && !portText) throw new CommandError('USAGE', "error: --port must be set when exposing a service");
  let port: number | undefined;
  if (portText) {
    if (!/^-?\d+$/.test(portText)) throw new CommandError('INVALID', `error: strconv.Atoi: parsing ${JSON.stringify(portText)}: invalid syntax`);
    port = Number(portText);
  }
  let labels: Record<string, string> = { run: name };
  const labelText = str(flags, 'labels');
  if (labelText !== undefined) {
    labels = {};
    for (const part of labelText.split(',')) {
      const [k, v, extra] = part.split('=');
      if (!k || v === undefined || extra !== undefined) throw new CommandError('INVALID', `error: invalid label spec: ${part}`);
      const problem = labelKeyProblem(k) ?? labelValueProblem(v);
      if (problem) throw new CommandError('INVALID', `error: invalid label value: ${JSON.stringify(part)}: ${problem}`);
      labels[k] = v;
    }
  }
  const namespace = str(flags, 'namespace') ?? 'default';
  const words = [...flags.args.slice(1), ...(flags.dashArgs ?? [])];
  const invalid = (kind: 'Pod' | 'Service', detail: string): never => {
    throw new CommandError('INVALID', apiErrorText(new ApiError('Invalid', `${kind} "${name}" is invalid: ${detail}`)));
  };
  const problem = nameProblem('Pod', name);
  if (problem) invalid('Pod', problem);
  if (port !== undefined && (port < 1 || port > 65535)) invalid('Pod', `spec.containers[0].ports[0].containerPort: Invalid value: ${port}: must be between 1 and 65535, inclusive`);
  const k8s = ctx.env.sim.state.k8s;
  if (!k8s.namespaces[namespace]) throw new CommandError('NOT_FOUND', `Error from server (NotFound): namespaces "${namespace}" not found`);
  if (k8s.pods[`${namespace}/${name}`]) throw new CommandError('ALREADY_EXISTS', `Error from server (AlreadyExists): pods "${name}" already exists`);
  const container = {
    name,
    image,
    ...(words.length ? (bool(flags, 'command') ? { command: words } : { args: words }) : {}),
    ...(port !== undefined ? { ports: [{ containerPort: port, protocol: 'TCP' as const }] } : {}),
  };
  const apiCtx = apiContext(ctx);
  if (bool(flags, 'expose')) {
    if (nameProblem('Service', name)) invalid('Service', nameProblem('Service', name)!);
    api(() => createService(apiCtx, { name, namespace, selector: labels, ports: [{ protocol: 'TCP', port: port!, targetPort: port! }] }));
    ctx.stdout.write(`service/${name} created\n`);
  }
  api(() => createPod(apiCtx, { name, namespace, labels, spec: { containers: [container], restartPolicy: restart } }));
  ctx.stdout.write(`pod/${name} created\n`);
  return 0;
}
