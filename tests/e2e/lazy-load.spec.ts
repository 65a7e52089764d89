/**
 * The packet path view, the header explorer, the topology view and the YAML editor cost a lab
 * page nothing until they are opened: a learner who opens a lesson, starts its lab and runs a
 * command has downloaded none of them; the path view's code arrives when "Packet path" is
 * pressed, the explorer's when a hop's "Explore the IPv4 header" is (or when a lesson's
 * explorer scrolls into view), the topology view's and its layout library's (elkjs, and the
 * worker it lays out in) when "Topology" is, and the editor (Monaco, its CSS, its font, its
 * workers) when "Editor" is.
 * The JavaScript fetched before the first command is written to the test's annotations with
 * its size, for the budget the benchmarks keep.
 */
import { expect, test, type Page } from '@playwright/test';
import { lessonPathFor, openLab, panel, run } from './helpers';

/** Every script the page (or a worker it started) has fetched so far, with its size in bytes as sent (compressed when it was). */
function scripts(page: Page): () => { url: string; bytes: number }[] {
  const seen: { url: string; bytes: number }[] = [];
  page.on('requestfinished', (req) => {
    if (req.resourceType() !== 'script' && !new URL(req.url()).pathname.endsWith('.js')) return;
    void req.sizes().then((s) => seen.push({ url: req.url(), bytes: s.responseBodySize }));
  });
  return () => [...seen];
}

const named = (list: { url: string }[], part: string): boolean => list.some((s) => new URL(s.url).pathname.split('/').pop()!.startsWith(part));

test('the path view and the header explorer load only when opened', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 900 });
  const loaded = scripts(page);
  await page.goto(await lessonPathFor(page, 'packets'));
  const lab = await openLab(page, 'packets');
  await run(page, 'ping -c 1 192.168.2.10', 'packets');

  const before = loaded();
  expect(named(before, 'lab-runtime'), 'the lab itself has loaded').toBe(true);
  expect(named(before, 'path-view'), 'no path view before it is opened').toBe(false);
  expect(named(before, 'header-explorer'), 'no header explorer before it is opened').toBe(false);
  expect(named(before, 'topology-view'), 'no topology view before it is opened').toBe(false);
  expect(named(before, 'elk-worker'), 'no layout library before the topology view is opened').toBe(false);
  const total = before.reduce((n, s) => n + s.bytes, 0);
  test.info().annotations.push({ type: 'JavaScript before the first command', description: `${before.length} files, ${Math.round(total / 1024)} KB as sent` });

  await lab.getByRole('button', { name: 'Packet path' }).click();
  const view = panel(page, 'packets').locator('[data-path-panel]');
  await expect(view.getByRole('listbox')).toBeVisible();
  await expect.poll(() => named(loaded(), 'path-view')).toBe(true);
  expect(named(loaded(), 'header-explorer')).toBe(false);

  // The first hop is shown at first: the workstation's route lookup, an IPv4 packet.
  await view.getByRole('button', { name: 'Explore the IPv4 header' }).click();
  await expect(view.locator('[data-path-explorer] [data-hx-root]')).toBeVisible();
  expect(named(loaded(), 'header-explorer')).toBe(true);
});

/** Every file the page has requested so far (scripts, styles, fonts, workers), by name. */
function requested(page: Page): () => string[] {
  const seen: string[] = [];
  page.on('request', (req) => void seen.push(new URL(req.url()).pathname.split('/').pop()!));
  return () => [...seen];
}

test('the YAML editor loads only when opened', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 900 });
  const files = requested(page);
  await page.goto(await lessonPathFor(page));
  const lab = await openLab(page);
  // A file with a problem the editor's check finds once its YAML worker runs.
  await run(page, "printf 'apiVersion: v1\\nkind: Nope\\n' > first.yaml");

  const monaco = (list: string[]): string[] => list.filter((f) => /^(yaml-editor|editor\.worker|yaml\.worker|codicon)/.test(f));
  expect(files().some((f) => f.startsWith('lab-runtime')), 'the lab itself has loaded').toBe(true);
  expect(monaco(files()), 'nothing of the editor before it is opened').toEqual([]);

  await lab.getByRole('button', { name: 'Editor' }).click();
  const editor = lab.locator('.lab-editor');
  await expect(editor.locator('.monaco-editor')).toBeVisible();
  await expect(editor.locator('.editor-problem').first()).toContainText('Value is not accepted');
  const loaded = monaco(files());
  expect(loaded.some((f) => f.startsWith('yaml-editor') && f.endsWith('.js'))).toBe(true);
  expect(loaded.some((f) => f.startsWith('yaml.worker'))).toBe(true);
});

test('the topology view and its layout library load only when opened', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 900 });
  const loaded = scripts(page);
  await page.goto(await lessonPathFor(page, 'packets'));
  const lab = await openLab(page, 'packets');
  await run(page, 'ping -c 1 192.168.2.10', 'packets');
  await lab.getByRole('button', { name: 'Packet path' }).click();
  await expect(panel(page, 'packets').locator('[data-path-panel]').getByRole('listbox')).toBeVisible();
  expect(named(loaded(), 'topology-view'), 'the path view does not bring the topology view').toBe(false);
  expect(named(loaded(), 'elk-worker')).toBe(false);

  await lab.getByRole('button', { name: 'Topology' }).click();
  const view = panel(page, 'packets').locator('[data-topology-panel]');
  await expect(view.getByRole('listbox').getByRole('option').first()).toBeVisible();
  await expect.poll(() => named(loaded(), 'topology-view')).toBe(true);
  await expect.poll(() => named(loaded(), 'elk-worker')).toBe(true);
  const elk = loaded().find((s) => new URL(s.url).pathname.split('/').pop()!.startsWith('elk-worker'))!;
  test.info().annotations.push({ type: 'layout library (elkjs worker)', description: `${Math.round(elk.bytes / 1024)} KB as sent` });
});
