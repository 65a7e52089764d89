/**
 * host-local IPAM over a node's pod subnet, as flannel's bridge delegate and Canal's Calico
 * plugin (`"ipam": {"type": "host-local", "subnet": "usePodCidr"}`) both use it.
 *
 * Design notes: the range is the node's podCIDR from .1 to the last address before broadcast,
 * the gateway (.1) is never handed out, so the first pod gets .2. The plugin hands out the next
 * free address after the last one it reserved and wraps at the end of the range; a freed
 * address is not reused until the allocator comes round to it again. A full range makes ADD
 * fail with "no IP addresses available in range set", which the kubelet reports as
 * FailedCreatePodSandBox (k8s/kubelet.ts). The reservations are kept per node in the state
 * (`k8s.alloc.podIpam`), the sandbox's stand-in for /var/lib/cni/networks.
 */
import { formatIp, nth, size, type Ip } from '../ipv4';
import type { SimState } from '../state';
import { nodeSubnet } from './node';

/** The next free address of the node's range; undefined when every address is taken. */
export function allocatePodIp(state: SimState, node: string): Ip | undefined {
  const subnet = nodeSubnet(state, node);
  const ipam = (state.k8s.alloc.podIpam[node] ??= { last: 1, used: [] });
  const first = 2; // .1 is the gateway
  const last = size(subnet) - 2; // the broadcast address is not handed out
  for (let i = 0; i < last - first + 1; i++) {
    let off = ipam.last + 1 + i;
    if (off > last) off = first + ((off - first) % (last - first + 1));
    if (!ipam.used.includes(off)) {
      ipam.used.push(off);
      ipam.last = off;
      return nth(subnet, off);
    }
  }
  return undefined;
}

/** DEL: the pod's address goes back to the node's range. */
export function releasePodIp(state: SimState, node: string, ip: string): void {
  const ipam = state.k8s.alloc.podIpam[node];
  if (!ipam) return;
  const off = ip.split('.').map(Number).reduce((a, b) => a * 256 + b, 0) - nodeSubnet(state, node).addr;
  ipam.used = ipam.used.filter((u) => u !== off);
}

/** The range host-local reports as full: `10.244.1.1-10.244.1.254`. */
export function rangeText(state: SimState, node: string): string {
  const subnet = nodeSubnet(state, node);
  return `${formatIp(nth(subnet, 1))}-${formatIp(nth(subnet, size(subnet) - 2))}`;
}
