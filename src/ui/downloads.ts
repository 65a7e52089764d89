/**
 * Capture files offered for download under a lab's terminal.
 *
 * Design notes: the session announces every pcap file a command writes (a `file` event of
 * src/labs/contract.ts, sent when a command ends, again when the file changes). For each, a
 * row under the terminal's status line gets a "Download NAME" button; the newest comes first,
 * at most MAX_SHOWN are kept, and a file written again keeps its button (the size follows).
 * The row does not exist until the first capture, so a lab without one looks as before. The
 * bytes are read through the contract when the button is pressed, so the download is the file
 * as it is then (a capture still running gives what it wrote so far, as with real tcpdump), a
 * Blob of type application/vnd.tcpdump.pcap (IANA's media type for pcap files) saved under the
 * file's own name (`.pcap` added to a name without an extension, so the system opens it with
 * Wireshark). A file deleted since is reported and its button removed. Screen readers hear
 * once, through the panel's polite live region, that a capture can be downloaded. A new session (Reset) starts an empty list.
 */
import type { FileWritten, LabSessionApi } from '../labs/contract';
import type { LabPart } from './lab-parts';

const MAX_SHOWN = 4;
export const PCAP_MEDIA_TYPE = 'application/vnd.tcpdump.pcap';

/** `router-1`, `pod client`, `web on host-1`: where a file lives, in a few words. */
export function placeLabel(place: string): string {
  const colon = place.indexOf(':');
  if (colon < 0) return place;
  const kind = place.slice(0, colon);
  const rest = place.slice(colon + 1);
  if (kind === 'pod') return `pod ${rest.startsWith('default/') ? rest.slice('default/'.length) : rest}`;
  if (kind === 'container') {
    const [host, name] = rest.split('/', 2);
    return `container ${name ?? ''} on ${host ?? ''}`;
  }
  return rest;
}

/** The name the file is saved under: its own, with `.pcap` when it has no extension. */
export function downloadName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1) || 'capture';
  return base.includes('.') && !base.endsWith('.') ? base : `${base.replace(/\.$/, '')}.pcap`;
}

function sizeText(bytes: number): string {
  return `${bytes.toLocaleString('en')} byte${bytes === 1 ? '' : 's'}`;
}

interface Entry {
  file: FileWritten;
  item: HTMLLIElement;
  meta: HTMLElement;
}

export class CaptureDownloads implements LabPart {
  private session: LabSessionApi | undefined;
  private unsubscribe: () => void = () => {};
  private region: HTMLElement | undefined;
  private list: HTMLUListElement | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly idBase: string;
  private count = 0;

  constructor(private readonly panel: HTMLElement) {
    this.idBase = `${panel.id || panel.dataset.labId || 'lab'}-downloads`;
  }

  /** Offers the captures of `session` from now on (and forgets those of the one before). */
  follow(session: LabSessionApi): void {
    this.unsubscribe();
    this.session = session;
    for (const e of this.entries.values()) e.item.remove();
    this.entries.clear();
    if (this.region) this.region.hidden = true;
    this.unsubscribe = session.subscribe((e) => {
      if (e.type === 'file') this.offer(e);
    });
  }

  dispose(): void {
    this.unsubscribe();
    this.region?.remove();
    this.entries.clear();
  }

  private offer(file: FileWritten): void {
    const key = `${file.place}\0${file.path}`;
    const known = this.entries.get(key);
    const where = `${placeLabel(file.place)}:${file.path}`;
    if (known) {
      known.file = file;
      known.meta.textContent = `${where}, ${sizeText(file.size)}`;
      return;
    }
    const list = this.ensureRegion();
    const n = ++this.count;
    const item = document.createElement('li');
    item.className = 'lab-download';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'lab-download-button';
    button.dataset.downloadPath = file.path;
    button.dataset.downloadPlace = file.place;
    button.innerHTML =
      '<svg aria-hidden="true" width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"><path d="M8 2v8M4.5 6.5 8 10l3.5-3.5M3 13.5h10"></path></svg>';
    button.append(`Download ${downloadName(file.path)}`);
    const meta = document.createElement('span');
    meta.className = 'lab-download-meta';
    meta.id = `${this.idBase}-${n}`;
    meta.textContent = `${where}, ${sizeText(file.size)}`;
    button.setAttribute('aria-describedby', meta.id);
    item.append(button, meta);
    list.prepend(item);
    const entry: Entry = { file, item, meta };
    this.entries.set(key, entry);
    button.addEventListener('click', () => this.download(key));
    // The oldest goes when there are too many.
    while (this.entries.size > MAX_SHOWN) {
      const [oldest, e] = this.entries.entries().next().value as [string, Entry];
      e.item.remove();
      this.entries.delete(oldest);
    }
    this.say(`Capture ${file.path} on ${placeLabel(file.place)} written: a download button is under the terminal.`);
  }

  private download(key: string): void {
    const entry = this.entries.get(key);
    if (!entry || !this.session) return;
    const { place, path } = entry.file;
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.session.readBytes(place, path);
    } catch {
      bytes = undefined; // the place itself is gone (a deleted pod)
    }
    if (!bytes) {
      entry.item.remove();
      this.entries.delete(key);
      if (this.entries.size === 0 && this.region) this.region.hidden = true;
      this.say(`${path} is no longer on ${placeLabel(place)}.`);
      // Focus stays in the row (or goes back to the terminal when the row is gone).
      (this.list?.querySelector<HTMLElement>('button') ?? this.panel.querySelector<HTMLElement>('.xterm-helper-textarea'))?.focus();
      return;
    }
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    const url = URL.createObjectURL(new Blob([copy.buffer], { type: PCAP_MEDIA_TYPE }));
    const a = document.createElement('a');
    a.href = url;
    a.download = downloadName(path);
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    // Long enough for the browser to have started saving it.
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** Through the panel's polite live region (there before any capture, so it is heard). */
  private say(text: string): void {
    const announcer = this.panel.querySelector<HTMLElement>('[data-announce]');
    if (!announcer) return;
    announcer.textContent = '';
    window.setTimeout(() => (announcer.textContent = text), 50);
  }

  /** The row under the status line, made on the first capture. */
  private ensureRegion(): HTMLUListElement {
    if (this.region && this.list) {
      this.region.hidden = false;
      return this.list;
    }
    const region = document.createElement('div');
    region.className = 'lab-downloads';
    region.dataset.downloads = '';
    const label = document.createElement('span');
    label.className = 'lab-downloads-label';
    label.id = `${this.idBase}-label`;
    label.textContent = 'Captures';
    const list = document.createElement('ul');
    list.className = 'lab-downloads-list';
    list.setAttribute('aria-labelledby', label.id);
    region.append(label, list);
    const news = this.panel.querySelector('[data-news]');
    if (news) news.after(region);
    else (this.panel.querySelector('.lab-workspace') ?? this.panel).append(region);
    this.region = region;
    this.list = list;
    return list;
  }
}
