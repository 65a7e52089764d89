import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';
import { printNum } from './iptables';

/** The web Service's ClusterIP and its chain in the fixture cluster. */
async function cluster() {
  const t = await openSession();
  const ip = t.session.sim.state.k8s.services['default/web']!.spec.clusterIP!;
  return { ...t, ip };
}

describe('iptables counters (xtables_print_num)', () => {
  it('prints 5 columns up to 99999, then K, M, G with rounding; -x prints 8 columns exactly', () => {
    expect(printNum(0, false)).toBe('    0 ');
    expect(printNum(99999, false)).toBe('99999 ');
    expect(printNum(100000, false)).toBe(' 100K ');
    expect(printNum(1499999, false)).toBe('1500K ');
    expect(printNum(12_345_678_901, false)).toBe('  12G ');
    expect(printNum(1234, true)).toBe('    1234 ');
    expect(printNum(1234, false, false)).toBe('1234 ');
  });

  it('counts the packets the data path matched, per node, and -Z resets them', async () => {
    const t = await cluster();
    await t.run(`kubectl exec client -- wget -q -O /dev/null http://${t.ip}`);
    await t.run('ssh node-2');
    const nat = (await t.run('iptables -t nat -L KUBE-SERVICES -v -n')).stdout;
    expect(nat).toMatch(new RegExp(`\\n +1 +60 KUBE-SVC-\\S+ +6 +-- +\\* +\\* +0\\.0\\.0\\.0/0 +${t.ip.replace(/\./g, '\\.')} `));
    const saved = (await t.run('iptables-save -c -t nat')).stdout;
    expect(saved).toMatch(/\[1:60\] -A KUBE-SERVICES -d \S+ -p tcp -m comment --comment "default\/web cluster IP"/);
    await t.run('exit');
    await t.run('ssh node-1');
    // node-1 saw none of that connection's first packet.
    expect((await t.run('iptables -t nat -L KUBE-SERVICES -v -n')).stdout).not.toMatch(/\n +1 +60 KUBE-SVC/);
    await t.run('exit');
    await t.run('ssh node-2');
    expect((await t.run('iptables -t nat -Z KUBE-SERVICES')).status).toBe(0);
    expect((await t.run('iptables -t nat -L KUBE-SERVICES -v -n')).stdout).not.toMatch(/\n +1 +60 KUBE-SVC/);
  });
});

describe("kube-proxy's chains written on one node", () => {
  it('change that node only; a partial sync rewrites KUBE-SERVICES but keeps an unchanged Service chain', async () => {
    const t = await cluster();
    await t.run('ssh node-2');
    expect((await t.run(`iptables -t nat -I KUBE-SERVICES 1 -d ${t.ip}/32 -p tcp --dport 80 -j RETURN`)).status).toBe(0);
    expect((await t.run('iptables -t nat -I KUBE-SVC-TCOU7JCQXEZGVUNU 1 -m comment --comment mine -j RETURN')).status).toBe(0);
    await t.run('exit');
    expect((await t.run(`kubectl exec client -- wget -q -T 1 -O /dev/null http://${t.ip}`)).status).toBe(1);
    await t.run('ssh node-1');
    expect((await t.run('iptables -t nat -S KUBE-SERVICES')).stdout).not.toContain('-j RETURN');
    await t.run('exit');
    await t.run('kubectl scale deployment web --replicas=4');
    expect((await t.run(`kubectl exec client -- wget -q -T 1 -O /dev/null http://${t.ip}`)).status).toBe(0);
    await t.run('ssh node-2');
    expect((await t.run('iptables -t nat -S KUBE-SERVICES')).stdout).not.toContain('-j RETURN');
    expect((await t.run('iptables -t nat -S KUBE-SVC-TCOU7JCQXEZGVUNU')).stdout).toContain('-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment mine -j RETURN');
  });

  it('the hourly full resync takes a change to an unchanged Service chain back', async () => {
    const t = await cluster();
    await t.run('ssh node-2');
    expect((await t.run('iptables -t nat -I KUBE-SVC-TCOU7JCQXEZGVUNU 1 -m comment --comment mine -j RETURN')).status).toBe(0);
    await t.run('sleep 1800');
    expect((await t.run('iptables -t nat -S KUBE-SVC-TCOU7JCQXEZGVUNU')).stdout).toContain('--comment mine');
    await t.run('sleep 1900');
    expect((await t.run('iptables -t nat -S KUBE-SVC-TCOU7JCQXEZGVUNU')).stdout).not.toContain('--comment mine');
  });

  it('a removed canary brings a full sync: every kube-proxy chain and missing jump back, the learner’s own rules kept', async () => {
    const t = await cluster();
    await t.run('ssh node-2');
    for (const l of ['iptables -N MINE', 'iptables -A MINE -j RETURN', 'iptables -A FORWARD -j MINE', 'iptables -t nat -I KUBE-SVC-TCOU7JCQXEZGVUNU 1 -j RETURN', 'iptables -t nat -D PREROUTING 1', 'iptables -t nat -F', 'iptables -t nat -X']) {
      expect((await t.run(l)).status, l).toBe(0);
    }
    const after = (await t.run('iptables -t nat -S')).stdout;
    expect(after).toContain('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
    expect(after).toContain('-N KUBE-PROXY-CANARY');
    expect(after).not.toContain('-A KUBE-SVC-TCOU7JCQXEZGVUNU -j RETURN');
    expect(after).toMatch(/-A KUBE-SERVICES -d \S+ -p tcp -m comment --comment "default\/web cluster IP"/);
    expect((await t.run('iptables -S FORWARD')).stdout).toContain('-A FORWARD -j MINE');
    await t.run('exit');
    expect((await t.run(`kubectl exec client -- wget -q -T 1 -O /dev/null http://${t.ip}`)).status).toBe(0);
  });
});

describe('iptables on a Docker host', () => {
  it('MASQUERADE written by hand takes effect for a new connection', async () => {
    const t = await openSession({ topology: 'docker' });
    await t.run('ssh host-1');
    const before = (await t.run('iptables -t nat -S POSTROUTING')).stdout;
    expect(before).toContain('-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE');
    expect((await t.run('iptables -t nat -D POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE')).status).toBe(0);
    expect((await t.run('iptables -t nat -A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE')).status).toBe(0);
    expect((await t.run('iptables -t nat -S POSTROUTING')).stdout).toContain('-A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE');
  });
});

describe('conntrack', () => {
  it('-D deletes matching entries and prints them; the next packet starts a new entry', async () => {
    const t = await openSession();
    await t.run('kubectl exec client -- ping -c 1 10.244.1.2');
    await t.run('ssh node-2');
    const del = await t.run('conntrack -D -p icmp -d 10.244.1.2');
    expect(del.stdout).toMatch(/^icmp {5}1 \d+ src=10\.244\.2\.3 dst=10\.244\.1\.2 type=8 /);
    expect(del.stderr).toBe('conntrack v1.4.8 (conntrack-tools): 1 flow entries have been deleted.\n');
    expect(await t.run('conntrack -D -p icmp -d 10.244.1.2')).toEqual({ stdout: '', stderr: 'conntrack v1.4.8 (conntrack-tools): 0 flow entries have been deleted.\n', status: 1 });
    await t.run('exit');
    await t.run('kubectl exec client -- ping -c 1 10.244.1.2');
    await t.run('ssh node-2');
    expect((await t.run('conntrack -L -p icmp -d 10.244.1.2')).stderr).toBe('conntrack v1.4.8 (conntrack-tools): 1 flow entries have been shown.\n');
    expect(await t.run('conntrack -F')).toEqual({ stdout: '', stderr: 'conntrack v1.4.8 (conntrack-tools): connection tracking table has been emptied.\n', status: 0 });
    expect((await t.run('conntrack -C')).stdout).toBe('0\n');
    expect((await t.run('conntrack -L -s foo')).stderr).toBe("conntrack v1.4.8 (conntrack-tools): Invalid IP address `foo'\nTry `conntrack -h' or 'conntrack --help' for more information.\n");
    expect((await t.run('conntrack -L -p tcp --state BOGUS')).stderr).toContain("unknown TCP state `BOGUS'");
  });
});

describe('sysctl', () => {
  it('reads, writes and refuses as procps does, and the data path follows ip_forward', async () => {
    const t = await openSession();
    expect((await t.run('kubectl exec client -- ping -c 1 -W 1 10.244.1.2')).status).toBe(0);
    await t.run('ssh node-1');
    expect(await t.run('sysctl net.ipv4.ip_forward')).toEqual({ stdout: 'net.ipv4.ip_forward = 1\n', stderr: '', status: 0 });
    expect(await t.run('sysctl -w net.ipv4.ip_forward=0')).toEqual({ stdout: 'net.ipv4.ip_forward = 0\n', stderr: '', status: 0 });
    expect((await t.run('cat /proc/sys/net/ipv4/conf/all/forwarding')).stdout).toBe('0\n');
    expect(await t.run('sysctl -w net.ipv4.ip_forward=abc')).toEqual({ stdout: '', stderr: 'sysctl: setting key "net.ipv4.ip_forward": Invalid argument\n', status: 1 });
    expect(await t.run('sysctl net.ipv4.nope')).toEqual({ stdout: '', stderr: 'sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\n', status: 1 });
    expect((await t.run('sysctl -a | grep bridge-nf-call-iptables')).stdout).toBe('net.bridge.bridge-nf-call-iptables = 1\n');
    expect((await t.run('sysctl -n net.ipv4.ip_local_port_range')).stdout).toBe('32768\t60999\n');
    await t.run('exit');
    expect((await t.run('kubectl exec client -- ping -c 1 -W 1 10.244.1.2')).status).toBe(1);
    await t.run('ssh node-1');
    expect((await t.run('echo 1 > /proc/sys/net/ipv4/ip_forward')).status).toBe(0);
    expect((await t.run('echo x > /proc/sys/net/ipv4/ip_forward')).stderr).toBe('bash: echo: write error: Invalid argument\n');
    await t.run('exit');
    expect((await t.run('kubectl exec client -- ping -c 1 -W 1 10.244.1.2')).status).toBe(0);
  });

  it('without bridge-nf-call-iptables, a reply between two pods on one bridge skips conntrack and the Service breaks', async () => {
    const t = await cluster();
    // client (node-2) to the Service until a connection lands on the web pod on node-2 itself.
    await t.run('ssh node-2');
    expect((await t.run('sysctl -w net.bridge.bridge-nf-call-iptables=0')).status).toBe(0);
    await t.run('exit');
    const results: number[] = [];
    for (let i = 0; i < 12; i++) results.push((await t.run(`kubectl exec client -- wget -q -T 1 -O /dev/null http://${t.ip}`)).status);
    // Connections DNATed to node-1's pods still work; those to the same-node pod do not.
    expect(results).toContain(0);
    expect(results).toContain(1);
  });
});
