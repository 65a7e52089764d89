/**
 * Timestamps as the API server writes them.
 *
 * Design notes: metav1.Time in JSON is RFC 3339 in UTC with whole seconds
 * (`2025-03-14T09:30:00Z`). The last one made is remembered: a cluster build stamps thousands
 * of objects with the same second. Time is always passed in; nothing here reads a clock.
 */

let lastStamp = { ms: NaN, text: '' };

/** RFC 3339 in UTC with whole seconds, as the API server writes timestamps. */
export function rfc3339(ms: number): string {
  if (ms !== lastStamp.ms) lastStamp = { ms, text: new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return lastStamp.text;
}
