/**
 * The named topologies a free sandbox can start from (`npm run shell -- --cluster NAME`).
 *
 * Design notes: each is a declarative spec handed to the same builders the labs use, so a
 * topology is exactly what a lab on it would get: a kubeadm + flannel cluster (VXLAN or
 * host-gw, kube-proxy in iptables or IPVS mode), the same cluster with Canal (NetworkPolicy enforced), a larger cluster, the cluster with a
 * busybox and a nicolaka/netshoot debug pod, Docker hosts on one LAN, or two LANs of plain
 * Linux hosts joined by two routers.
 */
import { buildCluster } from './cluster';
import { buildDockerHosts } from './docker';
import { buildRoutedNetwork } from './routed';
import type { SimState } from './state';

export interface Topology {
  description: string;
  build(seed: number, createdAt: number): SimState;
}

export const TOPOLOGIES: Record<string, Topology> = {
  kubernetes: {
    description: 'a kubeadm cluster of 3 nodes (control-plane, node-1, node-2) with flannel VXLAN',
    build: (seed, t) => buildCluster({}, seed, t),
  },
  'kubernetes-host-gw': {
    description: 'the same cluster with flannel host-gw: plain routes between nodes, no tunnel',
    build: (seed, t) => buildCluster({ cni: 'flannel-host-gw' }, seed, t),
  },
  'kubernetes-6': {
    description: 'a kubeadm cluster of 6 nodes with flannel VXLAN',
    build: (seed, t) => buildCluster({ nodes: 6 }, seed, t),
  },
  docker: {
    description: 'two Docker hosts (host-1, host-2) on one LAN, each with docker0',
    build: (seed, t) => buildDockerHosts({}, seed, t),
  },
  routed: {
    description: 'two LANs of Linux hosts joined by two routers (router-1, router-2), no containers',
    build: (seed, t) => buildRoutedNetwork({}, seed, t),
  },
  'kubernetes-web': {
    description: 'the 3-node flannel VXLAN cluster with a web Deployment of three nginx pods, its Service and a busybox pod (client)',
    build: (seed, t) =>
      buildCluster(
        {
          workloads: {
            deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.27', ports: [80] }],
            pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] }],
            services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] }],
          },
        },
        seed,
        t,
      ),
  },
  'kubernetes-netshoot': {
    description: 'the 3-node flannel VXLAN cluster with a web Deployment and Service, a busybox pod (client) and a nicolaka/netshoot pod (netshoot)',
    build: (seed, t) =>
      buildCluster(
        {
          workloads: {
            deployments: [{ name: 'web', replicas: 2, image: 'nginx:1.27', ports: [80] }],
            pods: [
              { name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] },
              { name: 'netshoot', image: 'nicolaka/netshoot:v0.14', command: ['sleep', '3600'] },
            ],
            services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] }],
          },
        },
        seed,
        t,
      ),
  },
  'kubernetes-canal': {
    description: 'the 3-node cluster with Canal: Calico CNI (cali veths) and Felix enforcing NetworkPolicy, flannel VXLAN between nodes',
    build: (seed, t) => buildCluster({ cni: 'canal' }, seed, t),
  },
  'kubernetes-ipvs': {
    description: 'the 3-node flannel VXLAN cluster with kube-proxy in IPVS mode (kube-ipvs0, ipset, ipvsadm)',
    build: (seed, t) => buildCluster({ proxyMode: 'ipvs' }, seed, t),
  },
};
