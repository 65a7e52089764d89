/**
 * Stands in for prettier in the YAML worker's bundle (astro.config.mjs aliases prettier's
 * standalone build and its YAML and estree plugins to this module).
 *
 * Design notes: monaco-yaml's worker imports prettier for its formatter, about two thirds of
 * the worker's size; the editor configures monaco-yaml with formatting off, so the formatter
 * never runs and prettier is never needed. Should it be called, it fails like a formatter
 * error, which monaco-yaml reports and ignores.
 */
export function format(): Promise<string> {
  return Promise.reject(new Error('formatting is off in this editor'));
}
