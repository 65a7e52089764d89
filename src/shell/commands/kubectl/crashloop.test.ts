import { describe, expect, it } from 'vitest';
import { defineLab } from '../../../labs/schema';
import { openSession } from '../../../../tests/support/session';

/** A pod of two nginx containers (the second cannot have port 80) and a pod with a sidecar. */
const lab = defineLab({
  id: 'fixture-shared-netns',
  title: 'Shared network namespaces',
  summary: 'Pods with several containers.',
  topology: { name: 'kubernetes', nodes: 3 },
  manifests: `
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  nodeName: node-1
  containers:
  - name: nginx
    image: nginx:1.27
  - name: sidecar
    image: busybox:1.36
    command: ["sleep", "3600"]
`,
  tasks: [],
});

const CLASH = `cat > clash.yaml <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: clash
spec:
  nodeName: node-2
  containers:
  - name: web1
    image: nginx:1.27
  - name: web2
    image: nginx:1.27
EOF`;

describe('containers of one pod', () => {
  it('share one eth0 and reach each other over localhost', async () => {
    const { run } = await openSession({ lab });
    const link = (await run('kubectl exec web -c sidecar -- cat /sys/class/net/eth0/address')).stdout;
    expect(link).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}\n$/);
    expect((await run('kubectl exec web -c nginx -- cat /sys/class/net/eth0/address')).stdout).toBe(link);
    expect((await run('kubectl exec web -c sidecar -- wget -qO- http://localhost/')).stdout).toContain('<title>Welcome to nginx!</title>');
  });

  it('lists a pod\'s pause process and its containers\' processes with ip netns pids on the node', async () => {
    const { run } = await openSession({ lab });
    await run('ssh node-1');
    const ps = (await run('ps -ef | cat')).stdout.split('\n');
    const sleep = ps.find((l) => l.endsWith(' sleep 3600'))!.split(/\s+/);
    const name = (await run(`ip netns identify ${sleep[1]}`)).stdout.trim();
    expect(name).toMatch(/^cni-[0-9a-f-]{36}$/);
    const pids = (await run(`ip netns pids ${name}`)).stdout.trim().split('\n');
    const cmd = (pid: string) => ps.find((l) => l.split(/\s+/)[1] === pid)!.replace(/^(\S+\s+){7}/, '');
    expect(pids.map(cmd)).toEqual(['/pause', 'nginx: master process nginx -g daemon off;', 'sleep 3600', 'nginx: worker process', 'nginx: worker process']);
    // Every one of them has the shim as its parent, and the pause process runs as 65535.
    const parents = new Set(pids.map((p) => ps.find((l) => l.split(/\s+/)[1] === p)!.split(/\s+/)[2]));
    expect(parents.size).toBe(1);
    expect(ps.find((l) => l.split(/\s+/)[1] === pids[0])!.startsWith('65535 ')).toBe(true);
    expect(await run(`ip netns pids ${name} extra`)).toEqual({ stdout: '', stderr: 'extra arguments specified\n', status: 1 });
  });

  it('shows a second nginx on the same port crash-looping: get, describe, logs and --previous', async () => {
    const { run } = await openSession({ lab });
    await run(CLASH);
    expect((await run('kubectl apply -f clash.yaml')).stdout).toBe('pod/clash created\n');
    expect((await run('kubectl logs clash -c web2 -p')).stderr).toBe('Error from server (BadRequest): previous terminated container "web2" in pod "clash" not found\n');
    await run('sleep 40');
    const row = (await run('kubectl get pod clash')).stdout.split('\n')[1]!;
    expect(row).toMatch(/^clash {3}1\/2 {5}(CrashLoopBackOff|Error|Running) +\d \(\d+s ago\) +40s$/);
    const describe = (await run('kubectl describe pod clash')).stdout;
    const web2 = describe.slice(describe.indexOf('  web2:'), describe.indexOf('Conditions:'));
    expect(web2).toMatch(/ {4}Last State: {5}Terminated\n {6}Reason: {7}Error\n {6}Exit Code: {4}1\n {6}Started: {6}Fri, 14 Mar 2025 09:30:\d\d \+0000\n {6}Finished: {5}Fri, 14 Mar 2025 09:30:\d\d \+0000\n {4}Ready: {10}False\n/);
    expect(describe).toMatch(/Warning {2}BackOff {2}\S+ \(x\d over \S+\) +kubelet +Back-off restarting failed container web2 in pod clash_default\([0-9a-f-]{36}\)\n/);
    const logs = (await run('kubectl logs clash -c web2')).stdout;
    expect(logs).toContain('nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n');
    expect(logs.endsWith('nginx: [emerg] still could not bind()\n')).toBe(true);
    expect((await run('kubectl logs clash -c web2 --previous')).stdout).toContain('still could not bind()');
    expect((await run('kubectl logs clash -c web1')).stdout).toContain('[notice] 1#1: start worker processes\n');
  });

  it('puts a host-network pod\'s nginx on its node\'s address, beside the node\'s own sockets', async () => {
    const { run } = await openSession({ lab });
    await run(`cat > host.yaml <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: hostweb
spec:
  hostNetwork: true
  nodeName: node-2
  containers:
  - name: nginx
    image: nginx:1.27
EOF`);
    await run('kubectl apply -f host.yaml');
    await run('sleep 10');
    const node = (await run("kubectl get node node-2 -o jsonpath='{.status.addresses[0].address}'")).stdout;
    expect((await run('kubectl get pod hostweb -o wide')).stdout.split('\n')[1]).toMatch(new RegExp(`^hostweb +1/1 +Running +0 +10s +${node.replace(/\./g, '\\.')} +node-2 `));
    expect((await run(`curl -s http://${node}/`)).stdout).toContain('<title>Welcome to nginx!</title>');
    const ss = (await run('ssh node-2 ss -tlnp | cat')).stdout.split('\n');
    expect(ss.filter((l) => /:80 /.test(l)).map((l) => l.split(/\s+/).slice(2, 4).join(' '))).toEqual(['511 0.0.0.0:80', '511 [::]:80']);
    expect(ss.some((l) => l.includes('users:(("sshd"'))).toBe(true);
  });
});
