import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../sim/k8s/types';
import { deploymentRolloutStatus } from './rollout';

const deployment = (replicas: number, status: Partial<Deployment['status']>, generation = 1): Deployment =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '1', creationTimestamp: '', generation },
    spec: { replicas, selector: { matchLabels: {} }, template: { metadata: { labels: {} }, spec: { containers: [] } } },
    status: { replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1, ...status },
  }) as Deployment;

describe('kubectl rollout status lines (DeploymentStatusViewer)', () => {
  it('waits for available replicas, then reports the rollout done', () => {
    expect(deploymentRolloutStatus(deployment(4, { availableReplicas: 2 }))).toEqual({ line: 'Waiting for deployment "web" rollout to finish: 2 of 4 updated replicas are available...\n', done: false });
    expect(deploymentRolloutStatus(deployment(4, {}))).toEqual({ line: 'deployment "web" successfully rolled out\n', done: true });
  });

  it('reports a spec not yet observed, replicas not yet updated and old ones pending termination', () => {
    expect(deploymentRolloutStatus(deployment(4, {}, 2)).line).toBe('Waiting for deployment spec update to be observed...\n');
    expect(deploymentRolloutStatus(deployment(4, { updatedReplicas: 1 })).line).toBe('Waiting for deployment "web" rollout to finish: 1 out of 4 new replicas have been updated...\n');
    expect(deploymentRolloutStatus(deployment(4, { replicas: 6 })).line).toBe('Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...\n');
  });
});
