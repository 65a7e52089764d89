import { describe, expect, it } from 'vitest';
import { editField, readPacket } from '../sim/ipv4-fields';
import { explorerHtml, gridHtml, PAYLOAD_ROWS, shortValue, type ViewState } from './header-explorer-view';

const hex = (text: string): Uint8Array => Uint8Array.from(text.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));
const PING = hex(`4500 0054 78c9 4000 4001 3d21 c0a8 0164 c0a8 020a 0800 dfd5 6cf7 0001 18f7 d367
  0000 0000 0000 0000 0000 0000 1011 1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223
  2425 2627 2829 2a2b 2c2d 2e2f 3031 3233 3435 3637`);

const state = (over: Partial<ViewState> = {}): ViewState => ({ reading: readPacket(PING), selected: 'ttl', keepChecksums: true, allPayload: false, id: 'hx', interactive: true, ...over });
const count = (html: string, re: RegExp): number => (html.match(re) ?? []).length;

describe('the explorer markup', () => {
  it('without scripts: the grid, the fields, the sum and the table, and no controls', () => {
    const html = explorerHtml(state({ interactive: false }));
    expect(html).not.toMatch(/<button|<input|role="option"|role="listbox"|aria-live/);
    expect(count(html, /<tr><th scope="row">/g)).toBe(14);
    expect(html).toContain('<tr><th scope="row">Time to live (TTL)</th><td>bits 64–71 (byte 8)</td><td>64</td>');
    expect(html).toContain('<strong>Correct.</strong> The header carries 0x3d21');
    expect(html).toContain('0xc2dc + 0x2 = 0xc2de');
    expect(count(html, /class="hx-byte"/g)).toBe(20 + 4 * PAYLOAD_ROWS);
    expect(html).toContain('… and 48 more bytes');
  });

  it('with scripts: one listbox whose selected option alone is in the tab order, and a live status', () => {
    const html = explorerHtml(state());
    expect(count(html, /role="option"/g)).toBe(14);
    expect(count(html, /aria-selected="true"/g)).toBe(1);
    expect(html).toContain('id="hx-opt-ttl" data-field="ttl" aria-selected="true" tabindex="0"');
    expect(count(html, /tabindex="0"/g)).toBe(1 + 2); // the option, and the two scrolling table regions
    expect(html).toContain('role="status" aria-live="polite"');
    expect(html).toContain('<label for="hx-edit">New TTL <span class="hx-muted">(0 to 255)</span></label>');
  });

  it('marks the selected field\'s bits and bytes in the grid', () => {
    const grid = gridHtml(state({ selected: 'flags' }));
    expect(count(grid, /data-on/g)).toBe(3);
    expect(grid).toContain('<span class="hx-byte" data-byte="6" data-sel="part">');
    expect(grid).toMatch(/data-bit="48" data-on>0<\/span><span data-bit="49" data-on>1<\/span><span data-bit="50" data-on>0<\/span><span data-bit="51" data-edge>0/);
    const payload = gridHtml(state({ selected: 'payload' }));
    expect(count(payload, /data-sel="all"/g)).toBe(64);
  });

  it('says a wrong checksum in words, and escapes what it prints', () => {
    const wrong = readPacket(editField(PING, 'ttl', 1, { keepChecksums: false }));
    const html = explorerHtml(state({ reading: wrong }));
    expect(html).toContain('<strong>Wrong.</strong> The header carries 0x3d21 but needs 0x7c21');
    expect(shortValue(wrong, wrong.fields.find((f) => f.id === 'checksum')!)).toBe('0x3d21 ✗');
    expect(html).not.toContain("don't");
    expect(html).toContain('don&#39;t fragment');
  });
});
