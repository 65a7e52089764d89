import { describe, expect, it } from 'vitest';
import { ManualClock, openSession, labSession } from '../../../../tests/support/session';
import { REFERENCE_TIME } from '../../../labs/catalog';
import { parseGoDuration } from './logs';


async function open(labId = 'three-pools') {
  return labId.startsWith('playground:') ? await openSession({ topology: labId.slice('playground:'.length) }) : await openSession({ lab: labId });
}

async function webPods(run: (l: string) => Promise<{ stdout: string }>) {
  const names = (await run('kubectl get pods -l app=web -o name')).stdout.trim().split('\n').map((n) => n.slice(4));
  const ips = (await run(`kubectl get pods -l app=web -o jsonpath={.items[*].status.podIP}`)).stdout.split(' ');
  return names.map((name, i) => ({ name, ip: ips[i]! }));
}

describe('kubectl logs', () => {
  it("shows nginx's startup, then one access-log line per request with the client pod's address", async () => {
    const { run } = await open();
    const [web] = await webPods(run);
    const clientIp = (await run('kubectl get pod client -o jsonpath={.status.podIP}')).stdout;
    const before = await run(`kubectl logs ${web!.name}`);
    expect(before.status).toBe(0);
    expect(before.stdout.split('\n')[0]).toBe('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
    expect(before.stdout).toMatch(/\[notice\] 1#1: nginx\/1\.27\.5\n/);
    await run(`kubectl exec client -- wget -qO- http://${web!.ip}/`);
    const after = await run(`kubectl logs ${web!.name} --tail=1`);
    expect(after.stdout).toMatch(new RegExp(`^${clientIp.replace(/\./g, '\\.')} - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] "GET / HTTP/1\\.1" 200 \\d+ "-" "Wget" "-"\\n$`));
    const ts = await run(`kubectl logs ${web!.name} --tail 1 --timestamps`);
    expect(ts.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z \d+\.\d+\.\d+\.\d+ - - \[/);
    expect((await run(`kubectl logs ${web!.name} --tail=0`)).stdout).toBe('');
  });

  it('busybox running sleep has an empty log', async () => {
    const { run } = await open();
    expect(await run('kubectl logs client')).toEqual({ stdout: '', stderr: '', status: 0 });
  });

  it('deployment/NAME picks one pod and says so; -l prints every pod, 10 lines each by default', async () => {
    const { run } = await open();
    const pods = await webPods(run);
    const r = await run('kubectl logs deployment/web --tail 1');
    expect(r.stderr).toBe(`Found 3 pods, using pod/${pods[0]!.name}\n`);
    expect(r.stdout.split('\n')).toHaveLength(2);
    const all = await run('kubectl logs -l app=web --prefix');
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(30);
    expect(lines[0]).toMatch(new RegExp(`^\\[pod/${pods[0]!.name}/nginx\\] `));
    expect((await run('kubectl logs -l app=nope')).stderr).toBe('No resources found in default namespace.\n');
  });

  it("prints kubectl's and the API server's errors", async () => {
    const { run } = await open();
    expect(await run('kubectl logs nope')).toEqual({ stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n', status: 1 });
    expect((await run('kubectl logs deploy/nope')).stderr).toBe('Error from server (NotFound): deployments.apps "nope" not found\n');
    expect((await run('kubectl logs')).stderr).toBe(
      "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n",
    );
    expect((await run('kubectl logs client -c other')).stderr).toBe('error: container other is not valid for pod client out of: client\n');
    expect((await run('kubectl logs client -p')).stderr).toBe('Error from server (BadRequest): previous terminated container "client" in pod "client" not found\n');
    expect((await run('kubectl logs svc/kubernetes')).stderr).toBe("error: cannot get the logs from *v1.Service: invalid service 'kubernetes': Service is defined without a selector\n");
    expect((await run('kubectl logs node/node-1')).stderr).toBe('error: cannot get the logs from *v1.Node: selector for *v1.Node not implemented\n');
    expect((await run('kubectl logs client --tail=-2')).stderr).toBe('error: --tail must be greater than or equal to -1\n');
    expect((await run('kubectl logs client --since=5x')).stderr).toMatch(/^error: invalid argument "5x" for "--since" flag: time: invalid duration "5x"\n/);
  });

  it('-f follows new lines until Ctrl+C, which kills kubectl (status 130)', async () => {
    const clock = new ManualClock(REFERENCE_TIME);
    const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
    const web = Object.values(session.sim.state.k8s.pods).find((p) => p.metadata.labels?.['app'] === 'web')!;
    let stdout = '';
    const follow = session.run(`kubectl logs -f ${web.metadata.name} --tail=1`, { write: (t) => void (stdout += t) }, { write: () => undefined });
    await clock.advance(0);
    expect(stdout).toMatch(/\[notice\] 1#1: start worker process \d+\n$/);
    await clock.advance(1000);
    session.sim.tcpRequest('pod/default/client', ipOf(web.status.podIP!), 80, new TextEncoder().encode('GET /x HTTP/1.1\r\nHost: web\r\n\r\n'));
    await clock.advance(1000);
    session.interrupt();
    expect(await follow).toBe(130);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/\[error\] \d+#\d+: \*1 open\(\) "\/usr\/share\/nginx\/html\/x" failed/);
    expect(lines[2]).toMatch(/"GET \/x HTTP\/1\.1" 404 \d+ "-" "-" "-"$/);
  });

  it('parses Go durations', () => {
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('5')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
  });
});

describe('kubectl cluster-info', () => {
  it('prints the control plane and CoreDNS URLs in colour, then the dump hint', async () => {
    const { run } = await open();
    const r = await run('kubectl cluster-info');
    expect(r.stdout).toBe(
      '\x1b[0;32mKubernetes control plane\x1b[0m is running at \x1b[0;33mhttps://192.168.49.2:6443\x1b[0m\n' +
        '\x1b[0;32mCoreDNS\x1b[0m is running at \x1b[0;33mhttps://192.168.49.2:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\x1b[0m\n' +
        "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
    );
    const plain = await run('TERM=dumb kubectl cluster-info -n default');
    expect(plain.stdout).toBe("Kubernetes control plane is running at https://192.168.49.2:6443\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
  });
});

function ipOf(text: string): number {
  return text.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
}
