/**
 * `kubectl expose`: a Service in front of a Deployment, ReplicaSet, pod or Service.
 *
 * Design notes: as kubectl's expose builds it: the Service is named after the object (or
 * `--name`), takes the object's labels, and selects what the object selects (a Deployment's or
 * ReplicaSet's `matchLabels`, a pod's own labels, a Service's selector) unless `--selector`
 * says otherwise. Without `--port` the ports come from the containers' declared ports (one ->
 * unnamed, several -> `port-1`, `port-2`, ...); `--target-port` defaults to the port.
 * `--type` NodePort or LoadBalancer gets a node port (and an address from the simulated
 * cloud). Prints `service/web exposed`.
 * `--dry-run` and `-o` print as dry-run.ts describes.
 * Left out: --external-ip, --session-affinity, --overrides, -f, UDP/SCTP via
 * --protocol for some ports only.
 */
import { createService, type ServiceInit } from '../../../sim/k8s/api';
import { key, type PodSpec, type ServicePort } from '../../../sim/k8s/types';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseFlags, str } from './flags';
import { dryRunOf } from './apply';
import { finishCreate } from './dry-run';
import { objectPrinter } from './object-output';
import { resourceArgs } from './delete';

export const EXPOSE_FLAGS = [
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'template', type: 'string' as const },
  { name: 'dry-run', type: 'string' as const, bare: 'unchanged' },
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'port', type: 'string' as const },
  { name: 'target-port', type: 'string' as const },
  { name: 'type', type: 'string' as const },
  { name: 'name', type: 'string' as const },
  { name: 'protocol', type: 'string' as const },
  { name: 'selector', type: 'string' as const },
  { name: 'labels', short: 'l', type: 'string' as const },
  { name: 'cluster-ip', type: 'string' as const },
];

export const EXPOSE_USAGE = `Expose a resource as a new Kubernetes service.

 Looks up a deployment, service, replica set, replication controller or pod by name and uses the selector for that resource as the selector for a new service on the specified port. A deployment or replica set will be exposed as a service only if its selector is convertible to a selector that service supports, i.e. when the selector contains only the matchLabels component. Note that if no port is specified via --port and the exposed resource has multiple ports, all will be re-used by the new service. Also if no labels are specified, the new service will re-use the labels from the resource it exposes.

 Possible resources include (case insensitive):

 pod (po), service (svc), replicationcontroller (rc), deployment (deploy), replicaset (rs)

Examples:
  # Create a service for a replicated nginx, which serves on port 80 and connects to the containers on port 8000
  kubectl expose rc nginx --port=80 --target-port=8000

  # Create a service for a pod valid-pod, which serves on port 444 with the name "frontend"
  kubectl expose pod valid-pod --port=444 --name=frontend

  # Create a service for an nginx deployment, which serves on port 80 and connects to the containers on port 8000
  kubectl expose deployment nginx --port=80 --target-port=8000

Options:
      --cluster-ip='': ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to 'None' to create a headless service.
  -l, --labels='': Labels to apply to the service created by this call.
      --name='': The name for the newly created object.
      --port='': The port that the service should serve on. Copied from the resource being exposed, if unspecified
      --protocol='': The network protocol for the service to be created. Default is 'TCP'.
      --selector='': A label selector to use for this service. Only equality-based selector requirements are supported.
      --target-port='': Name or number for the port on the container that the service should direct traffic to. Optional.
      --type='': Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is 'ClusterIP'.

Usage:
  kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type] [options]`;

const usageError = (msg: string): CommandError => new CommandError('USAGE', `error: ${msg}`, 1, "See 'kubectl expose -h' for help and examples");

/** `k=v,k2=v2` as kubectl's ParseLabels reads it. */
function parsePairs(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [k, v, extra] = part.split('=');
    if (!k || v === undefined || extra !== undefined) throw new CommandError('INVALID', `error: invalid ${what}: ${JSON.stringify(part)}`);
    out[k] = v;
  }
  return out;
}

export async function kubectlExpose(ctx: CommandContext, argv: string[]): Promise<number> {
  // `kubectl expose` has `-l` for --labels (its --selector has no shorthand).
  const flags = parseFlags(argv, EXPOSE_FLAGS, 'kubectl expose');
  const dry = dryRunOf(str(flags, 'dry-run'));
  const output = str(flags, 'output');
  const print = output !== undefined ? objectPrinter(ctx, output, str(flags, 'template')) : undefined;
  if (flags.args.length === 0) {
    throw usageError("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
  }
  const { names } = resourceArgs(flags.args, false);
  const namespace = str(flags, 'namespace') ?? 'default';
  const k8s = ctx.env.sim.state.k8s;
  for (const { type, name } of names) {
    let labels: Record<string, string> | undefined;
    let selector: Record<string, string> | undefined;
    let specs: PodSpec[] = [];
    let fromService: ServicePort[] | undefined;
    const k = key(namespace, name);
    const missing = (): never => {
      throw new CommandError('NOT_FOUND', `Error from server (NotFound): ${type.group ? `${type.plural}.${type.group}` : type.plural} "${name}" not found`);
    };
    switch (type.plural) {
      case 'deployments':
      case 'replicasets': {
        const o = type.plural === 'deployments' ? k8s.deployments[k] : k8s.replicasets[k];
        if (!o) missing();
        labels = o!.metadata.labels;
        selector = o!.spec.selector.matchLabels;
        specs = [o!.spec.template.spec];
        break;
      }
      case 'pods': {
        const p = k8s.pods[k];
        if (!p) missing();
        labels = p!.metadata.labels;
        selector = p!.metadata.labels;
        if (!selector || Object.keys(selector).length === 0) {
          if (str(flags, 'selector') === undefined) throw usageError("couldn't retrieve selectors via --selector flag or introspection: the pod has no labels and cannot be exposed");
        }
        specs = [p!.spec];
        break;
      }
      case 'services': {
        const s = k8s.services[k];
        if (!s) missing();
        labels = s!.metadata.labels;
        selector = s!.spec.selector;
        if (!selector && str(flags, 'selector') === undefined) throw usageError("couldn't retrieve selectors via --selector flag or introspection: the service has no pod selector set");
        fromService = s!.spec.ports;
        break;
      }
      default:
        throw new CommandError('INVALID', `error: cannot expose a ${type.kind}${type.group ? `.${type.group}` : ''}`);
    }
    if (str(flags, 'selector') !== undefined) selector = parsePairs(str(flags, 'selector')!, 'selector');
    if (str(flags, 'labels') !== undefined) labels = parsePairs(str(flags, 'labels')!, 'label spec');
    const protocolFlag = str(flags, 'protocol');
    const targetText = str(flags, 'target-port');
    const clusterIP = str(flags, 'cluster-ip');
    let ports: ServicePort[];
    const portText = str(flags, 'port');
    if (portText !== undefined && portText !== '') {
      ports = portText.split(',').map((p, i, all) => {
        if (!/^\d+$/.test(p)) throw new CommandError('INVALID', `error: strconv.Atoi: parsing ${JSON.stringify(p)}: invalid syntax`);
        return { ...(all.length > 1 ? { name: `port-${i + 1}` } : {}), protocol: (protocolFlag ?? 'TCP') as ServicePort['protocol'], port: Number(p), targetPort: Number(p) };
      });
    } else {
      const declared = fromService
        ? fromService.map((p) => ({ port: p.port, protocol: p.protocol }))
        : specs.flatMap((s) => s.containers.flatMap((c) => (c.ports ?? []).map((p) => ({ port: p.containerPort, protocol: p.protocol }))));
      if (declared.length === 0 && clusterIP !== 'None') throw usageError("couldn't find port via --port flag or introspection");
      ports = declared.map((p, i) => ({ ...(declared.length > 1 ? { name: `port-${i + 1}` } : {}), protocol: (protocolFlag ?? p.protocol) as ServicePort['protocol'], port: p.port, targetPort: p.port }));
    }
    if (targetText !== undefined && targetText !== '') {
      const t = /^\d+$/.test(targetText) ? Number(targetText) : targetText;
      ports = ports.map((p) => ({ ...p, targetPort: t }));
    }
    const svcName = (str(flags, 'name') ?? name).slice(0, 63);
    const typeText = str(flags, 'type') ?? 'ClusterIP';
    const init: ServiceInit = {
      name: svcName,
      namespace,
      type: typeText as ServiceInit['type'],
      ...(selector && Object.keys(selector).length ? { selector: { ...selector } } : {}),
      ports,
      ...(labels && Object.keys(labels).length ? { labels: { ...labels } } : {}),
      ...(clusterIP ? { clusterIP } : {}),
    };
    finishCreate(ctx, dry, print, {
      ref: `service/${svcName}`,
      kind: 'Service',
      namespace,
      verb: 'exposed',
      client: () => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { creationTimestamp: null, ...(init.labels ? { labels: init.labels } : {}), name: svcName, ...(str(flags, 'namespace') !== undefined ? { namespace } : {}) },
        spec: {
          ...(clusterIP ? { clusterIP } : {}),
          ports: ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol, targetPort: p.targetPort })),
          ...(init.selector ? { selector: init.selector } : {}),
          ...(str(flags, 'type') !== undefined ? { type: typeText } : {}),
        },
        status: { loadBalancer: {} },
      }),
      create: (a) => createService(a, init),
      stored: (st) => st.k8s.services[key(namespace, svcName)],
    });
  }
  return 0;
}
