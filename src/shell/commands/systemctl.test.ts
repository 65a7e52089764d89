import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';
import { relative } from './systemctl';

describe('systemctl on a node', () => {
  it('status: systemd 255 layout, exit 0 active, 3 inactive, 4 unknown; into a pipe lines stay whole', async () => {
    const { run } = await openSession({ topology: 'kubernetes' });
    await run('ssh node-1');
    const st = await run('systemctl status kubelet | cat');
    expect(st.status).toBe(0);
    const lines = st.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '● kubelet.service - kubelet: The Kubernetes Node Agent',
      '     Loaded: loaded (/usr/lib/systemd/system/kubelet.service; enabled; preset: enabled)',
      '    Drop-In: /usr/lib/systemd/system/kubelet.service.d',
      '             └─10-kubeadm.conf',
      expect.stringMatching(/^ {5}Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; \d+min ago$/),
    ]);
    expect(st.stdout).toMatch(/\n {3}Main PID: (\d+) \(kubelet\)\n[\s\S]*\n {13}└─\1 \/usr\/bin\/kubelet --bootstrap-kubeconfig=\/etc\/kubernetes\/bootstrap-kubelet\.conf [^\n]*pause:3\.10\n\n/);
    expect(st.stdout).toMatch(/\n\w{3} \d\d \d\d:\d\d:\d\d node-1 kubelet\[\d+\]: I\d{4} \d\d:\d\d:\d\d\.\d{6} {4}\d+ reconciler\.go:26\] "Reconciler: start to sync state"\n$/);
    const ssh = (await run('systemctl status ssh | cat')).stdout;
    expect(ssh).toContain('TriggeredBy: ● ssh.socket\n');
    expect(ssh).toMatch(/└─\d+ "sshd: \/usr\/sbin\/sshd -D \[listener\] 0 of 10-100 startups"\n/);
    const containerd = (await run('systemctl status containerd | cat')).stdout;
    expect(containerd).toMatch(/\n {6}Tasks: \d+\n/);
    expect(containerd).toMatch(/├─ ?\d+ \/usr\/bin\/containerd\n/);
    const unknown = await run('systemctl status nope');
    expect([unknown.status, unknown.stderr]).toEqual([4, 'Unit nope.service could not be found.\n']);
    // On the terminal the CGroup and journal lines are fitted to 80 columns.
    const tty = (await run('systemctl status kubelet')).stdout.split('\n');
    const fitted = tty.filter((l) => l.startsWith('Mar ') || /^ {13}└─\d+ /.test(l));
    expect(fitted.every((l) => [...l].length <= 80)).toBe(true);
    expect(fitted.filter((l) => l.endsWith('…')).length).toBeGreaterThan(5);
    expect(tty[1]).toBe('     Loaded: loaded (/usr/lib/systemd/system/kubelet.service; enabled; preset: enabled)');
  });

  it('stop, is-active, start, restart change the model and print nothing; bad input is systemctl\'s error', async () => {
    const { run } = await openSession({ topology: 'kubernetes' });
    await run('ssh node-1');
    expect(await run('systemctl stop kubelet')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(await run('systemctl is-active kubelet containerd')).toEqual({ stdout: 'inactive\nactive\n', stderr: '', status: 3 });
    const st = await run('systemctl status kubelet | cat');
    expect((await run('systemctl status kubelet')).status).toBe(3);
    expect(st.stdout).toMatch(/^○ kubelet\.service[\s\S]*\n {5}Active: inactive \(dead\) since [^;]+; \d+ms ago\n[\s\S]*\n {3}Main PID: \d+ \(code=exited, status=0\/SUCCESS\)\n/);
    expect(st.stdout).toMatch(/systemd\[1\]: kubelet\.service: Consumed [\d.]+s CPU time, [\d.]+M memory peak, 0B memory swap peak\.\n$/);
    expect((await run('ss -ltn | grep -c 10250')).stdout).toBe('0\n');
    expect((await run('systemctl start kubelet; systemctl is-active kubelet')).stdout).toBe('active\n');
    expect((await run('ss -ltn | grep -c 10250')).stdout).toBe('1\n');
    expect((await run('systemctl restart containerd')).status).toBe(0);
    expect((await run('systemctl is-enabled ssh ssh.socket')).stdout).toBe('disabled\nenabled\n');
    expect(await run('systemctl stop ssh')).toEqual({ stdout: '', stderr: "Stopping 'ssh.service', but its triggering units are still active:\nssh.socket\n", status: 0 });
    expect(await run('systemctl frobnicate kubelet')).toEqual({ stdout: '', stderr: "Unknown command verb 'frobnicate'.\n", status: 1 });
    expect(await run('systemctl start')).toEqual({ stdout: '', stderr: 'Too few arguments.\n', status: 1 });
    expect(await run('systemctl start nope')).toEqual({ stdout: '', stderr: 'Failed to start nope.service: Unit nope.service not found.\n', status: 5 });
    expect((await run('systemctl --bogus status kubelet')).stderr).toBe("systemctl: unrecognized option '--bogus'\n");
  });

  it('relative times as systemd prints them', () => {
    expect([relative(2_500), relative(90_000), relative(12 * 60_000 + 5_000), relative(3_780_000), relative(7 * 3_600_000), relative(26 * 3_600_000), relative(3 * 86_400_000)]).toEqual(['2s ago', '1min 30s ago', '12min ago', '1h 3min ago', '7h ago', '1 day 2h ago', '3 days ago']);
  });
});

describe('journalctl -u', () => {
  it('prints a unit\'s journal, -n keeps the last lines, -f follows until Ctrl+C, an unknown unit has no entries', async () => {
    const { run } = await openSession({ topology: 'kubernetes', interruptAfterMs: 3_000 });
    await run('ssh node-1');
    await run('systemctl restart kubelet');
    const last = await run('journalctl -u kubelet -n 6 --no-pager');
    const lines = last.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l).toMatch(/^\w{3} \d\d \d\d:\d\d:\d\d node-1 kubelet\[\d+\]: I\d{4} /);
    const all = (await run('journalctl -u kubelet')).stdout;
    expect(all).toMatch(/systemd\[1\]: Stopping kubelet\.service - kubelet: The Kubernetes Node Agent\.\.\.\n[\s\S]*systemd\[1\]: Stopped kubelet\.service - kubelet: The Kubernetes Node Agent\.\n[\s\S]*systemd\[1\]: Started kubelet\.service - kubelet: The Kubernetes Node Agent\.\n/);
    const follow = await run('journalctl -u kubelet -f');
    expect(follow.status).toBe(0);
    expect(follow.stdout.trimEnd().split('\n')).toHaveLength(10);
    expect(await run('journalctl -u nope')).toEqual({ stdout: '-- No entries --\n', stderr: '', status: 0 });
    expect((await run('journalctl -n x')).stderr).toBe("Failed to parse lines 'x'\n");
  });
});

describe('ssh and nc through the model', () => {
  it('a stopped sshd refuses; nc prints its banner; kubectl logs of a node whose kubelet is stopped is refused', async () => {
    const { run } = await openSession({ topology: 'kubernetes', interruptAfterMs: 2_000 });
    const banner = await run('ssh node-2 nc 192.168.49.3 22');
    expect(banner.stdout).toBe('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.8\r\n');
    await run('ssh node-1 systemctl stop ssh.socket ssh');
    expect(await run('ssh node-1 hostname')).toEqual({ stdout: '', stderr: 'ssh: connect to host node-1 port 22: Connection refused\n', status: 255 });
    expect((await run('ssh node-2 nc -zv 192.168.49.3 22')).stderr).toBe('nc: connect to 192.168.49.3 port 22 (tcp) failed: Connection refused\n');
    await run('ssh node-2 systemctl stop kubelet');
    const pod = (await run("kubectl get pods -n kube-system -l k8s-app=kube-proxy --field-selector spec.nodeName=node-2 -o jsonpath='{.items[0].metadata.name}'")).stdout;
    expect(await run(`kubectl logs -n kube-system ${pod} --tail=2`)).toEqual({ stdout: '', stderr: `Error from server: Get "https://192.168.49.4:10250/containerLogs/kube-system/${pod}/kube-proxy?tailLines=2": dial tcp 192.168.49.4:10250: connect: connection refused\n`, status: 1 });
  });
});
