#!/usr/bin/env node
/**
 * Finds a Chromium for the browser tests and prints which one.
 *
 * Order: Playwright's own Chromium when it is installed; else a system Chromium or Chrome
 * (CHROME_PATH, /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome); else
 * it tries to get one: `npx playwright install chromium` (fails offline), then, when running
 * as root on a system with apt-get, `apt-get install chromium`. With none of those it exits 1
 * saying how to get one. The chosen path is written to `test-results/.browser-path` so a test
 * runner can export it as CHROME_PATH.
 *
 * Also usable as a module: `import { ensureBrowser } from './scripts/ensure-browser.mjs'`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_FILE = resolve(ROOT, 'test-results', '.browser-path');
const SYSTEM_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

const HOW_TO = `No Chromium found for the browser tests. Get one of these:
  - Playwright's Chromium:   npx playwright install chromium
  - Debian/Ubuntu (as root): apt-get update && apt-get install -y --no-install-recommends chromium
  - Any other Chrome/Chromium: set CHROME_PATH=/path/to/chrome
Then run the tests again.`;

/** Playwright's own Chromium, if installed; null otherwise. */
async function playwrightChromium() {
  for (const mod of ['playwright-core', '@playwright/test']) {
    try {
      const { chromium } = await import(mod);
      const path = chromium.executablePath();
      if (path && existsSync(path)) return path;
    } catch {
      // Not installed, or no browser registry entry for this platform.
    }
  }
  return null;
}

function systemChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return SYSTEM_BROWSERS.find((p) => existsSync(p)) ?? null;
}

function log(quiet, msg) {
  if (!quiet) console.error(msg);
}

function tryPlaywrightInstall(quiet) {
  log(quiet, 'ensure-browser: trying `npx playwright install chromium`...');
  const r = spawnSync('npx', ['--no-install', 'playwright', 'install', 'chromium'], {
    cwd: ROOT,
    stdio: quiet ? 'ignore' : 'inherit',
    timeout: 5 * 60_000,
  });
  return r.status === 0;
}

function tryApt(quiet) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) return false;
  log(quiet, 'ensure-browser: trying `apt-get install chromium`...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update'], { stdio: quiet ? 'ignore' : 'inherit', env, timeout: 5 * 60_000 });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: quiet ? 'ignore' : 'inherit',
      env,
      timeout: 10 * 60_000,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns `{ path, source }` for a usable Chromium, installing one if needed and possible;
 * throws with instructions when there is none. Writes the path to test-results/.browser-path.
 */
export async function ensureBrowser({ quiet = false, install = true } = {}) {
  let path = await playwrightChromium();
  let source = 'playwright';
  if (!path) {
    path = systemChromium();
    source = 'system';
  }
  if (!path && install) {
    if (tryPlaywrightInstall(quiet)) {
      path = await playwrightChromium();
      source = 'playwright (just installed)';
    }
    if (!path && tryApt(quiet)) {
      path = systemChromium();
      source = 'system (just installed with apt-get)';
    }
  }
  if (!path) throw new Error(HOW_TO);
  mkdirSync(dirname(OUT_FILE), { recursive: true });
  writeFileSync(OUT_FILE, `${path}\n`);
  return { path, source };
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  try {
    const { path, source } = await ensureBrowser();
    console.log(`ensure-browser: using ${source} Chromium at ${path}`);
    console.log(`ensure-browser: export CHROME_PATH=${path}  (also written to test-results/.browser-path)`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
