/**
 * `kubectl edit (TYPE NAME | TYPE/NAME)`: change an object in an editor.
 *
 * Design notes: as kubectl does, the object is written as YAML, under kubectl's comment
 * header, to a temporary file (`/tmp/kubectl-edit-<n>.yaml` on the workstation); the editor
 * is the lab's own when the shell offers one (CommandContext.edit), otherwise
 * `$KUBE_EDITOR`, else `$EDITOR`, else `vi`, run as a command on the file (as kubectl's
 * editor.go does: a value without spaces is the program; one with spaces but no quote or
 * backslash is split at each single space; any other goes to `$SHELL -c` (else /bin/bash)
 * with the file's quoted name appended, so `KUBE_EDITOR="sed -i 's/a/b/'"` works): a command the
 * sandbox lacks gives kubectl's `error: unable to launch the editor "vi"`. Comment lines are
 * dropped; a file left as it was prints `Edit cancelled, no changes made.`, an empty one
 * `Edit cancelled, saved file was empty.` (both on stderr); otherwise the edited object goes
 * through the same update path as patch (update.ts) and kubectl prints
 * `deployment.apps/web edited`. Text that does not parse, or that the server refuses, is
 * kept in the temporary file and kubectl's `A copy of your changes has been stored to ...`
 * is printed before the error (a real kubectl would reopen the editor with the error as
 * comments; the sandbox stops there).
 * Left out: editing several objects at once, --output-patch, --windows-line-endings.
 */
import { apiView } from '../../../sim/k8s/defaults';
import { ApiError } from '../../../sim/k8s/api';
import { readFile, removeFile, writeFile } from '../../../sim/files';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { WORKSTATION_LOCATION } from '../../location';
import { shellState } from '../../shell-state';
import { resourceArgs } from './delete';
import { goYaml, sortKeys } from './go-yaml';
import { parseFlags, str } from './flags';
import { apiContext, apiErrorText } from './mutate';
import { qualifiedPlural, qualifiedSingular } from './resources';
import { liveObject, sameObject, updateObject } from './update';
import { yamlToJson } from './yaml-json';

export const EDIT_USAGE = `Edit a resource from the default editor.

 The edit command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi' for Linux or 'notepad' for Windows. When attempting to open the editor, it will first attempt to use the shell that has been defined in the 'SHELL' environment variable. If this is not defined, the default shell will be used, which is '/bin/bash' for Linux or 'cmd' for Windows.

 You can edit multiple objects, although changes are applied one at a time. The command accepts file names as well as command-line arguments, although the files you point to must be previously saved versions of resources.

 Editing is done with the API version used to fetch the resource. To edit using a specific API version, fully-qualify the resource, version, and group.

 The default format is YAML. To edit in JSON, specify "-o json".

 In the event an error occurs while updating, a temporary file will be created on disk that contains your unapplied changes. The most common error when updating a resource is another editor changing the resource on the server. When this occurs, you will have to apply your changes to the newer version of the resource, or update your temporary saved copy to include the latest resource version.

Examples:
  # Edit the service named 'registry'
  kubectl edit svc/registry

  # Edit the deployment 'mydeployment' in YAML and save the modified config in its annotation
  kubectl edit deployment/mydeployment -o yaml --save-config

Usage:
  kubectl edit (RESOURCE/NAME | -f FILENAME) [options]`;

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

const stripComments = (text: string): string =>
  text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');

/** The editor's argv before the file, as kubectl's defaultEnvEditor builds it. */
export function editorArgs(editor: string, shell: string | undefined): string[] {
  if (!editor.includes(' ')) return [editor];
  if (!/["'\\]/.test(editor)) return editor.split(' ');
  return [shell || '/bin/bash', '-c', editor];
}

/** An exported variable of the shell, as the environment kubectl sees. */
function envVar(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.env.vars[name];
  return v !== undefined && v !== '' && shellState(ctx.env).exported.has(name) ? v : undefined;
}

export async function kubectlEdit(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'namespace', short: 'n', type: 'string' }, { name: 'output', short: 'o', type: 'string' }], 'kubectl edit');
  if (flags.args.length === 0) throw new CommandError('USAGE', "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
  const json = str(flags, 'output') === 'json';
  const namespace = str(flags, 'namespace') ?? 'default';
  const { names } = resourceArgs(flags.args, false);
  if (names.length !== 1) throw new CommandError('UNSUPPORTED', 'error: the sandbox edits one object at a time');
  const { type, name } = names[0]!;
  const apiCtx = apiContext(ctx);
  // The editor shows the object as the API server returns it, defaults included.
  const stored = liveObject(apiCtx, type, namespace, name);
  const live = stored ? (apiView(apiCtx.state, stored) as typeof stored) : undefined;
  if (!live) throw new CommandError('NOT_FOUND', `Error from server (NotFound): ${qualifiedPlural(type)} "${name}" not found`);
  const original = HEADER + (json ? JSON.stringify(sortKeys(live), null, 4) + '\n' : goYaml(sortKeys(live)));
  const state = ctx.env.sim.state;
  const n = 1000000000 + ctx.env.sim.rng.int(1000000000);
  const path = `/tmp/kubectl-edit-${n}.${json ? 'json' : 'yaml'}`;
  let edited: string | undefined;
  if (ctx.edit) {
    edited = await ctx.edit(path, original);
    if (edited === undefined) edited = original;
  } else {
    const editor = envVar(ctx, 'KUBE_EDITOR') ?? envVar(ctx, 'EDITOR') ?? 'vi';
    writeFile(state, 'workstation', path, original, ctx.env.scheduler.now());
    const words = editorArgs(editor, envVar(ctx, 'SHELL'));
    // With the shell, the file's name joins its command text as a Go-quoted string.
    const argv = words[1] === '-c' && words.length === 3 ? [words[0]!, '-c', `${words[2]} ${JSON.stringify(path)}`] : [...words, path];
    let status: number;
    try {
      status = await ctx.spawn(WORKSTATION_LOCATION, argv, true);
    } catch (e) {
      removeFile(state, 'workstation', path);
      if (e instanceof CommandError && e.code === 'COMMAND_NOT_FOUND') throw new CommandError('EXEC_FAILED', `error: unable to launch the editor ${JSON.stringify(words.join(' '))}`);
      throw e;
    }
    if (status !== 0) {
      removeFile(state, 'workstation', path);
      throw new CommandError('EXEC_FAILED', `error: there was a problem with the editor ${JSON.stringify(words.join(' '))}`);
    }
    edited = readFile(state, 'workstation', path)?.content ?? '';
  }
  if (stripComments(edited) === stripComments(original)) {
    removeFile(state, 'workstation', path);
    ctx.stderr.write('Edit cancelled, no changes made.\n');
    return 0;
  }
  if (stripComments(edited).trim() === '') {
    removeFile(state, 'workstation', path);
    ctx.stderr.write('Edit cancelled, saved file was empty.\n');
    return 0;
  }
  const keep = (): void => {
    writeFile(state, 'workstation', path, edited!, ctx.env.scheduler.now());
    ctx.stdout.write(`A copy of your changes has been stored to "${path}"\n`);
  };
  const parsed = yamlToJson(stripComments(edited));
  if (!parsed.ok) {
    keep();
    throw new CommandError('SYNTAX', `error: Edit cancelled, no valid changes were saved.\nerror: ${parsed.error}`);
  }
  const obj: unknown = parsed.values[0];
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    keep();
    throw new CommandError('SYNTAX', 'error: Edit cancelled, no valid changes were saved.');
  }
  const ref = `${qualifiedSingular(type)}/${name}`;
  if (sameObject(live, obj)) {
    removeFile(state, 'workstation', path);
    ctx.stdout.write(`${ref} skipped\n`);
    return 0;
  }
  try {
    updateObject(apiCtx, type, namespace, name, obj as Record<string, unknown>, false);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    keep();
    throw new CommandError('INVALID', `${apiErrorText(e)}`);
  }
  removeFile(state, 'workstation', path);
  ctx.stdout.write(`${ref} edited\n`);
  return 0;
}
