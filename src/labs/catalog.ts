/**
 * The labs that exist, and what a lab panel shows before any script runs.
 *
 * Design notes: lesson pages render each lab's panel at build time from a session built
 * with the lab's default seed and a virtual clock, so the static text is exactly what the
 * live session shows for that seed; the live panel then re-renders from the learner's own
 * session.
 */
import { LABS, findLab } from '../../labs/index';
import { VirtualClock } from '../sim/clock';
import type { TaskView } from './contract';
import { LabSession } from './session';

export { findLab };

/** A fixed moment used wherever a session needs a start time that is not the wall clock. */
export const REFERENCE_TIME = Date.UTC(2025, 2, 14, 9, 30, 0);

export interface LabInfo {
  id: string;
  title: string;
  summary: string;
  defaultSeed: number;
  tasks: TaskView[];
  totalPoints: number;
}

export function getLab(id: string): LabInfo | undefined {
  const lab = findLab(id);
  if (!lab) return undefined;
  const session = LabSession.create({ labId: id, seed: lab.defaultSeed, scheduler: new VirtualClock(REFERENCE_TIME) });
  return {
    id: lab.id,
    title: lab.title,
    summary: lab.summary,
    defaultSeed: lab.defaultSeed,
    tasks: session.tasks(),
    totalPoints: lab.tasks.reduce((n, t) => n + t.points, 0),
  };
}

export function listLabs(): LabInfo[] {
  return LABS.map((l) => getLab(l.id)!);
}
