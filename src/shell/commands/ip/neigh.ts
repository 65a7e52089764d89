/**
 * `ip neigh add|replace|change|del|flush`: iproute2's parsing, src/sim/linux/neigh.ts's semantics.
 *
 * Design notes: `IP [lladdr MAC] dev DEV [nud permanent|noarp|reachable|stale]`; an address
 * and a device are both required ("Device and destination are required arguments.", status
 * 255). `flush` wants a selector ("Flush requires arguments."): `dev DEV`, a prefix, `all`,
 * `nud STATE` (`nud all` includes permanent entries); with `-s` it reports its rounds.
 * Left out: `proxy`, `router`, `extern_learn`, `nud` states other than the four above.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { deleteNeighbour, flushNeighbours, neighbourMatches, putNeighbour, type NeighMode, type NeighSelector } from '../../../sim/linux/neigh';
import { neighboursOf, type Neighbour, type Netns } from '../../../sim/netns';
import { commit, findDevice, mayChangeNetwork, invarg, nextArg, parseAddress, parseLladdr, parsePrefix, unsupported } from './common';

const NUD: Record<string, Neighbour['state']> = { permanent: 'PERMANENT', noarp: 'NOARP', reachable: 'REACHABLE', stale: 'STALE' };
const OTHER_NUD = ['none', 'incomplete', 'delay', 'probe', 'failed'];

function parseNud(text: string): Neighbour['state'] {
  const s = NUD[text];
  if (s) return s;
  if (OTHER_NUD.includes(text)) throw unsupported(`nud ${text}`);
  throw invarg('nud state is bad', text);
}

/** `ip neigh add|replace|change|del ...`. */
export function neighModify(ctx: CommandContext, ns: Netns, verb: NeighMode | 'del', args: string[]): number {
  let dst: string | undefined;
  let dev: string | undefined;
  let lladdr: string | undefined;
  let state: Neighbour['state'] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'lladdr') lladdr = parseLladdr(nextArg(args, i++));
    else if (a === 'dev') dev = nextArg(args, i++);
    else if (a === 'nud') state = parseNud(nextArg(args, i++));
    else if (['proxy', 'router', 'extern_learn', 'use', 'managed', 'protocol'].includes(a)) throw unsupported(`ip neigh ${a}`);
    else {
      const text = a === 'to' ? nextArg(args, i++) : a;
      if (dst !== undefined) throw new CommandError('USAGE', `Error: either "to" is duplicate, or "${text}" is a garbage.`, 255);
      dst = text;
    }
  }
  if (dst === undefined || dev === undefined) throw new CommandError('USAGE', 'Device and destination are required arguments.', 255);
  const ip = parseAddress(dst);
  findDevice(ns, dev);
  const d = dev;
  const shared = ctx.env.sim.state;
  if (verb === 'del') commit(ctx, () => deleteNeighbour(ns, ip, d, shared));
  else commit(ctx, () => putNeighbour(ns, verb, ip, d, lladdr, state, ctx.env.sim.clock.now(), shared));
  return 0;
}

/** `ip [-s] neigh flush SELECTOR`. */
export function neighFlush(ctx: CommandContext, ns: Netns, args: string[], stats: boolean): number {
  if (args.length === 0) throw new CommandError('USAGE', 'Flush requires arguments.', 1);
  const sel: NeighSelector = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'dev') {
      const v = nextArg(args, i++);
      findDevice(ns, v);
      sel.dev = v;
    } else if (a === 'nud') {
      const v = nextArg(args, i++);
      if (v === 'all') sel.states = ['PERMANENT', 'NOARP', 'REACHABLE', 'STALE'];
      else sel.states = [...(sel.states ?? []), parseNud(v)];
    } else if (a === 'all') continue;
    else if (['proxy', 'unused', 'vrf', 'master'].includes(a)) throw unsupported(`ip neigh flush ${a}`);
    else sel.prefix = parsePrefix(a === 'to' ? nextArg(args, i++) : a).cidr;
  }
  const shared = ctx.env.sim.state;
  const n = neighboursOf(ns, shared).filter((x) => neighbourMatches(x, sel)).length;
  // iproute2 sends the deletions itself and says so when the kernel refuses them (not root).
  if (n > 0 && !mayChangeNetwork(ctx)) throw new CommandError('EXEC_FAILED', 'Failed to send flush request: Operation not permitted', 1);
  if (n > 0) commit(ctx, () => void flushNeighbours(ns, sel, shared));
  if (stats) ctx.stdout.write(n > 0 ? `\n*** Round 1, deleting ${n} entries ***\n*** Flush is complete after 1 round ***\n` : 'Nothing to flush.\n');
  return 0;
}
