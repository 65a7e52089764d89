/**
 * `kubectl debug POD --image=I [-it] [--target=C] [-c NAME] [-- CMD]` and
 * `kubectl debug node/NAME -it --image=I`.
 *
 * Design notes: for a pod, kubectl adds an ephemeral container (k8s/debug.ts): it shares the
 * pod's network namespace, so its tools (netshoot's tcpdump, ss, dig) see the pod's
 * interfaces and sockets, and it shows in `get pod -o yaml` under ephemeralContainers and
 * ephemeralContainerStatuses. kubectl's messages go to stderr in its order: `Targeting
 * container "C". ...` with --target, v1.32's deprecation warning for the default legacy
 * profile when --profile is not given, `Defaulting debug container name to debugger-xxxxx.`
 * when -c is not given, then with -t the prompt hint; with -i a shell becomes the interactive
 * shell in the new container (as for `kubectl exec -it`), any other command runs and prints;
 * leaving prints kubectl's "Session ended" line for ephemeral containers.
 * For a node, kubectl creates a pod `node-debugger-NODE-xxxxx` (container `debugger`, host
 * network, on that node; `Creating debugging pod ... on node NODE.`) and attaches: the sandbox
 * gives a root shell in the node's network namespace, the one that pod shares, with the
 * node's tools; the pod stays afterwards, as it does on a real cluster.
 * Left out: --copy-to, --share-processes (there are no process lists), --custom, profiles'
 * security settings, the host filesystem under /host.
 */
import { ApiError, createPod } from '../../../sim/k8s/api';
import { waitRunning } from './run';
import { addEphemeralContainer } from '../../../sim/k8s/debug';
import { randomSuffix } from '../../../sim/k8s/names';
import { key } from '../../../sim/k8s/types';
import type { CommandContext, Location } from '../../command';
import { CommandError } from '../../errors';
import { imageHas, programName } from '../../images';
import { bool, parseFlags, str } from './flags';
import { podFor } from './logs';
import { api, apiContext } from './mutate';
import { endAttached } from './run';

export const DEBUG_USAGE = `Debug cluster resources using interactive debugging containers.

 'debug' provides automation for common debugging tasks for cluster objects identified by resource and name. Pods will be used by default if no resource is specified.

 The action taken by 'debug' varies depending on what resource is specified. Supported actions include:

  *  Workload: Create a copy of an existing pod with certain attributes changed, for example changing the image tag to a new version.
  *  Workload: Add an ephemeral container to an already running pod, for example to add debugging utilities without restarting the pod.
  *  Node: Create a new pod that runs in the node's host namespaces and can access the node's filesystem.

Examples:
  # Create an interactive debugging session in pod mypod and immediately attach to it.
  kubectl debug mypod -it --image=busybox

  # Create a debug container named debugger using a custom automated debugging image.
  kubectl debug --image=myproj/debug-tools -c debugger mypod

  # Create an interactive debugging session on a node and immediately attach to it.
  # The container will run in the host namespaces and the host's filesystem will be mounted at /host
  kubectl debug node/mynode -it --image=busybox

Options:
  -c, --container='': Container name to use for debug container.
      --image='': Container image to use for debug container.
  -i, --stdin=false: Keep stdin open on the container(s) in the pod, even if nothing is attached.
      --target='': When using an ephemeral container, target processes in this container name.
  -t, --tty=false: Allocate a TTY for the debugging container.

Usage:
  kubectl debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ] [options]`;

const FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'image', type: 'string' as const },
  { name: 'container', short: 'c', type: 'string' as const },
  { name: 'target', type: 'string' as const },
  { name: 'stdin', short: 'i', type: 'bool' as const },
  { name: 'tty', short: 't', type: 'bool' as const },
  { name: 'profile', type: 'string' as const },
  { name: 'quiet', short: 'q', type: 'bool' as const },
  { name: 'attach', type: 'bool' as const },
];

const PROFILE_WARNING = '--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example "--profile=general".\n';

export async function kubectlDebug(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'kubectl debug');
  if (flags.args.length === 0) throw new CommandError('USAGE', 'error: you must specify an existing container or a new image when specifying args.', 1, "See 'kubectl debug -h' for help and examples");
  const image = str(flags, 'image');
  if (image === undefined) throw new CommandError('USAGE', '--image is required for ephemeral containers', 1, "See 'kubectl debug -h' for help and examples");
  const profile = str(flags, 'profile');
  if (profile !== undefined && !['legacy', 'general', 'baseline', 'netadmin', 'restricted', 'sysadmin'].includes(profile)) throw new CommandError('USAGE', `error: unknown profile: ${profile}`);
  const namespace = str(flags, 'namespace') ?? 'default';
  const interactive = bool(flags, 'stdin');
  const tty = bool(flags, 'tty');
  const quiet = bool(flags, 'quiet');
  const command = flags.dashArgs ?? [];
  const state = ctx.env.sim.state;
  const apiCtx = apiContext(ctx);
  const arg = flags.args[0]!;
  const say = (text: string): void => {
    if (!quiet) ctx.stderr.write(text);
  };
  if (/^(node|nodes|no)\//.test(arg)) {
    const nodeName = arg.slice(arg.indexOf('/') + 1);
    if (!state.k8s.nodes[nodeName]) throw new CommandError('NOT_FOUND', `Error from server (NotFound): nodes "${nodeName}" not found`);
    if (profile === undefined) say(PROFILE_WARNING);
    const podName = `node-debugger-${nodeName}-${randomSuffix(ctx.env.sim.rng)}`;
    say(`Creating debugging pod ${podName} with container debugger on node ${nodeName}.\n`);
    api(() =>
      createPod(apiCtx, {
        name: podName,
        namespace,
        spec: { containers: [{ name: 'debugger', image, ...(command.length ? { command } : {}) }], nodeName, hostNetwork: true, restartPolicy: 'Never', tolerations: [{ operator: 'Exists' }] },
      }),
    );
    if (!interactive) return 0;
    // kubectl waits for the debugging pod to run before it attaches.
    const running = await waitRunning(ctx, namespace, podName, 'debugger');
    if (running === 'interrupted') return 130;
    if (running === 'timeout') throw new CommandError('EXEC_FAILED', 'error: timed out waiting for the condition');
    if (tty) say("If you don't see a command prompt, try pressing enter.\n");
    const ns = Object.values(state.netns).find((n) => n.id.startsWith('node/') && n.hostname === nodeName);
    if (!ns) throw new CommandError('UNSUPPORTED', `error: the sandbox has no shell on node ${nodeName}`);
    ctx.enter({ kind: 'node', node: nodeName, ns: ns.id, debugPod: podName });
    return 0;
  }
  const pod = await podFor(ctx, arg.includes('/') ? arg : `pod/${arg}`, namespace, 'attach to');
  if (!pod) return 130;
  const target = str(flags, 'target');
  if (target !== undefined && !pod.spec.containers.some((c) => c.name === target)) {
    throw new CommandError('INVALID', `The Pod "${pod.metadata.name}" is invalid: spec.ephemeralContainers[${(pod.spec.ephemeralContainers ?? []).length}].targetContainerName: Not found: "${target}"`);
  }
  if (pod.spec.hostNetwork) throw new CommandError('UNSUPPORTED', `error: the sandbox does not model processes inside ${pod.metadata.name} (a host-network system pod); try a pod from the lab`);
  if (target !== undefined) say(`Targeting container "${target}". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n`);
  if (profile === undefined) say(PROFILE_WARNING);
  let name = str(flags, 'container');
  const taken = new Set([...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])].map((c) => c.name));
  if (name === undefined) {
    do name = `debugger-${randomSuffix(ctx.env.sim.rng)}`;
    while (taken.has(name));
    say(`Defaulting debug container name to ${name}.\n`);
  } else if (taken.has(name)) {
    throw new CommandError('INVALID', `The Pod "${pod.metadata.name}" is invalid: spec.ephemeralContainers[${(pod.spec.ephemeralContainers ?? []).length}].name: Duplicate value: "${name}"`);
  }
  const live = state.k8s.pods[key(namespace, pod.metadata.name)]!;
  try {
    addEphemeralContainer(apiCtx, live, { name, image, ...(target !== undefined ? { target } : {}), interactive, command });
  } catch (e) {
    if (e instanceof ApiError) throw new CommandError('INVALID', e.message);
    throw e;
  }
  if (!interactive) return 0;
  const location: Location = { kind: 'pod', namespace, pod: pod.metadata.name, container: name, attached: { rm: false, restart: 'Never', ephemeral: true } };
  const program = command.length ? programName(command[0]!) : 'sh';
  if (!imageHas(image, program)) throw new CommandError('EXEC_FAILED', 'error: timed out waiting for the condition');
  if (tty) say("If you don't see a command prompt, try pressing enter.\n");
  if ((program === 'sh' || program === 'bash' || program === 'zsh') && command.length <= 1) {
    ctx.enter(program === 'sh' ? location : { ...location, shell: 'bash' });
    return 0;
  }
  const status = await ctx.spawn(location, [program, ...command.slice(1)], tty);
  return endAttached(ctx, location, status);
}
