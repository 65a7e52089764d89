/**
 * Content collections.
 *
 * Lessons live in the top-level `content/` folder (not `src/content/`) so writers can work
 * on prose without touching the code tree. Every lesson is an `.md` or `.mdx` file; its
 * entry id (the file path without the extension) becomes the URL: `/lessons/<id>/`.
 */
import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

const lessons = defineCollection({
  loader: glob({ pattern: '**/*.{md,mdx}', base: './content' }),
  schema: z.object({
    /** The lesson's title, shown as its heading, in the sidebar and in the page title. */
    title: z.string().min(1),
    /** One or two sentences saying what the lesson is about; shown on the home page and as the meta description. */
    summary: z.string().min(1),
    /**
     * Position in the course, 1 first. Lessons are listed, numbered and linked (previous/next)
     * in this order, grouped under the module src/ui/course.ts lists their slug in (a lesson no
     * module lists fails the build).
     */
    order: z.number().int().positive(),
    /** What the learner will be able to do afterwards; at least one. Shown in the objectives box. */
    objectives: z.array(z.string().min(1)).nonempty(),
    /** Estimated minutes to read the lesson and finish its labs. */
    minutes: z.number().int().positive(),
    /**
     * Ids of the labs the lesson embeds with `<Lab id="..." />`. The lesson counts as complete
     * once every task of every lab listed here has passed.
     */
    labs: z.array(z.string().min(1)).default([]),
  }),
});

export const collections = { lessons };
