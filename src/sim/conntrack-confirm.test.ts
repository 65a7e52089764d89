import { describe, expect, it } from 'vitest';
import { openSession } from '../../tests/support/session';

describe('conntrack confirmation', () => {
  it('keeps no entry for a first packet dropped before it left the node, and lists the ones that got through', async () => {
    const t = await openSession();
    const pods = (await t.run("kubectl get pods -l app=web -o jsonpath='{.items[*].status.podIP}'")).stdout.split(' ');
    const remote = pods.find((ip) => !ip.startsWith('10.244.2.'))!;
    await t.run('ssh node-2 iptables -I FORWARD 1 -p icmp -j DROP');
    await t.run(`kubectl exec client -- ping -c 1 -W 1 ${remote}`);
    expect((await t.run('ssh node-2 conntrack -L -p icmp')).stdout).not.toContain(`dst=${remote}`);
    await t.run('ssh node-2 iptables -D FORWARD 1');
    await t.run(`kubectl exec client -- ping -c 1 -W 1 ${remote}`);
    expect((await t.run('ssh node-2 conntrack -L -p icmp')).stdout).toContain(`dst=${remote}`);
  });
});
