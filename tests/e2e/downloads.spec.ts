/**
 * A capture written in a lab (`tcpdump -w`) is offered under the terminal and downloads as a
 * pcap file: the classic libpcap magic, the size the row says, and the packets captured.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { VirtualClock } from '../../src/sim/clock';
import { readPcap } from '../../src/sim/pcap';
import { createLabSession, REFERENCE_TIME } from '../../src/labs/catalog';
import { render } from '../../src/labs/template';
import { axeBuilder, focusTerminal, labSeed, lessonPathFor, openLab, openTerminalTab, run, selectTerminal, terminalLines } from './helpers';

const LAB = 'encapsulation';

test('tcpdump -w on a router, a ping from a second terminal, then the capture downloads as a pcap', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(await lessonPathFor(page, LAB));
  const lab = await openLab(page, LAB);
  const model = await createLabSession({ labId: LAB, seed: await labSeed(page, LAB), scheduler: new VirtualClock(REFERENCE_TIME) });
  const host2 = render('{{host2.ip}}', model.bindings);

  await run(page, 'ssh router-1', LAB);
  // The capture waits for two packets; it is not finished when Enter is pressed.
  await focusTerminal(page, LAB);
  await page.keyboard.type('tcpdump -n -i eth1 -c 2 -w /tmp/x.pcap');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await terminalLines(page, LAB)).join('\n')).toContain('listening on eth1');
  await expect(lab.locator('[data-downloads]')).toHaveCount(0);

  await openTerminalTab(page, LAB);
  const ping = await run(page, `ping -c 1 ${host2}`, LAB);
  expect(ping.join('\n')).toContain('1 received');
  await selectTerminal(page, 1, LAB);
  await expect.poll(async () => (await terminalLines(page, LAB)).join('\n')).toContain('2 packets captured');

  const button = lab.getByRole('button', { name: 'Download x.pcap' });
  await expect(button).toBeVisible();
  const meta = lab.locator('.lab-download-meta');
  await expect(meta).toHaveText(/^router-1:\/tmp\/x\.pcap, \d+ bytes$/);
  await expect(button).toHaveAccessibleDescription(/router-1:\/tmp\/x\.pcap/);
  const size = Number((await meta.textContent())!.match(/, ([\d,]+) bytes/)![1]!.replace(/,/g, ''));
  await lab.locator('.lab-workspace').screenshot({ path: 'test-results/screenshots/lab-downloads.png' });
  const axe = await axeBuilder(page).include(`lab-panel[data-lab-id="${LAB}"] [data-downloads]`).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  expect(download.suggestedFilename()).toBe('x.pcap');
  const bytes = new Uint8Array(readFileSync((await download.path())!));
  // Little-endian classic pcap, as tcpdump writes on x86: d4 c3 b2 a1, version 2.4.
  expect([...bytes.subarray(0, 6)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1, 2, 0]);
  expect(bytes.length).toBe(size);
  const file = readPcap(bytes);
  expect(file.records).toHaveLength(2);

  // Keyboard: the button is reachable and works with Enter.
  await button.focus();
  await expect(button).toBeFocused();
  const [again] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(again.suggestedFilename()).toBe('x.pcap');

  // Reset: the capture belongs to the old session.
  await lab.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('dialog', { name: 'Reset this lab?' }).getByRole('button', { name: 'Reset lab' }).click();
  await expect(lab.locator('[data-downloads]')).toBeHidden();
});
