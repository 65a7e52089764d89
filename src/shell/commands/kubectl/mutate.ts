/**
 * What kubectl's commands that change the cluster share: the API context, reading manifests
 * from files or standard input, and printing the API server's refusals as kubectl prints them.
 *
 * Design notes: files are the workstation's sandbox files (`-f web.yaml`, `-f ~/dir/` for
 * every .yaml, .yml and .json file in a directory, `-f -` for standard input, named `STDIN`
 * in messages). YAML is converted as kubectl converts it (yaml-json.ts), its failures
 * printed as kubectl prints them (`error parsing STDIN: error converting YAML to JSON: yaml:
 * line 3: mapping values are not allowed in this context`); a document that starts with `{`
 * or `[` is JSON, as kubectl sniffs it. API errors print as CheckErr does: Invalid as
 * `The Pod "x" is invalid: ...`, others as `Error from server (Reason): ...`.
 * URLs (`-f https://k8s.io/examples/...`) are read by url-manifests.ts.
 * Left out: kustomize (-k), --recursive.
 */
import type { ApiContext } from '../../../sim/k8s/api';
import { ApiError } from '../../../sim/k8s/api';
import { ManifestError, type SourcedDoc } from '../../../sim/k8s/manifests';
import { InvalidError } from '../../../sim/k8s/validation';
import { isDirectory, listDirectory, readFile, resolvePath } from '../../../sim/files';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { isUrl, readUrlManifest } from './url-manifests';
import { jsonValues, yamlToJson } from './yaml-json';

export function apiContext(ctx: CommandContext): ApiContext {
  return { state: ctx.env.sim.state, rng: ctx.env.sim.rng, now: ctx.env.scheduler.now(), podStartup: 'timed' };
}

/** The line kubectl prints for an API error (without `error: ` for API statuses, as CheckErr does). */
export function apiErrorText(e: ApiError): string {
  if (e instanceof ManifestError || e instanceof InvalidError) return e.text;
  if (e.reason === 'BadRequest' && e.message.startsWith('the sandbox')) return `error: ${e.message}`;
  if (e.reason === 'Invalid') {
    const m = /^(\w+)(?:\.[\w.]+)? "([^"]*)" is invalid: ([\s\S]*)$/.exec(e.message);
    if (m) return `The ${m[1]} "${m[2]}" is invalid: ${m[3]}`;
  }
  return `Error from server (${e.reason}): ${e.message}`;
}

/**
 * One object's failure in a command that visits several: an API status, kubectl's own message
 * (without `error: `), or several of kubectl's messages about one object (an aggregate of its
 * own, such as the label clashes of one object).
 */
export type ObjectError = ApiError | string | string[];

/**
 * Prints the failures of a command that went on past them, as CheckErr prints the aggregate
 * kubectl's ContinueOnError visitor returns: a single failure as any error (`error: ...`,
 * `The Pod "x" is invalid: ...`, one line per message of a lone aggregate); several one per
 * line as StandardErrorMessage gives them, where kubectl's own messages have no `error: `
 * prefix and an Invalid status reads `Error from server (Invalid): Pod "x" is invalid: ...`.
 */
export function writeErrors(ctx: CommandContext, errors: ObjectError[]): void {
  const line = (e: ObjectError, alone: boolean): string => {
    if (e instanceof ApiError) return alone || e.reason !== 'Invalid' ? apiErrorText(e) : e instanceof ManifestError ? e.multiText : `Error from server (Invalid): ${e.message}`;
    if (typeof e === 'string') return alone ? `error: ${e}` : e;
    if (e.length === 1) return line(e[0]!, alone);
    return alone ? e.join('\n') : `[${e.join(', ')}]`;
  };
  for (const e of errors) ctx.stderr.write(line(e, errors.length === 1) + '\n');
}

/** Runs an API call; an ApiError becomes the CommandError kubectl's message gives. */
export function api<T>(fn: () => T, wrap?: (e: ApiError) => string): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    throw new CommandError(e.reason === 'NotFound' ? 'NOT_FOUND' : e.reason === 'AlreadyExists' ? 'ALREADY_EXISTS' : 'INVALID', wrap ? wrap(e) : apiErrorText(e));
  }
}

/**
 * Parses one file's text into documents (kubectl's YAMLOrJSONDecoder). A document that cannot
 * be read ends the file: the documents before it are returned, then one carrying kubectl's
 * error (`error parsing web.yaml: error converting YAML to JSON: yaml: line 3: ...`).
 */
export function parseManifest(text: string, source: string): SourcedDoc[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const r = jsonValues(text);
    if (!r.ok) return [{ obj: undefined, source, error: `error parsing ${source}: ${r.error}` }];
    return (Array.isArray(r.value) ? r.value : [r.value]).map((obj) => ({ obj, source }));
  }
  const r = yamlToJson(text);
  const out: SourcedDoc[] = r.values.filter((obj) => obj !== null && obj !== undefined).map((obj) => ({ obj, source }));
  if (!r.ok) out.push({ obj: undefined, source, error: `error parsing ${source}: error converting YAML to JSON: ${r.error}` });
  return out;
}

/** The documents named by `-f` arguments, read from the workstation's files or stdin. */
export function readManifests(ctx: CommandContext, files: string[]): SourcedDoc[] {
  const state = ctx.env.sim.state;
  const docs: SourcedDoc[] = [];
  for (const f of files) {
    if (f === '-') {
      docs.push(...parseManifest(ctx.stdin ?? '', 'STDIN'));
      continue;
    }
    if (isUrl(f)) {
      docs.push(...readUrlManifest(ctx, f));
      continue;
    }
    if (isDirectory(state, 'workstation', f)) {
      const dir = resolvePath('workstation', f);
      const entries = listDirectory(state, 'workstation', f)
        .filter((e) => !e.dir && /\.(ya?ml|json)$/.test(e.name))
        .map((e) => e.name)
        .sort();
      for (const name of entries) {
        const path = `${f.replace(/\/+$/, '')}/${name}`;
        docs.push(...parseManifest(readFile(state, 'workstation', `${dir}/${name}`)!.content, path));
      }
      continue;
    }
    const file = readFile(state, 'workstation', f);
    if (!file || file.binary) throw new CommandError('NOT_FOUND', `error: the path "${f}" does not exist`);
    docs.push(...parseManifest(file.content, f));
  }
  return docs;
}

/** Manifest file names in the workstation home, for `-f` completion. */
export function manifestFiles(ctx: { env: CommandContext['env'] }): string[] {
  const state = ctx.env.sim.state;
  return listDirectory(state, 'workstation', '~')
    .filter((e) => e.dir || /\.(ya?ml|json)$/.test(e.name))
    .map((e) => (e.dir ? `${e.name}/` : e.name));
}

/** Flags of each write subcommand, for completion. */
const WRITE_FLAGS: Record<string, string[]> = {
  apply: ['--filename', '--namespace', '--output'],
  create: ['--filename', '--namespace', '--image', '--replicas', '--port', '--tcp', '--node-port', '--clusterip', '--from-literal', '--from-file', '--from-env-file', '--cert', '--key', '--class', '--rule', '--dry-run', '--output'],
  delete: ['--all', '--all-namespaces', '--filename', '--force', '--grace-period', '--ignore-not-found', '--namespace', '--now', '--output', '--selector'],
  scale: ['--current-replicas', '--namespace', '--replicas'],
  expose: ['--cluster-ip', '--labels', '--name', '--namespace', '--port', '--protocol', '--selector', '--target-port', '--type'],
  run: ['--command', '--env', '--expose', '--image', '--labels', '--namespace', '--port', '--restart'],
  label: ['--all', '--all-namespaces', '--list', '--namespace', '--overwrite', '--selector'],
};

/** Resource types each subcommand takes (completion of its first argument). */
const WRITE_TYPES: Record<string, string[]> = {
  delete: ['pods', 'services', 'deployments', 'replicasets', 'daemonsets', 'namespaces', 'ingresses', 'endpoints', 'networkpolicies', 'configmaps', 'secrets'],
  scale: ['deployment', 'replicaset'],
  expose: ['deployment', 'pod', 'replicaset', 'service'],
  label: ['pods', 'services', 'deployments', 'replicasets', 'daemonsets', 'namespaces', 'nodes', 'ingresses'],
};

/**
 * Completion for apply, create, delete, scale, expose, run and label: flags, `-f` file names
 * from the workstation home, `--type` values, resource types, then object names in the
 * namespace (after `TYPE` or as `TYPE/NAME`). Undefined for other subcommands.
 */
export function completeWrite(sub: string, words: string[], prefix: string, env: CommandContext['env'], ns: string, objectNames: (type: string, ns: string) => string[]): string[] | undefined {
  if (!(sub in WRITE_FLAGS)) return undefined;
  const prev = words[words.length - 1];
  if (prev === '-f' || prev === '--filename') return manifestFiles({ env });
  if (prev === '--type') return ['ClusterIP', 'NodePort', 'LoadBalancer'];
  if (prev === '--restart') return ['Always', 'OnFailure', 'Never'];
  if (prefix.startsWith('-')) return WRITE_FLAGS[sub]!;
  const valued = new Set(['-f', '--filename', '-n', '--namespace', '-l', '--selector', '-o', '--output', '--image', '--port', '--replicas', '--tcp', '--type', '--name', '--target-port', '--labels', '--restart']);
  const positional = words.filter((w, i) => !w.startsWith('-') && !valued.has(words[i - 1] ?? ''));
  // positional[0] is the subcommand itself.
  const args = positional.slice(1);
  if (sub === 'apply' || sub === 'run') return [];
  if (sub === 'create') {
    if (args.length === 0) return ['configmap', 'deployment', 'ingress', 'namespace', 'secret', 'service'];
    if (args[0] === 'secret' && args.length === 1) return ['generic', 'tls'];
    if ((args[0] === 'service' || args[0] === 'svc') && args.length === 1) return ['clusterip', 'loadbalancer', 'nodeport'];
    return [];
  }
  if (prefix.includes('/')) {
    const type = prefix.slice(0, prefix.indexOf('/'));
    return objectNames(type, ns).map((n) => `${type}/${n}`);
  }
  if (args.length === 0) return WRITE_TYPES[sub]!;
  if (args[0]!.includes('/')) return [];
  if (sub === 'scale' || sub === 'expose') return args.length === 1 ? objectNames(args[0]!, ns) : [];
  return objectNames(args[0]!.split(',')[0]!, ns);
}
