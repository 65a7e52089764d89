/**
 * Accessibility: axe finds no serious or critical violations on the home page and a lesson
 * (with its lab's terminal running), in the light and the dark theme. Also: the lesson reads
 * without JavaScript, and keyboard users reach the terminal and the lab's controls.
 */
import { expect, test, type Page } from '@playwright/test';
import { getLab } from '../../src/labs/catalog';
import { axeBuilder, inBothSchemes, LAB, labSeed, lessonPathFor, openLab, run, taskItem } from './helpers';
import { LabModel } from './lab-model';

async function seriousViolations(page: Page) {
  const results = await axeBuilder(page).analyze();
  for (const v of results.violations) {
    console.log(`axe ${v.impact ?? ''} ${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  }
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
}

test('home page has no serious axe violations (light and dark)', async ({ page }) => {
  await page.goto('/');
  expect(await inBothSchemes(page, () => seriousViolations(page))).toEqual([]);
});

test('lesson page with its lab has no serious axe violations (light and dark)', async ({ page }) => {
  await page.goto(await lessonPathFor(page));
  await openLab(page);
  await run(page, 'kubectl get pods -o wide');
  await page.evaluate(() => window.scrollTo(0, 0));
  expect(await inBothSchemes(page, () => seriousViolations(page))).toEqual([]);
});

test('the lab panel in its states has no serious axe violations (light and dark)', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(await lessonPathFor(page));
  const lab = await openLab(page);
  const model = await LabModel.load(LAB, await labSeed(page));
  // A choice answered wrongly, a prediction locked in, a hint, the solution's confirmation and
  // the solution, and a task passed from the terminal. (A lab error cannot be caused from
  // the page: no lab's check fails on its own.)
  const choice = model.find((t) => t.input?.kind === 'choice')[0];
  if (choice?.input?.kind === 'choice') {
    const item = taskItem(page, choice.id);
    await item.getByRole(choice.input.multiple ? 'checkbox' : 'radio').first().check();
    await item.getByRole('button', { name: 'Check', exact: true }).click();
  }
  const prediction = model.find((t) => t.input?.kind === 'prediction' && !t.input.options)[0];
  if (prediction) {
    const item = taskItem(page, prediction.id);
    await item.getByLabel('Your prediction').fill(model.answerValue(prediction.id) ?? '1');
    await item.getByRole('button', { name: 'Lock in' }).click();
  }
  const hinted = model.find((t) => t.hints.total > 0)[0];
  if (hinted) await taskItem(page, hinted.id).getByRole('button', { name: /^Hint \(/ }).click();
  const solved = await model.solvedByItsSolution();
  if (solved) {
    await taskItem(page, solved.id).getByRole('button', { name: 'Show solution' }).click();
    await expect(page.getByRole('dialog', { name: 'Show the solution?' })).toBeVisible();
    expect(await inBothSchemes(page, () => seriousViolations(page))).toEqual([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Show solution' }).click();
    await expect(taskItem(page, solved.id).locator('[data-task-solution]')).toBeVisible();
  }
  const passing = await model.passedByCommands();
  if (passing) {
    for (const command of passing.commands) await run(page, command);
    await expect(lab.locator('[data-news-text]')).toContainText('passed');
  }
  expect(await inBothSchemes(page, () => seriousViolations(page))).toEqual([]);
});

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
    await expect(lab).toContainText('needs JavaScript');
    // Every task as the lab's default seed shows it: its text, its state, its hints, and
    // controls that say what they do but stay disabled.
    const info = (await getLab(LAB))!;
    await expect(lab.locator('[data-task-id]')).toHaveCount(info.tasks.length);
    for (const t of info.tasks) {
      const item = lab.locator(`[data-task-id="${t.id}"]`);
      await expect(item.locator('[data-task-title]')).toHaveText(t.title);
      await expect(item.locator('[data-task-description]')).toHaveText(t.description.replace(/`/g, ''));
      await expect(item.locator('[data-task-status]')).toContainText(t.open ? 'To do' : 'Locked');
      await expect(item.locator('[data-task-points]')).toHaveText(`${t.points} point${t.points === 1 ? '' : 's'}`);
      if (t.hints.total > 0) await expect(item.locator('[data-hint-count]')).toHaveText(`${t.hints.total} hint${t.hints.total === 1 ? '' : 's'}`);
      await expect(item.getByRole('button', { name: 'Show solution' })).toBeDisabled();
      for (const control of await item.locator('input, button').all()) await expect(control).toBeDisabled();
      if (t.input?.kind === 'choice') await expect(item.getByRole(t.input.multiple ? 'checkbox' : 'radio')).toHaveCount(t.input.options.length);
      if (!t.takesAnswer) await expect(item.getByRole('button', { name: 'Check now' })).toBeVisible();
    }
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
