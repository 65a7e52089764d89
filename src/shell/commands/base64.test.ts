import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';
import { decodeBase64, encodeBase64 } from './base64';

describe('base64', () => {
  it('encodes and decodes bytes with padding', () => {
    const enc = (s: string) => encodeBase64(Uint8Array.from(s, (c) => c.charCodeAt(0)));
    expect([enc(''), enc('f'), enc('fo'), enc('foo'), enc('hi\n')]).toEqual(['', 'Zg==', 'Zm8=', 'Zm9v', 'aGkK']);
    expect(Array.from(decodeBase64('Zm8=\n')!)).toEqual([0x66, 0x6f]);
    expect(decodeBase64('!!')).toBeUndefined();
    expect(Array.from(decodeBase64('Z!m8=', true)!)).toEqual([0x66, 0x6f]);
  });

  it('coreutils on the workstation: wraps at 76, -w 0 prints one line without a newline, -d decodes, errors in its words', async () => {
    const { run } = await openSession();
    await run('seq 1 40 > f');
    const wrapped = await run('base64 f');
    expect(wrapped.stdout.split('\n').map((l) => l.length)).toEqual([76, 72, 0]);
    expect((await run('base64 -w 0 f')).stdout).not.toContain('\n');
    expect((await run('base64 f | base64 -d | tail -1')).stdout).toBe('40\n');
    expect((await run('echo hi | base64')).stdout).toBe('aGkK\n');
    // A long input decodes in one piece (no limit on the bytes of one write).
    expect((await run('seq 1 60000 | base64 | base64 -d | tail -1')).stdout).toBe('60000\n');
    expect(await run('base64 nope')).toEqual({ stdout: '', stderr: 'base64: nope: No such file or directory\n', status: 1 });
    expect((await run('echo "!!" | base64 -d')).stderr).toBe('base64: invalid input\n');
    expect((await run('base64 a b')).stderr).toBe("base64: extra operand ‘b’\nTry 'base64 --help' for more information.\n");
    expect((await run('base64 -w x f')).stderr).toBe('base64: invalid wrap size: ‘x’\n');
  });

  it('busybox in a busybox pod: its own file error', async () => {
    const { run } = await openSession();
    expect((await run('kubectl exec client -- base64 /nope')).stderr).toBe("base64: can't open '/nope': No such file or directory\ncommand terminated with exit code 1\n");
    expect((await run('kubectl exec client -- sh -c "echo hi | base64"')).stdout).toBe('aGkK\n');
  });
});
