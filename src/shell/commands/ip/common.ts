/**
 * What the `ip` subcommands share: the namespace a command works in, the permission to change
 * it, iproute2's argument errors and the kernel's refusals as iproute2 prints them.
 *
 * Design notes: iproute2 parses the whole command line first (its own errors: `Error: argument
 * "X" is wrong: ...` status 255, `Cannot find device "X"` status 1, `Error: any valid prefix is
 * expected rather than "X".` status 1), then sends one netlink request; the kernel's refusal is
 * `Error: <extack>.` when the kernel says why and `RTNETLINK answers: <strerror>` otherwise,
 * status 2. Only a root shell on a machine may change it: elsewhere (the learner's own account
 * on the workstation, a pod or container without CAP_NET_ADMIN, a `kubectl debug node` pod)
 * the kernel answers `Operation not permitted`.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { parseIp, type Cidr, type Ip } from '../../../sim/ipv4';
import { STRERROR, type KernelError } from '../../../sim/linux/errors';
import type { LinkEnv } from '../../../sim/linux/link';
import { deviceByName, type Device, type Netns } from '../../../sim/netns';

/** The namespace an `ip` command works in: its location's, or the one `-n NAME` switched to. */
export interface IpTarget {
  ns: Netns;
}

/** iproute2's matches(): any prefix of the full word (at least `min` letters). */
export function matches(word: string, full: string, min = 1): boolean {
  return word.length >= min && full.startsWith(word);
}

export function linkEnv(ctx: CommandContext): LinkEnv {
  return { nets: ctx.env.sim.state.netns, rng: ctx.env.sim.rng, now: ctx.env.sim.clock.now(), shared: ctx.env.sim.state };
}

/** A root shell on a machine (not a debug pod, not a container or pod, not the learner's account). */
export function mayChangeNetwork(ctx: CommandContext): boolean {
  const loc = ctx.env.location;
  return loc.kind === 'node' && loc.debugPod === undefined;
}

/** The kernel's refusal as iproute2 prints it: the extended ack, else the errno's text. */
export function kernelMessage(e: KernelError): string {
  if (e.extack !== undefined) return `Error: ${e.extack}${e.extack.endsWith('.') ? '' : '.'}`;
  return `RTNETLINK answers: ${STRERROR[e.errno]}`;
}

export function kernelError(e: KernelError, exit = 2): CommandError {
  return new CommandError('EXEC_FAILED', kernelMessage(e), exit);
}

/** Sends a change: refused without the permission, else the kernel's answer (thrown when it refuses). */
export function commit(ctx: CommandContext, change: () => KernelError | undefined | void, exit = 2): void {
  if (!mayChangeNetwork(ctx)) throw kernelError({ errno: 'EPERM' }, exit);
  const e = change();
  if (e) throw kernelError(e, exit);
}

/** `Error: argument "X" is wrong: WHY` (invarg()), status 255. */
export function invarg(why: string, arg: string): CommandError {
  return new CommandError('USAGE', `Error: argument "${arg}" is wrong: ${why}`, 255);
}

/** `Error: either "dev" is duplicate, or "X" is a garbage.` (duparg2()), status 255. */
export function garbage(key: string, arg: string): CommandError {
  return new CommandError('USAGE', `Error: either "${key}" is duplicate, or "${arg}" is a garbage.`, 255);
}

export const INCOMPLETE = (): CommandError => new CommandError('USAGE', 'Command line is not complete. Try option "help"', 255);

/** NEXT_ARG(): the value after a keyword, or "Command line is not complete". */
export function nextArg(args: string[], i: number): string {
  const v = args[i + 1];
  if (v === undefined) throw INCOMPLETE();
  return v;
}

/** A device by name, or iproute2's `Cannot find device "X"` (status 1, or `exit`). */
export function findDevice(ns: Netns, name: string, exit = 1): Device {
  const d = deviceByName(ns, name);
  if (!d) throw new CommandError('NOT_FOUND', `Cannot find device "${name}"`, exit);
  return d;
}

/** get_prefix(): `A.B.C.D[/LEN]` or `default`/`all`/`any`; iproute2's error otherwise. */
export function parsePrefix(text: string, allowDefault = true): { cidr: Cidr; bare: boolean } {
  if (allowDefault && (text === 'default' || text === 'all' || text === 'any')) return { cidr: { addr: 0, len: 0 }, bare: false };
  const [a, l, ...rest] = text.split('/');
  const addr = a === undefined ? undefined : parseIp(a);
  const len = l === undefined ? 32 : /^\d+$/.test(l) ? Number(l) : NaN;
  if (addr === undefined || rest.length > 0 || !(len >= 0 && len <= 32)) throw new CommandError('USAGE', `Error: any valid prefix is expected rather than "${text}".`, 1);
  return { cidr: { addr, len }, bare: l === undefined };
}

/** get_addr(): an IPv4 address; iproute2's error otherwise. */
export function parseAddress(text: string): Ip {
  const ip = parseIp(text);
  if (ip === undefined) throw new CommandError('USAGE', `Error: inet address is expected rather than "${text}".`, 1);
  return ip;
}

/** ll_addr_a2n(): a MAC of six octets; iproute2's errors otherwise. */
export function parseLladdr(text: string): string {
  const parts = text.split(':');
  if (parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new CommandError('USAGE', `"${text}" is invalid lladdr.`, 1);
  if (parts.length !== 6) throw new CommandError('USAGE', `Invalid address length ${parts.length} - must be 6 bytes`, 1);
  return parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':');
}

/** A sandbox limit, said as such (status 255 like iproute2's own refusals). */
export function unsupported(what: string): CommandError {
  return new CommandError('UNSUPPORTED', `${what} is not supported in this sandbox`, 255);
}
