import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';

// Expected outputs as bash 5.2's printf builtin prints them.
describe('printf', () => {
  it('formats like bash: conversions, flags, widths, reuse of the format, escapes', async () => {
    const { run } = await openSession();
    const out = async (line: string) => (await run(line)).stdout;
    expect(await out("printf '%s\\n' a b c")).toBe('a\nb\nc\n');
    expect(await out("printf '%-10s|%5d|%05d|%x|%o|%c|%%\\n' name 42 7 255 8 xyz")).toBe('name      |   42|00007|ff|10|x|%\n');
    expect(await out("printf '%s=%s\\n' A 1 B")).toBe('A=1\nB=\n');
    expect(await out("printf '%.3s|%b|\\n' abcdef 'x\\ty'")).toBe('abc|x\ty|\n');
    expect(await out("printf '%+d % d %5.2d\\n' 5 5 3")).toBe('+5  5    03\n');
    expect(await out("printf 'x\\101\\x42\\n'")).toBe('xAB\n');
    expect(await out("printf '%-20s %s\\n' NAME IP")).toBe('NAME                 IP\n');
  });

  it('reports a bad number and a missing format as bash does', async () => {
    const { run } = await openSession();
    expect(await run("printf 'n: %d\\n' abc")).toEqual({ stdout: 'n: 0\n', stderr: 'bash: printf: abc: invalid number\n', status: 1 });
    expect(await run('printf')).toEqual({ stdout: '', stderr: 'printf: usage: printf [-v var] format [arguments]\n', status: 2 });
  });
});
