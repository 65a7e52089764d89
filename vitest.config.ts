import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take longest (they start Node processes, lint, or run thousands of generated
 * cases), longest first. They start before the rest so that no worker is left running one of
 * them alone at the end; vitest's own order (by the durations it remembers, or file size on a
 * fresh clone) follows.
 */
const SLOW_FIRST = [
  'tests/unit/fuzz.test.ts',
  'tests/unit/fuzz-places.test.ts',
  'tests/unit/cli.test.ts',
  'src/sim/properties.test.ts',
  'labs/labs.test.ts',
  'src/shell/commands/tcpdump/tcpdump.test.ts',
  'tests/golden/golden.test.ts',
  'tests/unit/layers.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FIRST.findIndex((p) => f.moduleId.endsWith(`/${p}`));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return (await super.sort(files)).map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'labs/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/golden/**/*.test.ts', 'tests/traces/**/*.test.ts'],
    environment: 'node',
    // Worker threads that keep the modules they have loaded from one test file to the next: the
    // sandbox's modules are loaded once per worker, not once per file. So a test file must leave
    // shared modules as it found them: no module mocks, no globals, nothing added to a registry.
    pool: 'threads',
    isolate: false,
    // Every core (vitest's default leaves one idle, which on a 2-core machine halves the speed).
    maxWorkers: Math.max(2, availableParallelism()),
    // Tests assert behaviour, not speed (`npm run bench` measures that): the time limits only
    // stop a test that never ends, so a busy machine cannot fail one that is merely slow.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Concurrent tests (the CLI's, each waiting for a Node process) at most 3 at a time.
    maxConcurrency: 3,
    setupFiles: ['tests/support/vitest-setup.ts'],
    sequence: { sequencer: SlowFirst },
  },
});
