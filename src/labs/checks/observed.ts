/**
 * `observed`: the learner made traffic that took a given path.
 *
 * Every packet run the sandbox moves is matched, the moment it moves, against what the task
 * names: where it was sent from (`from`, a place) and to (`to`, a place or an address, as
 * first addressed, or after DNAT), its protocol and destination port, a step on its way
 * (`through` a place, on `dev`, with an `action` of the trace: bridge-forward, route,
 * forward, dnat, snat, vxlan-encap, vxlan-decap, drop, ..., whose text contains `reason`),
 * whether it was delivered to `to` (or where DNAT sent it, from its source as sent or as SNAT
 * rewrote it), and whether an answer came back (`answered`). A match is
 * kept as evidence, so the task stays passed whatever happens next; a ping without `-c`
 * passes at its first reply. Traffic from the same place that does not match (same protocol,
 * or the same destination) is a near miss: the task shows as failed with where that packet
 * really went.
 */
import { z } from 'zod';
import type { Hop, HopAction } from '../../sim/forward';
import { explainTrace } from '../explain';
import { addressesOf, labelOf } from '../observables';
import { placeProblems } from '../places';
import { defineCheckKind, fail, pass, type CheckContext, type TraceEvent } from './types';

export const HOP_ACTIONS: readonly HopAction[] = ['send', 'route', 'arp-request', 'arp-reply', 'veth', 'bridge-forward', 'bridge-flood', 'switch', 'vxlan-encap', 'vxlan-decap', 'forward', 'reply', 'deliver', 'dnat', 'snat', 'un-dnat', 'un-snat', 'filter', 'proxy', 'drop'];
const PROTOS = { icmp: 1, tcp: 6, udp: 17 } as const;

const params = z
  .object({
    /** The place the traffic is sent from (`@client`, `workstation`). */
    from: z.string().optional(),
    /** Where it is sent: a place or an address (`@target`, `{{web.ip}}`); matches the first destination or the one after DNAT. */
    to: z.string().optional(),
    /** Its protocol. */
    proto: z.enum(['icmp', 'tcp', 'udp']).optional(),
    /** Its destination port, as first sent (TCP, UDP). */
    port: z.number().int().min(1).max(65535).optional(),
    /** A step must happen at this place (`node:node-1`, `@target`), ... */
    through: z.string().optional(),
    /** ... on this device (`cni0`, `flannel.1`, `eth1`), ... */
    dev: z.string().optional(),
    /** ... with this action (or one of these). */
    action: z.union([z.enum(HOP_ACTIONS as [HopAction, ...HopAction[]]), z.array(z.enum(HOP_ACTIONS as [HopAction, ...HopAction[]])).nonempty()]).optional(),
    /** ... whose description contains this text (case-insensitive): a drop's reason, a rule. */
    reason: z.string().optional(),
    /** The packet must (true) or must not (false) be delivered at `to`. */
    delivered: z.boolean().optional(),
    /** An answer must (true) or must not (false) come back to `from` from `to` in the same exchange. */
    answered: z.boolean().optional(),
    /** What to do, said in the near-miss feedback ("Ping {{target.ip}} from client."), templated. */
    hint: z.string().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.delivered !== undefined && p.to === undefined) ctx.addIssue({ code: 'custom', message: 'delivered needs to', path: ['delivered'] });
    if (p.answered !== undefined && (p.to === undefined || p.from === undefined)) ctx.addIssue({ code: 'custom', message: 'answered needs from and to', path: ['answered'] });
    if (p.from === undefined && p.through === undefined && p.to === undefined) ctx.addIssue({ code: 'custom', message: 'give at least one of from, to and through' });
    if (p.port !== undefined && p.proto === 'icmp') ctx.addIssue({ code: 'custom', message: 'port applies to tcp and udp, not icmp', path: ['port'] });
  });

type Params = z.output<typeof params>;

interface Match {
  ok: boolean;
  /** The trace is about the same thing (same sender and protocol or destination): a near miss when not ok. */
  related: boolean;
}

function nsOf(ctx: CheckContext, ref: string | undefined): string | undefined {
  return ref === undefined ? undefined : ctx.place(ref).ns;
}

function matchTrace(p: Params, ctx: CheckContext, ev: TraceEvent): Match {
  const from = nsOf(ctx, p.from);
  if (from !== undefined && ev.origin !== from) return { ok: false, related: false };
  const hops = ev.trace.hops;
  const first = hops.find((h) => h.ip);
  if (!first?.ip) return { ok: false, related: false };
  const to = p.to !== undefined ? addressesOf(ctx, p.to) : undefined;
  const sameProto = p.proto === undefined || first.ip.proto === PROTOS[p.proto];
  const firstDst = first.ip.dst;
  // The packet's destination as sent, or as rewritten by DNAT on the way.
  const dsts = new Set<number>([firstDst, ...hops.filter((h) => h.action === 'dnat' && h.ip && h.ip.src === first.ip!.src).map((h) => h.ip!.dst)]);
  const sameTo = to === undefined || [...dsts].some((d) => to.includes(d));
  const related = from !== undefined && (p.proto !== undefined ? sameProto : sameTo);
  if (!sameProto || !sameTo) return { ok: false, related };
  if (p.port !== undefined && first.ip.dport !== p.port) return { ok: false, related };
  const through = nsOf(ctx, p.through);
  const dev = p.dev === undefined ? undefined : ctx.render(p.dev);
  const actions = p.action === undefined ? undefined : Array.isArray(p.action) ? p.action : [p.action];
  const reason = p.reason === undefined ? undefined : ctx.render(p.reason).toLowerCase();
  if (through !== undefined || dev !== undefined || actions || reason !== undefined) {
    const step = (h: Hop): boolean => (through === undefined || h.ns === through) && (dev === undefined || h.dev === dev) && (!actions || actions.includes(h.action)) && (reason === undefined || h.detail.toLowerCase().includes(reason));
    if (!hops.some(step)) return { ok: false, related };
  }
  if (p.delivered !== undefined) {
    // Delivered where it was sent, or where DNAT sent it (a Service's endpoint), from its
    // source as sent or as SNAT rewrote it (a node port's masquerade).
    const srcs = new Set<number>([first.ip.src, ...hops.filter((h) => h.action === 'snat' && h.ip).map((h) => h.ip!.src)]);
    const got = hops.some((h) => h.action === 'deliver' && h.ip && (to!.includes(h.ip.dst) || dsts.has(h.ip.dst)) && srcs.has(h.ip.src));
    if (got !== p.delivered) return { ok: false, related };
  }
  if (p.answered !== undefined) {
    const echo = first.ip.proto === 1 && first.ip.icmp?.type === 8;
    const back = hops.some((h) => h.action === 'deliver' && h.ns === from && h.ip && h.ip.dst === first.ip!.src && (to!.includes(h.ip.src) || dsts.has(h.ip.src)) && (!echo || h.ip.icmp?.type === 0));
    if (back !== p.answered) return { ok: false, related };
  }
  return { ok: true, related };
}

export const observedCheck = defineCheckKind<Params>({
  name: 'observed',
  doc: 'The learner made traffic that took a given path: sent from a place, to a place or address, through a place or device with an action of the packet trace (bridge-forward, route, forward, dnat, snat, vxlan-encap, vxlan-decap, drop with a reason, ...), delivered or answered. Judged packet by packet as it moves, so a ping without `-c` passes at its first reply.',
  example: { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true } },
  params: () => params,
  lint: (p) => placeProblems([['from', p.from], ['to', p.to, true], ['through', p.through]]),
  observe(p, ctx, ev) {
    if (ctx.memory.matched === true) return;
    const m = matchTrace(p, ctx, ev);
    if (m.ok) {
      ctx.memory.matched = true;
      delete ctx.memory.nearMiss;
    } else if (m.related) {
      ctx.memory.nearMiss = explainTrace(ctx.sim, ev.trace);
    }
  },
  evaluate(p, ctx) {
    if (ctx.memory.matched === true) return pass();
    const todo = p.hint ? ctx.render(p.hint) : describe(p, ctx);
    if (typeof ctx.memory.nearMiss === 'string') return fail(`${ctx.memory.nearMiss} ${todo}`.trim(), true);
    return fail(todo);
  },
});

/** What the task wants, said plainly, for feedback. */
function describe(p: Params, ctx: CheckContext): string {
  const parts: string[] = [];
  parts.push(`This task wants ${p.proto ? `${p.proto.toUpperCase()} ` : ''}traffic`);
  if (p.from) parts.push(`from ${labelOf(ctx, p.from)}`);
  if (p.to) parts.push(`to ${labelOf(ctx, p.to)}${p.port ? ` port ${p.port}` : ''}`);
  else if (p.port) parts.push(`to port ${p.port}`);
  if (p.through || p.dev || p.action || p.reason) {
    const acts = p.action === undefined ? [] : Array.isArray(p.action) ? p.action : [p.action];
    const step = `${acts.length ? `with a ${acts.join(' or ')} step` : 'passing'}${p.through ? ` at ${labelOf(ctx, p.through)}` : ''}${p.dev ? ` on ${ctx.render(p.dev)}` : ''}`;
    parts.push(p.reason ? `${step === 'passing' ? 'with a step' : step} that says "${ctx.render(p.reason)}"` : step);
  }
  if (p.delivered) parts.push('that is delivered there');
  if (p.delivered === false) parts.push('that is not delivered there');
  if (p.answered) parts.push(`${p.delivered !== undefined ? 'and ' : 'that '}gets an answer`);
  if (p.answered === false) parts.push(`${p.delivered !== undefined ? 'and ' : 'that '}gets no answer`);
  return `${parts.join(' ')}.`;
}
