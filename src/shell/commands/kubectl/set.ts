/**
 * `kubectl set image`: change the images of containers in Pods and Deployments.
 *
 * Design notes: `set image (TYPE NAME | TYPE/NAME) CONTAINER=IMAGE...` (`*=IMAGE` for every
 * container), printing `deployment.apps/web image updated`; an object whose images are already
 * those prints nothing, as kubectl skips an empty patch. A Deployment's changed template rolls
 * out (k8s/rollout.ts); a Pod's containers restart with the new image. The change goes through
 * the same update path as patch (update.ts).
 * Left out: the other `set` subcommands (env, resources, selector, serviceaccount, subject),
 * --local, -f.
 */
import { apiView } from '../../../sim/k8s/defaults';
import { ApiError } from '../../../sim/k8s/api';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { dryRunOf } from './apply';
import { resourceArgs } from './delete';
import { parseFlags, str } from './flags';
import { apiContext, writeErrors, type ObjectError } from './mutate';
import { objectPrinter } from './object-output';
import { qualifiedPlural, qualifiedSingular } from './resources';
import { liveObject, updateObject } from './update';

export const SET_USAGE = `Configure application resources.

 These commands help you make changes to existing application resources.

Available Commands:
  image           Update the image of a pod template

Usage:
  kubectl set SUBCOMMAND [options]`;

export const SET_IMAGE_USAGE = `Update existing container image(s) of resources.

 Possible resources include (case insensitive):

        pod (po), replicationcontroller (rc), deployment (deploy), daemonset (ds), statefulset (sts), cronjob (cj), replicaset (rs)

Examples:
  # Set a deployment's nginx container image to 'nginx:1.9.1', and its busybox container image to 'busybox'
  kubectl set image deployment/nginx busybox=busybox nginx=nginx:1.9.1

  # Update image of all containers of daemonset abc to 'nginx:1.9.1'
  kubectl set image daemonset abc *=nginx:1.9.1

Options:
      --dry-run='none': Must be "none", "server", or "client".
  -o, --output='': Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).

Usage:
  kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N [options]`;

const FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'dry-run', type: 'string' as const, bare: 'unchanged' },
  { name: 'record', type: 'bool' as const },
];

interface ContainerLike {
  name: string;
  image: string;
}

export async function kubectlSet(ctx: CommandContext, argv: string[]): Promise<number> {
  const subAt = argv.findIndex((a, i) => !a.startsWith('-') && !['-n', '--namespace', '-o', '--output'].includes(argv[i - 1] ?? ''));
  const sub = subAt >= 0 ? argv[subAt] : undefined;
  if (sub === undefined) {
    ctx.stdout.write(SET_USAGE + '\n');
    return 0;
  }
  if (sub !== 'image') {
    if (['env', 'resources', 'selector', 'serviceaccount', 'sa', 'subject'].includes(sub)) throw new CommandError('UNSUPPORTED', `error: the sandbox does not support "kubectl set ${sub}" yet (it supports set image)`);
    throw new CommandError('USAGE', `error: unknown command "${sub}" for "kubectl set"`, 1, "Run 'kubectl set --help' for usage.");
  }
  const flags = parseFlags([...argv.slice(0, subAt), ...argv.slice(subAt + 1)], FLAGS, 'kubectl set image');
  const resources = flags.args.filter((a) => !a.includes('='));
  const pairs = flags.args.filter((a) => a.includes('='));
  if (resources.length === 0) throw new CommandError('USAGE', 'error: one or more resources must be specified as <resource> <name> or <resource>/<name>', 1, "See 'kubectl set image -h' for help and examples");
  if (pairs.length === 0) throw new CommandError('USAGE', 'error: at least one image update is required', 1, "See 'kubectl set image -h' for help and examples");
  const images: [string, string][] = pairs.map((p) => {
    const eq = p.indexOf('=');
    return [p.slice(0, eq), p.slice(eq + 1)];
  });
  const dry = dryRunOf(str(flags, 'dry-run'));
  const output = str(flags, 'output');
  const print = output !== undefined ? objectPrinter(ctx, output) : undefined;
  const namespace = str(flags, 'namespace') ?? 'default';
  const { names } = resourceArgs(resources, false);
  const apiCtx = apiContext(ctx);
  const errors: ObjectError[] = [];
  for (const { type, name } of names) {
    const live = liveObject(apiCtx, type, namespace, name);
    if (!live) {
      errors.push(new ApiError('NotFound', `${qualifiedPlural(type)} "${name}" not found`));
      continue;
    }
    const spec = live.spec as { containers?: ContainerLike[]; template?: { spec: { containers: ContainerLike[] } } } | undefined;
    const containers = type.kind === 'Pod' ? spec?.containers : spec?.template?.spec.containers;
    if (!containers) {
      errors.push(`the sandbox does not support set image on ${type.plural}`);
      continue;
    }
    let missing: string | undefined;
    let changed = false;
    for (const [cname, image] of images) {
      const targets = cname === '*' ? containers : containers.filter((c) => c.name === cname);
      if (targets.length === 0) missing = cname;
      for (const c of targets) {
        if (c.image !== image) changed = true;
        c.image = image;
      }
    }
    if (missing !== undefined) {
      errors.push(`unable to find container named "${missing}"`);
      continue;
    }
    if (!changed) continue;
    const ref = `${qualifiedSingular(type)}/${name}`;
    let stored: unknown;
    try {
      stored = updateObject(apiCtx, type, namespace, name, live, dry !== 'none');
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errors.push(e);
      continue;
    }
    if (print) print(apiView(apiCtx.state, stored), ref);
    else ctx.stdout.write(`${ref} image updated${dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : ''}\n`);
  }
  writeErrors(ctx, errors);
  return errors.length ? 1 : 0;
}
