// Chromium (Debian's /usr/bin/chromium, driven by playwright-core, fresh user-data-dir, headless):
// serves the repository root on 127.0.0.1 (the built package as published: dist/ and build/),
// opens test/runtimes/browser.html, which imports 'wasm-lstm' through an import map, and checks
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

/** Cold start in Chromium: each run a new browser with a fresh profile (no HTTP or code cache). */
export async function chromiumColdStart(runs = 5) {
  const server = await serveStatic(ROOT);
  try {
    const importToForward = [],
      navigationToForward = [];
    let version = '';
    for (let i = 0; i < runs; i++) {
      const { result, version: v } = await openPage(`${server.url}/test/runtimes/browser.html?coldstart`);
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
  } finally {
    await server.close();
  }
  const cold = await chromiumColdStart(5);
  console.log(`  cold start, page load → first forward (LSTM I=8 H=64, T=32): ${summarize(cold.navigationToForward)}`);
  console.log(`  cold start, import('wasm-lstm') → first forward:             ${summarize(cold.importToForward)}`);
  console.log(ok ? 'chromium: ok' : 'chromium: FAILED');
  process.exitCode = ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
