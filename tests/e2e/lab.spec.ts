/**
 * A learner's whole path through the three-pools lab: read the cluster from the terminal,
 * answer every task (in the terminal and in the panel), see the tasks pass, reload and find
 * everything kept, then Reset back to the start. Answers come from what the terminal prints,
 * never from fixed values: names and addresses depend on the seed.
 */
import { expect, test } from '@playwright/test';
import { LAB, lessonPathFor, openLab, panel, parseTable, poolOf, run, terminalLines } from './helpers';

const TASKS = ['pod-ip', 'pod-node', 'which-pool', 'ping-across', 'ttl-hops'];

test('complete the three-pools lab, reload, reset', async ({ page }) => {
  const path = await lessonPathFor(page);
  await page.goto(path);
  const lab = await openLab(page);
  const seed = await page.evaluate((id) => window.__labTerminals?.[id]?.seed(), LAB);
  test.info().annotations.push({ type: 'seed', description: String(seed) });

  for (const id of TASKS) await expect(lab.locator(`[data-task-id="${id}"]`)).toHaveAttribute('data-status', 'pending');

  // The target pod is named in the first task, as the learner reads it.
  const target = (await lab.locator('[data-task-id="pod-ip"] [data-task-description] code').first().textContent())?.trim() ?? '';
  expect(target).toMatch(/^web-/);

  const out = await run(page, 'kubectl get pods -o wide');
  const header = out.find((l) => l.startsWith('NAME '));
  expect(header).toMatch(/^NAME {2,}READY   STATUS    RESTARTS   AGE {2,}IP {2,}NODE {2,}NOMINATED NODE   READINESS GATES$/);
  const pods = parseTable(out);
  const row = pods.find((p) => p.NAME === target);
  expect(row, `pod ${target} in:\n${out.join('\n')}`).toBeTruthy();
  const ip = row!.IP!;
  const node = row!.NODE!;
  expect(poolOf(ip)).toBe('pod');

  // pod-ip in the terminal.
  const answered = await run(page, `answer pod-ip ${ip}`);
  expect(answered.join('\n')).toContain('pod-ip: correct');
  await expect(lab.locator('[data-task-id="pod-ip"]')).toHaveAttribute('data-status', 'passed');

  // pod-node in the panel's answer field; a wrong answer first.
  const nodeForm = lab.locator('[data-task-id="pod-node"] form');
  await nodeForm.getByLabel('Your answer').fill('no-such-node');
  await nodeForm.getByRole('button', { name: 'Check' }).click();
  await expect(lab.locator('[data-task-id="pod-node"]')).toHaveAttribute('data-status', 'failed');
  await expect(lab.locator('[data-task-id="pod-node"] [data-task-feedback]')).toBeVisible();
  await expect(lab.locator('[data-task-id="pod-node"] [data-task-status]')).toContainText('Not yet');
  await nodeForm.getByLabel('Your answer').fill(node);
  await nodeForm.getByLabel('Your answer').press('Enter');
  await expect(lab.locator('[data-task-id="pod-node"]')).toHaveAttribute('data-status', 'passed');
  await expect(lab.locator('[data-task-id="pod-node"] [data-task-status]')).toContainText('Passed');
  await expect(nodeForm.getByLabel('Your answer')).toBeDisabled();

  // which-pool: the address is in the task; sort it by prefix.
  const poolText = (await lab.locator('[data-task-id="which-pool"] [data-task-description]').textContent()) ?? '';
  const address = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/.exec(poolText)?.[1] ?? '';
  const pool = poolOf(address);
  expect(pool).not.toBe('unknown');
  await run(page, `answer which-pool ${pool}`);
  await expect(lab.locator('[data-task-id="which-pool"]')).toHaveAttribute('data-status', 'passed');

  // ping across nodes: replies arrive; their TTL tells the routed hops.
  const ping = await run(page, `kubectl exec client -- ping -c 3 ${ip}`);
  const replies = ping.filter((l) => l.includes(`from ${ip}`) && /ttl=\d+/.test(l));
  expect(replies.length, ping.join('\n')).toBeGreaterThan(0);
  await expect(lab.locator('[data-task-id="ping-across"]')).toHaveAttribute('data-status', 'passed');
  const ttl = Number(/ttl=(\d+)/.exec(replies[0]!)![1]);
  const hops = 64 - ttl;
  expect(hops).toBeGreaterThan(0);
  await run(page, `answer ttl-hops ${hops}`);

  for (const id of TASKS) await expect(lab.locator(`[data-task-id="${id}"]`)).toHaveAttribute('data-status', 'passed');
  const total = await lab.locator('[data-score-total]').textContent();
  await expect(lab.locator('[data-score]')).toHaveText(total ?? '');
  await expect(lab.locator('[data-complete-banner]')).toBeVisible();
  await expect(page.locator(`.sidebar [data-progress-lesson]`).filter({ has: page.locator('[aria-current="page"]') })).toHaveAttribute('data-complete', '');

  // Reload: task states and the terminal's restored notice.
  const commands = 5; // get pods, three answers, ping (pod-node was answered in the panel)
  await page.reload();
  const again = await openLab(page);
  for (const id of TASKS) await expect(again.locator(`[data-task-id="${id}"]`)).toHaveAttribute('data-status', 'passed');
  await expect.poll(() => terminalLines(page)).toContain(`(restored your lab: ${commands} commands)`);
  expect(await page.evaluate((id) => window.__labTerminals?.[id]?.seed(), LAB)).toBe(seed);
  // History survived too: the up arrow brings back the last command.
  await again.locator('.xterm').click();
  await page.keyboard.press('ArrowUp');
  await expect.poll(async () => (await terminalLines(page)).at(-1)).toMatch(/answer ttl-hops \d+$/);
  await page.keyboard.press('Control+C');

  // The home page marks the lesson complete.
  await page.goto('/');
  await expect(page.locator(`.lesson-card:has(a[data-labs~="${LAB}"])`)).toHaveAttribute('data-complete', '');
  await expect(page.locator(`.lesson-card:has(a[data-labs~="${LAB}"]) [data-complete-mark]`)).toContainText('Completed');

  // Reset: confirm, everything back to the start.
  await page.goto(path);
  const fresh = await openLab(page);
  await fresh.getByRole('button', { name: 'Reset' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reset this lab?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Reset lab' }).click();
  for (const id of TASKS) await expect(fresh.locator(`[data-task-id="${id}"]`)).toHaveAttribute('data-status', 'pending');
  await expect(fresh.locator('[data-score]')).toHaveText('0');
  await expect(fresh.locator('[data-complete-banner]')).toBeHidden();
  await expect.poll(async () => (await terminalLines(page)).join('\n')).not.toContain('restored your lab');
  await expect(fresh.locator('[data-task-id="pod-node"] input')).toBeEnabled();
  await expect(fresh.locator('[data-task-id="pod-node"] input')).toHaveValue('');
  const afterReset = await run(page, 'kubectl get pods -o wide');
  expect(afterReset.some((l) => l.startsWith('NAME '))).toBe(true);

  await page.reload();
  await openLab(page);
  for (const id of TASKS) await expect(panel(page).locator(`[data-task-id="${id}"]`)).toHaveAttribute('data-status', 'pending');
  await expect.poll(() => terminalLines(page)).toContain('(restored your lab: 1 command)');
});
