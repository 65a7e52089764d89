/**
 * The words the lab panel uses for a task's state, its points, its hints and its solution.
 *
 * Design notes: the panel is rendered twice from the same TaskView data: once at build time
 * (Lab.astro, with the lab's default seed) and again live in the browser (task-list.ts). Both
 * take their wording from here, so the static page and the live panel never disagree.
 * Plain functions of plain data: no DOM.
 */
import type { ScoreView, TaskView } from '../labs/contract';

export const STATUS_TEXT: Record<TaskView['status'], string> = {
  pending: 'To do',
  passed: 'Passed',
  failed: 'Not yet',
};

export const STATUS_ICON: Record<TaskView['status'], string> = {
  pending: '○',
  passed: '✓',
  failed: '✗',
};

/** A task whose `needs` have not passed shows this badge instead of its status. */
export const LOCKED_TEXT = 'Locked';
export const LOCKED_ICON = '◌';

export function badgeText(t: Pick<TaskView, 'status' | 'open'>): { icon: string; label: string } {
  if (!t.open && t.status !== 'passed') return { icon: LOCKED_ICON, label: LOCKED_TEXT };
  return { icon: STATUS_ICON[t.status], label: STATUS_TEXT[t.status] };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `10 points`, `up to 8 of 10 points` (hints taken), `8 of 10 points` once passed. */
export function pointsText(t: Pick<TaskView, 'status' | 'points' | 'earned' | 'hints' | 'solution'>): string {
  if (t.status === 'passed') return `${t.earned} of ${plural(t.points, 'point')}`;
  if (t.solution.shown && t.solution.cost === 0) return `0 of ${plural(t.points, 'point')}: solution shown`;
  if (t.hints.spent > 0) return `up to ${Math.max(0, t.points - t.hints.spent)} of ${plural(t.points, 'point')}`;
  return plural(t.points, 'point');
}

/** `Opens after “Ping across nodes” passes.` */
export function waitsText(titles: readonly string[]): string {
  if (titles.length === 0) return '';
  const quoted = titles.map((t) => `“${t}”`);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
  return `Opens after ${list} ${titles.length === 1 ? 'passes' : 'pass'}.`;
}

/** The titles a locked task waits for (the view may name them by id or by title). */
export function waitingTitles(t: Pick<TaskView, 'waitsFor'>, all: readonly Pick<TaskView, 'id' | 'title'>[]): string[] {
  return t.waitsFor.map((w) => all.find((x) => x.id === w)?.title ?? w);
}

/** `Hint (−2 points)`. */
export function hintButtonText(cost: number): string {
  return cost === 0 ? 'Hint (free)' : `Hint (−${plural(cost, 'point')})`;
}

/** `2 hints`, or once some are taken `1 of 2 hints taken (−2 points)`. */
export function hintCountText(h: TaskView['hints']): string {
  if (h.total === 0) return '';
  if (h.shown.length === 0) return plural(h.total, 'hint');
  return `${h.shown.length} of ${plural(h.total, 'hint')} taken${h.spent > 0 ? ` (−${plural(h.spent, 'point')})` : ''}`;
}

/** What the confirmation before showing a solution says. */
export function solutionCostText(title: string, cost: number): string {
  return `Showing the solution to “${title}” now costs this task's ${plural(cost, 'point')}: it will earn nothing, even once it passes.`;
}

export function labErrorText(message: string): string {
  return `This task's check could not run: ${message.replace(/[.\s]+$/, '')}. This is a fault in the lab, not in your work.`;
}

/** `1 hint taken (−2 points), 1 solution shown`, or empty. */
export function scoreExtraText(s: Pick<ScoreView, 'hintsTaken' | 'hintPoints' | 'solutionsShown'>): string {
  const parts: string[] = [];
  if (s.hintsTaken > 0) parts.push(`${plural(s.hintsTaken, 'hint')} taken (−${plural(s.hintPoints, 'point')})`);
  if (s.solutionsShown > 0) parts.push(`${plural(s.solutionsShown, 'solution')} shown`);
  return parts.join(', ');
}

/** Plain text with `code` spans kept as backticks, split into its runs. */
export function codeParts(text: string): { code: boolean; text: string }[] {
  return text.split('`').map((part, i) => ({ code: i % 2 === 1, text: part }));
}

/**
 * What a locked prediction still asks for: what reveals it (`how`, from the task's input), or
 * else the feedback without its "Locked in: X." opening, which the locked state already shows.
 */
export function afterLock(feedback: string, locked: string, how?: string): string {
  if (how) return `Now ${how} and see.`;
  for (const prefix of [`Locked in: ${locked}. `, `Your prediction (${locked}) is locked in; `]) {
    if (feedback.startsWith(prefix)) {
      const rest = feedback.slice(prefix.length);
      return rest.charAt(0).toUpperCase() + rest.slice(1);
    }
  }
  return feedback;
}
