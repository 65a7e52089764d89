/**
 * Deep copies of plain JSON values.
 *
 * Design notes: sandbox state is plain JSON by design, so a JSON round trip is an exact
 * copy; it also catches by failing loudly (in tests) anything non-JSON that slipped in.
 */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
