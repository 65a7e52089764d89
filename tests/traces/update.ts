/**
 * Rewrites the golden traces (tests/traces/*.txt) from their definitions in definitions.ts.
 *
 * Run `npx tsx tests/traces/update.ts` (optionally with trace names, e.g. `pod-dns-lookup`),
 * then READ every changed file before committing it: a golden trace approves what the
 * simulator does, so check each hop against docs/reference/fidelity.md first.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFINITIONS } from './definitions';

export const TRACES_DIR = dirname(fileURLToPath(import.meta.url));

export function traceFile(name: string): string {
  return join(TRACES_DIR, `${name}.txt`);
}

function main(): void {
  const wanted = process.argv.slice(2).map((a) => a.replace(/^.*\//, '').replace(/\.txt$/, ''));
  const unknown = wanted.filter((w) => !DEFINITIONS.some((d) => d.name === w));
  if (unknown.length > 0) throw new Error(`no trace definition named ${unknown.join(', ')}`);
  for (const def of DEFINITIONS) {
    if (wanted.length > 0 && !wanted.includes(def.name)) continue;
    const file = traceFile(def.name);
    const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const after = def.render();
    if (after === before) process.stdout.write(`unchanged ${def.name}.txt\n`);
    else {
      writeFileSync(file, after);
      process.stdout.write(`${before === undefined ? 'created' : 'updated'}   ${def.name}.txt (review it)\n`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main();
  } catch (e: unknown) {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
