/**
 * Field errors as the API server words them (apimachinery's field.Error), and the Invalid
 * status that carries them.
 *
 * Design notes: an error is a field path, a type and a bad value; its text is
 * `<path>: <Type>: <value>: <detail>` where Required, Forbidden and TooLong leave the value
 * out. Values print as Go prints them: strings quoted (%q), numbers and booleans bare, maps
 * and slices in Go syntax (`map[string]string{"app":"web"}`, `[]string{"10.96.0.10"}`); a
 * value is given here already formatted (GoValue) where Go would print a struct. A list of
 * errors is deduplicated by text, as ErrorList.ToAggregate does. The status message joins
 * several as `[a, b]`; kubectl prints a lone Invalid status as
 * `The Kind "name" is invalid: a`, or with several causes one `* cause` per line after
 * `The Kind "name" is invalid: ` (MultilineError in kubectl's helpers.go).
 */
import { ApiError } from '../api-error';

export type FieldErrorType = 'Invalid' | 'Required' | 'Forbidden' | 'Unsupported' | 'Duplicate' | 'TooLong' | 'TooMany' | 'NotFound';

/** A value already in Go's printed form (a struct's %#v or String()). */
export class GoValue {
  constructor(readonly text: string) {}
}

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  Invalid: 'Invalid value',
  Required: 'Required value',
  Forbidden: 'Forbidden',
  Unsupported: 'Unsupported value',
  Duplicate: 'Duplicate value',
  TooLong: 'Too long',
  TooMany: 'Too many',
  NotFound: 'Not found',
};

/** Go's %q for a string (the common escapes; other control characters as \x..). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** `map[string]string{"a":"b", "c":"d"}` (keys sorted, as fmt sorts them). */
export function goStringMap(m: Record<string, string>): string {
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(m[k]!)}`).join(', ')}}`;
}

/** `[]string{"a", "b"}`. */
export function goStringSlice(list: string[]): string {
  return `[]string{${list.map(goQuote).join(', ')}}`;
}

function valueText(v: unknown): string {
  if (v instanceof GoValue) return v.text;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return goQuote(String(v));
}

/** The error without its field (ErrorBody). */
export function errorBody(e: FieldError): string {
  let s = TYPE_TEXT[e.type];
  if (e.type !== 'Required' && e.type !== 'Forbidden' && e.type !== 'TooLong') s += `: ${valueText(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function errorText(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'Invalid', field, value, detail });
export const required = (field: string, detail = ''): FieldError => ({ type: 'Required', field, detail });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'Duplicate', field, value });
export const tooLong = (field: string, max: number): FieldError => ({ type: 'TooLong', field, detail: `must have at most ${max} bytes` });
export const notSupported = (field: string, value: unknown, valid: string[]): FieldError => ({
  type: 'Unsupported',
  field,
  value,
  detail: valid.length ? `supported values: ${valid.map((v) => goQuote(v)).join(', ')}` : '',
});

/** The texts of a list of errors, without repeats (ErrorList.ToAggregate). */
export function errorTexts(errs: FieldError[]): string[] {
  return [...new Set(errs.map(errorText))];
}

/**
 * The API server's Invalid status for an object: `Kind.group "name" is invalid: ...`, with
 * kubectl's rendering of it (`text`) and its causes.
 */
export class InvalidError extends ApiError {
  readonly causes: string[];
  constructor(
    readonly kind: string,
    readonly group: string,
    readonly objectName: string,
    errs: FieldError[] | string[],
  ) {
    const causes = errs.length && typeof errs[0] === 'string' ? [...new Set(errs as string[])] : errorTexts(errs as FieldError[]);
    super('Invalid', `${kind}${group ? `.${group}` : ''} "${objectName}" is invalid: ${causes.length === 1 ? causes[0]! : `[${causes.join(', ')}]`}`);
    this.causes = causes;
  }

  /** What kubectl prints for this status alone (CheckErr's Invalid case). */
  get text(): string {
    const head = `The ${this.kind} "${this.objectName}" is invalid: `;
    return this.causes.length === 1 ? head + this.causes[0]! : `${head}\n${this.causes.map((c) => `* ${c}`).join('\n')}`;
  }
}
