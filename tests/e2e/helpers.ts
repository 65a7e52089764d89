/**
 * Shared steps for the browser tests: find a lesson by its lab, wait for the lab to be ready,
 * type into the terminal and read it back exactly (through the page's test hook).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { LabModel } from './lab-model';

export const LAB = 'three-pools';
/** A prompt line: the shell prompt with nothing typed after it. */
const PROMPT_ONLY = /[$#]$/;

declare global {
  interface Window {
    __labTerminals?: Record<string, { lines(): string[]; seed(): number }>;
  }
}

/** Lab id -> the lesson page that embeds it, as the home page's cards link them (per worker). */
const lessonOfLab = new Map<string, string>();

/**
 * The lesson page that embeds `labId`, found the way a learner would: from the home page's
 * lesson cards. The cards are read once per worker; later calls use what they said.
 */
export async function lessonPathFor(page: Page, labId: string = LAB): Promise<string> {
  if (!lessonOfLab.has(labId)) {
    await page.goto('/');
    await expect(page.locator(`.lesson-cards a[data-labs~="${labId}"]`).first()).toBeVisible();
    const cards = await page.locator('.lesson-cards a[data-labs]').evaluateAll((as) => as.map((a) => [a.getAttribute('data-labs') ?? '', a.getAttribute('href') ?? '']));
    for (const [labs, href] of cards) for (const id of labs!.split(/\s+/).filter(Boolean)) if (!lessonOfLab.has(id) && href) lessonOfLab.set(id, href);
  }
  const href = lessonOfLab.get(labId);
  if (!href) throw new Error(`no lesson links to lab ${labId}`);
  return href;
}

export function panel(page: Page, labId: string = LAB): Locator {
  return page.locator(`lab-panel[data-lab-id="${labId}"]`);
}

/** Scrolls the lab into view and waits until its terminal takes input. */
export async function openLab(page: Page, labId: string = LAB): Promise<Locator> {
  const p = panel(page, labId);
  await p.scrollIntoViewIfNeeded();
  await expect(p).toHaveAttribute('data-ready', '', { timeout: 20_000 });
  return p;
}

export async function terminalLines(page: Page, labId: string = LAB): Promise<string[]> {
  return page.evaluate((id) => window.__labTerminals?.[id]?.lines() ?? [], labId);
}

/** The terminal's lines and whether a command is running (the panel's data-busy), in one round trip. */
export async function terminalState(page: Page, labId: string = LAB): Promise<{ lines: string[]; busy: boolean }> {
  return page.evaluate(
    (id) => ({ lines: window.__labTerminals?.[id]?.lines() ?? [], busy: document.querySelector(`lab-panel[data-lab-id="${id}"]`)?.hasAttribute('data-busy') ?? false }),
    labId,
  );
}

/**
 * Clicks the terminal of the selected tab (the others are hidden). A click waits for the page to
 * paint two frames with the terminal in one place; when no frame comes for a long while (seen
 * once on a loaded CI machine, with the page otherwise answering), the test says so in its
 * output and gives the terminal the focus directly, since what is under test is the terminal.
 */
export async function focusTerminal(page: Page, labId: string = LAB): Promise<void> {
  const term = panel(page, labId).locator('.xterm:visible');
  try {
    await term.click({ timeout: 30_000 });
  } catch (e) {
    const frame = await page.evaluate(() => new Promise<string>((resolve) => {
      requestAnimationFrame(() => resolve('a frame came'));
      setTimeout(() => resolve('no frame within 2 s'), 2000);
    }));
    console.warn(`focusTerminal(${labId}): the click did not happen (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); ${frame}; focusing the terminal directly`);
    await term.locator('.xterm-helper-textarea').focus();
  }
}

/** Opens another terminal tab with "+" and waits for its prompt. */
export async function openTerminalTab(page: Page, labId: string = LAB): Promise<void> {
  const tabs = panel(page, labId).getByRole('tab');
  const count = await tabs.count();
  await panel(page, labId).getByRole('button', { name: 'Open another terminal' }).click();
  await expect(tabs).toHaveCount(count + 1);
  await expect.poll(async () => PROMPT_ONLY.test((await terminalLines(page, labId)).at(-1) ?? '')).toBe(true);
}

/** Selects terminal tab `n` (1-based). */
export async function selectTerminal(page: Page, n: number, labId: string = LAB): Promise<void> {
  const tab = panel(page, labId).getByRole('tab', { name: `Terminal ${n}`, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}

/**
 * Enters a command, presses Enter and waits for the prompt to come back. Returns its output
 * lines. The command goes in as one text input, as a paste or an input method commits text:
 * typed key by key it costs the page a render per character (about three times the renderer's
 * work for a lab's commands), and key-by-key typing is terminal.spec's subject.
 */
export async function run(page: Page, command: string, labId: string = LAB): Promise<string[]> {
  await focusTerminal(page, labId);
  const before = (await terminalLines(page, labId)).length;
  await page.keyboard.insertText(command);
  return enter(page, command, before, labId);
}

/**
 * Presses Enter in the terminal, where `command` is already typed (by a "Type it in" button),
 * and waits for the prompt to come back. Returns the command's output lines.
 */
export async function enterTyped(page: Page, command: string, labId: string = LAB): Promise<string[]> {
  await expect.poll(async () => (await terminalLines(page, labId)).at(-1) ?? '').toMatch(new RegExp(`[$#] ${escapeRegExp(command)}$`));
  const before = (await terminalLines(page, labId)).length;
  return enter(page, command, before, labId);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function enter(page: Page, command: string, before: number, labId: string): Promise<string[]> {
  await page.keyboard.press('Enter');
  let output: string[] = [];
  await expect
    .poll(
      async () => {
        const { lines, busy } = await terminalState(page, labId);
        // The command's own line: the last line (from where we started) that ends with it.
        let start = -1;
        for (let i = lines.length - 1; i >= Math.max(0, before - 1); i--) {
          if (lines[i]?.endsWith(command)) {
            start = i;
            break;
          }
        }
        const last = lines[lines.length - 1] ?? '';
        const done = !busy && start >= 0 && lines.length - 1 > start && PROMPT_ONLY.test(last);
        if (done) output = lines.slice(start + 1, lines.length - 1);
        return done;
      },
      { timeout: 20_000, message: `command did not finish: ${command}` },
    )
    .toBe(true);
  return output;
}

/** Splits a kubectl table into rows of named columns, using the header's column starts. */
export function parseTable(lines: readonly string[]): Array<Record<string, string>> {
  const headerIndex = lines.findIndex((l) => l.startsWith('NAME '));
  if (headerIndex < 0) throw new Error(`no table header in:\n${lines.join('\n')}`);
  const header = lines[headerIndex] ?? '';
  const starts: Array<{ name: string; at: number }> = [];
  const re = /\S+(?: \S+)*/g; // column names may contain one space ("NOMINATED NODE")
  for (let m = re.exec(header); m; m = re.exec(header)) starts.push({ name: m[0], at: m.index });
  const rows: Array<Record<string, string>> = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '') break;
    const row: Record<string, string> = {};
    starts.forEach((col, i) => {
      const end = starts[i + 1]?.at ?? line.length;
      row[col.name] = line.slice(col.at, end).trim();
    });
    rows.push(row);
  }
  return rows;
}

/** Which pool an IPv4 address belongs to in the lab cluster, from its prefix (as the lesson teaches). */
export function poolOf(ip: string): 'node' | 'pod' | 'service' | 'unknown' {
  const o = ip.split('.').map(Number);
  if (o.length !== 4 || o.some((n) => !Number.isInteger(n))) return 'unknown';
  const [a, b, c] = o as [number, number, number, number];
  if (a === 192 && b === 168 && c === 49) return 'node';
  if (a === 10 && b === 244) return 'pod';
  if (a === 10 && b >= 96 && b <= 111) return 'service';
  return 'unknown';
}

export async function taskStatus(page: Page, taskId: string, labId: string = LAB): Promise<string | null> {
  return panel(page, labId).locator(`[data-task-id="${taskId}"]`).getAttribute('data-status');
}

/** One task of the panel. */
export function taskItem(page: Page, taskId: string, labId: string = LAB): Locator {
  return panel(page, labId).locator(`[data-task-id="${taskId}"]`);
}

/** The seed of the lab's live session (set once the lab is ready). */
export async function labSeed(page: Page, labId: string = LAB): Promise<number> {
  const seed = await panel(page, labId).getAttribute('data-seed');
  if (seed === null || !/^\d+$/.test(seed)) throw new Error(`lab ${labId} has no data-seed`);
  return Number(seed);
}

/**
 * The three-pools lab at `viewport`, scrolled into view, after its client pod pinged the pod on
 * another node `count` times (the picture views' screenshots start there). Returns the panel.
 */
export async function threePoolsAfterPing(page: Page, viewport: { width: number; height: number }, count: number): Promise<Locator> {
  const labId = 'three-pools';
  await page.setViewportSize(viewport);
  await page.goto(await lessonPathFor(page, labId));
  const lab = await openLab(page, labId);
  const headless = await (await LabModel.load(labId, await labSeed(page, labId))).fresh();
  await run(page, `kubectl exec client -- ping -c ${count} ${headless.session.bindings.target!.ip}`, labId);
  return lab;
}

/** Runs `check` with the page in the light scheme, then the dark one; its findings, each marked with its scheme. */
export async function inBothSchemes(page: Page, check: () => Promise<string[]>): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    found.push(...(await check()).map((v) => `${scheme}: ${v}`));
  }
  return found;
}

/**
 * axe for `page`, run in the page itself (axe.run). AxeBuilder's default runs a part in each
 * frame and merges the parts in a new blank page: a second renderer and a second copy of axe
 * for every check. These pages have no frames (checked here), so both ways see the same.
 */
export function axeBuilder(page: Page): AxeBuilder {
  expect(page.frames(), 'a page with frames needs the per-frame axe run').toHaveLength(1);
  return new AxeBuilder({ page }).setLegacyMode(true);
}
