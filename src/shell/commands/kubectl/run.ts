/**
 * `kubectl run NAME --image=IMG`: one pod.
 *
 * Design notes: as kubectl's run builds it: labels `run=NAME` unless `--labels`, one
 * container named NAME, `--port` as its containerPort, `--restart` as the pod's
 * restartPolicy (Always by default), and the words after `--` as the container's
 * arguments (or its command with `--command`). `--expose --port=P` also creates a ClusterIP
 * Service named NAME selecting the pod, printed first as kubectl prints it. The pod is
 * scheduled at once and then started by its kubelet as sandbox time passes (ContainerCreating
 * first; see sim/k8s/kubelet.ts). Prints `pod/NAME created`; `--dry-run` and `-o` as
 * dry-run.ts describes. `-it` (`-i --tty`) attaches: kubectl's hint `If you don't see a
 * command prompt, try pressing enter.` goes to stderr, then a shell command (or none, for
 * images whose default is a shell) becomes the interactive shell inside the pod, as with
 * `kubectl exec -it`, and any other command runs and prints. When the session ends (`exit`,
 * or the command's end) kubectl says `Session ended, resume using 'kubectl attach ...'` for a
 * pod that would restart, and `--rm` deletes the pod (`pod "NAME" deleted`).
 * Left out: --env (accepted, not stored), --overrides; a container whose program would exit
 * at once (busybox without a command, or after an attached session without --rm) still
 * shows Running, where a real cluster shows Completed or CrashLoopBackOff.
 */
import { ApiError, createPod, createService } from '../../../sim/k8s/api';
import { deleteObject, labelKeyProblem, labelValueProblem } from '../../../sim/k8s/controllers';
import { key } from '../../../sim/k8s/types';
import type { CommandContext, Location } from '../../command';
import { imageHas, programName } from '../../images';
import { dryRunOf } from './apply';
import { finishCreate, requestOf, type Creation } from './dry-run';
import { admit } from '../../../sim/k8s/validation';
import { objectPrinter } from './object-output';
import { CommandError } from '../../errors';
import { bool, parseFlags, str } from './flags';
import { api, apiContext } from './mutate';

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
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'template', type: 'string' as const },
  { name: 'dry-run', type: 'string' as const, bare: 'unchanged' },
  { name: 'quiet', short: 'q', type: 'bool' as const },
  { name: 'attach', type: 'bool' as const },
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
  const interactive = bool(flags, 'stdin') || bool(flags, 'tty');
  const dry = dryRunOf(str(flags, 'dry-run'));
  if (bool(flags, 'rm') && !interactive) throw new CommandError('USAGE', 'error: --rm should only be used for attached containers');
  if (interactive && dry !== 'none') throw new CommandError('USAGE', "error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)");
  if (bool(flags, 'tty') && !bool(flags, 'stdin')) throw new CommandError('USAGE', 'error: -i/--stdin is required for containers with -t/--tty=true');
  const output = str(flags, 'output');
  const print = output !== undefined ? objectPrinter(ctx, output, str(flags, 'template')) : undefined;
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
  const k8s = ctx.env.sim.state.k8s;
  if (!k8s.namespaces[namespace]) throw new CommandError('NOT_FOUND', `Error from server (NotFound): namespaces "${namespace}" not found`);
  if (k8s.pods[`${namespace}/${name}`]) throw new CommandError('ALREADY_EXISTS', `Error from server (AlreadyExists): pods "${name}" already exists`);
  const container: { name: string; image: string; command?: string[]; args?: string[]; ports?: { containerPort: number; protocol: 'TCP' }[] } = {
    name,
    image,
    ...(words.length ? (bool(flags, 'command') ? { command: words } : { args: words }) : {}),
    ...(port !== undefined ? { ports: [{ containerPort: port, protocol: 'TCP' as const }] } : {}),
  };
  const nsFlag = str(flags, 'namespace');
  const podCreation: Creation = {
    ref: `pod/${name}`,
    kind: 'Pod',
    namespace,
    verb: 'created',
    client: () => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { creationTimestamp: null, labels, name, ...(nsFlag !== undefined ? { namespace } : {}) },
      spec: {
        containers: [{ ...(container.args ? { args: container.args } : {}), ...(container.command ? { command: container.command } : {}), image, name, ...(port !== undefined ? { ports: [{ containerPort: port }] } : {}), resources: {} }],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: restart,
      },
      status: {},
    }),
    create: (a) => createPod(a, { name, namespace, labels, spec: { containers: [container], restartPolicy: restart } }),
    stored: (st) => st.k8s.pods[key(namespace, name)],
  };
  // Nothing is created unless the pod is admitted too (a refused run changes nothing).
  if (dry !== 'client' || interactive) api(() => admit(ctx.env.sim.state, 'Pod', requestOf(podCreation)));
  if (bool(flags, 'expose')) {
    finishCreate(ctx, dry, print, {
      ref: `service/${name}`,
      kind: 'Service',
      namespace,
      verb: 'created',
      client: () => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { creationTimestamp: null, name, ...(nsFlag !== undefined ? { namespace } : {}) },
        spec: { ports: [{ port: port!, protocol: 'TCP', targetPort: port! }], selector: labels },
        status: { loadBalancer: {} },
      }),
      create: (a) => createService(a, { name, namespace, selector: labels, ports: [{ protocol: 'TCP', port: port!, targetPort: port! }] }),
      stored: (st) => st.k8s.services[key(namespace, name)],
    });
  }
  if (interactive) return runAttached(ctx, { name, namespace, nsFlag, labels, container, restart, rm: bool(flags, 'rm'), tty: bool(flags, 'tty'), quiet: bool(flags, 'quiet') });
  finishCreate(ctx, dry, print, podCreation);
  return 0;
}

interface Attached {
  name: string;
  namespace: string;
  nsFlag: string | undefined;
  labels: Record<string, string>;
  container: { name: string; image: string; command?: string[]; args?: string[] };
  restart: string;
  rm: boolean;
  tty: boolean;
  quiet: boolean;
}

/**
 * `kubectl run -i[t]`: the pod is created and kubectl attaches to its process. A shell (the
 * command, or the image's default when there is none) becomes the interactive shell until
 * `exit` (see endAttached); any other program runs and its output comes back, then the session ends.
 */
async function runAttached(ctx: CommandContext, a: Attached): Promise<number> {
  const words = [...(a.container.command ?? []), ...(a.container.args ?? [])];
  const program = words.length ? programName(words[0]!) : defaultProgram(a.container.image);
  const apiCtx = apiContext(ctx);
  api(() => createPod(apiCtx, { name: a.name, namespace: a.namespace, labels: a.labels, spec: { containers: [a.container], restartPolicy: a.restart } }));
  const location: Location & { kind: 'pod' } = { kind: 'pod', namespace: a.namespace, pod: a.name, container: a.name };
  const attached = { rm: a.rm, restart: a.restart, ...(a.nsFlag !== undefined ? { nsFlag: a.nsFlag } : {}) };
  if (!imageHas(a.container.image, program)) {
    // The container cannot start; kubectl gives up waiting for it.
    throw new CommandError('EXEC_FAILED', `error: timed out waiting for the condition`);
  }
  // kubectl waits (--pod-running-timeout, 1m) until the pod runs before it attaches.
  const running = await waitRunning(ctx, a.namespace, a.name, a.name);
  if (running === 'interrupted') return 130;
  if (running === 'timeout') throw new CommandError('EXEC_FAILED', 'error: timed out waiting for the condition');
  const pod = ctx.env.sim.pod(a.namespace, a.name)!;
  location.uid = pod.metadata.uid;
  location.restarts = pod.status.containerStatuses?.find((c) => c.name === a.name)?.restartCount ?? 0;
  if (a.tty && !a.quiet) ctx.stderr.write("If you don't see a command prompt, try pressing enter.\n");
  if ((program === 'sh' || program === 'bash' || program === 'ash') && words.length <= 1) {
    ctx.enter({ ...location, ...(program === 'bash' ? { shell: 'bash' as const } : {}), attached });
    return 0;
  }
  const status = await ctx.spawn(location, [program, ...words.slice(1)], a.tty);
  return endAttached(ctx, { ...location, attached }, status);
}

/** kubectl run's default --pod-running-timeout. */
const POD_RUNNING_TIMEOUT_MS = 60_000;

/** Waits in sandbox time, as the kubelet starts the pod, until its container `name` runs. */
export async function waitRunning(ctx: CommandContext, namespace: string, pod: string, name: string, timeoutMs: number = POD_RUNNING_TIMEOUT_MS): Promise<'running' | 'timeout' | 'interrupted'> {
  const until = ctx.env.scheduler.now() + timeoutMs;
  for (;;) {
    // Looking the pod up brings the cluster up to the clock (Sim.advance).
    const p = ctx.env.sim.pod(namespace, pod);
    if (p?.status.phase === 'Running' && p.status.containerStatuses?.find((c) => c.name === name)?.state.running) return 'running';
    if (ctx.env.scheduler.now() >= until) return 'timeout';
    if (!(await ctx.sleep(Math.min(250, until - ctx.env.scheduler.now())))) return 'interrupted';
  }
}

/** The image's default command when `kubectl run` gives none: a shell for the images that start one. */
function defaultProgram(image: string): string {
  return imageHas(image, 'sh') && /busybox|alpine|netshoot|ubuntu|debian/.test(image) ? 'sh' : 'none';
}

/**
 * The end of an attached session (the shell's `exit`, or the program's end): kubectl's
 * "Session ended" for a pod that restarts, then with --rm the pod is deleted.
 */
export function endAttached(ctx: CommandContext, loc: Location, status: number): number {
  if (loc.kind !== 'pod' || !loc.attached) return status;
  const { rm, restart, nsFlag, ephemeral } = loc.attached;
  if (ephemeral) {
    ctx.stderr.write(`Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach ${loc.pod} -c ${loc.container} -i -t' if it is still running\n`);
    return status;
  }
  if (restart !== 'Never') ctx.stderr.write(`Session ended, resume using 'kubectl attach ${loc.pod} -c ${loc.container}${nsFlag !== undefined ? ` -n ${nsFlag}` : ''} -i -t' command when the pod is running\n`);
  if (rm) {
    try {
      deleteObject(apiContext(ctx), 'pods', loc.namespace, loc.pod);
      ctx.stdout.write(`pod "${loc.pod}" deleted\n`);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }
  if (status !== 0 && restart === 'Never') ctx.stderr.write(`pod ${loc.namespace}/${loc.pod} terminated (Error)\n`);
  return status;
}
