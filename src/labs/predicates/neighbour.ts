/**
 * `neighbour`: a place's neighbour (ARP) table has an entry for an address, or has none, as
 * `ip neigh` there lists it.
 *
 * Design notes: the table is read as `ip neigh` reads it, brought up to the present by the
 * kernel's timers (src/sim/neigh.ts: REACHABLE becomes STALE, a STALE entry used becomes DELAY
 * and then PROBE), so the state a lab asks for is the one the learner sees. NOARP entries are
 * left out, as iproute2's default filter leaves them out. Reading the table ages it exactly as
 * `ip neigh` would, which can send PROBE's unicast request when it falls due; the predicate is
 * therefore judged between commands only (`live: false`), never while packets move.
 */
import { z } from 'zod';
import { neighbourTable } from '../../sim/forward';
import { formatIp, parseIp } from '../../sim/ipv4';
import { isValid } from '../../sim/neigh';
import type { Neighbour, NudState } from '../../sim/netns';
import { placeProblems } from '../places';
import { definePredicate } from './types';

const STATES = ['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'INCOMPLETE', 'FAILED', 'PERMANENT'] as const satisfies readonly NudState[];

const params = z
  .object({
    /** Where: a place (`@client`, `node:node-1`). */
    on: z.string(),
    /** The neighbour's IPv4 address (templated: `{{peer.ip}}`). */
    ip: z.string(),
    /** Only an entry on this device (`eth0`, `cni0`). */
    dev: z.string().optional(),
    /** The entry must be in this state, as `ip neigh` prints it. */
    state: z.enum(STATES).optional(),
    /** The entry must hold this MAC address (templated: `{{peer.mac}}`). */
    mac: z.string().optional(),
    /** There must be no entry for the address at all (default false). */
    absent: z.boolean().default(false),
  })
  .strict()
  .refine((p) => !p.absent || (p.state === undefined && p.mac === undefined), 'absent takes neither state nor mac');

export const neighbourPredicate = definePredicate({
  name: 'neighbour',
  doc: "A place's neighbour (ARP) table has an entry for an address (in a state, with a MAC), or with `absent` has none, as `ip neigh` there lists it. Judged between commands.",
  example: { state: { neighbour: { on: '@client', ip: '{{peer.ip}}', mac: '{{peer.mac}}' } } },
  params,
  live: false,
  lint(p) {
    const out = placeProblems([['on', p.on]]);
    if (!p.ip.includes('{{') && parseIp(p.ip) === undefined) out.push(`.ip: "${p.ip}" is not an IPv4 address`);
    return out;
  },
  test(p, ctx) {
    const place = ctx.place(p.on);
    const ipText = ctx.render(p.ip);
    const ip = parseIp(ipText);
    if (ip === undefined) throw new Error(`ip "${ipText}" is not an IPv4 address`);
    const dev = p.dev === undefined ? undefined : ctx.render(p.dev);
    const mac = p.mac === undefined ? undefined : ctx.render(p.mac).toLowerCase();
    const where = capital(place.label);
    const table = neighbourTable(ctx.sim.state, place.ns, ctx.sim.clock.now()).filter((n) => n.state !== 'NOARP' && n.ip === ip && (dev === undefined || n.dev === dev));
    const entry = table[0];
    const wanted = `${ipText}${dev ? ` on ${dev}` : ''}`;
    if (p.absent) {
      return entry ? { holds: false, why: `${where} still has ${show(entry)}.` } : { holds: true, why: `${where} has no neighbour entry for ${wanted}.` };
    }
    if (!entry) return { holds: false, why: `${where} has no neighbour entry for ${wanted}; \`ip neigh\` there lists its table.` };
    const problems: string[] = [];
    if (p.state !== undefined && entry.state !== p.state) problems.push(`not ${p.state}`);
    if (mac !== undefined && (!hasMac(entry) || entry.mac !== mac)) problems.push(`not with lladdr ${mac}`);
    if (problems.length) return { holds: false, why: `${where} has ${show(entry)}, ${problems.join(' and ')}.` };
    return { holds: true, why: `${where} has ${show(entry)}.` };
  },
});

/** Whether `ip neigh` prints the entry's MAC (`lladdr`): not while it is being resolved or failed. */
function hasMac(n: Neighbour): boolean {
  return isValid(n.state);
}

/** The entry as `ip neigh` prints it, less the trailing space. */
function show(n: Neighbour): string {
  return `${formatIp(n.ip)} dev ${n.dev}${hasMac(n) ? ` lladdr ${n.mac}` : ''} ${n.state}`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
