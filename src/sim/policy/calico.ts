/**
 * What Calico's Kubernetes datastore makes of the cluster: workload endpoints from pods,
 * profiles from namespaces and service accounts, Calico policies from NetworkPolicies.
 *
 * Design notes: the conversions are libcalico-go's (lib/backend/k8s/conversion) followed by
 * the syncer's update processors (lib/backend/syncersv1/updateprocessors), as Felix receives
 * them:
 * - a pod that is scheduled, has an address, is not host-network and has not finished is a
 *   workload endpoint on its node. Its interface is `cali` + the first 11 hex digits of
 *   sha1("<namespace>.<pod>") (VethNameForWorkload). Its labels are the pod's plus
 *   `projectcalico.org/namespace`, `projectcalico.org/orchestrator: k8s` and
 *   `projectcalico.org/serviceaccount`; its profiles `kns.<namespace>` and
 *   `ksa.<namespace>.<serviceaccount>`, whose labels it inherits (the namespace's labels as
 *   `pcns.<key>` plus `pcns.projectcalico.org/name`, the service account's name as
 *   `pcsa.projectcalico.org/name`). `kns.*` allows everything in both directions, `ksa.*` has
 *   no rules.
 * - a NetworkPolicy becomes `knp.default.<name>` in tier `default`, order 1000, keyed
 *   `<namespace>/knp.default.<name>`. Its selector is `(projectcalico.org/orchestrator ==
 *   'k8s' && <podSelector>) && projectcalico.org/namespace == '<ns>'`. Each ingress (egress)
 *   rule becomes one Allow rule per protocol named in its ports (sorted) and per peer; a
 *   peer's podSelector is scoped to the policy's namespace unless a namespaceSelector is given
 *   (its labels prefixed `pcns.`, `{}` meaning every namespace), an ipBlock becomes a net with
 *   its `except` as not-nets. Ports of one protocol are merged into ranges (SimplifyPorts),
 *   `endPort` makes a range, a port given by name stays a named port. policyTypes come from
 *   the stored object (the API server defaults them).
 * Left out: Calico's own resources (GlobalNetworkPolicy, tiers, host endpoints), service
 * account objects (their labels), AdminNetworkPolicy.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import type { SimState } from '../state';
import type { Pod } from '../k8s/types';
import { matches as matchesParsed, parseSelector, prefixLabels, selectorText } from './selector';

/** A workload endpoint as Felix sees it. */
export interface WorkloadEndpoint {
  /** `<namespace>/<pod>`. */
  id: string;
  node: string;
  iface: string;
  ip: string;
  labels: Record<string, string>;
  profiles: string[];
  /** Named container ports, for named-port ipsets. */
  ports: { name: string; protocol: 'tcp' | 'udp' | 'sctp'; port: number }[];
}

export interface PortRange {
  first: number;
  last: number;
}

/** A backend (v1) rule: what Felix's rule scanner reads. */
export interface ModelRule {
  action: 'allow';
  /** Lowercase protocol name, or none for every protocol. */
  protocol?: 'tcp' | 'udp' | 'sctp';
  srcSelector: string;
  dstSelector: string;
  srcNets: string[];
  notSrcNets: string[];
  dstNets: string[];
  notDstNets: string[];
  dstPorts: PortRange[];
  dstNamedPorts: string[];
}

export interface CalicoPolicy {
  /** `<namespace>/knp.default.<name>`. */
  name: string;
  tier: 'default';
  namespace: string;
  order: number;
  /** The selector as the update processor writes it (normalise() it to compare or hash). */
  selector: string;
  types: ('ingress' | 'egress')[];
  inbound: ModelRule[];
  outbound: ModelRule[];
}

export interface Profile {
  name: string;
  inbound: 'allow' | 'none';
  outbound: 'allow' | 'none';
}

/** UTF-8 bytes of a string (what Go hashes for a string). */
export function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Calico's host-side interface name for a pod (libcalico-go VethNameForWorkload). */
export function calicoIface(namespace: string, pod: string): string {
  return `cali${hex(sha1(utf8(`${namespace}.${pod}`))).slice(0, 11)}`;
}

function serviceAccount(pod: Pod): string {
  return pod.spec.serviceAccountName ?? 'default';
}

/** True when Calico treats the pod as a workload endpoint (IsValidCalicoWorkloadEndpoint and an address). */
export function isWorkload(pod: Pod): boolean {
  return !pod.spec.hostNetwork && !!pod.spec.nodeName && !!pod.status.podIP && pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed';
}

export function workloadEndpoints(state: SimState): WorkloadEndpoint[] {
  const out: WorkloadEndpoint[] = [];
  for (const pod of Object.values(state.k8s.pods)) {
    if (!isWorkload(pod)) continue;
    const ns = pod.metadata.namespace ?? 'default';
    const sa = serviceAccount(pod);
    const labels: Record<string, string> = {};
    // Profile labels first: the endpoint's own labels win over inherited ones.
    for (const [k, v] of Object.entries(state.k8s.namespaces[ns]?.metadata.labels ?? {})) labels[`pcns.${k}`] = v;
    labels['pcns.projectcalico.org/name'] = ns;
    labels['pcsa.projectcalico.org/name'] = sa;
    Object.assign(labels, pod.metadata.labels ?? {});
    labels['projectcalico.org/namespace'] = ns;
    labels['projectcalico.org/orchestrator'] = 'k8s';
    labels['projectcalico.org/serviceaccount'] = sa;
    const ports: WorkloadEndpoint['ports'] = [];
    for (const c of pod.spec.containers) for (const p of c.ports ?? []) if (p.name) ports.push({ name: p.name, protocol: p.protocol.toLowerCase() as 'tcp', port: p.containerPort });
    out.push({ id: `${ns}/${pod.metadata.name}`, node: pod.spec.nodeName!, iface: calicoIface(ns, pod.metadata.name), ip: pod.status.podIP!, labels, profiles: [`kns.${ns}`, `ksa.${ns}.${sa}`], ports });
  }
  return out;
}

export function profile(name: string): Profile {
  if (name.startsWith('kns.')) return { name, inbound: 'allow', outbound: 'allow' };
  return { name, inbound: 'none', outbound: 'none' };
}

// ------------------------------------------------------------------------- NetworkPolicy

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** k8sSelectorToCalico: a pod selector gets the orchestrator term; `{}` namespaces mean all(). */
function k8sSelectorToCalico(s: LabelSelector | undefined, kind: 'pod' | 'namespace'): string {
  const terms: string[] = kind === 'pod' ? ["projectcalico.org/orchestrator == 'k8s'"] : [];
  if (!s) return terms.join(' && ');
  const labels = s.matchLabels ?? {};
  const exprs = s.matchExpressions ?? [];
  if (kind === 'namespace' && Object.keys(labels).length === 0 && exprs.length === 0) return 'all()';
  for (const k of Object.keys(labels).sort()) terms.push(`${k} == '${labels[k]}'`);
  for (const e of exprs) {
    const values = (e.values ?? []).join("', '");
    if (e.operator === 'In') terms.push(`${e.key} in { '${values}' }`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} not in { '${values}' }`);
    else if (e.operator === 'Exists') terms.push(`has(${e.key})`);
    else if (e.operator === 'DoesNotExist') terms.push(`! has(${e.key})`);
  }
  return terms.join(' && ');
}

/** The update processor's getEndpointSelector, for a rule of a policy in namespace `ns`. */
function endpointSelector(nsSelector: string, selector: string, ns: string): string {
  let nsSel = '';
  if (nsSelector !== '') {
    nsSel = selectorText(prefixLabels(parseSelector(nsSelector), 'pcns.'));
    nsSel = nsSel.split('all()').join('has(projectcalico.org/namespace)');
  } else nsSel = `projectcalico.org/namespace == '${ns}'`;
  if (selector !== '' || nsSelector !== '') return selector !== '' ? `(${nsSel}) && (${selector})` : nsSel;
  return selector;
}

/** A CIDR as Go's IPNet prints it: the network address and the prefix length. */
function networkOf(text: string): string {
  const [a, l] = text.split('/');
  const len = Number(l ?? 32);
  const addr = a!.split('.').reduce((x, o) => x * 256 + Number(o), 0) >>> 0;
  const net = len === 0 ? 0 : (addr & ((0xffffffff << (32 - len)) >>> 0)) >>> 0;
  return `${(net >>> 24) & 255}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`;
}

type CalicoPort = { first: number; last: number } | { name: string };

/** SimplifyPorts: named ports first, then the numeric ports merged into ranges (two or more numeric ports only). */
function simplifyPorts(ports: CalicoPort[]): CalicoPort[] {
  if (ports.length <= 1) return ports;
  const numeric: number[] = [];
  const out: CalicoPort[] = [];
  for (const p of ports) {
    if ('name' in p) out.push(p);
    else for (let i = p.first; i <= p.last; i++) numeric.push(i);
  }
  if (numeric.length <= 1) return ports;
  numeric.sort((a, b) => a - b);
  let i = 0;
  while (i < numeric.length) {
    const first = numeric[i]!;
    let last = first;
    i++;
    while (i < numeric.length && numeric[i]! <= last + 1) last = numeric[i++]!;
    out.push({ first, last });
  }
  return out;
}

interface Peer {
  selector: string;
  nsSelector: string;
  nets: string[];
  notNets: string[];
}

function peerFields(peer: Obj | undefined): Peer {
  if (!peer) return { selector: '', nsSelector: '', nets: [], notNets: [] };
  const block = peer.ipBlock;
  if (isObj(block) && typeof block.cidr === 'string') {
    return { selector: '', nsSelector: '', nets: [networkOf(block.cidr)], notNets: (Array.isArray(block.except) ? block.except : []).map((e) => networkOf(String(e))) };
  }
  return {
    selector: k8sSelectorToCalico(isObj(peer.podSelector) ? (peer.podSelector as LabelSelector) : undefined, 'pod'),
    nsSelector: k8sSelectorToCalico(isObj(peer.namespaceSelector) ? (peer.namespaceSelector as LabelSelector) : undefined, 'namespace'),
    nets: [],
    notNets: [],
  };
}

/** k8sRuleToCalico + RuleAPIV3ToBackend for one ingress or egress rule. */
function convertRule(rule: Obj, ns: string, ingress: boolean): ModelRule[] {
  const peersIn = (ingress ? rule.from : rule.to) as unknown;
  const peers: (Obj | undefined)[] = Array.isArray(peersIn) && peersIn.length > 0 ? peersIn.map((p) => (isObj(p) ? p : {})) : [undefined];
  const portsIn = Array.isArray(rule.ports) && rule.ports.length > 0 ? (rule.ports as Obj[]) : [undefined];
  // protocol -> ports (undefined: every port); '' -> every protocol.
  let byProto = new Map<string, CalicoPort[] | undefined>();
  for (const p of portsIn) {
    if (!p) {
      byProto = new Map([['', undefined]]);
      break;
    }
    const proto = typeof p.protocol === 'string' ? p.protocol : 'TCP';
    let ports: CalicoPort[] | undefined;
    if (p.port !== undefined && p.port !== null) {
      if (typeof p.port === 'number' || /^\d+$/.test(String(p.port))) {
        const first = Number(p.port);
        ports = [{ first, last: typeof p.endPort === 'number' ? p.endPort : first }];
      } else ports = [{ name: String(p.port) }];
    }
    if (ports === undefined) byProto.set(proto, undefined);
    else if (!byProto.has(proto) || (byProto.get(proto)?.length ?? 0) > 0) byProto.set(proto, [...(byProto.get(proto) ?? []), ...ports]);
  }
  const out: ModelRule[] = [];
  for (const proto of [...byProto.keys()].sort()) {
    const ports = simplifyPorts(byProto.get(proto) ?? []);
    for (const peer of peers) {
      const f = peerFields(peer);
      const sel = endpointSelector(f.nsSelector, f.selector, ns);
      const none = endpointSelector('', '', ns);
      out.push({
        action: 'allow',
        ...(proto ? { protocol: proto.toLowerCase() as 'tcp' } : {}),
        srcSelector: ingress ? sel : none,
        dstSelector: ingress ? none : sel,
        srcNets: ingress ? f.nets : [],
        notSrcNets: ingress ? f.notNets : [],
        dstNets: ingress ? [] : f.nets,
        notDstNets: ingress ? [] : f.notNets,
        dstPorts: ports.filter((p): p is PortRange => !('name' in p)),
        dstNamedPorts: ports.filter((p): p is { name: string } => 'name' in p).map((p) => p.name),
      });
    }
  }
  return out;
}

/** Every NetworkPolicy as Felix receives it, sorted by order then name (PolKVLess). */
export function calicoPolicies(state: SimState): CalicoPolicy[] {
  const out: CalicoPolicy[] = [];
  for (const np of Object.values(state.k8s.objects?.networkpolicies ?? {})) {
    const ns = np.metadata.namespace ?? 'default';
    const spec = isObj(np.spec) ? np.spec : {};
    const podSel = k8sSelectorToCalico(isObj(spec.podSelector) ? (spec.podSelector as LabelSelector) : {}, 'pod');
    const types = (Array.isArray(spec.policyTypes) ? spec.policyTypes : ['Ingress']).map((t) => String(t).toLowerCase()).filter((t): t is 'ingress' | 'egress' => t === 'ingress' || t === 'egress');
    const rules = (list: unknown, ingress: boolean): ModelRule[] => (Array.isArray(list) ? list.flatMap((r) => (isObj(r) ? convertRule(r, ns, ingress) : [])) : []);
    out.push({
      name: `${ns}/knp.default.${np.metadata.name}`,
      tier: 'default',
      namespace: ns,
      order: 1000,
      selector: `(${podSel}) && projectcalico.org/namespace == '${ns}'`,
      types: (['ingress', 'egress'] as const).filter((t) => types.includes(t)),
      inbound: rules(spec.ingress, true),
      outbound: rules(spec.egress, false),
    });
  }
  return out.sort((a, b) => (a.order !== b.order ? a.order - b.order : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The policies that apply to an endpoint in one direction, in order. */
export function policiesFor(policies: CalicoPolicy[], ep: WorkloadEndpoint, dir: 'ingress' | 'egress'): CalicoPolicy[] {
  return policies.filter((p) => p.types.includes(dir) && selects(p.selector, ep.labels));
}

const PARSED = new Map<string, ReturnType<typeof parseSelector>>();

/** Whether a selector (any spelling) matches a set of labels; parses are cached. */
export function selects(selector: string, labels: Record<string, string>): boolean {
  let sel = PARSED.get(selector);
  if (!sel) {
    sel = parseSelector(selector);
    if (PARSED.size > 1000) PARSED.clear();
    PARSED.set(selector, sel);
  }
  return matchesParsed(sel, labels);
}
