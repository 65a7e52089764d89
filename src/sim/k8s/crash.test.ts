import { describe, expect, it } from 'vitest';
import '../apps';
import { findListener } from '../sockets';
import { buildCluster } from '../cluster';
import { rngOver } from '../rng';
import { createPod, type ApiContext } from './api';
import { containerLog } from './logs';
import { CRASH_BACKOFF_MAX_MS, kubeletSync, nextKubeletDue } from './kubelet';
import { programFails } from './crash';
import type { Container, Pod } from './types';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const LEARNER = T0 + 600_000;

function setup() {
  const state = buildCluster({ nodes: 3 }, 5, T0);
  const rng = rngOver(state.rng);
  const at = (now: number): ApiContext => ({ state, rng, now, podStartup: 'timed' });
  /** Runs the kubelet up to `until`, one due step at a time, calling `seen` after each. */
  const runUntil = (until: number, seen: (now: number) => void = () => {}): void => {
    for (let guard = 0; guard < 10_000; guard++) {
      const due = nextKubeletDue(state);
      if (due > until) break;
      kubeletSync(at(due));
      seen(due);
    }
    kubeletSync(at(until));
  };
  const events = (name: string, reason: string) => (state.k8s.events ?? []).filter((e) => e.involvedObject.name === name && e.reason === reason);
  return { state, at, runUntil, events };
}

const nginx = (name: string): Container => ({ name, image: 'nginx:1.27' });
const status = (p: Pod, name: string) => p.status.containerStatuses!.find((s) => s.name === name)!;

describe('a container whose program cannot bind its port', () => {
  it('exits after nginx\'s five bind() rounds, is restarted at once, then backs off 10 s, 20 s, ... in CrashLoopBackOff', () => {
    const { state, at, runUntil, events } = setup();
    createPod(at(LEARNER), { name: 'clash', namespace: 'default', spec: { containers: [nginx('web1'), nginx('web2')], nodeName: 'node-1' } });
    const pod = () => state.k8s.pods['default/clash']!;
    // Record every change of web2's state, with its time.
    const seen: { at: number; state: string; restarts: number }[] = [];
    const note = (now: number): void => {
      const s = pod().status.containerStatuses?.find((x) => x.name === 'web2');
      const name = s ? (s.state.running ? 'Running' : s.state.waiting?.reason ?? s.state.terminated?.reason ?? '') : '';
      const last = seen[seen.length - 1];
      if (s && (last?.state !== name || last.restarts !== s.restartCount)) seen.push({ at: now - LEARNER, state: name, restarts: s.restartCount });
    };
    runUntil(LEARNER + 20 * 60_000, note);
    const states = seen.map((s) => `${s.state}/${s.restarts}`);
    expect(states.slice(0, 8)).toEqual(['ContainerCreating/0', 'Running/0', 'Error/0', 'Running/1', 'Error/1', 'CrashLoopBackOff/1', 'Running/2', 'Error/2']);
    const started = seen.find((s) => s.state === 'Running')!.at;
    const when = (state: string, restarts: number) => seen.find((s) => s.state === state && s.restarts === restarts)!.at;
    // nginx gives up 2.65 s after it started; PLEG notices within a second, and the first restart is immediate.
    expect(when('Error', 0) - started).toBe(2_650);
    expect(when('Running', 1) - when('Error', 0)).toBe(1_000);
    // Each later restart waits for the back-off since the container finished (10 s, 20 s, 40 s, ...),
    // seen by a pod-worker sync that comes every 10-15 s.
    const waits = [1, 2, 3, 4, 5, 6, 7].map((n) => when('Running', n + 1) - when('Error', n));
    waits.forEach((w, i) => {
      const backoff = Math.min(10_000 * 2 ** i, CRASH_BACKOFF_MAX_MS);
      expect(w).toBeGreaterThanOrEqual(backoff);
      expect(w).toBeLessThanOrEqual(backoff + 16_000);
    });
    const web2 = status(pod(), 'web2');
    expect(web2.lastState?.terminated).toMatchObject({ reason: 'Error', exitCode: 1 });
    // web1 never noticed: it holds port 80 and serves; the pod is not ready while web2 is not.
    expect(status(pod(), 'web1')).toMatchObject({ ready: true, restartCount: 0 });
    expect(findListener(state, 'pod/default/clash', 'tcp', 80)?.program).toBe('nginx');
    expect(programFails(state, pod(), 'web2')).toBe(true);
    expect(programFails(state, pod(), 'web1')).toBe(false);
    const backOff = events('clash', 'BackOff');
    expect(backOff).toHaveLength(1);
    expect(backOff[0]!.message).toBe(`Back-off restarting failed container web2 in pod clash_default(${pod().metadata.uid})`);
    expect(backOff[0]!.count).toBeGreaterThan(8);
    expect(events('clash', 'Started').find((e) => e.message === 'Started container web2')!.count).toBe(web2.restartCount + 1);
  });

  it('reports the back-off in the waiting state and keeps the pod unready', () => {
    const { state, at, runUntil } = setup();
    createPod(at(LEARNER), { name: 'clash', namespace: 'default', spec: { containers: [nginx('web1'), nginx('web2')], nodeName: 'node-1' } });
    const pod = state.k8s.pods['default/clash']!;
    // Past the second exit, inside the first 10 s back-off.
    let t = LEARNER;
    runUntil(LEARNER + 60_000, (now) => {
      if (t === LEARNER && status(pod, 'web2').state.waiting?.reason === 'CrashLoopBackOff') t = now;
    });
    expect(t).toBeGreaterThan(LEARNER);
    runUntil(t);
    const w = status(pod, 'web2');
    if (w.state.waiting) expect(w.state.waiting.message).toMatch(/^back-off (10s|20s|40s) restarting failed container=web2 pod=clash_default\(/);
    const ready = pod.status.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web2]' });
  });

  it('writes nginx\'s bind() errors to the log of the instance that failed', () => {
    const { state, at, runUntil } = setup();
    createPod(at(LEARNER), { name: 'clash', namespace: 'default', spec: { containers: [nginx('web1'), nginx('web2')], nodeName: 'node-1' } });
    runUntil(LEARNER + 30_000);
    const pod = state.k8s.pods['default/clash']!;
    const text = containerLog(state, pod, 'web2').map((l) => l.text);
    expect(text[0]).toBe('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
    expect(text.slice(9, 14).map((l) => l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, ''))).toEqual([
      '[emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)',
      'nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)',
      '[emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)',
      'nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)',
      '[notice] 1#1: try again to bind() after 500ms',
    ]);
    expect(text.filter((l) => l.includes('try again'))).toHaveLength(5);
    expect(text.slice(-2).map((l) => l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, ''))).toEqual(['[emerg] 1#1: still could not bind()', 'nginx: [emerg] still could not bind()']);
    // web1's log is nginx starting normally.
    expect(containerLog(state, pod, 'web1').map((l) => l.text).some((l) => l.endsWith('start worker processes'))).toBe(true);
    // The previous instance has a log of its own; waiting in CrashLoopBackOff, the container
    // serves the last one's, which is also the previous one.
    const prev = containerLog(state, pod, 'web2', true);
    expect(prev.length).toBe(text.length);
    const w = status(pod, 'web2');
    if (w.state.running) expect(prev[prev.length - 1]!.ts < containerLog(state, pod, 'web2')[0]!.ts).toBe(true);
    else expect(prev).toEqual(containerLog(state, pod, 'web2'));
    expect(Date.parse(prev[0]!.ts)).toBeGreaterThanOrEqual(Date.parse(w.lastState!.terminated!.startedAt!));
  });

  it('says `Address in use` in the Alpine image, whose C library is musl', () => {
    const { state, at, runUntil } = setup();
    createPod(at(LEARNER), { name: 'clash', namespace: 'default', spec: { containers: [nginx('web1'), { name: 'web2', image: 'nginx:1.27-alpine' }], nodeName: 'node-1' } });
    runUntil(LEARNER + 20_000);
    const text = containerLog(state, state.k8s.pods['default/clash']!, 'web2').map((l) => l.text);
    expect(text).toContain('nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)');
  });

  it('lets containers on different ports share a pod, and leaves a container with restartPolicy Never as it ended', () => {
    const { state, at, runUntil } = setup();
    createPod(at(LEARNER), { name: 'side', namespace: 'default', spec: { containers: [nginx('web'), { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', '3600'] }], nodeName: 'node-1' } });
    createPod(at(LEARNER), { name: 'once', namespace: 'default', spec: { containers: [nginx('a'), nginx('b')], nodeName: 'node-2', restartPolicy: 'Never' } });
    runUntil(LEARNER + 120_000);
    const side = state.k8s.pods['default/side']!;
    expect(side.status.containerStatuses!.every((s) => s.ready && s.restartCount === 0)).toBe(true);
    expect(state.k8s.crashing?.['default/side/web']).toBeUndefined();
    const once = state.k8s.pods['default/once']!;
    expect(status(once, 'b')).toMatchObject({ restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1 } } });
    expect(once.status.phase).toBe('Running');
  });

  it('makes a host-network program collide with what listens on its node', () => {
    const { state, at, runUntil } = setup();
    createPod(at(LEARNER), { name: 'h1', namespace: 'default', spec: { hostNetwork: true, containers: [nginx('nginx')], nodeName: 'node-1' } });
    createPod(at(LEARNER), { name: 'h2', namespace: 'default', spec: { hostNetwork: true, containers: [nginx('nginx')], nodeName: 'node-1' } });
    createPod(at(LEARNER), { name: 'h3', namespace: 'default', spec: { hostNetwork: true, containers: [nginx('nginx')], nodeName: 'node-2' } });
    runUntil(LEARNER + 60_000);
    const restarts = (name: string) => status(state.k8s.pods[`default/${name}`]!, 'nginx').restartCount;
    expect(restarts('h1')).toBe(0);
    expect(restarts('h2')).toBeGreaterThan(0);
    expect(restarts('h3')).toBe(0);
    // The node's own namespace holds nginx's sockets: port 80 of node-1 is h1's.
    expect(findListener(state, 'node/node-1', 'tcp', 80)?.program).toBe('nginx');
    expect(findListener(state, 'pod/default/h1', 'tcp', 80)).toBeUndefined();
  });

  it('keeps two pods that want the same host port off one node (the scheduler\'s NodePorts filter)', () => {
    const { state, at, runUntil } = setup();
    const spec = (name: string) => ({ name, namespace: 'default', spec: { hostNetwork: true, nodeSelector: { 'kubernetes.io/hostname': 'node-2' }, containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' as const }] }] } });
    createPod(at(LEARNER), spec('h1'));
    createPod(at(LEARNER), spec('h2'));
    runUntil(LEARNER + 60_000);
    expect(state.k8s.pods['default/h1']!.spec.nodeName).toBe('node-2');
    const h2 = state.k8s.pods['default/h2']!;
    expect(h2.spec.nodeName).toBeUndefined();
    expect(h2.status.conditions?.find((c) => c.type === 'PodScheduled')?.message).toBe(
      "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling..",
    );
  });
});
