/**
 * `<header-explorer data-bytes="4500...">`: the custom element around a header explorer (see
 * HeaderExplorer.astro). `data-bytes` is the packet in hex; `data-kind="frame"` (or `auto`)
 * takes it for an Ethernet frame instead; `data-select` names the field selected first.
 *
 * Design notes: the explorer's HTML (byte grid, fields, checksum sum, the table) is rendered
 * at build time, so it reads without scripts. This element only waits until the explorer comes
 * near the viewport, or the learner clicks or tabs into it, then loads the live explorer
 * (header-explorer.ts, with the model) with a dynamic `import()` and mounts it over the static
 * markup, which it draws again the same way with the controls added. When it takes input the
 * element gets `data-ready`.
 */

type Mounted = { dispose(): void };

function bytesOf(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

class HeaderExplorerElement extends HTMLElement {
  private observer: IntersectionObserver | null = null;
  private mounted: Mounted | null = null;
  private loading = false;
  private readonly activate = (): void => void this.load();

  connectedCallback(): void {
    this.addEventListener('focusin', this.activate);
    this.addEventListener('pointerdown', this.activate);
    if (!('IntersectionObserver' in window)) {
      void this.load();
      return;
    }
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void this.load();
      },
      { rootMargin: '200px 0px' },
    );
    this.observer.observe(this);
  }

  disconnectedCallback(): void {
    this.stopWatching();
    this.mounted?.dispose();
    this.mounted = null;
  }

  private stopWatching(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.removeEventListener('focusin', this.activate);
    this.removeEventListener('pointerdown', this.activate);
  }

  private async load(): Promise<void> {
    if (this.loading || this.mounted) return;
    this.loading = true;
    this.stopWatching();
    try {
      const target = this.querySelector<HTMLElement>('[data-hx-mount]');
      if (!target) return;
      const { mountHeaderExplorer } = await import('./header-explorer');
      const kind = this.dataset.kind === 'frame' || this.dataset.kind === 'auto' ? this.dataset.kind : 'packet';
      this.mounted = mountHeaderExplorer(target, bytesOf(this.dataset.bytes ?? ''), {
        kind,
        id: this.id || undefined,
        ...(this.dataset.select ? { select: this.dataset.select as never } : {}),
      });
      this.setAttribute('data-ready', '');
    } catch {
      // The static picture stays: it reads without the live explorer.
      this.setAttribute('data-error', '');
    } finally {
      this.loading = false;
    }
  }
}

if (!customElements.get('header-explorer')) {
  customElements.define('header-explorer', HeaderExplorerElement);
}

export {};
