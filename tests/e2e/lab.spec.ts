/**
 * A learner's whole path through a lesson's lab: the lab's stored solution done on the page,
 * line by line, the way a learner would do it: an `answer` for a task that takes input goes
 * through the panel (the text field, the choice, the prediction's "Lock in"), every other
 * line is typed into the terminal. Every task passes, the score is full and the lesson is
 * marked complete; a reload keeps everything; Reset brings the lab back to its start.
 *
 * The solution, the values it types and which task each line passes come from the same lab
 * session run headless for the page's seed (lab-model.ts), so the test follows the lab.
 */
import { expect, test, type Page } from '@playwright/test';
import { LAB, labSeed, lessonPathFor, openLab, panel, run, taskItem, terminalLines } from './helpers';
import { LabModel, parseAnswer } from './lab-model';

/** Does an `answer` line in the panel, as a learner would. */
async function answerInPanel(page: Page, model: LabModel, taskId: string, value: string): Promise<void> {
  const view = model.view(taskId);
  const item = taskItem(page, taskId);
  const input = view.input!;
  if (input.kind === 'text') {
    await item.getByLabel('Your answer').fill(value);
    await item.getByRole('button', { name: 'Check', exact: true }).click();
  } else if (input.kind === 'choice') {
    const ids = value.split(/[\s,]+/).filter(Boolean);
    for (const o of input.options) {
      const control = item.getByRole(input.multiple ? 'checkbox' : 'radio', { name: o.text.replace(/`/g, ''), exact: true });
      if (ids.includes(o.id)) await control.check();
    }
    await item.getByRole('button', { name: 'Check', exact: true }).click();
  } else {
    if (input.options) await item.getByRole('radio', { name: value, exact: true }).check();
    else await item.getByLabel('Your prediction').fill(value);
    await item.getByRole('button', { name: 'Lock in' }).click();
    await expect(item.locator('[data-locked]')).toContainText(`Your prediction: ${value}, locked.`);
  }
}

test('complete the lab through the panel and the terminal, reload, reset', async ({ page }) => {
  test.setTimeout(180_000);
  const path = await lessonPathFor(page);
  await page.goto(path);
  const lab = await openLab(page);
  const model = await LabModel.load(LAB, await labSeed(page));
  test.info().annotations.push({ type: 'seed', description: String(model.seed) });
  expect(model.tasks.length).toBeGreaterThan(0);

  for (const t of model.tasks) {
    await expect(taskItem(page, t.id)).toHaveAttribute('data-status', 'pending');
    await expect(taskItem(page, t.id)).toHaveAttribute('data-open', String(t.open));
  }
  await expect(lab.locator('[data-score]')).toHaveText('0');
  await expect(lab.locator('[data-tasks-total]')).toHaveText(String(model.tasks.length));

  let commands = 0;
  for (const step of model.plan) {
    const answer = parseAnswer(step.line);
    if (answer && model.view(answer.task).input) {
      await answerInPanel(page, model, answer.task, answer.value);
    } else {
      await run(page, step.line);
      commands++;
    }
    for (const id of step.passed) await expect(taskItem(page, id), `${step.line} passes ${id}`).toHaveAttribute('data-status', 'passed');
  }

  for (const t of model.tasks) await expect(taskItem(page, t.id)).toHaveAttribute('data-status', 'passed');
  const total = model.tasks.reduce((n, t) => n + t.points, 0);
  await expect(lab.locator('[data-score]')).toHaveText(String(total));
  await expect(lab.locator('[data-score-total]')).toHaveText(String(total));
  await expect(lab.locator('[data-score-extra]')).toBeHidden();
  await expect(lab.locator('[data-complete-banner]')).toBeVisible();
  await expect(lab.locator('[data-news-text]')).toHaveText('✓ Every task passed.');
  await expect(page.locator(`.sidebar [data-progress-lesson]`).filter({ has: page.locator('[aria-current="page"]') })).toHaveAttribute('data-complete', '');

  // Reload: task states, the seed and the terminal's history are kept.
  await page.reload();
  const again = await openLab(page);
  for (const t of model.tasks) await expect(taskItem(page, t.id)).toHaveAttribute('data-status', 'passed');
  await expect(again.locator('[data-score]')).toHaveText(String(total));
  await expect.poll(() => terminalLines(page)).toContain(`(restored your lab: ${commands} command${commands === 1 ? '' : 's'})`);
  expect(await labSeed(page)).toBe(model.seed);
  const last = model.plan.filter((s) => !(parseAnswer(s.line) && model.view(parseAnswer(s.line)!.task).input)).at(-1);
  if (last) {
    await again.locator('.xterm').click();
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await terminalLines(page)).at(-1)).toMatch(new RegExp(`[$#] ${last.line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await page.keyboard.press('Control+C');
  }

  // The home page marks the lesson complete.
  await page.goto('/');
  await expect(page.locator(`.lesson-card:has(a[data-labs~="${LAB}"])`)).toHaveAttribute('data-complete', '');
  await expect(page.locator(`.lesson-card:has(a[data-labs~="${LAB}"]) [data-progress-text]`)).toHaveText('Done');

  // Reset: confirm, everything back to the start.
  await page.goto(path);
  const fresh = await openLab(page);
  await fresh.getByRole('button', { name: 'Reset' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reset this lab?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Reset lab' }).click();
  for (const t of model.tasks) {
    await expect(taskItem(page, t.id)).toHaveAttribute('data-status', 'pending');
    await expect(taskItem(page, t.id)).toHaveAttribute('data-open', String(t.open));
  }
  await expect(fresh.locator('[data-score]')).toHaveText('0');
  await expect(fresh.locator('[data-complete-banner]')).toBeHidden();
  await expect.poll(async () => (await terminalLines(page)).join('\n')).not.toContain('restored your lab');
  const typed = model.find((t) => t.input?.kind === 'text')[0];
  if (typed) {
    await expect(taskItem(page, typed.id).getByLabel('Your answer')).toBeEnabled();
    await expect(taskItem(page, typed.id).getByLabel('Your answer')).toHaveValue('');
  }
  const afterReset = await run(page, 'kubectl get pods -o wide');
  expect(afterReset.some((l) => l.startsWith('NAME '))).toBe(true);

  await page.reload();
  await openLab(page);
  for (const t of model.tasks) await expect(panel(page).locator(`[data-task-id="${t.id}"]`)).toHaveAttribute('data-status', 'pending');
  await expect.poll(() => terminalLines(page)).toContain('(restored your lab: 1 command)');
});
