import { describe, expect, it } from 'vitest';
import { openSession } from '../../../../tests/support/session';
import { goValue, printCustomColumns, relaxedJsonPath, parseCustomColumnsSpec } from './custom-columns';

async function open() {
  return (await openSession()).run;
}

describe('custom columns', () => {
  it('accepts the four spellings of a field spec', () => {
    for (const spec of ['metadata.name', '.metadata.name', '{metadata.name}', '{.metadata.name}']) expect(relaxedJsonPath(spec)).toBe('{.metadata.name}');
    expect(() => relaxedJsonPath('{.a}{.b}')).toThrow("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  });

  it("prints values as Go's %v, several joined by commas, <none> for nothing", () => {
    expect(goValue({ b: [1, 'x'], a: true, c: null })).toBe('map[a:true b:[1 x] c:<nil>]');
    const cols = parseCustomColumnsSpec('NAME:.metadata.name,PORTS:.spec.ports[*].port,SEL:.spec.selector,IP:.status.podIP');
    const doc = { kind: 'List', items: [{ metadata: { name: 'a-long-name' }, spec: { ports: [{ port: 80 }, { port: 443 }], selector: { app: 'web' } } }] };
    expect(printCustomColumns(cols, doc, false)).toBe('NAME          PORTS    SEL            IP\na-long-name   80,443   map[app:web]   <none>\n');
    expect(printCustomColumns(cols, doc, true)).toBe('a-long-name   80,443   map[app:web]   <none>\n');
  });

  it('kubectl get -o custom-columns: one table for every type, header even when empty', async () => {
    const run = await await open();
    const r = await run('kubectl get pods,services -o custom-columns=NAME:.metadata.name,KIND:.kind');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME {3,}KIND$/);
    expect(lines.filter((l) => l.endsWith(' Pod'))).toHaveLength(4);
    expect(lines.filter((l) => l.endsWith(' Service'))).toHaveLength(2);
    expect(r.stdout).not.toContain('\n\n');
    const ip = (await run('kubectl get pod client -o jsonpath={.status.podIP}')).stdout;
    expect((await run('kubectl get pod client -o custom-columns=NAME:.metadata.name,IP:.status.podIP')).stdout).toBe(`NAME     IP\nclient   ${ip}\n`);
    expect(await run('kubectl get pods -l app=none -o custom-columns=NAME:.metadata.name')).toEqual({ stdout: 'NAME\n', stderr: '', status: 0 });
  });

  it("gives kubectl's errors for a bad spec", async () => {
    const run = await await open();
    expect((await run('kubectl get pods -o custom-columns=NAME')).stderr).toBe('error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>\n');
    expect((await run('kubectl get pods -o custom-columns=')).stderr).toBe('error: custom-columns format specified but no custom columns given\n');
    expect((await run('kubectl get pod nope -o custom-columns=N:.metadata.name')).stdout).toBe('');
  });

  it('reads a custom-columns file: headers on the first line, field specs on the second', async () => {
    const run = await await open();
    await run("echo 'NAME   TYPE' > cols.txt");
    expect((await run('kubectl get svc -o custom-columns-file=cols.txt')).stderr).toBe(
      'error: invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.\n',
    );
    await run("echo 'metadata.name   spec.type' >> cols.txt");
    expect((await run('kubectl get svc -o custom-columns-file=cols.txt')).stdout).toMatch(/^NAME {9}TYPE\nkubernetes {3}ClusterIP\nweb {10}ClusterIP\n$/);
    expect((await run('kubectl get svc -o custom-columns-file=nope.txt')).stderr).toBe('error: error reading template nope.txt, open nope.txt: no such file or directory\n');
  });

  it('--no-headers drops the header of the usual tables too', async () => {
    const run = await await open();
    const r = await run('kubectl get nodes --no-headers');
    expect(r.stdout.split('\n')[0]).toMatch(/^control-plane {3}Ready/);
  });
});
