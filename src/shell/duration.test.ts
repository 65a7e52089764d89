import { describe, it, expect } from 'vitest';
import { humanDuration } from './duration';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration', () => {
  it('matches the docs/reference/fidelity.md 1.3 vectors', () => {
    const vectors: Array<[number, string]> = [
      [70 * S, '70s'],
      [190 * S, '3m10s'],
      [70 * M, '70m'],
      [47 * H, '47h'],
      [49 * H, '2d1h'],
      [8 * D + 2 * H, '8d'],
      [367 * D, '367d'],
      [731 * D, '2y1d'],
    ];
    for (const [ms, want] of vectors) expect(humanDuration(ms), `${ms}ms`).toBe(want);
  });

  it('tolerates up to 2s of clock skew', () => {
    expect(humanDuration(0)).toBe('0s');
    expect(humanDuration(-1)).toBe('0s');
    expect(humanDuration(-999)).toBe('0s'); // truncates to 0s
    expect(humanDuration(-1 * S)).toBe('0s');
    expect(humanDuration(-1999)).toBe('0s'); // truncates to -1s
    expect(humanDuration(-2 * S)).toBe('<invalid>');
    expect(humanDuration(-5 * D)).toBe('<invalid>');
  });

  it('truncates to whole seconds', () => {
    expect(humanDuration(999)).toBe('0s');
    expect(humanDuration(1999)).toBe('1s');
    expect(humanDuration(119 * S + 999)).toBe('119s');
  });

  it('handles every boundary', () => {
    const cases: Array<[number, string]> = [
      [119 * S, '119s'],
      [120 * S, '2m'],
      [121 * S, '2m1s'],
      [9 * M + 59 * S, '9m59s'],
      [10 * M, '10m'],
      [10 * M + 59 * S, '10m'],
      [179 * M + 59 * S, '179m'],
      [180 * M, '3h'],
      [181 * M, '3h1m'],
      [7 * H + 59 * M + 59 * S, '7h59m'],
      [8 * H, '8h'],
      [8 * H + 59 * M, '8h'],
      [47 * H + 59 * M, '47h'],
      [48 * H, '2d'],
      [48 * H + 59 * M, '2d'],
      [191 * H + 59 * M, '7d23h'],
      [192 * H, '8d'],
      [2 * 365 * D - H, '729d'],
      [2 * 365 * D, '2y'],
      [3 * 365 * D + 364 * D, '3y364d'],
      [8 * 365 * D - H, '7y364d'],
      [8 * 365 * D, '8y'],
      [8 * 365 * D + 200 * D, '8y'],
      [20 * 365 * D, '20y'],
    ];
    for (const [ms, want] of cases) expect(humanDuration(ms), `${ms}ms`).toBe(want);
  });

  it('prints <invalid> for non-finite input', () => {
    expect(humanDuration(Number.NaN)).toBe('<invalid>');
    expect(humanDuration(Number.POSITIVE_INFINITY)).toBe('<invalid>');
  });
});
