/**
 * The course as the pages render it: every lesson in `content/`, numbered and grouped by module
 * (src/ui/course.ts), with its URL and its labs (title and number of tasks, from the lab
 * catalog). Loaded once per build; a lesson no module lists fails the build there.
 */
import { getCollection, type CollectionEntry } from 'astro:content';
import { findLab } from '../labs/catalog';
import { courseOutline, progressData, type CourseModule, type LessonTasks, type Outline, type OutlineLesson } from '../ui/course';

export interface CourseLab {
  id: string;
  /** The lab's title without a leading "Lab:". */
  title: string;
  tasks: number;
}

export interface CourseLesson {
  id: string;
  order: number;
  title: string;
  summary: string;
  minutes: number;
  entry: CollectionEntry<'lessons'>;
  labs: CourseLab[];
  /** `/lessons/<id>/` with the site's base. */
  href: string;
}

export type Course = Outline<CourseLesson>;
export type CourseItem = OutlineLesson<CourseLesson>;
export type { CourseModule };

/** A neighbouring lesson as the pager links it. */
export interface PagerLesson {
  id: string;
  title: string;
  /** Its position in the course. */
  number: number;
  /** `Module 1: Packets`. */
  module: string;
  moduleId: string;
  /** Its `data-progress` value, when it has labs. */
  progress?: string | undefined;
}

const base = import.meta.env.BASE_URL.replace(/\/$/, '');

let loaded: Promise<Course> | undefined;

/** The course outline (cached for the build). */
export function loadCourse(): Promise<Course> {
  loaded ??= (async () => {
    const entries = await getCollection('lessons');
    return courseOutline(
      entries.map((entry) => ({
        id: entry.id,
        order: entry.data.order,
        title: entry.data.title,
        summary: entry.data.summary,
        minutes: entry.data.minutes,
        entry,
        href: `${base}/lessons/${entry.id}/`,
        labs: entry.data.labs.map((id) => {
          const lab = findLab(id);
          if (!lab) throw new Error(`lesson "${entry.id}" lists lab "${id}", which is not in labs/index.ts`);
          const stripped = lab.title.replace(/^lab:\s*/i, '');
          return { id, title: stripped.charAt(0).toUpperCase() + stripped.slice(1), tasks: lab.tasks.length };
        }),
      })),
    );
  })();
  return loaded;
}

/** The labs of a lesson with their task counts, as progress reads them. */
export function lessonTasks(lesson: CourseLesson): LessonTasks {
  return { labs: Object.fromEntries(lesson.labs.map((l) => [l.id, l.tasks])) };
}

/** The `data-progress` value of one lesson, or of a module's lessons. */
export function progressOf(lessons: readonly CourseLesson[]): string {
  return progressData(lessons.map(lessonTasks));
}

/** `about 45 min`, `about 1.5 hours`. */
export function duration(minutes: number): string {
  return minutes < 90 ? `about ${minutes} min` : `about ${Math.round(minutes / 30) / 2} hours`;
}

/** `1 lab, 8 tasks`, `2 labs, 14 tasks`, or empty. */
export function labsText(lesson: CourseLesson): string {
  if (lesson.labs.length === 0) return '';
  const tasks = lesson.labs.reduce((n, l) => n + l.tasks, 0);
  return `${lesson.labs.length === 1 ? '1 lab' : `${lesson.labs.length} labs`}, ${tasks} task${tasks === 1 ? '' : 's'}`;
}
