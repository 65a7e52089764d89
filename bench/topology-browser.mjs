/**
 * The topology view in a real browser: how much main-thread time a redraw after a command
 * takes, on the default cluster and on 50 nodes (bench/topology-labs.ts).
 *
 *   node bench/topology-browser.mjs [--port 4333] [--runs 10]
 *
 * Builds bench/topology-browser/ (the lab panel's Topology part on a lab session, nothing
 * else) with Vite in production mode, serves it on 127.0.0.1, opens it in headless Chromium
 * (CHROME_PATH, else /usr/bin/chromium, else Playwright's own) and, for each cluster, opens
 * the view and runs commands in the session while Chrome records a performance trace. For each
 * command it reports the main thread's busy time from the command's end until the picture is
 * up to date: every task the renderer's main thread ran in that window (the view's JavaScript,
 * style, layout, paint, garbage collection), which is what a learner's page spends. Three kinds
 * of command:
 * - one that changes nothing drawn (`kubectl get pods`): the model is asked for and found to
 *   draw the same picture, which is left as it is;
 * - one that changes what boxes say (`ip link set cni0 down`, then `up`: a bridge, its links
 *   and its node's state): the picture is redrawn from the cached layout within the next frame;
 * - one that adds a box (`kubectl run`, then `sleep` until the pod has its sandbox): the new
 *   structure is laid out by ELK in its Web Worker, off the main thread, then painted; the
 *   worker's time is reported apart (the wait until the picture was up to date).
 * The view's own performance measures (`topology:redraw`, `topology:paint`: JavaScript only)
 * are reported next to the trace's figure. Medians over --runs commands; nothing is asserted.
 */
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium } from '@playwright/test';
import { build } from 'vite';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const PORT = Number(opt('port', process.env.E2E_PORT ?? 4333));
const RUNS = Number(opt('runs', 10));

const out = mkdtempSync(join(tmpdir(), 'topology-bench-'));
await build({ root: 'bench/topology-browser', base: './', logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer((req, res) => {
  const path = join(out, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/$/, '/index.html'));
  if (!path.startsWith(out) || !existsSync(path)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
});
await new Promise((resolve) => server.listen(PORT, '127.0.0.1', resolve));

const executablePath = process.env.CHROME_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const max = (xs) => Math.max(...xs);

/** Main-thread busy time (ms) between two user-timing marks in a Chrome trace (the renderer main thread's top-level tasks), and its longest task. */
function busyBetween(trace, from, to) {
  const events = trace.traceEvents;
  const mark = (name) => events.find((e) => e.name === name && (e.ph === 'R' || e.ph === 'I' || e.ph === 'n' || e.ph === 'b'));
  const a = mark(from);
  const b = mark(to);
  if (!a || !b) throw new Error(`marks ${from} / ${to} not in the trace`);
  const tid = a.tid;
  const pid = a.pid;
  // Chrome records each task as ThreadControllerImpl::RunTask with a RunTask inside it (older ones: RunTask only): count one.
  const task = events.some((e) => e.name === 'ThreadControllerImpl::RunTask' && e.pid === pid && e.tid === tid) ? 'ThreadControllerImpl::RunTask' : 'RunTask';
  let busy = 0;
  let longest = 0;
  for (const e of events) {
    if (e.pid !== pid || e.tid !== tid || e.ph !== 'X' || e.name !== task) continue;
    const start = Math.max(e.ts, a.ts);
    const end = Math.min(e.ts + (e.dur ?? 0), b.ts);
    if (end > start) {
      busy += end - start;
      longest = Math.max(longest, end - start);
    }
  }
  return { busy: busy / 1000, longest: longest / 1000 };
}

/** Runs `line`, then waits until the view has caught up (`done` says when), in a trace; the main thread's busy time in between. */
async function measured(line, done) {
  const before = await page.evaluate(() => window.bench.measures().length);
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'] });
  await page.evaluate((l) => window.bench.run(l).then(() => performance.mark('bench:command-done')), line);
  const t0 = Date.now();
  await page.waitForFunction(done, before, { polling: 20 });
  // One more frame, so the picture's own style, layout and paint are in the window.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.mark('bench:drawn')), 0))));
  const wall = Date.now() - t0;
  const trace = JSON.parse((await browser.stopTracing()).toString());
  if (process.env.TOPOLOGY_TRACE) (await import('node:fs')).writeFileSync(process.env.TOPOLOGY_TRACE, JSON.stringify(trace));
  const measures = (await page.evaluate(() => window.bench.measures())).slice(before);
  return { ...busyBetween(trace, 'bench:command-done', 'bench:drawn'), wall, js: measures.reduce((n, m) => n + m.duration, 0), measures };
}

const redrawn = (before) => window.bench.measures().slice(before).some((m) => m.name === 'topology:redraw');
const results = [];
for (const nodes of [3, 50]) {
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.waitForSelector('body[data-ready]');
  await page.evaluate((n) => window.bench.open(n), nodes);
  await page.waitForFunction(() => document.querySelectorAll('.topo-item').length > 0, null, { timeout: 120_000 });
  const unchanged = [];
  for (let i = 0; i < RUNS; i++) unchanged.push(await measured('kubectl get pods -o wide', redrawn));
  await page.evaluate(() => window.bench.run('ssh node-1'));
  const same = [];
  for (let i = 0; i < RUNS; i++) same.push(await measured(`ip link set cni0 ${i % 2 ? 'up' : 'down'}`, redrawn));
  await page.evaluate(() => window.bench.run('ip link set cni0 up').then(() => window.bench.run('exit')));
  const added = [];
  for (let i = 0; i < Math.max(3, Math.floor(RUNS / 3)); i++) {
    // A pod created: a Pending box (a new structure), then its sandbox made: an address and a veth (another).
    added.push(await measured(`kubectl run extra-${i} --image=nginx`, (before) => window.bench.measures().slice(before).some((m) => m.name === 'topology:paint')));
    added.push(await measured('sleep 5', (before) => window.bench.measures().slice(before).some((m) => m.name === 'topology:paint')));
  }
  results.push({ nodes, items: await page.evaluate(() => document.querySelectorAll('.topo-item').length), unchanged, same, added });
}
await browser.close();
server.close();
rmSync(out, { recursive: true, force: true });

const ms = (v) => `${v.toFixed(1).padStart(6)} ms`;
const line = (what, xs, target) =>
  `  ${what.padEnd(58)} main thread ${ms(median(xs.map((x) => x.busy)))} (max ${ms(max(xs.map((x) => x.busy)))}), longest task ${ms(median(xs.map((x) => x.longest)))}, the view's JavaScript ${ms(median(xs.map((x) => x.js)))}${target ? `; target ${target} ms` : ''}`;
console.log(`topology view in Chromium: medians of ${RUNS} commands each; main-thread busy time from the command's end until the picture is up to date\n`);
for (const r of results) {
  const target = r.nodes === 3 ? 16 : 100;
  console.log(`${r.nodes === 3 ? 'default cluster (3 nodes)' : '50 nodes, 100 web pods'}: ${r.items} boxes`);
  console.log(line('a command that changes nothing drawn (kubectl get pods)', r.unchanged, target));
  console.log(line('a command that changes what boxes say (a bridge down, up)', r.same, target));
  console.log(`${line('a command that adds a box (kubectl run, then its sandbox)', r.added)}; drawn after ${ms(median(r.added.map((x) => x.wall)))} (ELK in its worker)`);
}
