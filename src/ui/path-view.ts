/**
 * The packet path view: the last packet a learner's command sent, hop by hop, as a network
 * simulator's simulation mode shows it, with every header at the hop chosen.
 *
 * Design notes: loaded by path-panel.ts with a dynamic `import()` when the learner first opens
 * it; it draws from the PathLog (the session's own trace events), never simulating anything.
 * - Pickers: the command (the last ones that sent packets, with their terminal) and the packet
 *   (each one its hosts sent: echo request, echo reply, SYN, SYN-ACK, ICMP errors), and "Follow
 *   new packets", on by default: the view then shows the last packet the latest command sent
 *   and moves on as packets arrive. Picking a command or a packet turns following off. While
 *   focus is inside the hops, the details or the table, a new packet waits until focus leaves,
 *   so nothing moves under the learner's keys.
 * - The drawing: one box per visit to a host (consecutive hops on it), each hop a row with its
 *   number, an action badge in words (colour only repeats it), the device and what it did; an
 *   arrow between boxes names the link (veth pair, LAN switch, ARP broadcast). It is a listbox
 *   of hops grouped by host: arrow keys move between hops, Home and End to the ends, Enter or
 *   Space (or a click) shows one in the details.
 * - Details: the hop's host, device, action and sentence, the packet in one line, the route it
 *   matched, a NAT step's addresses before and after (changes marked in words), the iptables
 *   rules that fired, then every header decoded (Ethernet, ARP, IPv4, ICMP/UDP/TCP, VXLAN with
 *   the inner frame's), then the bytes as a hex dump; a hop with an IPv4 header can open it in
 *   the header explorer (header-explorer.ts, loaded on that press).
 * - The same hops as a table (host, device, action, packet, what happened) under "All hops as
 *   a table", for screen readers and for reading in order.
 * Styles come with the module (path-view.css, inlined) and use the site's theme tokens, so the
 * view follows light and dark; at 46rem and wider the drawing and the details sit side by side.
 */
import css from './path-view.css?inline';
import { el, injectStyle } from './dom';
import type { HeaderView, HopView, TraceView } from '../labs/contract';
import { actionBadge, defaultChoice, hexDump, hopSummary, hostVisits, packetChoices, packetHops, type CommandPackets, type PathLog } from './path-model';

export interface PathViewOptions {
  /** Prefix for element ids (the lab panel's id). */
  idBase: string;
}

export interface MountedPathView {
  show(): void;
  /** Moves focus to the view's heading (it scrolls into view). */
  focus(): void;
  hide(): void;
  dispose(): void;
}

export function mountPathView(root: HTMLElement, log: PathLog, opts: PathViewOptions): MountedPathView {
  injectCss();
  return new PathView(root, log, opts);
}

function injectCss(): void {
  injectStyle('path-view-css', css);
}


const ICONS: Record<string, string> = { drop: '✕', end: '✓', nat: '⇄', tunnel: '▣', arp: '?', l2: '⇢', l3: '→', other: '•' };

function badge(action: string): HTMLElement {
  const b = actionBadge(action);
  return el('span', { class: 'path-badge', 'data-kind': b.kind }, el('span', { class: 'path-badge-icon', 'aria-hidden': 'true' }, ICONS[b.kind] ?? '•'), b.label);
}

/** A header's name with its place: `outer IPv4`, `inner ICMP`. */
const layerName = (l: HeaderView): string => (l.role ? `${l.role} ${l.name}` : l.name);

interface Shown {
  entry: CommandPackets;
  trace: TraceView;
  packet: number;
  hops: HopView[];
}

class PathView implements MountedPathView {
  private readonly ids: { title: string; command: string; packet: string; keys: string; hopTitle: string; list: string };
  private readonly commandSelect: HTMLSelectElement;
  private readonly packetSelect: HTMLSelectElement;
  private readonly followBox: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly body: HTMLElement;
  private readonly list: HTMLElement;
  private readonly details: HTMLElement;
  private readonly tableWrap: HTMLDetailsElement;
  private readonly table: HTMLTableElement;

  private follow = true;
  /** What is shown: a trace object of a command and one of its packets (indexes move as old traces go). */
  private shown: Shown | null = null;
  /** The hop shown in the details (a position in shown.hops), and the one with keyboard focus. */
  private selected = 0;
  private active = 0;
  private visible = false;
  private frame = 0;
  private lastAnnounced = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly root: HTMLElement,
    private readonly log: PathLog,
    opts: PathViewOptions,
  ) {
    const base = `${opts.idBase}-path`;
    this.ids = { title: `${base}-title`, command: `${base}-command`, packet: `${base}-packet`, keys: `${base}-keys`, hopTitle: `${base}-hop-title`, list: `${base}-hops` };
    root.classList.add('lab-path');
    root.setAttribute('aria-labelledby', this.ids.title);
    this.commandSelect = el('select', { id: this.ids.command, class: 'path-select' });
    this.packetSelect = el('select', { id: this.ids.packet, class: 'path-select' });
    this.followBox = el('input', { type: 'checkbox', checked: true });
    this.status = el('p', { class: 'path-status' });
    this.announcer = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
    this.empty = el('p', { class: 'path-empty' }, 'No packets yet. Run a command that sends some in a terminal (ping, curl, wget, traceroute, nslookup) and its packets appear here, hop by hop.');
    this.list = el('div', { class: 'path-hops', role: 'listbox', id: this.ids.list, 'aria-describedby': this.ids.keys });
    this.details = el('section', { class: 'path-details', 'aria-labelledby': this.ids.hopTitle });
    this.table = el('table', { class: 'path-table' });
    this.tableWrap = el('details', { class: 'path-table-wrap' }, el('summary', {}, 'All hops as a table'), el('div', { class: 'path-table-scroll', tabindex: 0, role: 'region', 'aria-label': 'All hops as a table' }, this.table));
    this.body = el(
      'div',
      { class: 'path-body' },
      el('div', { class: 'path-diagram' }, el('p', { class: 'path-keys', id: this.ids.keys }, 'Arrow keys move between hops; Enter shows one.'), this.list),
      this.details,
    );
    root.replaceChildren(
      el('div', { class: 'path-head' }, el('h3', { class: 'path-title', id: this.ids.title, tabindex: -1 }, 'Packet path'), el('p', { class: 'path-lede' }, 'What the last command sent, step by step as the sandbox moved it: choose a hop to see its headers.')),
      el(
        'div',
        { class: 'path-controls' },
        el('div', { class: 'path-field' }, el('label', { for: this.ids.command }, 'Command'), this.commandSelect),
        el('div', { class: 'path-field path-field-wide' }, el('label', { for: this.ids.packet }, 'Packet'), this.packetSelect),
        el('label', { class: 'path-follow' }, this.followBox, ' Follow new packets'),
      ),
      this.status,
      this.announcer,
      this.empty,
      this.body,
      this.tableWrap,
    );

    this.commandSelect.addEventListener('change', this.onCommand);
    this.packetSelect.addEventListener('change', this.onPacket);
    this.followBox.addEventListener('change', this.onFollow);
    this.list.addEventListener('keydown', this.onKey);
    this.list.addEventListener('click', this.onClick);
    this.root.addEventListener('focusout', this.onFocusOut);
    this.unsubscribe = log.subscribe(() => this.schedule());
    this.update();
  }

  show(): void {
    this.visible = true;
    this.update();
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
    this.commandSelect.removeEventListener('change', this.onCommand);
    this.packetSelect.removeEventListener('change', this.onPacket);
    this.followBox.removeEventListener('change', this.onFollow);
    this.list.removeEventListener('keydown', this.onKey);
    this.list.removeEventListener('click', this.onClick);
    this.root.removeEventListener('focusout', this.onFocusOut);
    this.root.replaceChildren();
  }

  // ---- choosing what to show ----------------------------------------------------------------

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.update();
    });
  }

  /** Focus is on a hop, in the details or in the table: a new packet must not move them. */
  private interacting(): boolean {
    const a = document.activeElement;
    return !!a && (this.list.contains(a) || this.details.contains(a) || this.tableWrap.contains(a));
  }

  private readonly onFocusOut = (e: FocusEvent): void => {
    if (this.follow && !this.root.contains(e.relatedTarget as Node | null)) this.schedule();
  };

  private update(): void {
    if (!this.visible && this.shown) return;
    const latest = this.log.latest();
    if (!latest) {
      this.shown = null;
      this.renderPickers();
      this.renderEmpty(true);
      return;
    }
    this.renderEmpty(false);
    let next: Shown | null = this.shown;
    const kept = next && this.log.command(next.entry.command.id) === next.entry && next.entry.traces.includes(next.trace) ? next : null;
    if (this.follow && !(kept && this.interacting())) {
      next = this.choose(latest, defaultChoice(latest));
      if (latest.command.id !== this.lastAnnounced && this.visible) {
        this.lastAnnounced = latest.command.id;
        this.announce(`Packets of ${latest.command.line}`);
      }
    } else if (!kept) {
      next = this.choose(latest, defaultChoice(latest));
    } else {
      next = kept;
    }
    const changed = !this.shown || !next || next.trace !== this.shown.trace || next.packet !== this.shown.packet || next.hops.length !== this.shown.hops.length;
    this.shown = next;
    this.renderPickers();
    if (changed) {
      const focusAt = this.list.contains(document.activeElement) ? this.active : -1;
      this.selected = 0;
      this.active = 0;
      this.renderHops();
      this.renderDetails();
      this.renderTable();
      if (focusAt >= 0) this.focusHop(Math.min(focusAt, (this.shown?.hops.length ?? 1) - 1));
    }
  }

  private choose(entry: CommandPackets, choice: { trace: number; packet: number } | undefined): Shown | null {
    if (!choice) return null;
    const trace = entry.traces[choice.trace];
    if (!trace) return null;
    return { entry, trace, packet: choice.packet, hops: packetHops(trace, choice.packet).map((x) => x.hop) };
  }

  private readonly onCommand = (): void => {
    const entry = this.log.command(Number(this.commandSelect.value));
    if (!entry) return;
    this.setFollow(false);
    this.shown = this.choose(entry, defaultChoice(entry));
    this.refresh();
  };

  private readonly onPacket = (): void => {
    const entry = this.shown?.entry;
    if (!entry) return;
    const [trace, packet] = this.packetSelect.value.split(':').map(Number) as [number, number];
    this.setFollow(false);
    this.shown = this.choose(entry, { trace, packet });
    this.refresh();
  };

  private readonly onFollow = (): void => {
    this.follow = this.followBox.checked;
    if (this.follow) {
      this.shown = null;
      this.update();
    }
  };

  private setFollow(on: boolean): void {
    this.follow = on;
    this.followBox.checked = on;
  }

  /** Draws what `shown` now is, from the first hop. */
  private refresh(): void {
    this.selected = 0;
    this.active = 0;
    this.renderPickers();
    this.renderHops();
    this.renderDetails();
    this.renderTable();
  }

  private announce(text: string): void {
    this.announcer.textContent = '';
    window.setTimeout(() => (this.announcer.textContent = text), 50);
  }

  // ---- rendering ----------------------------------------------------------------------------

  private renderEmpty(empty: boolean): void {
    this.empty.hidden = !empty;
    this.body.hidden = empty;
    this.tableWrap.hidden = empty;
    this.status.hidden = empty;
    this.commandSelect.disabled = empty;
    this.packetSelect.disabled = empty;
  }

  private renderPickers(): void {
    const commands = this.log.commands();
    setOptions(
      this.commandSelect,
      [...commands].reverse().map((c) => ({ value: String(c.command.id), text: `${c.command.line} (terminal ${c.command.terminal})` })),
    );
    const shown = this.shown;
    if (shown) this.commandSelect.value = String(shown.entry.command.id);
    const choices = shown ? packetChoices(shown.entry) : [];
    setOptions(
      this.packetSelect,
      choices.map((c, i) => ({ value: `${c.trace}:${c.packet}`, text: `${i + 1}. ${c.label}` })),
    );
    if (shown) {
      const t = shown.entry.traces.indexOf(shown.trace);
      this.packetSelect.value = `${t}:${shown.packet}`;
      const n = choices.findIndex((c) => c.trace === t && c.packet === shown.packet);
      const older = shown.entry.dropped > 0 ? ` (the ${shown.entry.dropped} oldest runs are no longer kept)` : '';
      this.status.textContent = `Packet ${n + 1} of ${choices.length} from ${shown.entry.command.line}, terminal ${shown.entry.command.terminal}: ${shown.hops.length} ${shown.hops.length === 1 ? 'step' : 'steps'}${older}.`;
    } else {
      this.status.textContent = '';
    }
  }

  private renderHops(): void {
    const shown = this.shown;
    this.list.replaceChildren();
    if (!shown) return;
    const label = shown.trace.packets[shown.packet]?.label ?? '';
    this.list.setAttribute('aria-label', `Hops of ${label}`);
    const hops = shown.hops;
    const visits = hostVisits(hops);
    for (const v of visits) {
      const group = el('div', { class: 'path-visit', role: 'group', 'aria-label': `${v.host}${v.kind ? ` (${v.kind})` : ''}` });
      group.append(el('div', { class: 'path-visit-head', 'aria-hidden': 'true' }, el('span', { class: 'path-visit-host' }, v.host), v.kind ? el('span', { class: 'path-visit-kind' }, v.kind) : null));
      for (const i of v.hops) group.append(this.hopOption(hops[i]!, i));
      if (v.link) group.append(el('div', { class: 'path-link', 'aria-hidden': 'true' }, el('span', { class: 'path-link-arrow' }, '↓'), v.link));
      this.list.append(group);
    }
    this.markHops();
  }

  private hopOption(h: HopView, i: number): HTMLElement {
    const b = actionBadge(h.action);
    return el(
      'div',
      { class: 'path-hop', role: 'option', id: `${this.ids.list}-${i}`, 'data-index': i, 'data-kind': b.kind, 'aria-selected': 'false', tabindex: -1 },
      el('span', { class: 'path-hop-n' }, String(i + 1)),
      badge(h.action),
      h.dev ? el('span', { class: 'path-hop-dev' }, h.dev) : null,
      el('span', { class: 'path-hop-text' }, hopSummary(h)),
    );
  }

  /** aria-selected on the hop in the details, the roving tabindex on the active one. */
  private markHops(): void {
    for (const o of this.list.querySelectorAll<HTMLElement>('[role="option"]')) {
      const i = Number(o.dataset.index);
      o.setAttribute('aria-selected', String(i === this.selected));
      o.tabIndex = i === this.active ? 0 : -1;
    }
    for (const r of this.table.querySelectorAll<HTMLTableRowElement>('tbody tr')) {
      if (Number(r.dataset.index) === this.selected) r.setAttribute('aria-current', 'true');
      else r.removeAttribute('aria-current');
    }
  }

  private focusHop(i: number): void {
    this.active = i;
    this.markHops();
    const o = this.list.querySelector<HTMLElement>(`[data-index="${i}"]`);
    o?.focus();
    o?.scrollIntoView({ block: 'nearest' });
  }

  private select(i: number): void {
    this.selected = i;
    this.active = i;
    this.markHops();
    this.renderDetails();
  }

  private readonly onKey = (e: KeyboardEvent): void => {
    const n = this.shown?.hops.length ?? 0;
    if (n === 0) return;
    const moves: Record<string, number> = { ArrowDown: this.active + 1, ArrowRight: this.active + 1, ArrowUp: this.active - 1, ArrowLeft: this.active - 1, Home: 0, End: n - 1 };
    const to = moves[e.key];
    if (to !== undefined) {
      e.preventDefault();
      this.focusHop(Math.max(0, Math.min(n - 1, to)));
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.select(this.active);
    }
  };

  private readonly onClick = (e: MouseEvent): void => {
    const o = (e.target as Element | null)?.closest<HTMLElement>('[role="option"]');
    if (!o) return;
    const i = Number(o.dataset.index);
    this.select(i);
    o.focus();
  };

  private renderDetails(): void {
    const shown = this.shown;
    const h = shown?.hops[this.selected];
    if (!shown || !h) {
      this.details.replaceChildren();
      return;
    }
    const n = shown.hops.length;
    const parts: (Node | null)[] = [
      el('h4', { class: 'path-det-title', id: this.ids.hopTitle }, `Hop ${this.selected + 1} of ${n}: ${h.host}`),
      el('p', { class: 'path-det-what' }, badge(h.action), h.dev ? el('span', {}, ' on ', el('code', {}, h.dev)) : null),
      el('p', { class: 'path-det-detail' }, h.detail),
    ];
    const facts: [string, Node | string][] = [];
    if (h.text) facts.push(['Packet', h.text]);
    if (h.packet !== shown.packet) facts.push(['Sends', `packet ${packetNumber(shown, h.packet)}: ${shown.trace.packets[h.packet]?.label ?? ''}`]);
    if (h.route) facts.push(['Route matched', el('code', {}, h.route)]);
    if (facts.length) parts.push(el('dl', { class: 'path-facts' }, ...facts.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v)))));
    if (h.nat) parts.push(natTable(h.nat));
    if (h.rules?.length) parts.push(el('h5', {}, 'iptables rules that fired'), el('pre', { class: 'path-rules', tabindex: 0, 'aria-label': 'iptables rules that fired' }, el('code', {}, h.rules.join('\n'))));
    if (h.headers.length) {
      parts.push(el('h5', {}, 'Headers'), el('div', { class: 'path-layers' }, ...h.headers.map((l) => layerBlock(l))));
    } else {
      parts.push(el('p', { class: 'path-muted' }, 'This step moves no packet of its own.'));
    }
    // The hop's bytes: the one place the header explorer will take over.
    if (h.bytes) parts.push(bytesBlock(h));
    this.details.replaceChildren(...parts.filter((p): p is Node => p !== null));
  }

  private renderTable(): void {
    const shown = this.shown;
    this.table.replaceChildren();
    if (!shown) return;
    const label = shown.trace.packets[shown.packet]?.label ?? '';
    this.table.append(
      el('caption', {}, `Hops of ${label}`),
      el('thead', {}, el('tr', {}, ...['#', 'Host', 'Device', 'Action', 'Packet', 'What happened'].map((c) => el('th', { scope: 'col' }, c)))),
      el(
        'tbody',
        {},
        ...shown.hops.map((h, i) =>
          el(
            'tr',
            { 'data-index': i },
            el('td', {}, String(i + 1)),
            el('td', {}, h.host),
            el('td', {}, h.dev ?? ''),
            el('td', {}, actionBadge(h.action).label),
            el('td', {}, h.text ?? ''),
            el('td', {}, [h.detail, ...(h.rules ?? [])].join('; ')),
          ),
        ),
      ),
    );
    this.markHops();
  }
}

/** The number the packet picker gives packet `packet` of the shown trace. */
function packetNumber(shown: Shown, packet: number): number {
  const t = shown.entry.traces.indexOf(shown.trace);
  return packetChoices(shown.entry).findIndex((c) => c.trace === t && c.packet === packet) + 1;
}

/** Replaces a select's options, or only appends when the old ones are the start of the new (a select's state stays). */
function setOptions(select: HTMLSelectElement, options: { value: string; text: string }[]): void {
  const old = [...select.options];
  const prefix = old.length <= options.length && old.every((o, i) => o.value === options[i]!.value && o.text === options[i]!.text);
  if (!prefix) select.replaceChildren();
  for (const o of options.slice(prefix ? old.length : 0)) select.append(el('option', { value: o.value }, o.text));
}

function natTable(nat: NonNullable<HopView['nat']>): HTMLElement {
  const ep = (ip: string, port?: number): string => (port === undefined ? ip : `${ip}:${port}`);
  const row = (name: string, before: string, after: string): HTMLElement =>
    el('tr', {}, el('th', { scope: 'row' }, name), el('td', {}, before), el('td', { class: before !== after ? 'path-changed' : undefined }, after, before !== after ? el('span', { class: 'path-changed-note' }, ' (changed)') : null));
  return el(
    'table',
    { class: 'path-nat' },
    el('caption', {}, 'Address translation'),
    el('thead', {}, el('tr', {}, el('td', {}), el('th', { scope: 'col' }, 'Before'), el('th', { scope: 'col' }, 'After'))),
    el('tbody', {}, row('Source', ep(nat.before.src, nat.before.sport), ep(nat.after.src, nat.after.sport)), row('Destination', ep(nat.before.dst, nat.before.dport), ep(nat.after.dst, nat.after.dport))),
  );
}

function layerBlock(l: HeaderView): HTMLElement {
  const name = layerName(l);
  const bytes = l.length === 0 ? '' : `bytes ${l.offset}–${l.offset + l.length - 1}`;
  return el(
    'details',
    { class: 'path-layer', open: l.name !== 'Data', 'data-role': l.role, 'data-layer': name },
    el('summary', {}, el('span', { class: 'path-layer-name' }, name), ' ', el('span', { class: 'path-layer-sum' }, l.summary), bytes ? el('span', { class: 'path-layer-bytes' }, ` · ${bytes}`) : null),
    el('dl', { class: 'path-fields', 'aria-label': `${name} fields` }, ...l.fields.map((f) => el('div', { class: 'path-field-cell' }, el('dt', {}, f.name), el('dd', {}, f.value)))),
  );
}

/**
 * The hop's bytes as a hex dump. This block is where the IPv4 header explorer
 * (mountHeaderExplorer in header-explorer.ts) is to be mounted on the same bytes.
 */
function bytesBlock(h: HopView): HTMLElement {
  const bytes = h.bytes!;
  const what = h.headers[0]?.name === 'Ethernet II' ? 'the frame, from its Ethernet header' : 'the IPv4 packet, from its header';
  const section = el(
    'section',
    { class: 'path-bytes', 'data-path-bytes': true, 'aria-label': 'Bytes' },
    el('h5', {}, 'Bytes'),
    el('p', { class: 'path-muted' }, `${bytes.length} bytes: ${what}, as on the wire.`),
    el('pre', { class: 'path-hex', tabindex: 0, 'aria-label': `${bytes.length} bytes in hexadecimal` }, hexDump(bytes)),
  );
  if (h.headers.some((x) => x.name === 'IPv4')) section.append(explorerToggle(bytes));
  return section;
}

/**
 * "Explore the IPv4 header": opens the header explorer (header-explorer.ts, loaded on the first
 * press) on this hop's bytes below the hex dump, where its fields can be selected and edited.
 * Edits stay in the explorer: the sandbox's packet is not changed.
 */
function explorerToggle(bytes: Uint8Array): HTMLElement {
  const box = el('div', { class: 'path-explorer', 'data-path-explorer': true });
  const button = el('button', { type: 'button', class: 'button button-quiet', 'aria-expanded': 'false' }, 'Explore the IPv4 header');
  let handle: { dispose(): void } | undefined;
  button.addEventListener('click', () => {
    if (handle) {
      handle.dispose();
      handle = undefined;
      button.setAttribute('aria-expanded', 'false');
      button.textContent = 'Explore the IPv4 header';
      return;
    }
    button.disabled = true;
    void import('./header-explorer').then(({ mountHeaderExplorer }) => {
      handle = mountHeaderExplorer(box, bytes, { caption: 'This hop\'s packet; edits here change only this copy, not the sandbox.' });
      button.disabled = false;
      button.setAttribute('aria-expanded', 'true');
      button.textContent = 'Close the header explorer';
    });
  });
  return el('div', {}, button, box);
}
