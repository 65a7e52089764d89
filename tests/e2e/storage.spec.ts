/** Saved state that cannot be used is thrown away with a notice; the lab still works. */
import { expect, test } from '@playwright/test';
import { LAB, lessonPathFor, openLab, run } from './helpers';

const KEY = `k8slabs:v1:lab:${LAB}`;

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (err) => {
    throw err;
  });
});

test('a corrupt record shows a notice and a working lab', async ({ page }) => {
  const path = await lessonPathFor(page);
  // The site's origin, where its storage is, before the lesson loads.
  await page.goto('/');
  await page.evaluate((key) => {
    localStorage.setItem(key, '{"savedAt": 1, "snapshot": {oops');
    localStorage.setItem('k8slabs:v1:progress', 'not json at all');
  }, KEY);
  await page.goto(path);
  const lab = await openLab(page);
  const notice = lab.locator('[data-notice]');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('could not be read');
  for (const task of await lab.locator('[data-task-id]').all()) await expect(task).toHaveAttribute('data-status', 'pending');
  const out = await run(page, 'kubectl get pods -o wide');
  expect(out.some((l) => l.startsWith('NAME '))).toBe(true);
  // The bad record was replaced by a good one.
  const saved = await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null'), KEY);
  expect(saved.snapshot.labId).toBe(LAB);
  await lab.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toBeHidden();
  await page.reload();
  await expect(await openLab(page).then((l) => l.locator('[data-notice]'))).toBeHidden();
});

test('a snapshot the session refuses (old format) shows a notice and a working lab', async ({ page }) => {
  const path = await lessonPathFor(page);
  // The site's origin, where its storage is, before the lesson loads.
  await page.goto('/');
  await page.evaluate((key) => {
    localStorage.setItem(key, JSON.stringify({ savedAt: 1, snapshot: { format: 999, labId: 'three-pools', seed: 7 } }));
  }, KEY);
  await page.goto(path);
  const lab = await openLab(page);
  await expect(lab.locator('[data-notice]')).toContainText('could not be restored');
  const out = await run(page, 'kubectl get nodes');
  expect(out.some((l) => l.startsWith('NAME '))).toBe(true);
});

test('a snapshot of another lab under this key is discarded', async ({ page }) => {
  const path = await lessonPathFor(page);
  // The site's origin, where its storage is, before the lesson loads.
  await page.goto('/');
  await page.evaluate((key) => {
    localStorage.setItem(key, JSON.stringify({ savedAt: 1, snapshot: { format: 1, labId: 'other', seed: 7 } }));
  }, KEY);
  await page.goto(path);
  const lab = await openLab(page);
  await expect(lab.locator('[data-notice]')).toContainText('could not be read');
});

test('?seed= gives everyone the same cluster', async ({ page, browser }) => {
  const path = await lessonPathFor(page);
  await page.goto(`${path}?seed=4242`);
  await openLab(page);
  const a = await run(page, 'kubectl get pods -o wide');
  const other = await browser.newPage();
  await other.goto(`${path}?seed=4242`);
  await openLab(other);
  const b = await run(other, 'kubectl get pods -o wide');
  // Compare names, addresses and nodes; AGE (and so the column widths) may differ by seconds.
  const rows = (lines: string[]) =>
    lines
      .map((l) => l.trim().split(/\s+/))
      .filter((t) => t.some((x) => x.startsWith('10.244.')))
      .map((t) => {
        const at = t.findIndex((x) => x.startsWith('10.244.'));
        return [t[0], t[at], t[at + 1]].join(' ');
      });
  expect(rows(a).length).toBeGreaterThan(3);
  expect(rows(b)).toEqual(rows(a));
  await other.close();
});
