/**
 * The CNI portmap plugin (flannel's conflist chains it after flannel): a container port with a
 * `hostPort` is reachable on that port of its node's own addresses.
 *
 * Design notes: the rules are the plugin's iptables backend's (containernetworking/plugins
 * plugins/meta/portmap): `PREROUTING` and `OUTPUT` send traffic to a local address to
 * CNI-HOSTPORT-DNAT, which has one rule per pod (`-m multiport --dports ...`, commented with
 * the network name `cbr0` and the pod sandbox's id) jumping to the pod's CNI-DN-<hash> chain;
 * there, traffic from the pod's own subnet (hairpin) or from 127.0.0.1 is marked 0x2000 by
 * CNI-HOSTPORT-SETMARK, then DNATed to the pod's address and container port; POSTROUTING's
 * CNI-HOSTPORT-MASQ masquerades marked traffic. The chain name is `CNI-DN-` and the hex
 * sha512 of network name + sandbox id, cut to iptables' 28 characters (utils.FormatChainName).
 * Rules are rewritten for running pods whenever kube-proxy's sync runs.
 * Simplified: the plugin leaves its top-level chains in place once a node had a hostPort pod;
 * here they exist only while one does. Host IPs (`hostIP`) and UDP host ports are not modelled.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { host, invalidateLayers, net, type Netfilter, type Rule } from '../netfilter';
import { parseCidr, parseIp } from '../ipv4';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { containerId } from './names';
import type { Pod } from './types';

const NETWORK = 'cbr0';
const SETMARK = 0x2000;
const DNAT_CHAIN = 'CNI-HOSTPORT-DNAT';
const SETMARK_CHAIN = 'CNI-HOSTPORT-SETMARK';
const MASQ_CHAIN = 'CNI-HOSTPORT-MASQ';

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** The pod sandbox's container id, as the CNI plugins are given it. */
export function sandboxId(state: SimState, pod: Pod): string {
  return containerId(deriveRng(state.seed, `sandbox-id:${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}@${pod.metadata.uid}`));
}

/** `CNI-DN-<hash>` for a sandbox: utils.MustFormatChainNameWithPrefix(network, id, "DN-"). */
export function dnatChain(id: string): string {
  const text = NETWORK + id;
  const digest = sha512(Uint8Array.from(text, (ch) => ch.charCodeAt(0)));
  return `CNI-DN-${hex(digest)}`.slice(0, 28);
}

type HostPortPod = { pod: Pod; ports: { hostPort: number; containerPort: number }[] };

/** The running pods with TCP host ports, and those ports, by node (one pass over the pods for every node). */
export function hostPortPods(state: SimState): Map<string, HostPortPod[]> {
  const out = new Map<string, HostPortPod[]>();
  for (const pod of Object.values(state.k8s.pods)) {
    if (!pod.spec.nodeName || pod.spec.hostNetwork || pod.status.phase !== 'Running' || !pod.status.podIP) continue;
    let ports: HostPortPod['ports'] | undefined;
    for (const c of pod.spec.containers) {
      for (const p of c.ports ?? []) if (p.hostPort !== undefined && (p.protocol ?? 'TCP') === 'TCP') (ports ??= []).push({ hostPort: p.hostPort, containerPort: p.containerPort });
    }
    if (!ports) continue;
    const list = out.get(pod.spec.nodeName);
    if (list) list.push({ pod, ports });
    else out.set(pod.spec.nodeName, [{ pod, ports }]);
  }
  return out;
}

const isPortmapHook = (r: Rule): boolean => r.target.t === 'jump' && (r.target.chain === DNAT_CHAIN || r.target.chain === MASQ_CHAIN);

/**
 * Rewrites the node's portmap chains and hooks in its own nat table for its running pods;
 * `index` is hostPortPods' answer when the caller syncs every node.
 */
export function syncHostPorts(state: SimState, node: string, own: Netfilter, index: Map<string, HostPortPod[]> = hostPortPods(state)): void {
  const nat = own.nat.chains;
  const hadAny = DNAT_CHAIN in nat;
  const pods = index.get(node) ?? [];
  for (const k of Object.keys(nat)) if (k.startsWith('CNI-DN-') || k.startsWith('CNI-HOSTPORT-')) delete nat[k];
  for (const c of ['PREROUTING', 'OUTPUT', 'POSTROUTING']) if (nat[c]) nat[c]!.rules = nat[c]!.rules.filter((r) => !isPortmapHook(r));
  if (pods.length > 0) {
    const local = { m: 'addrtype' as const, dstType: 'LOCAL' as const };
    nat.PREROUTING!.rules.push({ matches: [local], target: { t: 'jump', chain: DNAT_CHAIN } });
    nat.OUTPUT!.rules.push({ matches: [local], target: { t: 'jump', chain: DNAT_CHAIN } });
    nat.POSTROUTING!.rules.unshift({ matches: [{ m: 'comment', text: 'CNI portfwd requiring masquerade' }], target: { t: 'jump', chain: MASQ_CHAIN } });
    nat[SETMARK_CHAIN] = { rules: [{ matches: [{ m: 'comment', text: 'CNI portfwd masquerade mark' }], target: { t: 'MARK', value: SETMARK, mask: SETMARK } }] };
    nat[MASQ_CHAIN] = { rules: [{ matches: [{ m: 'mark', mark: SETMARK, mask: SETMARK }], target: { t: 'MASQUERADE' } }] };
    const dnat: Rule[] = [];
    for (const { pod, ports } of pods) {
      const id = sandboxId(state, pod);
      const chain = dnatChain(id);
      dnat.push({ proto: 'tcp', matches: [{ m: 'comment', text: `dnat name: "${NETWORK}" id: "${id}"` }, { m: 'multiport', dports: ports.map((p) => p.hostPort) }], target: { t: 'jump', chain } });
      const podIp = parseIp(pod.status.podIP!)!;
      const subnet = parseCidr(state.k8s.nodes[node]?.spec.podCIDR ?? '') ?? { addr: podIp, len: 32 };
      const rules: Rule[] = [];
      for (const p of ports) {
        const tcp = { m: 'tcp' as const, dport: p.hostPort };
        rules.push(
          { src: net(subnet), proto: 'tcp', matches: [tcp], target: { t: 'jump', chain: SETMARK_CHAIN } },
          { src: host(parseIp('127.0.0.1')!), proto: 'tcp', matches: [tcp], target: { t: 'jump', chain: SETMARK_CHAIN } },
          { proto: 'tcp', matches: [tcp], target: { t: 'DNAT', to: { ip: podIp, port: p.containerPort } } },
        );
      }
      nat[chain] = { rules };
    }
    nat[DNAT_CHAIN] = { rules: dnat };
  }
  if (hadAny || pods.length > 0) invalidateLayers(own);
}
