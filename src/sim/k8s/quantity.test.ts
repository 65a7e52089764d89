import { describe, expect, it } from 'vitest';
import { addQuantity, formatQuantity, parseQuantity, ZERO } from './quantity';

const fmt = (t: string): string => formatQuantity(parseQuantity(t)!);

describe('resource quantities', () => {
  it('print in canonical form: the largest suffix that divides evenly, milli-units otherwise', () => {
    expect(fmt('100m')).toBe('100m');
    expect(fmt('1000m')).toBe('1');
    expect(fmt('0.5')).toBe('500m');
    expect(fmt('2000')).toBe('2k');
    expect(fmt('70Mi')).toBe('70Mi');
    expect(fmt('1024Ki')).toBe('1Mi');
    expect(fmt('1536Ki')).toBe('1536Ki');
    expect(fmt('0')).toBe('0');
  });

  it('add, keeping the format of the sum', () => {
    const sum = [parseQuantity('100m')!, parseQuantity('250m')!, parseQuantity('650m')!].reduce(addQuantity, ZERO);
    expect(formatQuantity(sum)).toBe('1');
    expect(formatQuantity(addQuantity(parseQuantity('70Mi')!, parseQuantity('100Mi')!))).toBe('170Mi');
  });

  it('refuses text that is not a quantity', () => {
    expect(parseQuantity('ten')).toBeUndefined();
  });
});
