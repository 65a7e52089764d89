import { describe, expect, it } from 'vitest';
import { openSession } from '../../../../tests/support/session';

describe('changing a Service through kubectl', () => {
  it('patch to externalTrafficPolicy Local gives a LoadBalancer its health check port, which describe shows', async () => {
    const { run } = await openSession({ topology: 'kubernetes' });
    await run('kubectl create deployment web --image=nginx');
    await run('kubectl expose deployment web --port=80 --type=LoadBalancer');
    expect((await run('kubectl patch svc web -p \'{"spec":{"externalTrafficPolicy":"Local"}}\'')).stdout).toBe('service/web patched\n');
    const port = (await run('kubectl get svc web -o jsonpath={.spec.healthCheckNodePort}')).stdout;
    expect(port).toMatch(/^3\d{4}$/);
    const d = (await run('kubectl describe svc web')).stdout;
    expect(d).toContain('External Traffic Policy:  Local\nInternal Traffic Policy:  Cluster\n');
    expect(d).toContain(`HealthCheck NodePort:     ${port}\n`);
    await run('ssh node-1');
    expect((await run('iptables-save -t filter | grep "health check node port"')).stdout).toBe(`-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web health check node port" -m tcp --dport ${port} -j ACCEPT\n`);
  });

  it('edit turns a NodePort Service into a LoadBalancer, keeping its node ports', async () => {
    const { run } = await openSession({ topology: 'kubernetes' });
    await run('kubectl create service nodeport web --tcp=80:80');
    const before = (await run('kubectl get svc web -o jsonpath={.spec.ports[0].nodePort}')).stdout;
    expect((await run('KUBE_EDITOR="sed -i s/NodePort/LoadBalancer/" kubectl edit svc web')).stdout).toBe('service/web edited\n');
    // The cloud takes a while to provision the balancer: <pending> first.
    expect((await run('kubectl get svc web')).stdout).toMatch(new RegExp(`^web +LoadBalancer +[0-9.]+ +<pending> +80:${before}/TCP `, 'm'));
    await run('sleep 30');
    const get = (await run('kubectl get svc web')).stdout;
    expect(get).toMatch(new RegExp(`^web +LoadBalancer +[0-9.]+ +192\\.168\\.49\\.240 +80:${before}/TCP `, 'm'));
    // And back to ClusterIP: the node ports and the address are released.
    expect((await run('kubectl patch svc web -p \'{"spec":{"type":"ClusterIP"}}\'')).stdout).toBe('service/web patched\n');
    expect((await run('kubectl get svc web')).stdout).toMatch(/^web +ClusterIP +[0-9.]+ +<none> +80\/TCP /m);
  });
});
