import { defineLab } from '../src/labs/schema';
import { NETWORK_POLICY_MANIFESTS } from './network-policy';

/**
 * The NetworkPolicy lab's workload on flannel alone: the same seed, namespaces and pods, with
 * no policy agent, so the lesson can show a policy that is stored and enforces nothing
 * (`<Try lab="network-policy-flannel" ...>`). A playground: no tasks.
 */
export const networkPolicyFlannel = defineLab({
  id: 'network-policy-flannel',
  title: 'The same namespace on flannel alone',
  summary: 'The NetworkPolicy lab\'s pods on a cluster whose network plugin is flannel alone: NetworkPolicies are accepted and stored, and nothing turns them into rules.',
  topology: { name: 'kubernetes', nodes: 3 },
  manifests: NETWORK_POLICY_MANIFESTS,
  bindings: {
    client: { pod: { name: 'client' } },
    web: { pod: { namespace: 'shop', labels: { app: 'web' } } },
  },
});
