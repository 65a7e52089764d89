/**
 * kubectl in the browser terminal: the same session as the CLI and the unit tests, so this
 * checks the wiring (typing, output, wide tables) rather than kubectl's rules again.
 */
import { expect, test } from '@playwright/test';
import { lessonPathFor, openLab, parseTable, run } from './helpers';

test('endpoints, a label selector and a jsonpath template in the lab terminal', async ({ page }) => {
  await page.goto(await lessonPathFor(page));
  await openLab(page);
  const pods = parseTable(await run(page, 'kubectl get pods -l app=web -o wide'));
  expect(pods).toHaveLength(3);
  const eps = parseTable(await run(page, 'kubectl get endpoints web'));
  expect(eps[0]!['ENDPOINTS']!.split(',').sort()).toEqual(pods.map((p) => `${p['IP']}:80`).sort());
  // xterm expands the tabs to spaces in its buffer.
  const lines = await run(page, `kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.spec.podCIDR}{"\\n"}{end}'`);
  expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['control-plane', 'node-1', 'node-2']);
  for (const l of lines) expect(l).toMatch(/\s10\.244\.\d+\.0\/24$/);
  await page.locator('.xterm').first().screenshot({ path: test.info().outputPath('kubectl-terminal.png') });
});
