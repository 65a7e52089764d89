/**
 * The course as a course: the home page, the sidebar and the pager group the lessons that exist
 * by module and number them by position; each shows the learner's progress from the saved lab
 * scores; a lesson's lab opens straight from the home page. The expected outline is computed
 * from the lessons in content/ and the modules in src/ui/course.ts, so a new lesson changes
 * nothing here. Checked with and without JavaScript, on a phone, and with axe.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { parse } from 'yaml';
import { findLab } from '../../src/labs/catalog';
import { courseOutline, moduleName, moduleProgressText, summarize, type SavedLab } from '../../src/ui/course';
import { axeBuilder, inBothSchemes } from './helpers';

interface Lesson {
  id: string;
  order: number;
  title: string;
  labs: { id: string; tasks: number }[];
}

/** The lessons in content/, from their front matter. */
function lessons(): Lesson[] {
  return readdirSync('content')
    .filter((f) => /\.mdx?$/.test(f))
    .map((f) => {
      const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(`content/${f}`, 'utf8'))?.[1] ?? '';
      const data = parse(front) as { order: number; title: string; labs?: string[] };
      return { id: f.replace(/\.mdx?$/, ''), order: data.order, title: data.title, labs: (data.labs ?? []).map((id) => ({ id, tasks: findLab(id)!.tasks.length })) };
    });
}

const outline = courseOutline(lessons());
const withLabs = outline.lessons.filter((l) => l.lesson.labs.length > 0);
const tasksOf = (l: Lesson): number => l.labs.reduce((n, lab) => n + lab.tasks, 0);

/** The first lesson with labs complete, the second started (3 tasks passed), the rest untouched. */
function savedProgress(): Record<string, SavedLab> {
  const saved: Record<string, SavedLab> = {};
  for (const lab of withLabs[0]!.lesson.labs) saved[lab.id] = { passed: lab.tasks, total: lab.tasks, complete: true };
  const second = withLabs[1]!.lesson.labs[0]!;
  saved[second.id] = { passed: 3, total: second.tasks, complete: false };
  return saved;
}

async function withProgress(page: Page): Promise<void> {
  await page.addInitScript((labs) => localStorage.setItem('k8slabs:v1:progress', JSON.stringify({ labs, lessons: {} })), savedProgress());
}

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await axeBuilder(page).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
}

test.beforeAll(() => {
  // The progress tests need two lessons with labs; the course has had three since its start.
  expect(withLabs.length).toBeGreaterThanOrEqual(2);
});

test('the home page groups the lessons by module, numbered by position, each lab one click away', async ({ page }) => {
  await page.goto('/');
  const modules = page.locator('.course-module');
  await expect(modules).toHaveCount(outline.modules.length);
  for (const [i, { module, lessons: items }] of outline.modules.entries()) {
    const section = modules.nth(i);
    await expect(section.getByRole('heading', { level: 3 })).toHaveText(moduleName(module));
    await expect(section).toHaveAttribute('id', `module-${module.id}`);
    const cards = section.locator('.lesson-card');
    await expect(cards).toHaveCount(items.length);
    for (const [j, { lesson, number }] of items.entries()) {
      const link = cards.nth(j).locator('a[data-lesson-link]');
      await expect(link).toHaveText(`Lesson ${number}: ${lesson.title}`);
      await expect(link).toHaveAttribute('href', `/lessons/${lesson.id}/`);
      for (const lab of lesson.labs) await expect(cards.nth(j).locator(`a[href="/lessons/${lesson.id}/#lab-${lab.id}"]`)).toBeVisible();
    }
  }
  await expect(page.locator('.hero-meta')).toContainText(`${outline.modules.length} module${outline.modules.length === 1 ? '' : 's'} · ${outline.lessons.length} lessons`);

  // The lab link lands on the lab, which starts.
  const target = withLabs.at(-1)!.lesson;
  const lab = target.labs[0]!.id;
  await page.locator(`a[href="/lessons/${target.id}/#lab-${lab}"]`).click();
  await expect(page).toHaveURL(new RegExp(`/lessons/${target.id}/#lab-${lab}$`));
  const panel = page.locator(`lab-panel#lab-${lab}`);
  await expect(panel.locator('.lab-title')).toBeInViewport();
  await expect(panel).toHaveAttribute('data-ready', '', { timeout: 30_000 });
});

test('a lesson page says its module and place; the sidebar and the pager follow the modules', async ({ page }) => {
  const { lesson, number, module } = outline.lessons[1] ?? outline.lessons[0]!;
  await page.goto(`/lessons/${lesson.id}/`);
  const kicker = page.locator('.lesson-kicker');
  await expect(kicker).toContainText(`Lesson ${number} of ${outline.lessons.length}`);
  await expect(kicker.getByRole('link', { name: moduleName(module) })).toHaveAttribute('href', `/#module-${module.id}`);
  // A lesson with a lab keeps the sidebar behind the Lessons button on this screen.
  const sidebar = page.locator('.sidebar');
  if (!(await sidebar.isVisible())) await page.getByRole('button', { name: 'Lessons' }).click();
  await expect(sidebar.locator('.sidebar-module')).toHaveCount(outline.modules.length);
  for (const [i, { module: m, lessons: items }] of outline.modules.entries()) {
    const group = sidebar.locator('.sidebar-module').nth(i);
    await expect(group.getByRole('heading')).toHaveText(moduleName(m));
    await expect(group.locator('.sidebar-item')).toHaveCount(items.length);
    await expect(group.getByRole('list')).toHaveAccessibleName(moduleName(m));
  }
  await expect(sidebar.locator('a[aria-current="page"]')).toContainText(`Lesson ${number}: ${lesson.title}`);
  const prev = outline.lessons[number - 2];
  const next = outline.lessons[number];
  const pager = page.locator('.pager');
  if (prev) {
    await expect(pager.locator('a[rel="prev"]')).toContainText(`Lesson ${prev.number}: ${prev.lesson.title}`);
    await expect(pager.locator('a[rel="prev"] .pager-module')).toHaveText(moduleName(prev.module));
    await expect(pager.locator('a[rel="prev"] .pager-dir')).toHaveText(prev.module === module ? /^\W*Previous:\s*$/ : /^\W*Previous module:\s*$/);
  }
  if (next) {
    await expect(pager.locator('a[rel="next"]')).toContainText(`Lesson ${next.number}: ${next.lesson.title}`);
    await expect(pager.locator('a[rel="next"] .pager-dir')).toHaveText(next.module === module ? /^\s*Next:\W*$/ : /^\s*Next module:\W*$/);
  }
});

test('progress per lesson and per module, from the saved lab scores', async ({ page }) => {
  await withProgress(page);
  await page.goto('/');
  const saved = savedProgress();
  const [done, started] = withLabs;
  const card = (id: string) => page.locator(`.lesson-card[data-progress-lesson="${id}"]`);
  await expect(card(done!.lesson.id)).toHaveAttribute('data-progress-state', 'done');
  await expect(card(done!.lesson.id)).toHaveAttribute('data-complete', '');
  await expect(card(done!.lesson.id).locator('[data-progress-text]')).toHaveText('Done');
  await expect(card(started!.lesson.id)).toHaveAttribute('data-progress-state', 'started');
  await expect(card(started!.lesson.id).locator('[data-progress-text]')).toHaveText(`3 of ${tasksOf(started!.lesson)} tasks`);
  const width = await card(started!.lesson.id).locator('[data-progress-bar]').evaluate((el) => (el as HTMLElement).style.inlineSize);
  expect(width).toBe(`${Math.round((300 / tasksOf(started!.lesson)))}%`);
  for (const rest of withLabs.slice(2)) await expect(card(rest.lesson.id).locator('[data-progress-text]')).toHaveText('Not started');
  for (const { module, lessons: items } of outline.modules) {
    if (!items.some((l) => l.lesson.labs.length > 0)) continue;
    const expected = moduleProgressText(summarize(saved, items.map((l) => ({ labs: Object.fromEntries(l.lesson.labs.map((lab) => [lab.id, lab.tasks])) }))));
    await expect(page.locator(`#module-${module.id} .course-module-head [data-progress-text]`)).toHaveText(expected);
  }
  // The first button continues at the lesson begun and not finished.
  const go = page.locator('a[data-continue]');
  await expect(go).toHaveText(`Continue with lesson ${started!.number} →`);
  await expect(go).toHaveAttribute('href', `/lessons/${started!.lesson.id}/`);

  // The sidebar and the pager of the started lesson. On a phone its lab sits below the text and
  // does not start (a lab that starts records its own score, here a fresh one's, over this one).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/lessons/${started!.lesson.id}/`);
  if (!(await page.locator('.sidebar').isVisible())) await page.getByRole('button', { name: 'Lessons' }).click();
  const item = (id: string) => page.locator(`.sidebar-item[data-progress-lesson="${id}"]`);
  await expect(item(started!.lesson.id).locator('[data-progress-short]')).toHaveText(`3/${tasksOf(started!.lesson)}`);
  const name = (await item(started!.lesson.id).locator('a').evaluate((a) => a.textContent ?? '')).replace(/\s+/g, ' ');
  expect(name).toContain(`Lesson ${started!.number}: ${started!.lesson.title}`);
  await expect(item(started!.lesson.id).locator('a')).toHaveAccessibleName(new RegExp(`^Lesson ${started!.number}: .*, 3 of ${tasksOf(started!.lesson)} tasks$`));
  await expect(item(done!.lesson.id)).toHaveAttribute('data-complete', '');
  await expect(item(done!.lesson.id).locator('a')).toHaveAccessibleName(new RegExp(`, Done$`));
  const neighbours = page.locator(`.pager [data-progress-lesson="${done!.lesson.id}"] [data-progress-text]`);
  if (started!.number === done!.number + 1) await expect(neighbours).toHaveText('Done');
});

test('progress follows a lab scored in another tab', async ({ page }) => {
  await page.goto('/');
  const [first] = withLabs;
  const text = page.locator(`.lesson-card[data-progress-lesson="${first!.lesson.id}"] [data-progress-text]`);
  await expect(text).toHaveText('Not started');
  const lab = first!.lesson.labs[0]!;
  // Another tab writes the record; this one hears the storage event.
  const other = await page.context().newPage();
  await other.goto('/');
  await other.evaluate(({ id, tasks }) => localStorage.setItem('k8slabs:v1:progress', JSON.stringify({ labs: { [id]: { passed: 2, total: tasks, complete: false } }, lessons: {} })), lab);
  await expect(text).toHaveText(first!.lesson.labs.length === 1 ? `2 of ${lab.tasks} tasks` : /^2 of/);
  await other.close();
});

test('on a phone the course reads in one column without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await withProgress(page);
  await page.goto('/');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.goto(`/lessons/${withLabs[1]!.lesson.id}/`);
  await page.getByRole('button', { name: 'Lessons' }).click();
  await expect(page.locator('.sidebar')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('keyboard: Tab reaches each lesson and each lab link of the home page, with a visible focus', async ({ page }) => {
  await page.goto('/');
  const wanted = outline.lessons.flatMap(({ lesson }) => [`/lessons/${lesson.id}/`, ...lesson.labs.map((lab) => `/lessons/${lesson.id}/#lab-${lab.id}`)]);
  const reached: string[] = [];
  for (let i = 0; i < 80 && reached.length < wanted.length; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || !el.closest('.course-module')) return null;
      const style = getComputedStyle(el);
      const after = getComputedStyle(el, '::after');
      return { href: el.getAttribute('href'), outlined: style.outlineStyle !== 'none' || after.outlineStyle !== 'none' };
    });
    if (focus?.href) {
      reached.push(focus.href);
      expect(focus.outlined, `${focus.href} shows its focus`).toBe(true);
    }
  }
  expect(reached).toEqual(wanted);
});

test("axe: the course home and a lesson's sidebar with progress (light and dark)", async ({ page }) => {
  await withProgress(page);
  await page.goto('/');
  await expect(page.locator('[data-progress-state="started"]').first()).toBeVisible();
  expect(await inBothSchemes(page, () => seriousViolations(page))).toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/lessons/${withLabs[1]!.lesson.id}/`);
  await page.getByRole('button', { name: 'Lessons' }).click();
  await expect(page.locator('.sidebar')).toBeVisible();
  expect(await inBothSchemes(page, () => seriousViolations(page))).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the course outline reads and shows no progress it cannot know', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('.course-module')).toHaveCount(outline.modules.length);
    await expect(page.locator('.lesson-card a[data-lesson-link]').first()).toBeVisible();
    await expect(page.locator('.lesson-card-lab').first()).toBeVisible();
    for (const slot of await page.locator('[data-progress-slot]').all()) await expect(slot).toBeHidden();
    await expect(page.locator('a[data-continue]')).toHaveText('Start with lesson 1 →');
    await page.goto(`/lessons/${outline.lessons[0]!.lesson.id}/`);
    await expect(page.locator('.sidebar-module').first()).toBeVisible();
    for (const slot of await page.locator('[data-progress-slot]').all()) await expect(slot).toBeHidden();
  });
});

test('the first button continues after the last lesson done, and says Start again when all are done', async ({ page }) => {
  const [first] = withLabs;
  const after = outline.lessons[first!.number]; // the lesson after it, with a lab or not
  const labs = Object.fromEntries(first!.lesson.labs.map((l) => [l.id, { passed: l.tasks, total: l.tasks, complete: true }]));
  await page.addInitScript((saved) => localStorage.setItem('k8slabs:v1:progress', JSON.stringify({ labs: saved, lessons: {} })), labs);
  await page.goto('/');
  const go = page.locator('a[data-continue]');
  await expect(go).toHaveText(`Continue with lesson ${after!.number} →`);
  await expect(go).toHaveAttribute('href', `/lessons/${after!.lesson.id}/`);
  // Every lab complete: nothing to continue.
  const all = Object.fromEntries(withLabs.flatMap((l) => l.lesson.labs.map((lab) => [lab.id, { passed: lab.tasks, total: lab.tasks, complete: true }])));
  await page.evaluate((saved) => {
    localStorage.setItem('k8slabs:v1:progress', JSON.stringify({ labs: saved, lessons: {} }));
    window.dispatchEvent(new CustomEvent('k8slabs:progress'));
  }, all);
  if (withLabs.at(-1) === outline.lessons.at(-1)) await expect(go).toHaveText('Start with lesson 1 →');
  for (const { module } of outline.modules.filter((m) => m.lessons.some((l) => l.lesson.labs.length > 0))) {
    await expect(page.locator(`#module-${module.id} .course-module-head [data-progress-text]`)).toHaveText('Done');
  }
});
