/**
 * `link`: an interface is up or down, or has a given MTU.
 */
import { z } from 'zod';
import { deviceByName } from '../../sim/netns';
import { placeProblems } from '../places';
import { definePredicate } from './types';

const params = z
  .object({
    /** Where: a place (`node:node-1`, `@client`). */
    on: z.string(),
    /** The interface (`eth0`, `cni0`, `flannel.1`). */
    dev: z.string(),
    /** It must be up (true) or down (false). */
    up: z.boolean().optional(),
    /** It must have this MTU. */
    mtu: z.number().int().positive().optional(),
  })
  .strict()
  .refine((p) => p.up !== undefined || p.mtu !== undefined, 'give up or mtu');

export const linkPredicate = definePredicate({
  name: 'link',
  doc: 'An interface at a place is up or down (`up`), or has an MTU (`mtu`).',
  example: { state: { link: { on: '@client', dev: 'eth0', mtu: 1450 } } },
  params,
  lint: (p) => placeProblems([['on', p.on]]),
  test(p, ctx) {
    const place = ctx.place(p.on);
    const dev = ctx.render(p.dev);
    const d = deviceByName(ctx.sim.state.netns[place.ns]!, dev);
    if (!d) return { holds: false, why: `${place.label.charAt(0).toUpperCase()}${place.label.slice(1)} has no interface ${dev}.` };
    const problems: string[] = [];
    if (p.up !== undefined && d.up !== p.up) problems.push(`${dev} on ${place.label} is ${d.up ? 'up' : 'down'}`);
    if (p.mtu !== undefined && d.mtu !== p.mtu) problems.push(`${dev} on ${place.label} has MTU ${d.mtu}, not ${p.mtu}`);
    if (problems.length) return { holds: false, why: `${problems.join(', and ')}.` };
    return { holds: true, why: `${dev} on ${place.label} is ${d.up ? 'up' : 'down'} with MTU ${d.mtu}.` };
  },
});
