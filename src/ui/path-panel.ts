/**
 * The "Packet path" toggle beside a lab's terminals and the panel it opens.
 *
 * Design notes: from the moment the lab runs, the panel's PathLog (path-model.ts) keeps the
 * session's `trace` events, so the view shows the last command's packets however late it is
 * opened. The view itself (path-view.ts, its styles with it) is loaded with a dynamic `import()`
 * the first time the toggle opens it, and then kept: closing only hides it. The toggle is a
 * disclosure button (aria-expanded, aria-controls); opening it moves focus to the panel's
 * heading, since the terminal lies between the two in the page's order. After Reset the log
 * follows the new session and starts empty.
 */
import type { LabSessionApi } from '../labs/contract';
import type { LabPart } from './lab-parts';
import { PathLog } from './path-model';

interface MountedView {
  show(): void;
  focus(): void;
  hide(): void;
  dispose(): void;
}

export class PathPanel implements LabPart {
  readonly log = new PathLog();
  private unsubscribe: () => void = () => {};
  private view: MountedView | null = null;
  private loading: Promise<void> | null = null;
  private readonly toggle: HTMLButtonElement | null;
  private readonly container: HTMLElement | null;
  private readonly onClick = (): void => void this.setOpen(this.toggle?.getAttribute('aria-expanded') !== 'true');

  constructor(private readonly panel: HTMLElement) {
    this.toggle = panel.querySelector<HTMLButtonElement>('[data-path-toggle]');
    this.container = panel.querySelector<HTMLElement>('[data-path-panel]');
    this.toggle?.addEventListener('click', this.onClick);
  }

  /** Keeps the packets `session` sends from now on (and forgets the ones before). */
  follow(session: LabSessionApi): void {
    this.unsubscribe();
    this.log.clear();
    this.unsubscribe = session.subscribe((e) => {
      if (e.type === 'trace') this.log.add(e.trace);
    });
  }

  async setOpen(open: boolean): Promise<void> {
    const { toggle, container } = this;
    if (!toggle || !container) return;
    toggle.setAttribute('aria-expanded', String(open));
    if (!open) {
      this.view?.hide();
      container.hidden = true;
      return;
    }
    container.hidden = false;
    if (!this.view) {
      this.loading ??= import('./path-view').then(({ mountPathView }) => {
        this.view = mountPathView(container, this.log, { idBase: this.panel.id || 'lab' });
      });
      try {
        await this.loading;
      } catch (err) {
        this.loading = null;
        container.textContent = `The packet path view could not load (${err instanceof Error ? err.message : String(err)}). Try again.`;
        return;
      }
    }
    // Closed again while it loaded: stay closed.
    if (toggle.getAttribute('aria-expanded') !== 'true') return;
    this.view?.show();
    // The panel sits below the terminal, away from the toggle: focus goes to its heading.
    this.view?.focus();
  }

  dispose(): void {
    this.unsubscribe();
    this.toggle?.removeEventListener('click', this.onClick);
    this.view?.dispose();
    this.view = null;
  }
}
