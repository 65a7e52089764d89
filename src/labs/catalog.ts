/**
 * The labs that exist, how a session of one is started or restored, and what a lab panel
 * shows before any script runs.
 *
 * Design notes: lesson labs are listed in labs/index.ts; every named topology of the sandbox
 * is also a task-free playground lab, `playground-<topology>` (what `npm run shell --
 * --cluster NAME` opens). Lesson pages render each lab's panel at build time from a session
 * built with the lab's default seed and a virtual clock, so the static text is exactly what
 * the live session shows for that seed; the live panel then re-renders from the learner's
 * own session.
 */
import { LABS } from '../../labs/index';
import { VirtualClock, type Scheduler } from '../sim/clock';
import { TOPOLOGIES } from '../sim/topologies';
import type { TaskView } from './contract';
import { defineLab, type LabDefinition } from './schema';
import { LabSession, SnapshotError } from './session';

/** A fixed moment used wherever a session needs a start time that is not the wall clock. */
export const REFERENCE_TIME = Date.UTC(2025, 2, 14, 9, 30, 0);

const PLAYGROUND = 'playground-';

const playgrounds = new Map<string, LabDefinition>();

/** The task-free lab of a named topology. */
export function playgroundLab(topology: string): LabDefinition {
  const topo = TOPOLOGIES[topology];
  if (!topo) throw new Error(`no topology "${topology}"; topologies: ${Object.keys(TOPOLOGIES).join(', ')}`);
  let lab = playgrounds.get(topology);
  if (!lab) {
    lab = defineLab({ id: `${PLAYGROUND}${topology}`, title: `Sandbox: ${topology}`, summary: topo.description, topology: { name: 'preset', preset: topology } });
    playgrounds.set(topology, lab);
  }
  return lab;
}

/** A lesson lab or a playground, by id. */
export function findLab(id: string): LabDefinition | undefined {
  const lab = LABS.find((l) => l.id === id);
  if (lab) return lab;
  if (id.startsWith(PLAYGROUND) && TOPOLOGIES[id.slice(PLAYGROUND.length)]) return playgroundLab(id.slice(PLAYGROUND.length));
  return undefined;
}

export function requireLab(id: string): LabDefinition {
  const lab = findLab(id);
  if (!lab) throw new Error(`no lab with id "${id}"`);
  return lab;
}

/** A new session of the lab with this id. */
export function createLabSession(opts: { labId: string; seed: number; scheduler: Scheduler }): Promise<LabSession> {
  return LabSession.create({ lab: requireLab(opts.labId), seed: opts.seed, scheduler: opts.scheduler });
}

/** A free sandbox on a named topology: the same shell and model, with no tasks to grade. */
export function createPlayground(opts: { topology: string; seed: number; scheduler: Scheduler }): Promise<LabSession> {
  return LabSession.create({ lab: playgroundLab(opts.topology), seed: opts.seed, scheduler: opts.scheduler });
}

/** Resumes a saved session; a snapshot of a lab that no longer exists is a SnapshotError. */
export function restoreLabSession(snapshot: unknown, scheduler: Scheduler): LabSession {
  const id = snapshot && typeof snapshot === 'object' ? String((snapshot as { labId?: unknown }).labId) : '';
  const lab = findLab(id);
  if (!lab) throw new SnapshotError(`the saved lab ${id} no longer exists`);
  return LabSession.restore(snapshot, scheduler, lab);
}

export interface LabInfo {
  id: string;
  title: string;
  summary: string;
  defaultSeed: number;
  tasks: TaskView[];
  totalPoints: number;
}

const infos = new Map<string, Promise<LabInfo>>();

/** The lab as its static panel shows it (default seed, nothing done yet). */
export function getLab(id: string): Promise<LabInfo> | undefined {
  const lab = findLab(id);
  if (!lab) return undefined;
  let info = infos.get(id);
  if (!info) {
    info = LabSession.create({ lab, seed: lab.defaultSeed, scheduler: new VirtualClock(REFERENCE_TIME) }).then((session) => ({
      id: lab.id,
      title: lab.title,
      summary: lab.summary,
      defaultSeed: lab.defaultSeed,
      tasks: session.tasks(),
      totalPoints: lab.tasks.reduce((n, t) => n + t.points, 0),
    }));
    infos.set(id, info);
  }
  return info;
}

export function listLabs(): Promise<LabInfo[]> {
  return Promise.all(LABS.map((l) => getLab(l.id)!));
}

export { LABS };
