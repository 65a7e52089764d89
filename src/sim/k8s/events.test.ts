import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { clone } from '../clone';
import { EVENT_TTL_MS, MAX_EVENTS, eventsFor, liveEvents, recordEvent } from './events';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const spec = { nodes: 3, workloads: { deployments: [{ name: 'web', replicas: 2, image: 'nginx:1.27' }] } };

describe('events', () => {
  it('records what the scheduler, kubelet and controllers report when a Deployment is created', () => {
    const s = buildCluster(spec, 1, T0);
    const pod = Object.values(s.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    const reasons = eventsFor(s, T0 + 300_000, { kind: 'Pod', namespace: 'default', name: pod.metadata.name, uid: pod.metadata.uid }).map((e) => e.reason);
    expect(reasons).toEqual(['Scheduled', 'Pulled', 'Created', 'Started']);
    const sched = eventsFor(s, T0 + 300_000, { kind: 'Pod', namespace: 'default', name: pod.metadata.name })[0]!;
    expect(sched.message).toBe(`Successfully assigned default/${pod.metadata.name} to ${pod.spec.nodeName}`);
    expect(sched.firstTimestamp).toBeNull();
    expect(sched.reportingComponent).toBe('default-scheduler');
    const rs = Object.values(s.k8s.replicasets).find((r) => r.metadata.name.startsWith('web-'))!;
    const scaled = eventsFor(s, T0 + 300_000, { kind: 'Deployment', namespace: 'default', name: 'web' });
    expect(scaled.map((e) => e.message)).toEqual([`Scaled up replica set ${rs.metadata.name} from 0 to 2`]);
    expect(eventsFor(s, T0 + 300_000, { kind: 'ReplicaSet', namespace: 'default', name: rs.metadata.name }).map((e) => e.message).sort()).toEqual(
      Object.values(s.k8s.pods).filter((p) => p.metadata.labels?.app === 'web').map((p) => `Created pod: ${p.metadata.name}`).sort(),
    );
  });

  it('folds an identical repeat into one event with a count and a new lastTimestamp', () => {
    const s = buildCluster({ nodes: 1 }, 1, T0);
    const init = { involved: { kind: 'Pod', namespace: 'default', name: 'x', uid: 'u' }, type: 'Warning' as const, reason: 'BackOff', message: 'Back-off restarting failed container', source: 'kubelet', host: 'control-plane' };
    const before = s.k8s.events!.length;
    recordEvent(s, init, T0 + 1000);
    const e = recordEvent(s, init, T0 + 61_000);
    expect(s.k8s.events!.length).toBe(before + 1);
    expect(e.count).toBe(2);
    expect(e.lastTimestamp).toBe('2025-03-14T09:01:01Z');
    expect(e.firstTimestamp).toBe('2025-03-14T09:00:01Z');
    recordEvent(s, { ...init, message: 'other' }, T0 + 62_000);
    expect(s.k8s.events!.length).toBe(before + 2);
  });

  it('folds repeats after a snapshot restore too, and restores a snapshot that has no events', () => {
    const s = buildCluster({ nodes: 1 }, 1, T0);
    const init = { involved: { kind: 'Pod', namespace: 'default', name: 'x' }, type: 'Normal' as const, reason: 'R', message: 'm', source: 'kubelet' };
    recordEvent(s, init, T0);
    const restored = clone(s);
    expect(recordEvent(restored, init, T0 + 5000).count).toBe(2);
    const old = clone(s);
    delete old.k8s.events;
    expect(liveEvents(old, T0)).toEqual([]);
    expect(recordEvent(old, init, T0).count).toBe(1);
  });

  it('forgets events an hour after they were last seen, and keeps at most MAX_EVENTS', () => {
    const s = buildCluster({ nodes: 1 }, 1, T0);
    expect(liveEvents(s, T0 + EVENT_TTL_MS + 60_000)).toEqual([]);
    for (let i = 0; i < MAX_EVENTS + 10; i++) recordEvent(s, { involved: { kind: 'Pod', namespace: 'default', name: `p${i}` }, type: 'Normal', reason: 'R', message: 'm', source: 'kubelet' }, T0 + 1000);
    expect(s.k8s.events!.length).toBeLessThanOrEqual(MAX_EVENTS);
    expect(s.k8s.events!.at(-1)!.involvedObject.name).toBe(`p${MAX_EVENTS + 9}`);
  });

  it('keeps the newest events of a cluster too big to record all of them', () => {
    const deployments = Array.from({ length: 60 }, (_, i) => ({ name: `app-${i}`, replicas: 5, image: 'nginx:1.27' }));
    const s = buildCluster({ nodes: 3, workloads: { deployments } }, 1, T0);
    const names = new Set(s.k8s.events!.map((e) => e.involvedObject.name));
    expect(names.has('app-59')).toBe(true);
    expect(names.has('app-0')).toBe(false);
    expect(s.k8s.events!.length).toBeLessThanOrEqual(MAX_EVENTS);
  });
});
