import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';
import { ashBucket } from './env';

describe('env in a pod', () => {
  it("hashes names as ash's and dash's hashvar does", () => {
    // ('P' << 4) + 'P' + 'A' + 'T' + 'H' = 1280 + 301 = 1581; 1581 % 39 = 21
    expect(ashBucket('PATH')).toBe(21);
    expect(ashBucket('HOME')).toBe(((72 << 4) + 72 + 79 + 77 + 69) % 39);
  });

  it("from ash prints its variable table's order; kubectl exec prints the runtime's", async () => {
    const t = await openSession({ topology: 'kubernetes-web' });
    const direct = (await t.run('kubectl exec client -- env')).stdout.trimEnd().split('\n');
    expect(direct[0]).toBe('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(direct.at(-1)).toBe('HOME=/root');
    await t.run('kubectl exec -it client -- sh');
    await t.run('export ZED=1');
    const lines = (await t.run('env')).stdout.trimEnd().split('\n');
    const buckets = lines.map((l) => ashBucket(l.slice(0, l.indexOf('='))));
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(lines).toContain('SHLVL=1');
    expect(lines).toContain('TERM=xterm');
    expect(lines).toContain('ZED=1');
    expect(new Set(lines.map((l) => l.split('=')[0]))).toEqual(new Set([...direct.map((l) => l.split('=')[0]), 'TERM', 'SHLVL', 'PWD', 'ZED']));
  });
});
