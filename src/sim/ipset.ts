/**
 * IP sets: named sets of addresses, address/port pairs and ports that one iptables rule
 * matches against (`-m set --match-set NAME dst,dst`).
 *
 * Design notes: each network namespace keeps its sets by name. A set has a type and its
 * members as ipset prints them: `10.96.0.1` (hash:ip), `10.244.0.0/16` (hash:net), `10.96.0.10,udp:53` (hash:ip,port),
 * `10.244.1.3,tcp:80,10.244.1.3` (hash:ip,port,ip), `10.96.0.5,tcp:80,10.0.0.0/8`
 * (hash:ip,port,net), `30080` (bitmap:port). A match looks the packet up with the flags of the
 * rule: each of `src`/`dst` says which address or port fills the next part of the member, as
 * xt_set does (`dst,dst,src` = destination address, destination protocol:port, source
 * address). A packet without ports (ICMP echo, a fragment) matches no set with a port part;
 * ipset would look ICMP up as `icmp:type/code`, which no set here holds. Lookups go through a
 * cached index of the members, rebuilt whenever the member list changes.
 * Hash sets carry the creation options ipset lists (family inet, hashsize, maxelem, bucketsize
 * 12) and an initval, the random seed of the set's hash (drawn from the sandbox RNG when the
 * set is made). Members keep the order they were added in; the kernel lists a hash set in
 * bucket order, which depends on that random seed.
 * hash:net (Calico's selector sets) holds prefixes; a /32 member is listed as the bare address.
 * Left out: IPv6 (family inet6), timeouts, counters, comments and skbinfo extensions, the
 * list:set type, nomatch entries.
 */
import { contains, formatIp, parseCidr, type Cidr, type Ip } from './ipv4';

export type IpSetType = 'hash:ip' | 'hash:net' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port';

export interface IpSet {
  name: string;
  type: IpSetType;
  /** Hash types: the table size and element limit given at creation, and the hash seed. */
  hashsize?: number;
  maxelem?: number;
  initval?: number;
  /** bitmap:port: the port range. */
  range?: [number, number];
  /** Members as ipset prints them, in the order they were added. */
  members: string[];
}

/** The newest revision of each set type in Linux 6.x (what `ipset list` shows as Revision). */
export const IPSET_REVISION: Record<IpSetType, number> = { 'hash:ip': 6, 'hash:net': 7, 'hash:ip,port': 7, 'hash:ip,port,ip': 6, 'hash:ip,port,net': 8, 'bitmap:port': 3 };

export type SetFlag = 'src' | 'dst';

/** The packet fields a set match reads. */
export interface SetPacket {
  src: Ip;
  dst: Ip;
  proto: number;
  sport?: number;
  dport?: number;
}

const PROTO_NAME: Record<number, string> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };

const INDEX = new WeakMap<IpSet, { members: string[]; length: number; keys: Set<string> }>();

function keysOf(set: IpSet): Set<string> {
  const ix = INDEX.get(set);
  if (ix && ix.members === set.members && ix.length === set.members.length) return ix.keys;
  const keys = new Set(set.members);
  INDEX.set(set, { members: set.members, length: set.members.length, keys });
  return keys;
}

const NETS = new WeakMap<IpSet, { members: string[]; length: number; nets: Cidr[] }>();

/** hash:net members as prefixes (a member without a length is a /32, as ipset lists it). */
function netsOf(set: IpSet): Cidr[] {
  const ix = NETS.get(set);
  if (ix && ix.members === set.members && ix.length === set.members.length) return ix.nets;
  const nets = set.members.map((m) => parseCidr(m.includes('/') ? m : `${m}/32`, true)).filter((c): c is Cidr => c !== undefined);
  NETS.set(set, { members: set.members, length: set.members.length, nets });
  return nets;
}

/** True when the packet, read with `flags`, is a member of `set` (xt_set's match). */
export function setMatches(set: IpSet, flags: SetFlag[], p: SetPacket): boolean {
  const addr = (i: number): string => formatIp(flags[i] === 'src' ? p.src : p.dst);
  const port = (i: number): number | undefined => (flags[i] === 'src' ? p.sport : p.dport);
  if (set.type === 'bitmap:port') {
    const n = port(0);
    return n !== undefined && keysOf(set).has(String(n));
  }
  if (set.type === 'hash:ip') return keysOf(set).has(addr(0));
  if (set.type === 'hash:net') return netsOf(set).some((c) => contains(c, flags[0] === 'src' ? p.src : p.dst));
  const proto = PROTO_NAME[p.proto];
  const n = port(1);
  if (proto === undefined || n === undefined || flags.length < 2) return false;
  const head = `${addr(0)},${proto}:${n}`;
  if (set.type === 'hash:ip,port') return keysOf(set).has(head);
  if (flags.length < 3) return false;
  if (set.type === 'hash:ip,port,ip') return keysOf(set).has(`${head},${addr(2)}`);
  const third = flags[2] === 'src' ? p.src : p.dst;
  for (const m of set.members) {
    if (!m.startsWith(head + ',')) continue;
    const c = parseCidr(m.slice(head.length + 1), true);
    if (c && contains(c, third)) return true;
  }
  return false;
}

/** The number of dimensions a set type's members have (what a match's flags must cover). */
export function setDimensions(type: IpSetType): number {
  return type === 'bitmap:port' || type === 'hash:ip' || type === 'hash:net' ? 1 : type === 'hash:ip,port' ? 2 : 3;
}

/** A new, empty set with the options kube-proxy (and ipset's defaults) give it. */
export function newIpSet(name: string, type: IpSetType, initval: number): IpSet {
  if (type === 'bitmap:port') return { name, type, range: [0, 65535], members: [] };
  return { name, type, hashsize: 1024, maxelem: 65536, initval: initval >>> 0, members: [] };
}
