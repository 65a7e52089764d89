/**
 * The lab's YAML editor: Monaco with monaco-yaml, on the learner's workstation files.
 *
 * Design notes: loaded by editor-panel.ts with a dynamic `import()` the first time the editor
 * opens (the "Editor" toggle, or `kubectl edit` in a terminal), so Monaco, its CSS and its
 * workers are never part of a lesson that does not use them; everything comes from this site
 * (Vite bundles Monaco's editor worker and monaco-yaml's worker as `?worker` chunks). Only the
 * Monaco features the editor uses are loaded (edcore.main and the YAML grammar), with the
 * shim Monaco's own full entry adds for language workers created by module id. Monaco's CSS
 * comes as one stylesheet injected here (its modules' own CSS imports are emptied in
 * astro.config.mjs, or Astro would link them into every lesson page).
 * It talks to the lab only through LabSessionApi: `listFiles`, `readFile` and `writeFile` on
 * the workstation (Save writes the file, so `kubectl apply -f FILE` in a terminal reads what
 * was saved), `dryRun` (the API server's errors, placed as markers), and `finishEdit` for a
 * `kubectl edit` request, which opens as a buffer of its own: Save hands the text back and
 * closes it, "Cancel edit" closes it unsaved (kubectl prints `Edit cancelled, no changes
 * made.`). Completion, hover documentation and validation come from the manifest schemas
 * (src/labs/manifest-schema.ts), generated from the sandbox's own API types.
 * Each open file is a Monaco model kept until the panel goes, so switching files loses no
 * unsaved text; after every command a file the shell changed on the workstation is reloaded
 * unless it has unsaved changes. A dry run's markers are cleared at the next change of the text.
 * Keyboard: Ctrl+S saves, Ctrl+Space completes (Tab takes the suggestion; Enter always starts a
 * new line), Ctrl+K Ctrl+I shows a field's documentation;
 * Tab indents, so Ctrl+M (Monaco's tab-trapping toggle) or Escape then Tab moves focus on, as
 * the terminal's Escape then Tab does, and the hint line says so. Every marker (schema and dry
 * run) is also listed in text under the editor, each a button that puts the cursor on it; the
 * status line (role=status) says what Save and Dry run did. Monaco's theme follows the site's
 * (theme.ts: `data-theme` on <html>, else the system's).
 * Left out: renaming and deleting files (the shell does that), files other than text on the
 * workstation, kubectl edit's JSON form is edited as YAML text (JSON is YAML).
 */
import './monaco-features';
import 'monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution.js';
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import { configureMonacoYaml, type MonacoYamlOptions } from 'monaco-yaml';
import type { EditRequest, LabSessionApi, ManifestProblem } from '../labs/contract';
import { manifestSchema } from '../labs/manifest-schema';
import monacoCss from 'monaco-editor/min/vs/editor/editor.main.css?inline';
import css from './yaml-editor.css?inline';
import { el, injectStyle } from './dom';
import YamlWorker from './yaml.worker?worker';

const HOME = '/home/learner/';
const PLACE = 'workstation';
/** Owner of the dry run's markers (monaco-yaml's are `yaml`). */
const DRY_RUN = 'dry-run';

export interface YamlEditorOptions {
  /** Prefix of the element ids (the lab panel's id). */
  idBase: string;
}

export interface MountedYamlEditor {
  /** Follows a new session (after Reset): its files, its edit requests. */
  follow(session: LabSessionApi): void;
  /** Opens a `kubectl edit` request as a buffer of its own and focuses the editor. */
  openEdit(request: EditRequest): void;
  /** The request ended without the editor (Ctrl+C in its terminal): its buffer closes. */
  endEdit(id: number): void;
  /** Re-reads the workstation's files (after a command). */
  refresh(): void;
  show(): void;
  /** Focuses the panel's heading (after the toggle) or the editor itself. */
  focus(where?: 'heading' | 'editor'): void;
  hide(): void;
  dispose(): void;
}

// ---- Monaco, once per page -----------------------------------------------------------------

interface LegacyWorkerOptions {
  moduleId?: string;
  label?: string;
  createData?: unknown;
  host?: unknown;
  keepIdleModels?: boolean;
  worker?: Worker | Promise<Worker>;
}

let configured = false;

function configureMonaco(): void {
  if (configured) return;
  configured = true;
  (globalThis as { MonacoEnvironment?: monaco.Environment }).MonacoEnvironment = {
    getWorker: (_moduleId: string, label: string) => (label === 'yaml' ? new YamlWorker() : new EditorWorker()),
  };
  // monaco-yaml creates its worker by module id and initial data, the form Monaco's full entry
  // (editor.main) still accepts through this same shim; edcore.main alone takes only a Worker.
  const create = monaco.editor.createWebWorker as unknown as (opts: LegacyWorkerOptions) => unknown;
  (monaco.editor as unknown as { createWebWorker: (opts: LegacyWorkerOptions) => unknown }).createWebWorker = (opts) => {
    if (opts.worker !== undefined) return create(opts);
    const worker = new (opts.label === 'yaml' ? YamlWorker : EditorWorker)();
    worker.postMessage('ignore');
    worker.postMessage(opts.createData);
    return create({ worker, host: opts.host, keepIdleModels: opts.keepIdleModels ?? false });
  };
  const options: MonacoYamlOptions & { hoverSchemaSource: boolean } = {
    enableSchemaRequest: false,
    completion: true,
    hover: true,
    validate: true,
    format: { enable: false },
    hoverSchemaSource: false,
    schemas: [{ uri: `${location.origin}/schemas/manifest.json`, fileMatch: ['*'], schema: manifestSchema() as never }],
  };
  configureMonacoYaml(monaco, options);
  applyTheme();
  new MutationObserver(applyTheme).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', applyTheme);
}

/** The site's theme as theme.ts decides it (`data-theme` on <html>, else the system's), read here so theme.ts stays out of this chunk's imports. */
function applyTheme(): void {
  const chosen = document.documentElement.dataset.theme;
  const dark = chosen === 'dark' || (chosen !== 'light' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  monaco.editor.setTheme(dark ? 'vs-dark' : 'vs');
}

/** Monaco's stylesheet (its icon font inside) and the editor's own, once per page. */
function injectCss(): void {
  injectStyle('monaco-editor-css', monacoCss);
  injectStyle('yaml-editor-css', css);
}

// ---- DOM helpers ---------------------------------------------------------------------------


const kbd = (text: string): HTMLElement => el('kbd', {}, text);

/** `web.yaml` for a file in the home directory, else its absolute path. */
export function displayName(path: string): string {
  return path.startsWith(HOME) ? path.slice(HOME.length) : path;
}

/** A name typed for a new file, as an absolute path on the workstation; undefined if it cannot be one. */
export function newFilePath(name: string): string | undefined {
  const n = name.trim();
  if (n === '' || n.endsWith('/') || /[\0\n]/.test(n)) return undefined;
  const raw = n.startsWith('/') ? n : n.startsWith('~/') ? HOME + n.slice(2) : HOME + n;
  const parts: string[] = [];
  for (const p of raw.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.length ? '/' + parts.join('/') : undefined;
}

/** Elements a Tab reaches, in the document's order. */
function tabbables(): HTMLElement[] {
  const all = document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary, [tabindex]');
  return [...all].filter((e) => e.tabIndex >= 0 && !(e as HTMLButtonElement).disabled && e.getClientRects().length > 0 && !e.closest('[hidden], [inert]'));
}

// ---- the editor ----------------------------------------------------------------------------

interface Buffer {
  path: string;
  model: monaco.editor.ITextModel;
  /** The text last saved or read from the workstation; null for a new file never saved. */
  saved: string | null;
  /** A `kubectl edit` request's buffer. */
  edit?: EditRequest;
}

export function mountYamlEditor(root: HTMLElement, session: LabSessionApi, opts: YamlEditorOptions): MountedYamlEditor {
  injectCss();
  configureMonaco();
  return new YamlEditor(root, session, opts);
}

class YamlEditor implements MountedYamlEditor {
  private readonly ids: Record<'title' | 'file' | 'keys' | 'status' | 'problems' | 'newName', string>;
  private readonly editor: monaco.editor.IStandaloneCodeEditor;
  private readonly heading: HTMLElement;
  private readonly fileSelect: HTMLSelectElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly dryRunButton: HTMLButtonElement;
  private readonly cancelEditButton: HTMLButtonElement;
  private readonly newForm: HTMLFormElement;
  private readonly newInput: HTMLInputElement;
  private readonly newButton: HTMLButtonElement;
  private readonly editNote: HTMLElement;
  private readonly status: HTMLElement;
  private readonly problemList: HTMLUListElement;
  private readonly problemCount: HTMLElement;
  private readonly noProblems: HTMLElement;
  private readonly buffers = new Map<string, Buffer>();
  private current: Buffer | undefined;
  /** The file shown before a `kubectl edit` buffer took its place. */
  private beforeEdit: string | undefined;
  private escapeArmed = false;
  private settingText = false;
  private readonly disposables: monaco.IDisposable[] = [];
  private readonly onSurfaceKey: (e: KeyboardEvent) => void;
  private readonly surface: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private session: LabSessionApi,
    opts: YamlEditorOptions,
  ) {
    const base = `${opts.idBase}-editor`;
    this.ids = { title: `${base}-title`, file: `${base}-file`, keys: `${base}-keys`, status: `${base}-status`, problems: `${base}-problems`, newName: `${base}-new-name` };
    root.classList.add('lab-editor');
    root.setAttribute('aria-labelledby', this.ids.title);

    this.heading = el('h3', { class: 'editor-title', id: this.ids.title, tabindex: -1 }, 'Editor');
    this.fileSelect = el('select', { id: this.ids.file, class: 'editor-select' });
    this.newButton = el('button', { type: 'button', class: 'button button-quiet button-small', 'aria-expanded': 'false' }, 'New file');
    this.saveButton = el('button', { type: 'button', class: 'button button-small', 'aria-keyshortcuts': 'Control+S' }, 'Save');
    this.dryRunButton = el('button', { type: 'button', class: 'button button-quiet button-small' }, 'Dry run');
    this.cancelEditButton = el('button', { type: 'button', class: 'button button-quiet button-small', hidden: true }, 'Cancel edit');
    this.newInput = el('input', { id: this.ids.newName, class: 'editor-input', type: 'text', placeholder: 'service.yaml', autocomplete: 'off', spellcheck: 'false' });
    this.newForm = el(
      'form',
      { class: 'editor-new', hidden: true },
      el('label', { for: this.ids.newName }, 'New file name'),
      this.newInput,
      el('button', { type: 'submit', class: 'button button-small' }, 'Create'),
      el('button', { type: 'button', class: 'button button-quiet button-small', 'data-new-cancel': true }, 'Cancel'),
    );
    this.editNote = el('p', { class: 'editor-edit-note', hidden: true });
    this.status = el('p', { class: 'editor-status', id: this.ids.status, role: 'status' });
    this.problemCount = el('span', { class: 'editor-problem-count' });
    this.problemList = el('ul', { class: 'editor-problem-list' });
    this.noProblems = el('p', { class: 'editor-muted' }, 'No problems found in this file.');
    this.surface = el('div', { class: 'editor-surface', 'data-editor-surface': true });

    root.replaceChildren(
      el(
        'div',
        { class: 'editor-head' },
        this.heading,
        el('p', { class: 'editor-lede' }, 'Write manifests in your home directory on the workstation. Save, then apply them in a terminal: ', el('code', {}, 'kubectl apply -f FILE'), '.'),
      ),
      el(
        'div',
        { class: 'editor-bar' },
        el('div', { class: 'editor-field' }, el('label', { for: this.ids.file }, 'File'), this.fileSelect),
        el('div', { class: 'editor-actions' }, this.newButton, this.saveButton, this.dryRunButton, this.cancelEditButton),
      ),
      this.newForm,
      this.editNote,
      el(
        'p',
        { class: 'editor-keys', id: this.ids.keys },
        kbd('Ctrl'), '+', kbd('S'), ' saves · ', kbd('Ctrl'), '+', kbd('Space'), ' completes (', kbd('Tab'), ' takes one) · ', kbd('Ctrl'), '+', kbd('K'), ' ', kbd('Ctrl'), '+', kbd('I'), ' explains a field · ',
        kbd('Tab'), ' indents: ', kbd('Ctrl'), '+', kbd('M'), ', or ', kbd('Esc'), ' then ', kbd('Tab'), ', moves on',
      ),
      this.surface,
      this.status,
      el('section', { class: 'editor-problems', 'aria-labelledby': this.ids.problems }, el('h4', { id: this.ids.problems }, 'Problems ', this.problemCount), this.problemList, this.noProblems),
    );

    this.editor = monaco.editor.create(this.surface, {
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fixedOverflowWidgets: true,
      fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--font-mono').trim() || 'monospace',
      fontSize: 14,
      tabSize: 2,
      insertSpaces: true,
      lineNumbersMinChars: 3,
      glyphMargin: false,
      renderLineHighlight: 'line',
      quickSuggestions: { other: true, comments: false, strings: true },
      // Tab takes a suggestion and Enter always starts a new line: a suggestion list that arrives
      // late from the YAML worker never swallows the Enter that ends a line typed in full.
      acceptSuggestionOnEnter: 'off',
      scrollbar: { alwaysConsumeMouseWheel: false },
      accessibilitySupport: 'auto',
      ariaLabel: 'YAML editor',
    });

    // Ctrl+S saves (and keeps the browser's Save dialog away).
    this.editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => this.save());
    this.disposables.push(
      this.editor.onDidChangeModelContent(() => {
        if (this.settingText) return;
        const model = this.editor.getModel();
        if (model && monaco.editor.getModelMarkers({ owner: DRY_RUN, resource: model.uri }).length > 0) {
          monaco.editor.setModelMarkers(model, DRY_RUN, []);
          this.say('The text changed since the dry run: its problems are cleared. Dry run again to check.');
        }
        this.renderFiles();
      }),
      monaco.editor.onDidChangeMarkers((uris) => {
        const model = this.editor.getModel();
        if (model && uris.some((u) => u.toString() === model.uri.toString())) this.renderProblems();
      }),
    );

    // Escape, then Tab or Shift+Tab, moves focus out of the editor (Tab alone indents).
    this.onSurfaceKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        this.escapeArmed = true;
        return;
      }
      if (e.key === 'Tab' && this.escapeArmed && !e.ctrlKey && !e.altKey && !e.metaKey) {
        e.preventDefault();
        e.stopPropagation();
        this.escapeArmed = false;
        this.moveFocus(e.shiftKey);
        return;
      }
      if (e.key !== 'Shift') this.escapeArmed = false;
    };
    this.surface.addEventListener('keydown', this.onSurfaceKey, true);
    // Escape inside the editor is the editor's (it closes suggestions, arms Escape then Tab):
    // it does not reach the lab panel, which would leave its expanded view.
    this.surface.addEventListener('keydown', stopEscape);

    this.fileSelect.addEventListener('change', () => this.open(this.fileSelect.value));
    this.saveButton.addEventListener('click', () => this.save());
    this.dryRunButton.addEventListener('click', () => this.dryRun());
    this.cancelEditButton.addEventListener('click', () => this.cancelEdit());
    this.newButton.addEventListener('click', () => this.toggleNewForm(this.newForm.hidden));
    this.newForm.addEventListener('submit', (e) => {
      e.preventDefault();
      this.createFile();
    });
    this.newForm.querySelector('[data-new-cancel]')?.addEventListener('click', () => this.toggleNewForm(false));
    this.newForm.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.toggleNewForm(false);
      }
    });

    this.openFirst();
  }

  // ---- files -------------------------------------------------------------------------------

  /** The workstation's text files. */
  private files(): string[] {
    return this.session
      .listFiles(PLACE)
      .filter((f) => !f.binary)
      .map((f) => f.path);
  }

  /** A manifest-looking file to start with, else a new `manifest.yaml`. */
  private openFirst(): void {
    const files = this.files();
    const first = files.find((p) => p.startsWith(HOME) && /\.(ya?ml|json)$/.test(p)) ?? files.find((p) => p.startsWith(HOME));
    if (first) this.open(first);
    else this.openNew(`${HOME}manifest.yaml`);
  }

  private buffer(path: string): Buffer {
    let b = this.buffers.get(path);
    if (!b) {
      const text = this.session.readFile(PLACE, path);
      b = { path, model: monaco.editor.createModel(text ?? '', 'yaml', monaco.Uri.file(path)), saved: text ?? null };
      b.model.updateOptions({ tabSize: 2, insertSpaces: true });
      this.buffers.set(path, b);
    }
    return b;
  }

  private open(path: string): void {
    const b = this.buffers.get(path) ?? this.buffer(path);
    this.current = b;
    this.editor.setModel(b.model);
    this.editor.updateOptions({ ariaLabel: this.ariaLabel(b) });
    this.renderFiles();
    this.renderProblems();
    this.renderEditState();
  }

  private openNew(path: string): void {
    if (!this.buffers.has(path) && this.session.readFile(PLACE, path) === undefined) {
      const model = monaco.editor.createModel('', 'yaml', monaco.Uri.file(path));
      model.updateOptions({ tabSize: 2, insertSpaces: true });
      this.buffers.set(path, { path, model, saved: null });
    }
    this.open(path);
  }

  private ariaLabel(b: Buffer): string {
    const what = b.edit ? `kubectl edit's file ${b.path}` : displayName(b.path);
    return `YAML editor, ${what}. Tab indents; Control+M, or Escape then Tab, moves focus out.`;
  }

  private dirty(b: Buffer): boolean {
    return b.saved === null ? b.model.getValueLength() > 0 || !b.edit : b.model.getValue() !== b.saved;
  }

  private renderFiles(): void {
    const paths = new Set<string>([...this.files(), ...this.buffers.keys()]);
    const options = [...paths]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((path) => {
        const b = this.buffers.get(path);
        let label = b?.edit ? `kubectl edit: ${displayName(path)}` : displayName(path);
        if (b && b.saved === null && !b.edit) label += ' (new)';
        else if (b && this.dirty(b)) label += ' (unsaved)';
        const o = el('option', { value: path }, label);
        o.selected = path === this.current?.path;
        return o;
      });
    const same = options.length === this.fileSelect.options.length && options.every((o, i) => this.fileSelect.options[i]?.value === o.value && this.fileSelect.options[i]?.textContent === o.textContent);
    if (!same) this.fileSelect.replaceChildren(...options);
    if (this.current) this.fileSelect.value = this.current.path;
  }

  refresh(): void {
    for (const b of this.buffers.values()) {
      if (b.edit) continue;
      const disk = this.session.readFile(PLACE, b.path);
      if (disk === undefined || disk === b.saved) continue;
      // Changed by a command: shown as it is now, unless the editor holds unsaved changes.
      if (b.saved !== null && b.model.getValue() === b.saved) {
        this.settingText = true;
        b.model.setValue(disk);
        this.settingText = false;
        b.saved = disk;
        if (b === this.current) this.say(`${displayName(b.path)} changed on the workstation; the editor shows it as it is now.`);
      } else if (b.saved === null && b.model.getValueLength() === 0) {
        this.settingText = true;
        b.model.setValue(disk);
        this.settingText = false;
        b.saved = disk;
      } else if (b === this.current) {
        this.say(`${displayName(b.path)} changed on the workstation; Save writes your version over it.`);
      }
    }
    this.renderFiles();
  }

  private toggleNewForm(open: boolean): void {
    this.newForm.hidden = !open;
    this.newButton.setAttribute('aria-expanded', String(open));
    if (open) {
      this.newInput.value = '';
      this.newInput.removeAttribute('aria-invalid');
      this.newInput.focus();
    } else this.newButton.focus();
  }

  private createFile(): void {
    const path = newFilePath(this.newInput.value);
    if (!path) {
      this.newInput.setAttribute('aria-invalid', 'true');
      this.say('Type a file name, such as service.yaml.');
      this.newInput.focus();
      return;
    }
    this.newForm.hidden = true;
    this.newButton.setAttribute('aria-expanded', 'false');
    this.openNew(path);
    this.say(this.buffers.get(path)?.saved === null ? `New file ${displayName(path)}: Save writes it on the workstation.` : `${displayName(path)} exists; it is open.`);
    this.editor.focus();
  }

  // ---- save and dry run --------------------------------------------------------------------

  private save(): void {
    const b = this.current;
    if (!b) return;
    const text = b.model.getValue();
    if (b.edit) {
      const { id, terminal } = b.edit;
      this.closeEdit(b);
      this.session.finishEdit(id, text);
      this.say(`Saved. kubectl edit goes on in Terminal ${terminal}.`);
      return;
    }
    this.session.writeFile(PLACE, b.path, text);
    b.saved = text;
    this.renderFiles();
    this.say(`Saved ${displayName(b.path)}. Apply it in a terminal: kubectl apply -f ${displayName(b.path)}`);
  }

  private dryRun(): void {
    const b = this.current;
    if (!b) return;
    const text = b.model.getValue();
    let report;
    try {
      report = this.session.dryRun(text, { source: displayName(b.path) });
    } catch (err) {
      this.say(`The dry run failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    monaco.editor.setModelMarkers(b.model, DRY_RUN, report.problems.map((p) => marker(p)));
    this.renderProblems();
    const errors = report.problems.filter((p) => p.severity === 'error').length;
    if (report.ok && report.problems.length === 0) this.say(`Dry run: ${report.lines.map((l) => l.text).join('; ') || 'nothing to apply'}.`);
    else if (report.ok) this.say(`Dry run: ${report.lines.filter((l) => !l.stderr).map((l) => l.text).join('; ')}, with ${plural(report.problems.length, 'warning')}.`);
    else this.say(`Dry run: the API server refused it, ${plural(errors || report.problems.length, 'problem')} (listed below).`);
  }

  // ---- kubectl edit ------------------------------------------------------------------------

  openEdit(request: EditRequest): void {
    if (!this.current?.edit) this.beforeEdit = this.current?.path;
    const model = monaco.editor.createModel(request.text, 'yaml', monaco.Uri.file(request.path));
    model.updateOptions({ tabSize: 2, insertSpaces: true });
    this.buffers.get(request.path)?.model.dispose();
    this.buffers.set(request.path, { path: request.path, model, saved: request.text, edit: request });
    this.open(request.path);
    this.say(`kubectl edit opened ${request.path} from Terminal ${request.terminal}. Save applies your changes; Cancel edit leaves the object as it is.`);
  }

  endEdit(id: number): void {
    const b = [...this.buffers.values()].find((x) => x.edit?.id === id);
    if (!b) return;
    this.closeEdit(b);
    this.say('kubectl edit was interrupted in its terminal; its file is closed.');
  }

  private cancelEdit(): void {
    const b = this.current;
    if (!b?.edit) return;
    const { id } = b.edit;
    this.closeEdit(b);
    this.session.finishEdit(id, undefined);
    this.say('Edit cancelled: the object is left as it was.');
  }

  private closeEdit(b: Buffer): void {
    this.buffers.delete(b.path);
    const back = this.beforeEdit && this.beforeEdit !== b.path ? this.beforeEdit : undefined;
    this.beforeEdit = undefined;
    if (this.current === b) {
      if (back) this.open(back);
      else this.openFirst();
    }
    b.model.dispose();
    this.renderFiles();
  }

  private renderEditState(): void {
    const edit = this.current?.edit;
    this.cancelEditButton.hidden = !edit;
    this.newButton.disabled = !!edit;
    this.dryRunButton.disabled = !!edit;
    this.editNote.hidden = !edit;
    this.editNote.textContent = edit ? `kubectl edit in Terminal ${edit.terminal} waits for this file: Save applies it, Cancel edit changes nothing. Lines starting with # are ignored.` : '';
  }

  // ---- problems ----------------------------------------------------------------------------

  private renderProblems(): void {
    const model = this.editor.getModel();
    const markers = model ? monaco.editor.getModelMarkers({ resource: model.uri }) : [];
    markers.sort((a, b) => a.startLineNumber - b.startLineNumber || a.startColumn - b.startColumn);
    this.problemCount.textContent = markers.length ? `(${markers.length})` : '';
    this.noProblems.hidden = markers.length > 0;
    this.problemList.replaceChildren(
      ...markers.map((m) => {
        const severity = m.severity === monaco.MarkerSeverity.Error ? 'Error' : m.severity === monaco.MarkerSeverity.Warning ? 'Warning' : 'Note';
        // monaco-yaml's markers: YAML syntax and the manifest schemas.
        const from = m.owner === DRY_RUN ? 'API server dry run' : 'editor check';
        const go = el('button', { type: 'button', class: 'editor-problem-go' }, `Line ${m.startLineNumber}, column ${m.startColumn}`);
        go.addEventListener('click', () => {
          this.editor.setPosition({ lineNumber: m.startLineNumber, column: m.startColumn });
          this.editor.revealLineInCenterIfOutsideViewport(m.startLineNumber);
          this.editor.focus();
        });
        return el('li', { class: 'editor-problem', 'data-severity': severity.toLowerCase() }, go, el('span', { class: 'editor-problem-text' }, el('strong', {}, `${severity}`), ` (${from}): `, m.message));
      }),
    );
  }

  // ---- focus and status --------------------------------------------------------------------

  private moveFocus(backwards: boolean): void {
    const list = tabbables();
    const outside = list.filter((e) => !this.surface.contains(e));
    const target = backwards
      ? outside.filter((e) => e.compareDocumentPosition(this.surface) & Node.DOCUMENT_POSITION_FOLLOWING).pop()
      : outside.find((e) => e.compareDocumentPosition(this.surface) & Node.DOCUMENT_POSITION_PRECEDING);
    target?.focus();
  }

  private say(text: string): void {
    this.status.textContent = text;
  }

  follow(session: LabSessionApi): void {
    this.session = session;
    // The old session's files and edits are gone with it.
    for (const b of this.buffers.values()) b.model.dispose();
    this.buffers.clear();
    this.current = undefined;
    this.beforeEdit = undefined;
    this.openFirst();
    this.say('');
  }

  show(): void {
    this.root.hidden = false;
    this.editor.layout();
  }

  focus(where: 'heading' | 'editor' = 'heading'): void {
    if (where === 'editor') this.editor.focus();
    else this.heading.focus();
  }

  hide(): void {
    this.root.hidden = true;
  }

  dispose(): void {
    this.surface.removeEventListener('keydown', this.onSurfaceKey, true);
    this.surface.removeEventListener('keydown', stopEscape);
    for (const d of this.disposables) d.dispose();
    for (const b of this.buffers.values()) {
      if (b.edit) this.session.finishEdit(b.edit.id, undefined);
      b.model.dispose();
    }
    this.buffers.clear();
    this.editor.dispose();
    this.root.replaceChildren();
  }
}

function stopEscape(e: KeyboardEvent): void {
  if (e.key === 'Escape') e.stopPropagation();
}

function marker(p: ManifestProblem): monaco.editor.IMarkerData {
  return {
    severity: p.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
    message: p.message,
    startLineNumber: p.line,
    startColumn: p.column,
    endLineNumber: p.endLine,
    endColumn: p.endColumn,
    source: 'dry run',
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
