/**
 * The topology view: the learner's own sandbox drawn live, redrawn after every command, with
 * the last packet's way on it, each box's addresses, interfaces and routes, and a second mode,
 * the network model (processes and switches, each with its forwarding table).
 *
 * Design notes: loaded by topology-panel.ts with a dynamic `import()` when the learner first
 * opens it; it reads the session only through the contract (`topologyModel()`,
 * `networkModel()`, the last trace event), as plain data, never the sandbox itself.
 * - Redraws: after each `state` event (every command in any terminal, an apply), coalesced to
 *   one per frame, and only while shown (a hidden view redraws when shown again). A new packet
 *   (a `trace` event) only moves the overlay: the model is kept. The model becomes a Diagram
 *   (topology-diagram.ts); a Diagram whose structure key was laid out before is painted at once
 *   from the cached layout, so a command that changes only addresses, states or tables costs a
 *   model, a string of SVG and the details; a new structure is sent to the layout library in its
 *   worker (topology-layout.ts) while the old picture stays (aria-busy) and is painted when the
 *   layout comes back. Painting writes only the boxes and lines whose markup changed (all of it
 *   when the layout did), the details and the packet's list only when what they say changed,
 *   and reads nothing back from the page (the canvas's width comes from a ResizeObserver, its
 *   height is set from the picture's, and it is `contain: strict`), so the browser lays out as
 *   little as it can. The routing table is asked for only for the box whose details are shown. Each redraw's main-thread time is a performance measure
 *   (`topology:redraw`, and `topology:paint` for a picture painted when its layout arrives),
 *   which bench/topology-browser.mjs reads. While the model says a pod is on its way (its
 *   sandbox not made yet), the view asks again every second, so the pod gets its address and
 *   veth on the picture without another command.
 * - Selection: by element id, which the model keeps stable, so it survives redraws; when the
 *   selected object goes, the details say so. The picture is one listbox: arrow keys move to the
 *   nearest box in that direction, Home and End to the first and last, Enter or Space (or a
 *   click) selects; focus stays on the same box across redraws.
 * - Pools: the legend gives each pool's mark, colour, name and ranges; addresses in the details
 *   carry the mark and the pool's name in words.
 * - The last packet: its boxes numbered in order, its lines thickened, and the same steps as a
 *   list under the picture (ARP left out), with "Show the last packet" to turn it off.
 * - The text equivalent: "The topology as text" lists every box by group with its title (kind,
 *   name, address and pool, state) as a button that selects it, every link with its state, and,
 *   in the network model, every vertex and link; the selected vertex's table is in the details.
 * - Size: by default the picture takes the panel's width but is not drawn below 80 % (the
 *   panel scrolls past that); "Fit" shows all of it in the panel's width; − and + step the scale.
 * Styles come with the module (topology-view.css, inlined) and use the site's theme tokens.
 */
import css from './topology-view.css?inline';
import { el, injectStyle } from './dom';
import type { ForwardingEntry, NetworkModel, PoolInfo, PoolKey, TopoAddress, TopologyModel } from '../labs/contract';
import { named, networkOverlay, packetOverlay, type PacketOverlay } from '../labs/topology-view';
import { actionBadge, packetHops } from './path-model';
import { elkGraph, joinSvg, layoutOf, neighbourIn, networkDiagram, poolMark, svgParts, topologyDiagram, type Diagram, type DiagramMode, type Direction, type Layout, type SvgParts } from './topology-diagram';
import { layoutInWorker } from './topology-layout';
import type { TopologySource } from './topology-panel';

export interface TopologyViewOptions {
  /** Prefix for element ids (the lab panel's id). */
  idBase: string;
}

export interface MountedTopologyView {
  show(): void;
  focus(): void;
  hide(): void;
  dispose(): void;
}

export function mountTopologyView(root: HTMLElement, source: TopologySource, opts: TopologyViewOptions): MountedTopologyView {
  injectCss();
  return new TopologyView(root, source, opts);
}

function injectCss(): void {
  injectStyle('topology-view-css', css);
}


/** A pool's mark as an inline SVG (hidden from assistive technology: the pool is also named in words). */
function markSvg(pool: PoolKey): SVGSVGElement {
  const wrap = document.createElement('span');
  wrap.innerHTML = `<svg aria-hidden="true" focusable="false" width="12" height="12" viewBox="-6 -6 12 12" class="topo-mark topo-pool-${pool}">${poolMark(pool)}</svg>`;
  return wrap.firstElementChild as SVGSVGElement;
}

/** A line sample for the legend. */
function lineSvg(kind: string): SVGSVGElement {
  const wrap = document.createElement('span');
  wrap.innerHTML = `<svg aria-hidden="true" focusable="false" width="28" height="10" viewBox="0 0 28 10"><path class="topo-link topo-link-${kind}" d="M1 5H27"/></svg>`;
  return wrap.firstElementChild as SVGSVGElement;
}

const ACTION_ICON: Record<ForwardingEntry['action'], string> = { deliver: '✓', forward: '→', discard: '✕' };

const LINE_WORDS: Record<DiagramMode, [string, string][]> = {
  machines: [
    ['cable', 'cable to a switch'],
    ['veth', 'veth pair'],
    ['bridge', 'into the host\'s stack'],
    ['tunnel', 'VXLAN tunnel'],
    ['endpoint', 'Service endpoint'],
  ],
  network: [
    ['ether', 'cable to a switch'],
    ['veth', 'veth pair'],
    ['local', 'host stack'],
    ['tunnel', 'VXLAN tunnel'],
  ],
};

/** Below this the names are hard to read: the picture scrolls instead, unless Fit is asked for. */
const READABLE = 0.8;
const ZOOM_STEPS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5];
const MIN_SCALE = ZOOM_STEPS[0]!;
const MAX_SCALE = ZOOM_STEPS.at(-1)!;
/** How soon to look again while a pod is on its way. */
const SETTLE_MS = 1000;

class TopologyView implements MountedTopologyView {
  private readonly ids: { title: string; keys: string; details: string; mode: string };
  private readonly modeInputs: HTMLInputElement[];
  private readonly packetBox: HTMLInputElement;
  private readonly zoomOut: HTMLButtonElement;
  private readonly zoomIn: HTMLButtonElement;
  private readonly zoomFit: HTMLButtonElement;
  private readonly zoomLevel: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly status: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly details: HTMLElement;
  private readonly packet: HTMLElement;
  private readonly textWrap: HTMLDetailsElement;
  private readonly text: HTMLElement;

  private mode: DiagramMode = 'machines';
  private showPacket = true;
  /** `auto`: the panel's width, but not below READABLE; `fit`: the whole picture in the panel's width; else a scale. */
  private zoom: number | 'auto' | 'fit' = 'auto';
  private scale = 1;
  private visible = false;
  private dirty = true;
  /** The model must be asked for again (a state event came); else only the overlay changed. */
  private stale = true;
  private frame = 0;
  private settleTimer = 0;
  private readonly selected: Record<DiagramMode, string | undefined> = { machines: undefined, network: undefined };
  private active: string | undefined;
  private model: TopologyModel | undefined;
  private network: NetworkModel | undefined;
  private diagram: Diagram | undefined;
  private overlay: PacketOverlay | undefined;
  private readonly layouts = new Map<string, Layout>();
  private readonly pending = new Set<string>();
  private painted: Layout | undefined;
  /** What was last written, to leave the page alone when a redraw changes nothing it shows. */
  private lastSvg: SvgParts | undefined;
  private lastDetails = '';
  private lastPacket = '';
  /** The canvas's width, kept by a ResizeObserver so that painting never has to ask for a layout. */
  private canvasWidth = 0;
  private previousIds: Map<string, string> | undefined;
  private legendKey = '';
  private readonly unsubscribe: () => void;
  private readonly resize: ResizeObserver | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly source: TopologySource,
    opts: TopologyViewOptions,
  ) {
    const base = `${opts.idBase}-topology`;
    this.ids = { title: `${base}-title`, keys: `${base}-keys`, details: `${base}-details-title`, mode: `${base}-mode` };
    root.classList.add('lab-topology');
    root.setAttribute('aria-labelledby', this.ids.title);
    this.modeInputs = (['machines', 'network'] as const).map((m) => el('input', { type: 'radio', name: this.ids.mode, value: m, checked: m === this.mode }));
    this.packetBox = el('input', { type: 'checkbox', checked: true });
    this.zoomOut = el('button', { type: 'button', class: 'topo-zoom', 'aria-label': 'Zoom out' }, '−');
    this.zoomIn = el('button', { type: 'button', class: 'topo-zoom', 'aria-label': 'Zoom in' }, '+');
    this.zoomFit = el('button', { type: 'button', class: 'topo-zoom', 'aria-pressed': 'false' }, 'Fit');
    this.zoomLevel = el('span', { class: 'topo-zoom-level', 'aria-hidden': 'true' }, '100 %');
    this.legend = el('ul', { class: 'topo-legend', 'aria-label': 'Legend' });
    this.status = el('p', { class: 'topo-status-line' });
    this.announcer = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
    this.canvas = el('div', { class: 'topo-canvas' }, el('p', { class: 'topo-placeholder' }, 'Drawing your sandbox…'));
    this.details = el('section', { class: 'topo-details', 'aria-labelledby': this.ids.details });
    this.packet = el('section', { class: 'topo-packet', 'aria-label': 'The last packet' });
    this.text = el('div', { class: 'topo-text' });
    this.textWrap = el('details', { class: 'topo-text-wrap' }, el('summary', {}, 'The topology as text'), this.text);
    root.replaceChildren(
      el('div', { class: 'topo-head' }, el('h3', { class: 'topo-title', id: this.ids.title, tabindex: -1 }, 'Topology'), el('p', { class: 'topo-lede' }, 'Your sandbox as it is now, redrawn after every command. Select a box for its addresses, interfaces and routes.')),
      el(
        'div',
        { class: 'topo-controls' },
        el('fieldset', { class: 'topo-modes' }, el('legend', {}, 'Show'), el('label', {}, this.modeInputs[0]!, ' Machines and links'), el('label', {}, this.modeInputs[1]!, ' Network model')),
        el('label', {}, this.packetBox, ' Show the last packet'),
        el('span', { class: 'topo-zoom-group', role: 'group', 'aria-label': 'Size of the picture' }, this.zoomOut, this.zoomLevel, this.zoomIn, this.zoomFit),
      ),
      this.legend,
      this.status,
      this.announcer,
      el('div', { class: 'topo-body' }, el('div', { class: 'topo-diagram' }, el('p', { class: 'topo-keys', id: this.ids.keys }, 'Arrow keys move between boxes; Enter or Space shows one.'), this.canvas), this.details),
      this.packet,
      this.textWrap,
    );
    for (const i of this.modeInputs) i.addEventListener('change', this.onMode);
    this.packetBox.addEventListener('change', this.onPacketToggle);
    this.zoomOut.addEventListener('click', this.onZoomOut);
    this.zoomIn.addEventListener('click', this.onZoomIn);
    this.zoomFit.addEventListener('click', this.onZoomFit);
    this.canvas.addEventListener('keydown', this.onKey);
    this.canvas.addEventListener('click', this.onClick);
    this.canvas.addEventListener('focusin', this.onFocusIn);
    this.text.addEventListener('click', this.onPick);
    this.textWrap.addEventListener('toggle', this.onTextToggle);
    this.unsubscribe = source.subscribe((what) => {
      if (what !== 'trace') this.stale = true;
      this.schedule();
    });
    this.resize =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver((entries) => {
            const w = entries.at(-1)?.contentRect.width;
            if (w === undefined || Math.abs(w - this.canvasWidth) < 1) return;
            this.canvasWidth = w;
            this.applyScale();
          })
        : undefined;
    this.resize?.observe(this.canvas);
  }

  show(): void {
    this.visible = true;
    // Read once while the canvas holds no picture (cheap); the ResizeObserver keeps it after.
    if (this.canvasWidth === 0) this.canvasWidth = this.canvas.clientWidth;
    if (this.dirty) this.redraw();
  }

  hide(): void {
    this.visible = false;
  }

  focus(): void {
    this.root.querySelector<HTMLElement>(`#${CSS.escape(this.ids.title)}`)?.focus();
  }

  dispose(): void {
    this.unsubscribe();
    cancelAnimationFrame(this.frame);
    window.clearTimeout(this.settleTimer);
    this.resize?.disconnect();
    for (const i of this.modeInputs) i.removeEventListener('change', this.onMode);
    this.packetBox.removeEventListener('change', this.onPacketToggle);
    this.zoomOut.removeEventListener('click', this.onZoomOut);
    this.zoomIn.removeEventListener('click', this.onZoomIn);
    this.zoomFit.removeEventListener('click', this.onZoomFit);
    this.canvas.removeEventListener('keydown', this.onKey);
    this.canvas.removeEventListener('click', this.onClick);
    this.canvas.removeEventListener('focusin', this.onFocusIn);
    this.text.removeEventListener('click', this.onPick);
    this.textWrap.removeEventListener('toggle', this.onTextToggle);
    this.root.replaceChildren();
  }

  // ---- redrawing ------------------------------------------------------------------------------

  private schedule(): void {
    this.dirty = true;
    if (!this.visible || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.redraw();
    });
  }

  /** Asks for the model (when it may have changed), rebuilds the diagram and paints what can be painted now. */
  private redraw(): void {
    const start = performance.now();
    this.dirty = false;
    const session = this.source.session();
    const hops = this.lastHops();
    if (this.mode === 'machines') {
      const selected = this.selected.machines;
      // Routing tables only for the box whose details are shown: on a large cluster they cost more than the rest.
      if (this.stale || !this.model) this.model = session.topologyModel({ routes: selected !== undefined ? [selected] : [] });
      this.network = undefined;
      this.overlay = this.showPacket && hops ? packetOverlay(this.model, hops) : undefined;
      this.diagram = topologyDiagram(this.model);
    } else {
      if (this.stale || !this.network) this.network = session.networkModel();
      this.overlay = this.showPacket && hops ? networkOverlay(this.network, hops) : undefined;
      this.diagram = networkDiagram(this.network);
    }
    this.stale = false;
    // A pod on its way changes the sandbox without a command: look again shortly.
    window.clearTimeout(this.settleTimer);
    if (this.mode === 'machines' && this.model?.settling) {
      this.settleTimer = window.setTimeout(() => {
        this.stale = true;
        this.schedule();
      }, SETTLE_MS);
    }
    this.announceChanges();
    this.renderLegend();
    const layout = this.layouts.get(this.diagram.key);
    if (layout) this.paint(layout);
    else this.requestLayout(this.diagram);
    this.renderDetails();
    this.renderPacket();
    if (this.textWrap.open) this.renderText();
    performance.measure('topology:redraw', { start, detail: { mode: this.mode, laidOut: !!layout, items: this.diagram.items.length } });
  }

  private lastHops(): ReturnType<typeof packetHops>[number]['hop'][] | undefined {
    const t = this.source.lastTrace();
    if (!t || t.packets.length === 0) return undefined;
    return packetHops(t, 0).map((h) => h.hop);
  }

  private requestLayout(d: Diagram): void {
    this.canvas.setAttribute('aria-busy', 'true');
    setText(this.status, 'Laying out the picture…');
    if (this.pending.has(d.key)) return;
    this.pending.add(d.key);
    const graph = elkGraph(d);
    layoutInWorker(graph).then(
      (laid) => {
        this.pending.delete(d.key);
        const layout = layoutOf(d.key, laid, d);
        this.layouts.set(d.key, layout);
        // Keep a few: the two modes and the structures just before.
        while (this.layouts.size > 4) this.layouts.delete(this.layouts.keys().next().value!);
        if (this.diagram?.key !== d.key) return;
        const start = performance.now();
        this.paint(layout);
        performance.measure('topology:paint', { start, detail: { mode: d.mode, items: d.items.length } });
      },
      (err: unknown) => {
        this.pending.delete(d.key);
        if (this.diagram?.key !== d.key) return;
        this.canvas.removeAttribute('aria-busy');
        this.status.textContent = `The picture could not be laid out (${err instanceof Error ? err.message : String(err)}); the text below has everything it shows.`;
      },
    );
  }

  /** Writes the SVG for the current diagram with `layout`, keeping focus on the same box. */
  private paint(layout: Layout): void {
    const d = this.diagram;
    if (!d) return;
    const focusedId = (document.activeElement as Element | null)?.closest?.('.topo-item')?.getAttribute('data-id') ?? undefined;
    const ids = d.items.map((i) => i.id);
    const selected = this.selected[this.mode];
    if (this.active === undefined || !ids.includes(this.active)) this.active = selected !== undefined && ids.includes(selected) ? selected : ids[0];
    this.painted = layout;
    const scale = this.scaleFor(layout);
    // The size is in the markup: nothing read back from the page, so the browser lays the picture out once, in its frame.
    const parts = svgParts(d, layout, {
      idBase: `${this.root.id || this.ids.title}`,
      scale,
      describedBy: this.ids.keys,
      ...(selected !== undefined ? { selected } : {}),
      ...(this.active !== undefined ? { active: this.active } : {}),
      ...(this.overlay ? { overlay: this.overlay } : {}),
      label: this.mode === 'machines' ? 'Your sandbox: machines and links' : 'Your sandbox as a network model: processes and switches',
    });
    this.write(parts);
    this.canvas.removeAttribute('aria-busy');
    this.fitCanvas(layout, scale);
    setText(this.status, this.statusText(d));
    this.showScale(scale);
    if (focusedId !== undefined && this.root.contains(document.activeElement) === false) {
      this.itemEl(focusedId)?.focus({ preventScroll: true });
    }
  }

  private statusText(d: Diagram): string {
    const boxes = d.items.length;
    const lines = d.links.length;
    const unlaid = d.links.filter((l) => !l.laid).length;
    const hiddenTunnels = unlaid > 15 ? ` The ${unlaid} VXLAN tunnels are drawn for the selected VTEP and the last packet only (all are in the text).` : '';
    return `${boxes} boxes, ${lines} links.${hiddenTunnels}`;
  }

  /**
   * Puts the picture in the page: all of it when its frame or its boxes' places changed, else
   * only the boxes and lines whose markup changed (most commands change nothing drawn, or a
   * box's state), so the browser parses and lays out as little as it can.
   */
  private write(next: SvgParts): void {
    const prev = this.lastSvg;
    const svg = this.canvas.querySelector('svg');
    this.lastSvg = next;
    const sameShape =
      prev !== undefined &&
      svg !== null &&
      prev.open === next.open &&
      prev.loose.length === next.loose.length &&
      prev.groups.length === next.groups.length &&
      prev.loose.every((x, i) => x.id === next.loose[i]!.id) &&
      prev.groups.every((g, i) => g.items.length === next.groups[i]!.items.length && g.items.every((x, j) => x.id === next.groups[i]!.items[j]!.id));
    if (!sameShape) {
      this.canvas.innerHTML = joinSvg(next);
      return;
    }
    if (prev.frames !== next.frames) svg.querySelector(':scope > .topo-frames')?.replaceWith(svgFragment(next.frames));
    if (prev.links !== next.links) svg.querySelector(':scope > .topo-links')?.replaceWith(svgFragment(next.links));
    const swap = (a: { id: string; markup: string }, b: { id: string; markup: string }): void => {
      if (a.markup !== b.markup) this.itemEl(b.id)?.replaceWith(svgFragment(b.markup));
    };
    prev.loose.forEach((x, i) => swap(x, next.loose[i]!));
    const groupEls = svg.querySelectorAll(':scope > g[role="group"]');
    prev.groups.forEach((g, i) => {
      const ng = next.groups[i]!;
      if (g.label !== ng.label) groupEls[i]?.setAttribute('aria-label', ng.label);
      g.items.forEach((x, j) => swap(x, ng.items[j]!));
    });
  }

  /** The canvas as tall as the picture (up to its max-height, past which it scrolls), plus a scroll bar's room when it is wider. */
  private fitCanvas(layout: Layout, scale: number): void {
    const w = Math.round(layout.width * scale);
    const h = Math.round(layout.height * scale) + (w > this.canvasWidth ? 16 : 0) + 2;
    if (this.canvas.style.height !== `${h}px`) this.canvas.style.height = `${h}px`;
  }

  private scaleFor(layout: Layout): number {
    const avail = this.canvasWidth - 2;
    const fits = avail > 0 ? Math.min(1, avail / layout.width) : 1;
    return this.zoom === 'auto' ? Math.max(READABLE, fits) : this.zoom === 'fit' ? Math.max(MIN_SCALE, fits) : this.zoom;
  }

  /** The picture's size after a zoom or a resize. */
  private applyScale(): void {
    const svg = this.canvas.querySelector<SVGSVGElement>('svg');
    const layout = this.painted;
    if (!svg || !layout) return;
    const scale = this.scaleFor(layout);
    svg.setAttribute('width', String(Math.round(layout.width * scale)));
    svg.setAttribute('height', String(Math.round(layout.height * scale)));
    this.fitCanvas(layout, scale);
    this.showScale(scale);
  }

  private showScale(scale: number): void {
    this.scale = scale;
    this.zoomLevel.textContent = `${Math.round(scale * 100)} %`;
    this.zoomFit.setAttribute('aria-pressed', String(this.zoom === 'fit'));
    this.zoomOut.disabled = scale <= MIN_SCALE + 1e-6;
    this.zoomIn.disabled = scale >= MAX_SCALE - 1e-6;
  }

  private itemEl(id: string): SVGGElement | null {
    return this.canvas.querySelector<SVGGElement>(`.topo-item[data-id="${CSS.escape(id)}"]`);
  }

  /** Tells screen readers which boxes came and went since the last picture of this mode. */
  private announceChanges(): void {
    const d = this.diagram!;
    const now = new Map(d.items.map((i) => [i.id, named(i.kindWord, i.name)]));
    const before = this.previousIds;
    this.previousIds = now;
    if (!before || !this.visible || before.size === 0) return;
    const sameMode = [...before.keys()].some((k) => now.has(k));
    if (!sameMode) return;
    const added = [...now].filter(([k]) => !before.has(k)).map(([, v]) => v);
    const removed = [...before].filter(([k]) => !now.has(k)).map(([, v]) => v);
    if (!added.length && !removed.length) return;
    const list = (xs: string[]): string => (xs.length > 3 ? `${xs.slice(0, 3).join(', ')} and ${xs.length - 3} more` : xs.join(', '));
    const parts = [added.length ? `added ${list(added)}` : '', removed.length ? `removed ${list(removed)}` : ''].filter(Boolean);
    this.announcer.textContent = `Topology changed: ${parts.join('; ')}.`;
  }

  // ---- the legend ---------------------------------------------------------------------------

  private renderLegend(): void {
    const d = this.diagram!;
    const key = `${d.mode}|${d.pools.map((p) => `${p.key}:${p.name}:${p.ranges.join(',')}`).join('|')}|${[...new Set(d.links.map((l) => l.kind))].sort().join(',')}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    const items: HTMLElement[] = d.pools.map((p) => el('li', {}, markSvg(p.key), el('span', {}, poolWord(p, d.pools.length === 1)), p.ranges.length ? el('span', { class: 'topo-legend-range' }, p.ranges.join(', ')) : null));
    // Only the kinds of line this sandbox has.
    const kinds = new Set(d.links.map((l) => l.kind));
    for (const [kind, words] of LINE_WORDS[d.mode]) if (kinds.has(kind)) items.push(el('li', {}, lineSvg(kind), words));
    items.push(el('li', {}, el('span', { class: 'topo-state-down', 'aria-hidden': 'true' }, '✕'), 'down (dashed)'));
    items.push(el('li', {}, el('span', { class: 'topo-legend-step', 'aria-hidden': 'true' }, '①'), 'the last packet\'s steps, in order'));
    this.legend.replaceChildren(...items);
  }

  // ---- details ------------------------------------------------------------------------------

  private renderDetails(): void {
    const id = this.selected[this.mode];
    // Redrawn only when what it says changed (and focus inside it stays where it is).
    const shown = id === undefined ? undefined : this.mode === 'machines' ? this.model?.elements.find((x) => x.id === id) : this.network?.vertices.find((x) => x.id === id);
    const touching = id === undefined ? [] : this.mode === 'machines' ? (this.model?.links ?? []).filter((l) => l.a === id || l.b === id) : (this.network?.edges ?? []).filter((e) => e.a.vertex === id || e.b.vertex === id);
    const key = JSON.stringify([this.mode, id, shown, touching, this.diagram?.items.find((i) => i.id === id)?.kindWord]);
    if (key === this.lastDetails) return;
    this.lastDetails = key;
    const hint = this.mode === 'machines' ? 'Select a box (click it, or use the arrow keys and Enter) to see its addresses, interfaces and routes.' : 'Select a process or a switch (click it, or use the arrow keys and Enter) to see its table: what it delivers, forwards or discards.';
    if (id === undefined) {
      this.details.replaceChildren(el('h4', { id: this.ids.details, tabindex: -1 }, 'Details'), el('p', { class: 'topo-muted' }, hint));
      return;
    }
    if (this.mode === 'machines') {
      const e = this.model?.elements.find((x) => x.id === id);
      if (!e) {
        this.details.replaceChildren(el('h4', { id: this.ids.details, tabindex: -1 }, 'Details'), el('p', {}, `${id.split(/[/#]/).pop() ?? id} is gone from the sandbox.`), el('p', { class: 'topo-muted' }, hint));
        return;
      }
      const pools = this.model!.pools;
      const parts: (Node | null)[] = [el('h4', { id: this.ids.details, tabindex: -1 }, named(this.diagram?.items.find((i) => i.id === id)?.kindWord ?? e.kind, e.name)), el('p', {}, e.title)];
      if (e.details.facts.length) parts.push(el('dl', { class: 'topo-facts' }, ...e.details.facts.flatMap((f) => [el('dt', {}, f.name), el('dd', {}, f.value)])));
      if (e.details.addresses.length) {
        parts.push(el('h5', {}, 'Addresses'), el('ul', { class: 'topo-list' }, ...e.details.addresses.map((a) => el('li', {}, addressTag(a, pools), a.dev === 'ClusterIP' ? '' : ` on ${a.dev}`))));
      }
      if (e.details.interfaces.length) parts.push(el('h5', {}, 'Interfaces (ip addr)'), interfacesList(e.details.interfaces, pools));
      if (e.details.routes?.length) {
        parts.push(el('h5', {}, 'Routes (ip route)'), el('pre', { class: 'topo-routes', tabindex: 0, 'aria-label': 'Routes' }, el('code', {}, e.details.routes.join('\n'))));
      }
      const links = this.model!.links.filter((l) => l.a === id || l.b === id);
      if (links.length) parts.push(el('h5', {}, 'Links'), el('ul', { class: 'topo-list' }, ...links.slice(0, 60).map((l) => el('li', {}, l.label, l.up ? '' : el('strong', { class: 'topo-state-down' }, ' (✕ down)'))), links.length > 60 ? el('li', {}, `and ${links.length - 60} more (in the text below)`) : null));
      this.details.replaceChildren(...parts.filter((p): p is Node => p !== null));
      return;
    }
    const v = this.network?.vertices.find((x) => x.id === id);
    if (!v) {
      this.details.replaceChildren(el('h4', { id: this.ids.details, tabindex: -1 }, 'Details'), el('p', {}, `${id} is gone from the network model.`), el('p', { class: 'topo-muted' }, hint));
      return;
    }
    const pools = this.network!.pools;
    const facts: [string, string][] = [['Vertex', v.id], ['Kind', `${v.kind} (${v.role})`]];
    if (v.node !== undefined) facts.push(['On node', v.node]);
    if (v.forwards !== undefined) facts.push(['Forwards packets not addressed to it', v.forwards ? 'yes (ip_forward on)' : 'no (ip_forward off)']);
    if (v.hostProcesses?.length) facts.push(['Host processes', v.hostProcesses.join(', ')]);
    const parts: (Node | null)[] = [el('h4', { id: this.ids.details, tabindex: -1 }, v.label), el('dl', { class: 'topo-facts' }, ...facts.flatMap(([k, x]) => [el('dt', {}, k), el('dd', {}, x)]))];
    if (v.addresses.length) {
      parts.push(
        el('h5', {}, 'Interfaces'),
        el(
          'ul',
          { class: 'topo-list' },
          ...v.addresses.map((a) => el('li', {}, a.dev, ' ', a.ip !== undefined ? addressTag({ dev: a.dev, cidr: `${a.ip}/${a.len ?? 32}`, pool: a.pool ?? 'external' }, pools) : '', ` MAC ${a.mac}`)),
        ),
      );
    }
    parts.push(forwardingTable(v.kind === 'switch' ? `Forwarding table of ${v.id}` : `Sending table of ${v.id}`, v.table));
    const edges = this.network!.edges.filter((e) => e.a.vertex === id || e.b.vertex === id);
    if (edges.length) parts.push(el('h5', {}, 'Links'), el('ul', { class: 'topo-list' }, ...edges.slice(0, 60).map((e) => el('li', {}, `${e.kind}: ${e.a.vertex}${e.a.dev ? ` [${e.a.dev}]` : ''} – ${e.b.vertex}${e.b.dev ? ` [${e.b.dev}]` : ''}, MTU ${e.mtu}`, e.up ? '' : el('strong', { class: 'topo-state-down' }, ' (✕ down)')))));
    this.details.replaceChildren(...parts.filter((p): p is Node => p !== null));
  }

  // ---- the last packet ----------------------------------------------------------------------

  private renderPacket(): void {
    const t = this.source.lastTrace();
    const key = JSON.stringify([this.showPacket, t?.time, t?.command?.id, t?.summary, this.overlay?.elements, this.overlay?.steps.map((s) => s.element), this.diagram?.key]);
    if (key === this.lastPacket) return;
    this.lastPacket = key;
    const head = el('h4', {}, 'The last packet');
    if (!this.showPacket) {
      this.packet.replaceChildren(head, el('p', { class: 'topo-muted' }, 'Not shown: tick "Show the last packet" to draw its way.'));
      return;
    }
    if (!t || !this.overlay) {
      this.packet.replaceChildren(head, el('p', { class: 'topo-muted' }, 'No packet yet. Run a command that sends one (ping, curl, wget, traceroute, nslookup) and its way is drawn on the picture.'));
      return;
    }
    const names = new Map((this.diagram?.items ?? []).map((i) => [i.id, named(i.kindWord, i.name)]));
    const label = t.packets[0]?.label ?? t.summary;
    const order = new Map(this.overlay.elements.map((id, i) => [id, i + 1]));
    const steps = this.overlay.steps.map((s) => {
      const n = s.element !== undefined ? order.get(s.element) : undefined;
      const where = s.element !== undefined ? names.get(s.element) ?? s.host : s.host;
      const dev = s.dev !== undefined && !where.endsWith(` ${s.dev}`) ? ` (${s.dev})` : '';
      return el('li', {}, el('span', { class: 'topo-action' }, actionBadge(s.action).label), ' at ', n !== undefined ? el('span', { class: 'topo-box-no' }, `[${n}] `) : null, `${where}${dev}: ${s.detail}`);
    });
    const passed = this.overlay.elements.filter((id) => !this.overlay!.steps.some((s) => s.element === id));
    this.packet.replaceChildren(
      ...[
      head,
      el('p', {}, `${label}, sent by `, el('code', {}, t.command?.line ?? 'the lab'), '. Its steps, in order; [n] is the number of the box on the picture.'),
      el('ol', { class: 'topo-path-steps' }, ...steps),
      passed.length ? el('p', { class: 'topo-muted' }, `Also passed through, with no step of its own: ${passed.map((id) => `[${order.get(id)}] ${names.get(id) ?? id}`).join(', ')}.`) : null,
      ].filter((x) => x !== null),
    );
  }

  // ---- the text equivalent --------------------------------------------------------------------

  private renderText(): void {
    const d = this.diagram;
    if (!d) return;
    const pick = (id: string, text: string): HTMLElement => el('button', { type: 'button', class: 'topo-pick', 'data-pick': id, 'aria-pressed': String(this.selected[this.mode] === id) }, text);
    const titles = new Map(d.items.map((i) => [i.id, i.title]));
    const names = new Map(d.items.map((i) => [i.id, named(i.kindWord, i.name)]));
    const grouped = new Set(d.groups.flatMap((g) => g.members));
    const boxes = el(
      'ul',
      { class: 'topo-list' },
      ...d.items.filter((i) => !grouped.has(i.id)).map((i) => el('li', {}, pick(i.id, titles.get(i.id)!))),
      ...d.groups.map((g) => el('li', {}, `${g.kindWord} ${g.name}${g.up ? '' : ' (down)'}: `, el('ul', { class: 'topo-list' }, ...g.members.map((m) => el('li', {}, pick(m, titles.get(m) ?? m)))))),
    );
    const rows = d.links.map((l) => el('tr', {}, el('td', {}, l.kind), el('td', {}, names.get(l.a) ?? l.a), el('td', {}, names.get(l.b) ?? l.b), el('td', { class: l.up ? undefined : 'topo-state-down' }, l.up ? 'up' : '✕ down'), el('td', {}, l.label)));
    const table = el(
      'table',
      { class: 'topo-table' },
      el('caption', {}, `Links (${d.links.length})`),
      el('thead', {}, el('tr', {}, ...['Kind', 'From', 'To', 'State', 'What'].map((c) => el('th', { scope: 'col' }, c)))),
      el('tbody', {}, ...rows),
    );
    this.text.replaceChildren(
      el('p', { class: 'topo-muted' }, d.mode === 'machines' ? 'Every box of the picture, by machine, each a button that selects it and shows its details (above, beside the picture); then every link.' : 'Every process and switch by node, each a button that selects it and shows its table, then every link.'),
      el('h4', {}, d.mode === 'machines' ? `Boxes (${d.items.length})` : `Processes and switches (${d.items.length})`),
      boxes,
      el('div', { class: 'topo-scroll', tabindex: 0, role: 'region', 'aria-label': 'Links' }, table),
    );
  }

  // ---- input --------------------------------------------------------------------------------

  private select(id: string): void {
    this.selected[this.mode] = id;
    this.active = id;
    // Its routing table was not asked for: ask again, with it.
    const e = this.mode === 'machines' ? this.model?.elements.find((x) => x.id === id) : undefined;
    if (e && e.details.routes === undefined && !e.id.includes('#') && ['node', 'pod', 'host', 'router', 'gateway', 'workstation', 'load-balancer', 'container'].includes(e.kind)) {
      this.stale = true;
      this.redraw();
      return;
    }
    if (this.painted && this.diagram && this.layouts.get(this.diagram.key) === this.painted) this.paint(this.painted);
    this.renderDetails();
    if (this.textWrap.open) this.renderText();
  }

  private readonly onMode = (e: Event): void => {
    const m = (e.target as HTMLInputElement).value as DiagramMode;
    if (m === this.mode) return;
    this.mode = m;
    this.active = undefined;
    this.previousIds = undefined;
    this.stale = true;
    this.redraw();
  };

  private readonly onPacketToggle = (): void => {
    this.showPacket = this.packetBox.checked;
    this.redraw();
  };

  private readonly onZoomOut = (): void => {
    this.zoom = [...ZOOM_STEPS].reverse().find((z) => z < this.scale - 1e-6) ?? MIN_SCALE;
    this.applyScale();
  };

  private readonly onZoomIn = (): void => {
    this.zoom = ZOOM_STEPS.find((z) => z > this.scale + 1e-6) ?? MAX_SCALE;
    this.applyScale();
  };

  private readonly onZoomFit = (): void => {
    this.zoom = this.zoom === 'fit' ? 'auto' : 'fit';
    this.applyScale();
  };

  private readonly onTextToggle = (): void => {
    if (this.textWrap.open) this.renderText();
  };

  private readonly onKey = (e: KeyboardEvent): void => {
    const layout = this.painted;
    if (!this.diagram || !layout || !(e.target as Element | null)?.closest?.('.topo-item')) return;
    // In the listbox's own order (boxes outside groups, then each group's), as a screen reader reads them.
    const ids = [...this.canvas.querySelectorAll('.topo-item')].map((g) => g.getAttribute('data-id')!);
    const dirs: Record<string, Direction> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };
    let to: string | undefined;
    if (dirs[e.key]) to = neighbourIn(layout, ids, this.active ?? ids[0]!, dirs[e.key]!);
    else if (e.key === 'Home') to = ids[0];
    else if (e.key === 'End') to = ids.at(-1);
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (this.active !== undefined) {
        this.select(this.active);
        this.itemEl(this.active)?.focus({ preventScroll: true });
      }
      return;
    } else return;
    e.preventDefault();
    if (to === undefined) return;
    const from = this.active !== undefined ? this.itemEl(this.active) : null;
    from?.setAttribute('tabindex', '-1');
    this.active = to;
    const next = this.itemEl(to);
    next?.setAttribute('tabindex', '0');
    next?.focus();
  };

  /** Whatever box gets focus (a click, a screen reader's cursor) becomes the one tab stop. */
  private readonly onFocusIn = (e: FocusEvent): void => {
    const id = (e.target as Element | null)?.closest?.('.topo-item')?.getAttribute('data-id');
    if (!id || id === this.active) return;
    if (this.active !== undefined) this.itemEl(this.active)?.setAttribute('tabindex', '-1');
    this.active = id;
    (e.target as Element).closest('.topo-item')?.setAttribute('tabindex', '0');
  };

  private readonly onClick = (e: MouseEvent): void => {
    const g = (e.target as Element | null)?.closest?.('.topo-item');
    const id = g?.getAttribute('data-id');
    if (!id) return;
    this.select(id);
    this.itemEl(id)?.focus({ preventScroll: true });
  };

  private readonly onPick = (e: MouseEvent): void => {
    const b = (e.target as Element | null)?.closest?.('[data-pick]');
    const id = b?.getAttribute('data-pick');
    if (!id) return;
    this.select(id);
    this.root.querySelector<HTMLElement>(`#${CSS.escape(this.ids.details)}`)?.focus();
  };
}

const fragmentParser = typeof document !== 'undefined' ? document.createElement('template') : undefined;

/** One SVG element from its markup. */
function svgFragment(markup: string): Element {
  fragmentParser!.innerHTML = `<svg xmlns="http://www.w3.org/2000/svg">${markup}</svg>`;
  return fragmentParser!.content.firstElementChild!.firstElementChild!;
}

/** Sets an element's text only when it differs (an equal text still costs the page a layout). */
function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

function poolWord(p: PoolInfo, only: boolean): string {
  if (p.key !== 'external') return p.name;
  return only ? 'external: no cluster here, so no address pools' : 'external: outside the pools';
}

/** An address with its pool's mark and its pool named in words. */
function addressTag(a: TopoAddress, pools: PoolInfo[]): HTMLElement {
  const name = pools.find((p) => p.key === a.pool)?.name ?? a.pool;
  return el('span', { class: 'topo-pool-tag' }, markSvg(a.pool), a.cidr, el('span', { class: 'topo-muted' }, ` (${name})`));
}

/** Each interface in two lines: name, kind and state; then its addresses, link layer and what it is tied to. */
function interfacesList(list: TopologyModel['elements'][number]['details']['interfaces'], pools: PoolInfo[]): HTMLElement {
  const items = list.map((i) => {
    const notes = [i.master ? `port of ${i.master}` : '', i.peer ? `peer ${i.peer}` : '', i.segment ? `cable to ${i.segment}` : '', i.vxlan ?? ''].filter(Boolean);
    return el(
      'li',
      { class: i.up ? undefined : 'topo-if-down' },
      el('span', { class: 'topo-if-name' }, i.name),
      ` ${i.kind}, `,
      i.up ? 'up' : el('strong', { class: 'topo-state-down' }, '✕ down'),
      i.addrs.length ? el('br') : null,
      ...i.addrs.flatMap((a, n) => [n > 0 ? ', ' : '', i.kind === 'loopback' ? a.cidr : addressTag(a, pools)]),
      el('br'),
      el('span', { class: 'topo-if-meta' }, [`MAC ${i.mac}`, `MTU ${i.mtu}`, ...notes].join(' · ')),
    );
  });
  return el('ul', { class: 'topo-ifaces', 'aria-label': 'Interfaces' }, ...items);
}

function forwardingTable(caption: string, table: ForwardingEntry[]): HTMLElement {
  const rows = table.map((e) =>
    el(
      'tr',
      {},
      el('td', {}, el('code', {}, e.match)),
      el('td', {}, el('span', { class: 'topo-action', 'data-action': e.action }, el('span', { 'aria-hidden': 'true' }, `${ACTION_ICON[e.action]} `), e.action)),
      el('td', {}, e.via ?? (e.flood ? 'every port' : '–')),
      el('td', {}, [e.nextHop ? `next hop ${e.nextHop}` : '', e.vtep ? `VTEP ${e.vtep}` : '', e.note ?? ''].filter(Boolean).join('; ')),
    ),
  );
  return el(
    'div',
    { class: 'topo-scroll', tabindex: 0, role: 'region', 'aria-label': caption },
    el('table', { class: 'topo-table topo-forwarding' }, el('caption', {}, caption, el('span', { class: 'topo-muted' }, ' (read top to bottom, first match wins)')), el('thead', {}, el('tr', {}, ...['Match', 'Action', 'Via', 'Note'].map((c) => el('th', { scope: 'col' }, c)))), el('tbody', {}, ...rows)),
  );
}

