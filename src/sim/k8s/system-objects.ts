/**
 * The ConfigMaps a kubeadm cluster holds from the start.
 *
 * Design notes: `coredns` in kube-system carries the Corefile kubeadm v1.32 writes
 * (cmd/kubeadm/app/phases/addons/dns/manifests.go, CoreDNSConfigMap, with the cluster domain
 * filled in); it is stored like any ConfigMap, so `kubectl edit`/`apply` change it and
 * CoreDNS reloads it (coredns-config.ts). `kube-root-ca.crt` is in every namespace: the root
 * CA publisher in kube-controller-manager keeps it there, so it is derived on every read with
 * its namespace's creation time. Its certificate is a PEM block of seeded bytes, not a
 * certificate that parses.
 */
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import type { ApiContext } from './context';
import { base64Bytes, createStored, getStored, storedKind } from './objects';
import { uuid } from './names';

/** kubeadm's Corefile for a cluster domain. */
export function kubeadmCorefile(domain: string): string {
  return `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes ${domain} in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success ${domain}
       disable denial ${domain}
    }
    loop
    reload
    loadbalance
}
`;
}

/** Stores kube-system/coredns with kubeadm's Corefile (at cluster build, with the CoreDNS Deployment). */
export function seedCoreDnsConfigMap(ctx: ApiContext): void {
  if (getStored(ctx.state, 'configmaps', 'kube-system', 'coredns')) return;
  createStored(ctx, storedKind('ConfigMap')!, 'kube-system', 'coredns', { data: { Corefile: kubeadmCorefile(ctx.state.config.dnsDomain) } });
}

const caCache = new WeakMap<SimState, string>();

function caPem(state: SimState): string {
  const hit = caCache.get(state);
  if (hit) return hit;
  const rng = deriveRng(state.seed, 'cluster-ca');
  const bytes = Array.from({ length: 802 }, () => rng.int(256));
  const b64 = base64Bytes(bytes);
  const lines = b64.match(/.{1,64}/g) ?? [];
  const pem = `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
  caCache.set(state, pem);
  return pem;
}

/** The `kube-root-ca.crt` ConfigMap of every namespace. */
export function kubeRootCaConfigMaps(state: SimState): Record<string, unknown>[] {
  return Object.values(state.k8s.namespaces)
    .filter((ns) => !getStored(state, 'configmaps', ns.metadata.name, 'kube-root-ca.crt'))
    .map((ns) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: { 'ca.crt': caPem(state) },
      metadata: {
        name: 'kube-root-ca.crt',
        namespace: ns.metadata.name,
        uid: uuid(deriveRng(state.seed, `uid:ConfigMap/${ns.metadata.name}/kube-root-ca.crt`)),
        resourceVersion: ns.metadata.resourceVersion,
        creationTimestamp: ns.metadata.creationTimestamp,
      },
    }));
}
