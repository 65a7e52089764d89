/**
 * The Deployment controller's rolling updates, revisions and rollbacks.
 *
 * Design notes: a Deployment owns one ReplicaSet per pod template it has had, named
 * `<deployment>-<pod-template-hash>`, the hash of the template as the controller computes
 * it. The ReplicaSet whose hash is the current template's is the new one; when the template
 * changes (`set image`, `patch`, `apply`, `rollout restart`, `rollout undo`) it is created, or
 * an old one with that template is taken back, and gets the next revision
 * (`deployment.kubernetes.io/revision`, on it and on the Deployment). The RollingUpdate
 * strategy with its defaults (maxSurge 25% rounded up, maxUnavailable 25% rounded down) then
 * moves pods over in steps ROLLOUT_STEP_MS of sandbox time apart: old ReplicaSets are scaled
 * down as far as the new ReplicaSet's available pods allow (those its kubelets have started:
 * sim/k8s/kubelet.ts), then the new one up as far as the surge allows, until the old ones are
 * at 0.
 * There is no background loop in the sandbox: the steps that are due are taken, in time order
 * with the kubelets' stages, whenever something reads or changes the model (advance.ts runs
 * `progressRollouts`), and `kubectl rollout status` waits for them. A Deployment's `kubernetes.io/change-cause` annotation is
 * copied to the ReplicaSet a change creates, which `rollout history` lists.
 * Simplified: steps are taken at most every ROLLOUT_STEP_MS (the controller reacts to each
 * pod becoming ready at once); old pods go at once (no Terminating phase); scaling during a
 * rollout scales the new ReplicaSet only; the Recreate strategy, maxSurge/maxUnavailable
 * settings, minReadySeconds and progress deadlines are not modelled.
 */
import { clone } from '../clone';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import type { ApiContext } from './context';
import { rfc3339 } from './time';
import { recordEvent } from './events';
import { podTemplateHash, uuid } from './names';
import { key, type Deployment, type ObjectMeta, type ReplicaSet } from './types';

/** Sandbox time between two steps of a rolling update. */
export const ROLLOUT_STEP_MS = 2000;

export const REVISION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

interface RolloutState {
  /** When the next step is due (epoch ms). */
  next: number;
}

type WithRollouts = SimState['k8s'] & { rollouts?: Record<string, RolloutState> };

/** The rollouts under way; the record is only added to the state when one starts. */
function rollouts(state: SimState, create = false): Record<string, RolloutState> {
  const k8s = state.k8s as WithRollouts;
  if (create) return (k8s.rollouts ??= {});
  return k8s.rollouts ?? {};
}

function controllerUid(m: ObjectMeta): string | undefined {
  return (m.ownerReferences ?? []).find((o) => o.controller)?.uid;
}

/** The ReplicaSets a Deployment owns, oldest first. */
export function replicaSetsOf(state: SimState, d: Deployment): ReplicaSet[] {
  return Object.values(state.k8s.replicasets)
    .filter((rs) => controllerUid(rs.metadata) === d.metadata.uid)
    .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name));
}

export function revisionOf(m: ObjectMeta): number {
  return Number(m.annotations?.[REVISION] ?? '0') || 0;
}

/** The ReplicaSet running the Deployment's current template, if it exists. */
export function newReplicaSet(state: SimState, d: Deployment): ReplicaSet | undefined {
  const hash = podTemplateHash(d.spec.template);
  return replicaSetsOf(state, d).find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
}

function scale(ctx: ApiContext, d: Deployment, rs: ReplicaSet, to: number): void {
  const from = rs.spec.replicas;
  if (from === to) return;
  const namespace = d.metadata.namespace ?? 'default';
  recordEvent(
    ctx.state,
    { involved: { kind: 'Deployment', namespace, name: d.metadata.name, uid: d.metadata.uid }, type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`, source: 'deployment-controller' },
    ctx.now,
  );
  rs.spec.replicas = to;
  rs.metadata.generation++;
  rs.metadata.resourceVersion = String(++ctx.state.k8s.resourceVersion);
  const want = d.spec.replicas;
  rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), 'deployment.kubernetes.io/desired-replicas': String(want), 'deployment.kubernetes.io/max-replicas': String(want + surgeOf(want)) };
}

const surgeOf = (r: number): number => Math.ceil(r / 4);
const unavailableOf = (r: number): number => Math.floor(r / 4);

/** The Deployment controller's sync of one Deployment (run by reconcile). */
export function syncDeployment(ctx: ApiContext, d: Deployment): void {
  const state = ctx.state;
  const namespace = d.metadata.namespace ?? 'default';
  const sets = replicaSetsOf(state, d);
  const hash = podTemplateHash(d.spec.template);
  let rs = sets.find((r) => r.metadata.labels?.['pod-template-hash'] === hash);
  const maxRevision = Math.max(0, ...sets.map((r) => revisionOf(r.metadata)));
  const current = revisionOf(d.metadata);
  if (!rs) {
    const rsName = `${d.metadata.name}-${hash}`;
    const podLabels = { ...d.spec.template.metadata.labels, 'pod-template-hash': hash };
    const cause = d.metadata.annotations?.[CHANGE_CAUSE];
    const tplMeta = d.spec.template.metadata;
    rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace,
        uid: uuid(deriveRng(state.seed, `uid:ReplicaSet/${key(namespace, rsName)}@${state.k8s.resourceVersion + 1}`)),
        resourceVersion: String(++state.k8s.resourceVersion),
        creationTimestamp: rfc3339(ctx.now),
        labels: podLabels,
        annotations: { ...(cause ? { [CHANGE_CAUSE]: cause } : {}), [REVISION]: String(maxRevision + 1) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
        generation: 1,
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { ...d.spec.selector.matchLabels, 'pod-template-hash': hash } },
        template: { metadata: { labels: podLabels, ...(tplMeta.annotations ? { annotations: { ...tplMeta.annotations } } : {}) }, spec: clone(d.spec.template.spec) },
      },
      status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 },
    };
    state.k8s.replicasets[key(namespace, rsName)] = rs;
    sets.push(rs);
    if (!sets.some((r) => r !== rs && r.spec.replicas > 0)) {
      // A Deployment's first ReplicaSet (or one after all pods were scaled away) starts at full size.
      scale(ctx, d, rs, d.spec.replicas);
      rs.metadata.generation = 1;
    }
  } else if (revisionOf(rs.metadata) !== current && current !== 0 && revisionOf(rs.metadata) < maxRevision) {
    // An old template taken back (rollout undo, or a change back): it becomes the newest revision.
    const cause = d.metadata.annotations?.[CHANGE_CAUSE];
    rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), [REVISION]: String(maxRevision + 1) };
    if (cause) rs.metadata.annotations[CHANGE_CAUSE] = cause;
  }
  const revision = String(revisionOf(rs.metadata) || 1);
  if (!rs.metadata.annotations?.[REVISION]) rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), [REVISION]: revision };
  if (d.metadata.annotations?.[REVISION] !== revision) d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION]: revision };
  const old = sets.filter((r) => r !== rs && r.spec.replicas > 0);
  const k = key(namespace, d.metadata.name);
  const all = rollouts(state);
  if (old.length === 0) {
    delete all[k];
    scale(ctx, d, rs, d.spec.replicas);
    const want = d.spec.replicas;
    rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), 'deployment.kubernetes.io/desired-replicas': String(want), 'deployment.kubernetes.io/max-replicas': String(want + surgeOf(want)) };
    return;
  }
  if (!all[k]) {
    // The first step of a rolling update happens as soon as the template changes.
    step(ctx, d, rs, old, 0);
    rollouts(state, true)[k] = { next: ctx.now + ROLLOUT_STEP_MS };
  }
}

/** One step: scale old ReplicaSets down as far as availability allows, then the new one up. */
function step(ctx: ApiContext, d: Deployment, rs: ReplicaSet, old: ReplicaSet[], newAvailable: number): void {
  const want = d.spec.replicas;
  let surge = surgeOf(want);
  const unavailable = unavailableOf(want);
  if (surge === 0 && unavailable === 0) surge = 1;
  let oldTotal = old.reduce((n, r) => n + r.spec.replicas, 0);
  let removable = Math.max(0, oldTotal + newAvailable - (want - unavailable));
  for (const r of old) {
    if (removable === 0) break;
    const down = Math.min(r.spec.replicas, removable);
    scale(ctx, d, r, r.spec.replicas - down);
    removable -= down;
    oldTotal -= down;
  }
  scale(ctx, d, rs, Math.min(want, Math.max(rs.spec.replicas, want + surge - oldTotal)));
}

/**
 * Takes the rolling-update steps that are due at `ctx.now`; `reconcile` runs the
 * ReplicaSet controller after each. Returns true when anything changed.
 */
export function progressRollouts(ctx: ApiContext, reconcile: (ctx: ApiContext) => void): boolean {
  const state = ctx.state;
  const all = rollouts(state);
  let changed = false;
  for (const k of Object.keys(all).sort()) {
    for (;;) {
      const r = all[k];
      const d = state.k8s.deployments[k];
      if (!r || !d) {
        delete all[k];
        break;
      }
      if (r.next > ctx.now) break;
      const at = r.next;
      const rs = newReplicaSet(state, d);
      const old = replicaSetsOf(state, d).filter((x) => x !== rs && x.spec.replicas > 0);
      if (!rs || old.length === 0) {
        delete all[k];
        break;
      }
      step({ ...ctx, now: at }, d, rs, old, rs.status.availableReplicas);
      r.next = at + ROLLOUT_STEP_MS;
      reconcile({ ...ctx, now: at });
      changed = true;
      if (!replicaSetsOf(state, d).some((x) => x !== rs && x.spec.replicas > 0)) delete all[k];
    }
  }
  return changed;
}

/** When the next step of any rollout is due (Infinity when none is under way). */
export function nextRolloutDue(state: SimState): number {
  let next = Infinity;
  const all = rollouts(state);
  for (const k in all) if (all[k]!.next < next) next = all[k]!.next;
  return next;
}

/** When the rollout of a Deployment takes its next step, or undefined when none is under way. */
export function nextRolloutStep(state: SimState, namespace: string, name: string): number | undefined {
  return rollouts(state)[key(namespace, name)]?.next;
}

/** The Deployment's status as its controller writes it: updated replicas are the new ReplicaSet's. */
export function deploymentStatus(state: SimState, d: Deployment): void {
  const sets = replicaSetsOf(state, d);
  const rs = newReplicaSet(state, d);
  const sum = (f: (r: ReplicaSet) => number): number => sets.reduce((a, r) => a + f(r), 0);
  d.status = {
    replicas: sum((r) => r.status.replicas),
    updatedReplicas: rs?.status.replicas ?? 0,
    readyReplicas: sum((r) => r.status.readyReplicas),
    availableReplicas: sum((r) => r.status.availableReplicas),
    observedGeneration: d.metadata.generation,
  };
}

/**
 * The Deployment's `Available` and `Progressing` conditions as its controller sets them:
 * Available when at least `replicas - maxUnavailable` pods are available
 * (MinimumReplicasAvailable), Progressing with NewReplicaSetAvailable once the rollout is
 * complete, ReplicaSetUpdated while it is under way. Derived from the status on each read;
 * the transition and update times are left out.
 */
export function deploymentConditions(state: SimState, d: Deployment): { type: string; status: 'True' | 'False'; reason: string; message: string }[] {
  const want = d.spec.replicas;
  const available = want === 0 || d.status.availableReplicas >= want - Math.min(want, unavailableOf(want));
  const rs = newReplicaSet(state, d);
  const complete = d.status.updatedReplicas === want && d.status.replicas === want && d.status.availableReplicas === want;
  return [
    available
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
    complete || !rs
      ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs?.metadata.name ?? d.metadata.name}" has successfully progressed.` }
      : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs.metadata.name}" is progressing.` },
  ];
}

/** The pod template of a ReplicaSet as its Deployment would hold it (without pod-template-hash). */
export function deploymentTemplateOf(rs: ReplicaSet): Deployment['spec']['template'] {
  const t = clone(rs.spec.template);
  delete t.metadata.labels['pod-template-hash'];
  return t;
}

/** Sets a Deployment's pod template; true when it changed (a new rollout then starts). */
export function setDeploymentTemplate(state: SimState, d: Deployment, template: Deployment['spec']['template']): boolean {
  if (podTemplateHash(template) === podTemplateHash(d.spec.template) && JSON.stringify(template) === JSON.stringify(d.spec.template)) return false;
  d.spec.template = clone(template);
  d.metadata.generation++;
  d.metadata.resourceVersion = String(++state.k8s.resourceVersion);
  return true;
}
