import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';

const status = async (t: Awaited<ReturnType<typeof openSession>>, node: string): Promise<string> =>
  (await t.run(`kubectl get node ${node} --no-headers`)).stdout.split(/ +/)[1]!;

describe('a node that loses its path to the API server', () => {
  it('goes NotReady once its lease is older than the grace period, and Ready again soon after the path is back', async () => {
    const t = await openSession();
    await t.run('ssh node-1 iptables -I OUTPUT -d 192.168.49.2 -p tcp --dport 6443 -j DROP');
    expect(await status(t, 'node-1')).toBe('Ready');
    await t.run('sleep 30');
    expect(await status(t, 'node-1')).toBe('Ready');
    await t.run('sleep 40');
    expect(await status(t, 'node-1')).toBe('NotReady');
    expect(await status(t, 'node-2')).toBe('Ready');
    await t.run('ssh node-1 iptables -D OUTPUT 1');
    await t.run('sleep 10');
    expect(await status(t, 'node-1')).toBe('Ready');
  });
});
