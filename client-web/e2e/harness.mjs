// The browser tests' world: a real pingyi-server on a free port with a fresh data directory, and
// one headless Chromium (Debian's, never a downloaded one) per test file, with a separate context
// per person so that every tablet has its own IndexedDB. Everything here is bounded in time and
// cleaned up on success, on failure and when the process is killed by a timeout.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const clientDir = path.resolve(here, '..');
export const repoDir = path.resolve(clientDir, '..');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The screen sizes screenshots are taken at (tablet and projector for every page). */
export const SIZES = {
  tablet: { width: 800, height: 1280 },
  projector: { width: 1920, height: 1080 },
  projector720: { width: 1280, height: 720 }, // a smaller hall's projector, for the projector page
};

/** Default waits: generous for a 2-core machine shared with builds, but always finite. */
export const STEP_TIMEOUT = 30_000;

export function serverBinary() {
  return process.env.PINGYI_SERVER ?? path.join(repoDir, 'build/release/server/app/pingyi-server');
}

export function verifierBinary() {
  return process.env.PINGYI_VERIFY ?? path.join(repoDir, 'build/release/server/tools/pingyi-verify');
}

export function staticDir() {
  return process.env.PINGYI_STATIC_DIR ?? path.join(clientDir, 'dist');
}

export function artifactsDir() {
  const dir = process.env.PINGYI_E2E_ARTIFACTS ?? path.join(clientDir, 'test-results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Children and directories to remove however the process ends: a test that times out or throws
// must not leave a server running or a data directory (holding an admin token) behind.
const liveChildren = new Set();
const liveDirs = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => process.exit(130));
}

/** A pingyi-server process on 127.0.0.1, port chosen by the kernel. */
export class Server {
  constructor(child, dataDir, url, adminToken) {
    this.child = child;
    this.dataDir = dataDir;
    this.url = url;
    this.adminToken = adminToken;
    this.log = [];
  }

  /** SIGTERM, then SIGKILL after 5 s; the data directory is deleted either way. */
  async stop() {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    liveChildren.delete(child);
    rmSync(this.dataDir, { recursive: true, force: true });
    liveDirs.delete(this.dataDir);
  }

  /** The server's stderr (spdlog: no credential is ever logged there), for a failure report. */
  saveLog(name) {
    const file = path.join(artifactsDir(), `${name}-server.log`);
    writeFileSync(file, this.log.join(''));
    return file;
  }

  async get(pathname) {
    const response = await fetch(this.url + pathname, { signal: AbortSignal.timeout(STEP_TIMEOUT) });
    if (!response.ok) throw new Error(`GET ${pathname}: HTTP ${response.status}`);
    return response;
  }

  /** The session's chain, each line exactly as hashed. */
  async chain(session) {
    const text = await (await this.get(`/api/sessions/${session}/chain`)).text();
    if (text !== '' && !text.endsWith('\n')) throw new Error('the chain export does not end with a newline');
    return text === '' ? [] : text.slice(0, -1).split('\n');
  }

  async adminPost(pathname, body) {
    const response = await fetch(this.url + pathname, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.adminToken}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(STEP_TIMEOUT),
    });
    const reply = await response.json();
    if (!reply.ok) throw new Error(`POST ${pathname}: ${reply.error?.code} ${reply.error?.message}`);
    return reply;
  }
}

/** Starts pingyi-server with a fresh data directory and the built web client. */
export async function startServer({ binary = serverBinary(), staticRoot = staticDir() } = {}) {
  if (!existsSync(binary)) throw new Error(`no pingyi-server at ${binary} (set PINGYI_SERVER)`);
  if (!existsSync(path.join(staticRoot, 'index.html'))) {
    throw new Error(`no built web client at ${staticRoot} (set PINGYI_STATIC_DIR, or run vite build)`);
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pingyi-e2e-'));
  liveDirs.add(dataDir);
  const child = spawn(
    binary,
    ['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--static-dir', staticRoot, '--log-level', 'info'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  liveChildren.add(child);
  const log = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => log.push(chunk));
  // stdout carries the admin token once: it is read for the listening line only, never kept.
  const url = await new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('pingyi-server did not say where it listens within 10 s')), 10_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        buffered = '';
        resolve(m[1]);
      } else if (buffered.length > 4096) {
        buffered = buffered.slice(-256);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`pingyi-server exited at start (${code ?? signal}): ${log.join('').slice(-2000)}`));
    });
  });
  child.stdout.resume();
  const adminToken = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(adminToken)) throw new Error('the admin token file does not hold 64 hex digits');
  const server = new Server(child, dataDir, url, adminToken);
  server.log = log;
  return server;
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: STEP_TIMEOUT });
}

/** One person at one device: a browser context of their own (own storage), one page. Uncaught
 *  page errors are collected: a page that throws is a bug even when the test goes on. */
export async function newPerson(browser, name, viewport = SIZES.tablet) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', acceptDownloads: true });
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  const person = { name, context, page, errors: [] };
  page.on('pageerror', (err) => person.errors.push(`${name}: ${err.message}`));
  return person;
}

/** Polls `probe` until it returns a truthy value; throws naming `what` after `timeout` ms. */
export async function waitUntil(probe, what, timeout = STEP_TIMEOUT, interval = 200) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export const byTestId = (id) => `[data-testid="${id}"]`;

/** Presses the confirm button of the modal confirmDialog (src/ui/dom.ts) that an action opened. */
export async function confirmModal(page) {
  const button = page.locator('dialog[open] [data-action="confirm"]');
  await button.waitFor({ state: 'visible' });
  await button.click();
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
}

/** Clicks the button with test id `id` once it is enabled, then confirms the modal it opens. */
export async function clickAndConfirm(page, id) {
  const button = page.locator(byTestId(id));
  await waitUntil(() => button.isEnabled(), `${id} to be enabled`);
  await button.click();
  await confirmModal(page);
}

/** Clicks `button`, then, if the page asks through confirmDialog, confirms; resolves once `done`
 *  (a locator for what the action brings) is visible. For actions whose confirmation step is
 *  the page's choice (a ballot's 确认提交 after its review, creating a session). */
export async function clickThenMaybeConfirm(page, button, done) {
  await button.click();
  const dialog = page.locator('dialog[open] [data-action="confirm"]');
  await waitUntil(async () => (await done.isVisible()) || (await dialog.isVisible()), 'the result of the action or its confirmation');
  if (await dialog.isVisible()) await confirmModal(page);
  await done.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
}

/** Screenshots a page at both sizes as <page>-<state>-<size>.png and puts its viewport back. */
export async function screenshot(page, pageName, state, sizes = ['tablet', 'projector']) {
  const original = page.viewportSize();
  const files = [];
  for (const size of sizes) {
    await page.setViewportSize(SIZES[size]);
    // Two frames, so that layout and any resize-driven rendering have settled.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const file = path.join(artifactsDir(), `${pageName}-${state}-${size}.png`);
    await page.screenshot({ path: file, fullPage: true, timeout: STEP_TIMEOUT });
    files.push(file);
  }
  if (original) await page.setViewportSize(original);
  return files;
}

/** A screenshot for a failure report, never throwing (the failure itself is what matters). */
export async function failureShot(page, name) {
  const file = path.join(artifactsDir(), `failure-${name}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
    return file;
  } catch {
    return null;
  }
}

/** A hard stop for a whole test file: if the run is still going after `ms`, kill everything and
 *  exit non-zero, so that no CI job ever hangs on a stuck browser. */
export function watchdog(ms, what) {
  const timer = setTimeout(() => {
    process.stderr.write(`${what}: still running after ${ms / 1000} s, stopping\n`);
    process.exit(2);
  }, ms);
  timer.unref();
  return timer;
}

/** Inside a describe: the file's pingyi-server and Chromium, as state.server and state.browser,
 *  started before its first test and stopped after its last, however the tests went. */
export function serverAndBrowser(state) {
  before(async () => {
    state.server = await startServer();
    state.browser = await launchBrowser();
  });
  after(async () => {
    await state.browser?.close().catch(() => {});
    await state.server?.stop();
  });
}

/** The steps of one scenario sharing `state` (its people, its server, and `failed`): each step
 *  runs in order and, once one has failed, the rest are skipped, since they could only fail for
 *  the same reason. A failing step leaves a screenshot of every open page (named after `prefix`,
 *  the step and the person) and the server's log as <label>-server.log in the artifacts. */
export function scenarioSteps(state, { label, prefix = '', timeout }) {
  return function step(name, fn, stepTimeout = timeout) {
    it(name, { timeout: stepTimeout }, async (t) => {
      if (state.failed) {
        t.skip(`an earlier step failed: ${state.failed}`);
        return;
      }
      try {
        await fn(t);
      } catch (e) {
        state.failed = name;
        const shots = [];
        for (const p of state.people) {
          const file = await failureShot(p.page, `${prefix}${name.replace(/[^a-z0-9]+/gi, '_').slice(0, 40)}-${p.name}`);
          if (file) shots.push(file);
        }
        if (state.server) t.diagnostic(`server log: ${state.server.saveLog(label)}`);
        t.diagnostic(`screenshots: ${shots.join(', ')}`);
        throw e;
      }
    });
  };
}
