/** The theme toggle: follows the system first, then the learner's choice, kept across loads and applied before first paint. */
import { expect, test } from '@playwright/test';
import { lessonPathFor } from './helpers';

const bg = (page: import('@playwright/test').Page) =>
  page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test('the toggle switches the theme and the choice persists', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  const light = await bg(page);

  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  expect(await bg(page)).not.toBe(light);
  expect(await page.evaluate(() => localStorage.getItem('k8slabs:v1:theme'))).toBe('dark');

  await page.goto(await lessonPathFor(page));
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');

  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});

test('with no choice the page follows the system theme', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
  const dark = await bg(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => bg(page)).not.toBe(dark);
});

test('the stored theme applies before any module script runs (no flash)', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('k8slabs:v1:theme', 'dark'));
  await page.emulateMedia({ colorScheme: 'light' });
  // Block the bundled scripts: only the inline head script can apply the theme.
  await page.route('**/_astro/*.js', (route) => route.abort());
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await bg(page)).toBe('rgb(15, 20, 25)');
});
