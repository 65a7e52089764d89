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

  it('clamps integers to 64 bits with bash\'s warning, and a negative * width left-justifies', async () => {
    const { run } = await openSession();
    expect(await run("printf '%d\\n' 99999999999999999999")).toEqual({ stdout: '9223372036854775807\n', stderr: 'bash: printf: warning: 99999999999999999999: Numerical result out of range\n', status: 0 });
    expect((await run("printf '%x\\n' -99999999999999999999")).stdout).toBe('ffffffffffffffff\n');
    expect((await run("printf '%u\\n' -1")).stdout).toBe('18446744073709551615\n');
    expect((await run("printf '%*d|\\n' -4 7")).stdout).toBe('7   |\n');
  });

  it('cuts a huge width at the output bound with a notice, and the pipeline goes on', async () => {
    const { run } = await openSession();
    const r = await run("printf '%999999999s' x | wc -c");
    expect(r.stdout).toBe('16777216\n');
    expect(r.stderr).toBe('\nsandbox: output stopped: a command may write at most 16 MiB (16777216 characters) here\n');
    expect((await run("printf '%.99999999999999999999d' 1 | wc -c")).stdout).toBe('16777216\n');
    expect((await run('echo ok')).stdout).toBe('ok\n');
  });

  it('fails a write past the file bounds as a full disk does', async () => {
    const { run } = await openSession();
    expect(await run("printf '%1048570s' x > big.txt")).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(await run("printf '%20s' x >> big.txt")).toEqual({ stdout: '', stderr: 'bash: printf: write error: File too large\n', status: 1 });
    expect((await run('wc -c big.txt')).stdout).toBe('1048576 big.txt\n');
    for (let i = 0; i < 7; i++) await run(`printf '%1000000s' x > f${i}`);
    expect(await run('cat f1 > f7')).toEqual({ stdout: '', stderr: 'cat: write error: No space left on device\n', status: 1 });
  });
});
