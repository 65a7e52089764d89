/**
 * The header explorer's markup, as HTML text: one function per part, so the page can be
 * rendered at build time (HeaderExplorer.astro) and the live explorer can redraw one part
 * when a field changes (header-explorer.ts).
 *
 * Design notes: no DOM here, only strings, so Astro renders the same markup the browser
 * redraws. The parts: a toolbar (router step, recompute, the "keep checksums" switch, reset)
 * with the status line screen readers hear; the byte grid (32 bits a row, as the RFC 791
 * diagram draws the header, each header byte with its eight bits, the payload as hex); the
 * field list (a listbox: one option per field, selection follows focus); the selected field's
 * bits, value, meaning and editor; the checksum worked as RFC 1071 does it, word by word; and
 * every field as a table (field, bits, value, meaning) for reading without the picture.
 * Without scripts (`interactive: false`) the same parts render without the controls: the
 * grid, the fields as a plain list, the checksum and the table read as they are. Selection
 * never rests on colour alone: the selected bits are drawn bold, boxed and underlined, the
 * selected option has a bar and bold text, and a checksum's state is written out ("correct",
 * "wrong") beside its mark.
 */
import { FLAG_DF, FLAG_MF, FLAG_RESERVED, type FieldId, type FieldReading, type PacketReading } from '../sim/ipv4-fields';

export interface ViewState {
  reading: PacketReading;
  selected: FieldId;
  /** Recompute checksums after each edit. */
  keepChecksums: boolean;
  /** Every payload row, or only the first ones. */
  allPayload: boolean;
  /** Prefix of every id in the markup (unique on the page). */
  id: string;
  /** With controls (the live explorer), or the static picture. */
  interactive: boolean;
}

/** Payload rows shown before "show all". */
export const PAYLOAD_ROWS = 4;

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
const hexN = (n: number): string => `0x${n.toString(16)}`;

/** The field that bit `bit` of the packet belongs to. */
export function fieldAtBit(r: PacketReading, bit: number): FieldReading | undefined {
  return r.fields.find((f) => bit >= f.bit && bit < f.bit + f.bits);
}

export function selectedField(s: ViewState): FieldReading {
  return s.reading.fields.find((f) => f.id === s.selected) ?? s.reading.fields[0]!;
}

/** The value as the field list shows it: short. */
export function shortValue(r: PacketReading, f: FieldReading): string {
  switch (f.id) {
    case 'ihl':
      return `${f.value} (${f.value * 4} B)`;
    case 'totalLength':
      return `${f.value} B`;
    case 'identification':
      return hex4(f.value);
    case 'flags':
      return f.text.replace(/^\d+ \((.*)\)$/, '$1');
    case 'fragmentOffset':
      return String(f.value);
    case 'ecn':
      return f.value.toString(2).padStart(2, '0');
    case 'protocol':
      return f.text.replace(/[()]/g, '');
    case 'checksum':
      return `${hex4(f.value)} ${r.checksum.valid ? '✓' : '✗'}`;
    case 'options':
      return `${f.value} B`;
    case 'payload':
      return `${f.value} B ${r.payload.protocol}`;
    default:
      return f.text.replace(/ \(.*\)$/, '');
  }
}

// ------------------------------------------------------------------------------- toolbar

export function toolbarHtml(s: ViewState): string {
  if (!s.interactive) return '';
  return `<div class="hx-toolbar" role="group" aria-label="Change the packet">
  <button type="button" class="button button-quiet button-small" data-hx-action="router">Decrement TTL as a router does</button>
  <button type="button" class="button button-quiet button-small" data-hx-action="recompute">Recompute checksum</button>
  <button type="button" class="button button-quiet button-small" data-hx-action="reset">Reset</button>
  <label class="hx-keep"><input type="checkbox" data-hx-keep${s.keepChecksums ? ' checked' : ''}> Recompute the checksum after each edit</label>
</div>
<p class="hx-status" role="status" aria-live="polite" aria-atomic="true" data-hx-status></p>`;
}

// ------------------------------------------------------------------------------- byte grid

function byteCell(s: ViewState, i: number, withBits: boolean): string {
  const r = s.reading;
  const sel = selectedField(s);
  const b = r.bytes[i]!;
  const first = i * 8;
  let on = 0;
  for (let k = 0; k < 8; k++) if (first + k >= sel.bit && first + k < sel.bit + sel.bits) on++;
  const mark = on === 8 ? ' data-sel="all"' : on > 0 ? ' data-sel="part"' : '';
  let bits = '';
  if (withBits) {
    for (let k = 0; k < 8; k++) {
      const bit = first + k;
      const inSel = bit >= sel.bit && bit < sel.bit + sel.bits;
      // A field boundary inside the byte, as the RFC diagram's vertical bars.
      const edge = k > 0 && r.fields.some((f) => f.bit === bit) ? ' data-edge' : '';
      bits += `<span data-bit="${bit}"${inSel ? ' data-on' : ''}${edge}>${(b >> (7 - k)) & 1}</span>`;
    }
    bits = `<span class="hx-bits" aria-hidden="true">${bits}</span>`;
  }
  const transport = i >= r.headerLength && i < r.headerLength + r.payload.headerLength ? ' data-transport' : '';
  return `<span class="hx-byte" data-byte="${i}"${mark}${transport}><span class="hx-hex">${hex2(b)}</span>${bits}</span>`;
}

function row(s: ViewState, start: number, end: number, withBits: boolean): string {
  let cells = '';
  for (let i = start; i < Math.min(end, start + 4); i++) cells += byteCell(s, i, withBits);
  return `<li class="hx-row${withBits ? '' : ' hx-row-payload'}"><span class="hx-off"><span class="visually-hidden">bytes </span>${start}</span>${cells}</li>`;
}

export function gridHtml(s: ViewState): string {
  const r = s.reading;
  const hl = r.headerLength;
  let header = '';
  for (let o = 0; o < hl; o += 4) header += row(s, o, hl, true);
  const payloadBytes = r.end - hl;
  const rows = Math.ceil(payloadBytes / 4);
  const sel = selectedField(s);
  // The selected payload is shown whole.
  const shown = s.allPayload || sel.id === 'payload' ? rows : Math.min(rows, PAYLOAD_ROWS);
  let payload = '';
  for (let k = 0; k < shown; k++) payload += row(s, hl + 4 * k, r.end, false);
  const hidden = payloadBytes - Math.min(payloadBytes, shown * 4);
  const more =
    rows > PAYLOAD_ROWS && sel.id !== 'payload'
      ? s.interactive
        ? `<button type="button" class="hx-more" data-hx-action="payload" aria-expanded="${s.allPayload}">${s.allPayload ? 'Show the first payload bytes only' : `Show all ${payloadBytes} payload bytes`}</button>`
        : hidden > 0
          ? `<p class="hx-more-text">… and ${hidden} more bytes</p>`
          : ''
      : '';
  const th = r.payload.headerLength;
  const payloadTitle = payloadBytes > 0 ? `Payload, ${payloadBytes} bytes${th > 0 ? ` (the first ${Math.min(th, payloadBytes)}, boxed, are the ${esc(r.payload.protocol)} header)` : ''}` : 'No payload';
  return `<div class="hx-grid">
  <p class="hx-grid-title" id="${s.id}-grid-title">Header, ${hl} bytes, 32 bits a row as in RFC 791</p>
  <div class="hx-ruler" aria-hidden="true"><span class="hx-off"></span><span>0</span><span>8</span><span>16</span><span>24</span></div>
  <ol class="hx-rows" aria-labelledby="${s.id}-grid-title">${header}</ol>
  <p class="hx-grid-title" id="${s.id}-payload-title">${payloadTitle}</p>
  ${payloadBytes > 0 ? `<ol class="hx-rows" aria-labelledby="${s.id}-payload-title">${payload}</ol>` : ''}
  ${more}
</div>`;
}

// ------------------------------------------------------------------------------- field list

export function fieldsHtml(s: ViewState): string {
  const r = s.reading;
  const sel = selectedField(s);
  const items = r.fields
    .map((f) => {
      const inner = `<span class="hx-fname">${esc(f.spec.short)}</span> <span class="hx-fval">${esc(shortValue(r, f))}</span>`;
      if (!s.interactive) return `<li class="hx-option">${inner}</li>`;
      const on = f.id === sel.id;
      return `<li class="hx-option" role="option" id="${s.id}-opt-${f.id}" data-field="${f.id}" aria-selected="${on}" tabindex="${on ? 0 : -1}">${inner}</li>`;
    })
    .join('');
  const list = s.interactive ? `<ul class="hx-list" role="listbox" aria-labelledby="${s.id}-fields-title" aria-describedby="${s.id}-fields-help">${items}</ul>` : `<ul class="hx-list">${items}</ul>`;
  const help = s.interactive ? `<p class="hx-help" id="${s.id}-fields-help">Arrow keys move between fields; Tab goes on to the selected field's editor.</p>` : '';
  return `<div class="hx-fields">
  <p class="hx-grid-title" id="${s.id}-fields-title">Fields</p>
  ${list}
  ${help}
</div>`;
}

// ------------------------------------------------------------------------------- detail

function editor(s: ViewState, f: FieldReading): string {
  const spec = f.spec;
  const id = `${s.id}-edit`;
  if (!spec.input) return `<p class="hx-fixed">${esc(spec.fixed ?? '')}</p>`;
  if (spec.input === 'flags') {
    const box = (bit: number, name: string, label: string): string =>
      `<label class="hx-flag"><input type="checkbox" data-hx-flag="${bit}"${f.value & bit ? ' checked' : ''}> <span><strong>${name}</strong> ${label}</span></label>`;
    return `<fieldset class="hx-edit"><legend>Set the flags</legend>
  ${box(FLAG_RESERVED, 'Reserved', '(must be 0)')}
  ${box(FLAG_DF, 'DF', 'don\'t fragment')}
  ${box(FLAG_MF, 'MF', 'more fragments')}
</fieldset>`;
  }
  const max = 2 ** spec.bits - 1;
  const hint =
    spec.input === 'address'
      ? 'a dotted address'
      : f.id === 'totalLength'
        ? `${s.reading.headerLength} to 1500 bytes; payload bytes are added or removed at the end`
        : `0 to ${max}${spec.bits >= 16 ? ', or 0x and hex' : ''}`;
  const value = spec.input === 'address' ? f.text : String(f.value);
  const mode = spec.input === 'address' ? 'decimal' : 'numeric';
  return `<div class="hx-edit">
  <label for="${id}">New ${esc(spec.short === 'Total length' ? 'total length' : spec.short)} <span class="hx-muted">(${esc(hint)})</span></label>
  <input id="${id}" type="text" inputmode="${mode}" autocomplete="off" spellcheck="false" value="${esc(value)}" data-hx-edit="${f.id}" aria-describedby="${id}-error">
  <p class="hx-error" id="${id}-error" data-hx-error></p>
</div>`;
}

export function detailValueHtml(s: ViewState): string {
  const f = selectedField(s);
  return `<strong>Value:</strong> ${esc(f.text)}`;
}

export function detailHtml(s: ViewState): string {
  if (!s.interactive) return '';
  const f = selectedField(s);
  const range = f.range.charAt(0).toUpperCase() + f.range.slice(1);
  const width = f.id === 'payload' || f.id === 'options' ? `${f.value} bytes` : `${f.bits} bit${f.bits === 1 ? '' : 's'}`;
  let extra = '';
  if (f.id === 'options') extra = `<ul class="hx-sublist">${s.reading.options.map((o) => `<li>bytes ${o.offset}–${o.offset + o.length - 1}: ${esc(o.name)} (type ${o.type})</li>`).join('')}</ul>`;
  if (f.id === 'fragmentOffset') extra = `<p class="hx-muted">In bytes: ${f.value} × 8 = ${f.value * 8}.</p>`;
  return `<section class="hx-detail" aria-labelledby="${s.id}-detail-title">
  <p class="hx-detail-title" id="${s.id}-detail-title">${esc(f.spec.name)}</p>
  <p class="hx-range" data-hx-range>${esc(range)}, ${width}</p>
  <p class="hx-value" data-hx-value>${detailValueHtml(s)}</p>
  <p class="hx-meaning">${esc(f.spec.meaning)}</p>
  ${extra}
  ${editor(s, f)}
</section>`;
}

// ------------------------------------------------------------------------------- notes

export function notesHtml(s: ViewState): string {
  const notes = s.reading.notes.filter((n) => !n.startsWith('The header checksum is wrong'));
  if (notes.length === 0) return '';
  return `<ul class="hx-notes" aria-label="What a receiver would say">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
}

// ------------------------------------------------------------------------------- checksum

function foldText(folds: { before: number; carry: number; low: number; after: number }[]): string {
  return folds.map((f) => `${hexN(f.before)} → ${hex4(f.low)} + ${hexN(f.carry)} = ${hex4(f.after)}`).join(', then ');
}

export function checksumHtml(s: ViewState): string {
  const w = s.reading.checksum;
  const n = w.words.length;
  const status = w.valid
    ? `<span class="hx-mark" aria-hidden="true">✓</span> <span><strong>Correct.</strong> The header carries ${hex4(w.stored)}, and its ${n} words, that one included, add up to 0xffff.</span>`
    : `<span class="hx-mark" aria-hidden="true">✗</span> <span><strong>Wrong.</strong> The header carries ${hex4(w.stored)} but needs ${hex4(w.computed)}: a router or receiver would drop this packet.</span>`;
  const rows = w.words
    .map(
      (x) =>
        `<tr${x.isChecksum ? ' class="hx-zero"' : ''}><td>${x.offset}–${x.offset + 1}</td><td><code>${x.word.toString(16).padStart(4, '0')}</code></td><td><code>${hexN(x.running)}</code></td><td>${esc(x.holds)}${x.isChecksum ? ' (counted as 0000)' : ''}</td></tr>`,
    )
    .join('');
  const fold = w.folds.length ? `<li>Fold the carry back into the low 16 bits: ${foldText(w.folds)}.</li>` : `<li>No carry to fold: the sum is ${hex4(w.sum)}.</li>`;
  const check = fold2(w.check.total);
  return `<section class="hx-sum" aria-labelledby="${s.id}-sum-title">
  <p class="hx-sum-title" id="${s.id}-sum-title">Header checksum</p>
  <p class="hx-sum-status" data-valid="${w.valid}">${status}</p>
  <details class="hx-steps" open>
    <summary>The sum by hand (RFC 1071)</summary>
    <ol class="hx-steps-list">
      <li>Add the header's ${n} 16-bit words, with the checksum field counted as 0000:
        <div class="table-scroll" tabindex="0" role="region" aria-label="The words of the header, summed">
        <table class="hx-steps-table"><thead><tr><th scope="col">Bytes</th><th scope="col">Word</th><th scope="col">Running sum</th><th scope="col">Holds</th></tr></thead><tbody>${rows}</tbody></table>
        </div>
      </li>
      ${fold}
      <li>Flip every bit (the ones' complement): ${hex4(w.sum)} becomes <strong>${hex4(w.computed)}</strong>, the checksum the header needs.</li>
      <li>A receiver adds all ${n} words, the stored ${hex4(w.stored)} included: ${hexN(w.check.total)}${check ? `, folded ${check}` : ''}. ${
        w.valid ? 'All ones, 0xffff: the header arrived intact.' : `Not 0xffff, so the header is taken for damaged.`
      }</li>
    </ol>
  </details>
</section>`;
}

function fold2(total: number): string {
  const parts: string[] = [];
  let sum = total;
  while (sum > 0xffff) {
    const next = (sum & 0xffff) + Math.floor(sum / 0x10000);
    parts.push(hex4(next));
    sum = next;
  }
  return parts.join(', then ');
}

// ------------------------------------------------------------------------------- table

export function tableBodyHtml(s: ViewState): string {
  return s.reading.fields
    .map((f) => `<tr><th scope="row">${esc(f.spec.name)}</th><td>${esc(f.range)}</td><td>${esc(f.text)}</td><td>${esc(f.spec.meaning)}</td></tr>`)
    .join('');
}

export function tableHtml(s: ViewState): string {
  return `<details class="hx-table-wrap">
  <summary>Every field as a table</summary>
  <div class="table-scroll" tabindex="0" role="region" aria-label="The header's fields (scrolls sideways)">
    <table class="hx-table">
      <caption>The packet's IPv4 header, field by field</caption>
      <thead><tr><th scope="col">Field</th><th scope="col">Bits</th><th scope="col">Value</th><th scope="col">Meaning</th></tr></thead>
      <tbody data-hx-table>${tableBodyHtml(s)}</tbody>
    </table>
  </div>
</details>`;
}

// ------------------------------------------------------------------------------- whole

/** The whole explorer. Parts carry `data-hx-part` so the live explorer can redraw each. */
export function explorerHtml(s: ViewState): string {
  const part = (name: string, html: string): string => `<div class="hx-part-${name}" data-hx-part="${name}">${html}</div>`;
  return `<div class="hx${s.interactive ? ' hx-live' : ''}" data-hx-root>
  ${s.interactive ? part('toolbar', toolbarHtml(s)) : ''}
  <div class="hx-main">
    ${part('grid', gridHtml(s))}
    ${part('fields', fieldsHtml(s))}
  </div>
  ${part('detail', detailHtml(s))}
  ${part('notes', notesHtml(s))}
  ${part('checksum', checksumHtml(s))}
  ${part('table', tableHtml(s))}
</div>`;
}
