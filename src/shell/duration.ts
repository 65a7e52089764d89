/**
 * kubectl's AGE column.
 *
 * Design notes
 * ------------
 * Models apimachinery `pkg/util/duration.HumanDuration` exactly, on a duration
 * given in milliseconds instead of Go nanoseconds: seconds are truncated toward
 * zero (Go's int(d.Seconds())), so -1.9s still prints "0s" (clock skew of less
 * than 2s is tolerated) and -2s is "<invalid>"; minutes, hours, days and years
 * are integer divisions of the whole duration, as in the Go code.
 *
 * Left out: ShortHumanDuration (a coarser variant kubectl uses elsewhere) and
 * durations Go cannot represent (|d| > ~292 years); a non-finite or NaN input
 * prints "<invalid>".
 */

export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;

  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;

  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;

  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}
