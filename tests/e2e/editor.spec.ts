/**
 * The YAML editor on a built lab, used with the keyboard alone: open it from the terminal,
 * create a file, write a Service (completion offers the spec's fields, the schema marks an
 * unknown field), save, apply it in the terminal, dry-run a port the API server refuses (a
 * marker and the problem in text), and `kubectl edit` the Service in the editor: Save, and the
 * terminal prints `service/NAME edited`. Then axe, and screenshots (light and dark, desktop and
 * phone) in test-results/screenshots/editor/ (EDITOR_SHOTS) for a person to look at.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { axeBuilder, focusTerminal, lessonPathFor, openLab, run, terminalLines } from './helpers';

const SHOTS = process.env.EDITOR_SHOTS ?? 'test-results/screenshots/editor';
const sizes = { desktop: { width: 1366, height: 900 }, phone: { width: 390, height: 844 } } as const;
const NAME = 'editor-web';

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await axeBuilder(page).include('.lab-editor').include('.lab-terminal-bar').analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
}

/** Leaves the terminal (Escape, then Shift+Tab twice, past "Packet path", to the Editor toggle) and opens the editor with Enter. */
async function openByKeyboard(page: Page, lab: Locator): Promise<Locator> {
  await focusTerminal(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  await expect(lab.getByRole('button', { name: 'Packet path' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  const toggle = lab.getByRole('button', { name: 'Editor' });
  await expect(toggle).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const editor = lab.locator('.lab-editor');
  await expect(editor.getByRole('heading', { name: 'Editor', exact: true })).toBeFocused();
  await expect(editor.locator('.monaco-editor')).toBeVisible();
  return editor;
}

/**
 * Types lines into the editor as a person would, each at its own indentation: the suggestions
 * are closed before Enter, and the indentation Monaco keeps from the line before is replaced.
 */
async function typeLines(page: Page, lines: string[]): Promise<void> {
  for (const [i, line] of lines.entries()) {
    if (i > 0) {
      await page.keyboard.press('Enter');
      // Enter always starts a line (Tab, not Enter, takes a suggestion that arrived late).
      await expect(page.locator('.lab-editor .line-numbers.active-line-number')).toHaveText(String(i + 1));
      // Select what Monaco indented, so the line's own indentation replaces it.
      await page.keyboard.press('Shift+Home');
    }
    await page.keyboard.type(line);
    // Escape closes the suggestions; on a busy machine a list asked for by the last keys can
    // open after it, and then takes another Escape, as it would for a person.
    const widget = page.locator('.suggest-widget.visible');
    await page.keyboard.press('Escape');
    await expect(async () => {
      if ((await widget.count()) > 0) await page.keyboard.press('Escape');
      await expect(widget).toHaveCount(0, { timeout: 1000 });
    }).toPass();
  }
}

/** Monaco's input (an edit context, not a textarea), named by the editor's aria-label. */
const input = (editor: Locator): Locator => editor.getByRole('textbox', { name: /^YAML editor, / });

/** The text the problems list shows, one entry per problem. */
const problems = (editor: Locator): Locator => editor.locator('.editor-problem');

test('a Service written, checked, saved and applied with the keyboard alone, then kubectl edit in the editor', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize(sizes.desktop);
  await page.goto(await lessonPathFor(page));
  const lab = await openLab(page);
  const editor = await openByKeyboard(page, lab);

  // A new file: Tab to "New file" (past the file picker), its name, Enter.
  await page.keyboard.press('Tab');
  await expect(editor.getByRole('combobox', { name: 'File' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(editor.getByRole('button', { name: 'New file' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(editor.getByRole('textbox', { name: 'New file name' })).toBeFocused();
  await page.keyboard.type('svc.yaml');
  await page.keyboard.press('Enter');
  await expect(editor.getByRole('combobox', { name: 'File' }).locator('option:checked')).toHaveText('svc.yaml (new)');
  await expect(input(editor)).toBeFocused();

  await typeLines(page, ['apiVersion: v1', 'kind: Service', 'metadata:', `  name: ${NAME}`, 'spec:', '  selector:', '    app: editor-web', '  ports:', '  - port: 80', '    targetPort: 8080', '  colour: blue']);

  // The schema knows no `colour` in a ServiceSpec: a marker, and the problem in words.
  await expect(problems(editor)).toHaveCount(1);
  await expect(problems(editor).first()).toContainText('Line 11, column 3');
  await expect(problems(editor).first()).toContainText('Warning (editor check): Property colour is not allowed.');
  await expect(editor.locator('.monaco-editor .squiggly-warning')).toHaveCount(1);

  // Replace that line: completion offers the ServiceSpec's fields, with the sandbox's documentation.
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type('  ty');
  await page.keyboard.press('Control+Space');
  const suggestions = page.locator('.suggest-widget .monaco-list-row');
  await expect(suggestions.first()).toBeVisible();
  await expect(suggestions.filter({ hasText: 'type' }).first()).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type('  ');
  await page.keyboard.press('Control+Space');
  // The ServiceSpec's fields not written yet (the list shows its first rows).
  await expect(suggestions.filter({ hasText: /^clusterIP$/ })).toBeVisible();
  await expect(suggestions.filter({ hasText: 'externalTrafficPolicy' })).toBeVisible();
  await expect(suggestions.filter({ hasText: /^ports$/ })).toHaveCount(0);
  await page.keyboard.press('Escape');
  // An enum value the API does not have.
  await page.keyboard.type('type: Node');
  await page.keyboard.press('Escape');
  await expect(problems(editor).first()).toContainText('Value is not accepted. Valid values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort".');
  await page.keyboard.type('Port');
  await page.keyboard.press('Escape');
  await expect(problems(editor)).toHaveCount(0);
  // Ctrl+K Ctrl+I explains the field under the cursor, in the sandbox's words.
  await page.keyboard.press('Home');
  await page.keyboard.press('Control+k');
  await page.keyboard.press('Control+i');
  await expect(page.locator('.monaco-hover:visible')).toContainText('ClusterIP (a virtual IP inside the cluster, the default)');
  await page.keyboard.press('Escape');
  await page.keyboard.press('End');
  await expect(editor.getByText('No problems found in this file.')).toBeVisible();

  // Ctrl+S saves the file on the workstation.
  await page.keyboard.press('Control+s');
  await expect(editor.getByRole('status')).toHaveText('Saved svc.yaml. Apply it in a terminal: kubectl apply -f svc.yaml');
  await expect(editor.getByRole('combobox', { name: 'File' }).locator('option:checked')).toHaveText('svc.yaml');
  await shoot(page, lab, 'desktop-light-written');

  // Apply it in the terminal.
  expect(await run(page, 'kubectl apply -f svc.yaml')).toEqual([`service/${NAME} created`]);
  expect((await run(page, `kubectl get svc ${NAME} -o jsonpath='{.spec.type}'`)).join('')).toMatch(/^NodePort/);

  // A port the API server refuses: the dry run marks it, and lists it in words.
  await lab.locator('.monaco-editor').click();
  await page.keyboard.press('Control+g');
  await page.keyboard.type('9');
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('70000');
  await page.keyboard.press('Escape');
  // Escape, then Shift+Tab leaves the editor backwards: to "Dry run".
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  const dryRun = editor.getByRole('button', { name: 'Dry run' });
  await expect(dryRun).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(editor.getByRole('status')).toHaveText('Dry run: the API server refused it, 1 problem (listed below).');
  await expect(problems(editor)).toHaveText(['Line 9, column 11Error (API server dry run): spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive']);
  await expect(editor.locator('.monaco-editor .squiggly-error').first()).toBeVisible();
  await shoot(page, lab, 'desktop-light-dry-run');
  // The problem's button puts the cursor on it.
  await problems(editor).first().getByRole('button').click();
  await expect(input(editor)).toBeFocused();
  // Changing the text clears the dry run's markers.
  await page.keyboard.press('Control+z');
  await expect(problems(editor)).toHaveCount(0);

  // kubectl edit opens the Service in the editor; Save applies it.
  await focusTerminal(page);
  await page.keyboard.type(`kubectl edit svc/${NAME}`);
  await page.keyboard.press('Enter');
  const picker = editor.getByRole('combobox', { name: 'File' });
  await expect(picker.locator('option:checked')).toHaveText(/^kubectl edit: \/tmp\/kubectl-edit-\d+\.yaml$/);
  await expect(input(editor)).toBeFocused();
  await expect(editor.getByText(/^kubectl edit in Terminal 1 waits for this file/)).toBeVisible();
  await shoot(page, lab, 'desktop-light-kubectl-edit');
  // Find the port and change it (Ctrl+F, the text, Enter, Escape leaves it selected; the object's keys are sorted, nodePort first).
  await page.keyboard.press('Control+f');
  await page.keyboard.type(' port: 80');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.type(' port: 8080');
  await page.keyboard.press('Control+s');
  await expect(editor.getByRole('status')).toHaveText('Saved. kubectl edit goes on in Terminal 1.');
  await expect.poll(async () => (await terminalLines(page)).slice(-2)).toEqual([`service/${NAME} edited`, expect.stringMatching(/\$ ?$/)]);
  // Back to the file shown before, with its unsaved change kept.
  await expect(picker.locator('option:checked')).toHaveText('svc.yaml (unsaved)');
  expect((await run(page, `kubectl get svc ${NAME} -o jsonpath='{.spec.ports[0].port}'`)).join('')).toBe('8080');

  // Cancel edit leaves the object as it was.
  await focusTerminal(page);
  await page.keyboard.type(`kubectl edit svc/${NAME}`);
  await page.keyboard.press('Enter');
  await expect(picker.locator('option:checked')).toHaveText(/^kubectl edit: /);
  await editor.getByRole('button', { name: 'Cancel edit' }).click();
  await expect.poll(async () => (await terminalLines(page)).slice(-2)).toEqual(['Edit cancelled, no changes made.', expect.stringMatching(/\$ ?$/)]);
});

test('Ctrl+M makes Tab move focus instead of indenting, and back', async ({ page }) => {
  await page.setViewportSize(sizes.desktop);
  await page.goto(await lessonPathFor(page));
  const lab = await openLab(page);
  const editor = await openByKeyboard(page, lab);
  await lab.locator('.monaco-editor').click();
  await page.keyboard.press('Control+m');
  await page.keyboard.press('Tab');
  await expect(input(editor)).not.toBeFocused();
  await lab.locator('.monaco-editor').click();
  await page.keyboard.press('Control+m');
  await page.keyboard.press('Tab');
  await expect(input(editor)).toBeFocused();
});

// One page per size, checked in both themes (the editor follows the page's scheme as it changes).
for (const size of ['desktop', 'phone'] as const) {
  test(`the editor with problems has no serious axe violations (${size}, light and dark)`, async ({ page }) => {
    await page.setViewportSize(sizes[size]);
    await page.goto(await lessonPathFor(page));
    const lab = await openLab(page);
    // A file the shell wrote: the editor opens it first.
    await run(page, "printf 'apiVersion: v1\\nkind: Service\\nmetadata:\\n  name: x\\nspec:\\n  type: Nodeport\\n  ports:\\n  - port: 70000\\n' > bad.yaml");
    await lab.getByRole('button', { name: 'Editor' }).click();
    const editor = lab.locator('.lab-editor');
    await expect(editor.getByRole('combobox', { name: 'File' }).locator('option:checked')).toHaveText('bad.yaml');
    await expect(problems(editor)).toHaveCount(1);
    await editor.getByRole('button', { name: 'Dry run' }).click();
    await expect(problems(editor)).not.toHaveCount(1);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await expect(editor.locator('.monaco-editor')).toHaveClass(scheme === 'dark' ? /\bvs-dark\b/ : /\bvs\b/);
      await shoot(page, lab, `${size}-${scheme}`);
      expect(await seriousViolations(page), scheme).toEqual([]);
    }
  });
}

async function shoot(page: Page, lab: Locator, name: string): Promise<void> {
  await lab.locator('.lab-editor').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
}
