/**
 * The lab panel operated as a learner would: a typed answer, a choice made with the keyboard,
 * a prediction locked in and then revealed in the terminal, a hint and what it costs, a
 * solution shown after its confirmation and typed in with its steps' buttons, and a task
 * passed by a terminal command, announced with a "Show" button that reaches it.
 *
 * Which task takes which input, the right answers, the commands that pass a task and what the
 * session says back are worked out in Node by the same lab session, headless, for the seed the
 * page chose (lab-model.ts); nothing about a particular lesson is written here.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { enterTyped, LAB, labSeed, lessonPathFor, openLab, run, taskItem } from './helpers';
import { LabModel, shown } from './lab-model';

async function start(page: Page): Promise<{ lab: Locator; model: LabModel }> {
  await page.goto(await lessonPathFor(page));
  const lab = await openLab(page);
  const model = await LabModel.load(LAB, await labSeed(page));
  test.info().annotations.push({ type: 'seed', description: String(model.seed) });
  return { lab, model };
}

const points = (n: number): string => `${n} point${n === 1 ? '' : 's'}`;

test('a typed answer: a wrong one is explained, the right one passes', async ({ page }) => {
  const { lab, model } = await start(page);
  const found = await model.typedTask();
  test.skip(!found, 'no lab task takes a typed answer that passes by itself');
  const { task, value } = found!;
  const item = taskItem(page, task.id);
  const field = item.getByLabel('Your answer');
  const check = item.getByRole('button', { name: 'Check', exact: true });
  const h = await model.fresh();

  const wrong = h.session.answer(task.id, 'not-the-answer');
  await field.fill('not-the-answer');
  await check.click();
  await expect(item).toHaveAttribute('data-status', wrong.status);
  await expect(item.locator('[data-task-feedback]')).toHaveText(shown(wrong.feedback));
  await expect(item.locator('[data-task-feedback] code')).toHaveCount(wrong.feedback.split('`').length >> 1);
  await expect(item.locator('[data-task-status]')).toContainText('Not yet');
  await expect(check).toBeFocused(); // focus stays where the learner is

  // After enough wrong tries the solution is offered: its button stands out.
  await expect(item).not.toHaveAttribute('data-offered', '');
  let view = wrong;
  for (let i = 0; i < 5 && !view.solution.offered; i++) {
    view = h.session.answer(task.id, 'not-the-answer');
    await check.click();
    await expect(item.locator('[data-task-status]')).toContainText('Not yet');
  }
  if (view.solution.offered) await expect(item).toHaveAttribute('data-offered', '');
  await expect(item.getByRole('button', { name: 'Show solution' })).toBeEnabled();

  const right = h.session.answer(task.id, value);
  await field.fill(value);
  await field.press('Enter');
  await expect(item).toHaveAttribute('data-status', 'passed');
  await expect(item.locator('[data-task-status]')).toContainText('Passed');
  await expect(item.locator('[data-task-feedback]')).toHaveText(shown(right.feedback));
  await expect(item.locator('[data-task-points]')).toHaveText(`${right.earned} of ${points(right.points)}`);
  await expect(field).toBeHidden();
  // The field went away under the learner's focus: it moves to the feedback, not to the page.
  await expect(item.locator('[data-task-feedback]')).toBeFocused();
  await expect(lab.locator('[data-score]')).toHaveText(String(h.session.score().earned));
  await expect(lab.locator('[data-tasks-done]')).toHaveText('1');
  await expect(lab.locator('[data-announce]')).toContainText(`${right.title}: Passed.`);
});

test('a choice: options are a radio group, clicked by their text or chosen with the arrow keys', async ({ page }) => {
  const { model } = await start(page);
  const task = model.find((t) => t.input?.kind === 'choice')[0];
  test.skip(!task || task.input?.kind !== 'choice', 'no lab task is a choice');
  if (task?.input?.kind !== 'choice') return;
  const options = task.input.options;
  const h = await model.fresh();
  const right = (h.session.grader.expected(task.id) ?? '').split(',').filter(Boolean);
  expect(right.length).toBeGreaterThan(0);
  const item = taskItem(page, task.id);
  const role = task.input.multiple ? 'checkbox' : 'radio';
  const control = (o: { text: string }) => item.getByRole(role, { name: shown(o.text), exact: true });
  await expect(item.getByRole('group', { name: task.input.multiple ? 'Pick every right answer' : 'Pick one' })).toBeVisible();
  for (const o of options) await expect(control(o)).toBeEnabled();

  // A wrong option, picked by clicking its text: the option's own explanation comes back.
  const wrongOption = options.find((o) => !right.includes(o.id));
  if (wrongOption) {
    const wrong = h.session.answer(task.id, wrongOption.id);
    await item.getByText(shown(wrongOption.text), { exact: true }).click();
    await expect(control(wrongOption)).toBeChecked();
    await item.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(item).toHaveAttribute('data-status', 'failed');
    await expect(item.locator('[data-task-feedback]')).toHaveText(shown(wrong.feedback));
    if (task.input.multiple) await control(wrongOption).uncheck();
  }

  // The right one with the keyboard only: from the task, Tab into the group, arrows to move.
  await item.focus();
  await page.keyboard.press('Tab');
  if (!task.input.multiple) {
    const checked = options.findIndex((o) => o.id === wrongOption?.id);
    const target = options.findIndex((o) => o.id === right[0]);
    await expect(control(options[Math.max(0, checked)]!)).toBeFocused();
    const steps = (target - Math.max(0, checked) + options.length) % options.length;
    for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowDown');
    if (steps === 0) await page.keyboard.press('Space');
    await expect(control(options[target]!)).toBeFocused();
    await expect(control(options[target]!)).toBeChecked();
    for (const o of options) if (o !== options[target]) await expect(control(o)).not.toBeChecked();
  } else {
    for (const [i, o] of options.entries()) {
      await expect(control(o)).toBeFocused();
      if (right.includes(o.id)) await page.keyboard.press('Space');
      if (i < options.length - 1) await page.keyboard.press('Tab');
    }
  }
  await page.keyboard.press('Tab');
  await expect(item.getByRole('button', { name: 'Check', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  const passed = h.session.answer(task.id, right.join(','));
  await expect(item).toHaveAttribute('data-status', 'passed');
  await expect(item.locator('[data-task-feedback]')).toHaveText(shown(passed.feedback));
  for (const o of options) await expect(control(o)).toBeDisabled();
});

for (const variant of ['a typed value', 'one of its options'] as const) {
  test(`a prediction (${variant}): locked in, kept over a reload, then revealed by a command`, async ({ page }) => {
    const { lab, model } = await start(page);
    const task = model.find((t) => t.input?.kind === 'prediction' && !!t.input.options === (variant === 'one of its options'))[0];
    test.skip(!task, `no lab task is a prediction made with ${variant}`);
    if (task?.input?.kind !== 'prediction') return;
    const value = model.answerValue(task.id);
    expect(value, 'the solution locks in a prediction').toBeDefined();
    const commands = await model.commandsThatPass(task.id, (h) => h.session.answer(task.id, value!));
    expect(commands, 'a command of the solution reveals the prediction').toBeDefined();
    const h = await model.fresh();
    const locked = h.session.answer(task.id, value!);
    expect(locked.input?.kind === 'prediction' && locked.input.locked).toBe(value);

    const item = taskItem(page, task.id);
    if (task.input.options) {
      await item.getByRole('radio', { name: value, exact: true }).click();
    } else {
      await item.getByLabel('Your prediction').fill(value!);
    }
    await item.getByRole('button', { name: 'Lock in' }).click();
    const box = item.locator('[data-locked]');
    await expect(box).toBeVisible();
    await expect(box).toContainText(`Your prediction: ${value}, locked.`);
    await expect(box).toBeFocused();
    await expect(item.getByRole('button', { name: 'Lock in' })).toBeHidden();
    const next = (await box.locator('[data-locked-next]').textContent()) ?? '';
    expect(next.length).toBeGreaterThan(0);
    expect(shown(locked.feedback)).toContain(next.slice(1));
    await expect(lab.locator('[data-announce]')).toContainText(`Prediction locked in: ${value}.`);

    // A reload keeps the prediction locked.
    await page.reload();
    await openLab(page);
    await expect(taskItem(page, task.id).locator('[data-locked]')).toContainText(`Your prediction: ${value}, locked.`);

    for (const command of commands!) await run(page, command);
    await h.run(commands!);
    const revealed = h.task(task.id);
    expect(revealed.status).toBe('passed');
    await expect(item).toHaveAttribute('data-status', 'passed');
    await expect(box).toBeHidden();
    await expect(item.locator('[data-task-feedback]')).toHaveText(shown(revealed.feedback));
    await expect(lab.locator('[data-news-text]')).toContainText(`✓ ${task.title} passed`);
  });
}

test('a hint: revealed with its cost, and counted in the score', async ({ page }) => {
  const { lab, model } = await start(page);
  const found = await model.typedTask((t) => t.hints.total > 0 && (t.hints.nextCost ?? 0) > 0);
  test.skip(!found, 'no lab task with a costly hint takes a typed answer that passes by itself');
  const { task, value } = found!;
  const cost = task.hints.nextCost!;
  const h = await model.fresh();
  const hinted = h.session.hint(task.id);
  const item = taskItem(page, task.id);

  await expect(item.locator('[data-hint-count]')).toHaveText(`${task.hints.total} hint${task.hints.total === 1 ? '' : 's'}`);
  await expect(lab.locator('[data-score-extra]')).toBeHidden();
  await item.getByRole('button', { name: `Hint (−${points(cost)})` }).click();
  await expect(item.locator('[data-task-hints] li')).toHaveCount(1);
  await expect(item.locator('[data-task-hints] li').first()).toHaveText(`Hint 1 ${shown(hinted.hints.shown[0]!)}`);
  await expect(item.locator('[data-hint-count]')).toHaveText(`1 of ${task.hints.total} hint${task.hints.total === 1 ? '' : 's'} taken (−${points(cost)})`);
  await expect(item.locator('[data-task-points]')).toHaveText(`up to ${task.points - cost} of ${points(task.points)}`);
  await expect(lab.locator('[data-score-extra]')).toHaveText(`1 hint taken (−${points(cost)})`);
  await expect(lab.locator('[data-announce]')).toContainText(`Hint 1 of ${task.hints.total}: ${hinted.hints.shown[0]}`);
  if (task.hints.total > 1) await expect(item.getByRole('button', { name: /^Hint \(/ })).toBeFocused();
  else await expect(item.locator('[data-task-hints] li').first()).toBeFocused();

  h.session.answer(task.id, value);
  await item.getByLabel('Your answer').fill(value);
  await item.getByLabel('Your answer').press('Enter');
  await expect(item).toHaveAttribute('data-status', 'passed');
  await expect(item.locator('[data-task-points]')).toHaveText(`${task.points - cost} of ${points(task.points)}`);
  await expect(lab.locator('[data-score]')).toHaveText(String(h.session.score().earned));
  expect(h.session.score().earned).toBe(task.points - cost);
  await expect(item.getByRole('button', { name: /^Hint \(/ })).toBeHidden();
});

test('a solution: its cost confirmed first, then its steps typed into the terminal by their buttons', async ({ page }) => {
  const { lab, model } = await start(page);
  const task = await model.solvedByItsSolution();
  test.skip(!task, 'no lab task is passed by its own solution steps alone');
  const h = await model.fresh();
  const solution = h.session.showSolution(task!.id).solution.shown!;
  const item = taskItem(page, task!.id);
  const show = item.getByRole('button', { name: 'Show solution' });
  const dialog = page.getByRole('dialog', { name: 'Show the solution?' });

  // Cancel changes nothing.
  await show.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`costs this task's ${points(task!.solution.cost)}`);
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(show).toBeFocused();
  await expect(item.locator('[data-task-solution]')).toBeHidden();

  await show.click();
  await dialog.getByRole('button', { name: 'Show solution' }).click();
  const block = item.locator('[data-task-solution]');
  await expect(block).toBeVisible();
  await expect(block).toBeFocused();
  await expect(block.locator('[data-solution-text]')).toHaveText(shown(solution.text));
  await expect(block.locator('[data-solution-steps] code')).toHaveText(solution.steps);
  await expect(show).toBeHidden();
  await expect(item.locator('[data-task-points]')).toHaveText(`0 of ${points(task!.points)}: solution shown`);
  await expect(lab.locator('[data-score-extra]')).toHaveText('1 solution shown');

  for (const step of solution.steps) {
    await block.getByRole('button', { name: `Type it in the terminal: ${step}` }).click();
    await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest('.xterm'))).toBe(true);
    await enterTyped(page, step);
  }
  await h.run(solution.steps);
  await expect(item).toHaveAttribute('data-status', 'passed');
  await expect(item.locator('[data-task-points]')).toHaveText(`0 of ${points(task!.points)}`);
  await expect(lab.locator('[data-score]')).toHaveText(String(h.session.score().earned));
});

test('a task passed by a terminal command is announced, and "Show" reaches it in one Tab', async ({ page }) => {
  const { lab, model } = await start(page);
  const found = await model.passedByCommands();
  const task = found?.task;
  const commands = found?.commands;
  test.skip(!task, 'no lab task graded from the sandbox is passed by commands alone');
  const h = await model.fresh();
  await h.run(commands!);
  const named = h.session.tasks().find((t) => t.status === 'passed')!;
  const waiting = model.dependents(task!.id);

  for (const d of waiting) {
    const item = taskItem(page, d.id);
    await expect(item).toHaveAttribute('data-open', 'false');
    await expect(item.locator('[data-task-status]')).toContainText('Locked');
    await expect(item.locator('[data-task-waits]')).toContainText(`Opens after “${task!.title}”`);
    for (const control of await item.locator('input, button').all()) await expect(control).toBeDisabled();
  }
  const news = lab.locator('[data-news-text]');
  await expect(news).toHaveText(`Next: ${model.tasks.find((t) => t.open)!.title}`);

  // "Check now" before doing anything: the model says why it does not pass yet.
  const early = (await model.fresh()).session.check(task!.id);
  await taskItem(page, task!.id).getByRole('button', { name: 'Check now' }).click();
  await expect(taskItem(page, task!.id)).toHaveAttribute('data-status', early.status);
  await expect(taskItem(page, task!.id).locator('[data-task-feedback]')).toHaveText(shown(early.feedback));
  await expect(lab.locator('[data-announce]')).toContainText(`${task!.title}: ${early.status === 'failed' ? 'Not yet' : 'To do'}.`);

  for (const command of commands!) await run(page, command);
  await expect(taskItem(page, task!.id)).toHaveAttribute('data-status', 'passed');
  await expect(news).toContainText(`✓ ${named.title} passed`);
  await expect(lab.locator('[data-announce]')).toContainText(`${named.title}: Passed.`);
  // Nothing took the focus away from the terminal.
  expect(await page.evaluate(() => !!document.activeElement?.closest('.xterm'))).toBe(true);
  for (const d of waiting) {
    const item = taskItem(page, d.id);
    await expect(item).toHaveAttribute('data-open', 'true');
    await expect(item.locator('[data-task-waits]')).toBeHidden();
    await expect(item.locator('[data-task-status]')).not.toContainText('Locked');
  }

  // Out of the terminal with Esc then Tab: the next stop is "Show".
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  const show = lab.getByRole('button', { name: `Show task: ${named.title}` });
  await expect(show).toBeFocused();
  await page.keyboard.press('Enter');
  const item = taskItem(page, named.id);
  await expect(item).toBeFocused();
  await expect(item).toBeInViewport();
  // Clear of the terminal pinned below it (the docked layout).
  const itemBox = (await item.locator('.task-head').boundingBox())!;
  const workspaceBox = (await lab.locator('.lab-workspace').boundingBox())!;
  expect(itemBox.y + itemBox.height).toBeLessThanOrEqual(workspaceBox.y + 1);
});
