/**
 * The terminal's line editor: Tab completion (commands and pod names, a second Tab lists
 * candidates), editing keys, history, Ctrl+C, Ctrl+L, interrupting a running command, paste
 * of several lines, long lines that wrap.
 */
import { expect, test, type Page } from '@playwright/test';
import { LAB, focusTerminal, lessonPathFor, openLab, parseTable, run, terminalLines } from './helpers';

const lastLine = async (page: Page): Promise<string> => (await terminalLines(page)).at(-1) ?? '';

test.beforeEach(async ({ page }) => {
  await page.goto(await lessonPathFor(page));
  await openLab(page);
});

test('Tab completes a command and a pod name; a second Tab lists the candidates', async ({ page }) => {
  await focusTerminal(page);
  await page.keyboard.type('kubec');
  await page.keyboard.press('Tab');
  await expect.poll(() => lastLine(page)).toMatch(/\$ kubectl$/);
  await page.keyboard.type('exec cli');
  await page.keyboard.press('Tab');
  await expect.poll(() => lastLine(page)).toMatch(/\$ kubectl exec client$/);
  await page.keyboard.press('Control+C');

  // Several web pods: the first Tab completes their common prefix, the second lists them.
  const pods = parseTable(await run(page, 'kubectl get pods'));
  const web = pods.map((p) => p.NAME ?? '').filter((n) => n.startsWith('web-'));
  expect(web.length).toBeGreaterThan(1);
  await page.keyboard.type('kubectl get pods we');
  await page.keyboard.press('Tab');
  const common = web.reduce((a, b) => {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return a.slice(0, i);
  });
  await expect.poll(() => lastLine(page)).toMatch(new RegExp(`\\$ kubectl get pods ${common}$`));
  await page.keyboard.press('Tab');
  await expect
    .poll(async () => {
      const lines = await terminalLines(page);
      const listing = lines.slice(-1 - Math.ceil(web.length)).join(' ');
      return web.every((n) => listing.includes(n));
    })
    .toBe(true);
  await expect.poll(() => lastLine(page)).toMatch(new RegExp(`\\$ kubectl get pods ${common}$`));

  // Completing one of them runs.
  const suffix = web[0]!.slice(common.length);
  await page.keyboard.type(suffix.slice(0, 2));
  await page.keyboard.press('Tab');
  await expect.poll(() => lastLine(page)).toMatch(new RegExp(`\\$ kubectl get pods ${web[0]}$`));
  await page.keyboard.press('Control+C');
});

test('editing keys, history, Ctrl+C and Ctrl+L', async ({ page }) => {
  await focusTerminal(page);
  // Left/Home/End/Backspace/Delete.
  await page.keyboard.type('ubectl get noxdez');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('s');
  await page.keyboard.press('Home');
  await page.keyboard.type('k');
  await page.keyboard.press('End');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Delete');
  await expect.poll(() => lastLine(page)).toMatch(/\$ kubectl get nodes$/);
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await terminalLines(page)).some((l) => /^NAME +STATUS +ROLES/.test(l))).toBe(true);
  await expect.poll(() => lastLine(page)).toMatch(/[$#]$/);

  // History: up recalls, down returns to the draft.
  await page.keyboard.type('draft');
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => lastLine(page)).toMatch(/\$ kubectl get nodes$/);
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => lastLine(page)).toMatch(/\$ draft$/);

  // Ctrl+C cancels the line, printing ^C.
  await page.keyboard.press('Control+C');
  await expect.poll(async () => (await terminalLines(page)).at(-2)).toMatch(/\$ draft\^C$/);
  await expect.poll(() => lastLine(page)).toMatch(/[$#]$/);

  // Ctrl+L clears the screen, keeping the line being typed.
  await page.keyboard.type('kubectl');
  await page.keyboard.press('Control+L');
  await expect.poll(() => terminalLines(page)).toEqual([expect.stringMatching(/\$ kubectl$/)]);
  await page.keyboard.press('Control+C');
});

test('Ctrl+C interrupts a running ping', async ({ page }) => {
  const pods = parseTable(await run(page, 'kubectl get pods -o wide'));
  const ip = pods.find((p) => p.NAME?.startsWith('web-'))?.IP ?? '';
  await focusTerminal(page);
  await page.keyboard.type(`kubectl exec client -- ping ${ip}`);
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await terminalLines(page)).filter((l) => l.includes(`from ${ip}`)).length).toBeGreaterThan(0);
  await page.keyboard.press('Control+C');
  await expect.poll(async () => (await terminalLines(page)).join('\n')).toContain('^C');
  await expect(page.locator(`lab-panel[data-lab-id="${LAB}"]`)).not.toHaveAttribute('data-busy', '');
  await expect.poll(() => lastLine(page)).toMatch(/[$#]$/);
});

test('pasting several lines runs them one by one; long lines wrap and still edit', async ({ page }) => {
  await focusTerminal(page);
  await page.evaluate(() => {
    const textarea = document.querySelector<HTMLTextAreaElement>('lab-panel .xterm-helper-textarea');
    const data = new DataTransfer();
    data.setData('text/plain', 'kubectl get nodes\nkubectl get services\n');
    textarea?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect
    .poll(async () => {
      const text = (await terminalLines(page)).join('\n');
      return /^NAME +STATUS +ROLES/m.test(text) && /^NAME +TYPE +CLUSTER-IP/m.test(text);
    })
    .toBe(true);
  await expect.poll(() => lastLine(page)).toMatch(/[$#]$/);

  const cols = await page.evaluate(() => {
    const rows = document.querySelector('lab-panel .xterm-rows');
    return rows ? rows.clientWidth : 0;
  });
  expect(cols).toBeGreaterThan(0);
  const long = `kubectl${' '.repeat(150)}get nodes`;
  await page.keyboard.type(long);
  await page.keyboard.press('Home');
  await page.keyboard.press('Delete');
  await page.keyboard.type('k');
  await page.keyboard.press('End');
  await expect.poll(() => lastLine(page)).toMatch(new RegExp(`\\$ ${long}$`));
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await terminalLines(page)).filter((l) => /^NAME +STATUS +ROLES/.test(l)).length).toBe(2);
});

test('a here-document recalled with Up shows as its lines, as in bash, and runs again', async ({ page }) => {
  await focusTerminal(page);
  for (const l of ['cat <<EOF', 'hello there', 'EOF']) {
    await page.keyboard.type(l);
    await page.keyboard.press('Enter');
  }
  await expect.poll(async () => (await terminalLines(page)).filter((l) => l === 'hello there').length).toBe(1);
  await expect.poll(() => lastLine(page)).toMatch(/[$#]$/);
  await page.keyboard.press('ArrowUp');
  await expect.poll(async () => (await terminalLines(page)).slice(-3)).toEqual([expect.stringMatching(/\$ cat <<EOF$/), 'hello there', 'EOF']);
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await terminalLines(page)).filter((l) => l === 'hello there').length).toBe(3);
  await expect.poll(() => lastLine(page)).toMatch(/[$#]$/);
});

test('the cursor blinks unless the reader asks for less motion; Escape then Tab leaves the terminal, and text an input method commits back in it arrives', async ({ page }) => {
  await focusTerminal(page);
  const blinking = (): Promise<boolean> => page.evaluate(() => document.getAnimations().some((a) => a instanceof CSSAnimation && a.animationName.startsWith('blink')));
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await expect.poll(blinking).toBe(true);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect.poll(blinking).toBe(false);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  const inTerminal = await page.evaluate(() => !!document.activeElement?.closest('.xterm'));
  expect(inTerminal).toBe(false);
  // Back in the terminal, text committed as one input (an input method, an emoji picker) is
  // not lost, though the Tab that left was released outside it.
  await focusTerminal(page);
  await page.keyboard.insertText('echo ok');
  await expect.poll(() => lastLine(page)).toMatch(/\$ echo ok$/);
});

test('a shell inside a pod changes the prompt; exit comes back', async ({ page }) => {
  const before = await lastLine(page);
  await run(page, 'kubectl exec -it client -- sh');
  const inside = await lastLine(page);
  expect(inside).not.toBe(before);
  await run(page, 'hostname');
  expect((await terminalLines(page)).at(-2)).toBe('client');
  await run(page, 'exit');
  expect(await lastLine(page)).toBe(before);
});

test('a 1 MB paste runs as one command and leaves the terminal responsive', async ({ page }) => {
  await focusTerminal(page);
  await page.evaluate(() => {
    const textarea = document.querySelector<HTMLTextAreaElement>('lab-panel .xterm-helper-textarea');
    const data = new DataTransfer();
    data.setData('text/plain', `echo ${'x'.repeat(1_000_000)} | wc -c\n`);
    textarea?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect.poll(async () => (await terminalLines(page)).includes('1000001'), { timeout: 30_000 }).toBe(true);
  // One command: the whole line ran once, and the prompt is back after its output.
  await expect.poll(async () => (await terminalLines(page)).at(-1) ?? '').toMatch(/[$#]$/);
  const lines = await terminalLines(page);
  expect(lines.filter((l) => l === '1000001')).toHaveLength(1);
  expect(lines.at(-2)).toBe('1000001');
  // Still responsive afterwards.
  await page.keyboard.type('hostname');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await terminalLines(page)).includes('workstation')).toBe(true);
});
