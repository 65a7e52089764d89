/**
 * A zod schema for "an object with exactly one key, naming one of a registry's entries, whose
 * value that entry's schema validates": how checks (`{ answer: {...} }`), bindings (`{ pod:
 * {...} }`) and state predicates are written. zod's own union would report every alternative
 * for one typo; this reports the one that was meant, with the path into it, or the list of
 * names when the key itself is unknown. zod's bare "Invalid input" for a union is replaced by
 * what the branch the input was written for says (`unionIssues`).
 */
import { z } from 'zod';

export interface Keyed<T> {
  key: string;
  value: T;
}

/**
 * A union's issue as the branch the input was meant for reports it: the one branch whose type
 * the input has (`'nat'` for `action` is a string, so the enum's "Invalid enum value. Expected
 * 'send' | ..." and not "Invalid input"). With no such single branch, the union's own issue.
 */
export function unionIssues(issue: z.ZodIssue): z.ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const fitting = issue.unionErrors.filter((e) => !e.issues.every((i) => i.code === 'invalid_type' && i.path.length === issue.path.length));
  return fitting.length === 1 ? fitting[0]!.issues.flatMap(unionIssues) : [issue];
}

export function keyedUnion<T>(what: string, entries: () => Record<string, z.ZodTypeAny>): z.ZodType<Keyed<T>, z.ZodTypeDef, unknown> {
  return z.unknown().transform((input, ctx) => {
    const table = entries();
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      ctx.addIssue({ code: 'custom', message: `expected a ${what}: an object with one key, one of ${Object.keys(table).join(', ')}` });
      return z.NEVER;
    }
    const keys = Object.keys(input);
    if (keys.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a ${what} has exactly one key (one of ${Object.keys(table).join(', ')}); this one has ${keys.length ? keys.join(', ') : 'none'}` });
      return z.NEVER;
    }
    const key = keys[0]!;
    const schema = table[key];
    if (!schema) {
      ctx.addIssue({ code: 'custom', message: `unknown ${what} "${key}"; known: ${Object.keys(table).join(', ')}`, path: [key] });
      return z.NEVER;
    }
    const r = schema.safeParse((input as Record<string, unknown>)[key]);
    if (!r.success) {
      for (const issue of r.error.issues.flatMap(unionIssues)) ctx.addIssue({ ...issue, path: [key, ...issue.path] } as z.IssueData);
      return z.NEVER;
    }
    return { key, value: r.data as T };
  });
}
