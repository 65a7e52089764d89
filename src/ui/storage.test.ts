import { beforeEach, describe, expect, it } from 'vitest';
import {
  PROGRESS_KEY,
  clearLab,
  isLessonComplete,
  labKey,
  loadLab,
  loadProgress,
  loadTheme,
  recordLabProgress,
  saveLab,
  saveTheme,
} from './storage';

class MemoryStorage {
  data = new Map<string, string>();
  full = false;
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.full) throw new DOMException('quota', 'QuotaExceededError');
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

let storage: MemoryStorage;
const events: Event[] = [];

beforeEach(() => {
  storage = new MemoryStorage();
  events.length = 0;
  (globalThis as { window?: unknown }).window = {
    localStorage: storage,
    dispatchEvent: (e: Event) => events.push(e),
  };
});

const snap = (labId = 'three-pools') => ({ format: 1, labId, seed: 42, sim: {} });

describe('lab snapshots', () => {
  it('round-trips under a versioned, prefixed key', () => {
    expect(saveLab('three-pools', snap(), 1000)).toBe(true);
    expect([...storage.data.keys()]).toEqual(['k8slabs:v1:lab:three-pools']);
    expect(loadLab('three-pools')).toEqual({ kind: 'ok', snapshot: snap(), savedAt: 1000 });
    clearLab('three-pools');
    expect(loadLab('three-pools')).toEqual({ kind: 'none' });
  });

  it.each([
    ['not JSON', '{oops'],
    ['no snapshot', '{"savedAt": 1}'],
    ['an array', '[1,2]'],
    ['another lab', JSON.stringify({ savedAt: 1, snapshot: snap('other') })],
    ['no format', JSON.stringify({ savedAt: 1, snapshot: { labId: 'three-pools', seed: 1 } })],
  ])('reports and removes a record that is %s', (_what, raw) => {
    storage.data.set(labKey('three-pools'), raw);
    const r = loadLab('three-pools');
    expect(r.kind).toBe('corrupt');
    expect(storage.data.has(labKey('three-pools'))).toBe(false);
  });

  it('says so when the browser refuses to store', () => {
    storage.full = true;
    expect(saveLab('three-pools', snap())).toBe(false);
  });

  it('survives storage that throws on access', () => {
    Object.defineProperty(globalThis, 'window', {
      configurable: true,
      writable: true,
      value: {
        get localStorage(): Storage {
          throw new DOMException('denied', 'SecurityError');
        },
        dispatchEvent: () => true,
      },
    });
    expect(loadLab('three-pools')).toEqual({ kind: 'none' });
    expect(saveLab('three-pools', snap())).toBe(false);
    expect(loadProgress()).toEqual({ labs: {}, lessons: {} });
    expect(loadTheme()).toBeNull();
  });
});

describe('progress', () => {
  it('marks a lesson complete when all its labs are', () => {
    const lessons = [{ slug: 'three-pools', labs: ['three-pools'] }];
    recordLabProgress('three-pools', { passed: 2, total: 5, complete: false }, lessons);
    expect(loadProgress().lessons['three-pools']).toEqual({ complete: false });
    recordLabProgress('three-pools', { passed: 5, total: 5, complete: true }, lessons);
    const p = loadProgress();
    expect(p.lessons['three-pools']).toEqual({ complete: true });
    expect(isLessonComplete(p, ['three-pools'])).toBe(true);
    expect(isLessonComplete(p, ['three-pools', 'other'])).toBe(false);
    expect(isLessonComplete(p, [])).toBe(false);
    expect(events.length).toBe(2);
  });

  it('treats an unreadable progress record as no progress', () => {
    storage.data.set(PROGRESS_KEY, 'garbage');
    expect(loadProgress()).toEqual({ labs: {}, lessons: {} });
    storage.data.set(PROGRESS_KEY, JSON.stringify({ labs: { a: { passed: 'x' } }, lessons: [] }));
    expect(loadProgress()).toEqual({ labs: {}, lessons: {} });
  });
});

describe('theme', () => {
  it('stores only light or dark', () => {
    expect(loadTheme()).toBeNull();
    saveTheme('dark');
    expect(loadTheme()).toBe('dark');
    storage.data.set('k8slabs:v1:theme', 'purple');
    expect(loadTheme()).toBeNull();
  });
});
