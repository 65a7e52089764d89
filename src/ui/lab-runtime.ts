/**
 * Brings a statically rendered lab panel to life: a lab session, the terminal, the task list
 * (task-list.ts: answers, choices, predictions, hints, solutions, the status line under the
 * terminal), saving and restoring, Reset.
 *
 * Design notes: loaded by `<lab-panel>` with a dynamic `import()` once the lab is near the
 * viewport, so xterm and the simulator stay out of the initial page. It talks to the lab only
 * through `LabSessionApi` (src/labs/contract.ts). The snapshot is saved after every command
 * and everything done in the panel; on load it is restored, and a record that cannot be
 * restored is thrown away with a notice in the panel, never a broken page. The panel's
 * `data-seed` is the live session's seed. A solution step's "Type it in" button takes the
 * same path as the lesson's "Type it in the lab" buttons: the command is offered at the
 * selected terminal's prompt.
 *
 * In the browser the session's scheduler follows the wall clock: `ping` really waits a second
 * between replies.
 *
 * Terminals: "Terminal 1" drives the session itself; "+" opens up to three more
 * (`session.openTerminal()`), each its own LabTerminal in its own tab panel, all on the same
 * sandbox. Switching tabs only hides and shows panels, so each keeps its screen. The panel's
 * `data-busy` and the test hook follow the selected tab. Reset closes the extra terminals.
 * The parts listed in lab-parts.ts follow each session from its start: the packet path view
 * (path-panel.ts, loaded when first opened) and the captures offered for download under the
 * terminal (downloads.ts).
 */
import xtermCss from '@xterm/xterm/css/xterm.css?inline';
import type { Scheduler } from '../sim/clock';
import type { LabSessionApi, TerminalApi } from '../labs/contract';
import { createLabSession, restoreLabSession } from '../labs/catalog';
import { LAB_PARTS } from './lab-parts';
import { TaskList } from './task-list';
import { LabTerminal } from './terminal';
import {
  clearLab,
  forgetLabProgress,
  loadLab,
  recordLabProgress,
  saveLab,
} from './storage';

declare global {
  interface Window {
    /** Test hook: the text of each lab's terminal, by lab id. */
    __labTerminals?: Record<string, { lines(): string[]; seed(): number }>;
  }
}

const wallClock: Scheduler = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** Terminal 1 plus three more. */
const MAX_TERMINALS = 4;

function injectXtermCss(): void {
  if (document.getElementById('xterm-css')) return;
  const style = document.createElement('style');
  style.id = 'xterm-css';
  style.textContent = xtermCss;
  document.head.append(style);
}

/** The seed a new session starts with: `?seed=` in the address (workshops), else a random one. */
function chooseSeed(): number {
  const fromUrl = requestedSeed();
  if (fromUrl !== null) return fromUrl;
  const buf = new Uint32Array(1);
  crypto.getRandomValues(buf);
  return (buf[0] ?? 1) % 1_000_000;
}

function requestedSeed(): number | null {
  const raw = new URLSearchParams(window.location.search).get('seed');
  if (raw === null || !/^\d{1,9}$/.test(raw)) return null;
  return Number(raw);
}

interface LessonRef {
  slug: string;
  labs: string[];
}

function lessonsOnPage(panel: HTMLElement): LessonRef[] {
  const host = panel.closest<HTMLElement>('[data-lesson]');
  if (!host?.dataset.lesson) return [];
  const labs = (host.dataset.lessonLabs ?? '').split(',').filter(Boolean);
  return [{ slug: host.dataset.lesson, labs }];
}

export async function mountLab(panel: HTMLElement): Promise<{ dispose(): void }> {
  const labId = panel.dataset.labId;
  if (!labId) throw new Error('lab panel without data-lab-id');
  injectXtermCss();

  const $ = <T extends Element = HTMLElement>(sel: string): T | null => panel.querySelector<T>(sel);
  const container = $('[data-terminal]');
  if (!container) throw new Error('lab panel without a terminal container');
  const lessons = lessonsOnPage(panel);

  // ---- notices ------------------------------------------------------------------------------
  const notice = $('[data-notice]');
  const noticeText = $('[data-notice-text]');
  const showNotice = (text: string): void => {
    if (!notice || !noticeText) return;
    noticeText.textContent = text;
    notice.hidden = false;
  };
  $('[data-notice-dismiss]')?.addEventListener('click', () => {
    if (notice) notice.hidden = true;
  });
  const announcer = $('[data-announce]');
  const announce = (text: string): void => {
    if (!announcer) return;
    announcer.textContent = '';
    // A fresh text node makes screen readers speak a repeated message again.
    window.setTimeout(() => (announcer.textContent = text), 50);
  };

  // ---- session ------------------------------------------------------------------------------
  let restoredCommands: number | null = null;
  let session: LabSessionApi;
  const stored = loadLab(labId);
  const wanted = requestedSeed();
  if (stored.kind === 'ok' && (wanted === null || wanted === stored.snapshot.seed)) {
    try {
      session = restoreLabSession(stored.snapshot, wallClock);
      restoredCommands = session.history().length;
    } catch (err) {
      clearLab(labId);
      const why = err instanceof Error && err.message ? ` (${err.message})` : '';
      showNotice(
        `Your saved work in this lab could not be restored${why}, so the lab starts fresh. Sorry about that.`,
      );
      session = await createLabSession({ labId, seed: chooseSeed(), scheduler: wallClock });
    }
  } else {
    if (stored.kind === 'corrupt') {
      showNotice(
        `Your saved work in this lab could not be read (${stored.reason}), so the lab starts fresh.`,
      );
    } else if (stored.kind === 'ok') {
      showNotice(`This link asks for seed ${wanted ?? ''}, so the lab starts fresh with it.`);
    }
    session = await createLabSession({ labId, seed: chooseSeed(), scheduler: wallClock });
  }

  // ---- tasks and score ------------------------------------------------------------------------
  let saveWarned = false;

  const save = (): void => {
    const ok = saveLab(labId, session.snapshot());
    if (!ok && !saveWarned) {
      saveWarned = true;
      showNotice('Your browser did not let this page save the lab, so your work here will be lost when you leave.');
    }
  };

  const tasks = new TaskList(panel, {
    session: () => session,
    announce,
    changed: save,
    type: (command) => current().offer(command),
    notice: showNotice,
    progress: (passed, total, complete) => recordLabProgress(labId, { passed, total, complete }, lessons),
  });

  const showSeed = (): void => {
    const seedEl = $('[data-seed]');
    if (seedEl) seedEl.textContent = String(session.seed);
    panel.dataset.seed = String(session.seed);
  };

  let unsubscribe: () => void = () => {};
  // The packet path view and the capture downloads (lab-parts.ts) follow each session from its start.
  const parts = LAB_PARTS.map((make) => make(panel));
  const listen = (): void => {
    unsubscribe = session.subscribe((e) => {
      if (e.type === 'task' || e.type === 'state') tasks.schedule();
    });
    for (const part of parts) part.follow(session);
  };

  // ---- terminals ----------------------------------------------------------------------------
  $('[data-terminal-placeholder]')?.remove();
  const tabList = $('[data-terminal-tabs]');
  const firstTab = tabList?.querySelector<HTMLButtonElement>('[role="tab"]');
  const addButton = $<HTMLButtonElement>('[data-terminal-add]');
  if (!tabList || !firstTab) throw new Error('lab panel without terminal tabs');
  interface Tab {
    tab: HTMLButtonElement;
    view: HTMLElement;
    terminal: LabTerminal;
    busy: boolean;
  }
  const tabs: Tab[] = [];
  let active = 0;

  const select = (index: number): void => {
    active = index;
    tabs.forEach((t, i) => {
      t.tab.setAttribute('aria-selected', String(i === index));
      t.tab.tabIndex = i === index ? 0 : -1;
      t.view.hidden = i !== index;
    });
    panel.toggleAttribute('data-busy', tabs[index]?.busy ?? false);
    if (addButton) addButton.disabled = tabs.length >= MAX_TERMINALS;
  };

  /** A tab panel with its own terminal on `api`, selected. */
  const addTab = (tab: HTMLButtonElement, api: TerminalApi): Tab => {
    const n = tabs.length + 1;
    tab.id = `${panel.id || labId}-tab-${n}`;
    const view = document.createElement('div');
    view.className = 'lab-terminal-view';
    view.id = `${panel.id || labId}-terminal-${n}`;
    view.setAttribute('role', 'tabpanel');
    view.setAttribute('aria-labelledby', tab.id);
    tab.setAttribute('aria-controls', view.id);
    for (const t of tabs) t.view.hidden = true; // shown before xterm measures it
    container.append(view);
    const entry: Tab = {
      tab,
      view,
      busy: false,
      terminal: new LabTerminal(view, api, {
        onCommandDone: () => save(),
        onBusy: (busy) => {
          entry.busy = busy;
          if (tabs[active] === entry) panel.toggleAttribute('data-busy', busy);
        },
      }),
    };
    tabs.push(entry);
    select(tabs.length - 1);
    return entry;
  };

  const terminal = addTab(firstTab, session).terminal;
  const current = (): LabTerminal => tabs[active]?.terminal ?? terminal;

  const onTabClick = (e: MouseEvent): void => {
    const index = tabs.findIndex((t) => t.tab === (e.target as Element | null)?.closest('[role="tab"]'));
    if (index < 0) return;
    select(index);
    current().focus();
  };
  const onTabKey = (e: KeyboardEvent): void => {
    const moves: Record<string, number> = { ArrowRight: active + 1, ArrowLeft: active - 1, Home: 0, End: tabs.length - 1 };
    const to = moves[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select((to + tabs.length) % tabs.length);
    tabs[active]?.tab.focus();
  };
  tabList.addEventListener('click', onTabClick);
  tabList.addEventListener('keydown', onTabKey);

  const onAdd = (): void => {
    if (tabs.length >= MAX_TERMINALS) return;
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.className = 'lab-terminal-tab';
    tab.setAttribute('role', 'tab');
    tab.textContent = `Terminal ${tabs.length + 1}`;
    tabList.append(tab);
    const added = addTab(tab, session.openTerminal());
    added.terminal.notice(`(${tab.textContent}: another shell on the same cluster, starting at the workstation.)`);
    void added.terminal.start();
    added.terminal.focus();
    announce(`${tab.textContent} opened.`);
  };
  addButton?.addEventListener('click', onAdd);

  /** Closes every terminal but the first (Reset: they belong to the old session). */
  const closeExtraTerminals = (): void => {
    for (const t of tabs.splice(1)) {
      t.terminal.dispose();
      t.view.remove();
      t.tab.remove();
    }
    select(0);
  };

  const greet = (): void => {
    const touched = session.tasks().some((t) => t.status !== 'pending');
    if (restoredCommands !== null && (restoredCommands > 0 || touched)) {
      const n = restoredCommands;
      terminal.notice(`(restored your lab: ${n} command${n === 1 ? '' : 's'})`);
    } else {
      terminal.notice(`(new lab, seed ${session.seed}. Type help to list the commands; Tab completes.)`);
    }
  };

  listen();
  showSeed();
  greet();
  await terminal.start();
  save();

  window.__labTerminals ??= {};
  window.__labTerminals[labId] = { lines: () => current().lines(), seed: () => session.seed };

  // ---- reset --------------------------------------------------------------------------------
  const resetButton = $<HTMLButtonElement>('[data-reset]');
  const dialog = $<HTMLDialogElement>('[data-reset-dialog]');
  const doReset = async (): Promise<void> => {
    const seed = session.seed;
    unsubscribe();
    clearLab(labId);
    forgetLabProgress(labId, lessons);
    session = await createLabSession({ labId, seed, scheduler: wallClock });
    restoredCommands = null;
    closeExtraTerminals();
    terminal.replaceSession(session);
    if (notice) notice.hidden = true;
    listen();
    tasks.reset();
    showSeed();
    greet();
    await terminal.start();
    save();
    announce('The lab was reset.');
    terminal.focus();
  };
  const onReset = (): void => {
    if (dialog && typeof dialog.showModal === 'function') {
      dialog.returnValue = '';
      dialog.showModal();
    } else if (window.confirm('Reset this lab? Your commands and answers in it will be lost.')) {
      void doReset();
    }
  };
  resetButton?.addEventListener('click', onReset);
  const onDialogClose = (): void => {
    if (dialog?.returnValue === 'reset') void doReset();
    else resetButton?.focus();
  };
  dialog?.addEventListener('close', onDialogClose);

  // "Type it in the lab" buttons in the lesson put their command at the prompt.
  const onType = (e: Event): void => {
    const command = (e as CustomEvent<{ command?: string }>).detail?.command;
    if (typeof command === 'string' && command !== '') current().offer(command);
  };
  panel.addEventListener('lab:type', onType);
  const waiting = panel.dataset.pendingCommand;
  if (waiting) {
    delete panel.dataset.pendingCommand;
    terminal.offer(waiting);
  }

  // Controls rendered disabled (they do nothing before the session exists) come alive now;
  // the task list decides for its own (a passed or locked task keeps them disabled).
  panel.querySelectorAll<HTMLButtonElement | HTMLInputElement>('[data-needs-session]').forEach((el) => {
    if (!el.closest('[data-task-list]')) el.disabled = false;
  });
  tasks.start();
  panel.setAttribute('data-ready', '');

  return {
    dispose(): void {
      unsubscribe();
      for (const part of parts) part.dispose();
      tasks.dispose();
      resetButton?.removeEventListener('click', onReset);
      panel.removeEventListener('lab:type', onType);
      dialog?.removeEventListener('close', onDialogClose);
      tabList.removeEventListener('click', onTabClick);
      tabList.removeEventListener('keydown', onTabKey);
      addButton?.removeEventListener('click', onAdd);
      for (const t of tabs) t.terminal.dispose();
      if (window.__labTerminals) delete window.__labTerminals[labId];
      panel.removeAttribute('data-ready');
    },
  };
}
