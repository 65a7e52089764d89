import { describe, expect, it } from 'vitest';
import { openSession, type TestSession } from '../../../tests/support/session';

async function withBusyboxes(...tags: string[]): Promise<TestSession> {
  const t = await openSession({ topology: 'kubernetes-web' });
  for (const tag of tags) await t.run(`kubectl run bb${tag.replace('.', '')} --image=busybox:${tag} --command -- sleep 3600`);
  // New pods pull their image and start before anything can run in them.
  await t.run('sleep 10');
  return t;
}

describe('busybox nslookup by version', () => {
  it('1.28 resolves through the libc search list and prints Address N lines with the reverse names', async () => {
    const t = await withBusyboxes('1.28');
    const r = await t.run('kubectl exec bb128 -- nslookup kubernetes.default');
    expect(r.stdout).toBe('Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n');
    expect(r.status).toBe(0);
    const bad = await t.run('kubectl exec bb128 -- nslookup nope');
    expect([bad.stderr, bad.status]).toEqual(["nslookup: can't resolve 'nope'\ncommand terminated with exit code 1\n", 1]);
    expect(bad.stdout).toContain('Server:    10.96.0.10\n');
  });

  it('1.29 asks for the name as given; 1.30 tries each search domain; 1.31 exits 1 on NXDOMAIN', async () => {
    const t = await withBusyboxes('1.29', '1.30', '1.31');
    const v129 = await t.run('kubectl exec bb129 -- nslookup web');
    expect([v129.stdout.match(/server can't find web: NXDOMAIN/g)?.length, v129.status]).toEqual([2, 0]);
    const v130 = await t.run('kubectl exec bb130 -- nslookup web');
    expect(v130.stdout).toContain('Name:\tweb.default.svc.cluster.local\nAddress: 10.105.61.149\n\n');
    expect(v130.stdout).toContain("** server can't find web.cluster.local: NXDOMAIN\n");
    expect(v130.stdout).not.toContain("find web: NXDOMAIN");
    expect(v130.status).toBe(0);
    expect((await t.run('kubectl exec bb131 -- nslookup web')).status).toBe(1);
  });

  it('1.32 and 1.33 say No answer for an empty reply, 1.34 and later print only the blank line', async () => {
    const t = await withBusyboxes('1.33', '1.36');
    expect((await t.run('kubectl exec bb133 -- nslookup web.default.svc.cluster.local')).stdout).toBe('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.105.61.149\n\n*** Can\'t find web.default.svc.cluster.local: No answer\n\n');
    const r = await t.run('kubectl exec bb136 -- nslookup web.default.svc.cluster.local');
    expect([r.stdout, r.status]).toEqual(['Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.105.61.149\n\n\n', 0]);
  });

  it('an address asks for its PTR name', async () => {
    const t = await withBusyboxes('1.36');
    expect((await t.run('kubectl exec bb136 -- nslookup 10.96.0.10')).stdout).toBe('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n10.0.96.10.in-addr.arpa\tname = kube-dns.kube-system.svc.cluster.local\n\n');
  });
});

describe('a server that answers port unreachable (a Service whose pods do not listen on 53)', () => {
  async function refusing(): Promise<TestSession> {
    const t = await withBusyboxes('1.36');
    await t.run('kubectl expose deployment web --name=fakedns --port=53 --protocol=UDP');
    return t;
  }
  const vip = async (t: TestSession): Promise<string> => (await t.run("kubectl get svc fakedns -o jsonpath='{.spec.clusterIP}'")).stdout;

  it('two queries: the second write fails with the error the first left on the socket, and the applet gives up at once', async () => {
    const t = await refusing();
    const ip = await vip(t);
    const start = t.clock.now();
    const r = await t.run(`kubectl exec bb136 -- nslookup kubernetes.default ${ip}`);
    expect(r.stderr).toBe(`nslookup: write to '${ip}': Connection refused\ncommand terminated with exit code 1\n`);
    expect(r.stdout).toBe(';; connection timed out; no servers could be reached\n\n');
    expect(t.clock.now() - start).toBeLessThan(1000);
  });

  it('one query: each read fails, the query goes again after 2.5 s, and the 5 s timeout ends it', async () => {
    const t = await refusing();
    const ip = await vip(t);
    const start = t.clock.now();
    const r = await t.run(`kubectl exec bb136 -- nslookup -type=a kubernetes.default ${ip}`);
    expect(r.stderr).toBe('nslookup: read: Connection refused\nnslookup: read: Connection refused\ncommand terminated with exit code 1\n');
    expect(r.stdout).toBe(';; connection timed out; no servers could be reached\n\n');
    expect(t.clock.now() - start).toBeGreaterThanOrEqual(5000);
  });
});
