import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildCluster } from '../cluster';
import { podCounts, schedule, type ScheduleCache } from './scheduler';
import type { Pod } from './types';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const pod = (tolerations?: Pod['spec']['tolerations']): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u', resourceVersion: '1', creationTimestamp: '2025-03-14T09:00:00Z' }, spec: { containers: [], ...(tolerations ? { tolerations } : {}) }, status: { phase: 'Pending' } });

describe('scheduler', () => {
  it('picks the eligible node with the fewest pods, ties in node order, skipping full ones', () => {
    const state = buildCluster({ nodes: 4 }, 1, T0);
    const counts = podCounts(state);
    Object.assign(counts, { 'node-1': 3, 'node-2': 1, 'node-3': 1 });
    expect(schedule(state, pod())).toBe('node-2');
    expect(schedule(state, pod(), undefined, (n) => n !== 'node-2')).toBe('node-3');
    // The control plane's NoSchedule taint keeps it out unless tolerated.
    counts['control-plane'] = 0;
    expect(schedule(state, pod())).toBe('node-2');
    expect(schedule(state, pod([{ operator: 'Exists' }]))).toBe('control-plane');
  });

  it('gives the same answers with a build\'s cache as a full scan does, placement after placement', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(6), { minLength: 6, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 6, maxLength: 6 }), fc.integer({ min: 1, max: 60 }), (start, caps, placements) => {
        const state = buildCluster({ nodes: 7 }, 2, T0);
        const workers = Object.keys(state.k8s.nodes).slice(1);
        const counts = podCounts(state);
        workers.forEach((n, i) => (counts[n] = start[i]!));
        const cap = new Map(workers.map((n, i) => [n, start[i]! + caps[i]!] as const));
        const fits = (n: string): boolean => (counts[n] ?? 0) < (cap.get(n) ?? 0);
        const cache: ScheduleCache = new Map();
        for (let i = 0; i < placements; i++) {
          const full = schedule(state, pod(), undefined, fits);
          const cached = schedule(state, pod(), cache, fits);
          expect(cached).toBe(full);
          if (!cached) break;
          counts[cached] = (counts[cached] ?? 0) + 1;
        }
      }),
      { numRuns: 300 },
    );
  });
});
