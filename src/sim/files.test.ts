import { describe, expect, it } from 'vitest';
import { appendFile, binaryToBytes, bytesToBinary, isDirectory, listDirectory, readFile, removeFile, resolvePath, writeFile } from './files';
import { emptyState } from './state';
import { resolveConfig } from './cluster';

const fresh = () => emptyState(1, 0, resolveConfig({ nodes: 1 }));

describe('sandbox files', () => {
  it('resolves paths against the home directory of each machine', () => {
    expect(resolvePath('workstation', 'web.yaml')).toBe('/home/learner/web.yaml');
    expect(resolvePath('workstation', '~/a/../b//c.yaml')).toBe('/home/learner/b/c.yaml');
    expect(resolvePath('node-1', 'x.pcap')).toBe('/root/x.pcap');
    expect(resolvePath('node-1', '/tmp/./x.pcap')).toBe('/tmp/x.pcap');
    expect(resolvePath('node-1', '../../..')).toBe('/');
  });

  it('keeps files per machine, and a snapshot of the state keeps them', () => {
    const s = fresh();
    writeFile(s, 'workstation', 'web.yaml', 'kind: Pod\n', 5);
    expect(readFile(s, 'workstation', '/home/learner/web.yaml')?.content).toBe('kind: Pod\n');
    expect(readFile(s, 'node-1', 'web.yaml')).toBeUndefined();
    appendFile(s, 'workstation', 'web.yaml', '---\n', 6);
    const back = JSON.parse(JSON.stringify(s)) as typeof s;
    expect(readFile(back, 'workstation', '~/web.yaml')).toEqual({ content: 'kind: Pod\n---\n', mtime: 6 });
    expect(removeFile(back, 'workstation', 'web.yaml')).toBe(true);
    expect(removeFile(back, 'workstation', 'web.yaml')).toBe(false);
  });

  it('implies directories from file paths and lists a directory', () => {
    const s = fresh();
    writeFile(s, 'workstation', 'b.yaml', '', 0);
    writeFile(s, 'workstation', 'manifests/a.yaml', '', 0);
    expect(isDirectory(s, 'workstation', '~')).toBe(true);
    expect(isDirectory(s, 'workstation', '/home')).toBe(true);
    expect(isDirectory(s, 'workstation', 'manifests')).toBe(true);
    expect(isDirectory(s, 'workstation', 'b.yaml')).toBe(false);
    expect(listDirectory(s, 'workstation', '~')).toEqual([
      { name: 'b.yaml', dir: false },
      { name: 'manifests', dir: true },
    ]);
    expect(listDirectory(s, 'workstation', '/home')).toEqual([{ name: 'learner', dir: true }]);
  });

  it('round-trips binary content through JSON byte for byte', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) & 0xff);
    const s = fresh();
    writeFile(s, 'node-1', '/tmp/x.pcap', bytesToBinary(bytes), 0, true);
    const back = JSON.parse(JSON.stringify(s)) as typeof s;
    const f = readFile(back, 'node-1', '/tmp/x.pcap')!;
    expect(f.binary).toBe(true);
    expect(binaryToBytes(f.content)).toEqual(bytes);
  });
});
