/**
 * `ip link add|set|delete`: iproute2's parsing, src/sim/linux/link.ts's semantics.
 *
 * Design notes: `add [name] NAME [mtu N] [address MAC] type veth|bridge|vxlan|dummy [ARGS]`
 * (veth: `peer [name] PEER`, both named `veth%d` when not given; vxlan: `id`/`vni`, `local`,
 * `remote`, `dev`, `dstport` (without it iproute2 warns and the kernel uses 8472), `learning`
 * / `nolearning`); `set DEV` with `up`, `down`, `mtu`, `master`, `nomaster`, `netns NAME|PID`,
 * `name`, `address`, applied in the kernel's do_setlink order (namespace, address, MTU, name,
 * flags, master) and stopping at the first refusal; `delete DEV`. Namespaces for `netns` are
 * the machine's named ones, or a process id: a Docker container's main process, or the shell's
 * own (the machine's namespace).
 * Left out: other link types (vlan, macvlan, bond, gre...), `group`, `alias`, `txqueuelen`,
 * `arp`, `promisc`, `multicast` and the other flags, VF settings.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseIp } from '../../../sim/ipv4';
import { validIfname } from '../../../sim/linux/device';
import { addBridge, addDummy, addVeth, addVxlan, deleteLink, setAddress, setDown, setMaster, setMtu, setName, setNetns, setNomaster, setUp, type VxlanSpec } from '../../../sim/linux/link';
import { deviceByName, type Device, type Netns } from '../../../sim/netns';
import { commit, findDevice, garbage, invarg, linkEnv, matches, nextArg, parseLladdr, unsupported } from './common';
import { netnsByNameOrPid } from './netns';

/** Link kinds iproute2 knows that the sandbox does not model. */
const OTHER_KINDS = ['vlan', 'macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'bond', 'team', 'gre', 'gretap', 'ipip', 'sit', 'vti', 'geneve', 'wireguard', 'vrf', 'nlmon', 'can', 'ifb', 'netdevsim', 'bareudp', 'xfrm', 'hsr', 'macsec', 'ip6tnl', 'ip6gre', 'erspan'];

/** The next free `PREFIX%d` name. */
function freeName(ns: Netns, prefix: string, taken: string[] = []): string {
  for (let i = 0; ; i++) if (!deviceByName(ns, `${prefix}${i}`) && !taken.includes(`${prefix}${i}`)) return `${prefix}${i}`;
}

function parseMtu(text: string): number {
  if (!/^\d+$/.test(text)) throw invarg('Invalid "mtu" value\n', text);
  return Number(text);
}

/** `ip link add ...`. */
export function linkAdd(ctx: CommandContext, ns: Netns, args: string[]): number {
  let name: string | undefined;
  let mtu: number | undefined;
  let address: string | undefined;
  let kind: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'type') {
      kind = nextArg(args, i);
      i += 2;
      break;
    }
    if (a === 'name' || a === 'dev') {
      const v = nextArg(args, i++);
      if (name !== undefined) throw new CommandError('USAGE', 'both "name" and "dev" cannot be used when creating devices.', 255);
      name = v;
    } else if (a === 'mtu') mtu = parseMtu(nextArg(args, i++));
    else if (a === 'address') address = parseLladdr(nextArg(args, i++));
    else if (['link', 'txqueuelen', 'qlen', 'numtxqueues', 'numrxqueues', 'index', 'netns', 'group', 'alias', 'broadcast', 'brd'].includes(a)) throw unsupported(`ip link add ${a}`);
    else {
      if (name !== undefined) throw new CommandError('USAGE', 'both "name" and "dev" cannot be used when creating devices.', 255);
      name = a;
    }
  }
  if (kind === undefined) throw new CommandError('USAGE', 'Not enough information: "type" argument is required', 1);
  const rest = args.slice(i);
  const env = linkEnv(ctx);
  const after = (dev: string | undefined): void => {
    const d = dev ? deviceByName(ns, dev) : undefined;
    if (!d) return;
    if (address !== undefined) setAddress(env, ns, d, address);
    if (mtu !== undefined) setMtu(env, ns, d, mtu);
  };
  if (kind === 'veth') {
    let peer: string | undefined;
    for (let j = 0; j < rest.length; j++) {
      const a = rest[j]!;
      if (a === 'peer') {
        const next = nextArg(rest, j);
        if (next === 'name') {
          peer = nextArg(rest, j + 1);
          j += 2;
        } else {
          peer = next;
          j++;
        }
      } else throw new CommandError('USAGE', 'both "name" and "dev" cannot be used when creating devices.', 255);
    }
    if (name !== undefined && name.length >= 16) throw new CommandError('EXEC_FAILED', 'Error: Attribute failed policy validation.', 2);
    if (peer !== undefined && peer.length >= 16) throw new CommandError('EXEC_FAILED', 'Error: Attribute failed policy validation.', 2);
    const peerName = peer ?? freeName(ns, 'veth');
    const devName = name ?? freeName(ns, 'veth', [peerName]);
    commit(ctx, () => addVeth(env, ns, devName, peerName));
    after(devName);
    return 0;
  }
  if (name !== undefined && name.length >= 16) throw new CommandError('EXEC_FAILED', 'Error: Attribute failed policy validation.', 2);
  if (kind === 'bridge') {
    if (rest.length > 0) throw unsupported(`bridge option "${rest[0]}"`);
    const devName = name ?? freeName(ns, 'bridge');
    commit(ctx, () => addBridge(env, ns, devName));
    after(devName);
    return 0;
  }
  if (kind === 'dummy') {
    if (rest.length > 0) throw garbage('dev', rest[0]!);
    const devName = name ?? freeName(ns, 'dummy');
    commit(ctx, () => addDummy(env, ns, devName));
    after(devName);
    return 0;
  }
  if (kind === 'vxlan') {
    const spec = parseVxlan(ctx, ns, rest);
    const devName = name ?? freeName(ns, 'vxlan');
    commit(ctx, () => addVxlan(env, ns, devName, spec));
    after(devName);
    return 0;
  }
  if (OTHER_KINDS.includes(kind)) throw unsupported(`ip link add type ${kind}`);
  throw new CommandError('EXEC_FAILED', 'Error: Unknown device type.', 2);
}

/** iplink_vxlan.c's options the sandbox models. */
function parseVxlan(ctx: CommandContext, ns: Netns, args: string[]): VxlanSpec {
  let vni: number | undefined;
  let port: number | undefined;
  let learning = true;
  const spec: Partial<VxlanSpec> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'id' || a === 'vni') {
      const v = nextArg(args, i++);
      if (!/^\d+$/.test(v) || Number(v) >= 1 << 24) throw invarg('invalid id', v);
      vni = Number(v);
    } else if (a === 'local' || a === 'remote') {
      const v = nextArg(args, i++);
      const ip = parseIp(v);
      if (ip === undefined) throw new CommandError('USAGE', `Error: inet address is expected rather than "${v}".`, 1);
      if (a === 'local') spec.local = ip;
      else spec.remote = ip;
    } else if (a === 'dev') {
      const v = nextArg(args, i++);
      findDevice(ns, v, 255);
      spec.dev = v;
    } else if (a === 'dstport') {
      const v = nextArg(args, i++);
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw invarg('dstport', v);
      port = Number(v);
    } else if (a === 'nolearning') learning = false;
    else if (a === 'learning') learning = true;
    else if (['group', 'ttl', 'tos', 'df', 'flowlabel', 'dscp', 'srcport', 'port', 'ageing', 'maxaddress', 'proxy', 'rsc', 'l2miss', 'l3miss', 'udpcsum', 'noudpcsum', 'gbp', 'gpe', 'external', 'vnifilter', 'collect_metadata'].includes(a)) throw unsupported(`vxlan option "${a}"`);
    else throw new CommandError('USAGE', `vxlan: unknown command "${a}"?`, 255);
  }
  if (vni === undefined) throw new CommandError('USAGE', 'vxlan: missing virtual network identifier', 1);
  if (port === undefined) {
    ctx.stderr.write("vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\nUse 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message\n");
  }
  return { ...spec, vni, port: port || 8472, learning };
}

type Change = (d: Device) => void;

/** `ip link set DEV ...`. */
export function linkSet(ctx: CommandContext, ns: Netns, args: string[]): number {
  let devName: string | undefined;
  let up: boolean | undefined;
  let mtu: number | undefined;
  let master: string | undefined | null;
  let newName: string | undefined;
  let address: string | undefined;
  let target: Netns | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'up') up = true;
    else if (a === 'down') up = false;
    else if (a === 'mtu') mtu = parseMtu(nextArg(args, i++));
    else if (a === 'master') {
      const v = nextArg(args, i++);
      if (!deviceByName(ns, v)) throw invarg('Device does not exist\n', v);
      master = v;
    } else if (a === 'nomaster') master = null;
    else if (a === 'name') {
      const v = nextArg(args, i++);
      if (!validIfname(v)) throw invarg('"name" not a valid ifname', v);
      newName = v;
    } else if (a === 'address') address = parseLladdr(nextArg(args, i++));
    else if (a === 'netns') {
      const v = nextArg(args, i++);
      const t = netnsByNameOrPid(ctx, v);
      if (!t) throw invarg('Invalid "netns" value\n', v);
      target = t;
    } else if (['arp', 'multicast', 'allmulticast', 'promisc', 'trailers', 'dynamic', 'txqueuelen', 'qlen', 'alias', 'group', 'vf', 'xdp', 'type', 'protodown', 'broadcast', 'brd', 'link-netnsid', 'carrier', 'gso_max_size', 'gso_max_segs', 'addrgenmode'].includes(a)) throw unsupported(`ip link set ${a}`);
    else if (a === 'dev') {
      const v = nextArg(args, i++);
      if (devName !== undefined) throw garbage('dev', v);
      devName = v;
    } else {
      if (devName !== undefined) throw garbage('dev', a);
      devName = a;
    }
  }
  if (devName === undefined) throw new CommandError('USAGE', 'Not enough information: "dev" argument is required.', 255);
  const d = findDevice(ns, devName);
  const env = linkEnv(ctx);
  const steps: Change[] = [];
  // do_setlink's order: namespace, address, MTU, name, flags, master.
  if (target) {
    const to = target;
    steps.push((dev) => commit(ctx, () => setNetns(env, ns, dev, to)));
  }
  if (address !== undefined) steps.push((dev) => commit(ctx, () => setAddress(env, ns, dev, address)));
  if (mtu !== undefined) steps.push((dev) => commit(ctx, () => setMtu(env, ns, dev, mtu)));
  if (newName !== undefined) steps.push((dev) => commit(ctx, () => setName(env, ns, dev, newName)));
  if (up === true) steps.push((dev) => commit(ctx, () => setUp(env, ns, dev)));
  if (up === false) steps.push((dev) => commit(ctx, () => setDown(env, ns, dev)));
  if (master === null) steps.push((dev) => commit(ctx, () => setNomaster(env, ns, dev)));
  else if (master !== undefined) {
    const m = master;
    steps.push((dev) => commit(ctx, () => setMaster(env, ns, dev, deviceByName(ns, m)!)));
  }
  if (steps.length === 0) return 0;
  if (target && target !== ns && steps.length > 1) throw unsupported('ip link set netns with other changes');
  for (const step of steps) step(d);
  return 0;
}

/** `ip link delete DEV`. */
export function linkDelete(ctx: CommandContext, ns: Netns, args: string[]): number {
  if (args[0] === 'dev' && args.length === 1) throw new CommandError('USAGE', 'Command line is not complete. Try option "help"', 255);
  const rest = args[0] === 'dev' ? args.slice(1) : args;
  if (rest.length === 0) throw new CommandError('USAGE', 'Not enough information: "dev" argument is required.', 255);
  if (rest.length > 1 && rest[1] !== 'type') throw garbage('dev', rest[1]!);
  const d = findDevice(ns, rest[0]!);
  commit(ctx, () => deleteLink(linkEnv(ctx), ns, d));
  return 0;
}

/** Which `ip link` subcommand a word names, as iproute2 6.1 matches them. */
export function linkCommand(word: string): 'add' | 'set' | 'delete' | 'show' | 'help' | undefined {
  if (matches(word, 'add')) return 'add';
  if (matches(word, 'set') || matches(word, 'change')) return 'set';
  if (matches(word, 'delete')) return 'delete';
  if (matches(word, 'show') || matches(word, 'list') || word === 'lst') return 'show';
  if (matches(word, 'help')) return 'help';
  return undefined;
}
