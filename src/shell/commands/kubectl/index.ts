/**
 * `kubectl`: the Kubernetes command-line client, talking to the sandbox's API server.
 *
 * Design notes: subcommands dispatch to their own files; each parses its flags the way
 * cobra/pflag does and prints kubectl's exact messages. Completion follows kubectl's own
 * `__complete` behaviour: subcommands, then resource types, then object names from the
 * cluster, and namespaces after `-n`. The cluster has caught up with the clock before any
 * command runs (the shell calls Sim.advance), so kubectl sees it as it stands; a namespace set on
 * the kubeconfig context (`config set-context --current --namespace`) is given as `-n` to the
 * subcommands that take one, unless the command line names one.
 */
import type { Command, CompletionRequest } from '../../command';
import { CommandError } from '../../errors';
import { kubectlApiResources } from './api-resources';
import { APPLY_USAGE, kubectlApply } from './apply';
import { createUsage, kubectlCreate } from './create';
import { DELETE_USAGE, kubectlDelete } from './delete';
import { EXPOSE_USAGE, kubectlExpose } from './expose';
import { kubectlLabel, LABEL_USAGE } from './label';
import { completeWrite } from './mutate';
import { kubectlRun, RUN_USAGE } from './run';
import { kubectlScale, SCALE_USAGE } from './scale';
import { DESCRIBE_USAGE, kubectlDescribe } from './describe';
import { EVENTS_USAGE, kubectlEvents } from './events';
import { kubectlExec } from './exec';
import { CLUSTER_INFO_USAGE, kubectlClusterInfo } from './cluster-info';
import { kubectlLogs, LOGS_USAGE } from './logs';
import { kubectlGet } from './get';
import { completeExplain, EXPLAIN_USAGE, kubectlExplain } from './explain';
import { resolveResource, resourceWords } from './resources';
import { kubectlVersion } from './version';
import { kubectlPatch, PATCH_USAGE } from './patch';
import { ANNOTATE_USAGE, kubectlAnnotate } from './annotate';
import { kubectlSet, SET_IMAGE_USAGE, SET_USAGE } from './set';
import { kubectlRollout, ROLLOUT_USAGE } from './rollout';
import { kubectlPortForward, PORT_FORWARD_USAGE } from './port-forward';
import { CONFIG_USAGE, contextNamespace, kubectlConfig, kubectlTop, TOP_USAGE } from './config';
import { EDIT_USAGE, kubectlEdit } from './edit';
import { DEBUG_USAGE, kubectlDebug } from './debug';
import { ATTACH_USAGE, kubectlAttach } from './attach';
import { kubectlWait, WAIT_USAGE } from './wait';

const SUBCOMMANDS: Record<string, string> = {
  get: 'Display one or many resources',
  create: 'Create a resource from a file or from stdin',
  expose: 'Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service',
  run: 'Run a particular image on the cluster',
  delete: 'Delete resources by file names, stdin, resources and names, or by resources and label selector',
  scale: 'Set a new size for a deployment, replica set, or replication controller',
  apply: 'Apply a configuration to a resource by file name or stdin',
  label: 'Update the labels on a resource',
  patch: 'Update fields of a resource',
  wait: 'Experimental: Wait for a specific condition on one or many resources',
  annotate: 'Update the annotations on a resource',
  set: 'Set specific features on objects',
  rollout: 'Manage the rollout of a resource',
  'port-forward': 'Forward one or more local ports to a pod',
  config: 'Modify kubeconfig files',
  edit: 'Edit a resource on the server',
  debug: 'Create debugging sessions for troubleshooting workloads and nodes',
  attach: 'Attach to a running container',
  top: 'Display resource (CPU/memory) usage',
  exec: 'Execute a command in a container',
  describe: 'Show details of a specific resource or group of resources',
  events: 'List events',
  logs: 'Print the logs for a container in a pod',
  'cluster-info': 'Display cluster information',
  'api-resources': 'Print the supported API resources on the server',
  explain: 'Get documentation for a resource',
  version: 'Print the client and server version information',
};

const USAGE = `kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller

Cluster Management Commands:
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  attach          Attach to a running container
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  debug           Create debugging sessions for troubleshooting workloads and nodes
  events          List events

Advanced Commands:
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  wait            Experimental: Wait for a specific condition on one or many resources

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource

Other Commands:
  api-resources   Print the supported API resources on the server
  config          Modify kubeconfig files
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use "kubectl <command> --help" for more information about a given command.
(This sandbox supports the commands listed above.)`;

const GET_USAGE = `Display one or many resources.

Examples:
  # List all pods in ps output format
  kubectl get pods

  # List all pods in ps output format with more information (such as node name)
  kubectl get pods -o wide

  # List pods in every namespace
  kubectl get pods -A

  # List the pods a Service selects, by its selector
  kubectl get pods -l app=web

  # List a Service's endpoints and EndpointSlices
  kubectl get endpoints,endpointslices

  # List pods with chosen columns
  kubectl get pods -o custom-columns=NAME:.metadata.name,IP:.status.podIP

  # List the pods running on node-1, sorted by IP address
  kubectl get pods --field-selector spec.nodeName=node-1 --sort-by=.status.podIP

  # List events, oldest first
  kubectl get events --sort-by=.metadata.creationTimestamp

  # List pods, then a line for every change until Ctrl+C
  kubectl get pods -w

Options:
  -A, --all-namespaces=false: list the requested object(s) across all namespaces.
      --field-selector='': Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type.
  -n, --namespace='': the namespace scope for this request.
      --no-headers=false: When using the default or custom-column output format, don't print headers (default print headers).
  -o, --output='': Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, custom-columns, custom-columns-file, wide).
  -l, --selector='': Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.
      --show-labels=false: show all labels as the last column.
      --sort-by='': If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The field in the API resource specified by this JSONPath expression must be an integer or a string.
      --template='': Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].
  -w, --watch=false: After listing/getting the requested object, watch for changes.
      --watch-only=false: Watch for changes to the requested object(s), without listing/getting first.

Usage:
  kubectl get [(-o|--output=)json|yaml|name|wide|custom-columns=...|custom-columns-file=...|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]`;

const EXEC_USAGE = `Execute a command in a container.

Examples:
  # Get output from running the 'date' command from pod mypod, using the first container by default
  kubectl exec mypod -- date

  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  kubectl exec mypod -c ruby-container -i -t -- bash -il

Options:
  -c, --container='': Container name. If omitted, use the first container in the pod.
  -i, --stdin=false: Pass stdin to the container
  -t, --tty=false: Stdin is a TTY
  -n, --namespace='': the namespace scope for this request.

Usage:
  kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]`;

const API_RESOURCES_USAGE = `Print the supported API resources on the server.

Examples:
  # Print the supported API resources
  kubectl api-resources

  # Print the supported API resources with more information
  kubectl api-resources -o wide

  # Print the supported API resources sorted by a column
  kubectl api-resources --sort-by=name

  # Print the supported namespaced resources
  kubectl api-resources --namespaced=true

  # Print the supported non-namespaced resources
  kubectl api-resources --namespaced=false

  # Print the supported API resources with a specific APIGroup
  kubectl api-resources --api-group=rbac.authorization.k8s.io

Options:
      --api-group='': Limit to resources in the specified API group.
      --cached=false: Use the cached list of resources if available.
      --categories=[]: Limit to resources that belong to the specified categories.
      --namespaced=true: If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.
      --no-headers=false: When using the default or custom-column output format, don't print headers (default print headers).
  -o, --output='': Output format. One of: (wide, name).
      --sort-by='': If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'.
      --verbs=[]: Limit to resources that support the specified verbs.

Usage:
  kubectl api-resources [flags] [options]`;

const VERSION_USAGE = `Print the client and server version information for the current context.

Examples:
  # Print the client and server versions for the current context
  kubectl version

Options:
      --client=false: If true, shows client version only (no server required).

Usage:
  kubectl version [flags] [options]`;

export const kubectl: Command = {
  name: 'kubectl',
  summary: 'talk to the cluster: get, describe, apply, create, delete, scale, expose, label, logs, exec (kubectl --help lists them)',
  usage: USAGE,
  where: ['workstation', 'node'],
  // On the workstation, the Kubernetes nodes and the Docker hosts; the plain Linux routers and
  // hosts of the routed network have no kubectl.
  installed: (env) => env.location.kind !== 'node' || !!env.sim.state.k8s.nodes[env.location.node] || !!env.sim.state.docker?.hosts[env.location.node],
  async run(ctx) {
    const [, sub, ...rest] = hoistGlobalFlags(ctx.argv);
    if (sub === undefined || sub === 'help') {
      ctx.stdout.write(USAGE + '\n');
      return 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      const before = rest.indexOf('--');
      const helpAt = Math.max(rest.indexOf('--help'), rest.indexOf('-h'));
      if (before < 0 || helpAt < before) {
        if (sub === 'get') return out(ctx.stdout, GET_USAGE);
        if (sub === 'exec') return out(ctx.stdout, EXEC_USAGE);
        if (sub === 'apply') return out(ctx.stdout, APPLY_USAGE);
        if (sub === 'create') return out(ctx.stdout, createUsage(rest));
        if (sub === 'delete') return out(ctx.stdout, DELETE_USAGE);
        if (sub === 'scale') return out(ctx.stdout, SCALE_USAGE);
        if (sub === 'expose') return out(ctx.stdout, EXPOSE_USAGE);
        if (sub === 'run') return out(ctx.stdout, RUN_USAGE);
        if (sub === 'label') return out(ctx.stdout, LABEL_USAGE);
        if (sub === 'patch') return out(ctx.stdout, PATCH_USAGE);
        if (sub === 'wait') return out(ctx.stdout, WAIT_USAGE);
        if (sub === 'annotate') return out(ctx.stdout, ANNOTATE_USAGE);
        if (sub === 'set') return out(ctx.stdout, rest.includes('image') ? SET_IMAGE_USAGE : SET_USAGE);
        if (sub === 'rollout') return out(ctx.stdout, ROLLOUT_USAGE);
        if (sub === 'port-forward') return out(ctx.stdout, PORT_FORWARD_USAGE);
        if (sub === 'config') return out(ctx.stdout, CONFIG_USAGE);
        if (sub === 'edit') return out(ctx.stdout, EDIT_USAGE);
        if (sub === 'debug') return out(ctx.stdout, DEBUG_USAGE);
        if (sub === 'attach') return out(ctx.stdout, ATTACH_USAGE);
        if (sub === 'top') return out(ctx.stdout, TOP_USAGE);
        if (sub === 'describe') return out(ctx.stdout, DESCRIBE_USAGE);
        if (sub === 'events') return out(ctx.stdout, EVENTS_USAGE);
        if (sub === 'logs' || sub === 'log') return out(ctx.stdout, LOGS_USAGE);
        if (sub === 'cluster-info' || sub === 'clusterinfo') return out(ctx.stdout, CLUSTER_INFO_USAGE);
        if (sub === 'api-resources') return out(ctx.stdout, API_RESOURCES_USAGE);
        if (sub === 'explain') return out(ctx.stdout, EXPLAIN_USAGE);
        if (sub === 'version') return out(ctx.stdout, VERSION_USAGE);
      }
    }
    const noServer = Object.keys(ctx.env.sim.state.k8s.nodes).length === 0 || ctx.env.location.kind === 'node';
    if (sub === 'version') return kubectlVersion(ctx, rest, !noServer);
    // The kubeconfig is the workstation's own file: config works without reaching the server.
    if (sub === 'config' && ctx.env.location.kind === 'workstation') return kubectlConfig(ctx, rest);
    if (noServer) {
      // No cluster in this sandbox (Docker hosts), or root on a node without a kubeconfig:
      // kubectl has no server to talk to.
      throw new CommandError('EXEC_FAILED', 'The connection to the server localhost:8080 was refused - did you specify the right host or port?');
    }
    // The kubeconfig context's namespace is the default for commands given no -n.
    const ctxNs = contextNamespace(ctx.env.sim.state);
    if (ctxNs !== undefined && NAMESPACED.includes(sub) && !hasNamespaceFlag(rest)) rest.unshift(`--namespace=${ctxNs}`);
    switch (sub) {
      case 'patch':
        return kubectlPatch(ctx, rest);
      case 'wait':
        return kubectlWait(ctx, rest);
      case 'annotate':
        return kubectlAnnotate(ctx, rest);
      case 'set':
        return kubectlSet(ctx, rest);
      case 'rollout':
        return kubectlRollout(ctx, rest);
      case 'port-forward':
        return kubectlPortForward(ctx, rest);
      case 'top':
        return kubectlTop(ctx, rest);
      case 'edit':
        return kubectlEdit(ctx, rest);
      case 'debug':
        return kubectlDebug(ctx, rest);
      case 'attach':
        return kubectlAttach(ctx, rest);
      case 'get':
        return kubectlGet(ctx, rest);
      case 'exec':
        return kubectlExec(ctx, rest, (loc, argv, tty) => ctx.spawn(loc, argv, tty), (loc) => ctx.enter(loc));
      case 'api-resources':
        return kubectlApiResources(ctx, rest);
      case 'explain':
        return kubectlExplain(ctx, rest);
      case 'apply':
        return kubectlApply(ctx, rest);
      case 'create':
        return kubectlCreate(ctx, rest);
      case 'delete':
        return kubectlDelete(ctx, rest);
      case 'scale':
        return kubectlScale(ctx, rest);
      case 'expose':
        return kubectlExpose(ctx, rest);
      case 'run':
        return kubectlRun(ctx, rest);
      case 'label':
        return kubectlLabel(ctx, rest);
      case 'describe':
        return kubectlDescribe(ctx, rest);
      case 'events':
        return kubectlEvents(ctx, rest);
      case 'logs':
      case 'log':
        return kubectlLogs(ctx, rest);
      case 'cluster-info':
      case 'clusterinfo':
        return kubectlClusterInfo(ctx, rest);
      default:
        if (sub.startsWith('-')) throw new CommandError('UNKNOWN_FLAG', `error: unknown flag: ${sub}`, 1, "See 'kubectl --help' for usage.");
        throw new CommandError('USAGE', `error: unknown command "${sub}" for "kubectl"${suggest(sub)}`, 1, "Run 'kubectl --help' for usage.");
    }
  },
  complete(req: CompletionRequest) {
    const words = req.words.slice(1);
    const prev = words[words.length - 1];
    const state = req.env.sim.state.k8s;
    if (prev === '-n' || prev === '--namespace') return Object.keys(state.namespaces);
    if (prev === '-o' || prev === '--output') return ['custom-columns', 'custom-columns-file', 'go-template', 'go-template-file', 'json', 'jsonpath', 'name', 'template', 'wide', 'yaml'];
    const positional = words.filter((w, i) => !w.startsWith('-') && !['-n', '--namespace', '-o', '--output', '-c', '--container', '--for', '--timeout'].includes(words[i - 1] ?? ''));
    const ns = namespaceOf(words);
    if (positional.length === 0) return Object.keys(SUBCOMMANDS);
    const sub = positional[0];
    if (sub === 'explain') return req.prefix.startsWith('-') ? ['--api-version=', '--output=', '--recursive'] : completeExplain(req.prefix);
    const write = completeWrite(sub!, words, req.prefix, req.env, ns, (t, n) => {
      const type = resolveResource(t);
      return type ? type.list(req.env.sim.state).filter((o) => !type.namespaced || o.metadata.namespace === n).map((o) => o.metadata.name) : [];
    });
    if (write) return write;
    const namesOf = (plural: string): string[] => {
      const type = resolveResource(plural);
      return type ? type.list(req.env.sim.state).filter((o) => !type.namespaced || o.metadata.namespace === ns).map((o) => o.metadata.name) : [];
    };
    if (!req.prefix.startsWith('-')) {
      // The verbs' own words: subcommands, then objects.
      if (sub === 'rollout') return positional.length === 1 ? ['history', 'restart', 'status', 'undo'] : positional.length === 2 ? namesOf('deployments').map((n) => `deployment/${n}`) : [];
      if (sub === 'config') return positional.length === 1 ? ['current-context', 'get-contexts', 'use-context', 'view'] : positional[1] === 'use-context' ? ['kubernetes-admin@kubernetes'] : [];
      if (sub === 'top') return positional.length === 1 ? ['node', 'pod'] : [];
      if (sub === 'set') return positional.length === 1 ? ['image'] : positional.length === 2 ? namesOf('deployments').map((n) => `deployment/${n}`) : [];
      if (['port-forward', 'attach', 'debug'].includes(sub!) && positional.length === 1) return [...namesOf('pods'), ...namesOf('deployments').map((n) => `deployment/${n}`), ...(sub === 'port-forward' ? namesOf('services').map((n) => `service/${n}`) : []), ...(sub === 'debug' ? Object.keys(state.nodes).map((n) => `node/${n}`) : [])];
      if (['patch', 'edit', 'annotate'].includes(sub!)) return positional.length === 1 ? resourceWords() : positional.length === 2 && !positional[1]!.includes('/') ? namesOf(positional[1]!) : [];
    }
    if (req.prefix.startsWith('-') && sub === 'describe') return ['--all-namespaces', '--namespace', '--selector', '--show-events'];
    if (req.prefix.startsWith('-') && (sub === 'logs' || sub === 'log')) return ['--all-containers', '--container', '--follow', '--namespace', '--prefix', '--previous', '--selector', '--since', '--tail', '--timestamps'];
    if (req.prefix.startsWith('-') && sub === 'cluster-info') return ['--namespace'];
    if (req.prefix.startsWith('-') && sub === 'wait') return ['--all', '--all-namespaces', '--field-selector', '--for', '--namespace', '--output', '--selector', '--timeout'];
    if (sub === 'cluster-info') return positional.length === 1 ? ['dump'] : [];
    if (sub === 'logs' || sub === 'log') {
      if (prev === '-c' || prev === '--container') {
        const podArg = positional[1];
        const pod = podArg ? state.pods[`${ns}/${podArg.replace(/^(pods?|po)\//, '')}`] : undefined;
        return pod ? pod.spec.containers.map((c) => c.name) : [];
      }
      if (positional.length !== 1) return [];
      const pods = Object.values(state.pods).filter((p) => p.metadata.namespace === ns).map((p) => p.metadata.name);
      const owners = [...Object.values(state.deployments).map((d) => ['deployment', d] as const), ...Object.values(state.daemonsets).map((d) => ['daemonset', d] as const)]
        .filter(([, o]) => o.metadata.namespace === ns)
        .map(([t, o]) => `${t}/${o.metadata.name}`);
      return [...pods, ...owners];
    }
    if (req.prefix.startsWith('-') && sub === 'events') return ['--all-namespaces', '--for', '--namespace', '--no-headers', '--types'];
    if (req.prefix.startsWith('-')) return sub === 'get' ? ['--all-namespaces', '--field-selector', '--namespace', '--no-headers', '--output', '--selector', '--show-labels', '--sort-by', '--watch', '--watch-only'] : ['--container', '--namespace', '--stdin', '--tty'];
    if (sub === 'get' || sub === 'describe' || sub === 'wait') {
      if (positional.length === 1) return resourceWords();
      const type = resolveResource(positional[1]!);
      if (!type) return [];
      return type.list(req.env.sim.state).filter((o) => !type.namespaced || o.metadata.namespace === ns).map((o) => o.metadata.name);
    }
    if (sub === 'exec') {
      if (words.includes('--')) return [];
      if (positional.length === 1) return Object.values(state.pods).filter((p) => p.metadata.namespace === ns).map((p) => p.metadata.name);
      return ['--'];
    }
    return [];
  },
};

/**
 * kubectl accepts its global flags before the subcommand (`kubectl -n kube-system get pods`);
 * move them after it so the subcommand's own parser sees them.
 */
function hoistGlobalFlags(argv: string[]): string[] {
  const lead: string[] = [];
  let i = 1;
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--') {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') break;
    lead.push(a);
    if ((a === '-n' || a === '--namespace') && i + 1 < argv.length) lead.push(argv[++i]!);
    i++;
  }
  if (lead.length === 0 || i >= argv.length) return argv;
  return [argv[0]!, argv[i]!, ...lead, ...argv.slice(i + 1)];
}

/** Subcommands that take -n. */
const NAMESPACED = ['get', 'describe', 'create', 'apply', 'delete', 'scale', 'expose', 'run', 'label', 'annotate', 'patch', 'edit', 'set', 'rollout', 'exec', 'logs', 'log', 'events', 'port-forward', 'attach', 'debug', 'wait'];

function hasNamespaceFlag(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '-n' || a === '--namespace' || a.startsWith('--namespace=') || (a.startsWith('-n') && !a.startsWith('--')));
}

function out(stdout: { write(t: string): void }, text: string): number {
  stdout.write(text + '\n');
  return 0;
}

function namespaceOf(words: string[]): string {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if ((w === '-n' || w === '--namespace') && words[i + 1]) return words[i + 1]!;
    if (w.startsWith('--namespace=')) return w.slice('--namespace='.length);
  }
  return 'default';
}

/** cobra's "Did you mean this?" for a close subcommand name (Levenshtein distance <= 2). */
function suggest(word: string): string {
  const close = Object.keys(SUBCOMMANDS).filter((s) => distance(s, word) <= 2 || s.startsWith(word));
  return close.length ? `\n\nDid you mean this?\n${close.map((c) => `\t${c}`).join('\n')}\n` : '';
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}
