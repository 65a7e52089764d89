import { describe, expect, it } from 'vitest';
import { buildCluster, type ClusterSpec } from '../cluster';
import { rngOver } from '../rng';
import { createPod, createService, type ApiContext } from './api';
import { deleteObject, reconcile, scaleObject } from './controllers';
import { goDuration, KUBELET_ADMIT_MS, kubeletSync, MAX_PODS, pullMs, SANDBOX_MS } from './kubelet';
import type { Pod } from './types';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const LEARNER = T0 + 600_000;

function setup(spec: ClusterSpec = {}) {
  const state = buildCluster({ nodes: 3, workloads: { deployments: [{ name: 'web', replicas: 2, image: 'nginx:1.27' }] }, ...spec }, 5, T0);
  const rng = rngOver(state.rng);
  /** The shell's context at `now`: pods take their time. */
  const at = (now: number): ApiContext => ({ state, rng, now, podStartup: 'timed' });
  const events = (name: string) => (state.k8s.events ?? []).filter((e) => e.involvedObject.name === name);
  return { state, at, events };
}

const status = (p: Pod | undefined): string => (p ? (p.status.containerStatuses?.[0]?.state.waiting?.reason ?? p.status.phase) : 'gone');

describe('pod startup', () => {
  it('leaves pods of a cluster build Running at once, with the kubelet events of an image already present', () => {
    const { state, events } = setup();
    const web = Object.values(state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web');
    expect(web.map(status)).toEqual(['Running', 'Running']);
    expect(events(web[0]!.metadata.name).map((e) => e.reason)).toEqual(['Scheduled', 'Pulled', 'Created', 'Started']);
    expect(state.k8s.deployments['default/web']!.status.readyReplicas).toBe(2);
  });

  it('takes a shell-created pod through ContainerCreating: sandbox, pull, create, start, with kubelet messages in order', () => {
    const { state, at, events } = setup();
    createPod(at(LEARNER), { name: 'tools', namespace: 'default', spec: { containers: [{ name: 'tools', image: 'nicolaka/netshoot' }], nodeName: 'node-1' } });
    const pod = () => state.k8s.pods['default/tools'];
    // Bound, then picked up by the kubelet: Pending, then ContainerCreating.
    expect(status(pod())).toBe('Pending');
    kubeletSync(at(LEARNER + KUBELET_ADMIT_MS));
    expect(status(pod())).toBe('ContainerCreating');
    expect(pod()!.status.podIP).toBeUndefined();
    const t = LEARNER + KUBELET_ADMIT_MS;
    kubeletSync(at(t + SANDBOX_MS - 1));
    expect(pod()!.status.podIP).toBeUndefined();
    kubeletSync(at(t + SANDBOX_MS));
    expect(pod()!.status.podIP).toMatch(/^10\.244\.1\./);
    expect(status(pod())).toBe('ContainerCreating');
    const pull = pullMs('nicolaka/netshoot');
    kubeletSync(at(t + SANDBOX_MS + pull - 1));
    expect(status(pod())).toBe('ContainerCreating');
    kubeletSync(at(t + SANDBOX_MS + pull));
    expect(status(pod())).toBe('Running');
    const evs = events('tools');
    expect(evs.map((e) => e.reason)).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    expect(evs[0]!.message).toBe('Pulling image "nicolaka/netshoot"');
    expect(evs[1]!.message).toBe(`Successfully pulled image "nicolaka/netshoot" in ${goDuration(pull)} (${goDuration(pull)} including waiting). Image size: 208736121 bytes.`);
    expect(evs[1]!.lastTimestamp).not.toBe(evs[0]!.lastTimestamp);
    // The node has the image now: the next pod starts from it.
    createPod(at(LEARNER + 60_000), { name: 'tools2', namespace: 'default', spec: { containers: [{ name: 'tools', image: 'nicolaka/netshoot' }], nodeName: 'node-1' } });
    kubeletSync(at(LEARNER + 60_000 + KUBELET_ADMIT_MS + SANDBOX_MS));
    expect(status(state.k8s.pods['default/tools2'])).toBe('Running');
    expect(events('tools2').map((e) => e.message)).toContain('Container image "nicolaka/netshoot" already present on machine');
  });

  it('scales a Deployment: READY counts the new pods only once they have started', () => {
    const { state, at } = setup();
    scaleObject(at(LEARNER), 'deployments', 'default', 'web', 4);
    expect(state.k8s.deployments['default/web']!.status.readyReplicas).toBe(2);
    // The kubelets' catch-up hands over to the controllers, as advance.ts has it do.
    kubeletSync(at(LEARNER + KUBELET_ADMIT_MS + SANDBOX_MS), reconcile);
    expect(state.k8s.deployments['default/web']!.status.readyReplicas).toBe(4);
  });

  it('goDuration prints as Go does', () => {
    expect([goDuration(512), goDuration(2853), goDuration(3000), goDuration(61_500)]).toEqual(['512ms', '2.853s', '3s', '1m1.5s']);
  });
});

describe('volumes', () => {
  it('keeps a pod whose Secret is missing in ContainerCreating with FailedMount, backing off, and starts it once the Secret exists', () => {
    const { state, at, events } = setup();
    createPod(at(LEARNER), { name: 'app', namespace: 'default', spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], volumes: [{ name: 'creds', secret: { secretName: 'db-creds' } }] } });
    kubeletSync(at(LEARNER + 40_000));
    const pod = state.k8s.pods['default/app']!;
    expect(status(pod)).toBe('ContainerCreating');
    const failed = events('app').filter((e) => e.reason === 'FailedMount');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.type).toBe('Warning');
    expect(failed[0]!.message).toBe('MountVolume.SetUp failed for volume "creds" : secret "db-creds" not found');
    // 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s after the kubelet picked the pod up: seven tries in 40 s.
    expect(failed[0]!.count).toBe(7);
    state.k8s.secrets = { 'default/db-creds': { metadata: { name: 'db-creds', namespace: 'default', uid: 'u', resourceVersion: '1', creationTimestamp: '' } } };
    kubeletSync(at(LEARNER + KUBELET_ADMIT_MS + 63_499));
    expect(status(state.k8s.pods['default/app'])).toBe('ContainerCreating');
    kubeletSync(at(LEARNER + KUBELET_ADMIT_MS + 63_500 + SANDBOX_MS));
    expect(status(state.k8s.pods['default/app'])).toBe('Running');
  });

  it('says which ConfigMap is missing, and ignores optional sources', () => {
    const { state, at, events } = setup();
    createPod(at(LEARNER - KUBELET_ADMIT_MS), { name: 'cfg', namespace: 'default', spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], volumes: [{ name: 'opt', secret: { secretName: 'nope', optional: true } }, { name: 'conf', configMap: { name: 'web-conf' } }] } });
    kubeletSync(at(LEARNER));
    expect(events('cfg').find((e) => e.reason === 'FailedMount')?.message).toBe('MountVolume.SetUp failed for volume "conf" : configmap "web-conf" not found');
    expect(status(state.k8s.pods['default/cfg'])).toBe('ContainerCreating');
  });
});

describe('capacity', () => {
  it(`leaves pods beyond ${MAX_PODS} per node Pending with the scheduler's FailedScheduling, and schedules one when a pod leaves`, () => {
    const { state, at, events } = setup();
    createPod(at(LEARNER), { name: 'filler', namespace: 'default', spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], nodeName: 'node-1' } });
    scaleObject(at(LEARNER), 'deployments', 'default', 'web', 2 * MAX_PODS);
    const pendingNow = () => Object.values(state.k8s.pods).filter((x) => !x.spec.nodeName);
    const pending = pendingNow();
    expect(pending.length).toBeGreaterThan(0);
    const p = pending[0]!;
    expect(p.status.phase).toBe('Pending');
    const cond = p.status.conditions?.find((c) => c.type === 'PodScheduled');
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    const msg = '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Too many pods. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..';
    expect(cond!.message).toBe(msg);
    expect(events(p.metadata.name).map((e) => [e.type, e.reason, e.message, e.reportingComponent])).toEqual([['Warning', 'FailedScheduling', msg, 'default-scheduler']]);
    // Host-network pods (kube-proxy, flannel) count too.
    for (const node of ['node-1', 'node-2']) expect(Object.values(state.k8s.pods).filter((x) => x.spec.nodeName === node)).toHaveLength(MAX_PODS);
    // A pod no controller replaces leaves: the scheduler places a waiting one within a second.
    const before = pending.length;
    deleteObject(at(LEARNER + 10_000), 'pods', 'default', 'filler');
    kubeletSync(at(LEARNER + 10_999));
    expect(pendingNow()).toHaveLength(before);
    kubeletSync(at(LEARNER + 11_000));
    expect(pendingNow()).toHaveLength(before - 1);
    expect(Object.values(state.k8s.pods).filter((x) => x.spec.nodeName === 'node-1')).toHaveLength(MAX_PODS);
  });

  it('fails the sandbox with the CNI error while the node pod range is full, and starts the pod once an address is free', () => {
    const { state, at, events } = setup({ nodeCidrMaskSize: 28 });
    // A /28 holds 13 pods per node (.2 to .14); a bare pod takes one address on node-1.
    createPod(at(LEARNER), { name: 'filler', namespace: 'default', spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], nodeName: 'node-1' } });
    scaleObject(at(LEARNER), 'deployments', 'default', 'web', 30);
    kubeletSync(at(LEARNER + 5_000));
    const stuckOn = (node: string) => Object.values(state.k8s.pods).filter((p) => p.spec.nodeName === node && status(p) === 'ContainerCreating');
    const stuck = stuckOn('node-1');
    expect(stuck.length).toBeGreaterThan(0);
    expect(Object.values(state.k8s.pods).filter((p) => p.spec.nodeName === 'node-1' && p.status.phase === 'Running' && !p.spec.hostNetwork)).toHaveLength(13);
    const [net] = state.k8s.nodes['node-1']!.spec.podCIDR.split('/');
    const parts = net!.split('.').map(Number);
    const range = `${parts.slice(0, 3).join('.')}.${parts[3]! + 1}-${parts.slice(0, 3).join('.')}.${parts[3]! + 14}`;
    const fail = events(stuck[0]!.metadata.name).find((e) => e.reason === 'FailedCreatePodSandBox')!;
    expect(fail.type).toBe('Warning');
    expect(fail.message).toMatch(
      new RegExp(`^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]{64}": plugin type="flannel" failed \\(add\\): failed to delegate add: failed to allocate for range 0: no IP addresses available in range set: ${range.replace(/\./g, '\\.')}$`),
    );
    // The kubelet retries every 10 to 15 s: once the bare pod has gone, one waiting pod gets its address.
    deleteObject(at(LEARNER + 6_000), 'pods', 'default', 'filler');
    kubeletSync(at(LEARNER + 30_000));
    expect(stuckOn('node-1')).toHaveLength(stuck.length - 1);
    expect(Object.values(state.k8s.pods).filter((p) => p.spec.nodeName === 'node-1' && p.status.phase === 'Running' && !p.spec.hostNetwork)).toHaveLength(13);
  });
});

describe('ClusterIP allocation', () => {
  it('gives a Service created again a new random address', () => {
    const { state, at } = setup();
    const first = createService(at(LEARNER), { name: 'api', namespace: 'default', selector: { app: 'api' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] }).spec.clusterIP;
    deleteObject(at(LEARNER), 'services', 'default', 'api');
    const second = createService(at(LEARNER), { name: 'api', namespace: 'default', selector: { app: 'api' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] }).spec.clusterIP;
    expect(second).not.toBe(first);
    expect(state.k8s.services['default/api']!.metadata.uid).not.toBe(undefined);
  });
});
