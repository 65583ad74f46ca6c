// Chromium (Debian's /usr/bin/chromium, driven by playwright-core, fresh user-data-dir, headless):
// serves the repository root on 127.0.0.1 (the built package as published: dist/ and build/),
// opens test/runtimes/browser.html, which imports 'wasm-lstm' through an import map (the browser
// entry dist/browser.js, and the Node entry dist/index.js, which also works in a page), and checks
//   - init() picks relaxed SIMD (Chromium validates it), and SIMD is there,
//   - every build gives the golden numbers (forward, gradients, one SGD step) to 1e-6,
//   - cold start: page load → first forward, in fresh browser profiles.
import { pathToFileURL } from 'node:url';
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

/**
 * Cold start in Chromium: each run a new browser with a fresh profile (no HTTP or code cache).
 * `entries`: 'browser' (dist/browser.js, what the README's import map names) and/or 'index'
 * (dist/index.js), measured alternately so that a busy machine disturbs both alike.
 * Resolves { version, [entry]: { importToForward[], navigationToForward[], phases[] } }.
 */
export async function chromiumColdStart(runs = 5, { entries = ['browser'] } = {}) {
  const server = await serveStatic(ROOT);
  try {
    const out = { version: '' };
    for (const e of entries) out[e] = { importToForward: [], navigationToForward: [], phases: [] };
    for (let i = 0; i < runs; i++) {
      for (const entry of entries) {
        const { result, version } = await openPage(`${server.url}/test/runtimes/browser.html?coldstart&entry=${entry}`);
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
  } finally {
    await server.close();
  }
  const both = await chromiumColdStart(5, { entries: ['browser', 'index'] });
  for (const entry of ['browser', 'index']) {
    const cold = both[entry];
    console.log(`  cold start, dist/${entry}.js (LSTM I=8 H=64, T=32):`);
    console.log(`    page load → first forward:         ${summarize(cold.navigationToForward)}`);
    console.log(`    import('wasm-lstm') → first forward: ${summarize(cold.importToForward)}`);
  }
  console.log(ok ? 'chromium: ok' : 'chromium: FAILED');
  process.exitCode = ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
