/**
 * Resource quantities (`100m`, `70Mi`, `2`, `4013944Ki`) as apimachinery's resource.Quantity
 * reads, adds and prints them.
 *
 * Design notes: a quantity is kept as an exact integer count of thousandths (milli-units) in
 * a bigint, with the suffix family it was written in (decimal SI or binary SI), because
 * Quantity.String() keeps that format: a sum of `Mi` values prints in `Mi`, of CPU millis as
 * `950m`. Printing follows Quantity's canonical form: binary values as the largest power of
 * 1024 that divides them exactly (a plain number below 1024 or when none does), decimal
 * values as a whole number when they have no fraction, else in `m`. Exponent forms (`1e3`)
 * and fractions finer than a milli-unit are outside what the sandbox needs and are read as
 * the nearest milli-unit.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI';

export interface Quantity {
  /** The value in thousandths of a unit. */
  milli: bigint;
  format: QuantityFormat;
}

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, bigint> = { k: 10n ** 3n, M: 10n ** 6n, G: 10n ** 9n, T: 10n ** 12n, P: 10n ** 15n, E: 10n ** 18n };

export const ZERO: Quantity = { milli: 0n, format: 'DecimalSI' };

/** Reads a quantity; undefined when the text is not one. */
export function parseQuantity(text: string): Quantity | undefined {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(text.trim());
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const frac = (m[3] ?? '').slice(0, 3).padEnd(3, '0');
  const base = BigInt(m[2]!) * 1000n + BigInt(frac);
  const suffix = m[4] ?? '';
  if (suffix === 'm') return { milli: (sign * base) / 1000n, format: 'DecimalSI' };
  if (BINARY[suffix]) return { milli: sign * base * BINARY[suffix]!, format: 'BinarySI' };
  return { milli: sign * base * (DECIMAL[suffix] ?? 1n), format: 'DecimalSI' };
}

/** The sum, in the format of the first (as Quantity.Add keeps the receiver's). */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { milli: a.milli + b.milli, format: a.format };
}

/** The value in whole units, rounded up (Quantity.Value). */
export function quantityValue(q: Quantity): number {
  return Number((q.milli + 999n) / 1000n);
}

/** The value in thousandths (Quantity.MilliValue). */
export function quantityMilli(q: Quantity): number {
  return Number(q.milli);
}

/** Divides `v` by `base` while it divides evenly, up to the last of `suffixes`: `v` and the suffix reached. */
function largestSuffix(v: bigint, base: bigint, suffixes: readonly string[]): string {
  let suffix = '';
  for (const s of suffixes) {
    if (v % base !== 0n) break;
    v /= base;
    suffix = s;
  }
  return `${v}${suffix}`;
}

/** Quantity.String(): the canonical text. */
export function formatQuantity(q: Quantity): string {
  if (q.milli === 0n) return '0';
  const neg = q.milli < 0n;
  const abs = neg ? -q.milli : q.milli;
  const sign = neg ? '-' : '';
  if (q.format === 'BinarySI' && abs % 1000n === 0n && abs >= 1024n * 1000n) return sign + largestSuffix(abs / 1000n, 1024n, ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']);
  if (abs % 1000n !== 0n) return `${sign}${abs}m`;
  return sign + largestSuffix(abs / 1000n, 1000n, ['k', 'M', 'G', 'T', 'P', 'E']);
}
