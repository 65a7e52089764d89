import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch-merge';

const deploy = {
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] },
          { name: 'side', image: 'busybox' },
        ],
      },
    },
  },
};

describe('patches', () => {
  it('merge patch: objects merge, null deletes, lists are replaced', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 }, f: [1] })).toEqual({ a: 1, b: { d: 3, e: 4 }, f: [1] });
    const out = mergePatch(deploy, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } } } }) as typeof deploy;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:1.28' }]);
  });

  it('strategic merge patch: containers merge by name, ports by containerPort, $patch directives', () => {
    const out = strategicMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.28', ports: [{ containerPort: 443 }] }] } } } }) as typeof deploy;
    expect(out.spec.template.spec.containers).toEqual([
      { name: 'nginx', image: 'nginx:1.28', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }] },
      { name: 'side', image: 'busybox' },
    ]);
    const del = strategicMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } } }) as typeof deploy;
    expect(del.spec.template.spec.containers.map((c) => c.name)).toEqual(['nginx']);
    const svc = strategicMergePatch({ spec: { ports: [{ port: 80, targetPort: 80 }] } }, { spec: { ports: [{ port: 80, targetPort: 8080 }] } });
    expect(svc).toEqual({ spec: { ports: [{ port: 80, targetPort: 8080 }] } });
    expect(strategicMergePatch({ m: { a: 1 } }, { m: { $patch: 'replace', b: 2 } })).toEqual({ m: { b: 2 } });
  });

  it('JSON patch: add, remove, replace, move, copy, test, and failures', () => {
    const doc = { a: [1, 2], b: { c: 'x' } };
    expect(jsonPatch(doc, [{ op: 'add', path: '/a/-', value: 3 }, { op: 'replace', path: '/b/c', value: 'y' }, { op: 'remove', path: '/a/0' }])).toEqual({ a: [2, 3], b: { c: 'y' } });
    expect(jsonPatch(doc, [{ op: 'copy', from: '/b/c', path: '/d' }, { op: 'move', from: '/a', path: '/e' }])).toEqual({ b: { c: 'x' }, d: 'x', e: [1, 2] });
    expect(jsonPatch({ 'a/b': 1 }, [{ op: 'test', path: '/a~1b', value: 1 }])).toEqual({ 'a/b': 1 });
    expect(() => jsonPatch(doc, [{ op: 'replace', path: '/nope/x', value: 1 }])).toThrow(PatchError);
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/b/zz' }])).toThrow(PatchError);
    expect(() => jsonPatch(doc, { op: 'add' })).toThrow(PatchError);
    // The original is never changed.
    expect(doc).toEqual({ a: [1, 2], b: { c: 'x' } });
  });
});
