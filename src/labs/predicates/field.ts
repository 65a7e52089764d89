/**
 * `field`: a field of a Kubernetes object has a value, matches a pattern, or exists.
 */
import { z } from 'zod';
import { executeJsonPath, parseJsonPath } from '../../shell/commands/kubectl/jsonpath';
import { resolveResource } from '../../shell/commands/kubectl/resources';
import { definePredicate } from './types';

const params = z
  .object({
    /** The object as kubectl names it: `deployment/web`, `svc/web`, `node/node-1` (templated). */
    object: z.string().regex(/^[a-zA-Z.]+\/\S+$/, 'write TYPE/NAME, such as deployment/web'),
    /** Its namespace (default `default`; ignored for cluster-scoped kinds). */
    namespace: z.string().default('default'),
    /** The field, as a dotted path or a kubectl JSONPath: `spec.replicas`, `{.spec.ports[0].nodePort}`. */
    path: z.string(),
    /** The value it must have, compared as text (`3`, `true`, `Local`). */
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** A regular expression the value must match (whole value, case-sensitive). */
    matches: z.string().optional(),
    /** The field must exist (true) or be absent (false). */
    exists: z.boolean().optional(),
  })
  .strict()
  .refine((p) => [p.equals, p.matches, p.exists].filter((v) => v !== undefined).length === 1, 'give one of equals, matches and exists');

export const fieldPredicate = definePredicate({
  name: 'field',
  doc: "A field of an object, read as `kubectl get TYPE/NAME -o jsonpath=...` would: it `equals` a value, `matches` a pattern, or `exists`.",
  example: { state: { field: { object: 'service/web', path: 'spec.externalTrafficPolicy', equals: 'Local' } } },
  params,
  test(p, ctx) {
    const ref = ctx.render(p.object);
    const [typeText, name] = [ref.slice(0, ref.indexOf('/')), ref.slice(ref.indexOf('/') + 1)];
    const type = resolveResource(typeText);
    if (!type) return { holds: false, why: `"${typeText}" is not a resource type.` };
    const ns = ctx.render(p.namespace);
    const obj = type.list(ctx.sim.state).find((o) => o.metadata.name === name && (!type.namespaced || (o.metadata.namespace ?? 'default') === ns));
    const label = `${type.singular} ${name}`;
    if (!obj) return { holds: p.exists === false, why: `There is no ${label}${type.namespaced ? ` in namespace ${ns}` : ''}.` };
    const path = ctx.render(p.path);
    // A path kubectl could not read is the lab's fault (thrown); one that finds nothing is absence.
    const template = parsePath(path);
    let value: string;
    let present: boolean;
    try {
      value = executeJsonPath(template, obj);
      present = value !== '';
    } catch {
      value = '';
      present = false;
    }
    const shown = present ? `${label} has ${path} = ${value}` : `${label} has no ${path}`;
    if (p.exists !== undefined) return { holds: present === p.exists, why: `${capital(shown)}.` };
    if (p.matches !== undefined) {
      const re = new RegExp(`^(?:${ctx.render(p.matches)})$`);
      return { holds: present && re.test(value), why: `${capital(shown)}${present && re.test(value) ? '' : `, which does not match ${p.matches}`}.` };
    }
    const want = typeof p.equals === 'string' ? ctx.render(p.equals) : String(p.equals);
    return { holds: present && value === want, why: `${capital(shown)}${present && value === want ? '' : `, not ${want}`}.` };
  },
  lint(p) {
    if (p.path.includes('{{')) return [];
    try {
      parsePath(p.path);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  },
});

/** A dotted path or a JSONPath template, parsed; throws when kubectl could not read it. */
function parsePath(path: string): ReturnType<typeof parseJsonPath> {
  const template = path.startsWith('{') ? path : `{.${path.replace(/^\./, '')}}`;
  try {
    return parseJsonPath(template);
  } catch (e) {
    throw new Error(`path "${path}" is not a JSONPath kubectl reads: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
