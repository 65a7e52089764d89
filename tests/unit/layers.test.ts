import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

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
