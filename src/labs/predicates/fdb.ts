/**
 * `fdb`: a bridge's forwarding database has an entry for a MAC address (on a port, learned or
 * permanent), or has none, as `bridge fdb show br BRIDGE` lists it.
 *
 * Design notes: the entries are the bridge's own table (src/sim/forward.ts learns a frame's
 * source MAC on the port it came in by; `bridge fdb add ... master` writes permanent ones).
 * The entries the kernel keeps for the ports' and the bridge's own MACs are listed by `bridge
 * fdb` but never move and are not asked about here: `mac` names a MAC behind a port. Learned
 * entries do not age in the sandbox (src/sim/linux/fdb.ts leaves the timers out).
 */
import { z } from 'zod';
import { deviceByName } from '../../sim/netns';
import { placeProblems } from '../places';
import { definePredicate } from './types';

const params = z
  .object({
    /** Where the bridge is: a place (`node:node-1`, `@node`, `host:host-1`). */
    on: z.string(),
    /** The bridge (`cni0`, `docker0`). */
    bridge: z.string(),
    /** The MAC address (templated: `{{peer.mac}}`). */
    mac: z.string(),
    /** The port it must be behind (templated: `{{peer.veth}}`). */
    port: z.string().optional(),
    /** The entry must have been learned from traffic (true) or made permanent by hand (false). */
    learned: z.boolean().optional(),
    /** There must be no entry for the MAC (default false). */
    absent: z.boolean().default(false),
  })
  .strict()
  .refine((p) => !p.absent || (p.port === undefined && p.learned === undefined), 'absent takes neither port nor learned');

export const fdbPredicate = definePredicate({
  name: 'fdb',
  doc: "A bridge's forwarding database has an entry for a MAC (behind a port, learned or permanent), or with `absent` has none, as `bridge fdb show br BRIDGE` lists it.",
  example: { state: { fdb: { on: '@node', bridge: 'cni0', mac: '{{peer.mac}}', port: '{{peer.veth}}', learned: true } } },
  params,
  lint: (p) => placeProblems([['on', p.on]]),
  test(p, ctx) {
    const place = ctx.place(p.on);
    const name = ctx.render(p.bridge);
    const br = deviceByName(ctx.sim.state.netns[place.ns]!, name);
    // A device name keeps its case at the start of a sentence (`cni0 on node node-1 ...`).
    const at = `${name} on ${place.label}`;
    if (!br || br.kind !== 'bridge') return { holds: false, why: `${capital(place.label)} has no bridge ${name}.` };
    const mac = ctx.render(p.mac).toLowerCase();
    const port = p.port === undefined ? undefined : ctx.render(p.port);
    const entry = br.fdb?.[mac];
    const show = (e: { port: string; permanent: boolean }): string => `${mac} dev ${e.port} master ${name}${e.permanent ? ' permanent' : ''}`;
    if (p.absent) return entry ? { holds: false, why: `${at} still has ${show(entry)}.` } : { holds: true, why: `${at} has no entry for ${mac}.` };
    if (!entry) return { holds: false, why: `${at} has no entry for ${mac}: no frame from that MAC has crossed it yet. \`bridge fdb show br ${name}\` there lists its table.` };
    const problems: string[] = [];
    if (port !== undefined && entry.port !== port) problems.push(`not behind ${port}`);
    if (p.learned === true && entry.permanent) problems.push('made by hand, not learned');
    if (p.learned === false && !entry.permanent) problems.push('learned, not permanent');
    if (problems.length) return { holds: false, why: `${at} has ${show(entry)}: ${problems.join(', ')}.` };
    return { holds: true, why: `${at} has ${show(entry)}${entry.permanent ? '' : ': it learned the MAC from a frame that came in on that port'}.` };
  },
});

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
