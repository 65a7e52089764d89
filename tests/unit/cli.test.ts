import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { checksumsValid, decodeFrame } from '../../src/sim/packet';
import { readPcap } from '../../src/sim/pcap';

// `npm run shell` is a contract (README): these run the real CLI as a newcomer would, one
// Node process each (tsx compiles on start). The tests run side by side: each mostly waits for
// its process.
function shell(args: string[], input: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/shell.ts', ...args], { stdio: 'pipe', timeout: 240_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => void (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
    child.stdin.on('error', () => {}); // a CLI that exits before reading its input (a usage error)
    child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const WEB = ['--lab-file', 'tests/fixtures/labs/web.ts'];

describe.concurrent('npm run shell', () => {
  it('prints the prompt, the command, its output, grading events and the score', async ({ expect }) => {
    const r = await shell(WEB, 'kubectl get nodes\nanswer which-pool service\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('learner@workstation:~$ kubectl get nodes\nNAME            STATUS   ROLES           AGE   VERSION\n');
    expect(r.stdout).toContain('[lab] which-pool passed: ');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('[lab] score 10/50');
  });

  it('keeps stderr apart, and --quiet prints only the commands\' output', async ({ expect }) => {
    const r = await shell([...WEB, '--quiet'], 'kubectl get pods -n kube-public\nfoo\n');
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('No resources found in kube-public namespace.\nbash: foo: command not found\n');
    expect(r.status).toBe(127);
  });

  it('refuses an unknown lab, or a file that defines none, with exit status 2', async ({ expect }) => {
    const [r, f] = await Promise.all([shell(['--lab', 'nope'], ''), shell(['--lab-file', 'tests/support/session.ts'], '')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no lab "nope"; labs: /);
    expect([f.status, f.stderr]).toEqual([2, 'shell: tests/support/session.ts: exports no lab (a value made by defineLab)\n']);
  });

  it('with no lab or cluster, opens the default cluster', async ({ expect }) => {
    const r = await shell(['--quiet'], 'kubectl get nodes -o name\n');
    expect([r.status, r.stdout]).toEqual([0, 'node/control-plane\nnode/node-1\nnode/node-2\n']);
  });

  it('--solution prints the lines that complete the lab, and replaying them passes every task', async ({ expect }) => {
    const lines = await shell([...WEB, '--solution'], '');
    expect(lines.status).toBe(0);
    expect(lines.stdout).toBe('answer pod-ip 10.244.1.2\nanswer pod-node node-1\nanswer which-pool service\nkubectl exec client -- ping -c 3 10.244.1.2\nanswer ttl-hops 2\n');
    const r = await shell(WEB, lines.stdout);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('[lab] score 50/50');
  });

  it('--apply applies manifests through the session, as kubectl apply prints them', async ({ expect }) => {
    const file = join(mkdtempSync(join(tmpdir(), 'k8slabs-')), 'web2.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web2\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n');
    const r = await shell([...WEB, '--apply', file], 'kubectl get svc web2 -o name\n');
    expect(r.stdout.split('\n')[0]).toBe('service/web2 created');
    expect(r.stdout).toContain('learner@workstation:~$ kubectl get svc web2 -o name\nservice/web2\n');
    writeFileSync(file, 'kind: Nope\n');
    const bad = await shell([...WEB, '--apply', file], '');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: /);
  });

  it('--pcap writes every frame sent on a wire, with valid checksums, VXLAN included', async ({ expect }) => {
    const file = join(mkdtempSync(join(tmpdir(), 'k8slabs-')), 'session.pcap');
    const r = await shell([...WEB, '--quiet', '--pcap', file], 'kubectl exec client -- ping -c 2 10.244.1.2\n');
    expect(r.status).toBe(0);
    const records = readPcap(readFileSync(file)).records;
    expect(records.length).toBeGreaterThan(10);
    let vxlan = 0;
    for (const rec of records) {
      const f = decodeFrame(rec.data);
      if (f.payload.kind !== 'ipv4') continue;
      expect(checksumsValid(f.payload)).toBe(true);
      if (f.payload.payload.kind === 'udp' && f.payload.payload.dstPort === 8472) vxlan++;
    }
    expect(vxlan).toBe(4); // two requests and two replies crossed the LAN inside the tunnel
  });
});

describe.concurrent('npm run shell --cluster', () => {
  it('opens a free sandbox on a named topology, with no tasks and no score', async ({ expect }) => {
    const r = await shell(['--cluster', 'kubernetes-host-gw'], 'kubectl get nodes\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('control-plane   Ready    control-plane');
    expect(r.stdout).not.toContain('[lab]');
  });

  it('on Docker hosts kubectl has no server to talk to', async ({ expect }) => {
    const r = await shell(['--cluster', 'docker', '--quiet'], 'kubectl get nodes\n');
    expect(r.stderr).toBe('The connection to the server localhost:8080 was refused - did you specify the right host or port?\n');
    expect(r.status).toBe(1);
  });

  it('refuses an unknown topology and --lab with --cluster', async ({ expect }) => {
    const [mesos, both] = await Promise.all([shell(['--cluster', 'mesos'], ''), shell(['--cluster', 'docker', ...WEB], '')]);
    expect(mesos.stderr).toMatch(/no topology "mesos"; topologies: kubernetes, kubernetes-host-gw, kubernetes-6, docker/);
    expect(both.status).toBe(2);
  });
});
