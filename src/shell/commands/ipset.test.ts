import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';

async function node() {
  const s = await openSession({ topology: 'kubernetes-ipvs' });
  await s.run('kubectl create deployment web --image=registry.k8s.io/serve_hostname --replicas=2');
  await s.run('kubectl expose deployment web --port=80 --target-port=9376');
  await s.run('sleep 20');
  await s.run('ssh node-1');
  return s;
}

describe('ipset (v7.19)', () => {
  it('lists a set as ipset does: header, size, references, members', async () => {
    const s = await node();
    const r = await s.run('ipset list KUBE-CLUSTER-IP');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^Name: KUBE-CLUSTER-IP\nType: hash:ip,port\nRevision: 7\nHeader: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x[0-9a-f]{8}\nSize in memory: 456\nReferences: 3\nNumber of entries: 5\nMembers:\n10\.105\.61\.149,tcp:80\n10\.96\.0\.1,tcp:443\n10\.96\.0\.10,tcp:53\n10\.96\.0\.10,tcp:9153\n10\.96\.0\.10,udp:53\n$/,
    );
    const bitmap = await s.run('ipset list -t KUBE-NODE-PORT-TCP');
    expect(bitmap.stdout).toBe('Name: KUBE-NODE-PORT-TCP\nType: bitmap:port\nRevision: 3\nHeader: range 0-65535\nSize in memory: 8264\nReferences: 0\nNumber of entries: 0\n');
    const names = (await s.run('ipset -n list')).stdout.split('\n');
    expect(names.slice(0, 3)).toEqual(['KUBE-LOOP-BACK', 'KUBE-CLUSTER-IP', 'KUBE-EXTERNAL-IP']);
    // Every set, separated by one blank line.
    const all = (await s.run('ipset list')).stdout;
    expect(all.split('\n\nName: ')).toHaveLength(17);
    expect((await s.run('ipset save KUBE-LOOP-BACK')).stdout).toMatch(/^create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x[0-9a-f]{8}\nadd KUBE-LOOP-BACK 10\.244\.1\.2,tcp:9376,10\.244\.1\.2\n$/);
  });

  it('tests entries, answering on stderr, with a missing protocol read as tcp', async () => {
    const s = await node();
    expect(await s.run('ipset test KUBE-CLUSTER-IP 10.96.0.10,udp:53')).toEqual({ stdout: '', stderr: 'Warning: 10.96.0.10,udp:53 is in set KUBE-CLUSTER-IP.\n', status: 0 });
    expect(await s.run('ipset test KUBE-CLUSTER-IP 10.96.0.10,80')).toEqual({ stdout: '', stderr: '10.96.0.10,tcp:80 is NOT in set KUBE-CLUSTER-IP.\n', status: 1 });
    expect(await s.run('ipset -q test KUBE-CLUSTER-IP 10.96.0.10,80')).toEqual({ stdout: '', stderr: '', status: 1 });
    expect(await s.run('ipset test KUBE-CLUSTER-IP 10.96.0.10')).toEqual({ stdout: '', stderr: 'ipset v7.19: Syntax error: Second element is missing from 10.96.0.10.\n', status: 1 });
    expect(await s.run('ipset test KUBE-IPVS-IPS 10.96.0.1,tcp:80')).toEqual({ stdout: '', stderr: 'ipset v7.19: Syntax error: Elem separator in 10.96.0.1,tcp:80, but settype hash:ip supports none.\n', status: 1 });
  });

  it('answers bad input with ipset\'s errors', async () => {
    const s = await node();
    expect(await s.run('ipset list NOPE')).toEqual({ stdout: '', stderr: 'ipset v7.19: The set with the given name does not exist\n', status: 1 });
    expect(await s.run('ipset foo')).toEqual({ stdout: '', stderr: "ipset v7.19: No command specified: unknown argument foo\nTry `ipset help' for more information.\n", status: 2 });
    expect(await s.run('ipset')).toEqual({ stdout: '', stderr: "ipset v7.19: No command specified.\nTry `ipset help' for more information.\n", status: 2 });
    expect(await s.run('ipset list KUBE-CLUSTER-IP KUBE-LOOP-BACK')).toEqual({ stdout: '', stderr: "ipset v7.19: Unknown argument KUBE-LOOP-BACK\nTry `ipset help' for more information.\n", status: 2 });
    expect(await s.run('ipset version')).toEqual({ stdout: 'ipset v7.19, protocol version: 7\n', stderr: '', status: 0 });
    const before = (await s.run('ipset list KUBE-CLUSTER-IP')).stdout;
    expect((await s.run('ipset add KUBE-CLUSTER-IP 1.2.3.4,tcp:80')).status).toBe(1);
    expect((await s.run('ipset list KUBE-CLUSTER-IP')).stdout).toBe(before);
  });
});
