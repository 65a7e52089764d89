/**
 * `kubectl config view|current-context|get-contexts|use-context` and `kubectl top`.
 *
 * Design notes: the workstation's kubeconfig is the one kubeadm writes for the admin
 * (`/etc/kubernetes/admin.conf` copied to ~/.kube/config): cluster `kubernetes` at the API
 * server's address (`https://<control-plane IP>:6443`), user `kubernetes-admin`, one context
 * `kubernetes-admin@kubernetes`, the current one. `config view` prints it as kubectl does,
 * with the certificate data replaced by `DATA+OMITTED`; `get-contexts` prints kubectl's table
 * with `*` at the current context; `use-context` switches only to a context that exists.
 * `top` answers as on a cluster without metrics-server: `error: Metrics API not available`.
 * `set-context --current --namespace=NAME` writes ~/.kube/config with that namespace, which
 * every command then uses when it is given no `-n` (kubectl/index.ts).
 * Left out: other contexts, set-cluster, set-credentials,
 * delete-context, rename-context, --raw, --minify (the one context is all there is).
 */
import { parse as parseYaml } from 'yaml';
import { readFile, writeFile } from '../../../sim/files';
import type { SimState } from '../../../sim/state';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { apiServerUrl } from './cluster-info';
import { parseFlags, str } from './flags';

export const CLUSTER = 'kubernetes';
export const USER = 'kubernetes-admin';
export const CONTEXT = 'kubernetes-admin@kubernetes';

const KUBECONFIG = '~/.kube/config';

/** The current context's namespace (`config set-context --current --namespace=X`), if set. */
export function contextNamespace(state: SimState): string | undefined {
  const file = readFile(state, 'workstation', KUBECONFIG);
  if (!file) return undefined;
  try {
    const doc = parseYaml(file.content) as { contexts?: { context?: { namespace?: string } }[] } | null;
    const ns = doc?.contexts?.[0]?.context?.namespace;
    return typeof ns === 'string' && ns !== '' ? ns : undefined;
  } catch {
    return undefined;
  }
}

function kubeconfigYaml(server: string, namespace: string | undefined): string {
  return `apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: ${server}\n  name: ${CLUSTER}\ncontexts:\n- context:\n    cluster: ${CLUSTER}\n${namespace ? `    namespace: ${namespace}\n` : ''}    user: ${USER}\n  name: ${CONTEXT}\ncurrent-context: ${CONTEXT}\nkind: Config\npreferences: {}\nusers:\n- name: ${USER}\n  user:\n    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED\n`;
}

export const CONFIG_USAGE = `Modify kubeconfig files using subcommands like "kubectl config set current-context my-context".

 The loading order follows these rules:

  1.  If the --kubeconfig flag is set, then only that file is loaded. The flag may only be set once and no merging takes place.
  2.  If $KUBECONFIG environment variable is set, then it is used as a list of paths (normal path delimiting rules for your system). These paths are merged. When a value is modified, it is modified in the file that defines the stanza. When a value is created, it is created in the first file that exists. If no files in the chain exist, then it creates the last file in the list.
  3.  Otherwise, \${HOME}/.kube/config is used and no merging takes place.

Available Commands:
  current-context   Display the current-context
  get-contexts      Describe one or many contexts
  use-context       Set the current-context in a kubeconfig file
  view              Display merged kubeconfig settings or a specified kubeconfig file

Usage:
  kubectl config SUBCOMMAND [options]`;

export async function kubectlConfig(ctx: CommandContext, argv: string[]): Promise<number> {
  const subAt = argv.findIndex((a) => !a.startsWith('-'));
  const sub = subAt >= 0 ? argv[subAt]! : undefined;
  const rest = subAt >= 0 ? [...argv.slice(0, subAt), ...argv.slice(subAt + 1)] : argv;
  if (sub === undefined) {
    ctx.stdout.write(CONFIG_USAGE + '\n');
    return 0;
  }
  switch (sub) {
    case 'view': {
      const flags = parseFlags(rest, [{ name: 'minify', type: 'bool' }, { name: 'raw', type: 'bool' }, { name: 'output', short: 'o', type: 'string' }, { name: 'flatten', type: 'bool' }], 'kubectl config view');
      const output = str(flags, 'output') ?? 'yaml';
      const server = apiServerUrl(ctx.env.sim.state);
      if (output === 'json') {
        const doc = {
          kind: 'Config',
          apiVersion: 'v1',
          preferences: {},
          clusters: [{ name: CLUSTER, cluster: { server, 'certificate-authority-data': 'DATA+OMITTED' } }],
          users: [{ name: USER, user: { 'client-certificate-data': 'DATA+OMITTED', 'client-key-data': 'DATA+OMITTED' } }],
          contexts: [{ name: CONTEXT, context: { cluster: CLUSTER, user: USER, ...(contextNamespace(ctx.env.sim.state) ? { namespace: contextNamespace(ctx.env.sim.state) } : {}) } }],
          'current-context': CONTEXT,
        };
        ctx.stdout.write(JSON.stringify(doc, null, 4) + '\n');
        return 0;
      }
      if (output !== 'yaml') throw new CommandError('UNSUPPORTED', `error: the sandbox's config view prints yaml or json, not ${output}`);
      ctx.stdout.write(kubeconfigYaml(server, contextNamespace(ctx.env.sim.state)));
      return 0;
    }
    case 'current-context':
      parseFlags(rest, [], 'kubectl config current-context');
      ctx.stdout.write(CONTEXT + '\n');
      return 0;
    case 'get-contexts': {
      const flags = parseFlags(rest, [{ name: 'output', short: 'o', type: 'string' }, { name: 'no-headers', type: 'bool' }], 'kubectl config get-contexts');
      const output = str(flags, 'output');
      if (output !== undefined && output !== 'name') throw new CommandError('USAGE', `error: output must be one of '' or 'name': ${output}`);
      const missing = flags.args.filter((n) => n !== CONTEXT);
      if (missing.length) throw new CommandError('NOT_FOUND', `error: context ${missing[0]} not found`);
      if (output === 'name') {
        ctx.stdout.write(CONTEXT + '\n');
        return 0;
      }
      const header = 'CURRENT   NAME                          CLUSTER      AUTHINFO           NAMESPACE\n';
      ctx.stdout.write(`${flags.values['no-headers'] === true ? '' : header}*         ${CONTEXT}   ${CLUSTER}   ${USER}   ${contextNamespace(ctx.env.sim.state) ?? ''}\n`);
      return 0;
    }
    case 'use-context':
    case 'use': {
      const flags = parseFlags(rest, [], 'kubectl config use-context');
      if (flags.args.length !== 1) throw new CommandError('USAGE', 'error: Unexpected args: ' + (flags.args.length ? `[${flags.args.slice(1).join(' ')}]` : '[]'), 1, "See 'kubectl config use-context -h' for help and examples");
      const name = flags.args[0]!;
      if (name !== CONTEXT) throw new CommandError('NOT_FOUND', `error: no context exists with the name: "${name}"`);
      ctx.stdout.write(`Switched to context "${name}".\n`);
      return 0;
    }
    case 'set-context': {
      const flags = parseFlags(rest, [{ name: 'current', type: 'bool' }, { name: 'namespace', type: 'string' }, { name: 'cluster', type: 'string' }, { name: 'user', type: 'string' }], 'kubectl config set-context');
      const name = flags.values['current'] === true ? CONTEXT : flags.args[0];
      if (name === undefined) throw new CommandError('USAGE', 'error: you must specify a non-empty context name or --current', 1, "See 'kubectl config set-context -h' for help and examples");
      if (flags.values['current'] === true && flags.args.length > 0) throw new CommandError('USAGE', 'error: you cannot specify both a context name and --current', 1, "See 'kubectl config set-context -h' for help and examples");
      if (name !== CONTEXT || str(flags, 'cluster') !== undefined || str(flags, 'user') !== undefined) {
        throw new CommandError('UNSUPPORTED', `error: the sandbox's kubeconfig keeps its one context, ${CONTEXT}; set-context changes only its namespace (--current --namespace=NAME)`);
      }
      const ns = str(flags, 'namespace');
      const state = ctx.env.sim.state;
      if (ns !== undefined) writeFile(state, 'workstation', KUBECONFIG, kubeconfigYaml(apiServerUrl(state), ns), ctx.env.scheduler.now());
      ctx.stdout.write(`Context "${name}" modified.\n`);
      return 0;
    }
    default:
      if (['set-context', 'set-cluster', 'set-credentials', 'delete-context', 'delete-cluster', 'delete-user', 'rename-context', 'set', 'unset', 'get-clusters', 'get-users'].includes(sub)) {
        throw new CommandError('UNSUPPORTED', `error: the sandbox does not support "kubectl config ${sub}" yet (its kubeconfig has one context, ${CONTEXT})`);
      }
      throw new CommandError('USAGE', `error: unknown command "${sub}" for "kubectl config"`, 1, "Run 'kubectl config --help' for usage.");
  }
}

export const TOP_USAGE = `Display resource (CPU/memory) usage.

 The top command allows you to see the resource consumption for nodes or pods.

 This command requires Metrics Server to be correctly configured and working on the server.

Available Commands:
  node          Display resource (CPU/memory) usage of nodes
  pod           Display resource (CPU/memory) usage of pods

Usage:
  kubectl top [flags] [options]`;

export async function kubectlTop(ctx: CommandContext, argv: string[]): Promise<number> {
  const sub = argv.find((a) => !a.startsWith('-'));
  if (sub === undefined) {
    ctx.stdout.write(TOP_USAGE + '\n');
    return 0;
  }
  if (!['node', 'nodes', 'no', 'pod', 'pods', 'po'].includes(sub)) throw new CommandError('USAGE', `error: unknown command "${sub}" for "kubectl top"`, 1, "Run 'kubectl top --help' for usage.");
  // No metrics-server in the sandbox: the metrics.k8s.io API group is not served.
  throw new CommandError('EXEC_FAILED', 'error: Metrics API not available');
}
