/**
 * End-to-end tests: the built site (`astro build` first) served by `astro preview`, driven in
 * Chromium. The browser is Playwright's own Chromium when installed, else a system one:
 * `scripts/ensure-browser.mjs` finds it and records it in test-results/.browser-path (or the
 * caller sets CHROME_PATH). The site is served on port 4321, or E2E_PORT (`npm test` picks a
 * free one, so it never tests a server someone else left running).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig, devices } from '@playwright/test';

/** CHROME_PATH, else what ensure-browser chose, else Debian's Chromium, else Playwright's own. */
function browserPath(): string | undefined {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  try {
    const chosen = readFileSync('test-results/.browser-path', 'utf8').trim();
    if (chosen && existsSync(chosen)) return chosen;
  } catch {
    // ensure-browser has not run; fall through.
  }
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

const PORT = Number(process.env.E2E_PORT ?? 4321);
const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/artifacts',
  fullyParallel: false,
  // One browser per core keeps the cores busy (the pages' work is CPU-bound), and one more uses
  // the time a page waits on the sandbox's clock (a lab's `sleep 40` is 40 real seconds there):
  // on two cores, 623 s for the suite against 670 s with two browsers.
  workers: availableParallelism() + 1,
  retries: 0,
  // Tests wait on conditions (data-ready, the prompt coming back), not for fixed times. These
  // limits only end a wait whose condition never comes: a busy machine must not fail a slow test.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: BASE_URL,
    // A failed test keeps its trace: every action with its call log, the console and the
    // network, plus a screenshot of the page as it failed. No copies of the DOM around each
    // action and no screencast: the first costs about a fifth of the CPU the keyboard tests
    // take (measured on three labs: 25 against 32 CPU seconds), the second doubles it.
    // `--trace on` on the command line records everything for one run.
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: false },
    screenshot: 'only-on-failure',
    // Readers who ask for less motion get no blinking cursor and no transitions; the pages
    // then paint only when something changes (terminal.spec checks the blinking one).
    reducedMotion: 'reduce',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: browserPath(),
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: `node_modules/.bin/astro preview --host 127.0.0.1 --port ${PORT}`,
    url: BASE_URL,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
