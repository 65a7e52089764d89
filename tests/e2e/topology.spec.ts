/**
 * The topology view on built labs: opened by keyboard, redrawn after a command (a pod created
 * with kubectl appears, first without an address, then with one), a box selected by keyboard
 * with its addresses and their pools, the last ping's way on the picture and as a list, the
 * network model's forwarding table, the text equivalent, the Docker and routed labs, axe, and
 * screenshots (light and dark, desktop and phone) in test-results/screenshots/topology/
 * (TOPOLOGY_SHOTS) for a person to look at. Addresses come from the same lab session run
 * headless for the page's seed (lab-model.ts).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { axeBuilder, focusTerminal, labSeed, lessonPathFor, openLab, panel, run, threePoolsAfterPing } from './helpers';
import { LabModel } from './lab-model';

const SHOTS = process.env.TOPOLOGY_SHOTS ?? 'test-results/screenshots/topology';
const sizes = { desktop: { width: 1366, height: 900 }, phone: { width: 390, height: 844 } } as const;

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await axeBuilder(page).include('.lab-topology').analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
}

/** Leaves the terminal (Escape, then Shift+Tab back past "Packet path" and "Editor" to the toggle) and opens the view with Enter. */
async function openByKeyboard(page: Page, lab: Locator): Promise<Locator> {
  await focusTerminal(page, (await lab.getAttribute('data-lab-id'))!);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  await expect(lab.getByRole('button', { name: 'Packet path' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(lab.getByRole('button', { name: 'Editor' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  const toggle = lab.getByRole('button', { name: 'Topology' });
  await expect(toggle).toBeFocused();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const view = lab.locator('.lab-topology');
  await expect(view.getByRole('heading', { name: 'Topology', exact: true })).toBeFocused();
  await expect(boxes(view).first()).toBeVisible();
  return view;
}

async function open(lab: Locator): Promise<Locator> {
  await lab.getByRole('button', { name: 'Topology' }).click();
  const view = lab.locator('.lab-topology');
  await expect(boxes(view).first()).toBeVisible();
  return view;
}

const picture = (view: Locator): Locator => view.getByRole('listbox');
const boxes = (view: Locator): Locator => picture(view).getByRole('option');
const box = (view: Locator, name: string | RegExp): Locator => picture(view).getByRole('option', { name });
const details = (view: Locator): Locator => view.locator('.topo-details');

test('three-pools: a new pod appears, a box chosen by keyboard shows its addresses, a ping is drawn, the network model has tables', async ({ page }) => {
  const labId = 'three-pools';
  await page.setViewportSize(sizes.desktop);
  await page.goto(await lessonPathFor(page, labId));
  const lab = await openLab(page, labId);
  const headless = await (await LabModel.load(labId, await labSeed(page, labId))).fresh();
  const b = headless.session.bindings;
  const client = { ip: b.client!.ip!, node: b.client!.node! };
  const target = { ip: b.target!.ip!, name: b.target!.name! };

  const view = await openByKeyboard(page, lab);
  // The cluster as it stands: its nodes, the LAN, the client pod on its node, the web Service.
  await expect(picture(view).getByRole('group', { name: 'node node-1' })).toBeVisible();
  await expect(box(view, /^switch segment lan, /)).toHaveCount(1);
  await expect(box(view, new RegExp(`^pod client on ${client.node}, ${client.ip.replace(/\./g, '\\.')} \\(pod network\\)`))).toHaveCount(1);
  await expect(box(view, new RegExp(`^Service web, ${b.web!.ip!.replace(/\./g, '\\.')} \\(service network\\)`))).toHaveCount(1);
  // The legend names every pool with its range.
  const legend = view.getByRole('list', { name: 'Legend' });
  await expect(legend).toContainText('pod network');
  await expect(legend).toContainText('10.244.0.0/16');
  await expect(legend).toContainText('service network');
  await expect(legend).toContainText('node network');

  // A pod created in the terminal appears: first Pending without an address, then with one.
  await run(page, 'kubectl run extra --image=nginx', labId);
  await expect(box(view, /^pod extra /)).toHaveCount(1);
  await expect(box(view, /^pod extra on node-\d, 10\.244\.\d+\.\d+ \(pod network\)$/)).toHaveCount(1);
  const extraIp = (await box(view, /^pod extra /).getAttribute('aria-label'))!.match(/10\.244\.\d+\.\d+/)![0];
  expect(extraIp).toMatch(/^10\.244\./);

  // Keyboard: the picture is one tab stop; the arrow keys move to the nearest box that way.
  const tabStop = picture(view).locator('[role="option"][tabindex="0"]');
  await expect(tabStop).toHaveCount(1);
  await tabStop.focus();
  await page.keyboard.press('Home');
  await expect(boxes(view).first()).toBeFocused();
  await page.keyboard.press('End');
  await expect(boxes(view).last()).toBeFocused();
  await expect(picture(view).locator('[role="option"][tabindex="0"]')).toHaveCount(1);
  // Towards the client pod, one arrow at a time, each press the way its box lies.
  const clientBox = box(view, /^pod client on /);
  const goal = (await clientBox.boundingBox())!;
  for (let i = 0; i < 40 && !(await clientBox.evaluate((e) => e === document.activeElement)); i++) {
    const at = await page.evaluate(() => {
      const r = document.activeElement!.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    });
    const dx = goal.x + goal.width / 2 - at.x;
    const dy = goal.y + goal.height / 2 - at.y;
    await page.keyboard.press(Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? 'ArrowRight' : 'ArrowLeft') : dy > 0 ? 'ArrowDown' : 'ArrowUp');
  }
  await expect(clientBox).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(clientBox).toHaveAttribute('aria-selected', 'true');
  await expect(details(view).getByRole('heading', { level: 4 })).toHaveText('pod client');
  await expect(details(view).locator('.topo-list').first()).toContainText(`${client.ip}/24 (pod network) on eth0`);
  await expect(details(view).getByRole('list', { name: 'Interfaces' })).toContainText('eth0 veth, up');
  await expect(details(view).locator('.topo-routes')).toContainText('default via ');

  // A ping: its way is numbered on the picture and listed below it; selection and focus stay.
  await run(page, `kubectl exec client -- ping -c 1 ${target.ip}`, labId);
  await expect(view.getByRole('region', { name: 'The last packet' })).toContainText(`ICMP echo request ${client.ip} > ${target.ip}`);
  await expect(view.locator('.topo-path-steps li').first()).toContainText('pod client');
  await expect(view.locator('.topo-path-steps')).toContainText('VXLAN encap');
  await expect(box(view, /^pod client on .*, step 1 of the last packet$/)).toHaveCount(1);
  await expect(box(view, new RegExp(`^pod ${target.name} on .*, step \\d+ of the last packet$`))).toHaveCount(1);
  await expect(picture(view).locator('.topo-link.topo-on-path')).not.toHaveCount(0);
  await expect(clientBox).toHaveAttribute('aria-selected', 'true');

  // The text equivalent: every box as a button, every link with its state.
  await view.getByText('The topology as text').click();
  const text = view.locator('.topo-text');
  await expect(text.getByRole('button', { name: new RegExp(`^pod extra on node-\\d, ${extraIp.replace(/\./g, '\\.')}`) })).toBeVisible();
  await expect(text.getByRole('table', { name: /^Links \(\d+\)$/ })).toContainText('veth pair');
  await text.getByRole('button', { name: /^Service web, / }).click();
  await expect(details(view).getByRole('heading', { level: 4 })).toBeFocused();
  await expect(details(view)).toContainText(`Ready endpoints`);
  await expect(details(view)).toContainText(`${target.ip} (pod network)`);

  // The network model: processes and switches; a router's table forwards, delivers and discards.
  await view.getByRole('radio', { name: 'Network model' }).check();
  await expect(box(view, /^switch [^ ]+\/router: /).first()).toBeVisible();
  await box(view, new RegExp(`^switch ${client.node}/router: `)).click();
  const table = details(view).getByRole('table', { name: new RegExp(`^Forwarding table of ${client.node}/router`) });
  await expect(table).toBeVisible();
  await expect(table.locator('tbody tr').first()).toContainText('deliver');
  await expect(table).toContainText('forward');
  await expect(table).toContainText(`${client.ip.split('.').slice(0, 3).join('.')}.0/24`);
  // The last packet on the network model too.
  await expect(box(view, /step 1 of the last packet$/)).toHaveCount(1);

  expect(await seriousViolations(page)).toEqual([]);
});

test('docker-bridge and packets: Docker hosts with their bridges and containers; routers between two LANs', async ({ page }) => {
  await page.setViewportSize(sizes.desktop);
  await page.goto(await lessonPathFor(page, 'docker-bridge'));
  let lab = await openLab(page, 'docker-bridge');
  let view = await open(lab);
  await expect(picture(view).getByRole('group', { name: 'host host-1' })).toBeVisible();
  await expect(box(view, /^bridge docker0 on host-1, 172\.17\.0\.1 \(container networks\)/)).toHaveCount(1);
  await run(page, 'ssh host-1', 'docker-bridge');
  await run(page, 'docker run -d --name web nginx', 'docker-bridge');
  await expect(box(view, /^container web on host-1, 172\.17\.0\.\d+ \(container networks\)$/)).toHaveCount(1);
  expect(await seriousViolations(page)).toEqual([]);

  await page.goto(await lessonPathFor(page, 'packets'));
  lab = await openLab(page, 'packets');
  view = await open(lab);
  await expect(box(view, /^router router-1, /)).toHaveCount(1);
  await expect(box(view, /^router router-2, /)).toHaveCount(1);
  await expect(box(view, /^switch segment transit, 10\.0\.0\.0\/30$/)).toHaveCount(1);
  await expect(view.getByRole('list', { name: 'Legend' })).toContainText('external');
  // A link set down shows as down on the picture and in the text.
  await run(page, 'ssh router-1', 'packets');
  await run(page, 'ip link set eth1 down', 'packets');
  await expect(box(view, /^router router-1, .*/)).toHaveCount(1);
  await view.getByText('The topology as text').click();
  await expect(view.locator('.topo-text tr', { hasText: 'eth1 of router-1 to transit' })).toContainText('✕ down');
  await expect(picture(view).locator('.topo-link.topo-down')).toHaveCount(1);
  expect(await seriousViolations(page)).toEqual([]);
  await expect(panel(page, 'packets')).toHaveAttribute('data-ready', '');
});

// One page per size, photographed in both themes (the theme changes nothing but colours).
for (const size of ['desktop', 'phone'] as const) {
  test(`screenshots ${size}, light and dark`, async ({ page }) => {
    const lab = await threePoolsAfterPing(page, sizes[size], 1);
    const view = await open(lab);
    await box(view, /^pod client on /).click();
    if (size === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(sizes.phone.width);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await view.getByRole('radio', { name: 'Machines and links' }).check();
      await expect(box(view, /^pod client on /)).toHaveAttribute('aria-selected', 'true');
      for (const [part, sel] of [['top', '.topo-head'], ['details', '.topo-details'], ['packet', '.topo-packet']] as const) {
        await view.locator(sel).evaluate((e) => e.scrollIntoView({ block: 'start', behavior: 'instant' }));
        await page.screenshot({ path: `${SHOTS}/topology-${scheme}-${size}-${part}.png` });
      }
      await view.getByRole('radio', { name: 'Network model' }).check();
      await box(view, /^switch [^ ]+\/router: /).first().click();
      await view.locator('.topo-head').evaluate((e) => e.scrollIntoView({ block: 'start', behavior: 'instant' }));
      await page.screenshot({ path: `${SHOTS}/topology-${scheme}-${size}-network.png` });
      await view.locator('.topo-details').evaluate((e) => e.scrollIntoView({ block: 'start', behavior: 'instant' }));
      await page.screenshot({ path: `${SHOTS}/topology-${scheme}-${size}-network-table.png` });
      expect(await seriousViolations(page), scheme).toEqual([]);
    }
  });
}
