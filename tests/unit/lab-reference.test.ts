import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reference, REFERENCE_FILE } from '../../scripts/lab-reference';
import { BINDING_KINDS } from '../../src/labs/bindings/index';
import { CHECK_KINDS } from '../../src/labs/checks/index';
import { PREDICATES } from '../../src/labs/predicates/index';

describe('docs/lab-reference.md', () => {
  it('is what the code says (regenerate with: npx tsx scripts/lab-reference.ts)', () => {
    expect(readFileSync(REFERENCE_FILE, 'utf8')).toBe(reference());
  });

  it('documents every kind with an example and every parameter with a sentence', () => {
    const text = reference();
    for (const k of [...CHECK_KINDS, ...BINDING_KINDS, ...PREDICATES]) expect(text, k.name).toContain(`### \`${k.name}\``);
    const undocumented = text.split('\n').filter((l) => /^\| `[^`]+` \| [^|]+ \|\s*\|$/.test(l));
    expect(undocumented).toEqual([]);
  });
});
