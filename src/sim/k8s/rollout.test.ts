import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { clone } from '../clone';
import { rngOver } from '../rng';
import { reconcile } from './controllers';
import { serviceEndpoints } from './endpoints';
import { newReplicaSet, progressRollouts, replicaSetsOf, revisionOf, ROLLOUT_STEP_MS, setDeploymentTemplate } from './rollout';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const setup = (replicas = 3) => {
  const state = buildCluster(
    { nodes: 3, workloads: { deployments: [{ name: 'web', replicas, image: 'nginx:1.27' }], services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] }] } },
    5,
    T0,
  );
  return { state, ctx: { state, rng: rngOver(state.rng), now: T0 + 600_000 } };
};

describe('rolling updates', () => {
  it('a new template gets a new ReplicaSet and revision, and pods move over step by step as time passes', () => {
    const { state, ctx } = setup();
    const d = state.k8s.deployments['default/web']!;
    const before = newReplicaSet(state, d)!;
    const t = clone(d.spec.template);
    t.spec.containers[0]!.image = 'nginx:1.28';
    expect(setDeploymentTemplate(state, d, t)).toBe(true);
    reconcile(ctx);
    const after = newReplicaSet(state, d)!;
    expect(after.metadata.name).not.toBe(before.metadata.name);
    expect(after.metadata.name).toMatch(/^web-[a-z0-9]+$/);
    expect(revisionOf(after.metadata)).toBe(2);
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    // maxSurge 1 (25% of 3, rounded up), maxUnavailable 0: one new pod first, no old pod gone.
    const counts = (): [number, number] => [after.spec.replicas, before.spec.replicas];
    expect(counts()).toEqual([1, 3]);
    const seen: [number, number][] = [counts()];
    for (let i = 1; i <= 4; i++) {
      progressRollouts({ ...ctx, now: ctx.now + i * ROLLOUT_STEP_MS }, reconcile);
      seen.push(counts());
    }
    expect(seen).toEqual([
      [1, 3],
      [2, 2],
      [3, 1],
      [3, 0],
      [3, 0],
    ]);
    // Every web pod now runs the new image, and the Service's endpoints are those pods.
    const pods = Object.values(state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web');
    expect(pods.map((p) => p.spec.containers[0]!.image)).toEqual(['nginx:1.28', 'nginx:1.28', 'nginx:1.28']);
    const eps = serviceEndpoints(state, state.k8s.services['default/web']!).map((e) => e.ip).sort();
    expect(eps).toEqual(pods.map((p) => p.status.podIP).sort());
    expect(replicaSetsOf(state, d)).toHaveLength(2);
  });

  it('steps that are not yet due are not taken', () => {
    const { state, ctx } = setup();
    const d = state.k8s.deployments['default/web']!;
    const t = clone(d.spec.template);
    t.spec.containers[0]!.image = 'nginx:1.28';
    setDeploymentTemplate(state, d, t);
    reconcile(ctx);
    expect(progressRollouts({ ...ctx, now: ctx.now + ROLLOUT_STEP_MS - 1 }, reconcile)).toBe(false);
    expect(newReplicaSet(state, d)!.spec.replicas).toBe(1);
  });

  it('going back to an old template reuses its ReplicaSet, which becomes the newest revision', () => {
    const { state, ctx } = setup(1);
    const d = state.k8s.deployments['default/web']!;
    const first = newReplicaSet(state, d)!;
    const original = clone(d.spec.template);
    const t = clone(original);
    t.spec.containers[0]!.image = 'nginx:1.28';
    setDeploymentTemplate(state, d, t);
    reconcile(ctx);
    progressRollouts({ ...ctx, now: ctx.now + 10 * ROLLOUT_STEP_MS }, reconcile);
    setDeploymentTemplate(state, d, original);
    reconcile({ ...ctx, now: ctx.now + 11 * ROLLOUT_STEP_MS });
    expect(newReplicaSet(state, d)!.metadata.name).toBe(first.metadata.name);
    expect(revisionOf(first.metadata)).toBe(3);
    expect(replicaSetsOf(state, d).map((rs) => revisionOf(rs.metadata)).sort()).toEqual([2, 3]);
  });
});
