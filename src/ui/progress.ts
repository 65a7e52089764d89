/**
 * Completion marks in lesson lists (sidebar, home page).
 *
 * Design notes: the lists are static HTML; each lesson item carries `data-progress-lesson`
 * (its slug) and `data-labs` (its lab ids, comma separated). A lesson is complete when it has
 * labs and all their tasks passed (see storage.ts). The mark is text plus an icon, so colour
 * never carries the meaning alone. Marks follow changes in this tab (a lab completing) and in
 * other tabs (the `storage` event).
 */
import { isLessonComplete, loadProgress, PROGRESS_EVENT, PROGRESS_KEY } from './storage';

export function refreshProgressMarks(root: ParentNode = document): void {
  const progress = loadProgress();
  for (const item of Array.from(root.querySelectorAll<HTMLElement>('[data-progress-lesson]'))) {
    const labs = (item.dataset.labs ?? '').split(',').filter(Boolean);
    const complete = isLessonComplete(progress, labs);
    item.toggleAttribute('data-complete', complete);
    const mark = item.querySelector<HTMLElement>('[data-complete-mark]');
    if (mark) mark.hidden = !complete;
  }
}

export function initProgressMarks(): void {
  refreshProgressMarks();
  window.addEventListener(PROGRESS_EVENT, () => refreshProgressMarks());
  window.addEventListener('storage', (e) => {
    if (e.key === null || e.key === PROGRESS_KEY) refreshProgressMarks();
  });
}
