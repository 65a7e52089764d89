import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { apiView, imagePullPolicy, podTolerations, qosClass, runtimeImage } from './defaults';
import { addQuantity, formatQuantity, parseQuantity } from './quantity';
import type { Pod } from './types';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const build = () =>
  buildCluster(
    { workloads: { deployments: [{ name: 'web', replicas: 2, image: 'nginx:1.27', ports: [80] }], services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] }] } },
    3,
    T0,
  );
type Obj = Record<string, unknown>;
const pod = (state: ReturnType<typeof build>, pred: (p: Pod) => boolean): Pod => Object.values(state.k8s.pods).find(pred)!;

describe('quantities', () => {
  it('read, add and print as apimachinery does', () => {
    const q = (t: string) => formatQuantity(parseQuantity(t)!);
    expect(['100m', '1', '1000m', '1500m', '70Mi', '1024Ki', '4013944Ki', '27922798956', '1000', '0', '110'].map(q)).toEqual(['100m', '1', '1', '1500m', '70Mi', '1Mi', '4013944Ki', '27922798956', '1k', '0', '110']);
    expect(formatQuantity(addQuantity(parseQuantity('70Mi')!, parseQuantity('100Mi')!))).toBe('170Mi');
    expect(formatQuantity(addQuantity(parseQuantity('250m')!, parseQuantity('750m')!))).toBe('1');
    expect(parseQuantity('lots')).toBeUndefined();
  });
});

describe('the API view of stored objects', () => {
  it('defaults a pod as admission and the kubelet do, deterministically', () => {
    const state = build();
    const web = pod(state, (p) => p.metadata.labels?.app === 'web');
    const view = apiView(state, web) as { spec: Obj & { containers: Obj[]; volumes: Obj[] }; status: Obj & { containerStatuses: Obj[]; conditions: Obj[] } };
    expect(view).toEqual(apiView(state, web));
    expect(view.spec).toMatchObject({ dnsPolicy: 'ClusterFirst', enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0, restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, serviceAccount: 'default', serviceAccountName: 'default', terminationGracePeriodSeconds: 30 });
    expect(view.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    const access = view.spec.volumes.at(-1)!.name as string;
    expect(access).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(view.spec.containers[0]!.volumeMounts).toEqual([{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: access, readOnly: true }]);
    expect(view.status.conditions.every((c) => c.lastProbeTime === null)).toBe(true);
    expect(view.status.containerStatuses[0]).toMatchObject({ image: 'docker.io/library/nginx:1.27', lastState: {} });
    expect(view.status.containerStatuses[0]!.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(view.status.hostIPs).toEqual([{ ip: web.status.hostIP }]);
    expect(view.status.qosClass).toBe('BestEffort');
    // The stored pod is left as it was.
    expect(web.spec.volumes).toBeUndefined();
    expect((web.spec as unknown as Obj).schedulerName).toBeUndefined();
  });

  it('gives tolerations as DefaultTolerationSeconds and the DaemonSet controller add them', () => {
    const state = build();
    const web = pod(state, (p) => p.metadata.labels?.app === 'web');
    expect(podTolerations(web)).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    const proxy = pod(state, (p) => p.metadata.labels?.['k8s-app'] === 'kube-proxy');
    const keys = podTolerations(proxy).map((t) => `${t.key ?? ''}:${t.effect ?? ''}`);
    expect(keys).toEqual([':', 'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule', 'node.kubernetes.io/network-unavailable:NoSchedule']);
    expect(podTolerations(proxy).some((t) => t.tolerationSeconds !== undefined)).toBe(false);
    const etcd = pod(state, (p) => p.metadata.name.startsWith('etcd-'));
    expect(podTolerations(etcd)).toEqual([{ operator: 'Exists', effect: 'NoExecute' }]);
  });

  it('computes the QoS class and pull policy from the spec', () => {
    const state = build();
    const dns = pod(state, (p) => p.metadata.labels?.['k8s-app'] === 'kube-dns');
    expect(qosClass(dns.spec)).toBe('Burstable');
    expect(qosClass({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] })).toBe('Guaranteed');
    expect(qosClass({ containers: [{ name: 'a', image: 'x' }] })).toBe('BestEffort');
    expect(['nginx', 'nginx:latest', 'nginx:1.27', 'localhost:5000/app', 'r.io/a/b@sha256:00'].map(imagePullPolicy)).toEqual(['Always', 'Always', 'IfNotPresent', 'Always', 'IfNotPresent']);
    expect(['busybox:1.36', 'nicolaka/netshoot', 'registry.k8s.io/pause:3.10'].map(runtimeImage)).toEqual(['docker.io/library/busybox:1.36', 'docker.io/nicolaka/netshoot:latest', 'registry.k8s.io/pause:3.10']);
  });

  it('fills in Deployment, Service, Namespace and Node defaults', () => {
    const state = build();
    const d = apiView(state, state.k8s.deployments['default/web']) as { spec: Obj & { template: { metadata: Obj } }; status: { conditions: Obj[] } };
    expect(d.spec).toMatchObject({ progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' } });
    expect(d.spec.template.metadata.creationTimestamp).toBeNull();
    expect(d.status.conditions.map((c) => `${c.type}/${c.status}/${c.reason}`)).toEqual(['Available/True/MinimumReplicasAvailable', 'Progressing/True/NewReplicaSetAvailable']);
    const svc = apiView(state, state.k8s.services['default/web']) as { spec: Obj & { ports: Obj[] } };
    expect(svc.spec).toMatchObject({ internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
    expect(apiView(state, state.k8s.namespaces['default'])).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    const node = apiView(state, state.k8s.nodes['node-1']) as { status: Obj & { nodeInfo: Obj }; metadata: { annotations: Record<string, string> } };
    expect(node.status.allocatable).toMatchObject({ cpu: '2', pods: '110', memory: '3911544Ki' });
    expect(node.status.nodeInfo.machineID).toMatch(/^[0-9a-f]{32}$/);
    expect(node.status.nodeInfo.bootID).not.toBe(node.status.nodeInfo.systemUUID);
    expect(node.metadata.annotations['flannel.alpha.coreos.com/backend-type']).toBe('vxlan');
    expect(node.metadata.annotations['flannel.alpha.coreos.com/public-ip']).toBe(state.k8s.nodes['node-1']!.status.addresses[0]!.address);
    // Kinds without defaults come back as they are.
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    expect(apiView(state, cm)).toBe(cm);
  });
});
