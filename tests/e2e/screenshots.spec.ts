/**
 * Screenshots of the lesson page (light and dark, desktop and phone) and the home page, for a
 * person to look at: test-results/screenshots/*.png. They also check the layout rules: on a
 * wide screen the lab docks to the right of the text; on a phone it sits below at full width.
 * The lab panel is shown in each of its states (a choice answered wrongly, a prediction locked
 * in, a hint revealed, the solution's confirmation and the solution, a task passed from the
 * terminal and announced under it), with tasks picked from the lab itself (lab-model.ts).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { LAB, labSeed, lessonPathFor, openLab, run, taskItem } from './helpers';
import { LabModel } from './lab-model';

const DIR = 'test-results/screenshots';
const sizes = {
  desktop: { width: 1440, height: 900 },
  wide: { width: 1920, height: 1080 },
  phone: { width: 390, height: 844 },
} as const;

for (const scheme of ['light', 'dark'] as const) {
  // One wide screenshot (light) is enough.
  const shown = scheme === 'light' ? (['desktop', 'phone', 'wide'] as const) : (['desktop', 'phone'] as const);
  for (const size of shown) {
    test(`lesson ${scheme} ${size}`, async ({ page }) => {
      await page.setViewportSize(sizes[size]);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(await lessonPathFor(page));
      await page.screenshot({ path: `${DIR}/lesson-${scheme}-${size}-top.png` });
      const lab = await openLab(page);
      const model = await LabModel.load(LAB, await labSeed(page));
      await run(page, 'kubectl get pods -o wide');
      const typed = await model.typedTask();
      if (typed) await run(page, `answer ${typed.task.id} ${typed.value}`);

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

const panelSizes = {
  desktop: { width: 1366, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** Brings a task into view the way "Show" does, and waits for scrolling to settle. */
async function reveal(page: Page, item: Locator): Promise<void> {
  await item.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForFunction(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))));
}

// One page per size; each state is photographed in both themes.
for (const size of ['desktop', 'phone'] as const) {
  test(`lab panel states ${size}, light and dark`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(panelSizes[size]);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(await lessonPathFor(page));
    const lab = await openLab(page);
    const model = await LabModel.load(LAB, await labSeed(page));
    const shot = async (name: string): Promise<void> => {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        await page.screenshot({ path: `${DIR}/panel-${scheme}-${size}-${name}.png` });
      }
    };
    if (size === 'phone') await lab.locator('.lab-tasks').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('start');

    // A choice, answered wrongly (its option explains itself).
    const choice = model.find((t) => t.input?.kind === 'choice')[0];
    if (choice?.input?.kind === 'choice') {
      const item = taskItem(page, choice.id);
      const h = await model.fresh();
      const right = h.session.grader.expected(choice.id) ?? '';
      const wrong = choice.input.options.find((o) => !right.split(',').includes(o.id)) ?? choice.input.options[0]!;
      await item.getByRole(choice.input.multiple ? 'checkbox' : 'radio', { name: wrong.text.replace(/`/g, ''), exact: true }).check();
      await item.getByRole('button', { name: 'Check', exact: true }).click();
      await expect(item).toHaveAttribute('data-status', 'failed');
      await reveal(page, item);
      await shot('choice');
    }

    // A prediction, locked in.
    const prediction = model.find((t) => t.input?.kind === 'prediction')[0];
    if (prediction) {
      const item = taskItem(page, prediction.id);
      const value = model.answerValue(prediction.id) ?? '1';
      if (prediction.input?.kind === 'prediction' && prediction.input.options) await item.getByRole('radio', { name: value, exact: true }).check();
      else await item.getByLabel('Your prediction').fill(value);
      await item.getByRole('button', { name: 'Lock in' }).click();
      await expect(item.locator('[data-locked]')).toBeVisible();
      await reveal(page, item);
      await shot('prediction-locked');
    }

    // A hint, revealed (and the score line counting it).
    const hinted = model.find((t) => t.hints.total > 0 && !t.takesAnswer)[0] ?? model.find((t) => t.hints.total > 0)[0];
    if (hinted) {
      const item = taskItem(page, hinted.id);
      await item.getByRole('button', { name: /^Hint \(/ }).click();
      await expect(item.locator('[data-task-hints] li')).toHaveCount(1);
      await reveal(page, item);
      await shot('hint');
    }

    // The solution: its confirmation, then the solution with its steps.
    const solved = await model.solvedByItsSolution();
    if (solved) {
      const item = taskItem(page, solved.id);
      await reveal(page, item);
      await item.getByRole('button', { name: 'Show solution' }).click();
      await expect(page.getByRole('dialog', { name: 'Show the solution?' })).toBeVisible();
      await shot('solution-dialog');
      await page.getByRole('dialog').getByRole('button', { name: 'Show solution' }).click();
      await expect(item.locator('[data-task-solution]')).toBeVisible();
      await reveal(page, item);
      await shot('solution');
    }

    // A task passed by a terminal command: announced under the terminal.
    const passing = await model.passedByCommands();
    if (passing) {
      for (const command of passing.commands) await run(page, command);
      await expect(lab.locator('[data-news-text]')).toContainText('passed');
      if (size === 'phone') await lab.locator('.lab-workspace').evaluate((el) => el.scrollIntoView({ block: 'end' }));
      await shot('announced');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect(lab.locator('[data-task-id]:focus')).toHaveCount(1);
      await shot('shown');
    }
  });
}
