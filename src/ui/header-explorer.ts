/**
 * The live IPv4 header explorer: `mountHeaderExplorer(container, bytes)` draws a packet's
 * header over any element and lets the learner select fields and edit them.
 *
 * Design notes: the model is src/sim/ipv4-fields.ts (no DOM), the markup
 * header-explorer-view.ts (strings, shared with the build-time render); this module only keeps
 * the state (the packet's bytes, the selected field, the "keep checksums" switch), redraws the
 * parts a change touches, and wires the events. Selecting: click a field in the list or a bit
 * in the grid, or move through the list with the arrow keys, Home and End (a listbox whose
 * selection follows focus, one tab stop). Editing: the selected field's editor applies each
 * valid value as it is typed (the total length when it is committed, with Enter or on leaving
 * the box, since its intermediate values would cut the payload); an invalid value changes
 * nothing and says why. The status line (a polite live region) says what an edit, the router
 * step, recompute or reset did to the value and the checksum, once typing pauses. A redrawn
 * part keeps the focus and which of its <details> are open. The lab's packet path view opens
 * the explorer on any captured frame: the Ethernet header is skipped, padding left out.
 */
import {
  editField,
  FieldError,
  fieldSpec,
  locatePacket,
  readPacket,
  recomputeChecksum,
  routerDecrementTtl,
  type FieldId,
  type PacketReading,
} from '../sim/ipv4-fields';
import {
  checksumHtml,
  detailHtml,
  detailValueHtml,
  esc,
  explorerHtml,
  fieldAtBit,
  fieldsHtml,
  gridHtml,
  notesHtml,
  tableBodyHtml,
  type ViewState,
} from './header-explorer-view';
import './header-explorer.css';

export interface HeaderExplorerOptions {
  /** How to read the bytes: an Ethernet frame, an IPv4 packet, or `auto` (the default) to tell. */
  kind?: 'auto' | 'frame' | 'packet';
  /** A line above the explorer saying what the packet is (plain text). */
  caption?: string;
  /** Prefix of the ids in the markup; unique on the page (default `hx-1`, `hx-2`, ...). */
  id?: string;
  /** The field selected at first (default the TTL). */
  select?: FieldId;
  /** Called with the packet's bytes after every change. */
  onChange?: (packet: Uint8Array) => void;
}

export interface HeaderExplorerHandle {
  /** The IPv4 packet as it is now (no Ethernet header). */
  packet(): Uint8Array;
  /** Selects a field, as a click on it would. */
  select(id: FieldId): void;
  /** Back to the bytes it was opened with. */
  reset(): void;
  /** Removes the explorer and its listeners. */
  dispose(): void;
}

let counter = 0;
const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** Draws the explorer for `frameOrPacket` inside `container` (replacing what it holds). */
export function mountHeaderExplorer(container: HTMLElement, frameOrPacket: Uint8Array, opts: HeaderExplorerOptions = {}): HeaderExplorerHandle {
  const id = opts.id ?? `hx-${++counter}`;
  const hadFocus = container.contains(document.activeElement);
  let located;
  try {
    located = locatePacket(frameOrPacket, opts.kind ?? 'auto');
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    container.innerHTML = `<p class="hx-refused">${esc(e.message)}</p>`;
    return { packet: () => frameOrPacket, select: () => {}, reset: () => {}, dispose: () => container.replaceChildren() };
  }
  const original = located.packet;
  const state: ViewState = {
    reading: readPacket(original),
    selected: opts.select ?? 'ttl',
    keepChecksums: true,
    allPayload: false,
    id,
    interactive: true,
  };
  if (!state.reading.fields.some((f) => f.id === state.selected)) state.selected = 'ttl';

  const where: string[] = [];
  if (located.linkHeader > 0) where.push(`the ${located.linkHeader}-byte Ethernet header before it is not shown`);
  if (located.trailer > 0) where.push(`nor the ${located.trailer} bytes of padding after it`);
  const caption = [opts.caption, where.length ? `${where.join(', ')}.` : ''].filter(Boolean).join(' ');
  container.innerHTML = (caption ? `<p class="hx-caption">${esc(caption.charAt(0).toUpperCase() + caption.slice(1))}</p>` : '') + explorerHtml(state);
  const root = container.querySelector<HTMLElement>('[data-hx-root]')!;
  const part = (name: string): HTMLElement => root.querySelector<HTMLElement>(`[data-hx-part="${name}"]`)!;
  const status = (): HTMLElement => root.querySelector<HTMLElement>('[data-hx-status]')!;

  /** Replaces a part's markup, keeping the focus (by id or action) and the open <details>. */
  const redraw = (name: string, html: string): void => {
    const el = part(name);
    const active = document.activeElement as HTMLElement | null;
    const inside = active && el.contains(active) ? active : null;
    const key = inside ? (inside.id ? `#${CSS.escape(inside.id)}` : inside.dataset.hxAction ? `[data-hx-action="${inside.dataset.hxAction}"]` : inside.tagName === 'SUMMARY' ? 'summary' : '') : '';
    const open = Array.from(el.querySelectorAll('details')).map((d) => d.open);
    el.innerHTML = html;
    el.querySelectorAll('details').forEach((d, i) => {
      if (open[i] !== undefined) d.open = open[i]!;
    });
    if (key) el.querySelector<HTMLElement>(key)?.focus();
  };

  let announceTimer: ReturnType<typeof setTimeout> | undefined;
  const announce = (text: string, now = false): void => {
    clearTimeout(announceTimer);
    const show = (): void => {
      status().textContent = text;
    };
    if (now) show();
    else announceTimer = setTimeout(show, 450);
  };

  const checksumSentence = (r: PacketReading, recomputed: boolean): string => {
    const w = r.checksum;
    if (recomputed) return `Header checksum recomputed: ${hex4(w.stored)}.`;
    return w.valid ? `Header checksum still ${hex4(w.stored)}, and still correct.` : `Header checksum left at ${hex4(w.stored)}: wrong, the header needs ${hex4(w.computed)}.`;
  };

  const drawSelection = (): void => {
    redraw('grid', gridHtml(state));
    redraw('fields', fieldsHtml(state));
    redraw('detail', detailHtml(state));
  };

  /** A new packet: every part that shows bytes or values is redrawn; an editor being typed in is left alone. */
  const setPacket = (bytes: Uint8Array): void => {
    state.reading = readPacket(bytes);
    redraw('grid', gridHtml(state));
    redraw('fields', fieldsHtml(state));
    const detail = part('detail');
    if (detail.contains(document.activeElement) && document.activeElement?.matches('input')) {
      const value = detail.querySelector('[data-hx-value]');
      if (value) value.innerHTML = detailValueHtml(state);
    } else redraw('detail', detailHtml(state));
    redraw('notes', notesHtml(state));
    redraw('checksum', checksumHtml(state));
    root.querySelector('[data-hx-table]')!.innerHTML = tableBodyHtml(state);
    opts.onChange?.(bytes);
  };

  const select = (fid: FieldId, focus: boolean): void => {
    if (!state.reading.fields.some((f) => f.id === fid)) return;
    state.selected = fid;
    drawSelection();
    if (focus) root.querySelector<HTMLElement>(`#${CSS.escape(`${id}-opt-${fid}`)}`)?.focus();
  };

  const showError = (input: HTMLInputElement, message: string): void => {
    input.setAttribute('aria-invalid', 'true');
    const err = root.querySelector<HTMLElement>('[data-hx-error]');
    if (err) err.textContent = message;
  };
  const clearError = (input: HTMLInputElement): void => {
    input.removeAttribute('aria-invalid');
    const err = root.querySelector<HTMLElement>('[data-hx-error]');
    if (err) err.textContent = '';
  };

  /** Applies the editor's value; returns the error message when it does not fit. */
  const applyEdit = (fid: FieldId, value: string | number): string | undefined => {
    try {
      const next = editField(state.reading.bytes, fid, value, { keepChecksums: state.keepChecksums });
      setPacket(next);
      const f = state.reading.fields.find((x) => x.id === fid)!;
      announce(`${f.spec.short} ${f.text}. ${checksumSentence(state.reading, state.keepChecksums)}`);
      return undefined;
    } catch (e) {
      if (e instanceof FieldError) return e.message;
      throw e;
    }
  };

  const onClick = (e: MouseEvent): void => {
    const target = e.target as HTMLElement;
    const option = target.closest<HTMLElement>('[role="option"][data-field]');
    if (option) {
      select(option.dataset.field as FieldId, true);
      return;
    }
    const bitEl = target.closest<HTMLElement>('[data-bit]');
    const byteEl = target.closest<HTMLElement>('[data-byte]');
    if (bitEl || byteEl) {
      const r = state.reading;
      let f;
      if (bitEl) f = fieldAtBit(r, Number(bitEl.dataset.bit));
      else {
        // The hex of a byte: its first field, or the next one in the byte when that one is selected.
        const first = Number(byteEl!.dataset.byte) * 8;
        const inByte = r.fields.filter((x) => x.bit < first + 8 && x.bit + x.bits > first);
        const at = inByte.findIndex((x) => x.id === state.selected);
        f = inByte[(at + 1) % inByte.length];
      }
      if (f) select(f.id, false);
      return;
    }
    const action = target.closest<HTMLElement>('[data-hx-action]')?.dataset.hxAction;
    if (action === 'router') {
      try {
        const step = routerDecrementTtl(state.reading.bytes);
        setPacket(step.packet);
        announce(
          `A router took the TTL from ${step.ttl.before} to ${step.ttl.after} and patched the checksum from ${hex4(step.checksum.before)} to ${hex4(step.checksum.after)} without adding up the header again; the checksum is ${state.reading.checksum.valid ? 'correct' : 'wrong'}.`,
          true,
        );
      } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        announce(err.message, true);
      }
    } else if (action === 'recompute') {
      setPacket(recomputeChecksum(state.reading.bytes));
      announce(`Header checksum recomputed: ${hex4(state.reading.checksum.stored)}, correct.`, true);
    } else if (action === 'reset') {
      setPacket(original.slice());
      announce('Back to the packet as it was sent.', true);
    } else if (action === 'payload') {
      state.allPayload = !state.allPayload;
      redraw('grid', gridHtml(state));
    }
  };

  const onKeyDown = (e: KeyboardEvent): void => {
    const option = (e.target as HTMLElement).closest<HTMLElement>('[role="option"][data-field]');
    if (!option) return;
    const ids = state.reading.fields.map((f) => f.id);
    const at = ids.indexOf(state.selected);
    let next: number | undefined;
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') next = Math.min(ids.length - 1, at + 1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') next = Math.max(0, at - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = ids.length - 1;
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      root.querySelector<HTMLElement>('[data-hx-edit], [data-hx-flag]')?.focus();
      return;
    }
    if (next === undefined) return;
    e.preventDefault();
    select(ids[next]!, true);
  };

  const onInput = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const fid = input.dataset.hxEdit as FieldId | undefined;
    if (!fid || fid === 'totalLength') return;
    const error = applyEdit(fid, input.value);
    if (error === undefined) clearError(input);
    else input.setAttribute('aria-invalid', 'true');
  };

  const onChange = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    if (input.matches('[data-hx-keep]')) {
      state.keepChecksums = input.checked;
      announce(input.checked ? 'Edits now recompute the header checksum.' : 'Edits now leave the header checksum as it is.', true);
      return;
    }
    if (input.dataset.hxFlag !== undefined) {
      let flags = 0;
      root.querySelectorAll<HTMLInputElement>('[data-hx-flag]').forEach((box) => {
        if (box.checked) flags |= Number(box.dataset.hxFlag);
      });
      applyEdit('flags', flags);
      return;
    }
    const fid = input.dataset.hxEdit as FieldId | undefined;
    if (!fid) return;
    const current = state.reading.fields.find((f) => f.id === fid);
    const unchanged = current && (fieldSpec(fid).input === 'address' ? current.text === input.value.trim() : String(current.value) === input.value.trim());
    const error = unchanged ? undefined : applyEdit(fid, input.value);
    if (error === undefined) clearError(input);
    else showError(input, error);
  };

  root.addEventListener('click', onClick);
  root.addEventListener('keydown', onKeyDown);
  root.addEventListener('input', onInput);
  root.addEventListener('change', onChange);
  if (hadFocus) root.querySelector<HTMLElement>('[role="option"][aria-selected="true"]')?.focus();

  return {
    packet: () => state.reading.bytes.slice(),
    select: (fid) => select(fid, false),
    reset: () => setPacket(original.slice()),
    dispose: () => {
      clearTimeout(announceTimer);
      root.removeEventListener('click', onClick);
      root.removeEventListener('keydown', onKeyDown);
      root.removeEventListener('input', onInput);
      root.removeEventListener('change', onChange);
      container.replaceChildren();
    },
  };
}
