import { describe, expect, it } from 'vitest';
import { afterLock, badgeText, hintCountText, labErrorText, pointsText, scoreExtraText, waitingTitles, waitsText } from './task-text';

const hints = (shown: number, total: number, spent: number) => ({ shown: Array.from({ length: shown }, (_, i) => `hint ${i}`), total, spent });

describe('the words of the lab panel', () => {
  it('says what a task is worth, before and after', () => {
    const base = { points: 10, earned: 0, hints: hints(0, 2, 0), solution: { offered: false, cost: 10 } };
    expect(pointsText({ ...base, status: 'pending' })).toBe('10 points');
    expect(pointsText({ ...base, status: 'pending', hints: hints(1, 2, 2) })).toBe('up to 8 of 10 points');
    expect(pointsText({ ...base, status: 'passed', earned: 8, hints: hints(1, 2, 2) })).toBe('8 of 10 points');
    expect(pointsText({ ...base, status: 'failed', solution: { offered: true, cost: 0, shown: { text: 'x', steps: [] } } })).toBe('0 of 10 points: solution shown');
    expect(pointsText({ ...base, points: 1, status: 'pending' })).toBe('1 point');
  });

  it('names what a locked task waits for, by title', () => {
    const all = [
      { id: 'a', title: 'Ping across nodes' },
      { id: 'b', title: 'Find a pod' },
    ];
    expect(waitsText(waitingTitles({ waitsFor: ['a'] }, all))).toBe('Opens after “Ping across nodes” passes.');
    expect(waitsText(waitingTitles({ waitsFor: ['a', 'b'] }, all))).toBe('Opens after “Ping across nodes” and “Find a pod” pass.');
    expect(waitsText(waitingTitles({ waitsFor: ['Find a pod'] }, all))).toBe('Opens after “Find a pod” passes.');
    expect(badgeText({ status: 'pending', open: false }).label).toBe('Locked');
    expect(badgeText({ status: 'passed', open: false }).label).toBe('Passed');
  });

  it('counts hints and what they cost', () => {
    expect(hintCountText(hints(0, 0, 0))).toBe('');
    expect(hintCountText(hints(0, 1, 0))).toBe('1 hint');
    expect(hintCountText(hints(1, 2, 2))).toBe('1 of 2 hints taken (−2 points)');
    expect(scoreExtraText({ hintsTaken: 1, hintPoints: 2, solutionsShown: 0 })).toBe('1 hint taken (−2 points)');
    expect(scoreExtraText({ hintsTaken: 2, hintPoints: 3, solutionsShown: 1 })).toBe('2 hints taken (−3 points), 1 solution shown');
    expect(scoreExtraText({ hintsTaken: 0, hintPoints: 0, solutionsShown: 0 })).toBe('');
  });

  it('keeps a locked prediction from saying its value twice', () => {
    expect(afterLock('Locked in: 62. Now ping pod web (10.244.1.2) from pod client and see.', '62')).toBe('Now ping pod web (10.244.1.2) from pod client and see.');
    expect(afterLock('Your prediction (no reply) is locked in; now ping 10.96.0.10 and see.', 'no reply')).toBe('Now ping 10.96.0.10 and see.');
    expect(afterLock('Something else entirely.', '62')).toBe('Something else entirely.');
    expect(afterLock('Locked in: 62. Now ping it and see.', '62', 'ping pod web (10.244.1.2) from pod client')).toBe('Now ping pod web (10.244.1.2) from pod client and see.');
  });

  it('tells a fault in the lab from the learner’s failure', () => {
    expect(labErrorText('unknown check kind frob.')).toBe("This task's check could not run: unknown check kind frob. This is a fault in the lab, not in your work.");
  });
});
