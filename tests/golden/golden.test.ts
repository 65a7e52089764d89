import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { goldenFiles, parseGolden, replay } from './update';

/**
 * Replays every tests/golden/*.txt transcript and compares it with the file. When output
 * changes on purpose, run `npx tsx tests/golden/update.ts` and review the diff.
 */
describe('golden transcripts', () => {
  const files = goldenFiles();

  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of files) {
    it(basename(file), async () => {
      const g = parseGolden(readFileSync(file, 'utf8'), basename(file));
      expect(g.commands.length).toBeGreaterThan(0);
      expect(await replay(g)).toBe(g.body);
    });
  }
});
