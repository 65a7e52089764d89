/**
 * ingress-nginx's `kube-webhook-certgen` (`registry.k8s.io/ingress-nginx/kube-webhook-certgen`),
 * the program of the admission Jobs its manifests create: `create` writes the webhook's
 * certificate into a Secret, `patch` puts the CA into the ValidatingWebhookConfiguration.
 *
 * Design notes: the sandbox models neither Jobs nor webhooks; what it keeps is what a learner
 * sees of these pods: the program listens on nothing and ends by itself with status 0 about a
 * second after it starts, so the pod is Completed (kubelet.ts). Its JSON log lines are left out.
 */
import { DEFAULT_PATH, type ImageDef } from './image';

export const kubeWebhookCertgen: ImageDef = {
  id: 'kube-webhook-certgen',
  names: ['kube-webhook-certgen'],
  serves: 'nothing: `create` and `patch` set up the admission webhook certificate and exit 0 (a Job)',
  env: () => [['PATH', DEFAULT_PATH]],
  runsFor: () => 1200,
};
