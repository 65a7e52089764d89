/**
 * `kubectl cluster-info`: where the control plane and the cluster's add-on services answer.
 *
 * Design notes: kubectl prints the API server's address from its kubeconfig (kubeadm's
 * `https://<control-plane IP>:6443`, here the address the `kubernetes` Service's endpoints
 * point at), then every Service labelled `kubernetes.io/cluster-service=true` in the
 * namespace (kube-system unless `-n` says otherwise): its `kubernetes.io/name` label (else its
 * name) and the API server's proxy URL for its first port
 * (`/api/v1/namespaces/NS/services/[https:]NAME[:PORTNAME]/proxy`, `https:` guessed from a
 * port named https or numbered 443), or `http://IP:PORT ` for each port of a load balancer.
 * Names are green and URLs yellow: kubectl's colortext library writes the ANSI codes whatever
 * stdout is, unless TERM is `dumb`. Then a blank line and the hint about `cluster-info dump`.
 * Left out: `cluster-info dump` (the sandbox says so).
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseFlags, str } from './flags';

export const CLUSTER_INFO_USAGE = `Display addresses of the control plane and services with label kubernetes.io/cluster-service=true. To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.

Examples:
  # Print the address of the control plane and cluster services
  kubectl cluster-info

Available Commands:
  dump            Dump relevant information for debugging and diagnosis

Usage:
  kubectl cluster-info [flags] [options]

Use "kubectl cluster-info <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).`;

const FLAGS = [{ name: 'namespace', short: 'n', type: 'string' as const }];

/** go-colortext's codes: `ESC[0;32m` green, `ESC[0;33m` yellow, `ESC[0m` reset. */
const GREEN = '\x1b[0;32m';
const YELLOW = '\x1b[0;33m';
const RESET = '\x1b[0m';

/** The API server's URL as kubeadm writes it into the kubeconfig. */
export function apiServerUrl(state: CommandContext['env']['sim']['state']): string {
  let ip = state.k8s.manualEndpoints?.['default/kubernetes']?.[0]?.ip;
  if (!ip) {
    const cp = Object.values(state.k8s.nodes).find((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined) ?? Object.values(state.k8s.nodes)[0];
    ip = cp?.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
  }
  return `https://${ip}:6443`;
}

export function kubectlClusterInfo(ctx: CommandContext, argv: string[]): number {
  const flags = parseFlags(argv, FLAGS, 'kubectl cluster-info');
  if (flags.args[0] === 'dump') throw new CommandError('UNSUPPORTED', 'error: the sandbox does not support "kubectl cluster-info dump" yet');
  const state = ctx.env.sim.state;
  const namespace = str(flags, 'namespace') || 'kube-system';
  const color = ctx.env.vars['TERM'] !== 'dumb';
  const host = apiServerUrl(state);
  const line = (name: string, link: string): string => (color ? `${GREEN}${name}${RESET} is running at ${YELLOW}${link}${RESET}\n` : `${name} is running at ${link}\n`);
  let out = line('Kubernetes control plane', host);
  const services = Object.values(state.k8s.services)
    .filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.['kubernetes.io/cluster-service'] === 'true')
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const s of services) {
    let link = '';
    const lb = s.status.loadBalancer.ingress ?? [];
    if (lb.length > 0) {
      const ip = lb[0]!.ip || lb[0]!.hostname || '';
      for (const p of s.spec.ports ?? []) link += `http://${ip}:${p.port} `;
    } else {
      let name = s.metadata.name;
      const port = s.spec.ports?.[0];
      if (port) {
        // apimachinery's JoinSchemeNamePort: scheme:name:port (all three once there is a scheme), else name[:port].
        const portName = port.name ?? '';
        name = port.name === 'https' || port.port === 443 ? `https:${name}:${portName}` : portName ? `${name}:${portName}` : name;
      }
      link = `${host}/api/v1/namespaces/${s.metadata.namespace}/services/${name}/proxy`;
    }
    out += line(s.metadata.labels?.['kubernetes.io/name'] || s.metadata.name, link);
  }
  ctx.stdout.write(out + "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
  return 0;
}
