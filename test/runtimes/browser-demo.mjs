// The browser demo (examples/browser) in Chromium: serve it (npm run demo:web's server, free port),
// train with the scalar build, flip the toggle to SIMD, wait until the sine forecaster's validation
// loss falls below 0.02 (the naive forecast scores ≈ 0.15), check the page stayed responsive while
// the worker trained, press "Quantize (int8)" and check the int8 copy's file is smaller and its
// validation loss still below the threshold, switch to 2 threads (the demo is served cross-origin
// isolated) and check it trains, save a screenshot to test/runtimes/demo.png and check it is not
// blank; then switch to the adding problem and check it trains.
import { join } from 'node:path';
import { ROOT, launchChromium } from './util.mjs';
import { startDemo } from '../../examples/browser/serve.mjs';

const THRESHOLD = 0.02;
const SCREENSHOT = join(ROOT, 'test/runtimes/demo.png');
let ok = true;
const check = (name, pass, detail = '') => {
  console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!pass) ok = false;
};

const demo = await startDemo({ port: 0 });
const browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
try {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const state = () =>
    page.evaluate(() => {
      const { runs, ...s } = window.__demo;
      return { ...s, runs };
    });
  const waitFor = (fn, arg, timeout) => page.waitForFunction(fn, arg, { timeout, polling: 100 });

  await page.goto(demo.url);
  await page.waitForFunction(() => window.__demo !== undefined, null, { timeout: 15_000 });

  // 1. scalar first
  await page.check('input[name=build][value=scalar]');
  await page.click('#start');
  await waitFor(() => window.__demo.build === 'scalar' && window.__demo.steps >= 100, null, 30_000);
  await page.waitForTimeout(1500);
  const scalar = await state();
  check(
    'scalar build trains',
    scalar.build === 'scalar' && scalar.steps > 100,
    `${scalar.steps} steps, ${scalar.stepsPerSec.toFixed(0)} steps/s`,
  );

  // 2. the toggle: SIMD (the best build), until the loss is below the threshold
  const t0 = Date.now();
  await page.check('input[name=build][value=best]');
  await waitFor(() => window.__demo.build && window.__demo.build !== 'scalar', null, 15_000);
  await waitFor((t) => window.__demo.valLoss < t && window.__demo.steps >= 300, THRESHOLD, 90_000).catch(() => {});
  await page.waitForTimeout(1200); // a few more points on the charts and a settled speed
  const simd = await state();
  check(
    `SIMD build (${simd.build}) trains the sine forecaster below ${THRESHOLD}`,
    simd.valLoss < THRESHOLD,
    `validation mse ${simd.valLoss.toExponential(2)} after ${simd.steps} steps, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  check(
    'the page stays responsive while the worker trains',
    simd.maxLagMs < 250,
    `max timer lag ${simd.maxLagMs.toFixed(0)} ms`,
  );
  const rows = simd.runs.filter((r) => r.task === 'sine');
  const s = rows.find((r) => r.build === 'scalar'),
    v = rows.find((r) => r.build !== 'scalar');
  check(
    'the comparison table has both builds',
    Boolean(s && v),
    s && v
      ? `scalar ${s.stepsPerSec.toFixed(0)} steps/s, ${v.build} ${v.stepsPerSec.toFixed(0)} steps/s (${(v.stepsPerSec / s.stepsPerSec).toFixed(2)}×)`
      : JSON.stringify(rows),
  );

  // 2b. the quantize button: the model as trained so far against its int8 copy
  await page.click('#quantize');
  await waitFor(() => window.__demo.quantized !== null, null, 15_000);
  const { rows: q } = (await state()).quantized;
  const [f32Row, int8Row] = q;
  check(
    'quantize: the int8 model is smaller and still forecasts',
    int8Row.bytes < 0.5 * f32Row.bytes && int8Row.valLoss < THRESHOLD && int8Row.usPerStep > 0,
    `file ${f32Row.bytes} -> ${int8Row.bytes} bytes, validation mse ${f32Row.valLoss.toExponential(2)} -> ${int8Row.valLoss.toExponential(2)}, ` +
      `stream ${f32Row.usPerStep.toFixed(1)} -> ${int8Row.usPerStep.toFixed(1)} µs/step, inference ${f32Row.msPerSequence.toFixed(3)} -> ${int8Row.msPerSequence.toFixed(3)} ms/sequence`,
  );

  // 2c. the threads toggle (the demo server sends COOP/COEP, so the page is cross-origin isolated)
  check('the page is cross-origin isolated', simd.isolated === true);
  await page.selectOption('#threads', '2');
  await waitFor(() => window.__demo.threads === 2 && window.__demo.steps >= 100, null, 30_000).catch(() => {});
  await page.waitForTimeout(1500);
  const threaded = await state();
  const sineRows = threaded.runs.filter((r) => r.task === 'sine' && r.build === simd.build);
  const t1 = sineRows.find((r) => r.threads === 1),
    t2 = sineRows.find((r) => r.threads === 2);
  check(
    'the threads toggle trains with 2 threads',
    threaded.threads === 2 && threaded.steps >= 100 && Number.isFinite(threaded.loss),
    `${threaded.steps} steps, ${threaded.stepsPerSec.toFixed(0)} steps/s${t1 && t2 ? ` (1 thread ${t1.stepsPerSec.toFixed(0)} steps/s: ${(t2.stepsPerSec / t1.stepsPerSec).toFixed(2)}×)` : ''}`,
  );

  // 3. screenshot, non-blank: luminance spread of the whole page and of each chart canvas
  const png = await page.screenshot({ path: SCREENSHOT });
  const stats = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const variance = (ctx, w, h) => {
      const d = ctx.getImageData(0, 0, w, h).data;
      let s = 0,
        s2 = 0,
        n = 0;
      for (let i = 0; i < d.length; i += 4) {
        const l = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
        s += l;
        s2 += l * l;
        n++;
      }
      return s2 / n - (s / n) ** 2;
    };
    const c = new OffscreenCanvas(img.width, img.height),
      ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const canvases = /** @type {NodeListOf<HTMLCanvasElement>} */ (document.querySelectorAll('.uplot canvas'));
    const charts = [...canvases].map((cv) => {
      const o = new OffscreenCanvas(cv.width, cv.height),
        x = o.getContext('2d');
      x.drawImage(cv, 0, 0);
      const d = x.getImageData(0, 0, cv.width, cv.height).data;
      let inked = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) inked++;
      return inked / (d.length / 4);
    });
    return { width: img.width, height: img.height, variance: variance(ctx, img.width, img.height), charts };
  }, png.toString('base64'));
  check(
    `screenshot ${SCREENSHOT.slice(ROOT.length)} is not blank`,
    stats.variance > 100 && stats.charts.length === 2 && stats.charts.every((f) => f > 0.01),
    `${stats.width}×${stats.height}, luminance variance ${stats.variance.toFixed(0)}, chart ink ${stats.charts.map((f) => `${(100 * f).toFixed(1)}%`).join(', ')}`,
  );

  // 4. the adding problem
  await page.selectOption('#task', 'adding');
  await waitFor(
    () =>
      window.__demo.config?.task === 'adding' && window.__demo.steps >= 100 && Number.isFinite(window.__demo.valLoss),
    null,
    30_000,
  );
  const adding = await state();
  check(
    'the adding problem trains',
    adding.steps >= 100 && Number.isFinite(adding.valLoss),
    `${adding.steps} steps, validation mse ${adding.valLoss.toExponential(2)}, ${adding.stepsPerSec.toFixed(0)} steps/s`,
  );
  await page.click('#stop');
  check(
    'no page or worker errors',
    errors.length === 0 && adding.errors.length === 0,
    [...errors, ...adding.errors].join('; '),
  );
} catch (e) {
  check('demo test ran', false, e.stack ?? String(e));
} finally {
  await browser.close();
  await demo.close();
}
console.log(ok ? 'browser demo: ok' : 'browser demo: FAILED');
process.exitCode = ok ? 0 : 1;
