/**
 * The shell language in the browser terminal: a here-document typed line by line with `> `
 * continuation prompts, command substitution, and a file that survives a reload.
 */
import { expect, test } from '@playwright/test';
import { focusTerminal, lessonPathFor, openLab, parseTable, run, terminalLines } from './helpers';

test('a here-document applies a manifest, $(...) fills a variable, files survive a reload', async ({ page }) => {
  await page.goto(await lessonPathFor(page));
  await openLab(page);
  await focusTerminal(page);

  const body = ['apiVersion: v1', 'kind: Service', 'metadata:', '  name: extra', 'spec:', '  selector:', '    app: web', '  ports:', '  - port: 8080', '    targetPort: 80'];
  await page.keyboard.type('cat <<EOF | kubectl apply -f -');
  await page.keyboard.press('Enter');
  for (const line of body) {
    // Each line of the document is asked for with bash's PS2 prompt.
    await expect.poll(async () => (await terminalLines(page)).at(-1)).toMatch(/^> ?$/);
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  }
  await expect.poll(async () => (await terminalLines(page)).at(-1)).toMatch(/^> ?$/);
  await page.keyboard.type('EOF');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await terminalLines(page)).some((l) => l === 'service/extra created'), { timeout: 20_000 }).toBe(true);

  const svc = parseTable(await run(page, 'kubectl get svc extra'));
  expect(svc[0]!['PORT(S)']).toBe('8080/TCP');

  await run(page, `POD=$(kubectl get pod -l app=web -o jsonpath='{.items[0].metadata.name}')`);
  const echoed = await run(page, 'echo "first web pod: $POD"');
  expect(echoed).toHaveLength(1);
  expect(echoed[0]).toMatch(/^first web pod: web-[a-z0-9]+-[a-z0-9]{5}$/);

  await run(page, 'kubectl get svc extra -o yaml > extra.yaml');
  expect(await run(page, 'ls')).toEqual(['extra.yaml']);
  await page.locator('.xterm').first().screenshot({ path: test.info().outputPath('shell-terminal.png') });

  await page.reload();
  await openLab(page);
  expect(await run(page, 'grep -c "name: extra" extra.yaml')).toEqual(['1']);
});
