/**
 * Accessibility: axe finds no serious or critical violations on the home page and a lesson
 * (with its lab's terminal running), in the light and the dark theme. Also: the lesson reads
 * without JavaScript, and keyboard users reach the terminal and the lab's controls.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { lessonPathFor, openLab, run } from './helpers';

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  for (const v of results.violations) {
    console.log(`axe ${v.impact ?? ''} ${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  }
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`home page has no serious axe violations (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    expect(await seriousViolations(page)).toEqual([]);
  });

  test(`lesson page with its lab has no serious axe violations (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(await lessonPathFor(page));
    await openLab(page);
    await run(page, 'kubectl get pods -o wide');
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await seriousViolations(page)).toEqual([]);
  });
}

test('the chosen dark theme (toggle) also passes axe on the lesson page', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('k8slabs:v1:theme', 'dark'));
  await page.goto(await lessonPathFor(page));
  await openLab(page);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await seriousViolations(page)).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the lesson and the lab panel read fine', async ({ page }) => {
    await page.goto('/');
    const href = await page.locator('.lesson-cards a[data-labs~="three-pools"]').first().getAttribute('href');
    await page.goto(href ?? '/');
    await expect(page.locator('h1')).toBeVisible();
    await expect(page.locator('.objectives li').first()).toBeVisible();
    await expect(page.locator('article.lesson p').first()).toBeVisible();
    const lab = page.locator('lab-panel[data-lab-id="three-pools"]');
    await expect(lab.locator('.lab-title')).toBeVisible();
    await expect(lab.locator('[data-task-id]')).toHaveCount(5);
    await expect(lab.locator('[data-task-id="pod-ip"] [data-task-description]')).toContainText('web-');
    await expect(lab).toContainText('needs JavaScript');
  });
});

test('keyboard only: skip link, terminal, answer field, Reset', async ({ page }) => {
  await page.goto(await lessonPathFor(page));
  await openLab(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  // Tab through to the terminal, then on to the Reset button area.
  let reached = false;
  for (let i = 0; i < 200 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => !!document.activeElement?.closest('lab-panel .xterm'));
  }
  expect(reached, 'terminal reachable with Tab').toBe(true);
  await page.keyboard.type('kubectl get nodes');
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => window.__labTerminals?.['three-pools']?.lines().some((l) => l.startsWith('NAME ')))).toBe(true);
  // Leave the terminal with Escape, Tab.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('.xterm'))).toBe(false);
  // Every button and field in the panel is focusable.
  const focusables = page.locator('lab-panel button:not([disabled]):visible, lab-panel input:not([disabled]):visible');
  expect(await focusables.count()).toBeGreaterThan(5);
});
