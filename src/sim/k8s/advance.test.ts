import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { clone } from '../clone';
import { VirtualClock } from '../clock';
import { rngOver } from '../rng';
import { Sim } from '../sim';
import type { SimState } from '../state';
import type { ApiContext } from './api';
import { advanceCluster } from './advance';
import { reconcile } from './controllers';
import { newReplicaSet, replicaSetsOf, setDeploymentTemplate } from './rollout';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const LEARNER = T0 + 600_000;

/** A web Deployment of three nginx pods whose image the learner has just changed (pods start over time). */
function changed(): { state: SimState; at: (now: number) => ApiContext } {
  const state = buildCluster({ nodes: 3, workloads: { deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.27' }] } }, 5, T0);
  const rng = rngOver(state.rng);
  const at = (now: number): ApiContext => ({ state, rng, now, podStartup: 'timed' });
  const d = state.k8s.deployments['default/web']!;
  const t = clone(d.spec.template);
  t.spec.containers[0]!.image = 'nginx:1.28';
  setDeploymentTemplate(state, d, t);
  reconcile(at(LEARNER));
  return { state, at };
}

const webImages = (state: SimState): string[] =>
  Object.values(state.k8s.pods)
    .filter((p) => p.metadata.labels?.app === 'web')
    .map((p) => `${p.spec.containers[0]!.image} ${p.status.phase}`)
    .sort();

describe('advancing the cluster to the clock', () => {
  it('finishes a rolling update left alone for a minute in one call, interleaving pod starts and rollout steps', () => {
    const { state, at } = changed();
    expect(advanceCluster(at(LEARNER + 60_000))).toBe(true);
    const d = state.k8s.deployments['default/web']!;
    const rs = newReplicaSet(state, d)!;
    expect(replicaSetsOf(state, d).map((r) => r.spec.replicas)).toEqual([0, 3]);
    expect(rs.status.availableReplicas).toBe(3);
    expect(webImages(state)).toEqual(['nginx:1.28 Running', 'nginx:1.28 Running', 'nginx:1.28 Running']);
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
  });

  it('ends in the same state whether it is called once or every 100 ms along the way', () => {
    const once = changed();
    advanceCluster(once.at(LEARNER + 30_000));
    const often = changed();
    for (let t = LEARNER; t <= LEARNER + 30_000; t += 100) advanceCluster(often.at(t));
    expect(JSON.stringify(often.state)).toBe(JSON.stringify(once.state));
  });

  it('changes nothing when called again for the same time, or when nothing is due', () => {
    const { state, at } = changed();
    advanceCluster(at(LEARNER + 5_000));
    const before = JSON.stringify(state);
    expect(advanceCluster(at(LEARNER + 5_000))).toBe(false);
    expect(JSON.stringify(state)).toBe(before);
    advanceCluster(at(LEARNER + 120_000));
    const settled = JSON.stringify(state);
    expect(advanceCluster(at(LEARNER + 600_000))).toBe(false);
    expect(JSON.stringify(state)).toBe(settled);
  });

  it('runs for anything that reads the model through the Sim, not only kubectl', () => {
    const { state } = changed();
    const clock = new VirtualClock(LEARNER);
    const sim = Sim.fromState(state, clock);
    clock.advance(60_000);
    // Looking up any pod (as a probe, a packet or a check does) brings the rollout to its end.
    sim.pod('kube-system', 'kube-proxy-x');
    expect(webImages(state)).toEqual(['nginx:1.28 Running', 'nginx:1.28 Running', 'nginx:1.28 Running']);
  });
});
