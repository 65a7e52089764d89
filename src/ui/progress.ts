/**
 * The learner's progress, filled into the course's lists (home page, sidebar, pager).
 *
 * Design notes: the lists are static HTML (LessonList, Sidebar, LessonPager). Every element
 * that shows progress carries `data-progress`: the labs of its lesson (or of each lesson of its
 * module) with their numbers of tasks, written at build time (course.ts `progressData`); and
 * `data-progress-format`, `module` for a module's longer line. The slots inside it
 * (ProgressLine.astro) get their text ("Not started", "3 of 8 tasks", "Done"), a short form
 * (`3/8`, for the narrow sidebar) and the bar's width; the element gets `data-progress-state`
 * (`none`, `started`, `done`) and, for a lesson, `data-complete` when done. A slot belongs to
 * the nearest element with `data-progress` around it, so a module's line and its lessons' lines
 * do not mix. The text carries the meaning; the bar and the check mark only repeat it.
 * On the home page the first button becomes "Continue with lesson N" once some lab has been
 * opened: it points at the first lesson begun and not finished, else at the lesson after the
 * last one done (a lesson without a lab included); with nothing left it stays "Start". Progress follows changes in this tab (a lab passing a task) and in other tabs (the
 * `storage` event).
 */
import { lessonProgressText, moduleProgressText, parseProgressData, percent, summarize, type ProgressSummary } from './course';
import { loadProgress, PROGRESS_EVENT, PROGRESS_KEY, type Progress } from './storage';

const SLOTS = '[data-progress-text], [data-progress-short], [data-progress-bar]';

function summaryOf(el: HTMLElement, progress: Progress): ProgressSummary {
  return summarize(progress.labs, parseProgressData(el.dataset.progress));
}

export function refreshProgressMarks(root: ParentNode = document): void {
  const progress = loadProgress();
  const summaries = new Map<HTMLElement, ProgressSummary>();
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-progress]'))) {
    const s = summaryOf(el, progress);
    summaries.set(el, s);
    el.dataset.progressState = s.state;
    if (el.hasAttribute('data-progress-lesson')) el.toggleAttribute('data-complete', s.state === 'done');
  }
  for (const slot of Array.from(root.querySelectorAll<HTMLElement>(SLOTS))) {
    const owner = slot.closest<HTMLElement>('[data-progress]');
    const s = owner ? summaries.get(owner) : undefined;
    if (!owner || !s) continue;
    if (slot.hasAttribute('data-progress-text')) {
      slot.textContent = owner.dataset.progressFormat === 'module' ? moduleProgressText(s) : lessonProgressText(s);
    } else if (slot.hasAttribute('data-progress-short')) {
      slot.textContent = s.state === 'started' ? `${s.passed}/${s.total}` : '';
    } else {
      slot.style.inlineSize = `${percent(s)}%`;
    }
  }
  refreshContinue(root, summaries);
}

/** The home page's first button: "Continue with lesson N" where the learner left off. */
function refreshContinue(root: ParentNode, summaries: Map<HTMLElement, ProgressSummary>): void {
  const link = root.querySelector<HTMLAnchorElement>('a[data-continue]');
  if (!link) return;
  const label = link.querySelector<HTMLElement>('[data-continue-label]');
  link.dataset.startHref ??= link.getAttribute('href') ?? '';
  link.dataset.startLabel ??= label?.textContent ?? '';
  const lessons = [...summaries].filter(([el]) => el.hasAttribute('data-lesson-number'));
  // A lesson begun and not finished; else the lesson after the last one done.
  const lastDone = lessons.map(([, s]) => s.state).lastIndexOf('done');
  const next = (lessons.find(([, s]) => s.state === 'started') ?? (lastDone >= 0 ? lessons[lastDone + 1] : undefined))?.[0];
  const href = next?.querySelector<HTMLAnchorElement>('a[data-lesson-link]')?.getAttribute('href');
  if (next && href) {
    link.setAttribute('href', href);
    if (label) label.textContent = `Continue with lesson ${next.dataset.lessonNumber ?? ''}`;
  } else {
    link.setAttribute('href', link.dataset.startHref);
    if (label) label.textContent = link.dataset.startLabel;
  }
}

export function initProgressMarks(): void {
  refreshProgressMarks();
  window.addEventListener(PROGRESS_EVENT, () => refreshProgressMarks());
  window.addEventListener('storage', (e) => {
    if (e.key === null || e.key === PROGRESS_KEY) refreshProgressMarks();
  });
}
