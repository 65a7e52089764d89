import { describe, expect, it } from 'vitest';
import { ArithError, evaluate, type ArithDialect } from './arith';

function calc(text: string, dialect: ArithDialect = 'bash', vars: Record<string, string> = {}): string {
  try {
    return String(evaluate(text, { get: (n) => vars[n], set: (n, v) => void (vars[n] = v) }, dialect));
  } catch (e) {
    if (!(e instanceof ArithError)) throw e;
    return `error: ${e.message}`;
  }
}

describe('shell arithmetic', () => {
  it("follows bash's operators and precedence", () => {
    const cases: [string, string][] = [
      ['1 + 2 * 3', '7'], ['(1 + 2) * 3', '9'], ['2 ** 3 ** 2', '512'], ['-2 ** 2', '4'], ['7 / 2', '3'], ['-7 / 2', '-3'], ['-7 % 2', '-1'],
      ['1 << 4 >> 2', '4'], ['5 & 3 | 8 ^ 1', '9'], ['!0 + !5 + ~0', '0'], ['3 > 2 && 2 > 1', '1'], ['0 || 0', '0'], ['1 == 1 != 0', '1'],
      ['2 <= 1 ? 10 : 20', '20'], ['1, 2, 3', '3'], ['0x1f + 010 + 2#101 + 16#ff', '299'], ['', '0'], ['  ', '0'],
      ['9223372036854775807 + 1', '-9223372036854775808'], ['(-9223372036854775807 - 1) / -1', '-9223372036854775808'],
    ];
    for (const [text, want] of cases) expect(calc(text), text).toBe(want);
  });

  it('reads variables without $, evaluates their values and assigns', () => {
    const vars: Record<string, string> = { a: '5', e: 'a * 2', empty: '' };
    expect(calc('a + e + empty + unset', 'bash', vars)).toBe('15');
    expect(calc('x = a++, y = ++a, x * 100 + y', 'bash', vars)).toBe('507');
    expect([vars['a'], vars['x'], vars['y']]).toEqual(['7', '5', '7']);
    expect(calc('a += 3, a *= 2, a <<= 1, a', 'bash', vars)).toBe('40');
    expect(calc('0 && (b = 1), 1 || (c = 1), b + c', 'bash', vars)).toBe('0');
  });

  it("words its errors as bash does, with the error token", () => {
    expect(calc('1/0')).toBe('error: 1/0: division by 0 (error token is "0")');
    expect(calc('1 / 0 ')).toBe('error: 1 / 0 : division by 0 (error token is "0 ")');
    expect(calc('1+')).toBe('error: 1+: syntax error: operand expected (error token is "+")');
    expect(calc('1 +* 2')).toBe('error: 1 +* 2: syntax error: operand expected (error token is "* 2")');
    expect(calc(' a b ')).toBe('error: a b : syntax error in expression (error token is "b ")');
    expect(calc('08')).toBe('error: 08: value too great for base (error token is "08")');
    expect(calc('2**-1')).toBe('error: 2**-1: exponent less than 0 (error token is "1")');
    expect(calc(' 1 = 2 ')).toBe('error: 1 = 2 : attempted assignment to non-variable (error token is "= 2 ")');
  });

  it("words its errors as dash and busybox ash do; dash has no ** or ++", () => {
    expect(calc('1/0', 'dash')).toBe('error: arithmetic expression: division by zero: "1/0"');
    expect(calc('1+', 'dash')).toBe('error: arithmetic expression: expecting primary: "1+"');
    expect(calc('a b', 'dash')).toBe('error: arithmetic expression: expecting EOF: "a b"');
    expect(calc(' 2 ** -1 ', 'dash')).toBe('error: arithmetic expression: expecting primary: " 2 ** -1 "');
    expect(calc('1/0', 'ash')).toBe('error: divide by zero');
    expect(calc('1+', 'ash')).toBe('error: arithmetic syntax error');
    expect(calc('2**-1', 'ash')).toBe('error: exponent less than 0');
    expect(calc('2**3', 'ash')).toBe('8');
  });

  it('bounds the evaluation of variables that refer to each other', () => {
    expect(calc('a', 'bash', { a: 'b', b: 'a' })).toMatch(/^error: .*recursion/);
  });
});
