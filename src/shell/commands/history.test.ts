import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';

describe('history', () => {
  it("keeps bash's HISTSIZE (500) entries, each with its own number", async () => {
    const { run } = await openSession();
    for (let i = 1; i <= 600; i++) await run(`echo ${i}`);
    const out = (await run('history')).stdout.split('\n');
    expect(out.length).toBe(501);
    expect(out[0]).toBe('  102  echo 102');
    expect(out[499]).toBe('  601  history');
    expect((await run('history 2')).stdout).toBe('  601  history\n  602  history 2\n');
  });
});
