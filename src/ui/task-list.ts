/**
 * The live task list of a lab panel: every task's state, input, hints and solution, the
 * score line, and the status line under the terminal.
 *
 * Design notes: the markup is Lab.astro's and LabTask.astro's, rendered at build time; this
 * module only updates it from `session.tasks()` (TaskView, src/labs/contract.ts), so what a
 * task shows is always what the session says, whoever changed it (a panel control, the
 * `answer` and `hint` commands, a packet in the sandbox). Updates are batched: session events
 * schedule one refresh for the current turn of the event loop. Elements are updated in place,
 * never rebuilt, so focus and a half-typed answer survive a refresh; the lists that grow (hints,
 * solution steps) are rebuilt only when their text changes.
 *
 * What the learner does in the panel is answered where they are: the outcome is announced
 * once in the panel's live region and focus stays on the control, or moves to what replaced
 * it (the locked prediction, the revealed hint, the solution). Changes that come from the
 * terminal happen out of sight: they are announced once, and the status line under the
 * terminal names the task with a "Show" button that scrolls to it and focuses it. Focus is
 * never moved by a change the learner did not ask for.
 */
import type { LabSessionApi, ScoreView, TaskView } from '../labs/contract';
import {
  afterLock,
  badgeText,
  codeParts,
  hintButtonText,
  hintCountText,
  labErrorText,
  pointsText,
  scoreExtraText,
  solutionCostText,
  STATUS_TEXT,
  waitingTitles,
  waitsText,
} from './task-text';

export interface TaskListHooks {
  /** The live session (Reset replaces it). */
  session(): LabSessionApi;
  /** Says `text` once in the panel's live region. */
  announce(text: string): void;
  /** Something the learner did in the panel changed the session (save it). */
  changed(): void;
  /** Puts a command at the terminal's prompt (a solution step's button). */
  type(command: string): void;
  /** A problem to show in the panel's notice area. */
  notice(text: string): void;
  /** The score changed: passed tasks out of all, and whether the lab is complete. */
  progress(passed: number, total: number, complete: boolean): void;
}

type Origin = 'panel' | 'sandbox';

interface Seen {
  status: TaskView['status'];
  open: boolean;
}

interface Transition {
  task: TaskView;
  from: Seen;
}

/** Plain text with `code` spans as backticks, as DOM nodes. */
export function richText(text: string): Node[] {
  return codeParts(text).map((p) => {
    if (!p.code) return document.createTextNode(p.text);
    const code = document.createElement('code');
    code.textContent = p.text;
    return code;
  });
}

const reducedMotion = (): boolean => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

export class TaskList {
  private readonly list: HTMLElement | null;
  private readonly items = new Map<string, HTMLElement>();
  private readonly seen = new Map<string, Seen>();
  /** The text last rendered into an element, so unchanged text is not rebuilt. */
  private readonly drawn = new WeakMap<Element, string>();
  private ready = false;
  private scheduled = 0;
  /** The task the status line points at, and whether it reports a change (not just "Next"). */
  private news: { id: string; change: boolean } | null = null;
  /** The task whose solution the confirmation dialog is about. */
  private confirming: string | null = null;
  private readonly dialog: HTMLDialogElement | null;
  private readonly cleanup: Array<() => void> = [];
  /** The progress last recorded (passed/total), so it is stored only when it changes. */
  private progressSaid = '';

  constructor(
    private readonly panel: HTMLElement,
    private readonly hooks: TaskListHooks,
  ) {
    this.list = panel.querySelector<HTMLElement>('[data-task-list]');
    for (const item of Array.from(panel.querySelectorAll<HTMLElement>('[data-task-id]'))) {
      this.items.set(item.dataset.taskId ?? '', item);
    }
    this.dialog = panel.querySelector<HTMLDialogElement>('[data-solution-dialog]');
    this.on(this.list, 'submit', (e) => this.onSubmit(e as SubmitEvent));
    this.on(this.list, 'click', (e) => this.onClick(e as MouseEvent));
    this.on(this.dialog, 'close', () => this.onDialogClose());
    this.on(panel.querySelector('[data-news-show]'), 'click', () => this.showNews());
  }

  /** The session exists: controls come alive and the panel shows its state. */
  start(): void {
    this.ready = true;
    this.seen.clear();
    this.news = null;
    this.progressSaid = '';
    this.refresh('sandbox');
  }

  /** After Reset: a new session; forget what was typed and shown. */
  reset(): void {
    for (const form of Array.from(this.list?.querySelectorAll<HTMLFormElement>('[data-answer-form]') ?? [])) form.reset();
    this.start();
  }

  /** A session event: refresh once this turn of the event loop is over. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = window.setTimeout(() => {
      this.scheduled = 0;
      this.refresh('sandbox');
    }, 0);
  }

  dispose(): void {
    window.clearTimeout(this.scheduled);
    for (const off of this.cleanup) off();
  }

  // ---- rendering ----------------------------------------------------------------------------

  /** Renders every task and the score; reports the tasks whose state or openness changed. */
  private refresh(origin: Origin): Transition[] {
    const session = this.hooks.session();
    const views = session.tasks();
    const changes: Transition[] = [];
    for (const view of views) {
      const before = this.seen.get(view.id);
      if (before && (before.status !== view.status || before.open !== view.open)) changes.push({ task: view, from: before });
      this.seen.set(view.id, { status: view.status, open: view.open });
      const item = this.items.get(view.id);
      if (item) this.renderTask(item, view, views);
    }
    this.renderScore(session.score(), views);
    if (origin === 'sandbox' && changes.length > 0) this.reportFromSandbox(changes);
    this.renderNews(views);
    return changes;
  }

  private setText(el: Element | null | undefined, text: string, rich = false): void {
    if (!el || this.drawn.get(el) === text) return;
    this.drawn.set(el, text);
    if (rich) el.replaceChildren(...richText(text));
    else el.textContent = text;
  }

  private renderTask(item: HTMLElement, t: TaskView, all: TaskView[]): void {
    const $ = <T extends Element = HTMLElement>(sel: string): T | null => item.querySelector<T>(sel);
    const live = this.ready && t.open && t.status !== 'passed';
    item.dataset.status = t.status;
    item.dataset.open = String(t.open);
    item.toggleAttribute('data-offered', t.solution.offered && t.status !== 'passed' && !t.solution.shown);

    const badge = badgeText(t);
    this.setText($('[data-icon]'), badge.icon);
    this.setText($('[data-label]'), badge.label);
    this.setText($('[data-task-title]'), t.title);
    this.setText($('[data-task-points]'), pointsText(t));
    const waits = $('[data-task-waits]');
    if (waits) {
      this.setText(waits, waitsText(waitingTitles(t, all)));
      waits.hidden = t.open || t.status === 'passed';
    }
    this.setText($('[data-task-description]'), t.description, true);

    // The input: a text field, a choice, or a prediction (a field or options, then locked).
    const form = $<HTMLFormElement>('[data-answer-form]');
    const locked = t.input?.kind === 'prediction' ? t.input.locked : undefined;
    if (form) {
      // Once passed, a field would only stand empty (the feedback says what was right); a
      // choice keeps its options, which are part of the question.
      form.hidden = locked !== undefined || (t.status === 'passed' && t.input?.kind !== 'choice');
      for (const el of Array.from(form.elements) as Array<HTMLInputElement | HTMLButtonElement>) el.disabled = !live;
      if (t.input?.kind === 'text' || (t.input?.kind === 'prediction' && !t.input.options)) {
        const field = form.querySelector<HTMLInputElement>('input[type="text"]');
        if (field && t.input.placeholder !== undefined) field.placeholder = t.input.placeholder;
        // The answer given last comes back after a reload, unless the learner is typing.
        if (field && t.input.kind === 'text' && t.input.last !== undefined && field.value === '' && document.activeElement !== field) field.value = t.input.last;
      }
      const options = t.input?.kind === 'choice' ? t.input.options.map((o) => ({ id: o.id, text: o.text })) : t.input?.kind === 'prediction' ? (t.input.options ?? []).map((o) => ({ id: o, text: o })) : [];
      const inputs = Array.from(form.querySelectorAll<HTMLInputElement>('input[type="radio"], input[type="checkbox"]'));
      options.forEach((o, i) => {
        const input = inputs[i];
        if (!input) return;
        input.value = o.id;
        this.setText(input.closest('label')?.querySelector('[data-option-text]'), o.text, true);
      });
      // The options picked last come back after a reload, unless the learner is picking.
      const last = t.input?.kind === 'choice' ? t.input.last : undefined;
      if (last && !inputs.some((i) => i.checked)) for (const i of inputs) i.checked = last.includes(i.value);
    }
    const lockedBox = $('[data-locked]');
    if (lockedBox) {
      lockedBox.hidden = locked === undefined;
      if (locked !== undefined) {
        this.setText(lockedBox.querySelector('[data-locked-value]'), locked);
        this.setText(lockedBox.querySelector('[data-locked-next]'), afterLock(t.feedback, locked, t.input?.kind === 'prediction' ? t.input.how : undefined), true);
      }
    }

    const feedback = $('[data-task-feedback]');
    if (feedback) {
      this.setText(feedback, t.feedback, true);
      feedback.hidden = t.feedback === '' || locked !== undefined;
    }
    const labError = $('[data-task-lab-error]');
    if (labError) {
      this.setText(labError, t.labError ? labErrorText(t.labError) : '');
      labError.hidden = !t.labError;
    }

    // Check now, hints, solution.
    const check = $<HTMLButtonElement>('[data-action="check"]');
    if (check) {
      check.hidden = t.status === 'passed';
      check.disabled = !live;
    }
    const hint = $<HTMLButtonElement>('[data-action="hint"]');
    if (hint) {
      hint.hidden = t.hints.nextCost === undefined;
      hint.disabled = !live;
      if (t.hints.nextCost !== undefined) this.setText(hint, hintButtonText(t.hints.nextCost));
    }
    const count = $('[data-hint-count]');
    if (count) {
      const text = hintCountText(t.hints);
      this.setText(count, text);
      count.hidden = text === '';
    }
    const solutionButton = $<HTMLButtonElement>('[data-action="solution"]');
    if (solutionButton) {
      solutionButton.hidden = !!t.solution.shown;
      solutionButton.disabled = !this.ready || !t.open;
    }

    const hints = $('[data-task-hints]');
    if (hints && this.drawn.get(hints) !== t.hints.shown.join('\n')) {
      this.drawn.set(hints, t.hints.shown.join('\n'));
      hints.replaceChildren(
        ...t.hints.shown.map((text, i) => {
          const li = document.createElement('li');
          li.tabIndex = -1;
          const label = document.createElement('span');
          label.className = 'task-hint-label';
          label.textContent = `Hint ${i + 1}`;
          li.append(label, ' ', ...richText(text));
          return li;
        }),
      );
      hints.hidden = t.hints.shown.length === 0;
    }

    const solution = $('[data-task-solution]');
    if (solution) {
      const shown = t.solution.shown;
      solution.hidden = !shown;
      const key = shown ? [shown.text, ...shown.steps].join('\n') : '';
      if (shown && this.drawn.get(solution) !== key) {
        this.drawn.set(solution, key);
        this.setText(solution.querySelector('[data-solution-text]'), shown.text, true);
        solution.querySelector('[data-solution-steps]')?.replaceChildren(...shown.steps.map((step) => this.stepItem(step)));
      }
    }
  }

  private stepItem(step: string): HTMLElement {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = step;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button-quiet button-small';
    button.dataset.action = 'type';
    button.dataset.command = step;
    button.textContent = 'Type it in';
    button.setAttribute('aria-label', `Type it in the terminal: ${step}`);
    li.append(code, button);
    return li;
  }

  private renderScore(s: ScoreView, views: TaskView[]): void {
    const set = (sel: string, text: string): void => {
      const el = this.panel.querySelector(sel);
      if (el) el.textContent = text;
    };
    set('[data-score]', String(s.earned));
    set('[data-score-total]', String(s.total));
    set('[data-tasks-done]', String(s.passed));
    set('[data-tasks-total]', String(s.tasks));
    const extra = this.panel.querySelector<HTMLElement>('[data-score-extra]');
    if (extra) {
      extra.textContent = scoreExtraText(s);
      extra.hidden = extra.textContent === '';
    }
    const bar = this.panel.querySelector<HTMLElement>('[data-score-bar]');
    if (bar) bar.style.inlineSize = `${s.total > 0 ? (100 * s.earned) / s.total : 0}%`;
    const meter = this.panel.querySelector('[data-score-meter]');
    meter?.setAttribute('aria-valuenow', String(s.earned));
    meter?.setAttribute('aria-valuemax', String(s.total));
    const complete = views.length > 0 && s.passed === views.length;
    const banner = this.panel.querySelector<HTMLElement>('[data-complete-banner]');
    if (banner) banner.hidden = !complete;
    this.panel.toggleAttribute('data-complete', complete);
    const progress = `${s.passed}/${views.length}`;
    if (progress !== this.progressSaid) {
      this.progressSaid = progress;
      this.hooks.progress(s.passed, views.length, complete);
    }
  }

  // ---- the status line under the terminal ----------------------------------------------------

  private renderNews(views: TaskView[]): void {
    const bar = this.panel.querySelector<HTMLElement>('[data-news]');
    const text = this.panel.querySelector<HTMLElement>('[data-news-text]');
    const button = this.panel.querySelector<HTMLButtonElement>('[data-news-show]');
    if (!bar || !text || !button) return;
    bar.hidden = views.length === 0;
    const complete = views.length > 0 && views.every((t) => t.status === 'passed');
    if (this.news?.change && !complete) {
      button.hidden = false;
      button.setAttribute('aria-label', `Show task: ${views.find((t) => t.id === this.news?.id)?.title ?? ''}`);
      return;
    }
    const next = views.find((t) => t.open && t.status !== 'passed');
    bar.dataset.tone = next ? 'next' : 'passed';
    if (next) {
      this.news = { id: next.id, change: false };
      text.textContent = `Next: ${next.title}`;
      button.hidden = false;
      button.setAttribute('aria-label', `Show task: ${next.title}`);
    } else {
      this.news = null;
      text.textContent = complete ? '✓ Every task passed.' : '';
      button.hidden = true;
    }
  }

  /** Changes a command (or a packet) made: said once, and named in the status line. */
  private reportFromSandbox(changes: Transition[]): void {
    // A pass is the news; a near miss on another task that the same command made comes after.
    const rank = (c: Transition): number => (c.task.status !== c.from.status ? (c.task.status === 'passed' ? 0 : 1) : 2);
    changes = [...changes].sort((a, b) => rank(a) - rank(b));
    const said = changes.map((c) => this.sentence(c)).filter(Boolean);
    if (said.length > 0) this.hooks.announce(said.join(' '));
    const graded = changes.filter((c) => c.task.status !== c.from.status && c.task.status !== 'pending');
    const first = graded[0] ?? changes.find((c) => c.task.open && !c.from.open);
    if (!first) return;
    const t = first.task;
    const others = (graded.length > 0 ? graded.length : 1) - 1;
    const what = t.status !== first.from.status ? (t.status === 'passed' ? `✓ ${t.title} passed` : `✗ ${t.title}: not yet`) : `${t.title} is open now`;
    const text = this.panel.querySelector<HTMLElement>('[data-news-text]');
    const bar = this.panel.querySelector<HTMLElement>('[data-news]');
    if (text) text.textContent = others > 0 ? `${what} (and ${others} more)` : what;
    if (bar) bar.dataset.tone = t.status !== first.from.status ? t.status : 'next';
    this.news = { id: t.id, change: true };
  }

  /** One change in words, for the live region. */
  private sentence(c: Transition): string {
    const t = c.task;
    if (t.status !== c.from.status && t.status !== 'pending') return `${t.title}: ${STATUS_TEXT[t.status]}. ${t.feedback}`.trim();
    if (t.open && !c.from.open) return `${t.title} is open now.`;
    return '';
  }

  private showNews(): void {
    if (!this.news) return;
    const item = this.items.get(this.news.id);
    if (!item) return;
    const details = item.closest('details');
    if (details && !details.open) details.open = true;
    const box = item.getBoundingClientRect();
    const inView = box.top >= 0 && box.bottom <= window.innerHeight && !this.coveredByWorkspace(item);
    if (!inView) item.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
    item.focus({ preventScroll: true });
    item.removeAttribute('data-flash');
    void item.offsetWidth; // restart the highlight
    item.setAttribute('data-flash', '');
  }

  /** True when the docked terminal, pinned to the bottom of the panel, hides part of `item`. */
  private coveredByWorkspace(item: HTMLElement): boolean {
    const workspace = this.panel.querySelector('.lab-workspace');
    if (!workspace || getComputedStyle(workspace).position !== 'sticky') return false;
    return item.getBoundingClientRect().bottom > workspace.getBoundingClientRect().top;
  }

  // ---- what the learner does ----------------------------------------------------------------

  private on(target: EventTarget | null, type: string, fn: (e: Event) => void): void {
    if (!target) return;
    target.addEventListener(type, fn);
    this.cleanup.push(() => target.removeEventListener(type, fn));
  }

  private view(id: string): TaskView | undefined {
    return this.hooks.session().tasks().find((t) => t.id === id);
  }

  /** Runs a session call for a panel control; a throw is shown as a notice, not a broken panel. */
  private act(what: string, fn: () => TaskView): TaskView | undefined {
    try {
      return fn();
    } catch (err) {
      this.hooks.notice(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** After a panel action: render, and say what happened (with any task it opened). */
  private after(view: TaskView, said: string): void {
    const changes = this.refresh('panel');
    if (this.news?.change && changes.some((c) => c.task.id === this.news?.id)) {
      this.news = null;
      this.renderNews(this.hooks.session().tasks());
    }
    const opened = changes.filter((c) => c.task.id !== view.id && c.task.open && !c.from.open).map((c) => `${c.task.title} is open now.`);
    const error = view.labError ? labErrorText(view.labError) : '';
    this.hooks.announce([said, error, ...opened].filter(Boolean).join(' '));
    this.hooks.changed();
  }

  private outcome(t: TaskView): string {
    return `${t.title}: ${STATUS_TEXT[t.status]}. ${t.feedback}`.trim();
  }

  /** A short message in the task's feedback line (nothing was sent to the session). */
  private hintLocally(item: HTMLElement, text: string): void {
    const feedback = item.querySelector<HTMLElement>('[data-task-feedback]');
    if (!feedback) return;
    this.drawn.delete(feedback);
    feedback.textContent = text;
    feedback.hidden = false;
    this.hooks.announce(text);
  }

  private onSubmit(e: SubmitEvent): void {
    const form = (e.target as Element | null)?.closest<HTMLFormElement>('[data-answer-form]');
    const item = form?.closest<HTMLElement>('[data-task-id]');
    if (!form || !item) return;
    e.preventDefault();
    const id = item.dataset.taskId ?? '';
    const before = this.view(id);
    if (!before?.input || !this.ready) return;
    const field = form.querySelector<HTMLInputElement>('input[type="text"]');
    const picked = Array.from(form.querySelectorAll<HTMLInputElement>('input:checked')).map((i) => i.value);
    const value = field ? field.value.trim() : picked.join(',');
    const prediction = before.input.kind === 'prediction';
    if (value === '') {
      this.hintLocally(item, field ? (prediction ? 'Type your prediction first.' : 'Type an answer first.') : prediction ? 'Pick your prediction first.' : 'Pick an option first.');
      (field ?? form.querySelector<HTMLInputElement>('input'))?.focus();
      return;
    }
    const view = this.act('That answer could not be checked', () => this.hooks.session().answer(id, value));
    if (!view) return;
    const locked = view.input?.kind === 'prediction' ? view.input.locked : undefined;
    if (locked !== undefined) {
      form.reset();
      this.after(view, `Prediction locked in: ${locked}. ${afterLock(view.feedback, locked, view.input?.kind === 'prediction' ? view.input.how : undefined)}`);
      item.querySelector<HTMLElement>('[data-locked]')?.focus();
      return;
    }
    this.after(view, this.outcome(view));
    if (view.status === 'passed') item.querySelector<HTMLElement>('[data-task-feedback]')?.focus();
  }

  private onClick(e: MouseEvent): void {
    const button = (e.target as Element | null)?.closest<HTMLButtonElement>('button[data-action]');
    const item = button?.closest<HTMLElement>('[data-task-id]');
    if (!button || !item || button.disabled || !this.ready) return;
    const id = item.dataset.taskId ?? '';
    switch (button.dataset.action) {
      case 'check': {
        const view = this.act('The task could not be checked', () => this.hooks.session().check(id));
        if (!view) return;
        this.after(view, this.outcome(view));
        if (view.status === 'passed') item.querySelector<HTMLElement>('[data-task-feedback]')?.focus();
        return;
      }
      case 'hint': {
        const view = this.act('No hint could be shown', () => this.hooks.session().hint(id));
        if (!view) return;
        const n = view.hints.shown.length;
        this.after(view, n > 0 ? `Hint ${n} of ${view.hints.total}: ${view.hints.shown[n - 1]}` : '');
        if (button.hidden) item.querySelector<HTMLElement>('[data-task-hints] li:last-child')?.focus();
        return;
      }
      case 'solution': {
        const view = this.view(id);
        if (!view) return;
        if (view.status !== 'passed' && view.solution.cost > 0 && this.dialog && typeof this.dialog.showModal === 'function') {
          this.confirming = id;
          const cost = this.dialog.querySelector('[data-solution-cost]');
          if (cost) cost.textContent = solutionCostText(view.title, view.solution.cost);
          this.dialog.returnValue = '';
          this.dialog.showModal();
          return;
        }
        if (view.status !== 'passed' && view.solution.cost > 0 && !this.dialog && !window.confirm(solutionCostText(view.title, view.solution.cost))) return;
        this.showSolution(id);
        return;
      }
      case 'type': {
        const command = button.dataset.command ?? '';
        if (command) this.hooks.type(command);
        return;
      }
      default:
        return;
    }
  }

  private onDialogClose(): void {
    const id = this.confirming;
    this.confirming = null;
    if (!id) return;
    if (this.dialog?.returnValue === 'show') this.showSolution(id);
    else this.items.get(id)?.querySelector<HTMLElement>('[data-action="solution"]')?.focus();
  }

  private showSolution(id: string): void {
    const view = this.act('The solution could not be shown', () => this.hooks.session().showSolution(id));
    if (!view) return;
    this.after(view, `The solution to “${view.title}” is shown below the task.`);
    this.items.get(id)?.querySelector<HTMLElement>('[data-task-solution]')?.focus();
  }
}
