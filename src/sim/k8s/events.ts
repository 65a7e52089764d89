/**
 * Kubernetes Events: what the components report about the objects they act on.
 *
 * Design notes: events are stored in the core/v1 shape the API server returns to
 * `kubectl get events` (name `<object>.<hex of the UnixNano time>`, involvedObject, reason,
 * message, source, first/last timestamps, count, type, reportingComponent/Instance). Two
 * recorders exist in a real cluster and both are modelled:
 * - the core/v1 recorder (kubelet, controller-manager controllers): `source.component`
 *   (and `source.host` for the kubelet), firstTimestamp/lastTimestamp and `count`. Its
 *   correlator folds a repeat of an identical event (same source, object, type, reason and
 *   message) into the stored one: count + 1 and a new lastTimestamp.
 * - the events.k8s.io/v1 recorder (the scheduler): `eventTime` in microseconds,
 *   `reportingComponent`, `action`, no first/last timestamps and no count (a repeat starts
 *   a `series`).
 * The API server deletes events an hour after their last update; the store drops them on
 * the next record, and readers filter them with `liveEvents`. The store is also bounded to
 * the newest MAX_EVENTS, so a 15,000-pod cluster keeps only its latest events (its builder
 * does not even record the ones that would be dropped before it finishes).
 * Left out: the correlator's spam filter (25 events burst per object and source) and its
 * similar-event aggregation ("(combined from similar events)"); events take their
 * resourceVersion from a sequence of their own rather than the one every other object shares.
 */
import type { SimState } from '../state';
import type { ApiContext } from './context';
import { rfc3339 } from './time';
import type { K8sEvent } from './types';

export type { K8sEvent } from './types';

/** Records an event from a component acting in this operation (none when the operation is quiet). */
export function emit(ctx: ApiContext, init: EventInit): void {
  if (!ctx.quiet) recordEvent(ctx.state, init, ctx.now);
}

/** Events kept at most; older ones go first (a real cluster keeps an hour of them). */
export const MAX_EVENTS = 1000;
/** The API server's default `--event-ttl`. */
export const EVENT_TTL_MS = 3_600_000;

export interface EventInit {
  involved: { kind: string; namespace?: string; name: string; uid?: string; apiVersion?: string; fieldPath?: string; resourceVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The reporting component (`kubelet`, `replicaset-controller`, ...), or core/v1's source object. */
  source?: string | { component: string; host?: string };
  /** Same as a string `source`; with `action` it selects the events.k8s.io/v1 recorder. */
  reportingComponent?: string;
  /** The node a kubelet event comes from (source.host, reportingInstance). */
  host?: string;
  /** events.k8s.io/v1 only (the scheduler's `Binding`): recorded with eventTime, no count. */
  action?: string;
}

const API_VERSIONS: Record<string, string> = {
  Pod: 'v1',
  Node: 'v1',
  Service: 'v1',
  Endpoints: 'v1',
  Namespace: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Ingress: 'networking.k8s.io/v1',
};

/** RFC 3339 with microseconds, as metav1.MicroTime is written. */
export function microTime(ms: number): string {
  return rfc3339(ms).replace(/Z$/, `.${String(ms % 1000).padStart(3, '0')}000Z`);
}

/** Correlation keys of the stored events (derived, rebuilt after a restore). */
const indexes = new WeakMap<K8sEvent[], Map<string, K8sEvent>>();

function correlationKey(e: K8sEvent): string {
  const o = e.involvedObject;
  return `${e.source.component ?? e.reportingComponent}\u0000${e.source.host ?? ''}\u0000${o.kind}\u0000${o.namespace ?? ''}\u0000${o.name}\u0000${o.uid ?? ''}\u0000${o.fieldPath ?? ''}\u0000${e.type}\u0000${e.reason}\u0000${e.message}`;
}

function indexOf(list: K8sEvent[]): Map<string, K8sEvent> {
  let index = indexes.get(list);
  if (!index) {
    index = new Map();
    for (const e of list) index.set(correlationKey(e), e);
    indexes.set(list, index);
  }
  return index;
}

/** When the event was last seen, as its RFC 3339 text (comparable as text to the second). */
function lastSeen(e: K8sEvent): string {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
}

/** `<object name>.<UnixNano in hex>` without BigInt: the product split at 2^24. */
function eventName(objectName: string, ms: number, nanos: number): string {
  const lo = ms % 0x1000000;
  const l = lo * 1_000_000 + nanos;
  const h = (ms - lo) / 0x1000000 * 1_000_000 + Math.floor(l / 0x1000000);
  return `${objectName}.${h.toString(16)}${(l % 0x1000000).toString(16).padStart(6, '0')}`;
}

/** Records an event at `now` (epoch ms), or folds it into an identical one; returns the stored event. */
export function recordEvent(state: SimState, init: EventInit, now: number): K8sEvent {
  const k8s = state.k8s;
  const list = (k8s.events ??= []);
  const index = indexOf(list);
  const component = typeof init.source === 'string' ? init.source : (init.source?.component ?? init.reportingComponent ?? '');
  const host = typeof init.source === 'object' ? init.source.host : init.host;
  const modern = init.action !== undefined;
  const inv = init.involved;
  const involvedObject: K8sEvent['involvedObject'] = { kind: inv.kind, name: inv.name };
  const apiVersion = inv.apiVersion ?? API_VERSIONS[inv.kind];
  if (apiVersion) involvedObject.apiVersion = apiVersion;
  if (inv.fieldPath) involvedObject.fieldPath = inv.fieldPath;
  if (inv.namespace) involvedObject.namespace = inv.namespace;
  if (inv.resourceVersion) involvedObject.resourceVersion = inv.resourceVersion;
  if (inv.uid) involvedObject.uid = inv.uid;
  const seq = (k8s.eventSeq = (k8s.eventSeq ?? 0) + 1);
  const stamp = rfc3339(now);
  const event: K8sEvent = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(inv.name, now, (seq * 7919) % 1_000_000), namespace: inv.namespace ?? 'default', uid: '', resourceVersion: String(seq), creationTimestamp: stamp },
    involvedObject,
    reason: init.reason,
    message: init.message,
    source: modern ? {} : host ? { component, host } : { component },
    firstTimestamp: modern ? null : stamp,
    lastTimestamp: modern ? null : stamp,
    type: init.type,
    eventTime: modern ? microTime(now) : null,
    reportingComponent: component,
    reportingInstance: modern ? (host ? `${component}-${host}` : component) : (host ?? ''),
  };
  if (modern) event.action = init.action;
  else event.count = 1;
  const key = correlationKey(event);
  const prior = index.get(key);
  if (prior) {
    if (modern) {
      prior.series = { count: (prior.series?.count ?? 1) + 1, lastObservedTime: microTime(now) };
    } else {
      prior.count = (prior.count ?? 1) + 1;
      prior.lastTimestamp = rfc3339(now);
    }
    prior.metadata.resourceVersion = String(seq);
    return prior;
  }
  event.metadata.uid = eventUid(state.seed, seq);
  list.push(event);
  index.set(key, event);
  prune(list, index, now);
  return event;
}

/** Drops events past their TTL and keeps the list within MAX_EVENTS. */
function prune(list: K8sEvent[], index: Map<string, K8sEvent>, now: number): void {
  let drop = 0;
  const cutoff = rfc3339(now - EVENT_TTL_MS);
  while (drop < list.length && lastSeen(list[drop]!) < cutoff) drop++;
  if (list.length - drop > MAX_EVENTS) drop = list.length - MAX_EVENTS + (MAX_EVENTS >> 2);
  if (drop === 0) return;
  for (const e of list.splice(0, drop)) {
    const k = correlationKey(e);
    if (index.get(k) === e) index.delete(k);
  }
}

/** The events the API server still has at `now` (within the TTL), in store order. */
export function liveEvents(state: SimState, now: number): K8sEvent[] {
  const list = state.k8s.events ?? [];
  const cutoff = rfc3339(now - EVENT_TTL_MS);
  return list.filter((e) => lastSeen(e) >= cutoff);
}

/** The events about one object (by kind, namespace, name and, when given, uid). */
export function eventsFor(state: SimState, now: number, o: { kind: string; namespace?: string; name: string; uid?: string }): K8sEvent[] {
  return liveEvents(state, now).filter((e) => e.involvedObject.kind === o.kind && e.involvedObject.name === o.name && (e.involvedObject.namespace ?? '') === (o.namespace ?? '') && (!o.uid || !e.involvedObject.uid || e.involvedObject.uid === o.uid));
}

/** A version-4-shaped uid from the seed and the event's sequence number (cheap: no RNG state). */
function eventUid(seed: number, seq: number): string {
  let h1 = (seed ^ 0x9e3779b9) >>> 0;
  let h2 = Math.imul(seq, 0x85ebca6b) >>> 0;
  const words: string[] = [];
  for (let i = 0; i < 4; i++) {
    h1 = Math.imul(h1 ^ (h2 >>> 13), 0xc2b2ae35) >>> 0;
    h2 = Math.imul(h2 ^ (h1 >>> 16) ^ (i + seq), 0x27d4eb2f) >>> 0;
    words.push(((h1 ^ h2) >>> 0).toString(16).padStart(8, '0'));
  }
  const hex = words.join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
