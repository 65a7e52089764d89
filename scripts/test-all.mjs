// `npm test`: every check and every test, in the order a newcomer's failures are easiest to read.
//   1. type check and lint: astro check, and beside it the no-DOM core compile then eslint
//      (the two run at the same time; each one's output is printed whole when it ends)
//   2. unit tests, lab self-tests and golden transcripts (vitest)
//   3. a browser for the end-to-end tests (scripts/ensure-browser.mjs)
//   4. the site build, then the browser tests (Playwright) against it, served on a free port
// It prints how long each step took, then one summary line, `N passed, N failed`, and exits
// non-zero if anything failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';

const bin = (name) => `node_modules/.bin/${name}`;
mkdirSync('test-results', { recursive: true });
for (const f of ['unit.json', 'e2e.json']) rmSync(`test-results/${f}`, { force: true });

const times = [];
const seconds = (ms) => `${Math.round(ms / 1000)} s`;

/** Runs one step with its output on the terminal; `name` labels its time in the summary. */
function step(name, title, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${title}\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) console.error(r.error.message);
  times.push([name, Date.now() - t0]);
  return r.status === 0;
}

/** Runs a command with its output captured; resolves to { ok, output }. */
function captured(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ ok: false, output: output + e.message + '\n' }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

/** Commands run one after another, output captured; stops at the first failure. */
async function lane(commands) {
  let output = '';
  for (const [cmd, args] of commands) {
    output += `$ ${[cmd, ...args].join(' ')}\n`;
    const r = await captured(cmd, args);
    output += r.output;
    if (!r.ok) return { ok: false, output };
  }
  return { ok: true, output };
}

/** A TCP port nobody is listening on, for the site the browser tests load. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
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

// The commands of `npm run check`, in two lanes.
{
  process.stdout.write('\n=== check: astro check, core layers without the DOM, lint\n');
  const t0 = Date.now();
  const lanes = await Promise.all([lane([[bin('astro'), ['check']]]), lane([[bin('tsc'), ['-p', 'tsconfig.core.json']], [bin('eslint'), ['.']]])]);
  for (const l of lanes) process.stdout.write(l.output);
  times.push(['check', Date.now() - t0]);
  if (!lanes.every((l) => l.ok)) problems.push('npm run check');
}

const unitOk = step('unit', 'unit tests, lab self-tests, golden transcripts', bin('vitest'), ['run', '--reporter=default', '--reporter=json', '--outputFile=test-results/unit.json']);
const unit = counts('test-results/unit.json', (j) => ({ passed: j.numPassedTests ?? 0, failed: j.numFailedTests ?? 0 }));
passed += unit.passed;
failed += unit.failed;
if (!unitOk) problems.push('vitest');

let e2eOk = step('browser', 'a browser for the end-to-end tests', 'node', ['scripts/ensure-browser.mjs']);
if (!e2eOk) problems.push('no browser (see the message above)');
else {
  const chrome = existsSync('test-results/.browser-path') ? readFileSync('test-results/.browser-path', 'utf8').trim() : '';
  e2eOk = step('build', 'build the site', bin('astro'), ['build']);
  if (!e2eOk) problems.push('astro build');
  else {
    const env = { E2E_PORT: String(await freePort()), ...(chrome ? { CHROME_PATH: chrome } : {}) };
    e2eOk = step('e2e', 'browser tests', bin('playwright'), ['test'], env);
    const e2e = counts('test-results/e2e.json', (j) => ({ passed: j.stats?.expected ?? 0, failed: (j.stats?.unexpected ?? 0) + (j.stats?.flaky ?? 0) }));
    passed += e2e.passed;
    failed += e2e.failed;
    if (!e2eOk) problems.push('playwright');
  }
}

process.stdout.write(`\nTook: ${times.map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ')}\n`);
if (problems.length) process.stdout.write(`Failed: ${problems.join(', ')}\n`);
if (problems.length && failed === 0) failed = problems.length;
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(problems.length ? 1 : 0);
