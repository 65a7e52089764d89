/**
 * `<lab-panel data-lab-id="...">`: the custom element around a lab (see Lab.astro).
 *
 * Design notes: the panel's HTML (title, tasks, score) is rendered at build time, so the
 * lesson reads fine before any script runs. This small element only waits until the lab
 * comes near the viewport, then loads the terminal and the lab session with a dynamic
 * `import()`: xterm and the simulator are never downloaded for a lesson nobody scrolls to.
 * When the terminal takes input the element gets `data-ready`.
 *
 * The Expand button works without the heavy code: it only toggles an attribute that the CSS
 * turns into a full-window view.
 *
 * The terminal's box (`#lab-<id>-terminal`) is the target of the page's "Skip to the lab's
 * terminal" link: when it gets the focus, the lab starts if it has not yet, and the focus
 * moves on into the terminal once it takes input.
 */

type Mounted = { dispose(): void };

class LabPanelElement extends HTMLElement {
  private observer: IntersectionObserver | null = null;
  private mounted: Mounted | null = null;
  private loading: Promise<void> | null = null;

  connectedCallback(): void {
    this.wireExpand();
    this.wireSkipTarget();
    if (!('IntersectionObserver' in window)) {
      void this.load();
      return;
    }
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          this.observer?.disconnect();
          this.observer = null;
          void this.load();
        }
      },
      { rootMargin: '200px 0px' },
    );
    this.observer.observe(this);
  }

  disconnectedCallback(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.mounted?.dispose();
    this.mounted = null;
  }

  /** Starts the lab once; every caller waits for the same start. */
  private load(): Promise<void> {
    if (this.mounted) return Promise.resolve();
    this.loading ??= this.start();
    return this.loading;
  }

  private async start(): Promise<void> {
    this.setAttribute('data-loading', '');
    try {
      const { mountLab } = await import('./lab-runtime');
      this.mounted = await mountLab(this);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const placeholder = this.querySelector<HTMLElement>('[data-terminal-placeholder]');
      if (placeholder) {
        placeholder.textContent = `The terminal could not start (${message}). Reload the page to try again.`;
      }
      this.setAttribute('data-error', '');
    } finally {
      this.loading = null;
      this.removeAttribute('data-loading');
    }
  }

  private wireSkipTarget(): void {
    const box = this.querySelector<HTMLElement>('[data-terminal]');
    if (!box || box.dataset.wired) return;
    box.dataset.wired = 'true';
    box.addEventListener('focus', () => {
      void this.load().then(() => {
        // Still wanted: nothing else took the focus while the lab started.
        if (document.activeElement === box) box.querySelector<HTMLElement>('.xterm-helper-textarea')?.focus();
      });
    });
  }

  private wireExpand(): void {
    const button = this.querySelector<HTMLButtonElement>('[data-expand]');
    if (!button || button.dataset.wired) return;
    button.dataset.wired = 'true';
    const label = button.querySelector<HTMLElement>('[data-expand-label]');
    const set = (expanded: boolean): void => {
      this.toggleAttribute('data-expanded', expanded);
      button.setAttribute('aria-pressed', String(expanded));
      if (label) label.textContent = expanded ? 'Collapse' : 'Expand';
      document.documentElement.toggleAttribute('data-lab-expanded', expanded);
    };
    button.addEventListener('click', () => set(!this.hasAttribute('data-expanded')));
    this.addEventListener('keydown', (e) => {
      // Escape inside the terminal is the terminal's (it arms "Tab leaves the terminal"), and
      // inside a dialog the dialog's (it closes the dialog only).
      const owned = (e.target as Element | null)?.closest?.('.xterm, dialog');
      if (e.key === 'Escape' && this.hasAttribute('data-expanded') && !owned) {
        set(false);
        button.focus();
      }
    });
  }
}

if (!customElements.get('lab-panel')) {
  customElements.define('lab-panel', LabPanelElement);
}
