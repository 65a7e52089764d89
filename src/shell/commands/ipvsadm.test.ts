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

describe('ipvsadm (v1.31)', () => {
  it('lists virtual and real servers with ipvsadm\'s columns, trailing spaces included', async () => {
    const s = await node();
    const r = await s.run('ipvsadm -Ln');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  10.96.0.1:443 rr',
      '  -> 192.168.49.2:6443            Masq    1      0          0         ',
    ]);
    // TCP before UDP; within a protocol by address, then port.
    expect(lines.filter((l) => /^(TCP|UDP) /.test(l))).toEqual(['TCP  10.96.0.1:443 rr', 'TCP  10.96.0.10:53 rr', 'TCP  10.96.0.10:9153 rr', 'TCP  10.105.61.149:80 rr', 'UDP  10.96.0.10:53 rr']);
    // Without -n, ports with an /etc/services name for their protocol print by name.
    expect((await s.run('ipvsadm -L')).stdout).toContain('TCP  10.96.0.10:domain rr\n  -> 10.244.0.2:domain            Masq    1      0          0         \n');
  });

  it('sorts node addresses before ClusterIPs, as libipvs compares addresses as C ints', async () => {
    const s = await node();
    await s.run('exit');
    await s.run('kubectl expose deployment web --name=np --port=80 --target-port=9376 --type=NodePort');
    await s.run('ssh node-1');
    const services = (await s.run('ipvsadm -Ln')).stdout.split('\n').filter((l) => l.startsWith('TCP'));
    expect(services[0]).toMatch(/^TCP {2}192\.168\.49\.3:3\d{4} rr$/);
    expect(services.indexOf('TCP  10.96.0.1:443 rr')).toBe(1);
  });

  it('shows connections, statistics and one virtual server', async () => {
    const s = await node();
    await s.run('curl -s 10.105.61.149');
    const c = await s.run('ipvsadm -Lnc');
    expect(c.stdout).toMatch(/^IPVS connection entries\npro expire state {7}source {13}virtual {12}destination\nTCP 02:00 {2}TIME_WAIT {3}10\.105\.61\.149:\d+ 10\.105\.61\.149:80 {3}10\.244\.\d\.\d:9376\n$/);
    const st = await s.run('ipvsadm -Ln --stats -t 10.105.61.149:80');
    expect(st.stdout.split('\n').slice(0, 3)).toEqual(['Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes', '  -> RemoteAddress:Port', 'TCP  10.105.61.149:80                    1        4        4      256      297']);
    const one = await s.run('ipvsadm -Ln -t 10.105.61.149:80');
    expect(one.stdout.split('\n')[2]).toBe('TCP  10.105.61.149:80 rr');
    const save = await s.run('ipvsadm -Sn');
    expect(save.stdout).toContain('-A -t 10.105.61.149:80 -s rr\n-a -t 10.105.61.149:80 -r 10.244.1.2:9376 -m -w 1\n');
  });

  it('answers bad input with ipvsadm\'s errors and exit statuses', async () => {
    const s = await node();
    expect(await s.run('ipvsadm -X')).toEqual({ stdout: '', stderr: "-X: unknown option\nTry `ipvsadm -h' or 'ipvsadm --help' for more information.\n", status: 255 });
    expect(await s.run('ipvsadm -L -s rr')).toEqual({ stdout: '', stderr: "Illegal 'scheduler' option with the 'list' command\n", status: 2 });
    expect(await s.run('ipvsadm -Lnc -t 10.96.0.1:443')).toEqual({ stdout: '', stderr: "The option 'service-address' conflicts with the 'connection' option in the 'list' command\n", status: 2 });
    expect(await s.run('ipvsadm -Lc --stats')).toEqual({ stdout: '', stderr: 'options conflicts in the list command\n', status: 2 });
    expect(await s.run('ipvsadm -Ln -t nowhere:80')).toEqual({ stdout: '', stderr: 'illegal virtual server address[:port] specified\n', status: 2 });
    expect(await s.run('ipvsadm -Ln -t 10.96.0.1:444')).toEqual({ stdout: '', stderr: 'No such service\n', status: 1 });
    expect((await s.run('ipvsadm -Ln -t')).status).toBe(255);
    const change = await s.run('ipvsadm -A -t 10.0.0.1:80 -s rr');
    expect(change.status).toBe(2);
    expect((await s.run('ipvsadm -Ln')).stdout).not.toContain('10.0.0.1:80');
  });

  it('is not installed on the nodes of an iptables-mode cluster', async () => {
    const s = await openSession({ topology: 'kubernetes' });
    await s.run('ssh node-1');
    expect(await s.run('ipvsadm -Ln')).toEqual({ stdout: '', stderr: 'bash: ipvsadm: command not found\n', status: 127 });
  });
});
