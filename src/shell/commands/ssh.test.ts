import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';

describe('ssh with a command', () => {
  it('runs the joined words in the remote shell, prints its output and ends with its status', async () => {
    const { run } = await openSession({ topology: 'kubernetes' });
    const route = await run('ssh node-1 ip route');
    expect(route.status).toBe(0);
    expect(route.stdout).toContain('192.168.49.0/24 dev eth0 proto kernel scope link src 192.168.49.3');
    // One string with a `;` is one remote shell line; the workstation's shell stays where it was.
    expect((await run("ssh 192.168.49.4 'hostname; echo $((6*7))'")).stdout).toBe('node-2\n42\n');
    expect((await run('hostname')).stdout).toBe('workstation\n');
    expect((await run('ssh node-2 false')).status).toBe(1);
    const missing = await run('ssh node-1 nosuch');
    expect([missing.status, missing.stderr]).toEqual([127, 'bash: nosuch: command not found\n']);
    // The remote side's errors do not change how a bad destination fails.
    expect((await run('ssh nope ip route')).status).toBe(255);
  });
});
