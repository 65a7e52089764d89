/**
 * Events as kubectl shows them: `kubectl get events` columns and `kubectl events`.
 *
 * Design notes: `kubectl get events` prints the API server's table for events (printers.go
 * printEvent): LAST SEEN (lastTimestamp, else firstTimestamp, else the events.k8s.io
 * eventTime; a series' last observation), TYPE, REASON, OBJECT (`kind/name` with the kind
 * lower-cased) and MESSAGE; `-o wide` puts SUBOBJECT and SOURCE (`component, instance`)
 * before MESSAGE and FIRST SEEN, COUNT and NAME after it. Rows come in the API server's
 * list order (namespace, then event name, which starts with the object's name), which is
 * why real `get events` output is not in time order.
 * `kubectl events` (kubectl's own command) sorts by the time last seen, prints OBJECT as
 * `Kind/name`, and LAST SEEN with `(xN over AGE)` for repeated events; `--for KIND/NAME`,
 * `--types`, `-A` and `-n` narrow it.
 * Left out: `kubectl events --watch`, `-o json|yaml` for `kubectl events`, field selectors.
 */
import type { K8sEvent } from '../../../sim/k8s/events';
import { liveEvents } from '../../../sim/k8s/events';
import type { CommandContext } from '../../command';
import { humanDuration } from '../../duration';
import { CommandError } from '../../errors';
import { formatTable } from '../../table';
import { bool, parseFlags, str } from './flags';
import { resolveResource } from './resources';

export const EVENTS_USAGE = `Display events.

 Prints a table of the most important information about events. You can request events for a namespace, for all namespace, or filtered to only those pertaining to a specified resource.

Examples:
  # List recent events in the default namespace
  kubectl events

  # List recent events in all namespaces
  kubectl events --all-namespaces

  # List recent events for the specified pod, then wait for more events and list them as they arrive
  kubectl events --for pod/web-pod-13je7 --watch

  # List recent only events of type 'Warning' or 'Normal'
  kubectl events --types=Warning,Normal

Options:
  -A, --all-namespaces=false: If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.
      --for='': Filter events to only those pertaining to the specified resource.
  -n, --namespace='': If present, the namespace scope for this CLI request
      --no-headers=false: When using the default output format, don't print headers.
      --types=[]: Output only events of given types.

Usage:
  kubectl events [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--types=Normal,Warning] [options]`;

/** "3m (x2 over 5m)"-style age of an event's first/last sighting (kubectl's getInterval). */
function since(text: string | null | undefined, now: number): string {
  return text ? humanDuration(now - Date.parse(text)) : '<unknown>';
}

function firstSeen(e: K8sEvent, now: number): string {
  return e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
}

/** The LAST SEEN cell of the server's table (printers.go printEvent). */
function lastSeen(e: K8sEvent, now: number): string {
  if (e.series) return since(e.series.lastObservedTime, now);
  return e.lastTimestamp ? since(e.lastTimestamp, now) : firstSeen(e, now);
}

function count(e: K8sEvent): number {
  return e.series?.count ?? (e.count && e.count > 0 ? e.count : 1);
}

function target(e: K8sEvent): string {
  const o = e.involvedObject;
  return o.name ? `${o.kind.toLowerCase()}/${o.name}` : o.kind.toLowerCase();
}

function source(e: K8sEvent): string {
  const component = e.source.component || e.reportingComponent;
  const instance = e.source.host || e.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

/** The Age cell of `describe`'s Events section and of `kubectl events`. */
export function eventInterval(e: K8sEvent, now: number): string {
  const first = firstSeen(e, now);
  if (e.series) return `${since(e.series.lastObservedTime, now)} (x${e.series.count} over ${first})`;
  if ((e.count ?? 0) > 1) return `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

/** When the event was last seen, for sorting (kubectl's SortableEvents). */
export function eventSortTime(e: K8sEvent): number {
  return Date.parse(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp);
}

export const eventColumns = {
  headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
  wideHeaders: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
  row: (e: K8sEvent, now: number): string[] => [lastSeen(e, now), e.type, e.reason, target(e), e.message],
  wideRow: (e: K8sEvent, now: number): string[] => [lastSeen(e, now), e.type, e.reason, target(e), e.involvedObject.fieldPath ?? '', source(e), e.message, firstSeen(e, now), String(count(e)), e.metadata.name],
};

const FLAGS = [
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'all-namespaces', short: 'A', type: 'bool' as const },
  { name: 'for', type: 'string' as const },
  { name: 'types', type: 'string' as const },
  { name: 'no-headers', type: 'bool' as const },
];

/** `kubectl events`. */
export function kubectlEvents(ctx: CommandContext, argv: string[]): number {
  const flags = parseFlags(argv, FLAGS, 'kubectl events');
  if (flags.args.length > 0) throw new CommandError('USAGE', `error: unknown command "${flags.args[0]}" for "kubectl events"`, 1, "See 'kubectl events -h' for help and examples");
  const allNs = bool(flags, 'all-namespaces');
  const namespace = str(flags, 'namespace') ?? 'default';
  const now = ctx.env.scheduler.now();
  const types = (str(flags, 'types') ?? '').split(',').filter((t) => t !== '');
  for (const t of types) {
    if (t.toLowerCase() !== 'normal' && t.toLowerCase() !== 'warning') throw new CommandError('INVALID', `error: valid --types are Normal or Warning`);
  }
  let forKind: string | undefined;
  let forName: string | undefined;
  const forText = str(flags, 'for');
  if (forText !== undefined) {
    const slash = forText.indexOf('/');
    const type = resolveResource(slash < 0 ? forText : forText.slice(0, slash));
    if (!type) throw new CommandError('NOT_FOUND', `error: the server doesn't have a resource type "${slash < 0 ? forText : forText.slice(0, slash)}"`);
    forKind = type.kind;
    forName = slash < 0 ? '' : forText.slice(slash + 1);
  }
  const items = liveEvents(ctx.env.sim.state, now)
    .filter((e) => allNs || e.metadata.namespace === namespace)
    .filter((e) => types.length === 0 || types.some((t) => t.toLowerCase() === e.type.toLowerCase()))
    .filter((e) => forKind === undefined || (e.involvedObject.kind === forKind && (forName === '' || e.involvedObject.name === forName)))
    .map((e, i) => ({ e, i }))
    .sort((a, b) => eventSortTime(a.e) - eventSortTime(b.e) || a.i - b.i)
    .map((x) => x.e);
  if (items.length === 0) {
    ctx.stderr.write(allNs ? 'No events found.\n' : `No events found in ${namespace} namespace.\n`);
    return 0;
  }
  const header = [...(allNs ? ['NAMESPACE'] : []), 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];
  const rows = items.map((e) => [...(allNs ? [e.metadata.namespace] : []), eventInterval(e, now), e.type, e.reason, `${e.involvedObject.kind}/${e.involvedObject.name}`, e.message.trim()]);
  ctx.stdout.write(formatTable(bool(flags, 'no-headers') ? rows : [header, ...rows]));
  return 0;
}
