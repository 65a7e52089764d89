import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { machineProcesses } from '../host/processes';
import { podView } from './defaults';
import { controlPlaneNode, mirrorPodExtras, staticPodCommand, staticPodManifest, staticPodManifests, STATIC_COMPONENTS } from './kubeadm';

const T0 = Date.UTC(2025, 2, 14, 9, 18, 0);

type Obj = Record<string, unknown>;
const container = (pod: Obj): Obj => ((pod.spec as Obj).containers as Obj[])[0]!;

describe('the control plane as kubeadm writes it', () => {
  it('puts the four manifests on the control-plane node only', () => {
    const s = buildCluster({ nodes: 3 }, 1, T0);
    expect(controlPlaneNode(s)).toBe('control-plane');
    expect(Object.keys(staticPodManifests(s, 'control-plane'))).toEqual(STATIC_COMPONENTS.map((c) => `/etc/kubernetes/manifests/${c}.yaml`));
    expect(staticPodManifests(s, 'node-1')).toEqual({});
  });

  it('gives kube-controller-manager the pod range and the service range, and kube-apiserver the service range', () => {
    const s = buildCluster({ nodes: 2 }, 1, T0);
    const kcm = staticPodCommand(s, 'kube-controller-manager', 'control-plane');
    expect(kcm).toContain('--allocate-node-cidrs=true');
    expect(kcm).toContain('--cluster-cidr=10.244.0.0/16');
    expect(kcm).toContain('--service-cluster-ip-range=10.96.0.0/12');
    // The per-node block size is kube-controller-manager's default (24): kubeadm writes no flag.
    expect(kcm.some((a) => a.startsWith('--node-cidr-mask-size'))).toBe(false);
    // ArgumentsToCommand sorts the flags by name.
    expect(kcm.slice(1)).toEqual([...kcm.slice(1)].sort());
    expect(staticPodCommand(s, 'kube-apiserver', 'control-plane')).toContain('--service-cluster-ip-range=10.96.0.0/12');
    expect(staticPodCommand(s, 'kube-apiserver', 'control-plane')).toContain('--advertise-address=192.168.49.2');
  });

  it('follows the cluster it was built for: other ranges, another block size', () => {
    const s = buildCluster({ nodes: 2, podCidr: '10.32.0.0/12', nodeCidrMaskSize: 26, serviceCidr: '172.20.0.0/16' }, 1, T0);
    const kcm = staticPodCommand(s, 'kube-controller-manager', 'control-plane');
    expect(kcm).toContain('--cluster-cidr=10.32.0.0/12');
    expect(kcm).toContain('--node-cidr-mask-size=26');
    expect(kcm).toContain('--service-cluster-ip-range=172.20.0.0/16');
    expect(s.k8s.nodes['node-1']!.spec.podCIDR).toBe('10.32.0.64/26');
    expect(s.k8s.services['default/kubernetes']!.spec.clusterIP).toBe('172.20.0.1');
  });

  it('shows the same command in the file, in the mirror pod and in the process table', () => {
    const s = buildCluster({ nodes: 2 }, 1, T0);
    const now = T0 + 600_000;
    const cmdlines = machineProcesses(s, 'control-plane', now).map((p) => p.cmd);
    for (const c of STATIC_COMPONENTS) {
      const file = container(staticPodManifest(s, c, 'control-plane')).command as string[];
      const mirror = s.k8s.pods[`kube-system/${c}-control-plane`]!;
      expect(container(podView(s, mirror)).command, c).toEqual(file);
      expect(cmdlines, c).toContain(file.join(' '));
    }
  });

  it('gives a mirror pod the kubelet annotations, its node as owner, and the probe default the file leaves out', () => {
    const s = buildCluster({ nodes: 2 }, 7, T0);
    const pod = s.k8s.pods['kube-system/kube-apiserver-control-plane']!;
    const view = podView(s, pod) as Obj;
    const meta = view.metadata as Obj;
    const ann = meta.annotations as Record<string, string>;
    expect(ann['kubernetes.io/config.source']).toBe('file');
    expect(ann['kubernetes.io/config.hash']).toMatch(/^[0-9a-f]{32}$/);
    expect(ann['kubernetes.io/config.mirror']).toBe(ann['kubernetes.io/config.hash']);
    expect(ann['kubernetes.io/config.seen']).toMatch(/^2025-03-14T09:1\d:\d\d\.\d*[1-9]Z$/);
    expect(ann['kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint']).toBe('192.168.49.2:6443');
    expect(meta.ownerReferences).toEqual([{ apiVersion: 'v1', controller: true, kind: 'Node', name: 'control-plane', uid: s.k8s.nodes['control-plane']!.metadata.uid }]);
    expect(container(view).readinessProbe).toEqual({ failureThreshold: 3, httpGet: { host: '192.168.49.2', path: '/readyz', port: 6443, scheme: 'HTTPS' }, periodSeconds: 1, successThreshold: 1, timeoutSeconds: 15 });
    // The stored object is untouched; an ordinary pod gets nothing of this.
    expect(pod.metadata.ownerReferences).toBeUndefined();
    const coredns = Object.values(s.k8s.pods).find((p) => p.metadata.labels?.['k8s-app'] === 'kube-dns')!;
    expect(mirrorPodExtras(s, coredns)).toBeUndefined();
  });
});
