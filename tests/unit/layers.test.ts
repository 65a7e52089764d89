import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { FLOOR_EXCEPTIONS, LINUX_FLOOR } from '../../scripts/eslint-layers.js';

// The layer boundaries are enforced by lint; these tests prove the rule fires (and stays quiet
// for imports that point down), so a broken rule cannot pass silently.
const eslint = new ESLint();

async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer boundaries', () => {
  it('rejects an import from the sim layer up into the shell layer', async () => {
    const msgs = await lint('src/sim/example.ts', "import { Shell } from '../shell/shell';\nexport const s = Shell;\n");
    expect(msgs.some((m) => m.startsWith('layers/imports-point-down') && m.includes('sim layer must not import from the shell layer'))).toBe(true);
  });

  it('rejects an import from the labs layer into the UI', async () => {
    const msgs = await lint('src/labs/example.ts', "import { x } from '../ui/terminal';\nexport const y = x;\n");
    expect(msgs.some((m) => m.includes('labs layer must not import from the ui layer'))).toBe(true);
  });

  it('allows imports that point down', async () => {
    const msgs = await lint('src/labs/example.ts', "import { Sim } from '../sim/sim';\nimport { Shell } from '../shell/shell';\nexport const a = [Sim, Shell];\n");
    expect(msgs.filter((m) => m.startsWith('layers/'))).toEqual([]);
  });

  it('forbids the wall clock, Math.random and the DOM in the core layers', async () => {
    // The forbidden calls are a fixture's text, linted as if it were a core module.
    const msgs = await lint('src/sim/example.ts', readFileSync('tests/fixtures/layers/forbidden-core.ts.txt', 'utf8'));
    expect(msgs.filter((m) => m.startsWith('no-restricted')).length).toBe(4);
  });
});

describe('the Linux data path is the floor of src/sim', () => {
  const floor = async (file: string, code: string): Promise<string[]> => (await lint(file, code)).filter((m) => m.startsWith('layers/linux-floor'));

  it('rejects imports from Kubernetes, Docker and the apps into the data path', async () => {
    expect((await floor('src/sim/netfilter.ts', "import { syncProxyRules } from './k8s/kube-proxy';\nexport const f = syncProxyRules;\n"))[0]).toMatch(/netfilter\.ts\) must not import \.\/k8s\/kube-proxy: Kubernetes is above it/);
    expect((await floor('src/sim/tcp-stack.ts', "import { dockerHost } from './docker';\nexport const f = dockerHost;\n"))[0]).toMatch(/Docker is above it/);
    expect((await floor('src/sim/forward.ts', "import { findListener } from './apps';\nexport const f = findListener;\n"))[0]).toMatch(/the applications' code is above it/);
    expect((await floor('src/sim/linux/route-write.ts', "import type { Pod } from '../k8s/types';\nexport type P = Pod;\n"))[0]).toMatch(/Kubernetes is above it/);
  });

  it('rejects the other model modules too, and a value import of the state module', async () => {
    expect((await floor('src/sim/netns.ts', "import { nodeNsId } from './cni';\nexport const f = nodeNsId;\n"))[0]).toMatch(/src\/sim\/cni\.ts is above it/);
    expect(await floor('src/sim/conntrack.ts', "import { emptyState } from './state';\nexport const f = emptyState;\n")).toHaveLength(1);
  });

  it('allows imports within the floor and the state\'s type; modules above the floor import what they like', async () => {
    expect(await floor('src/sim/forward.ts', "import { lookupRoute } from './netns';\nimport { resolve } from './neigh';\nimport { runDaemons } from './daemons';\nimport type { SimState } from './state';\nexport const f = [lookupRoute, resolve, runDaemons];\nexport type S = SimState;\n")).toEqual([]);
    expect(await floor('src/sim/cni/index.ts', "import { syncProxyRules } from '../k8s/kube-proxy';\nexport const f = syncProxyRules;\n")).toEqual([]);
  });

  it('no longer lets forward.ts import kube-proxy: the service proxy registers as a daemon', async () => {
    expect((await floor('src/sim/forward.ts', "import { syncProxyRules } from './k8s/kube-proxy';\nexport const f = syncProxyRules;\n"))[0]).toMatch(/Kubernetes is above it/);
  });

  it('lists modules that exist, and exceptions from the floor to modules above it', () => {
    for (const f of LINUX_FLOOR.filter((x) => !x.endsWith('/'))) expect(existsSync(`${f}.ts`), f).toBe(true);
    for (const e of FLOOR_EXCEPTIONS) {
      expect(LINUX_FLOOR.includes(e.from), e.from).toBe(true);
      expect(existsSync(`${e.to}.ts`) && !LINUX_FLOOR.includes(e.to), e.to).toBe(true);
      expect(readFileSync(`${e.from}.ts`, 'utf8')).toContain(`'./${path.relative(path.dirname(e.from), e.to)}'`);
    }
  });
});

describe('src/sim/k8s', () => {
  /** The k8s modules each k8s module imports (values and types alike). */
  function importGraph(): Map<string, string[]> {
    const dir = 'src/sim/k8s';
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const graph = new Map<string, string[]>();
    for (const f of files) {
      const info = ts.preProcessFile(readFileSync(path.join(dir, f), 'utf8'), true, true);
      const deps = info.importedFiles.map((i) => i.fileName).filter((n) => n.startsWith('./') && files.includes(`${n.slice(2)}.ts`)).map((n) => `${n.slice(2)}.ts`);
      graph.set(f, [...new Set(deps)]);
    }
    return graph;
  }

  it('has no import cycles', () => {
    const graph = importGraph();
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, trail: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) visit(d, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(graph.size).toBeGreaterThan(20);
    expect(cycles).toEqual([]);
  });
});
