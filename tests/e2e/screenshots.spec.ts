/**
 * Screenshots of the lesson page (light and dark, desktop and phone) and the home page, for a
 * person to look at: test-results/screenshots/*.png. They also check the layout rules: on a
 * wide screen the lab docks to the right of the text; on a phone it sits below at full width.
 */
import { expect, test } from '@playwright/test';
import { lessonPathFor, openLab, parseTable, run } from './helpers';

const DIR = 'test-results/screenshots';
const sizes = {
  desktop: { width: 1440, height: 900 },
  wide: { width: 1920, height: 1080 },
  phone: { width: 390, height: 844 },
} as const;

for (const scheme of ['light', 'dark'] as const) {
  for (const size of ['desktop', 'phone', 'wide'] as const) {
    test(`lesson ${scheme} ${size}`, async ({ page }) => {
      test.skip(size === 'wide' && scheme === 'dark', 'one wide screenshot is enough');
      await page.setViewportSize(sizes[size]);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(await lessonPathFor(page));
      await page.screenshot({ path: `${DIR}/lesson-${scheme}-${size}-top.png` });
      const lab = await openLab(page);
      const pods = parseTable(await run(page, 'kubectl get pods -o wide'));
      const target = pods.find((p) => p.NAME?.startsWith('web-'));
      await run(page, `answer pod-ip ${target?.IP ?? ''}`);

      const labBox = (await lab.locator('.lab').boundingBox())!;
      const textBox = (await page.locator('.lesson-header').boundingBox())!;
      if (size === 'phone') {
        expect(labBox.y).toBeGreaterThan(textBox.y + textBox.height);
        expect(labBox.width).toBeGreaterThan(sizes.phone.width - 40);
        // Nothing sticks out sideways.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(sizes.phone.width);
        await page.screenshot({ path: `${DIR}/lesson-${scheme}-${size}-lab.png` });
      } else {
        expect(labBox.x).toBeGreaterThan(textBox.x + textBox.width);
        // Docked: still in view after scrolling the text.
        await page.evaluate(() => window.scrollTo(0, 2500));
        await expect.poll(async () => (await lab.locator('.lab').boundingBox())?.y ?? -1).toBeLessThan(40);
        await page.screenshot({ path: `${DIR}/lesson-${scheme}-${size}-scrolled.png` });
      }
    });
  }

  test(`home ${scheme}`, async ({ page }) => {
    await page.setViewportSize(sizes.desktop);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    await page.screenshot({ path: `${DIR}/home-${scheme}-desktop.png`, fullPage: true });
    await page.setViewportSize(sizes.phone);
    await page.screenshot({ path: `${DIR}/home-${scheme}-phone.png` });
  });
}

test('lesson phone: the Lessons button opens the sidebar', async ({ page }) => {
  await page.setViewportSize(sizes.phone);
  await page.goto(await lessonPathFor(page));
  const button = page.getByRole('button', { name: 'Lessons' });
  await expect(page.locator('.sidebar')).toBeHidden();
  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('.sidebar')).toBeVisible();
  await expect(page.locator('.sidebar a[aria-current="page"]')).toBeFocused();
  await page.screenshot({ path: `${DIR}/lesson-light-phone-nav.png` });
  await page.keyboard.press('Escape');
  await expect(page.locator('.sidebar')).toBeHidden();
});

test('expanded lab fills the window', async ({ page }) => {
  await page.setViewportSize(sizes.desktop);
  await page.goto(await lessonPathFor(page));
  const lab = await openLab(page);
  await run(page, 'kubectl get pods -o wide');
  await lab.getByRole('button', { name: 'Expand' }).click();
  const box = (await lab.locator('.lab').boundingBox())!;
  expect(box.width).toBeGreaterThan(sizes.desktop.width - 40);
  await page.screenshot({ path: `${DIR}/lesson-light-desktop-expanded.png` });
  await lab.getByRole('button', { name: 'Collapse' }).click();
  expect((await lab.locator('.lab').boundingBox())!.width).toBeLessThan(sizes.desktop.width / 1.5);
});
