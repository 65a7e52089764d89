/**
 * The "Editor" toggle beside a lab's terminals and the YAML editor it opens.
 *
 * Design notes: a LabPart (lab-parts.ts). It offers the lab's editor to the session from the
 * start (`offerEditor`), so `kubectl edit` in any terminal opens the object here; the editor
 * itself (yaml-editor.ts, with Monaco and monaco-yaml) is loaded with a dynamic `import()` the
 * first time the toggle opens it or `kubectl edit` asks for it, and then kept: closing only
 * hides it. The toggle is a disclosure button (aria-expanded, aria-controls); opening it moves
 * focus to the editor's heading, since the terminal lies between the two in the page's order,
 * and an edit request focuses the editor itself. If the editor cannot load, an edit request
 * is closed unsaved (kubectl prints `Edit cancelled, no changes made.`) and the panel says why,
 * so no terminal waits for an editor that is not there. After Reset the editor follows the
 * new session: its files, nothing of the old one's.
 */
import type { EditRequest, LabSessionApi } from '../labs/contract';
import type { LabPart } from './lab-parts';
import type { MountedYamlEditor } from './yaml-editor';

export class EditorPanel implements LabPart {
  private session: LabSessionApi | undefined;
  private unsubscribe: () => void = () => {};
  private withdraw: () => void = () => {};
  private view: MountedYamlEditor | null = null;
  private loading: Promise<MountedYamlEditor | null> | null = null;
  /** Edit requests that ended (Ctrl+C) before the editor had loaded. */
  private readonly ended = new Set<number>();
  private readonly toggle: HTMLButtonElement | null;
  private readonly container: HTMLElement | null;
  private readonly onClick = (): void => void this.setOpen(this.toggle?.getAttribute('aria-expanded') !== 'true');

  constructor(private readonly panel: HTMLElement) {
    this.toggle = panel.querySelector<HTMLButtonElement>('[data-editor-toggle]');
    this.container = panel.querySelector<HTMLElement>('[data-editor-panel]');
    this.toggle?.addEventListener('click', this.onClick);
  }

  follow(session: LabSessionApi): void {
    this.unsubscribe();
    this.withdraw();
    this.session = session;
    if (!this.toggle || !this.container) return;
    this.withdraw = session.offerEditor();
    this.unsubscribe = session.subscribe((e) => {
      if (e.type === 'edit') void this.openEdit(e);
      else if (e.type === 'edit-end') {
        this.ended.add(e.id);
        this.view?.endEdit(e.id);
      }
      else if (e.type === 'state') this.view?.refresh();
    });
    this.view?.follow(session);
  }

  private async openEdit(request: EditRequest): Promise<void> {
    const view = await this.setOpen(true, 'editor');
    if (!view) {
      this.session?.finishEdit(request.id, undefined);
      return;
    }
    if (this.ended.delete(request.id)) return;
    view.openEdit(request);
    view.focus('editor');
  }

  /** Opens or closes the editor; resolves with it once open (null if it could not load). */
  async setOpen(open: boolean, focus: 'heading' | 'editor' = 'heading'): Promise<MountedYamlEditor | null> {
    const { toggle, container, session } = this;
    if (!toggle || !container || !session) return null;
    toggle.setAttribute('aria-expanded', String(open));
    if (!open) {
      this.view?.hide();
      container.hidden = true;
      return null;
    }
    container.hidden = false;
    if (!this.view) {
      container.setAttribute('aria-busy', 'true');
      this.loading ??= import('./yaml-editor')
        .then(({ mountYamlEditor }) => {
          this.view = mountYamlEditor(container, this.session ?? session, { idBase: this.panel.id || 'lab' });
          return this.view;
        })
        .catch((err: unknown) => {
          this.loading = null;
          container.textContent = `The editor could not load (${err instanceof Error ? err.message : String(err)}). Try again.`;
          return null;
        })
        .finally(() => container.removeAttribute('aria-busy'));
      if (!(await this.loading)) return null;
    }
    // Closed again while it loaded: stay closed.
    if (toggle.getAttribute('aria-expanded') !== 'true') return this.view;
    this.view?.show();
    this.view?.focus(focus);
    return this.view;
  }

  dispose(): void {
    this.unsubscribe();
    this.withdraw();
    this.toggle?.removeEventListener('click', this.onClick);
    this.view?.dispose();
    this.view = null;
  }
}
