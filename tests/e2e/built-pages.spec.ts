/**
 * Every page the build wrote: no component source (`<Fact`, `<Try`, `<Lab`) and no unfilled
 * `{{binding.field}}` reaches a reader as text. Components inside backticks, or a placeholder a
 * lab forgot to fill, would show here. Reads the built files in dist/ (the site these tests
 * serve) as text, with tags and scripts removed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

function pages(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? pages(p) : p.endsWith('.html') ? [p] : [];
  });
}

/** What a reader sees of a page: its text, without markup, scripts and styles. */
function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, '')
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#123;/g, '{')
    .replace(/&#125;/g, '}')
    .replace(/&amp;/g, '&');
}

test('no built page shows component source or an unfilled placeholder', () => {
  const files = pages('dist');
  expect(files.length).toBeGreaterThan(2);
  const found: string[] = [];
  for (const f of files) {
    const text = visibleText(readFileSync(f, 'utf8'));
    for (const m of text.matchAll(/<(Fact|Try|Lab|PoolsFigure|RoutedFigure|HeaderExplorer)\b[^>]*>?|\{\{[^}]*\}\}/g)) found.push(`${f}: ${m[0]}`);
  }
  expect(found).toEqual([]);
});
