// `npm test`: every check and every test, in the order a newcomer's failures are easiest to read.
//   1. type check and lint (npm run check: astro check, the no-DOM core compile, eslint)
//   2. unit tests, lab self-tests and golden transcripts (vitest)
//   3. a browser for the end-to-end tests (scripts/ensure-browser.mjs)
//   4. the site build, then the browser tests (Playwright)
// It ends with one summary line, `N passed, N failed`, and exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
mkdirSync('test-results', { recursive: true });

function step(title, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${title}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) console.error(r.error.message);
  return r.status === 0;
}

function counts(file, pick) {
  try {
    return pick(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { passed: 0, failed: 0 };
  }
}

let passed = 0;
let failed = 0;
const problems = [];

if (!step('check: astro check, core layers without the DOM, lint', 'npm', ['run', '-s', 'check'])) problems.push('npm run check');

const unitOk = step('unit tests, lab self-tests, golden transcripts', bin('vitest'), ['run', '--reporter=default', '--reporter=json', '--outputFile=test-results/unit.json']);
const unit = counts('test-results/unit.json', (j) => ({ passed: j.numPassedTests ?? 0, failed: j.numFailedTests ?? 0 }));
passed += unit.passed;
failed += unit.failed;
if (!unitOk) problems.push('vitest');

let e2eOk = step('a browser for the end-to-end tests', 'node', ['scripts/ensure-browser.mjs']);
if (!e2eOk) problems.push('no browser (see the message above)');
else {
  const chrome = existsSync('test-results/.browser-path') ? readFileSync('test-results/.browser-path', 'utf8').trim() : '';
  e2eOk = step('build the site', bin('astro'), ['build']);
  if (!e2eOk) problems.push('astro build');
  else {
    e2eOk = step('browser tests', bin('playwright'), ['test'], chrome ? { CHROME_PATH: chrome } : {});
    const e2e = counts('test-results/e2e.json', (j) => ({ passed: j.stats?.expected ?? 0, failed: (j.stats?.unexpected ?? 0) + (j.stats?.flaky ?? 0) }));
    passed += e2e.passed;
    failed += e2e.failed;
    if (!e2eOk) problems.push('playwright');
  }
}

process.stdout.write('\n');
if (problems.length) process.stdout.write(`Failed: ${problems.join(', ')}\n`);
if (problems.length && failed === 0) failed = problems.length;
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(problems.length ? 1 : 0);
