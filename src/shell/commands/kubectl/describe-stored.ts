/**
 * `kubectl describe` for the kinds stored as written: ConfigMap, Secret, NetworkPolicy.
 *
 * Design notes: the layouts are kubectl v1.32's describers (pkg/describe/describe.go:
 * ConfigMapDescriber, describeSecret, describeNetworkPolicy), through the same tabwriter as
 * the other describers. A ConfigMap prints each value under `key:` and `----`, then its
 * binary keys with their sizes, then its events; a Secret prints only each key's size in
 * bytes, never a value, and no events; a NetworkPolicy prints its creation time as Go's
 * time.Time String() does and its rules in kubectl's sentences, without events. Annotations
 * leave out kubectl's last-applied-configuration, as kubectl does. Go iterates maps in random
 * order; the sandbox prints data keys sorted.
 */
import type { K8sEvent } from '../../../sim/k8s/events';
import { fromBase64 } from '../../../sim/k8s/objects';
import type { StoredObject } from '../../../sim/k8s/types';
import { describeEvents, goTabwriter, Out } from './describe-format';
import { formatLabelSelector } from './printers';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function header(o: StoredObject, extra = ''): string {
  const out = new Out();
  out.w(0, `Name:\t${o.metadata.name}\nNamespace:\t${o.metadata.namespace ?? ''}\n${extra}`);
  out.labels('Labels', o.metadata.labels);
  out.annotations('Annotations', o.metadata.annotations);
  return out.text;
}

const byteLength = (b64: string): number => {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - pad;
};

export function describeConfigMap(cm: StoredObject, events: K8sEvent[] | undefined, now: number): string {
  let t = header(cm);
  t += '\nData\n====\n';
  const data = isObj(cm.data) ? cm.data : {};
  for (const k of Object.keys(data).sort()) t += `${k}:\n----\n${String(data[k])}\n\n`;
  t += '\nBinaryData\n====\n';
  const bin = isObj(cm.binaryData) ? cm.binaryData : {};
  for (const k of Object.keys(bin).sort()) t += `${k}: ${byteLength(String(bin[k]))} bytes\n`;
  t += '\n';
  if (events && events.length === 0) return goTabwriter(t + 'Events:\t<none>\n');
  return goTabwriter(t) + describeEvents(events, now);
}

export function describeSecret(s: StoredObject): string {
  let t = header(s);
  t += `\nType:\t${String(s.type ?? '')}\n`;
  t += '\nData\n====\n';
  const data = isObj(s.data) ? s.data : {};
  for (const k of Object.keys(data).sort()) {
    const v = String(data[k]);
    if (k === 'token' && s.type === 'kubernetes.io/service-account-token') t += `${k}:\t${fromBase64(v) ?? ''}\n`;
    else t += `${k}:\t${byteLength(v)} bytes\n`;
  }
  return goTabwriter(t);
}

/** Go's time.Time String() in UTC: `2025-03-14 09:30:00 +0000 UTC`. */
function goTimeString(rfc3339: string): string {
  return rfc3339.replace('T', ' ').replace(/Z$/, ' +0000 UTC');
}

type Peer = { podSelector?: Obj; namespaceSelector?: Obj; ipBlock?: { cidr?: string; except?: string[] } };
type Rule = { ports?: { port?: number | string; endPort?: number; protocol?: string }[]; from?: Peer[]; to?: Peer[] };

function rules(list: Rule[], dir: 'From' | 'To', indent: string): string {
  const none = dir === 'From' ? '<none> (Selected pods are isolated for ingress connectivity)' : '<none> (Selected pods are isolated for egress connectivity)';
  if (list.length === 0) return `${indent}${none}\n`;
  let t = '';
  list.forEach((r, i) => {
    const ports = r.ports ?? [];
    if (ports.length === 0) t += `${indent}To Port: <any> (traffic allowed to all ports)\n`;
    for (const p of ports) {
      const proto = p.protocol ?? 'TCP';
      const port = p.port === undefined ? '<nil>' : String(p.port);
      t += p.endPort === undefined ? `${indent}To Port: ${port}/${proto}\n` : `${indent}To Port Range: ${port}-${p.endPort}/${proto}\n`;
    }
    const peers = (dir === 'From' ? r.from : r.to) ?? [];
    if (peers.length === 0) t += dir === 'From' ? `${indent}From: <any> (traffic not restricted by source)\n` : `${indent}To: <any> (traffic not restricted by destination)\n`;
    for (const peer of peers) {
      t += `${indent}${dir}:\n`;
      const sel = (s: Obj | undefined): string => formatLabelSelector(s as Parameters<typeof formatLabelSelector>[0]);
      if (peer.podSelector && peer.namespaceSelector) {
        t += `  ${indent}NamespaceSelector: ${sel(peer.namespaceSelector)}\n`;
        t += `  ${indent}PodSelector: ${sel(peer.podSelector)}\n`;
      } else if (peer.podSelector) t += `  ${indent}PodSelector: ${sel(peer.podSelector)}\n`;
      else if (peer.namespaceSelector) t += `  ${indent}NamespaceSelector: ${sel(peer.namespaceSelector)}\n`;
      else if (peer.ipBlock) {
        t += `  ${indent}IPBlock:\n`;
        t += `    ${indent}CIDR: ${peer.ipBlock.cidr ?? ''}\n`;
        t += `    ${indent}Except: ${(peer.ipBlock.except ?? []).join(', ')}\n`;
      }
    }
    if (i !== list.length - 1) t += `${indent}----------\n`;
  });
  return t;
}

export function describeNetworkPolicy(np: StoredObject): string {
  let t = header(np, `Created on:\t${goTimeString(np.metadata.creationTimestamp)}\n`);
  const spec = (isObj(np.spec) ? np.spec : {}) as { podSelector?: Obj; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
  t += 'Spec:\n';
  const ps = spec.podSelector ?? {};
  const empty = !isObj(ps.matchLabels) || Object.keys(ps.matchLabels).length === 0;
  const noExpr = !Array.isArray(ps.matchExpressions) || ps.matchExpressions.length === 0;
  t += '  PodSelector: ' + (empty && noExpr ? '    <none> (Allowing the specific traffic to all pods in this namespace)\n' : `    ${formatLabelSelector(ps as Parameters<typeof formatLabelSelector>[0])}\n`);
  const types = spec.policyTypes ?? [];
  if (types.includes('Ingress')) t += '  Allowing ingress traffic:\n' + rules(spec.ingress ?? [], 'From', '    ');
  else t += '  Not affecting ingress traffic\n';
  if (types.includes('Egress')) t += '  Allowing egress traffic:\n' + rules(spec.egress ?? [], 'To', '    ');
  else t += '  Not affecting egress traffic\n';
  t += `  Policy Types: ${types.length ? types.join(', ') : '<none>'}\n`;
  return goTabwriter(t);
}
