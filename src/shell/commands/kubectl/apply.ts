/**
 * `kubectl apply -f FILE|DIR|-`: create or update objects from manifests.
 *
 * Design notes: reads YAML (several documents separated by `---`) or JSON, also `kind: List`,
 * from the workstation's files or standard input (`-f -`, as in
 * `kubectl get deploy web -o yaml | kubectl apply -f -`), then applies every document as
 * k8s/manifests.ts describes, printing `deployment.apps/web created`, `configured` or
 * `unchanged` per object, and kubectl's warning for objects created without apply. Document
 * by document, as kubectl: a failing document changes nothing, the others are applied, every
 * failure is printed at the end (manifests.ts errorLines) and the exit status is 1.
 * `--dry-run=client` and `--dry-run=server` apply to a copy of the cluster and print the
 * same lines with ` (dry run)` or ` (server dry run)`; `--dry-run=none` (the default) applies.
 * The same code applies text handed to a lab session (`applyText`), so the YAML editor's
 * Apply and Dry run buttons print exactly what `kubectl apply -f` prints.
 * `--validate` (strict by default, as in kubectl 1.32; warn; ignore) sets how the API server
 * decodes each document (sim/k8s/schema/decode.ts), for the editor's text too.
 * Left out: --prune, --server-side, -k (kustomize).
 */
import { clone } from '../../../sim/clone';
import type { ApiContext } from '../../../sim/k8s/api';
import { applyEach, errorLines, type SourcedDoc } from '../../../sim/k8s/manifests';
import { validateMode, type ValidateMode } from '../../../sim/k8s/schema/decode';
import { rngOver } from '../../../sim/rng';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseFlags, str } from './flags';
import { apiContext, parseManifest, readManifests } from './mutate';

export const APPLY_FLAGS = [
  { name: 'filename', short: 'f', type: 'string' as const },
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'validate', type: 'string' as const, bare: 'strict' },
  { name: 'recursive', short: 'R', type: 'bool' as const },
  { name: 'dry-run', type: 'string' as const, bare: 'unchanged' },
];

export type DryRun = 'none' | 'client' | 'server';

/** kubectl's --validate (strict by default; a bare --validate is strict); a bad value is refused as kubectl refuses it. */
export function validateOf(value: string | undefined): ValidateMode {
  const mode = validateMode(value);
  if (!mode) throw new CommandError('USAGE', `error: invalid - validate option "${value}"; must be one of: strict (or true), warn, ignore (or false)`);
  return mode;
}

/** kubectl's --dry-run values; a bare `--dry-run` (pflag's NoOptDefVal `unchanged`) is refused, as kubectl 1.32 refuses it. */
export function dryRunOf(value: string | undefined): DryRun {
  if (value === undefined || value === 'none') return 'none';
  if (value === 'client' || value === 'server') return value;
  if (value === 'unchanged') throw new CommandError('USAGE', 'error: --dry-run flag without a value was specified. A value must be set: "none", "server", or "client".');
  throw new CommandError('USAGE', `error: Invalid dry-run value (${value}). Must be "none", "server", or "client".`);
}

/** What one apply prints, line by line, in order; `stderr` lines are warnings and errors; `ok` false when any document failed. */
export interface AppliedLines {
  lines: { text: string; stderr: boolean }[];
  ok: boolean;
}

/**
 * Applies documents as kubectl apply does, each on its own; a dry run applies them to a copy
 * of the cluster. The failures are the last lines, as kubectl prints them.
 */
export function applyDocuments(ctx: ApiContext, docs: SourcedDoc[], opts: { namespace?: string; dryRun?: DryRun; names?: boolean; validate?: ValidateMode }): AppliedLines {
  const dry = opts.dryRun ?? 'none';
  const target: ApiContext = dry === 'none' ? ctx : { ...ctx, state: clone(ctx.state), rng: rngOver(clone(ctx.state.rng)) };
  const { results, errors } = applyEach(target, docs, { namespace: opts.namespace ?? 'default', enforceNamespace: opts.namespace !== undefined, mode: 'apply', validate: opts.validate ?? 'strict' });
  const suffix = dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : '';
  const lines: AppliedLines['lines'] = [];
  for (const r of results) {
    if (r.warning) lines.push({ text: r.warning, stderr: true });
    lines.push({ text: opts.names ? r.ref : `${r.ref} ${r.action}${suffix}`, stderr: false });
  }
  for (const text of errorLines(errors)) lines.push({ text, stderr: true });
  return { lines, ok: errors.length === 0 };
}

/** Applies the text of a manifest file (`source` names it in messages), printing as kubectl does. */
export function applyText(ctx: ApiContext, text: string, opts: { source?: string; namespace?: string; dryRun?: DryRun } = {}): AppliedLines {
  const docs = parseManifest(text, opts.source ?? 'STDIN');
  if (docs.length === 0) return { ok: false, lines: [{ text: 'error: no objects passed to apply', stderr: true }] };
  return applyDocuments(ctx, docs, opts);
}

export const APPLY_USAGE = `Apply a configuration to a resource by file name or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet. To use 'apply', always create the resource initially with either 'apply' or 'create --save-config'.

 JSON and YAML formats are accepted.

Examples:
  # Apply the configuration in pod.json to a pod
  kubectl apply -f ./pod.json

  # Apply the JSON passed into stdin to a pod
  cat pod.json | kubectl apply -f -

Options:
  -f, --filename=[]: The files that contain the configurations to apply.
      --dry-run='none': Must be "none", "server", or "client". If client strategy, only print the object that would be
sent, without sending it. If server strategy, submit server-side request without persisting the resource.
  -n, --namespace='': If present, the namespace scope for this CLI request.
  -o, --output='': Output format. One of: (name).
      --validate='strict': Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. "warn" will warn about unknown or duplicate fields without blocking the request. "false" or "ignore" will not perform any schema validation, silently dropping any unknown or duplicate fields.

Usage:
  kubectl apply (-f FILENAME | -k DIRECTORY) [options]`;

export async function kubectlApply(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, APPLY_FLAGS, 'kubectl apply');
  const files = flags.lists['filename'] ?? [];
  const output = str(flags, 'output');
  if (output !== undefined && output !== 'name') throw new CommandError('UNSUPPORTED', `error: the sandbox does not support -o ${output} for apply (supported: name)`);
  if (files.length === 0) throw new CommandError('USAGE', 'error: must specify one of -f and -k');
  if (flags.args.length > 0) throw new CommandError('USAGE', `error: Unexpected args: [${flags.args.join(' ')}]`, 1, "See 'kubectl apply -h' for help and examples");
  const docs = readManifests(ctx, files);
  if (docs.length === 0) throw new CommandError('USAGE', 'error: no objects passed to apply');
  const namespace = str(flags, 'namespace');
  const dryRun = dryRunOf(str(flags, 'dry-run'));
  const validate = validateOf(str(flags, 'validate'));
  const applied = applyDocuments(apiContext(ctx), docs, { ...(namespace !== undefined ? { namespace } : {}), dryRun, names: output === 'name', validate });
  for (const l of applied.lines) (l.stderr ? ctx.stderr : ctx.stdout).write(l.text + '\n');
  return applied.ok ? 0 : 1;
}
