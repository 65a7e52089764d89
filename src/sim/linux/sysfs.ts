/**
 * /sys/class/net: one directory per network device of a namespace, as sysfs shows it to a
 * process in that namespace (a container's own sysfs mount, `ip netns exec`'s remount).
 *
 * Design notes: the attributes a walk-through reads, each one line ending in a newline as
 * the kernel's net-sysfs.c formats it: `ifindex`; `iflink` (dev_get_iflink: a veth's peer's
 * index, which is how `cat /sys/class/net/eth0/iflink` in a container names the host's
 * `vethXXXX`; every other device's own index); `address` and `broadcast` (lo's are all
 * zeros); `mtu`; `operstate` (the state column of `ip link`, in lower case: up, down,
 * unknown, lowerlayerdown); `tx_queue_len` (the `qlen` of `ip link`); `type` (the ARPHRD
 * number: 772 for loopback, 1 for everything Ethernet-like). Compared with kernel 6.x through
 * `ip netns exec NS cat /sys/class/net/DEV/ATTR` (docs/reference/fidelity.md).
 * Left out: every other attribute (carrier, flags, statistics/, master and upper_* links,
 * brport/ and bridge/ directories), and `/sys/devices/virtual/net`, which the class
 * directory links to.
 */
import type { Netns } from '../netns';
import { operState, qlenOf, type Nets } from './device';

/** The /sys/class/net files of namespace `ns`, by absolute path. */
export function sysClassNetFiles(nets: Nets, ns: Netns): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of ns.devices) {
    const dir = `/sys/class/net/${d.name}`;
    const lo = d.kind === 'loopback';
    const attrs: Record<string, string | number> = {
      address: lo ? '00:00:00:00:00:00' : d.mac,
      broadcast: lo ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff',
      ifindex: d.ifindex,
      iflink: d.peer ? d.peer.ifindex : d.ifindex,
      mtu: d.mtu,
      operstate: operState(nets, ns, d).toLowerCase(),
      tx_queue_len: qlenOf(d),
      type: lo ? 772 : 1,
    };
    for (const [k, v] of Object.entries(attrs)) out[`${dir}/${k}`] = `${v}\n`;
  }
  return out;
}
