/**
 * `kubectl wait`: wait, in sandbox time, until objects meet a condition, are deleted, or exist.
 *
 * Design notes: as kubectl 1.32. `--for` is `condition=NAME[=VALUE]` (a type in
 * status.conditions, several names separated by commas; VALUE defaults to true and is compared
 * without regard to case; a condition whose observedGeneration, or else the status's, is older
 * than metadata.generation does not count), `jsonpath=EXPR[=VALUE]` (a relaxed JSONPath that
 * must find exactly one value; without VALUE any value found will do), `delete` or `create`;
 * anything else is `error: unrecognized condition: "..."`, checked before the objects are
 * looked up. The objects are the builder's: `TYPE NAME...`, `TYPE/NAME...`, or a type with
 * `-l`, `--field-selector` or `--all` (listed once, at the start; `-A` across namespaces). They
 * are waited for one after the other under one deadline, `--timeout` from the start (default
 * 30s; 0 checks once: `error: condition not met for pods/x`; negative means a week). Each one
 * met prints `pod/x condition met` (`deployment.apps/web condition met`) at once; one not met
 * in time is `timed out waiting for the condition on pods/x`, and once the deadline has passed
 * the objects still waiting time out too. A name that does not exist is the server's NotFound
 * (nothing at all for `delete`, which succeeds silently); an object that disappears while a
 * condition is awaited keeps it waiting. Errors print as cmdutil.CheckErr does: one alone with
 * `error: ` (API errors as `Error from server (...)`), several one per line without it. A
 * selection that finds nothing is `error: no matching resources found` (not for `delete`).
 * `create` first polls every 500 ms until the objects named exist (`error: timed out waiting
 * for the condition` without a name), then prints them. Waiting sleeps until the next moment
 * the cluster changes (sim/k8s/advance.ts: a kubelet stage, a rollout step), at most a second,
 * so a pod is reported Ready at the moment it becomes so. Ctrl+C ends it with status 1 (kubectl's
 * interrupt handler; 130 while `create` polls). `-o` prints with the usual printers (`-o name`:
 * `pod/x` alone).
 * Simplified: a Deployment's Available and Progressing conditions are derived from its status
 * when the condition is read (sim/k8s/rollout.ts deploymentConditions), without timestamps; an
 * object still to be waited for deletion once the deadline has passed is reported as timed
 * out (kubectl's first request for it fails on the expired deadline, in the HTTP client's
 * words).
 * Left out: `-f FILENAME`, `--local`, `--show-managed-fields`.
 */
import { parseSelector, SelectorError, matches, type Requirement } from '../../../sim/k8s/labels';
import { nextClusterDue } from '../../../sim/k8s/advance';
import { deploymentConditions } from '../../../sim/k8s/rollout';
import type { Deployment } from '../../../sim/k8s/types';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { relaxedJsonPath } from './custom-columns';
import { NO_RESOURCES, resourceArgs } from './delete';
import { FieldSelectorError, matchesFields, parseFieldSelector, type FieldRequirement } from './field-selector';
import { bool, parseFlags, str } from './flags';
import { findJsonPathValues, JsonPathError, parseJsonPath } from './jsonpath';
import { parseGoDuration } from './logs';
import { objectPrinter } from './object-output';
import { qualifiedPlural, qualifiedSingular, type AnyObject, type ResourceType } from './resources';

export const WAIT_FLAGS = [
  { name: 'for', type: 'string' as const },
  { name: 'timeout', type: 'string' as const },
  { name: 'namespace', short: 'n', type: 'string' as const },
  { name: 'selector', short: 'l', type: 'string' as const },
  { name: 'field-selector', type: 'string' as const },
  { name: 'all', type: 'bool' as const },
  { name: 'all-namespaces', short: 'A', type: 'bool' as const },
  { name: 'output', short: 'o', type: 'string' as const },
  { name: 'template', type: 'string' as const },
  { name: 'allow-missing-template-keys', type: 'bool' as const },
];

export const WAIT_USAGE = `Experimental: Wait for a specific condition on one or many resources.

 The command takes multiple resources and waits until the specified condition is seen in the Status field of every given resource.

 Alternatively, the command can wait for the given set of resources to be created or deleted by providing the "create" or "delete" keyword as the value to the --for flag.

 A successful message will be printed to stdout indicating when the specified condition has been met. You can use -o option to change to output destination.

Examples:
  # Wait for the pod "busybox1" to contain the status condition of type "Ready"
  kubectl wait --for=condition=Ready pod/busybox1

  # The default value of status condition is true; you can wait for other targets after an equal delimiter (compared after Unicode simple case folding, which is a more general form of case-insensitivity)
  kubectl wait --for=condition=Ready=false pod/busybox1

  # Wait for the pod "busybox1" to contain the status phase to be "Running"
  kubectl wait --for=jsonpath='{.status.phase}'=Running pod/busybox1

  # Wait for pod "busybox1" to be Ready
  kubectl wait --for='jsonpath={.status.conditions[?(@.type=="Ready")].status}=True' pod/busybox1

  # Wait for the service "loadbalancer" to have ingress
  kubectl wait --for=jsonpath='{.status.loadBalancer.ingress}' service/loadbalancer

  # Wait for the secret "busybox1" to be created, with a timeout of 30s
  kubectl create secret generic busybox1
  kubectl wait --for=create secret/busybox1 --timeout=30s

  # Wait for the pod "busybox1" to be deleted, with a timeout of 60s, after having issued the "delete" command
  kubectl delete pod/busybox1
  kubectl wait --for=delete pod/busybox1 --timeout=60s

Options:
      --all=false: Select all resources in the namespace of the specified resource types
  -A, --all-namespaces=false: If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.
      --field-selector='': Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type.
      --for='': The condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true. Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity.
  -n, --namespace='': the namespace scope for this request.
  -o, --output='': Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).
  -l, --selector='': Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.
      --timeout=30s: The length of time to wait before giving up. Zero means check once and don't wait, negative means wait for a week.

Usage:
  kubectl wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]] [options]`;

const WEEK_MS = 168 * 3_600_000;
/** How often `--for=create` looks again (kubectl's poll interval). */
const CREATE_POLL_MS = 500;
/** The longest sleep between two looks while nothing in the cluster is due (another terminal may act). */
const MAX_SLEEP_MS = 1000;

type Condition =
  | { kind: 'delete' }
  | { kind: 'create' }
  | { kind: 'condition'; names: string[]; value: string }
  | { kind: 'jsonpath'; template: ReturnType<typeof parseJsonPath>; value: string | undefined };

/** An error as kubectl's CheckErr prints it: `api` ones already carry `Error from server (...)`. */
interface Failure {
  text: string;
  api: boolean;
}

/** Go's %q for the condition text (ASCII is all a terminal gives here). */
const goQuote = (s: string): string => JSON.stringify(s);

/** kubectl's splitJSONPathInput: splits on single `=`, keeping `==` inside the expression. */
function splitJsonPathInput(input: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '=') {
      if (input[i + 1] === '=') {
        cur += '==';
        i++;
        continue;
      }
      out.push(cur);
      cur = '';
      continue;
    }
    cur += input[i];
  }
  out.push(cur);
  return out;
}

function parseCondition(text: string): Condition {
  const lower = text.toLowerCase();
  if (lower === 'delete') return { kind: 'delete' };
  if (lower === 'create') return { kind: 'create' };
  if (text.startsWith('condition=')) {
    const rest = text.slice('condition='.length);
    const eq = rest.indexOf('=');
    return { kind: 'condition', names: (eq < 0 ? rest : rest.slice(0, eq)).split(','), value: eq < 0 ? 'true' : rest.slice(eq + 1) };
  }
  if (text.startsWith('jsonpath=')) {
    const parts = splitJsonPathInput(text.slice('jsonpath='.length));
    if (parts.length > 2) throw new CommandError('USAGE', "error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'");
    const expr = relaxedJsonPath(parts[0]!);
    let value: string | undefined;
    if (parts.length === 2) {
      value = parts[1]!.replace(/^['"]+|['"]+$/g, '');
      if (value === '') throw new CommandError('USAGE', "error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3");
    }
    if (expr === '') throw new CommandError('USAGE', 'error: jsonpath expression cannot be empty');
    try {
      return { kind: 'jsonpath', template: parseJsonPath(expr), value };
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      throw new CommandError('INVALID', `error: ${e.message}`);
    }
  }
  throw new CommandError('USAGE', `error: unrecognized condition: ${goQuote(text)}`);
}

/** The object as the API returns it; a Deployment with the conditions its controller keeps. */
function apiView(ctx: CommandContext, type: ResourceType, obj: AnyObject): AnyObject {
  if (type.plural !== 'deployments') return obj;
  const d = obj as unknown as Deployment;
  return { ...d, status: { ...d.status, conditions: deploymentConditions(ctx.env.sim.state, d) } } as unknown as AnyObject;
}

/** fmt's %v of a JSON scalar, as the jsonpath wait compares it. */
function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  return String(v);
}

/** Whether the object meets a condition or jsonpath wait; a Failure when the check itself fails. */
function check(cond: Condition, obj: AnyObject): boolean | Failure {
  const o = obj as unknown as { metadata: { generation?: number }; status?: { observedGeneration?: number; conditions?: { type?: string; status?: string; observedGeneration?: number }[] } };
  if (cond.kind === 'condition') {
    const wanted = cond.names.map((n) => n.toLowerCase());
    for (const c of o.status?.conditions ?? []) {
      if (typeof c.type !== 'string' || !wanted.includes(c.type.toLowerCase()) || typeof c.status !== 'string') continue;
      const generation = o.metadata.generation;
      const observed = c.observedGeneration ?? o.status?.observedGeneration;
      if (generation !== undefined && observed !== undefined && observed < generation) return false;
      return c.status.toLowerCase() === cond.value.toLowerCase();
    }
    return false;
  }
  if (cond.kind !== 'jsonpath') return true;
  let results: unknown[][];
  try {
    results = findJsonPathValues(cond.template, obj);
  } catch (e) {
    if (!(e instanceof JsonPathError)) throw e;
    return { text: e.message, api: false };
  }
  if (results.length === 0 || results[0]!.length === 0) return false;
  if (results.length > 1) return { text: 'given jsonpath expression matches more than one list', api: false };
  if (results[0]!.length > 1) return { text: 'given jsonpath expression matches more than one value', api: false };
  if (cond.value === undefined) return true;
  const v = results[0]![0];
  if (v !== null && typeof v === 'object') return { text: 'jsonpath leads to a nested object or list which is not supported', api: false };
  return scalarText(v).trim() === cond.value.trim();
}

interface Target {
  type: ResourceType;
  namespace: string;
  name: string;
  /** Named on the command line (looked up when its turn comes) rather than listed by a selector. */
  named: boolean;
  /** The object as listed, for a selected one. */
  listed?: AnyObject;
}

export async function kubectlWait(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags(argv, WAIT_FLAGS, 'kubectl wait');
  const timeoutText = str(flags, 'timeout') ?? '30s';
  const parsedTimeout = parseGoDuration(timeoutText);
  if (parsedTimeout === undefined) throw new CommandError('UNKNOWN_FLAG', `error: invalid argument "${timeoutText}" for "--timeout" flag: time: invalid duration "${timeoutText}"`, 1, "See 'kubectl wait --help' for usage.");
  const timeoutMs = parsedTimeout < 0 ? WEEK_MS : Math.floor(parsedTimeout);
  const output = str(flags, 'output');
  const printer = output !== undefined ? objectPrinter(ctx, output, str(flags, 'template')) : undefined;
  const cond = parseCondition(str(flags, 'for') ?? '');

  const state = ctx.env.sim.state;
  const namespace = str(flags, 'namespace') ?? 'default';
  const allNs = bool(flags, 'all-namespaces');
  const labelText = str(flags, 'selector')?.trim() || undefined;
  const fieldText = str(flags, 'field-selector')?.trim() || undefined;
  const selecting = bool(flags, 'all') || labelText !== undefined || fieldText !== undefined;
  if (flags.args.length === 0) throw new CommandError('USAGE', NO_RESOURCES);
  const { types, names } = resourceArgs(flags.args, selecting);
  if (names.length > 0 && selecting) throw new CommandError('USAGE', 'error: name cannot be provided when a selector is specified');
  if (names.length > 0 && allNs && names.some((n) => n.type.namespaced)) throw new CommandError('USAGE', 'error: a resource cannot be retrieved by name across all namespaces');
  const nsOf = (type: ResourceType): string => (type.namespaced ? namespace : '');
  const find = (type: ResourceType, ns: string, name: string): AnyObject | undefined => type.list(state).find((o) => o.metadata.name === name && (!type.namespaced || (o.metadata.namespace ?? 'default') === ns));
  const ref = (t: Target): string => `${qualifiedSingular(t.type)}/${t.name}`;
  const notFound = (t: Target): Failure => ({ text: `Error from server (NotFound): ${qualifiedPlural(t.type)} "${t.name}" not found`, api: true });
  const start = ctx.env.scheduler.now();
  const deadline = start + timeoutMs;
  if (parsedTimeout < 0) ctx.endless();

  /** Sleeps until the cluster next changes, `cap` at most and never past the deadline; false on Ctrl+C. */
  const pause = async (cap: number): Promise<boolean> => {
    const now = ctx.env.scheduler.now();
    const next = nextClusterDue(state);
    const ms = Math.max(1, Math.min(cap, deadline - now, next > now ? next - now : cap));
    return ctx.sleep(ms);
  };

  if (cond.kind === 'create') {
    // kubectl polls until the builder finds every object named (a selector lists, which never fails).
    for (;;) {
      const missing = names.filter((n) => !find(n.type, nsOf(n.type), n.name));
      if (missing.length === 0) break;
      if (missing.length > 1) {
        // Several NotFound errors are an aggregate, which is no NotFound: kubectl stops at once.
        for (const m of missing) ctx.stderr.write(`Error from server (NotFound): ${qualifiedPlural(m.type)} "${m.name}" not found\n`);
        return 1;
      }
      if (ctx.env.scheduler.now() >= deadline) throw new CommandError('EXEC_FAILED', 'error: timed out waiting for the condition');
      if (!(await pause(CREATE_POLL_MS))) return 130;
    }
  }

  // The builder: names as given, or each type's objects as listed now.
  const targets: Target[] = [];
  const failures: Failure[] = [];
  if (names.length > 0) {
    for (const n of names) targets.push({ type: n.type, namespace: nsOf(n.type), name: n.name, named: true });
  } else {
    for (const type of types) {
      let labels: Requirement[] = [];
      let fields: FieldRequirement[] = [];
      try {
        labels = labelText !== undefined ? parseSelector(labelText) : [];
        fields = fieldText !== undefined ? parseFieldSelector(type, fieldText) : [];
      } catch (e) {
        if (!(e instanceof SelectorError) && !(e instanceof FieldSelectorError)) throw e;
        failures.push({ text: `Error from server (BadRequest): Unable to find "${type.group}/${type.version}, Resource=${type.plural}" that match label selector ${JSON.stringify(labelText ?? '')}, field selector ${JSON.stringify(fieldText ?? '')}: ${e.message}`, api: true });
        continue;
      }
      const items = type
        .list(state)
        .filter((o) => (!type.namespaced || allNs || (o.metadata.namespace ?? 'default') === namespace) && matches(labels, o.metadata.labels) && matchesFields(type, fields, o))
        .sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
      for (const o of items) targets.push({ type, namespace: o.metadata.namespace ?? '', name: o.metadata.name, named: false, listed: o });
    }
  }

  const met = (t: Target, obj: AnyObject): void => {
    if (printer) printer(obj, ref(t));
    else ctx.stdout.write(`${ref(t)} condition met\n`);
  };
  let visited = 0;
  for (const t of targets) {
    const current = find(t.type, t.namespace, t.name);
    if (t.named && !current) {
      // The builder's GET: NotFound, which a wait for deletion ignores.
      if (cond.kind !== 'delete') failures.push(notFound(t));
      continue;
    }
    visited++;
    const timedOut: Failure = { text: `timed out waiting for the condition on ${t.type.plural}/${t.name}`, api: false };
    // Past the deadline (spent on the objects before), a watch no longer starts.
    if (cond.kind !== 'create' && timeoutMs > 0 && ctx.env.scheduler.now() >= deadline) {
      failures.push(timedOut);
      continue;
    }
    if (cond.kind === 'create') {
      met(t, current ?? t.listed!);
      continue;
    }
    if (cond.kind === 'delete') {
      if (!current) {
        met(t, t.listed!);
        continue;
      }
      if (timeoutMs === 0) {
        failures.push({ text: `condition not met for ${t.type.plural}/${t.name}`, api: false });
        continue;
      }
      const uid = (current.metadata as { uid?: string }).uid;
      let gone = false;
      while (ctx.env.scheduler.now() < deadline) {
        if (!(await pause(MAX_SLEEP_MS))) return 1;
        const now = find(t.type, t.namespace, t.name);
        if (!now || (now.metadata as { uid?: string }).uid !== uid) {
          gone = true;
          break;
        }
      }
      if (gone) met(t, current);
      else failures.push(timedOut);
      continue;
    }
    // A condition or a jsonpath value.
    if (!current) {
      failures.push(notFound(t));
      continue;
    }
    if (timeoutMs === 0) {
      const r = check(cond, apiView(ctx, t.type, current));
      if (r === true) met(t, current);
      else failures.push(r === false ? { text: `condition not met for ${t.type.plural}/${t.name}`, api: false } : r);
      continue;
    }
    let outcome: AnyObject | Failure | undefined;
    for (;;) {
      const obj = find(t.type, t.namespace, t.name);
      if (obj) {
        const r = check(cond, apiView(ctx, t.type, obj));
        if (r === true) {
          outcome = obj;
          break;
        }
        if (r !== false) {
          outcome = r;
          break;
        }
      }
      if (ctx.env.scheduler.now() >= deadline) break;
      if (!(await pause(MAX_SLEEP_MS))) return 1;
    }
    if (outcome === undefined) failures.push(timedOut);
    else if ('text' in outcome && !('metadata' in outcome)) failures.push(outcome);
    else met(t, outcome as AnyObject);
  }

  if (failures.length === 1) {
    const f = failures[0]!;
    ctx.stderr.write(`${f.api || f.text.startsWith('error: ') ? f.text : `error: ${f.text}`}\n`);
    return 1;
  }
  if (failures.length > 1) {
    // An aggregate: one message per line, with no `error: ` of its own.
    for (const f of failures) ctx.stderr.write(`${f.text}\n`);
    return 1;
  }
  if (visited === 0 && cond.kind !== 'delete') throw new CommandError('NOT_FOUND', 'error: no matching resources found');
  return 0;
}
