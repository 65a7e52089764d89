import { describe, it, expect } from 'vitest';
import { openSession } from '../../../../tests/support/session';
import { parse as parseYaml } from 'yaml';

/**
 * `kubectl get` with the generic printers (json, yaml, name, jsonpath, custom-columns), as
 * kubectl's printGeneric decides: one `TYPE NAME` or one `TYPE/NAME` is a single item
 * (the object itself, or only its NotFound error); anything else is a List of what was
 * found, followed by the errors. Cluster: the three-pools lab (pod `client` exists).
 */
async function open() {
  return (await openSession()).run;
}

const NOT_FOUND = 'Error from server (NotFound): pods "nope" not found\n';

describe('kubectl get: single item implied', () => {
  for (const o of ['json', 'yaml', 'name', 'jsonpath={.items}', 'custom-columns=N:.metadata.name']) {
    it(`a missing single name with -o ${o} prints only the error`, async () => {
      const run = await await open();
      for (const args of ['pod nope', 'pod/nope']) {
        expect(await run(`kubectl get ${args} -o ${o}`)).toEqual({ stdout: '', stderr: NOT_FOUND, status: 1 });
      }
    });
  }

  it('one TYPE/NAME prints the object itself, not a List', async () => {
    const run = await await open();
    expect((await run('kubectl get pod/client -o jsonpath={.kind}')).stdout).toBe('Pod');
    const doc = JSON.parse((await run('kubectl get pod/client -o json')).stdout) as { kind: string; metadata: { name: string } };
    expect([doc.kind, doc.metadata.name]).toEqual(['Pod', 'client']);
  });

  it('several names print a List of the found objects, then the errors', async () => {
    const run = await await open();
    const r = await run('kubectl get pods client nope -o json');
    const doc = JSON.parse(r.stdout) as { kind: string; items: { metadata: { name: string } }[] };
    expect([doc.kind, doc.items.map((i) => i.metadata.name)]).toEqual(['List', ['client']]);
    expect([r.stderr, r.status]).toEqual([NOT_FOUND, 1]);
    const y = await run('kubectl get pods nope nope2 -o yaml');
    expect(parseYaml(y.stdout)).toEqual({ apiVersion: 'v1', items: [], kind: 'List', metadata: { resourceVersion: '' } });
    expect(y.stderr).toBe(NOT_FOUND + 'Error from server (NotFound): pods "nope2" not found\n');
    expect(await run('kubectl get pods client nope -o name')).toEqual({ stdout: 'pod/client\n', stderr: NOT_FOUND, status: 1 });
  });

  it('an empty selection with -o name prints nothing (only tables say "No resources found")', async () => {
    const run = await await open();
    expect(await run('kubectl get pods -l app=none -o name')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect((await run('kubectl get pods -l app=none')).stderr).toBe('No resources found in default namespace.\n');
  });
});
