/**
 * Accessibility of every lesson as a reader first sees it (figures, tables, Try blocks, the
 * lab panel before its terminal starts), in the light theme on a desktop and the dark one at a
 * phone's width: axe finds no serious or critical violation. The lab with its terminal running
 * is a11y.spec.ts's.
 */
import { readdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { axeBuilder } from './helpers';

test.describe.configure({ mode: 'parallel' });

const LESSONS = readdirSync('content')
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => f.replace(/\.mdx$/, ''));

test('every lesson is checked', () => {
  expect(LESSONS.length).toBeGreaterThanOrEqual(10);
});

for (const id of LESSONS) {
  test(`lesson ${id} has no serious axe violations`, async ({ page }) => {
    const found: string[] = [];
    // Each theme once: the light one on a desktop, the dark one at a phone's width (where
    // wide figures and tables become scrolling regions).
    // The second pass asks only the rules a theme or a width can change the answer of (every
    // other rule already ran on the same markup).
    const runs = [
      { viewport: { width: 1366, height: 900 }, scheme: 'light' as const, rules: undefined },
      { viewport: { width: 390, height: 844 }, scheme: 'dark' as const, rules: ['color-contrast', 'link-in-text-block', 'scrollable-region-focusable', 'target-size'] },
    ];
    // One load: the second pass changes the width and the scheme of the page as it is, as a
    // reader who turns a phone or switches the theme does.
    const response = await page.goto(`/lessons/${id}/`);
    expect(response?.status()).toBe(200);
    for (const { viewport, scheme, rules } of runs) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      const axe = axeBuilder(page);
      const results = await (rules ? axe.withRules(rules) : axe).analyze();
      for (const v of results.violations) {
        if (v.impact !== 'serious' && v.impact !== 'critical') continue;
        found.push(`${scheme} ${viewport.width}px ${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
      }
    }
    expect(found).toEqual([]);
  });
}
