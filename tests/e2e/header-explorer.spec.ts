/**
 * The IPv4 header explorer in the ipv4-header lesson: it reads without scripts (the table is in
 * the page), fields are selected with the keyboard and their bits light up in the byte grid,
 * an edited TTL changes the bytes and the checksum (and the bytes on screen verify), the
 * router step and the "keep checksums" switch do what they say, bad input is refused with a
 * reason, axe finds nothing serious in either theme, and screenshots (light and dark, desktop
 * and phone) are written to test-results/screenshots/header-explorer/ for a person to look at.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { internetChecksum } from '../../src/sim/checksum';
import { axeBuilder, lessonPathFor } from './helpers';

const LAB = 'ipv4-header';
const DIR = 'test-results/screenshots/header-explorer';

async function openExplorer(page: Page): Promise<Locator> {
  await page.goto(await lessonPathFor(page, LAB));
  const ex = page.locator('header-explorer').first();
  await ex.scrollIntoViewIfNeeded();
  await expect(ex).toHaveAttribute('data-ready', '');
  return ex;
}

/** The header's bytes as the grid shows them. */
async function headerBytes(ex: Locator): Promise<number[]> {
  const texts = await ex.locator('.hx-rows').first().locator('.hx-hex').allTextContents();
  return texts.map((t) => parseInt(t, 16));
}

const word = (b: number[], at: number): number => (b[at]! << 8) | b[at + 1]!;
const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

test.describe('without scripts', () => {
  test.use({ javaScriptEnabled: false });

  test('the packet, its fields as a table and the checksum sum are in the page', async ({ page }) => {
    await page.goto(await lessonPathFor(page, LAB));
    const ex = page.locator('header-explorer').first();
    await expect(ex.locator('figcaption')).toContainText('ping -c 1 192.168.2.10');
    await ex.getByText('Every field as a table').click();
    const table = ex.getByRole('table', { name: /field by field/ });
    await expect(table.getByRole('row', { name: /Time to live \(TTL\) bits 64–71 \(byte 8\) 64/ })).toBeVisible();
    await expect(table.getByRole('row', { name: /Protocol .* 1 \(ICMP\)/ })).toBeVisible();
    await expect(table.getByRole('row', { name: /Header checksum .* \(correct\)/ })).toBeVisible();
    await expect(ex.locator('.hx-sum-status')).toContainText('Correct.');
    expect((await headerBytes(ex)).slice(0, 2)).toEqual([0x45, 0x00]);
    await expect(ex.getByRole('button')).toHaveCount(0);
  });
});

test('fields are selected from the keyboard and light up their bits', async ({ page }) => {
  const ex = await openExplorer(page);
  const list = ex.getByRole('listbox', { name: 'Fields' });
  const ttl = list.getByRole('option', { name: /^TTL/ });
  await expect(ttl).toHaveAttribute('aria-selected', 'true');
  await ttl.focus();
  await page.keyboard.press('Home');
  const version = list.getByRole('option', { name: /^Version/ });
  await expect(version).toBeFocused();
  await expect(version).toHaveAttribute('aria-selected', 'true');
  const detail = ex.locator('.hx-detail');
  await expect(detail).toContainText('Bits 0–3 (the top 4 bits of byte 0), 4 bits');
  await expect(ex.locator('[data-byte="0"]')).toHaveAttribute('data-sel', 'part');
  expect(await ex.locator('[data-bit][data-on]').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.bit)))).toEqual([0, 1, 2, 3]);

  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown');
  const flags = list.getByRole('option', { name: /^Flags/ });
  await expect(flags).toBeFocused();
  await expect(detail).toContainText('Bits 48–50 (the top 3 bits of byte 6), 3 bits');
  await expect(detail).toContainText('010 (DF)');
  expect(await ex.locator('[data-bit][data-on]').count()).toBe(3);

  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(ttl).toBeFocused();
  await expect(detail).toContainText('Bits 64–71 (byte 8), 8 bits');
  await expect(ex.locator('[data-byte="8"]')).toHaveAttribute('data-sel', 'all');
  await expect(ex.locator('[data-sel]')).toHaveCount(1);

  await page.keyboard.press('End');
  await expect(list.getByRole('option', { name: /^Payload/ })).toHaveAttribute('aria-selected', 'true');
  await expect(detail).toContainText('ICMP echo request');
  // The selected payload is shown whole: 64 bytes of ping.
  await expect(ex.locator('.hx-row-payload .hx-byte[data-sel="all"]')).toHaveCount(64);

  // A click on a bit in the grid selects the field it belongs to.
  await ex.locator('[data-bit="49"]').click();
  await expect(flags).toHaveAttribute('aria-selected', 'true');
});

test('editing the TTL rewrites byte 8 and the checksum, and the bytes on screen verify', async ({ page }) => {
  const ex = await openExplorer(page);
  const before = await headerBytes(ex);
  expect(before[8]).toBe(64);
  expect(internetChecksum(before)).toBe(0);
  const ttl = ex.getByRole('option', { name: /^TTL/ });
  await ttl.focus();
  await page.keyboard.press('Enter');
  const input = ex.getByLabel(/^New TTL/);
  await expect(input).toBeFocused();
  await input.fill('63');
  await expect(ttl).toContainText('63');
  const after = await headerBytes(ex);
  expect(after[8]).toBe(63);
  // One less in the TTL's word, one more in the checksum's: 0x0100 each (RFC 1624).
  expect(word(after, 10)).toBe((word(before, 10) + 0x100) & 0xffff);
  expect(internetChecksum(after)).toBe(0);
  expect(after.filter((_, i) => i !== 8 && i !== 10 && i !== 11)).toEqual(before.filter((_, i) => i !== 8 && i !== 10 && i !== 11));
  await expect(ex.locator('.hx-sum-status')).toContainText(`Correct. The header carries ${hex4(word(after, 10))}`);
  await expect(ex.getByRole('status')).toHaveText(`TTL 63. Header checksum recomputed: ${hex4(word(after, 10))}.`);
  // The worked sum follows: the TTL/protocol word is now 3f01.
  await expect(ex.locator('.hx-steps-table')).toContainText('3f01');
  await expect(ex.locator('[data-hx-table] tr', { hasText: 'Time to live' })).toContainText('bits 64–71 (byte 8)63');

  // A value that does not fit changes nothing and says why.
  await input.fill('300');
  await input.press('Enter');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(ex.locator('[data-hx-error]')).toHaveText('Time to live (TTL) is 8 bits wide: 0 to 255.');
  expect((await headerBytes(ex))[8]).toBe(63);
});

test('a router takes one off the TTL and patches the checksum; without recomputing, an edit leaves it wrong', async ({ page }) => {
  const ex = await openExplorer(page);
  const before = await headerBytes(ex);
  const router = ex.getByRole('button', { name: 'Decrement TTL as a router does' });
  await router.click();
  await router.click();
  const after = await headerBytes(ex);
  expect(after[8]).toBe(62);
  expect(word(after, 10)).toBe((word(before, 10) + 0x200) & 0xffff);
  await expect(ex.getByRole('status')).toHaveText(`A router took the TTL from 63 to 62 and patched the checksum from ${hex4(word(before, 10) + 0x100)} to ${hex4(word(after, 10))} without adding up the header again; the checksum is correct.`);

  await ex.getByLabel('Recompute the checksum after each edit').uncheck();
  await ex.getByRole('option', { name: /^Identification/ }).click();
  await ex.getByLabel(/^New Identification/).fill('0x1c46');
  await expect(ex.locator('.hx-sum-status')).toContainText('Wrong.');
  await expect(ex.locator('.hx-sum-status')).toHaveAttribute('data-valid', 'false');
  const wrong = await headerBytes(ex);
  expect(word(wrong, 4)).toBe(0x1c46);
  expect(word(wrong, 10)).toBe(word(after, 10));
  expect(internetChecksum(wrong)).not.toBe(0);
  await expect(ex.getByRole('option', { name: /^Checksum/ })).toContainText('✗');

  await ex.getByRole('button', { name: 'Recompute checksum' }).click();
  await expect(ex.locator('.hx-sum-status')).toContainText('Correct.');
  expect(internetChecksum(await headerBytes(ex))).toBe(0);

  await ex.getByRole('button', { name: 'Reset' }).click();
  expect(await headerBytes(ex)).toEqual(before);
});

test('the flags and the total length are edited too', async ({ page }) => {
  const ex = await openExplorer(page);
  await ex.getByRole('option', { name: /^Flags/ }).click();
  await ex.getByLabel(/DF don't fragment/).uncheck();
  let b = await headerBytes(ex);
  expect(b[6]).toBe(0x00);
  expect(internetChecksum(b)).toBe(0);
  await ex.getByRole('option', { name: /^Total length/ }).click();
  const input = ex.getByLabel(/^New total length/);
  await input.fill('100');
  await input.press('Enter');
  b = await headerBytes(ex);
  expect(word(b, 2)).toBe(100);
  expect(internetChecksum(b)).toBe(0);
  await expect(ex.locator('.hx-grid-title').nth(1)).toContainText('Payload, 80 bytes');
});

test('opens on an Ethernet frame, skipping its header, and says when a frame is not IPv4', async ({ page }) => {
  const ex = await openExplorer(page);
  const packet = (await ex.getAttribute('data-bytes'))!;
  const header = await headerBytes(ex);
  const mac = '020000000002020000000001';
  const arp = `ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002`;
  await page.evaluate(
    ([frame, arpFrame]) => {
      for (const [id, bytes] of [['hx-frame', frame], ['hx-arp', arpFrame]]) {
        const el = document.createElement('header-explorer');
        el.id = id!;
        el.dataset.kind = 'auto';
        el.dataset.bytes = bytes;
        el.innerHTML = '<div data-hx-mount></div>';
        document.querySelector('main')!.prepend(el);
      }
    },
    [`${mac}0800${packet}`, arp],
  );
  const frame = page.locator('#hx-frame');
  await frame.scrollIntoViewIfNeeded();
  await expect(frame).toHaveAttribute('data-ready', '');
  await expect(frame.locator('.hx-caption')).toHaveText('The 14-byte Ethernet header before it is not shown.');
  expect(await headerBytes(frame)).toEqual(header);
  await expect(page.locator('#hx-arp .hx-refused')).toHaveText('This frame carries ARP, not IPv4.');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`no serious axe violations in the explorer (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const ex = await openExplorer(page);
    await ex.getByRole('button', { name: 'Decrement TTL as a router does' }).click();
    await ex.getByText('Every field as a table').click();
    // A wrong checksum and the notes list.
    await ex.getByLabel('Recompute the checksum after each edit').uncheck();
    await ex.getByRole('option', { name: /^TTL/ }).click();
    await ex.getByLabel(/^New TTL/).fill('0');
    await expect(ex.locator('.hx-notes')).toBeVisible();
    const results = await axeBuilder(page).include('header-explorer').analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(serious).toEqual([]);
  });
}

const sizes = { desktop: { width: 1366, height: 900 }, phone: { width: 390, height: 844 } } as const;
// One page per size, photographed in both themes.
for (const size of ['desktop', 'phone'] as const) {
  test(`screenshots ${size}, light and dark`, async ({ page }) => {
    await page.setViewportSize(sizes[size]);
    const ex = await openExplorer(page);
    await ex.getByRole('option', { name: /^Flags/ }).click();
    await ex.getByRole('button', { name: 'Decrement TTL as a router does' }).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(sizes[size].width);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await ex.screenshot({ path: `${DIR}/explorer-${scheme}-${size}.png` });
      await ex.locator('.hx-main').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${DIR}/page-${scheme}-${size}.png` });
    }
    // A wrong checksum, and what a receiver would say about TTL 0.
    await ex.getByLabel('Recompute the checksum after each edit').uncheck();
    await ex.getByRole('option', { name: /^TTL/ }).click();
    await ex.getByLabel(/^New TTL/).fill('0');
    await expect(ex.locator('.hx-sum-status')).toContainText('Wrong.');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await ex.screenshot({ path: `${DIR}/explorer-${scheme}-${size}-wrong.png` });
    }
  });
}
