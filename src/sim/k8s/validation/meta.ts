/**
 * ObjectMeta as the API server validates it (ValidateObjectMeta): name or generateName by the
 * kind's name rule, labels (ValidateLabels), annotations (keys, and 262144 bytes in all).
 *
 * Design notes: manifests arrive as plain decoded objects, so every reader here tolerates a
 * field of the wrong type (the decoder refuses those before validation runs); Go iterates
 * maps in random order, the sandbox in sorted key order so that messages are stable.
 */
import { forbidden, goQuote, goStringMap, goStringSlice, GoValue, invalid, required, tooLong, type FieldError } from './field';
import { isQualifiedName, isValidLabelValue, utf8Length, type NameCheck } from './names';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
export const objAt = (o: Obj, k: string): Obj => (isObj(o[k]) ? (o[k] as Obj) : {});
export const listAt = (o: Obj, k: string): unknown[] => (Array.isArray(o[k]) ? (o[k] as unknown[]) : []);
export const strAt = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : typeof o[k] === 'number' || typeof o[k] === 'boolean' ? String(o[k]) : '');

/** A map of strings as Go holds it (values of other types as their text). */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObj(v)) return undefined;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : x === null || x === undefined ? '' : String(x)]));
}

export const TOTAL_ANNOTATION_SIZE = 262144;

export function validateLabels(labels: Record<string, string> | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(labels ?? {}).sort()) {
    for (const m of isQualifiedName(k)) errs.push(invalid(field, k, m));
    for (const m of isValidLabelValue(labels![k]!)) errs.push(invalid(field, labels![k]!, m));
  }
  return errs;
}

export function annotationsSize(annotations: Record<string, string> | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) n += utf8Length(k) + utf8Length(v);
  return n;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(annotations ?? {}).sort()) for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(field, k, m));
  if (annotationsSize(annotations) > TOTAL_ANNOTATION_SIZE) errs.push(tooLong(field, TOTAL_ANNOTATION_SIZE));
  return errs;
}

/** metadata of an object: name (or generateName), namespace rule, labels, annotations. */
export function validateObjectMeta(meta: Obj, opts: { nameCheck: NameCheck; namespaced: boolean }, field = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const generateName = strAt(meta, 'generateName');
  const name = strAt(meta, 'name');
  if (generateName) for (const m of opts.nameCheck(generateName, true)) errs.push(invalid(`${field}.generateName`, generateName, m));
  if (!name) errs.push(required(`${field}.name`, 'name or generateName is required'));
  else for (const m of opts.nameCheck(name, false)) errs.push(invalid(`${field}.name`, name, m));
  if (!opts.namespaced && strAt(meta, 'namespace')) errs.push(forbidden(`${field}.namespace`, 'not allowed on this type'));
  errs.push(...validateLabels(stringMap(meta.labels), `${field}.labels`));
  errs.push(...validateAnnotations(stringMap(meta.annotations), `${field}.annotations`));
  return errs;
}

/** A label selector as Go's %#v prints a v1.LabelSelector. */
export function selectorValue(sel: Obj | undefined): GoValue {
  const ml = sel && isObj(sel.matchLabels) ? goStringMap(stringMap(sel.matchLabels)!) : 'map[string]string(nil)';
  const reqs = sel && Array.isArray(sel.matchExpressions) ? sel.matchExpressions : undefined;
  const req = (r: unknown): string => {
    const o = isObj(r) ? r : {};
    const values = Array.isArray(o.values) ? goStringSlice(o.values.map(String)) : '[]string(nil)';
    return `v1.LabelSelectorRequirement{Key:${goQuote(strAt(o, 'key'))}, Operator:${goQuote(strAt(o, 'operator'))}, Values:${values}}`;
  };
  const me = reqs ? `[]v1.LabelSelectorRequirement{${reqs.map(req).join(', ')}}` : '[]v1.LabelSelectorRequirement(nil)';
  return new GoValue(`v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`);
}

/** A label map as Go's %#v prints it (`map[string]string(nil)` when absent). */
export function labelsValue(m: Record<string, string> | undefined): GoValue {
  return new GoValue(m ? goStringMap(m) : 'map[string]string(nil)');
}

/** ValidateLabelSelector: matchLabels as labels, matchExpressions' keys, operators and values. */
export function validateLabelSelector(sel: Obj, field: string): FieldError[] {
  const errs = validateLabels(stringMap(sel.matchLabels), `${field}.matchLabels`);
  listAt(sel, 'matchExpressions').forEach((r, i) => {
    const req = isObj(r) ? r : {};
    const at = `${field}.matchExpressions[${i}]`;
    const op = strAt(req, 'operator');
    const values = listAt(req, 'values');
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errs.push(required(`${at}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errs.push(forbidden(`${at}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
    } else errs.push(invalid(`${at}.operator`, op, 'not a valid selector operator'));
    for (const m of isQualifiedName(strAt(req, 'key'))) errs.push(invalid(`${at}.key`, strAt(req, 'key'), m));
  });
  return errs;
}

/** Whether labels satisfy a selector's matchLabels and matchExpressions. */
export function selectorMatches(sel: Obj, labels: Record<string, string> | undefined): boolean {
  const have = labels ?? {};
  const ml = stringMap(sel.matchLabels) ?? {};
  if (!Object.entries(ml).every(([k, v]) => have[k] === v)) return false;
  return listAt(sel, 'matchExpressions').every((r) => {
    const req = isObj(r) ? r : {};
    const k = strAt(req, 'key');
    const values = listAt(req, 'values').map(String);
    switch (strAt(req, 'operator')) {
      case 'In':
        return k in have && values.includes(have[k]!);
      case 'NotIn':
        return !(k in have) || !values.includes(have[k]!);
      case 'Exists':
        return k in have;
      case 'DoesNotExist':
        return !(k in have);
      default:
        return false;
    }
  });
}
