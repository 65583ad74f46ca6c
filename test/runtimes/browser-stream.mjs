// Streaming inference in a browser (examples/browser/stream.html, served by the demo's server):
// the PyTorch-trained forecaster of examples/pytorch runs in a Web Worker, one lstm.step() per
// sample of a live signal. Opens it with ?samples=600 in Chromium and checks that
//   - every step's streamed output equals one batched forward over the same 600 samples (1e-5),
//   - the one-step-ahead forecasts beat the naive "next = last" forecast (RMSE below 0.7×),
//   - the page reported no errors.
import { startDemo } from '../../examples/browser/serve.mjs';
import { launchChromium } from './util.mjs';

const SAMPLES = 600;
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
  await page.goto(`${demo.url}stream.html?samples=${SAMPLES}`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000, polling: 200 });
  const r = await page.evaluate(() => window.__result);
  check(
    'the page streamed and verified',
    !r.error && r.samples === SAMPLES,
    r.error ?? `${r.samples} samples, ${r.build}`,
  );
  if (!r.error) {
    check(
      'streamed = batched forward, every step',
      r.streamVsBatchMaxDiff <= 1e-5,
      `max |diff| ${r.streamVsBatchMaxDiff.toExponential(2)}`,
    );
    check(
      'forecasts beat the naive forecast',
      r.rmse < 0.7 * r.naiveRmse,
      `RMSE ${r.rmse.toFixed(4)} vs naive ${r.naiveRmse.toFixed(4)} over ${r.scored} samples; ${r.usPerStep.toFixed(1)} µs per step`,
    );
  }
  check('no page or worker errors', errors.length === 0, errors.join(' | '));
} finally {
  await browser.close();
  await demo.close();
}
console.log(ok ? 'browser-stream: ok' : 'browser-stream: FAILED');
process.exitCode = ok ? 0 : 1;
