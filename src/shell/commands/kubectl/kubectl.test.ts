import { describe, it, expect } from 'vitest';
import { openSession, labSession } from '../../../../tests/support/session';
import { parse as parseYaml } from 'yaml';
import { ScriptClock, transcript } from '../../../labs/transcript';
import { REFERENCE_TIME } from '../../../labs/catalog';
import { applyFault } from '../../../sim/faults';

/**
 * kubectl against a real lab session, checked against docs/reference/fidelity.md section 1.
 * Cluster facts used below come from the three-pools lab (labs/three-pools.ts): 3 nodes,
 * Deployment web (3 x nginx:1.27), pod client (busybox), Service web; the cluster is 12
 * minutes old when the session starts and the workloads 8 minutes old.
 */

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

interface Run {
  stdout: string;
  stderr: string;
  status: number;
}

async function open(seed = 1, interruptAfterMs?: number) {
  const { clock, session, run } = await openSession({ seed, ...(interruptAfterMs !== undefined ? { interruptAfterMs } : {}) });
  return { clock, session, run: run as (line: string) => Promise<Run>, k8s: session.sim.state.k8s };
}

/**
 * Checks the tabwriter rule of docs/reference/fidelity.md 1.1 on printed text, independently of the code:
 * every cell starts at the same column on every line, every column but the last is
 * max(6, longest cell + 3) wide, and no line has trailing blanks. Returns the cells.
 */
function parseTable(text: string): string[][] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe(''); // ends with a newline
  for (const l of lines) expect(l, `trailing blank in ${JSON.stringify(l)}`).toBe(l.trimEnd());
  // A cell boundary is where at least 3 spaces end (cells contain at most single spaces).
  const starts = (l: string): number[] => [0, ...[...l.matchAll(/ {3,}(?=\S)/g)].map((m) => m.index + m[0].length)];
  const header = starts(lines[0]!);
  for (const l of lines) expect(starts(l), `column starts of ${JSON.stringify(l)}`).toEqual(header);
  const rows = lines.map((l) => header.map((s, i) => l.slice(s, header[i + 1]).trimEnd()));
  for (let c = 0; c < header.length - 1; c++) {
    const longest = Math.max(...rows.map((r) => r[c]!.length));
    expect(header[c + 1]! - header[c]!, `width of column ${rows[0]![c]}`).toBe(Math.max(6, longest + 3));
  }
  return rows;
}

/** Byte-wise comparison, as Go sorts strings. */
const byteCmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('kubectl get tables (docs/reference/fidelity.md 1.1, 1.2)', () => {
  it('pods: headers, values and padding', async () => {
    const { run, k8s } = await open();
    const r = await run('kubectl get pods');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const rows = parseTable(r.stdout);
    expect(rows[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const names = Object.values(k8s.pods)
      .filter((p) => p.metadata.namespace === 'default')
      .map((p) => p.metadata.name)
      .sort(byteCmp);
    expect(rows.slice(1).map((r2) => r2[0])).toEqual(names);
    expect(names).toHaveLength(4);
    for (const row of rows.slice(1)) expect(row.slice(1)).toEqual(['1/1', 'Running', '0', '8m']);
  });

  it('pods -o wide adds IP, NODE, NOMINATED NODE, READINESS GATES', async () => {
    const { run, k8s } = await open();
    const rows = parseTable((await run('kubectl get pods -o wide')).stdout);
    expect(rows[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    for (const row of rows.slice(1)) {
      const p = k8s.pods[`default/${row[0]}`]!;
      expect(row.slice(5)).toEqual([p.status.podIP, p.spec.nodeName, '<none>', '<none>']);
      expect(row[5]).toMatch(/^10\.244\.[12]\.\d+$/); // web and client never land on the tainted control plane
    }
  });

  it('nodes and nodes -o wide', async () => {
    const { run } = await open();
    const rows = parseTable((await run('kubectl get nodes')).stdout);
    expect(rows).toEqual([
      ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
      ['control-plane', 'Ready', 'control-plane', '12m', 'v1.32.2'],
      ['node-1', 'Ready', '<none>', '11m', 'v1.32.2'],
      ['node-2', 'Ready', '<none>', '11m', 'v1.32.2'],
    ]);
    const wide = parseTable((await run('kubectl get nodes -o wide')).stdout);
    expect(wide[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(wide.slice(1).map((r) => r.slice(5, 7))).toEqual([
      ['192.168.49.2', '<none>'],
      ['192.168.49.3', '<none>'],
      ['192.168.49.4', '<none>'],
    ]);
    for (const r of wide.slice(1)) expect(r[9]).toMatch(/^containerd:\/\//);
  });

  it('services -A -o wide: NAMESPACE first, SELECTOR last, PORT(S) as port/PROTO joined by commas', async () => {
    const { run, k8s } = await open();
    const rows = parseTable((await run('kubectl get svc -A -o wide')).stdout);
    const web = k8s.services['default/web']!.spec.clusterIP!;
    expect(rows).toEqual([
      ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
      ['default', 'kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '11m', '<none>'],
      ['default', 'web', 'ClusterIP', web, '<none>', '80/TCP', '8m', 'app=web'],
      ['kube-system', 'kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', '11m', 'k8s-app=kube-dns'],
    ]);
  });

  it('pods -A: NAMESPACE column, sorted by namespace then name (byte order)', async () => {
    const { run, k8s } = await open();
    const rows = parseTable((await run('kubectl get pods -A')).stdout);
    expect(rows[0]).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const body = rows.slice(1);
    expect(body).toHaveLength(Object.keys(k8s.pods).length);
    const keys = body.map((r) => `${r[0]}\u0000${r[1]}`);
    expect(keys).toEqual([...keys].sort(byteCmp));
    expect([...new Set(body.map((r) => r[0]))]).toEqual(['default', 'kube-flannel', 'kube-system']);
    expect(body.map((r) => r[1])).toContain('etcd-control-plane');
  });

  it('several types print one table each with kind-qualified names', async () => {
    const { run } = await open();
    const r = await run('kubectl get pods,svc');
    const [pods, svcs] = r.stdout.split('\n\n') as [string, string];
    const p = parseTable(pods + '\n');
    const s = parseTable(svcs);
    expect(p[0]![0]).toBe('NAME');
    for (const row of p.slice(1)) expect(row[0]).toMatch(/^pod\//);
    expect(s.slice(1).map((row) => row[0])).toEqual(['service/kubernetes', 'service/web']);
  });

  it('--show-labels appends LABELS, sorted k=v', async () => {
    const { run } = await open();
    const rows = parseTable((await run('kubectl get svc --show-labels')).stdout);
    expect(rows[0]!.at(-1)).toBe('LABELS');
    expect(rows[1]).toEqual(['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '11m', 'component=apiserver,provider=kubernetes']);
    expect(rows[2]!.at(-1)).toBe('<none>');
  });

  it('every table variant follows the padding rule', async () => {
    const { run } = await open();
    for (const line of ['kubectl get pods -A -o wide', 'kubectl get nodes -o wide --show-labels', 'kubectl get svc -A -o wide', 'kubectl get pods -A --show-labels', 'kubectl get pods -n kube-system -o wide', 'kubectl get svc kube-dns -n kube-system']) {
      const r = await run(line);
      expect(r.stderr, line).toBe('');
      const rows = parseTable(r.stdout);
      expect(rows.length, line).toBeGreaterThan(1);
      for (const row of rows) for (const cell of row) expect(cell, line).not.toBe('');
    }
  });

  it('accepts every spelling of a type: plural, singular, short name, any case, quoted', async () => {
    const { run } = await open();
    const want = (await run('kubectl get pods')).stdout;
    for (const line of ['kubectl get pod', 'kubectl get po', 'kubectl get PODS', 'kubectl get "pods"', "kubectl get 'po'", 'kubectl get pods -n default', 'kubectl get pods --namespace=default']) {
      const r = await run(line);
      expect(r.stdout, line).toBe(want);
      expect(r.status, line).toBe(0);
    }
  });
});

describe('kubectl get for workloads, endpoints and namespaces (docs/reference/fidelity.md 1.2)', () => {
  it('every new type prints its columns and follows the padding rule', async () => {
    const { run } = await open();
    const want: Record<string, string[]> = {
      'kubectl get endpoints': ['NAME', 'ENDPOINTS', 'AGE'],
      'kubectl get endpointslices -A': ['NAMESPACE', 'NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
      'kubectl get ns': ['NAME', 'STATUS', 'AGE'],
      'kubectl get deploy -o wide': ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      'kubectl get rs -o wide': ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      'kubectl get ds -A': ['NAMESPACE', 'NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
    };
    for (const [line, header] of Object.entries(want)) {
      const r = await run(line);
      expect(r.stderr, line).toBe('');
      const rows = parseTable(r.stdout);
      expect(rows[0], line).toEqual(header);
      expect(rows.length, line).toBeGreaterThan(1);
    }
  });

  it('endpoints list ready pod IP:targetPort, and the API server its own address', async () => {
    const { run, k8s } = await open();
    const web = Object.values(k8s.pods).filter((p) => p.metadata.labels?.app === 'web').map((p) => `${p.status.podIP}:80`).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const rows = parseTable((await run('kubectl get ep')).stdout);
    expect(rows.slice(1).map((r) => r.slice(0, 2))).toEqual([['kubernetes', '192.168.49.2:6443'], ['web', web.join(',')]]);
    // kube-dns: two pods times three ports is six addresses; three are shown.
    const dns = parseTable((await run('kubectl get ep kube-dns -n kube-system')).stdout);
    expect(dns[1]![1]).toMatch(/^(10\.244\.\d+\.\d+:53,){2}10\.244\.\d+\.\d+:53 \+ 3 more\.\.\.$/);
    const slices = parseTable((await run('kubectl get endpointslices')).stdout);
    expect(slices[1]!.slice(0, 4)).toEqual(['kubernetes', 'IPv4', '6443', '192.168.49.2']);
    expect(slices[2]![0]).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('an unready pod leaves the Endpoints and the Deployment\'s READY count, but stays in the EndpointSlice', async () => {
    const { run, session, k8s } = await open();
    const victim = Object.values(k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    applyFault(session.sim.state, { kind: 'pod-not-ready', pod: victim.metadata.name }, REFERENCE_TIME);
    const ep = parseTable((await run('kubectl get ep web')).stdout)[1]![1]!;
    expect(ep.split(',')).toHaveLength(2);
    expect(ep).not.toContain(`${victim.status.podIP}:`);
    expect(parseTable((await run('kubectl get deploy web')).stdout)[1]!.slice(0, 4)).toEqual(['web', '2/3', '3', '2']);
    expect(parseTable((await run('kubectl get rs')).stdout)[1]!.slice(1, 4)).toEqual(['3', '3', '2']);
    const slice = parseTable((await run('kubectl get endpointslices')).stdout).find((r) => r[0]!.startsWith('web-'))!;
    expect(slice[3]!.split(',')).toHaveLength(3);
  });

  it('DaemonSets count the nodes they run on; -o name uses group-qualified kinds', async () => {
    const { run } = await open();
    const ds = parseTable((await run('kubectl get ds -n kube-system')).stdout);
    expect(ds[1]).toEqual(['kube-proxy', '3', '3', '3', '3', '3', 'kubernetes.io/os=linux', '11m']);
    const names = (await run('kubectl get deploy,rs,ep,endpointslice -o name')).stdout.split('\n');
    expect(names[0]).toBe('deployment.apps/web');
    expect(names[1]).toMatch(/^replicaset\.apps\/web-[4-9bcdf]{1,10}$/);
    expect(names.slice(2, 4)).toEqual(['endpoints/kubernetes', 'endpoints/web']);
    expect(names[4]).toBe('endpointslice.discovery.k8s.io/kubernetes');
  });

  it('all: pods, services, daemonsets, deployments and replicasets, one table each, empty ones left out', async () => {
    const { run } = await open();
    const tables = (await run('kubectl get all')).stdout.split('\n\n').map((t) => parseTable(t.endsWith('\n') ? t : t + '\n'));
    expect(tables.map((t) => t[1]![0]!.split('/')[0])).toEqual(['pod', 'service', 'deployment.apps', 'replicaset.apps']);
    const flannel = (await run('kubectl get all -n kube-flannel -o name')).stdout.split('\n').filter((l) => l !== '');
    expect(flannel.filter((l) => l.startsWith('pod/'))).toHaveLength(3);
    expect(flannel.at(-1)).toBe('daemonset.apps/kube-flannel-ds');
  });

  it('an empty type says so, and a type the sandbox lacks names the ones it has', async () => {
    const { run } = await open();
    expect(await run('kubectl get ingress')).toEqual({ stdout: '', stderr: 'No resources found in default namespace.\n', status: 0 });
    // A built-in type the sandbox does not model: empty where that is true, else it says so.
    expect(await run('kubectl get sts')).toEqual({ stdout: '', stderr: 'No resources found in default namespace.\n', status: 0 });
    const r = await run('kubectl get sa');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: the sandbox does not model serviceaccounts \(a real cluster has some\); it models pods, .*configmaps, secrets/);
    expect((await run('kubectl get gateways')).stderr).toBe('error: the server doesn\'t have a resource type "gateways"\n');
    expect((await run('kubectl get deployments.apps web')).stdout).toBe((await run('kubectl get deploy web')).stdout);
    expect((await run('kubectl get deployment.apps/web -o name')).stdout).toBe('deployment.apps/web\n');
  });
});

describe('kubectl get -l', () => {
  it('lists exactly the objects whose labels satisfy the selector, in every type and namespace', async () => {
    const { run, k8s } = await open();
    const names = async (line: string): Promise<string[]> => (await run(line)).stdout.split('\n').filter((l) => l !== '');
    const web = Object.values(k8s.pods).filter((p) => p.metadata.namespace === 'default' && p.metadata.labels?.app === 'web').map((p) => `pod/${p.metadata.name}`).sort();
    expect(await names('kubectl get pods -l app=web -o name')).toEqual(web);
    expect(await names("kubectl get pods -l 'app!=web' -o name")).toEqual(['pod/client']);
    const system = Object.values(k8s.pods).filter((p) => ['kube-dns', 'kube-proxy'].includes(p.metadata.labels?.['k8s-app'] ?? '')).length;
    expect(await names("kubectl get pods -A -l 'k8s-app in (kube-dns,kube-proxy)' -o name")).toHaveLength(system);
    expect(await names('kubectl get deploy,rs -A -l k8s-app=kube-dns -o name')).toEqual(['deployment.apps/coredns', expect.stringMatching(/^replicaset\.apps\/coredns-/)]);
    expect(await run('kubectl get pods -l app=nope')).toEqual({ stdout: '', stderr: 'No resources found in default namespace.\n', status: 0 });
  });

  it('a selector the API server cannot parse is a BadRequest naming the resource; names and selectors do not mix', async () => {
    const { run } = await open();
    const r = await run("kubectl get deploy -l 'app=we b'");
    expect(r).toEqual({ stdout: '', stderr: 'Error from server (BadRequest): Unable to find "apps/v1, Resource=deployments" that match label selector "app=we b", field selector "": found \'b\', expected: \',\' or \'end of string\'\n', status: 1 });
    expect((await run('kubectl get pods web -l app=web')).stderr).toBe('error: name cannot be provided when a selector is specified\n');
  });
});

describe('kubectl api-resources and version', () => {
  it('api-resources lists each served type once, core group first, and every listed name is known to get', async () => {
    const { run } = await open();
    const r = await run('kubectl api-resources');
    expect(r.stderr).toBe('');
    // SHORTNAMES may be empty, so cut every line at the header's column starts.
    const lines = r.stdout.trimEnd().split('\n');
    const starts = [0, ...[...lines[0]!.matchAll(/ {3,}(?=\S)/g)].map((m) => m.index + m[0].length)];
    const rows = lines.map((l) => starts.map((st, i) => l.slice(st, starts[i + 1]).trimEnd()));
    for (const l of lines) expect(l).toBe(l.trimEnd());
    expect(rows[0]).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    const groups = rows.slice(1).map((row) => (row[2]!.includes('/') ? row[2]!.split('/')[0]! : ''));
    expect(groups).toEqual([...groups].sort());
    expect(rows.find((row) => row[0] === 'services')).toEqual(['services', 'svc', 'v1', 'true', 'Service']);
    expect(rows.find((row) => row[0] === 'deployments')).toEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    // A real server's discovery: 58 types, events twice (core and events.k8s.io).
    expect(rows.length - 1).toBe(58);
    expect(rows.filter((row) => row[0] === 'events').map((row) => row[2])).toEqual(['v1', 'events.k8s.io/v1']);
    for (const row of rows.slice(1)) {
      const qualified = row[2]!.includes('/') ? `${row[0]}.${row[2]!.split('/')[0]}` : row[0]!;
      for (const name of [qualified, ...row[1]!.split(',').filter((n) => n !== '')]) {
        const g = await run(`kubectl get ${name} -A -o name`);
        // Served: listed, or refused as a kind the sandbox does not model or a create-only review; never unknown.
        if (g.status !== 0) expect(g.stderr, name).toMatch(/the sandbox does not model|MethodNotAllowed/);
        expect(g.stderr, name).not.toContain("doesn't have a resource type");
      }
    }
    expect((await run('kubectl get pods -A -o name')).status).toBe(0);
    const clusterScoped = (await run('kubectl api-resources --namespaced=false -o name')).stdout.split('\n');
    expect(clusterScoped).toContain('namespaces');
    expect(clusterScoped).toContain('nodes');
    expect(clusterScoped).not.toContain('pods');
    // Nothing left after the filters: kubectl has printed the header already.
    expect((await run('kubectl api-resources --verbs=list --api-group=authentication.k8s.io')).stdout).toBe('NAME   SHORTNAMES   APIVERSION   NAMESPACED   KIND\n');
    expect((await run('kubectl api-resources --categories=all -o name')).stdout).toBe(
      'pods\nreplicationcontrollers\nservices\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps\nhorizontalpodautoscalers.autoscaling\ncronjobs.batch\njobs.batch\n',
    );
  });

  it('version prints client, kustomize and server versions; on a node the server is unreachable', async () => {
    const { run } = await open();
    expect(await run('kubectl version')).toEqual({ stdout: 'Client Version: v1.32.2\nKustomize Version: v5.5.0\nServer Version: v1.32.2\n', stderr: '', status: 0 });
    await run('ssh node-1');
    const r = await run('kubectl version');
    expect(r.stdout).toBe('Client Version: v1.32.2\nKustomize Version: v5.5.0\n');
    expect(r.stderr).toBe('The connection to the server localhost:8080 was refused - did you specify the right host or port?\n');
    expect(r.status).toBe(1);
  });
});

describe('AGE follows the virtual clock (docs/reference/fidelity.md 1.3)', () => {
  it('counts from each object\'s creation as the clock advances', async () => {
    const { run, clock, k8s } = await open();
    const created = Date.parse(k8s.pods['default/client']!.metadata.creationTimestamp);
    expect(clock.now() - created).toBe(8 * M);
    const age = async (): Promise<string> => parseTable((await run('kubectl get pod client')).stdout)[1]![4]!;
    const steps: Array<[number, string]> = [
      [8 * M, '8m'],
      [8 * M + 10 * S, '8m10s'],
      [10 * M, '10m'],
      [70 * M, '70m'],
      [179 * M + 59 * S, '179m'],
      [3 * H, '3h'],
      [3 * H + 5 * M, '3h5m'],
      [47 * H, '47h'],
      [49 * H, '2d1h'],
      [8 * D + 2 * H, '8d'],
      [367 * D, '367d'],
      [731 * D, '2y1d'],
    ];
    for (const [since, want] of steps) {
      clock.advance(created + since - clock.now());
      expect(await age(), `${since / S}s`).toBe(want);
    }
  });

  it('shows small ages in seconds (70s) and tolerates 1s of skew', async () => {
    const { run, clock, k8s } = await open();
    const created = Date.parse(k8s.pods['default/client']!.metadata.creationTimestamp);
    const age = async (): Promise<string> => parseTable((await run('kubectl get pods client')).stdout)[1]![4]!;
    clock.set(created + 70 * S);
    expect(await age()).toBe('70s');
    clock.set(created + 190 * S);
    expect(await age()).toBe('3m10s');
    clock.set(created - 1 * S);
    expect(await age()).toBe('0s');
    clock.set(created - 2 * S);
    expect(await age()).toBe('<invalid>');
  });
});

describe('kubectl messages (docs/reference/fidelity.md 1.4)', () => {
  it('an empty namespace says so on stderr, nothing on stdout, status 0', async () => {
    const { run } = await open();
    expect(await run('kubectl get pods -n kube-public')).toEqual({ stdout: '', stderr: 'No resources found in kube-public namespace.\n', status: 0 });
    expect(await run('kubectl get svc -n kube-node-lease')).toEqual({ stdout: '', stderr: 'No resources found in kube-node-lease namespace.\n', status: 0 });
  });

  it('a namespace that does not exist is just empty (kubectl does not check it)', async () => {
    const { run } = await open();
    expect((await run('kubectl get pods -n nope')).stderr).toBe('No resources found in nope namespace.\n');
  });

  it('cluster-scoped types ignore -n', async () => {
    const { run } = await open();
    const a = await run('kubectl get nodes');
    expect(await run('kubectl get nodes -n kube-public')).toEqual(a);
  });

  it('NotFound for a missing name, after any found objects; status 1', async () => {
    const { run } = await open();
    expect(await run('kubectl get pods nope')).toEqual({ stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n', status: 1 });
    expect((await run('kubectl get svc nope')).stderr).toBe('Error from server (NotFound): services "nope" not found\n');
    expect((await run('kubectl get node nope')).stderr).toBe('Error from server (NotFound): nodes "nope" not found\n');
    const mixed = await run('kubectl get pods client nope');
    expect(parseTable(mixed.stdout).map((r) => r[0])).toEqual(['NAME', 'client']);
    expect(mixed.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
    expect(mixed.status).toBe(1);
    // A pod that exists in another namespace is not found in default.
    expect((await run('kubectl get pod etcd-control-plane')).stderr).toBe('Error from server (NotFound): pods "etcd-control-plane" not found\n');
  });

  it('unknown resource type', async () => {
    const { run } = await open();
    expect(await run('kubectl get foo')).toEqual({ stdout: '', stderr: 'error: the server doesn\'t have a resource type "foo"\n', status: 1 });
  });

  it('unknown flag, with the usage hint', async () => {
    const { run } = await open();
    expect(await run('kubectl get pods --foo')).toEqual({ stdout: '', stderr: "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n", status: 1 });
    expect((await run('kubectl get pods --foo=bar')).stderr).toBe("error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n");
  });

  // KNOWN DISCREPANCY (reported): -n/--namespace is a persistent (global) flag in kubectl, so
  // `kubectl -n kube-system get svc` works on a real cluster; the sandbox answers
  // "error: unknown flag: -n". Flip to it() once fixed.
  it('global flags may come before the subcommand', async () => {
    const { run } = await open();
    const want = await run('kubectl get svc -n kube-system');
    expect(await run('kubectl -n kube-system get svc')).toEqual(want);
  });

  it('unknown subcommand', async () => {
    const { run } = await open();
    const r = await run('kubectl frobnicate');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: unknown command "frobnicate" for "kubectl"\n/);
  });
});

describe('other output formats (docs/reference/fidelity.md 1.5)', () => {
  it('-o name prints kind/name per line', async () => {
    const { run, k8s } = await open();
    const r = await run('kubectl get pods -o name');
    const names = Object.values(k8s.pods)
      .filter((p) => p.metadata.namespace === 'default')
      .map((p) => `pod/${p.metadata.name}`)
      .sort(byteCmp);
    expect(r.stdout).toBe(names.join('\n') + '\n');
    expect((await run('kubectl get svc -o name')).stdout).toBe('service/kubernetes\nservice/web\n');
    expect((await run('kubectl get nodes -o name')).stdout).toBe('node/control-plane\nnode/node-1\nnode/node-2\n');
  });

  it('-o json: 4-space indent and a trailing newline; one named object is printed as itself', async () => {
    const { run, k8s } = await open();
    const r = await run('kubectl get svc web -o json');
    expect(r.stdout.endsWith('}\n')).toBe(true);
    expect(r.stdout.split('\n')[1]).toMatch(/^ {4}"/);
    expect(JSON.parse(r.stdout)).toEqual(k8s.services['default/web']);
  });

  it('-o json: several objects become a List', async () => {
    const { run, k8s } = await open();
    const r = await run('kubectl get svc -o json');
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['apiVersion', 'items', 'kind', 'metadata']);
    expect(doc).toEqual({ apiVersion: 'v1', items: [k8s.services['default/kubernetes'], k8s.services['default/web']], kind: 'List', metadata: { resourceVersion: '' } });
    expect(r.stdout).toBe(JSON.stringify(doc, null, 4) + '\n');
    // A list request is a List even when it finds one item.
    const one = JSON.parse((await run('kubectl get svc -n kube-system -o json')).stdout) as { kind: string; items: unknown[] };
    expect(one.kind).toBe('List');
    expect(one.items).toHaveLength(1);
  });

  // KNOWN DISCREPANCY (reported): kubectl prints -o json from unstructured maps, which Go's
  // encoding/json writes with keys sorted (as in docs/reference/fidelity.md's own List example), so
  // metadata reads creationTimestamp, labels, name, namespace, resourceVersion, uid.
  // The sandbox prints the stored insertion order. Flip to it() once fixed.
  it('-o json writes every object\'s keys in sorted order', async () => {
    const { run } = await open();
    const text = (await run('kubectl get svc kubernetes -o json')).stdout;
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const keys = Object.keys(v);
        expect(keys).toEqual([...keys].sort(byteCmp));
        Object.values(v).forEach(walk);
      }
    };
    walk(JSON.parse(text));
  });

  // KNOWN DISCREPANCY (reported): with -o json/yaml kubectl's printGeneric prints an empty
  // List for an empty result instead of "No resources found" (that message is only for the
  // human-readable printers). Flip to it() once fixed.
  it('-o json of an empty namespace prints an empty List', async () => {
    const { run } = await open();
    const r = await run('kubectl get pods -n kube-public -o json');
    expect(r.stdout).toBe('{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n');
    expect(r.stderr).toBe('');
  });

  it('-o yaml: the same document as -o json, in go-yaml\'s layout', async () => {
    const { run } = await open();
    for (const line of ['kubectl get svc web', 'kubectl get pods', 'kubectl get ep kube-dns -n kube-system', 'kubectl get pods -l app=nope']) {
      const y = (await run(`${line} -o yaml`)).stdout;
      expect(parseYaml(y, { version: '1.1' }), line).toEqual(JSON.parse((await run(`${line} -o json`)).stdout));
      const lines = y.split('\n');
      expect(lines.at(-1)).toBe('');
      for (const l of lines) expect(l, line).not.toMatch(/^( {2})* {1}\S|\t|\s$/); // two-space steps, no tabs or trailing blanks
    }
    const svc = (await run('kubectl get svc web -o yaml')).stdout;
    expect(svc).toMatch(/^apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n/);
    expect(svc).toContain('\n  ports:\n  - port: 80\n    protocol: TCP\n    targetPort: 80\n');
    expect(svc).toMatch(/\n  resourceVersion: "\d+"\n/);
    expect((await run('kubectl get pods -l app=nope -o yaml')).stdout).toBe('apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n');
  });

  it('-o jsonpath reads the sandbox\'s objects: the three pools in one line each', async () => {
    const { run, k8s } = await open();
    const nodes = Object.values(k8s.nodes).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect((await run("kubectl get nodes -o jsonpath='{.items[*].status.addresses[?(@.type==\"InternalIP\")].address}'")).stdout).toBe(nodes.map((n) => n.status.addresses[0]!.address).join(' '));
    expect((await run("kubectl get nodes -o jsonpath='{.items[*].spec.podCIDR}'")).stdout).toBe(nodes.map((n) => n.spec.podCIDR).join(' '));
    expect((await run("kubectl get svc web -o jsonpath='{.spec.clusterIP}'")).stdout).toBe(k8s.services['default/web']!.spec.clusterIP);
    const r = await run("kubectl get pods -o jsonpath='{.items[9].metadata.name}'");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: error executing jsonpath "\{\.items\[9\]\.metadata\.name\}": Error executing template: array index out of bounds: index 9, length 4\. Printing more information for debugging the template:\n\ttemplate was:\n\t\t\{\.items\[9\]\.metadata\.name\}\n\tobject given to jsonpath engine was:\n\t\tmap\[apiVersion:v1 items:\[map\[/);
  });

  it('an unknown -o format lists the allowed ones', async () => {
    const { run } = await open();
    const r = await run('kubectl get pods -o bogus');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: unable to match a printer suitable for the output format "bogus", allowed formats are: /);
  });
});

describe('kubectl exec errors (docs/reference/fidelity.md 1.4)', () => {
  it('without -- the old form is refused', async () => {
    const { run } = await open();
    const r = await run('kubectl exec client ping -c 1 10.244.1.2');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n");
  });

  it('no command at all', async () => {
    const { run } = await open();
    expect(await run('kubectl exec client')).toEqual({ stdout: '', stderr: 'error: you must specify at least one command for the container\n', status: 1 });
    expect((await run('kubectl exec client --')).stderr).toBe('error: you must specify at least one command for the container\n');
  });

  it('no pod', async () => {
    const { run } = await open();
    expect((await run('kubectl exec')).stderr).toBe('error: pod, type/name or --filename must be specified\n');
  });

  it('an unknown pod is NotFound', async () => {
    const { run } = await open();
    expect(await run('kubectl exec nope -- ping 10.244.1.2')).toEqual({ stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n', status: 1 });
    // ... including a pod that only exists in another namespace
    expect((await run('kubectl exec etcd-control-plane -- ping 1.1.1.1')).stderr).toBe('Error from server (NotFound): pods "etcd-control-plane" not found\n');
  });

  it('an unknown container is the API server\'s BadRequest', async () => {
    const { run } = await open();
    expect((await run('kubectl exec client -c nope -- ping 1.1.1.1')).stderr).toBe('Error from server (BadRequest): container nope is not valid for pod client\n');
  });

  it('nginx pods have no ping: the OCI runtime error', async () => {
    const { run, k8s } = await open();
    const web = Object.values(k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    const r = await run(`kubectl exec ${web.metadata.name} -- ping -c 1 10.244.2.3`);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: Internal error occurred: Internal error occurred: error executing command in container: .*OCI runtime exec failed: exec failed: unable to start container process: exec: "ping": executable file not found in \$PATH: unknown\n$/);
  });

  it('pod/NAME works like NAME', async () => {
    const { run } = await open();
    const r = await run('kubectl exec pod/client -- hostname');
    expect(r).toEqual({ stdout: 'client\n', stderr: '', status: 0 });
  });

  it('-h prints the subcommand\'s usage', async () => {
    const { run } = await open();
    const r = await run('kubectl get -h');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Display one or many resources/);
    expect((await run('kubectl exec -h')).stdout).toMatch(/^Execute a command in a container/);
  });

  // KNOWN DISCREPANCY (reported): the shell answers any `--help` with the command's top-level
  // usage before kubectl sees it, so `kubectl get --help` (which kubectl's own error hint
  // "See 'kubectl get --help' for usage." tells learners to run) prints kubectl's general
  // help instead of get's. Flip to it() once fixed.
  it('--help prints the subcommand\'s usage', async () => {
    const { run } = await open();
    const r = await run('kubectl get --help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Display one or many resources/);
  });
});

describe('the shell around kubectl', () => {
  it('unknown command: bash: foo: command not found, status 127', async () => {
    const { run } = await open();
    expect(await run('foo')).toEqual({ stdout: '', stderr: 'bash: foo: command not found\n', status: 127 });
    expect((await run('foo --bar')).stderr).toBe('bash: foo: command not found\n');
  });

  it('; runs both, && runs the second only after success, || only after failure', async () => {
    const { run } = await open();
    const nf = 'Error from server (NotFound): pods "nope" not found\n';
    expect(await run('kubectl get pods nope; hostname')).toEqual({ stdout: 'workstation\n', stderr: nf, status: 0 });
    expect(await run('kubectl get pods nope && hostname')).toEqual({ stdout: '', stderr: nf, status: 1 });
    expect(await run('kubectl get pods nope || hostname')).toEqual({ stdout: 'workstation\n', stderr: nf, status: 0 });
    expect(await run('hostname && hostname')).toEqual({ stdout: 'workstation\nworkstation\n', stderr: '', status: 0 });
    expect(await run('hostname || foo')).toEqual({ stdout: 'workstation\n', stderr: '', status: 0 });
    expect((await run('foo; hostname')).status).toBe(0);
    expect((await run('hostname; foo')).status).toBe(127);
    // bash: a && b || c -> c runs when a or b failed
    expect((await run('foo && hostname || hostname')).stdout).toBe('workstation\n');
  });

  it('the merged transcript interleaves stdout and stderr in order', async () => {
    const clock = new ScriptClock(REFERENCE_TIME);
    const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
    const text = await transcript(session, clock, ['kubectl get pods nope; hostname', 'foo'], { quiet: true });
    expect(text).toBe('Error from server (NotFound): pods "nope" not found\nworkstation\nbash: foo: command not found\n');
  });
});
