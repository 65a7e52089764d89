/**
 * `resolves`: a DNS name resolves from a place, as that place's C library would resolve it.
 */
import { z } from 'zod';
import { VirtualClock } from '../../sim/clock';
import { formatIp, parseIp } from '../../sim/ipv4';
import { resolveHost } from '../../shell/resolver';
import { placeProblems } from '../places';
import { definePredicate } from './types';

const params = z
  .object({
    /** Where the lookup runs: a place (`@client`, `pod:dns-test`). */
    from: z.string(),
    /** The name, as a program there would look it up (`web`, `web.default.svc.cluster.local`). */
    name: z.string(),
    /** The address it must resolve to (templated: `{{web.ip}}`); without it, any answer. */
    to: z.string().optional(),
    /** The name must NOT resolve (default false). */
    fails: z.boolean().default(false),
  })
  .strict();

export const resolvesPredicate = definePredicate({
  name: 'resolves',
  doc: "A name resolves from a place: real DNS queries (the place's resolv.conf search list, its nameserver, kube-proxy's DNAT to CoreDNS), sent in a scratch copy of the sandbox so the learner's is untouched.",
  example: { state: { resolves: { from: '@client', name: 'web', to: '{{web.ip}}' } } },
  params,
  live: false,
  lint: (p) => placeProblems([['from', p.from]]),
  test(p, ctx) {
    const place = ctx.place(p.from);
    const scratch = ctx.scratch();
    const name = ctx.render(p.name);
    const r = resolveHost({ sim: scratch, scheduler: new VirtualClock(ctx.now()), location: place.location, vars: {} }, name);
    const where = place.label;
    if (p.fails) {
      return r.ok ? { holds: false, why: `${name} resolves from ${where} (to ${formatIp(r.ip)}).` } : { holds: true, why: `${name} does not resolve from ${where}.` };
    }
    if (!r.ok) {
      return { holds: false, why: r.reason === 'timeout' ? `Looking up ${name} from ${where} timed out: no DNS server answered.` : `${name} does not resolve from ${where} (NXDOMAIN for every name the search list tried).` };
    }
    if (p.to !== undefined) {
      const want = parseIp(ctx.render(p.to));
      if (want !== r.ip) return { holds: false, why: `${name} resolves from ${where} to ${formatIp(r.ip)}, not ${ctx.render(p.to)}.` };
    }
    return { holds: true, why: `${name} resolves from ${where} to ${formatIp(r.ip)} (as ${r.name}).` };
  },
});
