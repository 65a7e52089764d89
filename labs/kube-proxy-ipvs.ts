import { defineLab } from '../src/labs/schema';
import { KUBE_PROXY_MANIFESTS } from './kube-proxy';

/**
 * The kube-proxy lab's sandbox with kube-proxy in IPVS mode: the same seed, manifests and so
 * the same Service, ClusterIP and endpoints, so the lesson can quote the two modes side by side
 * (`<Try lab="kube-proxy-ipvs" ...>`). A playground: no tasks; a lab runs on one topology, and
 * this one exists so the lesson's IPVS commands run in a sandbox of their own.
 */
export const kubeProxyIpvs = defineLab({
  id: 'kube-proxy-ipvs',
  title: 'The same Service under IPVS',
  summary: 'The kube-proxy lab\'s cluster with kube-proxy in IPVS mode: the same pods, Service and ClusterIP, served by the kernel\'s IP Virtual Server instead of nat chains.',
  topology: { name: 'kubernetes', nodes: 3, kubeProxy: 'ipvs' },
  manifests: KUBE_PROXY_MANIFESTS,
  bindings: {
    client: { pod: { name: 'client' } },
    web: { service: { name: 'web' } },
    clientNode: { node: { nodeOf: 'client' } },
  },
});
