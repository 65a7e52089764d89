/**
 * `{{binding.field}}` placeholders in a lab's text.
 *
 * Design notes: every text a lab shows or runs (task descriptions, feedback, hints, solution
 * steps, check parameters) may name a bound value as `{{name.field}}`; bindings are resolved
 * once per session (bindings/), so the text follows the learner's seed. A placeholder the
 * bindings do not fill is an authoring error, thrown as a TemplateError naming it: the lab
 * self-test renders every text of every lab for several seeds, so none reaches a learner.
 * `extra` supplies values that exist only later in a session (`{{expected.TASK}}`, the
 * value a task accepts now, used by solution steps whose answer comes from what was observed).
 */

/** name -> field -> value. */
export type ResolvedBindings = Record<string, Record<string, string>>;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9]*)\.([a-zA-Z0-9][a-zA-Z0-9-]*)\s*\}\}/g;

/** Fills the placeholders of `text`; throws TemplateError for one that nothing fills. */
export function render(text: string, bindings: ResolvedBindings, extra?: (name: string, field: string) => string | undefined): string {
  const out = text.replace(PLACEHOLDER, (all, b: string, f: string) => {
    const v = bindings[b]?.[f] ?? extra?.(b, f);
    if (v === undefined) throw new TemplateError(`unknown placeholder ${all}`);
    return v;
  });
  if (out.includes('{{')) throw new TemplateError(`malformed placeholder in "${text}"`);
  return out;
}

/** The placeholders `text` uses, as [binding, field] pairs. */
export function placeholders(text: string): [string, string][] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => [m[1]!, m[2]!]);
}

/** Every string inside a value (check parameters are plain data), for validation. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Renders every string inside a plain value. */
export function renderDeep<T>(value: T, fill: (s: string) => string): T {
  if (typeof value === 'string') return fill(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => renderDeep(v, fill)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, fill)])) as T;
  return value;
}
