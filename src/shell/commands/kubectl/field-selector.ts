/**
 * `--field-selector`: the API server's field selectors (apimachinery fields.ParseSelector,
 * the per-kind field label conversions and each registry's selectable fields).
 *
 * Design notes: kubectl passes the text through untouched (trimmed; empty means none). The
 * server splits it on unescaped commas, sorts the terms, splits each at its first `!=`, `==`
 * or `=` (`==` and `=` mean the same) and unescapes the value (`\,`, `\=`, `\\`). Every
 * field must be one the kind supports, checked in sorted order; the first one that is not
 * is a BadRequest. Supported fields:
 * - pods: metadata.name, metadata.namespace, spec.nodeName (alias spec.host),
 *   spec.restartPolicy, spec.schedulerName, spec.serviceAccountName, spec.hostNetwork,
 *   status.phase, status.podIP, status.nominatedNodeName;
 * - nodes: metadata.name, spec.unschedulable; namespaces: metadata.name, status.phase;
 * - services: metadata.name, metadata.namespace, spec.clusterIP, spec.type;
 * - events: metadata.name, metadata.namespace, involvedObject.{kind, namespace, name, uid,
 *   apiVersion, resourceVersion, fieldPath}, reason, reportingComponent, source, type;
 * - every other kind: metadata.name and metadata.namespace, with the generic message
 *   `"x" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 * A field the object leaves empty matches the empty string (`spec.nodeName=` finds
 * unscheduled pods); booleans match `true`/`false`. Pods the sandbox stores without a
 * scheduler, service account or restart policy get the API server's defaults
 * (`default-scheduler`, `default`, `Always`).
 */
import type { ResourceType } from './resources';

export class FieldSelectorError extends Error {}

export interface FieldRequirement {
  field: string;
  /** `=` and `==` are one operator. */
  equal: boolean;
  value: string;
}

/** Parses and converts a field selector for a kind, as the API server does while listing it. */
export function parseFieldSelector(type: ResourceType, text: string): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  for (const part of splitTerms(text).sort()) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (!term) throw new FieldSelectorError(`invalid selector: '${text}'; can't understand '${part}'`);
    reqs.push({ field: term.lhs, equal: term.op !== '!=', value: unescape(term.rhs) });
  }
  return reqs.map((r) => ({ ...r, field: convert(type, r.field) }));
}

/** Whether an object's selectable fields satisfy every requirement. */
export function matchesFields(type: ResourceType, reqs: FieldRequirement[], obj: unknown): boolean {
  if (reqs.length === 0) return true;
  const fields = selectableFields(type, obj);
  return reqs.every((r) => ((fields[r.field] ?? '') === r.value) === r.equal);
}

function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let slash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (slash) slash = false;
    else if (c === '\\') slash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescape(s: string): string {
  let out = '';
  let slash = false;
  for (const c of s) {
    if (slash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      slash = false;
    } else if (c === '\\') slash = true;
    else if (c === ',' || c === '=') throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (slash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

const POD_FIELDS = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'];
const EVENT_FIELDS = [
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
  'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type', 'metadata.namespace', 'metadata.name',
];

/** The kinds with their own conversion function in the API server, and the labels each accepts. */
const KNOWN: Record<string, string[]> = {
  pods: POD_FIELDS,
  nodes: ['metadata.name', 'spec.unschedulable'],
  namespaces: ['status.phase', 'metadata.name'],
  services: ['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'],
  events: EVENT_FIELDS,
};

function convert(type: ResourceType, label: string): string {
  const known = KNOWN[type.plural];
  if (!known) {
    if (label === 'metadata.name' || label === 'metadata.namespace') return label;
    throw new FieldSelectorError(`"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  }
  if (type.plural === 'pods' && label === 'spec.host') return 'spec.nodeName';
  if (!known.includes(label)) throw new FieldSelectorError(`field label not supported: ${label}`);
  return label;
}

type Loose = Record<string, unknown>;
const str = (v: unknown, dflt = ''): string => (typeof v === 'string' && v !== '' ? v : dflt);
const sub = (o: unknown, key: string): Loose => ((o as Loose | undefined)?.[key] ?? {}) as Loose;

function selectableFields(type: ResourceType, obj: unknown): Record<string, string> {
  const meta = sub(obj, 'metadata');
  const f: Record<string, string> = { 'metadata.name': str(meta.name) };
  if (type.namespaced) f['metadata.namespace'] = str(meta.namespace);
  const spec = sub(obj, 'spec');
  const status = sub(obj, 'status');
  switch (type.plural) {
    case 'pods': {
      const ips = status.podIPs as { ip: string }[] | undefined;
      Object.assign(f, {
        'spec.nodeName': str(spec.nodeName),
        'spec.restartPolicy': str(spec.restartPolicy, 'Always'),
        'spec.schedulerName': str(spec.schedulerName, 'default-scheduler'),
        'spec.serviceAccountName': str(spec.serviceAccountName, 'default'),
        'spec.hostNetwork': String(spec.hostNetwork === true),
        'status.phase': str(status.phase),
        'status.podIP': ips?.[0]?.ip ?? str(status.podIP),
        'status.nominatedNodeName': str(status.nominatedNodeName),
      });
      break;
    }
    case 'nodes':
      f['spec.unschedulable'] = String(spec.unschedulable === true);
      break;
    case 'namespaces':
      f['status.phase'] = str(status.phase);
      break;
    case 'services':
      Object.assign(f, { 'spec.clusterIP': str(spec.clusterIP), 'spec.type': str(spec.type) });
      break;
    case 'events': {
      const o = obj as Loose;
      const inv = sub(obj, 'involvedObject');
      for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) f[`involvedObject.${k}`] = str(inv[k]);
      Object.assign(f, {
        reason: str(o.reason),
        reportingComponent: str(o.reportingComponent),
        source: str(sub(obj, 'source').component, str(o.reportingComponent)),
        type: str(o.type),
      });
      break;
    }
  }
  return f;
}
