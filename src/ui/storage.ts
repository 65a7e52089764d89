/**
 * What the site keeps in the learner's browser.
 *
 * Design notes: every key starts with `k8slabs:v1:` so records from another site on the same
 * origin never collide, and a future format can move to `v2` and migrate or ignore `v1`.
 * Reading never throws: storage can be missing (private windows, blocked cookies), full, or
 * hold something we did not write. A record that cannot be read is reported to the caller
 * (who shows a notice) and removed, so the same error does not come back on every load.
 *
 * Keys:
 * - `k8slabs:v1:lab:<labId>`: `{ savedAt, snapshot }`, the lab session's snapshot.
 * - `k8slabs:v1:progress`: `{ labs: { <labId>: { passed, total, complete } }, lessons: { <slug>: { complete } } }`.
 * - `k8slabs:v1:theme`: `light` or `dark` (absent: follow the system).
 */
import type { SessionSnapshot } from '../labs/contract';

export const PREFIX = 'k8slabs:v1:';
export const THEME_KEY = `${PREFIX}theme`;
export const PROGRESS_KEY = `${PREFIX}progress`;
export const labKey = (labId: string): string => `${PREFIX}lab:${labId}`;

/** Fired on `window` whenever progress changes in this tab. */
export const PROGRESS_EVENT = 'k8slabs:progress';

function store(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function getRaw(key: string): string | null {
  try {
    return store()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Writes a value; returns false when the browser refused (full, disabled). */
function setRaw(key: string, value: string): boolean {
  try {
    const s = store();
    if (!s) return false;
    s.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

function remove(key: string): void {
  try {
    store()?.removeItem(key);
  } catch {
    // Nothing we can do; the record stays unreadable and is ignored again next time.
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Lab snapshots

export type LoadedLab =
  | { kind: 'none' }
  | { kind: 'ok'; snapshot: SessionSnapshot; savedAt: number }
  | { kind: 'corrupt'; reason: string };

interface LabRecord {
  savedAt: number;
  snapshot: SessionSnapshot;
}

/** Reads a lab's saved snapshot. A record that is not a snapshot of this lab is removed. */
export function loadLab(labId: string): LoadedLab {
  const raw = getRaw(labKey(labId));
  if (raw === null) return { kind: 'none' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    remove(labKey(labId));
    return { kind: 'corrupt', reason: 'the saved record is not valid JSON' };
  }
  if (!isRecord(parsed) || !isRecord(parsed.snapshot)) {
    remove(labKey(labId));
    return { kind: 'corrupt', reason: 'the saved record has an unknown shape' };
  }
  const snap = parsed.snapshot;
  if (typeof snap.format !== 'number' || typeof snap.seed !== 'number' || snap.labId !== labId) {
    remove(labKey(labId));
    return { kind: 'corrupt', reason: 'the saved record is not a snapshot of this lab' };
  }
  const savedAt = typeof parsed.savedAt === 'number' ? parsed.savedAt : 0;
  return { kind: 'ok', snapshot: snap as SessionSnapshot, savedAt };
}

/** Saves a lab's snapshot; returns false when the browser refused to store it. */
export function saveLab(labId: string, snapshot: SessionSnapshot, now: number = Date.now()): boolean {
  const record: LabRecord = { savedAt: now, snapshot };
  let text: string;
  try {
    text = JSON.stringify(record);
  } catch {
    return false;
  }
  return setRaw(labKey(labId), text);
}

export function clearLab(labId: string): void {
  remove(labKey(labId));
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface LabProgress {
  passed: number;
  total: number;
  complete: boolean;
}

export interface Progress {
  labs: Record<string, LabProgress>;
  lessons: Record<string, { complete: boolean }>;
}

function emptyProgress(): Progress {
  return { labs: {}, lessons: {} };
}

/** Reads progress; an unreadable record counts as no progress (and is replaced on next write). */
export function loadProgress(): Progress {
  const raw = getRaw(PROGRESS_KEY);
  if (raw === null) return emptyProgress();
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!isRecord(parsed)) return emptyProgress();
    const out = emptyProgress();
    if (isRecord(parsed.labs)) {
      for (const [id, v] of Object.entries(parsed.labs)) {
        if (isRecord(v) && typeof v.passed === 'number' && typeof v.total === 'number') {
          out.labs[id] = { passed: v.passed, total: v.total, complete: v.complete === true };
        }
      }
    }
    if (isRecord(parsed.lessons)) {
      for (const [slug, v] of Object.entries(parsed.lessons)) {
        if (isRecord(v)) out.lessons[slug] = { complete: v.complete === true };
      }
    }
    return out;
  } catch {
    return emptyProgress();
  }
}

function saveProgress(p: Progress): void {
  setRaw(PROGRESS_KEY, JSON.stringify(p));
  try {
    window.dispatchEvent(new CustomEvent(PROGRESS_EVENT, { detail: p }));
  } catch {
    // No window (never in the browser); progress is still stored.
  }
}

/** Records a lab's score; lessons whose labs are now all complete are marked complete. */
export function recordLabProgress(
  labId: string,
  lab: LabProgress,
  lessons: ReadonlyArray<{ slug: string; labs: readonly string[] }> = [],
): Progress {
  const p = loadProgress();
  const before = p.labs[labId];
  if (
    before &&
    before.passed === lab.passed &&
    before.total === lab.total &&
    before.complete === lab.complete
  ) {
    return p;
  }
  p.labs[labId] = lab;
  for (const lesson of lessons) {
    p.lessons[lesson.slug] = { complete: isLessonComplete(p, lesson.labs) };
  }
  saveProgress(p);
  return p;
}

/** Forgets a lab's progress (after Reset). */
export function forgetLabProgress(
  labId: string,
  lessons: ReadonlyArray<{ slug: string; labs: readonly string[] }> = [],
): void {
  const p = loadProgress();
  delete p.labs[labId];
  for (const lesson of lessons) {
    p.lessons[lesson.slug] = { complete: isLessonComplete(p, lesson.labs) };
  }
  saveProgress(p);
}

/** A lesson is complete when it has labs and every one of them is complete. */
export function isLessonComplete(p: Progress, labs: readonly string[]): boolean {
  return labs.length > 0 && labs.every((id) => p.labs[id]?.complete === true);
}

// ---------------------------------------------------------------------------------------------
// Theme

export type Theme = 'light' | 'dark';

export function loadTheme(): Theme | null {
  const raw = getRaw(THEME_KEY);
  return raw === 'light' || raw === 'dark' ? raw : null;
}

export function saveTheme(theme: Theme): void {
  setRaw(THEME_KEY, theme);
}
