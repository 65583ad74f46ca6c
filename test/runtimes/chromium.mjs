// Chromium (Debian's /usr/bin/chromium, driven by playwright-core, fresh user-data-dir, headless):
// serves the repository root on 127.0.0.1 (the built package as published: dist/ and build/),
// opens test/runtimes/browser.html, which imports 'wasm-lstm' through an import map (the browser
// entry dist/browser.js, and the Node entry dist/index.js, which also works in a page), and checks
//   - init() picks relaxed SIMD (Chromium validates it), and SIMD is there,
//   - every build gives the golden numbers (forward, gradients, one SGD step) to 1e-6,
//   - cold start: page load → first forward, in fresh browser profiles;
//   - threads (threads-check.mjs): 2 threads on a cross-origin-isolated page (both entries, and under a
//     CSP that forbids blob: workers, with workerUrl), one thread with the reason on a page without
//     COOP/COEP; the cold start with init({ threads: 'auto' }).
import { pathToFileURL } from 'node:url';
import { describeThreads } from './threads-check.mjs';
import { ROOT, serveStatic, launchChromium, summarize } from './util.mjs';

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, so threads). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

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

/**
 * Cold start in Chromium: each run a new browser with a fresh profile (no HTTP or code cache).
 * `entries`: 'browser' (dist/browser.js, what the README's import map names) and/or 'index'
 * (dist/index.js), measured alternately so that a busy machine disturbs both alike.
 * `threads` ('auto' or N): init({ threads }) on a cross-origin-isolated page.
 * Resolves { version, [entry]: { importToForward[], navigationToForward[], phases[] } }.
 * @param {number} [runs]
 * @param {{ entries?: string[], threads?: string | number }} [options]
 */
export async function chromiumColdStart(runs = 5, { entries = ['browser'], threads } = {}) {
  const server = await serveStatic(ROOT, threads ? { headers: ISOLATION_HEADERS } : {});
  try {
    const out = { version: '' };
    for (const e of entries) out[e] = { importToForward: [], navigationToForward: [], phases: [] };
    for (let i = 0; i < runs; i++) {
      for (const entry of entries) {
        const q = `coldstart&entry=${entry}${threads ? `&threads=${threads}` : ''}`;
        const { result, version } = await openPage(`${server.url}/test/runtimes/browser.html?${q}`);
        out.version = version;
        out[entry].importToForward.push(result.coldStart.importToForwardMs);
        out[entry].navigationToForward.push(result.coldStart.navigationToForwardMs);
        out[entry].phases.push(result.coldStart.phases);
      }
    }
    return out;
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
    for (const entry of ['browser', 'index']) {
      const { result, version, errors } = await openPage(`${server.url}/test/runtimes/browser.html?entry=${entry}`);
      console.log(
        `Chromium ${version}, dist/${entry}.js: init() chose ${result.defaultBuild}; features ${JSON.stringify(result.features)}`,
      );
      for (const [build, r] of Object.entries(result.builds)) {
        console.log(
          `  ${build.padEnd(12)} max |diff| vs golden ${r.maxDiff.toExponential(2)} (${r.worst}) ${r.ok ? 'ok' : 'FAIL'}`,
        );
      }
      const checks = [
        [`import map → dist/${entry}.js`, result.entry.includes(`/dist/${entry}.js`)],
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
    }
    // threads: on an isolated page, 2 threads (module Web Workers over one shared memory); on a
    // plain page, one thread with the reason, and the golden numbers unchanged
    /** @type {[string, { url: string }, number, string][]} */
    const pages = [
      ['cross-origin-isolated page, dist/browser.js', isolated, 2, '&entry=browser'],
      ['cross-origin-isolated page, dist/index.js', isolated, 2, '&entry=index'],
      ['page without COOP/COEP', server, 1, '&entry=browser'],
      [
        'isolated page whose CSP forbids blob: workers, with workerUrl',
        strict,
        2,
        '&entry=browser&workerUrl=/dist/thread-worker.js',
      ],
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
  const both = await chromiumColdStart(5, { entries: ['browser', 'index'] });
  for (const entry of ['browser', 'index']) {
    const cold = both[entry];
    console.log(`  cold start, dist/${entry}.js (LSTM I=8 H=64, T=32):`);
    console.log(`    page load → first forward:         ${summarize(cold.navigationToForward)}`);
    console.log(`    import('wasm-lstm') → first forward: ${summarize(cold.importToForward)}`);
  }
  const coldThreads = await chromiumColdStart(5, { threads: 'auto' });
  console.log(`  cold start with init({ threads: 'auto' }), isolated page, dist/browser.js:`);
  console.log(`    page load → first forward:         ${summarize(coldThreads.browser.navigationToForward)}`);
  console.log(`    import('wasm-lstm') → first forward: ${summarize(coldThreads.browser.importToForward)}`);
  console.log(ok ? 'chromium: ok' : 'chromium: FAILED');
  process.exitCode = ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
