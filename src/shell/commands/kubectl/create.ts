/**
 * `kubectl create`: new objects from a file or from the command line.
 *
 * Design notes: `create -f FILE|-` creates every document (AlreadyExists for an object that
 * exists: `Error from server (AlreadyExists): error when creating "web.yaml": ...`; all or
 * nothing), decoded by the API server under `--validate` (strict by default; warn prints
 * `Warning: unknown field ...` before the line). The generators build what kubectl's build: `create deployment NAME --image=IMG`
 * labels everything `app=NAME`, names the container after the image (`nginx:1.27` ->
 * `nginx`), one container per `--image`, `--port` as containerPort; `create service
 * clusterip|nodeport|loadbalancer NAME --tcp=PORT[:TARGET]` selects `app=NAME` with port names
 * `PORT-TARGET`; `create namespace NAME`. Their server errors come wrapped as kubectl wraps
 * them (`error: failed to create deployment: ...`, `error: failed to create ClusterIP
 * service: ...`).
 * `create deployment NAME --image=I -- CMD ARGS` sets the container's command. `--dry-run=
 * client|server` and `-o` print as dry-run.ts describes.
 * `create configmap|secret|ingress` are in create-stored.ts.
 * Left out: the other generators (job, cronjob, role, ...), --save-config.
 */
import { ApiError, createDeployment, createNamespace, createService } from '../../../sim/k8s/api';
import { applyEach, errorLines } from '../../../sim/k8s/manifests';
import { containerName } from '../../../sim/cluster';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseFlags, str, type FlagSpec } from './flags';
import { apiContext, readManifests } from './mutate';
import { dryRunOf, validateOf } from './apply';
import { finishCreate } from './dry-run';
import { objectPrinter } from './object-output';
import { key } from '../../../sim/k8s/types';
import { createConfigMapCmd, createIngressCmd, createSecretCmd } from './create-stored';

export const CREATE_SUBCOMMANDS = ['configmap', 'deployment', 'ingress', 'namespace', 'secret', 'service'];
export const SERVICE_TYPES = ['clusterip', 'nodeport', 'loadbalancer'];

export const CREATE_USAGE = `Create a resource from a file or from stdin.

 JSON and YAML formats are accepted.

Examples:
  # Create a pod using the data in pod.json
  kubectl create -f ./pod.json

  # Create a pod based on the JSON passed into stdin
  cat pod.json | kubectl create -f -

Available Commands:
  deployment            Create a deployment with the specified name
  namespace             Create a namespace with the specified name
  service               Create a service using a specified subcommand

Options:
  -f, --filename=[]: Filename, directory, or URL to files to use to create the resource

Usage:
  kubectl create -f FILENAME [options]`;

const DEPLOYMENT_USAGE = `Create a deployment with the specified name.

Aliases:
deployment, deploy

Examples:
  # Create a deployment named my-dep that runs the busybox image
  kubectl create deployment my-dep --image=busybox

  # Create a deployment named my-dep that runs the nginx image with 3 replicas
  kubectl create deployment my-dep --image=nginx --replicas=3

  # Create a deployment named my-dep that runs the busybox image and expose port 5701
  kubectl create deployment my-dep --image=busybox --port=5701

Options:
      --image=[]: Image names to run. A deployment can have multiple images set for multi-container pod.
      --port=-1: The containerPort that this deployment exposes.
  -r, --replicas=1: Number of replicas to create. Default is 1.

Usage:
  kubectl create deployment NAME --image=image -- [COMMAND] [args...] [options]`;

const SERVICE_USAGE = `Create a service using a specified subcommand.

Aliases:
service, svc

Available Commands:
  clusterip       Create a ClusterIP service
  loadbalancer    Create a LoadBalancer service
  nodeport        Create a NodePort service

Usage:
  kubectl create service [flags] [options]`;

const SERVICE_TYPE_USAGE: Record<string, string> = {
  clusterip: `Create a ClusterIP service with the specified name.

Examples:
  # Create a new ClusterIP service named my-cs
  kubectl create service clusterip my-cs --tcp=5678:8080

  # Create a new ClusterIP service named my-cs (in headless mode)
  kubectl create service clusterip my-cs --clusterip="None"

Options:
      --clusterip='': Assign your own ClusterIP or set to 'None' for a 'headless' service (no loadbalancing).
      --tcp=[]: Port pairs can be specified as '<port>:<targetPort>'.

Usage:
  kubectl create service clusterip NAME [--tcp=<port>:<targetPort>] [--dry-run=server|client|none] [options]`,
  nodeport: `Create a NodePort service with the specified name.

Examples:
  # Create a new NodePort service named my-ns
  kubectl create service nodeport my-ns --tcp=5678:8080

Options:
      --node-port=0: Port used to expose the service on each node in a cluster.
      --tcp=[]: Port pairs can be specified as '<port>:<targetPort>'.

Usage:
  kubectl create service nodeport NAME [--tcp=port:targetPort] [--dry-run=server|client|none] [options]`,
  loadbalancer: `Create a LoadBalancer service with the specified name.

Examples:
  # Create a new LoadBalancer service named my-lbs
  kubectl create service loadbalancer my-lbs --tcp=5678:8080

Options:
      --tcp=[]: Port pairs can be specified as '<port>:<targetPort>'.

Usage:
  kubectl create service loadbalancer NAME [--tcp=port:targetPort] [--dry-run=server|client|none] [options]`,
};

const NAMESPACE_USAGE = `Create a namespace with the specified name.

Aliases:
namespace, ns

Examples:
  # Create a new namespace named my-namespace
  kubectl create namespace my-namespace

Usage:
  kubectl create namespace NAME [--dry-run=server|client|none] [options]`;

const NS_FLAG: FlagSpec = { name: 'namespace', short: 'n', type: 'string' };
const OUTPUT_FLAGS: FlagSpec[] = [
  { name: 'output', short: 'o', type: 'string' },
  { name: 'dry-run', type: 'string', bare: 'unchanged' },
  { name: 'template', type: 'string' },
];

/** `--help` text for `kubectl create [sub [type]] --help`. */
export function createUsage(args: string[]): string {
  const words = args.filter((a) => !a.startsWith('-'));
  const sub = subName(words[0]);
  if (sub === 'deployment') return DEPLOYMENT_USAGE;
  if (sub === 'namespace') return NAMESPACE_USAGE;
  if (sub === 'service') return SERVICE_TYPE_USAGE[words[1] ?? ''] ?? SERVICE_USAGE;
  return CREATE_USAGE;
}

function subName(w: string | undefined): string | undefined {
  if (w === 'deploy') return 'deployment';
  if (w === 'svc') return 'service';
  if (w === 'ns') return 'namespace';
  if (w === 'cm') return 'configmap';
  if (w === 'ing') return 'ingress';
  return w;
}

function exactlyOneName(args: string[], cmd: string): string {
  if (args.length !== 1) throw new CommandError('USAGE', `error: exactly one NAME is required, got ${args.length}`, 1, `See '${cmd} -h' for help and examples`);
  return args[0]!;
}

export async function kubectlCreate(ctx: CommandContext, argv: string[]): Promise<number> {
  // The first positional word picks a generator; flags may come before it.
  const firstWord = argv.findIndex((a, i) => !a.startsWith('-') && !['-f', '--filename', '-n', '--namespace', '-o', '--output'].includes(argv[i - 1] ?? ''));
  const sub = firstWord >= 0 ? subName(argv[firstWord]) : undefined;
  const rest = firstWord >= 0 ? [...argv.slice(0, firstWord), ...argv.slice(firstWord + 1)] : argv;
  if (sub === 'deployment') return createDeploymentCmd(ctx, rest);
  if (sub === 'service') return createServiceCmd(ctx, rest);
  if (sub === 'namespace') return createNamespaceCmd(ctx, rest);
  if (sub === 'configmap') return createConfigMapCmd(ctx, rest);
  if (sub === 'secret') return createSecretCmd(ctx, rest);
  if (sub === 'ingress') return createIngressCmd(ctx, rest);
  const flags = parseFlags(argv, [{ name: 'filename', short: 'f', type: 'string' }, NS_FLAG, { name: 'save-config', type: 'bool' }, { name: 'validate', type: 'string', bare: 'strict' }], 'kubectl create');
  const files = flags.lists['filename'] ?? [];
  if (sub !== undefined && files.length === 0) {
    throw new CommandError('UNSUPPORTED', `error: the sandbox does not support "kubectl create ${argv[firstWord]}" (it supports ${CREATE_SUBCOMMANDS.join(', ')} and -f)`);
  }
  if (files.length === 0) {
    ctx.stderr.write('Error: must specify one of -f and -k\n\n' + CREATE_USAGE + '\n');
    return 1;
  }
  if (flags.args.length > 0) throw new CommandError('USAGE', `error: Unexpected args: [${flags.args.join(' ')}]`, 1, "See 'kubectl create -h' for help and examples");
  const docs = readManifests(ctx, files);
  if (docs.length === 0) throw new CommandError('USAGE', 'error: no objects passed to create');
  const namespace = str(flags, 'namespace');
  const validate = validateOf(str(flags, 'validate'));
  const { results, errors } = applyEach(apiContext(ctx), docs, { namespace: namespace ?? 'default', enforceNamespace: namespace !== undefined, mode: 'create', validate });
  for (const r of results) {
    if (r.warning) ctx.stderr.write(`${r.warning}\n`);
    ctx.stdout.write(`${r.ref} created\n`);
  }
  for (const line of errorLines(errors)) ctx.stderr.write(line + '\n');
  return errors.length ? 1 : 0;
}

async function createDeploymentCmd(ctx: CommandContext, argv: string[]): Promise<number> {
  const cmd = 'kubectl create deployment';
  const flags = parseFlags(argv, [NS_FLAG, { name: 'image', type: 'string' }, { name: 'replicas', short: 'r', type: 'int' }, { name: 'port', type: 'int' }, ...OUTPUT_FLAGS], cmd);
  const images = flags.lists['image'] ?? [];
  if (images.length === 0) throw new CommandError('USAGE', 'error: required flag(s) "image" not set');
  const name = exactlyOneName(flags.args, cmd);
  const command = flags.dashArgs ?? [];
  if (command.length > 0 && images.length > 1) throw new CommandError('USAGE', 'error: cannot specify multiple --image options and command');
  const dry = dryRunOf(str(flags, 'dry-run'));
  const output = str(flags, 'output');
  const print = output !== undefined ? objectPrinter(ctx, output, str(flags, 'template')) : undefined;
  const namespace = str(flags, 'namespace') ?? 'default';
  const replicas = Number(str(flags, 'replicas') ?? '1');
  const port = Number(str(flags, 'port') ?? '-1');
  const fail = (e: ApiError): string => `error: failed to create deployment: ${e.message}`;
  // One container per image, named after the image; a repeated name gets a numeric suffix.
  const used = new Set<string>();
  const containers = images.map((image) => {
    let base = containerName(image).toLowerCase().replace(/[^-a-z0-9]/g, '-');
    for (let i = 2; used.has(base); i++) base = `${containerName(image)}-${i}`;
    used.add(base);
    return { name: base, image, ...(command.length ? { command } : {}), ...(port >= 0 ? { ports: [{ containerPort: port, protocol: 'TCP' as const }] } : {}) };
  });
  const labels = { app: name };
  finishCreate(ctx, dry, print, {
    ref: `deployment.apps/${name}`,
    kind: 'Deployment',
    namespace,
    verb: 'created',
    wrap: fail,
    client: () => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { creationTimestamp: null, labels, name, ...(str(flags, 'namespace') !== undefined ? { namespace } : {}) },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        strategy: {},
        template: {
          metadata: { creationTimestamp: null, labels },
          spec: { containers: containers.map((c) => ({ image: c.image, name: c.name, ...(c.command ? { command: c.command } : {}), ...(c.ports ? { ports: c.ports.map((x) => ({ containerPort: x.containerPort })) } : {}), resources: {} })) },
        },
      },
      status: {},
    }),
    create: (a) => {
      if (!a.state.k8s.namespaces[namespace]) throw new ApiError('NotFound', `namespaces "${namespace}" not found`);
      createDeployment(a, { name, namespace, replicas, labels, spec: { containers } });
    },
    stored: (st) => st.k8s.deployments[key(namespace, name)],
  });
  return 0;
}

async function createServiceCmd(ctx: CommandContext, argv: string[]): Promise<number> {
  const typeAt = argv.findIndex((a, i) => !a.startsWith('-') && !['-n', '--namespace'].includes(argv[i - 1] ?? ''));
  const typeWord = typeAt >= 0 ? argv[typeAt]! : undefined;
  if (typeWord === undefined) {
    ctx.stderr.write(SERVICE_USAGE + '\n');
    return 1;
  }
  if (!SERVICE_TYPES.includes(typeWord)) {
    if (typeWord === 'externalname') throw new CommandError('UNSUPPORTED', 'error: the sandbox does not support "kubectl create service externalname" yet; apply a manifest with type: ExternalName');
    throw new CommandError('USAGE', `error: unknown command "${typeWord}" for "kubectl create service"`, 1, "Run 'kubectl create service --help' for usage.");
  }
  const cmd = `kubectl create service ${typeWord}`;
  const specs: FlagSpec[] = [NS_FLAG, { name: 'tcp', type: 'string' }, ...OUTPUT_FLAGS];
  if (typeWord === 'clusterip') specs.push({ name: 'clusterip', type: 'string' });
  if (typeWord === 'nodeport') specs.push({ name: 'node-port', type: 'int' });
  const flags = parseFlags([...argv.slice(0, typeAt), ...argv.slice(typeAt + 1)], specs, cmd);
  const name = exactlyOneName(flags.args, cmd);
  const type = typeWord === 'clusterip' ? 'ClusterIP' : typeWord === 'nodeport' ? 'NodePort' : 'LoadBalancer';
  const clusterIP = str(flags, 'clusterip');
  // --tcp is a string slice: each value may hold several comma-separated pairs.
  const tcp = (flags.lists['tcp'] ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
  if (clusterIP === 'None' && type !== 'ClusterIP') throw new CommandError('USAGE', 'error: ClusterIP=None can only be used with ClusterIP service type');
  if (clusterIP !== 'None' && tcp.length === 0) throw new CommandError('USAGE', 'error: at least one tcp port specifier must be provided');
  const nodePort = Number(str(flags, 'node-port') ?? '0');
  const ports = tcp.map((pair) => {
    const [p, t] = pair.split(':');
    const port = parsePort(p!);
    let targetPort: number | string = port;
    if (t !== undefined) {
      if (/^\d+$/.test(t)) {
        targetPort = Number(t);
        if (targetPort < 1 || targetPort > 65535) throw new CommandError('INVALID', 'error: must be between 1 and 65535, inclusive');
      } else targetPort = t;
    }
    return { name: pair.replace(/:/g, '-'), protocol: 'TCP' as const, port, targetPort, ...(nodePort ? { nodePort } : {}) };
  });
  const namespace = str(flags, 'namespace') ?? 'default';
  const fail = (e: ApiError): string => `error: failed to create ${type} service: ${e.message}`;
  const dry = dryRunOf(str(flags, 'dry-run'));
  const output = str(flags, 'output');
  const print = output !== undefined ? objectPrinter(ctx, output, str(flags, 'template')) : undefined;
  finishCreate(ctx, dry, print, {
    ref: `service/${name}`,
    kind: 'Service',
    namespace,
    verb: 'created',
    wrap: fail,
    client: () => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { creationTimestamp: null, labels: { app: name }, name, ...(str(flags, 'namespace') !== undefined ? { namespace } : {}) },
      spec: { ...(clusterIP ? { clusterIP } : {}), ports, selector: { app: name }, type },
      status: { loadBalancer: {} },
    }),
    create: (a) => {
      if (!a.state.k8s.namespaces[namespace]) throw new ApiError('NotFound', `namespaces "${namespace}" not found`);
      createService(a, { name, namespace, type, selector: { app: name }, labels: { app: name }, ports, ...(clusterIP ? { clusterIP } : {}) });
    },
    stored: (st) => st.k8s.services[key(namespace, name)],
  });
  return 0;
}

/** utils/net ParsePort: a decimal port, 0 allowed here as kubectl allows it. */
function parsePort(text: string): number {
  if (!/^\d+$/.test(text)) throw new CommandError('INVALID', `error: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (n > 65535) throw new CommandError('INVALID', `error: port ${JSON.stringify(text)} is not in the range 0-65535`);
  return n;
}

async function createNamespaceCmd(ctx: CommandContext, argv: string[]): Promise<number> {
  const cmd = 'kubectl create namespace';
  const flags = parseFlags(argv, [NS_FLAG, ...OUTPUT_FLAGS], cmd);
  const name = exactlyOneName(flags.args, cmd);
  const dry = dryRunOf(str(flags, 'dry-run'));
  const output = str(flags, 'output');
  const print = output !== undefined ? objectPrinter(ctx, output, str(flags, 'template')) : undefined;
  finishCreate(ctx, dry, print, {
    ref: `namespace/${name}`,
    kind: 'Namespace',
    verb: 'created',
    client: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { creationTimestamp: null, name }, spec: {}, status: {} }),
    create: (a) => {
      if (a.state.k8s.namespaces[name]) throw new ApiError('AlreadyExists', `namespaces "${name}" already exists`);
      createNamespace(a, name);
    },
    stored: (st) => st.k8s.namespaces[name],
  });
  return 0;
}
