/**
 * IPv4 addresses a root shell adds and deletes: `ip addr add|del|flush`.
 *
 * Design notes: as __inet_insert_ifa and inet_del_ifa do. The same address with the same
 * prefix length on the same device is refused ("ipv4: Address already assigned"); an address in
 * the subnet of one of the device's primary addresses becomes `secondary`; the device lists
 * its primaries first, then its secondaries, each in the order they came. A primary address
 * brings its prefix route (`proto kernel scope link src A`) while the device is up, a /32 none.
 * Deleting an address takes its prefix route and every route that used it as source. Deleting
 * a primary promotes the next secondary of its subnet where net.ipv4.conf.*.promote_secondaries
 * is 1, in a machine's own namespace (systemd's sysctl defaults on Ubuntu); in namespaces made
 * later the kernel default 0 applies and the secondaries go with it.
 * Left out: `scope`, `label`, `peer`, lifetimes, the local table's broadcast routes.
 */
import { maskOf, type Ip } from '../ipv4';
import type { Address, Device, Netns } from '../netns';
import { refuse, type KernelError } from './errors';
import { addPrefixRoute, dropAddressRoutes } from './link';

const sameSubnet = (a: Address, ip: Ip, len: number): boolean => a.len === len && ((a.ip ^ ip) & maskOf(len)) === 0;

/** `ip addr add IP/LEN [brd B] dev DEV`. */
export function addAddress(ns: Netns, d: Device, ip: Ip, len: number, brd?: Ip): KernelError | undefined {
  if (d.addrs.some((a) => a.ip === ip && a.len === len)) return refuse('EEXIST', 'ipv4: Address already assigned');
  const secondary = d.addrs.some((a) => !a.secondary && sameSubnet(a, ip, len));
  const addr: Address = { ip, len };
  if (brd !== undefined) addr.brd = brd;
  if (secondary) {
    addr.secondary = true;
    d.addrs.push(addr);
  } else {
    const firstSecondary = d.addrs.findIndex((a) => a.secondary);
    d.addrs.splice(firstSecondary < 0 ? d.addrs.length : firstSecondary, 0, addr);
  }
  addPrefixRoute(ns, d, ip, len, secondary);
  return undefined;
}

/** A machine's own namespace promotes secondaries (systemd's 50-default.conf); namespaces made later do not. */
function promotes(ns: Netns): boolean {
  return ns.name === '';
}

/**
 * `ip addr del IP[/LEN] dev DEV`; without a length the first address with that IP goes (the
 * shell warns about the wildcard).
 */
export function deleteAddress(ns: Netns, d: Device, ip: Ip, len?: number): KernelError | undefined {
  const i = d.addrs.findIndex((a) => a.ip === ip && (len === undefined || a.len === len));
  if (i < 0) return refuse('EADDRNOTAVAIL', 'ipv4: Address not found');
  const gone = d.addrs[i]!;
  d.addrs.splice(i, 1);
  dropAddressRoutes(ns, d, gone.ip);
  if (gone.secondary) return undefined;
  const rest = d.addrs.filter((a) => a.secondary && sameSubnet(a, gone.ip, gone.len));
  if (rest.length === 0) return undefined;
  if (promotes(ns)) {
    const next = rest[0]!;
    d.addrs.splice(d.addrs.indexOf(next), 1);
    delete next.secondary;
    const firstSecondary = d.addrs.findIndex((a) => a.secondary);
    d.addrs.splice(firstSecondary < 0 ? d.addrs.length : firstSecondary, 0, next);
    addPrefixRoute(ns, d, next.ip, next.len);
  } else {
    for (const a of rest) {
      d.addrs.splice(d.addrs.indexOf(a), 1);
      dropAddressRoutes(ns, d, a.ip);
    }
  }
  return undefined;
}

/** `ip addr flush dev DEV`: every address goes, the IPv6 ones too unless `inet4Only` (`ip -4 addr flush`). */
export function flushAddresses(ns: Netns, d: Device, inet4Only = false): void {
  for (const a of [...d.addrs]) dropAddressRoutes(ns, d, a.ip);
  d.addrs = [];
  if (!inet4Only) d.ll6 = 'flushed';
}
