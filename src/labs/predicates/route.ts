/**
 * `route`: a route exists (or not) in a place's main routing table.
 */
import { z } from 'zod';
import { formatCidr, formatIp, parseCidr, parseIp } from '../../sim/ipv4';
import { routesOf } from '../../sim/netns';
import { placeProblems } from '../places';
import { definePredicate } from './types';

const params = z
  .object({
    /** Where: a place (`node:node-1`, `host:router-1`, `@client`). */
    on: z.string(),
    /** The destination, as `ip route` shows it: `10.244.2.0/24`, or `default`. */
    dst: z.string(),
    /** The gateway it must go via. */
    via: z.string().optional(),
    /** The device it must use. */
    dev: z.string().optional(),
    /** The route must not exist (default false). */
    absent: z.boolean().default(false),
  })
  .strict();

export const routePredicate = definePredicate({
  name: 'route',
  doc: 'A route in the main table of a place: to `dst`, optionally via a gateway and on a device; with `absent`, that no such route exists.',
  example: { state: { route: { on: 'node:node-1', dst: '10.244.2.0/24', via: '10.244.2.0', dev: 'flannel.1' } } },
  params,
  test(p, ctx) {
    const place = ctx.place(p.on);
    const ns = ctx.sim.state.netns[place.ns]!;
    const dstText = ctx.render(p.dst);
    const dst = destination(dstText);
    if (!dst) throw new Error(`dst "${dstText}" ${NOT_A_DESTINATION}`);
    const viaText = p.via === undefined ? undefined : ctx.render(p.via);
    const via = viaText === undefined ? undefined : parseIp(viaText);
    if (viaText !== undefined && via === undefined) throw new Error(`via "${viaText}" is not an IPv4 address`);
    const dev = p.dev === undefined ? undefined : ctx.render(p.dev);
    const same = routesOf(ns, ctx.sim.state).filter((r) => r.dst.addr === dst.addr && r.dst.len === dst.len);
    const match = same.find((r) => (via === undefined || r.via === via) && (dev === undefined || r.dev === dev));
    const show = (r: (typeof same)[number]): string => `${r.dst.len === 0 ? 'default' : formatCidr(r.dst)}${r.via !== undefined ? ` via ${formatIp(r.via)}` : ''} dev ${r.dev}`;
    const wanted = `${dstText}${via !== undefined ? ` via ${formatIp(via)}` : ''}${dev ? ` dev ${dev}` : ''}`;
    if (p.absent) {
      return match ? { holds: false, why: `${capital(place.label)} still has the route ${show(match)}.` } : { holds: true, why: `${capital(place.label)} has no route ${wanted}.` };
    }
    if (match) return { holds: true, why: `${capital(place.label)} has the route ${show(match)}.` };
    if (same.length) return { holds: false, why: `${capital(place.label)} has ${same.map(show).join(' and ')}, not ${wanted}.` };
    return { holds: false, why: `${capital(place.label)} has no route to ${dstText}; \`ip route\` there lists its table.` };
  },
  lint(p) {
    const out = placeProblems([['on', p.on]]);
    if (!p.dst.includes('{{') && !destination(p.dst)) out.push(`dst "${p.dst}" ${NOT_A_DESTINATION}`);
    if (p.via !== undefined && !p.via.includes('{{') && parseIp(p.via) === undefined) out.push(`via "${p.via}" is not an IPv4 address`);
    return out;
  },
});

const NOT_A_DESTINATION = 'is not a destination (write a CIDR such as 10.244.2.0/24, or default)';

/** `default`, a CIDR block as ip route writes it, or an address (a /32). */
function destination(text: string): { addr: number; len: number } | undefined {
  return text === 'default' ? { addr: 0, len: 0 } : parseCidr(text.includes('/') ? text : `${text}/32`);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
