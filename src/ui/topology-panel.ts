/**
 * The "Topology" toggle beside a lab's terminals and the panel it opens: the learner's own
 * sandbox drawn live (topology-view.ts).
 *
 * Design notes: from the moment the lab runs, the panel keeps the last packet a command sent
 * (the session's `trace` events that name a command) and passes the session's `state` events
 * on, so the view, loaded with a dynamic `import()` the first time the toggle opens it (with the
 * layout library, which it loads in turn), draws the sandbox as it is and the last packet's
 * way however late it is opened. Closing only hides it; a hidden view does no work and redraws
 * when shown again. The toggle is a disclosure button (aria-expanded, aria-controls); opening
 * it moves focus to the panel's heading. After Reset the panel follows the new session and
 * forgets the old one's packet. Everything the view reads comes through LabSessionApi
 * (`topologyModel`, `networkModel`, the events), as plain data.
 */
import type { LabSessionApi, TraceView } from '../labs/contract';
import type { LabPart } from './lab-parts';

/** What the view draws from: the panel's current session, its last packet, and when either changed. */
export interface TopologySource {
  session(): LabSessionApi;
  /** The last trace a learner's command sent, if any. */
  lastTrace(): TraceView | undefined;
  /** `state`: the sandbox may have changed (after a command, an apply); `trace`: a new packet; `session`: a new session (Reset). */
  subscribe(listener: (what: 'state' | 'trace' | 'session') => void): () => void;
}

interface MountedView {
  show(): void;
  focus(): void;
  hide(): void;
  dispose(): void;
}

export class TopologyPanel implements LabPart, TopologySource {
  private current: LabSessionApi | undefined;
  private last: TraceView | undefined;
  private readonly listeners = new Set<(what: 'state' | 'trace' | 'session') => void>();
  private unsubscribe: () => void = () => {};
  private view: MountedView | null = null;
  private loading: Promise<void> | null = null;
  private readonly toggle: HTMLButtonElement | null;
  private readonly container: HTMLElement | null;
  private readonly onClick = (): void => void this.setOpen(this.toggle?.getAttribute('aria-expanded') !== 'true');

  constructor(private readonly panel: HTMLElement) {
    this.toggle = panel.querySelector<HTMLButtonElement>('[data-topology-toggle]');
    this.container = panel.querySelector<HTMLElement>('[data-topology-panel]');
    this.toggle?.addEventListener('click', this.onClick);
  }

  follow(session: LabSessionApi): void {
    this.unsubscribe();
    this.current = session;
    this.last = undefined;
    this.unsubscribe = session.subscribe((e) => {
      if (e.type === 'trace' && e.trace.command) {
        this.last = e.trace;
        this.emit('trace');
      } else if (e.type === 'state') this.emit('state');
    });
    this.emit('session');
  }

  session(): LabSessionApi {
    if (!this.current) throw new Error('the topology panel follows no session yet');
    return this.current;
  }

  lastTrace(): TraceView | undefined {
    return this.last;
  }

  subscribe(listener: (what: 'state' | 'trace' | 'session') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(what: 'state' | 'trace' | 'session'): void {
    for (const l of this.listeners) l(what);
  }

  async setOpen(open: boolean): Promise<void> {
    const { toggle, container } = this;
    if (!toggle || !container || !this.current) return;
    toggle.setAttribute('aria-expanded', String(open));
    if (!open) {
      this.view?.hide();
      container.hidden = true;
      return;
    }
    container.hidden = false;
    if (!this.view) {
      this.loading ??= import('./topology-view').then(({ mountTopologyView }) => {
        this.view = mountTopologyView(container, this, { idBase: this.panel.id || 'lab' });
      });
      try {
        await this.loading;
      } catch (err) {
        this.loading = null;
        container.textContent = `The topology view could not load (${err instanceof Error ? err.message : String(err)}). Try again.`;
        return;
      }
    }
    if (toggle.getAttribute('aria-expanded') !== 'true') return;
    this.view?.show();
    this.view?.focus();
  }

  dispose(): void {
    this.unsubscribe();
    this.listeners.clear();
    this.toggle?.removeEventListener('click', this.onClick);
    this.view?.dispose();
    this.view = null;
  }
}
