import { describe, expect, it } from 'vitest';
import { openSession } from '../../../../tests/support/session';
import type { DaemonSet, Deployment } from '../../../sim/k8s/types';
import { daemonSetRolloutStatus, deploymentRolloutStatus } from './rollout';

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

describe('kubectl rollout status lines (DaemonSetStatusViewer)', () => {
  const ds = { metadata: { name: 'kube-flannel-ds' } } as DaemonSet;
  it('waits for new pods on every node, then for them to be available', () => {
    expect(daemonSetRolloutStatus(ds, { desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 2 })).toEqual({ line: 'Waiting for daemon set "kube-flannel-ds" rollout to finish: 1 out of 3 new pods have been updated...\n', done: false });
    expect(daemonSetRolloutStatus(ds, { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 })).toEqual({ line: 'Waiting for daemon set "kube-flannel-ds" rollout to finish: 2 of 3 updated pods are available...\n', done: false });
    expect(daemonSetRolloutStatus(ds, { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 })).toEqual({ line: 'daemon set "kube-flannel-ds" successfully rolled out\n', done: true });
  });
});

describe('kubectl rollout status --timeout', () => {
  it('gives up when the time passes with a pod still not ready, as kubectl does', async () => {
    const s = await openSession({ lab: 'fault-pod-not-ready' });
    const t0 = s.clock.now();
    const r = await s.run('kubectl rollout status deployment web --timeout=3s');
    expect(r.stdout).toMatch(/^Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available\.\.\.\n$/);
    expect(r.stderr).toBe('error: timed out waiting for the condition\n');
    expect(r.status).toBe(1);
    expect(s.clock.now() - t0).toBe(3000);
  });

  it('ends as soon as the rollout is done when that comes first', async () => {
    const s = await openSession();
    const t0 = s.clock.now();
    await s.run('kubectl scale deployment web --replicas=4');
    const r = await s.run('kubectl rollout status deployment web --timeout=1m');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
    expect(r.status).toBe(0);
    expect(s.clock.now() - t0).toBeLessThan(60_000);
  });

  it('refuses a duration Go cannot parse, changing nothing', async () => {
    const s = await openSession();
    const t0 = s.clock.now();
    expect(await s.run('kubectl rollout status deployment web --timeout=soon')).toEqual({
      stdout: '',
      stderr: 'error: invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"\nSee \'kubectl rollout status --help\' for usage.\n',
      status: 1,
    });
    expect(s.clock.now()).toBe(t0);
  });
});
