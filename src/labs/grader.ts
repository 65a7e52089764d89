/**
 * Bindings, templates and checks: how a lab's tasks are judged from the model.
 *
 * Design notes: bindings are resolved once, when the session's cluster is built, into plain
 * strings (a pod's name, IP, node, its node's IP; a Service's name and ClusterIP), kept in
 * the session snapshot so text stays stable after a reload. Answer checks compare the
 * learner's normalised answer with the templated expectation; a wrong address is explained
 * from the model ("10.244.1.3 is pod web-... on node-1"). Observation checks read what the
 * sandbox saw on the wire (an echo reply arriving in a pod from a given address), never the
 * text that was typed, and explain near misses (a ClusterIP ping that got no reply).
 */
import { formatCidr, parseIp, contains } from '../sim/ipv4';
import { podNetns } from '../sim/cni';
import type { Sim } from '../sim/sim';
import type { Binding, Check, LabDefinition } from './schema';

export type ResolvedBindings = Record<string, Record<string, string>>;

export function resolveBindings(lab: LabDefinition, sim: Sim): ResolvedBindings {
  const out: ResolvedBindings = {};
  const k8s = sim.state.k8s;
  for (const [name, b] of Object.entries(lab.bindings)) {
    out[name] = resolveOne(name, b, sim, out);
  }
  return out;

  function resolveOne(name: string, b: Binding, s: Sim, done: ResolvedBindings): Record<string, string> {
    if ('pod' in b) {
      const q = b.pod;
      const candidates = Object.values(k8s.pods)
        .filter((p) => p.metadata.namespace === q.namespace)
        .filter((p) => q.name === undefined || p.metadata.name === q.name)
        .filter((p) => !q.labels || Object.entries(q.labels).every(([k, v]) => p.metadata.labels?.[k] === v))
        .filter((p) => !q.notOnNodeOf || p.spec.nodeName !== done[q.notOnNodeOf]?.node)
        .filter((p) => !q.onNodeOf || p.spec.nodeName === done[q.onNodeOf]?.node)
        .sort((a, b2) => a.metadata.name.localeCompare(b2.metadata.name));
      const p = candidates[0];
      if (!p) throw new Error(`lab ${lab.id}: binding ${name} matches no pod`);
      const node = k8s.nodes[p.spec.nodeName ?? ''];
      return {
        name: p.metadata.name,
        namespace: p.metadata.namespace ?? 'default',
        ip: p.status.podIP ?? '',
        node: p.spec.nodeName ?? '',
        nodeIp: node?.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '',
      };
    }
    if ('service' in b) {
      const svc = k8s.services[`${b.service.namespace}/${b.service.name}`];
      if (!svc) throw new Error(`lab ${lab.id}: binding ${name} names a missing service`);
      return { name: svc.metadata.name, namespace: b.service.namespace, ip: svc.spec.clusterIP ?? '' };
    }
    const node = k8s.nodes[b.node.name];
    if (!node) throw new Error(`lab ${lab.id}: binding ${name} names a missing node`);
    void s;
    return { name: node.metadata.name, ip: node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '', podCidr: node.spec.podCIDR };
  }
}

/** Fills `{{binding.field}}` placeholders; an unknown placeholder is an authoring error. */
export function render(text: string, bindings: ResolvedBindings): string {
  return text.replace(/\{\{\s*([a-zA-Z0-9]+)\.([a-zA-Z0-9]+)\s*\}\}/g, (all, b: string, f: string) => {
    const v = bindings[b]?.[f];
    if (v === undefined) throw new Error(`unknown placeholder ${all}`);
    return v;
  });
}

export interface Verdict {
  passed: boolean;
  /** Explanation for the learner; empty when there is nothing to say yet. */
  feedback: string;
}

/** Judges a typed answer. */
export function judgeAnswer(check: Extract<Check, { answer: unknown }>, value: string, bindings: ResolvedBindings, sim: Sim): Verdict {
  const a = check.answer;
  const expected = (Array.isArray(a.expect) ? a.expect : [a.expect]).map((e) => render(e, bindings));
  const given = normalize(value, a.normalize);
  if (given !== undefined && expected.some((e) => normalize(e, a.normalize) === given)) return { passed: true, feedback: '' };
  let feedback = render(a.wrong, bindings);
  if (a.normalize === 'ip') {
    const ip = parseIp(value.trim());
    if (ip === undefined) feedback = `"${value.trim()}" is not an IPv4 address. ${feedback}`;
    else feedback = `${explainAddress(sim, value.trim())} ${feedback}`;
  }
  return { passed: false, feedback };
}

/** Judges an observation check against what the sandbox has seen so far. */
export function judgeObservation(check: Exclude<Check, { answer: unknown }>, bindings: ResolvedBindings, sim: Sim, since: number): Verdict {
  const c = check.echoReply;
  const to = bindings[c.in];
  const from = bindings[c.from];
  if (!to || !from) throw new Error('echoReply check names an unknown binding');
  const toPod = sim.pod(to.namespace!, to.name!);
  const nsId = toPod && podNetns(sim.state, toPod)?.id;
  const fromIp = parseIp(from.ip!);
  const obs = sim.state.observations.filter((o) => o.seq > since && o.ns === nsId);
  if (obs.some((o) => o.kind === 'echo-reply' && o.src === fromIp)) return { passed: true, feedback: '' };
  // Explain the most recent near miss, if any.
  const last = [...obs].reverse().find((o) => o.kind === 'echo-request');
  if (!last) return { passed: false, feedback: '' };
  const dst = last.dst;
  const replied = obs.some((o) => o.kind === 'echo-reply' && o.src === dst && o.seq > last.seq - 1000);
  const addr = `${(dst >>> 24) & 255}.${(dst >>> 16) & 255}.${(dst >>> 8) & 255}.${dst & 255}`;
  const what = explainAddress(sim, addr);
  if (!replied) {
    if (contains(sim.state.config.serviceCidr, dst)) {
      return { passed: false, feedback: `You pinged ${addr}. ${what} No interface has a Service address, so nothing answers a ping to it: kube-proxy's rules rewrite only TCP and UDP traffic to the Service's ports. Ping the pod's own IP instead.` };
    }
    return { passed: false, feedback: `You pinged ${addr} and no reply came back. ${what}` };
  }
  return { passed: false, feedback: `You pinged ${addr} and got replies. ${what} This task wants ${from.name} (${from.ip}) on ${from.node}.` };
}

/** One sentence saying what an address is in this cluster, from the model. */
export function explainAddress(sim: Sim, text: string): string {
  const ip = parseIp(text);
  if (ip === undefined) return `"${text}" is not an IPv4 address.`;
  const k8s = sim.state.k8s;
  const cfg = sim.state.config;
  for (const n of Object.values(k8s.nodes)) {
    if (n.status.addresses.some((a) => a.type === 'InternalIP' && a.address === text)) return `${text} is node ${n.metadata.name}'s address (node network ${formatCidr(cfg.nodeNetwork)}).`;
  }
  for (const s of Object.values(k8s.services)) {
    if (s.spec.clusterIP === text) return `${text} is the ClusterIP of Service ${s.metadata.namespace}/${s.metadata.name} (service network ${formatCidr(cfg.serviceCidr)}).`;
  }
  const pod = Object.values(k8s.pods).find((p) => !p.spec.hostNetwork && p.status.podIP === text);
  if (pod) return `${text} is pod ${pod.metadata.name} on ${pod.spec.nodeName} (pod network ${formatCidr(cfg.podCidr)}).`;
  if (contains(cfg.podCidr, ip)) return `${text} is in the pod network ${formatCidr(cfg.podCidr)}, but no pod has it.`;
  if (contains(cfg.serviceCidr, ip)) return `${text} is in the service network ${formatCidr(cfg.serviceCidr)}, but no Service has it.`;
  if (contains(cfg.nodeNetwork, ip)) return `${text} is in the node network ${formatCidr(cfg.nodeNetwork)}, but no node has it.`;
  return `${text} is outside the cluster's three pools.`;
}

function normalize(value: string, how: 'ip' | 'number' | 'word'): string | undefined {
  const v = value.trim().replace(/^["']|["']$/g, '').trim();
  if (how === 'ip') {
    const ip = parseIp(v);
    return ip === undefined ? undefined : String(ip);
  }
  if (how === 'number') return /^[+-]?\d+$/.test(v) ? String(Number(v)) : undefined;
  return v.toLowerCase().replace(/\s+/g, ' ');
}
