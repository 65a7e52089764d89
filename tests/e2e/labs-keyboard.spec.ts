/**
 * Every lab of the course completed with the keyboard alone, as a learner who does not use a
 * mouse would: from the top of the lesson, the skip link to the terminal; enter each line of
 * the lab's stored solution there (the first typed key by key, the rest each committed as one
 * text input, as an input method or a paste does), and answer the first task of each input
 * kind in the panel (a text field typed into, a choice picked with the arrow keys, a prediction
 * locked in),
 * moving between the terminal and the panel with Escape, then Tab or Shift+Tab (whichever is
 * shorter); later answers are typed at the prompt (`answer TASK VALUE`). Every task passes
 * and the score is full.
 *
 * Then the finished lab is photographed for a person to look at, light and dark, desktop and
 * phone: test-results/screenshots/lab-<id>-<scheme>-<size>.png.
 *
 * The lines, the answers and which task each line passes come from the same lab session run
 * headless for the page's seed (lab-model.ts), so the test follows the labs as they change.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { LABS } from '../../labs/index';
import { labSeed, lessonPathFor, openLab, panel, taskItem, terminalLines, terminalState } from './helpers';
import { LabModel, parseAnswer } from './lab-model';
import { needsMore } from '../../src/shell/tokenize';

// Each lab is its own test on its own page: the workers share them out.
test.describe.configure({ mode: 'parallel' });

const DIR = 'test-results/screenshots';
const PROMPT_ONLY = /[$#]$/;
/** bash's PS2, waiting for the rest of a command. */
const PS2_ONLY = /^>\s*$/;

const isInTerminal = (page: Page, labId: string): Promise<boolean> =>
  page.evaluate((id) => !!document.activeElement?.closest(`lab-panel[data-lab-id="${id}"] .xterm`), labId);

/**
 * From the top of the page: "Skip to the lab's terminal" (the second skip link) when the lab is
 * the lesson's first, else "Skip to content" and Tab until the lab's terminal has the focus.
 */
async function tabToTerminal(page: Page, labId: string): Promise<void> {
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    (document.activeElement as HTMLElement | null)?.blur();
  });
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  const skip = page.getByRole('link', { name: "Skip to the lab's terminal" });
  if ((await skip.getAttribute('href')) === `#lab-${labId}-terminal`) {
    await page.keyboard.press('Tab');
    await expect(skip).toBeFocused();
    await page.keyboard.press('Enter');
    await expect.poll(() => isInTerminal(page, labId), { message: 'the skip link leads into the terminal' }).toBe(true);
    return;
  }
  await page.keyboard.press('Enter');
  await tabTo(page, panel(page, labId).locator('.xterm:visible .xterm-helper-textarea'));
}

/**
 * How many presses of Tab (or Shift+Tab, `back`) move the focus from where it is to the first
 * of `els`, reckoned in the page from the sequential focus order: focusable elements in document
 * order that are rendered, enabled and not inert, with one stop per radio group (its checked
 * radio, else its first going forward and its last going back). Undefined when the target is
 * not in that order. Only a guess: the caller presses that many times, then checks.
 */
function tabDistance(els: Element[], back: boolean): number | undefined {
  const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';
  const all = [...document.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && !el.closest('[inert]') && el.checkVisibility({ visibilityProperty: true }),
  );
  const stops = all.filter((el) => {
    if (!(el instanceof HTMLInputElement) || el.type !== 'radio' || !el.name) return true;
    const group = all.filter((o) => o instanceof HTMLInputElement && o.type === 'radio' && o.name === el.name && o.form === el.form) as HTMLInputElement[];
    const checked = group.find((o) => o.checked);
    return checked ? el === checked : el === (back ? group.at(-1) : group[0]);
  });
  const at = stops.indexOf(document.activeElement as HTMLElement);
  const targets = els.map((e) => stops.indexOf(e as HTMLElement)).filter((i) => i >= 0);
  if (at < 0 || targets.length === 0) return undefined;
  return Math.min(...targets.map((t) => (back ? at - t : t - at) + stops.length).map((d) => d % stops.length));
}

/**
 * Moves the focus to `target` (or, for a group, one of its elements) with Tab or Shift+Tab,
 * whichever takes fewer presses, as a keyboard user who can see the page would; fails if it
 * never gets there. The presses are counted in the page first and sent together, then checked,
 * and Tab is pressed one at a time after that if the count was off.
 */
async function tabTo(page: Page, target: Locator): Promise<void> {
  const focused = (): Promise<boolean> => target.evaluateAll((els) => els.some((el) => el === document.activeElement));
  const forward = await target.evaluateAll(tabDistance, false);
  const backward = await target.evaluateAll(tabDistance, true);
  const [key, guess] = backward !== undefined && (forward === undefined || backward < forward) ? ['Shift+Tab', backward] : ['Tab', forward];
  if (guess !== undefined && guess < 300) {
    for (let i = 0; i < guess; i++) await page.keyboard.press(key);
  }
  for (let i = 0; i < 300; i++) {
    if (await focused()) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('not reachable with Tab');
}

/**
 * Enters a line at the terminal's prompt (the terminal has the focus) and waits for the prompt
 * to return: the shell's own, or `> ` when the line leaves a here-document or a quote open.
 * A `sleep N` may take its N seconds. The first line is typed key by key; later ones go in as
 * one text input each (as an input method or a paste commits them), since a render per key
 * would triple the page's work and tell nothing the first line has not; Enter is a key press.
 */
async function typeLine(page: Page, labId: string, line: string, continues: boolean, byKeys: boolean): Promise<void> {
  const before = (await terminalLines(page, labId)).length;
  if (byKeys) await page.keyboard.type(line);
  else await page.keyboard.insertText(line);
  await page.keyboard.press('Enter');
  const sleep = /^sleep (\d+)$/.exec(line);
  await expect
    .poll(
      async () => {
        const { lines, busy } = await terminalState(page, labId);
        const last = lines.at(-1) ?? '';
        if (continues) return lines.length > before && PS2_ONLY.test(last);
        return !busy && lines.length > before && PROMPT_ONLY.test(last);
      },
      { timeout: 30_000 + (sleep ? Number(sleep[1]) * 1000 : 0), intervals: [25, 50, 100], message: `command did not finish: ${line}` },
    )
    .toBe(true);
}

/** Leaves the terminal (Escape), then Tabs to the task's control and answers with keys only. */
async function answerByKeyboard(page: Page, labId: string, model: LabModel, taskId: string, value: string): Promise<void> {
  const item = taskItem(page, taskId, labId);
  const input = model.view(taskId).input!;
  await page.keyboard.press('Escape');
  if (input.kind === 'text') {
    const field = item.getByLabel('Your answer');
    await tabTo(page, field);
    await page.keyboard.type(value);
    await page.keyboard.press('Enter');
  } else if (input.kind === 'choice') {
    const ids = value.split(/[\s,]+/).filter(Boolean);
    const role = input.multiple ? 'checkbox' : 'radio';
    const controls = input.options.map((o) => item.getByRole(role, { name: o.text.replace(/`/g, ''), exact: true }));
    await tabTo(page, input.multiple ? controls[0]! : item.getByRole('radio'));
    if (input.multiple) {
      for (const [i, o] of input.options.entries()) {
        if (i > 0) await page.keyboard.press('Tab');
        if (ids.includes(o.id)) await page.keyboard.press('Space');
      }
    } else {
      // A radio group: arrow keys move and select; the group starts at its first option.
      const want = input.options.findIndex((o) => ids.includes(o.id));
      for (let i = 0; i < input.options.length + 1; i++) {
        if (await controls[want]!.isChecked()) break;
        await page.keyboard.press('ArrowDown');
      }
      await expect(controls[want]!).toBeChecked();
    }
    await tabTo(page, item.getByRole('button', { name: 'Check', exact: true }));
    await page.keyboard.press('Enter');
  } else {
    if (input.options) {
      const option = item.getByRole('radio', { name: value, exact: true });
      await tabTo(page, item.getByRole('radio'));
      for (let i = 0; i < input.options.length + 1 && !(await option.isChecked()); i++) await page.keyboard.press('ArrowDown');
      await expect(option).toBeChecked();
    } else {
      await tabTo(page, item.getByLabel('Your prediction'));
      await page.keyboard.type(value);
    }
    await tabTo(page, item.getByRole('button', { name: 'Lock in' }));
    await page.keyboard.press('Enter');
    await expect(item.locator('[data-locked]')).toContainText(`Your prediction: ${value}, locked.`);
  }
  // Back to the terminal.
  await tabTo(page, panel(page, labId).locator('.xterm:visible .xterm-helper-textarea'));
  expect(await isInTerminal(page, labId), 'the terminal is reachable again by keyboard').toBe(true);
}

for (const def of LABS.filter((l) => l.tasks.length > 0)) {
  test(`lab ${def.id}: completed by keyboard alone, then photographed`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(await lessonPathFor(page, def.id));
    const lab = await openLab(page, def.id);
    const model = await LabModel.load(def.id, await labSeed(page, def.id));
    test.info().annotations.push({ type: 'seed', description: String(model.seed) });

    await tabToTerminal(page, def.id);
    // The first task of each input kind is answered in the panel; later ones at the prompt
    // (`answer TASK VALUE`), as a keyboard user who knows the way would.
    const viaPanel = new Set<string>();
    let pending: string | null = null;
    let typedOne = false;
    for (const step of model.plan) {
      const starts = pending === null;
      pending = pending === null ? step.line : `${pending}\n${step.line}`;
      const continues = needsMore(pending);
      if (!continues) pending = null;
      const answer = starts && !continues ? parseAnswer(step.line) : undefined;
      const input = answer && model.view(answer.task).input;
      const kind = input ? `${input.kind}${input.kind === 'choice' && input.multiple ? '-multiple' : ''}${input.kind === 'prediction' && input.options ? '-options' : ''}` : '';
      if (answer && input && !viaPanel.has(kind)) {
        viaPanel.add(kind);
        await answerByKeyboard(page, def.id, model, answer.task, answer.value);
      } else {
        await typeLine(page, def.id, step.line, continues, !typedOne);
        typedOne = true;
      }
      for (const id of step.passed) await expect(taskItem(page, id, def.id), `${step.line} passes ${id}`).toHaveAttribute('data-status', 'passed');
    }
    for (const t of model.tasks) await expect(taskItem(page, t.id, def.id)).toHaveAttribute('data-status', 'passed');
    const total = model.tasks.reduce((n, t) => n + t.points, 0);
    await expect(lab.locator('[data-score]')).toHaveText(String(total));
    await expect(lab.locator('[data-complete-banner]')).toBeVisible();

    for (const [size, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(viewport);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await lab.locator('[data-complete-banner]').scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${DIR}/lab-${def.id}-${scheme}-${size}.png` });
      }
    }
  });
}
