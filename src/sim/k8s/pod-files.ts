/**
 * The files and names the kubelet gives a pod: its host name, `/etc/hosts` and
 * `/etc/resolv.conf`.
 *
 * Design notes: as the kubelet computes them (pkg/kubelet/kubelet_pods.go
 * GeneratePodHostNameAndDomain, ensureHostsFile/managedHostsFileContent; pkg/kubelet/network/
 * dns/dns.go GetPodDNS) and containerd writes them:
 * - host name: `spec.hostname` or else the pod's name (cut to 63 characters); a host-network
 *   pod has its node's. With `spec.subdomain` the pod's domain is
 *   `<subdomain>.<namespace>.svc.<cluster domain>`.
 * - /etc/hosts: `# Kubernetes-managed hosts file.`, the localhost and ip6 lines, then
 *   `<pod IP>\t<hostname>.<domain>\t<hostname>` (or `<pod IP>\t<hostname>` without a
 *   subdomain). A host-network pod gets `# Kubernetes-managed hosts file (host network).` and
 *   its node's own /etc/hosts (Ubuntu's cloud-image file here).
 * - /etc/resolv.conf by dnsPolicy: `ClusterFirst` (the default) gives the cluster DNS Service
 *   as nameserver, `<ns>.svc.<domain> svc.<domain> <domain>` plus the node's search domains,
 *   `options ndots:5`; `ClusterFirstWithHostNet` the same for host-network pods; a
 *   host-network pod with `ClusterFirst`, and any pod with `Default`, gets the node's
 *   nameservers, search domains and options; `None` only what `dnsConfig` says. `dnsConfig`
 *   is appended to the others (nameservers and searches without duplicates, options merged by
 *   name, a dnsConfig option replacing the node's). containerd writes the `search`, then the
 *   `nameserver`, then the `options` line, each only when not empty.
 * Simplified: the kubelet merges options through a Go map, so their order varies from pod to
 * pod in a real cluster; here they keep the order they were given in. The kubelet's limits
 * (3 nameservers, 32 search domains) and their DNSConfigForming event are left out.
 */
import { formatIp } from '../ipv4';
import type { SimState } from '../state';
import { clusterDnsIp, CLUSTER_FIRST_NDOTS } from './coredns';
import type { Pod } from './types';

/** The pod's host name, as `hostname` prints it inside it. */
export function podHostname(pod: Pod): string {
  if (pod.spec.hostNetwork && pod.spec.nodeName) return pod.spec.nodeName;
  return (pod.spec.hostname || pod.metadata.name).slice(0, 63);
}

/** `<subdomain>.<ns>.svc.<domain>` for a pod with spec.subdomain, else undefined. */
export function podDomain(state: SimState, pod: Pod): string | undefined {
  const sub = pod.spec.subdomain;
  if (!sub) return undefined;
  return `${sub}.${pod.metadata.namespace ?? 'default'}.svc.${state.config.dnsDomain.replace(/\.$/, '')}`;
}

/** The node's /etc/hosts (Ubuntu's cloud-image template). */
export function nodeHostsFile(node: string): string {
  return `127.0.0.1 localhost\n127.0.1.1 ${node}\n\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n`;
}

/** The kubelet-managed /etc/hosts of a pod. */
export function podHostsFile(state: SimState, pod: Pod): string {
  if (pod.spec.hostNetwork && pod.spec.nodeName) return `# Kubernetes-managed hosts file (host network).\n${nodeHostsFile(pod.spec.nodeName)}`;
  const name = podHostname(pod);
  const domain = podDomain(state, pod);
  let out = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  const ips = pod.status.podIPs?.map((p) => p.ip) ?? (pod.status.podIP ? [pod.status.podIP] : []);
  for (const ip of ips) out += domain ? `${ip}\t${name}.${domain}\t${name}\n` : `${ip}\t${name}\n`;
  return out;
}

export interface DnsSettings {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** The node's resolver settings (its /etc/resolv.conf: the LAN's router). */
export function nodeDns(state: SimState): DnsSettings {
  return { nameservers: [formatIp(state.config.gateway)], searches: [], options: [] };
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** The resolver settings the kubelet hands the runtime for this pod. */
export function podDns(state: SimState, pod: Pod): DnsSettings {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const domain = state.config.dnsDomain.replace(/\.$/, '');
  const ns = pod.metadata.namespace ?? 'default';
  const host = nodeDns(state);
  let base: DnsSettings;
  if (policy === 'None') base = { nameservers: [], searches: [], options: [] };
  else if (policy === 'Default' || (policy === 'ClusterFirst' && pod.spec.hostNetwork)) base = host;
  else base = { nameservers: [clusterDnsIp(state)], searches: unique([`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...host.searches]), options: [`ndots:${CLUSTER_FIRST_NDOTS}`] };
  const extra = pod.spec.dnsConfig;
  if (!extra) return base;
  const options = new Map<string, string>();
  for (const o of base.options) {
    const i = o.indexOf(':');
    options.set(i < 0 ? o : o.slice(0, i), i < 0 ? '' : o.slice(i + 1));
  }
  for (const o of extra.options ?? []) options.set(o.name, o.value ?? '');
  return {
    nameservers: unique([...base.nameservers, ...(extra.nameservers ?? [])]),
    searches: unique([...base.searches, ...(extra.searches ?? [])]),
    options: [...options].map(([k, v]) => (v ? `${k}:${v}` : k)),
  };
}

/** /etc/resolv.conf as containerd writes it from the kubelet's settings. */
export function podResolvConf(state: SimState, pod: Pod): string {
  const d = podDns(state, pod);
  let out = '';
  if (d.searches.length) out += `search ${d.searches.join(' ')}\n`;
  if (d.nameservers.length) out += `nameserver ${d.nameservers.join('\nnameserver ')}\n`;
  if (d.options.length) out += `options ${d.options.join(' ')}\n`;
  return out;
}
