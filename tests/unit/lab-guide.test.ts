import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../src/labs/catalog';
import { LabSession } from '../../src/labs/session';
import { ScriptClock, solve } from '../../src/labs/transcript';
import { brokenService } from '../fixtures/labs/broken-service';

describe('docs/lab-authoring.md', () => {
  const guide = readFileSync(new URL('../../docs/lab-authoring.md', import.meta.url), 'utf8');

  it('shows the example lab exactly as the fixture the tests run', () => {
    const m = /<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```\n/.exec(guide);
    expect(m?.[1]).toBe('tests/fixtures/labs/broken-service.ts');
    expect(m?.[2]).toBe(readFileSync(new URL(`../../${m![1]}`, import.meta.url), 'utf8'));
  });

  it('the example lab starts with nothing passed and its stored solution passes every task', async () => {
    for (const seed of [1, 8]) {
      const clock = new ScriptClock(REFERENCE_TIME);
      const session = await LabSession.create({ lab: brokenService, seed, scheduler: clock });
      session.grade();
      expect(session.tasks().every((t) => t.status === 'pending')).toBe(true);
      const { text } = await solve(session, clock);
      expect(session.tasks().map((t) => [t.id, t.status]), text).toEqual([
        ['count', 'passed'],
        ['why', 'passed'],
        ['fix', 'passed'],
        ['follow', 'passed'],
      ]);
    }
  });
});
