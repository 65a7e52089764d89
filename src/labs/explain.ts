/**
 * Sentences that explain things from the model, for feedback.
 *
 * Design notes: feedback never says only "not yet": it says what an address is in this
 * sandbox, or where a packet went and why it stopped, read from the same state and traces
 * the packets moved through. Each function returns one or two plain sentences.
 */
import { isDropStep, type Hop, type TraceResult } from '../sim/forward';
import { contains, formatCidr, formatIp, parseIp, type Ip } from '../sim/ipv4';
import { isRst } from '../sim/packet';
import type { Sim } from '../sim/sim';
import { hostName } from '../sim/trace-text';

/** One sentence saying what an address is in this sandbox. */
export function explainAddress(sim: Sim, text: string): string {
  const ip = parseIp(text);
  if (ip === undefined) return `"${text}" is not an IPv4 address.`;
  const k8s = sim.state.k8s;
  const cfg = sim.state.config;
  const isCluster = Object.keys(k8s.nodes).length > 0;
  for (const n of Object.values(k8s.nodes)) {
    if (n.status.addresses.some((a) => a.type === 'InternalIP' && a.address === text)) return `${text} is node ${n.metadata.name}'s address (node network ${formatCidr(cfg.nodeNetwork)}).`;
  }
  for (const s of Object.values(k8s.services)) {
    if (s.spec.clusterIP === text) return `${text} is the ClusterIP of Service ${s.metadata.namespace}/${s.metadata.name} (service network ${formatCidr(cfg.serviceCidr)}).`;
  }
  const pod = Object.values(k8s.pods).find((p) => !p.spec.hostNetwork && p.status.podIP === text);
  if (pod) return `${text} is pod ${pod.metadata.name} on ${pod.spec.nodeName} (pod network ${formatCidr(cfg.podCidr)}).`;
  const owner = ownerOf(sim, ip);
  if (owner) return `${text} is ${owner}.`;
  if (isCluster) {
    if (contains(cfg.podCidr, ip)) return `${text} is in the pod network ${formatCidr(cfg.podCidr)}, but no pod has it.`;
    if (contains(cfg.serviceCidr, ip)) return `${text} is in the service network ${formatCidr(cfg.serviceCidr)}, but no Service has it.`;
    if (contains(cfg.nodeNetwork, ip)) return `${text} is in the node network ${formatCidr(cfg.nodeNetwork)}, but no node has it.`;
    return `${text} is outside the cluster's three pools.`;
  }
  return `No machine in this sandbox has ${text}.`;
}

/** "host-1's eth0", "router-1's eth1", ... for an address some device holds. */
function ownerOf(sim: Sim, ip: Ip): string | undefined {
  for (const ns of Object.values(sim.state.netns)) {
    for (const d of ns.devices) {
      if (d.kind === 'loopback') continue;
      if (d.addrs.some((a) => a.ip === ip)) return `the address of ${hostName(sim.state, ns.id)}'s ${d.name}`;
    }
  }
  return undefined;
}

/** A short name for what holds an address: `pod web-1 on node-2`, `node node-1`, ... */
export function whoHas(sim: Sim, ip: Ip): string | undefined {
  const text = formatIp(ip);
  const k8s = sim.state.k8s;
  for (const n of Object.values(k8s.nodes)) if (n.status.addresses.some((a) => a.type === 'InternalIP' && a.address === text)) return `node ${n.metadata.name}`;
  for (const s of Object.values(k8s.services)) if (s.spec.clusterIP === text) return `the ClusterIP of Service ${s.metadata.namespace}/${s.metadata.name}`;
  const pod = Object.values(k8s.pods).find((p) => !p.spec.hostNetwork && p.status.podIP === text);
  if (pod) return `pod ${pod.metadata.name} on ${pod.spec.nodeName}`;
  return ownerOf(sim, ip);
}

/** The last hop that tells where a packet's journey ended. */
export function endOf(trace: TraceResult): Hop | undefined {
  for (let i = trace.hops.length - 1; i >= 0; i--) {
    const h = trace.hops[i]!;
    if (h.action === 'drop' || h.action === 'deliver' || h.action === 'reply' || h.action === 'proxy') return h;
  }
  return trace.hops.at(-1);
}

/**
 * What became of the traffic of one packet run, in a sentence: "You pinged 10.244.2.2 (pod
 * web-... on node-2), which answered." / "... was dropped in node-2 at eth0: ..." / "...
 * node-1 refused it: it answered with a TCP reset ..." / "... node-2 rejected it (filter
 * FORWARD: REJECT ...), by the rule for "default/web has no endpoints".".
 */
export function explainTrace(sim: Sim, trace: TraceResult): string {
  const first = trace.hops.find((h) => h.ip);
  if (!first?.ip) return '';
  const { src, dst, proto, dport } = first.ip;
  const who = whoHas(sim, dst);
  const target = `${formatIp(dst)}${proto !== 1 && dport !== undefined ? ` port ${dport}` : ''}${who ? ` (${who})` : ''}`;
  const what = proto === 1 ? `You pinged ${target}` : proto === 6 ? `Your TCP segment to ${target}` : proto === 17 ? `Your UDP datagram to ${target}` : `Your packet to ${target}`;
  const local = trace.errors[0];
  const unknown = who ? '' : ` ${explainAddress(sim, formatIp(dst))}`;
  if (local) return `${what}, but ${hostName(sim.state, local.ns)} could not send it: ${ERRNO[local.errno]} (${local.errno}).${unknown}`;
  const drop = trace.hops.find(isDropStep);
  const clusterIp = proto === 1 && Object.keys(sim.state.k8s.nodes).length > 0 && contains(sim.state.config.serviceCidr, dst);
  const why = `${clusterIp ? ' No interface has a Service address, so nothing answers a ping to it: kube-proxy rewrites only TCP, UDP and SCTP to the Service\'s ports.' : ''}${unknown}`;
  const reset = proto === 6 && trace.deliveries.some((d) => d.ns === first.ns && d.packet.dst === src && d.packet.payload.kind === 'tcp' && isRst(d.packet.payload));
  if (reset) {
    const replier = trace.hops.find((h) => h.action === 'reply');
    const by = replier ? hostName(sim.state, replier.ns) : (who ?? formatIp(dst));
    return `${what}; ${by} refused it: it answered with a TCP reset, as nothing listens on port ${dport} there.`;
  }
  const reject = trace.hops.find((h) => h.action === 'filter' && /\bREJECT\b/.test(h.detail));
  if (reject) {
    const comment = reject.rules?.map((r) => /--comment "([^"]*)"/.exec(r)?.[1]).find((c) => c !== undefined);
    return `${what}; ${hostName(sim.state, reject.ns)} rejected it (${reject.detail})${comment ? `, by the rule for "${comment}"` : ''}.`;
  }
  const answered = trace.hops.some((h) => h.action === 'deliver' && h.ip && h.ip.dst === src && h.ip.src === dst && h.ip.proto === proto && (proto !== 1 || h.ip.icmp?.type === 0));
  if (answered) {
    const replier = trace.hops.find((h) => h.action === 'reply' || h.action === 'deliver');
    const by = replier && replier.ns !== first.ns ? hostName(sim.state, replier.ns) : undefined;
    return `${what}${by ? `; ${by} answered` : ', and an answer came back'}.`;
  }
  if (drop) return `${what}; it was dropped in ${hostName(sim.state, drop.ns)}${drop.dev ? ` at ${drop.dev}` : ''}: ${drop.detail}.${why}`;
  const errBack = trace.hops.find((h) => h.action === 'deliver' && h.ip?.proto === 1 && h.ip.dst === src && h.ip.icmp && h.ip.icmp.type !== 0);
  if (errBack?.ip) return `${what}; ${formatIp(errBack.ip.src)} sent back an ICMP error (type ${errBack.ip.icmp!.type}, code ${errBack.ip.icmp!.code}).`;
  const delivered = trace.hops.filter((h) => h.action === 'deliver' || h.action === 'reply').map((h) => hostName(sim.state, h.ns));
  if (delivered.length) return `${what}; it reached ${[...new Set(delivered)].join(' and ')}, and no answer came back.`;
  return `${what}, and nothing answered: ${endOf(trace)?.detail ?? 'it went nowhere'}.${why}`;
}

const ERRNO: Record<string, string> = {
  ENETUNREACH: 'it has no route to that network',
  EHOSTUNREACH: 'no machine on its network answered the ARP request for it',
  EMSGSIZE: 'the packet is larger than the MTU on its way and may not be fragmented',
  ECONNREFUSED: 'the connection was refused',
  EPERM: 'a firewall rule on it rejected the packet',
};
