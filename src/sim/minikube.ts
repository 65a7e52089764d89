/**
 * minikube's side of the sandbox's default cluster: its profile and its `ingress` addon.
 *
 * Design notes: the default cluster numbers its node network as minikube's Docker driver
 * does (192.168.49.0/24, the control plane on .2), so the walk-throughs written for minikube
 * work there with `minikube ip` naming the control plane. Its profile is `minikube`; addons
 * other than `ingress` are listed (as minikube v1.35 lists them) but not installable.
 * The ingress addon installs what minikube's ingress-deploy.yaml.tmpl (v1.35, Kubernetes
 * >= 1.19) creates that the sandbox models: namespace `ingress-nginx`, the controller's
 * ConfigMaps, the `ingress-nginx-controller` Service (NodePort, http 80 and https 443), the
 * `ingress-nginx-controller-admission` Service (443 -> webhook), the controller Deployment
 * (registry.k8s.io/ingress-nginx/controller:v1.11.3, one replica, hostPort 80 and 443 on the
 * primary node, `--report-node-internal-ip-address`), and the pods of the two admission Jobs
 * (kube-webhook-certgen `create` and `patch`, restartPolicy OnFailure), which run to
 * completion. ingress-nginx then publishes the node's InternalIP in the status of every
 * Ingress of class nginx (k8s/ingress-status.ts).
 * Simplified: the manifest's nodeSelector `minikube.k8s.io/primary: "true"` (a label minikube
 * gives its first node) is `kubernetes.io/hostname: <control plane>` here, whose node has no
 * minikube labels; the tolerations use `Exists` (the scheduler knows no other operator); the
 * controller mounts no webhook certificate, the Jobs themselves, the IngressClass, the
 * ValidatingWebhookConfiguration, ServiceAccounts and RBAC objects are not modelled, and the
 * pods carry the template's labels without `gcp-auth-skip-secret`.
 */
import { deriveRng } from './rng';
import type { SimState } from './state';
import { createDeployment, createNamespace, createPod, createService, uniquePodName, type ApiContext } from './k8s/api';
import { deleteObject } from './k8s/controllers';
import { uuid } from './k8s/names';
import { createStored, storedKind } from './k8s/objects';
import { REPORT_NODE_IP } from './k8s/ingress-status';
import { key, type Pod, type PodSpec } from './k8s/types';

export const PROFILE = 'minikube';
export const INGRESS_NAMESPACE = 'ingress-nginx';
/** The images as minikube's addon table names them (registry, repository, tag and digest). */
export const INGRESS_IMAGES = {
  controller: 'registry.k8s.io/ingress-nginx/controller:v1.11.3@sha256:d56f135b6462cfc476447cfe564b83a45e8bb7da2774963b00d12161112270b7',
  certgenCreate: 'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4@sha256:a9f03b34a3cbfbb26d103a14046ab2c5130a80c3d69d526ff8063d2b37b9fd3f',
  certgenPatch: 'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4@sha256:a9f03b34a3cbfbb26d103a14046ab2c5130a80c3d69d526ff8063d2b37b9fd3f',
};
/** The label `minikube addons enable` waits on (addonPodLabels) before it says the addon is enabled. */
export const INGRESS_POD_LABEL = ['app.kubernetes.io/name', 'ingress-nginx'] as const;

/** The control plane node: the one minikube's `ip`, `service` and the addon's nodeSelector name. */
export function controlPlane(state: SimState): string | undefined {
  return Object.values(state.k8s.nodes).find((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined)?.metadata.name;
}

/** True while the ingress addon's controller Deployment exists. */
export function ingressAddonEnabled(state: SimState): boolean {
  return !!state.k8s.deployments[key(INGRESS_NAMESPACE, 'ingress-nginx-controller')];
}

const labels = (component: string): Record<string, string> => ({ 'app.kubernetes.io/component': component, 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/name': 'ingress-nginx' });

/** Where the addon's pods may run: the primary node, with the control plane's taint tolerated. */
function placement(node: string): Pick<PodSpec, 'nodeSelector' | 'tolerations'> {
  return {
    nodeSelector: { 'kubernetes.io/hostname': node, 'kubernetes.io/os': 'linux' },
    tolerations: [
      { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
    ],
  };
}

/** `kubectl apply -f ingress-deploy.yaml` as minikube runs it: the objects, created at ctx.now. */
export function enableIngressAddon(ctx: ApiContext): void {
  const state = ctx.state;
  const node = controlPlane(state) ?? Object.keys(state.k8s.nodes)[0]!;
  const ns = INGRESS_NAMESPACE;
  if (!state.k8s.namespaces[ns]) createNamespace(ctx, ns);
  const nsObj = state.k8s.namespaces[ns]!;
  nsObj.metadata.labels = { 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/name': 'ingress-nginx', ...nsObj.metadata.labels };
  const cm = storedKind('ConfigMap')!;
  const controller = labels('controller');
  const cms: [string, Record<string, string> | undefined][] = [['ingress-nginx-controller', { 'allow-snippet-annotations': 'true', hsts: 'false' }], ['tcp-services', undefined], ['udp-services', undefined]];
  for (const [name, data] of cms) {
    if (!state.k8s.objects?.configmaps?.[key(ns, name)]) createStored(ctx, cm, ns, name, { metadata: { labels: controller }, ...(data ? { data } : {}) });
  }
  if (!state.k8s.services[key(ns, 'ingress-nginx-controller-admission')]) {
    createService(ctx, { name: 'ingress-nginx-controller-admission', namespace: ns, labels: controller, selector: controller, ports: [{ name: 'https-webhook', protocol: 'TCP', port: 443, targetPort: 'webhook' }] });
  }
  if (!state.k8s.services[key(ns, 'ingress-nginx-controller')]) {
    createService(ctx, {
      name: 'ingress-nginx-controller',
      namespace: ns,
      type: 'NodePort',
      labels: controller,
      selector: controller,
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' },
        { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' },
      ],
    });
  }
  if (!ingressAddonEnabled(state)) {
    createDeployment(ctx, {
      name: 'ingress-nginx-controller',
      namespace: ns,
      replicas: 1,
      labels: controller,
      spec: {
        containers: [{
          name: 'controller',
          image: INGRESS_IMAGES.controller,
          args: ['/nginx-ingress-controller', '--election-id=ingress-controller-leader', '--controller-class=k8s.io/ingress-nginx', '--watch-ingress-without-class=true', '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', REPORT_NODE_IP, '--tcp-services-configmap=$(POD_NAMESPACE)/tcp-services', '--udp-services-configmap=$(POD_NAMESPACE)/udp-services', '--validating-webhook=:8443', '--validating-webhook-certificate=/usr/local/certificates/cert', '--validating-webhook-key=/usr/local/certificates/key'],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'LD_PRELOAD', value: '/usr/local/lib/libmimalloc.so' },
          ],
          ports: [
            { name: 'http', containerPort: 80, protocol: 'TCP', hostPort: 80 },
            { name: 'https', containerPort: 443, protocol: 'TCP', hostPort: 443 },
            { name: 'webhook', containerPort: 8443, protocol: 'TCP' },
          ],
        }],
        dnsPolicy: 'ClusterFirst',
        ...placement(node),
      },
    });
  }
  const jobs: [string, string, string, string[]][] = [
    ['ingress-nginx-admission-create', 'create', INGRESS_IMAGES.certgenCreate, ['create', '--host=ingress-nginx-controller-admission,ingress-nginx-controller-admission.$(POD_NAMESPACE).svc', '--namespace=$(POD_NAMESPACE)', '--secret-name=ingress-nginx-admission']],
    ['ingress-nginx-admission-patch', 'patch', INGRESS_IMAGES.certgenPatch, ['patch', '--webhook-name=ingress-nginx-admission', '--namespace=$(POD_NAMESPACE)', '--patch-mutating=false', '--secret-name=ingress-nginx-admission', '--patch-failure-policy=Fail']],
  ];
  for (const [job, container, image, args] of jobs) {
    if (Object.values(state.k8s.pods).some((p) => p.metadata.namespace === ns && p.metadata.labels?.['job-name'] === job)) continue;
    // The Job controller names its pods <job>-<5 random> and labels them with the Job's uid.
    const uid = uuid(deriveRng(state.seed, `uid:Job/${ns}/${job}@${ctx.now}`));
    createPod(ctx, {
      name: uniquePodName(ctx, ns, `${job}-`),
      generateName: `${job}-`,
      namespace: ns,
      labels: { ...labels('admission-webhook'), 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': job, 'controller-uid': uid, 'job-name': job },
      owner: { apiVersion: 'batch/v1', kind: 'Job', name: job, uid },
      spec: {
        containers: [{ name: container, image, args, env: [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }] }],
        restartPolicy: 'OnFailure',
        ...placement(node),
      },
    });
  }
}

/** `kubectl delete -f ingress-deploy.yaml`: the namespace goes, and everything in it. */
export function disableIngressAddon(ctx: ApiContext): void {
  if (ctx.state.k8s.namespaces[INGRESS_NAMESPACE]) deleteObject(ctx, 'namespaces', '', INGRESS_NAMESPACE);
}

/** The addon's pods `minikube addons enable` waits for. */
export function ingressAddonPods(state: SimState): Pod[] {
  return Object.values(state.k8s.pods).filter((p) => p.metadata.namespace === INGRESS_NAMESPACE && p.metadata.labels?.[INGRESS_POD_LABEL[0]] === INGRESS_POD_LABEL[1]);
}

/** What kapi.WaitForPods accepts: at least one pod, and every one Running or Succeeded. */
export function ingressAddonReady(state: SimState): boolean {
  const pods = ingressAddonPods(state);
  return pods.length > 0 && pods.every((p) => p.status.phase === 'Running' || p.status.phase === 'Succeeded');
}
