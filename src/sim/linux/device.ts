/**
 * What the kernel reports about a device: its carrier, operational state, peer, ports and
 * IPv6 link-local address.
 *
 * Design notes: a device that is up has carrier unless something below it says otherwise: a
 * veth only while its peer is up (so a veth whose peer is down shows NO-CARRIER and state
 * LOWERLAYERDOWN), a bridge only while one of its ports forwards (a port forwards when it and
 * the bridge are up and it has carrier itself; with STP off there is no listening or
 * learning delay). A bridge on which no port was ever enabled or disabled keeps the carrier
 * it was born with, so `ip link add br0 type bridge; ip link set br0 up` shows LOWER_UP and
 * state UNKNOWN, while a bridge whose address was set (Docker's docker0, br_stp_change_bridge_id
 * runs the port state selection) or that lost its last port shows NO-CARRIER and state DOWN.
 * Loopback, vxlan and dummy devices never change their carrier, so their state stays UNKNOWN.
 * A device gets its IPv6 link-local address (EUI-64 from its MAC: the U/L bit flipped, ff:fe
 * in the middle) when it is up and has carrier (addrconf waits for the link), keeps it through
 * a loss of carrier and a MAC change, and loses it when it goes down or `ip addr flush` takes
 * it (until it next comes up); lo has ::1 while up.
 * Docker's containers have IPv6 turned off on their interfaces (libnetwork sets disable_ipv6
 * on an endpoint of an IPv4-only network), so only their lo has an IPv6 address.
 * Left out: operstate's linkwatch delay (the kernel updates the state column up to a second
 * after the carrier changes; here at once), DAD's `tentative` second.
 */
import type { Mac } from '../mac';
import { deviceByIndex, type Device, type Netns } from '../netns';

export type Nets = Record<string, Netns>;

/** The other end of a veth pair, when it exists. */
export function peerOf(nets: Nets, d: Device): { ns: Netns; dev: Device } | undefined {
  if (!d.peer) return undefined;
  const ns = nets[d.peer.ns];
  const dev = ns && deviceByIndex(ns, d.peer.ifindex);
  return ns && dev ? { ns, dev } : undefined;
}

export function portsOf(ns: Netns, br: Device): Device[] {
  return ns.devices.filter((d) => d.master === br.name);
}

/** True while the device is up and has carrier (LOWER_UP). */
export function carrierOf(nets: Nets, ns: Netns, d: Device): boolean {
  if (!d.up) return false;
  if (d.peer) return peerOf(nets, d)?.dev.up ?? false;
  if (d.kind === 'bridge') return d.portless === true || portsOf(ns, d).some((p) => forwarding(nets, ns, d, p));
  return true;
}

/** A bridge port forwards while it and its bridge are up and it has carrier. */
export function forwarding(nets: Nets, ns: Netns, br: Device, port: Device): boolean {
  return br.up && port.up && carrierOf(nets, ns, port);
}

export type OperState = 'UP' | 'DOWN' | 'UNKNOWN' | 'LOWERLAYERDOWN';

/** The operational state (`state` in `ip link`). */
export function operState(nets: Nets, ns: Netns, d: Device): OperState {
  if (!d.up) return 'DOWN';
  if (d.kind === 'loopback' || d.kind === 'vxlan' || d.kind === 'dummy') return 'UNKNOWN';
  if (d.kind === 'bridge' && d.portless) return 'UNKNOWN';
  if (carrierOf(nets, ns, d)) return 'UP';
  return d.peer ? 'LOWERLAYERDOWN' : 'DOWN';
}

/** Docker's container namespaces have IPv6 disabled on their interfaces (lo keeps ::1). */
function ipv6OnInterfaces(ns: Netns): boolean {
  return !ns.id.startsWith('container/');
}

/** The MAC the device's IPv6 link-local address comes from, while it has one. */
export function linkLocalMac(nets: Nets, ns: Netns, d: Device): Mac | undefined {
  if (d.kind === 'loopback' || !ipv6OnInterfaces(ns)) return undefined;
  if (d.ll6 === false || d.ll6 === 'flushed') return undefined;
  if (typeof d.ll6 === 'string') return d.up ? d.ll6 : undefined;
  return carrierOf(nets, ns, d) ? d.mac : undefined;
}

/** lo's ::1, while it is up (and not flushed since it came up). */
export function hasLoopback6(d: Device): boolean {
  return d.kind === 'loopback' && d.up && d.ll6 !== 'flushed';
}

/** `fe80::/64` with the EUI-64 interface identifier of `mac`, as RFC 5952 text. */
export function eui64LinkLocal(mac: Mac): string {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  const id = [((b[0]! ^ 0x02) << 8) | b[1]!, (b[2]! << 8) | 0xff, (0xfe << 8) | b[3]!, (b[4]! << 8) | b[5]!];
  return formatIpv6([0xfe80, 0, 0, 0, ...id]);
}

/** Eight 16-bit groups as RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
export function formatIpv6(groups: number[]): string {
  let best = { at: -1, len: 1 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** dev_valid_name(): 1-15 bytes, not `.` or `..`, no `/`, `:` or white space. */
export function validIfname(name: string): boolean {
  return name.length > 0 && name.length < 16 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

/** The MTU range each kind of device accepts (min_mtu, max_mtu; `ip -d link` prints them). */
export function mtuRange(d: Device): { min: number; max: number } {
  if (d.kind === 'loopback') return { min: 0, max: 0 };
  if (d.kind === 'dummy') return { min: 0, max: 65535 };
  return { min: 68, max: 65535 };
}

/** The transmit queue length the kernel reports (`qlen`). */
export function qlenOf(d: Device): number {
  return d.qlen ?? (d.kind === 'vxlan' || d.kind === 'dummy' ? 0 : 1000);
}

/** The qdisc the kernel reports: `noop` before the first open, fq_codel on a NIC, noqueue on virtual devices. */
export function qdiscOf(d: Device): string {
  return d.qdisc ?? (d.kind === 'ether' && !d.peer ? 'fq_codel' : 'noqueue');
}
