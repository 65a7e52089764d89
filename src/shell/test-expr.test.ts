import { describe, expect, it } from 'vitest';
import { runCond, runTest, TestError, type CondItem, type FileInfo, type TestDialect } from './test-expr';

const files: FileInfo = {
  kind: (p) => (p === '/etc/hosts' || p === 'empty' ? 'file' : p === '/tmp' ? 'dir' : 'none'),
  size: (p) => (p === 'empty' ? 0 : 10),
};

function test(args: string[], dialect: TestDialect = 'bash'): number | string {
  try {
    return runTest(args, dialect, files);
  } catch (e) {
    if (!(e instanceof TestError)) throw e;
    return e.message;
  }
}

describe('test / [', () => {
  it('decides by the number of arguments as POSIX says', () => {
    expect([test([]), test(['']), test(['x']), test(['-n']), test(['!']), test(['!', 'x']), test(['!', ''])]).toEqual([1, 1, 0, 0, 0, 1, 0]);
    expect([test(['-z', '']), test(['-n', '']), test(['a', '=', 'a']), test(['a', '!=', 'a']), test(['(', 'x', ')'])]).toEqual([0, 1, 0, 1, 0]);
    expect([test(['!', 'a', '=', 'b']), test(['a', '-a', '']), test(['a', '-o', '']), test(['1', '-eq', '1', '-a', '2', '-gt', '1'])]).toEqual([0, 1, 0, 0]);
  });

  it('compares integers and strings', () => {
    expect([test(['1', '-lt', '2']), test([' 3 ', '-ge', '+3']), test(['-1', '-ne', '1']), test(['b', '>', 'a']), test(['a', '<', 'b'])]).toEqual([0, 0, 0, 0, 0]);
  });

  it('answers file tests from the sandbox files', () => {
    expect([test(['-f', '/etc/hosts']), test(['-d', '/tmp']), test(['-e', '/nope']), test(['-s', 'empty']), test(['-f', '/tmp'])]).toEqual([0, 0, 1, 1, 1]);
  });

  it("words misuse as each shell does", () => {
    expect(test(['1', '-eq', 'x'])).toBe('x: integer expression expected');
    expect(test(['1', '-eq', 'x'], 'dash')).toBe('Illegal number: x');
    expect(test(['1', '-eq', 'x'], 'ash')).toBe('x: bad number');
    expect(test(['a', '='])).toBe('a: unary operator expected');
    expect(test(['a', '='], 'dash')).toBe('=: argument expected');
    expect(test(['a', 'b', 'c'])).toBe('b: binary operator expected');
    expect(test(['a', 'b', 'c'], 'dash')).toBe('a: unexpected operator');
    expect(test(['a', 'b', 'c'], 'ash')).toBe('b: unknown operand');
    expect(test(['1', '2', '3', '4', '5'])).toBe('too many arguments');
    expect(test(['a', '==', 'a'], 'dash')).toBe('a: unexpected operator');
    expect(test(['a', '==', 'a'], 'ash')).toBe(0);
  });
});

describe('[[ ]]', () => {
  const w = (text: string, pattern = text): CondItem => ({ text, pattern });
  const hooks = {
    files,
    glob: (text: string, pattern: string) => new RegExp(`^${pattern.replace(/\*/g, '.*')}$`).test(text),
    regex: (text: string, pattern: string) => (new RegExp(pattern).test(text) ? 0 : 1),
    arith: (text: string) => BigInt(text === 'x' ? 0 : Number(text)),
  };
  it('matches patterns, combines with && || ! and parentheses, reads -eq operands as arithmetic', () => {
    expect(runCond([w('web-1'), w('=='), w('web-*')], hooks)).toBe(0);
    expect(runCond([w('web-1'), w('!='), w('web-*')], hooks)).toBe(1);
    expect(runCond([w('abc'), w('=~'), w('^a.c$')], hooks)).toBe(0);
    expect(runCond([w('-f'), w('/etc/hosts'), { op: '&&' }, { op: '(' }, w(''), { op: '||' }, w('!'), w('') , { op: ')' }], hooks)).toBe(0);
    expect(runCond([w('0'), w('-eq'), w('x')], hooks)).toBe(0);
    expect([runCond([w('a'), { op: '<' }, w('b')], hooks), runCond([w('b'), { op: '<' }, w('a')], hooks)]).toEqual([0, 1]);
    expect(runCond([], hooks)).toBe(1);
  });
});
