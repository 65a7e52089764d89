/**
 * `ip addr add|del|flush`: iproute2's parsing, src/sim/linux/addr.ts's semantics.
 *
 * Design notes: `add|del IP[/LEN] [brd +|-|IP] dev DEV` (LEN 32 when left out; `del` without
 * it deletes the first address with that IP after iproute2's wildcard warning); `flush dev DEV`
 * (iproute2 wants a selector: "Flush requires arguments.").
 * Left out: `scope`, `label`, `peer`, `local`, lifetimes, flushing by prefix or scope.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { broadcast, maskOf, parseIp, type Ip } from '../../../sim/ipv4';
import { addAddress, deleteAddress, flushAddresses } from '../../../sim/linux/addr';
import { settle } from '../../../sim/linux/link';
import { deviceByName, type Netns } from '../../../sim/netns';
import { commit, findDevice, garbage, linkEnv, mayChangeNetwork, parsePrefix, unsupported } from './common';
import { inet6Addrs } from './show';

const WILDCARD = (ip: string): string =>
  `Warning: Executing wildcard deletion to stay compatible with old scripts.\n         Explicitly specify the prefix length (${ip}/32) to avoid this warning.\n         This special behaviour is likely to disappear in further releases,\n         fix your scripts!\n`;

/** `ip addr add|del ...`. */
export function addrModify(ctx: CommandContext, ns: Netns, verb: 'add' | 'del', args: string[]): number {
  let local: { text: string; ip: Ip; len: number; bare: boolean } | undefined;
  let brd: string | undefined;
  let dev: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'dev') {
      dev = args[++i];
      if (dev === undefined) throw new CommandError('USAGE', 'Command line is not complete. Try option "help"', 255);
    } else if (a === 'brd' || a === 'broadcast') {
      brd = args[++i];
      if (brd === undefined) throw new CommandError('USAGE', 'Command line is not complete. Try option "help"', 255);
    } else if (['scope', 'label', 'peer', 'valid_lft', 'preferred_lft', 'metric', 'noprefixroute', 'home', 'nodad', 'anycast'].includes(a)) {
      throw unsupported(`ip addr ${verb} ${a}`);
    } else {
      const text = a === 'local' ? args[++i] ?? '' : a;
      if (local !== undefined) throw garbage('local', text);
      const p = parsePrefix(text, false);
      local = { text, ip: p.cidr.addr, len: p.cidr.len, bare: p.bare };
    }
  }
  if (dev === undefined) throw new CommandError('USAGE', 'Not enough information: "dev" argument is required.', 1);
  if (local === undefined) throw new CommandError('USAGE', 'Not enough information: "local" argument is required.', 1);
  let brdIp: Ip | undefined;
  if (brd !== undefined) {
    if (brd === '+' || brd === '-') {
      // `brd +` sets the subnet's broadcast address (`-` its network address), for prefixes up to /30.
      if (local.len < 31) brdIp = brd === '+' ? broadcast({ addr: local.ip, len: local.len }) : (local.ip & maskOf(local.len)) >>> 0;
    } else {
      const b = parseIp(brd);
      if (b === undefined) throw new CommandError('USAGE', `Error: inet address is expected rather than "${brd}".`, 1);
      brdIp = b;
    }
  }
  const d = findDevice(ns, dev);
  const lip = local;
  if (verb === 'add') {
    commit(ctx, () => {
      const e = addAddress(ns, d, lip.ip, lip.len, brdIp);
      if (!e) settle(linkEnv(ctx).nets, ns);
      return e;
    });
    return 0;
  }
  if (lip.bare) ctx.stderr.write(WILDCARD(lip.text));
  commit(ctx, () => deleteAddress(ns, d, lip.ip, lip.bare ? undefined : lip.len));
  return 0;
}

/** `ip addr flush dev DEV` (`ip addr flush DEV` too). */
export function addrFlush(ctx: CommandContext, ns: Netns, args: string[], inet4Only = false): number {
  const rest = args[0] === 'dev' ? args.slice(1) : args;
  if (rest.length === 0) throw new CommandError('USAGE', 'Flush requires arguments.', 1);
  if (rest.length > 1) throw unsupported(`ip addr flush ${args.join(' ')}`);
  const name = rest[0]!;
  const d = deviceByName(ns, name);
  if (!d) throw new CommandError('NOT_FOUND', `Device "${name}" does not exist.`, 1);
  if (d.addrs.length === 0 && (inet4Only || inet6Addrs(linkEnv(ctx).nets, ns, d).length === 0)) return 0;
  if (!mayChangeNetwork(ctx)) throw new CommandError('EXEC_FAILED', 'Failed to send flush request: Operation not permitted', 255);
  flushAddresses(ns, d, inet4Only);
  return 0;
}
