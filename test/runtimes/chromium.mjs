// Chromium (Debian's /usr/bin/chromium, driven by playwright-core, fresh user-data-dir, headless):
// serves the repository root on 127.0.0.1 (the built package as published: dist/ and build/),
// opens test/runtimes/browser.html, which imports 'wasm-lstm' through an import map, and checks
//   - init() picks relaxed SIMD (Chromium validates it), and SIMD is there,
//   - every build gives the golden numbers (forward, gradients, one SGD step) to 1e-6,
//   - cold start: page load → first forward, in fresh browser profiles.
import { pathToFileURL } from 'node:url';
import { describeThreads } from './threads-check.mjs';
import { ROOT, serveStatic, launchChromium, summarize } from './util.mjs';

async function openPage(url, { timeoutMs = 60_000 } = {}) {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    try {
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: timeoutMs });
    } catch (e) {
      throw new Error(`the page produced no result: ${errors.join('; ') || e.message}`);
    }
    return { result: await page.evaluate(() => window.__result), version: browser.version, errors };
  } finally {
    await browser.close();
  }
}

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, so threads). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Cold start in Chromium: each run a new browser with a fresh profile (no HTTP or code cache).
 * `threads` ('auto' or N): init({ threads }) on a cross-origin-isolated page.
 * @param {number} [runs]
 * @param {{ threads?: string | number }} [options]
 */
export async function chromiumColdStart(runs = 5, { threads } = {}) {
  const server = await serveStatic(ROOT, threads ? { headers: ISOLATION_HEADERS } : {});
  try {
    const importToForward = [],
      navigationToForward = [];
    let version = '';
    for (let i = 0; i < runs; i++) {
      const q = threads ? `coldstart&threads=${threads}` : 'coldstart';
      const { result, version: v } = await openPage(`${server.url}/test/runtimes/browser.html?${q}`);
      version = v;
      importToForward.push(result.coldStart.importToForwardMs);
      navigationToForward.push(result.coldStart.navigationToForwardMs);
    }
    return { version, importToForward, navigationToForward };
  } finally {
    await server.close();
  }
}

async function main() {
  const server = await serveStatic(ROOT);
  const isolated = await serveStatic(ROOT, { headers: ISOLATION_HEADERS });
  // workers only from the page's origin (no blob:); wasm compiles need 'wasm-unsafe-eval'
  const strict = await serveStatic(ROOT, {
    headers: {
      ...ISOLATION_HEADERS,
      'Content-Security-Policy': "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self'",
    },
  });
  let ok = true;
  try {
    const { result, version, errors } = await openPage(`${server.url}/test/runtimes/browser.html`);
    console.log(
      `Chromium ${version}: init() chose ${result.defaultBuild}; features ${JSON.stringify(result.features)}`,
    );
    for (const [build, r] of Object.entries(result.builds)) {
      console.log(
        `  ${build.padEnd(12)} max |diff| vs golden ${r.maxDiff.toExponential(2)} (${r.worst}) ${r.ok ? 'ok' : 'FAIL'}`,
      );
    }
    const checks = [
      ['SIMD detected', result.features.simd === true],
      ['relaxed SIMD detected', result.features.relaxedSimd === true],
      ['init() selects relaxed-simd', result.defaultBuild === 'relaxed-simd'],
      ['all three builds ran', ['relaxed-simd', 'simd', 'scalar'].every((b) => b in result.builds)],
      ['every build matches the golden fixture to 1e-6', result.ok],
      ['first forward finite', result.coldStart.finite],
      ['no page errors', errors.length === 0],
    ];
    for (const [name, pass] of checks) {
      if (!pass) {
        ok = false;
        console.log(`  FAIL: ${name}`);
      }
    }
    if (errors.length) console.log(`  page errors: ${errors.join('; ')}`);
    // threads: on the isolated page, 2 threads (module Web Workers over one shared memory); on the
    // plain page, one thread with the reason, and the golden numbers unchanged
    /** @type {[string, { url: string }, number, string][]} */
    const pages = [
      ['cross-origin-isolated page', isolated, 2, ''],
      ['page without COOP/COEP', server, 1, ''],
      ['isolated page whose CSP forbids blob: workers, with workerUrl', strict, 2, '&workerUrl=/dist/thread-worker.js'],
    ];
    for (const [name, srv, wantThreads, query] of pages) {
      const { result: r, errors: e } = await openPage(`${srv.url}/test/runtimes/browser.html?threads${query}`);
      const t = r.threads;
      console.log(`  ${name} (crossOriginIsolated ${r.crossOriginIsolated}):`);
      for (const line of describeThreads(t)) console.log(`    ${line}`);
      const pass =
        t.ok &&
        t.threads === wantThreads &&
        r.crossOriginIsolated === (wantThreads === 2) &&
        (wantThreads === 2 || /cross-origin isolated/.test(t.reason ?? '')) &&
        e.length === 0;
      if (!pass) {
        ok = false;
        console.log(`  FAIL: threads on the ${name}${e.length ? `; page errors: ${e.join('; ')}` : ''}`);
      }
    }
  } finally {
    await server.close();
    await isolated.close();
    await strict.close();
  }
  const cold = await chromiumColdStart(5);
  console.log(`  cold start, page load → first forward (LSTM I=8 H=64, T=32): ${summarize(cold.navigationToForward)}`);
  console.log(`  cold start, import('wasm-lstm') → first forward:             ${summarize(cold.importToForward)}`);
  const coldThreads = await chromiumColdStart(5, { threads: 'auto' });
  console.log(
    `  cold start with init({ threads: 'auto' }), isolated page: page load → first forward ${summarize(coldThreads.navigationToForward)}; import → first forward ${summarize(coldThreads.importToForward)}`,
  );
  console.log(ok ? 'chromium: ok' : 'chromium: FAILED');
  process.exitCode = ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
