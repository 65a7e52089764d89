/**
 * `kubectl`: the Kubernetes command-line client, talking to the sandbox's API server.
 *
 * Design notes: subcommands dispatch to their own files; each parses its flags the way
 * cobra/pflag does and prints kubectl's exact messages. Completion follows kubectl's own
 * `__complete` behaviour: subcommands, then resource types, then object names from the
 * cluster, and namespaces after `-n`.
 */
import type { Command, CompletionRequest } from '../../command';
import { CommandError } from '../../errors';
import { kubectlApiResources } from './api-resources';
import { kubectlExec } from './exec';
import { kubectlGet } from './get';
import { resolveResource, resourceWords } from './resources';
import { kubectlVersion } from './version';

const SUBCOMMANDS: Record<string, string> = {
  get: 'Display one or many resources',
  exec: 'Execute a command in a container',
  'api-resources': 'Print the supported API resources on the server',
  version: 'Print the client and server version information',
};

const USAGE = `kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Intermediate):
  get             Display one or many resources

Troubleshooting and Debugging Commands:
  exec            Execute a command in a container

Other Commands:
  api-resources   Print the supported API resources on the server
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

Options:
  -A, --all-namespaces=false: list the requested object(s) across all namespaces.
  -n, --namespace='': the namespace scope for this request.
  -o, --output='': Output format. One of: (json, yaml, name, jsonpath, wide).
  -l, --selector='': Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.
      --show-labels=false: show all labels as the last column.

Usage:
  kubectl get [(-o|--output=)json|yaml|name|wide|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]`;

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

  # Print the supported namespaced resources
  kubectl api-resources --namespaced=true

  # Print the supported non-namespaced resources
  kubectl api-resources --namespaced=false

Options:
      --namespaced=true: If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.
      --no-headers=false: When using the default or custom-column output format, don't print headers (default print headers).
  -o, --output='': Output format. One of: (wide, name).

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
  summary: 'talk to the cluster: kubectl get pods|nodes|services [-o wide] [-n NS|-A], kubectl exec POD -- CMD',
  usage: USAGE,
  where: ['workstation', 'node'],
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
        if (sub === 'api-resources') return out(ctx.stdout, API_RESOURCES_USAGE);
        if (sub === 'version') return out(ctx.stdout, VERSION_USAGE);
      }
    }
    const noServer = Object.keys(ctx.env.sim.state.k8s.nodes).length === 0 || ctx.env.location.kind === 'node';
    if (sub === 'version') return kubectlVersion(ctx, rest, !noServer);
    if (noServer) {
      // No cluster in this sandbox (Docker hosts), or root on a node without a kubeconfig:
      // kubectl has no server to talk to.
      throw new CommandError('EXEC_FAILED', 'The connection to the server localhost:8080 was refused - did you specify the right host or port?');
    }
    switch (sub) {
      case 'get':
        return kubectlGet(ctx, rest);
      case 'exec':
        return kubectlExec(ctx, rest, (loc, argv, tty) => ctx.spawn(loc, argv, tty), (loc) => ctx.enter(loc));
      case 'api-resources':
        return kubectlApiResources(ctx, rest);
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
    if (prev === '-o' || prev === '--output') return ['json', 'name', 'wide', 'yaml'];
    const positional = words.filter((w, i) => !w.startsWith('-') && !['-n', '--namespace', '-o', '--output', '-c', '--container'].includes(words[i - 1] ?? ''));
    const ns = namespaceOf(words);
    if (positional.length === 0) return Object.keys(SUBCOMMANDS);
    const sub = positional[0];
    if (req.prefix.startsWith('-')) return sub === 'get' ? ['--all-namespaces', '--namespace', '--output', '--selector', '--show-labels'] : ['--container', '--namespace', '--stdin', '--tty'];
    if (sub === 'get') {
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
