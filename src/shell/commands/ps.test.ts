import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { ScriptClock, transcript } from '../../labs/transcript';
import { labSession } from '../../../tests/support/session';

async function onNode(lines: string[]): Promise<string> {
  const clock = new ScriptClock(REFERENCE_TIME);
  const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
  const nodes = Object.keys(session.sim.state.k8s.nodes).filter((n) => n !== 'control-plane');
  return transcript(session, clock, [`ssh ${nodes[0]}`, ...lines]);
}

describe('ps on a node', () => {
  it('run by ssh NODE CMD: no terminal, sshd as root@notty, nothing of the caller\'s own pipeline', async () => {
    const clock = new ScriptClock(REFERENCE_TIME);
    const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
    const node = Object.keys(session.sim.state.k8s.nodes).find((n) => n !== 'control-plane')!;
    const piped = await transcript(session, clock, [`ssh ${node} ps -ef | grep -e notty -e 'ps -ef' -e grep`], { quiet: true });
    const rows = piped.trim().split('\n');
    // ps runs in bash -c's place (a lone command is exec'd), a child of sshd's session process.
    expect(rows).toHaveLength(2);
    const [sshd, ps] = rows.map((r) => r.split(/ +/));
    expect(rows[0]).toMatch(/^root +\d+ +\d+ +0 \d\d:\d\d \? +00:00:00 sshd: root@notty$/);
    expect(rows[1]).toMatch(/^root +\d+ +\d+ +0 \d\d:\d\d \? +00:00:00 ps -ef$/);
    expect(ps![2]).toBe(sshd![1]);
    // A pipeline on the node: bash -c with the text as ssh sent it, its commands its children.
    const remote = await transcript(session, clock, [`ssh ${node} "ps -ef | grep -E 'bash|grep'"`], { quiet: true });
    expect(remote).toMatch(/^root +(\d+) +\d+ +0 \d\d:\d\d \? +00:00:00 bash -c ps -ef \| grep -E 'bash\|grep'$/m);
    expect(remote).toMatch(/ \? +00:00:00 grep -E bash\|grep$/m);
    expect(remote).not.toContain('pts/0');
  });

  it('ps auxw | grep kube-proxy: kube-proxy as kubeadm runs it, and the grep itself', async () => {
    const out = await onNode(['ps auxw | grep kube-proxy']);
    const rows = out.split('\n').filter((l) => /^root\s+\d+/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^root {4,}\d+ +\d+\.\d +\d+\.\d +\d+ +\d+ \? +Ssl +\d\d:\d\d +\d+:\d\d \/usr\/local\/bin\/kube-proxy --config=\/var\/lib\/kube-proxy\/config\.conf --hostname-override=node-\d$/);
    expect(rows[1]).toMatch(/ pts\/0 +S\+ +\d\d:\d\d +0:00 grep --color=auto kube-proxy$/);
  });

  it('the kubelet has kubeadm\'s flags; ps aux on the terminal is cut at 80 columns, with its header', async () => {
    const out = await onNode(['ps auxww | grep kubelet', 'ps aux']);
    expect(out).toContain('/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10\n');
    const table = out.slice(out.indexOf('# ps aux\n') + 9).split('\n');
    expect(table[0]).toBe('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND');
    expect(table[1]).toMatch(/^root {11}1 +0\.\d +0\.\d +\d+ +\d+ \? {8}Ss +\d\d:\d\d +\d+:\d\d \/sbin\/init$/);
    expect(Math.max(...table.map((l) => (l.includes('@') && l.includes(':~#') ? 0 : l.length)))).toBe(80);
    // A value wider than its column pushes the line right; the padding after it takes it back.
    const kubelet = table.find((l) => l.includes('/usr/bin/kube'))!;
    expect(kubelet.indexOf('?')).toBe(table[1]!.indexOf('?') + 1);
    expect(kubelet.indexOf('Ssl')).toBe(table[1]!.indexOf('Ss'));
  });

  it('ps alone lists the session; ps -ef has PPIDs; a bad option is procps\'s error', async () => {
    const out = await onNode(['ps', 'ps -ef | grep sshd', 'ps auxq']);
    expect(out).toMatch(/# ps\n {4}PID TTY {10}TIME CMD\n +\d+ pts\/0 +00:00:00 bash\n +\d+ pts\/0 +00:00:00 ps\n/);
    const sshd = /\nroot +(\d+) +1 +0 \d\d:\d\d \? +00:00:00 sshd: \/usr\/sbin\/sshd -D \[listener\] 0 of 10-100 startups\n/.exec(out);
    expect(sshd).not.toBeNull();
    expect(out).toMatch(new RegExp(`\\nroot +\\d+ +${sshd![1]} +0 \\d\\d:\\d\\d \\? +00:00:00 sshd: root@pts/0\\n`));
    expect(out).toContain('# ps auxq\nerror: unsupported option (BSD syntax)\n');
  });
});
