/**
 * Terminal tabs: a second terminal on the same sandbox. tcpdump on a node in Terminal 1 shows
 * the ping typed in Terminal 2; each tab keeps its own screen and shell.
 */
import { expect, test } from '@playwright/test';
import { axeBuilder, focusTerminal, lessonPathFor, openLab, openTerminalTab, parseTable, run, selectTerminal, terminalLines } from './helpers';

test('tcpdump in Terminal 1 shows a ping typed in Terminal 2', async ({ page }) => {
  await page.goto(await lessonPathFor(page));
  const lab = await openLab(page);
  const pods = parseTable(await run(page, 'kubectl get pods -o wide'));
  const client = pods.find((r) => r['NAME'] === 'client');
  const web = pods.find((r) => r['NAME']?.startsWith('web-') && r['NODE'] !== client?.['NODE']);
  expect(client?.['NODE']).toMatch(/^node-\d$/);
  expect(web?.['IP']).toMatch(/^10\.244\./);

  await openTerminalTab(page);
  const tabs = lab.getByRole('tab');
  await expect(tabs).toHaveText(['Terminal 1', 'Terminal 2']);
  await expect(tabs.nth(1)).toHaveAttribute('aria-selected', 'true');
  expect((await terminalLines(page)).at(-1)).toBe('learner@workstation:~$');

  // Terminal 1 kept its screen; capture on the client's node.
  await selectTerminal(page, 1);
  expect((await terminalLines(page)).some((l) => l.startsWith('NAME '))).toBe(true);
  await run(page, `ssh ${client?.['NODE']}`);
  await focusTerminal(page);
  await page.keyboard.type('tcpdump -n -i any icmp');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await terminalLines(page)).some((l) => l.startsWith('listening on any'))).toBe(true);
  await expect(lab).toHaveAttribute('data-busy', '');

  // Terminal 2 is not blocked by the capture.
  await selectTerminal(page, 2);
  await expect(lab).not.toHaveAttribute('data-busy', '');
  const ping = await run(page, `kubectl exec client -- ping -c 1 ${web?.['IP']}`);
  expect(ping).toContain('1 packets transmitted, 1 packets received, 0% packet loss');

  await selectTerminal(page, 1);
  await expect
    .poll(async () => (await terminalLines(page)).filter((l) => l.includes(`IP ${client?.['IP']} > ${web?.['IP']}: ICMP echo request`)).length)
    .toBeGreaterThan(0);
  expect((await terminalLines(page)).some((l) => l.includes(`IP ${web?.['IP']} > ${client?.['IP']}: ICMP echo reply`))).toBe(true);
  await lab.locator('.lab-workspace').screenshot({ path: test.info().outputPath('terminals.png') });
  await lab.getByRole('button', { name: 'Expand' }).click();
  await page.screenshot({ path: test.info().outputPath('terminals-expanded.png') });
  await lab.getByRole('button', { name: 'Collapse' }).click();

  await focusTerminal(page);
  await page.keyboard.press('Control+C');
  await expect.poll(async () => (await terminalLines(page)).some((l) => /^\d+ packets captured$/.test(l))).toBe(true);
  await expect(lab).not.toHaveAttribute('data-busy', '');
  expect((await terminalLines(page)).at(-1)).toMatch(/@node-\d:~#$/);
});

test('terminal tabs work from the keyboard and stop at four', async ({ page }) => {
  await page.goto(await lessonPathFor(page));
  const lab = await openLab(page);
  for (let i = 0; i < 3; i++) await openTerminalTab(page);
  await expect(lab.getByRole('tab')).toHaveCount(4);
  await expect(lab.getByRole('button', { name: 'Open another terminal' })).toBeDisabled();
  await lab.getByRole('tab', { name: 'Terminal 4' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(lab.getByRole('tab', { name: 'Terminal 1' })).toBeFocused();
  await expect(lab.getByRole('tab', { name: 'Terminal 1' })).toHaveAttribute('aria-selected', 'true');
  await expect(lab.getByRole('tabpanel')).toHaveCount(1);
  await page.keyboard.press('End');
  await expect(lab.getByRole('tab', { name: 'Terminal 4' })).toHaveAttribute('aria-selected', 'true');
  // Reset starts a new cluster: the extra terminals belonged to the old one and close.
  await lab.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('button', { name: 'Reset lab' }).click();
  await expect(lab.getByRole('tab')).toHaveText(['Terminal 1']);
  await expect(lab.getByRole('tab')).toHaveAttribute('aria-selected', 'true');
  await expect(lab.getByRole('button', { name: 'Open another terminal' })).toBeEnabled();
  expect(await run(page, 'hostname')).toEqual(['workstation']);
});

test('the lab with two terminal tabs has no serious axe violations (light and dark)', async ({ page }) => {
  await page.goto(await lessonPathFor(page));
  await openLab(page);
  await openTerminalTab(page);
  await run(page, 'hostname');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await axeBuilder(page).include('lab-panel').analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${scheme} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
});
