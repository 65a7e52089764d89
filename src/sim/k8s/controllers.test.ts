import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { rngOver } from '../rng';
import { syncProxyRules } from './kube-proxy';
import { serviceEndpoints } from './endpoints';
import { deleteObject, patchLabels, podsToDelete, scaleObject } from './controllers';
import type { Pod } from './types';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const setup = () => {
  const state = buildCluster(
    { nodes: 3, workloads: { deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.27' }], services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] }] } },
    5,
    T0,
  );
  return { state, ctx: { state, rng: rngOver(state.rng), now: T0 + 600_000 } };
};
const webPods = (state: ReturnType<typeof setup>['state']): Pod[] => Object.values(state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web');
const natText = (state: ReturnType<typeof setup>['state']): string => JSON.stringify(state.kubeProxy);

describe('controllers', () => {
  it('replaces a deleted ReplicaSet pod with a new name and a new address, and frees the old one', () => {
    const { state, ctx } = setup();
    const victim = webPods(state)[0]!;
    const node = victim.spec.nodeName!;
    const before = state.k8s.alloc.podIpam[node]!.used.length;
    deleteObject(ctx, 'pods', 'default', victim.metadata.name);
    const after = webPods(state);
    expect(after).toHaveLength(3);
    expect(after.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    const fresh = after.find((p) => p.metadata.creationTimestamp !== victim.metadata.creationTimestamp)!;
    expect(fresh.metadata.name).toMatch(/^web-[a-z0-9]+-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(fresh.status.podIP).not.toBe(victim.status.podIP);
    expect(state.netns[`pod/default/${victim.metadata.name}`]).toBeUndefined();
    // The old address left IPAM (the new pod may have taken one on another node).
    const used = Object.values(state.k8s.alloc.podIpam).reduce((a, x) => a + x.used.length, 0);
    expect(state.k8s.alloc.podIpam[node]!.used.length).toBeLessThanOrEqual(before);
    expect(used).toBeGreaterThan(0);
    const reasons = (state.k8s.events ?? []).map((e) => e.reason);
    expect(reasons).toContain('Killing');
    expect(reasons.filter((r) => r === 'SuccessfulCreate').length).toBeGreaterThan(3);
  });

  it('deletes a Deployment with its ReplicaSet and pods', () => {
    const { state, ctx } = setup();
    const ips = webPods(state).map((p) => p.status.podIP);
    deleteObject(ctx, 'deployments', 'default', 'web');
    expect(webPods(state)).toHaveLength(0);
    expect(Object.keys(state.k8s.replicasets).filter((k) => k.startsWith('default/'))).toHaveLength(0);
    expect(serviceEndpoints(state, state.k8s.services['default/web']!)).toHaveLength(0);
    expect(ips.every((ip) => !Object.values(state.netns).some((ns) => ns.devices.some((d) => d.addrs.some((a) => a.ip === Number(ip!.split('.').reduce((x, y) => x * 256 + Number(y), 0)))))))
      .toBe(true);
  });

  it('frees a deleted Service ClusterIP and drops its kube-proxy rules', () => {
    const { state, ctx } = setup();
    syncProxyRules(state);
    const ip = state.k8s.services['default/web']!.spec.clusterIP!;
    expect(natText(state)).toContain('default/web');
    deleteObject(ctx, 'services', 'default', 'web');
    syncProxyRules(state);
    expect(state.k8s.alloc.serviceIps).not.toContain(ip);
    expect(natText(state)).not.toContain('default/web');
    expect(() => deleteObject(ctx, 'services', 'default', 'web')).toThrow('services "web" not found');
  });

  it('scales up and down through the ReplicaSet', () => {
    const { state, ctx } = setup();
    scaleObject(ctx, 'deployments', 'default', 'web', 5);
    expect(webPods(state)).toHaveLength(5);
    expect(state.k8s.deployments['default/web']!.status.readyReplicas).toBe(5);
    scaleObject(ctx, 'deployments', 'default', 'web', 1);
    expect(webPods(state)).toHaveLength(1);
    const rs = Object.values(state.k8s.replicasets).find((r) => r.metadata.name.startsWith('web-'))!;
    expect(rs.spec.replicas).toBe(1);
    expect(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('1');
    // Scaling the ReplicaSet itself is undone by its Deployment.
    scaleObject(ctx, 'replicasets', 'default', rs.metadata.name, 4);
    expect(webPods(state)).toHaveLength(1);
    expect((state.k8s.events ?? []).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message)).toContain(`Scaled down replica set ${rs.metadata.name} from 5 to 1`);
  });

  it('deletes doubled-up pods first, then the newest', () => {
    const pod = (name: string, node: string, created: string): Pod =>
      ({ metadata: { name, creationTimestamp: created }, spec: { nodeName: node, containers: [] }, status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] } }) as unknown as Pod;
    const pods = [pod('a', 'n1', '2025-01-01T00:00:00Z'), pod('b', 'n1', '2025-01-01T00:00:01Z'), pod('c', 'n2', '2025-01-01T00:00:05Z')];
    expect(podsToDelete(pods, pods, 1).map((p) => p.metadata.name)).toEqual(['b']);
    expect(podsToDelete(pods, pods, 2).map((p) => p.metadata.name)).toEqual(['b', 'a']);
  });

  it('releases a relabelled pod, starts a replacement, and the Service follows', () => {
    const { state, ctx } = setup();
    const svc = state.k8s.services['default/web']!;
    const victim = webPods(state)[0]!;
    patchLabels(ctx, 'pods', 'default', victim.metadata.name, { app: 'debug' }, []);
    expect(victim.metadata.ownerReferences).toBeUndefined();
    expect(webPods(state)).toHaveLength(3);
    const eps = serviceEndpoints(state, svc).map((e) => e.pod);
    expect(eps).not.toContain(victim.metadata.name);
    expect(eps).toHaveLength(3);
    // Back again: the ReplicaSet adopts it and removes one surplus pod.
    patchLabels(ctx, 'pods', 'default', victim.metadata.name, { app: 'web' }, []);
    expect(webPods(state)).toHaveLength(3);
    expect(() => patchLabels(ctx, 'pods', 'default', victim.metadata.name, { 'bad key': 'x' }, [])).toThrow(/metadata.labels: Invalid value: "bad key"/);
  });

  it('refuses to delete the default namespace and recreates a deleted static pod', () => {
    const { state, ctx } = setup();
    expect(() => deleteObject(ctx, 'namespaces', '', 'default')).toThrow('namespaces "default" is forbidden: this namespace may not be deleted');
    const key = 'kube-system/etcd-control-plane';
    const uid = state.k8s.pods[key]!.metadata.uid;
    deleteObject(ctx, 'pods', 'kube-system', 'etcd-control-plane');
    expect(state.k8s.pods[key]!.metadata.uid).not.toBe(uid);
  });

  it('deleting a DaemonSet pod brings one back on the same node', () => {
    const { state, ctx } = setup();
    const p = Object.values(state.k8s.pods).find((x) => x.metadata.labels?.['k8s-app'] === 'kube-proxy')!;
    deleteObject(ctx, 'pods', 'kube-system', p.metadata.name);
    const again = Object.values(state.k8s.pods).filter((x) => x.metadata.labels?.['k8s-app'] === 'kube-proxy' && x.spec.nodeName === p.spec.nodeName);
    expect(again).toHaveLength(1);
    expect(again[0]!.metadata.name).not.toBe(p.metadata.name);
  });
});
