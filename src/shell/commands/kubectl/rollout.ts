/**
 * `kubectl rollout status|history|undo|restart` for Deployments.
 *
 * Design notes: the rolling update itself is the Deployment controller's (k8s/rollout.ts).
 * `status` prints kubectl's DeploymentStatusViewer messages (`Waiting for deployment "web"
 * rollout to finish: 1 out of 3 new replicas have been updated...`, `... 1 old replicas are
 * pending termination...`) as each step of the rollout lands, waiting in sandbox time, then
 * `deployment "web" successfully rolled out` (`--watch=false`: the current message only).
 * `history` prints the REVISION / CHANGE-CAUSE table from the ReplicaSets' revision and
 * `kubernetes.io/change-cause` annotations (`--revision=N`: that revision's pod template).
 * `undo` puts back the previous revision's template (or `--to-revision`'s), which becomes the
 * newest revision; `restart` sets the template's `kubectl.kubernetes.io/restartedAt`, which
 * rolls every pod. For a DaemonSet, `restart` does the same to its template, and the DaemonSet
 * controller replaces its pods one node at a time (controllers.ts); `status` prints kubectl's
 * DaemonSetStatusViewer messages (`Waiting for daemon set "kube-flannel-ds" rollout to finish:
 * 1 out of 3 new pods have been updated...`, `... 2 of 3 updated pods are available...`) as the
 * pods change, then `daemon set "kube-flannel-ds" successfully rolled out`.
 * `status --timeout=D` gives up after D of sandbox time with kubectl's `error: timed out waiting
 * for the condition` (exit 1); 0, the default, waits until Ctrl+C.
 * Left out: pause/resume, StatefulSets, DaemonSet history and undo, the Deployment's progress
 * deadline (a real `status` ends with `exceeded its progress deadline` after 600 s).
 */
import { reconcile } from '../../../sim/k8s/controllers';
import { rfc3339, type ApiContext } from '../../../sim/k8s/api';
import { CHANGE_CAUSE, deploymentTemplateOf, nextRolloutStep, replicaSetsOf, revisionOf, setDeploymentTemplate } from '../../../sim/k8s/rollout';
import { podTemplateHash } from '../../../sim/k8s/names';
import { daemonSetStatus } from '../../../sim/k8s/defaults';
import { key, type DaemonSet, type Deployment, type PodTemplate } from '../../../sim/k8s/types';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { resourceArgs } from './delete';
import { parseFlags, str } from './flags';
import { parseGoDuration } from './logs';
import { apiContext } from './mutate';
import { qualifiedPlural, qualifiedSingular, type ResourceType } from './resources';

/** How often status looks again while pods start (kubectl is told at once by its watch). */
const STATUS_POLL_MS = 500;

export const ROLLOUT_USAGE = `Manage the rollout of one or many resources.

 Valid resource types include:

  *  deployments
  *  daemonsets
  *  statefulsets

Examples:
  # Rollback to the previous deployment
  kubectl rollout undo deployment/abc

  # Check the rollout status of a daemonset
  kubectl rollout status daemonset/foo

  # Restart a deployment
  kubectl rollout restart deployment/abc

  # Restart deployments with the 'app=nginx' label
  kubectl rollout restart deployment --selector=app=nginx

Available Commands:
  history       View rollout history
  restart       Restart a resource
  status        Show the status of the rollout
  undo          Undo a previous rollout

Usage:
  kubectl rollout SUBCOMMAND [options]`;

const FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'watch', short: 'w', type: 'bool' as const },
  { name: 'revision', type: 'int' as const },
  { name: 'to-revision', type: 'int' as const },
  { name: 'timeout', type: 'string' as const },
];

const SUBS = ['history', 'restart', 'status', 'undo'];

function kindName(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}

export async function kubectlRollout(ctx: CommandContext, argv: string[]): Promise<number> {
  const subAt = argv.findIndex((a, i) => !a.startsWith('-') && !['-n', '--namespace'].includes(argv[i - 1] ?? ''));
  const sub = subAt >= 0 ? argv[subAt]! : undefined;
  if (sub === undefined) {
    ctx.stdout.write(ROLLOUT_USAGE + '\n');
    return 0;
  }
  if (sub === 'pause' || sub === 'resume') throw new CommandError('UNSUPPORTED', `error: the sandbox does not support "kubectl rollout ${sub}" yet`);
  if (!SUBS.includes(sub)) throw new CommandError('USAGE', `error: unknown command "${sub}" for "kubectl rollout"`, 1, "Run 'kubectl rollout --help' for usage.");
  const cmd = `kubectl rollout ${sub}`;
  const flags = parseFlags([...argv.slice(0, subAt), ...argv.slice(subAt + 1)], FLAGS, cmd);
  if (flags.args.length === 0) {
    throw new CommandError('USAGE', "error: required resource not specified", 1, `See '${cmd} -h' for help and examples`);
  }
  const namespace = str(flags, 'namespace') ?? 'default';
  const { names } = resourceArgs(flags.args, false);
  const timeoutText = str(flags, 'timeout') ?? '0s';
  const timeout = parseGoDuration(timeoutText);
  if (timeout === undefined) throw new CommandError('UNKNOWN_FLAG', `error: invalid argument "${timeoutText}" for "--timeout" flag: time: invalid duration "${timeoutText}"`, 1, "See 'kubectl rollout status --help' for usage.");
  // Zero (or less) waits for ever.
  const deadline = timeout > 0 ? ctx.env.scheduler.now() + timeout : Infinity;
  const apiCtx = apiContext(ctx);
  for (const { type, name } of names) {
    const obj = type.list(ctx.env.sim.state).find((o) => o.metadata.name === name && (!type.namespaced || o.metadata.namespace === namespace));
    if (!obj) throw new CommandError('NOT_FOUND', `Error from server (NotFound): ${qualifiedPlural(type)} "${name}" not found`);
    const ref = `${qualifiedSingular(type)}/${name}`;
    if (type.plural === 'daemonsets') {
      if (sub === 'status') return daemonSetStatusWatch(ctx, namespace, name, flags.values['watch'] !== false, deadline);
      if (sub !== 'restart') throw new CommandError('UNSUPPORTED', `error: the sandbox does not support "kubectl rollout ${sub}" for DaemonSets yet`);
      const ds = ctx.env.sim.state.k8s.daemonsets[key(namespace, name)]!;
      const t: PodTemplate = JSON.parse(JSON.stringify(ds.spec.template)) as PodTemplate;
      t.metadata.annotations = { ...(t.metadata.annotations ?? {}), 'kubectl.kubernetes.io/restartedAt': rfc3339(apiCtx.now) };
      ds.spec.template = t;
      ds.metadata.generation += 1;
      ds.metadata.resourceVersion = String(++ctx.env.sim.state.k8s.resourceVersion);
      reconcile(apiCtx);
      ctx.stdout.write(`${ref} restarted\n`);
      continue;
    }
    if (type.plural !== 'deployments') {
      if (sub === 'status') throw new CommandError('INVALID', `error: no status viewer has been implemented for ${kindName(type)}`);
      if (sub === 'history') throw new CommandError('INVALID', `error: no history viewer has been implemented for ${kindName(type)}`);
      if (sub === 'undo') throw new CommandError('INVALID', `error: no rollbacker has been implemented for ${JSON.stringify(kindName(type))}`);
      throw new CommandError('INVALID', `error: ${ref} restarting is not supported`);
    }
    const d = ctx.env.sim.state.k8s.deployments[key(namespace, name)]!;
    if (sub === 'status') return status(ctx, apiCtx, namespace, name, flags.values['watch'] !== false, deadline);
    if (sub === 'history') history(ctx, d, ref, Number(str(flags, 'revision') ?? '0'));
    if (sub === 'undo') undo(ctx, apiCtx, d, ref, Number(str(flags, 'to-revision') ?? '0'));
    if (sub === 'restart') {
      const t: PodTemplate = JSON.parse(JSON.stringify(d.spec.template)) as PodTemplate;
      t.metadata.annotations = { ...(t.metadata.annotations ?? {}), 'kubectl.kubernetes.io/restartedAt': rfc3339(apiCtx.now) };
      if (setDeploymentTemplate(apiCtx.state, d, t)) reconcile(apiCtx);
      ctx.stdout.write(`${ref} restarted\n`);
    }
  }
  return 0;
}

/** kubectl's DeploymentStatusViewer: the line to print for the Deployment as it stands, and whether the rollout is done. */
export function deploymentRolloutStatus(d: Deployment): { line: string; done: boolean } {
  const name = d.metadata.name;
  const s = d.status;
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return { line: 'Waiting for deployment spec update to be observed...\n', done: false };
  if (s.updatedReplicas < d.spec.replicas) return { line: `Waiting for deployment "${name}" rollout to finish: ${s.updatedReplicas} out of ${d.spec.replicas} new replicas have been updated...\n`, done: false };
  if (s.replicas > s.updatedReplicas) return { line: `Waiting for deployment "${name}" rollout to finish: ${s.replicas - s.updatedReplicas} old replicas are pending termination...\n`, done: false };
  if (s.availableReplicas < s.updatedReplicas) return { line: `Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas} of ${s.updatedReplicas} updated replicas are available...\n`, done: false };
  return { line: `deployment "${name}" successfully rolled out\n`, done: true };
}

/** kubectl's DaemonSetStatusViewer: the line to print for the DaemonSet as it stands, and whether the rollout is done. */
export function daemonSetRolloutStatus(ds: DaemonSet, st: { desiredNumberScheduled: number; updatedNumberScheduled: number; numberAvailable: number }): { line: string; done: boolean } {
  const name = ds.metadata.name;
  if (st.updatedNumberScheduled < st.desiredNumberScheduled) return { line: `Waiting for daemon set "${name}" rollout to finish: ${st.updatedNumberScheduled} out of ${st.desiredNumberScheduled} new pods have been updated...\n`, done: false };
  if (st.numberAvailable < st.desiredNumberScheduled) return { line: `Waiting for daemon set "${name}" rollout to finish: ${st.numberAvailable} of ${st.desiredNumberScheduled} updated pods are available...\n`, done: false };
  return { line: `daemon set "${name}" successfully rolled out\n`, done: true };
}

/** kubectl's error when `--timeout` passes before the rollout is done. */
function timedOut(): CommandError {
  return new CommandError('EXEC_FAILED', 'error: timed out waiting for the condition');
}

async function daemonSetStatusWatch(ctx: CommandContext, namespace: string, name: string, watch: boolean, deadline: number): Promise<number> {
  let last = '';
  for (;;) {
    const state = ctx.env.sim.state;
    const ds = state.k8s.daemonsets[key(namespace, name)];
    if (!ds) throw new CommandError('NOT_FOUND', `Error from server (NotFound): daemonsets.apps "${name}" not found`);
    const { line, done } = daemonSetRolloutStatus(ds, daemonSetStatus(state, ds));
    if (line !== last) ctx.stdout.write(line);
    last = line;
    if (done || !watch) return 0;
    // A pod that never becomes ready keeps it waiting until Ctrl+C or the deadline.
    const now = ctx.env.scheduler.now();
    if (now >= deadline) throw timedOut();
    if (deadline === Infinity) ctx.endless();
    if (!(await ctx.sleep(Math.min(STATUS_POLL_MS, deadline - now)))) return 130;
  }
}

async function status(ctx: CommandContext, apiCtx: ApiContext, namespace: string, name: string, watch: boolean, deadline: number): Promise<number> {
  const state = apiCtx.state;
  let last = '';
  for (;;) {
    const now = ctx.env.scheduler.now();
    const d = state.k8s.deployments[key(namespace, name)];
    if (!d) throw new CommandError('NOT_FOUND', `Error from server (NotFound): deployments.apps "${name}" not found`);
    const { line, done } = deploymentRolloutStatus(d);
    // kubectl prints the viewer's message for each watch event; here, each time it changes.
    if (line !== last) ctx.stdout.write(line);
    last = line;
    if (done || !watch) return 0;
    // Pods that cannot start keep it waiting until Ctrl+C or the deadline (a real one also
    // gives up after the Deployment's progress deadline).
    if (now >= deadline) throw timedOut();
    if (deadline === Infinity) ctx.endless();
    const next = nextRolloutStep(state, namespace, name);
    const wait = Math.min(deadline - now, next === undefined ? STATUS_POLL_MS : Math.min(STATUS_POLL_MS, Math.max(0, next - now)));
    if (!(await ctx.sleep(wait))) return 130;
  }
}

function history(ctx: CommandContext, d: Deployment, ref: string, revision: number): void {
  const sets = replicaSetsOf(ctx.env.sim.state, d).filter((rs) => revisionOf(rs.metadata) > 0);
  if (revision > 0) {
    const rs = sets.find((r) => revisionOf(r.metadata) === revision);
    if (!rs) throw new CommandError('NOT_FOUND', `error: unable to find the specified revision`);
    ctx.stdout.write(`${ref} with revision #${revision}\n${podTemplateText(rs.spec.template)}\n`);
    return;
  }
  const rows = sets.sort((a, b) => revisionOf(a.metadata) - revisionOf(b.metadata)).map((rs) => [String(revisionOf(rs.metadata)), rs.metadata.annotations?.[CHANGE_CAUSE] || '<none>']);
  // tabbedString: a tabwriter padding cells by two spaces.
  const width = Math.max(8, ...rows.map((r) => r[0]!.length)) + 2;
  const table = [['REVISION', 'CHANGE-CAUSE'], ...rows].map(([a, b]) => `${a!.padEnd(width)}${b}\n`).join('');
  ctx.stdout.write(`${ref} \n${table}\n`);
}

/** A pod template as kubectl's describe prints it (DescribePodTemplate), for history --revision. */
function podTemplateText(t: PodTemplate): string {
  const labels = Object.keys(t.metadata.labels).sort().map((k) => `${k}=${t.metadata.labels[k]}`);
  const ann = Object.keys(t.metadata.annotations ?? {}).sort().map((k) => `${k}: ${t.metadata.annotations![k]}`);
  const lines = ['Pod Template:', `  Labels:\t${labels[0] ?? '<none>'}`, ...labels.slice(1).map((l) => `\t${l}`)];
  if (ann.length) lines.push(`  Annotations:\t${ann[0]}`, ...ann.slice(1).map((a) => `\t${a}`));
  lines.push('  Containers:');
  for (const c of t.spec.containers) {
    lines.push(`   ${c.name}:`, `    Image:\t${c.image}`);
    const ports = c.ports ?? [];
    lines.push(`    Port:\t${ports.length ? ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ') : '<none>'}`);
    lines.push(`    Host Port:\t${ports.length ? ports.map((p) => `0/${p.protocol ?? 'TCP'}`).join(', ') : '<none>'}`);
    if (c.command?.length) lines.push('    Command:', ...c.command.map((x) => `      ${x}`));
    if (c.args?.length) lines.push('    Args:', ...c.args.map((x) => `      ${x}`));
    lines.push('    Environment:\t<none>', '    Mounts:\t<none>');
  }
  lines.push('  Volumes:\t<none>', '  Node-Selectors:\t<none>', '  Tolerations:\t<none>');
  return tabbed(lines);
}

/** Go's tabwriter as kubectl's describe uses it: cells padded to the widest in their column block. */
function tabbed(lines: string[]): string {
  const width = Math.max(...lines.filter((l) => l.includes('\t')).map((l) => l.split('\t')[0]!.length));
  return lines.map((l) => (l.includes('\t') ? `${l.split('\t')[0]!.padEnd(width + 1)}${l.split('\t').slice(1).join('\t')}` : l)).join('\n') + '\n';
}

function undo(ctx: CommandContext, apiCtx: ApiContext, d: Deployment, ref: string, toRevision: number): void {
  const sets = replicaSetsOf(apiCtx.state, d);
  let target;
  if (toRevision > 0) {
    target = sets.find((rs) => revisionOf(rs.metadata) === toRevision);
    if (!target) throw new CommandError('NOT_FOUND', `error: unable to find specified revision ${toRevision} in history`);
  } else {
    const byRevision = [...sets].filter((rs) => revisionOf(rs.metadata) > 0).sort((a, b) => revisionOf(b.metadata) - revisionOf(a.metadata));
    target = byRevision[1];
    if (!target) throw new CommandError('NOT_FOUND', `error: no rollout history found for deployment "${d.metadata.name}"`);
  }
  const template = deploymentTemplateOf(target);
  if (podTemplateHash(template) === podTemplateHash(d.spec.template)) {
    ctx.stdout.write(`${ref} skipped rollback (current template already matches revision ${revisionOf(target.metadata)})\n`);
    return;
  }
  setDeploymentTemplate(apiCtx.state, d, template);
  reconcile(apiCtx);
  ctx.stdout.write(`${ref} rolled back\n`);
}
