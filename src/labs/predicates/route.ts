/**
 * `route`: a route exists (or not) in a place's main routing table.
 */
import { z } from 'zod';
import { formatCidr, formatIp, parseCidr, parseIp } from '../../sim/ipv4';
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
    const dst = dstText === 'default' ? { addr: 0, len: 0 } : parseCidr(dstText.includes('/') ? dstText : `${dstText}/32`);
    if (!dst) return { holds: false, why: `"${dstText}" is not a destination (write a CIDR such as 10.244.2.0/24, or default).` };
    const via = p.via === undefined ? undefined : parseIp(ctx.render(p.via));
    const dev = p.dev === undefined ? undefined : ctx.render(p.dev);
    const same = ns.routes.filter((r) => r.dst.addr === dst.addr && r.dst.len === dst.len);
    const match = same.find((r) => (via === undefined || r.via === via) && (dev === undefined || r.dev === dev));
    const show = (r: (typeof same)[number]): string => `${r.dst.len === 0 ? 'default' : formatCidr(r.dst)}${r.via !== undefined ? ` via ${formatIp(r.via)}` : ''} dev ${r.dev}`;
    const wanted = `${dstText}${via !== undefined ? ` via ${formatIp(via)}` : ''}${dev ? ` dev ${dev}` : ''}`;
    if (p.absent) {
      return match ? { holds: false, why: `${place.label} still has the route ${show(match)}.` } : { holds: true, why: `${place.label} has no route ${wanted}.` };
    }
    if (match) return { holds: true, why: `${place.label} has the route ${show(match)}.` };
    if (same.length) return { holds: false, why: `${place.label} has ${same.map(show).join(' and ')}, not ${wanted}.` };
    return { holds: false, why: `${place.label} has no route to ${dstText}; \`ip route\` there lists its table.` };
  },
});
