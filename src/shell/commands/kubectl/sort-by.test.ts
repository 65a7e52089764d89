import { describe, it, expect } from 'vitest';
import { openSession } from '../../../../tests/support/session';
import { goSort, isLess, naturalLess, parseQuantity } from './sort-by';

/**
 * `kubectl get --sort-by` (kubectl's sorter.go) and `--field-selector` (the API server's
 * field selectors). Cluster: the three-pools lab: pods client (node-2, 10.244.2.3),
 * web-...-46bg9 (node-1, 10.244.1.2), web-...-fzjw9 (node-2, 10.244.2.2),
 * web-...-tmtrd (node-1, 10.244.1.3).
 */
const names = (stdout: string): string[] => stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]!);

describe('sorting keys', () => {
  it('compares strings in natural order, digit runs as numbers', () => {
    expect(naturalLess('10.244.1.9', '10.244.1.10')).toBe(true);
    expect(naturalLess('10.244.1.10', '10.244.1.9')).toBe(false);
    expect(naturalLess('abc2', 'abc12')).toBe(true);
    expect(naturalLess('2', '02')).toBe(true);
    expect(naturalLess('9a', 'a')).toBe(true);
    expect(naturalLess('web', 'web-1')).toBe(true);
    expect(naturalLess('2026-11-23T02:36:04Z', '2026-11-23T10:00:00Z')).toBe(true);
  });

  it('reads Kubernetes quantities and compares two of them by value', () => {
    expect([parseQuantity('100m'), parseQuantity('1Ki'), parseQuantity('1e3'), parseQuantity('42')]).toEqual([0.1, 1024, 1000, 42]);
    expect([parseQuantity('10.244.1.2'), parseQuantity('web'), parseQuantity('1K'), parseQuantity('')]).toEqual([undefined, undefined, undefined, undefined]);
    expect(isLess('900m', '1')).toBe(true);
    expect(isLess('1Gi', '2G')).toBe(true);
    expect(isLess(3, 10)).toBe(true);
    expect(isLess(null, 'a')).toBe(true);
    expect(isLess('a', null)).toBe(false);
    expect(() => isLess(true, false)).toThrow('unsortable type: bool');
    expect(() => isLess('a', 1)).toThrow('unsortable interface: interface');
  });

  it("runs Go's sort.Sort: a consistent order comes out sorted for every length", () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 50;
    for (const n of [0, 1, 2, 5, 12, 13, 40, 51, 200, 1000]) {
      const xs = Array.from({ length: n }, rand);
      goSort({ len: n, less: (i, j) => xs[i]! < xs[j]!, swap: (i, j) => void ([xs[i], xs[j]] = [xs[j]!, xs[i]!]) });
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
  });

  it('short runs are an insertion sort: objects without the field move to the front, reversed', () => {
    const xs: (number | undefined)[] = [undefined, 2, undefined, 1, undefined];
    const tags = ['a', 'b', 'c', 'd', 'e'];
    goSort({
      len: xs.length,
      less: (i, j) => xs[i] === undefined || (xs[j] !== undefined && xs[i]! < xs[j]!),
      swap: (i, j) => {
        [xs[i], xs[j]] = [xs[j], xs[i]];
        [tags[i], tags[j]] = [tags[j]!, tags[i]!];
      },
    });
    expect(tags).toEqual(['e', 'c', 'a', 'd', 'b']);
  });
});

describe('kubectl get --sort-by', () => {
  it('sorts a table by any field, in every spelling', async () => {
    const { run } = await openSession();
    const byIp = ['web-7788985cd4-46bg9', 'web-7788985cd4-tmtrd', 'web-7788985cd4-fzjw9', 'client'];
    for (const f of ['.status.podIP', 'status.podIP', '{.status.podIP}', '{status.podIP}']) {
      const r = await run(`kubectl get pods -o wide --sort-by=${f}`);
      expect([names(r.stdout), r.status]).toEqual([byIp, 0]);
    }
    // Ties keep the server's order (insertion sort on short lists).
    expect(names((await run('kubectl get pods --sort-by=.spec.nodeName')).stdout)).toEqual(['web-7788985cd4-46bg9', 'web-7788985cd4-tmtrd', 'client', 'web-7788985cd4-fzjw9']);
    expect((await run('kubectl get pods --sort-by=.status.podIP --no-headers')).stdout.split('\n')[0]).toMatch(/^web-7788985cd4-46bg9 /);
  });

  it('refuses a field no object has, and a field no object of one listed type has', async () => {
    const { run } = await openSession();
    expect(await run('kubectl get pods --sort-by=.nope')).toEqual({ stdout: '', stderr: 'error: couldn\'t find any field with path "{.nope}" in the list of objects\n', status: 1 });
    expect((await run('kubectl get pods,svc --sort-by=.status.podIP')).stderr).toBe('error: couldn\'t find any field with path "{.status.podIP}" in the list of objects\n');
    expect((await run('kubectl get pods --sort-by=.metadata.labels')).stderr).toBe(
      'Field {.metadata.labels} in [][][]reflect.Value is an unsortable type: interface, err: unsortable type: map[string]interface {}\n',
    );
    // An empty list has nothing to check.
    expect(await run('kubectl get pods -l app=none --sort-by=.nope')).toEqual({ stdout: '', stderr: 'No resources found in default namespace.\n', status: 0 });
  });

  it('sorts each type on its own in tables, named objects not at all', async () => {
    const { run } = await openSession();
    const table = await run('kubectl get pods web-7788985cd4-tmtrd client --sort-by=.metadata.name');
    expect(names(table.stdout)).toEqual(['web-7788985cd4-tmtrd', 'client']);
    expect((await run('kubectl get pod client --sort-by=.nope')).stderr).toBe('error: couldn\'t find any field with path "{.nope}" in the list of objects\n');
    const two = await run('kubectl get pods,svc --sort-by=.metadata.name');
    expect(two.stdout.split('\n\n').map((t) => names(t))).toEqual([
      ['pod/client', 'pod/web-7788985cd4-46bg9', 'pod/web-7788985cd4-fzjw9', 'pod/web-7788985cd4-tmtrd'],
      ['service/kubernetes', 'service/web'],
    ]);
  });

  it('sorts the one List of the other printers across types', async () => {
    const { run } = await openSession();
    expect((await run('kubectl get pods,svc -o name --sort-by=.metadata.name')).stdout).toBe(
      'pod/client\nservice/kubernetes\nservice/web\npod/web-7788985cd4-46bg9\npod/web-7788985cd4-fzjw9\npod/web-7788985cd4-tmtrd\n',
    );
    const json = JSON.parse((await run('kubectl get pods -o json --sort-by=.status.podIP')).stdout) as { items: { status: { podIP: string } }[] };
    expect(json.items.map((i) => i.status.podIP)).toEqual(['10.244.1.2', '10.244.1.3', '10.244.2.2', '10.244.2.3']);
    expect((await run("kubectl get pods -o jsonpath='{.items[*].status.podIP}' --sort-by=.status.podIP")).stdout).toBe('10.244.1.2 10.244.1.3 10.244.2.2 10.244.2.3');
    expect((await run('kubectl get pods -o custom-columns=IP:.status.podIP --sort-by=.status.podIP --no-headers')).stdout).toBe('10.244.1.2\n10.244.1.3\n10.244.2.2\n10.244.2.3\n');
    // A single object is not a list: nothing to sort, nothing to check.
    expect(await run('kubectl get pod client -o name --sort-by=.nope')).toEqual({ stdout: 'pod/client\n', stderr: '', status: 0 });
    // The listing's errors come first; then the sorter's, without its prefix.
    expect(await run('kubectl get pods client nope -o json --sort-by=.nope')).toEqual({
      stdout: '',
      stderr: 'Error from server (NotFound): pods "nope" not found\ncouldn\'t find any field with path "{.nope}" in the list of objects\n',
      status: 1,
    });
    expect((await run('kubectl get pods -o json --sort-by=.a}')).stderr).toBe(
      "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'\n",
    );
  });

  it('sorts across namespaces with -A and is ignored, with a warning, by a watch', async () => {
    const { run } = await openSession();
    const r = await run('kubectl get pods -A --sort-by=.spec.nodeName -o custom-columns=NODE:.spec.nodeName --no-headers');
    const nodes = r.stdout.trim().split('\n');
    expect(nodes).toEqual([...nodes].sort());
    expect(new Set(nodes)).toEqual(new Set(['control-plane', 'node-1', 'node-2']));
    const w = await run('kubectl get pods -w --sort-by=.status.podIP');
    expect(w.stderr.startsWith('warning: --watch or --watch-only requested, --sort-by will be ignored\n')).toBe(true);
    expect(names(w.stdout)[0]).toBe('client');
  });
});

describe('kubectl get --field-selector', () => {
  it('filters pods by the fields the API server offers', async () => {
    const { run } = await openSession();
    expect(names((await run('kubectl get pods --field-selector spec.nodeName=node-1')).stdout)).toEqual(['web-7788985cd4-46bg9', 'web-7788985cd4-tmtrd']);
    expect(names((await run('kubectl get pods --field-selector=status.phase=Running')).stdout)).toHaveLength(4);
    expect(names((await run('kubectl get pods --field-selector status.phase!=Running')).stdout)).toEqual([]);
    expect(names((await run('kubectl get pods --field-selector metadata.name==client')).stdout)).toEqual(['client']);
    expect(names((await run('kubectl get pods --field-selector status.podIP=10.244.2.2,spec.restartPolicy=Always')).stdout)).toEqual(['web-7788985cd4-fzjw9']);
    expect(names((await run('kubectl get pods --field-selector spec.host=node-2,spec.hostNetwork=false,spec.schedulerName=default-scheduler')).stdout)).toEqual(['client', 'web-7788985cd4-fzjw9']);
    expect(names((await run('kubectl get pods -l app=web --field-selector spec.nodeName=node-2')).stdout)).toEqual(['web-7788985cd4-fzjw9']);
    const a = await run('kubectl get pods -A --field-selector metadata.namespace!=default,spec.nodeName=node-1 -o name');
    expect(a.stdout.split('\n').filter(Boolean).every((n) => !n.startsWith('pod/web') && !n.startsWith('pod/client'))).toBe(true);
    expect(a.stdout).toContain('pod/kube-proxy-');
    expect(await run('kubectl get pods --field-selector spec.nodeName=nope')).toEqual({ stdout: '', stderr: 'No resources found in default namespace.\n', status: 0 });
    expect((await run('kubectl get pods --field-selector ""')).stdout).toContain('client');
  });

  it('knows the fields of other kinds', async () => {
    const { run } = await openSession();
    expect((await run('kubectl get svc -A --field-selector metadata.namespace!=default -o name')).stdout).toBe('service/kube-dns\n');
    expect((await run('kubectl get svc --field-selector spec.type=ClusterIP,metadata.name=web -o name')).stdout).toBe('service/web\n');
    expect((await run('kubectl get nodes --field-selector spec.unschedulable=false -o name')).stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect((await run('kubectl get ns --field-selector status.phase=Active,metadata.name=default -o name')).stdout).toBe('namespace/default\n');
    expect((await run('kubectl get deploy --field-selector metadata.name=web -o name')).stdout).toBe('deployment.apps/web\n');
    const ev = await run('kubectl get events --field-selector involvedObject.name=client,reason=Started -o name');
    expect(ev.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it("gives the API server's BadRequest for a field the kind does not offer or a selector it cannot parse", async () => {
    const { run } = await openSession();
    const bad = (res: string, sel: string, msg: string): string => `Error from server (BadRequest): Unable to find "${res}" that match label selector "", field selector "${sel}": ${msg}\n`;
    expect(await run('kubectl get pods --field-selector foo=bar')).toEqual({ stdout: '', stderr: bad('/v1, Resource=pods', 'foo=bar', 'field label not supported: foo'), status: 1 });
    expect((await run('kubectl get ingress --field-selector foo.bar=baz')).stderr).toBe(
      bad('networking.k8s.io/v1, Resource=ingresses', 'foo.bar=baz', '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    );
    expect((await run('kubectl get nodes --field-selector metadata.namespace=x')).stderr).toBe(bad('/v1, Resource=nodes', 'metadata.namespace=x', 'field label not supported: metadata.namespace'));
    // Terms are checked in sorted order.
    expect((await run('kubectl get pods --field-selector zz=1,aa=2')).stderr).toBe(bad('/v1, Resource=pods', 'zz=1,aa=2', 'field label not supported: aa'));
    expect((await run('kubectl get pods --field-selector phase')).stderr).toBe(bad('/v1, Resource=pods', 'phase', "invalid selector: 'phase'; can't understand 'phase'"));
    expect((await run('kubectl get pods --field-selector status.phase=a=b')).stderr).toBe(bad('/v1, Resource=pods', 'status.phase=a=b', 'invalid field selector: unescaped character in value: 61'));
    const both = await run("kubectl get pods -l 'app in (x' --field-selector foo=bar");
    expect(both.stderr).toMatch(/^Error from server \(BadRequest\): Unable to find "\/v1, Resource=pods" that match label selector "app in \(x", field selector "foo=bar": /);
    expect(both.stderr).not.toContain('field label not supported');
  });

  it('reports each listed type on its own, after what the others found', async () => {
    const { run } = await openSession();
    const r = await run('kubectl get pods,svc --field-selector spec.nodeName=node-1 -o name');
    expect(r).toEqual({
      stdout: 'pod/web-7788985cd4-46bg9\npod/web-7788985cd4-tmtrd\n',
      stderr: 'Error from server (BadRequest): Unable to find "/v1, Resource=services" that match label selector "", field selector "spec.nodeName=node-1": field label not supported: spec.nodeName\n',
      status: 1,
    });
    const json = await run('kubectl get pods --field-selector foo=bar -o json');
    expect([JSON.parse(json.stdout), json.status]).toEqual([{ apiVersion: 'v1', items: [], kind: 'List', metadata: { resourceVersion: '' } }, 1]);
  });

  it('does not mix with names', async () => {
    const { run } = await openSession();
    expect((await run('kubectl get pods client --field-selector status.phase=Running')).stderr).toBe('error: name cannot be provided when a selector is specified\n');
    expect((await run('kubectl get pod/client --field-selector status.phase=Running')).stderr).toBe('error: selectors and the all flag cannot be used when passing resource/name arguments\n');
  });
});
