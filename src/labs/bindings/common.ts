/**
 * Small readers shared by the binding kinds.
 */
import { formatIp } from '../../sim/ipv4';
import { deviceByIndex, deviceByName, type Device, type Netns } from '../../sim/netns';
import type { SimState } from '../../sim/state';

/** The first address of a device as a dotted quad ('' when it has none). */
export function addrOf(dev: Device | undefined): string {
  const a = dev?.addrs[0];
  return a ? formatIp(a.ip) : '';
}

/** `ip/len` of a device's first address ('' when it has none). */
export function cidrOf(dev: Device | undefined): string {
  const a = dev?.addrs[0];
  return a ? `${formatIp(a.ip)}/${a.len}` : '';
}

/** The fields an interface contributes: name, ifindex, peer ifindex and name, MAC, MTU, address. */
export function interfaceFields(state: SimState, ns: Netns, dev: Device | undefined): Record<string, string> {
  const peerNs = dev?.peer ? state.netns[dev.peer.ns] : undefined;
  const peer = peerNs && dev?.peer ? deviceByIndex(peerNs, dev.peer.ifindex) : undefined;
  return {
    dev: dev?.name ?? '',
    ifindex: dev ? String(dev.ifindex) : '',
    peerIfindex: dev?.peer ? String(dev.peer.ifindex) : '',
    peer: peer?.name ?? '',
    mac: dev?.mac ?? '',
    mtu: dev ? String(dev.mtu) : '',
    ip: addrOf(dev),
    cidr: cidrOf(dev),
    master: dev?.master ?? '',
    ns: ns.id,
  };
}

export { deviceByName };
