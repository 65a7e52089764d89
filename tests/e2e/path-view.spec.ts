/**
 * The packet path view on built labs: a ping from the terminal, the view opened and walked
 * with the keyboard, its table, the headers of a VXLAN step and a DNAT step, packets from a
 * second terminal, axe, and screenshots (light and dark, desktop and phone) in
 * test-results/screenshots/path-view/ (PATH_SHOTS) for a person to look at. Addresses come from the same lab
 * session run headless for the page's seed (lab-model.ts).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { axeBuilder, focusTerminal, labSeed, lessonPathFor, openLab, openTerminalTab, run, threePoolsAfterPing } from './helpers';
import { LabModel } from './lab-model';

const SHOTS = process.env.PATH_SHOTS ?? 'test-results/screenshots/path-view';
const sizes = { desktop: { width: 1366, height: 900 }, phone: { width: 390, height: 844 } } as const;

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await axeBuilder(page).include('.lab-path').analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
}

/** Leaves the terminal (Escape, then Shift+Tab back to the toggle) and opens the view with Enter. */
async function openByKeyboard(page: Page, lab: Locator): Promise<Locator> {
  await focusTerminal(page, (await lab.getAttribute('data-lab-id'))!);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  const toggle = lab.getByRole('button', { name: 'Packet path' });
  await expect(toggle).toBeFocused();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const view = lab.locator('.lab-path');
  await expect(view.getByRole('heading', { name: 'Packet path' })).toBeFocused();
  return view;
}

const hops = (view: Locator): Locator => view.getByRole('listbox').getByRole('option');
const commandPicker = (view: Locator): Locator => view.getByRole('combobox', { name: 'Command', exact: true });
const packetPicker = (view: Locator): Locator => view.getByRole('combobox', { name: 'Packet', exact: true });
/** A decoded header field's value in the details: `field(details, 'outer UDP', 'Destination port')`. */
const field = (details: Locator, layer: string, name: string): Locator =>
  details.locator(`[data-layer="${layer}"] .path-field-cell`).filter({ has: details.page().locator('dt').getByText(name, { exact: true }) }).locator('dd');

test('a ping on the routed lab: open the view by keyboard, walk the hops, read the headers and the table', async ({ page }) => {
  const labId = 'packets';
  await page.setViewportSize(sizes.desktop);
  await page.goto(await lessonPathFor(page, labId));
  const lab = await openLab(page, labId);
  const headless = await (await LabModel.load(labId, await labSeed(page, labId))).fresh();
  const b = headless.session.bindings;
  const h2 = b.h2!.ip!;
  const ws = b.ws!.ip!;
  await run(page, `ping -c 2 ${h2}`, labId);

  const view = await openByKeyboard(page, lab);
  // The last request sent is shown: seq 2, from the command just run.
  await expect(commandPicker(view)).toHaveValue(/\d+/);
  await expect(commandPicker(view).locator('option:checked')).toHaveText(`ping -c 2 ${h2} (terminal 1)`);
  await expect(packetPicker(view).locator('option:checked')).toHaveText(`3. ICMP echo request ${ws} > ${h2}, seq 2`);
  await expect(packetPicker(view).locator('option')).toHaveText([
    `1. ICMP echo request ${ws} > ${h2}, seq 1`,
    `2. ICMP echo reply ${h2} > ${ws}, seq 1`,
    `3. ICMP echo request ${ws} > ${h2}, seq 2`,
    `4. ICMP echo reply ${h2} > ${ws}, seq 2`,
  ]);
  const options = hops(view);
  const n = await options.count();
  expect(n).toBeGreaterThan(6);
  // Grouped by host, in order: the workstation, both routers, host-2 (which answers).
  const groups = await view.getByRole('listbox').getByRole('group').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label')));
  expect(groups).toEqual(['workstation', 'router-1', 'router-2', 'host-2']);
  await expect(options.first()).toContainText('Route');
  await expect(options.last()).toContainText('Reply');

  // Tab to the hops: the command, the packet, "Follow", then the first hop.
  await page.keyboard.press('Tab');
  await expect(commandPicker(view)).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(view.getByRole('checkbox', { name: 'Follow new packets' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(options.first()).toBeFocused();
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  // Down to the frame on the wire to router-1, Enter shows it.
  const wireAt = await options.evaluateAll((os) => os.findIndex((o) => o.textContent?.includes('Switch')));
  expect(wireAt).toBeGreaterThan(0);
  for (let i = 0; i < wireAt; i++) await page.keyboard.press('ArrowDown');
  await expect(options.nth(wireAt)).toBeFocused();
  await expect(options.nth(wireAt)).toHaveAttribute('aria-selected', 'false');
  await page.keyboard.press('Enter');
  await expect(options.nth(wireAt)).toHaveAttribute('aria-selected', 'true');
  await expect(options.first()).toHaveAttribute('aria-selected', 'false');
  const details = view.locator('.path-details');
  await expect(details.getByRole('heading', { level: 4 })).toHaveText(`Hop ${wireAt + 1} of ${n}: workstation`);
  await expect(field(details, 'Ethernet II', 'Type')).toHaveText('0x0800 (IPv4)');
  await expect(field(details, 'IPv4', 'Time to live')).toHaveText('64');
  await expect(field(details, 'IPv4', 'Source address')).toHaveText(ws);
  await expect(field(details, 'ICMP', 'Sequence number')).toHaveText('2');
  await expect(details.locator('.path-hex')).toContainText('0000  ');
  // End goes to the last hop; Home back to the first.
  await page.keyboard.press('End');
  await expect(options.last()).toBeFocused();
  await page.keyboard.press('Home');
  await expect(options.first()).toBeFocused();
  // Past router-1 the TTL is one less: the forward step says so.
  const forward = options.filter({ has: page.locator('.path-badge', { hasText: /Forward$/ }) }).first();
  await forward.click();
  await expect(field(details, 'IPv4', 'Time to live')).toHaveText('63');
  // That hop's packet in the header explorer, loaded on the press: TTL 63 there too.
  const explore = details.getByRole('button', { name: 'Explore the IPv4 header' });
  await explore.press('Enter');
  const explorer = details.locator('[data-path-explorer] [data-hx-root]');
  await expect(explorer).toBeVisible();
  await expect(explorer.locator('[data-hx-table] tr', { hasText: 'Time to live' })).toContainText('63');
  await expect(details.getByRole('button', { name: 'Close the header explorer' })).toHaveAttribute('aria-expanded', 'true');

  // The same hops as a table.
  await view.getByText('All hops as a table').click();
  const table = view.getByRole('table', { name: `Hops of ICMP echo request ${ws} > ${h2}, seq 2` });
  await expect(table.locator('tbody tr')).toHaveCount(n);
  await expect(table.locator('tbody tr').first().locator('td')).toHaveText(['1', 'workstation', 'eth0', 'Route', `ICMP echo request ${ws} > ${h2} ttl 64`, /^route to /]);
  await expect(table.locator('tbody tr').last().locator('td').nth(3)).toHaveText('Reply');

  // The reply's own way back, picked from the list.
  await packetPicker(view).selectOption({ label: `4. ICMP echo reply ${h2} > ${ws}, seq 2` });
  await expect(view.getByRole('checkbox', { name: 'Follow new packets' })).not.toBeChecked();
  await expect(hops(view).first()).toContainText('Reply');
  await expect(hops(view).last()).toContainText('Deliver');

  expect(await seriousViolations(page)).toEqual([]);
});

test('the three-pools lab: VXLAN and DNAT steps, packets from a second terminal, live while open', async ({ page }) => {
  const labId = 'three-pools';
  await page.setViewportSize(sizes.desktop);
  await page.goto(await lessonPathFor(page, labId));
  const lab = await openLab(page, labId);
  const headless = await (await LabModel.load(labId, await labSeed(page, labId))).fresh();
  const b = headless.session.bindings;
  await run(page, `kubectl exec client -- ping -c 1 ${b.target!.ip}`, labId);
  const view = await openByKeyboard(page, lab);
  const encap = hops(view).filter({ has: page.locator('.path-badge', { hasText: /VXLAN encap$/ }) }).first();
  await encap.click();
  const details = view.locator('.path-details');
  await expect(field(details, 'outer UDP', 'Destination port')).toHaveText('8472');
  await expect(field(details, 'outer VXLAN', 'VXLAN network identifier (VNI)')).toHaveText('1');
  await expect(field(details, 'outer IPv4', 'Time to live')).toHaveText('64');
  await expect(field(details, 'inner IPv4', 'Destination address')).toHaveText(b.target!.ip!);
  await expect(field(details, 'inner IPv4', 'Time to live')).toHaveText('63');
  await expect(field(details, 'inner ICMP', 'Type')).toHaveText('8 (Echo (ping) request)');

  // Live: a second terminal's wget to the Service shows up while the view is open.
  await openTerminalTab(page, labId);
  await run(page, `kubectl exec client -- wget -q -O /dev/null http://${b.web!.ip}/`, labId);
  await expect(commandPicker(view).locator('option:checked')).toHaveText(`kubectl exec client -- wget -q -O /dev/null http://${b.web!.ip}/ (terminal 2)`);
  await expect(commandPicker(view).locator('option')).toHaveCount(2);
  // The SYN and its DNAT: before and after.
  const syn = await packetPicker(view).locator('option', { hasText: /TCP SYN 10/ }).first().textContent();
  await packetPicker(view).selectOption({ label: syn! });
  await hops(view).filter({ has: page.locator('.path-badge', { hasText: /[^-]DNAT$/ }) }).first().click();
  const nat = details.getByRole('table', { name: 'Address translation' });
  await expect(nat.getByRole('row', { name: /Destination/ }).locator('td').first()).toHaveText(`${b.web!.ip}:80`);
  await expect(nat.getByRole('row', { name: /Destination/ }).locator('td').last()).toContainText('(changed)');
  await expect(details.locator('.path-rules')).toContainText('-j DNAT --to-destination');
  expect(await seriousViolations(page)).toEqual([]);
});

// One page per size, photographed in both themes (the theme changes nothing but colours).
for (const size of ['desktop', 'phone'] as const) {
  test(`screenshots ${size}, light and dark`, async ({ page }) => {
    const lab = await threePoolsAfterPing(page, sizes[size], 2);
    await lab.getByRole('button', { name: 'Packet path' }).click();
    const view = lab.locator('.lab-path');
    await hops(view).filter({ hasText: 'VXLAN encap' }).first().click();
    if (size === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(sizes.phone.width);
    await view.getByText('All hops as a table').click();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // The view from its top, then its details, its bytes and its table, a window at a time.
      for (const [part, sel] of [['top', '.path-head'], ['details', '.path-details'], ['bytes', '.path-bytes'], ['table', '.path-table-wrap']] as const) {
        await view.locator(sel).evaluate((e) => e.scrollIntoView({ block: 'start', behavior: 'instant' }));
        await page.screenshot({ path: `${SHOTS}/path-${scheme}-${size}-${part}.png` });
      }
      expect(await seriousViolations(page), scheme).toEqual([]);
    }
    await expect(lab).toHaveAttribute('data-ready', '');
  });
}
