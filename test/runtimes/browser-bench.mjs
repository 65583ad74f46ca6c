// The benchmark in the browser (examples/browser/bench.html, served by the demo's server): opens
// it with ?run&quick in Chromium and checks that the package's benchmark ran every workload on
// every build Chromium has (relaxed SIMD, SIMD, scalar) with finite positive times, GFLOP/s and
// % of peak, and that the page shows the table: a header and one row per workload.
import { startDemo } from '../../examples/browser/serve.mjs';
import { launchChromium } from './util.mjs';

let ok = true;
const check = (name, pass, detail = '') => {
  console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!pass) ok = false;
};

const demo = await startDemo({ port: 0 });
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const t0 = performance.now();
  await page.goto(`${demo.url}bench.html?run&quick`);
  await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 240_000, polling: 500 });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const report = await page.evaluate(() => window.__bench);
  check(`the page ran the benchmark (${seconds} s)`, !report.error, report.error ?? '');
  if (!report.error) {
    const builds = ['relaxed-simd', 'simd', 'scalar'];
    check(
      'every build Chromium has',
      builds.every((b) => report.builds.includes(b)),
      report.builds.join(', '),
    );
    check(
      'every workload',
      report.workloads.every((w) => report.results.some((r) => r.id === w.id)),
      report.results.map((r) => r.id).join(', '),
    );
    const positive = (v) => Number.isFinite(v) && v > 0;
    const bad = [];
    for (const row of report.results)
      for (const b of builds) {
        const r = row.impls[b];
        if (!r || ![r.median, r.min, r.gflops, r.percentOfPeak].every(positive)) bad.push(`${row.id}/${b}`);
      }
    check('finite positive numbers everywhere', bad.length === 0, bad.join(', '));
    const w2 = report.results.find((r) => r.id === 'W2');
    console.log(
      `  ${report.runtime}: W2 infer relaxed ${w2.impls['relaxed-simd'].median.toFixed(1)} ms, simd ${w2.impls.simd.median.toFixed(1)} ms, scalar ${w2.impls.scalar.median.toFixed(1)} ms`,
    );
    const table = await page.evaluate(() => ({
      header: Array.from(document.querySelectorAll('#table thead th'), (th) => th.textContent),
      rows: Array.from(document.querySelectorAll('#table tbody tr'), (tr) => tr.firstElementChild.textContent),
    }));
    check(
      'the table shows a row per workload and a column per build',
      table.rows.length === report.workloads.length && builds.every((b) => table.header.includes(`${b} median (min)`)),
      `${table.rows.length} rows; ${table.header.slice(0, 5).join(' | ')} …`,
    );
  }
  check('no page errors', errors.length === 0, errors.join(' | '));
} finally {
  await browser.close();
  await demo.close();
}
console.log(ok ? 'browser-bench: ok' : 'browser-bench: FAILED');
process.exitCode = ok ? 0 : 1;
