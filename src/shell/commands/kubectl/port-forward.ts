/**
 * `kubectl port-forward (POD | TYPE/NAME) [LOCAL:]REMOTE...`: local ports on the workstation
 * that lead into a pod, until Ctrl+C.
 *
 * Design notes: the target is a pod, or the pod kubectl picks for a Deployment, ReplicaSet or
 * Service (AttachablePodForObject); a Service's port is translated to its target port on that
 * pod (a named target port through the container's port names), as kubectl translates it.
 * `8080:80`, `80` (same local port) and `:80` (a free local port) are accepted. kubectl prints
 * `Forwarding from 127.0.0.1:8080 -> 80` and `Forwarding from [::1]:8080 -> 80`, then runs
 * until interrupted; while it runs, the forward is sandbox state (k8s/port-forward.ts), so
 * `curl localhost:8080` in another terminal reaches the pod, and this kubectl prints
 * `Handling connection for 8080` for each connection. A local port already forwarded gets
 * kubectl's bind errors; the pod going away ends the command with `error: lost connection to
 * pod`.
 * Left out: --address other than localhost/127.0.0.1, UDP (kubectl forwards TCP only),
 * --pod-running-timeout.
 */
import { localPortInUse, portForwards, startPortForward, stopPortForward } from '../../../sim/k8s/port-forward';
import { key, type Pod } from '../../../sim/k8s/types';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseFlags, str } from './flags';
import { podFor } from './logs';

export const PORT_FORWARD_USAGE = `Forward one or more local ports to a pod.

 Use resource type/name such as deployment/mydeployment to select a pod. Resource type defaults to 'pod' if omitted.

 If there are multiple pods matching the criteria, a pod will be selected automatically. The forwarding session ends when the selected pod terminates, and a rerun of the command is needed to resume forwarding.

Examples:
  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in the pod
  kubectl port-forward pod/mypod 5000 6000

  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in a pod selected by the deployment
  kubectl port-forward deployment/mydeployment 5000 6000

  # Listen on port 8443 locally, forwarding to the targetPort of the service's port named "https" in a pod selected by the service
  kubectl port-forward service/myservice 8443:https

  # Listen on port 8888 locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod 8888:5000

  # Listen on a random port locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod :5000

Options:
      --address=[localhost]: Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value. When localhost is supplied, kubectl will try to bind on both 127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind.

Usage:
  kubectl port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]`;

const FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'address', type: 'string' as const },
  { name: 'pod-running-timeout', type: 'string' as const },
];

interface Spec {
  local: number;
  remote: number;
  remoteText: string;
}

function parsePort(text: string, which: 'local' | 'remote'): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new CommandError('INVALID', `error: Error parsing ${which} port '${text}': strconv.ParseUint: parsing "${text}": ${/^\d+$/.test(text) ? 'value out of range' : 'invalid syntax'}`);
  return Number(text);
}

/** The pod's container port a Service port leads to (kubectl's translateServicePortToTargetPort). */
function servicePortToTarget(ctx: CommandContext, svcName: string, namespace: string, port: string, pod: Pod): number {
  const svc = ctx.env.sim.state.k8s.services[key(namespace, svcName)]!;
  const sp = (svc.spec.ports ?? []).find((p) => String(p.port) === port || p.name === port);
  if (!sp) throw new CommandError('INVALID', `error: Service ${svcName} does not have a service port ${port}`);
  const t = sp.targetPort ?? sp.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  for (const c of pod.spec.containers) for (const cp of c.ports ?? []) if (cp.name === t) return cp.containerPort;
  throw new CommandError('INVALID', `error: Pod '${pod.metadata.name}' does not have a named port '${t}'`);
}

export async function kubectlPortForward(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'kubectl port-forward');
  if (flags.args.length < 2) throw new CommandError('USAGE', 'error: TYPE/NAME and list of ports are required for port-forward', 1, "See 'kubectl port-forward -h' for help and examples");
  const address = str(flags, 'address') ?? 'localhost';
  if (address !== 'localhost' && address !== '127.0.0.1') throw new CommandError('UNSUPPORTED', `error: the sandbox's port-forward listens on localhost only (--address ${address})`);
  const namespace = str(flags, 'namespace') ?? 'default';
  const target = flags.args[0]!;
  const isService = /^(svc|service|services)\//.test(target);
  const pod = await podFor(ctx, target.includes('/') ? target : `pod/${target}`, namespace, 'attach to');
  if (!pod) return 130;
  const state = ctx.env.sim.state;
  const specs: Spec[] = flags.args.slice(1).map((p) => {
    const parts = p.split(':');
    if (parts.length > 2) throw new CommandError('INVALID', `error: invalid port format '${p}'`);
    const remoteText = parts[parts.length - 1]!;
    const remote = isService ? servicePortToTarget(ctx, target.slice(target.indexOf('/') + 1), namespace, remoteText, pod) : parsePort(remoteText, 'remote');
    let local: number;
    if (parts.length === 1) local = isService ? parsePort(remoteText, 'local') : remote;
    else if (parts[0] === '') {
      local = 0;
      for (let n = 32768 + ctx.env.sim.rng.int(28232); local === 0; n++) if (!localPortInUse(state, n)) local = n;
    } else local = parsePort(parts[0]!, 'local');
    return { local, remote, remoteText };
  });
  if (pod.status.phase !== 'Running') throw new CommandError('EXEC_FAILED', `error: unable to forward port because pod is not running. Current status=${pod.status.phase}`);
  const taken = specs.filter((s) => localPortInUse(state, s.local));
  if (taken.length === specs.length) {
    for (const s of taken) {
      ctx.stderr.write(
        `Unable to listen on port ${s.local}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:${s.local}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:${s.local}: bind: address already in use]\n`,
      );
    }
    throw new CommandError('EXEC_FAILED', `error: unable to listen on any of the requested ports: [${specs.map((s) => `{${s.local} ${s.remote}}`).join(' ')}]`);
  }
  const ids: number[] = [];
  for (const s of specs) {
    if (localPortInUse(state, s.local)) continue;
    ctx.stdout.write(`Forwarding from 127.0.0.1:${s.local} -> ${s.remote}\nForwarding from [::1]:${s.local} -> ${s.remote}\n`);
    ids.push(startPortForward(state, { address: '127.0.0.1', localPort: s.local, namespace, pod: pod.metadata.name, remotePort: s.remote }).id);
  }
  ctx.endless();
  const seen = new Map<number, number>(ids.map((id) => [id, 0]));
  try {
    for (;;) {
      const alive = await ctx.sleep(100);
      for (const f of portForwards(state)) {
        if (!seen.has(f.id)) continue;
        for (let n = seen.get(f.id)!; n < f.connections; n++) ctx.stdout.write(`Handling connection for ${f.localPort}\n`);
        seen.set(f.id, f.connections);
      }
      if (!alive) return 0; // kubectl stops its listeners on SIGINT and exits normally
      const now = state.k8s.pods[key(namespace, pod.metadata.name)];
      if (!now || now.metadata.uid !== pod.metadata.uid) {
        ctx.stderr.write('error: lost connection to pod\n');
        return 1;
      }
    }
  } finally {
    for (const id of ids) stopPortForward(state, id);
  }
}
