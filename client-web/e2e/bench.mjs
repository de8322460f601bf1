// Browser benchmarks (not tests: they print figures and judge them against their targets; the
// exit status is non-zero only when something failed to run or verify, never for being slow).
//
//   node client-web/e2e/bench.mjs [--chain FILE] [--ballot-runs 7] [--verify-runs 3] [--out DIR]
//
// (a) The tablet's ballot worker building and proving a 28-target, 3-option evaluation ballot:
//     median of 7 runs after a first one (target < 1 s).
// (b) The observer's VerifierClient (Web Workers) verifying a whole chain — by default the
//     200-member × 30-target session written by `pingyi-verify-bench --write-chains DIR` — against
//     the C++ `pingyi-verify CHAIN` on the same file (target ≤ 30 s in the browser).
//
// The page that runs them (e2e/bench/) is built with its own Vite config into --out (default
// /tmp/pingyi-bench-dist), never into the client's dist, and served from here with the chain.

import { execFile } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { clientDir, launchBrowser, verifierBinary } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    chain: { type: 'string', default: process.env.PINGYI_BENCH_CHAIN ?? '/tmp/pingyi-chains/200x30.jsonl' },
    'ballot-runs': { type: 'string', default: '7' },
    'verify-runs': { type: 'string', default: '3' },
    out: { type: 'string', default: path.join(os.tmpdir(), 'pingyi-bench-dist') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write('node client-web/e2e/bench.mjs [--chain FILE] [--ballot-runs 7] [--verify-runs 3] [--out DIR]\n');
  process.exit(0);
}
const ballotRuns = Number(args['ballot-runs']);
const verifyRuns = Number(args['verify-runs']);
for (const [name, n] of [['--ballot-runs', ballotRuns], ['--verify-runs', verifyRuns]]) {
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`${name} must be an integer from 1 to 50`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const log = (line = '') => process.stdout.write(`${line}\n`);

// A hard stop: a stuck browser must not hang whoever runs this.
const watchdog = setTimeout(() => {
  process.stderr.write('bench.mjs: still running after 15 minutes, stopping\n');
  process.exit(2);
}, 15 * 60_000);
watchdog.unref();

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.jsonl': 'application/x-ndjson' };

/** The bench page and, at /chain.jsonl, the chain file: loopback only, GET only, no escape. */
function serve(root, chainFile) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file;
    if (url.pathname === '/chain.jsonl' && chainFile) file = chainFile;
    else {
      try {
        file = path.join(root, path.normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)));
      } catch {
        file = null; // malformed percent-encoding
      }
      if (file && !file.startsWith(root + path.sep)) file = null;
    }
    if (req.method !== 'GET' || !file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function runVerifier(chain) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile(verifierBinary(), ['--json', chain], { timeout: 300_000, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (err) reject(new Error(`pingyi-verify failed (${err.code ?? err.signal}): ${stderr.slice(0, 500)}`));
      else resolve({ ms, report: JSON.parse(stdout) });
    });
  });
}

async function main() {
  const chain = existsSync(args.chain) ? path.resolve(args.chain) : null;
  log(`pingyi browser benchmarks — ${new Date().toISOString()}`);
  log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  const t0 = Date.now();
  await build({ configFile: path.join(clientDir, 'e2e/bench/vite.config.ts'), build: { outDir: args.out, emptyOutDir: true }, logLevel: 'warn' });
  log(`bench page built into ${args.out} in ${s(Date.now() - t0)}`);

  const server = await serve(path.resolve(args.out), chain);
  const browser = await launchBrowser();
  let failed = false;
  try {
    log(`browser: Chromium ${browser.version()} (headless)`);
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
    await page.goto(`http://127.0.0.1:${server.address().port}/`, { timeout: 30_000 });
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'ready', null, { timeout: 30_000 });

    // (a)
    const a = await page.evaluate((runs) => window.pingyiBench.ballot(runs, 28, 3), ballotRuns);
    const m = median(a.runsMs);
    log();
    log(`(a) ballot worker: build and prove a ${a.targets}-target × ${a.options}-option evaluation ballot`);
    log(`    first (worker start + libsodium init): ${a.firstMs.toFixed(0)} ms`);
    log(`    ${a.runsMs.length} runs: ${a.runsMs.map((x) => x.toFixed(0)).join(', ')} ms`);
    log(`    median ${m.toFixed(0)} ms — target < 1000 ms: ${m < 1000 ? 'met' : 'NOT met'}`);

    // (b)
    log();
    if (!chain) {
      log(`(b) skipped: no chain at ${args.chain}`);
      log('    make one with: pingyi-verify-bench --runs 1 --write-chains /tmp/pingyi-chains');
      return;
    }
    const lines = readFileSync(chain, 'utf8').split('\n').filter((l) => l !== '').length;
    log(`(b) whole-chain verification: ${chain} (${lines} records)`);
    // Browser and C++ runs alternate, so that both see the same load on a shared machine; the
    // ratio of each pair is reported with the medians.
    const browserRuns = [];
    const cppRuns = [];
    for (let i = 0; i < verifyRuns; i++) {
      const r = await page.evaluate((url) => window.pingyiBench.verify(url), '/chain.jsonl');
      if (r.failure || r.records !== lines) {
        failed = true;
        log(`    browser run ${i + 1}: FAILED after ${r.records} records: ${r.failure}`);
        return;
      }
      browserRuns.push(r);
      const c = await runVerifier(chain);
      if (!c.report.verified) {
        failed = true;
        log(`    pingyi-verify run ${i + 1}: the chain did NOT verify`);
        return;
      }
      cppRuns.push(c);
      log(`    run ${i + 1}: browser ${s(r.verifyMs)} (${r.workers} proof workers; fetching the file ${r.fetchMs.toFixed(0)} ms), ` +
        `pingyi-verify ${s(c.ms)}, ratio ${(r.verifyMs / c.ms).toFixed(2)} (load ${os.loadavg()[0].toFixed(2)})`);
    }
    const b = median(browserRuns.map((r) => r.verifyMs));
    const c = median(cppRuns.map((r) => r.ms));
    // Both verifiers recovered the same counts from the same chain.
    const fromBrowser = browserRuns[0].rounds.map((r) => ({ round: r.round, counts: r.counts }));
    const fromCpp = cppRuns[0].report.rounds.map((r) => ({ round: r.round, counts: r.contests?.map((x) => x.counts) ?? null }));
    const agree = JSON.stringify(fromBrowser) === JSON.stringify(fromCpp);
    if (!agree) failed = true;
    const ballots = browserRuns[0].rounds.reduce((n, r) => n + r.ballots, 0);
    const contests = browserRuns[0].rounds.reduce((n, r) => n + r.ballots * (r.counts?.length ?? 0), 0);
    const pairRatio = median(browserRuns.map((r, i) => r.verifyMs / cppRuns[i].ms));
    log(`    median: browser ${s(b)}, pingyi-verify ${s(c)} — ratio of the medians ${(b / c).toFixed(2)}, median of the pairs' ratios ${pairRatio.toFixed(2)}`);
    log(`    browser: ${(ballots / (b / 1000)).toFixed(0)} ballots/s, ${(contests / (b / 1000)).toFixed(0)} contest-ballots/s`);
    log(`    counts recovered by both verifiers agree: ${agree ? 'yes' : 'NO'}`);
    log(`    target ≤ 30 s in the browser: ${b <= 30_000 ? 'met' : 'NOT met'}`);
  } finally {
    await browser.close();
    server.close();
  }
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`bench.mjs: ${e.stack ?? e}\n`);
  process.exit(1);
});
